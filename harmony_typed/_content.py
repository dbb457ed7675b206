"""Streaming UTF-8 decoding of a message's content (SPEC §6.4): the base of :class:`StreamableParser`.

The parser's per-token hot path appends to ``_pieces`` directly (inline in
``StreamableParser._step``); everything else a content token can need is
here: tokens that are not valid UTF-8 on their own, pending bytes, unknown ids,
the joined text and openai_harmony's re-encoded ``content_tokens``.  A base
class rather than a member object, so that the hot path reads the fields
without an extra indirection (mypyc compiles both into one native struct).
"""

from __future__ import annotations

from harmony_typed._specials import N_VOCAB
from harmony_typed._tokenizer import Tokenizer

__all__ = ["ContentDecoder"]


class ContentDecoder:
    """The text of the message being decoded, fed one content token at a time."""

    _tokenizer: Tokenizer
    _token_bytes: list[bytes]
    _texts: list[str | None]
    _pieces: list[str]
    _content: str
    _joined: int
    _pending: bytes
    _frozen: bool
    _slow: bool
    _last_delta: str | None
    _encoded: list[int]
    _encoded_pieces: int

    def __init__(self, tokenizer: Tokenizer) -> None:
        # The message fields are set by _clear_content (the parser calls it when it begins).
        self._tokenizer = tokenizer
        self._token_bytes = tokenizer.token_bytes
        self._texts = tokenizer.texts

    def _clear_content(self) -> None:
        self._pieces = []
        self._content = ""
        self._joined = 0
        self._pending = b""
        self._frozen = False
        self._slow = False
        self._last_delta = None
        self._encoded = []
        self._encoded_pieces = 0

    def _text_of(self, token: int) -> str:
        # A known id's text ("" = not valid UTF-8 alone); the tokenizer decodes it the first time.
        text = self._texts[token]
        if text is None:
            text = self._tokenizer.text_of(token)
        return text

    def _content_token(self, token: int) -> None:
        # Any content token (the parser inlines the first branch for text ids).
        if not self._slow and token < N_VOCAB:
            text = self._texts[token]
            if text:  # nothing pending, and valid UTF-8 by itself: one piece
                self._pieces.append(text)
                self._last_delta = text
                return
        self._content_slow(token)

    def _content_slow(self, token: int) -> None:
        # Bytes are pending, the message is frozen, the id is unknown, or the
        # token is not valid UTF-8 by itself (or not decoded yet).
        if self._frozen or token >= N_VOCAB:
            # An unknown id never leaves openai_harmony's undecoded tokens: nothing
            # more is emitted for this message, which ends in one U+FFFD.
            self._frozen = True
            self._slow = True
            self._last_delta = None
            return
        if not self._pending:
            text = self._text_of(token)
            if text:
                self._pieces.append(text)
                self._last_delta = text
                return
        self._pending = self._pending + self._token_bytes[token]
        self._decode_pending()
        self._slow = len(self._pending) > 0

    def _decode_pending(self) -> None:
        # SPEC §6.4 steps 4-5 on the pending bytes.
        buf = self._pending
        try:
            text = buf.decode()
        except UnicodeDecodeError as exc:
            valid = exc.start
            delta = ""
            if valid > 0:
                delta = buf[:valid].decode()
                self._pieces.append(delta)
            if exc.reason == "unexpected end of data" and exc.end == len(buf):
                # Truncated at the end: wait for more bytes.
                self._pending = buf[valid:]
                self._last_delta = delta if delta else None
            else:
                # One U+FFFD for the maximal invalid subpart; what follows it is
                # only decoded with the next token (openai_harmony stops here).
                self._pieces.append("\ufffd")
                self._pending = buf[exc.end :]
                self._last_delta = delta + "\ufffd"
            return
        self._pieces.append(text)
        self._pending = b""
        self._last_delta = text

    def _content_text(self) -> str:
        # The joined pieces; the joined prefix is cached.
        pieces = self._pieces
        count = len(pieces)
        joined = self._joined
        if joined < count:
            if count - joined == 1:
                self._content = self._content + pieces[joined]
            else:
                self._content = self._content + "".join(pieces[joined:])
            self._joined = count
        return self._content

    def _replace_unknown(self) -> None:
        # A recovering parser's unknown id: the pending bytes are flushed, then one U+FFFD.
        pending = self._pending.decode("utf-8", "replace")
        self._pending = b""
        self._slow = self._frozen
        self._pieces.append(pending + "\ufffd")
        self._last_delta = pending + "\ufffd"

    def _finished_text(self) -> str:
        # The whole text once the message ends: a frozen message ends in one
        # U+FFFD, pending bytes are decoded with replacement.
        text = self._content_text()
        if self._frozen:
            text += "\ufffd"
        if self._pending:
            text += self._pending.decode("utf-8", "replace")
        return text

    @property
    def current_content(self) -> str:
        """Text decoded so far for the current message (``""`` outside ``Content``).

        Bytes of an incomplete UTF-8 sequence are not included yet; the
        finished message may therefore be a little longer (SPEC §6.4).
        """
        return self._content_text()

    @property
    def last_content_delta(self) -> str | None:
        """Text the last token added to ``current_content`` (``None`` if it added none)."""
        return self._last_delta

    def _content_tokens(self) -> list[int]:
        pieces = self._pieces
        encoded = self._encoded
        encode = self._tokenizer.encode_ordinary
        done = self._encoded_pieces
        while done < len(pieces):
            encoded.extend(encode(pieces[done]))
            done += 1
        self._encoded_pieces = done
        return list(encoded)
