"""Oversight tasks as core work: who reviews them (CloudWorkers, simulated people) and how their changes are followed.

Each workstream has one core task, ``cloudfactory:oversight:<workstream_id>`` (tenant: the workstream id,
kind classification, no review), created at the workstream's first submission.  It follows the
source ``cloudfactory:oversight:<workstream_id>``; each submitted Oversight task is an item of that
source (item id = the Oversight ``task_id``) whose ``data.prior_labels`` are the submitted ``tags``
(``{"concept": value, "confidence": confidence_score}``).  One CloudWorker is assigned per item
(partitioned, one worker per input).

CloudWorkers are simulated people of the one simulation engine (``mockserver.simulation``):

* the workstream's ``oversight.workers`` (a list of person ids) names people of the loaded scenario;
* otherwise a *default crew* of ``oversight.crew_size`` (4) people ``cloudworker-<workstream>-<n>``
  is enlisted (``simulation.enlist``): always working, seconds per task lognormal with median
  ``oversight.work_median_seconds`` (600) and ``oversight.work_sigma`` (0.5), ``accuracy``
  ``oversight.accuracy`` (0.95), ``skip_rate`` ``oversight.failure_rate`` (0).  A plain
  ``mockserver serve`` therefore completes Oversight tasks over the virtual clock.

What a CloudWorker decides (the simulation's ``truth`` and ``people``): each tag has a latent true
class -- the tag's own value, or, with probability ``oversight.correction_rate`` (0.2: how often the
model is wrong), another of the workstream's ``labels``; the worker gives the true class with
probability ``accuracy`` (else another label).  A class that differs from the tag is a correction.
Deterministic for a seed (the scenario's, 0 for the default crew without a scenario).

State (read from the core on every request, ``core.item_progress``): ``queued``, ``in_progress``,
``completed`` (``updated_inferences`` from ``core.item_result``) or ``failed`` (the CloudWorker skipped
the item, ``failure_rate``); wire.py translates the core's progress and result into the Task Status body.

The queue wait is the time until a CloudWorker is free and notices the item (the simulation's poll,
30 s, when one is idle).  Webhooks: the adapter follows each item (``core.follow_item``); the engine
reports each change (``core.check_progress``) and the adapter records it in the task's ``history``
and notifies ``callback_url`` (webhooks.py) with the virtual time the core stamped.
"""
from __future__ import annotations

import math
import weakref

from mockserver import core

from . import webhooks
from .wire import task_state, task_status

TASKS = "cloudfactory_tasks"
SUBSCRIBER = "cloudfactory.oversight"
DEFAULTS = {"correction_rate": 0.2, "failure_rate": 0.0, "work_median_seconds": 600, "work_sigma": 0.5,
            "accuracy": 0.95, "crew_size": 4, "workers": None}


def settings(ws: dict) -> dict:
    return {**DEFAULTS, **(ws.get("oversight") or {})}


def core_task_id(workstream_id: str) -> str:
    return f"cloudfactory:oversight:{workstream_id}"


source_of = core_task_id  # the source the core task follows has the same key


def crew(ws: dict) -> tuple[list[str], list[dict]]:
    """The CloudWorker ids of a workstream, and the specs of the default crew to enlist (none when named)."""
    conf = settings(ws)
    if conf["workers"]:
        return [str(w) for w in conf["workers"]], []
    speed = {"lognormal": {"mu": math.log(float(conf["work_median_seconds"])), "sigma": float(conf["work_sigma"])}}
    specs = [{"id": f"cloudworker-{ws['id']}-{n}", "speed": speed, "accuracy": float(conf["accuracy"]),
              "skip_rate": float(conf["failure_rate"])} for n in range(1, int(conf["crew_size"]) + 1)]
    return [s["id"] for s in specs], specs


def subscribe(world) -> None:
    """Listen to the progress of followed Oversight items on this world's store (idempotent)."""
    store = world.store
    if core.subscribed(store, SUBSCRIBER):
        return
    ref = weakref.ref(world)

    def listener(event: dict) -> None:
        w = ref()
        if w is not None:
            _on_progress(w, event)

    core.subscribe_progress(store, SUBSCRIBER, listener)


def core_ref(ws: dict) -> dict:
    """An Oversight task document's ``core`` field: where its item lives in the core."""
    return {"task": core_task_id(ws["id"]), "source": source_of(ws["id"])}


def add(world, ws: dict, task_id: str, tags: list) -> None:
    """Put a submitted Oversight task into the core (under the store lock), at ``core_ref(ws)``."""
    store = world.store
    subscribe(world)
    tid = core_task_id(ws["id"])
    workers, specs = crew(ws)
    try:
        core.peek_task(store, tid)  # does it exist (no copy of it needed)
    except core.NotFound:
        conf = settings(ws)
        core.create_task(store, {
            "id": tid, "tenant": ws["id"], "kind": "classification", "sources": [source_of(ws["id"])],
            "follow_source": True, "workers": workers, "status": "running",
            "assignment": {"strategy": "partitioned", "workers_per_input": 1}, "review": {"strategy": "none"},
            "meta": {"labels": list(ws.get("labels") or []), "prior_error_rate": float(conf["correction_rate"]),
                     "vendor": "cloudfactory", "purpose": "oversight"}})
    prior = [{"concept": t["value"], "confidence": t.get("confidence_score")} for t in tags
             if isinstance(t, dict) and isinstance(t.get("value"), str) and t["value"]]
    core.add_items(store, source_of(ws["id"]), [{"id": task_id, "data": {"prior_labels": prior}}], copy=False)
    core.follow_item(store, SUBSCRIBER, tid, task_id, source_of(ws["id"]))
    if specs:
        from mockserver.simulation import enlist

        enlist(world, specs)


def _on_progress(world, event: dict) -> None:
    """An Oversight item moved (under the store lock): record it and notify the callback."""
    coll = world.store.table(TASKS, indexes=("workstream_id",))
    task = coll.get(event["item_id"])
    state = task_state(event)
    if task is None or state is None or state == task["state"]:
        return
    at = event["at"] if event["at"] is not None else world.now()
    previous = task["state"]
    task = coll.update(task["id"], {"state": state, "updated_at": at,
                                    "history": task["history"] + [{"state": state, "at": at}]})
    webhooks.notify(world, task, task_status(world, task), previous, at)

