"""The simulation engine: simulated people acting through the core, event by event, on the world's clock.

Each simulated person acts for one worker id, one item at a time, across every task of every vendor
that lists them (as a worker with open work, as a reviewer, or as the acceptance checker of a task
the scenario names).  A person has at most one pending wake-up: *begin* the next job (``start_work``)
and, after the sampled duration in working time, *finish* it (``submit_work``, ``review_item``...)
and begin the next.  Idle people are woken by a poll every ``poll_seconds`` of virtual time (tasks a
client creates at run time are found that way) and at once by the simulation's own causes (a
submission that needs review wakes the task's idle reviewers; a change request wakes its workers).

Timing: the engine keeps its own heap of wake-ups and holds exactly ONE scheduler event
(``sim.tick``) at the earliest of them.  When it runs it drains, in (time, person) order, every
wake-up due up to the clock -- or up to the next foreign scheduler event, so webhooks and
Oversight changes interleave exactly.  Each wake-up runs inside ``core.at(t)``: the core stamps
what it writes with the virtual time of that event.  Persisted per person in ``sim_people``
(``next_at``, ``doing``, counters) so ``GET /_mock/state`` shows who does what, and a state import
or ``--data`` restart resumes the simulation.
"""
from __future__ import annotations

import heapq
from collections import deque

from mockserver import core
from mockserver.core import records as R
from mockserver.core.work import submit_found, submit_live
from mockserver.core import CoreError
from mockserver.core.ledger import Ledger
from mockserver.scheduler import handler, scheduler_of

from .people import Person, rng_for

TICK = "sim.tick"
PEOPLE = "sim_people"
META = "sim_meta"
POLL = "\x7fpoll"  # sorts after every person id at equal times
CLOSED = frozenset(("accepting", "accepted", "rejected", "done", "wont_do", "failed"))
SETTLED = ("approved", "rejected", "skipped")


def _open(coll, field: str, value) -> int:
    """How many documents have ``field == value`` (an indexed field): the size of its index bucket."""
    try:
        return len(coll._indexes[field].get(value) or ())
    except (AttributeError, KeyError):
        return coll.count(**{field: value})


@handler(TICK)
def _on_tick(world, payload) -> None:
    sim = world.services.get("simulation")
    if sim is not None:
        sim.on_tick()


class Simulation:
    def __init__(self, world, scenario, fast: bool = False):
        self.world = world
        self.store = world.store
        self.scenario = scenario
        self.seed = scenario.seed
        self.people: dict[str, Person] = {spec["id"]: Person.parse(spec) for spec in scenario.people}
        self.rank = {pid: i for i, pid in enumerate(self.people)}
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
        self.heap: list[tuple[float, int, str]] = []
        self.cursors: dict[tuple, deque] = {}
        self.urgent: dict[str, deque] = {pid: deque() for pid in self.people}
        self.claimed: set[str] = set()
        self.tick_event: str | None = None
        self.tick_due: float | None = None
        self.events = 0
        self.last_event_at: float | None = None
        # Statistics differences of the submissions of one drain, per task, written once by
        # ``_flush`` (at the end of the drain and before anything of the simulation reads them).
        self.ledgers: dict[str, Ledger] = {}

    def _flush(self) -> None:
        ledgers = self.ledgers
        while ledgers:
            _, ledger = ledgers.popitem()
            ledger.flush()

    # -- tables ---------------------------------------------------------------------------------------
    @property
    def table(self):
        # Looked up once: a store keeps its collection objects for its whole life.
        coll = self.__dict__.get("_table")
        if coll is None or coll._store is not self.store:
            coll = self._table = self.store.table(PEOPLE)
        return coll

    @property
    def meta(self):
        return self.store.table(META)

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self, t0: float) -> None:
        """Everyone starts looking for work at ``t0`` (after the world was seeded)."""
        with self.store.lock:
            self._reset_memory()
            for pid in self.people:
                self.table.upsert({"id": pid, "next_at": t0, "doing": None, "labeled": 0, "skipped": 0,
                                   "reviewed": 0, "checked": 0})
                heapq.heappush(self.heap, (t0, self.rank[pid], pid))
            if self.people:
                self.meta.upsert({"id": "poll", "next_at": t0 + self.poll_seconds})
                heapq.heappush(self.heap, (t0 + self.poll_seconds, len(self.people), POLL))
            self._arm()

    def resume(self) -> None:
        """Rebuild the in-memory heap from the stored state (state import, ``--data`` restart)."""
        with self.store.lock:
            self._reset_memory()
            for ev in self.sched.pending(TICK):
                self.sched.cancel(ev["id"])
            for pid in self.people:
                doc = self.table.get(pid)
                if doc is None:
                    continue
                if doc.get("next_at") is not None:
                    heapq.heappush(self.heap, (doc["next_at"], self.rank[pid], pid))
                doing = doc.get("doing")
                if doing and doing["kind"] == "review":
                    self.claimed.add(doing["ti"])
            poll = self.meta.get("poll")
            if poll is not None:
                heapq.heappush(self.heap, (poll["next_at"], len(self.people), POLL))
            self._arm()

    def stop(self) -> None:
        with self.store.lock:
            if self.tick_event is not None:
                self.sched.cancel(self.tick_event)
            self._reset_memory()

    # -- the clock ------------------------------------------------------------------------------------
    def _stale(self, entry) -> bool:
        t, _, pid = entry
        doc = self.meta.get("poll") if pid == POLL else self.table.get(pid)
        return doc is None or doc.get("next_at") != t

    def _arm(self) -> None:
        """Keep exactly one ``sim.tick`` scheduler event, at the earliest pending wake-up."""
        heap = self.heap
        while heap and self._stale(heap[0]):
            heapq.heappop(heap)
        due = heap[0][0] if heap else None
        if self.tick_event is not None:
            if due == self.tick_due:
                return
            self.sched.cancel(self.tick_event)
            self.tick_event = None
        if due is not None:
            self.tick_event = self.sched.at(due, TICK, {})
            self.tick_due = due

    def on_tick(self) -> None:
        self.tick_event = None
        bound = self.world.clock.now()
        other = self.sched.next_due()  # the next foreign event: do not run past it
        if other is not None and other < bound:
            bound = other
        self.drain(bound)
        self._arm()

    def drain(self, bound: float) -> int:
        """Run every wake-up due at or before ``bound``, in (time, person) order."""
        ran = 0
        heap, people, table = self.heap, self.people, self.table
        with self.store.lock:
            try:
                ran = self._drain(bound, heap, people, table)
            finally:
                self._flush()
        return ran

    def _drain(self, bound, heap, people, table) -> int:
        ran = 0
        while heap and heap[0][0] <= bound:
            t, _, pid = heapq.heappop(heap)
            if pid == POLL:
                poll = self.meta.get("poll")
                if poll is not None and poll["next_at"] == t:
                    with core.at(t):
                        self._poll(t)
                continue
            doc = table.get(pid)
            if doc is None or doc["next_at"] != t:
                continue
            token = core.enter_time(t)  # core.at(t), without a context manager per event
            try:
                self._wake(people[pid], doc, t)
            finally:
                core.leave_time(token)
            ran += 1
            self.events += 1
            self.last_event_at = t
            if self.on_progress is not None and self.events % self.progress_every == 0:
                self._flush()
                self.on_progress(self)
        return ran

    def _set(self, pid: str, next_at: float | None, doing: dict | None, **counters) -> None:
        fields = {"next_at": next_at, "doing": doing, **counters}
        self.table.update(pid, fields)
        if next_at is not None:
            heapq.heappush(self.heap, (next_at, self.rank[pid], pid))

    def _wake_idle(self, pids, t: float) -> None:
        for pid in pids:
            if pid in self.people:
                doc = self.table.get(pid)
                if doc is not None and doc["next_at"] is None:
                    self._set(pid, t, None)

    def _poll(self, t: float) -> None:
        nxt = t + self.poll_seconds
        self.meta.update("poll", {"next_at": nxt})
        heapq.heappush(self.heap, (nxt, len(self.people), POLL))
        for pid in self.people:
            doc = self.table.get(pid)
            if doc is not None and doc["next_at"] is None and self._has_work(pid):
                self._set(pid, t, None)

    def quiescent(self) -> bool:
        """Nobody has anything pending (only the poll is left)."""
        return all(doc.get("next_at") is None for doc in (self.table.get(p) for p in self.people) if doc)

    # -- one person's step ----------------------------------------------------------------------------
    def _wake(self, person: Person, doc: dict, t: float) -> None:
        counters = {}
        doing = doc["doing"]
        if doing is not None:
            counter = self._finish(person, doing, t)
            if counter:
                counters[counter] = doc.get(counter, 0) + 1
        start = person.schedule.next_working(t)
        if start is None:
            self._set(person.id, None, None, **counters)
            return
        if start > t:
            self._set(person.id, start, None, **counters)
            return
        job = self._next_job(person.id)
        if job is None:
            self._set(person.id, None, None, **counters)
            return
        speed = person.review_speed if job["kind"] != "label" else person.speed
        duration = speed.sample(rng_for(self.seed, "time", person.id, job["task"], job["item"], job["attempt"],
                                        job["kind"]))
        end = person.schedule.add_working(t, duration)
        self._set(person.id, end, job if end is not None else None, **counters)

    def _next_job(self, pid: str) -> dict | None:
        works = R.work(self.store)
        urgent = self.urgent.get(pid)
        while urgent:
            task_id, wid = urgent.popleft()
            w = works.get(wid)
            if w is not None and w["queue"] == f"{task_id}{R.SEP}{pid}":
                job = self._label_job(task_id, w)
                if job is not None:
                    return job
        tasks = R.tasks(self.store).all()
        for task in tasks:
            if task["status"] in CLOSED or pid not in task["review"]["reviewers"]:
                continue
            job = self._from_cursor(pid, task, "review")
            if job is not None:
                return job
        for task in tasks:
            if task["status"] in CLOSED:
                continue
            job = self._from_cursor(pid, task, "label")
            if job is not None:
                return job
        for task_id, cfg in self.acceptance.items():
            if cfg["checker"] == pid:
                job = self._acceptance_job(pid, task_id, cfg)
                if job is not None:
                    return job
        return None

    def _has_work(self, pid: str) -> bool:
        if self.urgent.get(pid):
            return True
        works, tis = R.work(self.store), R.task_items(self.store)
        for task in R.tasks(self.store).all():
            if task["status"] in CLOSED:
                continue
            tid = task["id"]
            if works.count(queue=f"{tid}{R.SEP}{pid}"):
                return True
            if pid in task["review"]["reviewers"] and tis.count(tstate=f"{tid}{R.SEP}awaiting_review"):
                return True
        for task_id, cfg in self.acceptance.items():
            if cfg["checker"] == pid and self._acceptance_ready(task_id):
                return True
        return False

    # -- labeling ---------------------------------------------------------------------------------------
    def _label_job(self, task_id: str, w: dict) -> dict | None:
        ti = R.task_items(self.store).get(w["ti"])
        if ti is None:
            return None
        attempt = sum(1 for r in ti.get("reviews") or () if r["decision"] == "changes_requested")
        job = {"kind": "label", "task": task_id, "item": w["item_id"], "source": w["source"], "ti": w["ti"],
               "attempt": attempt}
        if not self.fast and w["state"] == "assigned":
            try:
                core.start_work(self.store, task_id, w["item_id"], w["worker"], source=w["source"])
            except CoreError:
                return None
        return job

    def _from_cursor(self, pid: str, task: dict, kind: str) -> dict | None:
        tid = task["id"]
        if kind == "label":
            coll, key_value, field = R.work(self.store), f"{tid}{R.SEP}{pid}", "queue"
        else:
            coll, key_value, field = R.task_items(self.store), f"{tid}{R.SEP}awaiting_review", "tstate"
        if not _open(coll, field, key_value):
            return None
        key = (pid, tid, kind)
        cur = self.cursors.get(key)
        refreshed = False
        while True:
            if not cur:
                if refreshed:
                    return None
                ids = coll.ids(**{field: key_value})
                ids.sort(key=lambda i: coll.get(i)["seq"])
                cur = self.cursors[key] = deque(ids)
                refreshed = True
                if not cur:
                    return None
            ident = cur.popleft()
            doc = coll.get(ident)
            if doc is None or doc.get(field) != key_value:
                continue
            if kind == "label":
                job = self._label_job(tid, doc)
                if job is not None:
                    return job
            elif pid not in (doc.get("approvals") or ()) and ident not in self.claimed:
                self.claimed.add(ident)
                return {"kind": "review", "task": tid, "item": doc["item_id"], "source": doc["source"],
                        "ti": ident, "attempt": len(doc.get("reviews") or ())}

    def _finish(self, person: Person, job: dict, t: float) -> str | None:
        kind = job["kind"]
        try:
            if kind == "label":
                return self._finish_label(person, job, t)
            if kind == "review":
                return self._finish_review(person, job, t)
            return self._finish_check(person, job)
        except CoreError:
            return None  # the world changed under the person (task deleted, item settled...): move on
        finally:
            if kind == "review":
                self.claimed.discard(job["ti"])

    def _finish_label(self, person: Person, job: dict, t: float) -> str | None:
        task = R.tasks(self.store).get(job["task"])
        if task is None:
            return None
        rng = rng_for(self.seed, "label", person.id, job["task"], job["item"], job["attempt"])
        if person.skip_rate and rng.random() < person.skip_rate:
            core.skip_work(self.store, job["task"], job["item"], person.id, source=job["source"])
            return "skipped"
        truth = self.truth(task, job["source"], job["item"])
        labels = person.label(truth, self.labels_of(task, truth), rng)
        ledger = self.ledgers.get(job["task"])
        if ledger is None:
            ledger = self.ledgers[job["task"]] = Ledger(self.store, task)
        ti = R.task_items(self.store).get(job["ti"])
        work = R.work(self.store).get(R.work_id(job["ti"], person.id)) if ti is not None else None
        if work is not None and ti["task_id"] == task["id"]:
            submit_found(self.store, task, ti, work, labels, ledger)  # the documents are at hand
        else:  # let the core look them up (and refuse with its usual error)
            submit_live(self.store, job["task"], job["item"], person.id, labels, source=job["source"],
                        ledger=ledger)
        reviewers = task["review"]["reviewers"]
        if reviewers:
            ti = R.task_items(self.store).get(job["ti"])
            if ti is not None and ti["state"] == "awaiting_review":
                self._wake_idle(reviewers, t)
        return "labeled"

    def _finish_review(self, person: Person, job: dict, t: float) -> str | None:
        tis, works = R.task_items(self.store), R.work(self.store)
        ti = tis.get(job["ti"])
        task = R.tasks(self.store).get(job["task"])
        if ti is None or task is None or ti["state"] != "awaiting_review" or person.id in (ti.get("approvals") or ()):
            return None
        subs = [w for w in works.find(ti=job["ti"]) if w["state"] == "submitted"]
        if not subs:
            return None
        correct = self.judge(task, ti, subs)
        decision = person.review(correct, rng_for(self.seed, "review", person.id, job["task"], job["item"],
                                                  job["attempt"]))
        core.review_item(self.store, job["task"], job["item"], person.id, decision, source=job["source"])
        if decision == "request_changes":
            for w in subs:
                if w["worker"] in self.people:
                    self.urgent[w["worker"]].append((job["task"], w["id"]))
                    self._wake_idle([w["worker"]], t)
        return "reviewed"

    # -- acceptance (ModelArts-style sampling check by a simulated owner) -------------------------------
    def _acceptance_ready(self, task_id: str) -> bool:
        self._flush()  # reads the statistics
        task = R.tasks(self.store).get(task_id)
        if task is None:
            return False
        if task.get("acceptance_id"):
            acc = R.acceptances(self.store).get(task["acceptance_id"])
            return acc is not None and acc["status"] == "running" and self.meta.get(f"acceptance|{task_id}") is not None
        if task["status"] in CLOSED or self.meta.get(f"acceptance|{task_id}") is not None:
            return False
        stats = R.stats(self.store).get(task_id) or {}
        states = stats.get("states") or {}
        total = stats.get("total", 0)
        return bool(total) and sum(states.get(s, 0) for s in SETTLED) == total and states.get("approved", 0) > 0

    def _acceptance_job(self, pid: str, task_id: str, cfg: dict) -> dict | None:
        if not self._acceptance_ready(task_id):
            return None
        task = R.tasks(self.store).get(task_id)
        if not task.get("acceptance_id"):
            acc = core.start_acceptance(self.store, task_id, rate=cfg.get("rate"))
            self.meta.upsert({"id": f"acceptance|{task_id}", "acceptance_id": acc["id"]})
            task = R.tasks(self.store).get(task_id)
        acc = R.acceptances(self.store).get(task["acceptance_id"])
        tis = R.task_items(self.store)
        for ti_id in acc["samples"]:
            ti = tis.get(ti_id)
            rec = (ti or {}).get("acceptance") or {}
            if ti is not None and not rec.get("verdicts") and ti_id not in self.claimed:
                self.claimed.add(ti_id)
                return {"kind": "check", "task": task_id, "item": ti["item_id"], "source": ti["source"],
                        "ti": ti_id, "attempt": 0, "acceptance": acc["id"]}
        # Everything sampled is checked: conclude.
        rep = core.report(self.store, acc["id"])
        passed = rep["pass_rate"] >= cfg.get("pass_rate", 0.9)
        core.act(self.store, acc["id"], 4 if passed else 1)
        return None

    def _finish_check(self, person: Person, job: dict) -> str | None:
        self.claimed.discard(job["ti"])
        tis, works = R.task_items(self.store), R.work(self.store)
        ti, task = tis.get(job["ti"]), R.tasks(self.store).get(job["task"])
        if ti is None or task is None:
            return None
        subs = [w for w in works.find(ti=job["ti"]) if w["state"] == "submitted"]
        correct = self.judge(task, ti, subs) if subs else False
        accept = person.review(correct, rng_for(self.seed, "check", person.id, job["task"], job["item"])) == "approve"
        core.comment(self.store, job["acceptance"], job["item"], None, accept, score="A" if accept else "D",
                     source=job["source"])
        return "checked"

    # -- ground truth -----------------------------------------------------------------------------------
    def truth(self, task: dict, source: str, item_id: str) -> list[dict]:
        item = R.items(self.store).get(R.item_key(source, item_id))
        gt = (item or {}).get("ground_truth")
        if gt:
            return gt
        # No ground truth (an input a client uploaded): a latent truth, the same for every person.
        labels = self.labels_of(task, [])
        rng = rng_for(self.seed, "latent", source, item_id)
        concept = labels[int(rng.random() * len(labels))]
        if task.get("kind") in ("detection", "polygon", "segmentation"):
            x0, y0 = rng.uniform(0, 480), rng.uniform(0, 320)
            x1, y1 = x0 + rng.uniform(40, 160), y0 + rng.uniform(40, 160)
            if task["kind"] == "detection":
                return [{"concept": concept, "box": [round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)]}]
            return [{"concept": concept, "polygon": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]}]
        return [{"concept": concept}]

    def labels_of(self, task: dict, truth: list[dict]) -> list[str]:
        """The concepts a person chooses among: the scenario's, the task's, or the truth's."""
        labels = self.task_labels.get(task["id"])
        if not labels:
            meta = task.get("meta") or {}
            raw = meta.get("labels") or meta.get("concepts") or []
            labels = [c if isinstance(c, str) else (c.get("id") or c.get("name")) for c in raw
                      if isinstance(c, (str, dict))]
            labels = [c for c in labels if c] or self.default_labels or ["positive", "negative"]
        extra = [t["concept"] for t in truth if t["concept"] not in labels]
        return labels + extra if extra else labels

    def judge(self, task: dict, ti: dict, subs: list[dict]) -> bool:
        """Is the item's leading answer (its largest agreeing group; ties: the first by worker id) right?"""
        kind, iou = task.get("kind", "classification"), task.get("iou_threshold", 0.5)
        subs = sorted(subs, key=lambda w: w["worker"])  # ties go to the first worker id, whatever the order given
        group = core.consensus_group(kind, [(w["worker"], w.get("labels") or []) for w in subs], iou)
        lead = next(w for w in subs if w["worker"] == group[0]).get("labels") or []
        return core.labels_agree(kind, lead, self.truth(task, ti["source"], ti["item_id"]), iou)
