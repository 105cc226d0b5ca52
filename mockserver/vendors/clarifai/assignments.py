"""Task work in Clarifai's words: assignments (LABEL_*/REVIEW_* actions), the bulk review of annotation
statuses, and the per-worker annotation and input counts, all read from and written to the core.

Work is submitted by PutTaskAssignments LABEL_SUBMIT (``label_submit_config.task_assignments``, or the
deprecated form that carries only ``input_id``: the caller's assignment on that input): the worker's
annotations on the input in the task, posted before as pending work, become the submission. A worker
submits their own assignments; the app's owner may submit anyone's. A review action takes explicit
``task_assignments`` (or ``input_id``) or, in bulk, ``workers``: every input awaiting this reviewer where
one of those workers submitted (a review settles the input, so every worker on it is settled with it).
"""
from __future__ import annotations

import base64

from ...world import current_world
from . import core_port as core
from . import resources as res
from . import tasks as tk
from .labeling import CODE_OF_STATUS, STATUS_OF_CODE, StatusReader, tenant_of
from .wire import ANNOTATION_CODES, code_name, code_status, enum_name, failure, invalid, timestamp

ASSIGNMENT_OF = {"ANNOTATION_PENDING": "TASK_ASSIGNMENT_PENDING", "ANNOTATION_SUCCESS": "TASK_ASSIGNMENT_SUCCESS",
                 "ANNOTATION_AWAITING_REVIEW": "TASK_ASSIGNMENT_AWAITING_REVIEW",
                 "ANNOTATION_AWAITING_CONSENSUS_REVIEW": "TASK_ASSIGNMENT_AWAITING_CONSENSUS_REVIEW",
                 "ANNOTATION_REVIEW_DENIED": "TASK_ASSIGNMENT_REJECTED"}
DECISION_OF_CODE = {"ANNOTATION_SUCCESS": "approve", "ANNOTATION_REVIEW_DENIED": "reject",
                    "ANNOTATION_PENDING": "request_changes"}
DECISION_OF_ACTION = {"REVIEW_APPROVE": "approve", "REVIEW_REJECT": "reject",
                      "REVIEW_REQUEST_CHANGES": "request_changes"}
COUNT_FIELD = {"ANNOTATION_PENDING": "pending", "ANNOTATION_AWAITING_REVIEW": "awaiting_review",
               "ANNOTATION_SUCCESS": "success", "ANNOTATION_REVIEW_DENIED": "review_denied",
               "ANNOTATION_AWAITING_CONSENSUS_REVIEW": "awaiting_consensus_review"}


# -- assignments ------------------------------------------------------------------------------------------
def assignment_id(work: dict) -> str:
    return base64.urlsafe_b64encode(work["id"].encode()).decode().rstrip("=")


def _work_of_assignment(task_doc: dict, value, field: str) -> dict:
    try:
        work_id = base64.urlsafe_b64decode(str(value) + "=" * (-len(str(value)) % 4)).decode()
    except Exception:
        work_id = ""
    if not work_id.startswith(task_doc["core_id"] + "|"):
        raise invalid(f"{field}: unknown task assignment {value!r}", 404)
    input_id, worker = work_id.rsplit("|", 2)[-2:]
    work = core.work_doc(current_world().store, task_doc["core_id"], input_id, worker)
    if work is None:
        raise invalid(f"{field}: unknown task assignment {value!r}", 404)
    return work


def render_assignment(app: str, work: dict, reader: StatusReader) -> dict:
    status = reader.of_work(work["task_id"], work["item_id"], work["worker"]) or "ANNOTATION_PENDING"
    doc = res.input_doc(app, work["item_id"])
    return {"id": assignment_id(work), "created_at": timestamp(work["created_at"]),
            "modified_at": timestamp(work["updated_at"]), "worker": {"user": {"id": work["worker"]}},
            "input": res.render_input(doc) if doc else {"id": work["item_id"]},
            "status": code_status(ASSIGNMENT_OF[status])}


def next_inputs(app: str, task_id: str, worker: str, limit: int = 10) -> list[dict]:
    """The worker's next open inputs; handing them out starts the work (as the labeling UI does)."""
    store = current_world().store
    with store.lock:
        task_doc = tk.load(app, task_id)
        out = []
        for work in core.next_assignments(store, task_doc["core_id"], worker, limit):
            core.start_work(store, task_doc["core_id"], work["item_id"], worker)
            doc = res.input_doc(app, work["item_id"])
            if doc is not None:
                out.append(res.render_input(doc))
        return out


def put_assignments(app: str, caller: str, task_id: str, body: dict, owner: bool = False) -> list[dict]:
    """``owner``: the caller is the app's owner (may submit any worker's assignment)."""
    store = current_world().store
    action = enum_name("assignment_action", body.get("action"), "action")
    if action in (None, "PUT_TASK_ASSIGNMENTS_REQUEST_ACTION_NOT_SET"):
        if not body.get("input_id"):
            raise invalid("action: required; one of LABEL_START, LABEL_SUBMIT, REVIEW_START, REVIEW_APPROVE, "
                          "REVIEW_REQUEST_CHANGES, REVIEW_REJECT (or the deprecated input_id alone: LABEL_SUBMIT)")
        action = "LABEL_SUBMIT"  # the deprecated form: only input_id
    with store.lock:
        task_doc = tk.load(app, task_id)
        core_id = task_doc["core_id"]
        reader = StatusReader(store)
        input_id = body.get("input_id")
        if action == "LABEL_START":
            if input_id:
                works = [core.start_work(store, core_id, input_id, caller)]
            else:
                works = [core.start_work(store, core_id, w["item_id"], caller)
                         for w in core.next_assignments(store, core_id, caller, 10)]
            return [render_assignment(app, w, reader) for w in works]
        if action == "LABEL_SUBMIT":
            config = body.get("label_submit_config") or {}
            works = [_work_of_assignment(task_doc, (ta or {}).get("id"), f"label_submit_config.task_assignments[{i}].id")
                     for i, ta in enumerate(config.get("task_assignments") or [])]
            if input_id:
                works.append({"item_id": input_id, "worker": caller})
            if not works:
                raise invalid("input_id: required (or label_submit_config.task_assignments)")
            for i, w in enumerate(works):
                if w["worker"] != caller and not owner:
                    raise failure(403, "TASK_PERMISSION_DENIED",
                                  f"label_submit_config.task_assignments[{i}]: the assignment of {w['worker']!r}, "
                                  f"not of {caller!r}")
                if core.work_doc(store, core_id, w["item_id"], w["worker"]) is None:
                    raise failure(403, "TASK_PERMISSION_DENIED",
                                  f"input_id: {w['worker']!r} has no assignment on input {w['item_id']!r} in task "
                                  f"{task_id!r}")
            for w in works:
                core.submit_annotated_work(store, core_id, w["item_id"], w["worker"])
            reader = StatusReader(store)
            return [render_assignment(app, core.work_doc(store, core_id, w["item_id"], w["worker"]), reader)
                    for w in works]
        workers_filter = set()
        config = body.get({"REVIEW_START": "review_start_config", "REVIEW_APPROVE": "review_approve_config",
                           "REVIEW_REQUEST_CHANGES": "review_request_changes_config",
                           "REVIEW_REJECT": "review_reject_config"}[action]) or {}
        for entry in config.get("workers") or []:
            uid = ((entry or {}).get("user") or {}).get("id")
            if uid:
                workers_filter.add(uid)
        if action == "REVIEW_START":
            out = []
            for ti in core.review_queue(store, core_id, caller, 10):
                for w in reader.item(core_id, ti["item_id"])[1].values():
                    if w["state"] == "submitted" and (not workers_filter or w["worker"] in workers_filter):
                        out.append(render_assignment(app, w, reader))
            return out
        items = []
        for i, ta in enumerate(config.get("task_assignments") or []):
            items.append(_work_of_assignment(task_doc, (ta or {}).get("id"), f"task_assignments[{i}].id")["item_id"])
        if input_id:
            items.append(input_id)
        if not items and workers_filter:  # in bulk: every input of those workers awaiting this reviewer
            for ti in core.review_queue(store, core_id, caller, 1 << 30):
                if any(w["state"] == "submitted" and w["worker"] in workers_filter
                       for w in reader.item(core_id, ti["item_id"])[1].values()):
                    items.append(ti["item_id"])
            if not items:
                return []
        if not items:
            raise invalid("input_id: required (or the config's task_assignments or workers)")
        for item_id in dict.fromkeys(items):
            core.review_item(store, core_id, item_id, caller, DECISION_OF_ACTION[action])
        reader = StatusReader(store)
        return [render_assignment(app, w, reader) for item_id in dict.fromkeys(items)
                for w in reader.item(core_id, item_id)[1].values()
                if w["state"] in ("submitted", "in_progress") and (not workers_filter or w["worker"] in workers_filter)]


def patch_status(app: str, caller: str, task_id: str, body: dict) -> dict:
    """A reviewer settles the task's annotations of some workers: SUCCESS approves, REVIEW_DENIED
    rejects, PENDING requests changes (each input is reviewed once, whatever its annotation count)."""
    store = current_world().store
    target = code_name((body.get("status_code")), "status_code", tuple(DECISION_OF_CODE))
    current = {STATUS_OF_CODE[code_name(c, f"status_codes[{i}]", ANNOTATION_CODES)]
               for i, c in enumerate(body.get("status_codes") or [])}
    users = list(body.get("user_ids") or [])
    with store.lock:
        task_doc = tk.load(app, task_id)
        core_id = task_doc["core_id"]
        before = core.list_annotations(store, tenant_of(app), task_id=core_id, authors=users or None,
                                       statuses=current or None)
        reader = StatusReader(store)
        for input_id in dict.fromkeys(v["item_id"] for v in before):
            ti, _ = reader.item(core_id, input_id)
            if ti is not None and ti["state"] == "awaiting_review":
                core.review_item(store, core_id, input_id, caller, DECISION_OF_CODE[target])
        after = {v["id"]: v["status"] for v in core.list_annotations(store, tenant_of(app), task_id=core_id,
                                                                       authors=users or None)}
        updated = sum(1 for v in before if after.get(v["id"]) != v["status"])
        return {"user_ids": sorted({v["author"] for v in before}), "updated_count": updated}


# -- counts -----------------------------------------------------------------------------------------------
def _counts(task_doc: dict, statuses_by_worker: dict) -> dict:
    user_id, app_id = task_doc["app"].split("/", 1)
    counts = []
    for worker, tally in statuses_by_worker.items():
        entry = {"user_id": worker, "worker": {"user": {"id": worker}}}
        entry.update({COUNT_FIELD[c]: n for c, n in tally.items()})
        for name in COUNT_FIELD.values():
            entry.setdefault(name, 0)
        counts.append(entry)
    return {"app_id": app_id, "task_id": task_doc["task_id"], "counts": counts}


def annotation_counts(app: str, task_id: str, user_ids=None) -> dict:
    """Per worker, the task's annotations by status."""
    store = current_world().store
    with store.lock:
        task_doc = tk.load(app, task_id)
        tally: dict = {w: {} for w in core.get_task(store, task_doc["core_id"])["workers"]}
        for v in core.list_annotations(store, tenant_of(app), task_id=task_doc["core_id"]):
            per = tally.setdefault(v["author"], {})
            code = CODE_OF_STATUS[v["status"]]
            per[code] = per.get(code, 0) + 1
        return _counts(task_doc, {w: t for w, t in tally.items() if not user_ids or w in user_ids})


def input_counts(app: str, task_id: str, user_ids=None) -> dict:
    """Per worker, the task's inputs by the status of that worker's assignment."""
    store = current_world().store
    with store.lock:
        task_doc = tk.load(app, task_id)
        reader = StatusReader(store)
        tally: dict = {w: {} for w in core.get_task(store, task_doc["core_id"])["workers"]}
        for work in core.task_work(store, task_doc["core_id"]):
            if work["state"] in ("returned", "skipped"):
                continue
            status = reader.of_work(task_doc["core_id"], work["item_id"], work["worker"]) or "ANNOTATION_PENDING"
            per = tally.setdefault(work["worker"], {})
            per[status] = per.get(status, 0) + 1
        return _counts(task_doc, {w: t for w, t in tally.items() if not user_ids or w in user_ids})


# -- samples for review -----------------------------------------------------------------------------------
SUBMITTED = ("awaiting_review", "awaiting_consensus_review", "accepted", "rejected")


def input_samples(app: str, task_id: str, user_ids=None) -> list[dict]:
    """GetInputSamples: the task's submitted work, as a reviewer samples it: one hit per annotation a worker
    submitted in the task (any review state; pending work is not a sample), with its input, by input
    (the task's order of inputs) then worker; ``user_ids`` keeps those workers' annotations."""
    from .labeling import _task_ids, render  # render: the Annotation message, as ListAnnotations answers

    store = current_world().store
    owner, app_id = app.split("/", 1)
    with store.lock:
        task_doc = tk.load(app, task_id)
        views = core.list_annotations(store, tenant_of(app), task_id=task_doc["core_id"],
                                      authors=[str(u) for u in user_ids] if user_ids else None,
                                      statuses=set(SUBMITTED))
        order = {it["item_id"]: n for n, it in enumerate(core.list_task_items(store, task_doc["core_id"]))}
        views.sort(key=lambda v: (order.get(v["item_id"], len(order)), v["author"], v["created_at"]))
        task_ids = _task_ids(app, views)
        hits = []
        for view in views:
            doc = res.input_doc(app, view["item_id"])
            if doc is None:  # the input left the app
                continue
            hits.append({"input": res.render_input(doc), "annotation": render(view, task_ids),
                         "user_id": owner, "app_id": app_id})
        return hits
