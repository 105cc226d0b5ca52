"""The item result: the labels that stand for a settled item of a task. One rule, for every reader (vendor
views, dataset sync, the simulation's report, the dashboard).

* consensus approved the item: the winning group's labels (``ti["winner"]``), basis ``consensus``;
* a reviewer approved it, or the task has no review: the labels of the largest agreeing group among the
  credited workers' submissions (with one labeler, that labeler's), basis ``review`` or ``single``;
* rejected, skipped or not settled yet: no result (``None``).

An acceptance (ModelArts) does not change the labels; ``accepted`` says what it concluded (``accepted``,
``rejected`` or ``None`` while none did), so a reader that keeps only accepted results filters on it.

Cost: O(submissions on the item) (the agreement of each pair when no winner is stored).
"""
from __future__ import annotations

import copy

from .agreement import consensus_group
from .ledger import acceptance_result


def labeling_of(works) -> tuple[list[dict], int, bool]:
    """An item's labeling from its work documents: (the submitted ones, how many workers are still on it --
    assigned, in progress or submitted --, whether anyone did more than being assigned). Labeling is complete
    when every worker still on the item submitted: ``len(submitted) == active``."""
    submitted, active, acted = [], 0, False
    for w in works:
        state = w["state"]
        if state == "submitted":
            submitted.append(w)
            active += 1
        elif state == "assigned" or state == "in_progress":
            active += 1
        if state != "assigned":
            acted = True
    return submitted, active, acted


def result_of(task: dict, ti: dict, works) -> dict | None:
    """The result of task-item ``ti`` given its work documents (live documents are fine: nothing is kept)."""
    if ti.get("state") != "approved":
        return None
    accepted = acceptance_result(ti.get("acceptance"))
    winner = ti.get("winner")
    if winner:
        return {"labels": winner.get("labels") or [], "workers": list(winner.get("workers") or [winner["worker"]]),
                "basis": "consensus", "accepted": accepted}
    credited = set(ti.get("credited") or ())
    subs = [w for w in works if w["state"] == "submitted" and (not credited or w["worker"] in credited)]
    if not subs:
        return None
    group = consensus_group(task.get("kind", "classification"), [(w["worker"], w.get("labels") or []) for w in subs],
                            task.get("iou_threshold", 0.5))
    first = next(w for w in subs if w["worker"] == group[0])
    return {"labels": first.get("labels") or [], "workers": group,
            "basis": "single" if len(subs) == 1 else "review", "accepted": accepted}


def item_result(store, task_id: str, item_id: str, source: str | None = None) -> dict | None:
    """A copy of the item's result in the task (see the module), or None."""
    from . import records as R
    from .planning import ready_task

    with store.lock:
        task = ready_task(store, task_id)
        ti = R.find_task_item(store, task_id, item_id, source, task)
        found = result_of(task, ti, R.find_eq(R.work(store), "ti", ti["id"]))
        return copy.deepcopy(found)
