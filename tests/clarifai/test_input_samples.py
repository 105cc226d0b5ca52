"""GetInputSamples over REST (in process, every answer also validated against openapi/clarifai.yaml in strict
mode) and the input fixes the clarifai SDK needed: labels given with an input, images given as bytes."""
import base64

from google.protobuf import json_format

from clarifai_grpc.grpc.api import service_pb2 as S
from clarifai_grpc.grpc.api.status import status_code_pb2 as C

from clarifai_helpers import SCOPED
from test_work_http import CONSENSUS, TWO, annotate, make_task, submit


def samples(client, path: str, **params) -> S.MultiInputAnnotationResponse:
    r = client.get(path, params=params)
    return r.status_code, json_format.Parse(r.text, S.MultiInputAnnotationResponse(), ignore_unknown_fields=False)


def test_samples_are_the_submitted_work_by_input_then_worker(clarifai):
    tid = make_task(clarifai, worker=TWO, review=CONSENSUS, input_source={"type": "DATASET", "id": "mock-dataset"})
    status, answer = samples(clarifai, f"/v2/tasks/{tid}/inputs/samples")
    assert status == 200 and answer.status.code == C.SUCCESS and list(answer.hits) == []
    annotate(clarifai, tid, "input-002", "cat", "labeler-2")
    annotate(clarifai, tid, "input-001", "cat", "labeler-2")
    annotate(clarifai, tid, "input-001", "dog", "labeler-1")
    annotate(clarifai, tid, "input-003", "cat", "labeler-1", then_submit=False)  # pending: not a sample
    for path in (f"/v2/tasks/{tid}/inputs/samples", f"{SCOPED}/tasks/{tid}/inputs/samples"):
        status, answer = samples(clarifai, path)
        assert status == 200
        assert [(h.input.id, h.annotation.user_id) for h in answer.hits] == [
            ("input-001", "labeler-1"), ("input-001", "labeler-2"), ("input-002", "labeler-2")]
        first = answer.hits[0]
        assert first.input.data.image.url and first.annotation.input_id == "input-001"
        assert first.annotation.task_id == tid and [c.id for c in first.annotation.data.concepts] == ["dog"]
        assert first.annotation.status.code == C.ANNOTATION_AWAITING_REVIEW  # the two disagree on input-001
        assert (first.user_id, first.app_id) == ("mock-user", "mock-app")
    status, answer = samples(clarifai, f"/v2/tasks/{tid}/inputs/samples", user_ids=["labeler-2"])
    assert [(h.input.id, h.annotation.user_id) for h in answer.hits] == [("input-001", "labeler-2"),
                                                                         ("input-002", "labeler-2")]
    submit(clarifai, tid, "input-003", "labeler-1")
    status, answer = samples(clarifai, f"/v2/tasks/{tid}/inputs/samples", user_ids=["labeler-1"])
    assert [h.input.id for h in answer.hits] == ["input-001", "input-003"]


def test_samples_of_an_unknown_or_foreign_task(clarifai, mock):
    status, answer = samples(clarifai, "/v2/tasks/no-such-task/inputs/samples")
    assert status == 404 and answer.status.code == C.TASK_MISSING and list(answer.hits) == []
    r = clarifai.get("/v2/tasks/no-such-task/inputs/samples")
    assert r.json()["hits"] == []  # cl_show_if_empty, error answers included
    tid = make_task(clarifai)
    with mock.client("clarifai", headers={"Authorization": "Key other-clarifai-key"}) as other:
        status, answer = samples(other, f"/v2/tasks/{tid}/inputs/samples")
    assert status == 404 and answer.status.code == C.TASK_MISSING


def test_an_input_posted_with_labels_gets_its_annotation(clarifai):
    r = clarifai.post("/v2/inputs", json={"inputs": [
        {"id": "labeled", "data": {
            "image": {"url": "https://example.com/l.jpg"}, "concepts": [{"id": "cat", "value": 1}],
            "regions": [{"region_info": {"bounding_box": {"top_row": 0.1, "left_col": 0.2, "bottom_row": 0.3,
                                                          "right_col": 0.4}},
                         "data": {"concepts": [{"id": "dog", "value": 1}]}}]}},
        {"id": "plain", "data": {"image": {"url": "https://example.com/p.jpg"}}}]})
    assert r.status_code == 200, r.text
    anns = clarifai.get("/v2/annotations", params={"input_ids": ["labeled", "plain"]}).json()["annotations"]
    assert len(anns) == 1 and anns[0]["input_id"] == "labeled" and anns[0]["user_id"] == "mock-user"
    assert anns[0]["status"]["code"] == C.ANNOTATION_SUCCESS and anns[0]["trusted"] is True
    assert [c["id"] for c in anns[0]["data"]["concepts"]] == ["cat"]
    assert anns[0]["data"]["regions"][0]["region_info"]["bounding_box"]["left_col"] == 0.2
    bad = clarifai.post("/v2/inputs", json={"inputs": [
        {"id": "bad-label", "data": {"image": {"url": "https://example.com/b.jpg"}, "concepts": [{"value": 1}]}}]})
    assert bad.status_code == 400 and "inputs[0].data.concepts[0]" in bad.json()["status"]["details"]  # id or name
    assert clarifai.get("/v2/inputs/bad-label").status_code == 404  # nothing stored


def test_an_image_given_as_bytes_answers_with_its_hosted_url(clarifai):
    raw = base64.b64encode(b"\x89PNG\r\n\x1a\nnot really").decode()
    r = clarifai.post("/v2/inputs", json={"inputs": [{"id": "bytes", "data": {"image": {"base64": raw}}}]})
    assert r.status_code == 200, r.text
    fetched = clarifai.get("/v2/inputs/bytes").json()["input"]
    for image in (r.json()["inputs"][0]["data"]["image"], fetched["data"]["image"]):
        assert "base64" not in image and image["url"] == "https://data.clarifai.com/orig/mock-user/mock-app/bytes"
    json_format.Parse(clarifai.get("/v2/inputs/bytes").text, S.SingleInputResponse(), ignore_unknown_fields=False)
