"""``mockserver simulate``: run a scenario without a server, as fast as the core allows.

The world gets a manual clock at the scenario's start; the clock is then moved a virtual day at a
time (each move runs every due event, in order, each stamped with its own virtual time) until
nobody has anything left to do, or until ``--until``.

Ctrl-C stops the run between two events (the store stays consistent) and the report of what
happened so far is printed, marked as partial; the command then exits with status 130. A second
Ctrl-C stops at once.
"""
from __future__ import annotations

import datetime as dt
import json
import signal
import sys
import gc
import threading
import time
from typing import Callable

from mockserver import core
from mockserver.compose import build_world
from mockserver.world import Settings, World

from . import report as report_mod
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
        total = done = 0
        session = sim.session
        for task in session.tasks():
            stats = session.task_stats(task["id"])  # O(workers + concepts) a task
            total += stats["total"]
            done += stats["done"]
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


class Interrupted(Exception):
    """Raised between two events when the run was asked to stop (Ctrl-C)."""


def _drive(world: World, sim, limit: float | None, should_stop: Callable[[], bool] | None = None) -> bool:
    """Move the manual clock in steps until everyone is idle (True) or ``limit`` is reached (False)."""
    while True:
        if should_stop is not None and should_stop():
            raise Interrupted
        if sim.quiescent() and not any(sim.has_work(pid) for pid in sim.people):
            return True
        now = world.clock.now()
        if limit is not None and now >= limit:
            return False
        target = now + STEP if limit is None else min(limit, now + STEP)
        world.clock.set(now=target)


def run(scenario: Scenario, until=None, progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None, figures: bool = False) -> tuple[World, dict]:
    """Run ``scenario`` headless. Returns the world and a summary with the report; with ``figures``,
    also the figures of the HTML report (``summary["figures"]``: one more pass over the items).

    ``should_stop`` is asked between events (every ``progress_every`` events and every virtual day):
    when it says yes, the run stops there and the summary says ``interrupted``. A KeyboardInterrupt
    while the people work does the same (the event it cut short may be half done)."""
    started = time.perf_counter()
    clock = scenario.clock()
    start = clock.get("now", DEFAULT_START)
    scenario.doc["clock"] = {"mode": "manual", "start": start}  # headless is always on a manual clock
    # The seeded world is hundreds of thousands of long-lived documents without reference cycles: the
    # collector is off while they are made (on, it ran hundreds of passes over them, a tenth of the
    # setup), then they are moved out of its sight (``freeze``), and while the people run only the young
    # generation is collected (full passes over a million objects were a quarter of the run time).  No
    # collection first: the setup leaves no cyclic garbage worth a pass over all of them (whatever it
    # left is collected as usual once they are unfrozen).
    collecting = gc.isenabled()
    gc.disable()
    try:
        world = build_world(Settings(), scenario=scenario, fast=True)  # install sets that clock, then seeds
        # The people work on every task: its per-item documents are made now, with the rest of the set-up
        # (the core would make each task's on its first read, in the run, after the freeze below).
        core.write_promised(world.store)
        sim = world.simulation
        setup_seconds = time.perf_counter() - started
        if progress is not None or should_stop is not None:
            def on_progress(s) -> None:
                if progress is not None:
                    progress(s)
                if should_stop is not None and should_stop():
                    raise Interrupted

            sim.on_progress = on_progress
        limit = parse_time(until, base=start) if until is not None else None
    except BaseException:
        if collecting:
            gc.enable()
        raise
    idle = interrupted = False
    gc.freeze()
    if collecting:
        gc.enable()
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 1_000_000, 1_000_000)
    try:
        idle = _drive(world, sim, limit, should_stop)
    except (Interrupted, KeyboardInterrupt):
        interrupted = True
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
    if progress is not None:
        progress(sim, final=True)
    wall = time.perf_counter() - started
    rep = report_mod.build(world, sim)
    complete = rep.pop("complete")
    if interrupted:
        reason = "interrupted"
    elif idle and complete:
        reason = "completed"
    elif idle:
        reason = "idle"
    else:
        reason = "until"
    summary = {
        "scenario": scenario.name, "seed": scenario.seed,
        # completed: the people ran out of work and every task they could work on is settled
        "completed": reason == "completed", "complete": complete, "interrupted": interrupted,
        "stop_reason": reason,
        "virtual_start": _iso(start), "virtual_end": _iso(sim.last_event_at),
        "virtual_seconds": (sim.last_event_at - start) if sim.last_event_at is not None else 0.0,
        "events": sim.events, "setup_seconds": round(setup_seconds, 3), "wall_seconds": round(wall, 3),
        "events_per_second": round(sim.events / max(wall - setup_seconds, 1e-9), 1),
        **rep,
    }
    if figures:
        from . import html_report

        summary["figures"] = html_report.figures(world, sim, start, sim.last_event_at, rep["tasks"])
    return world, summary


def headline(summary: dict) -> str:
    """``scenario NAME (seed N): completed at T, ...``: how the run ended, in one line."""
    at = summary["virtual_end"] or summary["virtual_start"]
    reason = summary.get("stop_reason") or ("completed" if summary["completed"] else "until")
    if reason == "interrupted":
        how = f"interrupted at virtual {at} (partial report)"
    elif reason == "completed":
        ours = [t for t in summary.get("tasks") or () if t.get("part_of_scenario", True)]
        how = f"completed at {at}" + ("" if ours else ": nothing to do (no task has a simulated person on it)")
    elif reason == "idle":
        how = (f"stopped at {at}: nobody simulated can settle "
               f"{', '.join(summary.get('unsettled_tasks') or ()) or 'the remaining items'}")
    else:
        how = f"stopped at {at} (--until)"
    return (f"scenario {summary['scenario']} (seed {summary['seed']}): {how}, {summary['events']} events in "
            f"{summary['wall_seconds']:.2f}s (setup {summary['setup_seconds']:.2f}s, "
            f"{summary['events_per_second']:.0f} events/s)")


class _CtrlC:
    """SIGINT while the people work: the first asks the run to stop between two events, a second one
    (or one during setup) interrupts at once."""

    def __init__(self):
        self.running = False
        self.requested = False
        self.previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)

    def _handle(self, signum, frame):
        if self.running and not self.requested:
            self.requested = True
            return
        raise KeyboardInterrupt

    def should_stop(self) -> bool:
        self.running = True  # asked once the people work: from now on, Ctrl-C stops between events
        return self.requested


def main(path: str, seed: int | None = None, until=None, json_report: str | None = None,
         quiet: bool = False, html: str | None = None) -> int:
    """The ``mockserver simulate`` command, which the process ends with (in-process callers: ``run``).

    Once the report is out, whatever the run left (the world: hundreds of thousands of documents
    held in reference cycles with its clock and scheduler) is moved out of the garbage collector's
    sight: the interpreter's exit would otherwise collect and free it one object at a time, seconds
    for a large run, for memory the system takes back at once anyway."""
    try:
        return _main(path, seed, until, json_report, quiet, html)
    finally:
        gc.freeze()


def _main(path: str, seed: int | None, until, json_report: str | None, quiet: bool, html: str | None = None) -> int:
    ctrl_c = _CtrlC()
    try:
        scenario = Scenario.from_file(path, seed=seed)
        with ctrl_c:
            world, summary = run(scenario, until=until, progress=Progress(enabled=not quiet),
                                 should_stop=ctrl_c.should_stop, figures=bool(json_report or html))
    except ValueError as exc:
        message = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        print(f"mockserver: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        when = "while writing the report" if ctrl_c.running else "before the simulated people started"
        print(f"mockserver: simulate: interrupted {when} (no report)", file=sys.stderr, flush=True)
        return 130
    print(headline(summary))
    print(report_mod.render(summary))
    if json_report:
        try:
            with open(json_report, "w", encoding="utf-8") as fh:
                json.dump(summary, fh, indent=2, sort_keys=True)
        except OSError as exc:
            print(f"mockserver: cannot write --json-report {json_report}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    if html:
        from . import html_report

        try:
            html_report.write(html, summary, headline(summary))
        except OSError as exc:
            print(f"mockserver: cannot write --html {html}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    return 130 if summary["interrupted"] or ctrl_c.requested else 0
