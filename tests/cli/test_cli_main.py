"""``mockserver.cli.main`` in this process: version, the option table and the environment, ``scenarios``."""
import json
import os

import pytest
import yaml

from cli_support import SCENARIOS
from mockserver import __version__, cli, server


@pytest.fixture
def no_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("MOCKSERVER_"):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main([flag])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"mockserver {__version__}\n"


@pytest.fixture
def captured_serve(no_env, monkeypatch):
    """``serve`` replaced by a recorder: main parses, reads the environment and builds the world as usual."""
    calls = []

    async def fake_serve(world, ports, ports_file=None, quiet=False, log_format="text", **kwargs):
        calls.append({"host": world.settings.host, "strict": world.settings.strict, "ports": ports,
                      "ports_file": ports_file, "quiet": quiet, "log_format": log_format,
                      "data": world.settings.data_path})

    monkeypatch.setattr(server, "serve", fake_serve)  # ``cmd_serve`` imports it when it runs
    return calls


ENV = {"MOCKSERVER_HOST": "127.0.0.2", "MOCKSERVER_CLARIFAI_PORT": "9101", "MOCKSERVER_STRICT": "yes",
       "MOCKSERVER_QUIET": "TRUE", "MOCKSERVER_LOG_FORMAT": "json", "MOCKSERVER_PORTS_FILE": "from-env.json"}


def test_defaults_then_environment_then_flags(captured_serve, no_env):
    assert cli.main(["serve"]) == 0
    assert captured_serve[-1] == {"host": "127.0.0.1", "strict": False, "quiet": False, "log_format": "text",
                                  "ports": {"clarifai": 8701, "modelarts": 8702, "cloudfactory": 8703},
                                  "ports_file": None, "data": None}
    for name, value in ENV.items():
        no_env.setenv(name, value)
    no_env.setenv("MOCKSERVER_MODELARTS_PORT", "")  # empty: as if unset
    assert cli.main(["serve"]) == 0
    assert captured_serve[-1] == {"host": "127.0.0.2", "strict": True, "quiet": True, "log_format": "json",
                                  "ports": {"clarifai": 9101, "modelarts": 8702, "cloudfactory": 8703},
                                  "ports_file": "from-env.json", "data": None}
    assert cli.main(["serve", "--host", "127.0.0.3", "--clarifai-port", "9102", "--no-strict", "--no-quiet",
                     "--log-format", "text", "--ports-file", "from-flag.json"]) == 0
    assert captured_serve[-1] == {"host": "127.0.0.3", "strict": False, "quiet": False, "log_format": "text",
                                  "ports": {"clarifai": 9102, "modelarts": 8702, "cloudfactory": 8703},
                                  "ports_file": "from-flag.json", "data": None}


def test_a_bad_value_in_the_environment_is_ignored_when_a_flag_overrides_it(captured_serve, no_env, capsys):
    no_env.setenv("MOCKSERVER_CLARIFAI_PORT", "not-a-port")
    assert cli.main(["serve", "--clarifai-port", "9103"]) == 0
    assert captured_serve[-1]["ports"]["clarifai"] == 9103
    assert cli.main(["serve"]) == 2
    assert capsys.readouterr().err == ("mockserver: MOCKSERVER_CLARIFAI_PORT: 'not-a-port' is not a port number "
                                       "(0..65535; 0 picks a free one)\n")


def test_serve_help_lists_every_environment_variable(no_env, capsys):
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    out = capsys.readouterr().out
    epilog = out[out.index("environment variables"):]
    serve_options = [o for o in cli.OPTIONS if "serve" in o.commands]
    assert len(serve_options) >= 10
    for option in serve_options:
        assert any(line.split() == [option.env, option.flag, *option.shown_default.split()]
                   for line in epilog.splitlines()), option.env
    table = cli.options_table(markdown=True)
    for option in cli.OPTIONS:
        assert f"`{option.env}`" in table


def test_scenarios_lists_every_shipped_file_with_its_description(no_env, capsys):
    files = sorted(SCENARIOS.glob("*.yaml"))
    expected = {f.stem: yaml.safe_load(f.read_text())["description"] for f in files}
    assert cli.main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(expected)
    width = max(map(len, expected))
    for line in lines:
        name = line.split()[0]
        assert line == f"{name:{width}s}  {expected[name]}"
    assert cli.main(["scenarios", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {e["name"]: e["description"] for e in listed} == expected
    assert all(os.path.isfile(e["path"]) for e in listed)


def test_access_log_line_of_a_dropped_connection_and_a_control_character():
    import io
    from types import SimpleNamespace

    from mockserver.accesslog import AccessLog

    vendor = SimpleNamespace(name="modelarts")
    raw = SimpleNamespace(method="DELETE", path="/v1/x\ny", query_string="")
    text, js = io.StringIO(), io.StringIO()
    AccessLog(text)(vendor, raw, 0, {}, b"", 0.0123)
    AccessLog(js, "json")(vendor, raw, 0, {}, b"", 0.0123)
    line = text.getvalue()
    assert line.endswith(" modelarts    DELETE /v1/x\\x0ay - 12.3ms\n") and line.count("\n") == 1
    entry = json.loads(js.getvalue())
    assert (entry["status"], entry["path"], entry["ms"]) == (None, "/v1/x\ny", 12.3)


def test_in_process_mode_has_no_access_log():
    from mockserver.accesslog import AccessLog
    from mockserver.testing import InProcess

    stand_in = InProcess()
    assert stand_in.gates and not any(isinstance(hook, AccessLog) for g in stand_in.gates.values() for hook in g.after)
