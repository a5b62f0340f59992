"""A result table as people read it: headers, labels and units from the one catalogue.

Private: see :func:`landuse.report.present`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse._checks import Lang
from landuse.schema import (
    CATEGORY_LABELS,
    FIELDS,
    UNITS,
    Field,
    category_labels,
    code_column,
    field_info,
)

__all__ = ["ColumnSpec", "ShareAs", "present", "restore_codes"]

#: How a share (0–1) is written: as the fraction (Excel shows it as %, GeoPackage and Parquet
#: keep it for programs) or as a percentage (CSV, where no cell format can say "%").
ShareAs = Literal["fraction", "percent"]

#: Columns that only repeat the label of a coded column: the label is now in the column itself.
_TWINS = {"route_label": "route", "grade_label": "grade"}

_BOOL = {"zh": ("是", "否"), "en": ("yes", "no")}


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a presented table: where it came from and how it is shown."""

    name: str  # canonical name (or the code column's name)
    header: str
    field: Field
    kind: Literal["text", "number", "date", "datetime", "code"]
    unit: str | None  # key of UNITS, after share→percent conversion
    description: str = ""


def _is_bool(series: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(series.dtype)


def _kind(series: pd.Series) -> Literal["text", "number", "date", "datetime"]:
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(
        series.dtype
    ):
        values = series.dropna()
        if len(values) and bool((values.dt.normalize() != values).any()):
            return "datetime"
        return "date"
    if pd.api.types.is_numeric_dtype(series.dtype) and not _is_bool(series):
        return "number"
    return "text"


def _labels(series: pd.Series, category: str, lang: Lang) -> pd.Series:
    names = category_labels(category, lang=lang)
    values = series.astype(object)
    mapped = values.map(names)  # a dict lookup per value; unknown codes stay as they are
    mapped = mapped.where(mapped.notna(), values)
    return pd.Series(pd.array(mapped, dtype="str"), index=series.index)


def _bool_text(series: pd.Series, lang: Lang) -> pd.Series:
    yes, no = _BOOL[lang]
    b = series.astype("boolean")
    text = np.where(b.isna(), None, np.where(b.fillna(False), yes, no))
    return pd.Series(pd.array(text, dtype="str"), index=series.index)


def _describe(field: Field, lang: Lang) -> str:
    if field.category is None:
        return ""
    i = 0 if lang == "zh" else 1
    pairs = "; ".join(f"{code} = {p[i]}" for code, p in CATEGORY_LABELS[field.category].items())
    return pairs


def _unique(headers: list[str], names: list[str]) -> list[str]:
    """Make headers unique by adding the column name to the later duplicates."""
    seen: set[str] = set()
    out = []
    for header, name in zip(headers, names, strict=True):
        if header in seen:
            header = f"{header} [{name}]"
        seen.add(header)
        out.append(header)
    return out


def present(
    table: pd.DataFrame,
    *,
    lang: Lang = "zh",
    fields: Mapping[str, Field] | None = None,
    share_as: ShareAs = "fraction",
    headers: bool = True,
    round_numbers: bool = False,
) -> tuple[pd.DataFrame, list[ColumnSpec]]:
    """Return ``table`` as people read it, and the description of each column.

    - coded values (``verdict``, ``route``, ``status``…) become their label in ``lang``; the
      codes move to a column at the end (:func:`landuse.schema.code_column`: ``verdict_code``);
    - booleans become 是/否 (yes/no), missing stays empty;
    - columns that only repeat a label (``route_label``) are left out;
    - a share becomes a percentage with ``share_as="percent"``;
    - ``headers``: the header of each column from :data:`landuse.schema.FIELDS` (or
      ``fields``), unit in brackets; ``False`` keeps the canonical names (GeoPackage,
      Parquet: the headers go to the aliases);
    - ``round_numbers``: numbers rounded to their unit's decimals (CSV).

    The geometry column is dropped (write GeoPackages with :func:`write_table`).

    Examples
    --------
    >>> t = pd.DataFrame({"verdict": ["inside", "outside"], "share_in_zone": [1.0, 0.25]})
    >>> shown, columns = present(t)
    >>> shown.to_dict("list")
    {'判定结果': ['位于集聚区内', '位于集聚区外'], '集聚区内面积占比': [1.0, 0.25], '判定结果代码': ['inside', 'outside']}
    >>> present(t, lang="en", share_as="percent")[0].columns.tolist()
    ['Verdict', 'Share inside the zones (%)', 'Verdict code']
    """
    fields = dict(fields or {})
    frame = pd.DataFrame(
        table.drop(columns=table.geometry.name) if isinstance(table, gpd.GeoDataFrame) else table
    )
    frame.attrs = {}
    present_names = set(map(str, frame.columns))
    out: dict[str, pd.Series] = {}
    columns: list[ColumnSpec] = []
    codes: list[tuple[str, pd.Series, ColumnSpec]] = []
    for name in frame.columns:
        key = str(name)
        if key in _TWINS and _TWINS[key] in present_names:
            continue
        series = frame[name]
        field = fields.get(key) or field_info(key)
        unit = field.unit
        if field.category is not None and not pd.api.types.is_numeric_dtype(series.dtype):
            code_name = code_column(key)
            if code_name not in present_names:
                code_field = FIELDS.get(code_name) or Field(
                    code_name, f"{field.zh}代码", f"{field.en} code"
                )
                codes.append(
                    (
                        code_name,
                        pd.Series(pd.array(series.astype(object), dtype="str"), index=frame.index),
                        ColumnSpec(
                            code_name,
                            code_field.header(lang) if headers else code_name,
                            code_field,
                            "code",
                            None,
                            _describe(field, lang),
                        ),
                    )
                )
            series = _labels(series, field.category, lang)
            kind: Literal["text", "number", "date", "datetime", "code"] = "text"
        elif _is_bool(series):
            series = _bool_text(series, lang)
            kind = "text"
        else:
            kind = _kind(series)
        if kind != "number":
            unit = None
        elif unit is None and pd.api.types.is_integer_dtype(series.dtype):
            unit = "count"
        header_field = field
        if kind == "number" and unit == "share" and share_as == "percent":
            series = series.astype(float) * 100
            unit = "percent"
        if kind == "number" and round_numbers:
            decimals = 2 if unit == "percent" else (UNITS[unit][3] if unit in UNITS else None)
            if decimals is not None:
                series = series.round(decimals)
        header = key
        if headers:
            header = header_field.header(lang)
            if unit == "percent":
                header = f"{header_field.zh}（%）" if lang == "zh" else f"{header_field.en} (%)"
        out[key] = series
        columns.append(ColumnSpec(key, header, field, kind, unit, _describe(field, lang)))
    for code_name, series, column in codes:
        out[code_name] = series
        columns.append(column)
    shown = pd.DataFrame(out, index=frame.index)
    labels = _unique([c.header for c in columns], [c.name for c in columns])
    columns = [
        ColumnSpec(c.name, h, c.field, c.kind, c.unit, c.description)
        for c, h in zip(columns, labels, strict=True)
    ]
    shown.columns = labels
    return shown, columns


def restore_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`present` on coded columns read back from an output file.

    Where a coded column has its code column (``verdict`` and ``verdict_code``), the codes
    go back into the column and the code column is dropped; other columns are unchanged.

    Examples
    --------
    >>> t = pd.DataFrame({"route": ["收购储备"], "route_code": ["acquisition"], "x": [1]})
    >>> restore_codes(t).to_dict("list")
    {'route': ['acquisition'], 'x': [1]}
    """
    out = frame.copy()
    for category_column in [str(c) for c in frame.columns]:
        field = field_info(category_column)
        code_name = code_column(category_column)
        if field.category is not None and code_name in out.columns:
            out[category_column] = out[code_name]
            out = out.drop(columns=code_name)
    return out
