"""Readers and writers: real bureau files in, canonical validated layers out.

Every reader takes a path (any vector format pyogrio reads: GeoPackage, Shapefile,
GeoJSON, FlatGeobuf …; GeoParquet; CSV/Excel for zone statistics) or an in-memory
(Geo)DataFrame, and returns a new frame with

* canonical column names (Chinese and English field names mapped, units in
  brackets converted: ``用地面积(亩)`` → ``land_area_m2``),
* canonical types (text, float, ``datetime64``, normalised categories),
* valid polygonal geometry (repaired with ``make_valid``; empties dropped),
* the analysis CRS (``crs="auto"``: CGCS2000 3° Gauss-Krüger by nearest central
  meridian in China, e.g. EPSG:4549 for Qingdao; UTM elsewhere).

What the reader did (field mapping, encoding, CRS, repairs, drops) is logged and
kept in ``result.attrs["landuse_read"]`` as a :class:`ReadReport`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors

from landuse import schema
from landuse._atomic import atomic_path
from landuse._sinks import gpkg_text
from landuse.errors import GeometryError, LanduseError, SchemaError
from landuse.io import _clean, _coerce
from landuse.io._clean import CoordSystem, OnInvalid
from landuse.io._shapefile import detect_shapefile_encoding

__all__ = [
    "ReadReport",
    "read_buildings",
    "read_functional_areas",
    "read_parcels",
    "read_proposals",
    "read_zone_stats",
    "read_zones",
    "write_layers",
]

log = logging.getLogger(__name__)

Source: TypeAlias = "str | os.PathLike[str] | gpd.GeoDataFrame | pd.DataFrame"
#: Default of the readers' ``area_check_factor``: the national profile's
#: ``data_quality.area_check_factor`` (a data-quality allowance, checked equal in the tests).
AREA_CHECK_FACTOR = 1.5
_TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xls", ".xlsm"}
_PARQUET_SUFFIXES = {".parquet", ".geoparquet", ".pq"}


@dataclass
class ReadReport:
    """What a reader did to a layer, kept in ``frame.attrs["landuse_read"]``.

    Attributes
    ----------
    layer
        Canonical layer name (``"parcels"``, …).
    source
        Path or ``"<GeoDataFrame>"``.
    rows_read, rows_kept
        Feature counts before and after dropping empty geometries.
    columns
        ``{source field: canonical column}`` for every renamed field.
    units
        ``{canonical column: factor}`` for fields converted from a unit in their name.
    encoding
        Text encoding used for a shapefile DBF, and how it was chosen.
    crs_source, crs
        The layer's CRS as read and as returned.
    coord_system
        ``"wgs84"``, or the web-map system converted from.
    repaired, dropped
        Ids of features whose geometry was repaired / dropped.
    filled_area
        Ids whose ``land_area_m2`` was filled from the geometry area.
    area_mismatch
        Ids whose declared ``land_area_m2`` differs from the geometry area by more than
        ``area_check_factor``.
    coerced
        ``{column: ids}`` of values that were not understood and set missing.
    unknown_codes
        ``{land-use code: count}`` of code-like values no supported classification has
        (read as ``other``, with a warning).
    notes
        Anything else worth knowing.
    """

    layer: str
    source: str
    rows_read: int = 0
    rows_kept: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    units: dict[str, float] = field(default_factory=dict)
    encoding: str | None = None
    crs_source: str | None = None
    crs: str | None = None
    coord_system: str = "wgs84"
    repaired: list[Any] = field(default_factory=list)
    dropped: list[Any] = field(default_factory=list)
    filled_area: list[Any] = field(default_factory=list)
    area_mismatch: list[Any] = field(default_factory=list)
    coerced: dict[str, list[Any]] = field(default_factory=dict)
    unknown_codes: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One paragraph for logs and the CLI.

        Examples
        --------
        >>> ReadReport("parcels", "p.gpkg", 3, 3, {"宗地编号": "parcel_id"}).summary()
        'parcels from p.gpkg: 3 of 3 features kept; fields mapped: 宗地编号→parcel_id'
        """
        parts = [
            f"{self.layer} from {self.source}: {self.rows_kept} of {self.rows_read} features kept"
        ]
        if self.columns:
            parts.append("fields mapped: " + ", ".join(f"{k}→{v}" for k, v in self.columns.items()))
        if self.units:
            parts.append(
                "units converted: " + ", ".join(f"{k}×{v:g}" for k, v in self.units.items())
            )
        if self.encoding:
            parts.append(f"encoding {self.encoding}")
        if self.crs:
            same = self.crs == self.crs_source
            parts.append(
                f"CRS {self.crs} (kept)" if same else f"CRS {self.crs_source} → {self.crs}"
            )
        if self.coord_system != "wgs84":
            parts.append(f"converted from {self.coord_system.upper()} to WGS84")
        if self.repaired:
            parts.append(f"{len(self.repaired)} geometries repaired")
        if self.dropped:
            parts.append(f"{len(self.dropped)} empty geometries dropped")
        if self.filled_area:
            parts.append(f"land_area_m2 filled from geometry for {len(self.filled_area)}")
        if self.unknown_codes:
            parts.append(
                "unknown land-use codes: "
                + ", ".join(f"{c} ×{n}" for c, n in self.unknown_codes.items())
            )
        parts.extend(self.notes)
        return "; ".join(parts)


# --- loading raw data -------------------------------------------------------------------------


def _load(
    source: Source,
    spec: schema.Layer,
    *,
    layer: str | int | None,
    encoding: str | None,
    report: ReadReport,
) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        report.source = "<GeoDataFrame>" if isinstance(source, gpd.GeoDataFrame) else "<DataFrame>"
        return source.copy()
    if not isinstance(source, (str, os.PathLike)):
        msg = (
            f"`source` must be a path or a (Geo)DataFrame for {spec.name}; "
            f"received {type(source).__name__}."
        )
        raise TypeError(msg)
    path = Path(source)
    report.source = str(path)
    if not path.exists():
        msg = f"cannot read {spec.name}: no file at {str(path)!r}. Check the path and the working directory ({os.getcwd()})."
        raise FileNotFoundError(msg)
    suffix = path.suffix.lower()
    if path.is_file() and path.stat().st_size == 0:
        what = "table" if suffix in _TABLE_SUFFIXES else "GIS file"
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
    if suffix in _TABLE_SUFFIXES:
        if spec.geometry is not None:
            msg = (
                f"{spec.name} need geometries, but {path.name} is a table ({suffix}). "
                "Give a GeoPackage, Shapefile, GeoJSON, FlatGeobuf or GeoParquet file."
            )
            raise SchemaError(msg)
        return _read_table(path, encoding=encoding, report=report)
    if spec.geometry is None:
        return pd.DataFrame(pyogrio.read_dataframe(path, layer=layer, read_geometry=False))
    if layer is None:
        layer = _pick_layer(path, spec)
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
    names = [str(n) for n in layers[:, 0]]
    if len(names) <= 1:
        return None
    for candidate in (spec.name, spec.name.rstrip("s"), spec.label_zh):
        if candidate in names:
            return candidate
    msg = (
        f"{path.name} has {len(names)} layers ({', '.join(names)}) and none is called "
        f"{spec.name!r}; pass `layer=` to say which one holds the {spec.name}."
    )
    raise SchemaError(msg)


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


# --- the generic reader -----------------------------------------------------------------------


def _read(
    source: Source,
    spec: schema.Layer,
    *,
    layer: str | int | None,
    columns: Mapping[str, str] | None,
    crs: Any,
    source_crs: Any,
    coord_system: CoordSystem,
    encoding: str | None,
    on_invalid: OnInvalid,
    repair: bool = True,
    units: Mapping[str, str] | None = None,
    area_check_factor: float | None = None,
) -> pd.DataFrame:
    if on_invalid not in ("raise", "coerce"):
        msg = f"`on_invalid` must be 'raise' or 'coerce'; received {on_invalid!r}."
        raise ValueError(msg)
    report = ReadReport(layer=spec.name, source="")
    frame = _load(source, spec, layer=layer, encoding=encoding, report=report)
    report.rows_read = len(frame)
    if frame.empty:
        msg = (
            f"{spec.name} ({report.source}) are empty: the layer has no rows. Check that you "
            "chose the right file and layer."
        )
        raise SchemaError(msg)
    geom_name = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    source_fields = [str(c) for c in frame.columns if c != geom_name]
    dup_fields = sorted({c for c in source_fields if source_fields.count(c) > 1})
    if dup_fields:
        msg = f"{spec.name} ({report.source}) have repeated field names: {', '.join(dup_fields)}."
        raise SchemaError(msg)
    is_shp = isinstance(source, (str, os.PathLike)) and Path(source).suffix.lower() == ".shp"
    frame = _clean.map_columns(
        frame, spec, columns, report, prefix_match=is_shp, units=units
    )
    _clean.check_required(frame, spec, source_fields)
    if spec.id_column:
        ids = _coerce.to_text(frame[spec.id_column])[0]
    else:
        keys = list(spec.unique or spec.required[:1])
        ids = _coerce.to_text(frame[keys[0]])[0].astype(object)
        for key in keys[1:]:
            ids = ids + "/" + _coerce.to_text(frame[key])[0].astype(object)
    ids = ids.where(ids.notna(), pd.Series(frame.index.astype(str), index=frame.index))
    frame = _clean.coerce_values(frame, spec, ids=ids, on_invalid=on_invalid, report=report)
    _clean.check_ids(frame, spec, report)
    if spec.geometry is None:
        out = pd.DataFrame(frame)
        if "geometry" in out.columns:
            out = out.drop(columns="geometry")
    else:
        if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
            msg = f"{spec.name} ({report.source}) have no geometry column; give a spatial layer."
            raise GeometryError(msg)
        _clean.check_coordinates(frame, spec, ids=ids, report=report)
        frame = _clean.resolve_crs(
            frame, spec, crs=crs, source_crs=source_crs, coord_system=coord_system, report=report
        )
        frame = _clean.clean_geometry(frame, spec, ids=ids, repair=repair, report=report)
        if frame.geometry.name != "geometry":
            frame = frame.rename_geometry("geometry")
        out = frame
        if spec.name in ("parcels", "proposals"):
            _clean.check_declared_area(out, spec, factor=area_check_factor, report=report)
            out = _clean.fill_area(out, report)
    order = [c for c in spec.column_names if c in out.columns]
    rest = [c for c in out.columns if c not in order and c != "geometry"]
    out = out[order + rest + (["geometry"] if "geometry" in out.columns else [])]
    out = out.reset_index(drop=True)
    report.rows_kept = len(out)
    out.attrs["landuse_read"] = report
    log.info("%s", report.summary())
    return out


_DOC_OPTIONS = """
    layer
        Layer name or index in a multi-layer file (GeoPackage). Default: the layer named
        after the role (e.g. ``"parcels"``), or the only layer.
    columns
        Extra field-name mapping ``{source field: canonical column}``, applied before the
        built-in Chinese/English aliases.
    units
        The unit of source fields whose name does not carry it, ``{source field: unit}``,
        e.g. ``{"用地面": "亩"}``. This is the one way to state a unit. It is required for a
        shapefile field whose name was cut by the 10-byte DBF limit before its unit
        (``用地面积(亩)`` in UTF-8 becomes ``用地面``) when the column it matches comes in
        several units (areas, money, energy, mass): such a field is refused with a
        SchemaError naming it, never read in an assumed unit. Give the canonical unit
        (``"m2"``, ``"万元"``) if the values are already in it.
    crs
        CRS to return: ``"auto"`` (default) picks the analysis CRS from the data's location
        (EPSG:4549 in Qingdao); ``None`` keeps the source CRS; anything pyproj accepts sets it.
        For a source with no CRS, an explicit ``crs`` is taken to be the source's CRS.
    source_crs
        The source's real CRS, overriding (with a warning) whatever the file declares.
    coord_system
        ``"gcj02"`` (Amap/Gaode, Tencent) or ``"bd09"`` (Baidu) if the lon/lat come from a
        Chinese web map; they are converted to WGS84 first.
    encoding
        Text encoding of the source. Shapefiles without ``.cpg`` are detected: UTF-8, then the
        DBF language byte where it names a code page (936 → GB18030, 950 → Big5), then the
        most plausible of GB18030, Big5 and Windows-1252, with a warning when two fit about
        equally well; the choice is in ``ReadReport.encoding``.
    on_invalid
        ``"raise"`` (default) on values that cannot be read, or ``"coerce"`` to set them
        missing with a warning. Cannot be read: text in number columns, infinite numbers
        (``"inf"``, ``"1e400"``), negative areas and a zero ``land_area_m2`` (a missing area
        is then taken from the geometry), and dates other than yyyy-mm-dd (also
        ``2019/3/5``, ``2019.03.05``, ``2019年3月5日``), yyyymmdd as text or number
        (``20190305``) or Excel serial days 61…73415 (1900-03-01…2100-12-31): a bare year
        (``2019``) is refused, and so is any date outside 1677-09-22…2262-04-11 (what
        ``datetime64[ns]`` holds), such as the ``9999-12-31`` written for 长期.
        Land-use codes are read after dropping ``.0`` endings and restoring a lost leading
        zero (``601``, ``"0601.0"`` → ``0601``); unknown codes are read as ``other`` with a
        warning listing each code and its count.
"""


def _reader(spec: schema.Layer, example: str) -> Any:
    def read(
        source: Source,
        *,
        layer: str | int | None = None,
        columns: Mapping[str, str] | None = None,
        crs: Any = "auto",
        source_crs: Any = None,
        coord_system: CoordSystem = "wgs84",
        encoding: str | None = None,
        on_invalid: OnInvalid = "raise",
        repair: bool = True,
        units: Mapping[str, str] | None = None,
        area_check_factor: float | None = AREA_CHECK_FACTOR,
    ) -> gpd.GeoDataFrame:
        return _read(
            source,
            spec,
            layer=layer,
            columns=columns,
            crs=crs,
            source_crs=source_crs,
            coord_system=coord_system,
            encoding=encoding,
            on_invalid=on_invalid,
            repair=repair,
            units=units,
            area_check_factor=area_check_factor,
        )

    read.__name__ = read.__qualname__ = f"read_{spec.name}"
    read.__module__ = __name__
    read.__doc__ = f"""Read and validate {spec.name} ({spec.label_zh}).

    Canonical columns: {", ".join(f"``{c}``" for c in spec.column_names)};
    required: {", ".join(f"``{c}``" for c in spec.required)} and a polygon geometry.

    Parameters
    ----------
    source
        Path to any vector file pyogrio reads, GeoParquet, or a GeoDataFrame.{_DOC_OPTIONS}    repair
        Repair invalid geometries with ``make_valid`` (default) instead of raising.
    area_check_factor
        Parcels and proposals only: warn (with counts and ids, also kept in
        ``ReadReport.area_mismatch``) where a declared ``land_area_m2`` differs from the
        geometry area by more than this factor either way; ``None`` turns the check off.
        The default 1.5 is the ``data_quality.area_check_factor`` of the national profile,
        a data-quality allowance, not a policy number (readers take no policy, so it is a
        plain keyword here: pass ``policy.data_quality.area_check_factor`` to follow a
        profile of your own).

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame with canonical columns first (others kept after them), in the
        analysis CRS, with a :class:`ReadReport` in ``.attrs["landuse_read"]``.

    Raises
    ------
    SchemaError
        Empty layer, missing required columns (all listed), duplicate or missing ids,
        unreadable values (unless ``on_invalid="coerce"``).
    CRSError
        No CRS and none given, a geographic CRS on projected numbers, web-map
        coordinates in a projected CRS.
    GeometryError
        Non-polygon features, or invalid ones with ``repair=False``.

    Examples
    --------
{example}
    """
    return read


read_zones = _reader(
    schema.ZONES,
    """    >>> import geopandas as gpd, shapely
    >>> raw = gpd.GeoDataFrame({"园区编号": ["QD01"], "主导产业": ["汽车制造"]},
    ...     geometry=[shapely.box(120.40, 36.30, 120.42, 36.32)], crs="EPSG:4490")
    >>> zones = read_zones(raw)
    >>> zones.crs.to_epsg(), list(zones.columns)
    (4549, ['zone_id', 'leading_industry', 'geometry'])""",
)
read_functional_areas = _reader(
    schema.FUNCTIONAL_AREAS,
    """    >>> import geopandas as gpd, shapely
    >>> raw = gpd.GeoDataFrame({"zone_id": ["QD01", "QD01"], "功能区": ["产业发展区", "商务服务区"]},
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs="EPSG:4549")
    >>> read_functional_areas(raw)["area_type"].tolist()
    ['industrial', 'business']""",
)
read_parcels = _reader(
    schema.PARCELS,
    """    >>> import geopandas as gpd, shapely
    >>> raw = gpd.GeoDataFrame({"宗地编号": ["P1"], "用地面积(亩)": [15], "税收(万元)": ["300"]},
    ...     geometry=[shapely.box(500000, 4000000, 500100, 4000100)], crs="EPSG:4549")
    >>> p = read_parcels(raw)
    >>> p[["parcel_id", "land_area_m2", "tax_wan"]].to_dict("records")
    [{'parcel_id': 'P1', 'land_area_m2': 10000.0, 'tax_wan': 300.0}]""",
)
read_buildings = _reader(
    schema.BUILDINGS,
    """    >>> import geopandas as gpd, shapely
    >>> raw = gpd.GeoDataFrame({"建筑编号": ["B1"], "层数": ["3"]},
    ...     geometry=[shapely.box(500000, 4000000, 500040, 4000020)], crs="EPSG:4549")
    >>> read_buildings(raw)["levels"].tolist()
    [3.0]""",
)
read_proposals = _reader(
    schema.PROPOSALS,
    """    >>> import geopandas as gpd, shapely
    >>> raw = gpd.GeoDataFrame({"项目编号": ["N1"], "用途": ["0601"]},
    ...     geometry=[shapely.box(500000, 4000000, 500100, 4000100)], crs="EPSG:4549")
    >>> read_proposals(raw)[["proposal_id", "land_use", "land_use_code", "land_area_m2"]].to_dict("records")
    [{'proposal_id': 'N1', 'land_use': 'industrial', 'land_use_code': '0601', 'land_area_m2': 10000.0}]""",
)


def read_zone_stats(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    on_invalid: OnInvalid = "raise",
    sheet: str | int | None = None,
    units: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read yearly zone statistics (集聚区统计), one row per zone per year.

    Canonical columns: ``zone_id``, ``year``, ``revenue_wan``, ``tax_wan``,
    ``new_registered_firms``, ``investment_projects``, ``leading_industry_revenue_wan``,
    ``new_project_investment_wan``, ``new_project_land_mu``, ``land_area_mu``. Units in
    header brackets are converted (``主营业务收入(亿元)`` × 10 000 → 万元).

    Parameters
    ----------
    source
        CSV (UTF-8 or GB18030, detected), Excel, any table pyogrio reads, or a DataFrame.
    columns
        Extra field-name mapping ``{source field: canonical column}``.
    encoding
        CSV encoding, overriding detection.
    on_invalid
        ``"raise"`` (default) on text in numeric columns, or ``"coerce"`` to set it missing.
    sheet
        Excel sheet (default: the first).
    units
        ``{source field: unit}`` for fields whose name does not carry their unit
        (e.g. ``{"收入": "亿元"}``).

    Returns
    -------
    pandas.DataFrame
        Canonical columns first, ``year`` as ``Int64``; a :class:`ReadReport` in ``.attrs``.

    Raises
    ------
    SchemaError
        Empty table, missing ``zone_id``/``year``, duplicate (zone, year) rows, bad values.

    Examples
    --------
    >>> raw = pd.DataFrame({"集聚区编号": ["QD01"], "年份": ["2021"], "主营业务收入(亿元)": ["120.5"]})
    >>> read_zone_stats(raw).to_dict("records")
    [{'zone_id': 'QD01', 'year': 2021, 'revenue_wan': 1205000.0}]
    """
    if sheet is not None and isinstance(source, (str, os.PathLike)):
        source = pd.read_excel(source, sheet_name=sheet, dtype=object)
    return _read(
        source,
        schema.ZONE_STATS,
        layer=None,
        columns=columns,
        crs=None,
        source_crs=None,
        coord_system="wgs84",
        encoding=encoding,
        on_invalid=on_invalid,
        units=units,
    )


# --- writing ----------------------------------------------------------------------------------


def write_layers(
    layers: Mapping[str, gpd.GeoDataFrame | pd.DataFrame],
    path: str | os.PathLike[str],
) -> Path:
    """Write layers into a GeoPackage, atomically, keeping its other layers.

    When ``path`` exists, the named layers are replaced and every other layer in the file
    is kept (``write_layers({"project_bank": bank}, "parcels.gpkg")`` adds a layer, it does
    not drop ``parcels``). The work happens on a copy beside the target, moved into place
    only when every layer is written, so a failure leaves the previous file intact. Text
    is UTF-8 and round-trips exactly, except a NUL character or a lone surrogate, which
    GDAL cannot store: they are written as visible escapes (``\\x00``) with a
    :class:`~landuse.errors.LanduseWarning`. Dates are written as dates.

    Parameters
    ----------
    layers
        ``{layer name: frame}``; plain DataFrames become attribute tables.
    path
        Target ``.gpkg`` file: created, or updated layer by layer if it exists.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    LanduseError
        ``path`` does not end in ``.gpkg``, ``layers`` is empty, or ``path`` exists but is
        not a GeoPackage (it is left as it is).

    Examples
    --------
    >>> import tempfile, geopandas as gpd, shapely, pyogrio
    >>> g = gpd.GeoDataFrame({"zone_id": ["QD01"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4549)
    >>> out = write_layers({"zones": g}, Path(tempfile.mkdtemp()) / "out.gpkg")
    >>> out = write_layers({"parcels": g.rename(columns={"zone_id": "parcel_id"})}, out)
    >>> [str(n) for n in pyogrio.list_layers(out)[:, 0]]
    ['zones', 'parcels']
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        msg = (
            f"write_layers writes a GeoPackage; `path` must end in .gpkg, received {str(path)!r}."
        )
        raise _WriteError(msg)
    if not layers:
        msg = "write_layers: `layers` is empty: nothing to write."
        raise _WriteError(msg)
    frames = {name: gpkg_text(frame, caller="write_layers") for name, frame in layers.items()}
    with atomic_path(path, keep_existing=True) as tmp:
        if tmp.exists():
            try:
                pyogrio.list_layers(tmp)
            except pyogrio.errors.DataSourceError:
                msg = (
                    f"write_layers: {str(path)!r} exists but is not a GeoPackage (GDAL does not "
                    "recognise it); it was left as it is. Remove it or write to another file."
                )
                raise _WriteError(msg) from None
        for name, frame in frames.items():
            out = frame.copy()
            out.attrs = {}
            # append=False on an existing GeoPackage replaces this layer and keeps the others
            pyogrio.write_dataframe(out, tmp, layer=name, driver="GPKG", append=False)
    return path


class _WriteError(LanduseError, ValueError):
    """A bad output path for write_layers (also a ValueError, as before)."""
