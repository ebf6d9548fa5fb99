"""Exceptions raised by the optimiser engine.

All derive from builtin exceptions so callers can catch ``ValueError`` or ``RuntimeError``
without importing this package. Messages name the offending item and the fix.
"""

from __future__ import annotations

__all__ = ["InputError", "OptimiserError", "PolicyError", "ScenarioError", "SolverError"]


class OptimiserError(Exception):
    """Base class of every error raised by :mod:`optimizer`."""


class InputError(OptimiserError, ValueError):
    """An input frame (targets, action lines, effect curves) is malformed."""


class PolicyError(OptimiserError, ValueError):
    """A policy (budget, bounds, shares, forced or forbidden options) refers to unknown items
    or holds impossible numbers (negative budget, a share outside [0, 1])."""


class SolverError(OptimiserError, RuntimeError):
    """A solver could not be run at all (not installed, unknown name)."""


class ScenarioError(OptimiserError, ValueError):
    """A scenario of a batch or a robust/sensitivity run names unknown items or impossible
    numbers (unknown market, negative multiplier, probabilities not summing to 1)."""
