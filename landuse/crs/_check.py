"""Private helpers of :mod:`landuse.crs`: do a layer's coordinates fit its CRS, and how much does
that CRS distort lengths and areas where the data are?

* :func:`scale_distortion` (public through :mod:`landuse.crs`) measures the scale error of a
  projected CRS over the data's extent from PROJ's Tissot factors.
* :data:`CHINA_ALBERS` / :func:`equal_area_at` (public as :func:`landuse.crs.equal_area_crs`)
  give an equal-area CRS for area work over wide extents.
* The ``check_*`` functions raise :class:`~landuse.errors.CRSError` for coordinates that
  cannot be what their CRS says: degrees under a projected ``.prj``, a mix of zone-prefixed and
  plain Gauss-Krüger eastings, numbers no CRS can place (1e300).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas
import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import (
    AlbersEqualAreaConversion,
    LambertAzimuthalEqualAreaConversion,
)

from landuse.crs._parse import as_geo, fmt_num, horizontal, inside_box, parse_crs, subject
from landuse.errors import CRSError, format_ids

#: Largest accepted linear scale error of an analysis CRS over the data (0.5 %).
MAX_SCALE_ERROR = 0.005

#: Albers Equal Area Conic for China on CGCS2000: standard parallels 25°N and 47°N, central
#: meridian 105°E, origin on the equator, no false easting/northing (metres).
CHINA_ALBERS = ProjectedCRS(
    name="CGCS2000 / China Albers Equal Area (25N, 47N, 105E)",
    conversion=AlbersEqualAreaConversion(
        latitude_first_parallel=25.0,
        latitude_second_parallel=47.0,
        latitude_false_origin=0.0,
        longitude_false_origin=105.0,
        easting_false_origin=0.0,
        northing_false_origin=0.0,
    ),
    geodetic_crs=pyproj.CRS.from_epsg(4490),
)

_ID_COLUMNS = ("parcel_id", "proposal_id", "zone_id", "building_id", "area_id", "id")
_GRID = 9  # samples per side of the data's lon/lat box for the scale factors
_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])


def user_stacklevel() -> int:
    """Stack level of the first frame outside the landuse package (for warnings.warn)."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _row_ids(geo: geopandas.GeoDataFrame | geopandas.GeoSeries, mask: NDArray[np.bool_]) -> str:
    """A few ids of the rows in `mask`: an id column's values if there is one, else the index."""
    if isinstance(geo, geopandas.GeoDataFrame):
        for column in _ID_COLUMNS:
            if column in geo.columns:
                return f"{column} {format_ids(geo[column].to_numpy()[mask])}"
    return f"index {format_ids(geo.index[mask])}"


def _span(bounds: NDArray[np.float64]) -> str:
    minx, miny, maxx, maxy = bounds
    return f"x {minx:.6g}…{maxx:.6g}, y {miny:.6g}…{maxy:.6g}"


@lru_cache(maxsize=64)
def _to_lonlat(crs: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(crs, horizontal(crs).geodetic_crs, always_xy=True)


@lru_cache(maxsize=64)
def _proj(crs: pyproj.CRS) -> pyproj.Proj:
    return pyproj.Proj(horizontal(crs))


# ---------------------------------------------------------------------------------------------
# coordinates that cannot be what the CRS says
# ---------------------------------------------------------------------------------------------


def lonlat_bounds(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries,
    crs: pyproj.CRS,
    *,
    name: str,
    caller: str | None,
) -> tuple[float, float, float, float] | None:
    """Bounds of the data in lon/lat of the CRS's datum; None for a layer with no coordinates.

    Raises CRSError naming the rows whose coordinates the CRS cannot place (1e300, 1e9 …).
    """
    bounds = np.asarray(geo.total_bounds, dtype=float)
    if not np.all(np.isfinite(bounds)):
        return None
    if crs.is_geographic:
        west, south, east, north = (float(v) for v in bounds)
        corners_ok = True
    else:
        t = _to_lonlat(crs)
        west, south, east, north = t.transform_bounds(*bounds, densify_pts=21, errcheck=False)
        # transform_bounds skips points it cannot convert, so test the corners themselves too
        cx, cy = t.transform(bounds[[0, 2, 0, 2]], bounds[[1, 1, 3, 3]], errcheck=False)
        corners_ok = bool(np.all(np.isfinite(cx)) and np.all(np.isfinite(cy)))
    total_ok = all(math.isfinite(v) for v in (west, south, east, north)) and west <= east
    total_ok = total_ok and abs(south) <= 90.0 and abs(north) <= 90.0
    if total_ok and corners_ok:
        return west, south, east, north
    per_row = shapely.bounds(np.asarray(geo.geometry.array))
    present = np.all(np.isfinite(per_row), axis=1)
    if crs.is_geographic:
        lon_lat = per_row
    else:
        t = _to_lonlat(crs)
        x0, y0 = t.transform(per_row[:, 0], per_row[:, 1], errcheck=False)
        x1, y1 = t.transform(per_row[:, 2], per_row[:, 3], errcheck=False)
        lon_lat = np.column_stack([x0, y0, x1, y1])
    ok = np.all(np.isfinite(lon_lat), axis=1) & np.all(np.abs(lon_lat[:, [1, 3]]) <= 90.0, axis=1)
    bad = present & ~ok
    if not bad.any():
        if total_ok:  # every row converts; only the empty corner of a wide box does not
            return west, south, east, north
        bad = present
    msg = (
        f"{subject(name, caller)} has coordinates that {_label(crs)} cannot place on the Earth: "
        f"{int(bad.sum())} of {len(geo)} rows ({_row_ids(geo, bad)}) reach "
        f"{_span(np.asarray(geopandas.GeoSeries(geo.geometry.array[bad]).total_bounds))}. "
        "They are probably broken (a wrong unit, a corrupt file); fix or drop those rows."
    )
    raise CRSError(msg)


def _label(crs: pyproj.CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code is not None else f"{crs.name}"


def check_degrees(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries,
    crs: pyproj.CRS,
    *,
    name: str,
    caller: str | None,
) -> None:
    """Refuse rows that hold lon/lat degrees under a projected CRS.

    A row is taken for degrees when its coordinates lie within ±180/±90, read as degrees they
    fall inside the CRS's area of use, and read as metres they fall outside it (widened by 1°).
    EPSG:4549 with (120.38, 36.30): as degrees Qingdao; as metres ~500 km west of 120E.
    """
    if not crs.is_projected or crs.area_of_use is None:
        return
    minx, miny, _, _ = geo.total_bounds
    if not (np.isfinite(minx) and abs(minx) <= 180.0 and abs(miny) <= 90.0):
        return
    w, s, e, n = crs.area_of_use.bounds
    per_row = shapely.bounds(np.asarray(geo.geometry.array))
    small = np.all(np.isfinite(per_row), axis=1)
    small &= np.all(np.abs(per_row[:, [0, 2]]) <= 180.0, axis=1)
    small &= np.all(np.abs(per_row[:, [1, 3]]) <= 90.0, axis=1)
    if not small.any():
        return
    cx = (per_row[:, 0] + per_row[:, 2]) / 2.0
    cy = (per_row[:, 1] + per_row[:, 3]) / 2.0
    as_degrees = (cx >= w) & (cx <= e) & (cy >= s) & (cy <= n)
    lon, lat = _to_lonlat(crs).transform(cx, cy, errcheck=False)
    as_metres = (lon >= w - 1) & (lon <= e + 1) & (lat >= s - 1) & (lat <= n + 1)
    degrees = small & as_degrees & ~as_metres
    if not degrees.any():
        return
    others = ~degrees & np.all(np.isfinite(per_row), axis=1)
    rows = f"{int(degrees.sum())} of {len(geo)} rows ({_row_ids(geo, degrees)})"
    rest = ""
    if others.any():
        rest = f"; the other {int(others.sum())} rows ({_row_ids(geo, others)}) do not"
    span = _span(np.asarray(geopandas.GeoSeries(geo.geometry.array[degrees]).total_bounds))
    msg = (
        f"{subject(name, caller)} is labelled {_label(crs)}, a projected CRS in metres, but "
        f"{rows} hold coordinates that look like longitude/latitude degrees ({span}: as "
        f"degrees they lie where {_label(crs)} is used, as metres hundreds of km outside it)"
        f"{rest}. The .prj is probably wrong. Declare the degrees: pass source_crs=\"EPSG:4490\" "
        "(CGCS2000) or source_crs=\"EPSG:4326\" (WGS 84) to the reader, or relabel the frame, "
        f'e.g. {name} = {name}.set_crs("EPSG:4490", allow_override=True); split the layer '
        "first if only some rows are degrees."
    )
    raise CRSError(msg)


def check_mixed_prefix(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries,
    *,
    name: str,
    caller: str | None,
    is_zone: object,
) -> None:
    """Refuse a layer where some rows carry zone-prefixed eastings (8 digits) and some do not.

    `is_zone(int) -> bool` tells whether a millions number is a Gauss-Krüger zone.
    """
    minx, _, maxx, _ = geo.total_bounds
    if not (np.isfinite(minx) and minx < 1e6 and 1e7 <= maxx < 1e8):
        return
    per_row = shapely.bounds(np.asarray(geo.geometry.array))
    present = np.all(np.isfinite(per_row), axis=1)
    zone = np.floor(per_row[:, 0] / 1e6)
    same = zone == np.floor(per_row[:, 2] / 1e6)
    prefixed = present & same & (per_row[:, 0] >= 1e7) & (per_row[:, 2] < 1e8)
    prefixed[prefixed] = [is_zone(int(z)) for z in zone[prefixed]]  # type: ignore[operator]
    plain = present & (per_row[:, 2] < 1e6)
    if not (prefixed.any() and plain.any()):
        return
    zones = ", ".join(str(int(z)) for z in np.unique(zone[prefixed]))
    msg = (
        f"{subject(name, caller)} mixes two kinds of Gauss-Krüger eastings: "
        f"{int(prefixed.sum())} of {len(geo)} rows ({_row_ids(geo, prefixed)}) carry a zone "
        f"prefix (zone {zones}: x from {fmt_num(float(per_row[prefixed, 0].min()))}), "
        f"{int(plain.sum())} rows ({_row_ids(geo, plain)}) do not (x below 1,000,000 m). No "
        "single CRS describes both, so landuse will not guess. Split the layer by the size of "
        "x and give each part its CRS (the prefixed part the zone CRS, e.g. EPSG:4528 for "
        "CGCS2000 zone 40, or strip the prefix: x − zone·1,000,000 keeps the central-meridian "
        "CRS such as EPSG:4549), then combine them."
    )
    raise CRSError(msg)


# ---------------------------------------------------------------------------------------------
# scale distortion
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Distortion:
    """How much a projected CRS stretches lengths and areas over a layer's extent.

    Figures come from PROJ's Tissot factors (:meth:`pyproj.Proj.get_factors`) on a 9 × 9 grid
    over the layer's lon/lat bounds (corners included).

    Parameters
    ----------
    crs
        The projected CRS measured.
    scale
        The linear scale factor farthest from 1 over the extent (the larger or smaller Tissot
        semi-axis): 1.2383 means lengths come out 23.83 % too long.
    areal_scale
        The areal scale factor farthest from 1 over the extent: 1.5333 means areas come out
        53.33 % too large.
    lon, lat
        Where `scale` was found, degrees.
    areal_lon, areal_lat
        Where `areal_scale` was found, degrees.

    Examples
    --------
    >>> d = Distortion(pyproj.CRS("EPSG:3857"), 1.25, 1.5625, 120.0, 36.9, 120.0, 36.9)
    >>> print(f"{d.linear_error:.2%} {d.areal_error:.2%}")
    25.00% 56.25%
    """

    crs: pyproj.CRS
    scale: float
    areal_scale: float
    lon: float
    lat: float
    areal_lon: float
    areal_lat: float

    @property
    def linear_error(self) -> float:
        """``|scale − 1|``: the worst relative length error."""
        return abs(self.scale - 1.0)

    @property
    def areal_error(self) -> float:
        """``|areal_scale − 1|``: the worst relative area error."""
        return abs(self.areal_scale - 1.0)

    def describe(self) -> str:
        """One phrase for messages: scale, length and area errors and where."""
        return (
            f"scale factor {self.scale:.4f} (lengths {_pct(self.scale)}) at "
            f"{_deg(self.lon, 'E', 'W')}, {_deg(self.lat, 'N', 'S')}; areal scale "
            f"{self.areal_scale:.4f} (areas {_pct(self.areal_scale)}) at "
            f"{_deg(self.areal_lon, 'E', 'W')}, {_deg(self.areal_lat, 'N', 'S')}"
        )


def _pct(factor: float) -> str:
    word = "too large" if factor >= 1 else "too small"
    return f"{abs(factor - 1) * 100:.2f} % {word}"


def _deg(value: float, pos: str, neg: str) -> str:
    return f"{abs(value):.2f}°{pos if value >= 0 else neg}"


def _distortion_at(crs: pyproj.CRS, lonlat: tuple[float, float, float, float]) -> Distortion:
    west, south, east, north = lonlat
    lon, lat = np.meshgrid(np.linspace(west, east, _GRID), np.linspace(south, north, _GRID))
    lon, lat = lon.ravel(), lat.ravel()
    f = _proj(crs).get_factors(lon, lat, errcheck=False)
    a = np.asarray(f.tissot_semimajor, dtype=float)
    b = np.asarray(f.tissot_semiminor, dtype=float)
    areal = np.asarray(f.areal_scale, dtype=float)
    a = np.where(np.isfinite(a), a, np.inf)
    b = np.where(np.isfinite(b), b, 0.0)
    areal = np.where(np.isfinite(areal), areal, np.inf)
    use_b = np.abs(b - 1.0) > np.abs(a - 1.0)
    k = np.where(use_b, b, a)
    i = int(np.argmax(np.abs(k - 1.0)))
    j = int(np.argmax(np.abs(areal - 1.0)))
    return Distortion(
        crs,
        float(k[i]),
        float(areal[j]),
        float(lon[i]),
        float(lat[i]),
        float(lon[j]),
        float(lat[j]),
    )


def scale_distortion(
    gdf: geopandas.GeoDataFrame | geopandas.GeoSeries,
    *,
    crs: pyproj.CRS | str | int | None = None,
) -> Distortion | None:
    """Measure how much a projected CRS distorts lengths and areas over a layer's extent.

    Parameters
    ----------
    gdf
        The layer, in any declared CRS.
    crs
        The projected CRS to measure (CRS-like); default the layer's own CRS.

    Returns
    -------
    Distortion or None
        The worst linear and areal scale factors over the layer's lon/lat bounds, and where they
        occur; ``None`` for a layer without coordinates (empty) or a CRS that is not projected.

    Raises
    ------
    CRSError
        If the layer has no CRS, or coordinates its CRS cannot place (naming the rows).

    Notes
    -----
    The factors are PROJ's (:meth:`pyproj.Proj.get_factors`) on a 9 × 9 grid spanning the
    layer's bounds in lon/lat; the corners are on the grid, which is where transverse Mercator
    (distance from the central meridian) and Mercator (latitude) distort most. Linear scale of a
    Gauss-Krüger zone grows as :math:`k \\approx 1 + (\\Delta\\lambda \\cos\\varphi)^2 / 2`:
    0.03 % at the edge of a 3° zone, 0.14 % at the edge of a 6° zone; Web Mercator's is
    :math:`\\sec\\varphi`, 1.24 at Qingdao.

    Examples
    --------
    >>> import geopandas, shapely
    >>> zone = geopandas.GeoSeries([shapely.box(500000, 4000000, 501000, 4001000)], crs=4549)
    >>> scale_distortion(zone).linear_error < 1e-6  # 1 km from the central meridian
    True
    >>> d = scale_distortion(zone, crs="EPSG:3857")
    >>> print(f"{d.scale:.4f} {d.areal_scale:.4f}")
    1.2383 1.5333
    """
    geo = as_geo(gdf, name="gdf", caller="scale_distortion")
    if geo.crs is None:
        msg = (
            "`gdf` passed to scale_distortion() has no CRS; declare the CRS its coordinates are "
            'in, e.g. gdf = gdf.set_crs("EPSG:4549").'
        )
        raise CRSError(msg)
    target = geo.crs if crs is None else parse_crs(crs, name="crs")
    if not horizontal(target).is_projected:
        return None
    lonlat = lonlat_bounds(geo, geo.crs, name="gdf", caller="scale_distortion")
    if lonlat is None:
        return None
    return _distortion_at(target, lonlat)


def distortion_of(
    geo: geopandas.GeoDataFrame | geopandas.GeoSeries,
    target: pyproj.CRS,
    *,
    name: str,
    caller: str | None,
) -> Distortion | None:
    if geo.crs is None or not horizontal(target).is_projected:
        return None
    lonlat = lonlat_bounds(geo, geo.crs, name=name, caller=caller)
    return None if lonlat is None else _distortion_at(target, lonlat)


def equal_area_at(lon: float, lat: float) -> pyproj.CRS:
    """The equal-area CRS for data centred at (lon, lat); see :func:`landuse.crs.equal_area_crs`."""
    if inside_box(lon, lat):
        return CHINA_ALBERS
    return ProjectedCRS(
        name=f"WGS 84 / Lambert Azimuthal Equal Area ({lat:.4f}, {lon:.4f})",
        conversion=LambertAzimuthalEqualAreaConversion(
            latitude_natural_origin=round(lat, 4), longitude_natural_origin=round(lon, 4)
        ),
        geodetic_crs=pyproj.CRS.from_epsg(4326),
    )


def is_equal_area(d: Distortion | None) -> bool:
    """True when the areal scale stays within 1e-6 of 1 over the extent."""
    return d is not None and d.areal_error <= 1e-6
