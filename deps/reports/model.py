"""The report model: tables, charts and sections of one run, its report id, and how cells become text.

:mod:`deps.reports.content` fills a :class:`ReportContent` from a stored run; the renderers (HTML/PDF, XLSX,
Markdown) only read it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from deps.services.runs import RunRecord

__all__ = [
    "DEFAULT_MAX_ROWS",
    "ChartSpec",
    "ReportContent",
    "ReportSection",
    "ReportTable",
    "cell_text",
    "report_id",
    "table_rows",
    "value_text",
]

#: Rows of a table shown in the PDF and Markdown; the XLSX always holds every row.
DEFAULT_MAX_ROWS = 100


@dataclass(frozen=True)
class ReportTable:
    """One table of a report: the full frame, and how many rows the paged formats show."""

    name: str
    title: str
    frame: pd.DataFrame
    note: str = ""

    def shown(self, max_rows: int) -> pd.DataFrame:
        """The first ``max_rows`` rows (all when ``max_rows`` <= 0)."""
        return self.frame if max_rows <= 0 else self.frame.head(max_rows)

    def truncation_note(self, max_rows: int) -> str:
        """A sentence saying the table was cut, or ``""``."""
        if 0 < max_rows < len(self.frame):
            return f"Showing the first {max_rows} of {len(self.frame)} rows; the XLSX report holds them all."
        return ""


@dataclass(frozen=True)
class ChartSpec:
    """A chart for :mod:`deps.reports.charts`, of one of three kinds.

    * ``bar``: one bar per label in ``x`` (text), height ``y``.
    * ``line``: points (``x``, ``y``) joined in order on a numeric x axis (``x`` numbers, e.g. budgets, so that
      300 to 600 is as wide as 0 to 300).
    * ``range``: one horizontal bar per label in ``x`` from ``low`` to ``y`` (an interval: a spend range over the
      optimal allocations, a tornado bar), with an optional point per label at ``mark`` (the chosen value) and a
      dashed line at ``line`` (a reference, e.g. the central plan).  ``x_label`` names the labels, ``y_label`` the
      values.
    """

    key: str
    title: str
    kind: str
    x: tuple[str, ...] | tuple[float, ...]
    y: tuple[float, ...]
    x_label: str
    y_label: str
    low: tuple[float, ...] = ()
    mark: tuple[float, ...] = ()
    line: float | None = None


@dataclass(frozen=True)
class ReportSection:
    """A titled part of the report: paragraphs and tables."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[ReportTable, ...] = ()


@dataclass(frozen=True)
class ReportContent:
    """Everything a renderer needs.  ``all_tables`` are the run's stored tables (for the XLSX)."""

    report_id: str
    classification: str
    title: str
    run: RunRecord
    provenance: tuple[tuple[str, str], ...]
    summary: tuple[tuple[str, str], ...]
    parameters: tuple[tuple[str, str], ...]
    sections: tuple[ReportSection, ...]
    charts: tuple[ChartSpec, ...]
    all_tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)


def report_id(run_id: str, fmt: str, classification: str, variant: tuple[str, ...] = ()) -> str:
    """A deterministic report id: ``R-`` plus the first 16 hex digits of SHA-256(run id, format, marking, variant).

    ``variant`` names what else makes the export a different document (encryption, watermark, rows shown), so a
    plain and an encrypted PDF of one run carry different ids, while the same export made twice keeps its id (and
    stays byte-identical).
    """
    digest = hashlib.sha256("\x1f".join((run_id, fmt, classification, *variant)).encode("utf-8")).hexdigest()
    return f"R-{digest[:16].upper()}"


def value_text(value: Any) -> str:
    """A parameter or summary value as text: floats to 6 significant digits, lists and dicts joined."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}={value_text(v)}" for k, v in sorted(value.items())) or "none"
    return "" if value is None else str(value)


def cell_text(value: Any) -> str:
    """A table cell as text for the paged formats: floats to 6 significant digits, missing values empty."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def table_rows(frame: pd.DataFrame) -> list[list[str]]:
    """Every row of ``frame`` as a list of :func:`cell_text` strings."""
    return [[cell_text(v) for v in row] for row in frame.itertuples(index=False, name=None)]
