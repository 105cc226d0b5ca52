"""Which spec operation a raw request is for, before Connexion routes it.

The journal and the fault injector both name operations the way the specs do (operationId, or the
path template), and faults must act before Connexion sees the request, so this small matcher reads
the vendor's spec itself (through ``app.read_spec``, the one cached reader). Specs are re-read when their file changes (they are edited while serving
only in development, but a stale table would silently mislabel requests).
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True)
class Operation:
    operation_id: str | None
    template: str  # the spec's path template, e.g. /v2/{project_id}/workforces
    method: str  # upper case


class OperationIndex:
    """(method, path) -> Operation, for one spec file."""

    def __init__(self, spec_path: Path):
        self.spec_path = Path(spec_path)
        self._mtime: float | None = None
        self._routes: list[tuple[re.Pattern, str, dict[str, str | None]]] = []
        self._lock = threading.Lock()
        self._checked = float("-inf")  # monotonic time of the last look at the file
        # (method, path) -> Operation: the journal asks for every request, mostly for paths seen before.
        self._matches: dict[tuple[str, str], Operation | None] = {}

    # A spec edited while serving is picked up within this many seconds (a stat per request cost more
    # than the rest of the journal).
    RECHECK_SECONDS = 1.0

    def _load(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.RECHECK_SECONDS and self._mtime is not None:
            return
        self._checked = now
        try:
            mtime = self.spec_path.stat().st_mtime
        except OSError:
            self._routes = []
            return
        if mtime == self._mtime:
            return
        with self._lock:
            if mtime == self._mtime:
                return
            from ..app import read_spec

            spec = read_spec(self.spec_path) or {}
            routes = []
            base = _base_path(spec)
            for template, item in (spec.get("paths") or {}).items():
                if not isinstance(item, dict):
                    continue
                ops = {m.upper(): (op or {}).get("operationId") for m, op in item.items() if m in METHODS}
                full = base + template
                pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(full)) + "/?$")
                routes.append((pattern, template, ops))
            # OpenAPI: concrete paths win over templated ones (/tasks/search before /tasks/{id}).
            routes.sort(key=lambda r: (r[1].count("{"), -len(r[1])))
            self._routes = routes
            self._matches = {}
            self._mtime = mtime

    def match(self, method: str, path: str) -> Operation | None:
        self._load()
        method = method.upper()
        key = (method, path)
        matches = self._matches
        if key in matches:
            return matches[key]
        if len(matches) >= 4096:  # paths carry ids: keep the table bounded
            matches.clear()
        found = matches[key] = self._match(method, path)
        return found

    def methods_at(self, path: str) -> list[str]:
        """Every method the spec declares on the first path matching ``path`` (concrete paths first,
        as routing does)."""
        self._load()
        for pattern, _template, ops in self._routes:
            if pattern.match(path):
                return sorted(ops)
        return []

    def _match(self, method: str, path: str) -> Operation | None:
        fallback = None
        for pattern, template, ops in self._routes:
            if pattern.match(path):
                if method in ops:
                    return Operation(ops[method], template, method)
                fallback = fallback or Operation(None, template, method)
        return fallback


def _base_path(spec: dict) -> str:
    """The path part of the first server URL ('/' and full URLs without a path give '')."""
    servers = spec.get("servers") or [{}]
    url = str(servers[0].get("url") or "/")
    path = re.sub(r"^[a-z]+://[^/]+", "", url)
    return path.rstrip("/")


_indexes: dict[str, OperationIndex] = {}


def index_for(spec_file: str) -> OperationIndex:
    found = _indexes.get(spec_file)
    if found is not None:
        return found
    from ..app import SPEC_DIR

    path = Path(spec_file) if Path(spec_file).is_absolute() else SPEC_DIR / spec_file
    key = str(path)
    if key not in _indexes:
        _indexes[key] = OperationIndex(path)
    _indexes[spec_file] = _indexes[key]
    return _indexes[key]


def operation_of(vendor, method: str, path: str) -> Operation | None:
    """The vendor operation a request is for (None for unknown routes and the control API)."""
    from ..gate import CONTROL_PREFIX

    if path.startswith(CONTROL_PREFIX):
        return index_for("control.yaml").match(method, path)
    return index_for(vendor.spec).match(method, path)


def allowed_methods(vendor, path: str) -> list[str]:
    """Every method the spec declares on the path(s) matching ``path`` (for a 405's ``Allow``)."""
    from ..gate import CONTROL_PREFIX

    return (index_for("control.yaml") if path.startswith(CONTROL_PREFIX) else index_for(vendor.spec)).methods_at(path)
