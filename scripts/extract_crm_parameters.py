"""Regenerate ``data/crm_parameters.csv``: EU CRM assessment parameters for the seed's materials.

Reads ``../shared/data/eu-crm-assessment/crm-parameters.csv`` (see its SOURCE.md) and keeps, for
each seed material that the European Commission's 2017 criticality study assessed under a clearly
matching name, the values the supply-risk formula needs beside the shares: the end-of-life
recycling input rate (EoL-RIR, Table 3) and the substitution index for supply risk (SI(SR),
Table 18), plus the study's own import reliance, SR and EI for comparison. The 2017 study is the
only source read with all of them (the 2023 study's IR, EoL-RIR and SI were not found); every row
says so. Usage, from the repository root::

    python scripts/extract_crm_parameters.py [--shared ../shared/data] [--out data/crm_parameters.csv]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

# seed node_id -> material name in the 2017 study (group averages only where the study gives no single material)
MAPPING = {
    "mat_bauxite_alumina": "Bauxite",
    "mat_gallium": "Gallium",
    "mat_germanium": "Germanium",
    "mat_rare_earth_ore": "LREEs (group average)",
    "chem_ndpr_oxide": "LREEs (group average)",
    "chem_heavy_ree": "HREEs (group average)",
    "mat_boron": "Borate",
    "mat_magnesium": "Magnesium",
    "mat_aluminium": "Aluminium",
    "mat_fluorspar": "Fluorspar",
    "mat_phosphate_rock": "Phosphate rock",
    "chem_phosphorus": "Phosphorus",
    "mat_lithium_ore": "Lithium",
    "mat_platinum": "Platinum",
    "mat_palladium": "Palladium",
    "mat_iridium": "Iridium",
    "mat_cobalt_mine": "Cobalt",
    "mat_nickel": "Nickel",
    "mat_graphite_natural": "Natural graphite",
    "mat_tungsten": "Tungsten",
    "mat_antimony": "Antimony",
    "mat_silicon_metal": "Silicon metal",
    "mat_helium": "Helium",
    "mat_hafnium": "Hafnium",
    "mat_niobium": "Niobium",
    "mat_indium": "Indium",
}
COLUMNS = [
    "node_id",
    "crm_material",
    "assessment_year",
    "eol_rir",
    "substitution_index",
    "import_reliance_published",
    "supply_risk_published",
    "economic_importance_published",
    "source",
    "page_or_table",
    "note",
]


def _fraction(text: str) -> str:
    return "" if text == "" else f"{float(text) / 100:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("data/crm_parameters.csv"))
    args = parser.parse_args()
    with (args.shared / "eu-crm-assessment" / "crm-parameters.csv").open(encoding="utf-8", newline="") as handle:
        rows = {r["material"]: r for r in csv.DictReader(handle) if r["assessment_year"] == "2017"}
    out = []
    for node, material in sorted(MAPPING.items()):
        r = rows[material]
        group = "group average of the study used for this node; " if "group average" in material else ""
        out.append(
            {
                "node_id": node,
                "crm_material": material,
                "assessment_year": r["assessment_year"],
                "eol_rir": _fraction(r["eol_rir"]),
                "substitution_index": r["si_sr"],
                "import_reliance_published": _fraction(r["ir"]),
                "supply_risk_published": r["sr"],
                "economic_importance_published": r["ei"],
                "source": f"{r['source_title']} {r['source_url']}",
                "page_or_table": r["page_or_table"],
                "note": f"{group}2017 values (data about 2010-2014); extracted from eu-crm-assessment by this script",
            }
        )
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)


if __name__ == "__main__":
    main()
