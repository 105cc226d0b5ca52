"""ModelArts adapter: AK/SK ``SDK-HMAC-SHA256`` signatures or ``X-Auth-Token``; ``{"error_code", "error_msg"}``.

Sample data is served under ``/obs/`` on the same port, behind a signed, expiring URL instead of
credentials (see ``media``), as OBS serves a dataset's objects.
"""
from __future__ import annotations

import uuid

from ..base import RawRequest, Vendor, VendorError
from .errors import from_core
from .media import PREFIX as MEDIA_PREFIX
from .messages import humanize, plain
from .signature import verify_request


class ModelArtsVendor(Vendor):
    def __init__(self):
        super().__init__(name="modelarts", spec="modelarts.yaml", handlers="mockserver.vendors.modelarts.handlers",
                         default_port=8702, public_prefixes=(MEDIA_PREFIX,))

    def error(self, http_status, code, message, details=None):
        if not code or isinstance(code, int):
            code = {400: "ModelArts.0101", 401: "ModelArts.0203", 403: "ModelArts.4600", 404: "ModelArts.4204",
                    405: "ModelArts.4204", 413: "ModelArts.0101", 415: "ModelArts.0101"}.get(http_status, "ModelArts.0001")
        msg = message if details is None or str(details) in message else f"{message} ({details})"
        return VendorError(http_status, {"error_code": code, "error_msg": msg})

    def bad_request(self, message, field_name=None, fields=None):
        """``Invalid parameter: <field> <rule>; <field> <rule>``: every bad field, in ModelArts' words."""
        text = "; ".join(dict.fromkeys(humanize(f) for f in fields)) if fields else plain(message, field_name)
        return VendorError(400, {"error_code": "ModelArts.0101", "error_msg": f"Invalid parameter: {text}"})

    def not_found_route(self, method, path):
        return VendorError(404, {"error_code": "ModelArts.4204", "error_msg": f"The API does not exist or has not been published: {method} {path}"})

    def core_error(self, exc):
        """Core failures the handlers did not translate themselves (they check resources first)."""
        return from_core(exc)

    def decorate(self, headers):
        if "x-request-id" not in {k.lower() for k in headers}:
            headers["X-Request-Id"] = uuid.uuid4().hex

    def authenticate(self, world, request: RawRequest):
        return verify_request(world, request)

    def seed(self, world, section):
        from .workspace import seed

        seed(world, section)
