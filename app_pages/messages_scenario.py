"""The validation messages of scenario, batch and assumption-set files in Dutch: the problems and fixes of
``deps.services.scenario`` (a scenario or batch grid in YAML, JSON or CSV), ``deps.services.optimisation`` (names a
scenario refers to) and ``deps.services.assumptions`` (a set's reference, name and effects table).

Entries have the form of :mod:`app_pages.messages` (which joins them to its :data:`~app_pages.messages.MESSAGES`).
What a user types in the file (keys such as ``budgets``, ``{mode, shocks}``) stays as it is, between backticks; the
braces of a Dutch wording are doubled (it is a format string).  ``tests/test_app_import_messages.py`` reads every
message these modules can write from their source and checks that a pattern translates it.

Pure data, no Streamlit.
"""

from __future__ import annotations

__all__ = ["SCENARIO_MESSAGES"]

#: Every message as (English pattern, Dutch wording), grouped by the module that writes it.
SCENARIO_MESSAGES: tuple[tuple[str, str], ...] = (
    # deps.services.assumptions
    ("assumption set reference", "verwijzing naar een aannameset"),
    ("assumption set name", "naam van een aannameset"),
    ("assumption set {name:name}", "aannameset {name}"),
    ("add a column named {column:quoted}", "voeg een kolom toe met de naam {column}"),
    ("the set has no effect segments", "de aannameset heeft geen effectsegmenten"),
    ("add at least one segment", "voeg minstens één curvesegment toe"),
    ("{text:quoted} is not a set reference", "{text} is geen verwijzing naar een aannameset"),
    (
        "write NAME or NAME@VERSION (letters, digits, '.', '_', '-'; version a whole number from 1)",
        "schrijf `NAME` of `NAME@VERSION` (lettertekens, cijfers, '.', '_', '-'; versie een geheel getal vanaf 1)",
    ),
    (
        "{name:name}@{version:name}: versions are numbered on save",
        "{name}@{version}: versies krijgen hun nummer bij het opslaan",
    ),
    ("give the set name only", "geef alleen de naam van de aannameset"),
    # deps.services.optimisation: names a scenario refers to
    ("unknown action line {key:quoted}", "onbekende actielijn {key}"),
    ("unknown market {key:quoted}", "onbekende focusmarkt {key}"),
    ("unknown target {key:quoted}", "onbekend doel {key}"),
    ("use one of: {names:rest}", "gebruik een van: {names}"),
    # deps.services.scenario: a scenario or batch file
    ("scenario", "scenario"),  # the summary of a scenario's impossible numbers: the same word in Dutch
    (
        "the file is {size:n} MB; scenario files are small",
        "het bestand is {size} megabyte; scenariobestanden zijn klein",
    ),
    ("the file is binary, not YAML, JSON or CSV text", "het bestand is binair, geen YAML-, JSON- of CSV-tekst"),
    ("not valid UTF-8 (offset {offset:int})", "geen geldige `UTF-8` (positie {offset})"),
    ("save the file as UTF-8", "sla het bestand op in `UTF-8`"),
    ("save it as UTF-8 text", "sla het op als tekst in `UTF-8`"),
    ("not valid YAML/JSON: {error:rest}", "geen geldige YAML- of JSON-tekst: {error}"),
    ("fix the syntax", "herstel de syntaxis"),
    ("check the file", "controleer het bestand"),
    ("expected a mapping, got {got:name}", "verwacht een toewijzing (sleutel: waarde), gekregen {got}"),
    ("write a YAML mapping such as `budget_meur: 500`", "schrijf een YAML-toewijzing zoals `budget_meur: 500`"),
    ("write key: value lines", "schrijf regels `key: value`"),
    ("expected a list, got {got:name}", "verwacht een lijst, gekregen {got}"),
    ("write a YAML list (- item)", "schrijf een YAML-lijst (`- item`)"),
    (
        "a batch file is a mapping with base, budgets, weights, shocks, effects",
        "een batchbestand is een toewijzing met `base`, `budgets`, `weights`, `shocks`, `effects`",
    ),
    ("see the README", "zie de `README`"),
    ("no budget given", "geen budget opgegeven"),
    ("write budgets: [100, 250, 500] or base.budget_meur", "schrijf `budgets: [100, 250, 500]` of base.budget_meur"),
    ("the file has no scenarios", "het bestand heeft geen scenario's"),
    ("add one row per scenario", "voeg één regel per scenario toe"),
    ("write a number (dot as decimal sign)", "schrijf een getal (punt als decimaalteken)"),
    ("write a finite number", "schrijf een eindig getal"),
    ("{value:n} is below {low:n}", "{value} ligt onder {low}"),
    ("{value:n} is above {high:n}", "{value} ligt boven {high}"),
    ("use a value of at least {low:n}", "gebruik een waarde van minstens {low}"),
    ("use a value of at most {high:n}", "gebruik een waarde van hoogstens {high}"),
    ("expected a mapping of id to number, got {got:name}", "verwacht een toewijzing van id naar getal, gekregen {got}"),
    ("write {id: number}", "schrijf `{{id: number}}`"),
    ("expected named sets of multipliers", "verwacht benoemde groepen vermenigvuldigers"),
    ("write {name: {key: multiplier}}", "schrijf `{{name: {{key: multiplier}}}}`"),
    ("name at least one: {name: {CHN: 1}}", "noem er minstens één: `{{name: {{CHN: 1}}}}`"),
    ("unknown key", "onbekende sleutel"),
    ("did you mean {near:quoted}?", "bedoelt u {near}?"),
    ("unknown solver {solver:quoted}", "onbekende solver {solver}"),
    ("needs action_line_id and min_meur", "vereist action_line_id en min_meur"),
    ("write {action_line_id, min_meur}", "schrijf `{{action_line_id, min_meur}}`"),
    ("needs action_line_id", "vereist action_line_id"),
    ("write {action_line_id, target_id}", "schrijf `{{action_line_id, target_id}}`"),
    ("a year must be a number such as 2026", "een jaar moet een getal zijn, zoals 2026"),
    ("use years as keys", "gebruik jaartallen als sleutels"),
    ("an effect row is incomplete", "een effectregel is onvolledig"),
    ("give {keys:columns}", "geef {keys}"),
    ("expected {mode, shocks}", "verwacht `{{mode, shocks}}`"),
    ("write robust: {mode: expected, shocks: {...}}", "schrijf `robust: {{mode: expected, shocks: {{...}}}}`"),
    ("unknown mode {mode:quoted}", "onbekende modus {mode}"),
    ("use expected or worst_case", "gebruik `expected` of worst_case"),
    ("no disruption scenarios", "geen verstoringsscenario's"),
    ("a shock fraction is at most 1", "een schokfractie is hoogstens 1"),
    ("{value:n} is not a budget", "{value} is geen budget"),
    ("write EUR million", "schrijf een bedrag in mln euro"),
    ("use a number >= 0", "gebruik een getal >= 0"),
    ("{value:quoted} is not key=multiplier", "{value} is geen key=multiplier"),
    ("write e.g. semiconductors=2;CHN=1.5", "schrijf bijvoorbeeld semiconductors=2;CHN=1.5"),
    ("duplicate key {key:quoted}", "dubbele sleutel {key}"),
    ("give each scenario a unique key", "geef elk scenario een unieke sleutel"),
    ("correct the numbers", "corrigeer de getallen"),
    ("correct the number", "corrigeer het getal"),
    ("the grid has {n:int} scenarios", "het raster heeft {n} scenario's"),
    ("keep it under {limit:int}", "houd het onder {limit}"),
)
