"""A request that breaks the spec is answered with every bad field at once, in each vendor's envelope,
spelled as the handlers spell fields (``inputs[1].id``), from structured field errors (validation.py's
``InvalidFields``) rather than from Connexion's or jsonschema's English text."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockserver.app import build_app
from mockserver.testing import InProcess, SyncASGIClient, new_world
from mockserver.fielderrors import FieldError
from mockserver.validation import InvalidFields
from mockserver.vendors.clarifai import ClarifaiVendor
from mockserver.vendors.cloudfactory import CloudFactoryVendor
from mockserver.vendors.modelarts import ModelArtsVendor
from mockserver.world import Settings

ROOT = Path(__file__).resolve().parents[2]
PROBE_SPEC = ROOT / "tests" / "harness" / "strict_things.yaml"


@pytest.fixture
def strict_mock():
    return InProcess(new_world(settings=Settings(strict=True)))


@pytest.fixture
def clarifai_strict(strict_mock):
    ws = strict_mock.world.workspace["clarifai"]
    with strict_mock.client("clarifai", headers={"Authorization": f"Key {ws['key']}"}) as c:
        yield c


def ma_base(mock) -> str:
    return f"/v2/{mock.world.workspace['modelarts']['project_id']}"


# -- every bad body field, per vendor ------------------------------------------------------------------------
def test_clarifai_names_every_bad_field(clarifai):
    r = clarifai.post("/v2/inputs", json={"inputs": [{"data": {"image": {"url": ""}}},
                                                     {"id": 3, "data": {"text": {"raw": "hi"}}}, {}]})
    assert r.status_code == 400 and r.json()["inputs"] == []
    status = r.json()["status"]
    assert (status["code"], status["description"]) == (11102, "Invalid request")
    assert status["details"] == ("inputs[0].data: must give one of image.url, image.base64, text.raw, text.url; "
                                 "inputs[1].id: must be a string; inputs[2].data: is required")


def test_clarifai_search_fields_are_search_invalid_request(clarifai):
    r = clarifai.post("/v2/inputs/searches", json={"searches": [{"query": {"filters": [{"input": {"x": 1}}]}},
                                                                {"query": 3}]})
    status = r.json()["status"]
    assert r.status_code == 400 and status["code"] == 40002
    assert status["details"] == ("searches[0].query.filters[0].input.x: is not a known field; "
                                 "searches[1].query: must be a JSON object")


def test_cloudfactory_names_every_bad_field(cloudfactory):
    r = cloudfactory.post("/v1/tasks", json={"media_key": "", "configuration_id": 5, "tags": [{"value": ""}]})
    assert r.status_code == 400
    assert r.json() == {"message": "Bad Request", "errors": {"configuration_id": "must be a string",
                                                              "media_key": "must not be empty",
                                                              "tags[0].value": "must not be empty"}}


def test_modelarts_names_every_bad_field(modelarts, mock):
    r = modelarts.post(f"{ma_base(mock)}/workforces", json={"workforce_name": "bad name!", "description": "x" * 300})
    assert r.status_code == 400
    assert r.json() == {"error_code": "ModelArts.0101", "error_msg":
                        "Invalid parameter: description is too long: at most 256 characters; "
                        "workforce_name must be 1 to 64 letters, digits, underscores (_) or hyphens (-)"}


def test_modelarts_names_every_bad_query_parameter(modelarts, mock):
    r = modelarts.get(f"{ma_base(mock)}/workforces?offset=-1&limit=500&order=up")
    assert r.status_code == 400
    assert r.json()["error_msg"] == ("Invalid parameter: limit must be at most 100; offset must be at least 0; "
                                     "order must be one of asc, desc")


def test_control_api_names_every_bad_field(mock):
    with mock.client("clarifai") as control:
        r = control.post("/_mock/faults", json={"error": {"status": 200}, "probability": 2, "times": 0})
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "error.status: must be at least 400; probability: must be at most 1; times: must be at least 1"
    assert body["details"] == [
        {"field": "error.status", "in": "body", "rule": "minimum", "message": "must be at least 400", "expected": 400},
        {"field": "probability", "in": "body", "rule": "maximum", "message": "must be at most 1", "expected": 1},
        {"field": "times", "in": "body", "rule": "minimum", "message": "must be at least 1", "expected": 1},
    ]


# -- a bad query parameter and a bad body field, in one answer -----------------------------------------------
def test_clarifai_unknown_query_parameter_and_bad_body_together(clarifai_strict):
    r = clarifai_strict.post("/v2/tasks?bogus=1", json={"tasks": "x"})
    assert r.status_code == 400 and r.json()["status"]["code"] == 11102
    assert r.json()["status"]["details"] == "bogus: is not a parameter of this operation; tasks: must be a list"


async def post_things(body, verbose=None):
    """Handler of the probe spec (tests/harness/strict_things.yaml)."""
    return {"name": body["name"]}


def probe(vendor) -> SyncASGIClient:
    vendor.spec, vendor.handlers = str(PROBE_SPEC), __name__
    vendor.public_prefixes = ("/v1/things",)
    return SyncASGIClient(build_app(vendor, new_world()), base_url="http://probe.local")


BOTH = {"verbose": "maybe", "body": {"size": 0, "colour": "red"}}


def test_query_and_body_together_in_cloudfactory_shape():
    with probe(CloudFactoryVendor()) as c:
        r = c.post("/v1/things?verbose=maybe", json=BOTH["body"])
    assert r.status_code == 400
    assert r.json() == {"message": "Bad Request", "errors": {"verbose": "must be true or false",
                                                              "colour": "is not a known field", "name": "is required",
                                                              "size": "must be at least 1"}}


def test_query_and_body_together_in_clarifai_shape():
    with probe(ClarifaiVendor()) as c:
        r = c.post("/v1/things?verbose=maybe", json=BOTH["body"])
    assert r.status_code == 400 and r.json()["status"]["code"] == 11102
    assert r.json()["status"]["details"] == ("verbose: must be true or false; colour: is not a known field; "
                                             "name: is required; size: must be at least 1")


def test_query_and_body_together_in_modelarts_shape():
    with probe(ModelArtsVendor()) as c:
        r = c.post("/v1/things?verbose=maybe", json=BOTH["body"])
    assert r.status_code == 400
    assert r.json() == {"error_code": "ModelArts.0101", "error_msg":
                        "Invalid parameter: verbose must be true or false; unknown field colour; name is required; "
                        "size must be at least 1"}


def test_a_missing_body_is_a_field_error():
    with probe(ModelArtsVendor()) as c:
        r = c.post("/v1/things")
    assert r.status_code == 400 and r.json()["error_msg"] == "Invalid parameter: a JSON body is required"


# -- the structured errors themselves ------------------------------------------------------------------------
def test_invalid_fields_keeps_a_readable_detail_and_a_cap():
    many = [FieldError(f"items[{i}]", "type", "string", "must be a string") for i in range(25)]
    problem = InvalidFields(many)
    assert len(problem.fields) == 20 and problem.omitted == 5 and problem.status == 400
    assert problem.detail.startswith("items[0]: must be a string; items[1]: must be a string")
    assert problem.detail.endswith("; and 5 more")


# -- nothing reads the libraries' English ---------------------------------------------------------------------
LIBRARY_TEXT = ["is a required property", "is not valid under", "is not of type", "does not match '",
                "Additional properties are not allowed", "is not one of [", "Missing {", "Missing query parameter",
                "not in spec", "than the maximum of", "than the minimum of", "should be non-empty", "is too short",
                " - '"]  # Connexion's path suffix: "... - 'a.b'"


def test_no_module_parses_library_messages():
    """No regex (nor any other matching) over Connexion's or jsonschema's message text: field names come
    from ``FieldError``s. A docstring may quote such a message; code may not look for one."""
    offenders = []
    for path in sorted((ROOT / "mockserver").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            code = line.split("#", 1)[0]
            if any(words in code for words in LIBRARY_TEXT) and ("re." in code or "compile(" in code
                                                                 or "search(" in code or "match(" in code
                                                                 or "startswith(" in code or "endswith(" in code
                                                                 or " in " in code):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
            if re.search(r"""re\.(compile|search|match|fullmatch)\(r?["'].* - '""", code):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
    for module in ("app.py", "vendors/clarifai/__init__.py", "vendors/cloudfactory/__init__.py",
                   "vendors/modelarts/messages.py"):
        source = (ROOT / "mockserver" / module).read_text(encoding="utf-8")
        assert "_field_from_detail" not in source and "is a required property" not in source, module


def test_an_optional_body_may_be_left_out(mock):
    """A requestBody the spec marks optional may be absent (Connexion alone refused it: "Request body must not
    be empty"): ModelArts' start of a task, CloudFactory's upload URL."""
    ma = mock.world.workspace["modelarts"]
    task = f"/v2/{ma['project_id']}/datasets/{ma['dataset']['dataset_id']}/workforce-tasks/{ma['task']['task_id']}"
    with mock.client("modelarts", headers={"X-Auth-Token": ma["token"]}) as c:
        r = c.post(task)
        assert r.status_code == 200 and r.json() == {}, r.text
    with mock.client("cloudfactory", headers={"x-api-key": mock.world.workspace["cloudfactory"]["api_key"]}) as c:
        r = c.post("/v1/workstreams/ws-0001/upload_url")
        assert r.status_code == 200 and r.json()["upload_url"], r.text
