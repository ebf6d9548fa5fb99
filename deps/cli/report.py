"""The ``deps report`` command: a classified PDF, XLSX or Markdown report of a stored run.

Registered on the main app in ``deps.cli.main`` (``app.command("report")(report)``).  With ``--encrypt`` the
passphrase is asked for twice without echo, or read from the first line of ``--passphrase-file`` (``-`` reads
standard input); it is never taken from a command-line argument, so it stays out of the shell history and the
process list.
"""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from deps.errors import DepsError

__all__ = ["ChartEngine", "ReportFormat", "read_passphrase", "report"]

log = logging.getLogger(__name__)


class ReportFormat(StrEnum):
    """File formats of a report."""

    pdf = "pdf"
    xlsx = "xlsx"
    md = "md"


class ChartEngine(StrEnum):
    """How charts are drawn."""

    auto = "auto"
    kaleido = "kaleido"
    matplotlib = "matplotlib"


def read_passphrase(path: Path) -> str:
    """The first line of ``path`` (``-``: standard input) without its line ending."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DepsError(f"cannot read the passphrase file {path}: {exc.strerror}") from exc
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise DepsError(f"the passphrase file {path} is empty: put the passphrase on its first line")
    return lines[0]


def report(
    run: Annotated[str, typer.Option("--run", help="Id of a stored run (deps runs list).")],
    classification: Annotated[
        str,
        typer.Option(
            "--classification",
            help='Marking on every page, sheet and in the properties, e.g. "Departementaal Vertrouwelijk".',
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="File to write (mode 0600); an existing file is replaced only with --force.")
    ],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="pdf, xlsx or md.")] = ReportFormat.pdf,
    encrypt: Annotated[
        bool,
        typer.Option("--encrypt", help="AES-256 PDF or password-protected XLSX; the passphrase is asked for (twice)."),
    ] = False,
    passphrase_file: Annotated[
        Path | None,
        typer.Option(
            "--passphrase-file",
            help="Read the passphrase (at least 12 characters) from the first line of this file; - reads stdin. "
            "Implies --encrypt.",
        ),
    ] = None,
    watermark: Annotated[
        bool, typer.Option("--watermark", help="Diagonal watermark with the marking on every PDF page.")
    ] = False,
    charts: Annotated[
        ChartEngine, typer.Option("--charts", help="auto (kaleido when chromium is present), kaleido or matplotlib.")
    ] = ChartEngine.auto,
    max_rows: Annotated[
        int, typer.Option("--max-rows", min=0, help="Rows per table in PDF and Markdown (0: all); XLSX has all.")
    ] = 100,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")] = False,
) -> None:
    """Write a classified report of a run: summary, method, findings, charts and provenance.

    Every export is logged in the audit log with the file's SHA-256.
    """
    from deps.cli.common import cli_actor, ready
    from deps.reports.service import build_report
    from deps.services.output import check_output

    settings, db = ready()
    check_output(out, force=force)
    if (encrypt or passphrase_file is not None) and fmt is ReportFormat.md:
        raise DepsError("a Markdown report cannot be encrypted; use --format pdf or xlsx with --encrypt")
    passphrase: str | None = None
    if passphrase_file is not None:
        passphrase = read_passphrase(passphrase_file)
    elif encrypt:
        passphrase = typer.prompt("Passphrase for the report", hide_input=True, confirmation_prompt=True)
    result = build_report(
        db,
        settings,
        cli_actor(settings),
        run,
        fmt.value,
        classification,
        out,
        encrypt_passphrase=passphrase,
        watermark=watermark,
        charts=charts.value,
        max_rows=max_rows,
        force=force,
    )
    typer.echo(f"wrote {result.path} (sha256 {result.sha256[:16]}, {result.size_bytes} bytes)")
    typer.echo(f"report {result.report_id} of run {result.run_id}, marked {result.classification!r}")
    if result.encrypted:
        typer.echo("encrypted: " + ("AES-256 (PDF R6)" if result.fmt == "pdf" else "ECMA-376 agile (AES-256)"))
