"""``mockserver serve --scenario FILE``: the CLI's entry into the simulation package."""
from __future__ import annotations


def load_scenario(world, path):
    """Seed ``world`` from the scenario at ``path``, register a reset hook that re-seeds it, start its
    simulated people, and return the world.  A bad file raises ``ValueError`` naming the file, the
    field path and the reason (the CLI prints it and exits with status 2)."""
    from .simulation import Scenario, install

    scenario = Scenario.from_file(path)
    restored = bool(world.settings.data_path and len(world.store.db.tables()))
    install(world, scenario, restored=restored)
    return world
