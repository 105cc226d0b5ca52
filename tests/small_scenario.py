"""A small consensus scenario several test folders run (tests/ is on the import path: its conftest.py)."""

SMALL = """
name: small
seed: 4
clock: {mode: manual, start: "2024-01-01T00:00:00Z"}
workspace: {}
sources:
  - id: "sim:small"
    generate: {count: 20, labels: [a, b, c]}
tasks:
  - id: small
    sources: ["sim:small"]
    workers: [w1, w2, w3]
    assignment: {strategy: full}
    review: {strategy: consensus, reviewers: [r1], approval_threshold_labelers: 2}
people:
  - {id: "w{n}", count: 3, speed: {lognormal: {mu: 2.0, sigma: 0.5}}, accuracy: 0.8}
  - {id: r1, review_speed: {fixed: 5}, catch_rate: 0.9, request_changes_share: 0.5}
"""
