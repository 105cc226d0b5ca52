"""Start-up: process start to all three vendor ports answering HTTP, ours against Prism's three mocks.

Run: python bench/bench_startup.py            (7 starts of ours, 5 of Prism: about 30 s)
     python bench/bench_startup.py --runs 2   (a smoke run)

Ours: `python -m mockserver serve --quiet` on three free ports; the clock starts just before the process is
spawned and stops when each of the three ports has answered GET /_mock/health (any HTTP answer counts).
Prism: three `prism mock` processes (one per spec, started together, as a user of Prism would run them); the
clock stops when all three answer GET /. For scale, the bare interpreter (`python -c pass`) and importing our
app module are timed too. Polls every 10 ms, loopback only, bounded by --timeout per start.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import (HOST, PrismServers, ROOT, answering, ensure_prism, fmt, free_port, machine, median,  # noqa: E402
                     prism_version, table)


def start_ours(timeout: float) -> float | None:
    ports = {v: free_port() for v in ("clarifai", "modelarts", "cloudfactory")}
    args = [sys.executable, "-m", "mockserver", "serve", "--quiet"]
    for v, port in ports.items():
        args += [f"--{v}-port", str(port)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    waiting = set(ports)
    deadline = time.monotonic() + timeout
    try:
        while waiting and time.monotonic() < deadline:
            for v in list(waiting):
                if answering(f"http://{HOST}:{ports[v]}/_mock/health", timeout=0.5):
                    waiting.discard(v)
            if proc.poll() is not None:
                print(f"our server exited: {proc.stderr.read()[-1000:]}")
                return None
            if waiting:
                time.sleep(0.01)
        return None if waiting else time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def timed(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, cwd=str(ROOT), check=True, timeout=60)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7, help="starts of our server")
    p.add_argument("--prism-runs", type=int, default=5)
    p.add_argument("--timeout", type=float, default=60.0)
    args = p.parse_args(argv)
    print(f"Machine: {machine()}")

    ours = [start_ours(args.timeout) for _ in range(args.runs)]
    bare = [timed([sys.executable, "-c", "pass"]) for _ in range(3)]
    imp = [timed([sys.executable, "-c", "import mockserver.app"]) for _ in range(3)]
    prism_times: list[float | None] = []
    if ensure_prism():
        for _ in range(args.prism_runs):
            try:
                with PrismServers(ready_timeout=args.timeout) as prisms:
                    prism_times.append(prisms.started_in)
            except (RuntimeError, TimeoutError) as exc:
                print(f"Prism did not start: {exc}")
                prism_times.append(None)

    def row(name, values):
        ok = [v for v in values if v is not None]
        return [name, f"{len(ok)}/{len(values)}", fmt(median(ok), 3), fmt(min(ok) if ok else None, 3),
                fmt(max(ok) if ok else None, 3)]

    m_ours, m_prism = median(ours), median(prism_times)
    table(["what", "runs ok", "median s", "min s", "max s"], [
        row("ours: spawn -> 3 ports answer", ours),
        row(f"Prism {prism_version()}: spawn 3 mocks -> all answer", prism_times),
        row("(scale) python -c pass", bare),
        row("(scale) python -c 'import mockserver.app'", imp),
    ], "Start-up")
    if m_ours and m_prism:
        print(f"ours/Prism start-up time: {m_ours / m_prism:.2f} (below 1: ours is ready sooner)")
    return 0 if all(v is not None for v in ours) else 1


if __name__ == "__main__":
    sys.exit(main())
