"""Reports: ``GET /v1/workstreams/{id}/reports`` over the workstream's performance records."""
from __future__ import annotations

from ....world import current_world
from .. import reports
from .common import workstream


async def get_reports(workstream_id, group_by=None, to=None, **kwargs):
    world = current_world()
    workstream(world, workstream_id)
    return reports.report(world, workstream_id, kwargs.get("from"), to, group_by)
