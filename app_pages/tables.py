"""Tables as the analysts read them: a name beside every id, coded values in words, headers in the chosen language,
unknown shares as "unknown" (never "None"), and data shown as plain text.

:func:`show_table` wraps ``st.dataframe`` (whose toolbar cannot export: ``client.disableDataExport``); downloads keep
the field names and codes, so files match the CLI's.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages.i18n import language, t
from app_pages.labels import headers, named_frame, value_label
from app_pages.sentences import TEXT_COLUMNS, localise_sentence
from app_pages.state import current_dataset, graph_frames, line_names, market_names

__all__ = ["flagged", "labelled", "localised", "node_names", "show_table"]

#: Columns holding a coded value of a vocabulary in app_pages.texts_labels.VALUES.
VALUE_COLUMNS = {
    "kind": "kind",
    "supplier_type": "supplier_type",
    "evidence": "evidence",
    "confidence": "confidence",
    "chokepoint": "flag",
    "control_point": "flag",
    "bloc_control_point": "flag",
    "global_chokepoint": "flag",
    "foreign_home_chokepoint": "flag",
    "foreign_bloc_chokepoint": "flag",
    "firm_global_chokepoint": "flag",
    "dominator_chokepoint": "flag",
    "knockout_chokepoint": "flag",
    "sectors": "sector",
    "change": "change",
    "table": "table",
    "verdict": "verdict",
    "dependency_kind": "dependency_kind",
    "status": "status",
}
SHARE_COLUMNS = ("share", "top_share", "holder_share")


def flagged(values: pd.Series) -> pd.Series:
    """Whether each flag value is set or possibly set (``True``, ``yes`` or ``possible``; flags are tri-state where
    the data leave a share open)."""
    return values.map(lambda v: v is True or (isinstance(v, str) and v.lower() in ("yes", "possible", "true")))


def node_names() -> dict[str, str]:
    """Node id -> name of the chosen dataset version (empty when there is none)."""
    ref = current_dataset()
    if ref is None:
        return {}
    nodes = graph_frames(ref)["nodes"]
    return dict(zip(nodes["node_id"].astype(str), nodes["name"].astype(str), strict=True))


def _words(value: object, vocabulary: str, lang: str) -> object:
    if isinstance(value, str):
        if vocabulary == "sector":
            return "; ".join(value_label("sector", part, lang) for part in value.split(";") if part)
        return value_label(vocabulary, value, lang)
    return value


def localised(frame: pd.DataFrame, lang: str | None = None, *, raw: tuple[str, ...] = ()) -> pd.DataFrame:
    """``frame`` with names beside ids, coded values in words, unknown shares as "unknown" and the engines' sentences
    (explanations, reasons, conflicts: :data:`app_pages.sentences.TEXT_COLUMNS`) in the chosen language; the columns
    in ``raw`` keep their values (a column whose name matches a vocabulary but holds other codes)."""
    lang = lang or language()
    shown = named_frame(frame, nodes=node_names(), markets=market_names(), lines=line_names(), lang=lang)
    for column, vocabulary in VALUE_COLUMNS.items():
        # text columns (object or pandas' str dtype; bool flags and numbers have no words)
        if column in shown.columns and column not in raw and not pd.api.types.is_numeric_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v, voc=vocabulary: _words(v, voc, lang))
    for column in TEXT_COLUMNS:
        if lang == "nl" and column in shown.columns:
            shown[column] = shown[column].map(lambda v: localise_sentence(v, lang))
    unknown = t("unknown")
    for column in SHARE_COLUMNS:
        if column in shown.columns and shown[column].isna().any():
            shown[column] = shown[column].map(lambda v: unknown if pd.isna(v) else f"{float(v):.3g}")
    return shown


def labelled(columns: list[str]) -> dict[str, str]:
    """``column_config`` headers for ``columns`` in the chosen language (for ``st.data_editor``)."""
    return headers(pd.DataFrame(columns=columns), language())


def show_table(frame: pd.DataFrame, *, key: str | None = None, raw: tuple[str, ...] = (), **options: Any) -> Any:
    """``st.dataframe`` of :func:`localised` ``frame`` (``raw`` columns keep their values) with translated headers
    (extra ``column_config`` wins)."""
    options.pop("hide_index", None)
    shown = localised(frame, raw=raw)
    config: dict[str, Any] = dict(headers(shown, language()))
    config.update(options.pop("column_config", {}) or {})
    return st.dataframe(shown, hide_index=True, column_config=config, key=key, **options)
