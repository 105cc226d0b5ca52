"""README's snippets run as printed: the Python blocks against a live ``mockserver serve`` (only the default
ports replaced by the server's), the CI job's shell steps in a scratch project, the first screen's commands."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mockserver.server import DEFAULT_PORTS
from mockserver.vendors.clarifai import GRPC_DEFAULT_PORT
from mockserver.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


PYTHON = blocks("python")


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as s:
        yield s


def _with_ports(code: str, urls: dict) -> str:
    for name, port in [*DEFAULT_PORTS.items(), ("clarifai_grpc", GRPC_DEFAULT_PORT)]:
        code = code.replace(f"http://127.0.0.1:{port}", urls[name])
    return code


def test_readme_has_the_snippets_users_need():
    assert len(PYTHON) >= 5
    joined = "\n".join(PYTHON)
    for needle in ("ClarifaiChannel", "do_http_request", "task_reviewed", "ports.json", "mock_server"):
        assert needle in joined


@pytest.mark.parametrize("index", range(len(PYTHON)))
def test_python_snippet_runs(index, server, tmp_path, monkeypatch):
    code = PYTHON[index]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ports.json").write_text(json.dumps(server.urls))
    if "def test_" in code:  # a pytest example: run it with the plugin against a real server
        (tmp_path / "test_example.py").write_text(code)
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr
        return
    namespace: dict = {}
    exec(compile(_with_ports(code, server.urls), f"README.md python block {index}", "exec"), namespace)
    if "workforces" in namespace:
        assert namespace["workforces"] and namespace["workforces"][0]["workforce_id"]
    if "answer" in namespace:
        assert namespace["answer"].status_code == 202  # CloudFactory accepts a review event


def test_first_screen_gives_a_serve_and_a_test_command():
    first = blocks("bash")[0].splitlines()
    assert "mockserver serve" in first[0] and "pip install . " in first[0]  # serving needs no test extra
    assert first[1].split("&&")[-1].split("#")[0].strip() == "python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text()
    install = first[1].split("&&")[2].strip()
    assert f"python -m {install}" in ci or install in ci, "CI installs as README says"
    assert "python -m pytest" in ci


def test_options_table_is_the_cli_s_own():
    from mockserver.cli import options_table

    assert options_table(markdown=True) in README


def test_ci_job_steps_run_as_written(tmp_path):
    (job_yaml,) = [b for b in blocks("yaml") if "jobs:" in b]
    steps = yaml.safe_load(job_yaml)["jobs"]["test"]["steps"]
    runs = {s["name"]: s["run"] for s in steps if "run" in s}
    assert list(runs) == ["Install", "Start the stand-in", "Wait until it is ready", "Run the tests", "Stop the stand-in"]
    (tmp_path / "test_uses_ports.py").write_text(
        "import json, httpx\n\n"
        "def test_every_vendor_answers():\n"
        "    urls = json.load(open('ports.json'))\n"
        "    for vendor in ('clarifai', 'modelarts', 'cloudfactory'):  # clarifai_grpc speaks gRPC only\n"
        "        assert httpx.get(urls[vendor] + '/_mock/health').json()['status'] == 'ok'\n")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    try:
        for name in ("Start the stand-in", "Wait until it is ready", "Run the tests"):
            result = subprocess.run(["bash", "-e", "-c", runs[name]], cwd=tmp_path, env=env, capture_output=True,
                                    text=True, timeout=120)
            assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
        assert "1 passed" in result.stdout
    finally:
        stop = subprocess.run(["bash", "-c", runs["Stop the stand-in"]], cwd=tmp_path, env=env, timeout=30)
    assert stop.returncode == 0
    pid = int((tmp_path / "mockserver.pid").read_text())
    for _ in range(100):  # the server stops on SIGINT
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        subprocess.run(["sleep", "0.1"])
    else:
        os.kill(pid, 9)
        pytest.fail("the stand-in did not stop on SIGINT")
