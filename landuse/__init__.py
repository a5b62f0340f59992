"""landuse: industrial land analysis for Qingdao's key industrial cluster zones.

Read bureau data into a checked data model (:func:`read_parcels`, :func:`read_zones`, …),
work in a projected CRS in metres (:func:`to_analysis_crs`), convert web-map
coordinates (:func:`gcj02_to_wgs84`), load policy profiles (:func:`load_policy`)
and try it all on the bundled synthetic Qingdao sample (:func:`load_sample`).
"""

from landuse.crs import (
    analysis_crs,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    to_analysis_crs,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from landuse.datasets import Sample, load_sample
from landuse.errors import (
    CRSError,
    GeometryError,
    LanduseError,
    LanduseWarning,
    PolicyError,
    SchemaError,
)
from landuse.io import (
    ReadReport,
    read_buildings,
    read_functional_areas,
    read_parcels,
    read_proposals,
    read_zone_stats,
    read_zones,
    write_layers,
)
from landuse.mapping import map_zones, save_map
from landuse.policy import Policy, list_policies, load_policy
from landuse.units import M2_PER_MU, m2_to_mu, mu_to_m2

__version__ = "0.1.0"

__all__ = [
    "M2_PER_MU",
    "CRSError",
    "GeometryError",
    "LanduseError",
    "LanduseWarning",
    "Policy",
    "PolicyError",
    "ReadReport",
    "Sample",
    "SchemaError",
    "__version__",
    "analysis_crs",
    "bd09_to_wgs84",
    "gcj02_to_wgs84",
    "list_policies",
    "load_policy",
    "load_sample",
    "m2_to_mu",
    "map_zones",
    "mu_to_m2",
    "read_buildings",
    "read_functional_areas",
    "read_parcels",
    "read_proposals",
    "read_zone_stats",
    "read_zones",
    "save_map",
    "to_analysis_crs",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
    "write_layers",
]
