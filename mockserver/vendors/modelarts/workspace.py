"""Seeding ModelArts' part of a workspace: project, AK/SK, tokens, and a ready labeling setup.

The default setup uses the ids of the documentation's examples, so its example requests work once
``{project_id}`` is replaced: dataset ``WxCREuCkBSAlQr9xrde`` (20 image samples), team
``feSUo5NUIUnQAQNNTiS`` (two labelers, a reviewer, an admin) and a running task ``iYZx7gScPUozOXner9k``.
"""
from __future__ import annotations

import hashlib

_EXTRA_SAMPLE_IDS = [hashlib.md5(f"mock-modelarts-sample-{i:02d}".encode()).hexdigest() for i in range(4, 20)]

DEFAULT = {
    "project_id": "0123456789abcdef0123456789abcdef",
    "ak": "MOCKAK0000000000000",
    "sk": "MOCKSK0000000000000000000000000000000000",
    "token": "mock-modelarts-token",
    "other_project": {"project_id": "fedcba9876543210fedcba9876543210", "ak": "OTHERAK000000000000",
                      "sk": "OTHERSK000000000000000000000000000000000", "token": "other-modelarts-token"},
    "dataset": {
        "dataset_id": "WxCREuCkBSAlQr9xrde", "dataset_name": "dataset-flowers", "label_type": 0,
        # the first ids are those of the documentation's and the SDK wire log's examples
        "sample_ids": ["26c6dd793d80d3274eb89349ec76d678", "0a0939d6d3c48a3d2a2619245943ac21",
                       "0e1b5a16a5a577ee53aeb34278a4b3e7", "09ac49d5b06385849c8769fdcf0f6d60"] + _EXTRA_SAMPLE_IDS,
    },
    "workforce": {
        "workforce_id": "feSUo5NUIUnQAQNNTiS", "workforce_name": "team-flowers",
        "workers": [
            {"email": "labeler@example.com", "worker_id": "8c15ad080d3eabad14037b4eb00d6a6f", "role": 0},
            {"email": "labeler2@example.com", "worker_id": "2880f38d660dd68ca6ab578b5a1d9558", "role": 0},
            {"email": "reviewer@example.com", "worker_id": "afdda13895bc66322ffbf36ae833bcf0", "role": 1},
            {"email": "admin@example.com", "worker_id": "b1e4054407ecb36a7bcde70f52ba37f2", "role": 2},
        ],
    },
    "task": {"task_id": "iYZx7gScPUozOXner9k", "task_name": "task-e63f", "repetition": 1},
}


def seed(world, section: dict) -> None:
    creds = world.store.table("modelarts_credentials")
    tokens = world.store.table("modelarts_tokens")
    for proj in [section] + ([section["other_project"]] if section.get("other_project") else []):
        creds.upsert({"id": proj["ak"], "sk": proj["sk"], "project_id": proj["project_id"]})
        if proj.get("token"):
            tokens.upsert({"id": proj["token"], "project_id": proj["project_id"], "user": "mock-owner"})
    _seed_labeling(world, section)


def _seed_labeling(world, section: dict) -> None:
    from . import records as R
    from . import service as S

    # Stamped with the seeding's time (``core.at`` in workspace.seed_workspace): one epoch for every vendor
    # and for the core, and a reset rebuilds exactly the same records.
    store = world.store
    project_id = section["project_id"]
    now = world.now_ms()
    ds = section.get("dataset")
    if ds:
        dataset = S.create_dataset(world, project_id, ds, dataset_id=ds["dataset_id"])
        names = [{"name": f"flower_{i:02d}.jpg", "metadata": {"split": "train" if i % 4 else "eval"}}
                 for i in range(len(ds["sample_ids"]))]
        S.add_samples(world, project_id, dataset, names, sample_ids=ds["sample_ids"])
    wf = section.get("workforce")
    if wf:
        R.workforces(store).insert({"id": wf["workforce_id"], "project_id": project_id,
                                    "name_key": f"{project_id}|{wf['workforce_name']}",
                                    "workforce_name": wf["workforce_name"], "description": "default team",
                                    "create_time": now, "update_time": now})
        for w in wf["workers"]:
            worker_id = R.person_id(store, project_id, w["email"], w.get("worker_id"))
            R.workers(store).insert({"id": f"{wf['workforce_id']}|{worker_id}", "project_id": project_id,
                                     "workforce_id": wf["workforce_id"], "worker_id": worker_id, "email": w["email"],
                                     "email_key": f"{project_id}|{w['email']}", "role": w["role"], "status": 2,
                                     "description": "", "create_time": now, "update_time": now})
    task = section.get("task")
    if ds and wf and task:
        dataset = R.datasets(store).get(ds["dataset_id"])
        S.create_task(world, project_id, dataset,
                      {"task_name": task["task_name"], "repetition": task["repetition"],
                       "workforces_config": {"workforces": [{"workforce_id": wf["workforce_id"]}]}},
                      task_id=task["task_id"], status="running")
