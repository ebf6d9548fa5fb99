"""Regenerate ``data/observed_provision.csv`` from the original USGS, IEA and EU CRM files in ``../shared/data``.

Usage (from the repository root)::

    .venv/bin/python scripts/build_observed_extract.py [--shared ../shared/data] [--check]

The extract holds, for each seed node that ``data/commodity_map.csv`` maps with role ``primary``, the country and
residual shares of every reference year the releases give (USGS 2021-2025, IEA 2023; for nodes USGS and IEA do not
cover, the EU CRM study 2023's global supply shares, :mod:`deps.ingest.eucrm`), each year from one release:
observed before estimated, then the newest release that has the year (rule in :mod:`deps.ingest.extract`).  Every
row keeps its source, release, file and row.  ``--check`` rebuilds it in memory and
exits with status 1 when it differs from the file in ``data/`` (the test suite runs this).  The same originals
always give a byte-identical file.  Licences: USGS data are US public domain; IEA data are CC BY 4.0; the EU CRM
study's figures are reused with acknowledgement (Commission Decision 2011/833/EU; transcription CC BY 4.0); see
``data/README.md``.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from deps.ingest.eucrm import validate_eucrm
from deps.ingest.extract import build_extract, read_map
from deps.ingest.iea import validate_iea
from deps.ingest.usgs import validate_usgs

ROOT = Path(__file__).resolve().parent.parent
IEA_FILE = Path("iea-critical-minerals-2024") / "CM_Data_Explorer May 2024 (2).xlsx"
EUCRM_FILE = Path("eu-crm-assessment") / "crm-producer-shares.csv"
MAX_BYTES = 50_000_000


def build(shared: Path) -> str:
    """The extract's CSV text."""
    observed = {
        "usgs": validate_usgs(shared / "usgs-mcs", max_bytes=MAX_BYTES),
        "iea": validate_iea(shared / IEA_FILE, max_bytes=MAX_BYTES),
        "eucrm": validate_eucrm(shared / EUCRM_FILE, max_bytes=MAX_BYTES),
    }
    frame = build_extract(read_map(ROOT / "data" / "commodity_map.csv"), observed)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def main() -> int:
    """Build (or check) the extract; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--check", action="store_true", help="compare with data/observed_provision.csv only")
    args = parser.parse_args()
    target = ROOT / "data" / "observed_provision.csv"
    text = build(args.shared)
    if args.check:
        same = target.is_file() and target.read_text(encoding="utf-8") == text
        sys.stdout.write("up to date\n" if same else "differs: run scripts/build_observed_extract.py\n")
        return 0 if same else 1
    target.write_text(text, encoding="utf-8", newline="")
    sys.stdout.write(f"wrote {target.relative_to(ROOT)} ({text.count(chr(10)) - 1} rows)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
