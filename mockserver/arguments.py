"""A handler's keyword arguments from a request, as Connexion's parameter decorator makes them, with what is
fixed for an operation looked up once.

Connexion 3.3's ``prep_kwargs`` reads the operation afresh on every request: its parameter list twice (path,
then query), the query defaults, the body name and, through ``body_schema``, the body definition (a
``MediaTypeDict`` built and matched by fnmatch on each call, several calls a request): a fifth of a small
request's time. ``ArgumentPlan`` keeps those per operation, then calls the helpers Connexion's decorator
calls (``_get_val_from_param`` casts a value, ``_query_args_helper`` picks and casts the query arguments) in
its order, so a handler receives what the stock decorator would give it. Form bodies (multipart,
url-encoded) are not handled here: ``app._NamesOnce`` hands them to the stock decorator.

Cost: a dict look-up per parameter; the state kept is a few dicts per operation (and at most ``_KEPT``
content types, which come from clients).
"""
from __future__ import annotations

import asyncio
import functools
from copy import deepcopy

from connexion.context import context
from connexion.context import operation as current_operation
from connexion.decorators.parameter import (CONTEXT_NAME, _get_query_defaults, _get_val_from_param,
                                            _query_args_helper, unwrap_decorators)
from connexion.operations import OpenAPIOperation
from connexion.utils import deep_merge, inspect_function_arguments, is_json_mimetype, is_null, is_nullable
from python_multipart.multipart import parse_options_header  # (what ConnexionRequest.mimetype uses)

_KEPT = 16


def content_type_of(headers) -> str | None:
    """The first ``Content-Type`` of an ASGI header list, or None: what ``request.content_type`` reads,
    without building the request's header mapping (a request without a body has none to read), and what
    ``connexion.utils.extract_content_type`` finds, without its per-call typing annotation."""
    for key, value in headers:
        if key.lower() == b"content-type":
            return value.decode("latin-1")
    return None


@functools.lru_cache(maxsize=64)
def mimetype_of(content_type: str) -> str:
    """``request.mimetype`` for this Content-Type (Connexion's own parse), kept per header value."""
    return parse_options_header(content_type)[0].decode()


class ArgumentPlan:
    """The keyword arguments of one handler (one operation), for requests whose body is not a form
    (``app._GateParsedRequest``: its ``header_content_type`` is the request's Content-Type header)."""

    def __init__(self, function, sanitize):
        self.arguments, self.has_kwargs = inspect_function_arguments(unwrap_decorators(function))
        self.sanitize = sanitize
        self._operation = None  # learnt at the first request: the operation comes with the request's context
        self._bodies: dict[str, tuple[bool, object]] = {}

    def _learn(self, op) -> None:
        self._path = {p["name"]: p for p in op.parameters if p["in"] == "path"}
        self._query = {p["name"]: p for p in op.parameters if p["in"] == "query"}
        self._defaults = _get_query_defaults(self._query)
        self._trace = op.method.upper() == "TRACE"
        self._body_defined = op.is_request_body_defined
        # An OpenAPI 3 operation's body name does not depend on the content type (``x-body-name``)
        self._body_name = self.sanitize(op.body_name(None)) if isinstance(op, OpenAPIOperation) else None
        self._bodies = {}
        self._operation = op

    def _body_facts(self, op, content_type: str) -> tuple[bool, object]:
        """The body schema's ``nullable`` and ``default`` for this content type (``body_schema`` matches the
        content type against the operation's media ranges)."""
        facts = self._bodies.get(content_type)
        if facts is None:
            schema = op.body_schema(content_type)
            facts = (is_nullable(schema), schema.get("default", {}))
            if len(self._bodies) < _KEPT:
                self._bodies[content_type] = facts
        return facts

    async def kwargs(self, request) -> dict:
        op = current_operation._get_current_object()
        if op is not self._operation:
            self._learn(op)
        sanitize, arguments, has_kwargs = self.sanitize, self.arguments, self.has_kwargs

        # _maybe_get_body: the body is read only when the handler takes it (and, here, only when the
        # operation has a body: the stock decorator reads one regardless, then passes nothing of it on)
        content_type = request.header_content_type or "application/octet-stream"  # (the stock default)
        body_name = self._body_name or sanitize(op.body_name(content_type))
        body = None
        if self._body_defined and (body_name in arguments or has_kwargs):
            body = request.json() if is_json_mimetype(content_type) else request.get_body()  # (get_body's test)
            while asyncio.iscoroutine(body):
                body = await body

        # get_arguments: path, query, then (not for TRACE) the body. A query parameter the operation does
        # not declare reaches no handler (``_query_args_helper`` skips it): without declared ones the
        # query string need not be read at all.
        out = {}
        if self._path:
            for name, value in request.path_params.items():
                definition = self._path.get(name)
                out[sanitize(name)] = value if definition is None else _get_val_from_param(value, definition)
        if self._query:
            query = deep_merge(deepcopy(self._defaults) if self._defaults else {}, request.query_params)
            out.update(_query_args_helper(self._query, query, arguments, has_kwargs, sanitize))
        if not self._trace and (arguments or has_kwargs) and self._body_defined:
            nullable, default = self._body_facts(op, mimetype_of(content_type))
            if nullable and is_null(body):
                body = None
            elif body is None:
                body = deepcopy(default)
            if body_name in arguments or has_kwargs:
                out[body_name] = body
        # (no file arguments: a body that is not a form has no files)

        # prep_kwargs: the request context's entries, and the context itself when asked for
        for key, value in context.items():
            if has_kwargs or key in arguments:
                out[key] = value
        if CONTEXT_NAME in arguments:
            out[CONTEXT_NAME] = context
        return out
