"""What the handler modules share: the store, paging and sorting, a task's core id, a member by worker id."""
from __future__ import annotations

from ....world import current_world
from .. import records as R
from ..errors import worker_not_found


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
