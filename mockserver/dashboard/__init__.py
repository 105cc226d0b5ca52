"""The live dashboard served at ``/_mock/dashboard/`` on every port, and what the HTML report shares with it.

``data``     the JSON behind ``/_mock/dashboard/api/...``: read from the core's incrementally kept
             statistics (``core.task_stats``), the simulated people and the clock -- never by walking
             every item on a poll.  Two helpers, each in its own module, keep what statistics cannot give cheaply:
             ``Series`` (cumulative submissions and verdicts per person over virtual time, sampled at
             polls and every few hundred simulated events) and ``Judge`` (accuracy against the truth and
             consensus, judged item by item behind a cursor, a few milliseconds per poll at most).
``series``   ``Series``, the throughput chart's points.
``judging``  ``Judge`` and the per-item rules it shares with the HTML report (``judge_item``, ``truth_of``).
``items``    the on-demand task-item pages (they walk items, so the page never polls them).
``figures``  the Wilson interval and other small pure helpers (the HTML report uses them too).
``static/``  the page, its script and style sheet, and the vendored Chart.js (MIT, ``static/vendor/``):
             no build step, nothing fetched from the network; shipped in the wheel as package data.

Everything reads ``mockserver.core`` through its public API only.
"""
from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
# The files the page may load, by the name it asks for: nothing else under static/ is served.
ASSETS = {
    "dashboard.js": (STATIC / "dashboard.js", "text/javascript; charset=utf-8"),
    "dashboard.css": (STATIC / "dashboard.css", "text/css; charset=utf-8"),
    "chart.umd.min.js": (STATIC / "vendor" / "chart.umd.min.js", "text/javascript; charset=utf-8"),
}
PAGE = STATIC / "index.html"


def chart_js() -> str:
    """The vendored Chart.js (minified UMD build) as text, to inline in a self-contained page."""
    return ASSETS["chart.umd.min.js"][0].read_text(encoding="utf-8")


__all__ = ["ASSETS", "PAGE", "STATIC", "chart_js"]
