"""Three of Connexion's middlewares, doing per operation (or per API) what the stock ones do per request.

All are subclasses passed in through ``connexion.AsyncApp(middlewares=...)`` (Connexion's documented way to
choose the middleware stack); nothing of Connexion's own classes changes, so another Connexion app in the
same process behaves as before.

* ``UIWhereServed``: Connexion's Swagger UI middleware routes every request through a router of its own
  (a mount per API, then its UI and spec routes) before handing it on. This one sends a request on at
  once unless its path is one the UI middleware serves (the spec documents and the UI's own pages), so an
  API call skips that routing; the UI and the specs are served by the stock code, unchanged.
* ``IndexedRoutingMiddleware``: Connexion's routing middleware, whose routers (one per API, a route per
  operation) try every route in order until one matches: over a hundred regular expressions for a late
  Clarifai route. Here each API's router first narrows the routes to those that could match the path
  (``IndexedRouter``), in their order, so the same route is found.
* ``ValidateOnceMiddleware``: Connexion's request validation builds, on every request, a URI parser, a
  parameter validator, the body definition (``MediaTypeDict``, fnmatch per media type) and a body
  validator, all of them fixed for an operation (and an encoding). Here they are built once per operation
  and reused: the same classes (``validation.VALIDATOR_MAP``), the same arguments, the same order of
  checks, so the same answers.
"""
from __future__ import annotations

import logging

from connexion import utils
from connexion.middleware.request_validation import (RequestValidationAPI, RequestValidationMiddleware,
                                                     RequestValidationOperation)
from connexion.middleware.routing import RoutingAPI, RoutingMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette._utils import get_route_path
from starlette.routing import Match, Mount, Route, Router

from .arguments import content_type_of

log = logging.getLogger("mockserver")

# Content types and encodings come from clients: what is kept per operation is bounded (beyond it, the
# stock per-request work).
_KEPT = 16


class UIWhereServed(SwaggerUIMiddleware):
    """Connexion's Swagger UI middleware, consulted only for the paths it serves."""

    def __init__(self, app) -> None:
        super().__init__(app)
        self._served: tuple[str, ...] = ()

    def add_api(self, specification, base_path=None, arguments=None, **kwargs) -> None:
        super().add_api(specification, base_path=base_path, arguments=arguments, **kwargs)
        mount = self.router.routes[-1]  # the API's mount, just added: its routes are what it serves
        if isinstance(mount, Mount):
            prefix = mount.path.rstrip("/")
            self._served += tuple(prefix + route.path for route in mount.routes)
        else:  # not the shape this was written against: let every request through the stock router
            self._served += ("",)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            root = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root):]
            # A prefix test (a superset of what the routes match): anything else goes on untouched, with a
            # copy of the scope as the stock fallback hands on.
            if not path.startswith(self._served):
                await self.app(dict(scope), receive, send)
                return
        await super().__call__(scope, receive, send)


class _ValidateOnce(RequestValidationOperation):
    """``RequestValidationOperation`` whose parser and validators are made once for the operation."""

    def __init__(self, next_app, *, operation, **kwargs) -> None:
        super().__init__(next_app, operation=operation, **kwargs)
        self._parameters = None
        self._bodies: dict[tuple[str, str], object] = {}
        self._mime_ok: dict[str, bool] = {}  # content types accepted

    def _parameter_validator(self):
        if self._parameters is None:
            op = self._operation
            self._parameters = self._validator_map["parameter"](
                op.parameters, uri_parser=op.uri_parser_class(op.parameters, op.body_definition()),
                strict_validation=self.strict_validation, security_query_params=self.security_query_params)
        return self._parameters

    def validate_mime_type(self, mime_type: str) -> None:
        if mime_type in self._mime_ok:
            return
        super().validate_mime_type(mime_type)  # raises the stock problem when refused
        if len(self._mime_ok) < _KEPT:
            self._mime_ok[mime_type] = True

    def _body_validator(self, mime_type: str, encoding: str):
        key = (mime_type, encoding)
        if key in self._bodies:
            return self._bodies[key]
        op = self._operation
        validator = None
        schema = op.body_schema(mime_type)
        if schema:
            try:
                body_validator = self._validator_map["body"][mime_type]
            except KeyError:
                log.info("Skipping validation. No validator registered for content type: %s.", mime_type)
            else:
                validator = body_validator(
                    schema=schema, required=op.request_body.get("required", False),
                    nullable=utils.is_nullable(op.body_definition(mime_type)), encoding=encoding,
                    strict_validation=self.strict_validation,
                    uri_parser=op.uri_parser_class(op.parameters, op.body_definition()))
        if len(self._bodies) < _KEPT:
            self._bodies[key] = validator
        return validator

    def extract_content_type(self, headers) -> tuple[str, str]:
        mime_type, encoding = utils.split_content_type(content_type_of(headers))
        if mime_type is None:  # the stock guess: the first type the operation consumes
            consumes = self._operation.consumes
            mime_type = consumes[0] if consumes else "application/octet-stream"
        return mime_type, "utf-8" if encoding is None else encoding

    async def __call__(self, scope, receive, send):
        # The stock order: parameters, content type, body. An operation without parameters has none to
        # check unless strict mode refuses undeclared query parameters.
        if self._operation.parameters or self.strict_validation:
            self._parameter_validator().validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        self.validate_mime_type(mime_type)
        validator = self._body_validator(mime_type, encoding)
        if validator is not None:
            receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)


class _ValidateOnceAPI(RequestValidationAPI):
    def make_operation(self, operation) -> _ValidateOnce:
        return _ValidateOnce(self.next_app, operation=operation, strict_validation=self.strict_validation,
                             validator_map=self.validator_map)


class ValidateOnceMiddleware(RequestValidationMiddleware):
    """Connexion's request validation middleware, with ``_ValidateOnce`` operations."""

    api_cls = _ValidateOnceAPI


class IndexedRouter(Router):
    """Starlette's Router trying, for a request, only the routes that could match its path: those with as
    many path segments (no parameter of these routes spans a ``/``) whose last segment, when it is fixed,
    is the request's, in their order. When none of those matches (a path for no route, a slash to
    redirect) the stock loop over every route decides, so the answer is always the stock one. A router
    holding anything else (a mount, a ``:path`` parameter) is not narrowed at all."""

    def __init__(self, routes, default):
        super().__init__(routes=routes, default=default)
        self._by_count: dict[int, list[tuple[str | None, Route]]] | None = {}
        for route in self.routes:
            fmt = route.path_format if isinstance(route, Route) else None
            if fmt is None or ":path}" in route.path:
                self._by_count = None
                break
            segments = fmt.split("/")
            fixed = None if "{" in segments[-1] else segments[-1]
            self._by_count.setdefault(len(segments), []).append((fixed, route))

    async def app(self, scope, receive, send) -> None:
        if scope["type"] == "http" and self._by_count is not None:
            path = get_route_path(scope)
            candidates = self._by_count.get(path.count("/") + 1)
            if candidates:
                last = path[path.rfind("/") + 1:]
                if "router" not in scope:
                    scope["router"] = self
                partial = partial_scope = None
                for fixed, route in candidates:
                    if fixed is not None and fixed != last:
                        continue
                    match, child_scope = route.matches(scope)
                    if match == Match.FULL:
                        scope.update(child_scope)
                        await route.handle(scope, receive, send)
                        return
                    if match == Match.PARTIAL and partial is None:
                        partial, partial_scope = route, child_scope
                if partial is not None:  # the path's route, another method: the stock 405
                    scope.update(partial_scope)
                    await partial.handle(scope, receive, send)
                    return
        await super().app(scope, receive, send)


class _IndexedRoutingAPI(RoutingAPI):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # adds a route per operation to ``self.router``
        self.router = IndexedRouter(self.router.routes, self.router.default)


class IndexedRoutingMiddleware(RoutingMiddleware):
    """Connexion's routing middleware with ``IndexedRouter`` routers. ``add_api`` is the stock one with
    ``_IndexedRoutingAPI`` in place of ``RoutingAPI`` (which the stock one names directly)."""

    def add_api(self, specification, base_path=None, arguments=None, **kwargs) -> None:
        api = _IndexedRoutingAPI(specification, base_path=base_path, arguments=arguments, next_app=self.app,
                                 **kwargs)
        # As the stock one: an API with the base path of one already added is that one's fallback.
        for route in self.router.routes:
            if isinstance(route, Mount) and route.path == api.base_path:
                route.app.default = api.router
        self.router.mount(api.base_path, app=api.router)
