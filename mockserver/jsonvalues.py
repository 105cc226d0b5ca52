"""JSON values: the one deep copy the store and the adapters use.

Stored documents and parsed bodies are JSON-like (dicts, lists, scalars) with no shared or cyclic parts, so a
copy needs no memo and is several times cheaper than ``copy.deepcopy``. Anything else (tuples, sets, objects
found in free-form ``meta``) falls back to ``copy.deepcopy``.
"""
from __future__ import annotations

import copy

ATOMS = (str, int, float, bool, type(None))


def copy_json(value):
    """A deep copy of a JSON-like value."""
    cls = value.__class__
    if cls is dict:
        return {k: (v if v.__class__ in ATOMS else copy_json(v)) for k, v in value.items()}
    if cls is list:
        return [v if v.__class__ in ATOMS else copy_json(v) for v in value]
    if cls in ATOMS:
        return value
    return copy.deepcopy(value)
