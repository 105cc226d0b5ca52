"""ModelArts team-labeling handlers (operationId -> snake_case): wire format <-> core.

Every route is under ``/v2/{project_id}``; the gate has already checked that the caller owns the
project.  Missing resources answer HTTP 400 with the resource's own code (see ``records``).
"""
from __future__ import annotations

import itertools
import sys

from mockserver import core
from mockserver.core import AcceptanceRunning, InvalidArgument, InvalidState, NotAllowed, NotFound

from ...world import current_world
from . import records as R
from . import service as S
from .translate import (SAMPLE_STATES, sample_status, matches_state, score_letter, short_stats, task_sample_stats,
                        task_status, to_core_labels, to_wire_labels, worker_sample_stats)


def _store():
    return current_world().store


def _page(items: list, offset, limit, default_limit: int) -> list:
    offset = int(offset or 0)
    limit = int(limit) if limit is not None else default_limit
    return items[offset: offset + limit]


# ====================================================================== teams (workforces)

def _workforce_view(doc: dict) -> dict:
    return {"workforce_id": doc["id"], "workforce_name": doc["workforce_name"], "description": doc["description"],
            "worker_count": R.workers(_store()).count(workforce_id=doc["id"]), "workspace_id": "0",
            "create_time": doc["create_time"], "update_time": doc["update_time"]}


def _sorted(docs: list, sort_by: str | None, order: str | None, default: str = "create_time") -> list:
    key = sort_by or default
    return sorted(docs, key=lambda d: (d.get(key) is None, d.get(key)), reverse=(order or "desc") == "desc")


async def create_workforce(project_id, body):
    world = current_world()
    store = world.store
    name = body["workforce_name"]
    with store.lock:
        if R.workforces(store).first(name_key=f"{project_id}|{name}") is not None:
            raise R.err("4602", f"The workforce already exists: {name}")
        now = world.now_ms()
        doc = R.workforces(store).insert({"id": R.new_id(store, "workforce"), "project_id": project_id,
                                          "name_key": f"{project_id}|{name}", "workforce_name": name,
                                          "description": body.get("description") or "",
                                          "create_time": now, "update_time": now})
    return {"workforce_id": doc["id"]}, 201


async def list_workforces(project_id, offset=0, limit=10, order=None, sort_by=None, search_content=None,
                          workforce_task_id=None, **kwargs):
    store = _store()
    docs = R.workforces(store).find(project_id=project_id)
    if search_content:
        docs = [d for d in docs if search_content.lower() in d["workforce_name"].lower()]
    if workforce_task_id:
        task = R.tasks(store).get(workforce_task_id)
        wanted = {wf["workforce_id"] for wf in (task or {}).get("workforces_config", {}).get("workforces", [])}
        docs = [d for d in docs if d["id"] in wanted]
    docs = _sorted(docs, sort_by, order)
    return {"total_number": len(docs), "workforces": [_workforce_view(d) for d in _page(docs, offset, limit, 10)]}


async def show_workforce(project_id, workforce_id):
    return _workforce_view(R.load_workforce(_store(), project_id, workforce_id))


async def update_workforce(project_id, workforce_id, body):
    world = current_world()
    store = world.store
    with store.lock:
        doc = R.load_workforce(store, project_id, workforce_id)
        fields = {"update_time": world.now_ms()}
        name = body.get("workforce_name")
        if name and name != doc["workforce_name"]:
            if R.workforces(store).first(name_key=f"{project_id}|{name}") is not None:
                raise R.err("4602", f"The workforce already exists: {name}")
            fields.update(workforce_name=name, name_key=f"{project_id}|{name}")
        if "description" in body:
            fields["description"] = body["description"] or ""
        R.workforces(store).update(workforce_id, fields)
    return {}


async def delete_workforce(project_id, workforce_id):
    store = _store()
    with store.lock:
        R.load_workforce(store, project_id, workforce_id)
        for doc_id in R.workers(store).ids(workforce_id=workforce_id):
            R.workers(store).remove(doc_id)
        R.workforces(store).remove(workforce_id)
    return None, 204


# ====================================================================== workers (team members)

def _worker_view(doc: dict) -> dict:
    return {k: doc[k] for k in ("email", "worker_id", "workforce_id", "status", "role", "description",
                                "create_time", "update_time")}


def _emails(value) -> list[str]:
    """``emails`` is documented as a string; accept a list, or several addresses joined by commas."""
    if isinstance(value, list):
        items = value
    else:
        items = str(value or "").replace(";", ",").split(",")
    out = [e.strip() for e in items if isinstance(e, str) and e.strip()]
    if not out:
        raise R.invalid("emails is required")
    for e in out:
        if "@" not in e:
            raise R.invalid(f"emails: {e!r} is not an email address")
    return out


def _role(value, allowed=(0, 1, 2)) -> int:
    try:
        role = int(value)
    except (TypeError, ValueError):
        raise R.invalid(f"role {value!r}") from None
    if role not in allowed:
        raise R.invalid(f"role must be one of {', '.join(map(str, allowed))}")
    return role


async def create_worker(project_id, workforce_id, body):
    world = current_world()
    store = world.store
    emails = _emails(body.get("emails"))
    role = _role(body.get("role"))
    with store.lock:
        R.load_workforce(store, project_id, workforce_id)
        for email in emails:
            worker_id = R.worker_id_for(store, project_id, email)
            if worker_id and f"{workforce_id}|{worker_id}" in R.workers(store):
                raise R.err("4605", f"The worker already exists: {email}")
        now = world.now_ms()
        for email in emails:
            worker_id = R.person_id(store, project_id, email)
            R.workers(store).insert({"id": f"{workforce_id}|{worker_id}", "project_id": project_id,
                                     "workforce_id": workforce_id, "worker_id": worker_id, "email": email,
                                     "email_key": f"{project_id}|{email}", "role": role, "status": 0,
                                     "description": body.get("description") or "", "create_time": now,
                                     "update_time": now})
        R.workforces(store).update(workforce_id, {"update_time": now})
    return {}, 201


async def list_workers(project_id, workforce_id, offset=0, limit=10, order=None, sort_by=None, **kwargs):
    store = _store()
    R.load_workforce(store, project_id, workforce_id)
    docs = _sorted(R.workers(store).find(workforce_id=workforce_id), sort_by, order)
    return {"total_number": len(docs), "workers": [_worker_view(d) for d in _page(docs, offset, limit, 10)]}


async def list_all_workers(project_id, offset=0, limit=10, order=None, sort_by=None, role=None, **kwargs):
    docs = R.workers(_store()).find(project_id=project_id)
    if role is not None:
        docs = [d for d in docs if d["role"] == int(role)]
    docs = _sorted(docs, sort_by, order)
    return {"total_number": len(docs), "workers": [_worker_view(d) for d in _page(docs, offset, limit, 10)]}


async def show_worker(project_id, workforce_id, worker_id):
    return _worker_view(R.load_worker(_store(), project_id, workforce_id, worker_id))


async def update_worker(project_id, workforce_id, worker_id, body):
    world = current_world()
    store = world.store
    with store.lock:
        doc = R.load_worker(store, project_id, workforce_id, worker_id)
        fields = {"update_time": world.now_ms()}
        if body.get("role") is not None:
            fields["role"] = _role(body["role"], allowed=(0, 1, 2, 3))
        if "description" in body:
            fields["description"] = body["description"] or ""
        R.workers(store).update(doc["id"], fields)
    return {}


async def delete_worker(project_id, workforce_id, worker_id):
    store = _store()
    with store.lock:
        doc = R.load_worker(store, project_id, workforce_id, worker_id)
        R.workers(store).remove(doc["id"])
    return None, 204


async def batch_delete_workers(project_id, workforce_id, body):
    store = _store()
    results = []
    with store.lock:
        R.load_workforce(store, project_id, workforce_id)
        for worker_id in body["workers"]:
            doc_id = f"{workforce_id}|{worker_id}"
            if R.workers(store).remove(doc_id) is None:
                results.append({"success": False, "error_code": "ModelArts.4604",
                                "error_msg": f"The worker does not exist: {worker_id}"})
            else:
                results.append({"success": True})
    return {"success": all(r["success"] for r in results), "results": results}


# ====================================================================== datasets and their samples

def _dataset_view(doc: dict) -> dict:
    store = _store()
    samples = R.samples(store).count(dataset_key=doc["id"])
    annotated = sum(1 for s in R.samples(store).find(dataset_key=doc["id"]) if s.get("labels"))
    return {"dataset_id": doc["id"], "dataset_name": doc["dataset_name"], "description": doc["description"],
            "dataset_type": doc["dataset_type"], "data_path": doc["data_path"], "status": 1,
            "total_sample_count": samples, "annotated_sample_count": annotated,
            "create_time": doc["create_time"], "update_time": doc["update_time"]}


async def create_dataset(project_id, body):
    doc = S.create_dataset(current_world(), project_id, body)
    return {"dataset_id": doc["id"], "dataset_name": doc["dataset_name"]}


async def list_datasets(project_id, offset=0, limit=10, **kwargs):
    docs = R.datasets(_store()).find(project_id=project_id)
    return {"total_number": len(docs), "datasets": [_dataset_view(d) for d in _page(docs, offset, limit, 10)]}


async def show_dataset(project_id, dataset_id):
    return _dataset_view(R.load_dataset(_store(), project_id, dataset_id))


def _dataset_sample_view(doc: dict) -> dict:
    return {"sample_id": doc["sample_id"], "sample_name": doc["sample_name"], "sample_type": doc["sample_type"],
            "sample_dir": doc["sample_dir"], "source": doc["source"], "sample_size": doc["sample_size"],
            "sample_time": doc["sample_time"], "metadata": doc["metadata"], "labels": doc["labels"],
            "sample_status": "__ALL__" if doc["labels"] else "__NONE__"}


async def upload_samples(project_id, dataset_id, body):
    world = current_world()
    dataset = R.load_dataset(world.store, project_id, dataset_id)
    ids = S.add_samples(world, project_id, dataset, body["samples"])
    return {"success": True, "results": [{"success": True, "sample_id": i} for i in ids]}


async def list_dataset_samples(project_id, dataset_id, offset=0, limit=10, sample_state=None, **kwargs):
    store = _store()
    R.load_dataset(store, project_id, dataset_id)
    docs = R.samples(store).find(dataset_key=dataset_id)
    if sample_state == "__ALL__":
        docs = [d for d in docs if d["labels"]]
    elif sample_state == "__NONE__":
        docs = [d for d in docs if not d["labels"]]
    return {"sample_count": len(docs), "samples": [_dataset_sample_view(d) for d in _page(docs, offset, limit, 10)]}


async def show_dataset_sample(project_id, dataset_id, sample_id, **kwargs):
    store = _store()
    R.load_dataset(store, project_id, dataset_id)
    return _dataset_sample_view(R.load_sample(store, dataset_id, sample_id))


# ====================================================================== workforce tasks

def _ctid(task: dict) -> str:
    return R.core_task_id(task["project_id"], task["id"])


def _task_accepted(core_task: dict) -> bool:
    return core_task["status"] in ("accepted", "done")


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


def _checking_desc(store, task: dict) -> dict | None:
    acc_id = task.get("checking_task_id")
    if not acc_id:
        return None
    acc = core.get_acceptance(store, acc_id)
    desc = {"checking_task_id": acc_id, "overwrite_last_result": bool(acc.get("overwrite_last_result", False))}
    if acc.get("action") is not None:
        desc["action"] = acc["action"]
    return desc


def _task_view(task: dict, label_stats=False, sample_stats=False, workforce_stats=False, detail=False) -> dict:
    store = _store()
    ctid = _ctid(task)
    core_task = core.get_task(store, ctid)
    stats = core.task_stats(store, ctid)
    acc = stats["acceptance"]
    history = core.acceptance_history(store, ctid)
    view = {
        "task_id": task["id"], "task_name": task["task_name"], "description": task["description"],
        "dataset_id": task["dataset_id"], "version_id": "", "status": task_status(core_task["status"]),
        "repetition": task["repetition"], "create_time": task["create_time"], "update_time": task["update_time"],
        "workforces_config": task["workforces_config"], "synchronize_data": task["synchronize_data"],
        "synchronize_auto_labeling_data": task["synchronize_auto_labeling_data"],
        "auto_sync_dataset": task["auto_sync_dataset"], "data_sync_type": task["data_sync_type"],
        "sample_search_conditions": task["sample_search_conditions"],
        "check_rate": acc["sampled"] / stats["total"] if stats["total"] else 0.0,
        "pass_rate": history["pass_rate"],
        "score": history["score"] or 0.0,
    }
    desc = _checking_desc(store, task)
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


def _label_stats(task: dict, stats: dict) -> list[dict]:
    # The core counts labels per concept; a label is counted once per member who gave it.
    return [{"name": name, "type": task["label_type"], "property": {}, "count": n, "sample_count": n}
            for name, n in stats["labels_submitted"].items()]


def _repetition(value) -> int:
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise R.invalid("repetition must be an integer >= 1")
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
            raise R.err("4620", f"The workforce task already exists: {name}")
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


async def desc_workforce_task(project_id, dataset_id, workforce_task_id, label_stats=False, sample_stats=False,
                              workforce_stats=False):
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
                raise R.err("4620", f"The workforce task already exists: {name}")
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
        if core_task["status"] == "accepting":
            raise R.err("4623", "Workforce task is checking: it cannot be started during an acceptance")
        if not core_task["workers"]:
            raise R.err("4621", "Failed to start the team labeling task: it has no labelers")
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


# ====================================================================== samples of a task

def _labelers(task: dict, works: list[dict]) -> list[dict]:
    by_email = {w["email"]: w for wf in task["workforces_config"].get("workforces", []) for w in wf["workers"]}
    out = []
    for work in works:
        if work["state"] == "returned":
            continue
        member = by_email.get(work["worker"], {})
        out.append({"email": work["worker"], "worker_id": member.get("worker_id") or "", "role": member.get("role", 0),
                    "workforce_id": member.get("workforce_id") or ""})
    return out


def _task_sample_view(task: dict, ti: dict, task_accepted: bool, worker_email: str | None = None) -> dict:
    store = _store()
    sample = R.samples(store).get(f"{task['dataset_id']}|{ti['item_id']}") or {}
    works = core.list_work(store, _ctid(task), ti["item_id"], source=ti["source"])
    mine = [w for w in works if w["worker"] == worker_email] if worker_email else []
    if mine:
        labels = mine[0].get("labels")
    elif ti.get("winner"):
        labels = ti["winner"]["labels"]
    else:
        submitted = [w for w in works if w["state"] == "submitted"]
        labels = submitted[0]["labels"] if submitted else None
    view = {"sample_id": ti["item_id"], "sample_type": sample.get("sample_type", 0),
            "sample_name": sample.get("sample_name"), "sample_dir": sample.get("sample_dir"),
            "source": sample.get("source"), "sample_size": sample.get("sample_size", 0),
            "sample_time": sample.get("sample_time", 0), "metadata": sample.get("metadata") or {},
            "sample_status": sample_status(ti, task_accepted),
            "labels": to_wire_labels(labels, task["label_type"]), "labelers": _labelers(task, works)}
    if worker_email:
        view["worker_id"] = R.worker_id_for(store, task["project_id"], worker_email) or ""
    note = R.review_notes(store).get(f"{task['id']}|{ti['item_id']}")
    if note:
        view.update(review_accept=note["accept"], review_comment=note.get("comment") or "",
                    review_score=note.get("score") or "")
    rec = ti.get("acceptance")
    if rec and rec.get("verdicts"):
        verdict = rec["verdicts"].get(worker_email or "") or next(iter(rec["verdicts"].values()))
        view.update(check_accept=verdict["accept"], check_comment=verdict.get("comment") or "",
                    check_score=verdict.get("score") or "")
    return view


def _worker_email(store, project_id: str, worker_id: str | None) -> str | None:
    if not worker_id:
        return None
    email = R.email_for(store, project_id, worker_id)
    if email is None:
        raise R.err("4604", f"The worker does not exist: {worker_id}")
    return email


def _check_state(value: str | None) -> str | None:
    if value is None:
        return None
    upper = value.upper()
    if upper not in SAMPLE_STATES:
        raise R.invalid(f"sample_state {value!r}")
    return upper


async def list_workforce_task_samples(project_id, dataset_id, workforce_task_id, offset=0, limit=10,
                                      sample_state=None, label_name=None, label_type=None, worker_id=None, **kwargs):
    store = _store()
    task = R.load_task(store, project_id, dataset_id, workforce_task_id)
    wanted = _check_state(sample_state)
    email = _worker_email(store, project_id, worker_id)
    ctid = _ctid(task)
    accepted = _task_accepted(core.get_task(store, ctid))
    # O(samples in the task): the core keeps no index by ModelArts state or label.
    docs = [ti for ti in core.list_task_items(store, ctid) if matches_state(ti, wanted, accepted)]
    views = None
    if email or label_name is not None or label_type is not None:
        views = [_task_sample_view(task, ti, accepted, email) for ti in docs]
        if email:
            views = [v for v in views if any(lb["email"] == email for lb in v["labelers"])]
        if label_name is not None:
            views = [v for v in views if any(lb["name"] == label_name for lb in v["labels"])]
        if label_type is not None:
            views = [v for v in views if any(lb["type"] == int(label_type) for lb in v["labels"])]
        return {"sample_count": len(views), "samples": _page(views, offset, limit, 10)}
    page = _page(docs, offset, limit, 10)
    return {"sample_count": len(docs), "samples": [_task_sample_view(task, ti, accepted) for ti in page]}


async def describe_workforce_task_sample(project_id, dataset_id, workforce_task_id, sample_id, worker_id=None,
                                         sample_state=None, **kwargs):
    store = _store()
    task = R.load_task(store, project_id, dataset_id, workforce_task_id)
    email = _worker_email(store, project_id, worker_id)
    ctid = _ctid(task)
    try:
        ti = core.get_task_item(store, ctid, sample_id, source=R.source_of(project_id, dataset_id))
    except NotFound:
        raise R.err("4420", f"Sample not found: {sample_id}") from None
    accepted = _task_accepted(core.get_task(store, ctid))
    wanted = _check_state(sample_state)
    if not matches_state(ti, wanted, accepted):
        raise R.err("4420", f"Sample not found in state {wanted}: {sample_id}")
    return _task_sample_view(task, ti, accepted, email)


async def update_workforce_task_samples(project_id, dataset_id, workforce_task_id, body):
    """A member submits labels: each sample names its member by ``worker_id``, or the body by ``email``.
    All or nothing: every sample is checked before any is written."""
    store = _store()
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        ctid = _ctid(task)
        source = R.source_of(project_id, dataset_id)
        default_email = body.get("email")
        batch = []
        for s in body.get("samples") or []:
            email = _worker_email(store, project_id, s.get("worker_id")) or default_email
            if not email:
                raise R.invalid("each sample needs a worker_id, or the request an email")
            if not s.get("sample_id"):
                raise R.invalid("samples[].sample_id is required")
            try:
                core.get_task_item(store, ctid, s["sample_id"], source=source)
            except NotFound:
                raise R.err("4420", f"Sample not found: {s['sample_id']}") from None
            batch.append((s["sample_id"], email, to_core_labels(s.get("labels") or [])))
        try:
            core.submit_many(store, ctid, batch, source=source)
        except NotAllowed as exc:
            raise R.err("4600", f"The worker action is forbidden: {exc.message}", 403) from None
        except InvalidArgument as exc:
            raise R.invalid(exc.message) from None
    return {"success": True}


def _comment_fields(c: dict) -> None:
    score = c.get("score")
    if score not in (None, "") and score not in ("A", "B", "C", "D"):
        raise R.invalid("score is one of A, B, C, D")


async def review_samples(project_id, dataset_id, workforce_task_id, body):
    """Reviewers' verdicts.  The reviewer is ``email`` in the body (a stand-in extension) or else the
    task's first reviewer; comments on one sample are combined (any refusal rejects it).  On a task
    without reviewers the comments are only recorded."""
    store = _store()
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        ctid = _ctid(task)
        source = R.source_of(project_id, dataset_id)
        reviewers = core.get_task(store, ctid)["review"]["reviewers"]
        reviewer = body.get("email") or (reviewers[0] if reviewers else None)
        by_sample: dict = {}
        for c in body.get("comments") or []:
            _comment_fields(c)
            if not c.get("sample_id"):
                raise R.invalid("comments[].sample_id is required")
            by_sample.setdefault(c["sample_id"], []).append(c)
        decisions, notes = [], []
        for sample_id, comments in by_sample.items():
            try:
                core.get_task_item(store, ctid, sample_id, source=source)
            except NotFound:
                raise R.err("4420", f"Sample not found: {sample_id}") from None
            accept = all(c.get("accept", False) for c in comments)
            text = "; ".join(c["comment"] for c in comments if c.get("comment"))
            scores = [c["score"] for c in comments if c.get("score")]
            # No reviewer on the task: labels went straight to acceptance; the owner's comment is kept
            # on the sample but decides nothing (the acceptance does).
            notes.append({"id": f"{task['id']}|{sample_id}", "accept": accept, "comment": text,
                          "score": min(scores) if scores else None, "reviewer": reviewer})
            if reviewer is not None:
                decisions.append((sample_id, reviewer, "approve" if accept else "reject", text or None))
        # All or nothing: the core checks every verdict before it applies any.
        try:
            if decisions:
                core.review_many(store, ctid, decisions, source=source)
        except NotAllowed as exc:
            raise R.err("4600", f"The worker action is forbidden: {exc.message}", 403) from None
        except (InvalidState, InvalidArgument) as exc:
            raise R.invalid(exc.message) from None
        for note in notes:
            R.review_notes(store).upsert(note)
    return {}


# ====================================================================== statistics

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


async def send_emails(project_id, dataset_id, workforce_task_id, body):
    world = current_world()
    store = world.store
    emails = body["emails"] if isinstance(body["emails"], list) else _emails(body["emails"])
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        members = {w["email"] for wf in task["workforces_config"].get("workforces", []) for w in wf["workers"]}
        status, notified, results = dict(task["email_status"]), dict(task["last_notify"]), []
        for email in emails:
            if "@" not in email:
                status[email] = 1
                results.append({"success": False, "error_code": "ModelArts.0101", "error_msg": f"Bad email {email}"})
            elif email not in members:
                results.append({"success": False, "error_code": "ModelArts.4604",
                                "error_msg": f"{email} is not a member of this task"})
            else:
                status[email] = 3
                notified[email] = world.now_ms()
                results.append({"success": True})
        R.tasks(store).update(task["id"], {"email_status": status, "last_notify": notified})
    return {"success": all(r["success"] for r in results), "results": results}


async def list_worker_tasks(project_id, offset=0, limit=10, order=None, sort_by=None, search_content=None,
                            email=None, **kwargs):
    """A member's tasks: ``email`` (a stand-in extension) names the member; without it, every member's."""
    store = _store()
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


# ====================================================================== acceptance

async def start_workforce_sampling_task(project_id, dataset_id, workforce_task_id, body):
    world = current_world()
    store = world.store
    rate, number = body.get("sampling_rate"), body.get("sampling_num")
    if rate is None and number is None:
        raise R.invalid("give sampling_rate or sampling_num")
    if rate is not None and not 0 < rate <= 1:
        raise R.invalid("sampling_rate is in (0, 1]")
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        acc_id = R.new_id(store, "acceptance")
        try:
            core.start_acceptance(store, _ctid(task), rate=float(rate) if rate is not None else None,
                                  number=int(number) if number is not None and rate is None else None,
                                  acceptance_id=acc_id)
        except AcceptanceRunning:
            raise R.err("4623", "Workforce task is checking: only one acceptance at a time") from None
        except InvalidState:
            raise R.err("4625", "There are no unchecked samples: nothing has been labeled and approved yet") from None
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


async def get_workforce_sampling_task(project_id, dataset_id, workforce_task_id, checking_task_id):
    store = _store()
    task = R.load_task(store, project_id, dataset_id, workforce_task_id)
    ctid = _ctid(task)
    mine = next((a for a in core.list_acceptances(store, ctid) if a["id"] == checking_task_id), None)
    if mine is None:
        raise R.err("4612", f"Task not found: acceptance {checking_task_id}")
    total = core.task_stats(store, ctid)["total"]
    checking = _check_stats(core.report(store, mine["id"]), total, mine["id"], mine.get("rate"), mine.get("number"))
    history = _check_stats(core.acceptance_history(store, ctid), total, task["id"])
    return {"checking_stats": checking, "total_stats": history}


def _current_acceptance(store, task: dict) -> str:
    acc_id = core.get_task(store, _ctid(task)).get("acceptance_id")
    if not acc_id:
        raise R.err("4624", "The member task is not checked: no acceptance is running for this task")
    return acc_id


async def accept_samples(project_id, dataset_id, workforce_task_id, body):
    store = _store()
    with store.lock:
        task = R.load_task(store, project_id, dataset_id, workforce_task_id)
        acc_id = _current_acceptance(store, task)
        source = R.source_of(project_id, dataset_id)
        for c in body["comments"]:
            _comment_fields(c)
            if not c.get("sample_id"):
                raise R.invalid("comments[].sample_id is required")
            email = _worker_email(store, project_id, c.get("worker_id"))
            try:
                core.comment(store, acc_id, c["sample_id"], email, bool(c["accept"]), score=c.get("score") or None,
                             comment=c.get("comment") or None, source=source)
            except NotFound as exc:
                raise R.err("4420", f"Sample not found in the acceptance: {exc.message}") from None
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
                raise R.err("4624", "The member task is not checked: the task has no acceptance")
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
