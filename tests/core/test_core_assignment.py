"""Assignment planning: distinct workers, weighted shares, determinism, incremental stability."""
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from mockserver.core import Assigner, InvalidArgument, item_shares, target_shares


def run(workers, n_items, batches=None, **kw):
    a = Assigner(workers, **kw)
    plan = {}
    if batches is None:
        for i in range(n_items):
            plan[i] = a.assign(str(i))
        return plan, a
    # Same plan built in batches, saving and restoring the state between batches (as the store does).
    state, i = None, 0
    for size in batches:
        a = Assigner(workers, state=state, **kw)
        for _ in range(size):
            if i < n_items:
                plan[i] = a.assign(str(i))
                i += 1
        state = a.state()
    return plan, a


def test_weights_are_relative():
    assert target_shares(["a", "b"], {"a": 9, "b": 1}, 1) == pytest.approx(target_shares(["a", "b"], {"a": 90, "b": 10}, 1))
    assert target_shares(["a", "b"], {"a": 9, "b": 1}, 1) == pytest.approx({"a": 0.9, "b": 0.1})


def test_water_filling_caps_each_worker_at_every_item():
    p = item_shares(["a", "b", "c"], {"a": 9, "b": 1, "c": 1}, 2)
    assert p == pytest.approx({"a": 1.0, "b": 0.5, "c": 0.5})
    plan, _ = run(["a", "b", "c"], 1000, mode="weighted", workers_per_input=2, weights={"a": 9, "b": 1, "c": 1})
    counts = Counter(w for ws in plan.values() for w in ws)
    assert counts["a"] == 1000 and abs(counts["b"] - 500) <= 2


def test_full_gives_every_item_to_every_worker():
    plan, _ = run(["a", "b", "c"], 20, strategy="full")
    assert all(sorted(ws) == ["a", "b", "c"] for ws in plan.values())


def test_k_larger_than_workers_and_no_workers():
    plan, _ = run(["a", "b"], 5, workers_per_input=5)
    assert all(sorted(ws) == ["a", "b"] for ws in plan.values())
    plan, _ = run([], 5, workers_per_input=2)
    assert all(ws == [] for ws in plan.values())


def test_bad_arguments():
    with pytest.raises(InvalidArgument):
        Assigner(["a"], strategy="random")
    with pytest.raises(InvalidArgument):
        item_shares(["a"], {"a": -1}, 1)


worker_lists = st.integers(min_value=1, max_value=12).map(lambda n: [f"w{i}" for i in range(n)])


@settings(max_examples=30, deadline=None, derandomize=True)
@given(workers=worker_lists, k=st.integers(1, 5), n=st.integers(1, 300), seed=st.integers(0, 10**6))
def test_each_item_gets_exactly_min_k_n_distinct_workers(workers, k, n, seed):
    plan, _ = run(workers, n, workers_per_input=k, seed=seed)
    for ws in plan.values():
        assert len(ws) == len(set(ws)) == min(k, len(workers))


@settings(max_examples=15, deadline=None, derandomize=True)
@given(data=st.data(), n_workers=st.integers(2, 12), k=st.integers(1, 4), n=st.integers(1000, 3000))
def test_weighted_shares_within_two_points(data, n_workers, k, n):
    workers = [f"w{i}" for i in range(n_workers)]
    weights = {w: data.draw(st.integers(0, 100)) for w in workers}
    plan, _ = run(workers, n, mode="weighted", workers_per_input=k, weights=weights, seed=7)
    counts = Counter(w for ws in plan.values() for w in ws)
    total = sum(counts.values())
    shares = target_shares(workers, weights, k)
    for w in workers:
        assert abs(counts[w] / total - shares[w]) <= 0.02
    p = item_shares(workers, weights, k)
    for w in workers:  # also as a fraction of items
        assert abs(counts[w] / n - p[w]) <= 0.02


@settings(max_examples=20, deadline=None, derandomize=True)
@given(workers=worker_lists, k=st.integers(1, 4), n=st.integers(1, 200), seed=st.integers(0, 1000),
       batches=st.lists(st.integers(1, 50), min_size=1, max_size=20))
def test_deterministic_and_incremental(workers, k, n, seed, batches):
    weights = {w: i + 1 for i, w in enumerate(workers)}
    kw = dict(mode="weighted", workers_per_input=k, weights=weights, seed=seed)
    one, _ = run(workers, n, **kw)
    again, _ = run(workers, n, **kw)
    assert one == again
    batches = batches + [n]  # make sure every item gets planned
    batched, _ = run(workers, n, batches=batches, **kw)
    assert batched == one  # adding items later never changes earlier items' workers


@pytest.mark.parametrize("strategy,mode,weights", [("full", "even", None), ("partitioned", "even", None),
                                                   ("partitioned", "weighted", {"a": 0, "b": 5, "c": 1}),
                                                   ("dynamic", "weighted", {"a": 2, "b": 1, "c": 1})])
@pytest.mark.parametrize("before", [0, 7])
def test_assign_all_leaves_the_state_of_one_assign_per_item(strategy, mode, weights, before):
    # ``planning`` counts the items of a new task this way when every worker takes every item
    workers = ["a", "b", "c"]
    kw = dict(strategy=strategy, mode=mode, workers_per_input=3, weights=weights, seed=11)
    one_by_one, at_once = Assigner(workers, **kw), Assigner(workers, **kw)
    for i in range(before):  # a plan that had items already (some given back)
        for a in (one_by_one, at_once):
            a.assign(f"old{i}")
            if i == 3:
                a.release(["b"])
    assert at_once.takes_all
    for i in range(25):
        assert sorted(one_by_one.assign(f"i{i}")) == workers
    at_once.assign_all(25)
    assert at_once.state() == one_by_one.state()
    assert at_once.assign("next") == one_by_one.assign("next")  # and it plans on alike
    with pytest.raises(ValueError):
        Assigner(workers, strategy="partitioned", workers_per_input=2).assign_all(1)
