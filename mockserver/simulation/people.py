"""Simulated people: how fast they work, how often they are right, when they work, how they review.

Everything a person does to one item is a pure function of ``(seed, person, task, item, attempt)``:
each decision draws from its own generator keyed by that, so the outcome does not
depend on the order events ran in, and nothing but the inputs needs to be remembered.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


_M64 = (1 << 64) - 1
_TAU = 2.0 * math.pi
_Random = random.Random
_blake2b = hashlib.blake2b
_from_bytes = int.from_bytes


class KeyedRandom:
    """A small generator for one decision: splitmix64 started from a BLAKE2b hash of its key.

    Seeding a Mersenne Twister (``random.Random(key)``) cost ~8 us, more than everything else a
    decision needs, and a simulation makes two per event.  This one costs a hash; its numbers are
    stable across processes and PYTHONHASHSEED.  The distributions are ``random.Random``'s own
    (borrowed methods that draw through ``random()``).
    """

    __slots__ = ("_s", "gauss_next")

    def __init__(self, key: str):
        self._s = _from_bytes(_blake2b(key.encode(), digest_size=8).digest(), "big")
        self.gauss_next = None

    def random(self) -> float:
        s = self._s = (self._s + 0x9E3779B97F4A7C15) & _M64
        z = ((s ^ (s >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
        return ((z ^ (z >> 31)) >> 11) * (1.0 / 9007199254740992.0)  # 53 bits in [0, 1)

    _randbelow = _Random._randbelow_without_getrandbits
    uniform = _Random.uniform
    normalvariate = _Random.normalvariate
    lognormvariate = _Random.lognormvariate
    gauss = _Random.gauss
    choice = _Random.choice
    choices = _Random.choices


def rng_for(*parts) -> KeyedRandom:
    # ``KeyedRandom(key)``, without the ``__init__`` frame (two per event): the same state.
    rng = _new_rng(KeyedRandom)
    rng._s = _from_bytes(_blake2b(KEY_SEP.join(map(str, parts)).encode(), digest_size=8).digest(), "big")
    rng.gauss_next = None
    return rng


def rng_of(key: str) -> KeyedRandom:
    """``rng_for(*parts)`` given the key it makes of them (``KEY_SEP.join(map(str, parts))``), built by
    the caller: the per-event paths spell the key out as one f-string (no tuple, ``map`` or ``join``)."""
    rng = _new_rng(KeyedRandom)
    rng._s = _from_bytes(_blake2b(key.encode(), digest_size=8).digest(), "big")
    rng.gauss_next = None
    return rng


_new_rng = object.__new__


KEY_SEP = "\x1f"  # joins the parts of a decision's key (``rng_for``)


# -- speed ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Speed:
    """Seconds per item: ``fixed``, ``uniform`` [a, b] or ``lognormal`` (mu, sigma of the log)."""

    kind: str = "fixed"
    a: float = 10.0
    b: float = 0.0

    @classmethod
    def parse(cls, spec) -> "Speed":
        if spec is None:
            return cls()
        if isinstance(spec, (int, float)):
            return cls("fixed", float(spec))
        if "fixed" in spec:
            return cls("fixed", float(spec["fixed"]))
        if "uniform" in spec:
            lo, hi = spec["uniform"]
            return cls("uniform", float(lo), float(hi))
        ln = spec["lognormal"]
        return cls("lognormal", float(ln["mu"]), float(ln["sigma"]))

    def sample(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            return self.a
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b)
        # Box-Muller: one normal from two uniforms (``lognormvariate``'s rejection loop drew ~2.7).
        u1, u2 = rng.random(), rng.random()
        return math.exp(self.a + self.b * math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(_TAU * u2))

    def sample_key(self, key: str) -> float:
        """``self.sample(rng_of(key))``, the same number, without the generator object and its calls (a
        simulation samples once per event): a lognormal's two uniforms are the first two draws of
        ``KeyedRandom.random`` from the key's state, its steps spelled out (keep the two in step)."""
        if self.kind == "fixed":
            return self.a
        if self.kind == "uniform":
            return self.sample(rng_of(key))
        s = (_from_bytes(_blake2b(key.encode(), digest_size=8).digest(), "big") + 0x9E3779B97F4A7C15) & _M64
        z = ((s ^ (s >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
        u1 = ((z ^ (z >> 31)) >> 11) * (1.0 / 9007199254740992.0)
        s = (s + 0x9E3779B97F4A7C15) & _M64
        z = ((s ^ (s >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
        u2 = ((z ^ (z >> 31)) >> 11) * (1.0 / 9007199254740992.0)
        return math.exp(self.a + self.b * math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(_TAU * u2))

    def mean(self) -> float:
        if self.kind == "fixed":
            return self.a
        if self.kind == "uniform":
            return (self.a + self.b) / 2
        return math.exp(self.a + self.b ** 2 / 2)


# -- schedule ---------------------------------------------------------------------------------------
def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


@dataclass
class Schedule:
    """Working hours in a time zone, on some weekdays, minus breaks.  ``None`` hours: always working.

    Durations are counted in working time: an item started before a break is finished after it.
    """

    timezone: str = "UTC"
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    hours: tuple[int, int] | None = None  # minutes after local midnight
    breaks: tuple[tuple[int, int], ...] = ()
    _tz: ZoneInfo = field(init=False, repr=False, default=None)
    _always: bool = field(init=False, repr=False, compare=False, default=False)
    _cache: dict = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self):
        self._tz = ZoneInfo(self.timezone)
        # ``always``, worked out once for the per-event ``next_working``/``add_working`` (the fields are
        # not changed after construction).
        self._always = self.always

    @classmethod
    def parse(cls, spec) -> "Schedule":
        if not spec:
            return cls()
        hours = spec.get("hours")
        return cls(timezone=spec.get("timezone", "UTC"),
                   days=tuple(DAYS.index(d) for d in spec.get("days", DAYS)),
                   hours=(_minutes(hours[0]), _minutes(hours[1])) if hours else None,
                   breaks=tuple((_minutes(b[0]), _minutes(b[1])) for b in spec.get("breaks", [])))

    @property
    def always(self) -> bool:
        return self.hours is None and not self.breaks and len(self.days) == 7

    def _intervals(self, day: dt.date) -> list[tuple[float, float]]:
        """Working intervals of one local day, as epoch seconds."""
        got = self._cache.get(day)
        if got is not None:
            return got
        out: list[tuple[float, float]] = []
        if day.weekday() in self.days:
            start, end = self.hours or (0, 24 * 60)
            cuts = [(start, end)]
            for b0, b1 in sorted(self.breaks):
                nxt = []
                for s, e in cuts:
                    if b1 <= s or b0 >= e:
                        nxt.append((s, e))
                        continue
                    if s < b0:
                        nxt.append((s, b0))
                    if b1 < e:
                        nxt.append((b1, e))
                cuts = nxt
            midnight = dt.datetime.combine(day, dt.time(0), tzinfo=self._tz)
            for s, e in cuts:
                # Wall-clock minutes -> instants (DST days have 23 or 25 hours; this follows the wall clock).
                t0 = (midnight + dt.timedelta(minutes=s)).timestamp()
                t1 = (midnight + dt.timedelta(minutes=e)).timestamp() if e < 24 * 60 else \
                    dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=self._tz).timestamp()
                out.append((t0, t1))
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[day] = out
        return out

    def _interval_at_or_after(self, t: float) -> tuple[float, float] | None:
        day = dt.datetime.fromtimestamp(t, self._tz).date()
        for _ in range(15):
            for s, e in self._intervals(day):
                if e > t:
                    return (max(s, t), e)
            day += dt.timedelta(days=1)
        return None  # no working time within two weeks: the person never works

    def next_working(self, t: float) -> float | None:
        """``t`` if working then, else the start of the next working interval."""
        if self._always:
            return t
        iv = self._interval_at_or_after(t)
        return None if iv is None else iv[0]

    def add_working(self, t: float, seconds: float) -> float | None:
        """The instant when ``seconds`` of working time starting at ``t`` have passed."""
        if self._always:
            return t + seconds
        left = seconds
        while True:
            iv = self._interval_at_or_after(t)
            if iv is None:
                return None
            s, e = iv
            if s + left <= e:
                return s + left
            left -= e - s
            t = e


# -- labeling ---------------------------------------------------------------------------------------
@dataclass
class Person:
    id: str
    speed: Speed
    review_speed: Speed
    accuracy: float = 1.0
    confusion: dict | None = None  # true label -> {given label: weight}
    box_jitter: float = 0.0
    skip_rate: float = 0.0
    catch_rate: float = 1.0
    request_changes_share: float = 0.0
    false_reject_rate: float = 0.0
    schedule: Schedule = field(default_factory=Schedule)

    @classmethod
    def parse(cls, spec: dict) -> "Person":
        acc = spec.get("accuracy", 1.0)
        confusion = acc.get("confusion") if isinstance(acc, dict) else None
        speed = Speed.parse(spec.get("speed"))
        return cls(id=spec["id"], speed=speed,
                   review_speed=Speed.parse(spec["review_speed"]) if "review_speed" in spec else speed,
                   accuracy=float(acc) if not isinstance(acc, dict) else 1.0, confusion=confusion,
                   box_jitter=float(spec.get("box_jitter", 0.0)), skip_rate=float(spec.get("skip_rate", 0.0)),
                   catch_rate=float(spec.get("catch_rate", 1.0)),
                   request_changes_share=float(spec.get("request_changes_share", 0.0)),
                   false_reject_rate=float(spec.get("false_reject_rate", 0.0)),
                   schedule=Schedule.parse(spec.get("schedule")))

    def concept(self, truth: str, labels: list[str], rng: random.Random) -> str:
        """The concept this person gives for an instance whose true concept is ``truth``."""
        if self.confusion is not None:
            row = self.confusion.get(truth)
            if not row:
                return truth
            names = sorted(row)
            return rng.choices(names, weights=[row[n] for n in names])[0]
        if rng.random() < self.accuracy:
            return truth
        others = [c for c in labels if c != truth]
        return rng.choice(others) if others else truth

    def label(self, truth: list[dict], labels: list[str], rng: random.Random) -> list[dict]:
        """This person's labels for an item whose ground truth is ``truth``."""
        out = []
        for t in truth:
            given = {"concept": self.concept(t["concept"], labels, rng)}
            if "box" in t:
                j = self.box_jitter
                given["box"] = [round(v + (rng.gauss(0.0, j) if j else 0.0), 2) for v in t["box"]]
            if "polygon" in t:
                j = self.box_jitter
                given["polygon"] = [[round(x + (rng.gauss(0.0, j) if j else 0.0), 2),
                                     round(y + (rng.gauss(0.0, j) if j else 0.0), 2)] for x, y in t["polygon"]]
            out.append(given)
        return out

    def review(self, correct: bool, rng: random.Random) -> str:
        """approve | reject | request_changes for work that is ``correct`` or not."""
        r = rng.random()
        if correct:
            if r < self.false_reject_rate:
                return "request_changes" if rng.random() < self.request_changes_share else "reject"
            return "approve"
        if r < self.catch_rate:
            return "request_changes" if rng.random() < self.request_changes_share else "reject"
        return "approve"
