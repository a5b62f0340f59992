"""The ground of :mod:`landuse.crs`: CRS parsing, labels, units and the China box.

Every other file of the package builds on these helpers; this file imports none of them.
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias, TypeVar

import geopandas
import numpy as np
import pyproj
from numpy.typing import NDArray
from pyproj.exceptions import CRSError as _ProjCRSError

from landuse.errors import CRSError

#: Anything :meth:`pyproj.CRS.from_user_input` accepts: "EPSG:4549", 4549, WKT, a pyproj.CRS, …
CRSLike: TypeAlias = pyproj.CRS | str | int | dict[str, Any] | tuple[str, str]
#: A layer: a GeoDataFrame or a GeoSeries (functions return the type they were given).
Geo = TypeVar("Geo", geopandas.GeoDataFrame, geopandas.GeoSeries)

#: (min lon, min lat, max lon, max lat) of the box treated as "China", open on every side.
#: It is the box of the common GCJ-02 code and also covers neighbours (Korea, Mongolia, parts of
#: Japan, India, South-East Asia); see :func:`wgs84_to_gcj02`.
CHINA_BBOX: tuple[float, float, float, float] = (73.66, 3.86, 135.05, 53.55)

_METRE_NAMES = frozenset({"metre", "meter", "m"})


def inside_box(lon: Any, lat: Any) -> Any:
    """Tell where (lon, lat) lies inside :data:`CHINA_BBOX` (open box; arrays broadcast)."""
    min_lon, min_lat, max_lon, max_lat = CHINA_BBOX
    return (lon > min_lon) & (lon < max_lon) & (lat > min_lat) & (lat < max_lat)


def parse_crs(crs: CRSLike, *, name: str) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(crs)
    except _ProjCRSError as err:
        msg = (
            f"`{name}` could not be read as a CRS: received {crs!r} ({err}). Pass an EPSG code "
            'such as "EPSG:4549", a pyproj.CRS, or WKT/PROJ text.'
        )
        raise CRSError(msg) from err


def as_geo(data: Any, *, name: str, caller: str) -> geopandas.GeoDataFrame | geopandas.GeoSeries:
    if not isinstance(data, (geopandas.GeoDataFrame, geopandas.GeoSeries)):
        msg = (
            f"`{name}` passed to {caller}() must be a GeoDataFrame or GeoSeries; received "
            f"{type(data).__name__}. Build one with geopandas.GeoDataFrame(..., crs=...)."
        )
        raise TypeError(msg)
    return data


def subject(name: str, caller: str | None) -> str:
    return f"`{name}` passed to {caller}()" if caller else f"`{name}`"


def horizontal(crs: pyproj.CRS) -> pyproj.CRS:
    if crs.is_compound and crs.sub_crs_list:
        return crs.sub_crs_list[0]
    return crs


def unit_names(crs: pyproj.CRS) -> set[str]:
    return {axis.unit_name.lower() for axis in horizontal(crs).axis_info}


def is_metric_projected(crs: pyproj.CRS) -> bool:
    return crs.is_projected and unit_names(crs) <= _METRE_NAMES


def is_transverse_mercator(crs: pyproj.CRS) -> bool:
    op = horizontal(crs).coordinate_operation
    if not crs.is_projected or op is None:
        return False
    method = op.method_name.lower()
    return "transverse mercator" in method or "gauss" in method


def tm_params(crs: pyproj.CRS) -> tuple[float, float]:
    """Return (central meridian in degrees, false easting in metres) of a TM CRS."""
    op = horizontal(crs).coordinate_operation
    params = {p.name.lower(): p.value for p in op.params} if op is not None else {}
    lon_0 = params.get("longitude of natural origin", params.get("longitude of origin", math.nan))
    x_0 = params.get("false easting", math.nan)
    return float(lon_0), float(x_0)


def xy_bounds(geo: geopandas.GeoDataFrame | geopandas.GeoSeries) -> NDArray[np.float64]:
    return np.asarray(geo.total_bounds, dtype=float)


def fmt_num(value: float) -> str:
    return f"{value:,.2f}"


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
    crs = parse_crs(crs, name="crs")
    code = crs.to_epsg()
    if code is not None:
        return f"EPSG:{code} ({crs.name})"
    authority = crs.to_authority()
    if authority is not None:
        return f"{authority[0]}:{authority[1]} ({crs.name})"
    return f"{crs.name} (no EPSG code)"
