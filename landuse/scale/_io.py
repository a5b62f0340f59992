"""Partitioned GeoParquet in and out for :mod:`landuse.scale`.

Private. A dataset is a directory (or glob, or single file) of GeoParquet files read in natural
file order (``part.2`` before ``part.10``). Reading is planned on the client from the file
footers only (row counts, row groups, GeoParquet ``bbox``, CRS); every partition is a list of
row ranges of those files, read on a worker with pyarrow (only the row groups it needs) and
validated there with the in-memory reader (:func:`landuse.read_parcels` /
:func:`landuse.read_proposals`). Rows are numbered by their position in the whole dataset, as
:func:`landuse.read_parcels` numbers the rows of one file, so results line up with the
in-memory path row for row.

Directories are replaced in two renames (a temporary sibling is written first); an existing
directory is only ever replaced when it holds nothing but ``part.N.parquet`` files.
"""

from __future__ import annotations

import glob
import itertools
import json
import logging
import math
import os
import re
import shutil
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import shapely

from landuse import io
from landuse.errors import CRSError, GeometryError, LanduseError, SchemaError, format_ids

__all__: list[str] = []

log = logging.getLogger("landuse.scale")

#: Suffixes taken as (Geo)Parquet.
PARQUET_SUFFIXES = (".parquet", ".geoparquet", ".pq")
#: Names a directory may hold to be replaced by a write (what dask and we write).
_OURS = re.compile(r"^(part\.\d+\.parquet|_metadata|_common_metadata)$")
#: Temporary column carrying the global row number through the in-memory reader.
_ROW = "__landuse_row__"
#: Default rows per written partition.
DEFAULT_ROWS_PER_PARTITION = 250_000

EXTRA_MESSAGE = 'landuse.scale needs the optional extra `scale`: pip install "landuse[scale]"'


def require(caller: str) -> Any:
    """Import dask-geopandas (and dask.dataframe) or raise an ImportError naming the extra."""
    try:
        import dask.dataframe  # noqa: F401
        import dask_geopandas
    except ImportError as exc:
        msg = (
            f"{EXTRA_MESSAGE} (dask-geopandas and distributed); {caller}() could not import "
            f"{exc.name or 'dask_geopandas'}."
        )
        raise ImportError(msg) from exc
    return dask_geopandas


# --- files -------------------------------------------------------------------------------------


def natural_key(text: str) -> list[Any]:
    """Sort key putting ``part.2`` before ``part.10``."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def is_parquet(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a Parquet file, a directory of them, or a glob."""
    text = os.fspath(path)
    if any(ch in text for ch in "*?["):
        return True
    p = Path(text)
    if not p.exists() and not p.suffix:
        return True  # so that the missing path is reported as a dataset
    return p.is_dir() or p.suffix.lower() in PARQUET_SUFFIXES


def parquet_files(path_or_glob: str | os.PathLike[str], *, caller: str) -> list[Path]:
    """List the files of a dataset in natural order; FileNotFoundError names what was given."""
    text = os.fspath(path_or_glob)
    if any(ch in text for ch in "*?["):
        found = [Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file()]
        if not found:
            msg = (
                f"{caller}(): no files match {text!r} (working directory {os.getcwd()}). "
                "Check the pattern, e.g. 'parcels/*.parquet'."
            )
            raise FileNotFoundError(msg)
        return sorted(found, key=lambda p: natural_key(str(p)))
    path = Path(text)
    if not path.exists():
        msg = (
            f"{caller}(): no file or directory at {text!r} (working directory {os.getcwd()}). "
            "Give a directory of GeoParquet files (e.g. from landuse.scale.write_partitioned), "
            "a glob such as 'parcels/*.parquet', or one file."
        )
        raise FileNotFoundError(msg)
    if path.is_dir():
        found = [p for p in path.iterdir() if p.is_file() and p.suffix.lower() in PARQUET_SUFFIXES]
        if not found:
            msg = (
                f"{caller}(): the directory {text!r} holds no .parquet files. Write the layer "
                "with landuse.scale.write_partitioned, or give a glob matching its files."
            )
            raise FileNotFoundError(msg)
        return sorted(found, key=lambda p: natural_key(p.name))
    return [path]


@dataclass(frozen=True)
class Piece:
    """Rows ``start:stop`` of one file; ``offset`` is the dataset row number of ``start``."""

    path: str
    start: int
    stop: int
    offset: int
    row_groups: tuple[int, ...]
    group_start: int  # file row number where the first of ``row_groups`` starts


@dataclass
class Plan:
    """How a dataset is read: partitions of pieces, and what the files share."""

    files: list[Path]
    partitions: list[tuple[Piece, ...]]
    divisions: tuple[int, ...]
    bboxes: list[tuple[float, float, float, float] | None]
    geo: dict[str, Any]
    columns: list[str]  # source columns, geometry included
    index_columns: list[str]
    rows: int

    @property
    def geometry(self) -> str:
        """Name of the primary geometry column."""
        return str(self.geo["primary_column"])

    @property
    def crs(self) -> pyproj.CRS | None:
        """CRS of the primary geometry (GeoParquet: missing means OGC:CRS84)."""
        info = self.geo["columns"][self.geometry]
        if "crs" not in info:
            return pyproj.CRS.from_user_input("OGC:CRS84")
        if info["crs"] is None:
            return None
        return pyproj.CRS.from_user_input(info["crs"])


def _geo_metadata(path: Path, schema: pa.Schema, *, caller: str) -> dict[str, Any]:
    raw = (schema.metadata or {}).get(b"geo")
    if raw is None:
        msg = (
            f"{caller}(): {path} is Parquet without GeoParquet metadata (no geometry column "
            "declared). Write it with GeoDataFrame.to_parquet or landuse.scale.write_partitioned."
        )
        raise GeometryError(msg)
    geo: dict[str, Any] = json.loads(raw.decode("utf-8"))
    return geo


def _index_columns(schema: pa.Schema) -> list[str]:
    raw = (schema.metadata or {}).get(b"pandas")
    if raw is None:
        return []
    meta = json.loads(raw.decode("utf-8"))
    return [c for c in meta.get("index_columns", []) if isinstance(c, str)]


def plan(
    path_or_glob: str | os.PathLike[str],
    *,
    npartitions: int | None,
    caller: str,
    name: str,
) -> Plan:
    """Read the footers and cut the dataset into partitions."""
    if npartitions is not None and (
        isinstance(npartitions, bool) or not isinstance(npartitions, int) or npartitions < 1
    ):
        msg = f"`npartitions` passed to {caller}() must be a positive integer or None; received {npartitions!r}."
        raise ValueError(msg)
    files = parquet_files(path_or_glob, caller=caller)
    foot = _footers(files, caller=caller, name=name)
    total = int(sum(foot.counts))
    if total == 0:
        msg = (
            f"{caller}(): {name} are empty: the {len(files)} file(s) at {os.fspath(path_or_glob)!r} "
            "hold no rows. Check that you chose the right dataset."
        )
        raise SchemaError(msg)
    parts, boxes = _cut(files, foot, npartitions, total)
    divisions = (*(p[0].offset for p in parts), total - 1)
    return Plan(
        files=files,
        partitions=parts,
        divisions=divisions,
        bboxes=boxes,
        geo=foot.geo,
        columns=list(foot.schema.names),
        index_columns=_index_columns(foot.schema),
        rows=total,
    )


@dataclass
class _Footers:
    """What the files' footers say: rows, row-group sizes, bounding boxes, schema, geo."""

    counts: list[int]
    groups: list[list[int]]
    bboxes: list[tuple[float, float, float, float] | None]
    schema: pa.Schema
    geo: dict[str, Any]


def _footers(files: list[Path], *, caller: str, name: str) -> _Footers:
    """Read every footer; the files must share their columns and CRS."""
    counts: list[int] = []
    groups: list[list[int]] = []
    bboxes: list[tuple[float, float, float, float] | None] = []
    first_schema: pa.Schema | None = None
    geo: dict[str, Any] = {}
    crs_text: str | None = None
    for path in files:
        meta = pq.ParquetFile(path).metadata
        schema = meta.schema.to_arrow_schema()
        file_geo = _geo_metadata(path, schema, caller=caller)
        info = file_geo["columns"][file_geo["primary_column"]]
        this_crs = json.dumps(info.get("crs", "OGC:CRS84"), sort_keys=True)
        if first_schema is None:
            first_schema, geo, crs_text = schema, file_geo, this_crs
        else:
            if set(schema.names) != set(first_schema.names):
                extra = sorted(set(schema.names) ^ set(first_schema.names))
                msg = (
                    f"{caller}(): the files of {name} do not share their columns: {path.name} "
                    f"differs from {files[0].name} in {', '.join(map(repr, extra))}. Write all "
                    "partitions from one frame (landuse.scale.write_partitioned)."
                )
                raise SchemaError(msg)
            if this_crs != crs_text:
                msg = (
                    f"{caller}(): the files of {name} are in different CRSs: {path.name} differs "
                    f"from {files[0].name}. Reproject them to one CRS before reading."
                )
                raise CRSError(msg)
        counts.append(meta.num_rows)
        groups.append([meta.row_group(i).num_rows for i in range(meta.num_row_groups)])
        box = info.get("bbox")
        if box and len(box) >= 4:  # 3D boxes hold 6 numbers: x, y, z minima then maxima
            half = len(box) // 2
            bboxes.append((float(box[0]), float(box[1]), float(box[half]), float(box[half + 1])))
        else:
            bboxes.append(None)
    assert first_schema is not None
    return _Footers(counts, groups, bboxes, first_schema, geo)


def _piece(path: Path, sizes: list[int], start: int, lo: int, hi: int) -> Piece:
    """Rows ``lo:hi`` of one file (its rows start at ``start`` in the dataset)."""
    edges = np.concatenate([[0], np.cumsum(np.asarray(sizes, dtype=np.int64))])
    first = int(np.searchsorted(edges, lo, side="right") - 1)
    last = int(np.searchsorted(edges, hi, side="left"))
    return Piece(
        path=str(path),
        start=lo,
        stop=hi,
        offset=start + lo,
        row_groups=tuple(range(first, max(last, first + 1))),
        group_start=int(edges[first]),
    )


def _cut(
    files: list[Path], foot: _Footers, npartitions: int | None, total: int
) -> tuple[list[tuple[Piece, ...]], list[Any]]:
    """The partitions (pieces of files) and their bounding boxes."""
    counts, bboxes = foot.counts, foot.bboxes
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)

    def piece(i: int, lo: int, hi: int) -> Piece:
        return _piece(files[i], foot.groups[i], int(starts[i]), lo, hi)

    nonempty = [i for i, n in enumerate(counts) if n > 0]
    parts: list[tuple[Piece, ...]] = []
    boxes: list[Any] = []
    if npartitions is None or npartitions == len(nonempty):
        for i in nonempty:
            parts.append((piece(i, 0, counts[i]),))
            boxes.append(bboxes[i])
    elif npartitions < len(nonempty):
        # whole files, grouped in order so that groups hold about equal rows
        group_of = [min(npartitions - 1, int(starts[i] * npartitions // total)) for i in nonempty]
        for g in sorted(set(group_of)):
            members = [i for i, k in zip(nonempty, group_of, strict=True) if k == g]
            parts.append(tuple(piece(i, 0, counts[i]) for i in members))
            boxes.append(union_boxes([bboxes[i] for i in members]))
    else:
        # more partitions than files: equal row ranges, read by row group
        k = min(npartitions, total)
        edges = [round(j * total / k) for j in range(k + 1)]
        for lo, hi in itertools.pairwise(edges):
            pieces = []
            members = []
            for i in nonempty:
                a, b = max(lo, int(starts[i])), min(hi, int(starts[i]) + counts[i])
                if a < b:
                    pieces.append(piece(i, a - int(starts[i]), b - int(starts[i])))
                    members.append(i)
            parts.append(tuple(pieces))
            boxes.append(union_boxes([bboxes[i] for i in members]))
    return parts, boxes


def union_boxes(
    boxes: Sequence[tuple[float, float, float, float] | None],
) -> tuple[float, float, float, float] | None:
    if not boxes or any(b is None for b in boxes):
        return None
    arr = np.asarray(boxes, dtype=float)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


# --- reading -----------------------------------------------------------------------------------


def _arrow_to_frame(table: pa.Table) -> gpd.GeoDataFrame:
    """Convert a pyarrow table of GeoParquet columns as geopandas.read_parquet does."""
    from geopandas.io.arrow import _arrow_to_geopandas

    return _arrow_to_geopandas(table)


def read_piece(piece: Piece, columns: Sequence[str] | None) -> gpd.GeoDataFrame:
    """Rows ``piece.start:piece.stop`` of a file, reading only the row groups holding them."""
    pf = pq.ParquetFile(piece.path)
    cols = None if columns is None else list(columns)
    table = pf.read_row_groups(list(piece.row_groups), columns=cols, use_pandas_metadata=True)
    table = table.replace_schema_metadata(pf.schema_arrow.metadata)
    lo = piece.start - piece.group_start
    table = table.slice(lo, piece.stop - piece.start)
    frame = _arrow_to_frame(table)
    frame.index = pd.RangeIndex(piece.offset, piece.offset + len(frame))
    return frame


def read_head(path: str, columns: Sequence[str] | None, n: int = 16) -> gpd.GeoDataFrame:
    """Read the first ``n`` rows of a file (only the first batch is decoded)."""
    pf = pq.ParquetFile(path)
    batch = next(pf.iter_batches(batch_size=n, columns=None if columns is None else list(columns)))
    table = pa.Table.from_batches([batch]).replace_schema_metadata(pf.schema_arrow.metadata)
    frame = _arrow_to_frame(table)
    frame.index = pd.RangeIndex(0, len(frame))
    return frame


def source_columns(plan_: Plan, wanted: Sequence[str] | None) -> list[str] | None:
    """Columns to read: ``wanted`` (source names), the geometry and stored index columns."""
    if wanted is None:
        return None
    out = [c for c in plan_.columns if c in set(wanted) or c == plan_.geometry]
    return out + [c for c in plan_.index_columns if c not in out]


@contextmanager
def logged_warnings(where: str) -> Iterator[None]:
    """Turn warnings raised inside a partition into log records on the worker."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        log.warning("%s: %s", where, w.message)


def validate(frame: gpd.GeoDataFrame, *, layer: str, crs: Any, where: str) -> gpd.GeoDataFrame:
    """Run the in-memory reader on ``frame``, keeping its (global) row numbers."""
    reader: Callable[..., gpd.GeoDataFrame] = getattr(io, f"read_{layer}")
    work = frame.copy()
    work[_ROW] = np.asarray(frame.index, dtype=np.int64)
    try:
        with logged_warnings(where):
            out = reader(work, crs=crs)
    except LanduseError as exc:
        msg = f"{where}: {exc}"
        raise type(exc)(msg) from exc
    rows = out.pop(_ROW).to_numpy(dtype=np.int64)
    out.index = pd.Index(rows)
    return out


def conform(out: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Give a partition the dtypes of ``meta`` (empty partitions can infer others)."""
    if list(out.columns) != list(meta.columns):
        return out
    differ = [c for c in meta.columns if out[c].dtype != meta[c].dtype]
    if differ:
        out = out.astype({c: meta[c].dtype for c in differ})
    return out


def plain_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy shallowly, keeping only the attrs that can be stored as JSON (Parquet metadata)."""
    keep = {}
    for key, value in frame.attrs.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        keep[key] = value
    out = frame.copy(deep=False)
    out.attrs = keep
    return out


def write_part(frame: pd.DataFrame, path: str) -> int:
    """Write one computed partition (index kept, attrs that are JSON kept); return its rows."""
    frame = plain_attrs(frame)
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_parquet(path, index=True)
    else:
        frame.to_parquet(path, index=True, engine="pyarrow")
    return len(frame)


def identity(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the piece of an in-memory frame (a partition carried in the graph)."""
    return frame


def where(pieces: Sequence[Piece]) -> str:
    """Files and rows of a partition, for messages."""
    parts = [f"{Path(p.path).name} rows {p.start}–{p.stop - 1}" for p in pieces]
    return "; ".join(parts)


def read_partition(
    pieces: tuple[Piece, ...],
    *,
    columns: Sequence[str] | None,
    layer: str,
    validate_rows: bool,
    crs: Any,
    select: Sequence[str] | None,
    like: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Read, validate and number one partition (runs on a worker)."""
    frames = [read_piece(p, columns) for p in pieces]
    frame = frames[0] if len(frames) == 1 else pd.concat(frames)
    frame = gpd.GeoDataFrame(frame, geometry=frames[0].geometry.name, crs=frames[0].crs)
    if validate_rows:
        frame = validate(frame, layer=layer, crs=crs, where=where(pieces))
    elif crs is not None and not pyproj.CRS.from_user_input(frame.crs).equals(
        pyproj.CRS.from_user_input(crs)
    ):
        frame = frame.to_crs(crs)
    if select is not None:
        frame = frame[list(select)]
    return conform(frame, like)


def read_ids(pieces: tuple[Piece, ...], *, column: str, name: str) -> pd.Series:
    """One id column of a partition as text (as the reader makes it), numbered globally."""
    out = []
    for p in pieces:
        pf = pq.ParquetFile(p.path)
        table = pf.read_row_groups(list(p.row_groups), columns=[column])
        table = table.slice(p.start - p.group_start, p.stop - p.start)
        values = table.column(0).to_pandas()
        values.index = pd.RangeIndex(p.offset, p.offset + len(values))
        out.append(values)
    series = out[0] if len(out) == 1 else pd.concat(out)
    return io.as_text(series).rename(name)


def transform_box(
    box: tuple[float, float, float, float] | None, src: pyproj.CRS | None, dst: pyproj.CRS | None
) -> tuple[float, float, float, float] | None:
    """Transform a bounding box to another CRS (edges densified, so it still holds all)."""
    if box is None or src is None or dst is None:
        return box
    if src.equals(dst):
        return box
    t = pyproj.Transformer.from_crs(src, dst, always_xy=True)
    out = t.transform_bounds(*box, densify_pts=21)
    return (float(out[0]), float(out[1]), float(out[2]), float(out[3]))


def spatial_boxes(
    boxes: Sequence[tuple[float, float, float, float] | None], crs: Any
) -> gpd.GeoSeries | None:
    """Spatial partitions from bounding boxes (None when any is unknown)."""
    if not boxes or any(b is None for b in boxes):
        return None
    arr = np.asarray(boxes, dtype=float)
    return gpd.GeoSeries(shapely.box(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]), crs=crs)


# --- writing -----------------------------------------------------------------------------------


def _check_target(target: Path, *, caller: str) -> None:
    if target.exists() and not target.is_dir():
        msg = f"{caller}(): {str(target)!r} is a file; give a directory path for the partitions."
        raise FileExistsError(msg)
    if target.is_dir():
        foreign = sorted(p.name for p in target.iterdir() if not _OURS.match(p.name))
        if foreign:
            msg = (
                f"{caller}(): {str(target)!r} exists and holds other things than part.N.parquet "
                f"files ({format_ids(foreign)}), so it is not replaced. Choose a new or empty "
                "directory."
            )
            raise FileExistsError(msg)


@contextmanager
def atomic_dir(path: str | os.PathLike[str], *, caller: str) -> Iterator[Path]:
    """Yield a fresh temporary sibling directory; on success it replaces ``path``.

    The previous directory is moved aside, the new one renamed into place, then the old one
    removed: on any error before that, ``path`` is untouched and the temporary is removed.
    """
    target = Path(path)
    _check_target(target, caller=caller)
    target.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:8]
    tmp = target.parent / f".{target.name}.landuse-tmp-{token}"
    tmp.mkdir()
    try:
        yield tmp
        _check_target(target, caller=caller)
        old = target.parent / f".{target.name}.landuse-old-{token}"
        if target.exists():
            os.replace(target, old)
        try:
            os.replace(tmp, target)
        except BaseException:
            if old.exists():
                os.replace(old, target)
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def part_names(n: int) -> list[str]:
    """``part.N.parquet`` with N zero-padded, so that name order is row order for any reader."""
    width = len(str(max(n - 1, 0)))
    return [f"part.{i:0{width}d}.parquet" for i in range(n)]


def split_points(
    n: int, *, npartitions: int | None, rows_per_partition: int | None, caller: str
) -> list[int]:
    """Row boundaries of ``n`` rows cut into partitions."""
    for label, value in (("npartitions", npartitions), ("rows_per_partition", rows_per_partition)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            msg = f"`{label}` passed to {caller}() must be a positive integer or None; received {value!r}."
            raise ValueError(msg)
    if npartitions is not None and rows_per_partition is not None:
        msg = f"{caller}(): give `npartitions` or `rows_per_partition`, not both."
        raise ValueError(msg)
    if npartitions is None:
        npartitions = max(1, math.ceil(n / (rows_per_partition or DEFAULT_ROWS_PER_PARTITION)))
    k = max(1, min(npartitions, n))
    return [round(j * n / k) for j in range(k + 1)]
