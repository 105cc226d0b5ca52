"""Workforce tasks, their samples, labeling and review, statistics, datasets, notify, members' task lists."""
from __future__ import annotations

import pytest

from ma_support import (DATASET, LABELER, LABELER2, REVIEWER, SAMPLES, SEEDED_TASK, TASKS, TEAM, V2, assert_error, ok)


def test_seed_examples_work_with_the_documented_ids(modelarts):
    """Seed 001 (create) with the workspace's team and emails, and seed 002 (details) on the seeded task."""
    c = modelarts
    body = {"task_name": "task-eb17", "synchronize_data": False, "synchronize_auto_labeling_data": False,
            "workforces_config": {"workforces": [{"workforce_id": TEAM, "workers": [
                {"email": LABELER["email"]}, {"email": LABELER2["email"]}, {"email": REVIEWER["email"]}]}]},
            "auto_sync_dataset": False}
    task = ok(c.post(TASKS, json=body))["task_id"]
    assert len(task) == 19
    detail = ok(c.get(f"{TASKS}/{SEEDED_TASK}"))
    assert detail["task_name"] == "task-e63f" and detail["status"] == 1 and detail["dataset_id"] == DATASET
    # as the page's example: sample and workforce statistics without asking, label statistics only when asked
    assert "sample_stats" in detail and "workforce_stats" in detail and "label_stats" not in detail
    bare = ok(c.get(f"{TASKS}/{SEEDED_TASK}", params={"sample_stats": "false", "workforce_stats": "false"}))
    assert "sample_stats" not in bare and "workforce_stats" not in bare and "data_sync_type" not in bare
    assert [w["email"] for w in detail["worker_stats"]] == [w["email"] for w in
                                                            [LABELER, LABELER2, REVIEWER, {"email": "admin@example.com"}]]
    full = ok(c.get(f"{TASKS}/{SEEDED_TASK}", params={"sample_stats": "true", "workforce_stats": "true"}))
    assert full["sample_stats"]["total_sample_count"] == len(SAMPLES) == 20
    assert full["workforce_stats"] == {"workforce_count": 1, "labeler_count": 2, "reviewer_count": 1}
    # repetition 1: the members' samples add up to the task's, field by field
    labelers = [w for w in full["worker_stats"] if w["role"] == 0]
    for field, value in full["sample_stats"].items():
        assert sum(w["sample_stats"][field] for w in labelers) == value, field


def test_task_list_update_start_delete(api):
    c = api.c
    team = api.team()
    t1 = api.task(team, "task-a")
    t2 = api.task(team, "task-b", description="second")
    listed = ok(c.get(TASKS))
    assert listed["count"] == 3  # with the seeded task
    assert "worker_stats" not in listed["tasks"][0] and "sample_stats" in listed["tasks"][0]
    page = ok(c.get(TASKS, params={"offset": 1, "limit": 1}))
    assert page["count"] == 3 and len(page["tasks"]) == 1
    assert ok(c.put(f"{TASKS}/{t1}", json={"task_name": "task-renamed", "description": "d"})) == {}
    got = api.detail(t1)
    assert got["task_name"] == "task-renamed" and got["description"] == "d" and got["status"] == 6
    assert_error(c.put(f"{TASKS}/{t2}", json={"task_name": "task-renamed"}), 400, "ModelArts.4620")
    # update the members: only one labeler left, the samples follow
    l1 = api.worker_id(team, "l1@example.com")
    ok(c.put(f"{TASKS}/{t1}", json={"workforces_config": {"workforces": [{"workforce_id": team, "workers": [
        {"worker_id": l1}]}]}}))
    got = api.detail(t1)
    assert got["workforce_stats"]["labeler_count"] == 1 and got["workforce_stats"]["reviewer_count"] == 0
    assert [w["sample_stats"]["total_sample_count"] for w in got["worker_stats"]] == [20]
    # start with a new config (both labelers)
    ok(c.post(f"{TASKS}/{t1}", json={"workforces_config": {"workforces": [{"workforce_id": team, "workers": [
        {"email": "l1@example.com"}, {"email": "l2@example.com"}]}]}}))
    got = api.detail(t1)
    assert got["status"] == 1
    assert sorted(w["sample_stats"]["total_sample_count"] for w in got["worker_stats"]) == [10, 10]
    assert c.delete(f"{TASKS}/{t2}").status_code == 204
    assert ok(c.get(TASKS))["count"] == 2


def test_task_errors(api):
    c = api.c
    team = api.team()
    api.task(team, "task-a")
    wf = {"workforces": [{"workforce_id": team}]}
    assert_error(c.post(TASKS, json={"task_name": "task-a", "workforces_config": wf}), 400, "ModelArts.4620")
    assert_error(c.post(f"{V2}/datasets/nope/workforce-tasks", json={"task_name": "x"}), 400, "ModelArts.4352")
    assert_error(c.post(TASKS, json={"task_name": "x", "workforces_config": {"workforces": [{"workforce_id": "nope"}]}}),
                 400, "ModelArts.4601")
    assert_error(c.post(TASKS, json={"task_name": "x", "workforces_config": {"workforces": [
        {"workforce_id": team, "workers": [{"email": "stranger@example.com"}]}]}}), 400, "ModelArts.4604")
    assert_error(c.post(TASKS, json={"task_name": "x", "repetition": 0}), 400, "ModelArts.0101")
    assert_error(c.post(TASKS, json={"task_name": "x", "sample_conditions": "color"}), 400, "ModelArts.0101")
    assert_error(c.post(TASKS, json={"task_name": 5}), 400, "ModelArts.0101")
    for method in ("get", "delete"):
        assert_error(getattr(c, method)(f"{TASKS}/nope"), 400, "ModelArts.4619")
    assert_error(c.put(f"{TASKS}/nope", json={"description": "x"}), 400, "ModelArts.4619")
    assert_error(c.post(f"{TASKS}/nope", json={}), 400, "ModelArts.4619")
    assert_error(c.get(f"{V2}/datasets/nope/workforce-tasks/{SEEDED_TASK}"), 400, "ModelArts.4352")
    assert_error(c.get(TASKS, params={"limit": 1001}), 400, "ModelArts.0101")
    assert_error(c.get(f"{TASKS}/{SEEDED_TASK}", params={"sample_stats": "maybe"}), 400, "ModelArts.0101")
    nobody = ok(c.post(f"{V2}/workforces", json={"workforce_name": "empty"}), 201)["workforce_id"]
    empty = api.task(nobody, "task-empty")
    assert_error(c.post(f"{TASKS}/{empty}", json={}), 400, "ModelArts.4621")


def test_samples_labels_review_and_filters(api):
    c = api.c
    team = api.team()
    task = api.task(team, repetition=1)
    base = f"{TASKS}/{task}/data-annotations"
    page = api.samples(task, limit=5)
    assert page["sample_count"] == 20 and len(page["samples"]) == 5
    assert ok(c.get(f"{base}/samples"))["samples"].__len__() == 10  # default limit
    first = page["samples"][0]
    assert first["sample_status"] == "__NONE__" and first["sample_name"].endswith(".jpg")
    assert len(first["labelers"]) == 1
    labeler_id = first["labelers"][0]["worker_id"]
    email = first["labelers"][0]["email"]
    # a member submits with the body's email instead of a worker_id
    ok(c.put(f"{base}/samples", json={"email": email, "samples": [
        {"sample_id": first["sample_id"], "labels": [{"name": "Bees", "type": 1, "property": {
            "@modelarts:shape": "bndbox", "@modelarts:feature": [[0, 10], [50, 95]]}}]}]}))
    one = ok(c.get(f"{base}/samples/{first['sample_id']}", params={"worker_id": labeler_id}))
    assert one["sample_status"] == "__UNREVIEWED__" and one["worker_id"] == labeler_id
    (label,) = one["labels"]
    assert {k: label[k] for k in ("name", "type", "property", "score", "annotated_by")} == {
        "name": "Bees", "type": 1, "property": {"@modelarts:shape": "bndbox", "@modelarts:feature": [[0, 10], [50, 95]]},
        "score": 1.0, "annotated_by": "human"}
    assert len(label["id"]) == 32 and ok(c.get(f"{base}/samples/{first['sample_id']}"))["labels"][0]["id"] == label["id"]
    assert api.samples(task, sample_state="__UNREVIEWED__")["sample_count"] == 1
    assert api.samples(task, sample_state="__NONE__")["sample_count"] == 19
    assert api.samples(task, sample_state="__ALL__")["sample_count"] == 1
    assert api.samples(task, label_name="Bees")["sample_count"] == 1
    assert api.samples(task, label_type=1)["sample_count"] == 1
    assert api.samples(task, label_type=0)["sample_count"] == 0
    assert api.samples(task, worker_id=labeler_id)["sample_count"] == 10
    assert_error(c.get(f"{base}/samples/{first['sample_id']}", params={"sample_state": "__NONE__"}), 400,
                 "ModelArts.4420")
    # another member may not label a sample it does not hold
    other = next(lb for s in api.samples(task)["samples"] for lb in s["labelers"] if lb["email"] != email)
    r = c.put(f"{base}/samples", json={"samples": [{"sample_id": first["sample_id"], "worker_id": other["worker_id"],
                                                      "labels": [{"name": "x"}]}]})
    assert_error(r, 403, "ModelArts.4600")
    assert_error(c.put(f"{base}/samples", json={"samples": [{"sample_id": "nope", "worker_id": labeler_id}]}), 400,
                 "ModelArts.4420")
    assert_error(c.put(f"{base}/samples", json={"samples": [{"sample_id": first["sample_id"], "worker_id": "f" * 32}]}),
                 400, "ModelArts.4604")
    assert_error(c.put(f"{base}/samples", json={"samples": [{"sample_id": first["sample_id"]}]}), 400, "ModelArts.0101")
    # review: refused -> rejected; reviewing again is refused; unknown reviewer is forbidden
    ok(c.post(f"{base}/review", json={"comments": [{"sample_id": first["sample_id"], "worker_id": labeler_id,
                                                     "accept": False, "comment": "box too wide", "score": "D"}]}))
    one = ok(c.get(f"{base}/samples/{first['sample_id']}"))
    assert one["sample_status"] == "__REJECTED__" and one["review_accept"] is False
    assert one["review_comment"] == "box too wide" and one["review_score"] == "D"
    again = c.post(f"{base}/review", json={"comments": [{"sample_id": first["sample_id"], "accept": True}]})
    assert_error(again, 400, "ModelArts.0101")
    second = page["samples"][1]
    assert_error(c.post(f"{base}/review", json={"email": "l1@example.com", "comments": [
        {"sample_id": second["sample_id"], "accept": True}]}), 403, "ModelArts.4600")
    assert_error(c.post(f"{base}/review", json={"comments": [{"sample_id": "nope", "accept": True}]}), 400,
                 "ModelArts.4420")
    assert_error(c.post(f"{base}/review", json={"comments": [{"sample_id": second["sample_id"], "accept": True,
                                                               "score": "E"}]}), 400, "ModelArts.0101")
    assert_error(c.get(f"{base}/samples", params={"sample_state": "__BOGUS__"}), 400, "ModelArts.0101")
    assert_error(c.get(f"{base}/samples", params={"limit": 101}), 400, "ModelArts.0101")
    assert_error(c.get(f"{base}/samples/nope"), 400, "ModelArts.4420")
    assert_error(c.get(f"{base}/samples", params={"worker_id": "f" * 32}), 400, "ModelArts.4604")
    # statistics
    stats = ok(c.get(f"{base}/stats", params={"sample_state": "__unreviewed__"}))
    assert stats["sample_stats"] == {"total": 20, "un_annotation": 19, "unreviewed": 0, "uncheck": 0, "sampled": 0,
                                     "rejected": 1, "accepted": 0, "auto_annotation": 0}
    assert stats["label_stats"] == [{"name": "Bees", "type": 0, "property": {}, "attributes": [], "count": 1,
                                     "sample_count": 1}]
    assert stats["key_sample_stats"]["total"] == 20
    metrics = ok(c.get(f"{TASKS}/{task}/metrics"))["sample_stats"]
    assert metrics[email]["rejected"] == 1 and metrics[email]["un_annotation"] == 9
    assert sum(m["un_annotation"] for m in metrics.values()) == 19
    assert_error(c.get(f"{TASKS}/nope/data-annotations/stats"), 400, "ModelArts.4619")
    assert_error(c.get(f"{TASKS}/nope/metrics"), 400, "ModelArts.4619")


def test_no_reviewers_labels_go_straight_to_acceptance(api):
    c = api.c
    team = api.team("team-nr", members=(("solo@example.com", 0),))
    task = api.task(team)
    api.label_all(task, team)
    stats = api.detail(task)["sample_stats"]
    assert stats["uncheck_sample_count"] == 20 and stats["unreviewed_sample_count"] == 0
    # the owner may still comment: recorded on the sample, the state stays with the acceptance
    first = sorted(held := api.samples(task)["samples"], key=lambda s: s["sample_id"])[0]["sample_id"]
    ok(c.post(f"{TASKS}/{task}/data-annotations/review", json={"comments": [
        {"sample_id": first, "accept": False, "comment": "meh", "score": "C"}]}))
    one = ok(c.get(f"{TASKS}/{task}/data-annotations/samples/{first}"))
    assert one["review_accept"] is False and one["review_score"] == "C" and one["sample_status"] == "__UNCHECK__"
    assert len(held) == 20


def test_sample_conditions_filter_the_samples(api):
    team = api.team()
    by_json = api.task(team, "task-json", sample_conditions='[{"metadata": {"op": "AND", "props": {"split": ["eval"]}}}]')
    assert api.detail(by_json)["sample_stats"]["total_sample_count"] == 5  # every 4th seeded sample
    by_pair = api.task(team, "task-pair", sample_conditions="sample_name=flower_03.jpg")
    assert [s["sample_name"] for s in api.samples(by_pair)["samples"]] == ["flower_03.jpg"]
    assert api.detail(by_pair)["sample_search_conditions"] == [{"sample_name": "flower_03.jpg"}]


@pytest.mark.parametrize("synchronize", [True, False])
def test_synchronize_data_takes_new_samples(api, synchronize):
    c = api.c
    ds = ok(c.post(f"{V2}/datasets", json={"dataset_name": "ds-sync", "label_type": 0}))["dataset_id"]
    ok(c.post(f"{V2}/datasets/{ds}/data-annotations/samples", json={"samples": [{"name": "a.jpg"}, {"name": "b.jpg"}]}))
    team = api.team()
    task = api.task(team, dataset=ds, synchronize_data=synchronize)
    assert api.detail(task, dataset=ds)["sample_stats"]["total_sample_count"] == 2
    added = ok(c.post(f"{V2}/datasets/{ds}/data-annotations/samples", json={"samples": [{"name": "c.jpg"}]}))
    assert added["success"] is True and len(added["results"][0]["sample_id"]) == 32
    assert api.detail(task, dataset=ds)["sample_stats"]["total_sample_count"] == (3 if synchronize else 2)


def test_datasets(modelarts):
    c = modelarts
    listed = ok(c.get(f"{V2}/datasets"))
    assert listed["total_number"] == 1 and listed["datasets"][0]["dataset_id"] == DATASET
    assert listed["datasets"][0]["total_sample_count"] == 20
    ds = ok(c.post(f"{V2}/datasets", json={"dataset_name": "texts", "label_type": 100}))["dataset_id"]
    assert len(ds) == 19
    ok(c.post(f"{V2}/datasets/{ds}/data-annotations/samples", json={"samples": [
        {"sample_id": "s1", "name": "t1.txt", "labels": [{"name": "spam", "type": 100}]}, {"name": "t2.txt"}]}))
    got = ok(c.get(f"{V2}/datasets/{ds}"))
    assert got["dataset_type"] == 100 and got["total_sample_count"] == 2 and got["annotated_sample_count"] == 1
    samples = ok(c.get(f"{V2}/datasets/{ds}/data-annotations/samples"))
    assert samples["sample_count"] == 2 and samples["samples"][0]["sample_type"] == 1
    assert ok(c.get(f"{V2}/datasets/{ds}/data-annotations/samples/s1"))["labels"][0]["name"] == "spam"
    assert ok(c.get(f"{V2}/datasets/{ds}/data-annotations/samples", params={"sample_state": "__NONE__"}))[
        "sample_count"] == 1
    assert_error(c.post(f"{V2}/datasets/{ds}/data-annotations/samples", json={"samples": [{"sample_id": "s1"}]}), 400,
                 "ModelArts.0101")
    assert_error(c.get(f"{V2}/datasets/nope"), 400, "ModelArts.4352")
    assert_error(c.get(f"{V2}/datasets/nope/data-annotations/samples"), 400, "ModelArts.4352")
    assert_error(c.post(f"{V2}/datasets/nope/data-annotations/samples", json={"samples": [{"name": "x"}]}), 400,
                 "ModelArts.4352")
    assert_error(c.get(f"{V2}/datasets/{ds}/data-annotations/samples/nope"), 400, "ModelArts.4420")
    assert_error(c.post(f"{V2}/datasets", json={}), 400, "ModelArts.0101")


def test_notify_and_member_task_list(modelarts):
    c = modelarts
    sent = ok(c.post(f"{TASKS}/{SEEDED_TASK}/notify", json={"emails": [LABELER["email"], LABELER2["email"]]}))
    assert sent == {"success": True, "results": [{"success": True}, {"success": True}]}
    rows = ok(c.get(f"{TASKS}/{SEEDED_TASK}"))["worker_stats"]
    mine = next(r for r in rows if r["email"] == LABELER["email"])
    assert mine["email_status"] == 3 and mine["last_notify_time"] > 0
    assert next(r for r in rows if r["email"] == REVIEWER["email"])["email_status"] == 0
    partial = ok(c.post(f"{TASKS}/{SEEDED_TASK}/notify", json={"emails": "stranger@example.com"}))
    assert partial["success"] is False and partial["results"][0]["error_code"] == "ModelArts.4604"
    assert_error(c.post(f"{TASKS}/nope/notify", json={"emails": ["a@example.com"]}), 400, "ModelArts.4619")
    assert_error(c.post(f"{TASKS}/{SEEDED_TASK}/notify", json={}), 400, "ModelArts.0101")
    tasks = ok(c.get(f"{V2}/workforces/worker-tasks", params={"email": LABELER["email"]}))
    assert tasks["count"] == 1
    row = tasks["worker_tasks"][0]
    assert row["worker_id"] == LABELER["worker_id"] and row["task_status"] == 1
    assert row["workforce_task_name"] == "task-e63f" and row["sample_stats"]["total_sample_count"] == 10
    everyone = ok(c.get(f"{V2}/workforces/worker-tasks", params={"limit": 2}))
    assert everyone["count"] == 4 and len(everyone["worker_tasks"]) == 2
    assert ok(c.get(f"{V2}/workforces/worker-tasks", params={"search_content": "zzz"}))["count"] == 0


def test_task_list_offset_far_past_the_data_is_empty_not_an_error(modelarts):
    r = modelarts.get(TASKS, params={"offset": 10**30, "limit": 10})
    assert r.status_code == 200
    assert r.json()["tasks"] == [] and r.json()["count"] >= 1


def test_task_list_follows_every_change(api):
    """The list page (read before and after each change, so each read could reuse the one before it) shows
    every kind of change: the task's own fields, its core status, labels (counters changed in place), the
    team's members, an acceptance."""
    c = api.c
    team = api.team("team-follow", members=(("l1@example.com", 0), ("l2@example.com", 0)))
    task = api.task(team, "task-follow")

    def row():
        page = ok(c.get(TASKS, params={"offset": 0, "limit": 20}))
        assert page == ok(c.get(TASKS, params={"offset": 0, "limit": 20}))  # a second read of the same state
        return next(t for t in page["tasks"] if t["task_id"] == task)

    first = row()
    assert first["status"] == 6 and first["sample_stats"]["unannotated_sample_count"] == 20
    ok(c.put(f"{TASKS}/{task}", json={"task_name": "task-renamed", "description": "now described"}))
    assert (row()["task_name"], row()["description"]) == ("task-renamed", "now described")
    ok(c.post(f"{TASKS}/{task}", json={}))
    assert row()["status"] == 1
    api.label_all(task, team)
    labeled = row()["sample_stats"]
    assert labeled["unannotated_sample_count"] == 0 and labeled["uncheck_sample_count"] == 20
    members = {w["email"]: w for wf in row()["workforces_config"]["workforces"] for w in wf["workers"]}
    assert members["l2@example.com"]["status"] != 3
    gone = api.worker_id(team, "l2@example.com")
    assert ok(c.post(f"{V2}/workforces/{team}/workers/batch-delete", json={"workers": [gone]}))["success"]
    members = {w["email"]: w for wf in row()["workforces_config"]["workforces"] for w in wf["workers"]}
    assert members["l2@example.com"]["status"] == 3  # removed from its team since
    assert "checking_task_desc" not in row()
    checking = ok(c.post(f"{TASKS}/{task}/acceptance", json={"sampling_num": 5}))["task_id"]
    after = row()
    assert after["checking_task_desc"]["checking_task_id"] == checking
    assert after["sample_stats"]["sampled_sample_count"] == 5 and after["check_rate"] == 0.25


def test_task_list_follows_the_simulated_team(modelarts):
    """Simulated members label, review and accept over the clock: after each step the list page (read
    before it too) agrees with the samples themselves."""
    c = modelarts
    assert c.post("/_mock/scenario", json={"path": "modelarts-quickstart.yaml"}).status_code == 200
    assert c.post("/_mock/clock", json={"mode": "manual"}).status_code == 200
    seen = []
    for step in (0, 60, 60, 120, 600):  # (the quick start is accepted within ten minutes)
        assert c.post("/_mock/clock", json={"advance": step}).status_code == 200
        page = ok(c.get(TASKS, params={"offset": 0, "limit": 20}))
        assert page == ok(c.get(TASKS, params={"offset": 0, "limit": 20}))
        stats = next(t for t in page["tasks"] if t["task_id"] == SEEDED_TASK)["sample_stats"]
        samples = ok(c.get(f"{TASKS}/{SEEDED_TASK}/data-annotations/samples", params={"limit": 100}))["samples"]
        by_status = {s: sum(x["sample_status"] == s for x in samples)
                     for s in ("__NONE__", "__UNREVIEWED__", "__ACCEPTED__", "__REJECTED__")}
        assert stats["unannotated_sample_count"] == by_status["__NONE__"], (step, stats, by_status)
        assert stats["unreviewed_sample_count"] == by_status["__UNREVIEWED__"], (step, stats, by_status)
        seen.append(stats)
    assert seen[0]["unannotated_sample_count"] == 20 and seen[-1]["unannotated_sample_count"] == 0
    assert len({tuple(sorted(s.items())) for s in seen}) >= 4  # the figures moved at (nearly) every step
