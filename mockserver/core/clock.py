"""The core's "now": every timestamp it stores comes from here, never from the wall clock directly.

In order: the virtual time of the event being simulated (``at(t)``), else the clock the core was
given with ``use_clock`` (the world registers one that reads the clock of the world serving the
current request or run), else wall time (the core used on its own, e.g. in unit tests and benches).
This keeps a reset or a simulation replay byte-for-byte identical under a manual clock. The core never
imports the layers above it: the clock is passed in.
"""
from __future__ import annotations

import contextlib
import contextvars
import time
from typing import Callable, Optional

_event_time: contextvars.ContextVar[float | None] = contextvars.ContextVar("core_event_time", default=None)


_provider: Optional[Callable[[], Optional[float]]] = None


def use_clock(provider: Optional[Callable[[], Optional[float]]]) -> None:
    """Give the core its clock: ``provider()`` returns the current virtual time, or None for none."""
    global _provider
    _provider = provider


def now() -> float:
    t = _event_time.get()
    if t is None and _provider is not None:
        t = _provider()
    return round(time.time() if t is None else t, 6)


@contextlib.contextmanager
def at(t: float):
    """Core writes inside this block are stamped with virtual time ``t``."""
    token = _event_time.set(t)
    try:
        yield
    finally:
        _event_time.reset(token)


def event_time() -> Optional[float]:
    """The virtual time of the event being recorded (inside ``at``), or None outside any."""
    return _event_time.get()


# ``enter(t)``: ``at(t)`` without a context manager, for hot loops (a simulation's events); returns a
# token for ``leave(token)``, which ends it.  The context variable's own methods, no Python call between.
enter = _event_time.set
leave = _event_time.reset
