"""Acceptance: the owner samples approved labels, comments on them, then passes or fails the task."""
from __future__ import annotations

from mockserver import core
from mockserver.core import AcceptanceRunning, InvalidState, NotFound

from ....world import current_world
from .. import records as R
from .. import service as S
from ..errors import err, invalid
from ..wire import score_letter
from .common import _ctid, _store, _task_accepted, _worker_email
from .samples import _comment_fields, _task_sample_view


async def start_workforce_sampling_task(project_id, dataset_id, workforce_task_id, body):
    world = current_world()
    store = world.store
    rate, number = body.get("sampling_rate"), body.get("sampling_num")
    if rate is None and number is None:
        raise invalid("give sampling_rate or sampling_num")
    if rate is not None and not 0 < rate <= 1:
        raise invalid("sampling_rate is in (0, 1]")
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        acc_id = R.new_id(store, "acceptance")
        try:
            core.start_acceptance(store, _ctid(task), rate=float(rate) if rate is not None else None,
                                  number=int(number) if number is not None and rate is None else None,
                                  acceptance_id=acc_id)
        except AcceptanceRunning:
            raise err("4623", "Workforce task is checking: only one acceptance at a time") from None
        except InvalidState:
            raise err("4625", "There are no unchecked samples: nothing has been labeled and approved yet") from None
        R.tasks(store).update(task["id"], {"checking_task_id": acc_id, "update_time": world.now_ms()})
    return {"task_id": acc_id}


def _check_stats(figures: dict, task_total: int, task_id: str, rate=None, number=None) -> dict:
    """CheckTaskStats from the figures of ``core.report`` or ``core.acceptance_history``."""
    return {"task_id": task_id,
            "sampling_rate": rate if rate is not None else (figures["sampled"] / task_total if task_total else 0.0),
            "sampling_num": number if number is not None else figures["sampled"],
            "total_sample_count": task_total, "sampled_sample_count": figures["sampled"],
            "checked_sample_count": figures["checked"], "unchecked_sample_count": figures["unchecked"],
            "accepted_sample_count": figures["accepted"], "rejected_sample_count": figures["rejected"],
            "pass_rate": figures["pass_rate"], "score": score_letter(figures["score"]),
            "total_score": figures["score_sum"]}


async def get_workforce_sampling_task(project_id, dataset_id, workforce_task_id, checking_task_id=None):
    """``total_stats`` (every acceptance of the task) and, for the acceptance ``checking_task_id``
    names, ``checking_stats``.  The page marks ``checking_task_id`` mandatory but its example sends
    none and gets ``total_stats`` alone: without it, that is the answer."""
    store = _store()
    task = R.load_task(store, project_id, dataset_id, workforce_task_id)
    ctid = _ctid(task)
    total = core.task_stats(store, ctid)["total"]
    out = {"total_stats": _check_stats(core.acceptance_history(store, ctid), total, task["id"])}
    if checking_task_id is not None:
        mine = next((a for a in core.list_acceptances(store, ctid) if a["id"] == checking_task_id), None)
        if mine is None:
            raise err("4612", f"Task not found: acceptance {checking_task_id}")
        out["checking_stats"] = _check_stats(core.report(store, mine["id"]), total, mine["id"], mine.get("rate"),
                                             mine.get("number"))
    return out


def _current_acceptance(store, task: dict) -> str:
    acc_id = core.get_task(store, _ctid(task)).get("acceptance_id")
    if not acc_id:
        raise err("4624", "The member task is not checked: no acceptance is running for this task")
    return acc_id


async def accept_samples(project_id, dataset_id, workforce_task_id, body):
    """The owner's verdicts on sampled samples, all or nothing: every comment is checked (the sample is
    sampled by the running acceptance, the member has work on it) before any is recorded."""
    store = _store()
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        acc_id = _current_acceptance(store, task)
        ctid = _ctid(task)
        source = R.source_of(project_id, dataset_id)
        checked = []
        for c in body["comments"]:
            _comment_fields(c)
            if not c.get("sample_id"):
                raise invalid("comments[].sample_id is required")
            email = _worker_email(store, project_id, c.get("worker_id"))
            try:
                ti = core.get_task_item(store, ctid, c["sample_id"], source=source)
            except NotFound:
                raise err("4420", f"Sample not found in the acceptance: {c['sample_id']}") from None
            if (ti.get("acceptance") or {}).get("id") != acc_id:
                raise err("4420", f"Sample not found in the acceptance: {c['sample_id']} is not sampled by {acc_id}")
            if email and email not in {w["worker"] for w in core.list_work(store, ctid, c["sample_id"], source=source)}:
                raise err("4420", f"Sample not found in the acceptance: {c.get('worker_id')} has no labels on "
                                  f"{c['sample_id']}")
            checked.append((c, email))
        for c, email in checked:
            core.comment(store, acc_id, c["sample_id"], email, bool(c["accept"]), score=c.get("score") or None,
                         comment=c.get("comment") or None, source=source)
    return {}


async def update_workforce_sampling_task(project_id, dataset_id, workforce_task_id, body, locale=None, **kwargs):
    world = current_world()
    store = world.store
    action = int(body["action"])
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        if action == 3:
            acc_id = core.get_task(store, _ctid(task)).get("acceptance_id") or task.get("checking_task_id")
            if not acc_id:
                raise err("4624", "The member task is not checked: the task has no acceptance")
            result = core.act(store, acc_id, 3)
            ctid = _ctid(task)
            accepted = _task_accepted(core.get_task(store, ctid))
            samples = [_task_sample_view(task, core.get_task_item(store, ctid, c["item_id"], source=c["source"]),
                                         accepted) for c in result["conflicts"]]
            return {"sample_count": len(samples), "samples": samples}
        acc_id = _current_acceptance(store, task)
        core.act(store, acc_id, action, overwrite_last_result=bool(body.get("overwrite_last_result", False)))
        R.tasks(store).update(task["id"], {"update_time": world.now_ms()})
        if action in (0, 4, 5) and task["auto_sync_dataset"]:
            S.sync_accepted_labels(world, task, R.load_dataset(store, project_id, dataset_id))
    return {}
