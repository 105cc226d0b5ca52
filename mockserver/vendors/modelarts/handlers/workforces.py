"""Teams (workforces) and their members (workers)."""
from __future__ import annotations

from ....world import current_world
from .. import records as R
from ..errors import err, invalid, refused_batch
from .common import _page, _sorted, _store

# ====================================================================== teams (workforces)

def _workforce_view(doc: dict) -> dict:
    return {"workforce_id": doc["id"], "workforce_name": doc["workforce_name"], "description": doc["description"],
            "worker_count": R.workers(_store()).count(workforce_id=doc["id"]), "workspace_id": "0",
            "create_time": doc["create_time"], "update_time": doc["update_time"]}


async def create_workforce(project_id, body):
    world = current_world()
    store = world.store
    name = body["workforce_name"]
    with store.lock:
        if R.workforces(store).first(name_key=f"{project_id}|{name}") is not None:
            raise err("4602", f"The workforce already exists: {name}")
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
                raise err("4602", f"The workforce already exists: {name}")
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
        raise invalid("emails is required")
    for e in out:
        if "@" not in e:
            raise invalid(f"emails: {e!r} is not an email address")
    return out


def _role(value, allowed=(0, 1, 2)) -> int:
    try:
        role = int(value)
    except (TypeError, ValueError):
        raise invalid(f"role {value!r}") from None
    if role not in allowed:
        raise invalid(f"role must be one of {', '.join(map(str, allowed))}")
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
                raise err("4605", f"The worker already exists: {email}")
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


async def list_all_workers(project_id, offset=0, limit=10, order=None, sort_by=None, role=0, **kwargs):
    """Members of every team; ``role`` filters and defaults to 0 (labelers), as documented."""
    role = 0 if role is None else int(role)
    docs = [d for d in R.workers(_store()).find(project_id=project_id) if d["role"] == role]
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
    """All or nothing, with a result per member as the page defines: when any member cannot be
    deleted, none is; the answer is still 200, ``success`` false, the refused members carry their
    ``error_code`` / ``error_msg`` and the others ``success`` false with ``ModelArts.4200``
    (not deleted because the batch was refused)."""
    store = _store()
    with store.lock:
        R.load_workforce(store, project_id, workforce_id)
        problems = {}
        for worker_id in body["workers"]:
            if f"{workforce_id}|{worker_id}" not in R.workers(store):
                problems[worker_id] = {"success": False, "error_code": "ModelArts.4604",
                                       "error_msg": f"The worker does not exist: {worker_id}"}
        if problems:
            return refused_batch(body["workers"], problems, "not deleted, another member of the batch was refused",
                                 f"{len(problems)} of {len(body['workers'])} members cannot be deleted; none was")
        for worker_id in dict.fromkeys(body["workers"]):
            R.workers(store).remove(f"{workforce_id}|{worker_id}")
    return {"success": True, "results": [{"success": True} for _ in body["workers"]]}
