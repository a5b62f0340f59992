"""landuse: industrial land analysis for Qingdao's key industrial cluster zones.

Read bureau data into a checked data model (:func:`read_parcels`, :func:`read_zones`, …),
work in a projected CRS in metres (:func:`to_analysis_crs`), convert web-map
coordinates (:func:`gcj02_to_wgs84`), load policy profiles (:func:`load_policy`)
and try it all on the bundled synthetic Qingdao sample (:func:`load_sample`).
"""

from landuse._version import __version__
from landuse.assessment import assess_zones, zone_indicators, zone_stats_from_parcels
from landuse.bank import ProjectBank, build_project_bank
from landuse.compliance import check_new_land, find_encroachment, outside_zone_summary
from landuse.crs import (
    analysis_crs,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    to_analysis_crs,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from landuse.datasets import Sample, load_sample
from landuse.efficiency import (
    find_idle_land,
    find_inefficient_land,
    grade_enterprises,
    parcel_metrics,
)
from landuse.enterprise import (
    enterprise_history,
    evaluate_enterprises,
    read_enterprises,
    read_tenancies,
    validate_credit_code,
)
from landuse.errors import (
    BankError,
    CRSError,
    GeometryError,
    LanduseError,
    LanduseWarning,
    PolicyError,
    SchemaError,
    StoreBusyError,
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
from landuse.mapping import (
    map_assessment,
    map_bank,
    map_compliance,
    map_enterprises,
    map_parcels,
    map_zones,
    save_map,
)
from landuse.policy import Policy, list_policies, load_policy
from landuse.raster import (
    activity_index,
    builtup_share,
    estimate_floor_area,
    raster_evidence,
    rasterize_metric,
    zonal_stats,
)
from landuse.supply import (
    Project,
    accept_standard_land,
    check_standard_land,
    evaluate_supply_options,
    grant_price,
    multistorey_potential,
    standard_land_conditions,
    tenure_coefficient,
)
from landuse.units import M2_PER_MU, m2_to_mu, mu_to_m2
from landuse.zones import assign_zones

__all__ = [
    "M2_PER_MU",
    "BankError",
    "CRSError",
    "GeometryError",
    "LanduseError",
    "LanduseWarning",
    "Policy",
    "PolicyError",
    "Project",
    "ProjectBank",
    "ReadReport",
    "Sample",
    "SchemaError",
    "StoreBusyError",
    "__version__",
    "accept_standard_land",
    "activity_index",
    "analysis_crs",
    "assess_zones",
    "assign_zones",
    "bd09_to_wgs84",
    "build_project_bank",
    "builtup_share",
    "check_new_land",
    "check_standard_land",
    "enterprise_history",
    "estimate_floor_area",
    "evaluate_enterprises",
    "evaluate_supply_options",
    "find_encroachment",
    "find_idle_land",
    "find_inefficient_land",
    "gcj02_to_wgs84",
    "grade_enterprises",
    "grant_price",
    "list_policies",
    "load_policy",
    "load_sample",
    "m2_to_mu",
    "map_assessment",
    "map_bank",
    "map_compliance",
    "map_enterprises",
    "map_parcels",
    "map_zones",
    "mu_to_m2",
    "multistorey_potential",
    "outside_zone_summary",
    "parcel_metrics",
    "raster_evidence",
    "rasterize_metric",
    "read_buildings",
    "read_enterprises",
    "read_functional_areas",
    "read_parcels",
    "read_proposals",
    "read_tenancies",
    "read_zone_stats",
    "read_zones",
    "save_map",
    "standard_land_conditions",
    "tenure_coefficient",
    "to_analysis_crs",
    "validate_credit_code",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
    "write_layers",
    "zonal_stats",
    "zone_indicators",
    "zone_stats_from_parcels",
]
