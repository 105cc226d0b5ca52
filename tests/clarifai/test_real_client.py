"""The official clarifai-grpc client against the live stand-in, over both of its transports (the JSON
channel to the REST port, a real gRPC channel to the gRPC port): the seed's examples and a whole labeling
flow (PARTITIONED WEIGHTED workers, CONSENSUS review, a reviewer, counts, metrics, done, delete)."""
import pytest
from google.protobuf.struct_pb2 import Struct

from clarifai_grpc.channel.clarifai_channel import ClarifaiChannel
from clarifai_grpc.grpc.api import resources_pb2 as R
from clarifai_grpc.grpc.api import service_pb2 as S
from clarifai_grpc.grpc.api import service_pb2_grpc
from clarifai_grpc.grpc.api.status import status_code_pb2 as C
from clarifai_grpc.grpc.api.status import status_pb2

OWNER = (("authorization", "Key mock-clarifai-key"),)
APP = R.UserAppIDSet(user_id="mock-user", app_id="mock-app")
PATS = {u: (("authorization", f"Key mock-clarifai-pat-{u}"),) for u in ("labeler-1", "labeler-2", "labeler-3", "reviewer-1")}


@pytest.fixture(params=["json", "grpc"])
def transport(request):
    return request.param


@pytest.fixture
def stub(transport, live, live_server):
    """A V2 stub on the JSON channel (REST port) or on a gRPC channel (gRPC port); the same calls, the same
    answers. The stub is made right after its channel: clarifai-grpc picks the deserializer then."""
    if transport == "json":
        yield service_pb2_grpc.V2Stub(ClarifaiChannel.get_json_channel(base_url=live))
        return
    host, port = live_server.urls["clarifai_grpc"].removeprefix("http://").rsplit(":", 1)
    channel = ClarifaiChannel.get_insecure_grpc_channel(base=host, port=int(port))
    yield service_pb2_grpc.V2Stub(channel)
    channel.close()


def ok(response):
    assert response.status.code == C.SUCCESS, response.status
    return response


def guide_task(worker=None, review=None, **kw):
    kw.setdefault("input_source", R.TaskInputSource(type=R.TaskInputSource.ALL_INPUTS))
    return R.Task(type=R.Task.CONCEPTS_CLASSIFICATION, name="Annotate cat", concept_ids=["cat"],
                  worker=worker or R.TaskWorker(strategy=R.TaskWorker.FULL), sample_ms=1000,
                  review=review or R.TaskReview(strategy=R.TaskReview.NONE), **kw)


def weighted(users, weights, per_input=1):
    info = R.TaskWorkerPartitionedStrategyInfo(type=R.TaskWorkerPartitionedStrategyInfo.WEIGHTED,
                                               workers_per_input=per_input)
    info.weights.update(weights)
    return R.TaskWorker(strategy=R.TaskWorker.PARTITIONED, user_ids=users, partitioned_strategy_info=info)


def test_guide_examples_unscoped(stub):
    tasks = [
        guide_task(),
        guide_task(worker=R.TaskWorker(strategy=R.TaskWorker.FULL, user_ids=["labeler-1"]),
                   review=R.TaskReview(strategy=R.TaskReview.MANUAL, user_ids=["reviewer-1"],
                                       manual_strategy_info=R.TaskReviewManualStrategyInfo(sample_percentage=0.5))),
        guide_task(worker=weighted(["labeler-1", "labeler-2"], {"labeler-1": 90, "labeler-2": 10})),
        guide_task(worker=weighted(["labeler-1", "labeler-2", "labeler-3"], {"labeler-1": 1, "labeler-2": 1, "labeler-3": 1}),
                   review=R.TaskReview(strategy=R.TaskReview.CONSENSUS, user_ids=["reviewer-1"],
                                       consensus_strategy_info=R.TaskReviewConsensusStrategyInfo(approval_threshold=2))),
    ]
    created = ok(stub.PostTasks(S.PostTasksRequest(tasks=tasks), metadata=OWNER)).tasks
    assert len(created) == 4 and all(t.id for t in created)
    assert created[2].worker.partitioned_strategy_info.weights["labeler-1"] == 90
    assert created[3].review.consensus_strategy_info.approval_threshold == 2
    assert created[0].status.code == C.TASK_IN_PROGRESS
    got = ok(stub.GetTask(S.GetTaskRequest(task_id=created[1].id), metadata=OWNER)).task
    assert got.review.manual_strategy_info.sample_percentage == pytest.approx(0.5)
    listed = ok(stub.ListTasks(S.ListTasksRequest(), metadata=OWNER)).tasks
    assert [t.id for t in listed] == [t.id for t in created]
    mine = ok(stub.ListTasks(S.ListTasksRequest(worker_user_ids=["labeler-2"]), metadata=OWNER)).tasks
    assert [t.id for t in mine] == [created[2].id, created[3].id]
    review = ok(stub.ListTasks(S.ListTasksRequest(review_user_ids=["reviewer-1"]), metadata=OWNER)).tasks
    assert [t.id for t in review] == [created[1].id, created[3].id]
    update = guide_task(id=created[3].id, worker=weighted(["labeler-1", "labeler-2"], {"labeler-1": 1, "labeler-2": 1}),
                        review=R.TaskReview(strategy=R.TaskReview.CONSENSUS, user_ids=["labeler-3"],
                                            consensus_strategy_info=R.TaskReviewConsensusStrategyInfo(approval_threshold=2)),
                        status=status_pb2.Status(code=C.TASK_DONE))
    patched = ok(stub.PatchTasks(S.PatchTasksRequest(action="overwrite", tasks=[update]), metadata=OWNER)).tasks[0]
    assert list(patched.review.user_ids) == ["labeler-3"] and list(patched.worker.user_ids) == ["labeler-1", "labeler-2"]
    assert patched.status.code == C.TASK_DONE
    ok(stub.DeleteTasks(S.DeleteTasksRequest(ids=[t.id for t in created]), metadata=OWNER))
    assert len(ok(stub.ListTasks(S.ListTasksRequest(), metadata=OWNER)).tasks) == 0


def test_scoped_calls_and_task_missing(stub):
    created = ok(stub.PostTasks(S.PostTasksRequest(user_app_id=APP, tasks=[guide_task()]), metadata=OWNER)).tasks[0]
    got = stub.GetTask(S.GetTaskRequest(user_app_id=APP, task_id=created.id, additional_fields=["all"]), metadata=OWNER)
    assert ok(got).task.metrics.input_source.inputs_count_estimated == 24
    missing = stub.GetTask(S.GetTaskRequest(user_app_id=APP, task_id="nope"), metadata=OWNER)
    assert missing.status.code == C.TASK_MISSING and missing.status.description == "Task was not found"
    me = R.UserAppIDSet(app_id="mock-app")  # the client writes user "me"
    assert ok(stub.ListTasks(S.ListTasksRequest(user_app_id=me), metadata=OWNER)).tasks[0].id == created.id
    status = S.PatchTasksRequest(user_app_id=APP, action="merge", tasks=[R.Task(id=created.id)])
    status.tasks[0].status.code = C.TASK_DONE
    assert ok(stub.PatchTasks(status, metadata=OWNER)).tasks[0].status.code == C.TASK_DONE
    bad = stub.PostTasks(S.PostTasksRequest(tasks=[guide_task(input_source=R.TaskInputSource(
        type=R.TaskInputSource.DATASET, id="nope"))]), metadata=OWNER)
    assert bad.status.code == C.CONN_INVALID_REQUEST and "input_source.id" in bad.status.details


def test_inputs_concepts_datasets_through_the_client(stub):
    posted = ok(stub.PostInputs(S.PostInputsRequest(user_app_id=APP, inputs=[
        R.Input(id="extra-1", data=R.Data(image=R.Image(url="https://example.com/a.jpg"))),
        R.Input(id="extra-2", data=R.Data(text=R.Text(raw="hello")))]), metadata=OWNER)).inputs
    assert [i.id for i in posted] == ["extra-1", "extra-2"]
    assert ok(stub.GetInput(S.GetInputRequest(input_id="extra-2"), metadata=OWNER)).input.data.text.raw == "hello"
    page = ok(stub.ListInputs(S.ListInputsRequest(page=3, per_page=10), metadata=OWNER)).inputs
    assert [i.id for i in page] == ["input-021", "input-022", "input-023", "input-024", "extra-1", "extra-2"]
    concepts = ok(stub.ListConcepts(S.ListConceptsRequest(), metadata=OWNER)).concepts
    assert [c.id for c in concepts] == ["cat", "dog", "bird"]
    ok(stub.PostDatasets(S.PostDatasetsRequest(datasets=[R.Dataset(id="extra")]), metadata=OWNER))
    ok(stub.PostDatasetInputs(S.PostDatasetInputsRequest(dataset_id="extra", dataset_inputs=[
        R.DatasetInput(input=R.Input(id="extra-1"))]), metadata=OWNER))
    listed = ok(stub.ListDatasetInputs(S.ListDatasetInputsRequest(dataset_id="extra"), metadata=OWNER)).dataset_inputs
    assert [d.input.id for d in listed] == ["extra-1"]
    ok(stub.DeleteInputs(S.DeleteInputsRequest(ids=["extra-1", "extra-2"]), metadata=OWNER))
    assert ok(stub.ListDatasetInputs(S.ListDatasetInputsRequest(dataset_id="extra"), metadata=OWNER)).dataset_inputs == []


N = 300


def label_for(worker: str, index: int) -> str:
    """Every fourth input makes each worker answer differently; the others all say cat."""
    return {"labeler-1": "cat", "labeler-2": "dog", "labeler-3": "bird"}[worker] if index % 4 == 0 else "cat"


def test_whole_flow_partitioned_weighted_with_consensus(stub, transport):
    # A dataset of N fresh inputs.
    inputs = [R.Input(id=f"flow-{i:03d}", data=R.Data(image=R.Image(url=f"https://example.com/{i}.jpg")))
              for i in range(N)]
    ok(stub.PostInputs(S.PostInputsRequest(user_app_id=APP, inputs=inputs), metadata=OWNER))
    ok(stub.PostDatasets(S.PostDatasetsRequest(user_app_id=APP, datasets=[R.Dataset(id="flow")]), metadata=OWNER))
    ok(stub.PostDatasetInputs(S.PostDatasetInputsRequest(user_app_id=APP, dataset_id="flow", dataset_inputs=[
        R.DatasetInput(input=R.Input(id=i.id)) for i in inputs]), metadata=OWNER))

    workers = ["labeler-1", "labeler-2", "labeler-3"]
    task = guide_task(worker=weighted(workers, {"labeler-1": 2, "labeler-2": 1, "labeler-3": 1}, per_input=2),
                      review=R.TaskReview(strategy=R.TaskReview.CONSENSUS, users=[R.User(id="reviewer-1")],
                                          consensus_strategy_info=R.TaskReviewConsensusStrategyInfo(
                                              approval_threshold_labelers=2, approval_threshold_reviewers=1)),
                      input_source=R.TaskInputSource(type=R.TaskInputSource.DATASET, id="flow"))
    task_id = ok(stub.PostTasks(S.PostTasksRequest(user_app_id=APP, tasks=[task]), metadata=OWNER)).tasks[0].id

    # Each worker starts a batch of assignments (LABEL_START), annotates it (pending work) and submits the
    # batch (LABEL_SUBMIT), until nothing is left.
    done = {w: [] for w in workers}
    for worker in workers:
        while True:
            started = ok(stub.PutTaskAssignments(S.PutTaskAssignmentsRequest(
                user_app_id=APP, task_id=task_id, action=S.LABEL_START), metadata=PATS[worker])).task_assignments
            if not started:
                break
            batch = [a.input for a in started]
            anns = [R.Annotation(input_id=i.id, task_id=task_id, data=R.Data(concepts=[
                R.Concept(id=label_for(worker, int(i.id[5:])), value=1.0)])) for i in batch]
            posted = ok(stub.PostAnnotations(S.PostAnnotationsRequest(user_app_id=APP, annotations=anns),
                                             metadata=PATS[worker])).annotations
            assert {a.user_id for a in posted} == {worker}
            assert {a.status.code for a in posted} == {C.ANNOTATION_PENDING}
            ok(stub.PutTaskAssignments(S.PutTaskAssignmentsRequest(
                user_app_id=APP, task_id=task_id, action=S.LABEL_SUBMIT,
                label_submit_config=S.LabelSubmitConfig(task_assignments=[R.TaskAssignment(id=a.id) for a in started])),
                metadata=PATS[worker]))
            done[worker] += [i.id for i in batch]
    # Weighted 2:1:1 with two workers per input: labeler-1 on every input, the others on about half each.
    assert len(done["labeler-1"]) == N
    assert abs(len(done["labeler-2"]) - N / 2) <= 3 and len(done["labeler-2"]) + len(done["labeler-3"]) == N
    assert all(len(v) == len(set(v)) for v in done.values())

    def counts():
        r = ok(stub.GetTaskAnnotationCount(S.GetTaskCountRequest(user_app_id=APP, task_id=task_id), metadata=OWNER))
        return {c.user_id: c for c in r.counts}

    disagreeing = N // 4
    c = counts()
    assert sum(x.success for x in c.values()) == 2 * (N - disagreeing)
    assert sum(x.awaiting_review for x in c.values()) == 2 * disagreeing
    awaiting = ok(stub.ListAnnotations(S.ListAnnotationsRequest(
        user_app_id=APP, task_id=task_id, statuses=[status_pb2.Status(code=C.ANNOTATION_AWAITING_REVIEW)],
        per_page=1000), metadata=OWNER)).annotations
    # The JSON channel cannot send a status filter (it writes the bare word "code"); gRPC carries it whole.
    assert len(awaiting) == (2 * N if transport == "json" else 2 * disagreeing)

    # The reviewer works the queue: approve inputs with an even index, reject the others.
    reviewed = 0
    while True:
        queue = ok(stub.PutTaskAssignments(S.PutTaskAssignmentsRequest(
            user_app_id=APP, task_id=task_id, action=S.REVIEW_START), metadata=PATS["reviewer-1"])).task_assignments
        if not queue:
            break
        for input_id in dict.fromkeys(a.input.id for a in queue):
            action = S.REVIEW_APPROVE if int(input_id[5:]) % 8 == 0 else S.REVIEW_REJECT
            res = ok(stub.PutTaskAssignments(S.PutTaskAssignmentsRequest(
                user_app_id=APP, task_id=task_id, input_id=input_id, action=action), metadata=PATS["reviewer-1"]))
            expected = C.TASK_ASSIGNMENT_SUCCESS if action == S.REVIEW_APPROVE else C.TASK_ASSIGNMENT_REJECTED
            assert {a.status.code for a in res.task_assignments} == {expected}
            reviewed += 1
    assert reviewed == disagreeing

    c = counts()
    approved_by_review = len([i for i in range(N) if i % 8 == 0])
    assert sum(x.success for x in c.values()) == 2 * (N - disagreeing + approved_by_review)
    assert sum(x.review_denied for x in c.values()) == 2 * (disagreeing - approved_by_review)
    assert sum(x.awaiting_review + x.pending + x.awaiting_consensus_review for x in c.values()) == 0
    for worker in workers:
        assert c[worker].success + c[worker].review_denied == len(done[worker])
    inputs_count = ok(stub.GetTaskInputCount(S.GetTaskCountRequest(user_app_id=APP, task_id=task_id), metadata=OWNER))
    assert sum(x.success + x.review_denied for x in inputs_count.counts) == 2 * N

    metrics = ok(stub.GetTask(S.GetTaskRequest(user_app_id=APP, task_id=task_id, additional_fields=["all"]),
                              metadata=OWNER)).task.metrics
    assert metrics.input_source.inputs_count_estimated == N
    assert metrics.work.inputs_count_estimated == N and metrics.work.inputs_percent_estimated == 100
    assert metrics.review.inputs_count_estimated == N and list(metrics.review.inputs_count_estimated_per_reviewer) == [disagreeing]

    done_req = S.PatchTasksRequest(user_app_id=APP, action="merge", tasks=[R.Task(id=task_id)])
    done_req.tasks[0].status.code = C.TASK_DONE
    assert ok(stub.PatchTasks(done_req, metadata=OWNER)).tasks[0].status.code == C.TASK_DONE
    ok(stub.DeleteTasks(S.DeleteTasksRequest(user_app_id=APP, ids=[task_id]), metadata=OWNER))
    gone = stub.GetTask(S.GetTaskRequest(user_app_id=APP, task_id=task_id), metadata=OWNER)
    assert gone.status.code == C.TASK_MISSING
