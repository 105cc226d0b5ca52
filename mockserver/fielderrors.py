"""Structured field errors: what a request that breaks the spec gets, every bad field at once.

A ``FieldError`` is the field's path as the handlers spell it (``inputs[0].data``), the jsonschema keyword it
broke, that keyword's value, and a short sentence composed from those parts (``compose``): never jsonschema's
or Connexion's English text. ``validation.InvalidFields`` carries them to the error hook (``app.py``), which
hands them to the vendor's ``bad_request``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:  # (this module stays free of Connexion and jsonschema: the headless simulation reads it)
    from jsonschema import ValidationError

MAX_FIELDS = 20  # an answer names at most this many bad fields (and says how many more there were)


# -- Structured field errors ----------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldError:
    """One rule one field broke.

    ``path``: the field as the handlers spell it (``inputs[0].data.image.url``; a missing member's path
    ends with the member's name; ``""`` is the body itself; a parameter's path starts with its name).
    ``rule``: the jsonschema keyword (``required``, ``type``, ``enum``, ``minimum``, ``anyOf`` ...).
    ``expected``: that keyword's value in the schema (the enum's list, the minimum, the type ...).
    ``message``: a short sentence for people, made from the parts above (``must be at least 1``).
    ``where``: ``body``, ``query``, ``path``, ``header`` or ``cookie``.
    ``schema``: the schema holding the keyword (for renderers that need its neighbours, e.g. Draft 4's
    ``exclusiveMinimum`` next to ``minimum``)."""

    path: str
    rule: str
    expected: Any = None
    message: str = ""
    where: str = "body"
    schema: Any = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The path, or ``body`` for the body itself."""
        return self.path or "body"

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


_TYPE_WORDS = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
               "object": "a JSON object", "array": "a list", "null": "null"}
_LOCATIONS = ("path", "query", "header", "cookie")


def _value_text(value) -> str:
    return value if isinstance(value, str) and value else json.dumps(value)


def options_text(values, limit: int = 24) -> str:
    """``A, B, C`` (strings bare, other values as JSON), cut after ``limit`` values."""
    values = list(dict.fromkeys(v for v in values if not isinstance(v, (dict, list))))
    text = ", ".join(_value_text(v) for v in values[:limit])
    return text + (f" (or {len(values) - limit} more)" if len(values) > limit else "")


def types_text(expected) -> str:
    names = [expected] if isinstance(expected, str) else list(expected or [])
    return " or ".join(_TYPE_WORDS.get(n, str(n)) for n in names)


def _required_words(branch) -> str | None:
    """``image.url`` for ``{required: [image], properties: {image: {required: [url]}}}``."""
    if not isinstance(branch, dict) or not branch.get("required"):
        return None
    words = []
    for name in branch["required"]:
        inner = ((branch.get("properties") or {}).get(name) or {}).get("required")
        words.append(" and ".join(f"{name}.{n}" for n in inner) if inner else str(name))
    return " and ".join(words)


def branches_text(branches) -> str | None:
    """What the branches of an anyOf/oneOf/not ask, when each can be said in a few words: a predicate
    after "must" (``be one of A, B``, ``be a string or an integer``, ``give one of image.url, text.raw``)."""
    branches = [b for b in branches or [] if isinstance(b, dict)]
    if not branches:
        return None
    if all("enum" in b for b in branches):
        return "be one of " + options_text(v for b in branches for v in b["enum"])
    if all(set(b) <= {"type", "description", "format"} and "type" in b for b in branches):
        return "be " + types_text([t for b in branches for t in ([b["type"]] if isinstance(b["type"], str) else b["type"])])
    words = [_required_words(b) for b in branches]
    if all(words):
        return "give one of " + ", ".join(dict.fromkeys(words))
    # conditional forms (``media_type`` video needs a video ``content_type``): the members they concern
    names = list(dict.fromkeys(str(n) for b in branches for n in [*(b.get("required") or []), *(b.get("properties") or {})]))
    if names:
        return f"be one of the allowed combinations of {_and(names)}"
    return None


def _and(words: list[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def compose(rule: str, expected, schema: dict | None = None) -> str:
    """The sentence for people of a broken rule: a predicate (``must be one of A, B``), read after the
    field's name. Made from the keyword and its value only."""
    schema = schema if isinstance(schema, dict) else {}
    if rule == "required":
        return "is required"
    if rule == "type":
        return f"must be {types_text(expected)}"
    if rule == "enum":
        return f"must be one of {options_text(expected)}"
    if rule == "minimum":
        return f"must be {'greater than' if schema.get('exclusiveMinimum') is True else 'at least'} {expected}"
    if rule == "maximum":
        return f"must be {'less than' if schema.get('exclusiveMaximum') is True else 'at most'} {expected}"
    if rule in ("minLength", "minItems", "minProperties"):
        unit = {"minLength": "characters", "minItems": "items", "minProperties": "members"}[rule]
        return "must not be empty" if expected == 1 else f"must have at least {expected} {unit}"
    if rule in ("maxLength", "maxItems", "maxProperties"):
        unit = {"maxLength": "characters", "maxItems": "items", "maxProperties": "members"}[rule]
        return "must be empty" if expected == 0 else f"must have at most {expected} {unit}"
    if rule == "pattern":
        return f"must match the pattern {expected}"
    if rule == "format":
        return f"must be a valid {expected}"
    if rule == "additionalProperties":
        return "is not a known field"
    if rule == "uniqueItems":
        return "must not repeat an item"
    if rule == "multipleOf":
        return f"must be a multiple of {expected}"
    if rule in ("anyOf", "oneOf"):
        words = branches_text(expected)
        return f"must {words}" if words else "must match one of the allowed forms"
    if rule == "allOf":
        return "must match every one of the given forms"
    if rule == "not":
        if isinstance(expected, dict) and "enum" in expected:
            return f"must not be {'one of ' if len(expected['enum']) > 1 else ''}{options_text(expected['enum'])}"
        pairs = [_required_words(b) for b in (expected.get("anyOf") or [])] if isinstance(expected, dict) else []
        if pairs and all(p and " and " in p for p in pairs):
            return f"must not give {_and(pairs, 'or')} together"
        return "is not allowed here"
    if rule == "dependencies":
        return "needs the members it depends on"
    return f"breaks the {rule} rule"


def field_path(parts) -> str:
    """``("inputs", 0, "data", "image", "url")`` -> ``inputs[0].data.image.url``."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _sort_key(where: str, parts: tuple) -> tuple:
    order = _LOCATIONS.index(where) if where in _LOCATIONS else len(_LOCATIONS)
    return order, tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in parts)


def _fields_of(error: ValidationError, where: str, prefix: tuple = ()) -> list[tuple[tuple, FieldError]]:
    """jsonschema's error as (sort key, FieldError) pairs: one per missing member or unknown member."""
    parts = prefix + tuple(error.absolute_path)
    rule, expected, instance = error.validator, error.validator_value, error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}

    def one(at: tuple, message: str | None = None):
        return _sort_key(where, at), FieldError(field_path(at), rule, expected,
                                                message or compose(rule, expected, schema), where, schema)

    if rule == "required" and isinstance(instance, dict):
        return [one(parts + (name,)) for name in expected if name not in instance]
    if rule == "additionalProperties" and isinstance(instance, dict):
        known = set(schema.get("properties") or {})
        patterns = list(schema.get("patternProperties") or {})
        extra = [k for k in instance if k not in known and not any(re.search(p, k) for p in patterns)]
        if extra:
            return [one(parts + (name,)) for name in extra]
    if rule == "oneOf" and not error.context:  # valid under more than one branch
        words = branches_text(expected)
        return [one(parts, f"must {words.replace(' one of ', ' exactly one of ', 1)}" if words and " one of " in words
                    else "must match exactly one of the allowed forms")]
    return [one(parts)]


def settle(pairs: Iterable[tuple[tuple, FieldError]]) -> list[FieldError]:
    """Sorted by place and path, one per (place, path, rule)."""
    seen, out = set(), []
    for _, f in sorted(pairs, key=lambda pair: pair[0]):
        key = (f.where, f.path, f.rule)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
