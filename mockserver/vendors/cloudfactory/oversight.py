"""Oversight: media uploads and task submissions (the work itself is in cloudworkers.py, its wire form in wire.py).

Lifecycle of a task (stand-in design; the vendor does not document the state names)::

    queued --(a CloudWorker begins it)--> in_progress --(settled)--> completed
                                                      \-----------> failed   (with ``error``)

Each submitted task is an item of the workstream's Oversight core task, reviewed by simulated
CloudWorkers of the one simulation engine; its state and ``updated_inferences`` are read from the
core on every request (cloudworkers.py has the model, the defaults and the ``oversight`` settings;
``wire.task_status`` renders them).
Each change may notify the task's ``callback_url`` (webhooks.py).

An inference's ``bbox``, ``mask`` and ``polygon`` are arrays, empty when the reviewer drew none (a
tag is a class, not a shape): never ``null`` (wire.py).  Errors are CloudFactory's envelope (errors.py).

A task's ``media_key`` is either a key ``/v1/media`` handed out (the bytes PUT already), or, as the
Oversight pages document for mounted buckets, the URL of an object in one of the workstream's buckets
(``bucket_ids``): ``s3://BUCKET/KEY``, ``gs://BUCKET/KEY``, ``https://BUCKET.s3[.REGION].amazonaws.com/KEY``,
``https://s3[.REGION].amazonaws.com/BUCKET/KEY`` or ``https://storage.googleapis.com/BUCKET/KEY``
(``bucket_id``, when given too, must be that bucket).  The objects themselves are not checked: the
stand-in has no bucket contents.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import uuid

from . import cloudworkers, errors
from .wire import task_status

MEDIA = "cloudfactory_media"
TASKS = "cloudfactory_tasks"
MEDIA_EXPIRES_IN = 3600
CONTENT_TYPES = {
    "image": ("image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"),
    "video": ("video/mp4", "video/quicktime", "video/webm", "video/x-msvideo"),
}
MAX_BYTES = {"image": 20 * 1024 * 1024, "video": 500 * 1024 * 1024}


def _workstream(world, workstream_id):
    return world.store.table("cloudfactory_workstreams").get(workstream_id)


# -- media ---------------------------------------------------------------------------------------
def create_media(world, workstream_id: str, body: dict) -> dict:
    ws = _workstream(world, workstream_id)
    problems, kinds = {}, {}
    media_type = body.get("media_type", "image")
    content_type = body.get("content_type") or CONTENT_TYPES.get(media_type, ("",))[0]
    if media_type in CONTENT_TYPES and content_type not in CONTENT_TYPES[media_type]:  # the spec's rule too
        problems["content_type"], kinds["content_type"] = f"must be one of {', '.join(CONTENT_TYPES[media_type])}", "shape"
    if body.get("configuration_id") not in ws["configuration_ids"]:
        problems["configuration_id"] = f"unknown configuration for workstream {workstream_id}"
        kinds["configuration_id"] = "reference"
    if problems:
        raise errors.refused(problems, kinds)
    media_key = "media-" + secrets.token_hex(8)
    token = secrets.token_urlsafe(24)
    now = world.now()
    with world.store.lock:
        world.store.table(MEDIA, indexes=("token",)).insert({
            "id": media_key, "workstream_id": workstream_id, "configuration_id": body["configuration_id"],
            "media_type": media_type, "content_type": content_type, "file_name": body.get("file_name"),
            "token": token, "created_at": now, "expires_at": now + MEDIA_EXPIRES_IN, "state": "waiting"})
    return {"media_key": media_key, "media_upload_url": f"{world.urls.get('cloudfactory', '')}/uploads/media/{token}",
            "expires_in": MEDIA_EXPIRES_IN, "content_type": content_type, "max_bytes": MAX_BYTES[media_type]}


def put_media(world, token: str, content_type: str, raw: bytes) -> dict:
    coll = world.store.table(MEDIA, indexes=("token",))
    docs = coll.find(token=token)
    if not docs:
        raise errors.not_found()
    media = docs[0]
    if media["state"] != "waiting":
        raise errors.already_used({"media_key": media["id"]})
    if world.now() > media["expires_at"]:
        raise errors.expired()
    sent_type = content_type.split(";")[0].strip().lower()
    if sent_type != media["content_type"]:
        raise errors.unsupported_media_type({"content-type": f"must be {media['content_type']} as declared for this media"})
    if not raw:
        raise errors.bad_request({"body": "the media is empty"})
    if len(raw) > MAX_BYTES[media["media_type"]]:
        raise errors.payload_too_large({"body": f"at most {MAX_BYTES[media['media_type']]} bytes"})
    # The bytes themselves are not kept (the store is JSON): their size and digest are.
    with world.store.lock:
        coll.update(media["id"], {"state": "uploaded", "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest(),
                                  "uploaded_at": world.now()})
    return {"media_key": media["id"], "state": "uploaded", "size": len(raw), "content_type": media["content_type"]}


# -- tasks ---------------------------------------------------------------------------------------
_OBJECT_URLS = (
    re.compile(r"^(?:s3|gs)://(?P<bucket>[^/]+)/(?P<key>.+)$"),
    re.compile(r"^https://(?P<bucket>[^./]+(?:\.[^./]+)*?)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com/(?P<key>.+)$"),
    re.compile(r"^https://s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com/(?P<bucket>[^/]+)/(?P<key>.+)$"),
    re.compile(r"^https://storage\.googleapis\.com/(?P<bucket>[^/]+)/(?P<key>.+)$"),
)


def object_url(media_key) -> tuple[str, str] | None:
    """(bucket, key) of a bucket object's URL, or None when ``media_key`` is not one."""
    if not isinstance(media_key, str) or "://" not in media_key:
        return None
    for rx in _OBJECT_URLS:
        m = rx.match(media_key)
        if m:
            return m.group("bucket"), m.group("key")
    return None


def _task_id(world, workstream_id: str) -> str:
    counters = world.store.table("cloudfactory_counters")
    doc = counters.get("tasks")
    n = (doc["n"] if doc else 0) + 1
    counters.upsert({"id": "tasks", "n": n})
    return str(uuid.UUID(bytes=hashlib.sha256(f"{workstream_id}:{n}".encode()).digest()[:16], version=4))


def _check_task(world, ws: dict, body: dict) -> dict:
    """Check a task submission the spec accepted: the media it names (or None for a bucket object).

    Unknown things (configuration, media key, bucket, a URL that is no mounted bucket's object) answer
    404; media in the wrong state or of another configuration or type, or a ``bucket_id`` that is not
    the object URL's bucket, answer 409.  Every bad field is named."""
    problems, kinds = {}, {}

    def bad(field, reason, kind):
        problems[field], kinds[field] = reason, kind

    if body.get("configuration_id") not in ws["configuration_ids"]:
        bad("configuration_id", f"unknown configuration for workstream {ws['id']}", "reference")
    media = None
    key = body.get("media_key")
    obj = object_url(key)
    if obj is not None:
        bucket, _ = obj
        if bucket not in ws["bucket_ids"]:
            bad("media_key", f"bucket {bucket} is not mounted for workstream {ws['id']}", "reference")
        elif body.get("bucket_id") is not None and body["bucket_id"] != bucket:
            bad("bucket_id", f"the media_key is an object of bucket {bucket}", "conflict")
    elif isinstance(key, str) and "://" in key:
        bad("media_key", "no media: not an object URL of a mounted bucket (s3://BUCKET/KEY, gs://BUCKET/KEY, "
                         "https://BUCKET.s3.amazonaws.com/KEY, https://storage.googleapis.com/BUCKET/KEY)", "reference")
    elif body.get("bucket_id") is not None:
        if body["bucket_id"] not in ws["bucket_ids"]:
            bad("bucket_id", f"no bucket {body['bucket_id']} is mounted for workstream {ws['id']}", "reference")
        if not key:
            bad("media_key", "is required: with bucket_id it names the object in the bucket", "shape")
    elif not key:
        bad("media_key", "is required (or bucket_id with the object's key as media_key)", "shape")
    else:
        media = world.store.table(MEDIA).get(key)
        if media is None or media["workstream_id"] != ws["id"]:
            bad("media_key", "unknown media_key", "reference")
        elif media["state"] != "uploaded":
            bad("media_key", "the media has not been uploaded yet (PUT it to media_upload_url first)", "conflict")
        elif "configuration_id" not in problems and media["configuration_id"] != body["configuration_id"]:
            bad("configuration_id", f"the media was created for configuration {media['configuration_id']}", "conflict")
        elif body.get("media_type") and body["media_type"] != media["media_type"]:
            bad("media_type", f"the media is of type {media['media_type']}", "conflict")
    url = body.get("callback_url")
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        bad("callback_url", "must be an http(s) URL", "shape")  # the spec's pattern
    if problems:
        raise errors.refused(problems, kinds)
    return media


def submit_task(world, workstream_id: str, body: dict) -> dict:
    ws = _workstream(world, workstream_id)
    media = _check_task(world, ws, body)
    with world.store.lock:
        task_id = _task_id(world, workstream_id)
        now = world.now()
        doc = {"id": task_id, "workstream_id": workstream_id, "state": "queued", "created_at": now, "updated_at": now,
               "history": [{"state": "queued", "at": now}],
               "media_type": body.get("media_type") or (media or {}).get("media_type", "image")}
        for name in ("media_key", "bucket_id", "configuration_id", "callback_url", "tags", "context_metadata",
                     "model_metadata"):
            if body.get(name) is not None:
                doc[name] = body[name]
        obj = object_url(body.get("media_key"))
        if obj is not None:
            doc["bucket_id"], doc["object_key"] = obj
        doc["core"] = cloudworkers.core_ref(ws)
        # Stored before the core hears of the item: its progress events look the task up.
        world.store.table(TASKS, indexes=("workstream_id",)).insert(doc)
        cloudworkers.add(world, ws, task_id, body.get("tags") or [])
    return {"task_id": task_id}


def get_task(world, workstream_id: str, task_id: str) -> dict:
    task = world.store.table(TASKS).get(task_id)
    if task is None or task["workstream_id"] != workstream_id:
        raise errors.not_found()
    return task_status(world, task)
