"""Finishing a review job: the reviewer judges the item's leading answer and gives a verdict.

Approve, reject or request changes (``Person.review``, a pure function of the seed and the job),
recorded through the simulation's session; a change request sends the work back to its simulated
workers first in line (``Jobs.send_back``) and wakes them.  O(workers on the item).
"""
from __future__ import annotations

from .people import Person, rng_for


class Reviewing:
    def __init__(self, session, seed, truth, timeline, jobs):
        self.session = session
        self.seed = seed
        self.truth = truth
        self.timeline = timeline
        self.jobs = jobs

    def finish(self, person: Person, job: dict, t: float) -> str | None:
        s = self.session
        ti = s.task_item(job["ti"])
        task = s.task(job["task"])
        if ti is None or task is None or ti["state"] != "awaiting_review" or person.id in (ti.get("approvals") or ()):
            return None
        subs = [w for w in s.works(job["ti"]) if w["state"] == "submitted"]
        if not subs:
            return None
        correct = self.truth.judge(task, ti, subs)
        decision = person.review(correct, rng_for(self.seed, "review", person.id, job["task"], job["item"],
                                                  job["attempt"]))
        s.review(job["task"], job["item"], person.id, decision, source=job["source"])
        if decision == "request_changes":
            for w in subs:
                if self.jobs.send_back(w["worker"], job["task"], w["id"]):  # a simulated person: back to it first
                    self.timeline.wake_idle([w["worker"]], t)
        return "reviewed"
