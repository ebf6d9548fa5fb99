"""Reading tabular input files safely: size, type by content, encoding and columns checked first.

Every reader returns the table as strings (``dtype=str``, blanks as ``""``) so that validation sees exactly what
the file holds; it never raises on bad content but reports :class:`~deps.errors.Problem` rows instead.
Row numbers count the header as row 1, as a spreadsheet shows them, so the first data row is row 2.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from deps.config import load_settings
from deps.errors import Problem
from deps.ingest.limits import ReadLimits, read_limits
from deps.ingest.workbook import read_xlsx

__all__ = ["DEFAULT_LIMITS", "FIRST_DATA_ROW", "RawTable", "file_kind", "hash_files", "read_table"]

FIRST_DATA_ROW = 2
#: Bounds used when a caller gives none: the defaults of the DEPS_MAX_* settings.
DEFAULT_LIMITS = read_limits(load_settings({}))
#: C0 and C1 control characters except tab, line feed and carriage return, and the bidirectional overrides.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_PROBLEM = "the text holds a control character (invisible, or one that reorders text)"
_CONTROL_FIX = "retype the text without control characters (check text pasted from other programs)"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls and encrypted office files


@dataclass
class RawTable:
    """A table read from one file (or one sheet), all cells as strings, plus the problems met reading it."""

    name: str
    frame: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the table could be read with all required columns."""
        return self.frame is not None and not self.problems


def file_kind(head: bytes) -> str:
    """Guess a file's type from its first bytes: ``xlsx``, ``ole`` (old Excel or encrypted), ``binary`` or ``text``."""
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if b"\x00" in head[:4096]:
        return "binary"
    return "text"


def hash_files(paths: Iterable[Path]) -> str:
    """SHA-256 over the names and bytes of ``paths`` in sorted order (the dataset's content hash)."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def read_table(
    path: Path,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    max_bytes: int,
    limits: ReadLimits | None = None,
    label: str | None = None,
    sheet: str | None = None,
    allow_extra: bool = True,
    csv_only: bool = False,
) -> RawTable:
    """Read a CSV (UTF-8, comma) or one sheet of an XLSX file as strings, checking its bounds first.

    Parameters
    ----------
    path
        The file.
    required, optional
        Column names that must, or may, be present.  Header names are matched after trimming spaces.
    max_bytes
        Files larger than this are refused before they are read.
    limits
        Bounds on shape and structure (columns, rows, cell length, workbook archive and XML); ``max_bytes`` above
        replaces their ``max_bytes``.  Default: :data:`DEFAULT_LIMITS` (the settings' defaults).
    label
        Name used in problems (default: the file name).
    sheet
        For XLSX files, the sheet to read (default: the first).
    allow_extra
        Whether columns beyond ``required`` and ``optional`` are tolerated (they are then ignored).
    csv_only
        Refuse XLSX content too (formats that are CSV by definition).

    A table is refused (problems, no frame) when it exceeds a bound, when it has a header row but no data rows,
    when a header name repeats, or when any cell holds a control character (C0/C1 controls other than tab and
    line breaks, and the bidirectional-text overrides that can disguise a name).
    """
    bounds = replace(limits or DEFAULT_LIMITS, max_bytes=max_bytes)
    name = label or path.name
    table = RawTable(name=name, frame=None)
    if not path.is_file():
        table.problems.append(Problem(name, None, None, "file not found", "check the path and the file name"))
        return table
    size = path.stat().st_size
    if size == 0:
        table.problems.append(Problem(name, None, None, "the file is empty", "export the table with its header row"))
        return table
    if size > bounds.max_bytes:
        table.problems.append(
            Problem(
                name,
                None,
                None,
                f"the file is {size / 1e6:.1f} MB, above the limit of {bounds.max_bytes / 1e6:.0f} MB",
                "split the file, or raise DEPS_MAX_IMPORT_MB if it is genuine",
            )
        )
        return table
    with path.open("rb") as handle:
        head = handle.read(8192)
    kind = file_kind(head)
    if kind == "xlsx" and (csv_only or path.suffix.lower() == ".csv"):
        table.problems.append(
            Problem(
                name,
                None,
                None,
                "the file is named .csv but its content is a ZIP archive such as an XLSX workbook",
                "save the table as UTF-8 CSV, or import the workbook file itself",
            )
        )
        return table
    if kind == "xlsx":
        frame, problems = read_xlsx(path, sheet, name, bounds)
        table.problems.extend(problems)
    elif kind == "text":
        frame = _read_csv(path, table, bounds)
    else:
        what = "an old-style or encrypted Office file" if kind == "ole" else "a binary file"
        table.problems.append(
            Problem(name, None, None, f"the content is {what}, not CSV text or XLSX", "save it as UTF-8 CSV or XLSX")
        )
        return table
    if frame is None or table.problems:
        return table
    _check_shape(frame, table, bounds)
    if table.problems:
        return table
    _check_header(frame, table, required, optional, allow_extra)
    for column in optional:
        if column not in frame.columns:
            frame[column] = ""
    table.frame = frame.fillna("").astype(str).apply(lambda s: s.str.strip())
    return table


def _check_shape(frame: pd.DataFrame, table: RawTable, limits: ReadLimits) -> None:
    """Bounds, data rows present, no control characters (header and cells)."""
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(frame.columns) > limits.max_columns:
        table.problems.append(_too_wide(table.name, len(frame.columns), limits))
        return
    if not frame.apply(lambda s: s.fillna("").astype(str).str.strip().ne("")).any(axis=None):
        table.problems.append(
            Problem(
                table.name,
                None,
                None,
                "the table has a header row but no data rows",
                "add the data rows, or leave the file (or sheet) out of the import",
            )
        )
        return
    for position, column in enumerate(frame.columns):
        if _CONTROL.search(column):
            table.problems.append(Problem(table.name, 1, f"#{position + 1}", _CONTROL_PROBLEM, _CONTROL_FIX))
    for column in dict.fromkeys(frame.columns):
        values = frame.loc[:, frame.columns == column].iloc[:, 0].fillna("").astype(str)
        for index in np.flatnonzero(values.str.contains(_CONTROL).to_numpy(dtype=bool)):
            table.problems.append(
                Problem(table.name, int(index) + FIRST_DATA_ROW, column, _CONTROL_PROBLEM, _CONTROL_FIX)
            )


def _check_header(
    frame: pd.DataFrame,
    table: RawTable,
    required: Sequence[str],
    optional: Sequence[str],
    allow_extra: bool,
) -> None:
    """Required columns present, unexpected ones (when not allowed), repeated names; linear in the column count."""
    present = Counter(frame.columns)
    for column in required:
        if column not in present:
            table.problems.append(
                Problem(table.name, 1, column, "required column is missing", f"add a header cell named {column!r}")
            )
    if not allow_extra:
        known = set(required) | set(optional)
        for column in present:
            if column not in known:
                table.problems.append(
                    Problem(table.name, 1, column, "unexpected column", "remove it or check the spelling of the header")
                )
    for column in sorted(c for c, n in present.items() if n > 1):
        table.problems.append(Problem(table.name, 1, column, "column appears twice in the header", "keep one of them"))


def _too_wide(name: str, columns: int, limits: ReadLimits) -> Problem:
    return Problem(
        name,
        1,
        None,
        f"the table has {columns} columns (limit {limits.max_columns})",
        "remove unused columns (or raise DEPS_MAX_COLUMNS if the table is genuinely that wide)",
    )


def _read_csv(path: Path, table: RawTable, limits: ReadLimits) -> pd.DataFrame | None:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _record_number(raw, exc.start)
        table.problems.append(
            Problem(
                table.name,
                line,
                None,
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                "save the file as UTF-8 (in Excel: 'CSV UTF-8'); the file is probably Latin-1 or Windows-1252",
            )
        )
        return None
    del raw
    if not text.strip():
        table.problems.append(Problem(table.name, None, None, "the file holds no text", "add a header row"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        if text.count("\n") > limits.max_sheet_row and _too_many_records(text, limits):
            table.problems.append(
                Problem(
                    table.name,
                    None,
                    None,
                    f"the file has more than {limits.max_rows} data rows",
                    "split the file (or raise DEPS_MAX_ROWS if it is genuine)",
                )
            )
            return None
        header = next(reader)
        if len(header) > limits.max_columns:
            table.problems.append(_too_wide(table.name, len(header), limits))
            return None
        rows = _bounded_rows(reader, table, len(header), limits)
    except csv.Error as exc:
        problem, fix = f"not a readable CSV file: {exc}", "check quotes and separators"
        if "field larger than field limit" in str(exc):
            problem = f"a cell holds more than {limits.max_cell_chars} characters (line {reader.line_num})"
            fix = "shorten the text, or check for an unclosed quote"
        table.problems.append(Problem(table.name, None, None, problem, fix))
        return None
    if rows is None:
        return None
    if not any(cell.strip() for cell in header):
        table.problems.append(Problem(table.name, 1, None, "the header row is empty", "put the column names in row 1"))
        return None
    return pd.DataFrame(rows, columns=[h.strip() for h in header], dtype=str)


def _too_many_records(text: str, limits: ReadLimits) -> bool:
    """Whether ``text`` holds more than the header and ``max_rows`` CSV records (counted without keeping them).

    Without a quote character no record spans lines, so the line count is exact; otherwise the records are counted.
    """
    if '"' not in text:
        return text.count("\n") + (0 if text.endswith("\n") else 1) > limits.max_sheet_row
    for count, _row in enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), start=1):
        if count > limits.max_sheet_row:
            return True
    return False


def _bounded_rows(
    reader: Iterator[list[str]], table: RawTable, width: int, limits: ReadLimits
) -> list[list[str]] | None:
    """The data rows, padded or cut to ``width``; ``None`` (with a problem) at the first bound exceeded."""
    records: list[list[str]] = []
    for offset, row in enumerate(reader):
        where = offset + FIRST_DATA_ROW
        if offset >= limits.max_rows:
            table.problems.append(
                Problem(
                    table.name,
                    where,
                    None,
                    f"the file has more than {limits.max_rows} data rows",
                    "split the file (or raise DEPS_MAX_ROWS if it is genuine)",
                )
            )
            return None
        if not any(cell.strip() for cell in row):
            records.append([""] * width)
            continue
        longest = max(len(cell) for cell in row)
        if longest > limits.max_cell_chars:
            table.problems.append(
                Problem(
                    table.name,
                    where,
                    None,
                    f"a cell holds {longest} characters (limit {limits.max_cell_chars})",
                    "shorten the text (or raise DEPS_MAX_CELL_CHARS if it is genuine)",
                )
            )
            return None
        if len(row) != width:
            table.problems.append(
                Problem(
                    table.name,
                    where,
                    None,
                    f"the row has {len(row)} cells but the header has {width}",
                    "check for a stray comma or an unquoted comma inside a text cell",
                )
            )
            row = (row + [""] * width)[:width]
        records.append(row)
    return records


def _record_number(raw: bytes, offset: int) -> int:
    """The spreadsheet row (header = 1) of the CSV record that holds byte ``offset`` (quoted line breaks included)."""
    prefix = raw[:offset].decode("utf-8", errors="replace")
    try:
        records = sum(1 for _ in csv.reader(io.StringIO(prefix, newline="")))
    except csv.Error:
        return prefix.count("\n") + 1
    ends_on_break = prefix.endswith(("\n", "\r"))
    return max(records + (1 if ends_on_break else 0), 1)
