"""Zone statistics for the assessment: checks, indicator values, the one-row-per-zone table.

Private: use :func:`landuse.assessment.zone_indicators` and :func:`~landuse.assessment.assess_zones`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from landuse._checks import Lang, check_frame
from landuse.assessment._rules import INDICATORS, join_texts, text
from landuse.errors import SchemaError, format_ids
from landuse.schema import ZONE_STATS

__all__ = ["check_stats", "check_year", "indicator_table", "lookup", "take"]

#: Numeric columns kept: the zone_stats layer's, and the zone's floor area (m²), which the
#: alternative creation condition needs when ``zone_creation.alt_area_basis = "floor"``.
_NUMERIC = (
    *(c for c in ZONE_STATS.column_names if c not in ("zone_id", "year")),
    "floor_area_m2",
)


def check_year(year: Any, caller: str) -> int:
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        msg = f"{caller}: `year` must be a whole year such as 2021, got {year!r}"
        raise TypeError(msg)
    return int(year)


def check_stats(
    zone_stats: pd.DataFrame, *, caller: str, zones: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Validate ``zone_stats``; return a copy with float value columns and an int64 ``year``.

    Every problem is collected and reported in one :class:`SchemaError`.
    """
    check_frame(zone_stats, name="zone_stats", caller=caller, geometry=False)
    missing = [c for c in ("zone_id", "year") if c not in zone_stats.columns]
    if missing:
        msg = (
            f"{caller}: `zone_stats` has no column {', '.join(f'`{c}`' for c in missing)}; "
            f"received columns {list(zone_stats.columns)}. Read the table with "
            "landuse.read_zone_stats(), which maps Chinese headers (集聚区编号, 年份, 主营业务收入(亿元) …)."
        )
        raise SchemaError(msg)
    problems: list[str] = []
    ids, blank = _zone_ids(zone_stats, problems)
    year, bad_year = _years(zone_stats, problems)
    # object dtype inside: hashing Python strings is fast for the look-ups below
    columns: dict[str, Any] = {"zone_id": ids, "year": year}
    raw_year = zone_stats["year"].to_numpy()

    def pairs(mask: np.ndarray) -> str:
        return format_ids(f"{z}/{y}" for z, y in zip(ids[mask], raw_year[mask], strict=True))

    columns |= _values_checked(zone_stats, pairs, problems)
    valid = ~blank & ~bad_year
    _check_duplicates(ids, year, valid, pairs, problems)
    if zones is not None:
        _check_known_zones(ids[valid], zones, caller, problems)
    if problems:
        msg = f"{caller}: `zone_stats` has {len(problems)} problem(s):\n- " + "\n- ".join(problems)
        raise SchemaError(msg)
    # a new frame of the canonical columns: results are per zone, not per input row, and the
    # input's attrs (e.g. the reader's report) are not carried (pandas deep-copies them often)
    return pd.DataFrame(columns)


def _zone_ids(zone_stats: pd.DataFrame, problems: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return the stripped zone ids (object array, None where missing) and the blank ones."""
    ids = zone_stats["zone_id"].astype("str").str.strip()
    blank = (ids.isna() | (ids == "")).to_numpy()
    if blank.any():
        problems.append(
            f"{int(blank.sum())} row(s) have no `zone_id` (index "
            f"{format_ids(zone_stats.index[blank])})"
        )
    return ids.to_numpy(dtype=object, na_value=None), blank


def _years(zone_stats: pd.DataFrame, problems: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Whole years as int64 (-1 where not a whole year) and where they are not."""
    raw_year = zone_stats["year"]
    year = pd.to_numeric(raw_year, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad_year = np.isnan(year) | (np.round(year) != year)
    if bad_year.any():
        problems.append(
            f"{int(bad_year.sum())} row(s) have no whole `year` (index "
            f"{format_ids(zone_stats.index[bad_year])}, values "
            f"{format_ids(raw_year[bad_year].tolist())})"
        )
    return np.where(bad_year, -1, year).astype("int64"), bad_year


def _values_checked(
    zone_stats: pd.DataFrame, pairs: Callable[[np.ndarray], str], problems: list[str]
) -> dict[str, np.ndarray]:
    """Return the numeric columns as float64; non-numeric and negative values are problems."""
    columns: dict[str, np.ndarray] = {}
    for col in _NUMERIC:
        if col not in zone_stats.columns:
            continue
        raw = zone_stats[col]
        if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
            values = raw.to_numpy(dtype="float64", na_value=np.nan)
        else:
            values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            text_values = np.isnan(values) & raw.notna().to_numpy()
            if text_values.any():
                problems.append(
                    f"`{col}` holds non-numeric values in {int(text_values.sum())} row(s) "
                    f"({pairs(text_values)}: {format_ids(raw[text_values].tolist())})"
                )
        with np.errstate(invalid="ignore"):
            negative = values < 0
        if negative.any():
            problems.append(
                f"`{col}` is negative in {int(negative.sum())} row(s) ({pairs(negative)}); "
                "statistics cannot be below 0"
            )
        columns[col] = values
    if "leading_industry_revenue_wan" in columns and "revenue_wan" in columns:
        with np.errstate(invalid="ignore"):
            revenue = columns["revenue_wan"]  # a negative revenue is reported on its own
            over = (columns["leading_industry_revenue_wan"] > revenue * (1 + 1e-9)) & (revenue >= 0)
        if over.any():
            problems.append(
                f"`leading_industry_revenue_wan` exceeds `revenue_wan` in {int(over.sum())} row(s) "
                f"({pairs(over)}); the leading industry is part of the revenue"
            )
    return columns


def _check_duplicates(
    ids: np.ndarray,
    year: np.ndarray,
    valid: np.ndarray,
    pairs: Callable[[np.ndarray], str],
    problems: list[str],
) -> None:
    """One row per (zone, year)."""
    codes, _ = pd.factorize(ids)
    key = pd.Series(codes.astype("int64") * 1_000_000 + year)
    dup = key.duplicated(keep=False).to_numpy() & valid
    if dup.any():
        first = dup & ~key.duplicated(keep="first").to_numpy()
        problems.append(
            f"{int(first.sum())} (zone_id, year) pair(s) occur more than once ({int(dup.sum())} "
            f"rows: {pairs(first)}); keep one row per zone and year, e.g. "
            "zone_stats.drop_duplicates(['zone_id', 'year'], keep='last')"
        )


def _check_known_zones(
    ids: np.ndarray, zones: pd.DataFrame, caller: str, problems: list[str]
) -> None:
    """Every zone id of the statistics is a zone."""
    if "zone_id" not in zones.columns:
        msg = f"{caller}: `zones` needs a `zone_id` column; received {list(zones.columns)}"
        raise SchemaError(msg)
    known = set(zones["zone_id"].dropna().astype("str"))
    unknown = sorted(set(ids) - known)
    if unknown:
        problems.append(
            f"{len(unknown)} zone id(s) are not in `zones`: {format_ids(unknown)}; correct "
            f"the ids or add the zones (known: {format_ids(sorted(known))})"
        )


def _values(stats: pd.DataFrame) -> dict[str, np.ndarray]:
    """Compute the indicator values of every row (missing input column → all missing)."""
    out: dict[str, np.ndarray] = {}
    n = len(stats)
    for ind in INDICATORS:
        if not set(ind.inputs) <= set(stats.columns):
            out[ind.column] = np.full(n, np.nan)
            continue
        num = stats[ind.numerator].to_numpy(dtype="float64")
        if ind.denominator is None:
            out[ind.column] = num
        else:
            den = stats[ind.denominator].to_numpy(dtype="float64")
            with np.errstate(divide="ignore", invalid="ignore"):
                out[ind.column] = np.where(den > 0, num / den, np.nan)
    return out


def lookup(stats: pd.DataFrame, order: pd.Index, year: int) -> np.ndarray:
    """Row position in ``stats`` of each zone of ``order`` in ``year`` (-1: no row)."""
    rows = np.flatnonzero(stats["year"].to_numpy() == year)
    ids = pd.Index(stats["zone_id"].to_numpy(dtype=object)[rows], dtype=object)
    found = ids.get_indexer(order)
    out = np.full(len(order), -1, dtype="int64")
    out[found >= 0] = rows[found[found >= 0]]
    return out


def take(values: np.ndarray, positions: np.ndarray, *, missing: Any = np.nan) -> np.ndarray:
    """``values[positions]`` with ``missing`` where the position is -1."""
    out = np.full(len(positions), missing, dtype=object if missing is None else "float64")
    ok = positions >= 0
    out[ok] = values[positions[ok]]
    return out


def indicator_table(
    stats: pd.DataFrame, *, year: int, zones: pd.DataFrame | None, lang: Lang, caller: str
) -> tuple[pd.DataFrame, pd.Index, np.ndarray]:
    """One row per zone: values in ``year``, increments on ``year - 1``, availability, notes.

    Also returns the zone ids as an object :class:`~pandas.Index` and whether each zone has a
    row in ``year``.
    """
    years = sorted(set(stats["year"]))
    if year not in years:
        msg = (
            f"{caller}: `zone_stats` has no statistics for `year`={year}; years present: "
            f"{format_ids(years, limit=10)}"
        )
        raise SchemaError(msg)
    values = _values(stats)
    zone_id = stats["zone_id"].to_numpy(dtype=object)
    year_col = stats["year"].to_numpy()
    current = pd.Index(zone_id[year_col == year], dtype=object)
    previous = pd.Index(zone_id[year_col == year - 1], dtype=object)
    others = previous[~previous.isin(current)].tolist()
    if zones is not None:
        known = pd.Index(zones["zone_id"].dropna().astype("str").to_numpy(dtype=object))
        others += known[~known.isin(current)].tolist()
    order = pd.Index(current.tolist() + sorted(dict.fromkeys(others)), dtype=object)
    at_cur, at_prev = lookup(stats, order, year), lookup(stats, order, year - 1)
    has_cur, has_prev = at_cur >= 0, at_prev >= 0
    columns: dict[str, Any] = {"zone_id": pd.array(order, dtype="str"), "year": year}
    notes: list[tuple[np.ndarray, str]] = [
        (~has_cur, text("no_current", lang, year=year)),
        (has_cur & ~has_prev, text("no_previous", lang, year=year - 1)),
    ]
    for ind in INDICATORS:
        v = take(values[ind.column], at_cur)
        inc = v - take(values[ind.column], at_prev)
        columns[ind.column] = v
        columns[f"{ind.column}_increment"] = inc
        if not set(ind.inputs) <= set(stats.columns):
            continue
        label = ind.label(lang)
        v_missing = has_cur & np.isnan(v)
        notes.append((v_missing, text("value_missing", lang, label=label, year=year)))
        notes.append(
            (
                has_cur & has_prev & ~v_missing & np.isnan(inc),
                text("increment_missing", lang, label=label, year=year - 1),
            )
        )
    columns["increment_available"] = has_cur & has_prev
    columns["notes"] = pd.array(join_texts(len(order), notes), dtype="str")
    out = pd.DataFrame(columns)
    out.attrs["not_evaluated"] = {
        ind.key: [c for c in ind.inputs if c not in stats.columns]
        for ind in INDICATORS
        if not set(ind.inputs) <= set(stats.columns)
    }
    return out, order, has_cur
