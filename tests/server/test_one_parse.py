"""Each JSON body is parsed once per request: by the gate (strict JSON); Connexion's validator and the
handler take that value."""
import json

import pytest

APP = "/v2/users/mock-user/apps/mock-app"


@pytest.fixture
def count_parses(monkeypatch):
    calls = []
    real = json.loads

    def counting(text, *args, **kwargs):
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counting)
    return calls


def test_a_clarifai_create_parses_its_body_once(clarifai, count_parses):
    body = {"concepts": [{"id": "parsed-once", "name": "Parsed once"}]}
    count_parses.clear()
    r = clarifai.post(f"{APP}/concepts", json=body)
    bodies = [t for t in count_parses if "parsed-once" in (t.decode() if isinstance(t, bytes) else t)]
    assert r.status_code == 200, r.text
    assert len(bodies) == 1, f"the body was parsed {len(bodies)} times"
    assert clarifai.get(f"{APP}/concepts/parsed-once").json()["concept"]["name"] == "Parsed once"


def test_an_invalid_body_is_still_refused_by_the_spec(mock, modelarts, count_parses):
    project = mock.world.workspace["modelarts"]["project_id"]
    r = modelarts.post(f"/v2/{project}/workforces", json={"workforce_name": 7})
    parses = sum(1 for t in count_parses if "workforce_name" in (t.decode() if isinstance(t, bytes) else t))
    assert r.status_code == 400 and r.json()["error_code"]  # (reading the answer parses it: counted before)
    assert parses == 1
