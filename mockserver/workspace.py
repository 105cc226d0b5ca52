"""The embedded default workspace: a ready world with documented credentials for each vendor.

``GET /_mock/workspace`` returns it.  A scenario file may replace any section.
"""
from __future__ import annotations

import copy

from . import core
from .vendors import VENDORS
from .vendors.clarifai.workspace import DEFAULT as CLARIFAI
from .vendors.cloudfactory.workspace import DEFAULT as CLOUDFACTORY
from .vendors.modelarts.workspace import DEFAULT as MODELARTS

SEEDED_AT = 1767225600.0  # 2026-01-01T00:00:00Z

DEFAULT_WORKSPACE = {"clarifai": CLARIFAI, "modelarts": MODELARTS, "cloudfactory": CLOUDFACTORY}


def default_workspace() -> dict:
    return copy.deepcopy(DEFAULT_WORKSPACE)


def seed_workspace(world, workspace: dict | None = None) -> None:
    """Put ``workspace`` (default: the embedded one) into the world's store."""
    world.workspace = copy.deepcopy(workspace) if workspace is not None else default_workspace()
    # Seeded documents carry one fixed time, so a reset rebuilds exactly the same state.
    with world.store.lock, core.at(SEEDED_AT):
        for name, vendor in VENDORS.items():
            section = world.workspace.get(name)
            if section is not None:
                vendor.seed(world, section)


class Reseed:
    """The on_reset hook that seeds ``workspace`` again (default: the embedded one). A type of its own, so a
    scenario being installed can find and replace it (``simulation.loader``)."""

    def __init__(self, workspace: dict | None = None):
        self.workspace = workspace

    def __call__(self, world) -> None:
        seed_workspace(world, self.workspace)
