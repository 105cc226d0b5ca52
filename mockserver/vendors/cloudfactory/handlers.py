"""CloudFactory handlers (operationId -> snake_case): wire format in and out, nothing more."""
from __future__ import annotations

from ...world import current_principal, current_world
from ..base import VendorError
from . import performance

RECEIVED = {"message": "Data successfully received."}


def _workstream(world, workstream_id: str) -> dict:
    ws = world.store.table("cloudfactory_workstreams").get(workstream_id)
    if ws is None:
        raise VendorError(404, {"message": "Not found"})
    return ws


def _record(kind: str, workstream_id: str, body) -> tuple[dict, int]:
    world = current_world()
    ws = _workstream(world, workstream_id)
    record, errors = performance.check(kind, body, ws, workstream_id)
    if errors:  # normally answered by the adapter already; kept for direct calls
        raise VendorError(400, {"message": "Bad Request", "errors": errors})
    performance.store_record(world, kind, record, {"channel": "api"})
    return RECEIVED, 202


async def task_completed(workstream_id, body):
    return _record(performance.THROUGHPUT, workstream_id, body)


async def task_reviewed(workstream_id, body):
    return _record(performance.QUALITY, workstream_id, body)
