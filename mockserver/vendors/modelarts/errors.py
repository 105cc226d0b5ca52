"""ModelArts' errors: ``{"error_code": "ModelArts.<code>", "error_msg": ...}`` with the HTTP status.

Missing resources answer HTTP 400 with the resource's own code (4352 dataset, 4601 workforce, 4604
worker, 4619 workforce task, 4420 sample, 4612 acceptance); a forbidden member action answers 403
with 4600; a bad parameter 400 with 0101.  Failures of the core that a handler did not translate
itself reach ``from_core`` (through the vendor's ``core_error`` hook).

Credentials are refused before any handler runs, as the API gateway in front of ModelArts does:
``gateway`` errors carry the request's id in the body (``request_id``) as well as in ``X-Request-Id``.
The codes are those of ModelArts' own error table (the reference material holds no ``APIGW.*`` code):

==========================================  ======  =================
failure                                     status  code
==========================================  ======  =================
no credentials at all                       401     ModelArts.0205
``X-Auth-Token`` empty                      401     ModelArts.0201
``X-Auth-Token`` unknown                    401     ModelArts.0203
``Authorization`` / ``X-Sdk-Date`` malformed 401     ModelArts.0206
AK unknown, signature wrong, stale date,    401     ModelArts.4504
body not the signed one
project of the URL or X-Project-Id not the  403     ModelArts.0210
credential's
==========================================  ======  =================
"""
from __future__ import annotations

import uuid

from mockserver import core

from ..base import VendorError

# Credential failures (see the table above).
NO_CREDENTIALS, EMPTY_TOKEN, BAD_TOKEN, BAD_HEADER, IAM_ERROR, WRONG_PROJECT = \
    "0205", "0201", "0203", "0206", "4504", "0210"


class ModelArtsError(VendorError):
    """An answer in ModelArts' error shape; ``code`` is the part after ``ModelArts.``."""

    def __init__(self, code: str, msg: str, status: int = 400):
        super().__init__(status, {"error_code": f"ModelArts.{code}", "error_msg": msg})
        self.code = code


def refused_batch(items: list, problems: dict, not_done: str, summary: str) -> dict:
    """The answer (HTTP 200) to a batch refused as a whole: nothing of it was applied. One result per item,
    in order: a refused item with its own code and message, the others ``ModelArts.4200`` saying
    ``not_done``; the batch's own code is its first refusal's."""
    first = next(iter(problems.values()))
    untouched = {"success": False, "error_code": "ModelArts.4200", "error_msg": f"Invalid request: {not_done}"}
    return {"success": False, "error_code": first["error_code"], "error_msg": summary,
            "results": [problems.get(item, untouched) for item in items]}


def err(code: str, msg: str, status: int = 400) -> ModelArtsError:
    return ModelArtsError(code, msg, status)


def gateway(code: str, msg: str, status: int = 401) -> ModelArtsError:
    """A credential refusal: the error plus ``request_id`` in the body, the same id as ``X-Request-Id``."""
    error = ModelArtsError(code, msg, status)
    request_id = uuid.uuid4().hex
    error.body["request_id"] = request_id
    error.headers["X-Request-Id"] = request_id
    return error


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
