"""Building a report of a stored run: permission check, content, rendering, optional encryption, file, audit.

:func:`build_report` is what ``deps report`` and the app's Reports page call.  It checks the ``export``
permission before reading anything, writes the file through a temporary file in the same folder (so a failure
leaves no partial report), and appends an audit entry ``report`` with the file's SHA-256 in the same step.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlmodel import select

from deps.access import audit
from deps.access.auth import Actor, require
from deps.config import Settings
from deps.errors import DepsError, NotFoundError
from deps.reports.charts import RenderedChart, render_charts
from deps.reports.content import gather_content
from deps.reports.crypto import check_passphrase, encrypt_pdf, encrypt_xlsx
from deps.reports.markdown import render_markdown
from deps.reports.model import DEFAULT_MAX_ROWS, ReportContent
from deps.reports.pdf import render_pdf
from deps.reports.xlsx import render_xlsx
from deps.services.output import check_output, write_atomically
from deps.services.runs import get_run, run_tables
from deps.store.db import Database
from deps.store.models import Source
from deps.store.queries import resolve_dataset

__all__ = ["FORMATS", "MAX_CLASSIFICATION_LENGTH", "ReportResult", "build_report", "check_classification"]

log = logging.getLogger(__name__)

FORMATS = ("pdf", "xlsx", "md")
MAX_CLASSIFICATION_LENGTH = 100


@dataclass(frozen=True)
class ReportResult:
    """A written report: where, its SHA-256, its id, and how it was made."""

    path: Path
    sha256: str
    report_id: str
    fmt: str
    classification: str
    run_id: str
    encrypted: bool
    watermark: bool
    chart_engine: str | None
    size_bytes: int


def check_classification(classification: str) -> str:
    """The marking stripped; raise :class:`DepsError` when empty, too long or holding control characters."""
    text = classification.strip()
    if not text:
        raise DepsError('a report needs a classification marking, e.g. --classification "Departementaal Vertrouwelijk"')
    if len(text) > MAX_CLASSIFICATION_LENGTH:
        raise DepsError(f"the classification marking is longer than {MAX_CLASSIFICATION_LENGTH} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise DepsError("the classification marking must be one line without control characters")
    return text


def _dataset_facts(db: Database, name: str | None, version: int | None) -> tuple[str | None, pd.DataFrame | None]:
    """The content hash of a run's dataset version and its citations (None when the dataset is gone)."""
    if name is None:
        return None, None
    try:
        ref = resolve_dataset(db, name, version)
    except NotFoundError:
        return None, None
    with db.session() as session:
        rows = session.exec(select(Source).where(Source.dataset_id == ref.id).order_by(Source.code)).all()
        sources = pd.DataFrame(
            [(r.code, r.title, r.publisher, r.year, r.url) for r in rows],
            columns=["code", "title", "publisher", "year", "url"],
        )
    return ref.content_hash, sources


def _render(
    content: ReportContent,
    fmt: str,
    *,
    watermark: bool,
    charts_engine: str,
    max_rows: int,
) -> tuple[bytes, list[RenderedChart]]:
    if fmt == "md":
        return render_markdown(content, max_rows=max_rows).encode("utf-8"), []
    charts = render_charts(content.charts, engine=charts_engine)
    if fmt == "pdf":
        return render_pdf(content, charts, watermark=watermark, max_rows=max_rows), charts
    return render_xlsx(content, charts), charts


def build_report(
    db: Database,
    settings: Settings,
    actor: Actor,
    run_id: str,
    fmt: str,
    classification: str,
    out: Path,
    *,
    encrypt_passphrase: str | None = None,
    watermark: bool = False,
    charts: str = "auto",
    max_rows: int = DEFAULT_MAX_ROWS,
    force: bool = False,
) -> ReportResult:
    """Write the report of run ``run_id`` to ``out`` and log it in the audit log.

    Parameters
    ----------
    settings, actor
        Settings in force and who asks; ``actor`` needs the ``export`` permission (analyst or admin).
    run_id
        A stored run (``deps runs list``).
    fmt
        ``pdf``, ``xlsx`` or ``md``.
    classification
        The marking put on every page, sheet and in the document properties, e.g. "Departementaal Vertrouwelijk".
    out
        The file to write (mode 0600): a regular file or a new name, never a folder or a device; an existing file
        is replaced only with ``force``.  Written atomically (:func:`deps.services.output.write_atomically`).
    encrypt_passphrase
        When given, the PDF is AES-256 encrypted and the XLSX password-protected with it (at least 12
        characters); Markdown cannot be encrypted.
    watermark
        A diagonal watermark with the marking on every PDF page.
    charts
        ``auto`` (kaleido when chromium is present, else matplotlib), ``kaleido`` or ``matplotlib``.
    max_rows
        Rows per table in the PDF and Markdown (WeasyPrint needs about 4 ms per row); the XLSX holds all rows.

    Raises
    ------
    PermissionDeniedError
        When ``actor`` may not export (nothing is read or written).
    NotFoundError
        When no run has that id.
    DepsError
        For an unknown format, a bad marking, a short passphrase or encryption asked for Markdown.
    """
    require(actor, "export")
    if fmt not in FORMATS:
        raise DepsError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    check_output(out, force=force)
    marking = check_classification(classification)
    if encrypt_passphrase is not None:
        if fmt == "md":
            raise DepsError("a Markdown report cannot be encrypted; use --format pdf or xlsx with --encrypt")
        check_passphrase(encrypt_passphrase)
    record = get_run(db, run_id, actor=actor)
    tables = run_tables(db, run_id, actor=actor)
    dataset_hash, sources = _dataset_facts(db, record.dataset, record.dataset_version)
    content = gather_content(
        record,
        tables,
        fmt=fmt,
        classification=marking,
        dataset_hash=dataset_hash,
        sources=sources,
        variant=(
            "encrypted" if encrypt_passphrase is not None else "plain",
            "watermark" if watermark else "no-watermark",
            f"rows={max_rows}",
        ),
    )
    data, drawn = _render(content, fmt, watermark=watermark, charts_engine=charts, max_rows=max_rows)
    if encrypt_passphrase is not None:
        data = encrypt_pdf(data, encrypt_passphrase) if fmt == "pdf" else encrypt_xlsx(data, encrypt_passphrase)
    digest = hashlib.sha256(data).hexdigest()
    engine = drawn[0].engine if drawn else None
    details = {
        "file": out.name,
        "sha256": digest,
        "format": fmt,
        "classification": marking,
        "report_id": content.report_id,
        "encrypted": encrypt_passphrase is not None,
        "watermark": watermark,
        "bytes": len(data),
    }
    _write_audited(db, actor, run_id, out, data, details, force=force)
    log.info("report %s of run %s written to %s (sha256 %s)", content.report_id, run_id, out, digest[:16])
    return ReportResult(
        path=out,
        sha256=digest,
        report_id=content.report_id,
        fmt=fmt,
        classification=marking,
        run_id=run_id,
        encrypted=encrypt_passphrase is not None,
        watermark=watermark,
        chart_engine=engine,
        size_bytes=len(data),
    )


def _write_audited(
    db: Database, actor: Actor, run_id: str, out: Path, data: bytes, details: dict[str, object], *, force: bool
) -> None:
    """Write ``data`` to ``out`` inside the transaction of its audit entry: both land or neither does."""
    written = False
    try:
        with db.session() as session:
            audit.append(session, user=actor.name, action="report", target=run_id, details=details)
            session.flush()
            write_atomically(out, data, force=force)
            written = True
    except BaseException:
        if written:  # the audit entry did not commit: remove the file it would have described
            out.unlink(missing_ok=True)
        raise
