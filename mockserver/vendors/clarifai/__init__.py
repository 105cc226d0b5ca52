"""Clarifai adapter: ``Authorization: Key <key>``, ``{"status": {...}}`` envelopes.

Authentication answers as Clarifai does: no key is 11009 "API key not found"; an unknown key is 11009 too
when it has a key's shape (lowercase letters, digits and hyphens: Clarifai's 32 hexadecimal digits, the
stand-in's ``mock-clarifai-key``), else 11008 "Invalid API key or Invalid API key/application pair"
("Invalid format of key.", as Clarifai answers ``Key SOME_INVALID_KEY``); a PAT (no app of its
own) on a route that does not name the app is 401/11008 "Must provide app external ID in API authorizer";
a key for another app (or a user who is neither its owner nor a collaborator) is 401/11008. Every error
answer keeps the call's always-written list field (``{"status": ..., "tasks": []}``).
"""
from __future__ import annotations

import re
import uuid

from ..base import RawRequest, Vendor, VendorError

SCOPED = re.compile(r"^/v2/users/([^/]+)/apps/([^/]+)(/|$)")
KEY_FORMAT = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # Clarifai's keys (32 hex digits) and the stand-in's
KEY_INVALID = "Invalid API key or Invalid API key/application pair"

# Status codes (clarifai-grpc status_code.proto) used by the adapter.
SUCCESS = 10000
CONN_KEY_INVALID = 11008
CONN_KEY_NOT_FOUND = 11009
CONN_BAD_REQUEST_FORMAT = 11100
CONN_DOES_NOT_EXIST = 11101
CONN_INVALID_REQUEST = 11102
CONN_METHOD_NOT_ALLOWED = 11103
FAILURE = 10020
SEARCH_INVALID_REQUEST = 40002
# A schema error inside one search (the field path ``searches[0].query...``) is SEARCH_INVALID_REQUEST, as the
# handler's own.
SEARCH_FIELD = re.compile(r"^searches\[\d+\]\.")

# The gRPC front door (grpc_server.py) listens here unless told otherwise (``--clarifai-grpc-port``).
GRPC_DEFAULT_PORT = 8704


def req_id() -> str:
    return uuid.uuid4().hex


def status(code: int = SUCCESS, description: str = "Ok", details: str | None = None) -> dict:
    out = {"code": code, "description": description, "req_id": req_id()}
    if details:
        out["details"] = details
    return out


def principal(user_id: str, app_id: str, key: dict) -> dict:
    """Who calls: the app (owner ``user_id`` + ``app_id``) and the acting user (``caller``)."""
    return {"user_id": user_id, "app_id": app_id, "app": f"{user_id}/{app_id}", "caller": key["user_id"],
            "key": key["id"]}


class ClarifaiVendor(Vendor):
    def __init__(self):
        super().__init__(name="clarifai", spec="clarifai.yaml", handlers="mockserver.vendors.clarifai.handlers",
                         default_port=8701)

    @staticmethod
    def _body(status_dict: dict) -> dict:
        from .wire import error_body

        return error_body(status_dict)

    def error(self, http_status, code, message, details=None):
        code = code if isinstance(code, int) else {400: CONN_INVALID_REQUEST, 401: CONN_KEY_INVALID, 404: CONN_DOES_NOT_EXIST,
                                                   405: CONN_METHOD_NOT_ALLOWED, 413: CONN_BAD_REQUEST_FORMAT,
                                                   415: CONN_BAD_REQUEST_FORMAT}.get(http_status, FAILURE)
        desc = {CONN_INVALID_REQUEST: "Invalid request", CONN_BAD_REQUEST_FORMAT: "Bad request format",
                CONN_DOES_NOT_EXIST: "Resource does not exist", CONN_METHOD_NOT_ALLOWED: "Method not allowed",
                CONN_KEY_INVALID: KEY_INVALID, CONN_KEY_NOT_FOUND: "API key not found",
                FAILURE: "Failure"}.get(code, message)
        if details is None and desc != message:
            details = message
        elif details is not None and message and message != desc and str(details) not in message:
            details = f"{details}: {message}"
        return VendorError(http_status, self._body(status(code, desc, str(details) if details is not None else None)))

    def bad_request(self, message, field_name=None, fields=None):
        """``status.details`` names every bad field: ``inputs[0].data: must be ...; tasks[1].name: is required``."""
        if fields:
            details = "; ".join(f"{f.name}: {f.message}" for f in fields)
            first = fields[0].path
        else:
            details = f"{field_name}: {message}" if field_name and field_name not in message else message
            first = field_name or ""
        if SEARCH_FIELD.match(first):  # inside a search's query, as ``searches.py`` answers
            return VendorError(400, self._body(status(SEARCH_INVALID_REQUEST, "Invalid search request", details)))
        return VendorError(400, self._body(status(CONN_INVALID_REQUEST, "Invalid request", details)))

    def authenticate(self, world, request: RawRequest):
        from .collaborators import is_member
        from .routes import answer_list

        lists = answer_list(request.method, request.path)

        def refuse(http: int, code: int, desc: str, details: str) -> VendorError:
            return VendorError(http, {"status": status(code, desc, details), **({lists: []} if lists else {})})

        header = request.headers.get("authorization", "")
        if not header:
            raise refuse(401, CONN_KEY_NOT_FOUND, "API key not found",
                         "Authorization header is missing: send 'Authorization: Key <key>'")
        parts = header.split(None, 1)
        if len(parts) != 2 or parts[0].lower() not in ("key", "bearer"):
            raise refuse(401, CONN_INVALID_REQUEST, "Invalid request",
                         "Malformed Authorization header: expected 'Key <key>'")
        secret = parts[1].strip()
        key = world.store.table("clarifai_keys").get(secret)
        if key is None:
            if KEY_FORMAT.match(secret):
                raise refuse(401, CONN_KEY_NOT_FOUND, "API key not found", "invalid key")
            raise refuse(401, CONN_KEY_INVALID, KEY_INVALID, "Invalid format of key.")
        scoped = SCOPED.match(request.path)
        if scoped:
            user_id, app_id = scoped.group(1), scoped.group(2)
            if user_id == "me":
                user_id = key["user_id"]
            own = user_id == key["user_id"] and (not key.get("app_id") or app_id == key["app_id"])
            # A collaborator's PAT reaches the apps it is a collaborator of, under the owner's path.
            invited = not key.get("app_id") and is_member(world.store, f"{user_id}/{app_id}", key["user_id"])
            if not (own or invited):
                raise refuse(401, CONN_KEY_INVALID, KEY_INVALID, f"this key has no access to app {user_id}/{app_id}")
            return {**principal(user_id, app_id, key), "answer_list": lists}
        if not key.get("app_id"):
            raise refuse(401, CONN_KEY_INVALID, KEY_INVALID, "Must provide app external ID in API authorizer")
        return {**principal(key["user_id"], key["app_id"], key), "answer_list": lists}

    def core_error(self, exc):
        """Core errors in Clarifai's words: a missing task is TASK_MISSING (HTTP 404), and so on."""
        from mockserver import core as E  # the core exports its error classes

        from .wire import CODES

        message = getattr(exc, "message", str(exc))
        if isinstance(exc, E.NotFound):
            name, http = ("TASK_MISSING", 404) if message.startswith("task ") else ("CONN_DOES_NOT_EXIST", 404)
        elif isinstance(exc, E.NotAllowed):
            name, http = "TASK_PERMISSION_DENIED", 403
        elif isinstance(exc, (E.Conflict, E.InvalidState)):
            name, http = "TASK_CONFLICT", 409
        else:
            name, http = "CONN_INVALID_REQUEST", 400
        number, desc = CODES[name]
        return VendorError(http, self._body(status(number, desc, message)))

    def seed(self, world, section):
        from .workspace import seed

        seed(world, section)
