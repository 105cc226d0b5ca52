"""Item state and the incremental statistics, kept consistent by construction.

An item's state inside a task is *derived* from its own work documents and a few sticky fields of
its task-item document (``decision``, ``approvals``, ``changes_requested``).  Its share of the
task's statistics (its *contribution*: one state, per-worker counts, label counts...) is likewise a
pure function of those documents.  Every mutation therefore goes:

    ledger.leave(ti)   # subtract the item's contribution
    ... change the item's documents ...
    ledger.enter(ti)   # re-derive its state, add the new contribution
    ledger.flush()     # apply the summed difference to the stats document once

so each event costs O(workers on the item), never O(items in task), and ``recount`` (the sum of all
contributions) always equals the incremental figures.
"""
from __future__ import annotations

import hashlib
from collections import Counter

from . import records as R
from .agreement import consensus_group

ITEM_STATES = ("unlabeled", "labeling", "changes_requested", "awaiting_review", "approved", "rejected",
               "skipped")
WORK_STATES = ("assigned", "in_progress", "submitted", "skipped", "returned")
OPEN_WORK = ("assigned", "in_progress")
ACTIVE_WORK = ("assigned", "in_progress", "submitted")
SCORES = {"A": 100, "B": 80, "C": 60, "D": 40}
WORKER_FIELDS = ("assigned", "started", "in_progress", "submitted", "skipped", "returned", "approved", "rejected")
REVIEW_FIELDS = ("approved", "rejected", "changes_requested")
ACCEPTANCE_FIELDS = ("sampled", "checked", "accepted", "rejected")


def unit_hash(*parts) -> float:
    """A deterministic number in [0, 1) for a seed and a key (stable across processes)."""
    digest = hashlib.blake2b("\x1f".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0 ** 64


def in_review_sample(task: dict, ti: dict) -> bool:
    return unit_hash(task.get("seed", 0), "review", ti["id"]) < task["review"]["sample_percentage"]


def derive(task: dict, ti: dict, works: list[dict]) -> dict:
    """The task-item fields implied by its work: ``state`` and, when settled, ``decision``/``credited``."""
    decision = ti.get("decision")
    if decision in ("approved", "rejected"):
        return {"state": decision}
    active = [w for w in works if w["state"] in ACTIVE_WORK]
    subs = [w for w in active if w["state"] == "submitted"]
    if not active:
        skipped = any(w["state"] == "skipped" for w in works)
        return {"state": "skipped" if skipped else "unlabeled"}
    if len(subs) < len(active):
        if ti.get("changes_requested"):
            return {"state": "changes_requested"}
        return {"state": "labeling" if subs else "unlabeled"}
    # Every worker still on the item has submitted: apply the review strategy.
    review = task["review"]
    strategy = review["strategy"]
    done = {"changes_requested": False}
    if strategy == "none" or (strategy == "manual" and not in_review_sample(task, ti)):
        return {**done, "state": "approved", "decision": "approved", "credited": [w["worker"] for w in subs]}
    if strategy == "consensus":
        needed = review.get("approval_threshold_labelers") or ti.get("slots") or len(subs)
        group = consensus_group(task["kind"], [(w["worker"], w.get("labels") or []) for w in subs],
                                task.get("iou_threshold", 0.5))
        if len(group) >= needed:
            winner = next(w for w in subs if w["worker"] == group[0])
            return {**done, "state": "approved", "decision": "approved", "credited": group,
                    "winner": {"worker": group[0], "workers": group, "labels": winner.get("labels") or []}}
    return {**done, "state": "awaiting_review"}


def acceptance_result(rec: dict | None) -> str | None:
    if not rec:
        return None
    if rec.get("final"):
        return rec["final"]
    verdicts = rec.get("verdicts") or {}
    if not verdicts:
        return None
    return "accepted" if all(v["accept"] for v in verdicts.values()) else "rejected"


def contribution(ti: dict, works: list[dict]) -> Counter:
    c: Counter = Counter()
    c[("total",)] = 1
    c[("states", ti["state"])] = 1
    held = 0
    labels_of = {}
    for w in works:
        name, state = w["worker"], w["state"]
        if state != "returned":
            held += 1
            c[("workers", name, "assigned")] += 1
        if state != "assigned":
            c[("workers", name, state)] += 1
        if w.get("started"):
            c[("workers", name, "started")] += 1
        if state == "submitted":
            labels_of[name] = w.get("labels") or []
            for label in labels_of[name]:
                c[("labels_submitted", label.get("concept"))] += 1
    unassigned = (ti.get("slots") or 0) - held
    if unassigned > 0:
        c[("unassigned",)] = unassigned
    decision = ti.get("decision")
    if decision in ("approved", "rejected"):
        for name in ti.get("credited") or []:
            c[("workers", name, decision)] += 1
            if decision == "approved":
                for label in labels_of.get(name, []):
                    c[("labels_approved", label.get("concept"))] += 1
    for review in ti.get("reviews") or []:
        c[("reviewers", review["reviewer"], review["decision"])] += 1
    rec = ti.get("acceptance")
    if rec:
        c[("acceptance", "sampled")] = 1
        if rec.get("verdicts"):
            c[("acceptance", "checked")] = 1
        result = acceptance_result(rec)
        if result:
            c[("acceptance", result)] = 1
    return c


def acceptance_contribution(ti: dict) -> Counter:
    """The item's share of its acceptance's report."""
    c: Counter = Counter()
    rec = ti.get("acceptance")
    if not rec:
        return c
    c[("sampled",)] = 1
    verdicts = rec.get("verdicts") or {}
    if verdicts:
        c[("checked",)] = 1
    result = acceptance_result(rec)
    if result:
        c[(result,)] = 1
    for worker, v in verdicts.items():
        c[("workers", worker, "checked")] += 1
        c[("workers", worker, "accepted" if v["accept"] else "rejected")] += 1
        if v.get("score") in SCORES:
            c[("score_sum",)] += SCORES[v["score"]]
            c[("score_n",)] += 1
    return c


def apply_diff(coll, doc_id: str, diff: Counter) -> None:
    """Add ``diff`` (tuple paths -> delta) to a document, copying only the touched branches."""
    diff = {k: v for k, v in diff.items() if v}
    if not diff:
        return
    doc = dict(coll.get(doc_id))
    copied: set = set()
    for path, delta in diff.items():
        node = doc
        for depth, key in enumerate(path[:-1]):
            prefix = path[: depth + 1]
            if prefix not in copied:
                node[key] = dict(node.get(key) or {})
                copied.add(prefix)
            node = node[key]
        value = node.get(path[-1], 0) + delta
        if value:
            node[path[-1]] = value
        else:
            node.pop(path[-1], None)
    # Drop branches emptied by the changes (deepest first) so zero counters never linger.
    for prefix in sorted(copied, key=len, reverse=True):
        parent = doc
        for key in prefix[:-1]:
            parent = parent[key]
        if not parent.get(prefix[-1]):
            parent.pop(prefix[-1], None)
    coll.replace(doc)


class Ledger:
    """Collects the statistics difference of one operation on one task, applied once by ``flush``."""

    def __init__(self, store, task: dict):
        self.store = store
        self.task = task
        self.diff: Counter = Counter()
        self.acc_diff: dict[str, Counter] = {}
        self._items = R.task_items(store)
        self._work = R.work(store)

    def works(self, ti_id: str) -> list[dict]:
        return self._work.find(ti=ti_id)

    def _account(self, ti: dict, works: list[dict], sign: int) -> None:
        for k, v in contribution(ti, works).items():
            self.diff[k] += sign * v
        rec = ti.get("acceptance")
        if rec:
            acc = self.acc_diff.setdefault(rec["id"], Counter())
            for k, v in acceptance_contribution(ti).items():
                acc[k] += sign * v

    def leave(self, ti_id: str) -> None:
        ti = self._items.get(ti_id)
        if ti is not None:
            self._account(ti, self.works(ti_id), -1)

    def enter(self, ti_id: str) -> dict:
        ti = self._items.get(ti_id)
        works = self.works(ti_id)
        fields = derive(self.task, ti, works)
        changed = {k: v for k, v in fields.items() if ti.get(k) != v}
        if changed:
            if "state" in changed:
                changed["tstate"] = f"{ti['task_id']}{R.SEP}{changed['state']}"
            changed["updated_at"] = R.now()
            ti = self._items.update(ti_id, changed)
        self._account(ti, works, +1)
        return ti

    def flush(self) -> None:
        apply_diff(R.stats(self.store), self.task["id"], self.diff)
        accs = R.acceptances(self.store)
        for acc_id, diff in self.acc_diff.items():
            if acc_id in accs:
                apply_diff(accs, acc_id, diff)
        self.diff = Counter()
        self.acc_diff = {}
