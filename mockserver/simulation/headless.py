"""``mockserver simulate``: run a scenario without a server, as fast as the core allows.

The world gets a manual clock at the scenario's start; the clock is then moved a virtual day at a
time (each move runs every due event, in order, each stamped with its own virtual time) until
nobody has anything left to do, or until ``--until``.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import gc
import time

from mockserver.world import Settings, World

from . import report as report_mod
from .loader import install
from .scenario import Scenario, parse_time

DEFAULT_START = 1704067200.0  # 2024-01-01T00:00:00Z, when a scenario gives no start
STEP = 86400.0


def _iso(t: float | None) -> str | None:
    return None if t is None else dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat().replace("+00:00", "Z")


class Progress:
    """A bar on a terminal (stderr is a TTY), a plain line per 10% otherwise."""

    def __init__(self, stream=None, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.enabled = enabled
        self.last_decile = -1
        self.started = time.perf_counter()

    def __call__(self, sim, final: bool = False) -> None:
        if not self.enabled:
            return
        from mockserver.core import records as R

        total = done = 0
        for s in R.stats(sim.store).all():
            states = s.get("states") or {}
            total += s.get("total", 0)
            done += sum(states.get(k, 0) for k in ("approved", "rejected", "skipped"))
        frac = done / total if total else 1.0
        elapsed = time.perf_counter() - self.started
        text = (f"{100 * frac:5.1f}%  {done}/{total} items settled  {sim.events} events  "
                f"virtual {_iso(sim.last_event_at) or '-'}  {elapsed:.1f}s")
        if self.tty:
            width = 30
            bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
            self.stream.write(f"\r[{bar}] {text}" + ("\n" if final else ""))
            self.stream.flush()
        else:
            decile = int(frac * 10)
            if decile > self.last_decile or final:
                self.last_decile = decile
                self.stream.write(f"simulate: {text}\n")
                self.stream.flush()


def _drive(world: World, sim, limit: float | None) -> bool:
    """Move the manual clock in steps until everyone is idle (True) or ``limit`` is reached (False)."""
    while True:
        if sim.quiescent() and not any(sim._has_work(pid) for pid in sim.people):
            return True
        now = world.clock.now()
        if limit is not None and now >= limit:
            return False
        target = now + STEP if limit is None else min(limit, now + STEP)
        world.clock.set(now=target)


def run(scenario: Scenario, until=None, progress: Progress | None = None) -> tuple[World, dict]:
    """Run ``scenario`` headless. Returns the world and a summary with the report."""
    started = time.perf_counter()
    clock = scenario.clock()
    start = clock.get("now", DEFAULT_START)
    world = World(Settings())
    world.clock.set(mode="manual", now=start)
    scenario.doc["clock"] = {"mode": "manual", "start": start}  # headless is always on a manual clock
    sim = install(world, scenario, fast=True)
    setup_seconds = time.perf_counter() - started
    if progress is not None:
        sim.on_progress = progress
    limit = parse_time(until, base=start) if until is not None else None
    completed = False
    # The seeded world is hundreds of thousands of long-lived documents without reference cycles:
    # move them out of the collector's sight, and collect only the young generation while running
    # (full passes over a million objects were a quarter of the run time).
    gc.collect()
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 1_000_000, 1_000_000)
    try:
        completed = _drive(world, sim, limit)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
    if progress is not None:
        progress(sim, final=True)
    wall = time.perf_counter() - started
    rep = report_mod.build(world, sim)
    summary = {
        "scenario": scenario.name, "seed": scenario.seed, "completed": completed,
        "virtual_start": _iso(start), "virtual_end": _iso(sim.last_event_at),
        "virtual_seconds": (sim.last_event_at - start) if sim.last_event_at is not None else 0.0,
        "events": sim.events, "setup_seconds": round(setup_seconds, 3), "wall_seconds": round(wall, 3),
        "events_per_second": round(sim.events / max(wall - setup_seconds, 1e-9), 1),
        **rep,
    }
    return world, summary


def main(path: str, seed: int | None = None, until=None, json_report: str | None = None,
         quiet: bool = False) -> int:
    try:
        scenario = Scenario.from_file(path, seed=seed)
        world, summary = run(scenario, until=until, progress=Progress(enabled=not quiet))
    except ValueError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    print(f"scenario {summary['scenario']} (seed {summary['seed']}): "
          f"{'completed' if summary['completed'] else 'stopped'} at {summary['virtual_end'] or summary['virtual_start']}"
          f", {summary['events']} events in {summary['wall_seconds']:.2f}s "
          f"(setup {summary['setup_seconds']:.2f}s, {summary['events_per_second']:.0f} events/s)")
    print(report_mod.render(summary))
    if json_report:
        with open(json_report, "w", encoding="utf-8") as fh:
            json.dump(summary, fh, indent=2, sort_keys=True)
    return 0
