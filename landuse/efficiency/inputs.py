"""The one seam of the efficiency analyses: check a parcels frame once, hand an ``Inputs`` down.

Every public function that works on parcels with the efficiency rules
(:func:`landuse.find_idle_land`, :func:`landuse.find_inefficient_land`,
:func:`landuse.build_project_bank`, and through them :mod:`landuse.scale`) validates its layers
here, once, naming itself (``caller``) in every message: :func:`check_layers` checks each
frame (a GeoDataFrame in a projected CRS, every layer in the parcels' CRS) and
:func:`assemble` resolves the policy and the reference date, measures the land once, computes
or checks the metrics, places the parcels in their zones and returns the :class:`Inputs` the
rules read. :func:`prepare` does both. Inner code receives checked data and never checks a
frame again.

It is also the public door, for the families built on efficiency (``bank``, ``scale``), to
the building blocks they reuse: the rule sets and their runner (:data:`IDLE_RULES`,
:data:`INEFFICIENT_RULES`, :func:`run`), the reasons (:class:`Outcome`, :func:`reasons`,
:func:`report`), the grading (:func:`grade`, :func:`grade_outcomes`; from an enterprise evaluation
:func:`parcel_grades`, :func:`enterprise_grade_outcomes`), the idle-land columns,
the zone placement and the buildings' floor areas.

Examples
--------
>>> import landuse
>>> s = landuse.load_sample()
>>> inp = prepare(s.parcels, zones=s.zones, as_of="2021-12-31", policy="qingdao-2019",
...               caller="my_analysis")
>>> inp.n == len(s.parcels), inp.policy.name, str(inp.as_of)
(True, 'qingdao-2019', '2021-12-31')
>>> prepare(s.parcels.to_crs(4326), as_of="2021-12-31", policy="qingdao-2019",
...         caller="my_analysis")
Traceback (most recent call last):
...
landuse.errors.CRSError: `parcels` passed to my_analysis() is in a geographic CRS...
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from landuse._checks import (
    PolicyLike,
    check_frame,
    check_projected,
    check_same_crs,
    resolve_as_of,
    resolve_policy,
)
from landuse.efficiency import _common as c
from landuse.efficiency._grading import grade, grade_outcomes
from landuse.efficiency._joins import ParcelGrades, parcel_grades
from landuse.efficiency._joins import outcomes as enterprise_grade_outcomes
from landuse.efficiency._metrics import (
    VALUE_COLUMNS,
    building_floor_areas,
    compute,
    given_metrics_keys,
)
from landuse.efficiency._reasons import Outcome, reasons, report
from landuse.efficiency._rules import (
    IDLE_RULES,
    INEFFICIENT_RULES,
    Inputs,
    any_flagged,
    divisions_2017,
    idle_columns,
    run,
    zone_info,
)
from landuse.errors import SchemaError, format_ids

__all__ = [
    "IDLE_RULES",
    "INEFFICIENT_RULES",
    "Inputs",
    "Outcome",
    "ParcelGrades",
    "any_flagged",
    "assemble",
    "building_floor_areas",
    "check_layers",
    "divisions_2017",
    "enterprise_grade_outcomes",
    "fmt",
    "given_metrics_keys",
    "grade",
    "grade_outcomes",
    "idle_columns",
    "land_area",
    "parcel_grades",
    "prepare",
    "reasons",
    "report",
    "run",
    "zone_info",
]

#: Number formatting of the reason texts (fixed point, ``—`` for missing).
fmt = c.fmt
#: Land area in m² of each parcel (``land_area_m2``, else the geometry's area).
land_area = c.land_area


def check_layers(
    parcels: Any,
    *,
    caller: str,
    zones: Any = None,
    functional_areas: Any = None,
    buildings: Any = None,
) -> None:
    """Check each given layer once: a GeoDataFrame, projected CRS, the parcels' CRS.

    Parameters
    ----------
    parcels
        The parcels.
    caller
        The public function the user called, named in every message.
    zones, functional_areas, buildings
        The other layers, where given.

    Raises
    ------
    TypeError
        A layer is not a GeoDataFrame.
    CRSError
        A geographic or missing CRS, or a layer in another CRS than the parcels.
    SchemaError
        ``functional_areas`` without an ``area_type`` column.

    Examples
    --------
    >>> check_layers([1], caller="find_idle_land")
    Traceback (most recent call last):
    ...
    TypeError: `parcels` passed to find_idle_land() must be a GeoDataFrame (e.g. from landuse.read_parcels); received list.
    """
    check_frame(parcels, name="parcels", caller=caller)
    check_projected(parcels, name="parcels", caller=caller, purpose="area")
    for name, layer in (
        ("zones", zones),
        ("functional_areas", functional_areas),
        ("buildings", buildings),
    ):
        if layer is None:
            continue
        check_frame(layer, name=name, caller=caller)
        check_projected(layer, name=name, caller=caller, purpose="area")
        check_same_crs(parcels, layer, names=("parcels", name), caller=caller)
    if functional_areas is not None and "area_type" not in functional_areas.columns:
        msg = (
            f"`functional_areas` passed to {caller}() needs an `area_type` column; received "
            f"columns {list(functional_areas.columns)}. Read them with "
            "landuse.read_functional_areas."
        )
        raise SchemaError(msg)


def assemble(
    parcels: gpd.GeoDataFrame,
    *,
    caller: str,
    as_of: Any,
    policy: PolicyLike,
    zones: gpd.GeoDataFrame | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    metrics: pd.DataFrame | None = None,
    land_uses: Sequence[str] | None = ("industrial",),
    need_metrics: bool = True,
    raster_evidence: pd.DataFrame | None = None,
) -> Inputs:
    """Build the :class:`Inputs` of layers :func:`check_layers` has checked.

    Resolves ``policy`` and ``as_of``, measures the land once, computes the metrics (or checks
    the ``metrics`` given), places the parcels in their zones and aligns ``raster_evidence``.
    Every message names ``caller``. See :func:`prepare` for the parameters.
    """
    policy = resolve_policy(policy, caller=caller)
    day = resolve_as_of(as_of, caller=caller)
    land = c.land_area(parcels, caller=caller)
    if metrics is not None:
        _check_metrics(metrics, parcels, caller=caller)
    elif need_metrics:
        metrics = compute(
            parcels,
            buildings=buildings,
            policy=policy,
            land=land,
            land_uses=land_uses,
            storey_height_m=None,
            default_levels=None,
            caller=caller,
        )
    else:
        metrics = pd.DataFrame(index=parcels.index)
    zone_id, leading, zone_missing = zone_info(parcels, zones, caller=caller)
    return Inputs(
        parcels=parcels,
        policy=policy,
        as_of=day,
        scope=c.in_scope(parcels, land_uses),
        land=land,
        metrics=metrics,
        zone_id=zone_id,
        leading=leading,
        zone_missing=zone_missing,
        caller=caller,
        raster=_raster_input(raster_evidence, parcels, caller=caller),
    )


def prepare(
    parcels: Any,
    *,
    caller: str,
    as_of: Any,
    policy: PolicyLike,
    zones: Any = None,
    functional_areas: Any = None,
    buildings: Any = None,
    metrics: pd.DataFrame | None = None,
    land_uses: Sequence[str] | None = ("industrial",),
    need_metrics: bool = True,
    raster_evidence: pd.DataFrame | None = None,
) -> Inputs:
    """Check the layers once (:func:`check_layers`), then build the :class:`Inputs`.

    Parameters
    ----------
    parcels
        Parcels in a projected CRS.
    caller
        The public function the user called, named in every message.
    as_of
        Reference date (anything :func:`landuse._checks.resolve_as_of` reads).
    policy
        A Policy, a built-in profile name or a TOML path.
    zones, functional_areas, buildings
        The other layers, in the parcels' CRS (functional areas are only checked: the zone
        of a parcel is the zone holding its largest share).
    metrics
        What :func:`landuse.parcel_metrics` returned for these parcels, to reuse it.
    land_uses
        ``land_use`` values in scope; ``None``: every parcel.
    need_metrics
        Compute the metrics when ``metrics`` is not given (``False``: an empty frame).
    raster_evidence
        What :func:`landuse.raster_evidence` returned for these parcels.

    Returns
    -------
    Inputs
    """
    check_layers(
        parcels, caller=caller, zones=zones, functional_areas=functional_areas, buildings=buildings
    )
    return assemble(
        parcels,
        caller=caller,
        as_of=as_of,
        policy=policy,
        zones=zones,
        buildings=buildings,
        metrics=metrics,
        land_uses=land_uses,
        need_metrics=need_metrics,
        raster_evidence=raster_evidence,
    )


def _check_metrics(metrics: Any, parcels: gpd.GeoDataFrame, *, caller: str) -> None:
    if not isinstance(metrics, pd.DataFrame) or not metrics.index.equals(parcels.index):
        msg = (
            f"`metrics` passed to {caller}() must be the DataFrame parcel_metrics() returned "
            "for these parcels (same index); recompute it with "
            "landuse.parcel_metrics(parcels, ...)."
        )
        raise ValueError(msg)
    absent = [col for col in VALUE_COLUMNS if col not in metrics.columns]
    if absent:
        msg = (
            f"`metrics` passed to {caller}() lacks {', '.join(absent)}; pass what "
            "landuse.parcel_metrics() returns."
        )
        raise ValueError(msg)


_RASTER_FLAGS = ("vacant_by_raster", "dark_by_night_light")


def _raster_input(
    evidence: pd.DataFrame | None, parcels: gpd.GeoDataFrame, *, caller: str
) -> pd.DataFrame | None:
    """Check ``raster_evidence=`` and align it to the parcels (absent parcels: not evaluated)."""
    if evidence is None:
        return None
    fix = "pass what landuse.raster_evidence(parcels, ...) returned for these parcels."
    if not isinstance(evidence, pd.DataFrame):
        msg = f"`raster_evidence` passed to {caller}() must be a DataFrame; got {type(evidence).__name__}; {fix}"
        raise ValueError(msg)
    if not any(col in evidence.columns for col in _RASTER_FLAGS):
        msg = (
            f"`raster_evidence` passed to {caller}() has neither `vacant_by_raster` nor "
            f"`dark_by_night_light`; received columns {list(evidence.columns)}; {fix}"
        )
        raise ValueError(msg)
    if evidence.index.has_duplicates:
        dup = evidence.index[evidence.index.duplicated()].unique().tolist()
        msg = (
            f"`raster_evidence` passed to {caller}() repeats {len(dup)} parcel index values "
            f"({format_ids(dup)}); {fix}"
        )
        raise ValueError(msg)
    shared = parcels.index.isin(evidence.index)
    if len(parcels) and not shared.any():
        msg = (
            f"`raster_evidence` passed to {caller}() shares no index value with the "
            f"{len(parcels)} parcels (evidence index starts {format_ids(evidence.index[:3].tolist())}, "
            f"parcels {format_ids(parcels.index[:3].tolist())}); {fix}"
        )
        raise ValueError(msg)
    aligned = evidence.reindex(parcels.index)
    aligned.attrs = dict(evidence.attrs)
    return aligned
