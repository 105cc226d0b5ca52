"""Virtual time for the timestamps the core stores: kept as the simulation's name for ``core.clock``.

The core stamps its documents through ``mockserver.core.clock`` (event time, else the world's clock);
``at(t)`` marks a simulated event's virtual time.  ``install`` is kept for callers and does nothing.
"""
from __future__ import annotations

from mockserver.core.clock import at  # noqa: F401


def install() -> None:
    """Nothing to do any more: the core reads virtual time itself."""
