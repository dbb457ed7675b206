"""Training examples to Parquet in row groups, so memory stays bounded by one group (needs ``pyarrow``).

Install with ``pip install "harmony-typed[parquet]"``.  Columns: ``id``
(string: the record's id as JSON text, so that ids of any JSON type fit one
Arrow type; null without one), ``input_ids`` (``list<int32>``) and
``loss_mask`` (``list<int8>``, 0/1).
"""

from __future__ import annotations

import importlib
from typing import IO, Any, Final

from harmony_typed.dataset.pool import Row

__all__ = ["ROWS_PER_GROUP", "ParquetSink"]

ROWS_PER_GROUP: Final = 4096
"""Rows buffered before a row group is written: the bound on what is held in memory."""


def _pyarrow() -> tuple[Any, Any]:
    # import_module: an optional dependency without type stubs, typed here as Any at one place.
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise ImportError('Parquet output needs pyarrow: pip install "harmony-typed[parquet]"') from None


class ParquetSink:
    """A :class:`~harmony_typed.dataset.pool.RowSink` writing Parquet row groups to a binary stream.

    Call :meth:`close` after the last rows (it writes the footer); the stream
    itself stays open for its owner (e.g. :meth:`SafeOutput.commit`).
    """

    def __init__(self, stream: IO[bytes], *, rows_per_group: int = ROWS_PER_GROUP) -> None:
        if rows_per_group < 1:
            raise ValueError(f"rows_per_group must be >= 1, got {rows_per_group}")
        pa, pq = _pyarrow()
        self._pa = pa
        self._schema = pa.schema(
            [("id", pa.string()), ("input_ids", pa.list_(pa.int32())), ("loss_mask", pa.list_(pa.int8()))]
        )
        self._writer = pq.ParquetWriter(stream, self._schema)
        self._rows_per_group = rows_per_group
        self._pending: list[Row] = []

    def write_rows(self, rows: list[Row]) -> None:
        """Buffer ``rows``; write a row group each time ``rows_per_group`` are buffered."""
        self._pending.extend(rows)
        while len(self._pending) >= self._rows_per_group:
            self._flush(self._pending[: self._rows_per_group])
            del self._pending[: self._rows_per_group]

    def _flush(self, rows: list[Row]) -> None:
        pa = self._pa
        table = pa.table(
            [
                pa.array([row[0] for row in rows], pa.string()),
                pa.array([row[1] for row in rows], pa.list_(pa.int32())),
                pa.array([list(row[2]) for row in rows], pa.list_(pa.int8())),
            ],
            schema=self._schema,
        )
        self._writer.write_table(table)

    def close(self) -> None:
        """Write the buffered rows and the Parquet footer."""
        if self._pending:
            self._flush(self._pending)
            self._pending = []
        self._writer.close()
