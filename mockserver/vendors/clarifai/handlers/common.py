"""What every Clarifai handler reads: the app and the caller of the request, list fields, pages."""
from __future__ import annotations

from ....world import current_principal
from ..wire import invalid


def app_of() -> str:
    """``user/app`` of the call (from the path, or the app key's own app)."""
    return current_principal()["app"]


def caller() -> str:
    """The user who calls (the app key's owner, or a PAT's user)."""
    return current_principal()["caller"]


def is_owner() -> bool:
    who = current_principal()
    return who["caller"] == who["user_id"]


def listed(body, key: str) -> list:
    value = (body or {}).get(key)
    if not isinstance(value, list) or not value:
        raise invalid(f"{key}: a non-empty list is required")
    return value


def action_of(body, allowed: tuple[str, ...], default: str) -> str:
    action = (body or {}).get("action") or default
    if action not in allowed:
        raise invalid(f"action: {action!r} is not supported; one of {', '.join(allowed)}")
    return action
