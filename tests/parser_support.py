"""Helpers shared by the parser tests (test_stream.py, test_parse_parity.py)."""

from __future__ import annotations

import json
from typing import Any, Final

from hypothesis import strategies as st

from harmony_typed import HarmonyEncoding

START, END, MESSAGE, CHANNEL, CONSTRAIN, RETURN, CALL = 200006, 200007, 200008, 200005, 200003, 200002, 200012
ENDOFTEXT: Final = 199999


def snapshot(parser: Any) -> dict[str, Any]:
    """Every observable property of a parser (ours or openai_harmony's), in stream.json's SNAP shape."""
    role = parser.current_role
    snap: dict[str, Any] = json.loads(
        json.dumps(
            {
                "state": parser.state.value,
                "current_role": None if role is None else role.value,
                "current_channel": parser.current_channel,
                "current_recipient": parser.current_recipient,
                "current_content_type": parser.current_content_type,
                "current_content": parser.current_content,
                "last_content_delta": parser.last_content_delta,
                "message_count": len(parser.messages),
                "tokens_len": len(parser.tokens),
                "state_data": parser.state_data,
            }
        )
    )
    return snap


# Token soups: structure tokens, header words, whitespace, text, broken UTF-8, unknown ids.
_HEADER_WORDS: Final = (
    "user", "assistant", "system", "developer", "tool", " to=x", "to=functions.f", " json", "json", " code",
    "commentary", "final", " ", "\t", "\n", "\r", "\x0b", "\x0c", "\xa0", "\u3000", "\x1c", "<", "x:y", "a b c",
)  # fmt: skip
_SPECIALS: Final = (START, END, MESSAGE, CHANNEL, CONSTRAIN, RETURN, CALL, ENDOFTEXT, 199998, 200013, 200500, 201088)
_BROKEN_UTF8: Final = (9552, 31446, 244, 28823, 101, 102, 2524)
_UNKNOWN: Final = (201089, 300000, 4294967295)


@st.composite
def token_soups(draw: st.DrawFn, enc: HarmonyEncoding) -> list[int]:
    tokens: list[int] = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 11))
        if kind <= 3:
            tokens.append(draw(st.sampled_from(_SPECIALS)))
        elif kind <= 6:
            tokens.extend(enc.encode_ordinary(draw(st.sampled_from(_HEADER_WORDS))))
        elif kind == 7:
            tokens.extend([CONSTRAIN, 4108])  # <|constrain|>json
        elif kind == 8:
            tokens.append(draw(st.sampled_from(_BROKEN_UTF8)))
        elif kind == 9:
            tokens.append(draw(st.sampled_from(_UNKNOWN)))
        elif kind == 10:
            tokens.append(draw(st.integers(0, 199_997)))
        else:
            tokens.extend(enc.encode_ordinary(draw(st.text(st.characters(codec="utf-8"), max_size=8))))
    return tokens
