"""A task's lifecycle: its statuses and every allowed transition, in one table.

=============== ==================================== ==========================================
status          meaning                              Clarifai / ModelArts
=============== ==================================== ==========================================
``created``     defined, not started                 TASK_IDLE / 6 created
``idle``        nothing to do right now              TASK_IDLE / 1 running
``running``     labeling under way                   TASK_IN_PROGRESS / 1 running
``in_progress`` synonym kept for Clarifai adapters   TASK_IN_PROGRESS / 1 running
``accepting``   an acceptance (sampling) is running  - / 2 accepting
``accepted``    acceptance passed                    TASK_DONE / 3 accepted
``rejected``    acceptance rejected                  - / 4 rejected
``done``        closed by its owner                  TASK_DONE / 3 accepted
``wont_do``     abandoned                            TASK_WONT_DO / -
``failed``      failed                               TASK_FAILED / -
=============== ==================================== ==========================================

Two kinds of change, each with its own row of the table:

* ``owner``: an owner sets the status (``update_task``/``set_task_status``: Clarifai's PatchTasks, ModelArts'
  start).  Open and closed statuses reach each other freely (Clarifai lets an owner reopen a task it
  closed), a finished acceptance leaves the task open to relabeling or closing, but the acceptance
  statuses themselves are the acceptance's to set, and nothing but the acceptance's decision leaves
  ``accepting``.
* ``acceptance``: an acceptance starts (``accepting``) from any status but ``accepting`` and, when
  decided, ends in ``accepted``, ``rejected`` or (cancelled) the status the task had before it.

An illegal change raises ``IllegalTransition`` (an ``InvalidState``) carrying ``current`` and
``requested``, so an adapter picks its vendor's error from them, not from message text.
"""
from __future__ import annotations

from .errors import InvalidArgument, InvalidState

OPEN = ("created", "idle", "running", "in_progress")
CLOSED = ("done", "wont_do", "failed")
ACCEPTANCE = ("accepting", "accepted", "rejected")
TASK_STATUSES = OPEN + ACCEPTANCE + CLOSED

_SETTABLE = frozenset(OPEN + CLOSED)
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "owner": {**{s: _SETTABLE for s in OPEN + CLOSED + ("accepted", "rejected")}, "accepting": frozenset()},
    "acceptance": {**{s: frozenset({"accepting"}) for s in OPEN + CLOSED + ("accepted", "rejected")},
                   # the decision: passed, failed, or cancelled (back to whatever the task was before)
                   "accepting": frozenset(("accepted", "rejected") + OPEN + CLOSED)},
}


class IllegalTransition(InvalidState):
    """The task cannot go from ``current`` to ``requested`` this way (see ``TRANSITIONS``)."""

    def __init__(self, task_id: str, current: str, requested: str, by: str):
        why = ("an acceptance is running: only its decision changes the status" if current == "accepting"
               else f"only an acceptance sets {requested!r}" if requested in ACCEPTANCE
               else f"not an allowed {by} transition")
        super().__init__(f"task {task_id!r} cannot go from {current!r} to {requested!r}: {why}")
        self.task_id, self.current, self.requested, self.by = task_id, current, requested, by


def check_status(status: str) -> str:
    if status not in TASK_STATUSES:
        raise InvalidArgument(f"unknown task status {status!r}; one of {', '.join(TASK_STATUSES)}")
    return status


def check_transition(task_id: str, current: str, requested: str, by: str = "owner") -> str:
    """``requested`` when the table allows it (an unchanged status always is), else ``IllegalTransition``."""
    check_status(requested)
    if requested != current and requested not in TRANSITIONS[by].get(current, ()):
        raise IllegalTransition(task_id, current, requested, by)
    return requested


def can_change(current: str, requested: str, by: str = "owner") -> bool:
    return requested == current or requested in TRANSITIONS[by].get(current, ())
