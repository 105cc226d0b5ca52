"""Store cost as data grows: one read, one write, one filtered list at 1k, 10k and 100k documents.

Side by side with stock TinyDB (MemoryStorage, Query scan) as the baseline, in the same run.
Run: python bench/bench_store.py [--sizes 1000,10000,100000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinydb import Query, TinyDB  # noqa: E402
from tinydb.storages import MemoryStorage  # noqa: E402

from mockserver.store import Store  # noqa: E402

TENANTS = 50


def doc(i: int) -> dict:
    return {"id": f"item-{i:07d}", "tenant": f"app-{i % TENANTS}", "state": "unlabeled", "labels": [], "n": i}


def per_op(fn, repeat: int) -> float:
    """Median microseconds per call over 5 rounds."""
    rounds = []
    for _ in range(5):
        t0 = time.perf_counter()
        for k in range(repeat):
            fn(k)
        rounds.append((time.perf_counter() - t0) / repeat * 1e6)
    return statistics.median(rounds)


def ours(n: int) -> dict:
    store = Store()
    coll = store.table("items", indexes=("tenant",))
    for i in range(n):
        coll.insert(doc(i))
    ids = [f"item-{(k * 7919) % n:07d}" for k in range(1000)]
    return {
        "read": per_op(lambda k: coll.get(ids[k % 1000]), 1000),
        "write": per_op(lambda k: coll.update(ids[k % 1000], {"state": "labeled", "n": k}), 1000),
        "list": per_op(lambda k: coll.find(tenant=f"app-{k % TENANTS}", limit=20), 1000),
    }


def stock(n: int) -> dict:
    db = TinyDB(storage=MemoryStorage)
    table = db.table("items")
    table.insert_multiple(doc(i) for i in range(n))
    q = Query()

    def search(k):
        table.clear_cache()  # TinyDB caches query results; a real server's data changes between requests
        return table.search(q.tenant == f"app-{k % TENANTS}")[:20]

    repeat = 20 if n >= 100_000 else 100
    return {
        "read": per_op(lambda k: table.get(q.id == f"item-{(k * 7919) % n:07d}"), repeat),
        "write": per_op(lambda k: table.update({"state": "labeled"}, doc_ids=[(k * 7919) % n + 1]), repeat),
        "list": per_op(search, max(5, repeat // 4)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for n in sizes:
        rows.append((n, ours(n), stock(n)))
    base = rows[0][1]
    print(f"{'docs':>8} | {'op':5} | {'ours µs':>9} | {'x vs first size':>15} | {'stock TinyDB µs':>15} | {'stock/ours':>10}")
    print("-" * 78)
    for n, o, s in rows:
        for op in ("read", "write", "list"):
            print(f"{n:>8} | {op:5} | {o[op]:9.2f} | {o[op] / base[op]:15.2f} | {s[op]:15.1f} | {s[op] / o[op]:10.0f}")
    print("\nread = get by id, write = update one document, list = filter by an indexed field (first 20 of 1/50 of the docs)")


if __name__ == "__main__":
    main()
