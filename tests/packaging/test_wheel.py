"""The distribution as another project gets it: build the wheel, install it into a fresh virtual
environment (runtime dependencies only, then pytest for the plugin), and use it from a folder outside
the checkout. An editable install would hide every file the wheel forgot; this test cannot."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = ROOT / "constraints.txt"


def _run(cmd, **kw):
    kw.setdefault("timeout", 600)
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert result.returncode == 0, f"{cmd}\nstdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # From a copy of the sources (links kept as links, as git checks them out), so the build's own
    # folders (build/, *.egg-info) never land in the checkout.
    src = tmp_path_factory.mktemp("src") / "labelforce-standin"
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".cache", ".hypothesis", "bench", "tests"))
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src), "-w", str(out)])
    (found,) = out.glob("labelforce_standin-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> dict:
    """A fresh venv with the wheel (runtime dependencies only) and a working folder outside the checkout."""
    home = tmp_path_factory.mktemp("user")
    env_dir = home / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    started = time.perf_counter()
    _run([str(python), "-m", "pip", "install", "-q", "-c", str(CONSTRAINTS), str(wheel)])
    install_s = time.perf_counter() - started
    work = home / "project"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PATH=f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}", XDG_CACHE_HOME=str(home / "cache"))
    print(f"runtime-only install: {install_s:.1f} s")
    return {"python": python, "bin": env_dir / "bin", "cwd": work, "env": env, "install_s": install_s}


def test_the_wheel_carries_specs_scenarios_and_schemas(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for spec in sorted((ROOT / "openapi").glob("*.yaml")):
        assert f"mockserver/openapi/{spec.name}" in names
    for scenario in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert f"mockserver/scenarios/{scenario.name}" in names
    assert "mockserver/simulation/scenario.schema.json" in names
    assert not any("/.cache/" in n or n.endswith(".pyc") for n in names)
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA"))).decode()
    assert "Name: labelforce-standin" in metadata
    requirements = [line.split(";")[0] for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert requirements and not [r for r in requirements if "==" in r], "ranges, not pins, in users' environments"
    assert "Requires-Python: >=3.11" in metadata


def test_installed_package_is_the_wheel_not_the_checkout(installed):
    out = _run([str(installed["python"]), "-c", "import mockserver, sys; print(mockserver.__file__)"],
               cwd=installed["cwd"], env=installed["env"]).stdout.strip()
    assert "site-packages" in out and not out.startswith(str(ROOT))


def test_serve_answers_on_all_three_vendors(installed):
    ports_file = installed["cwd"] / "ports.json"
    started = time.perf_counter()
    proc = subprocess.Popen([str(installed["bin"] / "mockserver"), "serve", "--clarifai-port", "0", "--modelarts-port", "0",
                             "--cloudfactory-port", "0", "--ports-file", str(ports_file)],
                            cwd=installed["cwd"], env=installed["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not ports_file.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no ports file after 60 s"
            time.sleep(0.05)
        ready_s = time.perf_counter() - started
        urls = json.loads(ports_file.read_text())
        assert set(urls) >= {"clarifai", "modelarts", "cloudfactory"}
        for vendor in ("clarifai", "modelarts", "cloudfactory"):
            health = httpx.get(f"{urls[vendor]}/_mock/health", timeout=10)
            assert health.status_code == 200 and health.json()["status"] == "ok", (vendor, health.text)
        key = {"Authorization": "Key mock-clarifai-key"}
        tasks = httpx.get(f"{urls['clarifai']}/v2/users/mock-user/apps/mock-app/tasks", headers=key, timeout=10)
        assert tasks.status_code == 200 and tasks.json()["status"]["code"] == 10000
        print(f"installed server ready in {ready_s:.2f} s")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    site = Path(_run([str(installed["python"]), "-c", "import mockserver, os; print(os.path.dirname(mockserver.__file__))"],
                     cwd=installed["cwd"], env=installed["env"]).stdout.strip())
    assert not (site / "openapi" / ".cache").exists(), "nothing may be written into the installed package"
    assert list((Path(installed["env"]["XDG_CACHE_HOME"]) / "mockserver" / "specs").glob("*.json")), "spec cache in the user cache"


def test_simulate_a_shipped_scenario_by_name(installed):
    result = _run([str(installed["bin"] / "mockserver"), "simulate", "clarifai-quickstart", "--quiet",
                   "--json-report", "report.json"], cwd=installed["cwd"], env=installed["env"])
    report = json.loads((installed["cwd"] / "report.json").read_text())
    assert "clarifai:mock-user/mock-app/quickstart" in [t["task"] for t in report["tasks"]], report["tasks"]
    assert "clarifai:mock-user/mock-app/quickstart" in result.stdout  # named in full


def test_scenarios_are_listed_with_their_descriptions(installed):
    out = _run([str(installed["bin"] / "mockserver"), "scenarios"], cwd=installed["cwd"], env=installed["env"]).stdout
    for scenario in (ROOT / "scenarios").glob("*.yaml"):
        assert scenario.stem in out


PLUGIN_PROJECT = '''
import pytest


def test_health_and_a_vendor_call(mock_server):
    with mock_server.client("cloudfactory") as client:
        assert client.get("/_mock/health").json()["status"] == "ok"
    with mock_server.client("modelarts") as client:
        project = mock_server.workspace["modelarts"]["project_id"]
        assert client.get(f"/v2/{project}/workforces").status_code == 200
    assert mock_server.journal.count(vendor="modelarts") == 1


@pytest.mark.mockserver_scenario("clarifai-quickstart")
def test_a_shipped_scenario_by_name(mock_server):
    assert mock_server.clock.get()["mode"] == "manual"
    with mock_server.client("clarifai") as client:
        tasks = client.get("/v2/users/mock-user/apps/mock-app/tasks").json()["tasks"]
    assert "quickstart" in [t["id"] for t in tasks]
'''


@pytest.mark.parametrize("mode", ["socket", "inprocess"])
def test_pytest_plugin_in_another_project(installed, mode):
    _run([str(installed["python"]), "-m", "pip", "install", "-q", "-c", str(CONSTRAINTS), "pytest"],
         cwd=installed["cwd"], env=installed["env"])
    (installed["cwd"] / "test_uses_mockserver.py").write_text(PLUGIN_PROJECT)
    args = [str(installed["python"]), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_uses_mockserver.py"]
    if mode == "inprocess":
        args.append("--mockserver-inprocess")
    result = _run(args, cwd=installed["cwd"], env=installed["env"])
    assert "2 passed" in result.stdout, result.stdout
