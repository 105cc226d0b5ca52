"""Simulated workers and reviewers who label over time, on the world's clock, through the core's public
API (``mockserver.core``; the hot path through one ``core.Session``).

``scenario``  read and validate scenario files (``scenario.schema.json``)
``people``    speed, accuracy, schedules, review behaviour
``items``     items with ground truth (listed or generated, Faker for data)
``engine``    the event loop of simulated people: one person's step, the drain (composes the parts below)
``timeline``  wake-ups: the heap behind one scheduler event, persisted per person in ``sim_people``
``jobs``      what a person does next (cursors over the core's queues, sent-back work, claims)
``labeling``, ``reviewing``, ``acceptances``   finishing a labeling job, a review, an acceptance check
``truth``     ground truth (or a latent one), the concepts offered, judging work
``crew``      people a vendor enlists at run time (CloudFactory's default CloudWorkers)
``loader``    seeding a world from a scenario and re-seeding it on reset
``report``    accuracy, consensus and review figures from the core's state
``headless``  ``mockserver simulate``: run to completion without a server
"""
from .crew import enlist
from .loader import install, seed_world
from .scenario import Scenario, read, validate

__all__ = ["Scenario", "enlist", "install", "read", "seed_world", "validate"]
