"""What a person does next: sent-back work first, then reviews, then labeling, then acceptance checks.

A *job* is the plain dict a person works on until their next wake-up (persisted as their
``doing``): ``{"kind": "label" | "review" | "check", "task", "item", "source", "ti", "attempt"}``
(``"acceptance"`` too for a check).

Per (person, task, kind) a *cursor* holds a snapshot of the core's queue (``Session.open_work`` /
``awaiting_review``, in item order), consumed from the front; each entry is re-checked when its turn
comes (``open_for`` / ``reviewable``) and the snapshot is taken again once, when it runs dry.  So
finding a job costs O(1) amortised, plus a sort of the queue per refill.  Work a reviewer sent back
goes to its worker's *urgent* list, served before anything else.  An item a reviewer (or the
acceptance checker) has begun is *claimed* until they finish: nobody else takes it meanwhile.
"""
from __future__ import annotations

from collections import deque

from mockserver import core
from mockserver.core import CoreError

CLOSED = frozenset(("accepting", "accepted", "rejected", "done", "wont_do", "failed"))


class Jobs:
    def __init__(self, session, store, people, acceptances, claimed: set, fast: bool):
        self.session = session
        self.store = store
        self.acceptances = acceptances
        self.claimed = claimed
        self.fast = fast  # headless: no start_work (nobody watches in_progress; the end state is the same)
        self.cursors: dict[tuple, deque] = {}
        self.urgent: dict[str, deque] = {pid: deque() for pid in people}

    def send_back(self, worker: str, task_id: str, work_key: str) -> bool:
        """A reviewer requested changes: the worker takes this work up again before anything else.
        False for a worker nobody here simulates."""
        urgent = self.urgent.get(worker)
        if urgent is None:
            return False
        urgent.append((task_id, work_key))
        return True

    def next_job(self, pid: str) -> dict | None:
        s = self.session
        urgent = self.urgent.get(pid)
        while urgent:
            task_id, key = urgent.popleft()
            w = s.open_for(key, task_id, pid)
            if w is not None:
                job = self._label_job(task_id, w)
                if job is not None:
                    return job
        tasks = s.tasks()
        for task in tasks:
            if task["status"] in CLOSED or pid not in task["review"]["reviewers"]:
                continue
            job = self._next_review(pid, task["id"])
            if job is not None:
                return job
        for task in tasks:
            if task["status"] in CLOSED:
                continue
            job = self._next_label(pid, task["id"])
            if job is not None:
                return job
        return self.acceptances.next_job(pid)

    def has_work(self, pid: str) -> bool:
        if self.urgent.get(pid):
            return True
        s = self.session
        for task in s.tasks():
            if task["status"] in CLOSED:
                continue
            tid = task["id"]
            if s.open_count(tid, pid):
                return True
            if pid in task["review"]["reviewers"] and s.awaiting_review_count(tid):
                return True
        return self.acceptances.has_work(pid)

    # -- labeling ---------------------------------------------------------------------------------------
    def _next_label(self, pid: str, tid: str) -> dict | None:
        s = self.session
        # ``_from_cursor`` inlined (the per-event path: no closures per call), the same steps.
        key = (pid, tid, "label")
        cursors = self.cursors
        cur = cursors.get(key)
        open_for = s.open_for
        w = open_for(cur[0], tid, pid) if cur else None
        if w is not None:
            # The usual case: the cursor's next entry is open work of the person, so ``open_count`` is
            # not 0 (no need to ask) and that entry is the job, as the loop below would find.
            cur.popleft()
            job = self._label_job(tid, w)
            if job is not None:
                return job
        elif not s.open_count(tid, pid):
            return None
        refreshed = False
        while True:
            if not cur:
                if refreshed:
                    return None
                cur = cursors[key] = deque(s.open_work(tid, pid))
                refreshed = True
                if not cur:
                    return None
            w = open_for(cur.popleft(), tid, pid)
            if w is not None:
                job = self._label_job(tid, w)
                if job is not None:
                    return job

    def _from_cursor(self, key, snapshot, pick) -> dict | None:
        """The first job ``pick(entry)`` makes of the entries of cursor ``key``, refilled once from
        ``snapshot()`` when it runs dry (entries stale since the snapshot give None and are dropped)."""
        cur = self.cursors.get(key)
        refreshed = False
        while True:
            if not cur:
                if refreshed:
                    return None
                cur = self.cursors[key] = deque(snapshot())
                refreshed = True
                if not cur:
                    return None
            job = pick(cur.popleft())
            if job is not None:
                return job

    def _label_job(self, task_id: str, w: dict) -> dict | None:
        ti = self.session.task_item(w["ti"])
        if ti is None:
            return None
        reviews = ti.get("reviews")
        attempt = sum(1 for r in reviews if r["decision"] == "changes_requested") if reviews else 0
        job = {"kind": "label", "task": task_id, "item": w["item_id"], "source": w["source"], "ti": w["ti"],
               "attempt": attempt}
        if not self.fast and w["state"] == "assigned":
            try:
                core.start_work(self.store, task_id, w["item_id"], w["worker"], source=w["source"])
            except CoreError:
                return None
        return job

    # -- reviewing --------------------------------------------------------------------------------------
    def _next_review(self, pid: str, tid: str) -> dict | None:
        s = self.session
        if not s.awaiting_review_count(tid):
            return None

        def pick(ident):
            ti = s.reviewable(ident, tid, pid)
            if ti is None or ident in self.claimed:
                return None
            self.claimed.add(ident)
            return {"kind": "review", "task": tid, "item": ti["item_id"], "source": ti["source"],
                    "ti": ident, "attempt": len(ti.get("reviews") or ())}

        return self._from_cursor((pid, tid, "review"), lambda: s.awaiting_review(tid), pick)
