"""The report as HTML (for the PDF): a Jinja2 template with autoescape, so no data can inject markup.

Every value from the data (node names, sources, explanations) passes through Jinja2's HTML escaping.  The two
values that go into the ``@page`` margin boxes (the classification marking and the report id) are written as CSS
strings in which every character other than a letter, digit or space is a CSS hex escape, so they cannot end the
string or the style sheet either.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from deps.reports.charts import RenderedChart
from deps.reports.model import DEFAULT_MAX_ROWS, ReportContent, table_rows

__all__ = ["LONG_TEXT_COLUMNS", "css_string", "render_html"]

_ENV = Environment(
    loader=PackageLoader("deps.reports", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string literal with everything but letters, digits and spaces hex-escaped.

    Example: ``css_string('a"b')`` is ``"a\\000022b"``.  The result contains only ASCII letters, digits, spaces,
    backslashes and the two quotes, so it is safe inside a ``<style>`` element.
    """
    out = []
    for char in text:
        if (char.isascii() and char.isalnum()) or char == " ":
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return Markup('"' + "".join(out) + '"')


#: Long text columns shown as a full-width line under their row instead of a narrow column.
LONG_TEXT_COLUMNS = ("explanation", "note")


def _layout(frame: pd.DataFrame) -> tuple[list[str], list[tuple[list[str], list[tuple[str, str]]]]]:
    """Columns shown side by side, and per row its cells plus the long texts to show under it."""
    long = [c for c in frame.columns if str(c) in LONG_TEXT_COLUMNS]
    short = [c for c in frame.columns if c not in long]
    cells = table_rows(frame[short]) if short else [[] for _ in range(len(frame))]
    texts = table_rows(frame[long]) if long else [[] for _ in range(len(frame))]
    rows = [
        (row, [(str(c), t) for c, t in zip(long, extra, strict=True) if t])
        for row, extra in zip(cells, texts, strict=True)
    ]
    return [str(c) for c in short], rows


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def render_html(
    content: ReportContent,
    charts: Sequence[RenderedChart] = (),
    *,
    watermark: bool = False,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> str:
    """The report as one HTML document (charts inlined as ``data:`` PNG images).

    ``max_rows`` caps each table (WeasyPrint takes about 4 ms per table row); the document says when it cut one.
    The document's created and modified dates are the run's finish time, so the same run gives the same PDF.
    """
    fixed = (content.run.finished_at or content.run.created_at) + "Z"
    return _ENV.get_template("report.html.j2").render(
        content=content,
        charts=list(charts),
        watermark=watermark,
        max_rows=max_rows,
        marking_css=css_string(content.classification),
        id_css=css_string(content.report_id),
        fixed_time=fixed,
        layout=_layout,
        b64=_b64,
    )
