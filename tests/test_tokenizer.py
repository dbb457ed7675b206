"""The tokenizer's own ASCII encoder (used before tiktoken's BPE is built) equals tiktoken's output.

A process that renders a few prompts never builds tiktoken's CoreBPE
(``_tokenizer.ASCII_BUDGET``); these tests pin that the Python pre-tokenizer and
merge give exactly tiktoken's ids, on the edge cases of the o200k pattern and on
random ASCII text, and that the switch-over keeps results equal.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harmony_typed import _tokenizer, load_harmony_encoding
from harmony_typed._tokenizer import Tokenizer, encode_ascii
from harmony_typed._vocab import load_token_bytes

_ENC = load_harmony_encoding("HarmonyGptOss")
_TOKENIZER = _ENC.tokenizer
_RANKS = _TOKENIZER._ranks_dict()

EDGE_CASES = [
    "",
    "Hello, world!",
    "don't DON'T we'll WE'LL you're YOU'RE I've I'M it'd 'S 's",
    "CamelCaseHTTPServer mixedUP lowerUPPERlower",
    "1 12 123 1234 12345678901",
    "  leading and trailing  ",
    "line\nline\r\nline\rline\n\n\n",
    "tabs\tand\x0bvertical\x0cfeeds",
    "\x1c\x1d\x1e\x1f separators are not white space",
    "\x00\x01\x7f control",
    "path/to/file //comment\n/",
    '{"location": "San Francisco", "days": 3}',
    "<|start|>assistant<|channel|>final<|message|>",
    "   \n  \n\t x",
    "a" * 300,
    "?!?!" * 50 + "\n\n/",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_ascii_encoder_equals_tiktoken_on_edge_cases(text: str) -> None:
    assert encode_ascii(text, _RANKS) == _TOKENIZER.bpe.encode_ordinary(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_encoder_equals_tiktoken_on_any_ascii(text: str) -> None:
    assert encode_ascii(text, _RANKS) == _TOKENIZER.bpe.encode_ordinary(text)


_PIECES = st.sampled_from(
    ["'s", "'LL", "'re", "word", "Word", "WORD", " ", "  ", "\n", "\r\n", "\t", "123", "4567", "/", "!?", "_"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES | st.text(alphabet=string.printable, max_size=3), max_size=20).map("".join))
def test_ascii_encoder_equals_tiktoken_on_pattern_pieces(text: str) -> None:
    assert encode_ascii(text, _RANKS) == _TOKENIZER.bpe.encode_ordinary(text)


def _state(tokenizer: Tokenizer) -> tuple[bool, bool]:
    """(tiktoken's BPE built, Python ranks held)."""
    return tokenizer._bpe is not None, tokenizer._ranks is not None


def test_fresh_tokenizer_encodes_before_and_after_building_the_bpe() -> None:
    tokenizer = Tokenizer(load_token_bytes())
    texts = ["Hello there, how are you?", "caf\u00e9 \u2603 na\u00efve", "x" * 100]
    assert _state(tokenizer) == (False, False)
    first = tokenizer.encode_ordinary(texts[0])
    assert _state(tokenizer) == (False, True)  # encoded in Python
    assert first == _TOKENIZER.bpe.encode_ordinary(texts[0])
    assert tokenizer.encode_ordinary(texts[1]) == _TOKENIZER.bpe.encode_ordinary(texts[1])  # not ASCII: tiktoken
    assert _state(tokenizer) == (True, False)  # built; the Python ranks are dropped
    assert tokenizer.encode_ordinary(texts[2]) == _TOKENIZER.bpe.encode_ordinary(texts[2])


def test_the_budget_switches_to_tiktoken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_tokenizer, "ASCII_BUDGET", 10)
    tokenizer = Tokenizer(load_token_bytes())
    assert tokenizer.encode_ordinary("short") == _TOKENIZER.bpe.encode_ordinary("short")
    assert _state(tokenizer) == (False, True)
    assert tokenizer.encode_ordinary("longer than the rest of it") == _TOKENIZER.bpe.encode_ordinary(
        "longer than the rest of it"
    )
    assert _state(tokenizer) == (True, False)


class _NoCore:
    """A tiktoken Encoding stand-in without the private ``_core_bpe`` (a future tiktoken)."""

    def __init__(self, bpe: object) -> None:
        self._bpe = bpe

    def encode_ordinary(self, text: str) -> list[int]:
        return _TOKENIZER.bpe.encode_ordinary(text)


def test_strict_encode_without_tiktokens_private_core() -> None:
    tokenizer = Tokenizer(load_token_bytes())
    tokenizer._bpe = _NoCore(_TOKENIZER.bpe)  # type: ignore[assignment]
    assert tokenizer.encode_ordinary_strict("caf\u00e9 \u2603") == _TOKENIZER.bpe.encode_ordinary("caf\u00e9 \u2603")
    with pytest.raises(UnicodeEncodeError):
        tokenizer.encode_ordinary_strict("lone \ud800 surrogate")
