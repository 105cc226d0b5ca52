"""Cost of the labeling core's hot paths as tasks grow (run: python bench/bench_core.py).

Prints the time to plan 100k items over 50 weighted workers (3 per item), then per task size
(1k, 10k, 100k items; 50 weighted workers, 3 per item, consensus review):

* ``add s`` / ``create s``: ``add_items`` of the items, then ``create_task`` assigning them all;
* ``submit us``: one labeling event (``submit_work`` on a random assignment of a distinct item;
  1000 events, 500 at 1k items);
* ``review us``: one review decision (``review_item`` on an item awaiting review, as many);
* ``stats us``: ``task_stats`` read again and again (nothing changed in between);
* ``stats+ us``: ``task_stats`` read right after an event (nothing to reuse);

with the ratio to 1k for the per-event figures (should stay near 1: no path scans the task's items),
and, when the core has them, the per-entry cost of ``submit_many`` / ``review_many`` in batches.

Before/after on one machine: extract an older core next to this one and point ``--root`` at it,
e.g. ``git archive <commit> mockserver | tar -x -C /tmp/old && python bench/bench_core.py --root /tmp/old``
(this file then measures that tree's ``mockserver``; calls it lacks are skipped).
``--cpu`` measures process CPU time instead of wall time (steadier on a busy machine).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
WORKERS = [f"w{i:02d}" for i in range(50)]
WEIGHTS = {w: random.Random(i).randint(1, 100) for i, w in enumerate(WORKERS)}
SIZES = (1_000, 10_000, 100_000)
SAMPLES = 1000
clock = time.perf_counter
core = None


def bench_assign(n=100_000) -> float:
    a = core.Assigner(WORKERS, mode="weighted", workers_per_input=3, weights=WEIGHTS, seed=1)
    t = clock()
    for i in range(n):
        a.assign(str(i))
    return clock() - t


def build(store, n: int, task_id: str = "t") -> tuple[float, float]:
    source = f"bench:{n}"
    t = clock()
    core.add_items(store, source, [{"id": f"i{i}", "data": {}} for i in range(n)])
    add = clock() - t
    t = clock()
    core.create_task(store, {"id": task_id, "sources": [source], "workers": WORKERS,
                             "assignment": {"mode": "weighted", "workers_per_input": 3, "weights": WEIGHTS},
                             "review": {"strategy": "consensus", "reviewers": ["r"],
                                        "approval_threshold_labelers": 2}})
    return add, clock() - t


def per_call(fn, args_list) -> float:
    t = clock()
    for args in args_list:
        fn(*args)
    return (clock() - t) / max(1, len(args_list))


def bench_size(n: int) -> dict:
    from mockserver.store import Store
    store = Store()
    add, create = build(store, n)
    rng = random.Random(0)
    samples = min(SAMPLES, n // 2)
    picked = rng.sample(range(n), 2 * samples)
    one, full = [f"i{i}" for i in picked[:samples]], [f"i{i}" for i in picked[samples:]]
    workers_of = {item: [w["worker"] for w in core.list_work(store, "t", item)] for item in one + full}
    # One submit on each of SAMPLES distinct items (a real labeling event each time).
    first = {item: rng.choice(workers_of[item]) for item in one}
    submit = per_call(core.submit_work, [(store, "t", item, first[item], [{"concept": rng.choice("ab")}])
                                         for item in one])
    t = clock()
    for _ in range(SAMPLES):
        core.task_stats(store, "t")
    stats = (clock() - t) / SAMPLES
    # Items where the three workers disagree wait for review; then one decision each.
    for item in full:
        for concept, worker in zip("abc", workers_of[item]):
            core.submit_work(store, "t", item, worker, [{"concept": concept}])
    review = per_call(core.review_item, [(store, "t", item, "r", rng.choice(["approve", "reject"])) for item in full])
    # A stats read right after an event (no cached view to reuse).
    fresh, spent = one[:200], 0.0
    for item in fresh:  # a second worker labels the item
        worker = next(w for w in workers_of[item] if w != first[item])
        core.submit_work(store, "t", item, worker, [{"concept": "a"}])
        t = clock()
        core.task_stats(store, "t")
        spent += clock() - t
    out = {"add": add, "create": create, "submit": submit, "review": review, "stats": stats,
           "stats_after": spent / len(fresh)}
    if hasattr(core, "submit_many"):
        store2 = Store()
        build(store2, n)
        rng2 = random.Random(1)
        subs = [(item, w, [{"concept": rng2.choice("abc")}]) for item in full for w in
                [x["worker"] for x in core.list_work(store2, "t", item)]]
        rng2.shuffle(subs)  # interleaved items, like workers labeling in parallel
        batches = [subs[j:j + 500] for j in range(0, len(subs), 500)]
        out["submit_many"] = per_call(core.submit_many, [(store2, "t", b) for b in batches]) * len(batches) / len(subs)
        waiting = [ti["item_id"] for ti in core.list_task_items(store2, "t", state="awaiting_review")]
        reviews = [(item, "r", rng2.choice(["approve", "reject"])) for item in waiting]
        batches = [reviews[j:j + 500] for j in range(0, len(reviews), 500)]
        out["review_many"] = (per_call(core.review_many, [(store2, "t", b) for b in batches]) * len(batches)
                              / max(1, len(reviews)))
    return out


def main() -> None:
    global core, clock
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=HERE, help="directory holding the mockserver package to measure")
    parser.add_argument("--cpu", action="store_true", help="process CPU time instead of wall time")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated task sizes")
    args = parser.parse_args()
    sys.path.insert(0, os.path.abspath(args.root))
    import mockserver.core as imported  # noqa: E402
    core = imported
    if args.cpu:
        clock = time.process_time
    print(f"core: {os.path.dirname(core.__file__)}  clock: {'cpu' if args.cpu else 'wall'}")
    secs = bench_assign()
    print(f"assign 100k items x 50 weighted workers x 3 per item: {secs:.2f} s "
          f"({secs / 100_000 * 1e6:.1f} us/item)\n")
    head = (f"{'items':>7} | {'add s':>6} | {'create s':>8} | {'submit us':>9} | {'ratio':>5} | {'review us':>9} | "
            f"{'ratio':>5} | {'stats us':>8} | {'ratio':>5} | {'stats+ us':>9}")
    print(head)
    print("-" * len(head))
    base, bulk = None, []
    for n in (int(x) for x in args.sizes.split(",")):
        r = bench_size(n)
        base = base or r
        print(f"{n:>7} | {r['add']:>6.2f} | {r['create']:>8.2f} | {r['submit'] * 1e6:>9.1f} | "
              f"{r['submit'] / base['submit']:>5.2f} | {r['review'] * 1e6:>9.1f} | {r['review'] / base['review']:>5.2f} | "
              f"{r['stats'] * 1e6:>8.1f} | {r['stats'] / base['stats']:>5.2f} | {r['stats_after'] * 1e6:>9.1f}")
        if "submit_many" in r:
            bulk.append((n, r))
    if bulk:
        print("\nbulk calls, per entry (batches of 500):")
        for n, r in bulk:
            print(f"{n:>7} | submit_many {r['submit_many'] * 1e6:6.1f} us | review_many {r['review_many'] * 1e6:6.1f} us")


if __name__ == "__main__":
    main()
