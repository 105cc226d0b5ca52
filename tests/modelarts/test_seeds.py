"""The two ModelArts pages the project was created from (``../shared/seeds/001_*.txt`` create a task,
``002_*.txt`` query its details): their example requests sent as printed, only the ids replaced by the
workspace's, and the answers in the shape of the pages' example responses (every key they show)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ma_support import DATASET, LABELER, LABELER2, PROJECT, REVIEWER, SAMPLES, SEEDED_TASK, TASKS, TEAM, ok

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed pages are not at {SEEDS} "
                                                          "(../shared/seeds beside the repository)")


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _json_after(text: str, heading: str) -> object:
    """The first JSON object after ``heading`` (the pages print examples as bare JSON)."""
    start = text.index("{", text.index(heading))
    return json.JSONDecoder().raw_decode(text[start:])[0]


def _keys_present(example, answer, where="answer") -> list[str]:
    """Every key of the example (recursively; a list's first item) that the answer lacks."""
    missing = []
    if isinstance(example, dict):
        for key, value in example.items():
            if key not in answer:
                missing.append(f"{where}.{key}")
            else:
                missing += _keys_present(value, answer[key], f"{where}.{key}")
    elif isinstance(example, list) and example and answer:
        missing += _keys_present(example[0], answer[0], f"{where}[0]")
    return missing


def test_seed_001_create_a_team_labeling_task(modelarts):
    text = _seed("001")
    method, path = re.search(r"^(POST) (/v2/\S+)$", text, re.M).groups()
    body = json.dumps(_json_after(text, "Example Requests"))
    # only ids: the team of the example, and its three members ("xxx@xxx.com" each time)
    body = body.replace("feSUo5NUIUnQAQNNTiS", TEAM)
    for email in (LABELER["email"], LABELER2["email"], REVIEWER["email"]):
        body = body.replace("xxx@xxx.com", email, 1)
    path = path.replace("{project_id}", PROJECT).replace("{dataset_id}", DATASET)
    r = modelarts.request(method, path, content=body, headers={"content-type": "application/json"})
    answer = ok(r)
    assert _keys_present(_json_after(text, "Example Responses"), answer) == []
    assert set(answer) == {"task_id"} and len(answer["task_id"]) == 19
    created = ok(modelarts.get(f"{TASKS}/{answer['task_id']}"))
    assert created["task_name"] == "task-eb17" and created["auto_sync_dataset"] is False
    assert [w["email"] for w in created["workforces_config"]["workforces"][0]["workers"]] == [
        LABELER["email"], LABELER2["email"], REVIEWER["email"]]


def test_seed_002_query_details_about_a_team_labeling_task(modelarts):
    text = _seed("002")
    url = re.search(r"^GET https://\{endpoint\}(\S+)$", text, re.M).group(1)
    path = url.replace("{project_id}", PROJECT).replace("{dataset_id}", DATASET).replace("{workforce_task_id}", SEEDED_TASK)
    # the example shows a task with labels and a concluded acceptance: give the seeded task one
    samples = ok(modelarts.get(f"{TASKS}/{SEEDED_TASK}/data-annotations/samples", params={"limit": 100}))["samples"]
    ok(modelarts.put(f"{TASKS}/{SEEDED_TASK}/data-annotations/samples", json={"samples": [
        {"sample_id": s["sample_id"], "worker_id": s["labelers"][0]["worker_id"], "labels": [{"name": "rose"}]}
        for s in samples]}))
    ok(modelarts.post(f"{TASKS}/{SEEDED_TASK}/data-annotations/review", json={"comments": [
        {"sample_id": s, "accept": True} for s in SAMPLES]}))
    ok(modelarts.post(f"{TASKS}/{SEEDED_TASK}/acceptance", json={"sampling_num": 2}))
    ok(modelarts.put(f"{TASKS}/{SEEDED_TASK}/acceptance/status", json={"action": 0}))
    answer = ok(modelarts.get(path))
    example = _json_after(text, "Example Responses")
    assert _keys_present(example, answer) == []
    assert answer["task_id"] == SEEDED_TASK and answer["task_name"] == example["task_name"]
    assert answer["checking_task_desc"]["action"] == example["checking_task_desc"]["action"] == 0
