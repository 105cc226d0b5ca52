"""Vendor-neutral labeling core: items, tasks, assignment, labeling, review, acceptance, statistics.

Vendor adapters (Clarifai tasks, ModelArts workforce tasks, CloudFactory) and the worker simulation
call these functions; every one takes the ``mockserver.store.Store`` first, holds ``store.lock``
while it mutates, returns JSON-ready *copies*, and raises a ``CoreError`` subclass on failure
(``NotFound``, ``Conflict`` (``AcceptanceRunning``), ``InvalidState``, ``NotAllowed``,
``InvalidArgument``) for the adapter to translate.

Items (``items``)
    add_items(store, source, [{"id", "data", "ground_truth"?}]) -> [item]   extends following tasks
    get_item(store, source, item_id) -> item
    list_items(store, source) -> [item]
    remove_item(store, source, item_id)                                     leaves every task too
  A *source* is an adapter-chosen key, e.g. ``clarifai:app:USER/APP``, ``modelarts:dataset:PROJ/DS``.

Tasks (``tasks``)
    create_task(store, spec) -> task
    get_task(store, task_id, tenant=None) -> task;  list_tasks(store, tenant=None) -> [task]
    update_task(store, task_id, {meta|status|kind|iou_threshold}) -> task
    set_task_status(store, task_id, status) -> task
Lifecycle (``lifecycle``): TASK_STATUSES and TRANSITIONS {by: {from: allowed}} for ``owner`` updates and
  the ``acceptance``; can_change(current, requested, by="owner"); an illegal change raises
  ``IllegalTransition`` (an ``InvalidState`` with ``current``, ``requested``, ``by``).
    update_task_workers(store, task_id, workers, assignment=None, review=None) -> task
    add_task_items(store, task_id, item_ids, source) -> int;  remove_task_item(store, task_id, item_id, source=None)
    delete_task(store, task_id)
  ``spec``: ``id``, ``tenant``, ``kind`` (classification | detection | polygon | segmentation | other =
  classification), ``sources`` and/or ``item_ids`` + ``source``, ``item_filter`` ({data field: value},
  dotted paths allowed), ``follow_source``, ``workers``, ``assignment`` {strategy full|partitioned|dynamic,
  mode even|weighted, workers_per_input, weights}, ``review`` {strategy none|manual|consensus, reviewers,
  sample_percentage (fraction 0..1), approval_threshold_labelers (default: workers per item),
  approval_threshold_reviewers (default 1)}, ``seed``, ``iou_threshold`` (0.5), ``status``
  (default ``created``; see ``lifecycle``), ``meta`` (free JSON for the adapter).

Assignment (``assignment``, pure)
    item_shares(workers, weights, k) -> {worker: fraction of items};  target_shares(...) -> share of assignments
    Assigner(workers, strategy=, mode=, workers_per_input=, weights=, seed=, state=).assign(item_id) -> [workers]

Labeling (``work``)
    next_assignments(store, task_id, worker, limit=10) -> [work]
    start_work / skip_work(store, task_id, item_id, worker, source=None) -> work
    submit_work(store, task_id, item_id, worker, labels, source=None) -> work
    submit_many(store, task_id, [(item_id, worker, labels), ...], source=None) -> [work]
    give_back(store, task_id, item_id, worker, source=None) -> {"work", "replacement"}
    list_work(store, task_id, item_id, source=None) -> [work]
  labels: ``[{"concept": str, "box": [x0, y0, x1, y1]?, "polygon": [[x, y], ...]?, "value"?, "attributes"?}]``

Annotations (``annotations``: stored ones posted through an adapter, and one derived per task work
that has labels and was never annotated; status derived from the task, see that module)
    post_annotations(store, [{tenant, id, source, item_id, author, labels, task_id?, status?, meta?}]) -> [annotation]
    patch_annotations(store, tenant, [(id, labels, meta)]);  delete_annotations(store, tenant, ids)
    get_annotation(store, tenant, id);  list_annotations(store, tenant, task_id=, item_ids=, authors=, ids=, statuses=)
    submit_annotated_work(store, task_id, item_id, author)   submit the union of the author's annotations
  A task annotation is its author's PENDING work: posting, patching or deleting one submits nothing (the
  work goes back to in progress); ``submit_annotated_work`` submits.
    drop_annotations_of_item(store, tenant, item_id);  status_reader(store).of_work(work) -> status
  A task's deletion freezes its annotations' statuses (annotations outlive tasks).

Item result (``results``): the labels that stand for a settled item, one rule for every reader
    item_result(store, task_id, item_id, source=None) -> {labels, workers, basis, accepted} | None
    result_of(task, ti, works) -> the same from documents at hand (pure)
    labeling_of(works) -> (submitted works, workers still on the item, anyone acted)   complete when equal

Review (``review``) and agreement (``agreement``, pure)
    review_queue(store, task_id, reviewer, limit=10) -> [task_item]
    review_item(store, task_id, item_id, reviewer, "approve"|"reject"|"request_changes", comment=None, source=None,
                score=None)   every verdict kept in the item's ``reviews`` (reviewer, decision, comment, score, at)
    review_many(store, task_id, [(item_id, reviewer, decision[, comment[, score]]), ...], source=None) -> [task_item]
    get_task_item(store, task_id, item_id, source=None) -> task_item
    list_task_items(store, task_id, state=None, offset=0, limit=None) -> [task_item]
    labels_agree(kind, a, b, iou_threshold);  box_iou(a, b);  polygon_iou(p, q)

Unit of work (``session``): the in-process fast path (the worker simulation)
    session(store) -> Session;  with core.session(store) as s:   holds the lock, flushes statistics at the end
    s.task(id) / s.tasks() / s.item(source, item_id) / s.task_item(key) / s.task_items(task_id)
    s.work(key) / s.work_of(task_item_key, worker) / s.works(task_item_key) / s.acceptance(id)
                                                    LIVE documents (read-only, no copy)
    s.open_count(task_id, worker) / s.open_work(...) -> [key] / s.open_for(key, task_id, worker)
    s.awaiting_review_count(task_id) / s.awaiting_review(task_id) -> [key] / s.reviewable(key, task_id, reviewer)
    s.submit(task_id, item_id, worker, labels, source=None) -> live work         as submit_work
    s.review(task_id, item_id, reviewer, decision, comment=None, source=None, score=None) -> live task item
    s.flush();  s.task_stats(task_id)     statistics batched per task until flushed (contract in ``session``)
    s.check_progress(task_item_key)       ``check_progress`` for one task item (one read when nobody follows it)

Acceptance (``acceptance``, ModelArts)
    start_acceptance(store, task_id, rate=None, number=None, seed=None, acceptance_id=None) -> acceptance
    comment(store, acceptance_id, item_id, worker_id, accept, score=None, comment=None, source=None)
    report(store, acceptance_id) -> {sampled, checked, unchecked, commented, accepted, rejected, pass_rate, score,
                                     score_sum, score_n, workers}   checked = accepted + rejected (items with a
                                     result); pass_rate = accepted / checked (0.0 if none), always in [0, 1]
    acceptance_history(store, task_id) -> the same figures summed over the task's acceptances not cancelled
    act(store, acceptance_id, action 0-5, overwrite_last_result=False) -> {"acceptance", "conflicts"}
    conflicts(store, acceptance_id);  get_acceptance(store, id);  list_acceptances(store, task_id)

Time (``clock``): every stored timestamp is the core's ``now``
    use_clock(provider)    provider() -> the virtual now, or None (the world registers its clock)
    at(t) (context manager), enter_time(t) -> token / leave_time(token)   stamp writes with event time t
    event_time() -> t inside ``at``, else None (adapters stamp their own documents with it too)

Bulk calls (simulations, imports)
    ``submit_many`` and ``review_many`` do what the single calls do, in order, for one task, under one
    hold of the lock and with one statistics write; they check the whole batch first and write
    nothing if any entry is refused (same errors as the single calls; one (item, worker) pair twice,
    or one item reviewed twice, in a batch is ``InvalidArgument``).  ``add_items``/``create_task``
    with many items are bulk operations already (one insert pass, one statistics write).

Statistics (``stats``)
    task_stats(store, task_id) -> dict (O(workers + concepts));  worker_stats(store, task_id, worker)
    peek_stats(store, task_id) -> the same dict NOT copied (read only, within the request: list pages)
    recount(store, task_id, write=False) -> dict (O(items), same shape: for checks and repair)

Item states inside a task (every item is in exactly one; they sum to ``total``)
    unlabeled          nobody submitted yet            Clarifai ANNOTATION_PENDING / ModelArts unannotated
    labeling           some, not all, workers submitted  ANNOTATION_PENDING / unannotated
    changes_requested  reviewer sent it back            ANNOTATION_PENDING (REVIEW_REQUEST_CHANGES) / unannotated
    awaiting_review    all submitted, needs a reviewer  ANNOTATION_AWAITING_REVIEW, or
                                                        ANNOTATION_AWAITING_CONSENSUS_REVIEW under consensus / unreviewed
    approved           settled as good                  ANNOTATION_SUCCESS / uncheck (or accepted/rejected after acceptance)
    rejected           a reviewer rejected it           ANNOTATION_REVIEW_DENIED / rejected
    skipped            every worker skipped/returned it, nobody submitted
Work states: assigned, in_progress, submitted, skipped, returned (see ``work``).

Progress of followed items (``progress``): phases waiting | in_progress | settled | gone, and a per-store
subscription for adapters that report an item's progress on their wire (CloudFactory's Oversight tasks)
    item_progress(store, task_id, item_id, source=None) -> {phase, state, since}
    follow_item(store, subscriber, task_id, item_id, source=None) -> progress;  followed(store, subscriber=None)
    subscribe_progress(store, subscriber, fn);  unsubscribe_progress(store, subscriber);  subscribed(store, subscriber)
    check_progress(store, task_item=None) -> events delivered: fn(event) per followed item whose phase moved
  The core does not watch its own writes: whoever makes followed items move checks after acting (the
  simulation engine after each step of a person).  Contract and costs in that module.

Promised documents (``planning``): ``create_task`` counts its items in the statistics at once and keeps
only their keys (``task["pending"]``); their task-item and work documents are written, exactly as they
would have been at creation, by the first operation that reads or changes them (``ready_task``,
``find_task_item``, a session's ``open_work``...).  Statistics, ``get_task`` and ``open_count`` need
none.  ``Store.export`` shows them written out, so an exported state never depends on what was read.
    write_promised(store, task_id=None) -> int     write them now (one task, or every task)

Tables: core_items, core_tasks, core_follows, core_task_items, core_work, core_stats, core_acceptances,
core_progress (shapes in ``records`` and the modules that write them).
"""
from .annotations import (ANNOTATION_STATUSES, delete_annotations, get_annotation, list_annotations, patch_annotations,
                          post_annotations, status_reader, submit_annotated_work, work_annotation_id)
from .annotations import drop_item as drop_annotations_of_item
from .acceptance import (acceptance_history, act, comment, conflicts, get_acceptance, list_acceptances, report,
                         start_acceptance)
from .agreement import box_iou, consensus_group, labels_agree, polygon_area, polygon_iou
from .assignment import Assigner, item_shares, target_shares
from .clock import at, enter as enter_time, event_time, leave as leave_time, use_clock
from .errors import AcceptanceRunning, Conflict, CoreError, InvalidArgument, InvalidState, NotAllowed, NotFound
from .items import add_items, get_item, list_items, remove_item
from .ledger import ITEM_STATES, WORK_STATES, WORKER_FIELDS, acceptance_result
from .progress import (PROGRESS_PHASES, check_progress, follow_item, followed, item_progress, subscribe_progress,
                       subscribed, unsubscribe_progress)
from .results import item_result, labeling_of, result_of
from .planning import write_promised
from .review import get_task_item, list_task_items, review_item, review_many, review_queue
from .session import Session, session
from .stats import peek_stats, recount, task_stats, worker_stats
from .lifecycle import TASK_STATUSES, TRANSITIONS, IllegalTransition, can_change
from .tasks import (add_task_items, create_task, delete_task, get_task, list_tasks, peek_task,
                    remove_task_item, set_task_status, update_task, update_task_workers)
from .work import (give_back, list_task_work, list_work, next_assignments, skip_work, start_work, submit_many,
                   submit_work)

__all__ = [
    "ANNOTATION_STATUSES", "delete_annotations", "get_annotation", "list_annotations", "patch_annotations",
    "post_annotations", "status_reader", "submit_annotated_work", "work_annotation_id", "drop_annotations_of_item",
    "acceptance_history", "act", "comment", "conflicts", "get_acceptance", "list_acceptances", "report",
    "start_acceptance",
    "box_iou", "consensus_group", "labels_agree", "polygon_area", "polygon_iou",
    "Assigner", "item_shares", "target_shares", "at", "enter_time", "event_time", "leave_time", "use_clock",
    "AcceptanceRunning", "Conflict", "CoreError", "InvalidArgument", "InvalidState", "NotAllowed", "NotFound",
    "add_items", "get_item", "list_items", "remove_item", "ITEM_STATES", "WORK_STATES", "WORKER_FIELDS",
    "acceptance_result", "peek_task", "list_task_work",
    "item_result", "labeling_of", "result_of", "get_task_item", "list_task_items", "review_item", "review_many", "review_queue",
    "peek_stats", "recount", "task_stats", "worker_stats",
    "TASK_STATUSES", "TRANSITIONS", "IllegalTransition", "can_change", "add_task_items", "create_task", "delete_task", "get_task", "list_tasks", "remove_task_item",
    "set_task_status", "update_task", "update_task_workers",
    "give_back", "list_work", "next_assignments", "skip_work", "start_work", "submit_many", "submit_work",
    "Session", "session", "write_promised",
    "PROGRESS_PHASES", "check_progress", "follow_item", "followed", "item_progress", "subscribe_progress",
    "subscribed", "unsubscribe_progress",
]
