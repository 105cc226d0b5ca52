"""Oversight tasks are core work done by simulated CloudWorkers: the shipped quick start served with
``serve --scenario``, the clock moved through the control API, and the tasks read back through
CloudFactory's own API (GET /v1/tasks/{id}) and checked against the core (GET /_mock/state)."""
from __future__ import annotations

import httpx
import pytest

from mockserver.testing import InProcess, ServerProcess

KEY = {"x-api-key": "mock-cloudfactory-key"}
CORE_TASK = "cloudfactory:oversight:ws-0001"
ORDER = ("queued", "in_progress", "completed")


def _rows(state: dict, table: str) -> list[dict]:
    rows = state.get(table) or []
    return list(rows.values()) if isinstance(rows, dict) else list(rows)


@pytest.fixture(scope="module")
def quickstart():
    with ServerProcess("--scenario", "cloudfactory-quickstart") as server:
        with httpx.Client(base_url=server.urls["cloudfactory"], headers=KEY, timeout=30) as client:
            state = client.get("/_mock/state").json()
            loaded = [t["id"] for t in _rows(state, "cloudfactory_tasks")]
            # and two more submitted now, through the API, as a client would
            mine = []
            for key, tags in (("frames/0101.jpg", [{"value": "truck", "confidence_score": 0.5}]),
                              ("frames/0102.jpg", [{"value": "person", "confidence_score": 0.7},
                                                   {"value": "bus", "confidence_score": 0.4}])):
                r = client.post("/v1/tasks", json={"bucket_id": "bucket-0001", "media_key": key,
                                                   "configuration_id": "cfg-0001", "media_type": "image",
                                                   "tags": tags})
                assert r.status_code == 200, r.text
                mine.append(r.json()["task_id"])
            ids = loaded + mine
            seen = {t: [client.get(f"/v1/tasks/{t}").json()] for t in ids}
            for _ in range(24):  # 2 h of virtual time in 5-minute steps
                assert client.post("/_mock/clock", json={"advance": 300}).status_code == 200
                for t in ids:
                    seen[t].append(client.get(f"/v1/tasks/{t}").json())
            yield client, loaded, mine, seen, client.get("/_mock/state").json()


def test_the_scenario_submits_oversight_tasks(quickstart):
    _, loaded, _, seen, _ = quickstart
    assert len(loaded) == 8
    for t in loaded:
        first = seen[t][0]
        assert first["state"] == "queued" and first["updated_inferences"] == {"inferences": []}


def test_states_progress_queued_in_progress_completed(quickstart):
    _, _, _, seen, _ = quickstart
    observed_in_progress = 0
    for t, bodies in seen.items():
        states = [b["state"] for b in bodies]
        assert states[0] == "queued" and states[-1] == "completed", (t, states)
        ranks = [ORDER.index(s) for s in states]
        assert ranks == sorted(ranks), (t, states)  # never backwards
        observed_in_progress += "in_progress" in states
        times = [b["updated_at"] for b in bodies]
        assert times == sorted(times)
    assert observed_in_progress >= 1  # 5-minute steps against a 2-minute median: some are caught at work


def test_completed_tasks_confirm_or_correct_every_tag(quickstart):
    _, _, _, seen, state = quickstart
    tags = {d["id"]: d["tags"] for d in _rows(state, "cloudfactory_tasks")}
    labels = set(next(w for w in _rows(state, "cloudfactory_workstreams") if w["id"] == "ws-0001")["labels"])
    corrected = confirmed = 0
    for t, bodies in seen.items():
        done = bodies[-1]
        inferences = done["updated_inferences"]["inferences"]
        assert len(inferences) == len(tags[t])
        for i, (inf, tag) in enumerate(zip(inferences, tags[t])):
            assert inf["external_id"] == f"{t}:{i}"
            assert inf["bbox"] == inf["mask"] == inf["polygon"] == []
            (cls,) = inf["classes"]
            assert cls["confidence_score"] == 1.0
            assert cls["class"] in labels
            if cls["class"] == tag["value"]:
                confirmed += 1
            else:
                corrected += 1
    assert corrected >= 1 and confirmed >= 1


def test_the_core_agrees(quickstart):
    _, _, _, seen, state = quickstart
    items = {ti["item_id"]: ti for ti in _rows(state, "core_task_items") if ti["task_id"] == CORE_TASK}
    assert set(items) == set(seen)
    assert all(ti["state"] == "approved" for ti in items.values())
    works = {w["item_id"]: w for w in _rows(state, "core_work") if w["task_id"] == CORE_TASK}
    assert {w["worker"] for w in works.values()} <= {"cf-oversight-1", "cf-oversight-2"}
    for t, bodies in seen.items():
        classes = [i["classes"][0]["class"] for i in bodies[-1]["updated_inferences"]["inferences"]]
        assert [lb["concept"] for lb in works[t]["labels"]] == classes
    # the adapter's record of each change (what its webhooks said) follows the core's
    for doc in _rows(state, "cloudfactory_tasks"):
        assert [h["state"] for h in doc["history"]][-1] == "completed"
    assert not [d for d in _rows(state, "core_progress") if d["task_id"] == CORE_TASK]  # settled: no longer followed


def test_oversight_shows_in_the_simulation(quickstart):
    client, *_ = quickstart
    people = {p["id"]: p for p in client.get("/_mock/scenario").json()["people"]}
    assert people["cf-oversight-1"]["labeled"] + people["cf-oversight-2"]["labeled"] == 10


# -- without a scenario: the default crew --------------------------------------------------------------
def _submit(c, key="frames/9.jpg"):
    r = c.post("/v1/tasks", json={"bucket_id": "bucket-0001", "media_key": key, "configuration_id": "cfg-0001",
                                  "tags": [{"value": "car", "confidence_score": 0.4}]})
    assert r.status_code == 200, r.text
    return r.json()["task_id"]


def test_default_crew_works_after_a_reset():
    mock = InProcess()
    mock.world.clock.set(mode="manual", now=1_700_000_000)
    with mock.client("cloudfactory", headers=KEY) as c:
        first = _submit(c)
        mock.world.clock.advance(6 * 3600)
        assert c.get(f"/v1/tasks/{first}").json()["state"] == "completed"
        scenario = c.get("/_mock/scenario").json()
        assert scenario["name"] is None  # no scenario: the crew runs on its own
        assert c.post("/_mock/reset").status_code == 200
        second = _submit(c, "frames/10.jpg")
        assert c.get(f"/v1/tasks/{second}").json()["state"] == "queued"
        mock.world.clock.advance(6 * 3600)
        body = c.get(f"/v1/tasks/{second}").json()
        assert body["state"] == "completed" and len(body["updated_inferences"]["inferences"]) == 1
        state = c.get("/_mock/state").json()
        crew = {w["worker"] for w in _rows(state, "core_work") if w["task_id"] == CORE_TASK}
        assert crew and all(w.startswith("cloudworker-ws-0001-") for w in crew)


def test_after_a_restart_on_its_data_file_oversight_tasks_move_on_before_anyone_asks(tmp_path):
    """The adapter listens to the core from the start: after ``serve --data`` restarts, the CloudWorkers'
    progress is recorded (history, webhooks) while only the clock moves, with no CloudFactory request."""
    data = str(tmp_path / "state.json")
    with ServerProcess("--data", data) as server:
        with httpx.Client(base_url=server.urls["cloudfactory"], headers=KEY, timeout=30) as client:
            r = client.post("/v1/tasks", json={"bucket_id": "bucket-0001", "media_key": "restart.jpg",
                                               "configuration_id": "cfg-0001", "media_type": "image",
                                               "tags": [{"value": "car", "confidence_score": 0.9}]})
            assert r.status_code == 200, r.text
            task_id = r.json()["task_id"]
            assert client.post("/_mock/clock", json={"mode": "manual"}).status_code == 200
    with ServerProcess("--data", data) as server:
        with httpx.Client(base_url=server.urls["cloudfactory"], timeout=30) as control:  # no API key: control only
            for _ in range(24):  # 2 h of virtual time
                assert control.post("/_mock/clock", json={"advance": 300}).status_code == 200
            task = next(t for t in _rows(control.get("/_mock/state").json(), "cloudfactory_tasks")
                        if t["id"] == task_id)
    assert [h["state"] for h in task["history"]][-1] == "completed", task["history"]
    assert task["state"] == "completed"
