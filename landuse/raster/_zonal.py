"""Exact zonal statistics engine behind :mod:`landuse.raster`.

exactextract computes, for every polygon, the exact fraction of each raster cell it covers
(one pass along the boundary plus a flood fill of the inside) and summarises the cell values
weighted by those fractions. This module feeds it quickly and with bounded memory:

- polygons go in as WKB made in bulk by shapely (exactextract's own GeoDataFrame path
  serialises every feature to GeoJSON text), in Hilbert order so that neighbours follow
  each other;
- raster values come through :class:`_ChunkSource`: each polygon's window is read with
  rasterio (GDAL caches the blocks); where polygons are dense, a whole aligned chunk is read
  once and sliced (a few chunks kept). A plain band goes to exactextract in its own type with
  its nodata value declared; otherwise every masked cell (nodata value, internal mask, alpha)
  becomes NaN in float64, which exactextract skips, scale and offset are applied, and an
  optional per-cell function (height → storeys) runs on each read;
- results are written by :class:`_ArrayWriter` straight into NumPy arrays by row.

Only rasterio windows are ever read, so rasters larger than memory work.
"""

from __future__ import annotations

import contextlib
import os
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TypeAlias

import numpy as np
import pyproj
import rasterio
import rasterio.io
import shapely
from rasterio.enums import MaskFlags
from rasterio.windows import Window

from landuse._clip import drop_empty_rings
from landuse.errors import CRSError

__all__ = [
    "EXACT_OPS",
    "RasterLike",
    "check_band",
    "exact_stats",
    "open_raster",
    "raster_crs",
    "raster_geometries",
    "require_exactextract",
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

# Small windows are read straight from rasterio (GDAL caches the blocks). Once a chunk of the
# grid has been asked for _CHUNK_AFTER times (dense parcels, in Hilbert order), the whole chunk is
# read once and later windows inside it are sliced from memory: one rasterio call instead of many.
_CHUNK = 512  # chunk stride in cells
_MARGIN = 128  # chunks overlap by this much, so windows up to 128 cells fit in one
_CHUNK_AFTER = 8
_CHUNK_SLOTS = 8  # chunks kept (float64: 8 x 640 x 640 x 8 B = 26 MB)
_MAX_CELLS = 4_000_000  # exactextract splits bigger features into windows of at most this
_WKB_BATCH = 8192


def require_exactextract(caller: str) -> ModuleType:
    """Import exactextract or raise an ImportError that names the extra to install."""
    try:
        import exactextract
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        msg = (
            f"{caller} needs the optional package `exactextract` (exact partial-pixel zonal "
            'statistics). Install it with: pip install "landuse[raster]" '
            "(or: pip install exactextract)."
        )
        raise ImportError(msg) from exc
    return exactextract


@contextlib.contextmanager
def open_raster(raster: RasterLike, *, name: str, caller: str) -> Iterator[Any]:
    """Open a raster path (closing it afterwards) or pass an open rasterio dataset through."""
    if isinstance(raster, rasterio.io.DatasetReader):
        if raster.closed:
            msg = f"`{name}` passed to {caller} is a closed rasterio dataset; pass it open or pass its path."
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


# ---------------------------------------------------------------------------------------------
# exactextract adapters (classes are built on first use so that importing landuse does not
# import exactextract)
# ---------------------------------------------------------------------------------------------


def _adapters() -> tuple[type, type, type]:
    require_exactextract("landuse.raster")
    from exactextract.feature import Feature, FeatureSource
    from exactextract.raster import RasterSource
    from exactextract.writer import Writer

    class _WkbFeature(Feature):  # type: ignore[misc]
        """One polygon as WKB with its row number."""

        def __init__(self, wkb: bytes, row: int) -> None:
            Feature.__init__(self)
            self._wkb = wkb
            self._row = row

        def geometry(self) -> bytes:
            return self._wkb

        def get(self, name: str) -> int:
            return self._row

        def fields(self) -> list[str]:
            return ["row"]

        def set(self, name: str, value: Any) -> None:  # never called: results go to the sink
            pass

    class _WkbSource(FeatureSource):  # type: ignore[misc]
        """Polygons from a shapely array, converted to WKB in batches."""

        def __init__(self, geoms: np.ndarray, rows: np.ndarray, srs_wkt: str) -> None:
            super().__init__()
            self._geoms = geoms
            self._rows = rows
            self._srs_wkt = srs_wkt

        def count(self) -> int:
            return len(self._rows)

        def __iter__(self) -> Iterator[Any]:
            for start in range(0, len(self._rows), _WKB_BATCH):
                rows = self._rows[start : start + _WKB_BATCH]
                wkbs = shapely.to_wkb(self._geoms[rows], output_dimension=2)
                for wkb, row in zip(wkbs, rows.tolist(), strict=True):
                    yield _WkbFeature(wkb, row)

        def srs_wkt(self) -> str:
            return self._srs_wkt

    class _Sink(Feature):  # type: ignore[misc]
        """Receives one feature's results from exactextract."""

        def __init__(self) -> None:
            Feature.__init__(self)
            self.values: dict[str, Any] = {}

        def set(self, name: str, value: Any) -> None:
            self.values[name] = value

        def get(self, name: str) -> Any:
            return self.values[name]

        def fields(self) -> list[str]:
            return list(self.values)

        def geometry(self) -> None:
            return None

        def set_geometry(self, geometry: Any) -> None:
            pass

        def set_geometry_format(self) -> str:
            return "wkb"

    class _ArrayWriter(Writer):  # type: ignore[misc]
        """Writes scalar results into float arrays and per-class shares from frac/unique."""

        def __init__(
            self,
            n: int,
            categories: Sequence[float],
            progress: Callable[[int], object] | None,
        ) -> None:
            super().__init__()
            self.n = n
            self.names: list[str] = []
            self.columns: dict[str, np.ndarray] = {}
            self.categories = np.asarray(categories, dtype="float64")
            self.shares = np.full((len(self.categories), n), np.nan)
            self.progress = progress

        def add_operation(self, op: Any) -> None:
            if op.name not in ("frac", "unique"):
                self.names.append(op.name)
                self.columns[op.name] = np.full(self.n, np.nan)

        def add_column(self, col_name: str) -> None:
            pass

        def add_geometry(self) -> None:
            pass

        def write(self, feature: Any) -> None:
            sink = _Sink()
            feature.copy_to(sink)
            got = sink.values
            row = got["row"]
            for name in self.names:
                value = got.get(name)
                if value is not None:
                    self.columns[name][row] = value
            if len(self.categories):
                unique = np.asarray(got.get("unique", ()), dtype="float64")
                if len(unique):
                    frac = np.asarray(got["frac"], dtype="float64")
                    hit = self.categories[:, None] == unique[None, :]
                    self.shares[:, row] = (hit * frac[None, :]).sum(axis=1)
            if self.progress is not None:
                self.progress(1)

        def features(self) -> None:
            return None

    class _ChunkSource(RasterSource):  # type: ignore[misc]
        """One band read by windows or cached chunks, as is or as float64 with NaN for masked."""

        def __init__(
            self,
            ds: Any,
            band: int,
            cell_fn: Callable[[np.ndarray], np.ndarray] | None,
            name: str = "",
        ) -> None:
            super().__init__()
            if name:
                self.set_name(name)
            self.ds = ds
            self.band = band
            self.cell_fn = cell_fn
            self.scale = float(ds.scales[band - 1])
            self.offset = float(ds.offsets[band - 1])
            flags = ds.mask_flag_enums[band - 1]
            self.nodata = ds.nodatavals[band - 1]
            self.nodata_is_nan = self.nodata is not None and bool(np.isnan(self.nodata))
            self.cache: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
            self.requests: dict[tuple[int, int], int] = {}
            if all(f == MaskFlags.all_valid for f in flags):
                self.mask_mode = "none"
            elif all(f == MaskFlags.nodata for f in flags) and self.nodata is not None:
                self.mask_mode = "nodata"
            else:  # an internal or external mask band, an alpha band
                self.mask_mode = "mask"
            # plain bands go to exactextract as read, in their own type, nodata declared;
            # otherwise values become float64 with NaN for masked cells
            self.native = (
                cell_fn is None
                and self.scale == 1.0
                and self.offset == 0.0
                and self.mask_mode != "mask"
                and not self.nodata_is_nan
            )
            self.declared_nodata: float | int | None = None  # masked cells arrive as NaN
            if self.native and self.mask_mode == "nodata":
                kind = np.dtype(ds.dtypes[band - 1]).kind
                self.declared_nodata = float(self.nodata) if kind == "f" else int(self.nodata)

        def res(self) -> tuple[float, float]:
            return abs(self.ds.transform.a), abs(self.ds.transform.e)

        def extent(self) -> tuple[float, float, float, float]:
            b = self.ds.bounds
            return (b.left, b.bottom, b.right, b.top)

        def srs_wkt(self) -> str:
            return str(self.ds.crs.to_wkt())

        def nodata_value(self) -> float | int | None:
            return self.declared_nodata

        def _read(self, x0: int, y0: int, nx: int, ny: int) -> np.ndarray:
            window = Window(x0, y0, nx, ny)
            data = self.ds.read(self.band, window=window)
            if self.native:
                return np.asarray(data)
            out = np.asarray(data, dtype="float64")
            if self.scale != 1.0:
                out *= self.scale
            if self.offset != 0.0:
                out += self.offset
            if self.cell_fn is not None:
                out = np.asarray(self.cell_fn(out), dtype="float64")
            if self.mask_mode == "nodata":
                invalid = np.isnan(data) if self.nodata_is_nan else data == self.nodata
                out[invalid] = np.nan
            elif self.mask_mode == "mask":
                out[self.ds.read_masks(self.band, window=window) == 0] = np.nan
            return out

        def read_window(self, x0: int, y0: int, nx: int, ny: int) -> np.ndarray:
            cx, cy = x0 // _CHUNK, y0 // _CHUNK
            ox, oy = x0 - cx * _CHUNK, y0 - cy * _CHUNK
            if ox + nx > _CHUNK + _MARGIN or oy + ny > _CHUNK + _MARGIN:
                return self._read(x0, y0, nx, ny)
            key = (cx, cy)
            chunk = self.cache.get(key)
            if chunk is None:
                seen = self.requests.get(key, 0) + 1
                self.requests[key] = seen
                if seen < _CHUNK_AFTER:
                    return self._read(x0, y0, nx, ny)
                width = min(_CHUNK + _MARGIN, self.ds.width - cx * _CHUNK)
                height = min(_CHUNK + _MARGIN, self.ds.height - cy * _CHUNK)
                chunk = self._read(cx * _CHUNK, cy * _CHUNK, width, height)
                self.cache[key] = chunk
                if len(self.cache) > _CHUNK_SLOTS:
                    self.cache.popitem(last=False)
            else:
                self.cache.move_to_end(key)
            return chunk[oy : oy + ny, ox : ox + nx]

    return _WkbSource, _ArrayWriter, _ChunkSource


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
    exactextract = require_exactextract("landuse.raster")
    source_cls, writer_cls, raster_cls = _adapters()
    n = len(geoms)
    geoms = drop_empty_rings(np.asarray(geoms, dtype=object))
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    rows = np.flatnonzero(usable)
    if len(rows) > 1:
        rows = rows[_hilbert_order(geoms[rows])]

    bar: Any = None
    step: Callable[[int], object] | None = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(rows), desc=desc, unit="parcel", mininterval=0.5)
        step = bar.update
    all_ops = list(ops) + (["frac", "unique"] if len(categories) else [])
    sources = [raster_cls(ds, band, fn, layer) for layer, fn in layers]
    writer = writer_cls(n, categories, step)
    try:
        if len(rows):
            exactextract.exact_extract(
                sources if len(sources) > 1 else sources[0],
                source_cls(geoms, rows, ds.crs.to_wkt()),
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
    import geopandas

    distance = geopandas.GeoSeries(geoms).hilbert_distance()
    return np.argsort(distance.to_numpy(), kind="stable")


# ---------------------------------------------------------------------------------------------
# parcels in, geometries in the raster's CRS out
# ---------------------------------------------------------------------------------------------

_POLYGONAL = ("Polygon", "MultiPolygon")


def raster_geometries(
    parcels: Any, crs: pyproj.CRS, *, name: str, caller: str
) -> tuple[np.ndarray, np.ndarray]:
    """Validate `parcels` and return (geometries in `crs`, usable mask) as arrays by position.

    Raises TypeError for a non-geo frame, CRSError for a missing CRS, GeometryError listing the
    ids of non-polygonal geometries. Invalid polygons are repaired (LanduseWarning). Missing
    and empty geometries stay (they get no pixels).
    """
    import warnings

    import geopandas

    from landuse.errors import GeometryError, LanduseWarning, format_ids

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
    types = shapely.get_type_id(geoms)
    wrong = present & ~np.isin(types, (3, 6))
    if wrong.any():
        kinds = sorted({shapely.get_type_id(g) for g in geoms[wrong]})
        names = ", ".join(
            (
                "Point",
                "LineString",
                "LinearRing",
                "Polygon",
                "MultiPoint",
                "MultiLineString",
                "MultiPolygon",
                "GeometryCollection",
            )[k]
            for k in kinds
        )
        msg = (
            f"`{name}` passed to {caller} must hold polygons; {int(wrong.sum())} of {len(geoms)} "
            f"rows are {names} (index {format_ids(geo.index[wrong])}). Buffer points or lines "
            "into polygons first, or drop those rows."
        )
        raise GeometryError(msg)
    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = _repair(geoms[invalid])
        warnings.warn(
            f"{caller}: repaired {int(invalid.sum())} invalid polygon(s) in `{name}` with "
            f"shapely.make_valid before reading the raster (index {format_ids(geo.index[invalid])}).",
            LanduseWarning,
            stacklevel=3,
        )
    if not pyproj.CRS.from_user_input(geo.crs).equals(crs, ignore_axis_order=True):
        geoms = np.asarray(geopandas.GeoSeries(geoms, crs=geo.crs).to_crs(crs).array, dtype=object)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    return geoms, usable


def _repair(geoms: np.ndarray) -> np.ndarray:
    """make_valid, keeping only the polygonal parts."""
    fixed = np.asarray(shapely.make_valid(geoms), dtype=object)
    for i in np.flatnonzero(~np.isin(shapely.get_type_id(fixed), (3, 6))):
        parts = shapely.get_parts(fixed[i])
        polys = shapely.get_parts(parts[np.isin(shapely.get_type_id(parts), (3, 6))])
        fixed[i] = shapely.multipolygons(polys) if len(polys) else shapely.Polygon()
    return fixed
