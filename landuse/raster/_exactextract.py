"""exactextract adapters: polygons in as WKB, raster windows in, results out into NumPy arrays.

exactextract drives a zonal-statistics run through four small interfaces; landuse implements
them here, once, at module level:

- :class:`WkbSource` (a ``FeatureSource``) hands over polygons as WKB made in bulk by shapely
  (exactextract's own GeoDataFrame path serialises every feature to GeoJSON text);
- :class:`ChunkSource` (a ``RasterSource``) reads one band through rasterio windows, caching
  whole aligned chunks where polygons are dense; a plain band goes through in its own type with
  its nodata value declared, anything else (masks, alpha, scale/offset, a per-cell function)
  as float64 with NaN for masked cells;
- :class:`ArrayWriter` (a ``Writer``) writes each feature's results into float arrays by row,
  and per-class shares from the ``frac``/``unique`` operations.

exactextract is a core dependency, so it is imported at the top (it adds a few milliseconds to
``import landuse``: its own dependencies, NumPy among them, are loaded already).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import shapely
from exactextract.feature import Feature, FeatureSource
from exactextract.raster import RasterSource
from exactextract.writer import Writer
from rasterio.enums import MaskFlags
from rasterio.windows import Window

__all__ = ["ArrayWriter", "ChunkSource", "WkbSource"]

# Small windows are read straight from rasterio (GDAL caches the blocks). Once a chunk of the
# grid has been asked for _CHUNK_AFTER times (dense parcels, in Hilbert order), the whole chunk is
# read once and later windows inside it are sliced from memory: one rasterio call instead of many.
_CHUNK = 512  # chunk stride in cells
_MARGIN = 128  # chunks overlap by this much, so windows up to 128 cells fit in one
_CHUNK_AFTER = 8
_CHUNK_SLOTS = 8  # chunks kept (float64: 8 x 640 x 640 x 8 B = 26 MB)
_WKB_BATCH = 8192


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

class WkbSource(FeatureSource):  # type: ignore[misc]
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

class ArrayWriter(Writer):  # type: ignore[misc]
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

class ChunkSource(RasterSource):  # type: ignore[misc]
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

