"""Value coercion for readers: numbers, dates, codes and categories found in real files.

Each coercer returns the coerced values and a boolean mask of the values that were
present but could not be understood, so the reader can report them with ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = [
    "NULL_TOKENS",
    "to_code",
    "to_date",
    "to_industry_code",
    "to_industry_codes",
    "to_number",
    "to_text",
]

#: Values that mean "no value" in bureau spreadsheets; they become missing silently.
NULL_TOKENS: frozenset[str] = frozenset(
    {"", "-", "--", "—", "——", "/", "无", "空", "暂无", "n/a", "na", "nan", "none", "null", "#n/a"}
)

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９．－＋，　",
    "0123456789.-+, ",
)


def _is_null_token(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip().str.lower()
    return values.isna() | text.isin(NULL_TOKENS).fillna(False)


def to_number(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Coerce a column to float.

    Accepts numbers, numeric text with thousands separators (``"1,234.5"``),
    full-width digits (``"１２３"``) and the null tokens in :data:`NULL_TOKENS`.

    Returns
    -------
    values : pandas.Series
        float64, NaN where missing or invalid.
    invalid : pandas.Series
        True where a value was present but is not a number.

    Examples
    --------
    >>> v, bad = to_number(pd.Series(["1,234.5", "１２", "无", "abc", None]))
    >>> v.tolist()[:3], bad.tolist()
    ([1234.5, 12.0, nan], [False, False, False, True, False])
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64"), pd.Series(False, index=values.index)
    if pd.api.types.is_numeric_dtype(values):
        out = pd.to_numeric(values, errors="coerce").astype("float64")
        return out, pd.Series(False, index=values.index)
    null = _is_null_token(values)
    text = values.astype("string").str.translate(_FULLWIDTH).str.replace(r"[,\s]", "", regex=True)
    text = text.mask(null)
    out = pd.to_numeric(text, errors="coerce").astype("float64")
    invalid = ~null & out.isna()
    return out, invalid.astype(bool)


_DATE_SEP = re.compile(r"[年月/\.]")


def to_date(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Coerce a column to ``datetime64[ns]``.

    Accepts datetimes, ISO text, ``2019/3/1``, ``2019.03.01``, ``2019年3月1日``,
    ``20190301`` and Excel serial day numbers.

    Examples
    --------
    >>> d, bad = to_date(pd.Series(["2019-03-01", "2019年3月1日", "2019/3/1", "20190301", "昨天"]))
    >>> d.dt.strftime("%Y-%m-%d").tolist()[:4], bad.tolist()
    (['2019-03-01', '2019-03-01', '2019-03-01', '2019-03-01'], [False, False, False, False, True])
    """
    idx = values.index
    if pd.api.types.is_datetime64_any_dtype(values):
        out = pd.to_datetime(values)
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out.astype("datetime64[ns]"), pd.Series(False, index=idx)
    if pd.api.types.is_numeric_dtype(values):
        num = pd.to_numeric(values, errors="coerce")
        out = pd.to_datetime(num, unit="D", origin="1899-12-30", errors="coerce")
        return out.astype("datetime64[ns]"), (num.notna() & out.isna())
    null = _is_null_token(values)
    text = values.astype("string").str.strip().str.translate(_FULLWIDTH)
    # datetime.date objects (from some drivers) arrive as "2019-03-01"; time parts are dropped
    text = text.str.replace(r"[T ].*$", "", regex=True).str.rstrip("日")
    text = text.str.replace(_DATE_SEP, "-", regex=True)
    eight = text.str.fullmatch(r"\d{8}").fillna(False)
    text = text.where(~eight, text.str[:4] + "-" + text.str[4:6] + "-" + text.str[6:8])
    serial = text.str.fullmatch(r"\d{5}(\.\d+)?").fillna(False)
    out = pd.to_datetime(text.where(~serial), format="%Y-%m-%d", errors="coerce")
    if serial.any():
        days = pd.to_numeric(text.where(serial), errors="coerce")
        out = out.where(~serial, pd.to_datetime(days, unit="D", origin="1899-12-30"))
    out = out.mask(null)
    invalid = ~null & out.isna()
    return out.astype("datetime64[ns]"), invalid.astype(bool)


def to_text(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Coerce a column to text; whole floats from shapefiles (``12.0``) become ``"12"``.

    Examples
    --------
    >>> to_text(pd.Series([12.0, " A-7 ", None]))[0].tolist()
    ['12', 'A-7', nan]
    """
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values == np.round(values))
        text = values.astype("string")
        text = text.where(~whole, values.where(whole).astype("Int64").astype("string"))
    elif values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) != "string":
        fixed = values.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v)
        text = fixed.astype("string")
    else:
        text = values.astype("string")
    text = text.str.strip()
    text = text.mask(_is_null_token(values) | (text == ""))
    out = text.astype(object).where(text.notna(), np.nan)
    return pd.Series(out, index=values.index, dtype="str"), pd.Series(False, index=values.index)


def to_code(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Coerce an identifier column to text (alias of :func:`to_text`).

    Examples
    --------
    >>> to_code(pd.Series([370282001.0]))[0].tolist()
    ['370282001']
    """
    return to_text(values)


_INDUSTRY_RE = re.compile(r"^[A-Za-z]?\s*(\d{1,4})")


def to_industry_code(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Coerce GB/T 4754 codes to the 2-digit division as text.

    ``"36"``, ``36``, ``"C36"``, ``"3611"`` (a class) and ``"36 汽车制造业"`` all give ``"36"``;
    a single digit is zero-padded (``6`` → ``"06"``).

    Examples
    --------
    >>> codes, bad = to_industry_code(pd.Series(["C3611", 36.0, "6", "汽车", None]))
    >>> codes.tolist(), bad.tolist()
    (['36', '36', '06', nan, nan], [False, False, False, True, False])
    """
    text, _ = to_text(values)
    digits = text.astype("string").str.extract(_INDUSTRY_RE, expand=False)
    division = digits.str.zfill(2).str[:2]
    invalid = text.notna() & division.isna()
    out = division.astype(object).where(division.notna(), np.nan)
    return pd.Series(out, index=values.index, dtype="str"), invalid.astype(bool)


_LIST_SEP = re.compile(r"[;,，、；/\s]+")


def to_industry_codes(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Coerce lists of GB/T 4754 codes (``"C36、C38"``, ``"36,38"``) to ``"36;38"``.

    Examples
    --------
    >>> codes, bad = to_industry_codes(pd.Series(["C36、C38", "39", "36；汽车", None]))
    >>> codes.tolist(), bad.tolist()
    (['36;38', '39', '36', nan], [False, False, True, False])
    """
    text, _ = to_text(values)
    parts = text.astype("string").str.split(_LIST_SEP).explode()
    parts = parts[parts.notna() & (parts != "")]
    codes, bad_part = to_industry_code(pd.Series(parts.to_numpy(dtype=object), index=parts.index))
    invalid = bad_part.groupby(level=0).any().reindex(values.index, fill_value=False)
    joined = codes.dropna().groupby(level=0).agg(lambda c: ";".join(dict.fromkeys(c)))
    out = joined.reindex(values.index).astype(object)
    out = out.where(out.notna(), np.nan)
    return pd.Series(out, index=values.index, dtype="str"), invalid.astype(bool)


def to_category(
    values: pd.Series, normalise: Callable[[object], str | None], choices: tuple[str, ...]
) -> tuple[pd.Series, pd.Series]:
    """Normalise a categorical column with ``normalise`` and flag values outside ``choices``.

    Examples
    --------
    >>> from landuse.schema import normalise_area_type, AREA_TYPES
    >>> v, bad = to_category(pd.Series(["产业发展区", "公园"]), normalise_area_type, AREA_TYPES)
    >>> v.tolist(), bad.tolist()
    (['industrial', '公园'], [False, True])
    """
    text, _ = to_text(values)
    uniques = text.dropna().unique()
    lookup = {v: normalise(v) for v in uniques}  # few distinct codes: normalise each once
    mapped = text.map(lookup).astype(object)
    invalid = mapped.notna() & ~mapped.isin(choices)
    out = mapped.where(mapped.notna(), np.nan)
    return pd.Series(out, index=values.index, dtype="str"), invalid.astype(bool)
