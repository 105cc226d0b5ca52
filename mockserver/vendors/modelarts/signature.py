"""Checking ModelArts credentials as the API gateway does: AK/SK signatures and IAM tokens.

The signature is huaweicloudsdkcore's ``SDK-HMAC-SHA256``: HMAC-SHA256 with the secret key over
``"SDK-HMAC-SHA256\\n" + X-Sdk-Date + "\\n" + hex(sha256(canonical request))``.  An ``X-Sdk-Date``
further than ``MAX_SKEW_SECONDS`` from the server's clock is refused as stale (15 minutes, as the
gateway allows).
"""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote, unquote

from ..base import RawRequest
from .errors import err

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
                raise err("0201", "Token doesn't exist: the X-Auth-Token header is empty", 401)
            doc = world.store.table("modelarts_tokens").get(token)
            if doc is None:
                raise err("0203", "Invalid token: the X-Auth-Token is unknown or expired", 401)
            principal = {"project_id": doc["project_id"], "via": "token", "user": doc.get("user")}
            return _check_project(principal, project_id)
        if not auth:
            raise err("0205", "Authorization header is missing: sign the request with AK/SK or send X-Auth-Token", 401)
    m = AUTH_RE.match(auth)
    if not m:
        raise err("0203", "Malformed Authorization header: expected SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...", 401)
    ak, signed, sig = m.group(1), m.group(2).split(";"), m.group(3).lower()
    cred = world.store.table("modelarts_credentials").get(ak)
    if cred is None:
        raise err("0203", f"Unknown access key {ak}", 401)
    sdk_date = request.headers.get("x-sdk-date", "")
    try:
        when = datetime.strptime(sdk_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise err("0203", "X-Sdk-Date is missing or not in the form YYYYMMDDTHHMMSSZ", 401) from None
    if abs(when - world.clock.now()) > MAX_SKEW_SECONDS and abs(when - _wall()) > MAX_SKEW_SECONDS:
        raise err("0203", f"Request expired: X-Sdk-Date is more than {MAX_SKEW_SECONDS // 60} minutes from the server time", 401)
    expected = signature(cred["sk"], sdk_date, canonical_request(request, signed))
    if not hmac.compare_digest(expected, sig):
        raise err("0203", "Signature verification failed: check the secret key", 401)
    # A declared body hash stands for the body in the signature, so it must BE the body's hash: else a
    # signed request could be replayed with another body and the original header.
    declared = (request.headers.get("x-sdk-content-sha256") or "").strip().lower()
    if request.body and declared and declared != "unsigned-payload" \
            and not hmac.compare_digest(declared, hashlib.sha256(request.body).hexdigest()):
        raise err("0203", "Signature verification failed: the body does not match X-Sdk-Content-Sha256", 401)
    header_project = request.headers.get("x-project-id")
    principal = {"project_id": cred["project_id"], "via": "aksk", "ak": ak}
    if header_project and header_project != cred["project_id"]:
        raise err("4600", "X-Project-Id does not belong to this access key", 403)
    return _check_project(principal, project_id)


def _check_project(principal: dict, project_id: str | None) -> dict:
    if project_id and project_id != principal["project_id"]:
        raise err("4600", f"No permission on project {project_id}", 403)
    return principal


def _wall() -> float:
    import time

    return time.time()
