"""The acceptance check of a task (ModelArts-style sampling) by a simulated owner, the *checker*.

Configured per task in the scenario (``tasks[].acceptance`` or ``acceptances[]``: ``checker``,
``rate``, ``pass_rate``).  Once every item of the task is settled and some approved, the checker
starts an acceptance (remembered in ``sim_meta`` as ``acceptance|TASK``), checks each sampled item
(accept when the leading answer is right, as a reviewer would), and concludes: accept the task
when the pass rate reaches ``pass_rate`` (default 0.9), else reject it.

Reads the statistics, so it flushes the session first.  ``ready`` costs O(workers + concepts); a
check job O(samples) to find the next unchecked one.
"""
from __future__ import annotations

from mockserver import core

from .jobs import CLOSED
from .people import Person, rng_for

SETTLED = ("approved", "rejected", "skipped")


class Acceptances:
    def __init__(self, session, store, meta, config: dict, claimed: set, seed, truth):
        self.session = session
        self.store = store
        self.meta = meta
        self.config = config  # task id -> {"checker", "rate"?, "pass_rate"?}
        self.claimed = claimed
        self.seed = seed
        self.truth = truth

    def checker_of(self, task_id: str) -> str | None:
        return (self.config.get(task_id) or {}).get("checker")

    def has_work(self, pid: str) -> bool:
        return any(cfg["checker"] == pid and self.ready(task_id) for task_id, cfg in self.config.items())

    def next_job(self, pid: str) -> dict | None:
        for task_id, cfg in self.config.items():
            if cfg["checker"] == pid:
                job = self._job(task_id, cfg)
                if job is not None:
                    return job
        return None

    def ready(self, task_id: str) -> bool:
        """An acceptance of the task is running (ours), or could start: every item settled, some approved."""
        s = self.session
        s.flush()  # what follows reads the statistics
        task = s.task(task_id)
        if task is None:
            return False
        mine = self.meta.get(f"acceptance|{task_id}") is not None
        if task.get("acceptance_id"):
            acc = s.acceptance(task["acceptance_id"])
            return acc is not None and acc["status"] == "running" and mine
        if task["status"] in CLOSED or mine:
            return False
        stats = s.task_stats(task_id)
        states, total = stats["states"], stats["total"]
        return bool(total) and sum(states.get(k, 0) for k in SETTLED) == total and states.get("approved", 0) > 0

    def _job(self, task_id: str, cfg: dict) -> dict | None:
        if not self.ready(task_id):
            return None
        s = self.session
        task = s.task(task_id)
        if not task.get("acceptance_id"):
            acc = core.start_acceptance(self.store, task_id, rate=cfg.get("rate"))
            self.meta.upsert({"id": f"acceptance|{task_id}", "acceptance_id": acc["id"]})
            task = s.task(task_id)
        acc = s.acceptance(task["acceptance_id"])
        for key in acc["samples"]:
            ti = s.task_item(key)
            rec = (ti or {}).get("acceptance") or {}
            if ti is not None and not rec.get("verdicts") and key not in self.claimed:
                self.claimed.add(key)
                return {"kind": "check", "task": task_id, "item": ti["item_id"], "source": ti["source"],
                        "ti": key, "attempt": 0, "acceptance": acc["id"]}
        # Everything sampled is checked: conclude.
        rep = core.report(self.store, acc["id"])
        passed = rep["pass_rate"] >= cfg.get("pass_rate", 0.9)
        core.act(self.store, acc["id"], 4 if passed else 1)
        return None

    def finish(self, person: Person, job: dict) -> str | None:
        self.claimed.discard(job["ti"])
        s = self.session
        ti, task = s.task_item(job["ti"]), s.task(job["task"])
        if ti is None or task is None:
            return None
        subs = [w for w in s.works(job["ti"]) if w["state"] == "submitted"]
        correct = self.truth.judge(task, ti, subs) if subs else False
        accept = person.review(correct, rng_for(self.seed, "check", person.id, job["task"], job["item"])) == "approve"
        core.comment(self.store, job["acceptance"], job["item"], None, accept, score="A" if accept else "D",
                     source=job["source"])
        return "checked"
