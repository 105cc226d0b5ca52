"""The request journal, through the control API as a test suite would use it."""
import pytest


@pytest.fixture
def ws(mock):
    return mock.world.workspace


def workforces(ws):
    return f"/v2/{ws['modelarts']['project_id']}/workforces"


def test_records_vendor_requests_with_operation_and_answer(mock, modelarts, ws):
    r = modelarts.get(workforces(ws), params={"limit": "5"})
    assert r.status_code == 200
    with mock.client("clarifai") as control:
        body = control.get("/_mock/journal").json()
    assert body["total"] == 1 and body["max_entries"] == 1000 and body["dropped"] == 0
    entry = body["entries"][0]
    assert entry["vendor"] == "modelarts" and entry["method"] == "GET"
    assert entry["path"] == workforces(ws) and entry["query"] == {"limit": "5"}
    assert entry["operation"] == "ListWorkforces" and entry["path_template"] == "/v2/{project_id}/workforces"
    assert entry["status"] == 200 and entry["response_body"] == r.text
    assert entry["time"] == pytest.approx(mock.world.clock.now(), abs=5) and entry["duration_ms"] >= 0
    assert entry["request_headers"]["x-auth-token"] == "***"  # credentials never leave through the journal


def test_control_api_and_docs_are_not_recorded(mock):
    with mock.client("clarifai") as c:
        c.get("/_mock/health")
        c.get("/openapi.json")
        assert c.get("/_mock/journal/count").json() == {"count": 0}


def test_filters_and_count(mock, modelarts, clarifai, ws):
    modelarts.get(workforces(ws))
    modelarts.get(workforces(ws))
    clarifai.get("/v2/nothing-here")  # unknown route: recorded with no operation
    clarifai.get("/v2/tasks", headers={"Authorization": "Key wrong"})
    with mock.client("cloudfactory") as c:
        count = lambda **q: c.get("/_mock/journal/count", params=q).json()["count"]  # noqa: E731
        assert count() == 4
        assert count(vendor="modelarts") == 2
        assert count(vendor="clarifai", status="4xx") == 2
        assert count(status="401") == 1
        assert count(status="200-299") == 2
        assert count(operation="ListWorkforces") == 2
        assert count(operation="/v2/{project_id}/workforces") == 2
        assert count(method="get", path_prefix="/v2/nothing") == 1
        assert count(path=workforces(ws)) == 2
        now = c.get("/_mock/clock").json()["now"]
        assert count(since=now + 3600) == 0 and count(until=now + 3600) == 4
        entries = c.get("/_mock/journal", params={"vendor": "clarifai"}).json()["entries"]
        assert [e["operation"] for e in entries][0] is None
        first = c.get("/_mock/journal").json()["entries"][0]["id"]
        assert count(after_id=first) == 3
        last = c.get("/_mock/journal", params={"limit": 1}).json()
        assert last["total"] == 4 and len(last["entries"]) == 1 and last["entries"][0]["status"] == 401


def test_bad_filter_is_refused(mock):
    with mock.client("clarifai") as c:
        r = c.get("/_mock/journal/count", params={"status": "abc"})
        assert r.status_code == 400 and "error" in r.json()


def test_clear_and_reset_empty_the_journal(mock, modelarts, ws):
    modelarts.get(workforces(ws))
    with mock.client("clarifai") as c:
        assert c.delete("/_mock/journal").status_code == 200
        assert c.get("/_mock/journal/count").json()["count"] == 0
        modelarts.get(workforces(ws))
        assert c.post("/_mock/reset").status_code == 200
        assert c.get("/_mock/journal/count").json()["count"] == 0


def test_bounded_and_bodies_truncated(mock, cloudfactory):
    with mock.client("clarifai") as c:
        assert c.put("/_mock/journal/settings", json={"max_entries": 3, "body_limit": 10}).json() == \
            {"max_entries": 3, "body_limit": 10}
        for i in range(5):
            cloudfactory.post(f"/v1/workstreams/ws-0001/task_reviewed?n={i}", json={"worker_id": "w" * 50})
        body = c.get("/_mock/journal").json()
    assert body["total"] == 3 and body["dropped"] == 2
    assert [e["query"]["n"] for e in body["entries"]] == ["2", "3", "4"]
    entry = body["entries"][0]
    assert len(entry["request_body"]) == 10 and entry["request_body_truncated"] is True


def test_journal_is_not_in_exported_state(mock, modelarts, ws):
    modelarts.get(workforces(ws))
    with mock.client("clarifai") as c:
        assert not any("journal" in name for name in c.get("/_mock/state").json())
