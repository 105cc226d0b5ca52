"""Per-key request limit (off by default).

Turn it on with ``world.settings.extra["cloudfactory_rate_limit"] = {"requests": N, "per_seconds": S}``.
A fixed window of ``S`` seconds of VIRTUAL time per API key: the ``N+1``-th call in a window gets 429
``{"message": "Too Many Requests"}`` with ``Retry-After`` = whole seconds until the window ends
(at least 1).  Windows are aligned on multiples of ``S`` since the epoch; counts live in the store
(``cloudfactory_rate``), so a reset clears them.
"""
from __future__ import annotations

import math

from ..base import VendorError

TABLE = "cloudfactory_rate"


def check(world, key: str) -> None:
    conf = (world.settings.extra or {}).get("cloudfactory_rate_limit")
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
            raise VendorError(429, {"message": "Too Many Requests"}, {"Retry-After": str(retry)})
        coll.update(key, {"count": doc["count"] + 1})
