"""The evidence a block of supplier rows rests on, weighed by share.

Observed-data releases mark evidence per row (USGS marks single figures as estimates, by a footnote letter, a prefix
or a note, and the last year of each release), so one table of a node, year and release can hold observed and
estimated rows.  A block's evidence is the best level whose rows, together with the rows of better levels, carry
more than half of the block's known share total:

.. math::

    \\operatorname{ev}(B) = \\max \\{\\, \\ell : \\textstyle\\sum_{r \\in B,\\ \\operatorname{rank}(r) \\ge \\ell} s_r
    > \\tfrac12 \\sum_{r \\in B} s_r \\,\\}

over the rows ``r`` with a known share ``s_r`` (ranks: observed 3, estimated 2, expert 1).  A block whose known
shares are all zero takes its weakest known row's level; a block without any known share takes its best row's level
(nothing to weigh).  One observed row alone does not make a block observed: in the gallium table of USGS MCS 2024 the
2022 figures of China, Japan, Korea and Russia are estimates and only the United States' (0 kg) is observed, so the
block is estimated, where a rule of "any observed row" called it observed.

The rule is shared by the fusion's precedence (:mod:`deps.services.fusion`), the choice of one release per node when
a dataset is read (:func:`deps.store.queries.provision_frame`) and the shipped extract
(:func:`deps.ingest.extract.build_extract`).  Pure numpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["EVIDENCE_RANK", "block_evidence_rank", "block_evidence_ranks"]

#: Evidence kinds by strength; anything else (``projected``, empty) ranks 0.
EVIDENCE_RANK = {"observed": 3, "estimated": 2, "expert": 1}


def block_evidence_ranks(groups: np.ndarray, share: np.ndarray, evidence: Sequence[object] | np.ndarray) -> np.ndarray:
    """The evidence rank of every block (see the module docstring), for blocks numbered ``0 .. groups.max()``.

    Parameters
    ----------
    groups
        The block number of each row (non-negative integers).
    share
        Each row's share, ``nan`` where unknown.
    evidence
        Each row's evidence kind.

    Returns
    -------
    numpy.ndarray
        One rank per block number (3 observed, 2 estimated, 1 expert, 0 none).

    Examples
    --------
    >>> block_evidence_ranks(np.array([0, 0, 0, 1]), np.array([0.0, 0.6, 0.4, 0.0]),
    ...                      ["observed", "estimated", "estimated", "observed"]).tolist()
    [2, 3]
    """
    groups = np.asarray(groups, dtype=np.intp)
    n = int(groups.max()) + 1 if len(groups) else 0
    share = np.asarray(share, dtype=float)
    rank = np.fromiter((EVIDENCE_RANK.get(str(e), 0) for e in evidence), dtype=np.int64, count=len(groups))
    known = ~np.isnan(share)
    weight = np.where(known, share, 0.0)
    total = np.bincount(groups, weights=weight, minlength=n)
    out = np.zeros(n, dtype=np.int64)
    decided = np.zeros(n, dtype=bool)
    for level in sorted(set(EVIDENCE_RANK.values()), reverse=True):
        carried = np.bincount(groups, weights=np.where(rank >= level, weight, 0.0), minlength=n)
        hit = ~decided & (total > 0) & (carried > total / 2)
        out[hit] = level
        decided |= hit
    has_known = np.bincount(groups, weights=known.astype(float), minlength=n) > 0
    weakest = np.full(n, max(EVIDENCE_RANK.values()) + 1, dtype=np.int64)
    np.minimum.at(weakest, groups[known], rank[known])
    zero = has_known & ~(total > 0)
    out[zero] = weakest[zero]
    best = np.zeros(n, dtype=np.int64)
    np.maximum.at(best, groups, rank)
    out[~has_known] = best[~has_known]
    return out


def block_evidence_rank(share: np.ndarray, evidence: Sequence[object] | np.ndarray) -> int:
    """The evidence rank of one block of rows (:func:`block_evidence_ranks` with every row in block 0).

    >>> block_evidence_rank(np.array([0.0, 0.9, 0.1]), ["observed", "estimated", "estimated"])
    2
    >>> block_evidence_rank(np.array([0.0]), ["observed"])
    3
    """
    if not len(evidence):
        return 0
    return int(block_evidence_ranks(np.zeros(len(evidence), dtype=np.intp), share, evidence)[0])
