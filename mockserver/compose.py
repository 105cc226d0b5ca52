"""Composition: the one place a world and its front doors are built, step by step, in this order.

``build_world``  1. the world (settings, store, clock)
                 2. the scheduler
                 3. vendor seeding (the workspace), or a scenario (its workspace, items, tasks, simulation)
``build_gates``  4. one gate per vendor (its Connexion app)
                 5. fault injection, before each handler
                 6. the journal, after each handler
``build``        all six: what ``testing.InProcess``, the pytest plugin and a headless run use;
                 ``server.serve`` does 4-6 (``app.build_apps``) on the world the CLI built.

Where the order shows in the lifecycle (``World.on_reset`` / ``on_load`` / ``on_shutdown``):

* on_reset: [crew-only run dropped (``simulation.crew``, front, only once a crew was enlisted)]
  scheduler rebuild (``first``) -> seeding or the scenario's hook (re-seed, restart its people)
  -> faults cleared -> journal cleared -> [dashboard forgotten, webhook sender: when first used];
* on_load: scheduler rebuild -> the scenario's simulation resumed -> vendors attached -> [crew resumed];
* on_shutdown: [webhook sender closed, when it was used].

The named helpers (journal, faults, scheduler, dashboard, webhook sender) stay ``world.service(...)``: the
first use creates one and registers its reset hook, so a helper used only by some worlds costs the others
nothing; this module only fixes the order of the ones every world has.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING

from .store import Store
from .world import Settings, World

if TYPE_CHECKING:
    from .gate import Gate
    from .simulation.scenario import Scenario


def restored(world: World) -> bool:
    """Did the store come from a ``--data`` file that held a state? (Then it is not seeded again.)"""
    return bool(world.settings.data_path and len(world.store.db.tables()))


def build_world(settings: Settings | None = None, *, store: Store | None = None, workspace: dict | None = None,
                scenario: "str | Path | Scenario | None" = None, fast: bool = False) -> World:
    """A world with its scheduler and its workspace seeded (``workspace``, default: the embedded one), or
    with ``scenario`` (a file, a shipped name's path, or a ``Scenario``) loaded and its people started.

    A store restored from ``settings.data_path`` is kept as it is (not seeded again; a scenario's people
    resume from it). A scenario that does not load raises ``ValueError`` naming the file and the field."""
    from .scheduler import scheduler_of
    from .workspace import Reseed, default_workspace, seed_workspace

    # 1. The world: settings, the store (a --data file's, already loaded), the clock. Whether the store
    #    holds a restored state is read now, before step 2 adds (empty) tables to it.
    world = World(settings, store=store)
    was_restored = restored(world)

    # 2. The scheduler, before anything can schedule: its rebuild is the first on_reset hook (first=True)
    #    and the first on_load hook, so after a reset or an import the stored events are known before
    #    seeding or the simulation (registered below) schedule more or resume from them.
    scheduler_of(world)

    # 3. What the vendors hold.
    if scenario is not None:
        # 3a. A scenario: its workspace, items and tasks seeded, its reset hook (in place of the default
        #     seeding), its clock, and its simulation started (or resumed from a restored store). Its
        #     on_load hook (resume) comes after the scheduler's.
        from .simulation import Scenario, install

        sc = scenario if isinstance(scenario, Scenario) else Scenario.from_file(str(scenario))
        install(world, sc, fast=fast, restored=was_restored)
    else:
        # 3b. The workspace seeded into every vendor, now and after every reset (a restored store keeps
        #     its documents; only the credentials are known again).
        world.on_reset.append(Reseed(workspace))
        if was_restored:
            world.workspace = default_workspace() if workspace is None else copy.deepcopy(workspace)
            from .simulation.crew import resume_restored

            resume_restored(world)  # a vendor's crew (CloudFactory's CloudWorkers) back at work
        else:
            seed_workspace(world, workspace)
    # 3c. The vendors attached to what the store holds (their listeners of core events), now and after every
    #     state import: a state restored from --data moves on (Oversight webhooks) before anyone asks.
    _attach_vendors(world)
    world.on_load.append(_attach_vendors)
    return world


def _attach_vendors(world: World) -> None:
    from .vendors import VENDORS

    for vendor in VENDORS.values():
        vendor.attach(world)


def build_gates(world: World, vendors: list[str] | None = None) -> dict[str, "Gate"]:
    """The vendors' apps (each behind its gate) on ``world``, with fault injection and the journal."""
    from .app import build_app
    from .control import faults, journal
    from .vendors import VENDORS

    # 4. One gate per vendor (all of them unless told), all on this world.
    gates = {name: build_app(VENDORS[name], world) for name in (vendors or list(VENDORS))}
    # 5. Faults first among the gates' interceptors: a fault may answer instead of the handler.
    #    (Creates the injector: its clear joins on_reset.)
    faults.install(world, gates.values())
    # 6. The journal after the handler: it records every vendor request and the answer given.
    #    (Creates the journal: its clear joins on_reset, after the faults'.)
    journal.install(world, gates.values())
    return gates


def build(settings: Settings | None = None, *, store: Store | None = None, workspace: dict | None = None,
          scenario: "str | Path | Scenario | None" = None, fast: bool = False,
          vendors: list[str] | None = None) -> tuple[World, dict[str, "Gate"]]:
    """Steps 1-6: the world (see ``build_world``) and its gates (see ``build_gates``)."""
    world = build_world(settings, store=store, workspace=workspace, scenario=scenario, fast=fast)
    return world, build_gates(world, vendors)
