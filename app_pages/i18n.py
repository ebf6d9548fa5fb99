"""The app's Dutch string table: every visible English text maps to its Dutch wording.

:func:`t` returns the text in the language chosen in the sidebar (``st.session_state["lang"]``, ``en`` or ``nl``);
texts missing from :data:`NL` stay English.  Action lines and markets carry their official Dutch names in the
data (``name_nl``); :func:`label_column` picks the right column.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["LANGUAGES", "NL", "label_column", "language", "t"]

LANGUAGES = ("en", "nl")

NL: dict[str, str] = {
    # navigation and pages
    "Overview": "Overzicht",
    "Supply-chain explorer": "Ketenverkenner",
    "Chokepoints & control points": "Knelpunten & controlepunten",
    "EU screen": "EU-toets",
    "Disruption simulator": "Verstoringssimulator",
    "Optimiser": "Optimalisatie",
    "Batches": "Reeksen",
    "Reports": "Rapporten",
    "Data": "Gegevens",
    "Admin": "Beheer",
    "Log in": "Inloggen",
    "Log out": "Uitloggen",
    # login
    "User name": "Gebruikersnaam",
    "Password": "Wachtwoord",
    "Log in to see the data.": "Log in om de gegevens te zien.",
    "Your session expired after inactivity: log in again.": "Uw sessie is verlopen door inactiviteit: log opnieuw in.",
    "Your account is no longer active: log in again.": "Uw account is niet meer actief: log opnieuw in.",
    "Signed in as": "Ingelogd als",
    "Language": "Taal",
    "Dataset": "Dataset",
    # common
    "Download CSV": "Download CSV",
    "Download XLSX": "Download XLSX",
    "Source": "Bron",
    "Run": "Uitvoeren",
    "Search": "Zoeken",
    "Sector": "Sector",
    "Market": "Markt",
    "Country": "Land",
    "Node": "Knoop",
    # overview
    "Risk by focus market and sector": "Risico per focusmarkt en sector",
    "Top chokepoints": "Belangrijkste knelpunten",
    "The Netherlands' control points": "Controlepunten van Nederland",
    "Data coverage": "Dekking van de gegevens",
    "Dataset in use": "Gebruikte dataset",
    "Nodes": "Knopen",
    "Final products": "Eindproducten",
    "Nodes with known shares": "Knopen met bekende aandelen",
    "Nodes below 50% coverage": "Knopen onder 50% dekking",
    "Chokepoints": "Knelpunten",
    "Control points": "Controlepunten",
    # explorer
    "Suppliers": "Leveranciers",
    "Upstream chain": "Keten stroomopwaarts",
    "Downstream chain": "Keten stroomafwaarts",
    "Evidence": "Bewijs",
    # chokepoints
    "Mutual dependency per partner country": "Wederzijdse afhankelijkheid per partnerland",
    "Flags": "Markeringen",
    # simulator
    "Shocks": "Schokken",
    "Scenario A": "Scenario A",
    "Scenario B": "Scenario B",
    "Run simulation": "Simulatie uitvoeren",
    "Losses per market": "Verliezen per markt",
    "Losses per final product": "Verliezen per eindproduct",
    "Compare": "Vergelijken",
    # optimiser
    "Budget (EUR million)": "Budget (mln euro)",
    "Run optimisation": "Optimalisatie uitvoeren",
    "Allocation": "Toewijzing",
    "Residual risk": "Restrisico",
    "Shadow prices": "Schaduwprijzen",
    "Why not funded": "Waarom niet gefinancierd",
    "Efficient frontier": "Efficiënte grens",
    "Monte Carlo funding frequencies": "Monte Carlo financieringsfrequenties",
    "Effect assumptions": "Effectaannames",
    "Action line": "Actielijn",
    # batches
    "Start batch": "Reeks starten",
    "Stored batches": "Opgeslagen reeksen",
    # reports
    "A classified report of a stored run; every report is logged in the audit log with the file's SHA-256.": (
        "Een gerubriceerd rapport van een opgeslagen berekening; elk rapport wordt met de SHA-256 van het bestand "
        "in de auditlog vastgelegd."
    ),
    "No runs are stored yet: run an analysis, simulation or optimisation first.": (
        "Er zijn nog geen berekeningen opgeslagen: voer eerst een analyse, simulatie of optimalisatie uit."
    ),
    "Kind of run": "Soort berekening",
    "all kinds": "alle soorten",
    "Stored run": "Opgeslagen berekening",
    "Format": "Formaat",
    "Classification marking": "Rubricering",
    "Watermark (PDF)": "Watermerk (PDF)",
    "Fast charts (matplotlib)": "Snelle grafieken (matplotlib)",
    "Draw the charts with matplotlib instead of kaleido: quicker, plainer.": (
        "Teken de grafieken met matplotlib in plaats van kaleido: sneller, eenvoudiger."
    ),
    "Encrypt with a passphrase": "Versleutelen met een wachtwoordzin",
    "AES-256 PDF or password-protected XLSX; a Markdown report cannot be encrypted.": (
        "AES-256-PDF of met een wachtwoord beveiligde XLSX; een Markdown-rapport kan niet worden versleuteld."
    ),
    "Passphrase (at least 12 characters)": "Wachtwoordzin (minstens 12 tekens)",
    "Passphrase again": "Wachtwoordzin nogmaals",
    "Build report": "Rapport maken",
    "Choose a stored run first.": "Kies eerst een opgeslagen berekening.",
    "The two passphrases differ: type the same passphrase twice.": (
        "De twee wachtwoordzinnen verschillen: typ twee keer dezelfde wachtwoordzin."
    ),
    "Building the report (long analysis PDFs take 10 s or more)...": (
        "Het rapport wordt gemaakt (lange analyse-PDF's duren 10 s of meer)..."
    ),
    "The report could not be written": "Het rapport kon niet worden geschreven",
    "Report built": "Rapport gemaakt",
    "Report id": "Rapport-id",
    "Run id": "Berekenings-id",
    "marked": "gerubriceerd",
    "encrypted": "versleuteld",
    "watermark": "watermerk",
    "charts": "grafieken",
    "Download": "Download",
    # data, admin
    "Import": "Importeren",
    "Dataset versions": "Datasetversies",
    "What changed between versions": "Wat veranderde tussen versies",
    "Users and roles": "Gebruikers en rollen",
    "Audit log": "Auditlog",
    "Verify audit chain": "Auditketen controleren",
}


def language() -> str:
    """The chosen interface language (``en`` or ``nl``)."""
    lang = st.session_state.get("lang", "en")
    return lang if lang in LANGUAGES else "en"


def t(text: str) -> str:
    """``text`` in the chosen language (English when the table has no Dutch wording)."""
    return NL.get(text, text) if language() == "nl" else text


def label_column() -> str:
    """The name column of markets and action lines to show: ``name_nl`` in Dutch mode, ``name_en`` otherwise."""
    return "name_nl" if language() == "nl" else "name_en"
