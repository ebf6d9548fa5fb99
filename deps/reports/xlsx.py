"""The report as an XLSX workbook (xlsxwriter): every row of every table, with the marking on every sheet.

Sheets: ``Report`` (marking, summary, parameters, provenance), one sheet per report table (full, unlike the PDF),
``raw_<name>`` for each table the run stored, and ``Charts``.  The classification marking is in every sheet's
printed header and footer (``set_header``/``set_footer``, with ``&`` doubled as Excel requires), in the first row
of every sheet, and in the document properties (``title``, ``keywords``, ``category``, ``status``) plus the custom
properties ``Classification``, ``ReportId``, ``RunId``, ``InputsHash`` and ``DatasetHash``.

Text cells that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) get a
leading apostrophe (:data:`deps.exports.FORMULA_PREFIXES`), and the workbook is written with
``strings_to_formulas`` and ``strings_to_urls`` off.  The creation date is the run's finish time.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from deps.reports.charts import RenderedChart
from deps.reports.model import ReportContent
from deps.services.exports import FORMULA_PREFIXES, neutralise_formulas

__all__ = ["render_xlsx", "safe_text"]

_MAX_SHEET_NAME = 31
_FORBIDDEN_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def safe_text(value: str) -> str:
    """``value`` with a leading apostrophe when it would start a spreadsheet formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _header_text(value: str) -> str:
    """Text for an Excel header/footer section: ``&`` is the code character, so it is doubled."""
    return value.replace("&", "&&")


def _fixed_time(content: ReportContent) -> datetime:
    stamp = content.run.finished_at or content.run.created_at
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _sheet_name(name: str, used: set[str]) -> str:
    base = name.translate(_FORBIDDEN_SHEET_CHARS)[:_MAX_SHEET_NAME] or "sheet"
    candidate, counter = base, 2
    while candidate.lower() in used:
        suffix = f"~{counter}"
        candidate = base[: _MAX_SHEET_NAME - len(suffix)] + suffix
        counter += 1
    used.add(candidate.lower())
    return candidate


def _write_cell(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and math.isinf(value):
            sheet.write_string(row, col, str(value), fmt)
        else:
            sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, safe_text(str(value)), fmt)


def render_xlsx(content: ReportContent, charts: Sequence[RenderedChart] = ()) -> bytes:
    """The XLSX bytes of a report (see the module docstring for the layout and the markings)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": False}
    )
    marking = content.classification
    workbook.set_properties(
        {
            "title": safe_text(f"{content.title} [{marking}]"),
            "subject": safe_text(f"{marking} - report {content.report_id}"),
            "author": safe_text(content.run.user),
            "keywords": safe_text(marking),
            "category": safe_text(marking),
            "status": safe_text(marking),
            "comments": safe_text(f"{marking}. Report id {content.report_id}, run {content.run.id}."),
            "created": _fixed_time(content),
        }
    )
    for name, value in (
        ("Classification", marking),
        ("ReportId", content.report_id),
        ("RunId", content.run.id),
        ("InputsHash", content.run.inputs_hash),
        ("DatasetHash", dict(content.provenance).get("dataset content hash (sha256)", "unknown")),
    ):
        workbook.set_custom_property(name, safe_text(value) or "-", "text")
    bold = workbook.add_format({"bold": True})
    mark = workbook.add_format({"bold": True, "font_color": "#A00000"})
    header = _header_text(safe_text(marking))
    report_id = _header_text(content.report_id)
    used: set[str] = set()

    def new_sheet(name: str) -> Any:
        sheet = workbook.add_worksheet(_sheet_name(name, used))
        sheet.set_header(f"&L{report_id}&C&B{header}", {"margin": 0.3})
        sheet.set_footer(f"&L{report_id}&C&B{header}&RPage &P of &N", {"margin": 0.3})
        sheet.write_string(0, 0, safe_text(marking), mark)
        sheet.write_string(0, 1, content.report_id)
        return sheet

    front = new_sheet("Report")
    front.set_column(0, 0, 34)
    front.set_column(1, 1, 80)
    row = 2
    front.write_string(row, 0, safe_text(content.title), bold)
    row += 2
    for heading, pairs in (
        ("Summary", content.summary),
        ("Method and thresholds used", content.parameters),
        ("Data provenance", content.provenance),
    ):
        front.write_string(row, 0, heading, bold)
        row += 1
        for key, value in pairs:
            front.write_string(row, 0, safe_text(key))
            front.write_string(row, 1, safe_text(value))
            row += 1
        row += 1
    for section in content.sections:
        front.write_string(row, 0, safe_text(section.title), bold)
        row += 1
        for paragraph in section.paragraphs:
            front.write_string(row, 1, safe_text(paragraph))
            row += 1
        row += 1

    tables = [(t.name, t.title, t.frame) for s in content.sections for t in s.tables]
    tables += [(f"raw_{name}", f"Stored run table {name}", frame) for name, frame in content.all_tables.items()]
    for name, title, frame in tables:
        sheet = new_sheet(name)
        sheet.write_string(1, 0, safe_text(title), bold)
        safe = neutralise_formulas(frame)
        for col, column in enumerate(safe.columns):
            sheet.write_string(2, col, safe_text(str(column)), bold)
        for r, values in enumerate(safe.itertuples(index=False, name=None), start=3):
            for col, value in enumerate(values):
                _write_cell(sheet, r, col, value)
        if len(safe.columns):
            sheet.set_column(0, len(safe.columns) - 1, 16)
            sheet.freeze_panes(3, 0)
            sheet.autofilter(2, 0, 2 + len(safe), len(safe.columns) - 1)
    if charts:
        sheet = new_sheet("Charts")
        row = 2
        for chart in charts:
            sheet.write_string(row, 0, safe_text(f"{chart.title} (drawn with {chart.engine})"), bold)
            sheet.insert_image(
                row + 1, 0, f"{chart.key}.png", {"image_data": io.BytesIO(chart.png), "x_scale": 0.8, "y_scale": 0.8}
            )
            row += 24
    workbook.close()
    return buffer.getvalue()
