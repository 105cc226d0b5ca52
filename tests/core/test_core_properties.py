"""Random operation sequences: counts always add up and equal a recount; assignments stay valid.

Every property here runs derandomized (a fixed example sequence), so CI cannot turn red at random;
counterexamples found once are pinned with ``@example``.  The assignment invariant is the one
``mockserver.core.planning`` documents: re-planning never takes started work away.
"""
from hypothesis import HealthCheck, example, given, settings, strategies as st

import mockserver.core as core
from mockserver.core import CoreError
from mockserver.store import Store

SRC = "clarifai:app:u/a"
WORKERS = ["a", "b", "c", "d"]
CONCEPTS = ["cat", "dog"]

op = st.one_of(
    st.tuples(st.just("submit"), st.integers(0, 30), st.sampled_from(WORKERS), st.sampled_from(CONCEPTS)),
    st.tuples(st.just("start"), st.integers(0, 30), st.sampled_from(WORKERS)),
    st.tuples(st.just("skip"), st.integers(0, 30), st.sampled_from(WORKERS)),
    st.tuples(st.just("give_back"), st.integers(0, 30), st.sampled_from(WORKERS)),
    st.tuples(st.just("review"), st.integers(0, 30), st.sampled_from(["approve", "reject", "request_changes"])),
    st.tuples(st.just("add"), st.integers(1, 4)),
    st.tuples(st.just("remove"), st.integers(0, 30)),
    st.tuples(st.just("workers"), st.lists(st.sampled_from(WORKERS), min_size=0, max_size=4, unique=True),
              st.integers(1, 3)),
)


KEPT = ("in_progress", "submitted", "skipped")


def kept_work(store, task_id="t") -> dict:
    """{(item, worker): (state, labels)} of every started, submitted or skipped work of the task."""
    out = {}
    for ti in core.list_task_items(store, task_id):
        for w in core.list_work(store, task_id, ti["item_id"]):
            if w["state"] in KEPT:
                out[(ti["item_id"], w["worker"])] = (w["state"], w["labels"])
    return out


def check_assignments(store, task_id="t", before: dict | None = None) -> None:
    """The planning invariant (``mockserver.core.planning``).

    Every item: no worker twice.  Open items: unstarted (``assigned``) work only for current
    workers, and never more of it than the slots the kept work leaves free.  ``before``: the
    ``kept_work`` taken before a re-plan; every entry of a worker still on the task must survive it.
    """
    task = core.get_task(store, task_id)
    workers = set(task["workers"])
    full = task["assignment"]["strategy"] == "full"
    for ti in core.list_task_items(store, task_id):
        works = core.list_work(store, task_id, ti["item_id"])
        holders = [w["worker"] for w in works if w["state"] != "returned"]
        assert len(holders) == len(set(holders))
        if ti["decision"] is None and ti["state"] != "awaiting_review":
            unstarted = [w["worker"] for w in works if w["state"] == "assigned"]
            kept = [w["worker"] for w in works if w["state"] in KEPT and (not full or w["worker"] in workers)]
            assert set(unstarted) <= workers, (ti["item_id"], unstarted, task["workers"])
            assert len(unstarted) <= max(0, ti["slots"] - len(kept)), (ti["item_id"], ti["slots"], works)
    if before is not None:
        after = kept_work(store, task_id)
        for (item, worker), value in before.items():
            if worker in workers:
                assert after.get((item, worker)) == value, (item, worker)


def run_sequence(ops, review, k, n):
    store = Store()
    core.add_items(store, SRC, [{"id": f"i{i}"} for i in range(n)])
    core.create_task(store, {"id": "t", "sources": [SRC], "follow_source": True, "workers": WORKERS[:3],
                             "assignment": {"workers_per_input": k},
                             "review": {"strategy": review, "reviewers": ["r1", "r2"], "sample_percentage": 0.5,
                                        "approval_threshold_labelers": 2}})
    next_id = n
    for step in ops:
        name = step[0]
        items = [i["item_id"] for i in core.list_items(store, SRC)]
        item = items[step[1] % len(items)] if items and name not in ("add", "workers") else None
        before = kept_work(store) if name == "workers" else None
        try:
            if name == "submit":
                core.submit_work(store, "t", item, step[2], [{"concept": step[3]}])
            elif name == "start":
                core.start_work(store, "t", item, step[2])
            elif name == "skip":
                core.skip_work(store, "t", item, step[2])
            elif name == "give_back":
                core.give_back(store, "t", item, step[2])
            elif name == "review":
                core.review_item(store, "t", item, "r1" if step[1] % 2 else "r2", step[2])
            elif name == "add":
                core.add_items(store, SRC, [{"id": f"i{next_id + j}"} for j in range(step[1])])
                next_id += step[1]
            elif name == "remove" and item is not None:
                core.remove_item(store, SRC, item)
            elif name == "workers":
                core.update_task_workers(store, "t", step[1], {"workers_per_input": step[2]})
        except CoreError:
            pass
        stats = core.task_stats(store, "t")
        assert sum(stats["states"].values()) == stats["total"] == len(core.list_items(store, SRC))
        assert stats == core.recount(store, "t")
        check_assignments(store, "t", before)
    return store


# Found once by a random run on a fresh clone: two workers start an item, then workers_per_input
# drops to 1.  Both keep their work (1 slot, 2 holders); the old invariant counted them as excess.
COUNTEREXAMPLE = [("start", 0, "a"), ("start", 0, "c"), ("workers", ["a", "b", "c"], 1)]


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(op, max_size=40), review=st.sampled_from(["none", "manual", "consensus"]),
       k=st.integers(1, 3), n=st.integers(0, 8))
@example(ops=COUNTEREXAMPLE, review="none", k=2, n=1)
@example(ops=COUNTEREXAMPLE, review="none", k=3, n=1)
@example(ops=COUNTEREXAMPLE + [("submit", 0, "a", "cat"), ("workers", ["a", "b"], 2)], review="manual", k=2, n=2)
def test_counts_add_up_after_any_sequence(ops, review, k, n):
    run_sequence(ops, review, k, n)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(batches=st.lists(st.integers(1, 15), min_size=1, max_size=8), k=st.integers(1, 3), seed=st.integers(0, 99))
def test_items_added_later_do_not_move_earlier_assignments(batches, k, seed):
    def build(batch_sizes):
        store = Store()
        core.create_task(store, {"id": "t", "sources": [SRC], "follow_source": True, "workers": WORKERS,
                                 "assignment": {"mode": "weighted", "workers_per_input": k,
                                                "weights": {"a": 5, "b": 3, "c": 1, "d": 1}}, "seed": seed})
        i = 0
        snapshots = []
        for size in batch_sizes:
            core.add_items(store, SRC, [{"id": f"i{i + j}"} for j in range(size)])
            i += size
            snapshots.append({ti["item_id"]: sorted(w["worker"] for w in core.list_work(store, "t", ti["item_id"]))
                              for ti in core.list_task_items(store, "t")})
        return snapshots
    snaps = build(batches)
    for earlier, later in zip(snaps, snaps[1:]):
        assert all(later[item] == workers for item, workers in earlier.items())
    # the same items added all at once are planned identically
    assert build([sum(batches)])[-1] == snaps[-1]
