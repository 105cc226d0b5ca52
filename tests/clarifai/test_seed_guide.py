"""The Clarifai Tasks guide (the seed the project was created from, ../shared/seeds/000_*.txt): every cURL
example in it, in order, sent as written with only the placeholders replaced by the workspace's ids. Each
must succeed; the task the guide creates is the one it later reads, patches and deletes."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

SEED = next(iter((Path(__file__).resolve().parents[3] / "shared" / "seeds").glob("000_*.txt")), None)
EXAMPLE = re.compile(r"curl -X (GET|POST|PATCH|DELETE) \\\n(.*?)(https://api\.clarifai\.com(\S*))", re.S)
PLACEHOLDERS = {"concept_id": "cat", "worker_user_id": "labeler-1", "reviewer_user_id": "reviewer-1",
                "user_id": "labeler-1", "user_id1": "labeler-1", "user_id2": "labeler-2", "user_id3": "labeler-3",
                "user_id4": "reviewer-1"}


def examples() -> list[tuple[str, str, dict | None]]:
    text = SEED.read_text(encoding="utf-8")
    out = []
    for method, middle, _, path in EXAMPLE.findall(text):
        body = re.search(r"-d '\s*(.*?)'\s*\\?\s*$", middle, re.S)
        out.append((method, path, body.group(1) if body else None))
    return out


@pytest.mark.skipif(SEED is None, reason="../shared/seeds is not next to this checkout")
def test_every_example_of_the_tasks_guide_runs_as_written(clarifai):
    found = examples()
    assert len(found) >= 10, found  # create x4, get, list x3, patch, delete
    task_id = None
    for method, path, body in found:
        def fill(text: str) -> str:
            text = text.replace("{{task_id}}", task_id or "").replace("{task_id}", task_id or "")
            return re.sub(r"\{\{(\w+)\}\}", lambda m: PLACEHOLDERS[m.group(1)], text)

        payload = json.loads(fill(body)) if body else None
        response = clarifai.request(method, fill(path), json=payload)
        answer = response.json()
        assert response.status_code == 200 and answer["status"]["code"] == 10000, (method, path, answer)
        if method == "POST":
            task_id = answer["tasks"][0]["id"]
        elif method == "GET" and "{task_id}" in path:
            assert answer["task"]["id"] == task_id
        elif method == "GET":
            assert isinstance(answer["tasks"], list)
    assert clarifai.get(f"/v2/tasks/{task_id}").json()["status"]["code"] == 54102  # the guide deleted it
