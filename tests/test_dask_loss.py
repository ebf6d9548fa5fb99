"""A batch on a real Dask cluster that loses its scheduler and worker stops with a message, keeps what it stored,
and the same command on a new cluster solves only the rest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deps.config import load_settings
from deps.ingest.seed import initialise
from deps.services.runs import finished_members, list_runs
from deps.store.db import Database
from tests.conftest import DaskCluster
from tests.helpers import READER

SCENARIOS = 1500


def _batch(path: Path, out: Path, address: str, env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "deps.cli.main", "batch", str(path), "--out", str(out), "--scheduler", address]
    return subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.dask
@pytest.mark.slow
def test_lost_cluster_stops_with_a_message_and_resumes(db: Database, env: dict[str, str], tmp_path: Path) -> None:
    initialise(db, load_settings())
    path = tmp_path / "grid.csv"
    rows = "\n".join(f"s{i:04d},{20 + i},,," for i in range(SCENARIOS))
    path.write_text(f"key,budget_meur,weights,shock,effects\n{rows}\n", encoding="utf-8")
    (tmp_path / "c1").mkdir()
    first = DaskCluster(tmp_path / "c1")
    try:
        first.wait_ready()
        proc = _batch(path, tmp_path / "o1", first.address, env)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not list_runs(db, kind="batch", actor=READER):
            time.sleep(0.2)
        assert proc.poll() is None, "the batch ended before the cluster could be lost; raise SCENARIOS"
        time.sleep(1.0)  # the chunks are on the worker now
        for member in (first.scheduler, first.worker):
            os.kill(member.pid, signal.SIGKILL)
        _out, err = proc.communicate(timeout=240)
    finally:
        first.stop()
    assert proc.returncode == 1, err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "was lost" in lines[0] and "run the same command again" in lines[0], err
    assert "Traceback" not in err
    batch = list_runs(db, kind="batch", actor=READER)[0]
    kept = finished_members(db, batch.id, actor=READER)
    assert batch.status == "running" and len(kept) < SCENARIOS

    (tmp_path / "c2").mkdir()
    second = DaskCluster(tmp_path / "c2")
    try:
        second.wait_ready()
        again = _batch(path, tmp_path / "o2", second.address, env)
        _out, err = again.communicate(timeout=600)
    finally:
        second.stop()
    assert again.returncode == 0, err
    members = list_runs(db, batch_id=batch.id, actor=READER, limit=10 * SCENARIOS)
    assert len(members) == SCENARIOS and len({m.scenario_key for m in members}) == SCENARIOS  # none solved twice
    assert all(finished_members(db, batch.id, actor=READER)[key] == rid for key, rid in kept.items())
