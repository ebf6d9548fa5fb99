"""Docs that cannot go stale: every setting and every CLI command is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deps.cli.main import app
from deps.config import SETTINGS, THRESHOLD_SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    names: list[str] = []
    for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        if sub:
            names.extend(f"deps {name} {s}" for s in sorted(sub))
        else:
            names.append(f"deps {name}")
    return names


@pytest.mark.parametrize("env", [s.env for s in (*SETTINGS, *THRESHOLD_SETTINGS)])
def test_setting_is_documented(env: str) -> None:
    assert re.search(rf"`{env}`", README), f"{env} is not documented in README.md (write it as `{env}`)"


@pytest.mark.parametrize("command", _commands())
def test_command_is_documented(command: str) -> None:
    assert f"`{command}" in README, f"{command!r} is not documented in README.md"


def test_readme_shows_the_two_commands() -> None:
    assert "make app" in README and "make test" in README
