"""The analysis, optimisation and run commands of ``deps`` (registered on the main app in ``deps.cli.main``).

Every command checks that the database is at the newest schema, acts as the CLI's local administrator, records a
run and writes its tables with :func:`deps.exports.export_run` (formula-safe, deterministic, audited).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace as dc_replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from deps.cli.common import OutputFormat, TableFormat, cli_actor, ready
from deps.config import Settings
from deps.ingest import fusable_help
from deps.services.frontier import parse_frontier
from deps.services.output import check_output, check_output_folder, write_atomically
from deps.store.db import Database

if TYPE_CHECKING:  # pandas loads only when a command needs it (start-up time)
    import pandas as pd

__all__ = ["COMMANDS", "runs_app"]

DatasetOption = Annotated[str | None, typer.Option("--dataset", help="Dataset name (default: the seed).")]
FormatOption = Annotated[TableFormat, typer.Option("--format", help="File format of the output.")]
OutOption = Annotated[
    Path, typer.Option("--out", help="Output file (a new name; an existing file is replaced only with --force).")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace the output file(s) if they exist.")]
WithOption = Annotated[
    list[str] | None,
    typer.Option(
        "--with",
        help=(
            "Fuse the mapped observed shares of this dataset into the graph; repeat for several. Addable: the"
            f" datasets imported in these formats (by default named after the format): {fusable_help()}."
        ),
    ),
]


def fused(dataset: str, with_: list[str] | None) -> str:
    """The fused dataset name ``dataset+with1+with2`` (see deps.services.fusion)."""
    return "+".join([dataset, *(with_ or [])])


def export_tables(
    db: Database,
    settings: Settings,
    out: Path,
    fmt: TableFormat,
    main_table: pd.DataFrame,
    run_id: str,
    *,
    force: bool,
    others: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """Write a run's tables and say where (every export is logged in the audit log with its file hash)."""
    from deps.services.exports import export_run

    written = export_run(
        db, settings, cli_actor(settings), run_id, out, fmt.value, main_table, others=others, force=force
    )
    for path, digest in written:
        typer.echo(f"wrote {path} (sha256 {digest[:16]})")
    typer.echo(f"run {run_id}")


def analyse(
    out: OutOption,
    force: ForceOption = False,
    dataset: DatasetOption = None,
    home: Annotated[str | None, typer.Option("--home", help="Home country, ISO3 (default DEPS_HOME_COUNTRY).")] = None,
    bloc: Annotated[str | None, typer.Option("--bloc", help="Home bloc (default DEPS_BLOC).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Provision reference year (default: latest).")] = None,
    fmt: FormatOption = TableFormat.csv,
    with_: WithOption = None,
) -> None:
    """Analyse a dataset: one row per node with concentration, chokepoint and control-point flags, reach, risk and
    the explanation of every flag. CSV also writes the evidence, risk targets and mutual-dependency tables beside it;
    with --with also the sources chosen per node and the conflicts between sources.
    """
    from deps.services.analysis import run_analysis

    settings, db = ready()
    check_output(out, force=force)
    result = run_analysis(
        db,
        settings,
        dataset=fused(dataset or settings.seed_dataset, with_),
        actor=cli_actor(settings),
        home=home,
        bloc=bloc,
        year=year,
    )
    others = {k: v for k, v in result.tables.items() if k in {"evidence", "risk", "mutual", "sources", "conflicts"}}
    export_tables(db, settings, out, fmt, result.tables["nodes"], result.run_id, others=others, force=force)
    if "conflicts" in result.tables:
        typer.echo(f"{len(result.tables['conflicts'])} conflicts above DEPS_CONFLICT_PP between fused sources")


def screen(
    out: OutOption,
    force: ForceOption = False,
    dataset: Annotated[str, typer.Option("--dataset", help="Trade-flow dataset (e.g. baci).")] = "baci",
    bloc: Annotated[str | None, typer.Option("--bloc", help="Bloc (default DEPS_BLOC).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Year to screen (default: every year).")] = None,
    fmt: FormatOption = TableFormat.csv,
) -> None:
    """The EU three-criteria dependency screen per product on trade flows, with world concentration, persistence
    and the transit (re-export) table beside it.
    """
    from deps.services.analysis import run_screen

    settings, db = ready()
    check_output(out, force=force)
    result = run_screen(db, settings, dataset=dataset, actor=cli_actor(settings), bloc=bloc, year=year)
    export_tables(db, settings, out, fmt, result.screen, result.run_id, others={"transit": result.transit}, force=force)


def supply_risk_command(
    out: OutOption,
    force: ForceOption = False,
    dataset: DatasetOption = None,
    trade_dataset: Annotated[
        str | None, typer.Option("--trade-dataset", help="Trade flows for EU sourcing (e.g. baci).")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Trade year.")] = None,
    governance_dataset: Annotated[
        str | None, typer.Option("--governance-dataset", help="Imported WGI dataset (default: the country table).")
    ] = None,
    governance_year: Annotated[int | None, typer.Option("--governance-year", help="WGI year.")] = None,
    fmt: FormatOption = TableFormat.csv,
) -> None:
    """Governance-weighted supply risk per material (EU critical-raw-materials method), saying which inputs were
    given and which were assumed.
    """
    from deps.services.criticality import run_supply_risk

    settings, db = ready()
    check_output(out, force=force)
    result = run_supply_risk(
        db,
        settings,
        dataset=dataset or settings.seed_dataset,
        actor=cli_actor(settings),
        trade_dataset=trade_dataset,
        year=year,
        governance_dataset=governance_dataset,
        governance_year=governance_year,
    )
    export_tables(db, settings, out, fmt, result.screen, result.run_id, force=force)


def trends_command(
    out: OutOption, dataset: DatasetOption = None, fmt: FormatOption = TableFormat.csv, force: ForceOption = False
) -> None:
    """Concentration per node and reference year, and whether it is rising (HHI change as an interval).

    Writes one row per node with two or more reference years (first and last HHI as bounds, the change, the top
    supplier in both years, rising yes/possible/no); CSV also writes the per-year table beside it.
    """
    from deps.services.trends import run_trends

    settings, db = ready()
    check_output(out, force=force)
    result = run_trends(db, settings, dataset=dataset or settings.seed_dataset, actor=cli_actor(settings))
    rising = result.trends["rising"].value_counts()
    typer.echo(
        f"{len(result.trends)} nodes with several reference years: rising yes {int(rising.get('yes', 0))}, "
        f"possible {int(rising.get('possible', 0))}, no {int(rising.get('no', 0))}"
    )
    export_tables(db, settings, out, fmt, result.trends, result.run_id, others={"by_year": result.by_year}, force=force)


def backtest_command(
    out: OutOption,
    year: Annotated[
        int, typer.Option("--year", help="Year the export controls came into force (data: the years before).")
    ] = 2023,
    fraction: Annotated[
        float, typer.Option("--fraction", help="Share of the controlled supply assumed lost, 0-1 (1 = all).")
    ] = 1.0,
    dataset: DatasetOption = None,
    fmt: FormatOption = TableFormat.csv,
    force: ForceOption = False,
) -> None:
    """Back-test export controls: those in force from --year (USGS MCS 2026 table) as shocks on earlier data.

    Writes the loss per final product (intervals, worst first); CSV also writes the controls applied, the nodes and
    the focus markets beside it.
    """
    from deps.services.backtest import run_backtest

    if not 0.0 < fraction <= 1.0:
        raise typer.BadParameter("give a fraction above 0 and at most 1", param_hint="--fraction")
    settings, db = ready()
    check_output(out, force=force)
    result = run_backtest(
        db, settings, dataset=dataset or settings.seed_dataset, actor=cli_actor(settings), year=year, fraction=fraction
    )
    controls = result.tables["controls"]
    typer.echo(
        f"{len(controls)} controls of {year}: " + ", ".join(controls["country_iso3"] + ":" + controls["node_id"])
    )
    finals = result.tables["finals"]
    for row in finals.head(5).to_dict("records"):
        label = str(row["name"] or row["node_id"])
        typer.echo(f"  {label}: loss at least {float(row['loss_low']):.0%}, at most {float(row['loss_high']):.0%}")
    others = {k: v for k, v in result.tables.items() if k != "finals"}
    export_tables(db, settings, out, fmt, finals, result.run_id, others=others, force=force)


def simulate(
    out: OutOption,
    force: ForceOption = False,
    shock: Annotated[
        list[str] | None,
        typer.Option("--shock", help="CHN=1.0, firm:ID=0.5 or node:ID=1.0; repeat for several shocks at once."),
    ] = None,
    sweep: Annotated[
        float | None, typer.Option("--sweep", help="Shock every supplying country in turn by this fraction.")
    ] = None,
    dataset: DatasetOption = None,
    fmt: FormatOption = TableFormat.csv,
    with_: WithOption = None,
) -> None:
    """Simulate a disruption: loss per node, final product and focus market (or every country in one sweep)."""
    from deps.services.analysis import parse_shock, run_simulation

    settings, db = ready()
    check_output(out, force=force)
    specs = [parse_shock(s) for s in shock or []]
    result = run_simulation(
        db,
        settings,
        dataset=fused(dataset or settings.seed_dataset, with_),
        actor=cli_actor(settings),
        shocks=specs,
        sweep_fraction=sweep,
    )
    main_name = "nodes" if "nodes" in result.tables else "finals"
    others = {k: v for k, v in result.tables.items() if k != main_name}
    export_tables(db, settings, out, fmt, result.tables[main_name], result.run_id, others=others, force=force)


def optimise(
    out: OutOption,
    force: ForceOption = False,
    budget: Annotated[float | None, typer.Option("--budget", help="Budget B in EUR million.")] = None,
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="YAML/JSON scenario: bounds, shares, forced, overrides.")
    ] = None,
    dataset: DatasetOption = None,
    solver: Annotated[str | None, typer.Option("--solver", help="highs (default) or cbc.")] = None,
    frontier: Annotated[
        str | None, typer.Option("--frontier", help="Also sweep budgets START:STOP:STEP (efficient frontier).")
    ] = None,
    monte_carlo: Annotated[int, typer.Option("--monte-carlo", help="Draws of uncertain effect slopes (0: off).")] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo draws.")] = 0,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity",
            help="Also a tornado of every effect assumption and the budget, and worst-case/min-regret plans.",
        ),
    ] = False,
    assumptions: Annotated[
        str | None,
        typer.Option("--assumptions", help="Effect assumption set NAME or NAME@VERSION (default: the dataset's)."),
    ] = None,
    fmt: FormatOption = TableFormat.csv,
    with_: WithOption = None,
) -> None:
    """Allocate a budget across the nine action lines and the dependency targets to cut weighted risk the most.

    Writes the allocation (line x target x market); CSV also writes targets, markets, duals (shadow prices of
    binding constraints), reduced costs ("why not funded"), assumptions and, when asked, frontier, Monte Carlo and
    robust tables beside it. Infeasible is a result: the conflicting named constraints are printed.
    """
    from deps.services.optimisation import run_optimisation
    from deps.services.scenario import SOLVERS, ScenarioConfig, parse_scenario

    settings, db = ready()
    check_output(out, force=force)
    config, file_dataset = parse_scenario(scenario) if scenario is not None else (ScenarioConfig(), None)
    if solver is not None:
        if solver not in SOLVERS:
            raise typer.BadParameter(f"use {' or '.join(SOLVERS)}", param_hint="--solver")
        config = dc_replace(config, solver=solver)
    result = run_optimisation(
        db,
        settings,
        dataset=fused(dataset or file_dataset or settings.seed_dataset, with_),
        actor=cli_actor(settings),
        config=config,
        budget=budget,
        frontier=parse_frontier(frontier, max_points=settings.max_frontier_points) if frontier else None,
        monte_carlo_draws=monte_carlo,
        seed=seed,
        sensitivity_analysis=sensitivity,
        assumptions=assumptions,
    )
    summary = result.summary
    typer.echo(f"status: {result.status}")
    typer.echo(
        f"effect assumptions: {summary['assumptions']}; {summary['targets_on_assumption']} of {summary['targets']} "
        f"targets rest on an assumed value (substitutability {summary['targets_assumed_substitutability']}, "
        f"time to recover {summary['targets_assumed_time_to_recover']}; their risk range is in the targets table)"
    )
    if result.status == "optimal":
        typer.echo(
            f"weighted residual risk {summary['objective']:.6g} (from {summary['baseline_objective']:.6g}); "
            f"spend {summary['total_spend_meur']:.6g} of {summary['budget_meur']:.6g} MEUR; "
            f"budget shadow price {summary['budget_shadow_price']:.6g} risk per MEUR"
        )
        if summary.get("split_note"):
            typer.echo(str(summary["split_note"]))
        if summary.get("robust_box"):
            typer.echo(str(summary["robust_box"]))
    else:
        typer.echo(f"reason: {result.reason}")
    others = {k: v for k, v in result.tables.items() if k != "allocation"}
    export_tables(db, settings, out, fmt, result.tables["allocation"], result.run_id, others=others, force=force)


def batch(
    scenarios: Annotated[
        Path, typer.Argument(help="Batch grid: YAML/JSON (base + budgets x weights x shocks x effects) or CSV.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Output folder (summary.csv, allocations.csv).")],
    force: ForceOption = False,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Local worker processes (default: CPU count).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786.")
    ] = None,
    dataset: DatasetOption = None,
    with_: WithOption = None,
) -> None:
    """Run a grid of optimisation scenarios on local processes or a Dask cluster; each result is stored as a run.

    Running the same command again resumes an interrupted batch without redoing finished scenarios; a failing
    scenario is reported and does not stop the others.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from deps.services.batch import run_batch_file

    settings, db = ready()
    if check_output_folder(out).is_dir():
        for name in ("summary.csv", "allocations.csv"):
            check_output(out / name, force=force)
    with Progress(
        TextColumn("scenarios"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False
    ) as bar:
        task = bar.add_task("batch", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        outcome = run_batch_file(
            db,
            settings,
            scenarios,
            dataset=fused(dataset or settings.seed_dataset, with_),
            actor=cli_actor(settings),
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )
    out.mkdir(exist_ok=True)
    from deps.services.exports import table_bytes

    for name, table in (("summary.csv", outcome.summary), ("allocations.csv", outcome.allocations)):
        write_atomically(out / name, table_bytes(table, "csv"), force=force)
        typer.echo(f"wrote {out / name}")
    typer.echo(
        f"batch {outcome.batch_id}: {outcome.total} scenarios, {outcome.solved_now} solved now, "
        f"{outcome.skipped} already stored, {outcome.failed} failed"
    )
    failed = outcome.summary[outcome.summary["status"] == "error"]
    for row in failed.itertuples():
        typer.echo(f"failed: {row.scenario_key}: {row.reason}", err=True)


runs_app = typer.Typer(help="Stored runs: analyses, simulations, optimisations, batches.", no_args_is_help=True)


@runs_app.command("list")
def runs_list(
    kind: Annotated[str | None, typer.Option("--kind", help="Only runs of this kind.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest first.")] = 100,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.text,
) -> None:
    """List stored runs with id, kind, dataset, inputs hash, code version, time and user."""
    from deps.services.runs import list_runs

    settings, db = ready()
    runs = list_runs(db, actor=cli_actor(settings), kind=kind, limit=limit)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps([r.as_dict() for r in runs], indent=1, default=str))
        return
    for r in runs:
        where = f"{r.dataset} v{r.dataset_version}" if r.dataset else "-"
        typer.echo(f"{r.id}  {r.kind:<12} {r.status:<6} {where:<14} {r.created_at}  {r.user}  {r.inputs_hash[:12]}")


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (from `deps runs list`).")],
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.json,
) -> None:
    """Show one run: parameters, inputs hash, code version, solver, seed, time, user, summary and its tables."""
    from deps.services.runs import get_run

    settings, db = ready()
    record = get_run(db, run_id, actor=cli_actor(settings))
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(record.as_dict(), indent=1, default=str))
        return
    for key, value in record.as_dict().items():
        typer.echo(f"{key:>14}: {value}")


#: (command name, function) of the top-level commands in this module, in help order.
COMMANDS = (
    ("analyse", analyse),
    ("screen", screen),
    ("supply-risk", supply_risk_command),
    ("trends", trends_command),
    ("simulate", simulate),
    ("backtest", backtest_command),
    ("optimise", optimise),
    ("batch", batch),
)
