"""Task annotations are their author's pending work: posting, patching and deleting them submits nothing;
``submit_annotated_work`` submits the union of the author's annotations on the item. Derived annotations
(work submitted without any stored annotation, as the simulation does) stay as they were."""
import pytest

import mockserver.core as core
from mockserver.core import InvalidState, NotAllowed
from mockserver.store import Store

SRC = "src"
TENANT = "u/app"


def make(review=None, workers=("a", "b")):
    store = Store()
    core.add_items(store, SRC, [{"id": f"i{i}", "data": {}} for i in range(3)])
    core.create_task(store, {"id": "t", "tenant": TENANT, "sources": [SRC], "workers": list(workers),
                             "assignment": {"strategy": "full"}, "review": review or {"strategy": "none"}})
    return store


def post(store, ann_id, item, author, concept, task="t"):
    spec = {"tenant": TENANT, "source": SRC, "id": ann_id, "item_id": item, "author": author,
            "labels": [{"concept": concept}]}
    if task:
        spec["task_id"] = task
    return core.post_annotations(store, [spec])[0]


def work_of(store, item, worker):
    return next(w for w in core.list_work(store, "t", item) if w["worker"] == worker)


def statuses(store, **kw):
    return {v["annotation_id"]: v["status"] for v in core.list_annotations(store, TENANT, **kw)}


def test_posting_with_a_task_records_pending_work_and_submit_submits_the_union():
    store = make()
    view = post(store, "x1", "i0", "a", "cat")
    assert view["status"] == "pending" and not view["trusted"]
    assert work_of(store, "i0", "a")["state"] == "in_progress"
    assert core.task_stats(store, "t")["states"]["unlabeled"] == 3  # nothing submitted
    post(store, "x2", "i0", "a", "dog")
    work = core.submit_annotated_work(store, "t", "i0", "a")
    assert work["state"] == "submitted" and [label["concept"] for label in work["labels"]] == ["cat", "dog"]
    assert statuses(store, item_ids=["i0"]) == {"x1": "accepted", "x2": "accepted"}
    assert core.task_stats(store, "t") == core.recount(store, "t")


def test_changing_submitted_work_makes_it_pending_again():
    store = make(review={"strategy": "manual", "reviewers": ["r"], "sample_percentage": 1.0})
    post(store, "x1", "i0", "a", "cat")
    core.submit_annotated_work(store, "t", "i0", "a")
    post(store, "y1", "i0", "b", "cat")
    core.submit_annotated_work(store, "t", "i0", "b")
    assert core.get_task_item(store, "t", "i0")["state"] == "awaiting_review"
    core.patch_annotations(store, TENANT, [("x1", [{"concept": "dog"}], None)])
    assert work_of(store, "i0", "a")["state"] == "in_progress"
    assert core.get_task_item(store, "t", "i0")["state"] == "labeling"
    assert statuses(store, item_ids=["i0"]) == {"x1": "pending", "y1": "awaiting_review"}
    assert [w["item_id"] for w in core.next_assignments(store, "t", "a")][0] == "i0"  # back in the queue
    core.submit_annotated_work(store, "t", "i0", "a")
    assert work_of(store, "i0", "a")["labels"] == [{"concept": "dog"}]
    assert core.task_stats(store, "t") == core.recount(store, "t")


def test_deleting_a_task_annotation_leaves_an_empty_pending_labeling():
    store = make(workers=("a",))
    post(store, "x1", "i1", "a", "cat")
    core.submit_annotated_work(store, "t", "i1", "a")  # review none: settled at once
    with pytest.raises(InvalidState):
        post(store, "x2", "i1", "a", "dog")
    assert core.delete_annotations(store, TENANT, ["x1"]) == 1
    assert statuses(store, item_ids=["i1"]) == {}  # the settled work does not come back as a derived one
    post(store, "x3", "i2", "a", "cat")
    core.delete_annotations(store, TENANT, ["x3"])
    assert work_of(store, "i2", "a")["state"] == "in_progress"
    assert core.submit_annotated_work(store, "t", "i2", "a")["labels"] == []


def test_posting_for_someone_not_on_the_item_is_refused_and_changes_nothing():
    store = make(workers=("a",))
    with pytest.raises(NotAllowed):
        post(store, "x1", "i0", "b", "cat")
    assert core.list_annotations(store, TENANT) == []


def test_work_submitted_without_annotations_is_still_a_derived_annotation():
    store = make()
    core.submit_work(store, "t", "i0", "a", [{"concept": "cat"}])
    (view,) = core.list_annotations(store, TENANT)
    assert view["derived"] and view["status"] == "accepted" and view["author"] == "a"
    assert core.submit_annotated_work(store, "t", "i1", "b")["labels"] == []  # nothing posted: an empty labeling
    assert post(store, "plain", "i2", "a", "cat", task=None)["status"] == "accepted"  # outside tasks: as given
