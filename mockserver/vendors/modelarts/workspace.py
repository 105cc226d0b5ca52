"""Seeding ModelArts' part of a workspace: project, AK/SK, tokens (datasets and teams by the adapter)."""
from __future__ import annotations

DEFAULT = {
    "project_id": "0123456789abcdef0123456789abcdef",
    "ak": "MOCKAK0000000000000",
    "sk": "MOCKSK0000000000000000000000000000000000",
    "token": "mock-modelarts-token",
    "other_project": {"project_id": "fedcba9876543210fedcba9876543210", "ak": "OTHERAK000000000000",
                      "sk": "OTHERSK000000000000000000000000000000000", "token": "other-modelarts-token"},
}


def seed(world, section: dict) -> None:
    creds = world.store.table("modelarts_credentials")
    tokens = world.store.table("modelarts_tokens")
    for proj in [section] + ([section["other_project"]] if section.get("other_project") else []):
        creds.upsert({"id": proj["ak"], "sk": proj["sk"], "project_id": proj["project_id"]})
        if proj.get("token"):
            tokens.upsert({"id": proj["token"], "project_id": proj["project_id"], "user": "mock-owner"})
