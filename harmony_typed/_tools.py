"""Tool models: ToolDescription (one JSON-Schema tool) and ToolNamespaceConfig (a namespace of tools)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from harmony_typed._enums import JSONDict, JSONValue
from harmony_typed._pydantic_schema import pydantic_schema_hook
from harmony_typed._validation import (
    _check_instance,
    _check_str,
    _drop_none,
    _expect_mapping,
    _json_private,
    _opt_str,
    _required,
    _type_name,
)

__all__ = ["ToolDescription", "ToolNamespaceConfig"]


@attrs.frozen(kw_only=True)
class ToolDescription:
    """A tool: name, description and an optional JSON Schema for its parameters.

    ``parameters`` is validated and copied on construction; the copy is shared by
    tools with equal parameters (the models are immutable): treat it as read-only.
    """

    name: str
    description: str
    parameters: JSONDict | None = None

    def __attrs_post_init__(self) -> None:
        _check_str("ToolDescription", "name", self.name)
        _check_str("ToolDescription", "description", self.description)
        if self.parameters is not None:
            if not isinstance(self.parameters, Mapping):
                raise TypeError(
                    f"ToolDescription.parameters must be a dict (a JSON Schema) or None, "
                    f"got {_type_name(self.parameters)}: {self.parameters!r}"
                )
            object.__setattr__(self, "parameters", _json_private(self.parameters, "ToolDescription.parameters"))

    @classmethod
    def new(cls, name: str, description: str, parameters: Mapping[str, JSONValue] | None = None) -> ToolDescription:
        return cls(name=name, description=description, parameters=dict(parameters) if parameters is not None else None)

    def to_dict(self) -> dict[str, object]:
        return _drop_none((("name", self.name), ("description", self.description), ("parameters", self.parameters)))

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> ToolDescription:
        raw = _expect_mapping("ToolDescription", raw)
        params = raw.get("parameters")
        return cls(
            name=_required(raw, "name", "ToolDescription"),  # type: ignore[arg-type]  # validated in __attrs_post_init__
            description=_required(raw, "description", "ToolDescription"),  # type: ignore[arg-type]
            parameters=params,  # type: ignore[arg-type]
        )

    __get_pydantic_core_schema__ = pydantic_schema_hook()


def _tool_tuple(value: Iterable[ToolDescription]) -> tuple[ToolDescription, ...]:
    return tuple(value)


_BROWSER_DESCRIPTION: Final = (
    "Tool for browsing.\n"
    "The `cursor` appears in brackets before each browsing display: `[{cursor}]`.\n"
    "Cite information from the tool using the following format:\n"
    "`\u3010{cursor}\u2020L{line_start}(-L{line_end})?\u3011`, for example: "
    "`\u30106\u2020L9-L11\u3011` or `\u30108\u2020L3\u3011`.\n"
    "Do not quote more than 10 words directly from the tool output.\n"
    "sources=web (default: web)"
)
_PYTHON_DESCRIPTION: Final = (
    "Use this tool to execute Python code in your chain of thought. The code will not be shown to the "
    "user. This tool should be used for internal reasoning, but not for code that is intended to be "
    "visible to the user (e.g. when creating plots, tables, or files).\n\n"
    "When you send a message containing Python code to python, it will be executed in a stateful "
    "Jupyter notebook environment. python will respond with the output of the execution or time out "
    "after 120.0 seconds. The drive at '/mnt/data' can be used to save and persist user files. "
    "Internet access for this session is UNKNOWN. Depends on the cluster."
)


@attrs.frozen(kw_only=True)
class ToolNamespaceConfig:
    """A namespace of tools (``functions``, ``browser``, ``python``, ...)."""

    name: str
    description: str | None = None
    tools: tuple[ToolDescription, ...] = attrs.field(converter=_tool_tuple)

    def __attrs_post_init__(self) -> None:
        _check_str("ToolNamespaceConfig", "name", self.name)
        _check_str("ToolNamespaceConfig", "description", self.description, optional=True)
        for tool in self.tools:
            _check_instance("ToolNamespaceConfig", "tools[]", tool, ToolDescription)

    @staticmethod
    def browser() -> ToolNamespaceConfig:
        """The built-in ``browser`` namespace (search / open / find)."""
        return ToolNamespaceConfig(
            name="browser",
            description=_BROWSER_DESCRIPTION,
            tools=(
                ToolDescription(
                    name="search",
                    description="Searches for information related to `query` and displays `topn` results.",
                    parameters={
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "topn": {"type": "number", "default": 10},
                            "source": {"type": "string"},
                        },
                        "required": ["query"],
                    },
                ),
                ToolDescription(
                    name="open",
                    description=(
                        "Opens the link `id` from the page indicated by `cursor` starting at line number "
                        "`loc`, showing `num_lines` lines.\n"
                        "Valid link ids are displayed with the formatting: `\u3010{id}\u2020.*\u3011`.\n"
                        "If `cursor` is not provided, the most recent page is implied.\n"
                        "If `id` is a string, it is treated as a fully qualified URL associated with `source`.\n"
                        "If `loc` is not provided, the viewport will be positioned at the beginning of the "
                        "document or centered on the most relevant passage, if available.\n"
                        "Use this function without `id` to scroll to a new location of an opened page."
                    ),
                    parameters={
                        "type": "object",
                        "properties": {
                            "id": {"type": ["number", "string"], "default": -1},
                            "cursor": {"type": "number", "default": -1},
                            "loc": {"type": "number", "default": -1},
                            "num_lines": {"type": "number", "default": -1},
                            "view_source": {"type": "boolean", "default": False},
                            "source": {"type": "string"},
                        },
                    },
                ),
                ToolDescription(
                    name="find",
                    description="Finds exact matches of `pattern` in the current page, or the page given by `cursor`.",
                    parameters={
                        "type": "object",
                        "properties": {
                            "pattern": {"type": "string"},
                            "cursor": {"type": "number", "default": -1},
                        },
                        "required": ["pattern"],
                    },
                ),
            ),
        )

    @staticmethod
    def python() -> ToolNamespaceConfig:
        """The built-in ``python`` namespace (no typed tools, description only)."""
        return ToolNamespaceConfig(name="python", description=_PYTHON_DESCRIPTION, tools=())

    def to_dict(self) -> dict[str, object]:
        return _drop_none(
            (("name", self.name), ("description", self.description), ("tools", [t.to_dict() for t in self.tools]))
        )

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> ToolNamespaceConfig:
        raw = _expect_mapping("ToolNamespaceConfig", raw)
        tools = _required(raw, "tools", "ToolNamespaceConfig")
        if not isinstance(tools, (list, tuple)):
            raise TypeError(f"ToolNamespaceConfig.tools must be a list, got {_type_name(tools)}: {tools!r}")
        return cls(
            name=_required(raw, "name", "ToolNamespaceConfig"),  # type: ignore[arg-type]
            description=_opt_str(raw, "description", "ToolNamespaceConfig"),
            tools=[t if isinstance(t, ToolDescription) else ToolDescription.from_dict(t) for t in tools],
        )

    __get_pydantic_core_schema__ = pydantic_schema_hook()


def _namespaces(value: Mapping[str, ToolNamespaceConfig] | None) -> dict[str, ToolNamespaceConfig] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"tools must be a dict of str to ToolNamespaceConfig or None, got {_type_name(value)}")
    out: dict[str, ToolNamespaceConfig] = {}
    for key, ns in value.items():
        _check_str("tools", "key", key)
        _check_instance("tools", repr(key), ns, ToolNamespaceConfig)
        out[key] = ns
    return out


def _namespaces_from_raw(raw: object) -> dict[str, ToolNamespaceConfig] | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise TypeError(f"tools must be a dict, got {_type_name(raw)}: {raw!r}")
    return {
        key: ns if isinstance(ns, ToolNamespaceConfig) else ToolNamespaceConfig.from_dict(ns) for key, ns in raw.items()
    }


def _with_namespace(
    tools: Mapping[str, ToolNamespaceConfig] | None, ns: ToolNamespaceConfig
) -> dict[str, ToolNamespaceConfig]:
    _check_instance("with_tools", "ns_config", ns, ToolNamespaceConfig)
    out = dict(tools) if tools is not None else {}
    out[ns.name] = ns
    return out


def _tools_to_dict(tools: Mapping[str, ToolNamespaceConfig] | None) -> dict[str, object] | None:
    return None if tools is None else {key: ns.to_dict() for key, ns in tools.items()}
