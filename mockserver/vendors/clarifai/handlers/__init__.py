"""Clarifai handlers (operationId -> snake_case): read the request, call the translators, answer.

Every call exists unscoped (``/v2/...``, the app comes from the key) and app-scoped
(``/v2/users/{user_id}/apps/{app_id}/...``); the scoped operation ids end in ``Scoped`` and share the
handler.  ``user_app_id`` (body) and ``user_app_id.*`` (query), which the client repeats, are ignored.
The gRPC front answers each RPC with the handler of its name (``grpc_bridge``).

    tasks.py   tasks and label orders
    data.py    inputs, concepts, datasets (inputs, versions), input and concept searches and counts
    work.py    annotations, task work (assignments, review, counts), collaborators
"""
from __future__ import annotations

from ....app import snake
from ..specgen import OPERATION_IDS, ROUTES, UNSCOPED_ONLY
from .data import *  # noqa: F401,F403
from .tasks import *  # noqa: F401,F403
from .work import *  # noqa: F401,F403
from .data import list_user_datasets  # noqa: F401
from .work import delete_app_annotations  # noqa: F401

# The app-scoped twins: same behaviour, the app comes from the path (checked by the adapter).
for _op, _method, _path, *_rest, _scoped_only in ROUTES:
    _name = snake(OPERATION_IDS.get((_op, _path), _op))
    if not _scoped_only and (_op, _path) not in UNSCOPED_ONLY:
        globals()[f"{_name}_scoped"] = globals()[_name]
