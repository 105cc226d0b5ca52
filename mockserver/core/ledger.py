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
from .progress import report_moves
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
    active = 0  # how many works are still on the item (ACTIVE_WORK)
    subs = []  # those of them submitted
    for w in works:
        state = w["state"]
        if state == "submitted":
            active += 1
            subs.append(w)
        elif state == "assigned" or state == "in_progress":
            active += 1
    if not active:
        skipped = any(w["state"] == "skipped" for w in works)
        return {"state": "skipped" if skipped else "unlabeled"}
    if len(subs) < active:
        if ti.get("changes_requested"):
            return {"state": "changes_requested"}
        return {"state": "labeling" if subs else "unlabeled"}
    # Every worker still on the item has submitted: apply the review strategy.
    review = task["review"]
    strategy = review["strategy"]
    if strategy == "none" or (strategy == "manual" and not in_review_sample(task, ti)):
        return {"changes_requested": False, "state": "approved", "decision": "approved",
                "credited": [w["worker"] for w in subs]}
    if strategy == "consensus":
        needed = review.get("approval_threshold_labelers") or ti.get("slots") or len(subs)
        group = consensus_group(task["kind"], [(w["worker"], w.get("labels") or []) for w in subs],
                                task.get("iou_threshold", 0.5))
        if len(group) >= needed:
            lead = group[0]
            winner = next(w for w in subs if w["worker"] == lead)
            return {"changes_requested": False, "state": "approved", "decision": "approved", "credited": group,
                    "winner": R.winner_doc(lead, group, winner.get("labels") or [])}
    return {"changes_requested": False, "state": "awaiting_review"}


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
    """The item's share of the task statistics: ``{path tuple: count}``."""
    return add_contribution({}, ti, works, 1)


def add_contribution(c: dict, ti: dict, works: list[dict], sign: int) -> dict:
    """Add ``sign`` x the item's contribution into ``c`` (in place; the per-event hot path): its
    item-level share plus each of its work documents' share."""
    add_item_share(c, ti, works, sign)
    for w in works:
        add_work_share(c, w, sign)
    return c


_TOTAL = ("total",)
_UNASSIGNED = ("unassigned",)
_STATE_KEYS = {s: ("states", s) for s in ITEM_STATES}


def add_work_share(c: dict, w: dict, sign: int) -> None:
    """The share of one work document: its worker's state counts and the labels it submitted."""
    get = c.get
    name, state = w["worker"], w["state"]
    if state != "returned":
        key = ("workers", name, "assigned")
        c[key] = get(key, 0) + sign
    if state != "assigned":
        key = ("workers", name, state)
        c[key] = get(key, 0) + sign
    if w.get("started"):
        key = ("workers", name, "started")
        c[key] = get(key, 0) + sign
    if state == "submitted":
        for label in w.get("labels") or ():
            key = ("labels_submitted", label.get("concept"))
            c[key] = get(key, 0) + sign


def add_item_share(c: dict, ti: dict, works: list[dict], sign: int) -> None:
    """The item-level share: its state, open slots, settled credits, review verdicts, acceptance.
    (``works``: every work document of the item, read for the slots held and the approved labels.)"""
    get = c.get
    c[_TOTAL] = get(_TOTAL, 0) + sign
    state = ti["state"]
    key = _STATE_KEYS.get(state) or ("states", state)
    c[key] = get(key, 0) + sign
    slots = ti.get("slots")
    if slots:
        unassigned = slots - len(works)  # minus the slots held: work not returned
        for w in works:
            if w["state"] == "returned":
                unassigned += 1
        if unassigned > 0:
            c[_UNASSIGNED] = get(_UNASSIGNED, 0) + sign * unassigned
    decision = ti.get("decision")
    if decision in ("approved", "rejected"):
        credited = ti.get("credited") or ()
        for name in credited:
            key = ("workers", name, decision)
            c[key] = get(key, 0) + sign
        if decision == "approved" and credited:
            labels_of = {w["worker"]: w.get("labels") or [] for w in works if w["state"] == "submitted"}
            for name in credited:
                for label in labels_of.get(name, ()):
                    key = ("labels_approved", label.get("concept"))
                    c[key] = get(key, 0) + sign
    for review in ti.get("reviews") or ():
        key = ("reviewers", review["reviewer"], review["decision"])
        c[key] = get(key, 0) + sign
    rec = ti.get("acceptance")
    if rec:
        key = ("acceptance", "sampled")
        c[key] = get(key, 0) + sign
        if rec.get("verdicts"):
            key = ("acceptance", "checked")
            c[key] = get(key, 0) + sign
        result = acceptance_result(rec)
        if result:
            key = ("acceptance", result)
            c[key] = get(key, 0) + sign


_SETTLED = ("approved", "rejected")


def _plain_unassigned(ti: dict, works: list[dict]) -> int | None:
    """None unless the item is *plain* (no decision, reviews or acceptance: its share is ``total``, its
    state and its unassigned slots); then the unassigned slots ``add_item_share`` counts (0: none)."""
    get = ti.get
    if get("decision") in _SETTLED or get("reviews") or get("acceptance"):
        return None
    slots = get("slots")
    if not slots:
        return 0
    unassigned = slots - len(works)
    for w in works:
        if w["state"] == "returned":
            unassigned += 1
    return unassigned if unassigned > 0 else 0


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
    """Add ``diff`` (tuple paths -> delta) to a counters document (stats, acceptance).

    The counters are changed in place (copying the touched branches cost more than all the rest of
    an event) and the change is then announced through ``coll.update`` so the store sees a write.
    Counters tables have no index on counter fields.  ``stats`` notices in-place changes through
    the per-store ``counters_version``, bumped here.
    """
    doc = None
    emptied: list = []
    for path, delta in diff.items():
        if not delta:
            continue
        if doc is None:
            doc = coll.get(doc_id)
            if doc is None:
                return
        node = doc
        for key in path[:-1]:
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            node = child
        last = path[-1]
        value = node.get(last, 0) + delta
        if value:
            node[last] = value
        else:
            node.pop(last, None)
            emptied.append(path)
    if doc is None:
        return
    # Drop branches emptied by the changes (deepest first) so zero counters never linger.
    for path in emptied:
        chain = [doc]
        for key in path[:-2]:
            chain.append(chain[-1].get(key) or {})
        for depth in range(len(path) - 2, -1, -1):
            parent, key = chain[depth], path[depth]
            if parent.get(key) == {}:
                del parent[key]
            else:
                break
    store = getattr(coll, "_store", None)
    if store is not None and hasattr(store, "touch"):
        store.touch()  # what ``coll.update(doc_id, {})`` amounts to: the store sees a write
    else:
        coll.update(doc_id, {})
    R.bump_counters(coll)


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
        self.touched: set[str] = set()  # task items entered since the last flush (for progress.report)

    def works(self, ti_id: str) -> list[dict]:
        return self._work.find_eq("ti", ti_id)

    def _account(self, ti: dict, works: list[dict], sign: int) -> None:
        add_contribution(self.diff, ti, works, sign)
        if ti.get("acceptance"):
            self._account_acceptance(ti, sign)

    def _account_acceptance(self, ti: dict, sign: int) -> None:
        acc = self.acc_diff.setdefault(ti["acceptance"]["id"], {})
        for k, v in acceptance_contribution(ti).items():
            acc[k] = acc.get(k, 0) + sign * v

    def add(self, path: tuple, delta: int) -> None:
        """Add a known difference directly (bulk paths that know an item's contribution)."""
        self.diff[path] = self.diff.get(path, 0) + delta

    def leave(self, ti_id: str, ti: dict | None = None) -> list[dict]:
        """Subtract the item's contribution; returns its work documents (for ``enter(works=...)``).
        ``ti``: the item's current document when the caller has just read it."""
        if ti is None:
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
            get = R.getter(self._work)
            works = [get(w["id"]) for w in works]
        ti = self._rederive(ti, works, fields)
        self._account(ti, works, +1)
        self.touched.add(ti_id)
        return ti

    def _rederive(self, ti: dict, works: list[dict], fields: dict | None) -> dict:
        """Write ``fields`` and the derived task-item fields that changed, in one update; the live item."""
        view = {**ti, **fields} if fields else ti
        derived = derive(self.task, view, works)
        changed = dict(fields) if fields else {}
        for k, v in derived.items():
            if view.get(k) != v or k in changed:
                changed[k] = v
        if changed:
            if changed.get("state", ti["state"]) != ti["state"]:
                changed["tstate"] = R.shared_key(ti["task_id"], changed["state"])
            changed["updated_at"] = R.now()
            ti = self._items.update(ti["id"], changed)
        return ti

    def change_work(self, ti: dict, work: dict, fields: dict, ti_fields: dict | None = None) -> dict:
        """``leave``, update one work document of the item, ``enter``, in one step: the same writes
        and the same difference, but only the changed work's share is counted out and in (the
        other works' shares would cancel).  ``ti`` and ``work``: the live documents, just read;
        ``ti_fields`` as ``enter``'s ``fields``.  Returns the live task item."""
        works = self.works(ti["id"])
        diff = self.diff
        # The item's share is counted out and in around the change.  While the item is plain (no
        # decision, reviews or acceptance) its share is ``total``, its state and its unassigned slots:
        # then only its state is counted out, the keys of ``total`` and of its unassigned slots put in
        # ``diff`` where ``add_item_share(diff, ti, works, -1)`` puts them (uncounted), and when it is
        # still plain after the change with the same unassigned slots only its state moves -- the same
        # difference, key for key in the same order, as the two full counts.
        plain = _plain_unassigned(ti, works)
        if plain is None:
            add_item_share(diff, ti, works, -1)
        else:
            if _TOTAL not in diff:
                diff[_TOTAL] = 0
            state = ti["state"]
            key = _STATE_KEYS.get(state) or ("states", state)
            diff[key] = diff.get(key, 0) - 1
            if plain and _UNASSIGNED not in diff:
                diff[_UNASSIGNED] = 0
        add_work_share(diff, work, -1)
        if plain is None and ti.get("acceptance"):  # (a plain item has none)
            self._account_acceptance(ti, -1)
        work = self._work.update(work["id"], fields)  # in place: ``works`` holds it
        ti = self._rederive(ti, works, ti_fields)
        if plain is None:
            add_item_share(diff, ti, works, +1)
        elif _plain_unassigned(ti, works) == plain:  # still plain (None is not), the same slots
            state = ti["state"]
            key = _STATE_KEYS.get(state) or ("states", state)
            diff[key] = diff.get(key, 0) + 1
        else:  # the full count in, minus what was left uncounted above
            add_item_share(diff, ti, works, +1)
            diff[_TOTAL] -= 1
            if plain > 0:
                diff[_UNASSIGNED] -= plain
        add_work_share(diff, work, +1)
        if ti.get("acceptance"):
            self._account_acceptance(ti, +1)
        self.touched.add(ti["id"])
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
        if self.touched:  # every write of the core reaches the statistics here: tell progress followers too
            touched, self.touched = self.touched, set()
            report_moves(self.store, touched)
