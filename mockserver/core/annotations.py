"""Annotations: the labels an author put on an item, with or without a task. One source of truth for
every vendor (Clarifai's annotation calls, ModelArts' sample labels) and the simulation.

Two kinds, one view:

* **stored** annotations (table ``core_annotations``, id ``tenant|annotation_id``) are posted by a
  client through a vendor adapter. A *tenant* is the namespace the vendor keeps annotations in (a
  Clarifai app), the same string its tasks carry as ``tenant``; the item is named by its vendor id
  and the ``source`` that holds it. With a ``task_id`` they are the author's work on that item, and
  PENDING: posting, changing or deleting one records it on the work (an assigned or submitted work goes
  back to in progress) and submits nothing; ``submit_annotated_work`` then submits the union of the
  author's stored annotations there (a vendor's "submit this assignment"). A work that ever had a
  stored annotation is *annotated*: from then on its stored annotations alone are its labels.
* **work** annotations are derived, not stored: a task work with labels (submitted by the simulation,
  by ModelArts' sample calls, ...) that was never annotated shows as one annotation of its author,
  with the id ``work_annotation_id(work id)``. Nothing is written per submission, so the simulation's
  100k-item runs cost no extra documents.

Status, vendor-neutral (``ANNOTATION_STATUSES``), derived from the task while the annotation belongs to
one and frozen when the task is deleted (annotations outlive tasks):

================================ ===================================================
the author's work / the item      status
================================ ===================================================
not submitted                     ``pending``
submitted, item still labeling    ``awaiting_consensus_review`` (consensus review),
                                  ``awaiting_review`` (manual review), ``accepted`` (none)
item awaiting a reviewer          ``awaiting_review``
item approved                     ``accepted`` for credited authors, ``rejected`` for outvoted ones
item rejected                     ``rejected``
================================ ===================================================

An annotation outside any task keeps the status it was given (``accepted`` by default). ``trusted``
is true for accepted annotations: what a vendor lists by default as the item's labels.

Costs: listing a task's annotations is O(work of the task + its stored annotations); one item's is
O(workers on it); posting is O(annotations posted); submitting is O(the author's annotations on the item).
"""
from __future__ import annotations

import base64
import copy

from mockserver.store import Store

from . import records as R
from .planning import ready_task
from .errors import InvalidArgument, NotAllowed, NotFound
from .ledger import Ledger
from .work import _check_submit, _normalize_labels, _submit, _work_doc

ANNOTATIONS = "core_annotations"
ANNOTATION_STATUSES = ("pending", "awaiting_review", "awaiting_consensus_review", "accepted", "rejected")
_WORK_PREFIX = "work-"


def _table(store: Store):
    return store.table(ANNOTATIONS, indexes=("tenant", "task_id", "work", "item_key"))


def work_annotation_id(work_id: str) -> str:
    """The id under which a work's derived annotation is shown."""
    return _WORK_PREFIX + base64.urlsafe_b64encode(work_id.encode()).decode().rstrip("=")


def _work_id_of(annotation_id: str) -> str | None:
    if not annotation_id.startswith(_WORK_PREFIX):
        return None
    text = annotation_id[len(_WORK_PREFIX):]
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None


class StatusReader:
    """Derives annotation statuses, reading each task and task-item once (use one per request)."""

    def __init__(self, store: Store):
        self.store = store
        self.tasks: dict = {}
        self.items: dict = {}

    def strategy(self, task_id: str) -> str:
        if task_id not in self.tasks:
            task = R.tasks(self.store).get(task_id)
            self.tasks[task_id] = task["review"]["strategy"] if task else None
        return self.tasks[task_id]

    def of_work(self, work: dict) -> str:
        if work["state"] != "submitted":
            return "pending"
        ti = self.items.get(work["ti"])
        if ti is None:
            ti = self.items[work["ti"]] = R.task_items(self.store).get(work["ti"]) or {}
        state = ti.get("state")
        if state == "approved":
            return "accepted" if work["worker"] in (ti.get("credited") or []) else "rejected"
        if state == "rejected":
            return "rejected"
        if state == "awaiting_review":
            return "awaiting_review"
        return {"consensus": "awaiting_consensus_review", "manual": "awaiting_review"}.get(
            self.strategy(work["task_id"]), "accepted")

    def of(self, doc: dict) -> str:
        if doc.get("work"):
            work = R.work(self.store).get(doc["work"])
            if work is not None:
                return self.of_work(work)
        return doc.get("status") or "accepted"


def _view(doc: dict, status: str) -> dict:
    out = R.clone(doc)
    out.pop("item_key", None)
    out["status"] = status
    out["trusted"] = status == "accepted"
    return out


def _derived(work: dict) -> bool:
    """Whether the work shows as a derived annotation: it has labels and never had a stored one."""
    return work.get("labels") is not None and not work.get("annotated")


def _work_view(work: dict, tenant: str, status: str) -> dict:
    return {"id": work_annotation_id(work["id"]), "annotation_id": work_annotation_id(work["id"]), "tenant": tenant,
            "source": work["source"],
            "item_id": work["item_id"], "task_id": work["task_id"], "work": work["id"], "author": work["worker"],
            "labels": copy.deepcopy(work.get("labels") or []), "meta": None, "derived": True,
            "created_at": work.get("submitted_at") or work["created_at"],
            "updated_at": work.get("submitted_at") or work["updated_at"],
            "status": status, "trusted": status == "accepted"}


# -- writing --------------------------------------------------------------------------------------------
def post_annotations(store: Store, specs: list[dict]) -> list[dict]:
    """Store annotations, all or nothing; returns their views in order.

    Each spec: ``tenant``, ``id`` (unique in the tenant), ``source`` and ``item_id`` (the item), ``author``, ``labels`` (see
    ``work``), and optionally ``task_id`` (the author's work on that item: the annotation is recorded on
    it, pending until ``submit_annotated_work``; an assigned or submitted work goes back to in progress),
    ``status`` (outside tasks; one of ``ANNOTATION_STATUSES``) and ``meta`` (the adapter's own JSON, kept
    as is). Refused on an item that is settled (``InvalidState``) or not the author's (``NotAllowed``)."""
    with store.lock:
        coll, items = _table(store), R.items(store)
        docs, seen, touched = [], set(), {}
        t = R.now()
        for i, spec in enumerate(specs):
            tenant, source = str(spec["tenant"]), str(spec["source"])
            ann_id, item_id = str(spec["id"]), str(spec["item_id"])
            key = R.item_key(tenant, ann_id)
            if key in coll or key in seen or _work_id_of(ann_id) is not None:
                raise InvalidArgument(f"annotations[{i}]: annotation {ann_id!r} already exists")
            seen.add(key)
            if items.get(R.item_key(source, item_id)) is None:
                raise NotFound(f"annotations[{i}]: no item {item_id!r}")
            status = spec.get("status")
            if status is not None and status not in ANNOTATION_STATUSES:
                raise InvalidArgument(f"annotations[{i}].status: one of {', '.join(ANNOTATION_STATUSES)}")
            labels = _normalize_labels(spec.get("labels") or [])
            work_id = None
            if spec.get("task_id"):
                task = ready_task(store, spec["task_id"], tenant)
                task, ti, work = _work_doc(store, task["id"], item_id, spec["author"], None, task)
                _check_submit(ti, work, item_id)
                work_id = work["id"]
                touched[work_id] = (task, ti["id"])
            docs.append({"id": key, "annotation_id": ann_id, "tenant": tenant, "source": source, "item_id": item_id,
                         "item_key": R.item_key(tenant, item_id), "task_id": spec.get("task_id") or None,
                         "work": work_id, "author": str(spec["author"]), "labels": labels,
                         "status": None if work_id else (status or "accepted"),
                         "meta": copy.deepcopy(spec.get("meta")), "created_at": t, "updated_at": t})
        for doc in docs:
            coll.insert(doc)
        for work_id, (task, ti_id) in touched.items():
            _reopen(store, task, ti_id, work_id)
        status = StatusReader(store)
        return [_view(d, status.of(d)) for d in docs]


def _reopen(store: Store, task: dict, ti_id: str, work_id: str) -> None:
    """The author changed their annotations on the work: it is annotated and pending (in progress)
    until submitted again. The item's state and the statistics follow (an item awaiting review goes
    back to labeling)."""
    work = R.work(store).get(work_id)
    fields: dict = {} if work.get("annotated") else {"annotated": True}
    if work["state"] == "assigned":
        fields.update(state="in_progress", started=True)
    elif work["state"] == "submitted":
        fields.update(state="in_progress", queue=R.shared_key(task["id"], work["worker"]))
    if not fields:
        return
    fields["updated_at"] = R.now()
    if "state" not in fields:  # nothing counted changes
        R.work(store).update(work_id, fields)
        return
    ledger = Ledger(store, task)
    ledger.change_work(R.task_items(store).get(ti_id), work, fields)
    ledger.flush()


def _stored_labels(store: Store, work_id: str) -> list[dict]:
    """The union of the labels of the work's stored annotations, oldest first."""
    docs = sorted(_table(store).find(work=work_id), key=lambda d: d["created_at"])
    return [label for d in docs for label in d["labels"]]


def status_reader(store: Store) -> StatusReader:
    """A reader of annotation statuses for one request: ``.of_work(work)`` -> one of ANNOTATION_STATUSES."""
    return StatusReader(store)


def submit_annotated_work(store: Store, task_id: str, item_id: str, author: str, source: str | None = None) -> dict:
    """Submit the author's work on the item: the union of their stored annotations there once the work
    is annotated (none left: an empty labeling), else the labels the work already holds (none: empty).
    Resubmitting submitted work replaces its labels until the item settles. Returns a copy of the work."""
    with store.lock:
        task, ti, work = _work_doc(store, task_id, item_id, author, source)
        _check_submit(ti, work, item_id)
        if work.get("annotated") or _table(store).count(work=work["id"]):
            labels = _stored_labels(store, work["id"])
        else:
            labels = _normalize_labels(work.get("labels") or [])
        _submit(store, task, ti, work, labels)
        return R.clone(R.work(store).get(work["id"]))


def patch_annotations(store: Store, tenant: str, changes: list[tuple[str, list[dict], object]]) -> list[dict]:
    """Replace the labels (and the adapter's ``meta``) of stored annotations: ``[(id, labels, meta), ...]``,
    all or nothing. A task annotation's work is pending again (see ``post_annotations``); refused once its
    item is settled."""
    with store.lock:
        coll = _table(store)
        planned, touched = [], {}
        for i, (ann_id, labels, meta) in enumerate(changes):
            doc = coll.get(R.item_key(tenant, str(ann_id)))
            if doc is None:
                raise NotFound(f"annotations[{i}]: no annotation {ann_id!r}")
            clean = _normalize_labels(labels)
            if doc.get("work"):
                work = R.work(store).get(doc["work"])
                if work is None:
                    raise NotAllowed(f"annotations[{i}]: the task of annotation {ann_id!r} is gone")
                task = ready_task(store, work["task_id"])
                ti = R.task_items(store).get(work["ti"])
                _check_submit(ti, work, doc["item_id"])
                touched[work["id"]] = (task, ti["id"])
            planned.append((doc["id"], clean, meta))
        t = R.now()
        out = [coll.update(doc_id, {"labels": clean, "meta": copy.deepcopy(meta), "updated_at": t})
               for doc_id, clean, meta in planned]
        for work_id, (task, ti_id) in touched.items():
            _reopen(store, task, ti_id, work_id)
        status = StatusReader(store)
        return [_view(d, status.of(d)) for d in out]


def delete_annotations(store: Store, tenant: str, ids: list[str]) -> int:
    """Remove stored annotations (all or nothing); returns how many. Derived work annotations cannot
    be deleted (they are the work itself). A task annotation on an item still being labeled leaves its
    work pending (see ``post_annotations``); on a settled item the work keeps what was settled."""
    with store.lock:
        coll = _table(store)
        keys, touched = [], {}
        for i, ann_id in enumerate(ids):
            key = R.item_key(tenant, str(ann_id))
            doc = coll.get(key)
            if doc is None:
                raise NotFound(f"ids[{i}]: no annotation {ann_id!r}")
            keys.append(key)
            work = R.work(store).get(doc["work"]) if doc.get("work") else None
            ti = R.task_items(store).get(work["ti"]) if work is not None else None
            if ti is not None and ti["state"] not in ("approved", "rejected") \
                    and work["state"] in ("assigned", "in_progress", "submitted"):
                touched[work["id"]] = (ready_task(store, work["task_id"]), ti["id"])
        for key in dict.fromkeys(keys):
            coll.remove(key)
        for work_id, (task, ti_id) in touched.items():
            _reopen(store, task, ti_id, work_id)
        return len(set(keys))


def freeze_task(store: Store, task_id: str) -> None:
    """Before a task is deleted: its stored annotations keep their last status and leave the task."""
    with store.lock:
        coll, status = _table(store), StatusReader(store)
        for doc in coll.find(task_id=task_id):
            coll.update(doc["id"], {"status": status.of(doc), "work": None})


def drop_item(store: Store, tenant: str, item_id: str) -> None:
    """The item is gone from the tenant: so are the annotations on it."""
    with store.lock:
        coll = _table(store)
        for doc_id in coll.ids(item_key=R.item_key(tenant, item_id)):
            coll.remove(doc_id)


# -- reading --------------------------------------------------------------------------------------------
def get_annotation(store: Store, tenant: str, annotation_id: str) -> dict:
    with store.lock:
        doc = _table(store).get(R.item_key(tenant, str(annotation_id)))
        if doc is not None:
            return _view(doc, StatusReader(store).of(doc))
        work_id = _work_id_of(str(annotation_id))
        work = R.work(store).get(work_id) if work_id else None
        task = R.tasks(store).get(work["task_id"]) if work is not None else None
        if work is not None and _derived(work) and (task or {}).get("tenant") == tenant \
                and not _table(store).count(work=work["id"]):
            return _work_view(work, tenant, StatusReader(store).of_work(work))
        raise NotFound(f"no annotation {annotation_id!r}")


def list_annotations(store: Store, tenant: str, *, task_id: str | None = None, item_ids=None, authors=None,
                     ids=None, statuses=None) -> list[dict]:
    """Annotations of ``tenant``: stored ones (oldest first) then the work annotations of its tasks.

    ``task_id`` limits to one task; ``item_ids``, ``authors``, ``ids`` and ``statuses`` filter."""
    item_set = {str(i) for i in item_ids} if item_ids else None
    author_set = {str(a) for a in authors} if authors else None
    id_set = {str(i) for i in ids} if ids else None
    status_set = set(statuses) if statuses else None
    with store.lock:
        coll, status = _table(store), StatusReader(store)
        if task_id is not None:
            stored = [d for d in coll.find(task_id=task_id) if d["tenant"] == tenant]
        elif item_set is not None:
            stored = [d for i in item_set for d in coll.find(item_key=R.item_key(tenant, i))]
            stored.sort(key=lambda d: d["created_at"])
        else:
            stored = coll.find(tenant=tenant)
        out, with_docs = [], set()
        for d in stored:
            if d.get("work"):
                with_docs.add(d["work"])
            if (item_set and d["item_id"] not in item_set) or (author_set and d["author"] not in author_set) \
                    or (id_set and d["annotation_id"] not in id_set):
                continue
            st = status.of(d)
            if status_set and st not in status_set:
                continue
            out.append(_view(d, st))
        for work in _works(store, tenant, task_id, item_set):
            if not _derived(work) or work["id"] in with_docs or coll.count(work=work["id"]):
                continue
            if (author_set and work["worker"] not in author_set) \
                    or (id_set and work_annotation_id(work["id"]) not in id_set):
                continue
            st = status.of_work(work)
            if status_set and st not in status_set:
                continue
            out.append(_work_view(work, tenant, st))
        return out


def _works(store: Store, tenant: str, task_id: str | None, item_set: set | None):
    """Work documents of the tenant's tasks (or of one task), optionally for some items only."""
    works = R.work(store)
    if task_id is not None:
        task = R.tasks(store).get(task_id)
        tasks = [task] if task is not None and task.get("tenant") == tenant else []
    else:
        tasks = [t for t in R.tasks(store).iter() if t.get("tenant") == tenant]
    for task in tasks:
        if item_set is not None:
            found = [w for w in R.find_eq(works, "task_id", task["id"]) if w["item_id"] in item_set] \
                if len(item_set) > 8 else [w for item_id in sorted(item_set) for w in _item_works(store, task, item_id)]
        else:
            found = R.find_eq(works, "task_id", task["id"])
        yield from sorted(found, key=lambda w: (w["seq"], w["worker"]))


def _item_works(store: Store, task: dict, item_id: str) -> list[dict]:
    try:
        ti = R.find_task_item(store, task["id"], item_id, None, task)
    except (NotFound, InvalidArgument):
        return []
    return R.find_eq(R.work(store), "ti", ti["id"])
