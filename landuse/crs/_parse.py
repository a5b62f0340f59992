"""Private helpers of :mod:`landuse.crs`: CRS parsing, input checks, EPSG zone look-ups.

Nothing here is public. These helpers do not depend on :class:`landuse.crs.ZonePrefix` at run
time, so :mod:`landuse.crs` can import them at its top without an import cycle.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import geopandas
import numpy as np
import pyproj
from numpy.typing import NDArray
from pyproj.database import query_crs_info
from pyproj.enums import PJType
from pyproj.exceptions import CRSError as _ProjCRSError

from landuse.errors import CRSError

if TYPE_CHECKING:
    from landuse.crs import CRSLike, ZonePrefix

_DATUMS_FOR_ZONES = ("CGCS2000", "Xian 1980", "Beijing 1954")
_METRE_NAMES = frozenset({"metre", "meter", "m"})


def _parse_crs(crs: CRSLike, *, name: str) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(crs)
    except _ProjCRSError as err:
        msg = (
            f"`{name}` could not be read as a CRS: received {crs!r} ({err}). Pass an EPSG code "
            'such as "EPSG:4549", a pyproj.CRS, or WKT/PROJ text.'
        )
        raise CRSError(msg) from err


def _as_geo(data: Any, *, name: str, caller: str) -> geopandas.GeoDataFrame | geopandas.GeoSeries:
    if not isinstance(data, (geopandas.GeoDataFrame, geopandas.GeoSeries)):
        msg = (
            f"`{name}` passed to {caller}() must be a GeoDataFrame or GeoSeries; received "
            f"{type(data).__name__}. Build one with geopandas.GeoDataFrame(..., crs=...)."
        )
        raise TypeError(msg)
    return data


def _where(name: str, caller: str | None) -> str:
    return f"`{name}` passed to {caller}()" if caller else f"`{name}`"


def _horizontal(crs: pyproj.CRS) -> pyproj.CRS:
    if crs.is_compound and crs.sub_crs_list:
        return crs.sub_crs_list[0]
    return crs


def _unit_names(crs: pyproj.CRS) -> set[str]:
    return {axis.unit_name.lower() for axis in _horizontal(crs).axis_info}


def _is_metric_projected(crs: pyproj.CRS) -> bool:
    return crs.is_projected and _unit_names(crs) <= _METRE_NAMES


def _is_transverse_mercator(crs: pyproj.CRS) -> bool:
    op = _horizontal(crs).coordinate_operation
    if not crs.is_projected or op is None:
        return False
    method = op.method_name.lower()
    return "transverse mercator" in method or "gauss" in method


def _tm_params(crs: pyproj.CRS) -> tuple[float, float]:
    """Return (central meridian in degrees, false easting in metres) of a TM CRS."""
    op = _horizontal(crs).coordinate_operation
    params = {p.name.lower(): p.value for p in op.params} if op is not None else {}
    lon_0 = params.get("longitude of natural origin", params.get("longitude of origin", math.nan))
    x_0 = params.get("false easting", math.nan)
    return float(lon_0), float(x_0)


def _bounds(geo: geopandas.GeoDataFrame | geopandas.GeoSeries) -> NDArray[np.float64]:
    return np.asarray(geo.total_bounds, dtype=float)


def _num(value: float) -> str:
    return f"{value:,.2f}"


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


def _candidates_text(prefix: ZonePrefix, *, how: Callable[[str], str]) -> str:
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
    spec = _horizontal(declared).to_json_dict()
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
