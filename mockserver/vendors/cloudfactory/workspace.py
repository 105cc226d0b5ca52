"""Seeding CloudFactory's part of a workspace: workstreams, their use cases, task definitions, keys.

A workstream section (the default one, and each of ``other_workstreams``) reads::

    {"workstream_id", "api_key", "webhook_secret",
     "use_case_ids": [...], "task_definition_ids": [...],
     "configuration_ids": [...],            # Oversight configurations of this workstream
     "bucket_ids": [...],                   # mounted buckets (Oversight "bucket_id" variant)
     "labels": [...],                       # classes a reviewer may correct a tag to
     "oversight": {...}}                    # timing of the simulated reviewers, see oversight.py

Keys are bound to exactly one workstream: a key never reaches another workstream's data.
"""
from __future__ import annotations

DEFAULT = {
    "workstream_id": "ws-0001",
    "api_key": "mock-cloudfactory-key",
    "webhook_secret": "mock-cloudfactory-webhook-secret",
    "use_case_ids": ["uc-0001", "uc-0002"],
    "task_definition_ids": ["td-0001", "td-0002"],
    "configuration_ids": ["cfg-0001"],
    "bucket_ids": ["bucket-0001"],
    "labels": ["car", "truck", "bus", "person", "bicycle"],
    "other_workstreams": [{"workstream_id": "ws-0002", "api_key": "other-cloudfactory-key",
                           "webhook_secret": "other-cloudfactory-webhook-secret",
                           "use_case_ids": ["uc-0002"], "task_definition_ids": ["td-0002"],
                           "configuration_ids": ["cfg-0002"], "bucket_ids": [], "labels": ["cat", "dog"]}],
}

WORKSTREAMS = "cloudfactory_workstreams"
KEYS = "cloudfactory_keys"


def workstream_doc(ws: dict) -> dict:
    return {
        "id": ws["workstream_id"],
        "use_case_ids": list(ws.get("use_case_ids", [])),
        "task_definition_ids": list(ws.get("task_definition_ids", [])),
        "configuration_ids": list(ws.get("configuration_ids", [])),
        "bucket_ids": list(ws.get("bucket_ids", [])),
        "labels": list(ws.get("labels", [])),
        "webhook_secret": ws.get("webhook_secret") or f"whsec-{ws['workstream_id']}",
        "oversight": dict(ws.get("oversight", {})),
    }


def seed(world, section: dict) -> None:
    keys = world.store.table(KEYS)
    streams = world.store.table(WORKSTREAMS)
    for ws in [section] + list(section.get("other_workstreams", [])):
        streams.upsert(workstream_doc(ws))
        keys.upsert({"id": ws["api_key"], "workstream_id": ws["workstream_id"]})
