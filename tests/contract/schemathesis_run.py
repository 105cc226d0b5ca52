"""Run schemathesis (all checks, every phase including stateful) against one spec, in-process.

The apps are called over ASGI (no sockets): the same gate, credentials and handlers as the server.
Returns the figures and the failures grouped by (operation, check), each with a curl line to
reproduce it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from mockserver.testing import InProcess

ALL_INFERENCE = ["location-headers", "dependency-analysis"]
# Clarifai's GET calls take ``user_app_id.user_id`` query parameters (the SDK sends them); schemathesis'
# dependency analysis then writes links naming ``query.user_app_id.user_id``, which its own link parser
# splits at the dot and refuses.  The Clarifai spec carries explicit links instead.
INFERENCE = {"clarifai": ["location-headers"]}

SPEC_URL = {"control": "/_mock/openapi.json"}  # vendors: /openapi.json on their own port


def auth_headers(vendor: str, ws: dict) -> dict[str, str]:
    return {
        "clarifai": lambda w: {"Authorization": f"Key {w['key']}"},
        "modelarts": lambda w: {"X-Auth-Token": w["token"]},
        "cloudfactory": lambda w: {"x-api-key": w["api_key"]},
    }[vendor](ws[vendor])


def known_ids(ws: dict) -> dict[str, str]:
    """Path parameters pinned to the workspace's own ids, so generated calls get past the tenant checks."""
    return {
        "path.user_id": ws["clarifai"]["user_id"],
        "path.app_id": ws["clarifai"]["app_id"],
        "path.project_id": ws["modelarts"]["project_id"],
        "path.workstream_id": ws["cloudfactory"]["workstream_id"],
    }


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


# spec -> operations whose every input is valid, with the reason.
POSITIVE_ONLY = {
    # The upload URL takes any bytes of the declared media type: there is no invalid body to generate.
    "cloudfactory": ("PutMediaUpload",),
}


def run(spec: str, max_examples: int, max_time: int, max_steps: int = 20, seed: int = 1,
        exclude_operations: tuple[str, ...] = ()) -> Report:
    stand_in = InProcess()
    ws = stand_in.world.workspace
    if spec == "control":
        gate, headers, params = stand_in.gates["clarifai"], {}, {}
    else:
        gate, headers, params = stand_in.gates[spec], auth_headers(spec, ws), known_ids(ws)
    config = SchemathesisConfig.from_dict({
        "seed": seed,
        "max-time": max_time,
        "headers": headers,
        "parameters": params,
        "generation": {"max-examples": max_examples, "deterministic": True},
        "phases": {"stateful": {"max-steps": max_steps, "inference": {"algorithms": INFERENCE.get(spec, ALL_INFERENCE)}}},
        # A schema cannot state referential rules (an id must exist, a use case must belong to the
        # workstream, an acceptance must be running); the vendors answer those with 400 (ModelArts even
        # for a missing resource), 403 (a key whose user is not a worker of the task), 404 or 409.  Schema-valid requests may therefore get those answers,
        # but never a 5xx, an undocumented status or a body that breaks the spec.
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2XX", "400", "403", "404", "409"]}},
        # Operations that have no invalid input to generate: negative mode would only filter examples out
        # until hypothesis gives up (an error that came and went with how far a time-boxed run got).
        "operations": [{"include-operation-id": op, "generation": {"mode": "positive"}}
                       for op in POSITIVE_ONLY.get(spec, ())],
    })
    schema = schemathesis.openapi.from_asgi(SPEC_URL.get(spec, "/openapi.json"), gate, config=config)
    for operation_id in exclude_operations:
        schema = schema.exclude(operation_id=operation_id)
    report = Report(spec)
    started = time.perf_counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            report.cases += len(recorder.cases)
            for checks in recorder.checks.values():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    failure = check.failure_info.failure
                    key = (recorder.label, check.name)
                    if key not in report.failures:
                        message = " ".join(str(getattr(failure, "message", "") or "").split())[:300]
                        report.failures[key] = f"{failure.title}: {message} | {check.failure_info.code_sample}"
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            info = getattr(event, "info", None)
            report.errors.append(str(getattr(info, "message", None) or info or event)[:500])
    report.seconds = time.perf_counter() - started
    return report
