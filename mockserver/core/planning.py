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


def gc_paused(n: int):
    """Hold the cyclic garbage collector during a bulk build of ``n`` documents.

    Creating hundreds of thousands of dicts triggers full collections that walk every live object
    again and again (a third of the time of a 100k-item task); the documents hold no cycles, so
    nothing is lost by collecting once afterwards, as Python then does on its own. Below 500 documents
    nothing is held, and the context is one shared do-nothing object (single calls, e.g. a CloudFactory
    submit, enter three of these).
    """
    if n < 500 or not gc.isenabled():
        return _NOTHING_HELD
    return _gc_held()


_NOTHING_HELD = contextlib.nullcontext()


@contextlib.contextmanager
def _gc_held():
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
    task = materialise(store, task)
    return _place(store, task, item_docs, build=True)


def defer_items(store, task: dict, item_docs: list[dict]) -> int:
    """``attach_items`` for a task just created: the same plan and the same statistics, but the task-item
    and work documents are only *promised*: the task keeps the items' keys in ``pending`` and
    ``materialise`` writes the documents when something first reads or changes them.

    Why: most tasks made through an API are never opened by anyone (a test suite's thousands of
    throw-away tasks, a growth bench's 100k tasks of 20 samples each), and their documents were
    four fifths of the memory and half the time of a create.  What readers see does not change:
    the statistics are counted now, and the documents, when made, are exactly those ``attach_items``
    would have made at creation (same plan, same sequence numbers, same timestamps).
    """
    if task.get("next_seq") or task.get("pending"):  # it holds items already: written at once, as ever
        return attach_items(store, task, item_docs)
    return _place(store, task, item_docs, build=False)


def materialise(store, task: dict) -> dict:
    """Write the promised documents of ``task`` (``defer_items``); returns the live task document.
    A no-op for a task with nothing pending: callers check nothing first."""
    if not task.get("pending"):
        return task
    tasks = R.tasks(store)
    task = tasks.get(task["id"]) or task  # (the live document: ``task`` may be a copy)
    pending = task.get("pending")
    if not pending:
        return task
    item_docs = _promised_items(store, pending)
    # Replay the plan from where it stood at creation: the assigner is deterministic, so every item
    # gets the workers it was counted for.  The task document stays the same object (fields set to
    # None, not dropped), so a caller holding it never holds a stale one.
    task = tasks.update(task["id"], {"plan": pending["plan"], "next_seq": pending["seq"], "pending": None,
                                     "lazy": None})
    _place(store, task, item_docs, build=True, count=False, t=pending["at"])
    return task


def _promised_items(store, pending: dict) -> list[dict]:
    """The item documents a task's promise names, in its order (removing an item writes out first every
    task promised it, so none is missing)."""
    docs = R.items(store).getter()
    return [d for d in map(docs, pending["keys"]) if d is not None]


def ready_task(store, task_id: str, tenant: str | None = None) -> dict:
    """``records.load_task`` with the task's promised documents written (``materialise``): for every
    operation that reads or changes its task items or work."""
    return materialise(store, R.load_task(store, task_id, tenant))


def write_promised(store, task_id: str | None = None) -> int:
    """Write the promised documents of ``task_id`` (``NotFound`` if missing), or of every task, now: for a
    caller about to work on them (the headless simulation writes them with the rest of its set-up, while
    the garbage collector is off).  Returns how many tasks had documents to write."""
    with store.lock:
        if task_id is not None:
            todo = [R.load_task(store, task_id)]
        else:
            todo = R.tasks(store).find_eq("lazy", True)
        written = 0
        for task in todo:
            if task.get("pending"):
                materialise(store, task)
                written += 1
        return written


def materialise_holding(store, key: str) -> None:
    """Write the promised documents of every task that holds the item ``key`` without them yet."""
    for task in R.tasks(store).find_eq("lazy", True):
        if key in task["pending"]["keys"]:
            materialise(store, task)


class _Planned:
    """What planning a batch of items into a task made (``_plan``)."""

    __slots__ = ("tis", "works", "keys", "assigned", "unassigned", "seq", "plan")

    def __init__(self):
        self.tis: list[dict] = []  # new task-item documents (when built)
        self.works: list[dict] = []  # new work documents (when built)
        self.keys: list[str] = []  # the new items' keys (when not built)
        self.assigned: dict = {}  # worker -> new assignments
        self.unassigned = 0  # new open slots
        self.seq = 0  # the task's next sequence number after the batch
        self.plan: dict = {}  # the task's plan after the batch


def _plan(task: dict, item_docs: list[dict], build: bool, now: float, stored=None) -> _Planned:
    """Plan ``item_docs`` into ``task`` from its ``plan`` and ``next_seq``, skipping items it holds
    (``stored(task_item_id)`` not None) or met twice; with ``build``, make their task-item and work
    documents (compact dicts, see ``records``), else only note their keys.  Pure: nothing is written."""
    out = _Planned()
    assigner = assigner_for(task)
    seq = task.get("next_seq", 0)
    task_id = task["id"]
    k = assigner.k
    unlabeled = R.shared_key(task_id, "unlabeled")
    new_tis, new_works, keys, assigned = out.tis, out.works, out.keys, out.assigned
    seen: set = set()
    unassigned = 0
    assign = assigner.assign
    sep = R.SEP
    queues: dict = {}  # worker -> the shared task|worker key (``new_work``'s ``queue``)
    task_item_doc, work_doc = R.task_item_doc, R.work_doc
    if not build and assigner.takes_all and stored is None:
        # every worker on every item of a task holding none yet: count, no choices to make
        keys.extend(dict.fromkeys(item["id"] for item in item_docs))
        assigner.assign_all(len(keys))
        for worker in assigner.workers:
            assigned[worker] = len(keys)
        out.seq, out.plan = seq + len(keys), assigner.state()
        return out
    with gc_paused(len(item_docs) * (1 + k) if build else 0):
        for item in item_docs:
            key = item["id"]
            tid = f"{task_id}{sep}{key}"
            if tid in seen or (stored is not None and stored(tid) is not None):
                continue
            seen.add(tid)
            chosen = assign(tid)
            if build:
                source, item_id = item["source"], item["item_id"]
                new_tis.append(task_item_doc(tid, task_id, key, source, item_id, f"{task_id}{sep}{item_id}", seq, k,
                                             unlabeled, now))
                for worker in chosen:
                    # ``new_work(ti, worker, now)``, inlined: this runs for every assignment of a new task
                    queue = queues.get(worker)
                    if queue is None:
                        queue = queues[worker] = R.shared_key(task_id, worker)
                    new_works.append(work_doc(f"{tid}{sep}{worker}", task_id, tid, source, item_id, worker, seq,
                                              queue, now))
            else:
                keys.append(key)
            for worker in chosen:
                assigned[worker] = assigned.get(worker, 0) + 1
            seq += 1
            if k > len(chosen):
                unassigned += k - len(chosen)
    out.unassigned, out.seq, out.plan = unassigned, seq, assigner.state()
    return out


def _place(store, task: dict, item_docs: list[dict], build: bool, count: bool = True,
           t: float | None = None) -> int:
    """Plan ``item_docs`` into ``task`` (``_plan``), update its plan and, with ``build``, insert their
    task-item and work documents (else promise them: ``defer_items``); with ``count``, add their
    statistics.  Returns how many items were new."""
    t_ = R.tables(store)
    start_seq, start_plan = task.get("next_seq", 0), task.get("plan")
    now = R.now() if t is None else t
    # (a promise is only made for a task holding no items: nothing stored to skip)
    done = _plan(task, item_docs, build, now, R.getter(t_.task_items) if build else None)
    if build:
        with gc_paused(len(done.tis) + len(done.works)):
            R.insert_many(t_.task_items, done.tis)
            R.insert_many(t_.work, done.works)
    added = done.seq - start_seq
    ledger = Ledger(store, task)
    if added and count:
        # The sum of ``ledger.contribution`` over the new items (tests check it against ``recount``).
        ledger.add(("total",), added)
        ledger.add(("states", "unlabeled"), added)
        for worker, n in done.assigned.items():
            ledger.add(("workers", worker, "assigned"), n)
        if done.unassigned:
            ledger.add(("unassigned",), done.unassigned)
    ledger.flush()
    fields = {"plan": done.plan, "next_seq": done.seq}
    if count:
        fields["updated_at"] = R.now()
    if done.keys:
        fields["pending"] = {"keys": done.keys, "plan": start_plan, "seq": start_seq, "at": now}
        fields["lazy"] = True
        store.add_export_view(_export_promised)
    R.tasks(store).update(task["id"], fields)
    return added


def _export_promised(store, data: dict) -> dict:
    """``Store.export``'s view of the core's tables (registered by the first promise): every promised
    document written out as ``materialise`` would write it, and no trace of the promise, so an exported
    state is the same whether or not anything read a task before (the store itself stays as it is).
    Loading such a state makes every document at once."""
    tasks = data.get("core_tasks") or []
    tis, works = data.setdefault("core_task_items", []), data.setdefault("core_work", [])
    for task in tasks:
        pending = task.pop("pending", None)
        task.pop("lazy", None)
        if pending:
            start = {**task, "plan": pending["plan"], "next_seq": pending["seq"]}
            done = _plan(start, _promised_items(store, pending), True, pending["at"])
            tis.extend(R.clone_all(done.tis))
            works.extend(R.clone_all(done.works))
    # Grouped by task, in the tasks' order (each task's own in the order made, as stored): the order
    # of an export does not depend on when a task's documents were written.
    order = {task["id"]: n for n, task in enumerate(tasks)}
    for name in ("core_task_items", "core_work"):
        if data[name]:
            data[name].sort(key=lambda d: order.get(d["task_id"], -1))
        else:
            del data[name]  # (an empty table is left out of an export)
    return data


def detach_item(store, task: dict, tid: str) -> None:
    """Remove one item from ``task`` with its work, releasing its share of the plan."""
    task = materialise(store, task)
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
    task = materialise(store, task)
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
