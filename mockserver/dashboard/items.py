"""The dashboard's on-demand item pages: a page of a task's items and one item in full (who labeled
what, whether they agree with each other and with the truth, the labels that stand).

Unlike the overview these walk items (ordering a page costs O(items in that state)), so the page asks
for them when the user opens a task or an item, never on its poll.  ``data.Dashboard.task_items`` and
``data.Dashboard.task_item`` are the entry points; these take the store or the world they read.
"""
from __future__ import annotations

from mockserver import core

from .judging import truth_of

BASIS = {"consensus": "consensus", "review": "review", "single": "labeler"}  # "approved by ..."


def task_items(store, task_id: str, state: str | None, offset: int, limit: int) -> dict:
    """A page of items: O(items in that state) to order them, so it is asked for on demand, not polled."""
    page = core.list_task_items(store, task_id, state=state, offset=offset, limit=limit)
    stats = core.task_stats(store, task_id)
    total = stats["states"].get(state, 0) if state else stats["total"]
    items = []
    with core.session(store) as s:
        for ti in page:
            workers = [w["worker"] for w in s.works(ti["id"]) if w["state"] == "submitted"]
            items.append({"item_id": ti["item_id"], "source": ti["source"], "state": ti["state"],
                          "decision": ti.get("decision"), "workers": workers,
                          "reviews": len(ti.get("reviews") or ()), "updated_at": ti.get("updated_at")})
    return {"items": items, "total": total, "offset": offset, "limit": limit}


def task_item(world, task_id: str, item_id: str, source: str | None) -> dict:
    """One item: who labeled what, whether they agree (with each other and the truth), the result."""
    store = world.store
    ti = core.get_task_item(store, task_id, item_id, source)
    works = core.list_work(store, task_id, item_id, ti["source"])
    sim = world.simulation
    with core.session(store) as s:
        task = s.task(task_id)
        if task is None:
            raise core.NotFound(f"task {task_id!r} not found")
        kind, iou = task.get("kind", "classification"), task.get("iou_threshold", 0.5)
        item = s.item(ti["source"], ti["item_id"]) or {}
        truth, truth_kind = truth_of(s, sim, task, ti["source"], ti["item_id"])
    subs = [(w["worker"], w.get("labels") or []) for w in works if w["state"] == "submitted"]
    group = core.consensus_group(kind, subs, iou) if subs else []
    pairs = []
    for i in range(len(subs)):
        for j in range(i + 1, len(subs)):
            pairs.append({"a": subs[i][0], "b": subs[j][0],
                          "agree": core.labels_agree(kind, subs[i][1], subs[j][1], iou)})
    work_out = []
    for w in works:
        labels = w.get("labels") or []
        agrees = (core.labels_agree(kind, labels, truth, iou)
                  if truth and w["state"] == "submitted" else None)
        work_out.append({"worker": w["worker"], "state": w["state"], "labels": labels,
                         "submitted_at": w.get("submitted_at"), "agrees_with_truth": agrees})
    settled = core.result_of(task, ti, works)  # the core's one rule for the labels that stand
    result = {"state": ti["state"], "decision": ti.get("decision"),
              "labels": settled["labels"] if settled else None, "by": BASIS[settled["basis"]] if settled else None,
              "credited": list(ti.get("credited") or ()), "approvals": list(ti.get("approvals") or ()),
              "acceptance": ti.get("acceptance")}
    if result["labels"] is not None and truth:
        result["agrees_with_truth"] = core.labels_agree(kind, result["labels"], truth, iou)
    return {"task_id": task_id, "item_id": ti["item_id"], "source": ti["source"], "state": ti["state"],
            "data": item.get("data"), "truth": truth, "truth_kind": truth_kind, "work": work_out,
            "agreement": {"group": list(group), "pairs": pairs}, "reviews": list(ti.get("reviews") or ()),
            "result": result}
