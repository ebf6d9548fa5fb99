"""No dangling references: the code and the docs cite only documents that are in the repository.

The design notes the project started from (METHODS, ARCHITECTURE, PERFORMANCE, LIBRARY-NOTES) are not part of a
clone; their content lives in docs/. Every ``docs/...`` path named in a tracked file must exist.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OLD_NOTES = re.compile(r"\b(?:METHODS|ARCHITECTURE|PERFORMANCE|LIBRARY-NOTES)(?:\.md)?\b")
DOCS_PATH = re.compile(r"\bdocs/[\w/.-]*[\w/]")
TEXT_SUFFIXES = {".py", ".md", ".csv", ".j2", ".toml", ".yml", ".yaml", ".ini", ".cfg", ".txt", ".mako", ""}


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        files = [ROOT / line for line in out.splitlines()]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (e.g. an unpacked sdist)
        files = [p for p in ROOT.rglob("*") if ".venv" not in p.parts and ".git" not in p.parts]
    me = Path(__file__).resolve()
    return sorted(p for p in files if p.is_file() and p.suffix in TEXT_SUFFIXES and p.resolve() != me)


FILES = _tracked_files()


def dangling(text: str) -> list[str]:
    """References in ``text`` to the old design notes, or to a docs/ path that does not exist."""
    found = [m.group(0) for m in OLD_NOTES.finditer(text)]
    for match in DOCS_PATH.finditer(text):
        path = match.group(0).rstrip(".")
        if not (ROOT / path).exists():
            found.append(path)
    return found


def test_files_are_found() -> None:
    assert any(p.name == "README.md" for p in FILES) and any(p.suffix == ".py" for p in FILES)


def test_no_dangling_reference() -> None:
    bad = {}
    for path in FILES:
        found = dangling(path.read_text(encoding="utf-8", errors="replace"))
        if found:
            bad[str(path.relative_to(ROOT))] = found
    assert not bad, f"dangling references (point to the matching page under docs/ instead): {bad}"


def test_checker_sees_old_notes_and_missing_pages() -> None:
    assert dangling("see METHODS.md section 4 and PERFORMANCE.md") == ["METHODS.md", "PERFORMANCE.md"]
    assert dangling("see docs/methods/nowhere.md.") == ["docs/methods/nowhere.md"]
    assert dangling("see docs/methods/concentration.md and docs/methods/.") == []
