"""The dialects: selection, the facade's ``dialect``, and oss-harmony 0.0.11 goldens.

``golden/oss_dialect.json`` is written by ``golden/generate_oss.py`` run with
oss-harmony 0.0.11 installed; the random differential is ``test_parity_oss.py``.
"""

from __future__ import annotations

import json
import pickle
from typing import Any, Final

import pytest
from conftest import GOLDEN

from harmony_typed import (
    Dialect,
    HarmonyEncoding,
    HarmonyError,
    Message,
    Role,
    StreamableParser,
    load_harmony_encoding,
)

DATA: Final[dict[str, Any]] = json.loads((GOLDEN / "oss_dialect.json").read_text(encoding="utf-8"))
OSS: Final = Dialect.OSS_HARMONY_0_0_11


@pytest.fixture(scope="module")
def oss() -> HarmonyEncoding:
    return load_harmony_encoding("HarmonyGptOss", dialect=OSS)


def test_the_default_is_openai_harmony_0_0_8(enc: HarmonyEncoding) -> None:
    assert enc.dialect is Dialect.OPENAI_HARMONY_0_0_8
    # Other tests may reset the loader's cache: compare loads, not the module fixture's object.
    assert load_harmony_encoding("HarmonyGptOss", dialect="openai-harmony-0.0.8") is load_harmony_encoding(
        "HarmonyGptOss"
    )


def test_a_dialect_is_selected_by_member_or_value(oss: HarmonyEncoding, enc: HarmonyEncoding) -> None:
    assert oss.dialect is OSS
    fresh_oss = load_harmony_encoding("HarmonyGptOss", dialect="oss-harmony-0.0.11")
    assert fresh_oss is load_harmony_encoding("HarmonyGptOss", dialect=OSS)
    assert fresh_oss.dialect is OSS and oss is not enc
    assert fresh_oss.tokenizer is load_harmony_encoding("HarmonyGptOss").tokenizer  # one vocabulary, loaded once
    assert "oss-harmony-0.0.11" in repr(oss)
    assert str(OSS) == "oss-harmony-0.0.11"


@pytest.mark.parametrize("bad", ["oss-harmony", "OSS_HARMONY_0_0_11", "", None, 11])
def test_an_unknown_dialect_is_a_value_error_naming_the_valid_ones(bad: Any) -> None:
    with pytest.raises(ValueError, match="'openai-harmony-0.0.8', 'oss-harmony-0.0.11'"):
        load_harmony_encoding("HarmonyGptOss", dialect=bad)


def test_pickling_keeps_the_dialect(oss: HarmonyEncoding, enc: HarmonyEncoding) -> None:
    assert pickle.loads(pickle.dumps(oss)).dialect is OSS
    assert pickle.loads(pickle.dumps(enc)).dialect is Dialect.OPENAI_HARMONY_0_0_8
    assert pickle.loads(pickle.dumps(oss)) is load_harmony_encoding("HarmonyGptOss", dialect=OSS)


@pytest.mark.parametrize("case", DATA["render"], ids=[c["name"] for c in DATA["render"]])
def test_render_goldens(oss: HarmonyEncoding, enc: HarmonyEncoding, case: dict[str, Any]) -> None:
    message = Message.from_dict(case["message"])
    assert oss.render(message) == case["tokens"]
    if case["name"] != "analysis keeps the 0.0.8 order":
        assert enc.render(message) != case["tokens"]  # each case is a difference from 0.0.8


def _parse(encoding: HarmonyEncoding, case: dict[str, Any]) -> Any:
    role = None if case["role"] is None else Role(case["role"])
    try:
        messages = encoding.parse_messages_from_completion_tokens(case["tokens"], role, strict=case["strict"])
    except HarmonyError as exc:
        return {"error": {"type": "HarmonyError", "message": str(exc)}}
    return {"messages": [m.to_dict() for m in messages]}


@pytest.mark.parametrize("case", DATA["parse"], ids=[c["name"] for c in DATA["parse"]])
def test_parse_goldens(oss: HarmonyEncoding, case: dict[str, Any]) -> None:
    expected = {key: case[key] for key in ("messages", "error") if key in case}
    assert _parse(oss, case) == expected


@pytest.mark.parametrize("case", DATA["parse"], ids=[c["name"] for c in DATA["parse"]])
def test_stream_equals_batch(oss: HarmonyEncoding, case: dict[str, Any]) -> None:
    role = None if case["role"] is None else Role(case["role"])
    parser = StreamableParser(oss, role, strict=case["strict"])
    try:
        for token in case["tokens"]:
            parser.process(token)
        parser.process_eos()
    except HarmonyError as exc:
        assert case["error"]["message"] == str(exc)
    else:
        assert [m.to_dict() for m in parser.messages] == case["messages"]


def test_extra_channels_stay_in_the_header_in_0_0_8(enc: HarmonyEncoding) -> None:
    case = DATA["parse"][0]
    (message,) = enc.parse_messages_from_completion_tokens(case["tokens"], Role(case["role"]))
    assert message.recipient == "functions.f<|channel|>commentary"
    assert case["messages"][0]["recipient"] == "functions.f"
