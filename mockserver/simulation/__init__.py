"""Simulated workers and reviewers who label over time, on the world's clock, through the core.

``scenario``  read and validate scenario files (``scenario.schema.json``)
``people``    speed, accuracy, schedules, review behaviour
``items``     items with ground truth (listed or generated, Faker for data)
``engine``    the event loop of simulated people (one scheduler event, its own heap)
``loader``    seeding a world from a scenario and re-seeding it on reset
``report``    accuracy, consensus and review figures from the core's state
``headless``  ``mockserver simulate``: run to completion without a server
"""
from .loader import install, seed_world
from .scenario import Scenario, read, validate

__all__ = ["Scenario", "install", "read", "seed_world", "validate"]
