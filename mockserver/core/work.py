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
from .ledger import ACTIVE_WORK, OPEN_WORK, Ledger
from .planning import assigner_for, gc_paused, new_work, ready_task


def _normalize_labels(labels) -> list[dict]:
    if labels.__class__ is list:
        shared = R.shared_concepts(labels)  # concept-only labels (the common case): the shared list at once
        if shared is not None:
            return shared
    elif not isinstance(labels, list):
        raise InvalidArgument("labels must be a list")
    out = []
    for label in labels:
        if not isinstance(label, dict) or not isinstance(label.get("concept"), str) or not label["concept"]:
            raise InvalidArgument("every label needs a string 'concept'")
        if len(label) == 1:  # just the concept (the common case): nothing else to check
            out.append({"concept": label["concept"]})
            continue
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
    return R.shared_labels(out)  # one shared list for the common concept-only labels (``records``)


def _work_doc(store: Store, task_id: str, item_id: str, worker: str, source: str | None,
              task: dict | None = None) -> tuple[dict, dict, dict]:
    task = task or ready_task(store, task_id)
    ti = R.find_task_item(store, task_id, item_id, source, task)
    work = R.work(store).get(R.work_id(ti["id"], worker))
    if work is None:
        raise NotAllowed(f"worker {worker!r} is not assigned item {item_id!r} in task {task_id!r}")
    return task, ti, work


def next_assignments(store: Store, task_id: str, worker: str, limit: int = 10) -> list[dict]:
    """Copies of the worker's open work (assigned or in progress), in the task's item order."""
    with store.lock:
        ready_task(store, task_id)
        docs = R.find_eq(R.work(store), "queue", f"{task_id}{R.SEP}{worker}")
        docs.sort(key=lambda d: d["seq"])
        return R.clone_all(docs[: max(0, int(limit))])


def list_work(store: Store, task_id: str, item_id: str, source: str | None = None) -> list[dict]:
    """Copies of every worker's work on one item (all states), by worker id."""
    with store.lock:
        ti = R.find_task_item(store, task_id, item_id, source)
        return R.clone_all(sorted(R.find_eq(R.work(store), "ti", ti["id"]), key=lambda d: d["worker"]))


def list_task_work(store: Store, task_id: str) -> list[dict]:
    """Copies of every work document of one task (all items, all states). O(work of the task)."""
    with store.lock:
        ready_task(store, task_id)
        return R.clone_all(R.find_eq(R.work(store), "task_id", task_id))


def _change(store: Store, task: dict, ti: dict, work_id: str, fields: dict) -> dict:
    ledger = Ledger(store, task)
    works = ledger.leave(ti["id"], ti)
    doc = R.work(store).update(work_id, {**fields, "updated_at": R.now()})
    ledger.enter(ti["id"], works)
    ledger.flush()
    return R.clone(doc)


def start_work(store: Store, task_id: str, item_id: str, worker: str, source: str | None = None) -> dict:
    """assigned -> in_progress (idempotent when already in progress)."""
    with store.lock:
        task, ti, work = _work_doc(store, task_id, item_id, worker, source)
        if work["state"] == "in_progress":
            return R.clone(work)
        if work["state"] != "assigned":
            raise InvalidState(f"work is {work['state']}, cannot start")
        return _change(store, task, ti, work["id"], {"state": "in_progress", "started": True})


def submit_work(store: Store, task_id: str, item_id: str, worker: str, labels: list[dict],
                source: str | None = None) -> dict:
    """Submit (or resubmit) labels; the item's state and the task statistics follow at once."""
    with store.lock:
        task, ti, work = _work_doc(store, task_id, item_id, worker, source)
        return R.clone(submit_found(store, task, ti, work, labels))


def submit_found(store: Store, task: dict, ti: dict, work: dict, labels: list[dict],
                 ledger: Ledger | None = None) -> dict:
    """``submit_work`` for a caller that has just read the task, task-item and work documents (live,
    under ``store.lock``): the same checks and effect; returns the LIVE work document (never mutate it).

    ``ledger``: a ``Ledger`` of this task kept by the caller across many calls (``session.Session``):
    the statistics are then written when the caller flushes it, which it must do before anything
    reads them; without one they are written at once."""
    clean = _normalize_labels(labels)
    _check_submit(ti, work, ti["item_id"])
    if ledger is not None and ledger.task is not task:
        ledger.flush()  # the task document was replaced: derive with the current one
        ledger.task = task
    return _submit(store, task, ti, work, clean, ledger)


def _submit(store: Store, task: dict, ti: dict, work: dict, clean: list[dict], ledger: Ledger | None = None) -> dict:
    """Record a submission (checks done by the caller); flushes unless a batch ``ledger`` is given."""
    own = ledger is None
    if own:
        ledger = Ledger(store, task)
    t = R.now()
    # A reviewer approved other labels: start the review over.
    ledger.change_work(ti, work, {"state": "submitted", "started": True, "labels": clean, "queue": None,
                                  "submitted_at": t, "updated_at": t},
                       {"approvals": []} if ti.get("approvals") else None)
    if own:
        ledger.flush()
    return work


def _check_submit(ti: dict, work: dict, item_id: str) -> None:
    if ti["state"] in ("approved", "rejected"):
        raise InvalidState(f"item {item_id!r} is {ti['state']}: labels can no longer change")
    if work["state"] not in ACTIVE_WORK:  # assigned, in progress or already submitted (a resubmission)
        raise InvalidState(f"work is {work['state']}, cannot submit")


def submit_many(store: Store, task_id: str, submissions, source: str | None = None) -> list[dict]:
    """Submit many labelings of one task at once: ``[(item_id, worker, labels), ...]``.

    Same effect, in order, as calling ``submit_work`` for each, but under one hold of the lock and
    with one statistics write for the whole batch.  All-or-nothing: every submission is checked
    before any is written (the same errors as ``submit_work``; an (item, worker) pair twice in one
    batch is an ``InvalidArgument``).  Returns copies of the work documents, in order.
    """
    batch = [(str(item_id), str(worker), _normalize_labels(labels)) for item_id, worker, labels in submissions]
    with store.lock:
        task = ready_task(store, task_id)
        found, seen = [], set()
        for item_id, worker, clean in batch:
            _, ti, work = _work_doc(store, task_id, item_id, worker, source, task)
            _check_submit(ti, work, item_id)
            if work["id"] in seen:
                raise InvalidArgument(f"worker {worker!r} submits item {item_id!r} twice in one batch")
            seen.add(work["id"])
            found.append((ti["id"], work["id"], clean))
        # Without repeated pairs no submission can settle an item another one of the batch still
        # needs open (an item settles only once all its workers submitted), so the checks hold.
        ledger = Ledger(store, task)
        tis, works = R.task_items(store), R.work(store)
        out = []
        try:
            with gc_paused(len(found)):
                for tid, wid, clean in found:
                    out.append(_submit(store, task, tis.get(tid), works.get(wid), clean, ledger))
        finally:
            ledger.flush()  # whatever was written is counted
        return R.clone_all(out)


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
        on_item = [w["worker"] for w in R.find_eq(works, "ti", ti["id"])]
        replacement = assigner.replace(worker, exclude=on_item)
        if replacement is not None:
            works.insert(new_work(ti, replacement))
        R.tasks(store).update(task_id, {"plan": assigner.state()})
        ledger.enter(ti["id"])
        ledger.flush()
        return {"work": R.clone(works.get(work["id"])), "replacement": replacement}
