"""Which zone, and which functional area, each parcel lies in.

Exact areas, fast: an STRtree finds the candidate (parcel, zone) pairs; pairs where the
zone covers the whole parcel are decided by a vectorised ``covers`` without computing an
intersection; only parcels that cross a boundary get an intersection area (see
:mod:`landuse._overlap`). Large inputs run on all CPUs (threads).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from landuse import _overlap
from landuse._checks import check_frame, check_projected, check_same_crs
from landuse._clip import drop_empty_rings
from landuse.errors import SchemaError

__all__ = ["assign_zones", "measure_zones", "overlap_areas"]


def overlap_areas(
    geoms: gpd.GeoSeries | np.ndarray, polygons: gpd.GeoSeries | np.ndarray
) -> pd.DataFrame:
    """Exact intersection area of every intersecting pair (geometry, polygon).

    Pairs where the polygon covers the whole geometry take the geometry's area (decided by a
    vectorised ``covers``, no intersection computed); only pairs crossing a boundary are
    measured (a vectorised clipping kernel for convex parcels, ``shapely.intersection``
    otherwise), agreeing with ``geopandas.overlay`` to ~1e-10 of the geometry's area (~1e-8
    for sub-metre ones at zone-prefixed eastings, whose vertices are only known to 7.5e-9 m).

    Parameters
    ----------
    geoms, polygons
        Polygonal geometries in one projected CRS (arrays or GeoSeries; positions are used).

    Returns
    -------
    pandas.DataFrame
        Columns ``left`` and ``right`` (positions) and ``area_m2``, one row per pair with a
        positive intersection area, sorted by ``left`` then ``right``.

    Examples
    --------
    >>> a = np.array([shapely.box(0, 0, 100, 100), shapely.box(500, 0, 600, 100)])
    >>> z = np.array([shapely.box(50, -10, 300, 200)])
    >>> overlap_areas(a, z).to_dict("records")
    [{'left': 0, 'right': 0, 'area_m2': 5000.0}]
    """
    left_geoms = drop_empty_rings(np.asarray(geoms, dtype=object))
    right_geoms = np.asarray(polygons, dtype=object)
    if len(left_geoms) == 0 or len(right_geoms) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return pd.DataFrame({"left": empty, "right": empty.copy(), "area_m2": np.zeros(0)})
    layer = _overlap.LayerIndex.build(right_geoms, np.arange(len(right_geoms)))
    p = _overlap.pairs(left_geoms, shapely.area(left_geoms), layer, skip_covered=False)
    keep = p.area > 0
    out = pd.DataFrame({"left": p.left[keep], "right": p.right[keep], "area_m2": p.area[keep]})
    return out.sort_values(["left", "right"], kind="mergesort", ignore_index=True)


def assign_zones(
    parcels: gpd.GeoDataFrame,
    *,
    zones: gpd.GeoDataFrame,
    functional_areas: gpd.GeoDataFrame | None = None,
    n_jobs: int | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Assign each parcel to the zone (and functional area) holding the largest share of it.

    Parameters
    ----------
    parcels
        Polygons in a projected CRS in metres (e.g. from :func:`landuse.read_parcels`).
    zones
        Zones with ``zone_id``, same CRS.
    functional_areas
        Optional functional areas with ``zone_id`` and ``area_type``, same CRS.
    n_jobs
        Threads (default: every CPU available); results do not depend on it.
    progress
        Show a progress bar (tqdm).

    Returns
    -------
    pandas.DataFrame
        On the parcels' index: ``zone_id`` (largest share; ties within 1e-9 broken by the
        smaller id; missing when the parcel touches no zone or only touches one),
        ``share_in_zone`` (area inside that zone ÷ parcel area), ``share_in_any_zone`` (area
        inside any zone ÷ parcel area; overlapping zones counted once), and with
        ``functional_areas``: ``area_type`` (largest share; ties alphabetical) and
        ``share_in_area_type``. Parcels without area get shares of 0.

    Raises
    ------
    TypeError
        ``parcels``, ``zones`` or ``functional_areas`` is not a GeoDataFrame.
    CRSError
        Geographic, missing or differing CRS.
    SchemaError
        ``zones`` without ``zone_id``; functional areas without ``area_type``.

    See Also
    --------
    landuse.compliance.check_new_land : the same measurement with verdicts for new land.

    Examples
    --------
    >>> import geopandas as gpd
    >>> parcels = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100), shapely.box(900, 0, 1000, 100)], crs=4549)
    >>> zones = gpd.GeoDataFrame({"zone_id": ["QD01"]}, geometry=[shapely.box(50, -50, 500, 500)], crs=4549)
    >>> assign_zones(parcels, zones=zones).to_dict("list")
    {'zone_id': ['QD01', nan], 'share_in_zone': [0.5, 0.0], 'share_in_any_zone': [0.5, 0.0]}
    """
    caller = "assign_zones"
    _check_layers(parcels, zones, functional_areas, caller=caller)
    return measure_zones(
        parcels, zones, functional_areas=functional_areas, n_jobs=n_jobs, progress=progress
    )


def _check_layers(
    parcels: Any, zones: Any, functional_areas: Any, *, caller: str
) -> None:
    """The frame, CRS and column checks of :func:`assign_zones`, once, naming ``caller``."""
    check_frame(parcels, name="parcels", caller=caller)
    check_frame(zones, name="zones", caller=caller)
    check_projected(parcels, name="parcels", caller=caller, purpose="area")
    check_projected(zones, name="zones", caller=caller, purpose="area")
    check_same_crs(parcels, zones, names=("parcels", "zones"), caller=caller)
    if "zone_id" not in zones.columns:
        msg = (
            f"`zones` passed to {caller}() needs a `zone_id` column; received columns "
            f"{list(zones.columns)}. Read the zones with landuse.read_zones."
        )
        raise SchemaError(msg)
    if functional_areas is None:
        return
    check_frame(functional_areas, name="functional_areas", caller=caller)
    check_projected(functional_areas, name="functional_areas", caller=caller, purpose="area")
    check_same_crs(
        parcels, functional_areas, names=("parcels", "functional_areas"), caller=caller
    )
    if "area_type" not in functional_areas.columns:
        msg = (
            f"`functional_areas` passed to {caller}() needs an `area_type` column; received "
            f"columns {list(functional_areas.columns)}. Read them with "
            "landuse.read_functional_areas."
        )
        raise SchemaError(msg)


def measure_zones(
    parcels: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    *,
    functional_areas: gpd.GeoDataFrame | None = None,
    n_jobs: int | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """The measurement of :func:`assign_zones`, on frames its caller has already checked.

    For public functions that check their own inputs once (naming themselves) and then need
    each parcel's zone: ``parcels``, ``zones`` (with ``zone_id``) and ``functional_areas``
    (with ``area_type``) must be GeoDataFrames in one projected CRS. Returns exactly what
    :func:`assign_zones` returns.

    Examples
    --------
    >>> import geopandas as gpd
    >>> parcels = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100)], crs=4549)
    >>> zones = gpd.GeoDataFrame(
    ...     {"zone_id": ["QD01"]}, geometry=[shapely.box(50, -50, 500, 500)], crs=4549
    ... )
    >>> measure_zones(parcels, zones)["share_in_zone"].tolist()
    [0.5]
    """
    geoms = parcels.geometry.to_numpy()  # empty rings are dropped per chunk (GEOS may crash)
    area = np.nan_to_num(shapely.area(geoms))
    zl = _overlap.LayerIndex.build(
        zones.geometry.to_numpy(), zones["zone_id"].astype(str).to_numpy(dtype=object)
    )
    fl = None
    if functional_areas is not None:
        fl = _overlap.LayerIndex.build(
            functional_areas.geometry.to_numpy(),
            functional_areas["area_type"].astype(str).to_numpy(dtype=object),
        )

    def work(s: slice) -> dict[str, Any]:
        P, A = drop_empty_rings(geoms[s]), area[s]
        zp = _overlap.pairs(P, A, zl, skip_covered=True)
        zone, zone_area, any_area = _overlap.largest_and_union(zp, P, A, zl)
        out: dict[str, Any] = {"zone": zone, "zone_area": zone_area, "any_area": any_area}
        if fl is not None:
            out["kind"], out["kind_area"] = _largest_area_type(P, A, fl)
        return out

    got = _overlap.run_chunks(
        work, len(geoms), n_jobs=n_jobs, progress=progress, desc="assign_zones"
    )
    return _assemble(got, area, parcels.index, zl, fl)


def _largest_area_type(
    tests: np.ndarray, test_area: np.ndarray, fl: _overlap.LayerIndex
) -> tuple[np.ndarray, np.ndarray]:
    """Per geometry: the area type holding its largest share, and that share's area."""
    fp = _overlap.pairs(tests, test_area, fl, skip_covered=not fl.overlap_any)
    per_kind = _overlap.aggregate(
        fp, fl.keys[fp.right], tests=tests, test_area=test_area, layer=fl,
        overlapping=fl.overlap_same_key,
    )  # fmt: skip
    return _overlap.best_key(per_kind, len(tests))


def _assemble(
    got: dict[str, np.ndarray],
    area: np.ndarray,
    index: pd.Index,
    zl: _overlap.LayerIndex,
    fl: _overlap.LayerIndex | None,
) -> pd.DataFrame:
    """The result frame: labels and shares (area ÷ parcel area, capped at 1; 0 without area)."""
    with np.errstate(invalid="ignore", divide="ignore"):

        def share(x: np.ndarray) -> np.ndarray:
            return np.where(area > 0, np.minimum(x / area, 1.0), 0.0)

        result = pd.DataFrame(
            {
                "zone_id": _labels(got["zone"], zl.labels),
                "share_in_zone": share(got["zone_area"]),
                "share_in_any_zone": share(got["any_area"]),
            },
            index=index,
        )
        if fl is not None:
            result["area_type"] = _labels(got["kind"], fl.labels)
            result["share_in_area_type"] = share(got["kind_area"])
    return result


def _labels(codes: np.ndarray, labels: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``labels[codes]`` as a ``str`` column, missing where the code is negative."""
    names = pa.array(labels.astype(str).tolist(), type=pa.string())
    return pd.array(names.take(pa.array(codes, mask=codes < 0)), dtype="str")
