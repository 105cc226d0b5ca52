"""WorkStream Performance: ``POST /v1/workstreams/{id}/task_completed`` (Throughput) and ``.../task_reviewed`` (Quality).

The adapter has already checked the body in full (``performance.checked_record``, at authentication) and left the
record in the request's principal; the check here is for direct calls.  Answers 202 ``{"message": "Data successfully received."}``.
"""
from __future__ import annotations

from ....world import current_principal, current_world
from .. import performance

RECEIVED = {"message": "Data successfully received."}


def _record(kind: str, workstream_id: str, body) -> tuple[dict, int]:
    world = current_world()
    principal = current_principal()
    checked = principal.get(performance.CHECKED) if isinstance(principal, dict) else None
    if checked is not None and checked[:2] == (kind, workstream_id):
        record = checked[2]  # this very body, checked by the adapter
    else:  # a direct call
        record = performance.checked_record(world, kind, workstream_id, body)
    performance.store_record(world, kind, record, {"channel": "api"})
    return RECEIVED, 202


async def task_completed(workstream_id, body):
    return _record(performance.THROUGHPUT, workstream_id, body)


async def task_reviewed(workstream_id, body):
    return _record(performance.QUALITY, workstream_id, body)
