"""Helpers to run the stand-in inside a test process: in-process clients and a server subprocess."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import unquote

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
        self.turns = threading.Lock()  # one request of this world at a time, from whichever thread

    def client(self, vendor: str, **kwargs) -> "SyncASGIClient":
        return SyncASGIClient(self.gates[vendor], base_url=self.world.urls[vendor], turns=self.turns, **kwargs)


class SyncASGIClient(httpx.Client):
    """A synchronous httpx client whose transport calls the ASGI app in this process (``InThreadTransport``;
    an app that fails answers 500 with no body, a dropped connection raises as over a socket)."""

    def __init__(self, app, base_url: str, turns: threading.Lock | None = None, **kwargs):
        self._in_thread = InThreadTransport(app, base_url, turns)
        super().__init__(base_url=base_url, transport=self._in_thread, **kwargs)

    def close(self) -> None:
        super().close()
        self._in_thread.close()


class InThreadTransport(httpx.BaseTransport):
    """An httpx transport that runs the ASGI app on an event loop of the calling thread, one request at a
    time (``turns``, shared by a world's clients), as the server's single loop does.

    Starlette's test client hands each request to its portal thread and back, which cost about half a
    millisecond per call, more than the server's own work on most calls (bench/bench_inprocess.py). It is
    kept beside: entering it runs the app's lifespan start-up, and a call made from inside a running event
    loop (an async test using a sync client) goes through it, on its own loop thread. The scope is the one
    that client builds. A connection the app drops (fault injection) raises ``httpx.RemoteProtocolError``, as
    a socket client sees it; any other failure of the app raises with ``raise_app_exceptions``, else answers
    500 with no body."""

    def __init__(self, app, base_url: str, turns: threading.Lock | None = None, raise_app_exceptions: bool = False):
        from starlette.testclient import TestClient

        self.app = app
        self.turns = turns or threading.Lock()
        self.raise_app_exceptions = raise_app_exceptions
        self.loops: dict[int, asyncio.AbstractEventLoop] = {}
        self.fallback = TestClient(app, base_url=base_url, raise_server_exceptions=raise_app_exceptions)
        self.fallback.__enter__()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:  # this thread's loop is busy running the caller: only another thread can run the app
            try:
                return self.fallback.send(request)
            except ConnectionAbortedError as exc:
                raise _dropped(request) from exc
        loop = self.loops.get(threading.get_ident())
        if loop is None:
            loop = self.loops[threading.get_ident()] = asyncio.new_event_loop()
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        headers = [] if "host" in request.headers else [(b"host", url.netloc)]
        headers += [(key.lower().encode(), value.encode()) for key, value in request.headers.multi_items()]
        scope = {"type": "http", "http_version": "1.1", "method": request.method, "path": unquote(url.path),
                 "raw_path": url.raw_path.split(b"?", 1)[0], "root_path": "", "scheme": url.scheme,
                 "query_string": url.query, "headers": headers, "client": ("testclient", 50000),
                 "server": [url.host, port], "extensions": {"http.response.debug": {}}, "state": {}}
        body = request.read()
        answer: dict = {"status": None, "headers": [], "chunks": []}

        async def run() -> None:
            done = asyncio.Event()
            sent = False

            async def receive():
                nonlocal sent
                if sent:
                    await done.wait()
                    return {"type": "http.disconnect"}
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message):
                if message["type"] == "http.response.start":
                    answer["status"] = message["status"]
                    answer["headers"] = message.get("headers", [])
                elif message["type"] == "http.response.body":
                    if request.method != "HEAD":
                        answer["chunks"].append(message.get("body", b""))
                    if not message.get("more_body", False):
                        done.set()

            await self.app(scope, receive, send)

        with self.turns:
            try:
                loop.run_until_complete(run())
            except ConnectionAbortedError as exc:
                raise _dropped(request) from exc
            except Exception:
                if self.raise_app_exceptions:
                    raise
                answer["status"] = None
        if answer["status"] is None:
            return httpx.Response(500, request=request)
        return httpx.Response(answer["status"], headers=answer["headers"], content=b"".join(answer["chunks"]),
                              request=request)

    def close(self) -> None:
        loops, self.loops = self.loops, {}
        for loop in loops.values():
            if not loop.is_running():
                loop.close()
        self.fallback.__exit__(None, None, None)


def _dropped(request: httpx.Request) -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)


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
