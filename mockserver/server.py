"""Serving: every vendor on its own port, at the root path, in one process and one event loop."""
from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import json
import os
import secrets
import signal
import socket
import sys

import uvicorn

from .app import build_apps
from .connections import FirstByteTimeoutProtocol
from .persistence import Persister
from .vendors import VENDORS
from .world import World

DEFAULT_PORTS = {name: vendor.default_port for name, vendor in VENDORS.items()}


class _Server(uvicorn.Server):
    """uvicorn server that leaves signal handling to us (several servers share one loop)."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


class ListenError(OSError):
    """A vendor's port could not be listened on; the message names the vendor, the address and why."""

    def __str__(self) -> str:
        return str(self.strerror)


def bind(host: str, port: int, vendor: str | None = None) -> socket.socket:
    """A listening socket on ``host:port``; raises ``ListenError`` (naming ``vendor``) if that fails."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = None
    try:
        # proto=IPPROTO_TCP (not 0): asyncio then sets TCP_NODELAY on every accepted connection; without it
        # an answer's body waits for the client's delayed ACK, 40 ms per answer on a keep-alive connection.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.setblocking(False)
    except OSError as exc:
        if sock is not None:
            sock.close()
        name = vendor or "server"
        if exc.errno == errno.EADDRINUSE:
            raise ListenError(exc.errno, f"{name} port {port} is already in use (another mockserver? pick another "
                              f"with --{name}-port or 0 for a free one)") from None
        raise ListenError(exc.errno, f"cannot listen on {host_port(host, port)} ({name}): "
                          f"{exc.strerror or exc}") from None
    return sock


def host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def base_url(host: str, port: int) -> str:
    return f"http://{host_port(host, port)}"


def client_host(host: str) -> str:
    """The address a client on this machine uses to reach a server bound to ``host``: the loopback
    address instead of a wildcard (``0.0.0.0``, ``::``), ``host`` itself otherwise."""
    if host in ("", "0", "*"):
        return "127.0.0.1"
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    if ip.is_unspecified:
        return "::1" if ip.version == 6 else "127.0.0.1"
    return host


def is_loopback(address: str) -> bool:
    """Is the bound ``address`` (as ``getsockname`` gives it) reachable from this machine only?"""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address == "localhost"
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


async def _tick(world: World, interval: float = 0.1) -> None:
    """In scaled real time, run due events (Oversight states, retries, simulated work) as time passes."""
    while True:
        await asyncio.sleep(interval)
        scheduler = world.scheduler
        if scheduler is not None and world.clock.mode != "manual" and not world.busy:
            try:
                scheduler.run_due()
            except Exception:  # an event must never stop the server
                import logging

                logging.getLogger("mockserver").exception("scheduled event failed")


def write_ports_file(path: str, urls: dict[str, str]) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(urls, fh)
    os.replace(tmp, path)


# -- Clarifai over gRPC (mockserver/vendors/clarifai/grpc_server.py) ------------------------------------------
async def _start_clarifai_grpc(world: World, host: str, port: int, quiet: bool, gate=None):
    """The running Clarifai gRPC server, or None when it cannot run (grpcio or clarifai-grpc missing, or
    the default port taken), said once on stderr unless ``quiet``. Another port that cannot be listened
    on is a ``ListenError``, as for the HTTP ports."""
    from .vendors.clarifai import GRPC_DEFAULT_PORT

    def say(message: str) -> None:
        if not quiet:
            print(f"mockserver: {message}", file=sys.stderr, flush=True)

    try:
        from .vendors.clarifai.grpc_server import GrpcFront
    except ImportError as exc:
        say(f"serving Clarifai without gRPC: {exc.name or exc} is not installed (pip install grpcio clarifai-grpc)")
        return None
    try:
        if port:  # a plain bind first: grpc reports a taken port only in its own log
            bind(host, port, "clarifai-grpc").close()
        return await GrpcFront.start(world, host, port, gate)
    except OSError as exc:
        if port != GRPC_DEFAULT_PORT:
            raise exc if isinstance(exc, ListenError) else ListenError(exc.errno or 0, str(exc)) from None
        say(f"{exc}; serving Clarifai without gRPC")
        return None
# -- end of Clarifai over gRPC ---------------------------------------------------------------------------------


async def serve(world: World, ports: dict[str, int], ports_file: str | None = None, quiet: bool = False,
                ready: asyncio.Event | None = None, stop: asyncio.Event | None = None, log_format: str = "text",
                log_stream=None, grpc_port: int | None = None) -> None:
    """Serve every vendor of ``ports`` until ``stop`` is set (or SIGINT/SIGTERM).

    Unless ``quiet``: prints each vendor's URL, then ``ready``, and logs one line per request on
    ``log_stream`` (stdout) in ``log_format`` (``text`` or ``json``). Raises ``ListenError`` when a port
    cannot be listened on (the sockets already bound are closed). With ``grpc_port`` (0: a free one), Clarifai
    is also served over gRPC there, on the same host (``world.urls["clarifai_grpc"]``)."""
    host = world.settings.host
    gates = build_apps(world, list(ports))  # compose steps 4-6: gates, faults, journal
    if not quiet:
        from . import accesslog

        accesslog.install(gates.values(), fmt=log_format, stream=log_stream)
    sockets: dict[str, socket.socket] = {}
    try:
        for name, port in ports.items():
            sockets[name] = bind(host, port, name)
    except ListenError:
        for sock in sockets.values():
            sock.close()
        raise
    shown = client_host(host)
    listening: dict[str, str] = {}
    servers = []
    exposed = False
    for name, sock in sockets.items():
        address, port = sock.getsockname()[:2]
        world.urls[name] = base_url(shown, port)
        listening[name] = host_port(host, port)
        exposed = exposed or not is_loopback(address)
        config = uvicorn.Config(gates[name], log_level="warning", access_log=False, lifespan="on",
                                timeout_graceful_shutdown=3, http=FirstByteTimeoutProtocol)
        servers.append((_Server(config), sock))
    persister = Persister(world.store, world.store.path)
    persister.start()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(server.serve(sockets=[sock])) for server, sock in servers]
    ticker = waiter = grpc_front = None
    try:
        # -- Clarifai over gRPC, beside the HTTP ports (mockserver/vendors/clarifai/grpc_server.py) ---------
        if grpc_port is not None:
            grpc_front = await _start_clarifai_grpc(world, host, grpc_port, quiet, gates.get("clarifai"))
            if grpc_front is not None:
                world.urls["clarifai_grpc"] = base_url(shown, grpc_front.port)
                listening["clarifai_grpc"] = host_port(host, grpc_front.port)
        # -- end of Clarifai over gRPC ---------------------------------------------------------------------
        while not all(server.started for server, _ in servers):
            if any(t.done() for t in tasks):
                break
            await asyncio.sleep(0.005)
        for t in tasks:
            if t.done() and not t.cancelled() and t.exception():
                raise t.exception()
        failed = [name for name, (server, _) in zip(sockets, servers) if not server.started]
        if failed:
            raise RuntimeError(f"the {', '.join(failed)} app did not start (see the messages above)")
        if ports_file:
            try:
                write_ports_file(ports_file, world.urls)
            except OSError as exc:
                raise OSError(exc.errno, f"cannot write --ports-file {ports_file} ({exc.strerror or exc})") from None
        if exposed and world.settings.control and not world.settings.control_token:
            # Off loopback the control API (state, secrets, faults) is closed to strangers: a token it is.
            world.settings.control_token = secrets.token_urlsafe(24)
            print(f"mockserver: the control API (/_mock) needs 'Authorization: Bearer {world.settings.control_token}' "
                  "(set your own with --control-token, or --no-control)", file=sys.stderr, flush=True)
        if not quiet:
            if exposed:
                shown_host = f"[{host}]" if ":" in host else host
                guard = "token above" if world.settings.control_token else "--control-token"
                what = ("the control API (/_mock) is closed but for its token" if world.settings.control
                        else "the control API is off")
                print(f"mockserver: warning: listening on {shown_host}: anyone who can reach this machine can call "
                      f"the vendor APIs with the workspace's credentials; {what}" +
                      (f" ({guard})" if world.settings.control else ""), file=sys.stderr, flush=True)
            for name, url in world.urls.items():
                where = listening[name]
                extra = "" if url == f"http://{where}" else f"  (listening on {where})"
                print(f"{name:13s} {url}{extra}", flush=True)
            print("ready (Ctrl-C to stop)", flush=True)
        if ready is not None:
            ready.set()
        ticker = asyncio.create_task(_tick(world))
        waiter = asyncio.create_task(stop.wait())
        await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for server, _ in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for helper in (waiter, ticker):
            if helper is not None:
                helper.cancel()
        if grpc_front is not None:  # Clarifai over gRPC
            await grpc_front.stop()
        for _, sock in servers:
            sock.close()
        persister.stop()
    world.shutdown()  # the on_shutdown hooks: the webhook sender's threads and client closed
    if not quiet:
        print("stopped", file=sys.stderr, flush=True)
