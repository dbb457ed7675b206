"""The Harmony parsing state machine (SPEC §6): :class:`StreamableParser` and ``parse_completion``.

Everything that decides what a token does lives in this module; the header
grammar (what the text between ``<|start|>`` and ``<|message|>`` means) is in
:mod:`harmony_typed._header`.  Batch parsing is the same machine fed token by
token, so the two cannot disagree.

The rules (openai_harmony 0.0.8 behaviour, kept exactly)
---------------------------------------------------------

Three states.  A parser built with a role hint starts in ``Header`` (the
completion is assumed to start right after ``<|start|>{role}``), otherwise in
``ExpectStart``.  "stop" means ``<|end|>``, ``<|return|>`` or ``<|call|>``.

=============  ==========================  ==========================================  ===========
state          input                       action                                      next state
=============  ==========================  ==========================================  ===========
ExpectStart    ``<|start|>``               begin an empty header                       Header
ExpectStart    any other id                error "Unexpected token ..."                ExpectStart
ExpectStart    EOS                         nothing                                     ExpectStart
Header         ``<|message|>``             decode + parse the header                   Content
                                           (error: "could not decode header" or a
                                           header error; the state is ExpectStart)
Header         stop, non-strict            first hinted message: recover its text      ExpectStart
                                           as a message; otherwise drop the header
                                           (error: state unchanged)
Header         any other id (incl. stop    append to the header                        Header
               when strict, unknown ids)
Header         EOS                         error "Unexpected EOS ..."                  Header
Content        stop or EOS                 finish the message                          ExpectStart
Content        any other id (incl.         decode as content (streaming UTF-8);        Content
               specials, unknown ids)      an unknown id freezes the message
=============  ==========================  ==========================================  ===========

``TRANSITIONS`` below is the same table as data (the docs and the state
machine tests are generated from it).  After any error the parser is usable:
serving loops catch :class:`~harmony_typed.ParseError` and keep feeding.
Every token passed to :meth:`StreamableParser.process` is recorded in
``tokens`` *before* it is processed (so failed ones are too), except ids that
are not ``u32`` (``OverflowError``) or not ints (``TypeError``).

Theory of operation
-------------------

The transition function is :meth:`StreamableParser._step`: one native method,
an ``if``/``elif`` chain over ``Final`` int token ids, no dispatch tables or
closures.  ``process`` range-checks and records the id, then calls it;
``parse_completion`` calls it directly (nobody can observe that parser's
``tokens``).

Content: each token's text is looked up in the tokenizer's ``texts`` table
(decoded once, lazily; ``""`` marks ids that are not valid UTF-8 on their
own).  With nothing pending, a valid token costs one list index
and one append: the decoded pieces are kept in a list and joined only when
somebody asks for ``current_content`` (the joined prefix is cached; a read
after every token copies the text once per read, never re-decodes anything).
Other tokens take the slow path, which implements openai_harmony's
byte-level algorithm (SPEC §6.4) on the pending bytes.  Nothing is
re-tokenised per token: ``state_data["content_tokens"]`` (openai_harmony
stores the pieces *re-encoded*) is computed lazily, piece by piece, and cached.

Headers: the ids are only collected; the header is decoded and parsed once,
at ``<|message|>`` (:mod:`harmony_typed._header`).

Messages are built with ``_models.trusted_text_message`` (the parser's fields
are ``str``/``None`` and a validated ``Author``, so nothing is re-validated)
and appended to a list that is never mutated otherwise:
:attr:`StreamableParser.messages` returns an O(1) read-only snapshot of it
(:class:`MessagesView`), cached until the next message completes.
"""

from __future__ import annotations

from typing import Final

from harmony_typed._dialect import Dialect, strip_extra_channels
from harmony_typed._errors import ParseError
from harmony_typed._header import ParsedHeader, parse_header
from harmony_typed._messages_view import MessagesView
from harmony_typed._models import Message, Role, StreamState, trusted_text_message
from harmony_typed._rust import rust_utf8_error
from harmony_typed._specials import CALL, END, MESSAGE, N_VOCAB, RETURN, START
from harmony_typed._tokenizer import HasTokenizer, Tokenizer

__all__ = ["TRANSITIONS", "StreamableParser", "token_kind"]

# -- states (the StreamState members, as ints for the hot path) ---------------------

EXPECT_START: Final = 0
HEADER: Final = 1
CONTENT: Final = 2

_STREAM_STATES: Final = (StreamState.EXPECT_START, StreamState.HEADER, StreamState.CONTENT)

# -- the transition table, as data (docs + tests; the code is StreamableParser._step) --

TRANSITIONS: Final[dict[tuple[str, str], tuple[str, str]]] = {
    ("ExpectStart", "start"): ("begin an empty header", "Header"),
    ("ExpectStart", "other"): ("error: Unexpected token {token} while expecting start token 200006", "ExpectStart"),
    ("ExpectStart", "EOS"): ("nothing", "ExpectStart"),
    ("Header", "message"): ("parse the header (on error: ExpectStart)", "Content"),
    ("Header", "stop (non-strict)"): ("recover the first hinted message, else drop the header", "ExpectStart"),
    ("Header", "stop (strict)"): ("append to the header", "Header"),
    ("Header", "other"): ("append to the header", "Header"),
    ("Header", "EOS"): ("error: Unexpected EOS while waiting for message header to complete", "Header"),
    ("Content", "stop"): ("finish the message", "ExpectStart"),
    ("Content", "other"): ("decode as content", "Content"),
    ("Content", "EOS"): ("finish the message", "ExpectStart"),
}
"""``(state, input kind) -> (action, next state)``; input kinds are :func:`token_kind` values
plus ``"EOS"``; a ``"stop"`` in ``Header`` is split by the parser's ``strict`` flag."""


def token_kind(token: int) -> str:
    """The input kind of ``token`` in :data:`TRANSITIONS`: ``start``, ``message``, ``stop`` or ``other``."""
    if token == START:
        return "start"
    if token == MESSAGE:
        return "message"
    if token in (END, RETURN, CALL):
        return "stop"
    return "other"


# -- errors -------------------------------------------------------------------------

_I64_MIN: Final = -(2**63)
_I64_MAX: Final = 2**63 - 1


def _out_of_range(token: int) -> OverflowError:
    # openai_harmony converts through a C long first, then to u32: two messages.
    if token < _I64_MIN or token > _I64_MAX:
        return OverflowError("Python int too large to convert to C long")
    return OverflowError("out of range integral type conversion attempted")


def _not_an_int(argument: str, value: object) -> TypeError:
    return TypeError(f"argument {argument!r}: {type(value).__name__!r} object cannot be interpreted as an integer")


def _tokenizer_of(encoding: object) -> Tokenizer:
    # Anything exposing the tokenizer layer (HarmonyEncoding does); the parser imports no facade.
    tokenizer = getattr(encoding, "tokenizer", None)
    if not isinstance(tokenizer, Tokenizer):
        raise TypeError(f"encoding must be a HarmonyEncoding, got {type(encoding).__name__}: {encoding!r}")
    return tokenizer


def _check_role(role: object) -> None:
    if role is not None and not isinstance(role, Role):
        hint = f" (use Role({role!r}))" if isinstance(role, str) else ""
        raise TypeError(f"role must be a Role or None, got {type(role).__name__}: {role!r}{hint}")


# -- the parser ---------------------------------------------------------------------


class StreamableParser:
    """Incremental parser of sampled Harmony tokens (openai_harmony's ``StreamableParser``).

    >>> from harmony_typed import Role, StreamableParser, load_harmony_encoding
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> parser = StreamableParser(enc, Role.ASSISTANT)
    >>> for token in enc.encode("<|channel|>final<|message|>Hi!<|return|>", allowed_special="all"):
    ...     _ = parser.process(token)
    >>> parser.messages[0].to_dict()
    {'role': 'assistant', 'name': None, 'content': [{'type': 'text', 'text': 'Hi!'}], 'channel': 'final'}

    ``role`` (required, may be ``None``) is the hint for the first message: the
    tokens then start right after ``<|start|>{role}``.  ``strict=False`` only
    changes what a stop token inside a header does (SPEC §6.5).

    Differences from openai_harmony, by design: ``messages`` is an immutable
    O(1) snapshot (:class:`MessagesView`) instead of a fresh list of copies;
    :meth:`reset` lets a serving loop reuse a parser; errors are
    :class:`~harmony_typed.ParseError` with ``token_index``/``token``; a ``str``
    role or non-``bool`` ``strict`` is a ``TypeError``.
    """

    # configuration (fixed at construction)
    _encoding: HasTokenizer
    _tokenizer: Tokenizer
    _token_bytes: list[bytes]
    _texts: list[str | None]
    _strict: bool
    _strip_extra_channels: bool
    # everything fed, everything completed
    _tokens: list[int]
    _messages: list[Message]
    _view: MessagesView | None
    # the machine
    _state: int
    _next_role: Role | None
    _header_tokens: list[int]
    _header: ParsedHeader | None
    # the message being decoded (Content state)
    _pieces: list[str]
    _content: str
    _joined: int
    _pending: bytes
    _frozen: bool
    _slow: bool
    _last_delta: str | None
    _encoded: list[int]
    _encoded_pieces: int

    def __init__(self, encoding: HasTokenizer, role: Role | None, *, strict: bool = True) -> None:
        tokenizer = _tokenizer_of(encoding)
        _check_role(role)
        if not isinstance(strict, bool):
            raise TypeError(f"strict must be a bool, got {type(strict).__name__}: {strict!r}")
        self._encoding = encoding
        self._tokenizer = tokenizer
        self._token_bytes = tokenizer.token_bytes
        self._texts = tokenizer.texts
        self._strict = strict
        # The encoding's dialect (harmony_typed._dialect); an object without one parses as openai-harmony 0.0.8.
        dialect = getattr(encoding, "dialect", None)
        self._strip_extra_channels = isinstance(dialect, Dialect) and strip_extra_channels(dialect)
        self._tokens = []
        self._messages = []
        self._view = None
        self._begin(role)

    def _begin(self, role: Role | None) -> None:
        # Initial state: Header([]) with a role hint, else ExpectStart.
        self._state = EXPECT_START if role is None else HEADER
        self._next_role = role
        self._header_tokens = []
        self._clear_content()

    def _clear_content(self) -> None:
        self._header = None
        self._pieces = []
        self._content = ""
        self._joined = 0
        self._pending = b""
        self._frozen = False
        self._slow = False
        self._last_delta = None
        self._encoded = []
        self._encoded_pieces = 0

    def __repr__(self) -> str:
        state = _STREAM_STATES[self._state].value
        return f"<StreamableParser state={state} messages={len(self._messages)} tokens={len(self._tokens)}>"

    # -- the machine -------------------------------------------------------------------

    def process(self, token: int) -> StreamableParser:
        """Feed one token id; returns ``self`` (chainable).

        Raises :class:`~harmony_typed.ParseError` (a ``HarmonyError``) with
        openai_harmony's message, ``OverflowError`` for ids outside ``u32``,
        ``TypeError`` for non-ints.  The parser stays usable after an error.
        """
        # One shift is the u32 range check and, when interpreted, the type check
        # (compiled code rejects non-ints on entry, before this line).
        try:
            high = token >> 32
        except TypeError:
            raise _not_an_int("token", token) from None
        if high:
            raise _out_of_range(token)
        tokens = self._tokens
        tokens.append(token)
        self._step(token, len(tokens) - 1)
        return self

    def _step(self, token: int, index: int) -> None:
        # The transition function: everything a token can do, in one if/elif chain.
        state = self._state
        if state == CONTENT:
            if token in (END, RETURN, CALL):
                self._finish_message()
            elif self._slow or token >= N_VOCAB:
                self._content_slow(token)
            else:
                text = self._texts[token]
                if text:
                    # Fast path: nothing pending, a token that is valid UTF-8 by itself.
                    self._pieces.append(text)
                    self._last_delta = text
                else:
                    self._content_slow(token)
        elif state == HEADER:
            if token == MESSAGE:
                self._end_header(index, token)
            elif token in (END, RETURN, CALL) and not self._strict:
                self._end_header_early(index, token)
            else:
                self._header_tokens.append(token)
        elif token == START:
            self._state = HEADER
            self._header_tokens = []
        else:
            raise ParseError(f"Unexpected token {int(token)} while expecting start token {START}", index, token)

    def process_eos(self) -> StreamableParser:
        """Signal the end of the stream: finishes a message in progress; returns ``self``.

        Raises :class:`~harmony_typed.ParseError` inside a header (the state
        is unchanged).  Harmless to call repeatedly; processing may continue.
        """
        state = self._state
        if state == CONTENT:
            self._finish_message()
        elif state == HEADER:
            raise ParseError("Unexpected EOS while waiting for message header to complete")
        return self

    def reset(self, role: Role | None = None) -> StreamableParser:
        """Start over as if newly constructed with ``role`` (same encoding and ``strict``); returns ``self``.

        ``tokens`` and ``messages`` start empty; snapshots taken before stay valid.
        """
        _check_role(role)
        self._tokens = []
        self._messages = []
        self._view = None
        self._begin(role)
        return self

    # -- header ------------------------------------------------------------------------

    def _text_of(self, token: int) -> str:
        # A known id's text ("" = not valid UTF-8 alone); the tokenizer decodes it the first time.
        text = self._texts[token]
        if text is None:
            text = self._tokenizer.text_of(token)
        return text

    def _decode_header(self) -> str | None:
        # Strict UTF-8 of the header tokens; None for an unknown id or invalid UTF-8.
        parts: list[str] = []
        for token in self._header_tokens:
            if token >= N_VOCAB:
                return None
            text = self._text_of(token)
            if not text:
                return self._decode_header_bytes()
            parts.append(text)
        return "".join(parts)

    def _decode_header_bytes(self) -> str | None:
        # Some token is not valid UTF-8 by itself: decode the joined bytes.
        table = self._token_bytes
        chunks: list[bytes] = []
        for token in self._header_tokens:
            if token >= N_VOCAB:
                return None
            chunks.append(table[token])
        try:
            return b"".join(chunks).decode()
        except UnicodeDecodeError:
            return None

    def _end_header(self, index: int, token: int) -> None:
        # <|message|>: the state is ExpectStart unless the header parses.
        self._state = EXPECT_START
        text = self._decode_header()
        if text is None:
            raise ParseError("could not decode header", index, token)
        try:
            header = parse_header(text, self._next_role, True, self._strip_extra_channels)
        except ParseError as exc:
            raise ParseError(str(exc), index, token) from None
        self._next_role = None
        self._header = header
        self._state = CONTENT

    def _end_header_early(self, index: int, token: int) -> None:
        # Non-strict stop token inside a header (SPEC §6.5); on error nothing changes.
        role = self._next_role
        header_tokens = self._header_tokens
        if role is not None and header_tokens:
            table = self._token_bytes
            chunks: list[bytes] = []
            for header_token in header_tokens:
                if header_token >= N_VOCAB:
                    raise ParseError(
                        f"Could not decode tokens: Invalid token error: Invalid token for decoding: {header_token}",
                        index,
                        token,
                    )
                chunks.append(table[header_token])
            try:
                text = b"".join(chunks).decode()
            except UnicodeDecodeError as exc:
                raise ParseError(
                    "Could not decode tokens: Invalid utf-8 sequence: " + rust_utf8_error(exc), index, token
                ) from None
            try:
                header = parse_header(text, role, False, self._strip_extra_channels)
            except ParseError as exc:
                raise ParseError(str(exc), index, token) from None
            self._messages.append(trusted_text_message(header.author, header.remaining, header.channel, None, None))
            self._view = None
        self._state = EXPECT_START
        self._next_role = None

    # -- content -----------------------------------------------------------------------

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

    def _finish_message(self) -> None:
        header = self._header
        if header is None:  # pragma: no cover - CONTENT always has a header
            raise AssertionError("no header in Content state")
        text = self._content_text()
        if self._frozen:
            text += "\ufffd"
        if self._pending:
            text += self._pending.decode("utf-8", "replace")
        self._messages.append(
            trusted_text_message(header.author, text, header.channel, header.recipient, header.content_type)
        )
        self._view = None
        self._state = EXPECT_START
        self._clear_content()

    # -- observable state (SPEC §6.6) --------------------------------------------------

    @property
    def state(self) -> StreamState:
        """``StreamState.EXPECT_START``, ``HEADER`` or ``CONTENT``."""
        return _STREAM_STATES[self._state]

    @property
    def current_role(self) -> Role | None:
        """Role of the message being decoded; before its header is parsed, the pending role hint."""
        header = self._header
        if header is not None:
            return header.role
        return self._next_role

    @property
    def current_channel(self) -> str | None:
        """Channel of the message being decoded (``None`` outside ``Content``)."""
        header = self._header
        return None if header is None else header.channel

    @property
    def current_recipient(self) -> str | None:
        """Recipient of the message being decoded (``None`` outside ``Content``)."""
        header = self._header
        return None if header is None else header.recipient

    @property
    def current_content_type(self) -> str | None:
        """Content type of the message being decoded (``None`` outside ``Content``)."""
        header = self._header
        return None if header is None else header.content_type

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

    @property
    def messages(self) -> MessagesView:
        """Completed messages: an O(1), read-only snapshot (see :class:`MessagesView`)."""
        view = self._view
        if view is None:
            view = MessagesView(self._messages, len(self._messages))
            self._view = view
        return view

    @property
    def tokens(self) -> list[int]:
        """Every token id passed to :meth:`process` (a new list)."""
        return list(self._tokens)

    @property
    def state_data(self) -> dict[str, object]:
        """openai_harmony's ``state_data`` dict (SPEC §6.6), built on demand.

        ``content_tokens`` are the decoded pieces re-encoded one by one (as
        openai_harmony stores them), not the ids that were fed.
        """
        state = self._state
        if state == EXPECT_START:
            return {"state": "ExpectStart"}
        if state == HEADER:
            return {"state": "Header", "header_tokens": list(self._header_tokens)}
        header = self._header
        if header is None:  # pragma: no cover - CONTENT always has a header
            raise AssertionError("no header in Content state")
        return {"state": "Content", "header": header.to_state_data(), "content_tokens": self._content_tokens()}

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
