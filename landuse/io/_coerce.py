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
    "as_text",
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

#: Excel serial day numbers accepted: 61 (1900-03-01, after Excel's phantom 1900-02-29) to
#: 73415 (2100-12-31). Numbers of four digits (1000–9999) look like a bare year and are refused.
EXCEL_SERIAL_RANGE: tuple[int, int] = (61, 73415)
#: Dates a ``datetime64[ns]`` column can hold (pandas' limits, whole days).
DATE_RANGE: tuple[pd.Timestamp, pd.Timestamp] = (
    pd.Timestamp("1677-09-22"),
    pd.Timestamp("2262-04-11"),
)

#: What :func:`to_date` accepts, for error messages.
DATE_RULES = (
    "dates are yyyy-mm-dd (also 2019/3/5, 2019.03.05, 2019年3月5日), yyyymmdd (text or number) "
    f"or Excel serial days {EXCEL_SERIAL_RANGE[0]}…{EXCEL_SERIAL_RANGE[1]} "
    "(1900-03-01…2100-12-31); "
    "a bare year such as 2019 is not a date, and dates outside "
    f"{DATE_RANGE[0]:%Y-%m-%d}…{DATE_RANGE[1]:%Y-%m-%d} (e.g. the 9999-12-31 used for 长期) "
    "cannot be held"
)


def _in_range(out: pd.Series) -> pd.Series:
    """Datetimes of any resolution → ``datetime64[ns]``; those outside :data:`DATE_RANGE` → NaT."""
    years = out.dt.year
    ok = out.notna() & years.between(DATE_RANGE[0].year + 1, DATE_RANGE[1].year - 1)
    return out.where(ok).astype("datetime64[ns]")


def _from_numbers(num: pd.Series) -> pd.Series:
    """Numbers → dates: 8-digit whole numbers as yyyymmdd, else Excel serials in range."""
    num = num.astype("float64")
    whole = num.notna() & (num == np.floor(num))
    eight = whole & num.between(1e7, 1e8 - 1)
    text = num.where(eight).astype("Int64").astype("string")
    ymd = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
    serial = num.notna() & ~eight & num.between(*EXCEL_SERIAL_RANGE) & ~num.between(1000, 9999.999)
    days = pd.to_datetime(num.where(serial), unit="D", origin="1899-12-30", errors="coerce")
    return _in_range(ymd.where(eight, days.astype(ymd.dtype)))


def to_date(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Coerce a column to ``datetime64[ns]``.

    Accepts datetimes, ISO text, ``2019/3/1``, ``2019.03.01``, ``2019年3月1日``,
    ``yyyymmdd`` as text or number (``20190301``, ``20190301.0``) and Excel serial day
    numbers from 61 to 73415 (1900-03-01 to 2100-12-31; text serials too).

    Refused (flagged invalid, so the reader raises or, with ``on_invalid="coerce"``,
    sets them missing with a warning): a bare year (``2019``, ``"2019"``, ambiguous with
    an Excel serial of 1905), serials outside that range (``"99999"``), and any date
    outside pandas' ``datetime64[ns]`` range 1677-09-22…2262-04-11, such as the
    sentinel ``9999-12-31`` bureaus write for 长期 (no end).

    Parameters
    ----------
    values
        The column.

    Returns
    -------
    tuple of pandas.Series
        The dates (``datetime64[ns]``, ``NaT`` where missing or refused) and a boolean mask
        of the values that were given but refused.

    Examples
    --------
    >>> d, bad = to_date(pd.Series(["2019-03-01", "2019年3月1日", "2019/3/1", "20190301", "昨天"]))
    >>> d.dt.strftime("%Y-%m-%d").tolist()[:4], bad.tolist()
    (['2019-03-01', '2019-03-01', '2019-03-01', '2019-03-01'], [False, False, False, False, True])
    >>> d, bad = to_date(pd.Series([20190305, 43529, 2019, 99991231]))
    >>> d.dt.strftime("%Y-%m-%d").tolist()[:2], bad.tolist()
    (['2019-03-05', '2019-03-05'], [False, False, True, True])
    """
    idx = values.index
    if pd.api.types.is_datetime64_any_dtype(values):
        out = pd.to_datetime(values)
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        out = _in_range(out)
        return out, (values.notna() & out.isna())
    if pd.api.types.is_bool_dtype(values):
        return pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]"), values.notna()
    if pd.api.types.is_numeric_dtype(values):
        num = pd.to_numeric(values, errors="coerce")
        out = _from_numbers(num)
        return out, (num.notna() & out.isna())
    null = _is_null_token(values)
    text = values.astype("string").str.strip().str.translate(_FULLWIDTH)
    # datetime.date objects (from some drivers) arrive as "2019-03-01"; time parts are dropped
    text = text.str.replace(r"[T ].*$", "", regex=True).str.rstrip("日")
    numeric = text.str.fullmatch(r"\d+(\.\d*)?").fillna(False)
    text = text.str.replace(_DATE_SEP, "-", regex=True)
    parsed = pd.to_datetime(text.where(~numeric), format="%Y-%m-%d", errors="coerce")
    out = _in_range(parsed)
    if numeric.any():
        num = pd.to_numeric(values.astype("string").str.strip().where(numeric), errors="coerce")
        out = out.where(~numeric, _from_numbers(num))
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
        whole = values.notna() & np.isfinite(values) & (values == np.round(values))
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


def as_text(values: pd.Series) -> pd.Series:
    """Return a column as text the way the readers store ids and text fields.

    Whole floats that shapefiles and Excel make of codes (``12.0``) become ``"12"``, surrounding
    spaces go, and empty strings and null tokens (``""``, ``"NULL"``, ``"nan"`` …) become missing.
    Use it to match ids of a frame you built yourself against ids a reader produced.

    Parameters
    ----------
    values
        The column.

    Returns
    -------
    pandas.Series
        Text (``str`` dtype) on the same index.

    Examples
    --------
    >>> import pandas as pd
    >>> from landuse.io import as_text
    >>> as_text(pd.Series([12.0, " A-7 ", None])).tolist()
    ['12', 'A-7', nan]
    """
    return to_text(values)[0]


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
