"""Which Clarifai call a REST request is, before Connexion routes it: the answer's always-written list.

Clarifai writes a response's ``cl_show_if_empty`` list (``tasks``, ``inputs``...) even in an error answer,
so authentication (which runs before the handler, and before Connexion's own validation) needs the
call's answer type. The table is ``specgen.ROUTES``, matched literal segments first, as Connexion
routes the generated spec (``specgen.path_order``).
"""
from __future__ import annotations

import functools
import re

from .spec_schemas import SHOW_IF_EMPTY
from .specgen import ROUTES, path_order, templates


@functools.lru_cache(maxsize=1)
def _table() -> list[tuple[str, re.Pattern, str]]:
    rows = []
    for route in ROUTES:
        method, answer = route[1], route[5]
        for template, _scoped in templates(route):
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "/?$")
            rows.append((template, method.upper(), pattern, answer))
    rows.sort(key=lambda r: path_order(r[0]))
    return [(method, pattern, answer) for _t, method, pattern, answer in rows]


@functools.lru_cache(maxsize=4096)
def answer_list(method: str, path: str) -> str | None:
    """The list field the answer of ``method path`` always writes (``tasks``), or None."""
    method = method.upper()
    for verb, pattern, answer in _table():
        if verb == method and pattern.match(path):
            return SHOW_IF_EMPTY.get(answer)
    return None
