"""A whole team-labeling cycle over HTTP, checking that every count agrees with the others."""
from __future__ import annotations

from ma_support import TASKS, V2, DATASET, ok


def _sum_worker(detail, field):
    return sum(w["sample_stats"][field] for w in detail["worker_stats"] if w["role"] == 0)


def test_full_cycle_repetition_two_review_acceptance(api):
    c = api.c
    team = api.team()
    task = api.task(team, repetition=2)
    base = f"{TASKS}/{task}"
    assert api.detail(task)["status"] == 6  # created, not started
    ok(c.post(base, json={}))
    detail = api.detail(task)
    assert detail["status"] == 1
    assert detail["workforce_stats"] == {"workforce_count": 1, "labeler_count": 2, "reviewer_count": 1}
    total = detail["sample_stats"]["total_sample_count"]
    assert total == 20
    # repetition 2 with two labelers: each sample goes to both, so each member holds every sample
    assert _sum_worker(detail, "total_sample_count") == 2 * total
    for s in api.samples(task)["samples"]:
        assert len(s["labelers"]) == 2

    held = api.label_all(task, team)
    detail = api.detail(task)
    assert detail["sample_stats"]["unreviewed_sample_count"] == 20
    assert _sum_worker(detail, "unreviewed_sample_count") == 2 * 20
    assert {lb["name"]: lb["count"] for lb in detail["label_stats"]} == {"cat": 40}

    # the reviewer passes all but two samples
    sample_ids = sorted(held)
    refused = sample_ids[:2]
    comments = [{"sample_id": s, "worker_id": held[s][0], "accept": s not in refused, "comment": "", "score": "A"}
                for s in sample_ids]
    ok(c.post(f"{base}/data-annotations/review", json={"comments": comments}))
    stats = api.detail(task)["sample_stats"]
    assert stats["uncheck_sample_count"] == 18 and stats["rejected_sample_count"] == 2
    assert api.samples(task, sample_state="__UNCHECK__")["sample_count"] == 18
    assert api.samples(task, sample_state="__REVIEWED__")["sample_count"] == 20

    # acceptance at 20% of the 18 approved samples
    checking = ok(c.post(f"{base}/acceptance", json={"sampling_rate": 0.2}))["task_id"]
    assert len(checking) == 19
    assert api.detail(task)["status"] == 2
    sampled = api.samples(task, sample_state="__WORKFORCE_SAMPLED__")["samples"]
    assert len(sampled) == round(0.2 * 18)
    report = ok(c.get(f"{base}/acceptance/report", params={"checking_task_id": checking}))["checking_stats"]
    assert report["sampled_sample_count"] == len(sampled) and report["unchecked_sample_count"] == len(sampled)
    assert report["score"] == "E"

    # the owner comments: every worker's labels of the first sample pass with A; the last sample fails with C
    first, last = sampled[0]["sample_id"], sampled[-1]["sample_id"]
    comments = [{"sample_id": first, "worker_id": w, "accept": True, "score": "A"} for w in held[first]]
    comments += [{"sample_id": last, "worker_id": held[last][0], "accept": False, "score": "C", "comment": "wrong"}]
    ok(c.post(f"{base}/acceptance/batch-comment", json={"comments": comments}))
    report = ok(c.get(f"{base}/acceptance/report", params={"checking_task_id": checking}))
    cs = report["checking_stats"]
    assert (cs["checked_sample_count"], cs["accepted_sample_count"], cs["rejected_sample_count"]) == (2, 1, 1)
    assert cs["unchecked_sample_count"] == len(sampled) - 2
    assert cs["pass_rate"] == 0.5
    assert cs["total_score"] == 100 + 100 + 60 and cs["score"] == "B"  # mean 86.7
    assert report["total_stats"]["checked_sample_count"] == 2
    assert api.samples(task, sample_state="__WORKFORCE_SAMPLED_ACCEPTED__")["sample_count"] == 1
    assert api.samples(task, sample_state="__WORKFORCE_SAMPLED_REJECTED__")["sample_count"] == 1
    one = ok(c.get(f"{base}/data-annotations/samples/{last}", params={"worker_id": held[last][0]}))
    assert one["check_accept"] is False and one["check_score"] == "C" and one["check_comment"] == "wrong"
    assert one["labels"][0]["name"] == "cat"

    # conflicts (action 3) lists nothing: no sample has both verdicts
    assert ok(c.put(f"{base}/acceptance/status", json={"action": 3}))["sample_count"] == 0
    # pass the single-accepted and the unchecked (action 4)
    ok(c.put(f"{base}/acceptance/status", params={"locale": "en-us"}, json={"action": 4, "overwrite_last_result": False}))
    detail = api.detail(task)
    assert detail["status"] == 3
    st = detail["sample_stats"]
    assert st["accepted_sample_count"] == 17 and st["rejected_sample_count"] == 3
    assert sum(v for k, v in st.items() if k not in ("total_sample_count", "deleted_sample_count")) == 20
    # pass rate over the sampled samples with a result: 3 passed (1 commented + 2 by action 4), 1 refused
    assert detail["pass_rate"] == 0.75 and abs(detail["score"] - 260 / 3) < 1e-9
    assert detail["checking_task_desc"]["checking_task_id"] == checking
    assert detail["checking_task_desc"]["action"] == 4

    # statistics and member progress agree with the detail
    stats = ok(c.get(f"{base}/data-annotations/stats"))
    assert stats["sample_stats"]["accepted"] == 17 and stats["sample_stats"]["total"] == 20
    assert stats["sample_stats"]["un_annotation"] == 0
    metrics = ok(c.get(f"{base}/metrics"))["sample_stats"]
    assert set(metrics) == {"l1@example.com", "l2@example.com", "rv@example.com"}
    by_email = {w["email"]: w["sample_stats"] for w in detail["worker_stats"]}
    for email, m in metrics.items():
        assert m["accepted"] == by_email[email]["accepted_sample_count"]
        assert m["un_annotation"] == by_email[email]["unannotated_sample_count"]
    # each labeler: 20 held, 2 rejected by the review, its owner verdicts, the rest accepted with the task
    for email in ("l1@example.com", "l2@example.com"):
        s = by_email[email]
        assert s["total_sample_count"] == 20
        assert s["accepted_sample_count"] + s["rejected_sample_count"] == 20

    # accepted labels went back to the dataset (auto_sync_dataset defaults to true)
    ds_samples = ok(c.get(f"{V2}/datasets/{DATASET}/data-annotations/samples", params={"limit": 100, "sample_state": "__ALL__"}))
    assert ds_samples["sample_count"] == 17
    assert all(s["labels"][0]["name"] == "cat" for s in ds_samples["samples"])

    # member's own task list
    mine = ok(c.get(f"{V2}/workforces/worker-tasks", params={"email": "l1@example.com"}))
    assert mine["count"] == 1 and mine["worker_tasks"][0]["task_id"] == task
    assert mine["worker_tasks"][0]["task_status"] == 3

    assert c.delete(base).status_code == 204
    r = c.get(base)
    assert r.status_code == 400 and r.json()["error_code"] == "ModelArts.4619"
