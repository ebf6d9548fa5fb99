"""Dutch texts of the Effect assumptions page (merged into :data:`app_pages.texts.NL`)."""

from __future__ import annotations

__all__ = ["ASSUMPTIONS_NL"]

ASSUMPTIONS_NL: dict[str, str] = {
    "Effect assumptions": "Effectaannames",
    "Editing effect assumptions needs the analyst role.": "Effectaannames bewerken vraagt de rol analist.",
    "Each segment removes a fraction of a target's baseline risk per EUR million spent. Give the low, central and "
    "high value of the evidence and say where it comes from; every save is a new version.": (
        "Elk segment neemt per miljoen euro een deel van het basisrisico van een doel weg. Geef de lage, centrale en "
        "hoge waarde van het bewijs en zeg waar het vandaan komt; elke keer opslaan maakt een nieuwe versie."
    ),
    "Assumption set": "Set aannames",
    "New set from the dataset's effect curves": "Nieuwe set uit de effectcurven van de dataset",
    "Name of the new set": "Naam van de nieuwe set",
    "dataset {name} version {version}": "dataset {name} versie {version}",
    "Segments (starting from {base})": "Segmenten (uitgaande van {base})",
    "What changed and why": "Wat is er veranderd en waarom",
    "Save as new version": "Opslaan als nieuwe versie",
    "Give the new set a name.": "Geef de nieuwe set een naam.",
    "The set was not saved: {n} problem(s) to fix.": "De set is niet opgeslagen: {n} probleem/problemen op te lossen.",
    "Saved {ref} ({n} segments).": "{ref} opgeslagen ({n} segmenten).",
    "Versions": "Versies",
    "Action line": "Actielijn",
    "Dependency kind": "Soort afhankelijkheid",
    "Segment": "Segment",
    "Length (EUR million)": "Lengte (miljoen euro)",
    "Low slope": "Lage helling",
    "Central slope": "Centrale helling",
    "High slope": "Hoge helling",
    "Source": "Bron",
    "Evidence": "Bewijs",
    "Confidence": "Betrouwbaarheid",
    "Judged by (role)": "Beoordeeld door (rol)",
    "Reasoning": "Redenering",
}
