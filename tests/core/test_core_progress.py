"""Progress of followed items: phases derived from the core's documents, and the per-store subscription."""
import pytest

import mockserver.core as core
from mockserver.core import InvalidArgument, NotFound
from mockserver.store import Store

SRC = "cloudfactory:oversight:ws"


def make(workers=("a",), review=None, n=2):
    store = Store()
    core.create_task(store, {"id": "t", "tenant": "ws", "sources": [SRC], "follow_source": True,
                             "workers": list(workers), "assignment": {"strategy": "partitioned", "workers_per_input": 1},
                             "review": review or {"strategy": "none"}, "status": "running"})
    with core.at(100.0):
        core.add_items(store, SRC, [{"id": f"i{k}", "data": {}} for k in range(n)])
    return store


def worker_of(store, item_id):
    (w,) = core.list_work(store, "t", item_id, SRC)
    return w["worker"]


def subscribe(store, name="cf"):
    events = []
    core.subscribe_progress(store, name, events.append)
    return events


def test_phases_follow_the_work():
    store = make()
    assert core.item_progress(store, "t", "i0", SRC) == {"phase": "waiting", "state": "unlabeled", "since": 100.0}
    w = worker_of(store, "i0")
    with core.at(130.0):
        core.start_work(store, "t", "i0", w, SRC)
    assert core.item_progress(store, "t", "i0", SRC)["phase"] == "in_progress"
    assert core.item_progress(store, "t", "i0", SRC)["since"] == 130.0
    with core.at(400.0):
        core.submit_work(store, "t", "i0", w, [{"concept": "car"}], SRC)
    assert core.item_progress(store, "t", "i0", SRC) == {"phase": "settled", "state": "approved", "since": 400.0}
    with core.at(500.0):
        core.skip_work(store, "t", "i1", worker_of(store, "i1"), SRC)
    assert core.item_progress(store, "t", "i1", SRC)["state"] == "skipped"
    with pytest.raises(NotFound):
        core.item_progress(store, "t", "nope", SRC)


def test_a_subscriber_hears_each_move_once_with_the_core_time():
    store = make()
    events = subscribe(store)
    assert core.follow_item(store, "cf", "t", "i0", SRC)["phase"] == "waiting"
    ti = core.get_task_item(store, "t", "i0", SRC)["id"]
    assert core.check_progress(store, ti) == 0 and events == []
    w = worker_of(store, "i0")
    with core.at(130.0):
        core.start_work(store, "t", "i0", w, SRC)
    assert len(events) == 1  # the core reported its own write, nobody had to ask
    assert core.check_progress(store, ti) == 0 and core.check_progress(store) == 0  # reported once
    with core.at(400.0):
        core.submit_work(store, "t", "i0", w, [{"concept": "car"}], SRC)
    assert len(events) == 2 and core.check_progress(store) == 0
    assert [(e["phase"], e["previous"], e["state"], e["at"]) for e in events] == [
        ("in_progress", "waiting", "unlabeled", 130.0), ("settled", "in_progress", "approved", 400.0)]
    assert {e["item_id"] for e in events} == {"i0"} and {e["subscriber"] for e in events} == {"cf"}
    assert core.followed(store) == []  # a settled item is no longer followed


def test_unfollowed_items_and_other_subscribers_are_not_reported():
    store = make()
    mine, theirs = subscribe(store, "cf"), subscribe(store, "other")
    core.follow_item(store, "cf", "t", "i0", SRC)
    for item in ("i0", "i1"):
        core.submit_work(store, "t", item, worker_of(store, item), [{"concept": "car"}], SRC)
    other_ti = core.get_task_item(store, "t", "i1", SRC)["id"]
    assert core.check_progress(store, other_ti) == 0 and core.check_progress(store) == 0
    assert [e["item_id"] for e in mine] == ["i0"] and theirs == []


def test_without_a_subscriber_the_phase_waits_for_a_later_check():
    store = make()
    core.follow_item(store, "cf", "t", "i0", SRC)
    core.submit_work(store, "t", "i0", worker_of(store, "i0"), [{"concept": "car"}], SRC)
    assert core.check_progress(store) == 0
    assert [d["phase"] for d in core.followed(store, "cf")] == ["waiting"]
    events = subscribe(store)
    assert core.check_progress(store) == 1 and events[0]["phase"] == "settled"
    core.unsubscribe_progress(store, "cf")
    assert not core.subscribed(store, "cf")


def test_the_followed_phase_survives_export_and_import():
    store = make()
    core.follow_item(store, "cf", "t", "i0", SRC)
    state = store.export()
    again = Store()
    again.load(state)
    core.submit_work(again, "t", "i0", worker_of(again, "i0"), [{"concept": "bus"}], SRC)
    events = subscribe(again)
    assert core.check_progress(again) == 1 and events[0]["previous"] == "waiting"


def test_a_deleted_task_reports_gone():
    store = make()
    events = subscribe(store)
    core.follow_item(store, "cf", "t", "i0", SRC)
    core.delete_task(store, "t")
    assert core.check_progress(store) == 1
    assert events[0]["phase"] == "gone" and events[0]["at"] is None
    assert core.followed(store) == []


def test_review_keeps_an_item_in_progress_until_settled():
    store = make(workers=("a",), review={"strategy": "manual", "reviewers": ["r"]})
    events = subscribe(store)
    core.follow_item(store, "cf", "t", "i0", SRC)
    core.submit_work(store, "t", "i0", "a", [{"concept": "car"}], SRC)
    assert core.item_progress(store, "t", "i0", SRC)["phase"] == "in_progress"
    core.check_progress(store)
    core.review_item(store, "t", "i0", "r", "reject", source=SRC)
    core.check_progress(store)
    assert [(e["phase"], e["state"]) for e in events] == [("in_progress", "awaiting_review"), ("settled", "rejected")]


def test_arguments_are_checked():
    store = make()
    with pytest.raises(InvalidArgument):
        core.follow_item(store, "", "t", "i0", SRC)
    with pytest.raises(InvalidArgument):
        core.subscribe_progress(store, "cf", None)
    with pytest.raises(NotFound):
        core.follow_item(store, "cf", "t", "missing", SRC)


def test_a_session_reports_its_writes_when_it_flushes():
    store = make()
    events = subscribe(store)
    core.follow_item(store, "cf", "t", "i0", SRC)
    w = worker_of(store, "i0")
    with core.session(store) as s, core.at(250.0):
        s.submit("t", "i0", w, [{"concept": "car"}], source=SRC)
        assert events == []  # batched with the statistics
    assert [(e["phase"], e["at"]) for e in events] == [("settled", 250.0)]
