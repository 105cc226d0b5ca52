"""Secure Upload: ``POST .../upload_url``, the one-time ``PUT /uploads/csv/{token}`` and ``GET .../uploads/{file_key}``."""
from __future__ import annotations

from ....world import current_world
from .. import uploads
from .common import raw_body, request_header, workstream


async def post_upload_url(workstream_id, body=None):
    world = current_world()
    workstream(world, workstream_id)
    source = (body or {}).get("data_source", "csv_auto")
    return uploads.create(world, workstream_id, source)


async def put_csv_upload(token, body=None, **kwargs):
    world = current_world()
    return uploads.process(world, token, request_header("content-type"), raw_body(body))


async def get_upload(workstream_id, file_key, page=1, per_page=uploads.MAX_ROWS_SHOWN):
    world = current_world()
    return uploads.summary(world, uploads.get(world, workstream_id, file_key), page, per_page)
