"""Benchmark: simulate 100k items x 3 workers with consensus and review, to completion, headless.

    python bench/bench_simulation.py [--items N] [--profile]

Prints the wall time (setup: generating items and creating the task; run: the events), events per
second, peak memory (tracemalloc peak of Python allocations, and the process's max RSS) and the
memory per stored item: what the finished world holds (tracemalloc: its Python allocations; RSS:
the resident growth from before the setup) divided by the items, and by the stored documents.
``--profile`` prints the top
functions by own time and the share of the run spent inside the core.
"""
from __future__ import annotations

import argparse
import pathlib
import resource
import sys
import time
import tracemalloc

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mockserver.simulation import Scenario  # noqa: E402
from mockserver.simulation.headless import run  # noqa: E402


def _rss() -> int:
    """The process's resident memory now, in bytes (0 where /proc is not there)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--no-tracemalloc", action="store_true", help="tracemalloc slows Python down; skip it")
    args = ap.parse_args()
    doc = yaml.safe_load((ROOT / "scenarios" / "large-100k.yaml").read_text())
    doc["sources"][0]["generate"]["count"] = args.items
    doc["workspace"] = {}  # only the simulation's own task
    scenario = Scenario.from_doc(doc, f"large ({args.items} items)")
    rss0 = _rss()
    if not args.no_tracemalloc:
        tracemalloc.start()
    prof = None
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    world, summary = run(scenario)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if prof is not None:
        prof.disable()
    held, peak = tracemalloc.get_traced_memory() if not args.no_tracemalloc else (None, None)
    grown = _rss() - rss0 if rss0 else None
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    task = next(t for t in summary["tasks"] if t["task"] == "large")
    run_s = wall - summary["setup_seconds"]
    print(f"items {args.items} x 3 workers, consensus 2 of 3, 2 reviewers: completed={summary['completed']}")
    print(f"wall {wall:.2f}s  (setup {summary['setup_seconds']:.2f}s, run {run_s:.2f}s); "
          f"CPU {cpu:.2f}s (differs from wall when the machine is shared)")
    print(f"events {summary['events']}  ->  {summary['events'] / run_s:.0f} events/s")
    print(f"settled {task['done']}/{task['items']}  consensus {task['consensus_rate']:.3f}  "
          f"accuracy {task['accuracy']:.3f}  reviews {task['reviews']}")
    print(f"virtual time {summary['virtual_start']} -> {summary['virtual_end']}")
    if peak is not None:
        print(f"peak traced memory {peak / 2**20:.0f} MiB")
    print(f"max RSS {rss_mb:.0f} MiB")
    def bytes_per(what: str, n: int) -> None:
        shares = [f"{total / n:.0f} {how}" for total, how in ((held, "traced"), (grown, "RSS growth"))
                  if total is not None]
        if shares:
            print(f"bytes per stored {what} (the finished world / {n} {what}s): {', '.join(shares)}")

    bytes_per("item", args.items)
    # Every stored document (items, task items, works, ...), and the index entries that come with them.
    bytes_per("document", sum(len(docs) for docs in world.store.db.storage.read().values()))
    if prof is not None:
        import pstats

        stats = pstats.Stats(prof)
        entry_points = {"session.py": ("submit", "review", "flush"),  # the simulation's fast path
                        "tasks.py": ("create_task",), "items.py": ("add_items",), "work.py": ("skip_work",),
                        "acceptance.py": ("start_acceptance",)}
        core_time = sum(v[3] for k, v in stats.stats.items()
                        if "/mockserver/core/" in k[0] and k[2] in entry_points.get(pathlib.Path(k[0]).name, ()))
        print(f"time inside core entry points (cumulative): {core_time:.1f}s of {wall:.1f}s")
        stats.sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
