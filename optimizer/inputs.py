"""Validated inputs of the budget optimiser (docs/methods/optimiser.md).

Three frames describe a problem:

* targets: ``target_id``, ``baseline_risk`` (r_t >= 0), ``weight`` (w_t >= 0),
  ``dependency_kind`` and optionally ``market``, ``node_id``, ``supplier`` and ``leverage`` (a
  control-point score in [0, 1] used by the optional second objective);
* target_markets (optional; the contract of :mod:`optimizer.reach`): ``target_id``,
  ``market_id``, ``reach_share`` (rho_tm, the share of market m's final products that target t's
  node reaches). Without it, the targets frame's ``market`` column gives rho = 1 for one market;
* action lines: ``action_line_id``, ``name_en``, ``name_nl`` and optionally ``min_meur`` and
  ``max_meur`` (spend bounds in EUR million, NaN for none);
* effects: ``action_line_id``, ``dependency_kind``, ``segment``, ``length_meur`` (L_atk, EUR
  million) and ``reduction_per_meur`` (the fraction of a target's baseline risk removed per EUR
  million; ``slope_central`` is accepted as its synonym). A curve applies to every target of the
  same ``dependency_kind``; its slope for target t is ``e_atk = reduction_per_meur * r_t``.
  Slopes must not rise with the segment number (concave curves: diminishing returns, so no
  integer variables are needed). Optional ``slope_low`` and ``slope_high`` (same unit) give the
  range of the evidence for the sensitivity analysis and the robust plan; when absent they
  equal the central value. ``slope_low <= reduction_per_meur <= slope_high`` per segment.

:func:`build_inputs` validates all three once, applies per-run effect overrides, and derives
the option table (one row per line x target x segment) used by every solver path.
:class:`Policy` holds the per-run constraints.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from optimizer.errors import InputError, PolicyError
from optimizer.policy import Budget, ForcedOption, Policy
from optimizer.reach import build_reach, markets_label, reach_matrices
from optimizer.tolerances import TOL

__all__ = [
    "Budget",
    "ForcedOption",
    "OptimiserInputs",
    "Policy",
    "build_inputs",
    "line_bounds",
    "validate_policy",
]

TARGET_COLUMNS = ("target_id", "baseline_risk", "weight", "dependency_kind")
LINE_COLUMNS = ("action_line_id", "name_en", "name_nl")
EFFECT_COLUMNS = (
    "action_line_id",
    "dependency_kind",
    "segment",
    "length_meur",
    "reduction_per_meur",
)
RANGE_COLUMNS = ("slope_low", "slope_high")
OPTION_COLUMNS = (
    "action_line_id",
    "target_id",
    "segment",
    "length_meur",
    "reduction_per_meur",
    "slope",
    "weight",
    "slope_low",
    "slope_high",
)


@dataclass(frozen=True, eq=False)
class OptimiserInputs:
    """Validated frames plus the derived option table (sorted, deterministic).

    ``options`` has one row per applicable (line, target, segment) with columns
    ``action_line_id, target_id, segment, length_meur, reduction_per_meur, slope`` (e_atk,
    risk per EUR million) and ``weight``, plus ``slope_low`` and ``slope_high`` (the fractions
    of the effect's range); its row order is the variable order of every solver path.
    ``reach`` is the attribution table of :mod:`optimizer.reach` (``target_id, market,
    reach_share, spend_share``); ``targets["market"]`` is only a label (``a;b``). ``lines`` keeps
    the caller's row order in ``order`` (the policy letter's order for the seed).
    """

    targets: pd.DataFrame
    lines: pd.DataFrame
    effects: pd.DataFrame
    options: pd.DataFrame
    reach: pd.DataFrame

    @cached_property
    def reach_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(rho, split): dense targets x markets arrays (orders of ``target_ids``, ``markets``)."""
        return reach_matrices(self.reach, self.target_ids, self.markets)

    @property
    def target_ids(self) -> list[str]:
        """Target ids in sorted order."""
        return [str(t) for t in self.targets["target_id"]]

    @property
    def line_ids(self) -> list[str]:
        """Action line ids in sorted order."""
        return [str(a) for a in self.lines["action_line_id"]]

    @property
    def markets(self) -> list[str]:
        """Markets reached by some target, in sorted order."""
        return sorted({str(m) for m in self.reach["market"]})

    @property
    def weighted_baseline(self) -> float:
        """Sum over targets of w_t * r_t (the objective when nothing is spent)."""
        t = self.targets
        return float((t["weight"] * t["baseline_risk"]).sum())


def build_inputs(
    targets: pd.DataFrame,
    lines: pd.DataFrame,
    effects: pd.DataFrame,
    *,
    target_markets: pd.DataFrame | None = None,
    effect_overrides: pd.DataFrame | None = None,
) -> OptimiserInputs:
    """Validate the frames and derive the option table and the reach table.

    Parameters
    ----------
    targets, lines, effects : DataFrame
        See the module docstring for the columns.
    target_markets : DataFrame, optional
        ``target_id, market_id, reach_share`` (:mod:`optimizer.reach`); without it the
        targets' ``market`` column is used with ``reach_share = 1``.
    effect_overrides : DataFrame, optional
        Same columns as ``effects``; every (action_line_id, dependency_kind) curve present here
        replaces the default curve wholesale. The ``source`` column of the stored effects says
        ``default`` or ``override`` so reports can show the assumption; extra columns (evidence,
        confidence, note) are kept.

    Returns
    -------
    OptimiserInputs

    Raises
    ------
    InputError
        Listing every problem found (missing columns, duplicates, negative numbers, rising
        slopes, unknown action lines).
    """
    problems: list[str] = []
    t = _require(targets, TARGET_COLUMNS, "targets", problems)
    a = _require(lines, LINE_COLUMNS, "action lines", problems)
    e = _require(_central(effects), EFFECT_COLUMNS, "effects", problems)
    if problems:
        raise InputError("; ".join(problems))
    t = t.copy()
    t["target_id"] = t["target_id"].astype(str)
    t["order"] = np.arange(len(t))  # the caller's row order (the second stage's last criterion)
    t["dependency_kind"] = t["dependency_kind"].astype(str)
    t["baseline_risk"] = t["baseline_risk"].astype(float)
    t["weight"] = t["weight"].astype(float)
    t["leverage"] = t["leverage"].astype(float) if "leverage" in t else 0.0
    t = t.sort_values("target_id", kind="mergesort").reset_index(drop=True)
    a = a.copy()
    a["action_line_id"] = a["action_line_id"].astype(str)
    a["order"] = np.arange(len(a))
    for col in ("min_meur", "max_meur"):
        a[col] = a[col].astype(float) if col in a else np.nan
    a = a.sort_values("action_line_id", kind="mergesort").reset_index(drop=True)
    e = _normalise_effects(e, "default")
    if effect_overrides is not None:
        o = _require(_central(effect_overrides), EFFECT_COLUMNS, "effect overrides", problems)
        if problems:
            raise InputError("; ".join(problems))
        o = _normalise_effects(o, "override")
        keys = set(zip(o["action_line_id"], o["dependency_kind"], strict=True))
        keep = [(line, kind) not in keys for line, kind in zip(e["action_line_id"], e["dependency_kind"], strict=True)]
        e = pd.concat([e[keep], o], ignore_index=True)
        e = e.sort_values(["action_line_id", "dependency_kind", "segment"], kind="mergesort")
        e = e.reset_index(drop=True)
    _check_targets(t, problems)
    _check_lines(a, problems)
    _check_effects(e, set(a["action_line_id"]), problems)
    if problems:
        raise InputError("; ".join(problems))
    reach = build_reach([str(x) for x in t["target_id"]], t, target_markets)
    t["market"] = t["target_id"].map(markets_label(reach)).astype(str)
    options = _options(t, e)
    return OptimiserInputs(targets=t, lines=a, effects=e, options=options, reach=reach)


def line_bounds(inputs: OptimiserInputs, policy: Policy) -> dict[str, tuple[float, float | None]]:
    """Effective (min, max) spend per action line: the frame's columns overridden by the policy.

    A missing minimum is 0; a missing maximum is ``None`` (unbounded).
    """
    out: dict[str, tuple[float, float | None]] = {}
    lines = inputs.line_ids
    mins = [float(x) for x in inputs.lines["min_meur"]]
    maxs = [float(x) for x in inputs.lines["max_meur"]]
    for line, frame_lo, frame_hi in zip(lines, mins, maxs, strict=True):
        lo = float(policy.line_min_meur.get(line, frame_lo))
        hi_raw = float(policy.line_max_meur.get(line, frame_hi))
        lo = 0.0 if np.isnan(lo) else lo
        hi = None if np.isnan(hi_raw) else hi_raw
        out[line] = (lo, hi)
    return out


def validate_policy(inputs: OptimiserInputs, policy: Policy) -> None:
    """Check that the policy refers only to known lines, markets, targets.

    (Its numbers were checked when the policy was built.)

    Raises
    ------
    PolicyError
        Listing every unknown reference. Conflicts between valid constraints are NOT errors:
        they make the model infeasible, which the solver reports as a result with a diagnosis.
    """
    problems: list[str] = []
    lines, targets, markets = set(inputs.line_ids), set(inputs.target_ids), set(inputs.markets)
    for label, mapping in (("line_min_meur", policy.line_min_meur), ("line_max_meur", policy.line_max_meur)):
        for key in mapping:
            if key not in lines:
                problems.append(f"{label}: unknown action line {key!r}; use one of {sorted(lines)}")
    for label, shares in (
        ("market_min_share", policy.market_min_share),
        ("market_max_share", policy.market_max_share),
    ):
        for key in shares:
            if key not in markets:
                problems.append(f"{label}: unknown market {key!r}; use one of {sorted(markets)}")
    for key in policy.target_cap_meur:
        if key not in targets:
            problems.append(f"target_cap_meur: unknown target {key!r}")
    pairs = [(f.action_line_id, f.target_id, f"forced {f.key}") for f in policy.forced]
    pairs += [(line, tgt, f"forbidden {line}|{tgt}") for line, tgt in policy.forbidden]
    for line, tgt, label in pairs:
        if line not in lines:
            problems.append(f"{label}: unknown action line {line!r}")
        if tgt is not None and tgt not in targets:
            problems.append(f"{label}: unknown target {tgt!r}")
    if problems:
        raise PolicyError("; ".join(problems))


def _central(frame: pd.DataFrame) -> pd.DataFrame:
    """Accept ``slope_central`` as the name of ``reduction_per_meur``."""
    if "slope_central" in frame.columns and "reduction_per_meur" not in frame.columns:
        return frame.rename(columns={"slope_central": "reduction_per_meur"})
    return frame.drop(columns=["slope_central"], errors="ignore")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], label: str, problems: list[str]) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        problems.append(f"{label} frame lacks columns {missing}; add them")
    return frame


def _normalise_effects(e: pd.DataFrame, source: str) -> pd.DataFrame:
    extra = [c for c in e.columns if c not in EFFECT_COLUMNS and c not in ("source", *RANGE_COLUMNS)]
    e = e.copy()
    central = e["reduction_per_meur"].astype(float)
    for col in RANGE_COLUMNS:
        e[col] = central if col not in e else pd.to_numeric(e[col], errors="coerce").fillna(central).astype(float)
    e = e.loc[:, [*EFFECT_COLUMNS, *RANGE_COLUMNS, *extra]]
    e["action_line_id"] = e["action_line_id"].astype(str)
    e["dependency_kind"] = e["dependency_kind"].astype(str)
    e["segment"] = e["segment"].astype(int)
    e["length_meur"] = e["length_meur"].astype(float)
    e["reduction_per_meur"] = e["reduction_per_meur"].astype(float)
    e["source"] = source
    e = e.sort_values(["action_line_id", "dependency_kind", "segment"], kind="mergesort")
    return e.reset_index(drop=True)


def _check_targets(t: pd.DataFrame, problems: list[str]) -> None:
    dup = t["target_id"][t["target_id"].duplicated()].tolist()
    if dup:
        problems.append(f"targets: duplicate target_id {sorted(set(dup))}; make ids unique")
    for col in ("baseline_risk", "weight", "leverage"):
        bad = t["target_id"][~(np.isfinite(t[col]) & (t[col] >= 0))].tolist()
        if bad:
            problems.append(f"targets: {col} must be finite and >= 0 for {bad[:10]}")


def _check_lines(a: pd.DataFrame, problems: list[str]) -> None:
    dup = a["action_line_id"][a["action_line_id"].duplicated()].tolist()
    if dup:
        problems.append(f"action lines: duplicate action_line_id {sorted(set(dup))}")
    for col in ("min_meur", "max_meur"):
        bad = a["action_line_id"][a[col] < 0].tolist()
        if bad:
            problems.append(f"action lines: {col} must be >= 0 for {bad}")


def _check_effects(e: pd.DataFrame, lines: set[str], problems: list[str]) -> None:
    unknown = sorted(set(e["action_line_id"]) - lines)
    if unknown:
        problems.append(f"effects: unknown action_line_id {unknown}; add them to the lines frame")
    key = ["action_line_id", "dependency_kind", "segment"]
    dup = e[e.duplicated(key)]
    if len(dup):
        problems.append(f"effects: duplicate segments {dup[key].values.tolist()[:5]}")
    bad_len = e[~(np.isfinite(e["length_meur"]) & (e["length_meur"] > 0))]
    if len(bad_len):
        problems.append(f"effects: length_meur must be > 0 ({len(bad_len)} rows)")
    red = e["reduction_per_meur"]
    if not bool((np.isfinite(red) & (red >= 0)).all()):
        problems.append("effects: reduction_per_meur must be finite and >= 0")
    lo, hi = e["slope_low"], e["slope_high"]
    bad = e[~((lo >= 0) & (lo <= red + TOL.slope_rise) & (hi >= red - TOL.slope_rise) & np.isfinite(hi))]
    if len(bad):
        problems.append(f"effects: need 0 <= slope_low <= reduction_per_meur <= slope_high ({len(bad)} rows)")
    rising = e.groupby(["action_line_id", "dependency_kind"], sort=True)["reduction_per_meur"]
    for (line, kind), slopes in rising:
        if bool((np.diff(slopes.to_numpy()) > TOL.slope_rise).any()):
            problems.append(
                f"effects: slopes of {line}/{kind} rise with the segment; "
                "curves must be concave (non-increasing reduction_per_meur)"
            )


def _options(t: pd.DataFrame, e: pd.DataFrame) -> pd.DataFrame:
    cols = ["target_id", "dependency_kind", "baseline_risk", "weight"]
    merged = t[cols].merge(e, on="dependency_kind", how="inner")
    merged["slope"] = merged["reduction_per_meur"] * merged["baseline_risk"]
    for col in RANGE_COLUMNS:  # the range as fractions of baseline risk per EUR million
        merged[col] = merged[col].astype(float)
    merged = merged.sort_values(["action_line_id", "target_id", "segment"], kind="mergesort")
    return merged.loc[:, list(OPTION_COLUMNS)].reset_index(drop=True)
