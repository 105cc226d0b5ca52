"""Label orders: labeling ordered from Clarifai's workforce, each carried out by one task.

PostLabelOrders creates the order and its task (the task's ``label_order_id`` names the order); ListTasks
leaves such tasks out unless ``including_label_order_tasks`` or ``label_order_ids`` asks for them, GetTask
and the task calls reach them as any task. An order starts LABEL_ORDER_PENDING; PatchLabelOrders changes
its name, flags, desired time and status (LABEL_ORDER_CANCELED also marks its task TASK_WONT_DO). The task
itself changes through PatchTasks. DeleteLabelOrders deletes the orders and their tasks.
"""
from __future__ import annotations

import datetime as _dt

from ...world import current_world
from . import core_port as core
from . import tasks as tk
from .wire import LABEL_ORDER_CODES, code_name, code_status, failure, invalid, new_id, timestamp

FLAGS = ("auto_release", "allow_empty_tag")


def table(store):
    return store.table("clarifai_label_orders", indexes=("app",))


def order_doc(app: str, order_id: str) -> dict | None:
    return table(current_world().store).get(f"{app}/{order_id}")


def must_order(app: str, order_id: str, field: str | None = None) -> dict:
    doc = order_doc(app, order_id) if isinstance(order_id, str) else None
    if doc is None:
        raise failure(404, "CONN_DOES_NOT_EXIST", f"{field + ': ' if field else ''}no label order {order_id!r}")
    return doc


def _time(value, field: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        moment = _dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise invalid(f"{field}: an RFC 3339 time with a zone is required (2024-05-06T10:00:00Z)")
    return moment.timestamp()


def _fields(order: dict, field: str) -> dict:
    out = {}
    if "name" in order:
        if not isinstance(order["name"], str):
            raise invalid(f"{field}.name: a string is required")
        out["name"] = order["name"]
    for flag in FLAGS:
        if flag in order:
            if not isinstance(order[flag], bool):
                raise invalid(f"{field}.{flag}: true or false")
            out[flag] = order[flag]
    if "desired_fulfill_time" in order:
        out["desired_fulfill_time"] = _time(order["desired_fulfill_time"], f"{field}.desired_fulfill_time")
    if isinstance(order.get("status"), dict) and order["status"].get("code") is not None:
        out["status"] = code_name(order["status"]["code"], f"{field}.status.code", LABEL_ORDER_CODES)
    return out


def create(app: str, wire: list) -> list[dict]:
    """Create the orders and their tasks, all or nothing."""
    store = current_world().store
    coll = table(store)
    docs, made = [], []
    with store.lock:
        try:
            for i, order in enumerate(wire):
                field = f"label_orders[{i}]"
                if not isinstance(order, dict):
                    raise invalid(f"{field}: an object is required")
                order_id = new_id(order.get("id"), field)
                if f"{app}/{order_id}" in coll or any(d["order_id"] == order_id for d in docs):
                    raise failure(409, "DATABASE_DUPLICATE_KEY", f"{field}.id: label order {order_id!r} already exists")
                fields = _fields(order, field)
                if not isinstance(order.get("task"), dict):
                    raise invalid(f"{field}.task: the task of the order is required")
                task = tk.create(app, order["task"], i, field=f"{field}.task", label_order=order_id)
                made.append(task)
                now = current_world().now()
                docs.append({"id": f"{app}/{order_id}", "app": app, "order_id": order_id, "task_id": task["task_id"],
                             "name": "", "auto_release": False, "allow_empty_tag": False,
                             "desired_fulfill_time": None, "status": "LABEL_ORDER_PENDING", **fields,
                             "created_at": now, "modified_at": now})
        except Exception:
            for task in made:
                tk.core.delete_task(store, task["core_id"])
                tk.table(store).remove(task["id"])
            raise
        return [coll.insert(d) for d in docs]


def patch(app: str, wire: list, action: str) -> list[dict]:
    """``merge`` changes the fields given; ``overwrite`` also resets the flags and the desired time not
    given. The order's task changes through PatchTasks."""
    if action not in ("merge", "overwrite"):
        raise invalid(f"action: {action!r} is not supported; one of merge, overwrite")
    store = current_world().store
    planned = []
    with store.lock:
        for i, order in enumerate(wire):
            field = f"label_orders[{i}]"
            if not isinstance(order, dict):
                raise invalid(f"{field}: an object is required")
            doc = must_order(app, order.get("id"), f"{field}.id")
            if order.get("task"):
                raise invalid(f"{field}.task: change the order's task with PatchTasks")
            fields = _fields(order, field)
            if action == "overwrite":
                fields = {"auto_release": False, "allow_empty_tag": False, "desired_fulfill_time": None, **fields}
            planned.append((doc, fields))
        now = current_world().now()
        out = []
        for doc, fields in planned:
            if fields.get("status") == "LABEL_ORDER_CANCELED" and doc["status"] != "LABEL_ORDER_CANCELED":
                task = tk.table(store).get(tk.doc_id(app, doc["task_id"]))
                if task is not None:
                    core.update_task(store, task["core_id"], {"status": "wont_do"})
            out.append(table(store).update(doc["id"], {**fields, "modified_at": now}))
        return out


def delete(app: str, ids: list) -> None:
    store = current_world().store
    with store.lock:
        docs = [must_order(app, order_id, f"ids[{i}]") for i, order_id in enumerate(ids)]
        for doc in {d["id"]: d for d in docs}.values():
            task = tk.table(store).get(tk.doc_id(app, doc["task_id"]))
            if task is not None:
                core.delete_task(store, task["core_id"])
                tk.table(store).remove(task["id"])
            table(store).remove(doc["id"])


def listing(app: str) -> list[dict]:
    return table(current_world().store).find(app=app)


def render(doc: dict) -> dict:
    out = {"id": doc["order_id"], "name": doc["name"], "status": code_status(doc["status"]),
           "auto_release": doc["auto_release"], "allow_empty_tag": doc["allow_empty_tag"],
           "created_at": timestamp(doc["created_at"]), "modified_at": timestamp(doc["modified_at"])}
    if doc.get("desired_fulfill_time") is not None:
        out["desired_fulfill_time"] = timestamp(doc["desired_fulfill_time"])
    task = tk.table(current_world().store).get(tk.doc_id(doc["app"], doc["task_id"]))
    if task is not None:
        out["task"] = tk.render(task)
    return out
