"""The ModelArts spec declares the credentials the server takes, so Swagger UI's "Try it out" and
schemathesis can send them: the IAM token header, and the AK/SK signature's Authorization header."""


def _spec(mock):
    with mock.client("modelarts") as c:
        return c.get("/openapi.json").json()


def test_the_spec_declares_token_and_signature(mock):
    spec = _spec(mock)
    schemes = spec["components"]["securitySchemes"]
    assert schemes["IAMToken"] == {**schemes["IAMToken"], "type": "apiKey", "in": "header", "name": "X-Auth-Token"}
    assert schemes["AKSK"]["name"] == "Authorization" and "SDK-HMAC-SHA256" in schemes["AKSK"]["description"]
    assert spec["security"] == [{"IAMToken": []}, {"AKSK": []}]  # either one


def test_the_declared_token_header_is_what_the_server_takes(mock):
    spec = _spec(mock)
    header = spec["components"]["securitySchemes"]["IAMToken"]["name"]
    project = mock.world.workspace["modelarts"]["project_id"]
    with mock.client("modelarts") as c:
        assert c.get(f"/v2/{project}/workforces").status_code == 401
        r = c.get(f"/v2/{project}/workforces", headers={header: mock.world.workspace["modelarts"]["token"]})
        assert r.status_code == 200, r.text


def test_only_the_signed_media_url_needs_no_credentials(mock):
    open_ops = [(path, method) for path, ops in _spec(mock)["paths"].items() for method, op in ops.items()
                if isinstance(op, dict) and op.get("security") == []]
    assert len(open_ops) == 1 and "{sample_id}" in open_ops[0][0], open_ops
