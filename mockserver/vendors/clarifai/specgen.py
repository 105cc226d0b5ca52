"""Writes ``openapi/clarifai.yaml`` from the route table below (``python -m mockserver.vendors.clarifai.specgen``).

Every Clarifai call exists twice (unscoped and app-scoped) with the same schemas; writing them by hand
would double the spec.  A test checks that the committed file matches this generator's output.
"""
from __future__ import annotations

import sys

import yaml

from ...resources import spec_path
from .wire import ENUMS

SCOPE = "/v2/users/{user_id}/apps/{app_id}"
# (operationId, method, path after /v2, query params, request body schema, answer schema, scoped only)
ROUTES = [
    ("PostTasks", "post", "/tasks", [], "PostTasksRequest", "MultiTaskResponse", False),
    ("ListTasks", "get", "/tasks", ["page", "per_page", "worker_user_ids", "review_user_ids", "ids", "label_order_ids",
                                    "including_label_order_tasks", "additional_fields", "input_source_type",
                                    "input_source_ids"], None, "MultiTaskResponse", False),
    ("PatchTasks", "patch", "/tasks", [], "PatchTasksRequest", "MultiTaskResponse", False),
    ("DeleteTasks", "delete", "/tasks", [], "IdsRequest", "StatusResponse", False),
    ("GetTask", "get", "/tasks/{task_id}", ["additional_fields"], None, "SingleTaskResponse", False),
    ("GetTaskAnnotationCount", "get", "/tasks/{task_id}/annotations/count", ["user_ids"], None,
     "SingleTaskCountResponse", False),
    ("GetTaskInputCount", "get", "/tasks/{task_id}/inputs/count", ["user_ids"], None, "SingleTaskCountResponse", False),
    ("ListNextTaskAssignments", "get", "/tasks/{task_id}/assignments", ["worker_user_id"], None,
     "MultiInputResponse", False),
    ("PutTaskAssignments", "put", "/tasks/{task_id}/assignments", [], "PutTaskAssignmentsRequest",
     "MultiTaskAssignmentResponse", True),
    ("PatchAnnotationsStatus", "patch", "/task/{task_id}/annotations/status", [], "PatchAnnotationsStatusRequest",
     "PatchAnnotationsStatusResponse", True),
    ("PostAnnotations", "post", "/annotations", [], "PostAnnotationsRequest", "MultiAnnotationResponse", False),
    ("ListAnnotations", "get", "/annotations", ["page", "per_page", "ids", "input_ids", "user_ids", "task_id",
                                                "statuses", "statuses.code", "list_all_annotations",
                                                "return_model_output"], None, "MultiAnnotationResponse", False),
    ("PatchAnnotations", "patch", "/annotations", [], "PatchAnnotationsRequest", "MultiAnnotationResponse", False),
    ("PostInputs", "post", "/inputs", [], "PostInputsRequest", "MultiInputResponse", False),
    ("ListInputs", "get", "/inputs", ["page", "per_page", "ids"], None, "MultiInputResponse", False),
    ("DeleteInputs", "delete", "/inputs", [], "IdsRequest", "StatusResponse", False),
    ("GetInput", "get", "/inputs/{input_id}", [], None, "SingleInputResponse", False),
    ("DeleteInput", "delete", "/inputs/{input_id}", [], None, "StatusResponse", False),
    ("PostConcepts", "post", "/concepts", [], "PostConceptsRequest", "MultiConceptResponse", False),
    ("ListConcepts", "get", "/concepts", ["page", "per_page"], None, "MultiConceptResponse", False),
    ("GetConcept", "get", "/concepts/{concept_id}", [], None, "SingleConceptResponse", False),
    ("PostDatasets", "post", "/datasets", [], "PostDatasetsRequest", "MultiDatasetResponse", False),
    ("ListDatasets", "get", "/datasets", ["page", "per_page"], None, "MultiDatasetResponse", False),
    ("GetDataset", "get", "/datasets/{dataset_id}", [], None, "SingleDatasetResponse", False),
    ("PostDatasetInputs", "post", "/datasets/{dataset_id}/inputs", [], "PostDatasetInputsRequest",
     "MultiDatasetInputResponse", False),
    ("ListDatasetInputs", "get", "/datasets/{dataset_id}/inputs", ["page", "per_page"], None,
     "MultiDatasetInputResponse", False),
]
ARRAY_QUERY = {"worker_user_ids", "review_user_ids", "ids", "label_order_ids", "additional_fields", "input_source_ids",
               "input_ids", "user_ids", "statuses", "statuses.code"}
INT_QUERY = {"page": 1, "per_page": 1}
BOOL_QUERY = {"including_label_order_tasks", "list_all_annotations", "return_model_output"}


def enum(kind: str) -> dict:
    table = ENUMS[kind]
    return {"anyOf": [{"type": "string", "enum": list(table)}, {"type": "integer", "enum": list(table.values())}],
            "description": "by name or by number"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def arr(schema: dict) -> dict:
    return {"type": "array", "items": schema}


def obj(props: dict, required: list | None = None, **extra) -> dict:
    out = {"type": "object", "properties": props, **extra}
    if required:
        out["required"] = required
    return out


STR, INT, NUM, BOOL, FREE = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}, {"type": "object"}
USER = obj({"id": STR})
CODE = {"anyOf": [STR, INT], "description": "status code by name or by number"}

SCHEMAS = {
    "Status": obj({"code": INT, "description": STR, "details": STR, "req_id": STR}, ["code", "description"]),
    "StatusIn": obj({"code": CODE, "description": STR}),
    "UserAppIDSet": obj({"user_id": STR, "app_id": STR}),
    "Worker": obj({"user": USER}),
    "TaskWorker": obj({
        "strategy": enum("worker_strategy"), "user_ids": arr(STR), "users": arr(USER), "workers": arr(ref("Worker")),
        "partitioned_strategy_info": obj({"type": enum("partition"), "workers_per_input": {"type": "integer", "minimum": 0},
                                          "weights": {"type": "object", "additionalProperties": {"type": "number"}}}),
    }),
    "TaskReview": obj({
        "strategy": enum("review_strategy"), "user_ids": arr(STR), "users": arr(USER),
        "manual_strategy_info": obj({"sample_percentage": {"type": "number", "minimum": 0},
                                     "approval_threshold": {"type": "integer", "minimum": 0}}),
        "consensus_strategy_info": obj({"approval_threshold": {"type": "integer", "minimum": 0},
                                        "approval_threshold_labelers": {"type": "integer", "minimum": 0},
                                        "approval_threshold_reviewers": {"type": "integer", "minimum": 0}}),
    }),
    "TaskInputSource": obj({"type": enum("input_source"), "id": STR}),
    "TaskIn": obj({
        "id": STR, "type": enum("task_type"), "name": STR, "description": STR, "worker": ref("TaskWorker"),
        "concept_ids": arr(STR), "concepts": arr(obj({"concept": obj({"id": STR, "value": NUM})})),
        "input_source": ref("TaskInputSource"), "sample_ms": {"type": "integer", "minimum": 0},
        "review": ref("TaskReview"), "status": ref("StatusIn"), "priority": enum("priority"), "metadata": FREE,
        "delete_previous_annotations": BOOL, "label_order_id": STR,
    }),
    "Task": obj({"id": STR, "created_at": STR, "modified_at": STR, "type": STR, "name": STR, "description": STR,
                 "worker": FREE, "concept_ids": arr(STR), "concepts": arr(FREE), "input_source": FREE,
                 "sample_ms": INT, "review": FREE, "status": ref("Status"), "app_id": STR, "user_id": STR,
                 "priority": STR, "metadata": FREE, "metrics": FREE}, ["id", "status"]),
    "Input": obj({"id": STR, "data": FREE, "created_at": STR, "modified_at": STR, "status": ref("Status"),
                  "dataset_ids": arr(STR)}, ["id"]),
    "InputIn": obj({"id": STR, "data": obj({"image": obj({"url": STR, "base64": STR}),
                                            "text": obj({"raw": STR, "url": STR}), "metadata": FREE}),
                    "dataset_ids": arr(STR)}, ["data"]),
    "Concept": obj({"id": STR, "name": STR, "value": NUM, "created_at": STR, "language": STR, "app_id": STR,
                    "user_id": STR}, ["id"]),
    "ConceptIn": obj({"id": STR, "name": STR, "value": NUM}, ["id"]),
    "Dataset": obj({"id": STR, "created_at": STR, "modified_at": STR, "app_id": STR, "user_id": STR,
                    "description": STR, "metadata": FREE}, ["id"]),
    "DatasetIn": obj({"id": STR, "description": STR, "metadata": FREE}, ["id"]),
    "DatasetInput": obj({"created_at": STR, "input": ref("Input")}),
    "AnnotationData": obj({"concepts": arr(obj({"id": STR, "name": STR, "value": NUM})), "regions": arr(FREE),
                           "metadata": FREE}),
    "AnnotationIn": obj({"id": STR, "input_id": STR, "data": ref("AnnotationData"), "user_id": STR,
                         "task_id": STR, "status": ref("StatusIn"), "worker": ref("Worker"),
                         "annotation_info": FREE}),
    "Annotation": obj({"id": STR, "input_id": STR, "data": FREE, "user_id": STR, "task_id": STR,
                       "status": ref("Status"), "created_at": STR, "modified_at": STR, "worker": ref("Worker")},
                      ["id", "input_id"]),
    "TaskAssignment": obj({"id": STR, "created_at": STR, "modified_at": STR, "worker": ref("Worker"),
                           "input": ref("Input"), "status": ref("Status")}, ["id"]),
    "TaskStatusCountPerUser": obj({"user_id": STR, "pending": INT, "awaiting_review": INT, "success": INT,
                                   "review_denied": INT, "awaiting_consensus_review": INT, "worker": ref("Worker")}),
    # requests
    "PostTasksRequest": obj({"user_app_id": ref("UserAppIDSet"), "tasks": arr(ref("TaskIn"))}, ["tasks"]),
    "PatchTasksRequest": obj({"user_app_id": ref("UserAppIDSet"), "tasks": arr(ref("TaskIn")),
                              "action": {"type": "string", "enum": ["overwrite", "merge"]}}, ["tasks"]),
    "IdsRequest": obj({"user_app_id": ref("UserAppIDSet"), "ids": arr(STR)}, ["ids"]),
    "PostInputsRequest": obj({"user_app_id": ref("UserAppIDSet"), "inputs": arr(ref("InputIn"))}, ["inputs"]),
    "PostConceptsRequest": obj({"user_app_id": ref("UserAppIDSet"), "concepts": arr(ref("ConceptIn"))}, ["concepts"]),
    "PostDatasetsRequest": obj({"user_app_id": ref("UserAppIDSet"), "datasets": arr(ref("DatasetIn"))}, ["datasets"]),
    "PostDatasetInputsRequest": obj({"user_app_id": ref("UserAppIDSet"), "dataset_id": STR,
                                     "dataset_inputs": arr(obj({"input": obj({"id": STR}, ["id"])}, ["input"]))},
                                    ["dataset_inputs"]),
    "PostAnnotationsRequest": obj({"user_app_id": ref("UserAppIDSet"), "annotations": arr(ref("AnnotationIn"))},
                                  ["annotations"]),
    "PatchAnnotationsRequest": obj({"user_app_id": ref("UserAppIDSet"), "annotations": arr(ref("AnnotationIn")),
                                    "action": {"type": "string", "enum": ["merge", "overwrite", "remove"]}},
                                   ["annotations"]),
    "PutTaskAssignmentsRequest": obj({
        "user_app_id": ref("UserAppIDSet"), "task_id": STR, "input_id": STR, "action": enum("assignment_action"),
        "label_submit_config": obj({"task_assignments": arr(obj({"id": STR}))}),
        "review_start_config": obj({"workers": arr(ref("Worker"))}),
        "review_approve_config": obj({"task_assignments": arr(obj({"id": STR})), "workers": arr(ref("Worker"))}),
        "review_request_changes_config": obj({"task_assignments": arr(obj({"id": STR})), "workers": arr(ref("Worker"))}),
        "review_reject_config": obj({"task_assignments": arr(obj({"id": STR})), "workers": arr(ref("Worker"))}),
    }, ["action"]),
    "PatchAnnotationsStatusRequest": obj({"user_app_id": ref("UserAppIDSet"), "task_id": STR, "user_ids": arr(STR),
                                          "status_codes": arr(CODE), "status_code": CODE, "action": STR},
                                         ["status_code"]),
    # answers
    "StatusResponse": obj({"status": ref("Status")}, ["status"]),
    "MultiTaskResponse": obj({"status": ref("Status"), "tasks": arr(ref("Task"))}, ["status", "tasks"]),
    "SingleTaskResponse": obj({"status": ref("Status"), "task": ref("Task")}, ["status", "task"]),
    "SingleTaskCountResponse": obj({"status": ref("Status"), "app_id": STR, "task_id": STR,
                                    "counts": arr(ref("TaskStatusCountPerUser"))}, ["status", "counts"]),
    "MultiInputResponse": obj({"status": ref("Status"), "inputs": arr(ref("Input"))}, ["status", "inputs"]),
    "SingleInputResponse": obj({"status": ref("Status"), "input": ref("Input")}, ["status", "input"]),
    "MultiConceptResponse": obj({"status": ref("Status"), "concepts": arr(ref("Concept"))}, ["status", "concepts"]),
    "SingleConceptResponse": obj({"status": ref("Status"), "concept": ref("Concept")}, ["status", "concept"]),
    "MultiDatasetResponse": obj({"status": ref("Status"), "datasets": arr(ref("Dataset"))}, ["status", "datasets"]),
    "SingleDatasetResponse": obj({"status": ref("Status"), "dataset": ref("Dataset")}, ["status", "dataset"]),
    "MultiDatasetInputResponse": obj({"status": ref("Status"), "dataset_inputs": arr(ref("DatasetInput"))},
                                     ["status", "dataset_inputs"]),
    "MultiAnnotationResponse": obj({"status": ref("Status"), "annotations": arr(ref("Annotation"))},
                                   ["status", "annotations"]),
    "MultiTaskAssignmentResponse": obj({"status": ref("Status"), "task_assignments": arr(ref("TaskAssignment"))},
                                       ["status", "task_assignments"]),
    "PatchAnnotationsStatusResponse": obj({"status": ref("Status"), "user_ids": arr(STR), "updated_count": INT},
                                          ["status"]),
}


def query_param(name: str) -> dict:
    if name in ARRAY_QUERY:
        schema = arr(STR)
        return {"name": name, "in": "query", "required": False, "style": "form", "explode": True, "schema": schema}
    if name in INT_QUERY:
        schema = {"type": "integer", "minimum": 0}
    elif name in BOOL_QUERY:
        schema = BOOL
    else:
        schema = STR
    return {"name": name, "in": "query", "required": False, "schema": schema}


ERRORS = {"400": "bad request (CONN_INVALID_REQUEST, details name the field) or PAT on an unscoped route",
          "401": "key missing, unknown or without access to the app",
          "403": "the caller may not act on this task work (TASK_PERMISSION_DENIED)",
          "404": "unknown task (TASK_MISSING), input, concept, dataset or route",
          "405": "method not allowed on this path",
          "409": "conflict with the task's state (TASK_CONFLICT)",
          "413": "body too large", "415": "body is not JSON"}


def operation(op_id: str, method: str, path: str, query: list, body: str | None, answer: str, scoped: bool) -> dict:
    params = [{"$ref": f"#/components/parameters/{p}"} for p in ("user_id", "app_id")] if scoped else []
    for name in path.split("{")[1:]:
        params.append({"name": name.split("}")[0], "in": "path", "required": True, "schema": STR})
    params += [{"$ref": f"#/components/parameters/{safe(q)}"} for q in query]
    if method == "get":
        # Inline, not $ref: schemathesis resolves link targets against inline parameters only.
        params += [query_param("user_app_id.user_id"), query_param("user_app_id.app_id")]
    out = {"operationId": op_id + ("Scoped" if scoped and op_id not in SCOPED_ONLY else ""), "parameters": params,
           "responses": {"200": {"description": "Ok", "content": {"application/json": {"schema": ref(answer)}}}}}
    for code, text in ERRORS.items():
        if code in ("413", "415") and not body:
            continue
        out["responses"][code] = {"description": text, "content": {"application/json": {"schema": ref("StatusResponse")}}}
    if body:
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(body)}}}
    if op_id in LINKS:
        # Explicit links for schemathesis' stateful phase: what a create answers feeds the reads.
        target, field, param, list_key = LINKS[op_id]
        out["responses"]["200"]["links"] = {
            f"{t}": {"operationId": t + ("Scoped" if scoped else ""),
                     "parameters": {param: f"$response.body#/{list_key}/0/id",
                                    **({"user_id": "$request.path.user_id", "app_id": "$request.path.app_id"}
                                       if scoped else {})}}
            for t in target}
    return out


# create operation -> ([operations reading what it created], id field, path parameter, list key in the answer)
LINKS = {
    "PostTasks": (["GetTask", "GetTaskAnnotationCount", "GetTaskInputCount", "ListNextTaskAssignments"], "id",
                  "task_id", "tasks"),
    "PostInputs": (["GetInput", "DeleteInput"], "id", "input_id", "inputs"),
    "PostConcepts": (["GetConcept"], "id", "concept_id", "concepts"),
    "PostDatasets": (["GetDataset", "ListDatasetInputs"], "id", "dataset_id", "datasets"),
}


SCOPED_ONLY = {r[0] for r in ROUTES if r[6]}


def safe(name: str) -> str:
    return name.replace(".", "_")


def build() -> dict:
    paths: dict = {}
    for op_id, method, path, query, body, answer, scoped_only in ROUTES:
        if not scoped_only:
            paths.setdefault(f"/v2{path}", {})[method] = operation(op_id, method, path, query, body, answer, False)
        paths.setdefault(f"{SCOPE}{path}", {})[method] = operation(op_id, method, path, query, body, answer, True)
    parameters = {safe(q): query_param(q) for r in ROUTES for q in r[3]}
    parameters["user_app_id_user_id"] = query_param("user_app_id.user_id")
    parameters["user_app_id_app_id"] = query_param("user_app_id.app_id")
    parameters["user_id"] = {"name": "user_id", "in": "path", "required": True, "schema": STR,
                             "description": "the app owner's user id (or `me`)"}
    parameters["app_id"] = {"name": "app_id", "in": "path", "required": True, "schema": STR}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Clarifai labeling Tasks (stand-in)", "version": "2",
                 "description": "Generated by mockserver/vendors/clarifai/specgen.py; edit the generator, not this file."},
        "servers": [{"url": "/"}],
        "security": [{"ApiKey": []}],
        "paths": paths,
        "components": {"securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "Authorization",
                                                      "description": "`Key <api key or PAT>`"}},
                       "parameters": parameters, "schemas": SCHEMAS},
    }


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # shared sub-schemas are written out, not as YAML anchors
        return True


def render() -> str:
    return yaml.dump(build(), Dumper=_Dumper, sort_keys=False, width=120)


SPEC_PATH = spec_path("clarifai.yaml")  # in a checkout, the package's openapi/ is a link to the top-level one

if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if SPEC_PATH.read_text() == text else 1)
    SPEC_PATH.write_text(text)
