"""Shared helpers of the efficiency analyses: columns, exact calendar dates, vectorised text.

Private: used by the files of :mod:`landuse.efficiency` (others reach them through
:mod:`landuse.efficiency.inputs`).

Dates are compared at day resolution (``datetime64[D]``). "One year after" a date is the same
calendar day one year later (29 February → 28 February), so a deadline of one year from
2020-12-31 falls on 2021-12-31: on that day the year is complete.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from landuse.errors import SchemaError, format_ids
from landuse.policy import Policy
from landuse.units import M2_PER_MU

__all__: list[str] = []

DAY = "datetime64[D]"
_NAT = np.datetime64("NaT", "D")
#: Production statuses of an enterprise that has completed and occupies its parcel.
OPERATING = ("producing", "partly_stopped", "stopped")
STOPPED = ("stopped", "partly_stopped")


#: The package folder: frames inside it are landuse's own.
_PACKAGE = str(Path(__file__).resolve().parents[1])


def user_stacklevel() -> int:
    """Return the ``stacklevel`` for a warning of the caller that points at the user's code.

    Counts the frames inside the landuse package (decorators included), so the warning names
    the user's line however deep the public function calls.
    """
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level


# --- policy -----------------------------------------------------------------------------------


def setting(policy: Policy, key: str) -> Any:
    """Return policy ``key`` (``"section.name"``), ``None`` when the profile leaves it unset.

    Read through its section, so the key is recorded in ``attrs["policy_keys"]``
    (:func:`landuse._checks.records_policy`) whether set or not: an unset key is read to find
    it unset, and the rule it drives is then named in ``attrs["not_evaluated"]``.
    """
    section, name = key.split(".", 1)
    return getattr(getattr(policy, section), name)


def is_unset(policy: Policy, key: str) -> bool:
    """Whether the profile leaves ``key`` unset (the key is recorded as read)."""
    return setting(policy, key) is None


# --- columns -----------------------------------------------------------------------------------


def number(frame: pd.DataFrame, column: str, *, caller: str) -> np.ndarray | None:
    """Return a numeric column as float64 (NaN for missing), or ``None`` if it is absent."""
    if column not in frame.columns:
        return None
    raw = frame[column]
    num = pd.to_numeric(raw, errors="coerce")
    bad = raw.notna().to_numpy() & num.isna().to_numpy()
    if bad.any():
        ids = _ids(frame)[bad]
        msg = (
            f"{caller}(): column `{column}` must be numeric; {int(bad.sum())} value(s) are not "
            f"(rows {format_ids(ids)}: {format_ids(raw[bad].astype(str))}). Read the layer with "
            "the landuse readers, or fix the values."
        )
        raise SchemaError(msg)
    return num.to_numpy(dtype="float64", na_value=np.nan)


def date(frame: pd.DataFrame, column: str, *, caller: str) -> np.ndarray | None:
    """Return a date column as ``datetime64[D]`` (NaT for missing), or ``None`` if absent."""
    if column not in frame.columns:
        return None
    raw = frame[column]
    try:
        values = pd.to_datetime(raw, errors="raise")
    except (TypeError, ValueError) as exc:
        parsed = pd.to_datetime(raw, errors="coerce")
        bad = raw.notna().to_numpy() & parsed.isna().to_numpy()
        msg = (
            f"{caller}(): column `{column}` must hold dates; {int(bad.sum())} value(s) are not "
            f"(rows {format_ids(_ids(frame)[bad])}: {format_ids(raw[bad].astype(str))}). Read the "
            "layer with the landuse readers, or fix the values."
        )
        raise SchemaError(msg) from exc
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    return values.to_numpy(dtype="datetime64[ns]").astype(DAY)


def text(frame: pd.DataFrame, column: str) -> np.ndarray | None:
    """Return a text column as an object array of ``str`` / ``None``, or ``None`` if absent."""
    if column not in frame.columns:
        return None
    raw = frame[column]
    if not (pd.api.types.is_string_dtype(raw.dtype) or raw.dtype == object):
        raw = raw.astype("string")
    stripped = raw.astype("string").str.strip()
    return stripped.to_numpy(dtype=object, na_value=None)


def industry_codes(frame: pd.DataFrame) -> np.ndarray | None:
    """``industry_code`` as digits (section letter dropped, ``36.0`` → ``36``), or ``None``."""
    if "industry_code" not in frame.columns:
        return None
    raw = frame["industry_code"]
    if pd.api.types.is_numeric_dtype(raw.dtype):
        num = pd.to_numeric(raw, errors="coerce")
        s = num.round().astype("Int64").astype("string")
        s = s.str.zfill(2)
    else:
        s = raw.astype("string").str.strip().str.upper().str.replace(r"^[A-Z]", "", regex=True)
        s = s.str.replace(r"\.0$", "", regex=True)
        s = s.where(s.str.fullmatch(r"\d{1,6}").fillna(False))
        s = s.where(s.str.len() != 1, "0" + s)
    out = s.astype(object).to_numpy(copy=True)
    out[pd.isna(out)] = None
    return out


def code_versions(frame: pd.DataFrame) -> np.ndarray:
    """``industry_code_version`` (``"2017"`` where missing)."""
    versions = text(frame, "industry_code_version")
    if versions is None:
        return np.full(len(frame), "2017", dtype=object)
    versions = versions.copy()
    versions[pd.isna(versions)] = "2017"
    return versions


def land_area(parcels: gpd.GeoDataFrame, *, caller: str) -> np.ndarray:
    """Contract land area in m² (``land_area_m2``, else the geometry's area); NaN if unknown."""
    geoms = parcels.geometry.to_numpy()
    geom_area = shapely.area(geoms)
    geom_area = np.where(np.isnan(geom_area) | (geom_area <= 0), np.nan, geom_area)
    given = number(parcels, "land_area_m2", caller=caller)
    if given is None:
        return geom_area
    return np.where(np.isfinite(given) & (given > 0), given, geom_area)


def ids(parcels: pd.DataFrame) -> np.ndarray:
    """``parcel_id`` values (object array), or the index where the column is absent."""
    return _ids(parcels)


def _ids(frame: pd.DataFrame) -> np.ndarray:
    if "parcel_id" in frame.columns:
        return frame["parcel_id"].astype(object).to_numpy()
    return frame.index.to_numpy(dtype=object)


def in_scope(parcels: pd.DataFrame, land_uses: Sequence[str] | None) -> np.ndarray:
    """Parcels whose ``land_use`` is one of ``land_uses`` (all when ``None`` or no column)."""
    if land_uses is None or "land_use" not in parcels.columns:
        return np.ones(len(parcels), dtype=bool)
    return parcels["land_use"].isin(list(land_uses)).to_numpy(dtype=bool)


def per_mu(values: np.ndarray | None, area_m2: np.ndarray) -> np.ndarray | None:
    """``values`` per 亩 of ``area_m2``."""
    if values is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        return values / (area_m2 / M2_PER_MU)


def ratio(num: np.ndarray | None, den: np.ndarray | None) -> np.ndarray | None:
    """``num / den`` with NaN where ``den`` is missing or not positive."""
    if num is None or den is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


# --- exact calendar arithmetic -----------------------------------------------------------------


def add_months(dates: np.ndarray, months: int | np.ndarray) -> np.ndarray:
    """Add whole months to ``datetime64[D]`` dates; a day past the month's end is clipped.

    >>> add_months(np.array(["2020-02-29", "2021-01-31", "NaT"], dtype="datetime64[D]"), 12)
    array(['2021-02-28', '2022-01-31',        'NaT'], dtype='datetime64[D]')
    """
    dates = np.asarray(dates, dtype=DAY)
    nat = np.isnat(dates)
    safe = np.where(nat, np.datetime64("2000-01-01", "D"), dates)
    month = safe.astype("datetime64[M]")
    day = (safe - month.astype(DAY)).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64)
    first = target.astype(DAY)
    length = ((target + 1).astype(DAY) - first).astype(np.int64)
    out = first + np.minimum(day, length - 1)
    return np.where(nat, _NAT, out)


def add_years(dates: np.ndarray, years: float) -> np.ndarray:
    """Add ``years`` (whole months exact by calendar, other fractions as days of 365.2425).

    >>> add_years(np.array(["2020-12-31"], dtype="datetime64[D]"), 1)
    array(['2021-12-31'], dtype='datetime64[D]')
    """
    months = float(years) * 12.0
    if abs(months - round(months)) < 1e-9:
        return add_months(dates, round(months))
    return np.asarray(dates, dtype=DAY) + np.timedelta64(round(years * 365.2425), "D")


def years_between(start: np.ndarray, end: np.datetime64 | np.ndarray) -> np.ndarray:
    """Calendar years from ``start`` to ``end``: whole years plus the share of the next one.

    >>> years_between(np.array(["2020-12-31", "2021-01-01", "2019-07-01"], dtype="datetime64[D]"),
    ...               np.datetime64("2021-12-31"))
    array([1.        , 0.99726027, 2.50136986])
    """
    start = np.asarray(start, dtype=DAY)
    end_arr = np.broadcast_to(np.asarray(end, dtype=DAY), start.shape)
    nat = np.isnat(start) | np.isnat(end_arr)
    s = np.where(nat, np.datetime64("2000-01-01", "D"), start)
    e = np.where(nat, np.datetime64("2000-01-01", "D"), end_arr)
    whole = e.astype("datetime64[Y]").astype(np.int64) - s.astype("datetime64[Y]").astype(np.int64)
    whole = whole - (add_months(s, whole * 12) > e)
    lo = add_months(s, whole * 12)
    hi = add_months(s, (whole + 1) * 12)
    share = (e - lo).astype(np.int64) / (hi - lo).astype(np.int64)
    return np.where(nat, np.nan, whole + share)


# --- vectorised text ---------------------------------------------------------------------------


def fmt(values: np.ndarray, digits: int = 2) -> pa.Array:
    """Fixed-point text of numbers (``0.45``, ``0.70``); missing → ``—``.

    >>> fmt(np.array([0.7, 12.345, -0.004, np.nan]), 2).to_pylist()
    ['0.70', '12.35', '0.00', '—']
    """
    values = np.asarray(values, dtype="float64")
    missing = ~np.isfinite(values)
    scale = 10**digits
    # half up, with a relative nudge so 12.345 (stored as 12.3449999…) prints as people expect
    q = np.floor(np.abs(np.where(missing, 0.0, values)) * scale * (1 + 1e-12) + 0.5)
    q = q.astype(np.int64)
    negative = (values < 0) & (q > 0)
    whole = pa.array(q // scale).cast(pa.string())
    if digits:
        frac = pc.utf8_lpad(pa.array(q % scale).cast(pa.string()), digits, "0")
        out = pc.binary_join_element_wise(whole, frac, ".")
    else:
        out = whole
    out = pc.if_else(pa.array(negative), pc.binary_join_element_wise("-", out, ""), out)
    return pc.if_else(pa.array(missing), pa.scalar("—"), out)


def fmt_years(values: np.ndarray, digits: int = 2, *, up: bool = False) -> pa.Array:
    """Durations in years, cut (not rounded) to ``digits`` so a threshold is never overstated.

    One day short of 2 years shows as ``1.99`` (for "at least" rules); with ``up=True`` one
    day past 2 years shows as ``2.01`` (for "more than" rules).

    >>> fmt_years(np.array([1.0, 2 - 1 / 366, 0.99999999999])).to_pylist()
    ['1.00', '1.99', '1.00']
    >>> fmt_years(np.array([2.0, 2 + 1 / 365]), up=True).to_pylist()
    ['2.00', '2.01']
    """
    scale = 10**digits
    values = np.asarray(values, dtype="float64")
    if up:
        return fmt(np.ceil(values * scale - 1e-6) / scale, digits)
    return fmt(np.floor(values * scale + 1e-6) / scale, digits)


def fmt_date(values: np.ndarray) -> pa.Array:
    """ISO dates (``2021-12-31``); missing → ``—``."""
    values = np.asarray(values, dtype=DAY)
    out = np.datetime_as_string(values, unit="D").astype(object)
    out[np.isnat(values)] = "—"
    return pa.array(out, type=pa.string())


def strings(values: np.ndarray) -> pa.Array:
    """Object array of text (``None`` → ``—``) as an arrow string array."""
    out = np.asarray(values, dtype=object).copy()
    out[pd.isna(out)] = "—"
    return pa.array(out, type=pa.string())


def concat(*parts: pa.Array | str) -> pa.Array:
    """Join text pieces element-wise (plain ``str`` pieces repeat on every row)."""
    return pc.binary_join_element_wise(*parts, "")
