"""`python -m benchmarks fusion [--shared PATH] [--repeat N]`: the fused seed+usgs+iea+cset graph analysed (< 2 s).

Into a fresh SQLite database in a temporary folder: the seed as ``deps init`` loads it, then the imports of all four
USGS MCS releases, the IEA Critical Minerals Data Explorer workbook and the CSET/ETO chip explorer folder from
``../shared/data`` (set-up, not timed against the target).  Then, ``--repeat`` times, what ``deps analyse --dataset
seed --with usgs --with iea --with cset`` does before it writes the run record: read and fuse the frames
(:func:`deps.services.analysis.load_graph_inputs`, split into its provision reads and the fusion) and run the
engine (:func:`supplychain.analysis.analyse`).  Prints the wall time of each repeat and of each step, the target
and whether it was met.  Skipped (with a message) when the shared data are not beside the repository.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["FUSED", "TARGET_SECONDS", "main"]

TARGET_SECONDS = 2.0
FUSED = "seed+usgs+iea+cset"
_ROOT = Path(__file__).resolve().parent.parent
_IEA_FILE = Path("iea-critical-minerals-2024") / "CM_Data_Explorer May 2024 (2).xlsx"
_MAX_BYTES = 100_000_000


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its lines."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks fusion")
    parser.add_argument("--shared", type=Path, default=_ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dataset", default=FUSED, help=f"the fused dataset name (default {FUSED})")
    args = parser.parse_args(argv)
    inputs = {
        "usgs": args.shared / "usgs-mcs",
        "iea": args.shared / _IEA_FILE,
        "cset": args.shared / "cset-chip-explorer",
    }
    missing = [str(p) for p in inputs.values() if not p.exists()]
    if missing:
        print(f"skipped: {', '.join(missing)} not present")
        return
    with tempfile.TemporaryDirectory() as tmp, _environment(tmp):
        from deps.access.auth import Actor
        from deps.config import load_settings
        from deps.ingest import import_file
        from deps.ingest.seed import initialise
        from deps.store.db import open_database

        settings = load_settings()
        db = open_database(settings)
        actor = Actor("cli:bench", "admin")
        try:
            start = time.perf_counter()
            initialise(db, settings)
            for fmt, path in inputs.items():
                import_file(db, settings, actor, fmt, path)
            print(f"set-up (seed load, imports of USGS 2023-2026, IEA, CSET): {time.perf_counter() - start:.1f} s")
            for attempt in range(1, args.repeat + 1):
                _repeat(attempt, db, settings, actor, args.dataset)
        finally:
            db.dispose()


def _repeat(attempt: int, db: Any, settings: Any, actor: Any, dataset: str) -> None:
    from deps.services import analysis as service
    from deps.store import queries
    from supplychain.analysis import analyse

    steps = {"provision reads": 0.0, "fusion": 0.0}
    with (
        _timed(queries, "provision_frame", steps, "provision reads", service),
        _timed(service, "fuse_provision", steps, "fusion"),
    ):
        start = time.perf_counter()
        inputs = service.load_graph_inputs(db, dataset, actor=actor, settings=settings)
        loaded = time.perf_counter() - start
    start = time.perf_counter()
    analyse(inputs.nodes, inputs.edges, inputs.provision, inputs.countries, thresholds=settings.thresholds)
    engine = time.perf_counter() - start
    total = loaded + engine
    fusion = inputs.fusion
    assert fusion is not None
    cset = fusion.evidence[fusion.evidence["source"].eq("cset")]
    verdict = "met" if total < TARGET_SECONDS else "MISSED"
    print(
        f"run {attempt}: {total:.2f} s (load_graph_inputs {loaded:.2f} s, of which provision reads "
        f"{steps['provision reads']:.2f} s and fusion {steps['fusion']:.2f} s; analyse {engine:.2f} s); "
        f"target < {TARGET_SECONDS:.0f} s {verdict}; {len(inputs.provision)} provision rows, "
        f"{len(fusion.evidence)} source blocks ({len(cset)} from CSET), {len(fusion.conflicts)} conflicts; "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )


@contextmanager
def _timed(module: Any, name: str, steps: dict[str, float], step: str, *also: Any) -> Iterator[None]:
    """Add the wall time of every call of ``module.name`` (and of the same function bound in ``also``) to ``steps``."""
    original: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            steps[step] += time.perf_counter() - start

    holders = [m for m in (module, *also) if getattr(m, name, None) is original]
    for holder in holders:
        setattr(holder, name, wrapper)
    try:
        yield
    finally:
        for holder in holders:
            setattr(holder, name, original)


@contextmanager
def _environment(folder: str) -> Iterator[None]:
    """``DEPS_VAR_DIR`` and ``DEPS_DATABASE_URL`` pointing at ``folder`` while the benchmark runs."""
    saved = {k: os.environ.get(k) for k in ("DEPS_VAR_DIR", "DEPS_DATABASE_URL", "DEPS_USER")}
    os.environ.update(
        {
            "DEPS_VAR_DIR": folder,
            "DEPS_DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
            "DEPS_USER": "bench",
        }
    )
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
