"""Batch calls are all or nothing: a batch whose LAST entry is refused answers an error and leaves every
stored document as it was (a client that retries the batch must not double-apply its first entries)."""
from __future__ import annotations

import pytest

from mockserver.testing import InProcess
from mockserver.vendors.modelarts.workspace import DEFAULT as MA

APP = "/v2/users/mock-user/apps/mock-app"
MA_TASKS = f"/v2/{MA['project_id']}/datasets/{MA['dataset']['dataset_id']}/workforce-tasks"


@pytest.fixture
def server():
    mock = InProcess()
    clients = {
        "clarifai": mock.client("clarifai", headers={"Authorization": "Key mock-clarifai-key"}),
        "modelarts": mock.client("modelarts", headers={"X-Auth-Token": MA["token"]}),
    }
    yield mock, clients
    for c in clients.values():
        c.close()


def state(mock) -> dict:
    with mock.client("clarifai") as c:
        return c.get("/_mock/state").json()


def refused_without_change(mock, client, method, path, body, status):
    before = state(mock)
    response = client.request(method, path, json=body)
    assert response.status_code == status, response.text
    after = state(mock)
    changed = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
    assert not changed, f"{method} {path} changed {changed} although it answered {status}"


def _task(clarifai, task_id="atomic"):
    body = {"tasks": [{"id": task_id, "type": "CONCEPTS_CLASSIFICATION", "concept_ids": ["cat"],
                       "input_source": {"type": "ALL_INPUTS"},
                       "worker": {"strategy": "FULL", "users": [{"id": "labeler-1"}]},
                       "review": {"strategy": "NONE"}}]}
    assert clarifai.post(f"{APP}/tasks", json=body).status_code == 200


def test_clarifai_post_annotations(server):
    mock, c = server
    _task(c["clarifai"])
    good = {"input_id": "input-001", "task_id": "atomic", "user_id": "labeler-1", "data": {"concepts": [{"id": "cat"}]}}
    bad = {"input_id": "no-such-input", "data": {"concepts": [{"id": "cat"}]}}
    refused_without_change(mock, c["clarifai"], "POST", f"{APP}/annotations", {"annotations": [good, bad]}, 404)
    not_assigned = {"input_id": "input-002", "task_id": "atomic", "user_id": "labeler-2",
                    "data": {"concepts": [{"id": "cat"}]}}
    refused_without_change(mock, c["clarifai"], "POST", f"{APP}/annotations", {"annotations": [good, not_assigned]}, 403)


def test_clarifai_patch_annotations(server):
    mock, c = server
    posted = c["clarifai"].post(f"{APP}/annotations", json={"annotations": [
        {"id": "a1", "input_id": "input-001", "data": {"concepts": [{"id": "cat"}]}}]})
    assert posted.status_code == 200, posted.text
    body = {"action": "overwrite", "annotations": [{"id": "a1", "data": {"concepts": [{"id": "dog"}]}},
                                                   {"id": "missing", "data": {"concepts": [{"id": "dog"}]}}]}
    refused_without_change(mock, c["clarifai"], "PATCH", f"{APP}/annotations", body, 404)


def test_clarifai_tasks_and_inputs(server):
    mock, c = server
    _task(c["clarifai"])
    refused_without_change(mock, c["clarifai"], "DELETE", f"{APP}/tasks", {"ids": ["atomic", "missing"]}, 404)
    refused_without_change(mock, c["clarifai"], "DELETE", f"{APP}/inputs", {"ids": ["input-001", "missing"]}, 404)
    good = {"id": "new-input", "data": {"image": {"url": "https://example.com/a.jpg"}}}
    refused_without_change(mock, c["clarifai"], "POST", f"{APP}/inputs", {"inputs": [good, {"id": "input-001",
                           "data": {"image": {"url": "https://example.com/b.jpg"}}}]}, 409)  # exists


def _labelers(modelarts, sample_id):
    samples = modelarts.get(f"{MA_TASKS}/{MA['task']['task_id']}/data-annotations/samples", params={"limit": 100})
    assert samples.status_code == 200, samples.text
    return {s["sample_id"]: s["labelers"] for s in samples.json()["samples"]}[sample_id]


def test_modelarts_submit_samples(server):
    mock, c = server
    first, second = MA["dataset"]["sample_ids"][:2]
    (labeler,) = _labelers(c["modelarts"], first)[:1]
    path = f"{MA_TASKS}/{MA['task']['task_id']}/data-annotations/samples"
    good = {"sample_id": first, "worker_id": labeler["worker_id"], "labels": [{"name": "cat", "type": 0}]}
    refused_without_change(mock, c["modelarts"], "PUT", path, {"samples": [good, {**good, "sample_id": "nope"}]}, 400)
    on_second = {w["worker_id"] for w in _labelers(c["modelarts"], second)}
    stranger = next(w["worker_id"] for w in _members(c["modelarts"]) if w["worker_id"] not in on_second)
    refused_without_change(mock, c["modelarts"], "PUT", path,
                           {"samples": [good, {**good, "sample_id": second, "worker_id": stranger}]}, 403)


def _members(modelarts):
    team = MA["workforce"]["workforce_id"]
    return modelarts.get(f"/v2/{MA['project_id']}/workforces/{team}/workers", params={"limit": 100}).json()["workers"]


def test_modelarts_review_samples(server):
    mock, c = server
    task_path = f"{MA_TASKS}/{MA['task']['task_id']}"
    first, second = MA["dataset"]["sample_ids"][:2]
    body = {"samples": [{"sample_id": first, "worker_id": w["worker_id"], "labels": [{"name": "cat", "type": 0}]}
                        for w in _labelers(c["modelarts"], first)]}
    assert c["modelarts"].put(f"{task_path}/data-annotations/samples", json=body).status_code == 200
    # the first sample now awaits review; the second was never labeled, so it cannot be reviewed
    comments = {"comments": [{"sample_id": first, "accept": True}, {"sample_id": second, "accept": True}]}
    refused_without_change(mock, c["modelarts"], "POST", f"{task_path}/data-annotations/review", comments, 400)
