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

This file is the public face. The readers are in ``_readers`` (one shared body,
:func:`~landuse.io._readers.read_layer`), raw loading in ``_load``, the checks and repairs in
``_clean`` and ``_coerce``, shapefile encodings in ``_shapefile``, the report in ``_report``
and the GeoPackage writer in ``_write``. :mod:`landuse.io.osm` reads OpenStreetMap extracts.
:func:`read_layer`, the shared body, is public so that other families read their own tables
(the enterprise-year tables of :mod:`landuse.enterprise`) with the same field mapping, unit
conversion, value checks and report.
"""

from __future__ import annotations

from landuse.io._coerce import as_text, to_date
from landuse.io._readers import (
    read_buildings,
    read_functional_areas,
    read_layer,
    read_parcels,
    read_proposals,
    read_zone_stats,
    read_zones,
)
from landuse.io._report import ReadReport
from landuse.io._write import write_layers

__all__ = [
    "ReadReport",
    "as_text",
    "read_buildings",
    "read_functional_areas",
    "read_layer",
    "read_parcels",
    "read_proposals",
    "read_zone_stats",
    "read_zones",
    "to_date",
    "write_layers",
]
