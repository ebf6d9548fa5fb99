"""Safe output paths: folders, devices and pipes refused, no overwrite without --force, atomic writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from deps.errors import OutputPathError
from deps.services.output import check_output, check_output_folder, write_atomically

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check


def test_folders_devices_and_pipes_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to("/dev/null")
    for target, what in ((tmp_path, "a folder"), (Path("/dev/null"), "a device"), (fifo, "a named pipe")):
        with pytest.raises(OutputPathError, match=what):
            write_atomically(target, b"x", force=True)
    with pytest.raises(OutputPathError, match="a device"):
        check_output(link, force=True)
    assert Path("/dev/null").is_char_device() and fifo.is_fifo()


def test_existing_file_needs_force_and_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    write_atomically(out, b"first\n", force=False)
    assert out.read_bytes() == b"first\n" and out.stat().st_mode & 0o777 == 0o600
    with pytest.raises(OutputPathError, match="--force"):
        write_atomically(out, b"second\n", force=False)
    assert out.read_bytes() == b"first\n"
    write_atomically(out, b"second\n", force=True)
    assert out.read_bytes() == b"second\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]  # no temporary file left behind


def test_missing_folder_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="does not exist"):
        check_output(tmp_path / "typo" / "out.csv", force=False)
    with pytest.raises(OutputPathError, match="is not a folder"):
        (tmp_path / "file").write_text("x")
        check_output_folder(tmp_path / "file")
    assert not (tmp_path / "typo").exists()


def test_cli_refuses_a_device_and_a_folder_with_one_line(env: dict[str, str], tmp_path: Path) -> None:
    deps = str(Path(sys.executable).parent / "deps")
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "nodes.csv").write_text("node_id,name,kind\n")
    for target in ("/dev/null", str(tmp_path)):
        done = subprocess.run(
            [deps, "import", "template", str(folder), "--report", target],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            check=False,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith("error: ") and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "not a file" in done.stderr
    assert Path("/dev/null").is_char_device()
