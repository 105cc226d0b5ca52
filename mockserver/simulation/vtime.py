"""Virtual time for the timestamps the core stores.

The core stamps documents with ``mockserver.core.records.now()``, which reads the wall clock.  A
simulated submission must carry the *virtual* time of the event (so a run replays byte for byte
and a task's history reads like the working day it simulates).  ``install()`` wraps that one
function, once per process: inside ``at(t)`` it returns ``t``; when a request or a simulation
holds a current world it returns that world's clock; otherwise the wall clock, as before.

This is a workaround kept in the simulation's own package (the core is not ours to edit); the
proposal in docs/scenarios.md is for the core to take its time from the world's clock itself.
"""
from __future__ import annotations

import contextlib
import contextvars

_event_time: contextvars.ContextVar[float | None] = contextvars.ContextVar("sim_event_time", default=None)
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from mockserver.core import records
    from mockserver.world import current_world

    wall = records.now

    def now() -> float:
        t = _event_time.get()
        if t is not None:
            return round(t, 6)
        try:
            world = current_world()
        except LookupError:
            return wall()
        return round(world.clock.now(), 6)

    records.now = now
    _installed = True


@contextlib.contextmanager
def at(t: float):
    """Core writes inside this block are stamped with virtual time ``t``."""
    token = _event_time.set(t)
    try:
        yield
    finally:
        _event_time.reset(token)
