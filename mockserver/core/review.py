"""Reviewers' side: the review queue and approve / reject / request changes.

Only reviewers listed in the task's ``review.reviewers`` may review, and only items in
``awaiting_review``.  ``approval_threshold_reviewers`` distinct approvals approve an item; one
rejection rejects it; a change request sends every submitted work back to ``in_progress`` (labels
kept as a draft) and the item to ``changes_requested`` until its workers resubmit.
"""
from __future__ import annotations

from mockserver.store import Store

from . import records as R
from .planning import ready_task
from .errors import Conflict, InvalidArgument, InvalidState, NotAllowed
from .ledger import Ledger
from .planning import gc_paused

DECISIONS = {"approve": "approved", "reject": "rejected", "request_changes": "changes_requested"}


def review_queue(store: Store, task_id: str, reviewer: str, limit: int = 10) -> list[dict]:
    """Copies of items awaiting review that this reviewer has not approved yet, in item order."""
    with store.lock:
        task = R.load_task(store, task_id)
        if reviewer not in task["review"]["reviewers"]:
            raise NotAllowed(f"{reviewer!r} is not a reviewer of task {task_id!r}")
        docs = R.find_eq(R.task_items(store), "tstate", f"{task_id}{R.SEP}awaiting_review")
        docs = sorted((d for d in docs if reviewer not in d.get("approvals", [])), key=lambda d: d["seq"])
        return R.clone_all(docs[: max(0, int(limit))])


def get_task_item(store: Store, task_id: str, item_id: str, source: str | None = None) -> dict:
    """A copy of the item's life in the task: state, decision, approvals, reviews, winner, acceptance."""
    with store.lock:
        ready_task(store, task_id)
        return R.clone(R.find_task_item(store, task_id, item_id, source))


def list_task_items(store: Store, task_id: str, state: str | None = None, offset: int = 0,
                    limit: int | None = None) -> list[dict]:
    """Copies of the task's items (optionally in one state), in item order."""
    with store.lock:
        ready_task(store, task_id)
        coll = R.task_items(store)
        docs = R.find_eq(coll, "tstate", f"{task_id}{R.SEP}{state}") if state else R.find_eq(coll, "task_id", task_id)
        docs = sorted(docs, key=lambda d: d["seq"])
        end = None if limit is None else offset + max(0, int(limit))
        return R.clone_all(docs[offset:end])


def _check_review(task: dict, ti: dict, item_id: str, reviewer: str, decision: str) -> None:
    if decision not in DECISIONS:
        raise InvalidArgument(f"decision must be one of {', '.join(DECISIONS)}")
    if reviewer not in task["review"]["reviewers"]:
        raise NotAllowed(f"{reviewer!r} is not a reviewer of task {task['id']!r}")
    if ti["state"] != "awaiting_review":
        raise InvalidState(f"item {item_id!r} is {ti['state']}, not awaiting review")
    if decision == "approve" and reviewer in ti.get("approvals", []):
        raise Conflict(f"{reviewer!r} already approved item {item_id!r}")


def _review(store: Store, task: dict, ti: dict, reviewer: str, decision: str, comment: str | None,
            ledger: Ledger, score=None) -> dict:
    """Record one checked review decision in ``ledger`` (the caller flushes); returns the live item."""
    works = ledger.leave(ti["id"], ti)
    submitted = [w for w in works if w["state"] == "submitted"]
    fields: dict = {"reviews": ti.get("reviews", []) + [
        {"reviewer": reviewer, "decision": DECISIONS[decision], "comment": comment, "score": score, "at": R.now()}]}
    if decision == "approve":
        fields["approvals"] = ti.get("approvals", []) + [reviewer]
        if len(fields["approvals"]) >= task["review"]["approval_threshold_reviewers"]:
            fields.update(decision="approved", credited=[w["worker"] for w in submitted])
    elif decision == "reject":
        fields.update(decision="rejected", credited=[w["worker"] for w in submitted])
    else:
        fields.update(changes_requested=True, approvals=[])
        coll = R.work(store)
        for w in submitted:
            coll.update(w["id"], {"state": "in_progress", "queue": R.shared_key(task["id"], w["worker"]),
                                  "updated_at": R.now()})
    return ledger.enter(ti["id"], works, fields)


def review_found(store: Store, task: dict, ti: dict, reviewer: str, decision: str, ledger: Ledger,
                 comment: str | None = None, score=None) -> dict:
    """``review_item`` for a caller that has just read the task and task-item documents (live,
    under ``store.lock``) and keeps a ``Ledger`` of this task across many calls (it flushes it):
    the same checks and effect; returns the LIVE task item (never mutate it)."""
    _check_review(task, ti, ti["item_id"], reviewer, decision)
    if ledger.task is not task:
        ledger.flush()  # the task document was replaced: derive with the current one
        ledger.task = task
    return _review(store, task, ti, reviewer, decision, comment, ledger, score)


def review_item(store: Store, task_id: str, item_id: str, reviewer: str, decision: str,
                comment: str | None = None, source: str | None = None, score=None) -> dict:
    """Record a review decision (``approve`` | ``reject`` | ``request_changes``) with an optional comment
    and score (a JSON scalar the adapter chooses, e.g. ModelArts' A-D); returns the item. Every verdict
    is kept, in order, in the item's ``reviews`` (``reviewer``, ``decision``, ``comment``, ``score``, ``at``)."""
    if decision not in DECISIONS:
        raise InvalidArgument(f"decision must be one of {', '.join(DECISIONS)}")
    with store.lock:
        task = ready_task(store, task_id)
        if reviewer not in task["review"]["reviewers"]:
            raise NotAllowed(f"{reviewer!r} is not a reviewer of task {task_id!r}")
        ti = R.find_task_item(store, task_id, item_id, source, task)
        _check_review(task, ti, item_id, reviewer, decision)
        ledger = Ledger(store, task)
        ti = _review(store, task, ti, reviewer, decision, comment, ledger, score)
        ledger.flush()
        return R.clone(ti)


def review_many(store: Store, task_id: str, reviews, source: str | None = None) -> list[dict]:
    """Record many review decisions of one task at once:
    ``[(item_id, reviewer, decision[, comment[, score]]), ...]``.

    Same effect, in order, as calling ``review_item`` for each, under one hold of the lock and with
    one statistics write.  All-or-nothing: every review is checked before any is written (the same
    errors as ``review_item``); an item may appear only once per batch (``InvalidArgument``), since
    one review can change what the next may do.  Returns copies of the items, in order.
    """
    batch = []
    for entry in reviews:
        item_id, reviewer, decision, *rest = entry
        batch.append((str(item_id), str(reviewer), decision, rest[0] if rest else None,
                      rest[1] if len(rest) > 1 else None))
    with store.lock:
        task = ready_task(store, task_id)
        found, seen = [], set()
        for item_id, reviewer, decision, comment, score in batch:
            ti = R.find_task_item(store, task_id, item_id, source, task)
            _check_review(task, ti, item_id, reviewer, decision)
            if ti["id"] in seen:
                raise InvalidArgument(f"item {item_id!r} is reviewed twice in one batch")
            seen.add(ti["id"])
            found.append((ti["id"], reviewer, decision, comment, score))
        ledger = Ledger(store, task)
        tis = R.task_items(store)
        out = []
        try:
            with gc_paused(len(found)):
                for tid, reviewer, decision, comment, score in found:
                    out.append(_review(store, task, tis.get(tid), reviewer, decision, comment, ledger, score))
        finally:
            ledger.flush()  # whatever was written is counted
        return R.clone_all(out)
