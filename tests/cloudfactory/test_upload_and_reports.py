"""Secure Upload (CSV, per-row results) and reports that match what was sent."""
import pytest

BASE = "/v1/workstreams/ws-0001"

GOOD_AND_BAD = (
    "record_type,workstream_id,use_case_id,task_definition_id,worker_id,task_started_at,task_completed_at,task_count,"
    "review_completed_at,review_score,errors,review_type,unique_id,replace_duplicate\n"
    "throughput,,uc-0001,td-0001,w1,2021-01-01T10:00:00Z,2021-01-01T10:01:00Z,2,,,,,,\n"
    "quality,ws-0001,uc-0001,td-0001,w1,,,,2021-01-01T11:00:00Z,0.5,\"{\"\"missing_label\"\": 2}\",QA,q1,\n"
    "quality,,uc-0001,td-0001,w2,,,,2021-01-01T11:00:00Z,1.5,,Audit,,\n"
    "throughput,,uc-9999,td-0001,,2021-01-01T10:00:00Z,nope,,,,,,,\n"
    "something,,uc-0001,td-0001,w1,,,,,,,,,\n"
    "quality,,uc-0001,td-0001,w1,,,,2021-01-01T12:00:00Z,0.9,,QC,q1,false\n"
    "quality,,uc-0001,td-0001,w1,,,,2021-01-01T12:00:00Z,0.7,,QC,q1,true\n"
)


def _upload(cloudfactory, mock, text, ctype="text/csv", **body):
    r = cloudfactory.post(f"{BASE}/upload_url", json=body or {})
    assert r.status_code == 200
    info = r.json()
    assert set(info) == {"upload_url", "file_key", "expires_in"} and info["expires_in"] > 0
    with mock.client("cloudfactory") as anon:  # no x-api-key: the token is the credential
        put = anon.put(info["upload_url"], content=text.encode(), headers={"content-type": ctype})
    return info, put


def test_csv_upload_per_row_result(cloudfactory, mock, records):
    info, put = _upload(cloudfactory, mock, GOOD_AND_BAD)
    assert put.status_code == 200, put.text
    result = put.json()
    assert result["rows_total"] == 7 and result["rows_accepted"] == 4 and result["rows_rejected"] == 3
    rows = {r["line"]: r for r in result["rows"]}
    assert rows[2]["status"] == "accepted" and rows[3]["status"] == "accepted"
    assert set(rows[4]["errors"]) == {"review_score", "review_type"}
    assert set(rows[5]["errors"]) == {"use_case_id", "worker_id", "task_completed_at"}
    assert rows[6]["errors"] == {"record_type": "must be throughput or quality"}
    assert rows[7]["status"] == "ignored_duplicate" and rows[8]["status"] == "replaced"
    # the same result is readable later with the key
    again = cloudfactory.get(f"{BASE}/uploads/{info['file_key']}")
    assert again.status_code == 200 and again.json()["rows"] == result["rows"]
    (t,) = records("throughput")
    assert t["task_count"] == 2 and t["duration"] == 60 and t["data_source"] == "csv_auto"
    q = {r["unique_id"]: r for r in records("quality")}
    # replace_duplicate true replaces the attributes wholesale: the first row's errors are gone
    assert q["q1"]["review_score"] == 0.7 and "errors" not in q["q1"]


def test_upload_data_source_is_applied(cloudfactory, mock, records):
    _, put = _upload(cloudfactory, mock, GOOD_AND_BAD, data_source="csv_manual")
    assert put.status_code == 200
    assert {r["data_source"] for r in records("throughput")} == {"csv_manual"}


def test_upload_url_is_one_time(cloudfactory, mock):
    info, put = _upload(cloudfactory, mock, GOOD_AND_BAD)
    with mock.client("cloudfactory") as anon:
        r = anon.put(info["upload_url"], content=b"record_type\n", headers={"content-type": "text/csv"})
    assert r.status_code == 409


def test_upload_url_expires_on_virtual_clock(cloudfactory, mock):
    mock.world.clock.set(mode="manual")
    r = cloudfactory.post(f"{BASE}/upload_url", json={})
    info = r.json()
    status = cloudfactory.get(f"{BASE}/uploads/{info['file_key']}").json()
    assert status["state"] == "waiting"
    mock.world.clock.advance(info["expires_in"] + 1)
    with mock.client("cloudfactory") as anon:
        put = anon.put(info["upload_url"], content=GOOD_AND_BAD.encode(), headers={"content-type": "text/csv"})
    assert put.status_code == 403 and put.json()["message"] == "Upload URL expired"
    assert cloudfactory.get(f"{BASE}/uploads/{info['file_key']}").json()["state"] == "expired"


def test_unknown_token_is_404(mock):
    with mock.client("cloudfactory") as anon:
        r = anon.put("/uploads/csv/not-a-token", content=b"record_type\n", headers={"content-type": "text/csv"})
    assert r.status_code == 404


def test_csv_without_record_type_is_400(cloudfactory, mock):
    _, put = _upload(cloudfactory, mock, "worker_id\nw1\n")
    assert put.status_code == 400 and "record_type" in put.json()["errors"]


def test_csv_wrong_content_type(cloudfactory, mock):
    _, put = _upload(cloudfactory, mock, GOOD_AND_BAD, ctype="application/json")
    assert put.status_code in (400, 415)


def test_upload_of_other_workstream_is_hidden(cloudfactory, mock):
    info, _ = _upload(cloudfactory, mock, GOOD_AND_BAD)
    with mock.client("cloudfactory", headers={"x-api-key": "other-cloudfactory-key"}) as other:
        assert other.get(f"/v1/workstreams/ws-0002/uploads/{info['file_key']}").status_code == 404
        assert other.get(f"{BASE}/uploads/{info['file_key']}").status_code == 403


def test_upload_url_needs_key(mock):
    with mock.client("cloudfactory") as anon:
        assert anon.post(f"{BASE}/upload_url", json={}).status_code == 401


# -- reports ---------------------------------------------------------------------------------------
def _t(worker, uc, start, end, count=1, **kw):
    return {"workstream_id": "ws-0001", "use_case_id": uc, "task_definition_id": "td-0001", "worker_id": worker,
            "task_started_at": start, "task_completed_at": end, "task_count": count, **kw}


def _q(worker, uc, at, score, errors=None, review_type="QA", duration=None):
    body = {"workstream_id": "ws-0001", "use_case_id": uc, "task_definition_id": "td-0001", "worker_id": worker,
            "review_completed_at": at, "review_score": score, "review_type": review_type}
    if errors:
        body["errors"] = errors
    if duration is not None:
        body["review_duration"] = duration
    return body


@pytest.fixture
def sent(cloudfactory):
    for body in (_t("w1", "uc-0001", "2021-03-01T10:00:00Z", "2021-03-01T10:01:00Z", 2),
                 _t("w1", "uc-0002", "2021-03-02T10:00:00Z", "2021-03-02T10:03:00Z"),
                 _t("w2", "uc-0001", "2021-03-03T23:59:00Z", "2021-03-04T00:01:00Z", 3, duration=100),
                 _t("w2", "uc-0001", "2021-05-01T10:00:00Z", "2021-05-01T10:10:00Z")):  # outside the range
        assert cloudfactory.post(f"{BASE}/task_completed", json=body).status_code == 202
    for body in (_q("w1", "uc-0001", "2021-03-01T12:00:00Z", 0.5, {"missing_label": 2}, "QA", 30),
                 _q("w1", "uc-0002", "2021-03-02T12:00:00Z", 1.0, {"missing_label": 1, "wrong": 4}, "QC", 10),
                 _q("w2", "uc-0001", "2021-03-03T12:00:00Z", 0.25, None, "QA"),
                 _q("w2", "uc-0001", "2021-02-27T12:00:00Z", 0.0)):  # before the range
        assert cloudfactory.post(f"{BASE}/task_reviewed", json=body).status_code == 202


def test_report_totals_match_what_was_sent(cloudfactory, sent):
    r = cloudfactory.get(f"{BASE}/reports", params={"from": "2021-03-01T00:00:00Z", "to": "2021-04-01T00:00:00Z"})
    assert r.status_code == 200, r.text
    t, q = r.json()["totals"]["throughput"], r.json()["totals"]["quality"]
    assert t["records"] == 3 and t["task_count"] == 6
    assert t["duration_sum"] == 60 + 180 + 100 and t["duration_mean"] == pytest.approx(340 / 3)
    assert q["records"] == 3
    assert q["review_score_mean"] == pytest.approx((0.5 + 1.0 + 0.25) / 3)
    assert q["review_score_min"] == 0.25 and q["review_score_max"] == 1.0
    assert q["errors"] == {"missing_label": 3, "wrong": 4}
    assert q["review_types"] == {"QA": 2, "QC": 1}
    assert q["review_duration_sum"] == 40 and q["review_duration_mean"] == 20
    assert r.json()["groups"] == []


def test_report_group_by_worker(cloudfactory, sent):
    r = cloudfactory.get(f"{BASE}/reports", params={"from": "2021-03-01T00:00:00Z", "to": "2021-04-01T00:00:00Z",
                                                     "group_by": "worker"})
    groups = {g["key"]: g for g in r.json()["groups"]}
    assert set(groups) == {"w1", "w2"}
    assert groups["w1"]["throughput"]["task_count"] == 3 and groups["w2"]["throughput"]["task_count"] == 3
    assert groups["w2"]["quality"]["review_score_mean"] == 0.25


def test_report_group_by_use_case_and_bounds(cloudfactory, sent):
    # to is exclusive: the record completed at 2021-03-04T00:01:00Z is left out
    r = cloudfactory.get(f"{BASE}/reports", params={"from": "2021-03-01T00:00:00Z", "to": "2021-03-04T00:01:00Z",
                                                     "group_by": "use_case"})
    groups = {g["key"]: g for g in r.json()["groups"]}
    assert groups["uc-0001"]["throughput"]["task_count"] == 2
    assert groups["uc-0002"]["quality"]["errors"] == {"missing_label": 1, "wrong": 4}


def test_report_group_by_task_definition(cloudfactory, sent):
    r = cloudfactory.get(f"{BASE}/reports", params={"from": "2021-01-01T00:00:00Z", "to": "2021-06-01T00:00:00Z",
                                                     "group_by": "task_definition"})
    (g,) = r.json()["groups"]
    assert g["key"] == "td-0001" and g["throughput"]["records"] == 4 and g["quality"]["records"] == 4


@pytest.mark.parametrize("params,field", [({"from": "yesterday"}, "from"), ({"to": "2021-13-01"}, "to"),
                                          ({"group_by": "team"}, "group_by"), ({"from": ""}, "from"),
                                          ({"to": "2021-03-01T00:00:00"}, "to")])  # no offset
def test_report_bad_parameters(cloudfactory, params, field):
    r = cloudfactory.get(f"{BASE}/reports", params=params)
    assert r.status_code == 400 and field in r.json()["errors"], r.text


def test_report_of_an_inverted_range_is_empty(cloudfactory, sent):
    r = cloudfactory.get(f"{BASE}/reports", params={"from": "2021-06-01T00:00:00Z", "to": "2021-01-01T00:00:00Z"})
    assert r.status_code == 200
    assert r.json()["totals"]["throughput"]["records"] == r.json()["totals"]["quality"]["records"] == 0


def test_report_of_a_long_range_reads_every_record(cloudfactory, sent):
    short = cloudfactory.get(f"{BASE}/reports", params={"from": "2021-01-01T00:00:00Z", "to": "2021-06-01T00:00:00Z"})
    long = cloudfactory.get(f"{BASE}/reports", params={"from": "1990-01-01T00:00:00Z", "to": "2090-01-01T00:00:00Z"})
    assert long.status_code == 200 and long.json()["totals"] == short.json()["totals"]
    assert long.json()["totals"]["throughput"]["records"] > 0


def test_report_of_other_workstream_is_forbidden(cloudfactory):
    assert cloudfactory.get("/v1/workstreams/ws-0002/reports").status_code == 403
