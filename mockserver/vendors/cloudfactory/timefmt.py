"""ISO 8601 timestamps on the wire, epoch seconds inside.

The stand-in accepts the RFC 3339 profile of ISO 8601 (date, ``T``, time, optional fraction, and a
``Z`` or ``±HH:MM`` offset), the form the vendor's examples use.  A time without an offset is
refused: it would be read differently by different clients.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def parse(value) -> float | None:
    """Epoch seconds of an RFC 3339 timestamp, or None when it is not one."""
    if not isinstance(value, str) or not _RFC3339.match(value):
        return None
    text = value.replace("z", "Z").replace("Z", "+00:00").replace("t", "T")
    if " " in text[:11]:
        text = text[:10] + "T" + text[11:]
    head, _, tail = text.partition(".")
    if tail:  # Python takes at most 6 fraction digits
        digits = re.match(r"\d+", tail).group(0)
        text = f"{head}.{digits[:6].ljust(6, '0')}{tail[len(digits):]}"
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def iso(epoch: float) -> str:
    """``2020-12-22T10:13:24.127Z`` (milliseconds, UTC)."""
    dt = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d")
