"""Request bodies as strict JSON (RFC 8259), checked before anything else reads them.

Refused, each with a message for people (never the library's exception text):

* nesting deeper than ``MAX_DEPTH`` arrays/objects (checked on the raw bytes before parsing, so a
  100,000-deep body costs a linear scan, not a recursion; every vendor's real bodies are under 12 deep);
* ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON; Python's parser accepts them by default);
* lone UTF-16 surrogates in strings (``"\\ud800"``): they cannot be stored or sent back as UTF-8;
* bytes that are not UTF-8, and text that is not JSON.

Cost: one pass of two C-speed regular expressions when the body has more brackets than ``MAX_DEPTH``,
then the standard parser; the surrogate check runs only when the body holds a ``\\u`` escape.
"""
from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64

# The gate parses each JSON body once and leaves the value in the ASGI scope under this key; Connexion's
# body validator and the handler's body read it there (validation.py, app.py) instead of parsing again.
SCOPE_KEY = "mockserver.json"
ABSENT = object()


def parsed(scope) -> Any:
    """The body the gate parsed for this request, or ``ABSENT`` (no JSON body, or no gate in front)."""
    return scope.get(SCOPE_KEY, ABSENT)

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKETS = re.compile(rb"[^\[\]{}]+")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class BadBody(ValueError):
    """The body is not strict JSON; ``str()`` is the message for the client."""


def depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in ``body`` (brackets inside strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return body.count(b"[") + body.count(b"{")  # an upper bound that is already small enough
    brackets = _NOT_BRACKETS.sub(b"", _STRINGS.sub(b"", body))
    level = deepest = 0
    for byte in brackets:
        level += _STEP[byte]
        if level > deepest:
            deepest = level
    return deepest


def _constant(name: str):
    raise BadBody(f"Request body is not valid JSON: {name} is not a JSON number")


def parse(body: bytes) -> Any:
    """The parsed body, or ``BadBody`` saying what is wrong with it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("Request body is not valid UTF-8") from None
    if depth(body) > MAX_DEPTH:
        raise BadBody(f"Request body is nested more than {MAX_DEPTH} levels deep")
    try:
        value = json.loads(text, parse_constant=_constant)
    except BadBody:
        raise
    except RecursionError:  # cannot happen below MAX_DEPTH; kept so that no parser limit ever escapes
        raise BadBody(f"Request body is nested more than {MAX_DEPTH} levels deep") from None
    except json.JSONDecodeError as exc:
        raise BadBody(f"Request body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except ValueError:  # e.g. an integer of more than 4,300 digits
        raise BadBody("Request body is not valid JSON: a number is too large") from None
    if b"\\u" in body:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise BadBody("Request body is not valid JSON: a string holds a lone UTF-16 surrogate") from None
    return value
