"""Our server, as `mockserver serve` runs it, plus a bench-only command channel on stdin.

Run by bench/bench_growth.py (not by hand). It takes serve's port options, serves the three vendors with the
same `serve()` the CLI uses, and reads one JSON command per line on stdin, answering one JSON line on stdout:

- ``{"op": "grow", "vendor", "method", "path", "headers", "body", "count", "token"}``: sends ``count`` requests
  through that vendor's full ASGI stack in this process (gate, Connexion validation, handler, core, store:
  everything a socket request goes through, minus uvicorn's HTTP parsing), ``{{n}}`` in the body replaced
  by ``<token>-<i>``. This is the fastest honest way to preload: every document is made by the real code.
- ``{"op": "profile", ...same..., "count", "seconds"}``: the same request repeated under cProfile (at most
  ``count`` times or ``seconds``), answering per-request time per function.
- ``{"op": "counts"}``: documents per store table.

The command runs on the server's event loop, so it never overlaps a socket request (handlers are serialised).
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from mockserver.app import build_apps  # noqa: E402
from mockserver.server import DEFAULT_PORTS, serve  # noqa: E402
from mockserver.testing import new_world  # noqa: E402

UNIQUE = "{{n}}"


async def asgi_call(gate, method: str, path: str, headers: dict, body: bytes | None) -> tuple[int, bytes]:
    hs = [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()]
    hs.append((b"host", b"127.0.0.1"))
    if body is not None:
        hs.append((b"content-length", str(len(body)).encode()))
    bare, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": bare, "raw_path": bare.encode(), "query_string": query.encode(), "root_path": "",
             "headers": hs, "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "state": {}}
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body or b"", "more_body": False}
        await asyncio.sleep(3600)  # never disconnects
        return {"type": "http.disconnect"}

    status, chunks = 0, []

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await gate(scope, receive, send)
    return status, b"".join(chunks)


def _body(cmd: dict, i: int) -> bytes | None:
    if cmd.get("body") is None:
        return None
    return cmd["body"].replace(UNIQUE, f"{cmd.get('token', 'g')}-{i}").encode()


async def grow(gates, cmd: dict) -> dict:
    gate = gates[cmd["vendor"]]
    statuses: dict[str, int] = {}
    first_error = None
    t0 = time.perf_counter()
    for i in range(int(cmd["count"])):
        status, body = await asgi_call(gate, cmd["method"], cmd["path"], cmd["headers"], _body(cmd, i))
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status >= 300 and first_error is None:
            first_error = body[:300].decode("utf-8", "replace")
        if i % 64 == 63:
            await asyncio.sleep(0)  # let the ticker and sockets breathe
    return {"statuses": statuses, "seconds": time.perf_counter() - t0, "first_error": first_error}


async def profile(gates, cmd: dict) -> dict:
    gate = gates[cmd["vendor"]]
    limit, budget = int(cmd.get("count", 200)), float(cmd.get("seconds", 3.0))
    prof = cProfile.Profile()
    n, t0 = 0, time.perf_counter()
    while n < limit and time.perf_counter() - t0 < budget:
        prof.enable()
        await asgi_call(gate, cmd["method"], cmd["path"], cmd["headers"], _body(cmd, n))
        prof.disable()
        n += 1
    stats = pstats.Stats(prof).stats  # {(file, line, func): (cc, nc, tt, ct, callers)}
    funcs = {f"{os.path.relpath(k[0]) if k[0].startswith('/') else k[0]}:{k[1]}({k[2]})": [v[1] / n, v[2] / n * 1e6,
                                                                                          v[3] / n * 1e6]
             for k, v in stats.items()}
    return {"requests": n, "per_request_us": (time.perf_counter() - t0) / n * 1e6, "funcs": funcs}


async def commands(world, gates) -> None:
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue = asyncio.Queue()

    def reader():  # a daemon thread: never holds the process open at exit
        for raw in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, raw)
        loop.call_soon_threadsafe(lines.put_nowait, "")

    threading.Thread(target=reader, daemon=True).start()
    while True:
        line = await lines.get()
        if not line:
            return
        try:
            cmd = json.loads(line)
            if cmd["op"] == "grow":
                out = await grow(gates, cmd)
            elif cmd["op"] == "profile":
                out = await profile(gates, cmd)
            elif cmd["op"] == "counts":
                with world.store.lock:
                    out = {"counts": {k: len(v) for k, v in world.store.db.storage.read().items()}}
            else:
                out = {"error": f"unknown op {cmd['op']!r}"}
        except Exception as exc:  # report, keep serving
            out = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


async def main(args) -> None:
    world = new_world()
    gates = build_apps(world)  # a second set of apps on the same world, for in-process commands
    for gate in gates.values():  # no journal or fault hooks on the preload path: they store nothing of the data
        gate.before.clear()
        gate.after.clear()
    ports = {name: getattr(args, f"{name}_port") for name in DEFAULT_PORTS}
    stop = asyncio.Event()
    server = asyncio.create_task(serve(world, ports, ports_file=args.ports_file, quiet=True, stop=stop))
    reader = asyncio.create_task(commands(world, gates))
    await asyncio.wait([server, reader], return_when=asyncio.FIRST_COMPLETED)  # SIGTERM or stdin closed
    stop.set()
    reader.cancel()
    await server


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("serve", nargs="?")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--ports-file")
    for name in DEFAULT_PORTS:
        p.add_argument(f"--{name}-port", type=int, default=0)
    asyncio.run(main(p.parse_args()))
