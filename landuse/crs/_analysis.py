"""The analysis CRS: which projected CRS to analyse a layer in, and the guards analysis runs.

:func:`analysis_crs` / :func:`equal_area_crs` choose a CRS for a place, :func:`target_crs`
resolves and checks what a reader returns, :func:`to_analysis_crs` reprojects, and
:func:`check_projected` / :func:`check_same_crs` are the guards every analysis calls (through
:mod:`landuse._checks`). Public through :mod:`landuse.crs`.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import geopandas
import numpy as np
import pyproj
import shapely

from landuse.crs._check import (
    MAX_SCALE_ERROR,
    Distortion,
    distortion_of,
    equal_area_at,
    is_equal_area,
    lonlat_bounds,
    user_stacklevel,
)
from landuse.crs._parse import (
    CRSLike,
    Geo,
    as_geo,
    crs_label,
    inside_box,
    is_metric_projected,
    parse_crs,
    subject,
    unit_names,
    xy_bounds,
)
from landuse.crs._prefix import (
    candidates_text,
    detect_prefix,
    relabel_zone_prefix,
    resolve_zone_prefix,
)
from landuse.errors import CRSError, LanduseWarning

logger = logging.getLogger("landuse.crs")

# CGCS2000 3-degree Gauss-Krüger, central-meridian style: EPSG:4534 is CM 75E … EPSG:4554 CM 135E.
_CGCS2000_GK3_CM_FIRST_EPSG = 4534
_CGCS2000_GK3_CM_FIRST = 75


def _missing_crs_error(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries, *, name: str, caller: str | None
) -> CRSError:
    where = subject(name, caller)
    prefix = detect_prefix(geo, None, name=name)
    minx, miny, maxx, maxy = xy_bounds(geo)
    if prefix is not None:
        fix = candidates_text(prefix, how=lambda code: f'{name} = {name}.set_crs("{code}")')
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
    geo = as_geo(data, name=name, caller=caller)
    if geo.crs is None:
        raise _missing_crs_error(geo, name=name, caller=caller)
    crs, _ = resolve_zone_prefix(geo, geo.crs, name=name, caller=caller)
    lonlat = lonlat_bounds(geo, crs, name=name, caller=caller) if crs is not None else None
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
    if inside_box(lon, lat):
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
    return equal_area_at(lon, lat)


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
    geo = as_geo(gdf, name=name, caller=caller or "target_crs")
    if geo.crs is None:
        raise _missing_crs_error(geo, name=name, caller=caller)
    source = geo.crs
    lonlat_bounds(geo, source, name=name, caller=caller)  # names rows no CRS can place
    if isinstance(crs, str) and crs == "auto":
        target = analysis_crs(geo)
    elif isinstance(crs, str) and crs == "equal-area":
        target = equal_area_crs(geo)
    elif crs is None:
        target = source
    else:
        target = parse_crs(crs, name="crs")
    limit = (1.0 + max_scale_error) ** 2 - 1.0
    found = distortion_of(geo, target, name=name, caller=caller)
    if found is not None and found.areal_error > limit and not is_equal_area(found):
        _refuse_or_warn(geo, found, crs=crs, target=target, name=name, caller=caller, limit=limit)
    if target != source and isinstance(crs, str) and crs in ("auto", "equal-area"):
        own = distortion_of(geo, source, name=name, caller=caller)
        if own is not None and own.areal_error > limit and not is_equal_area(own):
            msg = (
                f"{subject(name, caller)} came in {crs_label(source)}, which distorts at the data: "
                f"{own.describe()}. Reprojected it to {crs_label(target)}, so its geometry is "
                "right now; but any area or length the source states (e.g. a land_area_m2 "
                "field) may have been measured in the distorted CRS: check them."
            )
            warnings.warn(msg, LanduseWarning, stacklevel=user_stacklevel())
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
    where = subject(name, caller)
    if isinstance(crs, str) and crs == "auto":
        msg = (
            f"{where} spans more than one map zone: in the analysis CRS chosen for it, "
            f"{crs_label(target)}, areas are off by up to {found.areal_error:.2%} "
            f"({found.describe()}), beyond the {limit:.4%} that landuse accepts. Analyses that "
            "measure lengths will refuse the layer. For areas, read it with crs=\"equal-area\" "
            "(Albers for China: exact areas); for distances, split it by 3° zone and analyse "
            "each part in its own zone CRS."
        )
        warnings.warn(msg, LanduseWarning, stacklevel=user_stacklevel())
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
    geo = as_geo(gdf, name="gdf", caller=caller)
    if geo.crs is None:
        raise _missing_crs_error(geo, name="gdf", caller=caller)
    geo = relabel_zone_prefix(geo, source_crs=None, name="gdf", caller=caller, stacklevel=2)
    if not (isinstance(crs, str) and crs in ("auto", "equal-area")):
        target = parse_crs(crs, name="crs")
        if not is_metric_projected(target):
            units = ", ".join(sorted(unit_names(target)))
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
    geo = as_geo(gdf, name=name, caller=caller or "check_projected")
    where = subject(name, caller)
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
    if not is_metric_projected(crs):
        units = ", ".join(sorted(unit_names(crs)))
        msg = (
            f"{where} is in {crs_label(crs)}, whose units are {units}; area- and distance-based "
            f"analysis needs metres. {fix}"
        )
        raise CRSError(msg)
    resolved, prefix = resolve_zone_prefix(geo, crs, name=name, caller=caller)
    if prefix is not None and resolved != crs:
        msg = (
            f"{where} is labelled {crs_label(crs)} (x_0 = 500,000 m), but its eastings carry the "
            f"Gauss-Krüger zone prefix of {prefix}, so its coordinates are not in that CRS. "
            f"Relabel it, e.g. {name} = landuse.fix_zone_prefix({name}) ({crs_label(resolved)}), "
            f"or {name} = landuse.to_analysis_crs({name})."
        )
        raise CRSError(msg)
    _check_scale(
        geo, crs, where=where, name=name, caller=caller, purpose=purpose, limit=max_scale_error
    )
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
    found = distortion_of(geo, crs, name=name, caller=caller)
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
        msg += (
            " For exact areas over a wide extent: "
            f'landuse.to_analysis_crs({name}, crs="equal-area").'
        )
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
        as_geo(frame, name=n, caller=caller or "check_same_crs")
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
