"""WorkStream Performance records: Throughput (task completed) and Quality (task reviewed).

One set of field rules serves the JSON endpoints and the rows of a Secure Upload CSV, so a record
means the same thing whichever way it came in.  ``check`` collects *every* problem of a body (the
answer names each bad field), ``store_record`` applies the ``unique_id`` / ``replace_duplicate`` rule.

Records live in ``cloudfactory_throughput`` / ``cloudfactory_quality``, indexed by workstream and by
``day`` bucket (workstream + UTC day of the record's time), so a report reads only the days it covers.
"""
from __future__ import annotations

import hashlib
import json

from . import errors, wire

THROUGHPUT, QUALITY = "throughput", "quality"
TABLES = {THROUGHPUT: "cloudfactory_throughput", QUALITY: "cloudfactory_quality"}
DATA_SOURCES = ("api", "csv_manual", "csv_auto")
REVIEW_TYPES = ("QA", "QC", "Spot Check", "Others")

_COMMON = {
    "workstream_id": "id", "use_case_id": "id", "task_definition_id": "id", "worker_id": "id",
    "dataset_id": "str", "asset_id": "str", "task_id": "str", "unique_id": "str", "replace_duplicate": "bool",
    "task_url": "str", "data_source": "data_source",
}
RULES = {
    THROUGHPUT: {**_COMMON, "task_created_at": "time", "task_started_at": "time", "task_completed_at": "time",
                 "duration": "seconds", "task_count": "count1", "subtask_count": "count0",
                 "measure_1": "number", "measure_2": "number", "measure_3": "number", "task_metadata": "object"},
    QUALITY: {**_COMMON, "task_completed_at": "time", "review_completed_at": "time", "review_duration": "seconds",
              "reviewed_by": "str", "review_score": "score", "review_explanation": "str", "errors": "error_counts",
              "review_type": "review_type", "task_review_count": "seconds", "subtask_review_count": "seconds",
              "review_metadata": "object", "review_measurements": "object"},
}
# Throughput's page lists no workstream_id in the body (it is in the path); Quality's lists it as required.
REQUIRED = {
    THROUGHPUT: ("use_case_id", "task_definition_id", "worker_id", "task_started_at", "task_completed_at"),
    QUALITY: ("workstream_id", "use_case_id", "task_definition_id", "worker_id", "review_completed_at",
              "review_score"),
}
# The principal's key for the (kind, workstream id, record) the adapter checked at authentication (the
# vendor's error order needs it there); the handler stores that record instead of checking the body again.
CHECKED = "performance_record"

# The record's own time, used by reports and their day buckets.
TIME_FIELD = {THROUGHPUT: "task_completed_at", QUALITY: "review_completed_at"}


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_value(rule: str, v):
    """The reason ``v`` breaks ``rule``, or None."""
    if rule == "id":
        return None if isinstance(v, str) and v.strip() else "must be a non-empty string"
    if rule == "str":
        return None if isinstance(v, str) else "must be a string"
    if rule == "bool":
        return None if isinstance(v, bool) else "must be true or false"
    if rule == "time":
        return None if wire.parse_time(v) is not None else "must be an ISO 8601 date-time with an offset, e.g. 2020-12-22T10:13:24.127Z"
    if rule == "seconds":
        return None if _number(v) and v >= 0 else "must be a number >= 0"
    if rule == "number":
        return None if _number(v) else "must be a number"
    if rule == "score":
        return None if _number(v) and 0 <= v <= 1 else "must be a number between 0 and 1"
    if rule == "count1":
        return None if isinstance(v, int) and not isinstance(v, bool) and v >= 1 else "must be an integer >= 1"
    if rule == "count0":
        return None if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else "must be an integer >= 0"
    if rule == "object":
        return None if isinstance(v, dict) else "must be an object"
    if rule == "error_counts":
        if not isinstance(v, dict):
            return "must be an object of error type -> count"
        bad = [k for k, n in v.items() if not (isinstance(n, int) and not isinstance(n, bool) and n >= 0)]
        return f"counts must be integers >= 0 (bad: {', '.join(sorted(bad))})" if bad else None
    if rule == "review_type":
        return None if v in REVIEW_TYPES else f"must be one of {', '.join(REVIEW_TYPES)}"
    if rule == "data_source":
        return None if v in DATA_SOURCES else f"must be one of {', '.join(DATA_SOURCES)}"
    raise AssertionError(rule)


def check(kind: str, body, workstream: dict, path_workstream_id: str,
          kinds: dict | None = None) -> tuple[dict | None, dict]:
    """Validate a body of ``kind``: (the normalised record, {}) or (None, {field: reason, ...}).

    ``kinds``, when given, receives each bad field's kind of problem: ``shape`` (a rule the spec
    states: HTTP 400), ``reference`` (a use case or task definition the workstream does not have:
    404) or ``conflict`` (the body contradicts the path or itself: 409); see ``errors.status_for``."""
    kinds = {} if kinds is None else kinds
    if not isinstance(body, dict):
        kinds["body"] = "shape"
        return None, {"body": "must be a JSON object"}
    rules, errors = RULES[kind], {}
    for name in REQUIRED[kind]:
        if body.get(name) is None:
            errors[name] = "is required"
    for name, rule in rules.items():
        if name in errors or body.get(name) is None:
            continue  # an explicit null is "absent" for optional fields
        reason = _check_value(rule, body[name])
        if reason:
            errors[name] = reason
    kinds.update(dict.fromkeys(errors, "shape"))
    ws_id = workstream["id"]
    if "workstream_id" not in errors and body.get("workstream_id") not in (None, path_workstream_id):
        errors["workstream_id"] = f"must be {path_workstream_id}, the workstream of this call"
        kinds["workstream_id"] = "conflict"
    if "use_case_id" not in errors and body["use_case_id"] not in workstream["use_case_ids"]:
        errors["use_case_id"] = f"unknown use case for workstream {ws_id}"
        kinds["use_case_id"] = "reference"
    if "task_definition_id" not in errors and body["task_definition_id"] not in workstream["task_definition_ids"]:
        errors["task_definition_id"] = f"unknown task definition for workstream {ws_id}"
        kinds["task_definition_id"] = "reference"
    if kind == THROUGHPUT and not {"task_started_at", "task_completed_at"} & set(errors):
        if wire.parse_time(body["task_completed_at"]) < wire.parse_time(body["task_started_at"]):
            errors["task_completed_at"] = "must not be before task_started_at"
            kinds["task_completed_at"] = "conflict"
    if errors:
        return None, errors
    record = {k: v for k, v in body.items() if v is not None}  # unknown fields are kept as sent
    record["workstream_id"] = path_workstream_id  # Throughput takes it from the path
    record.setdefault("replace_duplicate", True)
    record.setdefault("data_source", "api")
    if kind == THROUGHPUT:
        record.setdefault("task_count", 1)
        record.setdefault("subtask_count", None)
        if "duration" not in record:
            record["duration"] = wire.parse_time(record["task_completed_at"]) - wire.parse_time(record["task_started_at"])
    return record, {}


def checked_record(world, kind: str, workstream_id: str, body) -> dict:
    """``body`` checked in full against the path's workstream: its normalised record, or the vendor's
    error (404 for a workstream that does not exist, else the refusal naming every bad field)."""
    workstream = world.store.table("cloudfactory_workstreams").get(workstream_id)
    if workstream is None:
        raise errors.not_found()
    kinds: dict = {}
    record, problems = check(kind, body, workstream, workstream_id, kinds)
    if problems:
        raise errors.refused(problems, kinds)
    return record


# -- CSV rows --------------------------------------------------------------------------------------
def from_csv_row(kind: str, row: dict) -> dict:
    """Turn a CSV row's strings into typed values (an empty cell is absent); a cell that cannot be
    converted stays a string so that ``check`` names it."""
    out = {}
    for name, text in row.items():
        if name is None or text is None or text == "":
            continue
        rule = RULES[kind].get(name)
        out[name] = _convert(rule, text.strip())
    return out


def _convert(rule, text: str):
    if rule in ("seconds", "number", "score"):
        try:
            return float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            return text
    if rule in ("count1", "count0"):
        try:
            return int(text)
        except ValueError:
            return text
    if rule == "bool":
        return {"true": True, "false": False, "1": True, "0": False}.get(text.lower(), text)
    if rule in ("object", "error_counts"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


# -- storage -------------------------------------------------------------------------------------
def table(store, kind: str):
    return store.table(TABLES[kind], indexes=("workstream_id", "bucket"))


def _next_id(store, kind: str) -> str:
    counters = store.table("cloudfactory_counters")
    doc = counters.get(kind)
    n = (doc["n"] if doc else 0) + 1
    counters.upsert({"id": kind, "n": n})
    return f"{kind[0]}{n:09d}"


def store_record(world, kind: str, record: dict, source: dict | None = None) -> str:
    """Store a checked record. Returns ``accepted``, ``replaced`` or ``ignored_duplicate``."""
    store = world.store
    coll = table(store, kind)
    at = wire.parse_time(record[TIME_FIELD[kind]])
    doc = dict(record)
    doc.update({"at": at, "bucket": f"{record['workstream_id']}|{wire.day(at)}",
                "received_at": wire.iso(world.now())})
    if source:
        doc["source"] = source
    with store.lock:
        if record.get("unique_id") is not None:
            key = "|".join((record["workstream_id"], record["use_case_id"], record["task_definition_id"], record["unique_id"]))
            doc["id"] = "u" + hashlib.sha256(key.encode()).hexdigest()[:32]
            old = coll.get(doc["id"])
            if old is not None:
                if not record["replace_duplicate"]:
                    return "ignored_duplicate"
                doc["first_received_at"] = old.get("first_received_at", old["received_at"])
                doc["replaced_count"] = old.get("replaced_count", 0) + 1
                coll.replace(doc)
                return "replaced"
            coll.insert(doc)
            return "accepted"
        doc["id"] = _next_id(store, kind)
        coll.insert(doc)
        return "accepted"


def public(doc: dict) -> dict:
    """A stored record as shown to clients (internal bookkeeping removed)."""
    return {k: v for k, v in doc.items() if k not in ("bucket", "at")}
