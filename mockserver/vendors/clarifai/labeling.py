"""Annotations and task work: Clarifai's view of the core's labeling and review.

An annotation posted with a ``task_id`` on an input assigned to its worker *is* that worker's
submission: the worker's labels on the input are the union of their annotations there, handed to
the core's ``submit_work``.  An annotation's status is not stored but read from the core:

=============================== ==========================================================
core                            Clarifai annotation status (task assignment status)
=============================== ==========================================================
work assigned / in progress     ANNOTATION_PENDING (TASK_ASSIGNMENT_PENDING)
submitted, item still labeling  CONSENSUS review: AWAITING_CONSENSUS_REVIEW; MANUAL:
                                AWAITING_REVIEW; NONE: SUCCESS
item awaiting review            ANNOTATION_AWAITING_REVIEW
item approved                   SUCCESS for credited workers, REVIEW_DENIED for outvoted ones
item rejected                   ANNOTATION_REVIEW_DENIED
=============================== ==========================================================
"""
from __future__ import annotations

import base64
import copy
import uuid

from ...world import current_world
from . import core_port as core
from . import resources as res
from . import tasks as tk
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


def table(store):
    return store.table("clarifai_annotations", indexes=("app", "task", "input", "work"))


# -- labels: Clarifai data -> core labels ---------------------------------------------------------------
def _concepts(concepts, field: str) -> list[str]:
    out = []
    for i, c in enumerate(concepts or []):
        if not isinstance(c, dict) or not isinstance(c.get("id") or c.get("name"), str):
            raise invalid(f"{field}.concepts[{i}].id: required")
        value = c.get("value", 1)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise invalid(f"{field}.concepts[{i}].value: a number is required")
        if value > 0:  # value 0 marks a concept as absent
            out.append(c.get("id") or c["name"])
    return out


def labels_of(data: dict, field: str) -> list[dict]:
    """Core labels (concept, box, polygon) from an annotation's ``data``."""
    if not isinstance(data, dict):
        raise invalid(f"{field}: an object is required")
    labels = [{"concept": c} for c in _concepts(data.get("concepts"), field)]
    for i, region in enumerate(data.get("regions") or []):
        rfield = f"{field}.regions[{i}]"
        info = (region or {}).get("region_info") or {}
        names = _concepts(((region or {}).get("data") or {}).get("concepts"), f"{rfield}.data") or [None]
        box, polygon = info.get("bounding_box"), info.get("polygon")
        shape: dict = {}
        if box is not None:
            try:
                shape["box"] = [float(box.get(k, 0)) for k in ("left_col", "top_row", "right_col", "bottom_row")]
            except (TypeError, ValueError, AttributeError):
                raise invalid(f"{rfield}.region_info.bounding_box: numbers are required") from None
        elif polygon is not None:
            try:
                shape["polygon"] = [[float(p.get("col", 0)), float(p.get("row", 0))] for p in polygon.get("points") or []]
            except (TypeError, ValueError, AttributeError):
                raise invalid(f"{rfield}.region_info.polygon.points: points with row and col are required") from None
            if len(shape["polygon"]) < 3:
                raise invalid(f"{rfield}.region_info.polygon.points: at least 3 points are required")
        for name in names:
            if name is not None:
                labels.append({"concept": name, **copy.deepcopy(shape)})
    return labels


# -- status, read from the core ------------------------------------------------------------------------
class StatusReader:
    """Derives annotation statuses, fetching each (task, input) from the core once per request."""

    def __init__(self, store):
        self.store = store
        self._items: dict = {}
        self._tasks: dict = {}

    def item(self, core_id: str, input_id: str):
        key = (core_id, input_id)
        if key not in self._items:
            try:
                ti = core.get_task_item(self.store, core_id, input_id)
                works = {w["worker"]: w for w in core.list_work(self.store, core_id, input_id)}
            except Exception:  # the input left the task (or the task is gone)
                ti, works = None, {}
            self._items[key] = (ti, works)
        return self._items[key]

    def strategy(self, core_id: str) -> str:
        if core_id not in self._tasks:
            self._tasks[core_id] = core.get_task(self.store, core_id)["review"]["strategy"]
        return self._tasks[core_id]

    def of_work(self, core_id: str, input_id: str, worker: str) -> str | None:
        ti, works = self.item(core_id, input_id)
        work = works.get(worker)
        if ti is None or work is None:
            return None
        if work["state"] != "submitted":
            return "ANNOTATION_PENDING"
        state = ti["state"]
        if state == "approved":
            return "ANNOTATION_SUCCESS" if worker in (ti.get("credited") or []) else "ANNOTATION_REVIEW_DENIED"
        if state == "rejected":
            return "ANNOTATION_REVIEW_DENIED"
        if state == "awaiting_review":
            return "ANNOTATION_AWAITING_REVIEW"
        return {"consensus": "ANNOTATION_AWAITING_CONSENSUS_REVIEW", "manual": "ANNOTATION_AWAITING_REVIEW"}.get(
            self.strategy(core_id), "ANNOTATION_SUCCESS")

    def of(self, doc: dict) -> str:
        if doc.get("core_id") and not doc.get("frozen"):
            derived = self.of_work(doc["core_id"], doc["input_id"], doc["user_id"])
            if derived:
                return derived
        return doc.get("given_status") or "ANNOTATION_SUCCESS"


def render(doc: dict, reader: StatusReader) -> dict:
    out = {"id": doc["annotation_id"], "input_id": doc["input_id"], "data": copy.deepcopy(doc["data"]),
           "user_id": doc["user_id"], "status": code_status(reader.of(doc)),
           "created_at": timestamp(doc["created_at"]), "modified_at": timestamp(doc["modified_at"]),
           "worker": {"user": {"id": doc["user_id"]}}}
    if doc.get("annotation_info"):
        out["annotation_info"] = copy.deepcopy(doc["annotation_info"])
    if doc.get("task_id"):
        out["task_id"] = doc["task_id"]
    return out


# -- posting and patching ---------------------------------------------------------------------------------
def _work_key(app: str, task_id: str, input_id: str, worker: str) -> str:
    return f"{app}/{task_id}/{input_id}/{worker}"


def _submit(app: str, task_doc: dict, input_id: str, worker: str, replace: dict | None = None) -> None:
    """Hand the core the union of the worker's annotations on the input (``replace``: id -> new data)."""
    store = current_world().store
    labels = []
    for doc in table(store).find(work=_work_key(app, task_doc["task_id"], input_id, worker)):
        data = (replace or {}).get(doc["id"], doc["data"])
        labels.extend(labels_of(data, "annotation.data"))
    core.submit_work(store, task_doc["core_id"], input_id, worker, labels)


def post(app: str, caller: str, wire: list) -> list[dict]:
    store = current_world().store
    coll = table(store)
    docs, seen = [], set()
    with store.lock:
        for i, a in enumerate(wire):
            field = f"annotations[{i}]"
            if not isinstance(a, dict):
                raise invalid(f"{field}: an annotation object is required")
            input_id = a.get("input_id")
            if not isinstance(input_id, str) or res.input_doc(app, input_id) is None:
                raise invalid(f"{field}.input_id: no input {input_id!r} in this app")
            data = a.get("data") or {}
            labels_of(data, f"{field}.data")
            worker = a.get("user_id") or ((a.get("worker") or {}).get("user") or {}).get("id") or caller
            ann_id = a.get("id") or uuid.uuid4().hex
            if f"{app}/{ann_id}" in coll or ann_id in seen:
                raise invalid(f"{field}.id: annotation {ann_id!r} already exists")
            seen.add(ann_id)
            given = None
            if isinstance(a.get("status"), dict) and a["status"].get("code") is not None:
                given = code_name(a["status"]["code"], f"{field}.status.code", ANNOTATION_CODES)
            task_doc = None
            if a.get("task_id"):
                task_doc = tk.load(app, a["task_id"])
                if core.work_doc(store, task_doc["core_id"], input_id, worker) is None:
                    raise failure(403, "TASK_PERMISSION_DENIED",
                                  f"{field}: worker {worker!r} is not assigned input {input_id!r} in task {a['task_id']!r}")
            now = current_world().now()
            docs.append({"id": f"{app}/{ann_id}", "app": app, "annotation_id": ann_id, "input_id": input_id,
                         "user_id": worker, "data": copy.deepcopy(data), "given_status": given,
                         "annotation_info": copy.deepcopy(a.get("annotation_info")),
                         "task_id": task_doc and task_doc["task_id"], "core_id": task_doc and task_doc["core_id"],
                         "task": task_doc and f"{app}/{task_doc['task_id']}", "input": f"{app}/{input_id}",
                         "work": task_doc and _work_key(app, task_doc["task_id"], input_id, worker),
                         "created_at": now, "modified_at": now, "_task_doc": task_doc})
        stored = []
        for d in docs:
            d.pop("_task_doc")
            stored.append(coll.insert(d))
        try:
            for key in dict.fromkeys((d["task_id"], d["input_id"], d["user_id"]) for d in stored if d["task_id"]):
                _submit(app, tk.load(app, key[0]), key[1], key[2])
        except Exception:
            for d in stored:
                coll.remove(d["id"])
            raise
        reader = StatusReader(store)
        return [render(d, reader) for d in stored]


def _merge_data(old: dict, new: dict, action: str) -> dict:
    if action == "overwrite":
        return copy.deepcopy(new)
    out = copy.deepcopy(old)
    if action == "merge":
        known = {c.get("id") for c in out.get("concepts") or []}
        out["concepts"] = (out.get("concepts") or []) + [c for c in new.get("concepts") or [] if c.get("id") not in known]
        out["regions"] = (out.get("regions") or []) + copy.deepcopy(new.get("regions") or [])
        for key, value in new.items():
            if key not in ("concepts", "regions"):
                out[key] = copy.deepcopy(value)
    else:  # remove
        gone = {c.get("id") for c in new.get("concepts") or []}
        out["concepts"] = [c for c in out.get("concepts") or [] if c.get("id") not in gone]
        gone_regions = {r.get("id") for r in new.get("regions") or []}
        out["regions"] = [r for r in out.get("regions") or [] if r.get("id") not in gone_regions]
    return {k: v for k, v in out.items() if v not in (None, [])}


def patch(app: str, wire: list, action: str) -> list[dict]:
    """Change annotations' data; a task annotation resubmits its worker's labels."""
    store = current_world().store
    coll = table(store)
    with store.lock:
        changes = {}
        for i, a in enumerate(wire):
            field = f"annotations[{i}]"
            doc = coll.get(f"{app}/{(a or {}).get('id')}") if isinstance(a, dict) else None
            if doc is None:
                raise failure(404, "CONN_DOES_NOT_EXIST", f"{field}.id: no annotation {(a or {}).get('id')!r}")
            data = _merge_data(doc["data"], a.get("data") or {}, action)
            labels_of(data, f"{field}.data")
            changes[doc["id"]] = data
        for key in dict.fromkeys((coll.get(i)["task_id"], coll.get(i)["input_id"], coll.get(i)["user_id"])
                                 for i in changes if coll.get(i)["task_id"]):
            _submit(app, tk.load(app, key[0]), key[1], key[2], replace=changes)
        now = current_world().now()
        docs = [coll.update(i, {"data": data, "modified_at": now}) for i, data in changes.items()]
        reader = StatusReader(store)
        return [render(d, reader) for d in docs]


def find(app: str, *, ids=None, input_ids=None, user_ids=None, task_id=None, statuses=None) -> list[dict]:
    store = current_world().store
    coll = table(store)
    wanted = set()
    for i, s in enumerate(statuses or []):
        if s == "code":  # the JSON client flattens ``statuses=[{code: ...}]`` into the bare word
            continue
        wanted.add(code_name(s, f"statuses[{i}]", ANNOTATION_CODES))
    with store.lock:
        if task_id:
            tk.load(app, task_id)
            docs = coll.find(task=f"{app}/{task_id}")
        elif ids:
            docs = [d for d in (coll.get(f"{app}/{i}") for i in ids) if d is not None]
        elif input_ids:
            docs = [d for i in input_ids for d in coll.find(input=f"{app}/{i}")]
        else:
            docs = coll.find(app=app)
        reader = StatusReader(store)
        out = []
        for d in docs:
            if (ids and d["annotation_id"] not in ids) or (input_ids and d["input_id"] not in input_ids) \
                    or (user_ids and d["user_id"] not in user_ids):
                continue
            rendered = render(d, reader)
            if wanted and reader.of(d) not in wanted:
                continue
            out.append(rendered)
        return out


def freeze_task(app: str, task_doc: dict) -> None:
    """Before a task is deleted, keep its annotations' last status (annotations outlive tasks)."""
    store = current_world().store
    coll = table(store)
    reader = StatusReader(store)
    for d in coll.find(task=f"{app}/{task_doc['task_id']}"):
        coll.update(d["id"], {"given_status": reader.of(d), "frozen": True})


def drop_input(app: str, input_id: str) -> None:
    coll = table(current_world().store)
    for doc_id in coll.ids(input=f"{app}/{input_id}"):
        coll.remove(doc_id)


# -- assignments ------------------------------------------------------------------------------------------
def assignment_id(work: dict) -> str:
    return base64.urlsafe_b64encode(work["id"].encode()).decode().rstrip("=")


def _work_of_assignment(task_doc: dict, value, field: str) -> dict:
    try:
        work_id = base64.urlsafe_b64decode(str(value) + "=" * (-len(str(value)) % 4)).decode()
    except Exception:
        work_id = ""
    if not work_id.startswith(task_doc["core_id"] + "|"):
        raise invalid(f"{field}: unknown task assignment {value!r}")
    input_id, worker = work_id.rsplit("|", 2)[-2:]
    work = core.work_doc(current_world().store, task_doc["core_id"], input_id, worker)
    if work is None:
        raise invalid(f"{field}: unknown task assignment {value!r}")
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


def put_assignments(app: str, caller: str, task_id: str, body: dict) -> list[dict]:
    store = current_world().store
    action = enum_name("assignment_action", body.get("action"), "action")
    if action in (None, "PUT_TASK_ASSIGNMENTS_REQUEST_ACTION_NOT_SET"):
        raise invalid("action: required; one of LABEL_START, LABEL_SUBMIT, REVIEW_START, REVIEW_APPROVE, "
                      "REVIEW_REQUEST_CHANGES, REVIEW_REJECT")
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
            for w in works:
                _submit(app, task_doc, w["item_id"], w["worker"])
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
        if not items:
            raise invalid("input_id: required (or the config's task_assignments)")
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
    current = {code_name(c, f"status_codes[{i}]", ANNOTATION_CODES) for i, c in enumerate(body.get("status_codes") or [])}
    users = set(body.get("user_ids") or [])
    with store.lock:
        task_doc = tk.load(app, task_id)
        reader = StatusReader(store)
        docs = [d for d in table(store).find(task=f"{app}/{task_id}")
                if (not users or d["user_id"] in users) and (not current or reader.of(d) in current)]
        for input_id in dict.fromkeys(d["input_id"] for d in docs):
            ti, _ = reader.item(task_doc["core_id"], input_id)
            if ti is not None and ti["state"] == "awaiting_review":
                core.review_item(store, task_doc["core_id"], input_id, caller, DECISION_OF_CODE[target])
        after = StatusReader(store)
        updated = sum(1 for d in docs if after.of(d) != reader.of(d))
        return {"user_ids": sorted({d["user_id"] for d in docs}), "updated_count": updated}


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
        reader = StatusReader(store)
        tally: dict = {w: {} for w in core.get_task(store, task_doc["core_id"])["workers"]}
        for d in table(store).find(task=f"{app}/{task_id}"):
            per = tally.setdefault(d["user_id"], {})
            status = reader.of(d)
            per[status] = per.get(status, 0) + 1
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
