"""Workforce tasks: create, list, describe, update, start, delete.

A task (WorkforceTask) shows every field of the documentation's response table and nothing else
(``data_sync_type`` is a request field: kept, not shown).  ``sample_stats`` and ``workforce_stats``
are shown unless asked not to (``=false``), as the documentation's example shows them for a request
without parameters; ``label_stats`` only when asked (``=true``).  ``checking_task_desc`` appears once
an acceptance was started: its id, ``overwrite_last_result``, its live report (``checking_stats``),
the report of every acceptance of the task (``total_stats``) and, once the owner concluded it, the
``action`` taken.  Members in ``workforces_config`` are whole Worker objects.
"""
from __future__ import annotations

import itertools
import sys

from mockserver import core
from mockserver.store import ReadMemo

from ....world import current_world
from .. import records as R
from .. import service as S
from ..errors import err, invalid
from ..wire import task_sample_stats, task_status
from .acceptance import _check_stats
from .common import _ctid, _member_view, _store, _task_accepted
from .stats import _label_stats, _worker_stats


def _checking_desc(store, task: dict, total: int) -> dict | None:
    acc_id = task.get("checking_task_id")
    if not acc_id:
        return None
    acc = core.get_acceptance(store, acc_id)
    desc = {"checking_task_id": acc_id, "overwrite_last_result": bool(acc.get("overwrite_last_result", False))}
    if acc.get("action") is not None:
        desc["action"] = acc["action"]
    desc["checking_stats"] = _check_stats(core.report(store, acc_id), total, acc_id, acc.get("rate"), acc.get("number"))
    desc["total_stats"] = _check_stats(core.acceptance_history(store, _ctid(task)), total, task["id"])
    return desc


def _workforces_view(store, task: dict) -> dict:
    config = task["workforces_config"]
    out = {"workforces": [{"workforce_id": wf["workforce_id"], "workforce_name": wf.get("workforce_name") or "",
                           "workers": [_member_view(store, w, task) for w in wf.get("workers", [])]}
                          for wf in config.get("workforces", [])]}
    if config.get("agency"):
        out["agency"] = config["agency"]
    return out


def _task_view(task: dict, label_stats=False, sample_stats=False, workforce_stats=False, detail=False) -> dict:
    """The task as the documentation shows it: built once per state of the store (a list page read
    again and again between writes costs its views once); shared, so never changed after."""
    store = _store()
    key = (task["id"], bool(label_stats), bool(sample_stats), bool(workforce_stats), detail)
    return store.extension("modelarts_task_views", ReadMemo).get(
        key, lambda: _build_view(store, task, label_stats, sample_stats, workforce_stats, detail))


def _build_view(store, task: dict, label_stats, sample_stats, workforce_stats, detail) -> dict:
    ctid = _ctid(task)
    core_task = core.peek_task(store, ctid)  # read only (status, workers, reviewers): no copy of the plan
    stats = core.peek_stats(store, ctid)  # read only, as core_task: no copy per task of a page
    acc = stats["acceptance"]
    history = core.acceptance_history(store, ctid)
    view = {
        "task_id": task["id"], "task_name": task["task_name"], "description": task["description"],
        "dataset_id": task["dataset_id"], "version_id": "", "status": task_status(core_task["status"]),
        "repetition": task["repetition"], "create_time": task["create_time"], "update_time": task["update_time"],
        "workforces_config": _workforces_view(store, task), "synchronize_data": task["synchronize_data"],
        "synchronize_auto_labeling_data": task["synchronize_auto_labeling_data"],
        "auto_sync_dataset": task["auto_sync_dataset"],
        "sample_search_conditions": task["sample_search_conditions"],
        "check_rate": acc["sampled"] / stats["total"] if stats["total"] else 0.0,
        "pass_rate": history["pass_rate"],
        "score": history["score"] or 0.0,
    }
    desc = _checking_desc(store, task, stats["total"])
    if desc:
        view["checking_task_desc"] = desc
    if sample_stats:
        view["sample_stats"] = task_sample_stats(stats, _task_accepted(core_task))
    if label_stats:
        view["label_stats"] = _label_stats(task, stats)
    if workforce_stats:
        view["workforce_stats"] = {"workforce_count": len(task["workforces_config"].get("workforces", [])),
                                   "labeler_count": len(core_task["workers"]),
                                   "reviewer_count": len(core_task["review"]["reviewers"])}
    if detail:
        view["worker_stats"] = _worker_stats(store, task, core_task, stats)
    return view


def _repetition(value) -> int:
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid("repetition must be an integer >= 1")
    return value


async def create_workforce_task(project_id, dataset_id, body):
    world = current_world()
    store = world.store
    name = body.get("task_name") or None
    with store.lock:
        dataset = R.load_dataset(store, project_id, dataset_id)
        if name is None:
            name = f"task-{R.new_id(store, 'task-name', 4).lower()}"
        if R.tasks(store).first(name_key=f"{dataset_id}|{name}") is not None:
            raise err("4620", f"The workforce task already exists: {name}")
        _repetition(body.get("repetition"))
        task = S.create_task(world, project_id, dataset, {**body, "task_name": name})
    return {"task_id": task["id"]}


async def list_workforce_tasks(project_id, dataset_id, offset=0, limit=1000, **kwargs):
    store = _store()
    R.load_dataset(store, project_id, dataset_id)
    # Newest first = reverse insertion order, read lazily: the cost follows the page, not the task count.
    size = int(limit) if limit is not None else 1000
    start = min(int(offset or 0), sys.maxsize - size)  # an offset past any data is empty, never an error
    page = list(itertools.islice(R.tasks(store).iter(reverse=True, dataset_key=dataset_id), start, start + size))
    return {"count": R.tasks(store).count(dataset_key=dataset_id),
            "tasks": [_task_view(d, sample_stats=True, workforce_stats=True) for d in page]}


async def desc_workforce_task(project_id, dataset_id, workforce_task_id, label_stats=False, sample_stats=True,
                              workforce_stats=True):
    task = R.load_task(_store(), project_id, dataset_id, workforce_task_id)
    return _task_view(task, label_stats=label_stats, sample_stats=sample_stats, workforce_stats=workforce_stats,
                      detail=True)


def _apply_workforces(world, task: dict, config: dict | None) -> None:
    store = world.store
    stored, labelers, reviewers = S.resolve_workforces(store, task["project_id"], config)
    core.update_task_workers(store, _ctid(task), labelers, review=S.review_spec(reviewers))
    R.tasks(store).update(task["id"], {"workforces_config": stored, "update_time": world.now_ms()})


async def update_workforce_task(project_id, dataset_id, workforce_task_id, body):
    world = current_world()
    store = world.store
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        fields = {"update_time": world.now_ms()}
        name = body.get("task_name")
        if name and name != task["task_name"]:
            if R.tasks(store).first(name_key=f"{dataset_id}|{name}") is not None:
                raise err("4620", f"The workforce task already exists: {name}")
            fields.update(task_name=name, name_key=f"{dataset_id}|{name}")
        if "description" in body:
            fields["description"] = body["description"] or ""
        if body.get("workforces_config"):
            _apply_workforces(world, task, body["workforces_config"])
        R.tasks(store).update(task["id"], fields)
    return {}


async def start_workforce_task(project_id, dataset_id, workforce_task_id, body=None):
    world = current_world()
    store = world.store
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        if (body or {}).get("workforces_config"):
            _apply_workforces(world, task, body["workforces_config"])
        core_task = core.get_task(store, _ctid(task))
        if not core.can_change(core_task["status"], "running"):  # an acceptance holds the status
            raise err("4623", "Workforce task is checking: it cannot be started during an acceptance")
        if not core_task["workers"]:
            raise err("4621", "Failed to start the team labeling task: it has no labelers")
        core.set_task_status(store, _ctid(task), "running")
        R.tasks(store).update(task["id"], {"update_time": world.now_ms()})
    return {}


async def delete_workforce_task(project_id, dataset_id, workforce_task_id):
    store = _store()
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        core.delete_task(store, _ctid(task))
        R.tasks(store).remove(task["id"])
    return None, 204
