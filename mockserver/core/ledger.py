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


def contribution(ti: dict, works: list[dict]) -> dict:
    """The item's share of the task statistics: ``{path tuple: count}`` (a plain dict: the hot path)."""
    c: dict = {("total",): 1, ("states", ti["state"]): 1}
    get = c.get
    held = 0
    labels_of = {}
    for w in works:
        name, state = w["worker"], w["state"]
        if state != "returned":
            held += 1
            key = ("workers", name, "assigned")
            c[key] = get(key, 0) + 1
        if state != "assigned":
            key = ("workers", name, state)
            c[key] = get(key, 0) + 1
        if w.get("started"):
            key = ("workers", name, "started")
            c[key] = get(key, 0) + 1
        if state == "submitted":
            labels_of[name] = w.get("labels") or []
            for label in labels_of[name]:
                key = ("labels_submitted", label.get("concept"))
                c[key] = get(key, 0) + 1
    unassigned = (ti.get("slots") or 0) - held
    if unassigned > 0:
        c[("unassigned",)] = unassigned
    decision = ti.get("decision")
    if decision in ("approved", "rejected"):
        for name in ti.get("credited") or []:
            key = ("workers", name, decision)
            c[key] = get(key, 0) + 1
            if decision == "approved":
                for label in labels_of.get(name, []):
                    key = ("labels_approved", label.get("concept"))
                    c[key] = get(key, 0) + 1
    for review in ti.get("reviews") or []:
        key = ("reviewers", review["reviewer"], review["decision"])
        c[key] = get(key, 0) + 1
    rec = ti.get("acceptance")
    if rec:
        c[("acceptance", "sampled")] = 1
        if rec.get("verdicts"):
            c[("acceptance", "checked")] = 1
        result = acceptance_result(rec)
        if result:
            c[("acceptance", result)] = 1
    return c


def acceptance_contribution(ti: dict) -> dict:
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


def apply_diff(coll, doc_id: str, diff: dict) -> None:
    """Add ``diff`` (tuple paths -> delta) to a document, copying only the touched branches.

    The stored document is replaced, never changed in place, so a reader holding the previous one
    (``stats`` caches its filled-in view by document identity) sees a consistent snapshot.
    """
    doc = None
    copied: dict = {}  # branch path (tuple) -> its fresh copy, already linked into ``doc``
    emptied = False
    for path, delta in diff.items():
        if not delta:
            continue
        if doc is None:
            doc = dict(coll.get(doc_id))
        node = doc
        branch: tuple = ()
        for key in path[:-1]:
            branch += (key,)
            child = copied.get(branch)
            if child is None:
                child = node.get(key)
                child = copied[branch] = dict(child) if child else {}
                node[key] = child
            node = child
        last = path[-1]
        value = node.get(last, 0) + delta
        if value:
            node[last] = value
        else:
            node.pop(last, None)
            emptied = True
    if doc is None:
        return
    if emptied:
        # Drop branches emptied by the changes (deepest first) so zero counters never linger.
        for branch in sorted(copied, key=len, reverse=True):
            if not copied[branch]:
                parent = copied[branch[:-1]] if len(branch) > 1 else doc
                parent.pop(branch[-1], None)
    coll.replace(doc)


class Ledger:
    """Collects the statistics difference of one operation on one task, applied once by ``flush``."""

    def __init__(self, store, task: dict):
        self.store = store
        self.task = task
        self.diff: dict = {}
        self.acc_diff: dict[str, dict] = {}
        t = R.tables(store)
        self._items = t.task_items
        self._work = t.work

    def works(self, ti_id: str) -> list[dict]:
        return R.find_eq(self._work, "ti", ti_id)

    def _account(self, ti: dict, works: list[dict], sign: int) -> None:
        diff = self.diff
        get = diff.get
        for k, v in contribution(ti, works).items():
            diff[k] = get(k, 0) + sign * v
        rec = ti.get("acceptance")
        if rec:
            acc = self.acc_diff.setdefault(rec["id"], {})
            for k, v in acceptance_contribution(ti).items():
                acc[k] = acc.get(k, 0) + sign * v

    def add(self, path: tuple, delta: int) -> None:
        """Add a known difference directly (bulk paths that know an item's contribution)."""
        self.diff[path] = self.diff.get(path, 0) + delta

    def leave(self, ti_id: str) -> list[dict]:
        """Subtract the item's contribution; returns its work documents (for ``enter(works=...)``)."""
        ti = self._items.get(ti_id)
        if ti is None:
            return []
        works = self.works(ti_id)
        self._account(ti, works, -1)
        return works

    def enter(self, ti_id: str, works: list[dict] | None = None, fields: dict | None = None) -> dict:
        """Re-derive the item's state and add its contribution.

        ``works``: the item's work documents as returned by ``leave`` when the operation added or
        removed none (each is re-read by id, so updates in between are seen), saving an index walk.
        ``fields``: task-item changes of the operation, written together with the derived ones in
        a single update.
        """
        ti = self._items.get(ti_id)
        if works is None:
            works = self.works(ti_id)
        else:
            get = self._work.get
            works = [get(w["id"]) for w in works]
        view = {**ti, **fields} if fields else ti
        derived = derive(self.task, view, works)
        changed = dict(fields) if fields else {}
        for k, v in derived.items():
            if view.get(k) != v or k in changed:
                changed[k] = v
        if changed:
            if changed.get("state", ti["state"]) != ti["state"]:
                changed["tstate"] = f"{ti['task_id']}{R.SEP}{changed['state']}"
            changed["updated_at"] = R.now()
            ti = self._items.update(ti_id, changed)
        self._account(ti, works, +1)
        return ti

    def flush(self) -> None:
        apply_diff(R.stats(self.store), self.task["id"], self.diff)
        if self.acc_diff:
            accs = R.acceptances(self.store)
            for acc_id, diff in self.acc_diff.items():
                if acc_id in accs:
                    apply_diff(accs, acc_id, diff)
        self.diff = {}
        self.acc_diff = {}
