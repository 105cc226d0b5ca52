"""Seeding CloudFactory's part of a workspace: workstreams, use cases, task definitions, keys."""
from __future__ import annotations

DEFAULT = {
    "workstream_id": "ws-0001",
    "api_key": "mock-cloudfactory-key",
    "use_case_ids": ["uc-0001"],
    "task_definition_ids": ["td-0001"],
    "other_workstreams": [{"workstream_id": "ws-0002", "api_key": "other-cloudfactory-key",
                           "use_case_ids": ["uc-0002"], "task_definition_ids": ["td-0002"]}],
}


def seed(world, section: dict) -> None:
    keys = world.store.table("cloudfactory_keys")
    streams = world.store.table("cloudfactory_workstreams")
    for ws in [section] + list(section.get("other_workstreams", [])):
        streams.upsert({"id": ws["workstream_id"], "use_case_ids": list(ws["use_case_ids"]),
                        "task_definition_ids": list(ws["task_definition_ids"])})
        keys.upsert({"id": ws["api_key"], "workstream_id": ws["workstream_id"]})
