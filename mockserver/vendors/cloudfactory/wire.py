"""Translating between CloudFactory's wire vocabulary and the core's: timestamps, Oversight task states, inferences.

Times: ISO 8601 on the wire, epoch seconds inside.  The stand-in accepts the RFC 3339 profile of
ISO 8601 (date, ``T``, time, optional fraction, and a ``Z`` or ``±HH:MM`` offset), the form the
vendor's examples use.  A time without an offset is refused: it would be read differently by
different clients.  Times are written in UTC with milliseconds (``2020-12-22T10:13:24.127Z``).

An Oversight task's state, read from the core on every request (``core.item_progress``; the model
behind it is in cloudworkers.py):

=============== ==========================================================================
``queued``      the item waits for a CloudWorker (none has begun it)
``in_progress`` a CloudWorker began it (core work in progress)
``completed``   the item settled as approved; ``updated_inferences`` from ``core.item_result``:
                one inference per label, ``classes [{"class", "confidence_score": 1.0}]``
``failed``      the item settled without a result: its CloudWorker skipped it (``failure_rate``)
=============== ==========================================================================

An inference's ``bbox``, ``mask`` and ``polygon`` are arrays, empty when the reviewer drew none:
never ``null``.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from mockserver import core

# -- times ---------------------------------------------------------------------------------------
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def parse_time(value) -> float | None:
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
    """The UTC day of ``epoch``, ``2020-12-22``."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d")


# -- Oversight tasks -----------------------------------------------------------------------------
FAILED = {"code": "processing_failed", "message": "The media could not be reviewed"}


def task_state(progress: dict | None) -> str | None:
    """The Oversight state of a core item's progress, or None when the item is gone (or never was)."""
    if progress is None or progress["phase"] == "gone":
        return None
    if progress["phase"] == "settled":
        return "completed" if progress["state"] == "approved" else "failed"
    return "in_progress" if progress["phase"] == "in_progress" else "queued"


def inference(task_id: str, i: int, label: dict) -> dict:
    """A core result's label ``i`` as an Oversight inference."""
    return {"external_id": f"{task_id}:{i}", "classes": [{"class": label["concept"], "confidence_score": 1.0}],
            "bbox": list(label.get("box") or []), "mask": [], "polygon": list(label.get("polygon") or [])}


def task_status(world, task: dict) -> dict:
    """The Task Status body, read from the core (a task stored without a core item reads as stored)."""
    store = world.store
    ref = task.get("core")
    progress = None
    if ref:
        try:
            progress = core.item_progress(store, ref["task"], task["id"], ref["source"])
        except core.NotFound:
            progress = None
    state = task_state(progress)
    error = None
    if state is None:  # stored by an older version, or its core item was removed
        state, inferences, updated = task["state"], task.get("inferences") or [], task["updated_at"]
        error = task.get("error")
    else:
        inferences = []
        updated = task["created_at"] if progress["phase"] == "waiting" else progress["since"]
        if state == "completed":
            result = core.item_result(store, ref["task"], task["id"], ref["source"]) or {}
            inferences = [inference(task["id"], i, lb) for i, lb in enumerate(result.get("labels") or [])]
        elif state == "failed":
            error = FAILED
    out = {"task_id": task["id"], "state": state,
           "updated_inferences": {"inferences": [{**i, **{k: i.get(k) or [] for k in ("bbox", "mask", "polygon")}}
                                                 for i in inferences]},
           "created_at": iso(task["created_at"]), "updated_at": iso(updated)}
    if error:
        out["error"] = dict(error)
    return out
