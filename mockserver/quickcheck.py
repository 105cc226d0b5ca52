"""A quick yes for valid bodies: each body schema compiled into a plain predicate that can only say "certainly
valid" (``_quick``); when it cannot, jsonschema decides and its errors become ``FieldError`` values."""
from __future__ import annotations

import re

from connexion.json_schema import Draft4RequestValidator
from jsonschema import Draft4Validator

from .fielderrors import FieldError, _fields_of, settle

_FORMATS = Draft4Validator.FORMAT_CHECKER


class _Validators:
    """One JSON-schema validator per schema object, kept for the app's life.

    Connexion builds a new validator for every parameter and every body of every request (and deep-copies
    each parameter's spec first); the schemas never change once the app is built, so that work is done
    once. Keyed by the schema object itself (identity), bounded in case an operation ever hands out fresh
    dicts."""

    def __init__(self, make, limit: int = 4096):
        self.make, self.limit, self.cache = make, limit, {}

    def __call__(self, schema):
        entry = self.cache.get(id(schema))
        if entry is None or entry[0] is not schema:
            if len(self.cache) >= self.limit:
                self.cache.clear()
            entry = self.cache[id(schema)] = (schema, self.make(schema))
        return entry[1]





# -- A quick yes for valid bodies ---------------------------------------------------------------------
# jsonschema walks a body keyword by keyword through generic machinery (a fifth of a create's time). Most
# bodies are valid, so each body schema is also compiled into a plain Python predicate that can only say
# "certainly valid": when it says so, the body is accepted; otherwise (invalid, or a keyword it does not
# know) Connexion's own validator runs as before, so every error message is unchanged. The predicate must
# never accept what jsonschema (Draft 4 with Connexion's nullable extension) would refuse.

_NOT_VALIDATING = {"description", "title", "example", "examples", "default", "readOnly", "writeOnly", "xml",
                   "externalDocs", "deprecated", "discriminator", "components", "definitions", "$schema", "id"}
_TYPES = {
    "string": lambda v: type(v) is str,
    "integer": lambda v: type(v) is int,  # Draft 4: no bools; floats like 1.0 are left to jsonschema
    "number": lambda v: type(v) in (int, float),
    "boolean": lambda v: type(v) is bool,
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "null": lambda v: v is None,
}


# The same tests as Python types: ``type(v) in`` one of these sets.
_PY_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "object": (dict,),
             "array": (list,), "null": (type(None),)}
_ENUM_TYPES = frozenset((str, int, float, bool))


class _Unsupported(Exception):
    pass


def _quick(schema):
    """A predicate ``value -> bool`` (True only if certainly valid), or raise _Unsupported."""
    if not isinstance(schema, dict):
        raise _Unsupported
    checks, always = [], []
    for key, arg in schema.items():
        if key in _NOT_VALIDATING or key.startswith("x-") or key in ("nullable", "exclusiveMinimum", "exclusiveMaximum"):
            continue
        if key == "type":
            names = [arg] if isinstance(arg, str) else arg
            if not isinstance(names, list) or any(n not in _TYPES for n in names):
                raise _Unsupported
            accepted = frozenset(t for n in names for t in _PY_TYPES[n])
            checks.append(lambda v, accepted=accepted: type(v) in accepted)
        elif key == "properties":
            checks.append(_quick_properties({name: _quick(sub) for name, sub in arg.items()}))
        elif key == "required":
            names = tuple(arg)
            checks.append(lambda v, names=names: type(v) is not dict or all(n in v for n in names))
        elif key == "additionalProperties":
            if arg is True:
                continue
            if "patternProperties" in schema:
                raise _Unsupported
            known = set(schema.get("properties") or {})
            if arg is False:
                checks.append(lambda v, known=known: type(v) is not dict or all(k in known for k in v))
            else:
                extra = _quick(arg)
                checks.append(lambda v, known=known, extra=extra: type(v) is not dict
                              or all(k in known or extra(x) for k, x in v.items()))
        elif key == "items":
            each = _quick(arg)  # a list of schemas (tuple form) is refused by _quick
            checks.append(lambda v, each=each: type(v) is not list or all(each(x) for x in v))
        elif key == "enum":
            # the same (type, value) must be an option: a bool is not a number, 1.0 is not 1 (left to jsonschema)
            options = frozenset((type(o), o) for o in arg if isinstance(o, (str, int, float, bool)))
            checks.append(lambda v, options=options: type(v) in _ENUM_TYPES and (type(v), v) in options)
        elif key in ("minimum", "maximum"):
            if type(arg) not in (int, float) or not isinstance(schema.get("exclusive" + key[:1].upper() + key[1:], False), bool):
                raise _Unsupported
            exclusive = schema.get("exclusive" + key[:1].upper() + key[1:], False)
            if key == "minimum":
                checks.append(lambda v, m=arg, x=exclusive: type(v) not in (int, float) or (v > m if x else v >= m))
            else:
                checks.append(lambda v, m=arg, x=exclusive: type(v) not in (int, float) or (v < m if x else v <= m))
        elif key in ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"):
            kind = str if key.endswith("Length") else (list if key.endswith("Items") else dict)
            if key.startswith("min"):
                checks.append(lambda v, n=arg, k=kind: type(v) is not k or len(v) >= n)
            else:
                checks.append(lambda v, n=arg, k=kind: type(v) is not k or len(v) <= n)
        elif key == "pattern":
            rx = re.compile(arg)
            checks.append(lambda v, rx=rx: type(v) is not str or rx.search(v) is not None)
        elif key == "format":
            checks.append(lambda v, f=arg: _FORMATS.conforms(v, f))
        elif key in ("allOf", "anyOf"):
            subs = [_quick(sub) for sub in arg]
            if key == "allOf":
                checks.append(_every(subs))
            else:
                checks.append(lambda v, subs=tuple(subs): any(f(v) for f in subs))
        elif key == "not":  # holds for null too, nullable or not (nullable is about type and enum)
            always.append(_quick_not(arg))
        else:  # $ref, oneOf, uniqueItems, ...: leave the whole schema to jsonschema
            raise _Unsupported
    nullable = schema.get("nullable") is True or schema.get("x-nullable") is True
    rest = _every(checks)
    if nullable:
        rest = lambda v, rest=rest: v is None or rest(v)  # noqa: E731
    if always:
        first = _every(always)
        return lambda v: first(v) and rest(v)
    return rest


def _every(checks):
    """One predicate: every one of ``checks`` holds (in order, stopping at the first that does not)."""
    checks = tuple(checks)
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        a, b = checks
        return lambda v: a(v) and b(v)

    def every(v):
        for check in checks:
            if not check(v):
                return False
        return True
    return every


def _quick_properties(subs: dict):
    """``properties``: each member present holds under its schema; walks whichever is shorter, the
    object's members or the schema's properties (same answer either way)."""
    pairs = tuple(subs.items())
    get = subs.get
    size = len(pairs)

    def properties(v):
        if type(v) is not dict:
            return True
        if len(v) < size:
            for k, x in v.items():
                f = get(k)
                if f is not None and not f(x):
                    return False
        else:
            for k, f in pairs:
                if k in v and not f(v[k]):
                    return False
        return True
    return properties


def _quick_not(sub):
    """``not: {enum: [...]}`` (the one form the specs use): certainly valid when the value equals none of the
    options as jsonschema compares them (a bool is not a number, a string only equals a string); a
    nullable ``enum`` accepts null, so then null is left to jsonschema. Other forms: ``_Unsupported``."""
    if not isinstance(sub, dict) or "enum" not in sub or not isinstance(sub["enum"], list):
        raise _Unsupported
    if any(not (k in _NOT_VALIDATING or k.startswith("x-") or k in ("enum", "nullable")) for k in sub):
        raise _Unsupported
    options = sub["enum"]
    if any(not isinstance(o, (str, int, float, bool)) and o is not None for o in options):
        raise _Unsupported
    strings = frozenset(o for o in options if type(o) is str)
    bools = frozenset(o for o in options if type(o) is bool)
    numbers = [o for o in options if type(o) in (int, float)]
    has_null = any(o is None for o in options) or sub.get("nullable") is True or sub.get("x-nullable") is True

    def check(v):
        t = type(v)
        if t is str:
            return v not in strings
        if t is bool:
            return v not in bools
        if t is int or t is float:
            return all(v != o for o in numbers)
        if v is None:
            return not has_null
        return t is dict or t is list  # options are atoms only: never equal to an object or a list
    return check


def _quick_or_none(schema):
    """The quick predicate of a schema, or None when it cannot make one (jsonschema decides then)."""
    try:
        return _quick(schema)
    except (_Unsupported, re.error, TypeError, AttributeError):
        return None


def certainly_valid(quick, value) -> bool:
    """Whether the quick predicate ``quick`` (None: there is none) says yes; anything unexpected is a no,
    and the full validator decides."""
    if quick is None:
        return False
    try:
        return bool(quick(value))
    except Exception:
        return False


class _QuickThenFull:
    """``field_errors(body)``: the quick predicate first; when it does not say yes, every error jsonschema
    finds (Connexion's request validator: Draft 4 with the ``nullable`` extension) as ``FieldError``s."""

    def __init__(self, schema):
        self.full = Draft4RequestValidator(schema, format_checker=_FORMATS)
        self.quick = _quick_or_none(schema)

    def validate(self, body):
        if certainly_valid(self.quick, body):
            return None
        return self.full.validate(body)

    def field_errors(self, body) -> list[FieldError]:
        if certainly_valid(self.quick, body):
            return []
        return settle(pair for error in self.full.iter_errors(body) for pair in _fields_of(error, "body"))


_quick_body_validators = _Validators(_QuickThenFull)


# Parameters too: a path id, a page number... each was a jsonschema walk per request (four of them were a
# fifth of a ModelArts list). Keyed by the parameter's schema object.
_quick_parameter_checks = _Validators(_quick_or_none)
