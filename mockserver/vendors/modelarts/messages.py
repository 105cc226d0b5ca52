"""Validation messages for people: Connexion's and jsonschema's wording rewritten as ModelArts would say it.

The request validator reports ``"'bad name!' does not match '^[A-Za-z0-9_-]{1,64}$' - 'workforce_name'"``
or ``"[] is not valid under any of the given schemas - 'workforces_config.workforces.0.workers.0.role'"``:
the offending value (which may be megabytes long), the schema's regular expression, and a dotted path.
``humanize`` turns such a message into ``workforce_name must be 1 to 64 letters, digits, underscores (_)
or hyphens (-)`` or ``workforces_config.workforces[0].workers[0].role must be 0 (labeler), 1 (reviewer)
or 2 (team administrator) ...``: the field, then the rule, in the words of the ModelArts pages where they
state it (``HINTS``), never the value sent nor a schema.  A message it does not recognise is kept as it
is, cut at the first blank line (Connexion appends the whole schema there).
"""
from __future__ import annotations

import re

# What a value must be, per field, in the documentation's words (the last part of the field path).
HINTS = {
    "workforce_name": "1 to 64 letters, digits, underscores (_) or hyphens (-)",
    "task_name": "1 to 64 letters, digits, underscores (_) or hyphens (-)",
    "description": "at most 256 characters",
    "comment": "at most 256 characters",
    "role": "0 (labeler), 1 (reviewer), 2 (team administrator) or 3 (dataset owner, not for a new member)",
    "emails": "an email address, several joined by commas, or a list of email addresses",
    "sample_id": "1 to 64 letters, digits, underscores (_) or hyphens (-)",
    "score": "one of A, B, C, D (A is the best)",
    "sampling_rate": "a number in (0, 1]",
    "sampling_num": "an integer >= 1",
    "sample_state": "one of __ALL__, __NONE__, __UNCHECK__, __ACCEPTED__, __REJECTED__, __UNREVIEWED__, "
                    "__REVIEWED__, __WORKFORCE_SAMPLED__ (and its _UNCHECK__, _CHECKED__, _ACCEPTED__, "
                    "_REJECTED__ forms), __AUTO_ANNOTATION__",
    "label_type": "a label type: 0, 1, 3, 100, 101, 102, 103, 200, 201, 202, 400, 600 or 900",
    "action": "0 (pass all), 1 (reject all), 2 (cancel), 3 (list conflicts), 4 or 5",
}
TYPES = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
         "object": "a JSON object", "array": "a list", "null": "null"}

_PATH = re.compile(r"^(?P<msg>.*?) - '(?P<path>[^']*)'$", re.S)
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_.]*): (?P<msg>.*)$", re.S)
_RULES = [
    (re.compile(r"^'(?P<name>[^']+)' is a required property$"), "required"),
    (re.compile(r"^.* is not of type (?P<types>'[a-z]+'(?:, '[a-z]+')*)$", re.S), "type"),
    (re.compile(r"^.* does not match '.*'$", re.S), "pattern"),
    (re.compile(r"^.* is not one of \[(?P<options>.*)\]$", re.S), "enum"),
    (re.compile(r"^.* is not valid under any of the given schemas$", re.S), "any"),
    (re.compile(r"^.* is greater than or equal to the maximum of (?P<n>\S+)$", re.S), "xmax"),
    (re.compile(r"^.* is less than or equal to the minimum of (?P<n>\S+)$", re.S), "xmin"),
    (re.compile(r"^.* is greater than the maximum of (?P<n>\S+)$", re.S), "max"),
    (re.compile(r"^.* is less than the minimum of (?P<n>\S+)$", re.S), "min"),
    (re.compile(r"^.* is too long$", re.S), "long"),
    (re.compile(r"^.* (is too short|should be non-empty)$", re.S), "short"),
    (re.compile(r"^Additional properties are not allowed \((?P<names>.*) (was|were) unexpected\)$", re.S), "extra"),
    (re.compile(r"^Missing (?P<where>\w+) parameter '(?P<name>[^']+)'$"), "missing"),
    (re.compile(r"^Extra (?P<where>\w+) parameter\(s\) (?P<names>.+) not in spec$"), "unknown"),
    (re.compile(r"^RequestBody is required$"), "nobody"),
]


def field_path(dotted: str) -> str:
    """``workforces_config.workforces.0.workers.0.role`` -> ``workforces_config.workforces[0].workers[0].role``."""
    out = ""
    for part in dotted.split("."):
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


def _must(field: str, rule: str) -> str:
    return f"{field} must be {rule}" if field else f"the body must be {rule}"


def humanize(detail: str, field: str | None = None) -> str:
    """A validation message for people (see the module's docstring)."""
    text = str(detail or "").split("\n\n")[0].strip()
    parent = None  # the object a required property is missing from
    m = _PATH.match(text)
    if m:
        text, field = m.group("msg"), field_path(m.group("path"))
        parent = field
    else:
        p = _PARAM.match(text)
        if p and not text.startswith(("Missing ", "Extra ")):
            text, field = p.group("msg"), p.group("name")
        elif field == "body":
            field = None
    name = (field or "").rsplit(".", 1)[-1].split("[", 1)[0]
    hint = HINTS.get(name)
    for rx, kind in _RULES:
        r = rx.match(text)
        if not r:
            continue
        if kind == "required":
            return f"{parent + '.' if parent else ''}{r.group('name')} is required"
        if kind == "type":
            types = [t.strip(" '") for t in r.group("types").split(",")]
            return _must(field, " or ".join(TYPES.get(t, t) for t in types))
        if kind == "pattern":
            return _must(field, hint or "in the documented form")
        if kind == "enum":
            options = ", ".join(o.strip() for o in r.group("options").split(",") if o.strip() not in ("''", ""))
            return _must(field, hint or f"one of {options}")
        if kind == "any":
            return _must(field, hint or "one of the documented forms")
        if kind in ("max", "min", "xmax", "xmin"):
            words = {"max": "at most", "min": "at least", "xmax": "less than", "xmin": "greater than"}[kind]
            return _must(field, f"{words} {r.group('n')}")
        if kind == "long":
            return f"{field} is too long: {hint}" if hint else f"{field} is too long"
        if kind == "short":
            return f"{field} must not be empty"
        if kind == "extra":
            return f"unknown field(s) {r.group('names')}{' in ' + field if field else ''}"
        if kind == "missing":
            return f"the {r.group('where')} parameter {r.group('name')} is required"
        if kind == "unknown":
            return f"unknown {r.group('where')} parameter(s): {r.group('names')}"
        if kind == "nobody":
            return "a JSON body is required"
    return f"{field}: {text}" if field and field not in text else text
