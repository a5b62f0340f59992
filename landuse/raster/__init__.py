"""What rasters say about each parcel: exact zonal statistics and raster evidence.

Cadastral attributes are often missing or stale. Rasters give independent evidence: a
land-cover map shows whether a parcel is built on (:func:`builtup_share`), a building-height
raster gives its floor area (:func:`estimate_floor_area`), night-time light shows whether it is
active (:func:`activity_index`). :func:`raster_evidence` turns these into the per-parcel flags
``vacant_by_raster`` and ``dark_by_night_light`` that :func:`landuse.find_inefficient_land` can
take as optional evidence; :func:`rasterize_metric` writes any parcel metric back to a GeoTIFF
for QGIS.

All statistics are *exact*: each cell counts with the fraction of it the parcel covers
(exactextract), so a parcel smaller than a pixel still gets a value and ``count`` is the covered
area in pixels. Parcels are reprojected to the raster's CRS (the raster is never resampled),
and only windows around the parcels are read, so rasters larger than memory work.

:func:`raster_evidence` applies a policy number (the land-cover screening threshold
``idle.land_cover_built_share_min``, a method choice), so it takes ``policy=`` (a
:class:`~landuse.Policy`, a profile name or a TOML path) as a required keyword; its result
records the keys read in ``attrs["policy_keys"]``.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse._checks import PolicyLike, check_projected, records_policy, resolve_policy
from landuse._clip import drop_empty_rings
from landuse.crs import crs_label
from landuse.errors import LanduseWarning, format_ids
from landuse.policy import Policy
from landuse.raster._rasterize import rasterize_metric
from landuse.raster._zonal import (
    EXACT_OPS,
    Polygons,
    RasterLike,
    check_band,
    check_polygons,
    exact_stats,
    open_raster,
    raster_crs,
)

__all__ = [
    "DEFAULT_STATS",
    "Stat",
    "activity_index",
    "builtup_share",
    "estimate_floor_area",
    "raster_evidence",
    "rasterize_metric",
    "zonal_stats",
]

logger = logging.getLogger(__name__)

Stat = Literal[
    "mean",
    "sum",
    "count",
    "min",
    "max",
    "std",
    "majority",
    "minority",
    "median",
    "variety",
    "valid_share",
]
#: The statistics :func:`zonal_stats` computes unless told otherwise.
DEFAULT_STATS: tuple[Stat, ...] = ("mean", "sum", "count", "min", "max", "std", "majority")

Rounding = Literal["round", "floor", "none"]


def _check_stats(stats: Sequence[str] | str, caller: str) -> list[str]:
    if isinstance(stats, str):
        stats = [stats]
    valid = get_args(Stat)
    wrong = [s for s in stats if s not in valid]
    if wrong:
        msg = (
            f"`stats` passed to {caller} has unknown statistic(s) {', '.join(map(repr, wrong))}; "
            f"valid: {', '.join(valid)}."
        )
        raise ValueError(msg)
    return list(dict.fromkeys(stats))


def _category_labels(
    categories: Sequence[float] | Mapping[float, str] | None, caller: str
) -> tuple[list[float], list[str]]:
    if categories is None:
        return [], []
    if isinstance(categories, (str, bytes)) or not isinstance(categories, (Sequence, Mapping)):
        msg = (
            f"`categories` passed to {caller} must be a sequence of class values, e.g. (1, 2), "
            f"or a mapping value → name, e.g. {{1: 'builtup'}}; got {categories!r}."
        )
        raise TypeError(msg)
    keys = list(categories.keys() if isinstance(categories, Mapping) else categories)
    for value in keys:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            msg = (
                f"`categories` passed to {caller} must hold numbers (class values); got {value!r}."
            )
            raise TypeError(msg)
    items = (
        list(categories.items())
        if isinstance(categories, Mapping)
        else [(c, _number_label(c)) for c in keys]
    )
    values = [float(value) for value, _ in items]
    labels = [f"share_{label}" for _, label in items]
    if len(set(labels)) != len(labels) or len(set(values)) != len(values):
        msg = f"`categories` passed to {caller} repeats a class value or name: {categories!r}."
        raise ValueError(msg)
    return values, labels


def _number_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _run_zonal(
    polys: Polygons,
    raster: RasterLike,
    *,
    name: str,
    caller: str,
    stats: list[str],
    categories: list[float],
    band: int,
    layers: Sequence[tuple[str, Any]] = (("", None),),
    progress: bool,
    stacklevel: int = 4,
) -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, Any]]:
    """Shared body: open the raster, reproject the (checked) polygons, run the engine.

    Adds ``valid_share`` and describes the raster. ``stacklevel`` of the off-raster warning
    points at the user's call (4 when the public function calls this directly).
    """
    ops = [EXACT_OPS[s] for s in stats if s != "valid_share"]
    if "valid_share" in stats and "count" not in ops:
        ops.append("count")
    with open_raster(raster, name=name, caller=caller) as ds:
        crs = raster_crs(ds, name=name, caller=caller)
        check_band(ds, band, name=name, caller=caller)
        geoms, usable = polys.in_crs(crs)
        _warn_if_off_raster(
            geoms, usable, ds, crs, caller=caller, name=name, polys=polys, stacklevel=stacklevel
        )
        columns, shares = exact_stats(
            geoms,
            ds,
            band=band,
            ops=ops,
            categories=categories,
            layers=layers,
            progress=progress,
            desc=f"{caller}: {name}",
        )
        pixel_area = abs(ds.transform.a * ds.transform.e)
        info = {
            "raster": ds.name,
            "band": band,
            "raster_crs": crs_label(crs),
            "pixel_size": (abs(ds.transform.a), abs(ds.transform.e)),
        }
    with np.errstate(invalid="ignore", divide="ignore"):
        area = shapely.area(geoms)  # NaN (not a RuntimeWarning) for unconvertible geometries
        for layer, _ in layers:
            key = f"{layer}_count" if layer else "count"
            if key in columns:
                share = np.where(area > 0, columns[key] * pixel_area / area, np.nan)
                columns[f"{layer}_valid_share" if layer else "valid_share"] = np.clip(share, 0, 1)
    return columns, shares, info


def _span(bounds: np.ndarray) -> tuple[float, float, float, float]:
    """Overall (minx, miny, maxx, maxy) of per-geometry bounds, ignoring empty rows."""
    with np.errstate(invalid="ignore"):
        return (
            float(np.nanmin(bounds[:, 0])),
            float(np.nanmin(bounds[:, 1])),
            float(np.nanmax(bounds[:, 2])),
            float(np.nanmax(bounds[:, 3])),
        )


def _warn_if_off_raster(
    geoms: np.ndarray,
    usable: np.ndarray,
    ds: Any,
    crs: Any,
    *,
    caller: str,
    name: str,
    polys: Polygons,
    stacklevel: int,
) -> None:
    if not usable.any():
        return
    b = ds.bounds
    extent = shapely.box(b.left, b.bottom, b.right, b.top)
    # GEOS predicates crash (SIGSEGV) on polygons with an empty interior ring: drop them first
    inside = drop_empty_rings(np.asarray(geoms[usable], dtype=object))
    # a parcel that only touches the raster's edge covers no cell either
    hits = shapely.intersects(inside, extent) & ~shapely.touches(inside, extent)
    if not hits.any():
        with np.errstate(invalid="ignore"):
            lo = shapely.bounds(geoms[usable])
        if np.all(np.isfinite(lo)):
            span = ", ".join(f"{v:.6g}" for v in _span(lo))
            where = f"the parcels span {span} there"
        else:  # reprojection gave inf: show where the parcels are in their own CRS
            own = shapely.bounds(polys.geoms[usable])
            span = ", ".join(f"{v:.6g}" for v in _span(own))
            where = (
                f"the parcels span {span} in {crs_label(polys.crs)}, which do not convert to "
                f"{crs_label(crs)} (are those coordinates really in {crs_label(polys.crs)}?)"
            )
        warnings.warn(
            f"{caller}: none of the {int(usable.sum())} parcels overlaps `{name}` "
            f"({ds.name}, bounds {b.left:.6g}, {b.bottom:.6g}, {b.right:.6g}, {b.top:.6g} in "
            f"{crs_label(crs)}); {where}. Check the CRS of both.",
            LanduseWarning,
            stacklevel=stacklevel,
        )
    elif not hits.all():
        outside = polys.index[usable][~hits]
        warnings.warn(
            f"{caller}: {len(outside):,} of {len(hits):,} parcels lie outside the raster "
            f"`{name}` ({ds.name}, bounds {b.left:.6g}, {b.bottom:.6g}, {b.right:.6g}, "
            f"{b.top:.6g} in {crs_label(crs)}) (ids: {format_ids(outside)}); their statistics "
            "are missing (NaN; count and sum 0).",
            LanduseWarning,
            stacklevel=stacklevel,
        )


def zonal_stats(
    parcels: gpd.GeoDataFrame | gpd.GeoSeries,
    raster: RasterLike,
    *,
    stats: Sequence[Stat] = DEFAULT_STATS,
    categories: Sequence[float] | Mapping[float, str] | None = None,
    band: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """Exact, coverage-weighted statistics of a raster band for each parcel.

    Every cell a parcel touches counts with the fraction of the cell the parcel covers
    (computed exactly by exactextract), so a parcel smaller than a pixel still gets a value,
    thin parcels are not lost, and ``count`` is the parcel's area in pixels. Cells that are
    nodata (or masked) do not count. The parcels are reprojected to the raster's CRS; the
    raster is never resampled. Only windows around the parcels are read (rasters larger
    than memory work); parcels are visited in Hilbert order so that neighbours share reads.

    Parameters
    ----------
    parcels
        Polygons (Polygon/MultiPolygon) with a CRS. Rows without a geometry get no cells.
        Invalid polygons are repaired first (with a warning).
    raster
        Path (or GDAL-readable URL) of the raster, or an open rasterio dataset. It must have a
        CRS and a north-up grid.
    stats
        Statistics to compute, in this order, as columns named after them:

        - ``mean``: coverage-weighted mean Σ v·c / Σ c over valid cells (c = covered fraction);
        - ``sum``: Σ v·c (for count rasters such as population: the parcel's total);
        - ``count``: Σ c, the area with valid data, in pixels;
        - ``min``, ``max``: over valid cells the parcel covers at all;
        - ``std``: coverage-weighted population standard deviation;
        - ``majority`` / ``minority``: the value with the largest / smallest covered area
          (ties: the larger / smaller value);
        - ``median``: coverage-weighted median (halfway between two values that split the
          area evenly); ``variety``: number of distinct values;
        - ``valid_share``: the share (0–1) of the parcel's area with valid data; below 1
          where it overlaps nodata or runs off the raster.

        ``count`` and ``sum`` are 0 where a parcel covers no valid cell; the others are NaN.
    categories
        Class values of a categorical raster (land cover), or a mapping class value → name.
        Adds one column per class, ``share_<value>`` or ``share_<name>``: the covered share
        (0–1) of the parcel's *valid* area that has that class.
    band
        Band number, from 1.
    progress
        Show a progress bar (tqdm) over the parcels.

    Returns
    -------
    pandas.DataFrame
        One row per parcel, on the input index, float columns in the order asked.
        ``attrs``: ``raster``, ``band``, ``raster_crs``, ``pixel_size``.

    Raises
    ------
    ValueError
        Unknown statistic (the valid ones are listed), band out of range, rotated raster.
    CRSError
        The parcels or the raster have no CRS.
    GeometryError
        Some rows are not polygons (their ids are listed).
    FileNotFoundError
        No raster at that path.

    Warns
    -----
    LanduseWarning
        When invalid polygons are repaired, when no parcel overlaps the raster at all
        (usually a CRS mistake), or when some parcels lie outside the raster (their count and
        ids are given; their statistics are missing).

    See Also
    --------
    builtup_share, estimate_floor_area, activity_index

    Examples
    --------
    Night light and land cover over two sample parcels, one producing, one stopped; a
    parcel of 25 m² (a quarter of a 10 m pixel) still gets a value:

    >>> import geopandas, landuse, shapely
    >>> sample = landuse.load_sample()
    >>> parcels = sample.parcels.set_index("parcel_id").loc[["370215-001105", "370215-001109"]]
    >>> zonal_stats(parcels, sample.rasters["night_light"], stats=["mean", "count"]).round(1)
    ... # doctest: +NORMALIZE_WHITESPACE
                   mean  count
    parcel_id
    370215-001105  38.0  198.9
    370215-001109   1.5  198.9
    >>> zonal_stats(
    ...     parcels, sample.rasters["builtup"], stats=["majority"], categories={1: "built", 2: "bare"}
    ... ).round(3)  # doctest: +NORMALIZE_WHITESPACE
                   majority  share_built  share_bare
    parcel_id
    370215-001105       3.0        0.239       0.010
    370215-001109       2.0        0.053       0.935
    >>> tiny = geopandas.GeoSeries([shapely.box(536003, 4035003, 536008, 4035008)], crs=4549)
    >>> zonal_stats(tiny, sample.rasters["night_light"], stats=["mean", "count", "valid_share"])
       mean  count  valid_share
    0   0.4   0.25          1.0
    """
    caller = "zonal_stats()"
    polys = check_polygons(parcels, name="parcels", caller=caller)
    wanted = _check_stats(stats, caller)
    values, labels = _category_labels(categories, caller)
    if not wanted and not values:
        msg = f"{caller} needs at least one statistic in `stats` or a class in `categories`."
        raise ValueError(msg)
    columns, shares, info = _run_zonal(
        polys,
        raster,
        name="raster",
        caller=caller,
        stats=wanted,
        categories=values,
        band=band,
        progress=progress,
    )
    data = {s: columns[EXACT_OPS.get(s, s)] for s in wanted}
    data.update(dict(zip(labels, shares, strict=True)))
    out = pd.DataFrame(data, index=polys.index)
    out.attrs.update(info)
    return out


def builtup_share(
    parcels: gpd.GeoDataFrame | gpd.GeoSeries,
    landcover: RasterLike,
    *,
    classes: Sequence[float],
    band: int = 1,
    progress: bool = False,
) -> pd.Series:
    """Share of each parcel's area that a land-cover raster shows as built-up.

    Parameters
    ----------
    parcels
        Polygons with a CRS.
    landcover
        Categorical land-cover raster (path or open rasterio dataset).
    classes
        The raster's built-up class values; they depend on the product, so there is no
        default: ESA WorldCover ``(50,)``, Dynamic World ``(6,)``, the bundled sample ``(1,)``.
    band
        Band number, from 1.
    progress
        Show a progress bar.

    Returns
    -------
    pandas.Series
        ``builtup_share`` (0–1) on the parcel index: covered area of the built-up classes ÷
        covered area with valid land cover (exact partial pixels). NaN where the parcel has
        no valid land-cover cell (off the raster, all nodata).

    Raises
    ------
    ValueError
        `classes` is empty.

    See Also
    --------
    zonal_stats : ``categories=`` gives the share of every class.
    raster_evidence : flags parcels that are mostly not built on (``vacant_by_raster``).

    Examples
    --------
    >>> import landuse
    >>> sample = landuse.load_sample()
    >>> parcels = sample.parcels.cx[536000:537000, 4035000:4036000]
    >>> share = builtup_share(parcels, sample.rasters["builtup"], classes=(1,))
    >>> bool(share.between(0, 1).all()), share.name
    (True, 'builtup_share')
    """
    caller = "builtup_share()"
    polys = check_polygons(parcels, name="parcels", caller=caller)
    return _builtup_share(
        polys, landcover, classes=classes, band=band, progress=progress, caller=caller
    )


def _builtup_share(
    polys: Polygons,
    landcover: RasterLike,
    *,
    classes: Sequence[float] | float,
    band: int,
    progress: bool,
    caller: str,
    stacklevel: int = 5,
) -> pd.Series:
    """:func:`builtup_share` of checked polygons, for the public function `caller`."""
    if isinstance(classes, (int, float)):
        classes = (classes,)
    values, _ = _category_labels(list(classes), caller)
    if not values:
        msg = (
            f"`classes` passed to {caller} is empty; give the raster's built-up class values, "
            "e.g. (50,) for ESA WorldCover."
        )
        raise ValueError(msg)
    columns, shares, info = _run_zonal(
        polys,
        landcover,
        name="landcover",
        caller=caller,
        stats=["count"],
        categories=values,
        band=band,
        progress=progress,
        stacklevel=stacklevel,
    )
    share = np.where(columns["count"] > 0, shares.sum(axis=0), np.nan)
    out = pd.Series(share, index=polys.index, name="builtup_share")
    out.attrs.update(info, classes=tuple(values))
    return out


def _levels_fn(storey_height_m: float, rounding: Rounding, min_height_m: float) -> tuple[Any, Any]:
    """Cell functions: height (m) → storeys, and height → built (0/1)."""

    def levels(height: np.ndarray) -> np.ndarray:
        built = height > min_height_m
        raw = np.where(built, height / storey_height_m, 0.0)
        if rounding == "none":
            return raw
        whole = np.floor(raw + 0.5) if rounding == "round" else np.floor(raw)
        return np.where(built, np.maximum(whole, 1.0), 0.0)

    def built(height: np.ndarray) -> np.ndarray:
        return (height > min_height_m).astype("float64")

    return levels, built


def estimate_floor_area(
    parcels_or_buildings: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    height_raster: RasterLike,
    storey_height_m: float,
    rounding: Rounding = "round",
    min_height_m: float = 0.0,
    band: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """Floor area of each parcel (or building) from a building-height raster.

    Each cell's height becomes a number of storeys, ``height ÷ storey_height_m`` (rounded as
    `rounding` says, at least 1 on any built cell); the floor area is the storeys summed over
    the cells the polygon covers, each weighted by its exact covered area.

    Parameters
    ----------
    parcels_or_buildings
        Parcels or building footprints, in a projected CRS in metres (areas are in m²).
    height_raster
        Building height in metres (0 or less on open ground), path or open rasterio dataset.
    storey_height_m
        Typical storey height (m) in the area. Not a policy value: it depends on the building
        stock (industrial plants are often 4–6 m a storey, offices 3–4 m), so it has no
        default; measure it on buildings whose storeys you know.
    rounding
        Storeys per cell: ``"round"`` (half up; default), ``"floor"`` (whole storeys that fit),
        each at least 1 on a built cell; or ``"none"`` (height ÷ storey height, unrounded).
    min_height_m
        Cells up to this height count as open ground (raise it for a noisy surface model;
        0 trusts the raster's zeros).
    band
        Band number, from 1.
    progress
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        On the input index:

        - ``floor_area_m2``: estimated floor area (m²);
        - ``footprint_m2``: area of built cells (m²);
        - ``far``: floor area ÷ the polygon's area (容积率 of a parcel; mean storeys of a
          building footprint);
        - ``building_coverage``: footprint ÷ area (the raster's 建筑密度);
        - ``valid_share``: share of the polygon's area with valid height data.

        Where part of a polygon has no data, the areas are extrapolated from the part that has
        (see ``valid_share``); NaN where none has. ``attrs`` records the settings.

    Raises
    ------
    CRSError
        The polygons are not in a projected CRS in metres.
    ValueError
        `storey_height_m` not positive, unknown `rounding`.

    Examples
    --------
    >>> import landuse
    >>> sample = landuse.load_sample()
    >>> parcels = sample.parcels.cx[536000:537000, 4035000:4036000].head(3)
    >>> est = estimate_floor_area(
    ...     parcels, height_raster=sample.rasters["building_height"], storey_height_m=5.0
    ... )
    >>> list(est.columns)
    ['floor_area_m2', 'footprint_m2', 'far', 'building_coverage', 'valid_share']
    """
    caller = "estimate_floor_area()"
    check_projected(
        parcels_or_buildings, name="parcels_or_buildings", caller=caller, purpose="area"
    )
    polys = check_polygons(parcels_or_buildings, name="parcels_or_buildings", caller=caller)
    if (
        isinstance(storey_height_m, bool)
        or not isinstance(storey_height_m, (int, float))
        or not (math.isfinite(storey_height_m) and storey_height_m > 0)
    ):
        msg = (
            f"`storey_height_m` passed to {caller} must be a positive number of metres; "
            f"got {storey_height_m!r}."
        )
        raise ValueError(msg)
    if rounding not in get_args(Rounding):
        msg = (
            f"`rounding` passed to {caller} must be one of {', '.join(get_args(Rounding))}; "
            f"got {rounding!r}."
        )
        raise ValueError(msg)
    levels, built = _levels_fn(float(storey_height_m), rounding, float(min_height_m))
    columns, _, info = _run_zonal(
        polys,
        height_raster,
        name="height_raster",
        caller=caller,
        stats=["mean", "count"],
        categories=[],
        band=band,
        layers=(("levels", levels), ("built", built)),
        progress=progress,
    )
    area_m2 = parcels_or_buildings.geometry.area.to_numpy()
    valid = columns["levels_valid_share"]
    has = valid > 0
    far = np.where(has, columns["levels_mean"], np.nan)
    coverage = np.where(has, columns["built_mean"], np.nan)
    out = pd.DataFrame(
        {
            "floor_area_m2": far * area_m2,
            "footprint_m2": coverage * area_m2,
            "far": far,
            "building_coverage": coverage,
            "valid_share": valid,
        },
        index=parcels_or_buildings.index,
    )
    out.attrs.update(
        info, storey_height_m=float(storey_height_m), rounding=rounding, min_height_m=min_height_m
    )
    return out


def activity_index(
    parcels: gpd.GeoDataFrame | gpd.GeoSeries,
    night_light: RasterLike,
    *,
    reference: float | None = None,
    band: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """Night-time light of each parcel, and relative to a reference: an activity signal.

    Parameters
    ----------
    parcels
        Polygons with a CRS.
    night_light
        Night-time radiance raster (VIIRS, SDGSAT-1, Luojia …), path or open dataset.
    reference
        Radiance that counts as normal activity (index 1), in the raster's units: e.g. the
        mean light of parcels known to be producing. Default: the median ``night_light_mean``
        of the parcels given, so the index is unit-free and comparable across sensors.
    band
        Band number, from 1.
    progress
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        On the parcel index: ``night_light_mean`` (exact coverage-weighted mean radiance,
        raster units) and ``activity_index`` (``night_light_mean ÷ reference``; NaN without
        valid cells). ``attrs["reference"]`` is the reference used.

    Raises
    ------
    ValueError
        `reference` is not a positive number, or the median is not (no lit parcel).

    Examples
    --------
    >>> import landuse
    >>> sample = landuse.load_sample()
    >>> parcels = sample.parcels.cx[536000:537000, 4035000:4036000]
    >>> act = activity_index(parcels, sample.rasters["night_light"])
    >>> float(act["activity_index"].median())
    1.0
    """
    caller = "activity_index()"
    polys = check_polygons(parcels, name="parcels", caller=caller)
    return _activity_index(
        polys, night_light, reference=reference, band=band, progress=progress, caller=caller
    )


def _activity_index(
    polys: Polygons,
    night_light: RasterLike,
    *,
    reference: float | None,
    band: int,
    progress: bool,
    caller: str,
    stacklevel: int = 5,
) -> pd.DataFrame:
    """:func:`activity_index` of checked polygons, for the public function `caller`."""
    columns, _, info = _run_zonal(
        polys,
        night_light,
        name="night_light",
        caller=caller,
        stats=["mean"],
        categories=[],
        band=band,
        progress=progress,
        stacklevel=stacklevel,
    )
    mean = columns["mean"]
    if reference is None:
        ref = float(np.nanmedian(mean)) if np.isfinite(mean).any() else float("nan")
        source = "median of the parcels"
    else:
        ref, source = reference, "given"
    if (
        isinstance(ref, bool)
        or not isinstance(ref, (int, float))
        or not (math.isfinite(ref) and ref > 0)
    ):
        msg = (
            f"{caller} needs a positive `reference` radiance ({source}: {ref!r}); pass the "
            "mean light of parcels known to be active, e.g. reference=20.0."
        )
        raise ValueError(msg)
    out = pd.DataFrame({"night_light_mean": mean, "activity_index": mean / ref}, index=polys.index)
    out.attrs.update(info, reference=float(ref), reference_source=source)
    return out


def _evidence_thresholds(
    pol: Policy,
    landcover: Any,
    builtup_classes: Any,
    night_light: Any,
    max_builtup_share: float | None,
    max_activity_index: float | None,
) -> tuple[float | None, str, float | None]:
    """Check raster_evidence's arguments; the thresholds (argument, else the profile's)."""
    caller = "raster_evidence()"
    if landcover is None and night_light is None:
        msg = f"{caller} needs `landcover` (with `builtup_classes`) or `night_light`, or both."
        raise ValueError(msg)
    if landcover is not None and builtup_classes is None:
        msg = (
            f"`landcover` passed to {caller} needs `builtup_classes`, the raster's built-up "
            "class values, e.g. builtup_classes=(50,) for ESA WorldCover, (1,) for the sample."
        )
        raise ValueError(msg)
    share_source = "argument max_builtup_share"
    if max_builtup_share is None and landcover is not None:
        max_builtup_share = pol.idle.land_cover_built_share_min
        share_source = f"policy `idle.land_cover_built_share_min` ({pol.name})"
    if max_activity_index is None and night_light is not None:
        max_activity_index = pol.idle.night_light_activity_index_max
    for name, value in (
        ("max_builtup_share", max_builtup_share),
        ("max_activity_index", max_activity_index),
    ):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            msg = f"`{name}` passed to {caller} must be a number ≥ 0; got {value!r}."
            raise ValueError(msg)
    return max_builtup_share, share_source, max_activity_index


@records_policy
def raster_evidence(
    parcels: gpd.GeoDataFrame,
    *,
    landcover: RasterLike | None = None,
    builtup_classes: Sequence[float] | None = None,
    night_light: RasterLike | None = None,
    max_builtup_share: float | None = None,
    max_activity_index: float | None = None,
    reference: float | None = None,
    policy: PolicyLike,
    progress: bool = False,
) -> pd.DataFrame:
    """Per-parcel raster evidence of vacant or dark land, for the inefficient-land review.

    Two independent signals, each evaluated only when its raster is given:

    - ``vacant_by_raster``: the land cover shows built-up on less than `max_builtup_share`
      of the parcel (default: the policy's ``idle.land_cover_built_share_min``, 1/3 in
      ``national-2008``: a screening method choice of landuse that reuses the one-third
      developed-area threshold of MLR Order 53, not the legal test of idle land);
    - ``dark_by_night_light``: the parcel's night light is below `max_activity_index` times
      the reference (see :func:`activity_index`).

    Parameters
    ----------
    parcels
        Parcels with a CRS.
    landcover
        Land-cover raster for ``vacant_by_raster``.
    builtup_classes
        Its built-up class values (required with `landcover`; see :func:`builtup_share`).
    night_light
        Night-light raster for ``dark_by_night_light``.
    max_builtup_share
        Built-up share below which a parcel counts as vacant; overrides the policy. Default
        (``None``): the policy's ``idle.land_cover_built_share_min`` (a method choice, see
        above); where the profile leaves it unset, ``vacant_by_raster`` is not evaluated and
        ``attrs["missing"]`` names the key.
    max_activity_index
        Activity index below which a parcel counts as dark; overrides the policy. Default
        (``None``): the policy's ``idle.night_light_activity_index_max`` (0.1 in
        ``national-2008``: less than a tenth of the reference light; a method choice, an
        evidence threshold to calibrate on parcels whose status is known — stopped plants in
        the bundled sample sit near 0.05, partly stopped near 0.25); where the profile leaves
        it unset, ``dark_by_night_light`` is not evaluated and ``attrs["missing"]`` names the
        key.
    reference
        Reference radiance for :func:`activity_index` (default: the parcels' median).
    policy
        The policy whose land-cover threshold is the default `max_builtup_share` (required):
        a :class:`~landuse.Policy`, a built-in profile name (``"qingdao-2019"``) or a path to
        a TOML profile.
    progress
        Show progress bars.

    Returns
    -------
    pandas.DataFrame
        On the parcel index: ``builtup_share``, ``vacant_by_raster``, ``night_light_mean``,
        ``activity_index``, ``dark_by_night_light``. Flags are nullable booleans, ``<NA>``
        where not evaluated (no raster given, or no valid cell). ``attrs``: ``policy``,
        ``thresholds`` (with ``max_builtup_share_source``: the argument or the policy key),
        ``not_evaluated`` (flags not evaluated), ``missing`` (flag → what it lacks: the raster,
        or the unset policy key), ``policy_keys``.

    Raises
    ------
    ValueError
        `landcover` without `builtup_classes`, no raster at all, or a threshold outside its range.
    TypeError
        `policy` is not a Policy, a profile name or a path.

    Notes
    -----
    To use as evidence in the inefficient-land review, pass the result to
    ``find_inefficient_land(..., raster_evidence=evidence)``; a True flag becomes the reason
    of the same name.

    Examples
    --------
    >>> import landuse
    >>> sample = landuse.load_sample()
    >>> parcels = sample.parcels.cx[536000:537000, 4035000:4036000]
    >>> ev = raster_evidence(
    ...     parcels,
    ...     landcover=sample.rasters["builtup"],
    ...     builtup_classes=(1,),
    ...     night_light=sample.rasters["night_light"],
    ...     policy="qingdao-2019",
    ... )
    >>> ev.attrs["thresholds"]["max_builtup_share"]
    0.3333333333333333
    >>> ev.attrs["not_evaluated"]
    []
    """
    caller = "raster_evidence()"
    pol = resolve_policy(policy, caller="raster_evidence")
    max_builtup_share, share_source, max_activity_index = _evidence_thresholds(
        pol, landcover, builtup_classes, night_light, max_builtup_share, max_activity_index
    )
    polys = check_polygons(parcels, name="parcels", caller=caller)
    out = pd.DataFrame(index=polys.index)
    not_evaluated: list[str] = []
    missing: dict[str, list[str]] = {}
    if landcover is not None:
        share = _builtup_share(
            polys,
            landcover,
            classes=builtup_classes or (),
            band=1,
            progress=progress,
            caller=caller,
            stacklevel=6,  # the user's call, through records_policy
        )
        out["builtup_share"] = share
        if max_builtup_share is None:
            # the profile leaves the screening threshold unset: the share, but no verdict
            out["vacant_by_raster"] = pd.array([pd.NA] * len(out), dtype="boolean")
            not_evaluated.append("vacant_by_raster")
            missing["vacant_by_raster"] = ["policy `idle.land_cover_built_share_min`"]
        else:
            out["vacant_by_raster"] = _flag(share < max_builtup_share, share.isna())
    else:
        out["builtup_share"] = np.nan
        out["vacant_by_raster"] = pd.array([pd.NA] * len(out), dtype="boolean")
        not_evaluated.append("vacant_by_raster")
        missing["vacant_by_raster"] = ["`landcover=` raster in raster_evidence()"]
    if night_light is not None:
        act = _activity_index(
            polys,
            night_light,
            reference=reference,
            band=1,
            progress=progress,
            caller=caller,
            stacklevel=6,
        )
        out["night_light_mean"] = act["night_light_mean"]
        out["activity_index"] = act["activity_index"]
        if max_activity_index is None:
            out["dark_by_night_light"] = pd.array([pd.NA] * len(out), dtype="boolean")
            not_evaluated.append("dark_by_night_light")
            missing["dark_by_night_light"] = ["policy `idle.night_light_activity_index_max`"]
        else:
            out["dark_by_night_light"] = _flag(
                act["activity_index"] < max_activity_index, act["activity_index"].isna()
            )
        reference = act.attrs["reference"]
    else:
        out["night_light_mean"] = np.nan
        out["activity_index"] = np.nan
        out["dark_by_night_light"] = pd.array([pd.NA] * len(out), dtype="boolean")
        not_evaluated.append("dark_by_night_light")
        missing["dark_by_night_light"] = ["`night_light=` raster in raster_evidence()"]
    out.attrs.update(
        policy=pol.name,
        thresholds={
            "max_builtup_share": (None if max_builtup_share is None else float(max_builtup_share)),
            "max_builtup_share_source": share_source if landcover is not None else None,
            "max_activity_index": (
                None if max_activity_index is None else float(max_activity_index)
            ),
            "reference": reference,
        },
        not_evaluated=not_evaluated,
        missing=missing,
    )
    return out


def _flag(hit: pd.Series, missing: pd.Series) -> pd.Series:
    flag = hit.astype("boolean")
    flag[missing.to_numpy()] = pd.NA
    return flag
