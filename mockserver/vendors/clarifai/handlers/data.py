"""Inputs, concepts, datasets (their inputs and versions), and the searches over them."""
from __future__ import annotations

from ....world import current_principal, current_world
from .. import datasets as ds
from .. import labeling as ann
from .. import resources as res
from .. import searches as srch
from ..wire import failure, invalid, ok, page_of
from .common import action_of, app_of, caller, listed

PATCH_ACTIONS = ("merge", "overwrite", "remove")


# -- inputs ------------------------------------------------------------------------------------------------
async def post_inputs(body, **_):
    app, store = app_of(), current_world().store
    wire_inputs = listed(body, "inputs")
    with store.lock:
        # ``dataset_ids`` on an input adds it to those datasets, which must exist (checked before anything changes).
        wanted = {}
        for i, item in enumerate(wire_inputs):
            ids = (item.get("dataset_ids") if isinstance(item, dict) else None) or []
            if not isinstance(ids, list) or not all(isinstance(d, str) for d in ids):
                raise invalid(f"inputs[{i}].dataset_ids: a list of dataset ids is required")
            for dataset_id in ids:
                if res.dataset_doc(app, dataset_id) is None:
                    raise invalid(f"inputs[{i}].dataset_ids: no dataset {dataset_id!r} in this app", 404)
            wanted[i] = ids
        # Labels given with an input (``data.concepts``, ``data.regions``, as the clarifai SDK's ``labels=`` and
        # ``upload_dataset`` send them) are its caller's annotation, as Clarifai makes one: checked first.
        labeled = {}
        for i, item in enumerate(wire_inputs):
            data = (item.get("data") if isinstance(item, dict) else None) or {}
            if isinstance(data, dict) and (data.get("concepts") or data.get("regions")):
                labels = {k: data[k] for k in ("concepts", "regions") if data.get(k)}
                ann.labels_of(labels, f"inputs[{i}].data")
                labeled[i] = labels
        docs = res.add_inputs(app, wire_inputs)
        for i, doc in enumerate(docs):
            for dataset_id in dict.fromkeys(wanted[i]):
                res.add_to_dataset(app, dataset_id, [doc["input_id"]])
        if labeled:
            wire = [{"input_id": docs[i]["input_id"], "data": labels} for i, labels in labeled.items()]
            ann.post(app, caller(), wire, owner=False)
        return ok(inputs=[res.render_input(res.input_doc(app, d["input_id"])) for d in docs])


async def get_input(input_id, **_):
    return ok(input=res.render_input(res.must_input(app_of(), input_id)))


async def list_inputs(page=None, per_page=None, ids=None, **_):
    app, store = app_of(), current_world().store
    if ids:
        docs = [d for d in (res.input_doc(app, i) for i in ids) if d is not None]
    else:
        docs = res.inputs(store).find(app=app)
    return ok(inputs=[res.render_input(d) for d in page_of(docs, page, per_page)])


async def patch_inputs(body, **_):
    action = action_of(body, PATCH_ACTIONS, "merge")
    return ok(inputs=[res.render_input(d) for d in res.patch_inputs(app_of(), listed(body, "inputs"), action)])


async def delete_inputs(body, **_):
    app, store = app_of(), current_world().store
    input_ids = listed(body, "ids")
    with store.lock:
        for input_id in input_ids:
            res.must_input(app, input_id)
        for input_id in dict.fromkeys(input_ids):
            ann.drop_input(app, input_id)
            res.remove_input(app, input_id)
    return ok()


async def delete_input(input_id, **_):
    app, store = app_of(), current_world().store
    with store.lock:
        res.must_input(app, input_id)
        ann.drop_input(app, input_id)
        res.remove_input(app, input_id)
    return ok()


async def get_input_count(**_):
    return ok(counts=res.input_count(app_of()))


async def post_inputs_searches(body, **_):
    return ok(**srch.run(app_of(), "inputs", body or {}))


# -- concepts ----------------------------------------------------------------------------------------------
async def post_concepts(body, **_):
    return ok(concepts=[res.render_concept(d) for d in res.add_concepts(app_of(), listed(body, "concepts"))])


async def list_concepts(page=None, per_page=None, **_):
    docs = res.concepts(current_world().store).find(app=app_of())
    return ok(concepts=[res.render_concept(d) for d in page_of(docs, page, per_page)])


async def get_concept(concept_id, **_):
    return ok(concept=res.render_concept(res.must_concept(app_of(), concept_id)))


async def patch_concepts(body, **_):
    action = action_of(body, ("overwrite", "merge"), "overwrite")
    return ok(concepts=[res.render_concept(d) for d in res.patch_concepts(app_of(), listed(body, "concepts"), action)])


async def get_concept_counts(page=None, per_page=None, **_):
    return ok(concept_counts=page_of(ann.concept_counts(app_of()), page, per_page))


async def post_concepts_searches(body, **_):
    return ok(concepts=[res.render_concept(d) for d in srch.concepts(app_of(), body or {})])


# -- datasets ----------------------------------------------------------------------------------------------
async def post_datasets(body, **_):
    return ok(datasets=[res.render_dataset(d) for d in res.add_datasets(app_of(), listed(body, "datasets"))])


async def list_datasets(page=None, per_page=None, user_id=None, **_):
    who = current_principal()
    if user_id not in (None, "me", who["user_id"]):  # ListDatasets' user-level path: the key's own user
        raise failure(401, "CONN_KEY_INVALID", f"this key has no access to the datasets of user {user_id!r}")
    docs = res.datasets(current_world().store).find(app=app_of())
    return ok(datasets=[res.render_dataset(d) for d in page_of(docs, page, per_page)])


list_user_datasets = list_datasets  # GET /v2/users/{user_id}/datasets (the app key's app)


async def get_dataset(dataset_id, **_):
    return ok(dataset=res.render_dataset(res.must_dataset(app_of(), dataset_id)))


async def patch_datasets(body, **_):
    action = action_of(body, PATCH_ACTIONS, "merge")
    return ok(datasets=[res.render_dataset(d) for d in ds.patch_datasets(app_of(), listed(body, "datasets"), action)])


async def delete_datasets(body, **_):
    ds.delete_datasets(app_of(), listed(body, "dataset_ids"))
    return ok()


async def post_dataset_inputs(dataset_id, body, **_):
    app = app_of()
    ids = []
    for i, entry in enumerate(listed(body, "dataset_inputs")):
        input_id = ((entry or {}).get("input") or {}).get("id") if isinstance(entry, dict) else None
        if not isinstance(input_id, str) or not input_id:
            raise invalid(f"dataset_inputs[{i}].input.id: required")
        ids.append(input_id)
    links = res.add_to_dataset(app, dataset_id, ids)
    return ok(dataset_inputs=[res.render_dataset_input(link, app) for link in links])


async def list_dataset_inputs(dataset_id, page=None, per_page=None, **_):
    app = app_of()
    res.must_dataset(app, dataset_id)
    links = res.dataset_inputs(current_world().store).find(dataset=f"{app}/{dataset_id}")
    return ok(dataset_inputs=[res.render_dataset_input(link, app) for link in page_of(links, page, per_page)])


async def get_dataset_input(dataset_id, input_id, **_):
    app = app_of()
    return ok(dataset_input=res.render_dataset_input(ds.dataset_input(app, dataset_id, input_id), app))


async def delete_dataset_inputs(dataset_id, body, **_):
    ds.remove_inputs(app_of(), dataset_id, listed(body, "input_ids"), check=True)
    return ok()


# -- dataset versions -------------------------------------------------------------------------------------
async def post_dataset_versions(dataset_id, body, **_):
    made = ds.add_versions(app_of(), dataset_id, listed(body, "dataset_versions"))
    return ok(dataset_versions=[ds.render_version(d) for d in made])


async def list_dataset_versions(dataset_id, page=None, per_page=None, **_):
    docs = ds.list_versions(app_of(), dataset_id)
    return ok(dataset_versions=[ds.render_version(d) for d in page_of(docs, page, per_page)])


async def get_dataset_version(dataset_id, dataset_version_id, **_):
    return ok(dataset_version=ds.render_version(ds.must_version(app_of(), dataset_id, dataset_version_id)))


async def patch_dataset_versions(dataset_id, body, **_):
    action = action_of(body, PATCH_ACTIONS, "merge")
    docs = ds.patch_versions(app_of(), dataset_id, listed(body, "dataset_versions"), action)
    return ok(dataset_versions=[ds.render_version(d) for d in docs])


async def delete_dataset_versions(dataset_id, body, **_):
    ds.delete_versions(app_of(), dataset_id, listed(body, "dataset_version_ids"))
    return ok()


__all__ = ['post_inputs', 'get_input', 'list_inputs', 'patch_inputs', 'delete_inputs', 'delete_input',
           'get_input_count', 'post_inputs_searches', 'post_concepts', 'list_concepts', 'get_concept',
           'patch_concepts', 'get_concept_counts', 'post_concepts_searches', 'post_datasets', 'list_datasets',
           'get_dataset', 'patch_datasets', 'delete_datasets', 'post_dataset_inputs', 'list_dataset_inputs',
           'get_dataset_input', 'delete_dataset_inputs', 'post_dataset_versions', 'list_dataset_versions',
           'get_dataset_version', 'patch_dataset_versions', 'delete_dataset_versions']
