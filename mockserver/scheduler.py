"""Things that happen at a virtual time: Oversight state changes, webhook retries, simulated work.

Events are documents in the ``scheduler_events`` table (so they are part of the state export and
survive a restart) mirrored in a heap for O(log n) access.  They run, in due order, whenever the
clock moves (``advance``/``set``), before each request (so scaled real time catches up lazily), and
from the server's ticker.  A handler is a function ``(world, payload)`` registered under a name;
it may schedule further events, which run in the same pass if they are already due.
"""
from __future__ import annotations

import heapq
import itertools
import threading
from typing import Callable

TABLE = "scheduler_events"


def check_events(events) -> None:
    """Raise ``ValueError`` unless every event can run (an imported state may hold anything)."""
    for e in events:
        due = e.get("due")
        if not (isinstance(due, (int, float)) and not isinstance(due, bool) and isinstance(e.get("seq"), int)
                and not isinstance(e.get("seq"), bool) and isinstance(e.get("name"), str)
                and isinstance(e.get("payload", {}), dict)):
            raise ValueError(f"scheduler event {e.get('id')!r} needs a numeric 'due', an integer 'seq', a 'name' "
                             "and an object 'payload'")

Handler = Callable[[object, dict], None]
_HANDLERS: dict[str, Handler] = {}


def handler(name: str):
    """Decorator: register ``fn(world, payload)`` for events named ``name`` (process-wide)."""

    def wrap(fn: Handler) -> Handler:
        _HANDLERS[name] = fn
        return fn

    return wrap


class Scheduler:
    def __init__(self, world):
        self.world = world
        self._heap: list[tuple[float, int, str]] = []
        self._seq = itertools.count()
        self._running = threading.local()
        world.clock.listeners.append(lambda now: self.run_due(now))
        self.rebuild()

    @property
    def table(self):
        return self.world.store.table(TABLE, indexes=("name",))

    def rebuild(self) -> None:
        """Re-read the events from the store (after a reset or a state import)."""
        with self.world.store.lock:
            check_events(self.table.all())
            self._heap = [(e["due"], e["seq"], e["id"]) for e in self.table.all()]
            heapq.heapify(self._heap)
            top = max((e["seq"] for e in self.table.all()), default=-1)
            self._seq = itertools.count(top + 1)

    def at(self, due: float, name: str, payload: dict | None = None) -> str:
        """Schedule ``name`` at virtual time ``due`` (epoch seconds). Returns the event id."""
        with self.world.store.lock:
            seq = next(self._seq)
            event_id = f"ev{seq:09d}"
            self.table.insert({"id": event_id, "seq": seq, "due": float(due), "name": name, "payload": payload or {}})
            heapq.heappush(self._heap, (float(due), seq, event_id))
            return event_id

    def after(self, seconds: float, name: str, payload: dict | None = None) -> str:
        return self.at(self.world.clock.now() + seconds, name, payload)

    def cancel(self, event_id: str) -> bool:
        with self.world.store.lock:
            return self.table.remove(event_id) is not None  # its heap entry is skipped when popped

    def pending(self, name: str | None = None) -> list[dict]:
        docs = self.table.find(name=name) if name else self.table.all()
        return sorted(docs, key=lambda e: (e["due"], e["seq"]))

    def next_due(self) -> float | None:
        with self.world.store.lock:
            while self._heap and self._heap[0][2] not in self.table:
                heapq.heappop(self._heap)
            return self._heap[0][0] if self._heap else None

    def run_due(self, now: float | None = None) -> int:
        """Run every event due at or before ``now`` (default: the clock). Returns how many ran."""
        if getattr(self._running, "active", False):
            return 0  # an event handler moved the clock: the outer pass picks up new events
        now = self.world.clock.now() if now is None else now
        ran = 0
        self._running.active = True
        try:
            while True:
                with self.world.store.lock:
                    if not self._heap or self._heap[0][0] > now:
                        break
                    _, _, event_id = heapq.heappop(self._heap)
                    event = self.table.remove(event_id)
                    if event is None:
                        continue
                    fn = _HANDLERS.get(event["name"])
                    if fn is not None:
                        fn(self.world, event["payload"])
                        ran += 1
        finally:
            self._running.active = False
        return ran


def scheduler_of(world) -> Scheduler:
    """The world's scheduler, created on first use (``compose.build_world`` does it first of all); re-read
    from the store after a reset or a state import.

    Order: its rebuild goes to the front of ``on_reset`` (``first``: due events are known before anything
    re-seeded schedules more) and into ``on_load`` when it is created, which is before any simulation
    registers its resume there (``simulation.loader.install`` and ``Simulation()`` create it first), so
    an imported state's events are in the heap before the simulation resumes from them."""
    def create(w):
        sched = Scheduler(w)
        w.on_load.append(lambda _: sched.rebuild())
        return sched

    return world.service("scheduler", create, on_reset=Scheduler.rebuild, first=True)
