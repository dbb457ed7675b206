"""Hypothesis strategies for Harmony data: fuzz your own code with it.

Install the optional extra: ``pip install "harmony-typed[testing]"`` (it adds
`hypothesis <https://hypothesis.readthedocs.io>`_).  This module is plain
Python (never compiled) and imports hypothesis at import time.

Three families of strategies:

* **models** -- :func:`roles`, :func:`authors`, :func:`texts`,
  :func:`text_contents`, :func:`json_values`, :func:`json_schemas`,
  :func:`tool_descriptions`, :func:`tool_namespaces`, :func:`channel_configs`,
  :func:`system_contents`, :func:`developer_contents`, :func:`messages`,
  :func:`conversations`.  Everything they produce renders without error;
  text fields are deliberately hostile (Harmony markup such as
  ``<|end|>`` inside content, names and channels, odd Unicode, whitespace).
* **completions** -- what a model samples: :func:`round_trip_messages`
  (messages that parse back to themselves), :func:`completions` (token ids
  together with the messages they parse to) and :func:`completion_tokens`.
* **garbage** -- :func:`token_ids`, :func:`overflow_token_ids` and
  :func:`malformed_completion_tokens` (valid completions with special tokens
  dropped, duplicated or swapped, truncated, spliced, with random, reserved
  and out-of-range ids inserted).  :func:`mutate` applies the same mutations
  with a :class:`random.Random`, for million-case fuzz loops where hypothesis
  would be too slow.

>>> from hypothesis import given, settings
>>> from harmony_typed import HarmonyError, load_harmony_encoding
>>> from harmony_typed import strategies as hst
>>> enc = load_harmony_encoding("HarmonyGptOss")
>>> @settings(max_examples=25, database=None, deadline=None)
... @given(hst.malformed_completion_tokens())
... def test_parser_only_raises_harmony_errors(tokens):
...     try:
...         enc.parse_messages_from_completion_tokens(tokens, strict=False)
...     except HarmonyError:
...         pass  # malformed input: a clean, documented error
>>> test_parser_only_raises_harmony_errors()
"""

from __future__ import annotations

from harmony_typed.strategies._completions import Completion, completion_tokens, completions, round_trip_messages
from harmony_typed.strategies._garbage import malformed_completion_tokens, mutate, overflow_token_ids, token_ids
from harmony_typed.strategies._models import (
    authors,
    channel_configs,
    conversations,
    developer_contents,
    json_schemas,
    json_values,
    messages,
    roles,
    system_contents,
    text_contents,
    texts,
    tool_descriptions,
    tool_namespaces,
)

__all__ = [
    "Completion",
    "authors",
    "channel_configs",
    "completion_tokens",
    "completions",
    "conversations",
    "developer_contents",
    "json_schemas",
    "json_values",
    "malformed_completion_tokens",
    "messages",
    "mutate",
    "overflow_token_ids",
    "roles",
    "round_trip_messages",
    "system_contents",
    "text_contents",
    "texts",
    "token_ids",
    "tool_descriptions",
    "tool_namespaces",
]
