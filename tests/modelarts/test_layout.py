"""The adapter's layout: routing resolves every operationId to a handler the ``handlers`` package exports,
and every handler a resource module defines is routed (none forgotten in ``handlers/__init__``)."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

from mockserver.app import load_spec, snake
from mockserver.vendors.modelarts import ModelArtsVendor
from mockserver.vendors.modelarts import handlers


def _operations() -> set[str]:
    spec = load_spec(ModelArtsVendor().spec)
    return {snake(op["operationId"]) for item in spec["paths"].values() for op in item.values()
            if isinstance(op, dict) and "operationId" in op}


def _defined() -> dict[str, object]:
    out = {}
    for info in pkgutil.iter_modules(handlers.__path__):
        module = importlib.import_module(f"{handlers.__name__}.{info.name}")
        for name, fn in vars(module).items():
            if inspect.iscoroutinefunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_"):
                out[name] = fn
    return out


def test_the_vendor_routes_to_the_handlers_package():
    assert ModelArtsVendor().handlers == handlers.__name__


def test_every_operation_resolves_to_an_exported_handler():
    missing = sorted(op for op in _operations() if not inspect.iscoroutinefunction(getattr(handlers, op, None)))
    assert missing == []
    assert set(handlers.__all__) == _operations()


def test_every_handler_is_routed():
    defined = _defined()
    assert set(defined) == _operations()
    assert all(getattr(handlers, name) is fn for name, fn in defined.items())
