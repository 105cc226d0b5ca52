"""Annotations and task work: Clarifai's view of the core's annotations, labeling and review.

Annotations live in the core (``mockserver.core.annotations``), in the app's tenant: what a client posts
here, and one per task work that has labels but no posted annotation (a simulated worker's, say), so
all work done on a task is visible through Clarifai's annotation calls. An annotation posted with a
``task_id`` (or ``annotation_info.task_id``) on an input assigned to its worker is that worker's PENDING
work: posting, patching or deleting it submits nothing; PutTaskAssignments LABEL_SUBMIT submits the union
of the worker's annotations there (``assignments.py``). Statuses come from the core:

=================================== ==========================================
core annotation status              Clarifai status code
=================================== ==========================================
pending                             ANNOTATION_PENDING
awaiting_review                     ANNOTATION_AWAITING_REVIEW
awaiting_consensus_review           ANNOTATION_AWAITING_CONSENSUS_REVIEW
accepted                            ANNOTATION_SUCCESS
rejected                            ANNOTATION_REVIEW_DENIED
=================================== ==========================================

``trusted`` is true for ANNOTATION_SUCCESS annotations. ListAnnotations lists only trusted ones unless
``list_all_annotations`` is set or the request names what it wants: ``user_ids`` (as the proto says),
``ids`` (as the docs say), a ``task_id`` (a task's work, whatever its review state) or ``statuses``.
"""
from __future__ import annotations

import copy
import uuid

from ...world import current_world
from . import core_port as core
from . import resources as res
from . import tasks as tk
from .wire import ANNOTATION_CODES, code_name, code_status, failure, invalid, timestamp

# core annotation status <-> Clarifai annotation status code
CODE_OF_STATUS = {"pending": "ANNOTATION_PENDING", "awaiting_review": "ANNOTATION_AWAITING_REVIEW",
                  "awaiting_consensus_review": "ANNOTATION_AWAITING_CONSENSUS_REVIEW",
                  "accepted": "ANNOTATION_SUCCESS", "rejected": "ANNOTATION_REVIEW_DENIED"}
STATUS_OF_CODE = {code: status for status, code in CODE_OF_STATUS.items()}


def tenant_of(app: str) -> str:
    """The core tenant of one Clarifai app: its tasks and annotations live there."""
    return f"clarifai:{app}"


# -- labels: Clarifai data <-> core labels ----------------------------------------------------------------
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


def data_of(labels: list[dict]) -> dict:
    """An annotation's ``data`` from core labels (for work a client did not post as annotations, e.g.
    simulated workers'): whole-input concepts, and a region per box or polygon."""
    data: dict = {}
    for label in labels:
        concept = {"id": label["concept"], "name": label["concept"], "value": 1.0}
        if "box" in label:
            x0, y0, x1, y1 = label["box"]
            info = {"bounding_box": {"left_col": x0, "top_row": y0, "right_col": x1, "bottom_row": y1}}
        elif "polygon" in label:
            info = {"polygon": {"points": [{"col": x, "row": y} for x, y in label["polygon"]]}}
        else:
            data.setdefault("concepts", []).append(concept)
            continue
        data.setdefault("regions", []).append({"region_info": info, "data": {"concepts": [concept]}})
    return data


# -- status, read from the core ------------------------------------------------------------------------
class StatusReader:
    """Clarifai's status codes for task work, from the core (each task and item read once per request)."""

    def __init__(self, store):
        self.store = store
        self.core = core.status_reader(store)
        self._items: dict = {}

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

    def of_work(self, core_id: str, input_id: str, worker: str) -> str | None:
        ti, works = self.item(core_id, input_id)
        work = works.get(worker)
        if ti is None or work is None:
            return None
        return CODE_OF_STATUS[self.core.of_work(work)]


def render(view: dict, task_ids: dict | None = None) -> dict:
    """A core annotation as Clarifai's Annotation message."""
    meta = view.get("meta") or {}
    data = copy.deepcopy(meta["data"]) if "data" in meta else data_of(view["labels"])
    out = {"id": view["annotation_id"], "input_id": view["item_id"], "data": data, "user_id": view["author"],
           "status": code_status(CODE_OF_STATUS[view["status"]]), "trusted": view["trusted"],
           "created_at": timestamp(view["created_at"]), "modified_at": timestamp(view["updated_at"]),
           "worker": {"user": {"id": view["author"]}}}
    if meta.get("annotation_info"):
        out["annotation_info"] = copy.deepcopy(meta["annotation_info"])
    task_id = meta.get("task_id") or (task_ids or {}).get(view.get("task_id"))
    if task_id and view.get("task_id"):
        out["task_id"] = task_id
    return out


def _task_ids(app: str, views: list[dict]) -> dict:
    """core task id -> Clarifai task id, for the tasks the views belong to."""
    out = {}
    for v in views:
        if v.get("task_id") and v["task_id"] not in out:
            out[v["task_id"]] = core.wire_task_id(app, v["task_id"])
    return out


# -- posting and patching ---------------------------------------------------------------------------------
def post(app: str, caller: str, wire: list, owner: bool = True) -> list[dict]:
    """Store annotations. The app's owner (its app key, or the owner's PAT) may post on a worker's behalf
    with ``user_id``; anyone else (a collaborator's PAT) is recorded as themself, whatever the body says."""
    store = current_world().store
    specs = []
    with store.lock:
        for i, a in enumerate(wire):
            field = f"annotations[{i}]"
            if not isinstance(a, dict):
                raise invalid(f"{field}: an annotation object is required")
            input_id = a.get("input_id")
            if not isinstance(input_id, str) or res.input_doc(app, input_id) is None:
                raise invalid(f"{field}.input_id: no input {input_id!r} in this app", 404)
            data = a.get("data") or {}
            labels = labels_of(data, f"{field}.data")
            worker = (a.get("user_id") or ((a.get("worker") or {}).get("user") or {}).get("id") or caller) if owner \
                else caller
            given = None
            if isinstance(a.get("status"), dict) and a["status"].get("code") is not None:
                given = STATUS_OF_CODE[code_name(a["status"]["code"], f"{field}.status.code", ANNOTATION_CODES)]
            info = a.get("annotation_info") if isinstance(a.get("annotation_info"), dict) else {}
            task_id = a.get("task_id") or info.get("task_id")  # the docs' task-annotation guide uses the latter
            spec = {"tenant": tenant_of(app), "source": core.app_source(app), "id": a.get("id") or uuid.uuid4().hex,
                    "item_id": input_id, "author": worker, "labels": labels, "status": given,
                    "meta": {"data": copy.deepcopy(data), "annotation_info": copy.deepcopy(a.get("annotation_info"))}}
            if task_id:
                task_doc = tk.load(app, task_id)
                if core.work_doc(store, task_doc["core_id"], input_id, worker) is None:
                    raise failure(403, "TASK_PERMISSION_DENIED",
                                  f"{field}: worker {worker!r} is not assigned input {input_id!r} in task {task_id!r}")
                spec["task_id"] = task_doc["core_id"]
                spec["meta"]["task_id"] = task_id
            specs.append(spec)
        try:
            views = core.post_annotations(store, specs)
        except core.InvalidArgument as exc:  # an id already taken is a conflict, the rest a bad request
            raise invalid(str(exc), 409 if "already exists" in str(exc) else 400) from None
        return [render(v) for v in views]


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
    """Change annotations' data; a task annotation is its worker's pending work again (LABEL_SUBMIT submits it)."""
    store = current_world().store
    tenant = tenant_of(app)
    with store.lock:
        changes = []
        for i, a in enumerate(wire):
            field = f"annotations[{i}]"
            ann_id = (a or {}).get("id") if isinstance(a, dict) else None
            try:
                view = core.get_annotation(store, tenant, str(ann_id))
            except core.NotFound:
                raise failure(404, "CONN_DOES_NOT_EXIST", f"{field}.id: no annotation {ann_id!r}") from None
            if view.get("derived"):
                raise invalid(f"{field}.id: annotation {ann_id!r} is a worker's task work; it changes through the task", 409)
            meta = copy.deepcopy(view.get("meta") or {})
            data = _merge_data(meta.get("data") or {}, a.get("data") or {}, action)
            changes.append((view["annotation_id"], labels_of(data, f"{field}.data"), {**meta, "data": data}))
        return [render(v) for v in core.patch_annotations(store, tenant, changes)]


def find(app: str, *, ids=None, input_ids=None, user_ids=None, task_id=None, statuses=None,
         list_all: bool = True) -> list[dict]:
    """ListAnnotations. ``list_all=False`` (the request's ``list_all_annotations`` unset): only trusted
    annotations, unless ``ids``, ``user_ids``, ``task_id`` or ``statuses`` say what is wanted."""
    store = current_world().store
    wanted = set()
    for i, s in enumerate(statuses or []):
        if s == "code":  # the JSON client flattens ``statuses=[{code: ...}]`` into the bare word
            continue
        wanted.add(STATUS_OF_CODE[code_name(s, f"statuses[{i}]", ANNOTATION_CODES)])
    # Statuses asked for, even as the JSON channel's bare "code", mean any status may be wanted.
    if not (list_all or ids or user_ids or task_id or statuses):
        wanted = {"accepted"}  # trusted
    with store.lock:
        core_task = tk.load(app, task_id)["core_id"] if task_id else None
        views = core.list_annotations(store, tenant_of(app), task_id=core_task, item_ids=input_ids or None,
                                      authors=user_ids or None, ids=ids or None, statuses=wanted or None)
        task_ids = _task_ids(app, views)
        return [render(v, task_ids) for v in views]


def drop_input(app: str, input_id: str) -> None:
    core.drop_annotations_of_item(current_world().store, tenant_of(app), input_id)


def view_of(app: str, annotation_id: str, input_id: str | None = None) -> dict:
    """One annotation of the app (stored or a work's), or CONN_DOES_NOT_EXIST; ``input_id``: it must be on
    that input."""
    try:
        view = core.get_annotation(current_world().store, tenant_of(app), str(annotation_id))
    except core.NotFound:
        view = None
    if view is None or (input_id is not None and view["item_id"] != input_id):
        where = f" on input {input_id!r}" if input_id is not None else ""
        raise failure(404, "CONN_DOES_NOT_EXIST", f"no annotation {annotation_id!r}{where}")
    return view


def get_one(app: str, input_id: str, annotation_id: str) -> dict:
    store = current_world().store
    with store.lock:
        view = view_of(app, annotation_id, input_id)
        return render(view, _task_ids(app, [view]))


def delete(app: str, ids=None, input_ids=None) -> int:
    """DeleteAnnotation(s): by ``ids`` (with ``input_ids`` of the same length and order, each on its
    input), or every stored annotation of ``input_ids``. A worker's derived task work is not an annotation
    one can delete (it changes through the task). All or nothing; returns how many went."""
    store = current_world().store
    ids, input_ids = list(ids or []), list(input_ids or [])
    if not ids and not input_ids:
        raise invalid("input_ids: required (or ids)")
    if ids and input_ids and len(ids) != len(input_ids):
        raise invalid("ids: as many as input_ids, in the same order")
    with store.lock:
        if ids:
            gone = []
            for i, ann_id in enumerate(ids):
                if not isinstance(ann_id, str) or not ann_id:
                    raise invalid(f"ids[{i}]: an annotation id is required")
                view = view_of(app, ann_id, input_ids[i] if input_ids else None)
                if view.get("derived"):
                    raise invalid(f"ids[{i}]: annotation {ann_id!r} is a worker's task work; it changes "
                                  "through the task", 409)
                gone.append(view["annotation_id"])
        else:
            for i, input_id in enumerate(input_ids):
                if not isinstance(input_id, str) or res.input_doc(app, input_id) is None:
                    raise failure(404, "CONN_DOES_NOT_EXIST", f"input_ids[{i}]: no input {input_id!r}")
            gone = [v["annotation_id"] for v in core.list_annotations(store, tenant_of(app), item_ids=input_ids)
                    if not v.get("derived")]
        return core.delete_annotations(store, tenant_of(app), gone) if gone else 0


def _concepts_of(data: dict) -> list[tuple[str, float]]:
    """(concept id, value) of an annotation's data: whole-input concepts and region concepts."""
    found = []
    for c in (data or {}).get("concepts") or []:
        if isinstance(c, dict):
            found.append((c.get("id") or c.get("name"), c.get("value", 1)))
    for region in (data or {}).get("regions") or []:
        for c in ((region or {}).get("data") or {}).get("concepts") or []:
            if isinstance(c, dict):
                found.append((c.get("id") or c.get("name"), c.get("value", 1)))
    return [(cid, v if isinstance(v, (int, float)) and not isinstance(v, bool) else 1) for cid, v in found if cid]


def concepts_of(view: dict) -> list[tuple[str, float]]:
    return _concepts_of(render(view)["data"])


def trusted_concepts(app: str, input_ids: list[str] | None = None) -> dict[str, set]:
    """input id -> the concepts its trusted annotations tag positively."""
    store = current_world().store
    out: dict[str, set] = {}
    with store.lock:
        for v in core.list_annotations(store, tenant_of(app), item_ids=input_ids or None, statuses={"accepted"}):
            for concept, value in concepts_of(v):
                if value > 0:
                    out.setdefault(v["item_id"], set()).add(concept)
    return out


def concept_counts(app: str) -> list[dict]:
    """GetConceptCounts: per concept of the app, the inputs its trusted annotations tag positively
    (value > 0) and negatively (value 0); every input counts as processed."""
    store = current_world().store
    positive: dict[str, set] = {}
    negative: dict[str, set] = {}
    with store.lock:
        for v in core.list_annotations(store, tenant_of(app), statuses={"accepted"}):
            for concept, value in concepts_of(v):
                (positive if value > 0 else negative).setdefault(concept, set()).add(v["item_id"])
        out = []
        for doc in res.concepts(store).find(app=app):
            pos, neg = len(positive.get(doc["concept_id"], ())), len(negative.get(doc["concept_id"], ()))
            counts = {"positive": pos, "negative": neg}
            out.append({"id": doc["concept_id"], "name": doc["name"], "concept_type_count": counts,
                        "detail_concept_count": {"processed": dict(counts),
                                                 "to_process": {"positive": 0, "negative": 0},
                                                 "errors": {"positive": 0, "negative": 0},
                                                 "processing": {"positive": 0, "negative": 0}}})
        return out


def workers(app: str, trusted_only: bool = False, full: bool = False) -> list[dict]:
    """ListAnnotationWorkers: the users who made the app's annotations (``trusted_only``: trusted ones),
    in order of their first annotation; ``full``: with what the app knows of them."""
    from .collaborators import user_info

    store = current_world().store
    with store.lock:
        views = core.list_annotations(store, tenant_of(app), statuses={"accepted"} if trusted_only else None)
        authors = list(dict.fromkeys(v["author"] for v in sorted(views, key=lambda v: v["created_at"])))
        return [{"user": user_info(store, app, a) if full else {"id": a}} for a in authors]
