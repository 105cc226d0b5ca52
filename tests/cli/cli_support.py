"""Running the real command line (``python -m mockserver ...``) the way a user does, for tests/cli."""
from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
FREE_PORTS = ["--clarifai-port", "0", "--modelarts-port", "0", "--cloudfactory-port", "0", "--clarifai-grpc-port", "0"]


def clean_env(**extra: str) -> dict:
    """The environment without any MOCKSERVER_* setting of the person running the tests, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    env.update(extra)
    return env


def mockserver(*args: str, env: dict | None = None, cwd=None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mockserver", *args], capture_output=True, text=True,
                          timeout=timeout, env=env if env is not None else clean_env(), cwd=cwd)


class Serve:
    """``mockserver serve ARGS`` in the background; ``stop()`` sends Ctrl-C and returns (status, out, err)."""

    def __init__(self, tmp_path: pathlib.Path, *args: str, env: dict | None = None, ports_file: bool = True):
        self.ports_file = tmp_path / "ports.json"
        argv = [sys.executable, "-m", "mockserver", "serve", *args]
        if ports_file:
            argv += ["--ports-file", str(self.ports_file)]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=env if env is not None else clean_env(), cwd=tmp_path)
        self.urls: dict[str, str] = {}

    def wait_ready(self, timeout: float = 30) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ports_file.exists():
                self.urls = json.loads(self.ports_file.read_text())
                return self.urls
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}: {self.proc.communicate()}")
            time.sleep(0.02)
        self.proc.kill()
        raise AssertionError(f"server did not start: {self.proc.communicate()}")

    def stop(self) -> tuple[int, str, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return self.proc.returncode, out, err

    def __enter__(self) -> "Serve":
        self.wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
