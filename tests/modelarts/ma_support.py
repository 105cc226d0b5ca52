"""Helpers for the ModelArts tests: the workspace's documented ids and a few request shortcuts."""
from __future__ import annotations

import pytest

from mockserver.vendors.modelarts.workspace import DEFAULT

PROJECT = DEFAULT["project_id"]
DATASET = DEFAULT["dataset"]["dataset_id"]
TEAM = DEFAULT["workforce"]["workforce_id"]
SEEDED_TASK = DEFAULT["task"]["task_id"]
SAMPLES = DEFAULT["dataset"]["sample_ids"]
LABELER = DEFAULT["workforce"]["workers"][0]
LABELER2 = DEFAULT["workforce"]["workers"][1]
REVIEWER = DEFAULT["workforce"]["workers"][2]
V2 = f"/v2/{PROJECT}"
TASKS = f"{V2}/datasets/{DATASET}/workforce-tasks"


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code, body
    assert body["error_msg"]
    assert response.headers.get("x-request-id")


@pytest.fixture
def api(modelarts):
    """The token-authenticated client with shortcuts for the flows."""
    return Api(modelarts)


class Api:
    def __init__(self, client):
        self.c = client

    def team(self, name="team-t", members=(("l1@example.com", 0), ("l2@example.com", 0), ("rv@example.com", 1))):
        team = ok(self.c.post(f"{V2}/workforces", json={"workforce_name": name}), 201)["workforce_id"]
        for email, role in members:
            ok(self.c.post(f"{V2}/workforces/{team}/workers", json={"emails": email, "role": role}), 201)
        return team

    def task(self, team, name="task-t", dataset=DATASET, **extra):
        body = {"task_name": name, "workforces_config": {"workforces": [{"workforce_id": team}]}, **extra}
        return ok(self.c.post(f"{V2}/datasets/{dataset}/workforce-tasks", json=body))["task_id"]

    def detail(self, task, dataset=DATASET, **flags):
        params = {k: "true" for k in flags} or {"sample_stats": "true", "workforce_stats": "true", "label_stats": "true"}
        return ok(self.c.get(f"{V2}/datasets/{dataset}/workforce-tasks/{task}", params=params))

    def samples(self, task, dataset=DATASET, **params):
        return ok(self.c.get(f"{V2}/datasets/{dataset}/workforce-tasks/{task}/data-annotations/samples",
                             params={"limit": 100, **params}))

    def worker_id(self, team, email):
        workers = ok(self.c.get(f"{V2}/workforces/{team}/workers", params={"limit": 100}))["workers"]
        return next(w["worker_id"] for w in workers if w["email"] == email)

    def label_all(self, task, team, dataset=DATASET, name="cat"):
        """Every labeler submits a label on each of its samples; returns {sample_id: [worker_id]}."""
        held = {}
        for s in self.samples(task, dataset)["samples"]:
            held[s["sample_id"]] = [lb["worker_id"] for lb in s["labelers"]]
            body = {"samples": [{"sample_id": s["sample_id"], "worker_id": w, "labels": [{"name": name, "type": 0}]}
                                for w in held[s["sample_id"]]]}
            ok(self.c.put(f"{V2}/datasets/{dataset}/workforce-tasks/{task}/data-annotations/samples", json=body))
        return held
