"""Regenerate ``tests/golden/schema_ts.json`` from the reference implementation.

Run ``nox -s golden``, or from the repository root with the oracle installed::

    python tests/golden/generate_schema_ts.py

For every case the ``parameters`` are put on a function tool ``f`` (description
``d``) of a developer message; the message is rendered by openai-harmony 0.0.8
and the ``type f = ...;`` declaration is cut out of the decoded text.  The
catalogue cases TS-01..TS-97 are the schema catalogue of the specification
(inputs copied here as JSON text, key order significant); the X-* cases are
extra, nastier inputs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "schema_ts.json"

PREFIX = "<|start|>developer<|message|># Tools\n\n## functions\n\nnamespace functions {\n\n// d\n"
SUFFIX = "\n\n} // namespace functions<|end|>"
TS_OPEN = "type f = (_: "
TS_CLOSE = ") => any;"
NO_PARAMS = "type f = () => any;"

CATALOGUE: list[tuple[str, str, str]] = [
    ("TS-01", "none", "null"),
    ("TS-02", "empty dict", "{}"),
    ("TS-03", "obj no props", '{"type": "object"}'),
    ("TS-04", "obj empty props", '{"type": "object", "properties": {}}'),
    ("TS-05", "obj desc no props", '{"type": "object", "description": "D"}'),
    ("TS-06", "string", '{"type": "string"}'),
    ("TS-07", "integer", '{"type": "integer"}'),
    ("TS-08", "number", '{"type": "number"}'),
    ("TS-09", "boolean", '{"type": "boolean"}'),
    ("TS-10", "null", '{"type": "null"}'),
    ("TS-11", "array no items", '{"type": "array"}'),
    ("TS-12", "array items str", '{"type": "array", "items": {"type": "string"}}'),
    ("TS-13", "weird type", '{"type": "foo"}'),
    ("TS-14", "type list", '{"type": ["integer", "string", "null"]}'),
    ("TS-15", "type list empty", '{"type": []}'),
    ("TS-16", "type list nonstr", '{"type": [1, "string"]}'),
    ("TS-17", "type not str", '{"type": 5}'),
    ("TS-18", "enum no type", '{"enum": ["a", "b"]}'),
    ("TS-19", "enum number", '{"type": "number", "enum": [1, 2]}'),
    ("TS-20", "enum mixed", '{"type": "string", "enum": ["a", 1, null, "b"]}'),
    ("TS-21", "enum only nonstr", '{"type": "string", "enum": [1, 2]}'),
    ("TS-22", "enum empty", '{"type": "string", "enum": []}'),
    ("TS-23", "anyOf", '{"anyOf": [{"type": "string"}, {"type": "number"}]}'),
    ("TS-24", "allOf", '{"allOf": [{"type": "string"}]}'),
    ("TS-25", "ref", '{"$ref": "#/defs/x"}'),
    ("TS-26", "const", '{"const": "x"}'),
    ("TS-27", "top oneOf", '{"oneOf": [{"type": "string"}, {"type": "number", "description": "num", "default": 3}]}'),
    (
        "TS-28",
        "top oneOf nullable variant",
        '{"oneOf": [{"type": "string", "nullable": true}, {"type": ["number", "null"], "nullable": true}]}',
    ),
    (
        "TS-29",
        "top oneOf objects",
        '{"oneOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}, {"type": "object", "description": "second", "properties": {"b": {"type": "number"}}}]}',
    ),
    ("TS-30", "top oneOf not array", '{"oneOf": {"type": "string"}}'),
    ("TS-31", "oneOf not array with type", '{"type": "string", "oneOf": {"type": "number"}}'),
    ("TS-32", "oneOf with type", '{"type": "string", "oneOf": [{"type": "number"}]}'),
    ("TS-33", "oneOf empty", '{"oneOf": []}'),
    (
        "TS-34",
        "nested obj",
        '{"type": "object", "properties": {"outer": {"type": "object", "description": "Outer desc", "properties": {"inner": {"type": "string", "description": "Inner desc"}, "deep": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}}, "required": ["inner"]}}, "required": ["outer"]}',
    ),
    (
        "TS-35",
        "array of obj",
        '{"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer", "description": "the id"}, "tags": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}}}, "required": ["id"]}}}}',
    ),
    (
        "TS-36",
        "array of arrays",
        '{"type": "object", "properties": {"m": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}}}',
    ),
    (
        "TS-37",
        "array items oneOf",
        '{"type": "object", "properties": {"m": {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "number"}]}}}}',
    ),
    (
        "TS-38",
        "array items type list",
        '{"type": "object", "properties": {"m": {"type": "array", "items": {"type": ["string", "number"]}}}}',
    ),
    (
        "TS-39",
        "nullable prop",
        '{"type": "object", "properties": {"a": {"type": "string", "nullable": true}, "b": {"type": ["string", "null"], "nullable": true}, "c": {"type": "integer", "nullable": false}, "d": {"type": "string", "nullable": "yes"}}}',
    ),
    (
        "TS-40",
        "nullable enum",
        '{"type": "object", "properties": {"a": {"type": "string", "enum": ["x", "null"], "nullable": true}}}',
    ),
    (
        "TS-41",
        "nullable array",
        '{"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}, "nullable": true}}}',
    ),
    (
        "TS-42",
        "nullable obj",
        '{"type": "object", "properties": {"a": {"type": "object", "properties": {"q": {"type": "string"}}, "nullable": true}}}',
    ),
    (
        "TS-43",
        "defaults",
        '{"type": "object", "properties": {"s": {"type": "string", "default": "x"}, "s_q": {"type": "string", "default": "he said \\"hi\\"\\n"}, "e": {"type": "string", "enum": ["a", "b"], "default": "a"}, "e_nonstr": {"type": "string", "enum": ["a", "b"], "default": 1}, "i": {"type": "integer", "default": 5}, "f": {"type": "number", "default": 1.5}, "f1": {"type": "number", "default": 1.0}, "big": {"type": "number", "default": 1e+20}, "small": {"type": "number", "default": 1.5e-07}, "neg": {"type": "number", "default": -0.0}, "hugeint": {"type": "integer", "default": 123456789012345678901234567890}, "b": {"type": "boolean", "default": true}, "n": {"type": "string", "default": null}, "arr": {"type": "array", "items": {"type": "number"}, "default": [1, 2, "x"]}, "obj": {"type": "object", "default": {"k": "v", "n": [1, {"z": null}], "u": "é"}}, "enum_on_number_default_str": {"type": "number", "enum": ["a"], "default": "a"}, "enum_empty_default_str": {"type": "string", "enum": [], "default": "a"}}}',
    ),
    (
        "TS-44",
        "descriptions",
        '{"type": "object", "properties": {"a": {"type": "string", "description": "line1\\nline2"}, "b": {"type": "string", "description": ""}, "c": {"type": "string", "description": 5}, "d": {"type": "string", "title": "T"}, "e": {"type": "string", "title": "T", "description": "D"}, "f": {"type": "string", "examples": []}, "g": {"type": "string", "examples": [1, "x", null]}, "h": {"type": "string", "examples": "notarray"}, "i": {"type": "string", "title": 5}, "j": {"type": "string", "title": "T", "description": "D", "examples": ["e1"], "default": "dd"}}}',
    ),
    (
        "TS-45",
        "required variants",
        '{"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "required": ["b", "zzz", 5]}',
    ),
    ("TS-46", "required not array", '{"type": "object", "properties": {"a": {"type": "string"}}, "required": "a"}'),
    ("TS-47", "props not object", '{"type": "object", "properties": [{"a": 1}]}'),
    ("TS-48", "prop schema not obj", '{"type": "object", "properties": {"a": "string", "b": 5, "c": null, "d": true}}'),
    (
        "TS-49",
        "prop oneOf basic",
        '{"type": "object", "properties": {"p": {"oneOf": [{"type": "string"}, {"type": "number"}]}}, "required": ["p"]}',
    ),
    (
        "TS-50",
        "prop oneOf desc same as first",
        '{"type": "object", "properties": {"p": {"description": "same", "oneOf": [{"type": "string", "description": "same"}, {"type": "number", "description": "other"}]}}}',
    ),
    (
        "TS-51",
        "prop oneOf desc same as second",
        '{"type": "object", "properties": {"p": {"description": "same", "oneOf": [{"type": "string", "description": "first"}, {"type": "number", "description": "same"}]}}}',
    ),
    (
        "TS-52",
        "prop oneOf no prop desc",
        '{"type": "object", "properties": {"p": {"oneOf": [{"type": "string", "description": "first"}, {"type": "number", "description": "second"}]}}}',
    ),
    (
        "TS-53",
        "prop oneOf defaults",
        '{"type": "object", "properties": {"p": {"default": "s", "oneOf": [{"type": "string", "default": "v"}, {"type": "string", "enum": ["a", "b"], "default": "a"}, {"type": "number", "default": 2}]}}}',
    ),
    (
        "TS-54",
        "prop oneOf enum default",
        '{"type": "object", "properties": {"p": {"type": "string", "enum": ["a"], "default": "a", "oneOf": [{"type": "string"}]}}}',
    ),
    (
        "TS-55",
        "prop oneOf nullable",
        '{"type": "object", "properties": {"p": {"nullable": true, "oneOf": [{"type": "string", "nullable": true}, {"type": "object", "properties": {"x": {"type": "string"}}}]}}}',
    ),
    (
        "TS-56",
        "prop oneOf title examples",
        '{"type": "object", "properties": {"p": {"title": "TT", "examples": ["ex"], "description": "pd", "oneOf": [{"type": "string"}]}}}',
    ),
    (
        "TS-57",
        "prop oneOf nested object",
        '{"type": "object", "properties": {"p": {"oneOf": [{"type": "object", "description": "obj variant", "properties": {"x": {"type": "string", "description": "xd"}, "y": {"oneOf": [{"type": "number"}, {"type": "boolean"}]}}, "required": ["x"]}, {"type": "array", "items": {"type": "object", "properties": {"z": {"type": "string"}}}}]}}}',
    ),
    (
        "TS-58",
        "prop oneOf not array",
        '{"type": "object", "properties": {"p": {"oneOf": {"type": "string"}, "description": "D", "default": "x"}}}',
    ),
    (
        "TS-59",
        "prop anyOf",
        '{"type": "object", "properties": {"p": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "anyof prop", "default": null}}}',
    ),
    (
        "TS-60",
        "nested oneOf in variant",
        '{"type": "object", "properties": {"p": {"oneOf": [{"oneOf": [{"type": "string"}, {"type": "number"}]}, {"type": "boolean"}]}}}',
    ),
    (
        "TS-61",
        "obj desc nested",
        '{"type": "object", "properties": {"o": {"type": "object", "description": "nested desc", "properties": {"a": {"type": "string"}}}}}',
    ),
    (
        "TS-62",
        "array items obj with desc",
        '{"type": "object", "properties": {"a": {"type": "array", "items": {"type": "object", "description": "item desc", "properties": {"q": {"type": "string"}}}}}}',
    ),
    ("TS-63", "top array", '{"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}}'),
    ("TS-64", "top string enum", '{"type": "string", "enum": ["x", "y"]}'),
    (
        "TS-65",
        "additionalProperties",
        '{"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false}',
    ),
    (
        "TS-66",
        "format/min/max ignored",
        '{"type": "object", "properties": {"a": {"type": "string", "format": "date-time", "minLength": 1, "pattern": "^x$"}, "n": {"type": "integer", "minimum": 0, "maximum": 5}}}',
    ),
    (
        "TS-67",
        "unicode key/desc",
        '{"type": "object", "properties": {"ключ": {"type": "string", "description": "описание ✓"}, "with space": {"type": "string"}, "a-b": {"type": "string"}}}',
    ),
    ("TS-68", "enum with quotes", '{"type": "string", "enum": ["a\\"b", "c\\\\d", "line\\nbreak"]}'),
    ("TS-69", "description on non-object top", '{"type": "string", "description": "top desc"}'),
    (
        "TS-70",
        "deep indent",
        '{"type": "object", "properties": {"l1": {"type": "object", "properties": {"l2": {"type": "object", "properties": {"l3": {"type": "string", "description": "L3"}, "o": {"oneOf": [{"type": "string"}, {"type": "object", "properties": {"z": {"type": "number"}}}]}}}}}}}',
    ),
    (
        "TS-71",
        "top oneOf enum default",
        '{"oneOf": [{"type": "string", "enum": ["a", "b"], "default": "a"}, {"type": "string", "default": "q\\"x"}, {"type": "string", "enum": ["z"], "default": "z\\"q"}, {"type": "number", "default": 1.0, "description": "n"}]}',
    ),
    (
        "TS-72",
        "prop oneOf enum default quotes",
        '{"type": "object", "properties": {"p": {"oneOf": [{"type": "string", "enum": ["z"], "default": "z\\"q"}, {"type": "string", "default": "w\\"q"}], "default": "p\\"q"}}}',
    ),
    (
        "TS-73",
        "nullable substring",
        '{"type": "object", "properties": {"a": {"type": "object", "nullable": true, "properties": {"annulled": {"type": "string"}}}, "b": {"type": "string", "enum": ["nullish"], "nullable": true}}}',
    ),
    (
        "TS-74",
        "prop oneOf variant nullable substring",
        '{"type": "object", "properties": {"p": {"oneOf": [{"type": "string", "enum": ["nullx"], "nullable": true}]}}}',
    ),
    (
        "TS-75",
        "prop oneOf single desc rendered above then first variant desc",
        '{"type": "object", "properties": {"p": {"description": "P", "oneOf": [{"type": "string", "description": "first"}, {"type": "number", "description": "P"}, {"type": "boolean", "description": "third"}]}}}',
    ),
    (
        "TS-76",
        "prop oneOf first variant desc no prop desc but default",
        '{"type": "object", "properties": {"p": {"default": 3, "oneOf": [{"type": "string", "description": "first"}]}}}',
    ),
    (
        "TS-77",
        "prop oneOf desc nonstring",
        '{"type": "object", "properties": {"p": {"description": 5, "oneOf": [{"type": "string", "description": "first"}]}}}',
    ),
    ("TS-78", "top oneOf with description at top", '{"description": "TOP", "oneOf": [{"type": "string"}]}'),
    (
        "TS-79",
        "top oneOf with nested",
        '{"oneOf": [{"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "number"}]}}]}',
    ),
    (
        "TS-80",
        "required on nested key named with ?",
        '{"type": "object", "properties": {"a?": {"type": "string"}}, "required": ["a?"]}',
    ),
    (
        "TS-81",
        "property default on object-type w/ enum non-string",
        '{"type": "object", "properties": {"a": {"type": "integer", "enum": [1, 2], "default": 1}}}',
    ),
    (
        "TS-82",
        "top-level default ignored",
        '{"type": "object", "default": {"a": 1}, "properties": {"a": {"type": "string"}}}',
    ),
    (
        "TS-83",
        "title on nested object schema",
        '{"type": "object", "title": "TopTitle", "properties": {"o": {"type": "object", "title": "OT", "properties": {"x": {"type": "string", "title": "XT"}}}}}',
    ),
    (
        "TS-84",
        "examples nested",
        '{"type": "object", "properties": {"o": {"type": "object", "properties": {"x": {"type": "string", "examples": ["a\\"b"]}}}}}',
    ),
    (
        "TS-85",
        "items not object",
        '{"type": "object", "properties": {"a": {"type": "array", "items": "string"}, "b": {"type": "array", "items": [{"type": "string"}]}, "c": {"type": "array", "items": null}}}',
    ),
    (
        "TS-86",
        "integer type list",
        '{"type": "object", "properties": {"a": {"type": ["integer", "boolean"], "description": "ab", "default": 0}}}',
    ),
    ("TS-87", "default empty string", '{"type": "object", "properties": {"a": {"type": "string", "default": ""}}}'),
    (
        "TS-88",
        "float defaults",
        '{"type": "object", "properties": {"a": {"type": "number", "default": 0.1}, "b": {"type": "number", "default": 100.0}, "c": {"type": "number", "default": 1e+16}, "d": {"type": "number", "default": 1000000000000000.0}, "e": {"type": "number", "default": 123456.789}, "f": {"type": "integer", "default": -5}, "g": {"type": "integer", "default": 18446744073709551615}, "h": {"type": "integer", "default": -9223372036854775808}, "i": {"type": "number", "default": 1e-05}, "j": {"type": "number", "default": 0.0001}}}',
    ),
    (
        "TS-89",
        "unicode default",
        '{"type": "object", "properties": {"a": {"type": "string", "default": "é✓"}, "b": {"type": "array", "default": ["é", "\\u0001", "\\t"]}}}',
    ),
    ("TS-90", "examples only nonstr", '{"type": "object", "properties": {"a": {"type": "string", "examples": [1]}}}'),
    ("TS-91", "props without type", '{"properties": {"a": {"type": "string"}}}'),
    (
        "TS-92",
        "pydantic style",
        '{"$defs": {"Unit": {"enum": ["c", "f"], "title": "Unit", "type": "string"}}, "properties": {"city": {"description": "City name", "title": "City", "type": "string"}, "unit": {"$ref": "#/$defs/Unit", "default": "c"}, "days": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null, "title": "Days"}}, "required": ["city"], "title": "WeatherArgs", "type": "object"}',
    ),
    (
        "TS-93",
        "openai strict style",
        '{"type": "object", "properties": {"location": {"type": "string", "description": "City"}, "units": {"type": ["string", "null"], "enum": ["c", "f", null], "description": "Units"}}, "required": ["location", "units"], "additionalProperties": false}',
    ),
    (
        "TS-94",
        "nested required",
        '{"type": "object", "properties": {"o": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "required": ["a"]}}, "required": ["o"]}',
    ),
    (
        "TS-95",
        "array of enum with desc",
        '{"type": "object", "properties": {"tags": {"type": "array", "description": "Tags", "items": {"type": "string", "enum": ["a", "b"]}, "default": ["a"]}}}',
    ),
    (
        "TS-96",
        "obj prop title+desc+nested desc",
        '{"type": "object", "properties": {"o": {"type": "object", "title": "OT", "description": "OD", "properties": {"x": {"type": "string"}}}}}',
    ),
    (
        "TS-97",
        "oneOf prop in nested obj with desc",
        '{"type": "object", "properties": {"o": {"type": "object", "properties": {"p": {"description": "PD", "default": "d", "oneOf": [{"type": "string", "description": "PD"}, {"type": "integer", "description": "int"}]}}}}}',
    ),
]


def _lossy_floats() -> list[float]:
    # 17-digit floats that serde_json's default (not correctly rounded) parser
    # reads back one ulp off, plus boundary values.
    return [
        0.41765698794305556,
        -9.485287166563617e17,
        3.8120423768821244e-18,
        2.5331407049791268e303,
        5.5285957629296515e-09,
        -920.3888519036875,
        0.061245246478272564,
        -100581622.84998213,
        9007199254740993.0,
        1.7976931348623157e308,
        2.2250738585072014e-308,
        5e-324,
    ]


EXTRA: list[tuple[str, str, Any]] = [
    (
        "X-01",
        "deep nesting objects with descriptions",
        {
            "type": "object",
            "description": "L0",
            "properties": {
                "a": {
                    "type": "object",
                    "description": "L1",
                    "properties": {
                        "b": {
                            "type": "object",
                            "description": "L2",
                            "properties": {
                                "c": {
                                    "type": "object",
                                    "description": "L3",
                                    "properties": {
                                        "d": {
                                            "type": "object",
                                            "properties": {
                                                "e": {
                                                    "type": "array",
                                                    "items": {
                                                        "type": "object",
                                                        "description": "L6",
                                                        "properties": {"f": {"type": "string", "description": "leaf"}},
                                                        "required": ["f"],
                                                    },
                                                }
                                            },
                                            "required": ["e"],
                                        }
                                    },
                                }
                            },
                        }
                    },
                    "required": ["b"],
                }
            },
        },
    ),
    (
        "X-02",
        "deep arrays and oneOf in items",
        {
            "type": "object",
            "properties": {
                "m": {
                    "type": "array",
                    "items": {
                        "type": "array",
                        "items": {
                            "oneOf": [
                                {
                                    "type": "array",
                                    "items": {
                                        "oneOf": [
                                            {"type": "string", "description": "s"},
                                            {"type": "integer", "default": 4},
                                        ]
                                    },
                                },
                                {
                                    "type": "object",
                                    "description": "o",
                                    "properties": {"q": {"oneOf": [{"type": "boolean"}, {"type": "null"}]}},
                                },
                            ]
                        },
                    },
                }
            },
        },
    ),
    (
        "X-03",
        "unicode everywhere",
        {
            "type": "object",
            "description": "Ünïcödé 描述 🚀",
            "properties": {
                "名前": {
                    "type": "string",
                    "title": "タイトル",
                    "description": "説明 ✓",
                    "examples": ["例", "🎉"],
                    "default": "デフォルト",
                },
                "emoji🙂": {"type": "string", "enum": ["😀", "é", "\u200b"], "default": "😀"},
                "rtl": {"type": "string", "description": "مرحبا بالعالم", "default": "שלום"},
                "combining": {"type": "string", "description": "e\u0301 a\u0308", "default": ["e\u0301", "\U0001f600"]},
            },
            "required": ["名前"],
        },
    ),
    (
        "X-04",
        "quotes backslashes newlines in text",
        {
            "type": "object",
            "description": 'top "q" \\ back\nnew\r\nline\ttab',
            "properties": {
                'a"b': {"type": "string", "title": 't"i\\t\nle', "description": 'd"e\\s\nc\r\nx'},
                "c\\d": {"type": "string", "examples": ['x"y', "back\\slash", "new\nline", ""]},
                "e\nf": {"type": "string", "default": 'raw "quoted" \\ and\nnewline\t'},
                "g": {"type": "string", "enum": ['q"', "b\\", "n\n", "cr\r"], "default": 'q"'},
            },
        },
    ),
    (
        "X-05",
        "control characters in json defaults",
        {
            "type": "object",
            "properties": {
                "a": {
                    "type": "array",
                    "default": [
                        "\u0000\u0001\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u001b\u001f",
                        "\u007f\u0080\u0085\u2028\u2029",
                        "/slash/",
                        '"\\',
                    ],
                },
                "b": {"type": "object", "default": {'k"\\\n\u0001': "v\u001e", "": "", "é": ["/"]}},
                "c": {"type": "number", "default": "\u0001 raw string default"},
            },
        },
    ),
    (
        "X-06",
        "enum defaults raw vs quoted",
        {
            "type": "object",
            "properties": {
                "a": {"type": "string", "enum": ['x"y'], "default": 'x"y'},
                "b": {"type": "string", "enum": [1, 2], "default": "str"},
                "c": {"type": "integer", "enum": [1], "default": "one"},
                "d": {"enum": ["q"], "default": "q"},
                "e": {"type": "string", "enum": {"not": "array"}, "default": "e"},
                "f": {"type": "string", "enum": [None], "default": None},
                "g": {"type": "string", "enum": [], "default": 'g"h'},
            },
        },
    ),
    (
        "X-07",
        "big integers",
        {
            "type": "object",
            "properties": {
                "u64max": {"type": "integer", "default": 18446744073709551615},
                "u64max1": {"type": "integer", "default": 18446744073709551616},
                "i64min": {"type": "integer", "default": -9223372036854775808},
                "i64min1": {"type": "integer", "default": -9223372036854775809},
                "negu64": {"type": "integer", "default": -18446744073709551615},
                "e30": {"type": "integer", "default": 10**30},
                "p70": {"type": "integer", "default": 2**70 + 1},
                "e100": {"type": "integer", "default": 10**100 + 7},
                "long": {"type": "integer", "default": 123456789012345678901234567890123},
                "neglong": {"type": "integer", "default": -987654321098765432109876543210},
                "trunc": {"type": "integer", "default": 18446744073709551619999},
                "e308": {"type": "integer", "default": 10**308},
                "arr": {"type": "array", "default": [2**63, 2**64, -(2**63) - 1, 9007199254740993]},
            },
        },
    ),
    (
        "X-08",
        "floats of all exponent ranges",
        {
            "type": "object",
            "properties": {
                f"p{i}": {"type": "number", "default": v}
                for i, v in enumerate(
                    [
                        1e-300,
                        1e-20,
                        1.5e-10,
                        1e-7,
                        1e-6,
                        1.25e-6,
                        9.99e-6,
                        1e-5,
                        1.5e-5,
                        0.0001,
                        0.001,
                        0.1,
                        0.5,
                        1.0,
                        1.5,
                        10.0,
                        123.456,
                        1e10,
                        1e15,
                        9999999999999998.0,
                        1e16,
                        1.5e16,
                        1e17,
                        1e21,
                        1e22,
                        1e23,
                        1e100,
                        1e300,
                        -1e-7,
                        -2.5e20,
                        0.0,
                        -0.0,
                        3.0e-5,
                        4.35e-5,
                        1234567890.123,
                        0.30000000000000004,
                        2.0**-1074,
                        2.0**1023,
                    ]
                )
            },
        },
    ),
    (
        "X-09",
        "lossy float parse",
        {
            "type": "object",
            "properties": {
                "a": {"type": "number", "default": _lossy_floats()[0]},
                "b": {"type": "array", "default": _lossy_floats()},
                "c": {"oneOf": [{"type": "number", "default": _lossy_floats()[3]}], "default": _lossy_floats()[4]},
            },
        },
    ),
    (
        "X-10",
        "booleans vs integers",
        {
            "type": "object",
            "properties": {
                "t": {"type": "boolean", "default": True},
                "f": {"type": "boolean", "default": False},
                "one": {"type": "integer", "default": 1},
                "zero": {"type": "integer", "default": 0},
                "nullable1": {"type": "string", "nullable": 1},
                "nullable_str": {"type": "string", "nullable": "true"},
                "nullable_true": {"type": "string", "nullable": True},
                "nullable_false": {"type": "string", "nullable": False},
                "enum_mixed": {"type": "string", "enum": [True, 1, "1", False], "default": True},
                "examples_bool": {"type": "string", "examples": [True, False]},
                "bools": {"type": "array", "default": [True, 1, False, 0, None]},
            },
            "required": [True, 1, "one"],
        },
    ),
    (
        "X-11",
        "non-dict property schemas",
        {
            "type": "object",
            "properties": {
                "list": [{"type": "string"}],
                "str": "string",
                "int": 3,
                "float": 2.5,
                "none": None,
                "true": True,
                "false": False,
                "empty": {},
                "nested_list": [[]],
            },
            "required": ["list", "none"],
        },
    ),
    (
        "X-12",
        "non-dict items",
        {
            "type": "object",
            "properties": {
                "a": {"type": "array", "items": True},
                "b": {"type": "array", "items": {}},
                "c": {"type": "array", "items": 5},
                "d": {"type": "array", "items": {"type": "array"}},
                "e": {"type": "array", "items": {"type": "array", "items": None}},
                "f": {"type": "array", "items": {"type": "string", "enum": ["x"]}, "nullable": True},
            },
        },
    ),
    (
        "X-13",
        "nullable variants",
        {
            "type": "object",
            "properties": {
                "a": {"type": ["string", "null"], "nullable": True},
                "b": {"type": ["string"], "nullable": True},
                "c": {"type": "string", "enum": ["null"], "nullable": True},
                "d": {"type": "string", "enum": ["annulled", "x"], "nullable": True},
                "e": {"type": "object", "nullable": True, "properties": {"null": {"type": "string"}}},
                "f": {"type": "object", "nullable": True, "properties": {"x": {"type": "string", "nullable": True}}},
                "g": {"type": "object", "nullable": True, "description": "has null in desc", "properties": {}},
                "h": {
                    "type": "array",
                    "nullable": True,
                    "items": {"type": "object", "nullable": True, "properties": {"k": {"type": "number"}}},
                },
                "i": {"type": "integer", "nullable": True, "default": None},
                "j": {"type": "string", "enum": [], "nullable": True},
                "k": {"nullable": True},
                "l": {"type": "null", "nullable": True},
                "m": {"nullable": True, "oneOf": [{"type": "string"}, {"type": "number", "nullable": True}]},
            },
        },
    ),
    ("X-14", "top-level nullable ignored", {"type": "string", "nullable": True}),
    (
        "X-15",
        "top-level oneOf nullable variants and defaults",
        {
            "nullable": True,
            "description": "ignored",
            "oneOf": [
                {"type": "string", "nullable": True, "description": "s", "default": 'd"q'},
                {"type": "string", "enum": ["nullable"], "nullable": True, "default": "nullable"},
                {
                    "type": "object",
                    "nullable": True,
                    "description": "od",
                    "default": {"a": [1, 2.5]},
                    "properties": {"a": {"type": "array", "items": {"type": "number"}}},
                },
                {"type": ["integer", "null"], "default": 18446744073709551616},
                {"type": "boolean", "default": False, "description": ""},
                None,
                "str",
                7,
                [],
            ],
        },
    ),
    (
        "X-16",
        "oneOf null and non-array oneOf",
        {
            "type": "object",
            "properties": {
                "a": {"type": "string", "oneOf": None, "description": "hidden", "default": "hidden"},
                "b": {"oneOf": "x", "title": "T", "examples": ["e"], "description": "hidden"},
                "c": {"type": "integer", "oneOf": {}, "default": 1, "nullable": True},
            },
        },
    ),
    (
        "X-17",
        "property oneOf with non-dict variants",
        {
            "type": "object",
            "properties": {
                "p": {
                    "description": "P",
                    "oneOf": [
                        None,
                        "s",
                        1,
                        {"type": "string", "description": "P"},
                        [],
                        {"description": "v", "default": [1, "x"]},
                    ],
                },
                "q": {"oneOf": [{"description": "only desc"}], "default": {"k": None}},
                "r": {"description": "R", "oneOf": []},
                "s": {"description": "S", "oneOf": [{"type": "string", "description": "S"}], "default": "S"},
            },
            "required": ["p", "s"],
        },
    ),
    (
        "X-18",
        "nested property oneOf in property oneOf",
        {
            "type": "object",
            "properties": {
                "outer": {
                    "type": "object",
                    "properties": {
                        "p": {
                            "oneOf": [
                                {
                                    "type": "object",
                                    "description": "first",
                                    "properties": {
                                        "q": {
                                            "description": "Q",
                                            "oneOf": [
                                                {
                                                    "type": "object",
                                                    "properties": {
                                                        "r": {"oneOf": [{"type": "string"}, {"type": "number"}]}
                                                    },
                                                },
                                                {
                                                    "type": "array",
                                                    "items": {"oneOf": [{"type": "boolean", "description": "b"}]},
                                                },
                                            ],
                                        }
                                    },
                                },
                                {"oneOf": [{"type": "string"}, {"oneOf": [{"type": "number"}]}]},
                            ]
                        }
                    },
                }
            },
        },
    ),
    (
        "X-19",
        "type lists",
        {
            "type": "object",
            "properties": {
                "a": {"type": ["integer", "object", "array", "null", "boolean"]},
                "b": {"type": ["integer", "integer"]},
                "c": {"type": [None, 1, True]},
                "d": {"type": ["string", {"type": "x"}], "enum": ["p"]},
                "e": {"type": ["Integer", "number"]},
                "f": {"type": ["", "string"]},
            },
        },
    ),
    (
        "X-20",
        "odd keys",
        {
            "type": "object",
            "properties": {
                "": {"type": "string"},
                "a b": {"type": "string"},
                "x:y": {"type": "string"},
                "new\nline": {"type": "string"},
                "null": {"type": "string"},
                "?": {"type": "string"},
                "oneOf": {"type": "string"},
                "default": {"type": "string", "default": "default"},
                "__proto__": {"type": "number"},
                "tab\tkey": {"type": "boolean"},
            },
            "required": ["", "x:y", "null", "?", "oneOf", "default", "__proto__"],
        },
    ),
    (
        "X-21",
        "titles",
        {
            "type": "object",
            "title": "ignored",
            "properties": {
                "a": {"type": "string", "title": ""},
                "b": {"type": "string", "title": "multi\nline"},
                "c": {"type": "string", "title": None},
                "d": {"type": "string", "title": ["x"]},
                "e": {
                    "type": "object",
                    "title": "OT",
                    "description": "OD",
                    "properties": {"x": {"type": "string", "title": "XT", "description": "XD", "examples": ["1"]}},
                },
            },
        },
    ),
    (
        "X-22",
        "examples variants",
        {
            "type": "object",
            "properties": {
                "a": {"type": "string", "examples": ["", 'q"uote', "new\nline", ["nested"], {"o": 1}]},
                "b": {"type": "integer", "examples": [1, 2]},
                "c": {"type": "string", "examples": None},
                "d": {"type": "string", "examples": {"x": "y"}},
                "e": {"examples": ["e"], "oneOf": [{"type": "string", "examples": ["inner"]}]},
            },
        },
    ),
    (
        "X-23",
        "required oddities",
        {
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}},
            "required": [["a"], {"b": 1}, "c", "c", None, "A"],
        },
    ),
    (
        "X-24",
        "properties oddities",
        {
            "type": "object",
            "description": "",
            "properties": None,
            "required": ["x"],
        },
    ),
    (
        "X-25",
        "empty and nested default containers",
        {
            "type": "object",
            "properties": {
                "a": {"type": "object", "default": {}},
                "b": {"type": "array", "default": []},
                "c": {"type": "object", "default": {"z": {"y": {"x": [[], {}, [None]]}}, 'é"': "ü"}},
                "d": {"type": "number", "default": -0.0},
                "e": {"type": "number", "default": 0.0},
                "f": {"type": "integer", "default": 0},
                "g": {"type": "integer", "default": -1},
            },
        },
    ),
    (
        "X-26",
        "items with defaults and descriptions",
        {
            "type": "object",
            "properties": {
                "a": {"type": "array", "items": {"type": "string", "description": "not shown", "default": "nope"}},
                "b": {
                    "type": "array",
                    "items": {
                        "oneOf": [
                            {"type": "string", "enum": ["x"], "default": 'x"y'},
                            {"type": "number", "description": "n", "default": 1.5e-7},
                        ]
                    },
                    "default": [1],
                },
            },
        },
    ),
    (
        "X-27",
        "top-level oneOf of objects with property oneOf",
        {
            "oneOf": [
                {
                    "type": "object",
                    "description": "A",
                    "properties": {
                        "p": {
                            "description": "pd",
                            "default": "x",
                            "oneOf": [
                                {"type": "string", "description": "first"},
                                {"type": "object", "properties": {"z": {"type": "string", "nullable": True}}},
                            ],
                        }
                    },
                    "required": ["p"],
                },
                {
                    "type": "array",
                    "items": {"type": "object", "description": "item", "properties": {"k": {"type": "integer"}}},
                },
            ],
        },
    ),
    (
        "X-28",
        "browser search",
        {
            "type": "object",
            "properties": {
                "query": {"type": "string"},
                "topn": {"type": "number", "default": 10},
                "source": {"type": "string"},
            },
            "required": ["query"],
        },
    ),
    (
        "X-29",
        "browser open",
        {
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
    (
        "X-30",
        "browser find",
        {
            "type": "object",
            "properties": {"pattern": {"type": "string"}, "cursor": {"type": "number", "default": -1}},
            "required": ["pattern"],
        },
    ),
    (
        "X-31",
        "weather example",
        {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "format": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
            },
            "required": ["location"],
        },
    ),
    (
        "X-32",
        "long description and many properties",
        {
            "type": "object",
            "description": "word " * 300,
            "properties": {
                f"prop_{i:02d}": (
                    {"type": "integer", "default": i * 7}
                    if i % 3 == 0
                    else {"type": "string", "description": f"desc {i}"}
                    if i % 3 == 1
                    else {"type": "array", "items": {"type": "number"}, "nullable": True}
                )
                for i in range(50)
            },
            "required": [f"prop_{i:02d}" for i in range(0, 50, 4)],
        },
    ),
    (
        "X-33",
        "text that looks like the declaration end",
        {
            "type": "object",
            "description": ") => any;\n\n} // namespace functions",
            "properties": {
                "a": {"type": "string", "description": "type f = () => any;", "default": ") => any;"},
                "b": {"type": "string", "enum": ["=> any;", "<|end|>"]},
            },
        },
    ),
    ("X-34", "enum with pipes and empty string", {"type": "string", "enum": ["a | b", "", " ", "|"]}),
    (
        "X-35",
        "top-level array of oneOf of arrays",
        {
            "type": "array",
            "items": {
                "oneOf": [
                    {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
                    {"type": "array"},
                    {"type": "array", "items": {"type": ["integer", "null"]}, "nullable": True},
                ]
            },
        },
    ),
    (
        "X-36",
        "object keys ignored at top",
        {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "$defs": {"x": {"type": "string"}},
            "patternProperties": {"^a": {}},
            "minProperties": 1,
            "format": "f",
            "default": None,
            "examples": ["e"],
            "properties": {
                "a": {
                    "type": "string",
                    "format": "email",
                    "maxLength": 5,
                    "const": "c",
                    "anyOf": [{}],
                    "allOf": [{}],
                    "$ref": "#/x",
                }
            },
        },
    ),
    (
        "X-37",
        "nested descriptions with newlines",
        {
            "type": "object",
            "properties": {
                "o": {
                    "type": "object",
                    "description": "line1\nline2\r\n",
                    "properties": {
                        "i": {
                            "type": "object",
                            "description": "\n",
                            "properties": {"x": {"type": "string", "description": "\n\nx\n"}},
                        }
                    },
                }
            },
        },
    ),
    (
        "X-38",
        "astral characters and surrogate pairs",
        {
            "type": "object",
            "properties": {
                "a": {"type": "string", "default": "\U0001f600\U0001d11e\U00010000\U0010ffff"},
                "b": {"type": "array", "default": ["\U0001f600", "\ufeff", "\ufffd"]},
                "c": {"type": "string", "enum": ["\U0001f680"], "description": "\U0001f9ea"},
            },
        },
    ),
    (
        "X-39",
        "integer-valued floats in containers",
        {
            "type": "object",
            "properties": {
                "a": {"type": "array", "default": [1.0, 2.0, 1e16, 1e15, 123456789012345680.0, -3.0]},
                "b": {"type": "object", "default": {"f": 0.1, "g": 1e-7, "h": [100.0, 5e-324]}},
            },
        },
    ),
    (
        "X-40",
        "prop oneOf description equal to later variant only",
        {
            "type": "object",
            "properties": {
                "p": {
                    "description": "X",
                    "default": None,
                    "oneOf": [
                        {"type": "string", "description": "Y", "default": "y"},
                        {"type": "number", "description": "X", "default": 2},
                        {"type": "boolean", "description": "X"},
                    ],
                },
                "q": {
                    "description": "",
                    "oneOf": [{"type": "string", "description": ""}, {"type": "number", "description": ""}],
                },
                "r": {"description": "R", "oneOf": [{"type": "string", "description": 5}, {"type": "number"}]},
            },
        },
    ),
    (
        "X-41",
        "schema-ish but not object type",
        {
            "type": "object",
            "properties": {
                "a": {"properties": {"x": {"type": "string"}}},
                "b": {"type": "Object"},
                "c": {"type": "string ", "enum": ["x"]},
            },
        },
    ),
    ("X-42", "top-level type list", {"type": ["object", "integer"], "properties": {"a": {"type": "string"}}}),
]


def _extract(text: str) -> str:
    if not text.startswith(PREFIX) or not text.endswith(SUFFIX):
        raise AssertionError("unexpected developer message layout: " + repr(text[:200]))
    line = text[len(PREFIX) : len(text) - len(SUFFIX)]
    if not line.startswith("type f = ") or not line.endswith("=> any;"):
        raise AssertionError("unexpected tool line: " + repr(line[:200]))
    return line


def render_case(oh: Any, enc: Any, parameters: Any) -> tuple[str, str | None, list[int]]:
    """Return ``(tool_line, typescript, developer_tokens)`` from the oracle."""
    tool = oh.ToolDescription.new("f", "d", parameters=parameters)
    content = oh.DeveloperContent.new().with_function_tools([tool])
    msg = oh.Message.from_role_and_content(oh.Role.DEVELOPER, content)
    tokens = [int(t) for t in enc.render(msg)]
    line = _extract(enc.decode_utf8(tokens))
    if line == NO_PARAMS:
        return line, None, tokens
    if not line.startswith(TS_OPEN) or not line.endswith(TS_CLOSE):
        raise AssertionError("unexpected tool line: " + repr(line[:200]))
    return line, line[len(TS_OPEN) : len(line) - len(TS_CLOSE)], tokens


def main() -> int:
    sys.path.insert(0, str(HERE))
    from _oracle import load_oracle

    oh, enc = load_oracle()
    inputs: list[tuple[str, str, Any]] = [(i, n, json.loads(t)) for i, n, t in CATALOGUE]
    inputs.extend(EXTRA)
    seen: set[str] = set()
    records: list[str] = []
    for case_id, name, parameters in inputs:
        if case_id in seen:
            raise AssertionError("duplicate case id " + case_id)
        seen.add(case_id)
        # The stored JSON must give back exactly what was rendered.
        if json.loads(json.dumps(parameters)) != parameters:
            raise AssertionError(case_id + ": parameters do not survive a JSON round trip")
        line, ts, tokens = render_case(oh, enc, parameters)
        record = {
            "id": case_id,
            "name": name,
            "parameters": parameters,
            "typescript": ts,
            "tool_line": line,
            "developer_tokens": tokens,
        }
        records.append(json.dumps(record, ensure_ascii=False))
    head = {"generator": "tests/golden/generate_schema_ts.py", "oracle": "openai-harmony " + oh_version()}
    text = json.dumps(head, ensure_ascii=False)[:-1] + ', "cases": [\n' + ",\n".join(records) + "\n]}\n"
    json.loads(text)  # sanity
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(records)} cases to {OUT}")
    return 0


def oh_version() -> str:
    from importlib.metadata import version

    return version("openai-harmony")


if __name__ == "__main__":
    raise SystemExit(main())
