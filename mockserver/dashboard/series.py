"""The dashboard's throughput series: cumulative submissions and review verdicts per person (and
settled items) at virtual times, kept small enough to send on every poll.

``data.Dashboard`` feeds it a sample on every poll and, while the people work, every few hundred
simulated events; at most ``Series.MAX`` points are kept (halved, by keeping every other one, when
full), so the chart covers the whole run however long it is.  ``version`` changes whenever the points
do, so a poller that already holds the current version is not sent them again.
"""
from __future__ import annotations


class Series:
    MAX = 240

    def __init__(self):
        self.version = 0
        self.clear()

    def clear(self) -> None:
        self.t: list[float] = []
        self.rows: list[tuple[dict, dict, int]] = []
        self.gap = 0.0
        self.version += 1

    def add(self, t: float, submitted: dict, reviewed: dict, settled: int) -> None:
        ts, rows = self.t, self.rows
        row = (submitted, reviewed, settled)
        if ts:
            if t < ts[-1]:
                # An event counted after a poll that stamped a later now (scaled time moves between the
                # two): it belongs to the last point. (A clock set back is the owner's to notice: clear.)
                t = ts[-1]
            if rows[-1] == row:
                if t == ts[-1]:
                    return
                # nothing happened since: move the last point only if it is the only one after its
                # predecessor with these counts (a flat stretch keeps its two ends)
                if len(rows) >= 2 and rows[-2] == row:
                    ts[-1] = t
                    self.version += 1
                    return
        if len(ts) >= 2 and t - ts[-2] < self.gap and rows[-1] != rows[-2]:
            ts[-1], rows[-1] = t, row  # too close to the last kept point: the newest replaces it
        else:
            ts.append(t)
            rows.append(row)
            if len(ts) > self.MAX:
                keep = list(range(0, len(ts) - 1, 2)) + [len(ts) - 1]
                self.t = [ts[i] for i in keep]
                self.rows = [rows[i] for i in keep]
                self.gap = (self.t[-1] - self.t[0]) / (self.MAX / 2)
        self.version += 1

    def to_dict(self) -> dict:
        names_s = dict.fromkeys(n for row in self.rows for n in row[0])
        names_r = dict.fromkeys(n for row in self.rows for n in row[1])
        return {"version": self.version, "t": list(self.t),
                "submitted": {n: [row[0].get(n, 0) for row in self.rows] for n in names_s},
                "reviewed": {n: [row[1].get(n, 0) for row in self.rows] for n in names_r},
                "settled": [row[2] for row in self.rows]}
