"""Tasks over plain HTTP: the seed guide's examples, both route forms, filters, patch, delete, errors."""
import pytest

from clarifai_helpers import SCOPED, seed_task


def post_task(client, prefix="/v2", **over):
    r = client.post(f"{prefix}/tasks", json={"tasks": [seed_task(**over)]})
    assert r.status_code == 200, r.text
    return r.json()["tasks"][0]


def test_non_assigned_task_from_the_guide(clarifai):
    task = post_task(clarifai)
    assert task["id"] and task["worker"] == {"strategy": "FULL"}
    assert task["status"]["code"] == 54001 and task["app_id"] == "mock-app" and task["user_id"] == "mock-user"
    assert task["created_at"].endswith("Z") and "T" in task["created_at"]
    got = clarifai.get(f"/v2/tasks/{task['id']}").json()
    assert got["status"]["code"] == 10000 and got["task"]["name"] == "Annotate cat"


def test_assigned_task_with_manual_review(clarifai):
    task = post_task(clarifai, worker={"strategy": "FULL", "user_ids": ["labeler-1"]},
                     review={"strategy": "MANUAL", "manual_strategy_info": {"sample_percentage": 0.5},
                             "user_ids": ["reviewer-1"]})
    assert task["review"]["manual_strategy_info"]["sample_percentage"] == 0.5
    assert task["worker"]["user_ids"] == ["labeler-1"]


def test_partitioned_weighted_and_consensus_examples(clarifai):
    worker = {"strategy": "PARTITIONED", "user_ids": ["labeler-1", "labeler-2", "labeler-3"],
              "partitioned_strategy_info": {"type": "WEIGHTED", "workers_per_input": 1,
                                            "weights": {"labeler-1": 1, "labeler-2": 1, "labeler-3": 1}}}
    review = {"strategy": "CONSENSUS", "consensus_strategy_info": {"approval_threshold": 2}, "user_ids": ["reviewer-1"]}
    task = post_task(clarifai, worker=worker, review=review)
    assert task["worker"]["partitioned_strategy_info"]["type"] == "WEIGHTED"
    assert task["review"]["strategy"] == "CONSENSUS"


def test_enums_by_number_answer_with_names(clarifai):
    task = post_task(clarifai, type=2, worker={"strategy": 2, "workers": [{"user": {"id": "labeler-1"}}],
                                               "partitioned_strategy_info": {"type": 1, "workers_per_input": 1}},
                     input_source={"type": 3, "id": "mock-dataset"}, review={"strategy": 1}, priority=3)
    assert task["type"] == "BOUNDING_BOX_DETECTION" and task["priority"] == "HIGH"
    assert task["worker"]["strategy"] == "PARTITIONED" and task["worker"]["partitioned_strategy_info"]["type"] == "EVENLY"
    assert task["input_source"] == {"type": "DATASET", "id": "mock-dataset"} and task["review"]["strategy"] == "NONE"


def test_metrics_when_asked(clarifai):
    task = post_task(clarifai, input_source={"type": "DATASET", "id": "mock-dataset"})
    plain = clarifai.get(f"/v2/tasks/{task['id']}").json()["task"]
    assert "metrics" not in plain
    for field in ("all", "metrics.work.inputs_count_estimated"):
        got = clarifai.get(f"/v2/tasks/{task['id']}", params={"additional_fields": field}).json()["task"]
        assert got["metrics"]["input_source"]["inputs_count_estimated"] == "12"


def test_scoped_routes_with_body_extras_and_query_extras(clarifai):
    r = clarifai.post(f"{SCOPED}/tasks", json={"user_app_id": {"user_id": "mock-user", "app_id": "mock-app"},
                                               "tasks": [seed_task()]})
    assert r.status_code == 200, r.text
    tid = r.json()["tasks"][0]["id"]
    r = clarifai.get(f"{SCOPED}/tasks/{tid}", params={"user_app_id.user_id": "mock-user",
                                                      "user_app_id.app_id": "mock-app",
                                                      "additional_fields": "worker.users"})
    assert r.status_code == 200 and r.json()["task"]["id"] == tid
    assert clarifai.get("/v2/users/me/apps/mock-app/tasks").json()["tasks"][0]["id"] == tid


def test_pat_only_on_scoped_routes(mock):
    with mock.client("clarifai", headers={"Authorization": "Key mock-clarifai-pat"}) as pat:
        assert pat.get(f"{SCOPED}/tasks").status_code == 200
        r = pat.get("/v2/tasks")
        assert r.status_code == 401 and r.json() == {"status": {
            "code": 11008, "description": "Invalid API key or Invalid API key/application pair",
            "details": "Must provide app external ID in API authorizer", "req_id": r.json()["status"]["req_id"]},
            "tasks": []}


def test_list_filters_and_pages(clarifai):
    a = post_task(clarifai, worker={"strategy": "FULL", "user_ids": ["labeler-1"]},
                  review={"strategy": "MANUAL", "users": [{"id": "reviewer-1"}]})
    b = post_task(clarifai, worker={"strategy": "FULL", "users": [{"id": "labeler-2"}]},
                  input_source={"type": "DATASET", "id": "mock-dataset"})
    c = post_task(clarifai)

    def ids(**params):
        r = clarifai.get("/v2/tasks", params=params)
        assert r.status_code == 200, r.text
        return [t["id"] for t in r.json()["tasks"]]

    assert ids() == [a["id"], b["id"], c["id"]]
    assert ids(worker_user_ids="labeler-1") == [a["id"]]
    assert ids(worker_user_ids=["labeler-1", "labeler-2"]) == [a["id"], b["id"]]
    assert ids(review_user_ids="reviewer-1") == [a["id"]]
    assert ids(ids=[c["id"], a["id"]]) == [a["id"], c["id"]]
    assert ids(input_source_type="DATASET") == [b["id"]]
    assert ids(input_source_type="3") == [b["id"]]
    assert ids(page=2, per_page=2) == [c["id"]]
    assert ids(page=3, per_page=2) == []


def test_patch_merge_status_and_overwrite(clarifai):
    task = post_task(clarifai)
    r = clarifai.patch("/v2/tasks", json={"action": "merge", "tasks": [{"id": task["id"], "status": {"code": "TASK_DONE"}}]})
    assert r.status_code == 200, r.text
    assert r.json()["tasks"][0]["status"]["code"] == 54002 and r.json()["tasks"][0]["name"] == "Annotate cat"
    r = clarifai.patch("/v2/tasks", json={"action": "overwrite", "tasks": [
        {"id": task["id"], "name": "renamed", "status": {"code": 54001}}]})
    got = r.json()["tasks"][0]
    assert got["name"] == "renamed" and "concept_ids" not in got and got["status"]["code"] == 54001


def test_patch_overwrite_changes_workers(clarifai):
    task = post_task(clarifai, worker={"strategy": "FULL", "user_ids": ["labeler-1"]})
    full = seed_task(id=task["id"], worker={"strategy": "PARTITIONED", "user_ids": ["labeler-1", "labeler-2"],
                                            "partitioned_strategy_info": {"type": "WEIGHTED", "workers_per_input": 1,
                                                                          "weights": {"labeler-1": 1, "labeler-2": 1}}})
    r = clarifai.patch("/v2/tasks", json={"action": "overwrite", "tasks": [full]})
    assert r.status_code == 200, r.text
    counts = clarifai.get(f"/v2/tasks/{task['id']}/inputs/count").json()["counts"]
    pending = {c["user_id"]: c["pending"] for c in counts}
    assert pending == {"labeler-1": 12, "labeler-2": 12}


def test_delete_tasks(clarifai):
    a, b = post_task(clarifai), post_task(clarifai)
    r = clarifai.request("DELETE", "/v2/tasks", json={"ids": [a["id"]]})
    assert r.status_code == 200 and r.json() == {"status": r.json()["status"]} and r.json()["status"]["code"] == 10000
    assert [t["id"] for t in clarifai.get("/v2/tasks").json()["tasks"]] == [b["id"]]
    r = clarifai.request("DELETE", "/v2/tasks", json={"ids": [b["id"], "nope"]})
    assert r.status_code == 404 and r.json()["status"]["code"] == 54102
    assert len(clarifai.get("/v2/tasks").json()["tasks"]) == 1


def test_unknown_task_is_task_missing(clarifai):
    for path in ("/v2/tasks/nope", f"{SCOPED}/tasks/nope", "/v2/tasks/nope/assignments",
                 "/v2/tasks/nope/annotations/count", "/v2/tasks/nope/inputs/count"):
        r = clarifai.get(path)
        assert r.status_code == 404, path
        assert r.json()["status"]["code"] == 54102 and r.json()["status"]["description"] == "Task was not found"


def test_tasks_are_invisible_to_another_app(mock, clarifai):
    task = post_task(clarifai)
    with mock.client("clarifai", headers={"Authorization": "Key other-clarifai-key"}) as other:
        assert other.get("/v2/tasks").json()["tasks"] == []
        assert other.get(f"/v2/tasks/{task['id']}").json()["status"]["code"] == 54102
        r = other.patch("/v2/tasks", json={"action": "merge", "tasks": [{"id": task["id"], "status": {"code": "TASK_DONE"}}]})
        assert r.status_code == 404
        assert other.get(f"{SCOPED}/tasks").status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"tasks": [seed_task(worker={"strategy": "SIDEWAYS"})]}, "worker.strategy"),
    ({"tasks": [seed_task(review={"strategy": 7})]}, "review.strategy"),
    ({"tasks": [seed_task(input_source={"type": "DATASET"})]}, "input_source"),
    ({"tasks": "x"}, "tasks"),
    ({}, "tasks"),
    ({"tasks": [seed_task(status={"code": "NOT_A_CODE"})]}, "status.code"),
])
def test_bad_bodies_are_invalid_request_naming_the_field(clarifai, body, field):
    r = clarifai.post("/v2/tasks", json=body)
    assert r.status_code == 400, r.text
    status = r.json()["status"]
    assert status["code"] == 11102 and field in status["details"]
    assert clarifai.get("/v2/tasks").json()["tasks"] == []


@pytest.mark.parametrize("body, field", [
    ({"tasks": [seed_task(input_source={"type": "DATASET", "id": "nope"})]}, "input_source.id"),
    ({"tasks": [seed_task(worker={"strategy": "PARTITIONED", "user_ids": ["a"], "partitioned_strategy_info": {
        "type": "WEIGHTED", "weights": {"b": 1}}})]}, "weights"),
])
def test_bodies_naming_what_does_not_exist_are_404(clarifai, body, field):
    """Well-formed, but naming a dataset (a worker) that is not there: HTTP 404, the body as before."""
    r = clarifai.post("/v2/tasks", json=body)
    assert r.status_code == 404, r.text
    status = r.json()["status"]
    assert status["code"] == 11102 and field in status["details"]
    assert r.json()["tasks"] == []
    assert clarifai.get("/v2/tasks").json()["tasks"] == []


def test_key_errors(mock):
    with mock.client("clarifai") as anon:
        r = anon.get("/v2/tasks")
        assert r.json()["status"]["code"] == 11009 and r.json()["tasks"] == []
    # Keys are lowercase letters, digits and hyphens (Clarifai's: 32 hexadecimal digits): another shape is
    # "Invalid format of key.", as Clarifai answers.
    with mock.client("clarifai", headers={"Authorization": "Key SOME_INVALID_KEY"}) as bad:
        r = bad.get("/v2/concepts")
        assert r.status_code == 401 and r.json()["concepts"] == []
        assert (r.json()["status"]["code"], r.json()["status"]["description"], r.json()["status"]["details"]) == \
            (11008, "Invalid API key or Invalid API key/application pair", "Invalid format of key.")
    with mock.client("clarifai", headers={"Authorization": "Key " + "0123456789abcdef" * 2}) as unknown:
        assert unknown.get("/v2/tasks", headers={"Authorization": "Key nope"}).json()["status"]["code"] == 11009
        r = unknown.get("/v2/inputs")
        assert r.status_code == 401 and r.json()["status"]["code"] == 11009 and r.json()["inputs"] == []
        assert r.json()["status"]["description"] == "API key not found"
    with mock.client("clarifai", headers={"Authorization": "Key other-clarifai-key"}) as other:
        r = other.get(f"{SCOPED}/datasets")
        assert r.status_code == 401 and r.json()["status"]["code"] == 11008 and r.json()["datasets"] == []


def test_list_page_far_past_the_data_is_empty_not_an_error(clarifai):
    r = clarifai.get("/v2/tasks", params={"page": 40914318198993141382488402962677760})
    assert r.status_code == 200 and r.json()["tasks"] == []


@pytest.mark.parametrize("code", ["²", "١٢", "-٣"])
def test_a_status_code_in_non_ascii_digits_is_a_400_not_a_500(clarifai, code):
    """``"²".isdigit()`` is true but ``int("²")`` fails: found by schemathesis."""
    r = clarifai.get("/v2/users/mock-user/apps/mock-app/annotations", params={"statuses.code": code})
    assert r.status_code == 400 and "invalid literal" not in r.text
