import copy

import pytest

SEED_QUALITY = {
    "workstream_id": "ws-0001",
    "use_case_id": "uc-0001",
    "task_definition_id": "td-0001",
    "dataset_id": "6c24f094dfcf",
    "asset_id": "6c24f094dfcf",
    "task_id": "032d6802-0efa-46de-a73c-6c24f094dfcf",
    "unique_id": "032d6802-0efa-46de-a73c-6c24f094dfcf",
    "replace_duplicate": True,
    "task_url": "https://taskus.com/annotate/123412",
    "task_completed_at": "2020-12-22T10:13:24.127Z",
    "worker_id": "test_worker@cf.com",
    "review_completed_at": "2020-12-22T10:13:24.127Z",
    "review_duration": 120,
    "reviewed_by": "test_worker@cf.com",
    "review_score": 0.78,
    "review_explanation": "Some of the fields are filled wrong",
    "errors": {"missing_label": 24, "incorrect_label": 12, "boundary_not_captured": 1},
    "review_type": "QA",
    "task_review_count": 120,
    "subtask_review_count": 240,
    "review_metadata": {"Person accuracy": "0.9", "Date accuracy": "1", "Organization accuracy": "0.85",
                        "Address accuracy": "0.25", "Vendor accuracy": "0.9"},
    "review_measurements": {"attribute_1_count": 0.5, "attribute_1_label": "Header"},
}

THROUGHPUT = {
    "workstream_id": "ws-0001",
    "use_case_id": "uc-0001",
    "task_definition_id": "td-0001",
    "worker_id": "w1@cf.com",
    "task_id": "t-1",
    "task_started_at": "2020-12-22T10:00:00Z",
    "task_completed_at": "2020-12-22T10:02:00Z",
}


@pytest.fixture
def quality_body():
    return copy.deepcopy(SEED_QUALITY)


@pytest.fixture
def throughput_body():
    return copy.deepcopy(THROUGHPUT)


@pytest.fixture
def records(mock):
    """Stored records of a kind (white-box check that what the API said happened did happen)."""
    return lambda kind: mock.world.store.table(f"cloudfactory_{kind}").all()


class Receiver:
    """A tiny webhook receiver on 127.0.0.1: records every request; fails the first ``fail_first``
    requests of each delivery (by X-CF-Delivery) with a 500."""

    def __init__(self, fail_first=0):
        import http.server
        import threading

        self.fail_first = fail_first
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with outer.lock:
                    outer.requests.append({"headers": dict(self.headers), "body": body.decode()})
                    seen = sum(1 for r in outer.requests if r["headers"].get("X-CF-Delivery") == self.headers.get("X-CF-Delivery"))
                status = 500 if seen <= outer.fail_first else 200
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def in_progress_events(mock):
    """The default workstream opts in to task.in_progress webhooks (as a workspace's ``webhook_events`` would)."""
    mock.world.store.table("cloudfactory_workstreams").update(
        "ws-0001", {"webhook_events": ["task.in_progress", "task.completed", "task.failed"]})


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def flaky_receiver():
    r = Receiver(fail_first=2)
    yield r
    r.close()


@pytest.fixture
def failing_receiver():
    r = Receiver(fail_first=1000)
    yield r
    r.close()


@pytest.fixture
def wait_for():
    """Poll ``fn`` until it returns something truthy (webhook calls happen in a thread)."""
    import time

    def wait(fn, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            value = fn()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            time.sleep(0.02)

    return wait
