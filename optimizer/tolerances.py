"""The one tolerance table of the optimiser (a leaf module).

Every comparison with a tolerance in :mod:`optimizer` reads it from :data:`TOL`, so a change is
made in one place and the docs can quote the values. Amounts are EUR million; risks are
weighted residual risk (dimensionless).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TOL", "Tolerances"]


@dataclass(frozen=True)
class Tolerances:
    """Tolerances of the optimiser.

    Attributes
    ----------
    zero_spend : float
        Spends below this (EUR million) are reported as 0.
    reduced_cost : float
        A reduced cost above this means "worse than the marginal use of the budget".
    binding : float
        A row is binding when ``|slack| <= binding * max(1, |rhs|)``.
    conflict : float
        Pre-check conflicts smaller than this are ignored (EUR million or share).
    elastic_slack : float
        Phase-1 slacks above this name a conflicting row.
    stage_rel : float
        Guard bound of the last stage: the max-line-spend level stays within
        ``M* + stage_rel * max(1, M*)`` (the optimal face already implies ``M = M*``).
    range_rel : float
        A line or market whose range over the optimal allocations is wider than
        ``range_rel * max(1, B)`` EUR million makes the split "not unique".
    slope_rise : float
        Largest allowed rise of reduction_per_meur from one segment to the next (concavity).
    cbc_primal, cbc_dual : float
        CBC's primal and dual feasibility tolerances (its defaults, 1e-7, are coarser than the smallest effect
        slopes, about 1e-6 risk per EUR million).
    """

    zero_spend: float = 1e-9
    reduced_cost: float = 1e-7
    binding: float = 1e-6
    conflict: float = 1e-7
    elastic_slack: float = 1e-6
    stage_rel: float = 1e-6
    range_rel: float = 1e-6
    slope_rise: float = 1e-12
    cbc_primal: float = 1e-9
    cbc_dual: float = 1e-10


TOL = Tolerances()
