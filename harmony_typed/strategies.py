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

import random
from collections.abc import Callable, Sequence
from typing import Final

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from harmony_typed import _specials
from harmony_typed._encoding import HarmonyEncoding, load_harmony_encoding
from harmony_typed._models import (
    Author,
    ChannelConfig,
    Content,
    Conversation,
    DeveloperContent,
    JSONValue,
    Message,
    ReasoningEffort,
    Role,
    SystemContent,
    TextContent,
    ToolDescription,
    ToolNamespaceConfig,
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

# -- vocabulary of interesting fragments ------------------------------------------

_NAMED_SPECIAL_TEXTS: Final = (
    "<|start|>",
    "<|end|>",
    "<|message|>",
    "<|channel|>",
    "<|constrain|>",
    "<|return|>",
    "<|call|>",
    "<|startoftext|>",
    "<|endoftext|>",
)
_MARKUP_FRAGMENTS: Final = (
    *_NAMED_SPECIAL_TEXTS,
    "<|reserved_200013|>",
    "<|reserved_201088|>",
    "<|endofprompt|>",  # special in tiktoken's o200k_harmony, plain text in Harmony
    "<|",
    "|>",
    "<|start",
    "end|>",
    "<|constrain|>json",
    " to=",
    "to=functions.get_weather",
    "assistant",
    "user",
    "tool",
    "functions.",
    "analysis",
    "commentary",
    "final",
    ":",
    "\n",
    "\r\n",
    "\t",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x85",
    "\u00a0",
    "\u2028",
    "\u3000",
    "\ufeff",
    "\u200d",
    "\ufffd",
    "\U0001f496",
    "\U0001f468\u200d\U0001f469",
    "e\u0301",
    "\x00",
    "\\",
    '"',
    "{}",
)
_COMMON_CHANNELS: Final = ("analysis", "commentary", "final")
_COMMON_RECIPIENTS: Final = ("functions.get_weather", "browser.search", "python", "assistant", "all", "")
_COMMON_CONTENT_TYPES: Final = ("<|constrain|>json", "json", "code", "<|constrain|>", "<|constrain|> json", "")

_ROLE_WORDS: Final = frozenset(role.value for role in Role)

# Unicode White_Space plus what Python's str.strip() also removes (\x1c-\x1f) all
# live in these categories; '<' starts every Harmony marker.
_WORD_CHARACTERS: Final = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), exclude_characters="<"
)


# -- models --------------------------------------------------------------------------


def roles() -> SearchStrategy[Role]:
    """Any :class:`~harmony_typed.Role`.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import Role
    >>> from harmony_typed.strategies import roles
    >>> @settings(deadline=None)
    ... @given(roles())
    ... def test_role_is_a_str(role):
    ...     assert Role(role.value) is role
    >>> test_role_is_a_str()
    """
    return st.sampled_from(list(Role))


def texts(*, max_size: int = 40) -> SearchStrategy[str]:
    """Hostile text: arbitrary Unicode mixed with Harmony markup.

    Special-token strings (``<|end|>``, ``<|channel|>``, ``<|reserved_201088|>``
    ...), their fragments, header words (``to=``, ``assistant``), Unicode
    whitespace, combining marks, emoji and control characters, glued to
    ordinary text.  ``max_size`` bounds the number of pieces, not characters.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import load_harmony_encoding
    >>> from harmony_typed.strategies import texts
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(deadline=None)
    ... @given(texts())
    ... def test_encode_ordinary_round_trips(text):
    ...     assert enc.decode_utf8(enc.encode_ordinary(text)) == text
    >>> test_encode_ordinary_round_trips()
    """
    piece = st.one_of(
        st.text(st.characters(codec="utf-8"), max_size=12),
        st.sampled_from(_MARKUP_FRAGMENTS),
    )
    return st.lists(piece, max_size=max_size).map("".join)


def _words() -> SearchStrategy[str]:
    """Non-empty header words that survive a render/parse round trip."""
    return st.text(_WORD_CHARACTERS, min_size=1, max_size=16)


def _optional_text(common: Sequence[str]) -> SearchStrategy[str | None]:
    return st.one_of(st.none(), st.sampled_from(list(common)), texts(max_size=6))


def authors(roles: Sequence[Role] | None = None) -> SearchStrategy[Author]:
    """Authors that render: tools always have a name, other roles sometimes.

    ``roles`` restricts the roles drawn (default: all five).

    >>> from hypothesis import given, settings
    >>> from harmony_typed import Role
    >>> from harmony_typed.strategies import authors
    >>> @settings(deadline=None)
    ... @given(authors([Role.TOOL]))
    ... def test_tools_are_named(author):
    ...     assert author.name is not None
    >>> test_tools_are_named()
    """
    pool = list(Role) if roles is None else list(roles)
    # Strategies are built once, outside the draw function: building them is what costs.
    role_strategy = st.sampled_from(pool)
    tool_names = st.one_of(st.just("functions.get_weather"), texts(max_size=6))
    other_names = st.one_of(st.none(), st.none(), texts(max_size=4))

    @st.composite
    def build(draw: st.DrawFn) -> Author:
        role = draw(role_strategy)
        name: str | None = draw(tool_names if role is Role.TOOL else other_names)
        return Author(role=role, name=name)

    return build()


def text_contents() -> SearchStrategy[TextContent]:
    """:class:`~harmony_typed.TextContent` with hostile :func:`texts`.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import Message, Role
    >>> from harmony_typed.strategies import text_contents
    >>> @settings(deadline=None)
    ... @given(text_contents())
    ... def test_text_survives_to_dict(item):
    ...     message = Message.from_role_and_content(Role.USER, item)
    ...     assert Message.from_dict(message.to_dict()) == message
    >>> test_text_survives_to_dict()
    """
    return texts().map(lambda text: TextContent(text=text))


def json_values(*, max_leaves: int = 12) -> SearchStrategy[JSONValue]:
    """Finite JSON values (no NaN or infinity, which the models reject with ``ValueError``).

    Integers stay within 64 bits, as JSON parsers and openai-harmony expect.

    >>> import json
    >>> from hypothesis import given, settings
    >>> from harmony_typed.strategies import json_values
    >>> @settings(deadline=None)
    ... @given(json_values())
    ... def test_json_round_trips(value):
    ...     assert json.loads(json.dumps(value)) == value
    >>> test_json_round_trips()
    """
    scalars: SearchStrategy[JSONValue] = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**64 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(st.characters(codec="utf-8"), max_size=10),
    )

    def extend(children: SearchStrategy[JSONValue]) -> SearchStrategy[JSONValue]:
        return st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=8), children, max_size=4),
        )

    return st.recursive(scalars, extend, max_leaves=max_leaves)


_SCHEMA_TYPES: Final = ("string", "number", "integer", "boolean", "null", "object", "array", "weird")


def json_schemas(*, max_leaves: int = 10) -> SearchStrategy[dict[str, JSONValue]]:
    """JSON-Schema-like objects for tool parameters, sensible and odd.

    Mostly schemas built from ``type``, ``properties``, ``required``, ``items``,
    ``enum``, ``oneOf``/``anyOf``, ``default``, ``description``, ``nullable``,
    ``title`` and ``examples`` (also with wrong shapes, such as a non-list
    ``required``), sometimes an arbitrary JSON object: the TypeScript-like
    renderer must cope with any JSON.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import ToolDescription
    >>> from harmony_typed.strategies import json_schemas
    >>> @settings(deadline=None)
    ... @given(json_schemas())
    ... def test_tools_accept_any_schema(schema):
    ...     ToolDescription.new("f", "does f", schema)
    >>> test_tools_accept_any_schema()
    """
    scalar: SearchStrategy[JSONValue] = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**31), max_value=2**31),
        st.floats(allow_nan=False, allow_infinity=False),
        texts(max_size=3),
    )
    annotations: dict[str, SearchStrategy[JSONValue]] = {
        "description": st.one_of(texts(max_size=5), scalar),
        "default": scalar,
        "title": texts(max_size=3),
        "examples": st.lists(scalar, max_size=3),
        "nullable": st.booleans(),
    }
    type_value: SearchStrategy[JSONValue] = st.one_of(
        st.sampled_from(_SCHEMA_TYPES), st.lists(st.sampled_from(_SCHEMA_TYPES), max_size=3), scalar
    )
    base: SearchStrategy[dict[str, JSONValue]] = st.one_of(
        st.fixed_dictionaries({"type": type_value}, optional=annotations),
        st.fixed_dictionaries({"enum": st.lists(scalar, max_size=4)}, optional={"type": type_value, **annotations}),
        st.fixed_dictionaries({"const": scalar}, optional=annotations),
        st.fixed_dictionaries({"$ref": st.just("#/$defs/x")}),
    )

    def extend(children: SearchStrategy[dict[str, JSONValue]]) -> SearchStrategy[dict[str, JSONValue]]:
        names = st.one_of(st.sampled_from(["location", "unit", "x", "y?", "a b", ""]), texts(max_size=2))
        properties: SearchStrategy[JSONValue] = st.one_of(
            st.dictionaries(names, children, max_size=4), json_values(max_leaves=3)
        )
        required: SearchStrategy[JSONValue] = st.one_of(st.lists(names, max_size=3), scalar)
        variants: SearchStrategy[JSONValue] = st.one_of(st.lists(children, max_size=3), scalar)
        return st.one_of(
            st.fixed_dictionaries(
                {"type": st.just("object")}, optional={"properties": properties, "required": required, **annotations}
            ),
            st.fixed_dictionaries({"type": st.just("array")}, optional={"items": children, **annotations}),
            st.fixed_dictionaries({"oneOf": variants}, optional={"type": type_value, **annotations}),
            st.fixed_dictionaries({"anyOf": variants}, optional=annotations),
            st.fixed_dictionaries({"allOf": variants}),
            st.fixed_dictionaries({"additionalProperties": children}, optional={"type": st.just("object")}),
        )

    arbitrary: SearchStrategy[dict[str, JSONValue]] = st.dictionaries(
        st.text(max_size=8), json_values(max_leaves=6), max_size=4
    )
    return st.one_of(st.recursive(base, extend, max_leaves=max_leaves), arbitrary)


def tool_descriptions() -> SearchStrategy[ToolDescription]:
    """Tools with hostile names and (multi-line) descriptions, parameters ``None`` or a :func:`json_schemas`.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import ToolDescription
    >>> from harmony_typed.strategies import tool_descriptions
    >>> @settings(deadline=None)
    ... @given(tool_descriptions())
    ... def test_tool_dict_round_trip(tool):
    ...     assert ToolDescription.from_dict(tool.to_dict()) == tool
    >>> test_tool_dict_round_trip()
    """
    return st.builds(
        ToolDescription,
        name=st.one_of(st.sampled_from(["get_weather", "search", "run"]), texts(max_size=4)),
        description=texts(max_size=8),
        parameters=st.one_of(st.none(), json_schemas()),
    )


def tool_namespaces() -> SearchStrategy[ToolNamespaceConfig]:
    """Tool namespaces: the built-in ``browser``/``python`` ones and generated ones.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import DeveloperContent, Message, Role, load_harmony_encoding
    >>> from harmony_typed.strategies import tool_namespaces
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(max_examples=25, deadline=None)
    ... @given(tool_namespaces())
    ... def test_namespace_renders(ns):
    ...     message = Message.from_role_and_content(Role.DEVELOPER, DeveloperContent().with_tools(ns))
    ...     assert enc.render(message)[-1] == 200007
    >>> test_namespace_renders()
    """
    generated = st.builds(
        ToolNamespaceConfig,
        name=st.one_of(st.sampled_from(["functions", "browser", "python", "ns"]), texts(max_size=3)),
        description=st.one_of(st.none(), texts(max_size=8)),
        tools=st.lists(tool_descriptions(), max_size=3),
    )
    return st.one_of(generated, st.builds(ToolNamespaceConfig.browser), st.builds(ToolNamespaceConfig.python))


def _namespace_maps() -> SearchStrategy[dict[str, ToolNamespaceConfig] | None]:
    # Keys usually equal the namespace name (what with_tools does), sometimes not (SPEC D08).
    keyed = st.lists(tool_namespaces(), max_size=3).map(lambda nss: {ns.name: ns for ns in nss})
    odd = st.dictionaries(st.one_of(st.just("functions"), texts(max_size=2)), tool_namespaces(), max_size=2)
    return st.one_of(st.none(), keyed, odd)


def channel_configs() -> SearchStrategy[ChannelConfig]:
    """Channel configurations, including an empty channel list.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import ChannelConfig
    >>> from harmony_typed.strategies import channel_configs
    >>> @settings(deadline=None)
    ... @given(channel_configs())
    ... def test_channel_config_dict(config):
    ...     assert ChannelConfig.from_dict(config.to_dict()) == config
    >>> test_channel_config_dict()
    """
    return st.builds(
        ChannelConfig,
        valid_channels=st.lists(st.one_of(st.sampled_from(_COMMON_CHANNELS), texts(max_size=3)), max_size=4),
        channel_required=st.booleans(),
    )


def system_contents() -> SearchStrategy[SystemContent]:
    """:class:`~harmony_typed.SystemContent` with every field ``None``, default, or generated.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import Message, Role, load_harmony_encoding
    >>> from harmony_typed.strategies import system_contents
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(max_examples=25, deadline=None)
    ... @given(system_contents())
    ... def test_system_message_renders(content):
    ...     enc.render(Message.from_role_and_content(Role.SYSTEM, content))
    >>> test_system_message_renders()
    """
    return st.builds(
        SystemContent,
        model_identity=st.one_of(st.none(), st.just(SystemContent().model_identity), texts(max_size=6)),
        reasoning_effort=st.one_of(st.none(), st.sampled_from(list(ReasoningEffort))),
        conversation_start_date=st.one_of(st.none(), st.just("2025-08-05"), texts(max_size=3)),
        knowledge_cutoff=st.one_of(st.none(), st.just("2024-06"), texts(max_size=3)),
        channel_config=st.one_of(st.none(), st.just(SystemContent().channel_config), channel_configs()),
        tools=_namespace_maps(),
    )


def developer_contents() -> SearchStrategy[DeveloperContent]:
    """:class:`~harmony_typed.DeveloperContent`: instructions and tools (often ``functions``).

    >>> from hypothesis import given, settings
    >>> from harmony_typed import DeveloperContent
    >>> from harmony_typed.strategies import developer_contents
    >>> @settings(max_examples=25, deadline=None)
    ... @given(developer_contents())
    ... def test_developer_dict(content):
    ...     assert DeveloperContent.from_dict(content.to_dict()) == content
    >>> test_developer_dict()
    """
    functions = st.lists(tool_descriptions(), max_size=3).map(
        lambda tools: {"functions": ToolNamespaceConfig(name="functions", description=None, tools=tools)}
    )
    return st.builds(
        DeveloperContent,
        instructions=st.one_of(st.none(), texts(max_size=8)),
        tools=st.one_of(functions, _namespace_maps()),
    )


def messages(roles: Sequence[Role] | None = None) -> SearchStrategy[Message]:
    """Messages that render without error, with hostile header fields and content.

    Content items match the role (``SystemContent`` only in system messages,
    ``DeveloperContent`` only in developer messages, text anywhere), tool
    messages have a name.  Channels, recipients and content types are ``None``,
    a common value (``final``, ``functions.get_weather``, ``<|constrain|>json``,
    ``all``, ``""`` ...) or hostile :func:`texts`.  ``roles`` restricts the roles.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import load_harmony_encoding
    >>> from harmony_typed.strategies import messages
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(max_examples=25, deadline=None)
    ... @given(messages())
    ... def test_render_is_framed(message):
    ...     tokens = enc.render(message)
    ...     assert tokens[0] == 200006 and tokens[-1] in (200007, 200012)
    >>> test_render_is_framed()
    """
    pool = list(Role) if roles is None else list(roles)
    author_strategy = authors(pool)
    text_items: SearchStrategy[Sequence[Content]] = st.lists(text_contents(), max_size=3)
    items: dict[Role, SearchStrategy[Sequence[Content]]] = {
        Role.SYSTEM: st.lists(st.one_of(text_contents(), system_contents()), max_size=3),
        Role.DEVELOPER: st.lists(st.one_of(text_contents(), developer_contents()), max_size=3),
    }
    channels = _optional_text(_COMMON_CHANNELS)
    recipients = _optional_text(_COMMON_RECIPIENTS)
    content_types = _optional_text(_COMMON_CONTENT_TYPES)

    @st.composite
    def build(draw: st.DrawFn) -> Message:
        author = draw(author_strategy)
        return Message(
            author=author,
            content=draw(items.get(author.role, text_items)),
            channel=draw(channels),
            recipient=draw(recipients),
            content_type=draw(content_types),
        )

    return build()


def conversations(*, min_size: int = 0, max_size: int = 8) -> SearchStrategy[Conversation]:
    """Conversations of :func:`messages`, often opened by a system and a developer message.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import load_harmony_encoding
    >>> from harmony_typed.strategies import conversations
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(max_examples=10, deadline=None)
    ... @given(conversations())
    ... def test_render_is_deterministic(convo):
    ...     assert enc.render_conversation(convo) == enc.render_conversation(convo)
    >>> test_render_is_deterministic()
    """

    systems, developers, message_strategy = system_contents(), developer_contents(), messages()

    @st.composite
    def build(draw: st.DrawFn) -> Conversation:
        head: list[Message] = []
        if len(head) < max_size and draw(st.booleans()):
            head.append(Message.from_role_and_content(Role.SYSTEM, draw(systems)))
        if len(head) < max_size and draw(st.booleans()):
            head.append(Message.from_role_and_content(Role.DEVELOPER, draw(developers)))
        size = max(0, min_size - len(head))
        rest = draw(st.lists(message_strategy, min_size=size, max_size=max(size, max_size - len(head))))
        return Conversation(messages=(*head, *rest))

    return build()


# -- completions -------------------------------------------------------------------


def round_trip_messages(roles: Sequence[Role] = (Role.ASSISTANT,)) -> SearchStrategy[Message]:
    """Messages ``m`` with ``parse(render(m)) == [m]`` (role hint ``None``, strict or not).

    This is the subset of messages whose header survives the parser
    (SPEC §6.3): no author name except a tool's (a non-empty word that is not
    another role's name), a recipient other than ``"all"`` that is one word, a
    non-empty one-word channel without ``<``, a one-word content type only
    together with a recipient, and exactly one text item (any text: content is
    never re-interpreted).  Tool messages always have a recipient.  Header
    words contain no whitespace (Unicode ``White_Space``, Python's
    ``str.isspace``), control characters or ``<``, except a content type that
    starts with ``<|constrain|>``.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import load_harmony_encoding
    >>> from harmony_typed.strategies import round_trip_messages
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(deadline=None)
    ... @given(round_trip_messages())
    ... def test_round_trip(message):
    ...     tokens = enc.render(message)
    ...     assert enc.parse_messages_from_completion_tokens(tokens) == [message]
    >>> test_round_trip()
    """
    role_strategy = st.sampled_from(list(roles))
    tool_names = st.one_of(st.just("functions.get_weather"), _words()).filter(
        lambda w: w == "tool" or w not in _ROLE_WORDS
    )
    recipients = st.one_of(st.sampled_from(["functions.get_weather", "browser.search", "python", ""]), _words()).filter(
        lambda r: r != "all"
    )
    channels = st.one_of(st.none(), st.sampled_from(_COMMON_CHANNELS), _words())
    content_types = st.one_of(
        st.sampled_from(["<|constrain|>json", "json", "code", "<|constrain|>"]),
        _words().map(lambda w: "<|constrain|>" + w),
        _words(),
    ).filter(lambda c: not c.startswith("to="))
    bodies = texts()

    @st.composite
    def build(draw: st.DrawFn) -> Message:
        role = draw(role_strategy)
        name = draw(tool_names) if role is Role.TOOL else None
        recipient: str | None = draw(recipients)
        if role is not Role.TOOL and draw(st.booleans()):
            recipient = None
        content_type = draw(content_types) if recipient is not None and draw(st.booleans()) else None
        return Message(
            author=Author(role=role, name=name),
            content=(TextContent(text=draw(bodies)),),
            channel=draw(channels),
            recipient=recipient,
            content_type=content_type,
        )

    return build()


@attrs.frozen
class Completion:
    """Token ids a model could sample, with the messages they parse to.

    ``parse_messages_from_completion_tokens(tokens, role)`` returns
    ``list(messages)``, strict or not, and so does streaming them through a
    ``StreamableParser(encoding, role)``.
    """

    tokens: tuple[int, ...]
    """The completion's token ids."""
    role: Role | None
    """The role hint to parse with: ``None`` when ``tokens`` start with ``<|start|>``, else the
    first message's role (the prompt ended with ``<|start|>{role}``)."""
    messages: tuple[Message, ...]
    """What the tokens parse to."""


def completions(
    encoding: HarmonyEncoding | None = None,
    *,
    roles: Sequence[Role] = (Role.ASSISTANT,),
    max_messages: int = 4,
    role_hint: bool | None = None,
) -> SearchStrategy[Completion]:
    """Valid completions: rendered :func:`round_trip_messages`, as a model would sample them.

    One to ``max_messages`` messages rendered back to back.  Sometimes the first
    message's ``<|start|>{role}`` is left out and given as the role hint instead
    (what sampling after ``render_conversation_for_completion`` produces;
    ``role_hint=True`` always does that unless the first message is a tool's,
    ``False`` never), the last stop token is replaced by ``<|return|>`` or left
    out (end of stream completes a message).  ``roles`` are the roles of the
    messages (default: assistant only), ``encoding`` defaults to ``HarmonyGptOss``.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import load_harmony_encoding
    >>> from harmony_typed.strategies import completions
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(deadline=None)
    ... @given(completions())
    ... def test_parse_completions(completion):
    ...     parsed = enc.parse_messages_from_completion_tokens(completion.tokens, completion.role)
    ...     assert parsed == list(completion.messages)
    >>> test_parse_completions()
    """
    enc = load_harmony_encoding("HarmonyGptOss") if encoding is None else encoding
    role_prefix = {role: [_specials.START, *enc.encode_ordinary(role.value)] for role in Role}

    message_lists = st.lists(round_trip_messages(roles), min_size=1, max_size=max_messages)

    @st.composite
    def build(draw: st.DrawFn) -> Completion:
        msgs = draw(message_lists)
        tokens: list[int] = []
        for message in msgs:
            tokens.extend(enc.render(message))
        hint: Role | None = None
        first = msgs[0].author.role
        if first is not Role.TOOL and (role_hint if role_hint is not None else draw(st.booleans())):
            prefix = role_prefix[first]
            assert tokens[: len(prefix)] == prefix
            del tokens[: len(prefix)]
            hint = first
        ending = draw(st.sampled_from(["keep", "return", "eos"]))
        if ending == "return":
            tokens[-1] = _specials.RETURN
        elif ending == "eos":
            tokens.pop()
        return Completion(tokens=tuple(tokens), role=hint, messages=tuple(msgs))

    return build()


def completion_tokens(encoding: HarmonyEncoding | None = None) -> SearchStrategy[list[int]]:
    """The token ids of :func:`completions` without role hint (they start with ``<|start|>``).

    >>> from hypothesis import given, settings
    >>> from harmony_typed import StreamableParser, load_harmony_encoding
    >>> from harmony_typed.strategies import completion_tokens
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(deadline=None)
    ... @given(completion_tokens())
    ... def test_stream_equals_batch(tokens):
    ...     parser = StreamableParser(enc, None)
    ...     for token in tokens:
    ...         parser.process(token)
    ...     parser.process_eos()
    ...     assert parser.messages == enc.parse_messages_from_completion_tokens(tokens)
    >>> test_stream_equals_batch()
    """
    return completions(encoding, role_hint=False).map(lambda c: list(c.tokens))


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
# Ordinary ids whose bytes are partial or invalid UTF-8 (SPEC §6.4, T3/T4).
_BROKEN_UTF8_IDS: Final = (9552, 31446, 28823, 244, 101, 102, 2524, 9559, 157, 188, 254)
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
        return _BROKEN_UTF8_IDS[choose(0, len(_BROKEN_UTF8_IDS) - 1)]
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
        tokens.insert(choose(0, n), _BROKEN_UTF8_IDS[choose(0, len(_BROKEN_UTF8_IDS) - 1)])
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
