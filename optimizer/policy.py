"""The policy of one allocation run: budget, bounds, shares, forced and forbidden options.

One type per concept, validated once: a :class:`Budget` is a finite number >= 0, a
:class:`ForcedOption` a minimum >= 0, :class:`Constraints` hold a scenario's bounds, shares and
options without a budget, and a :class:`Policy` (constraints plus budget) checks all its numbers when it is
built (:class:`~optimizer.errors.PolicyError` lists every problem), so the application, the CLI
and scenario files can rely on a built policy. Checks that need the inputs (unknown lines,
markets, targets) are :func:`optimizer.inputs.validate_policy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

import numpy as np

from optimizer.errors import PolicyError

__all__ = ["Budget", "Constraints", "ForcedOption", "Policy"]


class Budget(float):
    """A budget in EUR million: a finite number >= 0 (validated on construction).

    Raises
    ------
    PolicyError
        For a negative, infinite, NaN or non-numeric value.

    Examples
    --------
    >>> Budget(500)
    500.0
    >>> Budget(-1)
    Traceback (most recent call last):
    ...
    optimizer.errors.PolicyError: budget -1 must be a finite number >= 0 (EUR million)
    """

    def __new__(cls, value: object) -> Budget:
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise PolicyError(f"budget {value!r} must be a finite number >= 0 (EUR million)")
        number = float(value)
        if not np.isfinite(number) or number < 0:
            raise PolicyError(f"budget {value!r} must be a finite number >= 0 (EUR million)")
        return super().__new__(cls, number)


@dataclass(frozen=True)
class ForcedOption:
    """A minimum spend (EUR million) on one line, or on one line for one target.

    ``target_id=None`` forces spend on the whole action line. ``min_meur`` must be >= 0.
    """

    action_line_id: str
    target_id: str | None
    min_meur: float

    def __post_init__(self) -> None:
        if not (isinstance(self.min_meur, int | float) and np.isfinite(self.min_meur) and self.min_meur >= 0):
            raise PolicyError(f"{self.name}: minimum {self.min_meur} must be a finite number >= 0")

    @property
    def name(self) -> str:
        """Constraint name, e.g. ``forced[financing|GA-01]`` or ``forced[financing]``."""
        inner = self.action_line_id if self.target_id is None else self.key
        return f"forced[{inner}]"

    @property
    def key(self) -> str:
        """``line|target`` or ``line``."""
        if self.target_id is None:
            return self.action_line_id
        return f"{self.action_line_id}|{self.target_id}"


@dataclass(frozen=True)
class Constraints:
    """The constraints of an allocation run without its budget (amounts in EUR million, shares as fractions).

    A scenario names its constraints once and is then solved at one or many budgets (a frontier, a batch
    grid): :meth:`with_budget` makes the :class:`Policy` of one budget. The numbers are validated on
    construction, like a policy's.

    Parameters
    ----------
    line_min_meur, line_max_meur : mapping of action line id to EUR million
        Override (or add to) the ``min_meur`` / ``max_meur`` columns of the action-line frame.
    market_min_share, market_max_share : mapping of market to fraction of B
        Spend on a market's targets must lie within ``[min_share * B, max_share * B]``.
    target_cap_meur : mapping of target id to EUR million
        Cap on total spend per target; ``default_target_cap_meur`` applies to the rest.
    forced : tuple of ForcedOption
        Minimum spends on a (line, target) pair or on a whole line.
    forbidden : tuple of (line, target or None)
        Options that may not be funded; ``None`` forbids the whole line.
    year_budgets_meur : mapping of year to EUR million
        Optional multi-year split: spend per line per year, yearly budgets; the effect curves
        apply to the total over the years.
    leverage_weight : float
        Weight lambda of the second objective that strengthens control points: the objective
        subtracts ``lambda * leverage_t`` per EUR million spent on target t (0 switches it off).

    Raises
    ------
    PolicyError
        Listing every impossible number (negative amounts, shares outside [0, 1]).

    Examples
    --------
    >>> Constraints(line_min_meur={"financing": 50}).with_budget(500).budget_meur
    500.0
    """

    line_min_meur: Mapping[str, float] = field(default_factory=dict)
    line_max_meur: Mapping[str, float] = field(default_factory=dict)
    market_min_share: Mapping[str, float] = field(default_factory=dict)
    market_max_share: Mapping[str, float] = field(default_factory=dict)
    target_cap_meur: Mapping[str, float] = field(default_factory=dict)
    default_target_cap_meur: float | None = None
    forced: tuple[ForcedOption, ...] = ()
    forbidden: tuple[tuple[str, str | None], ...] = ()
    year_budgets_meur: Mapping[int, float] = field(default_factory=dict)
    leverage_weight: float = 0.0

    def __post_init__(self) -> None:
        problems = _number_problems(self)
        if problems:
            raise PolicyError("; ".join(problems))

    def with_budget(self, budget_meur: float) -> Policy:
        """The policy of these constraints at one total budget B (validated as a :class:`Budget`)."""
        kept = {f.name: getattr(self, f.name) for f in fields(Constraints)}
        return Policy(budget_meur=budget_meur, **kept)

    def as_plain(self) -> dict[str, object]:
        """Plain values for run parameters and JSON: mappings as dicts, forced options as (line, target, min)."""
        plain: dict[str, object] = {}
        for f in fields(Constraints):
            value = getattr(self, f.name)
            if isinstance(value, Mapping):
                value = dict(value)
            elif f.name == "forced":
                value = [(o.action_line_id, o.target_id, o.min_meur) for o in value]
            elif f.name == "forbidden":
                value = [tuple(item) for item in value]
            plain[f.name] = value
        return plain


@dataclass(frozen=True)
class Policy(Constraints):
    """Per-run constraints of the allocation plus its total budget B (EUR million).

    The constraint fields are those of :class:`Constraints`; ``budget_meur`` (keyword-only) is the
    total budget B, validated as a :class:`Budget`.

    A policy validates its own numbers on construction (budget, amounts >= 0, shares in
    [0, 1]) and raises :class:`~optimizer.errors.PolicyError` listing every problem, so callers
    can rely on a built policy; :func:`validate_policy` adds the checks that need the inputs
    (unknown lines, markets, targets).
    """

    budget_meur: float = field(kw_only=True)

    def __post_init__(self) -> None:
        problems = _number_problems(self)
        if not _finite_nonneg(self.budget_meur):
            problems.insert(0, f"budget {self.budget_meur} must be a finite number >= 0")
        if problems:
            raise PolicyError("; ".join(problems))
        object.__setattr__(self, "budget_meur", float(Budget(self.budget_meur)))


def _finite_nonneg(value: object) -> bool:
    return isinstance(value, int | float) and bool(np.isfinite(value)) and value >= 0


def _number_problems(policy: Constraints) -> list[str]:
    """Every impossible number of the constraints (negative amounts, shares outside [0, 1]); not the budget."""
    problems: list[str] = []
    for label, mapping in (
        ("line_min_meur", policy.line_min_meur),
        ("line_max_meur", policy.line_max_meur),
        ("target_cap_meur", policy.target_cap_meur),
    ):
        for key, value in mapping.items():
            if not _finite_nonneg(value):
                problems.append(f"{label}[{key}] = {value} must be >= 0")
    for label, shares in (
        ("market_min_share", policy.market_min_share),
        ("market_max_share", policy.market_max_share),
    ):
        for key, value in shares.items():
            if not (isinstance(value, int | float) and 0 <= value <= 1):
                problems.append(f"{label}[{key}] = {value} must lie in [0, 1]")
    if policy.default_target_cap_meur is not None and not _finite_nonneg(policy.default_target_cap_meur):
        problems.append("default_target_cap_meur must be >= 0")
    for year, value in policy.year_budgets_meur.items():
        if not _finite_nonneg(value):
            problems.append(f"year budget {year} = {value} must be >= 0")
    if not _finite_nonneg(policy.leverage_weight):
        problems.append(f"leverage_weight {policy.leverage_weight} must be >= 0")
    return problems
