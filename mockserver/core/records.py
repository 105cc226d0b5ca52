"""Tables of the core and how their document ids are built.

All tables are prefixed ``core_``.  Ids join their parts with ``|`` (sources and item ids are
expected not to contain it; adapters build sources such as ``clarifai:app:USER/APP``).
"""
from __future__ import annotations

import time

from mockserver.store import Store

from .errors import NotFound

SEP = "|"

ITEMS = "core_items"            # id = source|item_id
TASKS = "core_tasks"            # id = task id (adapters namespace it)
FOLLOWS = "core_follows"        # id = source|task_id: tasks extended when the source grows
TASK_ITEMS = "core_task_items"  # id = task_id|source|item_id: an item's life inside one task
WORK = "core_work"              # id = task_id|source|item_id|worker: one worker's assignment
STATS = "core_stats"            # id = task id: incrementally kept counters
ACCEPTANCES = "core_acceptances"  # id = acceptance id (ModelArts checking task)


def items(store: Store):
    return store.table(ITEMS, indexes=("source",))


def tasks(store: Store):
    return store.table(TASKS, indexes=("tenant",))


def follows(store: Store):
    return store.table(FOLLOWS, indexes=("source", "task_id"))


def task_items(store: Store):
    # ``tstate`` (task|state) serves review queues; ``task_item`` (task|item_id) finds an item by its
    # vendor id alone; ``item_key`` finds every task holding an item when it is removed.
    return store.table(TASK_ITEMS, indexes=("task_id", "item_key", "tstate", "task_item"))


def work(store: Store):
    # ``queue`` (task|worker) is set only while the work is open, so a worker's queue is O(open work).
    return store.table(WORK, indexes=("task_id", "ti", "worker", "queue"))


def stats(store: Store):
    return store.table(STATS)


def acceptances(store: Store):
    return store.table(ACCEPTANCES, indexes=("task_id",))


def item_key(source: str, item_id: str) -> str:
    return f"{source}{SEP}{item_id}"


def ti_id(task_id: str, key: str) -> str:
    return f"{task_id}{SEP}{key}"


def work_id(ti: str, worker: str) -> str:
    return f"{ti}{SEP}{worker}"


def now() -> float:
    return round(time.time(), 6)


def load_task(store: Store, task_id: str, tenant: str | None = None) -> dict:
    task = tasks(store).get(task_id)
    if task is None or (tenant is not None and task.get("tenant") != tenant):
        raise NotFound(f"task {task_id!r} not found")
    return task


def find_task_item(store: Store, task_id: str, item_id: str, source: str | None = None) -> dict:
    """The task-item doc for a vendor item id (``source`` disambiguates multi-source tasks)."""
    coll = task_items(store)
    if source is not None:
        doc = coll.get(ti_id(task_id, item_key(source, item_id)))
    else:
        found = coll.find(task_item=f"{task_id}{SEP}{item_id}")
        if len(found) > 1:
            from .errors import InvalidArgument
            raise InvalidArgument(f"item {item_id!r} is in several sources of task {task_id!r}: give the source")
        doc = found[0] if found else None
    if doc is None:
        raise NotFound(f"item {item_id!r} is not in task {task_id!r}")
    return doc
