"""Annotations, assignments, review and counts over plain HTTP."""
import pytest

from clarifai_helpers import SCOPED, seed_task


def make_task(client, **over):
    r = client.post("/v2/tasks", json={"tasks": [seed_task(**over)]})
    assert r.status_code == 200, r.text
    return r.json()["tasks"][0]["id"]


def submit(client, task_id, input_id, user):
    """LABEL_SUBMIT of ``user``'s assignment on the input, with that user's PAT (the deprecated form: only
    ``input_id``)."""
    r = client.put(f"{SCOPED}/tasks/{task_id}/assignments", json={"input_id": input_id},
                   headers={"Authorization": f"Key mock-clarifai-pat-{user}"})
    assert r.status_code == 200, r.text
    return r.json()["task_assignments"]


def annotate(client, task_id, input_id, concept, user=None, expect=200, then_submit=True):
    """The owner posts a task annotation for ``user`` (pending work), then the user submits it."""
    ann = {"input_id": input_id, "task_id": task_id, "data": {"concepts": [{"id": concept, "value": 1}]}}
    if user:
        ann["user_id"] = user
    r = client.post("/v2/annotations", json={"annotations": [ann]})
    assert r.status_code == expect, r.text
    if expect == 200:
        assert r.json()["annotations"][0]["status"]["code"] == 24151  # ANNOTATION_PENDING until submitted
        if then_submit:
            submit(client, task_id, input_id, user)
            r = client.get("/v2/annotations", params={"ids": r.json()["annotations"][0]["id"]})
    return r.json()


def statuses(client, task_id, **params):
    r = client.get("/v2/annotations", params={"task_id": task_id, **params})
    assert r.status_code == 200, r.text
    return {(a["input_id"], a["user_id"]): a["status"]["code"] for a in r.json()["annotations"]}


CONSENSUS = {"strategy": "CONSENSUS", "consensus_strategy_info": {"approval_threshold_labelers": 2},
             "users": [{"id": "reviewer-1"}]}
TWO = {"strategy": "FULL", "workers": [{"user": {"id": "labeler-1"}}, {"user": {"id": "labeler-2"}}]}


def test_review_none_annotation_is_success_at_once(clarifai):
    tid = make_task(clarifai, worker={"strategy": "FULL", "user_ids": ["labeler-1"]},
                    input_source={"type": "INPUT", "id": "input-003"})
    out = annotate(clarifai, tid, "input-003", "cat", user="labeler-1")["annotations"][0]
    assert out["status"]["code"] == 24150 and out["task_id"] == tid and out["user_id"] == "labeler-1"
    assert clarifai.get(f"/v2/tasks/{tid}/inputs/count").json()["counts"][0]["success"] == 1


def test_consensus_agreement_and_disagreement(clarifai):
    tid = make_task(clarifai, worker=TWO, review=CONSENSUS, input_source={"type": "DATASET", "id": "mock-dataset"})
    annotate(clarifai, tid, "input-001", "cat", "labeler-1", then_submit=False)
    assert statuses(clarifai, tid) == {("input-001", "labeler-1"): 24151}  # pending until submitted
    submit(clarifai, tid, "input-001", "labeler-1")
    assert statuses(clarifai, tid) == {("input-001", "labeler-1"): 24159}
    annotate(clarifai, tid, "input-001", "cat", "labeler-2")
    annotate(clarifai, tid, "input-002", "cat", "labeler-1")
    annotate(clarifai, tid, "input-002", "dog", "labeler-2")
    got = statuses(clarifai, tid)
    assert got[("input-001", "labeler-1")] == got[("input-001", "labeler-2")] == 24150
    assert got[("input-002", "labeler-1")] == got[("input-002", "labeler-2")] == 24157
    assert set(statuses(clarifai, tid, statuses="ANNOTATION_AWAITING_REVIEW")) == {("input-002", "labeler-1"),
                                                                                  ("input-002", "labeler-2")}
    assert set(statuses(clarifai, tid, **{"statuses.code": "24150", "user_ids": "labeler-2"})) == {("input-001", "labeler-2")}
    count = {c["user_id"]: c for c in clarifai.get(f"/v2/tasks/{tid}/annotations/count").json()["counts"]}
    assert count["labeler-1"]["success"] == 1 and count["labeler-1"]["awaiting_review"] == 1


def test_patch_annotations_status_by_reviewer(clarifai, as_user):
    tid = make_task(clarifai, worker=TWO, review=CONSENSUS, input_source={"type": "DATASET", "id": "mock-dataset"})
    for input_id in ("input-001", "input-002"):
        annotate(clarifai, tid, input_id, "cat", "labeler-1")
        annotate(clarifai, tid, input_id, "dog", "labeler-2")
    reviewer = as_user("reviewer-1")
    r = reviewer.patch(f"{SCOPED}/task/{tid}/annotations/status", json={
        "user_ids": ["labeler-1"], "status_codes": ["ANNOTATION_AWAITING_REVIEW"], "status_code": "ANNOTATION_SUCCESS"})
    assert r.status_code == 200, r.text
    assert r.json()["updated_count"] == 2 and r.json()["user_ids"] == ["labeler-1"]
    got = statuses(clarifai, tid)
    assert got[("input-001", "labeler-1")] == 24150 and got[("input-001", "labeler-2")] == 24150
    r = reviewer.patch(f"{SCOPED}/task/{tid}/annotations/status", json={"status_code": 24158})
    assert r.json()["updated_count"] == 0  # nothing left awaiting review
    labeler = as_user("labeler-1")
    r = labeler.patch(f"{SCOPED}/task/{tid}/annotations/status", json={"status_code": "ANNOTATION_SUCCESS"})
    assert r.status_code == 200  # nothing to review: no permission check reached
    r = reviewer.patch(f"{SCOPED}/task/{tid}/annotations/status", json={"status_code": "NOPE"})
    assert r.status_code == 400 and "status_code" in r.json()["status"]["details"]


def test_non_reviewer_cannot_review(clarifai, as_user):
    tid = make_task(clarifai, worker=TWO, review=CONSENSUS, input_source={"type": "DATASET", "id": "mock-dataset"})
    annotate(clarifai, tid, "input-001", "cat", "labeler-1")
    annotate(clarifai, tid, "input-001", "dog", "labeler-2")
    r = as_user("labeler-3").put(f"{SCOPED}/tasks/{tid}/assignments", json={"action": "REVIEW_APPROVE",
                                                                           "input_id": "input-001"})
    assert r.status_code == 403 and r.json()["status"]["code"] == 54103


def test_label_start_submit_and_request_changes(clarifai, as_user):
    tid = make_task(clarifai, worker={"strategy": "FULL", "user_ids": ["labeler-1"]},
                    review={"strategy": "MANUAL", "manual_strategy_info": {"sample_percentage": 1},
                            "user_ids": ["reviewer-1"]}, input_source={"type": "INPUT", "id": "input-005"})
    labeler, reviewer = as_user("labeler-1"), as_user("reviewer-1")
    nxt = labeler.get(f"{SCOPED}/tasks/{tid}/assignments").json()
    assert [i["id"] for i in nxt["inputs"]] == ["input-005"]
    r = labeler.put(f"{SCOPED}/tasks/{tid}/assignments", json={"action": 1, "input_id": "input-005"})
    assert r.status_code == 200 and r.json()["task_assignments"][0]["status"]["code"] == 54201
    ta = r.json()["task_assignments"][0]
    annotate(clarifai, tid, "input-005", "cat", "labeler-1", then_submit=False)
    r = labeler.put(f"{SCOPED}/tasks/{tid}/assignments", json={
        "action": "LABEL_SUBMIT", "label_submit_config": {"task_assignments": [{"id": ta["id"]}]}})
    assert r.json()["task_assignments"][0]["status"]["code"] == 54202
    queue = reviewer.put(f"{SCOPED}/tasks/{tid}/assignments", json={"action": "REVIEW_START"}).json()
    assert [a["input"]["id"] for a in queue["task_assignments"]] == ["input-005"]
    r = reviewer.put(f"{SCOPED}/tasks/{tid}/assignments", json={"action": 12, "review_request_changes_config": {
        "task_assignments": [{"id": queue["task_assignments"][0]["id"]}]}})
    assert r.status_code == 200 and r.json()["task_assignments"][0]["status"]["code"] == 54201
    assert statuses(clarifai, tid) == {("input-005", "labeler-1"): 24151}
    ann_id = clarifai.get("/v2/annotations", params={"task_id": tid}).json()["annotations"][0]["id"]
    r = clarifai.patch("/v2/annotations", json={"action": "overwrite", "annotations": [
        {"id": ann_id, "input_id": "input-005", "data": {"concepts": [{"id": "dog", "value": 1}]}}]})
    assert r.status_code == 200 and r.json()["annotations"][0]["status"]["code"] == 24151  # pending again
    r = labeler.put(f"{SCOPED}/tasks/{tid}/assignments", json={
        "action": "LABEL_SUBMIT", "label_submit_config": {"task_assignments": [{"id": ta["id"]}]}})
    assert r.json()["task_assignments"][0]["status"]["code"] == 54202
    assert statuses(clarifai, tid) == {("input-005", "labeler-1"): 24157}
    r = reviewer.put(f"{SCOPED}/tasks/{tid}/assignments", json={"action": "REVIEW_APPROVE", "input_id": "input-005"})
    assert r.json()["task_assignments"][0]["status"]["code"] == 54200
    assert labeler.get(f"{SCOPED}/tasks/{tid}/assignments").json()["inputs"] == []


def test_put_task_assignments_errors(clarifai):
    tid = make_task(clarifai, worker={"strategy": "FULL", "user_ids": ["mock-user"]})
    r = clarifai.put(f"{SCOPED}/tasks/{tid}/assignments", json={"action": "FLY"})
    assert r.status_code == 400 and "action" in r.json()["status"]["details"], r.text
    # What each action needs is a rule of the spec (anyOf): a bad request, whose details cannot name one field.
    for body in ({}, {"action": "LABEL_SUBMIT"}, {"action": 0}, {"action": "REVIEW_APPROVE"}):
        r = clarifai.put(f"{SCOPED}/tasks/{tid}/assignments", json=body)
        assert r.status_code == 400 and r.json()["status"]["code"] == 11102, (body, r.text)
        assert r.json()["task_assignments"] == []
    assert clarifai.put(f"{SCOPED}/tasks/nope/assignments", json={"action": 1}).json()["status"]["code"] == 54102


def test_annotating_unassigned_input_is_refused(clarifai):
    tid = make_task(clarifai, worker={"strategy": "FULL", "user_ids": ["labeler-1"]},
                    input_source={"type": "INPUT", "id": "input-004"})
    out = annotate(clarifai, tid, "input-004", "cat", user="labeler-2", expect=403)
    assert out["annotations"] == []  # an error answer keeps the answer's list
    assert out["status"]["code"] == 54103
    assert clarifai.get("/v2/annotations", params={"task_id": tid}).json()["annotations"] == []
    out = annotate(clarifai, "nope", "input-004", "cat", expect=404)
    assert out["status"]["code"] == 54102


def test_worker_param_and_dynamic_strategy(clarifai):
    tid = make_task(clarifai, worker={"strategy": "DYNAMIC", "user_ids": ["labeler-1", "labeler-2"]},
                    input_source={"type": "DATASET", "id": "mock-dataset"})
    a = clarifai.get(f"/v2/tasks/{tid}/assignments", params={"worker_user_id": "labeler-1"}).json()["inputs"]
    b = clarifai.get(f"/v2/tasks/{tid}/assignments", params={"worker_user_id": "labeler-2"}).json()["inputs"]
    assert a and b and not {i["id"] for i in a} & {i["id"] for i in b}


def test_plain_annotations_and_input_crud(clarifai):
    r = clarifai.post("/v2/inputs", json={"inputs": [{"id": "t1", "data": {"text": {"raw": "hi"}, "metadata": {"k": 1}}}]})
    assert r.status_code == 200 and r.json()["inputs"][0]["data"]["metadata"] == {"k": 1}
    assert clarifai.post("/v2/inputs", json={"inputs": [{"id": "t1", "data": {"text": {"raw": "hi"}}}]}).status_code == 409
    r = clarifai.post("/v2/inputs", json={"inputs": [{"id": "t2", "data": {}}]})
    assert r.status_code == 400 and "inputs[0].data" in r.json()["status"]["details"]
    r = clarifai.post("/v2/annotations", json={"annotations": [{"input_id": "t1", "data": {"concepts": [{"id": "cat"}]}}]})
    assert r.json()["annotations"][0]["status"]["code"] == 24150 and r.json()["annotations"][0]["user_id"] == "mock-user"
    assert len(clarifai.get("/v2/annotations", params={"input_ids": "t1"}).json()["annotations"]) == 1
    assert clarifai.delete("/v2/inputs/t1").status_code == 200
    assert clarifai.get("/v2/inputs/t1").status_code == 404
    assert clarifai.get("/v2/annotations", params={"input_ids": "t1"}).json()["annotations"] == []
    assert clarifai.get("/v2/concepts/dog").json()["concept"]["id"] == "dog"
    assert clarifai.get("/v2/concepts/nope").status_code == 404
    assert clarifai.get("/v2/datasets").json()["datasets"][0]["id"] == "mock-dataset"
    assert len(clarifai.get("/v2/datasets/mock-dataset/inputs", params={"per_page": 5}).json()["dataset_inputs"]) == 5


def test_new_inputs_join_following_tasks(clarifai):
    tid = make_task(clarifai, worker={"strategy": "FULL", "user_ids": ["labeler-1"]})
    clarifai.post("/v2/inputs", json={"inputs": [{"id": "late", "data": {"image": {"url": "https://x/y.jpg"}}}]})
    got = clarifai.get(f"/v2/tasks/{tid}", params={"additional_fields": "all"}).json()["task"]
    assert got["metrics"]["input_source"]["inputs_count_estimated"] == "25"


@pytest.mark.parametrize("path", ["/v2/annotations", "/v2/inputs", "/v2/concepts", "/v2/datasets"])
def test_other_app_sees_only_its_own(mock, path):
    with mock.client("clarifai", headers={"Authorization": "Key other-clarifai-key"}) as other:
        body = other.get(path).json()
        key = path.rsplit("/", 1)[1]
        assert all("mock" not in str(x.get("id")) for x in body[key])
    with mock.client("clarifai", headers={"Authorization": "Key other-clarifai-key"}) as other:
        assert other.get("/v2/inputs/input-004").status_code == 404


def test_a_collaborator_annotates_as_themself_whatever_user_id_says(mock):
    """A collaborator's PAT cannot annotate as another user; the app's owner may post for a worker."""
    with mock.client("clarifai", headers={"Authorization": "Key mock-clarifai-pat-labeler-1"}) as labeler:
        posted = labeler.post("/v2/users/mock-user/apps/mock-app/annotations", json={"annotations": [
            {"input_id": "input-001", "user_id": "labeler-2", "data": {"concepts": [{"id": "cat"}]}}]})
    assert posted.status_code == 200, posted.text
    assert posted.json()["annotations"][0]["user_id"] == "labeler-1"
    with mock.client("clarifai", headers={"Authorization": "Key mock-clarifai-key"}) as owner:
        posted = owner.post("/v2/users/mock-user/apps/mock-app/annotations", json={"annotations": [
            {"input_id": "input-002", "user_id": "labeler-2", "data": {"concepts": [{"id": "cat"}]}}]})
    assert posted.json()["annotations"][0]["user_id"] == "labeler-2"


# -- literal path segments win over parameters ---------------------------------------------------------------
@pytest.mark.parametrize("prefix", ["/v2", SCOPED])
def test_delete_inputs_annotations_is_delete_annotations_not_an_input_named_annotations(clarifai, prefix):
    clarifai.post("/v2/inputs", json={"inputs": [{"id": "annotations", "data": {"text": {"raw": "x"}}}]})
    clarifai.post("/v2/annotations", json={"annotations": [
        {"id": "a1", "input_id": "input-001", "data": {"concepts": [{"id": "cat"}]}},
        {"id": "a2", "input_id": "annotations", "data": {"concepts": [{"id": "dog"}]}}]})
    r = clarifai.request("DELETE", f"{prefix}/inputs/annotations", json={"input_ids": ["input-001"]})
    assert r.status_code == 200, r.text
    assert clarifai.get("/v2/inputs/annotations").json()["input"]["id"] == "annotations"  # still there
    left = clarifai.get("/v2/annotations", params={"list_all_annotations": "true"}).json()["annotations"]
    assert [a["id"] for a in left] == ["a2"]
    r = clarifai.request("DELETE", f"{prefix}/annotations", json={"ids": ["a2"]})  # the second binding
    assert r.status_code == 200 and clarifai.get("/v2/annotations").json()["annotations"] == []
    journal = clarifai.get("/_mock/journal", params={"vendor": "clarifai", "method": "DELETE"}).json()["entries"]
    scoped = "Scoped" if prefix == SCOPED else ""
    assert [e["operation"] for e in journal] == [f"DeleteAnnotations{scoped}", f"DeleteAppAnnotations{scoped}"]


@pytest.mark.parametrize("prefix", ["/v2", SCOPED])
def test_inputs_status_and_concepts_status_are_the_counts(clarifai, prefix):
    clarifai.post("/v2/inputs", json={"inputs": [{"id": "status", "data": {"text": {"raw": "x"}}}]})
    clarifai.post("/v2/concepts", json={"concepts": [{"id": "status"}]})
    counts = clarifai.get(f"{prefix}/inputs/status").json()
    assert counts["counts"]["processed"] == 25 and "input" not in counts
    concept_counts = clarifai.get(f"{prefix}/concepts/status").json()
    assert [c["id"] for c in concept_counts["concept_counts"]] == ["cat", "dog", "bird", "status"]
    r = clarifai.post(f"{prefix}/inputs/searches",
                      json={"searches": [{"query": {"filters": [{"input": {"id": "status"}}]}}]})
    assert [h["input"]["id"] for h in r.json()["hits"]] == ["status"]


def test_the_spec_writes_literal_paths_before_parameterised_ones():
    from mockserver.vendors.clarifai import specgen

    paths = list(specgen.build()["paths"])
    for prefix in ("/v2", SCOPED.replace("mock-user", "{user_id}").replace("mock-app", "{app_id}")):
        for literal in ("annotations", "status", "searches"):
            assert paths.index(f"{prefix}/inputs/{literal}") < paths.index(f"{prefix}/inputs/{{input_id}}")
        for literal in ("status", "searches"):
            assert paths.index(f"{prefix}/concepts/{literal}") < paths.index(f"{prefix}/concepts/{{concept_id}}")
