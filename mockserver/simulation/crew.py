"""A crew: simulated people a vendor brings at run time (CloudFactory's default CloudWorkers), so that work
the vendor puts into the core gets done by the same engine as a scenario's people, even without a scenario.

``enlist(world, specs, seed=0)`` stores each person spec (the scenario format: ``id``, ``speed``,
``accuracy``, ``skip_rate``, ``schedule``...) in ``sim_crew`` and makes them act:

* a scenario simulation runs: they join it (its seed); people the scenario has already are left alone;
* a scenario is being loaded (its ``requests`` are running): they are only stored; the simulation
  the load starts next reads ``sim_crew``;
* no simulation runs (``mockserver serve`` without ``--scenario``): a *crew-only* simulation starts
  for them (no scenario, ``seed``, ``poll_seconds`` 30).  A reset drops it (the next enlisting starts
  it again); a state import, or a restart on a ``--data`` file (``resume_restored``), that holds a crew
  brings it back and resumes it.

Enlisted people look for work at the simulation's next poll (not at once), so work the vendor has
just created is first seen waiting.  O(people enlisted) per call.
"""
from __future__ import annotations

from .engine import CREW, Simulation
from .scenario import Scenario

CREW_ONLY = "<crew>"


def _crew_only(sim) -> bool:
    return sim is not None and sim.scenario.origin == CREW_ONLY


def _new_crew_only(world, seed: int) -> Simulation:
    sim = Simulation(world, Scenario(doc={"poll_seconds": 30}, origin=CREW_ONLY, seed=seed))  # makes the scheduler
    world.simulation = sim
    if _on_reset not in world.on_reset:
        # Front of on_reset: the crew-only run is dropped before anything re-seeded could enlist again.
        # On load, after the scheduler's rebuild (the Simulation above made the scheduler first).
        world.on_reset.insert(0, _on_reset)
        world.on_load.append(_on_load)
    return sim


def enlist(world, specs: list[dict], seed: int = 0) -> list[str]:
    """Make the people of ``specs`` simulated (see the module). Returns the ids that were new."""
    store = world.store
    with store.lock:
        sim = world.simulation
        known = set(sim.scenario_people) if sim is not None and not _crew_only(sim) else set()
        coll = store.table(CREW)
        fresh = [s for s in specs if s["id"] not in known and s["id"] not in coll]
        for spec in fresh:
            coll.insert({"id": spec["id"], "spec": dict(spec), "seed": seed})
        if not fresh or world.scenario_loading:
            return [s["id"] for s in fresh]
        now = world.now()
        if sim is None:
            sim = _new_crew_only(world, seed)
            sim.start(now + sim.poll_seconds)
            return [s["id"] for s in fresh]
        poll = store.table("sim_meta").get("poll")
        wake = poll["next_at"] if poll is not None and poll["next_at"] > now else now + sim.poll_seconds
        return sim.enlist(fresh, wake)


def _on_reset(world) -> None:
    """The store was cleared: a crew-only simulation has nothing left to do (scenario ones restart on their own)."""
    sim = world.simulation
    if _crew_only(sim):
        sim.stop()
        world.simulation = None


def resume_restored(world) -> None:
    """A store restored from ``--data`` without a scenario: the crew it holds back at work (its crew-only
    simulation resumed, as after a state import), before anyone asks the vendor for anything."""
    if world.simulation is None and len(world.store.table(CREW)) > 0:
        _on_load(world)


def _on_load(world) -> None:
    """A state was imported: resume the crew it holds (scenario simulations resume on their own)."""
    sim = world.simulation
    has_crew = len(world.store.table(CREW)) > 0
    if sim is None and has_crew:
        sim = _new_crew_only(world, world.store.table(CREW).all()[0].get("seed", 0))
        sim.resume()
    elif _crew_only(sim):
        if has_crew:
            sim.resume()
        else:
            sim.stop()
            world.simulation = None
