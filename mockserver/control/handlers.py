"""Handlers of openapi/control.yaml (operationId -> snake_case function)."""
from __future__ import annotations

import json
import logging

from ..vendors.base import VendorError
from ..world import current_world


MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z: beyond it timestamps cannot be written


def _bad(message: str, details=None, status: int = 400) -> VendorError:
    """400: a shape the spec states; 404: a named thing that does not exist; 422: a schema-valid
    document the server cannot use (see openapi/control.yaml)."""
    body = {"error": message}
    if details is not None:
        body["details"] = details
    return VendorError(status, body)


async def get_health():
    world = current_world()
    return {"status": "ok", "vendors": dict(world.urls)}


async def get_workspace():
    world = current_world()
    out = dict(world.workspace)
    out["urls"] = dict(world.urls)
    return out


async def post_reset():
    world = current_world()
    await world.off_loop(world.reset)  # re-seeding a large scenario takes seconds: not on the loop
    return {"status": "reset"}


async def get_state():
    """The whole state as JSON, built off the event loop (a large state takes seconds to copy and encode)."""
    from starlette.responses import Response

    world = current_world()

    def encode() -> bytes:
        # In slices of documents: one json.dumps of everything would hold the GIL (and so the event
        # loop) for seconds; each slice holds it for a few milliseconds.
        parts = []
        for n, (name, docs) in enumerate(world.store.export().items()):
            parts.append(("{" if n == 0 else ",") + json.dumps(name) + ":[")
            for i in range(0, len(docs), 500):
                parts.append(("," if i else "") + json.dumps(docs[i:i + 500], allow_nan=False)[1:-1])
            parts.append("]")
        return ("".join(parts) + "}" if parts else "{}").encode("utf-8")

    return Response(await world.off_loop(encode), media_type="application/json")


def check_events(events) -> None:
    from ..scheduler import check_events as check

    check(events)


def _all_or_nothing(world, apply, failed: str, replaces_everything: bool = False, status: int = 400):
    """``apply()`` on the whole state, or, if anything in it fails, the state as it was and a 400 saying
    ``failed`` and why (a ValueError's text is meant for people; anything else is named by its kind).

    ``replaces_everything``: ``apply`` starts with ``store.load``, which never changes the documents it
    replaces, so holding the old tables is enough (no copy of a large state)."""
    with world.store.lock:
        held = world.store.hold() if replaces_everything else world.store.export()
        try:
            return apply()
        except Exception as exc:  # noqa: BLE001 - any failure is the document's: restore, answer 400
            if not isinstance(exc, ValueError):
                logging.getLogger("mockserver").warning("%s", failed, exc_info=exc)
            if replaces_everything:
                world.store.restore(held)
            else:
                world.store.load(held)
            world.loaded()  # the services follow the state put back (scheduler, simulation)
            reason = str(exc) if isinstance(exc, ValueError) else f"it does not load ({type(exc).__name__})"
            raise _bad(f"{failed}: {reason}", status=status) from None


async def put_state(body):
    """Replace the whole state. All or nothing: the document is checked, loaded, and every service
    rebuilt from it (scheduler, simulation); if any of that fails, the state before is put back and
    the answer is a 400, so neither memory nor the ``--data`` file ever holds a half import. Runs off
    the event loop (a large state takes seconds)."""
    world = current_world()

    def apply():
        check_events(body.get("scheduler_events") or [])  # also rebuilt on load, if a scheduler runs
        world.store.load(body)
        world.loaded()  # scheduler re-read first, then the simulation resumes (see World.on_load)

    await world.off_loop(_all_or_nothing, world, apply, "state not imported", True)
    return {"status": "imported", "tables": len(body)}


async def get_clock():
    return current_world().clock.to_dict()


async def post_clock(body):
    clock = current_world().clock
    if not body:
        raise _bad("give one of advance, now, mode, factor")
    target = body.get("now", clock.now()) + (body.get("advance") or 0)
    if not 0 <= target <= MAX_EPOCH:
        # (each field is within its bounds: it is their sum that is not, a rule the schema cannot state)
        raise _bad(f"the clock must stay between 0 and {MAX_EPOCH} (9999-12-31)", {"now": target}, status=422)
    clock.set(mode=body.get("mode"), factor=body.get("factor"), now=body.get("now"))
    if body.get("advance"):
        clock.advance(body["advance"])
    return clock.to_dict()


# -- request journal ------------------------------------------------------------------------------

def _journal_filters(kwargs: dict) -> dict:
    return {k: kwargs.get(k) for k in ("vendor", "method", "path", "path_prefix", "operation", "status",
                                       "since", "until", "after_id")}


async def get_journal(limit=None, **kwargs):
    from .journal import journal_of

    journal = journal_of(current_world())
    entries = journal.entries(**_journal_filters(kwargs))
    total = len(entries)
    if limit is not None:
        entries = entries[-limit:] if limit else []  # the most recent ones, oldest first
    return {"entries": entries, "total": total, "max_entries": journal.max_entries, "dropped": journal.dropped}


async def get_journal_count(**kwargs):
    from .journal import journal_of

    return {"count": journal_of(current_world()).count(**_journal_filters(kwargs))}


async def delete_journal():
    from .journal import journal_of

    journal_of(current_world()).clear()
    return {"status": "cleared"}


async def put_journal_settings(body):
    from .journal import journal_of

    journal = journal_of(current_world())
    journal.configure(max_entries=body.get("max_entries"), body_limit=body.get("body_limit"))
    return {"max_entries": journal.max_entries, "body_limit": journal.body_limit}


# -- fault injection -------------------------------------------------------------------------------

async def get_faults():
    from .faults import faults_of

    return {"faults": faults_of(current_world()).list()}


async def post_faults(body):
    from .faults import FaultError, faults_of

    try:
        fault = faults_of(current_world()).add(body)
    except FaultError as exc:
        raise _bad(str(exc), status=exc.status) from None
    return fault.to_dict(), 201


async def delete_faults():
    from .faults import faults_of

    faults_of(current_world()).clear()
    return {"status": "cleared"}


async def delete_fault(fault_id):
    from .faults import faults_of

    if not faults_of(current_world()).remove(fault_id):
        raise VendorError(404, {"error": f"no fault {fault_id}"})
    return {"status": "removed"}


async def get_fault(fault_id):
    from .faults import faults_of

    for fault in faults_of(current_world()).list():
        if fault["id"] == fault_id:
            return fault
    raise VendorError(404, {"error": f"no fault {fault_id}"})


# -- scenario (simulation) ---------------------------------------------------------------------------
async def get_scenario():
    world = current_world()
    scenario = world.scenario
    sim = world.simulation
    if scenario is None:
        return {"name": None, "people": []}
    return {"name": scenario.name, "seed": scenario.seed, "origin": scenario.origin,
            "events": sim.events if sim else 0,
            "people": [dict(d) for d in world.store.table("sim_people").all()]}


async def post_scenario(body):
    """Load a scenario (a shipped file by name, or a document), all or nothing, off the event loop."""
    from .. import core
    from ..simulation import Scenario, install
    from ..simulation.scenario import read, resolve_path

    world = current_world()

    path = None
    if isinstance(body, dict) and "path" in body:  # the spec's first form (Connexion checked its shape)
        try:
            path = resolve_path(body["path"])
            if not path.is_file():
                path = None
        except (ValueError, OSError):  # outside scenarios/, or not a file name at all (NUL, too long)
            path = None
        if path is None:
            raise _bad(f"scenario not loaded: no scenario file {body['path']!r} in scenarios/", status=404)

    def apply():
        if path is not None:
            scenario = Scenario.from_doc(read(path), f"scenarios/{path.name}", seed=body.get("seed"))
        else:
            scenario = Scenario.from_doc(body, "<request body>")
        install(world, scenario)
        return scenario

    scenario = await world.off_loop(_all_or_nothing, world, apply, "scenario not loaded", False, 422)
    return {"status": "loaded", "name": scenario.name, "seed": scenario.seed,
            "people": [p["id"] for p in scenario.people],
            "tasks": [t["id"] for t in core.list_tasks(world.store)], "clock": world.clock.to_dict()}


# -- dashboard (mockserver/dashboard) -----------------------------------------------------------------
async def get_dashboard_page():
    from starlette.responses import Response

    from ..dashboard import PAGE

    return Response(PAGE.read_bytes(), media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})


async def get_dashboard_asset(name):
    from starlette.responses import Response

    from ..dashboard import ASSETS

    found = ASSETS.get(name)
    if found is None:
        raise VendorError(404, {"error": f"no dashboard file {name}", "details": sorted(ASSETS)})
    path, media_type = found
    return Response(path.read_bytes(), media_type=media_type, headers={"Cache-Control": "no-cache"})


async def get_dashboard_overview(series_version=None):
    from ..dashboard.data import dashboard_of

    return dashboard_of(current_world()).overview(series_version)


async def get_dashboard_scenarios():
    from ..dashboard.data import shipped_scenarios

    return {"scenarios": shipped_scenarios()}


def _dashboard_not_found(exc) -> VendorError:
    return VendorError(404, {"error": str(exc)})


async def get_dashboard_task(task_id):
    from .. import core
    from ..dashboard.data import dashboard_of

    try:
        return dashboard_of(current_world()).task(task_id)
    except core.NotFound as exc:
        raise _dashboard_not_found(exc) from None


async def get_dashboard_task_items(task_id, state=None, offset=0, limit=25):
    from .. import core
    from ..dashboard.data import dashboard_of

    try:
        return dashboard_of(current_world()).task_items(task_id, state, offset, limit)
    except core.NotFound as exc:
        raise _dashboard_not_found(exc) from None


async def get_dashboard_task_item(task_id, item_id, source=None):
    from .. import core
    from ..dashboard.data import dashboard_of

    try:
        return dashboard_of(current_world()).task_item(task_id, item_id, source)
    except core.NotFound as exc:
        raise _dashboard_not_found(exc) from None
