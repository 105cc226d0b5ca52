"""Strict mode names the field and rule a request broke, in the vendor's shape; each port serves its docs."""
from pathlib import Path

import pytest
import yaml

from mockserver.app import build_app
from mockserver.testing import InProcess, SyncASGIClient, new_world
from mockserver.vendors import VENDORS
from mockserver.vendors.cloudfactory import CloudFactoryVendor
from mockserver.world import Settings

HERE = Path(__file__).resolve().parent


async def post_things(body, verbose=None):
    """Handler of strict_things.yaml: echoes, or breaks its own response schema on request."""
    if body["name"] == "break-response":
        return {"nom": 1}
    return {"name": body["name"]}


def probe_client(strict: bool):
    vendor = CloudFactoryVendor()  # CloudFactory's error envelope, a spec of our own
    vendor.spec = str(HERE / "strict_things.yaml")
    vendor.handlers = __name__
    vendor.public_prefixes = ("/v1/things",)
    gate = build_app(vendor, new_world(settings=Settings(strict=strict)))
    return SyncASGIClient(gate, base_url="http://probe.local")


@pytest.fixture
def strict():
    with probe_client(strict=True) as c:
        yield c


def test_missing_required_field_is_named(strict):
    r = strict.post("/v1/things", json={"size": 2})
    assert r.status_code == 400
    assert r.json() == {"message": "Bad Request", "errors": {"name": "is required"}}


def test_wrong_type_names_field_and_rule(strict):
    r = strict.post("/v1/things", json={"name": "a", "size": "big"})
    assert r.status_code == 400 and set(r.json()["errors"]) == {"size"}
    assert r.json()["errors"]["size"] == "must be an integer"


def test_broken_constraint_names_field_and_rule(strict):
    r = strict.post("/v1/things", json={"name": "a", "size": 0})
    assert r.status_code == 400 and r.json()["errors"] == {"size": "must be at least 1"}


def test_unknown_body_field_is_named(strict):
    r = strict.post("/v1/things", json={"name": "a", "colour": "red"})
    assert r.status_code == 400 and r.json()["errors"] == {"colour": "is not a known field"}


def test_unknown_query_parameter_is_refused_only_in_strict_mode(strict):
    r = strict.post("/v1/things?colour=red", json={"name": "a"})
    assert r.status_code == 400 and r.json()["errors"] == {"colour": "is not a parameter of this operation"}
    with probe_client(strict=False) as lenient:
        assert lenient.post("/v1/things?colour=red", json={"name": "a"}).status_code == 200


def test_strict_mode_checks_our_own_answers_too(strict):
    r = strict.post("/v1/things", json={"name": "break-response"})
    assert r.status_code == 500 and "message" in r.json()  # a response that breaks the spec is never sent


def _first_get(vendor):
    spec = yaml.safe_load(Path(VENDORS[vendor].spec if Path(VENDORS[vendor].spec).is_absolute()
                                else Path(__file__).resolve().parents[2] / "openapi" / VENDORS[vendor].spec).read_text())
    for template, item in spec["paths"].items():
        if "get" in item:
            return template
    pytest.skip(f"{vendor} has no GET operation")


IDS = {"user_id": ("clarifai", "user_id"), "app_id": ("clarifai", "app_id"),
       "project_id": ("modelarts", "project_id"), "workstream_id": ("cloudfactory", "workstream_id")}
AUTH = {"clarifai": lambda w: {"Authorization": f"Key {w['key']}"}, "modelarts": lambda w: {"X-Auth-Token": w["token"]},
        "cloudfactory": lambda w: {"x-api-key": w["api_key"]}}


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_real_vendor_in_strict_mode_names_the_unknown_parameter(vendor):
    stand_in = InProcess(new_world(settings=Settings(strict=True)))
    ws = stand_in.world.workspace
    path = _first_get(vendor)
    for name, (section, key) in IDS.items():
        path = path.replace("{" + name + "}", ws[section][key])
    path = __import__("re").sub(r"\{[^}]+\}", "x", path)
    with stand_in.client(vendor, headers=AUTH[vendor](ws[vendor])) as c:
        r = c.get(path, params={"zz_unknown": "1"})
    assert r.status_code == 400, r.text
    assert "zz_unknown" in r.text
    shape = {"clarifai": "status", "modelarts": "error_code", "cloudfactory": "message"}[vendor]
    assert shape in r.json()


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_interactive_docs_and_spec_on_each_port(mock, vendor):
    with mock.client(vendor) as c:  # no credentials: the docs are public
        ui = c.get("/ui/")
        spec = c.get("/openapi.json")
    assert ui.status_code == 200 and ui.headers["content-type"].startswith("text/html")
    assert "swagger-ui" in ui.text.lower()
    assert spec.status_code == 200 and spec.json()["openapi"].startswith("3.")
    assert spec.json()["paths"]  # the vendor's own operations



QUALITY_RECORD = {"workstream_id": "ws-0001", "use_case_id": "uc-0001", "task_definition_id": "td-0001",
                  "worker_id": "w-1", "review_completed_at": "2026-01-02T00:00:00Z", "review_score": 0.9}


@pytest.mark.parametrize("strict", [True, False])
def test_strict_mode_refuses_body_fields_the_spec_does_not_declare(strict):
    """README: --strict refuses unknown fields, body members too (a typo such as ``nme`` is named, nested or
    in a body made of parts); without it the vendors take the same bodies."""
    stand_in = InProcess(new_world(settings=Settings(strict=strict)))
    ws = stand_in.world.workspace
    with stand_in.client("clarifai", headers=AUTH["clarifai"](ws["clarifai"])) as c:
        typo = c.post("/v2/users/mock-user/apps/mock-app/concepts", json={"concepts": [{"id": "zz", "nme": "x"}]})
        plain = c.post("/v2/users/mock-user/apps/mock-app/concepts", json={"concepts": [{"id": "zz2", "name": "x"}]})
    with stand_in.client("cloudfactory", headers=AUTH["cloudfactory"](ws["cloudfactory"])) as c:
        extra = c.post("/v1/workstreams/ws-0001/task_reviewed", json={**QUALITY_RECORD, "zz_unknown": 1})
    assert plain.status_code == 200, plain.text
    if strict:
        assert typo.status_code == 400 and "concepts[0].nme" in typo.json()["status"]["details"]
        assert extra.status_code == 400 and "zz_unknown" in extra.json()["errors"], extra.text
    else:
        assert typo.status_code == 200, typo.text
        assert extra.status_code in (200, 202), extra.text
