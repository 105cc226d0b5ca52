"""Reviewers' side: the review queue and approve / reject / request changes.

Only reviewers listed in the task's ``review.reviewers`` may review, and only items in
``awaiting_review``.  ``approval_threshold_reviewers`` distinct approvals approve an item; one
rejection rejects it; a change request sends every submitted work back to ``in_progress`` (labels
kept as a draft) and the item to ``changes_requested`` until its workers resubmit.
"""
from __future__ import annotations

import copy

from mockserver.store import Store

from . import records as R
from .errors import Conflict, InvalidArgument, InvalidState, NotAllowed
from .ledger import Ledger

DECISIONS = {"approve": "approved", "reject": "rejected", "request_changes": "changes_requested"}


def review_queue(store: Store, task_id: str, reviewer: str, limit: int = 10) -> list[dict]:
    """Copies of items awaiting review that this reviewer has not approved yet, in item order."""
    with store.lock:
        task = R.load_task(store, task_id)
        if reviewer not in task["review"]["reviewers"]:
            raise NotAllowed(f"{reviewer!r} is not a reviewer of task {task_id!r}")
        docs = R.task_items(store).find(tstate=f"{task_id}{R.SEP}awaiting_review")
        docs = sorted((d for d in docs if reviewer not in d.get("approvals", [])), key=lambda d: d["seq"])
        return copy.deepcopy(docs[: max(0, int(limit))])


def get_task_item(store: Store, task_id: str, item_id: str, source: str | None = None) -> dict:
    """A copy of the item's life in the task: state, decision, approvals, reviews, winner, acceptance."""
    with store.lock:
        R.load_task(store, task_id)
        return copy.deepcopy(R.find_task_item(store, task_id, item_id, source))


def list_task_items(store: Store, task_id: str, state: str | None = None, offset: int = 0,
                    limit: int | None = None) -> list[dict]:
    """Copies of the task's items (optionally in one state), in item order."""
    with store.lock:
        R.load_task(store, task_id)
        coll = R.task_items(store)
        docs = coll.find(tstate=f"{task_id}{R.SEP}{state}") if state else coll.find(task_id=task_id)
        docs = sorted(docs, key=lambda d: d["seq"])
        end = None if limit is None else offset + max(0, int(limit))
        return copy.deepcopy(docs[offset:end])


def review_item(store: Store, task_id: str, item_id: str, reviewer: str, decision: str,
                comment: str | None = None, source: str | None = None) -> dict:
    """Record a review decision (``approve`` | ``reject`` | ``request_changes``); returns the item."""
    if decision not in DECISIONS:
        raise InvalidArgument(f"decision must be one of {', '.join(DECISIONS)}")
    with store.lock:
        task = R.load_task(store, task_id)
        if reviewer not in task["review"]["reviewers"]:
            raise NotAllowed(f"{reviewer!r} is not a reviewer of task {task_id!r}")
        ti = R.find_task_item(store, task_id, item_id, source)
        if ti["state"] != "awaiting_review":
            raise InvalidState(f"item {item_id!r} is {ti['state']}, not awaiting review")
        if decision == "approve" and reviewer in ti.get("approvals", []):
            raise Conflict(f"{reviewer!r} already approved item {item_id!r}")
        ledger = Ledger(store, task)
        ledger.leave(ti["id"])
        works = R.work(store)
        submitted = [w for w in works.find(ti=ti["id"]) if w["state"] == "submitted"]
        fields: dict = {"reviews": ti.get("reviews", []) + [
            {"reviewer": reviewer, "decision": DECISIONS[decision], "comment": comment, "at": R.now()}]}
        if decision == "approve":
            fields["approvals"] = ti.get("approvals", []) + [reviewer]
            if len(fields["approvals"]) >= task["review"]["approval_threshold_reviewers"]:
                fields.update(decision="approved", credited=[w["worker"] for w in submitted])
        elif decision == "reject":
            fields.update(decision="rejected", credited=[w["worker"] for w in submitted])
        else:
            fields.update(changes_requested=True, approvals=[])
            for w in submitted:
                works.update(w["id"], {"state": "in_progress", "queue": f"{task_id}{R.SEP}{w['worker']}",
                                       "updated_at": R.now()})
        R.task_items(store).update(ti["id"], fields)
        ti = ledger.enter(ti["id"])
        ledger.flush()
        return copy.deepcopy(ti)
