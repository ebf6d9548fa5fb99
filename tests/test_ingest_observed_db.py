"""USGS, IEA and FDA imports into a database: one version per content, nothing written on failure, coverage."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from deps.ingest.fda import import_fda_sites
from deps.ingest.iea import import_iea
from deps.ingest.usgs import import_usgs
from deps.store.db import Database
from deps.store.queries import provision_frame, resolve_dataset
from tests.helpers import READER, row_counts

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

MAX = 50_000_000
IEA_FILE = Path("iea-critical-minerals-2024") / "CM_Data_Explorer May 2024 (2).xlsx"


def _import(db: Database, function, path: Path):  # type: ignore[no-untyped-def]
    with db.session() as session:
        return function(path, session=session, user="test", max_bytes=MAX)


@pytest.mark.parametrize(
    ("function", "relative", "dataset"),
    [
        (import_usgs, Path("usgs-mcs") / "mcs2026_release", "usgs"),
        (import_iea, IEA_FILE, "iea"),
        (import_fda_sites, Path("fda-decrs-sites") / "fda_decrs_sites.csv", "fda-sites"),
    ],
)
def test_reimport_of_the_same_files_makes_no_new_version(  # type: ignore[no-untyped-def]
    db: Database, shared_data: Path, function, relative: Path, dataset: str
) -> None:
    first = _import(db, function, shared_data / relative)
    counts = row_counts(db)
    again = _import(db, function, shared_data / relative)
    assert not first.unchanged and again.unchanged
    assert again.version == first.version == 1 and again.content_hash == first.content_hash
    assert row_counts(db) == counts
    assert resolve_dataset(db, dataset).version == 1


def test_usgs_rows_keep_basis_year_vintage_and_residuals(db: Database, shared_data: Path) -> None:
    result = _import(db, import_usgs, shared_data / "usgs-mcs" / "mcs2026_release")
    every = provision_frame(db, result.dataset_id, observed_all=True)
    gallium = every[every["node_id"].eq("gallium:primary-production")]
    assert set(gallium["vintage"]) == {"USGS MCS 2026"}
    assert set(gallium["year"].astype(int)) == {2024, 2025}
    assert set(gallium["basis"]) == {"production"}
    china = gallium[gallium["supplier_id"].eq("CHN") & gallium["year"].eq(2024)]
    assert china["quantity"].iloc[0] == 839_000 and china["unit"].iloc[0] == "kilograms"
    assert every["supplier_type"].eq("residual").any()
    # the engine's frame: no residual rows, one release and year per node
    engine = provision_frame(db, result.dataset_id)
    assert not engine["supplier_type"].eq("residual").any()
    assert engine.groupby("node_id")["year"].nunique().max() == 1
    assert set(engine.loc[engine["node_id"].eq("gallium:primary-production"), "year"].astype(int)) == {2024}


def test_iea_projections_are_stored_but_not_analysed(db: Database, shared_data: Path) -> None:
    result = _import(db, import_iea, shared_data / IEA_FILE)
    every = provision_frame(db, result.dataset_id, observed_all=True)
    assert set(every.loc[every["year"].gt(2023), "evidence"]) == {"projected"}
    engine = provision_frame(db, result.dataset_id)
    assert set(engine["year"].astype(int)) == {2023} and set(engine["evidence"]) == {"observed"}


def test_failed_import_writes_nothing(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "mcs2023_world"
    folder.mkdir()
    (folder / "mcs2023-galli_world.csv").write_text(
        "Source,Country,Type,Prod_kg_2021\nMCS2023,China,Primary production,lots\n", encoding="utf-8"
    )
    before = row_counts(db)
    with pytest.raises(Exception, match="not a number"):
        _import(db, import_usgs, folder)
    assert row_counts(db) == before


def test_cli_imports_and_status_prints_coverage(
    tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deps.cli.main import app

    monkeypatch.setenv("DEPS_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DEPS_USER", "tester")
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["users", "ensure-admin"]).exit_code == 0
    out = runner.invoke(app, ["import", "fda-sites", str(shared_data / "fda-decrs-sites" / "fda_decrs_sites.csv")])
    assert out.exit_code == 0, out.output
    assert "basis 'sites'" in out.output and "not a production or capacity share" in out.output
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0
    assert "observed production or refining share" in status.output
    assert "point value or bounds" in status.output


def test_coverage_figures_on_a_hand_checked_frame() -> None:
    import pandas as pd

    from deps.services.coverage import coverage_figures

    nodes = pd.DataFrame(
        {
            "node_id": ["ore", "chem", "tool", "none"],
            "kind": ["material", "material", "tool", "product"],
            "crm": ["strategic", "", "", ""],
        }
    )
    provision = pd.DataFrame(
        {
            "node_id": ["ore", "ore", "chem", "tool"],
            "supplier_type": ["country", "country", "country", "firm"],
            "share": [0.7, 0.2, float("nan"), 0.3],
            "basis": ["mine", "mine", "production", "headquarters"],
            "vintage": ["USGS MCS 2026", "USGS MCS 2026", "", ""],
            "evidence": ["observed", "observed", "estimated", "expert"],
        }
    )
    c = coverage_figures(nodes, provision, min_coverage=0.5)
    assert (c.nodes, c.point_value, c.bounds, c.point_or_bounds) == (4, 1, 3, 3)
    assert (c.materials, c.materials_observed, c.raw_materials, c.raw_materials_observed) == (2, 1, 1, 1)
    # the gap is named: the one material without an observed share (no name column: its id)
    assert c.materials_unobserved == ("chem",)
    assert c.lines()[-1] == "material nodes without an observed production or refining share (1): chem"
    named = coverage_figures(nodes.assign(name=["Ore", "Chemical", "Tool", ""]), provision, min_coverage=0.5)
    assert named.materials_unobserved == ("Chemical",)
    # a release's estimate is not an observed share
    estimated = provision.assign(evidence="estimated")
    assert coverage_figures(nodes, estimated, min_coverage=0.5).materials_observed == 0


def test_seed_coverage_after_init(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from deps.config import load_settings
    from deps.ingest.seed import initialise
    from deps.services.coverage import dataset_coverage

    monkeypatch.setenv("DEPS_VAR_DIR", str(tmp_path))
    settings = load_settings()
    initialise(db, settings)
    c = dataset_coverage(db, settings, actor=READER)
    assert c is not None
    # raw materials (EU-listed or observed): 35, of which 28 carry observed USGS/IEA shares and germanium, hafnium,
    # iridium, neon, phosphorus and heavy rare earths the EU CRM study's; antimony trioxide has no country split in any
    # of them (the study's antimony processing stage is metal and oxides together, not the trioxide).  Neon is not
    # EU-listed and counts as a raw material through its observed share: USGS names only the United States, in
    # estimates, and the study gives the world's split
    assert (c.raw_materials, c.raw_materials_observed) == (35, 34)
    assert c.fraction("raw_materials_observed", "raw_materials") >= 0.9
    # all material nodes: 34 of 77 observed; the other 43 are processed chemicals, semiconductor and bioprocess
    # materials without a public country split of production (data/README.md lists them)
    assert (c.materials, c.materials_observed) == (77, 34)
    assert len(c.materials_unobserved) == 43 and "Antimony trioxide" in c.materials_unobserved
    assert "Neon (semiconductor grade)" not in c.materials_unobserved
    assert (c.nodes, c.point_or_bounds) == (183, 171) and c.fraction("point_or_bounds", "nodes") >= 0.7


def test_fused_analysis_with_usgs_and_iea(tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from deps.cli.main import app

    monkeypatch.setenv("DEPS_VAR_DIR", str(tmp_path))
    runner = CliRunner()
    for args in (
        ["init"],
        ["users", "ensure-admin"],
        ["import", "usgs", str(shared_data / "usgs-mcs")],
        ["import", "iea", str(shared_data / IEA_FILE)],
        ["import", "fda-sites", str(shared_data / "fda-decrs-sites" / "fda_decrs_sites.csv")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    out = tmp_path / "fused.csv"
    result = runner.invoke(app, ["analyse", "--with", "usgs", "--with", "iea", "--out", str(out)])
    assert result.exit_code == 0, result.output
    import pandas as pd

    sources = pd.read_csv(tmp_path / "fused.sources.csv", keep_default_na=False)
    chosen = sources[sources["chosen"].astype(str).eq("True")].set_index("node_id")
    # one chosen source per node.  MCS 2026 marks every 2024 cobalt mine figure "Estimated.", so the newest observed
    # year is 2023 in the seed extract (MCS 2025), in the USGS import and in IEA's table: a tie the base keeps
    assert chosen.index.is_unique
    assert chosen.loc["mat_cobalt_mine", "year"] == 2023
    assert chosen.loc["mat_cobalt_mine", "source"] == "seed" and chosen.loc["mat_cobalt_mine", "evidence"] == "observed"
    assert set(sources.loc[sources["node_id"].eq("mat_cobalt_mine"), "source"]) == {"seed", "usgs", "iea"}
    conflicts = pd.read_csv(tmp_path / "fused.conflicts.csv", keep_default_na=False)
    assert (conflicts["difference_pp"].abs() > 10).all()
    # USGS revised China's 2024 antimony mine production between MCS 2025 (estimate) and MCS 2026
    antimony = conflicts[conflicts["node_id"].eq("mat_antimony") & conflicts["supplier_id"].eq("CHN")]
    assert 2024 in set(antimony["year"])
    # the run's report lists the fused graph's sources and conflicts (newest run first in the listing)
    run_id = runner.invoke(app, ["runs", "list"]).output.split()[0]
    report = tmp_path / "fused.md"
    marking = ["--classification", "Departementaal Vertrouwelijk", "--format", "md", "--out", str(report)]
    result = runner.invoke(app, ["report", "--run", run_id, *marking])
    assert result.exit_code == 0, result.output
    text = report.read_text(encoding="utf-8")
    assert "Sources of the fused graph and their conflicts" in text
    assert f"{len(conflicts)} node, supplier and year combinations differ" in text
    refused = runner.invoke(app, ["analyse", "--with", "fda-sites", "--out", str(tmp_path / "x.csv")])
    assert refused.exit_code == 1
    assert "cannot be fused: only usgs, iea and cset imports map to nodes" in str(refused.exception)
    simulated = runner.invoke(
        app, ["simulate", "--with", "usgs", "--shock", "CHN=1.0", "--out", str(tmp_path / "s.csv")]
    )
    assert simulated.exit_code == 0, simulated.output


def test_fusion_precedence_and_conflicts_on_a_hand_checked_frame() -> None:
    import pandas as pd

    from deps.services.fusion import fuse_provision, split_fused_name

    def rows(node: str, share: float, evidence: str, year: int, basis: str = "mine", vintage: str = "") -> dict:  # type: ignore[type-arg]
        return {
            "node_id": node,
            "supplier_type": "country",
            "supplier_id": "CHN",
            "country": "CHN",
            "share": share,
            "year": year,
            "evidence": evidence,
            "basis": basis,
            "vintage": vintage,
        }

    base = pd.DataFrame([rows("a", 0.5, "estimated", 2023), rows("b", 0.9, "observed", 2024)])
    other = pd.DataFrame(
        [
            rows("x:mine", 0.7, "observed", 2023, vintage="USGS MCS 2025"),
            rows("y:mine", 0.9, "observed", 2024, vintage="USGS MCS 2026"),
        ]
    )
    mapping = pd.DataFrame(
        {
            "source": ["usgs", "usgs"],
            "stage_code": ["x:mine", "y:mine"],
            "basis": ["mine", "mine"],
            "node_id": ["a", "b"],
            "role": ["primary", "primary"],
            "source_id": ["s", "s"],
            "note": ["n", "n"],
        }
    )
    fused = fuse_provision(base, "seed", [("usgs", "usgs", other)], mapping, threshold_pp=10.0)
    chosen = fused.evidence[fused.evidence["chosen"]].set_index("node_id")["source"]
    assert chosen.to_dict() == {"a": "usgs", "b": "seed"}  # observed beats estimated; a full tie keeps the base
    assert fused.provision.set_index("node_id")["share"].to_dict() == {"a": 0.7, "b": 0.9}
    assert fused.conflicts[["node_id", "year"]].values.tolist() == [["a", 2023]]
    assert fused.conflicts["difference_pp"].iloc[0] == pytest.approx(20.0)
    assert split_fused_name("seed+usgs+iea") == ("seed", ("usgs", "iea"))


@pytest.mark.parametrize("command", ["analyse", "simulate", "optimise"])
def test_with_help_lists_every_addable_format_from_the_registry(command: str) -> None:
    from deps.cli.main import app
    from deps.ingest import FORMATS, FUSABLE

    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.replace("\u2502", " ").split())  # the help box's side bars wrap lines
    assert FUSABLE and set(FUSABLE) <= set(FORMATS)
    for fmt in FUSABLE:  # each addable format with the registry's description of it
        assert f"{fmt}: {FORMATS[fmt][2]}" in text
    assert "fda-sites:" not in text  # a site count maps to no node
