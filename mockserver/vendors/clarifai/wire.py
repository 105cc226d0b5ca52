"""Clarifai's wire vocabulary: enums (by name or number), status codes, timestamps, envelopes.

Requests may carry an enum by name (``"PARTITIONED"``) or by number (``2``); answers use names.
Status codes stay numbers, as Clarifai's REST answers write them (the client reads both).
"""
from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

from ...vendors.base import VendorError
from . import status

# Enum tables from the clarifai-grpc descriptors (resources.proto / service.proto).
ENUMS: dict[str, dict[str, int]] = {
    "task_type": {"TYPE_NOT_SET": 0, "CONCEPTS_CLASSIFICATION": 1, "BOUNDING_BOX_DETECTION": 2,
                  "POLYGON_DETECTION": 3},
    "priority": {"TASK_PRIORITY_NOT_SET": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3},
    "input_source": {"INPUT_SOURCE_TYPE_NOT_SET": 0, "ALL_INPUTS": 1, "SAVED_SEARCH": 2, "DATASET": 3, "INPUT": 4},
    "worker_strategy": {"WORKER_STRATEGY_NOT_SET": 0, "PARTITIONED": 2, "FULL": 3, "DYNAMIC": 4},
    "partition": {"PARTITIONED_WORKER_STRATEGY_NOT_SET": 0, "EVENLY": 1, "WEIGHTED": 2},
    "review_strategy": {"TASK_REVIEW_STRATEGY_NOT_SET": 0, "NONE": 1, "MANUAL": 2, "CONSENSUS": 3},
    "assignment_action": {"PUT_TASK_ASSIGNMENTS_REQUEST_ACTION_NOT_SET": 0, "LABEL_START": 1, "LABEL_SUBMIT": 2,
                          "REVIEW_START": 10, "REVIEW_APPROVE": 11, "REVIEW_REQUEST_CHANGES": 12,
                          "REVIEW_REJECT": 13},
}

# Status codes (status_code.proto) this adapter answers or accepts, with their descriptions.
# Descriptions as Clarifai's status-code table and its real answers word them.
CODES: dict[str, tuple[int, str]] = {
    "SUCCESS": (10000, "Ok"),
    "MIXED_STATUS": (10010, "Mixed Success"),
    "FAILURE": (10020, "Failure"),
    "NOT_IMPLEMENTED": (10040, "Not implemented"),
    "CONN_INSUFFICIENT_SCOPES": (11007, "API key has insufficient permissions"),
    "CONN_KEY_INVALID": (11008, "Invalid API key or Invalid API key/application pair"),
    "CONN_KEY_NOT_FOUND": (11009, "API key not found"),
    "CONN_INVALID_REQUEST": (11102, "Invalid request"),
    "CONN_DOES_NOT_EXIST": (11101, "Resource does not exist"),
    "CONCEPT_MODIFY_SUCCESS": (23150, "Concept modified"),
    "ANNOTATION_SUCCESS": (24150, "Annotation success"),
    "ANNOTATION_PENDING": (24151, "Annotation pending"),
    "ANNOTATION_FAILED": (24152, "Annotation failed"),
    "ANNOTATION_UNKNOWN_STATUS": (24154, "Annotation unknown status"),
    "ANNOTATION_INVALID_ARGUMENT": (24155, "Annotation invalid argument"),
    "ANNOTATION_PERMISSION_DENIED": (24156, "Permission to annotation denied"),
    "ANNOTATION_AWAITING_REVIEW": (24157, "Annotation awaiting review"),
    "ANNOTATION_REVIEW_DENIED": (24158, "Annotation review denied"),
    "ANNOTATION_AWAITING_CONSENSUS_REVIEW": (24159, "Annotation awaiting consensus review"),
    "INPUT_DOWNLOAD_SUCCESS": (30000, "Download complete"),
    "INPUT_DUPLICATE": (30100, "Duplicate URL in your application. Check the documentation to allow duplications."),
    "INPUT_DOES_NOT_EXIST": (30102, "Input does not exist"),
    "INPUT_INVALID_ARGUMENT": (30104, "Invalid input argument"),
    "SEARCH_INVALID_REQUEST": (40002, "Invalid search request"),
    "CONCEPTS_INVALID_REQUEST": (40003, "Invalid request"),
    "DATABASE_DUPLICATE_KEY": (40010, "Object has a duplicate ID; another object with same ID already exist."),
    "TASK_IN_PROGRESS": (54001, "Task in progress"),
    "TASK_DONE": (54002, "Task done"),
    "TASK_WONT_DO": (54003, "Task won't do"),
    "TASK_FAILED": (54005, "Task failed"),
    "TASK_IDLE": (54006, "Task idle"),
    "TASK_CONFLICT": (54100, "Task conflict"),
    "TASK_NOT_IMPLEMENTED": (54101, "Task not implemented"),
    "TASK_MISSING": (54102, "Task was not found"),
    "TASK_PERMISSION_DENIED": (54103, "Task permission denied"),
    "TASK_ASSIGNMENT_SUCCESS": (54200, "Task assignment success"),
    "TASK_ASSIGNMENT_PENDING": (54201, "Task assignment pending"),
    "TASK_ASSIGNMENT_AWAITING_REVIEW": (54202, "Task assignment awaiting review"),
    "TASK_ASSIGNMENT_AWAITING_CONSENSUS_REVIEW": (54203, "Task assignment awaiting consensus review"),
    "TASK_ASSIGNMENT_REJECTED": (54204, "Task assignment rejected"),
    "LABEL_ORDER_PENDING": (55001, "Label order pending"),
    "LABEL_ORDER_IN_PROGRESS": (55002, "Label order in progress"),
    "LABEL_ORDER_SUCCESS": (55003, "Label order success"),
    "LABEL_ORDER_CANCELED": (55004, "Label order canceled"),
    "DATASET_VERSION_PENDING": (64005, "The dataset version is pending to be processed"),
    "DATASET_VERSION_IN_PROGRESS": (64010, "The dataset version is currently being processed"),
    "DATASET_VERSION_READY": (64015, "The dataset version is ready to be used"),
    "DATASET_VERSION_CONFLICT": (64030, "An alteration to dataset version would create a conflict"),
    "DATASET_INPUT_SUCCESS": (64100, "The dataset input was successfully added"),
    "DATASET_INPUT_DUPLICATE": (64101, "The dataset input is a duplicate"),
}
CODE_BY_NUMBER = {number: name for name, (number, _) in CODES.items()}

ANNOTATION_CODES = ("ANNOTATION_SUCCESS", "ANNOTATION_PENDING", "ANNOTATION_AWAITING_REVIEW",
                    "ANNOTATION_REVIEW_DENIED", "ANNOTATION_AWAITING_CONSENSUS_REVIEW")
LABEL_ORDER_CODES = ("LABEL_ORDER_PENDING", "LABEL_ORDER_IN_PROGRESS", "LABEL_ORDER_SUCCESS", "LABEL_ORDER_CANCELED")
TASK_CODES = ("TASK_IN_PROGRESS", "TASK_DONE", "TASK_WONT_DO", "TASK_FAILED", "TASK_IDLE")


def answer_lists() -> dict:
    """``{"tasks": []}``: the list field the current call's answer writes even when empty (an error answer
    keeps it, as Clarifai's do), read from the principal (``routes.answer_list``); ``{}`` outside a call."""
    from ...world import current_principal

    who = current_principal()
    field = who.get("answer_list") if isinstance(who, dict) else None
    return {field: []} if field else {}


def error_body(status_dict: dict) -> dict:
    """An error answer: the status and the call's always-written list field."""
    return {"status": status_dict, **answer_lists()}


def invalid(details: str, http: int = 400) -> VendorError:
    """CONN_INVALID_REQUEST naming the bad field in ``details``: HTTP 400 for a request's shape; ``http`` 404
    (an id that names nothing) or 409 (a conflict with what exists) for what the schema cannot state. The
    clients read only the body's status, which stays the same."""
    return VendorError(http, error_body(status(11102, "Invalid request", details)))


def new_id(given, field: str) -> str:
    """The id a create names (``given``), or a fresh one when it names none; an id is a string without '/'
    (it becomes part of a stored key ``app/id``)."""
    made = given or uuid.uuid4().hex
    if not isinstance(made, str) or "/" in made:
        raise invalid(f"{field}.id: a string without '/' is required")
    return made


def failure(http: int, code_name: str, details: str | None = None) -> VendorError:
    number, desc = CODES[code_name]
    return VendorError(http, error_body(status(number, desc, details)))


def enum_name(kind: str, value: Any, field: str, default: str | None = None) -> str | None:
    """The enum's name for a name or number (numbers may come as digit strings from query strings)."""
    if value is None or value == "":
        return default
    table = ENUMS[kind]
    if isinstance(value, bool):
        raise invalid(f"{field}: {value!r} is not a valid value")
    if isinstance(value, str) and value.lstrip("-").isascii() and value.lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, int):
        for name, number in table.items():
            if number == value:
                return name
    elif isinstance(value, str) and value in table:
        return value
    raise invalid(f"{field}: unknown value {value!r}; one of {', '.join(n for n in table if table[n])}")


def code_name(value: Any, field: str, allowed: tuple[str, ...] | None = None) -> str:
    """A status code given by name or number, checked against ``allowed``."""
    if isinstance(value, str) and value.isascii() and value.isdigit():  # "²".isdigit() but int("²") fails
        value = int(value)
    name = CODE_BY_NUMBER.get(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(name, str) or name not in CODES or (allowed and name not in allowed):
        raise invalid(f"{field}: unknown status code {value!r}" + (f"; one of {', '.join(allowed)}" if allowed else ""))
    return name


def code_status(name: str, details: str | None = None) -> dict:
    number, desc = CODES[name]
    out = {"code": number, "description": desc}
    if details:
        out["details"] = details
    return out


def timestamp(epoch: float | None) -> str | None:
    """RFC 3339 in UTC with microseconds, as Clarifai writes its Timestamps."""
    if epoch is None:
        return None
    return _dt.datetime.fromtimestamp(float(epoch), tz=_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ok(**payload) -> dict:
    return {"status": status(), **payload}


def page_of(items: list, page: int | None, per_page: int | None, default: int = 128) -> list:
    page = 1 if not page or page < 1 else int(page)
    per_page = default if not per_page or per_page < 1 else min(int(per_page), 1000)
    start = (page - 1) * per_page
    return items[start:start + per_page]


def user_ids(value: Any, field: str) -> list[str]:
    """User ids given as ``["id"]`` or ``[{"id": ...}]`` (Clarifai's deprecated and current forms)."""
    out = []
    for i, entry in enumerate(value or []):
        if isinstance(entry, dict):
            entry = entry.get("id") or (entry.get("user") or {}).get("id")
        if not isinstance(entry, str) or not entry:
            raise invalid(f"{field}[{i}]: a user id is required")
        out.append(entry)
    return list(dict.fromkeys(out))
