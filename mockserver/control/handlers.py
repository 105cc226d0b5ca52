"""Handlers of openapi/control.yaml (operationId -> snake_case function)."""
from __future__ import annotations

from ..vendors.base import VendorError
from ..world import current_world


def _bad(message: str, details=None) -> VendorError:
    body = {"error": message}
    if details is not None:
        body["details"] = details
    return VendorError(400, body)


async def get_health():
    world = current_world()
    return {"status": "ok", "vendors": dict(world.urls)}


async def get_workspace():
    world = current_world()
    out = dict(world.workspace)
    out["urls"] = dict(world.urls)
    return out


async def post_reset():
    current_world().reset()
    return {"status": "reset"}


async def get_state():
    return current_world().store.export()


async def put_state(body):
    world = current_world()
    try:
        world.store.load(body)
    except ValueError as exc:
        raise _bad(str(exc)) from None
    for hook in world.services.get("load_hooks", []):
        hook(world)
    return {"status": "imported", "tables": len(body)}


async def get_clock():
    return current_world().clock.to_dict()


async def post_clock(body):
    clock = current_world().clock
    if not body:
        raise _bad("give one of advance, now, mode, factor")
    clock.set(mode=body.get("mode"), factor=body.get("factor"), now=body.get("now"))
    if body.get("advance"):
        clock.advance(body["advance"])
    return clock.to_dict()
