"""Web-map offsets in China: GCJ-02 (Amap/Gaode, Tencent) and BD-09 (Baidu).

Web maps in China shift coordinates: Amap/Gaode and Tencent use GCJ-02, Baidu uses BD-09.
:func:`wgs84_to_gcj02`, :func:`gcj02_to_wgs84`, :func:`wgs84_to_bd09` and :func:`bd09_to_wgs84`
convert whole geometries, vectorised over all their vertices; the inverses iterate to well under
1 cm. Only vertices inside :data:`CHINA_BBOX` are shifted. These names are also exported by
:mod:`landuse.crs` (and the four functions by :mod:`landuse`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, overload

import geopandas
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from landuse.crs._parse import CHINA_BBOX, crs_label, inside_box
from landuse.crs._prefix import check_geographic_coordinates
from landuse.errors import CRSError

__all__ = [
    "CHINA_BBOX",
    "bd09_to_wgs84",
    "gcj02_to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]
_Shape = TypeVar("_Shape", geopandas.GeoDataFrame, geopandas.GeoSeries, shapely.Geometry)

# GCJ-02 constants (Krasovsky-like semi-major axis and eccentricity squared of the public
# reverse-engineered algorithm, wandergis/coordtransform).
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def _gcj_forward(xy: NDArray[np.float64]) -> NDArray[np.float64]:
    """WGS 84 → GCJ-02 for an (N, 2) lon/lat array, without the China test."""
    lon, lat = xy[:, 0], xy[:, 1]
    x, y = lon - 105.0, lat - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    return np.column_stack([lon + dlon, lat + dlat])


def _bd_forward_from_gcj(xy: NDArray[np.float64]) -> NDArray[np.float64]:
    """GCJ-02 → BD-09 for an (N, 2) lon/lat array, without the China test."""
    x, y = xy[:, 0], xy[:, 1]
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return np.column_stack([z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006])


def _bd_forward(xy: NDArray[np.float64]) -> NDArray[np.float64]:
    return _bd_forward_from_gcj(_gcj_forward(xy))


def _invert(
    forward: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    target: NDArray[np.float64],
    *,
    tolerance_deg: float,
    max_iter: int,
) -> NDArray[np.float64]:
    """Solve forward(w) = target by fixed-point iteration w ← w + (target − forward(w))."""
    guess = target.copy()
    for _ in range(max_iter):
        step = target - forward(guess)
        guess = guess + step
        if step.size == 0 or np.nanmax(np.abs(step)) < tolerance_deg:
            break
    return guess


def _masked(
    func: Callable[[NDArray[np.float64]], NDArray[np.float64]],
) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """Apply `func` to the lon/lat columns of rows inside the China box; keep the rest (and z)."""

    def apply(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        out = np.array(coords, dtype=float, copy=True)
        inside = inside_box(out[:, 0], out[:, 1])
        if inside.any():
            out[inside, :2] = func(out[inside, :2])
        return out

    return apply


def _require_lonlat(geo: geopandas.GeoDataFrame | geopandas.GeoSeries, *, caller: str) -> None:
    crs = geo.crs
    if crs is None:
        msg = (
            f"`data` passed to {caller}() has no CRS; web-map offsets work on lon/lat degrees. "
            'Declare it, e.g. data = data.set_crs("EPSG:4326").'
        )
        raise CRSError(msg)
    if not crs.is_geographic:
        msg = (
            f"`data` passed to {caller}() is in a projected CRS ({crs_label(crs)}); web-map "
            "offsets work on lon/lat degrees. Reproject first, e.g. "
            f'{caller}(data.to_crs("EPSG:4326")).'
        )
        raise CRSError(msg)
    check_geographic_coordinates(geo, crs, name="data", caller=caller)


def _convert(
    data: Any,
    lat: Any,
    func: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    *,
    caller: str,
) -> Any:
    apply = _masked(func)
    if isinstance(data, (geopandas.GeoDataFrame, geopandas.GeoSeries)):
        if lat is not None:
            msg = f"{caller}() takes `lat` only with array input, not with a {type(data).__name__}."
            raise TypeError(msg)
        _require_lonlat(data, caller=caller)
        geoms = np.asarray(data.geometry.array)
        moved = geopandas.GeoSeries(
            shapely.transform(geoms, apply, include_z=None), index=data.index, crs=data.crs
        )
        if isinstance(data, geopandas.GeoSeries):
            return moved.rename(data.name)
        out = data.copy()
        out[data.geometry.name] = moved
        return out
    if isinstance(data, shapely.Geometry):
        if lat is not None:
            msg = f"{caller}() takes `lat` only with array input, not with a shapely geometry."
            raise TypeError(msg)
        return shapely.transform(data, apply, include_z=None)
    if lat is None:
        if isinstance(data, (tuple, list)) and len(data) == 2:
            data, lat = data
        else:
            msg = (
                f"{caller}() accepts a GeoDataFrame, GeoSeries, shapely geometry, or lon and "
                f"lat arrays; received {type(data).__name__}. Call it as {caller}(lon, lat)."
            )
            raise TypeError(msg)
    lon_arr, lat_arr = np.broadcast_arrays(
        np.asarray(data, dtype=float), np.asarray(lat, dtype=float)
    )
    out = apply(np.column_stack([lon_arr.ravel(), lat_arr.ravel()]))
    new_lon, new_lat = out[:, 0].reshape(lon_arr.shape), out[:, 1].reshape(lon_arr.shape)
    if new_lon.ndim == 0:
        return float(new_lon), float(new_lat)
    return new_lon, new_lat


@overload
def wgs84_to_gcj02(data: tuple[ArrayLike, ArrayLike], /) -> tuple[Any, Any]: ...
@overload
def wgs84_to_gcj02(data: _Shape, /) -> _Shape: ...
@overload
def wgs84_to_gcj02(data: ArrayLike, lat: ArrayLike, /) -> tuple[Any, Any]: ...
def wgs84_to_gcj02(data: Any, lat: Any = None, /) -> Any:
    """Shift WGS 84 (or CGCS2000) lon/lat to GCJ-02, the coordinates of Amap/Gaode and Tencent.

    Parameters
    ----------
    data
        A GeoDataFrame or GeoSeries in a geographic CRS (EPSG:4326, EPSG:4490, …), whose whole
        geometries (any type, holes, multi-parts, z kept) are shifted; a shapely geometry; or an
        array of longitudes (then pass `lat`), or a ``(lon, lat)`` tuple of arrays.
    lat
        Latitudes, degrees, when `data` is an array of longitudes.

    Returns
    -------
    GeoDataFrame, GeoSeries, shapely geometry, or tuple of arrays
        Same kind, shape, index and columns as the input; a tuple ``(lon, lat)`` of arrays for
        array input (floats for scalars). GeoDataFrame/GeoSeries output is GCJ-02 lon/lat
        labelled with the input CRS (e.g. EPSG:4326) because GCJ-02 has no EPSG code.

    Raises
    ------
    CRSError
        If a GeoDataFrame/GeoSeries has no CRS or a projected one (reproject to EPSG:4326 first).

    Notes
    -----
    The public reverse-engineered algorithm (wandergis/coordtransform): a = 6378245.0,
    ee = 0.00669342162296594323, polynomial offsets at (lon − 105, lat − 35). Vertices outside the
    box lon ∈ (73.66, 135.05), lat ∈ (3.86, 53.55) are returned unchanged. Reviewer's caveat: that
    box is a rectangle and also covers neighbouring countries (Korea, Mongolia, parts of Japan,
    India and South-East Asia), whose points are shifted too; a geometry straddling the box edge
    is shifted only on the inside vertices. Offsets are about 450–500 m in Qingdao.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(120.3826, 36.0671)
    >>> print(f"{lon:.6f} {lat:.6f}")
    120.387733 36.067376
    >>> wgs84_to_gcj02(2.35, 48.86)  # Paris: outside China, unchanged
    (2.35, 48.86)
    """
    return _convert(data, lat, _gcj_forward, caller="wgs84_to_gcj02")


@overload
def gcj02_to_wgs84(
    data: tuple[ArrayLike, ArrayLike], /, *, tolerance_deg: float = ..., max_iter: int = ...
) -> tuple[Any, Any]: ...
@overload
def gcj02_to_wgs84(
    data: _Shape, /, *, tolerance_deg: float = ..., max_iter: int = ...
) -> _Shape: ...
@overload
def gcj02_to_wgs84(
    data: ArrayLike, lat: ArrayLike, /, *, tolerance_deg: float = ..., max_iter: int = ...
) -> tuple[Any, Any]: ...
def gcj02_to_wgs84(
    data: Any, lat: Any = None, /, *, tolerance_deg: float = 1e-9, max_iter: int = 10
) -> Any:
    """Convert GCJ-02 lon/lat (Amap/Gaode, Tencent) back to WGS 84, by iteration.

    Parameters
    ----------
    data
        As in :func:`wgs84_to_gcj02`: a GeoDataFrame/GeoSeries in a geographic CRS, a shapely
        geometry, lon array (with `lat`) or ``(lon, lat)`` tuple.
    lat
        Latitudes, degrees, when `data` is an array of longitudes.
    tolerance_deg
        Stop when the largest correction is below this, degrees. 1e-9° ≈ 0.1 mm.
    max_iter
        Maximum number of fixed-point iterations; 3–4 reach the default tolerance.

    Returns
    -------
    GeoDataFrame, GeoSeries, shapely geometry, or tuple of arrays
        Same kind, index and columns as the input, keeping its CRS label.

    Raises
    ------
    CRSError
        If a GeoDataFrame/GeoSeries has no CRS or a projected one.

    Notes
    -----
    The forward shift f has no closed-form inverse; this solves f(w) = g by the fixed-point
    iteration w ← w + (g − f(w)), starting from w = g. Each step shrinks the error about 300-fold,
    so the round trip is exact to well under 1 cm (the one-step formula in common code is off by
    1–2 m). Points outside the China box (see :func:`wgs84_to_gcj02`) are unchanged; the box test
    uses the GCJ-02 input, so within ~500 m of the box edge the round trip can differ.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(120.387733, 36.067376)  # Amap coordinates in Qingdao
    >>> print(f"{lon:.5f} {lat:.5f}")
    120.38260 36.06710
    """

    def inverse(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        return _invert(_gcj_forward, xy, tolerance_deg=tolerance_deg, max_iter=max_iter)

    return _convert(data, lat, inverse, caller="gcj02_to_wgs84")


@overload
def wgs84_to_bd09(data: tuple[ArrayLike, ArrayLike], /) -> tuple[Any, Any]: ...
@overload
def wgs84_to_bd09(data: _Shape, /) -> _Shape: ...
@overload
def wgs84_to_bd09(data: ArrayLike, lat: ArrayLike, /) -> tuple[Any, Any]: ...
def wgs84_to_bd09(data: Any, lat: Any = None, /) -> Any:
    """Shift WGS 84 lon/lat to BD-09, the coordinates of Baidu maps (via GCJ-02).

    Parameters
    ----------
    data
        As in :func:`wgs84_to_gcj02`.
    lat
        Latitudes, degrees, when `data` is an array of longitudes.

    Returns
    -------
    GeoDataFrame, GeoSeries, shapely geometry, or tuple of arrays
        Same kind, index and columns as the input; BD-09 lon/lat keeping the input's CRS label
        (e.g. EPSG:4326) because BD-09 has no EPSG code.

    Raises
    ------
    CRSError
        If a GeoDataFrame/GeoSeries has no CRS or a projected one.

    Notes
    -----
    GCJ-02 → BD-09: z = √(x² + y²) + 2e-5·sin(y·x_pi), θ = atan2(y, x) + 3e-6·cos(x·x_pi),
    x_pi = π·3000/180, then (z·cos θ + 0.0065, z·sin θ + 0.006). Vertices outside the China box
    are unchanged. Offsets are about 1.25–1.3 km in Qingdao.

    Examples
    --------
    >>> lon, lat = wgs84_to_bd09(120.3826, 36.0671)
    >>> print(f"{lon:.5f} {lat:.5f}")
    120.39421 36.07342
    """
    return _convert(data, lat, _bd_forward, caller="wgs84_to_bd09")


@overload
def bd09_to_wgs84(
    data: tuple[ArrayLike, ArrayLike], /, *, tolerance_deg: float = ..., max_iter: int = ...
) -> tuple[Any, Any]: ...
@overload
def bd09_to_wgs84(
    data: _Shape, /, *, tolerance_deg: float = ..., max_iter: int = ...
) -> _Shape: ...
@overload
def bd09_to_wgs84(
    data: ArrayLike, lat: ArrayLike, /, *, tolerance_deg: float = ..., max_iter: int = ...
) -> tuple[Any, Any]: ...
def bd09_to_wgs84(
    data: Any, lat: Any = None, /, *, tolerance_deg: float = 1e-9, max_iter: int = 10
) -> Any:
    """Convert BD-09 lon/lat (Baidu maps) back to WGS 84, by iteration through GCJ-02.

    Parameters
    ----------
    data
        As in :func:`wgs84_to_gcj02`.
    lat
        Latitudes, degrees, when `data` is an array of longitudes.
    tolerance_deg
        Stop when the largest correction is below this, degrees.
    max_iter
        Maximum number of fixed-point iterations.

    Returns
    -------
    GeoDataFrame, GeoSeries, shapely geometry, or tuple of arrays
        Same kind, index and columns as the input, keeping its CRS label.

    Raises
    ------
    CRSError
        If a GeoDataFrame/GeoSeries has no CRS or a projected one.

    Notes
    -----
    Solves wgs84_to_bd09(w) = b by the same fixed-point iteration as :func:`gcj02_to_wgs84`,
    so the round trip is exact to well under 1 cm (the closed-form BD-09 → GCJ-02 formula of
    common code is off by up to about a metre). Points outside the China box are unchanged.

    Examples
    --------
    >>> lon, lat = bd09_to_wgs84(*wgs84_to_bd09(120.3826, 36.0671))
    >>> print(f"{lon:.7f} {lat:.7f}")
    120.3826000 36.0671000
    """

    def inverse(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        return _invert(_bd_forward, xy, tolerance_deg=tolerance_deg, max_iter=max_iter)

    return _convert(data, lat, inverse, caller="bd09_to_wgs84")
