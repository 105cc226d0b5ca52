"""The dashboard and the HTML report in a real browser (the system Chromium, headless).

Load a scenario, advance the clock from the dashboard, see the progress numbers change and match the
control API; keyboard use and a narrow window; open the HTML report offline and find every chart
drawn. No console errors anywhere. Screenshots: tests/dashboard/artifacts/.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter

import httpx
import pytest

from mockserver.testing import ServerProcess

TASK = "birds"  # the consensus task of the shipped 'disagreement' scenario (300 items, 3 labelers, 1 reviewer)

PAINTED = """(id) => {
  const canvas = document.getElementById(id);
  const chart = window.Chart && window.Chart.getChart(canvas);
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
  return {chart: !!chart, datasets: chart ? chart.data.datasets.filter(d => d.data.length > 0).length : 0,
          painted: painted, width: canvas.width, height: canvas.height};
}"""

ROW_NUMBERS = """(task) => {
  const tr = document.querySelector(`#tasks-table tbody tr[data-key="${task}"]`);
  const out = {};
  if (tr) tr.querySelectorAll('td[data-field]').forEach(td => { out[td.dataset.field] = td.firstChild ? td.firstChild.textContent : ''; });
  return out;
}"""


@pytest.fixture(scope="module")
def server():
    with ServerProcess("--clarifai-grpc-port", "0", "--scenario", "disagreement") as s:
        yield s


def numbers_from_state(base: str) -> dict:
    """The task's progress counted from the exported state itself (every task item's stored state)."""
    state = httpx.get(f"{base}/_mock/state", timeout=30).json()
    states = Counter(ti["state"] for ti in state["core_task_items"] if ti["task_id"] == TASK)
    return {"total": str(sum(states.values())), "not_started": str(states["unlabeled"]),
            "in_progress": str(states["labeling"] + states["changes_requested"]),
            "awaiting_review": str(states["awaiting_review"]),
            "settled": str(states["approved"] + states["rejected"] + states["skipped"])}


def wait_until(check, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_dashboard_advances_the_clock_and_shows_the_control_apis_numbers(server, page_of, artifacts):
    base = server.urls["clarifai"]
    # something for the journal's tail and the faults panel to show
    httpx.get(f"{base}/v2/users/mock-user/apps/mock-app/tasks", headers={"Authorization": "Key mock-clarifai-key"})
    fault = httpx.post(f"{base}/_mock/faults", json={"vendor": "cloudfactory", "error": {"status": 503},
                                                     "probability": 0.2}).json()
    page, console = page_of(1280, 800)
    page.goto(f"{base}/_mock/dashboard/")
    page.wait_for_selector(f'#tasks-table tbody tr[data-key="{TASK}"] td[data-field="settled"]')
    page.wait_for_selector(f'#faults-table tbody tr[data-key="{fault["id"]}"]')
    page.wait_for_selector("#journal-table tbody tr:not([data-key='-'])")
    assert "GET /v2/users/mock-user/apps/mock-app/tasks" in page.inner_text("#journal-table")
    page.select_option("#journal-vendor", "modelarts")  # filtered by vendor: nothing from Clarifai
    page.wait_for_selector("#journal-table tbody tr[data-key='-']")
    page.select_option("#journal-vendor", "")
    page.wait_for_selector("#journal-table tbody tr:not([data-key='-'])")
    start = httpx.get(f"{base}/_mock/clock").json()
    assert start["mode"] == "manual"
    before = wait_until(lambda: (lambda n: n if n == {**n, **numbers_from_state(base)} else None)(
        page.evaluate(ROW_NUMBERS, TASK)), what="the first numbers")

    page.select_option("#advance-by", "3600")
    page.click("#advance-button")
    page.wait_for_function("t => Number(document.querySelector('#clock-now').dataset.now) >= t", arg=start["now"] + 3600)
    assert httpx.get(f"{base}/_mock/clock").json()["now"] == pytest.approx(start["now"] + 3600)

    expected = numbers_from_state(base)  # the manual clock stands still: this is the state to show
    shown = wait_until(lambda: (lambda n: n if {k: n.get(k) for k in expected} == expected else None)(
        page.evaluate(ROW_NUMBERS, TASK)), what=f"the dashboard to show {expected}")
    assert shown["settled"] != before["settled"] and int(shown["settled"]) > 0
    overview = httpx.get(f"{base}/_mock/dashboard/api/overview").json()
    row = next(t for t in overview["tasks"] if t["id"] == TASK)
    assert {k: str(row["total"] if k == "total" else row["groups"][k]) for k in expected} == expected

    # the charts: drawn by the vendored library, with data
    wait_until(lambda: page.evaluate(PAINTED, "chart-throughput")["datasets"] >= 4, what="throughput lines")
    wait_until(lambda: page.evaluate(PAINTED, "chart-accuracy")["datasets"] == 2, what="accuracy points")
    for chart in ("chart-throughput", "chart-accuracy"):
        drawn = page.evaluate(PAINTED, chart)
        assert drawn["chart"] and drawn["painted"] > 2000, (chart, drawn)
    workers = {r.get_attribute("data-key") for r in page.query_selector_all("#workers-table tbody tr")}
    assert {"careful", "confused", "guesser", "reviewer"} <= workers
    page.evaluate("document.getElementById('toast').className = ''")  # the screenshot without the last notice
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    assert not console.errors, console.errors
    assert all(u.startswith(base) or u.startswith("data:") for u in console.requests), console.requests


def test_dashboard_by_keyboard_and_in_a_narrow_window(server, page_of, artifacts):
    base = server.urls["clarifai"]
    page, console = page_of(1280, 800)
    page.goto(f"{base}/_mock/dashboard/")
    page.wait_for_selector(f'button[data-task="{TASK}"]')
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "tasks"
    for _ in range(12):  # on to the task's button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.task") == TASK:
            break
    assert page.evaluate("document.activeElement.dataset.task") == TASK
    page.keyboard.press("Enter")
    page.wait_for_selector("#task-dialog[open] #items-table tbody button")
    page.wait_for_selector("#task-dialog-body table")
    page.focus("#items-table tbody button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#item-detail h4")
    assert page.evaluate("document.activeElement.closest('#item-detail') !== null")
    assert "Who labeled what" in page.inner_text("#item-detail")
    page.keyboard.press("Escape")
    page.wait_for_selector("#task-dialog:not([open])", state="attached")
    assert page.evaluate("document.activeElement.dataset.task") == TASK  # focus back where it was
    assert not console.errors, console.errors

    narrow, narrow_console = page_of(390, 800)
    narrow.goto(f"{base}/_mock/dashboard/")
    narrow.wait_for_selector(f'button[data-task="{TASK}"]')
    wait_until(lambda: narrow.evaluate(PAINTED, "chart-throughput")["chart"], what="the chart")
    assert narrow.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"
    assert narrow.is_visible("#advance-button") and narrow.is_visible("#tasks-table")
    narrow.screenshot(path=str(artifacts / "dashboard-narrow.png"), full_page=True)
    assert not narrow_console.errors, narrow_console.errors


def test_html_report_is_one_offline_file_with_every_chart_drawn(tmp_path, page_of, artifacts):
    proc = subprocess.run([sys.executable, "-m", "mockserver", "simulate", "disagreement", "--quiet",
                           "--html", "report.html", "--json-report", "report.json"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.json"]
    page, console = page_of(1280, 800)
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page.goto((tmp_path / "report.html").as_uri())
    page.wait_for_selector('body[data-charts-ready="5"]')
    canvases = page.evaluate("Array.from(document.querySelectorAll('canvas')).map(c => c.id)")
    assert canvases == ["chart-throughput", "chart-accuracy", "chart-outcomes", "chart-reviews", "chart-settle"]
    for chart in canvases:
        drawn = page.evaluate(PAINTED, chart)
        assert drawn["chart"] and drawn["datasets"] >= 1 and drawn["painted"] > 2000, (chart, drawn)
    embedded = page.evaluate("JSON.parse(document.getElementById('report-data').textContent).figures")
    assert embedded == json.loads((tmp_path / "report.json").read_text())["figures"]
    page.screenshot(path=str(artifacts / "report.png"), full_page=True)
    assert console.requests == [(tmp_path / "report.html").as_uri()], console.requests  # nothing else fetched
    assert not console.errors, console.errors
