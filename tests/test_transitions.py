"""The transition table (harmony_typed._transitions): it is what the parser runs, and the docs show it.

h2-style: every ``(mode, state, input)`` triple of ``TRANSITIONS`` is driven
through a real parser with every example id of that input, and the parser
must do what the row's action says and end in the row's next state.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import pytest

import harmony_typed._transitions as transitions
from harmony_typed import (
    TRANSITIONS,
    Action,
    HarmonyEncoding,
    ParseError,
    ParserInput,
    ParserMode,
    StreamableParser,
    StreamState,
)
from harmony_typed._transitions import input_of, transition_table_markdown

START, END, MESSAGE, CHANNEL, RETURN, CALL, CONSTRAIN = 200006, 200007, 200008, 200005, 200002, 200012, 200003
ASSISTANT: Final = 173781  # "assistant"
HELLO: Final = 12194
FINAL: Final = 17196  # "final"

PREFIXES: Final = {
    StreamState.EXPECT_START: [],
    StreamState.HEADER: [START, ASSISTANT, CHANNEL, FINAL],
    StreamState.CONTENT: [START, ASSISTANT, MESSAGE, HELLO],
}
EXAMPLES: Final = {
    ParserInput.START: [START],
    ParserInput.MESSAGE: [MESSAGE],
    ParserInput.STOP: [END, RETURN, CALL],
    ParserInput.OTHER: [HELLO, CHANNEL, CONSTRAIN, 199999, 201088],
    ParserInput.UNKNOWN: [201089, 2**32 - 1],
    ParserInput.EOS: [-1],  # process_eos()
}
ERRORS: Final = {Action.UNEXPECTED_TOKEN, Action.UNEXPECTED_EOS}
EMITS: Final = {
    Action.FINISH_MESSAGE,
    Action.FINISH_THEN_START,
    Action.HEADER_AS_CONTENT,
    Action.HEADER_AS_CONTENT_THEN_START,
}
RECORDS: Final = {
    Action.IMPLICIT_HEADER,
    Action.IMPLICIT_MESSAGE,
    Action.HEADER_AS_CONTENT,
    Action.HEADER_AS_CONTENT_THEN_START,
    Action.FINISH_THEN_START,
    Action.DROP_STOP,
    Action.REPLACE_UNKNOWN,
}


def _parser(enc: HarmonyEncoding, mode: ParserMode) -> StreamableParser:
    return StreamableParser(enc, None, strict=mode is not ParserMode.LENIENT, recover=mode is ParserMode.RECOVER)


def test_table_is_complete() -> None:
    assert len(TRANSITIONS) == len(ParserMode) * len(StreamState) * len(ParserInput)
    for mode in ParserMode:
        for state in StreamState:
            for kind in ParserInput:
                assert (mode, state, kind) in TRANSITIONS


def test_codes_match_the_enums() -> None:
    # The parser compares against the Final ints; they must be the members' positions.
    for action in Action:
        assert getattr(transitions, "A_" + action.name) == transitions.ACTION_CODES[action]
    for kind in ParserInput:
        assert getattr(transitions, "I_" + kind.name) == transitions.INPUT_CODES[kind]
    for state in StreamState:
        assert getattr(transitions, state.name) == transitions.STATE_CODES[state]
    for (mode, state, kind), (action, target) in TRANSITIONS.items():
        slot = (transitions.MODE_CODES[mode] * 3 + transitions.STATE_CODES[state]) * 6 + transitions.INPUT_CODES[kind]
        code = transitions.CODES[slot]
        assert (code >> transitions.STATE_BITS, code & 3) == (
            transitions.ACTION_CODES[action],
            transitions.STATE_CODES[target],
        )


@pytest.mark.parametrize("key", list(TRANSITIONS), ids=lambda key: "-".join(part.name for part in key))
def test_machine_follows_the_table(enc: HarmonyEncoding, key: tuple[ParserMode, StreamState, ParserInput]) -> None:
    mode, state, kind = key
    action, target = TRANSITIONS[key]
    for token in EXAMPLES[kind]:
        parser = _parser(enc, mode)
        for prefix_token in PREFIXES[state]:
            parser.process(prefix_token)
        assert parser.state is state
        assert input_of(token) is kind or kind is ParserInput.EOS
        before_messages, before_recoveries = len(parser.messages), len(parser.recoveries)
        before_content = parser.current_content
        raised = False
        try:
            parser.process_eos() if kind is ParserInput.EOS else parser.process(token)
        except ParseError:
            raised = True
        assert raised == (action in ERRORS), (key, token)
        assert parser.state is target, (key, token)
        emitted = len(parser.messages) - before_messages
        recorded = len(parser.recoveries) - before_recoveries
        assert (emitted == 1) == (action in EMITS), (key, token)
        assert (recorded > 0) == (action in RECORDS), (key, token)
        if mode is not ParserMode.RECOVER:
            assert not parser.recoveries
        data = parser.state_data
        if action is Action.APPEND_HEADER:
            assert data["header_tokens"] == [*PREFIXES[state][1:], token]
        elif action in (Action.BEGIN_HEADER, Action.HEADER_AS_CONTENT_THEN_START, Action.FINISH_THEN_START):
            assert data["header_tokens"] == []
        elif action is Action.IMPLICIT_HEADER:
            assert data["header_tokens"] == [token]
        elif action is Action.DECODE_CONTENT:
            text = enc.decode([token]) if token < 201089 else ""
            assert parser.current_content == before_content + text or parser.last_content_delta is None
        elif action is Action.PARSE_HEADER or action is Action.RECOVER_HEADER or action is Action.IMPLICIT_MESSAGE:
            assert data["state"] == "Content"


def test_input_of() -> None:
    for kind, tokens in EXAMPLES.items():
        if kind is not ParserInput.EOS:
            assert {input_of(token) for token in tokens} == {kind}


_DOCS: Final = Path(__file__).parent.parent / "docs" / "parsing.md"
_TABLE_BLOCK: Final = re.compile(r"<!-- transitions: (\w+)(?: vs (\w+))? -->\n(.*?)<!-- /transitions -->", re.S)


def docs_tables(text: str) -> str:
    """docs/parsing.md with every generated table block rewritten from TRANSITIONS."""

    def table(match: re.Match[str]) -> str:
        mode = ParserMode[match.group(1)]
        base = ParserMode[match.group(2)] if match.group(2) else None
        return f"{match.group(0).split(chr(10))[0]}\n{transition_table_markdown(mode, base)}<!-- /transitions -->"

    return _TABLE_BLOCK.sub(table, text)


def test_docs_tables_are_generated() -> None:
    """docs/parsing.md shows the table as it is; regenerate with `python tests/test_transitions.py`."""
    text = _DOCS.read_text()
    assert len(_TABLE_BLOCK.findall(text)) == 3
    assert docs_tables(text) == text, "stale table in docs/parsing.md: run `python tests/test_transitions.py`"


if __name__ == "__main__":
    _DOCS.write_text(docs_tables(_DOCS.read_text()))
