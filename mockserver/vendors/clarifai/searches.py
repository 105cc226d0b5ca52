"""Searches a labeling flow uses: inputs and annotations by filters, concepts by name, saved searches.

PostInputsSearches / PostAnnotationsSearches take ``searches: [{query: {filters: [...]}}]``. Within one
search every filter must hold (AND); a filter's ``negate`` flips it; the hits of several searches are
joined. What a filter may name (anything else is SEARCH_INVALID_REQUEST, naming the field):

* ``input``: ``id``, ``dataset_ids`` (any of), ``status.code``, ``data.image`` / ``data.text`` (inputs of
  that kind, given as ``{}``), ``data.metadata`` (any of its keys equal);
* ``annotation``: ``id``, ``input_id``, ``task_id``, ``user_id``, ``worker.user.id``, ``status.code``,
  ``trusted``, ``data.concepts`` (each by ``id`` or ``name``; ``value`` 0 asks for a negative tag, else
  positive), ``data.metadata`` (of the annotation or its input, any key equal).

An input matches a filter when its own fields match and, if the filter names annotation fields, one of its
annotations (any status; ``trusted: true`` narrows) matches them all. Ranks (similarity) are not searched.
Every hit scores 1.0. ``only_count`` answers ``hit_counts`` instead of hits.

A search with ``save: true`` is stored (its ``id`` given or made) and not run. A task whose input source is
``SAVED_SEARCH`` covers the inputs that search finds when the task is created (``saved_input_ids``).
PostConceptsSearches finds the app's concepts by ``concept_query.name``: a prefix of the name or id, any
case, or a pattern with ``*`` wildcards; exact matches first.
"""
from __future__ import annotations

import copy
import fnmatch
import uuid

from ...world import current_world
from . import core_port as core
from . import labeling as ann
from . import resources as res
from .wire import ANNOTATION_CODES, CODES, code_name, failure, invalid, new_id, page_of, timestamp

FILTER_KEYS = {"negate", "annotation", "input"}
INPUT_KEYS = {"id", "dataset_ids", "status", "data"}
INPUT_DATA_KEYS = {"image", "text", "metadata"}
ANNOTATION_KEYS = {"id", "input_id", "task_id", "user_id", "worker", "status", "trusted", "data"}
ANNOTATION_DATA_KEYS = {"concepts", "metadata"}


def table(store):
    return store.table("clarifai_searches", indexes=("app",))


def bad(details: str):
    return failure(400, "SEARCH_INVALID_REQUEST", details)


# -- parsing ----------------------------------------------------------------------------------------------
def _keys(value, allowed: set, field: str) -> dict:
    if not isinstance(value, dict):
        raise bad(f"{field}: an object is required")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise bad(f"{field}.{unknown[0]}: not a field the stand-in searches by (one of {', '.join(sorted(allowed))})")
    return value


def _str(value, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise bad(f"{field}: a string is required")
    return value


def _input_test(spec: dict, field: str):
    _keys(spec, INPUT_KEYS, field)
    tests = []
    if "id" in spec:
        wanted = _str(spec["id"], f"{field}.id")
        tests.append(lambda doc: doc["input_id"] == wanted)
    if "dataset_ids" in spec:
        ids = spec["dataset_ids"]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise bad(f"{field}.dataset_ids: a list of dataset ids is required")
        tests.append(lambda doc: bool(set(doc["dataset_ids"]) & set(ids)))
    if "status" in spec:
        code = _keys(spec["status"], {"code"}, f"{field}.status").get("code")
        name = code_name(code, f"{field}.status.code")
        tests.append(lambda doc: name == res.INPUT_OK)
    if "data" in spec:
        data = _keys(spec["data"], INPUT_DATA_KEYS, f"{field}.data")
        for kind in ("image", "text"):
            if kind in data:
                tests.append(lambda doc, kind=kind: bool(doc["data"].get(kind)))
        if "metadata" in data:
            meta = _keys(data["metadata"], set(data["metadata"] or {}), f"{field}.data.metadata")
            tests.append(lambda doc: _meta_match(meta, doc["data"].get("metadata")))
    return tests


def _meta_match(wanted: dict, *candidates) -> bool:
    """Any key of ``wanted`` equal in any candidate (Clarifai ORs metadata keys)."""
    if not wanted:
        return True
    return any(isinstance(c, dict) and k in c and c[k] == v for c in candidates for k, v in wanted.items())


def _annotation_test(app: str, spec: dict, field: str):
    """Tests on a rendered annotation (with its input document)."""
    _keys(spec, ANNOTATION_KEYS, field)
    tests = []
    for key in ("id", "input_id", "task_id", "user_id"):
        if key in spec:
            wanted = _str(spec[key], f"{field}.{key}")
            tests.append(lambda a, doc, key=key, wanted=wanted: a.get(key) == wanted)
    if "worker" in spec:
        user = _keys(spec["worker"], {"user"}, f"{field}.worker").get("user")
        wanted = _str(_keys(user, {"id"}, f"{field}.worker.user").get("id"), f"{field}.worker.user.id")
        tests.append(lambda a, doc: a["user_id"] == wanted)
    if "status" in spec:
        code = _keys(spec["status"], {"code"}, f"{field}.status").get("code")
        name = code_name(code, f"{field}.status.code", ANNOTATION_CODES)
        number = CODES[name][0]
        tests.append(lambda a, doc: a["status"]["code"] == number)
    if spec.get("trusted"):
        tests.append(lambda a, doc: a["trusted"])
    if "data" in spec:
        data = _keys(spec["data"], ANNOTATION_DATA_KEYS, f"{field}.data")
        for i, c in enumerate(data.get("concepts") or []):
            cfield = f"{field}.data.concepts[{i}]"
            c = _keys(c, {"id", "name", "value"}, cfield)
            ref = c.get("id") or c.get("name")
            _str(ref, f"{cfield}.id")
            names = {ref}
            if not c.get("id"):  # by name: the app's concepts of that name
                names |= {d["concept_id"] for d in res.concepts(current_world().store).find(app=app)
                          if d["name"] == ref}
            positive = c.get("value", 1) != 0
            tests.append(lambda a, doc, names=names, positive=positive: any(
                cid in names and (value > 0) == positive for cid, value in ann._concepts_of(a["data"])))
        if "metadata" in data:
            meta = _keys(data["metadata"], set(data["metadata"] or {}), f"{field}.data.metadata")
            tests.append(lambda a, doc: _meta_match(meta, (a.get("data") or {}).get("metadata"),
                                                    doc["data"].get("metadata") if doc else None))
    return tests


def compile_search(app: str, search, field: str) -> list[dict]:
    """The filters of one search as ``[{"negate", "input": [tests], "annotation": [tests]}]``."""
    if not isinstance(search, dict):
        raise bad(f"{field}: an object is required")
    query = search.get("query") or {}
    _keys(query, {"filters", "ranks", "language", "ands"}, f"{field}.query")
    if query.get("ranks") or query.get("ands"):
        raise bad(f"{field}.query: ranks (similarity search) are not searched by the stand-in; use filters")
    filters = query.get("filters") or []
    if not isinstance(filters, list):
        raise bad(f"{field}.query.filters: a list is required")
    out = []
    for i, f in enumerate(filters):
        ffield = f"{field}.query.filters[{i}]"
        _keys(f, FILTER_KEYS, ffield)
        out.append({"negate": bool(f.get("negate")),
                    "input": _input_test(f["input"], f"{ffield}.input") if "input" in f else [],
                    "annotation": _annotation_test(app, f["annotation"], f"{ffield}.annotation")
                    if "annotation" in f else []})
    return out


# -- running ----------------------------------------------------------------------------------------------
def _annotations_by_input(app: str) -> dict[str, list[dict]]:
    """Every annotation of the app, rendered, by input id (oldest first)."""
    store = current_world().store
    views = core.list_annotations(store, ann.tenant_of(app))
    task_ids = ann._task_ids(app, views)
    out: dict[str, list[dict]] = {}
    for v in views:
        out.setdefault(v["item_id"], []).append(ann.render(v, task_ids))
    return out


def _input_hits(app: str, compiled: list[dict], by_input: dict) -> list[dict]:
    store = current_world().store
    found = []
    for doc in res.inputs(store).iter(app=app):
        ok = True
        for f in compiled:
            hit = all(t(doc) for t in f["input"])
            if hit and f["annotation"]:
                hit = any(all(t(a, doc) for t in f["annotation"]) for a in by_input.get(doc["input_id"], ()))
            if hit == f["negate"]:
                ok = False
                break
        if ok:
            found.append(doc)
    return found


def _annotation_hits(app: str, compiled: list[dict], by_input: dict) -> list[tuple[dict, dict]]:
    found = []
    for input_id, on_input in by_input.items():
        doc = res.input_doc(app, input_id)
        if doc is None:
            continue
        for a in on_input:
            if all((all(t(doc) for t in f["input"]) and all(t(a, doc) for t in f["annotation"])) != f["negate"]
                   for f in compiled):
                found.append((a, doc))
    found.sort(key=lambda pair: pair[0]["created_at"] or "")
    return found


def _hit(app: str, doc: dict, annotation: dict | None = None) -> dict:
    user_id, app_id = app.split("/", 1)
    out = {"score": 1.0, "input": res.render_input(doc), "user_id": user_id, "app_id": app_id}
    if annotation is not None:
        out["annotation"] = annotation
    return out


def run(app: str, kind: str, body: dict) -> dict:
    """PostInputsSearches (``kind`` inputs) or PostAnnotationsSearches (annotations)."""
    store = current_world().store
    searches = body.get("searches")
    if not isinstance(searches, list) or not searches:
        raise invalid("searches: a non-empty list is required")
    pagination = body.get("pagination") or {}
    if not isinstance(pagination, dict):
        raise invalid("pagination: an object is required")
    with store.lock:
        compiled = [compile_search(app, s, f"searches[{i}]") for i, s in enumerate(searches)]
        saved, echoed = [], []
        for i, (search, filters) in enumerate(zip(searches, compiled)):
            if search.get("save"):
                saved.append(_save(app, kind, search, i))
        by_input = _annotations_by_input(app) if any(
            f["annotation"] for i, fs in enumerate(compiled) if not searches[i].get("save") for f in fs) \
            or kind == "annotations" else {}
        hits, counts, seen = [], [], set()
        for search, filters in zip(searches, compiled):
            if search.get("save"):
                continue
            echoed.append(_echo(search))
            if kind == "inputs":
                found = [(doc["input_id"], _hit(app, doc)) for doc in _input_hits(app, filters, by_input)]
            else:
                found = [(a["id"], _hit(app, doc, a)) for a, doc in _annotation_hits(app, filters, by_input)]
            counts.append({"estimated_total": str(len(found))})
            for key, hit in found:
                if key not in seen:
                    seen.add(key)
                    hits.append(hit)
        out = {"id": uuid.uuid4().hex, "searches": [render_saved(d) for d in saved] + echoed}
        if body.get("only_count"):
            return {**out, "hits": [], "hit_counts": counts}
        return {**out, "hits": page_of(hits, pagination.get("page"), pagination.get("per_page"))}


def _echo(search: dict) -> dict:
    out = {"query": copy.deepcopy(search.get("query") or {})}
    for key in ("id", "name"):
        if isinstance(search.get(key), str) and search[key]:
            out[key] = search[key]
    return out


# -- saved searches -----------------------------------------------------------------------------------------
def _save(app: str, kind: str, search: dict, index: int) -> dict:
    store = current_world().store
    search_id = new_id(search.get("id"), f"searches[{index}]")
    name = search.get("name") or ""
    if not isinstance(name, str):
        raise invalid(f"searches[{index}].name: a string is required")
    now = current_world().now()
    old = table(store).get(f"{app}/{search_id}")
    doc = {"id": f"{app}/{search_id}", "app": app, "search_id": search_id, "kind": kind, "name": name,
           "query": copy.deepcopy(search.get("query") or {}), "created_at": old["created_at"] if old else now,
           "modified_at": now}
    return table(store).upsert(doc)


def render_saved(doc: dict) -> dict:
    return {"id": doc["search_id"], "name": doc["name"], "save": True, "query": copy.deepcopy(doc["query"]),
            "created_at": timestamp(doc["created_at"]), "modified_at": timestamp(doc["modified_at"])}


def saved_input_ids(app: str, search_id: str) -> list[str] | None:
    """The inputs a saved search finds now (for an annotation search: the inputs of the annotations it
    finds), or None when the app has no such saved search."""
    store = current_world().store
    doc = table(store).get(f"{app}/{search_id}") if isinstance(search_id, str) else None
    if doc is None:
        return None
    compiled = compile_search(app, {"query": doc["query"]}, f"saved search {search_id!r}")
    by_input = _annotations_by_input(app) if doc["kind"] == "annotations" or any(f["annotation"] for f in compiled) \
        else {}
    if doc["kind"] == "inputs":
        return [d["input_id"] for d in _input_hits(app, compiled, by_input)]
    order = {d["input_id"]: i for i, d in enumerate(res.inputs(store).iter(app=app))}
    return sorted({a["input_id"] for a, _ in _annotation_hits(app, compiled, by_input)}, key=lambda i: order.get(i, 0))


# -- concepts ----------------------------------------------------------------------------------------------
def concepts(app: str, body: dict) -> list[dict]:
    query = body.get("concept_query") or {}
    if not isinstance(query, dict):
        raise invalid("concept_query: an object is required")
    name = query.get("name") or ""
    if not isinstance(name, str):
        raise invalid("concept_query.name: a string is required")
    pagination = body.get("pagination") or {}
    if not isinstance(pagination, dict):
        raise invalid("pagination: an object is required")
    wanted = name.lower()
    docs = res.concepts(current_world().store).find(app=app)

    def matches(doc) -> bool:
        values = (doc["name"].lower(), doc["concept_id"].lower())
        if "*" in wanted or "?" in wanted:
            return any(fnmatch.fnmatchcase(v, wanted) for v in values)
        return any(v.startswith(wanted) for v in values)

    found = [d for d in docs if matches(d)]
    found.sort(key=lambda d: 0 if wanted in (d["name"].lower(), d["concept_id"].lower()) else 1)
    return page_of(found, pagination.get("page"), pagination.get("per_page"))
