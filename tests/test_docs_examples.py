"""Every example in docs/ runs: the Python blocks (with Sybil) and every `deps ...` shell command.

- Each fenced ``python`` block of ``docs/**/*.md`` is executed in order, one namespace per page; blocks written as
  ``>>>`` sessions are checked like doctests, so a changed result fails here.
- Each ``deps ...`` line of a ``console``/``sh``/``shell``/``bash`` block must name a real command of the CLI, and
  every ``--option`` it uses must exist on that command.
- ``mkdocs build --strict`` succeeds and the built pages load no script or stylesheet from the network.
"""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest
import typer.main
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

from deps.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
SHELL_BLOCK = re.compile(r"^```(?:console|sh|shell|bash)\n(.*?)^```", re.MULTILINE | re.DOTALL)
ENV_PREFIX = re.compile(r"^[A-Z_][A-Z0-9_]*=")

_SYBIL = Sybil(
    parsers=[PythonCodeBlockParser(doctest_optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)],
    path=str(DOCS),
    patterns=["*.md"],
)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_docs_have_pages_and_examples() -> None:
    assert DOCS / "index.md" in PAGES
    assert sum(len(list(_SYBIL.parse(p))) for p in PAGES) >= 20, "the docs lost most of their runnable examples"


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_python_examples_run(page: Path) -> None:
    document = _SYBIL.parse(page)
    for example in document:
        example.evaluate()


def deps_commands(text: str) -> list[list[str]]:
    """The argument lists of every ``deps`` command in the shell blocks of a Markdown text."""
    commands = []
    for block in SHELL_BLOCK.findall(text):
        for raw in block.splitlines():
            line = raw.strip()
            line = line[1:].strip() if line.startswith("$") else line
            line = line.split(" #", 1)[0].strip()
            words = shlex.split(line) if line else []
            while words and ENV_PREFIX.match(words[0]):
                words.pop(0)
            if words and words[0] == "deps":
                commands.append(words[1:])
    return commands


def check_command(args: list[str]) -> str | None:
    """``None`` when ``deps ARGS`` names a real command whose options all exist, else what is wrong."""
    command = typer.main.get_command(app)
    path = ["deps"]
    rest = list(args)
    while isinstance(getattr(command, "commands", None), dict):  # a group (typer ships its own click)
        if not rest or rest[0].startswith("-"):
            return f"{' '.join(path)} needs a subcommand"
        name = rest.pop(0)
        sub = command.commands.get(name)  # type: ignore[attr-defined]
        if sub is None:
            return f"{' '.join(path)} has no command {name!r}"
        command, path = sub, [*path, name]
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    for word in rest:
        option = word.split("=", 1)[0]
        if option.startswith("--") and option not in known:
            return f"{' '.join(path)} has no option {option}"
    return None


SHELL_COMMANDS = [(page, args) for page in PAGES for args in deps_commands(page.read_text(encoding="utf-8"))]


@pytest.mark.parametrize(
    ("page", "args"), SHELL_COMMANDS, ids=[f"{_rel(p)}: deps {' '.join(a)}" for p, a in SHELL_COMMANDS]
)
def test_shell_examples_name_real_commands(page: Path, args: list[str]) -> None:
    problem = check_command(args)
    assert problem is None, f"{_rel(page)}: `deps {' '.join(args)}`: {problem}"


def test_docs_show_shell_examples() -> None:
    assert len(SHELL_COMMANDS) >= 10


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["analyse", "--out", "x.csv"], None),
        (["analyze", "--out", "x.csv"], "deps has no command 'analyze'"),
        (["analyse", "--outfile", "x.csv"], "deps analyse has no option --outfile"),
        (["runs"], "deps runs needs a subcommand"),
    ],
)
def test_command_checker_catches_mistakes(args: list[str], expected: str | None) -> None:
    assert check_command(args) == expected


def test_shell_blocks_are_found() -> None:
    text = "```console\n$ DEPS_X=1 deps screen --out f.csv  # note\n$ ls\n```\n"
    assert deps_commands(text) == [["screen", "--out", "f.csv"]]


def test_site_builds_strict_and_offline(tmp_path: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site = tmp_path / "site"
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site), strict=True)
    build(config)
    pages = list(site.rglob("*.html"))
    assert len(pages) >= len(PAGES)
    remote = re.compile(r"<(?:script|link|img)\b[^>]*(?:src|href)=\"(?:https?:)?//", re.IGNORECASE)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        anchors_ok = [m.group(0) for m in remote.finditer(html) if not m.group(0).lower().startswith("<a")]
        assert not anchors_ok, f"{page.name} loads {anchors_ok[0]} from the network"
