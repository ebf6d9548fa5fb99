"""Property tests: malformed input never escapes as anything but a DataValidationError, and never writes a row.

Every importer (template, cset, baci, wgi, usgs) gets random bytes, truncated files, shuffled or dropped columns and
random cell mutations of small valid inputs.  The small inputs are sampled from the real files in ../shared/data
at test time (the template uses the committed hand-made fixture; USGS: two MCS 2024 tables with glued footnote
letters, e-prefixed values and estimate notes).  Property: the import returns an ImportResult, or raises
DataValidationError with a fix for every problem and leaves every table's row count unchanged.  The label parser
that reads USGS's estimate markers has its own properties at the end.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deps.errors import DataValidationError
from deps.ingest import importer
from deps.ingest.dataset import ImportResult
from deps.ingest.labels import ALIASES, classify_label, country_code, estimate_note, estimate_prefix, parse_quantity
from deps.store.db import Database, upgrade
from tests.helpers import row_counts

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CSET = SHARED / "cset-chip-explorer"
BACI = SHARED / "baci-rawmaterials-2022" / "baci_hs92_2022.csv"
WGI = SHARED / "wgi-political-stability" / "wgi_pv_estimate.csv"
USGS_2024 = SHARED / "usgs-mcs" / "mcs2024_world"
TEMPLATE = Path(__file__).resolve().parent / "fixtures" / "template_small"
MAX_BYTES = 2_000_000

pytestmark = pytest.mark.skipif(
    not (CSET.is_dir() and BACI.is_file() and WGI.is_file() and USGS_2024.is_dir()),
    reason="../shared/data is not present beside the repo",
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
KINDS = ("template", "cset", "baci", "wgi", "usgs")
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


def _build_usgs(base: Path) -> Path:
    """Gallium (Japane, Russiae, "Korea, Republic ofe", "estimated in 2022 also") and sand and gravel ("e3,900")."""
    folder = base / "mcs2024_world"
    folder.mkdir()
    for code in ("galli", "sandi"):
        shutil.copy(USGS_2024 / f"mcs2024-{code}_world.csv", folder)
        shutil.copy(USGS_2024 / f"mcs2024-{code}_meta.xml", folder)
    return folder


BUILDERS = {
    "template": Kind("template", _build_template),
    "cset": Kind("cset", _build_cset),
    "baci": Kind("baci", _build_baci),
    "wgi": Kind("wgi", _build_wgi),
    "usgs": Kind("usgs", _build_usgs),
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


# ---------------------------------------------------------------------------------------------------- label parser
#: Names a label can carry: ISO 3166-1 names without commas or brackets, and the USGS/IEA aliases ("Korea, Republic
#: of", "Congo (Kinshasa)"), so names that end in "e" (France, Ukraine, Zimbabwe, Cote d'Ivoire) are among them.
NAMES = sorted(
    {c.name for c in pycountry.countries if "," not in c.name and "(" not in c.name}
    | {name.title() for name in ALIASES}
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(name=st.sampled_from(NAMES), digit=st.sampled_from(["", "4", "10"]), pad=st.sampled_from(["", " ", "\xa0"]))
def test_a_country_name_is_never_an_estimate(name: str, digit: str, pad: str) -> None:
    """A name as written, with footnote digits or padding, maps to its country and never carries the marker."""
    label = classify_label(f"{pad}{name}{digit}{pad}")
    assert label.kind == "country" and label.iso3 == country_code(name)
    assert not label.estimated


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(name=st.sampled_from(NAMES), digit=st.sampled_from(["", "4"]), qualifier=st.sampled_from(["", ", concentrate"]))
def test_a_glued_e_is_an_estimate_only_where_the_name_without_it_is_a_country(
    name: str, digit: str, qualifier: str
) -> None:
    """``<name>e`` is the country of ``<name>`` marked estimated, unless ``<name>e`` is itself a name."""
    label = classify_label(f"{name}e{qualifier}{digit}")
    assert label.kind == "country"
    if country_code(f"{name}e") is None:
        assert label.iso3 == country_code(name) and label.estimated
    else:  # a real country spelt so: never read as a marker
        assert label.iso3 == country_code(f"{name}e") and not label.estimated
    assert label.qualified == bool(qualifier)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(text=st.text(max_size=40))
def test_any_label_is_classified_without_raising(text: str) -> None:
    label = classify_label(text)
    assert label.kind in {"country", "residual", "total", "unmapped"}
    assert (label.iso3 is not None) == (label.kind == "country")
    assert not label.estimated or label.kind in {"country", "residual"}


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(value=st.integers(0, 10**9), pad=st.sampled_from(["", " "]))
def test_an_e_prefix_marks_the_estimate_and_keeps_the_number(value: int, pad: str) -> None:
    assert estimate_prefix(f"{pad}e{value:,}") and parse_quantity(f"{pad}e{value:,}") == (float(value), None)
    assert not estimate_prefix(f"{value:,}") and not estimate_prefix("e") and not estimate_prefix("estimated")


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(note=st.text(max_size=80), year=st.integers(1990, 2030))
def test_any_note_is_read_without_raising(note: str, year: int) -> None:
    statement = estimate_note(note, year)
    assert statement is None or statement.strip(" .;").lower().split()[0] in {
        "estimated",
        "estimates",
        "also",
        "includes",
        "production",
        "data",
    }


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    named=st.integers(2019, 2026),
    year=st.integers(2019, 2026),
    form=st.sampled_from(
        [
            "Also estimated in {y}",
            "estimated in {y} also",
            "Production in {y} is also estimated.",
            "Includes pegmatites. Production in {y} is also estimated.",
            "estimated {y}",
        ]
    ),
)
def test_a_note_that_names_a_year_marks_that_year_only(named: int, year: int, form: str) -> None:
    assert (estimate_note(form.format(y=named), year) is not None) == (named == year)
    assert estimate_note("Estimated. -- Feldspar only.", year) == "Estimated."
    assert estimate_note("Other countries estimated to still have primary low-purity gallium capacity", year) is None
