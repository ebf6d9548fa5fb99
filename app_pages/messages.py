"""The service layer's English messages in Dutch: errors the app shows, validation problems and their fixes, the
explanations of the supply-risk and trends services.

The ``deps`` package and the engines write their messages in English (the CLI stays English); the app translates them
at its boundary.  Each entry is an English pattern with ``{name:type}`` fields and its Dutch wording, in the form of
:class:`app_pages.sentences.Template` (which joins them to its :data:`~app_pages.sentences.TEMPLATES`): numbers, ids,
names, file names and sources pass through, coded words (``critical``, the descriptions of a column's values) are
translated through :data:`WORDS`.  A message none of them matches stays English, and the Dutch-page tests say so.

Pure data, no Streamlit.
"""

from __future__ import annotations

from app_pages.messages_ingest import INGEST_MESSAGES, INGEST_WORDS
from app_pages.messages_scenario import SCENARIO_MESSAGES
from app_pages.messages_service import SERVICE_MESSAGES, SERVICE_WORDS

__all__ = ["MESSAGES", "WORDS"]

#: Coded words inside the messages and their Dutch wording (field types of the same name).
WORDS: dict[str, dict[str, str]] = {
    "criticality": {
        "criticality not assessed (no EI)": "kritikaliteit niet beoordeeld (geen EI)",
        "possibly critical": "mogelijk kritiek",
        "critical": "kritiek",
        "not critical": "niet kritiek",
    },
    "scenario_part": {"weight": "gewicht", "shock": "schok"},
    "matches": {
        "target_id or market": "target_id of focusmarkt",
        "target_id or supplier or market": "target_id, leverancier of focusmarkt",
    },
    # what a validated column should hold (deps.ingest: ``what=`` of the checks)
    "what": {
        "a year": "een jaartal",
        "a 6-digit HS 1992 code": "een HS-1992-code van 6 cijfers",
        "a value in thousand USD": "een waarde in duizend USD",
        "a quantity in tonnes": "een hoeveelheid in ton",
        "an ISO 3166-1 alpha-3 code (or S19 for BACI's Other Asia, n.e.s.)": (
            "een ISO 3166-1 alpha-3-code (of `S19` voor `Other Asia, n.e.s.` van BACI)"
        ),
        "an ISO 3166-1 alpha-3 code or a World Bank economy code": (
            "een ISO 3166-1 alpha-3-code of een economiecode van de Wereldbank"
        ),
        "an ISO 3166-1 alpha-3 code": "een ISO 3166-1 alpha-3-code",
        "the economy's name": "de naam van de economie",
        "a WGI estimate": "een WGI-schatting",
        "the source_id of a row in sources": "de source_id van een regel in `sources`",
        "a short unique id": "een korte unieke id",
        "the title of the publication": "de titel van de publicatie",
        "the country's name": "de naam van het land",
        "a unique node id": "een unieke knoop-id",
        "the node's name": "de naam van de knoop",
        "a type share in percent": "een aandeel van de soort in procenten",
        "a substitutability factor": "een vervangbaarheidsfactor",
        "a unique firm id": "een unieke bedrijfs-id",
        "the firm's name": "de naam van het bedrijf",
        "an ISO3 code or a firm_id": "een ISO3-code of een firm_id",
        "a share in percent": "een aandeel in procenten",
    },
    # what a file is, in a validation summary (deps.ingest, deps.services: ``DataValidationError(..., summary)``)
    "file_kind": {
        "BACI file": "BACI-bestand",
        "WGI file": "WGI-bestand",
        "FDA DECRS file": "FDA-DECRS-bestand",
        "IEA workbook": "IEA-werkmap",
        "USGS release": "USGS-publicatie",
        "EU CRM shares": "EU-CRM-aandelen",
        "product table": "producttabel",
        "CSET folder": "CSET-map",
        "template": "sjabloon",
        "scenario": "scenario",
        "batch": "batchbestand",
        "assumption set file": "bestand met effectaannames",
    },
    # duplicate keys (deps.ingest.validation: ``unique(..., what=)``)
    "duplicate": {
        "flow": "handelsstroom",
        "edge": "verbinding",
        "provision row": "leveranciersregel",
        "country code": "landcode",
        "source_id": "source_id",
        "market_id": "market_id",
        "action_line_id": "action_line_id",
        "node_id": "node_id",
        "firm_id": "firm_id",
        "id": "id",
    },
}

for _vocabulary, _words in (*INGEST_WORDS.items(), *SERVICE_WORDS.items()):
    WORDS[_vocabulary] = {**WORDS.get(_vocabulary, {}), **_words}

#: Every message as (English pattern, Dutch wording), grouped by where it is written.
MESSAGES: tuple[tuple[str, str], ...] = (
    # supplychain.supply_risk (deps supply-risk): the governance-weighted supply risk of a material
    (
        "{material:name}: SR = [{global_hhi:n} x {ir:n}/2 + {eu_hhi:n} x (1 - {ir_again:n}/2)] x (1 - {eol:n}) x "
        "{si:n} = {sr:n} (threshold {threshold:n}; EI threshold {ei:n}): {verdict:criticality}",
        "{material}: SR = [{global_hhi} x {ir}/2 + {eu_hhi} x (1 - {ir_again}/2)] x (1 - {eol}) x {si} = {sr} "
        "(drempel {threshold}; EI-drempel {ei}): {verdict}",
    ),
    (
        "{material:name}: SR at least {low:n} and at most {high:n} (IR is an interval) (threshold {threshold:n}; "
        "EI threshold {ei:n}): {verdict:criticality}",
        "{material}: SR minstens {low} en hoogstens {high} (IR is een interval) (drempel {threshold}; "
        "EI-drempel {ei}): {verdict}",
    ),
    (
        "{material:name}: SR at least {low:n} and at most {high:n} (known shares cover {coverage:n}) "
        "(threshold {threshold:n}; EI threshold {ei:n}): {verdict:criticality}",
        "{material}: SR minstens {low} en hoogstens {high} (bekende aandelen dekken {coverage}) "
        "(drempel {threshold}; EI-drempel {ei}): {verdict}",
    ),
    (
        "over every completion of the unknown shares between {low:n} and {high:n}",
        "over elke aanvulling van de onbekende aandelen tussen {low} en {high}",
    ),
    ("assumed: {columns:columns}", "aangenomen: {columns}"),
    ("share without governance score {gap:n}", "aandeel zonder bestuursscore {gap}"),
    # supplychain.trends (deps trends): the first-to-last change of a node's concentration
    (
        "HHI {first:int} {first_hhi:range} -> {last:int} {last_hhi:range}: change {change:range} "
        "(rising when >= {delta:n}): {flag:flag}",
        "HHI {first} {first_hhi} -> {last} {last_hhi}: verandering {change} (stijgend bij >= {delta}): {flag}",
    ),
    ("top supplier {supplier:name} in both years", "grootste leverancier {supplier} in beide jaren"),
    ("top supplier {first:name} -> {last:name}", "grootste leverancier {first} -> {last}"),
    # deps.errors.DataValidationError: the summary line and the report's first line
    ("{kind:file_kind} {file:file}", "{kind} {file}"),
    ("scenario references", "verwijzingen in het scenario"),
    (
        "{summary:name}: {n:int} problem(s); nothing was written.",
        "{summary}: {n} probleem/problemen; er is niets geschreven.",
    ),
    # deps.ingest.reader and deps.ingest.validation: problems of any imported table, and their fixes
    ("file not found", "bestand niet gevonden"),
    ("check the path and the file name", "controleer het pad en de bestandsnaam"),
    ("the file is empty", "het bestand is leeg"),
    ("export the table with its header row", "exporteer de tabel met de kopregel"),
    ("the file holds no text", "het bestand bevat geen tekst"),
    ("add a header row", "voeg een kopregel toe"),
    ("the header row is empty", "de kopregel is leeg"),
    ("put the column names in row 1", "zet de kolomnamen in regel 1"),
    ("required column is missing", "verplichte kolom ontbreekt"),
    ("add a header cell named {column:quoted}", "voeg een kopcel toe met de naam {column}"),
    ("unexpected column", "onverwachte kolom"),
    ("remove it or check the spelling of the header", "verwijder haar of controleer de spelling van de kop"),
    ("column appears twice in the header", "kolom staat twee keer in de kopregel"),
    ("keep one of them", "houd er één van over"),
    ("value is missing", "waarde ontbreekt"),
    ("fill in {what:what}", "vul {what} in"),
    (
        "text is {length:int} characters long (limit {limit:int})",
        "tekst is {length} tekens lang (grens {limit})",
    ),
    ("shorten it", "maak hem korter"),
    (
        "{value:quoted} is ambiguous: a comma may be a thousands separator or a decimal comma",
        "{value} is dubbelzinnig: een komma kan een scheidingsteken voor duizendtallen of een decimale komma zijn",
    ),
    ("{value:quoted} is not a number", "{value} is geen getal"),
    ("write {what:what} with a dot as decimal sign", "schrijf {what} met een punt als decimaalteken"),
    ("{value:quoted} is not a finite number", "{value} is geen eindig getal"),
    ("write {what:what}", "schrijf {what}"),
    ("{value:n} is out of range", "{value} valt buiten het bereik"),
    ("use a value between {low:n} and {high:n}", "gebruik een waarde tussen {low} en {high}"),
    ("use a value at least {low:n}", "gebruik een waarde van minstens {low}"),
    ("use a value at most {high:n}", "gebruik een waarde van hoogstens {high}"),
    ("use 0-100 (%)", "gebruik 0-100 (%)"),
    ("use 0-1", "gebruik 0-1"),
    ("{value:n} is not a whole number", "{value} is geen geheel getal"),
    ("{value:quoted} is not allowed", "{value} is niet toegestaan"),
    ("use one of {choices:name}", "gebruik een van {choices}"),
    ("unknown code {value:quoted}", "onbekende code {value}"),
    ("use {what:what}", "gebruik {what}"),
    ("unknown item(s) {items:name}", "onbekende waarde(n) {items}"),
    ("use items from {choices:name}", "gebruik waarden uit {choices}"),
    (
        "give each row its own {what:duplicate}, or remove the repeated row",
        "geef elke regel een eigen {what}, of verwijder de herhaalde regel",
    ),
    (
        "duplicate {what:duplicate} {key:name} (first at row {row:int})",
        "dubbele {what} {key} (eerst in regel {row})",
    ),
    # deps.ingest.baci
    ("{value:quoted} is not a 6-digit HS code", "{value} is geen HS-code van 6 cijfers"),
    ("write six digits, keeping leading 0s", "schrijf zes cijfers, met de voorloopnullen"),
    (
        "BACI has one row per year, exporter, importer and product: remove or merge the repeated row",
        "BACI heeft één regel per jaar, exporteur, importeur en product: verwijder of voeg de herhaalde regel samen",
    ),
    # deps.ingest.template
    (
        "a template is a folder of CSV files or an XLSX workbook",
        "een sjabloon is een map met CSV-bestanden of een XLSX-werkmap",
    ),
    (
        "provide tables named {tables:name} (nodes is required); see the README's template section",
        "lever tabellen met de namen {tables} (nodes is verplicht); zie het sjabloondeel van de `README`",
    ),
    # deps.store.queries, deps.services.runs: a name that does not exist
    ("no dataset {name:quoted}; available: {names:name}", "geen dataset {name}; beschikbaar: {names}"),
    ("none (run `deps init`)", "geen (voer `deps init` uit)"),
    (
        "no run with id {run:quoted}; `deps runs list` shows the stored runs",
        "geen berekening met id {run}; `deps runs list` toont de opgeslagen berekeningen",
    ),
    ("no run with id {run:quoted}", "geen berekening met id {run}"),
    # deps.services.analysis: the EU screen, shocks, the graph
    (
        "dataset {dataset:quoted} has no trade flows; import one with `deps import baci FILE`",
        "dataset {dataset} heeft geen handelsstromen; importeer ze met `deps import baci FILE`",
    ),
    (
        "dataset {dataset:quoted} has no trade flows for {year:int}; it has {years:name}",
        "dataset {dataset} heeft geen handelsstromen voor {year}; wel voor {years}",
    ),
    (
        "no country is a member of bloc {bloc:quoted}; load the seed (`deps init`) first",
        "geen land is lid van het blok {bloc}; laad eerst de basisgegevens (`deps init`)",
    ),
    (
        "dataset {dataset:quoted} has no nodes to analyse (is it a trade-flow or governance dataset?)",
        "dataset {dataset} heeft geen knopen om te analyseren (is het een dataset met handelsstromen of "
        "bestuursscores?)",
    ),
    (
        "shock {shock:quoted}: the fraction {fraction:quoted} is not a number between 0 and 1",
        "schok {shock}: de fractie {fraction} is geen getal tussen 0 en 1",
    ),
    (
        "shock {shock:quoted}: write COUNTRY=F, country:ISO3=F, firm:ID=F or node:ID=F (F between 0 and 1), "
        "optionally @NODE+NODE to limit it to those nodes",
        "schok {shock}: schrijf COUNTRY=F, country:ISO3=F, firm:ID=F of node:ID=F (`F` tussen 0 en 1), eventueel "
        "`@NODE+NODE` om haar tot die knopen te beperken",
    ),
    (
        "no {kind:shock_kind} {target:quoted} in dataset {dataset:quoted}",
        "geen {kind} {target} in dataset {dataset}",
    ),
    ("similar ids: {ids:name}", "vergelijkbare id's: {ids}"),
    (
        "{kind:shock_kind} {target:quoted} supplies no node in the data",
        "{kind} {target} levert aan geen enkele knoop in de gegevens",
    ),
    ("check the id", "controleer de id"),
    # deps.services.optimisation
    (
        "dataset {dataset:quoted} has no dependency with a known share and downstream reach to target",
        "dataset {dataset} heeft geen afhankelijkheid met een bekend aandeel en bereik stroomafwaarts om op te richten",
    ),
    (
        "no action lines in the database; run `deps init` to load the seed",
        "geen actielijnen in de database; voer `deps init` uit om de basisgegevens te laden",
    ),
    # optimizer.policy and optimizer.inputs: impossible numbers of a policy (a scenario's constraints)
    (
        "budget {value:name} must be a finite number >= 0 (EUR million)",
        "budget {value} moet een eindig getal >= 0 zijn (mln euro)",
    ),
    (
        "{line:name}: minimum {value:n} must be a finite number >= 0",
        "{line}: minimum {value} moet een eindig getal >= 0 zijn",
    ),
    ("{constraint:constraint} = {value:n} must be >= 0", "{constraint} = {value} moet >= 0 zijn"),
    ("{constraint:constraint} = {value:n} must lie in [0, 1]", "{constraint} = {value} moet in [0, 1] liggen"),
    ("default_target_cap_meur must be >= 0", "default_target_cap_meur moet >= 0 zijn"),
    ("year budget {year:int} = {value:n} must be >= 0", "jaarbudget {year} = {value} moet >= 0 zijn"),
    ("leverage_weight {value:n} must be >= 0", "leverage_weight {value} moet >= 0 zijn"),
    (
        "{label:name}: unknown action line {line:quoted}; use one of {lines:name}",
        "{label}: onbekende actielijn {line}; gebruik een van {lines}",
    ),
    (
        "{label:name}: unknown market {market:quoted}; use one of {markets:name}",
        "{label}: onbekende focusmarkt {market}; gebruik een van {markets}",
    ),
    ("{label:name}: unknown action line {line:quoted}", "{label}: onbekende actielijn {line}"),
    ("{label:name}: unknown target {target:quoted}", "{label}: onbekend doel {target}"),
    # optimizer.batch: a batch scenario that cannot be solved (stored as "ScenarioError: ...")
    (
        "{label:scenario_part} key {key:quoted} matches no {names:matches}",
        "{label}: sleutel {key} past bij geen {names}",
    ),
    (
        "{label:scenario_part} multiplier for {key:quoted} must be finite and >= 0, got {value:n}",
        "{label}: vermenigvuldiger voor {key} moet eindig en >= 0 zijn, gegeven {value}",
    ),
    (
        "effect assumption names unknown action lines {lines:name}",
        "de effectaanname noemt onbekende actielijnen {lines}",
    ),
    ("effect multipliers must be >= 0", "vermenigvuldigers van effecten moeten >= 0 zijn"),
    ("budgets must be finite and >= 0 (EUR million)", "budgetten moeten eindig en >= 0 zijn (mln euro)"),
    # deps.access: passwords and sessions
    (
        "the password is too short ({length:int} characters): use at least {least:int}, for example four or five "
        "unrelated words",
        "het wachtwoord is te kort ({length} tekens): gebruik er minstens {least}, bijvoorbeeld vier of vijf "
        "losse woorden",
    ),
    ("the password is longer than {most:int} characters", "het wachtwoord is langer dan {most} tekens"),
    (
        "the password for {name:quoted} is too short ({length:int} characters): use at least {least:int}, or leave "
        "it out to get a generated one",
        "het wachtwoord voor {name} is te kort ({length} tekens): gebruik er minstens {least}, of laat het weg "
        "voor een gegenereerd wachtwoord",
    ),
    (
        "the password for {name:quoted} is longer than {most:int} characters",
        "het wachtwoord voor {name} is langer dan {most} tekens",
    ),
    (
        "the password for {name:quoted} must not be the user name",
        "het wachtwoord voor {name} mag niet de gebruikersnaam zijn",
    ),
    ("the new password must differ from the current one", "het nieuwe wachtwoord moet anders zijn dan het huidige"),
    ("the session has ended: log in again", "de sessie is beëindigd: log opnieuw in"),
    ("the session expired after inactivity: log in again", "de sessie is verlopen door inactiviteit: log opnieuw in"),
    ("the account is unknown or inactive: log in again", "het account is onbekend of inactief: log opnieuw in"),
    (
        "user {name:quoted} does not exist; see `deps users list`",
        "gebruiker {name} bestaat niet; zie `deps users list`",
    ),
    (
        "user {name:quoted} exists already; pick another name or change that user's role",
        "gebruiker {name} bestaat al; kies een andere naam of wijzig de rol van die gebruiker",
    ),
    ("user {name:quoted} exists already; pick another name", "gebruiker {name} bestaat al; kies een andere naam"),
    (
        "{name:quoted} is the last active admin: make another user admin first",
        "{name} is de laatste actieve beheerder: maak eerst een andere gebruiker beheerder",
    ),
    ("role {role:quoted} is unknown: use one of {roles:name}", "rol {role} is onbekend: gebruik een van {roles}"),
    # deps.ingest: the format-specific problems and fixes of the importers (app_pages.messages_ingest)
    *INGEST_MESSAGES,
    # deps.services: scenario, batch and assumption-set files (app_pages.messages_scenario)
    *SCENARIO_MESSAGES,
    # deps.services, deps.access, deps.store and deps.reports: the errors they raise (app_pages.messages_service)
    *SERVICE_MESSAGES,
)
