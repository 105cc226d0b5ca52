"""Finishing a labeling job: the person's labels (or a skip), submitted through the simulation's session.

What the person gives is a pure function of ``(seed, person, task, item, attempt)`` (``people``);
the statistics of the submission are batched in the session until the drain ends.  Returns the
``sim_people`` counter to bump; a ``CoreError`` (the item settled, the task went away) is the
engine's to catch.  O(labels + workers on the item).
"""
from __future__ import annotations

from mockserver import core

from .people import KEY_SEP, Person, rng_of


class Labeling:
    def __init__(self, session, store, seed, truth, timeline):
        self.session = session
        self.store = store
        self.seed = seed
        self.truth = truth
        self.timeline = timeline

    def finish(self, person: Person, job: dict, t: float) -> str | None:
        s = self.session
        task = s.task(job["task"])
        if task is None:
            return None
        # ``rng_for(seed, "label", person, task, item, attempt)``: its key, spelled out (once per event)
        sep = KEY_SEP
        rng = rng_of(f"{self.seed}{sep}label{sep}{person.id}{sep}{job['task']}{sep}{job['item']}{sep}{job['attempt']}")
        if person.skip_rate and rng.random() < person.skip_rate:
            core.skip_work(self.store, job["task"], job["item"], person.id, source=job["source"])
            return "skipped"
        truth = self.truth.truth(task, job["source"], job["item"])
        labels = person.label(truth, self.truth.labels_of(task, truth), rng)
        s.submit(job["task"], job["item"], person.id, labels, source=job["source"])
        reviewers = task["review"]["reviewers"]
        if reviewers:
            ti = s.task_item(job["ti"])
            if ti is not None and ti["state"] == "awaiting_review":
                self.timeline.wake_idle(reviewers, t)  # it needs a reviewer now
        return "labeled"
