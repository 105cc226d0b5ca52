"""What the handler modules share: the store, paging and sorting, a task's core id, a member by worker id,
the caller (owner or team member) and the base URL the caller used."""
from __future__ import annotations

from ....world import current_principal, current_world
from .. import records as R
from ..errors import forbidden, worker_not_found


def _store():
    return current_world().store


def _page(items: list, offset, limit, default_limit: int) -> list:
    offset = int(offset or 0)
    limit = int(limit) if limit is not None else default_limit
    return items[offset: offset + limit]


def _sorted(docs: list, sort_by: str | None, order: str | None, default: str = "create_time") -> list:
    key = sort_by or default
    return sorted(docs, key=lambda d: (d.get(key) is None, d.get(key)), reverse=(order or "desc") == "desc")


def _ctid(task: dict) -> str:
    return R.core_task_id(task["project_id"], task["id"])


def _task_accepted(core_task: dict) -> bool:
    return core_task["status"] in ("accepted", "done")


def _worker_email(store, project_id: str, worker_id: str | None) -> str | None:
    if not worker_id:
        return None
    email = R.email_for(store, project_id, worker_id)
    if email is None:
        raise worker_not_found(worker_id)
    return email


def _caller_email() -> str | None:
    """The team member calling with its own token, or None for the owner (AK/SK or the owner's token)."""
    principal = current_principal() or {}
    return principal.get("email")


def _as_caller(email: str | None, what: str) -> str | None:
    """A member may act only as itself: ``email`` (who the request names) must be the caller's."""
    caller = _caller_email()
    if caller is None:
        return email
    if email is not None and email != caller:
        raise forbidden(f"{caller} cannot {what} for {email}")
    return caller


def _base_url() -> str:
    """Scheme and host the caller used (so URLs we hand out work from where it stands)."""
    try:
        from connexion import request

        host = request.headers.get("host")
        if host:
            return f"{request.url.scheme}://{host}"
    except RuntimeError:  # outside a request
        pass
    return current_world().urls.get("modelarts", "")


WORKER_FIELDS = ("email", "worker_id", "workforce_id", "status", "role", "description", "create_time", "update_time")
DELETED = 3  # a member's status once removed from its team


def _member_view(store, entry: dict, task: dict | None = None) -> dict:
    """A Worker object (every documented field) for a member named in a task's ``workforces_config``:
    the team membership's status, description and times; the role the member has on the task.  A
    member since removed from its team shows status 3 (deleted)."""
    doc = R.workers(store).get(f"{entry.get('workforce_id')}|{entry.get('worker_id')}")
    if doc is None:
        when = (task or {}).get("create_time", 0)
        doc = {"status": DELETED, "description": "", "create_time": when, "update_time": when}
    view = {k: doc.get(k) for k in WORKER_FIELDS}
    view.update(email=entry["email"], worker_id=entry.get("worker_id") or "", role=entry.get("role", 0),
                workforce_id=entry.get("workforce_id") or "")
    return view
