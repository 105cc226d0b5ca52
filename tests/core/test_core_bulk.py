"""Bulk calls (submit_many, review_many) and the fast paths behind the hot calls.

The bulk calls must leave exactly the state the single calls leave; the internal shortcuts
(``records.insert_many``, ``records.find_eq``, the stats cache) must behave like the store's
public methods they stand in for.
"""
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import mockserver.core as core
from mockserver.core import InvalidArgument, InvalidState, NotAllowed, NotFound
from mockserver.core import records as R
from mockserver.store import Store
from core_state import core_state

SRC = "clarifai:app:u/bulk"
WORKERS = ["a", "b", "c", "d"]


def make(n=12, k=2, review=None, seed=5):
    store = Store()
    core.add_items(store, SRC, [{"id": f"i{i}", "data": {"n": i}} for i in range(n)])
    core.create_task(store, {"id": "t", "sources": [SRC], "workers": WORKERS, "seed": seed,
                             "assignment": {"workers_per_input": k},
                             "review": review or {"strategy": "consensus", "reviewers": ["r1", "r2"],
                                                  "approval_threshold_labelers": 2}})
    return store


def all_submissions(store, rng):
    subs = []
    for ti in core.list_task_items(store, "t"):
        for w in core.list_work(store, "t", ti["item_id"]):
            subs.append((ti["item_id"], w["worker"], [{"concept": rng.choice(["cat", "dog"])}]))
    rng.shuffle(subs)
    return subs


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 1000), k=st.integers(1, 3), batch=st.integers(1, 7))
def test_submit_many_and_review_many_equal_the_single_calls(seed, k, batch):
    single, bulk = make(k=k, seed=seed), make(k=k, seed=seed)
    subs = all_submissions(single, random.Random(seed))
    assert subs == all_submissions(bulk, random.Random(seed))
    for item, worker, labels in subs:
        core.submit_work(single, "t", item, worker, labels)
    out = []
    for j in range(0, len(subs), batch):
        out.extend(core.submit_many(bulk, "t", subs[j:j + batch]))
    assert [(w["item_id"], w["worker"], w["state"]) for w in out] == [(i, w, "submitted") for i, w, _ in subs]
    assert core_state(single) == core_state(bulk)

    queue = core.list_task_items(single, "t", state="awaiting_review")
    rng = random.Random(seed)
    reviews = [(ti["item_id"], rng.choice(["r1", "r2"]), rng.choice(["approve", "reject", "request_changes"]),
                f"note {n}") for n, ti in enumerate(queue)]
    for item, reviewer, decision, note in reviews:
        core.review_item(single, "t", item, reviewer, decision, comment=note)
    items = []
    for j in range(0, len(reviews), batch):
        items.extend(core.review_many(bulk, "t", reviews[j:j + batch]))
    assert [ti["item_id"] for ti in items] == [r[0] for r in reviews]
    assert core_state(single) == core_state(bulk)
    assert core.task_stats(bulk, "t") == core.recount(bulk, "t") == core.task_stats(single, "t")


def test_submit_many_is_all_or_nothing():
    store = make()
    before = core_state(store)
    work = core.next_assignments(store, "t", "a", 3)
    good = [(w["item_id"], "a", [{"concept": "cat"}]) for w in work]
    with pytest.raises(InvalidArgument):  # a malformed label anywhere refuses the batch
        core.submit_many(store, "t", good + [(work[0]["item_id"], "a", [{"nope": 1}])])
    with pytest.raises(NotAllowed):  # a worker not on the item
        other = next(ti for ti in core.list_task_items(store, "t")
                     if "a" not in [w["worker"] for w in core.list_work(store, "t", ti["item_id"])])
        core.submit_many(store, "t", good + [(other["item_id"], "a", [{"concept": "cat"}])])
    with pytest.raises(InvalidArgument):  # the same pair twice
        core.submit_many(store, "t", good + good[:1])
    with pytest.raises(NotFound):
        core.submit_many(store, "t", good + [("missing", "a", [])])
    assert core_state(store) == before
    assert core.submit_many(store, "t", []) == []


def test_review_many_checks_every_review_first():
    store = make(n=6, k=1, review={"strategy": "manual", "reviewers": ["r1"]})
    core.submit_many(store, "t", [(ti["item_id"], w["worker"], [{"concept": "cat"}])
                                  for ti in core.list_task_items(store, "t")
                                  for w in core.list_work(store, "t", ti["item_id"])])
    queue = [ti["item_id"] for ti in core.review_queue(store, "t", "r1", 100)]
    assert len(queue) == 6
    before = core_state(store)
    with pytest.raises(NotAllowed):
        core.review_many(store, "t", [(queue[0], "r1", "approve"), (queue[1], "intruder", "approve")])
    with pytest.raises(InvalidArgument):
        core.review_many(store, "t", [(queue[0], "r1", "approve"), (queue[1], "r1", "maybe")])
    with pytest.raises(InvalidArgument):
        core.review_many(store, "t", [(queue[0], "r1", "approve"), (queue[0], "r1", "reject")])
    assert core_state(store) == before
    done = core.review_many(store, "t", [(queue[0], "r1", "approve"), (queue[1], "r1", "reject", "blurry")])
    assert [ti["state"] for ti in done] == ["approved", "rejected"]
    assert done[1]["reviews"][-1]["comment"] == "blurry"
    with pytest.raises(InvalidState):  # no longer awaiting review
        core.review_many(store, "t", [(queue[0], "r1", "approve")])
    stats = core.task_stats(store, "t")
    assert stats == core.recount(store, "t")
    assert stats["reviewers"]["r1"] == {"approved": 1, "rejected": 1, "changes_requested": 0}


def test_insert_many_of_one_document_at_a_time_matches_one_bulk_insert():
    """The one-document path of the bulk insert (a CloudFactory submit writes its item, task item and work
    that way) builds the buckets the bulk path builds: none, one id, a tuple of a few, a dict of many."""
    docs = [{"id": f"d{i}", "group": "many" if i % 2 else i % 3, "tags": ["x", i % 2], "v": None} for i in range(40)]
    singles, bulk = Store(), Store()
    for store in (singles, bulk):
        store.table("x", indexes=("group", "tags", "v"))
    for d in docs:
        R.insert_many(singles.table("x"), [dict(d)])
    R.insert_many(bulk.table("x"), [dict(d) for d in docs])
    assert singles.export() == bulk.export()
    for field, value in (("group", "many"), ("group", 0), ("tags", ["x", 1]), ("v", None), ("group", "none")):
        assert singles.table("x").find(**{field: value}) == bulk.table("x").find(**{field: value})
    assert [d["id"] for d in R.find_eq(singles.table("x"), "group", "many")] == [f"d{i}" for i in range(1, 40, 2)]
    version = singles.version
    with pytest.raises(KeyError):  # an id already stored: refused, nothing changed
        R.insert_many(singles.table("x"), [{"id": "d3", "group": "other"}])
    with pytest.raises(ValueError):
        R.insert_many(singles.table("x"), [{"id": "", "group": "other"}])
    assert singles.export() == bulk.export() and singles.table("x").find(group="other") == []
    R.insert_many(singles.table("x"), [{"id": "late", "group": 0}])
    assert singles.version > version and R.find_eq(singles.table("x"), "group", 0)[-1]["id"] == "late"


def test_insert_many_matches_plain_inserts_and_indexes():
    fast, slow = Store(), Store()
    docs = [{"id": f"d{i}", "group": i % 3, "tags": ["x", i % 2], "v": None} for i in range(20)]
    for store in (fast, slow):
        store.table("x", indexes=("group", "tags", "v"))
    R.insert_many(fast.table("x"), [dict(d) for d in docs])
    for d in docs:
        slow.table("x").insert(dict(d))
    assert fast.export() == slow.export()
    for field, value in (("group", 1), ("tags", ["x", 0]), ("v", None)):
        assert fast.table("x").find(**{field: value}) == slow.table("x").find(**{field: value})
    assert R.find_eq(fast.table("x"), "group", 2) == slow.table("x").find(group=2)
    assert R.find_eq(fast.table("x"), "group", 7) == []
    version = fast.version
    R.insert_many(fast.table("x"), [{"id": "late", "group": 1}])
    assert fast.version > version  # the persister sees the write
    assert [d["id"] for d in R.find_eq(fast.table("x"), "group", 1)][-1] == "late"
    # an id already stored: the whole batch is refused (the store's bulk insert is all or nothing)
    with pytest.raises(KeyError):
        R.insert_many(fast.table("x"), [{"id": "new", "group": 0}, {"id": "d0", "group": 5}])
    assert fast.table("x").get("d0")["group"] == 0 and fast.table("x").get("new") is None
    assert "new" not in [d["id"] for d in fast.table("x").find(group=0)]
    # buckets of every shape: one id, a few (a tuple), many (a dict)
    fast.table("x").insert_many([{"id": f"m{i}", "group": "many"} for i in range(30)] + [{"id": "solo", "group": "one"}])
    assert len(fast.table("x").find(group="many")) == 30 and [d["id"] for d in fast.table("x").find(group="one")] == ["solo"]


def test_task_stats_returns_fresh_copies_and_follows_every_change():
    store = make(n=6, k=2)
    first = core.task_stats(store, "t")
    first["workers"]["a"]["assigned"] = 999
    first["states"]["unlabeled"] = -1
    again = core.task_stats(store, "t")
    assert again["workers"]["a"]["assigned"] != 999 and again["states"]["unlabeled"] == 6
    work = core.next_assignments(store, "t", "a", 1)[0]
    core.submit_work(store, "t", work["item_id"], "a", [{"concept": "cat"}])
    after = core.task_stats(store, "t")
    assert after["workers"]["a"]["submitted"] == 1 and after["labels_submitted"] == {"cat": 1}
    core.update_task_workers(store, "t", ["a", "b", "c", "d", "e"])
    assert "e" in core.task_stats(store, "t")["workers"]
    assert core.task_stats(store, "t") == core.recount(store, "t")
    store.load(store.export())  # same content, new objects
    assert core.task_stats(store, "t") == core.recount(store, "t")
    core.delete_task(store, "t")
    with pytest.raises(NotFound):
        core.task_stats(store, "t")


def test_big_task_is_created_in_one_pass_with_exact_counts():
    store = Store()
    n, k = 3000, 3
    core.add_items(store, SRC, [{"id": f"i{i}"} for i in range(n)])
    core.create_task(store, {"id": "t", "sources": [SRC, SRC], "workers": WORKERS + ["e"],
                             "assignment": {"workers_per_input": k, "mode": "weighted",
                                            "weights": {"a": 4, "b": 1, "c": 1, "d": 1, "e": 1}}})
    stats = core.task_stats(store, "t")
    assert stats["total"] == n and stats["states"]["unlabeled"] == n  # a source listed twice adds items once
    assert sum(w["assigned"] for w in stats["workers"].values()) == n * k
    assert stats == core.recount(store, "t")
    assert len(core.list_work(store, "t", "i17")) == k
    assert core.next_assignments(store, "t", "a", 2)[0]["seq"] == 0  # queues are indexed


def test_items_found_by_vendor_id_from_any_source_of_the_task():
    store = make(n=3, k=1)
    other = "clarifai:app:u/other"
    core.add_items(store, other, [{"id": "only-here"}, {"id": "i1"}])
    core.add_task_items(store, "t", ["only-here"], other)  # a source the task does not name
    work = core.list_work(store, "t", "only-here")
    assert work and work[0]["source"] == other
    done = core.submit_work(store, "t", "only-here", work[0]["worker"], [{"concept": "cat"}])
    assert done["state"] == "submitted" and done["source"] == other
    assert core.get_task_item(store, "t", "i1")["source"] == SRC
    core.add_task_items(store, "t", ["i1"], other)  # now "i1" is in two sources of the task
    with pytest.raises(InvalidArgument):
        core.get_task_item(store, "t", "i1")
    assert core.get_task_item(store, "t", "i1", source=other)["source"] == other
    with pytest.raises(NotFound):
        core.get_task_item(store, "t", "nowhere")
