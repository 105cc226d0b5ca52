"""Items, tasks, labeling and review through the public core API."""
import json

import pytest

import mockserver.core as core
from mockserver.core import (Conflict, CoreError, InvalidArgument, InvalidState, NotAllowed, NotFound)
from mockserver.store import Store

SRC = "clarifai:app:u/app"


def make(n=6, workers=("a", "b", "c"), k=1, review=None, kind="classification", follow=True, **extra):
    store = Store()
    core.add_items(store, SRC, [{"id": f"i{i}", "data": {"n": i, "split": "train" if i % 2 else "test"}} for i in range(n)])
    spec = {"id": "t", "tenant": "u/app", "kind": kind, "sources": [SRC], "follow_source": follow,
            "workers": list(workers), "assignment": {"strategy": "partitioned", "workers_per_input": k},
            "review": review or {"strategy": "none"}, "seed": 3, **extra}
    core.create_task(store, spec)
    return store


def check_counts(store, task_id="t"):
    stats = core.task_stats(store, task_id)
    assert sum(stats["states"].values()) == stats["total"]
    assert stats == core.recount(store, task_id)
    return stats


def label_all(store, worker_labels, task_id="t"):
    for worker, labels in worker_labels.items():
        for work in core.next_assignments(store, task_id, worker, 10**6):
            core.submit_work(store, task_id, work["item_id"], worker, labels(work["item_id"]) if callable(labels) else labels)


def test_task_creation_assigns_every_item():
    store = make(n=9, k=2)
    stats = check_counts(store)
    assert stats["total"] == 9 and stats["states"]["unlabeled"] == 9
    assert sum(w["assigned"] for w in stats["workers"].values()) == 18
    for i in range(9):
        ws = [w["worker"] for w in core.list_work(store, "t", f"i{i}")]
        assert len(ws) == len(set(ws)) == 2
    json.dumps(store.export())  # everything stays JSON-serialisable
    assert all(name.startswith("core_") for name in store.export())


def test_tenant_and_missing_task():
    store = make()
    assert core.get_task(store, "t", tenant="u/app")["id"] == "t"
    with pytest.raises(NotFound):
        core.get_task(store, "t", tenant="other")
    with pytest.raises(NotFound):
        core.task_stats(store, "nope")
    with pytest.raises(Conflict):
        core.create_task(store, {"id": "t", "sources": [SRC]})
    assert issubclass(NotFound, CoreError)


def test_invalid_specs():
    store = Store()
    for bad in ({"id": ""}, {"id": "x", "assignment": {"strategy": "nope"}},
                {"id": "x", "review": {"strategy": "manual", "sample_percentage": 50}},
                {"id": "x", "assignment": {"workers_per_input": 0}}, {"id": "x", "item_ids": ["a"]}):
        with pytest.raises(InvalidArgument):
            core.create_task(store, bad)
    with pytest.raises(NotFound):
        core.create_task(store, {"id": "x", "item_ids": ["zz"], "source": SRC})


def test_item_filter_and_explicit_items():
    store = make(n=6)
    core.create_task(store, {"id": "f", "sources": [SRC], "item_filter": {"split": "train"}, "workers": ["a"],
                             "follow_source": True})
    assert core.task_stats(store, "f")["total"] == 3
    core.add_items(store, SRC, [{"id": "x1", "data": {"split": "train"}}, {"id": "x2", "data": {"split": "test"}}])
    assert core.task_stats(store, "f")["total"] == 4
    core.create_task(store, {"id": "e", "item_ids": ["i0", "i1"], "source": SRC, "workers": ["a"]})
    core.add_items(store, SRC, [{"id": "x3"}])
    assert core.task_stats(store, "e")["total"] == 2  # not following
    assert core.add_task_items(store, "e", ["x3"], SRC) == 1
    assert core.task_stats(store, "e")["total"] == 3


def test_follow_source_extends_without_reshuffle():
    store = make(n=10, k=2)
    before = {f"i{i}": sorted(w["worker"] for w in core.list_work(store, "t", f"i{i}")) for i in range(10)}
    core.add_items(store, SRC, [{"id": f"n{i}"} for i in range(5)])
    after = {f"i{i}": sorted(w["worker"] for w in core.list_work(store, "t", f"i{i}")) for i in range(10)}
    assert before == after
    assert check_counts(store)["total"] == 15
    with pytest.raises(Conflict):
        core.add_items(store, SRC, [{"id": "n0"}])


def test_remove_item_updates_counts():
    store = make(n=4, k=2)
    label_all(store, {"a": [{"concept": "cat"}]})
    core.remove_item(store, SRC, "i0")
    stats = check_counts(store)
    assert stats["total"] == 3
    assert all(i["item_id"] != "i0" for i in core.list_items(store, SRC))
    with pytest.raises(NotFound):
        core.remove_item(store, SRC, "i0")
    core.remove_task_item(store, "t", "i1")
    assert check_counts(store)["total"] == 2


def test_no_review_approves_when_all_submitted():
    store = make(n=2, workers=("a", "b"), k=2)
    core.start_work(store, "t", "i0", "a")
    assert core.get_task_item(store, "t", "i0")["state"] == "unlabeled"
    core.submit_work(store, "t", "i0", "a", [{"concept": "cat"}])
    assert core.get_task_item(store, "t", "i0")["state"] == "labeling"
    core.submit_work(store, "t", "i0", "a", [{"concept": "dog"}])  # resubmission replaces
    core.submit_work(store, "t", "i0", "b", [{"concept": "cat"}])
    assert core.get_task_item(store, "t", "i0")["state"] == "approved"
    stats = check_counts(store)
    assert stats["labels_submitted"] == {"cat": 1, "dog": 1}
    assert stats["workers"]["a"]["approved"] == 1 and stats["workers"]["a"]["started"] == 1
    with pytest.raises(InvalidState):
        core.submit_work(store, "t", "i0", "a", [{"concept": "x"}])
    with pytest.raises(NotAllowed):
        core.submit_work(store, "t", "i0", "zed", [{"concept": "x"}])
    with pytest.raises(InvalidArgument):
        core.submit_work(store, "t", "i1", "a", [{"box": [0, 0, 1, 1]}])


def test_next_assignments_stable_order_and_limit():
    store = make(n=10, workers=("a",))
    ids = [w["item_id"] for w in core.next_assignments(store, "t", "a", 4)]
    assert ids == ["i0", "i1", "i2", "i3"]
    core.submit_work(store, "t", "i0", "a", [{"concept": "c"}])
    assert [w["item_id"] for w in core.next_assignments(store, "t", "a", 2)] == ["i1", "i2"]
    assert core.next_assignments(store, "t", "nobody", 5) == []


def test_manual_review_samples_deterministically():
    review = {"strategy": "manual", "reviewers": ["r1", "r2"], "sample_percentage": 0.5, "approval_threshold_reviewers": 2}
    runs = []
    for _ in range(2):
        store = make(n=40, workers=("a",), review=review)
        label_all(store, {"a": [{"concept": "cat"}]})
        runs.append([i["item_id"] for i in core.list_task_items(store, "t", state="awaiting_review")])
    assert runs[0] == runs[1] and 5 < len(runs[0]) < 35
    stats = check_counts(store)
    assert stats["states"]["approved"] + stats["states"]["awaiting_review"] == 40
    item = runs[0][0]
    assert core.review_queue(store, "t", "r1", 1)[0]["item_id"] == item
    with pytest.raises(NotAllowed):
        core.review_queue(store, "t", "a")
    with pytest.raises(NotAllowed):
        core.review_item(store, "t", item, "a", "approve")
    core.review_item(store, "t", item, "r1", "approve")
    with pytest.raises(Conflict):
        core.review_item(store, "t", item, "r1", "approve")
    assert core.get_task_item(store, "t", item)["state"] == "awaiting_review"
    assert item not in [d["item_id"] for d in core.review_queue(store, "t", "r1", 100)]
    core.review_item(store, "t", item, "r2", "approve")
    assert core.get_task_item(store, "t", item)["state"] == "approved"
    with pytest.raises(InvalidState):
        core.review_item(store, "t", item, "r2", "reject")
    core.review_item(store, "t", runs[0][1], "r2", "reject", comment="blurry")
    stats = check_counts(store)
    assert stats["states"]["rejected"] == 1
    assert stats["reviewers"]["r2"] == {"approved": 1, "rejected": 1, "changes_requested": 0}
    assert stats["workers"]["a"]["rejected"] == 1


def test_request_changes_sends_work_back():
    store = make(n=1, workers=("a", "b"), k=2, review={"strategy": "manual", "reviewers": ["r"], "sample_percentage": 1})
    label_all(store, {"a": [{"concept": "cat"}], "b": [{"concept": "cat"}]})
    assert core.get_task_item(store, "t", "i0")["state"] == "awaiting_review"
    core.review_item(store, "t", "i0", "r", "request_changes", comment="redo")
    assert core.get_task_item(store, "t", "i0")["state"] == "changes_requested"
    assert [w["state"] for w in core.list_work(store, "t", "i0")] == ["in_progress", "in_progress"]
    assert len(core.next_assignments(store, "t", "a")) == 1
    check_counts(store)
    core.submit_work(store, "t", "i0", "a", [{"concept": "dog"}])
    assert core.get_task_item(store, "t", "i0")["state"] == "changes_requested"
    core.submit_work(store, "t", "i0", "b", [{"concept": "dog"}])
    assert core.get_task_item(store, "t", "i0")["state"] == "awaiting_review"
    assert check_counts(store)["reviewers"]["r"]["changes_requested"] == 1


def test_consensus_classification():
    review = {"strategy": "consensus", "reviewers": ["r"], "approval_threshold_labelers": 2}
    store = make(n=2, workers=("a", "b", "c"), k=3, review=review)
    for w, c in (("a", "cat"), ("b", "cat"), ("c", "dog")):
        core.submit_work(store, "t", "i0", w, [{"concept": c}])
    for w, c in (("a", "cat"), ("b", "dog"), ("c", "bird")):
        core.submit_work(store, "t", "i1", w, [{"concept": c}])
    i0 = core.get_task_item(store, "t", "i0")
    assert i0["state"] == "approved" and sorted(i0["winner"]["workers"]) == ["a", "b"]
    assert i0["winner"]["labels"] == [{"concept": "cat"}]
    assert core.get_task_item(store, "t", "i1")["state"] == "awaiting_review"
    stats = check_counts(store)
    assert stats["labels_approved"] == {"cat": 2}
    assert stats["workers"]["c"]["approved"] == 0 and stats["workers"]["a"]["approved"] == 1


def test_consensus_detection_iou():
    review = {"strategy": "consensus", "reviewers": ["r"], "approval_threshold_labelers": 2}
    store = make(n=2, workers=("a", "b"), k=2, review=review, kind="detection", iou_threshold=0.5)
    core.submit_work(store, "t", "i0", "a", [{"concept": "car", "box": [0, 0, 10, 10]}])
    core.submit_work(store, "t", "i0", "b", [{"concept": "car", "box": [1, 1, 10, 10]}])
    core.submit_work(store, "t", "i1", "a", [{"concept": "car", "box": [0, 0, 10, 10]}])
    core.submit_work(store, "t", "i1", "b", [{"concept": "car", "box": [5, 5, 15, 15]}])
    assert core.get_task_item(store, "t", "i0")["state"] == "approved"
    assert core.get_task_item(store, "t", "i1")["state"] == "awaiting_review"
    check_counts(store)


def test_skip_and_give_back():
    store = make(n=3, workers=("a", "b", "c"), k=1)
    work = core.next_assignments(store, "t", "a", 1)[0]
    item = work["item_id"]
    result = core.give_back(store, "t", item, "a")
    assert result["replacement"] in ("b", "c")
    assert core.get_task_item(store, "t", item)["state"] == "unlabeled"
    stats = check_counts(store)
    assert stats["workers"]["a"]["returned"] == 1 and stats["unassigned"] == 0
    with pytest.raises(InvalidState):
        core.give_back(store, "t", item, "a")
    other = result["replacement"]
    left = ({"b", "c"} - {other}).pop()
    assert core.give_back(store, "t", item, other)["replacement"] == left
    assert core.give_back(store, "t", item, left)["replacement"] is None  # nobody eligible is left
    stats = check_counts(store)
    assert stats["unassigned"] == 1 and core.get_task_item(store, "t", item)["state"] == "unlabeled"
    w2 = core.next_assignments(store, "t", "b", 1)
    if w2:
        core.skip_work(store, "t", w2[0]["item_id"], "b")
        assert core.get_task_item(store, "t", w2[0]["item_id"])["state"] == "skipped"
        with pytest.raises(InvalidState):
            core.submit_work(store, "t", w2[0]["item_id"], "b", [{"concept": "c"}])
    check_counts(store)


def test_update_workers_replans_only_unstarted_work():
    store = make(n=12, workers=("a", "b"), k=1)
    started = core.next_assignments(store, "t", "a", 1)[0]["item_id"]
    core.start_work(store, "t", started, "a")
    done = core.next_assignments(store, "t", "b", 1)[0]["item_id"]
    core.submit_work(store, "t", done, "b", [{"concept": "c"}])
    core.update_task_workers(store, "t", ["c", "d"])
    assert [w["worker"] for w in core.list_work(store, "t", started)] == ["a"]
    assert [w["worker"] for w in core.list_work(store, "t", done)] == ["b"]
    stats = check_counts(store)
    assert stats["workers"]["c"]["assigned"] + stats["workers"]["d"]["assigned"] == 10
    assert core.next_assignments(store, "t", "b", 5) == []
    core.update_task_workers(store, "t", ["c", "d"], {"strategy": "full"})
    # FULL: every open item (all but the approved one) goes to every current worker
    assert check_counts(store)["workers"]["c"]["assigned"] == 11


def test_status_and_delete():
    store = make()
    assert core.get_task(store, "t")["status"] == "created"
    core.set_task_status(store, "t", "in_progress")
    assert core.get_task(store, "t")["status"] == "in_progress"
    with pytest.raises(InvalidArgument):
        core.set_task_status(store, "t", "bogus")
    core.delete_task(store, "t")
    with pytest.raises(NotFound):
        core.get_task(store, "t")
    exported = store.export()
    assert not any(d.get("task_id") == "t" for docs in exported.values() for d in docs)
    core.add_items(store, SRC, [{"id": "later"}])  # a deleted follower is not extended


def test_review_verdicts_keep_comment_and_score():
    from mockserver.store import Store

    store = Store()
    core.add_items(store, "src", [{"id": "i1"}, {"id": "i2"}])
    core.create_task(store, {"id": "t", "sources": ["src"], "workers": ["w"],
                             "review": {"strategy": "manual", "reviewers": ["r"], "sample_percentage": 1.0}})
    for item in ("i1", "i2"):
        core.submit_work(store, "t", item, "w", [{"concept": "cat"}])
    core.review_item(store, "t", "i1", "r", "reject", comment="not a cat", score="D")
    core.review_many(store, "t", [("i2", "r", "approve", "fine", "A")])
    reviews = {i: core.get_task_item(store, "t", i)["reviews"] for i in ("i1", "i2")}
    assert [(v["reviewer"], v["decision"], v["comment"], v["score"]) for v in reviews["i1"]] == [("r", "rejected", "not a cat", "D")]
    assert [(v["decision"], v["comment"], v["score"]) for v in reviews["i2"]] == [("approved", "fine", "A")]


def test_item_result_one_rule_for_every_way_an_item_settles():
    store = Store()
    core.add_items(store, "src", [{"id": f"i{n}"} for n in range(4)])
    # consensus: the winning group's labels
    core.create_task(store, {"id": "c", "sources": ["src"], "workers": ["a", "b", "c"], "assignment": {"strategy": "full"},
                             "review": {"strategy": "consensus", "reviewers": ["r"], "approval_threshold_labelers": 2}})
    core.submit_many(store, "c", [("i0", "a", [{"concept": "cat"}]), ("i0", "b", [{"concept": "dog"}]),
                                  ("i0", "c", [{"concept": "dog"}])])
    result = core.item_result(store, "c", "i0")
    assert result["labels"] == [{"concept": "dog"}] and result["basis"] == "consensus"
    assert sorted(result["workers"]) == ["b", "c"] and result["accepted"] is None
    # one labeler, no review: that labeler's labels
    core.create_task(store, {"id": "s", "sources": ["src"], "workers": ["a"]})
    core.submit_work(store, "s", "i1", "a", [{"concept": "bird"}])
    assert core.item_result(store, "s", "i1")["basis"] == "single"
    # approved by a reviewer: the largest agreeing group of the credited submissions
    core.create_task(store, {"id": "m", "sources": ["src"], "workers": ["a", "b", "c"], "assignment": {"strategy": "full"},
                             "review": {"strategy": "manual", "reviewers": ["r"], "sample_percentage": 1.0}})
    core.submit_many(store, "m", [("i2", "a", [{"concept": "cat"}]), ("i2", "b", [{"concept": "bird"}]),
                                  ("i2", "c", [{"concept": "bird"}])])
    assert core.item_result(store, "m", "i2") is None  # awaiting review: not settled
    core.review_item(store, "m", "i2", "r", "approve")
    result = core.item_result(store, "m", "i2")
    assert result["labels"] == [{"concept": "bird"}] and result["basis"] == "review"
    # rejected: no result
    core.submit_many(store, "m", [("i3", w, [{"concept": "cat"}]) for w in ("a", "b", "c")])
    core.review_item(store, "m", "i3", "r", "reject")
    assert core.item_result(store, "m", "i3") is None


def test_peek_stats_is_the_cached_view_and_moves_with_the_counters():
    store = make(n=4, k=1)
    peeked = core.peek_stats(store, "t")
    assert peeked == core.task_stats(store, "t") == core.recount(store, "t")
    assert core.peek_stats(store, "t") is peeked  # no copy for a page of many tasks
    copy = core.task_stats(store, "t")
    copy["states"]["unlabeled"] = -1  # a caller's copy is its own
    assert core.peek_stats(store, "t")["states"]["unlabeled"] == 4
    label_all(store, {"a": [{"concept": "cat"}], "b": [{"concept": "cat"}], "c": [{"concept": "cat"}]})
    after = core.peek_stats(store, "t")
    assert after["states"]["approved"] == 4 and after == core.recount(store, "t")
