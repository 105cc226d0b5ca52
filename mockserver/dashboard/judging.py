"""Accuracy against the truth and consensus for the dashboard, judged a bounded step at a time.

``Judge`` goes round each task's settled items behind a cursor, judging each item once (and again only
if it changed) with ``judge_item``, within a few milliseconds per poll; it keeps per-task and
per-worker sums so a poll reads them in O(tasks + workers).  ``judge_item`` and ``truth_of`` are the
same rules as ``mockserver.simulation.report`` (the HTML report calls ``judge_item`` directly), so when
a run ends the dashboard's figures are exactly the report's.

The truth of an item is its ground truth, else the simulation's latent truth, else unknown.
"""
from __future__ import annotations

import time

from mockserver import core

from .figures import wilson

SETTLED = ("approved", "rejected", "skipped")


class _TaskJudge:
    __slots__ = ("keys", "pos", "total", "created", "judged", "complete", "consensus", "known", "right")

    def __init__(self, created):
        self.keys: list[str] | None = None
        self.pos = 0
        self.total = -1
        self.created = created
        self.judged: dict[str, tuple] = {}  # task-item key -> (updated_at, state, contribution)
        self.complete = self.consensus = self.known = self.right = 0


class Judge:
    STEP_EVERY = 0.25  # wall seconds between two steps, however many pages poll
    BUDGET = 0.003  # wall seconds a step may take while the people work
    IDLE_BUDGET = 0.03  # ... and when nothing happened since the last step

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        self.tasks: dict[str, _TaskJudge] = {}
        self.workers: dict[str, list[int]] = {}  # worker -> [submissions judged, right]
        self.last_step = float("-inf")
        self.last_events = -1

    def _revert(self, tj: _TaskJudge, contribution: tuple) -> None:
        self._apply(tj, contribution, -1)

    def _apply(self, tj: _TaskJudge, c: tuple, sign: int) -> None:
        complete, consensus, known, right, marks = c
        tj.complete += sign * complete
        tj.consensus += sign * consensus
        tj.known += sign * known
        tj.right += sign * right
        workers = self.workers
        for worker, ok in marks:
            acc = workers.get(worker)
            if acc is None:
                acc = workers[worker] = [0, 0]
            acc[0] += sign
            acc[1] += sign * ok

    def step(self, s, sim, tasks: list[dict], totals: dict[str, int], events: int, force: bool = False) -> None:
        """Judge what changed, for a bounded time: ``s`` a core session (lock held), ``tasks`` the live
        task documents, ``totals`` each task's item count from its statistics."""
        now = time.perf_counter()
        if not force and now - self.last_step < self.STEP_EVERY:
            return
        budget = self.IDLE_BUDGET if events == self.last_events else self.BUDGET
        self.last_step, self.last_events = now, events
        deadline = now + budget
        alive = {t["id"] for t in tasks}
        for gone in [tid for tid in self.tasks if tid not in alive]:
            tj = self.tasks.pop(gone)
            for rec in tj.judged.values():
                self._revert(tj, rec[2])
        for task in tasks:
            if time.perf_counter() >= deadline:
                break
            self._step_task(s, sim, task, totals.get(task["id"], 0), deadline)

    def _step_task(self, s, sim, task: dict, total: int, deadline: float) -> None:
        tid = task["id"]
        tj = self.tasks.get(tid)
        if tj is not None and tj.created != task.get("created_at"):
            for rec in tj.judged.values():  # a task of the same id, made again
                self._revert(tj, rec[2])
            tj = None
        if tj is None:
            tj = self.tasks[tid] = _TaskJudge(task.get("created_at"))
        if tj.keys is None or tj.total != total:
            keys = [ti["id"] for ti in s.task_items(tid)]  # only when the task gains or loses items
            present = set(keys)
            for key in [k for k in tj.judged if k not in present]:
                self._revert(tj, tj.judged.pop(key)[2])
            tj.keys, tj.total = keys, total
            tj.pos = tj.pos % len(keys) if keys else 0
        keys, judged = tj.keys, tj.judged
        n = len(keys)
        if not n:
            return
        kind, iou = task.get("kind", "classification"), task.get("iou_threshold", 0.5)
        pos = tj.pos
        for i in range(n):
            if i & 31 == 31 and time.perf_counter() >= deadline:
                break
            key = keys[pos]
            pos = pos + 1 if pos + 1 < n else 0
            ti = s.task_item(key)
            rec = judged.get(key)
            if ti is None or ti["state"] not in SETTLED:
                if rec is not None:
                    self._revert(tj, judged.pop(key)[2])
                continue
            if rec is not None:
                if rec[0] == ti.get("updated_at") and rec[1] == ti["state"]:
                    continue
                self._revert(tj, rec[2])
            c = judge_item(s, sim, task, ti, kind, iou)
            judged[key] = (ti.get("updated_at"), ti["state"], c)
            self._apply(tj, c, +1)
        tj.pos = pos

    def task_figures(self, task: dict) -> dict:
        tj = self.tasks.get(task["id"])
        if tj is None:
            return {"judged": 0, "consensus": None, "accuracy": None}
        consensus = wilson(tj.consensus, tj.complete) if task["review"]["strategy"] == "consensus" else None
        return {"judged": len(tj.judged), "consensus": consensus, "accuracy": wilson(tj.right, tj.known)}

    def worker_accuracy(self, worker: str) -> dict | None:
        acc = self.workers.get(worker)
        return wilson(acc[1], acc[0]) if acc else None



def judge_item(s, sim, task: dict, ti: dict, kind: str, iou: float) -> tuple:
    """One item's share: (labeling complete, by consensus, result judged, result right,
    [(worker, submission right)]) -- the same rules as ``mockserver.simulation.report``."""
    subs, active, _ = core.labeling_of(s.works(ti["id"]))
    truth = truth_of(s, sim, task, ti["source"], ti["item_id"])[0]
    marks = []
    right: dict[int, bool] = {}
    if truth:
        for w in subs:
            labels = w.get("labels")
            ok = core.labels_agree(kind, labels or [], truth, iou)
            if labels:
                right[id(labels)] = ok
            marks.append((w["worker"], int(ok)))
    complete = 1 if subs and len(subs) == active else 0
    consensus = 1 if complete and ti.get("winner") else 0
    known = ok_final = 0
    result = core.result_of(task, ti, subs) if subs and truth else None
    if result is not None:
        final = result["labels"]
        known = 1
        ok = right.get(id(final))
        ok_final = int(core.labels_agree(kind, final, truth, iou) if ok is None else ok)
    return complete, consensus, known, ok_final, tuple(marks)


def truth_of(s, sim, task: dict, source: str, item_id: str) -> tuple[list | None, str]:
    """An item's truth and where it comes from: ``(labels, "ground_truth")``, else the simulation's
    latent truth ``(labels, "simulated")``, else ``(None, "none")``."""
    item = s.item(source, item_id) or {}
    if item.get("ground_truth"):
        return item["ground_truth"], "ground_truth"
    if sim is not None:
        return sim.truth(task, source, item_id), "simulated"
    return None, "none"
