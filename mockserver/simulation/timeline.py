"""When each simulated person acts next: a heap of wake-ups behind ONE scheduler event.

A person has at most one pending wake-up, persisted in ``sim_people`` (``next_at``, ``doing``,
counters) so ``GET /_mock/state`` shows who does what and a state import or ``--data`` restart
resumes; the heap is its in-memory index, rebuilt by ``resume``.  A heap entry whose time is no
longer the person's ``next_at`` is stale and skipped.  Besides the people, a poll (``POLL``, every
``poll_seconds`` of virtual time, persisted in ``sim_meta``) wakes idle people who have work again.

Exactly one ``sim.tick`` scheduler event is kept, at the earliest pending wake-up (``arm``).
Costs: ``set``/``push`` O(log heap); ``arm`` O(stale entries at the top); ``poll`` O(people x tasks).
"""
from __future__ import annotations

import heapq

TICK = "sim.tick"
PEOPLE = "sim_people"
META = "sim_meta"
POLL = "\x7fpoll"  # sorts after every person id at equal times


class Timeline:
    def __init__(self, store, sched, people, poll_seconds: float, poll_rank: int | None = None):
        """``poll_rank``: how many of ``people`` (the scenario's) rank before the poll at equal times; the
        rest (a crew enlisted at run time, see ``crew``) rank after it, in their order."""
        self.sched = sched
        self.people = people
        self.poll_rank = len(people) if poll_rank is None else poll_rank
        self.rank = {pid: i if i < self.poll_rank else i + 1 for i, pid in enumerate(people)}
        self.poll_seconds = poll_seconds
        # A store keeps its collection objects for its whole life: looked up once.
        self.table = store.table(PEOPLE)
        self.meta = store.table(META)
        self.heap: list[tuple[float, int, str]] = []
        self.tick_event: str | None = None
        self.tick_due: float | None = None

    # -- start, resume, stop ---------------------------------------------------------------------------
    def start(self, t0: float) -> None:
        """Everyone looks for work at ``t0``; the first poll one period later."""
        for pid in self.people:
            self.table.upsert({"id": pid, "next_at": t0, "doing": None, "labeled": 0, "skipped": 0,
                               "reviewed": 0, "checked": 0})
            heapq.heappush(self.heap, (t0, self.rank[pid], pid))
        if self.people:
            self.meta.upsert({"id": "poll", "next_at": t0 + self.poll_seconds})
            heapq.heappush(self.heap, (t0 + self.poll_seconds, self.poll_rank, POLL))

    def resume(self) -> list[dict]:
        """Rebuild the heap from the stored state; returns what people were doing (their ``doing``)."""
        for ev in self.sched.pending(TICK):
            self.sched.cancel(ev["id"])
        doing = []
        for pid in self.people:
            doc = self.table.get(pid)
            if doc is None:
                continue
            if doc.get("next_at") is not None:
                heapq.heappush(self.heap, (doc["next_at"], self.rank[pid], pid))
            if doc.get("doing"):
                doing.append(doc["doing"])
        poll = self.meta.get("poll")
        if poll is not None:
            heapq.heappush(self.heap, (poll["next_at"], self.poll_rank, POLL))
        return doing

    def add(self, pid: str, t: float) -> None:
        """A person joins at run time (``people`` holds them already): they look for work at ``t``; the poll
        starts if it was not running (a simulation without people has none)."""
        self.rank[pid] = len(self.rank) + 1
        self.table.upsert({"id": pid, "next_at": t, "doing": None, "labeled": 0, "skipped": 0, "reviewed": 0,
                           "checked": 0})
        heapq.heappush(self.heap, (t, self.rank[pid], pid))
        if self.meta.get("poll") is None:
            self.meta.upsert({"id": "poll", "next_at": t + self.poll_seconds})
            heapq.heappush(self.heap, (t + self.poll_seconds, self.poll_rank, POLL))

    def cancel(self) -> None:
        if self.tick_event is not None:
            self.sched.cancel(self.tick_event)
            self.tick_event = None

    # -- wake-ups --------------------------------------------------------------------------------------
    def set(self, pid: str, next_at: float | None, doing: dict | None, counter: str | None = None,
            count: int = 0) -> None:
        """Store the person's next wake-up (None: idle), what they are doing until then, and the new
        value ``count`` of the counter named ``counter`` (None: no counter moved)."""
        fields = {"next_at": next_at, "doing": doing}
        if counter:
            fields[counter] = count
        self.table.update(pid, fields)
        if next_at is not None:
            heapq.heappush(self.heap, (next_at, self.rank[pid], pid))

    def wake_idle(self, pids, t: float) -> None:
        """Wake those of ``pids`` who are simulated and idle, at ``t``."""
        table = self.table
        for pid in pids:
            if pid in self.rank:
                doc = table.get(pid)
                if doc is not None and doc["next_at"] is None:
                    self.set(pid, t, None)

    def poll(self, t: float, has_work) -> None:
        """The periodic poll at ``t``: idle people for whom ``has_work(pid)`` wake now."""
        nxt = t + self.poll_seconds
        self.meta.update("poll", {"next_at": nxt})
        heapq.heappush(self.heap, (nxt, self.poll_rank, POLL))
        for pid in self.people:
            doc = self.table.get(pid)
            if doc is not None and doc["next_at"] is None and has_work(pid):
                self.set(pid, t, None)

    def poll_due(self, t: float) -> bool:
        poll = self.meta.get("poll")
        return poll is not None and poll["next_at"] == t

    def quiescent(self) -> bool:
        """Nobody has anything pending (only the poll is left)."""
        return all(doc.get("next_at") is None for doc in map(self.table.get, self.people) if doc)

    # -- the one scheduler event -----------------------------------------------------------------------
    def _stale(self, entry) -> bool:
        t, _, pid = entry
        doc = self.meta.get("poll") if pid == POLL else self.table.get(pid)
        return doc is None or doc.get("next_at") != t

    def arm(self) -> None:
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
