"""The ``--scheduler`` / ``--workers`` paths of ``landuse bank`` and ``landuse check``.

Private. The parcel-local work runs on a Dask cluster through :mod:`landuse.scale`; what
follows (ranking the bank, totals, writing files) is the in-memory code of the commands, so
the files written are the same as without the options. Imported only when a command runs
on a cluster (``landuse --help`` does not load dask).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from landuse import io, scale
from landuse.cli._read import ReadPlan
from landuse.policy import Policy

__all__ = ["bank_inputs", "check_report"]


def _partitions(client: Any, rows: int) -> int:
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    return max(2 * workers, math.ceil(rows / scale.DEFAULT_ROWS_PER_PARTITION))


def _read(
    path: Path,
    *,
    layer_name: str,
    client: Any,
    crs: Any,
    read_options: dict[str, Any],
) -> Any:
    """Read a partitioned GeoParquet dataset, or any vector file in memory and split it."""
    if Path(path).is_dir() or Path(path).suffix.lower() in scale.PARQUET_SUFFIXES:
        given = [k for k, v in read_options.items() if v not in (None, "wgs84")]
        if given:
            msg = (
                f"{', '.join('--' + k.replace('_', '-') for k in given)} cannot be used with "
                "partitioned GeoParquet; write the partitions in the right CRS."
            )
            raise ValueError(msg)
        reader = scale.read_parcels if layer_name == "parcels" else scale.read_proposals
        return reader(path, crs=crs)
    frame = getattr(io, f"read_{layer_name}")(path, crs=crs, **read_options)
    return scale.from_geopandas(frame, npartitions=_partitions(client, len(frame)))


def bank_inputs(
    parcels_path: Path,
    *,
    zones_path: Path,
    buildings_path: Path | None,
    functional_areas_path: Path | None,
    plan: ReadPlan,
    policy: Policy,
    scheduler: str | None,
    workers: int | None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame | None, pd.DataFrame]:
    """Parcels (with their zone), zones, functional areas and metrics, computed on a cluster."""
    import dask  # optional dependency (landuse[scale])

    with scale.connect(scheduler=scheduler, workers=workers) as client:
        parcels = _read(
            parcels_path,
            layer_name="parcels",
            client=client,
            crs="auto",
            read_options=plan.kwargs(),
        )
        crs = parcels.crs
        zones = io.read_zones(zones_path, crs=crs, **plan.kwargs("zones"))
        buildings = (
            io.read_buildings(buildings_path, crs=crs, **plan.kwargs("buildings"))
            if buildings_path
            else None
        )
        areas = (
            io.read_functional_areas(
                functional_areas_path, crs=crs, **plan.kwargs("functional-areas")
            )
            if functional_areas_path
            else None
        )
        metrics = scale.parcel_metrics(parcels, policy=policy, buildings=buildings)
        zone_id = scale.zone_ids(parcels, zones=zones, functional_areas=areas)
        frame, metrics, zone_id = dask.compute(parcels, metrics, zone_id)
    frame = frame.copy()
    frame["zone_id"] = zone_id
    return frame, zones, areas, metrics


def check_report(
    proposals_path: Path,
    *,
    zones: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame | None,
    read_options: dict[str, Any],
    scheduler: str | None,
    workers: int | None,
    **options: Any,
) -> gpd.GeoDataFrame:
    """:func:`landuse.check_new_land` of the proposals (``options``: its keywords), on a cluster."""
    with scale.connect(scheduler=scheduler, workers=workers) as client:
        proposals = _read(
            proposals_path,
            layer_name="proposals",
            client=client,
            crs=zones.crs,
            read_options=read_options,
        )
        report: gpd.GeoDataFrame = scale.check_new_land(
            proposals, zones=zones, functional_areas=areas, **options
        ).compute()
    return report
