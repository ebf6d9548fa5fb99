"""The errors of the service, access, store and report layers in Dutch: what ``raise SomeError("...")`` says in
``deps/services``, ``deps/access``, ``deps/store`` and ``deps/reports`` when the app shows it.

Entries have the form of :mod:`app_pages.messages` (which joins them to its :data:`~app_pages.messages.MESSAGES`,
and the vocabularies of :data:`SERVICE_WORDS` to its :data:`~app_pages.messages.WORDS`).  Commands, settings and
options a message names (``deps init``, ``DEPS_DATABASE_URL``, ``--format``) stay as they are; so do the reasons a
driver or the operating system gives (the ``{reason:rest}`` fields).  ``tests/test_app_service_messages.py`` reads
every such ``raise`` from the source and checks that a pattern translates it; the command-line package
``deps/cli`` and the settings reader (read before any page, by the operator's environment) are left English.

Pure data, no Streamlit.
"""

from __future__ import annotations

__all__ = ["SERVICE_MESSAGES", "SERVICE_WORDS"]

#: Coded words inside the messages and their Dutch wording (field types of the same name).
SERVICE_WORDS: dict[str, dict[str, str]] = {
    # deps.access.roles: the roles that may do an action, lowest first
    "roles_needed": {
        "viewer or analyst or admin": "`viewer`, `analyst` of `admin`",
        "analyst or admin": "`analyst` of `admin`",
        "admin": "`admin`",
    },
    # optimizer.status.Status of a problem that has no optimal answer
    "lp_status": {"infeasible": "onuitvoerbaar", "unbounded": "onbegrensd", "error": "mislukt"},
    # deps.ingest.FUSABLE, in the refusal of a fused graph
    "fusable": {"usgs, iea and cset": "`usgs`, `iea` en `cset`"},
}

#: Every message as (English pattern, Dutch wording), grouped by the module that writes it.
SERVICE_MESSAGES: tuple[tuple[str, str], ...] = (
    # deps.access.auth and deps.access.sessions
    (
        "login failed: wrong user name or password, or the account is locked or inactive",
        "inloggen mislukt: verkeerde gebruikersnaam of verkeerd wachtwoord, of het account is geblokkeerd of niet "
        "actief",
    ),
    (
        "the account {name:quoted} is unknown or inactive: log in again",
        "het account {name} is onbekend of niet actief: log opnieuw in",
    ),
    (
        "user name {name:quoted} is not allowed: use 1 to 80 characters from letters A-Z a-z, digits and . _ - @",
        "gebruikersnaam {name} is niet toegestaan: gebruik 1 tot 80 tekens uit `A-Z`, `a-z`, cijfers en `. _ - @`",
    ),
    (
        "user changes need an authenticated actor, not {kind:name} {who:quoted}",
        "wijzigingen van gebruikers vragen een aangemelde gebruiker, niet {kind} {who}",
    ),
    ("the current password is wrong", "het huidige wachtwoord is onjuist"),
    # deps.access.roles
    (
        "{action:quoted} needs an authenticated actor, not {kind:name} {who:quoted}",
        "{action} vraagt een aangemelde gebruiker, niet {kind} {who}",
    ),
    (
        "user {user:quoted} has role {role:quoted}, which may not {action:quoted}: that needs role "
        "{roles:roles_needed}. Ask an admin to change your role (deps users set-role NAME ROLE).",
        "gebruiker {user} heeft de rol {role}, die {action} niet mag: daarvoor is de rol {roles} nodig. Vraag een "
        "beheerder uw rol te wijzigen (`deps users set-role NAAM ROL`).",
    ),
    # deps.reports
    (
        "unknown chart engine {engine:quoted}; use one of {engines:name}",
        "onbekende grafiekmotor {engine}; gebruik een van {engines}",
    ),
    (
        "chart engine kaleido needs chromium (apt-get install chromium) or BROWSER_PATH; use --charts matplotlib",
        "grafiekmotor `kaleido` vraagt `chromium` (`apt-get install chromium`) of `BROWSER_PATH`; gebruik "
        "`--charts matplotlib`",
    ),
    (
        "the report passphrase is too short ({n:int} characters): use at least {least:int}",
        "het wachtwoord van het rapport is te kort ({n} tekens): gebruik er minstens {least}",
    ),
    (
        'a report needs a classification marking, e.g. --classification "Departementaal Vertrouwelijk"',
        "een rapport vraagt een rubricering, bijvoorbeeld `Departementaal Vertrouwelijk`",
    ),
    ("the classification marking is longer than {n:int} characters", "de rubricering is langer dan {n} tekens"),
    (
        "the classification marking must be one line without control characters",
        "de rubricering moet één regel zijn, zonder stuurtekens",
    ),
    (
        "unknown report format {fmt:quoted}; use one of {formats:name}",
        "onbekend rapportformaat {fmt}; gebruik een van {formats}",
    ),
    (
        "a Markdown report cannot be encrypted; use --format pdf or xlsx with --encrypt",
        "een Markdown-rapport kan niet worden versleuteld; kies `pdf` of `xlsx` om te versleutelen",
    ),
    # deps.services.analysis: shocks of a simulation (the unknown target is in app_pages.messages)
    (
        "shock {kind:name}:{target:name}: the kind is one of {kinds:name} and the target an ISO3 code, a firm id or a "
        "node id",
        "schok {kind}:{target}: de soort is een van {kinds} en het doel een ISO3-code, een bedrijfs-id of een knoop-id",
    ),
    (
        "--sweep {value:name}: give the shock as a fraction above 0 and at most 1, e.g. 0.5",
        "`--sweep` {value}: geef de schok als een fractie boven 0 en hoogstens 1, bijvoorbeeld 0.5",
    ),
    ("give either --shock options or --sweep, not both", "geef `--shock` of `--sweep`, niet beide"),
    (
        "give at least one --shock (e.g. --shock CHN=1.0) or --sweep",
        "geef minstens één `--shock` (bijvoorbeeld `--shock CHN=1.0`) of `--sweep`",
    ),
    # deps.services.assumptions
    (
        "no assumption set {name:quoted}; see `deps assumptions list`",
        "geen aannameset {name}; zie `deps assumptions list`",
    ),
    (
        "assumption set {name:quoted} has no version {version:name}; see `deps assumptions show {again:name}`",
        "aannameset {name} heeft geen versie {version}; zie `deps assumptions show {again}`",
    ),
    # deps.services.backtest
    (
        "{file:file} is not in the seed folder; run scripts/build_export_controls.py",
        "{file} staat niet in de seedmap; voer scripts/build_export_controls.py uit",
    ),
    (
        "no export control of {year:int} bears on a node of dataset {dataset:quoted}; try 2023 or 2024",
        "geen exportbeperking van {year} raakt een knoop van dataset {dataset}; probeer 2023 of 2024",
    ),
    (
        "none of the {year:int} controls bears on a supplier the data name before {again:int}",
        "geen van de exportbeperkingen van {year} raakt een leverancier die de gegevens vóór {again} noemen",
    ),
    # deps.services.batch
    (
        "the batch stopped after {done:int} of {total:int} scenarios: a worker or the Dask scheduler was lost "
        "({reason:rest}). The finished scenarios are stored: run the same command again to solve the rest",
        "de reeks stopte na {done} van {total} scenario's: een rekenproces of de Dask-scheduler ging verloren "
        "({reason}). De afgeronde scenario's zijn bewaard: start dezelfde reeks opnieuw voor de overige",
    ),
    # deps.services.composition: fused graphs
    (
        "a fused graph needs {file:file} in the seed folder (DEPS_SEED_DIR)",
        "een gecombineerde graaf vraagt {file} in de seedmap (DEPS_SEED_DIR)",
    ),
    (
        "dataset {name:quoted} ({fmt:name}) cannot be fused: only {formats:fusable} imports map to nodes",
        "dataset {name} ({fmt}) kan niet worden gecombineerd: alleen gegevens van {formats} zijn aan knopen gekoppeld",
    ),
    # deps.services.optimisation and deps.services.runs
    (
        "no budget: give --budget or budget_meur in the scenario file",
        "geen budget: geef `--budget` of `budget_meur` in het scenariobestand",
    ),
    (
        "unknown run kind {kind:quoted}; use one of {kinds:name}",
        "onbekende soort berekening {kind}; gebruik een van {kinds}",
    ),
    # deps.store.db
    (
        "the database URL is not valid: {reason:rest}. Check DEPS_DATABASE_URL.",
        "de database-URL is niet geldig: {reason}. Controleer DEPS_DATABASE_URL.",
    ),
    (
        "cannot reach or upgrade the database {db:file}: {reason:rest}. Check DEPS_DATABASE_URL and that the server "
        "is running.",
        "kan de database {db} niet bereiken of bijwerken: {reason}. Controleer DEPS_DATABASE_URL en of de "
        "databaseserver draait.",
    ),
    (
        "the database {db:file} has no schema yet: run `deps init` (or `make app`) first",
        "de database {db} is nog niet ingericht: voer eerst `deps init` (of `make app`) uit",
    ),
    (
        "the database {db:file} is at schema {revision:name}, the code needs {head:name}: run `deps init` to upgrade",
        "de database {db} staat op schemaversie {revision}, de code vraagt {head}: voer `deps init` uit om bij te "
        "werken",
    ),
    (
        "cannot open the database {db:file}: {reason:rest}. Check DEPS_DATABASE_URL.",
        "kan de database {db} niet openen: {reason}. Controleer DEPS_DATABASE_URL.",
    ),
    # the engines' errors an analyst can meet inside "<task> failed: ..." (optimizer, supplychain.sweep)
    (
        "the LP is {status:lp_status} at budget {budget:n}; sweep budget by budget",
        "het LP is {status} bij budget {budget}; bereken het budget voor budget",
    ),
    (
        "the central problem is {status:lp_status}; sensitivity needs an optimal answer",
        "het centrale probleem is {status}; de gevoeligheidsanalyse vraagt een optimale oplossing",
    ),
    (
        "the central or the all-low problem is not optimal; no robust plan",
        "het centrale probleem of dat met alle lage waarden is niet optimaal; geen robuust plan",
    ),
    (
        "unknown mode {mode:quoted}; use 'expected' or 'worst_case'",
        "onbekende modus {mode}; gebruik `expected` of `worst_case`",
    ),
    (
        "scenarios name unknown targets {ids:rest}; use ids of the targets frame",
        "scenario's noemen onbekende doelen {ids}; gebruik id's uit de tabel met doelen",
    ),
    (
        "scenario baseline risks must be finite and >= 0",
        "de uitgangsrisico's van een scenario moeten eindig en >= 0 zijn",
    ),
    (
        "scenario probabilities must be >= 0 and sum to 1, got sum {total:n}",
        "de kansen van de scenario's moeten >= 0 zijn en samen 1 zijn; hun som is {total}",
    ),
    ("weights and baseline risks must be finite and >= 0", "gewichten en uitgangsrisico's moeten eindig en >= 0 zijn"),
    (
        "CBC not found: install it (pip install 'pulp[cbc]') or use solver='highs'",
        "CBC niet gevonden: installeer het (`pip install 'pulp[cbc]'`) of kies `solver='highs'`",
    ),
    ("highspy rejected the model: {status:rest}", "`highspy` weigerde het rekenmodel: {status}"),
    ("range LP not solved: {status:rest}", "bereik-LP niet opgelost: {status}"),
    ("countries {ids:rest} supply no node in the data", "landen {ids} leveren aan geen enkele knoop in de gegevens"),
)
