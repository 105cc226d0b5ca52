"""WorkStream Performance: ``POST /v1/workstreams/{id}/task_completed`` (Throughput) and ``.../task_reviewed`` (Quality).

The adapter has already checked the body in full (``CloudFactoryVendor._check_performance``); the check
here is kept for direct calls.  Answers 202 ``{"message": "Data successfully received."}``.
"""
from __future__ import annotations

from ....world import current_world
from .. import errors, performance
from .common import workstream

RECEIVED = {"message": "Data successfully received."}


def _record(kind: str, workstream_id: str, body) -> tuple[dict, int]:
    world = current_world()
    ws = workstream(world, workstream_id)
    kinds: dict = {}
    record, problems = performance.check(kind, body, ws, workstream_id, kinds)
    if problems:  # normally answered by the adapter already; kept for direct calls
        raise errors.refused(problems, kinds)
    performance.store_record(world, kind, record, {"channel": "api"})
    return RECEIVED, 202


async def task_completed(workstream_id, body):
    return _record(performance.THROUGHPUT, workstream_id, body)


async def task_reviewed(workstream_id, body):
    return _record(performance.QUALITY, workstream_id, body)
