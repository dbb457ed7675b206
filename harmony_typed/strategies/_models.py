"""Model strategies: roles, texts, JSON schemas, tools, system/developer contents, messages, conversations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

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
COMMON_CHANNELS: Final = ("analysis", "commentary", "final")
_COMMON_RECIPIENTS: Final = ("functions.get_weather", "browser.search", "python", "assistant", "all", "")
_COMMON_CONTENT_TYPES: Final = ("<|constrain|>json", "json", "code", "<|constrain|>", "<|constrain|> json", "")

ROLE_WORDS: Final = frozenset(role.value for role in Role)

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


def words() -> SearchStrategy[str]:
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
        valid_channels=st.lists(st.one_of(st.sampled_from(COMMON_CHANNELS), texts(max_size=3)), max_size=4),
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
    channels = _optional_text(COMMON_CHANNELS)
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
