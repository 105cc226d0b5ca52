"""The pytest plugin, run inside pytester sessions the way a user's suite would use it."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "pytest-plugin.md"

USER_SUITE = '''
import pytest

def path(server):
    return f"/v2/{server.workspace['modelarts']['project_id']}/workforces"

def test_first_leaves_traces(mock_server):
    mock_server.faults.add(vendor="modelarts", error={"status": 503}, times=1)
    mock_server.clock.set(mode="manual", now=1000)
    with mock_server.client("modelarts") as c:
        assert c.get(path(mock_server)).status_code == 503
        assert c.get(path(mock_server)).status_code == 200
    assert mock_server.journal.count(status="503") == 1

def test_second_sees_a_clean_server(mock_server):
    assert mock_server.faults.list() == []
    assert mock_server.journal.count() == 0
    assert mock_server.clock.get()["mode"] == "scaled"

def test_credentials_and_urls(mock_server):
    assert set(mock_server.urls) - {"clarifai_grpc"} == {"clarifai", "modelarts", "cloudfactory"}  # gRPC: sockets only
    assert mock_server.auth_headers("modelarts") == {"X-Auth-Token": mock_server.workspace["modelarts"]["token"]}
    with mock_server.client("modelarts", authenticated=False) as c:
        assert c.get(path(mock_server)).status_code == 401

def test_inprocess(mock_server_inprocess):
    assert mock_server_inprocess.inprocess and mock_server_inprocess.world is not None
    with mock_server_inprocess.client("modelarts") as c:
        assert c.get(path(mock_server_inprocess)).status_code == 200

@pytest.mark.mockserver_scenario("scenario.yaml")
def test_scenario(mock_server):
    assert mock_server.clock.get()["now"] == 1709542800.0
    mock_server.clock.advance(60)

@pytest.mark.mockserver_scenario("scenario.yaml")
def test_scenario_again_starts_at_its_start(mock_server):
    assert mock_server.clock.get()["now"] == 1709542800.0
'''


@pytest.fixture
def suite(pytester):
    pytester.makepyfile(test_user=USER_SUITE)
    shutil.copy(ROOT / "scenarios" / "clarifai-quickstart.yaml", pytester.path / "scenario.yaml")
    return pytester


@pytest.mark.parametrize("mode", [[], ["--mockserver-inprocess"]], ids=["sockets", "inprocess"])
def test_fixtures_reset_and_marker_in_a_user_suite(suite, mode):
    result = suite.runpytest("-p", "no:cacheprovider", "--strict-markers", *mode)
    result.assert_outcomes(passed=6)


def test_missing_scenario_file_is_a_clear_error(pytester):
    pytester.makepyfile('''
import pytest

@pytest.mark.mockserver_scenario("nowhere.yaml")
def test_it(mock_server_inprocess):
    pass
''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no scenario file*nowhere.yaml*"])


def test_marker_and_options_are_registered(pytester):
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.mockserver_scenario(path):*"])
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--mockserver-inprocess*", "*--mockserver-args*"])


def test_plugin_import_is_light():
    code = "import sys, mockserver.pytest_plugin; print(sorted(m for m in ('httpx', 'connexion', 'mockserver.app', 'uvicorn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_docs_example_is_the_example_file():
    block = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    assert block == (ROOT / "tests" / "harness" / "test_readme_example.py").read_text()
