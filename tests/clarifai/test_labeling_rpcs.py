"""The labeling RPCs of issue 16's second slice, through clarifai-grpc over both transports: its JSON channel
against the REST port and its gRPC channel against the gRPC port. Every answer is parsed strictly into the
RPC's response message (``ignore_unknown_fields=False``): over REST the test parses the JSON body the channel
received; over gRPC the server parses every answer strictly and a mismatch comes back as FAILURE."""
from __future__ import annotations

import pytest
from google.protobuf import json_format, message_factory

from clarifai_grpc.channel.clarifai_channel import ClarifaiChannel
from clarifai_grpc.grpc.api import resources_pb2 as R
from clarifai_grpc.grpc.api import service_pb2 as S
from clarifai_grpc.grpc.api import service_pb2_grpc
from clarifai_grpc.grpc.api.status import status_code_pb2 as C
from clarifai_grpc.grpc.api.status import status_pb2

OWNER = (("authorization", "Key mock-clarifai-key"),)
APP = R.UserAppIDSet(user_id="mock-user", app_id="mock-app")
SERVICE = S.DESCRIPTOR.services_by_name["V2"]


def pat(user: str):
    return (("authorization", f"Key mock-clarifai-pat-{user}"),)


class Strict:
    """A V2 stub whose answers are also parsed strictly (JSON transport: the body the channel received)."""

    def __init__(self, stub, bodies: list | None):
        self.stub, self.bodies = stub, bodies

    def __getattr__(self, name: str):
        method = getattr(self.stub, name)
        answer_type = message_factory.GetMessageClass(SERVICE.methods_by_name[name].output_type)

        def call(request, metadata=OWNER):
            if self.bodies is not None:
                self.bodies.clear()
            response = method(request, metadata=metadata)
            if self.bodies is not None:
                assert len(self.bodies) == 1, self.bodies
                json_format.ParseDict(self.bodies[0], answer_type(), ignore_unknown_fields=False)
            return response

        return call


@pytest.fixture(params=["json", "grpc"])
def transport(request):
    return request.param


@pytest.fixture
def stub(transport, live, live_server):
    if transport == "json":
        channel = ClarifaiChannel.get_json_channel(base_url=live)
        bodies: list = []
        channel.session.hooks["response"].append(lambda r, *args, **kwargs: bodies.append(r.json()))
        yield Strict(service_pb2_grpc.V2Stub(channel), bodies)
        return
    host, port = live_server.urls["clarifai_grpc"].removeprefix("http://").rsplit(":", 1)
    channel = ClarifaiChannel.get_insecure_grpc_channel(base=host, port=int(port))
    yield Strict(service_pb2_grpc.V2Stub(channel), None)
    channel.close()


def ok(response):
    assert response.status.code == C.SUCCESS, response.status
    return response


def refused(response, code):
    assert response.status.code == code, response.status
    return response.status


def a_task(workers=("labeler-1",), review=None, **kw):
    kw.setdefault("input_source", R.TaskInputSource(type=R.TaskInputSource.DATASET, id="mock-dataset"))
    kw.setdefault("concept_ids", ["cat", "dog"])
    return R.Task(type=R.Task.CONCEPTS_CLASSIFICATION,
                  worker=R.TaskWorker(strategy=R.TaskWorker.FULL,
                                      workers=[R.Worker(user=R.User(id=w)) for w in workers]),
                  review=review or R.TaskReview(strategy=R.TaskReview.NONE), **kw)


def concept(cid: str, value: float = 1.0):
    return R.Data(concepts=[R.Concept(id=cid, value=value)])


def label(stub, task_id: str, user: str, input_id: str, cid: str):
    """``user`` annotates the input in the task (pending work) and submits it (deprecated input_id form)."""
    posted = ok(stub.PostAnnotations(S.PostAnnotationsRequest(user_app_id=APP, annotations=[R.Annotation(
        input_id=input_id, task_id=task_id, data=concept(cid))]), metadata=pat(user))).annotations[0]
    assert posted.status.code == C.ANNOTATION_PENDING
    ok(stub.PutTaskAssignments(S.PutTaskAssignmentsRequest(user_app_id=APP, task_id=task_id, input_id=input_id),
                               metadata=pat(user)))
    return posted


# -- collaborators ------------------------------------------------------------------------------------------
def test_collaborators_gate_who_works_on_tasks(stub):
    listed = ok(stub.ListCollaborators(S.ListCollaboratorsRequest(user_app_id=APP)))
    assert [c.user.id for c in listed.collaborators] == ["labeler-1", "labeler-2", "labeler-3", "reviewer-1"]
    assert listed.app_owner.id == "mock-user" and listed.collaborators[0].app.id == "mock-app"
    stranger = refused(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(workers=("newcomer",))])),
                       C.TASK_PERMISSION_DENIED)
    assert "newcomer" in stranger.details and "collaborator" in stranger.details
    refused(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(review=R.TaskReview(
        strategy=R.TaskReview.MANUAL, users=[R.User(id="newcomer")]))])), C.TASK_PERMISSION_DENIED)

    added = ok(stub.PostCollaborators(S.PostCollaboratorsRequest(user_app_id=APP, collaborators=[R.Collaborator(
        user=R.User(id="newcomer", primary_email="new@example.com"), scopes=["Annotations:Add"])]))).collaborators
    assert [(c.user.id, list(c.scopes)) for c in added] == [("newcomer", ["Annotations:Add"])] and added[0].id
    again = refused(stub.PostCollaborators(S.PostCollaboratorsRequest(user_app_id=APP, collaborators=[
        R.Collaborator(user=R.User(id="newcomer"))])), C.DATABASE_DUPLICATE_KEY)
    assert "newcomer" in again.details
    task = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(workers=("newcomer", "mock-user"))]))).tasks[0]
    assert [w.user.id for w in task.worker.workers] == ["newcomer", "mock-user"]  # the owner may work too

    patched = ok(stub.PatchCollaborators(S.PatchCollaboratorsRequest(user_app_id=APP, action="overwrite",
                                                                       collaborators=[R.Collaborator(
                                                                           id=added[0].id, scopes=["All"])])))
    assert list(patched.collaborators[0].scopes) == ["All"]
    # Only the owner manages collaborators.
    refused(stub.PostCollaborators(S.PostCollaboratorsRequest(user_app_id=APP, collaborators=[R.Collaborator(
        user=R.User(id="someone"))]), metadata=pat("labeler-1")), C.CONN_INSUFFICIENT_SCOPES)

    ok(stub.DeleteCollaborators(S.DeleteCollaboratorsRequest(user_app_id=APP, collaborator_ids=["newcomer"],
                                                             user_emails=["labeler-3@users.mockserver.local"])))
    assert [c.user.id for c in ok(stub.ListCollaborators(S.ListCollaboratorsRequest(user_app_id=APP))).collaborators] \
        == ["labeler-1", "labeler-2", "reviewer-1"]
    everyone = ok(stub.ListCollaborators(S.ListCollaboratorsRequest(user_app_id=APP, list_all_collaborators=True)))
    gone = {c.user.id: c.HasField("deleted_at") for c in everyone.collaborators}
    assert gone == {"labeler-1": False, "labeler-2": False, "labeler-3": True, "reviewer-1": False, "newcomer": True}
    refused(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(workers=("labeler-3",))])), C.TASK_PERMISSION_DENIED)
    # A removed collaborator's PAT no longer reaches the app.
    refused(stub.ListTasks(S.ListTasksRequest(user_app_id=APP), metadata=pat("labeler-3")), C.CONN_KEY_INVALID)
    refused(stub.DeleteCollaborators(S.DeleteCollaboratorsRequest(user_app_id=APP, collaborator_ids=["nobody"])),
            C.CONN_DOES_NOT_EXIST)


# -- annotations ---------------------------------------------------------------------------------------------
def test_get_and_delete_annotations(stub):
    posted = ok(stub.PostAnnotations(S.PostAnnotationsRequest(annotations=[
        R.Annotation(id="a1", input_id="input-001", data=concept("cat")),
        R.Annotation(id="a2", input_id="input-001", data=concept("dog")),
        R.Annotation(id="a3", input_id="input-002", data=concept("cat")),
        R.Annotation(id="a4", input_id="input-003", data=concept("bird"))]))).annotations
    assert [a.id for a in posted] == ["a1", "a2", "a3", "a4"]
    got = ok(stub.GetAnnotation(S.GetAnnotationRequest(input_id="input-001", annotation_id="a2"))).annotation
    assert (got.id, got.data.concepts[0].id, got.status.code, got.trusted) == ("a2", "dog", C.ANNOTATION_SUCCESS, True)
    refused(stub.GetAnnotation(S.GetAnnotationRequest(input_id="input-002", annotation_id="a2")), C.CONN_DOES_NOT_EXIST)
    refused(stub.GetAnnotation(S.GetAnnotationRequest(input_id="input-001", annotation_id="nope")),
            C.CONN_DOES_NOT_EXIST)

    ok(stub.DeleteAnnotation(S.DeleteAnnotationRequest(user_app_id=APP, input_id="input-001", annotation_id="a1")))
    refused(stub.GetAnnotation(S.GetAnnotationRequest(input_id="input-001", annotation_id="a1")), C.CONN_DOES_NOT_EXIST)
    # ids and input_ids pair up; input_ids alone: every annotation of those inputs.
    refused(stub.DeleteAnnotations(S.DeleteAnnotationsRequest(ids=["a2"], input_ids=["input-002"])),
            C.CONN_DOES_NOT_EXIST)
    ok(stub.DeleteAnnotations(S.DeleteAnnotationsRequest(ids=["a2"], input_ids=["input-001"])))
    ok(stub.DeleteAnnotations(S.DeleteAnnotationsRequest(user_app_id=APP, input_ids=["input-002"])))
    left = ok(stub.ListAnnotations(S.ListAnnotationsRequest(list_all_annotations=True))).annotations
    assert [a.id for a in left] == ["a4"]
    refused(stub.DeleteAnnotations(S.DeleteAnnotationsRequest()), C.CONN_INVALID_REQUEST)


def test_a_workers_derived_annotation_is_not_deleted_as_an_annotation(stub):
    task_id = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task()]))).tasks[0].id
    # Work submitted without any annotation shows as the worker's (derived) annotation.
    ok(stub.PutTaskAssignments(S.PutTaskAssignmentsRequest(user_app_id=APP, task_id=task_id, input_id="input-001"),
                               metadata=pat("labeler-1")))
    (work,) = ok(stub.ListAnnotations(S.ListAnnotationsRequest(task_id=task_id))).annotations
    assert work.user_id == "labeler-1" and work.status.code == C.ANNOTATION_SUCCESS
    status = refused(stub.DeleteAnnotations(S.DeleteAnnotationsRequest(ids=[work.id])), C.CONN_INVALID_REQUEST)
    assert "task work" in status.details


def test_list_annotations_lists_trusted_ones_unless_asked_for_all(stub):
    task_id = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(workers=("labeler-1", "labeler-2"))]))).tasks[0].id
    ok(stub.PostAnnotations(S.PostAnnotationsRequest(annotations=[R.Annotation(
        id="plain", input_id="input-010", data=concept("cat"))])))
    pending = ok(stub.PostAnnotations(S.PostAnnotationsRequest(user_app_id=APP, annotations=[R.Annotation(
        input_id="input-001", task_id=task_id, data=concept("dog"))]), metadata=pat("labeler-1"))).annotations[0]
    assert not pending.trusted
    default = ok(stub.ListAnnotations(S.ListAnnotationsRequest())).annotations
    assert [a.id for a in default] == ["plain"]
    everything = ok(stub.ListAnnotations(S.ListAnnotationsRequest(list_all_annotations=True))).annotations
    assert {a.id for a in everything} == {"plain", pending.id}
    by_user = ok(stub.ListAnnotations(S.ListAnnotationsRequest(user_ids=["labeler-1"]))).annotations
    assert [a.id for a in by_user] == [pending.id]  # user_ids implies all
    by_input = ok(stub.ListAnnotations(S.ListAnnotationsRequest(input_ids=["input-001"]))).annotations
    assert by_input == []  # trusted only
    assert [a.id for a in ok(stub.ListAnnotations(S.ListAnnotationsRequest(task_id=task_id))).annotations] == \
        [pending.id]  # a task's work, whatever its state


def test_list_annotation_workers(stub):
    task_id = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(workers=("labeler-1", "labeler-2"))]))).tasks[0].id
    label(stub, task_id, "labeler-2", "input-001", "cat")
    ok(stub.PostAnnotations(S.PostAnnotationsRequest(user_app_id=APP, annotations=[R.Annotation(
        input_id="input-002", task_id=task_id, data=concept("dog"))]), metadata=pat("labeler-1")))  # pending
    workers = ok(stub.ListAnnotationWorkers(S.ListAnnotationWorkersRequest())).workers
    assert [w.user.id for w in workers] == ["labeler-2", "labeler-1"] and not workers[0].user.primary_email
    trusted = ok(stub.ListAnnotationWorkers(S.ListAnnotationWorkersRequest(trusted_only=True,
                                                                            additional_fields=["names"]))).workers
    assert [(w.user.id, w.user.primary_email) for w in trusted] == [("labeler-2", "labeler-2@users.mockserver.local")]


# -- inputs, concepts, datasets ------------------------------------------------------------------------------
def test_patch_inputs_concepts_datasets_and_counts(stub, transport):
    inp = R.Input(id="input-001", data=R.Data())
    inp.data.metadata.update({"split": "train", "extra": {"a": 1, "b": 2}})
    merged = ok(stub.PatchInputs(S.PatchInputsRequest(action="merge", inputs=[inp]))).inputs[0]
    assert dict(merged.data.metadata)["split"] == "train" and merged.data.metadata["index"] == 1
    gone = R.Input(id="input-001", data=R.Data())
    gone.data.metadata.update({"extra": {"a": 1}})
    removed = ok(stub.PatchInputs(S.PatchInputsRequest(action="remove", inputs=[gone]))).inputs[0]
    assert dict(removed.data.metadata["extra"]) == {"b": 2}
    over = R.Input(id="input-001", data=R.Data())
    over.data.metadata.update({"only": "this"})
    assert dict(ok(stub.PatchInputs(S.PatchInputsRequest(action="overwrite", inputs=[over]))).inputs[0]
                .data.metadata) == {"only": "this"}
    refused(stub.PatchInputs(S.PatchInputsRequest(action="merge", inputs=[R.Input(id="nope")])), C.CONN_DOES_NOT_EXIST)

    renamed = ok(stub.PatchConcepts(S.PatchConceptsRequest(action="overwrite", concepts=[
        R.Concept(id="cat", name="Cat")]))).concepts
    assert [(c.id, c.name) for c in renamed] == [("cat", "Cat")]
    missing = refused(stub.PatchConcepts(S.PatchConceptsRequest(action="overwrite", concepts=[R.Concept(
        id="ai_98Xb0K3q", name="x")])), C.CONN_DOES_NOT_EXIST)
    assert missing.description == "Resource does not exist"

    ds = R.Dataset(id="mock-dataset", description="renamed")
    ds.metadata.update({"owner": "qa"})
    patched = ok(stub.PatchDatasets(S.PatchDatasetsRequest(action="merge", datasets=[ds]))).datasets[0]
    assert patched.description == "renamed" and patched.metadata["owner"] == "qa"

    counts = ok(stub.GetInputCount(S.GetInputCountRequest(user_app_id=APP))).counts
    assert (counts.processed, counts.to_process, counts.errors) == (24, 0, 0)
    ok(stub.PostAnnotations(S.PostAnnotationsRequest(annotations=[
        R.Annotation(input_id="input-001", data=concept("cat")),
        R.Annotation(input_id="input-002", data=concept("cat")),
        R.Annotation(input_id="input-002", data=R.Data(concepts=[R.Concept(id="dog", value=0.0)])),
        R.Annotation(input_id="input-003", data=R.Data(regions=[R.Region(
            region_info=R.RegionInfo(bounding_box=R.BoundingBox(top_row=0.1, left_col=0.1, bottom_row=0.5,
                                                                right_col=0.5)),
            data=concept("bird"))]))])))
    per = {c.id: c for c in ok(stub.GetConceptCounts(S.GetConceptCountsRequest())).concept_counts}
    assert (per["cat"].name, per["cat"].concept_type_count.positive) == ("Cat", 2)
    assert per["bird"].concept_type_count.positive == 1 and per["bird"].detail_concept_count.processed.positive == 1
    # Concept.value defaults to 1.0 (cl_default_float): over gRPC a 0.0 is not sent, so it is a positive tag;
    # the JSON channel sends the 0.0, a negative tag.
    dog = per["dog"].concept_type_count
    assert (dog.positive, dog.negative) == ((0, 1) if transport == "json" else (1, 0))
    assert len(ok(stub.GetConceptCounts(S.GetConceptCountsRequest(page=2, per_page=2))).concept_counts) == 1


def test_dataset_inputs_one_by_one_and_deleting_datasets(stub):
    one = ok(stub.GetDatasetInput(S.GetDatasetInputRequest(dataset_id="mock-dataset", input_id="input-003")))
    assert one.dataset_input.input.id == "input-003" and list(one.dataset_input.input.dataset_ids) == ["mock-dataset"]
    refused(stub.GetDatasetInput(S.GetDatasetInputRequest(dataset_id="mock-dataset", input_id="input-020")),
            C.CONN_DOES_NOT_EXIST)
    task_id = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task()]))).tasks[0].id
    ok(stub.DeleteDatasetInputs(S.DeleteDatasetInputsRequest(dataset_id="mock-dataset",
                                                             input_ids=["input-001", "input-002"])))
    members = ok(stub.ListDatasetInputs(S.ListDatasetInputsRequest(dataset_id="mock-dataset"))).dataset_inputs
    assert [m.input.id for m in members] == [f"input-{i:03d}" for i in range(3, 13)]
    assert list(ok(stub.GetInput(S.GetInputRequest(input_id="input-001"))).input.dataset_ids) == []
    metrics = ok(stub.GetTask(S.GetTaskRequest(task_id=task_id, additional_fields=["all"]))).task.metrics
    assert metrics.input_source.inputs_count_estimated == 10  # the dataset's task lost them too
    refused(stub.DeleteDatasetInputs(S.DeleteDatasetInputsRequest(dataset_id="mock-dataset", input_ids=["input-001"])),
            C.CONN_DOES_NOT_EXIST)
    ok(stub.DeleteDatasets(S.DeleteDatasetsRequest(dataset_ids=["mock-dataset"])))
    assert ok(stub.ListDatasets(S.ListDatasetsRequest())).datasets == []
    assert list(ok(stub.GetInput(S.GetInputRequest(input_id="input-005"))).input.dataset_ids) == []
    refused(stub.DeleteDatasets(S.DeleteDatasetsRequest(dataset_ids=["mock-dataset"])), C.CONN_DOES_NOT_EXIST)


def test_dataset_versions(stub):
    ok(stub.PostAnnotations(S.PostAnnotationsRequest(annotations=[R.Annotation(input_id="input-001",
                                                                                data=concept("cat"))])))
    made = ok(stub.PostDatasetVersions(S.PostDatasetVersionsRequest(dataset_id="mock-dataset", dataset_versions=[
        R.DatasetVersion(id="v1", description="first")]))).dataset_versions
    assert [(v.id, v.dataset_id, v.status.code, v.description) for v in made] == \
        [("v1", "mock-dataset", C.DATASET_VERSION_READY, "first")]
    metrics = made[0].metrics["/"]
    assert (metrics.inputs_count.value, metrics.unlabeled_inputs_count.value,
            metrics.positive_input_tags_count.value) == (12, 11, 1)
    second = ok(stub.PostDatasetVersions(S.PostDatasetVersionsRequest(dataset_id="mock-dataset", dataset_versions=[
        R.DatasetVersion()]))).dataset_versions[0]
    assert second.id and second.id != "v1"
    refused(stub.PostDatasetVersions(S.PostDatasetVersionsRequest(dataset_id="mock-dataset", dataset_versions=[
        R.DatasetVersion(id="v1")])), C.DATASET_VERSION_CONFLICT)
    listed = ok(stub.ListDatasetVersions(S.ListDatasetVersionsRequest(dataset_id="mock-dataset"))).dataset_versions
    assert [v.id for v in listed] == ["v1", second.id]
    changed = ok(stub.PatchDatasetVersions(S.PatchDatasetVersionsRequest(
        dataset_id="mock-dataset", action="merge", dataset_versions=[R.DatasetVersion(id="v1", description="gold")])))
    assert changed.dataset_versions[0].description == "gold"
    got = ok(stub.GetDatasetVersion(S.GetDatasetVersionRequest(dataset_id="mock-dataset", dataset_version_id="v1")))
    assert got.dataset_version.description == "gold"
    ok(stub.DeleteDatasetVersions(S.DeleteDatasetVersionsRequest(dataset_id="mock-dataset",
                                                                 dataset_version_ids=["v1"])))
    refused(stub.GetDatasetVersion(S.GetDatasetVersionRequest(dataset_id="mock-dataset", dataset_version_id="v1")),
            C.CONN_DOES_NOT_EXIST)
    refused(stub.ListDatasetVersions(S.ListDatasetVersionsRequest(dataset_id="nope")), C.CONN_DOES_NOT_EXIST)


# -- label orders ------------------------------------------------------------------------------------------
def test_label_orders_and_their_hidden_tasks(stub):
    plain = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(id="plain")]))).tasks[0]
    order = R.LabelOrder(id="lo-1", name="cats", allow_empty_tag=True, task=a_task(id="lo-task"))
    order.desired_fulfill_time.FromJsonString("2024-06-01T12:00:00Z")
    made = ok(stub.PostLabelOrders(S.PostLabelOrdersRequest(label_orders=[order]))).label_orders[0]
    assert (made.id, made.name, made.status.code, made.allow_empty_tag, made.task.id, made.task.label_order_id) == \
        ("lo-1", "cats", C.LABEL_ORDER_PENDING, True, "lo-task", "lo-1")
    assert made.desired_fulfill_time.ToJsonString() == "2024-06-01T12:00:00Z"
    assert ok(stub.GetLabelOrder(S.GetLabelOrderRequest(label_order_id="lo-1"))).label_order.task.id == "lo-task"
    assert [o.id for o in ok(stub.ListLabelOrders(S.ListLabelOrdersRequest())).label_orders] == ["lo-1"]

    def task_ids(**kw):
        return [t.id for t in ok(stub.ListTasks(S.ListTasksRequest(**kw))).tasks]

    assert task_ids() == [plain.id]  # the label order's task is hidden by default
    assert task_ids(including_label_order_tasks=True) == [plain.id, "lo-task"]
    assert task_ids(label_order_ids=["lo-1"]) == ["lo-task"]
    assert ok(stub.GetTask(S.GetTaskRequest(task_id="lo-task"))).task.label_order_id == "lo-1"
    refused(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(label_order_id="nope")])), C.CONN_INVALID_REQUEST)

    cancel = R.LabelOrder(id="lo-1", name="cats (cancelled)")
    cancel.status.code = C.LABEL_ORDER_CANCELED
    changed = ok(stub.PatchLabelOrders(S.PatchLabelOrdersRequest(action="merge", label_orders=[cancel])))
    assert (changed.label_orders[0].name, changed.label_orders[0].status.code) == \
        ("cats (cancelled)", C.LABEL_ORDER_CANCELED)
    assert changed.label_orders[0].task.status.code == C.TASK_WONT_DO
    refused(stub.PatchLabelOrders(S.PatchLabelOrdersRequest(action="merge", label_orders=[R.LabelOrder(id="x")])),
            C.CONN_DOES_NOT_EXIST)
    ok(stub.DeleteLabelOrders(S.DeleteLabelOrdersRequest(ids=["lo-1"])))
    refused(stub.GetLabelOrder(S.GetLabelOrderRequest(label_order_id="lo-1")), C.CONN_DOES_NOT_EXIST)
    refused(stub.GetTask(S.GetTaskRequest(task_id="lo-task")), C.TASK_MISSING)


# -- searches --------------------------------------------------------------------------------------------
def search(*filters, **kw):
    return R.Search(query=R.Query(filters=list(filters)), **kw)


def ann_filter(negate=False, **fields):
    return R.Filter(negate=negate, annotation=R.Annotation(**fields))


def test_inputs_and_annotations_searches(stub):
    task_id = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(workers=("labeler-1", "labeler-2"))]))).tasks[0].id
    label(stub, task_id, "labeler-1", "input-001", "cat")
    label(stub, task_id, "labeler-2", "input-001", "cat")  # agree: accepted
    label(stub, task_id, "labeler-1", "input-002", "dog")  # review NONE: accepted once submitted
    ok(stub.PostAnnotations(S.PostAnnotationsRequest(user_app_id=APP, annotations=[R.Annotation(
        input_id="input-003", task_id=task_id, data=concept("dog"))]), metadata=pat("labeler-2")))  # pending
    ok(stub.PostAnnotations(S.PostAnnotationsRequest(annotations=[R.Annotation(
        input_id="input-020", data=concept("cat"))])))  # outside the dataset, by the owner

    def inputs(*filters, **kw):
        hits = ok(stub.PostInputsSearches(S.PostInputsSearchesRequest(searches=[search(*filters)], **kw))).hits
        assert all(h.score == 1.0 and h.app_id == "mock-app" for h in hits)
        return [h.input.id for h in hits]

    assert inputs(R.Filter(input=R.Input(id="input-007"))) == ["input-007"]
    assert inputs(ann_filter(data=concept("cat"))) == ["input-001", "input-020"]
    assert inputs(ann_filter(data=concept("cat")), R.Filter(input=R.Input(dataset_ids=["mock-dataset"]))) == \
        ["input-001"]
    assert inputs(ann_filter(user_id="labeler-1")) == ["input-001", "input-002"]
    assert inputs(ann_filter(status=status_pb2.Status(code=C.ANNOTATION_SUCCESS), task_id=task_id)) == \
        ["input-001", "input-002"]
    assert inputs(ann_filter(status=status_pb2.Status(code=C.ANNOTATION_PENDING))) == ["input-003"]
    assert inputs(ann_filter(worker=R.Worker(user=R.User(id="labeler-2")), trusted=True)) == ["input-001"]
    assert inputs(ann_filter(worker=R.Worker(user=R.User(id="labeler-2")))) == ["input-001", "input-003"]
    not_annotated = inputs(R.Filter(input=R.Input(dataset_ids=["mock-dataset"])), ann_filter(negate=True, task_id=task_id))
    assert not_annotated == [f"input-{i:03d}" for i in range(4, 13)]
    paged = inputs(R.Filter(input=R.Input(dataset_ids=["mock-dataset"])),
                   pagination=S.Pagination(page=2, per_page=5))
    assert paged == [f"input-{i:03d}" for i in range(6, 11)]
    counted = ok(stub.PostInputsSearches(S.PostInputsSearchesRequest(
        searches=[search(R.Filter(input=R.Input(dataset_ids=["mock-dataset"])))], only_count=True)))
    assert list(counted.hits) == [] and [c.estimated_total for c in counted.hit_counts] == [12]
    bad = refused(stub.PostInputsSearches(S.PostInputsSearchesRequest(searches=[R.Search(query=R.Query(ranks=[
        R.Rank(annotation=R.Annotation(data=concept("cat")))]))])), C.SEARCH_INVALID_REQUEST)
    assert "ranks" in bad.details

    hits = ok(stub.PostAnnotationsSearches(S.PostAnnotationsSearchesRequest(searches=[
        search(ann_filter(task_id=task_id, user_id="labeler-1"))]))).hits
    assert [(h.input.id, h.annotation.user_id, h.annotation.data.concepts[0].id) for h in hits] == \
        [("input-001", "labeler-1", "cat"), ("input-002", "labeler-1", "dog")]
    pending = ok(stub.PostAnnotationsSearches(S.PostAnnotationsSearchesRequest(searches=[
        search(ann_filter(status=status_pb2.Status(code=C.ANNOTATION_PENDING)))]))).hits
    assert [(h.input.id, h.annotation.user_id) for h in pending] == [("input-003", "labeler-2")]
    by_concept = ok(stub.PostAnnotationsSearches(S.PostAnnotationsSearchesRequest(searches=[
        search(ann_filter(data=concept("cat")), R.Filter(input=R.Input(dataset_ids=["mock-dataset"])))]))).hits
    assert [(h.input.id, h.annotation.user_id) for h in by_concept] == [("input-001", "labeler-1"),
                                                                        ("input-001", "labeler-2")]


def test_saved_search_is_a_task_input_source(stub):
    saved = ok(stub.PostInputsSearches(S.PostInputsSearchesRequest(searches=[search(
        R.Filter(input=R.Input(dataset_ids=["mock-dataset"])),
        R.Filter(negate=True, input=R.Input(id="input-001")), id="to-label", name="dataset but 1", save=True)])))
    assert list(saved.hits) == [] and [(s.id, s.name, s.save) for s in saved.searches] == \
        [("to-label", "dataset but 1", True)]
    task = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(input_source=R.TaskInputSource(
        type=R.TaskInputSource.SAVED_SEARCH, id="to-label"))]))).tasks[0]
    assert (task.input_source.type, task.input_source.id) == (R.TaskInputSource.SAVED_SEARCH, "to-label")
    got = ok(stub.GetTask(S.GetTaskRequest(task_id=task.id, additional_fields=["all"]))).task
    assert got.metrics.input_source.inputs_count_estimated == 11
    renamed = ok(stub.PatchTasks(S.PatchTasksRequest(action="merge", tasks=[R.Task(id=task.id, name="saved")])))
    assert renamed.tasks[0].name == "saved"
    missing = refused(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(input_source=R.TaskInputSource(
        type=R.TaskInputSource.SAVED_SEARCH, id="nope"))])), C.CONN_INVALID_REQUEST)
    assert "saved search" in missing.details


def test_concepts_searches(stub):
    ok(stub.PostConcepts(S.PostConceptsRequest(concepts=[R.Concept(id="catfish", name="Catfish"),
                                                        R.Concept(id="dogwood", name="Dogwood")])))
    found = ok(stub.PostConceptsSearches(S.PostConceptsSearchesRequest(concept_query=R.ConceptQuery(name="cat"))))
    assert [c.id for c in found.concepts] == ["cat", "catfish"]
    wild = ok(stub.PostConceptsSearches(S.PostConceptsSearchesRequest(concept_query=R.ConceptQuery(name="dog*"))))
    assert [c.id for c in wild.concepts] == ["dog", "dogwood"]
    assert ok(stub.PostConceptsSearches(S.PostConceptsSearchesRequest(
        concept_query=R.ConceptQuery(name="zebra")))).concepts == []


# -- task semantics ----------------------------------------------------------------------------------------
def test_unknown_concepts_are_refused_at_task_creation(stub):
    bad = refused(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(id="t-x", concept_ids=["zebra"])])),
                  C.CONN_INVALID_REQUEST)
    assert "zebra" in bad.details and "concept_ids[0]" in bad.details
    assert list(ok(stub.ListTasks(S.ListTasksRequest())).tasks) == []


def test_bulk_review_by_workers_and_every_reviewer_must_approve(stub):
    review = R.TaskReview(strategy=R.TaskReview.CONSENSUS, users=[R.User(id="reviewer-1"), R.User(id="mock-user")],
                          consensus_strategy_info=R.TaskReviewConsensusStrategyInfo(
                              approval_threshold_labelers=2, approval_threshold_reviewers=-1))
    task = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(workers=("labeler-1", "labeler-2"), review=review)])))
    task_id = task.tasks[0].id
    assert task.tasks[0].review.consensus_strategy_info.approval_threshold_reviewers == -1
    for input_id in ("input-001", "input-002", "input-003"):  # they disagree on every input
        label(stub, task_id, "labeler-1", input_id, "cat")
        label(stub, task_id, "labeler-2", input_id, "dog")

    def status_of(user, input_id):
        (a,) = ok(stub.ListAnnotations(S.ListAnnotationsRequest(task_id=task_id, user_ids=[user],
                                                                input_ids=[input_id]))).annotations
        return a.status.code

    approve = S.PutTaskAssignmentsRequest(user_app_id=APP, task_id=task_id, action=S.REVIEW_APPROVE,
                                          review_approve_config=S.ReviewApproveConfig(
                                              workers=[R.Worker(user=R.User(id="labeler-1"))]))
    first = ok(stub.PutTaskAssignments(approve, metadata=pat("reviewer-1"))).task_assignments
    assert {a.input.id for a in first} == {"input-001", "input-002", "input-003"}
    # -1: one reviewer is not enough.
    assert status_of("labeler-1", "input-001") == C.ANNOTATION_AWAITING_REVIEW
    ok(stub.PutTaskAssignments(approve, metadata=OWNER))  # the owner, the second reviewer
    assert {status_of(w, i) for w in ("labeler-1", "labeler-2") for i in ("input-001", "input-002")} == \
        {C.ANNOTATION_SUCCESS}
    assert ok(stub.PutTaskAssignments(approve, metadata=OWNER)).task_assignments == []  # nothing left for them


def test_list_tasks_by_worker_ids_and_full_user_info(stub, transport):
    mine = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(workers=("labeler-2",), review=R.TaskReview(
        strategy=R.TaskReview.MANUAL, user_ids=["reviewer-1"]))]))).tasks[0]
    other = ok(stub.PostTasks(S.PostTasksRequest(tasks=[a_task(workers=("labeler-1",))]))).tasks[0]
    by_worker = ok(stub.ListTasks(S.ListTasksRequest(worker_ids=[R.WorkerIDSet(user_id="labeler-2")]))).tasks
    # clarifai-grpc's JSON channel cannot put a repeated message in a query string (it writes
    # ?worker_ids=user_id): that filter reaches the server over gRPC only.
    assert [t.id for t in by_worker] == ([mine.id] if transport == "grpc" else [mine.id, other.id])
    plain = ok(stub.GetTask(S.GetTaskRequest(task_id=mine.id))).task
    assert [u.id for u in plain.worker.users] == [] and [w.user.id for w in plain.worker.workers] == ["labeler-2"]
    full = ok(stub.GetTask(S.GetTaskRequest(task_id=mine.id,
                                            additional_fields=["worker.users", "review.users"]))).task
    assert [(u.id, u.primary_email) for u in full.worker.users] == [("labeler-2", "labeler-2@users.mockserver.local")]
    assert [u.id for u in full.review.users] == ["reviewer-1"]
