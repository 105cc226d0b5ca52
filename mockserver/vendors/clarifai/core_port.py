"""Every call this adapter makes into the vendor-neutral core, in one place.

The adapter speaks Clarifai; the core speaks items, tasks, work, annotations and reviews. Keeping the
calls here means a change in the core's API touches one small module. Only ``mockserver.core``'s public
API is used.
"""
from __future__ import annotations

from mockserver import core as _core
from mockserver.core import (InvalidArgument, NotFound, add_items, create_task, delete_annotations, delete_task,
                             drop_annotations_of_item,
                             get_annotation, get_task, get_task_item, list_annotations, list_task_items, list_work,
                             next_assignments, patch_annotations, post_annotations, remove_item, review_item,
                             review_queue, start_work, status_reader, submit_annotated_work, submit_work, update_task,
                             update_task_workers)

__all__ = ["InvalidArgument", "NotFound", "add_items", "create_task", "delete_annotations", "delete_task",
           "drop_annotations_of_item",
           "get_annotation", "get_task", "get_task_item", "list_annotations", "list_task_items", "list_work",
           "next_assignments", "patch_annotations", "post_annotations", "remove_item", "review_item", "review_queue",
           "start_work", "status_reader", "submit_annotated_work", "submit_work", "update_task", "update_task_workers",
           "app_source", "dataset_source", "core_task_id", "wire_task_id", "task_view", "task_stats", "task_work",
           "work_doc"]


def app_source(app: str) -> str:
    """The core source holding every input of one Clarifai app (``user/app``)."""
    return f"clarifai:app:{app}"


def dataset_source(app: str, dataset_id: str) -> str:
    return f"clarifai:dataset:{app}/{dataset_id}"


def core_task_id(app: str, task_id: str) -> str:
    # Task ids are chosen per app (and may be given by callers), so the core id carries the app.
    return f"clarifai:{app}/{task_id}"


def wire_task_id(app: str, core_id: str) -> str:
    """The Clarifai task id inside a core task id (``core_task_id``'s inverse)."""
    return core_id[len(f"clarifai:{app}/"):]


def task_view(store, core_id: str) -> dict:
    """The core's task document itself, for reading only (no copy: listing a page must stay cheap)."""
    return _core.peek_task(store, core_id)


def task_stats(store, core_id: str) -> dict:
    """The core's counters of one task, filled in (``total``, ``states``, ``labeled``, ``done``...)."""
    return _core.task_stats(store, core_id)


def task_work(store, core_id: str) -> list[dict]:
    """Every work document of one task, for per-worker counts."""
    return _core.list_task_work(store, core_id)


def work_doc(store, core_id: str, item_id: str, worker: str) -> dict | None:
    """One worker's work on one item, or None when that worker is not on it."""
    with store.lock:
        for w in list_work(store, core_id, item_id):
            if w["worker"] == worker:
                return w
    return None
