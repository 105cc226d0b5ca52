"""Wiring: one Connexion AsyncApp per vendor, each behind its gate, all sharing one world."""
from __future__ import annotations

import functools
import importlib.metadata as _metadata
import hashlib
import json
import logging
import os
import re
import threading
from pathlib import Path

import connexion
import yaml
import connexion.context as connexion_context
from connexion.apps.abstract import AbstractApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp, AsyncOperation
from connexion.decorators.main import StarletteDecorator
from connexion.decorators.parameter import AsyncParameterDecorator
from connexion.decorators.response import AsyncResponseDecorator
from connexion.exceptions import ProblemException
from connexion.http_facts import FORM_CONTENT_TYPES
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException

from . import strictjson
from .core import CoreError
from .arguments import ArgumentPlan, content_type_of, mimetype_of
from .gate import CONTROL_PREFIX, Gate
from .jsonout import OrjsonJsonifier
from .middlewares import IndexedRoutingMiddleware, UIWhereServed, ValidateOnceMiddleware
from .resources import cache_dir, spec_dir
from .validation import VALIDATOR_MAP, InvalidFields, resolved_params
from .vendors.base import Vendor, VendorError
from .world import World

SPEC_DIR = spec_dir()

# The app is built against Connexion 3.3's API (MockApp's inner app, the validator classes): say so
# plainly rather than fail somewhere inside Connexion.
CONNEXION_RANGE = ((3, 3), (3, 4))
_found = tuple(int(p) for p in re.findall(r"\d+", _metadata.version("connexion"))[:2])
if not CONNEXION_RANGE[0] <= _found < CONNEXION_RANGE[1]:
    raise ImportError(f"mockserver needs connexion >=3.3,<3.4 (found {_metadata.version('connexion')}); "
                      "pip install 'connexion[swagger-ui,uvicorn]>=3.3,<3.4'")

log = logging.getLogger("mockserver")

# Credentials are checked by the gate in each vendor's own way (signatures, keys bound to tenants), so
# Connexion's security middleware is left out; the specs still declare the schemes for their readers.
# Swagger UI, routing and request validation are Connexion's, doing per operation (or per API) what they
# do per request (``middlewares``).
_OURS = {SwaggerUIMiddleware: UIWhereServed, RoutingMiddleware: IndexedRoutingMiddleware,
         RequestValidationMiddleware: ValidateOnceMiddleware}
MIDDLEWARES = [_OURS.get(m, m) for m in ConnexionMiddleware.default_middlewares if m is not SecurityMiddleware]


# -- Connexion's per-request set-up, done once ---------------------------------------------------------
# Connexion 3.3 decorates the handler afresh on every request (parameter injection, response building,
# ``inspect.signature`` on the handler). ``MockApp`` is an ``AsyncApp`` whose operations keep the
# decorated handler: same decorator, same results, built once per operation. It is a subclass passed in
# where Connexion builds its innermost app; nothing of Connexion's own classes changes, so another
# Connexion app in the same process (a user's, under the pytest plugin) behaves exactly as before.

_UNREAD = object()


class _GateParsedRequest(ConnexionRequest):
    """Connexion's request, whose JSON body is the one the gate already parsed (one parse per request)."""

    async def json(self):
        value = strictjson.parsed(self._starlette_request.scope)
        return await super().json() if value is strictjson.ABSENT else value

    # The path and query parameters the validator resolved for this request (``validation.resolved_params``):
    # Connexion resolves them again per request object otherwise (a tenth of a list's time).
    def _validated(self, where: str, slot: str, stock: property):
        if getattr(self, slot) is None:
            found = resolved_params(self._starlette_request.scope, where)
            setattr(self, slot, found if found is not None else stock.fget(self))
        return getattr(self, slot)

    @property
    def header_content_type(self) -> str | None:
        """The request's Content-Type header (None: none), read from the scope once."""
        if self._header_type is _UNREAD:
            self._header_type = content_type_of(self._starlette_request.scope["headers"])
        return self._header_type

    _header_type = _UNREAD

    path_params = property(lambda self: self._validated("path", "_path_params", ConnexionRequest.path_params))
    query_params = property(lambda self: self._validated("query", "_query_params", ConnexionRequest.query_params))


class _NamesOnce(AsyncParameterDecorator):
    """Connexion's parameter decorator, whose name sanitiser (a pure function of a parameter's name, three
    regular-expression substitutions per name per request) keeps its answers, and whose look-ups in the
    operation (its path and query parameter definitions, query defaults, body name, the body schema's
    ``nullable`` and ``default``, fixed for an operation) are made once: ``arguments.ArgumentPlan``.
    Form bodies (multipart, url-encoded) take Connexion's own path, unchanged."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.sanitize_fn = functools.lru_cache(maxsize=4096)(self.sanitize_fn)

    def __call__(self, function):
        stock = super().__call__(function)
        plan = ArgumentPlan(function, self.sanitize_fn)

        @functools.wraps(function)
        async def wrapper(request):
            content_type = request.header_content_type
            if content_type is not None and mimetype_of(content_type) in FORM_CONTENT_TYPES:
                return await stock(request)
            return await function(**await plan.kwargs(request))

        return wrapper


class _AnswerOnce(AsyncResponseDecorator):
    """Connexion's response decorator, which knows its operation's content type for a dict or list answer
    without headers once it has inferred it (the stock one infers it again per answer, from the
    operation's ``produces``: the same result for the same operation and kind of answer)."""

    _json_type = None

    def _infer_content_type(self, data, headers):
        if not headers and data.__class__ in (dict, list):
            if self._json_type is None:
                self._json_type = AsyncResponseDecorator._infer_content_type(data, headers)
            return self._json_type
        return AsyncResponseDecorator._infer_content_type(data, headers)


class _DecorateOnce(StarletteDecorator):
    """Connexion's Starlette decorator, applied once: each request still builds its own request object
    from the request's context (``connexion.context``), as the stock decorator does, of a subclass that
    takes the gate's parsed body."""

    @property
    def _parameter_decorator_cls(self):
        return _NamesOnce

    @property
    def _response_decorator_cls(self):
        return _AnswerOnce

    def __call__(self, function):
        decorated = self.decorate(function)
        parser = None

        @functools.wraps(function)
        async def wrapper(*args, **kwargs):
            nonlocal parser
            if parser is None:  # this operation's URI parser (its parameters and body, fixed): made once
                parser = self.uri_parser
            request = _GateParsedRequest(connexion_context.scope, connexion_context.receive, uri_parser=parser)
            return await decorated(request)

        return wrapper


class _OnceOperation(AsyncOperation):
    _decorated = None

    @property
    def fn(self):
        if self._decorated is None:
            self._decorated = _DecorateOnce(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)(self._fn)
        return self._decorated


class _OnceApi(AsyncApi):
    def make_operation(self, operation):
        return _OnceOperation.from_operation(operation, pythonic_params=self.pythonic_params,
                                             jsonifier=self.jsonifier)


class _OnceASGIApp(AsyncASGIApp):
    api_cls = _OnceApi


class MockApp(connexion.AsyncApp):
    """``connexion.AsyncApp`` with ``_OnceASGIApp`` as its innermost application: AsyncApp's constructor
    does exactly this with the stock inner app, then hands over to AbstractApp's."""

    def __init__(self, import_name: str, **kwargs):
        self._middleware_app = _OnceASGIApp()
        AbstractApp.__init__(self, import_name, **kwargs)


@functools.lru_cache(maxsize=None)
def _spec_text(path: str, mtime: float, size: int) -> str:
    """A spec as JSON text. Parsing YAML costs a third of a second for the four specs, so the JSON is
    kept in the user's cache directory (keyed by a hash of the YAML, so two installs never mix) and
    reused by later starts. Nothing is written into the package; a cache that cannot be written only
    costs the parse."""
    with open(path, "rb") as fh:
        raw = fh.read()
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    cache = cache_dir() / "specs" / f"{Path(path).stem}-{digest}.json"
    try:
        return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    text = json.dumps(yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob(f"{Path(path).stem}-*.json"):
            old.unlink(missing_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:  # a read-only home: parse every time
        pass
    return text


def load_spec(name: str) -> dict:
    """A spec of ``openapi/`` as a fresh dict (parsed once per process, cached as JSON across processes)."""
    return read_spec(SPEC_DIR / name)


def read_spec(path: Path) -> dict:
    """Any spec file as a fresh dict, through the same cache: the one reader of specs (Connexion's routing,
    the operation index behind the journal, faults and ``Allow``)."""
    st = Path(path).stat()
    return json.loads(_spec_text(str(path), st.st_mtime, st.st_size))


def snake(name: str) -> str:
    """``PostTasks`` -> ``post_tasks``; ``getHealth`` -> ``get_health``."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return name.replace("-", "_").lower()


class ModuleResolver(Resolver):
    """operationId (the vendor's own operation name) -> snake_case function in one module."""

    def __init__(self, module: str):
        super().__init__()
        self.module = module

    def resolve_operation_id(self, operation):
        return f"{self.module}.{snake(operation.operation_id)}"

    def resolve_function_from_operation_id(self, operation_id):
        # Connexion resolves every operation once per middleware layer (about 750 look-ups at start).
        found = _FUNCTIONS.get(operation_id)
        if found is None:
            found = _FUNCTIONS[operation_id] = super().resolve_function_from_operation_id(operation_id)
        return found


_FUNCTIONS: dict[str, object] = {}


def _control_error(status: int, message: str, details=None) -> VendorError:
    body = {"error": message}
    if details is not None:
        body["details"] = details
    return VendorError(status, body)


def _vendor_for(vendor: Vendor, path: str):
    return None if path.startswith(CONTROL_PREFIX) else vendor


def _response(vendor: Vendor | None, err: VendorError) -> ConnexionResponse:
    headers = dict(err.headers)
    return ConnexionResponse(status_code=err.status, body=json.dumps(err.body), mimetype="application/json", headers=headers)


def _problem_detail(exc: ProblemException) -> str:
    detail = exc.detail or exc.title or "Bad request"
    return str(detail)


def _control_fields(fields) -> list[dict]:
    """The control API's ``details``: one entry per bad field."""
    out = []
    for f in fields:
        entry = {"field": f.name, "in": f.where, "rule": f.rule, "message": f.message}
        if f.rule not in ("anyOf", "oneOf", "allOf", "not") and isinstance(f.expected, (str, int, float, bool, list)):
            entry["expected"] = f.expected
        out.append(entry)
    return out


def build_app(vendor: Vendor, world: World, inside_long_operations: bool = False) -> Gate:
    """The vendor's app for ``world``: a gate of the world's own in front of the vendor's Connexion app.

    The Connexion app holds nothing of a world (handlers find theirs through the gate's context), so one
    is built per vendor and strictness and shared by every world of the process: building one means
    Connexion validating two specs (about 0.3 s), which tests that make a world each would pay every time."""
    key = (type(vendor), vendor.name, vendor.spec, vendor.handlers, bool(world.settings.strict))
    with _APPS_LOCK:
        app = _APPS.get(key)
        if app is None:
            app = _APPS[key] = _connexion_app(vendor, bool(world.settings.strict))
    return Gate(app, vendor, world, inside_long_operations)


_APPS: dict[tuple, "MockApp"] = {}
_APPS_LOCK = threading.Lock()


def _connexion_app(vendor: Vendor, strict: bool) -> "MockApp":
    # Without strict mode no response is validated: leave Connexion's response validation layer out too
    # (a router of its own, matched on every request to do nothing).
    middlewares = MIDDLEWARES if strict else [m for m in MIDDLEWARES if m is not ResponseValidationMiddleware]
    app = MockApp(__name__, specification_dir=str(SPEC_DIR), middlewares=middlewares, validator_map=VALIDATOR_MAP,
                  jsonifier=OrjsonJsonifier())
    app.add_api(load_spec(vendor.spec), resolver=ModuleResolver(vendor.handlers), pythonic_params=False,
                validate_responses=strict, strict_validation=strict)
    app.add_api(load_spec("control.yaml"), resolver=ModuleResolver("mockserver.control.handlers"), base_path=CONTROL_PREFIX,
                name="control", validate_responses=strict)

    def on_vendor_error(request, exc: VendorError):
        return _response(None, exc)

    def on_problem(request, exc: ProblemException):
        path = request.url.path
        detail = _problem_detail(exc)
        fields = exc.fields if isinstance(exc, InvalidFields) else None
        if path.startswith(CONTROL_PREFIX):
            return _response(None, _control_error(exc.status, detail, _control_fields(fields) if fields else None))
        if exc.status == 404:
            err = vendor.not_found_route(request.method, path)
        elif exc.status == 405:
            err = vendor.method_not_allowed(request.method, path)
        elif exc.status in (400, 415, 422):
            err = vendor.bad_request(detail, None, fields) if fields else vendor.bad_request(detail)
            err.status = 415 if exc.status == 415 else err.status
        elif exc.status in (401, 403):
            err = vendor.error(exc.status, None, detail)
        else:
            log.error("problem %s on %s: %s", exc.status, path, detail)
            err = vendor.error(exc.status if exc.status < 500 else 500, None, detail)
        return _response(vendor, err)

    def on_http(request, exc: HTTPException):
        response = on_problem(request, ProblemException(status=exc.status_code, title=str(exc.detail), detail=str(exc.detail)))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # RFC 9110: list every method the spec declares on the path
            from .control.operations import allowed_methods

            headers["Allow"] = ", ".join(allowed_methods(vendor, request.url.path)) or headers.get("Allow", "")
        if headers:
            response.headers = {**(response.headers or {}), **headers}
        return response

    def on_core(request, exc: Exception):
        path = request.url.path
        if path.startswith(CONTROL_PREFIX):
            return _response(None, _control_error(400, str(exc)))
        return _response(vendor, vendor.core_error(exc))

    def on_crash(request, exc: Exception):
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        if request.url.path.startswith(CONTROL_PREFIX):
            return _response(None, _control_error(500, "Internal error in the mock server"))
        return _response(vendor, vendor.error(500, None, "Internal error in the mock server"))

    app.add_error_handler(VendorError, on_vendor_error)
    app.add_error_handler(ProblemException, on_problem)
    app.add_error_handler(HTTPException, on_http)
    app.add_error_handler(CoreError, on_core)
    app.add_error_handler(Exception, on_crash)
    return app


def build_apps(world: World, vendors: list[str] | None = None) -> dict[str, Gate]:
    """The vendors' gates with faults and journal: steps 4-6 of ``mockserver/compose.py``."""
    from .compose import build_gates

    return build_gates(world, vendors)
