"""Every way ``mockserver`` refuses to start says what is wrong in one line, with the right exit status,
before printing ``ready`` and never with a traceback."""
import os
import re
import socket
import tempfile

import pytest

from cli_support import FREE_PORTS, SCENARIOS, clean_env, mockserver
from mockserver import cli


def one_line(proc, status: int) -> str:
    assert proc.returncode == status, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "ready" not in proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.mark.parametrize("value", ["70000", "-1", "abc"])
def test_invalid_port_on_the_command_line(value):
    line = one_line(mockserver("serve", "--clarifai-port", value), 2)
    assert line == (f"mockserver: argument --clarifai-port: '{value}' is not a port number (0..65535; 0 picks a "
                    "free one) (see 'mockserver serve --help')")


@pytest.mark.parametrize("variable,value,words", [
    ("MOCKSERVER_MODELARTS_PORT", "99999", "'99999' is not a port number (0..65535; 0 picks a free one)"),
    ("MOCKSERVER_STRICT", "maybe", "'maybe' is not a yes/no value (use 1/true/yes/on or 0/false/no/off)"),
    ("MOCKSERVER_LOG_FORMAT", "xml", "'xml' is not a log format (use text or json)"),
])
def test_invalid_environment_value_names_the_variable(variable, value, words):
    line = one_line(mockserver("serve", env=clean_env(**{variable: value})), 2)
    assert line == f"mockserver: {variable}: {words}"


def test_port_in_use_names_the_vendor_and_the_option():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = one_line(mockserver("serve", "--clarifai-port", "0", "--modelarts-port", str(port),
                                   "--cloudfactory-port", "0"), 1)
    assert line == (f"mockserver: modelarts port {port} is already in use (another mockserver? pick another with "
                    "--modelarts-port or 0 for a free one)")


def test_host_that_cannot_be_bound():
    line = one_line(mockserver("serve", "--host", "10.255.255.1", *FREE_PORTS), 1)
    assert re.fullmatch(r"mockserver: cannot listen on 10\.255\.255\.1:0 \(clarifai\): \S.*", line), line


def test_data_in_a_missing_directory(tmp_path):
    target = tmp_path / "x" / "y" / "state.json"
    line = one_line(mockserver("serve", *FREE_PORTS, "--data", str(target)), 2)
    assert line == f"mockserver: --data {target}: directory {target.parent} does not exist"


@pytest.mark.parametrize("content,words", [
    ("hello", "not a JSON state file (line 1: Expecting value)"),
    ('{"tasks": [1]}', "not a state file (table 'tasks': every document needs a string 'id')"),
    (b"\xff\xfe\x00", "not a JSON state file (not UTF-8 text)"),
])
def test_data_that_is_not_a_state_file(tmp_path, content, words):
    path = tmp_path / "state.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    line = one_line(mockserver("serve", *FREE_PORTS, "--data", "state.json", cwd=tmp_path), 2)
    assert line == f"mockserver: --data state.json: {words}"


def _unwritable_directory(tmp_path) -> str:
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        return str(locked)
    try:  # root writes anywhere, except on a read-only file system such as /sys
        tempfile.mkstemp(dir="/sys")
    except OSError:
        return "/sys"
    pytest.skip("no unwritable directory for root here")


def test_data_in_a_directory_that_is_not_writable(tmp_path):
    directory = _unwritable_directory(tmp_path)
    target = os.path.join(directory, "state.json")
    line = one_line(mockserver("serve", *FREE_PORTS, "--data", target), 2)
    assert re.fullmatch(rf"mockserver: --data {re.escape(target)}: directory {re.escape(directory)} is not "
                        r"writable \(.+\)", line), line


def test_unknown_scenario_names_what_was_asked_and_what_ships():
    line = one_line(mockserver("serve", *FREE_PORTS, "--scenario", "no-such-scenario"), 2)
    shipped = ", ".join(sorted(p.stem for p in SCENARIOS.glob("*.yaml")))
    assert line == (f"mockserver: --scenario no-such-scenario: no such file, and no shipped scenario of that name "
                    f"(shipped: {shipped})")
    line = one_line(mockserver("simulate", "no-such-scenario"), 2)
    assert line.startswith("mockserver: simulate: no-such-scenario: no such file")


@pytest.mark.parametrize("text,words", [
    ("people: [{id: w, speed: {lognormal: {mu: 1}}}]", "people[0].speed"),
    ("name: [unclosed\n  seed: 1\n", "not valid YAML"),
])
def test_invalid_scenario_names_the_file(tmp_path, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    for args in (("serve", *FREE_PORTS, "--scenario", str(path)), ("simulate", str(path))):
        line = one_line(mockserver(*args), 2)
        assert line.startswith(f"mockserver: {path}: ") and words in line, line


def test_a_failure_that_is_not_listening_says_what_it_is(monkeypatch, capsys):
    def missing_spec(world, names):
        raise FileNotFoundError(2, "No such file or directory", "/somewhere/openapi/clarifai.yaml")

    monkeypatch.setattr("mockserver.server.build_apps", missing_spec)
    for name in ("HOST", "DATA", "SCENARIO", "QUIET"):
        monkeypatch.delenv(f"MOCKSERVER_{name}", raising=False)
    assert cli.main(["serve", *FREE_PORTS]) == 1
    out, err = capsys.readouterr()
    assert err == "mockserver: cannot start: No such file or directory: '/somewhere/openapi/clarifai.yaml'\n"
    assert "ready" not in out
