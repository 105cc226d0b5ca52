"""Bad scenario files are refused before anything starts, naming the file, the field and the reason."""
import json
import subprocess
import sys

import jsonschema
import pytest

from mockserver.simulation import Scenario
from mockserver.simulation.scenario import SCHEMA_PATH

from sim_paths import SCENARIOS


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text()))


@pytest.mark.parametrize("text, path, reason", [
    ("people: [{id: w, speed: -3}]", "people[0].speed", "minimum"),
    ("people: [{id: w, sped: 3}]", "people[0]", "'sped' was unexpected"),
    ("tasks: [{id: t, review: {strategy: vote}}]", "tasks[0].review.strategy", "'vote' is not one of"),
    ("clock: {mode: fast}", "clock.mode", "is not one of"),
    ("seed: abc", "seed", "is not of type 'integer'"),
    ("people: [{id: w, accuracy: 1.5}]", "people[0].accuracy", ""),
    ("sources: [{id: s, generate: {count: -1}}]", "sources[0].generate.count", "minimum"),
    ("people: [{id: w}, {id: w}]", "people[1].id", "appears twice"),
    ("people: [{id: w, count: 3}]", "people[0].id", "{n}"),
    ("workspace: {acme: default}", "workspace", "'acme' was unexpected"),
    ("people: [{id: w, schedule: {hours: ['9:00', '17:00']}}]", "people[0].schedule.hours[0]", "does not match"),
])
def test_schema_errors_name_file_path_and_reason(scenario_file, text, path, reason):
    f = scenario_file(text)
    with pytest.raises(ValueError) as info:
        Scenario.from_file(f)
    message = str(info.value)
    assert message.startswith(f"{f}: {path}: "), message
    assert reason in message


def test_unknown_faker_provider_is_refused(scenario_file):
    from mockserver.simulation import install
    from mockserver.testing import new_world

    f = scenario_file("sources: [{id: s, generate: {count: 2, data: {x: no_such_provider}}}]")
    with pytest.raises(ValueError, match=r"sources\[0\]\.generate\.data\.x: 'no_such_provider'"):
        install(new_world(), Scenario.from_file(f))


def test_yaml_syntax_error_names_the_file(scenario_file):
    f = scenario_file("people: [")
    with pytest.raises(ValueError, match="not valid YAML"):
        Scenario.from_file(f)


def test_every_shipped_scenario_is_valid():
    files = sorted(SCENARIOS.glob("*.yaml"))
    assert len(files) >= 6
    for f in files:
        Scenario.from_file(f)


def test_serve_refuses_a_bad_scenario_with_status_2(scenario_file):
    f = scenario_file("people: [{id: w, speed: {lognormal: {mu: 1}}}]")
    proc = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--scenario", str(f), "--quiet"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert f"{f}: people[0].speed" in proc.stderr
