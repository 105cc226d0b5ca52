"""Reports over the stored performance records of one workstream.

``from`` (inclusive) and ``to`` (exclusive) bound the record's own time: ``task_completed_at`` for
Throughput, ``review_completed_at`` for Quality.  Defaults: ``to`` = now (virtual clock), ``from`` =
``to`` - 30 days.  A ``to`` before ``from`` is an empty range (nothing in it: a report of zeros).
Records are read by their UTC-day bucket when the range covers at most 366 days, so the cost is the
number of records in the range plus its days; a longer range reads the workstream's records through
their index instead (the cost is then the workstream's records, never the whole table).

``group_by`` (optional): ``use_case`` | ``task_definition`` | ``worker`` splits the numbers by
``use_case_id`` / ``task_definition_id`` / ``worker_id``; ``totals`` always covers everything.
"""
from __future__ import annotations

from . import errors, performance, wire

DAY = 86400
MAX_DAYS = 366
GROUP_FIELDS = {"use_case": "use_case_id", "task_definition": "task_definition_id", "worker": "worker_id"}


class _Acc:
    def __init__(self):
        self.t_records = self.task_count = self.subtask_count = 0
        self.duration_sum = 0.0
        self.q_records = 0
        self.score_sum = 0.0
        self.score_min = self.score_max = None
        self.review_duration_sum = 0.0
        self.review_duration_n = 0
        self.errors: dict[str, int] = {}
        self.review_types: dict[str, int] = {}
        self.task_review_count = self.subtask_review_count = 0

    def add(self, kind, r):
        if kind == performance.THROUGHPUT:
            self.t_records += 1
            self.task_count += r.get("task_count", 1)
            self.subtask_count += r.get("subtask_count") or 0
            self.duration_sum += r.get("duration", 0)
            return
        self.q_records += 1
        s = r["review_score"]
        self.score_sum += s
        self.score_min = s if self.score_min is None else min(self.score_min, s)
        self.score_max = s if self.score_max is None else max(self.score_max, s)
        if r.get("review_duration") is not None:
            self.review_duration_sum += r["review_duration"]
            self.review_duration_n += 1
        for name, n in (r.get("errors") or {}).items():
            self.errors[name] = self.errors.get(name, 0) + n
        if r.get("review_type"):
            self.review_types[r["review_type"]] = self.review_types.get(r["review_type"], 0) + 1
        self.task_review_count += r.get("task_review_count") or 0
        self.subtask_review_count += r.get("subtask_review_count") or 0

    def out(self) -> dict:
        t, q = self.t_records, self.q_records
        return {
            "throughput": {"records": t, "task_count": self.task_count, "subtask_count": self.subtask_count,
                           "duration_sum": self.duration_sum,
                           "duration_mean": self.duration_sum / t if t else None,
                           "duration_per_task": self.duration_sum / self.task_count if self.task_count else None},
            "quality": {"records": q, "review_score_mean": self.score_sum / q if q else None,
                        "review_score_min": self.score_min, "review_score_max": self.score_max,
                        "review_duration_sum": self.review_duration_sum,
                        "review_duration_mean": (self.review_duration_sum / self.review_duration_n
                                                 if self.review_duration_n else None),
                        "errors": dict(sorted(self.errors.items())),
                        "review_types": dict(sorted(self.review_types.items())),
                        "task_review_count": self.task_review_count,
                        "subtask_review_count": self.subtask_review_count},
        }


def _iso(epoch: float, given) -> str:
    """The bound as ISO 8601 UTC, or as given when UTC cannot write it (beyond years 1..9999)."""
    try:
        return wire.iso(epoch)
    except (ValueError, OverflowError, OSError):
        return given


def _records(coll, workstream_id: str, start: float, end: float):
    """The records that may fall in [start, end): by day bucket, or all of the workstream's for a long range."""
    if end <= start:
        return
    if end - start > MAX_DAYS * DAY:
        yield from coll.find(workstream_id=workstream_id)
        return
    day = int(start // DAY) * DAY
    while day < end:
        yield from coll.find(bucket=f"{workstream_id}|{wire.day(day)}")
        day += DAY


def report(world, workstream_id: str, from_=None, to=None, group_by=None) -> dict:
    problems = {}
    end = world.now() if to is None else wire.parse_time(to)
    if end is None:
        problems["to"] = "must be an ISO 8601 date-time with an offset"
    start = (end - 30 * DAY if end is not None else None) if from_ is None else wire.parse_time(from_)
    if start is None and from_ is not None:
        problems["from"] = "must be an ISO 8601 date-time with an offset"
    if group_by is not None and group_by not in GROUP_FIELDS:
        problems["group_by"] = "must be one of use_case, task_definition, worker"
    if problems:  # values the spec refuses already (format date-time, the group_by enum); kept for direct calls
        raise errors.bad_request(problems)
    totals, groups = _Acc(), {}
    key_field = GROUP_FIELDS.get(group_by)
    for kind in (performance.THROUGHPUT, performance.QUALITY):
        for r in _records(performance.table(world.store, kind), workstream_id, start, end):
            if start <= r["at"] < end:
                totals.add(kind, r)
                if key_field:
                    groups.setdefault(r[key_field], _Acc()).add(kind, r)
    return {"workstream_id": workstream_id, "from": _iso(start, from_), "to": _iso(end, to),
            "group_by": group_by, "totals": totals.out(),
            "groups": [{"key": k, **acc.out()} for k, acc in sorted(groups.items())]}
