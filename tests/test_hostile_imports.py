"""The hostile corpus: every file is refused cleanly by ``deps import`` under 1 GB of memory and 10 s of CPU.

Each import runs in its own process with ``RLIMIT_AS`` = 1 GB and ``RLIMIT_CPU`` = 10 s (the CPU time includes
the start of the CLI, about 1-2 s; the wall clock is only a backstop, since the test machine may be shared).  A
clean refusal is exit code 1 with a problem report (never "internal error" or a traceback), no row written anywhere
(every table's row count unchanged) and exactly one new ``import_rejected`` audit entry.  The figures (files,
refused cleanly, worst CPU time, worst memory) go to ``test-artifacts/hostile-corpus.txt``.  Besides, each refusal
made in this process (warm, as the app's Data upload makes it) takes under 2 s of CPU time.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from deps.store.db import Database
from tests.helpers import row_counts
from tests.hostile import CORPUS

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

LIMIT_BYTES = 1 << 30
LIMIT_SECONDS = 10
REFUSE_SECONDS = 2.0

WALL_SECONDS = 120  # only a backstop for a process that hangs without using CPU (the machine may be busy)


def _limits() -> None:
    """In the child, before ``exec``: 1 GB of address space and 10 s of CPU time."""
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (LIMIT_SECONDS, LIMIT_SECONDS))


def _rejected(url: str) -> int:
    with sa.create_engine(url, poolclass=sa.pool.NullPool).connect() as conn:
        query = sa.text("SELECT count(*) FROM audit_event WHERE action = 'import_rejected'")
        return int(conn.execute(query).scalar_one())


def _run_limited(fmt: str, path: Path, logs: Path, env: dict[str, str]) -> tuple[int, str, float, float]:
    """Run ``deps import FMT PATH`` under the limits; return exit code, stderr, CPU seconds and peak RSS (MiB)."""
    deps = str(Path(sys.executable).parent / "deps")
    child_env = {**os.environ, **env, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    with (logs / "out").open("w") as out, (logs / "err").open("w") as err:
        proc = subprocess.Popen(
            [deps, "import", fmt, str(path)], stdout=out, stderr=err, env=child_env, preexec_fn=_limits
        )
        deadline = time.monotonic() + WALL_SECONDS
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, (logs / "err").read_text(), usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def test_every_hostile_file_is_refused_cleanly_within_limits(
    db: Database, env: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    before = row_counts(db)
    figures: list[tuple[str, float, float]] = []
    for number, (name, build) in enumerate(CORPUS.items()):
        folder = tmp_path / f"case{number}"
        folder.mkdir()
        fmt, path = build(folder)
        audited = _rejected(db_url)
        code, message, seconds, peak_mib = _run_limited(fmt, path, folder, env)
        assert code == 1, f"{name}: exit {code}: {message[-500:]}"
        assert "problem(s); nothing was written" in message, f"{name}: {message[-500:]}"
        assert "internal error" not in message and "Traceback" not in message, f"{name}: {message[-500:]}"
        assert _rejected(db_url) == audited + 1, f"{name}: no import_rejected audit entry"
        assert row_counts(db) == {**before, "audit_event": before["audit_event"] + audited + 1}, name
        figures.append((name, seconds, peak_mib))
    worst_time = max(figures, key=lambda f: f[1])
    worst_memory = max(figures, key=lambda f: f[2])
    summary = (
        f"hostile corpus: {len(CORPUS)} files, {len(figures)} refused cleanly; worst CPU time {worst_time[1]:.2f} s "
        f"({worst_time[0]}), worst peak memory {worst_memory[2]:.0f} MiB ({worst_memory[0]})\n"
    )
    lines = "".join(f"{n}\t{t:.2f} s CPU\t{m:.0f} MiB\n" for n, t, m in figures)
    artifacts = Path(__file__).resolve().parents[1] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "hostile-corpus.txt").write_text(summary + lines, encoding="utf-8")
    sys.stdout.write("\n" + summary)
    assert len(figures) == len(CORPUS)


@pytest.mark.parametrize("name", list(CORPUS))
def test_refusal_is_fast_and_names_the_file(db: Database, env: dict[str, str], tmp_path: Path, name: str) -> None:
    """The same refusals through the service the CLI and the app share, timed in a warm process."""
    from deps.access.auth import Actor
    from deps.config import load_settings
    from deps.errors import DataValidationError
    from deps.ingest import import_file

    fmt, path = CORPUS[name](tmp_path)
    started = time.process_time()  # CPU time: a busy machine stretches the wall clock, not the work done
    with pytest.raises(DataValidationError) as raised:
        import_file(db, load_settings(), Actor("hostile-admin", "admin"), fmt, path)
    elapsed = time.process_time() - started
    assert elapsed < REFUSE_SECONDS, f"{name}: refused after {elapsed:.2f} s of CPU time"
    first = raised.value.problems[0]
    assert first.file and first.problem and first.fix
    assert "nodes.csv" not in first.file or path.is_dir(), f"{name}: reported against {first.file}"
