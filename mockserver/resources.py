"""Files the package ships: the OpenAPI specs, the scenarios and the JSON schemas.

They live inside the package (``mockserver/openapi``, ``mockserver/scenarios``) and are found with
``importlib.resources``, so an installed wheel, an editable install and a checkout behave alike. In the
repository the top-level ``openapi/`` and ``scenarios/`` are the source of truth; the package's
directories of the same names are links to them, which the build follows and copies into the wheel.

Nothing is ever written into the package: the JSON cache of parsed specs goes to the user's cache
directory (``$MOCKSERVER_CACHE_DIR``, else ``$XDG_CACHE_HOME/mockserver``, else ``~/.cache/mockserver``).
"""
from __future__ import annotations

import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path


def _directory(name: str) -> Path:
    # Wheels install unzipped, so the traversable is a real directory; Connexion needs a path.
    return Path(str(files("mockserver") / name))


def spec_dir() -> Path:
    return _directory("openapi")


def spec_path(name: str) -> Path:
    """``clarifai.yaml`` -> the shipped spec's path."""
    return spec_dir() / name


def scenario_dir() -> Path:
    return _directory("scenarios")


def schema_path(name: str) -> Path:
    """A JSON schema shipped beside the code (``simulation/scenario.schema.json``)."""
    return Path(str(files("mockserver").joinpath(*name.split("/"))))


def _description(path: Path) -> str:
    """The scenario's ``description:`` line, read without parsing the whole file (large-100k is big)."""
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("description:"):
                    text = line.split(":", 1)[1].strip()
                    return text.strip("'\"") if text[:1] in "'\"" else text
    except OSError:
        pass
    return ""


@lru_cache(maxsize=1)
def _shipped() -> tuple[tuple[str, str], ...]:
    return tuple((p.stem, _description(p)) for p in sorted(scenario_dir().glob("*.yaml")))


def shipped_scenarios() -> list[tuple[str, str]]:
    """``[(name, one-line description), ...]`` of the scenarios that ship with the package."""
    return list(_shipped())


def find_scenario(name_or_path: str | os.PathLike) -> Path:
    """A scenario file from a path (as given) or the name of a shipped one (``clarifai-quickstart``).

    A path that exists wins; otherwise the name (with or without ``.yaml``) is looked up among the
    shipped scenarios. Raises ``ValueError`` naming what was asked and what ships."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    stem = path.name[:-5] if path.name.endswith(".yaml") else path.name
    if str(path.parent) in (".", "scenarios"):
        shipped = scenario_dir() / f"{stem}.yaml"
        if shipped.is_file():
            return shipped
    names = ", ".join(name for name, _ in _shipped())
    raise ValueError(f"{name_or_path}: no such file, and no shipped scenario of that name (shipped: {names})")


def cache_dir() -> Path:
    """Where derived files (parsed specs) are cached between runs; never inside the package."""
    explicit = os.environ.get("MOCKSERVER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mockserver"
