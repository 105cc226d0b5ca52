"""Seeding Clarifai's part of a workspace: keys, and for each app its concepts, inputs and a dataset.

Inputs are deterministic (``input-001``... with fixed image URLs) and registered with the core as
items of the app's source (and of the dataset's source for those in the dataset), so tasks created
on a fresh server select them.  Workers and reviewers get collaborator PATs on the main app, so each
can call as themselves (ListNextTaskAssignments, PutTaskAssignments, PatchAnnotationsStatus); they are
the app's collaborators (``collaborators.py``), which is what lets their PATs reach it.
"""
from __future__ import annotations

DEFAULT = {
    "user_id": "mock-user",
    "app_id": "mock-app",
    "key": "mock-clarifai-key",
    "pat": "mock-clarifai-pat",
    "other_apps": [{"user_id": "other-user", "app_id": "other-app", "key": "other-clarifai-key",
                    "concepts": ["cat"], "inputs": 3, "dataset": {"id": "other-dataset", "inputs": 2}}],
    "workers": ["labeler-1", "labeler-2", "labeler-3"],
    "reviewers": ["reviewer-1"],
    # Collaborator PATs (user -> PAT) valid on mock-user/mock-app through the app-scoped routes.
    "collaborator_pats": {"labeler-1": "mock-clarifai-pat-labeler-1", "labeler-2": "mock-clarifai-pat-labeler-2",
                          "labeler-3": "mock-clarifai-pat-labeler-3", "reviewer-1": "mock-clarifai-pat-reviewer-1"},
    "concepts": ["cat", "dog", "bird"],
    "inputs": 24,
    "dataset": {"id": "mock-dataset", "inputs": 12},
}


# Seeded resources carry a fixed creation time, so a reset returns exactly the same state.


def image_url(app: str, index: int) -> str:
    return f"https://samples.mockserver.local/{app}/image-{index:03d}.jpg"


def seed_app(world, user_id: str, app_id: str, concepts: list, n_inputs: int, dataset: dict | None,
             collaborators: list | None = None) -> None:
    from . import collaborators as collab
    from . import resources as res
    from ...world import set_current_world

    app = f"{user_id}/{app_id}"
    token = set_current_world(world)
    try:
        if collaborators:
            collab.seed(app, collaborators, world.now())
        res.add_concepts(app, [{"id": c, "name": c} for c in concepts])
        res.add_inputs(app, [{"id": f"input-{i:03d}", "data": {"image": {"url": image_url(app, i)},
                                                                 "metadata": {"index": i}}}
                             for i in range(1, n_inputs + 1)])
        if dataset:
            res.add_datasets(app, [{"id": dataset["id"], "description": "seeded dataset"}])
            res.add_to_dataset(app, dataset["id"], [f"input-{i:03d}" for i in range(1, dataset["inputs"] + 1)])
    finally:
        from ...world import _world
        _world.reset(token)


def seed(world, section: dict) -> None:
    keys = world.store.table("clarifai_keys")
    app = f"{section['user_id']}/{section['app_id']}"
    keys.upsert({"id": section["key"], "user_id": section["user_id"], "app_id": section["app_id"], "kind": "app"})
    if section.get("pat"):
        keys.upsert({"id": section["pat"], "user_id": section["user_id"], "app_id": None, "kind": "pat"})
    for user, pat in (section.get("collaborator_pats") or {}).items():
        keys.upsert({"id": pat, "user_id": user, "app_id": None, "kind": "pat", "apps": [app]})
    # The labelers and reviewers (and every user with a collaborator PAT) are the app's collaborators.
    members = [*(section.get("workers") or []), *(section.get("reviewers") or []),
               *(section.get("collaborator_pats") or {})]
    seed_app(world, section["user_id"], section["app_id"], section.get("concepts") or [],
             int(section.get("inputs") or 0), section.get("dataset"), members)
    for other in section.get("other_apps", []):
        keys.upsert({"id": other["key"], "user_id": other["user_id"], "app_id": other["app_id"], "kind": "app"})
        seed_app(world, other["user_id"], other["app_id"], other.get("concepts") or [],
                 int(other.get("inputs") or 0), other.get("dataset"))
