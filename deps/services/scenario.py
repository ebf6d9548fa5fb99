"""Scenario files for the optimiser: one scenario (``deps optimise --scenario``) or a batch grid (``deps batch``).

Both are YAML (or JSON, which YAML reads) mappings; a batch may also be a CSV file with one scenario per row.
Parsing validates every key and value first and raises one :class:`~deps.errors.DataValidationError` listing
every problem (file, key or row, what is wrong, how to fix it); unknown keys are problems too, with the nearest
known key suggested, so that a typo never silently drops a constraint.

One scenario (all keys optional)::

    budget_meur: 500                      # total budget B
    solver: highs                         # or cbc
    line_min_meur: {financing: 50}        # per action line, EUR million
    line_max_meur: {regulation: 20}
    market_min_share: {semiconductors: 0.2}   # fraction of B
    market_max_share: {biotech: 0.5}
    target_cap_meur: {"semi_euv_source|USA": 30}
    default_target_cap_meur: 100
    forced: [{action_line_id: financing, target_id: null, min_meur: 20}]
    forbidden: [{action_line_id: regulation, target_id: null}]
    year_budgets_meur: {2026: 250, 2027: 250}
    leverage_weight: 0.0                  # weight of the control-point objective
    market_weights: {semiconductors: 2.0} # priority weight per focus market (default 1)
    effect_overrides: [{action_line_id: financing, dependency_kind: concentration, segment: 1,
                        length_meur: 20, reduction_per_meur: 0.004}]
    robust: {mode: expected, shocks: {china_ban: {CHN: 1.0}}}

A batch adds the grid dimensions (each a named set of multipliers) to a ``base`` scenario::

    base: {...one scenario...}
    budgets: [100, 250, 500]
    weights: {base: {}, semis_first: {semiconductors: 2}}   # weight multipliers by market or target
    shocks: {none: {}, china: {CHN: 2.0}}                  # baseline-risk multipliers by supplier, market, target
    effects: {base: {}, pessimistic: {financing: 0.5}}     # multipliers of an action line's effect
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deps.errors import DataValidationError, Problem
from deps.ingest.reader import FIRST_DATA_ROW, read_table
from optimizer.backends import SOLVERS  # the solver names live in one place, in the engine
from optimizer.errors import PolicyError
from optimizer.policy import Constraints, ForcedOption

__all__ = [
    "SOLVERS",
    "BatchSpec",
    "ScenarioConfig",
    "parse_batch",
    "parse_scenario",
    "scenario",
    "scenario_from_mapping",
]

MAX_SCENARIO_BYTES = 5_000_000
MAX_BATCH_SCENARIOS = 100_000
ROBUST_MODES = ("expected", "worst_case")
EFFECT_KEYS = ("action_line_id", "dependency_kind", "segment", "length_meur", "reduction_per_meur")


@dataclass(frozen=True)
class ScenarioConfig:
    """A validated optimiser scenario: the engine's constraints plus what only the service uses.

    Parameters
    ----------
    budget_meur : float or None
        The scenario's total budget B in EUR million; ``None`` when the caller gives it (``--budget``,
        the app's field, a batch grid).
    solver : str
        ``highs`` or ``cbc``.
    constraints : optimizer.policy.Constraints
        Bounds, shares, caps, forced and forbidden options, year budgets and the leverage weight; the
        engine's own type, validated once on construction. ``constraints.with_budget(B)`` is the run's
        :class:`~optimizer.policy.Policy`.
    market_weights : mapping of market to weight
        Priority weight per focus market (default 1), applied when the targets are built.
    effect_overrides : tuple of mappings
        Effect segments that replace the assumption set's (keys :data:`EFFECT_KEYS`).
    robust_mode, robust_shocks
        Robust optimisation over named disruption scenarios (``expected`` or ``worst_case``).
    """

    budget_meur: float | None = None
    solver: str = "highs"
    constraints: Constraints = field(default_factory=Constraints)
    market_weights: Mapping[str, float] = field(default_factory=dict)
    effect_overrides: tuple[Mapping[str, Any], ...] = ()
    robust_mode: str | None = None
    robust_shocks: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for run parameters: the constraint fields flat beside the service's own."""
        plain: dict[str, Any] = {"budget_meur": self.budget_meur, "solver": self.solver}
        plain.update(self.constraints.as_plain())
        plain["market_weights"] = dict(self.market_weights)
        plain["effect_overrides"] = self.effect_overrides
        plain["robust_mode"] = self.robust_mode
        plain["robust_shocks"] = {name: dict(values) for name, values in self.robust_shocks.items()}
        return plain


def scenario(
    *,
    budget_meur: float | None = None,
    solver: str = "highs",
    market_weights: Mapping[str, float] | None = None,
    effect_overrides: tuple[Mapping[str, Any], ...] = (),
    forced: tuple[tuple[str, str | None, float], ...] = (),
    **constraints: Any,
) -> ScenarioConfig:
    """A scenario from flat keywords, as a scenario file spells them.

    ``forced`` takes ``(action_line_id, target_id or None, min_meur)`` triples; the other constraint
    keywords are the fields of :class:`~optimizer.policy.Constraints`.

    Raises
    ------
    DataValidationError
        When a number is impossible (the engine's :class:`~optimizer.errors.PolicyError`, one problem per
        message part).
    """
    try:
        built = Constraints(
            forced=tuple(ForcedOption(line, target, amount) for line, target, amount in forced), **constraints
        )
    except PolicyError as exc:
        raise DataValidationError(
            [Problem("scenario", None, None, part.strip(), "correct the number") for part in str(exc).split(";")],
            "scenario",
        ) from exc
    return ScenarioConfig(
        budget_meur=budget_meur,
        solver=solver,
        constraints=built,
        market_weights=dict(market_weights or {}),
        effect_overrides=effect_overrides,
    )


@dataclass(frozen=True)
class BatchSpec:
    """A validated batch grid."""

    base: ScenarioConfig
    budgets: tuple[float, ...]
    weights: Mapping[str, Mapping[str, float]]
    shocks: Mapping[str, Mapping[str, float]]
    effects: Mapping[str, Mapping[str, float]]
    rows: tuple[tuple[str, float, Mapping[str, float], Mapping[str, float], Mapping[str, float]], ...] = ()


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, where: str | None, problem: str, fix: str, row: int | None = None) -> None:
        self.problems.append(Problem(self.file, row, where, problem, fix))

    def number(self, where: str, value: object, *, low: float | None = 0.0, high: float | None = None) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(where, f"{value!r} is not a number", "write a number (dot as decimal sign)")
            return None
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            self.add(where, f"{value!r} is not a finite number", "write a finite number")
            return None
        if low is not None and number < low:
            self.add(where, f"{number:g} is below {low:g}", f"use a value of at least {low:g}")
            return None
        if high is not None and number > high:
            self.add(where, f"{number:g} is above {high:g}", f"use a value of at most {high:g}")
            return None
        return number

    def numbers(self, where: str, value: object, *, high: float | None = None) -> dict[str, float]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add(where, f"expected a mapping of id to number, got {type(value).__name__}", "write {id: number}")
            return {}
        out: dict[str, float] = {}
        for key, item in value.items():
            number = self.number(f"{where}.{key}", item, high=high)
            if number is not None:
                out[str(key)] = number
        return out

    def multipliers(self, where: str, value: object) -> dict[str, dict[str, float]]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add(where, "expected named sets of multipliers", "write {name: {key: multiplier}}")
            return {}
        return {str(name): self.numbers(f"{where}.{name}", sets) for name, sets in value.items()}


def _load(path: Path, collector: _Collector) -> object:
    if not path.is_file():
        collector.add(None, "file not found", "check the path")
        return None
    size = path.stat().st_size
    if size == 0:
        collector.add(None, "the file is empty", "write a YAML mapping such as `budget_meur: 500`")
        return None
    if size > MAX_SCENARIO_BYTES:
        collector.add(None, f"the file is {size / 1e6:.1f} MB; scenario files are small", "check the file")
        return None
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        collector.add(None, "the file is binary, not YAML, JSON or CSV text", "save it as UTF-8 text")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        collector.add(None, f"not valid UTF-8 (offset {exc.start})", "save the file as UTF-8")
        return None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        collector.add(None, f"not valid YAML/JSON: {getattr(exc, 'problem', exc)}", "fix the syntax", row=line)
        return None


_SCENARIO_KEYS = (
    "dataset",
    "budget_meur",
    "solver",
    "line_min_meur",
    "line_max_meur",
    "market_min_share",
    "market_max_share",
    "target_cap_meur",
    "default_target_cap_meur",
    "forced",
    "forbidden",
    "year_budgets_meur",
    "leverage_weight",
    "market_weights",
    "effect_overrides",
    "robust",
)


def _unknown_keys(data: Mapping[str, Any], known: tuple[str, ...], where: str, collector: _Collector) -> None:
    for key in data:
        if str(key) not in known:
            near = difflib.get_close_matches(str(key), known, n=1)
            fix = f"did you mean {near[0]!r}?" if near else f"use one of {', '.join(known)}"
            collector.add(f"{where}{key}", "unknown key", fix)


def scenario_from_mapping(data: object, collector: _Collector, where: str = "") -> ScenarioConfig:
    """Validate one scenario mapping (problems go to ``collector``)."""
    if data is None:
        return ScenarioConfig()
    if not isinstance(data, Mapping):
        collector.add(where or None, f"expected a mapping, got {type(data).__name__}", "write key: value lines")
        return ScenarioConfig()
    _unknown_keys(data, _SCENARIO_KEYS, where, collector)
    budget = data.get("budget_meur")
    budget_value = collector.number(f"{where}budget_meur", budget) if budget is not None else None
    solver = str(data.get("solver", "highs")).lower()
    if solver not in SOLVERS:
        collector.add(f"{where}solver", f"unknown solver {solver!r}", f"use one of {', '.join(SOLVERS)}")
        solver = "highs"
    forced: list[tuple[str, str | None, float]] = []
    for i, item in enumerate(_list(data.get("forced"), f"{where}forced", collector)):
        if not isinstance(item, Mapping) or "action_line_id" not in item or "min_meur" not in item:
            collector.add(
                f"{where}forced[{i}]", "needs action_line_id and min_meur", "write {action_line_id, min_meur}"
            )
            continue
        amount = collector.number(f"{where}forced[{i}].min_meur", item["min_meur"])
        target = item.get("target_id")
        if amount is not None:
            forced.append((str(item["action_line_id"]), None if target is None else str(target), amount))
    forbidden: list[tuple[str, str | None]] = []
    for i, item in enumerate(_list(data.get("forbidden"), f"{where}forbidden", collector)):
        if not isinstance(item, Mapping) or "action_line_id" not in item:
            collector.add(f"{where}forbidden[{i}]", "needs action_line_id", "write {action_line_id, target_id}")
            continue
        target = item.get("target_id")
        forbidden.append((str(item["action_line_id"]), None if target is None else str(target)))
    years: dict[int, float] = {}
    for key, value in collector.numbers(f"{where}year_budgets_meur", data.get("year_budgets_meur")).items():
        if not key.isdigit():
            collector.add(
                f"{where}year_budgets_meur.{key}", "a year must be a number such as 2026", "use years as keys"
            )
            continue
        years[int(key)] = value
    overrides: list[dict[str, Any]] = []
    for i, item in enumerate(_list(data.get("effect_overrides"), f"{where}effect_overrides", collector)):
        if not isinstance(item, Mapping) or any(k not in item for k in EFFECT_KEYS):
            collector.add(
                f"{where}effect_overrides[{i}]", "an effect row is incomplete", f"give {', '.join(EFFECT_KEYS)}"
            )
            continue
        length = collector.number(f"{where}effect_overrides[{i}].length_meur", item["length_meur"])
        slope = collector.number(f"{where}effect_overrides[{i}].reduction_per_meur", item["reduction_per_meur"], high=1)
        segment = collector.number(f"{where}effect_overrides[{i}].segment", item["segment"], low=1)
        if None not in (length, slope, segment):
            overrides.append(
                {
                    "action_line_id": str(item["action_line_id"]),
                    "dependency_kind": str(item["dependency_kind"]),
                    "segment": int(segment or 1),
                    "length_meur": length,
                    "reduction_per_meur": slope,
                }
            )
    robust = data.get("robust")
    mode: str | None = None
    shocks: dict[str, dict[str, float]] = {}
    if robust is not None:
        if not isinstance(robust, Mapping):
            collector.add(f"{where}robust", "expected {mode, shocks}", "write robust: {mode: expected, shocks: {...}}")
        else:
            _unknown_keys(robust, ("mode", "shocks"), f"{where}robust.", collector)
            mode = str(robust.get("mode", "expected"))
            if mode not in ROBUST_MODES:
                collector.add(f"{where}robust.mode", f"unknown mode {mode!r}", f"use {' or '.join(ROBUST_MODES)}")
            shocks = collector.multipliers(f"{where}robust.shocks", robust.get("shocks"))
            for name, values in shocks.items():
                for key, fraction in values.items():
                    if fraction > 1:
                        collector.add(f"{where}robust.shocks.{name}.{key}", "a shock fraction is at most 1", "use 0-1")
            if not shocks:
                collector.add(f"{where}robust.shocks", "no disruption scenarios", "name at least one: {name: {CHN: 1}}")
    leverage = data.get("leverage_weight", 0.0)
    try:
        constraints = Constraints(
            line_min_meur=collector.numbers(f"{where}line_min_meur", data.get("line_min_meur")),
            line_max_meur=collector.numbers(f"{where}line_max_meur", data.get("line_max_meur")),
            market_min_share=collector.numbers(f"{where}market_min_share", data.get("market_min_share"), high=1),
            market_max_share=collector.numbers(f"{where}market_max_share", data.get("market_max_share"), high=1),
            target_cap_meur=collector.numbers(f"{where}target_cap_meur", data.get("target_cap_meur")),
            default_target_cap_meur=(
                collector.number(f"{where}default_target_cap_meur", data["default_target_cap_meur"])
                if data.get("default_target_cap_meur") is not None
                else None
            ),
            forced=tuple(ForcedOption(line, target, amount) for line, target, amount in forced),
            forbidden=tuple(forbidden),
            year_budgets_meur=years,
            leverage_weight=collector.number(f"{where}leverage_weight", leverage) or 0.0,
        )
    except PolicyError as exc:  # the collector refuses impossible numbers first; this is the engine's second word
        collector.add(where or None, str(exc), "correct the numbers")
        constraints = Constraints()
    return ScenarioConfig(
        budget_meur=budget_value,
        solver=solver,
        constraints=constraints,
        market_weights=collector.numbers(f"{where}market_weights", data.get("market_weights")),
        effect_overrides=tuple(overrides),
        robust_mode=mode,
        robust_shocks=shocks,
    )


def _list(value: object, where: str, collector: _Collector) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        collector.add(where, f"expected a list, got {type(value).__name__}", "write a YAML list (- item)")
        return []
    return value


def parse_scenario(path: Path) -> tuple[ScenarioConfig, str | None]:
    """Read and validate one scenario file; returns the scenario and its ``dataset`` key (or None)."""
    collector = _Collector(path.name)
    data = _load(path, collector)
    config = scenario_from_mapping(data, collector) if not collector.problems else ScenarioConfig()
    if collector.problems:
        raise DataValidationError(collector.problems, f"scenario {path.name}")
    dataset = data.get("dataset") if isinstance(data, Mapping) else None
    return config, None if dataset is None else str(dataset)


def parse_batch(path: Path) -> BatchSpec:
    """Read and validate a batch file: YAML/JSON grid, or CSV with one scenario per row."""
    collector = _Collector(path.name)
    if path.suffix.lower() == ".csv":
        spec = _batch_csv(path, collector)
    else:
        data = _load(path, collector)
        spec = _batch_mapping(data, collector) if not collector.problems else None
    if collector.problems or spec is None:
        raise DataValidationError(collector.problems, f"batch {path.name}")
    size = len(spec.rows) or len(spec.budgets) * len(spec.weights) * len(spec.shocks) * len(spec.effects)
    if size > MAX_BATCH_SCENARIOS:
        raise DataValidationError(
            [Problem(path.name, None, None, f"the grid has {size} scenarios", f"keep it under {MAX_BATCH_SCENARIOS}")],
            f"batch {path.name}",
        )
    return spec


def _batch_mapping(data: object, collector: _Collector) -> BatchSpec | None:
    if not isinstance(data, Mapping):
        collector.add(None, "a batch file is a mapping with base, budgets, weights, shocks, effects", "see the README")
        return None
    _unknown_keys(data, ("base", "budgets", "weights", "shocks", "effects"), "", collector)
    base = scenario_from_mapping(data.get("base"), collector, "base.")
    budgets = []
    for i, value in enumerate(_list(data.get("budgets"), "budgets", collector)):
        number = collector.number(f"budgets[{i}]", value)
        if number is not None:
            budgets.append(number)
    if not budgets and base.budget_meur is not None:
        budgets = [base.budget_meur]
    if not budgets:
        collector.add("budgets", "no budget given", "write budgets: [100, 250, 500] or base.budget_meur")
    return BatchSpec(
        base=base,
        budgets=tuple(budgets),
        weights=collector.multipliers("weights", data.get("weights")) or {"base": {}},
        shocks=collector.multipliers("shocks", data.get("shocks")) or {"none": {}},
        effects=collector.multipliers("effects", data.get("effects")) or {"base": {}},
    )


def _batch_csv(path: Path, collector: _Collector) -> BatchSpec | None:

    table = read_table(
        path, required=("key", "budget_meur"), optional=("weights", "shock", "effects"), max_bytes=MAX_SCENARIO_BYTES
    )
    collector.problems.extend(table.problems)
    if table.frame is None or table.problems:
        return None
    rows = []
    seen: set[str] = set()
    for offset, record in enumerate(table.frame.to_dict(orient="records")):
        row = offset + FIRST_DATA_ROW
        key = str(record["key"])
        if not key:
            collector.add("key", "value is missing", "give each scenario a unique key", row=row)
        elif key in seen:
            collector.add("key", f"duplicate key {key!r}", "give each scenario a unique key", row=row)
        seen.add(key)
        try:
            budget = float(record["budget_meur"])
        except ValueError:
            collector.add("budget_meur", f"{record['budget_meur']!r} is not a number", "write EUR million", row=row)
            continue
        if budget < 0 or budget != budget:
            collector.add("budget_meur", f"{budget:g} is not a budget", "use a number >= 0", row=row)
            continue
        parsed = [_pairs(str(record[c]), c, row, collector) for c in ("weights", "shock", "effects")]
        rows.append((key, budget, parsed[0], parsed[1], parsed[2]))
    if not rows and not collector.problems:
        collector.add(None, "the file has no scenarios", "add one row per scenario")
    return BatchSpec(ScenarioConfig(), (), {}, {}, {}, tuple(rows))


def _pairs(cell: str, column: str, row: int, collector: _Collector) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in (p for p in cell.split(";") if p.strip()):
        key, sep, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not sep or not key.strip() or number != number or number < 0:
            collector.add(column, f"{item!r} is not key=multiplier", "write e.g. semiconductors=2;CHN=1.5", row=row)
            continue
        out[key.strip()] = number
    return out
