"""The Harmony parsing state machine (SPEC §6): :class:`StreamableParser`.

Everything that decides what a token does is :data:`~harmony_typed._transitions.TRANSITIONS`,
the ``(mode, state, input) -> (action, next state)`` table; this module carries
out its actions.  The header grammar (what the text between ``<|start|>`` and
``<|message|>`` means) is :mod:`harmony_typed._header`; batch parsing
(:mod:`harmony_typed._parse_batch`) is this machine fed token by token, so the
two cannot disagree.  docs/parsing.md shows the table (generated from it).

After any error the parser is usable: serving loops catch
:class:`~harmony_typed.ParseError` and keep feeding.  Every token passed to
:meth:`StreamableParser.process` is recorded in ``tokens`` *before* it is
processed (so failed ones are too), except ids that are not ``u32``
(``OverflowError``) or not ints (``TypeError``).

Theory of operation
-------------------

:meth:`StreamableParser._step` is one native method.  A text token
(any id below the lowest structural special, ``<|return|>``) in ``Content``
or ``Header`` is the per-token hot path and is handled inline: in every mode
the table says "decode as content" / "append to the header" for it, and a
table lookup per sampled token would cost more than the rest of the work.
Every other token, and end of stream, goes through :meth:`_transition`: one
index into the flat int tuple ``CODES`` (built from ``TRANSITIONS``), an
``if``/``elif`` over ``Final`` int action codes, then the next state from
the table.

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

The ids fed are kept in an ``array('I')`` (4 bytes per token, not a boxed
int each), in blocks of 256 from a short list.  Messages are built with ``_models.trusted_text_message`` (the
parser's fields are ``str``/``None`` and a validated ``Author``, so nothing is
re-validated) and appended to a list that is never mutated otherwise:
:attr:`StreamableParser.messages` returns an O(1) read-only snapshot of it
(:class:`MessagesView`), cached until the next message completes.
"""

from __future__ import annotations

from array import array
from contextlib import suppress
from typing import Final

from harmony_typed._content import ContentDecoder
from harmony_typed._dialect import Dialect, strip_extra_channels
from harmony_typed._errors import ParseError
from harmony_typed._header import ParsedHeader, parse_header
from harmony_typed._header_text import header_bytes, header_text, lossy_header_text
from harmony_typed._messages_view import MessagesView
from harmony_typed._models import Message, Role, StreamState, trusted_text_message
from harmony_typed._parser_args import check_flag, check_role, not_an_int, out_of_range, tokenizer_of
from harmony_typed._rust import rust_utf8_error
from harmony_typed._specials import RETURN, START
from harmony_typed._tokenizer import HasTokenizer
from harmony_typed._transitions import (
    A_APPEND_HEADER,
    A_BEGIN_HEADER,
    A_DECODE_CONTENT,
    A_DROP_STOP,
    A_END_HEADER_EARLY,
    A_FINISH_MESSAGE,
    A_FINISH_THEN_START,
    A_HEADER_AS_CONTENT,
    A_HEADER_AS_CONTENT_THEN_START,
    A_IMPLICIT_HEADER,
    A_IMPLICIT_MESSAGE,
    A_PARSE_HEADER,
    A_RECOVER_HEADER,
    A_REPLACE_UNKNOWN,
    A_UNEXPECTED_EOS,
    A_UNEXPECTED_TOKEN,
    CODES,
    CONTENT,
    EXPECT_START,
    HEADER,
    I_EOS,
    I_OTHER,
    N_INPUTS,
    N_STATES,
    STATE_BITS,
    Recovery,
    RecoveryKind,
    input_code,
)

__all__ = ["StreamableParser"]

_STREAM_STATES: Final = (StreamState.EXPECT_START, StreamState.HEADER, StreamState.CONTENT)
_LOWEST_STRUCTURAL: Final = RETURN
"""Every id below this is an ``OTHER`` input (the structural specials are 200002..200012)."""
_STATE_MASK: Final = (1 << STATE_BITS) - 1
_STRICT_ROWS: Final = 0
_LENIENT_ROWS: Final = N_STATES * N_INPUTS
_RECOVER_ROWS: Final = 2 * N_STATES * N_INPUTS
_ASSISTANT: Final = Role.ASSISTANT
_FLUSH_AT: Final = 256


# -- the parser ---------------------------------------------------------------------


class StreamableParser(ContentDecoder):
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
    ``recover=True`` never raises a parse error: malformed output is repaired
    by the rules in docs/parsing.md (*Recovery*), each repair recorded in
    :attr:`recoveries`; on well-formed output the result is the strict one
    (``strict`` is then ignored).

    Differences from openai_harmony, by design: ``messages`` is an immutable
    O(1) snapshot (:class:`MessagesView`) instead of a fresh list of copies;
    :meth:`reset` lets a serving loop reuse a parser; errors are
    :class:`~harmony_typed.ParseError` with ``token_index``/``token``; a ``str``
    role or non-``bool`` flag is a ``TypeError``; a parser pickles and copies
    small (its encoding by name, then its state).
    """

    # configuration (fixed at construction; the tokenizer tables are ContentDecoder's)
    _encoding: HasTokenizer
    _strict: bool
    _recover: bool
    _rows: int
    _strip_extra_channels: bool
    # everything fed, everything completed
    _tokens: array[int] | None
    _recent: list[int]
    _fed: int
    _messages: list[Message]
    _view: MessagesView | None
    _recoveries: list[Recovery]
    _initial_role: Role | None
    _eos_at: list[int]
    # the machine (the message text being decoded is ContentDecoder's)
    _state: int
    _next_role: Role | None
    _last_role: Role | None
    _header_tokens: list[int]
    _header: ParsedHeader | None

    def __init__(
        self, encoding: HasTokenizer, role: Role | None, *, strict: bool = True, recover: bool = False
    ) -> None:
        tokenizer = tokenizer_of(encoding)
        check_role(role)
        check_flag("strict", strict)
        check_flag("recover", recover)
        super().__init__(tokenizer)
        self._encoding = encoding
        self._strict = strict
        self._recover = recover
        self._rows = _RECOVER_ROWS if recover else _STRICT_ROWS if strict else _LENIENT_ROWS
        # The encoding's dialect (harmony_typed._dialect); an object without one parses as openai-harmony 0.0.8.
        dialect = getattr(encoding, "dialect", None)
        self._strip_extra_channels = isinstance(dialect, Dialect) and strip_extra_channels(dialect)
        self._begin(role)

    def _begin(self, role: Role | None) -> None:
        # Nothing fed yet; the state is Header([]) with a role hint, else ExpectStart.
        self._tokens = None  # created at the first flush: most parsers see fewer than 256 ids
        self._recent = []
        self._fed = 0
        self._messages = []
        self._view = None
        self._recoveries = []
        self._initial_role = role
        self._eos_at = []
        self._state = EXPECT_START if role is None else HEADER
        self._next_role = role
        self._last_role = role
        self._header_tokens = []
        self._header = None
        self._clear_content()

    def __repr__(self) -> str:
        state = _STREAM_STATES[self._state].value
        return f"<StreamableParser state={state} messages={len(self._messages)} tokens={self._count()}>"

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
            raise not_an_int("token", token) from None
        if high:
            raise out_of_range(token)
        recent = self._recent
        recent.append(token)
        if len(recent) >= _FLUSH_AT:
            self._flush()
        index = self._fed
        self._fed = index + 1
        self._step(token, index)
        return self

    def _flush(self) -> None:
        # Ids are appended to a short list (a list append is inlined by mypyc, an
        # array's is a method call), moved to the array in blocks of _FLUSH_AT.
        if self._tokens is None:
            self._tokens = array("I", self._recent)
        else:
            self._tokens.fromlist(self._recent)
        self._recent = []

    def _all_ids(self) -> array[int]:
        self._flush()
        tokens = self._tokens
        if tokens is None:  # pragma: no cover - _flush always creates it
            raise AssertionError("no token array after a flush")
        return tokens

    def _count(self) -> int:
        return self._fed

    def _step(self, token: int, index: int) -> None:
        state = self._state
        if token < _LOWEST_STRUCTURAL:
            # The per-token hot path, inline (see the module docstring): every mode's
            # table says (Content, other) -> decode as content, (Header, other) -> append.
            if state == CONTENT:
                if not self._slow:
                    text = self._texts[token]
                    if text:
                        # Nothing pending, and a token that is valid UTF-8 by itself.
                        self._pieces.append(text)
                        self._last_delta = text
                        return
                self._content_slow(token)
                return
            if state == HEADER:
                self._header_tokens.append(token)
                return
            self._transition(I_OTHER, token, index)
        else:
            self._transition(input_code(token), token, index)

    def _transition(self, kind: int, token: int, index: int) -> None:
        # One row of TRANSITIONS: run its action, then enter its next state (an action
        # that raises leaves the state as it was, except where its row says otherwise).
        code = CODES[self._rows + self._state * N_INPUTS + kind]
        action = code >> STATE_BITS
        if action == A_DECODE_CONTENT:
            self._content_token(token)
        elif action == A_APPEND_HEADER:
            self._header_tokens.append(token)
        elif action == A_FINISH_MESSAGE:
            self._finish_message()
        elif action == A_BEGIN_HEADER:
            self._header_tokens = []
        elif action == A_PARSE_HEADER:
            self._end_header(index, token)
        elif action == A_UNEXPECTED_TOKEN:
            raise ParseError(f"Unexpected token {int(token)} while expecting start token {START}", index, token)
        elif action == A_UNEXPECTED_EOS:
            raise ParseError("Unexpected EOS while waiting for message header to complete")
        elif action == A_END_HEADER_EARLY:
            self._end_header_early(index, token)
        elif action == A_RECOVER_HEADER:
            self._recover_header(index)
        elif action == A_IMPLICIT_HEADER:
            self._implicit_start(index)
            self._header_tokens = [token]
        elif action == A_IMPLICIT_MESSAGE:
            self._implicit_start(index)
            self._header_tokens = []
            self._recover_header(index)
        elif action == A_HEADER_AS_CONTENT:
            self._header_as_content(index)
        elif action == A_HEADER_AS_CONTENT_THEN_START:
            self._header_as_content(index)
            self._header_tokens = []
        elif action == A_FINISH_THEN_START:
            self._record(index, RecoveryKind.MISSING_STOP, "<|start|> inside content finished the message")
            self._finish_message()
            self._header_tokens = []
        elif action == A_REPLACE_UNKNOWN:
            self._record(index, RecoveryKind.UNKNOWN_TOKEN, f"id {token} decoded as U+FFFD")
            self._replace_unknown()
        elif action == A_DROP_STOP:
            self._record(index, RecoveryKind.STRAY_STOP, "dropped " + self._text_of(token))
        # A_NOTHING: nothing to do.
        self._state = code & _STATE_MASK

    def process_eos(self) -> StreamableParser:
        """Signal the end of the stream: finishes a message in progress; returns ``self``.

        Raises :class:`~harmony_typed.ParseError` inside a header (the state
        is unchanged), unless recovering.  Harmless to call repeatedly;
        processing may continue.
        """
        count = self._count()
        self._eos_at.append(count)
        self._transition(I_EOS, -1, count)
        return self

    def reset(self, role: Role | None = None) -> StreamableParser:
        """Start over as if newly constructed with ``role`` (same encoding and flags); returns ``self``.

        ``tokens``, ``messages`` and ``recoveries`` start empty; snapshots taken before stay valid.
        """
        check_role(role)
        self._begin(role)
        return self

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Pickle and copy by replay: the encoding (which pickles by name), the flags,
        # the ids fed and where the stream was ended; the machine is deterministic,
        # so feeding them again rebuilds exactly this state (errors included).
        return (
            _replay,
            (self._encoding, self._initial_role, self._strict, self._recover, self._all_ids(), self._eos_at),
        )

    # -- header ------------------------------------------------------------------------

    def _end_header(self, index: int, token: int) -> None:
        # <|message|>: the state is ExpectStart unless the header parses.
        self._state = EXPECT_START
        text = header_text(self._header_tokens, self._tokenizer)
        if text is None:
            raise ParseError("could not decode header", index, token)
        try:
            header = parse_header(text, self._next_role, True, self._strip_extra_channels)
        except ParseError as exc:
            raise ParseError(str(exc), index, token) from None
        self._next_role = None
        self._header = header

    def _end_header_early(self, index: int, token: int) -> None:
        # Non-strict stop token inside a header (SPEC §6.5); on error nothing changes.
        role = self._next_role
        if role is not None and self._header_tokens:
            try:
                text = header_bytes(self._header_tokens, self._token_bytes).decode()
            except UnicodeDecodeError as exc:
                message = "Could not decode tokens: Invalid utf-8 sequence: " + rust_utf8_error(exc)
                raise ParseError(message, index, token) from None
            except ValueError as exc:  # header_bytes: an id outside the vocabulary
                message = f"Could not decode tokens: Invalid token error: Invalid token for decoding: {exc.args[0]}"
                raise ParseError(message, index, token) from None
            try:
                header = parse_header(text, role, False, self._strip_extra_channels)
            except ParseError as exc:
                raise ParseError(str(exc), index, token) from None
            self._append(trusted_text_message(header.author, header.remaining, header.channel, None, None))
        self._next_role = None

    # -- recovery (recover=True only) --------------------------------------------------

    def _record(self, index: int, kind: RecoveryKind, detail: str) -> None:
        self._recoveries.append(Recovery(index, kind, detail))

    def _lenient_header_text(self, index: int) -> str:
        text = header_text(self._header_tokens, self._tokenizer)
        if text is None:
            text = lossy_header_text(self._header_tokens, self._token_bytes)
            self._record(index, RecoveryKind.UNDECODABLE_HEADER, "decoded with U+FFFD: " + repr(text))
        return text

    def _recovering_parse(self, index: int, full: bool) -> ParsedHeader:
        repairs: list[tuple[RecoveryKind, str]] = []
        fallback = self._last_role if self._last_role is not None else _ASSISTANT
        text = self._lenient_header_text(index)
        header = parse_header(text, self._next_role, full, self._strip_extra_channels, repairs, fallback)
        for kind, detail in repairs:
            self._record(index, kind, detail)
        self._next_role = None
        return header

    def _recover_header(self, index: int) -> None:
        self._header = self._recovering_parse(index, True)

    def _implicit_start(self, index: int) -> None:
        # A message without <|start|>: it has the previous message's role.
        role = self._last_role if self._last_role is not None else _ASSISTANT
        self._record(index, RecoveryKind.MISSING_START, "a message of role " + role.value)
        self._next_role = role

    def _header_as_content(self, index: int) -> None:
        # A header that never reached <|message|>: its text is a message (as strict=False does for the first).
        if self._header_tokens:
            header = self._recovering_parse(index, False)
            if header.remaining or header.channel is not None:
                detail = "header text as content: " + repr(header.remaining)
                self._append(trusted_text_message(header.author, header.remaining, header.channel, None, None))
            else:  # e.g. a stream that ends right after `<|start|>assistant`
                detail = "dropped a header with no text"
            self._record(index, RecoveryKind.HEADER_AS_CONTENT, detail)
        self._next_role = None

    def _finish_message(self) -> None:
        header = self._header
        if header is None:  # pragma: no cover - CONTENT always has a header
            raise AssertionError("no header in Content state")
        text = self._finished_text()
        self._append(trusted_text_message(header.author, text, header.channel, header.recipient, header.content_type))
        self._header = None
        self._clear_content()

    def _append(self, message: Message) -> None:
        self._messages.append(message)
        self._view = None
        self._last_role = message.author.role

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
    def messages(self) -> MessagesView:
        """Completed messages: an O(1), read-only snapshot (see :class:`MessagesView`)."""
        view = self._view
        if view is None:
            view = MessagesView(self._messages, len(self._messages))
            self._view = view
        return view

    @property
    def recoveries(self) -> tuple[Recovery, ...]:
        """Every repair made so far (always empty unless ``recover=True``), in order."""
        return tuple(self._recoveries)

    @property
    def tokens(self) -> list[int]:
        """Every token id passed to :meth:`process` (a new list)."""
        return self._all_ids().tolist()

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


def _replay(
    encoding: HasTokenizer, role: Role | None, strict: bool, recover: bool, tokens: array[int], eos_at: list[int]
) -> StreamableParser:
    """A parser in the state ``StreamableParser.__reduce__`` captured."""
    parser = StreamableParser(encoding, role, strict=strict, recover=recover)
    ends = list(eos_at)
    ends.reverse()
    for position in range(len(tokens) + 1):
        while ends and ends[-1] == position:
            ends.pop()
            with suppress(ParseError):
                parser.process_eos()
        if position < len(tokens):
            with suppress(ParseError):
                parser.process(tokens[position])
    return parser
