"""Re-planning after ``update_task_workers``: started work is never taken away (see ``core.planning``)."""
import random
import time

import mockserver.core as core
from mockserver.store import Store

from test_core_properties import check_assignments, kept_work

SRC = "clarifai:app:u/a"
WORKERS = ["a", "b", "c", "d"]


def _task(workers, k, seed=0, n=1):
    store = Store()
    core.add_items(store, SRC, [{"id": f"i{i}"} for i in range(n)])
    core.create_task(store, {"id": "t", "sources": [SRC], "follow_source": True, "workers": list(workers),
                             "assignment": {"workers_per_input": k}, "seed": seed})
    return store


def _on(store, item, state=None):
    return sorted(w["worker"] for w in core.list_work(store, "t", item) if state is None or w["state"] == state)


def test_lowering_workers_per_input_keeps_both_started_workers():
    # The property-test counterexample, spelled out: a and c start i0, then workers_per_input 2 -> 1.
    store = _task(["a", "b", "c"], k=2)
    assert _on(store, "i0") == ["a", "c"]
    core.start_work(store, "t", "i0", "a")
    core.start_work(store, "t", "i0", "c")
    core.update_task_workers(store, "t", ["a", "b", "c"], {"workers_per_input": 1})
    assert _on(store, "i0", "in_progress") == ["a", "c"] and _on(store, "i0", "assigned") == []
    assert core.get_task_item(store, "t", "i0")["slots"] == 1
    stats = core.task_stats(store, "t")
    assert stats["unassigned"] == 0 and stats == core.recount(store, "t")
    check_assignments(store)
    # both can still finish; the item settles once both submitted
    core.submit_work(store, "t", "i0", "a", [{"concept": "cat"}])
    assert core.get_task_item(store, "t", "i0")["state"] == "labeling"
    core.submit_work(store, "t", "i0", "c", [{"concept": "cat"}])
    assert core.get_task_item(store, "t", "i0")["state"] == "approved"
    assert core.task_stats(store, "t") == core.recount(store, "t")


def test_lowering_workers_per_input_drops_only_unstarted_slots():
    store = _task(["a", "b", "c"], k=2)
    core.start_work(store, "t", "i0", "a")  # c stays merely assigned
    core.update_task_workers(store, "t", ["a", "b", "c"], {"workers_per_input": 1})
    assert _on(store, "i0") == ["a"]
    core.update_task_workers(store, "t", ["a", "b", "c"], {"workers_per_input": 2})
    assert len(_on(store, "i0")) == 2 and _on(store, "i0", "in_progress") == ["a"]
    check_assignments(store)


def _scenario(seed: int) -> None:
    """Counterexample-shaped: several workers start/submit, then the plan shrinks (and maybe grows)."""
    rng = random.Random(seed)
    first = rng.sample(WORKERS, rng.randint(2, 4))
    k = rng.randint(2, len(first))
    store = _task(first, k, seed=seed, n=rng.randint(1, 4))
    for ti in core.list_task_items(store, "t"):
        for worker in _on(store, ti["item_id"]):
            roll = rng.random()
            if roll < 0.45:
                core.start_work(store, "t", ti["item_id"], worker)
            elif roll < 0.65:
                core.submit_work(store, "t", ti["item_id"], worker, [{"concept": "cat"}])
    for _ in range(2):
        workers = rng.sample(WORKERS, rng.randint(1, 4))  # a new order, maybe new or fewer workers
        before = kept_work(store)
        core.update_task_workers(store, "t", workers, {"workers_per_input": rng.randint(1, 2)})
        check_assignments(store, "t", before)
        assert core.task_stats(store, "t") == core.recount(store, "t")


def test_replan_counterexample_shape_over_1000_seeds():
    began = time.perf_counter()
    for seed in range(1000):
        try:
            _scenario(seed)
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}: {exc}") from exc
    assert time.perf_counter() - began < 20
