"""Coordinate reference systems: the CRS to analyse a layer in, and coordinates to trust.

Analysis in landuse runs in a projected CRS in metres. Inside China that is CGCS2000 3-degree
Gauss-Krüger with the central meridian nearest the data (Qingdao → EPSG:4549); elsewhere the
WGS 84 UTM zone. :func:`to_analysis_crs` picks and applies it (:func:`analysis_crs` names it,
:func:`equal_area_crs` gives an equal-area alternative for wide extents, :func:`target_crs`
resolves what a reader returns); :func:`check_projected` and :func:`check_same_crs` are the guards
analysis functions call on their inputs; :func:`scale_distortion` measures how much a CRS
stretches lengths and areas where the data are.

Cadastral layers often carry *zone-prefixed* Gauss-Krüger eastings (40 534 467 m: zone 40, then
534 467 m) while their ``.prj`` declares the central-meridian variant (x_0 = 500 000 m).
:func:`detect_zone_prefix` recognises such eastings and :func:`fix_zone_prefix` relabels the layer
with the zone variant of the same datum, warning as it does; :func:`check_coordinates` refuses
projected numbers under a geographic CRS.

Web maps in China shift coordinates: Amap/Gaode and Tencent use GCJ-02, Baidu uses BD-09.
:func:`wgs84_to_gcj02`, :func:`gcj02_to_wgs84`, :func:`wgs84_to_bd09` and :func:`bd09_to_wgs84`
convert whole geometries, vectorised over all their vertices. They live in the public module
:mod:`landuse.crs.webmap` and are exported here too.

This file is the public face; the implementation is in private files beside it (``_parse``:
parsing and labels; ``_check``: coordinates against their CRS, scale distortion; ``_prefix``:
zone prefixes; ``_analysis``: the analysis CRS and the guards).
"""

from __future__ import annotations

from landuse.crs._analysis import (
    analysis_crs,
    check_projected,
    check_same_crs,
    equal_area_crs,
    target_crs,
    to_analysis_crs,
)
from landuse.crs._check import CHINA_ALBERS, MAX_SCALE_ERROR, Distortion, scale_distortion
from landuse.crs._parse import CHINA_BBOX, crs_label
from landuse.crs._parse import CRSLike as CRSLike  # the type of crs= arguments (not in __all__)
from landuse.crs._prefix import (
    ZonePrefix,
    check_coordinates,
    detect_zone_prefix,
    fix_zone_prefix,
)
from landuse.crs.webmap import bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02

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
