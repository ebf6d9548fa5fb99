"""Reading tabular input files safely: size, type by content, encoding and columns checked first.

Every reader returns the table as strings (``dtype=str``, blanks as ``""``) so that validation sees exactly what
the file holds; it never raises on bad content but reports :class:`~deps.errors.Problem` rows instead.
Row numbers count the header as row 1, as a spreadsheet shows them, so the first data row is row 2.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from deps.errors import Problem

__all__ = ["FIRST_DATA_ROW", "RawTable", "file_kind", "hash_files", "read_table"]

FIRST_DATA_ROW = 2
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
    label: str | None = None,
    sheet: str | None = None,
    allow_extra: bool = True,
    csv_only: bool = False,
) -> RawTable:
    """Read a CSV (UTF-8, comma) or one sheet of an XLSX file as strings, checking it first.

    Parameters
    ----------
    path
        The file.
    required, optional
        Column names that must, or may, be present.  Header names are matched after trimming spaces.
    max_bytes
        Files larger than this are refused before they are read.
    label
        Name used in problems (default: the file name).
    sheet
        For XLSX files, the sheet to read (default: the first).
    allow_extra
        Whether columns beyond ``required`` and ``optional`` are tolerated (they are then ignored).
    csv_only
        Refuse XLSX content too (formats that are CSV by definition).
    """
    name = label or path.name
    table = RawTable(name=name, frame=None)
    if not path.is_file():
        table.problems.append(Problem(name, None, None, "file not found", "check the path and the file name"))
        return table
    size = path.stat().st_size
    if size == 0:
        table.problems.append(Problem(name, None, None, "the file is empty", "export the table with its header row"))
        return table
    if size > max_bytes:
        table.problems.append(
            Problem(
                name,
                None,
                None,
                f"the file is {size / 1e6:.1f} MB, above the limit of {max_bytes / 1e6:.0f} MB",
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
        frame = _read_xlsx(path, sheet, table)
    elif kind == "text":
        frame = _read_csv(path, table)
    else:
        what = "an old-style or encrypted Office file" if kind == "ole" else "a binary file"
        table.problems.append(
            Problem(name, None, None, f"the content is {what}, not CSV text or XLSX", "save it as UTF-8 CSV or XLSX")
        )
        return table
    if frame is None:
        return table
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    for column in missing:
        table.problems.append(
            Problem(name, 1, column, "required column is missing", f"add a header cell named {column!r}")
        )
    if not allow_extra:
        for column in frame.columns:
            if column not in required and column not in optional:
                table.problems.append(
                    Problem(name, 1, column, "unexpected column", "remove it or check the spelling of the header")
                )
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    for column in duplicated:
        table.problems.append(Problem(name, 1, column, "column appears twice in the header", "keep one of them"))
    for column in optional:
        if column not in frame.columns:
            frame[column] = ""
    table.frame = frame.fillna("").astype(str).apply(lambda s: s.str.strip())
    return table


def _read_csv(path: Path, table: RawTable) -> pd.DataFrame | None:
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
    if not text.strip():
        table.problems.append(Problem(table.name, None, None, "the file holds no text", "add a header row"))
        return None
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows = list(reader)
    except csv.Error as exc:
        table.problems.append(
            Problem(table.name, None, None, f"not a readable CSV file: {exc}", "check quotes and separators")
        )
        return None
    header, body = rows[0], rows[1:]
    if not any(cell.strip() for cell in header):
        table.problems.append(Problem(table.name, 1, None, "the header row is empty", "put the column names in row 1"))
        return None
    width = len(header)
    records: list[list[str]] = []
    for offset, row in enumerate(body):
        if not any(cell.strip() for cell in row):
            records.append([""] * width)
            continue
        if len(row) != width:
            table.problems.append(
                Problem(
                    table.name,
                    offset + FIRST_DATA_ROW,
                    None,
                    f"the row has {len(row)} cells but the header has {width}",
                    "check for a stray comma or an unquoted comma inside a text cell",
                )
            )
            row = (row + [""] * width)[:width]
        records.append(row)
    frame = pd.DataFrame(records, columns=[h.strip() for h in header], dtype=str)
    return frame


def _read_xlsx(path: Path, sheet: str | None, table: RawTable) -> pd.DataFrame | None:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        table.problems.append(
            Problem(table.name, None, None, f"not a readable XLSX workbook ({exc})", "save it again as .xlsx or CSV")
        )
        return None
    try:
        names = workbook.sheetnames
        if sheet is not None and sheet not in names:
            table.problems.append(
                Problem(table.name, None, None, f"sheet {sheet!r} is missing (sheets: {names})", f"add {sheet!r}")
            )
            return None
        worksheet = workbook[sheet] if sheet is not None else workbook[names[0]]
        rows = [
            ["" if cell is None else _cell_text(cell) for cell in row] for row in worksheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()
    while rows and not any(str(c).strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        table.problems.append(Problem(table.name, None, None, "the sheet is empty", "add a header row and data"))
        return None
    header = [str(h).strip() for h in rows[0]]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=str)


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _record_number(raw: bytes, offset: int) -> int:
    """The spreadsheet row (header = 1) of the CSV record that holds byte ``offset`` (quoted line breaks included)."""
    prefix = raw[:offset].decode("utf-8", errors="replace")
    try:
        records = sum(1 for _ in csv.reader(io.StringIO(prefix, newline="")))
    except csv.Error:
        return prefix.count("\n") + 1
    ends_on_break = prefix.endswith(("\n", "\r"))
    return max(records + (1 if ends_on_break else 0), 1)
