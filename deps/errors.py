"""One exception tree for the application layer.

Every error the ``deps`` package raises on purpose derives from :class:`DepsError` and from the builtin that
describes it best, so callers may catch either.  Messages name the item that is wrong and how to fix it.

The validation errors carry a list of :class:`Problem` rows (file, row, column, problem, fix): importers collect
every problem before they write anything and raise once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

__all__ = [
    "AuthenticationError",
    "ConfigError",
    "DataValidationError",
    "DatabaseError",
    "DepsError",
    "NotFoundError",
    "OutputPathError",
    "PermissionDeniedError",
    "Problem",
    "RunError",
]

#: How many problems a report prints before it summarises the rest.
MAX_PROBLEMS_SHOWN = 200


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Parameters
    ----------
    file
        The file name (relative, as the user gave it).
    row
        1-based data row number (the header is row 0); ``None`` for file-level problems.
    column
        Column name, or ``None`` when the problem concerns the whole row or file.
    problem
        What is wrong, with the offending value.
    fix
        How to fix it.
    """

    file: str
    row: int | None
    column: str | None
    problem: str
    fix: str

    def as_dict(self) -> dict[str, object]:
        """Return the problem as a plain dict (for JSON reports)."""
        return asdict(self)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.problem} -> fix: {self.fix}"


class DepsError(Exception):
    """Base of every error the application raises on purpose."""


class ConfigError(DepsError, ValueError):
    """A setting has a value that cannot be used."""


class DatabaseError(DepsError, RuntimeError):
    """The database is missing, unreachable or at the wrong schema version."""


class NotFoundError(DepsError, LookupError):
    """A named dataset, run, user or item does not exist."""


class OutputPathError(DepsError, ValueError):
    """An output path cannot be written: a folder, a device, an existing file without --force, a missing folder."""


class PermissionDeniedError(DepsError, PermissionError):
    """The current user's role does not allow the action."""


class AuthenticationError(DepsError, PermissionError):
    """A login failed (wrong name or password, locked or inactive account); the message never says which."""


class RunError(DepsError, RuntimeError):
    """An analysis, simulation or optimisation run could not be carried out."""


class DataValidationError(DepsError, ValueError):
    """Input data failed validation; nothing was written.

    Parameters
    ----------
    problems
        Every problem found, in file and row order.
    summary
        One line saying what was being validated.
    """

    def __init__(self, problems: Iterable[Problem], summary: str = "input failed validation") -> None:
        self.problems: Sequence[Problem] = tuple(problems)
        self.summary = summary
        super().__init__(self.report())

    def report(self) -> str:
        """Return the full human-readable report, one problem per line."""
        lines = [f"{self.summary}: {len(self.problems)} problem(s); nothing was written."]
        for problem in self.problems[:MAX_PROBLEMS_SHOWN]:
            lines.append(f"  - {problem}")
        hidden = len(self.problems) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            lines.append(f"  ... and {hidden} more problem(s) of the same kinds.")
        return "\n".join(lines)
