"""Clarifai over gRPC: clarifai-grpc's real gRPC channel against the live stand-in's gRPC port.

The server answers every call with the REST handlers and parses each answer strictly into the response
message (a mismatch would come back as FAILURE), so ``ok`` below also checks that the answers fit the proto.
The long labeling flows run over both transports in test_real_client.py.
"""
import json
import signal
import socket
import subprocess
import sys
import threading
import time

import grpc
import httpx
import pytest

from clarifai_grpc.channel.clarifai_channel import ClarifaiChannel
from clarifai_grpc.grpc.api import resources_pb2 as R
from clarifai_grpc.grpc.api import service_pb2 as S
from clarifai_grpc.grpc.api import service_pb2_grpc
from clarifai_grpc.grpc.api.status import status_code_pb2 as C
from clarifai_grpc.grpc.api.status import status_pb2

from clarifai_helpers import KEY, SCOPED
from mockserver.testing import ServerProcess
from mockserver.vendors.base import VendorError
from mockserver.vendors.clarifai import GRPC_DEFAULT_PORT, grpc_bridge, specgen

OWNER = (("authorization", f"Key {KEY}"),)
APP = R.UserAppIDSet(user_id="mock-user", app_id="mock-app")


def pat(user: str):
    return (("authorization", f"Key mock-clarifai-pat-{user}"),)


def ok(response):
    assert response.status.code == C.SUCCESS, response.status
    return response


def stub_for(url: str):
    host, port = url.removeprefix("http://").rsplit(":", 1)
    channel = ClarifaiChannel.get_insecure_grpc_channel(base=host, port=int(port))
    return channel, service_pb2_grpc.V2Stub(channel)  # the stub right after its channel (see test_real_client)


@pytest.fixture
def stub(live, live_server):
    channel, stub = stub_for(live_server.urls["clarifai_grpc"])
    yield stub
    channel.close()


@pytest.fixture
def rest(live):
    with httpx.Client(base_url=live, headers={"Authorization": f"Key {KEY}"}, timeout=10) as client:
        yield client


def a_task(**kw):
    kw.setdefault("worker", R.TaskWorker(strategy=R.TaskWorker.FULL, workers=[R.Worker(user=R.User(id="labeler-1"))]))
    return R.Task(type=R.Task.CONCEPTS_CLASSIFICATION, name="Annotate cat", concept_ids=["cat"],
                  input_source=R.TaskInputSource(type=R.TaskInputSource.ALL_INPUTS),
                  review=R.TaskReview(strategy=R.TaskReview.NONE), **kw)


# -- the port --------------------------------------------------------------------------------------------------
def test_ports_file_and_world_name_the_grpc_url(live_server, live):
    url = live_server.urls["clarifai_grpc"]
    assert url.startswith("http://127.0.0.1:") and url not in {live_server.urls[v] for v in ("clarifai", "modelarts",
                                                                                             "cloudfactory")}
    assert httpx.get(f"{live}/_mock/health").json()["vendors"]["clarifai_grpc"] == url


# -- the calls -------------------------------------------------------------------------------------------------
def test_task_lifecycle_and_the_same_task_over_rest(stub, rest):
    assert ok(stub.ListTasks(S.ListTasksRequest(), metadata=OWNER)).tasks == []
    created = ok(stub.PostTasks(S.PostTasksRequest(user_app_id=APP, tasks=[a_task(id="t-1"), a_task(id="t-2")]),
                                metadata=OWNER)).tasks
    assert [t.id for t in created] == ["t-1", "t-2"] and created[0].status.code == C.TASK_IN_PROGRESS
    assert created[0].worker.workers[0].user.id == "labeler-1" and created[0].app_id == "mock-app"
    got = ok(stub.GetTask(S.GetTaskRequest(task_id="t-1", additional_fields=["all"]), metadata=OWNER)).task
    assert got.name == "Annotate cat" and got.metrics.input_source.inputs_count_estimated == 24
    over_rest = rest.get(f"{SCOPED}/tasks/t-1", params={"additional_fields": "all"}).json()["task"]
    assert (over_rest["id"], over_rest["name"], over_rest["status"]["code"], over_rest["metrics"]["input_source"]) == \
        (got.id, got.name, got.status.code, {"inputs_count_estimated": "24"})
    mine = ok(stub.ListTasks(S.ListTasksRequest(worker_ids=[R.WorkerIDSet(user_id="labeler-2")]), metadata=OWNER))
    assert mine.tasks == []  # worker_ids (a repeated message) works over gRPC
    patch = S.PatchTasksRequest(action="merge", tasks=[R.Task(id="t-2", name="renamed")])
    patch.tasks[0].status.code = C.TASK_DONE
    patched = ok(stub.PatchTasks(patch, metadata=OWNER)).tasks[0]
    assert (patched.name, patched.status.code) == ("renamed", C.TASK_DONE)
    assert rest.get("/v2/tasks/t-2").json()["task"]["status"]["code"] == C.TASK_DONE
    ok(stub.DeleteTasks(S.DeleteTasksRequest(ids=["t-1", "t-2"]), metadata=OWNER))
    missing = stub.GetTask(S.GetTaskRequest(user_app_id=APP, task_id="t-1"), metadata=OWNER)
    assert (missing.status.code, missing.status.description) == (C.TASK_MISSING, "Task was not found")
    assert rest.get("/v2/tasks").json()["tasks"] == []


def test_inputs_and_concepts(stub):
    posted = ok(stub.PostInputs(S.PostInputsRequest(inputs=[
        R.Input(id="g-1", data=R.Data(image=R.Image(url="https://example.com/g.jpg"))),
        R.Input(id="g-2", data=R.Data(text=R.Text(raw="hello")))]), metadata=OWNER)).inputs
    assert [i.id for i in posted] == ["g-1", "g-2"] and posted[0].status.code == C.INPUT_DOWNLOAD_SUCCESS
    listed = ok(stub.ListInputs(S.ListInputsRequest(user_app_id=APP, page=3, per_page=10), metadata=OWNER)).inputs
    assert [i.id for i in listed][-2:] == ["g-1", "g-2"] and listed[-1].data.text.raw == "hello"
    assert [i.id for i in ok(stub.ListInputs(S.ListInputsRequest(ids=["g-2"]), metadata=OWNER)).inputs] == ["g-2"]
    duplicate = stub.PostInputs(S.PostInputsRequest(inputs=[R.Input(id="g-1", data=R.Data(text=R.Text(raw="x")))]),
                                metadata=OWNER)
    assert duplicate.status.code == C.INPUT_DUPLICATE
    in_dataset = ok(stub.PostInputs(S.PostInputsRequest(inputs=[R.Input(
        id="g-3", dataset_ids=["mock-dataset"], data=R.Data(text=R.Text(raw="x")))]), metadata=OWNER)).inputs
    assert list(in_dataset[0].dataset_ids) == ["mock-dataset"]
    members = ok(stub.ListDatasetInputs(S.ListDatasetInputsRequest(dataset_id="mock-dataset"), metadata=OWNER))
    assert members.dataset_inputs[-1].input.id == "g-3"
    unknown = stub.PostInputs(S.PostInputsRequest(inputs=[R.Input(
        id="g-4", dataset_ids=["nope"], data=R.Data(text=R.Text(raw="x")))]), metadata=OWNER)
    assert unknown.status.code == C.CONN_INVALID_REQUEST and "dataset_ids" in unknown.status.details
    assert ok(stub.ListInputs(S.ListInputsRequest(ids=["g-4"]), metadata=OWNER)).inputs == []  # nothing stored
    concepts = ok(stub.ListConcepts(S.ListConceptsRequest(user_app_id=APP), metadata=OWNER)).concepts
    assert [(c.id, c.value) for c in concepts] == [("cat", 1.0), ("dog", 1.0), ("bird", 1.0)]


def test_label_start_annotate_submit_and_list_annotations(stub):
    task_id = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task()]), metadata=OWNER)).tasks[0].id
    started = ok(stub.PutTaskAssignments(S.PutTaskAssignmentsRequest(
        user_app_id=APP, task_id=task_id, action=S.LABEL_START), metadata=pat("labeler-1"))).task_assignments
    assert len(started) == 10 and {a.status.code for a in started} == {C.TASK_ASSIGNMENT_PENDING}
    first = started[0]
    posted = ok(stub.PostAnnotations(S.PostAnnotationsRequest(user_app_id=APP, annotations=[R.Annotation(
        input_id=first.input.id, task_id=task_id, data=R.Data(concepts=[R.Concept(id="cat", value=1.0)]))]),
        metadata=pat("labeler-1"))).annotations
    # A task annotation is the worker's pending work until LABEL_SUBMIT.
    assert posted[0].user_id == "labeler-1" and posted[0].status.code == C.ANNOTATION_PENDING
    # The deprecated form: only input_id means LABEL_SUBMIT; with review NONE the work is accepted at once.
    submitted = ok(stub.PutTaskAssignments(S.PutTaskAssignmentsRequest(
        user_app_id=APP, task_id=task_id, input_id=first.input.id), metadata=pat("labeler-1"))).task_assignments
    assert [(a.input.id, a.status.code) for a in submitted] == [(first.input.id, C.TASK_ASSIGNMENT_SUCCESS)]
    got = ok(stub.GetAnnotation(S.GetAnnotationRequest(input_id=first.input.id, annotation_id=posted[0].id),
                                metadata=OWNER)).annotation
    assert got.status.code == C.ANNOTATION_SUCCESS and got.trusted
    second = started[1]  # submitted without an annotation: the worker saw nothing to label
    submitted = ok(stub.PutTaskAssignments(S.PutTaskAssignmentsRequest(
        user_app_id=APP, task_id=task_id, action=S.LABEL_SUBMIT,
        label_submit_config=S.LabelSubmitConfig(task_assignments=[R.TaskAssignment(id=second.id)])),
        metadata=pat("labeler-1"))).task_assignments
    assert [(a.id, a.input.id, a.status.code) for a in submitted] == \
        [(second.id, second.input.id, C.TASK_ASSIGNMENT_SUCCESS)]
    again = stub.PutTaskAssignments(S.PutTaskAssignmentsRequest(
        user_app_id=APP, task_id=task_id, action=S.LABEL_SUBMIT, input_id=first.input.id), metadata=pat("labeler-1"))
    assert again.status.code == C.TASK_CONFLICT  # accepted work can no longer change
    done = ok(stub.ListAnnotations(S.ListAnnotationsRequest(
        task_id=task_id, statuses=[status_pb2.Status(code=C.ANNOTATION_SUCCESS)]), metadata=OWNER)).annotations
    assert {a.input_id: (a.task_id, [c.id for c in a.data.concepts]) for a in done} == \
        {first.input.id: (task_id, ["cat"]), second.input.id: (task_id, [])}
    pending = ok(stub.ListAnnotations(S.ListAnnotationsRequest(
        task_id=task_id, statuses=[status_pb2.Status(code=C.ANNOTATION_PENDING)]), metadata=OWNER)).annotations
    assert pending == []
    counts = ok(stub.GetTaskInputCount(S.GetTaskCountRequest(task_id=task_id), metadata=OWNER)).counts
    assert [(c.user_id, c.success, c.pending) for c in counts] == [("labeler-1", 2, 22)]


def test_a_scoped_only_call_without_user_app_id_takes_the_app_of_the_key(stub):
    task_id = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task()]), metadata=OWNER)).tasks[0].id
    answer = ok(stub.PatchAnnotationsStatus(S.PatchAnnotationsStatusRequest(
        task_id=task_id, status_code=C.ANNOTATION_SUCCESS), metadata=OWNER))
    assert answer.updated_count == 0
    # A PAT names no app: as over REST, it needs the app-scoped form.
    refused = stub.PutTaskAssignments(S.PutTaskAssignmentsRequest(task_id=task_id, action=S.LABEL_START),
                                      metadata=pat("labeler-1"))
    assert (refused.status.code, refused.status.details) == (C.CONN_KEY_INVALID,
                                                            "Must provide app external ID in API authorizer")
    assert list(refused.task_assignments) == []


@pytest.mark.parametrize("metadata,path", [
    ((("authorization", "Key not-a-key"),), "/v2/tasks"),
    ((), "/v2/tasks"),
    ((("authorization", "Token mock-clarifai-key"),), "/v2/tasks"),
    ((("authorization", "Key mock-clarifai-pat"),), "/v2/tasks"),
    ((("authorization", "Key other-clarifai-key"),), f"{SCOPED}/tasks"),
], ids=["unknown key", "no key", "malformed", "pat unscoped", "other app"])
def test_auth_answers_as_rest_does(stub, live, metadata, path):
    app = APP if path.startswith(SCOPED) else None
    over_grpc = stub.ListTasks(S.ListTasksRequest(user_app_id=app), metadata=metadata).status
    headers = dict((k.title(), v) for k, v in metadata)
    over_rest = httpx.get(f"{live}{path}", headers=headers).json()["status"]
    assert over_grpc.code != C.SUCCESS
    assert (over_grpc.code, over_grpc.description, over_grpc.details) == \
        (over_rest["code"], over_rest["description"], over_rest.get("details", ""))


def test_unknown_keys_and_a_repeated_key_are_refused(stub):
    # An unknown key in a key's shape is 11009; another shape is 11008 "Invalid format of key.".
    for key in ("ab" * 16, "nope"):
        unknown = stub.ListConcepts(S.ListConceptsRequest(), metadata=(("authorization", f"Key {key}"),)).status
        assert (unknown.code, unknown.description) == (C.CONN_KEY_NOT_FOUND, "API key not found")
    malformed = stub.ListConcepts(S.ListConceptsRequest(), metadata=(("authorization", "Key SOME_INVALID_KEY"),))
    assert (malformed.status.code, malformed.status.description, malformed.status.details) == \
        (C.CONN_KEY_INVALID, "Invalid API key or Invalid API key/application pair", "Invalid format of key.")
    twice = stub.ListConcepts(S.ListConceptsRequest(), metadata=OWNER + OWNER).status
    assert twice.code == C.CONN_INVALID_REQUEST and "more than once" in twice.details


def test_rpcs_the_stand_in_does_not_implement_answer_at_once(stub):
    for call, request in ((stub.ListModels, S.ListModelsRequest()), (stub.GetApp, S.GetAppRequest(user_app_id=APP)),
                          (stub.ListSearches, S.ListSearchesRequest()),
                          (stub.GetInputsAddJob, S.GetInputsAddJobRequest(id="j"))):
        started = time.monotonic()
        answer = call(request, metadata=OWNER, timeout=5)
        assert time.monotonic() - started < 1
        assert answer.status.code == C.NOT_IMPLEMENTED and "not implemented by the stand-in" in answer.status.details
    streamed = list(stub.StreamAnnotations(S.StreamAnnotationsRequest(), metadata=OWNER, timeout=5))
    assert [m.status.code for m in streamed] == [C.NOT_IMPLEMENTED]


# -- journal and faults ----------------------------------------------------------------------------------------
def test_the_journal_records_grpc_calls_under_their_rest_route(stub, live):
    stub.GetTask(S.GetTaskRequest(user_app_id=APP, task_id="nope"), metadata=OWNER)
    ok(stub.PostConcepts(S.PostConceptsRequest(concepts=[R.Concept(id="fox")]), metadata=OWNER))
    entries = httpx.get(f"{live}/_mock/journal", params={"vendor": "clarifai"}).json()["entries"]
    seen = [(e["method"], e["path"], e["operation"], e["status"], e["request_headers"]["content-type"],
             e["request_headers"]["authorization"]) for e in entries]
    assert seen == [("GET", f"{SCOPED}/tasks/nope", "GetTaskScoped", 404, "application/grpc", "***"),
                    ("POST", "/v2/concepts", "PostConcepts", 200, "application/grpc", "***")]
    assert '"fox"' in entries[1]["request_body"] and '"fox"' in entries[1]["response_body"]


def test_faults_drop_grpc_calls_and_inject_clarifai_errors(stub, live):
    fault = httpx.post(f"{live}/_mock/faults", json={"vendor": "clarifai", "operation": "ListTasks",
                                                     "drop": True}).json()
    with pytest.raises(grpc.RpcError) as dropped:  # the channel retries UNAVAILABLE: every attempt is dropped
        stub.ListTasks(S.ListTasksRequest(), metadata=OWNER, timeout=10)
    assert dropped.value.code() == grpc.StatusCode.UNAVAILABLE
    ok(stub.ListConcepts(S.ListConceptsRequest(), metadata=OWNER))  # other calls go on
    assert httpx.delete(f"{live}/_mock/faults/{fault['id']}").status_code in (200, 204)
    ok(stub.ListTasks(S.ListTasksRequest(), metadata=OWNER))
    httpx.post(f"{live}/_mock/faults", json={"vendor": "clarifai", "path": "^/v2/concepts$", "times": 1,
                                             "error": {"status": 503, "message": "maintenance"}})
    failed = stub.ListConcepts(S.ListConceptsRequest(), metadata=OWNER).status
    assert (failed.code, failed.details) == (C.FAILURE, "maintenance")
    ok(stub.ListConcepts(S.ListConceptsRequest(), metadata=OWNER))
    statuses = [e["status"] for e in httpx.get(f"{live}/_mock/journal", params={"path": "/v2/tasks"}).json()["entries"]]
    assert 0 in statuses and statuses[-1] == 200


def test_a_slow_call_holds_up_nobody(stub, live):
    httpx.post(f"{live}/_mock/faults", json={"vendor": "clarifai", "operation": "GetTask",
                                             "latency": {"ms": 1500}})
    slow = threading.Thread(target=lambda: stub.GetTask(S.GetTaskRequest(task_id="x"), metadata=OWNER, timeout=10))
    slow.start()
    time.sleep(0.2)
    started = time.monotonic()
    ok(stub.ListConcepts(S.ListConceptsRequest(), metadata=OWNER))
    assert httpx.get(f"{live}/v2/concepts", headers={"Authorization": f"Key {KEY}"}).status_code == 200
    assert time.monotonic() - started < 0.5
    slow.join()


# -- the route table (no sockets) ------------------------------------------------------------------------------
REST_ONLY = {"ListNextTaskAssignments": {"worker_user_id"}}  # the stand-in's own extra query parameters


def test_every_rest_route_is_an_rpc_with_its_handler():
    rpcs = grpc_bridge.rpcs()
    assert set(rpcs) == {name for name in vars(service_pb2_grpc.V2Servicer) if not name.startswith("_")}
    assert grpc_bridge.implemented() == sorted({r[0] for r in specgen.ROUTES})
    routes_of: dict = {}
    for route in specgen.ROUTES:
        routes_of.setdefault(route[0], []).append(route)
    for op_id, routes in routes_of.items():
        rpc = rpcs[op_id]
        assert {b.method for b in rpc.bindings} == {r[1].upper() for r in routes}
        assert len(rpc.bindings) == sum(len(specgen.templates(r)) for r in routes), op_id  # each path is a binding
        assert all(any(b.template.endswith(r[2].replace("{user_id}", "{user_app_id.user_id}")) for r in routes)
                   for b in rpc.bindings)
        fields = {f.name for f in rpc.request.DESCRIPTOR.fields} | REST_ONLY.get(op_id, set())
        assert {q for r in routes for q in r[3] if "." not in q} <= fields, op_id  # every query parameter has a field
    assert len(rpcs["DeleteAnnotations"].bindings) == 4 and len(rpcs["ListDatasets"].bindings) == 3


def test_route_picks_the_binding_the_json_channel_would():
    rpcs = grpc_bridge.rpcs()
    get = rpcs["GetTask"]
    binding, values = grpc_bridge.route(get, {"task_id": "t"})
    assert binding.path(values) == "/v2/tasks/t"
    binding, values = grpc_bridge.route(get, {"task_id": "t", "user_app_id": {"app_id": "a"}})
    assert binding.path(values) == "/v2/users/me/apps/a/tasks/t"
    put = rpcs["PutTaskAssignments"]
    binding, values = grpc_bridge.route(put, {"task_id": "t"}, key_app=("u", "a"))
    assert (binding.method, binding.path(values)) == ("PUT", "/v2/users/u/apps/a/tasks/t/assignments")
    kwargs = grpc_bridge.arguments(put, binding, values, {"task_id": "t", "action": "LABEL_START"})
    assert kwargs == {"task_id": "t", "body": {"action": "LABEL_START"}}
    with pytest.raises(VendorError) as missing:
        grpc_bridge.route(get, {})
    assert "task_id" in missing.value.body["status"]["details"]
    with pytest.raises(VendorError):
        grpc_bridge.route(get, {"task_id": "t", "user_app_id": {"user_id": "a/b", "app_id": "c"}})


# -- starting and stopping -------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_taken_grpc_port_stops_the_server_unless_it_is_the_default():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"clarifai-grpc port {port} is already in use"):
            ServerProcess("--clarifai-grpc-port", str(port)).start()
    with socket.socket() as default:
        try:
            default.bind(("127.0.0.1", GRPC_DEFAULT_PORT))
            default.listen()
        except OSError:
            pass  # someone else holds it: just as good
        with ServerProcess("--clarifai-grpc-port", str(GRPC_DEFAULT_PORT)) as server:
            assert "clarifai_grpc" not in server.urls and "clarifai" in server.urls


def test_the_server_stops_with_its_grpc_port():
    port = _free_port()
    server = ServerProcess("--clarifai-grpc-port", str(port)).start()
    assert server.urls["clarifai_grpc"] == f"http://127.0.0.1:{port}"
    assert server.stop() == 0
    with socket.socket() as again:  # the port is free again
        again.bind(("127.0.0.1", port))


def test_without_grpcio_the_server_says_so_once_and_serves_rest(tmp_path):
    ports = tmp_path / "ports.json"
    code = ("import sys; sys.modules['grpc'] = None  # as if grpcio were not installed\n"
            "from mockserver.cli import main; sys.exit(main(sys.argv[1:]))")
    proc = subprocess.Popen([sys.executable, "-c", code, "serve", "--clarifai-port", "0", "--modelarts-port", "0",
                             "--cloudfactory-port", "0", "--clarifai-grpc-port", "0", "--ports-file", str(ports)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not ports.exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        urls = json.loads(ports.read_text())
        assert "clarifai_grpc" not in urls
        assert httpx.get(f"{urls['clarifai']}/v2/concepts", headers={"Authorization": f"Key {KEY}"}).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert err.splitlines() == ["mockserver: serving Clarifai without gRPC: grpc is not installed (pip install grpcio "
                                "clarifai-grpc)", "stopped"]
