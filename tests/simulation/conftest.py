import pathlib

import pytest

from sim_paths import ROOT, SCENARIOS  # noqa: F401


@pytest.fixture
def scenario_file(tmp_path):
    """Write a scenario (a YAML string) to a file and return its path."""

    def write(text: str, name: str = "s.yaml") -> pathlib.Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
