"""Benchmark: does a dashboard watching a running large-100k slow the simulation down?

    python bench/bench_dashboard.py [--windows 5] [--requests 60] [--step 600] [--client http|browser]

Two servers (``mockserver serve --scenario large-100k``, manual clock) are driven in lockstep through
the same virtual time: a window is ``--requests`` calls of ``POST /_mock/clock {"advance": STEP}``
(each runs every simulated event due, in the request), and the simulation's events per wall second
over the window are measured by ``GET /_mock/scenario``, per wall second and per CPU second of the
server process (``/proc/PID/stat``: on a shared machine the wall figure moves with the neighbours'
load, the CPU figure much less; a dashboard's polls are served by the same process, so their cost
shows in it).  Server A is never watched; server B has a
dashboard client on it from the start, polling as the page does (``GET /_mock/dashboard/api/overview``
once a second, the journal's tail and the faults every two seconds).  ``--client browser`` opens the
real page in headless Chromium instead (``/usr/bin/chromium``; the browser's own CPU then competes on
the same machine, as it would on a laptop).  Windows alternate A, B, B, A, A, B... (who goes first alternates); the
medians and the slowdown are printed.  Both servers start the same scenario with the same seed, so they do the same
work.  About 2-3 minutes on 2 CPUs (most of it loading 100k items twice).
"""
from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import threading
import time

import httpx

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mockserver.testing import ServerProcess  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def start_server() -> ServerProcess:
    server = ServerProcess("--clarifai-grpc-port", "0", "--scenario", "large-100k")
    return server.start(timeout=300)


class HttpPoller:
    """What the page does, without a browser: the overview every second, journal and faults every two."""

    def __init__(self, base: str):
        self.base = base
        self.stop = threading.Event()
        self.polls = 0
        self.cost_ms: list[float] = []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        version = None
        tick = 0
        with httpx.Client(base_url=self.base, timeout=120) as c:
            while not self.stop.is_set():
                started = time.monotonic()
                params = {"series_version": version} if version is not None else {}
                data = c.get("/_mock/dashboard/api/overview", params=params).json()
                if data.get("series"):
                    version = data["series"]["version"]
                self.cost_ms.append(data["cost_ms"])
                if tick % 2 == 0:
                    c.get("/_mock/journal", params={"limit": 15})
                    c.get("/_mock/faults")
                tick += 1
                self.polls += 1
                self.stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=130)


class BrowserPoller:
    """The real page in headless Chromium (it polls by itself)."""

    def __init__(self, base: str):
        self.base = base
        self.polls = 0
        self.cost_ms: list[float] = []

    def start(self) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        self._page = self._browser.new_page(viewport={"width": 1280, "height": 800})
        self._page.on("response", self._count)
        self._page.goto(self.base + "/_mock/dashboard/")

    def _count(self, response) -> None:
        if "/api/overview" in response.url:
            self.polls += 1

    def pump(self, seconds: float) -> None:
        self._page.wait_for_timeout(seconds * 1000)

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def events(c: httpx.Client) -> int:
    return c.get("/_mock/scenario").json()["events"]


def window(c: httpx.Client, pid: int, requests: int, step: float, poller=None) -> tuple[float, float, int, float]:
    """Drive ``requests`` advances; (events per wall second, per server CPU second, events, wall seconds)."""
    before = events(c)
    cpu0 = cpu_seconds(pid)
    started = time.perf_counter()
    if isinstance(poller, BrowserPoller):
        # Playwright's sync API runs on this thread: drive the clock from another one meanwhile.
        done = threading.Event()

        def drive():
            with httpx.Client(base_url=str(c.base_url), timeout=600) as d:
                for _ in range(requests):
                    d.post("/_mock/clock", json={"advance": step}).raise_for_status()
            done.set()

        threading.Thread(target=drive, daemon=True).start()
        while not done.is_set():
            poller.pump(0.2)
    else:
        for _ in range(requests):
            c.post("/_mock/clock", json={"advance": step}).raise_for_status()
    wall = time.perf_counter() - started
    cpu = cpu_seconds(pid) - cpu0
    n = events(c) - before
    return n / wall, n / max(cpu, 1e-9), n, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=5, help="windows per server (alternating)")
    ap.add_argument("--requests", type=int, default=60, help="clock advances per window")
    ap.add_argument("--step", type=float, default=600.0, help="virtual seconds per advance")
    ap.add_argument("--client", choices=("http", "browser"), default="http")
    args = ap.parse_args()

    t0 = time.perf_counter()
    plain, watched = start_server(), None
    try:
        watched = start_server()
        print(f"two servers with large-100k loaded in {time.perf_counter() - t0:.0f} s", flush=True)
        a = httpx.Client(base_url=plain.urls["clarifai"], timeout=600)
        b = httpx.Client(base_url=watched.urls["clarifai"], timeout=600)
        poller = (BrowserPoller if args.client == "browser" else HttpPoller)(watched.urls["clarifai"])
        poller.start()
        time.sleep(2.5)  # the first polls hook the run and index the task's items
        rates = {"without": [], "with": []}
        per_cpu = {"without": [], "with": []}
        for i in range(args.windows):
            pair = [("without", a, plain), ("with", b, watched)]
            for name, client, server in (pair if i % 2 == 0 else pair[::-1]):  # who goes first alternates
                rate, cpu_rate, n, wall = window(client, server.proc.pid, args.requests, args.step,
                                                 poller if name == "with" else None)
                rates[name].append(rate)
                per_cpu[name].append(cpu_rate)
                print(f"window {i + 1} {name:7s} dashboard: {n:6d} events in {wall:5.2f} s = {rate:7.0f} events/s "
                      f"(wall), {cpu_rate:7.0f} events per server CPU second", flush=True)
        polls = poller.polls
        costs = sorted(poller.cost_ms)
        poller.close()
        a.close()
        b.close()
    finally:
        plain.stop()
        if watched is not None:
            watched.stop()
    without, with_ = statistics.median(rates["without"]), statistics.median(rates["with"])
    cpu_without, cpu_with = statistics.median(per_cpu["without"]), statistics.median(per_cpu["with"])
    print()
    print(f"| large-100k, manual clock, advances of {args.step:g} s, median of {args.windows} windows "
          "| events per wall second | events per server CPU second |")
    print("|---|---|---|")
    print(f"| without a dashboard | {without:.0f} | {cpu_without:.0f} |")
    print(f"| with a dashboard client polling ({args.client}) | {with_:.0f} | {cpu_with:.0f} |")
    print(f"| slowdown | {100 * (1 - with_ / without):.1f}% | {100 * (1 - cpu_with / cpu_without):.1f}% |")
    if costs:
        print(f"\n{polls} overview polls; building one took {statistics.median(costs):.2f} ms median, "
              f"{costs[int(0.95 * (len(costs) - 1))]:.2f} ms p95, {costs[-1]:.2f} ms max (server side)")


if __name__ == "__main__":
    main()
