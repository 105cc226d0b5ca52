"""Clarifai over gRPC: ``V2Servicer`` on its own port, answered by the REST handlers (``grpc_bridge``).

Each call goes the way a REST request goes through the gate: wait while a long state operation runs,
run due scheduler events, fault injection (``drop`` aborts with UNAVAILABLE; an injected error is the
answer's ``status``), then ``authenticate`` on the ``authorization`` metadata and the REST path of the
RPC's binding, then the handler, and the call goes into the request journal under that binding's method
and path (request headers carry ``content-type: application/grpc``). Errors travel as Clarifai's do: a
``status`` inside the response message, gRPC status OK. RPCs the stand-in does not implement answer at
once with NOT_IMPLEMENTED (10040), streaming ones included.

The server is ``grpc.aio`` on the event loop that serves HTTP: calls run as tasks beside the HTTP
requests, so a slow one (injected latency) holds up nobody, and the state is touched from the loop's
thread only, under ``world.store.lock`` as the REST handlers take it. ``start`` binds with
``SO_REUSEPORT`` off, so a second server cannot share the port silently (grpc turns it on by default).
"""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import time
from typing import Any

# ``--data`` snapshots fork a child that only writes a file (persistence.py): grpc's fork handlers are of no
# use to it, and with the server's threads busy they log a line on stderr at every snapshot. Read at import.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
import grpc  # noqa: E402
from clarifai_grpc.grpc.api import service_pb2_grpc  # noqa: E402

from ...core import CoreError
from ...vendors.base import RawRequest, VendorError
from ...world import World, set_current_principal, set_current_world
from . import grpc_bridge as bridge

log = logging.getLogger("mockserver.clarifai.grpc")

GRPC_HEADERS = {"content-type": "application/grpc"}
DROP = object()  # fault injection: close the call with UNAVAILABLE


class Front:
    """What one call needs: the world, the vendor adapter, and the hooks of the Clarifai HTTP gate
    (fault injection before, journal and access log after), so both transports share them."""

    def __init__(self, world: World, gate=None):
        from ...vendors import VENDORS

        self.world = world
        self.vendor = VENDORS["clarifai"]
        if gate is not None:  # the gate's own lists: hooks installed later apply too
            self.before, self.after = gate.before, gate.after
        else:
            from ...control.faults import faults_of
            from ...control.journal import journal_of

            self.before, self.after = [faults_of(world).intercept], [journal_of(world).record]

    def _key_app(self, headers: dict) -> tuple[str, str] | None:
        """The app of an app key (a scoped-only RPC sent without ``user_app_id`` is scoped to it)."""
        parts = headers.get("authorization", "").split(None, 1)
        if len(parts) != 2:
            return None
        key = self.world.store.table("clarifai_keys").get(parts[1].strip())
        return (key["user_id"], key["app_id"]) if key and key.get("app_id") else None

    async def call(self, rpc: bridge.Rpc, request, context):
        started = time.perf_counter()
        raw, http_status, answer = await self._answer(rpc, request, context)
        message = None if answer is DROP else bridge.to_message(rpc, answer)
        body = b"" if message is None else json.dumps(answer).encode()
        for after in self.after:  # journal, access log: as the gate calls them, once the answer is made
            after(self.vendor, raw, http_status, GRPC_HEADERS, body, time.perf_counter() - started)
        if message is None:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "connection dropped by fault injection")
        return message

    async def _answer(self, rpc: bridge.Rpc, request, context) -> tuple[RawRequest, int, Any]:
        """(the request as REST sees it, the HTTP status REST would answer, the answer or ``DROP``)."""
        world = self.world
        set_current_world(world)
        set_current_principal(None)
        while world.busy:  # a long state operation runs in a worker thread: wait without holding the loop
            await asyncio.sleep(0.002)
        scheduler = world.scheduler
        if scheduler is not None and not world.busy:  # scaled real time: due events happen before anyone looks
            scheduler.run_due()
        headers, repeated = _headers(context)
        params = bridge.to_dict(request)
        binding = values = error = None
        try:
            binding, values = bridge.route(rpc, params, self._key_app(headers))
            method, path = binding.method, binding.path(values)
        except VendorError as exc:  # no binding fits: the gRPC method's own path
            method, path, error = "POST", f"/{bridge.SERVICE.full_name}/{rpc.name}", exc
        raw = RawRequest(method=method, path=path, query_string="", headers=headers,
                         body=json.dumps(params).encode(), scheme="http", host=headers.get(":authority", ""))
        try:
            for hook in self.before:  # fault injection
                fault = await hook(self.vendor, raw)
                if fault == "drop":
                    return raw, 0, DROP
                if fault is not None:
                    status, _, body = fault
                    return raw, status, json.loads(body)
            if rpc.handler is None:  # whoever asks
                return raw, 404, bridge.not_implemented(rpc.name)
            if error is not None:
                raise error
            if repeated:
                raise self.vendor.bad_request(f"the {repeated} metadata is given more than once", repeated)
            set_current_principal(self.vendor.authenticate(world, raw))
            answer = rpc.handler(**bridge.arguments(rpc, binding, values, params))
            return raw, 200, (await answer) if inspect.isawaitable(answer) else answer
        except VendorError as exc:
            return raw, exc.status, bridge.error_answer(exc)
        except CoreError as exc:
            err = self.vendor.core_error(exc)
            return raw, err.status, bridge.error_answer(err)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("clarifai gRPC %s failed", rpc.name)
            return raw, 500, bridge.error_answer(self.vendor.error(500, None, "Internal error in the mock server"))


def _headers(context) -> tuple[dict[str, str], str | None]:
    """The call's metadata as lower-cased headers, and the name of a credential given twice."""
    headers, repeated = dict(GRPC_HEADERS), None
    for key, value in context.invocation_metadata() or ():
        if key.endswith("-bin") or not isinstance(value, str):
            continue
        name = key.lower()
        if name == "authorization" and name in headers:
            repeated = name
        headers[name] = value
    return headers, repeated


def servicer_class():
    """``V2Servicer`` with every RPC: unary ones through ``Front.call``, streaming ones answered
    NOT_IMPLEMENTED at once."""
    methods = {"__init__": lambda self, front: setattr(self, "front", front)}
    for name, rpc in bridge.rpcs().items():
        methods[name] = _unary(rpc) if not rpc.streaming else _streaming(rpc)
    return type("ClarifaiServicer", (service_pb2_grpc.V2Servicer,), methods)


def _unary(rpc):
    async def method(self, request, context):
        return await self.front.call(rpc, request, context)

    method.__name__ = rpc.name
    return method


def _streaming(rpc):
    descriptor = bridge.SERVICE.methods_by_name[rpc.name]
    message = bridge.to_message(rpc, bridge.not_implemented(rpc.name))
    if descriptor.server_streaming:
        async def method(self, request, context):
            yield message
    else:
        async def method(self, request_iterator, context):
            return message
    method.__name__ = rpc.name
    return method


class GrpcFront:
    """The running gRPC server of one ``serve()``: ``await GrpcFront.start(...)``, ``await stop()``."""

    def __init__(self, server, port: int):
        self.server = server
        self.port = port

    @classmethod
    async def start(cls, world: World, host: str, port: int, gate=None) -> "GrpcFront":
        """Listen on ``host:port`` (0: a free port); ``OSError`` if that fails. ``gate``: the Clarifai HTTP
        gate whose hooks (faults, journal, access log) the gRPC calls go through too."""
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        server = grpc.aio.server(options=[
            ("grpc.so_reuseport", 0),
            ("grpc.max_receive_message_length", world.settings.max_body_bytes),
            ("grpc.max_send_message_length", 128 * 1024 * 1024),
        ])
        service_pb2_grpc.add_V2Servicer_to_server(servicer_class()(Front(world, gate)), server)
        try:
            bound = server.add_insecure_port(address)
        except RuntimeError as exc:
            raise OSError(f"cannot listen on {address} (clarifai-grpc): {exc}") from None
        await server.start()
        return cls(server, bound)

    async def stop(self, grace: float = 1.0) -> None:
        await self.server.stop(grace)

