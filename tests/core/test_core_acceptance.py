"""ModelArts-style acceptance: sampling, comments, report and actions."""
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

import mockserver.core as core
from mockserver.core import AcceptanceRunning, Conflict, CoreError, InvalidArgument, InvalidState, NotFound
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
    # the 7 unchecked passed by action 4 have a result now: checked, and counted in the pass rate
    assert (rep["checked"], rep["unchecked"], rep["commented"], rep["pass_rate"]) == (10, 0, 3, 0.8)
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


# ---------------------------------------------------------------- report figures (see core.acceptance)

def check_report(rep):
    """What every report (and history) must satisfy, whatever happened before."""
    assert rep["sampled"] == rep["checked"] + rep["unchecked"] and rep["unchecked"] >= 0
    assert rep["checked"] == rep["accepted"] + rep["rejected"]
    assert 0 <= rep["commented"] <= rep["checked"]
    assert 0.0 <= rep["pass_rate"] <= 1.0
    assert rep["pass_rate"] == (rep["accepted"] / rep["checked"] if rep["checked"] else 0.0)
    assert (rep["score"] is None) == (rep["score_n"] == 0)
    assert rep["score"] is None or 40 <= rep["score"] <= 100
    for figures in rep["workers"].values():
        assert figures["checked"] == figures["accepted"] + figures["rejected"]
        assert 0.0 <= figures["pass_rate"] <= 1.0


def six_commented():
    """6 samples (s0..s5, labeled by a and b): s0 accepted by both, s1 rejected, s2 in conflict, s3-s5 unchecked."""
    store = labeled(n=6)
    acc = core.start_acceptance(store, "m")
    assert len(acc["samples"]) == 6
    core.comment(store, acc["id"], "s0", "a", True, "A")
    core.comment(store, acc["id"], "s0", "b", True, "B")
    core.comment(store, acc["id"], "s1", "a", False, "D")
    core.comment(store, acc["id"], "s2", "a", True, "B")
    core.comment(store, acc["id"], "s2", "b", False, "C")
    rep = core.report(store, acc["id"])
    check_report(rep)
    assert (rep["sampled"], rep["checked"], rep["unchecked"], rep["accepted"], rep["rejected"]) == (6, 3, 3, 1, 2)
    assert rep["commented"] == 3 and rep["pass_rate"] == pytest.approx(1 / 3)
    return store, acc["id"]


# action -> (status, sampled, checked, unchecked, accepted, rejected), overwrite_last_result false
AFTER_ACTION = {
    0: ("accepted", 6, 6, 0, 4, 2),    # the unchecked pass, commented results stay
    1: ("rejected", 6, 6, 0, 1, 5),    # the unchecked are rejected, commented results stay
    2: ("cancelled", 0, 0, 0, 0, 0),   # the sampling is forgotten: the items leave the acceptance
    3: ("running", 6, 3, 3, 1, 2),     # conflicts only: nothing changes
    4: ("accepted", 6, 6, 0, 4, 2),    # accepted plus unchecked pass: nothing left unchecked
    5: ("accepted", 6, 3, 3, 1, 2),    # accepted only: the unchecked stay unchecked
}


@pytest.mark.parametrize("action", sorted(AFTER_ACTION), ids=[f"action{a}" for a in sorted(AFTER_ACTION)])
def test_report_after_action(action):
    store, acc_id = six_commented()
    result = core.act(store, acc_id, action)
    rep = core.report(store, acc_id)
    check_report(rep)
    status, sampled, checked, unchecked, accepted, rejected = AFTER_ACTION[action]
    assert (rep["status"], rep["sampled"], rep["checked"], rep["unchecked"], rep["accepted"],
            rep["rejected"]) == AFTER_ACTION[action]
    assert rep["pass_rate"] == (accepted / checked if checked else 0.0)
    assert rep["commented"] == (0 if action == 2 else 3)
    if action == 3:
        assert [c["item_id"] for c in result["conflicts"]] == ["s2"]
    if action != 2:
        # verdicts per worker: a accepted s0 and s2, rejected s1; b accepted s0, rejected s2
        assert rep["workers"]["a"] == {"checked": 3, "accepted": 2, "rejected": 1, "pass_rate": 2 / 3}
        assert rep["workers"]["b"] == {"checked": 2, "accepted": 1, "rejected": 1, "pass_rate": 0.5}
        assert rep["score"] == pytest.approx((100 + 80 + 40 + 80 + 60) / 5)
    history = core.acceptance_history(store, "m")
    check_report(history)
    assert history["acceptances"] == (0 if action == 2 else 1)
    assert {k: history[k] for k in ("sampled", "checked", "accepted", "rejected", "pass_rate")} == \
        {k: rep[k] for k in ("sampled", "checked", "accepted", "rejected", "pass_rate")}
    stats = core.task_stats(store, "m")
    assert stats == core.recount(store, "m")
    assert (stats["acceptance"]["accepted"], stats["acceptance"]["rejected"]) == (rep["accepted"], rep["rejected"])


def test_pass_rate_never_exceeds_one_after_passing_the_unchecked():
    # Before: 4 sampled, 1 commented and accepted, action 4 -> pass_rate 4.0 (accepted 4 / checked 1).
    store = labeled(n=4)
    acc = core.start_acceptance(store, "m")
    core.comment(store, acc["id"], "s0", None, True, "A")
    core.act(store, acc["id"], 4)
    rep = core.report(store, acc["id"])
    check_report(rep)
    assert (rep["checked"], rep["unchecked"], rep["accepted"], rep["pass_rate"]) == (4, 0, 4, 1.0)


def test_history_sums_the_acceptances_not_cancelled():
    store = labeled(n=10)
    first = core.start_acceptance(store, "m", number=3)["id"]
    core.act(store, first, 2)
    second = core.start_acceptance(store, "m", number=4)
    for tid in second["samples"][:2]:
        core.comment(store, second["id"], tid.split("|")[-1], "a", tid == second["samples"][0], "B")
    core.act(store, second["id"], 5)
    history = core.acceptance_history(store, "m")
    check_report(history)
    rep = core.report(store, second["id"])
    assert history["acceptances"] == 1
    assert {k: v for k, v in history.items() if k not in ("task_id", "acceptances")} == \
        {k: v for k, v in rep.items() if k not in ("acceptance_id", "task_id", "status", "action")}
    assert (history["checked"], history["accepted"], history["rejected"], history["pass_rate"]) == (2, 1, 1, 0.5)
    with pytest.raises(NotFound):
        core.acceptance_history(store, "nope")


acc_op = st.one_of(
    st.tuples(st.just("comment"), st.integers(0, 7), st.sampled_from(["a", "b", None]), st.booleans(),
              st.sampled_from(["A", "B", "C", "D", None])),
    st.tuples(st.just("act"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("start"), st.integers(1, 8)),
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(acc_op, max_size=25))
@example(ops=[("start", 4), ("comment", 0, "a", True, "A"), ("act", 4, False)])
def test_reports_stay_consistent_after_any_comment_and_act_sequence(ops):
    store = labeled(n=8)
    for step in ops:
        current = core.get_task(store, "m")["acceptance_id"]
        try:
            if step[0] == "start":
                core.start_acceptance(store, "m", number=step[1])
            elif current and step[0] == "comment":
                samples = core.get_acceptance(store, current)["samples"]
                item = samples[step[1] % len(samples)].split("|")[-1]
                core.comment(store, current, item, step[2], step[3], step[4])
            elif current and step[0] == "act":
                core.act(store, current, step[1], step[2])
        except CoreError:
            pass
        reports = [core.report(store, a["id"]) for a in core.list_acceptances(store, "m")]
        for rep in reports:
            check_report(rep)
            if rep["status"] == "cancelled":
                assert rep["sampled"] == 0
        history = core.acceptance_history(store, "m")
        check_report(history)
        live = [r for r in reports if r["status"] != "cancelled"]
        for field in ("sampled", "checked", "commented", "accepted", "rejected", "score_sum", "score_n"):
            assert history[field] == sum(r[field] for r in live)
        stats = core.task_stats(store, "m")
        assert stats == core.recount(store, "m")
        acc = stats["acceptance"]
        assert (acc["sampled"], acc["accepted"], acc["rejected"], acc["checked"]) == \
            (history["sampled"], history["accepted"], history["rejected"], history["commented"])
