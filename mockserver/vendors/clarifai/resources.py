"""Inputs, concepts and datasets of an app: what tasks select and annotate.

Every input is an item of its app's core source; adding it to a dataset also makes it an item of
that dataset's source, so tasks on ALL_INPUTS or on a DATASET pick it up (also when added later).
"""
from __future__ import annotations

import copy
import uuid

from ...world import current_world
from . import core_port as core
from .wire import code_status, failure, invalid, timestamp

INPUT_OK = "INPUT_DOWNLOAD_SUCCESS"


def inputs(store):
    return store.table("clarifai_inputs", indexes=("app",))


def concepts(store):
    return store.table("clarifai_concepts", indexes=("app",))


def datasets(store):
    return store.table("clarifai_datasets", indexes=("app",))


def dataset_inputs(store):
    return store.table("clarifai_dataset_inputs", indexes=("dataset", "input"))


def input_doc(app: str, input_id: str) -> dict | None:
    return inputs(current_world().store).get(f"{app}/{input_id}")


def dataset_doc(app: str, dataset_id: str) -> dict | None:
    return datasets(current_world().store).get(f"{app}/{dataset_id}")


def must_input(app: str, input_id: str) -> dict:
    doc = input_doc(app, input_id)
    if doc is None:
        raise failure(404, "CONN_DOES_NOT_EXIST", f"no input {input_id!r}")
    return doc


def concept_doc(app: str, concept_id: str) -> dict | None:
    return concepts(current_world().store).get(f"{app}/{concept_id}")


def must_concept(app: str, concept_id: str, field: str | None = None) -> dict:
    doc = concept_doc(app, concept_id) if isinstance(concept_id, str) else None
    if doc is None:
        raise failure(404, "CONN_DOES_NOT_EXIST", f"{field + ': ' if field else ''}no concept {concept_id!r}")
    return doc


# -- inputs ------------------------------------------------------------------------------------------
def _input_data(data, field: str) -> dict:
    if not isinstance(data, dict):
        raise invalid(f"{field}.data: required (image.url, image.base64, text.raw or text.url)")
    image, text = data.get("image") or {}, data.get("text") or {}
    if not (image.get("url") or image.get("base64") or text.get("raw") or text.get("url")):
        raise invalid(f"{field}.data: needs image.url, image.base64, text.raw or text.url")
    if "metadata" in data and not isinstance(data["metadata"], dict):
        raise invalid(f"{field}.data.metadata: an object is required")
    return copy.deepcopy(data)


def add_inputs(app: str, wire_inputs: list, dataset_ids: tuple = (), at: float | None = None) -> list[dict]:
    """Store new inputs (all or nothing) and register them with the core."""
    store = current_world().store
    coll = inputs(store)
    docs, seen = [], set()
    for i, item in enumerate(wire_inputs):
        field = f"inputs[{i}]"
        if not isinstance(item, dict):
            raise invalid(f"{field}: an input object is required")
        input_id = item.get("id") or uuid.uuid4().hex
        if not isinstance(input_id, str) or "|" in input_id or "/" in input_id:
            raise invalid(f"{field}.id: a string without '|' or '/' is required")
        if f"{app}/{input_id}" in coll or input_id in seen:
            raise failure(409, "INPUT_DUPLICATE", f"{field}.id: input {input_id!r} already exists")
        seen.add(input_id)
        now = current_world().now() if at is None else at
        docs.append({"id": f"{app}/{input_id}", "app": app, "input_id": input_id,
                     "data": _input_data(item.get("data"), field), "dataset_ids": [],
                     "created_at": now, "modified_at": now})
    with store.lock:
        stored = [coll.insert(d) for d in docs]
        core.add_items(store, core.app_source(app), [_item(d) for d in stored])
        for ds in dataset_ids:
            add_to_dataset(app, ds, [d["input_id"] for d in stored])
    return [coll.get(d["id"]) for d in stored]


def _item(doc: dict) -> dict:
    data = doc["data"]
    return {"id": doc["input_id"], "data": {"url": (data.get("image") or {}).get("url"),
                                            "text": (data.get("text") or {}).get("raw"),
                                            "metadata": copy.deepcopy(data.get("metadata") or {})}}


def remove_input(app: str, input_id: str) -> None:
    """Delete an input from the app, its datasets and every task holding it."""
    store = current_world().store
    with store.lock:
        doc = must_input(app, input_id)
        for ds in doc["dataset_ids"]:
            core.remove_item(store, core.dataset_source(app, ds), input_id)
            dataset_inputs(store).remove(f"{app}/{ds}/{input_id}")
        core.remove_item(store, core.app_source(app), input_id)
        inputs(store).remove(doc["id"])


def patch_tree(old: dict, new: dict, action: str) -> dict:
    """Metadata after a patch: ``merge`` merges objects key by key (recursively), ``overwrite`` replaces,
    ``remove`` drops the keys given (recursing into objects given as values)."""
    if action == "overwrite":
        return copy.deepcopy(new)
    out = copy.deepcopy(old)
    for key, value in new.items():
        if action == "merge":
            nested = isinstance(value, dict) and isinstance(out.get(key), dict)
            out[key] = patch_tree(out[key], value, action) if nested else copy.deepcopy(value)
        elif key in out:  # remove
            if isinstance(value, dict) and value and isinstance(out[key], dict):
                out[key] = patch_tree(out[key], value, action)
            else:
                del out[key]
    return out


def patch_inputs(app: str, wire: list, action: str) -> list[dict]:
    """Change inputs' metadata (``data.metadata``), all or nothing; the media itself cannot change."""
    store = current_world().store
    planned = []
    for i, item in enumerate(wire):
        field = f"inputs[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise invalid(f"{field}.id: required")
        doc = input_doc(app, item["id"])
        if doc is None:
            raise failure(404, "CONN_DOES_NOT_EXIST", f"{field}.id: no input {item['id']!r}")
        data = item.get("data") or {}
        if not isinstance(data, dict) or set(data) - {"metadata"}:
            raise invalid(f"{field}.data: only data.metadata can change")
        meta = data.get("metadata") or {}
        if not isinstance(meta, dict):
            raise invalid(f"{field}.data.metadata: an object is required")
        new_data = copy.deepcopy(doc["data"])
        new_data["metadata"] = patch_tree(new_data.get("metadata") or {}, meta, action)
        planned.append((doc["id"], new_data))
    now = current_world().now()
    with store.lock:
        return [inputs(store).update(doc_id, {"data": data, "modified_at": now}) for doc_id, data in planned]


def input_count(app: str) -> dict:
    """GetInputCount: every input is processed at once (its media is never fetched)."""
    n = inputs(current_world().store).count(app=app)
    return {"processed": n, "to_process": 0, "errors": 0, "processing": 0, "reindexed": 0, "to_reindex": 0,
            "reindex_errors": 0, "reindexing": 0}


# Where an image uploaded as bytes is said to be hosted: Clarifai keeps the bytes and answers with the URL of
# its copy, never the bytes (a client rebuilding an Input from MessageToDict, as the clarifai SDK's listings
# do, could not take them back). The stand-in keeps the bytes too; the URL is a name, not served.
HOSTED = "https://data.clarifai.com/orig"


def _rendered_data(doc: dict) -> dict:
    data = copy.deepcopy(doc["data"])
    image = data.get("image")
    if isinstance(image, dict) and image.pop("base64", None):
        image.setdefault("url", f"{HOSTED}/{doc['app']}/{doc['input_id']}")
    return data


def render_input(doc: dict) -> dict:
    out = {"id": doc["input_id"], "data": _rendered_data(doc), "created_at": timestamp(doc["created_at"]),
           "modified_at": timestamp(doc["modified_at"]), "status": code_status(INPUT_OK)}
    if doc["dataset_ids"]:
        out["dataset_ids"] = list(doc["dataset_ids"])
    return out


# -- concepts ----------------------------------------------------------------------------------------
def add_concepts(app: str, wire_concepts: list, at: float | None = None) -> list[dict]:
    store = current_world().store
    coll = concepts(store)
    docs = []
    for i, c in enumerate(wire_concepts):
        if not isinstance(c, dict) or not isinstance(c.get("id"), str) or not c["id"]:
            raise invalid(f"concepts[{i}].id: required")
        if f"{app}/{c['id']}" in coll or any(d["concept_id"] == c["id"] for d in docs):
            raise failure(409, "CONCEPTS_INVALID_REQUEST", f"concepts[{i}].id: concept {c['id']!r} already exists")
        docs.append({"id": f"{app}/{c['id']}", "app": app, "concept_id": c["id"], "name": c.get("name") or c["id"],
                     "created_at": current_world().now() if at is None else at})
    with store.lock:
        return [coll.insert(d) for d in docs]


def patch_concepts(app: str, wire: list, action: str) -> list[dict]:
    """Rename concepts (``overwrite``; ``merge`` does the same for the one field that can change)."""
    if action not in ("overwrite", "merge"):
        raise invalid(f"action: {action!r} is not supported; one of overwrite, merge")
    store = current_world().store
    planned = []
    for i, c in enumerate(wire):
        if not isinstance(c, dict) or not isinstance(c.get("id"), str) or not c["id"]:
            raise invalid(f"concepts[{i}].id: required")
        doc = must_concept(app, c["id"], f"concepts[{i}].id")
        name = c.get("name")
        if name is not None and not isinstance(name, str):
            raise invalid(f"concepts[{i}].name: a string is required")
        planned.append((doc["id"], name or doc["name"]))
    now = current_world().now()
    with store.lock:
        return [concepts(store).update(doc_id, {"name": name, "modified_at": now}) for doc_id, name in planned]


def render_concept(doc: dict) -> dict:
    user_id, app_id = doc["app"].split("/", 1)
    return {"id": doc["concept_id"], "name": doc["name"], "value": 1, "created_at": timestamp(doc["created_at"]),
            "language": "en", "app_id": app_id, "user_id": user_id}


# -- datasets ----------------------------------------------------------------------------------------
def add_datasets(app: str, wire_datasets: list, at: float | None = None) -> list[dict]:
    store = current_world().store
    coll = datasets(store)
    docs = []
    for i, d in enumerate(wire_datasets):
        if not isinstance(d, dict) or not isinstance(d.get("id"), str) or not d["id"] or "/" in d["id"]:
            raise invalid(f"datasets[{i}].id: required (a string without '/')")
        if f"{app}/{d['id']}" in coll or any(x["dataset_id"] == d["id"] for x in docs):
            raise failure(409, "DATABASE_DUPLICATE_KEY", f"datasets[{i}].id: dataset {d['id']!r} already exists")
        now = current_world().now() if at is None else at
        docs.append({"id": f"{app}/{d['id']}", "app": app, "dataset_id": d["id"],
                     "description": d.get("description") or "", "metadata": copy.deepcopy(d.get("metadata") or {}),
                     "created_at": now, "modified_at": now})
    with store.lock:
        return [coll.insert(d) for d in docs]


def must_dataset(app: str, dataset_id: str) -> dict:
    doc = dataset_doc(app, dataset_id)
    if doc is None:
        raise failure(404, "CONN_DOES_NOT_EXIST", f"no dataset {dataset_id!r}")
    return doc


def add_to_dataset(app: str, dataset_id: str, input_ids: list[str], at: float | None = None) -> list[dict]:
    """Add existing inputs to a dataset (already present ones are kept as they are)."""
    store = current_world().store
    must_dataset(app, dataset_id)
    for i, input_id in enumerate(input_ids):
        if input_doc(app, input_id) is None:
            raise invalid(f"dataset_inputs[{i}].input.id: no input {input_id!r}", 404)
    links = dataset_inputs(store)
    out, new = [], []
    with store.lock:
        for input_id in dict.fromkeys(input_ids):
            key = f"{app}/{dataset_id}/{input_id}"
            if key not in links:
                links.insert({"id": key, "dataset": f"{app}/{dataset_id}", "input": f"{app}/{input_id}",
                              "input_id": input_id, "created_at": current_world().now() if at is None else at})
                doc = input_doc(app, input_id)
                inputs(store).update(doc["id"], {"dataset_ids": doc["dataset_ids"] + [dataset_id]})
                new.append(_item(input_doc(app, input_id)))
            out.append(links.get(key))
        if new:
            core.add_items(store, core.dataset_source(app, dataset_id), new)
    return out


def render_dataset(doc: dict) -> dict:
    user_id, app_id = doc["app"].split("/", 1)
    return {"id": doc["dataset_id"], "created_at": timestamp(doc["created_at"]),
            "modified_at": timestamp(doc["modified_at"]), "app_id": app_id, "user_id": user_id,
            "description": doc["description"], "metadata": copy.deepcopy(doc["metadata"])}


def render_dataset_input(link: dict, app: str) -> dict:
    return {"created_at": timestamp(link["created_at"]), "input": render_input(input_doc(app, link["input_id"]))}
