"""The simulation through the core and the control API: the clock, determinism, run-time tasks, reset."""
import json

import pytest

from mockserver import core
from mockserver.testing import InProcess
from small_scenario import SMALL


def _load(text):
    m = InProcess()
    c = m.client("clarifai")
    import yaml

    r = c.post("/_mock/scenario", json=yaml.safe_load(text))
    assert r.status_code == 200, r.text
    return m, c


def _submitted(world, task="small"):
    return core.task_stats(world.store, task)["workers"]


def test_manual_clock_nothing_happens_until_advance():
    m, c = _load(SMALL)
    for _ in range(3):  # requests alone do not move a manual clock
        assert c.get("/_mock/state").status_code == 200
    stats = core.task_stats(m.world.store, "small")
    assert sum(w["submitted"] for w in stats["workers"].values()) == 0
    assert stats["states"]["unlabeled"] == 20
    c.post("/_mock/clock", json={"advance": 60})
    stats = core.task_stats(m.world.store, "small")
    assert 0 < sum(w["submitted"] for w in stats["workers"].values()) < 60
    c.post("/_mock/clock", json={"advance": 86400})
    stats = core.task_stats(m.world.store, "small")
    assert stats["done"] == 20
    assert sum(w["submitted"] for w in stats["workers"].values()) == 60


def test_submissions_carry_their_virtual_time():
    m, c = _load(SMALL)
    c.post("/_mock/clock", json={"advance": 30})
    start = 1704067200.0
    works = [w for w in m.world.store.table("core_work").all() if w["state"] == "submitted"]
    assert works
    assert all(start < w["submitted_at"] <= start + 30 for w in works)
    assert len({w["submitted_at"] for w in works}) == len(works)  # each at its own event time


def _run(steps):
    m, c = _load(SMALL)
    for s in steps:
        c.post("/_mock/clock", json={"advance": s})
    return json.dumps(c.get("/_mock/state").json(), sort_keys=True)


def test_same_scenario_seed_and_clock_steps_give_the_same_bytes():
    steps = [7, 30, 120, 600, 3600]
    a, b = _run(steps), _run(steps)
    assert a == b
    assert '"submitted"' in a


def test_different_seed_gives_a_different_run():
    import yaml

    m = InProcess()
    c = m.client("clarifai")
    states = []
    for seed in (1, 2):
        doc = yaml.safe_load(SMALL)
        doc["seed"] = seed
        assert c.post("/_mock/scenario", json=doc).status_code == 200
        c.post("/_mock/clock", json={"now": 1704067200.0 + 600})
        states.append(json.dumps(c.get("/_mock/state").json()["core_work"], sort_keys=True))
    assert states[0] != states[1]


def test_people_work_on_a_task_a_client_creates_at_run_time():
    m, c = _load("""
clock: {mode: manual, start: 1700000000}
workspace: {clarifai: default}
labels: [cat, dog, bird]
people:
  - {id: labeler-1, speed: 10, accuracy: 1.0}
  - {id: labeler-2, speed: 12, accuracy: 1.0}
""")
    auth = {"Authorization": "Key mock-clarifai-key"}
    body = {"tasks": [{"id": "runtime", "type": "CONCEPTS_CLASSIFICATION", "concept_ids": ["cat", "dog", "bird"],
                       "input_source": {"type": "ALL_INPUTS"},
                       "worker": {"strategy": "FULL", "users": [{"id": "labeler-1"}, {"id": "labeler-2"}]},
                       "review": {"strategy": "NONE"}}]}
    r = c.post("/v2/users/mock-user/apps/mock-app/tasks", json=body, headers=auth)
    assert r.status_code == 200, r.text
    c.post("/_mock/clock", json={"advance": 3600})
    core_id = [t["id"] for t in core.list_tasks(m.world.store) if t["id"].endswith("/runtime")][0]
    stats = core.task_stats(m.world.store, core_id)
    assert stats["done"] == stats["total"] == 24
    assert stats["workers"]["labeler-1"]["submitted"] == 24
    # Both are always right about the same latent truth: every input approved with one concept.
    assert stats["states"]["approved"] == 24


def test_reset_reseeds_the_same_scenario_and_restarts_people():
    m, c = _load(SMALL)
    c.post("/_mock/clock", json={"advance": 86400})
    assert core.task_stats(m.world.store, "small")["done"] == 20
    assert c.post("/_mock/reset").status_code == 200
    stats = core.task_stats(m.world.store, "small")
    assert stats["done"] == 0 and stats["total"] == 20
    c.post("/_mock/clock", json={"advance": 86400})
    assert core.task_stats(m.world.store, "small")["done"] == 20


def test_state_import_resumes_the_simulation():
    m, c = _load(SMALL)
    c.post("/_mock/clock", json={"advance": 20})
    saved = c.get("/_mock/state").json()
    c.post("/_mock/clock", json={"advance": 86400})
    done_then = json.dumps(c.get("/_mock/state").json()["core_task_items"], sort_keys=True)
    c.post("/_mock/clock", json={"now": 1704067200.0 + 20})  # back to when the state was saved
    assert c.put("/_mock/state", json=saved).status_code == 200
    assert core.task_stats(m.world.store, "small")["done"] < 20
    c.post("/_mock/clock", json={"advance": 86400})
    assert json.dumps(c.get("/_mock/state").json()["core_task_items"], sort_keys=True) == done_then


def test_reviewers_catch_wrong_work():
    m, c = _load(SMALL.replace("accuracy: 0.8", "accuracy: 0.5").replace("catch_rate: 0.9", "catch_rate: 1.0")
                 .replace("request_changes_share: 0.5", "request_changes_share: 0.0"))
    c.post("/_mock/clock", json={"advance": 86400})
    sim = m.world.simulation
    task = core.get_task(m.world.store, "small")
    for ti in core.list_task_items(m.world.store, "small"):
        if ti["reviews"]:
            subs = [w for w in core.list_work(m.world.store, "small", ti["item_id"]) if w["state"] == "submitted"]
            right = sim.judge(task, ti, subs)
            assert ti["state"] == ("approved" if right else "rejected")


def test_schedule_keeps_office_hours():
    m, c = _load("""
clock: {mode: manual, start: "2024-01-06T10:00:00Z"}
workspace: {}
sources: [{id: "sim:s", generate: {count: 5}}]
tasks: [{id: s, sources: ["sim:s"], workers: [w]}]
people:
  - {id: w, speed: 60, schedule: {timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: ["09:00", "17:00"]}}
""")
    c.post("/_mock/clock", json={"advance": 36 * 3600})  # Saturday 10:00Z -> Sunday 22:00Z: weekend
    assert core.task_stats(m.world.store, "s")["done"] == 0
    c.post("/_mock/clock", json={"advance": 12 * 3600})  # Monday 10:00Z = 11:00 in Berlin
    works = [w for w in m.world.store.table("core_work").all() if w["state"] == "submitted"]
    assert len(works) == 5
    monday_9_berlin = 1704700800.0  # 2024-01-08T08:00Z = 09:00 in Berlin
    assert min(w["submitted_at"] for w in works) == pytest.approx(monday_9_berlin + 60)
