"""Layers talk through public APIs: outside ``mockserver/core/`` nothing imports a core submodule or a
name the core does not export (``mockserver.core.__all__``). Checked on the source (imports, relative
ones included, and attribute reads such as ``core.records``), so a new violation fails here."""
from __future__ import annotations

import ast
from pathlib import Path

import mockserver.core

PACKAGE = Path(mockserver.core.__file__).resolve().parents[1]
PUBLIC = set(mockserver.core.__all__)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(module: str, level: int, current: str, is_package: bool) -> str:
    if not level:
        return module
    base = current.split(".") if is_package else current.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def violations(extra: dict[str, str] | None = None) -> list[str]:
    """Every violation in the package's files, plus in ``extra`` ({path inside the package: source},
    checked as if the file were there, without writing it)."""
    found = []
    sources = {path: None for path in sorted(PACKAGE.rglob("*.py"))}
    sources.update({PACKAGE / rel: text for rel, text in (extra or {}).items()})
    for path, text in sources.items():
        if "core" in path.relative_to(PACKAGE).parts[:1]:
            continue
        current = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8") if text is None else text)
        core_aliases = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = _absolute(node.module or "", node.level, current, path.name == "__init__.py")
                if target.startswith("mockserver.core."):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} imports {target}")
                elif target == "mockserver.core":
                    for alias in node.names:
                        if alias.name not in PUBLIC:
                            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} imports core.{alias.name}")
                elif target == "mockserver":
                    core_aliases.update(a.asname or a.name for a in node.names if a.name == "core")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("mockserver.core."):
                        found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} imports {alias.name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in core_aliases \
                    and node.attr not in PUBLIC:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} reads core.{node.attr}")
    return found


def test_nothing_outside_the_core_reaches_into_it():
    assert violations() == []


def test_the_check_sees_a_violation():
    # A pretend file (nothing written into the tree, where others work): an absolute import of a
    # private name, a relative import of a core submodule, and an attribute read through ``core``.
    probe = ("from mockserver.core import records\nfrom ..core.work import submit_live\n"
             "from mockserver import core\ncore.records.tables\n")
    found = violations({"vendors/_boundary_probe.py": probe})
    assert any("imports core.records" in v for v in found)
    assert any("imports mockserver.core.work" in v for v in found)
    assert any("reads core.records" in v for v in found)
