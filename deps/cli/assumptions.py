"""The ``deps assumptions`` command group: list, show, export and import named, versioned effect-assumption sets.

A set is referred to as ``NAME`` (its newest version) or ``NAME@VERSION``. ``import`` validates the whole file (the
template's effects columns: low, central and high slopes, evidence, source, reasoning, who judged) and saves it as
the next version of the set; ``export`` writes a version as CSV that ``import`` reads back. ``deps optimise
--assumptions NAME[@VERSION]`` uses a set instead of the dataset's own effect curves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from deps.cli.common import OutputFormat, cli_actor, ready

__all__ = ["assumptions_app"]

assumptions_app = typer.Typer(
    name="assumptions",
    help="Named, versioned sets of effect assumptions (low/central/high slopes with their sources).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@assumptions_app.command("list")
def list_command(
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.text,
) -> None:
    """List the sets with their newest version."""
    from deps.services.assumptions import list_sets

    settings, db = ready()
    frame = list_sets(db, actor=cli_actor(settings))
    if fmt == OutputFormat.json:
        typer.echo(frame.to_json(orient="records", date_format="iso", indent=2))
    elif frame.empty:
        typer.echo("no assumption sets yet: `deps assumptions import FILE --name NAME` creates one")
    else:
        typer.echo(frame.to_string(index=False))


@assumptions_app.command("show")
def show_command(
    reference: Annotated[str, typer.Argument(help="NAME or NAME@VERSION.")],
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.text,
) -> None:
    """Show one version: its segments with low/central/high slopes and provenance, and the set's history."""
    from deps.services.assumptions import history, show_set

    settings, db = ready()
    actor = cli_actor(settings)
    version = show_set(db, reference, actor=actor)
    versions = history(db, version.name, actor=actor)
    if fmt == OutputFormat.json:
        payload = {
            "name": version.name,
            "version": version.version,
            "note": version.note,
            "saved_by": version.created_by,
            "saved_at": version.created_at.isoformat(),
            "sha256": version.sha256,
            "effects": json.loads(version.effects.to_json(orient="records")),
            "versions": json.loads(versions.to_json(orient="records", date_format="iso")),
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(f"{version.reference}  saved by {version.created_by} at {version.created_at:%Y-%m-%d %H:%M} UTC")
    typer.echo(f"note: {version.note or '-'}   sha256: {version.sha256}")
    counts = version.effects["evidence"].value_counts().sort_index()
    typer.echo("evidence: " + ", ".join(f"{kind} {n}" for kind, n in counts.items()))
    shown = [
        "action_line_id",
        "dependency_kind",
        "segment",
        "length_meur",
        "slope_low",
        "slope_central",
        "slope_high",
        "evidence",
        "source_id",
    ]
    typer.echo(version.effects[shown].to_string(index=False))
    typer.echo("\nversions:\n" + versions[["version", "note", "saved_by", "saved_at"]].to_string(index=False))


@assumptions_app.command("export")
def export_command(
    reference: Annotated[str, typer.Argument(help="NAME or NAME@VERSION.")],
    out: Annotated[Path, typer.Option("--out", help="CSV file to write (importable again).")],
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write one version as CSV (audited with the file's SHA-256)."""
    from deps.services.assumptions import export_set

    settings, db = ready()
    version = export_set(db, reference, out, actor=cli_actor(settings), force=force)
    typer.echo(f"wrote {version.reference} ({len(version.effects)} segments) to {out}")


@assumptions_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="CSV or XLSX effects table (the template's effects columns).")],
    name: Annotated[str, typer.Option("--name", help="Set name; a new set, or the next version of an existing one.")],
    note: Annotated[str, typer.Option("--note", help="What changed and why (kept with the version).")] = "",
) -> None:
    """Validate a file completely and save it as the next version of a set (nothing is written on a problem)."""
    from deps.services.assumptions import import_set

    settings, db = ready()
    version = import_set(
        db,
        path,
        name=name,
        actor=cli_actor(settings),
        max_bytes=settings.max_import_mb * 1_000_000,
        note=note,
    )
    typer.echo(f"saved {version.reference}: {len(version.effects)} segments, sha256 {version.sha256[:16]}")
