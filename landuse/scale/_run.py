"""Applying the in-memory functions to partitions for :mod:`landuse.scale` (client side).

Private. :func:`run` maps a partition function of :mod:`landuse.scale._parts` over a frame,
with the small inputs as one graph key; with partitioned buildings it pairs each parcel
partition with the building partitions whose extent meets its own, shuffling a side whose
partitions have no spatial order.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from landuse.crs import crs_label
from landuse.efficiency.inputs import building_floor_areas
from landuse.errors import LanduseWarning
from landuse.policy import Policy
from landuse.scale import _io as sio
from landuse.scale import _parts as parts

__all__: list[str] = []

log = logging.getLogger("landuse.scale")

#: Column carrying the row numbers through a spatial shuffle.
ROW = "__landuse_row__"
#: A frame's partitions count as spatially scattered above this spread (see
#: :func:`landuse.scale._parts.hull_spread`): about 1 for partitions that tile the area, n for
#: partitions in no spatial order.
SCATTERED = 2.0


def broadcast(obj: Any) -> Any:
    """Put the small inputs in the graph once, as one key every task depends on.

    Each worker fetches it once and keeps it for all its tasks. Unlike data scattered with
    ``client.scatter``, a graph key is recomputed if the workers holding it are lost.
    """
    import dask

    return dask.delayed(obj, pure=False)


def check_dask(frame: Any, name: str, caller: str) -> Any:
    """Require a dask-geopandas GeoDataFrame."""
    dask_geopandas = sio.require(caller)
    if not isinstance(frame, dask_geopandas.GeoDataFrame):
        hint = (
            f" Split it with dask_geopandas.from_geopandas({name}, npartitions=8), or call "
            f"landuse.{caller}() on it directly."
            if isinstance(frame, gpd.GeoDataFrame)
            else ""
        )
        msg = (
            f"`{name}` passed to landuse.scale.{caller}() must be a dask_geopandas.GeoDataFrame "
            f"(e.g. from landuse.scale.read_{name}); received {type(frame).__name__}.{hint}"
        )
        raise TypeError(msg)
    return frame._meta


def meta_of(result: pd.DataFrame) -> pd.DataFrame:
    meta = result.iloc[:0]
    meta.attrs = parts.stable(dict(result.attrs))
    return meta


def with_row(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(**{ROW: np.asarray(df.index, dtype=np.int64)})


def spatial(frame: Any) -> gpd.GeoSeries:
    if frame.spatial_partitions is None:
        frame.calculate_spatial_partitions()
    return frame.spatial_partitions


def shuffle(frame: Any, spatial: gpd.GeoSeries) -> Any:
    """Sort a frame's rows into partitions by Hilbert distance (dask-geopandas' spatial_shuffle).

    The extent comes from the known spatial partitions (no pass over the data for it); the
    partition boundaries and the new partitions' extents each take one pass.
    """
    bounds = tuple(float(v) for v in shapely.total_bounds(spatial.to_numpy()))
    distance = frame.hilbert_distance(total_bounds=bounds, level=16)
    out = frame.set_index(distance, npartitions=frame.npartitions, sorted=False)
    out.calculate_spatial_partitions()
    return out


def run(
    func: Any,
    parcels: Any,
    meta: pd.DataFrame,
    ctx: dict[str, Any],
    buildings: Any = None,
) -> Any:
    """Apply a partition function; pair parcel and building partitions for dask buildings."""
    import dask
    import dask.dataframe as dd

    ctx = {**ctx, "meta": meta}
    if buildings is None or isinstance(buildings, gpd.GeoDataFrame):
        ctx["buildings"] = buildings
        return parcels.map_partitions(func, broadcast(ctx), meta=meta, enforce_metadata=False)
    # buildings partitioned too: each parcel partition takes, from every building partition
    # whose extent meets its own, the buildings inside its extent (so a task holds only the
    # buildings it needs, whatever their order); parcels in no spatial order are shuffled
    # first (Hilbert), since then every parcel partition spans the whole area
    shuffled = False
    p_spatial = spatial(parcels)
    if parcels.npartitions >= 4 and parts.hull_spread(p_spatial) > SCATTERED:
        parcels = shuffle(parcels.map_partitions(with_row), p_spatial)
        p_spatial = parcels.spatial_partitions
        shuffled = True
        log.info("parcels: partitions are not spatially compact; spatially shuffled")
    b_spatial = spatial(buildings)
    groups = parts.pairs(p_spatial, b_spatial)
    boxes = [tuple(float(v) for v in b) for b in shapely.bounds(p_spatial.to_numpy())]
    ctx["paired"] = True
    ctx["buildings"] = None
    ctx["buildings_meta"] = buildings._meta
    ctx["row_column"] = ROW if shuffled else None
    shared = broadcast(ctx)
    p_parts = parcels.to_delayed()
    b_parts = buildings.to_delayed()
    task = dask.delayed(paired_task, pure=True)
    within = dask.delayed(parts.within_box, pure=True)
    pieces = [
        task(func, p_parts[i], shared, *[within(b_parts[j], boxes[i]) for j in group])
        for i, group in enumerate(groups)
    ]
    divisions = None if shuffled else parcels.divisions
    return dd.from_delayed(pieces, meta=meta, divisions=divisions, verify_meta=False)


def paired_task(func: Any, part: Any, ctx: dict[str, Any], *buildings: Any) -> Any:
    if ctx.get("row_column"):
        part = parts.restore_index(part, ctx["row_column"])
    return func(part, ctx, *buildings)


def resolve_buildings(
    buildings: Any, parcels_meta: gpd.GeoDataFrame, caller: str
) -> gpd.GeoDataFrame | None:
    """Return the buildings' meta (dask) or the frame itself (in memory), type-checked."""
    if buildings is None:
        return None
    dask_geopandas = sio.require(caller)
    if isinstance(buildings, dask_geopandas.GeoDataFrame):
        return buildings._meta
    if isinstance(buildings, gpd.GeoDataFrame):
        return buildings
    msg = (
        f"`buildings` passed to landuse.scale.{caller}() must be a GeoDataFrame or a "
        f"dask_geopandas.GeoDataFrame; received {type(buildings).__name__}."
    )
    raise TypeError(msg)


@contextlib.contextmanager
def buildings_notice(
    buildings: Any, policy: Policy, options: Mapping[str, Any], *, caller: str
) -> Iterator[None]:
    """Say once how many in-memory buildings lack a floor area (the meta run counts none)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*have no levels, height or floor area")
        yield
    if not isinstance(buildings, gpd.GeoDataFrame) or not len(buildings):
        return
    _, floor, _ = building_floor_areas(
        buildings,
        policy=policy,
        storey_height_m=options.get("storey_height_m"),
        default_levels=options.get("default_levels"),
        caller=f"landuse.scale.{caller}",
    )
    unknown = int(np.isnan(floor).sum())
    if unknown:
        warnings.warn(
            f"landuse.scale.{caller}(): {unknown} of {len(buildings)} buildings have no levels, "
            "height or floor area, so the FAR of the parcels holding them is left missing. Pass "
            "default_levels= (e.g. 1) or storey_height_m= to assume a value.",
            LanduseWarning,
            stacklevel=4,
        )


def warn_if_off_raster(parcels: Any, path: str, *, caller: str) -> None:
    """Warn once when no partition's extent meets the raster."""
    spatial = parcels.spatial_partitions
    if spatial is None or spatial.crs is None:
        return
    import rasterio

    with rasterio.open(path) as ds:
        if ds.crs is None:
            return
        b = ds.bounds
        target = pyproj.CRS.from_user_input(ds.crs)
    boxes = spatial.to_crs(target) if not pyproj.CRS(spatial.crs).equals(target) else spatial
    if not boxes.intersects(shapely.box(b.left, b.bottom, b.right, b.top)).any():
        warnings.warn(
            f"landuse.scale.{caller}(): none of the {len(boxes)} partitions of `parcels` "
            f"overlaps the raster {path} (bounds {b.left:.6g}, {b.bottom:.6g}, {b.right:.6g}, "
            f"{b.top:.6g} in {crs_label(target)}). Check the CRS of both.",
            LanduseWarning,
            stacklevel=3,
        )


def zone_ids(parcels: Any, zones: gpd.GeoDataFrame, functional_areas: Any) -> Any:
    """Each parcel's zone as the efficiency rules place it, lazily (used by ``landuse bank``)."""
    meta = pd.Series(pd.array([], dtype="str"), name="zone_id", dtype="str")
    ctx = {"zones": zones, "functional_areas": functional_areas}
    return parcels.map_partitions(parts.zone_ids, broadcast(ctx), meta=meta, enforce_metadata=False)
