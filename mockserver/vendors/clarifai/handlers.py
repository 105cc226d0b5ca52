"""Clarifai handlers (operationId -> snake_case)."""
from ...world import current_principal, current_world
from . import status


async def list_tasks():
    p = current_principal()
    tasks = current_world().store.table("clarifai_tasks", indexes=("app",)).find(app=f"{p['user_id']}/{p['app_id']}")
    return {"status": status(), "tasks": tasks}
