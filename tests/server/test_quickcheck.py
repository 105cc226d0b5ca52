"""The quick "certainly valid" predicates (``mockserver/quickcheck.py``) skip jsonschema for most requests, so
they must never accept what jsonschema refuses. Every parameter schema and request body schema of the four specs
is tried with a fixed set of values (atoms of every type, the schema's own enum values, examples and defaults,
strings around its length bounds, numbers around its bounds, objects missing members): wherever the predicate
says yes, jsonschema (Draft 4, with Connexion's nullable extension for bodies) must find no error."""
from __future__ import annotations

import itertools

import pytest
from connexion.json_schema import Draft4RequestValidator, resolve_refs
from jsonschema import Draft4Validator

from mockserver.app import load_spec
from mockserver.quickcheck import _FORMATS, _quick_body_validators, _quick_parameter_checks

SPECS = ("clarifai.yaml", "modelarts.yaml", "cloudfactory.yaml", "control.yaml")
ATOMS = [None, True, False, 0, 1, -1, 2, 10**12, 1.5, -0.5, "", "a", "A" * 300, "x y", "ws-0001",
         "2026-01-01T00:00:00Z", "2026-13-45", "not a date", "http://example.com/a.jpg", "ftp://x", "a@b.co",
         "0123456789abcdef0123456789abcdef", "-", "..", "%00", [], ["a"], [1], [None], {}, {"a": 1}]


def _schemas():
    for name in SPECS:
        spec = resolve_refs(load_spec(name))
        for path, item in spec["paths"].items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method == "parameters" or not isinstance(op, dict):
                    continue
                for param in shared + op.get("parameters", []):
                    yield f"{name} {method.upper()} {path} {param['in']}:{param['name']}", "parameter", \
                        param.get("schema", param)
                content = (op.get("requestBody") or {}).get("content") or {}
                for media, entry in content.items():
                    if "json" in media and isinstance(entry.get("schema"), dict):
                        yield f"{name} {method.upper()} {path} body", "body", entry["schema"]


def _values(schema, depth: int = 0) -> list:
    """The atoms, plus values made from the schema's own keywords (and its members', one level down)."""
    out = list(ATOMS)
    if not isinstance(schema, dict):
        return out
    out += list(schema.get("enum") or []) + [schema[k] for k in ("example", "default") if k in schema]
    for key in ("minLength", "maxLength"):
        if isinstance(schema.get(key), int):
            n = schema[key]
            out += ["a" * max(0, n - 1), "a" * n, "a" * (n + 1)]
    for key in ("minimum", "maximum"):
        if isinstance(schema.get(key), (int, float)):
            n = schema[key]
            out += [n - 1, n, n + 1, n - 0.5]
    for key in ("minItems", "maxItems"):
        if isinstance(schema.get(key), int):
            n = schema[key]
            out += [[] if n == 0 else ["a"] * (n - 1), ["a"] * n, ["a"] * (n + 1)]
    props = schema.get("properties")
    if isinstance(props, dict) and depth < 2:
        member_values = {k: _values(v, depth + 1)[:12] for k, v in list(props.items())[:8]}
        for k, vals in member_values.items():
            out += [{k: v} for v in vals]
        required = [k for k in schema.get("required", []) if k in member_values]
        for combo in itertools.islice(itertools.product(*(member_values[k] for k in required)), 40):
            out.append(dict(zip(required, combo)))
    for key in ("items", "allOf", "anyOf", "oneOf"):
        sub = schema.get(key)
        for s in (sub if isinstance(sub, list) else [sub] if isinstance(sub, dict) else []):
            if depth < 2:
                inner = _values(s, depth + 1)[:20]
                out += inner if key != "items" else [[v] for v in inner]
    return out


CASES = list(_schemas())


def test_every_spec_has_schemas_the_predicates_cover():
    covered = {kind: 0 for kind in ("parameter", "body")}
    for _, kind, schema in CASES:
        check = _quick_parameter_checks(schema) if kind == "parameter" else _quick_body_validators(schema).quick
        covered[kind] += check is not None
    assert covered["parameter"] > 100 and covered["body"] > 50, covered


@pytest.mark.parametrize("where,kind,schema", CASES, ids=[c[0] for c in CASES])
def test_the_quick_predicate_never_accepts_what_jsonschema_refuses(where, kind, schema):
    if kind == "parameter":
        quick, full = _quick_parameter_checks(schema), Draft4Validator(schema, format_checker=_FORMATS)
    else:
        quick, full = _quick_body_validators(schema).quick, Draft4RequestValidator(schema, format_checker=_FORMATS)
    if quick is None:
        pytest.skip("no quick predicate for this schema: jsonschema decides every request")
    for value in _values(schema):
        try:
            said_yes = quick(value)
        except Exception:  # the validators fall back to jsonschema on any exception
            continue
        if said_yes:
            errors = [e.message for e in full.iter_errors(value)]
            assert not errors, f"{where}: quick accepted {value!r}, jsonschema refuses: {errors[:3]}"
