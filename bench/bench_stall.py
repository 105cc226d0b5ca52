"""Stall probe: does one slow operation freeze the other ports?

A probe polls ``GET /_mock/health`` on the ModelArts port every 5 ms while each slow operation runs on the
Clarifai port; the table gives the operation's own time and the worst health latency seen meanwhile.
"One request never stalls the others" means the worst latency stays in milliseconds, not seconds.

    python bench/bench_stall.py                 # against this checkout
    python bench/bench_stall.py --root DIR      # against another checkout (e.g. a git worktree of an older commit)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def start(root: Path) -> tuple[subprocess.Popen, dict]:
    ports = Path(tempfile.mkdtemp()) / "ports.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    env["PYTHONPATH"] = str(root)
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--quiet", "--clarifai-port", "0",
                             "--modelarts-port", "0", "--cloudfactory-port", "0", "--ports-file", str(ports)],
                            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not ports.exists():
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit("the server did not start")
        time.sleep(0.05)
    return proc, json.loads(ports.read_text())


class Probe:
    def __init__(self, url: str):
        self.url, self.worst, self.samples, self._stop = url, 0.0, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        with httpx.Client(timeout=120) as c:
            while not self._stop.is_set():
                t = time.perf_counter()
                c.get(f"{self.url}/_mock/health")
                self.worst = max(self.worst, time.perf_counter() - t)
                self.samples += 1
                time.sleep(0.005)

    def __enter__(self):
        self.thread.start()
        time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()


def operations(urls: dict):
    c = httpx.Client(base_url=urls["clarifai"], timeout=300)
    big = {}

    def load_large():
        r = c.post("/_mock/scenario", json={"path": "large-100k"})
        assert r.status_code == 200, r.text[:200]

    def export_state():
        big["state"] = c.get("/_mock/state").content

    def import_state():
        # large-100k's state is over the 10 MiB body limit: import 150k small documents (~6 MiB) instead
        state = json.dumps({"things": [{"id": f"t{i}", "n": i, "tag": "x" * 8} for i in range(150_000)]})
        r = c.put("/_mock/state", content=state, headers={"content-type": "application/json"})
        assert r.status_code == 200, r.text[:200]

    def reset():
        assert c.post("/_mock/reset").status_code == 200

    def backtracking_fault():
        r = c.post("/_mock/faults", json={"path": "^/(a+)+$", "error": {"status": 503}})
        if r.status_code == 201:  # refused outright is fine too (nothing to stall)
            httpx.get(f"{urls['clarifai']}/{'a' * 26}b", timeout=300)
        c.delete("/_mock/faults")

    return [("load scenario large-100k", load_large), ("export the state (large-100k)", export_state),
            ("reset (re-seeds large-100k)", reset), ("import a state of 150k documents", import_state),
            ("fault path ^/(a+)+$ on a 27-char path", backtracking_fault)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(ROOT), help="checkout to run (default: this one)")
    args = parser.parse_args(argv)
    proc, urls = start(Path(args.root))
    try:
        print(f"| operation ({Path(args.root).name}) | its own time | worst health latency on another port |")
        print("|---|---|---|")
        for name, op in operations(urls):
            with Probe(urls["modelarts"]) as probe:
                t = time.perf_counter()
                try:
                    op()
                    took = f"{time.perf_counter() - t:.2f} s"
                except Exception as exc:  # noqa: BLE001 - a bench reports, it does not stop
                    took = f"failed: {type(exc).__name__}"
            print(f"| {name} | {took} | {probe.worst * 1000:.0f} ms ({probe.samples} probes) |", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
