"""Tests for the JSON-Schema -> TypeScript converter (``harmony_typed._schema_ts``).

The golden cases (``tests/golden/schema_ts.json``, written by
``tests/golden/generate_schema_ts.py`` from openai-harmony 0.0.8) run
everywhere; the differential test marked ``parity`` needs the oracle
installed and is skipped otherwise.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from conftest import load_oracle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmony_typed._rust import rust_f64, rust_lines
from harmony_typed._schema_ts import json_display, parameters_to_typescript

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
GOLDEN: dict[str, Any] = json.loads((GOLDEN_DIR / "schema_ts.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = GOLDEN["cases"]

TS_OPEN = "type f = (_: "
TS_CLOSE = ") => any;"
NO_PARAMS = "type f = () => any;"
PREFIX = "<|start|>developer<|message|># Tools\n\n## functions\n\nnamespace functions {\n\n// d\n"
SUFFIX = "\n\n} // namespace functions<|end|>"


def tool_line(parameters: object) -> str:
    """The declaration the renderer writes for tool ``f``."""
    if parameters is None:
        return NO_PARAMS
    return TS_OPEN + parameters_to_typescript(parameters) + TS_CLOSE


# --------------------------------------------------------------------------
# Golden cases
# --------------------------------------------------------------------------


def test_golden_file_shape() -> None:
    assert GOLDEN["generator"] == "tests/golden/generate_schema_ts.py"
    assert GOLDEN["oracle"] == "openai-harmony 0.0.8"
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if i.startswith("TS-")] == [f"TS-{n:02d}" for n in range(1, 98)]
    assert len(ids) >= 130


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    parameters: object = case["parameters"]
    assert tool_line(parameters) == case["tool_line"]
    if case["typescript"] is None:
        assert parameters is None
    else:
        assert parameters_to_typescript(parameters) == case["typescript"]


def test_catalogue_spot_checks() -> None:
    # A few exact strings with significant trailing spaces / mixed indentation.
    assert parameters_to_typescript({"oneOf": []}) == ""
    assert parameters_to_typescript({"oneOf": [{"type": "string"}]}) == "\n | string"
    assert parameters_to_typescript({"type": "object"}) == "{\n}"
    assert (
        parameters_to_typescript({"type": "object", "properties": {"p": {"oneOf": [{"oneOf": [{"type": "string"}]}]}}})
        == "{\np?:\n | \n    | string\n,\n}"
    )


def test_non_object_top_level() -> None:
    for value in (None, True, 0, 1.5, "object", [], [{"type": "string"}]):
        assert parameters_to_typescript(value) == "any"


def test_tuple_is_an_array_and_keys_are_converted() -> None:
    # json.dumps (used by the reference wrapper) writes tuples as arrays and
    # converts non-string keys; duplicates keep the first position, last value.
    assert parameters_to_typescript({"type": "string", "enum": ("a", "b")}) == '"a" | "b"'
    schema: dict[object, object] = {
        "type": "object",
        "properties": {1: {"type": "string"}, "1": {"type": "number"}, None: {}, 1.5: {}, False: {}},
    }
    assert parameters_to_typescript(schema) == "{\n1?: number,\nnull?: any,\n1.5?: any,\nfalse?: any,\n}"
    assert json_display({1: 2, "1": 3, 2: 4}) == '{"1":3,"2":4}'


# --------------------------------------------------------------------------
# rust_lines (§3.4)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a\r", ["a\r"]),
        ("\n", [""]),
        ("\r\n", [""]),
        ("a\r\r\nb", ["a\r", "b"]),
        ("x\n\n", ["x", ""]),
        ("\n\nx", ["", "", "x"]),
        ("a\nb", ["a", "b"]),
        ("a\nb\n", ["a", "b"]),
        ("a\r\nb\r\n", ["a", "b"]),
        ("\r", ["\r"]),
        ("a\x0bb\x0cc\x1cd\x1de\x1ef\x85g\u2028h\u2029i", ["a\x0bb\x0cc\x1cd\x1de\x1ef\x85g\u2028h\u2029i"]),
        ("a\rb", ["a\rb"]),
        ("\r\r\n", ["\r"]),
    ],
)
def test_rust_lines(text: str, lines: list[str]) -> None:
    assert rust_lines(text) == lines


@given(st.text(alphabet=st.sampled_from("ab\r\n\x0b\x85\u2028 ")))
def test_rust_lines_property(text: str) -> None:
    pieces = text.split("\n")
    if pieces[-1] == "":
        pieces.pop()
    expected = [p[:-1] if i < text.count("\n") and p.endswith("\r") else p for i, p in enumerate(pieces)]
    assert rust_lines(text) == expected


# --------------------------------------------------------------------------
# rust_f64 / json_display (§4.2)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (100.0, "100.0"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (0.1, "0.1"),
        (1e-05, "0.00001"),
        (0.0001, "0.0001"),
        (1e-07, "1e-7"),
        (1.5e-07, "1.5e-7"),
        (2.5e-06, "2.5e-6"),
        (1e15, "1000000000000000.0"),
        (3e15, "3000000000000000.0"),
        (1e16, "1e16"),
        (1.234e16, "1.234e16"),
        (1.2345678901234568e16, "1.2345678901234568e16"),
        (1e20, "1e20"),
        (1.5e300, "1.5e300"),
        (5e-324, "5e-324"),
        (-1.25e-10, "-1.25e-10"),
        (1.5, "1.5"),
        (123456.789, "123456.789"),
        (1.2345678901234568e29, "1.2345678901234568e29"),
        (1.7976931348623157e308, "1.7976931348623157e308"),
    ],
)
def test_rust_f64(value: float, text: str) -> None:
    assert rust_f64(value) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_rust_f64_round_trips(value: float) -> None:
    text = rust_f64(value)
    assert float(text) == value
    assert math.copysign(1.0, float(text)) == math.copysign(1.0, value)
    assert "+" not in text and "E" not in text


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_rust_f64_rejects_non_finite(value: float) -> None:
    with pytest.raises(ValueError):
        rust_f64(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-5, "-5"),
        (18446744073709551615, "18446744073709551615"),
        (-9223372036854775808, "-9223372036854775808"),
        (18446744073709551616, "1.8446744073709552e19"),
        (-9223372036854775809, "-9.223372036854776e18"),
        (123456789012345678901234567890, "1.2345678901234568e29"),
        (10**308, "1e308"),
        (1.0, "1.0"),
        (1e20, "1e20"),
        ("x", '"x"'),
        ("é✓", '"é✓"'),
        ('a"b\\c/d', '"a\\"b\\\\c/d"'),
        ("\n\r\t\b\f", '"\\n\\r\\t\\b\\f"'),
        ("\x00\x01\x1f\x7f\x85\u2028", '"\\u0000\\u0001\\u001f\x7f\x85\u2028"'),
        ("\x1b", '"\\u001b"'),
        ([], "[]"),
        ({}, "{}"),
        ([1, 2, "x"], '[1,2,"x"]'),
        ({"k": "v", "n": [1, {"z": None}], "u": "é"}, '{"k":"v","n":[1,{"z":null}],"u":"é"}'),
        (["é", "\u0001", "\t"], '["é","\\u0001","\\t"]'),
        ({'q"\n': [True, False, None]}, '{"q\\"\\n":[true,false,null]}'),
        (("t", 1), '["t",1]'),
    ],
)
def test_json_display(value: object, text: str) -> None:
    assert json_display(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        # serde_json's default float parser is not correctly rounded; the
        # reference shows these one ulp off (verified against the oracle).
        (0.41765698794305556, "0.4176569879430555"),
        (-9.485287166563617e17, "-9.485287166563616e17"),
        (3.8120423768821244e-18, "3.812042376882125e-18"),
        (-920.3888519036875, "-920.3888519036876"),
        (9007199254740993.0, "9007199254740992.0"),
        # Integers beyond u64 keep their first 19-20 digits, then scale.
        (2**70 + 1, "1.1805916207174113e21"),
    ],
)
def test_json_display_matches_serde_lossy_parse(value: object, text: str) -> None:
    assert json_display(value) == text


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        math.inf,
        -math.inf,
        [1, {"a": math.nan}],
        10**309,
        -(10**309),
        # The exact value of the largest double overflows serde_json's lossy
        # parse (the reference rejects it as "number out of range").
        int(1.7976931348623157e308),
        {"k": [17976931348623158 * 10**292]},
    ],
)
def test_json_display_value_errors(value: object) -> None:
    with pytest.raises(ValueError):
        json_display(value)


def test_json_display_type_error() -> None:
    with pytest.raises(TypeError):
        json_display({1, 2})
    with pytest.raises(TypeError):
        json_display({(1, 2): 3})


_SMALL_JSON: st.SearchStrategy[object] = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=4), c, max_size=4),
    max_leaves=12,
)


@given(_SMALL_JSON)
def test_json_display_matches_json_dumps_without_floats(value: object) -> None:
    assert json_display(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_ANY_JSON: st.SearchStrategy[object] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(10**320), 10**320)
    | st.floats()
    | st.text()
    | st.sampled_from(["string", "number", "integer", "boolean", "array", "object", "null"]),
    lambda c: (
        st.lists(c, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "properties",
                    "items",
                    "oneOf",
                    "enum",
                    "default",
                    "description",
                    "title",
                    "examples",
                    "nullable",
                    "required",
                    "a",
                    "b",
                ]
            )
            | st.text(max_size=3),
            c,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def _has_bad_number(value: object) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) >= 10**308
    if isinstance(value, list):
        return any(_has_bad_number(v) for v in value)
    if isinstance(value, dict):
        return any(_has_bad_number(v) for v in value.values())
    return False


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_ANY_JSON)
def test_random_json_never_crashes(value: object) -> None:
    for fn in (json_display, parameters_to_typescript):
        try:
            result = fn(value)
        except ValueError:
            assert _has_bad_number(value)
        else:
            assert isinstance(result, str)


# --------------------------------------------------------------------------
# Differential test against openai-harmony (needs the oracle)
# --------------------------------------------------------------------------

_TEXT: st.SearchStrategy[str] = st.sampled_from(
    ["", "d", "null", "same", 'x"y', "back\\slash", "line\nbreak", "cr\r\nlf", "é✓🚀", "\x01", "=> any;"]
) | st.text(max_size=6)
_NAMES: st.SearchStrategy[str] = st.sampled_from(["a", "b", "c", "null", "x y", "ключ", "", "a?", "oneOf"]) | st.text(
    max_size=4
)
_SCALAR: st.SearchStrategy[object] = (
    st.none()
    | st.booleans()
    | st.integers(-(2**66), 2**66)
    | st.integers(-(10**40), 10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
)
_VALUE: st.SearchStrategy[object] = st.recursive(
    _SCALAR, lambda c: st.lists(c, max_size=3) | st.dictionaries(_NAMES, c, max_size=3), max_leaves=6
)
_TYPE_NAME: st.SearchStrategy[object] = st.sampled_from(
    ["string", "number", "integer", "boolean", "array", "object", "object", "null", "foo"]
)


def _schema(depth: int) -> st.SearchStrategy[object]:
    """Schema-like dicts up to ``depth`` levels, biased towards the shapes
    that exercise the converter (objects, property/variant ``oneOf``, arrays)."""
    leaf = st.fixed_dictionaries(
        {"type": _TYPE_NAME},
        optional={
            "description": _TEXT,
            "default": _VALUE,
            "nullable": st.booleans(),
            "enum": st.lists(_TEXT | _SCALAR, max_size=3),
            "title": _TEXT,
            "examples": st.lists(_TEXT, min_size=1, max_size=2),
        },
    )
    if depth == 0:
        return leaf
    child = _schema(depth - 1)
    child_or_junk = child | child | child | _SCALAR
    optional: dict[str, st.SearchStrategy[object]] = {
        "description": _TEXT | _SCALAR,
        "title": _TEXT | _SCALAR,
        "nullable": st.booleans() | _SCALAR,
        "default": _VALUE,
        "enum": st.lists(_TEXT | _SCALAR, max_size=3) | _SCALAR,
        "examples": st.lists(_TEXT | _SCALAR, max_size=3) | st.lists(_TEXT, min_size=1, max_size=2) | _SCALAR,
        "items": child_or_junk,
        "required": st.lists(_NAMES | _SCALAR, max_size=3) | _SCALAR,
    }
    typ = st.one_of(_TYPE_NAME, _TYPE_NAME, _TYPE_NAME, st.lists(_TYPE_NAME | _SCALAR, max_size=3), _SCALAR)
    plain = st.fixed_dictionaries(
        {"type": typ}, optional={**optional, "properties": st.dictionaries(_NAMES, child_or_junk, max_size=3) | _SCALAR}
    )
    with_one_of = st.fixed_dictionaries(
        {
            "oneOf": st.one_of(
                st.lists(child_or_junk, min_size=1, max_size=3), st.lists(child_or_junk, max_size=3), _SCALAR
            )
        },
        optional={**optional, "type": typ},
    )
    obj = st.fixed_dictionaries(
        {"type": st.just("object"), "properties": st.dictionaries(_NAMES, child_or_junk, max_size=4)},
        optional=optional,
    )
    array = st.fixed_dictionaries(
        {"type": st.just("array"), "items": child_or_junk},
        optional={k: v for k, v in optional.items() if k != "items"},
    )
    return st.one_of(obj, obj, obj, with_one_of, with_one_of, array, plain, leaf)


_TOP_OBJECT: st.SearchStrategy[object] = st.fixed_dictionaries(
    {"type": st.just("object"), "properties": st.dictionaries(_NAMES, _schema(2), min_size=1, max_size=5)},
    optional={"required": st.lists(_NAMES, max_size=4), "description": _TEXT},
)
_TOP_SCHEMA: st.SearchStrategy[object] = st.one_of(_TOP_OBJECT, _TOP_OBJECT, _schema(3))


def _oracle_tool_line(oh: Any, enc: Any, parameters: object) -> str:
    tool = oh.ToolDescription.new("f", "d", parameters=parameters)
    content = oh.DeveloperContent.new().with_function_tools([tool])
    text: str = enc.decode_utf8(enc.render(oh.Message.from_role_and_content(oh.Role.DEVELOPER, content)))
    assert text.startswith(PREFIX) and text.endswith(SUFFIX)
    return text[len(PREFIX) : len(text) - len(SUFFIX)]


@pytest.mark.parity
def test_parity_random_schemas() -> None:
    oh, enc = load_oracle()

    @settings(
        max_examples=2000,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(_TOP_SCHEMA)
    def check(parameters: object) -> None:
        try:
            expected = _oracle_tool_line(oh, enc, parameters)
        except ValueError:
            with pytest.raises(ValueError):
                tool_line(parameters)
            return
        assert tool_line(parameters) == expected

    check()
