"""The per-event shortcuts of the simulation's random draws give the very numbers of the general path:
``Speed.sample_key(key)`` spells out ``KeyedRandom.random``'s steps (no generator object), and ``rng_of(key)``
takes the key ``rng_for(*parts)`` would join. Runs are deterministic per seed only while these agree."""
from __future__ import annotations

import pytest

from mockserver.simulation.people import KEY_SEP, Speed, rng_for, rng_of

KEYS = [KEY_SEP.join(("seed", str(n), f"w{n % 7}", f"img-{n:06d}", "label")) for n in range(2000)] + ["", "x", "é\x00"]


@pytest.mark.parametrize("spec", [{"lognormal": {"mu": 1.6, "sigma": 0.3}}, {"lognormal": {"mu": -2, "sigma": 2}},
                                  {"uniform": [3, 9]}, {"fixed": 4}, 7])
def test_sample_key_gives_the_number_sample_gives(spec):
    speed = Speed.parse(spec)
    for key in KEYS:
        assert speed.sample_key(key) == speed.sample(rng_of(key)), key


def test_rng_of_the_joined_key_is_rng_for_the_parts():
    for n in range(500):
        parts = ("seed", n, f"w{n % 3}", f"img-{n}", 1.5)
        a, b = rng_for(*parts), rng_of(KEY_SEP.join(map(str, parts)))
        assert [a.random() for _ in range(5)] == [b.random() for _ in range(5)]
