"""Oversight media: ``POST /v1/media`` (a media key and its upload URL) and the ``PUT /uploads/media/{token}`` of its bytes."""
from __future__ import annotations

from ....world import current_principal, current_world
from .. import oversight
from .common import raw_body, request_header


async def post_media(body):
    world = current_world()
    return oversight.create_media(world, current_principal()["workstream_id"], body)


async def put_media_upload(token, body=None, **kwargs):
    return oversight.put_media(current_world(), token, request_header("content-type"), raw_body(body))
