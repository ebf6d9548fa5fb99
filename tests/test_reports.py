"""Confidential reports: markings on every page, encryption, escaping, permissions, audit, charts, reproducibility.

One seeded SQLite database (module scope) holds an analysis, a simulation and an optimisation run of the seed,
plus a hand-made run whose node names and sources try HTML and formula injection.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils.exceptions import InvalidFileException
from typer.testing import CliRunner

from deps.access.audit import list_events
from deps.access.auth import Actor
from deps.config import Settings, load_settings
from deps.errors import DepsError, PermissionDeniedError
from deps.ingest.seed import initialise
from deps.reports import build_report
from deps.reports.charts import browser_available, render_charts
from deps.reports.content import gather_content
from deps.reports.html import css_string, render_html
from deps.reports.markdown import md_escape, render_markdown
from deps.reports.model import ChartSpec, report_id
from deps.reports.xlsx import safe_text
from deps.services.analysis import parse_shock, run_analysis, run_simulation
from deps.services.optimisation import run_optimisation
from deps.services.runs import get_run, record_run, run_tables
from deps.services.scenario import ScenarioConfig
from deps.store.db import Database, upgrade
from tests.helpers import READER

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

AUDITOR = Actor("auditor", "admin")

MARK = "Departementaal Vertrouwelijk"
ANALYST = Actor("ana", "analyst")
VIEWER = Actor("vera", "viewer")
PASSPHRASE = "correct horse battery staple"
EVIL_NAME = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A fresh seeded database for the module, its URL and the ids of one run of each kind."""
    folder = tmp_path_factory.mktemp("reports")
    url = f"sqlite:///{folder / 'deps.sqlite3'}"
    db = Database(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEPS_DATABASE_URL", url)
        patch.setenv("DEPS_VAR_DIR", str(folder / "var"))
        patch.setenv("DEPS_USER", "tester")
        patch.delenv("DEPS_REPORT_CHARTS", raising=False)
        upgrade(db)
        settings = load_settings()
        initialise(db, settings)
        evil = pd.DataFrame(
            {
                "node_id": ["n1", "n2"],
                "name": [EVIL_NAME, '=HYPERLINK("http://x","y")'],
                "max_risk": [0.5, 0.25],
                "global_chokepoint": [True, True],
                "explanation": ["</td></table><img src=x onerror=alert(2)>", "-2+3"],
            }
        )
        ids = {
            "analysis": run_analysis(db, settings, dataset="seed", actor=ANALYST).run_id,
            "simulation": run_simulation(
                db, settings, dataset="seed", actor=ANALYST, shocks=[parse_shock("CHN=1.0")]
            ).run_id,
            "optimisation": run_optimisation(
                db,
                settings,
                dataset="seed",
                actor=ANALYST,
                config=ScenarioConfig(),
                budget=300,
                frontier=[0, 300, 600],
                sensitivity_analysis=True,
            ).run_id,
            "evil": record_run(
                db,
                kind="analysis",
                parameters={"home": "NLD"},
                inputs_hash="0" * 64,
                actor=Actor("ana", "admin"),
                tables={"nodes": evil, "evidence": pd.DataFrame({"node_id": ["n1"], "source": ["@SUM(A1)"]})},
            ),
            "url": url,
            "db": db,
        }
        yield ids
    db.dispose()


@pytest.fixture
def db(world: dict[str, Any]) -> Database:
    """This module's database (the module-wide ``world``), in place of the per-test one."""
    handle: Database = world["db"]
    return handle


@pytest.fixture
def settings(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DEPS_DATABASE_URL", world["url"])
    monkeypatch.delenv("DEPS_REPORT_CHARTS", raising=False)
    return load_settings()


def _pdftotext(path: Path, password: str | None = None) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed; .ci/run installs it")
    command = ["pdftotext", "-layout"] + (["-upw", password] if password else []) + [str(path), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout
    return [page for page in text.split("\f") if page.strip()]


def _report_events(db: Database) -> list[dict[str, object]]:
    return list_events(db, actor=AUDITOR, action="report", limit=1000)


@pytest.mark.slow
def test_pdf_has_the_marking_and_report_id_on_every_page(
    db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "analysis.pdf"
    result = build_report(db, settings, ANALYST, world["analysis"], "pdf", MARK, out, watermark=True, max_rows=25)
    pages = _pdftotext(out)
    assert len(pages) >= 3  # the seed analysis fills several pages even at 25 rows per table
    for number, page in enumerate(pages, start=1):
        assert page.count(MARK) >= 2, f"page {number} lacks the header or footer marking"
        assert result.report_id in page, f"page {number} lacks the report id"
        assert f"page {number} of {len(pages)}" in page
    assert result.report_id == report_id(world["analysis"], "pdf", MARK, ("plain", "watermark", "rows=25"))
    assert result.report_id != report_id(world["analysis"], "pdf", MARK, ("encrypted", "watermark", "rows=25"))
    assert "Chokepoints" in pages[0] + pages[1] and "Data provenance" in "".join(pages)
    assert "Showing the first 25 of" in "".join(pages)  # capped tables say so and point to the XLSX
    assert hashlib.sha256(out.read_bytes()).hexdigest() == result.sha256


@pytest.mark.slow
def test_encrypted_pdf_is_aes256_and_needs_the_passphrase(
    db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    import pikepdf
    from pikepdf.models.encryption import EncryptionMethod

    out = tmp_path / "sim.pdf"
    result = build_report(db, settings, ANALYST, world["simulation"], "pdf", MARK, out, encrypt_passphrase=PASSPHRASE)
    assert result.encrypted
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(out)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(out, password="wrong passphrase!")
    with pikepdf.open(out, password=PASSPHRASE) as pdf:
        info = pdf.encryption
        assert pdf.is_encrypted and info.R == 6 and info.V == 5 and info.bits == 256
        assert info.stream_method == EncryptionMethod.aesv3
        assert info.string_method == EncryptionMethod.aesv3
    pages = _pdftotext(out, PASSPHRASE)
    assert pages and all(MARK in page for page in pages)


@pytest.mark.slow
def test_pdf_of_one_run_is_byte_identical(
    db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    first = build_report(
        db, settings, ANALYST, world["simulation"], "pdf", MARK, tmp_path / "a.pdf", charts="matplotlib"
    )
    second = build_report(
        db, settings, ANALYST, world["simulation"], "pdf", MARK, tmp_path / "b.pdf", charts="matplotlib"
    )
    assert first.sha256 == second.sha256  # fixed creation date and PDF identifier, deterministic charts


def _cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    finally:
        book.close()


def test_xlsx_carries_the_marking_in_headers_footers_and_properties(
    db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "opt.xlsx"
    result = build_report(db, settings, ANALYST, world["optimisation"], "xlsx", MARK, out, charts="matplotlib")
    book = openpyxl.load_workbook(out)
    assert {"Report", "allocation", "shadow_prices", "frontier", "assumptions", "raw_reduced_costs"} <= set(
        book.sheetnames
    )
    for sheet in book.worksheets:
        assert MARK in (sheet.oddHeader.center.text or ""), sheet.title
        assert MARK in (sheet.oddFooter.center.text or ""), sheet.title
        assert result.report_id in (sheet.oddFooter.left.text or ""), sheet.title
        assert sheet["A1"].value == MARK
    assert book.properties.keywords == MARK and book.properties.category == MARK
    custom = {prop.name: prop.value for prop in book.custom_doc_props.props}
    assert custom["Classification"] == MARK and custom["ReportId"] == result.report_id
    assert custom["RunId"] == world["optimisation"]
    # the XLSX holds every row (the PDF caps at 100): 3,180 reduced costs + 3 title rows
    assert book["raw_reduced_costs"].max_row == 3 + len(
        run_tables(db, world["optimisation"], actor=READER)["reduced_costs"]
    )
    assert any(name.startswith("xl/media/") for name in zipfile.ZipFile(out).namelist())  # charts embedded


def test_encrypted_xlsx_opens_only_after_decryption(
    db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    import msoffcrypto

    out = tmp_path / "sim.xlsx"
    build_report(
        db,
        settings,
        ANALYST,
        world["simulation"],
        "xlsx",
        MARK,
        out,
        encrypt_passphrase=PASSPHRASE,
        charts="matplotlib",
    )
    with pytest.raises((zipfile.BadZipFile, InvalidFileException)):
        openpyxl.load_workbook(out)
    assert not zipfile.is_zipfile(out)
    with out.open("rb") as stream:
        office = msoffcrypto.OfficeFile(stream)
        assert office.is_encrypted()
        plain = io.BytesIO()
        office.load_key(password=PASSPHRASE)
        office.decrypt(plain)
    book = openpyxl.load_workbook(plain)
    assert book["Report"]["A1"].value == MARK
    with out.open("rb") as stream:
        office = msoffcrypto.OfficeFile(stream)
        office.load_key(password="not the passphrase")
        with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
            office.decrypt(io.BytesIO())


@pytest.mark.slow
def test_two_exports_of_one_run_give_the_same_tables(
    db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    for kind in ("analysis", "optimisation"):
        run = world[kind]
        a = build_report(db, settings, ANALYST, run, "xlsx", MARK, tmp_path / f"{kind}1.xlsx", charts="matplotlib")
        b = build_report(db, settings, ANALYST, run, "xlsx", MARK, tmp_path / f"{kind}2.xlsx", charts="matplotlib")
        assert a.report_id == b.report_id
        assert _cells(a.path) == _cells(b.path)
        assert a.sha256 == b.sha256  # fixed creation date: even the bytes agree
        md1 = build_report(db, settings, ANALYST, run, "md", MARK, tmp_path / f"{kind}1.md")
        md2 = build_report(db, settings, ANALYST, run, "md", MARK, tmp_path / f"{kind}2.md")
        assert md1.path.read_bytes() == md2.path.read_bytes() and md1.sha256 == md2.sha256
        text = md1.path.read_text(encoding="utf-8")
        assert "## Data provenance" in text
        assert "| dataset content hash (sha256) | unknown |" not in text
    analysis = (tmp_path / "analysis1.md").read_text(encoding="utf-8")
    assert (
        "## Sources cited" in analysis
        and "U.S. Geological Survey" in analysis
        and "## Chokepoints" in analysis
        and "## Control points" in analysis
    )


def test_markdown_has_the_marking_at_top_and_bottom(
    db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    result = build_report(db, settings, ANALYST, world["simulation"], "md", MARK, tmp_path / "sim.md")
    lines = result.path.read_text(encoding="utf-8").strip().splitlines()
    assert MARK.upper() in lines[0] and MARK.upper() in lines[-1]
    assert result.report_id in lines[0] and result.report_id in lines[-1]
    text = "\n".join(lines)
    assert "## Disruption results" in text and "country:CHN=1" in text and world["simulation"] in text


def test_data_cannot_inject_html_markdown_or_formulas(
    db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    content = gather_content(
        get_run(db, world["evil"], actor=READER),
        run_tables(db, world["evil"], actor=READER),
        fmt="pdf",
        classification='X"; } body { display: none } @page { content: "',
        dataset_hash=None,
    )
    html = render_html(content)
    assert EVIL_NAME not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    style = html[html.index("<style>") : html.index("</style>")]
    assert "display: none" not in style and "\\000022" in style  # the marking is a hex-escaped CSS string
    assert 'content="X&#34;; } body' in html  # and an escaped attribute value in the meta tags
    assert css_string('a"b') == '"a\\000022b"'
    markdown = render_markdown(content)
    assert EVIL_NAME not in markdown and "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    # the PDF shows the name as text
    out = tmp_path / "evil.pdf"
    build_report(db, settings, ANALYST, world["evil"], "pdf", MARK, out, charts="matplotlib")
    assert EVIL_NAME in "".join(_pdftotext(out))
    # the XLSX neutralises formulas in every text cell
    xlsx = build_report(db, settings, ANALYST, world["evil"], "xlsx", MARK, tmp_path / "evil.xlsx", charts="matplotlib")
    values = [v for rows in _cells(xlsx.path).values() for row in rows for v in row if isinstance(v, str)]
    assert '\'=HYPERLINK("http://x","y")' in values and "'-2+3" in values and "'@SUM(A1)" in values
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)


def test_viewer_may_not_export_and_nothing_is_written(
    db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    before = len(_report_events(db))
    for fmt in ("pdf", "xlsx", "md"):
        out = tmp_path / f"denied.{fmt}"
        with pytest.raises(PermissionDeniedError, match="export"):
            build_report(db, settings, VIEWER, world["analysis"], fmt, MARK, out)
        assert not out.exists()
    assert len(_report_events(db)) == before
    assert list(tmp_path.iterdir()) == []


def test_each_export_is_audited_with_the_file_hash(
    db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    for fmt in ("md", "xlsx"):
        out = tmp_path / f"audited.{fmt}"
        result = build_report(db, settings, ANALYST, world["simulation"], fmt, MARK, out, charts="matplotlib")
        newest = _report_events(db)[0]
        assert newest["user"] == "ana" and newest["target"] == world["simulation"]
        details = newest["details"]
        assert isinstance(details, dict)
        assert details["sha256"] == result.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
        assert details["format"] == fmt and details["classification"] == MARK
        assert details["report_id"] == result.report_id
        assert (out.stat().st_mode & 0o777) == 0o600


def test_bad_requests_are_clear_errors(db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path) -> None:
    run = world["simulation"]
    with pytest.raises(DepsError, match="Markdown report cannot be encrypted"):
        build_report(db, settings, ANALYST, run, "md", MARK, tmp_path / "x.md", encrypt_passphrase=PASSPHRASE)
    with pytest.raises(DepsError, match="too short"):
        build_report(db, settings, ANALYST, run, "pdf", MARK, tmp_path / "x.pdf", encrypt_passphrase="short")
    with pytest.raises(DepsError, match="classification"):
        build_report(db, settings, ANALYST, run, "pdf", "  ", tmp_path / "x.pdf")
    with pytest.raises(DepsError, match="one line"):
        build_report(db, settings, ANALYST, run, "pdf", "A\nB", tmp_path / "x.pdf")
    with pytest.raises(DepsError, match="unknown report format"):
        build_report(db, settings, ANALYST, run, "docx", MARK, tmp_path / "x.docx")
    with pytest.raises(DepsError, match="no run"):
        build_report(db, settings, ANALYST, "nope", "md", MARK, tmp_path / "x.md")
    assert list(tmp_path.iterdir()) == []


SPECS = (
    ChartSpec("bars", "Loss per market", "bar", ("a", "b", "c"), (0.5, 0.25, 0.75), "market", "loss"),
    ChartSpec("line", "Frontier", "line", (0.0, 300.0, 1000.0), (13.8, 13.1, 12.9), "budget", "risk"),
    ChartSpec(
        "ranges", "Spend ranges", "range", ("x", "y"), (40.0, 10.0), "line", "MEUR", low=(20.0, 0.0), mark=(30.0, 5.0)
    ),
)


def test_optimisation_report_shows_ranges_sensitivity_and_a_numeric_frontier(
    db: Database, world: dict[str, Any]
) -> None:
    run = get_run(db, world["optimisation"], actor=READER)
    tables = run_tables(db, world["optimisation"], actor=READER)
    content = gather_content(run, tables, fmt="md", classification=MARK, dataset_hash=None)
    sections = {s.key: s for s in content.sections}
    allocation_tables = [t.name for t in sections["allocation"].tables]
    assert allocation_tables[:3] == ["allocation", "line_ranges", "market_ranges"]
    assert [t.name for t in sections["sensitivity"].tables] == ["tornado", "robust_plans"]
    charts = {c.key: c for c in content.charts}
    frontier = charts["frontier"]
    assert frontier.kind == "line" and frontier.x == (0.0, 300.0, 600.0)  # numbers: a linear budget axis
    ranges = charts["line_ranges"]
    line_ranges = tables["line_ranges"].set_index("action_line_id")
    for label, low, high, chosen in zip(ranges.x, ranges.low, ranges.y, ranges.mark, strict=True):
        row = line_ranges.loc[str(label)]
        assert (low, high, chosen) == (row["line_min_meur"], row["line_max_meur"], row["spend_meur"])
        assert low <= chosen + 1e-6 and chosen <= high + 1e-6
    tornado = charts["tornado"]
    assert len(tornado.x) == min(15, int(tables["tornado"]["objective_low"].notna().sum()))
    assert all(lo <= hi for lo, hi in zip(tornado.low, tornado.y, strict=True))
    assert tornado.line == pytest.approx(float(tables["tornado"]["objective_central"].dropna().iloc[0]))


def test_charts_render_through_matplotlib_when_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPS_REPORT_CHARTS", "matplotlib")
    charts = render_charts(SPECS)
    assert [c.engine for c in charts] == ["matplotlib"] * len(SPECS)
    assert all(c.png.startswith(b"\x89PNG\r\n\x1a\n") and len(c.png) > 2000 for c in charts)
    assert render_charts(SPECS)[0].png == charts[0].png  # deterministic
    monkeypatch.setenv("DEPS_REPORT_CHARTS", "nonsense")
    with pytest.raises(DepsError, match="unknown chart engine"):
        render_charts(SPECS)


def test_charts_render_through_kaleido_with_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    if not browser_available():
        pytest.skip("no chromium for kaleido (apt-get install chromium); the matplotlib path is tested above")
    monkeypatch.delenv("DEPS_REPORT_CHARTS", raising=False)
    charts = render_charts(SPECS, engine="auto")
    assert [c.engine for c in charts] == ["kaleido"] * len(SPECS)
    assert all(c.png.startswith(b"\x89PNG\r\n\x1a\n") for c in charts)


def _cli() -> typer.Typer:
    from deps.cli.report import report

    app = typer.Typer()
    app.command()(report)
    return app


@pytest.mark.slow
def test_cli_reads_the_passphrase_from_a_prompt_or_a_file_never_an_argument(
    settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    import pikepdf

    runner = CliRunner()
    base = ["--run", world["simulation"], "--classification", MARK, "--charts", "matplotlib"]
    prompted = tmp_path / "prompted.pdf"
    result = runner.invoke(_cli(), [*base, "--encrypt", "--out", str(prompted)], input=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert result.exit_code == 0, result.output
    assert PASSPHRASE not in result.output and "AES-256" in result.output
    pikepdf.open(prompted, password=PASSPHRASE).close()
    secret = tmp_path / "secret.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    from_file = tmp_path / "file.xlsx"
    result = runner.invoke(
        _cli(), [*base, "--format", "xlsx", "--passphrase-file", str(secret), "--out", str(from_file)]
    )
    assert result.exit_code == 0, result.output
    assert not zipfile.is_zipfile(from_file)
    result = runner.invoke(_cli(), [*base, "--passphrase", PASSPHRASE, "--out", str(tmp_path / "no.pdf")])
    assert result.exit_code != 0 and not (tmp_path / "no.pdf").exists()  # no such option exists
    result = runner.invoke(_cli(), [*base, "--format", "md", "--encrypt", "--out", str(tmp_path / "no.md")])
    assert result.exit_code != 0 and "Passphrase" not in result.output  # refused before asking
    assert "cannot be encrypted" in str(result.exception)


@given(st.text(max_size=60))
def test_escapers_never_let_markup_or_formulas_through(text: str) -> None:
    css = str(css_string(text))
    assert css.startswith('"') and css.endswith('"')
    assert set(css[1:-1]) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \\")
    md = md_escape(text)
    assert "<" not in md and ">" not in md and "\n" not in md
    assert all(md[i - 1] == "\\" for i, char in enumerate(md) if char == "|")
    assert not safe_text(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_analysis_report_of_a_fused_graph_lists_its_sources_and_conflicts(db: Database, world: dict[str, Any]) -> None:
    run = get_run(db, world["analysis"], actor=READER)
    tables = dict(run_tables(db, world["analysis"], actor=READER))
    assert "fusion" not in {
        s.key for s in gather_content(run, tables, fmt="md", classification=MARK, dataset_hash=None).sections
    }
    tables["sources"] = pd.DataFrame(
        {"node_id": ["mat_gallium", "mat_gallium"], "source": ["seed", "usgs:gallium"], "chosen": [False, True]}
    )
    tables["conflicts"] = pd.DataFrame(
        {
            "node_id": ["mat_gallium"],
            "supplier_id": ["CHN"],
            "year": [2022],
            "source_a": ["seed"],
            "share_a": [80.0],
            "source_b": ["usgs:gallium"],
            "share_b": [98.4],
            "difference_pp": [18.4],
        }
    )
    content = gather_content(run, tables, fmt="md", classification=MARK, dataset_hash=None)
    fusion = {s.key: s for s in content.sections}["fusion"]
    assert [t.name for t in fusion.tables] == ["fusion_sources", "source_conflicts"]
    assert "2 candidate sources, 1 of them chosen. 1 node, supplier and year combinations" in fusion.paragraphs[0]


def test_other_run_kinds_list_every_stored_table(
    db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    screen = pd.DataFrame({"hs6": ["854231", "280461"], "eu_hhi": [0.62, 0.41], "flag": [True, False]})
    transit = pd.DataFrame({"hs6": ["854231"], "reexport_ratio": [0.7]})
    run = record_run(
        db,
        kind="screen",
        parameters={"year": 2022},
        inputs_hash="1" * 64,
        actor=Actor("ana", "admin"),
        tables={"screen": screen, "transit": transit},
    )
    text = build_report(db, settings, ANALYST, run, "md", MARK, tmp_path / "screen.md").path.read_text(encoding="utf-8")
    assert "## EU screen" in text and "### screen (2 rows)" in text and "### transit (1 rows)" in text
    assert "| 854231 | 0.62 | yes |" in text and "| year | 2022 |" in text


def test_a_kaleido_call_that_hangs_falls_back_to_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """kaleido's sync server waits without a time limit: a chart it does not return in time is drawn by matplotlib,
    and so is every later chart of the process (no second wait on a stuck browser, none at exit)."""
    import kaleido

    from deps.reports import charts

    calls: list[int] = []
    never = threading.Event()

    def hang(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        never.wait(30)  # a browser that does not answer (released when the test ends)
        return b""

    monkeypatch.setattr(charts, "KALEIDO_TIMEOUT_S", 0.2)
    monkeypatch.setattr(charts, "_server_stuck", False)
    monkeypatch.setattr(charts, "_ensure_server", lambda: None)
    monkeypatch.setattr(kaleido, "calc_fig_sync", hang)
    try:
        drawn = charts.render_charts(SPECS, engine="kaleido") if browser_available() else None
        if drawn is None:
            pytest.skip("no chromium: the kaleido engine cannot be chosen")
        assert {chart.engine for chart in drawn} == {"matplotlib"} and len(calls) == 1
        assert all(chart.png.startswith(b"\x89PNG") for chart in drawn)
        assert charts._server_stuck
    finally:
        never.set()
