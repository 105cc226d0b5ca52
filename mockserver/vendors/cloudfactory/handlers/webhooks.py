"""Webhook deliveries: ``GET /v1/webhook_deliveries`` (a stand-in extension), the key's workstream's only."""
from __future__ import annotations

from ....world import current_principal, current_world
from .. import webhooks


async def get_webhook_deliveries(task_id=None, page=1, per_page=100):
    world = current_world()
    ws = current_principal()["workstream_id"]
    coll = webhooks.table(world.store)
    if task_id:  # a task of another workstream shows nothing
        ids = [i for i in coll.ids(task_id=task_id) if coll.get(i)["workstream_id"] == ws]
    else:
        ids = coll.ids(workstream_id=ws)
    start = (page - 1) * per_page
    return {"deliveries": [webhooks.public(coll.get(i)) for i in ids[start:start + per_page]], "total": len(ids),
            "page": page, "per_page": per_page}
