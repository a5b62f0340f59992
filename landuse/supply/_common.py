"""Private helpers shared by the supply modules: argument checks, land areas, industry codes.

Public API: :mod:`landuse.supply`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse.crs import check_projected
from landuse.errors import PolicyError, SchemaError, format_ids
from landuse.policy import Policy, industry_division
from landuse.schema import PARCELS, PROPOSALS
from landuse.units import M2_PER_MU

__all__: list[str] = []

#: Relative tolerance when comparing an indicator with its requirement (280.0000001 vs 280).
RTOL = 1e-9
#: id columns looked for when naming rows in messages and results.
_ID_COLUMNS = (PARCELS.id_column, PROPOSALS.id_column, "project_id")
_LAND = "land_area_m2"


def check_choice(value: Any, choices: tuple[str, ...], *, name: str, caller: str) -> None:
    """Raise ValueError unless ``value`` is one of ``choices`` (listed in the message)."""
    if value not in choices:
        shown = ", ".join(repr(c) for c in choices)
        msg = f"{caller}: `{name}` must be one of {shown}; received {value!r}."
        raise ValueError(msg)


def check_number(
    value: Any,
    *,
    name: str,
    caller: str,
    low: float | None = None,
    low_inclusive: bool = True,
    high: float | None = None,
    high_inclusive: bool = True,
    hint: str = "",
) -> float:
    """Check a scalar number against optional bounds; return it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"{caller}: `{name}` must be a number; received {type(value).__name__} {value!r}."
        raise TypeError(msg)
    x = float(value)
    bad = not math.isfinite(x)
    if low is not None:
        bad = bad or (x < low if low_inclusive else x <= low)
    if high is not None:
        bad = bad or (x > high if high_inclusive else x >= high)
    if bad:
        parts = []
        if low is not None:
            parts.append(f"{'≥' if low_inclusive else '>'} {low:g}")
        if high is not None:
            parts.append(f"{'≤' if high_inclusive else '<'} {high:g}")
        rule = " and ".join(parts) if parts else "finite"
        msg = f"{caller}: `{name}` must be {rule}; received {value!r}.{hint}"
        raise ValueError(msg)
    return x


def as_array(values: Any, *, name: str, caller: str) -> np.ndarray:
    """Convert a scalar, sequence, array or Series of numbers to a float array (NaN kept)."""
    if isinstance(values, pd.Series):
        raw = values.to_numpy()
    else:
        raw = np.asarray(values)
    if raw.dtype == object or raw.dtype.kind in "USb":
        try:
            arr = pd.to_numeric(pd.Series(raw.ravel()), errors="raise").to_numpy(dtype=float)
        except (ValueError, TypeError) as exc:
            msg = f"{caller}: `{name}` must hold numbers; {exc}."
            raise TypeError(msg) from exc
        return arr.reshape(raw.shape)
    if raw.dtype.kind not in "iuf":
        msg = f"{caller}: `{name}` must hold numbers; received dtype {raw.dtype}."
        raise TypeError(msg)
    return raw.astype(float, copy=False)


def wrapper(*inputs: Any, name: str) -> Callable[[np.ndarray], Any]:
    """Return a function giving a result the shape of the inputs.

    A Series input gives a Series on its index named ``name``; all scalars give a float; else an
    array.
    """
    series = [value for value in inputs if isinstance(value, pd.Series)]
    if series:
        index = series[0].index

        def to_series(arr: np.ndarray) -> pd.Series:
            return pd.Series(np.broadcast_to(arr, (len(index),)), index=index, name=name)

        return to_series
    if all(np.ndim(v) == 0 for v in inputs):
        return lambda arr: float(np.asarray(arr).reshape(-1)[0])
    return lambda arr: np.asarray(arr)


def bad_positions(
    arr: np.ndarray,
    *,
    name: str,
    caller: str,
    rule: str,
    mask: np.ndarray,
    labels: Any = None,
    hint: str = "",
) -> None:
    """Raise ValueError naming how many and which values break ``rule`` (where ``mask``)."""
    if not mask.any():
        return
    where = np.flatnonzero(np.asarray(mask).reshape(-1))
    flat = np.asarray(arr).reshape(-1)
    if labels is not None:
        ids = [labels[i] for i in where]
        shown = f" at {format_ids(ids)}"
    elif flat.size > 1:
        shown = f" at position {format_ids(where.tolist())}"
    else:
        shown = ""
    values = format_ids([f"{flat[i]:g}" for i in where[:5]])
    count = f"{len(where)} of {flat.size} values" if flat.size > 1 else "the value"
    msg = f"{caller}: `{name}` must be {rule}; {count}{shown} {'is' if len(where) == 1 else 'are'} not ({values}).{hint}"
    raise ValueError(msg)


def row_labels(frame: pd.DataFrame) -> list[Any]:
    """Ids to name rows in messages: an id column if present, else the index."""
    for col in _ID_COLUMNS:
        if col in frame.columns:
            return frame[col].tolist()
    return frame.index.tolist()


def land_area(frame: pd.DataFrame, *, name: str, caller: str) -> tuple[np.ndarray | None, str]:
    """Land area in m² per row: ``land_area_m2``, filled from the geometry where missing.

    Returns ``(area or None, how)``; ``None`` when the frame has neither column nor geometry.
    Calls :func:`check_projected` on a GeoDataFrame. Raises on areas ≤ 0 or negative.
    """
    area: np.ndarray | None = None
    how = f"`{_LAND}`"
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        check_projected(frame, name=name, caller=caller)
    if _LAND in frame.columns:
        area = as_array(frame[_LAND], name=f"{name}.{_LAND}", caller=caller).copy()
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        missing = np.isnan(area) if area is not None else np.ones(len(frame), dtype=bool)
        if missing.any():
            geom_area = frame.geometry.area.to_numpy(dtype=float)
            area = geom_area if area is None else np.where(missing, geom_area, area)
            how = "geometry area" if _LAND not in frame.columns else f"`{_LAND}` (else geometry)"
    if area is None:
        return None, f"no `{_LAND}` column and no geometry"
    bad = ~np.isnan(area) & (area <= 0)
    if bad.any():
        labels = row_labels(frame)
        ids = [labels[i] for i in np.flatnonzero(bad)]
        msg = (
            f"{caller}: `{name}` has {len(ids)} row(s) with a land area ≤ 0 m² ({how}): "
            f"{format_ids(ids)}. Land areas must be positive; fix or drop those rows."
        )
        raise SchemaError(msg)
    return area, how


def check_non_negative(frame: pd.DataFrame, columns: list[str], *, name: str, caller: str) -> None:
    """Raise once listing every column with negative values and a few row ids each."""
    problems = []
    labels = None
    for col in columns:
        if col not in frame.columns:
            continue
        values = as_array(frame[col], name=f"{name}.{col}", caller=caller)
        neg = values < 0
        if neg.any():
            labels = labels if labels is not None else row_labels(frame)
            ids = [labels[i] for i in np.flatnonzero(neg)]
            problems.append(f"`{col}` ({len(ids)} row(s): {format_ids(ids)})")
    if problems:
        msg = (
            f"{caller}: `{name}` has negative values in {'; '.join(problems)}. Areas, amounts "
            "and quantities must be ≥ 0; fix or drop those rows."
        )
        raise SchemaError(msg)


def division_factor(
    values: Any,
    *,
    name: str,
    caller: str,
    labels: list[Any] | Callable[[], list[Any]] | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Factorise GB/T 4754 codes into 2-digit divisions: (index per row, -1 missing; divisions).

    Hashes each distinct value once, so it is fast on millions of rows. Malformed codes raise
    one SchemaError listing them.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    raw_idx, raw_uniques = pd.factorize(series, use_na_sentinel=True)
    divisions: list[str] = []
    position: dict[str, int] = {}
    remap = np.empty(len(raw_uniques), dtype=np.int64)
    bad: list[tuple[int, str]] = []
    for i, raw in enumerate(raw_uniques):
        text = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        try:
            code = industry_division(text)
        except PolicyError:
            bad.append((i, text))
            remap[i] = -1
            continue
        if code not in position:
            position[code] = len(divisions)
            divisions.append(code)
        remap[i] = position[code]
    if bad:
        rows = np.flatnonzero(np.isin(raw_idx, [i for i, _ in bad]))
        if callable(labels):
            labels = labels()
        ids = [labels[i] for i in rows] if labels is not None else rows.tolist()
        msg = (
            f"{caller}: `{name}` has {len(bad)} malformed industry code(s) "
            f"{format_ids([repr(b) for _, b in bad])} (rows {format_ids(ids)}). Use GB/T 4754 "
            "division codes such as '39' (or group/class codes such as '3911', 'C39')."
        )
        raise SchemaError(msg)
    idx = np.where(raw_idx >= 0, remap[np.maximum(raw_idx, 0)], -1) if len(remap) else raw_idx
    return idx.astype(np.int64), divisions


def division_codes(
    values: Any, *, name: str, caller: str, labels: list[Any] | None = None
) -> np.ndarray:
    """Normalise GB/T 4754 codes to 2-digit divisions (object array, None where missing).

    Malformed codes raise one SchemaError listing them.
    """
    idx, divisions = division_factor(values, name=name, caller=caller, labels=labels)
    table = np.array([*divisions, None], dtype=object)
    return table[np.where(idx >= 0, idx, len(divisions))]


def code_versions(frame: pd.DataFrame, default: str, *, caller: str) -> np.ndarray:
    """Per-row GB/T 4754 edition: the ``industry_code_version`` column, else ``default``."""
    n = len(frame)
    if "industry_code_version" not in frame.columns:
        return np.full(n, default, dtype=object)
    idx, uniques = pd.factorize(frame["industry_code_version"], use_na_sentinel=True)
    names = []
    for raw in uniques:
        text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
        names.append(text)
    bad = sorted({t for t in names if t not in ("2017", "2002")})
    if bad:
        msg = (
            f'{caller}: `industry_code_version` must be "2017" or "2002"; received '
            f"{format_ids(bad)}. Leave it empty to use `code_version`."
        )
        raise SchemaError(msg)
    table = np.array([*names, default], dtype=object)
    return table[np.where(idx >= 0, idx, len(names))]


#: Highest division number of each GB/T 4754 edition (2017: 01–97; 2002: 01–98).
_LAST_DIVISION = {"2017": 97, "2002": 98}


def is_division(code: str, version: str) -> bool:
    """Whether ``code`` is a division number of the GB/T 4754 edition ``version``."""
    return code.isdigit() and 1 <= int(code) <= _LAST_DIVISION.get(version, 97)


def min_far_lookup(
    policy: Policy, pairs: list[tuple[str, str]]
) -> tuple[dict[tuple[str, str], float], list[tuple[str, str]], list[tuple[str, str]]]:
    """Minimum FAR per (division, edition).

    Returns (table, unknown, outside): NaN in ``table`` where the policy has no value;
    ``unknown`` pairs are not GB/T 4754 divisions at all; ``outside`` pairs are divisions the
    policy's FAR table does not cover (not manufacturing): NaN in ``table``.
    """
    out: dict[tuple[str, str], float] = {}
    unknown: list[tuple[str, str]] = []
    outside: list[tuple[str, str]] = []
    for code, version in pairs:
        try:
            value = policy.min_far(code, code_version=version)  # type: ignore[arg-type]
        except PolicyError:
            if is_division(code, version):
                outside.append((code, version))
                out[(code, version)] = float("nan")
            else:
                unknown.append((code, version))
            continue
        out[(code, version)] = float("nan") if value is None else float(value)
    return out, unknown, outside


def known_divisions(policy: Policy) -> str:
    """List the divisions the policy's FAR table (or crosswalk) knows, for messages."""
    crosswalk = policy.far.crosswalk_2017_to_2002 or ()
    if crosswalk:
        return f"GB/T 4754-2017 divisions {', '.join(r.code_2017 for r in crosswalk)}"
    table = policy.far.min_far_by_division or ()
    return f"divisions {', '.join(r.code for r in table)}"


def mu(area_m2: Any) -> Any:
    """m² → 亩."""
    return area_m2 / M2_PER_MU


def fmt(x: Any) -> str:
    """Format a number for messages: 4 significant digits, "–" for missing."""
    if x is None:
        return "–"
    value = float(x)
    if math.isnan(value):
        return "–"
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def policy_number(policy: Policy, key: str) -> float:
    """Return a policy number, or NaN when unset.

    A set value is recorded as applied (:func:`landuse.policy.record_keys`); an unset one is
    not: the rule it drives is reported as not evaluated instead.
    """
    if is_unset(policy, key):
        return float("nan")
    return float(policy.require(key))


def setting(policy: Policy, key: str) -> Any:
    """Return a parameter's value when set (recorded as applied), else ``None`` (not recorded).

    For optional rules: an unset key drives nothing, so it is not listed among the keys used.
    """
    return None if is_unset(policy, key) else policy.require(key)


def is_unset(policy: Policy, key: str) -> bool:
    """Whether the profile leaves ``key`` unset (read without recording it as applied)."""
    param = policy.params.get(key)
    return param is None or param.value is None


def text_map(mapping: Mapping[str, str] | None, key: str, default: str) -> str:
    """Look a label up in a policy mapping, falling back to ``default``."""
    if mapping is None:
        return default
    return mapping.get(key, default)
