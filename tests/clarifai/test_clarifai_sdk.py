"""The high-level ``clarifai`` SDK (PyPI ``clarifai``, gRPC only), unmodified, against the live stand-in's gRPC
port through its ``base_url``: what a labeling integration does with it, from collaborators to deleting the task.

The SDK is the ``sdk`` extra (``pip install -c constraints.txt -e '.[test,sdk]'``); without it these tests are
skipped, saying so. The server parses every answer strictly into the RPC's response message before sending it
(a mismatch would come back as FAILURE, see grpc_bridge.to_message), so each ``ok`` below also checks the fit;
GetInputSamples is read over REST too and parsed with ``ignore_unknown_fields=False``.
"""
import struct
import zlib

import httpx
import pytest
from google.protobuf import json_format

pytest.importorskip("clarifai.client.app", reason="the clarifai SDK is not installed (pip install -c constraints.txt "
                                                  "-e '.[sdk]')")

from clarifai.client.app import App  # noqa: E402
from clarifai.client.input import Inputs  # noqa: E402
from clarifai_grpc.grpc.api import resources_pb2 as R  # noqa: E402
from clarifai_grpc.grpc.api import service_pb2 as S  # noqa: E402
from clarifai_grpc.grpc.api.status import status_code_pb2 as C  # noqa: E402

USER, APP_ID = "mock-user", "mock-app"
OWNER_PAT = "mock-clarifai-pat"
WORKERS = ("labeler-1", "labeler-2")
REVIEWER = "reviewer-1"


def png() -> bytes:
    """A 1x1 PNG (the stand-in keeps the bytes; it never decodes them)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def ok(response):
    assert response.status.code == C.SUCCESS, response.status
    return response


@pytest.fixture
def sdk(live, live_server):
    """``sdk(pat)``: an App of the default workspace's app, as the SDK makes it, on the gRPC port."""
    base = live_server.urls["clarifai_grpc"]
    assert base.startswith("http://")  # the SDK then uses an insecure channel to host:port

    def make(pat: str = OWNER_PAT) -> App:
        return App(user_id=USER, app_id=APP_ID, pat=pat, base_url=base)

    return make


def test_sdk_speaks_grpc_to_the_grpc_port(sdk, live_server):
    app = sdk()
    assert app.base == live_server.urls["clarifai_grpc"]
    assert (app.user_app_id.user_id, app.user_app_id.app_id) == (USER, APP_ID)
    assert [c.id for c in app.list_concepts()] == ["cat", "dog", "bird"]
    assert "mock-dataset" in [d.id for d in app.list_datasets()]
    assert app.get_input_count() == 24


def test_sdk_unknown_pat_is_refused(sdk):
    listing = sdk("not-a-key").STUB.ListConcepts(S.ListConceptsRequest(user_app_id=R.UserAppIDSet(
        user_id=USER, app_id=APP_ID)))
    assert listing.status.code == C.CONN_KEY_NOT_FOUND and not listing.concepts


def test_whole_labeling_workflow_through_the_sdk(sdk, live):
    owner = sdk()
    stub, app_ids = owner.STUB, owner.user_app_id  # the App's own stub: metadata (PAT) added by the SDK

    # -- collaborators: the workers and the reviewer are the app's; one more is added, then removed -----------
    listed = ok(stub.ListCollaborators(S.ListCollaboratorsRequest(user_app_id=app_ids)))
    assert {*WORKERS, REVIEWER} <= {c.user.id for c in listed.collaborators}
    assert listed.app_owner.id == USER
    added = ok(stub.PostCollaborators(S.PostCollaboratorsRequest(user_app_id=app_ids, collaborators=[
        R.Collaborator(id="sdk-collab", user=R.User(id="sdk-observer"), scopes=["Inputs:Get"])]))).collaborators
    assert [c.user.id for c in added] == ["sdk-observer"]

    # -- a dataset, inputs from a URL (with a label) and from bytes, a new concept ------------------------------
    dataset = owner.create_dataset("sdk-ds")
    assert dataset.id == "sdk-ds" and owner.dataset("sdk-ds").id == "sdk-ds"
    inputs: Inputs = owner.inputs()
    _job, answer = inputs.upload_from_url(input_id="sdk-url", image_url="https://example.com/sdk/cat.jpg",
                                          dataset_id="sdk-ds", labels=["cat"])
    assert ok(answer).inputs[0].data.image.url == "https://example.com/sdk/cat.jpg"
    _job, answer = inputs.upload_from_bytes(input_id="sdk-bytes", image_bytes=png(), dataset_id="sdk-ds")
    stored = ok(answer).inputs[0]
    assert stored.id == "sdk-bytes" and not stored.data.image.base64 and stored.data.image.url  # hosted, not echoed
    batch = [Inputs.get_input_from_url(input_id=f"sdk-more-{i}", image_url=f"https://example.com/sdk/{i}.jpg",
                                       dataset_id="sdk-ds") for i in range(2)]
    _job, answer = inputs.upload_inputs(batch, show_log=False)
    assert [i.id for i in ok(answer).inputs] == ["sdk-more-0", "sdk-more-1"]
    input_ids = ["sdk-url", "sdk-bytes", "sdk-more-0", "sdk-more-1"]
    assert [i.id for i in inputs.list_inputs(dataset_id="sdk-ds")] == input_ids
    assert [i.id for i in dataset.list_inputs()] == input_ids
    listed_all = list(inputs.list_inputs())  # every input rebuilt from its answer as an Input message
    assert len(listed_all) == 28 and {*input_ids} <= {i.id for i in listed_all}
    assert owner.get_input_count() == 28
    owner.create_concepts(["fox"], concepts=["Fox"])
    assert [c.id for c in owner.list_concepts()] == ["cat", "dog", "bird", "fox"]

    # -- annotations: the label given at upload, a concept and a box posted -------------------------------------
    box = Inputs.get_bbox_proto(input_id="sdk-bytes", label="fox", bbox=[0.1, 0.2, 0.5, 0.6])
    concept = R.Annotation(input_id="sdk-more-0", data=R.Data(concepts=[R.Concept(id="dog", value=1.0)]))
    assert inputs.upload_annotations([box, concept], show_log=False) == []  # nothing to retry
    annotations = {a.input_id: a for a in inputs.list_annotations(batch_input=[R.Input(id=i) for i in input_ids])}
    assert set(annotations) == {"sdk-url", "sdk-bytes", "sdk-more-0"}
    assert [c.id for c in annotations["sdk-url"].data.concepts] == ["cat"]
    assert [c.id for c in annotations["sdk-more-0"].data.concepts] == ["dog"]
    (region,) = annotations["sdk-bytes"].data.regions
    bbox = region.region_info.bounding_box
    assert [round(v, 3) for v in (bbox.left_col, bbox.top_row, bbox.right_col, bbox.bottom_row)] == [0.1, 0.2, 0.5, 0.6]
    assert [c.id for c in region.data.concepts] == ["fox"]
    assert {a.user_id for a in annotations.values()} == {USER}

    # -- a task on the dataset: both workers label every input, consensus of 2, the reviewer settles the rest --
    task = R.Task(type=R.Task.CONCEPTS_CLASSIFICATION, name="SDK: cat or dog",
                  concepts=[R.TaskConcept(concept=R.Concept(id="cat")), R.TaskConcept(concept=R.Concept(id="dog"))],
                  worker=R.TaskWorker(strategy=R.TaskWorker.FULL, workers=[R.Worker(user=R.User(id=w))
                                                                           for w in WORKERS]),
                  input_source=R.TaskInputSource(type=R.TaskInputSource.DATASET, id="sdk-ds"),
                  review=R.TaskReview(strategy=R.TaskReview.CONSENSUS, users=[R.User(id=REVIEWER)],
                                      consensus_strategy_info=R.TaskReviewConsensusStrategyInfo(
                                          approval_threshold_labelers=2, approval_threshold_reviewers=1)))
    (created,) = ok(stub.PostTasks(S.PostTasksRequest(user_app_id=app_ids, tasks=[task]))).tasks
    task_id = created.id
    assert ok(stub.GetTask(S.GetTaskRequest(user_app_id=app_ids, task_id=task_id))).task.name == "SDK: cat or dog"
    assert task_id in [t.id for t in ok(stub.ListTasks(S.ListTasksRequest(user_app_id=app_ids))).tasks]
    mine = ok(stub.ListTasks(S.ListTasksRequest(user_app_id=app_ids, worker_user_ids=["labeler-1"]))).tasks
    assert task_id in [t.id for t in mine]
    assert ok(stub.GetInputSamples(S.GetInputSamplesRequest(user_app_id=app_ids, task_id=task_id))).hits == []

    # labeler-1 takes its inputs with ListNextTaskAssignments and submits each input (the deprecated form);
    # labeler-2 takes them with LABEL_START and submits its assignments. They disagree on the last input.
    def label(worker: str, input_id: str) -> str:
        return "dog" if worker == "labeler-2" and input_id == "sdk-more-1" else "cat"

    first = sdk(f"mock-clarifai-pat-{WORKERS[0]}")
    handed = ok(first.STUB.ListNextTaskAssignments(S.ListNextTaskAssignmentsRequest(
        user_app_id=app_ids, task_id=task_id))).inputs
    assert sorted(i.id for i in handed) == sorted(input_ids)
    posted = ok(first.STUB.PostAnnotations(S.PostAnnotationsRequest(user_app_id=app_ids, annotations=[
        R.Annotation(input_id=i.id, task_id=task_id, data=R.Data(concepts=[R.Concept(id=label("labeler-1", i.id),
                                                                                     value=1.0)]))
        for i in handed]))).annotations
    assert {(a.user_id, a.status.code) for a in posted} == {("labeler-1", C.ANNOTATION_PENDING)}
    for i in handed:
        submitted = ok(first.STUB.PutTaskAssignments(S.PutTaskAssignmentsRequest(
            user_app_id=app_ids, task_id=task_id, input_id=i.id, action=S.LABEL_SUBMIT))).task_assignments
        assert [a.input.id for a in submitted] == [i.id]

    second = sdk(f"mock-clarifai-pat-{WORKERS[1]}")
    started = ok(second.STUB.PutTaskAssignments(S.PutTaskAssignmentsRequest(
        user_app_id=app_ids, task_id=task_id, action=S.LABEL_START))).task_assignments
    assert sorted(a.input.id for a in started) == sorted(input_ids)
    assert {a.status.code for a in started} == {C.TASK_ASSIGNMENT_PENDING}
    ok(second.STUB.PostAnnotations(S.PostAnnotationsRequest(user_app_id=app_ids, annotations=[
        R.Annotation(input_id=a.input.id, task_id=task_id, data=R.Data(concepts=[
            R.Concept(id=label("labeler-2", a.input.id), value=1.0)])) for a in started])))
    submitted = ok(second.STUB.PutTaskAssignments(S.PutTaskAssignmentsRequest(
        user_app_id=app_ids, task_id=task_id, action=S.LABEL_SUBMIT,
        label_submit_config=S.LabelSubmitConfig(task_assignments=[R.TaskAssignment(id=a.id) for a in started]))))
    by_input = {a.input.id: a.status.code for a in submitted.task_assignments}
    assert by_input == {**{i: C.TASK_ASSIGNMENT_SUCCESS for i in input_ids[:3]},
                        "sdk-more-1": C.TASK_ASSIGNMENT_AWAITING_REVIEW}

    # -- counts, samples for review -----------------------------------------------------------------------------
    counts = {c.user_id: c for c in ok(stub.GetTaskAnnotationCount(S.GetTaskCountRequest(
        user_app_id=app_ids, task_id=task_id))).counts}
    assert {w: (counts[w].success, counts[w].awaiting_review) for w in WORKERS} == {w: (3, 1) for w in WORKERS}
    samples = ok(stub.GetInputSamples(S.GetInputSamplesRequest(user_app_id=app_ids, task_id=task_id))).hits
    assert [(h.input.id, h.annotation.user_id) for h in samples] == [(i, w) for i in input_ids for w in WORKERS]
    assert all(h.annotation.task_id == task_id and h.input.data.image.url for h in samples)
    assert {(h.user_id, h.app_id) for h in samples} == {(USER, APP_ID)}
    disputed = [h for h in samples if h.input.id == "sdk-more-1"]
    assert {h.annotation.status.code for h in disputed} == {C.ANNOTATION_AWAITING_REVIEW}
    assert sorted(h.annotation.data.concepts[0].id for h in disputed) == ["cat", "dog"]
    only_second = ok(stub.GetInputSamples(S.GetInputSamplesRequest(user_app_id=app_ids, task_id=task_id,
                                                                    user_ids=["labeler-2"]))).hits
    assert [h.input.id for h in only_second] == input_ids and {h.annotation.user_id for h in only_second} == {
        "labeler-2"}
    over_rest = httpx.get(f"{live}/v2/users/{USER}/apps/{APP_ID}/tasks/{task_id}/inputs/samples",
                          headers={"Authorization": f"Key {OWNER_PAT}"}, timeout=10)
    assert over_rest.status_code == 200
    parsed = json_format.Parse(over_rest.text, S.MultiInputAnnotationResponse(), ignore_unknown_fields=False)
    assert [(h.input.id, h.annotation.id) for h in parsed.hits] == [(h.input.id, h.annotation.id) for h in samples]

    # -- the reviewer settles the disputed input -----------------------------------------------------------------
    reviewer = sdk(f"mock-clarifai-pat-{REVIEWER}")
    queue = ok(reviewer.STUB.PutTaskAssignments(S.PutTaskAssignmentsRequest(
        user_app_id=app_ids, task_id=task_id, action=S.REVIEW_START))).task_assignments
    assert {a.input.id for a in queue} == {"sdk-more-1"} and {a.worker.user.id for a in queue} == set(WORKERS)
    approved = ok(reviewer.STUB.PutTaskAssignments(S.PutTaskAssignmentsRequest(
        user_app_id=app_ids, task_id=task_id, action=S.REVIEW_APPROVE,
        review_approve_config=S.ReviewApproveConfig(task_assignments=[R.TaskAssignment(id=queue[0].id)]))))
    assert {a.status.code for a in approved.task_assignments} == {C.TASK_ASSIGNMENT_SUCCESS}
    counts = {c.user_id: c for c in ok(stub.GetTaskInputCount(S.GetTaskCountRequest(
        user_app_id=app_ids, task_id=task_id))).counts}
    assert {w: (counts[w].success, counts[w].awaiting_review, counts[w].pending) for w in WORKERS} == {
        w: (4, 0, 0) for w in WORKERS}
    settled = ok(stub.GetInputSamples(S.GetInputSamplesRequest(user_app_id=app_ids, task_id=task_id))).hits
    assert {h.annotation.status.code for h in settled} == {C.ANNOTATION_SUCCESS} and len(settled) == 8
    trusted = list(inputs.list_annotations(batch_input=[R.Input(id="sdk-more-1")]))
    assert sorted(a.user_id for a in trusted) == sorted(WORKERS)  # the task's work, trusted once approved

    # -- done, then delete what the integration made -------------------------------------------------------------
    done = S.PatchTasksRequest(user_app_id=app_ids, action="merge", tasks=[R.Task(id=task_id)])
    done.tasks[0].status.code = C.TASK_DONE
    assert ok(stub.PatchTasks(done)).tasks[0].status.code == C.TASK_DONE
    ok(stub.DeleteTasks(S.DeleteTasksRequest(user_app_id=app_ids, ids=[task_id])))
    assert stub.GetTask(S.GetTaskRequest(user_app_id=app_ids, task_id=task_id)).status.code == C.TASK_MISSING
    gone = stub.GetInputSamples(S.GetInputSamplesRequest(user_app_id=app_ids, task_id=task_id))
    assert gone.status.code == C.TASK_MISSING and not gone.hits
    inputs.delete_annotations(input_ids=["sdk-bytes"], annotation_ids=[annotations["sdk-bytes"].id])
    left = list(inputs.list_annotations(batch_input=[R.Input(id="sdk-bytes")]))
    assert sorted(a.user_id for a in left) == sorted(WORKERS)  # the box went; the task's work outlives the task
    inputs.delete_inputs([R.Input(id="sdk-bytes")])
    assert [i.id for i in inputs.list_inputs(dataset_id="sdk-ds")] == ["sdk-url", "sdk-more-0", "sdk-more-1"]
    owner.delete_dataset("sdk-ds")
    assert "sdk-ds" not in [d.id for d in owner.list_datasets()]
    ok(stub.DeleteCollaborators(S.DeleteCollaboratorsRequest(user_app_id=app_ids, collaborator_ids=["sdk-collab"])))
    assert "sdk-observer" not in [c.user.id for c in ok(stub.ListCollaborators(S.ListCollaboratorsRequest(
        user_app_id=app_ids))).collaborators]
