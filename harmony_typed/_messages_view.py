"""MessagesView: the O(1) read-only snapshot that ``StreamableParser.messages`` returns."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import overload

from harmony_typed._models import Message

__all__ = ["MessagesView"]


# -- the messages snapshot ----------------------------------------------------------


class MessagesView(Sequence[Message]):
    """Read-only snapshot of the messages a parser had completed when it was taken.

    Returned by :attr:`StreamableParser.messages` in O(1): it shares the
    parser's append-only list and remembers its length, so it never changes
    afterwards (later messages, and :meth:`StreamableParser.reset`, do not
    affect it).  Messages are frozen, so sharing them is safe.  It is a
    :class:`~collections.abc.Sequence` (``len``, indexing, slicing -- a slice
    is a new ``list`` --, iteration, ``in``, ``index``, ``count``) and compares
    equal to any sequence (``list``, ``tuple``, another view) with equal items;
    use ``list(view)`` for a mutable copy.
    """

    _items: list[Message]
    _length: int

    def __init__(self, items: list[Message], length: int) -> None:
        self._items = items
        self._length = length

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Message: ...

    @overload
    def __getitem__(self, index: slice) -> list[Message]: ...

    def __getitem__(self, index: int | slice) -> Message | list[Message]:
        if isinstance(index, slice):
            return self._items[: self._length][index]
        length = self._length
        i = index + length if index < 0 else index
        if i < 0 or i >= length:
            raise IndexError("message index out of range")
        return self._items[i]

    def __iter__(self) -> Iterator[Message]:
        return islice(self._items, self._length)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MessagesView):
            return self._length == other._length and self._items[: self._length] == other._items[: other._length]
        if isinstance(other, list):
            return self._length == len(other) and self._items[: self._length] == other
        if isinstance(other, Sequence) and not isinstance(other, (str, bytes, bytearray)):
            return self._length == len(other) and self._items[: self._length] == list(other)
        return NotImplemented

    def __reduce__(self) -> tuple[type[MessagesView], tuple[list[Message], int]]:
        # copy, deepcopy and pickle (a native class has no instance __dict__ to copy).
        return (MessagesView, (self._items[: self._length], self._length))

    __hash__ = None  # type: ignore[assignment]  # compares like a list, so unhashable like one

    def __repr__(self) -> str:
        return repr(self._items[: self._length])
