"""The world one server process holds: the store, the clock, the workspace and the settings.

Handlers reach it through ``current_world()`` (a context variable set by the request gate), so the
same handler code serves a socket server and the in-process transport alike.

One lifecycle, three lists of hooks ``(world) -> None``, run in list order:

* ``on_reset``    by ``reset()``, after the store is cleared (scheduler re-read, vendors re-seeded, the
                  scenario's people restarted, journal/faults/dashboard forgotten);
* ``on_load``     by ``loaded()``, after a state import (``PUT /_mock/state``, and the restore of the
                  state before a failed import): scheduler re-read, then the simulation resumed;
* ``on_shutdown`` by ``shutdown()``, once the server has stopped serving (webhook sender closed).

``mockserver/compose.py`` builds a world and registers its hooks in a visible order.
"""
from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .core import event_time, use_clock
from .store import Store

if TYPE_CHECKING:  # at run time these would import the world back (cycles)
    from .scheduler import Scheduler
    from .simulation.engine import Simulation
    from .simulation.scenario import Scenario

Hook = Callable[["World"], None]

_world: contextvars.ContextVar["World"] = contextvars.ContextVar("mockserver_world")
_principal: contextvars.ContextVar[Any] = contextvars.ContextVar("mockserver_principal", default=None)


class Clock:
    """Virtual time in epoch seconds.

    ``manual``: time stands still until ``advance``; ``scaled``: real time times ``factor`` from a
    start point.  Listeners (the simulation, webhook retries) are told after every move.
    """

    def __init__(self, mode: str = "scaled", factor: float = 1.0, start: float | None = None):
        self.mode = mode
        self.factor = factor
        self._base_virtual = time.time() if start is None else float(start)
        self._base_real = time.monotonic()
        self.listeners: list[Callable[[float], None]] = []

    def now(self) -> float:
        if self.mode == "manual":
            return self._base_virtual
        return self._base_virtual + (time.monotonic() - self._base_real) * self.factor

    def set(self, mode: str | None = None, factor: float | None = None, now: float | None = None) -> None:
        current = self.now() if now is None else float(now)
        if mode is not None:
            self.mode = mode
        if factor is not None:
            self.factor = factor
        self._base_virtual = current
        self._base_real = time.monotonic()
        self._notify()

    def advance(self, seconds: float) -> float:
        self._base_virtual = self.now() + float(seconds)
        self._base_real = time.monotonic()
        self._notify()
        return self.now()

    def _notify(self) -> None:
        for listener in list(self.listeners):
            listener(self.now())

    def to_dict(self) -> dict:
        return {"mode": self.mode, "factor": self.factor, "now": self.now()}


@dataclass
class Settings:
    host: str = "127.0.0.1"
    max_body_bytes: int = 10 * 1024 * 1024
    strict: bool = False
    data_path: str | None = None
    scenario_path: str | None = None
    webhook_allow_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")
    control: bool = True  # serve /_mock (health is always served)
    control_token: str | None = None  # when set, /_mock needs it (see gate.control_refusal)
    extra: dict = field(default_factory=dict)


class World:
    def __init__(self, settings: Settings | None = None, store: Store | None = None, clock: Clock | None = None):
        self.settings = settings or Settings()
        self.store = store or Store(self.settings.data_path)
        self.clock = clock or Clock()
        self.workspace: dict = {}
        self.urls: dict[str, str] = {}  # vendor -> base URL, once listening
        # The loaded scenario and the simulation running its people (or a crew-only one: ``simulation.crew``).
        self.simulation: Simulation | None = None
        self.scenario: Scenario | None = None
        # True while a scenario's ``requests`` run (``simulation.loader.install``): a crew enlisted by
        # one of them is only stored, and joins the simulation the load starts next.
        self.scenario_loading = False
        # The lifecycle (see the module): hooks run in list order.
        self.on_reset: list[Hook] = []
        self.on_load: list[Hook] = []
        self.on_shutdown: list[Hook] = []
        self.services: dict[str, Any] = {}  # named long-lived helpers (``service``): journal, faults, scheduler...
        # Long state operations (scenario load, import, reset) run off the event loop, one at a time;
        # while ``busy``, requests wait for the state in the gate instead of the loop waiting for the lock.
        self.busy = 0
        self._long_operation = threading.Lock()
        # Work done right after creation (seeding, a headless run) belongs to this world; each request
        # sets it again in the gate.
        set_current_world(self)

    @property
    def scheduler(self) -> Scheduler | None:
        """The scheduler, once created (``scheduler.scheduler_of``, done first by ``compose.build_world``)."""
        return self.services.get("scheduler")

    def service(self, name: str, factory: Callable[["World"], Any], on_reset: Callable[[Any], None] | None = None,
                first: bool = False) -> Any:
        """The long-lived helper ``name`` (journal, faults, scheduler...), created by ``factory`` on first use;
        ``on_reset(helper)`` is then added to ``on_reset`` (at its front when ``first``, so it runs before
        the hooks already there)."""
        helper = self.services.get(name)
        if helper is None:
            helper = self.services[name] = factory(self)
            if on_reset is not None:
                self.on_reset.insert(0 if first else len(self.on_reset), lambda w: on_reset(helper))
        return helper

    async def off_loop(self, fn: Callable[..., Any], *args) -> Any:
        """Run ``fn(*args)`` (a long operation on the whole state) in a worker thread. Requests arriving
        meanwhile wait for it in the gate (``busy``), so health checks answer and no port freezes."""
        def run():
            with self._long_operation:
                return fn(*args)

        self.busy += 1  # on the loop's thread, before any other request can look
        try:
            return await asyncio.to_thread(run)
        finally:
            self.busy -= 1

    def reset(self) -> None:
        """Back to the start: clear the store, then run the ``on_reset`` hooks in order."""
        with self.store.lock:
            self.store.clear()
            for hook in list(self.on_reset):
                hook(self)

    def loaded(self) -> None:
        """A whole state was just put into the store (an import, or the state before a failed one put
        back): run the ``on_load`` hooks in order, under the store's (re-entrant) lock."""
        with self.store.lock:
            for hook in list(self.on_load):
                hook(self)

    def shutdown(self) -> None:
        """The server stopped serving: run the ``on_shutdown`` hooks in order."""
        for hook in list(self.on_shutdown):
            hook(self)

    def now(self) -> float:
        """Virtual now: the time of the event being recorded (seeding, a simulated event), else the clock.
        Adapters stamp their documents with it, so they agree with the core's stamps."""
        event = event_time()
        return self.clock.now() if event is None else event

    def now_ms(self) -> int:
        return int(self.now() * 1000)


def current_world() -> World:
    return _world.get()


def _world_now() -> float | None:
    world = _world.get(None)
    return None if world is None else world.clock.now()


use_clock(_world_now)  # the core stamps its documents with the current world's virtual time


def set_current_world(world: World) -> contextvars.Token:
    return _world.set(world)


def current_principal() -> Any:
    return _principal.get()


def set_current_principal(principal: Any) -> contextvars.Token:
    return _principal.set(principal)
