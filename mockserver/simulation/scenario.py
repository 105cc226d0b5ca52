"""Scenario files: read, validate against ``scenario.schema.json``, and put into a world.

A bad file is refused before anything starts, with the file, the path of the field and the reason:
``ValueError("scenarios/x.yaml: people[0].speed: ... is not valid under any of the given schemas")``.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jsonschema
import yaml

from .. import resources

SCHEMA_PATH = resources.schema_path("simulation/scenario.schema.json")
SCENARIOS_DIR = resources.scenario_dir()
VENDOR_NAMES = ("clarifai", "modelarts", "cloudfactory")


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _path(error: jsonschema.ValidationError) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _best(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    # For oneOf/anyOf the deepest sub-error usually names the field that is wrong.
    return jsonschema.exceptions.best_match([error]) if error.context else error


def validate(doc, origin: str = "<scenario>") -> None:
    """Raise ``ValueError`` naming ``origin``, the field path and the reason of the first error."""
    errors = list(_validator().iter_errors(doc))
    if errors:
        # The deepest error that names a field's own problem (a failed ``allOf`` also reports the
        # same field as "unevaluated", which would hide the reason).
        first = _best(min(errors, key=lambda e: (e.validator == "unevaluatedProperties", -len(e.absolute_path),
                                                  list(map(str, e.absolute_path)), e.message)))
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValueError(f"{origin}: {_path(first)}: {first.message}{more}")
    _check_references(doc, origin)


def _check_references(doc: dict, origin: str) -> None:
    """What the schema cannot say: unique ids, people and sources that tasks name."""
    ids = [p["id"] for p in doc.get("people", [])]
    for i, p in enumerate(doc.get("people", [])):
        if p.get("count", 1) > 1 and "{n}" not in p["id"]:
            raise ValueError(f"{origin}: people[{i}].id: with count > 1 the id needs '{{n}}' (e.g. 'worker-{{n}}')")
    seen = set()
    for i, pid in enumerate(ids):
        if pid in seen:
            raise ValueError(f"{origin}: people[{i}].id: {pid!r} appears twice")
        seen.add(pid)
    for i, t in enumerate(doc.get("tasks", [])):
        acc = t.get("acceptance")
        if acc and acc["checker"] not in _expanded_ids(doc):
            raise ValueError(f"{origin}: tasks[{i}].acceptance.checker: {acc['checker']!r} is not one of the people")
    for i, acc in enumerate(doc.get("acceptances", [])):
        if acc["checker"] not in _expanded_ids(doc):
            raise ValueError(f"{origin}: acceptances[{i}].checker: {acc['checker']!r} is not one of the people")
    for i, s in enumerate(doc.get("sources", [])):
        gen = s.get("generate")
        if gen and gen.get("weights") is not None and len(gen["weights"]) != len(gen.get("labels") or []):
            raise ValueError(f"{origin}: sources[{i}].generate.weights: needs one weight per label")


def _expanded_ids(doc: dict) -> list[str]:
    out = []
    for p in doc.get("people", []):
        n = p.get("count", 1)
        out.extend([p["id"]] if n == 1 and "{n}" not in p["id"] else [p["id"].replace("{n}", str(k)) for k in range(1, n + 1)])
    return out


def read(path: str | os.PathLike) -> dict:
    """Read and validate a scenario file (YAML or JSON)."""
    origin = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{origin}: cannot read: {exc.strerror or exc}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{origin}: not valid YAML: {exc}") from None
    if doc is None:
        doc = {}
    validate(doc, origin)
    return doc


def parse_time(value, base: float | None = None) -> float:
    """Epoch seconds from a number, an ISO 8601 date-time, or (with ``base``) a duration like 90, '2h', '3d'."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if base is None else base + float(value)
    text = str(value).strip()
    if base is not None:
        units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
        if text and text[-1] in units and _is_number(text[:-1]):
            return base + float(text[:-1]) * units[text[-1]]
        if _is_number(text):
            return base + float(text)
    stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.timestamp()


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


@dataclass
class Scenario:
    """A validated scenario, with people expanded and defaults applied."""

    doc: dict
    origin: str = "<scenario>"
    seed: int = 0
    people: list[dict] = field(default_factory=list)

    @classmethod
    def from_doc(cls, doc: dict, origin: str = "<scenario>", seed: int | None = None) -> "Scenario":
        validate(doc, origin)
        doc = copy.deepcopy(doc)
        sc = cls(doc=doc, origin=origin, seed=doc.get("seed", 0) if seed is None else int(seed))
        defaults = doc.get("defaults") or {}
        for p in doc.get("people", []):
            n = p.get("count", 1)
            ids = [p["id"]] if n == 1 and "{n}" not in p["id"] else [p["id"].replace("{n}", str(k)) for k in range(1, n + 1)]
            for pid in ids:
                spec = {**copy.deepcopy(defaults), **{k: v for k, v in p.items() if k != "count"}, "id": pid}
                sc.people.append(spec)
        return sc

    @classmethod
    def from_file(cls, path, seed: int | None = None) -> "Scenario":
        return cls.from_doc(read(path), str(path), seed)

    @property
    def name(self) -> str:
        return self.doc.get("name") or Path(self.origin).stem

    def workspace(self) -> dict:
        """Per vendor: the embedded default section with the scenario's overrides merged on top."""
        from mockserver.workspace import default_workspace

        base = default_workspace()
        for vendor, section in (self.doc.get("workspace") or {}).items():
            if isinstance(section, dict):
                base[vendor] = _merge(base.get(vendor) or {}, section)
        return base

    def clock(self) -> dict:
        c = self.doc.get("clock") or {}
        out = {}
        if "mode" in c:
            out["mode"] = c["mode"]
        if "factor" in c:
            out["factor"] = float(c["factor"])
        if "start" in c:
            out["now"] = parse_time(c["start"])
        return out


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def resolve_path(path: str) -> Path:
    """A file named by the control API: relative to ``scenarios/`` and never outside it."""
    root = SCENARIOS_DIR.resolve()
    candidate = (root / path).resolve()
    if candidate.suffix == "" and not candidate.exists():
        candidate = candidate.with_suffix(".yaml")
    if root not in candidate.parents:
        raise ValueError(f"{path}: only files inside scenarios/ can be loaded this way")
    return candidate
