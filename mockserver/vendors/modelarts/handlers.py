"""ModelArts handlers (operationId -> snake_case)."""
from ...world import current_world


async def list_workforces(project_id):
    teams = current_world().store.table("modelarts_workforces", indexes=("project_id",)).find(project_id=project_id)
    return {"total_number": len(teams), "workforces": teams}
