"""A worker's side of labeling: fetch assignments, start, submit, skip, give back.

One work document per (task, item, worker) assignment, with ``state``:

    assigned -> in_progress -> submitted         (resubmission replaces labels until the item settles)
    assigned | in_progress -> skipped            (final for that worker; the item is not reassigned)
    assigned | in_progress -> returned           (given back: another eligible worker takes the slot)
    submitted -> in_progress                     (a reviewer requested changes)
"""
from __future__ import annotations

import copy

from mockserver.store import Store

from . import records as R
from .errors import InvalidArgument, InvalidState, NotAllowed
from .ledger import OPEN_WORK, Ledger
from .planning import assigner_for, new_work


def _normalize_labels(labels) -> list[dict]:
    if not isinstance(labels, list):
        raise InvalidArgument("labels must be a list")
    out = []
    for label in labels:
        if not isinstance(label, dict) or not isinstance(label.get("concept"), str) or not label["concept"]:
            raise InvalidArgument("every label needs a string 'concept'")
        clean = {"concept": label["concept"]}
        box = label.get("box")
        if box is not None:
            if (not isinstance(box, (list, tuple)) or len(box) != 4
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in box)):
                raise InvalidArgument("box is [x0, y0, x1, y1]")
            clean["box"] = [float(v) for v in box]
        polygon = label.get("polygon")
        if polygon is not None:
            try:
                clean["polygon"] = [[float(x), float(y)] for x, y in polygon]
            except (TypeError, ValueError):
                raise InvalidArgument("polygon is a list of [x, y] points") from None
            if len(clean["polygon"]) < 3:
                raise InvalidArgument("a polygon needs at least 3 points")
        for extra in ("value", "attributes"):
            if extra in label:
                clean[extra] = copy.deepcopy(label[extra])
        out.append(clean)
    return out


def _work_doc(store: Store, task_id: str, item_id: str, worker: str, source: str | None) -> tuple[dict, dict, dict]:
    task = R.load_task(store, task_id)
    ti = R.find_task_item(store, task_id, item_id, source)
    work = R.work(store).get(R.work_id(ti["id"], worker))
    if work is None:
        raise NotAllowed(f"worker {worker!r} is not assigned item {item_id!r} in task {task_id!r}")
    return task, ti, work


def next_assignments(store: Store, task_id: str, worker: str, limit: int = 10) -> list[dict]:
    """Copies of the worker's open work (assigned or in progress), in the task's item order."""
    with store.lock:
        R.load_task(store, task_id)
        docs = R.work(store).find(queue=f"{task_id}{R.SEP}{worker}")
        docs.sort(key=lambda d: d["seq"])
        return copy.deepcopy(docs[: max(0, int(limit))])


def list_work(store: Store, task_id: str, item_id: str, source: str | None = None) -> list[dict]:
    """Copies of every worker's work on one item (all states), by worker id."""
    with store.lock:
        ti = R.find_task_item(store, task_id, item_id, source)
        return copy.deepcopy(sorted(R.work(store).find(ti=ti["id"]), key=lambda d: d["worker"]))


def _change(store: Store, task: dict, ti: dict, work_id: str, fields: dict) -> dict:
    ledger = Ledger(store, task)
    ledger.leave(ti["id"])
    R.work(store).update(work_id, {**fields, "updated_at": R.now()})
    ledger.enter(ti["id"])
    ledger.flush()
    return copy.deepcopy(R.work(store).get(work_id))


def start_work(store: Store, task_id: str, item_id: str, worker: str, source: str | None = None) -> dict:
    """assigned -> in_progress (idempotent when already in progress)."""
    with store.lock:
        task, ti, work = _work_doc(store, task_id, item_id, worker, source)
        if work["state"] == "in_progress":
            return copy.deepcopy(work)
        if work["state"] != "assigned":
            raise InvalidState(f"work is {work['state']}, cannot start")
        return _change(store, task, ti, work["id"], {"state": "in_progress", "started": True})


def submit_work(store: Store, task_id: str, item_id: str, worker: str, labels: list[dict],
                source: str | None = None) -> dict:
    """Submit (or resubmit) labels; the item's state and the task statistics follow at once."""
    clean = _normalize_labels(labels)
    with store.lock:
        task, ti, work = _work_doc(store, task_id, item_id, worker, source)
        if ti["state"] in ("approved", "rejected"):
            raise InvalidState(f"item {item_id!r} is {ti['state']}: labels can no longer change")
        if work["state"] not in ("assigned", "in_progress", "submitted"):
            raise InvalidState(f"work is {work['state']}, cannot submit")
        ledger = Ledger(store, task)
        ledger.leave(ti["id"])
        R.work(store).update(work["id"], {"state": "submitted", "started": True, "labels": clean, "queue": None,
                                          "submitted_at": R.now(), "updated_at": R.now()})
        if ti.get("approvals"):  # a reviewer approved other labels: start the review over
            R.task_items(store).update(ti["id"], {"approvals": []})
        ledger.enter(ti["id"])
        ledger.flush()
        return copy.deepcopy(R.work(store).get(work["id"]))


def skip_work(store: Store, task_id: str, item_id: str, worker: str, source: str | None = None) -> dict:
    """The worker will not label this item; nobody replaces them on it."""
    with store.lock:
        task, ti, work = _work_doc(store, task_id, item_id, worker, source)
        if work["state"] not in OPEN_WORK:
            raise InvalidState(f"work is {work['state']}, cannot skip")
        return _change(store, task, ti, work["id"], {"state": "skipped", "queue": None})


def give_back(store: Store, task_id: str, item_id: str, worker: str, source: str | None = None) -> dict:
    """Return an assignment: another eligible worker (not already on the item) gets it, if any.

    Returns ``{"work": the returned work, "replacement": worker id or None}``.  Without a replacement
    the slot stays open and is counted in the task statistics as ``unassigned``.
    """
    with store.lock:
        task, ti, work = _work_doc(store, task_id, item_id, worker, source)
        if work["state"] not in OPEN_WORK:
            raise InvalidState(f"work is {work['state']}, cannot give it back")
        ledger = Ledger(store, task)
        ledger.leave(ti["id"])
        works = R.work(store)
        works.update(work["id"], {"state": "returned", "queue": None, "updated_at": R.now()})
        assigner = assigner_for(task)
        on_item = [w["worker"] for w in works.find(ti=ti["id"])]
        replacement = assigner.replace(worker, exclude=on_item)
        if replacement is not None:
            works.insert(new_work(ti, replacement))
        R.tasks(store).update(task_id, {"plan": assigner.state()})
        ledger.enter(ti["id"])
        ledger.flush()
        return {"work": copy.deepcopy(works.get(work["id"])), "replacement": replacement}
