"""Seeding CloudFactory's part of a workspace: workstreams, their use cases, task definitions, keys.

A workstream section (the default one, and each of ``other_workstreams``) reads::

    {"workstream_id", "api_key", "webhook_secret",
     "use_case_ids": [...], "task_definition_ids": [...],
     "configuration_ids": [...],            # Oversight configurations of this workstream
     "bucket_ids": [...],                   # mounted buckets (Oversight "bucket_id" variant)
     "labels": [...],                       # classes a reviewer may correct a tag to
     "oversight": {...},                    # CloudWorkers and their model, see cloudworkers.py
     "webhook_events": [...],               # events POSTed to a task's callback_url (webhooks.py)
     "rate_limit": {"requests": N, "per_seconds": S}}   # per-key limit (ratelimit.py)

``webhook_events`` defaults to the documented ones, ``task.completed`` and ``task.failed``;
``task.in_progress`` is opt-in.  ``webhook_events`` and ``rate_limit`` given on the section apply to
each of its workstreams that does not set its own; without a rate limit anywhere, the server's
setting (off by default) applies.

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
DOCUMENTED_EVENTS = ("task.completed", "task.failed")
EVENTS = ("task.in_progress", "task.completed", "task.failed")


def _events(ws: dict, section: dict | None) -> list[str]:
    events = ws["webhook_events"] if "webhook_events" in ws else (section or {}).get("webhook_events")
    if events is None:
        return list(DOCUMENTED_EVENTS)
    unknown = [e for e in events if e not in EVENTS]
    if unknown or not isinstance(events, list):
        raise ValueError(f"cloudfactory workstream {ws['workstream_id']}: webhook_events must be a list of "
                         f"{', '.join(EVENTS)} (got {events!r})")
    return list(dict.fromkeys(events))


def workstream_doc(ws: dict, section: dict | None = None) -> dict:
    from .ratelimit import normalise

    rate_limit = ws["rate_limit"] if "rate_limit" in ws else (section or {}).get("rate_limit")
    return {
        "id": ws["workstream_id"],
        "use_case_ids": list(ws.get("use_case_ids", [])),
        "task_definition_ids": list(ws.get("task_definition_ids", [])),
        "configuration_ids": list(ws.get("configuration_ids", [])),
        "bucket_ids": list(ws.get("bucket_ids", [])),
        "labels": list(ws.get("labels", [])),
        "webhook_secret": ws.get("webhook_secret") or f"whsec-{ws['workstream_id']}",
        "oversight": dict(ws.get("oversight", {})),
        "webhook_events": _events(ws, section),
        "rate_limit": normalise(rate_limit, f"cloudfactory workstream {ws['workstream_id']}: rate_limit"),
    }


def seed(world, section: dict) -> None:
    keys = world.store.table(KEYS)
    streams = world.store.table(WORKSTREAMS)
    for ws in [section] + list(section.get("other_workstreams", [])):
        streams.upsert(workstream_doc(ws, section))
        keys.upsert({"id": ws["api_key"], "workstream_id": ws["workstream_id"]})
