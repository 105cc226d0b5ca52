"""Multi-step ModelArts operations on top of the core: who works on a task, datasets, syncing labels back.

Handlers translate the wire; this module decides which core calls a ModelArts request means.
"""
from __future__ import annotations

import json

from mockserver import core

from . import records as R
from .errors import err, invalid
from .wire import KIND_OF_TYPE, SAMPLE_TYPE_OF_LABEL_TYPE, to_core_labels, to_wire_labels

LABELER, REVIEWER, ADMIN = 0, 1, 2


# ---------------------------------------------------------------- datasets and samples

def create_dataset(world, project_id: str, body: dict, dataset_id: str | None = None) -> dict:
    store = world.store
    label_type = int(body.get("label_type", body.get("dataset_type", 0)) or 0)
    doc = {"id": dataset_id or R.new_id(store, "dataset"), "project_id": project_id,
           "dataset_name": body.get("dataset_name") or "dataset", "description": body.get("description") or "",
           "label_type": label_type, "dataset_type": label_type,
           "data_path": body.get("data_path") or body.get("work_path") or "/mock-bucket/data/",
           "create_time": world.now_ms(), "update_time": world.now_ms()}
    if R.datasets(store).get(doc["id"]) is not None:
        raise err("0101", f"Dataset {doc['id']} already exists")
    R.datasets(store).insert(doc)
    return doc


def add_samples(world, project_id: str, dataset: dict, samples: list[dict], sample_ids: list[str] | None = None) -> list[str]:
    """Store samples in the dataset and register them with the core (tasks following the dataset grow)."""
    store = world.store
    now = world.now_ms()
    docs, items = [], []
    for i, s in enumerate(samples):
        sample_id = (sample_ids[i] if sample_ids else None) or s.get("sample_id") or R.new_hex_id(store, "sample")
        name = s.get("name") or s.get("sample_name") or f"{sample_id}.jpg"
        sample_type = s.get("sample_type", SAMPLE_TYPE_OF_LABEL_TYPE.get(dataset["label_type"], 0))
        sample_dir = s.get("sample_dir") or dataset["data_path"]
        doc = {"id": f"{dataset['id']}|{sample_id}", "dataset_key": dataset["id"], "sample_id": sample_id,
               "sample_name": name, "sample_type": sample_type, "sample_dir": sample_dir,
               # where the sample came from (an OBS path); clients get a signed URL instead (media.py)
               "origin": s.get("source") or f"obs:/{sample_dir.rstrip('/')}/{name}",
               "sample_size": int(s["sample_size"]) if s.get("sample_size") else None,
               "metadata": s.get("metadata") or {}, "sample_time": now,
               "labels": to_wire_labels(to_core_labels(s.get("labels") or []), dataset["label_type"],
                                        f"{sample_id}|"),
               "create_time": now, "update_time": now}
        if s.get("data") is not None:
            doc["data"] = str(s["data"])  # served as the sample's bytes (text samples)
        if doc["id"] in R.samples(store):
            raise err("0101", f"Sample {sample_id} already exists")
        docs.append(doc)
        items.append({"id": sample_id, "data": {"sample_name": name, "sample_dir": sample_dir,
                                                "sample_type": sample_type, "metadata": doc["metadata"]}})
    with store.lock:
        core.add_items(store, R.source_of(project_id, dataset["id"]), items)
        for doc in docs:
            R.samples(store).insert(doc)
    return [d["sample_id"] for d in docs]


def sample_filter(conditions) -> tuple[dict | None, list[dict]]:
    """``sample_conditions`` (a JSON string of SearchCondition objects, or ``name=value`` pairs joined
    by ``&``) -> (the core's item filter, the conditions as SearchCondition objects to show back in
    ``sample_search_conditions``).  Supported: sample_name, sample_dir, sample_type and
    ``metadata.props`` (first value of each key; ``metadata.<key>=value`` as a pair)."""
    if conditions in (None, "", {}, []):
        return None, []
    parsed = conditions
    if isinstance(conditions, str):
        text = conditions.strip()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = {}
            for pair in text.split("&"):
                if "=" not in pair:
                    raise invalid(f"sample_conditions {conditions!r} is neither JSON nor name=value pairs")
                key, value = pair.split("=", 1)
                parsed[key.strip()] = value.strip()
    listed = parsed if isinstance(parsed, list) else [parsed]
    if not all(isinstance(cond, dict) for cond in listed):
        raise invalid("sample_conditions must be SearchCondition objects")
    out, shown = {}, []
    for cond in listed:
        wire: dict = {}
        for key, value in cond.items():
            if key in ("sample_name", "sample_dir"):
                out[key] = wire[key] = str(value)
            elif key == "sample_type":
                if isinstance(value, bool) or not str(value).isdecimal():
                    raise invalid(f"sample_conditions sample_type {value!r} is not a sample type")
                out[key] = wire[key] = int(value)
            elif key == "metadata" and isinstance(value, dict):
                for prop, values in (value.get("props") or {}).items():
                    out[f"metadata.{prop}"] = values[0] if isinstance(values, list) and values else values
                wire[key] = value
            elif key.startswith("metadata."):
                out[key] = value
                props = wire.setdefault("metadata", {"op": "AND", "props": {}})["props"]
                props[key.split(".", 1)[1]] = [value]
            else:
                raise invalid(f"sample_conditions field {key!r} is not supported by the stand-in")
        if wire:
            shown.append(wire)
    return out or None, shown


# ---------------------------------------------------------------- who works on a task

def resolve_workforces(store, project_id: str, config: dict | None) -> tuple[list[dict], list[str], list[str]]:
    """``workforces_config`` -> (stored config with ids and roles, labeler emails, reviewer emails).

    A team listed without workers brings all its members.  Members are looked up in the team (4601 /
    4604 otherwise); a role given in the config overrides the member's role for this task.
    """
    stored, labelers, reviewers = [], [], []
    for wf in (config or {}).get("workforces") or []:
        wf_id = wf.get("workforce_id")
        if not wf_id:
            raise invalid("workforces_config.workforces[].workforce_id is required")
        team = R.load_workforce(store, project_id, wf_id)
        members = R.workers(store).find(workforce_id=wf_id)
        by_email = {m["email"]: m for m in members}
        by_id = {m["worker_id"]: m for m in members}
        wanted = wf.get("workers") or [{"email": m["email"]} for m in members]
        entries = []
        for w in wanted:
            member = by_email.get(w.get("email")) or by_id.get(w.get("worker_id"))
            if member is None:
                raise err("4604", f"The worker does not exist in workforce {wf_id}: {w.get('email') or w.get('worker_id')}")
            role = int(w["role"]) if w.get("role") is not None else member["role"]
            entries.append({"email": member["email"], "worker_id": member["worker_id"], "role": role,
                            "workforce_id": wf_id})
            if role == LABELER:
                labelers.append(member["email"])
            elif role == REVIEWER:
                reviewers.append(member["email"])
        stored.append({"workforce_id": wf_id, "workforce_name": team["workforce_name"], "workers": entries})
    out = {"workforces": stored}
    if (config or {}).get("agency"):
        out["agency"] = config["agency"]
    return out, list(dict.fromkeys(labelers)), list(dict.fromkeys(reviewers))


def review_spec(reviewers: list[str]) -> dict:
    """With reviewers every labeled sample waits for one of them; without, labels go straight to acceptance."""
    if reviewers:
        return {"strategy": "manual", "reviewers": reviewers, "sample_percentage": 1.0,
                "approval_threshold_reviewers": 1}
    return {"strategy": "none", "reviewers": []}


def assignment_spec(repetition: int) -> dict:
    return {"strategy": "partitioned", "mode": "even", "workers_per_input": repetition}


def kind_for(dataset: dict) -> str:
    return KIND_OF_TYPE.get(dataset["label_type"], "classification")


def create_task(world, project_id: str, dataset: dict, body: dict, task_id: str | None = None,
                status: str = "created") -> dict:
    """A workforce task: the core task (samples of the dataset matching ``sample_conditions``, labelers
    by partitioned assignment with ``repetition`` per sample, reviewers) and its ModelArts record."""
    store = world.store
    name = body["task_name"]
    repetition = body.get("repetition") or 1
    config, labelers, reviewers = resolve_workforces(store, project_id, body.get("workforces_config"))
    item_filter, conditions = sample_filter(body.get("sample_conditions"))
    task_id = task_id or R.new_id(store, "workforce-task")
    follow = bool(body.get("synchronize_data", False))
    now = world.now_ms()
    core.create_task(store, {
        "id": R.core_task_id(project_id, task_id), "tenant": project_id, "kind": kind_for(dataset),
        "sources": [R.source_of(project_id, dataset["id"])], "item_filter": item_filter, "follow_source": follow,
        "workers": labelers, "assignment": assignment_spec(repetition), "review": review_spec(reviewers),
        "status": status, "meta": {"modelarts_task_id": task_id}})
    return R.tasks(store).insert({
        "id": task_id, "project_id": project_id, "dataset_id": dataset["id"], "dataset_key": dataset["id"],
        "name_key": f"{dataset['id']}|{name}", "task_name": name, "description": body.get("description") or "",
        "repetition": repetition, "workforces_config": config, "label_type": dataset["label_type"],
        "dataset_type": dataset["dataset_type"], "synchronize_data": follow,
        "synchronize_auto_labeling_data": bool(body.get("synchronize_auto_labeling_data", False)),
        "auto_sync_dataset": bool(body.get("auto_sync_dataset", True)),
        "data_sync_type": int(body.get("data_sync_type") or 0),  # kept, not shown (not in the answer's table)
        "sample_search_conditions": conditions,
        "checking_task_id": None, "email_status": {}, "last_notify": {}, "create_time": now, "update_time": now})


# ---------------------------------------------------------------- labels back to the dataset

def sync_accepted_labels(world, task: dict, dataset: dict) -> int:
    """Copy the labels of the task's accepted samples to the dataset (``auto_sync_dataset``).

    O(samples in the task): it runs once, when an acceptance passes.
    """
    store = world.store
    ctid = R.core_task_id(task["project_id"], task["id"])
    count = 0
    now = world.now_ms()
    for ti in core.list_task_items(store, ctid, state="approved"):
        result = core.item_result(store, ctid, ti["item_id"], source=ti["source"])
        if result is None or result["accepted"] == "rejected":
            continue
        labels = result["labels"]
        doc_id = f"{dataset['id']}|{ti['item_id']}"
        if doc_id in R.samples(store):
            R.samples(store).update(doc_id, {"labels": to_wire_labels(labels, dataset["label_type"]),
                                             "update_time": now})
            count += 1
    return count
