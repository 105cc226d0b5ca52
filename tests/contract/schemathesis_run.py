"""Run schemathesis (all checks, every phase including stateful) against one spec, in-process.

The apps are called over ASGI (no sockets): the same gate, credentials and handlers as the server.
Returns the figures and the failures grouped by (operation, check), each with a curl line to
reproduce it.
"""
from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from mockserver.testing import InProcess

CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"
ALL_INFERENCE = ["location-headers", "dependency-analysis"]

SPEC_URL = {"control": "/_mock/openapi.json"}  # vendors: /openapi.json on their own port


@dataclass
class Report:
    spec: str
    cases: int = 0
    seconds: float = 0.0
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{self.spec}: {self.cases} cases in {self.seconds:.1f} s, "
                 f"{len(self.failures)} failing (operation, check), {len(self.errors)} errors"]
        for (operation, check), detail in sorted(self.failures.items()):
            lines.append(f"  {operation} :: {check}: {detail}")
        lines.extend(f"  error: {e}" for e in self.errors)
        return "\n".join(lines)


def run(spec: str, max_examples: int, max_time: int, max_steps: int = 20, seed: int = 1,
         exclude_operations: tuple[str, ...] = ()) -> Report:
    """One spec, in-process, with the repository's ``schemathesis.toml`` (the configuration users run)
    plus this run's budget: seed, examples per operation, time, stateful steps."""
    stand_in = InProcess()
    gate = stand_in.gates["clarifai" if spec == "control" else spec]
    doc = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    doc.update({"seed": seed, "max-time": max_time})
    doc.setdefault("generation", {}).update({"max-examples": max_examples, "deterministic": True})
    doc.setdefault("phases", {}).setdefault("stateful", {}).update({"max-steps": max_steps})
    doc["phases"]["stateful"].setdefault("inference", {"algorithms": ALL_INFERENCE})
    config = SchemathesisConfig.from_dict(doc)
    schema = schemathesis.openapi.from_asgi(SPEC_URL.get(spec, "/openapi.json"), gate, config=config)
    for operation_id in exclude_operations:
        schema = schema.exclude(operation_id=operation_id)
    report = Report(spec)
    started = time.perf_counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            report.cases += len(recorder.cases)
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    failure = check.failure_info.failure
                    key = (recorder.label, check.name)
                    if key not in report.failures:
                        message = " ".join(str(getattr(failure, "message", "") or "").split())[:300]
                        report.failures[key] = (f"{failure.title}: {message}{_answered(recorder, case_id)} | "
                                                f"{check.failure_info.code_sample}")
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            info = getattr(event, "info", None)
            report.errors.append(str(getattr(info, "message", None) or info or event)[:500])
    report.seconds = time.perf_counter() - started
    return report


def _answered(recorder, case_id: str) -> str:
    """What the server answered the failing case (status and the start of the body), for the report."""
    interaction = recorder.interactions.get(case_id)
    response = interaction.response if interaction is not None else None
    if response is None:
        return ""
    body = " ".join((response.content or b"")[:200].decode("utf-8", "replace").split())
    return f" (answered {response.status_code}: {body})"
