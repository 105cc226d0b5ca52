"""Cost of the labeling core's hot paths as tasks grow (run: python bench/bench_core.py).

Prints: time to plan 100k items over 50 weighted workers (3 per item), and the cost of one labeling
event (submit) and of one statistics read at 1k, 10k and 100k items, with the ratio to 1k (should
stay near 1: neither path scans the task's items).
"""
from __future__ import annotations

import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mockserver.core as core  # noqa: E402
from mockserver.core import Assigner  # noqa: E402
from mockserver.store import Store  # noqa: E402

WORKERS = [f"w{i:02d}" for i in range(50)]
WEIGHTS = {w: random.Random(i).randint(1, 100) for i, w in enumerate(WORKERS)}


def bench_assign(n=100_000) -> float:
    a = Assigner(WORKERS, mode="weighted", workers_per_input=3, weights=WEIGHTS, seed=1)
    t = time.perf_counter()
    for i in range(n):
        a.assign(str(i))
    return time.perf_counter() - t


def build(n: int) -> Store:
    store = Store()
    source = f"bench:{n}"
    core.add_items(store, source, [{"id": f"i{i}", "data": {}} for i in range(n)])
    core.create_task(store, {"id": "t", "sources": [source], "workers": WORKERS,
                             "assignment": {"mode": "weighted", "workers_per_input": 3, "weights": WEIGHTS},
                             "review": {"strategy": "consensus", "reviewers": ["r"], "approval_threshold_labelers": 2}})
    return store


def bench_events(n: int, samples: int = 1000) -> tuple[float, float, float]:
    t0 = time.perf_counter()
    store = build(n)
    setup = time.perf_counter() - t0
    rng = random.Random(0)
    events = []
    for index in rng.sample(range(n), samples):  # distinct items: every submit is a real labeling event
        item = f"i{index}"
        work = core.list_work(store, "t", item)
        events.append((item, work[rng.randrange(len(work))]["worker"]))
    t = time.perf_counter()
    for item, worker in events:
        core.submit_work(store, "t", item, worker, [{"concept": rng.choice("ab")}])
    submit = (time.perf_counter() - t) / samples
    t = time.perf_counter()
    for _ in range(samples):
        core.task_stats(store, "t")
    read = (time.perf_counter() - t) / samples
    return setup, submit, read


def main() -> None:
    secs = bench_assign()
    print(f"assign 100k items x 50 weighted workers x 3 per item: {secs:.2f} s "
          f"({secs / 100_000 * 1e6:.1f} us/item)\n")
    print(f"{'items':>8} | {'setup s':>8} | {'submit us':>10} | {'ratio':>6} | {'stats read us':>13} | {'ratio':>6}")
    print("-" * 66)
    base = None
    for n in (1_000, 10_000, 100_000):
        setup, submit, read = bench_events(n)
        if base is None:
            base = (submit, read)
        print(f"{n:>8} | {setup:>8.2f} | {submit * 1e6:>10.1f} | {submit / base[0]:>6.2f} | {read * 1e6:>13.1f} | "
              f"{read / base[1]:>6.2f}")


if __name__ == "__main__":
    main()
