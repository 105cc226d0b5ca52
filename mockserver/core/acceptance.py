"""Owner acceptance (ModelArts "sampling task"): sample settled items, comment, report, conclude.

An acceptance samples, with a seeded hash order, among the task's ``approved`` items (which, with
no review, are all labeled items).  Owners comment per (item, worker): accept or not, a score A..D
(A=100, B=80, C=60, D=40) and a text.  An item's result is ``accepted`` when every verdict on it
accepts, ``rejected`` when any rejects, unset while unchecked; ``act`` may then fix results.

Actions (ModelArts numbering): 0 pass all, 1 reject all, 2 cancel, 3 list conflicts, 4 pass the
accepted plus the unchecked, 5 pass the accepted only (unchecked stay unchecked).  With
``overwrite_last_result`` false, actions 0/1 keep results already given by comments.
Task status: ``accepting`` while running; ``accepted`` after 0/4/5, ``rejected`` after 1, back to
the previous status after 2.  Rejected items keep their labels (re-labeling is left to the owner).

Report figures (``report``; ``acceptance_history`` sums them over a task's acceptances)
    sampled     items the acceptance holds
    checked     sampled items with a result: ``accepted + rejected``.  A result comes from the
                owner's comments or from a concluding action (0/1/4 give every sampled item one,
                5 only the commented ones), so after action 4 nothing is left unchecked.
    unchecked   ``sampled - checked``
    commented   sampled items with at least one owner comment (``<= checked``)
    pass_rate   ``accepted / checked``, 0.0 when nothing is checked: always in [0, 1]
    score       mean of the comment scores (40..100), None when no comment was scored;
                ``score_sum`` / ``score_n`` are its parts
    workers     per commented worker (``""`` for comments naming none): verdicts ``checked``,
                ``accepted``, ``rejected`` and ``pass_rate = accepted / checked``
Figures are those of the items the acceptance holds now: cancelling (action 2) releases every
sampled item, so a cancelled acceptance reports zeros and the history leaves it out; an item a
later acceptance samples again moves to that acceptance.
"""
from __future__ import annotations

import copy

from mockserver.store import Store

from . import records as R
from .planning import ready_task
from .errors import AcceptanceRunning, InvalidArgument, InvalidState, NotFound
from .ledger import SCORES, Ledger, acceptance_result, unit_hash
from .lifecycle import check_transition

ACTIONS = {0: "pass_all", 1: "reject_all", 2: "cancel", 3: "conflicts", 4: "pass_accepted_and_unchecked",
           5: "pass_accepted_only"}


def _load(store: Store, acceptance_id: str) -> dict:
    acc = R.acceptances(store).get(acceptance_id)
    if acc is None:
        raise NotFound(f"acceptance {acceptance_id!r} not found")
    return acc


def start_acceptance(store: Store, task_id: str, rate: float | None = None, number: int | None = None,
                     seed: int | None = None, acceptance_id: str | None = None) -> dict:
    """Sample ``rate`` (0..1] or ``number`` of the approved items (all if neither). Returns the doc."""
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1):
        raise InvalidArgument("sampling rate is a fraction in (0, 1]")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number < 1):
        raise InvalidArgument("sampling number is a positive integer")
    with store.lock:
        task = ready_task(store, task_id)
        if task.get("acceptance_id"):
            raise AcceptanceRunning(f"an acceptance is already running for task {task_id!r}")
        check_transition(task_id, task["status"], "accepting", by="acceptance")
        coll = R.acceptances(store)
        candidates = R.task_items(store).find(tstate=f"{task_id}{R.SEP}approved")
        if not candidates:
            raise InvalidState(f"task {task_id!r} has no approved items to accept")
        seed = task.get("seed", 0) if seed is None else seed
        acceptance_id = acceptance_id or f"{task_id}{R.SEP}acceptance{coll.count(task_id=task_id) + 1}"
        if acceptance_id in coll:
            raise InvalidArgument(f"acceptance {acceptance_id!r} already exists")
        if number is not None:
            size = min(number, len(candidates))
        elif rate is not None:
            size = max(1, round(rate * len(candidates)))
        else:
            size = len(candidates)
        chosen = sorted(candidates, key=lambda d: unit_hash(seed, acceptance_id, d["id"]))[:size]
        chosen.sort(key=lambda d: d["seq"])
        t = R.now()
        coll.insert({"id": acceptance_id, "task_id": task_id, "status": "running", "rate": rate, "number": number,
                     "seed": seed, "samples": [d["id"] for d in chosen], "previous_status": task["status"],
                     "action": None, "created_at": t, "updated_at": t})
        ledger = Ledger(store, task)
        for ti in chosen:
            ledger.leave(ti["id"])
            R.task_items(store).update(ti["id"], {"acceptance": {"id": acceptance_id, "verdicts": {}, "final": None}})
            ledger.enter(ti["id"])
        ledger.flush()
        R.tasks(store).update(task_id, {"acceptance_id": acceptance_id, "status": "accepting", "updated_at": t})
        return copy.deepcopy(coll.get(acceptance_id))


def comment(store: Store, acceptance_id: str, item_id: str, worker_id: str | None, accept: bool,
            score: str | None = None, comment: str | None = None, source: str | None = None) -> dict:
    """Record the owner's verdict on one sampled item (for one worker's labels, or ``None``)."""
    if score is not None and score not in SCORES:
        raise InvalidArgument("score is one of A, B, C, D")
    with store.lock:
        acc = _load(store, acceptance_id)
        if acc["status"] != "running":
            raise InvalidState(f"acceptance {acceptance_id!r} is {acc['status']}")
        task = ready_task(store, acc["task_id"])
        ti = R.find_task_item(store, task["id"], item_id, source)
        rec = ti.get("acceptance")
        if not rec or rec["id"] != acceptance_id:
            raise NotFound(f"item {item_id!r} is not sampled by acceptance {acceptance_id!r}")
        key = worker_id or ""
        if worker_id and R.work(store).get(R.work_id(ti["id"], worker_id)) is None:
            raise NotFound(f"worker {worker_id!r} has no work on item {item_id!r}")
        ledger = Ledger(store, task)
        ledger.leave(ti["id"])
        verdicts = dict(rec.get("verdicts") or {})
        verdicts[key] = {"accept": bool(accept), "score": score, "comment": comment, "at": R.now()}
        R.task_items(store).update(ti["id"], {"acceptance": {**rec, "verdicts": verdicts}})
        ti = ledger.enter(ti["id"])
        ledger.flush()
        return copy.deepcopy(ti["acceptance"])


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _figures(counters: dict) -> dict:
    """Report figures from an acceptance document's counters (kept by ``ledger``) or a sum of them.

    The stored ``checked`` counter is "has a comment"; a concluding action gives uncommented items
    a result too, so the reported ``checked`` is the number of items with a result."""
    sampled = counters.get("sampled", 0)
    accepted, rejected = counters.get("accepted", 0), counters.get("rejected", 0)
    checked = accepted + rejected
    score_sum, score_n = counters.get("score_sum", 0), counters.get("score_n", 0)
    workers = {}
    for worker, c in sorted((counters.get("workers") or {}).items()):
        ok, no = c.get("accepted", 0), c.get("rejected", 0)
        workers[worker] = {"checked": ok + no, "accepted": ok, "rejected": no, "pass_rate": _rate(ok, ok + no)}
    return {"sampled": sampled, "checked": checked, "unchecked": sampled - checked,
            "commented": counters.get("checked", 0), "accepted": accepted, "rejected": rejected,
            "pass_rate": _rate(accepted, checked), "score": score_sum / score_n if score_n else None,
            "score_sum": score_sum, "score_n": score_n, "workers": workers}


_NO_FIGURES = _figures({})  # (scalars, and a workers dict each caller gets afresh)


def report(store: Store, acceptance_id: str) -> dict:
    """The acceptance's figures (see the module docstring), read in O(workers) from its counters."""
    with store.lock:
        acc = _load(store, acceptance_id)
        return {"acceptance_id": acceptance_id, "task_id": acc["task_id"], "status": acc["status"],
                "action": acc.get("action"), **_figures(acc)}


def acceptance_history(store: Store, task_id: str) -> dict:
    """The figures of all the task's acceptances that were not cancelled (running ones included),
    summed: counts and per-worker verdicts add up, rates and score are recomputed from the sums.
    ``acceptances`` is how many were summed.  O(acceptances x workers)."""
    with store.lock:
        R.load_task(store, task_id)
        found = R.find_eq(R.acceptances(store), "task_id", task_id)
        if not found:  # (most tasks: the figures of nothing, without summing)
            return {"task_id": task_id, "acceptances": 0, **_NO_FIGURES, "workers": {}}
        total: dict = {}
        n = 0
        for acc in found:
            if acc["status"] == "cancelled":
                continue
            n += 1
            for field in ("sampled", "checked", "accepted", "rejected", "score_sum", "score_n"):
                total[field] = total.get(field, 0) + acc.get(field, 0)
            for worker, c in (acc.get("workers") or {}).items():
                mine = total.setdefault("workers", {}).setdefault(worker, {})
                for field in ("accepted", "rejected"):
                    mine[field] = mine.get(field, 0) + c.get(field, 0)
        return {"task_id": task_id, "acceptances": n, **_figures(total)}


def conflicts(store: Store, acceptance_id: str) -> list[dict]:
    """Sampled items whose verdicts disagree (some accept, some reject)."""
    with store.lock:
        acc = _load(store, acceptance_id)
        out = []
        tis = R.task_items(store)
        for tid in acc["samples"]:
            ti = tis.get(tid)
            rec = (ti or {}).get("acceptance") or {}
            if rec.get("id") != acceptance_id:
                continue
            verdicts = {v["accept"] for v in (rec.get("verdicts") or {}).values()}
            if len(verdicts) > 1:
                out.append({"item_id": ti["item_id"], "source": ti["source"],
                            "verdicts": copy.deepcopy(rec["verdicts"])})
        return out


def act(store: Store, acceptance_id: str, action: int, overwrite_last_result: bool = False) -> dict:
    """Apply a ModelArts acceptance action (0-5). Returns ``{"acceptance": doc, "conflicts": [...]}``."""
    if action not in ACTIONS:
        raise InvalidArgument("action is one of 0-5")
    if action == 3:
        with store.lock:
            return {"acceptance": copy.deepcopy(_load(store, acceptance_id)), "conflicts": conflicts(store, acceptance_id)}
    with store.lock:
        acc = _load(store, acceptance_id)
        if acc["status"] != "running":
            raise InvalidState(f"acceptance {acceptance_id!r} is {acc['status']}")
        task = ready_task(store, acc["task_id"])
        tis = R.task_items(store)
        ledger = Ledger(store, task)
        for tid in acc["samples"]:
            ti = tis.get(tid)
            rec = (ti or {}).get("acceptance")
            if not rec or rec["id"] != acceptance_id:
                continue
            result = acceptance_result(rec)
            if action == 2:
                new = None  # cancel: forget this sampling entirely
            elif action in (0, 1):
                wanted = "accepted" if action == 0 else "rejected"
                new = {**rec, "final": wanted if overwrite_last_result or result is None else result}
            elif action == 4:
                new = {**rec, "final": result or "accepted"}
            else:
                new = {**rec, "final": result}
            ledger.leave(tid)
            tis.update(tid, {"acceptance": new})
            ledger.enter(tid)
        ledger.flush()
        status = {0: "accepted", 1: "rejected", 2: "cancelled", 4: "accepted", 5: "accepted"}[action]
        R.acceptances(store).update(acceptance_id, {"status": status, "action": action,
                                                    "overwrite_last_result": bool(overwrite_last_result),
                                                    "updated_at": R.now()})
        task_status = check_transition(task["id"], task["status"],
                                       acc["previous_status"] if action == 2 else status, by="acceptance")
        R.tasks(store).update(task["id"], {"acceptance_id": None, "status": task_status, "updated_at": R.now()})
        return {"acceptance": copy.deepcopy(R.acceptances(store).get(acceptance_id)), "conflicts": []}


def get_acceptance(store: Store, acceptance_id: str) -> dict:
    with store.lock:
        return copy.deepcopy(_load(store, acceptance_id))


def list_acceptances(store: Store, task_id: str) -> list[dict]:
    with store.lock:
        return copy.deepcopy(R.acceptances(store).find(task_id=task_id))
