"""Garbage strategies: random, reserved and out-of-range ids, and mutated completions."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Final

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from harmony_typed import _specials
from harmony_typed._encoding import HarmonyEncoding
from harmony_typed._models import (
    Role,
)
from harmony_typed.strategies._completions import completions

# -- garbage -------------------------------------------------------------------------

_NAMED_SPECIAL_IDS: Final = (
    _specials.STARTOFTEXT,
    _specials.ENDOFTEXT,
    _specials.RETURN,
    _specials.CONSTRAIN,
    _specials.CHANNEL,
    _specials.START,
    _specials.END,
    _specials.MESSAGE,
    _specials.CALL,
)
_STRUCTURAL_IDS: Final = frozenset(_NAMED_SPECIAL_IDS)
# UTF-8 edge cases (SPEC §6.4, traces T3/T4): mostly ids whose bytes are a partial or invalid
# sequence on their own, plus a zero-width joiner (2524), NUL (188) and plain text (9559) to mix in.
_UTF8_EDGE_IDS: Final = (9552, 31446, 28823, 244, 101, 102, 2524, 9559, 157, 188, 254)
_BOUNDARY_IDS: Final = (
    0,
    1,
    _specials.FIRST_SPECIAL - 1,
    _specials.LAST_SPECIAL,
    _specials.N_VOCAB,
    2**31 - 1,
    2**31,
    _specials.MAX_TOKEN,
)

_Chooser = Callable[[int, int], int]
"""``choose(lo, hi)`` returns an int in ``[lo, hi]``: hypothesis draws or ``random.randint``."""


def _random_id(choose: _Chooser) -> int:
    kind = choose(0, 9)
    if kind <= 2:
        return choose(0, _specials.FIRST_SPECIAL - 1)  # ordinary text
    if kind <= 4:
        return _NAMED_SPECIAL_IDS[choose(0, len(_NAMED_SPECIAL_IDS) - 1)]
    if kind == 5:
        return choose(_specials.FIRST_SPECIAL, _specials.LAST_SPECIAL)  # reserved (mostly)
    if kind == 6:
        return choose(_specials.N_VOCAB, _specials.MAX_TOKEN)  # beyond the vocabulary
    if kind == 7:
        return _UTF8_EDGE_IDS[choose(0, len(_UTF8_EDGE_IDS) - 1)]
    if kind == 8:
        return _BOUNDARY_IDS[choose(0, len(_BOUNDARY_IDS) - 1)]
    return choose(0, _specials.MAX_TOKEN)


def _pick_position(tokens: list[int], choose: _Chooser, specials_first: bool) -> int:
    """An index of ``tokens`` (non-empty), preferring structural special tokens if asked."""
    if specials_first and choose(0, 3) != 0:
        positions = [i for i, t in enumerate(tokens) if t in _STRUCTURAL_IDS]
        if positions:
            return positions[choose(0, len(positions) - 1)]
    return choose(0, len(tokens) - 1)


_N_MUTATIONS: Final = 12


def _mutate_once(tokens: list[int], choose: _Chooser, donor: Sequence[int]) -> None:
    """Apply one random mutation to ``tokens`` in place."""
    op = choose(0, _N_MUTATIONS - 1)
    n = len(tokens)
    if n == 0 or op == 0:  # insert a random id anywhere
        tokens.insert(choose(0, n), _random_id(choose))
    elif op == 1:  # drop a token (usually a special)
        del tokens[_pick_position(tokens, choose, True)]
    elif op == 2:  # duplicate a token (usually a special)
        i = _pick_position(tokens, choose, True)
        tokens.insert(i, tokens[i])
    elif op == 3:  # swap two tokens (usually a special with a neighbour or anything)
        i = _pick_position(tokens, choose, True)
        j = min(n - 1, i + 1) if choose(0, 1) else choose(0, n - 1)
        tokens[i], tokens[j] = tokens[j], tokens[i]
    elif op == 4:  # truncate
        del tokens[choose(0, n - 1) :]
    elif op == 5:  # drop a prefix
        del tokens[: choose(1, n)]
    elif op == 6:  # replace a token by a random id
        tokens[choose(0, n - 1)] = _random_id(choose)
    elif op == 7:  # replace a special by another special
        tokens[_pick_position(tokens, choose, True)] = _NAMED_SPECIAL_IDS[choose(0, len(_NAMED_SPECIAL_IDS) - 1)]
    elif op == 8:  # insert a partial UTF-8 sequence
        tokens.insert(choose(0, n), _UTF8_EDGE_IDS[choose(0, len(_UTF8_EDGE_IDS) - 1)])
    elif op == 9:  # splice another completion in
        if donor:
            a = choose(0, len(donor) - 1)
            b = choose(a, len(donor))
            at = choose(0, n)
            tokens[at:at] = donor[a:b]
        else:
            tokens.extend(tokens[: choose(0, n)])
    elif op == 10:  # delete a slice
        a = choose(0, n - 1)
        del tokens[a : choose(a, n)]
    else:  # repeat a slice
        a = choose(0, n - 1)
        b = choose(a, min(n, a + 32))
        tokens[b:b] = tokens[a:b] * choose(1, 4)


def _mutations(tokens: Sequence[int], choose: _Chooser, donor: Sequence[int], max_mutations: int) -> list[int]:
    out = list(tokens)
    for _ in range(choose(1, max(1, max_mutations))):
        _mutate_once(out, choose, donor)
    return out


def mutate(
    tokens: Sequence[int], rng: random.Random, *, donor: Sequence[int] = (), max_mutations: int = 4
) -> list[int]:
    """A malformed copy of ``tokens``: 1 to ``max_mutations`` random mutations.

    The same mutations as :func:`malformed_completion_tokens`, driven by
    ``rng`` instead of hypothesis (orders of magnitude faster, no shrinking):
    insert, drop, duplicate or swap tokens (special tokens preferred), truncate,
    drop a prefix, replace a token by a random id (ordinary, special,
    reserved, beyond the vocabulary up to ``2**32 - 1``, partial UTF-8),
    splice in a slice of ``donor``, delete or repeat a slice.  Every id in the
    result is in ``[0, 2**32 - 1]``.

    >>> import random
    >>> from harmony_typed import load_harmony_encoding
    >>> from harmony_typed.strategies import mutate
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> tokens = enc.encode("<|start|>assistant<|message|>Hi<|end|>", allowed_special="all")
    >>> rng = random.Random(0)
    >>> mutants = [mutate(tokens, rng) for _ in range(1000)]
    >>> all(0 <= t < 2**32 for m in mutants for t in m)
    True
    """
    return _mutations(tokens, rng.randint, donor, max_mutations)


def token_ids() -> SearchStrategy[int]:
    """Token ids the parser must accept without ``OverflowError``: ``0 <= id < 2**32``.

    Weighted towards the interesting ones: ordinary text, the named special
    tokens, the reserved ids (199,998-201,088 minus the named ones), ids
    beyond the vocabulary (201,089 ... ``2**32 - 1``), ids whose bytes are
    partial UTF-8, and the boundaries.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import HarmonyError, StreamableParser, load_harmony_encoding
    >>> from harmony_typed.strategies import token_ids
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(deadline=None)
    ... @given(token_ids())
    ... def test_any_id_is_a_clean_error_or_accepted(token):
    ...     try:
    ...         StreamableParser(enc, None).process(token)
    ...     except HarmonyError:
    ...         pass
    >>> test_any_id_is_a_clean_error_or_accepted()
    """

    @st.composite
    def build(draw: st.DrawFn) -> int:
        return _random_id(lambda lo, hi: draw(st.integers(lo, hi)))

    return build()


def overflow_token_ids() -> SearchStrategy[int]:
    """Ids outside ``[0, 2**32)``: every parser and decoder entry point raises ``OverflowError`` for them.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import load_harmony_encoding
    >>> from harmony_typed.strategies import overflow_token_ids
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(deadline=None)
    ... @given(overflow_token_ids())
    ... def test_overflow(token):
    ...     try:
    ...         enc.decode_bytes([token])
    ...     except OverflowError:
    ...         return
    ...     raise AssertionError(f"{token} was accepted")
    >>> test_overflow()
    """
    return st.one_of(
        st.sampled_from([-1, -(2**31), 2**32, 2**32 + 1, 2**63, -(2**63) - 1, 2**64]),
        st.integers(max_value=-1),
        st.integers(min_value=2**32),
    )


def malformed_completion_tokens(
    encoding: HarmonyEncoding | None = None, *, max_mutations: int = 4
) -> SearchStrategy[list[int]]:
    """Valid :func:`completions` (with or without their leading ``<|start|>``) after 1 to ``max_mutations``
    mutations (see :func:`mutate`); shrinks towards small edits of small completions.

    >>> from hypothesis import given, settings
    >>> from harmony_typed.strategies import malformed_completion_tokens
    >>> @settings(max_examples=25, deadline=None)
    ... @given(malformed_completion_tokens())
    ... def test_ids_in_range(tokens):
    ...     assert all(0 <= t < 2**32 for t in tokens)
    >>> test_ids_in_range()
    """
    valid = completions(encoding, roles=list(Role))

    donors = st.one_of(st.just(()), valid.map(lambda c: c.tokens))

    @st.composite
    def build(draw: st.DrawFn) -> list[int]:
        base = draw(valid)
        donor = draw(donors)

        def choose(lo: int, hi: int) -> int:
            return draw(st.integers(lo, hi))

        return _mutations(base.tokens, choose, donor, max_mutations)

    return build()
