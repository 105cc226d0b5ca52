"""Tasks and label orders."""
from __future__ import annotations

import itertools
import sys

from ....world import current_world
from .. import label_orders as lo
from .. import tasks as tk
from ..wire import enum_name, ok, page_of
from .common import action_of, app_of, listed


async def post_tasks(body, **_):
    app, store = app_of(), current_world().store
    wire_tasks = listed(body, "tasks")
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
    return ok(task=tk.render(tk.load(app_of(), task_id), additional_fields))


def _worker_ids(worker_ids) -> list[str]:
    """``worker_ids`` (WorkerIDSet) over REST: clarifai-grpc's JSON channel writes a repeated message in a
    query string as the bare field name (``?worker_ids=user_id``), which names nobody."""
    return [w for w in worker_ids or [] if isinstance(w, str) and w and w != "user_id"]


async def list_tasks(page=None, per_page=None, worker_user_ids=None, review_user_ids=None, ids=None,
                     input_source_type=None, input_source_ids=None, additional_fields=None, label_order_ids=None,
                     including_label_order_tasks=None, worker_ids=None, **_):
    store = current_world().store
    source_type = enum_name("input_source", input_source_type, "input_source_type")
    if source_type == "INPUT_SOURCE_TYPE_NOT_SET":
        source_type = None
    page_no = 1 if not page or page < 1 else int(page)
    size = 128 if not per_page or per_page < 1 else min(int(per_page), 1000)
    start = min((page_no - 1) * size, sys.maxsize - size)  # a page past any data is empty, never an error
    workers = list(worker_user_ids or []) + _worker_ids(worker_ids)
    filters = dict(workers=workers, reviewers=review_user_ids, ids=ids, source_type=source_type,
                   source_ids=input_source_ids, label_orders=label_order_ids,
                   with_label_orders=bool(including_label_order_tasks))
    people = bool(workers or review_user_ids)
    with store.lock:
        # Walk the app's tasks lazily and stop once the page is full: the cost follows the page, not
        # the number of tasks stored (the core task is read only when a filter needs it).
        matching = (d for d in tk.table(store).iter(app=app_of())
                    if tk.matches(d, tk.core_task_view(store, d["core_id"]) if people else None, **filters))
        docs = list(itertools.islice(matching, start, start + size))
        return ok(tasks=[tk.render(d, additional_fields) for d in docs])


async def patch_tasks(body, **_):
    app, store = app_of(), current_world().store
    action = action_of(body, ("overwrite", "merge"), "overwrite")
    wire_tasks = listed(body, "tasks")
    with store.lock:
        for i, task in enumerate(wire_tasks):  # check every id first: nothing changes on a miss
            if isinstance(task, dict) and task.get("id"):
                tk.load(app, task["id"])
        docs = [tk.patch(app, task, i, action) for i, task in enumerate(wire_tasks)]
        return ok(tasks=[tk.render(d) for d in docs])


async def delete_tasks(body, **_):
    app, store = app_of(), current_world().store
    task_ids = listed(body, "ids")
    with store.lock:
        docs = [tk.load(app, t) for t in task_ids]
        for doc in docs:
            tk.core.delete_task(store, doc["core_id"])
            tk.table(store).remove(doc["id"])
    return ok()


# -- label orders -------------------------------------------------------------------------------------------
async def post_label_orders(body, **_):
    return ok(label_orders=[lo.render(d) for d in lo.create(app_of(), listed(body, "label_orders"))])


async def get_label_order(label_order_id, **_):
    return ok(label_order=lo.render(lo.must_order(app_of(), label_order_id)))


async def list_label_orders(page=None, per_page=None, **_):
    return ok(label_orders=[lo.render(d) for d in page_of(lo.listing(app_of()), page, per_page)])


async def patch_label_orders(body, **_):
    action = action_of(body, ("merge", "overwrite"), "merge")
    return ok(label_orders=[lo.render(d) for d in lo.patch(app_of(), listed(body, "label_orders"), action)])


async def delete_label_orders(body, **_):
    lo.delete(app_of(), listed(body, "ids"))
    return ok()


__all__ = ['post_tasks', 'get_task', 'list_tasks', 'patch_tasks', 'delete_tasks', 'post_label_orders',
           'get_label_order', 'list_label_orders', 'patch_label_orders', 'delete_label_orders']
