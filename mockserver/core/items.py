"""Items (inputs, samples) grouped by *source*, and tasks that follow a source as it grows."""
from __future__ import annotations

from mockserver.store import Store

from . import records as R
from .errors import Conflict, InvalidArgument, NotFound
from .planning import attach_items, detach_item, gc_paused, materialise_holding, matches_filter


def add_items(store: Store, source: str, items: list[dict], copy: bool = True) -> list[dict] | None:
    """Store new items of ``source`` and extend every task following it (new items only).

    Returns copies of the new item documents; ``copy=False`` (bulk loaders that do not need them)
    returns None.

    Each item: ``{"id": str, "data": {...}, "ground_truth": [labels] (optional)}``.  All-or-nothing:
    a duplicate id (stored already or twice in the call) raises ``Conflict`` before anything is added.
    """
    if not isinstance(source, str) or not source:
        raise InvalidArgument("source must be a non-empty string")
    with store.lock, gc_paused(len(items)):
        coll = R.items(store)
        docs, seen = [], set()
        t = R.now()
        for item in items:
            item_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item_id, str) or not item_id:
                raise InvalidArgument("every item needs a non-empty string id")
            key = R.item_key(source, item_id)
            if key in coll or key in seen:
                raise Conflict(f"item {item_id!r} already exists in {source!r}")
            seen.add(key)
            docs.append(R.item_doc(key, source, item_id, R.compact(R.clone(item.get("data") or {})),
                                   _ground_truth(item.get("ground_truth")), t))  # compact dict (``records``)
        R.insert_many(coll, docs)
        for follow in R.find_eq(R.follows(store), "source", source):  # (indexed: the bucket, in order)
            task = R.tasks(store).get(follow["task_id"])
            if task is not None:
                attach_items(store, task, [d for d in docs if matches_filter(d, task.get("item_filter"))])
        return R.clone_all(docs) if copy else None


def _ground_truth(value):
    """A copy of an item's ground truth; concept-only labels as ``records.shared_labels`` (one shared list)."""
    if value.__class__ is list:
        shared = R.shared_concepts(value)  # (the same shared list, without the copy made to be dropped)
        if shared is not None:
            return shared
    value = R.clone(value)
    return R.shared_labels(value) if value.__class__ is list else value


def get_item(store: Store, source: str, item_id: str) -> dict:
    with store.lock:
        doc = R.items(store).get(R.item_key(source, item_id))
        if doc is None:
            raise NotFound(f"item {item_id!r} not found in {source!r}")
        return R.clone(doc)


def list_items(store: Store, source: str) -> list[dict]:
    """Copies of the items of ``source`` in insertion order."""
    with store.lock:
        return R.clone_all(R.items(store).find(source=source))


def remove_item(store: Store, source: str, item_id: str) -> None:
    """Delete an item and take it out of every task holding it (their counts follow)."""
    with store.lock:
        key = R.item_key(source, item_id)
        if key not in R.items(store):
            raise NotFound(f"item {item_id!r} not found in {source!r}")
        materialise_holding(store, key)
        for ti in R.task_items(store).find(item_key=key):
            task = R.tasks(store).get(ti["task_id"])
            if task is not None:
                detach_item(store, task, ti["id"])
        R.items(store).remove(key)
