"""Items (inputs, samples) grouped by *source*, and tasks that follow a source as it grows."""
from __future__ import annotations

import copy

from mockserver.store import Store

from . import records as R
from .errors import Conflict, InvalidArgument, NotFound
from .planning import attach_items, detach_item, matches_filter


def add_items(store: Store, source: str, items: list[dict]) -> list[dict]:
    """Store new items of ``source`` and extend every task following it (new items only).

    Each item: ``{"id": str, "data": {...}, "ground_truth": [labels] (optional)}``.  All-or-nothing:
    a duplicate id (stored already or twice in the call) raises ``Conflict`` before anything is added.
    """
    if not isinstance(source, str) or not source:
        raise InvalidArgument("source must be a non-empty string")
    with store.lock:
        coll = R.items(store)
        docs, seen = [], set()
        for item in items:
            item_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item_id, str) or not item_id:
                raise InvalidArgument("every item needs a non-empty string id")
            key = R.item_key(source, item_id)
            if key in coll or key in seen:
                raise Conflict(f"item {item_id!r} already exists in {source!r}")
            seen.add(key)
            docs.append({"id": key, "source": source, "item_id": item_id,
                         "data": copy.deepcopy(item.get("data") or {}),
                         "ground_truth": copy.deepcopy(item.get("ground_truth")), "created_at": R.now()})
        stored = [coll.insert(d) for d in docs]
        for follow in R.follows(store).find(source=source):
            task = R.tasks(store).get(follow["task_id"])
            if task is not None:
                attach_items(store, task, [d for d in stored if matches_filter(d, task.get("item_filter"))])
        return copy.deepcopy(stored)


def get_item(store: Store, source: str, item_id: str) -> dict:
    with store.lock:
        doc = R.items(store).get(R.item_key(source, item_id))
        if doc is None:
            raise NotFound(f"item {item_id!r} not found in {source!r}")
        return copy.deepcopy(doc)


def list_items(store: Store, source: str) -> list[dict]:
    """Copies of the items of ``source`` in insertion order."""
    with store.lock:
        return copy.deepcopy(R.items(store).find(source=source))


def remove_item(store: Store, source: str, item_id: str) -> None:
    """Delete an item and take it out of every task holding it (their counts follow)."""
    with store.lock:
        key = R.item_key(source, item_id)
        if key not in R.items(store):
            raise NotFound(f"item {item_id!r} not found in {source!r}")
        for ti in R.task_items(store).find(item_key=key):
            task = R.tasks(store).get(ti["task_id"])
            if task is not None:
                detach_item(store, task, ti["id"])
        R.items(store).remove(key)
