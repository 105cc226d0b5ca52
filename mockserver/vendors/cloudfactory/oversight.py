"""Oversight: media uploads, tasks, and the simulated reviewers that work them over virtual time.

Lifecycle of a task (stand-in design; the vendor does not document the state names)::

    queued --(queue wait)--> in_progress --(review time)--> completed
                                         \\--------------> failed   (with ``error``)

* queue wait: uniform in ``oversight.queue_seconds`` (default [120, 300] s);
* review time: lognormal, median ``oversight.work_median_seconds`` (600 s), ``oversight.work_sigma``
  (0.5), clamped to [60 s, 4 h];
* a task fails with probability ``oversight.failure_rate`` (default 0);
* on completion each submitted tag becomes an inference; with probability ``oversight.correction_rate``
  (default 0.2) the reviewer corrects its class to another label of the workstream (``labels``).
  Every class a reviewer confirmed or corrected has confidence_score 1.0.
All draws come from a generator seeded by the task id, so a run repeats exactly.  The plan is fixed
at submission and stored with the task; the transitions are scheduler events (``cf.oversight.start``,
``cf.oversight.finish``), each of which may notify the task's ``callback_url`` (webhooks.py).

An inference's ``bbox``, ``mask`` and ``polygon`` are arrays, empty when the reviewer drew none (a
tag is a class, not a shape): never ``null``.

A task's ``media_key`` is either a key ``/v1/media`` handed out (the bytes PUT already), or, as the
Oversight pages document for mounted buckets, the URL of an object in one of the workstream's buckets
(``bucket_ids``): ``s3://BUCKET/KEY``, ``gs://BUCKET/KEY``, ``https://BUCKET.s3[.REGION].amazonaws.com/KEY``,
``https://s3[.REGION].amazonaws.com/BUCKET/KEY`` or ``https://storage.googleapis.com/BUCKET/KEY``
(``bucket_id``, when given too, must be that bucket).  The objects themselves are not checked: the
stand-in has no bucket contents.
"""
from __future__ import annotations

import hashlib
import math
import random
import re
import secrets
import uuid

from ...scheduler import handler, scheduler_of
from ..base import VendorError
from . import timefmt, webhooks

MEDIA = "cloudfactory_media"
TASKS = "cloudfactory_tasks"
MEDIA_EXPIRES_IN = 3600
CONTENT_TYPES = {
    "image": ("image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"),
    "video": ("video/mp4", "video/quicktime", "video/webm", "video/x-msvideo"),
}
MAX_BYTES = {"image": 20 * 1024 * 1024, "video": 500 * 1024 * 1024}
DEFAULTS = {"queue_seconds": [120, 300], "work_median_seconds": 600, "work_sigma": 0.5,
            "failure_rate": 0.0, "correction_rate": 0.2}


def _bad(errors: dict) -> VendorError:
    return VendorError(400, {"message": "Bad Request", "errors": errors})


def _not_found() -> VendorError:
    return VendorError(404, {"message": "Not found"})


def _workstream(world, workstream_id):
    return world.store.table("cloudfactory_workstreams").get(workstream_id)


# -- media ---------------------------------------------------------------------------------------
def create_media(world, workstream_id: str, body: dict) -> dict:
    ws = _workstream(world, workstream_id)
    errors = {}
    if body.get("configuration_id") not in ws["configuration_ids"]:
        errors["configuration_id"] = f"unknown configuration for workstream {workstream_id}"
    media_type = body.get("media_type", "image")
    content_type = body.get("content_type") or CONTENT_TYPES.get(media_type, ("",))[0]
    if media_type in CONTENT_TYPES and content_type not in CONTENT_TYPES[media_type]:
        errors["content_type"] = f"must be one of {', '.join(CONTENT_TYPES[media_type])}"
    if errors:
        raise _bad(errors)
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
        raise _not_found()
    media = docs[0]
    if media["state"] != "waiting":
        raise VendorError(409, {"message": "This upload URL has already been used", "errors": {"media_key": media["id"]}})
    if world.now() > media["expires_at"]:
        raise VendorError(403, {"message": "Upload URL expired"})
    sent_type = content_type.split(";")[0].strip().lower()
    if sent_type != media["content_type"]:
        raise VendorError(415, {"message": "Unsupported Media Type",
                                "errors": {"content-type": f"must be {media['content_type']} as declared for this media"}})
    if not raw:
        raise _bad({"body": "the media is empty"})
    if len(raw) > MAX_BYTES[media["media_type"]]:
        raise VendorError(413, {"message": "Payload Too Large",
                                "errors": {"body": f"at most {MAX_BYTES[media['media_type']]} bytes"}})
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
    """Errors of a task submission, and the media it names (or None for a bucket object)."""
    errors = {}
    if body.get("configuration_id") not in ws["configuration_ids"]:
        errors["configuration_id"] = f"unknown configuration for workstream {ws['id']}"
    media = None
    obj = object_url(body.get("media_key"))
    if obj is not None:
        bucket, _ = obj
        if bucket not in ws["bucket_ids"]:
            errors["media_key"] = f"bucket {bucket} is not mounted for workstream {ws['id']}"
        elif body.get("bucket_id") is not None and body["bucket_id"] != bucket:
            errors["bucket_id"] = f"the media_key is an object of bucket {bucket}"
    elif isinstance(body.get("media_key"), str) and "://" in body["media_key"]:
        errors["media_key"] = ("not an object URL of a mounted bucket (s3://BUCKET/KEY, gs://BUCKET/KEY, "
                               "https://BUCKET.s3.amazonaws.com/KEY, https://storage.googleapis.com/BUCKET/KEY)")
    elif body.get("bucket_id") is not None:
        if body["bucket_id"] not in ws["bucket_ids"]:
            errors["bucket_id"] = f"no bucket {body['bucket_id']} is mounted for workstream {ws['id']}"
        if not body.get("media_key"):
            errors["media_key"] = "is required: with bucket_id it names the object in the bucket"
    elif not body.get("media_key"):
        errors["media_key"] = "is required (or bucket_id with the object's key as media_key)"
    else:
        media = world.store.table(MEDIA).get(body["media_key"])
        if media is None or media["workstream_id"] != ws["id"]:
            errors["media_key"] = "unknown media_key"
        elif media["state"] != "uploaded":
            errors["media_key"] = "the media has not been uploaded yet (PUT it to media_upload_url first)"
        elif body.get("configuration_id") and media["configuration_id"] != body["configuration_id"]:
            errors["configuration_id"] = f"the media was created for configuration {media['configuration_id']}"
        elif body.get("media_type") and body["media_type"] != media["media_type"]:
            errors["media_type"] = f"the media is of type {media['media_type']}"
    url = body.get("callback_url")
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        errors["callback_url"] = "must be an http(s) URL"
    if errors:
        raise _bad(errors)
    return media


def _plan(ws: dict, task_id: str, tags: list) -> dict:
    conf = {**DEFAULTS, **(ws.get("oversight") or {})}
    rng = random.Random(int(hashlib.sha256(task_id.encode()).hexdigest(), 16))
    qmin, qmax = conf["queue_seconds"]
    queue = rng.uniform(qmin, qmax)
    work = conf["work_median_seconds"] * math.exp(conf["work_sigma"] * rng.gauss(0, 1))
    work = min(max(work, 60), 4 * 3600)
    fail = rng.random() < conf["failure_rate"]
    labels = ws.get("labels") or []
    inferences = []
    for i, tag in enumerate(tags):
        label = tag["value"]
        if rng.random() < conf["correction_rate"]:
            others = [x for x in labels if x != label]
            if others:
                label = rng.choice(others)
        inferences.append({"external_id": f"{task_id}:{i}", "classes": [{"class": label, "confidence_score": 1.0}],
                           "bbox": [], "mask": [], "polygon": []})
    return {"queue_seconds": round(queue, 3), "work_seconds": round(work, 3), "fail": fail, "inferences": inferences}


def submit_task(world, workstream_id: str, body: dict) -> dict:
    ws = _workstream(world, workstream_id)
    media = _check_task(world, ws, body)
    with world.store.lock:
        task_id = _task_id(world, workstream_id)
        now = world.now()
        plan = _plan(ws, task_id, body.get("tags") or [])
        doc = {"id": task_id, "workstream_id": workstream_id, "state": "queued", "created_at": now, "updated_at": now,
               "history": [{"state": "queued", "at": now}], "plan": plan,
               "media_type": body.get("media_type") or (media or {}).get("media_type", "image"),
               "inferences": []}
        for name in ("media_key", "bucket_id", "configuration_id", "callback_url", "tags", "context_metadata",
                     "model_metadata"):
            if body.get(name) is not None:
                doc[name] = body[name]
        obj = object_url(body.get("media_key"))
        if obj is not None:
            doc["bucket_id"], doc["object_key"] = obj
        world.store.table(TASKS, indexes=("workstream_id",)).insert(doc)
        due = now + plan["queue_seconds"]
        scheduler_of(world).at(due, "cf.oversight.start", {"task_id": task_id, "due": due})
    return {"task_id": task_id}


def _change(world, task_id: str, state: str, at: float, **fields) -> dict | None:
    coll = world.store.table(TASKS, indexes=("workstream_id",))
    task = coll.get(task_id)
    if task is None:  # removed by a reset or a state import
        return None
    previous = task["state"]
    task = coll.update(task_id, {"state": state, "updated_at": at,
                                 "history": task["history"] + [{"state": state, "at": at}], **fields})
    webhooks.notify(world, task, status(task), previous, at)
    return task


@handler("cf.oversight.start")
def _start(world, payload):
    task = _change(world, payload["task_id"], "in_progress", payload["due"])
    if task is not None:
        due = payload["due"] + task["plan"]["work_seconds"]
        scheduler_of(world).at(due, "cf.oversight.finish", {"task_id": task["id"], "due": due})


@handler("cf.oversight.finish")
def _finish(world, payload):
    task = world.store.table(TASKS).get(payload["task_id"])
    if task is None:
        return
    if task["plan"]["fail"]:
        _change(world, task["id"], "failed", payload["due"],
                error={"code": "processing_failed", "message": "The media could not be reviewed"})
    else:
        _change(world, task["id"], "completed", payload["due"], inferences=task["plan"]["inferences"])


def _inference(inf: dict) -> dict:
    """Shapes as arrays, never null (tasks stored by older versions held null)."""
    return {**inf, **{k: inf.get(k) or [] for k in ("bbox", "mask", "polygon")}}


def status(task: dict) -> dict:
    out = {"task_id": task["id"], "state": task["state"],
           "updated_inferences": {"inferences": [_inference(i) for i in task["inferences"]]},
           "created_at": timefmt.iso(task["created_at"]), "updated_at": timefmt.iso(task["updated_at"])}
    if task.get("error"):
        out["error"] = task["error"]
    return out


def get_task(world, workstream_id: str, task_id: str) -> dict:
    task = world.store.table(TASKS).get(task_id)
    if task is None or task["workstream_id"] != workstream_id:
        raise _not_found()
    return status(task)
