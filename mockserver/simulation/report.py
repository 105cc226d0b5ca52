"""The figures of a run, read from the core's state: per task and per simulated person.

O(items + work) once, at the end of a run (never per event): the documents are read live through a
``core.Session`` (no copies), the statistics through ``task_stats``.

A task is *part of the scenario* when one of its simulated people can work on it (as a worker, a
reviewer or its acceptance checker); it is *settled* when every item is approved, rejected or skipped
(and a simulated acceptance check is concluded). A run is complete when every task that is part of the
scenario is settled. Tasks of the workspace that nobody touched (the embedded default workspace's own
task, in most scenarios) are listed apart, as ``untouched_tasks``.
"""
from __future__ import annotations

from mockserver import core


def build(world, sim=None) -> dict:
    store = world.store
    sim = sim or world.simulation
    people = dict.fromkeys(sim.people if sim else [])
    per_worker: dict[str, dict] = {}
    tasks_out = []
    with core.session(store) as s:
        for task in s.tasks():
            kind, iou = task.get("kind", "classification"), task.get("iou_threshold", 0.5)
            agree = _memo_agree(kind, iou)
            stats = s.task_stats(task["id"])
            complete = consensus = approved_known = approved_right = 0
            acted = False  # anything beyond the initial assignment happened
            works_of, item_of, labeling_of, result_of = s.works, s.item, core.labeling_of, core.result_of
            for ti in s.task_items(task["id"]):
                subs, active, touched = labeling_of(works_of(ti["id"]))
                acted = acted or touched
                item = item_of(ti["source"], ti["item_id"]) or {}
                # Without ground truth, the simulation's latent truth (what its people were right or wrong about).
                truth = item.get("ground_truth") or (sim.truth(task, ti["source"], ti["item_id"]) if sim else None)
                for w in subs:
                    name = w["worker"]
                    pw = per_worker.get(name)
                    if pw is None:
                        pw = per_worker[name] = {"submitted": 0, "with_truth": 0, "correct": 0,
                                                 "first_at": None, "last_at": None}
                    pw["submitted"] += 1
                    at = w.get("submitted_at")
                    if at is not None:
                        first = pw["first_at"]
                        if first is None or at < first:
                            pw["first_at"] = at
                        last = pw["last_at"]
                        if last is None or at > last:
                            pw["last_at"] = at
                    if truth:
                        pw["with_truth"] += 1
                        pw["correct"] += agree(w.get("labels") or _NO_LABELS, truth)
                if subs and len(subs) == active:
                    complete += 1
                    if ti.get("winner"):
                        consensus += 1
                result = result_of(task, ti, subs) if truth and subs else None
                if result is not None:
                    approved_known += 1
                    # (the winner's labels are one of the submissions' lists: the memo knows them already)
                    approved_right += agree(result["labels"], truth)
            reviews = {"approved": 0, "rejected": 0, "changes_requested": 0}
            for counts in stats["reviewers"].values():
                for k in reviews:
                    reviews[k] += counts.get(k, 0)
            involved = _involved(task, people, sim)
            acted = acted or stats["done"] > 0 or any(reviews.values()) or bool(stats["acceptance"].get("sampled"))
            tasks_out.append({
                "task": task["id"], "status": task["status"], "kind": kind, "items": stats["total"],
                "part_of_scenario": involved, "settled": _settled(task, stats, sim),
                "untouched": not involved and not acted,
                "done": stats["done"], "states": stats["states"],
                "labeling_complete": complete,
                "consensus_rate": consensus / complete if complete and task["review"]["strategy"] == "consensus" else None,
                "accuracy": approved_right / approved_known if approved_known else None,
                "accuracy_items": approved_known,
                "reviews": reviews, "acceptance": stats["acceptance"],
            })
    workers_out = []
    names = list(people) + sorted(w for w in per_worker if w not in people)
    for name in names:
        pw = per_worker.get(name, {"submitted": 0, "with_truth": 0, "correct": 0, "first_at": None, "last_at": None})
        doc = store.table("sim_people").get(name) or {}
        span = (pw["last_at"] - pw["first_at"]) if pw["first_at"] is not None else 0.0
        workers_out.append({
            "worker": name, "simulated": name in people, "submitted": pw["submitted"],
            "reviewed": doc.get("reviewed", 0), "skipped": doc.get("skipped", 0), "checked": doc.get("checked", 0),
            "items_per_hour": pw["submitted"] / (span / 3600.0) if span > 0 else None,
            "accuracy": pw["correct"] / pw["with_truth"] if pw["with_truth"] else None,
        })
    return {"tasks": tasks_out, "workers": workers_out,
            "untouched_tasks": [t["task"] for t in tasks_out if t["untouched"]],
            "unsettled_tasks": [t["task"] for t in tasks_out if t["part_of_scenario"] and not t["settled"]],
            "complete": all(t["settled"] for t in tasks_out if t["part_of_scenario"])}


_NO_LABELS: list = []
_MEMO_MAX = 4096


def _memo_agree(kind: str, iou: float):
    """``core.labels_agree(kind, labels, truth, iou)``, remembered per pair of list objects: the core
    shares one list between every document with the same concept-only labels (submissions, ground
    truths), so a big classification task compares a handful of distinct pairs, not one per
    submission.  The memo holds the lists it keys on by id (an id is not reused while they live) and
    starts over past ``_MEMO_MAX`` pairs (labels that are not shared: boxes...)."""
    memo: dict = {}

    def agree(labels: list, truth: list) -> bool:
        key = (id(labels), id(truth))
        hit = memo.get(key)
        if hit is not None:
            return hit[2]
        ok = core.labels_agree(kind, labels, truth, iou)
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[key] = (labels, truth, ok)
        return ok

    return agree


def _involved(task: dict, people: dict, sim) -> bool:
    """Can one of the scenario's simulated people work on ``task``?"""
    if any(p in people for p in task.get("workers") or ()):
        return True
    if any(p in people for p in task["review"]["reviewers"]):
        return True
    checker = ((sim.acceptance if sim else {}).get(task["id"]) or {}).get("checker")
    return checker in people


def _settled(task: dict, stats: dict, sim) -> bool:
    """Every item approved, rejected or skipped, and no acceptance check left running."""
    if stats["done"] < stats["total"] or task["status"] == "accepting":
        return False
    cfg = (sim.acceptance if sim else {}).get(task["id"])
    if cfg and cfg.get("checker") in (sim.people if sim else {}) and stats["states"].get("approved", 0) > 0:
        return task["status"] in ("accepted", "rejected")
    return True


def _fmt(x, pct=False) -> str:
    if x is None:
        return "-"
    return f"{100 * x:.1f}%" if pct else (f"{x:.1f}" if isinstance(x, float) else str(x))


def render(rep: dict) -> str:
    """The report as fixed-width tables, every column as wide as its longest value (names never cut)."""
    lines = []
    untouched = list(rep.get("untouched_tasks") or ())
    hidden = set(untouched)
    shown = [t for t in rep["tasks"] if t["task"] not in hidden]
    tw = max([len("task")] + [len(t["task"]) for t in shown])
    sw = max([len("status")] + [len(t["status"]) for t in shown])
    lines.append(f"{'task':{tw}s} {'status':{sw}s} {'items':>7s} {'done':>7s} {'consensus':>9s} {'accuracy':>8s}"
                 "  reviews a/r/c")
    for t in shown:
        r = t["reviews"]
        lines.append(f"{t['task']:{tw}s} {t['status']:{sw}s} {t['items']:7d} {t['done']:7d} "
                     f"{_fmt(t['consensus_rate'], True):>9s} {_fmt(t['accuracy'], True):>8s}  "
                     f"{r['approved']}/{r['rejected']}/{r['changes_requested']}")
        acc = t["acceptance"]
        if acc.get("sampled"):
            lines.append(f"{'':{tw}s} acceptance: sampled {acc['sampled']}, accepted {acc['accepted']}, "
                         f"rejected {acc['rejected']}")
    if untouched:
        lines.append(f"not part of the scenario (untouched): {', '.join(untouched)}")
    lines.append("")
    ww = max([len("worker")] + [len(w["worker"]) for w in rep["workers"]])
    lines.append(f"{'worker':{ww}s} {'submitted':>9s} {'reviewed':>8s} {'items/h':>8s} {'accuracy':>8s}")
    for w in rep["workers"]:
        lines.append(f"{w['worker']:{ww}s} {w['submitted']:9d} {w['reviewed']:8d} "
                     f"{_fmt(w['items_per_hour']):>8s} {_fmt(w['accuracy'], True):>8s}")
    return "\n".join(lines)
