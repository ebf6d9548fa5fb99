"""Effect curves with provenance: the one validation of an ``effects`` table (template sheets and assumption sets).

An effect curve says how much of a target's baseline risk an action line removes per EUR million, as a concave
piecewise-linear function of the money spent: segment ``k`` of the curve of action line ``a`` on dependency kind
``d`` is ``length_meur`` long and removes ``slope`` x baseline risk per EUR million. Each segment carries three
slopes, the range of the evidence behind it:

    0 <= slope_low <= slope_central <= slope_high <= 1

and where the figure comes from: ``evidence`` is ``publication`` (a published budget, target or figure, translated
into the model's unit by stated arithmetic), ``evaluation`` (an audit or ex-post evaluation of an outcome) or
``expert`` (a judgement: ``judged_by`` names the role of who judged, ``reasoning`` how). Publications and
evaluations must cite a ``source_id``; every row gives its ``reasoning``. Within a curve each of the three slope
series must fall (or stay level) from segment to segment (diminishing returns: the LP needs no integer variables),
and the whole curve may remove at most all of the risk (``sum_k length_k x slope_k <= 1``).

Earlier templates had one ``reduction_per_meur`` column; it is reported with the fix (rename it ``slope_central``
and add the two bounds), never silently read.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from deps.ingest.validation import TableCheck
from deps.store.models import CONFIDENCE_LEVELS, DEPENDENCY_KINDS, EFFECT_EVIDENCE

__all__ = [
    "DEPENDENCY_KINDS",
    "EFFECT_COLUMNS",
    "EFFECT_EVIDENCE",
    "EFFECT_OPTIONAL",
    "EFFECT_REQUIRED",
    "SLOPES",
    "check_effects",
]

SLOPES = ("slope_low", "slope_central", "slope_high")
EFFECT_REQUIRED = ("action_line_id", "dependency_kind", "segment", "length_meur")
EFFECT_OPTIONAL = (*SLOPES, "source_id", "evidence", "confidence", "judged_by", "reasoning", "reduction_per_meur")
#: Columns of a validated effects frame (``source_id`` holds the cited source's code, '' when none).
EFFECT_COLUMNS = (
    *EFFECT_REQUIRED,
    *SLOPES,
    "source_id",
    "evidence",
    "confidence",
    "judged_by",
    "reasoning",
)
_TOLERANCE = 1e-12


def check_effects(check: TableCheck, *, lines: Collection[str], sources: Collection[str] | None = None) -> pd.DataFrame:
    """Convert and check one effects table; every problem goes to ``check.problems`` (file, row, column, fix).

    Parameters
    ----------
    check
        The table (all cells strings, columns :data:`EFFECT_REQUIRED` and :data:`EFFECT_OPTIONAL` present).
    lines
        Known action-line ids.
    sources
        Known source codes; ``None`` skips the reference check (the caller checks citations itself).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EFFECT_COLUMNS`; bad cells are missing values (the caller raises when problems were found).
    """
    frame = check.frame
    if (
        "reduction_per_meur" in frame.columns
        and frame["slope_central"].eq("").all()
        and frame["reduction_per_meur"].ne("").any()
    ):
        check.add(
            None,
            "reduction_per_meur",
            "the effects table uses the old single column reduction_per_meur",
            "rename it slope_central and add slope_low and slope_high (the range of the evidence; equal to "
            "slope_central only where the figure is exact), plus evidence, reasoning and, for expert rows, judged_by",
        )
    data = pd.DataFrame(
        {
            "action_line_id": check.text("action_line_id", what="an action_line_id"),
            "dependency_kind": check.choice("dependency_kind", DEPENDENCY_KINDS),
            "segment": check.integer("segment", low=1, high=20),
            "length_meur": check.number("length_meur", low=0, what="a segment length in EUR million"),
            **{
                slope: check.number(
                    slope, low=0, high=1, what="a fraction of the baseline risk removed per EUR million"
                )
                for slope in SLOPES
            },
            "source_id": check.text("source_id", required=False, max_len=200),
            "evidence": check.choice("evidence", EFFECT_EVIDENCE),
            "confidence": check.choice("confidence", CONFIDENCE_LEVELS, required=False),
            "judged_by": check.text("judged_by", required=False, max_len=200),
            "reasoning": check.text("reasoning", what="where the figure comes from and how it was translated"),
        }
    )
    check.references(
        "action_line_id", data["action_line_id"], lines, "action line", "use an action_line_id of the action lines"
    )
    if sources is not None:
        check.references(
            "source_id", data["source_id"], sources, "source", "add the source to sources.csv or correct the id"
        )
    _row_rules(check, data)
    check.unique(["action_line_id", "dependency_kind", "segment"], what="effect segment")
    _curve_rules(check, data)
    return data


def _row_rules(check: TableCheck, data: pd.DataFrame) -> None:
    for index in [int(i) for i in data.index[data["length_meur"].eq(0)]]:
        check.add(index, "length_meur", "a segment of length 0", "give the segment a positive length or remove it")
    low, central, high = (data[s] for s in SLOPES)
    for index in [int(i) for i in data.index[(low > central + _TOLERANCE).fillna(False)]]:
        check.add(
            index,
            "slope_low",
            f"slope_low {low[index]:g} is above slope_central {central[index]:g}",
            "give the range in order: slope_low <= slope_central <= slope_high",
        )
    for index in [int(i) for i in data.index[(central > high + _TOLERANCE).fillna(False)]]:
        check.add(
            index,
            "slope_high",
            f"slope_high {high[index]:g} is below slope_central {central[index]:g}",
            "give the range in order: slope_low <= slope_central <= slope_high",
        )
    cited = data["evidence"].isin(["publication", "evaluation"])
    for index in [int(i) for i in data.index[cited & data["source_id"].eq("")]]:
        check.add(
            index,
            "source_id",
            f"a {data['evidence'][index]} row without a source",
            "cite the publication or evaluation (a source_id of sources.csv), or mark the row expert",
        )
    for index in [int(i) for i in data.index[data["evidence"].eq("expert") & data["judged_by"].eq("")]]:
        check.add(
            index,
            "judged_by",
            "an expert row does not say who judged it",
            "give the role of who made the judgement (e.g. 'sector analyst, ministry')",
        )


def _curve_rules(check: TableCheck, data: pd.DataFrame) -> None:
    valid = data.dropna(subset=["segment", "length_meur", *SLOPES])
    for (line, kind), group in valid.groupby(["action_line_id", "dependency_kind"], sort=True):
        ordered = group.sort_values("segment")
        first = int(ordered.index[0])
        for slope in SLOPES:
            values = ordered[slope].to_numpy()
            if (values[1:] > values[:-1] + _TOLERANCE).any():
                check.add(
                    first,
                    slope,
                    f"the effect curve of {line}/{kind} is not concave: {slope} rises with the segment",
                    f"order the segments so that {slope} falls or stays level (diminishing returns)",
                )
            total = float((ordered["length_meur"] * ordered[slope]).sum())
            if total > 1.0 + 1e-9:
                check.add(
                    first,
                    "length_meur",
                    f"the effect curve of {line}/{kind} removes {total:.2f} x the baseline risk at {slope}",
                    f"shorten the segments or lower {slope} so that the sum of length x slope stays <= 1",
                )
