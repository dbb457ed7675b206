"""The o200k_harmony encoding: goldens from openai_harmony (tests/golden/encoding.json)."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest
from conftest import GOLDEN
from hypothesis import given
from hypothesis import strategies as st

from harmony_typed import DecodeError, EncodeError, HarmonyEncoding, HarmonyError, load_harmony_encoding

DATA: dict[str, Any] = json.loads((GOLDEN / "encoding.json").read_text(encoding="utf-8"))

# Our class for each oracle exception name (ours are HarmonyError subclasses).
ERRORS: dict[str, type[BaseException]] = {
    "HarmonyError": HarmonyError,
    "OverflowError": OverflowError,
    "UnicodeDecodeError": UnicodeDecodeError,
}


def _text(case: dict[str, Any]) -> str:
    if "text_code_points" in case:
        return "".join(map(chr, case["text_code_points"]))
    text: str = case["text"]
    return text


def _check(expected: dict[str, Any], call: Any, key: str) -> None:
    if "error" in expected:
        with pytest.raises(ERRORS[expected["error"]["type"]]) as info:
            call()
        assert str(info.value) == expected["error"]["message"]
    else:
        assert call() == expected[key]


@pytest.mark.parametrize("case", DATA["encode"], ids=[c["id"] for c in DATA["encode"]])
def test_encode_golden(enc: HarmonyEncoding, case: dict[str, Any]) -> None:
    text = _text(case)
    kwargs: dict[str, Any] = {}
    if case["allowed_special"] is not None:
        allowed = case["allowed_special"]
        kwargs["allowed_special"] = allowed if allowed == "all" else set(allowed)
    if case["disallowed_special"] is not None:
        disallowed = case["disallowed_special"]
        kwargs["disallowed_special"] = disallowed if disallowed == "all" else tuple(disallowed)
    _check(case["expected"], lambda: enc.encode(text, **kwargs), "tokens")


@pytest.mark.parametrize("case", DATA["decode_utf8"], ids=[c["id"] for c in DATA["decode_utf8"]])
def test_decode_utf8_golden(enc: HarmonyEncoding, case: dict[str, Any]) -> None:
    _check(case["expected"], lambda: enc.decode_utf8(case["tokens"]), "text")


@pytest.mark.parametrize("case", DATA["decode"], ids=[c["id"] for c in DATA["decode"]])
def test_decode_golden(enc: HarmonyEncoding, case: dict[str, Any]) -> None:
    errors = case["errors"] or "replace"
    _check(case["expected"], lambda: enc.decode(case["tokens"], errors=errors), "text")


@pytest.mark.parametrize("case", DATA["decode_bytes"], ids=[c["id"] for c in DATA["decode_bytes"]])
def test_decode_bytes_golden(enc: HarmonyEncoding, case: dict[str, Any]) -> None:
    _check(case["expected"], lambda: enc.decode_bytes(case["tokens"]).hex(), "hex")


@pytest.mark.parametrize("case", DATA["is_special_token"], ids=[str(c["token"]) for c in DATA["is_special_token"]])
def test_is_special_token_golden(enc: HarmonyEncoding, case: dict[str, Any]) -> None:
    _check(case["expected"], lambda: enc.is_special_token(case["token"]), "value")


def test_special_tokens_and_stop_tokens(enc: HarmonyEncoding) -> None:
    assert enc.name == DATA["name"] == "HarmonyGptOss"
    assert sorted(enc.special_tokens_set) == DATA["special_tokens"]
    assert len(enc.special_tokens()) == 1091
    assert enc.stop_tokens() == DATA["stop_tokens"]
    assert enc.stop_tokens_for_assistant_actions() == DATA["stop_tokens_for_assistant_actions"]
    assert "<|endofprompt|>" not in enc.special_tokens_set
    assert enc.decode_utf8([200018]) == "<|reserved_200018|>"


def test_error_classes_are_harmony_errors(enc: HarmonyEncoding) -> None:
    with pytest.raises(EncodeError):
        enc.encode("<|end|>")
    with pytest.raises(DecodeError):
        enc.decode_utf8([201089])
    with pytest.raises(TypeError, match="token ids must be int, got str"):
        enc.is_special_token("1")  # type: ignore[arg-type]


def test_pickles_by_name_and_unpickles_to_the_shared_instance(enc: HarmonyEncoding) -> None:
    payload = pickle.dumps(enc)
    assert len(payload) < 200  # by name, not the vocabulary
    assert pickle.loads(payload) is load_harmony_encoding("HarmonyGptOss")


@given(st.text())
def test_decode_encode_roundtrip(text: str) -> None:
    enc = load_harmony_encoding("HarmonyGptOss")
    # Lone surrogates are not encodable UTF-8: openai_harmony replaces them with U+FFFD.
    expected = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    tokens = enc.encode(text, disallowed_special=())
    assert enc.decode_utf8(tokens) == expected
    assert tokens == enc.encode_ordinary(expected)


SPECIAL_TEXTS = sorted(load_harmony_encoding("HarmonyGptOss").special_tokens_set)


@given(st.lists(st.sampled_from(SPECIAL_TEXTS), max_size=3), st.text(max_size=20))
def test_special_text_is_ordinary_unless_allowed(specials: list[str], filler: str) -> None:
    enc = load_harmony_encoding("HarmonyGptOss")
    text = filler.join(specials) + filler
    plain = enc.encode(text, disallowed_special=())
    assert not any(enc.is_special_token(t) for t in plain)
    assert enc.decode(plain) == enc.decode(enc.encode(text, allowed_special="all"))
    if specials:
        with pytest.raises(EncodeError, match="Encountered text corresponding to disallowed special token"):
            enc.encode(text)
