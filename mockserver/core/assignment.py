"""Who labels which item: pure functions, no store.

FULL gives every item to every worker.  PARTITIONED (and DYNAMIC, planned the same way) gives each
item ``k = min(workers_per_input, n_workers)`` distinct workers.  A worker's target is the share of
*items* it should label, ``p_i``: proportional to its weight, scaled so the shares sum to ``k``,
and capped at 1 (a worker cannot label an item twice) with the excess poured over the others
(water-filling).  ``target_shares`` returns ``p_i / k``, the share of all assignments.

The plan is incremental so items that arrive later never reshuffle earlier ones: after ``m`` items
the ideal load of worker ``i`` is ``m * p_i``.  Each new item goes to the ``k`` eligible workers that
are most "due" (stride scheduling: smallest ``(load_i + 1/2) / p_i``, ties broken by a seeded rank).
The gap ``|m * p_i - load_i|`` stays bounded by a small constant (about one item), so every share
converges to its target at rate O(1/m) whatever the batch sizes, and an item costs O(k log n).  The whole state is ``{"m": int, "loads": {worker: int}}`` and lives in
the task document.
"""
from __future__ import annotations

import functools
import heapq
import random
from typing import Iterable, Mapping, Sequence

from .errors import InvalidArgument

STRATEGIES = ("full", "partitioned", "dynamic")
MODES = ("even", "weighted")


def item_shares(workers: Sequence[str], weights: Mapping[str, float] | None, k: int) -> dict[str, float]:
    """Fraction of items each worker should label (sums to ``min(k, n)``, each at most 1)."""
    workers = list(dict.fromkeys(workers))
    n = len(workers)
    if n == 0:
        return {}
    k = max(0, min(int(k), n))
    if weights:
        w = {}
        for name in workers:
            value = weights.get(name, 0)
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise InvalidArgument(f"weight of {name!r} is not a number") from None
            if value < 0:
                raise InvalidArgument(f"weight of {name!r} is negative")
            w[name] = value
    else:
        w = {name: 1.0 for name in workers}
    shares: dict[str, float] = {}
    free = list(workers)
    budget = float(k)
    # Water-filling: whoever would exceed 1 is capped, and the budget left is shared again.
    while free and budget > 1e-12:
        total = sum(w[x] for x in free)
        if total <= 0:  # only zero weights remain but slots must still be filled: share evenly
            proposal = {x: budget / len(free) for x in free}
        else:
            proposal = {x: budget * w[x] / total for x in free}
        over = [x for x in free if proposal[x] >= 1.0 - 1e-12]
        if not over:
            shares.update(proposal)
            free = []
            break
        for x in over:
            shares[x] = 1.0
            budget -= 1.0
        free = [x for x in free if x not in over]
    for x in workers:
        shares.setdefault(x, 0.0)
    return shares


def target_shares(workers: Sequence[str], weights: Mapping[str, float] | None, k: int) -> dict[str, float]:
    """Share of all assignments each worker should get (sums to 1); ``[9, 1]`` == ``[90, 10]``."""
    p = item_shares(workers, weights, k)
    total = sum(p.values())
    return {x: (v / total if total else 0.0) for x, v in p.items()}


def _shares(workers: tuple, weights: Mapping[str, float] | None, k: int) -> dict[str, float]:
    """``item_shares`` for an Assigner, kept per team, weights and k (an Assigner is built for every
    planning call, e.g. one per CloudFactory task submitted); each call gets its own dict.  Weights
    that cannot be a cache key (unsortable names, unhashable values) are computed, not kept."""
    key = None
    if weights:
        try:
            key = tuple(sorted(weights.items()))
            hash(key)
        except TypeError:
            return item_shares(workers, weights, k)
    return dict(_kept_shares(workers, key, k))


@functools.lru_cache(maxsize=1024)
def _kept_shares(workers: tuple, weights: tuple | None, k: int) -> tuple:
    return tuple(item_shares(workers, dict(weights) if weights else None, k).items())


@functools.lru_cache(maxsize=1024)
def _tie_order(workers: tuple, seed) -> tuple:
    """``workers`` shuffled by ``random.Random(seed)``: the same order for the same arguments, so it is
    computed once per task and team rather than per planning call (seeding a generator costs more than
    planning an item)."""
    order = list(workers)
    random.Random(seed).shuffle(order)
    return tuple(order)


class Assigner:
    """Incremental, seeded planner.  Build it from a task's settings and saved ``state()``."""

    def __init__(self, workers: Sequence[str], *, strategy: str = "partitioned", mode: str = "even",
                 workers_per_input: int = 1, weights: Mapping[str, float] | None = None, seed: int = 0,
                 state: Mapping | None = None):
        if strategy not in STRATEGIES:
            raise InvalidArgument(f"unknown assignment strategy {strategy!r}")
        if mode not in MODES:
            raise InvalidArgument(f"unknown partition mode {mode!r}")
        self.workers = list(dict.fromkeys(workers))
        self.strategy = strategy
        n = len(self.workers)
        k = n if strategy == "full" else max(1, int(workers_per_input or 1))
        self.k = min(k, n)
        self.p = _shares(tuple(self.workers), weights if mode == "weighted" else None, self.k)
        # A fixed seeded rank breaks exact ties, so equal workers take turns deterministically.
        self.rank = {w: i for i, w in enumerate(_tie_order(tuple(sorted(self.workers)), seed))}
        state = state or {}
        self.m = int(state.get("m", 0))
        loads = state.get("loads", {})
        self.loads = {w: int(loads.get(w, 0)) for w in self.workers}
        self._heap_cache: list | None = None

    def state(self) -> dict:
        """JSON-ready state to keep in the task document."""
        return {"m": self.m, "loads": dict(self.loads)}

    def _key(self, w: str) -> tuple:
        # Stride scheduling: the worker whose next label is most "due" relative to its share goes
        # first.  Keys only change when that worker's load changes, so a heap serves each item in
        # O(k log n); zero-share workers sort last and only fill slots nobody else can take.
        p = self.p[w]
        due = (self.loads[w] + 0.5) / p if p > 0 else float("inf")
        return (due, self.rank[w], w)

    def _heap(self) -> list:
        if self._heap_cache is None:
            self._heap_cache = [self._key(w) for w in self.workers]
            heapq.heapify(self._heap_cache)
        return self._heap_cache

    def _bump(self, w: str, delta: int) -> None:
        self.loads[w] += delta
        if self._heap_cache is not None:
            heapq.heappush(self._heap_cache, self._key(w))  # older entries for w become stale

    def _pick(self, need: int, exclude: Iterable[str]) -> list[str]:
        if need <= 0:
            return []
        if self.strategy == "full":
            if exclude:
                excluded = exclude if isinstance(exclude, (set, frozenset)) else set(exclude)
                chosen = [w for w in self.workers if w not in excluded][:need]
            else:  # a fresh item (every one of a new task): the first ``need`` workers
                chosen = self.workers[:need]
            for w in chosen:
                self._bump(w, 1)
            return chosen
        excluded = exclude if isinstance(exclude, (set, frozenset)) else set(exclude)
        heap = self._heap()
        # ``_key`` inlined (same arithmetic, so plans are unchanged): this runs for every item.
        loads, p, rank = self.loads, self.p, self.rank
        inf = float("inf")
        pop, push = heapq.heappop, heapq.heappush
        chosen: list[str] = []
        skipped: list[tuple] = []
        while heap and len(chosen) < need:
            entry = pop(heap)
            w = entry[2]
            pw = p[w]
            if entry[0] != ((loads[w] + 0.5) / pw if pw > 0 else inf):
                continue  # stale (rank and name never change, so the due figure decides)
            if w in excluded or w in chosen:
                skipped.append(entry)
                continue
            chosen.append(w)
        for entry in skipped:
            push(heap, entry)
        for w in chosen:
            load = loads[w] = loads[w] + 1
            pw = p[w]
            push(heap, ((load + 0.5) / pw if pw > 0 else inf, rank[w], w))
        if len(heap) > 4 * len(self.workers) + 64:  # drop stale entries now and then
            self._heap_cache = None
        return chosen

    def assign(self, item_id: str | None = None, *, existing: Iterable[str] = (), exclude: Iterable[str] = (),
               need: int | None = None) -> list[str]:
        """Plan one new item: returns the workers chosen for it (distinct, best deficit first).

        ``existing`` are workers already on the item (kept work when re-planning): they count in the
        loads and are not chosen again.  ``need`` defaults to ``k - len(existing)``.
        """
        self.m += 1
        if not existing and not exclude:  # the common case: a fresh item
            return self._pick(self.k if need is None else need, ())
        existing = [w for w in existing if w in self.loads]
        for w in existing:
            self._bump(w, 1)
        if need is None:
            need = self.k - len(existing)
        return self._pick(need, set(existing) | set(exclude))

    @property
    def takes_all(self) -> bool:
        """Whether every worker takes every fresh item (``k`` is the number of workers)."""
        return self.k == len(self.workers)

    def assign_all(self, n: int) -> None:
        """Plan ``n`` fresh items when every worker takes every one (``takes_all``): the state that ``n``
        ``assign`` calls leave, in O(workers) (each of them would choose every worker)."""
        if not self.takes_all:
            raise ValueError("assign_all needs every worker on every item")
        self.m += n
        for w in self.workers:
            self.loads[w] += n
        self._heap_cache = None

    def replace(self, leaving: str | None, exclude: Iterable[str]) -> str | None:
        """A worker gave an item back: release its load and pick one eligible replacement."""
        if leaving in self.loads and self.loads[leaving] > 0:
            self._bump(leaving, -1)
        picked = self._pick(1, exclude)
        return picked[0] if picked else None

    def release(self, workers: Iterable[str], item: bool = True) -> None:
        """An item left the task: forget it and the loads its workers carried for it."""
        if item and self.m > 0:
            self.m -= 1
        for w in workers:
            if self.loads.get(w, 0) > 0:
                self._bump(w, -1)
