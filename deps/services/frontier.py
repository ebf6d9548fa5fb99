"""The budgets of an efficient frontier, parsed once for the command line and the app.

A frontier is written either as a range ``START:STOP:STEP`` (``0:1000:50``) or as a list of budgets separated by
commas or semicolons (``100, 250, 500``), all in EUR million. Every budget must be a finite number between 0 and
:data:`MAX_BUDGET_MEUR`; the budgets come back sorted and without repeats. Each one is a point of the parametric
sweep (``optimizer.parametric``), so the number of points is bounded by the setting ``DEPS_MAX_FRONTIER_POINTS``.
"""

from __future__ import annotations

import math

from deps.errors import RunError

__all__ = ["MAX_BUDGET_MEUR", "FrontierError", "parse_frontier"]

#: The largest budget a field or option accepts (EUR million): a bound on typing errors, not a policy threshold.
MAX_BUDGET_MEUR = 1_000_000.0


class FrontierError(RunError):
    """A frontier that cannot be read; ``reason`` names the rule it breaks (``number``, ``range``, ``count``)."""

    def __init__(self, text: str, reason: str, *, max_points: int) -> None:
        self.text, self.reason, self.max_points = text, reason, max_points
        rules = {
            "number": "each budget must be a number of EUR million between 0 and {most:,.0f}",
            "range": "a range is START:STOP:STEP with 0 <= START <= STOP and STEP > 0 (e.g. 0:1000:50)",
            "count": "at most {n} budgets (DEPS_MAX_FRONTIER_POINTS)",
        }
        rule = rules[reason].format(most=MAX_BUDGET_MEUR, n=max_points)
        super().__init__(f"frontier {text!r}: {rule}; or write a list such as 100, 250, 500")


def _budget(part: str, text: str, max_points: int) -> float:
    try:
        value = float(part.strip().replace("_", ""))
    except ValueError:
        raise FrontierError(text, "number", max_points=max_points) from None
    if not math.isfinite(value) or not 0.0 <= value <= MAX_BUDGET_MEUR:
        raise FrontierError(text, "number", max_points=max_points)
    return value


def parse_frontier(text: str, *, max_points: int) -> list[float]:
    """The budgets of ``text`` (a range or a list), sorted and unique.

    Parameters
    ----------
    text
        ``START:STOP:STEP`` or budgets separated by ``,`` or ``;`` (EUR million). Empty text is no frontier.
    max_points
        Most budgets allowed (the setting ``DEPS_MAX_FRONTIER_POINTS``).

    Raises
    ------
    FrontierError
        When a budget is not a number in [0, MAX_BUDGET_MEUR], the range is malformed, or there are too many.

    Examples
    --------
    >>> parse_frontier("0:100:50", max_points=10)
    [0.0, 50.0, 100.0]
    >>> parse_frontier("250; 100, 250", max_points=10)
    [100.0, 250.0]
    """
    if not text.strip():
        return []
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise FrontierError(text, "range", max_points=max_points)
        start, stop, step = (_budget(p, text, max_points) for p in parts)
        if step <= 0 or stop < start:
            raise FrontierError(text, "range", max_points=max_points)
        count = int((stop - start) / step + 1e-9) + 1
        if count > max_points:
            raise FrontierError(text, "count", max_points=max_points)
        return [start + i * step for i in range(count)]
    budgets = sorted({_budget(p, text, max_points) for p in text.replace(";", ",").split(",") if p.strip()})
    if len(budgets) > max_points:
        raise FrontierError(text, "count", max_points=max_points)
    return budgets
