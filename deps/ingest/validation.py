"""Column and table checks that collect every problem before anything is written.

A :class:`TableCheck` wraps one table (all cells as strings, as :mod:`deps.ingest.reader` returns them) and
offers typed accessors: each converts a column, records a :class:`~deps.errors.Problem` for every bad cell (file,
row, column, what is wrong, how to fix) and returns the converted column with bad cells as missing.  Cross-table
checks (references, share sums, cycles) work on the converted frames.  Importers raise
:class:`~deps.errors.DataValidationError` once, at the end, when any problem was found.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from deps.errors import Problem
from deps.ingest.reader import FIRST_DATA_ROW

__all__ = ["TableCheck", "ambiguous_separators", "positions", "share_sum_problems"]

_MAX_SHOWN_CHOICES = 12


class TableCheck:
    """Typed, problem-collecting access to one string table.

    Parameters
    ----------
    name
        File (or sheet) name used in problems.
    frame
        The table, all cells strings; its index must be ``0..n-1`` in file order.
    problems
        The list problems are appended to (shared across the tables of one import).
    """

    def __init__(self, name: str, frame: pd.DataFrame, problems: list[Problem]) -> None:
        self.name = name
        self.frame = frame.reset_index(drop=True)
        self.problems = problems

    # ------------------------------------------------------------------ helpers
    def row_of(self, index: int) -> int:
        """The spreadsheet row number of frame position ``index``."""
        return index + FIRST_DATA_ROW

    def add(self, index: int | None, column: str | None, problem: str, fix: str) -> None:
        """Record one problem at frame position ``index`` (``None`` for the whole table)."""
        row = None if index is None else self.row_of(index)
        self.problems.append(Problem(self.name, row, column, problem, fix))

    def _blank(self, column: str) -> pd.Series:
        return self.frame[column].eq("")

    def _require(self, column: str, required: bool, what: str) -> pd.Series:
        blank = self._blank(column)
        if required:
            for index in positions(blank):
                self.add(index, column, "value is missing", f"fill in {what}")
        return blank

    # ------------------------------------------------------------------ typed columns
    def text(self, column: str, *, required: bool = True, max_len: int = 2000, what: str = "a value") -> pd.Series:
        """A text column; blank cells are problems when ``required``; over-long cells always are."""
        self._require(column, required, what)
        values = self.frame[column]
        too_long = values.str.len() > max_len
        for index in positions(too_long):
            self.add(index, column, f"text is {len(values[index])} characters long (limit {max_len})", "shorten it")
        return values.where(~too_long, "")

    def number(
        self,
        column: str,
        *,
        required: bool = True,
        low: float | None = None,
        high: float | None = None,
        what: str = "a number",
        fix_range: str | None = None,
    ) -> pd.Series:
        """A float column with optional inclusive bounds; bad cells become NaN."""
        blank = self._require(column, required, what)
        raw = self.frame[column]
        ambiguous = ambiguous_separators(raw)
        for index in positions(ambiguous):
            self.add(
                index,
                column,
                f"{raw[index]!r} is ambiguous: a comma may be a thousands separator or a decimal comma",
                f"write {what} without thousands separators and with a dot as decimal sign (1500 or 1.5)",
            )
        values = pd.to_numeric(raw.str.replace(",", ".", regex=False).where(~blank & ~ambiguous), errors="coerce")
        bad = ~blank & ~ambiguous & values.isna()
        for index in positions(bad):
            self.add(index, column, f"{raw[index]!r} is not a number", f"write {what} with a dot as decimal sign")
        finite = values.notna()
        inf = finite & ~values.abs().lt(float("inf"))
        for index in positions(inf):
            self.add(index, column, f"{raw[index]!r} is not a finite number", f"write {what}")
        values = values.where(~inf)
        out_of_range = pd.Series(False, index=values.index)
        if low is not None:
            out_of_range |= values.lt(low)
        if high is not None:
            out_of_range |= values.gt(high)
        for index in positions(out_of_range):
            bounds = f"between {low:g} and {high:g}" if low is not None and high is not None else ""
            if not bounds:
                bounds = f"at least {low:g}" if low is not None else f"at most {high:g}"
            self.add(index, column, f"{raw[index]} is out of range", fix_range or f"use a value {bounds}")
        return values.where(~out_of_range).astype(float)

    def integer(
        self,
        column: str,
        *,
        required: bool = True,
        low: int | None = None,
        high: int | None = None,
        what: str = "a whole number",
    ) -> pd.Series:
        """An integer column (nullable ``Int64``) with optional inclusive bounds."""
        values = self.number(column, required=required, low=low, high=high, what=what)
        fractional = values.notna() & (values % 1 != 0)
        for index in positions(fractional):
            self.add(index, column, f"{self.frame[column][index]} is not a whole number", f"write {what}")
        return values.where(~fractional).round().astype("Int64")

    def choice(self, column: str, allowed: Collection[str], *, required: bool = True, lower: bool = True) -> pd.Series:
        """A column restricted to ``allowed`` values (compared in lower case when ``lower``)."""
        blank = self._require(column, required, f"one of {_shown(allowed)}")
        values = self.frame[column].str.lower() if lower else self.frame[column]
        bad = ~blank & ~values.isin(list(allowed))
        for index in positions(bad):
            self.add(index, column, f"{self.frame[column][index]!r} is not allowed", f"use one of {_shown(allowed)}")
        return values.where(~bad, "")

    def flag(self, column: str, *, required: bool = True) -> pd.Series:
        """A 0/1 (or yes/no, true/false) column as booleans."""
        mapping = {"1": True, "0": False, "yes": True, "no": False, "true": True, "false": False, "": False}
        values = self.choice(column, [k for k in mapping if k], required=required)
        return values.map(mapping).astype(bool)

    def codes(
        self, column: str, known: Collection[str], *, required: bool = True, what: str = "an ISO 3166-1 alpha-3 code"
    ) -> pd.Series:
        """A column of codes (upper-cased) that must be in ``known``."""
        blank = self._require(column, required, what)
        values = self.frame[column].str.upper()
        bad = ~blank & ~values.isin(list(known))
        for index in positions(bad):
            self.add(index, column, f"unknown code {self.frame[column][index]!r}", f"use {what}")
        return values.where(~bad, "")

    def split_list(self, column: str, allowed: Collection[str], *, required: bool = False) -> pd.Series:
        """A ';'-separated list column whose items must be in ``allowed``; returns tuples of items."""
        self._require(column, required, f"one or more of {_shown(allowed)} separated by ';'")
        out: list[tuple[str, ...]] = []
        for index, cell in enumerate(self.frame[column]):
            items = tuple(dict.fromkeys(i.strip().lower() for i in cell.split(";") if i.strip()))
            wrong = [i for i in items if i not in allowed]
            if wrong:
                self.add(index, column, f"unknown item(s) {wrong}", f"use items from {_shown(allowed)}")
                items = tuple(i for i in items if i in allowed)
            out.append(items)
        return pd.Series(out, index=self.frame.index, dtype=object)

    # ------------------------------------------------------------------ table-level checks
    def unique(self, columns: Sequence[str], what: str = "id") -> None:
        """Every combination of ``columns`` appears once; repeats after the first are problems (blanks skipped)."""
        first: dict[tuple[str, ...], int] = {}
        data = self.frame[list(columns)]
        for position, key in enumerate(data.itertuples(index=False, name=None)):
            if not any(key):
                continue
            if key in first:
                self.add(
                    position,
                    ", ".join(columns),
                    f"duplicate {what} {'/'.join(key)!r} (first at row {self.row_of(first[key])})",
                    f"give each row its own {what}, or remove the repeated row",
                )
            else:
                first[key] = position

    def references(self, column: str, values: pd.Series, known: Collection[str], what: str, fix: str) -> None:
        """Non-blank ``values`` must be in ``known`` (a dangling reference otherwise)."""
        bad = values.ne("") & ~values.isin(list(known))
        for index in positions(bad):
            self.add(index, column, f"{what} {values[index]!r} does not exist", fix)


def ambiguous_separators(raw: pd.Series) -> pd.Series:
    """Cells whose comma could be a thousands separator: the number rule of every importer.

    A dot is the decimal sign.  A comma is read as a decimal sign only when it is the cell's one separator and is
    not followed by exactly three digits: ``0,5`` is 0.5, while ``1,500``, ``60,000``, ``1,500.5`` and ``1.500,5``
    are refused (never read as 1.5 or 60).
    """
    comma = raw.str.contains(",", regex=False)
    several = raw.str.count(",").gt(1) | raw.str.contains(".", regex=False)
    thousands = raw.str.strip().str.fullmatch(r"[+-]?\d*,\d{3}")
    return (comma & (several | thousands.fillna(False))).astype(bool)


def share_sum_problems(
    name: str,
    frame: pd.DataFrame,
    *,
    group: Sequence[str],
    share: str,
    limit: float,
    tolerance: float,
    column: str,
    unit: str = "%",
) -> list[Problem]:
    """Problems for every group whose shares add up to more than ``limit + tolerance``.

    The problem is reported at the first row of the group, naming every row that belongs to it.
    """
    problems: list[Problem] = []
    known = frame[frame[share].notna()]
    if known.empty:
        return problems
    totals = known.groupby(list(group), sort=True)[share].sum()
    for key, total in totals.items():
        if total > limit + tolerance + 1e-9:
            key_tuple = key if isinstance(key, tuple) else (key,)
            mask = (known[list(group)] == pd.Series(key_tuple, index=list(group))).all(axis=1)
            rows = [int(i) + FIRST_DATA_ROW for i in known.index[mask]]
            label = ", ".join(f"{g}={k}" for g, k in zip(group, key_tuple, strict=True))
            problems.append(
                Problem(
                    name,
                    rows[0],
                    column,
                    f"shares for {label} add up to {total:g}{unit} (> {limit:g}{unit} + {tolerance:g} tolerance; "
                    f"rows {rows[:20]})",
                    "correct the shares, or split country and firm views into separate supplier_type rows",
                )
            )
    return problems


def _shown(allowed: Collection[str]) -> str:
    items = sorted(allowed)
    if len(items) > _MAX_SHOWN_CHOICES:
        return ", ".join(items[:_MAX_SHOWN_CHOICES]) + ", ..."
    return ", ".join(items)


def positions(mask: pd.Series) -> list[int]:
    """Frame positions where ``mask`` is true (frames here are indexed 0..n-1)."""
    return [int(i) for i in np.flatnonzero(mask.to_numpy(dtype=bool))]
