"""Simulated work is real work: a shipped quick start served with ``serve --scenario``, the clock moved,
and what the simulated people did read back through the vendor's own API (not the control API)."""
from __future__ import annotations

from collections import Counter

import httpx
import pytest

from mockserver.testing import ServerProcess

APP = "/v2/users/mock-user/apps/mock-app"
AUTH = {"Authorization": "Key mock-clarifai-key"}


@pytest.fixture(scope="module")
def clarifai_quickstart():
    with ServerProcess("--scenario", "clarifai-quickstart") as server:
        with httpx.Client(base_url=server.urls["clarifai"], headers=AUTH, timeout=10) as client:
            before = client.get(f"{APP}/annotations", params={"task_id": "quickstart", "per_page": 1000}).json()
            assert client.post("/_mock/clock", json={"advance": 7200}).status_code == 200
            yield client, before


def test_no_annotation_before_the_clock_moves(clarifai_quickstart):
    _, before = clarifai_quickstart
    assert before["status"]["code"] == 10000 and before.get("annotations", []) == []


def test_simulated_labels_are_clarifai_annotations(clarifai_quickstart):
    client, _ = clarifai_quickstart
    body = client.get(f"{APP}/annotations", params={"task_id": "quickstart", "per_page": 1000}).json()
    annotations = body["annotations"]
    # 24 inputs, two labelers each: one annotation per (input, labeler) that labeled it
    assert len(annotations) == 48
    assert {a["user_id"] for a in annotations} <= {"labeler-1", "labeler-2", "labeler-3"}
    assert len({(a["input_id"], a["user_id"]) for a in annotations}) == 48
    for a in annotations:
        assert a["task_id"] == "quickstart"
        (concept,) = a["data"]["concepts"]
        assert concept["id"] in {"cat", "dog", "bird"} and concept["value"] == 1.0
        assert a["status"]["code"] in (24150, 24158)  # ANNOTATION_SUCCESS, ANNOTATION_REVIEW_DENIED
    # each one can be fetched by its id, as listed
    one = annotations[0]
    got = client.get(f"{APP}/annotations", params={"ids": one["id"]}).json()["annotations"]
    assert got == [one]


def test_annotation_counts_agree_with_the_annotations(clarifai_quickstart):
    client, _ = clarifai_quickstart
    annotations = client.get(f"{APP}/annotations", params={"task_id": "quickstart", "per_page": 1000}).json()["annotations"]
    by_status = Counter((a["user_id"], a["status"]["code"]) for a in annotations)
    counts = client.get(f"{APP}/tasks/quickstart/annotations/count").json()["counts"]
    assert {c["user_id"] for c in counts} == {"labeler-1", "labeler-2", "labeler-3"}
    for c in counts:
        assert c["success"] == by_status[(c["user_id"], 24150)]
        assert c["review_denied"] == by_status[(c["user_id"], 24158)]
        assert c["pending"] == c["awaiting_review"] == c["awaiting_consensus_review"] == 0
    inputs = client.get(f"{APP}/tasks/quickstart/inputs/count").json()["counts"]
    assert sum(c["success"] + c["review_denied"] for c in inputs) == 48


def test_filters_by_user_and_status(clarifai_quickstart):
    client, _ = clarifai_quickstart
    mine = client.get(f"{APP}/annotations", params={"task_id": "quickstart", "user_ids": "labeler-1",
                                                     "per_page": 1000}).json()["annotations"]
    assert mine and {a["user_id"] for a in mine} == {"labeler-1"}
    everything = client.get(f"{APP}/annotations", params={"task_id": "quickstart", "per_page": 1000}).json()["annotations"]
    for name, code in (("ANNOTATION_REVIEW_DENIED", 24158), ("ANNOTATION_SUCCESS", 24150)):
        found = client.get(f"{APP}/annotations", params={"task_id": "quickstart", "statuses": name,
                                                         "per_page": 1000}).json().get("annotations", [])
        assert sorted(a["id"] for a in found) == sorted(a["id"] for a in everything if a["status"]["code"] == code)
    assert any(a["status"]["code"] == 24150 for a in everything)


MA_PROJECT = "0123456789abcdef0123456789abcdef"
MA_TASK = f"/v2/{MA_PROJECT}/datasets/WxCREuCkBSAlQr9xrde/workforce-tasks/iYZx7gScPUozOXner9k"


@pytest.fixture(scope="module")
def modelarts_quickstart():
    with ServerProcess("--scenario", "modelarts-quickstart") as server:
        with httpx.Client(base_url=server.urls["modelarts"], headers={"X-Auth-Token": "mock-modelarts-token"},
                          timeout=30) as client:
            assert client.post("/_mock/clock", json={"mode": "manual"}).status_code == 200
            assert client.post("/_mock/clock", json={"advance": 6 * 3600}).status_code == 200
            yield client


def test_modelarts_samples_carry_labels_reviews_and_acceptance(modelarts_quickstart):
    client = modelarts_quickstart
    samples = client.get(f"{MA_TASK}/data-annotations/samples", params={"limit": 100}).json()["samples"]
    assert len(samples) == 20
    for s in samples:
        assert s["labels"] and s["labels"][0]["name"] in {"daisy", "rose", "tulip", "sunflower"}
        assert {lb["email"] for lb in s["labelers"]} <= {"labeler@example.com", "labeler2@example.com"}
        # the simulated reviewer checked every sample: its verdict shows on the sample
        assert isinstance(s.get("review_accept"), bool), s
    checked = [s for s in samples if "check_accept" in s]
    assert len(checked) == 10  # the admin's acceptance sampled half of them
    assert all(s["sample_status"] in ("__ACCEPTED__", "__REJECTED__") for s in samples)


def test_modelarts_task_figures_agree_with_its_samples(modelarts_quickstart):
    client = modelarts_quickstart
    samples = client.get(f"{MA_TASK}/data-annotations/samples", params={"limit": 100}).json()["samples"]
    detail = client.get(MA_TASK, params={"sample_stats": "true"}).json()
    stats = detail["sample_stats"]
    assert stats["total_sample_count"] == 20
    assert stats["accepted_sample_count"] == sum(s["sample_status"] == "__ACCEPTED__" for s in samples)
    assert stats["rejected_sample_count"] == sum(s["sample_status"] == "__REJECTED__" for s in samples)
    assert 0.0 <= detail["pass_rate"] <= 1.0
