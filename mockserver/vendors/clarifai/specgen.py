"""Writes ``openapi/clarifai.yaml`` from the route table below and the schemas of ``spec_schemas``
(``python -m mockserver.vendors.clarifai.specgen``).

Every Clarifai call exists twice (unscoped and app-scoped) with the same schemas; writing them by hand
would double the spec.  A test checks that the committed file matches this generator's output.
"""
from __future__ import annotations

import sys

import yaml

from ...resources import spec_path
from .spec_schemas import ERRORS, SCHEMAS, STR, query_param, ref

SCOPE = "/v2/users/{user_id}/apps/{app_id}"
# (RPC name, method, path after /v2, query params, request body schema, answer schema, scoped only).
# The RPC name is the operationId (``Scoped`` appended for the app-scoped twin), except where an RPC
# has two REST paths (``OPERATION_IDS``). Routes are written literal-first (``sorted_paths``).
ROUTES = [
    ("PostTasks", "post", "/tasks", [], "PostTasksRequest", "MultiTaskResponse", False),
    ("ListTasks", "get", "/tasks", ["page", "per_page", "worker_user_ids", "review_user_ids", "ids", "label_order_ids",
                                    "including_label_order_tasks", "additional_fields", "input_source_type",
                                    "input_source_ids", "worker_ids"], None, "MultiTaskResponse", False),
    ("PatchTasks", "patch", "/tasks", [], "PatchTasksRequest", "MultiTaskResponse", False),
    ("DeleteTasks", "delete", "/tasks", [], "IdsRequest", "StatusResponse", False),
    ("GetTask", "get", "/tasks/{task_id}", ["additional_fields"], None, "SingleTaskResponse", False),
    ("GetTaskAnnotationCount", "get", "/tasks/{task_id}/annotations/count", ["user_ids"], None,
     "SingleTaskCountResponse", False),
    ("GetTaskInputCount", "get", "/tasks/{task_id}/inputs/count", ["user_ids"], None, "SingleTaskCountResponse", False),
    ("GetInputSamples", "get", "/tasks/{task_id}/inputs/samples", ["user_ids"], None,
     "MultiInputAnnotationResponse", False),
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
    ("GetAnnotation", "get", "/inputs/{input_id}/annotations/{annotation_id}", [], None, "SingleAnnotationResponse",
     False),
    ("DeleteAnnotation", "delete", "/inputs/{input_id}/annotations/{annotation_id}", [], None, "StatusResponse", False),
    ("DeleteAnnotations", "delete", "/inputs/annotations", [], "DeleteAnnotationsRequest", "StatusResponse", False),
    ("DeleteAnnotations", "delete", "/annotations", [], "DeleteAnnotationsRequest", "StatusResponse", False),
    ("ListAnnotationWorkers", "get", "/annotations/workers", ["page", "per_page", "additional_fields", "trusted_only"],
     None, "MultiWorkerResponse", False),
    ("PostAnnotationsSearches", "post", "/annotations/searches", [], "PostSearchesRequest", "MultiSearchResponse",
     False),
    ("PostInputs", "post", "/inputs", [], "PostInputsRequest", "MultiInputResponse", False),
    ("ListInputs", "get", "/inputs", ["page", "per_page", "ids"], None, "MultiInputResponse", False),
    ("PatchInputs", "patch", "/inputs", [], "PatchInputsRequest", "MultiInputResponse", False),
    ("DeleteInputs", "delete", "/inputs", [], "IdsRequest", "StatusResponse", False),
    ("GetInputCount", "get", "/inputs/status", [], None, "SingleInputCountResponse", False),
    ("PostInputsSearches", "post", "/inputs/searches", [], "PostSearchesRequest", "MultiSearchResponse", False),
    ("GetInput", "get", "/inputs/{input_id}", [], None, "SingleInputResponse", False),
    ("DeleteInput", "delete", "/inputs/{input_id}", [], None, "StatusResponse", False),
    ("PostConcepts", "post", "/concepts", [], "PostConceptsRequest", "MultiConceptResponse", False),
    ("ListConcepts", "get", "/concepts", ["page", "per_page"], None, "MultiConceptResponse", False),
    ("PatchConcepts", "patch", "/concepts", [], "PatchConceptsRequest", "MultiConceptResponse", False),
    ("GetConceptCounts", "get", "/concepts/status", ["page", "per_page"], None, "MultiConceptCountResponse", False),
    ("PostConceptsSearches", "post", "/concepts/searches", [], "PostConceptsSearchesRequest", "MultiConceptResponse",
     False),
    ("GetConcept", "get", "/concepts/{concept_id}", [], None, "SingleConceptResponse", False),
    ("PostDatasets", "post", "/datasets", [], "PostDatasetsRequest", "MultiDatasetResponse", False),
    ("ListDatasets", "get", "/datasets", ["page", "per_page"], None, "MultiDatasetResponse", False),
    ("ListDatasets", "get", "/users/{user_id}/datasets", ["page", "per_page"], None, "MultiDatasetResponse", False),
    ("PatchDatasets", "patch", "/datasets", [], "PatchDatasetsRequest", "MultiDatasetResponse", False),
    ("DeleteDatasets", "delete", "/datasets", [], "DeleteDatasetsRequest", "StatusResponse", False),
    ("GetDataset", "get", "/datasets/{dataset_id}", [], None, "SingleDatasetResponse", False),
    ("PostDatasetInputs", "post", "/datasets/{dataset_id}/inputs", [], "PostDatasetInputsRequest",
     "MultiDatasetInputResponse", False),
    ("ListDatasetInputs", "get", "/datasets/{dataset_id}/inputs", ["page", "per_page"], None,
     "MultiDatasetInputResponse", False),
    ("DeleteDatasetInputs", "delete", "/datasets/{dataset_id}/inputs", [], "DeleteDatasetInputsRequest",
     "StatusResponse", False),
    ("GetDatasetInput", "get", "/datasets/{dataset_id}/inputs/{input_id}", [], None, "SingleDatasetInputResponse",
     False),
    ("PostDatasetVersions", "post", "/datasets/{dataset_id}/versions", [], "PostDatasetVersionsRequest",
     "MultiDatasetVersionResponse", False),
    ("ListDatasetVersions", "get", "/datasets/{dataset_id}/versions", ["page", "per_page"], None,
     "MultiDatasetVersionResponse", False),
    ("PatchDatasetVersions", "patch", "/datasets/{dataset_id}/versions", [], "PatchDatasetVersionsRequest",
     "MultiDatasetVersionResponse", False),
    ("DeleteDatasetVersions", "delete", "/datasets/{dataset_id}/versions", [], "DeleteDatasetVersionsRequest",
     "StatusResponse", False),
    ("GetDatasetVersion", "get", "/datasets/{dataset_id}/versions/{dataset_version_id}", [], None,
     "SingleDatasetVersionResponse", False),
    ("ListCollaborators", "get", "/collaborators", ["list_all_collaborators", "page", "per_page"], None,
     "MultiCollaboratorsResponse", True),
    ("PostCollaborators", "post", "/collaborators", [], "PostCollaboratorsRequest", "MultiCollaboratorsResponse", True),
    ("PatchCollaborators", "patch", "/collaborators", [], "PatchCollaboratorsRequest", "MultiCollaboratorsResponse",
     True),
    ("DeleteCollaborators", "delete", "/collaborators", [], "DeleteCollaboratorsRequest", "StatusResponse", True),
    ("PostLabelOrders", "post", "/label_orders", [], "PostLabelOrdersRequest", "MultiLabelOrderResponse", False),
    ("ListLabelOrders", "get", "/label_orders", ["page", "per_page"], None, "MultiLabelOrderResponse", False),
    ("PatchLabelOrders", "patch", "/label_orders", [], "PatchLabelOrdersRequest", "MultiLabelOrderResponse", False),
    ("DeleteLabelOrders", "delete", "/label_orders", [], "IdsRequest", "StatusResponse", False),
    ("GetLabelOrder", "get", "/label_orders/{label_order_id}", [], None, "SingleLabelOrderResponse", False),
]
# An RPC with a second REST path answers there under its own operationId (operationIds are unique).
OPERATION_IDS = {("DeleteAnnotations", "/annotations"): "DeleteAppAnnotations",
                 ("ListDatasets", "/users/{user_id}/datasets"): "ListUserDatasets"}
# Paths that exist only as written (no app-scoped twin): the user's own, where the JSON channel sends
# ListDatasets without user_app_id (``/v2/users/me/datasets``).
UNSCOPED_ONLY = {("ListDatasets", "/users/{user_id}/datasets")}
# The list field of each answer that Clarifai writes even when empty (``cl_show_if_empty``), error answers
# included: ``{"status": {...}, "tasks": []}``.
def operation(op_id: str, method: str, path: str, query: list, body: str | None, answer: str, scoped: bool) -> dict:
    params = [{"$ref": f"#/components/parameters/{p}"} for p in ("user_id", "app_id")] if scoped else []
    for name in path.split("{")[1:]:
        params.append({"name": name.split("}")[0], "in": "path", "required": True, "schema": STR})
    params += [{"$ref": f"#/components/parameters/{safe(q)}"} for q in query]
    if method == "get":
        # Inline, not $ref: schemathesis resolves link targets against inline parameters only.
        params += [query_param("user_app_id.user_id"), query_param("user_app_id.app_id")]
    name = OPERATION_IDS.get((op_id, path), op_id)
    out = {"operationId": name + ("Scoped" if scoped and op_id not in SCOPED_ONLY else ""), "parameters": params,
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
    "PostDatasets": (["GetDataset", "ListDatasetInputs", "ListDatasetVersions"], "id", "dataset_id", "datasets"),
    "PostLabelOrders": (["GetLabelOrder"], "id", "label_order_id", "label_orders"),
}


SCOPED_ONLY = {r[0] for r in ROUTES if r[6]}


def safe(name: str) -> str:
    return name.replace(".", "_")


def path_order(template: str) -> tuple:
    """Sort key putting a literal segment before a ``{parameter}`` at the same place: Connexion (Starlette)
    tries routes in the spec's order, so ``/inputs/annotations`` must come before ``/inputs/{input_id}``.
    Two templates that both match one URL differ first where one has a literal and the other a parameter,
    so in this order the literal one always wins."""
    return tuple((1, "") if seg.startswith("{") else (0, seg) for seg in template.strip("/").split("/"))


def templates(route: tuple) -> list[tuple[str, bool]]:
    """The REST paths of a route: ``[(template, scoped)]``, the unscoped one first."""
    op_id, _method, path, *_rest, scoped_only = route
    out = [] if scoped_only else [(f"/v2{path}", False)]
    if (op_id, path) not in UNSCOPED_ONLY:
        out.append((f"{SCOPE}{path}", True))
    return out


def build() -> dict:
    paths: dict = {}
    for route in ROUTES:
        op_id, method, path, query, body, answer, _ = route
        for template, scoped in templates(route):
            paths.setdefault(template, {})[method] = operation(op_id, method, path, query, body, answer, scoped)
    paths = {p: paths[p] for p in sorted(paths, key=path_order)}
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
