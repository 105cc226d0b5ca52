"""Statistics of a workforce task, its members' metrics and progress, and a member's tasks."""
from __future__ import annotations

from mockserver import core

from .. import records as R
from ..wire import short_stats, task_sample_stats, task_status, worker_sample_stats
from ..errors import forbidden
from .common import _caller_email, _ctid, _page, _sorted, _store, _task_accepted
from .samples import _check_state


def _worker_stats(store, task: dict, core_task: dict, stats: dict) -> list[dict]:
    verdicts = core.acceptance_history(store, _ctid(task))["workers"]  # owner verdicts per member
    accepted = _task_accepted(core_task)
    out = []
    for wf in task["workforces_config"].get("workforces", []):
        for w in wf["workers"]:
            counters = stats["workers"].get(w["email"]) or {f: 0 for f in core.WORKER_FIELDS}
            mine = verdicts.get(w["email"], {})
            out.append({
                "email": w["email"], "worker_id": w["worker_id"], "role": w["role"], "task_id": task["id"],
                "workforce_task_name": task["task_name"], "dataset_id": task["dataset_id"],
                "dataset_type": task["dataset_type"], "task_status": task_status(core_task["status"]),
                "sample_stats": worker_sample_stats(counters, mine, accepted),
                "pass_rate": mine.get("pass_rate", 0.0),
                "score": 0.0, "email_status": task["email_status"].get(w["email"], 0),
                "last_notify_time": task["last_notify"].get(w["email"], 0),
                "create_time": task["create_time"], "update_time": task["update_time"]})
    return out


def _label_stats(task: dict, stats: dict) -> list[dict]:
    # The core counts labels per concept; a label is counted once per member who gave it.
    return [{"name": name, "type": task["label_type"], "property": {}, "attributes": [], "count": n, "sample_count": n}
            for name, n in stats["labels_submitted"].items()]


async def list_workforce_task_stats(project_id, dataset_id, workforce_task_id, sample_state=None, **kwargs):
    store = _store()
    task = R.load_task(store, project_id, dataset_id, workforce_task_id)
    _check_state(sample_state)
    ctid = _ctid(task)
    stats = core.task_stats(store, ctid)
    sample_stats = task_sample_stats(stats, _task_accepted(core.get_task(store, ctid)))
    label_stats = _label_stats(task, stats)
    return {"sample_stats": short_stats(sample_stats), "label_stats": label_stats,
            "grouped_label_stats": {str(task["label_type"]): label_stats} if label_stats else {},
            "key_sample_stats": {"total": stats["total"], "non_key_sample": stats["total"], "key_sample": 0},
            "metadata_stats": {}, "hard_detail_stats": {}, "data_spliting_enable": False,
            "data_path": R.load_dataset(store, project_id, dataset_id)["data_path"]}


async def get_workforce_task_metrics(project_id, dataset_id, workforce_task_id):
    store = _store()
    task = R.load_task(store, project_id, dataset_id, workforce_task_id)
    ctid = _ctid(task)
    core_task = core.get_task(store, ctid)
    rows = _worker_stats(store, task, core_task, core.task_stats(store, ctid))
    out = {}
    for row in rows:
        s = short_stats(row["sample_stats"])
        s.pop("total")
        s.pop("sampled")
        out[row["email"]] = s
    return {"sample_stats": out}


async def list_worker_tasks(project_id, offset=0, limit=10, order=None, sort_by=None, search_content=None,
                            email=None, **kwargs):
    """The calling member's tasks (a member calls with its own token, ``records.member_token``).  The
    owner (AK/SK or the owner's token) is no member: ``email`` (a stand-in extension) names the member
    to answer for; without it the owner gets every member's rows."""
    store = _store()
    caller = _caller_email()
    if caller is not None:
        if email not in (None, caller):
            raise forbidden(f"{caller} may list only its own tasks, not those of {email}")
        email = caller
    rows = []
    for task in R.tasks(store).find(project_id=project_id):
        if search_content and search_content.lower() not in task["task_name"].lower():
            continue
        ctid = _ctid(task)
        core_task = core.get_task(store, ctid)
        stats = core.task_stats(store, ctid)
        rows.extend(r for r in _worker_stats(store, task, core_task, stats) if not email or r["email"] == email)
    rows = _sorted(rows, sort_by, order)
    return {"count": len(rows), "worker_tasks": _page(rows, offset, limit, 10)}
