"""The text of system and developer content (SPEC §3), exactly as openai-harmony 0.0.8 writes it.

The renderer (:mod:`harmony_typed._render`) turns this text into tokens as
one piece and caches the result per content object, so nothing here is on
the hot path: the functions favour being obviously equal to the spec over
speed.  They are plain functions over the attrs models (compiled with mypyc,
hence no generators, closures or comprehensions over generators).

System text = ``"\\n\\n".join(sections)`` of, in order and each only when it applies:

1. identity / ``Knowledge cutoff: …`` / ``Current date: …`` lines (joined with ``"\\n"``);
2. ``Reasoning: low|medium|high``;
3. the tools section (:func:`tools_section`) for a non-empty ``tools`` map;
4. ``# Valid channels: a, b.`` + `` Channel must be included for every message.``
   (if required) + ``"\\nCalls to these tools must go to the commentary channel: 'functions'."``
   (if the conversation has function tools) — only for a non-empty channel list.

Developer text = ``"\\n\\n".join`` of ``"# Instructions"``, the instructions
(both only when ``instructions is not None``) and the tools section.
"""

from __future__ import annotations

from typing import Final

from harmony_typed._models import DeveloperContent, SystemContent, ToolNamespaceConfig
from harmony_typed._rust import rust_lines
from harmony_typed._schema_ts import parameters_to_typescript

__all__ = ["developer_text", "namespace_block", "system_text", "tools_section"]

CALLS_TO_FUNCTIONS_LINE: Final = "\nCalls to these tools must go to the commentary channel: 'functions'."
"""Appended to the channels line when the conversation has non-empty ``functions`` tools."""


def system_text(content: SystemContent, has_function_tools: bool) -> str:
    """The text between ``<|message|>`` and ``<|end|>`` of a ``SystemContent`` item (SPEC §3.2).

    ``has_function_tools`` is the conversation-wide flag of SPEC §3.2; it only
    matters when the channel list is non-empty.
    """
    sections: list[str] = []
    top: list[str] = []
    if content.model_identity is not None:
        top.append(content.model_identity)
    if content.knowledge_cutoff is not None:
        top.append("Knowledge cutoff: " + content.knowledge_cutoff)
    if content.conversation_start_date is not None:
        top.append("Current date: " + content.conversation_start_date)
    if top:
        # An empty-string field still makes a line (S13, S14).
        sections.append("\n".join(top))
    effort = content.reasoning_effort
    if effort is not None:
        sections.append("Reasoning: " + effort.value.lower())
    tools = content.tools
    if tools:
        sections.append(tools_section(tools))
    config = content.channel_config
    if config is not None and len(config.valid_channels) > 0:
        line = "# Valid channels: " + ", ".join(config.valid_channels) + "."
        if config.channel_required:
            line += " Channel must be included for every message."
        if has_function_tools:
            line += CALLS_TO_FUNCTIONS_LINE
        sections.append(line)
    return "\n\n".join(sections)


def developer_text(content: DeveloperContent) -> str:
    """The text of a ``DeveloperContent`` item (SPEC §3.6); it never mentions the function-tools flag."""
    sections: list[str] = []
    if content.instructions is not None:
        # Two sections, so "" still gives "# Instructions\n\n" (D03).
        sections.append("# Instructions")
        sections.append(content.instructions)
    tools = content.tools
    if tools:
        sections.append(tools_section(tools))
    return "\n\n".join(sections)


def tools_section(tools: dict[str, ToolNamespaceConfig]) -> str:
    """``"# Tools"`` followed by one block per namespace, ordered by map **key** (SPEC §3.4)."""
    parts: list[str] = ["# Tools"]
    # Keys are unique, so sorting the keys alone is the upstream BTreeMap order
    # (code point order == UTF-8 byte order).
    for key in sorted(tools):
        parts.append("\n\n")
        parts.append(namespace_block(tools[key]))
    return "".join(parts)


def namespace_block(ns: ToolNamespaceConfig) -> str:
    """One namespace: ``## name``, its description, and a ``namespace name { … }`` of tool types.

    Several parts end in ``"\\n"`` and are then joined with ``"\\n"``, which is
    where the blank lines after ``## name``, ``namespace … {`` and every
    ``type …;`` come from.  The header uses ``ns.name``, not the map key (D08).
    """
    has_tools = len(ns.tools) > 0
    parts: list[str] = ["## " + ns.name + "\n"]
    if ns.description is not None:
        for line in rust_lines(ns.description):
            # Without tools the description is written raw (re-joined with "\n").
            parts.append("// " + line if has_tools else line)
    if has_tools:
        parts.append("namespace " + ns.name + " {\n")
        for tool in ns.tools:
            for line in rust_lines(tool.description):
                parts.append("// " + line)
            if tool.parameters is not None:
                parts.append(
                    "type " + tool.name + " = (_: " + parameters_to_typescript(tool.parameters) + ") => any;\n"
                )
            else:
                parts.append("type " + tool.name + " = () => any;\n")
        parts.append("} // namespace " + ns.name)
    return "\n".join(parts)
