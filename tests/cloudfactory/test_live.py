"""Over real sockets: the upload URLs point at the running server itself."""
import httpx


def test_secure_upload_over_the_real_server(live_server):
    base = live_server.urls["cloudfactory"]
    headers = {"x-api-key": "mock-cloudfactory-key"}
    info = httpx.post(f"{base}/v1/workstreams/ws-0001/upload_url", headers=headers, json={}).json()
    assert info["upload_url"].startswith(base + "/uploads/csv/")
    csv = ("record_type,use_case_id,task_definition_id,worker_id,review_completed_at,review_score\n"
           "quality,uc-0001,td-0001,w1,2021-01-01T00:00:00Z,0.5\n"
           "quality,uc-0001,td-0001,w1,2021-01-01T00:00:00Z,2\n")
    put = httpx.put(info["upload_url"], content=csv.encode(), headers={"content-type": "text/csv"})
    assert put.status_code == 200
    assert [r["status"] for r in put.json()["rows"]] == ["accepted", "rejected"]
    media = httpx.post(f"{base}/v1/media", headers=headers, json={"configuration_id": "cfg-0001"}).json()
    assert media["media_upload_url"].startswith(base + "/uploads/media/")
    put = httpx.put(media["media_upload_url"], content=b"\xff\xd8\xff", headers={"content-type": "image/jpeg"})
    assert put.status_code == 200 and put.json()["size"] == 3
