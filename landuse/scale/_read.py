"""Reading partitioned layers for :mod:`landuse.scale`: plan on the client, read on workers.

Private. :func:`read_layer` is the body of :func:`landuse.scale.read_parcels` and
:func:`landuse.scale.read_proposals`; :func:`from_frame` splits an in-memory frame.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import pandas as pd
import pyproj
import shapely

from landuse import io as lio
from landuse.crs import analysis_crs, check_projected
from landuse.errors import CRSError, SchemaError, format_ids
from landuse.scale import _io as sio

if TYPE_CHECKING:  # pragma: no cover
    import dask_geopandas as dgpd

__all__: list[str] = []


def target_crs(crs: Any, plan: sio.Plan, *, name: str, caller: str) -> pyproj.CRS | None:
    """Choose the CRS to return: the files' (None), the analysis CRS ("auto") or the one given."""
    if crs is None:
        return None
    if isinstance(crs, str) and crs == "auto":
        source = plan.crs
        box = sio.union_boxes(plan.bboxes)
        if source is None or box is None:
            msg = (
                f"{caller}(): crs='auto' chooses the CRS from the extent of the {name}, but the "
                "files record no CRS or no bbox; pass the CRS, e.g. crs='EPSG:4549'."
            )
            raise CRSError(msg)
        return analysis_crs(gpd.GeoSeries([shapely.box(*box)], crs=source))
    return pyproj.CRS.from_user_input(crs)


def read_layer(
    path_or_glob: str | os.PathLike[str],
    *,
    layer: Literal["parcels", "proposals"],
    npartitions: int | None,
    columns: Sequence[str] | None,
    validate: bool,
    crs: Any,
    caller: str,
) -> dgpd.GeoDataFrame:
    """Plan the partitions, validate the first rows for the meta, build the lazy frame."""
    sio.require(caller)
    import dask
    import dask.dataframe as dd

    id_column = "parcel_id" if layer == "parcels" else "proposal_id"
    if columns is not None and (isinstance(columns, str) or not isinstance(columns, Sequence)):
        msg = (
            f"`columns` passed to {caller}() must be a list of column names; received {columns!r}."
        )
        raise TypeError(msg)
    if not sio.is_parquet(path_or_glob):
        # one ordinary vector file (GeoPackage, Shapefile, …): read in memory, then split
        reader = getattr(lio, f"read_{layer}")
        frame = reader(path_or_glob, crs="auto" if crs is None else crs)
        if columns is not None:
            frame = frame[[c for c in frame.columns if c in {*columns, id_column, "geometry"}]]
        n = npartitions or max(1, -(-len(frame) // sio.DEFAULT_ROWS_PER_PARTITION))
        return from_frame(frame, npartitions=n)
    plan = sio.plan(path_or_glob, npartitions=npartitions, caller=caller, name=layer)
    target = target_crs(crs, plan, name=layer, caller=caller)
    first = next(p[0].path for p in plan.partitions)
    raw_head = sio.read_head(first, None)
    if validate:
        head = sio.validate(
            raw_head, layer=layer, crs=target, where=f"{Path(first).name} (first rows)"
        )
        mapping: dict[str, str] = dict(head.attrs["landuse_read"].columns)
        id_source = next((s for s, t in mapping.items() if t == id_column), id_column)
    else:
        head = raw_head if target is None else raw_head.to_crs(target)
        mapping = {}
        id_source = id_column
    select = None
    wanted = None
    if columns is not None:
        absent = [c for c in columns if c not in head.columns]
        if absent:
            msg = (
                f"{caller}(): `columns` names {', '.join(map(repr, absent))}, which the {layer} do "
                f"not have; they have {', '.join(c for c in head.columns if c != 'geometry')}."
            )
            raise SchemaError(msg)
        keep = {*columns, id_column, head.geometry.name}
        select = [c for c in head.columns if c in keep]
        sources = {s for s, t in mapping.items() if t in keep} | (keep & set(plan.columns))
        wanted = sio.source_columns(plan, sorted(sources))
        raw_head = sio.read_head(first, wanted)
        head = (
            sio.validate(
                raw_head, layer=layer, crs=target, where=f"{Path(first).name} (first rows)"
            )
            if validate
            else (raw_head if target is None else raw_head.to_crs(target))
        )
        head = head[select]
    meta = head.iloc[:0]
    meta.attrs = {}
    check_projected(meta, name=layer, caller=caller)
    # keep the reader's text dtype (dask would convert it to pyarrow strings with <NA>)
    with dask.config.set({"dataframe.convert-string": False}):
        frame = dd.from_map(
            sio.read_partition,
            plan.partitions,
            columns=wanted,
            layer=layer,
            validate_rows=validate,
            crs=target,
            select=select,
            like=meta,
            meta=meta,
            divisions=plan.divisions,
            label=f"read-{layer}",
            enforce_metadata=False,
        )
    boxes = [sio.transform_box(b, plan.crs, target) for b in plan.bboxes]
    frame.spatial_partitions = sio.spatial_boxes(boxes, meta.crs)
    if validate and id_source in plan.columns:
        check_unique_ids(plan, id_source=id_source, id_column=id_column, caller=caller)
    return frame


def from_frame(gdf: gpd.GeoDataFrame, *, npartitions: int) -> dgpd.GeoDataFrame:
    """Split an in-memory frame into a dask-geopandas frame, keeping its dtypes.

    The pieces travel in the graph (so a lost worker's share is recomputed), as with
    ``dask_geopandas.from_geopandas``; partitions get their bounding boxes as spatial
    partitions. For large layers, write partitioned GeoParquet and use :func:`read_parcels`.
    """
    import dask
    import dask.dataframe as dd

    frame = gdf.copy(deep=False)
    frame.attrs = {}
    edges = sio.split_points(
        len(frame), npartitions=npartitions, rows_per_partition=None, caller="read"
    )
    pieces = [frame.iloc[lo:hi] for lo, hi in itertools.pairwise(edges)]
    index = frame.index
    divisions = None
    if len(frame) and index.is_monotonic_increasing and index.is_unique:
        divisions = (*(p.index[0] for p in pieces), index[-1])
    with dask.config.set({"dataframe.convert-string": False}):
        out = dd.from_map(
            sio.identity,
            pieces,
            meta=frame.iloc[:0],
            divisions=divisions,
            label="from-frame",
            enforce_metadata=False,
        )
    if len(frame):
        out.spatial_partitions = sio.spatial_boxes(
            [tuple(p.total_bounds) for p in pieces], frame.crs
        )
    return out


def check_unique_ids(plan: sio.Plan, *, id_source: str, id_column: str, caller: str) -> None:
    """Read the id column of every partition and raise on ids found more than once."""
    import dask.dataframe as dd

    ids = dd.from_map(
        sio.read_ids,
        plan.partitions,
        column=id_source,
        name=id_column,
        meta=pd.Series([], dtype="str", name=id_column),
        divisions=plan.divisions,
        label=f"ids-{id_column}",
        enforce_metadata=False,
    )
    counts = ids.value_counts(split_out=max(1, min(len(plan.partitions), 32)))
    repeated = counts[counts > 1].compute()
    if len(repeated):
        repeated = repeated.sort_index()
        msg = (
            f"{caller}(): `{id_column}` must be unique across all partitions, but "
            f"{len(repeated)} values occur more than once ({int(repeated.sum())} rows): "
            f"{format_ids(repeated.index.tolist())}. Remove the duplicates or give them distinct ids."
        )
        raise SchemaError(msg)
