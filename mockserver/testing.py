"""Helpers to run the stand-in inside a test process: in-process clients and a server subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import httpx

from .world import Settings, World


def new_world(workspace: dict | None = None, settings: Settings | None = None, scenario=None) -> World:
    """A fresh world holding the embedded default workspace (or ``workspace``), or ``scenario`` (a file or
    a ``Scenario``) loaded: ``compose.build_world``."""
    from .compose import build_world

    return build_world(settings or Settings(), workspace=workspace, scenario=scenario)


class InProcess:
    """The three vendor apps over httpx's ASGI transport: no sockets, same code path as the server."""

    def __init__(self, world: World | None = None):
        from .compose import build_gates

        self.world = world or new_world()
        self.gates = build_gates(self.world)
        for name in self.gates:
            self.world.urls.setdefault(name, f"http://{name}.local")

    def client(self, vendor: str, **kwargs) -> "SyncASGIClient":
        return SyncASGIClient(self.gates[vendor], base_url=self.world.urls[vendor], **kwargs)


class SyncASGIClient(httpx.Client):
    """A synchronous httpx client whose transport calls the ASGI app in this process."""

    def __init__(self, app, base_url: str, **kwargs):
        from starlette.testclient import TestClient

        self._tc = TestClient(app, base_url=base_url, raise_server_exceptions=False)
        self._tc.__enter__()
        super().__init__(base_url=base_url, transport=self._tc._transport, **kwargs)

    def close(self) -> None:
        super().close()
        self._tc.__exit__(None, None, None)


class ServerProcess:
    """``python -m mockserver serve`` on free ports, for tests that need real sockets."""

    def __init__(self, *extra_args: str, env: dict | None = None):
        self.extra_args = list(extra_args)
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.urls: dict[str, str] = {}

    def start(self, timeout: float = 20.0) -> "ServerProcess":
        fd, ports_file = tempfile.mkstemp(suffix=".json")
        os.close(fd)
        os.unlink(ports_file)
        args = [sys.executable, "-m", "mockserver", "serve", "--quiet", "--ports-file", ports_file,
                "--clarifai-port", "0", "--modelarts-port", "0", "--cloudfactory-port", "0",
                "--clarifai-grpc-port", "0", *self.extra_args]
        # The server's own settings come from the arguments only: a developer's MOCKSERVER_* variables
        # (data file, scenario, host...) must not leak into a test server. Its output goes to a file, so
        # a chatty server can never block on a full pipe nobody reads.
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_") or k == "MOCKSERVER_CACHE_DIR"}
        self._log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.proc = subprocess.Popen(args, env={**env, **(self.env or {})}, stdout=subprocess.DEVNULL,
                                     stderr=self._log, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(ports_file):
                with open(ports_file, encoding="utf-8") as fh:
                    self.urls = json.load(fh)
                os.unlink(ports_file)
                return self
            if self.proc.poll() is not None:
                self._log.seek(0)
                raise RuntimeError(f"server exited: {self._log.read()}")
            time.sleep(0.02)
        self.stop()
        raise TimeoutError("server did not start")

    def stop(self, sig: int | None = None) -> int | None:
        if self.proc and self.proc.poll() is None:
            if sig is None:
                self.proc.terminate()
            else:
                self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
        return self.proc.returncode if self.proc else None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
