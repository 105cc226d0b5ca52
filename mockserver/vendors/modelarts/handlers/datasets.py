"""Datasets and their samples (the dataset's own view, where labels are synced back).

These routes are outside the team-labeling pages (a stand-in extension, marked so in the spec): enough
of a dataset to label.  A dataset sample shows its own attributes (``metadata`` as uploaded) and the
same signed ``source`` URL as a task's sample.
"""
from __future__ import annotations

from ....world import current_world
from .. import media
from .. import records as R
from .. import service as S
from .common import _base_url, _page, _store


def _dataset_view(doc: dict) -> dict:
    store = _store()
    samples = R.samples(store).count(dataset_key=doc["id"])
    annotated = sum(1 for s in R.samples(store).find(dataset_key=doc["id"]) if s.get("labels"))
    return {"dataset_id": doc["id"], "dataset_name": doc["dataset_name"], "description": doc["description"],
            "dataset_type": doc["dataset_type"], "data_path": doc["data_path"], "status": 1,
            "total_sample_count": samples, "annotated_sample_count": annotated,
            "create_time": doc["create_time"], "update_time": doc["update_time"]}


async def create_dataset(project_id, body):
    doc = S.create_dataset(current_world(), project_id, body)
    return {"dataset_id": doc["id"], "dataset_name": doc["dataset_name"]}


async def list_datasets(project_id, offset=0, limit=10, **kwargs):
    docs = R.datasets(_store()).find(project_id=project_id)
    return {"total_number": len(docs), "datasets": [_dataset_view(d) for d in _page(docs, offset, limit, 10)]}


async def show_dataset(project_id, dataset_id):
    return _dataset_view(R.load_dataset(_store(), project_id, dataset_id))


def _dataset_sample_view(doc: dict) -> dict:
    world = current_world()
    dataset = R.datasets(world.store).get(doc["dataset_key"])
    return {"sample_id": doc["sample_id"], "sample_name": doc["sample_name"], "sample_type": doc["sample_type"],
            "sample_dir": doc["sample_dir"],
            "source": media.signed_url(world.store, _base_url(), dataset["project_id"], dataset["id"], doc,
                                       world.clock.now()),
            "sample_size": doc.get("sample_size") or media.placeholder_size(doc),
            "sample_time": doc["sample_time"], "metadata": doc["metadata"], "labels": doc["labels"],
            "sample_status": "__ALL__" if doc["labels"] else "__NONE__"}


async def upload_samples(project_id, dataset_id, body):
    world = current_world()
    dataset = R.load_dataset(world.store, project_id, dataset_id)
    ids = S.add_samples(world, project_id, dataset, body["samples"])
    return {"success": True, "results": [{"success": True, "sample_id": i} for i in ids]}


async def list_dataset_samples(project_id, dataset_id, offset=0, limit=10, sample_state=None, **kwargs):
    store = _store()
    R.load_dataset(store, project_id, dataset_id)
    docs = R.samples(store).find(dataset_key=dataset_id)
    if sample_state == "__ALL__":
        docs = [d for d in docs if d["labels"]]
    elif sample_state == "__NONE__":
        docs = [d for d in docs if not d["labels"]]
    return {"sample_count": len(docs), "samples": [_dataset_sample_view(d) for d in _page(docs, offset, limit, 10)]}


async def show_dataset_sample(project_id, dataset_id, sample_id, **kwargs):
    store = _store()
    R.load_dataset(store, project_id, dataset_id)
    return _dataset_sample_view(R.load_sample(store, dataset_id, sample_id))
