"""Seeding Clarifai's part of a workspace: users, apps, keys (inputs and concepts by the adapter)."""
from __future__ import annotations

DEFAULT = {
    "user_id": "mock-user",
    "app_id": "mock-app",
    "key": "mock-clarifai-key",
    "pat": "mock-clarifai-pat",
    "other_apps": [{"user_id": "other-user", "app_id": "other-app", "key": "other-clarifai-key"}],
    "workers": ["labeler-1", "labeler-2", "labeler-3"],
    "reviewers": ["reviewer-1"],
    "concepts": ["cat", "dog", "bird"],
    "inputs": 24,
}


def seed(world, section: dict) -> None:
    keys = world.store.table("clarifai_keys")
    keys.upsert({"id": section["key"], "user_id": section["user_id"], "app_id": section["app_id"], "kind": "app"})
    if section.get("pat"):
        keys.upsert({"id": section["pat"], "user_id": section["user_id"], "app_id": None, "kind": "pat"})
    for other in section.get("other_apps", []):
        keys.upsert({"id": other["key"], "user_id": other["user_id"], "app_id": other["app_id"], "kind": "app"})
