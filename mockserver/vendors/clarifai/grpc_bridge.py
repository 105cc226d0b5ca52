"""Clarifai's V2 RPCs answered by the REST handlers: one behaviour, two transports.

An RPC and its REST operation share a name (``PostTasks`` is both the RPC and the operationId in
``specgen.ROUTES``), and the RPC's ``google.api.http`` bindings in clarifai-grpc's descriptors say which
REST path it is. A call crosses over at the protobuf JSON mapping, as clarifai-grpc's own JSON channel
does on the client side:

    request message --MessageToDict--> the dict the JSON channel would send
      -> the binding that dict fills (``route``): its path fields (``task_id``...) become handler
         arguments; for a body binding the rest of the dict is ``body``, for GET the query parameters
         the REST route declares are passed by name
      -> the REST handler, awaited in the world and principal the REST gate would set
      -> its answer, or its error envelope (``VendorError.body``) --ParseDict--> the response message

``ParseDict`` runs with ``ignore_unknown_fields=False``: an answer that does not fit the proto is a bug in
the stand-in, answered as a FAILURE status that names the mismatch (and logged). The resources of an answer
are parsed once per distinct JSON text and merged from their wire form after that (``_Parsed``).

This module needs ``protobuf`` and ``clarifai-grpc`` (the messages), not ``grpcio``; the server itself is
``grpc_server.py``. The route table is built once per process from the descriptors (about 5 ms).
"""
from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Callable

from google.api import annotations_pb2
from google.protobuf import json_format, message_factory

from clarifai_grpc.grpc.api import service_pb2

from ...vendors.base import VendorError
from . import handlers, status
from .specgen import ROUTES, templates
from .wire import CODES, invalid

log = logging.getLogger("mockserver.clarifai.grpc")

SERVICE = service_pb2.DESCRIPTOR.services_by_name["V2"]
_FIELD = re.compile(r"{([^}=]+)}")
USER, APP = "user_app_id.user_id", "user_app_id.app_id"


@dataclass(frozen=True)
class Binding:
    """One ``google.api.http`` binding: ``GET /v2/tasks/{task_id}``."""

    method: str
    template: str
    body: bool  # ``body: "*"``: the request (less its path fields) is the JSON body
    fields: tuple[str, ...]  # the template's fields, e.g. ("user_app_id.user_id", "user_app_id.app_id", "task_id")

    def path(self, values: dict[str, str]) -> str:
        return _FIELD.sub(lambda m: values[m.group(1)], self.template)


@dataclass(frozen=True)
class Rpc:
    name: str
    request: type
    response: type
    bindings: tuple[Binding, ...]  # for an implemented RPC: the ones the REST side serves
    handler: Callable | None  # the REST handler; None: not implemented by the stand-in
    query: tuple[str, ...]  # the query parameters the REST route declares (GET)
    streaming: bool


def _bindings(method) -> list[Binding]:
    rule = method.GetOptions().Extensions[annotations_pb2.http]
    out = []
    for r in [rule, *rule.additional_bindings]:
        kind = r.WhichOneof("pattern")
        if kind in (None, "custom"):
            continue
        template = getattr(r, kind)
        out.append(Binding(kind.upper(), template, r.body == "*", tuple(_FIELD.findall(template))))
    return out


def _rest_paths(route: tuple) -> set[str]:
    """The REST route's paths, with the binding's field names: ``/v2/users/{user_app_id.user_id}/...``."""
    return {t.replace("{user_id}", "{%s}" % USER).replace("{app_id}", "{%s}" % APP) for t, _ in templates(route)}


@functools.lru_cache(maxsize=1)
def rpcs() -> dict[str, Rpc]:
    """Every V2 RPC of clarifai-grpc; those with a REST route carry its handler."""
    from ...app import snake

    rest: dict[str, list] = {}
    for r in ROUTES:  # an RPC may have more than one REST route (DeleteAnnotations)
        rest.setdefault(r[0], []).append(r)
    out = {}
    for method in SERVICE.methods:
        bindings = _bindings(method)
        handler, query = None, ()
        routes = rest.get(method.name)
        if routes and not (method.client_streaming or method.server_streaming):
            served = {(r[1].upper(), p) for r in routes for p in _rest_paths(r)}
            bindings = [b for b in bindings if (b.method, b.template) in served]
            if bindings:
                handler = getattr(handlers, snake(method.name))
                query = tuple(dict.fromkeys(q for r in routes for q in r[3]))
        out[method.name] = Rpc(method.name, message_factory.GetMessageClass(method.input_type),
                               message_factory.GetMessageClass(method.output_type), tuple(bindings), handler, query,
                               method.client_streaming or method.server_streaming)
    return out


def implemented() -> list[str]:
    return sorted(name for name, rpc in rpcs().items() if rpc.handler is not None)


# -- request -> REST call -------------------------------------------------------------------------------------
def to_dict(message) -> dict:
    """The request as the JSON channel would write it (field names as in the proto, enums by name)."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _lookup(params: dict, field: str) -> Any:
    value: Any = params
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def route(rpc: Rpc, params: dict, key_app: tuple[str, str] | None = None) -> tuple[Binding, dict[str, str]]:
    """The binding the request fills, and its path values, picked as the JSON channel picks: the one
    filling most fields, ``user_app_id.user_id`` defaulting to ``me``. A scoped-only call without
    ``user_app_id`` is scoped to the app of an app key (``key_app``), as the real API does; with no app
    at all its app stays empty (authentication then answers as REST does on an unscoped route)."""
    user_app = params.get("user_app_id") if isinstance(params.get("user_app_id"), dict) else {}
    user = user_app.get("user_id") or "me"
    passes = [(user, user_app.get("app_id"))]
    if not user_app.get("app_id"):
        passes += [key_app] if key_app else []
        passes.append((user, ""))
    for i, (user_id, app_id) in enumerate(passes):
        last = i == len(passes) - 1 and len(passes) > 1
        best, best_values = None, None
        for binding in rpc.bindings:
            values = {}
            for field in binding.fields:
                value = user_id if field == USER else app_id if field == APP else _lookup(params, field)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    value = str(value)
                if not isinstance(value, str) or not (value or (last and field == APP)):
                    break
                if "/" in value and field in (USER, APP):
                    raise invalid(f"{field}: an id without '/' is required")
                values[field] = value
            else:
                if best is None or len(values) > len(best_values):
                    best, best_values = binding, values
        if best is not None:
            return best, best_values
    wanted = sorted({f for b in rpc.bindings for f in b.fields if f not in (USER, APP)})
    raise invalid(f"{', '.join(wanted) or 'user_app_id.app_id'}: required")


def _list_annotations(params: dict, kwargs: dict) -> None:
    # Repeated messages do not fit a query string; over gRPC ``statuses: [{code}]`` arrives whole.
    codes = [s.get("code") for s in params.get("statuses") or [] if isinstance(s, dict) and s.get("code")]
    kwargs["statuses"] = codes or None


def _list_tasks(params: dict, kwargs: dict) -> None:
    # ``worker_ids`` (WorkerIDSet) is the current form of the worker filter: over REST a list of user ids.
    users = [w.get("user_id") for w in params.get("worker_ids") or [] if isinstance(w, dict) and w.get("user_id")]
    kwargs["worker_ids"] = users or None


# What a query string cannot carry, translated per RPC.
ADAPTERS: dict[str, Callable[[dict, dict], None]] = {"ListAnnotations": _list_annotations, "ListTasks": _list_tasks}


def arguments(rpc: Rpc, binding: Binding, values: dict[str, str], params: dict) -> dict:
    """The handler's keyword arguments, as Connexion passes them for the REST route."""
    kwargs: dict[str, Any] = {f.rsplit(".", 1)[-1]: values[f] for f in binding.fields if f not in (USER, APP)}
    if binding.body:
        top = {f.split(".", 1)[0] for f in binding.fields if f not in (USER, APP)}
        kwargs["body"] = {k: v for k, v in params.items() if k not in top}
    else:
        for name in rpc.query:
            if "." not in name and name in params:
                kwargs[name] = params[name]
        adapter = ADAPTERS.get(rpc.name)
        if adapter is not None:
            adapter(params, kwargs)
    return kwargs


# -- answer -> response message -------------------------------------------------------------------------------
def not_implemented(rpc_name: str) -> dict:
    number, desc = CODES["NOT_IMPLEMENTED"]
    return {"status": status(number, desc, f"{rpc_name} is not implemented by the stand-in (see the README's "
                                           "'What is implemented')")}


class _Parsed:
    """Strictly parsed sub-messages, by their JSON text: a list answer repeats mostly the same resources
    (``ParseDict`` costs about 0.1 ms per task, four times the handler's share), and the same JSON always
    parses to the same message. Bounded; emptied when full."""

    def __init__(self, limit: int = 4096):
        self.limit, self.cache = limit, {}

    def merge(self, target, item: dict, field: str) -> None:
        key = (target.DESCRIPTOR.full_name, json.dumps(item, separators=(",", ":")))
        wire = self.cache.get(key)
        if wire is None:
            parsed = json_format.ParseDict(item, type(target)(), ignore_unknown_fields=False) \
                if isinstance(item, dict) else None
            if parsed is None:
                raise json_format.ParseError(f"{field}: an object is required")
            wire = parsed.SerializeToString()
            if len(self.cache) >= self.limit:
                self.cache.clear()
            self.cache[key] = wire
        target.MergeFromString(wire)


_parsed = _Parsed()
_PLAIN = frozenset({"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue",
                    "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"})


def _repeated(field) -> bool:
    is_repeated = getattr(field, "is_repeated", None)  # protobuf >= 6.31; ``label`` is deprecated there
    return is_repeated if isinstance(is_repeated, bool) else field.label == field.LABEL_REPEATED


def _parse(answer: dict, message) -> None:
    """``ParseDict(answer, message, ignore_unknown_fields=False)``, the resources of the answer's top level
    (``tasks``, ``task``, ``inputs``...) through ``_parsed``."""
    if not isinstance(answer, dict):
        raise json_format.ParseError("the answer is not an object")
    fields = message.DESCRIPTOR.fields_by_name
    rest = {}
    for key, value in answer.items():
        field = fields.get(key)
        kind = field.message_type if field is not None else None
        if kind is None or kind.full_name in _PLAIN or kind.GetOptions().map_entry or value is None:
            rest[key] = value
        elif _repeated(field):
            if not isinstance(value, list):
                raise json_format.ParseError(f"{key}: a list is required")
            target = getattr(message, key)
            for i, item in enumerate(value):
                _parsed.merge(target.add(), item, f"{key}[{i}]")
        else:
            _parsed.merge(getattr(message, key), value, key)
    json_format.ParseDict(rest, message, ignore_unknown_fields=False)


def to_message(rpc: Rpc, answer: dict):
    """The response message of ``answer``, parsed strictly: an answer that does not fit the proto (a field
    the message lacks, a wrong type) is a bug in the stand-in, answered as FAILURE naming the mismatch."""
    message = rpc.response()
    try:
        _parse(answer, message)
        return message
    except json_format.ParseError as exc:
        problem = str(exc)
    log.error("clarifai gRPC %s: the answer does not fit %s: %s", rpc.name, rpc.response.DESCRIPTOR.name, problem)
    number, desc = CODES["FAILURE"]
    return json_format.ParseDict({"status": status(number, desc, f"the stand-in's answer does not fit "
                                                                 f"{rpc.response.DESCRIPTOR.name}: {problem}")},
                                 rpc.response())


def error_answer(err: VendorError) -> dict:
    return err.body if isinstance(err.body, dict) and isinstance(err.body.get("status"), dict) else \
        {"status": status(CODES["FAILURE"][0], "Failure", str(err.body))}
