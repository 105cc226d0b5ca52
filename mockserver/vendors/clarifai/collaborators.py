"""An app's collaborators: the users besides its owner who may reach it and work on its tasks.

One record per (app, user) in ``clarifai_collaborators``; deleting a collaborator stamps ``deleted_at``
(``ListCollaborators`` with ``list_all_collaborators`` still shows it) and adding the user again revives
the record. What being a collaborator gives:

* a PAT of the user reaches the app through the app-scoped routes (``ClarifaiVendor.authenticate``);
* the user may be a worker or reviewer of the app's tasks (the app owner may too; anyone else is refused
  at task creation and change with TASK_PERMISSION_DENIED).

Only the app's owner (its app key or the owner's PAT) may add, change or remove collaborators.
The workspace seeds the default app's labelers and reviewers (``workers``, ``reviewers``, the users of
``collaborator_pats``) as collaborators.
"""
from __future__ import annotations

import copy
import hashlib

from ...world import current_world
from .wire import failure, invalid, timestamp

USER_FIELDS = ("id", "primary_email", "first_name", "last_name", "company_name", "job_title", "job_role")


def table(store):
    return store.table("clarifai_collaborators", indexes=("app",))


def owner_of(app: str) -> str:
    return app.split("/", 1)[0]


def is_member(store, app: str, user_id: str) -> bool:
    """The app's owner or one of its (not deleted) collaborators."""
    if user_id == owner_of(app):
        return True
    doc = table(store).get(f"{app}/{user_id}")
    return doc is not None and doc.get("deleted_at") is None


def user_info(store, app: str, user_id: str) -> dict:
    """What the app knows of a user (a collaborator's user as given when invited); at least the id."""
    doc = table(store).get(f"{app}/{user_id}")
    return copy.deepcopy(doc["user"]) if doc is not None else {"id": user_id}


def require_owner(who: dict) -> None:
    if who["caller"] != who["user_id"]:
        raise failure(403, "CONN_INSUFFICIENT_SCOPES",
                      f"only the app's owner {who['user_id']!r} may change its collaborators")


def _user(wire, field: str) -> dict:
    user = wire.get("user") if isinstance(wire, dict) else None
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"] or "/" in user["id"]:
        raise invalid(f"{field}.user.id: a user id is required")
    return {k: user[k] for k in USER_FIELDS if isinstance(user.get(k), str) and user[k]}


def _strings(value, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(f"{field}: a list of strings is required")
    return list(value)


def add(app: str, wire: list, at: float | None = None) -> list[dict]:
    """Invite users (all or nothing); a removed collaborator invited again comes back."""
    store = current_world().store
    coll = table(store)
    now = current_world().now() if at is None else at
    docs, seen = [], set()
    for i, c in enumerate(wire):
        field = f"collaborators[{i}]"
        user = _user(c, field)
        if user["id"] == owner_of(app):
            raise invalid(f"{field}.user.id: {user['id']!r} owns the app", 409)
        key = f"{app}/{user['id']}"
        old = coll.get(key)
        if (old is not None and old.get("deleted_at") is None) or key in seen:
            raise failure(409, "DATABASE_DUPLICATE_KEY", f"{field}.user.id: {user['id']!r} is already a collaborator")
        seen.add(key)
        given = c.get("id")
        if given is not None and (not isinstance(given, str) or not given):
            raise invalid(f"{field}.id: a string is required")
        docs.append({"id": key, "app": app, "user_id": user["id"],
                     # Derived from the app and the user, so seeding and reset give the same ids every time.
                     "collaborator_id": given or (old or {}).get("collaborator_id")
                     or hashlib.blake2b(key.encode(), digest_size=16).hexdigest(),
                     "user": user, "scopes": _strings(c.get("scopes"), f"{field}.scopes"),
                     "endpoints": _strings(c.get("endpoints"), f"{field}.endpoints"),
                     "created_at": now, "modified_at": now, "deleted_at": None})
    with store.lock:
        for doc in docs:
            coll.upsert(doc)
        return [coll.get(d["id"]) for d in docs]


def _find(app: str, ref: str) -> dict | None:
    """A collaborator by its collaborator id or its user id."""
    store = current_world().store
    doc = table(store).get(f"{app}/{ref}")
    if doc is not None:
        return doc
    return next((d for d in table(store).find(app=app) if d["collaborator_id"] == ref), None)


def patch(app: str, wire: list, action: str) -> list[dict]:
    """``overwrite`` (the only action Clarifai supports) replaces the scopes, endpoints and user details
    of collaborators named by ``id`` or ``user.id``."""
    if action != "overwrite":
        raise invalid(f"action: {action!r} is not supported; only overwrite")
    store = current_world().store
    changes = []
    for i, c in enumerate(wire):
        field = f"collaborators[{i}]"
        if not isinstance(c, dict):
            raise invalid(f"{field}: an object is required")
        ref = c.get("id") or ((c.get("user") or {}).get("id") if isinstance(c.get("user"), dict) else None)
        doc = _find(app, ref) if isinstance(ref, str) and ref else None
        if doc is None or doc.get("deleted_at") is not None:
            raise failure(404, "CONN_DOES_NOT_EXIST", f"{field}: no collaborator {ref!r}")
        fields = {"scopes": _strings(c.get("scopes"), f"{field}.scopes"),
                  "endpoints": _strings(c.get("endpoints"), f"{field}.endpoints")}
        if isinstance(c.get("user"), dict):
            fields["user"] = {**_user(c, field), "id": doc["user_id"]}
        changes.append((doc["id"], fields))
    now = current_world().now()
    with store.lock:
        return [table(store).update(doc_id, {**fields, "modified_at": now}) for doc_id, fields in changes]


def remove(app: str, refs: list, emails: list) -> None:
    """Remove collaborators named by collaborator id, user id or the user's e-mail (all or nothing)."""
    store = current_world().store
    found = []
    for i, ref in enumerate(refs):
        doc = _find(app, ref) if isinstance(ref, str) and ref else None
        if doc is None or doc.get("deleted_at") is not None:
            raise failure(404, "CONN_DOES_NOT_EXIST", f"collaborator_ids[{i}]: no collaborator {ref!r}")
        found.append(doc["id"])
    for i, email in enumerate(emails):
        doc = next((d for d in table(store).find(app=app) if d.get("deleted_at") is None and isinstance(email, str)
                    and d["user"].get("primary_email", "").lower() == email.lower()), None)
        if doc is None:
            raise failure(404, "CONN_DOES_NOT_EXIST", f"user_emails[{i}]: no collaborator with e-mail {email!r}")
        found.append(doc["id"])
    if not found:
        raise invalid("collaborator_ids: required (or user_emails)")
    now = current_world().now()
    with store.lock:
        for doc_id in dict.fromkeys(found):
            table(store).update(doc_id, {"deleted_at": now, "modified_at": now})


def listing(app: str, include_deleted: bool = False) -> list[dict]:
    return [d for d in table(current_world().store).find(app=app) if include_deleted or d.get("deleted_at") is None]


def render(doc: dict) -> dict:
    user_id, app_id = doc["app"].split("/", 1)
    out = {"id": doc["collaborator_id"], "app": {"id": app_id, "user_id": user_id}, "user": copy.deepcopy(doc["user"]),
           "scopes": list(doc["scopes"]), "endpoints": list(doc["endpoints"]),
           "created_at": timestamp(doc["created_at"]), "modified_at": timestamp(doc["modified_at"])}
    if doc.get("deleted_at") is not None:
        out["deleted_at"] = timestamp(doc["deleted_at"])
    return out


def seed(app: str, users: list[str], at: float) -> None:
    """The workspace's labelers and reviewers, as collaborators of ``app`` (e-mail ``<id>@users.mockserver.local``)."""
    owner = owner_of(app)
    add(app, [{"user": {"id": u, "primary_email": f"{u}@users.mockserver.local"}, "scopes": ["All"]}
              for u in dict.fromkeys(users) if u != owner], at=at)
