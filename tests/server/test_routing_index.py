"""``middlewares.IndexedRouter`` narrows the routes a request tries; it must find what Starlette's own Router
finds. Both routers get the routes of every operation of the four specs (as Connexion's routing middleware
makes them: one route per operation, typed path parameters); every path of each spec is requested with
its parameters filled in, with each method the path has and one it has not, with a trailing slash, one
segment more and one less, and a few paths of no route. Each answer (the operation reached, its path
parameters, or the status of a 404, 405 or slash redirect) must be the same."""
from __future__ import annotations

import asyncio

import pytest
from connexion.frameworks.starlette import starlettify_path
from starlette.responses import JSONResponse
from starlette.routing import Route, Router

from mockserver.app import load_spec
from mockserver.middlewares import IndexedRouter

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
TYPES = {"integer": "int", "number": "float"}


class _endpoint:  # an ASGI app (Starlette wraps plain functions as request handlers)
    def __init__(self, name):
        self.name = name

    async def __call__(self, scope, receive, send):
        await JSONResponse({"op": self.name, "params": scope.get("path_params", {})})(scope, receive, send)


def _routes(spec: dict) -> list[Route]:
    routes = []
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method not in METHODS:
                continue
            types = {}
            for p in shared + op.get("parameters", []):
                if p.get("in") == "path":
                    schema = p.get("schema", {})
                    types[p["name"]] = "path" if schema.get("format") == "path" else TYPES.get(schema.get("type"), "str")
            routes.append(Route(starlettify_path(path, types), _endpoint(op.get("operationId", f"{method} {path}")),
                                methods=[method.upper()]))
    return routes


def _requests(spec: dict) -> list[tuple[str, str]]:
    out = [("GET", "/"), ("GET", "/nowhere"), ("POST", "/v2/nothing/here/at/all"), ("GET", "//")]
    for path, item in spec["paths"].items():
        filled = path
        for n, name in enumerate(sorted(part[1:-1] for part in path.split("/") if part.startswith("{"))):
            filled = filled.replace("{" + name + "}", str(n + 7))
        have = [m.upper() for m in item if m in METHODS]
        for method in have + [m.upper() for m in METHODS if m not in item][:1]:
            out += [(method, filled), (method, filled + "/"), (method, filled + "/extra"),
                    (method, filled.rsplit("/", 1)[0] or "/")]
    return out


async def _answer(router: Router, method: str, path: str):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": b"", "headers": [(b"host", b"t")], "scheme": "http", "server": ("t", 80)}
    await router(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body


@pytest.mark.parametrize("spec_name", ["clarifai.yaml", "modelarts.yaml", "cloudfactory.yaml", "control.yaml"])
def test_indexed_router_finds_what_starlettes_router_finds(spec_name):
    spec = load_spec(spec_name)
    routes = _routes(spec)
    stock, ours = Router(routes=routes), IndexedRouter(routes, Router(routes=routes).default)
    assert ours._by_count, "the router was not narrowed (the test would compare the stock router with itself)"
    requests = _requests(spec)

    async def run():
        return [(await _answer(stock, m, p), await _answer(ours, m, p)) for m, p in requests]

    answers = asyncio.run(run())
    assert [a for a, _ in answers] == [b for _, b in answers]
    statuses = {a[0] for a, _ in answers}
    assert {200, 404, 405} <= statuses, statuses  # the requests reach operations, miss, and hit wrong methods
