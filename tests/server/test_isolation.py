"""This package runs inside other people's test processes (the pytest plugin's in-process mode): importing
it and building its apps must leave every library exactly as it was. A user's own Connexion app in the same
process still validates its spec, and no class attribute of Connexion (or any library) changes."""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "mockserver"

PROBE = textwrap.dedent('''
    import importlib, inspect, pkgutil, sys
    import connexion
    from connexion.exceptions import InvalidSpecification

    def snapshot():
        out = {}
        for info in pkgutil.walk_packages(connexion.__path__, "connexion."):
            if info.name.endswith("__main__") or info.name.startswith("connexion.cli"):
                continue  # command-line entry points run on import
            try:
                module = importlib.import_module(info.name)
            except Exception:
                continue
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__.startswith("connexion"):
                    out[f"{cls.__module__}.{cls.__qualname__}"] = dict(vars(cls))
        return out

    INVALID = {"openapi": "3.0.3", "info": {"title": "user app"}, "paths": {"/x": {"get": {"responses": "nope"}}}}

    def user_spec_refused():
        try:
            connexion.AsyncApp(__name__).add_api(INVALID)
        except InvalidSpecification:
            return True
        return False

    before = snapshot()
    assert user_spec_refused(), "precondition: Connexion refuses an invalid spec"
    import mockserver.app, mockserver.pytest_plugin, mockserver.testing
    from mockserver.testing import InProcess
    mock = InProcess()
    with mock.client("clarifai", headers={"Authorization": "Key mock-clarifai-key"}) as c:
        assert c.get("/v2/users/mock-user/apps/mock-app/tasks").status_code == 200
    after = snapshot()
    changed = sorted(name for name in before if before[name] != after.get(name))
    assert not changed, f"class attributes changed by mockserver: {changed}"
    assert user_spec_refused(), "a user's Connexion app stopped validating its spec after importing mockserver"
    print("isolated")
''')


def test_importing_and_using_mockserver_leaves_connexion_unchanged():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "isolated" in result.stdout, result.stdout + result.stderr


def _third_party_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if not a.name.startswith("mockserver"))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and not (node.module or "").startswith("mockserver"):
            names.update(a.asname or a.name for a in node.names)
    return names


def assignments_to_library_attributes() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        libs = _third_party_names(tree)
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                base = target
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(target, ast.Attribute) and isinstance(base, ast.Name) and base.id in libs:
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} assigns {ast.unparse(target)}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" \
                    and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in libs:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} setattr on {node.args[0].id}")
    return found


def test_no_module_assigns_to_a_library_s_attributes():
    assert assignments_to_library_attributes() == []
