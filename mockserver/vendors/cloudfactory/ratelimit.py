"""Per-key request limit (off by default).

Where the limit comes from, first found wins:

1. the key's workstream (``rate_limit`` of that workstream in the workspace or a scenario file);
2. the ``cloudfactory`` workspace section's ``rate_limit`` (every workstream that sets none);
3. the server's setting ``settings.extra["cloudfactory_rate_limit"]`` (what a command-line option or
   Python inside the process sets; ``parse_option("100/60")`` reads the option's form).

A limit is ``{"requests": N, "per_seconds": S}``; ``N`` or ``S`` of 0 means off (a workstream may so
turn off a limit the server sets).  A fixed window of ``S`` seconds of VIRTUAL time per API key: the
``N+1``-th call in a window gets 429 ``{"message": "Too Many Requests"}`` with ``Retry-After`` = whole
seconds until the window ends (at least 1).  No ``X-RateLimit-*`` headers: no readable CloudFactory
page shows them.  Windows are aligned on multiples of ``S`` since the epoch; counts live in the store
(``cloudfactory_rate``), so a reset clears them.  ``configure`` changes a workstream's limit at run
time (for a control endpoint).
"""
from __future__ import annotations

import math
import re

from . import errors

TABLE = "cloudfactory_rate"
SETTING = "cloudfactory_rate_limit"


def normalise(value, where: str = "rate_limit") -> dict | None:
    """A limit as stored: ``{"requests": int, "per_seconds": float}``, or None (not set).  A bad one
    raises ValueError naming ``where`` (a scenario or a request is refused with it)."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"requests", "per_seconds"}:
        raise ValueError(f'{where} must be {{"requests": N, "per_seconds": S}} (got {value!r})')
    requests, per = value.get("requests", 0), value.get("per_seconds", 0)
    if isinstance(requests, bool) or not isinstance(requests, int) or requests < 0:
        raise ValueError(f"{where}.requests must be an integer >= 0 (0: no limit)")
    if isinstance(per, bool) or not isinstance(per, (int, float)) or per < 0:
        raise ValueError(f"{where}.per_seconds must be a number >= 0 (0: no limit)")
    return {"requests": requests, "per_seconds": float(per)}


def parse_option(text: str) -> dict:
    """``"100/60"`` (100 requests per 60 s) -> ``{"requests": 100, "per_seconds": 60.0}``; ``"off"`` -> 0/0."""
    if text.strip().lower() in ("off", "0", "none"):
        return {"requests": 0, "per_seconds": 0.0}
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*", text)
    if not m:
        raise ValueError(f"rate limit {text!r}: give REQUESTS/SECONDS, e.g. 100/60, or off")
    return {"requests": int(m.group(1)), "per_seconds": float(m.group(2))}


def limit_of(world, workstream: dict | None) -> dict | None:
    """The limit that applies to a key of ``workstream`` (see the module's docstring)."""
    if workstream is not None and workstream.get("rate_limit") is not None:
        return workstream["rate_limit"]
    conf = (world.settings.extra or {}).get(SETTING)
    return normalise(conf, f"settings.extra[{SETTING!r}]") if conf else None


def configure(world, workstream_id: str, value) -> dict | None:
    """Set (``{"requests", "per_seconds"}``) or clear (None: back to the server's setting) the limit of a
    workstream at run time; its keys' windows start afresh.  Returns the limit now in force."""
    streams = world.store.table("cloudfactory_workstreams")
    limit = normalise(value, "rate_limit")
    with world.store.lock:
        if streams.get(workstream_id) is None:
            raise ValueError(f"no cloudfactory workstream {workstream_id}")
        streams.update(workstream_id, {"rate_limit": limit})
        counts = world.store.table(TABLE)
        for key in [k["id"] for k in world.store.table("cloudfactory_keys").find(workstream_id=workstream_id)]:
            counts.remove(key)
    return limit_of(world, streams.get(workstream_id))


def check(world, key: str, workstream: dict | None = None) -> None:
    conf = limit_of(world, workstream)
    if not conf:
        return
    limit, per = int(conf.get("requests", 0)), float(conf.get("per_seconds", 0))
    if limit <= 0 or per <= 0:
        return
    now = world.now()
    window = math.floor(now / per) * per
    coll = world.store.table(TABLE)
    with world.store.lock:
        doc = coll.get(key)
        if doc is None or doc["window"] != window:
            coll.upsert({"id": key, "window": window, "count": 1})
            return
        if doc["count"] >= limit:
            retry = max(1, math.ceil(window + per - now))
            raise errors.too_many(retry)
        coll.update(key, {"count": doc["count"] + 1})
