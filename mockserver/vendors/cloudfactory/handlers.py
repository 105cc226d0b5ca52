"""CloudFactory handlers (operationId -> snake_case)."""


async def task_reviewed(workstream_id, body):
    return {"message": "Data successfully received."}, 202
