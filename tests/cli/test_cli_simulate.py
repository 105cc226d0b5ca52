"""``mockserver simulate`` and ``serve --scenario`` with shipped scenarios by name; the report; Ctrl-C."""
import json
import signal
import subprocess
import sys
import time

import httpx

from cli_support import FREE_PORTS, SCENARIOS, Serve, clean_env, mockserver

LONG_TASK = "a-task-whose-identifier-is-much-longer-than-thirty-two-characters"
LONG_WORKER = "a-labeler-whose-name-is-longer-than-twenty-four"
NOBODYS_TASK = "a-task-that-no-simulated-person-works-on-at-all"
LONG_NAMES = f"""
name: long-names
description: Names longer than the report's old columns.
seed: 1
clock: {{mode: manual, start: "2024-05-06T08:00:00Z"}}
sources:
  - id: "sim:things"
    generate: {{count: 6, id_prefix: thing-, labels: [a, b]}}
tasks:
  - id: {LONG_TASK}
    tenant: sim
    sources: ["sim:things"]
    workers: [{LONG_WORKER}]
    assignment: {{strategy: full}}
    labels: [a, b]
  - id: {NOBODYS_TASK}
    tenant: sim
    sources: ["sim:things"]
    workers: [somebody-not-simulated]
    assignment: {{strategy: full}}
people:
  - {{id: {LONG_WORKER}, speed: {{fixed: 5}}, accuracy: 0.9}}
"""


def test_simulate_a_shipped_scenario_by_name(tmp_path):
    proc = mockserver("simulate", "clarifai-quickstart", "--quiet", "--json-report", "r.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    rep = json.loads((tmp_path / "r.json").read_text())
    assert (rep["complete"], rep["completed"], rep["interrupted"]) == (True, True, False)
    untouched = rep["untouched_tasks"]
    assert len(untouched) == 1 and untouched[0].startswith("modelarts:") and len(untouched[0]) > 32
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("scenario clarifai-quickstart (seed 7): completed at 2024-03-04T")
    assert lines[2].split()[:2] == ["clarifai:mock-user/mock-app/quickstart", "in_progress"]
    assert f"not part of the scenario (untouched): {untouched[0]}" in lines
    assert not any(line.startswith("modelarts:") for line in lines)  # not in the table of the scenario's tasks


def test_report_names_long_tasks_and_workers_in_full(tmp_path):
    (tmp_path / "long.yaml").write_text(LONG_NAMES)
    proc = mockserver("simulate", "long.yaml", "--json-report", "r.json", cwd=tmp_path,
                      env=clean_env(MOCKSERVER_SEED="42", MOCKSERVER_QUIET="1"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("scenario long-names (seed 42): completed at ")
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:] if line.strip()}
    assert rows[LONG_TASK][:3] == ["running", "6", "6"]
    assert rows[LONG_WORKER][0] == "6"
    prefix = "not part of the scenario (untouched): "
    untouched = next(line[len(prefix):].split(", ") for line in lines if line.startswith(prefix))
    assert NOBODYS_TASK in untouched and NOBODYS_TASK not in rows  # listed apart, not in the table
    header = lines[1]
    assert header.index("status") == len(LONG_TASK) + 1  # the column is as wide as the longest name
    rep = json.loads((tmp_path / "r.json").read_text())
    assert rep["untouched_tasks"] == untouched and rep["complete"] and rep["seed"] == 42


def test_serve_a_shipped_scenario_by_name(tmp_path):
    with Serve(tmp_path, *FREE_PORTS, "--quiet", "--scenario", "modelarts-quickstart") as server:
        assert httpx.get(f"{server.urls['modelarts']}/_mock/scenario").json()["name"] == "modelarts-quickstart"
        assert server.stop()[0] == 0


def test_ctrl_c_prints_a_partial_report_and_exits_130(tmp_path):
    report = tmp_path / "r.json"
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "simulate", str(SCENARIOS / "large-100k.yaml"),
                             "--json-report", str(report)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=clean_env(), cwd=tmp_path)
    try:
        first = proc.stderr.readline()  # the first progress line: the simulated people are at work
        assert first.startswith("simulate: "), first
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert time.monotonic() - started < 30
    assert "Traceback" not in err
    lines = out.splitlines()
    assert lines[0].startswith("scenario large-100k (seed 1): interrupted at virtual 2024-01-01T")
    assert "(partial report)" in lines[0]
    large = next(line.split() for line in lines if line.startswith("large "))
    assert large[1] == "running" and 0 < int(large[3]) < 100000
    rep = json.loads(report.read_text())
    assert (rep["interrupted"], rep["complete"], rep["completed"]) == (True, False, False)
    assert rep["unsettled_tasks"] == ["large"]


def test_simulate_runs_without_the_http_stack(tmp_path):
    """``simulate`` of a scenario that sends no requests of its own needs no server: Connexion, Starlette,
    uvicorn and httpx stay unimported (a third of a second, and ~20 MB of a large run's peak memory), and the
    run still completes. (A scenario with ``requests:`` sends them through the vendors' apps, which import it.)"""
    path = tmp_path / "long-names.yaml"
    path.write_text(LONG_NAMES)
    code = ("import sys\n"
            "from mockserver.cli import main\n"
            f"status = main(['simulate', {str(path)!r}, '--quiet'])\n"
            "print(status, sorted(m for m in ('connexion', 'starlette', 'uvicorn', 'httpx', 'grpc') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=clean_env())
    assert done.returncode == 0, done.stderr
    assert "completed" in done.stdout
    assert done.stdout.splitlines()[-1] == "0 []"
