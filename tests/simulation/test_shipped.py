"""Every shipped scenario loads and runs headless; ``serve --scenario`` and ``simulate`` work end to end."""
import json
import subprocess
import sys

import httpx
import pytest

from mockserver.simulation import Scenario
from mockserver.simulation.headless import run
from mockserver.testing import ServerProcess

from sim_paths import SCENARIOS

SMALL_ONES = sorted(p.name for p in SCENARIOS.glob("*.yaml") if p.name != "large-100k.yaml")


@pytest.mark.parametrize("name", SMALL_ONES)
def test_shipped_scenario_runs_headless_to_completion(name):
    _, summary = run(Scenario.from_file(SCENARIOS / name))
    assert summary["completed"]
    people = Scenario.from_file(SCENARIOS / name).people
    if people:
        assert summary["events"] > 0
        worked = [t for t in summary["tasks"] if t["done"]]
        assert worked and all(t["done"] == t["items"] for t in worked)


def test_large_scenario_runs_headless_until_a_virtual_time():
    _, summary = run(Scenario.from_file(SCENARIOS / "large-100k.yaml"), until="2m")
    assert not summary["completed"]
    large = next(t for t in summary["tasks"] if t["task"] == "large")
    assert large["items"] == 100000
    assert 0 < large["done"] < 1000
    assert summary["virtual_end"] <= "2024-01-01T00:02:00Z"


def test_simulate_command_prints_a_report_and_writes_json(tmp_path):
    out = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, "-m", "mockserver", "simulate", str(SCENARIOS / "disagreement.yaml"),
                           "--seed", "9", "--json-report", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "birds" in proc.stdout and "accuracy" in proc.stdout
    assert "simulate:" in proc.stderr  # not a TTY: plain progress lines
    rep = json.loads(out.read_text())
    assert rep["seed"] == 9 and rep["completed"]
    birds = next(t for t in rep["tasks"] if t["task"] == "birds")
    assert birds["done"] == 300 and birds["reviews"]["approved"] > 0
    guesser = next(w for w in rep["workers"] if w["worker"] == "guesser")
    careful = next(w for w in rep["workers"] if w["worker"] == "careful")
    assert guesser["accuracy"] < careful["accuracy"]


def test_serve_with_a_scenario():
    with ServerProcess("--scenario", str(SCENARIOS / "clarifai-quickstart.yaml")) as server:
        base = server.urls["clarifai"]
        with httpx.Client(base_url=base, timeout=10) as c:
            assert c.get("/_mock/scenario").json()["name"] == "clarifai-quickstart"
            auth = {"Authorization": "Key mock-clarifai-key"}
            path = "/v2/users/mock-user/apps/mock-app/tasks/quickstart"
            assert c.get(path, headers=auth).status_code == 200
            assert c.get("/_mock/clock").json()["mode"] == "manual"
            c.post("/_mock/clock", json={"advance": 3600})
            people = c.get("/_mock/scenario").json()["people"]
            # 24 inputs x 2 labelers each, plus resubmissions after the reviewer's change requests
            assert sum(p["labeled"] for p in people) >= 48
            state = c.get("/_mock/state").json()
            items = [d for d in state["core_task_items"] if d["task_id"].endswith("/quickstart")]
            assert len(items) == 24 and all(d["state"] in ("approved", "rejected") for d in items)
