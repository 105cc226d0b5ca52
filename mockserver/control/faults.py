"""Fault injection: make a vendor slow, failing, rate-limited or unreachable, on purpose.

A fault is a rule: which requests it matches (vendor, operation, method, path regex), what it does
(added latency, an error in the vendor's own shape, a 429 with ``Retry-After``, a dropped
connection), and how often (``probability`` and/or the next ``times`` matching calls). Rules are
checked in the order they were added; the first one that fires decides the answer (latency-only
rules add their delay and let later rules and the handler go on).

``path`` is matched with RE2 (``google-re2``): linear time in the path's length whatever the pattern,
so no rule can stall the server (a backtracking ``^/(a+)+$`` took 1.35 s per request with Python's
``re``); patterns are bounded to ``MAX_PATTERN`` characters and RE2's syntax (no look-around or
back-references). Injected errors' headers are ``[{name, value}]``: names are tokens, values printable ASCII (no CR/LF).

Randomness comes from one ``random.Random`` per rule, seeded from the world's seed and the rule's
id, so a run with the same seed and the same requests fails the same calls. The control API itself
is never faulted, nor are the docs pages.
"""
from __future__ import annotations

import asyncio
import contextvars
import itertools
import math
import random
import threading
from typing import Any, Iterable

import re2

from ..gate import PUBLIC_PREFIXES, render
from .operations import operation_of

EFFECTS = ("error", "rate_limit", "drop")
MAX_PATTERN = 1000
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a bad pattern is the client's 422, not a line on the server's console
_RE2_OPTIONS.max_mem = 8 << 20


def compile_path(pattern: str):
    """A linear-time matcher for ``pattern`` (RE2), or ``FaultError`` saying why not."""
    if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
        raise FaultError(f"path is a regular expression of at most {MAX_PATTERN} characters")
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise FaultError(f"path is not a valid RE2 regular expression: {reason}", status=422) from None
DISTRIBUTIONS = ("fixed", "uniform", "lognormal")

_applied: contextvars.ContextVar[tuple[int, ...]] = contextvars.ContextVar("mockserver_faults", default=())


def applied_faults() -> list[int]:
    """Ids of the faults that fired on the current request (for the journal)."""
    return list(_applied.get())


class FaultError(ValueError):
    """A fault definition the injector cannot take: 400 for a shape the spec states too, 422 for a
    schema-valid one it cannot use (a ``path`` that RE2 does not compile)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def world_seed(world) -> int:
    """The world's seed: ``settings.extra['seed']``, else the loaded scenario's, else 0."""
    seed = world.settings.extra.get("seed", getattr(world.scenario, "seed", None) or 0)
    try:
        return int(seed)
    except (TypeError, ValueError):
        return sum(str(seed).encode())


class Fault:
    def __init__(self, fid: int, spec: dict, seed: int):
        self.id = fid
        self.spec = _validated(spec)
        self.vendor = spec.get("vendor")
        self.operation = spec.get("operation")
        self.method = (spec.get("method") or "").upper() or None
        self.path = compile_path(spec["path"]) if spec.get("path") else None
        self.probability = float(spec.get("probability", 1.0))
        self.remaining = spec.get("times")
        self.hits = 0
        self.rng = random.Random(f"{seed}:{fid}")

    def matches(self, vendor, method: str, path: str) -> bool:
        if self.vendor and self.vendor != vendor.name:
            return False
        if self.method and self.method != method.upper():
            return False
        if self.path and not self.path.search(path):
            return False
        if self.operation:
            op = operation_of(vendor, method, path)
            if op is None or self.operation not in (op.operation_id, op.template):
                return False
        return True

    def fires(self) -> bool:
        """Spend one of the ``times`` and roll the ``probability`` (the caller holds the lock)."""
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.probability < 1.0 and self.rng.random() >= self.probability:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        self.hits += 1
        return True

    def delay_seconds(self) -> float:
        lat = self.spec.get("latency")
        if not lat:
            return 0.0
        kind = lat.get("distribution", "fixed")
        if kind == "uniform":
            ms = self.rng.uniform(float(lat["min_ms"]), float(lat["max_ms"]))  # either order: uniform() takes both
        elif kind == "lognormal":
            # median_ms is exp(mu): easier to pick than mu itself; sigma is the log-space spread.
            ms = self.rng.lognormvariate(math.log(float(lat["median_ms"])), float(lat.get("sigma", 0.5)))
            if lat.get("max_ms") is not None:
                ms = min(ms, float(lat["max_ms"]))
        else:
            ms = float(lat["ms"])
        return max(ms, 0.0) / 1000.0

    def answer(self, vendor):
        if self.spec.get("drop"):
            return "drop"
        if self.spec.get("rate_limit") is not None:
            rl = self.spec["rate_limit"] or {}
            retry = rl.get("retry_after", 1)
            err = vendor.error(429, rl.get("code"), rl.get("message", "Too many requests"))
            err.headers = {**err.headers, "Retry-After": str(retry)}
            return render(vendor, err)
        if self.spec.get("error") is not None:
            e = self.spec["error"]
            err = vendor.error(int(e.get("status", 500)), e.get("code"), e.get("message", "Injected fault"))
            if e.get("headers"):
                err.headers = {**err.headers, **{h["name"]: h["value"] for h in e["headers"]}}
            return render(vendor, err)
        return None

    def to_dict(self) -> dict:
        out = dict(self.spec)
        out.update({"id": self.id, "hits": self.hits, "remaining": self.remaining})
        return out


def _validated(spec: dict) -> dict:
    if not isinstance(spec, dict):
        raise FaultError("a fault is an object")
    effects = [k for k in EFFECTS if spec.get(k) not in (None, False)]
    if len(effects) > 1:
        raise FaultError(f"give at most one of {', '.join(EFFECTS)} (got {', '.join(effects)})")
    if not effects and not spec.get("latency"):
        raise FaultError(f"give latency and/or one of {', '.join(EFFECTS)}")
    if spec.get("vendor") is not None:
        from ..vendors import VENDORS

        if spec["vendor"] not in VENDORS:
            raise FaultError(f"unknown vendor {spec['vendor']!r} (known: {', '.join(VENDORS)})")
    if spec.get("path"):
        compile_path(spec["path"])
    p = spec.get("probability", 1.0)
    if not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise FaultError("probability is a number from 0 to 1")
    t = spec.get("times")
    if t is not None and (not isinstance(t, int) or isinstance(t, bool) or t < 1):
        raise FaultError("times is a whole number of calls, at least 1")
    lat = spec.get("latency")
    if lat:
        kind = lat.get("distribution", "fixed")
        need = {"fixed": ("ms",), "uniform": ("min_ms", "max_ms"), "lognormal": ("median_ms",)}.get(kind)
        if need is None:
            raise FaultError(f"latency distribution is one of {', '.join(DISTRIBUTIONS)}")
        missing = [k for k in need if lat.get(k) is None]
        if missing:
            raise FaultError(f"{kind} latency needs {', '.join(missing)}")
    err = spec.get("error")
    if err is not None and not 400 <= int(err.get("status", 500)) <= 599:
        raise FaultError("error.status is an HTTP error status (400-599)")
    headers = (err or {}).get("headers") or []
    if not isinstance(headers, list):
        raise FaultError('error.headers is a list of {"name", "value"} objects')
    for i, h in enumerate(headers):
        if not (isinstance(h, dict) and _header_ok(h.get("name"), token=True) and _header_ok(h.get("value"))):
            raise FaultError(f"error.headers[{i}]: header names are tokens and values printable ASCII "
                             "text without CR or LF")
    return spec


_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _header_ok(text, token: bool = False) -> bool:
    """The spec's Header rule (RFC 9110 token names; printable ASCII values, so no CR/LF injection)."""
    if not isinstance(text, str) or (token and not text):
        return False
    if token:
        return all(ch in _TOKEN for ch in text)
    return all(" " <= ch <= "~" for ch in text)


class FaultInjector:
    def __init__(self, world):
        self.world = world
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, spec: dict) -> Fault:
        with self._lock:
            fault = Fault(next(self._ids), spec, world_seed(self.world))
            self._faults.append(fault)
        return fault

    def list(self) -> list[dict]:
        with self._lock:
            return [f.to_dict() for f in self._faults]

    def remove(self, fid: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fid]
            return len(self._faults) != before

    def clear(self) -> None:
        with self._lock:
            self._faults = []
            self._ids = itertools.count(1)  # ids restart so a seeded run repeats after reset

    # Gate.before hook
    async def intercept(self, vendor, raw) -> Any:
        _applied.set(())
        if not self._faults or raw.path.startswith(PUBLIC_PREFIXES):
            return None
        delay, answer, fired = 0.0, None, []
        with self._lock:
            for fault in self._faults:
                if not fault.matches(vendor, raw.method, raw.path) or not fault.fires():
                    continue
                fired.append(fault.id)
                delay += fault.delay_seconds()
                answer = fault.answer(vendor)
                if answer is not None:
                    break
        _applied.set(tuple(fired))
        if delay:
            await asyncio.sleep(delay)
        return answer


def faults_of(world) -> FaultInjector:
    """The world's fault injector, created (and emptied on every reset) on first use."""
    return world.service("faults", FaultInjector, on_reset=FaultInjector.clear)


def install(world, gates: Iterable) -> FaultInjector:
    injector = faults_of(world)
    for gate in gates:
        if injector.intercept not in gate.before:
            gate.before.append(injector.intercept)
    return injector
