"""Progress of followed items: an item's *phase* in a task, and a per-store subscription that tells an
adapter when the phase of an item it follows moves on (CloudFactory's Oversight tasks: queued ->
in_progress -> completed, with a webhook on each change).

Phases (derived from the item's task-item and work documents, never stored by the core's writers):

=============== ============================================================ ==========================
phase           meaning                                                      ``since`` (the core's stamp)
=============== ============================================================ ==========================
``waiting``     nobody has begun it (its work is assigned, or it has none)   the task item's creation
``in_progress`` a worker began it (work in progress or submitted) and the    the earliest update of the
                item is not settled yet                                      begun work
``settled``     approved, rejected or skipped (``state`` says which)         the task item's last update
``gone``        the item, or its task, is no longer there                    None
=============== ============================================================ ==========================

API (each takes the store first and holds ``store.lock``)::

    item_progress(store, task_id, item_id, source=None) -> {"phase", "state", "since"}
    follow_item(store, subscriber, task_id, item_id, source=None) -> progress   start following an item
    subscribe_progress(store, subscriber, fn);  unsubscribe_progress(store, subscriber)
    check_progress(store, task_item=None) -> int                                 events delivered

Contract:

* A *subscriber* is a name (``"cloudfactory.oversight"``); ``fn(event)`` is registered for it per store
  (in memory: register again after a restart).  ``event``: ``{"subscriber", "task_id", "item_id",
  "source", "phase", "previous", "state", "at"}``, ``at`` being the ``since`` of the new phase.
* The core reports its own writes: when a write on a task item reaches the statistics (``Ledger.flush``:
  at once for the single calls, at the end of a ``Session``'s batch) it checks that item
  (``report_moves``, O(1) when nothing is followed).  ``check_progress`` may also be called directly
  (``task_item``: a task-item id as in ``get_task_item(...)["id"]``; None checks every followed item),
  e.g. after a state import.  A check compares each followed item's phase with the last one reported and
  calls the subscriber once per change, under ``store.lock``, in the order of the followed items.
  One change per check: an item seen ``waiting`` and then ``settled`` is reported as one move.
* The last reported phase is stored (table ``core_progress``, part of the state export), so a check
  after a state import reports what moved meanwhile.  Without a subscriber registered for the item,
  nothing is reported and the stored phase stays, for a later check.  A settled or gone item is
  reported once and then no longer followed.

Cost: ``item_progress`` O(workers on the item); ``check_progress`` O(1) for an item nobody follows,
O(workers on the item) per followed item checked.
"""
from __future__ import annotations

import weakref
from typing import Callable

from mockserver.store import Store

from . import records as R
from .errors import InvalidArgument

PROGRESS_PHASES = ("waiting", "in_progress", "settled", "gone")
SETTLED = ("approved", "rejected", "skipped")
TABLE = "core_progress"

_SUBSCRIBERS: "weakref.WeakKeyDictionary[Store, dict[str, Callable[[dict], None]]]" = weakref.WeakKeyDictionary()


def _table(store: Store):
    return store.extension("core_progress_table", _new_table)  # the collection, looked up once per store


def _new_table(store: Store):
    return store.table(TABLE)


def _derive(ti: dict | None, works: list[dict]) -> dict:
    if ti is None:
        return {"phase": "gone", "state": None, "since": None}
    state = ti["state"]
    if state in SETTLED:
        return {"phase": "settled", "state": state, "since": ti.get("updated_at")}
    begun = [w["updated_at"] for w in works if w["state"] in ("in_progress", "submitted")]
    if begun:
        return {"phase": "in_progress", "state": state, "since": min(begun)}
    return {"phase": "waiting", "state": state, "since": ti.get("created_at")}


def _live(store: Store, ti_id: str) -> dict:
    ti = R.task_items(store).get(ti_id)
    if ti is None or ti["task_id"] not in R.tasks(store):
        return _derive(None, [])
    return _derive(ti, R.find_eq(R.work(store), "ti", ti_id))


def item_progress(store: Store, task_id: str, item_id: str, source: str | None = None) -> dict:
    """The item's phase in the task, its task-item state and when the phase began (``NotFound`` if missing)."""
    with store.lock:
        ti = R.find_task_item(store, task_id, item_id, source)
        return _live(store, ti["id"])


def follow_item(store: Store, subscriber: str, task_id: str, item_id: str, source: str | None = None) -> dict:
    """Follow an item of a task for ``subscriber`` from its current phase (returned); idempotent."""
    if not isinstance(subscriber, str) or not subscriber:
        raise InvalidArgument("subscriber is a non-empty string")
    with store.lock:
        ti = R.find_task_item(store, task_id, item_id, source)
        now = _live(store, ti["id"])
        if now["phase"] != "gone":
            _table(store).upsert({"id": ti["id"], "subscriber": subscriber, "task_id": task_id,
                                  "item_id": ti["item_id"], "source": ti["source"], "phase": now["phase"]})
        return dict(now)


def subscribe_progress(store: Store, subscriber: str, fn: Callable[[dict], None]) -> None:
    """Register ``fn`` as ``subscriber``'s listener on this store (replacing an earlier one)."""
    if not callable(fn):
        raise InvalidArgument("fn must be callable")
    with store.lock:
        _SUBSCRIBERS.setdefault(store, {})[subscriber] = fn


def unsubscribe_progress(store: Store, subscriber: str) -> None:
    with store.lock:
        _SUBSCRIBERS.get(store, {}).pop(subscriber, None)


def subscribed(store: Store, subscriber: str) -> bool:
    return subscriber in _SUBSCRIBERS.get(store, {})


def check_progress(store: Store, task_item: str | None = None) -> int:
    """Report the followed items (one task item, or all) whose phase moved; returns how many events ran."""
    coll = _table(store)
    if task_item is not None and coll.get(task_item) is None:
        return 0  # not followed (the per-event answer: one atomic read, as if made before any writer)
    with store.lock:
        coll = _table(store)
        if task_item is not None:
            doc = coll.get(task_item)
            if doc is None:
                return 0
            docs = [doc]
        else:
            if not len(coll):
                return 0
            docs = list(coll.all())
        listeners = _SUBSCRIBERS.get(store, {})
        ran = 0
        for doc in docs:
            fn = listeners.get(doc["subscriber"])
            if fn is None:
                continue
            now = _live(store, doc["id"])
            if now["phase"] == doc["phase"]:
                continue
            event = {"subscriber": doc["subscriber"], "task_id": doc["task_id"], "item_id": doc["item_id"],
                     "source": doc["source"], "phase": now["phase"], "previous": doc["phase"],
                     "state": now["state"], "at": now["since"]}
            if now["phase"] in ("settled", "gone"):
                coll.remove(doc["id"])
            else:
                coll.update(doc["id"], {"phase": now["phase"]})
            fn(event)
            ran += 1
        return ran


def report_moves(store: Store, task_items) -> int:
    """``check_progress`` for each of ``task_items`` (ids): called by the core itself when its writes on
    those task items reach the statistics (``Ledger.flush``), so no caller has to remember to. O(1) when
    nothing is followed."""
    if not len(_table(store)):
        return 0
    return sum(check_progress(store, ti) for ti in task_items)


def followed(store: Store, subscriber: str | None = None) -> list[dict]:
    """Copies of the followed items (of one subscriber), with the last phase reported."""
    with store.lock:
        docs = _table(store).all()
        return [dict(d) for d in docs if subscriber is None or d["subscriber"] == subscriber]


__all__ = ["PROGRESS_PHASES", "check_progress", "follow_item", "followed", "item_progress", "subscribe_progress",
           "subscribed", "unsubscribe_progress"]
