"""``mockserver serve`` as a user runs it: the access log, --quiet, the environment, wildcard hosts."""
import json
import re

import httpx
import pytest

from cli_support import FREE_PORTS, Serve, clean_env

CLARIFAI_AUTH = {"Authorization": "Key mock-clarifai-key"}
TASKS = "/v2/users/mock-user/apps/mock-app/tasks"
VENDORS = ("clarifai", "modelarts", "cloudfactory")
PRINTED = (*VENDORS, "clarifai_grpc")  # the URLs serve prints, in order


def test_access_log_prints_one_text_line_per_request(tmp_path):
    # The environment says json, the command line says text: the flag wins. --data names a file that
    # does not exist yet in an existing directory: fine, it is written at shutdown.
    server = Serve(tmp_path, *FREE_PORTS, "--log-format", "text", "--data", "state.json",
                   env=clean_env(MOCKSERVER_LOG_FORMAT="json"))
    with server:
        base = server.urls["clarifai"]
        assert httpx.get(f"{base}{TASKS}?page=1&per_page=5", headers=CLARIFAI_AUTH).status_code == 200
        refused = httpx.get(f"{base}{TASKS}").status_code
        status, out, err = server.stop()
    assert status == 0, err
    lines = out.splitlines()
    assert lines[:5] == [f"{name:13s} {server.urls[name]}" for name in PRINTED] + ["ready (Ctrl-C to stop)"]
    log = lines[5:]
    assert len(log) == 2, out
    assert re.fullmatch(r"\d\d:\d\d:\d\d clarifai     GET  /v2/users/mock-user/apps/mock-app/tasks"
                        r"\?page=1&per_page=5 200 \d+\.\dms", log[0]), log[0]
    assert re.fullmatch(rf"\d\d:\d\d:\d\d clarifai     GET  {TASKS} {refused} \d+\.\dms", log[1]), log[1]
    assert err.splitlines() == ["stopped"]  # loopback: no warning
    assert json.loads((tmp_path / "state.json").read_text())


def test_json_access_log_with_every_setting_from_the_environment(tmp_path):
    env = clean_env(MOCKSERVER_CLARIFAI_PORT="0", MOCKSERVER_MODELARTS_PORT="0", MOCKSERVER_CLOUDFACTORY_PORT="0",
                    MOCKSERVER_CLARIFAI_GRPC_PORT="0",
                    MOCKSERVER_PORTS_FILE=str(tmp_path / "ports.json"), MOCKSERVER_LOG_FORMAT="json",
                    MOCKSERVER_HOST="127.0.0.1", MOCKSERVER_STRICT="off", MOCKSERVER_QUIET="")
    server = Serve(tmp_path, env=env, ports_file=False)  # no port flag at all: 0 from the environment
    with server:
        assert sorted(server.urls) == sorted(PRINTED)
        assert not {url.rsplit(":", 1)[1] for url in server.urls.values()} & {"8701", "8702", "8703", "8704"}
        base = server.urls["cloudfactory"]
        assert httpx.post(f"{base}/_mock/faults", json={"vendor": "cloudfactory", "drop": True, "times": 1}
                          ).status_code == 201
        with pytest.raises(httpx.RemoteProtocolError):  # the fault drops the connection: no status
            httpx.get(f"{base}/v1/anything?probe=1&x=y")
        status, out, err = server.stop()
    assert status == 0, err
    entries = [json.loads(line) for line in out.splitlines()[5:]]
    assert [(e["vendor"], e["method"], e["path"], e["query"], e["status"]) for e in entries] == [
        ("cloudfactory", "POST", "/_mock/faults", "", 201),
        ("cloudfactory", "GET", "/v1/anything", "probe=1&x=y", None),
    ]
    for e in entries:
        assert set(e) == {"time", "vendor", "method", "path", "query", "status", "ms"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", e["time"]) and e["ms"] >= 0


@pytest.mark.parametrize("args,env", [(["--quiet"], {}), ([], {"MOCKSERVER_QUIET": "on"})], ids=["flag", "env"])
def test_quiet_prints_nothing(tmp_path, args, env):
    server = Serve(tmp_path, *FREE_PORTS, *args, env=clean_env(**env))
    with server:
        assert httpx.get(f"{server.urls['clarifai']}{TASKS}", headers=CLARIFAI_AUTH).status_code == 200
        status, out, err = server.stop()
    assert (status, out, err) == (0, "", "")


def test_wildcard_host_prints_a_loopback_url_and_a_warning(tmp_path):
    server = Serve(tmp_path, "--host", "0.0.0.0", *FREE_PORTS, "--quiet", "--no-quiet")  # the last flag wins
    with server:
        urls = server.urls
        assert all(re.fullmatch(r"http://127\.0\.0\.1:\d+", url) for url in urls.values()), urls
        assert httpx.get(f"{urls['modelarts']}/_mock/clock").status_code == 401  # closed: a token is needed
        status, out, err = server.stop()
    assert status == 0, err
    lines = out.splitlines()
    for name, url in urls.items():
        assert f"{name:13s} {url}  (listening on 0.0.0.0:{url.rsplit(':', 1)[1]})" in lines
    first, second = err.splitlines()[:2]
    assert first.startswith("mockserver: the control API (/_mock) needs 'Authorization: Bearer ")
    assert second == ("mockserver: warning: listening on 0.0.0.0: anyone who can reach this machine can call the "
                      "vendor APIs with the workspace's credentials; the control API (/_mock) is closed but for its "
                      "token (token above)")
