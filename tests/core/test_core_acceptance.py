"""ModelArts-style acceptance: sampling, comments, report and actions."""
import pytest

import mockserver.core as core
from mockserver.core import AcceptanceRunning, Conflict, InvalidArgument, InvalidState, NotFound
from mockserver.store import Store

SRC = "modelarts:dataset:p/ds"


def labeled(n=20, workers=("a", "b"), k=2):
    store = Store()
    core.add_items(store, SRC, [{"id": f"s{i}"} for i in range(n)])
    core.create_task(store, {"id": "m", "sources": [SRC], "workers": list(workers),
                             "assignment": {"workers_per_input": k}, "seed": 5})
    core.set_task_status(store, "m", "running")
    for w in workers:
        for work in core.next_assignments(store, "m", w, 10**6):
            core.submit_work(store, "m", work["item_id"], w, [{"concept": "cat"}])
    return store


def test_sampling_comments_report_and_pass():
    store = labeled()
    acc = core.start_acceptance(store, "m", rate=0.5)
    assert len(acc["samples"]) == 10 and core.get_task(store, "m")["status"] == "accepting"
    again = core.start_acceptance(labeled(), "m", rate=0.5)
    assert again["samples"] == acc["samples"]  # seeded
    with pytest.raises(AcceptanceRunning):
        core.start_acceptance(store, "m", number=2)
    assert issubclass(AcceptanceRunning, Conflict)
    items = [core.get_task_item(store, "m", s.split("|")[-1]) for s in acc["samples"]]
    first, second, third = (i["item_id"] for i in items[:3])
    core.comment(store, acc["id"], first, "a", True, "A", "good")
    core.comment(store, acc["id"], first, "b", True, "B")
    core.comment(store, acc["id"], second, "a", False, "D", "wrong")
    core.comment(store, acc["id"], third, "a", True, "C")
    core.comment(store, acc["id"], third, "b", False, "D")
    with pytest.raises(NotFound):
        core.comment(store, acc["id"], first, "zed", True, "A")
    with pytest.raises(InvalidArgument):
        core.comment(store, acc["id"], first, "a", True, "E")
    rep = core.report(store, acc["id"])
    assert (rep["sampled"], rep["checked"], rep["unchecked"], rep["accepted"], rep["rejected"]) == (10, 3, 7, 1, 2)
    assert rep["pass_rate"] == pytest.approx(1 / 3)
    assert rep["score"] == pytest.approx((100 + 80 + 40 + 60 + 40) / 5)
    assert [c["item_id"] for c in core.act(store, acc["id"], 3)["conflicts"]] == [third]
    stats = core.task_stats(store, "m")
    assert stats["acceptance"] == {"sampled": 10, "checked": 3, "accepted": 1, "rejected": 2, "uncheck": 7}
    assert stats == core.recount(store, "m")
    core.act(store, acc["id"], 4)
    rep = core.report(store, acc["id"])
    assert (rep["accepted"], rep["rejected"], rep["status"]) == (8, 2, "accepted")
    assert core.get_task(store, "m")["status"] == "accepted"
    assert core.task_stats(store, "m") == core.recount(store, "m")
    with pytest.raises(InvalidState):
        core.act(store, acc["id"], 0)


@pytest.mark.parametrize("action,overwrite,accepted,rejected,status", [
    (0, False, 4, 1, "accepted"), (0, True, 5, 0, "accepted"), (1, False, 0, 5, "rejected"),
    (1, True, 0, 5, "rejected"), (5, False, 0, 1, "accepted")])
def test_actions(action, overwrite, accepted, rejected, status):
    store = labeled(n=5)
    acc = core.start_acceptance(store, "m")
    core.comment(store, acc["id"], "s0", None, False, "D")
    core.act(store, acc["id"], action, overwrite)
    rep = core.report(store, acc["id"])
    assert (rep["accepted"], rep["rejected"]) == (accepted, rejected)
    assert core.get_task(store, "m")["status"] == status
    assert core.task_stats(store, "m") == core.recount(store, "m")


def test_cancel_restores_status_and_allows_a_new_acceptance():
    store = labeled(n=5)
    acc = core.start_acceptance(store, "m", number=2)
    core.comment(store, acc["id"], core.get_acceptance(store, acc["id"])["samples"][0].split("|")[-1], "a", True, "A")
    core.act(store, acc["id"], 2)
    assert core.get_task(store, "m")["status"] == "running"
    assert core.task_stats(store, "m")["acceptance"]["sampled"] == 0
    assert core.start_acceptance(store, "m", number=3)["id"] != acc["id"]
    assert len(core.list_acceptances(store, "m")) == 2


def test_nothing_to_accept():
    store = Store()
    core.add_items(store, SRC, [{"id": "x"}])
    core.create_task(store, {"id": "m", "sources": [SRC], "workers": ["a"]})
    with pytest.raises(InvalidState):
        core.start_acceptance(store, "m")
    with pytest.raises(NotFound):
        core.report(store, "nope")
