"""ModelArts' errors: ``{"error_code": "ModelArts.<code>", "error_msg": ...}`` with the HTTP status.

Missing resources answer HTTP 400 with the resource's own code (4352 dataset, 4601 workforce, 4604
worker, 4619 workforce task, 4420 sample, 4612 acceptance); a forbidden member action answers 403
with 4600; a bad parameter 400 with 0101.  Failures of the core that a handler did not translate
itself reach ``from_core`` (through the vendor's ``core_error`` hook).
"""
from __future__ import annotations

from mockserver import core

from ..base import VendorError


class ModelArtsError(VendorError):
    """An answer in ModelArts' error shape; ``code`` is the part after ``ModelArts.``."""

    def __init__(self, code: str, msg: str, status: int = 400):
        super().__init__(status, {"error_code": f"ModelArts.{code}", "error_msg": msg})
        self.code = code


def err(code: str, msg: str, status: int = 400) -> ModelArtsError:
    return ModelArtsError(code, msg, status)


def invalid(msg: str) -> ModelArtsError:
    return err("0101", f"Invalid parameter: {msg}")


def forbidden(msg: str) -> ModelArtsError:
    return err("4600", f"The worker action is forbidden: {msg}", 403)


def worker_not_found(worker_id: str) -> ModelArtsError:
    return err("4604", f"The worker does not exist: {worker_id}")


def sample_not_found(sample_id: str) -> ModelArtsError:
    return err("4420", f"Sample not found: {sample_id}")


def from_core(exc: Exception) -> ModelArtsError:
    """Core failures the handlers did not translate themselves (they check resources first)."""
    msg = getattr(exc, "message", str(exc))
    if isinstance(exc, core.AcceptanceRunning):
        return err("4623", f"Workforce task is checking: {msg}")
    if isinstance(exc, core.NotAllowed):
        return forbidden(msg)
    if isinstance(exc, core.NotFound):
        return err("4420" if "item" in msg else "4619", msg)
    return invalid(msg)
