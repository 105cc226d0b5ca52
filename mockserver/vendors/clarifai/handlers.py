"""Clarifai handlers (operationId -> snake_case): read the request, call the translators, answer.

Every call exists unscoped (``/v2/...``, the app comes from the key) and app-scoped
(``/v2/users/{user_id}/apps/{app_id}/...``); the scoped operation ids end in ``Scoped`` and share the
handler.  ``user_app_id`` (body) and ``user_app_id.*`` (query), which the client repeats, are ignored.
"""
from __future__ import annotations

import itertools
import sys

from ...world import current_principal, current_world
from . import assignments as work
from . import labeling as ann
from . import resources as res
from . import tasks as tk
from .wire import failure, invalid, ok, page_of


def _app() -> str:
    return current_principal()["app"]


def _caller() -> str:
    return current_principal()["caller"]


def _list(body, key: str) -> list:
    value = (body or {}).get(key)
    if not isinstance(value, list) or not value:
        raise invalid(f"{key}: a non-empty list is required")
    return value


# -- tasks -------------------------------------------------------------------------------------------
async def post_tasks(body, **_):
    app, store = _app(), current_world().store
    wire_tasks = _list(body, "tasks")
    with store.lock:
        created = []
        try:
            for i, task in enumerate(wire_tasks):
                created.append(tk.create(app, task, i))
        except Exception:
            for doc in created:  # all or nothing
                tk.core.delete_task(store, doc["core_id"])
                tk.table(store).remove(doc["id"])
            raise
        return ok(tasks=[tk.render(d) for d in created])


async def get_task(task_id, additional_fields=None, **_):
    return ok(task=tk.render(tk.load(_app(), task_id), additional_fields))


async def list_tasks(page=None, per_page=None, worker_user_ids=None, review_user_ids=None, ids=None,
                     input_source_type=None, input_source_ids=None, additional_fields=None, **_):
    from .wire import enum_name

    store = current_world().store
    source_type = enum_name("input_source", input_source_type, "input_source_type")
    if source_type == "INPUT_SOURCE_TYPE_NOT_SET":
        source_type = None
    page_no = 1 if not page or page < 1 else int(page)
    size = 128 if not per_page or per_page < 1 else min(int(per_page), 1000)
    start = min((page_no - 1) * size, sys.maxsize - size)  # a page past any data is empty, never an error
    filters = dict(workers=worker_user_ids, reviewers=review_user_ids, ids=ids, source_type=source_type,
                   source_ids=input_source_ids)
    with store.lock:
        # Walk the app's tasks lazily and stop once the page is full: the cost follows the page, not
        # the number of tasks stored (the core task is read only when a filter needs it).
        matching = (d for d in tk.table(store).iter(app=_app())
                    if not any(filters.values()) or tk.matches(d, tk.core_task_view(store, d["core_id"]), **filters))
        docs = list(itertools.islice(matching, start, start + size))
        return ok(tasks=[tk.render(d, additional_fields) for d in docs])


async def patch_tasks(body, **_):
    app, store = _app(), current_world().store
    action = (body or {}).get("action") or "overwrite"
    if action not in ("overwrite", "merge"):
        raise invalid(f"action: {action!r} is not supported; one of overwrite, merge")
    wire_tasks = _list(body, "tasks")
    with store.lock:
        for i, task in enumerate(wire_tasks):  # check every id first: nothing changes on a miss
            if isinstance(task, dict) and task.get("id"):
                tk.load(app, task["id"])
        docs = [tk.patch(app, task, i, action) for i, task in enumerate(wire_tasks)]
        return ok(tasks=[tk.render(d) for d in docs])


async def delete_tasks(body, **_):
    app, store = _app(), current_world().store
    task_ids = _list(body, "ids")
    with store.lock:
        docs = [tk.load(app, t) for t in task_ids]
        for doc in docs:
            tk.core.delete_task(store, doc["core_id"])
            tk.table(store).remove(doc["id"])
    return ok()


# -- inputs ------------------------------------------------------------------------------------------
async def post_inputs(body, **_):
    app, store = _app(), current_world().store
    wire_inputs = _list(body, "inputs")
    with store.lock:
        # ``dataset_ids`` on an input adds it to those datasets, which must exist (checked before anything changes).
        wanted = {}
        for i, item in enumerate(wire_inputs):
            ids = (item.get("dataset_ids") if isinstance(item, dict) else None) or []
            if not isinstance(ids, list) or not all(isinstance(d, str) for d in ids):
                raise invalid(f"inputs[{i}].dataset_ids: a list of dataset ids is required")
            for dataset_id in ids:
                if res.dataset_doc(app, dataset_id) is None:
                    raise invalid(f"inputs[{i}].dataset_ids: no dataset {dataset_id!r} in this app")
            wanted[i] = ids
        docs = res.add_inputs(app, wire_inputs)
        for i, doc in enumerate(docs):
            for dataset_id in dict.fromkeys(wanted[i]):
                res.add_to_dataset(app, dataset_id, [doc["input_id"]])
        return ok(inputs=[res.render_input(res.input_doc(app, d["input_id"])) for d in docs])


async def get_input(input_id, **_):
    return ok(input=res.render_input(res.must_input(_app(), input_id)))


async def list_inputs(page=None, per_page=None, ids=None, **_):
    app, store = _app(), current_world().store
    if ids:
        docs = [d for d in (res.input_doc(app, i) for i in ids) if d is not None]
    else:
        docs = res.inputs(store).find(app=app)
    return ok(inputs=[res.render_input(d) for d in page_of(docs, page, per_page)])


async def delete_inputs(body, **_):
    app, store = _app(), current_world().store
    input_ids = _list(body, "ids")
    with store.lock:
        for input_id in input_ids:
            res.must_input(app, input_id)
        for input_id in dict.fromkeys(input_ids):
            ann.drop_input(app, input_id)
            res.remove_input(app, input_id)
    return ok()


async def delete_input(input_id, **_):
    app, store = _app(), current_world().store
    with store.lock:
        res.must_input(app, input_id)
        ann.drop_input(app, input_id)
        res.remove_input(app, input_id)
    return ok()


# -- concepts ----------------------------------------------------------------------------------------
async def post_concepts(body, **_):
    return ok(concepts=[res.render_concept(d) for d in res.add_concepts(_app(), _list(body, "concepts"))])


async def list_concepts(page=None, per_page=None, **_):
    docs = res.concepts(current_world().store).find(app=_app())
    return ok(concepts=[res.render_concept(d) for d in page_of(docs, page, per_page)])


async def get_concept(concept_id, **_):
    doc = res.concepts(current_world().store).get(f"{_app()}/{concept_id}")
    if doc is None:
        raise failure(404, "CONN_DOES_NOT_EXIST", f"no concept {concept_id!r}")
    return ok(concept=res.render_concept(doc))


# -- datasets ----------------------------------------------------------------------------------------
async def post_datasets(body, **_):
    return ok(datasets=[res.render_dataset(d) for d in res.add_datasets(_app(), _list(body, "datasets"))])


async def list_datasets(page=None, per_page=None, **_):
    docs = res.datasets(current_world().store).find(app=_app())
    return ok(datasets=[res.render_dataset(d) for d in page_of(docs, page, per_page)])


async def get_dataset(dataset_id, **_):
    return ok(dataset=res.render_dataset(res.must_dataset(_app(), dataset_id)))


async def post_dataset_inputs(dataset_id, body, **_):
    app = _app()
    ids = []
    for i, entry in enumerate(_list(body, "dataset_inputs")):
        input_id = ((entry or {}).get("input") or {}).get("id") if isinstance(entry, dict) else None
        if not isinstance(input_id, str) or not input_id:
            raise invalid(f"dataset_inputs[{i}].input.id: required")
        ids.append(input_id)
    links = res.add_to_dataset(app, dataset_id, ids)
    return ok(dataset_inputs=[res.render_dataset_input(link, app) for link in links])


async def list_dataset_inputs(dataset_id, page=None, per_page=None, **_):
    app = _app()
    res.must_dataset(app, dataset_id)
    links = res.dataset_inputs(current_world().store).find(dataset=f"{app}/{dataset_id}")
    return ok(dataset_inputs=[res.render_dataset_input(link, app) for link in page_of(links, page, per_page)])


# -- annotations and task work -----------------------------------------------------------------------
async def post_annotations(body, **_):
    who = current_principal()
    return ok(annotations=ann.post(_app(), _caller(), _list(body, "annotations"), owner=who["caller"] == who["user_id"]))


async def list_annotations(page=None, per_page=None, ids=None, input_ids=None, user_ids=None, task_id=None,
                           statuses=None, statusescode=None, **_):
    # ``statuses.code`` arrives as ``statusescode`` (Connexion drops the dot from argument names).
    codes = list(statuses or []) + list(statusescode or [])
    found = ann.find(_app(), ids=ids, input_ids=input_ids, user_ids=user_ids, task_id=task_id, statuses=codes)
    return ok(annotations=page_of(found, page, per_page))


async def patch_annotations(body, **_):
    action = (body or {}).get("action") or "merge"
    if action not in ("merge", "overwrite", "remove"):
        raise invalid(f"action: {action!r} is not supported; one of merge, overwrite, remove")
    return ok(annotations=ann.patch(_app(), _list(body, "annotations"), action))


async def patch_annotations_status(task_id, body, **_):
    return ok(**work.patch_status(_app(), _caller(), task_id, body or {}))


async def list_next_task_assignments(task_id, worker_user_id=None, **_):
    worker = worker_user_id or _caller()
    return ok(inputs=work.next_inputs(_app(), task_id, worker))


async def put_task_assignments(task_id, body, **_):
    return ok(task_assignments=work.put_assignments(_app(), _caller(), task_id, body or {}))


async def get_task_annotation_count(task_id, user_ids=None, **_):
    return ok(**work.annotation_counts(_app(), task_id, user_ids))


async def get_task_input_count(task_id, user_ids=None, **_):
    return ok(**work.input_counts(_app(), task_id, user_ids))


# The app-scoped twins: same behaviour, the app comes from the path (checked by the adapter).
_SCOPED = ("post_tasks", "get_task", "list_tasks", "patch_tasks", "delete_tasks", "post_inputs", "get_input",
           "list_inputs", "delete_inputs", "delete_input", "post_concepts", "list_concepts", "get_concept",
           "post_datasets", "list_datasets", "get_dataset", "post_dataset_inputs", "list_dataset_inputs",
           "post_annotations", "list_annotations", "patch_annotations", "list_next_task_assignments",
           "get_task_annotation_count", "get_task_input_count")
for _name in _SCOPED:
    globals()[f"{_name}_scoped"] = globals()[_name]
