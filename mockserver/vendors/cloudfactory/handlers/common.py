"""What the CloudFactory handlers share: the request's headers and raw body, the path's workstream."""
from __future__ import annotations

from .. import errors


def request_header(name: str) -> str:
    from connexion import request

    return request.headers.get(name, "")


def raw_body(body) -> bytes:
    """A PUT body as bytes, whatever Connexion handed over (bytes, text or nothing)."""
    return bytes(body if isinstance(body, (bytes, bytearray)) else (body or "").encode("utf-8"))


def workstream(world, workstream_id: str) -> dict:
    """The path's workstream (the gate has checked the key is its own), or 404 ``Not found``."""
    ws = world.store.table("cloudfactory_workstreams").get(workstream_id)
    if ws is None:
        raise errors.not_found()
    return ws
