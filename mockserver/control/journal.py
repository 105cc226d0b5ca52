"""The request journal: what each vendor port was asked and what it answered.

Tests use it to verify the calls their code made ("exactly one POST to task_reviewed"). It is bounded
(a deque keeps the last ``max_entries``), lives outside the store (so it is not in exported state and
costs the store nothing), and is cleared by ``POST /_mock/reset`` and ``DELETE /_mock/journal``.
Requests to the control API and the docs pages are not recorded: they are the test's own plumbing.
"""
from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from typing import Any, Iterable
from urllib.parse import parse_qs

from ..gate import PUBLIC_PREFIXES
from .faults import applied_faults
from .operations import operation_of

DEFAULT_MAX_ENTRIES = 1000
DEFAULT_BODY_LIMIT = 4096  # characters kept of each body
# Credentials are kept out of the journal: it is served without authentication.
SECRET_HEADERS = {"authorization", "x-auth-token", "x-api-key", "x-security-token", "cookie", "set-cookie"}


def _text(body: bytes, limit: int) -> tuple[str, bool]:
    text = body.decode("utf-8", errors="replace")
    return (text[:limit], True) if len(text) > limit else (text, False)


def _head(body: bytes, limit: int) -> bytes:
    """Enough of a body for its first ``limit`` characters (none takes more than 4 bytes), plus one byte
    so that ``_text`` still sees it was longer: big bodies are not kept whole until the entry is built."""
    return body if len(body) <= 4 * limit else body[: 4 * limit + 1]


def _status_matches(status: int, wanted: str) -> bool:
    """``404``, ``4xx`` or ``400-499``."""
    wanted = wanted.strip().lower()
    if wanted.endswith("xx") and wanted[:-2].isascii() and wanted[:-2].isdigit():
        return status // 100 == int(wanted[:-2])
    if "-" in wanted:
        low, high = wanted.split("-", 1)
        return int(low) <= status <= int(high)
    return status == int(wanted)


class Journal:
    def __init__(self, world, max_entries: int = DEFAULT_MAX_ENTRIES, body_limit: int = DEFAULT_BODY_LIMIT):
        self.world = world
        self.body_limit = body_limit
        self._entries: deque[dict] = deque(maxlen=max_entries)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.dropped = 0  # entries pushed out by the bound, so a reader knows the journal is partial

    @property
    def max_entries(self) -> int:
        return self._entries.maxlen or 0

    def configure(self, max_entries: int | None = None, body_limit: int | None = None) -> None:
        with self._lock:
            if max_entries is not None and max_entries != self._entries.maxlen:
                self._entries = deque(self._entries, maxlen=max_entries)
            if body_limit is not None:
                self.body_limit = body_limit

    # Gate.after hook: (vendor, raw, status, headers, body, seconds)
    def record(self, vendor, raw, status: int, headers: dict, body: bytes, seconds: float) -> None:
        """Keep what the entry will be made of; the entry itself is built when someone reads the journal
        (most recorded requests are never read, and building one cost as much as a handler)."""
        if raw.path.startswith(PUBLIC_PREFIXES):
            return
        # Everything that could change later is taken now: times, faults fired, the body limit.
        limit = self.body_limit
        pending = _Pending(vendor, raw.method, raw.path, raw.query_string, raw.headers, _head(raw.body, limit),
                           status, headers, _head(body, limit), seconds, self.world.clock.now(), time.time(),
                           applied_faults(), limit)
        with self._lock:
            pending.id = next(self._ids)
            if len(self._entries) == self._entries.maxlen:
                self.dropped += 1
            self._entries.append(pending)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.dropped = 0

    def entries(self, **filters: Any) -> list[dict]:
        with self._lock:  # entries are built under the lock: two readers never build the same one
            snapshot = [pending.entry() for pending in self._entries]
        return [e for e in snapshot if _matches(e, filters)]

    def count(self, **filters: Any) -> int:
        return len(self.entries(**filters))


class _Pending:
    """A recorded request whose journal entry (a dict, as served) is built on first read."""

    __slots__ = ("vendor", "method", "path", "query_string", "request_headers", "request_body", "status",
                 "headers", "body", "seconds", "time", "wall_time", "faults", "body_limit", "id", "_entry")

    def __init__(self, vendor, method, path, query_string, request_headers, request_body, status, headers, body,
                 seconds, now, wall_time, faults, body_limit):
        self.vendor, self.method, self.path, self.query_string = vendor, method, path, query_string
        self.request_headers, self.request_body = request_headers, request_body
        self.status, self.headers, self.body = status, headers, body
        self.seconds, self.time, self.wall_time, self.faults = seconds, now, wall_time, faults
        self.body_limit = body_limit
        self.id = 0
        self._entry = None

    def entry(self) -> dict:
        if self._entry is None:
            op = operation_of(self.vendor, self.method, self.path)
            req_body, req_cut = _text(self.request_body, self.body_limit)
            resp_body, resp_cut = _text(self.body, self.body_limit)
            headers = self.headers
            self._entry = {
                "vendor": self.vendor.name,
                "method": self.method,
                "path": self.path,
                "query": {k: v if len(v) > 1 else v[0]
                          for k, v in parse_qs(self.query_string, keep_blank_values=True).items()},
                "operation": op.operation_id if op else None,
                "path_template": op.template if op else None,
                "status": self.status,  # 0: the connection was dropped (fault injection)
                "time": self.time,
                "wall_time": self.wall_time,
                "duration_ms": round(self.seconds * 1000, 3),
                "request_headers": {k: ("***" if k in SECRET_HEADERS else v) for k, v in self.request_headers.items()},
                "request_body": req_body,
                "request_body_truncated": req_cut,
                "response_content_type": headers.get("content-type") or headers.get("Content-Type"),
                "response_body": resp_body,
                "response_body_truncated": resp_cut,
                "faults": self.faults,  # ids of the injected faults that fired
                "id": self.id,
            }
            self.request_headers = self.request_body = self.headers = self.body = None  # kept in the entry now
        return self._entry


def _matches(entry: dict, f: dict) -> bool:
    if f.get("vendor") and entry["vendor"] != f["vendor"]:
        return False
    if f.get("method") and entry["method"] != str(f["method"]).upper():
        return False
    if f.get("path_prefix") and not entry["path"].startswith(f["path_prefix"]):
        return False
    if f.get("path") and entry["path"] != f["path"]:
        return False
    if f.get("operation") and f["operation"] not in (entry["operation"], entry["path_template"]):
        return False
    if f.get("status") not in (None, "") and not _status_matches(entry["status"], str(f["status"])):
        return False
    if f.get("since") is not None and entry["time"] < float(f["since"]):
        return False
    if f.get("until") is not None and entry["time"] > float(f["until"]):
        return False
    if f.get("after_id") is not None and entry["id"] <= int(f["after_id"]):
        return False
    return True


def journal_of(world) -> Journal:
    """The world's journal, created (and cleared on every reset) on first use."""
    extra = world.settings.extra
    return world.service("journal", lambda w: Journal(
        w, max_entries=int(extra.get("journal_size", DEFAULT_MAX_ENTRIES)),
        body_limit=int(extra.get("journal_body_limit", DEFAULT_BODY_LIMIT))), on_reset=Journal.clear)


def install(world, gates: Iterable) -> Journal:
    journal = journal_of(world)
    for gate in gates:
        if journal.record not in gate.after:
            gate.after.append(journal.record)
    return journal
