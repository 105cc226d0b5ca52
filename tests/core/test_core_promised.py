"""Promised documents (``planning.defer_items``): a new task counts its items at once and writes their
task-item and work documents only when something first reads or changes them.  Whatever is asked first,
the answers are those of a task whose documents were written at creation (the reference below adds the
same items to an empty task, which writes them at once)."""
import pytest

import mockserver.core as core
from mockserver.core import records as R
from mockserver.store import Store

SRC = "modelarts:dataset:p/ds"
WORKERS = ("a", "b", "c", "d")


def spec(task_id, k=2, **extra):
    return {"id": task_id, "tenant": "p", "sources": [SRC], "workers": list(WORKERS),
            "assignment": {"strategy": "partitioned", "mode": "weighted", "workers_per_input": k,
                           "weights": {"a": 3, "b": 1, "c": 1, "d": 2}},
            "review": {"strategy": "consensus", "approval_threshold_labelers": 2}, "seed": 7, **extra}


MADE = 1000.0  # virtual time of the world's making


def world(n=25, k=2):
    store = Store()
    core.add_items(store, SRC, [{"id": f"s{i}", "data": {"n": i}} for i in range(n)])
    with core.at(MADE):
        core.create_task(store, spec("lazy", k))
    # the reference: the same task made empty, then given the same items (written at once)
    core.create_task(store, spec("eager", k, sources=[], item_ids=[], source=SRC))
    core.add_task_items(store, "eager", [f"s{i}" for i in range(n)], SRC)
    return store


def plan_of(store, task_id):
    """Per item: its sequence number, state and workers, as a reader sees them."""
    return [(ti["item_id"], ti["seq"], ti["state"], sorted(w["worker"] for w in core.list_work(store, task_id, ti["item_id"])))
            for ti in core.list_task_items(store, task_id)]


def written(store, task_id):
    return len(R.task_items(store).find_eq("task_id", task_id)) + len(R.work(store).find_eq("task_id", task_id))


def without_id(stats):
    return {k: v for k, v in stats.items() if k not in ("id", "task_id")}


def test_a_new_task_is_counted_but_not_written():
    store = world()
    assert written(store, "lazy") == 0 and written(store, "eager") == 25 * 3
    lazy, eager = core.task_stats(store, "lazy"), core.task_stats(store, "eager")
    assert lazy["total"] == 25 and without_id(lazy) == without_id(eager)
    assert not {"pending", "lazy"} & set(core.get_task(store, "lazy"))  # the promise is internal
    assert written(store, "lazy") == 0  # reading the task or its figures writes nothing


@pytest.mark.parametrize("k", [2, 4])  # 4: every worker on every item (counted without choosing)
def test_first_read_writes_what_creation_would_have(k):
    store = world(k=k)
    with core.at(MADE + 60):
        assert plan_of(store, "lazy") == plan_of(store, "eager")
    assert written(store, "lazy") == 25 * (1 + k)
    assert core.task_stats(store, "lazy") == core.recount(store, "lazy")
    lazy, eager = core.get_task(store, "lazy"), core.get_task(store, "eager")
    assert (lazy["plan"], lazy["next_seq"]) == (eager["plan"], eager["next_seq"])
    # stamped when the task was made, not when first read
    assert {ti["created_at"] for ti in core.list_task_items(store, "lazy")} == {MADE} == {lazy["created_at"]}
    assert {w["created_at"] for w in core.list_task_work(store, "lazy")} == {MADE}


@pytest.mark.parametrize("first", ["next_assignments", "submit", "get_task_item", "item_progress",
                                   "update_task_workers", "remove_item", "add_items", "session_open_work",
                                   "recount"])
def test_any_first_operation_sees_the_written_task(first):
    store = world()
    worker = next(w for w in WORKERS if core.next_assignments(store, "eager", w))
    item = core.next_assignments(store, "eager", worker)[0]["item_id"]
    for task_id in ("eager", "lazy"):  # the same operation on both: the same answers after it
        if first == "next_assignments":
            assert core.next_assignments(store, task_id, worker)[0]["item_id"] == item
        elif first == "submit":
            core.submit_work(store, task_id, item, worker, [{"concept": "cat"}])
        elif first == "get_task_item":
            assert core.get_task_item(store, task_id, item)["state"] == "unlabeled"
        elif first == "item_progress":
            assert core.item_progress(store, task_id, item)["phase"] == "waiting"
        elif first == "update_task_workers":
            core.update_task_workers(store, task_id, ["a", "c"], {"strategy": "partitioned", "workers_per_input": 1})
        elif first == "session_open_work":
            with core.session(store) as s:
                n = s.open_count(task_id, worker)
                assert written(store, task_id) == (0 if task_id == "lazy" else 75)  # a count writes nothing
                assert n == len(s.open_work(task_id, worker)) > 0
    if first == "remove_item":
        core.remove_item(store, SRC, item)
    elif first == "add_items":
        core.add_task_items(store, "lazy", ["s0"], SRC)  # held already: nothing new, nothing moves
        core.add_items(store, SRC, [{"id": "late"}])
        for task_id in ("eager", "lazy"):
            core.add_task_items(store, task_id, ["late"], SRC)
    lazy, eager = core.task_stats(store, "lazy"), core.task_stats(store, "eager")
    assert without_id(lazy) == without_id(eager)
    assert lazy == core.recount(store, "lazy")
    assert plan_of(store, "lazy") == plan_of(store, "eager")


def test_export_does_not_depend_on_reads_and_loads_whole():
    store = world(12)
    core.create_task(store, spec("second"))
    before = store.export()
    assert all("pending" not in t and "lazy" not in t for t in before["core_tasks"])
    assert len([ti for ti in before["core_task_items"] if ti["task_id"] == "lazy"]) == 12
    core.list_task_items(store, "second")  # written in a different order than made
    core.list_task_items(store, "lazy")
    assert store.export() == before
    other = Store()
    other.load(before)
    assert other.export() == before
    assert plan_of(other, "lazy") == plan_of(store, "lazy")


def test_deleting_a_promised_task_leaves_nothing():
    store = world(5)
    core.delete_task(store, "lazy")
    assert "lazy" not in [t["id"] for t in core.list_tasks(store)]
    assert written(store, "lazy") == 0 and R.tasks(store).find_eq("lazy", True) == []


def test_reading_tasks_through_the_vendors_writes_nothing():
    """A task's views (GET, list, statistics) come from counters: listing thousands of tasks must not
    write their items' documents."""
    from mockserver.testing import InProcess
    from mockserver.vendors.modelarts.workspace import DEFAULT as MA

    mock = InProcess()
    store = mock.world.store
    ma = mock.client("modelarts", headers={"X-Auth-Token": MA["token"]})
    tasks = f"/v2/{MA['project_id']}/datasets/{MA['dataset']['dataset_id']}/workforce-tasks"
    team = MA["workforce"]
    body = {"task_name": "promised", "repetition": 1, "auto_sync_dataset": False, "data_sync_type": 0,
            "workforces_config": {"workforces": [{"workforce_id": team["workforce_id"],
                                                  "workers": [{"email": team["workers"][0]["email"], "role": 0}]}]}}
    created = ma.post(tasks, json=body)
    assert created.status_code == 200, created.text
    task_id = created.json()["task_id"]
    before = len(R.task_items(store)), len(R.work(store))
    for path in (tasks, f"{tasks}/{task_id}", f"{tasks}/{task_id}?detail=true",
                 f"{tasks}/{task_id}/data-annotations/stats"):
        answer = ma.get(path)
        assert answer.status_code == 200, (path, answer.text)
    assert ma.get(f"{tasks}/{task_id}").json()["sample_stats"]["unannotated_sample_count"] == len(MA["dataset"]["sample_ids"])
    assert (len(R.task_items(store)), len(R.work(store))) == before
    clarifai = mock.client("clarifai", headers={"Authorization": "Key mock-clarifai-key"})
    for path in ("/v2/tasks", "/v2/users/mock-user/apps/mock-app/tasks"):
        assert clarifai.get(path).status_code == 200
    assert (len(R.task_items(store)), len(R.work(store))) == before
    # and the first look at its samples writes them (twenty samples, one labeler: a work each)
    samples = ma.get(f"{tasks}/{task_id}/data-annotations/samples")
    assert samples.status_code == 200, samples.text
    assert len(R.task_items(store)) == before[0] + len(MA["dataset"]["sample_ids"])
