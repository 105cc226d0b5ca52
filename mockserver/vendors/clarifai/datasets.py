"""Changing and removing datasets, their inputs one by one, and dataset versions.

A dataset's inputs are items of the dataset's core source (``resources.add_to_dataset``); taking an input
out of a dataset (DeleteDatasetInputs, or DeleteDatasets for all of them) takes it out of that source, so
tasks on the dataset lose it too, as they would lose a deleted input.

A dataset version is a snapshot: the dataset's inputs when it was made, with their counts
(``metrics["/"]``: inputs, unlabeled inputs, positive tags of trusted annotations). The stand-in makes it
at once, so it is ``DATASET_VERSION_READY`` from the start.
"""
from __future__ import annotations

import copy

from ...world import current_world
from . import core_port as core
from . import resources as res
from .wire import code_status, failure, invalid, new_id, timestamp


def versions(store):
    return store.table("clarifai_dataset_versions", indexes=("dataset",))


# -- datasets ---------------------------------------------------------------------------------------------
def _described_patch(doc: dict, item: dict, field: str, action: str) -> dict:
    """The changes a patch of a dataset or a version makes: ``merge`` merges the metadata and replaces the
    description given; ``overwrite`` replaces both (no description: empty); ``remove`` drops the metadata
    keys given and leaves the description."""
    meta = item.get("metadata") or {}
    if not isinstance(meta, dict):
        raise invalid(f"{field}.metadata: an object is required")
    description = item.get("description")
    if description is not None and not isinstance(description, str):
        raise invalid(f"{field}.description: a string is required")
    fields = {"metadata": res.patch_tree(doc["metadata"], meta, action)}
    if action == "overwrite":
        fields["description"] = description or ""
    elif action == "merge" and description is not None:
        fields["description"] = description
    return fields


def patch_datasets(app: str, wire: list, action: str) -> list[dict]:
    """Description and metadata of datasets, all or nothing (``_described_patch``)."""
    store = current_world().store
    planned = []
    for i, d in enumerate(wire):
        field = f"datasets[{i}]"
        if not isinstance(d, dict) or not isinstance(d.get("id"), str):
            raise invalid(f"{field}.id: required")
        doc = res.dataset_doc(app, d["id"])
        if doc is None:
            raise failure(404, "CONN_DOES_NOT_EXIST", f"{field}.id: no dataset {d['id']!r}")
        planned.append((doc["id"], _described_patch(doc, d, field, action)))
    now = current_world().now()
    with store.lock:
        return [res.datasets(store).update(doc_id, {**fields, "modified_at": now}) for doc_id, fields in planned]


def delete_datasets(app: str, dataset_ids: list) -> None:
    """Delete datasets (all or nothing): their inputs leave them (the inputs stay in the app), their
    versions go."""
    store = current_world().store
    with store.lock:
        for i, dataset_id in enumerate(dataset_ids):
            if not isinstance(dataset_id, str) or res.dataset_doc(app, dataset_id) is None:
                raise failure(404, "CONN_DOES_NOT_EXIST", f"dataset_ids[{i}]: no dataset {dataset_id!r}")
        for dataset_id in dict.fromkeys(dataset_ids):
            links = res.dataset_inputs(store).find(dataset=f"{app}/{dataset_id}")
            remove_inputs(app, dataset_id, [link["input_id"] for link in links])
            for version_id in versions(store).ids(dataset=f"{app}/{dataset_id}"):
                versions(store).remove(version_id)
            res.datasets(store).remove(f"{app}/{dataset_id}")


# -- dataset inputs ---------------------------------------------------------------------------------------
def dataset_input(app: str, dataset_id: str, input_id: str) -> dict:
    res.must_dataset(app, dataset_id)
    link = res.dataset_inputs(current_world().store).get(f"{app}/{dataset_id}/{input_id}")
    if link is None:
        raise failure(404, "CONN_DOES_NOT_EXIST", f"input {input_id!r} is not in dataset {dataset_id!r}")
    return link


def remove_inputs(app: str, dataset_id: str, input_ids: list, check: bool = False) -> None:
    """Take inputs out of a dataset (``check``: each must be in it, else nothing changes)."""
    store = current_world().store
    with store.lock:
        res.must_dataset(app, dataset_id)
        links = res.dataset_inputs(store)
        if check:
            for i, input_id in enumerate(input_ids):
                if not isinstance(input_id, str) or f"{app}/{dataset_id}/{input_id}" not in links:
                    raise failure(404, "CONN_DOES_NOT_EXIST",
                                  f"input_ids[{i}]: input {input_id!r} is not in dataset {dataset_id!r}")
        for input_id in dict.fromkeys(input_ids):
            if links.remove(f"{app}/{dataset_id}/{input_id}") is None:
                continue
            doc = res.input_doc(app, input_id)
            if doc is not None:
                res.inputs(store).update(doc["id"], {"dataset_ids": [d for d in doc["dataset_ids"] if d != dataset_id]})
            core.remove_item(store, core.dataset_source(app, dataset_id), input_id)


# -- versions ---------------------------------------------------------------------------------------------
def _metrics(app: str, input_ids: list[str]) -> dict:
    from .labeling import trusted_concepts

    tagged = trusted_concepts(app, input_ids)
    positive = sum(len(concepts) for concepts in tagged.values())
    # UInt64Value fields: JSON strings, as Clarifai writes 64-bit numbers
    return {"/": {"inputs_count": str(len(input_ids)),
                  "unlabeled_inputs_count": str(sum(1 for i in input_ids if not tagged.get(i))),
                  "positive_input_tags_count": str(positive)}}


def add_versions(app: str, dataset_id: str, wire: list) -> list[dict]:
    store = current_world().store
    res.must_dataset(app, dataset_id)
    coll = versions(store)
    now = current_world().now()
    members = [link["input_id"] for link in res.dataset_inputs(store).find(dataset=f"{app}/{dataset_id}")]
    docs, seen = [], set()
    for i, v in enumerate(wire):
        field = f"dataset_versions[{i}]"
        if not isinstance(v, dict):
            raise invalid(f"{field}: an object is required")
        version_id = new_id(v.get("id"), field)
        key = f"{app}/{dataset_id}/{version_id}"
        if key in coll or key in seen:
            raise failure(409, "DATASET_VERSION_CONFLICT", f"{field}.id: version {version_id!r} already exists")
        seen.add(key)
        for name in ("metadata", "annotation_filter_config"):
            if v.get(name) is not None and not isinstance(v[name], dict):
                raise invalid(f"{field}.{name}: an object is required")
        if v.get("description") is not None and not isinstance(v["description"], str):
            raise invalid(f"{field}.description: a string is required")
        docs.append({"id": key, "app": app, "dataset": f"{app}/{dataset_id}", "dataset_id": dataset_id,
                     "version_id": version_id, "description": v.get("description") or "",
                     "metadata": copy.deepcopy(v.get("metadata") or {}),
                     "annotation_filter_config": copy.deepcopy(v.get("annotation_filter_config")),
                     "input_ids": list(members), "metrics": _metrics(app, members),
                     "created_at": now, "modified_at": now})
    with store.lock:
        return [coll.insert(d) for d in docs]


def must_version(app: str, dataset_id: str, version_id: str) -> dict:
    res.must_dataset(app, dataset_id)
    doc = versions(current_world().store).get(f"{app}/{dataset_id}/{version_id}")
    if doc is None:
        raise failure(404, "CONN_DOES_NOT_EXIST", f"no version {version_id!r} of dataset {dataset_id!r}")
    return doc


def list_versions(app: str, dataset_id: str) -> list[dict]:
    res.must_dataset(app, dataset_id)
    return versions(current_world().store).find(dataset=f"{app}/{dataset_id}")


def patch_versions(app: str, dataset_id: str, wire: list, action: str) -> list[dict]:
    """The description and metadata of versions (``merge``, ``overwrite``, ``remove`` as for datasets)."""
    store = current_world().store
    planned = []
    for i, v in enumerate(wire):
        field = f"dataset_versions[{i}]"
        if not isinstance(v, dict) or not isinstance(v.get("id"), str):
            raise invalid(f"{field}.id: required")
        doc = must_version(app, dataset_id, v["id"])
        planned.append((doc["id"], _described_patch(doc, v, field, action)))
    now = current_world().now()
    with store.lock:
        return [versions(store).update(doc_id, {**fields, "modified_at": now}) for doc_id, fields in planned]


def delete_versions(app: str, dataset_id: str, version_ids: list) -> None:
    store = current_world().store
    with store.lock:
        docs = [must_version(app, dataset_id, v) if isinstance(v, str) else None for v in version_ids]
        for i, doc in enumerate(docs):
            if doc is None:
                raise invalid(f"dataset_version_ids[{i}]: a version id is required")
        for doc in docs:
            versions(store).remove(doc["id"])


def render_version(doc: dict) -> dict:
    user_id, app_id = doc["app"].split("/", 1)
    out = {"id": doc["version_id"], "created_at": timestamp(doc["created_at"]),
           "modified_at": timestamp(doc["modified_at"]), "app_id": app_id, "user_id": user_id,
           "dataset_id": doc["dataset_id"], "status": code_status("DATASET_VERSION_READY"),
           "description": doc["description"], "metadata": copy.deepcopy(doc["metadata"]),
           "metrics": copy.deepcopy(doc["metrics"])}
    if doc.get("annotation_filter_config"):
        out["annotation_filter_config"] = copy.deepcopy(doc["annotation_filter_config"])
    return out
