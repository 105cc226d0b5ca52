"""Serving: every vendor on its own port, at the root path, in one process and one event loop."""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys

import uvicorn

from .app import build_apps
from .store import Persister
from .vendors import VENDORS
from .world import World

DEFAULT_PORTS = {name: vendor.default_port for name, vendor in VENDORS.items()}


class _Server(uvicorn.Server):
    """uvicorn server that leaves signal handling to us (several servers share one loop)."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP (not 0): asyncio then sets TCP_NODELAY on every accepted connection; without it
    # an answer's body waits for the client's delayed ACK, 40 ms per answer on a keep-alive connection.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


async def _tick(world: World, interval: float = 0.1) -> None:
    """In scaled real time, run due events (Oversight states, retries, simulated work) as time passes."""
    while True:
        await asyncio.sleep(interval)
        scheduler = world.services.get("scheduler")
        if scheduler is not None and world.clock.mode != "manual":
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


async def serve(world: World, ports: dict[str, int], ports_file: str | None = None, quiet: bool = False,
                ready: asyncio.Event | None = None, stop: asyncio.Event | None = None) -> None:
    host = world.settings.host
    gates = build_apps(world, list(ports))
    servers, sockets = [], []
    for name, port in ports.items():
        sock = bind(host, port)
        sockets.append(sock)
        world.urls[name] = base_url(host, sock.getsockname()[1])
        config = uvicorn.Config(gates[name], log_level="warning", access_log=False, lifespan="on",
                                timeout_graceful_shutdown=3)
        servers.append((_Server(config), sock))
    persister = Persister(world.store)
    persister.start()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(server.serve(sockets=[sock])) for server, sock in servers]
    while not all(server.started for server, _ in servers):
        if any(t.done() for t in tasks):
            break
        await asyncio.sleep(0.005)
    for t in tasks:
        if t.done() and t.exception():
            raise t.exception()
    if ports_file:
        write_ports_file(ports_file, world.urls)
    if not quiet:
        for name, url in world.urls.items():
            print(f"{name:13s} {url}", flush=True)
        print("ready (Ctrl-C to stop)", flush=True)
    if ready is not None:
        ready.set()
    ticker = asyncio.create_task(_tick(world))
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for server, _ in servers:
        server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)
    waiter.cancel()
    ticker.cancel()
    persister.stop()
    for hook in world.services.get("shutdown_hooks", []):
        hook()
    if not quiet:
        print("stopped", file=sys.stderr, flush=True)
