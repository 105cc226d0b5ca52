"""Task statistics: read in O(workers + concepts), never by scanning items.

The stats document (``core_stats``, id = task id) holds only non-zero counters::

    {"id", "task_id", "total": n, "unassigned": open slots with nobody on them,
     "states": {item_state: n}, "workers": {worker: {assigned, started, in_progress, submitted,
     skipped, returned, approved, rejected}}, "labels_submitted": {concept: n},
     "labels_approved": {concept: n}, "reviewers": {reviewer: {approved, rejected, changes_requested}},
     "acceptance": {sampled, checked, accepted, rejected}}

``task_stats`` fills the zeros in and adds derived figures (``progress``...).
"""
from __future__ import annotations

import copy
from collections import Counter

from mockserver.store import Store

from . import records as R
from .ledger import ACCEPTANCE_FIELDS, ITEM_STATES, REVIEW_FIELDS, WORKER_FIELDS, contribution

SETTLED = ("approved", "rejected", "skipped")
LABELED = ("awaiting_review", "approved", "rejected")


def _complete(raw: dict, task: dict) -> dict:
    out = copy.deepcopy(raw)
    out.setdefault("total", 0)
    out.setdefault("unassigned", 0)
    out["states"] = {s: raw.get("states", {}).get(s, 0) for s in ITEM_STATES}
    names = list(dict.fromkeys(list(task.get("workers", [])) + sorted(raw.get("workers", {}))))
    out["workers"] = {w: {f: raw.get("workers", {}).get(w, {}).get(f, 0) for f in WORKER_FIELDS} for w in names}
    reviewers = list(dict.fromkeys(list(task["review"]["reviewers"]) + sorted(raw.get("reviewers", {}))))
    out["reviewers"] = {r: {f: raw.get("reviewers", {}).get(r, {}).get(f, 0) for f in REVIEW_FIELDS}
                        for r in reviewers}
    out["labels_submitted"] = dict(sorted(raw.get("labels_submitted", {}).items()))
    out["labels_approved"] = dict(sorted(raw.get("labels_approved", {}).items()))
    acc = {f: raw.get("acceptance", {}).get(f, 0) for f in ACCEPTANCE_FIELDS}
    acc["uncheck"] = acc["sampled"] - acc["checked"]
    out["acceptance"] = acc
    total = out["total"]
    states = out["states"]
    out["done"] = sum(states[s] for s in SETTLED)
    out["labeled"] = sum(states[s] for s in LABELED)
    out["progress"] = out["done"] / total if total else 0.0
    out["labeled_fraction"] = out["labeled"] / total if total else 0.0
    return out


def task_stats(store: Store, task_id: str) -> dict:
    """A filled-in copy of the task's counters plus ``done``, ``labeled``, ``progress`` (0..1)."""
    with store.lock:
        task = R.load_task(store, task_id)
        return _complete(R.stats(store).get(task_id) or {"id": task_id, "task_id": task_id}, task)


def worker_stats(store: Store, task_id: str, worker: str) -> dict:
    """One worker's counters in the task (zeros if unknown)."""
    return task_stats(store, task_id)["workers"].get(worker, {f: 0 for f in WORKER_FIELDS})


def recount(store: Store, task_id: str, write: bool = False) -> dict:
    """Recompute the statistics from every item and work document (O(items)), filled in like
    ``task_stats``.  ``write=True`` also repairs the stored counters."""
    with store.lock:
        task = R.load_task(store, task_id)
        total: Counter = Counter()
        works = R.work(store)
        for ti in R.task_items(store).find(task_id=task_id):
            total.update(contribution(ti, works.find(ti=ti["id"])))
        raw: dict = {"id": task_id, "task_id": task_id}
        for path, value in total.items():
            if not value:
                continue
            node = raw
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value
        if write:
            R.stats(store).replace(raw)
        return _complete(raw, task)
