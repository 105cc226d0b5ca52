"""What every vendor adapter provides, and the error type handlers raise.

A vendor adapter is thin: its OpenAPI spec routes to handler functions (operationId ``PostTasks`` ->
``post_tasks``), ``authenticate`` checks its credentials, and ``error`` renders its error envelope.
Behaviour lives in ``mockserver.core``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawRequest:
    """What the gate knows of a request before Connexion sees it."""

    method: str
    path: str
    query_string: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    scheme: str = "http"
    host: str = ""
    json: Any = None  # the parsed body when it is JSON (the gate's one parse), else None


class VendorError(Exception):
    """An answer in the vendor's own error shape: raise it anywhere in a handler."""

    def __init__(self, status: int, body: dict, headers: dict | None = None):
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


@dataclass
class Vendor:
    """Base adapter. Subclasses set ``name`` and ``spec`` and override the hooks."""

    name: str = ""
    spec: str = ""  # file name in openapi/
    handlers: str = ""  # module holding the handler functions
    default_port: int = 0
    # Paths that need no credentials (besides the control API under /_mock).
    public_prefixes: tuple[str, ...] = field(default_factory=tuple)

    def authenticate(self, world: Any, request: RawRequest) -> Any:
        """Return the principal (who is calling, which tenant) or raise VendorError."""
        return None

    def error(self, status: int, code: str | int | None, message: str, details: Any = None) -> VendorError:
        """Build a VendorError in this vendor's shape."""
        return VendorError(status, {"message": message})

    def bad_request(self, message: str, field_name: str | None = None, fields: list | None = None) -> VendorError:
        """A request that breaks the contract (validation, bad JSON, too large).

        ``fields``: every bad field of a request the spec refuses (``mockserver.fielderrors.FieldError``:
        ``path`` as the handlers spell it, ``rule``, ``expected``, ``message``, ``where``), to be rendered
        all at once in the vendor's envelope; ``message`` is then their joined text. Without ``fields``,
        ``message`` is one problem of the whole request and ``field_name`` the field it concerns, if any."""
        if fields:
            return self.error(400, None, message, {f.name: f.message for f in fields})
        return self.error(400, None, message, field_name)

    def not_found_route(self, method: str, path: str) -> VendorError:
        return self.error(404, None, f"No route for {method} {path}")

    def method_not_allowed(self, method: str, path: str) -> VendorError:
        return self.error(405, None, f"Method {method} not allowed on {path}")

    def core_error(self, exc: Exception) -> VendorError:
        """Map a core error (mockserver.core.errors) to this vendor's answer."""
        return self.error(400, None, str(exc))

    def decorate(self, headers: dict[str, str]) -> None:
        """Add headers every answer carries (e.g. ModelArts' X-Request-Id)."""

    def seed(self, world: Any, section: dict) -> None:
        """Create this vendor's part of a workspace in the store."""

    def attach(self, world: Any) -> None:
        """Connect what this vendor keeps outside the store to ``world`` (e.g. listeners of core events):
        once the world is built, whatever its store holds (seeded, restored from ``--data``, a scenario's),
        and again after every state import. Idempotent."""
