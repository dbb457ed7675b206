"""harmony_typed.compat on its own: mutability, caching, install() and pydantic fields."""

from __future__ import annotations

import subprocess
import sys

import pydantic
import pytest

import harmony_typed
import harmony_typed.compat as h


def test_string_roles_and_mutating_builders() -> None:
    msg = h.Message.from_role_and_content("user", "hi")
    assert msg.author.role is h.Role.USER
    assert msg.with_channel("final") is msg and msg.channel == "final"
    assert h.Message(author=h.Author(role="assistant"), recipient=h.Role.ASSISTANT).recipient.__class__ is str
    assert str(h.Role.USER) == "Role.USER"
    with pytest.raises(ValueError, match="Unknown role"):
        h.Author(role="nobody")


def test_mutation_after_render_re_renders() -> None:
    enc = h.load_harmony_encoding("HarmonyGptOss")
    msg = h.Message.from_role_and_content("user", "hi")
    first = enc.render(msg)
    assert enc.render(msg) == first
    text = msg.content[0]
    assert isinstance(text, h.TextContent)
    text.text = "bye"
    msg.author.name = "bob"
    changed = enc.render(msg)
    strict = harmony_typed.Message.from_dict(msg.to_dict())
    assert changed == harmony_typed.load_harmony_encoding("HarmonyGptOss").render(strict) != first


def test_parser_messages_are_new_each_access() -> None:
    enc = h.load_harmony_encoding("HarmonyGptOss")
    parser = h.StreamableParser(enc, h.Role.ASSISTANT)
    for token in enc.encode("<|channel|>final<|message|>Hi<|end|>", allowed_special="all"):
        parser.process(token)
    first = parser.messages
    first[0].recipient = "x"
    first.append(first[0])
    again = parser.messages
    assert len(again) == 1 and again[0].recipient is None and again[0] is not first[0]
    assert parser.state is h.StreamState.EXPECT_START


def test_harmony_error_catches_parse_errors() -> None:
    parser = h.StreamableParser(h.load_harmony_encoding("HarmonyGptOss"), None)
    with pytest.raises(h.HarmonyError):
        parser.process(12194)
    assert issubclass(h.HarmonyError, RuntimeError)


class Request(pydantic.BaseModel):
    messages: list[h.Message | dict[str, object]]
    one: h.Message | str | None = None


def test_pydantic_field_validates_and_dumps() -> None:
    req = Request.model_validate(
        dict(
            messages=[{"role": "user", "content": "hi"}, h.Message.from_role_and_content("user", "x")],
            one={"role": "assistant", "content": [{"type": "text", "text": "ok"}], "channel": "final"},
        )
    )
    assert isinstance(req.messages[0], dict) and isinstance(req.messages[1], h.Message)  # smart union as upstream
    assert isinstance(req.one, h.Message) and req.one.channel == "final"
    dumped = req.model_dump(mode="json")
    assert dumped["one"] == {
        "role": "assistant",
        "name": None,
        "content": [{"type": "text", "text": "ok"}],
        "channel": "final",
    }
    assert Request.model_validate_json(req.model_dump_json()).one == req.one
    with pytest.raises(pydantic.ValidationError):
        Request.model_validate({"messages": [], "one": 5})


def test_install_aliases_openai_harmony_in_a_fresh_process() -> None:
    code = (
        "import harmony_typed.compat as c; c.install(); c.install();"
        "import openai_harmony; from openai_harmony import Message;"
        "assert openai_harmony is c and Message is c.Message; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"
    # A module already imported as openai_harmony (the real one, where installed) must not be replaced.
    late = (
        "import sys, types; sys.modules['openai_harmony'] = types.ModuleType('openai_harmony')\n"
        "import harmony_typed.compat as c\ntry:\n c.install()\nexcept RuntimeError: print('refused')"
    )
    out = subprocess.run([sys.executable, "-c", late], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "refused"


def test_load_harmony_encoding_selects_a_dialect() -> None:
    # oss-harmony 0.0.11 renders a commentary message's recipient after its channel.
    msg = h.Message.from_role_and_content("assistant", '{"a": 1}').with_channel("commentary")
    msg = msg.with_recipient("functions.f").with_content_type("json")
    default = h.load_harmony_encoding("HarmonyGptOss")
    oss = h.load_harmony_encoding(h.HarmonyEncodingName.HARMONY_GPT_OSS, dialect="oss-harmony-0.0.11")
    by_member = h.load_harmony_encoding("HarmonyGptOss", dialect=harmony_typed.Dialect.OSS_HARMONY_0_0_11)
    assert default.decode_utf8(default.render(msg)).startswith("<|start|>assistant to=functions.f<|channel|>")
    assert oss.decode_utf8(oss.render(msg)) == (
        '<|start|>assistant<|channel|>commentary to=functions.f <|constrain|>json<|message|>{"a": 1}<|call|>'
    )
    assert by_member.render(msg) == oss.render(msg)
    parser = h.StreamableParser(oss, "assistant")
    for token in oss.render(msg)[2:]:
        parser.process(token)
    assert parser.messages[0].recipient == "functions.f" and parser.messages[0].channel == "commentary"
    with pytest.raises(ValueError, match="Invalid dialect"):
        h.load_harmony_encoding("HarmonyGptOss", dialect="nope")
