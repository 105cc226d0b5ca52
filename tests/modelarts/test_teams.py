"""Labeling teams (workforces) and their members over HTTP."""
from __future__ import annotations

from ma_support import TEAM, V2, assert_error, ok


def test_create_list_get_update_delete_team(modelarts):
    c = modelarts
    r = c.post(f"{V2}/workforces", json={"workforce_name": "team-123", "description": "my team"})
    wf = ok(r, 201)["workforce_id"]
    assert len(wf) == 19 and wf.isalnum()
    assert r.headers["x-request-id"]
    listed = ok(c.get(f"{V2}/workforces"))
    assert listed["total_number"] == 2 and {w["workforce_id"] for w in listed["workforces"]} == {wf, TEAM}
    assert ok(c.get(f"{V2}/workforces", params={"search_content": "123"}))["total_number"] == 1
    page = ok(c.get(f"{V2}/workforces", params={"limit": 1, "offset": 1, "sort_by": "workforce_name", "order": "asc"}))
    assert page["total_number"] == 2 and [w["workforce_name"] for w in page["workforces"]] == ["team-flowers"]
    one = ok(c.get(f"{V2}/workforces/{wf}"))
    assert one["workforce_name"] == "team-123" and one["description"] == "my team" and one["worker_count"] == 0
    assert isinstance(one["create_time"], int) and one["create_time"] > 10 ** 12
    assert ok(c.put(f"{V2}/workforces/{wf}", json={"description": "renamed", "workforce_name": "team-456"})) == {}
    assert ok(c.get(f"{V2}/workforces/{wf}"))["workforce_name"] == "team-456"
    gone = c.delete(f"{V2}/workforces/{wf}")
    assert gone.status_code == 204 and gone.headers["x-request-id"] and not gone.content
    assert_error(c.get(f"{V2}/workforces/{wf}"), 400, "ModelArts.4601")


def test_team_errors(modelarts):
    c = modelarts
    assert_error(c.post(f"{V2}/workforces", json={"workforce_name": "team-flowers"}), 400, "ModelArts.4602")
    assert_error(c.post(f"{V2}/workforces", json={"description": "no name"}), 400, "ModelArts.0101")
    assert_error(c.post(f"{V2}/workforces", json={"workforce_name": "bad name!"}), 400, "ModelArts.0101")
    for method in ("get", "delete"):
        assert_error(getattr(c, method)(f"{V2}/workforces/nope"), 400, "ModelArts.4601")
    assert_error(c.put(f"{V2}/workforces/nope", json={"description": "x"}), 400, "ModelArts.4601")
    other = ok(c.post(f"{V2}/workforces", json={"workforce_name": "team-b"}), 201)["workforce_id"]
    assert_error(c.put(f"{V2}/workforces/{other}", json={"workforce_name": "team-flowers"}), 400, "ModelArts.4602")


def test_members_create_list_get_update_delete(modelarts):
    c = modelarts
    wf = ok(c.post(f"{V2}/workforces", json={"workforce_name": "team-m"}), 201)["workforce_id"]
    assert ok(c.post(f"{V2}/workforces/{wf}/workers", json={"emails": "a@example.com", "role": 0}), 201) == {}
    # the documented example sends the role as a string
    ok(c.post(f"{V2}/workforces/{wf}/workers", json={"emails": "boss@example.com", "description": "", "role": "2"}), 201)
    ok(c.post(f"{V2}/workforces/{wf}/workers", json={"emails": ["r1@example.com", "r2@example.com"], "role": 1}), 201)
    workers = ok(c.get(f"{V2}/workforces/{wf}/workers", params={"limit": 100}))
    assert workers["total_number"] == 4
    by_email = {w["email"]: w for w in workers["workers"]}
    assert by_email["boss@example.com"]["role"] == 2 and by_email["r2@example.com"]["role"] == 1
    wid = by_email["a@example.com"]["worker_id"]
    assert len(wid) == 32 and by_email["a@example.com"]["status"] == 0
    assert ok(c.get(f"{V2}/workforces/{wf}"))["worker_count"] == 4
    assert ok(c.get(f"{V2}/workforces/{wf}/workers", params={"sort_by": "email", "order": "asc", "limit": 1}))[
        "workers"][0]["email"] == "a@example.com"
    one = ok(c.get(f"{V2}/workforces/{wf}/workers/{wid}"))
    assert one == by_email["a@example.com"]
    assert ok(c.put(f"{V2}/workforces/{wf}/workers/{wid}", json={"role": 1, "description": "now reviews"})) == {}
    assert ok(c.get(f"{V2}/workforces/{wf}/workers/{wid}"))["role"] == 1
    # the same person in another team keeps the same worker id
    other = ok(c.post(f"{V2}/workforces", json={"workforce_name": "team-o"}), 201)["workforce_id"]
    ok(c.post(f"{V2}/workforces/{other}/workers", json={"emails": "a@example.com", "role": 0}), 201)
    assert ok(c.get(f"{V2}/workforces/{other}/workers"))["workers"][0]["worker_id"] == wid
    all_reviewers = ok(c.get(f"{V2}/workforces/workers", params={"role": 1, "limit": 100}))
    assert {w["email"] for w in all_reviewers["workers"]} == {"a@example.com", "r1@example.com", "r2@example.com",
                                                              "reviewer@example.com"}
    labelers = ok(c.get(f"{V2}/workforces/workers", params={"limit": 100}))  # role 0 unless asked
    assert {(w["email"], w["workforce_id"]) for w in labelers["workers"]} == {
        ("a@example.com", other), ("labeler@example.com", TEAM), ("labeler2@example.com", TEAM)}
    every_role = sum(ok(c.get(f"{V2}/workforces/workers", params={"limit": 100, "role": r}))["total_number"]
                     for r in (0, 1, 2, 3))
    assert every_role == 4 + 1 + 4  # this team, team-o, the seeded team
    assert c.delete(f"{V2}/workforces/{wf}/workers/{wid}").status_code == 204
    assert_error(c.get(f"{V2}/workforces/{wf}/workers/{wid}"), 400, "ModelArts.4604")
    r1 = by_email["r1@example.com"]["worker_id"]
    # all or nothing, a result per member: one unknown member and nobody is deleted
    result = ok(c.post(f"{V2}/workforces/{wf}/workers/batch-delete", json={"workers": [r1, "0" * 32]}))
    assert result["success"] is False and result["error_code"] == "ModelArts.4604" and result["error_msg"]
    assert result["results"][0]["success"] is False and result["results"][0]["error_code"] == "ModelArts.4200"
    assert result["results"][1]["success"] is False and result["results"][1]["error_code"] == "ModelArts.4604"
    assert "0" * 32 in result["results"][1]["error_msg"]
    assert ok(c.get(f"{V2}/workforces/{wf}/workers"))["total_number"] == 3
    result = ok(c.post(f"{V2}/workforces/{wf}/workers/batch-delete", json={"workers": [r1]}))
    assert result == {"success": True, "results": [{"success": True}]}
    assert ok(c.get(f"{V2}/workforces/{wf}/workers"))["total_number"] == 2


def test_member_errors(modelarts):
    c = modelarts
    base = f"{V2}/workforces/{TEAM}/workers"
    assert_error(c.post(base, json={"emails": "labeler@example.com", "role": 0}), 400, "ModelArts.4605")
    assert_error(c.post(base, json={"emails": "x@example.com", "role": 5}), 400, "ModelArts.0101")
    assert_error(c.post(base, json={"emails": "not-an-email", "role": 0}), 400, "ModelArts.0101")
    assert_error(c.post(base, json={"role": 0}), 400, "ModelArts.0101")
    assert_error(c.post(f"{V2}/workforces/nope/workers", json={"emails": "x@example.com", "role": 0}), 400,
                 "ModelArts.4601")
    assert_error(c.get(f"{V2}/workforces/nope/workers"), 400, "ModelArts.4601")
    assert_error(c.get(f"{base}/{'f' * 32}"), 400, "ModelArts.4604")
    assert_error(c.put(f"{base}/{'f' * 32}", json={"role": 1}), 400, "ModelArts.4604")
    assert_error(c.delete(f"{base}/{'f' * 32}"), 400, "ModelArts.4604")
    assert_error(c.post(f"{base}/batch-delete", json={"workers": []}), 400, "ModelArts.0101")
    assert_error(c.post(f"{V2}/workforces/nope/workers/batch-delete", json={"workers": ["x"]}), 400, "ModelArts.4601")
