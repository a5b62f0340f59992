"""Exact zonal statistics engine behind :mod:`landuse.raster`.

exactextract computes, for every polygon, the exact fraction of each raster cell it covers
(one pass along the boundary plus a flood fill of the inside) and summarises the cell values
weighted by those fractions. This module checks the inputs and feeds it quickly and with
bounded memory, through the adapters of :mod:`landuse.raster._exactextract`:

- :func:`check_polygons` checks the parcels once per public call (a geo frame with a CRS,
  polygons only, invalid ones repaired) into :class:`Polygons`, which reprojects them to each
  raster's CRS;
- polygons go in as WKB made in bulk by shapely, in Hilbert order so that neighbours follow
  each other;
- raster values come through ``ChunkSource``: each polygon's window is read with rasterio
  (GDAL caches the blocks); where polygons are dense, a whole aligned chunk is read once and
  sliced (a few chunks kept). A plain band goes to exactextract in its own type with its
  nodata value declared; otherwise every masked cell (nodata value, internal mask, alpha)
  becomes NaN in float64, which exactextract skips, scale and offset are applied, and an
  optional per-cell function (height → storeys) runs on each read;
- results are written by ``ArrayWriter`` straight into NumPy arrays by row.

Only rasterio windows are ever read, so rasters larger than memory work.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import exactextract
import geopandas
import numpy as np
import pandas as pd
import pyproj
import rasterio
import rasterio.io
import shapely

from landuse._clip import drop_empty_rings
from landuse.errors import CRSError, GeometryError, LanduseWarning, format_ids
from landuse.raster._exactextract import ArrayWriter, ChunkSource, WkbSource

__all__ = [
    "EXACT_OPS",
    "Polygons",
    "RasterLike",
    "check_band",
    "check_polygons",
    "exact_stats",
    "open_raster",
    "raster_crs",
]

#: A raster argument: a path (or GDAL-readable URL) or an open rasterio dataset.
RasterLike: TypeAlias = str | os.PathLike[str] | rasterio.io.DatasetReader

#: landuse statistic name → exactextract operation.
EXACT_OPS: dict[str, str] = {
    "mean": "mean",
    "sum": "sum",
    "count": "count",
    "min": "min",
    "max": "max",
    "std": "stdev",
    "majority": "majority",
    "minority": "minority",
    "median": "median",
    "variety": "variety",
}

_MAX_CELLS = 4_000_000  # exactextract splits bigger features into windows of at most this


@contextlib.contextmanager
def open_raster(raster: RasterLike, *, name: str, caller: str) -> Iterator[Any]:
    """Open a raster path (closing it afterwards) or pass an open rasterio dataset through."""
    if isinstance(raster, rasterio.io.DatasetReader):
        if raster.closed:
            msg = (
                f"`{name}` passed to {caller} is a closed rasterio dataset; pass it open or "
                "pass its path."
            )
            raise ValueError(msg)
        yield raster
        return
    if not isinstance(raster, (str, os.PathLike)):
        msg = (
            f"`{name}` passed to {caller} must be a raster path or an open rasterio dataset; "
            f"got {type(raster).__name__}."
        )
        raise TypeError(msg)
    path = os.fspath(raster)
    if "://" not in path and not path.startswith("/vsi") and not Path(path).exists():
        msg = f"`{name}` passed to {caller}: no such raster file: {path}"
        raise FileNotFoundError(msg)
    with rasterio.open(path) as ds:
        yield ds


def raster_crs(ds: Any, *, name: str, caller: str) -> pyproj.CRS:
    """Return the raster's CRS as pyproj; CRSError when it has none, ValueError when rotated."""
    if ds.crs is None:
        msg = (
            f"`{name}` passed to {caller} ({ds.name}) declares no CRS, so parcels cannot be "
            "placed on it. Assign one first, e.g. `gdal_edit.py -a_srs EPSG:4549 file.tif`, "
            "or `rasterio.open(path, 'r+').crs = 'EPSG:4549'`."
        )
        raise CRSError(msg)
    t = ds.transform
    if t.b != 0 or t.d != 0:
        msg = (
            f"`{name}` passed to {caller} ({ds.name}) has a rotated geotransform {tuple(t)[:6]}; "
            "zonal statistics need a north-up grid. Warp it first, e.g. `gdalwarp in.tif out.tif`."
        )
        raise ValueError(msg)
    return pyproj.CRS.from_user_input(ds.crs.to_wkt())


def check_band(ds: Any, band: int, *, name: str, caller: str) -> None:
    """Require 1 <= band <= ds.count."""
    if (
        isinstance(band, bool)
        or not isinstance(band, (int, np.integer))
        or not (1 <= band <= ds.count)
    ):
        msg = (
            f"`band` passed to {caller} must be a band number from 1 to {ds.count} "
            f"(`{name}` {ds.name} has {ds.count} band{'s' if ds.count != 1 else ''}); got {band!r}."
        )
        raise ValueError(msg)


def exact_stats(
    geoms: np.ndarray,
    ds: Any,
    *,
    band: int,
    ops: Sequence[str],
    categories: Sequence[float] = (),
    layers: Sequence[tuple[str, Callable[[np.ndarray], np.ndarray] | None]] = (("", None),),
    progress: bool = False,
    desc: str = "zonal statistics",
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Coverage-weighted statistics of one band for each polygon.

    Parameters
    ----------
    geoms
        Shapely polygons in the raster's CRS; missing or empty ones get no pixels. Empty
        interior rings (valid for GEOS, but without an extent for exactextract) are dropped.
    ds
        Open rasterio dataset.
    band
        1-based band number.
    ops
        exactextract operation names (``"mean"``, ``"count"``, ``"stdev"``, …).
    categories
        Class values whose coverage-weighted share of the valid area is wanted (first layer).
    layers
        ``(name, cell_fn)`` pairs: each is the band seen through ``cell_fn`` (applied to the
        float64 values before masking), all summarised in one pass over the polygons. Result
        keys are ``op`` for an unnamed layer, ``f"{name}_{op}"`` otherwise.
    progress
        Show a tqdm bar (one step per polygon).
    desc
        Label of the bar.

    Returns
    -------
    (dict, ndarray)
        ``{key: float array}`` by position, and a ``(len(categories), n)`` array of shares.
        ``count`` and ``sum`` are 0 where a polygon covers no valid cell; the others are NaN.
    """
    n = len(geoms)
    geoms = drop_empty_rings(np.asarray(geoms, dtype=object))
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    rows = np.flatnonzero(usable)
    if len(rows) > 1:
        rows = rows[_hilbert_order(geoms[rows])]

    bar: Any = None
    step: Callable[[int], object] | None = None
    if progress:
        # imported only when asked: tqdm.auto warns in a kernel without ipywidgets
        from tqdm.auto import tqdm

        bar = tqdm(total=len(rows), desc=desc, unit="parcel", mininterval=0.5)
        step = bar.update
    all_ops = list(ops) + (["frac", "unique"] if len(categories) else [])
    sources = [ChunkSource(ds, band, fn, layer) for layer, fn in layers]
    writer = ArrayWriter(n, categories, step)
    try:
        if len(rows):
            exactextract.exact_extract(
                sources if len(sources) > 1 else sources[0],
                WkbSource(geoms, rows, ds.crs.to_wkt()),
                all_ops,
                include_cols=["row"],
                output=writer,
                strategy="feature-sequential",
                max_cells_in_memory=_MAX_CELLS,
            )
    finally:
        if bar is not None:
            bar.close()
    columns: dict[str, np.ndarray] = {}
    for layer, _ in layers:
        for op in ops:
            key = f"{layer}_{op}" if layer else op
            values = writer.columns.get(key, np.full(n, np.nan))
            if op in ("count", "sum"):
                values[np.isnan(values)] = 0.0
            columns[key] = values
    return columns, writer.shares


def _hilbert_order(geoms: np.ndarray) -> np.ndarray:
    """Positions of `geoms` sorted along a Hilbert curve through their bounding-box centres."""
    distance = geopandas.GeoSeries(geoms).hilbert_distance()
    return np.argsort(distance.to_numpy(), kind="stable")


# ---------------------------------------------------------------------------------------------
# parcels in, geometries in the raster's CRS out
# ---------------------------------------------------------------------------------------------

_POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class Polygons:
    """Parcels checked once: polygons (repaired) by position, their CRS and index."""

    geoms: np.ndarray
    crs: pyproj.CRS
    index: pd.Index

    def in_crs(self, crs: pyproj.CRS) -> tuple[np.ndarray, np.ndarray]:
        """Return (geometries in ``crs``, usable mask): missing and empty rows are not usable."""
        geoms = self.geoms
        if not self.crs.equals(crs, ignore_axis_order=True):
            series = geopandas.GeoSeries(geoms, crs=self.crs).to_crs(crs)
            geoms = np.asarray(series.array, dtype=object)
        usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        return geoms, usable


def check_polygons(parcels: Any, *, name: str, caller: str) -> Polygons:
    """Check `parcels` once for the public function `caller` and return its polygons.

    Raises TypeError for a non-geo frame, CRSError for a missing CRS, GeometryError listing the
    ids of non-polygonal geometries. Invalid polygons are repaired (LanduseWarning, pointing at
    the caller of `caller`). Missing and empty geometries stay (they get no pixels).
    """
    if not isinstance(parcels, (geopandas.GeoDataFrame, geopandas.GeoSeries)):
        msg = (
            f"`{name}` passed to {caller} must be a GeoDataFrame or GeoSeries of polygons; "
            f"got {type(parcels).__name__}."
        )
        raise TypeError(msg)
    geo = parcels.geometry if isinstance(parcels, geopandas.GeoDataFrame) else parcels
    if geo.crs is None:
        msg = (
            f"`{name}` passed to {caller} has no CRS, so it cannot be placed on the raster. "
            f'Declare the CRS its coordinates are in, e.g. {name} = {name}.set_crs("EPSG:4549").'
        )
        raise CRSError(msg)
    geoms = np.asarray(geo.array, dtype=object).copy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    wrong = present & ~np.isin(shapely.get_type_id(geoms), (3, 6))
    if wrong.any():
        kinds = sorted({shapely.get_type_id(g) for g in geoms[wrong]})
        names = ", ".join(_GEOM_TYPES[k] for k in kinds)
        msg = (
            f"`{name}` passed to {caller} must hold polygons; {int(wrong.sum())} of {len(geoms)} "
            f"rows are {names} (index {format_ids(geo.index[wrong])}). Buffer points or lines "
            "into polygons first, or drop those rows."
        )
        raise GeometryError(msg)
    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = _repair(geoms[invalid])
        ids = format_ids(geo.index[invalid])
        warnings.warn(
            f"{caller}: repaired {int(invalid.sum())} invalid polygon(s) in `{name}` with "
            f"shapely.make_valid before reading the raster (index {ids}).",
            LanduseWarning,
            stacklevel=3,
        )
    return Polygons(geoms, pyproj.CRS.from_user_input(geo.crs), geo.index)


_GEOM_TYPES = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
)


def _repair(geoms: np.ndarray) -> np.ndarray:
    """make_valid, keeping only the polygonal parts."""
    fixed = np.asarray(shapely.make_valid(geoms), dtype=object)
    for i in np.flatnonzero(~np.isin(shapely.get_type_id(fixed), (3, 6))):
        parts = shapely.get_parts(fixed[i])
        polys = shapely.get_parts(parts[np.isin(shapely.get_type_id(parts), (3, 6))])
        fixed[i] = shapely.multipolygons(polys) if len(polys) else shapely.Polygon()
    return fixed
