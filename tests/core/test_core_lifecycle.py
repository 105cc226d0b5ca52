"""The task lifecycle table: every (status, status) pair through the public calls that change a status."""
import itertools

import pytest

import mockserver.core as core
from mockserver.core import IllegalTransition, InvalidArgument, InvalidState
from mockserver.store import Store

SRC = "modelarts:dataset:p/ds"
OPEN = ("created", "idle", "running", "in_progress")
CLOSED = ("done", "wont_do", "failed")


def task_in(status: str) -> Store:
    """A task with one approved item, put in ``status`` the way a client would get it there."""
    store = Store()
    core.add_items(store, SRC, [{"id": "s0"}])
    core.create_task(store, {"id": "t", "sources": [SRC], "workers": ["a"], "seed": 1, "status": "running"})
    core.submit_work(store, "t", "s0", "a", [{"concept": "cat"}])
    if status in ("accepting", "accepted", "rejected"):
        acc = core.start_acceptance(store, "t", number=1)
        if status != "accepting":
            core.act(store, acc["id"], 0 if status == "accepted" else 1)
    else:
        core.set_task_status(store, "t", status)
    assert core.get_task(store, "t")["status"] == status
    return store


@pytest.mark.parametrize("current,requested", list(itertools.product(core.TASK_STATUSES, repeat=2)))
def test_owner_changes_follow_the_table(current, requested):
    store = task_in(current)
    allowed = requested == current or (current != "accepting" and requested in OPEN + CLOSED)
    assert core.can_change(current, requested) is allowed
    if allowed:
        assert core.set_task_status(store, "t", requested)["status"] == requested
        return
    with pytest.raises(IllegalTransition) as info:
        core.update_task(store, "t", {"status": requested, "meta": {"x": 1}})
    assert (info.value.current, info.value.requested, info.value.by) == (current, requested, "owner")
    assert isinstance(info.value, InvalidState)
    task = core.get_task(store, "t")
    assert task["status"] == current and "x" not in (task.get("meta") or {})  # nothing applied


def test_an_unknown_status_is_an_argument_error_not_a_transition():
    store = task_in("running")
    with pytest.raises(InvalidArgument):
        core.set_task_status(store, "t", "paused")
    with pytest.raises(InvalidArgument):
        core.create_task(store, {"id": "u", "sources": [SRC], "workers": ["a"], "status": "paused"})


@pytest.mark.parametrize("current", [s for s in core.TASK_STATUSES if s != "accepting"])
def test_an_acceptance_starts_from_any_status_but_accepting(current):
    store = task_in(current)
    acc = core.start_acceptance(store, "t", number=1)
    assert core.get_task(store, "t")["status"] == "accepting"
    core.act(store, acc["id"], 2)  # cancelled: back to where it was
    assert core.get_task(store, "t")["status"] == current


@pytest.mark.parametrize("action,ends", [(0, "accepted"), (1, "rejected"), (4, "accepted"), (5, "accepted")])
def test_a_decision_ends_the_acceptance(action, ends):
    store = task_in("running")
    acc = core.start_acceptance(store, "t", number=1)
    core.act(store, acc["id"], action)
    assert core.get_task(store, "t")["status"] == ends
    assert core.can_change(ends, "running")  # open to relabeling again


def test_the_table_names_only_known_statuses():
    for by, rows in core.TRANSITIONS.items():
        assert set(rows) == set(core.TASK_STATUSES), by
        for targets in rows.values():
            assert set(targets) <= set(core.TASK_STATUSES)
