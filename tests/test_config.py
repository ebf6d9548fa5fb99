"""Settings: defaults, overrides, and a clear error naming the variable for a bad value."""

from __future__ import annotations

import pytest

from deps.config import THRESHOLD_SETTINGS, load_settings
from deps.errors import ConfigError


def test_defaults_follow_methods() -> None:
    s = load_settings({})
    t = s.thresholds
    assert (t.chokepoint_top_share, t.chokepoint_hhi, t.control_home_share) == (0.65, 0.4, 0.65)
    assert (t.eu_hhi, t.eu_importance, t.eu_substitutability, t.world_hhi) == (0.4, 0.5, 1.0, 0.4)
    assert (t.home, t.bloc) == ("NLD", "EU27")
    assert s.effective_database_url.endswith("var/deps.sqlite3")


def test_overrides_reach_the_thresholds() -> None:
    s = load_settings({"DEPS_HOME_COUNTRY": "deu", "DEPS_CHOKEPOINT_TOP_SHARE": "0.7", "DEPS_KNOCKOUT_LOSS": "0.4"})
    assert s.thresholds.home == "DEU" and s.thresholds.chokepoint_top_share == 0.7
    assert s.thresholds.knockout_loss == 0.4 and s.thresholds.knockout_exact_nodes == 5000


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ("DEPS_HOME_COUNTRY", "Netherlands"),
        ("DEPS_MAX_IMPORT_MB", "-3"),
        ("DEPS_SHARE_TOLERANCE", "2"),
        ("DEPS_CHOKEPOINT_HHI", "high"),
        ("DEPS_RISK_WEIGHTS", "concentration=1"),
        ("DEPS_PERSISTENCE_YEARS", "0"),
    ],
)
def test_bad_values_name_the_variable(env: str, value: str) -> None:
    with pytest.raises(ConfigError, match=env):
        load_settings({env: value})


def test_every_threshold_has_a_setting() -> None:
    from dataclasses import fields

    from supplychain.thresholds import Thresholds

    covered = {s.attr for s in THRESHOLD_SETTINGS} | {"home", "bloc"}
    assert {f.name for f in fields(Thresholds)} == covered
