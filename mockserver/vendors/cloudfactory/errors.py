"""CloudFactory's errors: ``{"message": ...}``, plus ``"errors": {field: reason, ...}`` naming what is at fault.

Every CloudFactory answer in error is built here (``message`` always first in the body):

======  ==========================================  =========================================
status  message                                     when
======  ==========================================  =========================================
400     ``Bad Request`` (with ``errors``)           a field breaks a rule the spec states
401     ``Unauthorized`` (``errors.x-api-key``)     no ``x-api-key``
401/403 ``Bad credentials``                         an unknown key (see the adapter)
403     ``Forbidden`` (``errors.workstream_id``)    a key used on another workstream's path
403     ``Upload URL expired``                      a Secure Upload / media URL past its time
404     ``Not found`` (``errors`` when a field)     an unknown route, resource or reference
405     ``Method Not Allowed`` (``Allow`` header)   a known path, another method
409     ``Conflict`` (with ``errors``)              a body contradicting the path or the state
409     ``This upload URL has already been used``   a second PUT to a one-time URL
413     ``Payload Too Large``                       media over its type's size limit
415     ``Unsupported Media Type``                  a PUT of another content type
429     ``Too Many Requests`` (``Retry-After``)     the per-key rate limit (ratelimit.py)
======  ==========================================  =========================================

A body refused for several fields names each one; its status comes from the worst kind of problem
(``status_for``): ``shape`` 400, else ``reference`` 404, else ``conflict`` 409.
"""
from __future__ import annotations

from ..base import VendorError

BAD_REQUEST, NOT_FOUND, CONFLICT = "Bad Request", "Not found", "Conflict"
MESSAGES = {400: BAD_REQUEST, 404: NOT_FOUND, 409: CONFLICT}


def envelope(status: int, message: str, errors: dict | None = None, headers: dict | None = None) -> VendorError:
    """``{"message": message}``, with ``"errors": errors`` when given."""
    body = {"message": message}
    if errors is not None:
        body["errors"] = errors
    return VendorError(status, body, headers)


def bad_request(errors: dict) -> VendorError:
    return envelope(400, BAD_REQUEST, errors)


def not_found(errors: dict | None = None) -> VendorError:
    return envelope(404, NOT_FOUND, errors)


def conflict(errors: dict) -> VendorError:
    return envelope(409, CONFLICT, errors)


def status_for(kinds: dict) -> int:
    """The status of a body with these kinds of problem (field -> ``shape`` | ``reference`` | ``conflict``)."""
    found = set(kinds.values())
    return 400 if "shape" in found else 404 if "reference" in found else 409


def refused(errors: dict, kinds: dict) -> VendorError:
    """A body refused for every field in ``errors``; the status from their ``kinds`` (``status_for``)."""
    status = status_for(kinds)
    return envelope(status, MESSAGES[status], errors)


def unauthorized(errors: dict) -> VendorError:
    return envelope(401, "Unauthorized", errors)


def bad_credentials(status: int) -> VendorError:
    return envelope(status, "Bad credentials")


def forbidden(errors: dict) -> VendorError:
    return envelope(403, "Forbidden", errors)


def expired() -> VendorError:
    return envelope(403, "Upload URL expired")


def already_used(errors: dict) -> VendorError:
    return envelope(409, "This upload URL has already been used", errors)


def method_not_allowed(allowed) -> VendorError:
    return envelope(405, "Method Not Allowed", headers={"Allow": ", ".join(allowed)} if allowed else {})


def payload_too_large(errors: dict) -> VendorError:
    return envelope(413, "Payload Too Large", errors)


def unsupported_media_type(errors: dict) -> VendorError:
    return envelope(415, "Unsupported Media Type", errors)


def too_many(retry_after: int) -> VendorError:
    return envelope(429, "Too Many Requests", headers={"Retry-After": str(retry_after)})
