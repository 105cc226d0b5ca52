"""The dashboard's routes and data, in process (no browser): what is served, that the figures are the
core's, that polling never walks a task's items, and that the judged figures end at the report's."""
from __future__ import annotations

import fnmatch
import pathlib
import tomllib

import pytest
import yaml

from mockserver import core
from mockserver.dashboard import ASSETS, STATIC
from mockserver.dashboard.data import Series, dashboard_of
from mockserver.dashboard.figures import wilson
from mockserver.simulation import report
from mockserver.testing import InProcess, new_world
from mockserver.world import Settings

ROOT = pathlib.Path(__file__).resolve().parents[2]
SMALL = """
name: small
seed: 4
clock: {mode: manual, start: "2024-01-01T00:00:00Z"}
workspace: {}
sources:
  - id: "sim:small"
    generate: {count: 40, labels: [a, b, c]}
tasks:
  - id: small
    tenant: sim
    sources: ["sim:small"]
    workers: [w1, w2, w3]
    assignment: {strategy: full}
    review: {strategy: consensus, reviewers: [r1], approval_threshold_labelers: 2}
people:
  - {id: "w{n}", count: 3, speed: {lognormal: {mu: 2.0, sigma: 0.5}}, accuracy: 0.8}
  - {id: r1, review_speed: {fixed: 5}, catch_rate: 0.9, request_changes_share: 0.5}
"""


@pytest.fixture
def small():
    m = InProcess()
    c = m.client("clarifai")
    r = c.post("/_mock/scenario", json=yaml.safe_load(SMALL))
    assert r.status_code == 200, r.text
    yield m, c
    c.close()


def test_the_page_and_its_files_come_from_the_package(small):
    _, c = small
    page = c.get("/_mock/dashboard/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "http://" not in page.text and "https://" not in page.text  # nothing from the network
    for name, (path, media_type) in ASSETS.items():
        r = c.get(f"/_mock/dashboard/static/{name}")
        assert r.status_code == 200 and r.headers["content-type"] == media_type and r.content == path.read_bytes()
        assert f'src="static/{name}"' in page.text or f'href="static/{name}"' in page.text
    missing = c.get("/_mock/dashboard/static/..%2fdata.py")
    assert missing.status_code == 404 and "error" in missing.json()
    assert (STATIC / "vendor" / "LICENSE.chart.js.md").read_text().startswith("The MIT License")
    assert c.get("/_mock/dashboard/api/scenarios").json()["scenarios"][0] == {
        "name": "clarifai-quickstart", "file": "clarifai-quickstart.yaml",
        "description": "Three Clarifai labelers and a reviewer on a consensus task over the default app's 24 inputs."}


def test_every_static_file_ships_in_the_wheel():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["mockserver"]
    for path in STATIC.rglob("*"):
        if path.is_file():
            rel = path.relative_to(ROOT / "mockserver").as_posix()
            assert any(fnmatch.fnmatch(rel, p) for p in patterns), f"{rel} is not package data"


def test_the_dashboard_is_behind_the_control_token():
    m = InProcess(new_world(settings=Settings(control_token="s3cret")))
    with m.client("modelarts") as c:
        for path in ("/_mock/dashboard/", "/_mock/dashboard/static/dashboard.js", "/_mock/dashboard/api/overview"):
            assert c.get(path).status_code == 401
            assert c.get(path, headers={"X-Mockserver-Token": "s3cret"}).status_code == 200


def test_overview_shows_the_cores_statistics_and_the_people(small):
    m, c = small
    c.get("/_mock/dashboard/api/overview")  # watched from the start: the series begins there
    assert c.post("/_mock/clock", json={"advance": 600}).status_code == 200
    data = c.get("/_mock/dashboard/api/overview").json()
    assert data["clock"] == c.get("/_mock/clock").json()
    assert data["scenario"]["name"] == "small" and data["scenario"]["events"] > 0
    (task,) = [t for t in data["tasks"] if t["id"] == "small"]
    stats = core.task_stats(m.world.store, "small")
    assert task["states"] == stats["states"] and task["total"] == 40
    g = task["groups"]
    assert g["not_started"] + g["in_progress"] + g["awaiting_review"] + g["settled"] == 40
    assert g["settled"] == stats["done"] > 0
    workers = {w["id"]: w for w in data["workers"]}
    assert list(workers)[:4] == ["w1", "w2", "w3", "r1"] and all(not w["simulated"] for w in list(workers.values())[4:])
    assert sum(workers[w]["submitted"] for w in ("w1", "w2", "w3")) == sum(s["submitted"] for s in stats["workers"].values())
    assert {workers[w]["state"] for w in ("w1", "w2", "w3", "r1")} <= {"labeling", "reviewing", "waiting", "idle"}
    assert workers["w1"]["schedule"] == "always" and workers["w1"]["working"] is True
    series = data["series"]
    assert series["t"][0] == 1704067200.0 and series["t"][-1] == data["clock"]["now"] and len(series["t"]) >= 2
    assert series["submitted"]["w1"][-1] == workers["w1"]["submitted"]
    again = c.get("/_mock/dashboard/api/overview", params={"series_version": series["version"]}).json()
    assert again["series"] is None  # unchanged: not sent again
    c.post("/_mock/clock", json={"now": 1704067200.0})  # set back: the series starts over
    restarted = c.get("/_mock/dashboard/api/overview").json()["series"]
    assert restarted["t"] == [1704067200.0]


def test_polling_reads_counters_and_never_walks_the_items(small, monkeypatch):
    m, c = small
    c.get("/_mock/dashboard/api/overview")  # the first poll lists the task's item keys once
    calls = []
    for name in ("task_items",):
        original = getattr(core.Session, name)
        monkeypatch.setattr(core.Session, name, lambda self, *a, _o=original, _n=name: calls.append(_n) or _o(self, *a))
    for name in ("list_task_items", "list_task_work", "recount", "list_items"):
        original = getattr(core, name)
        monkeypatch.setattr(core, name, lambda *a, _o=original, _n=name, **k: calls.append(_n) or _o(*a, **k))
    dash = dashboard_of(m.world)
    for _ in range(5):
        c.post("/_mock/clock", json={"advance": 300})
        dash.judge.last_step = float("-inf")  # let every poll take its judging step
        assert c.get("/_mock/dashboard/api/overview").status_code == 200
    assert calls == []


def test_judged_figures_end_at_the_reports(small):
    m, c = small
    c.post("/_mock/clock", json={"advance": 30 * 86400})
    dash = dashboard_of(m.world)
    for _ in range(50):
        dash.judge.last_step = float("-inf")
        data = c.get("/_mock/dashboard/api/overview").json()
        (task,) = [t for t in data["tasks"] if t["id"] == "small"]
        if task["judged"] == task["settled"] == 40:
            break
    assert task["judged"] == 40
    rep = report.build(m.world)
    (expected,) = [t for t in rep["tasks"] if t["task"] == "small"]
    assert task["accuracy"]["value"] == pytest.approx(expected["accuracy"])
    assert task["consensus"]["value"] == pytest.approx(expected["consensus_rate"])
    accuracy = {w["id"]: w["accuracy"] and w["accuracy"]["value"] for w in data["workers"] if w["simulated"]}
    assert accuracy == {w["worker"]: w["accuracy"] for w in rep["workers"] if w["simulated"]}


def test_drill_down_to_an_item(small):
    m, c = small
    c.post("/_mock/clock", json={"advance": 3 * 86400})
    detail = c.get("/_mock/dashboard/api/task", params={"task_id": "small"}).json()
    assert detail["task"]["review"]["strategy"] == "consensus" and detail["stats"]["total"] == 40
    page = c.get("/_mock/dashboard/api/task/items", params={"task_id": "small", "state": "approved", "limit": 5}).json()
    assert page["total"] == detail["stats"]["states"]["approved"] and len(page["items"]) == 5
    item = page["items"][0]
    one = c.get("/_mock/dashboard/api/task/item", params={"task_id": "small", "item_id": item["item_id"]}).json()
    assert {w["worker"] for w in one["work"]} == {"w1", "w2", "w3"}
    assert one["truth_kind"] == "ground_truth" and one["result"]["state"] == "approved"
    assert len(one["agreement"]["pairs"]) == 3 and set(one["agreement"]["group"]) <= {"w1", "w2", "w3"}
    assert c.get("/_mock/dashboard/api/task", params={"task_id": "nope"}).status_code == 404
    assert c.get("/_mock/dashboard/api/task/item", params={"task_id": "small", "item_id": "nope"}).status_code == 404


def test_series_keeps_a_bounded_history_of_the_whole_run():
    s = Series()
    for i in range(5000):
        s.add(float(i), {"w": i}, {}, i // 2)
    d = s.to_dict()
    assert len(d["t"]) <= Series.MAX and d["t"][0] == 0.0 and d["t"][-1] == 4999.0
    assert d["t"] == sorted(d["t"]) and d["submitted"]["w"] == [int(t) for t in d["t"]]
    s.add(10.0, {"w": 5000}, {}, 2500)  # counted after a later poll: joins the last point, time never goes back
    assert s.to_dict()["t"][-1] == 4999.0 and s.to_dict()["submitted"]["w"][-1] == 5000


def test_wilson_interval():
    assert wilson(0, 0) is None
    e = wilson(50, 100)
    assert e["value"] == 0.5 and e["low"] == pytest.approx(0.4038, abs=1e-4) and e["high"] == pytest.approx(0.5962, abs=1e-4)
    assert wilson(0, 10)["low"] == 0.0 and wilson(10, 10)["high"] == 1.0
    assert 0 < wilson(1, 3)["low"] < 1 / 3 < wilson(1, 3)["high"] < 1
