"""Bundled sample data for Qingdao (synthetic) and generators for benchmarks.

The sample is **synthetic**: made by ``scripts/make_sample_data.py`` with a fixed
seed, placed in Qingdao's real districts, named after the fields of the 2019 plan.
No boundary in it is real. It ships inside the package, so it works after a plain
``pip install``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from landuse import io
from landuse.datasets.synthetic import (
    synthetic_buildings,
    synthetic_parcels,
    synthetic_proposals,
    synthetic_zones,
)
from landuse.enterprise import read_enterprises, read_tenancies
from landuse.report.dossier import ReportData

__all__ = [
    "SAMPLE_AS_OF",
    "Sample",
    "get_path",
    "load_sample",
    "synthetic_buildings",
    "synthetic_parcels",
    "synthetic_proposals",
    "synthetic_zones",
]

#: The reference date the sample's cases (idle, overdue, stopped …) are built around.
SAMPLE_AS_OF = pd.Timestamp("2021-12-31")

_HERE = Path(__file__).resolve().parent
_FILES = {
    "zones": ("boundaries", "zones.geojson"),
    "functional_areas": ("boundaries", "functional_areas.geojson"),
    "sample": (None, "sample.gpkg"),
    "zone_stats": (None, "zone_stats.csv"),
    "enterprises": (None, "enterprises.csv"),
    "tenancies": (None, "tenancies.csv"),
    "enterprises_bad_codes": (None, "enterprises_bad_codes.csv"),
    "builtup": (None, "builtup.tif"),
    "building_height": (None, "building_height.tif"),
    "night_light": (None, "night_light.tif"),
}


def get_path(name: str) -> Path:
    """Path of a bundled sample file.

    Parameters
    ----------
    name
        One of ``zones``, ``functional_areas``, ``sample`` (GeoPackage with parcels,
        buildings, proposals), ``zone_stats``, ``enterprises`` (enterprise-year table
        2019–2021, Chinese headers), ``tenancies``, ``enterprises_bad_codes`` (credit-code
        mistakes for the reader), ``builtup``, ``building_height``, ``night_light``.

    Returns
    -------
    pathlib.Path
        The file inside the installed package (or the source checkout).

    Examples
    --------
    >>> get_path("zones").name
    'zones.geojson'
    """
    if name not in _FILES:
        msg = f"no sample file called {name!r}; choose one of {', '.join(_FILES)}."
        raise ValueError(msg)
    sub, filename = _FILES[name]
    if sub is None:
        return _HERE / "data" / filename
    installed = _HERE / "data" / sub / filename
    if installed.exists():
        return installed
    # editable install / source checkout: boundaries live at the repo top level
    return _HERE.parents[1] / "data" / sub / filename


@dataclass(frozen=True)
class Sample(ReportData):
    """The Qingdao sample, read and validated by the landuse readers (EPSG:4549).

    A :class:`~landuse.report.dossier.ReportData`: ``landuse.report.dossier.write_report(out,
    data=load_sample(), …)`` makes the zone dossiers and the city report of the sample.

    Attributes
    ----------
    zones, functional_areas, parcels, buildings, proposals
        Validated GeoDataFrames in the analysis CRS.
    zone_stats
        Yearly zone statistics 2019–2021 (万元, 亩).
    rasters
        ``{"builtup" | "building_height" | "night_light": path to GeoTIFF}``.
    enterprises
        Enterprise-year table 2019–2021 keyed by credit code
        (:func:`landuse.enterprise.read_enterprises`); the industrial parcels' holders are in
        ``parcels.owner_code``.
    tenancies
        Who rents floor space (or land) on which parcel
        (:func:`landuse.enterprise.read_tenancies`).
    as_of
        The reference date the sample's cases are built around (2021-12-31).
    bank
        ``None``: the report builds the project bank from the parcels.
    """

    zones: gpd.GeoDataFrame
    functional_areas: gpd.GeoDataFrame
    parcels: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    proposals: gpd.GeoDataFrame
    zone_stats: pd.DataFrame
    rasters: dict[str, Path]
    enterprises: pd.DataFrame
    tenancies: pd.DataFrame
    as_of: pd.Timestamp = SAMPLE_AS_OF


def load_sample() -> Sample:
    """Load the bundled (synthetic) Qingdao sample through the regular readers.

    Returns
    -------
    Sample
        14 zones with functional areas, ≥ 3,000 parcels (read from Chinese field
        names), buildings, ≥ 120 proposals, 3 years of zone statistics and of enterprise
        data with tenancies, and paths to three small GeoTIFFs.

    Examples
    --------
    >>> s = load_sample()
    >>> len(s.zones), s.parcels.crs.to_epsg(), len(s.parcels) >= 3000
    (14, 4549, True)
    """
    sample = get_path("sample")
    return Sample(
        zones=io.read_zones(get_path("zones")),
        functional_areas=io.read_functional_areas(get_path("functional_areas")),
        parcels=io.read_parcels(sample, layer="parcels"),
        buildings=io.read_buildings(sample, layer="buildings"),
        proposals=io.read_proposals(sample, layer="proposals"),
        zone_stats=io.read_zone_stats(get_path("zone_stats")),
        rasters={k: get_path(k) for k in ("builtup", "building_height", "night_light")},
        enterprises=read_enterprises(get_path("enterprises")),
        tenancies=read_tenancies(get_path("tenancies")),
    )
