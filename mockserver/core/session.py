"""A unit of work: many small moves on one store, read live and counted once (the in-process fast path).

For a caller inside the process that makes thousands of small moves in a row (the worker
simulation: "what can person P do next in task T?", then a submission or a review verdict) the
single calls cost more in bookkeeping than in work: each takes the lock, copies its answer and
writes the task statistics.  A session reads the stored documents themselves and batches the
statistics::

    with core.session(store) as s:            # holds store.lock; flushes the statistics on the way out
        for key in s.open_work(task_id, worker):
            w = s.open_for(key, task_id, worker)
            if w is not None:
                s.submit(task_id, w["item_id"], worker, labels, source=w["source"])
    core.task_stats(store, task_id)           # up to date

Contract
    Writes (``submit``, ``review``) make the same checks, raise the same errors and change the same
    documents, in the order made, as ``submit_work`` and ``review_item``; a refused one changes
    nothing.  They differ in two ways only: they return the LIVE stored document, and the task
    statistics (``core_stats``, acceptance counters) are not written at once but summed in one
    ``Ledger`` per task and written by ``flush()`` -- on leaving the ``with`` block, by the
    session's own statistics read (``task_stats``) and whenever the caller calls it.
    Reads return LIVE stored documents (no copy) or ``None`` when there is none: treat them as
    read-only (change them only through core calls) and do not keep them past the lock.

Invariant
    Once flushed, the statistics are exactly what the single calls would have written (the
    ledger adds each item's contribution difference; ``recount`` agrees).  Until then they lag
    behind the documents: a caller that lets anyone else read (releases ``store.lock``) or reads
    statistics itself by another way (``core.task_stats``, ``core.report``) must flush first.
    Other core calls made while a session has unflushed statistics are fine (differences add up).

Keys
    Task items and work documents have an ``id``, their *key*: the session's reads take those
    keys (from documents or from the queue reads).  They are opaque: never build one.

Use it under ``store.lock`` (``with session:`` takes it; a session is for one thread).  Entering
the block again (or using a session without ``with`` while holding the lock) is fine.

Cost (n: documents in the answer)
    task, item, task_item, work, work_of, acceptance, open_for, reviewable    O(1)
    check_progress                     O(1) for an item nobody follows; else ``core.check_progress``
    open_count, awaiting_review_count                                         O(1) (an index bucket)
    open_work, awaiting_review                                                O(n log n) (sorted keys)
    tasks, task_items, works                                                  O(n)
    submit, review                                  O(workers on the item), no statistics write
    flush                                           O(counters changed) per task touched
    task_stats                                      flush + O(workers + concepts)
"""
from __future__ import annotations

from . import records as R
from .planning import materialise, ready_task
from .errors import InvalidArgument, NotAllowed
from .ledger import Ledger
from .progress import _table as _progress_table, check_progress as _check_progress
from .review import DECISIONS, review_found
from .stats import task_stats as _task_stats
from .work import submit_found

_AWAITING = f"{R.SEP}awaiting_review"
_SEP = R.SEP


class Session:
    """Live reads and statistics-batched writes on one store; see the module docstring."""

    __slots__ = ("store", "_lock", "_tasks", "_items", "_tis", "_work", "_accs", "_stats", "_ledgers", "_follows")

    def __init__(self, store):
        self.store = store
        self._lock = store.lock
        t = R.tables(store)
        self._tasks, self._items, self._tis, self._work, self._accs = (t.tasks, t.items, t.task_items, t.work,
                                                                      t.acceptances)
        self._stats = t.stats
        self._ledgers: dict[str, Ledger] = {}
        self._follows = None  # the followed items (``progress``), looked up by the first ``check_progress``

    # -- the unit of work ------------------------------------------------------------------------------
    def __enter__(self) -> "Session":
        self._lock.acquire()
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.flush()
        finally:
            self._lock.release()

    def flush(self) -> None:
        """Write the statistics of every write made so far (one write per task touched)."""
        ledgers = self._ledgers
        if ledgers:
            with self._lock:
                while ledgers:
                    ledgers.popitem()[1].flush()

    @property
    def pending(self) -> bool:
        """Whether writes of this session wait for ``flush`` to reach the statistics."""
        return bool(self._ledgers)

    # -- documents (live, read-only) -------------------------------------------------------------------
    def task(self, task_id: str) -> dict | None:
        return self._tasks.get(task_id)

    def tasks(self) -> list[dict]:
        """Every task, in creation order."""
        return self._tasks.all()

    def item(self, source: str, item_id: str) -> dict | None:
        """A stored item (``data``, ``ground_truth``...)."""
        return self._items.get(f"{source}{_SEP}{item_id}")  # ``R.item_key``, spelled out (once per event)

    def task_item(self, key: str) -> dict | None:
        return self._tis.get(key)

    def task_items(self, task_id: str) -> list[dict]:
        """The task's items (every state), in the order they joined it."""
        self._ready(task_id)
        return R.find_eq(self._tis, "task_id", task_id)

    def work(self, key: str) -> dict | None:
        return self._work.get(key)

    def work_of(self, task_item_key: str, worker: str) -> dict | None:
        """The worker's work on one task item, whatever its state."""
        return self._work.get(R.work_id(task_item_key, worker))

    def works(self, task_item_key: str) -> list[dict]:
        """Every worker's work on one task item (every state), in the order it was assigned."""
        return R.find_eq(self._work, "ti", task_item_key)

    def acceptance(self, acceptance_id: str) -> dict | None:
        return self._accs.get(acceptance_id)

    # -- what a person can do next -------------------------------------------------------------------
    # The key lists are snapshots in item order; the documents change under them (work is
    # submitted, items settle), so re-check an entry when you get to it with ``open_for`` /
    # ``reviewable`` (O(1)) instead of asking for the list again.
    def open_count(self, task_id: str, worker: str) -> int:
        """How much work of the worker in the task is open (assigned or in progress)."""
        n = self._work.count_eq("queue", f"{task_id}{_SEP}{worker}")
        if not n:
            task = self._tasks.get(task_id)
            if task is not None and task.get("pending"):
                # Promised work (``planning.defer_items``) is all open, nobody has begun any: the count
                # is the worker's ``assigned`` figure, read without writing the task's documents (a
                # simulated person asks this of every task it is in, and works on few of them).
                counts = (self._stats.get(task_id) or {}).get("workers", {}).get(worker) or {}
                return counts.get("assigned", 0)
        return n

    def open_work(self, task_id: str, worker: str) -> list[str]:
        """Keys of the worker's open work in the task, in item order (``next_assignments``, uncut)."""
        self._ready(task_id)
        coll = self._work
        docs = R.find_eq(coll, "queue", f"{task_id}{R.SEP}{worker}")
        docs.sort(key=_seq)
        return [d["id"] for d in docs]

    def open_for(self, key: str, task_id: str, worker: str) -> dict | None:
        """The work ``key`` if it is still open work of ``worker`` in ``task_id``, else None."""
        w = self._work.get(key)
        if w is None or w.get("queue") != f"{task_id}{_SEP}{worker}":
            return None
        return w

    def awaiting_review_count(self, task_id: str) -> int:
        """How many items of the task await review (by anyone)."""
        return self._tis.count_eq("tstate", task_id + _AWAITING)

    def awaiting_review(self, task_id: str) -> list[str]:
        """Keys of the task's items awaiting review, in item order -- every one, including those a
        given reviewer already approved (``reviewable`` tells, when you get to it)."""
        docs = R.find_eq(self._tis, "tstate", task_id + _AWAITING)
        docs.sort(key=_seq)
        return [d["id"] for d in docs]

    def reviewable(self, key: str, task_id: str, reviewer: str) -> dict | None:
        """The task item ``key`` if it still awaits review in ``task_id`` and ``reviewer`` has not
        approved it yet, else None.  (Whether ``reviewer`` reviews the task is ``review``'s check.)"""
        ti = self._tis.get(key)
        if ti is None or ti.get("tstate") != task_id + _AWAITING or reviewer in (ti.get("approvals") or ()):
            return None
        return ti

    def _ready(self, task_id: str) -> bool:
        """Write the task's promised documents (``planning.defer_items``), if any; whether there were."""
        task = self._tasks.get(task_id)
        if task is None or not task.get("pending"):
            return False
        with self._lock:
            materialise(self.store, task)
        return True

    # -- progress of followed items --------------------------------------------------------------------
    def check_progress(self, key: str) -> int:
        """``core.check_progress(store, key)`` for the task item ``key``: the same events, and for an
        item nobody follows (the usual case) one read, no more."""
        follows = self._follows
        if follows is None:
            follows = self._follows = _progress_table(self.store)
        if follows.get(key) is None:
            return 0
        return _check_progress(self.store, key)

    # -- writes (statistics batched) -------------------------------------------------------------------
    def _ledger(self, task: dict) -> Ledger:
        ledger = self._ledgers.get(task["id"])
        if ledger is None:
            ledger = self._ledgers[task["id"]] = Ledger(self.store, task)
        return ledger

    def _find(self, task_id: str, item_id: str, source: str | None) -> tuple[dict, dict]:
        """The task and task-item documents, or the core's usual ``NotFound`` (one get each when
        ``source`` is given, as the single calls do)."""
        task = ready_task(self.store, task_id)  # raises NotFound
        # ``R.ti_id(task_id, R.item_key(source, item_id))``, spelled out on the per-event path
        ti = self._tis.get(f"{task_id}{R.SEP}{source}{R.SEP}{item_id}") if source is not None else None
        if ti is None:
            ti = R.find_task_item(self.store, task_id, item_id, source, task)
        return task, ti

    def submit(self, task_id: str, item_id: str, worker: str, labels: list[dict],
               source: str | None = None) -> dict:
        """``submit_work`` with the statistics batched; returns the LIVE work document."""
        with self._lock:
            # ``_find``, spelled out (a submission per simulated event): one get each for the usual case
            task = self._tasks.get(task_id)
            ti = self._tis.get(f"{task_id}{_SEP}{source}{_SEP}{item_id}") if source is not None else None
            if task is None or ti is None:
                task, ti = self._find(task_id, item_id, source)
            work = self._work.get(f"{ti['id']}{_SEP}{worker}")  # ``R.work_id``
            if work is None:
                raise NotAllowed(f"worker {worker!r} is not assigned item {item_id!r} in task {task_id!r}")
            ledger = self._ledgers.get(task_id)
            if ledger is None:
                ledger = self._ledger(task)
            return submit_found(self.store, task, ti, work, labels, ledger)

    def review(self, task_id: str, item_id: str, reviewer: str, decision: str, comment: str | None = None,
               source: str | None = None, score=None) -> dict:
        """``review_item`` with the statistics batched; returns the LIVE task item."""
        if decision not in DECISIONS:
            raise InvalidArgument(f"decision must be one of {', '.join(DECISIONS)}")
        with self._lock:
            task = ready_task(self.store, task_id)
            if reviewer not in task["review"]["reviewers"]:
                raise NotAllowed(f"{reviewer!r} is not a reviewer of task {task_id!r}")
            ti = R.find_task_item(self.store, task_id, item_id, source, task)
            return review_found(self.store, task, ti, reviewer, decision, self._ledger(task), comment, score)

    # -- statistics ------------------------------------------------------------------------------------
    def task_stats(self, task_id: str) -> dict:
        """``core.task_stats`` (a filled-in copy) after writing this session's pending statistics."""
        with self._lock:
            self.flush()
            return _task_stats(self.store, task_id)


def _seq(doc: dict) -> int:
    return doc["seq"]


def session(store) -> Session:
    """A new unit of work on ``store`` (see ``Session``); use it as ``with core.session(store) as s:``."""
    return Session(store)
