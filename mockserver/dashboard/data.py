"""The JSON behind the dashboard (``/_mock/dashboard/api/...``), cheap enough to poll while a large
scenario runs.

Cost of ``overview`` (the one answer the page polls, once a second):
    O(tasks x (workers + concepts))   ``core.task_stats`` per task, the core's incremental counters
    O(people)                         the simulated people's documents (``sim_people``) and schedules
    + a bounded step of the ``Judge`` (a few ms at most, at most every quarter of a second)
It never walks a task's items.  What the counters cannot give cheaply is kept here, per world:

``Series``  cumulative submissions and review verdicts per person (and settled items) at virtual
            times: sampled on every poll and, while the people work, every ``SAMPLE_EVERY`` simulated
            events through the simulation's progress hook; at most ``Series.MAX`` points (halved, by
            keeping every other one, when full), so the throughput chart covers the whole run.
``Judge``   accuracy against the truth (the item's ground truth, else the simulation's latent truth,
            as the report does) and consensus, judged one settled item at a time behind a cursor that
            goes round each task; each item is judged once and judged again only if it changed.  The
            figures say how many settled items they rest on (``judged`` of ``settled``) and come with
            their 95% Wilson interval.  When the run ends they are exactly the report's figures.

Everything reads ``mockserver.core`` through its public API (``core.session`` for live reads under the
store's lock, ``core.task_stats``, ``core.get_task_item``, ``core.list_work``...).
"""
from __future__ import annotations

import time

from mockserver import core

from .figures import vendor_of, wilson

PEOPLE_TABLE = "sim_people"
SETTLED = ("approved", "rejected", "skipped")
IN_PROGRESS = ("labeling", "changes_requested")
SAMPLE_EVERY = 250  # simulated events between two samples taken from inside a run
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def dashboard_of(world) -> "Dashboard":
    """The world's dashboard helper (created on first use, forgotten on every reset)."""
    return world.service("dashboard", Dashboard, on_reset=Dashboard.forget)


# -- series: cumulative counts over virtual time ------------------------------------------------------

class Series:
    MAX = 240

    def __init__(self):
        self.version = 0
        self.clear()

    def clear(self) -> None:
        self.t: list[float] = []
        self.rows: list[tuple[dict, dict, int]] = []
        self.gap = 0.0
        self.version += 1

    def add(self, t: float, submitted: dict, reviewed: dict, settled: int) -> None:
        ts, rows = self.t, self.rows
        row = (submitted, reviewed, settled)
        if ts:
            if t < ts[-1]:
                # An event counted after a poll that stamped a later now (scaled time moves between the
                # two): it belongs to the last point. (A clock set back is the owner's to notice: clear.)
                t = ts[-1]
            if rows[-1] == row:
                if t == ts[-1]:
                    return
                # nothing happened since: move the last point only if it is the only one after its
                # predecessor with these counts (a flat stretch keeps its two ends)
                if len(rows) >= 2 and rows[-2] == row:
                    ts[-1] = t
                    self.version += 1
                    return
        if len(ts) >= 2 and t - ts[-2] < self.gap and rows[-1] != rows[-2]:
            ts[-1], rows[-1] = t, row  # too close to the last kept point: the newest replaces it
        else:
            ts.append(t)
            rows.append(row)
            if len(ts) > self.MAX:
                keep = list(range(0, len(ts) - 1, 2)) + [len(ts) - 1]
                self.t = [ts[i] for i in keep]
                self.rows = [rows[i] for i in keep]
                self.gap = (self.t[-1] - self.t[0]) / (self.MAX / 2)
        self.version += 1

    def to_dict(self) -> dict:
        names_s = dict.fromkeys(n for row in self.rows for n in row[0])
        names_r = dict.fromkeys(n for row in self.rows for n in row[1])
        return {"version": self.version, "t": list(self.t),
                "submitted": {n: [row[0].get(n, 0) for row in self.rows] for n in names_s},
                "reviewed": {n: [row[1].get(n, 0) for row in self.rows] for n in names_r},
                "settled": [row[2] for row in self.rows]}


# -- judge: accuracy and consensus, a bounded step at a time -------------------------------------------

class _TaskJudge:
    __slots__ = ("keys", "pos", "total", "created", "judged", "complete", "consensus", "known", "right")

    def __init__(self, created):
        self.keys: list[str] | None = None
        self.pos = 0
        self.total = -1
        self.created = created
        self.judged: dict[str, tuple] = {}  # task-item key -> (updated_at, state, contribution)
        self.complete = self.consensus = self.known = self.right = 0


class Judge:
    STEP_EVERY = 0.25  # wall seconds between two steps, however many pages poll
    BUDGET = 0.003  # wall seconds a step may take while the people work
    IDLE_BUDGET = 0.03  # ... and when nothing happened since the last step

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        self.tasks: dict[str, _TaskJudge] = {}
        self.workers: dict[str, list[int]] = {}  # worker -> [submissions judged, right]
        self.last_step = float("-inf")
        self.last_events = -1

    def _revert(self, tj: _TaskJudge, contribution: tuple) -> None:
        self._apply(tj, contribution, -1)

    def _apply(self, tj: _TaskJudge, c: tuple, sign: int) -> None:
        complete, consensus, known, right, marks = c
        tj.complete += sign * complete
        tj.consensus += sign * consensus
        tj.known += sign * known
        tj.right += sign * right
        workers = self.workers
        for worker, ok in marks:
            acc = workers.get(worker)
            if acc is None:
                acc = workers[worker] = [0, 0]
            acc[0] += sign
            acc[1] += sign * ok

    def step(self, s, sim, tasks: list[dict], totals: dict[str, int], events: int, force: bool = False) -> None:
        """Judge what changed, for a bounded time: ``s`` a core session (lock held), ``tasks`` the live
        task documents, ``totals`` each task's item count from its statistics."""
        now = time.perf_counter()
        if not force and now - self.last_step < self.STEP_EVERY:
            return
        budget = self.IDLE_BUDGET if events == self.last_events else self.BUDGET
        self.last_step, self.last_events = now, events
        deadline = now + budget
        alive = {t["id"] for t in tasks}
        for gone in [tid for tid in self.tasks if tid not in alive]:
            tj = self.tasks.pop(gone)
            for rec in tj.judged.values():
                self._revert(tj, rec[2])
        for task in tasks:
            if time.perf_counter() >= deadline:
                break
            self._step_task(s, sim, task, totals.get(task["id"], 0), deadline)

    def _step_task(self, s, sim, task: dict, total: int, deadline: float) -> None:
        tid = task["id"]
        tj = self.tasks.get(tid)
        if tj is not None and tj.created != task.get("created_at"):
            for rec in tj.judged.values():  # a task of the same id, made again
                self._revert(tj, rec[2])
            tj = None
        if tj is None:
            tj = self.tasks[tid] = _TaskJudge(task.get("created_at"))
        if tj.keys is None or tj.total != total:
            keys = [ti["id"] for ti in s.task_items(tid)]  # only when the task gains or loses items
            present = set(keys)
            for key in [k for k in tj.judged if k not in present]:
                self._revert(tj, tj.judged.pop(key)[2])
            tj.keys, tj.total = keys, total
            tj.pos = tj.pos % len(keys) if keys else 0
        keys, judged = tj.keys, tj.judged
        n = len(keys)
        if not n:
            return
        kind, iou = task.get("kind", "classification"), task.get("iou_threshold", 0.5)
        pos = tj.pos
        for i in range(n):
            if i & 31 == 31 and time.perf_counter() >= deadline:
                break
            key = keys[pos]
            pos = pos + 1 if pos + 1 < n else 0
            ti = s.task_item(key)
            rec = judged.get(key)
            if ti is None or ti["state"] not in SETTLED:
                if rec is not None:
                    self._revert(tj, judged.pop(key)[2])
                continue
            if rec is not None:
                if rec[0] == ti.get("updated_at") and rec[1] == ti["state"]:
                    continue
                self._revert(tj, rec[2])
            c = judge_item(s, sim, task, ti, kind, iou)
            judged[key] = (ti.get("updated_at"), ti["state"], c)
            self._apply(tj, c, +1)
        tj.pos = pos

    def task_figures(self, task: dict) -> dict:
        tj = self.tasks.get(task["id"])
        if tj is None:
            return {"judged": 0, "consensus": None, "accuracy": None}
        consensus = wilson(tj.consensus, tj.complete) if task["review"]["strategy"] == "consensus" else None
        return {"judged": len(tj.judged), "consensus": consensus, "accuracy": wilson(tj.right, tj.known)}

    def worker_accuracy(self, worker: str) -> dict | None:
        acc = self.workers.get(worker)
        return wilson(acc[1], acc[0]) if acc else None


BASIS = {"consensus": "consensus", "review": "review", "single": "labeler"}  # "approved by ..."


def judge_item(s, sim, task: dict, ti: dict, kind: str, iou: float) -> tuple:
    """One item's share: (labeling complete, by consensus, result judged, result right,
    [(worker, submission right)]) -- the same rules as ``mockserver.simulation.report``."""
    subs, active, _ = core.labeling_of(s.works(ti["id"]))
    truth = truth_of(s, sim, task, ti["source"], ti["item_id"])[0]
    marks = []
    right: dict[int, bool] = {}
    if truth:
        for w in subs:
            labels = w.get("labels")
            ok = core.labels_agree(kind, labels or [], truth, iou)
            if labels:
                right[id(labels)] = ok
            marks.append((w["worker"], int(ok)))
    complete = 1 if subs and len(subs) == active else 0
    consensus = 1 if complete and ti.get("winner") else 0
    known = ok_final = 0
    result = core.result_of(task, ti, subs) if subs and truth else None
    if result is not None:
        final = result["labels"]
        known = 1
        ok = right.get(id(final))
        ok_final = int(core.labels_agree(kind, final, truth, iou) if ok is None else ok)
    return complete, consensus, known, ok_final, tuple(marks)


def truth_of(s, sim, task: dict, source: str, item_id: str) -> tuple[list | None, str]:
    item = s.item(source, item_id) or {}
    if item.get("ground_truth"):
        return item["ground_truth"], "ground_truth"
    if sim is not None:
        return sim.truth(task, source, item_id), "simulated"
    return None, "none"


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
        """A page of items: O(items in that state) to order them, so it is asked for on demand, not polled."""
        store = self.world.store
        page = core.list_task_items(store, task_id, state=state, offset=offset, limit=limit)
        stats = core.task_stats(store, task_id)
        total = stats["states"].get(state, 0) if state else stats["total"]
        items = []
        with core.session(store) as s:
            for ti in page:
                workers = [w["worker"] for w in s.works(ti["id"]) if w["state"] == "submitted"]
                items.append({"item_id": ti["item_id"], "source": ti["source"], "state": ti["state"],
                              "decision": ti.get("decision"), "workers": workers,
                              "reviews": len(ti.get("reviews") or ()), "updated_at": ti.get("updated_at")})
        return {"items": items, "total": total, "offset": offset, "limit": limit}

    def task_item(self, task_id: str, item_id: str, source: str | None) -> dict:
        """One item: who labeled what, whether they agree (with each other and the truth), the result."""
        store = self.world.store
        ti = core.get_task_item(store, task_id, item_id, source)
        works = core.list_work(store, task_id, item_id, ti["source"])
        sim = self.world.simulation
        with core.session(store) as s:
            task = s.task(task_id)
            if task is None:
                raise core.NotFound(f"task {task_id!r} not found")
            kind, iou = task.get("kind", "classification"), task.get("iou_threshold", 0.5)
            item = s.item(ti["source"], ti["item_id"]) or {}
            truth, truth_kind = truth_of(s, sim, task, ti["source"], ti["item_id"])
        subs = [(w["worker"], w.get("labels") or []) for w in works if w["state"] == "submitted"]
        group = core.consensus_group(kind, subs, iou) if subs else []
        pairs = []
        for i in range(len(subs)):
            for j in range(i + 1, len(subs)):
                pairs.append({"a": subs[i][0], "b": subs[j][0],
                              "agree": core.labels_agree(kind, subs[i][1], subs[j][1], iou)})
        work_out = []
        for w in works:
            labels = w.get("labels") or []
            agrees = (core.labels_agree(kind, labels, truth, iou)
                      if truth and w["state"] == "submitted" else None)
            work_out.append({"worker": w["worker"], "state": w["state"], "labels": labels,
                             "submitted_at": w.get("submitted_at"), "agrees_with_truth": agrees})
        settled = core.result_of(task, ti, works)  # the core's one rule for the labels that stand
        result = {"state": ti["state"], "decision": ti.get("decision"),
                  "labels": settled["labels"] if settled else None, "by": BASIS[settled["basis"]] if settled else None,
                  "credited": list(ti.get("credited") or ()), "approvals": list(ti.get("approvals") or ()),
                  "acceptance": ti.get("acceptance")}
        if result["labels"] is not None and truth:
            result["agrees_with_truth"] = core.labels_agree(kind, result["labels"], truth, iou)
        return {"task_id": task_id, "item_id": ti["item_id"], "source": ti["source"], "state": ti["state"],
                "data": item.get("data"), "truth": truth, "truth_kind": truth_kind, "work": work_out,
                "agreement": {"group": list(group), "pairs": pairs}, "reviews": list(ti.get("reviews") or ()),
                "result": result}


def shipped_scenarios() -> list[dict]:
    from mockserver.resources import shipped_scenarios as shipped

    return [{"name": name, "file": f"{name}.yaml", "description": text} for name, text in shipped()]
