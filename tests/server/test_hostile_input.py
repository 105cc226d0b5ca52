"""Hostile input over every write operation of every spec (read from the specs, not hand-listed): deep
nesting, non-standard JSON, content types, lone surrogates, huge numbers, oversize bodies. Each answer is
a 4xx in the port's documented envelope, with no exception text, and nothing stored changes."""
from __future__ import annotations

import json
import re

import pytest
import yaml

from mockserver.resources import spec_path
from mockserver.testing import InProcess
from mockserver.vendors.modelarts.workspace import DEFAULT as MA

SPECS = {"clarifai": "clarifai.yaml", "modelarts": "modelarts.yaml", "cloudfactory": "cloudfactory.yaml",
         "control": "control.yaml"}
AUTH = {"clarifai": {"Authorization": "Key mock-clarifai-key"}, "modelarts": {"X-Auth-Token": MA["token"]},
        "cloudfactory": {"x-api-key": "mock-cloudfactory-key"}, "control": {}}
# Path parameters filled with ids of the default workspace, so requests reach the handlers.
IDS = {"user_id": "mock-user", "app_id": "mock-app", "project_id": MA["project_id"],
       "dataset_id": MA["dataset"]["dataset_id"], "workforce_task_id": MA["task"]["task_id"],
       "workforce_id": MA["workforce"]["workforce_id"], "workstream_id": "ws-0001", "task_id": "quickstart",
       "input_id": "input-001", "concept_id": "cat"}
# Control operations whose ordinary success changes state by design with any body are still checked:
# a hostile body must be refused before anything changes.
WRITE_METHODS = ("post", "put", "patch", "delete")


def _operations():
    out = []
    for vendor, name in SPECS.items():
        spec = yaml.safe_load(spec_path(name).read_text(encoding="utf-8"))
        base = "/_mock" if vendor == "control" else ""
        for template, item in spec["paths"].items():
            for method, op in item.items():
                if method not in WRITE_METHODS or "requestBody" not in op:
                    continue
                content = op["requestBody"].get("content", {})
                if not any("json" in media for media in content):
                    continue
                path = re.sub(r"\{([^}]+)\}", lambda m: IDS.get(m.group(1), "x1"), base + template)
                out.append(pytest.param(vendor, method.upper(), path, id=f"{vendor}-{op.get('operationId', method)}"))
    return out


OPERATIONS = _operations()


def _deep(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


BODIES = {
    "nested-1000": (_deep(1000), "application/json"),
    "nested-100-arrays": (b"[" * 100 + b"]" * 100, "application/json"),
    "nan": (b'{"value": NaN, "score": Infinity}', "application/json"),
    "lone-surrogate": (b'{"id": "\\ud800", "name": "\\udfff"}', "application/json"),
    "huge-number": (b'{"n": 1' + b"0" * 5000 + b"}", "application/json"),
    "not-json": (b"{'single': quotes}", "application/json"),
    "not-utf8": (b'{"a": "\xff\xfe"}', "application/json"),
    "text-plain": (b'{"a": 1}', "text/plain"),
}


@pytest.fixture(scope="module")
def server():
    mock = InProcess()
    clients = {v: mock.client("clarifai" if v == "control" else v, headers=AUTH[v]) for v in SPECS}
    yield mock, clients
    for c in clients.values():
        c.close()


def _state(mock) -> str:
    return json.dumps(mock.world.store.export(), sort_keys=True, default=str)


def _envelope_ok(vendor: str, body) -> bool:
    if vendor == "clarifai":
        return isinstance(body.get("status"), dict) and isinstance(body["status"].get("code"), int)
    if vendor == "modelarts":
        return isinstance(body.get("error_code"), str) and isinstance(body.get("error_msg"), str)
    if vendor == "cloudfactory":
        return isinstance(body.get("message"), str)
    return isinstance(body.get("error"), str)


EXCEPTION_TEXT = re.compile(r"Traceback|Error\(|invalid literal for|object has no attribute|RecursionError|KeyError")


@pytest.mark.parametrize("kind", list(BODIES))
@pytest.mark.parametrize("vendor,method,path", OPERATIONS)
def test_hostile_body_is_refused_in_the_envelope_and_changes_nothing(server, vendor, method, path, kind):
    mock, clients = server
    body, ctype = BODIES[kind]
    before = _state(mock)
    response = clients[vendor].request(method, path, content=body, headers={"content-type": ctype})
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    payload = response.json()
    assert _envelope_ok(vendor, payload), payload
    assert not EXCEPTION_TEXT.search(response.text), response.text[:300]
    assert _state(mock) == before


@pytest.mark.parametrize("vendor,method,path", OPERATIONS)
def test_media_type_is_case_insensitive_and_missing_means_json(server, vendor, method, path):
    """``APPLICATION/JSON`` is ``application/json`` (RFC 9110); no Content-Type at all is read as JSON.
    Whatever the body's fate, never a 5xx and always the envelope."""
    mock, clients = server
    for headers in ({"content-type": "APPLICATION/JSON; Charset=UTF-8"}, {}):
        response = clients[vendor].request(method, path, content=b"{}", headers=headers)
        assert response.status_code < 500, (headers, response.status_code, response.text[:300])
        if response.status_code >= 400:
            assert _envelope_ok(vendor, response.json()), response.text[:300]
            assert response.status_code != 415, "a JSON media type in any case, or none, is JSON"
