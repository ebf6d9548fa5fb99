"""The evidence of a block of supplier rows, weighed by share (supplychain.evidence): hand-checked cases, the gallium
table of USGS MCS 2024, and a property test against the definition written out row by row."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from supplychain.evidence import EVIDENCE_RANK, block_evidence_rank, block_evidence_ranks

KINDS = ["observed", "estimated", "expert", "projected"]


def _by_definition(shares: list[float], kinds: list[str]) -> int:
    ranks = [EVIDENCE_RANK.get(k, 0) for k in kinds]
    known = [(s, r) for s, r in zip(shares, ranks, strict=True) if not math.isnan(s)]
    if not known:
        return max(ranks, default=0)
    total = sum(s for s, _ in known)
    if total <= 0:
        return min(r for _, r in known)
    for level in (3, 2, 1):
        if sum(s for s, r in known if r >= level) > total / 2:
            return level
    return 0


def test_gallium_2022_of_mcs_2024_is_estimated() -> None:
    # China, Japan, Korea and Russia estimated; the United States' 0 kg is the only observed figure
    shares = np.array([0.98, 0.003, 0.0, 0.002, 0.0])
    kinds = ["estimated", "estimated", "estimated", "estimated", "observed"]
    assert block_evidence_rank(shares, kinds) == EVIDENCE_RANK["estimated"]


def test_majorities_ties_zeros_and_unknown_shares() -> None:
    nan = float("nan")
    assert block_evidence_rank(np.array([0.6, 0.4]), ["observed", "estimated"]) == 3
    assert block_evidence_rank(np.array([0.5, 0.5]), ["observed", "estimated"]) == 2  # a tie is no majority
    assert block_evidence_rank(np.array([0.4, 0.2, 0.4]), ["observed", "estimated", "expert"]) == 2
    assert block_evidence_rank(np.array([0.0, 0.0]), ["observed", "estimated"]) == 2  # all zero: the weakest
    assert block_evidence_rank(np.array([nan, nan]), ["estimated", "observed"]) == 3  # nothing to weigh: the best
    assert block_evidence_rank(np.array([nan, 0.3]), ["observed", "estimated"]) == 2  # unknown shares weigh nothing
    assert block_evidence_rank(np.array([]), []) == 0


blocks = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.one_of(st.just(float("nan")), st.just(0.0), st.floats(0.0, 1.0, allow_nan=False)),
        st.sampled_from(KINDS),
    ),
    min_size=1,
    max_size=30,
)


@given(blocks)
def test_every_block_as_by_its_definition(rows: list[tuple[int, float, str]]) -> None:
    groups = np.array([g for g, _, _ in rows])
    shares = np.array([s for _, s, _ in rows])
    kinds = [k for _, _, k in rows]
    ranks = block_evidence_ranks(groups, shares, kinds)
    for group in range(int(groups.max()) + 1):
        members = [i for i, g in enumerate(groups) if g == group]
        expected = _by_definition([shares[i] for i in members], [kinds[i] for i in members]) if members else 0
        assert ranks[group] == expected, (group, [rows[i] for i in members])
