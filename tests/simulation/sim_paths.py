"""Paths the simulation tests share (not in conftest: several test folders have one)."""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
