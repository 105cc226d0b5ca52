"""Request validation for Connexion, passed in through its ``validator_map`` (its documented seam).

Three costs removed:

* Connexion builds a new JSON-schema validator for every parameter and body of every request; here one is
  kept per schema object (``_Validators``).
* The body is parsed once, by the gate (strict JSON); the validator checks that value (``wrap_receive``).
* Most bodies are valid: each body schema also gets a compiled "certainly valid" predicate (``quickcheck``)
  tried before jsonschema; when it cannot say yes, jsonschema decides.

And one thing added: a request that breaks the spec is refused with ``InvalidFields``, a
``BadRequestProblem`` that carries every bad field at once as structured ``FieldError`` values (the
field's path as the handlers spell it, the jsonschema keyword it broke, that keyword's value, and a short
sentence composed from those parts: ``fielderrors``). The vendors render the fields in their own envelopes
(``Vendor.bad_request(..., fields=...)``); nothing reads jsonschema's or Connexion's English text.
"""
from __future__ import annotations

import copy
from typing import Iterable

import connexion.validators
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem, ExtraParameterProblem
from connexion.utils import is_null, is_nullable
from connexion.validators import JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator
from starlette.datastructures import Headers

from . import strictjson
from .fielderrors import _LOCATIONS, MAX_FIELDS, FieldError, _fields_of, _sort_key, compose, settle
from .quickcheck import _FORMATS, _quick_body_validators, _quick_parameter_checks, _Validators, certainly_valid

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


_param_validators = _Validators(lambda param: Draft4Validator(param.get("schema", param), format_checker=_FORMATS))

_RESOLVED = "mockserver_resolved_params"
_SHARED = ("path", "query")


def resolved_params(scope, where: str) -> dict | None:
    """The path or query parameters of this request as the parameter validator resolved (typed) them, or
    None: the handler's request reads them from here instead of resolving them again (one URI parse
    per request; both come from the same spec operation)."""
    state = scope.get("state")
    found = state.get(_RESOLVED) if state else None
    return found.get(where) if found else None


class CachedParameterValidator(ParameterValidator):
    """Every bad path, query, header and cookie parameter at once (``InvalidFields``); in strict mode a
    query parameter the spec does not declare is one of them (Connexion's ``ExtraParameterProblem``)."""

    @staticmethod
    def parameter_errors(where: str, value, param) -> list[tuple[tuple, FieldError]]:
        name = param.get("name", "parameter")
        if is_nullable(param) and is_null(value):
            return []
        if value is not None:
            if certainly_valid(_quick_parameter_checks(param.get("schema", param)), value):
                return []
            return [pair for error in _param_validators(param).iter_errors(value)
                    for pair in _fields_of(error, where, (name,))]
        if param.get("required"):
            return [(_sort_key(where, (name,)), FieldError(name, "required", True, compose("required", True), where))]
        return []

    # Where each location's values are read on the request (Connexion's request builds the mapping anew on
    # every access: read once per request, not once per parameter).
    _SOURCES = {"query": "query_params", "path": "path_params", "header": "headers", "cookie": "cookies"}

    def validate_request(self, request):
        pairs, extra = [], set()
        if self.strict_validation:
            extra = self.validate_query_parameter_list(request, security_params=self.security_query_params)
            pairs += [(_sort_key("query", (name,)),
                       FieldError(name, "additionalProperties", False, "is not a parameter of this operation", "query"))
                      for name in extra]
        for where in _LOCATIONS:
            params = self.parameters.get(where)
            if not params:
                continue
            values = getattr(request, self._SOURCES[where])
            if where in _SHARED:
                request.scope.setdefault("state", {}).setdefault(_RESOLVED, {})[where] = values
            for param in params:
                name = param["name"]
                value = values.get(name.replace("-", "_") if where == "path" else name)
                pairs += self.parameter_errors(where, value, param)
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
        value = strictjson.parsed(scope)
        if value is not strictjson.ABSENT:
            # The stock validator drains the body into a list, parses it and replays the same messages
            # downstream. With the gate's value at hand, it checks that value
            # and leaves the messages unread: downstream reads exactly what the replay would give.
            if not (value is None and self._nullable):
                self._validate(value)
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


VALIDATOR_MAP = {**connexion.validators.VALIDATOR_MAP, "parameter": CachedParameterValidator,
                 "body": MediaTypeDict({**connexion.validators.VALIDATOR_MAP["body"], "*/*json": CachedJSONBodyValidator})}
