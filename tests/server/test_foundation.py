"""The server stands up: CLI, ports, control API, credentials, error envelopes, persistence."""
import json
import signal

import httpx
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from mockserver.app import SPEC_DIR
from mockserver.testing import ServerProcess


@pytest.mark.parametrize("spec", sorted(p.name for p in SPEC_DIR.glob("*.yaml")))
def test_every_spec_is_valid_openapi(spec):
    spec_dict, _ = read_from_filename(str(SPEC_DIR / spec))
    validate(spec_dict)


def test_specs_exist_for_each_vendor_and_control():
    names = {p.name for p in SPEC_DIR.glob("*.yaml")}
    assert {"clarifai.yaml", "modelarts.yaml", "cloudfactory.yaml", "control.yaml"} <= names


def test_live_server_answers_on_three_ports(live_server):
    assert set(live_server.urls) == {"clarifai", "modelarts", "cloudfactory", "clarifai_grpc"}
    ports = {url.rsplit(":", 1)[1] for url in live_server.urls.values()}
    assert len(ports) == 4
    for url in (live_server.urls[v] for v in ("clarifai", "modelarts", "cloudfactory")):  # not the gRPC port
        assert url.startswith("http://127.0.0.1:")
        health = httpx.get(f"{url}/_mock/health").json()
        assert health["status"] == "ok"
        assert health["vendors"] == live_server.urls


def test_workspace_lists_credentials_of_each_vendor(live_server):
    ws = httpx.get(f"{live_server.urls['modelarts']}/_mock/workspace").json()
    assert ws["clarifai"]["key"] and ws["clarifai"]["app_id"]
    assert ws["modelarts"]["ak"] and ws["modelarts"]["sk"] and ws["modelarts"]["project_id"]
    assert ws["cloudfactory"]["api_key"] and ws["cloudfactory"]["workstream_id"]


def test_sigterm_stops_cleanly():
    server = ServerProcess().start()
    assert server.stop(signal.SIGTERM) == 0


def test_state_survives_restart_in_data_file(tmp_path):
    data = tmp_path / "state.json"
    with ServerProcess("--data", str(data)) as server:
        url = server.urls["clarifai"]
        state = httpx.get(f"{url}/_mock/state").json()
        state.setdefault("notes", []).append({"id": "n1", "text": "kept"})
        assert httpx.put(f"{url}/_mock/state", json=state).status_code == 200
    saved = json.loads(data.read_text())
    assert {"id": "n1", "text": "kept"} in saved["notes"]
    with ServerProcess("--data", str(data)) as server:
        state = httpx.get(f"{server.urls['clarifai']}/_mock/state").json()
        assert {"id": "n1", "text": "kept"} in state["notes"]


def test_reset_returns_to_the_workspace(mock):
    with mock.client("clarifai") as c:
        before = c.get("/_mock/state").json()
        state = dict(before)
        state["junk"] = [{"id": "x"}]
        assert c.put("/_mock/state", json=state).status_code == 200
        assert "junk" in c.get("/_mock/state").json()
        assert c.post("/_mock/reset").status_code == 200
        assert c.get("/_mock/state").json() == before


def test_state_import_rejects_bad_shape_and_keeps_state(mock):
    with mock.client("clarifai") as c:
        before = c.get("/_mock/state").json()
        r = c.put("/_mock/state", json={"t": [{"no_id": 1}]})
        assert r.status_code == 400 and "error" in r.json()
        assert c.get("/_mock/state").json() == before


def test_clock_can_be_advanced(mock):
    with mock.client("cloudfactory") as c:
        c.post("/_mock/clock", json={"mode": "manual", "now": 1000})
        assert c.get("/_mock/clock").json()["now"] == 1000
        assert c.post("/_mock/clock", json={"advance": 60}).json()["now"] == 1060


def test_a_clock_change_past_year_9999_is_unusable_and_changes_nothing(mock):
    """``now`` and ``advance`` each within their bounds, their sum past 9999-12-31: a schema-valid document
    the control API cannot use (422, as its spec says), and the clock stays where it was."""
    with mock.client("cloudfactory") as c:
        c.post("/_mock/clock", json={"mode": "manual", "now": 1000})
        r = c.post("/_mock/clock", json={"now": 253402300000, "advance": 3153600000, "mode": "scaled"})
        assert r.status_code == 422
        assert "9999-12-31" in r.json()["error"]
        assert c.get("/_mock/clock").json()["now"] == 1000
        assert c.get("/_mock/clock").json()["mode"] == "manual"


# -- credentials and error envelopes, one case per vendor -------------------------------------------

def test_clarifai_missing_and_unknown_key(mock):
    with mock.client("clarifai") as c:
        r = c.get("/v2/tasks")
        assert r.status_code == 401 and r.json()["status"]["code"] == 11009
        r = c.get("/v2/tasks", headers={"Authorization": "Key nope"})
        assert r.status_code == 401 and r.json()["status"]["code"] == 11009
        r = c.get("/v2/tasks", headers={"Authorization": "garbage"})
        assert r.json()["status"]["code"] == 11102


def test_clarifai_key_cannot_reach_other_app(clarifai, mock):
    other = mock.world.workspace["clarifai"]["other_apps"][0]
    r = clarifai.get(f"/v2/users/{other['user_id']}/apps/{other['app_id']}/tasks")
    assert r.status_code == 401 and r.json()["status"]["code"] == 11008


def test_clarifai_unknown_route_and_method(clarifai):
    r = clarifai.get("/v2/nothing-here")
    assert r.status_code == 404 and r.json()["status"]["code"] == 11101
    r = clarifai.put("/v2/tasks")
    assert r.status_code == 405 and r.json()["status"]["code"] == 11103


def test_modelarts_auth_errors(mock):
    ws = mock.world.workspace["modelarts"]
    with mock.client("modelarts") as c:
        r = c.get(f"/v2/{ws['project_id']}/workforces")
        assert r.status_code == 401 and r.json()["error_code"] == "ModelArts.0205"
        assert r.headers["X-Request-Id"]
        r = c.get(f"/v2/{ws['project_id']}/workforces", headers={"X-Auth-Token": "bad"})
        assert r.status_code == 401 and r.json()["error_code"] == "ModelArts.0203"
        other = ws["other_project"]["project_id"]
        r = c.get(f"/v2/{other}/workforces", headers={"X-Auth-Token": ws["token"]})
        assert r.status_code == 403 and r.json()["error_code"] == "ModelArts.0210"


def test_cloudfactory_key_errors(mock):
    with mock.client("cloudfactory") as c:
        r = c.post("/v1/workstreams/ws-0001/task_reviewed", json={})
        assert r.status_code == 401 and "message" in r.json()
        r = c.post("/v1/workstreams/ws-0001/task_reviewed", json={}, headers={"x-api-key": "nope"})
        assert r.status_code == 403 and r.json()["message"] == "Bad credentials"


@pytest.mark.parametrize("body", [b"\xff\xfe\x00", b"{not json", b'{"a": '])
def test_bad_bodies_get_vendor_400_not_500(cloudfactory, body):
    r = cloudfactory.post("/v1/workstreams/ws-0001/task_reviewed", content=body,
                          headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["message"] and "body" in r.json()["errors"]


def test_body_over_limit_is_413(mock):
    mock.world.settings.max_body_bytes = 100
    ws = mock.world.workspace["cloudfactory"]
    with mock.client("cloudfactory", headers={"x-api-key": ws["api_key"]}) as c:
        r = c.post("/v1/workstreams/ws-0001/task_reviewed", content=b"{" + b" " * 200 + b"}",
                   headers={"content-type": "application/json"})
        assert r.status_code == 413 and "message" in r.json()


def test_scenario_that_fails_to_load_leaves_state_as_it_was(mock):
    with mock.client("clarifai") as c:
        before = c.get("/_mock/state").json()
        # Valid by the schema, impossible to load: the listed item does not exist in that source.
        bad = {"tasks": [{"id": "t1", "item_ids": ["x"], "source": "nope", "workers": ["w1"]}]}
        r = c.post("/_mock/scenario", json=bad)
        assert r.status_code == 422
        assert "item 'x' not found" in r.json()["error"]
        assert c.get("/_mock/state").json() == before
        # a shape the control spec states (an unknown section) is 400; a file that is not there, 404
        assert c.post("/_mock/scenario", json={"name": "x", "speed": 3}).status_code == 400
        for path in ("no-such-scenario", "../pyproject.toml", "/etc/passwd", "a\u0000b", "0" * 255):
            r = c.post("/_mock/scenario", json={"path": path})
            assert r.status_code == 404 and "no scenario file" in r.json()["error"], path
        assert c.post("/_mock/scenario", json={"path": "clarifai-quickstart", "speed": 1}).status_code == 400
        assert c.get("/_mock/state").json() == before
