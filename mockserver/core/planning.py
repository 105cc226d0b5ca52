"""Putting items into a task and taking them out (internal; used by tasks, items and work).

The assignment plan of a task (``task["plan"]``, see ``assignment.Assigner``) advances only when an
item joins or leaves, so items added later extend the plan without moving earlier assignments.

Re-planning (``replan``, after ``tasks.update_task_workers``) never takes work away from anyone
who has begun it.  Work that is ``in_progress``, ``submitted`` or ``skipped`` stays exactly as it
is, even when it now exceeds the item's plan: lowering ``workers_per_input`` (a Clarifai PATCH of
a task's ``partitioned_strategy_info``) only changes the *unstarted* (``assigned``) slots, so an
item two workers had started before ``workers_per_input`` went from 2 to 1 keeps both of them
(two holders, ``slots`` 1) and no label in progress is destroyed.  The invariant after any
sequence of operations is therefore, for every open item (no decision, not awaiting review)::

    unstarted assignments <= max(0, slots - kept work)    kept: in_progress, submitted, skipped
                                                          (under FULL: of current workers only)

Unstarted assignments only ever belong to current workers, and the started, submitted or skipped
work of a worker still on the task survives every re-plan unchanged (so does that of a removed
worker: it still fills one of the item's slots).  ``tests/core/test_core_properties.py`` and
``tests/core/test_core_replan.py`` check exactly this.
"""
from __future__ import annotations

import contextlib
import gc

from . import records as R
from .assignment import Assigner
from .ledger import Ledger


def assigner_for(task: dict, fresh: bool = False) -> Assigner:
    a = task["assignment"]
    return Assigner(task["workers"], strategy=a["strategy"], mode=a["mode"],
                    workers_per_input=a["workers_per_input"], weights=a.get("weights") or None,
                    seed=task.get("seed", 0), state=None if fresh else task.get("plan"))


def matches_filter(item: dict, item_filter: dict | None) -> bool:
    if not item_filter:
        return True
    data = item.get("data") or {}
    for field, wanted in item_filter.items():
        value = data
        for part in str(field).split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value != wanted:
            return False
    return True


def new_work(ti: dict, worker: str, t: float | None = None) -> dict:
    t = R.now() if t is None else t
    # ``ti`` is the task item's own id object, shared by its works (one string, not one per work)
    return R.work_doc(R.work_id(ti["id"], worker), ti["task_id"], ti["id"], ti["source"], ti["item_id"], worker,
                      ti["seq"], R.shared_key(ti["task_id"], worker), t)


@contextlib.contextmanager
def gc_paused(n: int):
    """Hold the cyclic garbage collector during a bulk build of ``n`` documents.

    Creating hundreds of thousands of dicts triggers full collections that walk every live object
    again and again (a third of the time of a 100k-item task); the documents hold no cycles, so
    nothing is lost by collecting once afterwards, as Python then does on its own.
    """
    if n < 500 or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def attach_items(store, task: dict, item_docs: list[dict]) -> int:
    """Add items (``core_items`` docs) to ``task``: plan their workers, create work, count them.

    A new item's statistics contribution is known without deriving it (nobody has worked on it:
    ``unlabeled``, one ``assigned`` per worker, open slots ``unassigned``), so the whole batch is
    built in memory, inserted at once and counted with one stats write: O(items x k).
    """
    t = R.tables(store)
    tis, works = t.task_items, t.work
    assigner = assigner_for(task)
    ledger = Ledger(store, task)
    seq = task.get("next_seq", 0)
    task_id = task["id"]
    k = assigner.k
    unlabeled = R.shared_key(task_id, "unlabeled")
    now = R.now()
    new_tis: list[dict] = []
    new_works: list[dict] = []
    seen: set = set()
    assigned: dict = {}
    unassigned = 0
    stored = R.getter(tis)
    assign = assigner.assign
    sep = R.SEP
    queues: dict = {}  # worker -> the shared task|worker key (``new_work``'s ``queue``)
    task_item_doc, work_doc = R.task_item_doc, R.work_doc
    with gc_paused(len(item_docs) * (1 + k)):
        for item in item_docs:
            key = item["id"]
            tid = f"{task_id}{sep}{key}"
            if tid in seen or stored(tid) is not None:
                continue
            seen.add(tid)
            source, item_id = item["source"], item["item_id"]
            # compact dicts (``records.task_item_doc``/``work_doc``): same keys, order and values as literals
            new_tis.append(task_item_doc(tid, task_id, key, source, item_id, f"{task_id}{sep}{item_id}", seq, k,
                                         unlabeled, now))
            chosen = assign(tid)
            for worker in chosen:
                # ``new_work(ti, worker, now)``, inlined: this runs for every assignment of a new task
                queue = queues.get(worker)
                if queue is None:
                    queue = queues[worker] = R.shared_key(task_id, worker)
                new_works.append(work_doc(f"{tid}{sep}{worker}", task_id, tid, source, item_id, worker, seq, queue,
                                          now))
                assigned[worker] = assigned.get(worker, 0) + 1
            seq += 1
            if k > len(chosen):
                unassigned += k - len(chosen)
        R.insert_many(tis, new_tis)
        R.insert_many(works, new_works)
    added = len(new_tis)
    if added:
        # The sum of ``ledger.contribution`` over the new items (tests check it against ``recount``).
        ledger.add(("total",), added)
        ledger.add(("states", "unlabeled"), added)
        for worker, n in assigned.items():
            ledger.add(("workers", worker, "assigned"), n)
        if unassigned:
            ledger.add(("unassigned",), unassigned)
    ledger.flush()
    R.tasks(store).update(task_id, {"plan": assigner.state(), "next_seq": seq, "updated_at": R.now()})
    return added


def detach_item(store, task: dict, tid: str) -> None:
    """Remove one item from ``task`` with its work, releasing its share of the plan."""
    works = R.work(store)
    ledger = Ledger(store, task)
    ledger.leave(tid)
    held = []
    for w in R.find_eq(works, "ti", tid):
        if w["state"] != "returned":
            held.append(w["worker"])
        works.remove(w["id"])
    R.task_items(store).remove(tid)
    ledger.flush()
    assigner = assigner_for(task)
    assigner.release(held)
    R.tasks(store).update(task["id"], {"plan": assigner.state(), "updated_at": R.now()})


def replan(store, task: dict) -> None:
    """Re-plan unstarted work after the workers or the assignment settings changed.

    Work already started, submitted or skipped stays (and counts in the new loads); for each item
    still open, the not-yet-started assignments are recomputed: kept when the worker is chosen again,
    dropped otherwise, new ones created.  Settled items (approved/rejected/awaiting review) keep their
    workers.  Workers who gave an item back are not given it again.  O(items in task).
    """
    tis, works = R.task_items(store), R.work(store)
    assigner = assigner_for(task, fresh=True)
    ledger = Ledger(store, task)
    docs = sorted(R.find_eq(tis, "task_id", task["id"]), key=lambda d: d["seq"])
    for ti in docs:
        tid = ti["id"]
        ledger.leave(tid)
        current = R.find_eq(works, "ti", tid)
        kept = [w["worker"] for w in current if w["state"] in ("in_progress", "submitted", "skipped")]
        unstarted = {w["worker"]: w for w in current if w["state"] == "assigned"}
        returned = [w["worker"] for w in current if w["state"] == "returned"]
        settled = ti.get("decision") is not None or ti["state"] == "awaiting_review"
        # Under FULL every current worker gets every open item; otherwise work kept by anyone (even a
        # worker since removed) fills one of the item's k slots.
        holders = [w for w in kept if w in assigner.loads] if assigner.strategy == "full" else kept
        need = 0 if settled else max(0, assigner.k - len(holders))
        chosen = assigner.assign(tid, existing=kept, exclude=returned, need=need)
        for worker, doc in unstarted.items():
            if worker not in chosen:
                works.remove(doc["id"])
        for worker in chosen:
            if worker not in unstarted:
                works.insert(new_work(ti, worker))
        if ti.get("slots") != assigner.k:
            tis.update(tid, {"slots": assigner.k})
        ledger.enter(tid)
    ledger.flush()
    R.tasks(store).update(task["id"], {"plan": assigner.state(), "updated_at": R.now()})
