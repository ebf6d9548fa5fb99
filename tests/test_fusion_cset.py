"""CSET as a fusable dataset: its map rows, the precedence of headquarters shares, and the four-source CLI run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from deps.ingest.extract import EXTRACT_SOURCES, build_extract, read_map
from deps.services.fusion import fuse_provision
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

IEA_FILE = Path("iea-critical-minerals-2024") / "CM_Data_Explorer May 2024 (2).xlsx"
MAP = REPO_ROOT / "data" / "commodity_map.csv"


def _row(node: str, supplier: str, share: float | None, *, evidence: str, year: int, basis: str) -> dict[str, object]:
    return {
        "node_id": node,
        "supplier_type": "country",
        "supplier_id": supplier,
        "country": supplier,
        "share": share,
        "year": year,
        "evidence": evidence,
        "basis": basis,
        "vintage": "",
    }


def test_cset_map_rows_name_seed_nodes_cset_ids_and_a_licensed_source(shared_data: Path) -> None:
    mapping = read_map(MAP)
    cset = mapping[mapping["source"].eq("cset")]
    assert len(cset) >= 20
    nodes = set(pd.read_csv(REPO_ROOT / "data" / "nodes.csv", dtype=str)["node_id"])
    assert set(cset["node_id"]) <= nodes
    assert cset["node_id"].str.startswith(("semi_", "dsii_")).all()
    # at most one primary CSET node per seed node, each with a note
    primary = cset[cset["role"].eq("primary")]
    assert primary["node_id"].is_unique and cset["note"].str.strip().ne("").all()
    sources = pd.read_csv(REPO_ROOT / "data" / "sources.csv", dtype=str, keep_default_na=False).set_index("source_id")
    assert set(cset["source_id"]) <= set(sources.index)
    assert all("CC BY-NC" in sources.loc[s, "note"] for s in set(cset["source_id"]))
    folder = shared_data / "cset-chip-explorer"
    ids = set(pd.read_csv(folder / "inputs.csv", dtype=str)["input_id"]) | set(
        pd.read_csv(folder / "stages.csv", dtype=str)["stage_id"]
    )
    assert set(cset["stage_code"]) <= ids
    # the chip explorer's basis: headquarters for inputs, capacity for the fabrication and ATP stages
    assert dict(zip(cset["stage_code"], cset["basis"], strict=True))["S2"] == "capacity"
    assert set(cset.loc[cset["stage_code"].str.startswith("N"), "basis"]) == {"headquarters"}


def test_build_extract_never_ships_cset_rows() -> None:
    """CSET is CC BY-NC: its map rows are for fusion only, and the extract builder needs no CSET table."""
    assert "cset" not in EXTRACT_SOURCES
    mapping = read_map(MAP)
    assert mapping["source"].eq("cset").any()
    only_cset = mapping[mapping["source"].eq("cset")]
    assert build_extract(only_cset, {}).empty  # no KeyError: the rows are skipped, not looked up


def test_cset_headquarters_shares_rank_after_location_and_lose_ties_to_the_base() -> None:
    base = pd.DataFrame(
        [
            # expert headquarters view: CSET's observed headquarters block replaces it (evidence)
            _row("tool_hq_expert", "USA", 0.6, evidence="expert", year=2025, basis="headquarters"),
            # expert production-location view (no share known): a headquarters share never replaces it
            _row("tool_made_in", "DEU", None, evidence="expert", year=2024, basis="production"),
            # the seed quotes the same CSET figure: a full tie, the base keeps its rows
            _row("tool_same", "NLD", 1.0, evidence="observed", year=2025, basis="headquarters"),
            # an older headquarters figure: the newer CSET year wins
            _row("tool_old", "JPN", 0.5, evidence="observed", year=2019, basis="headquarters"),
            # a headquarters view of a fab: CSET's site-capacity stage is a location basis and wins
            _row("fab", "TWN", 0.5, evidence="observed", year=2022, basis="headquarters"),
        ]
    )
    cset = pd.DataFrame(
        [
            _row("N1", "NLD", 0.9, evidence="observed", year=2025, basis="headquarters"),
            _row("N1", "USA", 0.1, evidence="observed", year=2025, basis="headquarters"),
            _row("N2", "NLD", 1.0, evidence="observed", year=2025, basis="headquarters"),
            _row("N3", "NLD", 1.0, evidence="observed", year=2025, basis="headquarters"),
            _row("N4", "JPN", 0.8, evidence="observed", year=2025, basis="headquarters"),
            _row("S2", "TWN", 0.2, evidence="observed", year=2022, basis="capacity"),
            _row("S2", "CHN", 0.3, evidence="observed", year=2022, basis="capacity"),
        ]
    )
    stages = {"N1": "tool_hq_expert", "N2": "tool_made_in", "N3": "tool_same", "N4": "tool_old", "S2": "fab"}
    mapping = pd.DataFrame(
        {
            "source": "cset",
            "stage_code": list(stages),
            "basis": ["headquarters"] * 4 + ["capacity"],
            "node_id": list(stages.values()),
            "role": "primary",
            "source_id": "cset_eto_2025",
            "note": "n",
        }
    )
    fused = fuse_provision(base, "seed", [("cset", "cset", cset)], mapping, threshold_pp=10.0)
    chosen = fused.evidence[fused.evidence["chosen"]].set_index("node_id")["source"].to_dict()
    assert chosen == {
        "tool_hq_expert": "cset",
        "tool_made_in": "seed",
        "tool_same": "seed",
        "tool_old": "cset",
        "fab": "cset",
    }
    # every CSET block stays visible in the evidence table, with its stage
    cset_blocks = fused.evidence[fused.evidence["source"].eq("cset")].set_index("node_id")["stage"].to_dict()
    assert cset_blocks == {v: k for k, v in stages.items()}
    shares: dict[str, dict[str, float]] = {}
    for node, supplier, share in fused.provision[["node_id", "supplier_id", "share"]].itertuples(index=False):
        shares.setdefault(str(node), {})[str(supplier)] = float(share)
    assert shares["tool_hq_expert"] == {"NLD": 0.9, "USA": 0.1}
    assert shares["fab"] == {"CHN": 0.3, "TWN": 0.2}
    assert list(shares["tool_made_in"]) == ["DEU"] and pd.isna(shares["tool_made_in"]["DEU"])
    # conflicts as for the other sources: the same supplier and year given by both, more than 10 pp apart
    listed = fused.conflicts[["node_id", "supplier_id", "year", "source_a", "source_b"]].values.tolist()
    assert listed == [["fab", "TWN", 2022, "cset:S2", "seed"], ["tool_hq_expert", "USA", 2025, "cset:N1", "seed"]]


def test_location_rule_keeps_a_usgs_production_block_over_a_base_headquarters_one() -> None:
    """Rule 1 applies to every source: a mine share before a headquarters share, even an observed one."""
    base = pd.DataFrame([_row("ore", "AUS", 0.4, evidence="observed", year=2024, basis="headquarters")])
    usgs = pd.DataFrame([_row("x:mine", "AUS", 0.45, evidence="estimated", year=2024, basis="mine")])
    mapping = pd.DataFrame(
        {
            "source": ["usgs"],
            "stage_code": ["x:mine"],
            "basis": ["mine"],
            "node_id": ["ore"],
            "role": ["primary"],
            "source_id": ["s"],
            "note": ["n"],
        }
    )
    fused = fuse_provision(
        base, "seed", [("usgs", "usgs", usgs.assign(vintage="USGS MCS 2025"))], mapping, threshold_pp=10.0
    )
    assert fused.evidence.loc[fused.evidence["chosen"], "source"].tolist() == ["usgs"]


def test_cli_analyse_fuses_seed_usgs_iea_and_cset(
    tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deps.cli.main import app

    monkeypatch.setenv("DEPS_VAR_DIR", str(tmp_path))
    runner = CliRunner()
    for args in (
        ["init"],
        ["users", "ensure-admin"],
        ["import", "usgs", str(shared_data / "usgs-mcs")],
        ["import", "iea", str(shared_data / IEA_FILE)],
        ["import", "cset", str(shared_data / "cset-chip-explorer")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    out = tmp_path / "fused.csv"
    command = ["analyse", "--dataset", "seed", "--with", "usgs", "--with", "iea", "--with", "cset", "--out", str(out)]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "conflicts above DEPS_CONFLICT_PP" in result.output
    sources = pd.read_csv(tmp_path / "fused.sources.csv", keep_default_na=False)
    chosen = sources[sources["chosen"].astype(str).eq("True")].set_index("node_id")
    assert chosen.index.is_unique
    euv = sources[sources["node_id"].eq("semi_euv_scanner")].set_index("source")
    # CSET's EUV block is named in the sources table; the seed quotes the same 2025 figure, so the seed keeps it
    assert euv.loc["cset", "stage"] == "N20" and euv.loc["cset", "basis"] == "headquarters"
    assert str(euv.loc["cset", "evidence"]) == "observed" and int(euv.loc["cset", "year"]) == 2025
    assert chosen.loc["semi_euv_scanner", "source"] == "seed"
    # the seed's ATP rows are a production-location view: CSET's capacity stage S3 is listed, not chosen
    atp = sources[sources["node_id"].eq("semi_atp")].set_index("source")
    assert atp.loc["cset", "stage"] == "S3" and chosen.loc["semi_atp", "source"] == "seed"
    # the USGS and IEA blocks are still there beside CSET's
    assert {"seed", "usgs", "iea", "cset"} <= set(sources["source"])
    assert sources["source"].eq("cset").sum() >= 20
    conflicts = pd.read_csv(tmp_path / "fused.conflicts.csv", keep_default_na=False)
    assert (conflicts["difference_pp"].abs() > 10).all()
    # the fusion reads only the mapped stages' rows: the same rows, in the same order, as the full frame holds
    from deps.store.db import Database
    from deps.store.queries import provision_frame, resolve_dataset

    db = Database(f"sqlite:///{tmp_path / 'deps.sqlite3'}")
    try:
        usgs = resolve_dataset(db, "usgs").id
        stages = set(read_map(MAP).query("source == 'usgs'")["stage_code"])
        full = provision_frame(db, usgs, observed_all=True)
        some = provision_frame(db, usgs, observed_all=True, nodes=stages)
        assert 0 < len(some) < len(full)
        pd.testing.assert_frame_equal(some, full[full["node_id"].isin(stages)].reset_index(drop=True))
    finally:
        db.dispose()
