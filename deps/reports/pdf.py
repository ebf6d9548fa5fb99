"""The report as PDF through WeasyPrint, with the classification marking on every page.

The marking is in the top and bottom margin boxes of every page (``@page`` rules of the template) and the report
id in the corners; the optional diagonal watermark is a fixed-position element, which WeasyPrint repeats on every
page.  The PDF carries fixed creation and modification dates (the run's finish time) and WeasyPrint's identifier
is derived from the report id, so exporting one run twice gives the same bytes.  Only ``data:`` URLs (the inlined
charts) are fetched: nothing from the network or the file system.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

from deps.reports.charts import RenderedChart
from deps.reports.html import render_html
from deps.reports.model import DEFAULT_MAX_ROWS, ReportContent

__all__ = ["render_pdf"]

log = logging.getLogger(__name__)


def render_pdf(
    content: ReportContent,
    charts: Sequence[RenderedChart] = (),
    *,
    watermark: bool = False,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> bytes:
    """The PDF bytes of a report (see :func:`deps.reports.html.render_html` for ``max_rows``)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    document = render_html(content, charts, watermark=watermark, max_rows=max_rows)
    identifier = hashlib.sha256(content.report_id.encode()).hexdigest()[:32].encode("ascii")
    data = HTML(string=document, base_url=None, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(
        pdf_identifier=identifier
    )
    if data is None:  # pragma: no cover - write_pdf returns bytes when no target is given
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(data)
