"""Every call this adapter makes into the vendor-neutral core, in one place.

The adapter speaks Clarifai; the core speaks items, tasks, work and reviews.  Keeping the calls here
means a change in the core's API touches one small module.  Two reads (a task's statistics document
and the work of a whole task) have no public function in the core yet, so they read its tables
through ``records`` without changing anything.
"""
from __future__ import annotations

from mockserver.core import (InvalidArgument, NotFound, drop_annotations_of_item, get_annotation, list_annotations,
                             patch_annotations, post_annotations, status_reader, submit_annotated_work)
from mockserver.core import items as _items
from mockserver.core import records as _records
from mockserver.core import review as _review
from mockserver.core import tasks as _tasks
from mockserver.core import work as _work

# Re-exported names the handlers use (thin aliases keep call sites readable).
add_items = _items.add_items
remove_item = _items.remove_item
create_task = _tasks.create_task
get_task = _tasks.get_task
update_task = _tasks.update_task
update_task_workers = _tasks.update_task_workers
delete_task = _tasks.delete_task
next_assignments = _work.next_assignments
start_work = _work.start_work
submit_work = _work.submit_work
list_work = _work.list_work
review_queue = _review.review_queue
review_item = _review.review_item
get_task_item = _review.get_task_item
list_task_items = _review.list_task_items


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
    doc = _records.tasks(store).get(core_id)
    return doc if doc is not None else _tasks.get_task(store, core_id)  # get_task raises NotFound


def task_stats(store, core_id: str) -> dict:
    """The core's incrementally kept counters of one task (``total``, ``states``, ``workers``...)."""
    with store.lock:
        return dict(_records.stats(store).get(core_id) or {})


def task_work(store, core_id: str) -> list[dict]:
    """Every work document of one task (read-only), for per-worker annotation counts."""
    with store.lock:
        return list(_records.work(store).find(task_id=core_id))


def work_doc(store, core_id: str, item_id: str, worker: str) -> dict | None:
    """One worker's work on one item, or None when that worker is not on it."""
    with store.lock:
        for w in _work.list_work(store, core_id, item_id):
            if w["worker"] == worker:
                return w
    return None
