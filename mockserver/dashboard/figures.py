"""Small pure helpers shared by the dashboard and the HTML report."""
from __future__ import annotations

import math

Z95 = 1.959963984540054  # the two-sided 95% normal quantile


def wilson(k: int, n: int, z: float = Z95) -> dict | None:
    """``k`` successes out of ``n`` as ``{value, n, k, low, high}``: the proportion with its Wilson score
    interval (95% by default), which stays inside [0, 1] and behaves for small ``n`` and for 0 or n
    successes, unlike the normal approximation. None when ``n`` is 0 (nothing to estimate)."""
    if n <= 0:
        return None
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if k <= 0 else max(0.0, centre - half)
    high = 1.0 if k >= n else min(1.0, centre + half)
    return {"value": p, "n": n, "k": k, "low": low, "high": high}


def vendor_of(task: dict) -> str:
    """The vendor a task belongs to (its id's prefix, as the adapters make them), else its tenant."""
    prefix = str(task.get("id", "")).split(":", 1)[0]
    if prefix in ("clarifai", "modelarts", "cloudfactory"):
        return prefix
    return str(task.get("tenant") or "other")


def quantile(sorted_values: list[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) of already sorted values, linear between neighbours; None if empty."""
    if not sorted_values:
        return None
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)
