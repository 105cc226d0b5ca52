"""Shared pieces of the HTTP benchmarks: tools (wrk, Prism), servers, one-shot probes, wrk runs, tables.

Everything here talks to 127.0.0.1 only, and every loop is bounded in count and in time.
"""
from __future__ import annotations

import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PRISM_DIR = BENCH / ".prism"
PRISM_BIN = PRISM_DIR / "node_modules" / ".bin" / "prism"
SPECS = {v: ROOT / "openapi" / f"{v}.yaml" for v in ("clarifai", "modelarts", "cloudfactory")}
HOST = "127.0.0.1"

sys.path.insert(0, str(ROOT))


# -- tools ------------------------------------------------------------------------------------------

def ensure_wrk() -> str | None:
    """The wrk binary; installed with apt-get when missing and allowed (root), else None with a hint."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk is missing: apt-get install -y wrk", flush=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                       timeout=600, check=False)
        found = shutil.which("wrk")
    if not found:
        print("wrk is not installed and could not be installed here: run `sudo apt-get install -y wrk` "
              "(Debian/Ubuntu) or `brew install wrk`, then run this again.", file=sys.stderr)
    return found


def ensure_prism() -> Path | None:
    """Prism's CLI under bench/.prism/; installed with npm when missing, else None with a hint."""
    if PRISM_BIN.exists():
        return PRISM_BIN
    npm = shutil.which("npm")
    if npm:
        print(f"Prism is missing: npm install --prefix {PRISM_DIR.relative_to(ROOT)} @stoplight/prism-cli@5", flush=True)
        PRISM_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(PRISM_DIR), "@stoplight/prism-cli@5"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.STDOUT, timeout=900, check=False)
    if not PRISM_BIN.exists():
        print("Prism could not be installed: install Node.js and npm, then "
              "`npm install --prefix bench/.prism @stoplight/prism-cli@5`.", file=sys.stderr)
        return None
    return PRISM_BIN


def prism_version() -> str:
    try:
        return subprocess.run([str(PRISM_BIN), "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# -- one-shot HTTP (setup and probes) ---------------------------------------------------------------

def http(method: str, url: str, headers: dict | None = None, body=None, timeout: float = 30.0) -> tuple[int, bytes]:
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, ConnectionError, socket.timeout) as exc:
        return 0, str(exc).encode()


def http_json(method: str, url: str, headers: dict | None = None, body=None) -> tuple[int, object]:
    status, raw = http(method, url, headers, body)
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def answering(url: str, timeout: float = 0.5) -> bool:
    """True once something answers HTTP at url (any status)."""
    status, _ = http("GET", url, timeout=timeout)
    return status > 0


# -- servers ----------------------------------------------------------------------------------------

class OurServer:
    """``python -m mockserver serve`` on free ports (the same command users run), or a bench launcher."""

    def __init__(self, args: list[str] | None = None, ready_timeout: float = 60.0):
        self.args = args
        self.ready_timeout = ready_timeout
        self.proc: subprocess.Popen | None = None
        self.urls: dict[str, str] = {}

    def start(self) -> "OurServer":
        fd, ports_file = tempfile.mkstemp(suffix=".json")
        os.close(fd)
        os.unlink(ports_file)
        args = self.args or [sys.executable, "-m", "mockserver", "serve", "--quiet"]
        args = [*args, "--ports-file", ports_file, "--clarifai-port", "0", "--modelarts-port", "0",
                "--cloudfactory-port", "0"]
        self.proc = subprocess.Popen(args, cwd=str(ROOT), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if os.path.exists(ports_file):
                time.sleep(0.01)
                with open(ports_file, encoding="utf-8") as fh:
                    self.urls = json.load(fh)
                os.unlink(ports_file)
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"our server exited: {self.proc.stderr.read()[-2000:]}")
            time.sleep(0.02)
        self.stop()
        raise TimeoutError("our server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def rss_mib(self) -> float | None:
        return rss_mib(self.proc.pid) if self.proc else None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class PrismServers:
    """One ``prism mock`` process per vendor spec, each on its own free port (log level warn, like our --quiet)."""

    def __init__(self, vendors=("clarifai", "modelarts", "cloudfactory"), ready_timeout: float = 60.0):
        self.vendors = vendors
        self.ready_timeout = ready_timeout
        self.procs: dict[str, subprocess.Popen] = {}
        self.urls: dict[str, str] = {}
        self.started_in: float | None = None

    def start(self) -> "PrismServers":
        t0 = time.perf_counter()
        for v in self.vendors:
            port = free_port()
            self.urls[v] = f"http://{HOST}:{port}"
            self.procs[v] = subprocess.Popen(
                [str(PRISM_BIN), "mock", "-p", str(port), "-h", HOST, "-v", "warn", str(SPECS[v])],
                cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.monotonic() + self.ready_timeout
        waiting = set(self.vendors)
        while waiting and time.monotonic() < deadline:
            for v in list(waiting):
                if answering(self.urls[v] + "/", timeout=0.5):
                    waiting.discard(v)
                elif self.procs[v].poll() is not None:
                    err = self.procs[v].stderr.read()[-1500:]
                    self.stop()
                    raise RuntimeError(f"prism ({v}) exited: {err}")
            if waiting:
                time.sleep(0.01)
        if waiting:
            self.stop()
            raise TimeoutError(f"prism did not answer for {sorted(waiting)}")
        self.started_in = time.perf_counter() - t0
        return self

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                # prism's bin is a node script: its session holds node only, started by us
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def rss_mib(self) -> float | None:
        values = [rss_mib(p.pid) for p in self.procs.values()]
        return sum(v for v in values if v) if any(values) else None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# -- wrk ---------------------------------------------------------------------------------------------

_LUA = r"""
-- written by bench/_common.py for one wrk run
wrk.method = [==[%(method)s]==]
%(headers)s
local parts = { %(parts)s }
local counter = 0
if #parts == 1 then
  wrk.body = parts[1]
  if wrk.body == "" then wrk.body = nil end
else
  -- a fresh value in each body (names that must be unique): parts are joined with "<token>-<n>"
  request = function()
    counter = counter + 1
    return wrk.format(nil, nil, nil, table.concat(parts, [==[%(token)s-]==] .. counter))
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\"requests\": %%d, \"duration_us\": %%d, \"non2xx\": %%d, \"connect\": %%d, \"read\": %%d, " ..
    "\"write\": %%d, \"timeout\": %%d, \"p50_us\": %%d, \"p90_us\": %%d, \"p99_us\": %%d, \"mean_us\": %%f}\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean))
end
"""

UNIQUE = "{{n}}"  # placeholder in a body for a per-request unique value


def lua_script(directory: str, name: str, method: str, headers: dict, body: str | None, token: str) -> str:
    lines = [f'wrk.headers[ [==[{k}]==] ] = [==[{v}]==]' for k, v in headers.items()]
    parts = (body or "").split(UNIQUE)
    text = _LUA % {"method": method, "headers": "\n".join(lines), "token": token,
                   "parts": ", ".join(f"[==[{p}]==]" for p in parts)}
    path = os.path.join(directory, f"{name}.lua")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def run_wrk(wrk: str, url: str, script: str, threads: int = 1, connections: int = 16, seconds: float = 5.0) -> dict:
    seconds = max(1, int(round(seconds)))  # wrk takes whole seconds
    args = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency", "-s", script, url]
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"^WRKJSON (.*)$", out.stdout, re.M)
    if not m:
        return {"error": (out.stderr or out.stdout)[-500:]}
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
    r["sock_errors"] = r["connect"] + r["read"] + r["write"] + r["timeout"]
    return r


def settle(url: str, limit_s: float = 30.0) -> float:
    """Wait until the server answers a cheap request quickly again (the backlog of a finished wrk run is drained).

    wrk stops sending when its time is up, but a slow server may still be working through queued requests;
    the next run must not pay for them. Bounded by limit_s; returns the seconds waited."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit_s:
        t = time.perf_counter()
        status, _ = http("GET", url, timeout=limit_s)
        if status and time.perf_counter() - t < 0.05:
            break
        time.sleep(0.05)
    return time.perf_counter() - t0


# -- reporting ---------------------------------------------------------------------------------------

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits: int = 0, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}{unit}"


def table(headers: list[str], rows: list[list], title: str | None = None) -> str:
    """A Markdown table (readable in a terminal and pasteable into the README)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    out = []
    if title:
        out.append(f"\n### {title}\n")
    out.append("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |")
    out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells:
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
    text = "\n".join(out)
    print(text, flush=True)
    return text


def machine() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    return (f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()} "
            f"{platform.release()}; load average at start {load[0]:.2f}")


def snippet(body, limit: int = 160) -> str:
    text = body if isinstance(body, str) else json.dumps(body)
    text = " ".join(text.split())  # one line, for tables
    return text if len(text) <= limit else text[:limit] + "..."
