"""A sample's bytes at its signed ``source`` URL (a stand-in extension; see ``media``)."""
from __future__ import annotations

import uuid

from connexion.lifecycle import ConnexionResponse

from ....world import current_world
from .. import media
from .. import records as R


def _xml(status: int, code: str, message: str) -> ConnexionResponse:
    request_id = uuid.uuid4().hex
    return ConnexionResponse(status_code=status, body=media.xml_error(code, message, request_id),
                             content_type="application/xml", headers={"X-Request-Id": request_id})


async def get_sample_object(dataset_id, sample_id, file_name, **query):
    world = current_world()
    store = world.store
    dataset = R.datasets(store).get(dataset_id)
    sample = R.samples(store).get(f"{dataset_id}|{sample_id}") if dataset else None
    if sample is None:
        return _xml(404, "NoSuchKey", "The specified key does not exist.")
    refused = media.check(store, dataset["project_id"], dataset_id, sample_id, query.get("Expires"),
                          query.get("Signature"), world.clock.now())
    if refused:
        return _xml(403, "AccessDenied", refused)
    body, media_type = media.content(sample)
    return ConnexionResponse(status_code=200, body=body, content_type=media_type)
