"""Oversight: media upload, task submission, lifecycle over virtual time, signed webhooks and retries."""
import hashlib
import hmac
import json
from datetime import datetime

import pytest

from mockserver.testing import InProcess, new_world
from mockserver.workspace import default_workspace

JPEG = b"\xff\xd8\xff\xe0" + b"x" * 100


def _epoch(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _manual(client):
    r = client.post("/_mock/clock", json={"mode": "manual"})
    assert r.status_code == 200


def _advance(client, seconds):
    assert client.post("/_mock/clock", json={"advance": seconds}).status_code == 200


def _media(cloudfactory, mock, content=JPEG, ctype="image/jpeg", **body):
    r = cloudfactory.post("/v1/media", json={"configuration_id": "cfg-0001", **body})
    assert r.status_code == 200, r.text
    info = r.json()
    with mock.client("cloudfactory") as anon:
        put = anon.put(info["media_upload_url"], content=content, headers={"content-type": ctype})
    return info, put


def _submit(cloudfactory, mock, **extra):
    info, put = _media(cloudfactory, mock)
    assert put.status_code == 200
    body = {"media_key": info["media_key"], "configuration_id": "cfg-0001", "media_type": "image",
            "tags": [{"confidence_score": 0.4, "value": "car"}, {"confidence_score": 0.9, "value": "person"}],
            "context_metadata": [{"key": "camera", "value": "front"}], "model_metadata": {"name": "yolo", "version": "8"}}
    body.update(extra)
    r = cloudfactory.post("/v1/tasks", json=body)
    assert r.status_code == 200, r.text
    return r.json()["task_id"]


def _deliveries(client, task_id):
    return client.get("/v1/webhook_deliveries", params={"task_id": task_id}).json()["deliveries"]


def _delivery(client, task_id, event, attempts):
    """The delivery of ``event`` once it has ``attempts`` recorded attempts."""
    for d in _deliveries(client, task_id):
        if d["event"] == event and len(d["attempts"]) >= attempts:
            return d
    return None


# -- media -----------------------------------------------------------------------------------------
def test_media_upload_flow(cloudfactory, mock):
    info, put = _media(cloudfactory, mock)
    assert set(info) >= {"media_key", "media_upload_url", "expires_in"}
    assert put.status_code == 200 and put.json()["size"] == len(JPEG)
    with mock.client("cloudfactory") as anon:  # one time only
        assert anon.put(info["media_upload_url"], content=JPEG, headers={"content-type": "image/jpeg"}).status_code == 409


def test_media_content_type_is_checked(cloudfactory, mock):
    _, put = _media(cloudfactory, mock, ctype="image/png")
    assert put.status_code == 415 and "content-type" in put.json()["errors"]
    _, put = _media(cloudfactory, mock, ctype="text/plain")
    assert put.status_code in (400, 415)


def test_media_declared_video(cloudfactory, mock):
    info, put = _media(cloudfactory, mock, content=b"\x00" * 64, ctype="video/mp4", media_type="video")
    assert info["content_type"] == "video/mp4" and put.status_code == 200


def test_media_empty_body_is_400(cloudfactory, mock):
    _, put = _media(cloudfactory, mock, content=b"")
    assert put.status_code == 400


def test_media_size_is_checked(cloudfactory, mock, monkeypatch):
    from mockserver.vendors.cloudfactory import oversight

    monkeypatch.setitem(oversight.MAX_BYTES, "image", 50)
    _, put = _media(cloudfactory, mock)
    assert put.status_code == 413


@pytest.mark.parametrize("body,field,status", [({"configuration_id": "cfg-9"}, "configuration_id", 404),
                                               ({"configuration_id": "cfg-0001", "content_type": "video/mp4"}, "content_type", 400),
                                               ({}, "configuration_id", 400),
                                               ({"configuration_id": "cfg-0001", "media_type": "audio"}, "media_type", 400)])
def test_media_bad_requests(cloudfactory, body, field, status):
    r = cloudfactory.post("/v1/media", json=body)
    assert r.status_code == status and field in json.dumps(r.json())


def test_media_expires_on_virtual_clock(cloudfactory, mock):
    _manual(cloudfactory)
    r = cloudfactory.post("/v1/media", json={"configuration_id": "cfg-0001"})
    _advance(cloudfactory, r.json()["expires_in"] + 1)
    with mock.client("cloudfactory") as anon:
        put = anon.put(r.json()["media_upload_url"], content=JPEG, headers={"content-type": "image/jpeg"})
    assert put.status_code == 403


# -- tasks -----------------------------------------------------------------------------------------
def test_task_lifecycle_over_virtual_time(cloudfactory, mock):
    _manual(cloudfactory)
    task_id = _submit(cloudfactory, mock)
    r = cloudfactory.get(f"/v1/tasks/{task_id}")
    assert r.status_code == 200
    assert r.json()["state"] == "queued" and r.json()["updated_inferences"] == {"inferences": []}
    # The queue wait is the time until an idle CloudWorker notices the task: the simulation's next poll (30 s).
    _advance(cloudfactory, 29)
    assert cloudfactory.get(f"/v1/tasks/{task_id}").json()["state"] == "queued"
    _advance(cloudfactory, 2)
    assert cloudfactory.get(f"/v1/tasks/{task_id}").json()["state"] in ("in_progress", "completed")
    _advance(cloudfactory, 4 * 3600)  # review time is at most 4 h
    done = cloudfactory.get(f"/v1/tasks/{task_id}").json()
    assert done["state"] == "completed"
    inferences = done["updated_inferences"]["inferences"]
    assert len(inferences) == 2
    labels = mock.world.workspace["cloudfactory"]["labels"]
    for inf in inferences:
        (cls,) = inf["classes"]
        assert cls["class"] in labels and cls["confidence_score"] == 1.0
        assert set(inf) >= {"external_id", "classes", "bbox", "mask", "polygon"}
        assert inf["bbox"] == inf["mask"] == inf["polygon"] == []  # arrays, never null


def test_task_plan_is_deterministic():
    def run():
        mock = InProcess()
        mock.world.clock.set(mode="manual", now=1_700_000_000)
        with mock.client("cloudfactory", headers={"x-api-key": "mock-cloudfactory-key"}) as c:
            task_id = _submit(c, mock)
            times = []
            for _ in range(60):
                mock.world.clock.advance(60)
                times.append(c.get(f"/v1/tasks/{task_id}").json()["state"])
            return task_id, times, c.get(f"/v1/tasks/{task_id}").json()

    assert run() == run()


def _world_with(**oversight):
    ws = default_workspace()
    ws["cloudfactory"]["oversight"] = oversight
    return InProcess(new_world(ws))


def _world_with_section(**fields):
    ws = default_workspace()
    ws["cloudfactory"].update(fields)
    return InProcess(new_world(ws))


def test_corrections_use_other_labels():
    mock = _world_with(correction_rate=1.0)
    with mock.client("cloudfactory", headers={"x-api-key": "mock-cloudfactory-key"}) as c:
        _manual(c)
        task_id = _submit(c, mock)
        _advance(c, 5 * 3600)
        done = c.get(f"/v1/tasks/{task_id}").json()
    classes = [i["classes"][0]["class"] for i in done["updated_inferences"]["inferences"]]
    assert classes[0] != "car" and classes[1] != "person"


def test_failed_state():
    mock = _world_with(failure_rate=1.0)
    with mock.client("cloudfactory", headers={"x-api-key": "mock-cloudfactory-key"}) as c:
        _manual(c)
        task_id = _submit(c, mock)
        _advance(c, 5 * 3600)
        done = c.get(f"/v1/tasks/{task_id}").json()
    assert done["state"] == "failed" and done["error"]["code"] and done["updated_inferences"]["inferences"] == []


def test_bucket_variant(cloudfactory):
    r = cloudfactory.post("/v1/tasks", json={"bucket_id": "bucket-0001", "media_key": "frames/0001.jpg",
                                             "configuration_id": "cfg-0001", "media_type": "image",
                                             "tags": [{"value": "bus", "confidence_score": 0.3}]})
    assert r.status_code == 200 and r.json()["task_id"]
    r = cloudfactory.post("/v1/tasks", json={"bucket_id": "bucket-9", "configuration_id": "cfg-0001"})
    assert r.status_code == 400 and set(r.json()["errors"]) == {"media_key"}  # the spec requires it
    r = cloudfactory.post("/v1/tasks", json={"bucket_id": "bucket-9", "media_key": "a.jpg", "configuration_id": "cfg-9"})
    assert r.status_code == 404 and set(r.json()["errors"]) == {"bucket_id", "configuration_id"}


@pytest.mark.parametrize("change,field,status", [
    ({"media_key": "media-unknown"}, "media_key", 404), ({"configuration_id": "cfg-9"}, "configuration_id", 404),
    ({"media_type": "video"}, "media_type", 409), ({"callback_url": "ftp://x"}, "callback_url", 400),
    ({"media_key": ""}, "media_key", 400), ({"tags": [{"value": ""}]}, "tags[0].value", 400),
])
def test_task_bad_requests(cloudfactory, mock, change, field, status):
    info, _ = _media(cloudfactory, mock)
    body = {"media_key": info["media_key"], "configuration_id": "cfg-0001", **change}
    r = cloudfactory.post("/v1/tasks", json=body)
    assert r.status_code == status and field in r.json()["errors"], r.text


def test_task_needs_uploaded_media(cloudfactory):
    info = cloudfactory.post("/v1/media", json={"configuration_id": "cfg-0001"}).json()
    r = cloudfactory.post("/v1/tasks", json={"media_key": info["media_key"], "configuration_id": "cfg-0001"})
    assert r.status_code == 409 and "not been uploaded" in r.json()["errors"]["media_key"]
    r = cloudfactory.post("/v1/tasks", json={"configuration_id": "cfg-0001"})
    assert r.status_code == 400 and "media_key" in r.json()["errors"]


def test_tasks_are_invisible_to_other_keys(cloudfactory, mock):
    task_id = _submit(cloudfactory, mock)
    with mock.client("cloudfactory", headers={"x-api-key": "other-cloudfactory-key"}) as other:
        assert other.get(f"/v1/tasks/{task_id}").status_code == 404
        assert other.get(f"/v1/tasks/{task_id}").json() == {"message": "Not found"}
        # nor can it use the first workstream's media
        info, _ = _media(cloudfactory, mock)
        r = other.post("/v1/tasks", json={"media_key": info["media_key"], "configuration_id": "cfg-0002"})
        assert r.status_code == 404 and "media_key" in r.json()["errors"]
    assert cloudfactory.get("/v1/tasks/nope").status_code == 404


def test_oversight_auth_is_401(mock):
    with mock.client("cloudfactory", headers={"x-api-key": "bad"}) as c:
        r = c.post("/v1/tasks", json={"configuration_id": "cfg-0001"})
        assert r.status_code == 401 and r.json() == {"message": "Bad credentials"}
        assert c.get("/v1/tasks/x").status_code == 401
    with mock.client("cloudfactory") as c:
        assert c.post("/v1/media", json={"configuration_id": "cfg-0001"}).status_code == 401


# -- webhooks --------------------------------------------------------------------------------------
def _check_signature(mock, request):
    secret = mock.world.workspace["cloudfactory"]["webhook_secret"]
    parts = dict(p.split("=", 1) for p in request["headers"]["X-CF-Signature"].split(";"))
    expected = hmac.new(secret.encode(), f"{parts['t']}.{request['body']}".encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    return int(parts["t"])


def test_webhooks_by_default_only_the_documented_events(cloudfactory, mock, receiver, wait_for):
    """Completion and failure are documented; the task leaving the queue is not, so it is not sent."""
    _manual(cloudfactory)
    task_id = _submit(cloudfactory, mock, callback_url=receiver.url)
    _advance(cloudfactory, 5 * 3600)
    (request,) = wait_for(lambda: receiver.requests[:1] if _deliveries(cloudfactory, task_id) and all(
        d["status"] == "delivered" for d in _deliveries(cloudfactory, task_id)) else None)
    assert json.loads(request["body"])["event"] == "task.completed"
    assert [d["event"] for d in _deliveries(cloudfactory, task_id)] == ["task.completed"]


def test_webhook_events_opt_in_from_the_workspace(receiver, wait_for):
    """A workspace (or scenario file) lists the events a workstream wants."""
    mock = _world_with_section(webhook_events=["task.in_progress"])
    with mock.client("cloudfactory", headers={"x-api-key": "mock-cloudfactory-key"}) as c:
        _manual(c)
        task_id = _submit(c, mock, callback_url=receiver.url)
        _advance(c, 5 * 3600)
        wait_for(lambda: _deliveries(c, task_id) and _deliveries(c, task_id)[0]["status"] == "delivered")
        assert [d["event"] for d in _deliveries(c, task_id)] == ["task.in_progress"]
    with pytest.raises(ValueError, match="webhook_events"):
        _world_with_section(webhook_events=["task.exploded"])


def test_webhooks_signed_on_each_change(cloudfactory, mock, receiver, wait_for, in_progress_events):
    _manual(cloudfactory)
    task_id = _submit(cloudfactory, mock, callback_url=receiver.url)
    _advance(cloudfactory, 5 * 3600)
    wait_for(lambda: len(receiver.requests) >= 2)
    bodies = {}
    for req in receiver.requests:
        t = _check_signature(mock, req)
        body = json.loads(req["body"])
        assert body["task_id"] == task_id and req["headers"]["X-CF-Event"] == body["event"]
        assert t == int(_epoch(body["occurred_at"]))
        bodies[body["event"]] = body
    assert set(bodies) == {"task.in_progress", "task.completed"}
    assert bodies["task.in_progress"]["previous_state"] == "queued"
    assert bodies["task.completed"]["state"] == "completed"
    assert len(bodies["task.completed"]["updated_inferences"]["inferences"]) == 2
    deliveries = wait_for(lambda: [d for d in _deliveries(cloudfactory, task_id) if d["status"] == "delivered"]
                          if len(_deliveries(cloudfactory, task_id)) == 2 and all(
                              d["status"] == "delivered" for d in _deliveries(cloudfactory, task_id)) else None)
    for d in deliveries:
        (a,) = d["attempts"]
        assert a["attempt"] == 1 and a["status_code"] == 200 and a["url"] == receiver.url


def test_tampered_body_fails_signature(cloudfactory, mock, receiver, wait_for):
    _manual(cloudfactory)
    _submit(cloudfactory, mock, callback_url=receiver.url)
    _advance(cloudfactory, 5 * 3600)
    req = dict(wait_for(lambda: receiver.requests[:1])[0])
    req["body"] = req["body"].replace("in_progress", "completed")
    with pytest.raises(AssertionError):
        _check_signature(mock, req)


def test_failing_receiver_gets_retries_at_1h_and_2h(cloudfactory, mock, flaky_receiver, wait_for, in_progress_events):
    _manual(cloudfactory)
    task_id = _submit(cloudfactory, mock, callback_url=flaky_receiver.url)
    _advance(cloudfactory, 300)  # the task has started
    first = wait_for(lambda: _delivery(cloudfactory, task_id, "task.in_progress", 1))
    assert first["attempts"][0]["outcome"] == "failed" and first["attempts"][0]["status_code"] == 500
    t1 = _epoch(first["attempts"][0]["at"])
    assert _epoch(first["attempts"][0]["next_retry_at"]) == pytest.approx(t1 + 3600, abs=0.002)
    _advance(cloudfactory, 3599 - 300 + 30)  # not yet due (t1 = start + 30: a CloudWorker's next poll)
    assert len(_delivery(cloudfactory, task_id, "task.in_progress", 1)["attempts"]) == 1
    _advance(cloudfactory, 3600)
    second = wait_for(lambda: _delivery(cloudfactory, task_id, "task.in_progress", 2))
    assert second["attempts"][1]["outcome"] == "failed"
    assert _epoch(second["attempts"][1]["at"]) == pytest.approx(t1 + 3600, abs=0.002)
    _advance(cloudfactory, 7200)
    third = wait_for(lambda: _delivery(cloudfactory, task_id, "task.in_progress", 3))
    assert third["attempts"][2]["outcome"] == "delivered" and third["status"] == "delivered"
    assert _epoch(third["attempts"][2]["at"]) == pytest.approx(t1 + 3600 + 7200, abs=0.002)
    calls = [r for r in flaky_receiver.requests if r["headers"]["X-CF-Delivery"] == third["id"]]
    assert len(calls) == 3
    assert [_check_signature(mock, c) for c in calls] == [int(t1), int(t1 + 3600), int(t1 + 10800)]
    assert len({c["body"] for c in calls}) == 1  # the same event body, signed anew each time


def test_gives_up_after_four_retries(cloudfactory, mock, failing_receiver, wait_for, in_progress_events):
    _manual(cloudfactory)
    task_id = _submit(cloudfactory, mock, callback_url=failing_receiver.url)
    _advance(cloudfactory, 300)
    d = wait_for(lambda: _delivery(cloudfactory, task_id, "task.in_progress", 1))
    for n, wait in enumerate((3600, 7200, 14400, 28800), start=2):
        _advance(cloudfactory, wait)
        d = wait_for(lambda: _delivery(cloudfactory, task_id, "task.in_progress", n))
    d = wait_for(lambda: (lambda x: x if x["status"] != "pending" else None)(
        _delivery(cloudfactory, task_id, "task.in_progress", 5)))
    assert d["status"] == "failed" and len(d["attempts"]) == 5
    at = [_epoch(a["at"]) for a in d["attempts"]]
    assert [round(b - a) for a, b in zip(at, at[1:])] == [3600, 7200, 14400, 28800]
    assert "next_retry_at" not in d["attempts"][-1]
    _advance(cloudfactory, 100000)
    assert len(_delivery(cloudfactory, task_id, "task.in_progress", 5)["attempts"]) == 5


def test_disallowed_host_is_refused_not_called(cloudfactory, mock, wait_for, in_progress_events):
    _manual(cloudfactory)
    task_id = _submit(cloudfactory, mock, callback_url="http://hooks.example.invalid/cf")
    _advance(cloudfactory, 5 * 3600)
    ds = _deliveries(cloudfactory, task_id)
    assert {d["event"] for d in ds} == {"task.in_progress", "task.completed"}
    for d in ds:
        assert d["status"] == "refused"
        (a,) = d["attempts"]
        assert a["outcome"] == "refused" and a["status_code"] is None


def test_no_callback_no_delivery(cloudfactory, mock):
    _manual(cloudfactory)
    task_id = _submit(cloudfactory, mock)
    _advance(cloudfactory, 5 * 3600)
    assert _deliveries(cloudfactory, task_id) == []


def test_delivery_log_is_scoped_to_the_workstream(cloudfactory, mock, receiver, wait_for, in_progress_events):
    _manual(cloudfactory)
    task_id = _submit(cloudfactory, mock, callback_url=receiver.url)
    _advance(cloudfactory, 5 * 3600)
    wait_for(lambda: len(_deliveries(cloudfactory, task_id)) == 2)
    assert cloudfactory.get("/v1/webhook_deliveries").json()["total"] == 2
    with mock.client("cloudfactory", headers={"x-api-key": "other-cloudfactory-key"}) as other:
        assert other.get("/v1/webhook_deliveries").json()["total"] == 0
        assert other.get("/v1/webhook_deliveries", params={"task_id": task_id}).json()["deliveries"] == []


def test_pending_task_survives_state_export_and_import(cloudfactory, mock):
    _manual(cloudfactory)
    task_id = _submit(cloudfactory, mock)
    state = cloudfactory.get("/_mock/state").json()
    assert cloudfactory.post("/_mock/reset").status_code == 200
    assert cloudfactory.get(f"/v1/tasks/{task_id}").status_code == 404
    assert cloudfactory.put("/_mock/state", json=state).status_code == 200
    _advance(cloudfactory, 5 * 3600)
    assert cloudfactory.get(f"/v1/tasks/{task_id}").json()["state"] == "completed"
