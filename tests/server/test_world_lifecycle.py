"""The world's one lifecycle (``on_reset``, ``on_load``, ``on_shutdown``) through its public surfaces:
``POST /_mock/reset``, ``PUT /_mock/state`` and the server's stop, on worlds built by ``mockserver.compose``."""
import asyncio
import json

from mockserver import compose, core
from mockserver.scheduler import Scheduler
from mockserver.testing import InProcess, new_world
from mockserver.vendors.cloudfactory import webhooks
from small_scenario import SMALL

SCENARIO = SMALL.replace("name: small", "name: lifecycle")

START = 1704067200.0


def _seeded(world) -> bool:
    return len(world.store.table("clarifai_keys")) > 0


def test_reset_runs_the_on_reset_hooks_in_order_first_ones_first():
    mock = InProcess()
    world = mock.world
    assert _seeded(world)
    calls = []
    world.on_reset.append(lambda w: calls.append(("appended", _seeded(w))))
    world.service("probe", lambda w: object(), on_reset=lambda helper: calls.append(("first", _seeded(world))),
                  first=True)
    world.service("probe", lambda w: object(), on_reset=lambda helper: calls.append(("again", None)), first=True)
    with mock.client("clarifai") as c:
        assert c.post("/_mock/reset").status_code == 200
        assert c.post("/_mock/reset").status_code == 200
    # first=True: before everything composed (the default seeding included), on a cleared store; the
    # appended hook after the seeding; a helper registers its hook once, on creation.
    assert calls == [("first", False), ("appended", True)] * 2
    assert _seeded(world)


def test_compose_puts_the_scheduler_first_in_each_lifecycle_list():
    world, gates = compose.build()
    assert set(gates) == {"clarifai", "modelarts", "cloudfactory"}
    assert isinstance(world.scheduler, Scheduler)
    ran = []
    original = Scheduler.rebuild
    try:
        Scheduler.rebuild = lambda self: ran.append("rebuild")
        world.on_load.append(lambda w: ran.append("later"))
        world.loaded()
    finally:
        Scheduler.rebuild = original
    assert ran == ["rebuild", "later"]


def _scenario_world(tmp_path):
    path = tmp_path / "lifecycle.yaml"
    path.write_text(SCENARIO)
    mock = InProcess(new_world(scenario=path))
    assert mock.world.scenario is not None and mock.world.scenario.name == "lifecycle"
    assert mock.world.simulation is not None
    return mock


def test_a_state_import_rebuilds_the_scheduler_then_resumes_the_simulation(tmp_path, monkeypatch):
    mock = _scenario_world(tmp_path)
    world = mock.world
    with mock.client("clarifai") as c:
        c.post("/_mock/clock", json={"advance": 20})
        saved = c.get("/_mock/state").json()
        assert saved["scheduler_events"], "a running simulation has its next tick scheduled"
        c.post("/_mock/clock", json={"advance": 86400})
        done_then = json.dumps(c.get("/_mock/state").json()["core_task_items"], sort_keys=True)
        assert core.task_stats(world.store, "small")["done"] == 20

        order = []
        sim = world.simulation
        rebuild, resume = Scheduler.rebuild, sim.resume

        def recording_rebuild(self):
            rebuild(self)
            order.append(("rebuild", sorted(e["id"] for e in self.pending())))

        def recording_resume():
            order.append(("resume", None))
            resume()

        monkeypatch.setattr(Scheduler, "rebuild", recording_rebuild)
        monkeypatch.setattr(sim, "resume", recording_resume)
        c.post("/_mock/clock", json={"now": START + 20})  # back to when the state was saved
        assert c.put("/_mock/state", json=saved).status_code == 200
        # The scheduler re-read the imported events before the simulation resumed from them.
        assert order == [("rebuild", sorted(e["id"] for e in saved["scheduler_events"])), ("resume", None)]
        assert world.simulation is sim
        assert core.task_stats(world.store, "small")["done"] < 20
        # ... and the loaded scenario keeps simulating after the import, exactly as it did the first time.
        c.post("/_mock/clock", json={"advance": 86400})
        assert core.task_stats(world.store, "small")["done"] == 20
        assert json.dumps(c.get("/_mock/state").json()["core_task_items"], sort_keys=True) == done_then


def test_a_refused_import_puts_the_state_back_and_runs_the_load_hooks_again(tmp_path):
    mock = _scenario_world(tmp_path)
    world = mock.world
    loads = []

    def picky(w):  # refuses the imported state (no tasks), takes the one put back
        loads.append(len(w.store.table("core_tasks")))
        if not len(w.store.table("core_tasks")):
            raise ValueError("no tasks")

    world.on_load.append(picky)
    with mock.client("clarifai") as c:
        before = c.get("/_mock/state").json()
        r = c.put("/_mock/state", json={k: v for k, v in before.items() if k != "core_tasks"})
        assert r.status_code == 400 and "no tasks" in r.json()["error"], r.text
        assert loads == [0, len(before["core_tasks"])]
        after = c.get("/_mock/state").json()
        # The state as it was (the resumed simulation re-armed its one tick, under a new id, at the same time).
        assert {k: v for k, v in after.items() if k != "scheduler_events"} == \
            {k: v for k, v in before.items() if k != "scheduler_events"}
        assert [e["due"] for e in after["scheduler_events"]] == [e["due"] for e in before["scheduler_events"]]
        c.post("/_mock/clock", json={"advance": 86400})  # the simulation still runs
        assert core.task_stats(world.store, "small")["done"] == 20


def test_shutdown_runs_the_on_shutdown_hooks_and_closes_the_webhook_sender():
    world = new_world()
    sender = webhooks.sender(world)
    assert webhooks.sender(world) is sender  # one per world, one shutdown hook
    calls = []
    world.on_shutdown.append(lambda w: calls.append(w))
    assert not sender.client.is_closed
    world.shutdown()
    assert sender.client.is_closed
    assert calls == [world]


def test_the_server_runs_the_shutdown_hooks_when_it_stops():
    from mockserver.server import serve

    world = new_world()
    sender = webhooks.sender(world)

    async def run():
        ready, stop = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(serve(world, {"clarifai": 0}, quiet=True, ready=ready, stop=stop))
        await asyncio.wait_for(ready.wait(), 20)
        assert not sender.client.is_closed
        stop.set()
        await asyncio.wait_for(task, 20)

    asyncio.run(run())
    assert sender.client.is_closed
