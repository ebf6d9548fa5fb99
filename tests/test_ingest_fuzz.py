"""Property tests: malformed input never escapes as anything but a DataValidationError, and never writes a row.

Every importer (template, cset, baci, wgi) gets random bytes, truncated files, shuffled or dropped columns and
random cell mutations of small valid inputs.  The small inputs are sampled from the real files in ../shared/data
at test time (the template uses the committed hand-made fixture).  Property: the import returns an ImportResult,
or raises DataValidationError with a fix for every problem and leaves every table's row count unchanged.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deps.errors import DataValidationError
from deps.ingest import importer
from deps.ingest.dataset import ImportResult
from deps.store.db import Database, upgrade
from tests.helpers import row_counts

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CSET = SHARED / "cset-chip-explorer"
BACI = SHARED / "baci-rawmaterials-2022" / "baci_hs92_2022.csv"
WGI = SHARED / "wgi-political-stability" / "wgi_pv_estimate.csv"
TEMPLATE = Path(__file__).resolve().parent / "fixtures" / "template_small"
MAX_BYTES = 2_000_000

pytestmark = pytest.mark.skipif(
    not (CSET.is_dir() and BACI.is_file() and WGI.is_file()), reason="../shared/data is not present beside the repo"
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
KINDS = ("template", "cset", "baci", "wgi")
#: Cell values that probe the checks: blanks, missing markers, bounds, unknown ids, odd numbers and text.
TRICKY = st.sampled_from(
    ["", " ", "nan", "None", "-1", "101", "1e999", "inf", "0x1A", "3,5", "XXX", "N20", "P1", "S19", "2022", "é", '"']
)
CELLS = st.one_of(TRICKY, st.text(max_size=12))


# ---------------------------------------------------------------------------------------------------- inputs
def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _sample_cset(target: Path) -> None:
    """A small consistent CSET folder: eight inputs, the stages, and every row that refers only to them."""
    keep = {"N8", "N9", "N26", "N19", "N20", "N21", "N31", "N99", "S1", "S2", "S3"}
    inputs = _rows(CSET / "inputs.csv")
    _write(target / "inputs.csv", [inputs[0], *[r for r in inputs[1:] if r[0] in keep]])
    shutil.copy(CSET / "stages.csv", target / "stages.csv")
    sequence = _rows(CSET / "sequence.csv")
    head = sequence[0]
    src, into, kind = head.index("input_id"), head.index("goes_into_id"), head.index("is_type_of_id")
    _write(
        target / "sequence.csv",
        [head, *[r for r in sequence[1:] if r[src] in keep and (r[into] or r[kind]) in keep]],
    )
    provision = _rows(CSET / "provision.csv")
    head = provision[0]
    provided, provider = head.index("provided_id"), head.index("provider_id")
    kept = [r for r in provision[1:] if r[provided] in keep]
    _write(target / "provision.csv", [head, *kept])
    used = {r[provider] for r in kept}
    providers = _rows(CSET / "providers.csv")
    pid = providers[0].index("provider_id")
    _write(target / "providers.csv", [providers[0], *[r for r in providers[1:] if r[pid] in used]])


def _sample_lines(source: Path, target: Path, step: int) -> None:
    lines = source.read_text(encoding="utf-8").splitlines()
    target.write_text("\n".join([lines[0], *lines[1::step]]) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Kind:
    """How to build a small valid input of one format, and where its files are."""

    name: str
    build: Callable[[Path], Path]

    def files(self, path: Path) -> list[Path]:
        return sorted(path.glob("*.csv")) if path.is_dir() else [path]


def _build_template(base: Path) -> Path:
    shutil.copytree(TEMPLATE, base / "tpl")
    return base / "tpl"


def _build_cset(base: Path) -> Path:
    (base / "cset").mkdir()
    _sample_cset(base / "cset")
    return base / "cset"


def _build_baci(base: Path) -> Path:
    _sample_lines(BACI, base / "baci.csv", step=1500)  # 36 flows
    return base / "baci.csv"


def _build_wgi(base: Path) -> Path:
    _sample_lines(WGI, base / "wgi.csv", step=12)  # 19 economies
    return base / "wgi.csv"


BUILDERS = {
    "template": Kind("template", _build_template),
    "cset": Kind("cset", _build_cset),
    "baci": Kind("baci", _build_baci),
    "wgi": Kind("wgi", _build_wgi),
}


# ---------------------------------------------------------------------------------------------------- property


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Path]]:
    """One database for the module (import failures must leave it unchanged) and a folder for inputs."""
    base = tmp_path_factory.mktemp("fuzz")
    db = Database("sqlite:///" + str(base / "fuzz.sqlite3"))
    upgrade(db)
    yield db, base


def _import_holds(kind: str, path: Path, db: Database) -> None:
    """The property: a clean result, or a DataValidationError with nothing written."""
    before = row_counts(db)
    try:
        with db.session() as session:
            result = importer(kind)(
                path, session=session, dataset=f"fuzz-{kind}", user="fuzz", max_bytes=MAX_BYTES, share_tolerance=0.02
            )
    except DataValidationError as exc:
        assert exc.problems, "a validation error must carry its problems"
        assert all(p.file and p.problem and p.fix for p in exc.problems)
        assert row_counts(db) == before
        return
    assert isinstance(result, ImportResult)


def _fresh(base: Path, kind: str) -> Path:
    return BUILDERS[kind].build(Path(tempfile.mkdtemp(dir=base)))


@pytest.mark.parametrize("kind", KINDS)
def test_small_samples_are_valid(workspace: tuple[Database, Path], kind: str) -> None:
    """The starting points of the fuzzing import cleanly (so mutations, not the samples, cause the errors)."""
    db, base = workspace
    path = _fresh(base, kind)
    with db.session() as session:
        result = importer(kind)(
            path, session=session, dataset=f"sample-{kind}", user="fuzz", max_bytes=MAX_BYTES, share_tolerance=0.02
        )
    assert sum(v for k, v in result.counts.items() if k != "countries_added") > 0


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
def test_random_bytes(workspace: tuple[Database, Path], kind: str, data: st.DataObject) -> None:
    db, base = workspace
    path = _fresh(base, kind)
    files = BUILDERS[kind].files(path)
    target = data.draw(st.sampled_from(files))
    raw = data.draw(st.binary(max_size=2000))
    target.write_bytes(raw)
    _import_holds(kind, path, db)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
def test_truncated_files(workspace: tuple[Database, Path], kind: str, data: st.DataObject) -> None:
    db, base = workspace
    path = _fresh(base, kind)
    if kind == "wgi":  # the whole real file is small enough to cut anywhere
        shutil.copy(WGI, path)
    target = data.draw(st.sampled_from(BUILDERS[kind].files(path)))
    raw = target.read_bytes()
    target.write_bytes(raw[: data.draw(st.integers(0, len(raw)))])
    _import_holds(kind, path, db)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
def test_shuffled_and_dropped_columns(workspace: tuple[Database, Path], kind: str, data: st.DataObject) -> None:
    db, base = workspace
    path = _fresh(base, kind)
    target = data.draw(st.sampled_from(BUILDERS[kind].files(path)))
    rows = _rows(target)
    width = len(rows[0])
    order = data.draw(st.permutations(range(width)))
    keep = order[: data.draw(st.integers(0, width))]
    _write(target, [[row[i] for i in keep] for row in rows])
    _import_holds(kind, path, db)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
def test_random_cell_mutations(workspace: tuple[Database, Path], kind: str, data: st.DataObject) -> None:
    db, base = workspace
    path = _fresh(base, kind)
    target = data.draw(st.sampled_from(BUILDERS[kind].files(path)))
    rows = _rows(target)
    for _ in range(data.draw(st.integers(1, 4))):
        r = data.draw(st.integers(0, len(rows) - 1))
        c = data.draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = data.draw(CELLS)
    if data.draw(st.booleans()):  # duplicate a row too: repeated ids, flows and codes
        rows.append(list(rows[data.draw(st.integers(1, len(rows) - 1))]))
    _write(target, rows)
    _import_holds(kind, path, db)


@pytest.mark.parametrize("kind", ["template", "cset", "baci", "wgi"])
def test_zip_content_under_a_csv_name(workspace: tuple[Database, Path], kind: str) -> None:
    """Found by the random-bytes property: a file that starts like a ZIP archive but is named .csv."""
    db, base = workspace
    path = _fresh(base, kind)
    BUILDERS[kind].files(path)[0].write_bytes(b"PK\x03\x04" + bytes(60))
    with pytest.raises(DataValidationError, match="XLSX workbook"):
        _import_holds_or_raise(kind, path, db)


def _import_holds_or_raise(kind: str, path: Path, db: Database) -> ImportResult:
    before = row_counts(db)
    try:
        with db.session() as session:
            return importer(kind)(
                path, session=session, dataset=f"fuzz-{kind}", user="fuzz", max_bytes=MAX_BYTES, share_tolerance=0.02
            )
    finally:
        assert row_counts(db) == before
