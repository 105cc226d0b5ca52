"""Theory check: simulated consensus matches the closed forms for independent workers.

Setup: two labels {a, b}, ground truth uniform; three workers on every item (FULL), each independently
right with probability p (when wrong, with two labels, they give the other label).

* Unanimity (``approval_threshold_labelers: 3``): an item is approved by consensus iff all three give
  the same label: all right (p^3) or all wrong ((1-p)^3).  Share approved by consensus: p^3 + (1-p)^3.
  (With two labels a majority of two always exists, which is why unanimity is the threshold tested.)
* Majority of two (``approval_threshold_labelers: 2``): every item is approved, with the majority
  label, which is right iff at least two of three are right: 3p^2(1-p) + p^3 = 3p^2 - 2p^3.

Each figure is a share of N independent items, so its standard error is sqrt(q(1-q)/N); the test
accepts a difference of 4 standard errors (a false alarm about once in 16,000 checks).
"""
import math

import pytest

from mockserver.simulation import Scenario
from mockserver.simulation.headless import run

N = 1200


def _run(p: float, threshold: int, seed: int) -> dict:
    doc = {
        "seed": seed, "clock": {"mode": "manual", "start": 1700000000},
        "workspace": {},
        "sources": [{"id": "sim:theory", "generate": {"count": N, "labels": ["a", "b"]}}],
        "tasks": [{"id": "theory", "sources": ["sim:theory"], "workers": ["w1", "w2", "w3"],
                   "assignment": {"strategy": "full"}, "labels": ["a", "b"],
                   "review": {"strategy": "consensus", "approval_threshold_labelers": threshold}}],
        "people": [{"id": "w{n}", "count": 3, "speed": {"uniform": [5, 15]}, "accuracy": p}],
    }
    _, summary = run(Scenario.from_doc(doc, "<theory>"))
    return next(t for t in summary["tasks"] if t["task"] == "theory")


def _close(observed: float, expected: float) -> None:
    se = math.sqrt(expected * (1 - expected) / N)
    assert abs(observed - expected) <= 4 * se + 1e-12, (observed, expected, se)


@pytest.mark.parametrize("p", [0.6, 0.75, 0.9])
def test_unanimous_consensus_share_is_p3_plus_q3(p):
    task = _run(p, threshold=3, seed=100 + int(p * 100))
    assert task["labeling_complete"] == N
    _close(task["consensus_rate"], p ** 3 + (1 - p) ** 3)
    assert task["states"]["awaiting_review"] == N - task["states"]["approved"]


@pytest.mark.parametrize("p", [0.6, 0.75, 0.9])
def test_majority_of_two_accuracy_is_3p2_minus_2p3(p):
    task = _run(p, threshold=2, seed=200 + int(p * 100))
    assert task["states"]["approved"] == N and task["consensus_rate"] == 1.0
    _close(task["accuracy"], 3 * p ** 2 - 2 * p ** 3)
