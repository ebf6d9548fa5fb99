"""The content of a report: a run's tables, parameters and provenance gathered into the report model.

Every renderer (PDF through HTML, XLSX, Markdown) draws on the same :class:`ReportContent`, so the formats agree.
The model holds no export time and no exporter name beyond what the caller passes, so the same run exported twice
gives the same tables; when and by whom a report was made is in the audit log (action ``report``).

What each run kind contributes (see ``deps/services/analysis.py`` and ``deps/services/optimisation.py``
for the stored tables):

* ``analysis``: chokepoints (any chokepoint flag), control points (home and bloc) with their explanations, the
  highest risks, mutual dependence and the evidence (sources) behind every chokepoint.
* ``simulation``: the shocks, the loss per market, per final product and per node.
* ``optimisation`` (and ``frontier``/``montecarlo``/``robust``): the allocation, the binding constraints with their
  shadow prices, the frontier, the market split, the assumptions (action-line effects with their sources) and
  conflicts.  The chokepoint analysis of the dataset is not repeated: it is in the analysis report of that dataset.
* ``screen``: the EU screen and the transit table.
* any other kind: every stored table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from deps.reports.model import ChartSpec, ReportContent, ReportSection, ReportTable, report_id, value_text
from deps.services.runs import RunRecord

__all__ = ["gather_content"]

_CHOKEPOINT_FLAGS = (
    "global_chokepoint",
    "foreign_home_chokepoint",
    "foreign_bloc_chokepoint",
    "firm_global_chokepoint",
    "dominator_chokepoint",
    "knockout_chokepoint",
    "single_supplier_knockout",
)
_OPTIMISATION_KINDS = ("optimisation", "frontier", "montecarlo", "robust")


def _flatten(values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((str(key), value_text(values[key])) for key in sorted(values))


def _columns(frame: pd.DataFrame, wanted: Sequence[str]) -> pd.DataFrame:
    return frame[[c for c in wanted if c in frame.columns]].reset_index(drop=True)


def _sorted(frame: pd.DataFrame, by: str, *, ascending: bool = False, tie: str | None = None) -> pd.DataFrame:
    if by not in frame.columns or frame.empty:
        return frame.reset_index(drop=True)
    keys = [by] + ([tie] if tie and tie in frame.columns else [])
    order = [ascending] + ([True] if len(keys) > 1 else [])
    return frame.sort_values(keys, ascending=order, kind="mergesort").reset_index(drop=True)


def _truthy(frame: pd.DataFrame, column: str, *, possible: bool = False) -> pd.Series:
    """True where a flag is set: True (boolean flags) or 'yes' (yes/possible/no flags; 'possible' too if asked)."""
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    accepted = ["yes", "True", *(["possible"] if possible else [])]
    return frame[column].astype(str).isin(accepted)


def _bar(
    key: str, title: str, frame: pd.DataFrame, label: str, value: str, y_label: str, top: int = 15
) -> list[ChartSpec]:
    if frame.empty or label not in frame.columns or value not in frame.columns:
        return []
    part = frame.dropna(subset=[value]).head(top)
    if part.empty:
        return []
    x = tuple(str(v) for v in part[label])
    y = tuple(float(v) for v in part[value])
    return [ChartSpec(key, title, "bar", x, y, label, y_label)]


def _analysis(tables: Mapping[str, pd.DataFrame]) -> tuple[list[ReportSection], list[ChartSpec]]:
    nodes = tables.get("nodes", pd.DataFrame())
    chokepoints, chokes = _chokepoint_section(nodes)
    risk = _sorted(tables.get("risk", pd.DataFrame()), "risk", tie="target_id")
    mutual = _sorted(tables.get("mutual", pd.DataFrame()), "risk", tie="partner")
    sections = [
        chokepoints,
        _control_section(tables),
        ReportSection(
            "risk",
            "Risks and mutual dependence",
            (),
            (
                ReportTable("risk", "Risk per target, highest first", risk),
                ReportTable("mutual", "Mutual dependence per partner", mutual),
            ),
        ),
        _sources_section(tables.get("evidence", pd.DataFrame()), chokes),
    ]
    if "sources" in tables or "conflicts" in tables:  # a fused graph (deps analyse --with ...)
        sections.append(_fusion_section(tables))
    charts = _bar(
        "risk",
        "Highest risks (top 15)",
        _sorted(_columns(nodes, ["node_id", "max_risk"]), "max_risk", tie="node_id"),
        "node_id",
        "max_risk",
        "max risk",
    )
    return sections, charts


def _chokepoint_section(nodes: pd.DataFrame) -> tuple[ReportSection, pd.DataFrame]:
    """The chokepoints (``yes`` by at least one test) and the possible ones; also the chokepoint table."""
    flags = [f for f in _CHOKEPOINT_FLAGS if f in nodes.columns]
    mask = pd.Series(False, index=nodes.index)
    maybe = pd.Series(False, index=nodes.index)
    for flag in flags:
        mask |= _truthy(nodes, flag)
        maybe |= _truthy(nodes, flag, possible=True)
    chokes = nodes[mask].copy()
    if not chokes.empty:
        chokes["flags"] = [
            ", ".join(f.removesuffix("_chokepoint") for f in flags if str(row[f]) in ("yes", "True"))
            for _, row in chokes.iterrows()
        ]
    bounds = ["top_share_low", "top_share_high", "hhi_low", "hhi_high"]
    shown = ["node_id", "name", "kind", "flags", "hhi", *bounds, "top_supplier", "top_share", "max_risk", "explanation"]
    chokes = _sorted(_columns(chokes, shown), "max_risk", tie="node_id")
    possible = _sorted(
        _columns(
            nodes[maybe & ~mask],
            ["node_id", "name", "kind", "chokepoint", "coverage", *bounds, "control_point", "explanation"],
        ),
        "top_share_high",
        tie="node_id",
    )
    section = ReportSection(
        "chokepoints",
        "Chokepoints",
        (
            f"{len(chokes)} of {len(nodes)} nodes are a chokepoint by at least one test "
            "(docs/methods/chokepoints.md: concentration, foreign share, firm share, dominators, knock-out); "
            f"{len(possible)} more are possible chokepoints: where shares are unknown, only the upper "
            "bound crosses the threshold (at least / at most over every completion of the data, "
            "docs/methods/bounds.md).",
        ),
        (
            ReportTable("chokepoints", "Chokepoints, highest risk first", chokes),
            ReportTable("possible_chokepoints", "Possible chokepoints (shares partly unknown)", possible),
        ),
    )
    return section, chokes


def _control_section(tables: Mapping[str, pd.DataFrame]) -> ReportSection:
    """Dutch and bloc control points, ``yes`` and ``possible``, highest upper leverage first."""
    control: list[ReportTable] = []
    for name, title in (("control_points", "Dutch control points"), ("bloc_control_points", "Bloc control points")):
        frame = tables.get(name, pd.DataFrame())
        chosen = frame[_truthy(frame, "control_point", possible=True)] if "control_point" in frame.columns else frame
        control.append(ReportTable(name, title, _sorted(chosen, "leverage_high", tie="node_id")))
    return ReportSection(
        "control_points",
        "Control points",
        (
            "Nodes where the home country or bloc holds "
            "a share others depend on; leverage = share x (1 - substitutability) x reach, with its lowest and "
            "highest value where shares are unknown; control_point is yes, or possible when only the upper "
            "bound of the share crosses the threshold.",
        ),
        tuple(control),
    )


def _fusion_section(tables: Mapping[str, pd.DataFrame]) -> ReportSection:
    """A fused graph's candidate sources per node (the chosen one marked) and the conflicts between sources."""
    candidates = tables.get("sources", pd.DataFrame())
    conflicts = tables.get("conflicts", pd.DataFrame())
    chosen = int(candidates["chosen"].astype(bool).sum()) if "chosen" in candidates.columns else 0
    return ReportSection(
        "fusion",
        "Sources of the fused graph and their conflicts",
        (
            f"The graph lays the shares of several datasets over the base dataset: for each node and view one "
            f"source is chosen by the documented precedence (docs/data.md, fused graph); {len(candidates)} "
            f"candidate sources, {chosen} of them chosen. {len(conflicts)} node, supplier and year combinations "
            "differ between two sources by more than the conflict threshold (DEPS_CONFLICT_PP, percentage points).",
        ),
        (
            ReportTable("fusion_sources", "Candidate sources per node (chosen marked)", candidates),
            ReportTable("source_conflicts", "Conflicts between sources", conflicts),
        ),
    )


def _sources_section(evidence: pd.DataFrame, chokes: pd.DataFrame) -> ReportSection:
    """The supplier shares with their sources behind the chokepoints."""
    if not evidence.empty and "node_id" in evidence.columns and not chokes.empty:
        evidence = evidence[evidence["node_id"].isin(set(chokes["node_id"]))]
    sources = _columns(
        evidence, ["node_id", "supplier_id", "country", "share", "year", "source", "evidence", "confidence"]
    )
    return ReportSection(
        "sources",
        "Evidence and sources behind the chokepoints",
        (),
        (ReportTable("sources", "Supplier shares with their sources", sources),),
    )


def _simulation(run: RunRecord, tables: Mapping[str, pd.DataFrame]) -> tuple[list[ReportSection], list[ChartSpec]]:
    markets = _sorted(tables.get("markets", pd.DataFrame()), "weighted_loss_high", tie="market")
    finals = _sorted(tables.get("finals", pd.DataFrame()), "loss_high", tie="node_id")
    nodes = tables.get("nodes", pd.DataFrame())
    if "loss_high" in nodes.columns:
        nodes = nodes[nodes["loss_high"].fillna(0) > 0]
    nodes = _sorted(nodes, "loss_high", tie="node_id")
    shocks = value_text(run.summary.get("shocks", run.parameters.get("shocks", [])))
    section = ReportSection(
        "disruption",
        "Disruption results",
        (
            f"Shocks: {shocks}. Loss is the fraction of supply lost (0 to 1), propagated through the supply graph. "
            "Where a shocked supplier's share is unknown the loss is a range: at least loss_low, at most loss_high.",
        ),
        (
            ReportTable("markets", "Loss per market", markets),
            ReportTable("finals", "Loss per final product", finals),
            ReportTable("nodes", "Nodes with a loss", nodes),
        ),
    )
    return [section], _bar(
        "markets",
        "Weighted loss per market (at most)",
        markets,
        "market",
        "weighted_loss_high",
        "weighted loss, at most",
    )


def _optimisation(run: RunRecord, tables: Mapping[str, pd.DataFrame]) -> tuple[list[ReportSection], list[ChartSpec]]:
    allocation = _sorted(tables.get("allocation", pd.DataFrame()), "spend_meur", tie="action_line_id")
    duals = tables.get("duals", pd.DataFrame())
    binding = _sorted(
        duals[_truthy(duals, "binding")] if "binding" in duals.columns else duals, "dual", tie="constraint"
    )
    split = str(run.summary.get("split_note") or "")
    ranges = tuple(
        ReportTable(n, t, tables[n])
        for n, t in (
            ("line_ranges", "Spend per action line: the chosen split and its range over all optimal allocations"),
            ("market_ranges", "Spend per market: the chosen split and its range over all optimal allocations"),
        )
        if n in tables
    )
    sections = [
        ReportSection(
            "allocation",
            "The optimiser's allocation",
            (
                f"Status {run.status}; solver {run.solver or 'unknown'}. Shadow prices are the change in the weighted "
                "residual risk per extra unit of each binding constraint (per MEUR for the budget).",
                *((split,) if split else ()),
            ),
            (
                ReportTable("allocation", "Allocation (MEUR), largest first", allocation),
                *ranges,
                ReportTable("markets", "Spend and risk per market", tables.get("markets", pd.DataFrame())),
                ReportTable("shadow_prices", "Binding constraints and shadow prices", binding),
            ),
        )
    ]
    extra = [
        ReportTable(n, t, tables[n])
        for n, t in (
            ("frontier", "Budget-risk frontier"),
            ("mc_bands", "Monte Carlo bands"),
            ("mc_funding", "Monte Carlo funding frequency"),
            ("robust_allocation", "Robust allocation"),
        )
        if n in tables
    ]
    if extra:
        sections.append(ReportSection("frontier", "Frontier and uncertainty", (), tuple(extra)))
    if "tornado" in tables:
        robust = str(run.summary.get("robust_box") or "")
        sections.append(
            ReportSection(
                "sensitivity",
                "Sensitivity to the effect assumptions and robust plans",
                (
                    "Each effect segment (and the budget, -50 % to +50 %) is set to its low and its high value in "
                    "turn, all else central, and the allocation solved again: the swing is the difference in "
                    "optimal weighted residual risk, largest first.",
                    *((robust,) if robust else ()),
                ),
                tuple(
                    ReportTable(n, t, tables[n])
                    for n, t in (
                        ("tornado", "Sensitivity (tornado data)"),
                        ("robust_plans", "Central, worst-case and minimum-regret plans"),
                    )
                    if n in tables
                ),
            )
        )
    sections.append(
        ReportSection(
            "assumptions",
            "Assumptions and conflicts",
            ("The effect of each action line, with its evidence and source, as the optimiser used it.",),
            (
                ReportTable("assumptions", "Assumptions", tables.get("assumptions", pd.DataFrame())),
                ReportTable("conflicts", "Conflicts", tables.get("conflicts", pd.DataFrame())),
            ),
        )
    )
    sections.append(
        ReportSection(
            "chokepoints",
            "Chokepoints and control points",
            (
                f"Not included in an optimisation report: run `deps report` on an analysis run of dataset "
                f"{run.dataset or '?'} version {run.dataset_version or '?'} for them.",
            ),
        )
    )
    charts: list[ChartSpec] = []
    frontier = tables.get("frontier", pd.DataFrame())
    if {"budget_meur", "weighted_residual_risk"} <= set(frontier.columns) and not frontier.empty:
        part = frontier.dropna(subset=["weighted_residual_risk"]).sort_values("budget_meur", kind="mergesort")
        charts.append(
            ChartSpec(
                "frontier",
                "Budget-risk frontier",
                "line",
                tuple(float(v) for v in part["budget_meur"]),
                tuple(float(v) for v in part["weighted_residual_risk"]),
                "budget (MEUR)",
                "weighted residual risk",
            )
        )
    charts += _line_ranges(tables.get("line_ranges", pd.DataFrame()))
    charts += _tornado(tables.get("tornado", pd.DataFrame()))
    charts += _bar(
        "spend",
        "Spend per market (MEUR)",
        _sorted(tables.get("markets", pd.DataFrame()), "spend_meur", tie="market"),
        "market",
        "spend_meur",
        "MEUR",
    )
    return sections, charts


def _line_ranges(frame: pd.DataFrame) -> list[ChartSpec]:
    """Range chart: per action line, the spend over all optimal allocations (bar) and the chosen spend (point)."""
    if frame.empty or not {"action_line_id", "spend_meur", "line_min_meur", "line_max_meur"} <= set(frame.columns):
        return []
    part = frame.sort_values(["spend_meur", "action_line_id"], ascending=[False, True], kind="mergesort")
    return [
        ChartSpec(
            "line_ranges",
            "Spend per action line: chosen (point) and range over all optimal allocations (bar)",
            "range",
            tuple(str(v) for v in part["action_line_id"]),
            tuple(float(v) for v in part["line_max_meur"]),
            "action line",
            "MEUR",
            low=tuple(float(v) for v in part["line_min_meur"]),
            mark=tuple(float(v) for v in part["spend_meur"]),
        )
    ]


def _tornado(frame: pd.DataFrame, top: int = 15) -> list[ChartSpec]:
    """Tornado chart: per parameter, the optimal residual risk from its high to its low value (largest swing first),
    with the central plan's value as a dashed line."""
    needed = {"kind", "action_line_id", "dependency_kind", "segment", "objective_low", "objective_high"}
    if frame.empty or not needed <= set(frame.columns):
        return []
    part = frame.dropna(subset=["objective_low", "objective_high"])
    part = part.sort_values("residual_swing", ascending=False, kind="mergesort", key=abs).head(top)
    if part.empty:
        return []
    labels = tuple(
        "budget (-50 % to +50 %)"
        if r["kind"] == "budget"
        else f"{r['action_line_id']} / {str(r['dependency_kind']).replace('_', ' ')} / segment {int(r['segment'])}"
        for r in part.to_dict("records")
    )
    low = [min(float(a), float(b)) for a, b in zip(part["objective_low"], part["objective_high"], strict=True)]
    high = [max(float(a), float(b)) for a, b in zip(part["objective_low"], part["objective_high"], strict=True)]
    central = part["objective_central"].dropna() if "objective_central" in part.columns else pd.Series(dtype=float)
    return [
        ChartSpec(
            "tornado",
            "Sensitivity: optimal residual risk with each assumption at its low and high value",
            "range",
            labels,
            tuple(high),
            "assumption",
            "weighted residual risk",
            low=tuple(low),
            line=float(central.iloc[0]) if len(central) else None,
        )
    ]


def _generic(tables: Mapping[str, pd.DataFrame], title: str) -> tuple[list[ReportSection], list[ChartSpec]]:
    return [ReportSection("tables", title, (), tuple(ReportTable(n, n, tables[n]) for n in sorted(tables)))], []


def _cited(tables: Mapping[str, pd.DataFrame], sources: pd.DataFrame | None) -> pd.DataFrame | None:
    """The citations referred to (by code or title) in any ``source`` column, sorted by code; None when none."""
    if sources is None or sources.empty or not {"code", "title"} <= set(sources.columns):
        return None
    used: set[str] = set()
    for frame in tables.values():
        if "source" in frame.columns:
            used.update(str(v) for v in frame["source"].dropna())
    chosen = sources[sources["code"].astype(str).isin(used) | sources["title"].astype(str).isin(used)]
    if chosen.empty:
        return None
    return _sorted(chosen, "code", ascending=True)


def gather_content(
    run: RunRecord,
    tables: Mapping[str, pd.DataFrame],
    *,
    fmt: str,
    classification: str,
    dataset_hash: str | None,
    sources: pd.DataFrame | None = None,
    variant: tuple[str, ...] = (),
) -> ReportContent:
    """Build the report model of one run.

    Parameters
    ----------
    run, tables
        The run record and its stored tables (``deps.runs.get_run`` and ``run_tables``).
    fmt
        ``pdf``, ``xlsx`` or ``md``; part of the report id.
    classification
        The marking, e.g. ``Departementaal Vertrouwelijk``.
    dataset_hash
        The content hash (SHA-256) of the run's dataset version, when known.
    sources
        The dataset's citations (``code``, ``title``, ``publisher``, ``year``, ``url``); those whose code or title
        appears in a ``source`` column of the run's tables are listed in a "Sources cited" section.
    """
    if run.kind == "analysis":
        sections, charts = _analysis(tables)
    elif run.kind == "simulation":
        sections, charts = _simulation(run, tables)
    elif run.kind in _OPTIMISATION_KINDS:
        sections, charts = _optimisation(run, tables)
    elif run.kind == "screen":
        sections, charts = _generic(tables, "EU screen")
    else:
        sections, charts = _generic(tables, "Result tables")
    cited = _cited(tables, sources)
    if cited is not None:
        sections.append(ReportSection("cited", "Sources cited", (), (ReportTable("cited", "Sources cited", cited),)))
    provenance = (
        ("run id", run.id),
        ("run kind", run.kind),
        ("status", run.status),
        ("dataset", run.dataset or "none"),
        ("dataset version", value_text(run.dataset_version)),
        ("dataset content hash (sha256)", dataset_hash or "unknown"),
        ("inputs hash (sha256)", run.inputs_hash),
        ("code version", run.code_version),
        ("solver", run.solver or "none"),
        ("seed", value_text(run.seed) or "none"),
        ("run by", run.user),
        ("started", run.created_at),
        ("finished", run.finished_at or ""),
        ("batch", run.batch_id or "none"),
    )
    return ReportContent(
        report_id=report_id(run.id, fmt, classification, variant),
        classification=classification,
        title=f"Strategic-dependency report: {run.kind} run {run.id[:12]}",
        run=run,
        provenance=provenance,
        summary=_flatten(run.summary),
        parameters=_flatten(run.parameters),
        sections=tuple(sections),
        charts=tuple(charts),
        all_tables={name: tables[name] for name in sorted(tables)},
    )
