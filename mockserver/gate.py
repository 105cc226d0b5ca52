"""The ASGI layer in front of Connexion, one per vendor port.

It reads the body once (bounded), refuses what Connexion would mishandle (a body that is not UTF-8
gets a 500 from Connexion, connexion#1860), checks the vendor's credentials, sets the world and the
principal for the handlers, and gives the journal and fault injection one place to hook in.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import time
from typing import Any, Awaitable, Callable

from . import strictjson
from .vendors.base import RawRequest, Vendor, VendorError
from .world import World, set_current_principal, set_current_world

CONTROL_PREFIX = "/_mock"
HEALTH_PATH = CONTROL_PREFIX + "/health"
# Headers that say who calls: each may appear once (RFC 9110 lets a list header repeat; these are not lists).
CREDENTIAL_HEADERS = frozenset({"authorization", "x-auth-token", "x-api-key", "x-sdk-date", "x-sdk-content-sha256",
                                "x-project-id", "x-mockserver-token"})
DRAIN_BYTES = 64 * 1024 * 1024  # an oversized body is read (and dropped) up to this much before the 413
# Paths served without credentials: the control API and the interactive docs of each spec.
PUBLIC_PREFIXES = (CONTROL_PREFIX, "/ui", "/openapi.json", "/openapi.yaml")
JSON_TYPES = ("application/json", "application/problem+json")

# Hooks for the journal and faults: each is called with (vendor, raw_request) and may return an
# ASGI-ready (status, headers, body) to answer instead, or None to go on.
Interceptor = Callable[[Vendor, RawRequest], Awaitable[Any]]


def render(vendor: Vendor | None, err: VendorError) -> tuple[int, dict[str, str], bytes]:
    headers = {"content-type": "application/json"}
    headers.update({k.lower(): v for k, v in err.headers.items()})
    if vendor is not None:
        vendor.decorate(headers)
    return err.status, headers, json.dumps(err.body).encode()


async def send_response(send, status: int, headers: dict[str, str], body: bytes) -> None:
    raw_headers = [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()]
    raw_headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


async def drop_connection(send) -> None:
    """Close the client's connection without an answer (fault injection).

    Under uvicorn, ``send`` is bound to the request cycle, which holds the socket's transport: abort
    it and mark the cycle disconnected, so uvicorn neither sends its 500 nor logs a traceback. With
    no transport (in-process clients), raise: the caller's transport turns it into a connection error.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("connection dropped by fault injection")
    transport.abort()
    cycle.disconnected = True


class Gate:
    def __init__(self, app, vendor: Vendor, world: World, inside_long_operations: bool = False):
        self.app = app
        self.vendor = vendor
        self.world = world
        # A gate used BY a long state operation (a scenario's own requests) must not wait for it to end.
        self.inside_long_operations = inside_long_operations
        self.before: list[Interceptor] = []  # faults, rate limits
        self.after: list[Callable[..., None]] = []  # journal: (vendor, raw, status, headers, body, seconds)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        set_current_world(self.world)
        set_current_principal(None)
        if self.world.busy and scope.get("path") != HEALTH_PATH and not self.inside_long_operations:
            # A long state operation runs in a worker thread: wait for the state without holding the loop.
            while self.world.busy:
                await asyncio.sleep(0.002)
        scheduler = self.world.scheduler
        if scheduler is not None and not self.world.busy:  # scaled real time: due events happen before anyone looks
            scheduler.run_due()
        raw, error = await self._read(scope, receive)
        scope.setdefault("state", {})["raw_request"] = raw
        started = time.perf_counter()
        captured: dict[str, Any] = {"status": 0, "headers": {}, "body": b""}

        async def capture_send(message):
            if message["type"] == "http.response.start":
                raw_headers = message.get("headers", [])
                captured["status"] = message["status"]
                captured["headers"] = {k.decode("latin-1"): v.decode("latin-1") for k, v in raw_headers}
                extra: dict[str, str] = {}
                self.vendor.decorate(extra)
                if extra:  # only then a new message: most vendors add nothing
                    lower = {k.lower() for k in captured["headers"]}
                    message = dict(message)
                    message["headers"] = list(raw_headers) + [
                        (k.encode("latin-1"), v.encode("latin-1")) for k, v in extra.items() if k.lower() not in lower
                    ]
            elif message["type"] == "http.response.body" and self.after:
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            answer = error
            if answer is None:
                for hook in self.before:
                    answer = await hook(self.vendor, raw)
                    if answer is not None:
                        break
            if answer is None and raw.path.startswith(CONTROL_PREFIX) and raw.path != HEALTH_PATH:
                answer = control_refusal(self.world.settings, self.vendor, raw)
            if answer is None and not raw.path.startswith(PUBLIC_PREFIXES + tuple(self.vendor.public_prefixes)):
                try:
                    set_current_principal(self.vendor.authenticate(self.world, raw))
                except VendorError as exc:
                    answer = render(self.vendor, exc)
            if answer is not None:
                if answer == "drop":  # fault injection: close without an answer
                    captured["status"] = 0
                    await drop_connection(send)
                    return
                status, headers, body = answer
                await send_response(capture_send, status, headers, body)
            else:
                await self.app(scope, _replay(raw.body, receive), capture_send)
        finally:
            for hook in self.after:
                hook(self.vendor, raw, captured["status"], captured["headers"], captured["body"], time.perf_counter() - started)

    def _bad_body(self, raw: RawRequest, message: str):
        if raw.path.startswith(CONTROL_PREFIX):
            return render(None, _control_bad_request(message))
        return render(self.vendor, self.vendor.bad_request(message, "body"))

    async def _read(self, scope, receive) -> tuple[RawRequest, Any]:
        headers: dict[str, str] = {}
        repeated = None
        for k, v in scope.get("headers", []):
            name = k.decode("latin-1").lower()
            if name in headers and name in CREDENTIAL_HEADERS:
                repeated = name
            headers[name] = v.decode("latin-1")
        raw = RawRequest(
            method=scope["method"],
            path=scope["path"],
            query_string=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=b"",
            scheme=scope.get("scheme", "http"),
            host=headers.get("host", ""),
        )
        if repeated is not None:
            # Which one would count? Refused rather than guessed (the last one used to win).
            message = f"the {repeated} header is given more than once"
            if raw.path.startswith(CONTROL_PREFIX):
                return raw, render(None, VendorError(400, {"error": message, "details": repeated}))
            return raw, render(self.vendor, self.vendor.bad_request(message, repeated))
        limit = self.world.settings.max_body_bytes

        def too_large():  # built only when a body is refused (it costs as much as reading a small body)
            return render(self.vendor, self.vendor.error(413, "too_large", f"Request body over {limit} bytes", "body"))

        declared = headers.get("content-length")
        if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
            await _discard(receive, DRAIN_BYTES)
            return raw, too_large()
        chunks, size = [], 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                if message.get("more_body", False):
                    await _discard(receive, DRAIN_BYTES)
                return raw, too_large()
            chunks.append(chunk)
            more = message.get("more_body", False)
        raw.body = b"".join(chunks)
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if raw.body and (not ctype or ctype in JSON_TYPES or ctype.endswith("+json")) \
                and not raw.path.startswith(CONTROL_PREFIX + "/upload"):
            try:
                raw.json = scope[strictjson.SCOPE_KEY] = strictjson.parse(raw.body)
            except strictjson.BadBody as exc:
                return raw, self._bad_body(raw, str(exc))
            # Media types are case-insensitive (RFC 9110) and a JSON API reads a body without one as
            # JSON: tell Connexion so in the one spelling it matches.
            if headers.get("content-type") != "application/json":
                _set_header(scope, b"content-type", b"application/json")
                raw.headers["content-type"] = "application/json"
        return raw, None


def control_refusal(settings, vendor: Vendor, raw: RawRequest):
    """An answer refusing a control-API request, or None to let it through: with ``--no-control`` the
    control API does not exist (the vendor's 404); with a token, it needs ``Authorization: Bearer TOKEN``
    or ``X-Mockserver-Token: TOKEN`` (a 401 in the control API's envelope)."""
    if not settings.control:
        return render(vendor, vendor.not_found_route(raw.method, raw.path))
    token = settings.control_token
    if not token:
        return None
    given = raw.headers.get("x-mockserver-token") or ""
    bearer = raw.headers.get("authorization") or ""
    if bearer[:7].lower() == "bearer ":
        given = given or bearer[7:].strip()
    if given and hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8")):
        return None
    err = VendorError(401, {"error": "the control API needs its token",
                            "details": "send 'Authorization: Bearer TOKEN' or 'X-Mockserver-Token: TOKEN'"})
    err.headers = {"WWW-Authenticate": 'Bearer realm="mockserver control"'}
    return render(None, err)


async def _discard(receive, budget: int) -> None:
    """Read and drop the rest of an oversized body (up to ``budget`` bytes) before answering 413: a
    client that is still sending (Python's urllib) otherwise sees a reset connection, not the answer."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _set_header(scope, name: bytes, value: bytes) -> None:
    scope["headers"] = [(k, v) for k, v in scope.get("headers", []) if k.lower() != name] + [(name, value)]


def _control_bad_request(message: str) -> VendorError:
    """The control API's own error shape (openapi/control.yaml), not the vendor's."""
    return VendorError(400, {"error": message, "details": "body"})


def _replay(body: bytes, downstream):
    """Hand the buffered body to Connexion once, then pass on the real channel (disconnects)."""
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await downstream()

    return receive
