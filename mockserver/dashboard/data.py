"""The JSON behind the dashboard (``/_mock/dashboard/api/...``), cheap enough to poll while a large
scenario runs: the ``Dashboard`` service of a world (``dashboard_of``) and its answers.

Cost of ``overview`` (the one answer the page polls, once a second):
    O(tasks x (workers + concepts))   ``core.task_stats`` per task, the core's incremental counters
    O(people)                         the simulated people's documents (``sim_people``) and schedules
    + a bounded step of the ``Judge`` (a few ms at most, at most every quarter of a second)
It never walks a task's items.  What the counters cannot give cheaply is kept per world, in modules
of their own:

``series.Series``   cumulative submissions and review verdicts per person (and settled items) at
                    virtual times: sampled here on every poll and, while the people work, every
                    ``SAMPLE_EVERY`` simulated events through the simulation's progress hook.
``judging.Judge``   accuracy against the truth and consensus, judged one settled item at a time behind
                    a cursor; the figures say how many settled items they rest on (``judged`` of
                    ``settled``) and come with their 95% Wilson interval.  When the run ends they are
                    exactly the report's figures.
``items``           the on-demand task-item pages (``task_items``, ``task_item``), which do walk items
                    and so are never polled.

The names that used to live here (``Series``, ``Judge``, ``judge_item``, ``truth_of``, ``BASIS``...)
are still importable from this module.

Everything reads ``mockserver.core`` through its public API (``core.session`` for live reads under the
store's lock, ``core.task_stats``, ``core.get_task_item``, ``core.list_work``...).
"""
from __future__ import annotations

import time

from mockserver import core

from . import items
from .figures import vendor_of
# Re-exported (see __all__): callers such as the HTML report and the tests import them from here.
from .items import BASIS
from .judging import SETTLED, Judge, judge_item, truth_of
from .series import Series

PEOPLE_TABLE = "sim_people"
IN_PROGRESS = ("labeling", "changes_requested")
SAMPLE_EVERY = 250  # simulated events between two samples taken from inside a run
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

__all__ = ["BASIS", "DAY_NAMES", "Dashboard", "IN_PROGRESS", "Judge", "PEOPLE_TABLE", "SAMPLE_EVERY", "SETTLED",
           "Series", "dashboard_of", "judge_item", "shipped_scenarios", "truth_of"]


def dashboard_of(world) -> "Dashboard":
    """The world's dashboard helper (created on first use, forgotten on every reset)."""
    return world.service("dashboard", Dashboard, on_reset=Dashboard.forget)



# -- the dashboard helper of one world -----------------------------------------------------------------

def _schedule_text(schedule) -> str:
    if schedule is None or schedule.always:
        return "always"
    days = ",".join(DAY_NAMES[d] for d in schedule.days) if len(schedule.days) < 7 else "every day"
    if schedule.hours:
        h0, h1 = schedule.hours
        hours = f" {h0 // 60:02d}:{h0 % 60:02d}-{h1 // 60:02d}:{h1 % 60:02d}"
    else:
        hours = ""
    breaks = f" ({len(schedule.breaks)} break{'s' if len(schedule.breaks) != 1 else ''})" if schedule.breaks else ""
    return f"{days}{hours} {schedule.timezone}{breaks}"


class Dashboard:
    def __init__(self, world):
        self.world = world
        self.series = Series()
        self.judge = Judge()
        self._sim = None
        self._events = 0
        self._last_now = float("-inf")

    def forget(self) -> None:
        """A reset (or a scenario load): start the series and the judging over."""
        self.series.clear()
        self.judge.clear()
        self._sim = None
        self._events = 0

    # -- the simulation being watched ------------------------------------------------------------------
    def _simulation(self):
        """The world's simulation, hooked for samples; a new run (or a state import, which resumes the
        run from the stored state) starts the series and the judging over."""
        sim = self.world.simulation
        if sim is not self._sim or (sim is not None and sim.events < self._events):
            self.series.clear()
            self.judge.clear()
            self._sim = sim
        if sim is not None:
            self._events = sim.events
            if getattr(sim, "on_progress", None) is None:  # headless runs set their own; a server's is free
                sim.on_progress = self._on_progress
                sim.progress_every = min(getattr(sim, "progress_every", SAMPLE_EVERY), SAMPLE_EVERY)
        return sim

    def _on_progress(self, sim) -> None:
        """Inside a run (the store's lock held, the statistics just flushed): one sample at the event's time."""
        if sim is not self._sim or sim.last_event_at is None:
            return
        try:
            with core.session(self.world.store) as s:
                stats = {t["id"]: core.task_stats(self.world.store, t["id"]) for t in s.tasks()}
                self._sample(sim, stats, sim.last_event_at)
        except core.CoreError:
            pass  # a task went away between the two reads: the next sample will do

    def _sample(self, sim, stats: dict[str, dict], t: float) -> None:
        submitted: dict[str, int] = {}
        reviewed: dict[str, int] = {}
        settled = 0
        for st in stats.values():
            settled += st["done"]
            for w, c in st["workers"].items():
                if c["submitted"]:
                    submitted[w] = submitted.get(w, 0) + c["submitted"]
            for r, c in st["reviewers"].items():
                n = c["approved"] + c["rejected"] + c["changes_requested"]
                if n:
                    reviewed[r] = reviewed.get(r, 0) + n
        if sim is not None:  # a simulated person's own counters only grow (sent-back work is labeled again)
            table = self.world.store.table(PEOPLE_TABLE)
            for pid in sim.people:
                doc = table.get(pid)
                if doc is None:
                    continue
                if doc.get("labeled"):
                    submitted[pid] = max(submitted.get(pid, 0), doc["labeled"])
                if doc.get("reviewed"):
                    reviewed[pid] = max(reviewed.get(pid, 0), doc["reviewed"])
        self.series.add(t, submitted, reviewed, settled)

    # -- answers ---------------------------------------------------------------------------------------
    def overview(self, series_version: int | None = None) -> dict:
        started = time.perf_counter()
        world = self.world
        store = world.store
        clock = world.clock.to_dict()
        with core.session(store) as s:
            sim = self._simulation()
            if clock["now"] < self._last_now:  # the clock was set back: the series starts over
                self.series.clear()
            self._last_now = clock["now"]
            tasks = list(s.tasks())
            stats = {t["id"]: core.task_stats(store, t["id"]) for t in tasks}
            events = sim.events if sim is not None else 0
            self.judge.step(s, sim, tasks, {tid: st["total"] for tid, st in stats.items()}, events)
            self._sample(sim, stats, clock["now"])
            tasks_out = [self._task_summary(t, stats[t["id"]]) for t in tasks]
            workers_out = self._workers(sim, tasks, stats, clock["now"])
        scenario = world.scenario
        from mockserver.control.faults import faults_of

        out = {
            "clock": clock,
            "scenario": {"name": getattr(scenario, "name", None), "seed": getattr(scenario, "seed", None),
                         "origin": getattr(scenario, "origin", None), "events": events,
                         "last_event_at": getattr(sim, "last_event_at", None)},
            "vendors": dict(world.urls),
            "tasks": tasks_out,
            "workers": workers_out,
            "faults": len(faults_of(world).list()),
            "series": self.series.to_dict() if series_version != self.series.version else None,
        }
        out["cost_ms"] = round((time.perf_counter() - started) * 1000, 3)
        return out

    def _task_summary(self, task: dict, st: dict) -> dict:
        states = st["states"]
        reviews = {"approved": 0, "rejected": 0, "changes_requested": 0}
        for counts in st["reviewers"].values():
            for k in reviews:
                reviews[k] += counts.get(k, 0)
        settled = sum(states[x] for x in SETTLED)
        out = {
            "id": task["id"], "vendor": vendor_of(task), "tenant": str(task.get("tenant") or ""),
            "status": task["status"], "kind": task.get("kind", "classification"),
            "review_strategy": task["review"]["strategy"],
            "workers": list(task.get("workers") or ()), "reviewers": list(task["review"]["reviewers"]),
            "total": st["total"], "unassigned": st["unassigned"], "done": st["done"],
            "progress": st["progress"], "states": dict(states),
            "groups": {"unassigned": st["unassigned"], "not_started": states["unlabeled"],
                       "in_progress": sum(states[x] for x in IN_PROGRESS),
                       "awaiting_review": states["awaiting_review"], "settled": settled,
                       "accepted": st["acceptance"].get("accepted", 0)},
            "reviews": reviews, "acceptance": dict(st["acceptance"]), "settled": settled,
        }
        out.update(self.judge.task_figures(task))
        return out

    def _workers(self, sim, tasks: list[dict], stats: dict[str, dict], now: float) -> list[dict]:
        people = sim.people if sim is not None else {}
        table = self.world.store.table(PEOPLE_TABLE) if people else None
        agg: dict[str, dict] = {}

        def entry(name: str) -> dict:
            e = agg.get(name)
            if e is None:
                e = agg[name] = {"submitted": 0, "skipped": 0, "approved": 0, "rejected": 0, "reviewed": 0,
                                 "tasks": []}
            return e

        for task in tasks:
            st = stats[task["id"]]
            for w, c in st["workers"].items():
                e = entry(w)
                for f in ("submitted", "skipped", "approved", "rejected"):
                    e[f] += c[f]
                e["tasks"].append(task["id"])
            for r, c in st["reviewers"].items():
                e = entry(r)
                e["reviewed"] += c["approved"] + c["rejected"] + c["changes_requested"]
                if task["id"] not in e["tasks"]:
                    e["tasks"].append(task["id"])
        names = list(people) + sorted(n for n in agg if n not in people)
        out = []
        for name in names:
            e = agg.get(name) or entry(name)
            decided = e["approved"] + e["rejected"]
            row = {"id": name, "simulated": name in people, "tasks": e["tasks"], "submitted": e["submitted"],
                   "reviewed": e["reviewed"], "skipped": e["skipped"], "approved": e["approved"],
                   "rejected": e["rejected"], "approval_rate": e["approved"] / decided if decided else None,
                   "accuracy": self.judge.worker_accuracy(name), "doing": None, "next_at": None,
                   "working": None, "schedule": "", "state": "external"}
            if name in people:
                person = people[name]
                doc = table.get(name) or {}
                schedule = getattr(person, "schedule", None)
                working = True if schedule is None else schedule.next_working(now) == now
                doing = doc.get("doing")
                row.update(schedule=_schedule_text(schedule), working=working, next_at=doc.get("next_at"),
                           doing={"kind": doing.get("kind"), "task": doing.get("task"), "item": doing.get("item")}
                           if doing else None)
                row["submitted"] = max(row["submitted"], doc.get("labeled", 0))
                row["reviewed"] = max(row["reviewed"], doc.get("reviewed", 0))
                if not working:
                    row["state"] = "off"
                elif doing:
                    row["state"] = {"label": "labeling", "review": "reviewing"}.get(doing.get("kind"), "checking")
                elif doc.get("next_at") is None:
                    row["state"] = "idle"
                else:
                    row["state"] = "waiting"
            out.append(row)
        return out

    def task(self, task_id: str) -> dict:
        """One task: its configuration, the core's statistics and the dashboard's summary (NotFound if none)."""
        store = self.world.store
        with core.session(store) as s:
            task = s.task(task_id)
            if task is None:
                raise core.NotFound(f"task {task_id!r} not found")
            stats = core.task_stats(store, task_id)
            summary = self._task_summary(task, stats)
            info = {"id": task["id"], "tenant": task.get("tenant"), "vendor": vendor_of(task),
                    "kind": task.get("kind"), "status": task["status"], "workers": list(task.get("workers") or ()),
                    "assignment": {k: task.get("assignment", {}).get(k)
                                   for k in ("strategy", "mode", "workers_per_input")},
                    "review": dict(task["review"]), "sources": list(task.get("sources") or ()),
                    "created_at": task.get("created_at"), "iou_threshold": task.get("iou_threshold")}
        return {"task": info, "stats": stats, "summary": summary}

    def task_items(self, task_id: str, state: str | None, offset: int, limit: int) -> dict:
        """A page of items (``items.task_items``): asked for on demand, not polled."""
        return items.task_items(self.world.store, task_id, state, offset, limit)

    def task_item(self, task_id: str, item_id: str, source: str | None) -> dict:
        """One item in full (``items.task_item``): who labeled what, agreement, the result."""
        return items.task_item(self.world, task_id, item_id, source)


def shipped_scenarios() -> list[dict]:
    from mockserver.resources import shipped_scenarios as shipped

    return [{"name": name, "file": f"{name}.yaml", "description": text} for name, text in shipped()]
