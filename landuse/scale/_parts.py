"""What runs on a worker for :mod:`landuse.scale`: the in-memory functions on one partition.

Private. Each function takes one partition (a GeoDataFrame) and a context dict holding the
small inputs broadcast to every worker (policy, zones, functional areas, an in-memory
buildings layer, the options), calls the in-memory function of :mod:`landuse`, and returns its
result with the dtypes of the meta computed on the client. Warnings raised inside a partition
go to the worker log (they concern that partition only); attrs that count things per
partition are dropped, those that describe the run (policy, as_of, not_evaluated, ...) are
kept, so the computed frame carries them.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse.compliance import check_new_land
from landuse.efficiency import find_inefficient_land, parcel_metrics
from landuse.efficiency.inputs import zone_info
from landuse.raster import zonal_stats
from landuse.scale import _io as sio

__all__: list[str] = []

log = logging.getLogger("landuse.scale")

#: attrs that are the same for every partition (the rest count rows and are dropped).
STABLE_ATTRS = (
    "policy",
    "policy_keys",
    "as_of",
    "not_evaluated",
    "floor_area_source",
    "footprint_source",
    "tolerance_m2",
    "tolerance_share",
    "industrial_uses",
    "raster",
    "band",
    "raster_crs",
    "pixel_size",
)


def stable(attrs: dict[str, Any]) -> dict[str, Any]:
    """Keep the attrs that do not depend on which rows a partition holds."""
    return {k: attrs[k] for k in STABLE_ATTRS if k in attrs}


def _where(part: pd.DataFrame) -> str:
    if len(part) == 0:
        return "empty partition"
    return f"partition with rows {part.index.min()}–{part.index.max()}"


def buildings_near(buildings: gpd.GeoDataFrame, part: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Select the buildings meeting the partition's bounding box, in their original order.

    Uses the frame's cached spatial index (built once per worker for a broadcast frame).
    """
    if len(part) == 0 or len(buildings) == 0:
        return buildings.iloc[:0]
    bounds = part.total_bounds
    if not np.all(np.isfinite(bounds)):
        return buildings.iloc[:0]
    hits = buildings.sindex.query(shapely.box(*bounds), predicate="intersects")
    return buildings.iloc[np.sort(hits)]


def within_box(
    buildings: gpd.GeoDataFrame, box: tuple[float, float, float, float]
) -> gpd.GeoDataFrame:
    """Keep the buildings whose bounding box meets ``box`` (a parcel partition's extent)."""
    if len(buildings) == 0:
        return buildings
    b = shapely.bounds(buildings.geometry.to_numpy())
    minx, miny, maxx, maxy = box
    keep = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
    return buildings[keep]


def _finish(out: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    attrs = stable(dict(out.attrs))
    out = sio.conform(out, meta)
    out.attrs = attrs
    return out


def _combine(frames: Sequence[gpd.GeoDataFrame], meta: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return meta
    if len(frames) == 1:
        return frames[0]
    return gpd.GeoDataFrame(pd.concat(frames), geometry=meta.geometry.name, crs=meta.crs)


def metrics(part: gpd.GeoDataFrame, ctx: dict[str, Any], *rest: gpd.GeoDataFrame) -> pd.DataFrame:
    """:func:`landuse.parcel_metrics` on one partition."""
    buildings = _buildings(part, ctx, rest)
    with sio.logged_warnings(f"parcel_metrics, {_where(part)}"):
        out = parcel_metrics(part, buildings=buildings, policy=ctx["policy"], **ctx["options"])
    return _finish(out, ctx["meta"])


def inefficient(
    part: gpd.GeoDataFrame, ctx: dict[str, Any], *rest: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """:func:`landuse.find_inefficient_land` on one partition."""
    buildings = _buildings(part, ctx, rest)
    with sio.logged_warnings(f"find_inefficient_land, {_where(part)}"):
        out = find_inefficient_land(
            part,
            policy=ctx["policy"],
            zones=ctx["zones"],
            functional_areas=ctx["functional_areas"],
            buildings=buildings,
            **ctx["options"],
        )
    return _finish(out, ctx["meta"])


def _buildings(
    part: gpd.GeoDataFrame, ctx: dict[str, Any], rest: Sequence[gpd.GeoDataFrame]
) -> gpd.GeoDataFrame | None:
    """Select the buildings this partition needs: from a broadcast frame or paired partitions."""
    if ctx.get("buildings") is not None:
        return buildings_near(ctx["buildings"], part)
    if ctx.get("paired"):
        return buildings_near(_combine(rest, ctx["buildings_meta"]), part)
    return None


def new_land(part: gpd.GeoDataFrame, ctx: dict[str, Any]) -> gpd.GeoDataFrame:
    """:func:`landuse.check_new_land` on one partition (one thread: the worker is the unit)."""
    with sio.logged_warnings(f"check_new_land, {_where(part)}"):
        # said once on the client when the column is absent
        warnings.filterwarnings("ignore", message=".*has no `land_use` column")
        out = check_new_land(
            part,
            zones=ctx["zones"],
            functional_areas=ctx["functional_areas"],
            policy=ctx["policy"],
            n_jobs=1,
            **ctx["options"],
        )
    return _finish(out, ctx["meta"])


def zonal(part: gpd.GeoDataFrame, ctx: dict[str, Any]) -> pd.DataFrame:
    """:func:`landuse.zonal_stats` on one partition."""
    with sio.logged_warnings(f"zonal_stats, {_where(part)}"):
        # a partition away from the raster is normal; the whole frame is checked on the client
        warnings.filterwarnings("ignore", message=r".*none of the \d+ parcels overlaps")
        out = zonal_stats(part, ctx["raster"], **ctx["options"])
    return _finish(out, ctx["meta"])


def zone_ids(part: gpd.GeoDataFrame, ctx: dict[str, Any]) -> pd.Series:
    """Each parcel's zone as the efficiency rules place it (own ``zone_id``, else largest share)."""
    with sio.logged_warnings(f"zone assignment, {_where(part)}"):
        zone_id, _, _ = zone_info(part, ctx["zones"], caller="build_project_bank")
    if zone_id is None:
        values = np.full(len(part), None, dtype=object)
    else:
        values = zone_id
    return pd.Series(pd.array(values, dtype="str"), index=part.index, name="zone_id")


def restore_index(part: pd.DataFrame, column: str) -> pd.DataFrame:
    """Put the original row numbers carried through a spatial shuffle back as the index."""
    out = part.set_index(column)
    out.index.name = None
    return out


def hull_spread(spatial: gpd.GeoSeries) -> float:
    """Sum of the partitions' extent (bounding box) areas over the area of their common box.

    About 1 when partitions tile the area (compact), about the number of partitions when
    every partition spreads over the whole area (no spatial order).
    """
    geoms = spatial.to_numpy()
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    extent = (xmax - xmin) * (ymax - ymin)
    if not np.isfinite(extent) or extent <= 0:
        return 1.0
    return float(np.nansum(shapely.area(shapely.envelope(geoms))) / extent)


def pairs(parcel_spatial: gpd.GeoSeries, building_spatial: gpd.GeoSeries) -> list[list[int]]:
    """For each parcel partition, the building partitions whose regions meet its region."""
    tree = shapely.STRtree(building_spatial.to_numpy())
    ip, jb = tree.query(parcel_spatial.to_numpy(), predicate="intersects")
    out: list[list[int]] = [[] for _ in range(len(parcel_spatial))]
    for i, j in zip(ip.tolist(), jb.tolist(), strict=True):
        out[i].append(j)
    return [sorted(x) for x in out]
