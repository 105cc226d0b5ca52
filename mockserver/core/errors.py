"""Errors of the labeling core.

Every failure the core reports is a ``CoreError`` subclass carrying a human message; vendor adapters
map the class to their own wire error (Clarifai status codes, ModelArts ``error_code``...), so the
core never needs to know any vendor's numbering.
"""
from __future__ import annotations


class CoreError(Exception):
    """Base class: ``message`` is safe to show to an API caller."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(CoreError):
    """A task, item, work assignment or acceptance does not exist (or belongs to another tenant)."""


class Conflict(CoreError):
    """The thing already exists (duplicate id, duplicate review by the same reviewer...)."""


class InvalidState(CoreError):
    """The operation is not allowed in the current state (e.g. submitting an approved item)."""


class AcceptanceRunning(Conflict):
    """An acceptance (ModelArts sampling task) is already running for this task."""


class NotAllowed(CoreError):
    """The caller is not entitled (a reviewer not listed on the task, a worker not assigned...)."""


class InvalidArgument(CoreError):
    """A malformed argument (unknown strategy, weight < 0, sample fraction outside 0..1...)."""
