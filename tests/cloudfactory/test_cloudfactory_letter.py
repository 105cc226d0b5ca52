"""CloudFactory to the letter of its pages: the Quality seed sent as printed, media keys as bucket object
URLs, the webhook signature checked with the snippet docs/cloudfactory.md gives, the spec's markers."""
import json
import re
from pathlib import Path

import pytest
import yaml

from mockserver.resources import spec_path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
JPEG = b"\xff\xd8\xff\xe0" + b"x" * 100


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed pages are not at {SEEDS} (../shared/seeds beside the repository)")
def test_seed_003_quality_example_with_only_the_ids_replaced(mock, records):
    text = next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8")
    request = text[text.index("POST /v1/workstreams/"):]
    path = re.match(r"POST (\S+) HTTP/1.1", request).group(1)
    api_key = re.search(r"^x-api-key: (\S+)$", request, re.M).group(1)
    body, end = json.JSONDecoder().raw_decode(request, request.index("\n{") + 1)
    expected = json.JSONDecoder().raw_decode(request, request.index("{", end))[0]
    # the ids (and the key), nothing else: the workstream's, its use case's and task definition's
    ours = {"workstream_id": "ws-0001", "use_case_id": "uc-0001", "task_definition_id": "td-0001"}
    path = path.replace("{workstream_id}", body["workstream_id"]).replace(body["workstream_id"], ours["workstream_id"])
    body.update(ours)
    with mock.client("cloudfactory", headers={"x-api-key": api_key.replace(api_key, "mock-cloudfactory-key")}) as c:
        r = c.post(path, json=body)
    assert r.status_code == 202 and r.json() == expected == {"message": "Data successfully received."}
    (record,) = records("quality")
    assert record["review_score"] == 0.78 and record["review_type"] == "QA" and record["unique_id"] == body["unique_id"]


# -- media_key as a bucket object's URL ------------------------------------------------------------
@pytest.mark.parametrize("media_key", ["s3://bucket-0001/frames/0001.jpg", "gs://bucket-0001/a.jpg",
                                       "https://bucket-0001.s3.amazonaws.com/frames/0001.jpg",
                                       "https://bucket-0001.s3.eu-west-1.amazonaws.com/frames/0001.jpg",
                                       "https://s3.eu-west-1.amazonaws.com/bucket-0001/frames/0001.jpg",
                                       "https://storage.googleapis.com/bucket-0001/frames/0001.jpg"])
def test_media_key_may_be_an_object_url_in_a_mounted_bucket(cloudfactory, mock, media_key):
    r = cloudfactory.post("/v1/tasks", json={"media_key": media_key, "configuration_id": "cfg-0001",
                                             "media_type": "image", "tags": [{"value": "car"}]})
    assert r.status_code == 200, r.text
    stored = mock.world.store.table("cloudfactory_tasks").get(r.json()["task_id"])
    assert stored["bucket_id"] == "bucket-0001" and stored["object_key"].endswith(".jpg")
    assert cloudfactory.get(f"/v1/tasks/{r.json()['task_id']}").json()["state"] == "queued"


@pytest.mark.parametrize("body,field,status", [
    ({"media_key": "s3://someone-elses/a.jpg"}, "media_key", 404),  # no such media here
    ({"media_key": "ftp://bucket-0001/a.jpg"}, "media_key", 404),
    ({"media_key": "https://example.com/bucket-0001/a.jpg"}, "media_key", 404),
    ({"media_key": "s3://bucket-0001/a.jpg", "bucket_id": "bucket-0002"}, "bucket_id", 409),  # two buckets named
])
def test_media_key_urls_outside_the_workstream_s_buckets_are_refused(cloudfactory, body, field, status):
    r = cloudfactory.post("/v1/tasks", json={"configuration_id": "cfg-0001", **body})
    assert r.status_code == status and field in r.json()["errors"], r.text
    assert r.json()["message"] == {404: "Not found", 409: "Conflict"}[status]


def test_a_bucket_of_another_workstream_is_not_mounted_here(mock):
    with mock.client("cloudfactory", headers={"x-api-key": "other-cloudfactory-key"}) as other:
        r = other.post("/v1/tasks", json={"media_key": "s3://bucket-0001/a.jpg", "configuration_id": "cfg-0002"})
    assert r.status_code == 404 and "not mounted" in r.json()["errors"]["media_key"]


# -- the webhook signature, checked by the documentation's own snippet -------------------------------
def _doc_snippet():
    text = (ROOT / "docs" / "cloudfactory.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?def verify_cloudfactory_signature.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/cloudfactory.md", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_cloudfactory_signature"]


def test_the_documented_snippet_verifies_a_real_delivery(cloudfactory, mock, receiver, wait_for):
    verify = _doc_snippet()
    cloudfactory.post("/_mock/clock", json={"mode": "manual"})
    media = cloudfactory.post("/v1/media", json={"configuration_id": "cfg-0001"}).json()
    with mock.client("cloudfactory") as anonymous:
        assert anonymous.put(media["media_upload_url"], content=JPEG,
                             headers={"content-type": "image/jpeg"}).status_code == 200
    task = cloudfactory.post("/v1/tasks", json={"media_key": media["media_key"], "configuration_id": "cfg-0001",
                                                "callback_url": receiver.url}).json()["task_id"]
    cloudfactory.post("/_mock/clock", json={"advance": 5 * 3600})
    (delivery,) = wait_for(lambda: receiver.requests[:1])
    secret = mock.world.workspace["cloudfactory"]["webhook_secret"]
    header, raw = delivery["headers"]["X-CF-Signature"], delivery["body"].encode()
    assert re.fullmatch(r"t=\d+;v1=[0-9a-f]{64}", header)
    assert verify(secret, header, raw)
    t = int(header.split(";")[0][2:])
    assert verify(secret, header, raw, tolerance=300, now=t + 120)  # t is the virtual time of the attempt
    assert not verify(secret, header, raw, tolerance=300, now=t + 301)
    assert json.loads(raw)["task_id"] == task and raw == json.dumps(json.loads(raw), separators=(",", ":")).encode()
    assert not verify(secret, header, raw.replace(b"completed", b"failed"))
    assert not verify("another-secret", header, raw)
    assert not verify(secret, header.replace(f"t={t}", f"t={t + 1}"), raw)
    assert not verify(secret, "garbage", raw)


# -- the spec says what is the vendor's and what is the stand-in's ---------------------------------
def test_spec_marks_stand_in_extensions_and_designs():
    spec = yaml.safe_load(spec_path("cloudfactory.yaml").read_text(encoding="utf-8"))
    marks = {op["operationId"]: ("extension" if op.get("x-stand-in-extension") else
                                 "design" if op.get("x-stand-in-design") else "documented")
             for item in spec["paths"].values() for op in item.values()}
    assert marks == {"TaskCompleted": "design", "TaskReviewed": "documented", "PostUploadUrl": "design",
                     "PutCsvUpload": "design", "GetUpload": "extension", "GetReports": "extension",
                     "PostMedia": "design", "PutMediaUpload": "design", "PostTasks": "documented",
                     "GetTask": "documented", "GetWebhookDeliveries": "extension"}
    inference = spec["components"]["schemas"]["Inference"]
    assert all(inference["properties"][k]["type"] == "array" for k in ("bbox", "mask", "polygon"))
    assert "workstream_id" not in spec["components"]["schemas"]["Throughput"]["allOf"][1]["required"]
