"""Loading a layer's raw rows: from a (Geo)DataFrame, a vector file, GeoParquet or a table.

The first step of every reader (:mod:`landuse.io._readers`): the rows as the source has them,
before any field is mapped or value checked. Shapefile DBFs are read as bytes and decoded with
the detected encoding (:mod:`landuse.io._shapefile`); CSV is tried as UTF-8, then GB18030.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors

from landuse import schema
from landuse.errors import SchemaError
from landuse.io._hints import Fix, attach
from landuse.io._report import ReadReport
from landuse.io._shapefile import detect_shapefile_encoding

__all__ = ["TABLE_SUFFIXES", "Source", "load"]

log = logging.getLogger("landuse.io")

#: What a reader reads: a path to a file, or an in-memory (Geo)DataFrame.
Source: TypeAlias = str | os.PathLike[str] | gpd.GeoDataFrame | pd.DataFrame
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xls", ".xlsm"}
_PARQUET_SUFFIXES = {".parquet", ".geoparquet", ".pq"}


def load(
    source: Source,
    spec: schema.Layer,
    *,
    layer: str | int | None,
    encoding: str | None,
    report: ReadReport,
    caller: str,
) -> pd.DataFrame:
    """Return the raw rows of ``source`` (a copy of a frame); record the source in ``report``."""
    if isinstance(source, pd.DataFrame):
        report.source = "<GeoDataFrame>" if isinstance(source, gpd.GeoDataFrame) else "<DataFrame>"
        return source.copy()
    if not isinstance(source, (str, os.PathLike)):
        msg = (
            f"`path` passed to {caller}() must be a path to a file or a (Geo)DataFrame of "
            f"{spec.name}; received {type(source).__name__}."
        )
        raise TypeError(msg)
    path = Path(source)
    report.source = str(path)
    if not path.exists():
        msg = (
            f"cannot read {spec.name}: no file at {str(path)!r}. Check the path and the "
            f"working directory ({os.getcwd()})."
        )
        raise FileNotFoundError(msg)
    suffix = path.suffix.lower()
    if path.is_file() and path.stat().st_size == 0:
        what = "table" if suffix in TABLE_SUFFIXES else "GIS file"
        msg = (
            f"cannot read {spec.name}: {path.name} is empty (0 bytes), not a readable {what}. "
            "The copy or download was probably cut short; get the file again."
        )
        raise SchemaError(msg)
    try:
        return _load_path(path, spec, layer=layer, encoding=encoding, report=report)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as err:
        kind = (
            "a directory that GDAL cannot open as a dataset"
            if path.is_dir()
            else "not a readable GIS file"
        )
        msg = (
            f"cannot read {spec.name}: {path} is {kind} (GDAL says: {err}). Give the layer's "
            "file (GeoPackage, Shapefile with its .shx and .dbf, GeoJSON, FlatGeobuf, GeoParquet); "
            "if it should be one, it may be damaged or cut short."
        )
        raise SchemaError(msg) from err


def _load_path(
    path: Path,
    spec: schema.Layer,
    *,
    layer: str | int | None,
    encoding: str | None,
    report: ReadReport,
) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in _PARQUET_SUFFIXES:
        return gpd.read_parquet(path) if spec.geometry else pd.read_parquet(path)
    if suffix in TABLE_SUFFIXES:
        if spec.geometry is not None:
            msg = (
                f"{spec.name} need geometries, but {path.name} is a table ({suffix}). "
                "Give a GeoPackage, Shapefile, GeoJSON, FlatGeobuf or GeoParquet file."
            )
            raise SchemaError(msg)
        return _read_table(path, encoding=encoding, report=report)
    if layer is None:
        layer = _pick_layer(path, spec)
    if spec.geometry is None:
        return pd.DataFrame(pyogrio.read_dataframe(path, layer=layer, read_geometry=False))
    kwargs: dict[str, Any] = {}
    if suffix == ".shp":
        used, how = detect_shapefile_encoding(path, encoding=encoding)
        report.encoding = f"{used} ({how})"
        log.info("%s: reading DBF as %s (%s)", path.name, used, how)
        # read the bytes untouched (latin-1 is one byte per character), decode ourselves:
        # GDAL cuts field names at 10 bytes, often inside a UTF-8 character
        raw = pyogrio.read_dataframe(path, layer=layer, encoding="ISO-8859-1", use_arrow=True)
        return _transcode(raw, used, report)
    if encoding is not None:
        kwargs["encoding"] = encoding
        report.encoding = f"{encoding} (given)"
    return pyogrio.read_dataframe(path, layer=layer, use_arrow=True, **kwargs)


def _transcode(frame: gpd.GeoDataFrame, encoding: str, report: ReadReport) -> gpd.GeoDataFrame:
    geom = frame.geometry.name
    names = {}
    for col in frame.columns:
        if col == geom:
            continue
        raw = str(col).encode("latin-1")
        text = raw.decode(encoding, errors="ignore")
        if text.encode(encoding) != raw:
            report.notes.append(
                f"field name {text!r} was cut inside a character by the 10-byte DBF limit"
            )
        names[col] = text
    frame = frame.rename(columns=names)
    for col in names.values():
        values = frame[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            mask = values.notna()
            decoded = values[mask].astype(str).str.encode("latin-1").str.decode(encoding)
            out = values.astype(object).copy()
            out[mask] = decoded
            frame[col] = out
    return frame


def _pick_layer(path: Path, spec: schema.Layer) -> str | int | None:
    try:
        layers = pyogrio.list_layers(path)
    except Exception:  # single-layer formats without a layer list
        return None
    # `layer_styles` holds QGIS styles (landuse writes one with every styled layer), not data
    names = [str(n) for n in layers[:, 0] if str(n) != "layer_styles"]
    if len(names) <= 1:
        return names[0] if names else None
    for candidate in (spec.name, spec.name.rstrip("s"), spec.label_zh):
        if candidate in names:
            return candidate
    msg = (
        f"{path.name} has {len(names)} layers ({', '.join(names)}) and none is called "
        f"{spec.name!r}; pass `layer=` to say which one holds the {spec.name}."
    )
    raise attach(SchemaError(msg), Fix(spec.name, "`layer=`", options=("layer",)))


def _read_table(path: Path, *, encoding: str | None, report: ReadReport) -> pd.DataFrame:
    if path.suffix.lower() in {".xlsx", ".xls", ".xlsm"}:
        return pd.read_excel(path, dtype=object)
    tried = [encoding] if encoding else ["utf-8-sig", "gb18030"]
    for enc in tried:
        try:
            frame = pd.read_csv(path, encoding=enc, dtype=object, encoding_errors="strict")
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError as err:
            msg = f"{path.name} is empty: it has no header row and no data. Check the file."
            raise SchemaError(msg) from err
        report.encoding = f"{enc} ({'given' if encoding else 'detected'})"
        return frame
    msg = (
        f"cannot decode {path.name} as {' or '.join(tried)}; pass `encoding=` "
        "(e.g. encoding='big5') with the file's real encoding."
    )
    raise SchemaError(msg)
