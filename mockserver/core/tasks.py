"""Labeling tasks: which items, which workers, how reviewed, and the task's lifecycle status.

The status and its transitions: ``lifecycle`` (one table; illegal changes raise ``IllegalTransition``).
"""
from __future__ import annotations

import copy

from mockserver.store import Store

from . import records as R
from .annotations import freeze_task as freeze_annotations
from .assignment import MODES, STRATEGIES
from .errors import Conflict, InvalidArgument, NotFound
from .lifecycle import check_status, check_transition
from .planning import attach_items, defer_items, detach_item, matches_filter, ready_task, replan

REVIEW_STRATEGIES = ("none", "manual", "consensus")


def _normalize_assignment(a: dict | None) -> dict:
    a = dict(a or {})
    strategy = str(a.get("strategy") or "partitioned").lower()
    mode = str(a.get("mode") or ("weighted" if a.get("weights") else "even")).lower()
    if strategy not in STRATEGIES:
        raise InvalidArgument(f"unknown assignment strategy {strategy!r}")
    if mode not in MODES:
        raise InvalidArgument(f"unknown partition mode {mode!r}")
    k = a.get("workers_per_input")
    k = 1 if k is None else k
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise InvalidArgument("workers_per_input must be a positive integer")
    weights = {}
    for worker, value in (a.get("weights") or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise InvalidArgument(f"weight of {worker!r} must be a number >= 0")
        weights[str(worker)] = value
    return {"strategy": strategy, "mode": mode, "workers_per_input": k, "weights": weights}


def _normalize_review(r: dict | None) -> dict:
    r = dict(r or {})
    strategy = str(r.get("strategy") or "none").lower()
    if strategy not in REVIEW_STRATEGIES:
        raise InvalidArgument(f"unknown review strategy {strategy!r}")
    pct = r.get("sample_percentage", 1.0 if strategy == "manual" else 0.0)
    if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not 0 <= pct <= 1:
        raise InvalidArgument("sample_percentage is a fraction between 0 and 1")
    out = {"strategy": strategy, "reviewers": [str(x) for x in dict.fromkeys(r.get("reviewers") or [])],
           "sample_percentage": float(pct)}
    for field, default in (("approval_threshold_labelers", None), ("approval_threshold_reviewers", 1)):
        value = r.get(field, default)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise InvalidArgument(f"{field} must be an integer >= 0")
        out[field] = value
    if not out["approval_threshold_reviewers"]:
        out["approval_threshold_reviewers"] = 1
    return out


def create_task(store: Store, spec: dict) -> dict:
    """Create a task from ``spec`` (see the package docstring) and assign its items. Returns a copy."""
    task_id = spec.get("id")
    if not isinstance(task_id, str) or not task_id:
        raise InvalidArgument("a task needs a non-empty string id")
    sources = [str(s) for s in (spec.get("sources") or [])]
    item_ids = [str(i) for i in (spec.get("item_ids") or [])]
    explicit_source = spec.get("source") or (sources[0] if len(sources) == 1 else None)
    if item_ids and not explicit_source:
        raise InvalidArgument("item_ids need a 'source'")
    item_filter = spec.get("item_filter")
    if item_filter is not None and not isinstance(item_filter, dict):
        raise InvalidArgument("item_filter is an object of field -> value")
    workers = [str(w) for w in dict.fromkeys(spec.get("workers") or [])]
    seed = spec.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidArgument("seed must be an integer")
    iou = spec.get("iou_threshold", 0.5)
    if isinstance(iou, bool) or not isinstance(iou, (int, float)) or not 0 <= iou <= 1:
        raise InvalidArgument("iou_threshold is between 0 and 1")
    t = R.now()
    task = {
        "id": task_id, "tenant": str(spec.get("tenant") or ""), "kind": str(spec.get("kind") or "classification"),
        "sources": sources, "item_ids": item_ids, "source": explicit_source, "item_filter": item_filter,
        "follow_source": bool(spec.get("follow_source", False)), "workers": workers,
        "assignment": _normalize_assignment(spec.get("assignment")), "review": _normalize_review(spec.get("review")),
        "seed": seed, "iou_threshold": float(iou), "status": check_status(spec.get("status") or "created"),
        "meta": copy.deepcopy(spec.get("meta") or {}), "plan": {"m": 0, "loads": {}}, "next_seq": 0,
        "acceptance_id": None, "created_at": t, "updated_at": t,
    }
    with store.lock:
        if task_id in R.tasks(store):
            raise Conflict(f"task {task_id!r} already exists")
        items = R.items(store)
        chosen: list[dict] = []
        for source in sources:
            chosen.extend(d for d in items.find(source=source) if matches_filter(d, item_filter))
        for item_id in item_ids:
            doc = items.get(R.item_key(explicit_source, item_id))
            if doc is None:
                raise NotFound(f"item {item_id!r} not found in {explicit_source!r}")
            chosen.append(doc)
        R.tasks(store).insert(task)
        R.stats(store).insert({"id": task_id, "task_id": task_id, "total": 0})
        if task["follow_source"]:
            for source in sources:
                R.follows(store).insert({"id": f"{source}{R.SEP}{task_id}", "source": source, "task_id": task_id})
        defer_items(store, R.tasks(store).get(task_id), chosen)
        return _copy(R.tasks(store).get(task_id))


def _copy(task: dict) -> dict:
    """A caller's copy of a task document, without the fields of a promise (``planning.defer_items``: internal,
    and its keys as long as the task)."""
    return {k: R.clone(v) for k, v in task.items() if k not in ("pending", "lazy")}


def get_task(store: Store, task_id: str, tenant: str | None = None) -> dict:
    """A copy of the task (``NotFound`` if missing or owned by another ``tenant``)."""
    with store.lock:
        return _copy(R.load_task(store, task_id, tenant))


def peek_task(store: Store, task_id: str) -> dict:
    """The stored task document itself, NOT a copy: for listing pages cheaply. Read it, never change
    it, and do not keep it past the request (``NotFound`` if missing)."""
    return R.load_task(store, task_id)


def list_tasks(store: Store, tenant: str | None = None) -> list[dict]:
    """Copies of the tasks (of one tenant if given), in creation order."""
    with store.lock:
        coll = R.tasks(store)
        docs = coll.find(tenant=tenant) if tenant is not None else coll.all()
        return [_copy(d) for d in docs]


def update_task(store: Store, task_id: str, fields: dict) -> dict:
    """Change descriptive fields (``meta``, ``status``, ``kind``, ``iou_threshold``); not planning ones."""
    allowed = {"meta", "status", "kind", "iou_threshold"}
    bad = set(fields) - allowed
    if bad:
        raise InvalidArgument(f"cannot update {sorted(bad)} here; use update_task_workers for workers")
    with store.lock:
        task = R.load_task(store, task_id)
        if "status" in fields:
            check_transition(task_id, task["status"], fields["status"])
        R.tasks(store).update(task_id, {**copy.deepcopy(fields), "updated_at": R.now()})
        return _copy(R.tasks(store).get(task_id))


def set_task_status(store: Store, task_id: str, status: str) -> dict:
    return update_task(store, task_id, {"status": status})


def update_task_workers(store: Store, task_id: str, workers: list[str], assignment: dict | None = None,
                        review: dict | None = None) -> dict:
    """Change the workers (and optionally assignment/review settings) and re-plan unstarted work.

    Started, submitted and skipped work is never taken back, even when the new ``workers_per_input``
    is lower than the number of workers already on an item (see ``planning``)."""
    with store.lock:
        task = ready_task(store, task_id)  # (promised documents are planned with the workers as they were)
        fields = {"workers": [str(w) for w in dict.fromkeys(workers or [])],
                  "assignment": _normalize_assignment(assignment if assignment is not None else task["assignment"])}
        if review is not None:
            fields["review"] = _normalize_review(review)
        task = R.tasks(store).update(task_id, fields)
        replan(store, task)
        return _copy(R.tasks(store).get(task_id))


def delete_task(store: Store, task_id: str) -> None:
    """Delete the task with all its task-items, work, stats, follows and acceptances."""
    with store.lock:
        R.load_task(store, task_id)
        freeze_annotations(store, task_id)  # annotations outlive their task, with their last status
        for coll in (R.work(store), R.task_items(store), R.follows(store), R.acceptances(store)):
            for doc_id in coll.ids(task_id=task_id):
                coll.remove(doc_id)
        R.stats(store).remove(task_id)
        R.tables(store).stats_cache.pop(task_id, None)
        R.tasks(store).remove(task_id)


def add_task_items(store: Store, task_id: str, item_ids: list[str], source: str) -> int:
    """Add existing items of ``source`` to a task explicitly; returns how many were new to it."""
    with store.lock:
        task = R.load_task(store, task_id)
        docs = []
        for item_id in item_ids:
            doc = R.items(store).get(R.item_key(source, str(item_id)))
            if doc is None:
                raise NotFound(f"item {item_id!r} not found in {source!r}")
            docs.append(doc)
        return attach_items(store, task, docs)


def remove_task_item(store: Store, task_id: str, item_id: str, source: str | None = None) -> None:
    """Take one item out of a task (the item itself stays in its source)."""
    with store.lock:
        task = ready_task(store, task_id)
        ti = R.find_task_item(store, task_id, item_id, source)
        detach_item(store, task, ti["id"])
