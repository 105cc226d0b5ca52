"""Validation messages for people, as ModelArts would say them.

The request validator reports each bad field as a ``FieldError`` (``mockserver/fielderrors.py``): its path
(``workforces_config.workforces[0].workers[0].role``), the rule it broke (the jsonschema keyword) and that
rule's value. ``humanize`` says it in ModelArts' words: ``workforce_name must be 1 to 64 letters, digits,
underscores (_) or hyphens (-)`` or ``workforces_config.workforces[0].workers[0].role must be 0 (labeler),
1 (reviewer) or 2 (team administrator) ...``: the field, then the rule, in the words of the ModelArts pages
where they state it (``HINTS``), never the value sent nor a schema. ``plain`` keeps a message that is not
about one field's rule (a body that is not JSON, a header given twice) as it is.
"""
from __future__ import annotations

from ...fielderrors import FieldError, branches_text, options_text, types_text

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


_UNITS = {"minLength": "characters", "maxLength": "characters", "minItems": "items", "maxItems": "items",
          "minProperties": "members", "maxProperties": "members"}


def _must(field: str, rule: str) -> str:
    return f"{field} must be {rule}" if field else f"the body must be {rule}"


def humanize(error: FieldError) -> str:
    """One bad field, in ModelArts' words (see the module's docstring)."""
    field, rule, expected = error.path, error.rule, error.expected
    schema = error.schema if isinstance(error.schema, dict) else {}
    parameter = error.where != "body"
    name = field.rsplit(".", 1)[-1].split("[", 1)[0]
    hint = HINTS.get(name)
    if rule == "required":
        if parameter:
            return f"the {error.where} parameter {field} is required"
        return f"{field} is required" if field else "a JSON body is required"
    if rule == "additionalProperties":
        if parameter:
            return f"unknown {error.where} parameter {field}"
        parent, _, last = field.rpartition(".")
        return f"unknown field {last}{' in ' + parent if parent else ''}"
    if rule == "type":
        return _must(field, types_text(expected))
    if rule == "pattern":
        return _must(field, hint or "in the documented form")
    if rule == "format":
        return _must(field, hint or f"a valid {expected}")
    if rule == "enum":
        return _must(field, hint or f"one of {options_text(v for v in expected if v != '')}")
    if rule in ("anyOf", "oneOf"):
        if hint:
            return _must(field, hint)
        words = branches_text(expected)
        return f"{field or 'the body'} must {words}" if words else _must(field, "one of the documented forms")
    if rule in ("minimum", "maximum"):
        exclusive = schema.get("exclusiveMinimum" if rule == "minimum" else "exclusiveMaximum") is True
        words = {("minimum", False): "at least", ("minimum", True): "greater than",
                 ("maximum", False): "at most", ("maximum", True): "less than"}[rule, exclusive]
        return _must(field, f"{words} {expected}")
    if rule in ("minLength", "minItems", "minProperties"):
        if expected == 1:
            return f"{field or 'the body'} must not be empty"
        return f"{field or 'the body'} must have at least {expected} {_UNITS[rule]}"
    if rule in ("maxLength", "maxItems", "maxProperties"):
        if hint:
            return f"{field} is too long: {hint}"
        return f"{field or 'the body'} is too long: at most {expected} {_UNITS[rule]}"
    return f"{field or 'the body'} {error.message}"


def plain(message: str, field: str | None = None) -> str:
    """A message that is not one field's rule, kept as it is (cut at the first blank line, where
    Connexion appends a schema), prefixed with the field when it does not name it already."""
    text = str(message or "").split("\n\n")[0].strip()
    if field and field != "body" and field not in text:
        return f"{field}: {text}"
    return text
