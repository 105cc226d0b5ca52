"""CloudFactory adapter: ``x-api-key`` bound to one workstream, ``{"message": ...}`` errors.

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

from ..base import RawRequest, Vendor, VendorError

_WS_PATH = re.compile(r"^/v1/workstreams/([^/]+)(/.*)?$")
_PERF_PATH = re.compile(r"^/v1/workstreams/([^/]+)/(task_completed|task_reviewed)$")
_OVERSIGHT = ("/v1/tasks", "/v1/media")
MESSAGES = {400: "Bad Request", 404: "Not found", 409: "Conflict"}


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
        body = {"message": message}
        if details is not None:
            body["errors"] = details if isinstance(details, (dict, list)) else {str(details): message}
        return VendorError(http_status, body)

    def bad_request(self, message, field_name=None, fields=None):
        """``{"message": "Bad Request", "errors": {"<field>": "<what it must be>", ...}}``, every bad field."""
        if fields:
            errors: dict[str, str] = {}
            for f in fields:  # two rules broken by one field: both said
                errors[f.name] = f"{errors[f.name]}; {f.message}" if f.name in errors else f.message
            return VendorError(400, {"message": "Bad Request", "errors": errors})
        return VendorError(400, {"message": "Bad Request", "errors": {field_name or "body": message}})

    def not_found_route(self, method, path):
        return VendorError(404, {"message": "Not found"})

    def method_not_allowed(self, method, path):
        from ...control.operations import allowed_methods

        allowed = allowed_methods(self, path)
        headers = {"Allow": ", ".join(allowed)} if allowed else {}
        return VendorError(405, {"message": "Method Not Allowed"}, headers)

    def core_error(self, exc):
        return VendorError(400, {"message": "Bad Request", "errors": {"body": str(exc)}})

    def authenticate(self, world, request: RawRequest):
        key = request.headers.get("x-api-key")
        if not key:
            raise VendorError(401, {"message": "Unauthorized", "errors": {"x-api-key": "header is required"}})
        doc = world.store.table("cloudfactory_keys").get(key)
        if doc is None:
            status = 401 if request.path.startswith(_OVERSIGHT) else 403
            raise VendorError(status, {"message": "Bad credentials"})
        principal = {"key": key, "workstream_id": doc["workstream_id"]}
        from .cloudworkers import subscribe

        subscribe(world)  # Oversight progress reaches this world's adapter (after a restart too)
        m = _WS_PATH.match(request.path)
        if m and m.group(1) != doc["workstream_id"]:
            raise VendorError(403, {"message": "Forbidden",
                                    "errors": {"workstream_id": "the API key is not valid for this workstream"}})
        from . import ratelimit

        ratelimit.check(world, key, world.store.table("cloudfactory_workstreams").get(doc["workstream_id"]))
        perf = _PERF_PATH.match(request.path)
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if perf and request.method == "POST" and (ctype == "application/json" or ctype.endswith("+json")):
            self._check_performance(world, perf.group(1), perf.group(2), request.json)
        return principal

    def _check_performance(self, world, workstream_id, operation, body) -> None:
        """``body``: the gate's parse of the request (None when empty; malformed ones never get here)."""
        from .performance import QUALITY, THROUGHPUT, check, http_status

        workstream = world.store.table("cloudfactory_workstreams").get(workstream_id)
        if workstream is None:
            raise VendorError(404, {"message": "Not found"})
        kind = THROUGHPUT if operation == "task_completed" else QUALITY
        kinds: dict = {}
        _, errors = check(kind, body, workstream, workstream_id, kinds)
        if errors:
            status = http_status(kinds)
            raise VendorError(status, {"message": MESSAGES[status], "errors": errors})

    def seed(self, world, section):
        from .cloudworkers import subscribe
        from .workspace import seed

        seed(world, section)
        subscribe(world)
