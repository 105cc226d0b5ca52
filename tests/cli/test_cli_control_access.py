"""The control API is closed to strangers when the server is reachable from the network: bound off
loopback it needs a token (given, or generated and printed); ``--no-control`` removes it."""
from __future__ import annotations

import re

import httpx

from cli_support import FREE_PORTS, Serve

APP = "/v2/users/mock-user/apps/mock-app"


def _token_from(err: str) -> str:
    match = re.search(r"needs 'Authorization: Bearer ([^']+)'", err)
    assert match, err
    return match.group(1)


def test_bound_to_every_interface_the_control_api_needs_the_printed_token(tmp_path):
    server = Serve(tmp_path, "--host", "0.0.0.0", *FREE_PORTS, "--quiet")
    with server:
        base = server.urls["clarifai"]
        assert httpx.get(f"{base}/_mock/health").status_code == 200  # health stays open
        refused = httpx.get(f"{base}/_mock/workspace")
        assert refused.status_code == 401 and refused.json()["error"] == "the control API needs its token"
        assert "mock-clarifai-key" not in refused.text
        assert httpx.put(f"{base}/_mock/state", json={}).status_code == 401
        assert httpx.post(f"{base}/_mock/faults", json={"drop": True}).status_code == 401
        assert httpx.get(f"{base}/_mock/state", headers={"Authorization": "Bearer wrong"}).status_code == 401
        # the vendor API itself answers as always
        key = {"Authorization": "Key mock-clarifai-key"}
        assert httpx.get(f"{base}{APP}/tasks", headers=key).status_code == 200
        status, _out, err = server.stop()
    token = _token_from(err)
    assert len(token) >= 24


def test_a_given_token_is_required_even_on_loopback(tmp_path):
    with Serve(tmp_path, *FREE_PORTS, "--quiet", "--control-token", "s3cret-token") as server:
        base = server.urls["modelarts"]
        assert httpx.get(f"{base}/_mock/clock").status_code == 401
        assert httpx.get(f"{base}/_mock/clock", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
        assert httpx.get(f"{base}/_mock/clock", headers={"X-Mockserver-Token": "s3cret-token"}).status_code == 200


def test_no_control_removes_it_but_health(tmp_path):
    with Serve(tmp_path, *FREE_PORTS, "--quiet", "--no-control") as server:
        base = server.urls["cloudfactory"]
        assert httpx.get(f"{base}/_mock/health").json()["status"] == "ok"
        gone = httpx.get(f"{base}/_mock/state")
        assert gone.status_code == 404 and "message" in gone.json()  # CloudFactory's own 404
        assert httpx.post(f"{base}/_mock/reset").status_code == 404


def test_on_loopback_without_a_token_it_stays_open_for_tests(tmp_path):
    with Serve(tmp_path, *FREE_PORTS, "--quiet") as server:
        assert httpx.get(f"{server.urls['clarifai']}/_mock/workspace").status_code == 200


def test_cloudfactory_rate_limit_from_the_command_line(tmp_path):
    with Serve(tmp_path, *FREE_PORTS, "--quiet", "--cloudfactory-rate-limit", "2/3600") as server:
        base = server.urls["cloudfactory"]
        key = {"x-api-key": "mock-cloudfactory-key"}
        answers = [httpx.get(f"{base}/v1/workstreams/ws-0001/reports/quality", headers=key) for _ in range(3)]
    assert [a.status_code for a in answers][:2] != [429, 429] and answers[2].status_code == 429
    assert answers[2].headers.get("Retry-After")
