"""ModelArts through huaweicloudsdkcore's own signer and HTTP transport, against a real socket.

``huaweicloudsdkmodelarts`` has no workforce-task operations, so the tests drive the core client's
``do_http_request`` (what every generated SDK operation calls) with the documented paths.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.client import Client, ClientBuilder
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.sdk_response import SdkResponse
from huaweicloudsdkcore.signer.signer import Signer

from ma_support import DATASET, PROJECT
from mockserver.vendors.modelarts.workspace import DEFAULT

AK, SK = DEFAULT["ak"], DEFAULT["sk"]
T = "/v2/{project_id}/datasets/{dataset_id}/workforce-tasks"


class RawResponse(SdkResponse):
    """Keeps the answer as JSON text (``raw_content``): the client deserialises into nothing."""
    openapi_types: dict = {}
    attribute_map: dict = {}


def sdk_client(url, ak=AK, sk=SK, project=PROJECT) -> Client:
    return ClientBuilder(Client).with_credentials(BasicCredentials(ak, sk, project)).with_endpoints([url]).build()


def call(client, method, path, body=None, query=(), **path_params):
    resp = client.do_http_request(method, path, path_params={"dataset_id": DATASET, **path_params},
                                  query_params=list(query), header_params={"Content-Type": "application/json"},
                                  body=body, response_type=RawResponse)
    return resp.status_code, (json.loads(resp.raw_content) if resp.raw_content else None)


@pytest.fixture
def url(live_server):
    base = live_server.urls["modelarts"]
    assert httpx.post(f"{base}/_mock/reset").status_code == 200
    return base


def test_signed_request_is_accepted(url):
    status, body = call(sdk_client(url), "GET", "/v2/{project_id}/workforces", query=[("limit", 10), ("offset", 0)])
    assert status == 200
    assert body["workforces"][0]["workforce_id"] == DEFAULT["workforce"]["workforce_id"]


@pytest.mark.parametrize("ak,sk,code", [(AK, "X" * 40, "ModelArts.4504"), ("UNKNOWNAK0000000000", SK, "ModelArts.4504")])
def test_wrong_secret_or_unknown_access_key_refused(url, ak, sk, code):
    with pytest.raises(ClientRequestException) as info:
        call(sdk_client(url, ak=ak, sk=sk), "GET", "/v2/{project_id}/workforces")
    assert info.value.status_code == 401
    assert info.value.error_code == code
    assert info.value.request_id  # X-Request-Id reached the SDK


def _signed(url, method="GET", path=f"/v2/{PROJECT}/workforces", when=None, sk=SK, body=b""):
    host = url.split("://", 1)[1]
    headers = {"Content-Type": "application/json", "X-Project-Id": PROJECT}
    if when is not None:
        headers["X-Sdk-Date"] = when.strftime("%Y%m%dT%H%M%SZ")
    req = SdkRequest(method=method, schema="http", host=host, resource_path=path, query_params=[],
                     header_params=headers, body=body)
    Signer(BasicCredentials(AK, sk, PROJECT)).sign(req)
    return httpx.request(method, f"{url}{req.uri}", headers=req.header_params, content=req.body or b"")


def test_signer_directly_and_stale_date_refused(url):
    assert _signed(url).status_code == 200
    stale = _signed(url, when=datetime.now(timezone.utc) - timedelta(minutes=20))
    assert stale.status_code == 401 and stale.json()["error_code"] == "ModelArts.4504"
    assert "expired" in stale.json()["error_msg"]
    fresh_enough = _signed(url, when=datetime.now(timezone.utc) - timedelta(minutes=5))
    assert fresh_enough.status_code == 200


def test_tampered_body_refused(url):
    host = url.split("://", 1)[1]
    req = SdkRequest(method="POST", schema="http", host=host, resource_path=f"/v2/{PROJECT}/workforces",
                     query_params=[], header_params={"Content-Type": "application/json"},
                     body=json.dumps({"workforce_name": "signed"}).encode())
    Signer(BasicCredentials(AK, SK, PROJECT)).sign(req)
    r = httpx.post(f"{url}{req.uri}", headers=req.header_params, content=json.dumps({"workforce_name": "evil"}).encode())
    assert r.status_code == 401


def test_other_project_refused_with_own_keys(url):
    other = DEFAULT["other_project"]
    client = sdk_client(url, ak=other["ak"], sk=other["sk"], project=other["project_id"])
    status, body = call(client, "GET", "/v2/{project_id}/workforces")
    assert status == 200 and body["total_number"] == 0  # its own, empty project
    with pytest.raises(ClientRequestException) as info:
        client.do_http_request("GET", f"/v2/{PROJECT}/workforces", path_params={}, query_params=[],
                               header_params={"Content-Type": "application/json", "X-Project-Id": other["project_id"]},
                               response_type=RawResponse)
    assert info.value.status_code == 403


def test_full_cycle_through_the_sdk(url):
    c = sdk_client(url)
    status, team = call(c, "POST", "/v2/{project_id}/workforces", {"workforce_name": "sdk-team", "description": "x"})
    assert status == 201
    wf = team["workforce_id"]
    for email, role in (("s1@example.com", 0), ("s2@example.com", 0), ("sr@example.com", "1")):
        assert call(c, "POST", "/v2/{project_id}/workforces/{workforce_id}/workers",
                    {"emails": email, "role": role, "description": ""}, workforce_id=wf)[0] == 201
    _, workers = call(c, "GET", "/v2/{project_id}/workforces/{workforce_id}/workers", workforce_id=wf,
                      query=[("limit", 10), ("offset", 0)])
    ids = {w["email"]: w["worker_id"] for w in workers["workers"]}
    assert workers["total_number"] == 3 and all(len(i) == 32 for i in ids.values())

    _, created = call(c, "POST", T, {"task_name": "sdk-task", "repetition": 2, "sample_conditions": "",
                                     "workforces_config": {"agency": "", "workforces": [{"workforce_id": wf}]},
                                     "auto_sync_dataset": True, "data_sync_type": 0, "synchronize_data": False,
                                     "synchronize_auto_labeling_data": False})
    task = created["task_id"]
    assert call(c, "POST", T + "/{task_id}", {}, task_id=task) == (200, {})
    _, page = call(c, "GET", T + "/{task_id}/data-annotations/samples", task_id=task,
                   query=[("limit", 100), ("offset", 0), ("sample_state", "__NONE__")])
    assert page["sample_count"] == 20
    for s in page["samples"]:
        assert sorted(lb["email"] for lb in s["labelers"]) == ["s1@example.com", "s2@example.com"]
        body = {"samples": [{"sample_id": s["sample_id"], "worker_id": ids[e], "labels": [{"name": "rose"}]}
                            for e in ("s1@example.com", "s2@example.com")]}
        assert call(c, "PUT", T + "/{task_id}/data-annotations/samples", body, task_id=task) == (200, {"success": True})
    comments = [{"sample_id": s["sample_id"], "worker_id": ids["s1@example.com"], "accept": True, "comment": "",
                 "score": "A"} for s in page["samples"]]
    assert call(c, "POST", T + "/{task_id}/data-annotations/review", {"comments": comments}, task_id=task)[0] == 200

    _, acc = call(c, "POST", T + "/{task_id}/acceptance", {"sampling_rate": 0.2}, task_id=task)
    checking = acc["task_id"]
    with pytest.raises(ClientRequestException) as info:  # only one acceptance at a time
        call(c, "POST", T + "/{task_id}/acceptance", {"sampling_num": 2}, task_id=task)
    assert info.value.error_code == "ModelArts.4623"
    _, sampled = call(c, "GET", T + "/{task_id}/data-annotations/samples", task_id=task,
                      query=[("limit", 100), ("sample_state", "__WORKFORCE_SAMPLED__")])
    assert sampled["sample_count"] == 4
    scores = ["A", "B", "C", "D"]
    comments = [{"sample_id": s["sample_id"], "worker_id": ids["s1@example.com"], "accept": i < 3, "score": scores[i]}
                for i, s in enumerate(sampled["samples"])]
    assert call(c, "POST", T + "/{task_id}/acceptance/batch-comment", {"comments": comments}, task_id=task)[0] == 200
    _, report = call(c, "GET", T + "/{task_id}/acceptance/report", task_id=task, query=[("checking_task_id", checking)])
    cs = report["checking_stats"]
    assert (cs["sampled_sample_count"], cs["checked_sample_count"], cs["accepted_sample_count"],
            cs["rejected_sample_count"]) == (4, 4, 3, 1)
    assert cs["pass_rate"] == 0.75 and cs["total_score"] == 100 + 80 + 60 + 40 and cs["score"] == "B"  # mean 70
    assert call(c, "PUT", T + "/{task_id}/acceptance/status", {"action": 0, "overwrite_last_result": False},
                task_id=task, query=[("locale", "en-us")])[0] == 200

    _, detail = call(c, "GET", T + "/{task_id}", task_id=task,
                     query=[("label_stats", True), ("sample_stats", True), ("workforce_stats", True)])
    assert detail["status"] == 3
    st = detail["sample_stats"]
    assert st["total_sample_count"] == 20 and st["accepted_sample_count"] == 19 and st["rejected_sample_count"] == 1
    assert detail["pass_rate"] == 0.75 and detail["score"] == 70.0
    labelers = [w for w in detail["worker_stats"] if w["role"] == 0]
    assert sum(w["sample_stats"]["total_sample_count"] for w in labelers) == 2 * 20
    s1 = next(w for w in labelers if w["email"] == "s1@example.com")
    assert s1["sample_stats"]["rejected_sample_count"] == 1 and s1["sample_stats"]["accepted_sample_count"] == 19
    assert s1["pass_rate"] == 0.75
    _, stats = call(c, "GET", T + "/{task_id}/data-annotations/stats", task_id=task)
    assert stats["sample_stats"]["accepted"] == 19 and stats["label_stats"][0] == {
        "name": "rose", "type": 0, "property": {}, "attributes": [], "count": 40, "sample_count": 40}
    _, metrics = call(c, "GET", T + "/{task_id}/metrics", task_id=task)
    assert metrics["sample_stats"]["s1@example.com"]["accepted"] == 19
    assert metrics["sample_stats"]["s2@example.com"]["rejected"] == 0

    assert call(c, "DELETE", T + "/{task_id}", task_id=task) == (204, None)
    with pytest.raises(ClientRequestException) as info:
        call(c, "GET", T + "/{task_id}", task_id=task)
    assert info.value.status_code == 400 and info.value.error_code == "ModelArts.4619"
    assert call(c, "DELETE", "/v2/{project_id}/workforces/{workforce_id}", workforce_id=wf)[0] == 204


# -- the shipped helper: mockserver.vendors.modelarts.sdk ------------------------------------------
def test_helper_operations_are_the_spec_s_documented_ones():
    from mockserver.app import load_spec
    from mockserver.vendors.modelarts import sdk, sdk_models

    spec = load_spec("modelarts.yaml")
    documented = {op["operationId"]: (method.upper(), path) for path, item in spec["paths"].items()
                  for method, op in item.items() if not op.get("x-stand-in-extension")}
    assert sdk.OPERATIONS == documented
    for name in documented:
        assert issubclass(getattr(sdk_models, f"{name}Response"), sdk.Response)


def test_helper_gives_typed_answers_over_the_sdk(url):
    from mockserver.vendors.modelarts import sdk
    from mockserver.vendors.modelarts import sdk_models as models

    c = sdk.client(url, AK, SK, PROJECT)
    task = DEFAULT["task"]["task_id"]
    ids = {"dataset_id": DATASET, "workforce_task_id": task}
    teams = sdk.do_http_request(c, "ListWorkforces", query={"limit": 10})
    assert isinstance(teams, models.ListWorkforcesResponse) and teams.status_code == 200
    assert isinstance(teams.workforces[0], models.Workforce) and teams.workforces[0].workforce_name == "team-flowers"

    page = sdk.do_http_request(c, "ListWorkforceTaskSamples", query={"limit": 100}, **ids)
    assert page.sample_count == 20 and all(isinstance(s, models.DescribeSampleResp) for s in page.samples)
    first = page.samples[0]
    assert first.metadata.size == [640, 480, 3] and first.metadata.import_origin == 0
    assert isinstance(first.labelers[0], models.Worker) and first.worker_id == first.labelers[0].worker_id
    body = {"samples": [{"sample_id": s.sample_id, "worker_id": s.labelers[0].worker_id,
                         "labels": [{"name": "rose", "score": 0.75}]} for s in page.samples]}
    done = sdk.do_http_request(c, "UpdateWorkforceTaskSamples", body=body, **ids)
    assert isinstance(done, models.UpdateWorkforceTaskSamplesResponse) and done.success is True

    one = sdk.do_http_request(c, "DescribeWorkforceTaskSample", sample_id=first.sample_id, **ids)
    assert isinstance(one, models.DescribeWorkforceTaskSampleResponse) and one.sample_status == "__UNREVIEWED__"
    (label,) = one.labels
    assert isinstance(label, models.SampleLabel) and (label.name, label.score, label.annotated_by) == ("rose", 0.75, "human")
    assert httpx.get(one.source).headers["content-type"] == "image/png"  # the signed URL serves the sample

    detail = sdk.do_http_request(c, "DescWorkforceTask", query={"label_stats": True}, **ids)
    assert isinstance(detail.sample_stats, models.SampleStats) and detail.sample_stats.unreviewed_sample_count == 20
    assert isinstance(detail.worker_stats[0], models.WorkerTask) and isinstance(detail.label_stats[0], models.LabelStats)
    assert detail.workforces_config.workforces[0].workers[0].email == "labeler@example.com"
    metrics = sdk.do_http_request(c, "GetWorkforceTaskMetrics", **ids)
    assert metrics.sample_stats["labeler@example.com"]["unreviewed"] == 10
    stats = sdk.do_http_request(c, "ListWorkforceTaskStats", **ids)
    assert stats.sample_stats["unreviewed"] == 20 and stats.label_stats[0].count == 20
    assert detail.to_dict()["sample_stats"]["total_sample_count"] == 20

    wf = sdk.do_http_request(c, "CreateWorkforce", body={"workforce_name": "sdk-helper"}).workforce_id
    assert sdk.do_http_request(c, "DeleteWorkforce", workforce_id=wf).status_code == 204
    with pytest.raises(ClientRequestException) as info:
        sdk.do_http_request(c, "ShowWorkforce", workforce_id=wf)
    assert (info.value.status_code, info.value.error_code) == (400, "ModelArts.4601") and info.value.request_id
    with pytest.raises(TypeError, match="workforce_id"):
        sdk.do_http_request(c, "ShowWorkforce")
    with pytest.raises(ValueError, match="unknown operation"):
        sdk.do_http_request(c, "NoSuchOperation")


def test_the_documented_helper_example_runs(url, capsys):
    """The Python block of docs/modelarts.md that uses the helper, run as printed but for the port."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "modelarts.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(from mockserver\.vendors\.modelarts\.sdk import.*?)```", text, re.S).group(1)
    exec(compile(code.replace("http://127.0.0.1:8702", url), "docs/modelarts.md", "exec"), {})  # noqa: S102
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 11 and out[0].endswith("__NONE__ [640, 480, 3] []") and out[-1].startswith("20 {")
