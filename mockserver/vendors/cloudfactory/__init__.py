"""CloudFactory adapter: ``x-api-key`` bound to one workstream, ``{"message": ...}`` errors.

Layout: this module (authentication, error hooks, seeding, the routes' handler package); errors.py
(the error envelope), wire.py (times and Oversight task bodies, core <-> wire), handlers/ (one module
of Connexion handlers per resource); the domain modules (oversight.py, cloudworkers.py,
performance.py, uploads.py, reports.py, webhooks.py, ratelimit.py, workspace.py) do the work.

Authentication (all ``/v1`` paths):
* no ``x-api-key``: 401 ``{"message": "Unauthorized", ...}``;
* an unknown key: 403 ``{"message": "Bad credentials"}`` on WorkStream Performance paths (as the
  Quality page documents) and 401 with the same body on Oversight paths (``/v1/tasks``, ``/v1/media``,
  which document 401);
* a key used on ``/v1/workstreams/{id}/...`` of another workstream: 403 ``{"message": "Forbidden", ...}``.
Then the per-key rate limit (off by default; from the workstream, the workspace section or the server's
setting, see ratelimit.py).

Performance bodies (``task_completed``, ``task_reviewed``) are checked here in full, before the spec's
generic validator, so that an answer names every bad field at once rather than the first one only:
400 when a field breaks a rule the spec states, else 404 ``Not found`` when a use case or task
definition is not the workstream's, else 409 ``Conflict`` (the body's ``workstream_id`` is not the
path's, or the task completed before it started).
"""
from __future__ import annotations

import logging
import re

from ..base import RawRequest, Vendor
from . import errors, ratelimit
from .cloudworkers import subscribe
from .performance import CHECKED, QUALITY, THROUGHPUT, checked_record

_WS_PATH = re.compile(r"^/v1/workstreams/([^/]+)(/.*)?$")
_PERF_PATH = re.compile(r"^/v1/workstreams/([^/]+)/(task_completed|task_reviewed)$")
_OVERSIGHT = ("/v1/tasks", "/v1/media")


def _quiet_multiple_content_types(record: logging.LogRecord) -> bool:
    # Connexion warns on every request to an operation that accepts several content types (the
    # media PUT accepts each image/video type on purpose): keep the server's log readable.
    return not str(record.msg).startswith("this operation accepts multiple content types")


logging.getLogger("connexion.operations.openapi3").addFilter(_quiet_multiple_content_types)


class CloudFactoryVendor(Vendor):
    def __init__(self):
        super().__init__(name="cloudfactory", spec="cloudfactory.yaml", handlers="mockserver.vendors.cloudfactory.handlers",
                         default_port=8703, public_prefixes=("/uploads/",))
        # Registers the scheduler handler of webhook retries at import time.
        from . import oversight, webhooks  # noqa: F401

    def error(self, http_status, code, message, details=None):
        if details is not None and not isinstance(details, (dict, list)):
            details = {str(details): message}
        return errors.envelope(http_status, message, details)

    def bad_request(self, message, field_name=None, fields=None):
        """``{"message": "Bad Request", "errors": {"<field>": "<what it must be>", ...}}``, every bad field."""
        if fields:
            problems: dict[str, str] = {}
            for f in fields:  # two rules broken by one field: both said
                problems[f.name] = f"{problems[f.name]}; {f.message}" if f.name in problems else f.message
            return errors.bad_request(problems)
        return errors.bad_request({field_name or "body": message})

    def not_found_route(self, method, path):
        return errors.not_found()

    def method_not_allowed(self, method, path):
        from ...control.operations import allowed_methods

        return errors.method_not_allowed(allowed_methods(self, path))

    def core_error(self, exc):
        return errors.bad_request({"body": str(exc)})

    def authenticate(self, world, request: RawRequest):
        key = request.headers.get("x-api-key")
        if not key:
            raise errors.unauthorized({"x-api-key": "header is required"})
        doc = world.store.table("cloudfactory_keys").get(key)
        if doc is None:
            status = 401 if request.path.startswith(_OVERSIGHT) else 403
            raise errors.bad_credentials(status)
        principal = {"key": key, "workstream_id": doc["workstream_id"]}
        subscribe(world)  # (cheap when attached already: a world some test built by hand)
        m = _WS_PATH.match(request.path)
        if m and m.group(1) != doc["workstream_id"]:
            raise errors.forbidden({"workstream_id": "the API key is not valid for this workstream"})
        ratelimit.check(world, key, world.store.table("cloudfactory_workstreams").get(doc["workstream_id"]))
        perf = _PERF_PATH.match(request.path)
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if perf and request.method == "POST" and (ctype == "application/json" or ctype.endswith("+json")):
            # checked here for the vendor's error order; the handler stores this record as it is
            # (``request.json``: the gate's parse, None when empty; malformed ones never get here)
            ws_id, kind = perf.group(1), THROUGHPUT if perf.group(2) == "task_completed" else QUALITY
            principal[CHECKED] = (kind, ws_id, checked_record(world, kind, ws_id, request.json))
        return principal

    def seed(self, world, section):
        from .workspace import seed

        seed(world, section)
        subscribe(world)

    def attach(self, world):
        subscribe(world)  # Oversight progress reaches this world's adapter from the start, before any request
