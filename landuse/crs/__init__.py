"""Coordinate reference systems: the analysis CRS, zone-prefixed eastings, web-map offsets.

Analysis in landuse runs in a projected CRS in metres. Inside China that is CGCS2000 3-degree
Gauss-Krüger with the central meridian nearest the data (Qingdao → EPSG:4549); elsewhere the
WGS 84 UTM zone. :func:`to_analysis_crs` picks and applies it; :func:`check_projected` and
:func:`check_same_crs` are the guards analysis functions call on their inputs.

Cadastral layers often carry *zone-prefixed* Gauss-Krüger eastings (40 534 467 m: zone 40, then
534 467 m) while their ``.prj`` declares the central-meridian variant (x_0 = 500 000 m).
:func:`detect_zone_prefix` recognises such eastings and :func:`fix_zone_prefix` relabels the layer
with the zone variant of the same datum, warning as it does.

Web maps in China shift coordinates: Amap/Gaode and Tencent use GCJ-02, Baidu uses BD-09.
:func:`wgs84_to_gcj02`, :func:`gcj02_to_wgs84`, :func:`wgs84_to_bd09` and :func:`bd09_to_wgs84`
convert whole geometries, vectorised over all their vertices. They are implemented in
:mod:`landuse.crs.webmap` and exported here too.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, TypeVar

import geopandas
import numpy as np
import pyproj
import shapely

from landuse.crs._check import (
    CHINA_ALBERS,
    MAX_SCALE_ERROR,
    Distortion,
    _check_degrees,
    _check_mixed_prefix,
    _distortion_of,
    _lonlat_bounds,
    _user_stacklevel,
    is_equal_area,
    scale_distortion,
)
from landuse.crs._check import equal_area_crs as _equal_area_at
from landuse.crs._parse import (
    _as_geo,
    _bounds,
    _candidates_text,
    _is_metric_projected,
    _is_transverse_mercator,
    _num,
    _parse_crs,
    _tm_params,
    _unit_names,
    _where,
    _zone_variant,
)
from landuse.crs.webmap import (
    CHINA_BBOX,
    _inside_box,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from landuse.errors import CRSError, LanduseWarning

__all__ = [
    "CHINA_ALBERS",
    "CHINA_BBOX",
    "MAX_SCALE_ERROR",
    "Distortion",
    "ZonePrefix",
    "analysis_crs",
    "bd09_to_wgs84",
    "check_coordinates",
    "check_projected",
    "check_same_crs",
    "crs_label",
    "detect_zone_prefix",
    "equal_area_crs",
    "fix_zone_prefix",
    "gcj02_to_wgs84",
    "scale_distortion",
    "target_crs",
    "to_analysis_crs",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

logger = logging.getLogger(__name__)

#: Anything :meth:`pyproj.CRS.from_user_input` accepts: "EPSG:4549", 4549, WKT, a pyproj.CRS, …
CRSLike: TypeAlias = pyproj.CRS | str | int | dict[str, Any] | tuple[str, str]
Geo = TypeVar("Geo", geopandas.GeoDataFrame, geopandas.GeoSeries)

# CGCS2000 3-degree Gauss-Krüger, central-meridian style: EPSG:4534 is CM 75E … EPSG:4554 CM 135E.
_CGCS2000_GK3_CM_FIRST_EPSG = 4534
_CGCS2000_GK3_CM_FIRST = 75


# ---------------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------------


def crs_label(crs: CRSLike | None) -> str:
    """Return a short human label for a CRS: its EPSG code (if any) and its name.

    Parameters
    ----------
    crs
        Any CRS-like input (see :meth:`pyproj.CRS.from_user_input`), or ``None``.

    Returns
    -------
    str
        ``"EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E)"``; ``"<name> (no EPSG code)"``
        for a CRS without one; ``"no CRS"`` for ``None``.

    Examples
    --------
    >>> crs_label("EPSG:4549")
    'EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E)'
    >>> crs_label(4326)
    'EPSG:4326 (WGS 84)'
    >>> crs_label(None)
    'no CRS'
    """
    if crs is None:
        return "no CRS"
    crs = _parse_crs(crs, name="crs")
    code = crs.to_epsg()
    if code is not None:
        return f"EPSG:{code} ({crs.name})"
    authority = crs.to_authority()
    if authority is not None:
        return f"{authority[0]}:{authority[1]} ({crs.name})"
    return f"{crs.name} (no EPSG code)"


# ---------------------------------------------------------------------------------------------
# zone-prefixed Gauss-Krüger eastings
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZonePrefix:
    """A Gauss-Krüger zone number found in front of the eastings (40 534 467 m → zone 40).

    3-degree zones 25–45 have central meridian 3·zone (zone 40 → 120E); 6-degree zones 13–23
    have central meridian 6·zone − 3 (zone 20 → 117E). The two ranges do not overlap, so the
    zone number alone tells the zone width.

    Parameters
    ----------
    zone
        The zone number, the millions digits of the easting.
    width_deg
        Zone width in degrees: 3 or 6.

    Examples
    --------
    >>> p = ZonePrefix(zone=40, width_deg=3)
    >>> p.central_meridian, p.false_easting
    (120.0, 40500000.0)
    >>> str(p)
    '3-degree zone 40, central meridian 120E'
    """

    zone: int
    width_deg: Literal[3, 6]

    @property
    def central_meridian(self) -> float:
        """Central meridian of the zone, degrees east."""
        if self.width_deg == 3:
            return 3.0 * self.zone
        return 6.0 * self.zone - 3.0

    @property
    def false_easting(self) -> float:
        """False easting x_0 of the zone variant, metres: zone·1 000 000 + 500 000."""
        return self.zone * 1_000_000.0 + 500_000.0

    def __str__(self) -> str:
        cm = f"{self.central_meridian:g}E"
        return f"{self.width_deg}-degree zone {self.zone}, central meridian {cm}"


def _zone_from_number(zone: int) -> ZonePrefix | None:
    if 25 <= zone <= 45:
        return ZonePrefix(zone=zone, width_deg=3)
    if 13 <= zone <= 23:
        return ZonePrefix(zone=zone, width_deg=6)
    return None


def _detect(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries, crs: pyproj.CRS | None, *, name: str
) -> ZonePrefix | None:
    if crs is not None and crs.is_projected and not _is_transverse_mercator(crs):
        return None
    minx, miny, maxx, maxy = _bounds(geo)
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    _check_mixed_prefix(
        geo, name=name, caller=None, is_zone=lambda z: _zone_from_number(z) is not None
    )
    if minx < 1e7 or maxx >= 1e8 or miny < 0 or maxy >= 1e7:
        return None
    first, last = int(minx // 1e6), int(maxx // 1e6)
    if first == last:
        return _zone_from_number(first)
    if crs is None or not _is_transverse_mercator(crs):
        return None
    per_geometry = shapely.bounds(np.asarray(geo.geometry.array))
    zones = np.unique(np.floor(per_geometry[:, [0, 2]] / 1e6))
    zones = zones[np.isfinite(zones)].astype(int)
    if all(_zone_from_number(int(z)) is not None for z in zones):
        msg = (
            f"{_where(name, None)} mixes eastings with different Gauss-Krüger zone prefixes "
            f"(zones {', '.join(str(z) for z in zones)}; x from {_num(minx)} to {_num(maxx)}), "
            "so no single CRS describes it. Split it by zone (the millions digits of x) and "
            "give each part its zone CRS before combining."
        )
        raise CRSError(msg)
    return None


def detect_zone_prefix(
    gdf: geopandas.GeoDataFrame | geopandas.GeoSeries, *, name: str = "gdf"
) -> ZonePrefix | None:
    """Recognise zone-prefixed Gauss-Krüger eastings (8 digits, e.g. 40 534 467 m → zone 40).

    Parameters
    ----------
    gdf
        The layer. Its declared CRS is consulted only to skip layers in a projected CRS that is
        not transverse Mercator (Web Mercator x in China also has 8 digits).
    name
        Argument name used in error messages.

    Returns
    -------
    ZonePrefix or None
        The zone if every easting has the same 8-digit zone prefix (3-degree zones 25–45 or
        6-degree zones 13–23) and northings are between 0 and 10 000 km; otherwise ``None``.

    Raises
    ------
    CRSError
        If the layer declares a Gauss-Krüger CRS and its eastings carry different zone prefixes.

    Notes
    -----
    A layer with no CRS whose x values are Web-Mercator metres (13–15 million in eastern China)
    can look like 6-degree zones 13–15; the prefix is only a hint when no CRS is declared.

    Examples
    --------
    >>> import geopandas
    >>> from shapely import Point
    >>> parcels = geopandas.GeoDataFrame(
    ...     geometry=[Point(40_534_467.46, 3_993_055.81)], crs="EPSG:4549"
    ... )
    >>> detect_zone_prefix(parcels)
    ZonePrefix(zone=40, width_deg=3)
    >>> detect_zone_prefix(parcels.to_crs("EPSG:4490")) is None
    True
    """
    geo = _as_geo(gdf, name=name, caller="detect_zone_prefix")
    return _detect(geo, geo.crs, name=name)


def _resolve_zone_prefix(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries,
    declared: pyproj.CRS | None,
    *,
    name: str,
    caller: str | None = None,
) -> tuple[pyproj.CRS | None, ZonePrefix | None]:
    """Return the CRS the coordinates are really in, raising when it cannot be told."""
    if declared is not None and declared.is_geographic:
        _check_geographic_coordinates(geo, declared, name=name, caller=caller)
        return declared, None
    if declared is not None:
        _check_degrees(geo, declared, name=name, caller=caller)
    prefix = _detect(geo, declared, name=name)
    if prefix is None:
        return declared, None
    if declared is None:
        minx, _, maxx, _ = _bounds(geo)
        fix = _candidates_text(prefix, how=lambda code: f'source_crs="{code}"')
        msg = (
            f"{_where(name, caller)} has no CRS and its eastings carry a Gauss-Krüger zone prefix "
            f"(x from {_num(minx)} to {_num(maxx)}: {prefix}). The coordinates cannot tell the "
            f"datum, so landuse will not guess it. Say which it is, {fix}; or declare it on the "
            f'frame, e.g. {name} = {name}.set_crs("EPSG:…").'
        )
        raise CRSError(msg)
    lon_0, x_0 = _tm_params(declared)
    if not _is_metric_projected(declared) or not math.isclose(lon_0, prefix.central_meridian):
        msg = (
            f"{_where(name, caller)} declares {crs_label(declared)} (central meridian {lon_0:g}E), "
            f"but its eastings carry the prefix of {prefix}. The .prj and the coordinates "
            "disagree; relabel the layer with the CRS the coordinates were made in, e.g. "
            f'{name} = {name}.set_crs("EPSG:…", allow_override=True).'
        )
        raise CRSError(msg)
    if math.isclose(x_0, prefix.false_easting):
        return declared, prefix
    if math.isclose(x_0, 500_000.0):
        return _zone_variant(declared, prefix), prefix
    msg = (
        f"{_where(name, caller)} declares {crs_label(declared)} with false easting {_num(x_0)} m, "
        f"but its eastings carry the prefix of {prefix} (false easting "
        f"{_num(prefix.false_easting)} m). Relabel it with the CRS the coordinates were made in, "
        f'e.g. {name} = {name}.set_crs("EPSG:…", allow_override=True).'
    )
    raise CRSError(msg)


def _fix_zone_prefix(
    geo: Geo, *, source_crs: CRSLike | None, name: str, caller: str, stacklevel: int
) -> Geo:
    declared = geo.crs
    if source_crs is not None:
        given = _parse_crs(source_crs, name="source_crs")
        if declared is not None and declared != given:
            msg = (
                f"{_where(name, caller)} is already in {crs_label(declared)} but `source_crs` is "
                f"{crs_label(given)}. Drop source_crs=, or relabel the layer first if its .prj is "
                f"wrong: {name} = {name}.set_crs({given.to_string()!r}, allow_override=True)."
            )
            raise CRSError(msg)
        declared = given
    resolved, prefix = _resolve_zone_prefix(geo, declared, name=name, caller=caller)
    out = geo.copy()
    if resolved is not None and (geo.crs is None or resolved != geo.crs):
        out = out.set_crs(resolved, allow_override=True)
        if declared is not None and resolved != declared:
            minx, _, maxx, _ = _bounds(geo)
            msg = (
                f"{_where(name, caller)} is labelled {crs_label(declared)}, whose eastings are "
                f"about 500,000 m, but its eastings carry a zone prefix (x from {_num(minx)} to "
                f"{_num(maxx)}: {prefix}). Relabelled it {crs_label(resolved)}: the same "
                f"projection with x_0 = {_num(prefix.false_easting if prefix else math.nan)} m; "
                "no coordinate changed. If the .prj should win instead, fix the source data."
            )
            warnings.warn(msg, LanduseWarning, stacklevel=stacklevel + 1)
    return out


def fix_zone_prefix(
    gdf: Geo,
    *,
    source_crs: CRSLike | None = None,
    name: str = "gdf",
    caller: str | None = None,
) -> Geo:
    """Relabel a layer whose zone-prefixed eastings contradict its central-meridian CRS.

    A layer labelled e.g. EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E, x_0 = 500 000 m)
    whose eastings are 40 534 467 m is really in the zone variant EPSG:4528 (x_0 = 40 500 000 m).
    The result is a copy with that CRS; coordinates are not changed, and a
    :class:`~landuse.errors.LanduseWarning` names both CRSs.

    Parameters
    ----------
    gdf
        The layer; never modified.
    source_crs
        The CRS the coordinates are in, for a layer that declares none (CRS-like). It must agree
        with the layer's own CRS if it has one.
    name, caller
        Argument name and calling function to show in messages (default ``gdf`` and
        ``fix_zone_prefix``).

    Returns
    -------
    GeoDataFrame or GeoSeries
        A copy labelled with the CRS its coordinates are in: the zone variant of the same datum
        (its EPSG code when one exists, else a custom CRS), or the declared CRS when nothing needs
        fixing.

    Raises
    ------
    CRSError
        If the layer has no CRS (and no `source_crs`) but prefixed eastings: the datum cannot be
        told from coordinates, so the message suggests the CGCS2000, Xian 1980 and Beijing 1954
        zone CRSs; if the declared central meridian or false easting contradicts the prefix; if a
        geographic CRS is declared for projected-looking coordinates (see
        :func:`check_coordinates`); if some rows carry zone-prefixed eastings and others do not,
        or rows hold lon/lat degrees under a projected CRS (both naming the rows).

    Warns
    -----
    LanduseWarning
        When the layer is relabelled.

    Examples
    --------
    >>> import warnings
    >>> import geopandas
    >>> from shapely import Point
    >>> parcels = geopandas.GeoDataFrame(
    ...     geometry=[Point(40_534_467.46, 3_993_055.81)], crs="EPSG:4549"
    ... )
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     fixed = fix_zone_prefix(parcels)
    >>> caught[0].category.__name__
    'LanduseWarning'
    >>> crs_label(fixed.crs)
    'EPSG:4528 (CGCS2000 / 3-degree Gauss-Kruger zone 40)'
    >>> parcels.crs.to_epsg()  # the input keeps its label
    4549
    """
    caller = caller or "fix_zone_prefix"
    geo = _as_geo(gdf, name=name, caller=caller)
    return _fix_zone_prefix(
        geo, source_crs=source_crs, name=name, caller=caller, stacklevel=_user_stacklevel()
    )


def _check_geographic_coordinates(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries,
    crs: pyproj.CRS,
    *,
    name: str,
    caller: str | None = None,
) -> None:
    minx, miny, maxx, maxy = _bounds(geo)
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return
    x_far = max(minx, maxx, key=abs)
    y_far = max(miny, maxy, key=abs)
    if abs(x_far) <= 360.0 and abs(y_far) <= 90.001:
        return
    prefix = _detect(geo, None, name=name)

    def relabel(code: str) -> str:
        return f'{name} = {name}.set_crs("{code}", allow_override=True)'

    if prefix is not None:
        fix = _candidates_text(prefix, how=relabel) + f" (the eastings suggest {prefix})"
    else:
        fix = f"e.g. {relabel('EPSG:4549')} for CGCS2000 / 3-degree Gauss-Kruger CM 120E (Qingdao)"
    msg = (
        f"{_where(name, caller)} is labelled with a geographic CRS ({crs_label(crs)}) but its "
        f"coordinates look projected: x up to {_num(x_far)}, y up to {_num(y_far)}, while "
        "degrees stay within ±180/±90; the file's .prj is probably wrong. Relabel it with the "
        f"CRS the coordinates are really in (this moves nothing), {fix}."
    )
    raise CRSError(msg)


def check_coordinates(
    gdf: geopandas.GeoDataFrame | geopandas.GeoSeries, *, name: str = "gdf"
) -> None:
    """Check that a layer labelled with a geographic CRS really holds degrees.

    Parameters
    ----------
    gdf
        The layer.
    name
        Argument name used in the error message.

    Raises
    ------
    CRSError
        If the CRS is geographic but x is beyond ±360 or y beyond ±90 (the ``.prj`` is probably
        wrong); the message suggests the zone CRSs when the eastings are zone-prefixed.

    Examples
    --------
    >>> import geopandas
    >>> from shapely import Point
    >>> check_coordinates(geopandas.GeoSeries([Point(120.38, 36.07)], crs="EPSG:4490"))
    >>> bad = geopandas.GeoSeries([Point(534_467.46, 3_993_055.81)], crs="EPSG:4490")
    >>> check_coordinates(bad, name="parcels")
    Traceback (most recent call last):
    ...
    landuse.errors.CRSError: `parcels` is labelled with a geographic CRS (EPSG:4490 ...
    """
    geo = _as_geo(gdf, name=name, caller="check_coordinates")
    if geo.crs is not None and geo.crs.is_geographic:
        _check_geographic_coordinates(geo, geo.crs, name=name)


# ---------------------------------------------------------------------------------------------
# analysis CRS
# ---------------------------------------------------------------------------------------------


def _missing_crs_error(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries, *, name: str, caller: str | None
) -> CRSError:
    where = _where(name, caller)
    prefix = _detect(geo, None, name=name)
    minx, miny, maxx, maxy = _bounds(geo)
    if prefix is not None:
        fix = _candidates_text(prefix, how=lambda code: f'{name} = {name}.set_crs("{code}")')
        hint = f"its eastings carry a Gauss-Krüger zone prefix ({prefix}); declare the datum, {fix}"
    elif np.all(np.isfinite([minx, miny, maxx, maxy])) and max(abs(minx), abs(maxx)) <= 180:
        hint = (
            "the coordinates look like lon/lat degrees; declare them, e.g. "
            f'{name} = {name}.set_crs("EPSG:4490") (CGCS2000) or set_crs("EPSG:4326") (WGS 84)'
        )
    else:
        hint = (
            "declare the CRS the coordinates are in, e.g. "
            f'{name} = {name}.set_crs("EPSG:4549") (CGCS2000 / 3-degree Gauss-Kruger CM 120E, '
            "Qingdao)"
        )
    msg = f"{where} has no CRS, so landuse cannot tell what its coordinates mean; {hint}."
    return CRSError(msg)


def _centre_lonlat(data: Any, *, name: str, caller: str) -> tuple[float, float]:
    if isinstance(data, (tuple, list)) and len(data) == 2:
        lon, lat = (float(v) for v in data)
        if not (math.isfinite(lon) and math.isfinite(lat) and abs(lon) <= 180 and abs(lat) <= 90):
            msg = (
                f"`{name}` passed to {caller}() must be (lon, lat) in degrees; received "
                f"({lon!r}, {lat!r}). Pass e.g. (120.3826, 36.0671)."
            )
            raise CRSError(msg)
        return lon, lat
    geo = _as_geo(data, name=name, caller=caller)
    if geo.crs is None:
        raise _missing_crs_error(geo, name=name, caller=caller)
    crs, _ = _resolve_zone_prefix(geo, geo.crs, name=name, caller=caller)
    lonlat = _lonlat_bounds(geo, crs, name=name, caller=caller) if crs is not None else None
    if lonlat is None:
        msg = (
            f"`{name}` passed to {caller}() has no coordinates (it is empty or all its "
            "geometries are empty), so no analysis CRS can be chosen from it; pass the CRS "
            'explicitly, e.g. crs="EPSG:4549".'
        )
        raise CRSError(msg)
    west, south, east, north = lonlat
    return (west + east) / 2.0, (south + north) / 2.0


def analysis_crs(
    data: geopandas.GeoDataFrame | geopandas.GeoSeries | tuple[float, float],
) -> pyproj.CRS:
    """Choose the projected CRS, in metres, in which to analyse data at this location.

    The location is the centre of the data's bounds in lon/lat. Inside China (the box
    :data:`CHINA_BBOX`) the answer is CGCS2000 3-degree Gauss-Krüger with the nearest central
    meridian, CM = 3·round(lon/3): EPSG:4534 (CM 75E) … EPSG:4554 (CM 135E); Qingdao → EPSG:4549.
    Elsewhere it is the WGS 84 UTM zone (:meth:`geopandas.GeoSeries.estimate_utm_crs`).

    Parameters
    ----------
    data
        A GeoDataFrame or GeoSeries in any declared CRS, or a ``(lon, lat)`` tuple in degrees.

    Returns
    -------
    pyproj.CRS
        The analysis CRS.

    Raises
    ------
    CRSError
        If the data have no CRS, no coordinates, or coordinates that contradict their CRS.

    Notes
    -----
    Ties (lon exactly 1.5° from two meridians, e.g. 121.5E) go east. The China box also covers
    neighbours (Korea, Mongolia, …), which then get a CGCS2000 Gauss-Krüger CRS: still metric and
    accurate near its meridian. Scale error grows with distance from the central meridian, to
    about 2e-4 in length (4e-4 in area) at a zone edge 1.5° away in Qingdao's latitude, so data
    spanning several zones are better split.

    Examples
    --------
    >>> analysis_crs((120.3826, 36.0671)).to_epsg()  # Qingdao
    4549
    >>> analysis_crs((116.4, 39.9)).to_epsg()  # Beijing: CM 117E
    4548
    >>> analysis_crs((2.35, 48.86)).to_epsg()  # Paris: UTM 31N
    32631
    """
    lon, lat = _centre_lonlat(data, name="data", caller="analysis_crs")
    if _inside_box(lon, lat):
        cm = 3 * math.floor(lon / 3.0 + 0.5)
        code = _CGCS2000_GK3_CM_FIRST_EPSG + (cm - _CGCS2000_GK3_CM_FIRST) // 3
        return pyproj.CRS.from_epsg(code)
    centre = geopandas.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326")
    try:
        utm = centre.estimate_utm_crs()
    except RuntimeError as err:
        msg = (
            f"No UTM zone fits data centred at ({lon:.4f}, {lat:.4f}) ({err}); pass a projected "
            'CRS in metres explicitly, e.g. to_analysis_crs(gdf, crs="EPSG:3413").'
        )
        raise CRSError(msg) from err
    return utm


def equal_area_crs(
    data: geopandas.GeoDataFrame | geopandas.GeoSeries | tuple[float, float],
) -> pyproj.CRS:
    """Choose an equal-area CRS, in metres, for area work over a wide extent at this location.

    Inside China (:data:`CHINA_BBOX`) the answer is :data:`CHINA_ALBERS`: Albers Equal Area
    Conic on CGCS2000 (EPSG:4490) with standard parallels 25°N and 47°N, central meridian 105°E,
    latitude of origin 0°, no false easting or northing. Elsewhere it is a Lambert Azimuthal
    Equal Area on WGS 84 centred on the data.

    Parameters
    ----------
    data
        A GeoDataFrame or GeoSeries in any declared CRS, or a ``(lon, lat)`` tuple in degrees.

    Returns
    -------
    pyproj.CRS
        The equal-area CRS (no EPSG code).

    Raises
    ------
    CRSError
        If the data have no CRS, no coordinates, or coordinates that contradict their CRS.

    Notes
    -----
    25°N/47°N/105°E is the Albers definition used for China-wide maps and statistics, e.g. the
    national land-use/land-cover datasets of the Chinese Academy of Sciences (RESDC) and many
    national studies ("Krasovsky 1940 Albers" in those files; here on CGCS2000). The standard
    parallels follow the classic one-sixth rule for China's span of about 18°N–53°N
    (18 + 35/6 ≈ 24, 53 − 35/6 ≈ 47): scale is exact on them.

    *Equal area, not conformal.* Areas are exact everywhere (to PROJ's ~1e-10), but lengths are
    not: the scale along parallels is 1/k along meridians and departs from 1 between and beyond
    the standard parallels, by 1.85 % at 36°N (Qingdao) and 2.6 % at 18°N. So the CRS is for
    *area figures* (``read_parcels(..., crs="equal-area")`` fills ``land_area_m2`` with exact
    areas; ``gdf.area``). Analyses that measure lengths or distances call
    :func:`check_projected`, which refuses it away from the standard parallels; for those, split
    a wide layer by 3° zone and analyse each part in its own zone CRS.

    Examples
    --------
    >>> crs = equal_area_crs((120.3826, 36.0671))
    >>> crs.name
    'CGCS2000 / China Albers Equal Area (25N, 47N, 105E)'
    >>> equal_area_crs((2.35, 48.86)).name  # Paris
    'WGS 84 / Lambert Azimuthal Equal Area (48.8600, 2.3500)'
    """
    lon, lat = _centre_lonlat(data, name="data", caller="equal_area_crs")
    return _equal_area_at(lon, lat)


def target_crs(
    gdf: geopandas.GeoDataFrame | geopandas.GeoSeries,
    *,
    crs: CRSLike | Literal["auto", "equal-area"] | None = "auto",
    name: str = "gdf",
    caller: str | None = None,
    max_scale_error: float = MAX_SCALE_ERROR,
) -> pyproj.CRS:
    """Resolve the CRS a reader (or :func:`to_analysis_crs`) returns a layer in, and check it.

    The returned CRS must not distort areas at the data by more than the area equivalent of
    `max_scale_error`, :math:`(1 + e)^2 - 1` (1.0025 % for 0.5 %), or be equal-area: the readers
    fill ``land_area_m2`` from geometry in it.

    Parameters
    ----------
    gdf
        The layer, with a declared CRS.
    crs
        ``"auto"``: :func:`analysis_crs` (3° Gauss-Krüger zone in China, else UTM).
        ``"equal-area"``: :func:`equal_area_crs` (Albers for China).
        ``None``: keep the layer's CRS. Anything CRS-like: that CRS.
    name, caller
        Argument name and calling function to show in messages.
    max_scale_error
        Largest accepted linear scale error over the data (default 0.005, i.e. 0.5 %).

    Returns
    -------
    pyproj.CRS
        The target CRS. Geographic targets (an explicit ``crs="EPSG:4326"``, or ``None`` on a
        lon/lat layer) are returned unchecked.

    Raises
    ------
    CRSError
        If an explicit or kept (``None``) projected CRS distorts areas at the data beyond the
        limit (e.g. Web Mercator: 1.53× at Qingdao); the message gives the scale factors and the
        fix (``crs="auto"``, naming the EPSG code it picks, or ``crs="equal-area"``).

    Warns
    -----
    LanduseWarning
        With ``"auto"``, when the chosen zone CRS distorts areas beyond the limit over the data
        (a layer spanning many Gauss-Krüger zones), giving the worst areal error and the fixes;
        and when the layer's own projected CRS distorts beyond the limit (e.g. EPSG:3857), since
        any area or length the source states may have been measured in it.

    Examples
    --------
    >>> import geopandas, shapely
    >>> parcel = geopandas.GeoSeries([shapely.box(500000, 4000000, 500100, 4000100)], crs=4549)
    >>> target_crs(parcel).to_epsg()
    4549
    >>> target_crs(parcel, crs="equal-area").name
    'CGCS2000 / China Albers Equal Area (25N, 47N, 105E)'
    >>> target_crs(parcel.to_crs(3857), crs=None)
    Traceback (most recent call last):
    ...
    landuse.errors.CRSError: `gdf` is in EPSG:3857 (WGS 84 / Pseudo-Mercator), whose ...
    """
    geo = _as_geo(gdf, name=name, caller=caller or "target_crs")
    if geo.crs is None:
        raise _missing_crs_error(geo, name=name, caller=caller)
    source = geo.crs
    _lonlat_bounds(geo, source, name=name, caller=caller)  # names rows no CRS can place
    if isinstance(crs, str) and crs == "auto":
        target = analysis_crs(geo)
    elif isinstance(crs, str) and crs == "equal-area":
        target = equal_area_crs(geo)
    elif crs is None:
        target = source
    else:
        target = _parse_crs(crs, name="crs")
    limit = (1.0 + max_scale_error) ** 2 - 1.0
    found = _distortion_of(geo, target, name=name, caller=caller)
    if found is not None and found.areal_error > limit and not is_equal_area(found):
        _refuse_or_warn(geo, found, crs=crs, target=target, name=name, caller=caller, limit=limit)
    if target != source and isinstance(crs, str) and crs in ("auto", "equal-area"):
        own = _distortion_of(geo, source, name=name, caller=caller)
        if own is not None and own.areal_error > limit and not is_equal_area(own):
            msg = (
                f"{_where(name, caller)} came in {crs_label(source)}, which distorts at the data: "
                f"{own.describe()}. Reprojected it to {crs_label(target)}, so its geometry is "
                "right now; but any area or length the source states (e.g. a land_area_m2 "
                "field) may have been measured in the distorted CRS: check them."
            )
            warnings.warn(msg, LanduseWarning, stacklevel=_user_stacklevel())
    return target


def _refuse_or_warn(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries,
    found: Distortion,
    *,
    crs: object,
    target: pyproj.CRS,
    name: str,
    caller: str | None,
    limit: float,
) -> None:
    where = _where(name, caller)
    if isinstance(crs, str) and crs == "auto":
        msg = (
            f"{where} spans more than one map zone: in the analysis CRS chosen for it, "
            f"{crs_label(target)}, areas are off by up to {found.areal_error:.2%} "
            f"({found.describe()}), beyond the {limit:.4%} that landuse accepts. Analyses that "
            "measure lengths will refuse the layer. For areas, read it with crs=\"equal-area\" "
            "(Albers for China: exact areas); for distances, split it by 3° zone and analyse "
            "each part in its own zone CRS."
        )
        warnings.warn(msg, LanduseWarning, stacklevel=_user_stacklevel())
        return
    try:
        suggestion = f"crs=\"auto\" ({crs_label(analysis_crs(geo))} here)"
    except CRSError:
        suggestion = 'crs="auto"'
    given = "its own CRS (crs=None)" if crs is None else f"crs={crs_label(target)}"
    msg = (
        f"{where} is in {crs_label(target)}, whose areas at the data are off by "
        f"{found.areal_error:.2%} ({found.describe()}); landuse fills and checks areas in the CRS "
        f"it returns, so it accepts only CRSs that distort areas by less than {limit:.4%} there. "
        f"Received {given}; use {suggestion}, or crs=\"equal-area\" for exact areas over a "
        "wide extent."
    )
    raise CRSError(msg)


def to_analysis_crs(
    gdf: Geo, *, crs: CRSLike | Literal["auto", "equal-area"] = "auto"
) -> Geo:
    """Reproject a layer to a projected analysis CRS in metres (a copy; the input is unchanged).

    Parameters
    ----------
    gdf
        The layer, in any declared CRS.
    crs
        ``"auto"`` (default) picks the CRS from the data's location with :func:`analysis_crs`
        (Qingdao → EPSG:4549). ``"equal-area"`` picks :func:`equal_area_crs` (Albers for China),
        for exact areas over a wide extent (not for distances). Any CRS-like value
        (``"EPSG:4549"``, 4549, a pyproj.CRS, WKT) is used as given; it must be projected, in
        metres, and distort areas at the data by less than ~1 % (see :func:`target_crs`).

    Returns
    -------
    GeoDataFrame or GeoSeries
        A reprojected copy with the same index and columns. The chosen CRS is logged (INFO).

    Raises
    ------
    CRSError
        If `gdf` has no CRS (the message shows the ``gdf.set_crs(...)`` fix), its coordinates
        contradict its CRS, or `crs` is not a projected CRS in metres, or distorts areas at the
        data (Web Mercator).

    Warns
    -----
    LanduseWarning
        When zone-prefixed eastings are relabelled first (see :func:`fix_zone_prefix`); when
        ``"auto"`` puts a layer spanning many zones into one (see :func:`target_crs`).

    Examples
    --------
    >>> import geopandas
    >>> from shapely import Point
    >>> parcels = geopandas.GeoDataFrame(
    ...     {"parcel_id": ["P1"]}, geometry=[Point(120.3826, 36.0671)], crs="EPSG:4490"
    ... )
    >>> projected = to_analysis_crs(parcels)
    >>> crs_label(projected.crs)
    'EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E)'
    >>> print(f"{projected.geometry.x.iloc[0]:.2f} {projected.geometry.y.iloc[0]:.2f}")
    534467.46 3993055.81
    >>> to_analysis_crs(parcels, crs="EPSG:4326")
    Traceback (most recent call last):
    ...
    landuse.errors.CRSError: `crs` passed to to_analysis_crs() must be a projected CRS ...
    """
    caller = "to_analysis_crs"
    geo = _as_geo(gdf, name="gdf", caller=caller)
    if geo.crs is None:
        raise _missing_crs_error(geo, name="gdf", caller=caller)
    geo = _fix_zone_prefix(geo, source_crs=None, name="gdf", caller=caller, stacklevel=2)
    if not (isinstance(crs, str) and crs in ("auto", "equal-area")):
        target = _parse_crs(crs, name="crs")
        if not _is_metric_projected(target):
            units = ", ".join(sorted(_unit_names(target)))
            kind = "projected" if target.is_projected else "geographic"
            msg = (
                f"`crs` passed to {caller}() must be a projected CRS in metres; received "
                f'{crs_label(target)}, a {kind} CRS in {units}. Use crs="auto" or e.g. '
                'crs="EPSG:4549" (CGCS2000 / 3-degree Gauss-Kruger CM 120E).'
            )
            raise CRSError(msg)
    target = target_crs(geo, crs=crs, name="gdf", caller=caller)
    logger.info("%s: %s -> %s", caller, crs_label(geo.crs), crs_label(target))
    if geo.crs == target:
        return geo
    return geo.to_crs(target)


# ---------------------------------------------------------------------------------------------
# guards for analysis functions
# ---------------------------------------------------------------------------------------------


def check_projected(
    gdf: geopandas.GeoDataFrame | geopandas.GeoSeries,
    *,
    name: str = "parcels",
    caller: str | None = None,
    purpose: Literal["distance", "area"] = "distance",
    max_scale_error: float = MAX_SCALE_ERROR,
) -> pyproj.CRS:
    """Require a projected CRS in metres that is true to scale where the data are.

    Besides the unit, the CRS's scale error over the layer's extent is measured
    (:func:`scale_distortion`) and must be small: Web Mercator (EPSG:3857) is in metres but at
    Qingdao makes lengths 1.24× and areas 1.53× too large, so it is refused. Gauss-Krüger 3° and
    6° zones and UTM zones within their extent pass (at most 0.03 %, 0.14 % and 0.1 % in
    length). The coordinates must also fit the CRS: no lon/lat degrees under a projected CRS,
    no mix of zone-prefixed and plain eastings, no prefixed eastings under a central-meridian
    CRS.

    Parameters
    ----------
    gdf
        The layer to check.
    name
        The argument name to show in the message (``parcels``, ``zones``, …).
    caller
        Name of the calling function to show in the message, if any.
    purpose
        What the caller measures. ``"distance"`` (default): lengths, distances and tolerances in
        metres, and areas too; the linear scale error must stay within `max_scale_error`, so an
        equal-area CRS (:func:`equal_area_crs`) passes only near its standard parallels.
        ``"area"``: areas only; the areal scale error must stay within the same tolerance
        expressed in area, :math:`(1 + e)^2 - 1` (1.0025 % for 0.5 %), so equal-area CRSs always
        pass and every CRS passing ``"distance"`` passes too.
    max_scale_error
        Largest accepted linear scale error over the data, as a fraction (default 0.005,
        i.e. 0.5 %: lengths within 0.5 %, areas within about 1 %).

    Returns
    -------
    pyproj.CRS
        The layer's CRS, for convenience.

    Raises
    ------
    CRSError
        If the CRS is missing, geographic, or not in metres; if its scale error at the data is
        beyond the limit (the message gives the scale factor, where, and the EPSG code
        ``landuse.to_analysis_crs(<name>)`` would use); if the coordinates do not fit the CRS
        (naming the rows).
    TypeError
        If `gdf` is not a GeoDataFrame or GeoSeries.
    ValueError
        If `purpose` is not ``"distance"`` or ``"area"``.

    Examples
    --------
    >>> import geopandas
    >>> from shapely import Point
    >>> zones = geopandas.GeoSeries([Point(534467.46, 3993055.81)], crs="EPSG:4549")
    >>> check_projected(zones, name="zones").to_epsg()
    4549
    >>> check_projected(zones.to_crs("EPSG:4326"), name="zones")
    Traceback (most recent call last):
    ...
    landuse.errors.CRSError: `zones` is in a geographic CRS (EPSG:4326 (WGS 84)); ...
    >>> check_projected(zones.to_crs("EPSG:3857"), name="zones")
    Traceback (most recent call last):
    ...
    landuse.errors.CRSError: `zones` is in EPSG:3857 (WGS 84 / Pseudo-Mercator), whose scale ...
    """
    if purpose not in ("distance", "area"):
        msg = f"`purpose` must be 'distance' or 'area'; received {purpose!r}."
        raise ValueError(msg)
    geo = _as_geo(gdf, name=name, caller=caller or "check_projected")
    where = _where(name, caller)
    fix = f"Reproject first, e.g. {name} = landuse.to_analysis_crs({name})."
    crs = geo.crs
    if crs is None:
        msg = (
            f"{where} has no CRS; area- and distance-based analysis needs a projected CRS in "
            "metres. Declare the CRS its coordinates are in, then reproject, e.g. "
            f'{name} = landuse.to_analysis_crs({name}.set_crs("EPSG:4490")).'
        )
        raise CRSError(msg)
    if crs.is_geographic:
        msg = (
            f"{where} is in a geographic CRS ({crs_label(crs)}); area- and distance-based "
            f"analysis needs a projected CRS in metres. {fix}"
        )
        raise CRSError(msg)
    if not _is_metric_projected(crs):
        units = ", ".join(sorted(_unit_names(crs)))
        msg = (
            f"{where} is in {crs_label(crs)}, whose units are {units}; area- and distance-based "
            f"analysis needs metres. {fix}"
        )
        raise CRSError(msg)
    resolved, prefix = _resolve_zone_prefix(geo, crs, name=name, caller=caller)
    if prefix is not None and resolved != crs:
        msg = (
            f"{where} is labelled {crs_label(crs)} (x_0 = 500,000 m), but its eastings carry the "
            f"Gauss-Krüger zone prefix of {prefix}, so its coordinates are not in that CRS. "
            f"Relabel it, e.g. {name} = landuse.fix_zone_prefix({name}) ({crs_label(resolved)}), "
            f"or {name} = landuse.to_analysis_crs({name})."
        )
        raise CRSError(msg)
    _check_scale(geo, crs, where=where, name=name, caller=caller, purpose=purpose, limit=max_scale_error)
    return crs


def _check_scale(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries,
    crs: pyproj.CRS,
    *,
    where: str,
    name: str,
    caller: str | None,
    purpose: str,
    limit: float,
) -> None:
    found = _distortion_of(geo, crs, name=name, caller=caller)
    if found is None:
        return
    if purpose == "distance":
        if found.linear_error <= limit:
            return
        what = (
            f"lengths and distances need a CRS true to within {limit:.2%} in length there; "
            f"an equal-area CRS keeps areas but not lengths"
        )
    else:
        area_limit = (1.0 + limit) ** 2 - 1.0
        if found.areal_error <= area_limit:
            return
        what = f"areas need a CRS true to within {area_limit:.4%} in area there"
    try:
        suggestion = f" ({crs_label(analysis_crs(geo))} here)"
    except CRSError:
        suggestion = ""
    msg = (
        f"{where} is in {crs_label(crs)}, whose scale is wrong at the data: "
        f"{found.describe()}; {what}. Reproject first, e.g. "
        f"{name} = landuse.to_analysis_crs({name}){suggestion}."
    )
    if purpose == "area":
        msg += f' For exact areas over a wide extent: landuse.to_analysis_crs({name}, crs="equal-area").'
    raise CRSError(msg)


def check_same_crs(
    *frames: geopandas.GeoDataFrame | geopandas.GeoSeries,
    names: Sequence[str] | None = None,
    caller: str | None = None,
) -> None:
    """Require every layer to be in the same CRS, as overlays and joins need.

    Parameters
    ----------
    *frames
        The layers to compare; the first is the reference.
    names
        Argument names to show in the message, one per frame (default ``frame 1``, …).
    caller
        Name of the calling function to show in the message, if any.

    Raises
    ------
    CRSError
        If any layer's CRS differs from the first's (a missing CRS counts as different); the
        message shows both CRSs and the ``to_crs`` fix.
    ValueError
        If `names` does not have one name per frame.

    Examples
    --------
    >>> import geopandas
    >>> from shapely import Point
    >>> parcels = geopandas.GeoSeries([Point(534467.46, 3993055.81)], crs="EPSG:4549")
    >>> zones = parcels.to_crs("EPSG:4326")
    >>> check_same_crs(parcels, parcels, names=("parcels", "zones"))
    >>> check_same_crs(parcels, zones, names=("parcels", "zones"))
    Traceback (most recent call last):
    ...
    landuse.errors.CRSError: `parcels` is in EPSG:4549 (...) but `zones` is in EPSG:4326 ...
    """
    if names is None:
        names = [f"frame {i + 1}" for i in range(len(frames))]
    if len(names) != len(frames):
        msg = (
            f"`names` passed to check_same_crs() needs one name per frame; received "
            f"{len(names)} names for {len(frames)} frames."
        )
        raise ValueError(msg)
    geos = [
        _as_geo(frame, name=n, caller=caller or "check_same_crs")
        for frame, n in zip(frames, names, strict=True)
    ]
    if len(geos) < 2:
        return
    ref, ref_name = geos[0].crs, names[0]
    clashes = [(n, g.crs) for n, g in zip(names[1:], geos[1:], strict=True) if g.crs != ref]
    if not clashes:
        return
    where = f"In {caller}(), " if caller else ""
    parts = [f"`{n}` is in {crs_label(c)}" if c else f"`{n}` has no CRS" for n, c in clashes]
    ref_part = f"`{ref_name}` is in {crs_label(ref)}" if ref else f"`{ref_name}` has no CRS"
    other, other_crs = clashes[0]
    if ref is None:
        fix = f'declare the CRS of `{ref_name}` first, e.g. {ref_name}.set_crs("EPSG:4549")'
    elif other_crs is None:
        fix = (
            f"declare the CRS its coordinates are in, then reproject, e.g. "
            f'{other} = {other}.set_crs("EPSG:4490").to_crs({ref_name}.crs)'
        )
    else:
        fix = f"e.g. {other} = {other}.to_crs({ref_name}.crs)"
    msg = f"{where}{ref_part} but {' and '.join(parts)}; bring them to one CRS, {fix}."
    raise CRSError(msg)
