"""No internal error for a user mistake: every CLI command, given a wrong option, a missing one or a bad value.

The commands are enumerated from the typer app, so a new command is covered without editing this file.  Each
mistake must end in one line on stderr starting with ``error:`` and exit status 2 (usage: unknown option, missing
or invalid value) or 1 (a value the command itself refuses), as README's "Exit status" says; never
"internal error" (status 3) or a traceback.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import typer

from deps.cli.main import app, main
from deps.store.db import Database

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check


def _commands(group: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    commands = getattr(group, "commands", None)  # typer ships its own copy of click: no isinstance on click.Group
    if commands:
        for name, command in sorted(commands.items()):
            yield from _commands(command, (*path, name))
    else:
        yield path, group


COMMANDS = dict(_commands(typer.main.get_command(app)))


def _run(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["deps", *args])
    try:
        with pytest.raises(SystemExit) as exited:
            main()
    finally:
        gc.collect()  # the command's own database handle is dropped here
    code = exited.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().err


def _assert_one_line(code: int, err: str, allowed: tuple[int, ...], what: str) -> None:
    """One ``error:`` line; a refused data file instead prints its problem report (a summary line, then each)."""
    assert code in allowed, f"{what}: exit {code}: {err}"
    lines = err.strip().splitlines()
    if lines and lines[0].endswith("problem(s); nothing was written."):
        assert code == 1 and all(line.startswith("  - ") for line in lines[1:]), f"{what}: {err!r}"
        return
    assert len(lines) == 1 and lines[0].startswith("error: "), f"{what}: {err!r}"
    assert "internal error" not in err and "Traceback" not in err, f"{what}: {err}"


def test_the_app_has_commands() -> None:
    assert {("import",), ("report",), ("batch",), ("users", "add"), ("audit", "verify")} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_unknown_option(
    env: dict[str, str], path: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, err = _run([*path, "--no-such-option"], capsys, monkeypatch)
    _assert_one_line(code, err, (2,), " ".join(path))


@pytest.mark.parametrize(
    "path", sorted(p for p, c in COMMANDS.items() if any(x.required for x in c.params)), ids=" ".join
)
def test_missing_required_parameters(
    env: dict[str, str], path: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, err = _run(list(path), capsys, monkeypatch)
    _assert_one_line(code, err, (2,), " ".join(path))


BAD_VALUES = [
    ["users", "add", "someone", "--role", "superuser"],
    ["users", "set-role", "someone", "superuser"],
    ["optimise", "--out", "OUT/a.csv", "--budget", "100", "--frontier=-100:100:50"],
    ["optimise", "--out", "OUT/a.csv", "--budget", "100", "--frontier", "0:1e12:1"],
    ["simulate", "--out", "OUT/a.csv", "--sweep", "5"],
    ["simulate", "--out", "OUT/a.csv", "--sweep", "-1"],
    ["analyse", "--out", "OUT"],
    ["analyse", "--out", "/dev/null"],
    ["analyse", "--out", "OUT/missing-folder/a.csv"],
    ["report", "--run", "nope", "--classification", "x", "--out", "OUT"],
    ["report", "--run", "nope", "--classification", "x", "--out", "OUT/r.pdf"],
    ["import", "template", "OUT/no-such-folder"],
    ["import", "nosuchformat", "OUT"],
    ["batch", "OUT/no-such-grid.yaml", "--out", "OUT/batch"],
    ["runs", "show", "nope"],
    ["audit", "list", "--limit", "0"],
]


@pytest.mark.parametrize("args", BAD_VALUES, ids=" ".join)
def test_bad_values_and_files(
    db: Database,
    env: dict[str, str],
    tmp_path: Path,
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from deps.store.models import Run
    from tests.helpers import row_counts

    before = row_counts(db)
    code, err = _run([a.replace("OUT", str(tmp_path)) for a in args], capsys, monkeypatch)
    _assert_one_line(code, err, (1, 2), " ".join(args))
    assert row_counts(db)[Run.__tablename__] == before[Run.__tablename__]  # no run stored
