"""Which zone, and which functional area, each parcel lies in.

Exact areas, fast: an STRtree finds the candidate (parcel, zone) pairs; pairs where the
zone covers the whole parcel are decided by a vectorised ``covers`` without computing an
intersection; only parcels that cross a boundary get an intersection area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse.crs import check_projected, check_same_crs
from landuse.errors import SchemaError

__all__ = ["assign_zones", "overlap_areas"]


def overlap_areas(
    geoms: gpd.GeoSeries | np.ndarray, polygons: gpd.GeoSeries | np.ndarray
) -> pd.DataFrame:
    """Exact intersection area of every intersecting pair (geometry, polygon).

    Parameters
    ----------
    geoms, polygons
        Polygonal geometries in one projected CRS (arrays or GeoSeries; positions are used).

    Returns
    -------
    pandas.DataFrame
        Columns ``left`` and ``right`` (positions) and ``area_m2``, one row per pair with a
        positive intersection area.

    Examples
    --------
    >>> a = np.array([shapely.box(0, 0, 100, 100), shapely.box(500, 0, 600, 100)])
    >>> z = np.array([shapely.box(50, -10, 300, 200)])
    >>> overlap_areas(a, z).to_dict("records")
    [{'left': 0, 'right': 0, 'area_m2': 5000.0}]
    """
    left_geoms = np.asarray(geoms, dtype=object)
    right_geoms = np.asarray(polygons, dtype=object)
    tree = shapely.STRtree(right_geoms)
    left, right = tree.query(left_geoms, predicate="intersects")
    area = shapely.area(left_geoms[left])
    inside = shapely.covers(right_geoms[right], left_geoms[left])
    cross = ~inside
    if cross.any():
        area[cross] = shapely.area(
            shapely.intersection(left_geoms[left[cross]], right_geoms[right[cross]])
        )
    keep = area > 0
    return pd.DataFrame({"left": left[keep], "right": right[keep], "area_m2": area[keep]})


def _largest(pairs: pd.DataFrame, keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per left position: the key with the largest summed area (ties → smallest key)."""
    out_key = np.full(n, None, dtype=object)
    out_area = np.zeros(n)
    if pairs.empty:
        return out_key, out_area
    by = pd.DataFrame(
        {"left": pairs["left"], "key": keys[pairs["right"].to_numpy()], "area": pairs["area_m2"]}
    )
    by = by.groupby(["left", "key"], as_index=False, sort=False)["area"].sum()
    by = by.sort_values(["left", "area", "key"], ascending=[True, False, True], kind="mergesort")
    best = by.drop_duplicates("left")
    out_key[best["left"].to_numpy()] = best["key"].to_numpy()
    out_area[best["left"].to_numpy()] = best["area"].to_numpy()
    return out_key, out_area


def assign_zones(
    parcels: gpd.GeoDataFrame,
    *,
    zones: gpd.GeoDataFrame,
    functional_areas: gpd.GeoDataFrame | None = None,
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

    Returns
    -------
    pandas.DataFrame
        On the parcels' index: ``zone_id`` (largest share; ties broken by the smaller id;
        missing when the parcel touches no zone), ``share_in_zone`` (area inside that zone ÷
        parcel area), ``share_in_any_zone`` (area inside any zone ÷ parcel area; overlapping
        zones counted once), and with ``functional_areas``: ``area_type`` (largest share) and
        ``share_in_area_type``.

    Raises
    ------
    CRSError
        Geographic, missing or differing CRS.
    SchemaError
        ``zones`` without ``zone_id``; functional areas without ``area_type``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> parcels = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100), shapely.box(900, 0, 1000, 100)], crs=4549)
    >>> zones = gpd.GeoDataFrame({"zone_id": ["QD01"]}, geometry=[shapely.box(50, -50, 500, 500)], crs=4549)
    >>> assign_zones(parcels, zones=zones).to_dict("list")
    {'zone_id': ['QD01', nan], 'share_in_zone': [0.5, 0.0], 'share_in_any_zone': [0.5, 0.0]}
    """
    check_projected(parcels, name="parcels", caller="assign_zones")
    check_projected(zones, name="zones", caller="assign_zones")
    check_same_crs(parcels, zones, names=("parcels", "zones"), caller="assign_zones")
    if "zone_id" not in zones.columns:
        msg = f"assign_zones: `zones` needs a `zone_id` column; received columns {list(zones.columns)}."
        raise SchemaError(msg)
    geoms = parcels.geometry.to_numpy()
    n = len(geoms)
    area = shapely.area(geoms)
    zone_geoms = zones.geometry.to_numpy()
    pairs = overlap_areas(geoms, zone_geoms)
    zone_id, zone_area = _largest(pairs, zones["zone_id"].to_numpy(dtype=object), n)
    # inside any zone, overlaps counted once: union of the zones each parcel meets
    any_area = np.zeros(n)
    if not pairs.empty:
        counts = pairs.groupby("left").size()
        single = counts.index[counts.to_numpy() == 1].to_numpy()
        simple = pairs[pairs["left"].isin(single)]
        any_area[simple["left"].to_numpy()] = simple["area_m2"].to_numpy()
        multi = counts.index[counts.to_numpy() > 1].to_numpy()
        if len(multi):
            sub = pairs[pairs["left"].isin(multi)].sort_values("left", kind="mergesort")
            lefts = sub["left"].unique()
            unions = [
                shapely.union_all(zone_geoms[g])
                for g in np.split(
                    sub["right"].to_numpy(), np.flatnonzero(np.diff(sub["left"].to_numpy())) + 1
                )
            ]
            any_area[lefts] = shapely.area(
                shapely.intersection(geoms[lefts], np.asarray(unions, dtype=object))
            )
    with np.errstate(invalid="ignore", divide="ignore"):
        result = pd.DataFrame(
            {
                "zone_id": pd.array(zone_id, dtype="str"),
                "share_in_zone": np.where(area > 0, zone_area / area, 0.0),
                "share_in_any_zone": np.where(area > 0, np.minimum(any_area / area, 1.0), 0.0),
            },
            index=parcels.index,
        )
    if functional_areas is not None:
        check_projected(functional_areas, name="functional_areas", caller="assign_zones")
        check_same_crs(
            parcels, functional_areas, names=("parcels", "functional_areas"), caller="assign_zones"
        )
        if "area_type" not in functional_areas.columns:
            msg = (
                "assign_zones: `functional_areas` needs an `area_type` column; received columns "
                f"{list(functional_areas.columns)}. Read them with landuse.read_functional_areas."
            )
            raise SchemaError(msg)
        fa_pairs = overlap_areas(geoms, functional_areas.geometry.to_numpy())
        kind, kind_area = _largest(
            fa_pairs, functional_areas["area_type"].to_numpy(dtype=object), n
        )
        result["area_type"] = pd.array(kind, dtype="str")
        with np.errstate(invalid="ignore", divide="ignore"):
            result["share_in_area_type"] = np.where(area > 0, kind_area / area, 0.0)
    return result
