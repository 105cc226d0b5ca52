"""Putting a scenario into a world: workspace, items, tasks, people; re-seeded on every reset."""
from __future__ import annotations

import copy

from mockserver import core
from mockserver.core import CoreError
from mockserver.workspace import Reseed

from .engine import Simulation
from .items import check_providers, generate
from .requests import run as run_requests
from .scenario import Scenario

SIM_ONLY_TASK_FIELDS = ("labels", "acceptance")
EXCLUDED_FROM_SNAPSHOT = ("scheduler_events", "sim_people", "sim_meta")


def seed_world(world, sc: Scenario) -> None:
    """Workspace sections, then the scenario's items, then its tasks (already-cleared store)."""
    from mockserver.workspace import seed_workspace

    store = world.store
    seed_workspace(world, sc.workspace())
    for i, src in enumerate(sc.doc.get("sources", [])):
        items = list(src.get("items") or [])
        if src.get("generate"):
            items.extend(generate(src["id"], src["generate"], sc.seed))
        try:
            core.add_items(store, src["id"], items, copy=False)  # the copies would go unused
        except CoreError as exc:
            raise ValueError(f"{sc.origin}: sources[{i}]: {exc}") from None
        # The core stored copies: let the generated originals go now, so the tasks created next reuse
        # their memory (held until the end of the function, they added ~80 MiB to the peak at 100k items).
        items = None
    for i, t in enumerate(sc.doc.get("tasks", [])):
        spec = {k: v for k, v in t.items() if k not in SIM_ONLY_TASK_FIELDS}
        spec.setdefault("seed", sc.seed)
        spec.setdefault("status", "running")
        try:
            core.create_task(store, spec)
        except CoreError as exc:
            raise ValueError(f"{sc.origin}: tasks[{i}]: {exc}") from None


class ScenarioHook:
    """The reset hook of a loaded scenario: seed it again and restart its people.

    A scenario with ``requests`` is re-seeded from a snapshot taken right after its first load
    (requests cannot run inside a reset: the store lock is held and they go through the gate).
    """

    def __init__(self, scenario: Scenario, fast: bool = False):
        self.scenario = scenario
        self.fast = fast
        self.snapshot: dict | None = None
        self.defer_start = False

    def __call__(self, world) -> None:
        old = world.simulation
        if old is not None:
            old.stop()
        now = world.clock.now()
        with world.store.lock, core.at(now):
            if self.snapshot is None:
                seed_world(world, self.scenario)
            else:
                for name, docs in self.snapshot.items():
                    coll = world.store.table(name)
                    for doc in docs:
                        coll.replace(copy.deepcopy(doc))
                world.workspace = self.scenario.workspace()
            if not self.defer_start:
                self.start(world, now)

    def start(self, world, now: float) -> Simulation:
        sim = Simulation(world, self.scenario, fast=self.fast)
        world.simulation = sim
        world.scenario = self.scenario
        sim.start(now)
        return sim


def _resume(world) -> None:
    sim = world.simulation
    if sim is not None:
        sim.resume()


def install(world, sc: Scenario, fast: bool = False, restored: bool = False) -> Simulation:
    """Make ``sc`` the world's scenario: clock, reset hook, seeding, people (or resume a restored state)."""
    check_providers(sc.doc, sc.origin)
    old = world.simulation
    if old is not None:
        old.stop()
    # The scenario's hook replaces the default seeding (and an earlier scenario's) in on_reset, appended:
    # after the scheduler's rebuild (first); before the journal/faults clearing when composed
    # (``compose.build_world`` loads it before the gates exist), after them when loaded on a running
    # world (``POST /_mock/scenario``); those do not depend on each other.
    world.on_reset[:] = [h for h in world.on_reset if not isinstance(h, (Reseed, ScenarioHook))]
    hook = ScenarioHook(sc, fast)
    world.on_reset.append(hook)
    if _resume not in world.on_load:
        from mockserver.scheduler import scheduler_of

        scheduler_of(world)  # order: the scheduler's on_load rebuild must be registered (and run) before _resume
        world.on_load.append(_resume)
    if restored:
        world.workspace = sc.workspace()
        sim = Simulation(world, sc, fast=fast)
        world.simulation = sim
        world.scenario = sc
        sim.resume()
        return sim
    clock = sc.clock()
    if clock:
        world.clock.set(**clock)
    if not sc.doc.get("requests"):
        world.reset()
        return world.simulation
    hook.defer_start = True
    try:
        world.reset()
    finally:
        hook.defer_start = False
    now = world.clock.now()
    world.scenario_loading = True  # a crew enlisted by a request joins the simulation started below
    try:
        with core.at(now):
            run_requests(world, sc)
    finally:
        world.scenario_loading = False
    with world.store.lock:
        hook.snapshot = {k: v for k, v in world.store.export().items() if k not in EXCLUDED_FROM_SNAPSHOT}
        return hook.start(world, now)
