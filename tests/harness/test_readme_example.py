"""Using the mockserver pytest plugin: every fixture and the marker, as shown in docs/pytest-plugin.md."""
import httpx
import pytest


def workforces_path(server):
    return f"/v2/{server.workspace['modelarts']['project_id']}/workforces"


def test_call_a_vendor_and_verify_with_the_journal(mock_server):
    # A client on the vendor's base URL, carrying the workspace credentials (here ModelArts' X-Auth-Token).
    with mock_server.client("modelarts") as client:
        response = client.get(workforces_path(mock_server))
    assert response.status_code == 200
    # The journal recorded the call: verify what your code sent.
    assert mock_server.journal.count(vendor="modelarts", operation="ListWorkforces", status="2xx") == 1
    (entry,) = mock_server.journal.list(vendor="modelarts")
    assert entry["method"] == "GET" and entry["path"] == workforces_path(mock_server)


def test_real_urls_for_any_http_client(mock_server):
    if mock_server.inprocess:
        pytest.skip("in-process mode has no sockets")
    key = mock_server.workspace["clarifai"]["key"]
    response = httpx.get(f"{mock_server.urls['clarifai']}/_mock/health", headers={"Authorization": f"Key {key}"})
    assert response.json()["status"] == "ok"


def test_a_429_burst_then_success(mock_server):
    mock_server.faults.add(vendor="modelarts", operation="ListWorkforces", rate_limit={"retry_after": 2}, times=2)
    with mock_server.client("modelarts") as client:
        answers = [client.get(workforces_path(mock_server)) for _ in range(3)]
    assert [r.status_code for r in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "2"
    assert answers[0].json()["error_code"].startswith("ModelArts.")  # the vendor's own error shape


def test_a_dropped_connection(mock_server):
    mock_server.faults.add(vendor="modelarts", drop=True, times=1)
    with mock_server.client("modelarts") as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(workforces_path(mock_server))
        assert client.get(workforces_path(mock_server)).status_code == 200


def test_move_the_virtual_clock(mock_server):
    mock_server.clock.set(mode="manual", now=1_700_000_000)
    mock_server.clock.advance(3600)
    assert mock_server.clock.now() == 1_700_003_600


def test_every_test_starts_from_a_reset_server(mock_server):
    assert mock_server.faults.list() == []
    assert mock_server.journal.count() == 0


@pytest.mark.mockserver_scenario("../../scenarios/clarifai-quickstart.yaml")
def test_with_a_scenario(mock_server):
    # The scenario's manual clock starts at 2024-03-04T09:00:00Z.
    assert mock_server.clock.get() == {"mode": "manual", "factor": 1.0, "now": 1709542800.0}


def test_in_process_without_sockets(mock_server_inprocess):
    with mock_server_inprocess.client("modelarts") as client:
        assert client.get(workforces_path(mock_server_inprocess)).status_code == 200
    assert mock_server_inprocess.world.clock.now() > 0  # the World object itself is at hand
