"""The core's "now": every timestamp it stores comes from here, never from the wall clock directly.

In order: the virtual time of the event being simulated (``at(t)``), else the clock of the world
serving the current request or run (``mockserver.world.current_world``), else wall time (the core
used on its own, e.g. in unit tests and benches).  This keeps a reset or a simulation replay
byte-for-byte identical under a manual clock.
"""
from __future__ import annotations

import contextlib
import contextvars
import time

_event_time: contextvars.ContextVar[float | None] = contextvars.ContextVar("core_event_time", default=None)


def now() -> float:
    t = _event_time.get()
    if t is not None:
        return round(t, 6)
    from mockserver.world import current_world  # late: the world module sits above the core

    try:
        return round(current_world().clock.now(), 6)
    except LookupError:
        return round(time.time(), 6)


@contextlib.contextmanager
def at(t: float):
    """Core writes inside this block are stamped with virtual time ``t``."""
    token = _event_time.set(t)
    try:
        yield
    finally:
        _event_time.reset(token)


def enter(t: float):
    """``at(t)`` without a context manager, for hot loops: returns a token for ``leave``."""
    return _event_time.set(t)


def leave(token) -> None:
    _event_time.reset(token)
