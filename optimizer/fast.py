"""Fast path for batches: the allocation LP in matrix form on highspy, built once, re-solved.

Why (docs/performance.md): PuLP+CBC spends most of its 60-90 ms per scenario outside the solver;
highspy builds the same model in about 1 ms. A :class:`FastModel` is built once per (inputs,
policy, effect assumption); scenarios then change only costs (weights, baseline risks) and row
bounds (the budget and the market-share rows that scale with it) and warm-start from the last
basis. HiGHS presolve is off (pathological on this model class) and the ``threads`` option is
never touched; every status is checked.

Rows are the model of :mod:`optimizer.model` with the risk floor normalised by r_t: with
``e_atk = f_atk r_t`` the floor ``sum e y <= r_t`` is ``sum f y <= 1`` (dropped when r_t = 0),
so baseline-risk shocks change only costs. Forbidden options get an upper bound of 0.
Multi-year budgets enter as ``budget <= min(B, sum of year budgets)``, which is exact because
the yearly split of a total is feasible whenever the total fits the sum of the years.

With only the budget and per-target caps (and risk floors), a greedy fill of segments by
weighted slope is exactly optimal (a separable concave maximisation); :meth:`FastModel.solve`
then skips HiGHS. Otherwise the greedy fill solves the relaxation without the other rows: when
its answer meets them all it is optimal for the whole LP (method ``greedy-feasible``), else it
seeds HiGHS as a starting solution.

HiGHS's cost per run grows with the number of columns (about 0.6 ms for an unchanged re-solve
at 3,600 columns, 0.16 ms at 300), while an optimum uses few of them. Batches therefore solve
over a working set of columns and price out the rest (``solve(priced=True)``): the LP
restricted to S is optimal for the whole LP when no column outside S has a negative reduced
cost ``c_j - a_j^T pi`` (column generation; the proof is in :meth:`FastModel._solve_priced`).

References
----------
G. B. Dantzig, "Discrete-variable extremum problems", *Operations Research* 5 (1957) 266-288
(the fractional knapsack: filling by ratio is optimal); P. C. Gilmore and R. E. Gomory, "A linear
programming approach to the cutting-stock problem", *Operations Research* 9 (1961) 849-859
(column generation: columns left out are priced with the duals); HiGHS, https://highs.dev.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from optimizer.backends import new_highs
from optimizer.errors import InputError, PolicyError, SolverError
from optimizer.inputs import Budget, OptimiserInputs, Policy, line_bounds, validate_policy
from optimizer.status import Status

__all__ = ["FastModel", "FastSolution", "Labels", "PricedAnswer", "greedy_pieces", "scale_from_lines"]

INF = highspy.kHighsInf


@dataclass(frozen=True, eq=False)
class FastSolution:
    """One scenario solved on the fast path.

    ``spend`` is the EUR million per option (the row order of ``inputs.options``); ``method`` is
    ``greedy`` (exact case) or ``highs``.
    """

    status: Status
    reason: str
    objective: float | None
    total_spend_meur: float | None
    budget_shadow_price: float | None
    spend: np.ndarray
    method: str


def greedy_pieces(frac: np.ndarray, lengths: np.ndarray, target: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Effective segment lengths after per-target caps and risk floors (EUR million).

    Within a target, options are filled by falling ``frac`` (reduction fraction per EUR
    million); spend stops at the target's cap and reduction stops at 100 % of the baseline
    (``sum f y <= 1``). The result does not depend on budgets, weights or baseline risks, so one
    call serves every scenario and every budget of a frontier.
    """
    n = len(frac)
    order = np.lexsort((np.arange(n), -frac, target))
    t, f, length = target[order], frac[order], lengths[order]
    starts = np.r_[0, np.flatnonzero(np.diff(t)) + 1]
    group = np.repeat(starts, np.diff(np.r_[starts, n]))

    def before(x: np.ndarray) -> np.ndarray:
        c = np.cumsum(x)
        return c - x - (c[group] - x[group])

    eff = np.clip(caps[t] - before(length), 0.0, length)
    red = f * eff
    room = np.clip(1.0 - before(red), 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        eff = np.where(f > 0, np.minimum(eff, room / np.where(f > 0, f, 1.0)), 0.0)
    out = np.empty(n)
    out[order] = eff
    return out


@dataclass(frozen=True, eq=False)
class Labels:
    """Names of the line x target pairs and of the markets (shared by a batch's results)."""

    pair_line: np.ndarray
    pair_target: np.ndarray
    markets: np.ndarray


class FastModel:
    """The allocation LP as a highspy model, reusable across scenarios.

    Parameters
    ----------
    inputs : OptimiserInputs
    policy : Policy
        Its budget is the default; every other constraint is fixed for the model's life.
    slope_scale : array of float, optional
        Multiplier per option (row of ``inputs.options``) on ``reduction_per_meur``: an effect
        assumption or a Monte Carlo draw. Must keep every curve concave (scale curves whole).
    fractions : array of float, optional
        Replaces ``reduction_per_meur`` per option outright (before ``slope_scale``): an effect
        taken at its low or high value. Must keep every curve concave.
    build_lp : bool
        Build the highspy model (False: only the greedy fill is available).
    """

    def __init__(
        self,
        inputs: OptimiserInputs,
        policy: Policy,
        *,
        slope_scale: np.ndarray | None = None,
        fractions: np.ndarray | None = None,
        build_lp: bool = True,
    ) -> None:
        validate_policy(inputs, policy)
        self.inputs, self.policy = inputs, policy
        opts = inputs.options
        tpos = {t: i for i, t in enumerate(inputs.target_ids)}
        self.target = pd.Index(inputs.target_ids).get_indexer(pd.Index(opts["target_id"])).astype(np.int64)
        if (self.target < 0).any():
            raise InputError("an option names a target that is not among the inputs' targets")
        self.lengths = opts["length_meur"].to_numpy(dtype=float)
        frac = opts["reduction_per_meur"].to_numpy(dtype=float) if fractions is None else np.asarray(fractions, float)
        self.frac = frac * (1.0 if slope_scale is None else np.asarray(slope_scale, dtype=float))
        self.weight = inputs.targets["weight"].to_numpy(dtype=float)
        self.risk = inputs.targets["baseline_risk"].to_numpy(dtype=float)
        self.leverage = inputs.targets["leverage"].to_numpy(dtype=float) * policy.leverage_weight
        self.upper = self.lengths.copy()
        forbidden = np.zeros(len(opts), dtype=bool)
        for line, tgt in policy.forbidden:
            m = opts["action_line_id"].to_numpy() == line
            if tgt is not None:
                m &= opts["target_id"].to_numpy() == tgt
            forbidden |= m
        self.upper[forbidden] = 0.0
        caps = np.full(len(self.weight), np.inf)
        for t, i in tpos.items():
            cap = policy.target_cap_meur.get(t, policy.default_target_cap_meur)
            if cap is not None:
                caps[i] = float(cap)
        self.caps = caps
        # Line x target pairs in order of first appearance (codes, not tuples of strings: one pass in numpy).
        line_codes, line_names = pd.factorize(opts["action_line_id"])
        n_t = len(self.weight)
        pair_codes, pair_keys = pd.factorize(np.asarray(line_codes, dtype=np.int64) * n_t + self.target)
        pair_keys = np.asarray(pair_keys, dtype=np.int64)
        self.pair_codes = np.asarray(pair_codes, dtype=np.int64)
        self.pair_line = np.array([str(a) for a in line_names], dtype=object)[pair_keys // n_t]
        self.pair_target = np.array([str(t) for t in inputs.target_ids], dtype=object)[pair_keys % n_t]
        self.labels = Labels(self.pair_line, self.pair_target, np.array(inputs.markets, dtype=object))
        self.target_columns = {
            col: np.array([str(x) for x in inputs.targets[col]], dtype=object)
            for col in ("target_id", "supplier")
            if col in inputs.targets
        }
        self.market_names = np.array(inputs.markets, dtype=object)
        self.rho, self.split = inputs.reach_arrays  # targets x markets (optimizer.reach)
        self.pieces = greedy_pieces(self.frac, self.upper, self.target, caps)
        self.greedy_exact = not (
            any(lo > 0 or hi is not None for lo, hi in line_bounds(inputs, policy).values())
            or policy.market_min_share
            or policy.market_max_share
            or policy.forced
            or bool((self.leverage > 0).any())
        )
        self._last_cost: np.ndarray | None = None
        self._cost_key: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._over_at: tuple[np.ndarray, float] | None = None
        self._check_matrix: sparse.csr_matrix | None = None
        self._greedy_order: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._priced: _PricedLp | None = None
        self.last_route = "none"
        """Where the last :meth:`solve` found its answer: ``greedy``, ``priced`` (the working set's
        model, :class:`_PricedLp`), ``whole`` (:attr:`highs`) or ``none``."""
        self.last_priced: PricedAnswer | None = None
        """Reduced costs, row duals and row bounds of the last solve when its route is ``priced``."""
        if build_lp:
            self._build()

    def _budget_cap(self, budget: float) -> float:
        years = self.policy.year_budgets_meur
        return min(budget, float(sum(years.values()))) if years else budget

    def _build(self) -> None:
        opts, policy = self.inputs.options, self.policy
        rows: list[tuple[np.ndarray, np.ndarray, float, float]] = []
        n = len(opts)

        def ones(idx: np.ndarray) -> np.ndarray:
            return np.ones(len(idx))

        every = np.arange(n)
        rows.append((every, ones(every), -INF, self._budget_cap(policy.budget_meur)))
        self.line_bound_rows = np.full(len(self.inputs.line_ids), -1, dtype=np.int64)
        """Row of each action line's bounds ``lo_a <= sum_{tk} y_atk <= hi_a`` (order of
        ``inputs.line_ids``; -1 for a line without bounds)."""
        for code, (line, (lo, hi)) in enumerate(line_bounds(self.inputs, policy).items()):
            if lo > 0 or hi is not None:
                self.line_bound_rows[code] = len(rows)
                idx = np.flatnonzero(opts["action_line_id"].to_numpy() == line)
                rows.append((idx, ones(idx), lo if lo > 0 else -INF, INF if hi is None else hi))
        self.market_rows: list[tuple[int, float, float]] = []
        markets = sorted(set(policy.market_min_share) | set(policy.market_max_share))
        for m in markets:
            coef = self.split[self.target, self.inputs.markets.index(m)]
            idx = np.flatnonzero(coef > 0)
            lo, hi = policy.market_min_share.get(m, 0.0), policy.market_max_share.get(m, np.inf)
            self.market_rows.append((len(rows), float(lo), float(hi)))
            rows.append((idx, coef[idx], lo * policy.budget_meur, min(hi * policy.budget_meur, INF)))
        for i, cap in enumerate(self.caps):
            if np.isfinite(cap):
                idx = np.flatnonzero(self.target == i)
                rows.append((idx, ones(idx), -INF, float(cap)))
        for f in policy.forced:
            m = opts["action_line_id"].to_numpy() == f.action_line_id
            if f.target_id is not None:
                m &= opts["target_id"].to_numpy() == f.target_id
            idx = np.flatnonzero(m)
            rows.append((idx, ones(idx), float(f.min_meur), INF))
        n_plain = len(rows)
        self._store_checks(rows[1:n_plain], n)
        # One risk-floor row per target with a positive fraction: its options in index order
        # (targets ascending), grouped by one stable sort instead of a scan per target.
        positive = np.flatnonzero(self.frac > 0)
        grouped = positive[np.argsort(self.target[positive], kind="stable")]
        floor_targets, floor_counts = np.unique(self.target[grouped], return_counts=True)
        self.floor_rows = (n_plain, floor_targets.astype(np.int64))
        starts = np.cumsum([0] + [len(r[0]) for r in rows] + floor_counts.tolist())
        index = np.concatenate([r[0] for r in rows] + [grouped, np.empty(0, np.int64)])
        value = np.concatenate([r[1] for r in rows] + [self.frac[grouped], np.empty(0)])
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = n_plain + len(floor_targets)
        lp.col_cost_ = self._cost(self.weight, self.risk)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = self.upper
        lp.row_lower_ = np.array([r[2] for r in rows] + [-INF] * len(floor_targets), dtype=float)
        lp.row_upper_ = np.array([r[3] for r in rows] + list(self._floor_upper(self.risk)), dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = starts.astype(np.int32)
        lp.a_matrix_.index_ = index.astype(np.int32)
        lp.a_matrix_.value_ = value.astype(float)
        h = new_highs()
        status = h.passModel(lp)
        if status != highspy.HighsStatus.kOk:
            raise SolverError(f"highspy rejected the model: {status}")
        self.highs = h
        self._risk_now = self.risk.copy()
        a = sparse.csr_matrix((value.astype(float), index, starts), shape=(lp.num_row_, n))
        self._a_csc = a.tocsc()
        self._a_t = a.T.tocsr()  # reduced costs c - A^T pi in one product
        self._row_lo0 = np.array(lp.row_lower_, dtype=float)
        self._row_hi0 = np.array(lp.row_upper_, dtype=float)

    def _store_checks(self, rows: list[tuple[np.ndarray, np.ndarray, float, float]], n: int) -> None:
        """Rows beyond the greedy's relaxation (line, market, cap, forced) as one sparse matrix."""
        indptr = np.cumsum([0] + [len(r[0]) for r in rows])
        index = np.concatenate([r[0] for r in rows] + [np.empty(0, np.int64)])
        value = np.concatenate([r[1] for r in rows] + [np.empty(0)])
        self._check_matrix = sparse.csr_matrix((value, index, indptr), shape=(len(rows), n))
        self._check_lo = np.array([r[2] for r in rows], dtype=float)
        self._check_hi = np.array([r[3] for r in rows], dtype=float)
        self._check_market = [(row - 1, lo, hi) for row, lo, hi in self.market_rows]
        self._check_fixed_hi = np.ones(len(rows), dtype=bool)
        """Rows whose upper bound does not move with the budget (all but the market-share rows)."""
        self._check_fixed_hi[[k for k, _, _ in self._check_market]] = False

    def _relaxation_feasible(self, spend: np.ndarray, budget: float, cost: np.ndarray, cap: float) -> bool:
        """Does the greedy answer of the relaxation satisfy every other row (then it is optimal)?

        When it exceeds the upper bound of a row whose bound does not move with the budget (a
        line maximum or a target cap), the costs and the cap are kept: see :meth:`_greedy_over`.
        """
        lo, hi = self._check_lo.copy(), self._check_hi.copy()
        for k, s_lo, s_hi in self._check_market:
            lo[k], hi[k] = s_lo * budget, min(s_hi * budget, INF)
        assert self._check_matrix is not None
        act = self._check_matrix @ spend
        tol = 1e-9 * np.maximum(1.0, np.abs(act))
        over = act > hi + tol
        if bool((over & self._check_fixed_hi).any()):
            last = self._over_at
            if last is None or last[0] is not cost or cap < last[1]:
                self._over_at = (cost, cap)
            return False
        return bool(((act >= lo - tol) & ~over).all())

    def _greedy_over(self, cost: np.ndarray, cap: float) -> bool:
        """Is the greedy answer at ``cap`` known to exceed a fixed upper bound, without computing it?

        For one cost vector the greedy fill is nondecreasing in the cap (each piece takes
        ``clip(cap - before, 0, length)``), every row checked has nonnegative coefficients, and
        rounded sums of nonnegative terms are monotone too; so a row with a fixed upper bound
        (line maximum, target cap) exceeded at some cap stays exceeded, beyond the same relative
        tolerance, at every larger cap. A batch's budgets of one case come in ascending order and
        share their cost vector (the same object, :meth:`_cost`), so after the first such budget the
        fill and the check are skipped; the answer is the same (HiGHS solves the scenario).
        """
        last = self._over_at
        return last is not None and last[0] is cost and cap >= last[1]

    def _cost(self, weight: np.ndarray, risk: np.ndarray) -> np.ndarray:
        """Column costs ``c_j = -w_t r_t f_j - lambda_t`` (read-only; the last one is kept).

        A batch's budgets of one case share their weights and risks, so the vector is computed
        once per case: the same array is returned while ``weight`` and ``risk`` are equal to the
        last call's (a comparison of two target-length vectors instead of three option-length
        products), which also lets :meth:`solve` see unchanged costs by identity.
        """
        last = self._cost_key
        if last is not None and np.array_equal(last[0], weight) and np.array_equal(last[1], risk):
            return last[2]
        cost = -(weight * risk)[self.target] * self.frac - self.leverage[self.target]
        cost.flags.writeable = False
        self._cost_key = (np.array(weight, dtype=float), np.array(risk, dtype=float), cost)
        return cost

    def _floor_upper(self, risk: np.ndarray) -> np.ndarray:
        return np.where(risk[self.floor_rows[1]] > 0, 1.0, INF)

    def solve(
        self,
        *,
        budget_meur: float | None = None,
        weights: np.ndarray | None = None,
        baseline_risk: np.ndarray | None = None,
        force_lp: bool = False,
        greedy_start: bool | None = None,
        priced: bool = False,
    ) -> FastSolution:
        """Solve one scenario.

        Parameters
        ----------
        budget_meur : float, optional
            Budget B (EUR million); the policy's budget by default.
        weights, baseline_risk : array of float, optional
            Per target (order of ``inputs.target_ids``); the inputs' values by default.
        force_lp : bool
            Use HiGHS even when the greedy fill is exact.
        greedy_start : bool, optional
            Pass the greedy fill to HiGHS as a starting solution. By default only when the
            costs (weights, risks) changed since the last solve: after a change of the budget
            alone the previous basis is the better start (dual simplex from a dual-feasible
            basis); after a change of costs the greedy fill is.
        priced : bool
            Solve over a working set of columns and price out all the others (column generation,
            :class:`_PricedLp`): the same optimum at a fraction of HiGHS's per-run cost, which
            grows with the number of columns. Falls back to the whole model when the working
            set's LP is not optimal. Leaves :attr:`highs` untouched (so :meth:`budget_slope`
            does not describe a priced solve).

        Returns
        -------
        FastSolution
            Objective is the weighted residual risk ``sum_t w_t (r_t - R_t)`` (minus the
            leverage term when its weight is positive).
        """
        budget = float(Budget(self.policy.budget_meur if budget_meur is None else budget_meur))
        w = self.weight if weights is None else np.asarray(weights, dtype=float)
        r = self.risk if baseline_risk is None else np.asarray(baseline_risk, dtype=float)
        if not (np.isfinite(w).all() and np.isfinite(r).all()) or (w < 0).any() or (r < 0).any():
            raise PolicyError("weights and baseline risks must be finite and >= 0")
        constant = float((w * r).sum())
        cost = self._cost(w, r)
        cap = self._budget_cap(budget)
        self.last_route = "greedy"
        self.last_priced = None
        if self.greedy_exact and not force_lp:
            spend, shadow = self._greedy(cost, cap)
            obj = constant + _dot(cost, spend)
            return FastSolution(Status.OPTIMAL, "optimal", obj, float(spend.sum()), shadow, spend, "greedy")
        # The greedy solves the relaxation (budget, caps, floors) exactly; when its answer also
        # meets every other row it is optimal for the whole LP, and the relaxation's duals (zero
        # on the other rows) are optimal duals: no HiGHS run is needed. A fill known to exceed a
        # fixed upper bound (a smaller budget of the same costs did) is not computed again.
        relax = self._check_matrix is not None and not force_lp and not bool(self.leverage.any()) and len(cost) > 0
        if relax and not self._greedy_over(cost, cap):
            spend, shadow = self._greedy(cost, cap)
            if self._relaxation_feasible(spend, budget, cost, cap):
                obj = constant + _dot(cost, spend)
                return FastSolution(
                    Status.OPTIMAL, "optimal", obj, float(spend.sum()), shadow, spend, "greedy-feasible"
                )
        n = len(cost)
        self.last_route = "none"
        if n == 0:  # no applicable effect curve: nothing to buy (HiGHS calls this model empty)
            needs = [lo for _, lo, _ in self.market_rows if lo > 0] + [f.min_meur for f in self.policy.forced]
            needs += [lo for lo, _ in line_bounds(self.inputs, self.policy).values()]
            if any(x > 0 for x in needs):
                return FastSolution(Status.INFEASIBLE, "minimum spends but no options", None, None, None, cost, "none")
            return FastSolution(Status.OPTIMAL, "optimal", constant, 0.0, 0.0, cost, "none")
        if priced:
            found = self._solve_priced(cost, budget, cap, r, greedy_start)
            if found is not None:
                spend, objective, shadow = found
                self.last_route = "priced"
                obj = constant + objective
                return FastSolution(Status.OPTIMAL, "optimal", obj, float(spend.sum()), shadow, spend, "highs")
        h = self.highs
        self.last_route = "whole"
        cost_changed = self._last_cost is None or not _same(cost, self._last_cost)
        if cost_changed:
            h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        h.changeRowBounds(0, -INF, cap)
        for row, lo, hi in self.market_rows:
            h.changeRowBounds(row, lo * budget, min(hi * budget, INF))
        if not np.array_equal(r > 0, self._risk_now > 0):
            up = self._floor_upper(r)
            for k, value in enumerate(up):
                h.changeRowBounds(int(self.floor_rows[0] + k), -INF, float(value))
            self._risk_now = r.copy()
        if greedy_start is None:
            greedy_start = cost_changed
        self._last_cost = cost
        if greedy_start:
            sol = highspy.HighsSolution()
            sol.col_value = list(self._greedy(cost, cap)[0])
            sol.value_valid = True
            h.setSolution(sol)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            s = h.getSolution()
            spend = np.clip(np.asarray(s.col_value, dtype=float), 0.0, None)
            spend[spend < 1e-9] = 0.0
            obj = constant + float(h.getInfo().objective_function_value)
            shadow = max(0.0, -float(s.row_dual[0])) + 0.0
            return FastSolution(Status.OPTIMAL, "optimal", obj, float(spend.sum()), shadow, spend, "highs")
        name = h.modelStatusToString(status)
        mapped = {
            highspy.HighsModelStatus.kInfeasible: Status.INFEASIBLE,
            highspy.HighsModelStatus.kUnboundedOrInfeasible: Status.INFEASIBLE,
            highspy.HighsModelStatus.kUnbounded: Status.UNBOUNDED,
        }.get(status, Status.ERROR)
        h.clearSolver()  # an infeasible basis is a poor warm start for the next scenario
        return FastSolution(mapped, f"HiGHS: {name}", None, None, None, np.zeros(n), "highs")

    def forget_cost(self) -> None:
        """Make the next :meth:`solve` set its costs again (after a caller changed them)."""
        self._last_cost = None
        if self._priced is not None:
            self._priced.last_cost = None

    def _row_bounds(self, budget: float, cap: float, risk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row bounds of one scenario: budget row ``<= cap``, market rows ``[lo B, hi B]``, risk
        floors ``<= 1`` (none when ``r_t = 0``); every other row as built."""
        lo, hi = self._row_lo0.copy(), self._row_hi0.copy()
        hi[0] = cap
        for row, s_lo, s_hi in self.market_rows:
            lo[row], hi[row] = s_lo * budget, min(s_hi * budget, INF)
        first = self.floor_rows[0]
        hi[first : first + len(self.floor_rows[1])] = self._floor_upper(risk)
        return lo, hi

    def _solve_priced(
        self, cost: np.ndarray, budget: float, cap: float, risk: np.ndarray, greedy_start: bool | None
    ) -> tuple[np.ndarray, float, float] | None:
        """Column generation with full pricing; None when the working set's LP is not optimal.

        Solve the LP over a working set S of columns (the others held at their lower bound 0).
        With row duals pi of that solution, every column's reduced cost is
        ``d_j = c_j - sum_i a_ij pi_i``. When ``d_j >= -eps`` for every column outside S that can
        move (``u_j > 0``), the solution padded with zeros is primal feasible for the whole LP and
        (x, pi) satisfies complementary slackness there: it is optimal for the whole LP, and pi
        is an optimal dual (so the budget's shadow price is ``-pi_0`` as on the whole model).
        Otherwise the violating columns join S and HiGHS re-solves warm (they enter nonbasic at
        0, so the basis stays valid). ``eps = 1e-9`` is stricter than HiGHS's own dual
        feasibility tolerance (1e-7), so no column the whole model would price in is left out.
        S only grows, so consecutive scenarios share it.
        """
        lo, hi = self._row_bounds(budget, cap, risk)
        p = self._priced
        greedy: np.ndarray | None = None
        if p is None:
            greedy = self._greedy(cost, cap)[0]
            seed = np.flatnonzero(greedy > 0)
            if len(seed) == 0:
                movable = np.flatnonzero(self.upper > 0)
                if len(movable) == 0:
                    return None
                seed = movable[[int(np.argmin(cost[movable]))]]
            p = self._priced = _PricedLp(self, seed, lo, hi)
        else:
            p.set_rows(lo, hi)
        h = p.highs
        cost_changed = p.last_cost is None or not _same(cost, p.last_cost)
        if cost_changed:
            h.changeColsCost(len(p.cols), np.arange(len(p.cols), dtype=np.int32), cost[p.cols])
        p.last_cost = cost
        if greedy_start is None:
            greedy_start = cost_changed
        if greedy_start:
            if greedy is None:
                greedy = self._greedy(cost, cap)[0]
            p.add(np.flatnonzero((greedy > 0) & ~p.member), cost)
            sol = highspy.HighsSolution()
            sol.col_value = list(greedy[p.cols])
            sol.value_valid = True
            h.setSolution(sol)
        for _ in range(_PRICING_ROUNDS):
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                h.clearSolver()
                return None
            s = h.getSolution()
            duals = np.asarray(s.row_dual, dtype=float)
            reduced = cost - self._a_t @ duals
            enter = np.flatnonzero((reduced < -_PRICE_EPS) & p.outside)
            batch = max(_PRICE_BATCH, len(p.row_lo) // 10)
            if len(enter) > batch:  # the most negative first: the set stays small
                enter = enter[np.argsort(reduced[enter], kind="stable")[:batch]]
            if len(enter) == 0:
                y = np.clip(np.asarray(s.col_value, dtype=float), 0.0, None)
                y[y < 1e-9] = 0.0
                spend = np.zeros(len(cost))
                spend[p.cols] = y
                shadow = max(0.0, -float(duals[0])) + 0.0
                self.last_priced = PricedAnswer(reduced, duals, np.asarray(s.row_value, dtype=float), lo, hi)
                return spend, float(h.getInfo().objective_function_value), shadow
            p.add(enter, cost)
        h.clearSolver()
        return None

    def budget_cap_value(self) -> float:
        """The sum of the year budgets (infinite without years): spend never exceeds it."""
        years = self.policy.year_budgets_meur
        return float(sum(years.values())) if years else float("inf")

    def budget_slope(self, budget_meur: float) -> float:
        """dV/dB after a HiGHS solve at ``budget_meur``: the duals of the rows whose bound moves
        with the budget (the budget row, and the active side of each market-share row)."""
        s = self.highs.getSolution()
        duals, activity = np.asarray(s.row_dual), np.asarray(s.row_value)
        slope = float(duals[0]) if budget_meur < self.budget_cap_value() else 0.0
        for row, lo, hi in self.market_rows:
            d = float(duals[row])
            if d == 0.0:
                continue
            at_lo = abs(activity[row] - lo * budget_meur) <= abs(activity[row] - hi * budget_meur)
            slope += d * (lo if at_lo else hi)
        return slope

    def greedy_fill(self, budget_meur: float | None = None) -> np.ndarray:
        """Greedy fill of segments by weighted slope (EUR million per option).

        Exact when ``greedy_exact``; otherwise a starting solution (it may break line, market or
        forced rows).
        """
        budget = float(self.policy.budget_meur if budget_meur is None else budget_meur)
        return self._greedy(self._cost(self.weight, self.risk), self._budget_cap(budget))[0]

    def _greedy(self, cost: np.ndarray, budget: float) -> tuple[np.ndarray, float]:
        cached = self._greedy_order
        if cached is not None and _same(cached[0], cost):
            _, order, length, before = cached  # same costs (e.g. a budget sweep): same order
        else:
            value = -cost
            idx = np.flatnonzero((value > 0) & (self.pieces > 0))
            order = idx[np.lexsort((idx, -self.frac[idx], self.target[idx], -value[idx]))]
            length = self.pieces[order]
            before = np.cumsum(length) - length
            self._greedy_order = (cost if not cost.flags.writeable else cost.copy(), order, length, before)
        value = -cost
        take = np.clip(budget - before, 0.0, length)
        spend = np.zeros(len(cost))
        spend[order] = take
        partial = np.flatnonzero(take < length - 1e-12)
        shadow = float(value[order[partial[0]]]) if len(partial) else 0.0
        return spend, shadow


@dataclass(frozen=True, eq=False)
class PricedAnswer:
    """What a priced solve leaves for the second stage (:func:`optimizer.selection.select_scenario`).

    ``reduced`` is ``d = c - A^T pi`` for every column of the whole model, ``row_dual`` is pi,
    ``row_value`` the row activities ``A y``, ``row_lo`` and ``row_hi`` the scenario's row
    bounds (:meth:`FastModel._row_bounds`).
    """

    reduced: np.ndarray
    row_dual: np.ndarray
    row_value: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray


def _same(x: np.ndarray, y: np.ndarray) -> bool:
    """Equal vectors; the same object counts at once (the cost cache of :meth:`FastModel._cost`)."""
    return x is y or np.array_equal(x, y)


def _dot(x: np.ndarray, y: np.ndarray) -> float:
    """``sum_j x_j y_j`` without BLAS: numpy's ``x @ y`` hands long vectors to OpenBLAS, whose threads
    made one product of 36,000 entries take about 15 ms on a busy 2-core machine (against 0.07 ms here)."""
    return float(np.multiply(x, y).sum())


_PRICE_EPS = 1e-9
"""A column outside the working set enters when its reduced cost is below ``-_PRICE_EPS``."""
_PRICING_ROUNDS = 200
"""Pricing rounds per scenario before falling back to the whole model."""
_PRICE_BATCH = 20
"""Columns entering per pricing round: at least this many, else a tenth of the rows."""


class _PricedLp:
    """The allocation LP restricted to a working set of columns (for :meth:`FastModel.solve`).

    Same rows as the whole model (named as there: budget, line, market, cap, forced, risk
    floors); columns are added, never removed, so a warm basis survives every change.
    """

    def __init__(self, model: FastModel, cols: np.ndarray, row_lo: np.ndarray, row_hi: np.ndarray) -> None:
        self.model = model
        self.cols = np.asarray(cols, dtype=np.int64)
        self.member = np.zeros(len(model.upper), dtype=bool)
        self.member[self.cols] = True
        self.outside = (model.upper > 0) & ~self.member  # the columns pricing may bring in
        a = model._a_csc[:, self.cols]
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cols)
        lp.num_row_ = a.shape[0]
        lp.col_cost_ = np.zeros(len(self.cols))
        lp.col_lower_ = np.zeros(len(self.cols))
        lp.col_upper_ = model.upper[self.cols]
        lp.row_lower_ = row_lo
        lp.row_upper_ = row_hi
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(float)
        self.highs = new_highs()
        status = self.highs.passModel(lp)
        if status != highspy.HighsStatus.kOk:
            raise SolverError(f"highspy rejected the model: {status}")
        self.row_lo, self.row_hi = row_lo.copy(), row_hi.copy()
        self.last_cost: np.ndarray | None = None

    def set_rows(self, lo: np.ndarray, hi: np.ndarray) -> None:
        """Change the row bounds that differ from the current ones."""
        changed = np.flatnonzero((lo != self.row_lo) | (hi != self.row_hi))
        if len(changed):
            for i in changed:  # the budget and market rows; the risk floors only after a shock
                self.highs.changeRowBounds(int(i), float(lo[i]), float(hi[i]))
            self.row_lo[changed], self.row_hi[changed] = lo[changed], hi[changed]

    def add(self, cols: np.ndarray, cost: np.ndarray) -> None:
        """Add columns (whole-model indices) with their costs, bounds ``[0, u_j]`` and entries."""
        if len(cols) == 0:
            return
        a = self.model._a_csc[:, cols]
        self.highs.addCols(
            len(cols),
            cost[cols],
            np.zeros(len(cols)),
            self.model.upper[cols],
            a.nnz,
            a.indptr[:-1].astype(np.int32),
            a.indices.astype(np.int32),
            a.data.astype(float),
        )
        self.cols = np.r_[self.cols, cols]
        self.member[cols] = True
        self.outside[cols] = False


def scale_from_lines(inputs: OptimiserInputs, scale: Mapping[str, float]) -> np.ndarray:
    """Per-option multipliers from a per-action-line mapping (missing lines keep 1)."""
    codes, names = pd.factorize(inputs.options["action_line_id"])
    per_line = np.array([float(scale.get(str(a), 1.0)) for a in names] + [1.0])
    return per_line[codes]  # codes of -1 (no line) take the trailing 1
