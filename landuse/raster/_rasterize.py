"""Parcel metrics back to a raster: :func:`rasterize_metric` (re-exported by landuse.raster)."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import rasterio.features
import shapely
from affine import Affine
from rasterio.windows import Window

from landuse._atomic import atomic_path
from landuse.crs import check_projected
from landuse.errors import SchemaError
from landuse.raster._zonal import Polygons, RasterLike, check_polygons, open_raster, raster_crs

__all__ = ["rasterize_metric"]

_STRIP_ROWS = 1024  # rows burnt and written at a time (bounded memory for any raster size)
_MAX_CELLS = 4_000_000_000  # refuse grids beyond this (the usual cause: resolution in degrees)


def rasterize_metric(
    parcels: gpd.GeoDataFrame,
    column: str,
    *,
    out: str | os.PathLike[str],
    like: RasterLike | None = None,
    resolution: float | None = None,
    nodata: float = -9999.0,
    dtype: Literal["float32", "float64"] = "float32",
    all_touched: bool = False,
) -> Path:
    """Write a parcel metric as a GeoTIFF (for QGIS), on a given grid or at a resolution.

    Each cell takes the value of the parcel that contains its centre (with
    ``all_touched=True``: of any parcel it touches); where parcels overlap, the later row wins.
    Cells outside every parcel, and parcels whose value is missing, are `nodata`. The file is
    written strip by strip (bounded memory) into a temporary file that replaces `out` only when
    complete, as a tiled, deflate-compressed GeoTIFF with the column name as band description.

    Parameters
    ----------
    parcels
        Polygons with a CRS and the metric column.
    column
        Numeric (or boolean) column to burn.
    out
        Path of the GeoTIFF to write (replaced if it exists).
    like
        A raster whose grid (CRS, cell size, extent) to use; the parcels are reprojected to its
        CRS. Give exactly one of `like` and `resolution`.
    resolution
        Cell size in the parcels' CRS units (must be a projected CRS in metres); the grid covers
        the parcels, snapped to multiples of the cell size.
    nodata
        Value of cells without data.
    dtype
        Cell type.
    all_touched
        Burn every cell a parcel touches, not only cells whose centre it covers (small parcels
        then always show; neighbours may overwrite each other's edge cells).

    Returns
    -------
    pathlib.Path
        `out`.

    Raises
    ------
    SchemaError
        `column` is missing or not numeric.
    ValueError
        Both or neither of `like` and `resolution`; resolution not positive; a grid beyond
        4·10⁹ cells.
    CRSError
        `resolution` with parcels not in a projected CRS in metres.

    Examples
    --------
    >>> import tempfile, landuse, rasterio
    >>> sample = landuse.load_sample()
    >>> parcels = sample.parcels.cx[536000:537000, 4035000:4036000]
    >>> tif = rasterize_metric(
    ...     parcels, "land_area_m2", out=tempfile.mkdtemp() + "/area.tif", resolution=10
    ... )
    >>> with rasterio.open(tif) as ds:
    ...     ds.crs.to_epsg(), ds.res, ds.descriptions
    (4549, (10.0, 10.0), ('land_area_m2',))
    """
    caller = "rasterize_metric()"
    values = _check_args(
        parcels, column, dtype=dtype, like=like, resolution=resolution, caller=caller
    )
    polys = check_polygons(parcels, name="parcels", caller=caller)
    crs, transform, width, height = _target_grid(parcels, polys, like, resolution, caller=caller)
    geoms, _ = polys.in_crs(crs)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) & np.isfinite(values)
    profile = _profile(crs, transform, width, height, dtype=dtype, nodata=nodata)
    target = Path(out)
    with atomic_path(target) as tmp, rasterio.open(tmp, "w", **profile) as dst:
        dst.set_band_description(1, str(column))
        dst.update_tags(
            landuse_metric=str(column), landuse_rule="all_touched" if all_touched else "cell_centre"
        )
        _burn_strips(dst, geoms[keep], values[keep], nodata=nodata, all_touched=all_touched)
    return target


def _check_args(
    parcels: Any,
    column: str,
    *,
    dtype: str,
    like: RasterLike | None,
    resolution: float | None,
    caller: str,
) -> np.ndarray:
    """Check the arguments; return the column as float64 (NaN where missing)."""
    if not isinstance(parcels, gpd.GeoDataFrame):
        msg = f"`parcels` passed to {caller} must be a GeoDataFrame; got {type(parcels).__name__}."
        raise TypeError(msg)
    if column not in parcels.columns:
        msg = (
            f"`column` passed to {caller}: {column!r} is not a column of `parcels` "
            f"(columns: {', '.join(map(str, parcels.columns[:12]))}"
            f"{', …' if len(parcels.columns) > 12 else ''})."
        )
        raise SchemaError(msg)
    series = parcels[column]
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        msg = (
            f"`column` passed to {caller}: {column!r} holds {series.dtype} values; a raster "
            f"needs numbers. Convert it first, e.g. parcels[{column!r}].astype(float)."
        )
        raise SchemaError(msg)
    if dtype not in ("float32", "float64"):
        msg = f"`dtype` passed to {caller} must be one of float32, float64; got {dtype!r}."
        raise ValueError(msg)
    if (like is None) == (resolution is None):
        msg = (
            f"{caller} needs exactly one of `like` (a raster whose grid to copy) and "
            "`resolution` (cell size)."
        )
        raise ValueError(msg)
    return pd.to_numeric(series.astype("Float64"), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )


def _target_grid(
    parcels: gpd.GeoDataFrame,
    polys: Polygons,
    like: RasterLike | None,
    resolution: float | None,
    *,
    caller: str,
) -> tuple[pyproj.CRS, Affine, int, int]:
    """The output grid: CRS, transform, width and height (of `like`, or at `resolution`)."""
    if like is not None:
        with open_raster(like, name="like", caller=caller) as ds:
            crs = raster_crs(ds, name="like", caller=caller)
            return crs, ds.transform, ds.width, ds.height
    assert resolution is not None
    crs = pyproj.CRS.from_user_input(check_projected(parcels, name="parcels", caller=caller))
    if isinstance(resolution, bool) or not (
        isinstance(resolution, (int, float)) and math.isfinite(resolution) and resolution > 0
    ):
        msg = (
            f"`resolution` passed to {caller} must be a positive cell size in metres; "
            f"got {resolution!r}."
        )
        raise ValueError(msg)
    transform, width, height = _grid(polys.geoms, float(resolution), caller=caller)
    return crs, transform, width, height


def _profile(
    crs: pyproj.CRS, transform: Affine, width: int, height: int, *, dtype: str, nodata: float
) -> dict[str, Any]:
    """Creation options of the GeoTIFF: tiled, deflate-compressed, BigTIFF if needed."""
    return {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": dtype,
        "crs": crs.to_wkt(),
        "transform": transform,
        "nodata": nodata,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
        "predictor": 3,
        "BIGTIFF": "IF_SAFER",
    }


def _burn_strips(
    dst: Any, geoms: np.ndarray, values: np.ndarray, *, nodata: float, all_touched: bool
) -> None:
    """Burn `values` into `dst` strip by strip (bounded memory); later rows win."""
    transform, width, height = dst.transform, dst.width, dst.height
    tree = shapely.STRtree(geoms)
    for row0 in range(0, height, _STRIP_ROWS):
        window = Window(0, row0, width, min(_STRIP_ROWS, height - row0))
        # the strip's transform (rasterio.windows.transform multiplies Affines with `*`,
        # which affine >= 3.0 flags as deprecated)
        wt = Affine(
            transform.a,
            transform.b,
            transform.c + row0 * transform.b,
            transform.d,
            transform.e,
            transform.f + row0 * transform.e,
        )
        left, top = wt.c, wt.f
        right = left + wt.a * window.width
        bottom = top + wt.e * window.height
        hits = tree.query(
            shapely.box(min(left, right), min(top, bottom), max(left, right), max(top, bottom))
        )
        hits.sort()  # file order: later rows win
        strip = np.full((window.height, window.width), nodata, dtype=dst.dtypes[0])
        if len(hits):
            rasterio.features.rasterize(
                zip(geoms[hits], values[hits], strict=True),
                out=strip,
                transform=wt,
                all_touched=all_touched,
            )
        dst.write(strip, 1, window=window)


def _grid(geoms: np.ndarray, res: float, *, caller: str) -> tuple[Any, int, int]:
    """Return a north-up grid of cell size `res` covering `geoms`, snapped to multiples of `res`."""
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not usable.any():
        msg = f"`parcels` passed to {caller} has no geometry to rasterize."
        raise ValueError(msg)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms[usable])
    left = math.floor(minx / res) * res
    bottom = math.floor(miny / res) * res
    right = math.ceil(maxx / res) * res
    top = math.ceil(maxy / res) * res
    width = max(1, round((right - left) / res))
    height = max(1, round((top - bottom) / res))
    if width * height > _MAX_CELLS:
        msg = (
            f"`resolution` passed to {caller}: {res:g} makes a grid of {width} × {height} cells "
            "for these parcels; pick a coarser cell size."
        )
        raise ValueError(msg)
    return Affine(res, 0.0, left, 0.0, -res, top), width, height
