"""A fused source's evidence is weighed by share (deps.services.fusion, rule 2), on hand-checked frames.

A block is observed only when its observed rows carry more than half of its known share total, estimated when its
observed and estimated rows do, and so on; a block whose known shares are all zero takes its weakest row's level.
The gallium case of MCS 2024 (2022): China, Japan, Korea and Russia estimated, only the United States' 0 observed.
"""

from __future__ import annotations

import pandas as pd
import pytest

from deps.services.fusion import fuse_provision

MAP = pd.DataFrame(
    {
        "source": ["usgs"],
        "stage_code": ["gallium:primary-production"],
        "basis": ["production"],
        "node_id": ["ga"],
        "role": ["primary"],
        "source_id": ["s"],
        "note": ["n"],
    }
)


def _rows(year: int, vintage: str, shares: dict[str, tuple[float, str]]) -> list[dict[str, object]]:
    return [
        {
            "node_id": "ga",
            "supplier_type": "country",
            "supplier_id": iso3,
            "country": iso3,
            "share": share,
            "year": year,
            "evidence": evidence,
            "basis": "production",
            "vintage": vintage,
        }
        for iso3, (share, evidence) in shares.items()
    ]


#: The base's 2024 block: China's 0.9 and Japan's 0.1 estimated, the United States' 0 observed (estimated by weight).
GALLIUM = {"CHN": (0.9, "estimated"), "JPN": (0.1, "estimated"), "USA": (0.0, "observed")}


def _fuse(base: list[dict[str, object]], other: list[dict[str, object]]) -> pd.DataFrame:
    """The fused evidence by source: ``base`` as node ``ga``, ``other`` as USGS's stage mapped to it."""
    stage = pd.DataFrame(other).assign(node_id="gallium:primary-production")
    fused = fuse_provision(pd.DataFrame(base), "seed", [("usgs", "usgs", stage)], MAP, threshold_pp=10)
    return fused.evidence.set_index("source")


def test_one_observed_row_of_zero_does_not_make_a_block_observed() -> None:
    # USGS's 2023 block is observed throughout; the base's newer 2024 block is estimated by weight, so USGS wins
    # (rule 2, evidence, comes before rule 4, the newest year); under "any observed row" the base kept its rows
    usgs = _rows(2023, "USGS MCS 2025", {"CHN": (0.8, "observed"), "JPN": (0.2, "observed")})
    evidence = _fuse(_rows(2024, "USGS MCS 2026", GALLIUM), usgs)
    assert evidence.loc["seed", "evidence"] == "estimated" and evidence.loc["usgs", "evidence"] == "observed"
    assert evidence.loc["usgs", "chosen"] and not evidence.loc["seed", "chosen"]


@pytest.mark.parametrize(
    ("shares", "expected"),
    [
        ({"CHN": (0.6, "observed"), "JPN": (0.4, "estimated")}, "observed"),  # 60 % observed: a majority
        ({"CHN": (0.5, "observed"), "JPN": (0.5, "estimated")}, "estimated"),  # half is no majority
        ({"CHN": (0.3, "observed"), "JPN": (0.3, "estimated"), "KOR": (0.4, "expert")}, "estimated"),  # 60 % >= est.
        ({"CHN": (0.0, "observed"), "JPN": (0.0, "estimated")}, "estimated"),  # no share: the weakest row's level
        ({"CHN": (float("nan"), "observed"), "JPN": (0.2, "estimated")}, "estimated"),  # unknown shares weigh nothing
    ],
)
def test_a_blocks_evidence_is_the_level_that_carries_the_majority(
    shares: dict[str, tuple[float, str]], expected: str
) -> None:
    evidence = _fuse(_rows(2024, "", shares), _rows(2020, "USGS MCS 2023", {"CHN": (1.0, "estimated")}))
    assert evidence.loc["seed", "evidence"] == expected


def test_the_release_with_observed_weight_wins_within_a_source() -> None:
    # MCS 2024 gives 2022 with only the United States' 0 observed; MCS 2023 gives 2021 observed throughout: the older
    # release is the observed one and is the block USGS offers (before: 2022, as "observed")
    other = _rows(2022, "USGS MCS 2024", GALLIUM) + _rows(
        2021, "USGS MCS 2023", {"CHN": (0.97, "observed"), "JPN": (0.03, "observed")}
    )
    base = _rows(2020, "", {"CHN": (1.0, "estimated")})
    evidence = _fuse(base, other)
    usgs = evidence.loc["usgs"]
    assert (usgs["year"], usgs["vintage"], usgs["evidence"]) == (2021, "USGS MCS 2023", "observed")
    assert usgs["suppliers"] == 2
    assert usgs["chosen"]
