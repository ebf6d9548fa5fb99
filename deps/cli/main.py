"""The ``deps`` command line.

Each command arrives with the issue that builds it; every command has ``--help``.  Heavy libraries are imported
inside the commands so that ``deps --help`` starts fast.  Errors of the application (:class:`DepsError`) are
printed as one clear message and exit with status 1 (2 for bad usage); a traceback never reaches the user.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from deps.cli.common import OutputFormat, cli_actor, close_handles, configured, opened
from deps.errors import DataValidationError, DepsError

__all__ = ["app", "main"]

app = typer.Typer(
    name="deps",
    help="Strategic-dependency risk analyser: data, analysis, optimisation and reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _command(context: typer.Context) -> None:
    """Strategic-dependency risk analyser: data, analysis, optimisation and reports."""
    context.call_on_close(close_handles)  # database connections close when the command ends, even on error


@app.command()
def init(
    empty: Annotated[
        bool, typer.Option("--empty", help="Create or upgrade the schema without loading the seed.")
    ] = False,
) -> None:
    """Create or upgrade the database and load the seed dataset from data/."""
    from deps.ingest.seed import initialise

    settings = configured()
    db = opened(settings)
    result = initialise(db, settings, empty=empty)
    from deps.store.db import redact

    typer.echo(f"database ready: {redact(result.database)}")
    if result.seed is not None:
        typer.echo(result.seed.summary())


@app.command()
def status(
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.text,
) -> None:
    """Show the database, its schema version, the datasets, row counts and the seed's data coverage."""
    from deps.services.coverage import dataset_coverage
    from deps.store.catalogue import status as get_status

    settings = configured()
    db = opened(settings)
    state = get_status(db)
    coverage = dataset_coverage(db, settings, actor=cli_actor(settings)) if state.revision is not None else None
    if fmt is OutputFormat.json:
        data = {**state.as_dict(), "coverage": coverage.as_dict() if coverage is not None else None}
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    typer.echo(f"database: {state.database}")
    if state.revision is None:
        typer.echo("schema:   none yet (run `deps init`)")
        return
    marker = "up to date" if state.up_to_date else f"behind: head is {state.head} (run `deps init`)"
    typer.echo(f"schema:   {state.revision} ({marker})")
    typer.echo("datasets:")
    if not state.datasets:
        typer.echo("  (none)")
    for info in state.datasets:
        counts = ", ".join(f"{v} {k}" for k, v in sorted(info.counts.items()))
        typer.echo(
            f"  {info.name} v{info.version} [{info.format}] {info.content_hash[:12]} "
            f"{info.created_at} by {info.created_by or '?'}: {counts}"
        )
    typer.echo("rows:")
    for table, count in state.row_counts.items():
        typer.echo(f"  {table:<20} {count:>9}")
    if coverage is not None:
        typer.echo(f"coverage of dataset {settings.seed_dataset!r}:")
        for line in coverage.lines():
            typer.echo(f"  {line}")


@app.command(name="import")
def import_(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="template, cset, baci, wgi, usgs, iea or fda-sites.")],
    path: Annotated[Path, typer.Argument(help="File or folder to import.")],
    dataset: Annotated[str | None, typer.Option("--dataset", help="Dataset name (default: the format's name).")] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write the validation report as JSON to this file.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the --report file if it exists.")] = False,
) -> None:
    """Validate a data file completely, then import it as a new dataset version in one transaction.

    Formats: template (the project's CSV folder or XLSX workbook), cset (CSET/ETO chip dataset folder), baci (CEPII
    BACI trade flows CSV), wgi (World Bank governance indicators CSV), usgs (USGS Mineral Commodity Summaries world
    data, one release or the folder of all four), iea (IEA Critical Minerals Data Explorer workbook), fda-sites (FDA
    DECRS registered drug sites; API sites by country, basis 'sites'). Importing the same files twice creates no
    new version. On any problem nothing is written and every problem is listed with file, row, column and fix.
    """
    from deps.ingest import import_file
    from deps.services.output import check_output, write_atomically

    settings = configured()
    db = opened(settings)
    if report is not None:
        check_output(report, force=force)
    try:
        result = import_file(db, settings, cli_actor(settings), fmt, path, dataset=dataset)
    except DataValidationError as exc:
        if report is not None:
            problems = json.dumps([p.as_dict() for p in exc.problems], indent=2) + "\n"
            write_atomically(report, problems.encode("utf-8"), force=force)
        raise
    typer.echo(result.summary())
    for note in result.notes:
        typer.echo(f"note: {note}")


def _register() -> None:
    from deps.cli.admin import audit_app, users_app
    from deps.cli.assumptions import assumptions_app
    from deps.cli.report import report
    from deps.cli.runs import COMMANDS, runs_app

    for name, function in COMMANDS:
        app.command(name)(function)
    app.add_typer(runs_app, name="runs")
    app.command("report")(report)
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
    app.add_typer(assumptions_app, name="assumptions")


_register()


def main() -> None:
    """Entry point: run the CLI, turning application errors into one message and a non-zero exit."""
    try:
        try:
            code = app(standalone_mode=False)
        finally:
            close_handles()  # also when the error came before the group's context existed
    except DataValidationError as exc:
        typer.echo(exc.report(), err=True)
        sys.exit(1)
    except DepsError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors, database errors
        import sqlalchemy

        if _is_usage_error(exc):
            context = getattr(exc, "ctx", None)
            hint = f" (see: {context.command_path} --help)" if context is not None else ""
            format_message = getattr(exc, "format_message", None)
            message = format_message() if callable(format_message) else str(exc)
            typer.echo(f"error: {message}{hint}", err=True)
            sys.exit(int(getattr(exc, "exit_code", 2)))
        if isinstance(exc, sqlalchemy.exc.SQLAlchemyError):
            typer.echo(f"database error: {type(exc).__name__}: {str(exc).splitlines()[0]}", err=True)
            sys.exit(1)
        logging.getLogger("deps.cli.main").debug("internal error", exc_info=True)
        first = str(exc).splitlines()[0] if str(exc) else ""
        typer.echo(
            f"internal error: {type(exc).__name__}: {first} (DEPS_LOG_LEVEL=DEBUG shows the traceback)",
            err=True,
        )
        sys.exit(INTERNAL_ERROR)
    sys.exit(code if isinstance(code, int) else 0)


#: Exit status of an unexpected error (a bug); 1 is a user or data error, 2 a usage error (click's convention).
INTERNAL_ERROR = 3


def _is_usage_error(exc: Exception) -> bool:
    """A click usage error (unknown option, missing or bad value), from click or the copy of click inside typer."""
    import click

    if isinstance(exc, click.ClickException):
        return True
    return isinstance(exc, typer.exceptions.TyperException) and callable(getattr(exc, "show", None))


if __name__ == "__main__":  # pragma: no cover
    main()
