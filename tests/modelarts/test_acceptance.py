"""Acceptance (sampling) tasks: start by rate or number, comments, report, the six actions."""
from __future__ import annotations

import pytest

from ma_support import TASKS, assert_error, ok


@pytest.fixture
def labeled(api):
    """A started task whose 20 samples are labeled by one labeler (no reviewer: all wait for acceptance)."""
    team = api.team("team-acc", members=(("solo@example.com", 0),))
    task = api.task(team)
    ok(api.c.post(f"{TASKS}/{task}", json={}))
    held = api.label_all(task, team)
    return api, task, held


def _start(api, task, **body):
    return ok(api.c.post(f"{TASKS}/{task}/acceptance", json=body))["task_id"]


def _report(api, task, checking):
    return ok(api.c.get(f"{TASKS}/{task}/acceptance/report", params={"checking_task_id": checking}))


def _sampled(api, task):
    return [s["sample_id"] for s in api.samples(task, sample_state="__WORKFORCE_SAMPLED__")["samples"]]


def _status(api, task, action, overwrite=False):
    return api.c.put(f"{TASKS}/{task}/acceptance/status", json={"action": action, "overwrite_last_result": overwrite})


def test_start_by_number_and_errors(labeled):
    api, task, held = labeled
    checking = _start(api, task, sampling_num=3)
    report = _report(api, task, checking)
    assert report["checking_stats"]["sampling_num"] == 3 and report["checking_stats"]["sampled_sample_count"] == 3
    assert report["checking_stats"]["total_sample_count"] == 20
    assert api.detail(task)["sample_stats"]["sampled_sample_count"] == 3
    assert api.detail(task)["check_rate"] == 3 / 20
    assert_error(api.c.post(f"{TASKS}/{task}/acceptance", json={"sampling_rate": 0.5}), 400, "ModelArts.4623")
    assert_error(api.c.post(f"{TASKS}/{task}", json={}), 400, "ModelArts.4623")  # cannot restart while accepting
    assert_error(api.c.get(f"{TASKS}/{task}/acceptance/report", params={"checking_task_id": "nope"}), 400,
                 "ModelArts.4612")
    # without checking_task_id (as the page's example): the history alone
    history = ok(api.c.get(f"{TASKS}/{task}/acceptance/report"))
    assert set(history) == {"total_stats"} and history["total_stats"]["sampled_sample_count"] == 3
    assert_error(api.c.post(f"{TASKS}/{task}/acceptance/batch-comment", json={"comments": [
        {"sample_id": "nope", "accept": True}]}), 400, "ModelArts.4420")
    not_sampled = next(s for s in held if s not in _sampled(api, task))
    assert_error(api.c.post(f"{TASKS}/{task}/acceptance/batch-comment", json={"comments": [
        {"sample_id": not_sampled, "accept": True}]}), 400, "ModelArts.4420")
    assert_error(api.c.post(f"{TASKS}/{task}/acceptance/batch-comment", json={"comments": [
        {"sample_id": _sampled(api, task)[0], "accept": True, "worker_id": "f" * 32}]}), 400, "ModelArts.4604")
    assert_error(_status(api, task, 9), 400, "ModelArts.0101")


def test_acceptance_errors_without_one(api):
    team = api.team("team-x", members=(("solo@example.com", 0),))
    task = api.task(team)
    assert_error(api.c.post(f"{TASKS}/{task}/acceptance", json={"sampling_rate": 0.2}), 400, "ModelArts.4625")
    assert_error(api.c.post(f"{TASKS}/{task}/acceptance", json={}), 400, "ModelArts.0101")
    assert_error(api.c.post(f"{TASKS}/{task}/acceptance", json={"sampling_rate": 1.5}), 400, "ModelArts.0101")
    assert_error(api.c.post(f"{TASKS}/{task}/acceptance", json={"sampling_rate": 0}), 400, "ModelArts.0101")
    assert_error(_status(api, task, 0), 400, "ModelArts.4624")
    assert_error(_status(api, task, 3), 400, "ModelArts.4624")
    assert_error(api.c.post(f"{TASKS}/{task}/acceptance/batch-comment", json={"comments": [
        {"sample_id": "x", "accept": True}]}), 400, "ModelArts.4624")
    assert_error(api.c.post(f"{TASKS}/nope/acceptance", json={"sampling_rate": 0.2}), 400, "ModelArts.4619")


def test_reject_all_then_restart(labeled):
    api, task, held = labeled
    checking = _start(api, task, sampling_rate=0.2)
    first = _sampled(api, task)[0]
    ok(api.c.post(f"{TASKS}/{task}/acceptance/batch-comment", json={"comments": [
        {"sample_id": first, "worker_id": held[first][0], "accept": True, "score": "B"}]}))
    ok(_status(api, task, 1))  # reject all, keeping the comment already given
    detail = api.detail(task)
    assert detail["status"] == 4
    report = _report(api, task, checking)["checking_stats"]
    assert report["accepted_sample_count"] == 1 and report["rejected_sample_count"] == 3
    assert detail["sample_stats"]["rejected_sample_count"] == 3
    assert detail["sample_stats"]["uncheck_sample_count"] == 16
    ok(api.c.post(f"{TASKS}/{task}", json={}))
    assert api.detail(task)["status"] == 1


def test_overwrite_last_result(labeled):
    api, task, held = labeled
    checking = _start(api, task, sampling_num=4)
    first = _sampled(api, task)[0]
    ok(api.c.post(f"{TASKS}/{task}/acceptance/batch-comment", json={"comments": [
        {"sample_id": first, "worker_id": held[first][0], "accept": False, "score": "D"}]}))
    ok(_status(api, task, 0, overwrite=True))
    report = _report(api, task, checking)["checking_stats"]
    assert report["accepted_sample_count"] == 4 and report["rejected_sample_count"] == 0
    assert api.detail(task)["sample_stats"]["accepted_sample_count"] == 20


def test_cancel_restores_the_task(labeled):
    api, task, _ = labeled
    _start(api, task, sampling_num=2)
    ok(_status(api, task, 2))
    detail = api.detail(task)
    assert detail["status"] == 1 and detail["sample_stats"]["sampled_sample_count"] == 0
    assert detail["sample_stats"]["uncheck_sample_count"] == 20
    assert _sampled(api, task) == []
    second = _start(api, task, sampling_num=2)  # a new one may start
    assert len(second) == 19


def test_pass_accepted_only_and_conflicts(api):
    c = api.c
    team = api.team("team-two", members=(("a@example.com", 0), ("b@example.com", 0)))
    task = api.task(team, repetition=2)
    held = api.label_all(task, team)
    checking = _start(api, task, sampling_num=3)
    s1, s2, s3 = _sampled(api, task)
    comments = [{"sample_id": s1, "worker_id": held[s1][0], "accept": True, "score": "A"},
                {"sample_id": s1, "worker_id": held[s1][1], "accept": False, "score": "C"},
                {"sample_id": s2, "worker_id": held[s2][0], "accept": True, "score": "A"}]
    ok(c.post(f"{TASKS}/{task}/acceptance/batch-comment", json={"comments": comments}))
    conflicts = ok(_status(api, task, 3))
    assert conflicts["sample_count"] == 1 and conflicts["samples"][0]["sample_id"] == s1
    assert api.samples(task, sample_state="__WORKFORCE_SAMPLED_CHECKED__")["sample_count"] == 2
    assert api.samples(task, sample_state="__WORKFORCE_SAMPLED_UNCHECK__")["sample_count"] == 1
    ok(_status(api, task, 5))  # pass the accepted only: s3 keeps no result
    report = _report(api, task, checking)
    cs = report["checking_stats"]
    assert (cs["accepted_sample_count"], cs["rejected_sample_count"], cs["unchecked_sample_count"]) == (1, 1, 1)
    assert report["total_stats"]["accepted_sample_count"] == 1
    detail = api.detail(task)
    assert detail["status"] == 3
    by_email = {w["email"]: w for w in detail["worker_stats"]}
    assert by_email["b@example.com"]["sample_stats"]["rejected_sample_count"] == 1
    assert by_email["a@example.com"]["pass_rate"] == 1.0
