"""The parser's transition table: ``(mode, state, input) -> (action, next state)``, as the code runs it.

Everything :class:`~harmony_typed.StreamableParser` does at a structural token
(``<|start|>``, ``<|message|>``, a stop token, end of stream, or an id it does
not expect) is looked up here; the parser only carries out the action
(h2's ``_transitions[(state, input)]``).  The docs table in docs/parsing.md is
generated from :data:`TRANSITIONS` by :func:`transition_table_markdown` (a
test fails when it is stale).

Modes: ``STRICT`` (the default), ``LENIENT`` (openai_harmony's
``strict=False``) and ``RECOVER`` (``recover=True``: never a parse error; each
repair is recorded as a :class:`Recovery`).  The modes differ only in their
rows; the machine is one.
"""

from __future__ import annotations

import enum
from typing import Final, NamedTuple

from harmony_typed._enums import StreamState
from harmony_typed._specials import CALL, END, MESSAGE, N_VOCAB, RETURN, START

__all__ = [
    "TRANSITIONS",
    "Action",
    "ParserInput",
    "ParserMode",
    "Recovery",
    "RecoveryKind",
    "Transition",
    "input_of",
    "transition_table_markdown",
]


class ParserMode(enum.Enum):
    """Which rows of the table a parser follows."""

    STRICT = "strict"
    """openai_harmony's default (``strict=True``)."""
    LENIENT = "lenient"
    """openai_harmony's ``strict=False``: a stop token inside the first hinted header ends it."""
    RECOVER = "recover"
    """``recover=True``: malformed output is repaired (each repair recorded), never an error."""


class ParserInput(enum.Enum):
    """What a token (or the end of the stream) is to the machine."""

    START = "<|start|>"
    MESSAGE = "<|message|>"
    STOP = "stop"
    """``<|end|>``, ``<|return|>`` or ``<|call|>``."""
    OTHER = "other"
    """Any other id in the vocabulary: text and the other special tokens."""
    UNKNOWN = "id outside the vocabulary"
    """An id at or above ``N_VOCAB`` (201,089), up to ``2**32 - 1``."""
    EOS = "end of stream"
    """``process_eos()``."""


class Action(enum.Enum):
    """What the parser does on a transition (the value is the docs' description)."""

    BEGIN_HEADER = "begin an empty header"
    UNEXPECTED_TOKEN = "error `Unexpected token {id} while expecting start token 200006`"
    NOTHING = "nothing"
    PARSE_HEADER = (
        "decode and parse the header; on error (`could not decode header` or a header error) the state is ExpectStart"
    )
    APPEND_HEADER = "append to the header"
    END_HEADER_EARLY = (
        "the first hinted message: its header text becomes the message (see *Non-strict mode*); "
        "otherwise drop the header; on error nothing changes"
    )
    UNEXPECTED_EOS = "error `Unexpected EOS while waiting for message header to complete`"
    FINISH_MESSAGE = "finish the message (which stop is not recorded)"
    DECODE_CONTENT = "decode as content (see *Streaming UTF-8*)"
    # recover mode only
    RECOVER_HEADER = "parse the header, repairing what does not parse (see *Recovery*)"
    IMPLICIT_HEADER = "begin a header of the previous message's role (the hint for the first) with this token"
    IMPLICIT_MESSAGE = "a message of the previous message's role (the hint for the first) with no header fields"
    HEADER_AS_CONTENT = "the header text becomes a message of the hinted (or header) role"
    HEADER_AS_CONTENT_THEN_START = "the header text so far becomes a message; begin an empty header"
    FINISH_THEN_START = "finish the message; begin an empty header"
    DROP_STOP = "drop the stop token"
    REPLACE_UNKNOWN = "decode as U+FFFD and go on decoding (strict modes freeze the message instead)"


class Transition(NamedTuple):
    """One row of the table."""

    action: Action
    next_state: StreamState


class RecoveryKind(enum.Enum):
    """What a recovering parser repaired (:attr:`Recovery.kind`)."""

    MISSING_START = "missing <|start|>"
    """A message began without ``<|start|>``: it takes the previous message's role."""
    STRAY_STOP = "stray stop token"
    """A stop token between messages was dropped."""
    HEADER_AS_CONTENT = "header without <|message|>"
    """A stop token, ``<|start|>`` or the end of the stream inside a header: its text became a message."""
    MISSING_STOP = "missing stop token"
    """``<|start|>`` inside content finished the message."""
    CONSTRAIN_AS_CONTENT_TYPE = "<|constrain|> as recipient"
    """``<|channel|>X <|constrain|>T``: ``<|constrain|>T`` is the content type, there is no recipient."""
    DUPLICATE_RECIPIENT = "duplicate recipient"
    """The same ``to=X`` twice in one header: once is kept."""
    EXTRA_CHANNEL = "extra channel marker"
    """A second ``<|channel|>X`` in one header was dropped."""
    EMPTY_CHANNEL = "empty channel"
    """``<|channel|>`` with no value: no channel."""
    MISSING_ROLE = "missing role"
    """An empty header: the previous message's role (assistant for the first)."""
    UNKNOWN_ROLE = "unknown role"
    """A header of one unknown word: a tool message of that name."""
    EXTRA_HEADER_WORDS = "extra header words"
    """Words before the recipient and content type were dropped (the detail keeps them)."""
    UNKNOWN_TOKEN = "id outside the vocabulary"
    """An id outside the vocabulary in content became U+FFFD (strict parsing drops the rest of the message)."""
    UNDECODABLE_HEADER = "undecodable header"
    """A header with invalid UTF-8 or unknown ids was decoded with U+FFFD replacements."""


class Recovery(NamedTuple):
    """One repair made by a recovering parser."""

    token_index: int
    """Index (in the tokens fed) of the token at which the repair was made; ``len(tokens)`` for end of stream."""
    kind: RecoveryKind
    detail: str
    """What was done, with the text involved."""


_S = StreamState
_I = ParserInput
_A = Action


def _strict_rows() -> dict[tuple[StreamState, ParserInput], Transition]:
    rows = {
        (_S.EXPECT_START, _I.START): Transition(_A.BEGIN_HEADER, _S.HEADER),
        (_S.EXPECT_START, _I.MESSAGE): Transition(_A.UNEXPECTED_TOKEN, _S.EXPECT_START),
        (_S.EXPECT_START, _I.STOP): Transition(_A.UNEXPECTED_TOKEN, _S.EXPECT_START),
        (_S.EXPECT_START, _I.OTHER): Transition(_A.UNEXPECTED_TOKEN, _S.EXPECT_START),
        (_S.EXPECT_START, _I.EOS): Transition(_A.NOTHING, _S.EXPECT_START),
        (_S.HEADER, _I.START): Transition(_A.APPEND_HEADER, _S.HEADER),
        (_S.HEADER, _I.MESSAGE): Transition(_A.PARSE_HEADER, _S.CONTENT),
        (_S.HEADER, _I.STOP): Transition(_A.APPEND_HEADER, _S.HEADER),
        (_S.HEADER, _I.OTHER): Transition(_A.APPEND_HEADER, _S.HEADER),
        (_S.HEADER, _I.EOS): Transition(_A.UNEXPECTED_EOS, _S.HEADER),
        (_S.CONTENT, _I.START): Transition(_A.DECODE_CONTENT, _S.CONTENT),
        (_S.CONTENT, _I.MESSAGE): Transition(_A.DECODE_CONTENT, _S.CONTENT),
        (_S.CONTENT, _I.STOP): Transition(_A.FINISH_MESSAGE, _S.EXPECT_START),
        (_S.CONTENT, _I.OTHER): Transition(_A.DECODE_CONTENT, _S.CONTENT),
        (_S.CONTENT, _I.EOS): Transition(_A.FINISH_MESSAGE, _S.EXPECT_START),
    }
    for state in StreamState:  # an unknown id is an "other" id, except when recovering
        rows[(state, _I.UNKNOWN)] = rows[(state, _I.OTHER)]
    return rows


def _build() -> dict[tuple[ParserMode, StreamState, ParserInput], Transition]:
    strict = _strict_rows()
    lenient = dict(strict)
    lenient[(_S.HEADER, _I.STOP)] = Transition(_A.END_HEADER_EARLY, _S.EXPECT_START)
    recover = dict(strict)
    recover.update(
        {
            (_S.EXPECT_START, _I.MESSAGE): Transition(_A.IMPLICIT_MESSAGE, _S.CONTENT),
            (_S.EXPECT_START, _I.STOP): Transition(_A.DROP_STOP, _S.EXPECT_START),
            (_S.EXPECT_START, _I.OTHER): Transition(_A.IMPLICIT_HEADER, _S.HEADER),
            (_S.EXPECT_START, _I.UNKNOWN): Transition(_A.IMPLICIT_HEADER, _S.HEADER),
            (_S.CONTENT, _I.UNKNOWN): Transition(_A.REPLACE_UNKNOWN, _S.CONTENT),
            (_S.HEADER, _I.START): Transition(_A.HEADER_AS_CONTENT_THEN_START, _S.HEADER),
            (_S.HEADER, _I.MESSAGE): Transition(_A.RECOVER_HEADER, _S.CONTENT),
            (_S.HEADER, _I.STOP): Transition(_A.HEADER_AS_CONTENT, _S.EXPECT_START),
            (_S.HEADER, _I.EOS): Transition(_A.HEADER_AS_CONTENT, _S.EXPECT_START),
            (_S.CONTENT, _I.START): Transition(_A.FINISH_THEN_START, _S.HEADER),
        }
    )
    table: dict[tuple[ParserMode, StreamState, ParserInput], Transition] = {}
    for mode, rows in ((ParserMode.STRICT, strict), (ParserMode.LENIENT, lenient), (ParserMode.RECOVER, recover)):
        for (state, kind), transition in rows.items():
            table[(mode, state, kind)] = transition
    return table


TRANSITIONS: Final[dict[tuple[ParserMode, StreamState, ParserInput], Transition]] = _build()
"""Every ``(mode, state, input)`` triple and its :class:`Transition`; there are no other inputs."""


# -- the table as the compiled parser reads it ----------------------------------------------
# Enum members are Python objects (attribute lookups through descriptors); the
# parser indexes this flat tuple of ints with Final int codes instead.  Built
# from TRANSITIONS, so the table above stays the one source.

# Codes of the members, in definition order; the parser compares against these Final ints.
EXPECT_START: Final = 0
HEADER: Final = 1
CONTENT: Final = 2
I_START: Final = 0
I_MESSAGE: Final = 1
I_STOP: Final = 2
I_OTHER: Final = 3
I_UNKNOWN: Final = 4
I_EOS: Final = 5
A_BEGIN_HEADER: Final = 0
A_UNEXPECTED_TOKEN: Final = 1
A_NOTHING: Final = 2
A_PARSE_HEADER: Final = 3
A_APPEND_HEADER: Final = 4
A_END_HEADER_EARLY: Final = 5
A_UNEXPECTED_EOS: Final = 6
A_FINISH_MESSAGE: Final = 7
A_DECODE_CONTENT: Final = 8
A_RECOVER_HEADER: Final = 9
A_IMPLICIT_HEADER: Final = 10
A_IMPLICIT_MESSAGE: Final = 11
A_HEADER_AS_CONTENT: Final = 12
A_HEADER_AS_CONTENT_THEN_START: Final = 13
A_FINISH_THEN_START: Final = 14
A_DROP_STOP: Final = 15
A_REPLACE_UNKNOWN: Final = 16
MODE_CODES: Final = {mode: i for i, mode in enumerate(ParserMode)}
STATE_CODES: Final = {state: i for i, state in enumerate(StreamState)}
INPUT_CODES: Final = {kind: i for i, kind in enumerate(ParserInput)}
ACTION_CODES: Final = {action: i for i, action in enumerate(Action)}
N_STATES: Final = 3
N_INPUTS: Final = 6
STATE_BITS: Final = 2
"""An entry is ``action << STATE_BITS | next state``."""


def _codes() -> tuple[int, ...]:
    codes = [-1] * (len(ParserMode) * N_STATES * N_INPUTS)
    for (mode, state, kind), (action, target) in TRANSITIONS.items():
        slot = (MODE_CODES[mode] * N_STATES + STATE_CODES[state]) * N_INPUTS + INPUT_CODES[kind]
        codes[slot] = ACTION_CODES[action] << STATE_BITS | STATE_CODES[target]
    if -1 in codes:  # pragma: no cover - a row missing from _build()
        raise AssertionError("transition table is incomplete")
    return tuple(codes)


CODES: Final[tuple[int, ...]] = _codes()
"""``CODES[(mode * N_STATES + state) * N_INPUTS + input]``: the table for the parser's hot code."""


def transition_table_markdown(mode: ParserMode, base: ParserMode | None = None) -> str:
    """The rows of ``mode`` (only those that differ from ``base``'s, if given) as a Markdown table.

    docs/parsing.md's tables are these (a test keeps the page in sync).
    """
    lines = ["| state | input | action | next state |", "|---|---|---|---|"]
    for (row_mode, state, kind), (action, target) in TRANSITIONS.items():
        if row_mode is mode and (base is None or TRANSITIONS[(base, state, kind)] != (action, target)):
            shown = kind.value.replace("|", "\\|")
            if kind is ParserInput.START or kind is ParserInput.MESSAGE:
                shown = f"`{shown}`"
            lines.append(f"| {state.value} | {shown} | {action.value} | {target.value} |")
    return "\n".join(lines) + "\n"


def input_code(token: int) -> int:
    """The code (``I_*``) of a token's :class:`ParserInput`; the parser's classifier of structural ids."""
    if token == START:
        return I_START
    if token == MESSAGE:
        return I_MESSAGE
    if token in (END, RETURN, CALL):
        return I_STOP
    if token >= N_VOCAB:
        return I_UNKNOWN
    return I_OTHER


_INPUTS: Final = tuple(ParserInput)


def input_of(token: int) -> ParserInput:
    """The :class:`ParserInput` of a token id (``EOS`` is ``process_eos()``, never an id)."""
    return _INPUTS[input_code(token)]
