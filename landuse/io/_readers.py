"""The six readers: real bureau files in, canonical validated layers out.

Each ``read_*`` function is a plain ``def`` with its full signature and docstring; they share
one body, :func:`read_layer`, and their common docstring paragraphs through :func:`_doc`
(the pattern of geopandas' ``doc`` decorator). Public through :mod:`landuse.io` and
:mod:`landuse`.
"""

from __future__ import annotations

import logging
import os
import re
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

import geopandas as gpd
import pandas as pd

from landuse import schema
from landuse.crs import CRSLike
from landuse.errors import GeometryError, SchemaError
from landuse.io import _clean, _coerce
from landuse.io._clean import CoordSystem, OnInvalid
from landuse.io._load import Source, load
from landuse.io._report import ReadReport

__all__ = [
    "AREA_CHECK_FACTOR",
    "read_buildings",
    "read_functional_areas",
    "read_layer",
    "read_parcels",
    "read_proposals",
    "read_zone_stats",
    "read_zones",
]

log = logging.getLogger("landuse.io")

#: Default of the readers' ``area_check_factor``: the national profile's
#: ``data_quality.area_check_factor`` (a data-quality allowance, checked equal in the tests).
AREA_CHECK_FACTOR = 1.5

#: What a reader's ``crs=`` accepts.
TargetCRS = CRSLike | Literal["auto", "equal-area"] | None
_F = TypeVar("_F", bound=Callable[..., Any])


# --- the shared body --------------------------------------------------------------------------


def read_layer(
    source: Source,
    spec: schema.Layer,
    *,
    caller: str,
    layer: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    crs: TargetCRS = None,
    source_crs: CRSLike | None = None,
    coord_system: CoordSystem = "wgs84",
    encoding: str | None = None,
    on_invalid: OnInvalid = "raise",
    repair: bool = True,
    units: Mapping[str, str] | None = None,
    area_check_factor: float | None = None,
) -> pd.DataFrame:
    """Read one layer as ``spec`` describes it: the body of every ``read_*`` function.

    Phases: load the raw rows, map field names, check required columns, coerce values, check
    ids; for a spatial layer check coordinates, resolve the CRS, clean geometry, check and fill
    areas; then order the columns and keep the :class:`ReadReport`. ``caller`` is the public
    reader the user called, named in messages.
    """
    if on_invalid not in ("raise", "coerce"):
        msg = (
            f"`on_invalid` passed to {caller}() must be 'raise' or 'coerce'; "
            f"received {on_invalid!r}."
        )
        raise ValueError(msg)
    report = ReadReport(layer=spec.name, source="")
    frame, source_fields = _load_rows(
        source, spec, layer=layer, encoding=encoding, report=report, caller=caller
    )
    is_shp = isinstance(source, (str, os.PathLike)) and Path(source).suffix.lower() == ".shp"
    frame = _clean.map_columns(frame, spec, columns, report, prefix_match=is_shp, units=units)
    _clean.check_required(frame, spec, source_fields, report)
    ids = _row_ids(frame, spec)
    frame = _clean.coerce_values(frame, spec, ids=ids, on_invalid=on_invalid, report=report)
    _clean.check_ids(frame, spec, report)
    if spec.geometry is None:
        out = pd.DataFrame(frame)
        if "geometry" in out.columns:
            out = out.drop(columns="geometry")
        return _finish(out, spec, report)
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
    if spec.name in ("parcels", "proposals"):
        _clean.check_declared_area(frame, spec, factor=area_check_factor, report=report)
        frame = _clean.fill_area(frame, report)
    return _finish(frame, spec, report)


def _load_rows(
    source: Source,
    spec: schema.Layer,
    *,
    layer: str | int | None,
    encoding: str | None,
    report: ReadReport,
    caller: str,
) -> tuple[pd.DataFrame, list[str]]:
    """Return the raw rows and their field names; refuse an empty layer or repeated names."""
    frame = load(source, spec, layer=layer, encoding=encoding, report=report, caller=caller)
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
    return frame, source_fields


def _row_ids(frame: pd.DataFrame, spec: schema.Layer) -> pd.Series:
    """Return each row's id as text for messages (the id column, or the unique keys joined by ``/``)."""
    if spec.id_column:
        ids = _coerce.to_text(frame[spec.id_column])[0]
    else:
        keys = list(spec.unique or spec.required[:1])
        ids = _coerce.to_text(frame[keys[0]])[0].astype(object)
        for key in keys[1:]:
            ids = ids + "/" + _coerce.to_text(frame[key])[0].astype(object)
    return ids.where(ids.notna(), pd.Series(frame.index.astype(str), index=frame.index))


def _finish(out: pd.DataFrame, spec: schema.Layer, report: ReadReport) -> pd.DataFrame:
    """Order the columns (canonical, others, geometry), number rows 0…n-1, attach the report."""
    order = [c for c in spec.column_names if c in out.columns]
    rest = [c for c in out.columns if c not in order and c != "geometry"]
    out = out[order + rest + (["geometry"] if "geometry" in out.columns else [])]
    out = out.reset_index(drop=True)
    report.rows_kept = len(out)
    out.attrs["landuse_read"] = report
    log.info("%s", report.summary())
    return out


# --- the docstrings' shared paragraphs --------------------------------------------------------


def _doc(**parts: str) -> Callable[[_F], _F]:
    """Fill ``{name}`` lines of a docstring with shared paragraphs, indented as the marker.

    A marker is a line holding only ``{name}``; other braces (dicts in examples) are left alone.
    """

    def decorate(fn: _F) -> _F:
        text = fn.__doc__ or ""
        for key, part in parts.items():
            found = re.search(rf"^( *)\{{{key}\}}$", text, flags=re.MULTILINE)
            if found is None:
                msg = f"{fn.__name__}: docstring has no {{{key}}} line"
                raise AssertionError(msg)
            body = textwrap.indent(textwrap.dedent(part).strip("\n"), found.group(1))
            text = text[: found.start()] + body + text[found.end() :]
        fn.__doc__ = text
        return fn

    return decorate


def _columns(spec: schema.Layer) -> str:
    """Write the "canonical columns; required" paragraph of a reader's docstring."""
    geometry = " and a polygon geometry" if spec.geometry is not None else ""
    text = (
        f"Canonical columns: {', '.join(f'``{c}``' for c in spec.column_names)}; "
        f"required: {', '.join(f'``{c}``' for c in spec.required)}{geometry}."
    )
    return textwrap.fill(text, width=92, break_long_words=False, break_on_hyphens=False)


_OPTIONS = """
    layer
        Layer name or index in a multi-layer file (GeoPackage). Default: the layer named
        after the role (e.g. ``"parcels"``), or the only layer.
    columns
        Extra field-name mapping ``{source field: canonical column}``, applied before the
        built-in Chinese/English aliases. Fields read as no column are kept under their own
        names and listed in ``ReadReport.unmapped``; one that looks like a column no field was
        read as (``面积亩`` like ``land_area_m2``) is warned about with the mapping to pass.
    units
        The unit of fields whose name does not carry it, ``{source field or canonical column:
        unit}``, e.g. ``{"用地面": "亩"}`` or ``{"land_area_m2": "亩"}`` (the field read as
        ``land_area_m2``); a unit landuse cannot convert is refused with the list of the ones
        it can. This is the one way to state a unit. It is required for a
        shapefile field whose name was cut by the 10-byte DBF limit before its unit
        (``用地面积(亩)`` in UTF-8 becomes ``用地面``) when the column it matches comes in
        several units (areas, money, energy, mass): such a field is refused with a
        SchemaError naming it, never read in an assumed unit. Give the canonical unit
        (``"m2"``, ``"万元"``) if the values are already in it.
    crs
        CRS to return: ``"auto"`` (default) picks the analysis CRS from the data's location
        (EPSG:4549 in Qingdao); ``"equal-area"`` an equal-area CRS (Albers for China) for exact
        areas over a wide extent; ``None`` keeps the source CRS; anything pyproj accepts sets
        it. For a source with no CRS, an explicit ``crs`` is taken to be the source's CRS.
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
_REPAIR = """
    repair
        Repair invalid geometries with ``make_valid`` (default) instead of raising.
"""

_AREA_CHECK = """
    area_check_factor
        Warn (with counts and ids, also kept in ``ReadReport.area_mismatch``) where a declared
        ``land_area_m2`` differs from the geometry area by more than this factor either way;
        ``None`` turns the check off. The default 1.5 is the ``data_quality.area_check_factor``
        of the national profile, a data-quality allowance, not a policy number (readers take no
        policy, so it is a plain keyword here: pass ``policy.data_quality.area_check_factor`` to
        follow a profile of your own).
"""

_RETURNS = """
    geopandas.GeoDataFrame
        A new frame with canonical columns first (others kept after them), in the
        analysis CRS, with a :class:`ReadReport` in ``.attrs["landuse_read"]``.
"""

_RAISES = """
    SchemaError
        Empty layer, missing required columns (all listed), duplicate or missing ids,
        unreadable values (unless ``on_invalid="coerce"``).
    CRSError
        No CRS and none given, a geographic CRS on projected numbers, web-map
        coordinates in a projected CRS.
    GeometryError
        Non-polygon features, or invalid ones with ``repair=False``.
    TypeError
        ``path`` is neither a path nor a (Geo)DataFrame.
    FileNotFoundError
        No file at ``path``.
"""

_SEE_ALSO = """
    read_zones, read_functional_areas, read_parcels, read_buildings, read_proposals
    ReadReport : what the reader did, in ``.attrs["landuse_read"]``.
"""

_PATH = """
    path
        Path to any vector file pyogrio reads (GeoPackage, Shapefile, GeoJSON,
        FlatGeobuf …), GeoParquet, or an in-memory GeoDataFrame.
"""


def _spatial_doc(spec: schema.Layer, *, area_check: bool) -> Callable[[_F], _F]:
    return _doc(
        columns=_columns(spec),
        path=_PATH,
        options="\n".join(
            part.strip("\n") for part in (_OPTIONS, _REPAIR, _AREA_CHECK if area_check else "")
        ),
        returns=_RETURNS,
        raises=_RAISES,
        see_also=_SEE_ALSO,
    )


# --- the readers ------------------------------------------------------------------------------


@_spatial_doc(schema.ZONES, area_check=False)
def read_zones(
    path: Source,
    *,
    layer: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    crs: TargetCRS = "auto",
    source_crs: CRSLike | None = None,
    coord_system: CoordSystem = "wgs84",
    encoding: str | None = None,
    on_invalid: OnInvalid = "raise",
    repair: bool = True,
    units: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Read and validate industrial zones (产业集聚区), one polygon per zone.

    {columns}

    Parameters
    ----------
    {path}
    {options}

    Returns
    -------
    {returns}

    Raises
    ------
    {raises}

    See Also
    --------
    {see_also}

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> raw = gpd.GeoDataFrame({"园区编号": ["QD01"], "主导产业": ["汽车制造"]},
    ...     geometry=[shapely.box(120.40, 36.30, 120.42, 36.32)], crs="EPSG:4490")
    >>> zones = read_zones(raw)
    >>> zones.crs.to_epsg(), list(zones.columns)
    (4549, ['zone_id', 'leading_industry', 'geometry'])

    The bundled sample's zones (GeoJSON in lon/lat, returned in EPSG:4549):

    >>> from landuse.datasets import get_path
    >>> zones = read_zones(get_path("zones"))
    >>> len(zones), zones.crs.to_epsg(), zones.attrs["landuse_read"].crs_source
    (14, 4549, 'EPSG:4326 (WGS 84)')
    """
    return read_layer(
        path,
        schema.ZONES,
        caller="read_zones",
        layer=layer,
        columns=columns,
        crs=crs,
        source_crs=source_crs,
        coord_system=coord_system,
        encoding=encoding,
        on_invalid=on_invalid,
        repair=repair,
        units=units,
    )


@_spatial_doc(schema.FUNCTIONAL_AREAS, area_check=False)
def read_functional_areas(
    path: Source,
    *,
    layer: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    crs: TargetCRS = "auto",
    source_crs: CRSLike | None = None,
    coord_system: CoordSystem = "wgs84",
    encoding: str | None = None,
    on_invalid: OnInvalid = "raise",
    repair: bool = True,
    units: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Read and validate functional areas (功能区): industrial, business or residential.

    {columns}

    Parameters
    ----------
    {path}
    {options}

    Returns
    -------
    {returns}

    Raises
    ------
    {raises}

    See Also
    --------
    {see_also}

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> raw = gpd.GeoDataFrame({"zone_id": ["QD01", "QD01"], "功能区": ["产业发展区", "商务服务区"]},
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs="EPSG:4549")
    >>> read_functional_areas(raw)["area_type"].tolist()
    ['industrial', 'business']
    """
    return read_layer(
        path,
        schema.FUNCTIONAL_AREAS,
        caller="read_functional_areas",
        layer=layer,
        columns=columns,
        crs=crs,
        source_crs=source_crs,
        coord_system=coord_system,
        encoding=encoding,
        on_invalid=on_invalid,
        repair=repair,
        units=units,
    )


@_spatial_doc(schema.PARCELS, area_check=True)
def read_parcels(
    path: Source,
    *,
    layer: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    crs: TargetCRS = "auto",
    source_crs: CRSLike | None = None,
    coord_system: CoordSystem = "wgs84",
    encoding: str | None = None,
    on_invalid: OnInvalid = "raise",
    repair: bool = True,
    units: Mapping[str, str] | None = None,
    area_check_factor: float | None = AREA_CHECK_FACTOR,
) -> gpd.GeoDataFrame:
    """Read and validate parcels (宗地): land, buildings, money and dates per parcel.

    {columns}
    A missing ``land_area_m2`` is filled from the geometry area (listed in
    ``ReadReport.filled_area``).

    Parameters
    ----------
    {path}
    {options}

    Returns
    -------
    {returns}

    Raises
    ------
    {raises}

    See Also
    --------
    {see_also}

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> raw = gpd.GeoDataFrame({"宗地编号": ["P1"], "用地面积(亩)": [15], "税收(万元)": ["300"]},
    ...     geometry=[shapely.box(500000, 4000000, 500100, 4000100)], crs="EPSG:4549")
    >>> p = read_parcels(raw)
    >>> p[["parcel_id", "land_area_m2", "tax_wan"]].to_dict("records")
    [{'parcel_id': 'P1', 'land_area_m2': 10000.0, 'tax_wan': 300.0}]

    The bundled sample's parcels, with Chinese field names:

    >>> from landuse.datasets import get_path
    >>> parcels = read_parcels(get_path("sample"), layer="parcels")
    >>> len(parcels) >= 3000, parcels.crs.to_epsg()
    (True, 4549)
    >>> parcels.attrs["landuse_read"].columns["宗地编号"]
    'parcel_id'
    """
    return read_layer(
        path,
        schema.PARCELS,
        caller="read_parcels",
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


@_spatial_doc(schema.BUILDINGS, area_check=False)
def read_buildings(
    path: Source,
    *,
    layer: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    crs: TargetCRS = "auto",
    source_crs: CRSLike | None = None,
    coord_system: CoordSystem = "wgs84",
    encoding: str | None = None,
    on_invalid: OnInvalid = "raise",
    repair: bool = True,
    units: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Read and validate building footprints (建筑物) with their levels and/or height.

    {columns}

    Parameters
    ----------
    {path}
    {options}

    Returns
    -------
    {returns}

    Raises
    ------
    {raises}

    See Also
    --------
    {see_also}

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> raw = gpd.GeoDataFrame({"建筑编号": ["B1"], "层数": ["3"]},
    ...     geometry=[shapely.box(500000, 4000000, 500040, 4000020)], crs="EPSG:4549")
    >>> read_buildings(raw)["levels"].tolist()
    [3.0]
    """
    return read_layer(
        path,
        schema.BUILDINGS,
        caller="read_buildings",
        layer=layer,
        columns=columns,
        crs=crs,
        source_crs=source_crs,
        coord_system=coord_system,
        encoding=encoding,
        on_invalid=on_invalid,
        repair=repair,
        units=units,
    )


@_spatial_doc(schema.PROPOSALS, area_check=True)
def read_proposals(
    path: Source,
    *,
    layer: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    crs: TargetCRS = "auto",
    source_crs: CRSLike | None = None,
    coord_system: CoordSystem = "wgs84",
    encoding: str | None = None,
    on_invalid: OnInvalid = "raise",
    repair: bool = True,
    units: Mapping[str, str] | None = None,
    area_check_factor: float | None = AREA_CHECK_FACTOR,
) -> gpd.GeoDataFrame:
    """Read and validate proposals (新增工业用地): plots proposed for new industrial land.

    {columns}
    A missing ``land_area_m2`` is filled from the geometry area.

    Parameters
    ----------
    {path}
    {options}

    Returns
    -------
    {returns}

    Raises
    ------
    {raises}

    See Also
    --------
    {see_also}

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> raw = gpd.GeoDataFrame({"项目编号": ["N1"], "用途": ["0601"]},
    ...     geometry=[shapely.box(500000, 4000000, 500100, 4000100)], crs="EPSG:4549")
    >>> read_proposals(raw)[["proposal_id", "land_use", "land_use_code", "land_area_m2"]].to_dict("records")
    [{'proposal_id': 'N1', 'land_use': 'industrial', 'land_use_code': '0601', 'land_area_m2': 10000.0}]
    """
    return read_layer(
        path,
        schema.PROPOSALS,
        caller="read_proposals",
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


def read_zone_stats(
    path: Source,
    *,
    layer: str | int | None = None,
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
    header brackets are converted (``主营业务收入(亿元)`` × 10 000 → 万元). A table has no
    geometry, so there is no ``crs``.

    Parameters
    ----------
    path
        CSV (UTF-8 or GB18030, detected), Excel, any table pyogrio reads (e.g. the
        ``zone_stats`` table of a GeoPackage), or a DataFrame.
    layer
        Layer (table) name or index in a multi-layer file such as a GeoPackage. Default: the
        layer named ``zone_stats``, or the only layer.
    columns
        Extra field-name mapping ``{source field: canonical column}``.
    encoding
        CSV encoding, overriding detection.
    on_invalid
        ``"raise"`` (default) on text in numeric columns, or ``"coerce"`` to set it missing.
    sheet
        Excel sheet (default: the first).
    units
        ``{source field or canonical column: unit}`` for fields whose name does not carry
        their unit (e.g. ``{"收入": "亿元"}`` or ``{"revenue_wan": "亿元"}``).

    Returns
    -------
    pandas.DataFrame
        Canonical columns first, ``year`` as ``Int64``; a :class:`ReadReport` in ``.attrs``.

    Raises
    ------
    SchemaError
        Empty table, missing ``zone_id``/``year``, duplicate (zone, year) rows, bad values.
    TypeError
        ``path`` is neither a path nor a DataFrame.
    FileNotFoundError
        No file at ``path``.

    See Also
    --------
    read_zones : the zones the statistics describe.

    Examples
    --------
    >>> raw = pd.DataFrame({"集聚区编号": ["QD01"], "年份": ["2021"], "主营业务收入(亿元)": ["120.5"]})
    >>> read_zone_stats(raw).to_dict("records")
    [{'zone_id': 'QD01', 'year': 2021, 'revenue_wan': 1205000.0}]

    The bundled sample's statistics (a GB18030 or UTF-8 CSV with Chinese headers):

    >>> from landuse.datasets import get_path
    >>> stats = read_zone_stats(get_path("zone_stats"))
    >>> stats["zone_id"].nunique(), sorted(stats["year"].unique().tolist())[:1]
    (14, [2019])

    The ``zone_stats`` table of a GeoPackage (as ``landuse demo`` writes it):

    >>> import tempfile, pathlib, pyogrio
    >>> gpkg = pathlib.Path(tempfile.mkdtemp()) / "sample.gpkg"
    >>> pyogrio.write_dataframe(stats, gpkg, layer="zone_stats")
    >>> len(read_zone_stats(gpkg, layer="zone_stats")) == len(stats)
    True
    """
    if sheet is not None and isinstance(path, (str, os.PathLike)):
        path = pd.read_excel(path, sheet_name=sheet, dtype=object)
    return read_layer(
        path,
        schema.ZONE_STATS,
        caller="read_zone_stats",
        layer=layer,
        columns=columns,
        encoding=encoding,
        on_invalid=on_invalid,
        units=units,
    )
