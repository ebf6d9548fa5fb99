"""Shared fixtures: a fresh database per test (SQLite by default, PostgreSQL when DEPS_TEST_DB=postgres)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import settings as hypothesis_settings

from deps.store.db import Database, upgrade

# Speed is measured in benchmarks, not in tests: hypothesis's per-example deadline (200 ms) is a wall-clock check that
# a busy machine fails at random (the first example of tests/test_products.py took 272 ms once in CI, then 1 ms).
hypothesis_settings.register_profile("deps", deadline=None)
hypothesis_settings.load_profile("deps")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _postgres_url() -> str | None:
    return os.environ.get("DEPS_TEST_POSTGRES_URL") or None


def _fresh_postgres_database(base_url: str) -> tuple[str, str]:
    """Create an empty database next to ``base_url``'s; return (its URL, its name)."""
    url = sa.engine.make_url(base_url)
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres_database(base_url: str, name: str) -> None:
    admin = sa.create_engine(sa.engine.make_url(base_url), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def empty_db_url(tmp_path: Path) -> Iterator[str]:
    """URL of a new, empty database (no schema): SQLite in tmp_path, or PostgreSQL with DEPS_TEST_DB=postgres."""
    if os.environ.get("DEPS_TEST_DB") == "postgres":
        base = _postgres_url()
        if base is None:
            pytest.fail("DEPS_TEST_DB=postgres needs DEPS_TEST_POSTGRES_URL")
        url, name = _fresh_postgres_database(base)
        yield url
        _drop_postgres_database(base, name)
    else:
        yield f"sqlite:///{tmp_path / 'deps.sqlite3'}"


@pytest.fixture
def empty_db(empty_db_url: str) -> Iterator[Database]:
    """A handle on a new, empty database (no schema); its connections are closed afterwards."""
    with Database(empty_db_url) as handle:
        yield handle


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A handle on a new database at the newest schema revision, with no data."""
    upgrade(empty_db)
    return empty_db


@pytest.fixture
def db_url(db: Database) -> str:
    """URL of the test database (for the CLI and the app, which open their own handle from DEPS_DATABASE_URL)."""
    return db.url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database; skipped only when DEPS_TEST_POSTGRES_URL is unset."""
    base = _postgres_url()
    if base is None:
        pytest.skip("DEPS_TEST_POSTGRES_URL is unset (CI always sets it)")
    url, name = _fresh_postgres_database(base)
    yield url
    _drop_postgres_database(base, name)


@pytest.fixture
def shared_data() -> Path:
    """The real public datasets beside the project (../shared/data)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment variables pointing the application at the test database."""
    values = {"DEPS_DATABASE_URL": db_url, "DEPS_VAR_DIR": str(tmp_path / "var"), "DEPS_USER": "tester"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


#: ``make pytest`` runs the suite in two phases (see the Makefile): ``skip`` leaves out the page-speed tests (marker
#: ``timing``), ``only`` keeps nothing else; unset, every selected test runs.
TIMING_PHASE = os.environ.get("DEPS_TIMING_PHASE", "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect by ``DEPS_TIMING_PHASE``, on top of any ``-m`` or ``-k`` the caller gives."""
    if TIMING_PHASE not in ("skip", "only"):
        return
    keep = [item for item in items if (item.get_closest_marker("timing") is not None) == (TIMING_PHASE == "only")]
    dropped = [item for item in items if item not in keep]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Keep each phase's report on the item so fixtures can save screenshots of failed browser tests."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DaskCluster:
    """A real ``dask scheduler`` and one ``dask worker`` on 127.0.0.1 (separate processes, so a test can kill them)."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        dask_bin = str(Path(sys.executable).parent / "dask")
        self.port = port or _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        common: dict[str, Any] = {"cwd": str(folder), "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        self.scheduler = subprocess.Popen(
            [dask_bin, "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"], **common
        )
        self.worker = subprocess.Popen(
            [
                *(dask_bin, "worker", self.address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"),
                *("--local-directory", str(folder / "worker")),
            ],
            **common,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        """Return once the scheduler answers and has its worker."""
        from dask.distributed import Client

        deadline = time.monotonic() + timeout
        while True:
            try:
                with Client(self.address, timeout=5, set_as_default=False) as client:
                    client.wait_for_workers(1, timeout=timeout)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop(self) -> None:
        """Terminate both processes (a no-op for one already gone)."""
        for proc in (self.worker, self.scheduler):
            proc.terminate()
        for proc in (self.worker, self.scheduler):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def dask_scheduler(tmp_path: Path) -> Iterator[str]:
    """The address of a real Dask scheduler with one worker, torn down afterwards."""
    cluster = DaskCluster(tmp_path)
    try:
        cluster.wait_ready()
        yield cluster.address
    finally:
        cluster.stop()


@pytest.fixture(autouse=True)
def _keep_main_module() -> Iterator[None]:
    """AppTest runs the app as ``__main__`` and leaves it there; process pools (forkserver/spawn) would then re-run
    the app in every child. Put the real ``__main__`` back after each test."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
