"""Effect assumptions page (analysts): edit a named set of effect curves and save it as a new, audited version.

Every segment has a low, central and high slope (the range of the evidence) and says where the figure comes from
(publication, evaluation or expert judgement with the judge's role and reasoning). Saving validates the whole table
(the same checks as the importer) and stores the next version; a run picks a set on the optimiser page or with
``deps optimise --assumptions NAME[@VERSION]``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.i18n import error_text, t
from app_pages.plain import md
from app_pages.state import actor, current_dataset, database
from deps.access.auth import allowed
from deps.errors import DataValidationError, DepsError
from deps.ingest.effects import DEPENDENCY_KINDS, EFFECT_EVIDENCE
from deps.services.assumptions import dataset_effects, history, list_sets, save_set, show_set

_NEW = "__new__"


def _editor(effects: pd.DataFrame, key: str) -> pd.DataFrame:
    config = {
        "action_line_id": st.column_config.TextColumn(t("Action line"), required=True),
        "dependency_kind": st.column_config.SelectboxColumn(
            t("Dependency kind"), options=DEPENDENCY_KINDS, required=True
        ),
        "segment": st.column_config.NumberColumn(t("Segment"), min_value=1, max_value=20, step=1, required=True),
        "length_meur": st.column_config.NumberColumn(t("Length (EUR million)"), min_value=0.0, required=True),
        "slope_low": st.column_config.NumberColumn(t("Low slope"), min_value=0.0, max_value=1.0, format="%.2e"),
        "slope_central": st.column_config.NumberColumn(t("Central slope"), min_value=0.0, max_value=1.0, format="%.2e"),
        "slope_high": st.column_config.NumberColumn(t("High slope"), min_value=0.0, max_value=1.0, format="%.2e"),
        "source_id": st.column_config.TextColumn(t("Source")),
        "evidence": st.column_config.SelectboxColumn(t("Evidence"), options=EFFECT_EVIDENCE, required=True),
        "confidence": st.column_config.SelectboxColumn(t("Confidence"), options=("high", "medium", "low")),
        "judged_by": st.column_config.TextColumn(t("Judged by (role)")),
        "reasoning": st.column_config.TextColumn(t("Reasoning"), width="large"),
    }
    return st.data_editor(effects, key=key, num_rows="dynamic", hide_index=True, column_config=config)


def _problems(exc: DataValidationError) -> None:
    st.error(t("The set was not saved: {n} problem(s) to fix.", n=len(exc.problems)))
    st.dataframe(pd.DataFrame([p.as_dict() for p in exc.problems]), hide_index=True)


def render() -> None:
    """Draw the page."""
    st.title(t("Effect assumptions"))
    user = actor()
    db = database()
    if not allowed(user, "edit_assumptions"):
        st.warning(t("Editing effect assumptions needs the analyst role."))
        return
    st.caption(
        t(
            "Each segment removes a fraction of a target's baseline risk per EUR million spent. Give the low, central "
            "and high value of the evidence and say where it comes from; every save is a new version."
        )
    )
    sets = list_sets(db, actor=user)
    st.dataframe(sets, hide_index=True)
    new = t("New set from the dataset's effect curves")  # set names have no spaces, so this never names a set
    choice = st.selectbox(t("Assumption set"), [new, *sets["name"].tolist()], key="as_set")
    if choice == new:
        ref = current_dataset()
        if ref is None:
            return
        effects = dataset_effects(db, ref.name, actor=user)
        name = st.text_input(t("Name of the new set"), key="as_name", max_chars=80).strip()
        base = t("dataset {name} version {version}", name=ref.name, version=ref.version)
    else:
        version = show_set(db, str(choice), actor=user)
        effects, name, base = version.effects, str(choice), version.reference
    st.subheader(t("Segments (starting from {base})", base=base))
    edited = _editor(effects, key=f"as_editor_{_NEW if choice == new else choice}")
    note = st.text_input(t("What changed and why"), key="as_note", max_chars=2000)
    if st.button(t("Save as new version"), key="as_save", type="primary"):
        if not name:
            st.error(t("Give the new set a name."))
        else:
            try:
                saved = save_set(db, name, edited, actor=user, note=note)
            except DataValidationError as exc:
                _problems(exc)
            except DepsError as exc:
                st.error(md(error_text(exc)))
            else:
                st.success(t("Saved {ref} ({n} segments).", ref=saved.reference, n=len(saved.effects)))
    if choice != new:
        st.subheader(t("Versions"))
        st.dataframe(history(db, str(choice), actor=user), hide_index=True)


render()
