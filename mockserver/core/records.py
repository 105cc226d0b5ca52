"""Tables of the core and how their document ids are built.

All tables are prefixed ``core_``.  Ids join their parts with ``|`` (sources and item ids are
expected not to contain it; adapters build sources such as ``clarifai:app:USER/APP``).
"""
from __future__ import annotations

import sys

from mockserver.jsonvalues import copy_json

from mockserver.store import Store

from .clock import _event_time, now as _clock_now
from .errors import NotFound

SEP = "|"

ITEMS = "core_items"            # id = source|item_id
TASKS = "core_tasks"            # id = task id (adapters namespace it)
FOLLOWS = "core_follows"        # id = source|task_id: tasks extended when the source grows
TASK_ITEMS = "core_task_items"  # id = task_id|source|item_id: an item's life inside one task
WORK = "core_work"              # id = task_id|source|item_id|worker: one worker's assignment
STATS = "core_stats"            # id = task id: incrementally kept counters
ACCEPTANCES = "core_acceptances"  # id = acceptance id (ModelArts checking task)


class _Tables:
    """The core's collections of one store, looked up once (``store.table`` re-checks indexes per call)."""

    __slots__ = ("items", "tasks", "follows", "task_items", "work", "stats", "acceptances", "stats_cache",
                 "counters_version")

    def __init__(self, store: Store):
        self.items = store.table(ITEMS, indexes=("source",))
        self.tasks = store.table(TASKS, indexes=("tenant", "lazy"))  # lazy: ``planning.defer_items``
        self.follows = store.table(FOLLOWS, indexes=("source", "task_id"))
        # ``tstate`` (task|state) serves review queues; ``task_item`` (task|item_id) finds an item by its
        # vendor id alone; ``item_key`` finds every task holding an item when it is removed.
        self.task_items = store.table(TASK_ITEMS, indexes=("task_id", "item_key", "tstate", "task_item"))
        # ``queue`` (task|worker) is set only while the work is open, so a worker's queue is O(open work).
        # (No index on ``worker``: nothing asks for a worker's work across tasks, and one cost a bucket entry
        # per assignment, ~15 MiB and a tenth of a second of seeding at 300k assignments.)
        self.work = store.table(WORK, indexes=("task_id", "ti", "queue"))
        self.stats = store.table(STATS)
        self.acceptances = store.table(ACCEPTANCES, indexes=("task_id",))
        self.stats_cache: dict = {}  # task id -> (stats doc, version, workers, reviewers, view): see stats
        self.counters_version = 0  # bumped by every in-place change of a counters document


def tables(store: Store) -> _Tables:
    """The core's collections of ``store``, kept with the store (``Store.extension``).

    A store keeps its ``Collection`` objects for its whole life (``load``/``clear`` rebuild their
    contents, not the objects), so they never go stale.
    """
    return store.extension("core_tables", _Tables)


def bump_counters(coll) -> None:
    """Note an in-place change of a counters document (see ``ledger.apply_diff``)."""
    tables(coll.store).counters_version += 1


def items(store: Store):
    return tables(store).items


def tasks(store: Store):
    return tables(store).tasks


def follows(store: Store):
    return tables(store).follows


def task_items(store: Store):
    return tables(store).task_items


def work(store: Store):
    return tables(store).work


def stats(store: Store):
    return tables(store).stats


def acceptances(store: Store):
    return tables(store).acceptances


clone = copy_json  # a copy of a stored document for a caller (see mockserver.jsonvalues)


def clone_all(docs) -> list:
    return [clone(d) for d in docs]


def find_eq(coll, field: str, value) -> list[dict]:
    """``coll.find(**{field: value})`` from the index bucket (``Collection.find_eq``)."""
    return coll.find_eq(field, value)


def count_eq(coll, field: str, value) -> int:
    """``coll.count(**{field: value})``, O(1) for an indexed field (``Collection.count_eq``)."""
    return coll.count_eq(field, value)




def insert_many(coll, docs: list[dict]) -> None:
    """Insert fresh documents (built by the core, not shared with anyone) into ``coll`` at once: the
    store's bulk insert (all or nothing; a taken id raises ``DuplicateId`` as ``insert`` does)."""
    coll.insert_many(docs)


# -- compact documents ---------------------------------------------------------------------------------
# A big task holds one task-item document per item and one work document per assignment: hundreds of
# thousands of dicts with the same keys in the same order.  A dict literal of 14 keys takes 464 bytes
# (a hash table sized for 21); the ``__dict__`` of an instance of a class takes the class's *shared*
# keys and only a values array (CPython's key-sharing dicts, PEP 412): ~190 bytes for the same 14
# keys.  The builders below make the documents that way.  What they return is an ordinary ``dict``
# (``type(d) is dict``), with the same keys in the same order, equal to the literal: JSON, copies,
# ``update`` of existing keys, ``pop`` all behave as for any dict (CPython turns it into an ordinary
# combined table by itself if it ever needs to, e.g. when a key outside the shared ones is added).

class _WorkDoc:
    __slots__ = ("__dict__",)

    def __init__(self, id, task_id, ti, source, item_id, worker, state, started, labels, seq, queue,
                 created_at, updated_at, submitted_at):
        self.id = id
        self.task_id = task_id
        self.ti = ti
        self.source = source
        self.item_id = item_id
        self.worker = worker
        self.state = state
        self.started = started
        self.labels = labels
        self.seq = seq
        self.queue = queue
        self.created_at = created_at
        self.updated_at = updated_at
        self.submitted_at = submitted_at


# The empty ``credited``/``approvals``/``reviews`` of every new task item: one list object for all (168
# bytes an item).  Safe because stored documents are never changed in place: the core replaces these
# fields with new lists (``ti["reviews"] + [verdict]``), as every reader of a live document must.
_NONE_YET: list = []


class _TaskItemDoc:
    __slots__ = ("__dict__",)

    def __init__(self, id, task_id, item_key, source, item_id, task_item, seq, slots, tstate, now):
        self.id = id
        self.task_id = task_id
        self.item_key = item_key
        self.source = source
        self.item_id = item_id
        self.task_item = task_item
        self.seq = seq
        self.slots = slots
        self.state = "unlabeled"
        self.tstate = tstate
        self.decision = None
        self.credited = _NONE_YET  # shared, never changed in place (see ``_NONE_YET``)
        self.approvals = _NONE_YET
        self.reviews = _NONE_YET
        self.changes_requested = False
        self.winner = None
        self.acceptance = None
        self.created_at = now
        self.updated_at = now


class _ItemDoc:
    __slots__ = ("__dict__",)

    def __init__(self, id, source, item_id, data, ground_truth, created_at):
        self.id = id
        self.source = source
        self.item_id = item_id
        self.data = data
        self.ground_truth = ground_truth
        self.created_at = created_at


class _WinnerDoc:
    __slots__ = ("__dict__",)

    def __init__(self, worker, workers, labels):
        self.worker = worker
        self.workers = workers
        self.labels = labels


def winner_doc(worker, workers, labels) -> dict:
    """A task item's consensus ``winner``: ``{"worker", "workers", "labels"}`` (compact, see above)."""
    return _WinnerDoc(worker, workers, labels).__dict__


_SHAPES: dict[tuple, type] = {}  # key tuple -> the class whose instances' dicts share those keys
_SHAPES_MAX = 64


def compact(d: dict) -> dict:
    """An equal dict with the same key order, built as a key-sharing dict when ``d``'s keys are a few
    strings seen before (items' ``data``: the same fields for every item of a source); else ``d``."""
    keys = tuple(d)
    cls = _SHAPES.get(keys)
    if cls is None:
        if len(_SHAPES) >= _SHAPES_MAX or not 0 < len(keys) <= 16 or any(k.__class__ is not str or k[:2] == "__" for k in keys):
            return d
        cls = _SHAPES[keys] = type("_Shape", (), {"__slots__": ("__dict__",)})
    obj = cls.__new__(cls)
    for k, v in d.items():
        setattr(obj, k, v)
    out = obj.__dict__
    return out if tuple(out) == keys else d


def work_doc(id, task_id, ti, source, item_id, worker, seq, queue, t) -> dict:
    """A new (``assigned``) work document: ``{"id", "task_id", "ti", "source", "item_id", "worker",
    "state": "assigned", "started": False, "labels": None, "seq", "queue", "created_at": t,
    "updated_at": t, "submitted_at": None}`` (compact, see above)."""
    return _WorkDoc(id, task_id, ti, source, item_id, worker, "assigned", False, None, seq, queue, t, t,
                    None).__dict__


def task_item_doc(id, task_id, item_key, source, item_id, task_item, seq, slots, tstate, t) -> dict:
    """A new (``unlabeled``) task-item document: ``{"id", "task_id", "item_key", "source", "item_id",
    "task_item", "seq", "slots", "state": "unlabeled", "tstate" (task|unlabeled), "decision": None,
    "credited": [], "approvals": [], "reviews": [], "changes_requested": False, "winner": None,
    "acceptance": None, "created_at": t, "updated_at": t}`` (compact, see above)."""
    return _TaskItemDoc(id, task_id, item_key, source, item_id, task_item, seq, slots, tstate, t).__dict__


def item_doc(id, source, item_id, data, ground_truth, created_at) -> dict:
    """An item document: ``{"id", "source", "item_id", "data", "ground_truth", "created_at"}`` (compact)."""
    return _ItemDoc(id, source, item_id, data, ground_truth, created_at).__dict__


# Labels of one concept each (classification: ``[{"concept": "cat"}]``) repeat across thousands of
# documents: one shared list per distinct list of concepts instead of a list and dicts per document
# (~250 bytes each).  Stored documents are read-only (changed only by replacing a field's value, as every
# core write does), so sharing a value between documents is safe; the task item's ``winner`` already
# shares its work's labels.  Bounded, so arbitrary client input cannot grow it without end.
_SHARED_LABELS: dict[tuple, list] = {}
_SHARED_LABELS_MAX = 4096


def shared_labels(labels: list[dict]) -> list[dict]:
    """``labels`` itself, or an equal shared list when every label is just ``{"concept": str}``."""
    got = shared_concepts(labels, allow_empty=True)
    return labels if got is None else got


def shared_concepts(labels: list, allow_empty: bool = False) -> list[dict] | None:
    """The shared list for ``labels`` when every label is exactly ``{"concept": non-empty str}`` (what
    ``shared_labels`` makes of such labels once checked and copied), else None (the caller checks and
    copies them the long way).  The submission's fast path: one pass, no copies thrown away.
    ``allow_empty``: an empty concept string is shared too (``shared_labels``: stored labels as they are)."""
    key = []
    for label in labels:
        if label.__class__ is not dict or len(label) != 1:
            return None
        concept = label.get("concept")
        if concept.__class__ is not str or not (concept or allow_empty):
            return None
        key.append(concept)
    key = tuple(key)
    got = _SHARED_LABELS.get(key)
    if got is None:
        if len(_SHARED_LABELS) >= _SHARED_LABELS_MAX:
            return None
        got = _SHARED_LABELS[key] = [{"concept": sys.intern(c)} for c in key]
    return got


def item_key(source: str, item_id: str) -> str:
    return f"{source}{SEP}{item_id}"


def ti_id(task_id: str, key: str) -> str:
    return f"{task_id}{SEP}{key}"


def work_id(ti: str, worker: str) -> str:
    return f"{ti}{SEP}{worker}"


def shared_key(a, b) -> str:
    """``a|b`` as one shared string object: for values that repeat across many documents (a work's
    ``queue`` task|worker, a task item's ``tstate`` task|state), stored once rather than per document."""
    return sys.intern(f"{a}{SEP}{b}")


_last_now: list = [None]  # the last timestamp handed out: the same float object while time stands still
# The event time (``clock.at``/``enter``) of the last call and the timestamp handed out for it: a
# simulated event stamps several documents, each call after the first costs one ContextVar read
# (``clock.now``'s rounding is a pure function of the event time object).  One tuple, replaced whole,
# so a reader never sees the time of one call with the stamp of another.
_last_event: tuple = (None, None)


def now() -> float:
    """Timestamps of core documents: virtual time (see ``clock``).  Consecutive calls at the same time
    return the same float object (a simulation stamps hundreds of thousands of documents with a few
    distinct times: one 24-byte float per distinct time, not per document)."""
    global _last_event
    raw = _event_time.get()
    if raw is not None:
        last = _last_event
        if raw is last[0]:
            return last[1]
        t = round(raw, 6)  # ``clock.now()`` inside an event
    else:
        t = _clock_now()
    last = _last_now[0]
    if t == last and t.__class__ is last.__class__ and t:  # not 0.0 (== -0.0, which prints otherwise)
        t = last
    else:
        _last_now[0] = t
    if raw is not None:
        _last_event = (raw, t)
    return t


def load_task(store: Store, task_id: str, tenant: str | None = None) -> dict:
    task = tasks(store).get(task_id)
    if task is None or (tenant is not None and task.get("tenant") != tenant):
        raise NotFound(f"task {task_id!r} not found")
    return task


def getter(coll):
    """A ``get(doc_id)`` for many reads within one operation (under the lock): ``Collection.getter``."""
    return coll.getter()


def find_task_item(store: Store, task_id: str, item_id: str, source: str | None = None,
                   task: dict | None = None) -> dict:
    """The task-item doc for a vendor item id (``source`` disambiguates multi-source tasks).
    ``task``: the task document when the caller has it already."""
    coll = task_items(store)
    if source is not None:
        doc = coll.get(ti_id(task_id, item_key(source, item_id)))
    else:
        vendor_key = f"{task_id}{SEP}{item_id}"
        n = coll.count(task_item=vendor_key)  # O(1): the size of one index bucket
        if n > 1:
            from .errors import InvalidArgument
            raise InvalidArgument(f"item {item_id!r} is in several sources of task {task_id!r}: give the source")
        doc = None
        if n == 1:
            # Usually the item comes from a source the task names: a direct get, no index walk.
            task = task or tasks(store).get(task_id) or {}
            for src in (*task.get("sources", ()), task.get("source")):
                if src is not None:
                    doc = coll.get(ti_id(task_id, item_key(src, item_id)))
                    if doc is not None:
                        break
            if doc is None:
                doc = coll.first(task_item=vendor_key)
    if doc is None:
        task = tasks(store).get(task_id)
        if task is not None and task.get("pending"):  # its documents are promised: write them, look again
            from .planning import materialise  # (planning builds on this module)

            materialise(store, task)
            return find_task_item(store, task_id, item_id, source)
        raise NotFound(f"item {item_id!r} is not in task {task_id!r}")
    return doc
