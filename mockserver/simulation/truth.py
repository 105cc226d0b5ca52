"""What is right: an item's ground truth (or a latent one), the concepts offered, and judging work.

An item without ground truth (an input a client uploaded) gets a *latent* truth, a pure function of
``(seed, source, item id)``: the same for every person and every run with the seed.  All O(labels).

An item that carries *prior labels* (``data.prior_labels``: ``[{"concept", ...}]``, a model's
inferences a client asks people to confirm or correct, as CloudFactory's Oversight tags) has a latent
truth of one instance per prior label: the prior's concept, or, with probability ``prior_error_rate``
(from the task's ``meta``, default 0), another of the task's concepts.  So a person corrects a prior
when it is wrong, if their accuracy lets them.
"""
from __future__ import annotations

from mockserver import core

from .people import rng_for

BOXED = ("detection", "polygon", "segmentation")


class GroundTruth:
    def __init__(self, session, seed, default_labels: list[str], task_labels: dict[str, list[str]]):
        self.session = session
        self.seed = seed
        self.default_labels = default_labels
        self.task_labels = task_labels

    def truth(self, task: dict, source: str, item_id: str) -> list[dict]:
        item = self.session.item(source, item_id)
        gt = (item or {}).get("ground_truth")
        if gt:
            return gt
        prior = ((item or {}).get("data") or {}).get("prior_labels")
        if isinstance(prior, list):
            return self._from_prior(task, source, item_id, prior)
        labels = self.labels_of(task, [])
        rng = rng_for(self.seed, "latent", source, item_id)
        concept = labels[int(rng.random() * len(labels))]
        if task.get("kind") in BOXED:
            x0, y0 = rng.uniform(0, 480), rng.uniform(0, 320)
            x1, y1 = x0 + rng.uniform(40, 160), y0 + rng.uniform(40, 160)
            if task["kind"] == "detection":
                return [{"concept": concept, "box": [round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)]}]
            return [{"concept": concept, "polygon": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]}]
        return [{"concept": concept}]

    def _from_prior(self, task: dict, source: str, item_id: str, prior: list) -> list[dict]:
        rate = float((task.get("meta") or {}).get("prior_error_rate") or 0.0)
        labels = self.labels_of(task, [])
        out = []
        for i, p in enumerate(prior):
            concept = p.get("concept") if isinstance(p, dict) else None
            if not isinstance(concept, str) or not concept:
                continue
            rng = rng_for(self.seed, "prior", source, item_id, i)
            if rng.random() < rate:
                others = [c for c in labels if c != concept]
                if others:
                    concept = others[int(rng.random() * len(others))]
            out.append({"concept": concept})
        return out

    def labels_of(self, task: dict, truth: list[dict]) -> list[str]:
        """The concepts a person chooses among: the scenario's, the task's, or the truth's."""
        labels = self.task_labels.get(task["id"])
        if not labels:
            meta = task.get("meta") or {}
            raw = meta.get("labels") or meta.get("concepts") or []
            labels = [c if isinstance(c, str) else (c.get("id") or c.get("name")) for c in raw
                      if isinstance(c, (str, dict))]
            labels = [c for c in labels if c] or self.default_labels or ["positive", "negative"]
        extra = None
        for t in truth:
            if t["concept"] not in labels:
                if extra is None:
                    extra = []
                extra.append(t["concept"])
        return labels + extra if extra else labels

    def judge(self, task: dict, ti: dict, subs: list[dict]) -> bool:
        """Is the item's leading answer (its largest agreeing group; ties: the first by worker id) right?"""
        kind, iou = task.get("kind", "classification"), task.get("iou_threshold", 0.5)
        subs = sorted(subs, key=lambda w: w["worker"])  # ties go to the first worker id, whatever the order given
        group = core.consensus_group(kind, [(w["worker"], w.get("labels") or []) for w in subs], iou)
        lead = next(w for w in subs if w["worker"] == group[0]).get("labels") or []
        return core.labels_agree(kind, lead, self.truth(task, ti["source"], ti["item_id"]), iou)
