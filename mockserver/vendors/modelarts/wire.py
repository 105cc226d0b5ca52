"""Translating between ModelArts' wire vocabulary and the core's (statuses, sample states, labels, counts).

Sample states, as ModelArts shows them, from the core's item state and acceptance record:

==================================== =============================================================
core                                 ModelArts ``sample_status``
==================================== =============================================================
unlabeled, labeling, changes_requested, skipped   ``__NONE__`` (unannotated)
awaiting_review                      ``__UNREVIEWED__``
rejected (by a reviewer)             ``__REJECTED__``
approved, sampled, no result yet     ``__WORKFORCE_SAMPLED__`` (counted as ``sampled``)
approved, acceptance result          ``__ACCEPTED__`` / ``__REJECTED__``
approved, not sampled                ``__UNCHECK__``; ``__ACCEPTED__`` once the task is accepted (3)
==================================== =============================================================

The vocabulary is the pages' table's (the one the ``sample_state`` filter takes); their examples show
``UN_ANNOTATION``, which no table lists (docs/modelarts.md, Choices).

The task's ``sample_stats`` are the same partition computed from the core's counters (O(1) in the
task size), so they always add up to ``total_sample_count`` and agree with the sample list.
"""
from __future__ import annotations

import hashlib

from mockserver.core import acceptance_result

# core task status -> ModelArts task status (0 starting, 1 running, 2 accepting, 3 accepted, 4 rejected, 6 created)
TASK_STATUS = {"created": 6, "idle": 1, "running": 1, "in_progress": 1, "accepting": 2, "accepted": 3,
               "done": 3, "rejected": 4, "wont_do": 4, "failed": 4, "cancelled": 1}

NONE_STATES = ("unlabeled", "labeling", "changes_requested", "skipped")
SAMPLE_STATES = ("__ALL__", "__NONE__", "__UNCHECK__", "__ACCEPTED__", "__REJECTED__", "__UNREVIEWED__",
                 "__REVIEWED__", "__WORKFORCE_SAMPLED__", "__WORKFORCE_SAMPLED_UNCHECK__",
                 "__WORKFORCE_SAMPLED_CHECKED__", "__WORKFORCE_SAMPLED_ACCEPTED__",
                 "__WORKFORCE_SAMPLED_REJECTED__", "__AUTO_ANNOTATION__")
# label type -> the core's task kind (how agreement would compare labels)
KIND_OF_TYPE = {1: "detection", 3: "polygon"}
SAMPLE_TYPE_OF_LABEL_TYPE = {0: 0, 1: 0, 3: 0, 100: 1, 101: 1, 102: 1, 103: 1, 200: 2, 201: 2, 202: 2, 400: 4,
                             600: 6, 900: 9}


def task_status(core_status: str) -> int:
    return TASK_STATUS.get(core_status, 1)


def sample_status(ti: dict, task_accepted: bool) -> str:
    state = ti["state"]
    if state in NONE_STATES:
        return "__NONE__"
    if state == "awaiting_review":
        return "__UNREVIEWED__"
    if state == "rejected":
        return "__REJECTED__"
    rec = ti.get("acceptance")
    if rec:
        result = acceptance_result(rec)
        if result == "accepted":
            return "__ACCEPTED__"
        if result == "rejected":
            return "__REJECTED__"
        return "__WORKFORCE_SAMPLED__"
    return "__ACCEPTED__" if task_accepted else "__UNCHECK__"


def matches_state(ti: dict, wanted: str | None, task_accepted: bool) -> bool:
    """Whether a task item answers the ``sample_state`` filter of the sample list."""
    if not wanted:
        return True
    shown = sample_status(ti, task_accepted)
    rec = ti.get("acceptance")
    result = acceptance_result(rec) if rec else None
    if wanted == "__ALL__":
        return shown != "__NONE__"
    if wanted == "__REVIEWED__":
        return bool(ti.get("reviews")) and ti["state"] in ("approved", "rejected")
    if wanted == "__WORKFORCE_SAMPLED__":
        return bool(rec)
    if wanted == "__WORKFORCE_SAMPLED_UNCHECK__":
        return bool(rec) and not rec.get("verdicts") and not rec.get("final")
    if wanted == "__WORKFORCE_SAMPLED_CHECKED__":
        return bool(rec) and bool(rec.get("verdicts"))
    if wanted == "__WORKFORCE_SAMPLED_ACCEPTED__":
        return result == "accepted"
    if wanted == "__WORKFORCE_SAMPLED_REJECTED__":
        return result == "rejected"
    if wanted == "__AUTO_ANNOTATION__":
        return False
    return shown == wanted


def task_sample_stats(stats: dict, task_accepted: bool) -> dict:
    """SampleStats of a task from ``core.task_stats`` (a partition of the total)."""
    states, acc = stats["states"], stats["acceptance"]
    resulted = acc["accepted"] + acc["rejected"]
    unsampled = states["approved"] - acc["sampled"]
    return {
        "total_sample_count": stats["total"],
        "unannotated_sample_count": sum(states[s] for s in NONE_STATES),
        "unreviewed_sample_count": states["awaiting_review"],
        "uncheck_sample_count": 0 if task_accepted else unsampled,
        "sampled_sample_count": acc["sampled"] - resulted,
        "rejected_sample_count": states["rejected"] + acc["rejected"],
        "accepted_sample_count": acc["accepted"] + (unsampled if task_accepted else 0),
        "auto_annotation_sample_count": 0,
        "deleted_sample_count": 0,
    }


def worker_sample_stats(w: dict, verdicts: dict, task_accepted: bool) -> dict:
    """SampleStats of one member, from the core's per-worker counters and the owner's verdicts.

    ``w``: core worker counters; ``verdicts``: {accepted, rejected} verdicts on this member's labels.
    Each member counts the samples it holds, so with ``repetition`` r the members' totals add up to
    r times the task's total.
    """
    held, submitted = w["assigned"], w["submitted"]
    approved, rejected = w["approved"], w["rejected"]
    acc_ok, acc_no = verdicts.get("accepted", 0), verdicts.get("rejected", 0)
    unchecked = max(0, approved - acc_ok - acc_no)
    return {
        "total_sample_count": held,
        "unannotated_sample_count": max(0, held - submitted),
        "unreviewed_sample_count": max(0, submitted - approved - rejected),
        "uncheck_sample_count": 0 if task_accepted else unchecked,
        "sampled_sample_count": 0,
        "rejected_sample_count": rejected + acc_no,
        "accepted_sample_count": acc_ok + (unchecked if task_accepted else 0),
        "auto_annotation_sample_count": 0,
        "deleted_sample_count": 0,
    }


def short_stats(s: dict) -> dict:
    """The short keys of the statistics and member-progress calls."""
    return {"total": s["total_sample_count"], "un_annotation": s["unannotated_sample_count"],
            "unreviewed": s["unreviewed_sample_count"], "uncheck": s["uncheck_sample_count"],
            "sampled": s["sampled_sample_count"], "rejected": s["rejected_sample_count"],
            "accepted": s["accepted_sample_count"], "auto_annotation": s["auto_annotation_sample_count"]}


def score_letter(average: float | None) -> str:
    if average is None:
        return "E"
    for letter, floor in (("A", 90), ("B", 70), ("C", 50)):
        if average >= floor:
            return letter
    return "D"


def to_core_labels(labels: list[dict]) -> list[dict]:
    """ModelArts SampleLabel -> core label (``concept`` = name; a bndbox feature becomes ``box``, a
    polygon's ``polygon``, so the core's agreement compares shapes)."""
    out = []
    for label in labels or []:
        prop = label.get("property") or {}
        core = {"concept": str(label.get("name") or ""),
                "attributes": {k: label[k] for k in ("type", "property", "id", "score", "annotated_by") if k in label}}
        feature = prop.get("@modelarts:feature")
        shape = prop.get("@modelarts:shape")
        try:
            if shape == "bndbox" and feature:
                (x0, y0), (x1, y1) = feature
                core["box"] = [x0, y0, x1, y1]
            elif shape == "polygon" and feature and len(feature) >= 3:
                core["polygon"] = [[p[0], p[1]] for p in feature]
        except (TypeError, ValueError):
            pass
        out.append(core)
    return out


def label_id(key: str, index: int, concept: str) -> str:
    """The id of a label that was given none: stable for the same work (``key`` = sample|member)."""
    return hashlib.md5(f"{key}|{index}|{concept}".encode()).hexdigest()


def to_wire_labels(labels: list[dict] | None, default_type: int, key: str = "") -> list[dict]:
    """Core labels -> SampleLabel with every documented field: ``id`` (the one given, else stable per
    work), ``name``, ``type`` (the dataset's label type unless given), ``property`` (as given; a core
    box or polygon without one becomes ``@modelarts:shape`` + ``@modelarts:feature``), ``score`` (the
    confidence given, else 1.0: a person's label) and ``annotated_by`` (``human`` unless given)."""
    out = []
    for i, label in enumerate(labels or []):
        attrs = label.get("attributes") or {}
        prop = dict(attrs.get("property") or {})
        if "@modelarts:feature" not in prop:
            if label.get("box") and len(label["box"]) == 4:
                x0, y0, x1, y1 = label["box"]
                prop.update({"@modelarts:shape": "bndbox", "@modelarts:feature": [[x0, y0], [x1, y1]]})
            elif label.get("polygon"):
                prop.update({"@modelarts:shape": "polygon", "@modelarts:feature": [list(p) for p in label["polygon"]]})
        score = attrs.get("score", label.get("confidence", 1.0))
        out.append({"id": str(attrs.get("id") or label_id(key, i, label["concept"])), "name": label["concept"],
                    "type": attrs.get("type", default_type), "property": prop,
                    "score": float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else 1.0,
                    "annotated_by": attrs.get("annotated_by") or "human"})
    return out


# SampleMetadata: the documented ``@modelarts:`` keys; a sample's other attributes stay in the dataset.
HARD_KEYS = ("@modelarts:hard", "@modelarts:hard_coefficient", "@modelarts:hard_reasons")


def to_wire_metadata(sample: dict, image_size: tuple[int, int] | None) -> dict:
    """``@modelarts:import_origin`` (0 unless given), ``@modelarts:size`` of an image ([width, height, 3]),
    and the hard-example keys when they were set; nothing else."""
    meta = sample.get("metadata") or {}
    out = {"@modelarts:import_origin": meta.get("@modelarts:import_origin", 0)}
    if image_size is not None:
        out["@modelarts:size"] = meta.get("@modelarts:size") or [image_size[0], image_size[1], 3]
    for key in HARD_KEYS:
        if meta.get(key) is not None:
            out[key] = meta[key]
    return out
