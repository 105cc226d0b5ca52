"""Secure Upload: a one-time, expiring URL to PUT a CSV of performance records.

``POST /v1/workstreams/{id}/upload_url`` creates an upload (``cloudfactory_uploads``, id = ``file_key``)
with an unguessable token; the URL ``{base}/uploads/csv/{token}`` needs no API key (the token is the
credential) and expires ``expires_in`` seconds later on the VIRTUAL clock.  The PUT body is parsed
at once; each row becomes a Throughput or Quality record through the same rules as the JSON calls
(``performance.check``), and each row's result is kept: nothing is silently dropped.

CSV format: a header row; a ``record_type`` column (``throughput`` | ``quality``) on every row; the
other columns are the JSON field names (unknown columns are kept as strings).  An empty cell is an
absent field.  ``workstream_id`` may be left empty (it defaults to the upload's workstream).
``errors``, ``review_metadata``, ``review_measurements`` and ``task_metadata`` hold JSON objects;
``replace_duplicate`` takes true/false/1/0.  ``data_source`` defaults to the upload's data source.
"""
from __future__ import annotations

import csv
import io
import secrets

from . import errors, performance
from .wire import iso

TABLE = "cloudfactory_uploads"
EXPIRES_IN = 3600  # seconds of virtual time
MAX_ROWS_SHOWN = 1000


def _table(store):
    return store.table(TABLE, indexes=("token",))


def create(world, workstream_id: str, data_source: str) -> dict:
    token = secrets.token_urlsafe(24)
    file_key = "upl-" + secrets.token_hex(8)
    now = world.now()
    doc = {"id": file_key, "workstream_id": workstream_id, "token": token, "data_source": data_source,
           "created_at": now, "expires_at": now + EXPIRES_IN, "state": "waiting", "rows": []}
    with world.store.lock:
        _table(world.store).insert(doc)
    base = world.urls.get("cloudfactory", "")
    return {"upload_url": f"{base}/uploads/csv/{token}", "file_key": file_key, "expires_in": EXPIRES_IN}


def by_token(world, token: str) -> dict:
    docs = _table(world.store).find(token=token)
    if not docs:
        raise errors.not_found()
    doc = docs[0]
    if world.now() > doc["expires_at"] and doc["state"] == "waiting":
        raise errors.expired()
    if doc["state"] != "waiting":
        raise errors.already_used({"file_key": doc["id"]})
    return doc


def process(world, token: str, content_type: str, raw: bytes) -> dict:
    doc = by_token(world, token)
    if content_type.split(";")[0].strip().lower() not in ("text/csv", "application/csv"):
        raise errors.unsupported_media_type({"content-type": "must be text/csv"})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise errors.bad_request({"body": "CSV must be UTF-8"}) from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if "record_type" not in header:
        raise errors.bad_request({"record_type": "the CSV needs a record_type column"})
    ws = world.store.table("cloudfactory_workstreams").get(doc["workstream_id"])
    results = []
    for row in reader:
        line = reader.line_num
        results.append(_row(world, ws, doc, line, row))
    accepted = sum(1 for r in results if r["status"] != "rejected")
    with world.store.lock:
        _table(world.store).update(doc["id"], {"state": "processed", "processed_at": world.now(), "rows": results,
                                               "rows_total": len(results), "rows_accepted": accepted,
                                               "rows_rejected": len(results) - accepted})
    return summary(world, _table(world.store).get(doc["id"]))


def _row(world, ws, upload, line: int, row: dict) -> dict:
    kind = (row.get("record_type") or "").strip()
    if None in row:  # more cells than header columns
        return {"line": line, "record_type": kind or None, "status": "rejected",
                "errors": {"row": "more cells than header columns"}}
    if kind not in performance.RULES:
        return {"line": line, "record_type": kind or None, "status": "rejected",
                "errors": {"record_type": "must be throughput or quality"}}
    fields = {k: v for k, v in row.items() if k != "record_type"}
    body = performance.from_csv_row(kind, fields)
    body.setdefault("workstream_id", upload["workstream_id"])
    body.setdefault("data_source", upload["data_source"])
    record, errors = performance.check(kind, body, ws, upload["workstream_id"])
    if errors:
        return {"line": line, "record_type": kind, "status": "rejected", "errors": errors}
    outcome = performance.store_record(world, kind, record, {"channel": "upload", "file_key": upload["id"], "line": line})
    return {"line": line, "record_type": kind, "status": outcome}


def summary(world, doc: dict, page: int = 1, per_page: int = MAX_ROWS_SHOWN) -> dict:
    rows = doc.get("rows", [])
    start = (page - 1) * per_page
    state = doc["state"]
    if state == "waiting" and world.now() > doc["expires_at"]:
        state = "expired"
    return {"file_key": doc["id"], "workstream_id": doc["workstream_id"], "state": state,
            "data_source": doc["data_source"], "expires_at": iso(doc["expires_at"]),
            "processed_at": iso(doc["processed_at"]) if doc.get("processed_at") else None,
            "rows_total": doc.get("rows_total", 0), "rows_accepted": doc.get("rows_accepted", 0),
            "rows_rejected": doc.get("rows_rejected", 0), "page": page, "per_page": per_page,
            "rows": rows[start:start + per_page]}


def get(world, workstream_id: str, file_key: str) -> dict:
    doc = _table(world.store).get(file_key)
    if doc is None or doc["workstream_id"] != workstream_id:
        raise errors.not_found()
    return doc
