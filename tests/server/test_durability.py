"""``--data``: what the README promises, tried the way it can break. A refused import changes nothing in
memory or on disk; a failed save is said and retried; one server per file; a ``kill -9`` under load loses
nothing older than the snapshot interval (1 s)."""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from mockserver import persistence
from mockserver.store import Store
from mockserver.testing import ServerProcess

APP = "/v2/users/mock-user/apps/mock-app"
AUTH = {"Authorization": "Key mock-clarifai-key"}


def _wait_saved(path, predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate(json.loads(path.read_text())):
                return True
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("bad_state", [
    {"scheduler_events": [{"id": "ev1", "seq": 1, "name": "x", "payload": {}}]},  # no 'due'
    {"core_tasks": [{"no": "id"}]},
    {"core_tasks": "not a list"},
])
def test_a_refused_import_changes_nothing_in_memory_or_on_disk(tmp_path, bad_state):
    data = tmp_path / "state.json"
    with ServerProcess("--data", str(data)) as server:
        c = httpx.Client(base_url=server.urls["clarifai"], timeout=10)
        assert c.post(f"{APP}/concepts", headers=AUTH, json={"concepts": [{"id": "kept"}]}).status_code == 200
        assert _wait_saved(data, lambda s: any(d.get("concept_id") == "kept" for t in s.values() for d in t))
        before_memory = c.get("/_mock/state").json()
        before_file = data.read_bytes()
        answer = c.put("/_mock/state", json=bad_state)
        assert answer.status_code == 400 and answer.json()["error"], answer.text
        assert c.get("/_mock/state").json() == before_memory
        # the next ordinary change is saved on top of the old state, not of an empty one
        assert c.post(f"{APP}/concepts", headers=AUTH, json={"concepts": [{"id": "after"}]}).status_code == 200
        assert _wait_saved(data, lambda s: any(d.get("concept_id") == "after" for t in s.values() for d in t))
        saved = json.loads(data.read_text())
        assert any(d.get("concept_id") == "kept" for t in saved.values() for d in t)
        assert len(data.read_bytes()) >= len(before_file)


def test_a_failed_save_is_said_and_retried(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "state.json"
    store = Store(str(path))
    log = io.StringIO()
    persister = persistence.Persister(store, str(path), log=log)
    store.table("things").insert({"id": "a"})
    assert persister.save() and json.loads(path.read_text()) == {"things": [{"id": "a"}]}
    folder.rename(tmp_path / "gone")  # the directory disappears for a while
    store.table("things").insert({"id": "b"})
    assert not persister.save() and not persister.save()
    assert log.getvalue().count("cannot save the state") == 1  # said once, not on every retry
    (tmp_path / "gone").rename(folder)
    assert persister.save()
    assert "saved to" in log.getvalue() and "again" in log.getvalue()
    assert json.loads(path.read_text()) == {"things": [{"id": "a"}, {"id": "b"}]}


def test_the_persister_thread_survives_failures(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "state.json"
    store = Store(str(path))
    persister = persistence.Persister(store, str(path), interval=0.05, log=io.StringIO())
    persister.start()
    try:
        folder.rename(tmp_path / "gone")
        store.table("things").insert({"id": "x"})
        time.sleep(0.3)
        assert persister._thread.is_alive()
        (tmp_path / "gone").rename(folder)
        assert _wait_saved(path, lambda s: s.get("things") == [{"id": "x"}], timeout=35)
    finally:
        persister.stop()


def test_a_second_server_on_the_same_file_refuses_and_names_the_first(tmp_path):
    data = tmp_path / "state.json"
    with ServerProcess("--data", str(data)) as first:
        result = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--clarifai-port", "0",
                                 "--modelarts-port", "0", "--cloudfactory-port", "0", "--data", str(data)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2
        assert f"in use by another mockserver (pid {first.proc.pid})" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def _hammer(url: str, acked: list, stop: threading.Event) -> None:
    with httpx.Client(base_url=url, headers=AUTH, timeout=5) as c:
        n = 0
        while not stop.is_set():
            n += 1
            name = f"c{threading.get_ident() % 1000}-{n}"
            try:
                r = c.post(f"{APP}/concepts", json={"concepts": [{"id": name}]})
            except httpx.HTTPError:
                return
            if r.status_code == 200:
                acked.append((time.monotonic(), name))


@pytest.mark.parametrize("trial", range(3))
def test_kill_9_under_load_loses_nothing_older_than_a_second(tmp_path, trial):
    data = tmp_path / "state.json"
    server = ServerProcess("--data", str(data)).start()
    acked: list = []
    stop = threading.Event()
    workers = [threading.Thread(target=_hammer, args=(server.urls["clarifai"], acked, stop)) for _ in range(4)]
    for w in workers:
        w.start()
    time.sleep(2.5 + trial * 0.37)
    killed_at = time.monotonic()
    os.kill(server.proc.pid, signal.SIGKILL)
    stop.set()
    for w in workers:
        w.join()
    server.proc.wait()
    time.sleep(0.5)  # a snapshot child that had started finishes on its own
    assert len(acked) > 100
    saved = {d.get("concept_id") for docs in json.loads(data.read_text()).values() for d in docs}
    lost = [(killed_at - at, name) for at, name in acked if name not in saved]
    oldest = max((age for age, _ in lost), default=0.0)
    print(f"trial {trial}: {len(acked)} acknowledged writes, {len(lost)} lost, oldest lost {oldest:.3f} s before kill")
    assert oldest <= persistence.INTERVAL + 0.25, lost[:5]


def test_urllib_sees_the_413_of_an_oversized_body():
    """urllib sends the whole body before reading: the server must read (and drop) it to be heard."""
    import urllib.error
    import urllib.request

    with ServerProcess() as server:
        body = b'{"tasks": [' + b" " * (11 * 1024 * 1024) + b"]}"
        request = urllib.request.Request(f"{server.urls['clarifai']}{APP}/tasks", data=body, method="POST",
                                         headers={"content-type": "application/json", **AUTH})
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=30)
        assert info.value.code == 413
        assert json.loads(info.value.read())["status"]["code"]


def test_connections_that_never_send_a_byte_are_closed():
    import socket

    from mockserver import connections

    with ServerProcess(env={"MOCKSERVER_FIRST_BYTE_TIMEOUT": "0.5"}) as server:
        host, port = server.urls["clarifai"].rsplit("/", 1)[1].split(":")
        silent = [socket.create_connection((host, int(port)), timeout=5) for _ in range(20)]
        try:
            for sock in silent:
                sock.settimeout(5)
                assert sock.recv(1) == b""  # closed by the server, not by our timeout
            assert httpx.get(f"{server.urls['clarifai']}/_mock/health").status_code == 200
        finally:
            for sock in silent:
                sock.close()
    assert connections.FIRST_BYTE_TIMEOUT == 10.0


@pytest.mark.parametrize("replaces_everything", [True, False])
def test_a_failure_after_the_load_puts_every_document_back(replaces_everything):
    """What PUT /_mock/state and POST /_mock/scenario do when a step after the load fails."""
    from mockserver.control.handlers import _all_or_nothing
    from mockserver.testing import InProcess
    from mockserver.vendors.base import VendorError

    mock = InProcess()
    world = mock.world
    before = json.dumps(world.store.export(), sort_keys=True)
    tenant = "0123456789abcdef0123456789abcdef"  # the seeded ModelArts task's tenant
    indexed = len(world.store.table("core_tasks", indexes=("tenant",)).find(tenant=tenant))
    assert indexed >= 1

    def apply():
        world.store.load({"things": [{"id": "new"}]})
        raise KeyError("a service could not rebuild")

    with pytest.raises(VendorError) as info:
        _all_or_nothing(world, apply, "state not imported", replaces_everything)
    assert info.value.status == 400 and "KeyError" in info.value.body["error"]
    assert json.dumps(world.store.export(), sort_keys=True) == before
    assert len(world.store.table("core_tasks").find(tenant=tenant)) == indexed  # the indexes came back too


def test_loading_a_scenario_that_makes_its_own_requests_does_not_wait_for_itself():
    """clarifai-quickstart creates its task through Clarifai's API while the load holds the state: those
    requests must not wait for the load they belong to (the server hung for good)."""
    with ServerProcess() as server:
        answer = httpx.post(f"{server.urls['clarifai']}/_mock/scenario", json={"path": "clarifai-quickstart"},
                            timeout=30)
        assert answer.status_code == 200, answer.text
        task = httpx.get(f"{server.urls['clarifai']}{APP}/tasks/quickstart", headers=AUTH, timeout=10)
        assert task.status_code == 200 and task.json()["task"]["id"] == "quickstart"
