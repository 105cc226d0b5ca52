"""CloudFactory handlers (operationId -> snake_case): wire format in and out, nothing more."""
from __future__ import annotations

from ...world import current_principal, current_world
from ..base import VendorError
from . import oversight, performance, reports, uploads, webhooks

RECEIVED = {"message": "Data successfully received."}


def _request_header(name: str) -> str:
    from connexion import request

    return request.headers.get(name, "")


def _workstream(world, workstream_id: str) -> dict:
    ws = world.store.table("cloudfactory_workstreams").get(workstream_id)
    if ws is None:
        raise VendorError(404, {"message": "Not found"})
    return ws


def _record(kind: str, workstream_id: str, body) -> tuple[dict, int]:
    world = current_world()
    ws = _workstream(world, workstream_id)
    kinds: dict = {}
    record, errors = performance.check(kind, body, ws, workstream_id, kinds)
    if errors:  # normally answered by the adapter already; kept for direct calls
        status = performance.http_status(kinds)
        raise VendorError(status, {"message": {400: "Bad Request", 404: "Not found"}.get(status, "Conflict"),
                                   "errors": errors})
    performance.store_record(world, kind, record, {"channel": "api"})
    return RECEIVED, 202


async def task_completed(workstream_id, body):
    return _record(performance.THROUGHPUT, workstream_id, body)


async def task_reviewed(workstream_id, body):
    return _record(performance.QUALITY, workstream_id, body)


# -- Secure Upload -------------------------------------------------------------------------------
async def post_upload_url(workstream_id, body=None):
    world = current_world()
    _workstream(world, workstream_id)
    source = (body or {}).get("data_source", "csv_auto")
    return uploads.create(world, workstream_id, source)


async def put_csv_upload(token, body=None, **kwargs):
    world = current_world()
    raw = body if isinstance(body, (bytes, bytearray)) else (body or "").encode("utf-8")
    ctype = _request_header("content-type")
    return uploads.process(world, token, ctype, bytes(raw))


async def get_upload(workstream_id, file_key, page=1, per_page=uploads.MAX_ROWS_SHOWN):
    world = current_world()
    return uploads.summary(world, uploads.get(world, workstream_id, file_key), page, per_page)


# -- Reports -------------------------------------------------------------------------------------
async def get_reports(workstream_id, group_by=None, to=None, **kwargs):
    world = current_world()
    _workstream(world, workstream_id)
    return reports.report(world, workstream_id, kwargs.get("from"), to, group_by)


# -- Oversight -----------------------------------------------------------------------------------
async def post_media(body):
    world = current_world()
    return oversight.create_media(world, current_principal()["workstream_id"], body)


async def put_media_upload(token, body=None, **kwargs):
    raw = body if isinstance(body, (bytes, bytearray)) else (body or "").encode("utf-8")
    return oversight.put_media(current_world(), token, _request_header("content-type"), bytes(raw))


async def post_tasks(body):
    world = current_world()
    return oversight.submit_task(world, current_principal()["workstream_id"], body)


async def get_task(task_id):
    world = current_world()
    return oversight.get_task(world, current_principal()["workstream_id"], task_id)


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
