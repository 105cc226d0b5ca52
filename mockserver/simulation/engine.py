"""The simulation engine: simulated people acting through the core, event by event, on the world's clock.

Each simulated person acts for one worker id, one item at a time, across every task of every vendor
that lists them (as a worker with open work, as a reviewer, or as the acceptance checker of a task
the scenario names).  A person has at most one pending wake-up: *begin* the next job and, after the
sampled duration in working time, *finish* it (submit labels, give a verdict, check a sample) and
begin the next.  Idle people are woken by a poll every ``poll_seconds`` of virtual time (tasks a
client creates at run time are found that way) and at once by the simulation's own causes (a
submission that needs review wakes the task's idle reviewers; a change request wakes its workers).

The parts, each in its own module:

``timeline``     the wake-up heap behind one ``sim.tick`` scheduler event, persisted in ``sim_people``
``jobs``         what a person does next (cursors over the core's queues, sent-back work, claims)
``labeling``     finishing a labeling job;  ``reviewing``: a review job;  ``acceptances``: the checker
``truth``        ground truth, the concepts offered, judging work

Everything goes through the core's public API, the hot path through one ``core.Session`` (live
reads, statistics batched per task and written at the end of each drain, before progress reports
and before the acceptance checker reads them).

People: the scenario's, then a *crew* a vendor enlisted at run time (``crew``: CloudFactory's default
CloudWorkers), kept in ``sim_crew`` so a reset to the scenario's snapshot, a state import and a restart
bring them back.  After each step the engine asks the core to report the progress of the items the
person touched (``Session.check_progress``: one read for an item nobody follows), so an adapter that
follows them (Oversight task states, webhooks) hears of each change at the virtual time it happened.

Timing: ``on_tick`` drains, in (time, person) order, every wake-up due up to the clock -- or up to the
next foreign scheduler event, so webhooks and Oversight changes interleave exactly.  Each wake-up
runs at the virtual time of its event (``core.enter_time``): the core stamps what it writes with it.
"""
from __future__ import annotations

import heapq
from collections import deque

from mockserver import core
from mockserver.core import CoreError
from mockserver.scheduler import handler, scheduler_of

from .acceptances import Acceptances
from .jobs import Jobs
from .labeling import Labeling
from .people import KEY_SEP, Person
from .reviewing import Reviewing
from .timeline import META, PEOPLE, POLL, TICK, Timeline
from .truth import GroundTruth

__all__ = ["CREW", "META", "PEOPLE", "Simulation", "TICK"]

CREW = "sim_crew"  # people enlisted at run time: {"id", "spec"} (``crew.enlist``)


@handler(TICK)
def _on_tick(world, payload) -> None:
    sim = world.simulation
    if sim is not None:
        sim.on_tick()


class Simulation:
    def __init__(self, world, scenario, fast: bool = False):
        self.world = world
        self.store = world.store
        self.scenario = scenario
        self.seed = scenario.seed
        self.scenario_people: dict[str, Person] = {spec["id"]: Person.parse(spec) for spec in scenario.people}
        self.people: dict[str, Person] = dict(self.scenario_people)
        doc = scenario.doc
        self.poll_seconds = float(doc.get("poll_seconds", 30))
        self.default_labels = list(doc.get("labels") or [])
        self.task_labels = {t["id"]: list(t["labels"]) for t in doc.get("tasks", []) if t.get("labels")}
        self.acceptance = {t["id"]: t["acceptance"] for t in doc.get("tasks", []) if t.get("acceptance")}
        self.acceptance.update({a["task"]: a for a in doc.get("acceptances", [])})
        self.fast = fast  # headless: skip start_work (nobody watches in_progress; the end state is identical)
        self.sched = scheduler_of(world)
        self.on_progress = None  # callable(sim) every ``progress_every`` events (headless progress bar)
        self.progress_every = 2000
        self._reset_memory()

    def _reset_memory(self) -> None:
        """Fresh in-memory parts (the stored state is the truth; ``resume`` rebuilds from it)."""
        store = self.store
        self.people = dict(self.scenario_people)
        for doc in store.table(CREW).all():
            self.people.setdefault(doc["id"], Person.parse(doc["spec"]))
        self.session = s = core.session(store)
        self.timeline = tl = Timeline(store, self.sched, self.people, self.poll_seconds,
                                      poll_rank=len(self.scenario_people))
        self.truths = truth = GroundTruth(s, self.seed, self.default_labels, self.task_labels)
        self.claimed: set[str] = set()
        self.acceptances = Acceptances(s, store, tl.meta, self.acceptance, self.claimed, self.seed, truth)
        self.jobs = jobs = Jobs(s, store, self.people, self.acceptances, self.claimed, self.fast)
        self.labeling = Labeling(s, store, self.seed, truth, tl)
        self.reviewing = Reviewing(s, self.seed, truth, tl, jobs)
        self.events = 0
        self.last_event_at: float | None = None

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self, t0: float) -> None:
        """Everyone starts looking for work at ``t0`` (after the world was seeded)."""
        with self.store.lock:
            self._reset_memory()
            self.timeline.start(t0)
            self.timeline.arm()

    def resume(self) -> None:
        """Rebuild the in-memory state from the stored one (state import, ``--data`` restart)."""
        with self.store.lock:
            self._reset_memory()
            for doing in self.timeline.resume():
                if doing["kind"] == "review":
                    self.claimed.add(doing["ti"])
            self.timeline.arm()

    def stop(self) -> None:
        with self.store.lock:
            self.timeline.cancel()
            self._reset_memory()

    def enlist(self, specs: list[dict], t: float) -> list[str]:
        """Add people at run time (``crew.enlist`` stored them in ``sim_crew``): those not simulated yet
        look for work at ``t``.  Returns their ids."""
        added = []
        with self.store.lock:
            for spec in specs:
                if spec["id"] in self.people:
                    continue
                self.people[spec["id"]] = Person.parse(spec)
                self.jobs.urgent[spec["id"]] = deque()
                self.timeline.add(spec["id"], t)
                added.append(spec["id"])
            if added:
                self.timeline.arm()
        return added

    # -- questions ------------------------------------------------------------------------------------
    def quiescent(self) -> bool:
        """Nobody has anything pending (only the poll is left)."""
        return self.timeline.quiescent()

    def has_work(self, pid: str) -> bool:
        """Could ``pid`` do something now (sent-back work, open work, a review, an acceptance check)?"""
        return self.jobs.has_work(pid)

    def truth(self, task: dict, source: str, item_id: str) -> list[dict]:
        return self.truths.truth(task, source, item_id)

    def labels_of(self, task: dict, truth: list[dict]) -> list[str]:
        return self.truths.labels_of(task, truth)

    def judge(self, task: dict, ti: dict, subs: list[dict]) -> bool:
        return self.truths.judge(task, ti, subs)

    # -- the clock ------------------------------------------------------------------------------------
    def on_tick(self) -> None:
        self.timeline.tick_event = None
        bound = self.world.clock.now()
        other = self.sched.next_due()  # the next foreign event: do not run past it
        if other is not None and other < bound:
            bound = other
        self.drain(bound)
        self.timeline.arm()

    def drain(self, bound: float) -> int:
        """Run every wake-up due at or before ``bound``, in (time, person) order (statistics written at the end)."""
        with self.session:
            return self._drain(bound)

    def _drain(self, bound: float) -> int:
        ran = 0
        tl = self.timeline
        heap, table, people, wake = tl.heap, tl.table, self.people, self._wake
        enter, leave, pop = core.enter_time, core.leave_time, heapq.heappop
        while heap and heap[0][0] <= bound:
            t, _, pid = pop(heap)
            if pid == POLL:
                if tl.poll_due(t):
                    token = enter(t)
                    try:
                        tl.poll(t, self.jobs.has_work)
                    finally:
                        leave(token)
                continue
            doc = table.get(pid)
            if doc is None or doc["next_at"] != t:
                continue  # stale: the person's wake-up moved
            token = enter(t)  # core.at(t), without a context manager per event
            try:
                wake(people[pid], doc, t)
            finally:
                leave(token)
            ran += 1
            self.events += 1
            self.last_event_at = t
            if self.on_progress is not None and self.events % self.progress_every == 0:
                self.session.flush()
                self.on_progress(self)
        return ran

    # -- one person's step ----------------------------------------------------------------------------
    def _wake(self, person: Person, doc: dict, t: float) -> None:
        """Finish what the person was doing, then begin their next job (or go idle / wait for work hours)."""
        counter = None  # the ``sim_people`` counter to bump, to ``count``
        count = 0
        doing = doc["doing"]
        s = self.session
        if doing is not None:
            counter = self._finish(person, doing, t)
            if counter:
                count = doc.get(counter, 0) + 1
            s.check_progress(doing["ti"])
        tl = self.timeline
        pid = person.id
        schedule = person.schedule
        always = schedule._always
        start = t if always else schedule.next_working(t)  # (``next_working``'s own shortcut)
        if start is None:
            tl.set(pid, None, None, counter, count)
            return
        if start > t:
            tl.set(pid, start, None, counter, count)
            return
        job = self.jobs.next_job(pid)
        if job is None:
            tl.set(pid, None, None, counter, count)
            return
        kind = job["kind"]
        if kind == "label":
            s.check_progress(job["ti"])  # begun: the item may be in progress now
            speed = person.speed
        else:
            speed = person.review_speed
        # ``rng_for(seed, "time", person, task, item, attempt, kind)``: its key, spelled out
        sep = KEY_SEP
        duration = speed.sample_key(f"{self.seed}{sep}time{sep}{pid}{sep}{job['task']}{sep}{job['item']}"
                                    f"{sep}{job['attempt']}{sep}{kind}")
        end = t + duration if always else schedule.add_working(t, duration)
        tl.set(pid, end, job if end is not None else None, counter, count)

    def _finish(self, person: Person, job: dict, t: float) -> str | None:
        kind = job["kind"]
        try:
            if kind == "label":
                return self.labeling.finish(person, job, t)
            if kind == "review":
                return self.reviewing.finish(person, job, t)
            return self.acceptances.finish(person, job)
        except CoreError:
            return None  # the world changed under the person (task deleted, item settled...): move on
        finally:
            if kind == "review":
                self.claimed.discard(job["ti"])
