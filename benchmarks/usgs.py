"""`python -m benchmarks usgs [--shared PATH] [--repeat N]`: import all four USGS MCS vintages (target: under 30 s).

Runs the complete ``deps import usgs`` path on ``../shared/data/usgs-mcs`` into a fresh SQLite database in a
temporary folder: reading the four layouts, validating every cell, computing shares and writing one dataset version
in one transaction.  Prints the wall time of each repeat, the validation share of it, and the row counts.  Skipped
(with a message) when the shared data are not beside the repository.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

__all__ = ["TARGET_SECONDS", "main"]

TARGET_SECONDS = 30.0
_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks usgs")
    parser.add_argument("--shared", type=Path, default=_ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    folder = args.shared / "usgs-mcs"
    if not folder.is_dir():
        print(f"skipped: {folder} is not present")
        return
    from deps.ingest.usgs import import_usgs, validate_usgs
    from deps.store.db import Database, upgrade

    for attempt in range(1, args.repeat + 1):
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
            upgrade(db)
            start = time.perf_counter()
            validate_usgs(folder, max_bytes=100_000_000)
            validated = time.perf_counter() - start
            start = time.perf_counter()
            with db.session() as session:
                result = import_usgs(folder, session=session, user="bench", max_bytes=100_000_000)
            total = time.perf_counter() - start
            verdict = "met" if total < TARGET_SECONDS else "MISSED"
            print(
                f"run {attempt}: import of 4 vintages {total:.2f} s (validation alone {validated:.2f} s); "
                f"target < {TARGET_SECONDS:.0f} s {verdict}; {dict(result.counts)}"
            )
