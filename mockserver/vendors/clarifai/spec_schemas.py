"""The schemas of ``openapi/clarifai.yaml``: request and answer messages, query parameters, error answers.

Every shape rule the handlers enforce is stated here (non-empty lists, enums, one-of shapes, id patterns),
so that a schema-valid request never fails on its shape: what is left is referential (an id that does
not exist answers 404, a conflict with what exists 409).  ``specgen`` writes them with the routes.
"""
from __future__ import annotations

from .wire import ANNOTATION_CODES, CODES, ENUMS, LABEL_ORDER_CODES, TASK_CODES

SHOW_IF_EMPTY = {"MultiTaskResponse": "tasks", "MultiInputResponse": "inputs", "MultiConceptResponse": "concepts",
                 "MultiDatasetResponse": "datasets", "MultiDatasetInputResponse": "dataset_inputs",
                 "MultiAnnotationResponse": "annotations", "MultiTaskAssignmentResponse": "task_assignments",
                 "MultiCollaboratorsResponse": "collaborators", "MultiLabelOrderResponse": "label_orders",
                 "MultiDatasetVersionResponse": "dataset_versions", "MultiSearchResponse": "hits",
                 "MultiWorkerResponse": "workers", "MultiConceptCountResponse": "concept_counts",
                 "MultiInputAnnotationResponse": "hits"}
ARRAY_QUERY = {"worker_user_ids", "review_user_ids", "ids", "label_order_ids", "additional_fields", "input_source_ids",
               "input_ids", "user_ids", "statuses", "statuses.code", "worker_ids"}
INT_QUERY = {"page": 1, "per_page": 1}
BOOL_QUERY = {"including_label_order_tasks", "list_all_annotations", "return_model_output", "trusted_only",
              "list_all_collaborators"}


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
PATCH_ACTION = {"type": "string", "enum": ["merge", "overwrite", "remove"]}
PAGINATION = obj({"page": {"type": "integer", "minimum": 0}, "per_page": {"type": "integer", "minimum": 0}})

# Shape rules the handlers enforce, stated so that a schema-valid request never fails on its shape (what is
# left is referential: an id that does not exist answers 404, a conflict with what exists 409).
ID = {"type": "string", "minLength": 1}
NO_SLASH = {"type": "string", "pattern": "^[^/]*$", "description": "without '/'"}
USER_REF = obj({"id": ID}, ["id"])  # a user named by id (a worker, a reviewer)


def some(schema: dict) -> dict:
    """A non-empty list (the handlers refuse an empty one)."""
    return {"type": "array", "items": schema, "minItems": 1}


def codes(names: tuple, what: str = "status code") -> dict:
    """Status codes by name, number or digit string (``code_name`` reads all three), limited to ``names``."""
    numbers = [CODES[n][0] for n in names]
    return {"anyOf": [{"type": "string", "enum": list(names) + [str(n) for n in numbers]},
                      {"type": "integer", "enum": numbers}], "description": f"{what} by name or by number"}


def is_(kind: str, *names: str) -> dict:
    """One of these values of an enum, by name or by number."""
    return {"enum": list(names) + [ENUMS[kind][n] for n in names]}


def one_of_media() -> list:
    """An input's data names its media: image.url, image.base64, text.raw or text.url (non-empty)."""
    return [{"required": [kind], "properties": {kind: {"required": [key], "properties": {key: ID}}}}
            for kind, key in (("image", "url"), ("image", "base64"), ("text", "raw"), ("text", "url"))]


def same_length_pairs(a: str, b: str, most: int = 16) -> list:
    """``a`` and ``b`` both given with as many entries (JSON Schema cannot compare two lengths: written out,
    up to ``most``; schemathesis cannot generate from a much longer anyOf: 128 fails)."""
    return [{"required": [a, b], "properties": {a: {"minItems": n, "maxItems": n}, b: {"minItems": n, "maxItems": n}}}
            for n in range(1, most + 1)]


REVIEW_CONFIG = obj({"task_assignments": arr(obj({"id": STR})), "workers": arr(ref("WorkerIn"))})
REVIEW_DECISIONS = {"REVIEW_APPROVE": "review_approve_config", "REVIEW_REQUEST_CHANGES": "review_request_changes_config",
                    "REVIEW_REJECT": "review_reject_config"}
ANNOTATION_DECISIONS = ("ANNOTATION_SUCCESS", "ANNOTATION_REVIEW_DENIED", "ANNOTATION_PENDING")
TASK_IN = {
    "id": STR, "type": enum("task_type"), "name": STR, "description": STR, "worker": ref("TaskWorker"),
    "concept_ids": arr(ID), "concepts": arr(obj({"concept": obj({"id": ID, "value": NUM}, ["id"])}, ["concept"])),
    "input_source": ref("TaskInputSource"), "sample_ms": {"type": "integer", "minimum": 0},
    "review": ref("TaskReview"), "status": ref("TaskStatusIn"), "priority": enum("priority"), "metadata": FREE,
    "delete_previous_annotations": BOOL, "label_order_id": STR,
}
LABEL_ORDER_IN = {"id": NO_SLASH, "name": STR, "status": ref("LabelOrderStatusIn"), "auto_release": BOOL,
                  "allow_empty_tag": BOOL,
                  "desired_fulfill_time": {"anyOf": [{"type": "string", "format": "date-time"},
                                                     {"type": "string", "maxLength": 0}],
                                           "description": "RFC 3339 with a zone (2024-05-06T10:00:00Z), or empty"}}
USER_FIELDS_IN = {"id": {"type": "string", "pattern": "^[^/]+$"}, "primary_email": STR, "first_name": STR,
                  "last_name": STR, "company_name": STR, "job_title": STR, "job_role": STR}
ANNOTATION_IN = {"id": STR, "input_id": STR, "data": ref("AnnotationData"), "user_id": STR, "task_id": STR,
                 "status": ref("AnnotationStatusIn"), "worker": ref("Worker"), "annotation_info": FREE}

SCHEMAS = {
    "Status": obj({"code": INT, "description": STR, "details": STR, "req_id": STR}, ["code", "description"]),
    "TaskStatusIn": obj({"code": codes(TASK_CODES, "task status code"), "description": STR}, ["code"]),
    "AnnotationStatusIn": obj({"code": codes(ANNOTATION_CODES, "annotation status code"), "description": STR}),
    "LabelOrderStatusIn": obj({"code": codes(LABEL_ORDER_CODES, "label order status code"), "description": STR}),
    "UserAppIDSet": obj({"user_id": STR, "app_id": STR}),
    "Worker": obj({"user": USER}),
    "WorkerIn": obj({"user": USER_REF}, ["user"]),
    "TaskWorker": obj({
        "strategy": enum("worker_strategy"), "user_ids": arr(ID), "users": arr(USER_REF), "workers": arr(ref("WorkerIn")),
        "partitioned_strategy_info": obj({"type": enum("partition"), "workers_per_input": {"type": "integer", "minimum": 0},
                                          "weights": {"type": "object",
                                                      "additionalProperties": {"type": "number", "minimum": 0},
                                                      "description": "user id (one of the task's workers) -> weight"}}),
    }, anyOf=[  # PARTITIONED + WEIGHTED with workers needs weights
        {"properties": {"strategy": {"not": is_("worker_strategy", "PARTITIONED")}}},
        {"properties": {"partitioned_strategy_info": {"properties": {"type": {"not": is_("partition", "WEIGHTED")}}}}},
        {"properties": {k: {"maxItems": 0} for k in ("user_ids", "users", "workers")}},
        {"required": ["partitioned_strategy_info"],
         "properties": {"partitioned_strategy_info": {"required": ["weights"], "properties": {"weights": {"minProperties": 1}}}}},
    ]),
    "TaskReview": obj({
        "strategy": enum("review_strategy"), "user_ids": arr(ID), "users": arr(USER_REF),
        "manual_strategy_info": obj({"sample_percentage": {"type": "number", "minimum": 0, "maximum": 100,
                                                           "description": "a fraction 0..1, or a percent"},
                                     "approval_threshold": {"type": "integer", "minimum": 0}}),
        "consensus_strategy_info": obj({"approval_threshold": {"type": "integer", "minimum": 1,
                                                               "description": "deprecated: approval_threshold_labelers"},
                                        "approval_threshold_labelers": {"type": "integer", "minimum": 0},
                                        "approval_threshold_reviewers": {
                                            "type": "integer", "minimum": -1,
                                            "description": "-1: every reviewer must approve; 0: 1"}}),
    }),
    "TaskInputSource": obj({"type": enum("input_source"), "id": STR},  # any source but all inputs names its id
                           anyOf=[{"properties": {"type": is_("input_source", "INPUT_SOURCE_TYPE_NOT_SET", "ALL_INPUTS")}},
                                  {"required": ["id"], "properties": {"id": ID}}]),
    "TaskIn": obj(TASK_IN),
    "TaskPatch": obj({**TASK_IN, "id": ID}, ["id"]),
    "Task": obj({"id": STR, "created_at": STR, "modified_at": STR, "type": STR, "name": STR, "description": STR,
                 "worker": FREE, "concept_ids": arr(STR), "concepts": arr(FREE), "input_source": FREE,
                 "sample_ms": INT, "review": FREE, "status": ref("Status"), "app_id": STR, "user_id": STR,
                 "priority": STR, "metadata": FREE, "metrics": FREE, "label_order_id": STR}, ["id", "status"]),
    "Input": obj({"id": STR, "data": FREE, "created_at": STR, "modified_at": STR, "status": ref("Status"),
                  "dataset_ids": arr(STR)}, ["id"]),
    "InputIn": obj({"id": {"type": "string", "pattern": "^[^|/]*$", "description": "without '|' or '/'"},
                    "data": obj({"image": obj({"url": STR, "base64": STR}), "text": obj({"raw": STR, "url": STR}),
                                 "metadata": FREE,
                                 # labels given at upload: one trusted annotation by the caller
                                 "concepts": arr(ref("AnnotationConcept")), "regions": arr(ref("Region"))},
                                anyOf=one_of_media()),
                    "dataset_ids": arr(STR)}, ["data"]),
    "InputPatch": obj({"id": STR, "data": obj({"metadata": FREE}, additionalProperties=False,
                                              description="only the metadata of an input can change")}, ["id"]),
    "Concept": obj({"id": STR, "name": STR, "value": NUM, "created_at": STR, "language": STR, "app_id": STR,
                    "user_id": STR}, ["id"]),
    "ConceptIn": obj({"id": ID, "name": STR, "value": NUM}, ["id"]),
    "Dataset": obj({"id": STR, "created_at": STR, "modified_at": STR, "app_id": STR, "user_id": STR,
                    "description": STR, "metadata": FREE}, ["id"]),
    "DatasetIn": obj({"id": {"type": "string", "pattern": "^[^/]+$", "description": "without '/'"},
                      "description": STR, "metadata": FREE}, ["id"]),
    "DatasetInput": obj({"created_at": STR, "input": ref("Input")}),
    # A concept is named by a non-empty id or name.
    "AnnotationConcept": obj({"id": STR, "name": STR, "value": NUM},
                             anyOf=[{"required": ["id"], "properties": {"id": ID}},
                                    {"required": ["name"], "properties": {"name": ID}}]),
    "Region": obj({"id": STR,
                   "region_info": obj({"bounding_box": obj({k: NUM for k in ("top_row", "left_col", "bottom_row",
                                                                               "right_col")}),
                                       "polygon": obj({"points": {"type": "array", "minItems": 3,
                                                                  "items": obj({"row": NUM, "col": NUM})}},
                                                      ["points"])}),
                   "data": obj({"concepts": arr(ref("AnnotationConcept"))})}),
    "AnnotationData": obj({"concepts": arr(ref("AnnotationConcept")), "regions": arr(ref("Region")),
                           "metadata": FREE}),
    "AnnotationIn": obj(ANNOTATION_IN, ["input_id"]),
    "AnnotationPatch": obj(ANNOTATION_IN, ["id"]),
    "Annotation": obj({"id": STR, "input_id": STR, "data": FREE, "user_id": STR, "task_id": STR,
                       "status": ref("Status"), "created_at": STR, "modified_at": STR, "worker": ref("Worker"),
                       "trusted": BOOL, "annotation_info": FREE}, ["id", "input_id"]),
    "TaskAssignment": obj({"id": STR, "created_at": STR, "modified_at": STR, "worker": ref("Worker"),
                           "input": ref("Input"), "status": ref("Status")}, ["id"]),
    "TaskStatusCountPerUser": obj({"user_id": STR, "pending": INT, "awaiting_review": INT, "success": INT,
                                   "review_denied": INT, "awaiting_consensus_review": INT, "worker": ref("Worker")}),
    "User": obj({"id": STR, "primary_email": STR, "first_name": STR, "last_name": STR, "company_name": STR,
                 "job_title": STR, "job_role": STR}),
    "UserIn": obj(USER_FIELDS_IN, ["id"]),
    "Collaborator": obj({"id": STR, "app": obj({"id": STR, "user_id": STR}), "user": ref("User"), "scopes": arr(STR),
                         "endpoints": arr(STR), "created_at": STR, "modified_at": STR, "deleted_at": STR},
                        ["id", "user"]),
    "CollaboratorIn": obj({"id": ID, "user": ref("UserIn"), "scopes": arr(STR), "endpoints": arr(STR)}, ["user"]),
    "CollaboratorPatch": obj({"id": STR, "user": ref("UserIn"), "scopes": arr(STR), "endpoints": arr(STR)},
                             description="named by id or user.id"),
    "InputCount": obj({k: INT for k in ("processed", "to_process", "errors", "processing", "reindexed",
                                        "to_reindex", "reindex_errors", "reindexing")}),
    "ConceptTypeCount": obj({"positive": INT, "negative": INT}),
    "ConceptCount": obj({"id": STR, "name": STR, "concept_type_count": ref("ConceptTypeCount"),
                         "detail_concept_count": obj({k: ref("ConceptTypeCount") for k in
                                                      ("processed", "to_process", "errors", "processing")})},
                        ["id"]),
    "DatasetVersion": obj({"id": STR, "created_at": STR, "modified_at": STR, "app_id": STR, "user_id": STR,
                           "dataset_id": STR, "status": ref("Status"), "description": STR, "metadata": FREE,
                           "metrics": FREE, "annotation_filter_config": FREE}, ["id", "dataset_id"]),
    "DatasetVersionIn": obj({"id": NO_SLASH, "description": STR, "metadata": FREE, "annotation_filter_config": FREE}),
    "DatasetVersionPatch": obj({"id": STR, "description": STR, "metadata": FREE}, ["id"]),
    "LabelOrder": obj({"id": STR, "name": STR, "status": ref("Status"), "auto_release": BOOL,
                       "allow_empty_tag": BOOL, "desired_fulfill_time": STR, "estimate_fulfill_time": STR,
                       "task": ref("Task"), "created_at": STR, "modified_at": STR}, ["id"]),
    "LabelOrderIn": obj({**LABEL_ORDER_IN, "task": ref("TaskIn")}, ["task"]),
    "LabelOrderPatch": obj({**LABEL_ORDER_IN, "id": STR,
                            "task": {"type": "object", "maxProperties": 0,
                                     "description": "the order's task changes through PatchTasks"}}),
    # What a search filter may name (anything else is SEARCH_INVALID_REQUEST).
    "Filter": obj({"negate": BOOL, "annotation": ref("AnnotationFilter"), "input": ref("InputFilter")},
                  additionalProperties=False),
    "InputFilter": obj({"id": ID, "dataset_ids": arr(STR),
                        "status": obj({"code": codes(tuple(CODES))}, ["code"], additionalProperties=False),
                        "data": obj({"image": FREE, "text": FREE, "metadata": FREE}, additionalProperties=False)},
                       additionalProperties=False),
    "AnnotationFilter": obj({
        "id": ID, "input_id": ID, "task_id": ID, "user_id": ID,
        "worker": obj({"user": obj({"id": ID}, ["id"], additionalProperties=False)}, ["user"],
                      additionalProperties=False),
        "status": obj({"code": codes(ANNOTATION_CODES)}, ["code"], additionalProperties=False),
        "trusted": BOOL,
        "data": obj({"concepts": arr(obj({"id": STR, "name": STR, "value": NUM}, additionalProperties=False,
                                         anyOf=[{"required": ["id"], "properties": {"id": ID}},
                                                {"required": ["name"], "properties": {"name": ID}}])),
                     "metadata": FREE}, additionalProperties=False),
    }, additionalProperties=False),
    "SearchIn": obj({"id": STR, "name": STR, "save": BOOL,
                     "query": obj({"filters": arr(ref("Filter")),
                                   "ranks": {"type": "array", "maxItems": 0,
                                             "description": "similarity ranks are not searched: filters only"},
                                   "ands": {"type": "array", "maxItems": 0}, "language": STR},
                                  additionalProperties=False)},
                    anyOf=[{"properties": {"save": {"enum": [False]}}},  # a saved search's id has no '/'
                           {"properties": {"id": NO_SLASH}}]),
    "Hit": obj({"score": NUM, "input": ref("Input"), "annotation": ref("Annotation"), "user_id": STR,
                "app_id": STR}),
    # requests
    "PostTasksRequest": obj({"user_app_id": ref("UserAppIDSet"), "tasks": some(ref("TaskIn"))}, ["tasks"]),
    "PatchTasksRequest": obj({"user_app_id": ref("UserAppIDSet"), "tasks": some(ref("TaskPatch")),
                              "action": {"type": "string", "enum": ["overwrite", "merge"]}}, ["tasks"]),
    "IdsRequest": obj({"user_app_id": ref("UserAppIDSet"), "ids": some(STR)}, ["ids"]),
    "PostInputsRequest": obj({"user_app_id": ref("UserAppIDSet"), "inputs": some(ref("InputIn"))}, ["inputs"]),
    "PostConceptsRequest": obj({"user_app_id": ref("UserAppIDSet"), "concepts": some(ref("ConceptIn"))}, ["concepts"]),
    "PostDatasetsRequest": obj({"user_app_id": ref("UserAppIDSet"), "datasets": some(ref("DatasetIn"))}, ["datasets"]),
    "PostDatasetInputsRequest": obj({"user_app_id": ref("UserAppIDSet"), "dataset_id": STR,
                                     "dataset_inputs": some(obj({"input": obj({"id": ID}, ["id"])}, ["input"]))},
                                    ["dataset_inputs"]),
    "PostAnnotationsRequest": obj({"user_app_id": ref("UserAppIDSet"), "annotations": some(ref("AnnotationIn"))},
                                  ["annotations"]),
    "PatchAnnotationsRequest": obj({"user_app_id": ref("UserAppIDSet"), "annotations": some(ref("AnnotationPatch")),
                                    "action": {"type": "string", "enum": ["merge", "overwrite", "remove"]}},
                                   ["annotations"]),
    "PutTaskAssignmentsRequest": obj({
        "user_app_id": ref("UserAppIDSet"), "task_id": STR, "input_id": STR, "action": enum("assignment_action"),
        "label_submit_config": obj({"task_assignments": arr(obj({"id": STR}))}),
        "review_start_config": obj({"workers": arr(ref("WorkerIn"))}),
        **{config: REVIEW_CONFIG for config in REVIEW_DECISIONS.values()},
    }, anyOf=[  # what each action needs; no action: the deprecated form, input_id alone = LABEL_SUBMIT
        {"required": ["input_id"], "properties": {"input_id": ID}},
        {"required": ["action"], "properties": {"action": is_("assignment_action", "LABEL_START", "REVIEW_START")}},
        {"required": ["action", "label_submit_config"],
         "properties": {"action": is_("assignment_action", "LABEL_SUBMIT"),
                        "label_submit_config": {"required": ["task_assignments"],
                                                "properties": {"task_assignments": {"minItems": 1}}}}},
        *({"required": ["action", config],
           "properties": {"action": is_("assignment_action", action),
                          config: {"required": [key], "properties": {key: {"minItems": 1}}}}}
          for action, config in REVIEW_DECISIONS.items() for key in ("task_assignments", "workers")),
    ]),
    "PatchAnnotationsStatusRequest": obj({"user_app_id": ref("UserAppIDSet"), "task_id": STR, "user_ids": arr(STR),
                                          "status_codes": arr(codes(ANNOTATION_CODES)),
                                          "status_code": codes(ANNOTATION_DECISIONS, "the review's annotation status"),
                                          "action": STR}, ["status_code"]),
    # by ids (each on the input_ids entry at the same place, when given), or every annotation of input_ids
    "DeleteAnnotationsRequest": obj({"user_app_id": ref("UserAppIDSet"), "ids": arr(ID), "input_ids": arr(STR)},
                                    anyOf=[{"required": ["ids"], "properties": {"ids": {"minItems": 1},
                                                                                "input_ids": {"maxItems": 0}}},
                                           {"required": ["input_ids"], "properties": {"input_ids": {"minItems": 1},
                                                                                      "ids": {"maxItems": 0}}},
                                           *same_length_pairs("ids", "input_ids")]),
    "PatchInputsRequest": obj({"user_app_id": ref("UserAppIDSet"), "action": PATCH_ACTION,
                               "inputs": some(ref("InputPatch"))}, ["inputs"]),
    "PatchConceptsRequest": obj({"user_app_id": ref("UserAppIDSet"),
                                 "action": {"type": "string", "enum": ["overwrite", "merge"]},
                                 "concepts": some(ref("ConceptIn"))}, ["concepts"]),
    "PatchDatasetsRequest": obj({"user_app_id": ref("UserAppIDSet"), "action": PATCH_ACTION,
                                 "datasets": some(obj({"id": STR, "description": STR, "metadata": FREE}, ["id"]))},
                                ["datasets"]),
    "DeleteDatasetsRequest": obj({"user_app_id": ref("UserAppIDSet"), "dataset_ids": some(STR)}, ["dataset_ids"]),
    "DeleteDatasetInputsRequest": obj({"user_app_id": ref("UserAppIDSet"), "dataset_id": STR,
                                       "input_ids": some(STR)}, ["input_ids"]),
    "PostDatasetVersionsRequest": obj({"user_app_id": ref("UserAppIDSet"), "dataset_id": STR,
                                       "dataset_versions": some(ref("DatasetVersionIn"))}, ["dataset_versions"]),
    "PatchDatasetVersionsRequest": obj({"user_app_id": ref("UserAppIDSet"), "dataset_id": STR, "action": PATCH_ACTION,
                                        "dataset_versions": some(ref("DatasetVersionPatch"))}, ["dataset_versions"]),
    "DeleteDatasetVersionsRequest": obj({"user_app_id": ref("UserAppIDSet"), "dataset_id": STR,
                                         "dataset_version_ids": some(STR)}, ["dataset_version_ids"]),
    "PostCollaboratorsRequest": obj({"user_app_id": ref("UserAppIDSet"), "collaborators": some(ref("CollaboratorIn"))},
                                    ["collaborators"]),
    "PatchCollaboratorsRequest": obj({"user_app_id": ref("UserAppIDSet"),
                                      "action": {"type": "string", "enum": ["overwrite"]},
                                      "collaborators": some(ref("CollaboratorPatch"))}, ["collaborators"]),
    "DeleteCollaboratorsRequest": obj({"user_app_id": ref("UserAppIDSet"), "collaborator_ids": arr(STR),
                                       "user_emails": arr(STR)},
                                      anyOf=[{"required": ["collaborator_ids"], "properties": {"collaborator_ids": {"minItems": 1}}},
                                             {"required": ["user_emails"], "properties": {"user_emails": {"minItems": 1}}}]),
    "PostLabelOrdersRequest": obj({"user_app_id": ref("UserAppIDSet"), "label_orders": some(ref("LabelOrderIn"))},
                                  ["label_orders"]),
    "PatchLabelOrdersRequest": obj({"user_app_id": ref("UserAppIDSet"),
                                    "action": {"type": "string", "enum": ["merge", "overwrite"]},
                                    "label_orders": some(ref("LabelOrderPatch"))}, ["label_orders"]),
    "PostSearchesRequest": obj({"user_app_id": ref("UserAppIDSet"), "searches": some(ref("SearchIn")),
                                "pagination": PAGINATION, "only_count": BOOL}, ["searches"]),
    "PostConceptsSearchesRequest": obj({"user_app_id": ref("UserAppIDSet"), "pagination": PAGINATION,
                                        "concept_query": obj({"name": STR, "language": STR})}),
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
    "SingleAnnotationResponse": obj({"status": ref("Status"), "annotation": ref("Annotation")},
                                    ["status", "annotation"]),
    "MultiWorkerResponse": obj({"status": ref("Status"), "workers": arr(obj({"user": ref("User")}))},
                               ["status", "workers"]),
    "SingleInputCountResponse": obj({"status": ref("Status"), "counts": ref("InputCount")}, ["status", "counts"]),
    "MultiConceptCountResponse": obj({"status": ref("Status"), "concept_counts": arr(ref("ConceptCount"))},
                                     ["status", "concept_counts"]),
    "SingleDatasetInputResponse": obj({"status": ref("Status"), "dataset_input": ref("DatasetInput")},
                                      ["status", "dataset_input"]),
    "MultiDatasetVersionResponse": obj({"status": ref("Status"), "dataset_versions": arr(ref("DatasetVersion"))},
                                       ["status", "dataset_versions"]),
    "SingleDatasetVersionResponse": obj({"status": ref("Status"), "dataset_version": ref("DatasetVersion")},
                                        ["status", "dataset_version"]),
    "MultiCollaboratorsResponse": obj({"status": ref("Status"), "collaborators": arr(ref("Collaborator")),
                                       "app_owner": ref("User")}, ["status", "collaborators"]),
    "MultiLabelOrderResponse": obj({"status": ref("Status"), "label_orders": arr(ref("LabelOrder"))},
                                   ["status", "label_orders"]),
    "SingleLabelOrderResponse": obj({"status": ref("Status"), "label_order": ref("LabelOrder")},
                                    ["status", "label_order"]),
    "MultiSearchResponse": obj({"status": ref("Status"), "id": STR, "hits": arr(ref("Hit")), "searches": arr(FREE),
                                "hit_counts": arr(obj({"estimated_total": STR}))}, ["status", "hits"]),
    "MultiInputAnnotationResponse": obj({"status": ref("Status"), "hits": arr(ref("Hit"))}, ["status", "hits"]),
}


# Query values the handlers read as enums: names or numbers (digit strings). ``statuses`` may also be the bare
# word ``code``, as clarifai-grpc's JSON channel writes ``statuses=[{code: ...}]`` in a query string.
_ANNOTATION_STATUS_QUERY = {"type": "string", "enum": list(ANNOTATION_CODES) + [str(CODES[n][0]) for n in ANNOTATION_CODES]
                            + ["code"]}
QUERY_ENUMS = {"input_source_type": {"type": "string", "enum": list(ENUMS["input_source"])
                                     + [str(n) for n in ENUMS["input_source"].values()]},
               "statuses": _ANNOTATION_STATUS_QUERY, "statuses.code": _ANNOTATION_STATUS_QUERY}


def query_param(name: str) -> dict:
    if name in ARRAY_QUERY:
        schema = arr(QUERY_ENUMS[name]) if name in QUERY_ENUMS else arr(STR)
        return {"name": name, "in": "query", "required": False, "style": "form", "explode": True, "schema": schema}
    if name in INT_QUERY:
        schema = {"type": "integer", "minimum": 0}
    elif name in BOOL_QUERY:
        schema = BOOL
    elif name in QUERY_ENUMS:
        schema = QUERY_ENUMS[name]
    else:
        schema = STR
    return {"name": name, "in": "query", "required": False, "schema": schema}


ERRORS = {"400": "bad request (CONN_INVALID_REQUEST or SEARCH_INVALID_REQUEST, details name the field)",
          "401": "key missing (11009), unknown (11009, or 11008 when not in a key's format), without access to the "
                 "app, or a PAT on a route that does not name the app (11008)",
          "403": "the caller may not act on this task work, or a task's worker or reviewer is not a collaborator "
                 "(TASK_PERMISSION_DENIED); only the app's owner changes collaborators (CONN_INSUFFICIENT_SCOPES)",
          "404": "unknown task (TASK_MISSING), input, annotation, concept, dataset, version, label order, "
                 "collaborator or route",
          "405": "method not allowed on this path",
          "409": "conflict with the task's state (TASK_CONFLICT) or an id already taken",
          "413": "body too large", "415": "body is not JSON"}
