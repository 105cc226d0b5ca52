"""Clarifai Task <-> core task: parsing a wire task into a core spec, and rendering it back.

The wire form (names, descriptions, concepts, the worker list in whichever of its three shapes the
caller used) is kept as given, with enums turned into names; behaviour (assignment, review, status,
statistics) lives in the core task it points to.

Checked at creation (and when a change brings them in): the concepts exist in the app, every worker and
reviewer is the app's owner or a collaborator (TASK_PERMISSION_DENIED otherwise), a DATASET / INPUT /
SAVED_SEARCH source exists. A SAVED_SEARCH task covers the inputs its saved search finds when the task is
created. ``approval_threshold_reviewers: -1`` means every reviewer must approve. A task made by a label
order carries its ``label_order_id`` and is left out of ListTasks unless asked for.
"""
from __future__ import annotations

import copy
import uuid
import zlib

from ...jsonvalues import copy_json
from ...world import current_world
from . import core_port as core
from .resources import dataset_doc, input_doc
from .wire import code_name, code_status, enum_name, invalid, timestamp, user_ids

KIND_OF_TYPE = {"CONCEPTS_CLASSIFICATION": "classification", "BOUNDING_BOX_DETECTION": "detection",
                "POLYGON_DETECTION": "polygon", "TYPE_NOT_SET": "classification"}
CORE_STATUS = {"TASK_IN_PROGRESS": "in_progress", "TASK_DONE": "done", "TASK_WONT_DO": "wont_do",
               "TASK_FAILED": "failed", "TASK_IDLE": "idle"}
WIRE_STATUS = {"created": "TASK_IDLE", "idle": "TASK_IDLE", "running": "TASK_IN_PROGRESS",
               "in_progress": "TASK_IN_PROGRESS", "accepting": "TASK_IN_PROGRESS", "accepted": "TASK_DONE",
               "rejected": "TASK_FAILED", "done": "TASK_DONE", "wont_do": "TASK_WONT_DO", "failed": "TASK_FAILED"}
TASK_STATUS_CODES = tuple(CORE_STATUS)
# Fields a caller may set; the rest (ids, timestamps, status, metrics) are the server's.
WIRE_FIELDS = ("type", "name", "description", "worker", "concept_ids", "concepts", "input_source", "sample_ms",
               "ai_assistant", "review", "ai_assist_params", "visibility", "label_order_id",
               "delete_previous_annotations", "priority", "metadata")


def table(store):
    return store.table("clarifai_tasks", indexes=("app",))


_copy = copy_json  # parsed bodies and stored wire tasks are JSON: no memo needed


def doc_id(app: str, task_id: str) -> str:
    return f"{app}/{task_id}"


def load(app: str, task_id: str) -> dict:
    """The stored task of this app, or TASK_MISSING (also when it belongs to another app)."""
    from .wire import failure

    doc = table(current_world().store).get(doc_id(app, task_id))
    if doc is None:
        raise failure(404, "TASK_MISSING", f"no task {task_id!r}")
    return doc


# -- parsing ---------------------------------------------------------------------------------------
def normalize(task: dict, field: str) -> dict:
    """The caller's task with enums as names and every field checked (400 naming the field)."""
    if not isinstance(task, dict):
        raise invalid(f"{field}: a task object is required")
    out = {k: _copy(task[k]) for k in WIRE_FIELDS if k in task}
    if "type" in out:
        out["type"] = enum_name("task_type", out["type"], f"{field}.type")
    if "priority" in out:
        out["priority"] = enum_name("priority", out["priority"], f"{field}.priority")
    worker = _object(out, "worker", field)
    if worker is not None:
        if "strategy" in worker:
            worker["strategy"] = enum_name("worker_strategy", worker["strategy"], f"{field}.worker.strategy")
        info = worker.get("partitioned_strategy_info")
        if isinstance(info, dict) and "type" in info:
            info["type"] = enum_name("partition", info["type"], f"{field}.worker.partitioned_strategy_info.type")
    review = _object(out, "review", field)
    if review is not None and "strategy" in review:
        review["strategy"] = enum_name("review_strategy", review["strategy"], f"{field}.review.strategy")
    source = _object(out, "input_source", field)
    if source is not None and "type" in source:
        source["type"] = enum_name("input_source", source["type"], f"{field}.input_source.type")
    return out


def _object(out: dict, key: str, field: str) -> dict | None:
    """``out[key]`` when it is an object, None when absent; anything else is a bad request naming the field."""
    value = out.get(key)
    if value is not None and not isinstance(value, dict):
        raise invalid(f"{field}.{key}: an object is required")
    return value


def workers_of(worker: dict, field: str) -> list[str]:
    ids = user_ids(worker.get("user_ids"), f"{field}.worker.user_ids")
    ids += user_ids(worker.get("users"), f"{field}.worker.users")
    ids += user_ids(worker.get("workers"), f"{field}.worker.workers")
    return list(dict.fromkeys(ids))


def assignment_of(worker: dict, workers: list[str], field: str) -> dict:
    strategy = worker.get("strategy") or "FULL"
    if strategy == "WORKER_STRATEGY_NOT_SET":
        strategy = "FULL"
    info = worker.get("partitioned_strategy_info") or {}
    if not isinstance(info, dict):
        raise invalid(f"{field}.worker.partitioned_strategy_info: an object is required")
    mode = "weighted" if info.get("type") == "WEIGHTED" else "even"
    k = info.get("workers_per_input", 1) or 1
    if isinstance(k, bool) or not isinstance(k, (int, float)) or int(k) != k or k < 1:
        raise invalid(f"{field}.worker.partitioned_strategy_info.workers_per_input: a positive integer is required")
    weights = info.get("weights") or {}
    if not isinstance(weights, dict):
        raise invalid(f"{field}.worker.partitioned_strategy_info.weights: an object of user id -> number is required")
    for user, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise invalid(f"{field}.worker.partitioned_strategy_info.weights.{user}: a number >= 0 is required")
        if user not in workers:
            raise invalid(f"{field}.worker.partitioned_strategy_info.weights.{user}: not one of the task's workers", 404)
    if strategy == "PARTITIONED" and mode == "weighted" and workers and not weights:
        raise invalid(f"{field}.worker.partitioned_strategy_info.weights: WEIGHTED needs a weight per worker")
    return {"strategy": strategy.lower(), "mode": mode, "workers_per_input": int(k),
            "weights": {u: float(v) for u, v in weights.items()} if mode == "weighted" else {}}


def review_of(review: dict, field: str) -> dict:
    strategy = review.get("strategy") or "NONE"
    if strategy == "TASK_REVIEW_STRATEGY_NOT_SET":
        strategy = "NONE"
    reviewers = list(dict.fromkeys(user_ids(review.get("user_ids"), f"{field}.review.user_ids")
                                   + user_ids(review.get("users"), f"{field}.review.users")))
    out = {"strategy": strategy.lower(), "reviewers": reviewers}
    if strategy == "MANUAL":
        info = review.get("manual_strategy_info") or {}
        pct = info.get("sample_percentage", 1.0)
        if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not 0 <= pct <= 100:
            raise invalid(f"{field}.review.manual_strategy_info.sample_percentage: a fraction 0..1 (or percent) is required")
        out["sample_percentage"] = float(pct) / 100 if pct > 1 else float(pct)
        threshold = info.get("approval_threshold") or 1
        out["approval_threshold_reviewers"] = _count(threshold, f"{field}.review.manual_strategy_info.approval_threshold")
    elif strategy == "CONSENSUS":
        info = review.get("consensus_strategy_info") or {}
        labelers = info.get("approval_threshold_labelers") or info.get("approval_threshold")
        if labelers is not None:
            out["approval_threshold_labelers"] = _count(labelers, f"{field}.review.consensus_strategy_info.approval_threshold_labelers")
        reviewers_needed = info.get("approval_threshold_reviewers") or 1  # 0: not set, defaults to 1
        if reviewers_needed == -1 and not isinstance(reviewers_needed, bool):  # every reviewer must approve
            reviewers_needed = max(1, len(reviewers))
        out["approval_threshold_reviewers"] = _count(reviewers_needed, f"{field}.review.consensus_strategy_info.approval_threshold_reviewers")
    return out


def _count(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value or value < 1:
        raise invalid(f"{field}: a positive integer is required")
    return int(value)


def source_of(app: str, source: dict | None, field: str) -> dict:
    """Which core items the task covers: ``sources``/``item_ids`` of the core spec."""
    source = source or {}
    kind = source.get("type") or "ALL_INPUTS"
    ref = source.get("id")
    if kind in ("ALL_INPUTS", "INPUT_SOURCE_TYPE_NOT_SET"):
        return {"sources": [core.app_source(app)], "follow_source": True}
    if not ref:
        raise invalid(f"{field}.input_source.id: required for input source {kind}")
    if kind == "SAVED_SEARCH":
        from . import searches  # searches read annotations, which read tasks

        found = searches.saved_input_ids(app, ref)
        if found is None:
            raise invalid(f"{field}.input_source.id: no saved search {ref!r} in this app", 404)
        return {"source": core.app_source(app), "item_ids": found}
    if kind == "DATASET":
        if dataset_doc(app, ref) is None:
            raise invalid(f"{field}.input_source.id: no dataset {ref!r} in this app", 404)
        return {"sources": [core.dataset_source(app, ref)], "follow_source": True}
    if input_doc(app, ref) is None:
        raise invalid(f"{field}.input_source.id: no input {ref!r} in this app", 404)
    return {"source": core.app_source(app), "item_ids": [ref]}


def status_of(task: dict, field: str, default: str = "TASK_IN_PROGRESS") -> str:
    status = task.get("status")
    if status is None:
        return default
    if not isinstance(status, dict):
        raise invalid(f"{field}.status: an object with a code is required")
    return code_name(status.get("code"), f"{field}.status.code", TASK_STATUS_CODES)


def core_spec(app: str, core_id: str, wire: dict, field: str, status: str, source: dict | None = None) -> dict:
    """The core task spec of a wire task; ``source``: the core source fields to keep (a change that leaves
    the input source as it was does not look it up again)."""
    worker = wire.get("worker") or {}
    workers = workers_of(worker, field)
    return {
        "id": core_id, "tenant": f"clarifai:{app}", "kind": KIND_OF_TYPE[wire.get("type") or "TYPE_NOT_SET"],
        "workers": workers, "assignment": assignment_of(worker, workers, field),
        "review": review_of(wire.get("review") or {}, field),
        "status": CORE_STATUS[status], "seed": zlib.crc32(core_id.encode()),
        **(source if source is not None else source_of(app, wire.get("input_source"), field)),
    }


def check_concepts(app: str, wire: dict, field: str) -> None:
    """A task's concepts must exist in the app."""
    from .resources import concept_doc

    for key in ("concept_ids", "concepts"):
        if not isinstance(wire.get(key) or [], list):
            raise invalid(f"{field}.{key}: a list is required")
    given = [(f"concept_ids[{i}]", c) for i, c in enumerate(wire.get("concept_ids") or [])]
    for i, entry in enumerate(wire.get("concepts") or []):
        concept = entry.get("concept") if isinstance(entry, dict) else None
        given.append((f"concepts[{i}].concept.id", concept.get("id") if isinstance(concept, dict) else None))
    for where, concept_id in given:
        if not isinstance(concept_id, str) or not concept_id:
            raise invalid(f"{field}.{where}: a concept id is required")
        if concept_doc(app, concept_id) is None:
            raise invalid(f"{field}.{where}: no concept {concept_id!r} in this app (create it first)", 404)


def check_members(app: str, wire: dict, spec: dict, field: str, known: set = frozenset()) -> None:
    """Workers and reviewers must be the app's owner or its collaborators (``known``: already on the task)."""
    from .collaborators import is_member
    from .wire import failure

    store = current_world().store
    for kind, users in (("worker", spec["workers"]), ("review", spec["review"]["reviewers"])):
        for user in users:
            if user not in known and not is_member(store, app, user):
                raise failure(403, "TASK_PERMISSION_DENIED",
                              f"{field}.{kind}: user {user!r} is not a collaborator of app {app} "
                              "(add it with PostCollaborators)")


def check_label_order(app: str, wire: dict, field: str) -> None:
    order = wire.get("label_order_id")
    if order in (None, ""):
        wire.pop("label_order_id", None)
        return
    from .label_orders import order_doc

    if not isinstance(order, str) or order_doc(app, order) is None:
        raise invalid(f"{field}.label_order_id: no label order {order!r} in this app", 404)


def create(app: str, task: dict, index: int, field: str | None = None, label_order: str | None = None) -> dict:
    """Create one task (core task + wire record); returns the stored record. ``label_order``: the label
    order that makes it (``label_order_id`` is then set to it)."""
    field = field or f"tasks[{index}]"
    store = current_world().store
    wire = normalize(task, field)
    if label_order is not None:
        wire["label_order_id"] = label_order
    else:
        check_label_order(app, wire, field)
    task_id = task.get("id") or uuid.uuid4().hex
    if not isinstance(task_id, str):
        raise invalid(f"{field}.id: a string is required")
    status = status_of(task, field)
    core_id = core.core_task_id(app, task_id)
    spec = core_spec(app, core_id, wire, field, status)
    check_concepts(app, wire, field)
    check_members(app, wire, spec, field)
    if table(store).get(doc_id(app, task_id)) is not None:
        from .wire import failure
        raise failure(409, "TASK_CONFLICT", f"task {task_id!r} already exists")
    core.create_task(store, spec)
    now = current_world().now()
    return table(store).insert({"id": doc_id(app, task_id), "app": app, "task_id": task_id, "core_id": core_id,
                                "wire": wire, "created_at": now, "modified_at": now})


def patch(app: str, task: dict, index: int, action: str) -> dict:
    """``overwrite`` replaces the descriptive fields; ``merge`` merges into them.  Worker, review and
    input source change only when given (so a partial overwrite cannot silently drop all work)."""
    field = f"tasks[{index}]"
    store = current_world().store
    if not isinstance(task, dict) or not task.get("id"):
        raise invalid(f"{field}.id: required")
    doc = load(app, task["id"])
    given = normalize(task, field)
    given.pop("label_order_id", None)  # a task stays with the label order that made it
    keep_always = {k: v for k, v in doc["wire"].items() if k == "label_order_id"}
    if action == "overwrite":
        keep = {k: v for k, v in doc["wire"].items() if k in ("worker", "review", "input_source") and k not in given}
        wire = {**keep, **given, **keep_always}
    else:
        wire = copy.deepcopy(doc["wire"])
        for key, value in given.items():
            if isinstance(value, dict) and isinstance(wire.get(key), dict):
                wire[key] = {**wire[key], **value}
            else:
                wire[key] = value
    current = core.get_task(store, doc["core_id"])
    if _source_key(wire.get("input_source")) != _source_key(doc["wire"].get("input_source")):
        raise invalid(f"{field}.input_source: the input source of a task cannot change", 409)
    source = {"sources": current["sources"], "item_ids": current["item_ids"], "follow_source": current["follow_source"]}
    if current.get("source"):
        source["source"] = current["source"]
    spec = core_spec(app, doc["core_id"], wire, field, status_of(task, field, WIRE_STATUS[current["status"]]), source)
    if "concept_ids" in given or "concepts" in given:
        check_concepts(app, wire, field)
    check_members(app, wire, spec, field, known=set(current["workers"]) | set(current["review"]["reviewers"]))
    if (spec["workers"], spec["assignment"]) != (current["workers"], current["assignment"]) \
            or spec["review"] != {k: current["review"].get(k) for k in spec["review"]}:
        core.update_task_workers(store, doc["core_id"], spec["workers"], spec["assignment"], spec["review"])
    fields = {"status": spec["status"]}
    if spec["kind"] != current["kind"]:
        fields["kind"] = spec["kind"]
    core.update_task(store, doc["core_id"], fields)
    return table(store).update(doc["id"], {"wire": wire, "modified_at": current_world().now()})


def _source_key(source) -> tuple:
    source = source if isinstance(source, dict) else {}
    kind = source.get("type") or "ALL_INPUTS"
    kind = "ALL_INPUTS" if kind == "INPUT_SOURCE_TYPE_NOT_SET" else kind
    return (kind, source.get("id") or "") if kind != "ALL_INPUTS" else (kind, "")


# -- rendering --------------------------------------------------------------------------------------
def render(doc: dict, additional_fields: list[str] | None = None) -> dict:
    """The wire Task of a stored record. The answer shares the stored wire fields' nested values (no
    copy per task: a page of tasks is serialised straight away): serialise it, never change it in place."""
    store = current_world().store
    core_task = core.task_view(store, doc["core_id"])  # read only
    user_id, app_id = doc["app"].split("/", 1)
    out = {"id": doc["task_id"], "created_at": timestamp(doc["created_at"]),
           "modified_at": timestamp(doc["modified_at"]), **doc["wire"],
           "status": code_status(WIRE_STATUS.get(core_task["status"], "TASK_IN_PROGRESS")),
           "app_id": app_id, "user_id": user_id}
    wanted = set(additional_fields or ())
    if wanted & {"all", "metrics"} or any(f.startswith("metrics") for f in wanted):
        out["metrics"] = metrics(core_task, core.task_stats(store, doc["core_id"]))
    # Full user information only when asked (TaskWorker.users / TaskReview.users); otherwise as given.
    # (a copy of the stored ``worker`` / ``review`` gets the users, never the stored object)
    if wanted & {"all", "worker.users"}:
        out["worker"] = {**out["worker"]} if "worker" in out else {}
        out["worker"]["users"] = _users(store, doc["app"], core_task["workers"])
    if wanted & {"all", "review.users"} and core_task["review"]["reviewers"]:
        out["review"] = {**out["review"]} if "review" in out else {}
        out["review"]["users"] = _users(store, doc["app"], core_task["review"]["reviewers"])
    return out


def _users(store, app: str, ids: list[str]) -> list[dict]:
    from .collaborators import user_info

    return [user_info(store, app, u) for u in ids]


def metrics(core_task: dict, stats: dict) -> dict:
    """TaskMetrics from the core's counters: inputs labeled (work), settled (review), in the task."""
    total = int(stats.get("total", 0))
    states = stats.get("states") or {}
    # The core's one definition: labeled = every labeler submitted (awaiting review, approved or
    # rejected); a skipped input is not labeled. Reviewed = approved or rejected.
    labeled = int(stats.get("labeled", 0))
    settled = int(states.get("approved", 0)) + int(states.get("rejected", 0))
    reviewers = core_task["review"]["reviewers"]
    per = stats.get("reviewers") or {}
    reviewed = [sum(int(v) for v in (per.get(r) or {}).values()) for r in reviewers]
    waiting = int(states.get("awaiting_review", 0))

    def pct(n: int) -> int:
        return int(100 * n / total) if total else 0

    return {"work": {"inputs_count_estimated": str(labeled), "inputs_percent_estimated": pct(labeled)},
            "review": {"inputs_count_estimated": str(settled), "inputs_percent_estimated": pct(settled),
                       "inputs_count_estimated_per_reviewer": [str(n) for n in reviewed],
                       "inputs_reviewable_count_estimated_per_reviewer": [str(waiting) for _ in reviewers],
                       "inputs_percent_estimated_per_reviewer": [pct(n) for n in reviewed]},
            "input_source": {"inputs_count_estimated": str(total)}}


def core_task_view(store, core_id: str) -> dict:
    """The core task behind a Clarifai task, read-only (filters need its workers and reviewers)."""
    return core.task_view(store, core_id)


def matches(doc: dict, core_task: dict | None, *, workers=None, reviewers=None, ids=None, source_type=None,
            source_ids=None, label_orders=None, with_label_orders=False) -> bool:
    """Whether a task passes ListTasks' filters. A label order's task shows only with
    ``including_label_order_tasks`` or when its label order is asked for (``label_order_ids``).
    ``core_task`` is needed only for the worker and reviewer filters."""
    order = doc["wire"].get("label_order_id")
    if label_orders and order not in label_orders:
        return False
    if order and not (with_label_orders or label_orders):
        return False
    if ids and doc["task_id"] not in ids:
        return False
    if workers and not set(workers) & set(core_task["workers"]):
        return False
    if reviewers and not set(reviewers) & set(core_task["review"]["reviewers"]):
        return False
    source = doc["wire"].get("input_source") or {}
    if source_type and (source.get("type") or "ALL_INPUTS") != source_type:
        return False
    if source_ids and source.get("id") not in source_ids:
        return False
    return True
