"""Request validation for Connexion, passed in through its ``validator_map`` (its documented seam).

Three costs removed, results and messages unchanged except where said:

* Connexion builds a new JSON-schema validator for every parameter and body of every request; here one is
  kept per schema object (``_Validators``).
* The body is parsed once, by the gate (strict JSON); the validator takes that value (``_parse``).
* Most bodies are valid: each body schema also gets a compiled "certainly valid" predicate (``_quick``)
  tried before jsonschema; when it cannot say yes, Connexion's own validator decides.

Parameter errors are written for people: ``limit: 101 is greater than the maximum of 100`` rather than
jsonschema's dump of the schema and the instance.
"""
from __future__ import annotations

import re

import connexion.validators
from connexion.datastructures import MediaTypeDict
from connexion.json_schema import Draft4RequestValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, ValidationError

from . import strictjson

_FORMATS = Draft4Validator.FORMAT_CHECKER


class _Validators:
    """One JSON-schema validator per schema object, kept for the app's life.

    Connexion builds a new validator for every parameter and every body of every request (and deep-copies
    each parameter's spec first); the schemas never change once the app is built, so that work is done
    once. Keyed by the schema object itself (identity), bounded in case an operation ever hands out fresh
    dicts. Validation results and messages are Connexion's own, unchanged."""

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
    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):
        if is_nullable(param) and is_null(value):
            return None
        if value is not None:
            try:
                _param_validators(param).validate(value)
            except ValidationError as exception:
                # The message for people ("101 is greater than the maximum of 100"), not jsonschema's dump
                # of the schema and the instance that str() gives.
                return f"{param.get('name', 'parameter')}: {exception.message}"
        elif param.get("required"):
            return f"Missing {parameter_type} parameter '{param['name']}'"
        return None


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


class _Unsupported(Exception):
    pass


def _quick(schema):
    """A predicate ``value -> bool`` (True only if certainly valid), or raise _Unsupported."""
    if not isinstance(schema, dict):
        raise _Unsupported
    checks = []
    for key, arg in schema.items():
        if key in _NOT_VALIDATING or key.startswith("x-") or key in ("nullable", "exclusiveMinimum", "exclusiveMaximum"):
            continue
        if key == "type":
            names = [arg] if isinstance(arg, str) else arg
            if not isinstance(names, list) or any(n not in _TYPES for n in names):
                raise _Unsupported
            tests = [_TYPES[n] for n in names]
            checks.append(lambda v, tests=tests: any(t(v) for t in tests))
        elif key == "properties":
            subs = {name: _quick(sub) for name, sub in arg.items()}
            checks.append(lambda v, subs=subs: type(v) is not dict
                          or all(k not in v or f(v[k]) for k, f in subs.items()))
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
            options = [(type(o), o) for o in arg if isinstance(o, (str, int, float, bool))]
            checks.append(lambda v, options=options: any(type(v) is t and v == o for t, o in options))
        elif key in ("minimum", "maximum"):
            if type(arg) not in (int, float) or not isinstance(schema.get("exclusive" + key[:1].upper() + key[1:], False), bool):
                raise _Unsupported
            exclusive = schema.get("exclusive" + key[:1].upper() + key[1:], False)
            if key == "minimum":
                checks.append(lambda v, m=arg, x=exclusive: type(v) not in (int, float) or (v > m if x else v >= m))
            else:
                checks.append(lambda v, m=arg, x=exclusive: type(v) not in (int, float) or (v < m if x else v <= m))
        elif key in ("minLength", "maxLength", "minItems", "maxItems"):
            kind = str if key.endswith("Length") else list
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
                checks.append(lambda v, subs=subs: all(f(v) for f in subs))
            else:
                checks.append(lambda v, subs=subs: any(f(v) for f in subs))
        else:  # $ref, oneOf, not, uniqueItems, ...: leave the whole schema to jsonschema
            raise _Unsupported
    nullable = schema.get("nullable") is True or schema.get("x-nullable") is True
    return lambda v: (nullable and v is None) or all(c(v) for c in checks)


class _QuickThenFull:
    """``validate(body)``: the quick predicate first, Connexion's validator when it does not say yes."""

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


_quick_body_validators = _Validators(_QuickThenFull)


class CachedJSONBodyValidator(JSONRequestBodyValidator):
    @property
    def _validator(self):
        return _quick_body_validators(self._schema)

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
