"""Zone-prefixed Gauss-Krüger eastings, and coordinates that contradict their CRS.

Cadastral layers often carry *zone-prefixed* eastings (40 534 467 m: zone 40, then 534 467 m)
while their ``.prj`` declares the central-meridian variant (x_0 = 500 000 m).
:func:`detect_zone_prefix` recognises them, :func:`fix_zone_prefix` relabels the layer with the
zone variant of the same datum, and :func:`check_coordinates` refuses projected numbers under a
geographic CRS. Public through :mod:`landuse.crs`.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import geopandas
import numpy as np
import pyproj
import shapely
from pyproj.database import query_crs_info
from pyproj.enums import PJType

from landuse.crs._check import check_degrees, check_mixed_prefix, user_stacklevel
from landuse.crs._parse import (
    CRSLike,
    Geo,
    as_geo,
    crs_label,
    fmt_num,
    horizontal,
    is_metric_projected,
    is_transverse_mercator,
    parse_crs,
    subject,
    tm_params,
    xy_bounds,
)
from landuse.errors import CRSError, LanduseWarning

_DATUMS_FOR_ZONES = ("CGCS2000", "Xian 1980", "Beijing 1954")


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


def detect_prefix(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries, crs: pyproj.CRS | None, *, name: str
) -> ZonePrefix | None:
    if crs is not None and crs.is_projected and not is_transverse_mercator(crs):
        return None
    minx, miny, maxx, maxy = xy_bounds(geo)
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    check_mixed_prefix(
        geo, name=name, caller=None, is_zone=lambda z: _zone_from_number(z) is not None
    )
    if minx < 1e7 or maxx >= 1e8 or miny < 0 or maxy >= 1e7:
        return None
    first, last = int(minx // 1e6), int(maxx // 1e6)
    if first == last:
        return _zone_from_number(first)
    if crs is None or not is_transverse_mercator(crs):
        return None
    per_geometry = shapely.bounds(np.asarray(geo.geometry.array))
    zones = np.unique(np.floor(per_geometry[:, [0, 2]] / 1e6))
    zones = zones[np.isfinite(zones)].astype(int)
    if all(_zone_from_number(int(z)) is not None for z in zones):
        msg = (
            f"{subject(name, None)} mixes eastings with different Gauss-Krüger zone prefixes "
            f"(zones {', '.join(str(z) for z in zones)}; "
            f"x from {fmt_num(minx)} to {fmt_num(maxx)}), "
            "so no single CRS describes it. Split it by zone (the millions digits of x) and "
            "give each part its zone CRS before combining."
        )
        raise CRSError(msg)
    return None


@lru_cache(maxsize=1)
def _epsg_by_name() -> dict[str, str]:
    infos = query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS)
    return {info.name: info.code for info in infos if not info.deprecated}


def _zone_candidates(prefix: ZonePrefix) -> list[tuple[str, str]]:
    """EPSG codes and names of the zone variant in CGCS2000, Xian 1980 and Beijing 1954."""
    kind = "3-degree Gauss-Kruger" if prefix.width_deg == 3 else "Gauss-Kruger"
    names = _epsg_by_name()
    found = []
    for datum in _DATUMS_FOR_ZONES:
        crs_name = f"{datum} / {kind} zone {prefix.zone}"
        if crs_name in names:
            found.append((f"EPSG:{names[crs_name]}", crs_name))
    return found


def candidates_text(prefix: ZonePrefix, *, how: Callable[[str], str]) -> str:
    candidates = _zone_candidates(prefix)
    if not candidates:
        return (
            f"declare the CRS of {prefix} with x_0 = {prefix.false_easting:,.0f} m for the "
            "layer's datum"
        )
    first_code, first_name = candidates[0]
    text = f"e.g. {how(first_code)} ({first_name})"
    legacy = [f'"{code}" ({crs_name})' for code, crs_name in candidates[1:]]
    if legacy:
        text += "; for legacy data " + " or ".join(legacy)
    return text


def _zone_variant(declared: pyproj.CRS, prefix: ZonePrefix) -> pyproj.CRS:
    """Give the declared CM-style CRS x_0 = zone·1e6 + 500 000; return its EPSG form if any."""
    spec = horizontal(declared).to_json_dict()
    spec.pop("id", None)
    conversion = spec["conversion"]
    conversion.pop("id", None)
    for param in conversion["parameters"]:
        if param["name"].lower() == "false easting":
            param["value"] = prefix.false_easting
    pattern = re.compile(r"CM[ _]?\d+(?:\.\d+)?E")
    spec["name"], count = pattern.subn(f"zone {prefix.zone}", spec.get("name", ""))
    if count == 0:
        spec["name"] = f"{spec['name']} (zone {prefix.zone} eastings)"
    conversion["name"] = pattern.sub(f"zone {prefix.zone}", conversion.get("name", ""))
    custom = pyproj.CRS.from_json_dict(spec)
    code = custom.to_epsg()
    return pyproj.CRS.from_epsg(code) if code is not None else custom


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
    geo = as_geo(gdf, name=name, caller="detect_zone_prefix")
    return detect_prefix(geo, geo.crs, name=name)


def resolve_zone_prefix(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries,
    declared: pyproj.CRS | None,
    *,
    name: str,
    caller: str | None = None,
) -> tuple[pyproj.CRS | None, ZonePrefix | None]:
    """Return the CRS the coordinates are really in, raising when it cannot be told."""
    if declared is not None and declared.is_geographic:
        check_geographic_coordinates(geo, declared, name=name, caller=caller)
        return declared, None
    if declared is not None:
        check_degrees(geo, declared, name=name, caller=caller)
    prefix = detect_prefix(geo, declared, name=name)
    if prefix is None:
        return declared, None
    if declared is None:
        minx, _, maxx, _ = xy_bounds(geo)
        fix = candidates_text(prefix, how=lambda code: f'source_crs="{code}"')
        msg = (
            f"{subject(name, caller)} has no CRS and its eastings carry a Gauss-Krüger zone prefix "
            f"(x from {fmt_num(minx)} to {fmt_num(maxx)}: {prefix}). "
            "The coordinates cannot tell the "
            f"datum, so landuse will not guess it. Say which it is, {fix}; or declare it on the "
            f'frame, e.g. {name} = {name}.set_crs("EPSG:…").'
        )
        raise CRSError(msg)
    lon_0, x_0 = tm_params(declared)
    if not is_metric_projected(declared) or not math.isclose(lon_0, prefix.central_meridian):
        msg = (
            f"{subject(name, caller)} declares {crs_label(declared)} "
            f"(central meridian {lon_0:g}E), "
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
        f"{subject(name, caller)} declares {crs_label(declared)} "
        f"with false easting {fmt_num(x_0)} m, "
        f"but its eastings carry the prefix of {prefix} (false easting "
        f"{fmt_num(prefix.false_easting)} m). "
        "Relabel it with the CRS the coordinates were made in, "
        f'e.g. {name} = {name}.set_crs("EPSG:…", allow_override=True).'
    )
    raise CRSError(msg)


def relabel_zone_prefix(
    geo: Geo, *, source_crs: CRSLike | None, name: str, caller: str, stacklevel: int
) -> Geo:
    declared = geo.crs
    if source_crs is not None:
        given = parse_crs(source_crs, name="source_crs")
        if declared is not None and declared != given:
            msg = (
                f"{subject(name, caller)} is already in {crs_label(declared)} but `source_crs` is "
                f"{crs_label(given)}. Drop source_crs=, or relabel the layer first if its .prj is "
                f"wrong: {name} = {name}.set_crs({given.to_string()!r}, allow_override=True)."
            )
            raise CRSError(msg)
        declared = given
    resolved, prefix = resolve_zone_prefix(geo, declared, name=name, caller=caller)
    out = geo.copy()
    if resolved is not None and (geo.crs is None or resolved != geo.crs):
        out = out.set_crs(resolved, allow_override=True)
        if declared is not None and resolved != declared:
            minx, _, maxx, _ = xy_bounds(geo)
            msg = (
                f"{subject(name, caller)} is labelled {crs_label(declared)}, whose eastings are "
                f"about 500,000 m, but its eastings carry a zone prefix (x from {fmt_num(minx)} to "
                f"{fmt_num(maxx)}: {prefix}). Relabelled it {crs_label(resolved)}: the same "
                f"projection with x_0 = {fmt_num(prefix.false_easting if prefix else math.nan)} m; "
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
    geo = as_geo(gdf, name=name, caller=caller)
    return relabel_zone_prefix(
        geo, source_crs=source_crs, name=name, caller=caller, stacklevel=user_stacklevel()
    )


def check_geographic_coordinates(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries,
    crs: pyproj.CRS,
    *,
    name: str,
    caller: str | None = None,
) -> None:
    minx, miny, maxx, maxy = xy_bounds(geo)
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return
    x_far = max(minx, maxx, key=abs)
    y_far = max(miny, maxy, key=abs)
    if abs(x_far) <= 360.0 and abs(y_far) <= 90.001:
        return
    prefix = detect_prefix(geo, None, name=name)

    def relabel(code: str) -> str:
        return f'{name} = {name}.set_crs("{code}", allow_override=True)'

    if prefix is not None:
        fix = candidates_text(prefix, how=relabel) + f" (the eastings suggest {prefix})"
    else:
        fix = f"e.g. {relabel('EPSG:4549')} for CGCS2000 / 3-degree Gauss-Kruger CM 120E (Qingdao)"
    msg = (
        f"{subject(name, caller)} is labelled with a geographic CRS ({crs_label(crs)}) but its "
        f"coordinates look projected: x up to {fmt_num(x_far)}, y up to {fmt_num(y_far)}, while "
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
    geo = as_geo(gdf, name=name, caller="check_coordinates")
    if geo.crs is not None and geo.crs.is_geographic:
        check_geographic_coordinates(geo, geo.crs, name=name)
