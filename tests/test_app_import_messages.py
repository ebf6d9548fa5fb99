"""The importers' messages in Dutch (issue 13): every problem, fix and summary text ``deps/ingest`` can write, read
from its source code, has a Dutch wording, and real bad USGS, IEA and FDA files show no English in the app.

The importers build their messages as string literals and f-strings: in ``Problem(file, row, column, problem, fix)``
calls, in ``DataValidationError(problems, summary)`` calls, and through parameters (``what=``, ``fix=``) that the
table checks of :mod:`deps.ingest.validation` put into their own f-strings.  :func:`importer_messages` walks the
syntax trees and gives, for each place a message is written, its *variants* (one per value a named string can have:
every ``what=`` a caller passes, every branch of a conditional) and, for each variant, a few *samples*: the fields
whose value is data (a cell, a file name, a count) are filled with stand-ins of each kind (a word, a whole number, a
quoted value, a list), since the Dutch patterns type their fields.

A variant is covered when one of its samples is translated as a whole (:func:`app_pages.sentences.dutch`) and no
English word of a pattern is left once the values passing through are masked; so a new English message of an
importer fails :func:`test_every_importer_message_has_a_dutch_wording` until it has a Dutch pattern.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from app_pages.sentences import dutch, localise_error
from app_pages.texts import NL
from deps.config import load_settings
from deps.errors import DataValidationError
from deps.ingest import FORMATS, import_file
from deps.services.assumptions import parse_reference
from deps.services.scenario import parse_batch
from deps.store.db import Database
from tests.test_app_messages import ADMIN, _in_dutch, seed
from tests.test_app_pages import _english_sentences, _login, seeded
from tests.test_dutch_explanations import DATA, _left_english

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

INGEST = Path(__file__).resolve().parents[1] / "deps" / "ingest"
#: The services that check a file the user gives: scenario and batch files, assumption sets (read apart from the
#: importers: their ``add`` methods differ from the table checks').
SERVICES = Path(__file__).resolve().parents[1] / "deps" / "services"
#: Stand-ins of a field whose value is data: a name, a whole number, a quoted cell, a list of row numbers.
STAND_INS = ("abc", "12", "'abc'", "[2, 3]")
#: The most samples kept per variant.
MAX_SAMPLES = 256
#: How deep a parameter is followed to its callers' arguments.
MAX_DEPTH = 4

Value = list[list[str]]  # variants x samples


@dataclass(frozen=True)
class Message:
    """One place an importer writes a message: the file and line, the role and the variants' samples."""

    where: str
    role: str  # problem, fix or summary
    variants: tuple[tuple[str, ...], ...]


class _Module:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.constants: dict[str, list[ast.expr]] = {}
        for node in self.tree.body:
            for target, value in _assignments(node):
                self.constants.setdefault(target, []).append(value)
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent

    def function_of(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None


def _assignments(node: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name):
                yield target.id, node.value
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for name, value in zip(target.elts, node.value.elts, strict=False):
                    if isinstance(name, ast.Name):
                        yield name.id, value
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        yield node.target.id, node.value


def _loop(module: _Module, loop: ast.For, name: str) -> list[ast.expr]:
    """The values ``name`` takes in ``for ... in CONSTANT`` (or ``CONSTANT.items()``) of a module dict or tuple."""
    source = loop.iter
    items = isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute) and source.func.attr == "items"
    if items:
        assert isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute)
        source = source.func.value
    if not isinstance(source, ast.Name) or source.id not in module.constants:
        return []
    found: list[ast.expr] = []
    for constant in module.constants[source.id]:
        if isinstance(constant, ast.Dict):
            elements: list[ast.expr] = [
                ast.Tuple([k, v], ast.Load()) if items else k
                for k, v in zip(constant.keys, constant.values, strict=True)
                if k is not None
            ]
        elif isinstance(constant, (ast.Tuple, ast.List)):
            elements = list(constant.elts)
        else:
            continue
        for element in elements:
            found += _bound(loop.target, element, name)
    return found


def _bound(target: ast.expr, value: ast.expr, name: str) -> list[ast.expr]:
    if isinstance(target, ast.Name):
        return [value] if target.id == name else []
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
        return [v for t, e in zip(target.elts, value.elts, strict=False) for v in _bound(t, e, name)]
    return []


class _Collector:
    def __init__(self, modules: list[_Module]) -> None:
        self.modules = modules
        self.functions: dict[str, list[tuple[_Module, ast.FunctionDef]]] = {}
        self.calls: dict[str, list[tuple[_Module, ast.Call]]] = {}
        for module in modules:
            for node in ast.walk(module.tree):
                if isinstance(node, ast.FunctionDef):
                    self.functions.setdefault(node.name, []).append((module, node))
                elif isinstance(node, ast.Call):
                    name = _called(node)
                    if name:
                        self.calls.setdefault(name, []).append((module, node))

    # ------------------------------------------------------------------ evaluation
    def value(self, module: _Module, expr: ast.expr, depth: int = 0) -> Value:
        if isinstance(expr, ast.Constant):
            return [[str(expr.value)]] if isinstance(expr.value, str) else [list(STAND_INS)]
        if isinstance(expr, ast.JoinedStr):
            result: Value = [[""]]
            for part in expr.values:
                result = _join(result, self._part(module, part, depth))
            return result
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return _join(self.value(module, expr.left, depth), self.value(module, expr.right, depth))
        if isinstance(expr, ast.IfExp):
            return self.value(module, expr.body, depth) + self.value(module, expr.orelse, depth)
        if isinstance(expr, ast.BoolOp):
            return [v for e in expr.values for v in self.value(module, e, depth)]
        if isinstance(expr, ast.Name):
            return self._name(module, expr, depth)
        if isinstance(expr, ast.Call):
            joined = _joined(module, expr)
            if joined is not None:
                return [[joined]]
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
            found = self._dict_entry(module, expr)
            if found is not None:
                return self.value(module, found, depth)
        return [list(STAND_INS)]

    def _part(self, module: _Module, part: ast.expr, depth: int) -> Value:
        if not isinstance(part, ast.FormattedValue):
            return self.value(module, part, depth)
        spec = part.format_spec
        if spec is not None:
            text = "".join(v.value for v in getattr(spec, "values", []) if isinstance(v, ast.Constant))
            try:
                return [[format(12.5, text)]] if text else [list(STAND_INS)]
            except ValueError:
                return [list(STAND_INS)]
        if part.conversion == ord("r"):
            inner = self.value(module, part.value, depth)
            if inner == [list(STAND_INS)]:
                return [["'abc'", "['abc', 'xyz']"]]
            return [[repr(s) for s in variant] for variant in inner]
        return self.value(module, part.value, depth)

    def _dict_entry(self, module: _Module, expr: ast.Subscript) -> ast.expr | None:
        assert isinstance(expr.value, ast.Name)
        key = expr.slice
        for found in module.constants.get(expr.value.id, []):
            if isinstance(found, ast.Dict) and isinstance(key, ast.Constant):
                for k, v in zip(found.keys, found.values, strict=True):
                    if isinstance(k, ast.Constant) and k.value == key.value:
                        return v
        return None

    def _name(self, module: _Module, name: ast.Name, depth: int) -> Value:
        function = module.function_of(name)
        if function is not None:
            local = [v for node in ast.walk(function) for t, v in _assignments(node) if t == name.id]
            if len(local) > 1:  # a name set to "" first and filled in below
                local = [v for v in local if not (isinstance(v, ast.Constant) and v.value == "")]
            if local:
                found = [v for e in local for v in self.value(module, e, depth)]
                return [v for v in found if v != [""]] or found
            looped = [
                v for node in ast.walk(function) if isinstance(node, ast.For) for v in _loop(module, node, name.id)
            ]
            if looped:
                return [v for e in looped for v in self.value(module, e, depth)]
            parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)]
            if name.id in parameters and depth < MAX_DEPTH:
                return self._parameter(function, name.id, depth + 1) or [list(STAND_INS)]
        if name.id in module.constants:
            return [v for e in module.constants[name.id] for v in self.value(module, e, depth)]
        return [list(STAND_INS)]

    def _parameter(self, function: ast.FunctionDef, parameter: str, depth: int) -> Value:
        """Every value a parameter takes: its default and what each caller passes."""
        args = function.args
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        is_method = bool(positional) and positional[0] == "self"
        values: Value = []
        defaults = dict(zip(reversed(positional), reversed(args.defaults), strict=False))
        defaults |= {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None}
        for module, call in self.calls.get(function.name, []):
            if isinstance(call.func, ast.Attribute) != is_method or len(call.args) > len(positional) - is_method:
                continue  # another function of the same name
            passed: ast.expr | None = None
            for keyword in call.keywords:
                if keyword.arg == parameter:
                    passed = keyword.value
            index = positional.index(parameter) - is_method if parameter in positional else -1
            if passed is None and 0 <= index < len(call.args):
                passed = call.args[index]
            if passed is None:
                passed = defaults.get(parameter)
                module = next(m for m, f in self.functions[function.name] if f is function)
            if passed is not None and not (isinstance(passed, ast.Constant) and passed.value is None):
                values += self.value(module, passed, depth)
        return _unique(values)

    # ------------------------------------------------------------------ the messages
    def messages(self) -> Iterator[Message]:
        for module in self.modules:
            for node in ast.walk(module.tree):
                if isinstance(node, (ast.Assign, ast.AugAssign)) and isinstance(node.value, ast.List):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if any(isinstance(t, ast.Name) and t.id == "notes" for t in targets):
                        for element in node.value.elts:
                            variants = _unique(self.value(module, element))
                            yield Message(f"{module.path.name}:{node.lineno}", "note", tuple(map(tuple, variants)))
                if not isinstance(node, ast.Call):
                    continue
                called = _called(node)
                roles: dict[str, ast.expr] = {}
                if called == "Problem":
                    roles = _arguments(node, {"problem": 3, "fix": 4})
                elif called == "DataValidationError":
                    roles = _arguments(node, {"summary": 1})
                elif called == "append" and _is_notes(node.func):
                    roles = {"note": node.args[0]}
                for role, expr in roles.items():
                    variants = _unique(self.value(module, expr))
                    where = f"{module.path.name}:{node.lineno}"
                    yield Message(where, role, tuple(tuple(v) for v in variants))


def _joined(module: _Module, call: ast.Call) -> str | None:
    """``"sep".join(CONSTANT)`` of a module tuple of strings, joined; ``None`` for any other call."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Constant)):
        return None
    if len(call.args) != 1 or not isinstance(call.args[0], ast.Name):
        return None
    for constant in module.constants.get(call.args[0].id, []):
        if isinstance(constant, (ast.Tuple, ast.List)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in constant.elts
        ):
            return str(func.value.value).join(str(e.value) for e in constant.elts if isinstance(e, ast.Constant))
    return None


def _is_notes(func: ast.expr) -> bool:
    """Whether ``func`` is ``notes.append`` (an importer's notes, shown after a successful import)."""
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "notes"


def _arguments(call: ast.Call, roles: dict[str, int]) -> dict[str, ast.expr]:
    found = {}
    for role, index in roles.items():
        if index < len(call.args):
            found[role] = call.args[index]
        for keyword in call.keywords:
            if keyword.arg == role:
                found[role] = keyword.value
    return found


def _called(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _join(left: Value, right: Value) -> Value:
    joined = []
    for a, b in itertools.product(left, right):
        joined.append([x + y for x, y in itertools.islice(itertools.product(a, b), MAX_SAMPLES)])
    return joined


def _unique(values: Value) -> Value:
    seen: dict[tuple[str, ...], None] = {}
    for variant in values:
        seen.setdefault(tuple(dict.fromkeys(variant)), None)
    return [list(v) for v in seen]


def importer_messages(paths: list[Path] | None = None) -> list[Message]:
    """Every problem, fix and summary text of the importers, as variants of samples (see the module's docstring)."""
    modules = [_Module(path) for path in (paths or sorted(INGEST.glob("*.py")))]
    return list(_Collector(modules).messages())


# ---------------------------------------------------------------------------------------------------- the tests
#: Messages that are data only: the offending cell itself (``'X'`` in the column ``stage`` of an EU CRM file, in the
#: columns ``source`` and ``role`` of the observed extract's mapping), a file name as the summary, and the seed's
#: summary, which is the dataset's name ``seed``.
DATA_ONLY = {"seed"}
__all__ = ["seed", "seeded"]  # the database fixtures of tests/test_app_messages.py and tests/test_app_pages.py


def _data_only(variant: tuple[str, ...]) -> bool:
    stand_ins = {*STAND_INS, *map(repr, STAND_INS), "['abc', 'xyz']"}
    return all(sample in stand_ins or sample in DATA_ONLY for sample in variant)


def _translated(sample: str) -> bool:
    masked = dutch(sample, mark=lambda value: DATA)
    return masked is not None and not _left_english(masked)


def _uncovered(messages: list[Message]) -> list[tuple[str, str, str]]:
    return [
        (message.where, message.role, variant[0])
        for message in messages
        for variant in message.variants
        if not _data_only(variant) and not any(_translated(sample) for sample in variant)
    ]


def test_every_importer_message_has_a_dutch_wording() -> None:
    messages = importer_messages()
    variants = [v for m in messages for v in m.variants if not _data_only(v)]
    texts = {sample for variant in variants for sample in variant}
    # the collector reaches every importer, the generic checks' parameters and the newest USGS message
    assert {m.where.split(":")[0] for m in messages} >= {
        "baci.py", "cset.py", "eucrm.py", "fda.py", "iea.py", "reader.py", "template.py", "usgs.py",
        "usgs_layouts.py", "validation.py", "wgi.py", "workbook.py", "extract.py", "products.py",
    }  # fmt: skip
    # the checks' own problems (TableCheck.add) with what every importer passes them: effects, node resilience
    assert "the effect curve of abc/abc is not concave: slope_low rises with the segment" in texts
    assert "the recovery_months range is not ordered" in texts
    assert "write a WGI estimate without thousands separators and with a dot as decimal sign (1500 or 1.5)" in texts
    assert "fill in the registered operations, ';'-separated" in texts
    assert len(variants) > 400
    assert _uncovered(messages) == []


def test_every_scenario_batch_and_assumption_set_message_has_a_dutch_wording() -> None:
    messages = importer_messages(sorted(SERVICES.glob("*.py")))
    wheres = {m.where.split(":")[0] for m in messages}
    assert {"scenario.py", "assumptions.py", "optimisation.py"} <= wheres
    texts = {sample for m in messages for variant in m.variants for sample in variant}
    assert {"use expected or worst_case", "the file is binary, not YAML, JSON or CSV text"} <= texts
    assert sum(len(m.variants) for m in messages) > 80
    assert _uncovered(messages) == []


def test_a_bad_batch_grid_and_set_reference_in_dutch(tmp_path: Path) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text("base: {solver: glpk, budget_meur: -5}\nbudgets: [abc]\nweigths: {}\n")
    with pytest.raises(DataValidationError) as caught:
        parse_batch(grid)
    assert localise_error(caught.value, "nl") == "batchbestand grid.yaml"
    texts = [text for p in caught.value.problems for text in (p.problem, p.fix)]
    assert len(texts) >= 6
    shown = {text: _in_dutch(text) for text in texts}
    assert shown["unknown key"] == "onbekende sleutel" and shown["did you mean 'weights'?"] == "bedoelt u 'weights'?"
    with pytest.raises(DataValidationError) as reference:
        parse_reference("no spaces allowed")
    for problem in reference.value.problems:
        _in_dutch(problem.problem)
        _in_dutch(problem.fix)
    assert localise_error(reference.value, "nl") == "verwijzing naar een aannameset"


def test_the_newest_usgs_message_in_dutch() -> None:
    # deps.ingest.usgs_layouts: a file given by its path whose name is not one of a release
    assert dutch("the file name is not one of a USGS data release") == (
        "de bestandsnaam is niet die van een USGS-publicatie"
    )
    fix = (
        "keep the name USGS gave the file: mcsYYYY-<commodity>_world.csv (2023, 2024), MCS2025_World_Data.csv or "
        "MCS2026_Commodities_Data.csv"
    )
    assert _translated(fix)
    assert dutch(fix) == (
        "houd de naam die de USGS-publicatie het bestand gaf: mcsYYYY-<commodity>_world.csv (2023, 2024), "
        "MCS2025_World_Data.csv of MCS2026_Commodities_Data.csv"
    )


def test_a_new_english_message_fails_the_check(tmp_path: Path) -> None:
    source = tmp_path / "novel.py"
    source.write_text(
        "FIX = 'use a fresh file'\n"
        "def check(name, problems, check):\n"
        "    problems.append(Problem(name, None, None, f'the widget {name!r} is wobbly', FIX))\n"
        "    check.add(None, None, 'the file is empty', 'export the table with its header row')\n"
        "    raise DataValidationError(problems, f'USGS release {name}')\n"
    )
    messages = importer_messages([source])
    assert {m.role for m in messages} == {"problem", "fix", "summary"}
    assert {u[2] for u in _uncovered(messages)} == {"the widget 'abc' is wobbly", "use a fresh file"}


WIDE_HEADER = "Source,Country,Type,Prod_t_2022,Prod_t_2023,Prod_notes\n"


def _usgs_inputs(folder: Path) -> dict[str, Path]:
    """Bad USGS inputs: an empty file, a folder whose file has a name no release has, a bad cell, a missing column,
    an empty folder."""
    files = {
        "empty": ("empty", "MCS2025_World_Data.csv", ""),
        "name": ("name", "minerals.csv", WIDE_HEADER + "MCS2024,Chile,Mine production,100,110,\n"),
        "cell": ("cell", "mcs2024-cobalt_world.csv", WIDE_HEADER + "MCS2024,Chile,Mine production,abc,110,\n"),
        "column": ("column", "mcs2024-cobalt_world.csv", "Source,Type,Prod_t_2022\nMCS2024,Mine production,100\n"),
    }
    paths = {}
    for key, (sub, name, text) in files.items():
        path = folder / "usgs" / sub / name
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        paths[key] = path if key == "empty" else path.parent
    paths["none"] = folder / "usgs" / "nothing-here"
    paths["none"].mkdir()
    return paths


def _iea_inputs(folder: Path) -> dict[str, Path]:
    """Bad IEA inputs: an empty file, a CSV named .xlsx, a workbook without the supply sheet, one without years."""
    folder.mkdir()
    (folder / "empty.xlsx").write_bytes(b"")
    (folder / "text.xlsx").write_text("Mineral,2023\ncopper,1\n")
    paths = {"empty": folder / "empty.xlsx", "text": folder / "text.xlsx"}
    for key, sheet in (("sheet", "Other sheet"), ("years", "2 Total supply for key minerals")):
        book = openpyxl.Workbook()
        book.remove(book.worksheets[0])
        book.create_sheet(sheet).append(["Copper - Mining", "no years here"])
        book.save(folder / f"{key}.xlsx")
        paths[key] = folder / f"{key}.xlsx"
    return paths


def _fda_inputs(folder: Path) -> dict[str, Path]:
    """Bad FDA DECRS inputs: an empty file, a missing column, bad cells (an unknown country, no operations)."""
    folder.mkdir()
    texts = {
        "empty": "",
        "column": "fei_number,operations\n1,API MANUFACTURE\n",
        "cell": "fei_number,country_iso3,operations\n1,ZZZ,API MANUFACTURE\n2,CHN,\n",
    }
    for key, text in texts.items():
        (folder / f"{key}.csv").write_text(text)
    return {key: folder / f"{key}.csv" for key in texts}


def test_bad_usgs_iea_and_fda_files_show_no_english(seed: tuple[Database, Path]) -> None:
    db, folder = seed
    inputs = {
        "usgs": _usgs_inputs(folder / "bad"),
        "iea": _iea_inputs(folder / "bad" / "iea"),
        "fda-sites": _fda_inputs(folder / "bad" / "fda"),
    }
    shown: dict[str, str] = {}
    for fmt, paths in inputs.items():
        for key, path in paths.items():
            with pytest.raises(DataValidationError) as caught:
                import_file(db, load_settings(), ADMIN, fmt, path)
            error = caught.value
            assert error.problems, (fmt, key)
            _in_dutch(localise_error(error, "en"))
            for problem in error.problems:
                shown[problem.problem] = _in_dutch(problem.problem)
                shown[problem.fix] = _in_dutch(problem.fix)
    assert shown["no USGS world data file found"] == "geen USGS-bestand met wereldgegevens gevonden"
    assert shown["'abc' is not a number"] == "'abc' is geen getal"
    assert "the content is not an XLSX workbook" in shown and "required column is missing" in shown
    assert "no year header row (2023, 2030, 2035, 2040)" in shown
    assert shown["unknown code 'ZZZ'"] == "onbekende code 'ZZZ'"


FDA_SITES = "fei_number,country_iso3,operations\n1,CHN,API MANUFACTURE\n1,IND,API MANUFACTURE\n2,,API MANUFACTURE\n"


def test_import_notes_and_format_names_in_dutch(seed: tuple[Database, Path]) -> None:
    db, folder = seed
    assert [f for f in FORMATS if FORMATS[f][2] not in NL] == []
    flows = folder / "flows.csv"
    flows.write_text("year,exporter_iso3,importer_iso3,hs92,value_kusd,qty_t\n2022,CHN,NLD,260800,100.5,\n")
    sites = folder / "sites.csv"
    sites.write_text(FDA_SITES)
    notes = [
        *import_file(db, load_settings(), ADMIN, "baci", flows, dataset="notes-baci").notes,
        *import_file(db, load_settings(), ADMIN, "fda-sites", sites, dataset="notes-fda").notes,
    ]
    assert len(notes) >= 4
    shown = [_in_dutch(note) for note in notes]
    assert "1 handelsstromen hebben geen hoeveelheid (qty_t leeg); geladen met onbekende hoeveelheid" in shown
    assert any(note.startswith("3 API-productielocaties in 2 landen; grondslag `sites`") for note in shown), shown


def test_the_data_page_shows_a_bad_usgs_file_and_import_notes_in_dutch(seeded: Database) -> None:
    at = _login("ada")
    at.radio(key="lang").set_value("nl").run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    formats = at.selectbox(key="im_fmt")
    assert "usgs: wereldgegevens uit de USGS Mineral Commodity Summaries, 2023-2026 (map/CSV)" in formats.options
    formats.set_value("usgs").run()
    upload = WIDE_HEADER + "MCS2024,Chile,Mine production,100,110,\n"
    at.file_uploader(key="im_file").set_value(("gallium.csv", upload.encode(), "text/csv")).run()
    at.button(key="im_run").click().run()
    assert not at.exception, at.exception
    assert at.error[0].value.replace("\\", "").startswith("USGS-publicatie gallium.csv: ")
    report = at.dataframe[-1].value
    assert set(report["problem"]) == {"de bestandsnaam is niet die van een USGS-publicatie"}
    assert _english_sentences(at) == []
    # a good file: the import's notes in Dutch
    at.selectbox(key="im_fmt").set_value("fda-sites").run()
    at.file_uploader(key="im_file").set_value(("sites.csv", FDA_SITES.encode(), "text/csv")).run()
    at.button(key="im_run").click().run()
    assert not at.exception, at.exception
    captions = [str(c.value).replace("\\", "") for c in at.caption]
    assert any("API-productielocaties in 2 landen" in c for c in captions), captions
    assert not any("manufacturing sites" in c for c in captions)
