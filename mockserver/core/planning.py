"""Putting items into a task and taking them out (internal; used by tasks, items and work).

The assignment plan of a task (``task["plan"]``, see ``assignment.Assigner``) advances only when an
item joins or leaves, so items added later extend the plan without moving earlier assignments.
"""
from __future__ import annotations

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


def new_work(ti: dict, worker: str) -> dict:
    t = R.now()
    return {"id": R.work_id(ti["id"], worker), "task_id": ti["task_id"], "ti": ti["id"],
            "source": ti["source"], "item_id": ti["item_id"], "worker": worker, "state": "assigned",
            "started": False, "labels": None, "seq": ti["seq"],
            "queue": f"{ti['task_id']}{R.SEP}{worker}", "created_at": t, "updated_at": t,
            "submitted_at": None}


def attach_items(store, task: dict, item_docs: list[dict]) -> int:
    """Add items (``core_items`` docs) to ``task``: plan their workers, create work, count them."""
    tis, works = R.task_items(store), R.work(store)
    assigner = assigner_for(task)
    ledger = Ledger(store, task)
    seq = task.get("next_seq", 0)
    added = 0
    for item in item_docs:
        key = item["id"]
        tid = R.ti_id(task["id"], key)
        if tid in tis:
            continue
        t = R.now()
        ti = tis.insert({
            "id": tid, "task_id": task["id"], "item_key": key, "source": item["source"],
            "item_id": item["item_id"], "task_item": f"{task['id']}{R.SEP}{item['item_id']}",
            "seq": seq, "slots": assigner.k, "state": "unlabeled",
            "tstate": f"{task['id']}{R.SEP}unlabeled", "decision": None, "credited": [],
            "approvals": [], "reviews": [], "changes_requested": False, "winner": None,
            "acceptance": None, "created_at": t, "updated_at": t})
        seq += 1
        for worker in assigner.assign(tid):
            works.insert(new_work(ti, worker))
        ledger.enter(tid)
        added += 1
    ledger.flush()
    R.tasks(store).update(task["id"], {"plan": assigner.state(), "next_seq": seq, "updated_at": R.now()})
    return added


def detach_item(store, task: dict, tid: str) -> None:
    """Remove one item from ``task`` with its work, releasing its share of the plan."""
    works = R.work(store)
    ledger = Ledger(store, task)
    ledger.leave(tid)
    held = []
    for w in works.find(ti=tid):
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
    docs = sorted(tis.find(task_id=task["id"]), key=lambda d: d["seq"])
    for ti in docs:
        tid = ti["id"]
        ledger.leave(tid)
        current = works.find(ti=tid)
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
