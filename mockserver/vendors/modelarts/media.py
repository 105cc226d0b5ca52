"""Sample data behind signed, expiring URLs on the ModelArts port (a stand-in extension).

ModelArts hands out a sample's ``source`` as a signed OBS URL that expires.  The stand-in serves the
bytes itself, at a URL of the same look::

    {base}/obs/{dataset_id}/{sample_id}/{file_name}?AccessKeyId=<20 chars>&Expires=<epoch s>&Signature=<hex>

* ``Expires``: the virtual clock's now (whole seconds) + ``EXPIRES_IN`` (3600 s);
* ``Signature``: hex HMAC-SHA256 over ``"GET\\n/{dataset_id}/{sample_id}\\n{Expires}"``, keyed by a
  secret derived from the dataset's project and its secret key (so answers repeat for the same clock);
  ``file_name`` is the sample's name, shown for the reader and not signed;
* ``base`` is the scheme and host the caller used (the URL works wherever the caller reached us).

``GET`` needs no credentials (the signature is one) and answers as OBS does: the bytes with 200; 403
``AccessDenied`` (XML) when the signature is missing or wrong or the URL expired; 404 ``NoSuchKey``.

The bytes: the text given at upload (``data``) as ``text/plain``; otherwise, for an image sample, a
generated PNG placeholder of the size in ``@modelarts:size`` (default 640 x 480, at most 4096 a side)
in a colour drawn from the sample id; otherwise ``application/octet-stream`` placeholder bytes.  The
PNG indexes a two-colour palette (a frame and two diagonals over the background), so its pixels (and
its length, the sample's ``sample_size``) depend only on its size: one image per size is compressed,
then cached.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
import struct
import zlib
from urllib.parse import quote

PREFIX = "/obs/"
EXPIRES_IN = 3600
DEFAULT_SIZE = (640, 480)
MAX_SIDE = 4096


def image_size(metadata: dict | None) -> tuple[int, int]:
    """Width and height of an image sample: its ``@modelarts:size``, else the default."""
    size = (metadata or {}).get("@modelarts:size")
    try:
        width, height = int(size[0]), int(size[1])
    except (TypeError, ValueError, IndexError, KeyError):
        return DEFAULT_SIZE
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        return DEFAULT_SIZE
    return width, height


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


@functools.lru_cache(maxsize=32)
def _pixels(width: int, height: int) -> bytes:
    """The IDAT of a palette image: background (index 0) crossed by a frame and two diagonals (1)."""
    border = max(2, min(width, height) // 60)
    half = border * width / height  # half the width of a diagonal, in pixels of a row
    full = b"\x00" + b"\x01" * width
    rows = []
    for y in range(height):
        if y < border or y >= height - border:
            rows.append(full)
            continue
        row = bytearray(width)
        row[:border] = b"\x01" * border
        row[width - border:] = b"\x01" * border
        for centre in (y * width / height, (height - 1 - y) * width / height):
            x0, x1 = max(0, int(centre - half)), min(width, int(centre + half) + 1)
            row[x0:x1] = b"\x01" * (x1 - x0)
        rows.append(b"\x00" + bytes(row))
    return _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))


def _colours(sample_id: str) -> tuple[bytes, bytes]:
    d = hashlib.md5(sample_id.encode()).digest()
    background = bytes(96 + b // 3 for b in d[:3])
    return background, bytes(b // 3 for b in background)


def placeholder_png(sample_id: str, width: int, height: int) -> bytes:
    background, ink = _colours(sample_id)
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + _chunk(b"PLTE", background + ink) + _pixels(width, height) + _chunk(b"IEND", b"")


def placeholder_size(sample: dict) -> int:
    """The length of what ``content`` serves for ``sample`` (without building it but once per image size)."""
    if sample.get("data") is not None:
        return len(str(sample["data"]).encode("utf-8"))
    if sample.get("sample_type", 0) == 0:
        width, height = image_size(sample.get("metadata"))
        return 8 + 25 + 18 + len(_pixels(width, height)) + 12
    return len(_octets(sample["sample_id"]))


def _octets(sample_id: str) -> bytes:
    return hashlib.sha256(sample_id.encode()).digest() * 32


def content(sample: dict) -> tuple[bytes, str]:
    """(bytes, media type) of a stored sample."""
    if sample.get("data") is not None:
        return str(sample["data"]).encode("utf-8"), "text/plain; charset=utf-8"
    if sample.get("sample_type", 0) == 0:
        width, height = image_size(sample.get("metadata"))
        return placeholder_png(sample["sample_id"], width, height), "image/png"
    return _octets(sample["sample_id"]), "application/octet-stream"


# ------------------------------------------------------------------------------------------- signing

def _secret(store, project_id: str) -> bytes:
    cred = store.table("modelarts_credentials").first(project_id=project_id)
    return hashlib.sha256(f"mock-obs|{project_id}|{(cred or {}).get('sk', '')}".encode()).digest()


def access_key_id(project_id: str) -> str:
    digest = hashlib.sha256(f"mock-obs-ak|{project_id}".encode()).hexdigest().upper()
    return ("OBS" + re.sub(r"[^A-Z0-9]", "", digest))[:20]


def _signature(store, project_id: str, dataset_id: str, sample_id: str, expires: int) -> str:
    message = f"GET\n/{dataset_id}/{sample_id}\n{expires}".encode()
    return hmac.new(_secret(store, project_id), message, hashlib.sha256).hexdigest()


def file_name(sample: dict) -> str:
    name = str(sample.get("sample_name") or sample["sample_id"]).rsplit("/", 1)[-1]
    return quote(name, safe="._-~") or sample["sample_id"]


def signed_url(store, base: str, project_id: str, dataset_id: str, sample: dict, now: float) -> str:
    expires = int(now) + EXPIRES_IN
    sig = _signature(store, project_id, dataset_id, sample["sample_id"], expires)
    return (f"{base.rstrip('/')}{PREFIX}{dataset_id}/{sample['sample_id']}/{file_name(sample)}"
            f"?AccessKeyId={access_key_id(project_id)}&Expires={expires}&Signature={sig}")


def check(store, project_id: str, dataset_id: str, sample_id: str, expires, signature, now: float) -> str | None:
    """Why the URL is refused (an OBS message), or None when it is good."""
    if not expires or not signature:
        return "Query-string authentication requires the Signature, Expires and AccessKeyId parameters"
    try:
        when = int(expires)
    except ValueError:
        return "Invalid date (should be seconds since epoch)"
    good = _signature(store, project_id, dataset_id, sample_id, when)
    if not hmac.compare_digest(good.encode(), str(signature).lower().encode("utf-8", "replace")):
        return "The request signature we calculated does not match the signature you provided"
    if now > when:
        return "Request has expired"
    return None


def xml_error(code: str, message: str, request_id: str) -> bytes:
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{esc(code)}</Code><Message>{esc(message)}'
            f"</Message><RequestId>{esc(request_id)}</RequestId></Error>").encode()
