"""The text of a header's token ids, decoded once at ``<|message|>`` (or a stop token).

Strict decoding is openai_harmony's (``None`` where it reports "could not
decode header"); the lossy one is a recovering parser's (U+FFFD for what is
not UTF-8 and for ids outside the vocabulary).
"""

from __future__ import annotations

from harmony_typed._specials import N_VOCAB
from harmony_typed._tokenizer import Tokenizer

__all__ = ["header_bytes", "header_text", "lossy_header_text"]

_REPLACEMENT = "\ufffd".encode()


def header_text(tokens: list[int], tokenizer: Tokenizer) -> str | None:
    """Strict UTF-8 of ``tokens``; ``None`` for an id outside the vocabulary or invalid UTF-8."""
    texts = tokenizer.texts
    parts: list[str] = []
    for token in tokens:
        if token >= N_VOCAB:
            return None
        text = texts[token]
        if text is None:
            text = tokenizer.text_of(token)
        if not text:
            # Some token is not valid UTF-8 by itself: decode the joined bytes.
            try:
                return header_bytes(tokens, tokenizer.token_bytes).decode()
            except ValueError:  # UnicodeDecodeError included
                return None
        parts.append(text)
    return "".join(parts)


def header_bytes(tokens: list[int], table: list[bytes]) -> bytes:
    """The joined bytes of ``tokens``; ``ValueError(token)`` for an id outside the vocabulary."""
    chunks: list[bytes] = []
    for token in tokens:
        if token >= N_VOCAB:
            raise ValueError(token)
        chunks.append(table[token])
    return b"".join(chunks)


def lossy_header_text(tokens: list[int], table: list[bytes]) -> str:
    """``tokens`` decoded with U+FFFD replacements (an id outside the vocabulary is one U+FFFD)."""
    chunks = [table[token] if token < N_VOCAB else _REPLACEMENT for token in tokens]
    return b"".join(chunks).decode("utf-8", "replace")
