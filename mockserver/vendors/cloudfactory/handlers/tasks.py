"""Oversight tasks: ``POST /v1/tasks`` (submit) and ``GET /v1/tasks/{task_id}`` (Task Status), of the key's workstream."""
from __future__ import annotations

from ....world import current_principal, current_world
from .. import oversight


async def post_tasks(body):
    world = current_world()
    return oversight.submit_task(world, current_principal()["workstream_id"], body)


async def get_task(task_id):
    world = current_world()
    return oversight.get_task(world, current_principal()["workstream_id"], task_id)
