"""In-process cost per request: the HTTP bench's calls without sockets, as the pytest plugin's in-process mode
runs them, and where the time goes.

Run: python bench/bench_inprocess.py                 (9 calls, 2,000 requests each: about a minute)
     python bench/bench_inprocess.py --requests 200  (a smoke run)
     python bench/bench_inprocess.py --profile "modelarts create task"   (also: the time per layer of one call)

Two figures per call, both in microseconds per request, one request at a time:
- "plugin client": through ``mockserver.testing.InProcess`` clients (httpx over Starlette's ASGI test
  transport), what a test using ``mock_server_inprocess`` pays per call;
- "server share": the same request handed straight to the vendor's ASGI app (gate, Connexion, handler, core,
  store), what the server itself costs; over sockets, uvicorn's HTTP parsing and the event loop come on top
  (bench/bench_http.py).
The calls and their set-up are bench/_calls.py's (the same requests bench_http.py sends). With ``--profile``, one
call is repeated under cProfile and its time is summed per layer (the package or module a function lives in).
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import gc
import json
import os
import pstats
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))

from _calls import setup  # noqa: E402
from _common import UNIQUE, fmt, machine, table  # noqa: E402
from _growth_server import asgi_call  # noqa: E402

from mockserver.testing import InProcess  # noqa: E402


def layer(filename: str, function: str) -> str:
    """The layer a profiled function belongs to: a third-party package, a mockserver module, or the stdlib."""
    if "site-packages/" in filename:
        parts = filename.split("site-packages/", 1)[1].split("/")
        return parts[0] if parts[0] not in ("connexion", "starlette") else "/".join(parts[:2]).removesuffix(".py")
    if "/mockserver/" in filename:
        return "mockserver/" + filename.split("/mockserver/", 1)[1].removesuffix(".py")
    if filename == "~":
        return "builtins"
    return "stdlib"


class Clients:
    """One in-process client per vendor; ``http_json`` in bench/_common.py's shape for bench/_calls.py."""

    def __init__(self, env: InProcess):
        self.env = env
        self.clients = {name: env.client(name) for name in env.gates}
        self.by_url = {env.world.urls[name]: name for name in env.gates}

    def vendor_of(self, url: str) -> tuple[str, str]:
        for base, name in self.by_url.items():
            if url.startswith(base):
                return name, url[len(base):]
        raise ValueError(f"no in-process vendor serves {url}")

    def http_json(self, method: str, url: str, headers: dict | None = None, body=None) -> tuple[int, object]:
        name, path = self.vendor_of(url)
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        r = self.clients[name].request(method, path, headers=headers or {}, content=body)
        try:
            return r.status_code, r.json()
        except ValueError:
            return r.status_code, r.text


def per_request(fn, n: int) -> float:
    """Microseconds per call of ``fn(i)``, after a warm-up, the collector frozen as ``serve`` has it."""
    for i in range(min(50, n)):
        fn(-1 - i)
    gc.collect()
    gc.freeze()
    try:
        started = time.perf_counter()
        for i in range(n):
            fn(i)
        return (time.perf_counter() - started) / n * 1e6
    finally:
        gc.unfreeze()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=2000, help="requests per call and figure")
    p.add_argument("--profile", metavar="CALL", help='"<vendor> <call>", e.g. "cloudfactory submit task"')
    p.add_argument("--top", type=int, default=25, help="layers shown by --profile")
    args = p.parse_args(argv)

    env = InProcess()
    clients = Clients(env)
    made = setup(dict(env.world.urls), http_json=clients.http_json)
    for problem in made.problems:
        print(f"setup: {problem}", file=sys.stderr)
    loop = asyncio.new_event_loop()
    print(machine())
    print(f"{args.requests} requests per call and figure, one at a time, in one process\n")

    rows = []
    for call in made.calls:
        client, gate = clients.clients[call.vendor], env.gates[call.vendor]
        token = f"{call.vendor[:2]}{len(rows)}"

        def through_client(i, call=call, client=client):
            r = client.request(call.method, call.path, headers=call.headers, content=call.body_for(f"{token}c{i}"))
            if r.status_code >= 300:
                raise SystemExit(f"{call.vendor} {call.name}: {r.status_code} {r.text[:200]}")

        def straight(i, call=call, gate=gate):
            status, body = loop.run_until_complete(
                asgi_call(gate, call.method, call.path, call.headers, call.body_for(f"{token}s{i}")))
            if status >= 300:
                raise SystemExit(f"{call.vendor} {call.name}: {status} {body[:200]!r}")

        client_us = per_request(through_client, args.requests)
        server_us = per_request(straight, args.requests)
        rows.append([call.vendor, call.name, fmt(client_us), fmt(server_us), fmt(client_us - server_us), call.note])
    table(["vendor", "call", "plugin client us", "server share us", "client transport us", "notes"], rows,
          "In-process cost per request (lower is better)")

    if args.profile:
        wanted = [c for c in made.calls if f"{c.vendor} {c.name}".lower().startswith(args.profile.lower())]
        if not wanted:
            print(f"--profile: no call named {args.profile!r}", file=sys.stderr)
            return 2
        call, gate = wanted[0], env.gates[wanted[0].vendor]
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(args.requests):
            loop.run_until_complete(asgi_call(gate, call.method, call.path, call.headers, call.body_for(f"p{i}")))
        profiler.disable()
        totals: collections.Counter = collections.Counter()
        for (filename, _line, function), (_cc, _nc, own, _cum, callers) in pstats.Stats(profiler).stats.items():
            here = layer(filename, function)
            if here in ("builtins", "stdlib") and callers:  # a dict.get or json.dumps counts for whoever called it
                for (c_file, _l, c_function), (_n, _c, share, _ct) in callers.items():
                    totals[layer(c_file, c_function)] += share
            else:
                totals[here] += own
        whole = sum(totals.values())
        table(["layer", "share of the server's time", "us per request (under cProfile)"],
              [[name, f"{own / whole * 100:.1f}%", fmt(own / args.requests * 1e6)]
               for name, own in totals.most_common(args.top)],
              f"Where the time of {call.vendor} {call.name} goes (server share, own time per layer)")
    loop.close()
    return 0


if __name__ == "__main__":
    assert UNIQUE  # (the calls' bodies carry it; body_for replaces it)
    sys.exit(main())
