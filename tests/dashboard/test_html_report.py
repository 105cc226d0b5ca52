"""``mockserver simulate --html``: one self-contained file, the same figures as ``--json-report``."""
from __future__ import annotations

import json
import re

from mockserver.dashboard import chart_js
from mockserver.simulation.headless import main

SCENARIO = """
name: tiny
seed: 2
clock: {mode: manual, start: "2024-02-05T08:00:00Z"}
workspace: {}
sources:
  - id: "sim:t"
    generate: {count: 30, labels: [cat, dog]}
tasks:
  - id: "</script><b>t</b>"
    tenant: sim
    sources: ["sim:t"]
    workers: [a, b]
    assignment: {strategy: full}
    review: {strategy: consensus, reviewers: [r], approval_threshold_labelers: 2}
people:
  - {id: a, speed: {fixed: 30}, accuracy: 0.9}
  - {id: b, speed: {fixed: 40}, accuracy: 0.7}
  - {id: r, review_speed: {fixed: 20}, catch_rate: 0.8}
"""


def test_html_report_is_self_contained_and_carries_the_json_figures(tmp_path):
    (tmp_path / "s.yaml").write_text(SCENARIO)
    code = main(str(tmp_path / "s.yaml"), json_report=str(tmp_path / "r.json"), html=str(tmp_path / "r.html"), quiet=True)
    assert code == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    rep = json.loads((tmp_path / "r.json").read_text())
    assert not re.search(r"<(script|img|iframe)[^>]+src=|<link[^>]+stylesheet|@import|url\(", page)
    assert chart_js() in page  # the library inlined, whole
    assert page.count("<script") == 3 and page.count("</script>") == 3  # the task id cannot close a script
    data = json.loads(re.search(r'<script id="report-data" type="application/json">(.*?)</script>', page, re.S)
                      .group(1).replace("<\\/", "</"))
    assert data == rep
    fig = rep["figures"]
    assert set(fig) == {"bins", "throughput", "workers", "tasks"}
    (task,) = fig["tasks"]
    (summary,) = [t for t in rep["tasks"] if t["task"] == task["task"]]
    assert task["accuracy"]["value"] == summary["accuracy"] and task["consensus"]["value"] == summary["consensus_rate"]
    assert task["accuracy"]["low"] <= task["accuracy"]["value"] <= task["accuracy"]["high"]
    assert task["settled_curve"][-1] == 30 and task["settled_after_seconds"] > 0
    assert sum(fig["throughput"]["submitted"]["a"]) == 30
    assert {w["worker"]: w["accuracy"] and w["accuracy"]["value"] for w in fig["workers"]} == \
        {w["worker"]: w["accuracy"] for w in rep["workers"]}
    assert "&lt;/script&gt;&lt;b&gt;t&lt;/b&gt;" in page  # escaped in the tables


def test_html_report_cannot_be_written(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text(SCENARIO)
    code = main(str(tmp_path / "s.yaml"), html=str(tmp_path / "missing" / "r.html"), quiet=True)
    assert code == 1
    assert "cannot write --html" in capsys.readouterr().err
