"""Property tests: scenario and batch files of any content give a scenario or a DataValidationError, nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deps.errors import DataValidationError
from deps.services.scenario import BatchSpec, ScenarioConfig, parse_batch, parse_scenario

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
KEYS = st.sampled_from(
    [
        "budget_meur",
        "solver",
        "line_min_meur",
        "line_max_meur",
        "market_min_share",
        "forced",
        "forbidden",
        "year_budgets_meur",
        "effect_overrides",
        "robust",
        "leverage_weight",
        "market_weights",
        "budgets",
        "weights",
        "shocks",
        "effects",
        "base",
        "bogus",
    ]
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(KEYS, st.text(max_size=6)), inner, max_size=4)
    ),
    max_leaves=12,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=6)


def _holds(call: object, path: Path) -> None:
    try:
        result = call(path)  # type: ignore[operator]
    except DataValidationError as exc:
        assert exc.problems and all(p.fix for p in exc.problems)
        return
    assert isinstance(result, (tuple, BatchSpec))
    if isinstance(result, tuple):
        assert isinstance(result[0], ScenarioConfig)


@FUZZ
@given(doc=DOCUMENTS)
def test_structured_scenarios(tmp_path: Path, doc: dict[str, object]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(doc, default=str), encoding="utf-8")
    _holds(parse_scenario, path)
    _holds(parse_batch, path)


@FUZZ
@given(raw=st.binary(max_size=600))
def test_random_bytes(tmp_path: Path, raw: bytes) -> None:
    for name in ("s.yaml", "s.csv"):
        path = tmp_path / name
        path.write_bytes(raw)
        _holds(parse_scenario, path)
        _holds(parse_batch, path)


@FUZZ
@given(text=st.text(max_size=300))
def test_random_yaml_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    _holds(parse_scenario, path)


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("budget_meur: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    try:
        parse_scenario(path)
    except DataValidationError as exc:
        assert "not valid YAML" in exc.report()
    else:  # pragma: no cover
        raise AssertionError("a python tag was accepted")
    assert yaml.safe_load("a: 1") == {"a": 1}
