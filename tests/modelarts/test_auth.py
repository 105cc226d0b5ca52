"""Credentials, the project check, unknown APIs, and a replay of the SDK's recorded requests."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ma_support import PROJECT, V2, assert_error, ok
from mockserver.vendors.modelarts.workspace import DEFAULT

WIRE_LOG = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "modelarts-sdk-wire-log.jsonl"


def test_missing_empty_and_bad_credentials(mock):
    with mock.client("modelarts") as c:
        assert_error(c.get(f"{V2}/workforces"), 401, "ModelArts.0205")
        assert_error(c.get(f"{V2}/workforces", headers={"X-Auth-Token": ""}), 401, "ModelArts.0201")
        assert_error(c.get(f"{V2}/workforces", headers={"X-Auth-Token": "forged"}), 401, "ModelArts.0203")
        assert_error(c.get(f"{V2}/workforces", headers={"Authorization": "Basic abc"}), 401, "ModelArts.0206")
        bad_sig = "SDK-HMAC-SHA256 Access=MOCKAK0000000000000, SignedHeaders=host;x-sdk-date, Signature=00"
        now = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        assert_error(c.get(f"{V2}/workforces", headers={"Authorization": bad_sig, "X-Sdk-Date": now}), 401,
                     "ModelArts.4504")
        assert_error(c.get(f"{V2}/workforces", headers={"Authorization": bad_sig}), 401, "ModelArts.0206")
        unknown = bad_sig.replace("MOCKAK0000000000000", "NOSUCHAK00000000000")
        assert_error(c.get(f"{V2}/workforces", headers={"Authorization": unknown, "X-Sdk-Date": now}), 401,
                     "ModelArts.4504")


def test_refusals_answer_as_the_gateway_with_the_request_id(mock):
    """A credential refusal carries the request's id in the body too, the same as X-Request-Id."""
    with mock.client("modelarts") as c:
        for headers, status in (({}, 401), ({"X-Auth-Token": "forged"}, 401),
                                ({"X-Auth-Token": DEFAULT["other_project"]["token"]}, 403)):
            r = c.get(f"{V2}/workforces", headers=headers)
            assert r.status_code == status
            assert r.json()["request_id"] == r.headers["x-request-id"] and len(r.json()["request_id"]) == 32
        # errors after the gateway keep ModelArts' own shape
        r = c.get(f"{V2}/workforces/nope", headers={"X-Auth-Token": DEFAULT["token"]})
        assert set(r.json()) == {"error_code", "error_msg"}


def test_other_projects_token_is_forbidden_here(mock):
    with mock.client("modelarts", headers={"X-Auth-Token": DEFAULT["other_project"]["token"]}) as c:
        assert_error(c.get(f"{V2}/workforces"), 403, "ModelArts.0210")
        other = DEFAULT["other_project"]["project_id"]
        assert ok(c.get(f"/v2/{other}/workforces"))["total_number"] == 0
        assert_error(c.get(f"/v2/{other}/datasets/WxCREuCkBSAlQr9xrde"), 400, "ModelArts.4352")


def test_unknown_api_and_wrong_method(modelarts):
    r = modelarts.get(f"{V2}/no-such-thing")
    assert_error(r, 404, "ModelArts.4204")
    r = modelarts.patch(f"{V2}/workforces")
    assert r.status_code == 405 and r.json()["error_code"] == "ModelArts.4204"
    assert r.headers["x-request-id"]


def test_invalid_json_body_in_vendor_shape(modelarts):
    r = modelarts.post(f"{V2}/workforces", content=b"{not json", headers={"Content-Type": "application/json"})
    assert_error(r, 400, "ModelArts.0101")


def _wire_log():
    return [json.loads(line) for line in WIRE_LOG.read_text().splitlines() if line.strip()]


@pytest.mark.skipif(not WIRE_LOG.exists(), reason="shared reference not present")
def test_replay_of_the_sdk_wire_log(mock):
    """The recorded SDK session, request by request (method, path, query, body, headers), re-signed with
    the workspace's keys by huaweicloudsdkcore's Signer (the recorder's secret key is not ours), with the
    ids the recorder's server handed out replaced by ours.  The one request the recorder found badly
    signed is signed with a wrong secret here."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    expected = [404, 201, 201, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 204, 400,
                401, 200]
    entries = _wire_log()
    assert len(entries) == len(expected)
    ids: dict = {}
    with mock.client("modelarts") as c:
        for e, status in zip(entries, expected):
            path, query, body = e["path"], e["raw_query"], json.dumps(e["body"]) if e["body"] is not None else ""
            for theirs, ours in ids.items():
                path, query, body = path.replace(theirs, ours), query.replace(theirs, ours), body.replace(theirs, ours)
            headers = {k: v for k, v in e["headers"].items()
                       if k in ("Content-Type", "X-Project-Id", "Host", "User-Agent", "X-Auth-Token")}
            req = SdkRequest(method=e["method"], schema="http", host=headers["Host"], resource_path=path,
                             query_params=[tuple(p.split("=", 1)) for p in query.split("&") if p],
                             header_params=headers, body=body.encode())
            sk = DEFAULT["sk"] if e["sig_ok"] else "WRONG" * 8
            Signer(BasicCredentials(DEFAULT["ak"], sk, PROJECT)).sign(req)
            r = c.request(e["method"], req.uri, headers=req.header_params, content=req.body or b"")
            assert r.status_code == status, (e["method"], path, r.text)
            answer = r.json() if r.content else {}
            if e["method"] == "POST" and path.endswith("/workforces"):
                ids["DB0xs4jbSGbL0HABMcJ"] = answer["workforce_id"]
            elif e["method"] == "POST" and path.endswith("/workforce-tasks"):
                ids["mmodfDIYY3NiCYB4bkH"] = answer["task_id"]
            elif e["method"] == "POST" and path.endswith("/acceptance"):
                ids["h4dSoAAfIKpmSyfvKKk"] = answer["task_id"]
            elif e["method"] == "PUT" and path.endswith("/acceptance/status"):
                task = path.split("/workforce-tasks/")[1].split("/")[0]
                detail = c.get(f"{V2}/datasets/WxCREuCkBSAlQr9xrde/workforce-tasks/{task}",
                               headers={"X-Auth-Token": DEFAULT["token"]}, params={"sample_stats": "true"}).json()
                assert detail["status"] == 3 and detail["sample_stats"]["accepted_sample_count"] == 1


def test_signed_request_days_away_is_stale(mock):
    """The wire log's requests are refused once the server clock is a day past their X-Sdk-Date."""
    entry = next(e for e in _wire_log() if e["sig_ok"] and e["method"] == "GET" and "workforces" in e["path"]) \
        if WIRE_LOG.exists() else pytest.skip("shared reference not present")
    when = datetime(2026, 11, 24, 5, 5, 15, tzinfo=timezone.utc).timestamp()
    mock.world.clock.set(mode="manual", now=when)
    import mockserver.vendors.modelarts.signature as sig
    wall = sig._wall
    sig._wall = lambda: when  # the real date must not rescue a request the virtual clock finds stale
    try:
        with mock.client("modelarts") as c:
            url = entry["path"] + (f"?{entry['raw_query']}" if entry["raw_query"] else "")
            r = c.get(url, headers=entry["headers"])
            assert_error(r, 401, "ModelArts.4504")
            assert "expired" in r.json()["error_msg"]
    finally:
        sig._wall = wall


def test_a_signed_body_hash_must_be_the_body_s_hash(live_server):
    """A signed request replayed with another body and the original X-Sdk-Content-Sha256 is refused."""
    import hashlib

    import httpx

    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    from mockserver.vendors.modelarts.workspace import DEFAULT

    url = live_server.urls["modelarts"]
    path = f"/v2/{DEFAULT['project_id']}/workforces"
    body = b'{"workforce_name": "signed-team"}'
    headers = {"Content-Type": "application/json", "X-Sdk-Content-Sha256": hashlib.sha256(body).hexdigest()}
    req = SdkRequest(method="POST", schema="http", host=url.split("://", 1)[1], resource_path=path, query_params=[],
                     header_params=headers, body=body)
    Signer(BasicCredentials(DEFAULT["ak"], DEFAULT["sk"], DEFAULT["project_id"])).sign(req)
    forged = httpx.post(f"{url}{req.uri}", headers=req.header_params, content=b'{"workforce_name": "forged-team"}')
    assert forged.status_code == 401 and "X-Sdk-Content-Sha256" in forged.json()["error_msg"]
    genuine = httpx.post(f"{url}{req.uri}", headers=req.header_params, content=body)
    assert genuine.status_code in (200, 201), genuine.text


def test_a_credential_header_given_twice_is_refused(modelarts):
    from mockserver.vendors.modelarts.workspace import DEFAULT

    answer = modelarts.get(f"/v2/{DEFAULT['project_id']}/workforces",
                           headers=[("X-Auth-Token", DEFAULT["token"]), ("X-Auth-Token", "other-token")])
    assert answer.status_code == 400 and "more than once" in answer.json()["error_msg"]
