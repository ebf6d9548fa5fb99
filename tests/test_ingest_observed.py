"""USGS, IEA and FDA importers: golden results on the real files, the label cleaner, and one test per bad input."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deps.errors import DataValidationError
from deps.ingest.eucrm import REFERENCE_YEAR, validate_eucrm
from deps.ingest.fda import BASIS_NOTE, validate_fda_sites
from deps.ingest.iea import validate_iea
from deps.ingest.labels import classify_label, parse_quantity
from deps.ingest.usgs import RECONCILE_TOLERANCE, reconciliation, validate_usgs

MAX = 50_000_000
IEA_FILE = Path("iea-critical-minerals-2024") / "CM_Data_Explorer May 2024 (2).xlsx"
WIDE_HEADER = "Source,Country,Type,Prod_kg_2021,Prod_kg_est_2022,Prod_notes\n"


@pytest.fixture(scope="module")
def usgs(shared_data_module: Path):  # type: ignore[no-untyped-def]
    return validate_usgs(shared_data_module / "usgs-mcs", max_bytes=MAX)


@pytest.fixture(scope="module")
def shared_data_module() -> Path:
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


# ---------------------------------------------------------------------------------------------------- golden
# China's primary low-purity gallium production and the world total, as each vintage publishes them (kg), and the
# evidence USGS gives the figure: MCS 2023 (2021, "Reported production in 2021."), MCS 2024 (2022, note "estimated
# in 2022 also"; "Japane"-style footnote labels), MCS 2025 (2023, note "Estimated from China Nonferrous Metals
# Industry Association article."), MCS 2026 (2024, Windows-1252; note "Source: Asian Metal Ltd.", no estimate).
GALLIUM_CHINA = {
    "USGS MCS 2023": (2021, 423_000, 434_000, "observed"),
    "USGS MCS 2024": (2022, 600_000, 610_000, "estimated"),
    "USGS MCS 2025": (2023, 621_000, 633_000, "estimated"),
    "USGS MCS 2026": (2024, 839_000, 848_000, "observed"),
}


@pytest.mark.parametrize("vintage", sorted(GALLIUM_CHINA))
def test_gallium_china_share_in_each_vintage(usgs, vintage: str) -> None:  # type: ignore[no-untyped-def]
    year, china, world, evidence = GALLIUM_CHINA[vintage]
    p = usgs.provision
    row = p[
        p["node"].eq("gallium:primary-production")
        & p["basis"].eq("production")
        & p["vintage"].eq(vintage)
        & p["year"].eq(year)
        & p["iso3"].eq("CHN")
    ]
    assert len(row) == 1
    assert row["share"].iloc[0] == pytest.approx(china / world, abs=1e-9)
    assert row["evidence"].iloc[0] == evidence
    assert row["quantity"].iloc[0] == china


def test_gallium_mcs2024_estimate_markers(usgs) -> None:  # type: ignore[no-untyped-def]
    """mcs2024-galli_world.csv checked by hand: every 2022 producer but the USA is an estimate."""
    p = usgs.provision
    table = p[
        p["node"].eq("gallium:primary-production")
        & p["basis"].eq("production")
        & p["vintage"].eq("USGS MCS 2024")
        & p["year"].eq(2022)
    ].set_index("iso3")
    # "Japane", "Korea, Republic ofe", "Russiae" (footnote e) with Prod_notes "estimated in 2022 also"
    for iso3, label in (("JPN", "Japane"), ("KOR", "Korea, Republic ofe"), ("RUS", "Russiae")):
        assert table.loc[iso3, "evidence"] == "estimated"
        assert f"footnote e on the label {label!r}" in table.loc[iso3, "note"]
        assert "note 'estimated in 2022 also'" in table.loc[iso3, "note"]
    # China: no letter, but the same note; the USA (0 kg, no note) and "Other countries4" (0 kg) stay observed
    assert table.loc["CHN", "evidence"] == "estimated"
    assert table.loc["USA", "evidence"] == "observed"
    assert table.loc["", "evidence"] == "observed" and table.loc["", "supplier_type"] == "residual"
    # the letter is not a qualifier: Korea's label maps unqualified to KOR, its share 2,000 of 610,000 kg
    assert table.loc["KOR", "share"] == pytest.approx(2_000 / 610_000)
    # MCS 2023's 2021 column has no marker for these rows: observed
    earlier = p[
        p["node"].eq("gallium:primary-production")
        & p["vintage"].eq("USGS MCS 2023")
        & p["year"].eq(2021)
        & p["iso3"].isin(["JPN", "KOR", "RUS"])
    ]
    assert set(earlier["evidence"]) == {"observed"} and len(earlier) == 3
    # MCS 2026 notes each figure: Japan and Russia 2024 "Estimated.", China 2024 "Source: Asian Metal Ltd." (observed)
    latest = p[
        p["node"].eq("gallium:primary-production")
        & p["basis"].eq("production")
        & p["vintage"].eq("USGS MCS 2026")
        & p["year"].eq(2024)
    ].set_index("iso3")
    assert latest.loc[["JPN", "RUS"], "evidence"].tolist() == ["estimated", "estimated"]
    assert latest.loc["CHN", "evidence"] == "observed"
    # an e before the number (mcs2024-sandi_world.csv: Argentina "e3,900" thousand tons in 2022)
    sand = p[
        p["node"].str.startswith("sand-and-gravel-industrial:")
        & p["vintage"].eq("USGS MCS 2024")
        & p["year"].eq(2022)
        & p["iso3"].eq("ARG")
    ]
    assert sand["quantity"].tolist() == [3_900] and sand["evidence"].tolist() == ["estimated"]
    assert "value 'e3,900'" in sand["note"].iloc[0]


def test_usgs_evidence_per_row_from_every_marker(tmp_path: Path) -> None:
    """Hand-checked rows: a glued-e label, a real name ending in e, an e-prefixed value, a plain value, a note."""
    body = (
        "MCS2023,Japane,Primary production,100,110,\n"  # footnote e: both years estimated
        "MCS2023,Ukraine,Primary production,200,210,\n"  # a name that ends in e: observed in 2021
        'MCS2023,China,Primary production,"e300",310,\n'  # e prefix: 2021 estimated, read as 300
        "MCS2023,France,Primary production,400,410,\n"  # plain: observed in 2021
        "MCS2023,Chile,Primary production,500,510,Production in 2021 is also estimated.\n"
        "MCS2023,Greece,Primary production,600,610,Other countries estimated to still have capacity\n"
        "MCS2023,World total (rounded),Primary production,2100,2160,\n"
    )
    p = validate_usgs(_wide(tmp_path, body), max_bytes=MAX).provision
    first = p[p["year"].eq(2021)].set_index("iso3")
    assert first["evidence"].to_dict() == {
        "JPN": "estimated",
        "UKR": "observed",
        "CHN": "estimated",
        "FRA": "observed",
        "CHL": "estimated",
        "GRC": "observed",  # the note speaks of other countries, not of this figure
    }
    assert first.loc["CHN", "quantity"] == 300 and first.loc["CHN", "share"] == pytest.approx(300 / 2100)
    assert "value 'e300'" in first.loc["CHN", "note"]
    assert "footnote e on the label 'Japane'" in first.loc["JPN", "note"]
    assert "USGS estimate" not in first.loc["UKR", "note"] and "USGS estimate" not in first.loc["FRA", "note"]
    # the vintage's est column stays estimated for every row
    assert set(p.loc[p["year"].eq(2022), "evidence"]) == {"estimated"}


def test_gallium_world_total_reconciles_in_every_vintage(usgs) -> None:  # type: ignore[no-untyped-def]
    checks = reconciliation(usgs.checks, commodity="gallium")
    production = checks[checks["measure"].eq("production")]
    assert sorted(production["vintage"].unique()) == [2023, 2024, 2025, 2026]
    assert production["reconciles"].all()
    assert (production["relative_gap"].abs() <= RECONCILE_TOLERANCE).all()


def test_usgs_markers_are_unknown_never_zero(usgs) -> None:  # type: ignore[no-untyped-def]
    p = usgs.provision
    # MCS 2026 writes the USA's gallium production as an em dash: a supplier with an unknown share
    usa = p[p["node"].eq("gallium:primary-production") & p["vintage"].eq("USGS MCS 2026") & p["iso3"].eq("USA")]
    assert usa["share"].isna().all() and len(usa) == 2
    assert "zero or none" in usa["note"].iloc[0]
    withheld = p[p["note"].str.startswith("withheld")]
    assert len(withheld) > 0 and withheld["share"].isna().all()


def test_usgs_residual_and_typo_and_unmapped_labels(usgs) -> None:  # type: ignore[no-untyped-def]
    p = usgs.provision
    residual = p[p["node"].eq("gallium:primary-production") & p["vintage"].eq("USGS MCS 2023")]
    residual = residual[residual["supplier_type"].eq("residual") & residual["basis"].eq("capacity")]
    assert residual["share"].iloc[0] == pytest.approx(73_000 / 874_000)
    assert residual["iso3"].iloc[0] == ""
    assert "germanium" in {n.split(":")[0] for n in usgs.nodes["code"]}  # "Gemanium" (MCS 2025) joins germanium
    assert not any(code.startswith("gemanium") for code in usgs.nodes["code"])
    assert any("United States and Canada" in note for note in usgs.notes)
    # shares of one table never add up to more than 1
    sums = p.groupby(["node", "basis", "year", "vintage"])["share"].sum()
    assert (sums <= 1 + 1e-9).all()


def test_iea_cobalt_refining_and_projections(shared_data_module: Path) -> None:
    valid = validate_iea(shared_data_module / IEA_FILE, max_bytes=MAX)
    p = valid.provision
    china = p[p["node"].eq("cobalt:refining") & p["year"].eq(2023) & p["iso3"].eq("CHN")]
    assert china["share"].iloc[0] == pytest.approx(171.7 / 223.8)
    assert china["evidence"].iloc[0] == "observed" and china["basis"].iloc[0] == "refinery"
    assert set(p.loc[p["year"].gt(2023), "evidence"]) == {"projected"}
    assert set(p.loc[p["year"].eq(2023), "evidence"]) == {"observed"}
    rest = p[p["node"].eq("cobalt:refining") & p["year"].eq(2023) & p["supplier_type"].eq("residual")]
    assert rest["share"].iloc[0] == pytest.approx(20.8 / 223.8)
    assert len(valid.nodes) == 12


def test_fda_api_sites_by_country(shared_data_module: Path) -> None:
    valid = validate_fda_sites(shared_data_module / "fda-decrs-sites" / "fda_decrs_sites.csv", max_bytes=MAX)
    p = valid.provision.set_index("iso3")
    assert p.loc["USA", "quantity"] == 539 and p.loc["IND", "quantity"] == 527 and p.loc["CHN", "quantity"] == 499
    assert p["quantity"].sum() == 2452
    assert set(p["basis"]) == {"sites"} and set(p["note"]) == {BASIS_NOTE}
    assert p.loc["USA", "share"] == pytest.approx(539 / 2452)


# ---------------------------------------------------------------------------------------------------- label cleaner
ISO_NAMES = sorted({c.name for c in pycountry.countries if "," not in c.name and "(" not in c.name})


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(ISO_NAMES),
    footnote=st.one_of(st.just(""), st.integers(1, 12).map(str)),
    pad=st.sampled_from(["", " ", "  ", "\xa0"]),
)
def test_label_cleaner_ignores_padding_and_footnote_digits(name: str, footnote: str, pad: str) -> None:
    plain = classify_label(name)
    noisy = classify_label(f"{pad}{name}{footnote}{pad}")
    assert plain.kind == "country"
    assert noisy.iso3 == plain.iso3


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(ISO_NAMES))
def test_label_cleaner_strips_a_glued_estimate_letter(name: str) -> None:
    label = classify_label(f"{name}e")
    assert label.iso3 == classify_label(name).iso3


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40))
def test_label_cleaner_never_raises_and_never_guesses_a_total(text: str) -> None:
    label = classify_label(text)
    assert label.kind in {"country", "residual", "total", "unmapped"}
    assert (label.iso3 is not None) == (label.kind == "country")


@settings(max_examples=100, deadline=None)
@given(suffix=st.sampled_from(["", "4", "10", " (rounded)", " (rounded)3", "\xa0"]))
def test_residual_and_total_labels(suffix: str) -> None:
    assert classify_label(f"Other countries{suffix}").kind == "residual"
    assert classify_label(f"World total{suffix}").kind == "total"


@settings(max_examples=200, deadline=None)
@given(value=st.integers(0, 10**12), pad=st.sampled_from(["", " ", "  "]))
def test_quantities_with_thousands_separators(value: int, pad: str) -> None:
    assert parse_quantity(f"{value:,}{pad}") == (float(value), None)


@pytest.mark.parametrize(
    "marker", ["W", "NA", "--", "—", "XX", "Large", ">2,000,000", "330 - 390", "Less than ½ unit."]
)
def test_markers_are_missing_never_zero(marker: str) -> None:
    value, meaning = parse_quantity(marker)
    assert value is None and meaning


def test_known_alias_labels() -> None:
    assert classify_label("Congo (Kinshasa)").iso3 == "COD"
    assert classify_label("Korea, Republic ofe").iso3 == "KOR"
    assert classify_label("Korea, Republic ofe").estimated and not classify_label("Korea, Republic ofe").qualified
    assert classify_label("Burma").iso3 == "MMR"
    assert classify_label("Brazil (beneficiated)").iso3 == "BRA"
    assert classify_label("United States and Canada").kind == "unmapped"


# ---------------------------------------------------------------------------------------------------- bad inputs
def _wide(tmp_path: Path, body: str, header: str = WIDE_HEADER) -> Path:
    folder = tmp_path / "mcs2023_world"
    folder.mkdir()
    (folder / "mcs2023-galli_world.csv").write_text(header + body, encoding="utf-8")
    return folder


def _problems(exc: pytest.ExceptionInfo[DataValidationError]) -> list[tuple[str, int | None, str | None, str]]:
    return [(p.file, p.row, p.column, p.problem) for p in exc.value.problems]


def test_bad_cell_is_reported_with_file_row_and_column(tmp_path: Path) -> None:
    folder = _wide(tmp_path, "MCS2023,China,Primary production,abc,540000,\n")
    with pytest.raises(DataValidationError) as exc:
        validate_usgs(folder, max_bytes=MAX)
    assert _problems(exc) == [("mcs2023-galli_world.csv", 2, "production 2021", "'abc' is not a number")]
    assert "W, NA" in exc.value.problems[0].fix


def test_missing_country_column(tmp_path: Path) -> None:
    folder = _wide(tmp_path, "MCS2023,China,Primary production,1,2,\n", header="Source,Land,Type,Prod_kg_2021\n")
    with pytest.raises(DataValidationError) as exc:
        validate_usgs(folder, max_bytes=MAX)
    assert ("mcs2023-galli_world.csv", 1, "Country", "required column is missing") in _problems(exc)


def test_no_value_column(tmp_path: Path) -> None:
    folder = _wide(tmp_path, "MCS2023,China,Primary production,x\n", header="Source,Country,Type,Notes\n")
    with pytest.raises(DataValidationError, match="no production or capacity column"):
        validate_usgs(folder, max_bytes=MAX)


def test_2026_file_with_a_byte_windows_1252_does_not_define(tmp_path: Path) -> None:
    path = tmp_path / "MCS2026_Commodities_Data.csv"
    path.write_bytes(b"MCS chapter,Section\nGALLIUM,World \x81\n")
    with pytest.raises(DataValidationError, match="not valid cp1252"):
        validate_usgs(path, max_bytes=MAX)


def test_empty_and_binary_and_oversized_files(tmp_path: Path) -> None:
    empty = tmp_path / "MCS2025_World_Data.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataValidationError, match="the file is empty"):
        validate_usgs(empty, max_bytes=MAX)
    binary = tmp_path / "b" / "MCS2025_World_Data.csv"
    binary.parent.mkdir()
    with zipfile.ZipFile(binary, "w") as archive:
        archive.writestr("x.csv", "a,b\n")
    with pytest.raises(DataValidationError, match="not CSV text"):
        validate_usgs(binary, max_bytes=MAX)
    big = _wide(tmp_path, "MCS2023,China,Primary production,1,2,\n")
    with pytest.raises(DataValidationError, match="above the limit"):
        validate_usgs(big, max_bytes=10)


def test_folder_without_usgs_files(tmp_path: Path) -> None:
    (tmp_path / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="no USGS world data file found"):
        validate_usgs(tmp_path, max_bytes=MAX)


def test_single_file_with_another_name_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    # an upload keeps its own name: a file that is no USGS release file is refused with a fix, never an assertion
    path = tmp_path / "gallium.csv"
    path.write_text(WIDE_HEADER + "MCS2023,China,Primary production,1,2,\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        validate_usgs(path, max_bytes=MAX)
    assert _problems(exc) == [("gallium.csv", None, None, "the file name is not one of a USGS data release")]
    assert "MCS2025_World_Data.csv" in exc.value.problems[0].fix


def test_withheld_country_keeps_its_row_with_unknown_share(tmp_path: Path) -> None:
    body = (
        "MCS2023,China,Primary production,400,500,\n"
        "MCS2023,Japane,Primary production,W,W,\n"
        "MCS2023,Other countries4,Primary production,50,NA,\n"
        "MCS2023,World total (rounded),Primary production,500,500,\n"
    )
    valid = validate_usgs(_wide(tmp_path, body), max_bytes=MAX)
    rows = valid.provision[valid.provision["year"].eq(2021)].set_index("supplier_type")
    p = valid.provision
    japan = p[p["iso3"].eq("JPN")]
    assert japan["share"].isna().all() and japan["note"].str.startswith("withheld").all()
    assert p[p["iso3"].eq("CHN") & p["year"].eq(2021)]["share"].iloc[0] == pytest.approx(0.8)
    assert rows.loc["residual", "share"] == pytest.approx(0.1)
    assert set(p.loc[p["year"].eq(2022), "evidence"]) == {"estimated"}


def test_iea_not_a_workbook_and_missing_sheet(tmp_path: Path) -> None:
    text = tmp_path / "iea.xlsx"
    text.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="not an XLSX workbook"):
        validate_iea(text, max_bytes=MAX)
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Other"  # type: ignore[union-attr]
    path = tmp_path / "other.xlsx"
    book.save(path)
    with pytest.raises(DataValidationError, match="is missing"):
        validate_iea(path, max_bytes=MAX)


def test_iea_unknown_country_label(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "2 Total supply for key minerals"
    sheet.append(["title"])
    sheet.append([])
    sheet.append([])
    sheet.append([None, 2023, 2030, 2035, 2040])
    sheet.append(["Cobalt - Mining"])
    sheet.append(["Atlantis", 1, 1, 1, 1])
    sheet.append(["Rest of world", 1, 1, 1, 1])
    sheet.append(["Total", 2, 2, 2, 2])
    sheet.append(["Top 3 share", 1, 1, 1, 1])
    path = tmp_path / "iea.xlsx"
    book.save(path)
    with pytest.raises(DataValidationError) as exc:
        validate_iea(path, max_bytes=MAX)
    assert any(p.row == 6 and "Atlantis" in p.problem for p in exc.value.problems)


def test_fda_missing_column_and_unknown_country(tmp_path: Path) -> None:
    path = tmp_path / "fda.csv"
    path.write_text("fei_number,country_iso3\n1,USA\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="operations"):
        validate_fda_sites(path, max_bytes=MAX)
    path.write_text("fei_number,country_iso3,operations\n1,XXQ,API MANUFACTURE\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        validate_fda_sites(path, max_bytes=MAX)
    assert [(p.row, p.column) for p in exc.value.problems] == [(2, "country_iso3")]


EUCRM_HEADER = "material,stage,scope,country,share_pct,share_as_printed,assessment_year\n"


def test_eucrm_golden_on_the_real_file(shared_data_module: Path) -> None:
    valid = validate_eucrm(shared_data_module / "eu-crm-assessment" / "crm-producer-shares.csv", max_bytes=MAX)
    rows = valid.provision
    # only the 2023 global-supply rows (2,561 of the file's 3,511): 122 material stages
    assert len(rows) == 2561 and len(valid.nodes) == 122
    germanium = rows[rows["node"].eq("germanium:processing")].set_index("iso3")
    assert germanium.loc["CHN", "share"] == pytest.approx(0.831)
    assert set(germanium["basis"]) == {"production"} and set(germanium["year"]) == {REFERENCE_YEAR}
    # "<0.1%" names the country with an unknown share, never zero
    printed_below = rows[rows["note"].str.contains("'<0.1%'")]
    assert len(printed_below) == 514 and printed_below["share"].isna().all()
    # "Congo, D.R." is the Democratic Republic (the label library alone would read the Republic of the Congo)
    cobalt = rows[rows["node"].eq("cobalt:extraction")].set_index("iso3")
    assert cobalt.loc["COD", "share"] == pytest.approx(0.628)


def test_eucrm_reports_every_problem_with_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "shares.csv"
    path.write_text(
        EUCRM_HEADER
        + "Germanium,P,global supply,Atlantis,50,50%,2023\n"  # row 2: unknown country
        + "Germanium,P,global supply,China,120,120%,2023\n"  # row 3: share outside 0-100
        + "Germanium,X,global supply,Japan,1,1%,2023\n"  # row 4: unknown stage
        + "Hafnium,P,global supply,France,60,60%,2023\n"
        + "Hafnium,P,global supply,France,50,50%,2023\n"  # row 6: repeated; the stage adds up to 110 %
        + "Hafnium,P,EU sourcing,Atlantis,99,99%,2023\n",  # out of scope: not read
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as exc:
        validate_eucrm(path, max_bytes=MAX)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert found == {(2, "country"), (3, "share_pct"), (4, "stage"), (6, "country"), (5, "share_pct")}
    assert all(p.fix for p in exc.value.problems)
    path.write_text("material,stage\nGermanium,P\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="scope"):
        validate_eucrm(path, max_bytes=MAX)


def test_extract_is_byte_identical_to_a_rebuild(shared_data_module: Path) -> None:
    import importlib.util

    from tests.conftest import REPO_ROOT

    spec = importlib.util.spec_from_file_location("build_extract", REPO_ROOT / "scripts" / "build_observed_extract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.build(shared_data_module)
    assert (REPO_ROOT / "data" / "observed_provision.csv").read_text(encoding="utf-8") == text
    frame = pd.read_csv(REPO_ROOT / "data" / "observed_provision.csv", keep_default_na=False)
    assert set(frame["source_id"]) <= {
        "usgs_mcs_2023_data",
        "usgs_mcs_2024_data",
        "usgs_mcs_2025_data",
        "usgs_mcs_2026_data",
        "iea_cmde_2024",
        "eu_crm_2023_supply_shares",
    }
    # every reference year once per node: one release (and one source) per node and year
    per_year = frame.groupby(["node_id", "year"])[["vintage", "source_id"]].nunique()
    assert (per_year == 1).all().all()
    assert set(frame["year"]) == {2021, 2022, 2023, 2024, 2025}
    gallium = frame[frame["node_id"].eq("mat_gallium") & frame["supplier_id"].eq("CHN")]
    assert gallium["year"].tolist() == [2021, 2022, 2023, 2024, 2025]
    # the newest release that has the year, observed before estimated (2024: MCS 2026's observed, not 2025's estimate;
    # a release counts as observed for a year when any of its rows with a known share is observed)
    assert gallium["vintage"].tolist() == [
        "USGS MCS 2023",
        "USGS MCS 2024",
        "USGS MCS 2025",
        "USGS MCS 2026",
        "USGS MCS 2026",
    ]
    # evidence per row as USGS marks it: China's 2022 ("estimated in 2022 also") and 2023 ("Estimated from China
    # Nonferrous Metals Industry Association article.") figures are estimates, so is the last year of MCS 2026
    assert gallium["evidence"].tolist() == ["observed", "estimated", "estimated", "observed", "estimated"]
    assert gallium["confidence"].tolist() == ["high", "medium", "medium", "high", "medium"]
    # MCS 2024: China 600,000 kg of primary gallium in 2022 (the file's row 3), 98.4 % of the world's 610,000 kg
    assert gallium.loc[gallium["year"].eq(2022), "share_pct"].tolist() == ["98.361"]
    # the footnote-e labels of MCS 2024 (Japane, Korea, Republic ofe, Russiae): estimated, medium confidence
    others = frame[frame["node_id"].eq("mat_gallium") & frame["year"].eq(2022) & frame["supplier_type"].eq("country")]
    others = others.set_index("supplier_id")
    assert others["evidence"].to_dict() == {
        "CHN": "estimated",
        "JPN": "estimated",
        "KOR": "estimated",
        "RUS": "estimated",
        "USA": "observed",
    }
    assert set(others.loc[["JPN", "KOR", "RUS"], "confidence"]) == {"medium"}
    # nodes USGS and IEA do not cover take the EU CRM study's global supply shares (Appendix 7, stage P), one block
    # each, year 2022 (an upper bound on the study's data period), evidence observed with medium confidence; so does
    # neon, for which USGS names only the United States, and only in estimates
    eu = frame[frame["source_id"].eq("eu_crm_2023_supply_shares")]
    assert set(eu["node_id"]) == {
        "mat_germanium",
        "mat_hafnium",
        "mat_iridium",
        "mat_neon",
        "chem_phosphorus",
        "chem_heavy_ree",
    }
    assert set(eu["year"]) == {2022} and set(eu["evidence"]) == {"observed"} and set(eu["confidence"]) == {"medium"}
    germanium = eu[eu["node_id"].eq("mat_germanium")].set_index("supplier_id")["share_pct"]
    assert germanium.to_dict() == {
        "BEL": "4.5",
        "CHN": "83.1",
        "DEU": "2.7",
        "JPN": "1.8",
        "RUS": "5.0",
        "UKR": "0.9",
        "USA": "2.0",
    }
    assert eu.loc[eu["node_id"].eq("mat_hafnium") & eu["supplier_id"].eq("FRA"), "share_pct"].tolist() == ["49.3"]
    neon = eu[eu["node_id"].eq("mat_neon")].set_index("supplier_id")["share_pct"]
    assert neon.to_dict() == {"CHN": "23.6", "TWN": "0.1", "UKR": "29.7", "USA": "46.6"}
    assert eu["note"].str.contains(r"file crm-producer-shares\.csv, row \d+").all()
    assert gallium.loc[gallium["year"].eq(2022), "note"].tolist() == [
        "USGS estimate: note 'estimated in 2022 also' (file mcs2024-galli_world.csv, row 3)"
    ]
    # graphite's 2021-2022 rows come from the MCS 2023/2024 table under its own label, which the note names
    graphite = frame[frame["node_id"].eq("mat_graphite_natural") & frame["year"].eq(2022)]
    assert set(graphite["source_id"]) == {"usgs_mcs_2024_data"} and set(graphite["basis"]) == {"mine"}
    assert graphite["note"].str.contains("stage graphite-natural:mine-production-graphite").all()


def test_seed_mineral_shares_agree_with_usgs_and_iea_or_are_listed_conflicts(
    usgs,  # type: ignore[no-untyped-def]
    shared_data_module: Path,
) -> None:
    from deps.ingest.conflicts import share_conflicts
    from deps.ingest.extract import read_map
    from tests.conftest import REPO_ROOT

    eucrm = validate_eucrm(shared_data_module / "eu-crm-assessment" / "crm-producer-shares.csv", max_bytes=MAX)
    observed = {"usgs": usgs, "iea": validate_iea(shared_data_module / IEA_FILE, max_bytes=MAX), "eucrm": eucrm}
    seed = pd.read_csv(REPO_ROOT / "data" / "provision.csv", keep_default_na=False)
    table = share_conflicts(seed, read_map(REPO_ROOT / "data" / "commodity_map.csv"), observed, threshold_pp=10.0)
    compared = table[table["status"].ne("no observed value")]
    assert len(compared) >= 60
    agree = compared[compared["status"].eq("agrees")]
    assert (agree["difference_pp"].abs() <= 10.0).all()
    conflicts = compared[compared["status"].eq("conflict")]
    # the seed typed 48% for China's 2023 antimony mine production; MCS 2025 gives 62,300 t of a 106,000 t world
    assert list(zip(conflicts["node_id"], conflicts["supplier_id"], conflicts["year"], strict=True)) == [
        ("mat_antimony", "CHN", 2023)
    ]
    assert (conflicts["difference_pp"].abs() > 10.0).all()
    # the seed's hand-typed shares from the EU CRM study (2022) agree with its Appendix 7 as the extract reads it:
    # germanium CHN 83 (83.1), hafnium FRA 45 (49.3), phosphorus CHN 75 (78.5), heavy rare earths CHN 95 (100.0)
    eu = agree[agree["observed_source"].eq("EU CRM 2023")].set_index("node_id")
    assert eu["observed_pct"].to_dict() == {
        "mat_germanium": 83.1,
        "chem_heavy_ree": 100.0,
        "chem_phosphorus": 78.5,
        "mat_hafnium": 49.3,
    }
