"""Special tokens of ``o200k_harmony`` (SPEC §1.2) as ``Final`` ints.

Our own table, not tiktoken's built-in ``o200k_harmony``: that one maps
200018 to ``<|endofprompt|>`` and stops its reserved range at 201087.
Renderer and parser compare token ids against these constants, which mypyc
inlines.
"""

from __future__ import annotations

from typing import Final

STARTOFTEXT: Final = 199998
ENDOFTEXT: Final = 199999
RETURN: Final = 200002
CONSTRAIN: Final = 200003
CHANNEL: Final = 200005
START: Final = 200006
END: Final = 200007
MESSAGE: Final = 200008
CALL: Final = 200012

STOP_TOKENS: Final = (RETURN, END, CALL)
"""The tokens that end a message (sorted): ``<|return|>``, ``<|end|>``, ``<|call|>``."""
ACTION_STOP_TOKENS: Final = (RETURN, CALL)
"""The stop tokens after which the assistant expects an action (sorted): ``<|return|>``, ``<|call|>``."""

CONSTRAIN_MARKER: Final = "<|constrain|>"
"""Text of ``<|constrain|>``: the prefix of a constrained content type (``<|constrain|>json``)."""
CHANNEL_MARKER: Final = "<|channel|>"
"""Text of ``<|channel|>``, as the header grammar finds it in the decoded header."""

FIRST_SPECIAL: Final = 199998
LAST_SPECIAL: Final = 201088
N_VOCAB: Final = 201089
MAX_TOKEN: Final = 2**32 - 1
"""Largest id openai_harmony accepts (a Rust ``u32``); beyond it is an ``OverflowError``."""

_NAMED: Final = {
    "<|startoftext|>": STARTOFTEXT,
    "<|endoftext|>": ENDOFTEXT,
    "<|return|>": RETURN,
    CONSTRAIN_MARKER: CONSTRAIN,
    CHANNEL_MARKER: CHANNEL,
    "<|start|>": START,
    "<|end|>": END,
    "<|message|>": MESSAGE,
    "<|call|>": CALL,
}


def special_tokens() -> dict[str, int]:
    """All 1,091 special tokens: the named ones plus ``<|reserved_N|>`` for the other ids."""
    table = dict(_NAMED)
    named_ids = set(_NAMED.values())
    for token_id in range(FIRST_SPECIAL, LAST_SPECIAL + 1):
        if token_id not in named_ids:
            table[f"<|reserved_{token_id}|>"] = token_id
    return table
