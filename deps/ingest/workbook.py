"""XLSX workbooks checked before they are parsed: archive directory, XML structure and sheet shape, all bounded.

A workbook is a ZIP archive of XML parts.  :func:`read_xlsx` refuses it, with a problem naming the file and sheet,
when any bound of :class:`~deps.ingest.limits.ReadLimits` is exceeded, and only then lets openpyxl read the sheet:

1. the ZIP end-of-directory record (member count and directory size, before the directory is loaded);
2. the directory: declared uncompressed size of every member and of all together, compression ratio, encryption,
   compression method, and a VBA macro part (``vbaProject.bin`` or a macro-enabled content type) refused;
3. one streaming expat pass over every XML part openpyxl will read (package parts, shared strings and the requested
   sheet): no document type declaration (so no entity expansion), nesting depth, cell text length; for the sheet
   also the declared ``<dimension ref>``, every row and cell reference, and formulas saved without a result.

Unpacking is bounded too: :mod:`zipfile` stops a member at its declared size and fails the CRC check when the data
runs on.  Parsing by openpyxl afterwards reads only rows and columns the scan has seen (``max_row``/``max_col``),
and openpyxl parses with defusedxml when it is installed (it is a dependency of this project).
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pandas as pd

from deps.errors import Problem
from deps.ingest.limits import ReadLimits

__all__ = ["SheetShape", "check_workbook", "read_xlsx", "sheet_names", "sheet_parts"]

_FIX_SAVE = "open the file in Excel or LibreOffice and save it again as .xlsx, or export the sheet as UTF-8 CSV"
_MACRO_TYPES = ("vbaproject", "macroenabled")
_CELL = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")
_SCANNED_SUFFIXES = (".xml", ".rels")
#: Compression ratios are only judged for members larger than this (tiny parts compress oddly).
_RATIO_FLOOR = 1 << 20


@dataclass
class SheetShape:
    """What the scan of one sheet saw: the last row and widest column used, and the problems found."""

    last_row: int = 0
    last_column: int = 0
    problems: list[Problem] = field(default_factory=list)


class _RefusedError(Exception):
    """Stops a scan at the first bound exceeded."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.problem)
        self.problem = problem


def _refused(label: str, problem: str) -> _RefusedError:
    return _RefusedError(Problem(label, None, None, problem, _FIX_SAVE))


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def _cell(ref: str) -> tuple[int, int] | None:
    """``(row, column)`` of a cell reference such as ``XFD1048576``, or ``None`` when it is not one."""
    match = _CELL.fullmatch(ref)
    if match is None:
        return None
    return int(match.group(2)), _column_number(match.group(1))


def _directory_record(path: Path) -> tuple[int, int] | None:
    """``(members, directory bytes)`` from the ZIP end-of-central-directory record, or ``None`` if not found."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - (65536 + 22)))
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    fields_ = struct.unpack("<4s4H2LH", tail[at : at + 22])
    return int(fields_[4]), int(fields_[5])


def check_workbook(path: Path, label: str, limits: ReadLimits) -> tuple[zipfile.ZipFile | None, list[Problem]]:
    """Check the archive of a workbook (steps 1 and 2 above); return the open archive when it passes."""

    def refuse(problem: str, fix: str = _FIX_SAVE) -> tuple[None, list[Problem]]:
        return None, [Problem(label, None, None, problem, fix)]

    record = _directory_record(path)
    if record is None:
        return refuse("not a readable XLSX workbook (the ZIP directory is missing or damaged)")
    members, directory_bytes = record
    if members == 0xFFFF or directory_bytes == 0xFFFFFFFF or members > limits.max_archive_members:
        return refuse(
            f"the workbook archive declares more than {limits.max_archive_members} members",
            "a spreadsheet has a few dozen parts: save the sheet as a new workbook or as CSV "
            "(or raise DEPS_MAX_ARCHIVE_MEMBERS if it is genuine)",
        )
    if directory_bytes > limits.max_archive_members * 1024:
        return refuse(f"the workbook's ZIP directory is {directory_bytes} bytes, far more than its members need")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        return refuse(f"not a readable XLSX workbook ({exc})")
    total = 0
    for info in archive.infolist():
        total += info.file_size
        where = f"member {info.filename!r}"
        problem = ""
        if info.flag_bits & 0x1:
            problem = f"{where} is encrypted"
        elif info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problem = f"{where} uses an unusual compression method ({info.compress_type})"
        elif any(t in info.filename.lower() for t in _MACRO_TYPES):
            archive.close()
            return refuse(
                f"the workbook contains a macro part ({info.filename}); macro-enabled workbooks are not imported",
                "save the workbook as a plain .xlsx (Excel Workbook, without macros) or as UTF-8 CSV",
            )
        elif info.file_size > limits.max_unpacked_bytes or total > limits.max_unpacked_bytes:
            problem = (
                f"the workbook unpacks to more than {limits.max_unpacked_bytes / 1e6:.0f} MB "
                f"({where} alone declares {info.file_size / 1e6:.1f} MB)"
            )
        elif info.file_size > _RATIO_FLOOR and info.file_size > limits.max_zip_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            problem = f"{where} is compressed {ratio:.0f}-fold (limit {limits.max_zip_ratio}), a sign of a zip bomb"
        if problem:
            archive.close()
            return refuse(problem, f"{_FIX_SAVE} (or raise DEPS_MAX_UNPACKED_MB / DEPS_MAX_ZIP_RATIO if genuine)")
    return archive, []


def _scan(
    archive: zipfile.ZipFile,
    member: str,
    label: str,
    limits: ReadLimits,
    *,
    on_start: Callable[[str, dict[str, str]], None] | None = None,
    on_end: Callable[[str], None] | None = None,
    on_chars: Callable[[str], None] | None = None,
    text_element: str | None = None,
) -> None:
    """Stream one XML part through expat, raising :class:`_RefusedError` at the first bound exceeded.

    ``text_element`` names the element (``c`` for cells, ``si`` for shared strings) whose text may not exceed
    ``max_cell_chars``.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    depth = 0
    text = 0

    def forbid(*_args: object) -> None:
        raise _refused(label, f"part {member} declares a document type or entities")

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, text
        depth += 1
        if depth > limits.max_xml_depth:
            raise _refused(label, f"part {member} nests XML deeper than {limits.max_xml_depth}")
        local = name.rsplit(" ", 1)[-1]
        if local == text_element:
            text = 0
        if on_start is not None:
            on_start(local, attrs)

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1
        if on_end is not None:
            on_end(name.rsplit(" ", 1)[-1])

    def chars(data: str) -> None:
        nonlocal text
        text += len(data)
        if on_chars is not None:
            on_chars(data)
        if text_element is not None and text > limits.max_cell_chars:
            raise _RefusedError(
                Problem(
                    label,
                    None,
                    None,
                    f"a cell in {member} holds more than {limits.max_cell_chars} characters",
                    "shorten the text (or raise DEPS_MAX_CELL_CHARS if it is genuine)",
                )
            )

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(1 << 16):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _refused(label, f"part {member} is not well-formed XML ({exc})") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _refused(label, f"part {member} cannot be unpacked ({exc})") from exc


def sheet_parts(archive: zipfile.ZipFile, label: str, limits: ReadLimits) -> dict[str, str]:
    """Sheet name -> archive member, read from the package relationships and the workbook part (scanned first).

    Also scans ``[Content_Types].xml`` (refusing macro-enabled content types).  Raises :class:`_RefusedError`.
    """
    names = set(archive.namelist())
    found: dict[str, list[dict[str, str]]] = {"Relationship": [], "sheet": [], "Override": [], "Default": []}

    def collect(local: str, attrs: dict[str, str]) -> None:
        if local in found:
            found[local].append({k.rsplit(" ", 1)[-1]: v for k, v in attrs.items()})

    for member in ("[Content_Types].xml", "_rels/.rels"):
        if member not in names:
            raise _refused(label, f"the workbook lacks its part {member}")
        _scan(archive, member, label, limits, on_start=collect)
    for entry in found["Override"] + found["Default"]:
        if any(t in entry.get("ContentType", "").lower() for t in _MACRO_TYPES):
            raise _RefusedError(
                Problem(
                    label,
                    None,
                    None,
                    "the workbook is macro-enabled; macro-enabled workbooks are not imported",
                    "save the workbook as a plain .xlsx (Excel Workbook, without macros) or as UTF-8 CSV",
                )
            )
    office = [r for r in found["Relationship"] if r.get("Type", "").endswith("/officeDocument")]
    if not office:
        raise _refused(label, "the archive is not a spreadsheet (no main document)")
    book = _resolve("", office[0].get("Target", ""))
    book_rels = posixpath.join(posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels")
    found["Relationship"].clear()
    for member in (book, book_rels):
        if member not in names:
            raise _refused(label, f"the workbook lacks its part {member}")
        _scan(archive, member, label, limits, on_start=collect)
    targets = {r.get("Id", ""): _resolve(posixpath.dirname(book), r.get("Target", "")) for r in found["Relationship"]}
    return {s.get("name", ""): targets.get(s.get("id", ""), "") for s in found["sheet"]}


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, target))


def _scan_sheet(archive: zipfile.ZipFile, member: str, label: str, limits: ReadLimits) -> SheetShape:
    """Scan one worksheet part: declared dimension, rows, cells, cell text, formulas without a saved result."""
    shape = SheetShape()
    state: dict[str, Any] = {"row": 0, "col": 0, "cells": 0, "formula": 0, "value": 0, "ref": "", "element": ""}

    def too_big(what: str) -> _RefusedError:
        return _RefusedError(
            Problem(
                label,
                None,
                None,
                what,
                f"keep at most {limits.max_rows} data rows and {limits.max_columns} columns, and delete unused "
                "cells far from the table (or raise DEPS_MAX_ROWS / DEPS_MAX_COLUMNS if it is genuine)",
            )
        )

    def on_start(local: str, attrs: dict[str, str]) -> None:
        if local == "dimension":
            last = _cell(attrs.get("ref", "").split(":")[-1].replace("$", ""))
            if last is not None and last[1] > limits.max_columns:
                raise too_big(f"the sheet declares {last[1]} columns (limit {limits.max_columns})")
            if last is not None and last[0] > limits.max_sheet_row:
                raise too_big(f"the sheet declares {last[0] - 1} data rows (limit {limits.max_rows})")
        elif local == "row":
            state["row"] = int(attrs["r"]) if attrs.get("r", "").isdigit() else state["row"] + 1
            state["col"] = state["cells"] = 0
            shape.last_row = max(shape.last_row, state["row"])
            if state["row"] > limits.max_sheet_row:
                raise too_big(f"the sheet has a row {state['row']} (limit {limits.max_rows} data rows)")
        elif local == "c":
            ref = attrs.get("r", "")
            cell = _cell(ref)
            state["col"] = cell[1] if cell is not None else state["col"] + 1
            state["cells"] += 1
            state["formula"] = state["value"] = 0
            state["ref"] = ref or f"column {state['col']}"
            if state["col"] > limits.max_columns or state["cells"] > limits.max_columns:
                raise too_big(f"row {state['row']} uses column {state['col']} (limit {limits.max_columns} columns)")
            shape.last_column = max(shape.last_column, state["col"])
        elif local == "f":
            state["formula"] = 1
        elif local == "is":
            state["value"] = 1
        state["element"] = local

    def on_end(local: str) -> None:
        state["element"] = ""
        if local == "c" and state["formula"] and not state["value"]:
            shape.problems.append(
                Problem(
                    label,
                    int(state["row"]),
                    None,
                    f"cell {state['ref']} holds a formula without a saved result",
                    "open the workbook in Excel or LibreOffice and save it (so results are stored), or paste values",
                )
            )

    def on_chars(data: str) -> None:
        if state["element"] == "v" and data.strip():
            state["value"] = 1

    _scan(archive, member, label, limits, on_start=on_start, on_end=on_end, on_chars=on_chars, text_element="c")
    return shape


def sheet_names(path: Path, label: str, limits: ReadLimits) -> tuple[list[str], list[Problem]]:
    """The sheet names of a workbook, after the archive and package checks (no sheet is parsed)."""
    archive, problems = check_workbook(path, label, limits)
    if archive is None:
        return [], problems
    try:
        with archive:
            return list(sheet_parts(archive, label, limits)), []
    except _RefusedError as refused:
        return [], [refused.problem]


def read_xlsx(
    path: Path, sheet: str | None, label: str, limits: ReadLimits
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one sheet (default: the first) as a table of strings, refusing the workbook first if it is out of bounds."""
    archive, problems = check_workbook(path, label, limits)
    if archive is None:
        return None, problems
    try:
        with archive:
            parts = sheet_parts(archive, label, limits)
            names = list(parts)
            if not names:
                return None, [Problem(label, None, None, "the workbook has no sheets", "add a sheet with the table")]
            wanted = sheet if sheet is not None else names[0]
            if wanted not in parts:
                return None, [Problem(label, None, None, f"sheet {wanted!r} is missing (sheets: {names})", "add it")]
            member = parts[wanted]
            if member not in archive.namelist():
                return None, [Problem(label, None, None, f"the part of sheet {wanted!r} is missing", _FIX_SAVE)]
            for info in archive.infolist():
                lower = info.filename.lower()
                if lower.endswith(_SCANNED_SUFFIXES) and "worksheets/" not in lower and "chartsheets/" not in lower:
                    shared = "sharedstrings" in lower
                    _scan(archive, info.filename, label, limits, text_element="si" if shared else None)
            shape = _scan_sheet(archive, member, label, limits)
    except _RefusedError as refused:
        return None, [refused.problem]
    if shape.problems:
        return None, shape.problems
    return _parse(path, wanted, label, shape)


def _parse(path: Path, sheet: str, label: str, shape: SheetShape) -> tuple[pd.DataFrame | None, list[Problem]]:
    from openpyxl import load_workbook

    if shape.last_row == 0 or shape.last_column == 0:
        return None, [Problem(label, None, None, "the sheet is empty", "add a header row and data")]
    try:
        workbook = load_workbook(path, read_only=True, data_only=True, keep_links=False)
        try:
            rows = [
                ["" if value is None else _cell_text(value) for value in row]
                for row in workbook[sheet].iter_rows(
                    min_row=1, max_row=shape.last_row, max_col=shape.last_column, values_only=True
                )
            ]
        finally:
            workbook.close()
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged parts that are well-formed XML
        return None, [Problem(label, None, None, f"not a readable XLSX sheet ({type(exc).__name__}: {exc})", _FIX_SAVE)]
    while rows and not any(str(c).strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        return None, [Problem(label, None, None, "the sheet is empty", "add a header row and data")]
    header = [str(h).strip() for h in rows[0]]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=str), []


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
