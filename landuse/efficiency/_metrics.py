"""Parcel metrics: floor area from building footprints (split by area), indicators, control checks.

Private: see :func:`landuse.efficiency.parcel_metrics`.

Buildings → parcels: one STRtree query over the parcels finds every (building, parcel) pair
that intersects. A building meeting exactly one parcel that covers it (the usual case) is
taken whole; every other pair gets its exact intersection area, and the building's floor
area is shared out in proportion to its footprint inside each parcel.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse.efficiency import _common as c
from landuse.errors import GeometryError, LanduseWarning, PolicyError, SchemaError, format_ids
from landuse.policy import Policy
from landuse.units import M2_PER_MU

__all__: list[str] = []

#: Metric columns, in output order.
VALUE_COLUMNS = (
    "land_area_m2",
    "land_area_mu",
    "floor_area_m2",
    "footprint_m2",
    "far",
    "building_coefficient",
    "admin_living_share",
    "green_ratio",
    "investment_intensity_wan_per_mu",
    "revenue_per_mu_wan",
    "tax_per_mu_wan",
    "value_added_per_mu_wan",
)
#: Control checks: (name, value column, threshold column, "min" | "max", policy key).
CHECKS = (
    ("far", "far", "far_min", "min", "far.min_far_by_division"),
    (
        "building_coefficient",
        "building_coefficient",
        "building_coefficient_min",
        "min",
        "control.building_coefficient_min",
    ),
    (
        "admin_living_share",
        "admin_living_share",
        "admin_living_share_max",
        "max",
        "control.admin_living_land_share_max",
    ),
    ("green_ratio", "green_ratio", "green_ratio_max", "max", "control.green_space_share_max"),
    (
        "investment_intensity",
        "investment_intensity_wan_per_mu",
        "investment_intensity_min_wan_per_mu",
        "min",
        "control.investment_intensity_wan_per_mu_min",
    ),
    ("tax_per_mu", "tax_per_mu_wan", "tax_per_mu_min_wan", "min", "inefficient.tax_wan_per_mu_min"),
)
#: Every policy key :func:`compute` may read (the control checks, the FAR table and its
#: crosswalk, the double-count rule): what a result made from metrics computed elsewhere
#: records when the metrics do not carry their own ``attrs["policy_keys"]``.
POLICY_KEYS = tuple(
    sorted(
        {key for *_, key in CHECKS}
        | {
            "far.code_version",
            "far.crosswalk_2017_to_2002",
            "control.double_count_storey_height_m",
            "control.double_count_factor",
        }
    )
)


def given_metrics_keys(metrics: pd.DataFrame | None) -> tuple[str, ...]:
    """Return the policy keys behind metrics a caller passed in (none when computed here)."""
    if metrics is None:
        return ()
    return tuple(metrics.attrs.get("policy_keys") or POLICY_KEYS)


#: Columns each indicator needs besides the land area.
NEEDS = {
    "far": ("floor_area_m2",),
    "building_coefficient": ("footprint_m2",),
    "admin_living_share": ("admin_living_land_m2",),
    "green_ratio": ("green_area_m2",),
    "investment_intensity": ("investment_wan",),
    "tax_per_mu": ("tax_wan",),
}


def building_floor_areas(
    buildings: gpd.GeoDataFrame,
    *,
    policy: Policy,
    storey_height_m: float | None,
    default_levels: float | None,
    caller: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Footprint, floor area counted for the FAR (NaN where unknown), double-count mask.

    A storey taller than ``control.double_count_storey_height_m`` counts
    ``control.double_count_factor`` times its floor area (the 2008 rule: twice), the others
    once. Per storey where ``storey_heights_m`` lists the building's storey heights (see
    :func:`storey_factors`): each storey's floor area is the footprint (``floor_area_m2`` ÷ the
    number of storeys where ``floor_area_m2`` is given). Elsewhere the whole-building rule:
    floor area = ``floor_area_m2`` where given, else footprint × levels (levels from
    ``levels``, else ``height_m`` ÷ storey height rounded, at least 1, else
    ``default_levels``), counted ``factor`` times when the average storey height
    (``storey_height_m``, else ``height_m`` ÷ ``levels``) exceeds the height. With either key
    unset no storey is counted more than once. The mask marks buildings with a storey counted
    more than once.
    """
    n = len(buildings)
    footprint = shapely.area(buildings.geometry.to_numpy())
    footprint = np.where(np.isnan(footprint), 0.0, footprint)
    nan = np.full(n, np.nan)

    def col(name: str) -> np.ndarray:
        values = c.number(buildings, name, caller=caller)
        if values is None:
            return nan.copy()
        return np.where(values > 0, values, np.nan)

    levels, height, storey, given = (
        col("levels"),
        col("height_m"),
        col("storey_height_m"),
        col("floor_area_m2"),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        storey = np.where(np.isnan(storey), height / levels, storey)
        from_height = np.isnan(levels) & ~np.isnan(height) & ~np.isnan(storey)
        levels = np.where(from_height, np.maximum(np.rint(height / storey), 1.0), levels)
        if storey_height_m is not None:
            assumed = np.isnan(levels) & ~np.isnan(height)
            levels = np.where(assumed, np.maximum(np.rint(height / storey_height_m), 1.0), levels)
            storey = np.where(assumed, storey_height_m, storey)
    if default_levels is not None:
        levels = np.where(np.isnan(levels), float(default_levels), levels)
    floor = np.where(np.isnan(given), footprint * levels, given)
    limit = policy.control.double_count_storey_height_m
    factor = policy.control.double_count_factor
    if limit is None or factor is None:  # the rule is not set: every storey once
        limit, factor = np.inf, 1.0
    # whole-building rule: the average storey height decides for every storey
    double = storey > limit
    floor = np.where(double, float(factor) * floor, floor)
    listed, counted, tall = storey_factors(
        buildings, limit=float(limit), factor=float(factor), caller=caller
    )
    if listed is not None:
        has = listed > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            per_storey = np.where(np.isnan(given), footprint, given / listed)
        floor = np.where(has, per_storey * counted, floor)
        double = np.where(has, tall > 0, double)
    return footprint, floor, double


def storey_factors(
    buildings: pd.DataFrame, *, limit: float, factor: float, caller: str
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Per building from ``storey_heights_m``: storeys listed, storeys counted, tall storeys.

    ``storey_heights_m`` holds each building's storey heights in metres, bottom up: a list,
    tuple or array, or text such as ``"4.5;9;4.5"`` (separated by ``;``, ``,``, ``、`` or
    spaces). A storey taller than ``limit`` counts ``factor`` times. Missing or empty
    entries list no storey (0). Returns ``None`` for the counts when the column is absent.

    Raises
    ------
    SchemaError
        A height that is not a positive number, naming the buildings.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"storey_heights_m": ["4.5;9;4.5", [3.0, 3.0], None]})
    >>> listed, counted, tall = storey_factors(b, limit=8.0, factor=2.0, caller="f")
    >>> listed.tolist(), counted.tolist(), tall.tolist()
    ([3.0, 2.0, 0.0], [4.0, 2.0, 0.0], [1.0, 0.0, 0.0])
    """
    n = len(buildings)
    if "storey_heights_m" not in buildings.columns:
        return None, np.zeros(n), np.zeros(n)
    raw = pd.Series(buildings["storey_heights_m"].to_numpy(dtype=object), index=np.arange(n))
    # every entry as text (a list prints as "[4.5, 9, 4.5]", an array as "[4.5 9. ]"), then
    # split and exploded: vectorised, no Python loop over the buildings
    text = raw[raw.notna()].astype(str).str.strip()
    text = text.str.replace(r"^[\[\(]|[\]\)]$", "", regex=True)
    items = text.str.split(r"[;,，；、\s]+", regex=True).explode()
    items = items[items.notna() & items.ne("")]
    values = pd.to_numeric(items, errors="coerce")
    bad = ~(np.isfinite(values.to_numpy(dtype=float)) & (values.to_numpy(dtype=float) > 0))
    if bad.any():
        rows = np.unique(items.index.to_numpy()[bad])
        ids = c.text(buildings, "building_id")
        named = ids[rows] if ids is not None else buildings.index.to_numpy()[rows]
        msg = (
            f"`storey_heights_m` of the buildings passed to {caller}() must list positive "
            f'storey heights in metres (e.g. [4.5, 9, 4.5] or "4.5;9;4.5"); {len(rows)} '
            f"building(s) have other values (building {format_ids(named)}: "
            f"{format_ids(items[bad].astype(str))})."
        )
        raise SchemaError(msg)
    v = values.to_numpy(dtype=float)
    pos = values.index.to_numpy(dtype=np.int64)
    listed = np.bincount(pos, minlength=n).astype(float)
    counted = np.bincount(pos, weights=np.where(v > limit, factor, 1.0), minlength=n)
    tall = np.bincount(pos, weights=(v > limit).astype(float), minlength=n)
    return listed, counted, tall


def allocate(
    parcel_geoms: np.ndarray,
    building_geoms: np.ndarray,
    footprint: np.ndarray,
    floor: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    """Per parcel: footprint inside it, floor area shared by area, buildings of unknown floor area."""
    n = len(parcel_geoms)
    tree = shapely.STRtree(parcel_geoms)
    b, p = tree.query(building_geoms, predicate="intersects")
    pairs_per_building = np.bincount(b, minlength=len(building_geoms))
    part = np.full(len(b), np.nan)
    single = pairs_per_building[b] == 1
    if single.any():
        covered = shapely.covers(parcel_geoms[p[single]], building_geoms[b[single]])
        idx = np.flatnonzero(single)[covered]
        part[idx] = footprint[b[idx]]
    rest = np.isnan(part)
    if rest.any():
        part[rest] = shapely.area(
            shapely.intersection(building_geoms[b[rest]], parcel_geoms[p[rest]])
        )
    keep = part > 0
    b, p, part = b[keep], p[keep], part[keep]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(footprint[b] > 0, part / footprint[b], 0.0)
    floor_part = floor[b] * share
    unknown = np.isnan(floor_part)
    footprint_sum = np.bincount(p, weights=part, minlength=n)
    floor_sum = np.bincount(p, weights=np.where(unknown, 0.0, floor_part), minlength=n)
    unknown_count = np.bincount(p, weights=unknown.astype(float), minlength=n)
    per_building = np.bincount(b, minlength=len(building_geoms))
    inside_share = np.bincount(b, weights=share, minlength=len(building_geoms))
    used = footprint > 0
    stats = {
        "buildings": len(building_geoms),
        "outside_parcels": int(((per_building == 0) & used).sum()),
        "split_between_parcels": int((per_building > 1).sum()),
        "partly_outside_parcels": int(((per_building > 0) & (inside_share < 1 - 1e-9)).sum()),
    }
    return footprint_sum, floor_sum, unknown_count, stats


def far_minimum(
    codes: np.ndarray | None, versions: np.ndarray, policy: Policy
) -> tuple[np.ndarray, list[str]]:
    """Minimum FAR per parcel from its GB/T 4754 division (NaN where none); unknown codes."""
    out = np.full(len(versions), np.nan)
    unknown: list[str] = []
    if codes is None or c.is_unset(policy, "far.min_far_by_division"):
        return out, unknown
    if not policy.far.min_far_by_division:
        return out, unknown
    frame = pd.DataFrame({"code": codes, "version": versions})
    valid = frame["code"].notna().to_numpy()
    if not valid.any():
        return out, unknown
    pairs = frame[valid].drop_duplicates()
    lookup: dict[tuple[str, str], float] = {}
    for code, version in pairs.itertuples(index=False):
        try:
            value = policy.min_far(str(code), code_version=str(version))  # type: ignore[arg-type]
        except PolicyError:
            value = None
            unknown.append(f"{code} ({version})")
        lookup[(code, version)] = np.nan if value is None else float(value)
    keys = pd.MultiIndex.from_frame(frame[valid])
    out[valid] = pd.Series(lookup).reindex(keys).to_numpy(dtype=float)
    return out, sorted(unknown)


def compute(
    parcels: gpd.GeoDataFrame,
    *,
    buildings: gpd.GeoDataFrame | None,
    policy: Policy,
    land: np.ndarray,
    land_uses: Sequence[str] | None,
    storey_height_m: float | None,
    default_levels: float | None,
    caller: str,
) -> pd.DataFrame:
    """Compute the metrics: the body of :func:`landuse.efficiency.parcel_metrics`.

    The frames were checked by the caller (:mod:`landuse.efficiency.inputs`); ``land`` is
    their land area (``land_area_m2``, else the geometry's area) and ``caller`` the public
    function the user called, named in messages.
    """
    check_options(storey_height_m, default_levels, caller=caller)
    attrs: dict[str, Any] = {"policy": policy.name}
    missing: dict[str, list[str]] = {}
    if buildings is not None:
        floor, footprint = _from_buildings(
            parcels, buildings, policy, storey_height_m, default_levels, attrs, caller=caller
        )
    else:
        floor, footprint = _from_columns(parcels, attrs, missing, caller=caller)
    result = pd.DataFrame(
        _values(parcels, land, floor, footprint, caller=caller), index=parcels.index
    )
    for name, columns in NEEDS.items():
        if name in missing:
            continue
        absent = [f"column `{col}`" for col in columns if col not in parcels.columns]
        if absent and not (buildings is not None and name in ("far", "building_coefficient")):
            missing[name] = absent
    scope = c.in_scope(parcels, land_uses)
    far_min = _far_minimum(parcels, scope, policy, attrs, missing)
    attrs["checks"] = _control_checks(result, scope, far_min, policy, missing)
    attrs["not_evaluated"] = {k: v for k, v in missing.items()}
    result.attrs = attrs
    return result


def check_options(
    storey_height_m: float | None, default_levels: float | None, *, caller: str
) -> None:
    """Require a positive ``storey_height_m`` / ``default_levels`` (or None)."""
    for name, value in (("storey_height_m", storey_height_m), ("default_levels", default_levels)):
        if value is not None and not (np.isfinite(value) and value > 0):
            msg = f"`{name}` passed to {caller}() must be a positive number or None; received {value!r}."
            raise ValueError(msg)


def _from_buildings(
    parcels: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    policy: Policy,
    storey_height_m: float | None,
    default_levels: float | None,
    attrs: dict[str, Any],
    *,
    caller: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Floor area and footprint per parcel from the buildings inside it (attrs filled in)."""
    bgeoms = buildings.geometry.to_numpy()
    kind = shapely.get_type_id(bgeoms)
    wrong = ~np.isin(kind, (-1, 3, 6)) & ~shapely.is_empty(bgeoms)
    if wrong.any():
        bad = c.text(buildings, "building_id")
        bad_ids = bad[wrong] if bad is not None else buildings.index[wrong]
        msg = (
            f"`buildings` passed to {caller}() must be footprint polygons; {int(wrong.sum())} "
            f"of {len(bgeoms)} are not (building {format_ids(bad_ids)}). Keep the polygons, "
            "e.g. buildings[buildings.geom_type.isin(['Polygon', 'MultiPolygon'])]."
        )
        raise GeometryError(msg)
    footprint_b, floor_b, double = building_floor_areas(
        buildings,
        policy=policy,
        storey_height_m=storey_height_m,
        default_levels=default_levels,
        caller=caller,
    )
    footprint, floor, unknown, stats = allocate(
        parcels.geometry.to_numpy(), bgeoms, footprint_b, floor_b
    )
    reported = c.number(parcels, "footprint_m2", caller=caller)
    if reported is not None:
        # a reported footprint also holds structures and yards, which no footprint layer has
        footprint = np.fmax(footprint, reported)
        attrs["footprint_source"] = "larger of buildings and footprint_m2"
    else:
        attrs["footprint_source"] = "buildings"
    floor = np.where(unknown > 0, np.nan, floor)
    stats["unknown_floor_area"] = int(np.isnan(floor_b).sum())
    stats["double_counted"] = int(double.sum())
    attrs["buildings"] = stats
    attrs["floor_area_source"] = "buildings"
    if stats["unknown_floor_area"]:
        warnings.warn(
            f"{caller}(): {stats['unknown_floor_area']} of {len(bgeoms)} buildings have no "
            "levels, height or floor area, so the FAR of the "
            f"{int((unknown > 0).sum())} parcel(s) holding them is left missing. Pass "
            "default_levels= (e.g. 1) or storey_height_m= to assume a value.",
            LanduseWarning,
            stacklevel=c.user_stacklevel(),
        )
    return floor, footprint


def _from_columns(
    parcels: gpd.GeoDataFrame,
    attrs: dict[str, Any],
    missing: dict[str, list[str]],
    *,
    caller: str,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Floor area and footprint from the parcels' own columns (None where absent)."""
    floor = c.number(parcels, "floor_area_m2", caller=caller)
    footprint = c.number(parcels, "footprint_m2", caller=caller)
    attrs["floor_area_source"] = "parcels" if floor is not None else None
    attrs["footprint_source"] = "footprint_m2" if footprint is not None else None
    if floor is None:
        missing["far"] = ["column `floor_area_m2` (or buildings=)"]
    if footprint is None:
        missing["building_coefficient"] = ["column `footprint_m2` (or buildings=)"]
    return floor, footprint


def _values(
    parcels: gpd.GeoDataFrame,
    land: np.ndarray,
    floor: np.ndarray | None,
    footprint: np.ndarray | None,
    *,
    caller: str,
) -> dict[str, np.ndarray]:
    """The metric columns (:data:`VALUE_COLUMNS`)."""
    nan = np.full(len(parcels), np.nan)

    def share(values: np.ndarray | None) -> np.ndarray:
        out = c.ratio(values, land)
        return nan if out is None else out

    def intensity(column: str) -> np.ndarray:
        out = c.per_mu(c.number(parcels, column, caller=caller), land)
        return nan if out is None else out

    return {
        "land_area_m2": land,
        "land_area_mu": land / M2_PER_MU,
        "floor_area_m2": nan if floor is None else floor,
        "footprint_m2": nan if footprint is None else footprint,
        "far": share(floor),
        "building_coefficient": share(footprint),
        "admin_living_share": share(c.number(parcels, "admin_living_land_m2", caller=caller)),
        "green_ratio": share(c.number(parcels, "green_area_m2", caller=caller)),
        "investment_intensity_wan_per_mu": intensity("investment_wan"),
        "revenue_per_mu_wan": intensity("revenue_wan"),
        "tax_per_mu_wan": intensity("tax_wan"),
        "value_added_per_mu_wan": intensity("value_added_wan"),
    }


def _far_minimum(
    parcels: gpd.GeoDataFrame,
    scope: np.ndarray,
    policy: Policy,
    attrs: dict[str, Any],
    missing: dict[str, list[str]],
) -> np.ndarray:
    """The minimum FAR of each parcel in scope (from its industry code)."""
    codes = c.industry_codes(parcels)
    scoped_codes = None if codes is None else np.where(scope, codes, np.array(None, dtype=object))
    far_min, unknown_codes = far_minimum(scoped_codes, c.code_versions(parcels), policy)
    if codes is None:
        missing.setdefault("far", []).append("column `industry_code`")
    if unknown_codes:
        attrs["far_min_unknown_codes"] = unknown_codes
    return far_min


def _control_checks(
    result: pd.DataFrame,
    scope: np.ndarray,
    far_min: np.ndarray,
    policy: Policy,
    missing: dict[str, list[str]],
) -> dict[str, dict[str, Any]]:
    """Add each control indicator's threshold and pass columns to ``result``; report them."""
    shape = (len(result),)
    checks: dict[str, dict[str, Any]] = {}
    for name, value_col, limit_col, kind, key in CHECKS:
        # an unset key (user input) leaves its check not evaluated: pass column <NA>
        limit = far_min if name == "far" else c.setting(policy, key)
        no_policy = c.is_unset(policy, key) or (
            name == "far" and not policy.far.min_far_by_division
        )
        if no_policy:
            missing.setdefault(name, []).append(f"policy `{key}`")
        limit_arr = np.broadcast_to(np.asarray(np.nan if limit is None else limit, float), shape)
        limit_arr = np.where(scope, limit_arr, np.nan)
        value = result[value_col].to_numpy()
        known = ~np.isnan(value) & ~np.isnan(limit_arr) & (name not in missing)
        ok = value >= limit_arr if kind == "min" else value <= limit_arr
        result[limit_col] = limit_arr
        passed = pd.array(ok, dtype="boolean")
        passed[~known] = pd.NA
        result[f"{name}_pass"] = passed
        checks[name] = {
            "evaluated": name not in missing,
            "missing": list(missing.get(name, [])),
            "policy_key": key,
            "checked": int(known.sum()),
            "failed": int((known & ~ok).sum()),
        }
    return checks
