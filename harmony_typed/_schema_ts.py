"""JSON-Schema -> TypeScript-like parameter text, as rendered by openai-harmony 0.0.8.

This reproduces, byte for byte, the ``TS`` in ``type name = (_: TS) => any;``
that the reference Rust core writes for a tool's ``parameters`` (SPEC §4),
plus serde_json's compact ``Display`` of a JSON value (§4.2), which it uses
for defaults.  Number formatting is :mod:`harmony_typed._rust`'s.

It is deliberately *not* a faithful JSON-Schema translation: the reference
ignores ``anyOf``/``allOf``/``$ref``, prints no parentheses around unions
before ``[]``, mixes 3- and 4-space indentation, decides nullability by a
substring test and formats defaults in two slightly different ways.  Every
such quirk is kept because the output is part of the token stream the models
were trained on.

Values follow JSON typing exactly as the reference sees them after the
Python wrapper's ``json.dumps``: ``bool`` is tested before ``int``, only
``True`` counts as ``true``, arrays are ``list`` (or ``tuple``, which
``json.dumps`` also writes as an array), objects are ``dict`` (non-string
keys are converted the way ``json.dumps`` converts them).

Written for mypyc: plain functions over ``object``, no closures.
"""

from __future__ import annotations

import math
from typing import Final

from harmony_typed._rust import rust_f64, serde_parse_f64

# serde_json keeps integers in the i64/u64 range exact; beyond it they are parsed as f64.
_I64_MIN: Final = -9223372036854775808
_U64_MAX: Final = 18446744073709551615

# --------------------------------------------------------------------------
# serde_json compact display (§4.2)
# --------------------------------------------------------------------------

# serde_json escapes exactly: " \ \b \f \n \r \t and the other C0 controls as
# \u00xx (lower-case hex); '/', DEL and non-ASCII are written verbatim.
_ESCAPES: Final[dict[int, str]] = {
    **{c: "\\u" + format(c, "04x") for c in range(32)},
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}


def _json_key(key: object) -> str:
    # The wrapper's json.dumps turns non-string keys into strings this way.
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        return float.__repr__(key)
    raise TypeError("keys must be str, int, float, bool or None, not " + type(key).__name__)


def _json_items(obj: dict[object, object]) -> list[tuple[str, object]]:
    """Members of a JSON object in document order.

    Non-string keys are converted like json.dumps does; if that creates a
    duplicate, serde_json keeps the first position and the last value."""
    items: list[tuple[str, object]] = []
    plain = True
    for k, v in obj.items():
        if isinstance(k, str):
            items.append((k, v))
        else:
            plain = False
            items.append((_json_key(k), v))
    if plain:
        return items
    index: dict[str, int] = {}
    merged: list[tuple[str, object]] = []
    for k2, v2 in items:
        at = index.get(k2)
        if at is None:
            index[k2] = len(merged)
            merged.append((k2, v2))
        else:
            merged[at] = (k2, v2)
    return merged


def _as_array(value: object) -> list[object] | None:
    """The elements if ``value`` is a JSON array, else ``None``."""
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    return None


def _display_number(value: int) -> str:
    if _I64_MIN <= value <= _U64_MAX:
        return int.__repr__(value)
    # Outside i64/u64 serde_json parses the number as an f64.
    return rust_f64(serde_parse_f64(int.__repr__(value)))


def _display_into(value: object, out: list[str]) -> None:
    if isinstance(value, str):
        out.append('"')
        out.append(value.translate(_ESCAPES))
        out.append('"')
    elif value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(_display_number(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("non-finite float is not valid JSON: " + repr(value))
        out.append(rust_f64(serde_parse_f64(float.__repr__(value))))
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for k, v in _json_items(value):
            if not first:
                out.append(",")
            first = False
            out.append('"')
            out.append(k.translate(_ESCAPES))
            out.append('":')
            _display_into(v, out)
        out.append("}")
    else:
        arr = _as_array(value)
        if arr is None:
            raise TypeError("Object of type " + type(value).__name__ + " is not JSON serializable")
        out.append("[")
        first = True
        for item in arr:
            if not first:
                out.append(",")
            first = False
            _display_into(item, out)
        out.append("]")


def json_display(value: object) -> str:
    """Compact JSON exactly as serde_json's ``Display`` prints the value the
    reference received (``ValueError`` for NaN/±inf and numbers serde_json
    rejects as out of range; ``TypeError`` for non-JSON objects)."""
    out: list[str] = []
    _display_into(value, out)
    return "".join(out)


# --------------------------------------------------------------------------
# The converter ts(s, indent) (§4.3)
# --------------------------------------------------------------------------


def _is_true(value: object) -> bool:
    return isinstance(value, bool) and value


def _is_enum(h: dict[object, object]) -> bool:
    arr = _as_array(h.get("enum"))
    return arr is not None and len(arr) > 0


def _add_null(v: object, t: str) -> str:
    # Substring test on the rendered text: an enum value "nullish" or a
    # nested key "annulled" suppresses " | null" (TS-73, TS-74).
    if isinstance(v, dict) and _is_true(v.get("nullable")) and "null" not in t:
        return t + " | null"
    return t


def _fmt_default_prop(h: dict[object, object]) -> str:
    # Plain properties and property-level oneOf: strings are written raw,
    # and without quotes when the schema has a non-empty enum (TS-43, TS-72).
    d = h["default"]
    if isinstance(d, str):
        if _is_enum(h):
            return d
        return '"' + d + '"'
    return json_display(d)


def _fmt_default_generic(v: dict[object, object]) -> str:
    # Generic oneOf variants: an enum string default is JSON-quoted and
    # escaped instead (TS-71).
    d = v["default"]
    if isinstance(d, str) and not _is_enum(v):
        return '"' + d + '"'
    return json_display(d)


def _ts_one_of(variants: list[object], indent: str) -> str:
    # Rule A: the rest of the schema (type, description, ...) is ignored
    # (TS-32, TS-78); an empty list renders as "" (TS-33).
    out: list[str] = []
    inner = indent + "   "
    for v in variants:
        out.append("\n")
        out.append(indent)
        out.append(" | ")
        out.append(_add_null(v, _ts(v, inner)))
        if isinstance(v, dict):
            comments: list[str] = []
            desc = v.get("description")
            if isinstance(desc, str):
                comments.append(desc)
            if "default" in v:
                comments.append("default: " + _fmt_default_generic(v))
            if comments:
                out.append(" // ")
                out.append(" ".join(comments))
    return "".join(out)


def _ts_type_list(types: list[object]) -> str:
    # Rule B: string members only, "integer" -> "number"; enum is ignored.
    names: list[str] = []
    for t in types:
        if isinstance(t, str):
            names.append("number" if t == "integer" else t)
    if names:
        return " | ".join(names)
    return "any"


def _ts_string(s: dict[object, object]) -> str:
    arr = _as_array(s.get("enum"))
    if arr is not None:
        # Enum strings are quoted raw, without escaping (TS-68).
        names: list[str] = []
        for e in arr:
            if isinstance(e, str):
                names.append('"' + e + '"')
        if names:
            return " | ".join(names)
    return "string"


def _ts_prop_one_of(
    out: list[str], indent: str, key: str, opt: str, val: dict[object, object], variants: list[object]
) -> None:
    pdesc_obj = val.get("description")
    pdesc: str | None = pdesc_obj if isinstance(pdesc_obj, str) else None
    # A property description equal to the first variant's description is
    # dropped entirely (TS-50).
    skip = False
    if pdesc is not None and variants:
        first = variants[0]
        if isinstance(first, dict):
            first_desc = first.get("description")
            skip = isinstance(first_desc, str) and first_desc == pdesc
    above = False
    if not skip and pdesc is not None:
        out.append(indent + "// " + pdesc + "\n")
        above = True
    if "default" in val:
        out.append(indent + "// default: " + _fmt_default_prop(val) + "\n")
    out.append(indent + key + opt + ":\n")
    # Variants are rendered at indent + 3 spaces (mixed 3/4 indentation, TS-70).
    inner = indent + "   "
    for i, v in enumerate(variants):
        out.append(indent)
        out.append(" | ")
        out.append(_add_null(v, _ts(v, inner)))
        if isinstance(v, dict):
            comments: list[str] = []
            # The first variant's description is suppressed whenever the
            # property description was printed above; a variant description
            # equal to it is never repeated (TS-51, TS-75).
            if not (i == 0 and above):
                vdesc = v.get("description")
                if isinstance(vdesc, str) and vdesc != pdesc:
                    comments.append(vdesc)
            if "default" in v:
                comments.append("default: " + _fmt_default_prop(v))
            if comments:
                out.append(" // ")
                out.append(" ".join(comments))
        out.append("\n")
    out.append(indent + ",\n")


def _ts_object(s: dict[object, object], indent: str) -> str:
    # Rule D.
    out: list[str] = []
    desc = s.get("description")
    if isinstance(desc, str):
        out.append(indent + "// " + desc + "\n")
    # The opening brace is never indented; the closing one is.
    out.append("{\n")
    props = s.get("properties")
    if isinstance(props, dict):
        required: set[str] = set()
        req = _as_array(s.get("required"))
        if req is not None:
            for r in req:
                if isinstance(r, str):
                    required.add(r)
        nested = indent + "    "
        for key, val in _json_items(props):
            opt = "" if key in required else "?"
            if not isinstance(val, dict):
                # A non-object property schema renders as "key?: any," (TS-48).
                out.append(indent + key + opt + ": any,\n")
                continue
            title = val.get("title")
            if isinstance(title, str):
                out.append(indent + "// " + title + "\n" + indent + "//\n")
            has_one_of = "oneOf" in val
            if not has_one_of:
                pdesc = val.get("description")
                if isinstance(pdesc, str):
                    # Written verbatim: embedded newlines are not re-prefixed (TS-44).
                    out.append(indent + "// " + pdesc + "\n")
            examples = _as_array(val.get("examples"))
            if examples:
                # The header is printed even if no example is a string (TS-90).
                out.append(indent + "// Examples:\n")
                for e in examples:
                    if isinstance(e, str):
                        out.append(indent + '// - "' + e + '"\n')
            variants = _as_array(val.get("oneOf"))
            if variants is not None:
                _ts_prop_one_of(out, indent, key, opt, val, variants)
                continue
            out.append(indent + key + opt + ": ")
            out.append(_add_null(val, _ts(val, nested)))
            out.append(",")
            # Any "oneOf" key (even a non-array one) suppresses the default (TS-58).
            if not has_one_of and "default" in val:
                out.append(" // default: " + _fmt_default_prop(val))
            out.append("\n")
    out.append(indent + "}")
    return "".join(out)


def _ts(s: object, indent: str) -> str:
    if not isinstance(s, dict):
        return "any"
    variants = _as_array(s.get("oneOf"))
    if variants is not None:
        return _ts_one_of(variants, indent)
    t = s.get("type")
    if isinstance(t, str):
        if t == "string":
            return _ts_string(s)
        if t == "number" or t == "integer":
            return "number"
        if t == "boolean":
            return "boolean"
        if t == "array":
            if "items" in s:
                # Same indent and no parentheses: '"a" | "b"[]' (TS-35, TS-37).
                return _ts(s["items"], indent) + "[]"
            return "Array<any>"
        if t == "object":
            return _ts_object(s, indent)
        return "any"
    types = _as_array(t)
    if types is not None:
        return _ts_type_list(types)
    # anyOf, allOf, $ref, const, enum without type, ... (TS-18, TS-23..26).
    return "any"


def parameters_to_typescript(parameters: object) -> str:
    """The ``TS`` of ``type name = (_: TS) => any;`` for a tool whose
    ``parameters`` is not ``None`` (the caller writes ``() => any`` for
    ``None``)."""
    return _ts(parameters, "")
