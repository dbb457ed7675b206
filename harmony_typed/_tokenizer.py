"""The o200k_harmony tokenizer: BPE, special tokens and the per-token tables the parser reads.

:class:`Tokenizer` owns

* the ``tiktoken.Encoding`` built from the verified base ranks and our own
  special-token table (:mod:`harmony_typed._specials`);
* ``token_bytes``: id -> bytes for every id (specials contribute their text),
  so a parser decodes a token with one list index;
* ``texts``: id -> decoded text, filled lazily by the parsers (``None`` = not
  decoded yet, ``""`` = not valid UTF-8 on its own); one table per tokenizer,
  shared by every parser of it;
* the tokenizer-level methods ``HarmonyEncoding`` exposes (``encode``,
  ``encode_ordinary``, ``decode*``, special tokens), with openai_harmony's
  errors.

It sits below the engines (parser, renderer) and above the data layers; it
imports no engine.  Not compiled: thin delegation to tiktoken, and its
argument checks must raise the same ``TypeError`` on both builds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence, Set
from typing import Final, Literal, Protocol

import tiktoken

from harmony_typed import _specials
from harmony_typed._errors import DecodeError, EncodeError
from harmony_typed._rust import rust_utf8_error

__all__ = ["PATTERN", "TOKENIZER_NAME", "HasTokenizer", "Tokenizer"]

TOKENIZER_NAME: Final = "o200k_harmony"

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


# PATTERN restricted to ASCII input: there \p{L} is [A-Za-z], \p{Lu} [A-Z], \p{Ll} [a-z],
# \p{N} [0-9], \p{Lt}/\p{Lm}/\p{Lo}/\p{M} are empty, and \s (Unicode White_Space) is
# [\t\n\v\f\r ] -- spelled out, because Python's \s also matches \x1c-\x1f.
_WS: Final = r"\t\n\x0b\x0c\r "
_CONTRACTION: Final = r"(?:'[sStTmMdD]|'[rR][eE]|'[vV][eE]|'[lL][lL])?"
ASCII_PATTERN: Final = re.compile(
    "|".join(
        [
            r"[^\r\nA-Za-z0-9]?[A-Z]*[a-z]+" + _CONTRACTION,
            r"[^\r\nA-Za-z0-9]?[A-Z]+[a-z]*" + _CONTRACTION,
            r"[0-9]{1,3}",
            rf" ?[^{_WS}A-Za-z0-9]+[\r\n/]*",
            rf"[{_WS}]*[\r\n]+",
            rf"[{_WS}]+(?![^{_WS}])",
            rf"[{_WS}]+",
        ]
    )
)
"""What :data:`PATTERN` matches in ASCII text, for Python's ``re``."""

ASCII_BUDGET: Final = 1 << 16
"""ASCII characters a tokenizer encodes itself before it builds tiktoken's BPE.

Building the CoreBPE (about 0.2 s and 40 MB, most of a cold start that renders)
pays off only for a process that encodes a lot; a short-lived one that renders a
few prompts never builds it.  Non-ASCII text always goes to tiktoken."""

_NO_RANK: Final = 1 << 62


def _merge(piece: bytes, ranks: dict[bytes, int]) -> list[int]:
    """tiktoken's byte-pair merge of one pre-token: join the lowest-ranked adjacent pair
    (the leftmost on a tie) until no adjacent pair has a rank."""
    starts = list(range(len(piece) + 1))
    get = ranks.get
    pairs = [get(piece[i : i + 2], _NO_RANK) for i in range(len(piece) - 1)]
    while pairs:
        best = min(pairs)
        if best == _NO_RANK:
            break
        i = pairs.index(best)
        del starts[i + 1]
        del pairs[i]
        if i < len(pairs):
            pairs[i] = get(piece[starts[i] : starts[i + 2]], _NO_RANK)
        if i > 0:
            pairs[i - 1] = get(piece[starts[i - 1] : starts[i + 1]], _NO_RANK)
    return [ranks[piece[starts[i] : starts[i + 1]]] for i in range(len(starts) - 1)]


def encode_ascii(text: str, ranks: dict[bytes, int]) -> list[int]:
    """``encode_ordinary(text)`` for ASCII ``text``, in Python: the same pre-tokens and merges as tiktoken."""
    out: list[int] = []
    get = ranks.get
    for match in ASCII_PATTERN.finditer(text):
        piece = match.group().encode("ascii")
        token = get(piece)
        if token is not None:
            out.append(token)
        else:
            out.extend(_merge(piece, ranks))
    return out


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


def _check_token(token: int) -> None:
    """Reject ids openai_harmony's ``u32`` conversion rejects, with the same error."""
    if not isinstance(token, int):
        raise TypeError(f"token ids must be int, got {type(token).__name__}: {token!r}")
    if token < 0 or token > _specials.MAX_TOKEN:
        raise OverflowError("out of range integral type conversion attempted")


class Tokenizer:
    """The o200k_harmony BPE with Harmony's special tokens (one per loaded encoding).

    Build it from the bytes of ranks 0, 1, 2, ... in order
    (:func:`harmony_typed._vocab.load_token_bytes`);
    it is immutable except for the lazily filled ``texts`` cache, whose races
    are benign (two threads store the same string).
    """

    __slots__ = (
        "_all_regex_cache",
        "_ascii_budget",
        "_bpe",
        "_core_encode",
        "_ranks",
        "special_set",
        "specials",
        "texts",
        "token_bytes",
    )

    token_bytes: list[bytes]
    """Bytes of every id, ``0`` to ``N_VOCAB - 1``."""
    texts: list[str | None]
    """Decoded text of every id, filled lazily (see :meth:`text_of`)."""
    specials: dict[str, int]
    special_set: frozenset[str]

    def __init__(self, ordinary: list[bytes]) -> None:
        specials = _specials.special_tokens()
        # The BPE is built on first encode (cold start: a parse-only process needs
        # only the id tables; building tiktoken's CoreBPE is most of a load).
        self._bpe: tiktoken.Encoding | None = None
        self._core_encode: Callable[[str], list[int]] | None = None  # see encode_ordinary_strict
        # Until then, ASCII text is encoded here from a ranks dict (see ASCII_BUDGET).
        self._ranks: dict[bytes, int] | None = None
        self._ascii_budget = ASCII_BUDGET
        # The specials follow the last rank contiguously, so id -> bytes is one list.
        table = list(ordinary)
        if len(table) != _specials.FIRST_SPECIAL:
            raise ValueError(f"expected {_specials.FIRST_SPECIAL} ranks in rank order, got {len(table)}")
        table.extend(text.encode() for text in sorted(specials, key=specials.__getitem__))
        self.token_bytes = table
        self.texts = [None] * len(table)
        self.specials = specials
        self.special_set = frozenset(specials)
        self._all_regex_cache: re.Pattern[str] | None = None  # built on first need (cold start)

    @property
    def bpe(self) -> tiktoken.Encoding:
        """The tiktoken encoding (ordinary ranks plus the special tokens), built on first use.

        A race builds it twice at worst (both are equal; one is kept), so no lock
        is needed (and none can be left held by a ``fork``).
        """
        bpe = self._bpe
        if bpe is None:
            ranks = self._ranks_dict()
            bpe = tiktoken.Encoding(
                TOKENIZER_NAME, pat_str=PATTERN, mergeable_ranks=ranks, special_tokens=self.specials
            )
            # tiktoken keeps the Python dict only for pickling and introspection we never use;
            # the CoreBPE holds its own copy (memory after load).
            bpe._mergeable_ranks = {}  # type: ignore[attr-defined]
            self._bpe = bpe
            self._ranks = None  # the Python encoder is not used any more
        return bpe

    def _ranks_dict(self) -> dict[bytes, int]:
        ranks = self._ranks
        if ranks is None:
            table = self.token_bytes
            ranks = dict(zip(table[: _specials.FIRST_SPECIAL], range(_specials.FIRST_SPECIAL), strict=True))
        return ranks

    def text_of(self, token: int) -> str:
        """The text of a known id decoded on its own, remembered (``""`` = not valid UTF-8 alone)."""
        text = self.texts[token]
        if text is None:
            try:
                text = self.token_bytes[token].decode()
            except UnicodeDecodeError:
                text = ""
            self.texts[token] = text
        return text

    def _all_regex(self) -> re.Pattern[str]:
        regex = self._all_regex_cache
        if regex is None:  # a benign race: two threads may both compile it
            regex = self._all_regex_cache = _special_regex(self.specials)
        return regex

    def special_tokens(self) -> list[str]:
        """The special-token strings, ordered by id."""
        return sorted(self.specials, key=self.specials.__getitem__)

    def encode_ordinary(self, text: str) -> list[int]:
        """BPE-encode ``text`` with every special-token string treated as plain text.

        Before tiktoken's BPE is built, short ASCII texts are encoded in Python
        (:data:`ASCII_BUDGET`); the result is the same either way.
        """
        bpe = self._bpe
        if bpe is not None:
            return bpe.encode_ordinary(text)
        n = len(text)
        if n <= self._ascii_budget and type(text) is str and text.isascii():
            self._ascii_budget -= n  # a race only shifts when the BPE gets built
            ranks = self._ranks
            if ranks is None:
                ranks = self._ranks = self._ranks_dict()
            return encode_ascii(text, ranks)
        return self.bpe.encode_ordinary(text)

    def encode_ordinary_strict(self, text: str) -> list[int]:
        """:meth:`encode_ordinary` that raises ``UnicodeEncodeError`` on a surrogate (the renderer's).

        tiktoken's ``encode_ordinary`` replaces one with U+FFFD; openai_harmony's
        render refuses it, which the facade reproduces (:mod:`harmony_typed._surrogates`).
        """
        core = self._core_encode
        if core is None:
            if text.isascii():  # no surrogate: the Python path while it lasts
                return self.encode_ordinary(text)
            # tiktoken's CoreBPE (private, in 0.7 to 0.14) is encode_ordinary minus the
            # replacement; where it is missing, a strict UTF-8 encode finds the surrogates first.
            inner = getattr(self.bpe, "_core_bpe", None)
            core = self._core_encode = inner.encode_ordinary if inner is not None else self._checked_encode
        return core(text)

    def _checked_encode(self, text: str) -> list[int]:
        text.encode()  # UnicodeEncodeError on a lone surrogate
        return self.bpe.encode_ordinary(text)

    def encode(
        self,
        text: str,
        allowed_special: Literal["all"] | Set[str] = frozenset(),
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> list[int]:
        """Encode ``text``; special-token text raises :class:`EncodeError` unless allowed."""
        allowed: Set[str] = self.special_set if allowed_special == "all" else allowed_special
        regex: re.Pattern[str] | None = None
        if disallowed_special == "all":
            if "<|" in text:  # every special token starts with "<|"
                regex = self._all_regex() if not allowed else _special_regex(self.special_set - set(allowed))
        elif disallowed_special:
            regex = _special_regex(frozenset(disallowed_special))
        if regex is not None:
            # Python's re picks the leftmost match; at one position the longest
            # alternative is tried first, so a token and its prefix cannot tie.
            match = regex.search(text) if regex.pattern else None
            if match is not None:
                raise EncodeError(_disallowed_message(match.group()))
        if not allowed:
            return self.bpe.encode_ordinary(text)
        # tiktoken's core scan = openai_harmony's: non-allowed specials stay text.
        return self.bpe.encode(text, allowed_special=set(allowed), disallowed_special=())

    def decode_bytes(self, tokens: Sequence[int]) -> bytes:
        """Bytes of ``tokens``; special ids contribute their own text (``<|start|>``)."""
        try:
            return self.bpe.decode_bytes(tokens)
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
        """Decode to text; invalid UTF-8 is handled by ``errors``."""
        return self.decode_bytes(tokens).decode("utf-8", errors=errors)

    def is_special_token(self, token: int) -> bool:
        """True for ids 199,998 to 201,088."""
        _check_token(token)
        return _specials.FIRST_SPECIAL <= token <= _specials.LAST_SPECIAL


class HasTokenizer(Protocol):
    """What the engines need from an encoding: its :class:`Tokenizer` (``HarmonyEncoding`` has one)."""

    @property
    def tokenizer(self) -> Tokenizer:
        """The encoding's tokenizer."""
        ...
