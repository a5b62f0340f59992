"""Check whether new industrial land falls inside the cluster zones and their industrial areas.

The plan (青政字〔2019〕9号) says that, in principle, no industrial land quota is supplied
outside the key industrial cluster zones (原则上产业集聚区外不再供给工业用地指标), and that
commercial real estate must not squeeze industrial space. This module shows, per proposed
parcel, where it stands and by how much:

- :func:`check_new_land`: share of each proposal inside the zones and inside their industrial
  development areas (产业发展区), the zone holding most of it, the distance to the nearest zone,
  a verdict and a sentence saying why;
- :func:`outside_zone_summary`: count and 亩 of proposed industrial land outside the zones per
  district, the figure the city reports;
- :func:`find_encroachment`: commercial and residential parcels inside industrial development
  areas, with the area and share encroached.

Areas are exact (shapely/GEOS), not rasterised or sampled: an STRtree and vectorised ``covers``
/ ``intersects`` decide every parcel wholly inside or wholly outside, and only parcels that
cross a boundary get an intersection (see ``benchmarks/bench_compliance.py``).
"""

from __future__ import annotations

import functools
import logging
import os
import time
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landuse import _overlap
from landuse._checks import (
    Lang,
    PolicyLike,
    check_frame,
    check_lang,
    check_projected,
    check_same_crs,
    records_policy,
    resolve_policy,
)
from landuse._clip import drop_empty_rings
from landuse.compliance import _measure as _m
from landuse.compliance._text import (
    COLUMN_LABELS,
    VERDICTS,
    Facts,
    encroachment_texts,
    reason_texts,
)
from landuse.errors import LanduseWarning, SchemaError, format_ids
from landuse.policy import load_policy
from landuse.report import About, check_output_path, write_tables
from landuse.units import M2_PER_MU

__all__ = [
    "COLUMN_LABELS",
    "VERDICTS",
    "check_new_land",
    "find_encroachment",
    "outside_zone_summary",
    "write_compliance",
]

logger = logging.getLogger(__name__)

#: Default tolerances: data-quality allowances of landuse (``data_quality.compliance_tolerance_m2``
#: and ``_share`` of the national-2008 profile, inherited by qingdao-2019; see check_new_land Notes).
#: check_new_land reads them from the policy it is given; find_encroachment takes no policy.
DEFAULT_TOLERANCE_M2: float = load_policy("national-2008").data_quality.compliance_tolerance_m2
DEFAULT_TOLERANCE_SHARE: float = load_policy("national-2008").data_quality.compliance_tolerance_share

_RESULT_COLUMNS = (
    "zone_id",
    "share_in_zone",
    "area_outside_m2",
    "share_in_industrial_area",
    "area_type",
    "distance_to_zone_m",
    "nearest_zone_id",
    "verdict",
    "reason_text",
)


def _within(x: np.ndarray, area: np.ndarray, tolerance_m2: float, share: float) -> np.ndarray:
    """Whether an area ``x`` is small enough to ignore: ≤ tolerance_m2 AND ≤ share × area."""
    return (x <= tolerance_m2) & (x <= share * area)


class _Clock:
    """Log the time of each phase at DEBUG level (``logging.getLogger("landuse.compliance")``)."""

    def __init__(self, caller: str) -> None:
        self.caller = caller
        self.last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        logger.debug("%s: %s %.3f s", self.caller, phase, now - self.last)
        self.last = now


# --- check_new_land -------------------------------------------------------------------------------


@records_policy
def check_new_land(
    proposals: gpd.GeoDataFrame,
    *,
    zones: gpd.GeoDataFrame,
    functional_areas: gpd.GeoDataFrame | None = None,
    policy: PolicyLike,
    tolerance_m2: float | None = None,
    tolerance_share: float | None = None,
    industrial_uses: Collection[str] = ("industrial",),
    lang: Lang = "zh",
    n_jobs: int | None = None,
    progress: bool = False,
) -> gpd.GeoDataFrame:
    """Check proposed new industrial land against the cluster zones and their industrial areas.

    Parameters
    ----------
    proposals
        Proposed parcels (拟供地块, e.g. from :func:`landuse.read_proposals`): valid polygons or
        multipolygons with an area, in a projected CRS in metres. ``land_use`` is used when
        present; ``proposal_id`` names rows in messages.
    zones
        Cluster zones with ``zone_id``, same CRS. Zones may overlap (overlaps count once), be
        multipolygons, and have holes (land in a hole is outside).
    functional_areas
        Functional areas with ``area_type`` (``industrial`` 产业发展区, ``business``,
        ``residential``) and, optionally, ``zone_id``, same CRS. Without them the
        industrial-area rule is not evaluated (said in ``reason_text`` and ``attrs``). With a
        ``zone_id`` column, proposals in a zone that has no functional area are not checked
        against the rule either.
    policy
        The policy profile: a :class:`~landuse.policy.Policy`, a built-in profile name
        (``"qingdao-2019"``) or a path to a TOML profile. Required; its name is recorded in
        ``result.attrs["policy"]``. The rule itself has no numeric threshold.
    tolerance_m2, tolerance_share
        How much of a proposal may lie across a boundary and still be ignored: a part is
        ignored when it is at most ``tolerance_m2`` square metres **and** at most
        ``tolerance_share`` of the proposal. Default (``None``): the policy's
        ``data_quality.compliance_tolerance_m2`` and ``_share``, 100 m² and 0.01 in the built-in
        profiles (see Notes). Set both
        to 0 for a strict reading.
    industrial_uses
        Land uses the zone rule applies to (default ``("industrial",)``, 工业用地; add
        ``"logistics"`` where warehousing land is supplied from the same quota).
    lang
        Language of ``reason_text``: ``"zh"`` (default) or ``"en"``.
    n_jobs
        Threads (default: every CPU available); results do not depend on it.
    progress
        Show a progress bar (tqdm).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``proposals`` (same index, CRS and columns) with:

        ``zone_id``
            the zone holding the largest share (ties within 1e-9: the smaller id); missing
            when no zone holds any area;
        ``share_in_zone``
            area inside any zone ÷ proposal area (overlapping zones counted once), exact;
        ``area_outside_m2``
            area outside every zone, m²;
        ``share_in_industrial_area``
            area inside industrial development areas ÷ proposal area (NaN without
            ``functional_areas``);
        ``area_type``
            the functional-area type holding most of it (ties: alphabetical);
        ``distance_to_zone_m``
            distance to the nearest zone, m (0 inside or touching);
        ``nearest_zone_id``
            ``zone_id``, or for proposals outside, the nearest zone;
        ``verdict``
            categorical, one of :data:`VERDICTS` (see Notes);
        ``reason_text``
            one sentence saying where it stands and by how much.

        ``attrs``: ``policy``, ``tolerance_m2``, ``tolerance_share``, ``industrial_uses``,
        ``not_evaluated`` (rule → what is missing).

    Raises
    ------
    CRSError
        Any layer in a geographic or missing CRS, or layers in different CRSs.
    SchemaError
        ``zones`` empty or without ``zone_id``; ``functional_areas`` without a valid
        ``area_type``.
    GeometryError
        Proposals or zones with missing, empty, non-polygonal, invalid or zero-area geometry
        (all listed at once).
    TypeError, ValueError
        Wrong kinds of arguments (``policy`` not a Policy, a profile name or a path) or
        out-of-range options.
    PolicyError
        An unknown profile name or a malformed profile file.

    Warns
    -----
    LanduseWarning
        ``proposals`` has no ``land_use`` column (the use rule is not evaluated).

    See Also
    --------
    outside_zone_summary : count and 亩 outside the zones per district.
    find_encroachment : commercial / residential parcels in industrial areas.
    landuse.zones.assign_zones : zone and functional area of existing parcels.

    Notes
    -----
    **Verdicts, in order of precedence** (the first that applies):

    1. ``not_industrial_use``: ``land_use`` is known and not in ``industrial_uses``; the zone
       rule concerns industrial land, so the rest is not judged (the text still says how much
       lies in an industrial area).
    2. ``outside``: the part inside the zones is within tolerance (zero for a proposal that
       only touches a zone).
    3. ``straddles_boundary``: the part outside the zones exceeds the tolerance.
    4. ``wrong_functional_area``: inside the zones, but the part outside the industrial
       development areas exceeds the tolerance (evaluated only with functional areas).
    5. ``inside_within_tolerance``: inside, with a part outside (the zones or the industrial
       area) that the tolerance ignores — or not *proven* to be wholly inside.
    6. ``inside``: wholly inside a zone (and its industrial area), proven by ``covers``.

    **Tolerance defaults.** They are data-quality allowances, not policy numbers: the plan
    gives no tolerance (it says 原则上, "in principle"). Proposal outlines and zone
    boundaries are drawn from different sources (cadastral survey vs. planning drawings),
    so a boundary that is meant to be shared shows up as a thin sliver. A 1 m wide sliver
    along a 100 m edge is 100 m², 1 % of a 1 ha (15 亩) parcel. Requiring both limits keeps
    the allowance small for large parcels (a sliver, not 1 % of 30 ha) and for small ones (a
    ≤ 1 % sliver, not 100 m² of a 300 m² parcel). Change them to match the accuracy of your
    data; set both to 0 to count every square metre.

    **Exactness.** A proposal inside a zone is decided by GEOS ``covers`` (no area arithmetic),
    so ``inside`` means exactly inside; parts across boundaries are measured by clipping
    (convex proposals) or ``shapely.intersection``, agreeing with ``geopandas.overlay`` to
    ~1e-10 of the proposal's area (tested: within 1e-9 of the area plus a strip one
    floating-point step of the coordinates wide along the perimeter — at zone-prefixed
    eastings of 4e7 m a vertex is only known to 7.5e-9 m, so a 5 cm proposal there agrees to
    ~1e-8). A proposal that does not reach a zone gets exactly 0 (tiny clipped areas are
    confirmed with an exact intersection).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> zones = gpd.GeoDataFrame({"zone_id": ["QD01"]}, geometry=[shapely.box(0, 0, 1000, 1000)],
    ...                          crs="EPSG:4549")
    >>> proposals = gpd.GeoDataFrame(
    ...     {"proposal_id": ["N1", "N2", "N3"], "land_use": ["industrial"] * 3},
    ...     geometry=[shapely.box(100, 100, 200, 200), shapely.box(950, 0, 1050, 100),
    ...               shapely.box(1200, 0, 1300, 100)], crs="EPSG:4549")
    >>> report = check_new_land(proposals, zones=zones, policy="qingdao-2019", lang="en")
    >>> report[["zone_id", "share_in_zone", "area_outside_m2", "distance_to_zone_m"]]
      zone_id  share_in_zone  area_outside_m2  distance_to_zone_m
    0    QD01            1.0              0.0                 0.0
    1    QD01            0.5           5000.0                 0.0
    2     NaN            0.0          10000.0               200.0
    >>> report["verdict"].tolist()
    ['inside', 'straddles_boundary', 'outside']
    >>> print(report["reason_text"][1])
    straddles the zone boundary: 50 % inside zone QD01, 7.5 mu (50 %) outside; functional areas not given: industrial area not checked
    """
    caller = "check_new_land"
    clock = _Clock(caller)
    policy = resolve_policy(policy, caller=caller)
    lang = check_lang(lang, caller=caller)
    if tolerance_m2 is None:
        tolerance_m2 = policy.require("data_quality.compliance_tolerance_m2")
    if tolerance_share is None:
        tolerance_share = policy.require("data_quality.compliance_tolerance_share")
    uses, zone_ids, kinds = _check_new_land_args(
        proposals, zones, functional_areas, tolerance_m2, tolerance_share, industrial_uses, caller
    )
    clock.lap("arguments")
    use = _ProposalUses.of(proposals, uses)
    not_evaluated = dict(use.not_evaluated)
    if functional_areas is None:
        not_evaluated["wrong_functional_area"] = ["functional_areas"]
    layers = _index_layers(zones, zone_ids, functional_areas, kinds)
    clock.lap("layer indexes")
    judging = _Judging(
        layers=layers, uses=use, tolerance_m2=tolerance_m2, tolerance_share=tolerance_share,
        lang=lang,
    )  # fmt: skip
    got = _m.measure(
        proposals.geometry.to_numpy(), layers.zones, layers.areas, tiles=layers.tiles,
        n_jobs=n_jobs, progress=progress, caller=caller,
        finish=functools.partial(_judge, judging=judging),
    )  # fmt: skip
    _m.raise_geometry_problems(
        got, proposals, name="proposals", caller=caller, id_column="proposal_id",
        require_area=True,
    )  # fmt: skip
    if "not_industrial_use" in not_evaluated:
        warnings.warn(
            f"{caller}: `proposals` has no `land_use` column, so whether each proposal is "
            "industrial land is not checked (every proposal is judged as industrial). Add the "
            "column, or read the layer with landuse.read_proposals.",
            LanduseWarning,
            stacklevel=2,
        )
    clock.lap("measuring")
    result = _result_frame(proposals, got, layers)
    result.attrs = {
        "policy": policy.name,
        "tolerance_m2": float(tolerance_m2),
        "tolerance_share": float(tolerance_share),
        "industrial_uses": list(uses),
        "not_evaluated": not_evaluated,
    }
    clock.lap("result frame")
    return result


def _check_new_land_args(
    proposals: Any,
    zones: Any,
    functional_areas: Any,
    tolerance_m2: float,
    tolerance_share: float,
    industrial_uses: Collection[str],
    caller: str,
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray | None]:
    """Check the layers and options; return the uses, the zone ids and the area types."""
    check_frame(proposals, name="proposals", caller=caller)
    check_frame(zones, name="zones", caller=caller)
    _m.check_tolerances(tolerance_m2, tolerance_share, caller)
    uses = _m.check_uses(industrial_uses, "industrial_uses", caller)
    check_projected(proposals, name="proposals", caller=caller)
    check_projected(zones, name="zones", caller=caller)
    check_same_crs(proposals, zones, names=("proposals", "zones"), caller=caller)
    if functional_areas is not None:
        check_frame(functional_areas, name="functional_areas", caller=caller)
        check_projected(functional_areas, name="functional_areas", caller=caller)
        check_same_crs(
            proposals, functional_areas, names=("proposals", "functional_areas"), caller=caller
        )
    zone_ids = _m.check_zones(zones, caller)
    kinds = None if functional_areas is None else _m.check_areas(functional_areas, caller)
    return uses, zone_ids, kinds


@dataclass(frozen=True)
class _ProposalUses:
    """The normalised land use of every proposal (``not_evaluated``: the rule it cannot check)."""

    land_use: pa.Array  # null where unknown
    known: np.ndarray
    other_use: np.ndarray  # known and not one of the industrial uses
    not_evaluated: dict[str, list[str]]

    @classmethod
    def of(cls, proposals: gpd.GeoDataFrame, uses: tuple[str, ...]) -> _ProposalUses:
        not_evaluated: dict[str, list[str]] = {}
        if "land_use" in proposals.columns:
            land_use = _m.land_uses(proposals)
        else:
            land_use = pa.nulls(len(proposals), type=pa.string())
            not_evaluated["not_industrial_use"] = ["land_use"]
        known = np.asarray(pc.is_valid(land_use).to_numpy(zero_copy_only=False), dtype=bool)
        other_use = known & ~_m.is_in(land_use, uses)
        return cls(land_use, known, other_use, not_evaluated)


@dataclass(frozen=True)
class _IndexedLayers:
    """Zones and functional areas indexed for measuring."""

    zones: _overlap.LayerIndex
    areas: _overlap.LayerIndex | None  # None: no functional areas given
    tiles: np.ndarray | None  # zone code of each functional area when they tile the zones
    lacking: np.ndarray  # per zone: it has no functional areas


def _index_layers(
    zones: gpd.GeoDataFrame,
    zone_ids: np.ndarray,
    functional_areas: gpd.GeoDataFrame | None,
    kinds: np.ndarray | None,
) -> _IndexedLayers:
    """Build the layer indexes, and find whether the functional areas tile the zones."""
    zone_geoms = drop_empty_rings(zones.geometry.to_numpy())
    zl = _overlap.LayerIndex.build(zone_geoms, zone_ids)
    fl = None
    tiles = None
    lacking = np.zeros(len(zl.labels), dtype=bool)
    if functional_areas is not None and kinds is not None:
        fl = _overlap.LayerIndex.build(functional_areas.geometry.to_numpy(), kinds)
        if "zone_id" in functional_areas.columns:
            fa_zone = functional_areas["zone_id"].astype(object).to_numpy()
            lacking = ~np.isin(zl.labels, pd.unique(fa_zone[~pd.isna(fa_zone)]).astype(str))
            if not pd.isna(fa_zone).any():
                tiles = _m.tiling(zl, zone_geoms, fl, fa_zone.astype(str).astype(object))
    return _IndexedLayers(zones=zl, areas=fl, tiles=tiles, lacking=lacking)


@dataclass(frozen=True)
class _Judging:
    """What :func:`_judge` needs besides a chunk's measurements."""

    layers: _IndexedLayers
    uses: _ProposalUses
    tolerance_m2: float
    tolerance_share: float
    lang: Lang


_CODE = {v: i for i, v in enumerate(VERDICTS)}


def _industrial_part(
    got: dict[str, Any], area: np.ndarray, layers: _IndexedLayers
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pa.Array]:
    """Area outside industrial areas, share inside, whether checked, main area type."""
    m = len(area)
    if layers.areas is None:
        nan = np.full(m, np.nan)
        return nan, nan.copy(), np.ones(m, dtype=np.int64), pa.nulls(m, type=pa.string())
    in_ind = np.minimum(got["in_industrial"], area)
    non_ind = np.where(got["exact_industrial"], 0.0, np.maximum(area - in_ind, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        share_ind = in_ind / area
    # 0 evaluated, 2 the proposal's zone has no functional areas
    state = np.where((got["zone"] >= 0) & layers.lacking[np.maximum(got["zone"], 0)], 2, 0)
    return non_ind, share_ind, state, _m.labels(got["area_type"], layers.areas.labels)


def _judge(s: slice, got: dict[str, Any], *, judging: _Judging) -> dict[str, Any]:
    """Verdict and sentence of the proposals in ``s`` (runs in the measuring thread)."""
    j, layers = judging, judging.layers
    area = got["area"]
    in_zone = np.minimum(got["in_zone"], area)
    outside_m2 = np.where(got["exact_zone"], 0.0, np.maximum(area - in_zone, 0.0))
    non_ind, share_ind, state, kind = _industrial_part(got, area, layers)
    checked = state == 0
    out_ok = _within(in_zone, area, j.tolerance_m2, j.tolerance_share)
    off_ok = _within(outside_m2, area, j.tolerance_m2, j.tolerance_share)
    ind_ok = ~checked | _within(np.nan_to_num(non_ind), area, j.tolerance_m2, j.tolerance_share)
    proven = got["exact_zone"] & (~checked | (non_ind == 0))
    verdict = np.full(len(area), _CODE["inside"], dtype=np.int8)
    verdict[~proven] = _CODE["inside_within_tolerance"]
    verdict[~ind_ok] = _CODE["wrong_functional_area"]
    verdict[~off_ok] = _CODE["straddles_boundary"]
    verdict[out_ok] = _CODE["outside"]
    verdict[j.uses.other_use[s]] = _CODE["not_industrial_use"]
    with np.errstate(invalid="ignore", divide="ignore"):
        share_in_zone = in_zone / area
    facts = Facts(
        verdict=verdict,
        area_m2=area,
        zone_id=_m.labels(got["zone"], layers.zones.labels),
        nearest_zone_id=_m.labels(got["nearest"], layers.zones.labels),
        share_in_zone=share_in_zone,
        area_outside_m2=outside_m2,
        share_in_industrial_area=share_ind,
        area_outside_industrial_m2=non_ind,
        area_type=kind,
        land_use=j.uses.land_use.slice(s.start, len(area)),
        distance_m=got["distance"],
        areas_state=state,
        use_known=j.uses.known[s],
    )
    text = reason_texts(
        facts, lang=j.lang, tolerance_m2=j.tolerance_m2, tolerance_share=j.tolerance_share
    )
    return {
        "share_in_zone": share_in_zone,
        "area_outside_m2": outside_m2,
        "share_in_industrial_area": share_ind,
        "verdict": verdict,
        "text": text,
    }


def _result_frame(
    proposals: gpd.GeoDataFrame, got: dict[str, Any], layers: _IndexedLayers
) -> gpd.GeoDataFrame:
    """Return a shallow copy of ``proposals`` with the result columns (input untouched)."""
    result = proposals.copy(deep=False)
    result = result.drop(columns=[c for c in _RESULT_COLUMNS if c in result.columns])
    zl, fl = layers.zones, layers.areas
    kind = (
        _m.labels(got["area_type"], fl.labels)
        if fl is not None
        else pa.nulls(len(proposals), type=pa.string())
    )
    values: dict[str, Any] = {
        "zone_id": pd.array(_m.labels(got["zone"], zl.labels), dtype="str"),
        "share_in_zone": got["share_in_zone"],
        "area_outside_m2": got["area_outside_m2"],
        "share_in_industrial_area": got["share_in_industrial_area"],
        "area_type": pd.array(kind, dtype="str"),
        "distance_to_zone_m": got["distance"],
        "nearest_zone_id": pd.array(_m.labels(got["nearest"], zl.labels), dtype="str"),
        "verdict": pd.Categorical.from_codes(got["verdict"], categories=list(VERDICTS)),
        "reason_text": pd.array(got["text"], dtype="str"),
    }
    # new columns go before the geometry column, if that is last (inserting copies nothing)
    at = result.columns.get_loc(result.geometry.name)
    at = at if at == len(result.columns) - 1 else len(result.columns)
    for name, value in values.items():
        result.insert(at, name, value)
        at += 1
    return result


# --- outside_zone_summary -------------------------------------------------------------------------


@records_policy
def outside_zone_summary(
    report: gpd.GeoDataFrame,
    *,
    by: str = "district",
    total: bool = True,
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Count and 亩 of proposed industrial land outside the zones, per district.

    Parameters
    ----------
    report
        The result of :func:`check_new_land`.
    by
        Column to group by (default ``"district"``; ``"nearest_zone_id"`` groups by the
        nearest zone).
    total
        Add a last row with the totals, labelled ``合计`` (``"total"`` with ``lang="en"``).
    lang
        Language of the total row's label.

    Returns
    -------
    pandas.DataFrame
        One row per value of ``by`` (missing values grouped as one row), counting only
        proposals judged as industrial land (verdict not ``not_industrial_use``):
        ``proposals`` (count), ``outside`` (verdict ``outside``), ``straddling``
        (``straddles_boundary``), ``outside_or_straddling``, ``area_mu`` (area of all these
        proposals, 亩), ``area_outside_mu`` (area outside the zones of the ``outside`` and
        ``straddling`` proposals, 亩; within-tolerance slivers are not counted) and
        ``share_outside`` (``area_outside_mu`` ÷ ``area_mu``). ``attrs["policy"]`` is copied.

    Raises
    ------
    SchemaError
        ``report`` is not a check_new_land result, or has no ``by`` column.

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> report = check_new_land(s.proposals, zones=s.zones, functional_areas=s.functional_areas,
    ...                         policy="qingdao-2019")
    >>> table = outside_zone_summary(report)
    >>> table.loc["合计", ["proposals", "outside", "straddling"]].tolist()
    [126, 33, 29]
    """
    caller = "outside_zone_summary"
    lang = check_lang(lang, caller=caller)
    return _summary(report, by=by, total=total, lang=lang, caller=caller)


def _summary(
    report: gpd.GeoDataFrame, *, by: str, total: bool, lang: Lang, caller: str
) -> pd.DataFrame:
    """:func:`outside_zone_summary` with arguments checked, for ``caller``."""
    _check_report(report, by, caller)
    verdict = report["verdict"].astype(str).to_numpy()
    keep = verdict != "not_industrial_use"
    area_mu = np.asarray(report.geometry.area, dtype=np.float64) / M2_PER_MU
    flagged = np.isin(verdict, ("outside", "straddles_boundary"))
    frame = pd.DataFrame(
        {
            "key": report[by].to_numpy(dtype=object),
            "proposals": 1,
            "outside": verdict == "outside",
            "straddling": verdict == "straddles_boundary",
            "outside_or_straddling": flagged,
            "area_mu": area_mu,
            "area_outside_mu": np.where(
                flagged, report["area_outside_m2"].to_numpy(dtype=np.float64) / M2_PER_MU, 0.0
            ),
        }
    )[keep]
    table = frame.groupby("key", dropna=False, sort=True).sum()
    table.index.name = by
    if total:
        label = "合计" if lang == "zh" else "total"
        table.loc[label] = frame.drop(columns="key").sum()
    for c in ("proposals", "outside", "straddling", "outside_or_straddling"):
        table[c] = table[c].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share_outside"] = table["area_outside_mu"] / table["area_mu"]
    table.attrs = {"policy": report.attrs.get("policy")}
    return table


def _check_report(report: Any, by: str, caller: str) -> None:
    """``report`` must be a check_new_land result with a ``by`` column."""
    if not isinstance(report, gpd.GeoDataFrame):
        msg = (
            f"{caller}: `report` must be the GeoDataFrame returned by check_new_land; "
            f"received {type(report).__name__}."
        )
        raise TypeError(msg)
    need = [c for c in ("verdict", "area_outside_m2") if c not in report.columns]
    if need:
        msg = (
            f"{caller}: `report` lacks {', '.join(f'`{c}`' for c in need)}; pass the result of "
            "landuse.check_new_land(proposals, zones=..., policy=...)."
        )
        raise SchemaError(msg)
    if by not in report.columns:
        msg = (
            f"{caller}: `report` has no `{by}` column to group by; received columns "
            f"{[c for c in report.columns if c != report.geometry.name]}. Pass by='nearest_zone_id' "
            "or add the column to the proposals."
        )
        raise SchemaError(msg)


# --- find_encroachment ----------------------------------------------------------------------------


@records_policy
def find_encroachment(
    parcels: gpd.GeoDataFrame,
    *,
    functional_areas: gpd.GeoDataFrame,
    uses: Collection[str] = ("commercial", "residential"),
    tolerance_m2: float = DEFAULT_TOLERANCE_M2,
    tolerance_share: float = DEFAULT_TOLERANCE_SHARE,
    lang: Lang = "zh",
    n_jobs: int | None = None,
    progress: bool = False,
) -> gpd.GeoDataFrame:
    """Find non-industrial uses (commercial, residential) inside industrial development areas.

    Parameters
    ----------
    parcels
        Parcels with ``land_use`` (e.g. :func:`landuse.read_parcels`), projected CRS in metres.
    functional_areas
        Functional areas with ``area_type`` (only ``industrial`` 产业发展区 are used) and
        optionally ``zone_id``, same CRS.
    uses
        Land uses that encroach (default commercial and residential: the plan's "commercial
        real estate must not squeeze industrial space").
    tolerance_m2, tolerance_share
        A parcel is listed when its part inside industrial areas exceeds ``tolerance_m2`` m²
        **or** ``tolerance_share`` of the parcel, so boundary slivers from digitising are not
        listed (same defaults and reasoning as :func:`check_new_land`; 0 and 0 list any
        overlap).
    lang
        Language of ``reason_text``.
    n_jobs, progress
        Threads (default all CPUs) and a progress bar.

    Returns
    -------
    geopandas.GeoDataFrame
        The encroaching parcels (a filtered copy, same index and CRS) with ``zone_id`` (the
        zone whose industrial area holds most of it, when functional areas carry
        ``zone_id``), ``area_encroached_m2``, ``area_encroached_mu``, ``share_encroached``
        (÷ parcel area), ``reasons`` (code ``<use>_in_industrial_area``) and ``reason_text``.
        ``attrs``: ``checked`` (parcels of these uses), ``not_evaluated`` (parcels with no
        ``land_use``).

    Raises
    ------
    SchemaError
        No ``land_use`` column in ``parcels``; functional areas without ``area_type``.
    CRSError
        Geographic, missing or differing CRS.
    GeometryError
        Candidate parcels with missing, invalid or non-polygonal geometry.

    Warns
    -----
    LanduseWarning
        Parcels without a land use (not checked; ids listed).

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> found = find_encroachment(s.parcels, functional_areas=s.functional_areas)
    >>> found["reasons"].value_counts().sort_index().to_dict()
    {'commercial_in_industrial_area': 28, 'residential_in_industrial_area': 14}
    """
    caller = "find_encroachment"
    lang = check_lang(lang, caller=caller)
    use_set, kinds = _check_encroachment_args(
        parcels, functional_areas, uses, tolerance_m2, tolerance_share, caller
    )
    land_use = _m.land_uses(parcels)
    unknown = np.flatnonzero(pc.is_null(land_use).to_numpy(zero_copy_only=False))
    if len(unknown):
        warnings.warn(
            f"{caller}: {len(unknown)} of {len(parcels)} parcels have no land use and are not "
            f"checked ({format_ids(_m.ids_of(parcels, 'parcel_id')[unknown])}).",
            LanduseWarning,
            stacklevel=2,
        )
    candidates = np.flatnonzero(_m.is_in(land_use, use_set))
    sub = parcels.iloc[candidates]
    area = _m.check_polygons(
        sub, name="parcels", caller=caller, id_column="parcel_id", n_jobs=n_jobs, require_area=False
    )
    fa = functional_areas[kinds == "industrial"]
    attrs: dict[str, Any] = {
        "checked": len(candidates),
        "not_evaluated": len(unknown),
        "tolerance_m2": float(tolerance_m2),
        "tolerance_share": float(tolerance_share),
    }
    if len(fa) == 0 or len(sub) == 0:
        out = _no_encroachment(sub)
    else:
        inside, zone_codes, labels = _encroached_area(
            sub, area, fa, n_jobs=n_jobs, progress=progress, caller=caller
        )
        out = _encroachment_frame(
            sub, area, inside, zone_codes, labels, land_use.take(pa.array(candidates)),
            tolerance_m2=tolerance_m2, tolerance_share=tolerance_share, lang=lang,
        )  # fmt: skip
    out.attrs = attrs
    return out


def _check_encroachment_args(
    parcels: Any,
    functional_areas: Any,
    uses: Collection[str],
    tolerance_m2: float,
    tolerance_share: float,
    caller: str,
) -> tuple[tuple[str, ...], np.ndarray]:
    """Check the layers and options; return the uses and the functional-area types."""
    check_frame(parcels, name="parcels", caller=caller)
    check_frame(functional_areas, name="functional_areas", caller=caller)
    _m.check_tolerances(tolerance_m2, tolerance_share, caller)
    use_set = _m.check_uses(uses, "uses", caller)
    check_projected(parcels, name="parcels", caller=caller)
    check_projected(functional_areas, name="functional_areas", caller=caller)
    check_same_crs(parcels, functional_areas, names=("parcels", "functional_areas"), caller=caller)
    if "land_use" not in parcels.columns:
        msg = (
            f"{caller}: `parcels` needs a `land_use` column to tell commercial and residential "
            f"parcels apart; received columns {[c for c in parcels.columns if c != parcels.geometry.name]}. "
            "Read them with landuse.read_parcels (用途 / 土地用途 are recognised)."
        )
        raise SchemaError(msg)
    return use_set, _m.check_areas(functional_areas, caller)


def _no_encroachment(sub: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return an empty result with the result columns."""
    out = sub.iloc[:0].copy()
    for c, dtype in (
        ("zone_id", "str"),
        ("area_encroached_m2", "float64"),
        ("area_encroached_mu", "float64"),
        ("share_encroached", "float64"),
        ("reasons", "str"),
        ("reason_text", "str"),
    ):
        out[c] = pd.Series(dtype=dtype)
    return out


def _encroached_area(
    sub: gpd.GeoDataFrame,
    area: np.ndarray,
    fa: gpd.GeoDataFrame,
    *,
    n_jobs: int | None,
    progress: bool,
    caller: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Area of each parcel inside the industrial areas ``fa``, with the zone holding most of it.

    Returns the areas, the zone codes (-1: none, or the areas carry no ``zone_id``) and the
    zone labels of the codes.
    """
    has_zone = "zone_id" in fa.columns
    labels = (
        fa["zone_id"].astype(object).fillna("").astype(str).to_numpy(dtype=object)
        if has_zone
        else np.full(len(fa), "", dtype=object)
    )
    layer = _overlap.LayerIndex.build(fa.geometry.to_numpy(), labels)
    geoms = sub.geometry.to_numpy()

    def work(s: slice) -> dict[str, Any]:
        P = geoms[s]
        A = area[s]
        p = _overlap.pairs(P, A, layer, skip_covered=True)
        zone, _, inside = _overlap.largest_and_union(p, P, A, layer)
        return {"zone": zone, "inside": inside}

    got = _overlap.run_chunks(work, len(sub), n_jobs=n_jobs, progress=progress, desc=caller)
    zone_codes = got["zone"]
    if not has_zone:
        zone_codes = np.full(len(sub), -1, dtype=np.int64)
    else:
        zone_codes = np.where(layer.labels[np.maximum(zone_codes, 0)] == "", -1, zone_codes)
    return np.minimum(got["inside"], area), zone_codes, layer.labels


def _encroachment_frame(
    sub: gpd.GeoDataFrame,
    area: np.ndarray,
    inside: np.ndarray,
    zone_codes: np.ndarray,
    labels: np.ndarray,
    land_use: pa.Array,
    *,
    tolerance_m2: float,
    tolerance_share: float,
    lang: Lang,
) -> gpd.GeoDataFrame:
    """Return the parcels whose part inside industrial areas exceeds the tolerance."""
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(area > 0, inside / area, 0.0)
    hit = (inside > 0) & ~_within(inside, area, tolerance_m2, tolerance_share)
    pos = np.flatnonzero(hit)
    out = sub.iloc[pos].copy()
    zone = _m.labels(zone_codes[pos], labels)
    use = land_use.take(pa.array(pos))
    out["zone_id"] = pd.array(zone, dtype="str")
    out["area_encroached_m2"] = inside[pos]
    out["area_encroached_mu"] = inside[pos] / M2_PER_MU
    out["share_encroached"] = share[pos]
    out["reasons"] = pd.array(
        pc.binary_join_element_wise(use, "_in_industrial_area", ""), dtype="str"
    )
    out["reason_text"] = pd.array(
        encroachment_texts(use, zone, inside[pos], share[pos], lang=lang), dtype="str"
    )
    return out


# --- writing -------------------------------------------------------------------------------------


def write_compliance(
    report: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    by: str = "district",
    lang: Lang = "zh",
    formula_guard: bool = True,
    sources: Sequence[str] = (),
) -> list[Path]:
    """Write a compliance report and its outside-zone summary, in the format the path names.

    Through the one output layer (:func:`landuse.report.write_tables`): Chinese headers and
    verdicts by default (English with ``lang="en"``), the codes kept in ``verdict_code`` and
    ``area_type_code``; every file written atomically.

    Parameters
    ----------
    report
        The result of :func:`check_new_land`.
    path
        ``.xlsx``: sheets 新增工业用地合规 and 集聚区外汇总 (styled, filtered, shares as %)
        and a 说明 sheet; ``.csv``: the report without geometry (UTF-8 with BOM, opens in
        Excel) plus ``<name>_summary.csv``; ``.gpkg``: layers ``compliance`` (geometry,
        Chinese field aliases and a QGIS style coloured by verdict) and
        ``outside_zone_summary`` (an existing GeoPackage keeps its other layers);
        ``.parquet``: GeoParquet plus ``<name>_summary.parquet``.
    by, lang
        As in :func:`outside_zone_summary`.
    formula_guard
        CSV only: text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
        return get a leading ``'`` so Excel or LibreOffice shows them as text instead of
        running them as formulas (the OWASP rule against CSV injection). ``False`` writes
        the text unchanged, for programs that read the CSV. Excel files never need it:
        every text cell is written as a string cell, never a formula.
    sources
        Input files named on the workbook's 说明 sheet.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    landuse.report.OutputError
        Unsupported file type (nothing is written).

    Examples
    --------
    >>> import tempfile, landuse
    >>> from pathlib import Path
    >>> s = landuse.load_sample()
    >>> report = check_new_land(s.proposals, zones=s.zones, functional_areas=s.functional_areas,
    ...                         policy="qingdao-2019")
    >>> out = Path(tempfile.mkdtemp())
    >>> [p.name for p in write_compliance(report, out / "check.csv")]
    ['check.csv', 'check_summary.csv']
    >>> pd.read_csv(out / "check.csv").columns[-5:].tolist()
    ['判定结果', '认定原因', '用途类别代码', '功能分区代码', '判定结果代码']
    """
    caller = "write_compliance"
    lang = check_lang(lang, caller=caller)
    target = check_output_path(path, caller=caller)
    summary = _summary(report, by=by, total=True, lang=lang, caller=caller).reset_index()
    summary[by] = summary[by].astype(str)
    zh = lang == "zh"
    names = ("新增工业用地合规", "集聚区外汇总") if zh else ("compliance", "outside zones")
    if target.suffix.lower() != ".xlsx":
        names = ("compliance", "outside_zone_summary" if target.suffix == ".gpkg" else "summary")
    inside = int((report["verdict"].astype(str) == "inside").sum())
    about = About(
        title="新增工业用地合规审查" if zh else "New industrial land compliance",
        policy=report.attrs.get("policy"),
        sources=tuple(map(str, sources)),
        notes=(
            (f"拟供地块 {len(report)} 宗，其中位于集聚区内 {inside} 宗；汇总表按“{by}”分组"
             if zh else f"{len(report)} proposals, {inside} inside the zones; summary by `{by}`"),
        ),
    )  # fmt: skip
    return write_tables(
        {names[0]: report, names[1]: summary},
        target,
        lang=lang,
        about=about,
        formula_guard=formula_guard,
        caller=caller,
    )
