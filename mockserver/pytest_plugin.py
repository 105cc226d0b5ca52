"""pytest plugin (entry point ``pytest11``): the stand-in as fixtures for a test suite.

Fixtures
    ``mock_server``            the session's server, reset before each test (socket mode: a real
                               ``mockserver serve`` on free ports; with ``--mockserver-inprocess``
                               the same handle over in-process ASGI clients)
    ``mock_server_inprocess``  always in-process (no sockets), reset before each test
    ``mock_server_session``    the session-wide handle without the per-test reset
Marker
    ``@pytest.mark.mockserver_scenario("path.yaml")``  load that scenario before the test (the path is
    relative to the test file; a bare name such as ``clarifai-quickstart`` names a shipped scenario)

Everything heavy (httpx, the server package) is imported inside the fixtures, so a test run that
does not use them pays only for this module.
"""
from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

import pytest

MARKER = "mockserver_scenario"

# How each vendor's workspace credentials go on the wire (ModelArts: the IAM token, not AK/SK signing).
AUTH = {
    "clarifai": lambda ws: {"Authorization": f"Key {ws['key']}"},
    "modelarts": lambda ws: {"X-Auth-Token": ws["token"]},
    "cloudfactory": lambda ws: {"x-api-key": ws["api_key"]},
}


def pytest_addoption(parser):
    group = parser.getgroup("mockserver", "mockserver stand-in")
    group.addoption("--mockserver-inprocess", action="store_true", default=False,
                    help="serve the mock_server fixture in-process (httpx over ASGI, no sockets)")
    group.addoption("--mockserver-args", default=os.environ.get("MOCKSERVER_ARGS", ""),
                    help="extra arguments for 'mockserver serve' in socket mode, e.g. '--strict'")


def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARKER}(path): load this scenario file (relative to the test file, "
                            "or the name of a shipped scenario) into the mock server before the test")


# -- the handle -------------------------------------------------------------------------------------

class Clock:
    def __init__(self, control):
        self._control = control

    def get(self) -> dict:
        return self._control.request("GET", "/_mock/clock")

    def now(self) -> float:
        return self.get()["now"]

    def advance(self, seconds: float) -> dict:
        return self._control.request("POST", "/_mock/clock", json={"advance": seconds})

    def set(self, now: float | None = None, mode: str | None = None, factor: float | None = None) -> dict:
        body = {k: v for k, v in {"now": now, "mode": mode, "factor": factor}.items() if v is not None}
        return self._control.request("POST", "/_mock/clock", json=body)


class Journal:
    def __init__(self, control):
        self._control = control

    def list(self, **filters) -> list[dict]:
        return self._control.request("GET", "/_mock/journal", params=_params(filters))["entries"]

    def count(self, **filters) -> int:
        return self._control.request("GET", "/_mock/journal/count", params=_params(filters))["count"]

    def clear(self) -> None:
        self._control.request("DELETE", "/_mock/journal")


class Faults:
    def __init__(self, control):
        self._control = control

    def add(self, **spec) -> dict:
        return self._control.request("POST", "/_mock/faults", json=spec)

    def list(self) -> list[dict]:
        return self._control.request("GET", "/_mock/faults")["faults"]

    def remove(self, fault_id: int) -> None:
        self._control.request("DELETE", f"/_mock/faults/{fault_id}")

    def clear(self) -> None:
        self._control.request("DELETE", "/_mock/faults")


def _params(filters: dict) -> dict:
    return {k: v for k, v in filters.items() if v is not None}


class ControlError(AssertionError):
    """The control API refused a call (the message is its answer)."""


class _Control:
    """Calls to ``/_mock`` through one httpx client; raises on refusals so tests fail loudly."""

    def __init__(self, client):
        self.client = client

    def request(self, method: str, path: str, **kwargs) -> Any:
        response = self.client.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise ControlError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json()


class MockServer:
    """What the fixtures give: URLs, credentials, clients, and the control API as methods."""

    def __init__(self, urls: dict[str, str], control_client, client_factory, inprocess: bool, world=None,
                 transports: dict | None = None):
        self.urls = dict(urls)
        self.inprocess = inprocess
        self.world = world  # the World object itself, in-process only
        self._client_factory = client_factory
        self._transports = transports or {}
        self._control = _Control(control_client)
        self.clock = Clock(self._control)
        self.journal = Journal(self._control)
        self.faults = Faults(self._control)
        self._workspace: dict | None = None

    @property
    def workspace(self) -> dict:
        """Credentials and ids per vendor (``GET /_mock/workspace``), as loaded now."""
        if self._workspace is None:
            self._workspace = self._control.request("GET", "/_mock/workspace")
        return self._workspace

    def auth_headers(self, vendor: str) -> dict[str, str]:
        return AUTH[vendor](self.workspace[vendor])

    def client(self, vendor: str, authenticated: bool = True, **kwargs):
        """An httpx.Client on ``vendor``'s base URL, with the workspace credentials unless told not to."""
        headers = dict(self.auth_headers(vendor)) if authenticated else {}
        headers.update(kwargs.pop("headers", {}) or {})
        return self._client_factory(vendor, headers=headers, **kwargs)

    def transport(self, vendor: str):
        """In-process only: an httpx transport over ``vendor``'s app, to hand to your own httpx.Client."""
        if not self.inprocess:
            raise RuntimeError("transport() is for in-process mode; in socket mode use urls[vendor]")
        return self._transports[vendor]

    def reset(self) -> None:
        """Back to the starting workspace: store re-seeded, journal and faults cleared."""
        self._control.request("POST", "/_mock/reset")
        self._workspace = None


def _shipped_scenario(name: str) -> Path | None:
    """A scenario that ships with mockserver, by name (``clarifai-quickstart``), or None."""
    from mockserver.resources import find_scenario

    try:
        return find_scenario(name)
    except ValueError:
        return None


def _can_load_scenarios() -> None:
    try:
        import mockserver.simulation  # noqa: F401
    except ImportError:
        pytest.skip(f"{MARKER}: this mockserver cannot load scenarios (no mockserver.simulation)")


# -- building the two modes -------------------------------------------------------------------------

def _socket_server(args: list[str], scenario: Path | None):
    import httpx

    from mockserver.testing import ServerProcess

    if scenario is not None:
        args = ["--scenario", str(scenario), *args]
    process = ServerProcess(*args).start()
    control = httpx.Client(base_url=next(iter(process.urls.values())), timeout=30)

    def factory(vendor, **kwargs):
        kwargs.setdefault("timeout", 30)
        return httpx.Client(base_url=process.urls[vendor], **kwargs)

    server = MockServer(process.urls, control, factory, inprocess=False)

    def close():
        control.close()
        process.stop()

    return server, close


def _inprocess_server(scenario: Path | None):
    import httpx

    from mockserver.testing import InProcess, InThreadTransport, new_world

    if scenario is not None:
        _can_load_scenarios()
    # compose.build_world (world, scheduler, seeding or the scenario), then compose.build_gates.
    stand_in = InProcess(new_world(scenario=None if scenario is None else str(scenario)))
    # The app's own exceptions reach the test (a dropped connection raises as over a socket).
    transports = {name: InThreadTransport(gate, stand_in.world.urls[name], stand_in.turns, raise_app_exceptions=True)
                  for name, gate in stand_in.gates.items()}
    first = next(iter(transports))

    def factory(vendor, **kwargs):
        return httpx.Client(base_url=stand_in.world.urls[vendor], transport=transports[vendor], **kwargs)

    control = httpx.Client(base_url=stand_in.world.urls[first], transport=transports[first])
    server = MockServer(stand_in.world.urls, control, factory, inprocess=True, world=stand_in.world,
                        transports=transports)

    def close():
        control.close()
        for t in transports.values():
            t.close()

    return server, close


class _Session:
    """One server per mode (and per scenario file), started on first use and kept for the session.

    A scenario gets a server of its own (``serve --scenario`` in socket mode): loading it replaces
    what ``reset`` goes back to, so sharing the default server would leak it into later tests.
    """

    def __init__(self, config):
        self.config = config
        self._servers: dict[tuple, tuple[MockServer, Any, dict]] = {}

    def get(self, inprocess: bool, scenario: Path | None = None) -> MockServer:
        key = (inprocess, str(scenario) if scenario else None)
        if key not in self._servers:
            if scenario is not None and not scenario.is_file():
                raise pytest.UsageError(f"@pytest.mark.{MARKER}: no scenario file {scenario}")
            if inprocess:
                server, close = _inprocess_server(scenario)
            else:
                args = shlex.split(self.config.getoption("--mockserver-args") or "")
                server, close = _socket_server(args, scenario)
            clock = server.clock.get()
            start = {"mode": clock["mode"], "factor": clock["factor"]}
            if clock["mode"] == "manual":  # a manual clock (scenarios) starts each test at the same instant
                start["now"] = clock["now"]
            self._servers[key] = (server, close, start)
        return self._servers[key][0]

    def fresh(self, inprocess: bool, request) -> MockServer:
        """Reset for one test: starting workspace, no journal, no faults, the clock's starting mode."""
        scenario = None
        marker = request.node.get_closest_marker(MARKER)
        if marker is not None:
            if not marker.args:
                raise pytest.UsageError(f"@pytest.mark.{MARKER} needs a scenario path")
            scenario = Path(marker.args[0])
            if not scenario.is_absolute():
                beside = Path(request.node.path).parent / scenario
                scenario = beside if beside.is_file() else _shipped_scenario(marker.args[0]) or beside
        server = self.get(inprocess, scenario)
        # Clock first: the reset then re-seeds (and restarts a scenario's people) at the starting instant.
        server.clock.set(**self._servers[(inprocess, str(scenario) if scenario else None)][2])
        server.reset()
        return server

    def close(self) -> None:
        for _, close, _ in self._servers.values():
            close()
        self._servers.clear()


@pytest.fixture(scope="session")
def _mockserver_session(request):
    session = _Session(request.config)
    yield session
    session.close()


@pytest.fixture(scope="session")
def mock_server_session(_mockserver_session, request) -> MockServer:
    """The session-wide stand-in (no reset between tests: reset it yourself)."""
    return _mockserver_session.get(request.config.getoption("--mockserver-inprocess"))


@pytest.fixture
def mock_server(_mockserver_session, request) -> MockServer:
    """The session-wide stand-in, reset before this test (and loaded with its scenario marker)."""
    return _mockserver_session.fresh(request.config.getoption("--mockserver-inprocess"), request)


@pytest.fixture
def mock_server_inprocess(_mockserver_session, request) -> MockServer:
    """Like ``mock_server`` but always in-process: httpx clients over the ASGI apps, no sockets."""
    return _mockserver_session.fresh(True, request)
