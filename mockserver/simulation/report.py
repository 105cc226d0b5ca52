"""The figures of a run, read from the core's state: per task and per simulated person.

O(items + work) once, at the end of a run (never per event).
"""
from __future__ import annotations

from mockserver import core
from mockserver.core import records as R


def build(world, sim=None) -> dict:
    store = world.store
    sim = sim or world.services.get("simulation")
    tis_coll, works_coll, items_coll = R.task_items(store), R.work(store), R.items(store)
    people = dict.fromkeys(sim.people if sim else [])
    per_worker: dict[str, dict] = {}
    tasks_out = []
    with store.lock:
        for task in R.tasks(store).all():
            kind, iou = task.get("kind", "classification"), task.get("iou_threshold", 0.5)
            stats = core.task_stats(store, task["id"])
            complete = consensus = approved_known = approved_right = 0
            for ti in tis_coll.find(task_id=task["id"]):
                works = works_coll.find(ti=ti["id"])
                subs = [w for w in works if w["state"] == "submitted"]
                item = items_coll.get(ti["item_key"]) or {}
                # Without ground truth, the simulation's latent truth (what its people were right or wrong about).
                truth = item.get("ground_truth") or (sim.truth(task, ti["source"], ti["item_id"]) if sim else None)
                for w in subs:
                    pw = per_worker.setdefault(w["worker"], {"submitted": 0, "with_truth": 0, "correct": 0,
                                                             "first_at": None, "last_at": None})
                    pw["submitted"] += 1
                    at = w.get("submitted_at")
                    if at is not None:
                        pw["first_at"] = at if pw["first_at"] is None else min(pw["first_at"], at)
                        pw["last_at"] = at if pw["last_at"] is None else max(pw["last_at"], at)
                    if truth:
                        pw["with_truth"] += 1
                        pw["correct"] += core.labels_agree(kind, w.get("labels") or [], truth, iou)
                active = [w for w in works if w["state"] in ("assigned", "in_progress", "submitted")]
                if subs and len(subs) == len(active):
                    complete += 1
                    if ti.get("winner"):
                        consensus += 1
                if ti["state"] == "approved" and subs and truth:
                    final = (ti.get("winner") or {}).get("labels")
                    if final is None:
                        group = core.consensus_group(kind, [(w["worker"], w.get("labels") or []) for w in subs], iou)
                        final = next(w for w in subs if w["worker"] == group[0]).get("labels") or []
                    approved_known += 1
                    approved_right += core.labels_agree(kind, final, truth, iou)
            reviews = {"approved": 0, "rejected": 0, "changes_requested": 0}
            for counts in stats["reviewers"].values():
                for k in reviews:
                    reviews[k] += counts.get(k, 0)
            tasks_out.append({
                "task": task["id"], "status": task["status"], "kind": kind, "items": stats["total"],
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
    return {"tasks": tasks_out, "workers": workers_out}


def _fmt(x, pct=False) -> str:
    if x is None:
        return "-"
    return f"{100 * x:.1f}%" if pct else (f"{x:.1f}" if isinstance(x, float) else str(x))


def render(rep: dict) -> str:
    lines = []
    head = f"{'task':32s} {'status':10s} {'items':>7s} {'done':>7s} {'consensus':>9s} {'accuracy':>8s}  reviews a/r/c"
    lines.append(head)
    for t in rep["tasks"]:
        r = t["reviews"]
        lines.append(f"{t['task'][:32]:32s} {t['status'][:10]:10s} {t['items']:7d} {t['done']:7d} "
                     f"{_fmt(t['consensus_rate'], True):>9s} {_fmt(t['accuracy'], True):>8s}  "
                     f"{r['approved']}/{r['rejected']}/{r['changes_requested']}")
        acc = t["acceptance"]
        if acc.get("sampled"):
            lines.append(f"{'':32s} acceptance: sampled {acc['sampled']}, accepted {acc['accepted']}, "
                         f"rejected {acc['rejected']}")
    lines.append("")
    lines.append(f"{'worker':24s} {'submitted':>9s} {'reviewed':>8s} {'items/h':>8s} {'accuracy':>8s}")
    for w in rep["workers"]:
        lines.append(f"{w['worker'][:24]:24s} {w['submitted']:9d} {w['reviewed']:8d} "
                     f"{_fmt(w['items_per_hour']):>8s} {_fmt(w['accuracy'], True):>8s}")
    return "\n".join(lines)
