"""Request validation for Connexion, passed in through its ``validator_map`` (its documented seam).

Three costs removed:

* Connexion builds a new JSON-schema validator for every parameter and body of every request; here one is
  kept per schema object (``_Validators``).
* The body is parsed once, by the gate (strict JSON); the validator takes that value (``_parse``).
* Most bodies are valid: each body schema also gets a compiled "certainly valid" predicate (``_quick``)
  tried before jsonschema; when it cannot say yes, jsonschema decides.

And one thing added: a request that breaks the spec is refused with ``InvalidFields``, a
``BadRequestProblem`` that carries every bad field at once as structured ``FieldError`` values (the
field's path as the handlers spell it, the jsonschema keyword it broke, that keyword's value, and a short
sentence composed from those parts). The vendors render the fields in their own envelopes
(``Vendor.bad_request(..., fields=...)``); nothing reads jsonschema's or Connexion's English text.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import connexion.validators
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem, ExtraParameterProblem
from connexion.json_schema import Draft4RequestValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, ValidationError
from starlette.datastructures import Headers

from . import strictjson

_FORMATS = Draft4Validator.FORMAT_CHECKER
MAX_FIELDS = 20  # an answer names at most this many bad fields (and says how many more there were)


# -- Structured field errors ----------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldError:
    """One rule one field broke.

    ``path``: the field as the handlers spell it (``inputs[0].data.image.url``; a missing member's path
    ends with the member's name; ``""`` is the body itself; a parameter's path starts with its name).
    ``rule``: the jsonschema keyword (``required``, ``type``, ``enum``, ``minimum``, ``anyOf`` ...).
    ``expected``: that keyword's value in the schema (the enum's list, the minimum, the type ...).
    ``message``: a short sentence for people, made from the parts above (``must be at least 1``).
    ``where``: ``body``, ``query``, ``path``, ``header`` or ``cookie``.
    ``schema``: the schema holding the keyword (for renderers that need its neighbours, e.g. Draft 4's
    ``exclusiveMinimum`` next to ``minimum``)."""

    path: str
    rule: str
    expected: Any = None
    message: str = ""
    where: str = "body"
    schema: Any = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The path, or ``body`` for the body itself."""
        return self.path or "body"

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


class InvalidFields(BadRequestProblem):
    """A request that breaks the spec, with every bad field (``fields``, at most ``MAX_FIELDS``;
    ``omitted`` says how many more there were). ``detail`` is the same, joined, for readers of text."""

    def __init__(self, fields: Iterable[FieldError]):
        fields = list(fields)
        self.fields, self.omitted = fields[:MAX_FIELDS], max(0, len(fields) - MAX_FIELDS)
        detail = "; ".join(str(f) for f in self.fields) + (f"; and {self.omitted} more" if self.omitted else "")
        BadRequestProblem.__init__(self, detail=detail)


class _ExtraParameters(InvalidFields, ExtraParameterProblem):
    """Connexion's strict-mode problem (parameters the spec does not declare), with the fields."""


_TYPE_WORDS = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
               "object": "a JSON object", "array": "a list", "null": "null"}
_LOCATIONS = ("path", "query", "header", "cookie")


def _value_text(value) -> str:
    return value if isinstance(value, str) and value else json.dumps(value)


def options_text(values, limit: int = 24) -> str:
    """``A, B, C`` (strings bare, other values as JSON), cut after ``limit`` values."""
    values = list(dict.fromkeys(v for v in values if not isinstance(v, (dict, list))))
    text = ", ".join(_value_text(v) for v in values[:limit])
    return text + (f" (or {len(values) - limit} more)" if len(values) > limit else "")


def types_text(expected) -> str:
    names = [expected] if isinstance(expected, str) else list(expected or [])
    return " or ".join(_TYPE_WORDS.get(n, str(n)) for n in names)


def _required_words(branch) -> str | None:
    """``image.url`` for ``{required: [image], properties: {image: {required: [url]}}}``."""
    if not isinstance(branch, dict) or not branch.get("required"):
        return None
    words = []
    for name in branch["required"]:
        inner = ((branch.get("properties") or {}).get(name) or {}).get("required")
        words.append(" and ".join(f"{name}.{n}" for n in inner) if inner else str(name))
    return " and ".join(words)


def branches_text(branches) -> str | None:
    """What the branches of an anyOf/oneOf/not ask, when each can be said in a few words: a predicate
    after "must" (``be one of A, B``, ``be a string or an integer``, ``give one of image.url, text.raw``)."""
    branches = [b for b in branches or [] if isinstance(b, dict)]
    if not branches:
        return None
    if all("enum" in b for b in branches):
        return "be one of " + options_text(v for b in branches for v in b["enum"])
    if all(set(b) <= {"type", "description", "format"} and "type" in b for b in branches):
        return "be " + types_text([t for b in branches for t in ([b["type"]] if isinstance(b["type"], str) else b["type"])])
    words = [_required_words(b) for b in branches]
    if all(words):
        return "give one of " + ", ".join(dict.fromkeys(words))
    # conditional forms (``media_type`` video needs a video ``content_type``): the members they concern
    names = list(dict.fromkeys(str(n) for b in branches for n in [*(b.get("required") or []), *(b.get("properties") or {})]))
    if names:
        return f"be one of the allowed combinations of {_and(names)}"
    return None


def _and(words: list[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def compose(rule: str, expected, schema: dict | None = None) -> str:
    """The sentence for people of a broken rule: a predicate (``must be one of A, B``), read after the
    field's name. Made from the keyword and its value only."""
    schema = schema if isinstance(schema, dict) else {}
    if rule == "required":
        return "is required"
    if rule == "type":
        return f"must be {types_text(expected)}"
    if rule == "enum":
        return f"must be one of {options_text(expected)}"
    if rule == "minimum":
        return f"must be {'greater than' if schema.get('exclusiveMinimum') is True else 'at least'} {expected}"
    if rule == "maximum":
        return f"must be {'less than' if schema.get('exclusiveMaximum') is True else 'at most'} {expected}"
    if rule in ("minLength", "minItems", "minProperties"):
        unit = {"minLength": "characters", "minItems": "items", "minProperties": "members"}[rule]
        return "must not be empty" if expected == 1 else f"must have at least {expected} {unit}"
    if rule in ("maxLength", "maxItems", "maxProperties"):
        unit = {"maxLength": "characters", "maxItems": "items", "maxProperties": "members"}[rule]
        return "must be empty" if expected == 0 else f"must have at most {expected} {unit}"
    if rule == "pattern":
        return f"must match the pattern {expected}"
    if rule == "format":
        return f"must be a valid {expected}"
    if rule == "additionalProperties":
        return "is not a known field"
    if rule == "uniqueItems":
        return "must not repeat an item"
    if rule == "multipleOf":
        return f"must be a multiple of {expected}"
    if rule in ("anyOf", "oneOf"):
        words = branches_text(expected)
        return f"must {words}" if words else "must match one of the allowed forms"
    if rule == "allOf":
        return "must match every one of the given forms"
    if rule == "not":
        if isinstance(expected, dict) and "enum" in expected:
            return f"must not be {'one of ' if len(expected['enum']) > 1 else ''}{options_text(expected['enum'])}"
        pairs = [_required_words(b) for b in (expected.get("anyOf") or [])] if isinstance(expected, dict) else []
        if pairs and all(p and " and " in p for p in pairs):
            return f"must not give {_and(pairs, 'or')} together"
        return "is not allowed here"
    if rule == "dependencies":
        return "needs the members it depends on"
    return f"breaks the {rule} rule"


def field_path(parts) -> str:
    """``("inputs", 0, "data", "image", "url")`` -> ``inputs[0].data.image.url``."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _sort_key(where: str, parts: tuple) -> tuple:
    order = _LOCATIONS.index(where) if where in _LOCATIONS else len(_LOCATIONS)
    return order, tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in parts)


def _fields_of(error: ValidationError, where: str, prefix: tuple = ()) -> list[tuple[tuple, FieldError]]:
    """jsonschema's error as (sort key, FieldError) pairs: one per missing member or unknown member."""
    parts = prefix + tuple(error.absolute_path)
    rule, expected, instance = error.validator, error.validator_value, error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}

    def one(at: tuple, message: str | None = None):
        return _sort_key(where, at), FieldError(field_path(at), rule, expected,
                                                message or compose(rule, expected, schema), where, schema)

    if rule == "required" and isinstance(instance, dict):
        return [one(parts + (name,)) for name in expected if name not in instance]
    if rule == "additionalProperties" and isinstance(instance, dict):
        known = set(schema.get("properties") or {})
        patterns = list(schema.get("patternProperties") or {})
        extra = [k for k in instance if k not in known and not any(re.search(p, k) for p in patterns)]
        if extra:
            return [one(parts + (name,)) for name in extra]
    if rule == "oneOf" and not error.context:  # valid under more than one branch
        words = branches_text(expected)
        return [one(parts, f"must {words.replace(' one of ', ' exactly one of ', 1)}" if words and " one of " in words
                    else "must match exactly one of the allowed forms")]
    return [one(parts)]


def settle(pairs: Iterable[tuple[tuple, FieldError]]) -> list[FieldError]:
    """Sorted by place and path, one per (place, path, rule)."""
    seen, out = set(), []
    for _, f in sorted(pairs, key=lambda pair: pair[0]):
        key = (f.where, f.path, f.rule)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


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


_param_validators = _Validators(lambda param: Draft4Validator(param.get("schema", param), format_checker=_FORMATS))
_body_validators = _Validators(lambda schema: Draft4RequestValidator(schema, format_checker=_FORMATS))


class CachedParameterValidator(ParameterValidator):
    """Every bad path, query, header and cookie parameter at once (``InvalidFields``); in strict mode a
    query parameter the spec does not declare is one of them (Connexion's ``ExtraParameterProblem``)."""

    @staticmethod
    def parameter_errors(where: str, value, param) -> list[tuple[tuple, FieldError]]:
        name = param.get("name", "parameter")
        if is_nullable(param) and is_null(value):
            return []
        if value is not None:
            return [pair for error in _param_validators(param).iter_errors(value)
                    for pair in _fields_of(error, where, (name,))]
        if param.get("required"):
            return [(_sort_key(where, (name,)), FieldError(name, "required", True, compose("required", True), where))]
        return []

    @staticmethod
    def _value(where: str, param, request):
        name = param["name"]
        if where == "query":
            return request.query_params.get(name)
        if where == "path":
            return request.path_params.get(name.replace("-", "_"))
        if where == "header":
            return request.headers.get(name)
        return request.cookies.get(name)

    def validate_request(self, request):
        pairs, extra = [], set()
        if self.strict_validation:
            extra = self.validate_query_parameter_list(request, security_params=self.security_query_params)
            pairs += [(_sort_key("query", (name,)),
                       FieldError(name, "additionalProperties", False, "is not a parameter of this operation", "query"))
                      for name in extra]
        for where in _LOCATIONS:
            for param in self.parameters.get(where, []):
                pairs += self.parameter_errors(where, self._value(where, param, request), param)
        if pairs:
            fields = settle(pairs) + self._body_errors(request)
            raise (_ExtraParameters if extra else InvalidFields)(fields)

    def _body_errors(self, request) -> list[FieldError]:
        """The body's bad fields too, so that one answer names them all: Connexion checks the parameters
        before it reads the body. Only for a JSON body the gate has parsed, against the operation's body
        schema (the one Connexion's URI parser was given); the body validator checks it otherwise."""
        value = strictjson.parsed(request.scope)
        schema = getattr(self.uri_parser, "_body_schema", None)
        if value is strictjson.ABSENT or value is None or not isinstance(schema, dict) or not schema:
            return []
        try:
            return _quick_body_validators(schema).field_errors(value)
        except Exception:  # a schema jsonschema cannot use: the body validator will say so
            return []


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


class _QuickThenFull:
    """``field_errors(body)``: the quick predicate first; when it does not say yes, every error jsonschema
    finds (Connexion's request validator: Draft 4 with the ``nullable`` extension) as ``FieldError``s."""

    def __init__(self, schema):
        self.full = Draft4RequestValidator(schema, format_checker=_FORMATS)
        try:
            self.quick = _quick(schema)
        except (_Unsupported, re.error, TypeError, AttributeError):
            self.quick = None

    def validate(self, body):
        if self.quick is not None:
            try:
                if self.quick(body):
                    return None
            except Exception:  # anything unexpected: the full validator decides
                pass
        return self.full.validate(body)

    def field_errors(self, body) -> list[FieldError]:
        if self.quick is not None:
            try:
                if self.quick(body):
                    return []
            except Exception:  # anything unexpected: the full validator decides
                pass
        return settle(pair for error in self.full.iter_errors(body) for pair in _fields_of(error, "body"))


_quick_body_validators = _Validators(_QuickThenFull)


_CLOSED: dict[int, tuple[dict, dict]] = {}


def closed(schema: dict) -> dict:
    """``schema`` with every plain object closed (``additionalProperties: false`` where the spec says
    nothing), kept per schema object: strict mode refuses body fields the spec does not declare.
    Combinator branches (allOf/anyOf/oneOf/not) and what is below them stay open: a branch states only
    part of the object."""
    entry = _CLOSED.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _CLOSED[id(schema)] = (schema, _close(copy.deepcopy(schema)))
    return entry[1]


def _declared(schema) -> set[str] | None:
    """The member names an ``allOf`` of objects declares, or None when a part is not a plain object."""
    names: set[str] = set()
    for part in schema.get("allOf") or ():
        if not isinstance(part, dict) or part.get("additionalProperties") not in (None, False):
            return None
        if "allOf" in part:
            inner = _declared(part)
            if inner is None:
                return None
            names |= inner
        if "properties" not in part and "allOf" not in part:
            return None
        names |= set(part.get("properties") or ())
    return names


def _close(schema, branch: bool = False):
    if not isinstance(schema, dict):
        return schema
    if not branch and "additionalProperties" not in schema and "patternProperties" not in schema:
        if "properties" in schema:
            schema["additionalProperties"] = False
        elif schema.get("allOf"):  # parts of one object: the names of all parts, at the top (Draft 4)
            names = _declared(schema)
            if names:
                schema["properties"] = {name: {} for name in sorted(names)}
                schema["additionalProperties"] = False
    for key, value in schema.items():
        if key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
            for sub in value:
                _close(sub, True)
        elif key == "not":
            _close(value, True)
        elif key == "properties" and isinstance(value, dict):
            for sub in value.values():
                _close(sub, branch)
        elif key in ("items", "additionalProperties"):
            _close(value, branch)
    return schema


class CachedJSONBodyValidator(JSONRequestBodyValidator):
    """Connexion's JSON body validator, reporting every bad field at once (``InvalidFields``); in strict
    mode (``--strict``) a field the spec does not declare is refused too (``closed``)."""

    @property
    def _validator(self):
        return _quick_body_validators(closed(self._schema) if self._strict_validation else self._schema)

    async def wrap_receive(self, receive, *, scope):
        length = Headers(scope=scope).get("content-length", "0")
        if not (length.isdigit() and int(length)) and self._schema.get("default") is None:
            # A required body that is not there: Connexion's "RequestBody is required", as a field error.
            if self._required:
                raise InvalidFields([FieldError("", "required", True, compose("required", True))])
            # An optional body left out is just that (Connexion would validate a null in its place and
            # answer "Request body must not be empty"): the handler gets no body.
            return receive, scope
        return await super().wrap_receive(receive, scope=scope)

    def _validate(self, body):
        if not self._nullable and body is None:  # the body is JSON null
            expected = self._schema.get("type", "object")
            raise InvalidFields([FieldError("", "type", expected, compose("type", expected))])
        fields = self._validator.field_errors(body)
        if fields:
            raise InvalidFields(fields)
        return None

    async def _parse(self, stream, scope):
        """The gate's parse of this body when there is one (``strictjson.SCOPE_KEY``); Connexion's otherwise
        (a default body it inserted for an empty request). The stream is drained either way: Connexion
        replays the messages it saw to the handler."""
        value = strictjson.parsed(scope)
        if value is strictjson.ABSENT:
            return await super()._parse(stream, scope)
        async for _ in stream:
            pass
        return value


VALIDATOR_MAP = {**connexion.validators.VALIDATOR_MAP, "parameter": CachedParameterValidator,
                 "body": MediaTypeDict({**connexion.validators.VALIDATOR_MAP["body"], "*/*json": CachedJSONBodyValidator})}
