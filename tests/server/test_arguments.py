"""The handler's keyword arguments (``mockserver/arguments.py``) are what Connexion's own parameter decorator
gives: the same requests sent to a stock ``connexion.AsyncApp`` and to the server's ``MockApp`` (whose
decorator keeps the operation's look-ups) must reach the handlers with equal arguments. The spec covers the
parameter shapes the decorator casts (path integers, query defaults, arrays, booleans, nullable values,
deep objects, names to sanitise), JSON bodies (given, left out with a schema default, null where nullable,
an ``x-body-name``), a handler that names only some arguments, and a form body (the stock path)."""
from __future__ import annotations

import asyncio

import connexion
import httpx
import pytest
from connexion.resolver import Resolver

from mockserver.app import MockApp
from mockserver.jsonout import OrjsonJsonifier

RECORD: list[tuple[str, dict]] = []


async def all_of_it(**kwargs):
    RECORD.append(("all_of_it", kwargs))
    return {"ok": True}


async def some_of_it(thing_id, n, limit=None):
    RECORD.append(("some_of_it", {"thing_id": thing_id, "n": n, "limit": limit}))
    return {"ok": True}


async def post_it(thing_id, n, body=None, **kwargs):
    RECORD.append(("post_it", {"thing_id": thing_id, "n": n, "body": body, **kwargs}))
    return {"ok": True}


async def put_it(thing_id, n, payload="unset"):
    RECORD.append(("put_it", {"thing_id": thing_id, "n": n, "payload": payload}))
    return {"ok": True}


async def form_it(**kwargs):
    RECORD.append(("form_it", kwargs))
    return {"ok": True}


def sync_one(thing_id, n, flag=None):
    RECORD.append(("sync_one", {"thing_id": thing_id, "n": n, "flag": flag}))
    return {"ok": True}


HANDLERS = {f.__name__: f for f in (all_of_it, some_of_it, post_it, put_it, form_it, sync_one)}

PATH = [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "n", "in": "path", "required": True, "schema": {"type": "integer"}}]
QUERY = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 10}},
    {"name": "tags", "in": "query", "style": "form", "explode": False, "schema": {"type": "array", "items": {"type": "string"}}},
    {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "integer"}}},
    {"name": "flag", "in": "query", "schema": {"type": "boolean"}},
    {"name": "ratio", "in": "query", "schema": {"type": "number", "nullable": True}},
    {"name": "filter", "in": "query", "style": "deepObject", "explode": True,
     "schema": {"type": "object", "properties": {"a": {"type": "string", "default": "x"}, "b": {"type": "integer"}}}},
    {"name": "page-size", "in": "query", "schema": {"type": "integer"}},
]
OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
SPEC = {
    "openapi": "3.0.3", "info": {"title": "arguments", "version": "1"},
    "paths": {
        "/all/{thing_id}/{n}": {"parameters": PATH, "get": {"operationId": "all_of_it", "parameters": QUERY, "responses": OK}},
        "/some/{thing_id}/{n}": {"parameters": PATH,
                                 "get": {"operationId": "some_of_it", "parameters": QUERY, "responses": OK},
                                 "patch": {"operationId": "sync_one", "parameters": QUERY, "responses": OK}},
        "/body/{thing_id}/{n}": {
            "parameters": PATH,
            "post": {"operationId": "post_it", "parameters": QUERY[:1], "responses": OK,
                     "requestBody": {"content": {"application/json": {"schema": {"type": "object", "default": {"d": 1}}}}}},
            "put": {"operationId": "put_it", "responses": OK,
                    "requestBody": {"x-body-name": "payload",
                                    "content": {"application/json": {"schema": {"type": "object", "nullable": True}}}}},
        },
        "/form": {"post": {"operationId": "form_it", "responses": OK, "requestBody": {"content": {
            "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                "count": {"type": "integer"}, "name": {"type": "string"}}}}}}}},
    },
}

REQUESTS = [
    ("GET", "/all/abc/5", None, None),
    ("GET", "/all/abc/5?limit=3&tags=a,b&ids=1&ids=2&flag=true&ratio=null&filter[b]=4&page-size=7", None, None),
    ("GET", "/all/x%20y/0?flag=false&ratio=2.5&filter[a]=z", None, None),
    ("GET", "/some/abc/5?limit=4&flag=true&tags=q", None, None),
    ("GET", "/some/abc/5", None, None),
    ("PATCH", "/some/abc/6?flag=true", None, None),
    ("POST", "/body/abc/5?limit=2", b'{"k": [1, {"z": null}]}', "application/json"),
    ("POST", "/body/abc/5", None, "application/json"),
    ("POST", "/body/abc/5", None, None),
    ("PUT", "/body/abc/5", b'{"k": 1}', "application/json"),
    ("PUT", "/body/abc/5", b"null", "application/json"),
    ("POST", "/form", b"count=3&name=n%20m", "application/x-www-form-urlencoded"),
]


def _app(cls, **kwargs):
    app = cls(__name__, **kwargs)
    app.add_api(SPEC, resolver=Resolver(function_resolver=HANDLERS.__getitem__))
    return app


async def _run(app) -> list:
    RECORD.clear()
    statuses = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        for method, url, body, ctype in REQUESTS:
            headers = {"content-type": ctype} if ctype else {}
            r = await client.request(method, url, content=body, headers=headers)
            statuses.append((method, url, r.status_code, r.json()))
    return statuses, list(RECORD)


def test_handlers_get_the_arguments_connexions_own_decorator_gives():
    stock_status, stock = asyncio.run(_run(_app(connexion.AsyncApp)))
    ours_status, ours = asyncio.run(_run(_app(MockApp)))
    assert ours_status == stock_status
    assert all(s == 200 for _, _, s, _ in stock_status), stock_status
    assert len(stock) == len(REQUESTS)
    for (name_o, got), (name_s, want), request in zip(ours, stock, REQUESTS):
        assert (name_o, got) == (name_s, want), request
    # and what they are (so that a decorator both apps got wrong the same way would not pass unseen)
    first, second = stock[0][1], stock[1][1]
    assert first == {"thing_id": "abc", "n": 5, "limit": 10, "filter": {"a": "x"}}
    assert second["limit"] == 3 and second["tags"] == ["a", "b"] and second["ids"] == [1, 2]
    assert second["flag"] is True and second["ratio"] is None and second["pagesize"] == 7
    assert stock[7][1]["body"] == {"d": 1} and stock[10][1]["payload"] is None


@pytest.mark.parametrize("value", [
    {"a": 1, "b": [1.5, None, True, "é\u2028"], "nested": {"x": {"y": []}}},
    {1: "int key", "s": 2 ** 70},  # a non-string key; an integer orjson cannot write (Connexion's then)
    [__import__("datetime").datetime(2026, 1, 2, 3, 4, 5), __import__("datetime").date(2026, 1, 2),
     __import__("decimal").Decimal("1.25"), __import__("uuid").UUID(int=7)],
])
def test_orjson_answers_are_the_values_connexions_jsonifier_writes(value):
    import json

    from connexion.jsonifier import Jsonifier

    ours, stock = OrjsonJsonifier().dumps(value), Jsonifier().dumps(value)
    assert ours.endswith("\n") and json.loads(ours) == json.loads(stock)
