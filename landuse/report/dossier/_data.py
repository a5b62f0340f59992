"""The layers a report is made from (:class:`ReportData`) and the analyses run once for all pages.

:func:`build_context` runs every expensive analysis ONCE for all zones (the assessment of each
year available, the project bank, the new-land check, the standard-land check, the enterprise
evaluation, the zone of each parcel); the pages are then rendered from slices of it.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse._checks import Lang, check_lang, resolve_as_of, resolve_policy
from landuse.assessment import assess_zones, tier_progress
from landuse.bank import ProjectBank, build_project_bank
from landuse.compliance import check_new_land
from landuse.efficiency import grade_enterprises
from landuse.enterprise import evaluate_enterprises
from landuse.errors import LanduseError, SchemaError
from landuse.policy import Policy
from landuse.report._policy import frames_policy, parameter_table
from landuse.report.dossier._common import not_evaluated_texts
from landuse.supply import check_standard_land
from landuse.zones import assign_zones

__all__ = ["Context", "ReportData", "build_context"]

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ReportData:
    """The layers a zone dossier and the city report are made from.

    :func:`landuse.load_sample` returns one (:class:`landuse.datasets.Sample` is a ReportData).

    Attributes
    ----------
    zones
        Zones (``zone_id``, ``name``, ``district``, ``leading_industry``, optional
        ``tier_target``), projected CRS, as :func:`landuse.read_zones` returns them.
    functional_areas
        Functional areas (``zone_id``, ``area_type``) or ``None``.
    parcels
        Parcels (:func:`landuse.read_parcels`).
    buildings
        Buildings or ``None``.
    proposals
        New-land proposals (:func:`landuse.read_proposals`) or ``None``.
    zone_stats
        Yearly zone statistics (:func:`landuse.read_zone_stats`).
    rasters
        ``{name: path}`` of rasters (not used by the pages yet).
    enterprises, tenancies
        Enterprise-year table and tenancies (:func:`landuse.read_enterprises`), or ``None``.
    as_of
        The data's reference date, or ``None``.
    bank
        The project bank: a :class:`~landuse.bank.ProjectBank` store, a candidates frame of
        :func:`landuse.build_project_bank`, or ``None`` (the report builds one).

    Examples
    --------
    >>> import landuse
    >>> isinstance(landuse.load_sample(), ReportData)
    True
    """

    zones: gpd.GeoDataFrame
    functional_areas: gpd.GeoDataFrame | None
    parcels: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame | None
    proposals: gpd.GeoDataFrame | None
    zone_stats: pd.DataFrame
    rasters: Mapping[str, Path] = dataclasses.field(default_factory=dict)
    enterprises: pd.DataFrame | None = None
    tenancies: pd.DataFrame | None = None
    as_of: pd.Timestamp | None = None
    bank: ProjectBank | pd.DataFrame | None = None


@dataclasses.dataclass
class Context:
    """Everything the pages show, computed once (see :func:`build_context`)."""

    data: ReportData
    policy: Policy
    year: int
    as_of: pd.Timestamp
    lang: Lang
    years: list[int]
    assessments: dict[int, pd.DataFrame]
    assessment_errors: dict[int, str]
    bank: gpd.GeoDataFrame | None
    bank_note: str
    bank_error: str | None
    compliance: gpd.GeoDataFrame | None
    standard_land: pd.DataFrame | None
    enterprises: pd.DataFrame | None
    enterprise_error: str | None
    parcel_zone: pd.Series
    parcel_grade: pd.Series
    messages: list[tuple[str, str]]
    parameters: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    not_evaluated: list[str] = dataclasses.field(default_factory=list)
    benchmarks: dict[int, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    notice: str | None = None
    parcels: gpd.GeoDataFrame | None = None
    enterprise_zones: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    targets: Any = None
    tier_progress: pd.DataFrame | None = None

    @property
    def assessment(self) -> pd.DataFrame | None:
        """The assessment of the report's year (``None`` when it could not be made)."""
        return self.assessments.get(self.year)

    @property
    def previous(self) -> pd.DataFrame | None:
        """The assessment of the year before, if made."""
        return self.assessments.get(self.year - 1)

    @functools.cached_property
    def _parcel_rows(self) -> dict[str, np.ndarray]:
        zone = pd.Series(self.parcel_zone.to_numpy(dtype=object)).astype(str)
        zone[pd.isna(self.parcel_zone.to_numpy(dtype=object))] = "\x00"
        return zone.groupby(zone.to_numpy(), sort=False).indices

    @functools.cached_property
    def _bank_rows(self) -> dict[str, np.ndarray]:
        if self.bank is None or "zone_id" not in self.bank:
            return {}
        zone = self.bank["zone_id"].astype(object).where(self.bank["zone_id"].notna(), "\x00")
        return pd.Series(zone.astype(str).to_numpy()).groupby(zone.astype(str).to_numpy()).indices

    @functools.cached_property
    def _proposal_rows(self) -> dict[str, np.ndarray]:
        if self.compliance is None:
            return {}
        report = self.compliance
        zone = (
            report["zone_id"]
            .astype(object)
            .where(report["zone_id"].notna(), report["nearest_zone_id"].astype(object))
        )
        zone = zone.where(zone.notna(), "\x00").astype(str).to_numpy()
        return pd.Series(zone).groupby(zone).indices

    @functools.cached_property
    def _assessment_rows(self) -> dict[int, pd.DataFrame]:
        return {
            y: a.assign(_key=a["zone_id"].astype(str)).set_index("_key")
            for y, a in self.assessments.items()
        }

    def parcels_of(self, zone_id: str) -> gpd.GeoDataFrame:
        """The parcels placed in the zone."""
        rows = self._parcel_rows.get(str(zone_id), np.array([], dtype=int))
        parcels = self.parcels if self.parcels is not None else self.data.parcels
        return parcels.iloc[rows]

    def bank_of(self, zone_id: str) -> gpd.GeoDataFrame | None:
        """The zone's bank entries (``None`` when there is no bank)."""
        if self.bank is None:
            return None
        return self.bank.iloc[self._bank_rows.get(str(zone_id), np.array([], dtype=int))]

    def proposals_of(self, zone_id: str) -> gpd.GeoDataFrame | None:
        """The checked proposals in the zone, or outside it with the zone as the nearest."""
        if self.compliance is None:
            return None
        rows = self._proposal_rows.get(str(zone_id), np.array([], dtype=int))
        return self.compliance.iloc[rows]

    def firms_of(self, zone_id: str) -> pd.DataFrame | None:
        """The enterprises evaluated on land in the zone (``None`` without enterprise data)."""
        if self.enterprises is None:
            return None
        pairs = self.enterprise_zones
        codes = pairs.loc[pairs["zone_id"].astype(str) == str(zone_id), "credit_code"]
        return self.enterprises.loc[self.enterprises.index.isin(codes)]

    def assessment_row(self, year: int, zone_id: str) -> pd.Series | None:
        """The zone's row of the year's assessment (``None`` when absent)."""
        table = self._assessment_rows.get(year)
        if table is None or str(zone_id) not in table.index:
            return None
        return table.loc[str(zone_id)]

    def frames(self) -> list[pd.DataFrame]:
        """Every result frame (for the policy parameters and the rules not evaluated)."""
        found = [*self.assessments.values(), self.bank, self.compliance, self.standard_land]
        return [f for f in (*found, self.enterprises) if f is not None]


def _captured(label: str, messages: list[tuple[str, str]], func: Any, **kwargs: Any) -> Any:
    """Run ``func``; its warnings go to ``messages`` (shown in the data-quality box)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func(**kwargs)
    for w in caught:
        messages.append((label, str(w.message)))
        log.info("%s: %s", label, w.message)
    return result


def _assessments(
    data: ReportData,
    year: int,
    policy: Policy,
    lang: Lang,
    messages: list[tuple[str, str]],
    targets: Any = None,
) -> tuple[list[int], dict[int, pd.DataFrame], dict[int, str]]:
    """assess_zones for every year of the statistics up to ``year`` (and ``year`` itself),
    with the expected ``targets`` (``None``: elimination by targets not evaluated)."""
    present = pd.to_numeric(data.zone_stats["year"], errors="coerce").dropna().astype(int)
    years = sorted({int(y) for y in present.unique() if y <= year})
    done: dict[int, pd.DataFrame] = {}
    errors: dict[int, str] = {}
    for y in sorted({*years, year}):
        try:
            done[y] = _captured(
                f"assess_zones {y}",
                messages,
                assess_zones,
                zone_stats=data.zone_stats,
                year=y,
                zones=data.zones,
                policy=policy,
                lang=lang,
                targets=targets,
            )
        except LanduseError as exc:
            errors[y] = str(exc)
    return years, done, errors


def _bank(
    data: ReportData, as_of: pd.Timestamp, policy: Policy, lang: Lang, grades: Any, msgs: list
) -> tuple[gpd.GeoDataFrame | None, str, str | None]:
    """The candidates with a ``status``: from the store, the frame given, or built now."""
    from_store = isinstance(data.bank, ProjectBank)
    try:
        if from_store:
            return data.bank.entries(), "store", None  # type: ignore[union-attr]
        if data.bank is not None:
            frame = data.bank.copy()
            how = "frame"
        else:
            frame = _captured(
                "build_project_bank",
                msgs,
                build_project_bank,
                parcels=data.parcels,
                zones=data.zones,
                functional_areas=data.functional_areas,
                buildings=data.buildings,
                as_of=as_of,
                policy=policy,
                enterprise_grades=grades,
                lang=lang,
            )
            how = "built"
    except LanduseError as exc:
        return None, "", str(exc)
    if "status" not in frame.columns:
        frame["status"] = "identified"
    return frame, how, None


def _compliance(
    data: ReportData, policy: Policy, lang: Lang, msgs: list[tuple[str, str]]
) -> tuple[gpd.GeoDataFrame | None, pd.DataFrame | None]:
    """check_new_land of every proposal, and the standard-land check of those inside a zone."""
    if data.proposals is None or not len(data.proposals):
        return None, None
    report = _captured(
        "check_new_land",
        msgs,
        check_new_land,
        proposals=data.proposals,
        zones=data.zones,
        functional_areas=data.functional_areas,
        policy=policy,
        lang=lang,
    )
    inside = report["verdict"].astype(str).isin(["inside", "inside_within_tolerance"])
    industrial = report["land_use"].astype(str).eq("industrial") if "land_use" in report else inside
    chosen = report[inside & industrial]
    if not len(chosen) or "industry_code" not in chosen:
        return report, None
    standard = _captured(
        "check_standard_land",
        msgs,
        check_standard_land,
        projects=chosen,
        policy=policy,
        lang=lang,
    )
    return report, standard


def _enterprises(
    data: ReportData, year: int, policy: Policy, lang: Lang, msgs: list[tuple[str, str]]
) -> tuple[pd.DataFrame | None, str | None]:
    """evaluate_enterprises for the report's year when enterprise data exist."""
    if data.enterprises is None:
        return None, None
    try:
        return _captured(
            f"evaluate_enterprises {year}",
            msgs,
            evaluate_enterprises,
            enterprises=data.enterprises,
            parcels=data.parcels,
            tenancies=data.tenancies,
            year=year,
            policy=policy,
            lang=lang,
        ), None
    except (LanduseError, SchemaError) as exc:
        return None, str(exc)


def _enterprise_zones(result: pd.DataFrame | None, parcel_zone: pd.Series) -> pd.DataFrame:
    """One row per (enterprise, zone) it has land in: ``credit_code``, ``zone_id``."""
    if result is None or "parcel_ids" not in result:
        return pd.DataFrame({"credit_code": [], "zone_id": []})
    ids = result["parcel_ids"].astype(object).where(result["parcel_ids"].notna(), "")
    pairs = pd.DataFrame({"credit_code": result.index.to_numpy(), "parcel_id": ids.to_numpy()})
    pairs["parcel_id"] = pairs["parcel_id"].astype(str).str.split(";")
    pairs = pairs.explode("parcel_id")
    pairs["zone_id"] = pairs["parcel_id"].map(parcel_zone)
    pairs = pairs.dropna(subset=["zone_id"])
    return pairs[["credit_code", "zone_id"]].drop_duplicates().reset_index(drop=True)


def _parcel_zone(data: ReportData) -> pd.Series:
    """The zone of each parcel (by ``parcel_id``): its own ``zone_id``, else the zone holding
    its largest share (as the project bank does)."""
    parcels = data.parcels
    zone = (
        parcels["zone_id"].astype(object).where(parcels["zone_id"].notna(), None)
        if "zone_id" in parcels.columns
        else pd.Series(None, index=parcels.index, dtype=object)
    )
    unknown = zone.isna().to_numpy()
    if unknown.any():
        found = assign_zones(parcels[unknown], zones=data.zones)["zone_id"]
        zone = zone.copy()
        zone[unknown] = found.astype(object).where(found.notna(), None).to_numpy()
    ids = data.parcels["parcel_id"].astype(str).to_numpy()
    return pd.Series(zone.to_numpy(dtype=object), index=pd.Index(ids, name="parcel_id"))


def _parcel_grade(data: ReportData, policy: Policy) -> pd.Series:
    """The 亩均 grade of each parcel (by ``parcel_id``), from grade_enterprises."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graded = grade_enterprises(data.parcels, policy=policy)
    except LanduseError:
        graded = pd.DataFrame({"grade": np.full(len(data.parcels), None)}, index=data.parcels.index)
    ids = data.parcels["parcel_id"].astype(str).to_numpy()
    return pd.Series(graded["grade"].to_numpy(dtype=object), index=pd.Index(ids, name="parcel_id"))


def build_context(
    data: ReportData,
    *,
    year: int,
    as_of: Any,
    policy: Any,
    lang: Lang,
    caller: str,
    targets: Any = None,
) -> Context:
    """Run every analysis the pages need once, for all zones.

    ``targets`` goes to :func:`landuse.assess_zones` (the expected targets whose miss warns of
    elimination); the tier progress of ``year`` (:func:`landuse.assessment.tier_progress`) is
    computed here, once, as the results' attrs are dropped below.
    """
    if not isinstance(data, ReportData):
        msg = (
            f"{caller}(): `data` must be a ReportData (e.g. landuse.load_sample()); received "
            f"{type(data).__name__}."
        )
        raise TypeError(msg)
    policy = resolve_policy(policy, caller=caller)
    lang = check_lang(lang, caller=caller)
    day = pd.Timestamp(resolve_as_of(as_of, caller=caller))
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        msg = f"{caller}(): `year` must be a whole year such as 2021; received {year!r}."
        raise TypeError(msg)
    year = int(year)
    msgs: list[tuple[str, str]] = []
    years, assessments, errors = _assessments(data, year, policy, lang, msgs, targets)
    firms, firm_error = _enterprises(data, year, policy, lang, msgs)
    holders = firms if firms is not None and "owner_code" in data.parcels.columns else None
    bank, how, bank_error = _bank(data, day, policy, lang, holders, msgs)
    compliance, standard = _compliance(data, policy, lang, msgs)
    parcel_zone = _parcel_zone(data)
    ctx = Context(
        data=data,
        policy=policy,
        year=year,
        as_of=day,
        lang=lang,
        years=years,
        assessments=assessments,
        assessment_errors=errors,
        bank=bank,
        bank_note=how,
        bank_error=bank_error,
        compliance=compliance,
        standard_land=standard,
        enterprises=firms,
        enterprise_error=firm_error,
        parcel_zone=parcel_zone,
        parcel_grade=_parcel_grade(data, policy),
        messages=msgs,
        enterprise_zones=_enterprise_zones(firms, parcel_zone),
        targets=targets,
    )
    if ctx.assessment is not None:
        ctx.tier_progress = tier_progress(ctx.assessment, policy=policy)
    got = frames_policy(ctx.frames())
    ctx.parameters = parameter_table(
        policy, got.keys, not_evaluated=got.records, lang=lang, recorded=got.params
    )
    ctx.not_evaluated = not_evaluated_texts(ctx.frames())
    ctx.notice = policy.example_notice
    _strip_attrs(ctx)
    return ctx


def _plain(frame: Any, keep: tuple[str, ...] = ()) -> Any:
    """A shallow copy of ``frame`` with only the ``keep`` attrs.

    pandas deep-copies ``attrs`` on every slice and column access; the results' attrs (rules,
    parameters, reader reports) are large, and copying them for each zone's slices made the
    pages ~10x slower. What the pages need from them is taken before (see build_context).
    """
    if frame is None:
        return None
    out = frame.copy(deep=False)
    out.attrs = {k: frame.attrs[k] for k in keep if k in frame.attrs}
    return out


def _strip_attrs(ctx: Context) -> None:
    """Keep what the pages read from the results' attrs, then drop the attrs."""
    ctx.benchmarks = {y: list(a.attrs.get("benchmarks", [])) for y, a in ctx.assessments.items()}
    ctx.assessments = {y: _plain(a, ("policy",)) for y, a in ctx.assessments.items()}
    ctx.bank = _plain(ctx.bank, ("bank",))
    ctx.compliance = _plain(ctx.compliance)
    ctx.standard_land = _plain(ctx.standard_land)
    ctx.enterprises = _plain(ctx.enterprises)
    ctx.parcels = _plain(ctx.data.parcels)
