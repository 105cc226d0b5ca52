"""The in-process clients (``mockserver.testing``, the pytest plugin's in-process mode) run the app on the calling
thread's event loop: requests from many threads take turns and lose nothing, a call from inside a running event
loop still works (through Starlette's test client), and the answers are the server's."""
from __future__ import annotations

import asyncio
import threading

from mockserver.testing import InProcess

TASK = {"bucket_id": "bucket-0001", "configuration_id": "cfg-0001", "media_type": "image",
        "tags": [{"confidence_score": 0.9, "value": "car"}]}


def _client(mock: InProcess):
    return mock.client("cloudfactory", headers={"x-api-key": mock.world.workspace["cloudfactory"]["api_key"]})


def test_requests_from_many_threads_take_turns_and_lose_nothing():
    mock = InProcess()
    made: list[str] = []
    failures: list[str] = []

    def submit(n: int) -> None:
        client = _client(mock)  # one client per thread, as a threaded test would have
        try:
            for i in range(15):
                r = client.post("/v1/tasks", json={**TASK, "media_key": f"t{n}/{i}.jpg"})
                if r.status_code != 200:
                    failures.append(f"{r.status_code} {r.text}")
                else:
                    made.append(r.json()["task_id"])
        finally:
            client.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures
    assert len(made) == len(set(made)) == 90
    client = _client(mock)
    try:  # every task reads back with its own media key
        keys = {client.get(f"/v1/tasks/{task_id}").json()["task_id"] for task_id in made}
    finally:
        client.close()
    assert keys == set(made)


def test_a_call_from_inside_a_running_event_loop_is_answered():
    mock = InProcess()
    client = _client(mock)
    try:
        async def inside() -> tuple[int, dict]:
            r = client.post("/v1/tasks", json={**TASK, "media_key": "async.jpg"})  # blocking, as such tests do
            return r.status_code, r.json()

        status, body = asyncio.run(inside())
        assert status == 200
        assert client.get(f"/v1/tasks/{body['task_id']}").status_code == 200
        assert client.get("/v1/tasks/no-such-task").status_code == 404
    finally:
        client.close()


def test_answers_carry_the_servers_headers_and_credentials_are_checked():
    mock = InProcess()
    client = _client(mock)
    try:
        r = client.get("/v1/tasks/no-such-task")
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/json")
        assert int(r.headers["content-length"]) == len(r.content) > 0
        unauthenticated = mock.client("cloudfactory")
        try:
            assert unauthenticated.get("/v1/tasks/no-such-task").status_code == 401
        finally:
            unauthenticated.close()
    finally:
        client.close()
