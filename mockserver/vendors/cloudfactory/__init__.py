"""CloudFactory adapter: ``x-api-key`` bound to a workstream, ``{"message": ...}`` errors."""
from __future__ import annotations

from ..base import RawRequest, Vendor, VendorError


class CloudFactoryVendor(Vendor):
    def __init__(self):
        super().__init__(name="cloudfactory", spec="cloudfactory.yaml", handlers="mockserver.vendors.cloudfactory.handlers",
                         default_port=8703, public_prefixes=("/uploads/",))

    def error(self, http_status, code, message, details=None):
        body = {"message": message}
        if details is not None:
            body["errors"] = details if isinstance(details, (dict, list)) else {str(details): message}
        return VendorError(http_status, body)

    def bad_request(self, message, field_name=None):
        body = {"message": "Bad Request"}
        body["errors"] = {field_name or "body": message}
        return VendorError(400, body)

    def not_found_route(self, method, path):
        return VendorError(404, {"message": "Not found"})

    def authenticate(self, world, request: RawRequest):
        key = request.headers.get("x-api-key")
        if not key:
            raise VendorError(401, {"message": "Unauthorized", "errors": {"x-api-key": "header is required"}})
        doc = world.store.table("cloudfactory_keys").get(key)
        if doc is None:
            raise VendorError(403, {"message": "Bad credentials"})
        return {"key": key, "workstream_id": doc["workstream_id"], "customer_id": doc.get("customer_id")}

    def seed(self, world, section):
        from .workspace import seed

        seed(world, section)
