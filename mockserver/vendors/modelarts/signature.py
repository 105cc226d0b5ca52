"""Checking ModelArts credentials as the API gateway does: AK/SK signatures and IAM tokens.

The signature is huaweicloudsdkcore's ``SDK-HMAC-SHA256``: HMAC-SHA256 with the secret key over
``"SDK-HMAC-SHA256\\n" + X-Sdk-Date + "\\n" + hex(sha256(canonical request))``.  An ``X-Sdk-Date``
further than ``MAX_SKEW_SECONDS`` from the server's clock is refused as stale (15 minutes, as the
gateway allows).  Refusals answer as the gateway does (see ``errors``: 401 with the request's id in
the body, 403 ``ModelArts.0210`` for another project).

Tokens are the owner's (``mock-modelarts-token``) or a team member's (``records.member_token``):
a member's principal carries its ``email``, and ``member_may`` says what a member may call.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote, unquote

from ..base import RawRequest
from .errors import (BAD_HEADER, BAD_TOKEN, EMPTY_TOKEN, IAM_ERROR, NO_CREDENTIALS, WRONG_PROJECT,
                     forbidden, gateway)

MAX_SKEW_SECONDS = 15 * 60
EMPTY_HASH = hashlib.sha256(b"").hexdigest()
AUTH_RE = re.compile(r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$")
PROJECT_RE = re.compile(r"^/v[12]/([^/]+)(/|$)")


def _enc(s: str) -> str:
    return quote(s, safe="~")


def canonical_request(request: RawRequest, signed_headers: list[str]) -> str:
    uri = "/".join(_enc(part) for part in unquote(request.path).split("/"))
    if not uri.endswith("/"):
        uri += "/"
    pairs = sorted(parse_qsl(request.query_string, keep_blank_values=True))
    query = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in pairs)
    headers = "".join(f"{name}:{request.headers.get(name, '').strip()}\n" for name in signed_headers)
    # As huaweicloudsdkcore: an empty body hashes as empty whatever the headers say; otherwise a
    # declared X-Sdk-Content-Sha256 (e.g. UNSIGNED-PAYLOAD) stands for the body's hash.
    if not request.body:
        payload = EMPTY_HASH
    else:
        payload = request.headers.get("x-sdk-content-sha256") or hashlib.sha256(request.body).hexdigest()
    return "\n".join([request.method.upper(), uri, query, headers, ";".join(signed_headers), payload])


def signature(secret_key: str, sdk_date: str, canonical: str) -> str:
    to_sign = f"SDK-HMAC-SHA256\n{sdk_date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return hmac.new(secret_key.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def verify_request(world, request: RawRequest) -> dict:
    path_project = PROJECT_RE.match(request.path)
    project_id = path_project.group(1) if path_project else None
    token = request.headers.get("x-auth-token")
    auth = request.headers.get("authorization")
    # The SDK signs every request, even when a caller presets X-Auth-Token: a signature decides then.
    if not (auth and auth.startswith("SDK-HMAC-SHA256")):
        if token is not None:
            if not token.strip():
                raise gateway(EMPTY_TOKEN, "Token doesn't exist: the X-Auth-Token header is empty")
            doc = world.store.table("modelarts_tokens").get(token) or _member_of(world.store, token)
            if doc is None:
                raise gateway(BAD_TOKEN, "Invalid token: the X-Auth-Token is unknown or expired")
            principal = {"project_id": doc["project_id"], "via": "token", "user": doc.get("user")}
            if doc.get("email"):
                principal["email"] = doc["email"]
            return _check_member(_check_project(principal, project_id), request)
        if not auth:
            raise gateway(NO_CREDENTIALS, "No authorization request header: sign the request with AK/SK "
                                          "(SDK-HMAC-SHA256) or send X-Auth-Token")
    m = AUTH_RE.match(auth)
    if not m:
        raise gateway(BAD_HEADER, "Incorrect authorization request header format: expected "
                                  "'SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...'")
    ak, signed, sig = m.group(1), m.group(2).split(";"), m.group(3).lower()
    sdk_date = request.headers.get("x-sdk-date", "")
    try:
        when = datetime.strptime(sdk_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise gateway(BAD_HEADER, "Incorrect authorization request header format: X-Sdk-Date is missing "
                                  "or not in the form YYYYMMDDTHHMMSSZ") from None
    cred = world.store.table("modelarts_credentials").get(ak)
    if cred is None:
        raise gateway(IAM_ERROR, f"Iam error: the access key {ak} is unknown")
    if abs(when - world.clock.now()) > MAX_SKEW_SECONDS and abs(when - _wall()) > MAX_SKEW_SECONDS:
        raise gateway(IAM_ERROR, f"Iam error: the request expired: X-Sdk-Date is more than "
                                 f"{MAX_SKEW_SECONDS // 60} minutes from the server time")
    expected = signature(cred["sk"], sdk_date, canonical_request(request, signed))
    if not hmac.compare_digest(expected, sig):
        raise gateway(IAM_ERROR, "Iam error: signature verification failed, check the secret key")
    # A declared body hash stands for the body in the signature, so it must BE the body's hash: else a
    # signed request could be replayed with another body and the original header.
    declared = (request.headers.get("x-sdk-content-sha256") or "").strip().lower()
    if request.body and declared and declared != "unsigned-payload" \
            and not hmac.compare_digest(declared, hashlib.sha256(request.body).hexdigest()):
        raise gateway(IAM_ERROR, "Iam error: signature verification failed, the body does not match "
                                 "X-Sdk-Content-Sha256")
    header_project = request.headers.get("x-project-id")
    principal = {"project_id": cred["project_id"], "via": "aksk", "ak": ak}
    if header_project and header_project != cred["project_id"]:
        raise gateway(WRONG_PROJECT, f"The project id in X-Project-Id ({header_project}) does not match the "
                                     "access key's project", 403)
    return _check_project(principal, project_id)


def _member_of(store, token: str) -> dict | None:
    """A member token of a person stored before member tokens were issued (an older saved state)."""
    from .records import MEMBER_TOKEN_PREFIX, people

    if not token.startswith(MEMBER_TOKEN_PREFIX):
        return None
    person = people(store).first(worker_id=token[len(MEMBER_TOKEN_PREFIX):])
    if person is None:
        return None
    return {"project_id": person["id"].split("|", 1)[0], "user": person["email"], "email": person["email"]}


def _check_project(principal: dict, project_id: str | None) -> dict:
    if project_id and project_id != principal["project_id"]:
        raise gateway(WRONG_PROJECT, f"The project id in the request URL ({project_id}) does not match the "
                                     "token", 403)
    return principal


# What a team member's own token may call: reading tasks and their samples, submitting its labels,
# reviewing, and its own task list.  Everything else is the owner's (403 ModelArts.4600).
_TASK = r"^/v2/[^/]+/datasets/[^/]+/workforce-tasks/[^/]+"
_MEMBER_CALLS = (
    ("GET", re.compile(r"^/v2/[^/]+/workforces/worker-tasks/?$")),
    ("GET", re.compile(_TASK + r"(/.*)?$")),
    ("PUT", re.compile(_TASK + r"/data-annotations/samples/?$")),
    ("POST", re.compile(_TASK + r"/data-annotations/review/?$")),
)


def member_may(method: str, path: str) -> bool:
    return any(method == m and rx.match(path) for m, rx in _MEMBER_CALLS)


def _check_member(principal: dict, request: RawRequest) -> dict:
    if principal.get("email") and not member_may(request.method.upper(), request.path):
        raise forbidden(f"{principal['email']} is a team member: this operation is the dataset owner's")
    return principal


def _wall() -> float:
    import time

    return time.time()
