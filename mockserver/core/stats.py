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

from collections import Counter

from mockserver.store import Store

from . import records as R
from .planning import ready_task
from .ledger import ACCEPTANCE_FIELDS, ITEM_STATES, REVIEW_FIELDS, WORKER_FIELDS, contribution

SETTLED = ("approved", "rejected", "skipped")
LABELED = ("awaiting_review", "approved", "rejected")


_FILLED = ("total", "unassigned", "states", "workers", "reviewers", "labels_submitted", "labels_approved",
           "acceptance")
_ZERO_WORKER = dict.fromkeys(WORKER_FIELDS, 0)
_ZERO_REVIEWER = dict.fromkeys(REVIEW_FIELDS, 0)
_EMPTY: dict = {}


def _zero_filled(fields: tuple, zero: dict, counts: dict) -> dict:
    if not counts:
        return dict(zero)
    if counts.keys() <= zero.keys():
        return {**zero, **counts}  # zero's key order, counts' values
    return {f: counts.get(f, 0) for f in fields}


def _complete(raw: dict, task: dict) -> dict:
    """``raw`` (the sparse stored counters) filled in: a new structure sharing nothing with ``raw``."""
    out = {k: (v if k in _FILLED else R.clone(v)) for k, v in raw.items()}
    out.setdefault("total", 0)
    out.setdefault("unassigned", 0)
    raw_states = raw.get("states") or _EMPTY
    out["states"] = {s: raw_states.get(s, 0) for s in ITEM_STATES}
    raw_workers = raw.get("workers") or _EMPTY
    names = dict.fromkeys(task.get("workers", ()))
    if raw_workers.keys() - names.keys():
        names.update(dict.fromkeys(sorted(raw_workers)))
    zero, zero_keys = _ZERO_WORKER, _ZERO_WORKER.keys()
    if all(c.keys() <= zero_keys for c in raw_workers.values()):  # always, unless hand-edited
        get = raw_workers.get
        out["workers"] = {w: {**zero, **get(w, _EMPTY)} for w in names}
    else:
        out["workers"] = {w: _zero_filled(WORKER_FIELDS, zero, raw_workers.get(w)) for w in names}
    raw_reviewers = raw.get("reviewers") or _EMPTY
    names = dict.fromkeys(task["review"]["reviewers"])
    if raw_reviewers.keys() - names.keys():
        names.update(dict.fromkeys(sorted(raw_reviewers)))
    out["reviewers"] = {r: _zero_filled(REVIEW_FIELDS, _ZERO_REVIEWER, raw_reviewers.get(r)) for r in names}
    out["labels_submitted"] = dict(sorted((raw.get("labels_submitted") or _EMPTY).items()))
    out["labels_approved"] = dict(sorted((raw.get("labels_approved") or _EMPTY).items()))
    raw_acc = raw.get("acceptance") or _EMPTY
    acc = {f: raw_acc.get(f, 0) for f in ACCEPTANCE_FIELDS}
    acc["uncheck"] = acc["sampled"] - acc["checked"]
    out["acceptance"] = acc
    total = out["total"]
    states = out["states"]
    out["done"] = sum(states[s] for s in SETTLED)
    out["labeled"] = sum(states[s] for s in LABELED)
    out["progress"] = out["done"] / total if total else 0.0
    out["labeled_fraction"] = out["labeled"] / total if total else 0.0
    return out


def _copy_completed(c: dict) -> dict:
    """A copy of a filled-in stats dict, built for its known shape (two levels of plain dicts)."""
    out = {}
    for k, v in c.items():
        if k == "workers" or k == "reviewers":
            out[k] = {name: counts.copy() for name, counts in v.items()}
        elif v.__class__ is dict and k in _FILLED:
            out[k] = v.copy()
        else:
            out[k] = R.clone(v)
    return out


def task_stats(store: Store, task_id: str) -> dict:
    """A filled-in copy of the task's counters plus ``done``, ``labeled``, ``progress`` (0..1).

    O(workers + concepts).  The filled-in view is cached per task and reused while the stored
    counters document is the same object, unchanged since (``ledger.apply_diff`` bumps the store's
    ``counters_version``), and the task's workers and reviewers are the same; each call still
    returns a fresh copy.
    """
    return _filled(store, task_id, shared=False)


def peek_stats(store: Store, task_id: str) -> dict:
    """``task_stats`` itself, NOT a copy: the cached view, for views of many tasks (a list page).  Read
    it, never change it, and do not keep it past the request (as ``peek_task``)."""
    return _filled(store, task_id, shared=True)


def _filled(store: Store, task_id: str, shared: bool) -> dict:
    with store.lock:
        task = R.load_task(store, task_id)
        raw = R.stats(store).get(task_id)
        if raw is None:
            return _complete({"id": task_id, "task_id": task_id}, task)
        tables = R.tables(store)
        cache, version = tables.stats_cache, tables.counters_version
        workers, reviewers = task.get("workers", ()), task["review"]["reviewers"]
        hit = cache.get(task_id)
        if (hit is None or hit[0] is not raw or hit[1] != version or hit[2] != workers
                or hit[3] != reviewers):
            # First read of this version: build the view and hand it out as is (nobody else holds
            # it); only a second read of the same version keeps a view to copy from.  A read after
            # every event so costs one build, repeated reads one copy each.  A shared read keeps the
            # view at once (it is handed out as it is cached).
            # (The raw document is held in the entry, so its identity cannot be reused.)
            view = _complete(raw, task)
            cache[task_id] = (raw, version, list(workers), list(reviewers), view if shared else None)
            return view
        if hit[4] is None:
            cache[task_id] = hit = hit[:4] + (_complete(raw, task),)
        return hit[4] if shared else _copy_completed(hit[4])


def worker_stats(store: Store, task_id: str, worker: str) -> dict:
    """One worker's counters in the task (zeros if unknown)."""
    return task_stats(store, task_id)["workers"].get(worker, {f: 0 for f in WORKER_FIELDS})


def recount(store: Store, task_id: str, write: bool = False) -> dict:
    """Recompute the statistics from every item and work document (O(items)), filled in like
    ``task_stats``.  ``write=True`` also repairs the stored counters."""
    with store.lock:
        task = ready_task(store, task_id)
        total: Counter = Counter()
        works = R.work(store)
        for ti in R.find_eq(R.task_items(store), "task_id", task_id):
            total.update(contribution(ti, R.find_eq(works, "ti", ti["id"])))
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
