"""Issue 15: every shape rule the Clarifai handlers enforce is stated in openapi/clarifai.yaml, so a
schema-valid request is never refused for its shape; a request naming what does not exist answers 404 (an
id already taken, or a state that forbids the change, 409), in Clarifai's envelope."""
import copy

import pytest
from jsonschema import Draft4Validator

from clarifai_helpers import SCOPED, seed_task
from mockserver.vendors.clarifai import specgen

SPEC = specgen.build()
SCHEMAS = SPEC["components"]["schemas"]


def _resolve(node):
    """The schema with every ``$ref`` written out (the components have no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _resolve(SCHEMAS[node["$ref"].rsplit("/", 1)[1]])
        return {k: _resolve(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v) for v in node]
    return node


def valid(schema_name: str, body) -> bool:
    return Draft4Validator(_resolve(SCHEMAS[schema_name])).is_valid(body)


# The list each handler refuses when empty (``common.listed``).
LISTED = {"PostTasksRequest": "tasks", "PatchTasksRequest": "tasks", "IdsRequest": "ids",
          "PostInputsRequest": "inputs", "PatchInputsRequest": "inputs", "PostConceptsRequest": "concepts",
          "PatchConceptsRequest": "concepts", "PostDatasetsRequest": "datasets", "PatchDatasetsRequest": "datasets",
          "DeleteDatasetsRequest": "dataset_ids", "PostDatasetInputsRequest": "dataset_inputs",
          "DeleteDatasetInputsRequest": "input_ids", "PostDatasetVersionsRequest": "dataset_versions",
          "PatchDatasetVersionsRequest": "dataset_versions", "DeleteDatasetVersionsRequest": "dataset_version_ids",
          "PostAnnotationsRequest": "annotations", "PatchAnnotationsRequest": "annotations",
          "PostCollaboratorsRequest": "collaborators", "PatchCollaboratorsRequest": "collaborators",
          "PostLabelOrdersRequest": "label_orders", "PatchLabelOrdersRequest": "label_orders",
          "PostSearchesRequest": "searches"}


@pytest.mark.parametrize("name, key", sorted(LISTED.items()))
def test_every_list_a_handler_needs_is_required_and_non_empty(name, key):
    schema = SCHEMAS[name]
    assert key in schema["required"]
    assert schema["properties"][key]["type"] == "array" and schema["properties"][key].get("minItems") == 1


def test_every_required_list_of_a_request_is_non_empty():
    for name, schema in SCHEMAS.items():
        if not name.endswith("Request"):
            continue
        for key in schema.get("required", ()):
            prop = schema["properties"][key]
            if prop.get("type") == "array":
                assert prop.get("minItems") == 1, (name, key)


@pytest.mark.parametrize("name, body, ok", [
    # an input's data names its media
    ("PostInputsRequest", {"inputs": [{"data": {"text": {"raw": "hi"}}}]}, True),
    ("PostInputsRequest", {"inputs": [{"data": {"metadata": {}}}]}, False),
    ("PostInputsRequest", {"inputs": [{"data": {"image": {"url": ""}}}]}, False),
    ("PostInputsRequest", {"inputs": [{"id": "a/b", "data": {"text": {"raw": "hi"}}}]}, False),
    # only an input's metadata changes
    ("PatchInputsRequest", {"inputs": [{"id": "i", "data": {"text": {"raw": "x"}}}]}, False),
    # an annotation is on an input; its concepts are named
    ("PostAnnotationsRequest", {"annotations": [{"task_id": "t"}]}, False),
    ("PostAnnotationsRequest", {"annotations": [{"input_id": "i", "data": {"concepts": [{"value": 1}]}}]}, False),
    ("PostAnnotationsRequest", {"annotations": [{"input_id": "i", "data": {"concepts": [{"name": "cat"}]}}]}, True),
    ("PostAnnotationsRequest", {"annotations": [{"input_id": "i", "status": {"code": "TASK_DONE"}}]}, False),
    ("PostAnnotationsRequest", {"annotations": [{"input_id": "i", "data": {"regions": [
        {"region_info": {"polygon": {"points": [{"row": 0, "col": 0}]}}}]}}]}, False),
    # a task's status, input source, weights, reviewers
    ("PostTasksRequest", {"tasks": [{"status": {"code": "ANNOTATION_SUCCESS"}}]}, False),
    ("PostTasksRequest", {"tasks": [{"status": {}}]}, False),
    ("PostTasksRequest", {"tasks": [{"input_source": {"type": "DATASET"}}]}, False),
    ("PostTasksRequest", {"tasks": [{"input_source": {"type": 3, "id": "ds"}}]}, True),
    ("PostTasksRequest", {"tasks": [{"input_source": {"type": "ALL_INPUTS"}}]}, True),
    ("PostTasksRequest", {"tasks": [{"worker": {"strategy": "PARTITIONED", "user_ids": ["a"],
                                                "partitioned_strategy_info": {"type": "WEIGHTED"}}}]}, False),
    ("PostTasksRequest", {"tasks": [{"worker": {"strategy": "PARTITIONED", "user_ids": ["a"],
                                                "partitioned_strategy_info": {"type": 2, "weights": {"a": 1}}}}]}, True),
    ("PostTasksRequest", {"tasks": [{"worker": {"user_ids": [""]}}]}, False),
    ("PostTasksRequest", {"tasks": [{"concept_ids": [""]}]}, False),
    ("PatchTasksRequest", {"tasks": [{"name": "no id"}]}, False),
    # what each assignment action needs
    ("PutTaskAssignmentsRequest", {}, False),
    ("PutTaskAssignmentsRequest", {"action": 0}, False),
    ("PutTaskAssignmentsRequest", {"input_id": "i"}, True),
    ("PutTaskAssignmentsRequest", {"action": "LABEL_START"}, True),
    ("PutTaskAssignmentsRequest", {"action": "LABEL_SUBMIT"}, False),
    ("PutTaskAssignmentsRequest", {"action": 2, "label_submit_config": {"task_assignments": [{"id": "x"}]}}, True),
    ("PutTaskAssignmentsRequest", {"action": "REVIEW_APPROVE", "review_reject_config": {"workers": [
        {"user": {"id": "u"}}]}}, False),
    ("PutTaskAssignmentsRequest", {"action": "REVIEW_REJECT", "review_reject_config": {"workers": [
        {"user": {"id": "u"}}]}}, True),
    ("PatchAnnotationsStatusRequest", {"status_code": 0}, False),
    ("PatchAnnotationsStatusRequest", {"status_code": "ANNOTATION_SUCCESS"}, True),
    # DeleteAnnotations: ids, input_ids, or both of one length
    ("DeleteAnnotationsRequest", {}, False),
    ("DeleteAnnotationsRequest", {"ids": [], "input_ids": []}, False),
    ("DeleteAnnotationsRequest", {"ids": ["a", "b"], "input_ids": ["i"]}, False),
    ("DeleteAnnotationsRequest", {"ids": ["a", "b"], "input_ids": ["i", "j"]}, True),
    ("DeleteAnnotationsRequest", {"input_ids": ["i"]}, True),
    ("DeleteCollaboratorsRequest", {"collaborator_ids": [], "user_emails": []}, False),
    ("PatchCollaboratorsRequest", {"action": "merge", "collaborators": [{"id": "c"}]}, False),
    ("PatchConceptsRequest", {"action": "remove", "concepts": [{"id": "c"}]}, False),
    ("PatchLabelOrdersRequest", {"action": "remove", "label_orders": [{"id": "o"}]}, False),
    ("PatchLabelOrdersRequest", {"label_orders": [{"id": "o", "task": {"name": "x"}}]}, False),
    ("PostLabelOrdersRequest", {"label_orders": [{"id": "o"}]}, False),
    ("PatchDatasetVersionsRequest", {"dataset_versions": [{}]}, False),
    # searches: only what the stand-in searches by
    ("PostSearchesRequest", {"searches": [{"query": {"ranks": [{}]}}]}, False),
    ("PostSearchesRequest", {"searches": [{"query": {"filters": [{"input": {"colour": "red"}}]}}]}, False),
    ("PostSearchesRequest", {"searches": [{"query": {"filters": [{"annotation": {"status": {}}}]}}]}, False),
    ("PostSearchesRequest", {"searches": [{"save": True, "id": "a/b"}]}, False),
    ("PostSearchesRequest", {"searches": [{"id": "a/b", "query": {"filters": [{"input": {"id": "i"}}]}}]}, True),
])
def test_the_spec_states_the_rule(name, body, ok):
    assert valid(name, body) is ok


def test_query_enums():
    params = SPEC["components"]["parameters"]
    assert "ALL_INPUTS" in params["input_source_type"]["schema"]["enum"]
    assert "" not in params["statuses_code"]["schema"]["items"]["enum"]
    assert {"ANNOTATION_SUCCESS", "24150", "code"} <= set(params["statuses"]["schema"]["items"]["enum"])


# -- the server answers as the spec says ---------------------------------------------------------------------
def refused(r, http: int, code: int, list_field: str | None):
    assert r.status_code == http, r.text
    body = r.json()
    assert body["status"]["code"] == code and body["status"]["description"], body
    if list_field:
        assert body[list_field] == []


@pytest.mark.parametrize("path, body, list_field", [
    ("/v2/tasks", {"tasks": []}, "tasks"),
    ("/v2/inputs", {"inputs": []}, "inputs"),
    ("/v2/concepts", {"concepts": []}, "concepts"),
    ("/v2/annotations", {"annotations": [{"task_id": "t"}]}, "annotations"),
    ("/v2/inputs/searches", {"searches": []}, "hits"),
])
def test_a_shape_the_spec_refuses_is_a_bad_request(clarifai, path, body, list_field):
    refused(clarifai.post(path, json=body), 400, 11102, list_field)


def test_a_search_naming_what_it_cannot_search_is_search_invalid_request(clarifai):
    r = clarifai.post("/v2/inputs/searches", json={"searches": [{"query": {"filters": [{"input": {"x": 1}}]}}]})
    refused(r, 400, 40002, "hits")
    assert r.json()["status"]["details"].startswith("searches[0].query.filters[0].input")


@pytest.mark.parametrize("method, path, body, list_field", [
    ("post", "/v2/annotations", {"annotations": [{"input_id": "no-such-input"}]}, "annotations"),
    ("post", "/v2/inputs", {"inputs": [{"data": {"text": {"raw": "x"}}, "dataset_ids": ["no-such-dataset"]}]},
     "inputs"),
    ("post", "/v2/tasks", {"tasks": [seed_task(concept_ids=["no-such-concept"])]}, "tasks"),
    ("post", "/v2/tasks", {"tasks": [seed_task(label_order_id="no-such-order")]}, "tasks"),
    ("post", "/v2/tasks", {"tasks": [seed_task(input_source={"type": "INPUT", "id": "no-such-input"})]}, "tasks"),
    ("post", "/v2/tasks", {"tasks": [seed_task(input_source={"type": "SAVED_SEARCH", "id": "no-such-search"})]},
     "tasks"),
])
def test_naming_what_does_not_exist_is_404_in_clarifais_envelope(clarifai, method, path, body, list_field):
    refused(clarifai.request(method, path, json=body), 404, 11102, list_field)


def test_a_dataset_input_that_does_not_exist_is_404(clarifai):
    assert clarifai.post("/v2/datasets", json={"datasets": [{"id": "ds-404"}]}).status_code == 200
    r = clarifai.post("/v2/datasets/ds-404/inputs", json={"dataset_inputs": [{"input": {"id": "no-such-input"}}]})
    refused(r, 404, 11102, "dataset_inputs")


def test_an_unknown_task_assignment_is_404(clarifai):
    task = clarifai.post("/v2/tasks", json={"tasks": [seed_task()]}).json()["tasks"][0]["id"]
    r = clarifai.put(f"{SCOPED}/tasks/{task}/assignments",
                     json={"action": "LABEL_SUBMIT", "label_submit_config": {"task_assignments": [{"id": "nope"}]}})
    refused(r, 404, 11102, "task_assignments")


def test_an_id_already_taken_is_409_with_the_same_body_code(clarifai):
    body = {"concepts": [{"id": "dup-concept"}]}
    assert clarifai.post("/v2/concepts", json=body).status_code == 200
    refused(clarifai.post("/v2/concepts", json=copy.deepcopy(body)), 409, 40003, "concepts")
    body = {"inputs": [{"id": "dup-input", "data": {"text": {"raw": "x"}}}]}
    assert clarifai.post("/v2/inputs", json=body).status_code == 200
    refused(clarifai.post("/v2/inputs", json=body), 409, 30100, "inputs")
    owner = {"collaborators": [{"user": {"id": "mock-user"}}]}
    refused(clarifai.post(f"{SCOPED}/collaborators", json=owner), 409, 11102, "collaborators")
