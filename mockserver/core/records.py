"""Tables of the core and how their document ids are built.

All tables are prefixed ``core_``.  Ids join their parts with ``|`` (sources and item ids are
expected not to contain it; adapters build sources such as ``clarifai:app:USER/APP``).
"""
from __future__ import annotations

import copy
import sys

from mockserver.store import Store
try:  # how the store keys list/dict values in its indexes (used by ``insert_many``)
    from mockserver.store import _key as _index_key
except ImportError:  # pragma: no cover - the store changed: ``insert_many`` falls back to inserts
    _index_key = None

from .clock import now as _clock_now
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
        self.tasks = store.table(TASKS, indexes=("tenant",))
        self.follows = store.table(FOLLOWS, indexes=("source", "task_id"))
        # ``tstate`` (task|state) serves review queues; ``task_item`` (task|item_id) finds an item by its
        # vendor id alone; ``item_key`` finds every task holding an item when it is removed.
        self.task_items = store.table(TASK_ITEMS, indexes=("task_id", "item_key", "tstate", "task_item"))
        # ``queue`` (task|worker) is set only while the work is open, so a worker's queue is O(open work).
        self.work = store.table(WORK, indexes=("task_id", "ti", "worker", "queue"))
        self.stats = store.table(STATS)
        self.acceptances = store.table(ACCEPTANCES, indexes=("task_id",))
        self.stats_cache: dict = {}  # task id -> (stats doc, version, workers, reviewers, view): see stats
        self.counters_version = 0  # bumped by every in-place change of a counters document


def tables(store: Store) -> _Tables:
    """The core's collections of ``store``, cached on the store object itself.

    A store keeps its ``Collection`` objects for its whole life (``load``/``clear`` rebuild their
    contents, not the objects), so the cache never goes stale.
    """
    try:
        return store.__dict__["_core_tables"]
    except KeyError:
        t = store.__dict__["_core_tables"] = _Tables(store)
        return t


def bump_counters(coll) -> None:
    """Note an in-place change of a counters document (see ``ledger.apply_diff``)."""
    t = coll._store.__dict__.get("_core_tables") if hasattr(coll, "_store") else None
    if t is not None:
        t.counters_version += 1


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


_ATOMS = (str, int, float, bool, type(None))


def clone(value):
    """A deep copy of a JSON-like value (dicts, lists, scalars), several times faster than
    ``copy.deepcopy`` (no memo: stored documents hold no shared or cyclic parts).  Anything else
    (tuples, sets, objects found in free-form ``meta``) falls back to ``copy.deepcopy``."""
    cls = value.__class__
    if cls is dict:
        return {k: (v if v.__class__ in _ATOMS else clone(v)) for k, v in value.items()}
    if cls is list:
        return [v if v.__class__ in _ATOMS else clone(v) for v in value]
    if cls in _ATOMS:
        return value
    return copy.deepcopy(value)


def clone_all(docs) -> list:
    return [clone(d) for d in docs]


def find_eq(coll, field: str, value) -> list[dict]:
    """``coll.find(**{field: value})`` for an indexed field and a scalar value, read straight from
    the index bucket (the generic ``ids`` query costs several times more on the per-event path).
    Same documents, same (insertion) order; falls back to ``find`` if the store's internals differ."""
    try:
        index = coll._indexes[field]
        raw = coll._raw()
    except (AttributeError, KeyError):
        return coll.find(**{field: value})
    if value.__class__ not in _ATOMS:
        return coll.find(**{field: value})
    bucket = index.get(value)
    if not bucket:
        return []
    get = raw.get
    return [doc for doc in map(get, bucket) if doc is not None]


def count_eq(coll, field: str, value) -> int:
    """``coll.count(**{field: value})`` for an indexed field and a scalar value: the size of its
    index bucket, O(1).  Falls back to ``count`` if the store's internals differ."""
    try:
        bucket = coll._indexes[field].get(value)
    except (AttributeError, KeyError, TypeError):
        return coll.count(**{field: value})
    return len(bucket) if bucket else 0


_NOTHING = object()


def insert_many(coll, docs: list[dict]) -> None:
    """Insert fresh documents (built by the core, not shared with anyone) into ``coll`` at once.

    Same end state as ``coll.insert(doc)`` for each (live documents, equality indexes, the store's
    change counter), but without TinyDB's per-document ``Table.insert`` bookkeeping, which dominates
    creating a big task (a copy and a cache reset per document).  It uses the store's
    ``Collection`` internals; if those are not there (the store changed), or an id is taken, it
    falls back to plain inserts, which raise exactly as before.
    """
    # Preferred: fill the table and its indexes column by column (field by field), several times
    # cheaper than the store's per-document indexing; else the store's own ``insert_many``; else
    # plain inserts (which raise on a taken id exactly as before).
    try:
        raw = coll._raw()
        indexes = coll._indexes
        clear_cache = coll._table.clear_cache
        touch = coll._store.touch
    except AttributeError:
        raw = None
    ids = [d.get("id") for d in docs]
    if (raw is None or _index_key is None or len(set(ids)) != len(ids)
            or not all(i.__class__ is str and i and i not in raw for i in ids)):
        bulk = getattr(coll, "insert_many", None)
        if bulk is not None:
            bulk(docs)
            return
        for d in docs:
            coll.insert(d)
        return
    for doc_id, doc in zip(ids, docs):
        raw[doc_id] = doc
    for field, index in indexes.items():
        get = index.get
        last = bucket = _NOTHING
        for doc_id, doc in zip(ids, docs):
            value = doc.get(field)
            if value is not last:  # runs of one value (the task id, an item's id in its works) share a bucket
                last = value
                if value.__class__ in (list, dict):
                    value = _index_key(value)
                bucket = get(value)
                if bucket is None:
                    bucket = index[value] = {}
            bucket[doc_id] = None
    if docs:
        clear_cache()
        touch()


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


def now() -> float:
    """Timestamps of core documents: virtual time (see ``clock``)."""
    return _clock_now()


def load_task(store: Store, task_id: str, tenant: str | None = None) -> dict:
    task = tasks(store).get(task_id)
    if task is None or (tenant is not None and task.get("tenant") != tenant):
        raise NotFound(f"task {task_id!r} not found")
    return task


def getter(coll):
    """A ``get(doc_id)`` for many reads within one operation (under the lock): the table's own
    ``dict.get`` when the store exposes it, else ``coll.get``."""
    try:
        return coll._raw().get
    except AttributeError:
        return coll.get


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
        raise NotFound(f"item {item_id!r} is not in task {task_id!r}")
    return doc
