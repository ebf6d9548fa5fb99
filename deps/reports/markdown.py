"""The report as Markdown (GitHub-flavoured tables), with the classification marking at the top and the bottom.

Text from the data is escaped for Markdown and for the HTML a Markdown viewer may produce: ``& < >`` become
entities, and ``\\ ` * [ ] |`` get a backslash, so a name cannot open a link, a tag or a new table cell.  Charts
are not embedded (they are in the PDF and XLSX); their data are the tables.  The same run gives the same text.
"""

from __future__ import annotations

from deps.reports.model import DEFAULT_MAX_ROWS, ReportContent, table_rows

__all__ = ["md_escape", "render_markdown"]

_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "[": "\\[",
    "]": "\\]",
    "|": "\\|",
    "\n": " ",
    "\r": " ",
}


def md_escape(text: str) -> str:
    """``text`` safe inside a Markdown paragraph or table cell (see the module docstring)."""
    return "".join(_ESCAPES.get(char, char) for char in text)


def _pairs(pairs: tuple[tuple[str, str], ...]) -> list[str]:
    lines = ["| item | value |", "| --- | --- |"]
    lines += [f"| {md_escape(k)} | {md_escape(v)} |" for k, v in pairs]
    return lines


def render_markdown(content: ReportContent, *, max_rows: int = DEFAULT_MAX_ROWS) -> str:
    """The Markdown text of a report; each table shows at most ``max_rows`` rows (0: all) and says when cut."""
    marking = f"**{md_escape(content.classification.upper())}** (report {content.report_id})"
    lines = [marking, "", f"# {md_escape(content.title)}", ""]
    lines += ["## Summary", "", *_pairs(content.summary), ""]
    lines += [
        "## Method and thresholds used",
        "",
        "The run's parameters as recorded; definitions and defaults are in docs/methods/.",
        "",
        *_pairs(content.parameters),
        "",
    ]
    for section in content.sections:
        lines += [f"## {md_escape(section.title)}", ""]
        for paragraph in section.paragraphs:
            lines += [md_escape(paragraph), ""]
        for table in section.tables:
            lines += [f"### {md_escape(table.title)} ({len(table.frame)} rows)", ""]
            shown = table.shown(max_rows)
            if len(shown.columns) == 0 or shown.empty:
                lines += ["none", ""]
                continue
            note = table.truncation_note(max_rows)
            if note:
                lines += [f"*{md_escape(note)}*", ""]
            lines.append("| " + " | ".join(md_escape(str(c)) for c in shown.columns) + " |")
            lines.append("|" + " --- |" * len(shown.columns))
            lines += ["| " + " | ".join(md_escape(cell) for cell in row) + " |" for row in table_rows(shown)]
            lines.append("")
    if content.charts:
        lines += [
            "## Charts",
            "",
            "Charts are drawn in the PDF and XLSX reports: "
            + ", ".join(md_escape(c.title) for c in content.charts)
            + ".",
            "",
        ]
    lines += [
        "## Data provenance",
        "",
        *_pairs(content.provenance),
        "",
        'Who exported this report and when is recorded in the audit log (action "report", with this file\'s SHA-256).',
        "",
        marking,
        "",
    ]
    return "\n".join(lines)
