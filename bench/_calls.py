"""The calls the HTTP benchmarks load, per vendor: a GET of one task, a list, and a create or record.

``setup(urls)`` reads ``GET /_mock/workspace`` from OUR server and creates what the GETs need there (a task in
each vendor) through the vendors' own APIs, then returns the calls with real ids and credentials. Prism is
stateless, so the same requests (same paths, headers and bodies) are sent to it unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from _common import UNIQUE, http_json, snippet


@dataclass
class Call:
    vendor: str
    name: str  # e.g. "GET task"
    method: str
    path: str
    headers: dict
    body: str | None = None  # JSON text; UNIQUE is replaced by a fresh value per request
    creates: bool = False
    note: str = ""

    def body_for(self, value: str) -> bytes | None:
        return None if self.body is None else self.body.replace(UNIQUE, value).encode()


@dataclass
class Setup:
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


JSON = {"Content-Type": "application/json"}


def _first_id(obj, *keys):
    for k in keys:
        if isinstance(obj, dict) and obj.get(k):
            return obj[k]
    return None


def _find(workspace: dict, *names):
    """First value in the workspace section whose key is one of names (workspaces differ as vendors grow)."""
    for n in names:
        if workspace.get(n):
            v = workspace[n]
            return v[0] if isinstance(v, list) else v
    return None


# -- Clarifai ---------------------------------------------------------------------------------------

def clarifai(url: str, ws: dict, out: Setup, http_json=http_json) -> None:
    h = {**JSON, "Authorization": f"Key {ws['key']}"}
    workers = ws.get("workers") or ["labeler-1"]
    concepts = ws.get("concepts") or ["cat"]
    task = ('{"tasks": [{"type": "CONCEPTS_CLASSIFICATION", "name": "bench ' + UNIQUE + '", '
            '"worker": {"strategy": "PARTITIONED", "workers": [' + ", ".join('{"user": {"id": "%s"}}' % w for w in workers)
            + '], "partitioned_strategy_info": {"type": "EVENLY", "workers_per_input": 1}}, '
            '"concepts": [' + ", ".join('{"concept": {"id": "%s"}}' % c for c in concepts[:2]) + '], '
            '"input_source": {"type": "ALL_INPUTS"}, "review": {"strategy": "NONE"}}]}')
    status, body = http_json("POST", url + "/v2/tasks", h, task.replace(UNIQUE, "setup").encode())
    tasks = body.get("tasks") if isinstance(body, dict) else None
    task_id = tasks[0].get("id") if tasks else None
    if not task_id:
        out.problems.append(f"clarifai: creating a task for the GET answered {status}: {snippet(body)}")
        task_id = "missing-task"
    out.calls += [
        Call("clarifai", "GET task", "GET", f"/v2/tasks/{task_id}", h),
        Call("clarifai", "list tasks", "GET", "/v2/tasks?page=1&per_page=20", h, note="per_page=20"),
        Call("clarifai", "create task", "POST", "/v2/tasks", h, task, creates=True,
             note=f"PARTITIONED over {len(workers)} workers, all {ws.get('inputs', '?')} inputs"),
    ]


# -- ModelArts --------------------------------------------------------------------------------------

def modelarts(url: str, ws: dict, out: Setup, http_json=http_json) -> None:
    pid = ws["project_id"]
    h = {**JSON, "X-Auth-Token": ws["token"]}
    base = f"/v2/{pid}"
    dataset = ws.get("dataset") or {}
    dataset = dataset.get("dataset_id") if isinstance(dataset, dict) else _find(ws, "dataset_id", "dataset_ids")
    if not dataset:
        out.problems.append("modelarts: the workspace names no dataset (workspace.modelarts.dataset.dataset_id)")
        dataset = "missing-dataset"
    team = ws.get("workforce") if isinstance(ws.get("workforce"), dict) else {}
    workforce = team.get("workforce_id")
    labelers = [w["email"] for w in team.get("workers", []) if w.get("role") == 0 and w.get("email")]
    email = labelers[0] if labelers else "bench-labeler@example.com"
    if not workforce:  # make a team of one labeler through the API
        status, body = http_json("POST", url + f"{base}/workforces", h, {"workforce_name": "bench-team", "description": ""})
        workforce = _first_id(body, "workforce_id")
        if not workforce:
            out.problems.append(f"modelarts: creating a workforce answered {status}: {snippet(body)}")
            workforce = "missing-workforce"
        http_json("POST", url + f"{base}/workforces/{workforce}/workers", h, {"emails": email, "role": 0, "description": ""})
    tasks = f"{base}/datasets/{dataset}/workforce-tasks"
    create = ('{"task_name": "bench-' + UNIQUE + '", "repetition": 1, "workforces_config": {"workforces": '
              '[{"workforce_id": "%s", "workers": [{"email": "%s", "role": 0}]}]}, "auto_sync_dataset": false, '
              '"data_sync_type": 0}' % (workforce, email))
    status, body = http_json("POST", url + tasks, h, create.replace(UNIQUE, "setup").encode())
    task_id = _first_id(body, "task_id")
    if not task_id:
        out.problems.append(f"modelarts: creating a task for the GET answered {status}: {snippet(body)}")
        task_id = "missing-task"
    out.calls += [
        Call("modelarts", "GET task", "GET", f"{tasks}/{task_id}", h),
        Call("modelarts", "list tasks", "GET", f"{tasks}?offset=0&limit=20", h, note="limit=20"),
        Call("modelarts", "create task", "POST", tasks, h, create, creates=True,
             note=f"one labeler, dataset of {len((ws.get('dataset') or {}).get('sample_ids', [])) or '?'} samples"),
    ]


# -- CloudFactory -----------------------------------------------------------------------------------

def cloudfactory(url: str, ws: dict, out: Setup, http_json=http_json) -> None:
    h = {**JSON, "x-api-key": ws["api_key"]}
    wsid = ws["workstream_id"]
    config = _find(ws, "configuration_ids", "configuration_id") or "cfg-0001"
    bucket = _find(ws, "bucket_ids", "bucket_id") or "bucket-0001"
    # Submit Task's bucket variant: media_key names an object of a mounted bucket, so no upload per task
    create = ('{"bucket_id": "%s", "media_key": "bench/' % bucket + UNIQUE + '.jpg", "configuration_id": "%s", '
              '"media_type": "image", "tags": [{"confidence_score": 0.9, "value": "car"}]}' % config)
    status, body = http_json("POST", url + "/v1/tasks", h, create.replace(UNIQUE, "setup").encode())
    task_id = _first_id(body, "task_id", "id")
    if not task_id:
        out.problems.append(f"cloudfactory: submitting a task for the GET answered {status}: {snippet(body)}")
        task_id = "missing-task"
    use_case = _find(ws, "use_case_ids", "use_case_id") or "uc-0001"
    task_def = _find(ws, "task_definition_ids", "task_definition_id") or "td-0001"
    review = ('{"workstream_id": "%s", "use_case_id": "%s", "task_definition_id": "%s", "worker_id": "bench-worker", '
              '"review_completed_at": "2026-01-01T00:00:00Z", "review_score": 0.9, "review_type": "QA", '
              '"unique_id": "bench-' % (wsid, use_case, task_def) + UNIQUE + '"}')
    out.calls += [
        Call("cloudfactory", "GET task (Oversight)", "GET", f"/v1/tasks/{task_id}", h),
        Call("cloudfactory", "submit task", "POST", "/v1/tasks", h, create, creates=True,
             note="bucket variant, no callback_url"),
        Call("cloudfactory", "task_reviewed", "POST", f"/v1/workstreams/{wsid}/task_reviewed", h, review, creates=True,
             note="Quality record, unique_id per call"),
    ]


def setup(urls: dict[str, str], vendors=("clarifai", "modelarts", "cloudfactory"), http_json=http_json) -> Setup:
    """The calls, with what they need created first. ``http_json``: how to send a request (``_common``'s over
    sockets; bench_inprocess.py passes one over in-process ASGI clients)."""
    out = Setup()
    status, workspace = http_json("GET", urls["clarifai"] + "/_mock/workspace")
    if status != 200 or not isinstance(workspace, dict):
        out.problems.append(f"GET /_mock/workspace answered {status}: {snippet(workspace)}")
        return out
    for v in vendors:
        try:
            globals()[v](urls[v], workspace.get(v) or {}, out, http_json=http_json)
        except Exception as exc:  # a vendor still being written must not stop the others' figures
            out.problems.append(f"{v}: setup failed: {type(exc).__name__}: {exc}")
    return out


def probe(base_url: str, call: Call) -> tuple[int, object]:
    """One request exactly as wrk will send it; the status decides whether the call is loaded at all."""
    return http_json(call.method, base_url + call.path, call.headers, call.body_for("probe"))


@dataclass
class Feed:
    """A request that adds ``per_request`` items of a vendor's data, to preload the growth bench."""
    vendor: str
    label: str
    method: str
    path: str
    headers: dict
    body: str
    per_request: int = 1


def feeds(calls: list[Call], clarifai_batch: int = 100) -> dict[str, list[Feed]]:
    """What grows per vendor: Clarifai tasks (in batches, one input each: PostTasks takes a list), ModelArts
    workforce tasks, CloudFactory Oversight tasks and Quality records; each made by the vendor's own create."""
    out: dict[str, list[Feed]] = {}
    for c in calls:
        if not c.creates:
            continue
        if c.vendor == "clarifai":
            one = ('{"type": "CONCEPTS_CLASSIFICATION", "name": "grow ' + UNIQUE + '-%d", "worker": {"strategy": '
                   '"PARTITIONED", "workers": [{"user": {"id": "labeler-1"}}, {"user": {"id": "labeler-2"}}], '
                   '"partitioned_strategy_info": {"type": "EVENLY", "workers_per_input": 1}}, '
                   '"concepts": [{"concept": {"id": "cat"}}], "input_source": {"type": "INPUT", "id": "input-001"}, '
                   '"review": {"strategy": "NONE"}}')
            body = '{"tasks": [' + ", ".join(one % j for j in range(clarifai_batch)) + "]}"
            out.setdefault(c.vendor, []).append(Feed(c.vendor, "tasks (1 input each)", c.method, c.path, c.headers,
                                                     body, clarifai_batch))
        else:
            out.setdefault(c.vendor, []).append(Feed(c.vendor, c.name, c.method, c.path, c.headers, c.body))
    return out
