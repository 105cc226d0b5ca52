"""The console access log of ``mockserver serve``: one line per request, as Prism and WireMock print.

Text (the default)::

    12:00:01 clarifai     GET  /v2/users/mock-user/apps/mock-app/tasks?page=2 200 1.4ms

JSON (``--log-format json``), one object per line::

    {"time": "2024-05-06T10:00:01.123Z", "vendor": "clarifai", "method": "GET", "path": "/v2/...",
     "query": "page=2", "status": 200, "ms": 1.412}

A connection dropped by fault injection (status 0) shows as ``-`` / ``"status": null``. It is a
``Gate.after`` hook (like the journal): it formats one line and writes it with a single ``write`` and a
flush, holding no lock of its own. ``serve()`` installs it unless quiet; the in-process test mode never does.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from typing import Iterable, TextIO

FORMATS = ("text", "json")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


def _printable(text: str) -> str:
    """A request path is percent-decoded: keep a ``%0A`` in it from starting a fake log line."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class AccessLog:
    def __init__(self, stream: TextIO | None = None, fmt: str = "text"):
        if fmt not in FORMATS:
            raise ValueError(f"log format {fmt!r}: expected one of {', '.join(FORMATS)}")
        self._stream = stream
        self.fmt = fmt
        self.broken = False  # the console went away (closed pipe): stop logging, keep serving

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stdout

    def format(self, vendor_name: str, method: str, path: str, query: str, status: int, seconds: float,
               wall: float) -> str:
        ms = seconds * 1000.0
        if self.fmt == "json":
            stamp = dt.datetime.fromtimestamp(wall, dt.timezone.utc).isoformat(timespec="milliseconds")
            return json.dumps({"time": stamp.replace("+00:00", "Z"), "vendor": vendor_name, "method": method,
                               "path": path, "query": query, "status": status or None, "ms": round(ms, 3)},
                              separators=(", ", ": ")) + "\n"
        target = _printable(f"{path}?{query}" if query else path)
        clock = time.strftime("%H:%M:%S", time.localtime(wall))
        return f"{clock} {vendor_name:12s} {method:4s} {target} {status or '-'} {ms:.1f}ms\n"

    # Gate.after hook: (vendor, raw, status, headers, body, seconds)
    def __call__(self, vendor, raw, status: int, headers: dict, body: bytes, seconds: float) -> None:
        if self.broken:
            return
        line = self.format(vendor.name, raw.method, raw.path, raw.query_string, status, seconds, time.time())
        try:
            stream = self.stream
            stream.write(line)
            stream.flush()
        except (OSError, ValueError):  # closed or broken console: never fail a request over a log line
            self.broken = True


def install(gates: Iterable, fmt: str = "text", stream: TextIO | None = None) -> AccessLog:
    """Log every request of ``gates`` (one ``AccessLog`` shared by all of them)."""
    log = AccessLog(stream, fmt)
    for gate in gates:
        if not any(isinstance(hook, AccessLog) for hook in gate.after):
            gate.after.append(log)
    return log
