"""The unit of work (``core.session``): the same documents and, once flushed, the same statistics as
the single calls; live reads that tell when a queue entry went stale; statistics written on flush."""
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import mockserver.core as core
from mockserver.core import Conflict, InvalidArgument, InvalidState, NotAllowed, NotFound
from mockserver.store import Store
from core_state import core_state

SRC = "clarifai:app:u/session"
WORKERS = ["a", "b", "c"]


def make(n=10, k=2, review=None, seed=3):
    store = Store()
    core.add_items(store, SRC, [{"id": f"i{i}", "data": {"n": i}, "ground_truth": [{"concept": "cat"}]}
                                for i in range(n)])
    core.create_task(store, {"id": "t", "sources": [SRC], "workers": WORKERS, "seed": seed,
                             "assignment": {"workers_per_input": k},
                             "review": review or {"strategy": "consensus", "reviewers": ["r1", "r2"],
                                                  "approval_threshold_labelers": 2}})
    return store


def play(store, rng, submit, review, steps=60):
    """A random mix of submissions (next open work of a random worker) and review verdicts."""
    for _ in range(steps):
        if rng.random() < 0.7:
            worker = rng.choice(WORKERS)
            work = core.next_assignments(store, "t", worker, 1)
            if work:
                submit(work[0]["item_id"], worker, [{"concept": rng.choice(["cat", "dog"])}])
        else:
            reviewer = rng.choice(["r1", "r2"])
            queue = core.review_queue(store, "t", reviewer, 1)
            if queue:
                review(queue[0]["item_id"], reviewer, rng.choice(["approve", "reject", "request_changes"]))


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 1000), k=st.integers(1, 3), flush_every=st.integers(1, 20))
def test_a_session_leaves_what_the_single_calls_leave(seed, k, flush_every):
    single, batched = make(k=k, seed=seed), make(k=k, seed=seed)
    play(single, random.Random(seed), lambda i, w, labels: core.submit_work(single, "t", i, w, labels),
         lambda i, r, d: core.review_item(single, "t", i, r, d))
    s = core.session(batched)
    n = 0

    def every(call):
        def wrapped(*args):
            nonlocal n
            call(*args)
            n += 1
            if n % flush_every == 0:
                s.flush()
        return wrapped

    with s:
        play(batched, random.Random(seed), every(lambda i, w, labels: s.submit("t", i, w, labels, source=SRC)),
             every(lambda i, r, d: s.review("t", i, r, d)))
    assert not s.pending
    assert core_state(single) == core_state(batched)
    assert core.task_stats(batched, "t") == core.recount(batched, "t") == core.task_stats(single, "t")


def test_statistics_wait_for_flush_and_the_session_reads_its_own():
    store = make()
    before = core.task_stats(store, "t")
    s = core.session(store)
    with store.lock:
        key = s.open_work("t", "a")[0]
        w = s.open_for(key, "t", "a")
        out = s.submit("t", w["item_id"], "a", [{"concept": "cat"}])
        assert out is s.work(key) and out["state"] == "submitted"  # the live document
        assert s.pending and core.task_stats(store, "t") == before  # not written yet
        assert s.task_stats("t")["workers"]["a"]["submitted"] == 1  # its own read flushes first
        assert not s.pending and core.task_stats(store, "t") == core.recount(store, "t")
    with core.session(store) as s2:
        s2.submit("t", s2.open_for(s2.open_work("t", "a")[0], "t", "a")["item_id"], "a", [{"concept": "dog"}])
    assert core.task_stats(store, "t")["workers"]["a"]["submitted"] == 2  # leaving the block flushed


def test_reads_are_live_and_queue_entries_go_stale():
    store = make(k=3)
    with core.session(store) as s:
        keys = s.open_work("t", "a")
        assert s.open_count("t", "a") == len(keys) == 10
        assert keys == [w["id"] for w in core.next_assignments(store, "t", "a", 100)]
        first = s.open_for(keys[0], "t", "a")
        ti_key = first["ti"]
        assert s.task_item(ti_key)["item_id"] == first["item_id"] == "i0"
        assert s.item(SRC, "i0")["ground_truth"] == [{"concept": "cat"}]
        assert sorted(w["worker"] for w in s.works(ti_key)) == WORKERS
        assert s.work_of(ti_key, "b")["worker"] == "b"
        assert [ti["item_id"] for ti in s.task_items("t")] == [f"i{i}" for i in range(10)]
        assert s.task("t")["id"] == "t" and [t["id"] for t in s.tasks()] == ["t"]
        assert s.open_for(keys[0], "t", "b") is None and s.open_for("nope", "t", "a") is None
        for worker, concept in (("a", "cat"), ("b", "dog"), ("c", "bird")):  # no two agree: needs review
            s.submit("t", "i0", worker, [{"concept": concept}], source=SRC)
        assert s.open_for(keys[0], "t", "a") is None  # submitted: no longer open
        assert s.open_count("t", "a") == 9
        assert s.awaiting_review_count("t") == 1 and s.awaiting_review("t") == [ti_key]
        assert s.reviewable(ti_key, "t", "r1") is s.task_item(ti_key)
        s.review("t", "i0", "r1", "approve", comment="fine")
        assert s.task_item(ti_key)["state"] == "approved"  # one approval is enough by default
        assert s.reviewable(ti_key, "t", "r2") is None and s.awaiting_review_count("t") == 0
    stats = core.task_stats(store, "t")
    assert stats == core.recount(store, "t")


def test_reviewable_forgets_items_the_reviewer_approved():
    store = make(n=2, k=1, review={"strategy": "manual", "reviewers": ["r1", "r2"], "sample_percentage": 1.0,
                                   "approval_threshold_reviewers": 2})
    with core.session(store) as s:
        for worker in WORKERS:
            for key in s.open_work("t", worker):
                w = s.open_for(key, "t", worker)
                s.submit("t", w["item_id"], worker, [{"concept": "cat"}])
        key = s.awaiting_review("t")[0]
        s.review("t", s.task_item(key)["item_id"], "r1", "approve")
        assert s.reviewable(key, "t", "r1") is None and s.reviewable(key, "t", "r2") is not None
        assert s.reviewable(key, "other-task", "r2") is None


def test_refusals_are_the_single_calls_and_change_nothing():
    store = make(n=4, k=1, review={"strategy": "manual", "reviewers": ["r1"], "sample_percentage": 1.0})
    before = core_state(store)
    with core.session(store) as s:
        work = s.open_for(s.open_work("t", "a")[0], "t", "a")
        item = work["item_id"]
        other = next(ti["item_id"] for ti in s.task_items("t") if not s.work_of(ti["id"], "a"))
        with pytest.raises(NotFound):
            s.submit("missing", item, "a", [])
        with pytest.raises(NotFound):
            s.submit("t", "missing", "a", [])
        with pytest.raises(NotAllowed):
            s.submit("t", other, "a", [{"concept": "cat"}])
        with pytest.raises(InvalidArgument):
            s.submit("t", item, "a", [{"nope": 1}])
        with pytest.raises(InvalidArgument):
            s.review("t", item, "r1", "maybe")
        with pytest.raises(NotAllowed):
            s.review("t", item, "intruder", "approve")
        with pytest.raises(InvalidState):  # not awaiting review
            s.review("t", item, "r1", "approve")
    assert core_state(store) == before
    with core.session(store) as s:
        s.submit("t", item, "a", [{"concept": "cat"}])
        s.review("t", item, "r1", "request_changes")
        s.submit("t", item, "a", [{"concept": "dog"}])
        s.review("t", item, "r1", "approve")
        with pytest.raises(InvalidState):  # settled
            s.submit("t", item, "a", [{"concept": "cat"}])
    assert core.get_task_item(store, "t", item)["state"] == "approved"
    assert core.task_stats(store, "t") == core.recount(store, "t")


def test_a_conflicting_second_approval_is_refused():
    store = make(n=1, k=1, review={"strategy": "manual", "reviewers": ["r1", "r2"], "sample_percentage": 1.0,
                                   "approval_threshold_reviewers": 2})
    with core.session(store) as s:
        w = next(s.open_for(k, "t", p) for p in WORKERS for k in s.open_work("t", p))
        s.submit("t", w["item_id"], w["worker"], [{"concept": "cat"}])
        s.review("t", w["item_id"], "r1", "approve")
        with pytest.raises(Conflict):
            s.review("t", w["item_id"], "r1", "approve")


def test_the_task_as_it_is_now_is_used_even_when_replaced():
    store = make(n=6, k=1, review={"strategy": "none"})
    manual = {"strategy": "manual", "reviewers": ["r1"], "sample_percentage": 1.0}
    with core.session(store) as s:
        def submit_next():
            w = next(s.open_for(k, "t", p) for p in WORKERS for k in s.open_work("t", p))
            s.submit("t", w["item_id"], w["worker"], [{"concept": "cat"}])
            return s.task_item(w["ti"])

        assert submit_next()["state"] == "approved"
        core.update_task_workers(store, "t", WORKERS, review=manual)  # changed in place
        assert submit_next()["state"] == "awaiting_review"
        # A state import replaces the document itself: the pending statistics are written with the
        # old one, the next submission derives with the new one.
        doc = dict(store.table("core_tasks").get("t"), review={**manual, "sample_percentage": 0.0})
        store.table("core_tasks").replace(doc)
        assert submit_next()["state"] == "approved"
    assert core.task_stats(store, "t") == core.recount(store, "t")
