"""Outcome of a solve (a leaf module: imports nothing from :mod:`optimizer`)."""

from __future__ import annotations

import enum

__all__ = ["Status"]


class Status(enum.StrEnum):
    """Outcome of a solve: an infeasible policy is a result, never an exception."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"
