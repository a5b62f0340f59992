"""Land efficiency: parcel metrics, idle and inefficient land with reasons, 亩均 grading.

The heart of 腾笼换鸟: every parcel that goes into the redevelopment project bank must be
defensible, so every flag carries a stable reason code and a sentence with the numbers behind
it (Chinese by default, English with ``lang="en"``). Every threshold comes from the policy
profile (:func:`landuse.load_policy`); every rule is either evaluated or reported as not
evaluated, with what it lacks, in ``result.attrs["not_evaluated"]`` (never silently passed).

Reason codes
------------
Stable codes in the ``reasons`` column (``;``-separated, in this order); ``reason_text`` gives
the same reasons as sentences with the numbers, e.g. ``容积率不达标：容积率 0.45 < 控制指标
0.70（行业 36）``. :func:`reason_codes` returns this table.

==================================  ==========================  ==================================================  =====================================================
code                                label                       rule (defaults of ``national-2008``)                policy keys
==================================  ==========================  ==================================================  =====================================================
``idle_not_started``                闲置土地（未动工）          not started ≥ 1 year after the agreed start date    ``idle.start_delay_years``
``idle_stalled``                    闲置土地（中止开发）        started, < 1/3 developed or < 25 % invested,        ``idle.developed_area_share_min``,
                                                                halted ≥ 1 year                                     ``idle.invested_share_min``, ``idle.halted_years``
``completion_overdue``              超期未竣工                  completed, or still open, > 2 years after the       ``inefficient.completion_overdue_years``
                                                                agreed completion date
``low_investment``                  投资强度不足                completed ≥ 2 years, investment intensity < 50 %    ``inefficient.years_after_completion``,
                                                                of the agreed value                                 ``inefficient.investment_intensity_share_min``
``low_output``                      土地产出不足                completed ≥ 2 years, revenue per 亩 < 50 % of the   ``inefficient.output_standard_wan_per_mu`` (user input),
                                                                output standard                                     ``inefficient.output_share_min``
``production_stopped``              停产或半停产                stopped or half-stopped ≥ 1 year                    ``inefficient.stopped_years``
``far_below_min``                   容积率不达标                FAR of a completed parcel below the minimum of its  ``far.min_far_by_division`` (GB/T 4754 crosswalk)
                                                                industry
``building_coefficient_below_min``  建筑系数不达标              building coefficient of a completed parcel < 30 %   ``control.building_coefficient_min``
``off_leading_industry``            不符合主导产业              industry not among the zone's leading industries    – (``zones.leading_industry_codes``)
``eliminated_industry``             淘汰类产业                  industry code starts with a listed code             ``inefficient.eliminated_industries`` (user input)
``tax_below_floor``                 亩均税收不达标              tax per 亩 of a completed parcel below the floor    ``inefficient.tax_wan_per_mu_min`` (user input)
``vacant_by_raster``                遥感疑似闲置                land cover shows built-up on < 1/3 of the parcel    ``idle.land_cover_built_share_min`` (method choice)
                                                                (``raster_evidence=``,
                                                                :func:`landuse.raster_evidence`)
``dark_by_night_light``             夜间灯光疑似停产            night-light activity index < 0.1                    – (evidence threshold, a parameter)
                                                                (``raster_evidence=``)
``grade_d``                         亩均评价 D 类               graded D (:func:`grade_enterprises`); bank only     ``mujun.*``
                                                                (and here with ``enterprise_grades=``: the
                                                                holder's enterprise grade)
``grade_c_low_far``                 亩均评价 C 类且容积率偏低   graded C and FAR below the zone's target FAR;       ``mujun.*``
                                                                bank only
==================================  ==========================  ==================================================  =====================================================

Keys marked "user input" ship unset in ``qingdao-2019`` (no source gives a value; the example
profile ``qingdao-2019-example`` illustrates them): until the caller sets them, their rule is
not evaluated and ``attrs["not_evaluated"]`` maps its code to ``policy `<key>``` (also in the
reason read-outs of the CLI and in the 说明 sheet of the bank workbook), and the check columns
they drive (``tax_per_mu_min_wan`` / ``tax_per_mu_pass`` of :func:`parcel_metrics`) are
missing / ``<NA>``, never False or True. Every analysis records the policy keys it applied in
``attrs["policy_keys"]`` (:func:`landuse._checks.records_policy`): only keys with a value; an
unset key is named in ``attrs["not_evaluated"]`` instead.

Dates are exact calendar dates: "1 year after 2020-12-31" is 2021-12-31, so with
``as_of="2021-12-31"`` a parcel whose agreed start was 2020-12-31 is idle (one full year) and
one whose agreed start was 2021-01-01 (364 days) is not. "Completed" means a
``completion_date`` (else a ``production_status`` of producing / partly stopped / stopped).
Inefficient land is land that is not formally idle (POLICY-FACTS §3.2), so
:func:`find_inefficient_land` leaves idle parcels to :func:`find_idle_land` unless
``exclude_idle=False``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse._checks import (
    Lang,
    PolicyLike,
    check_frame,
    check_lang,
    records_policy,
    resolve_policy,
)
from landuse.efficiency import _common as c
from landuse.efficiency import _grading as grading
from landuse.efficiency import _joins as joins
from landuse.efficiency import _metrics as metrics_impl
from landuse.efficiency import _reasons as reasons_mod
from landuse.efficiency import _rules as rules
from landuse.efficiency import inputs
from landuse.errors import SchemaError

__all__ = [
    "find_idle_land",
    "find_inefficient_land",
    "grade_enterprises",
    "parcel_metrics",
    "reason_codes",
]

_DEFAULT_USES = ("industrial",)


@records_policy
def parcel_metrics(
    parcels: gpd.GeoDataFrame,
    *,
    buildings: gpd.GeoDataFrame | None = None,
    policy: PolicyLike,
    land_uses: Sequence[str] | None = _DEFAULT_USES,
    storey_height_m: float | None = None,
    default_levels: float | None = None,
) -> pd.DataFrame:
    r"""Efficiency metrics and control-indicator checks of each parcel.

    Parameters
    ----------
    parcels
        Parcels in a projected CRS (e.g. from :func:`landuse.read_parcels`). Land area is
        ``land_area_m2`` (the contract area) where given, else the geometry's area. Uses
        ``floor_area_m2`` and ``footprint_m2`` unless ``buildings`` is given, and
        ``admin_living_land_m2``, ``green_area_m2``, ``investment_wan``, ``revenue_wan``,
        ``tax_wan``, ``value_added_wan``, ``industry_code`` (``industry_code_version``) where
        present.
    buildings
        Building footprints in the same CRS, with ``levels`` and/or ``height_m`` (and optional
        ``storey_height_m``, ``floor_area_m2``, ``storey_heights_m``: each storey's height in
        metres, bottom up, as a list / tuple / array or text like ``"4.5;9;4.5"``). When
        given, each parcel's floor area and footprint come from the buildings inside it (see
        Notes); a building straddling parcels is split in proportion to its footprint area in
        each.
    policy
        Policy profile (or its name) giving the control indicators.
    land_uses
        ``land_use`` values the control indicators apply to (industrial projects by default);
        ``None`` applies them to every parcel. Other parcels get metrics but no thresholds.
    storey_height_m
        Storey height (m) assumed for buildings with a height but no levels or storey height.
        ``None`` (default) leaves their levels unknown.
    default_levels
        Levels assumed for buildings with neither levels nor height (e.g. 1 for OpenStreetMap
        footprints). ``None`` (default) leaves their floor area unknown, and the FAR of the
        parcels holding them missing, with a warning.

    Returns
    -------
    pandas.DataFrame
        On the parcels' index: ``land_area_m2``, ``land_area_mu`` (亩), ``floor_area_m2``,
        ``footprint_m2``, ``far`` (容积率), ``building_coefficient`` (建筑系数),
        ``admin_living_share`` (行政办公及生活服务设施用地比例), ``green_ratio`` (绿地率),
        ``investment_intensity_wan_per_mu``, ``revenue_per_mu_wan``, ``tax_per_mu_wan``,
        ``value_added_per_mu_wan`` (万元/亩), then for each control indicator the threshold
        used and a nullable boolean pass column: ``far_min`` / ``far_pass``,
        ``building_coefficient_min`` / ``building_coefficient_pass``,
        ``admin_living_share_max`` / ``admin_living_share_pass``, ``green_ratio_max`` /
        ``green_ratio_pass``, ``investment_intensity_min_wan_per_mu`` /
        ``investment_intensity_pass``, ``tax_per_mu_min_wan`` / ``tax_per_mu_pass`` (missing
        where the value or the threshold is unknown). ``attrs``: ``policy``,
        ``floor_area_source``, ``checks`` (per indicator: evaluated, missing, checked, failed),
        ``not_evaluated`` (indicator → what is missing), ``buildings`` (counts: split between
        parcels, outside parcels, unknown floor area, double counted), ``policy_keys`` (the
        policy keys read, see the module docstring).

    Raises
    ------
    CRSError
        Geographic or missing CRS; buildings in another CRS.
    SchemaError
        A numeric column holds text.
    GeometryError
        Non-polygon buildings.

    Warns
    -----
    LanduseWarning
        Buildings whose floor area cannot be derived (no levels, height or floor area).

    Notes
    -----
    .. math:: \\mathrm{FAR} = \\frac{\\sum_b A_b\\,s_{b,p} \\sum_{j=1}^{L_b} k_{bj}}{A_p},
              \\qquad k_{bj} = f \\text{ if storey } j \\text{ is taller than } h \\text{ else } 1

    with footprint :math:`A_b`, levels :math:`L_b` (or height ÷ storey height), share
    :math:`s_{b,p}` of the footprint inside parcel :math:`p` and land area :math:`A_p`; the
    factor :math:`f` is ``control.double_count_factor`` (2) and the height :math:`h`
    ``control.double_count_storey_height_m`` (8 m), both from the policy (the 2008 rule, a
    storey over 8 m counts double; either unset: every storey once). Per storey where the
    building's ``storey_heights_m`` are known: a building of storeys 4.5, 9 and 4.5 m on
    1,000 m² counts 1,000 + 2,000 + 1,000 = 4,000 m². Where only a total height and levels
    (or ``storey_height_m``) are known, the whole-building rule: every storey takes the average
    storey height (``storey_height_m``, else ``height_m`` ÷ ``levels``), so the same building
    given as 18 m and 3 levels (6 m each) counts 3,000 m². A given ``floor_area_m2`` is
    shared equally among the listed storeys. With buildings, the footprint for the
    building coefficient is the larger of the building footprints in the parcel and a reported
    ``footprint_m2`` (which also counts structures and open storage yards, absent from a
    footprint layer). FAR minima come from ``far.min_far_by_division`` (GB/T 4754-2002),
    reached from 2017 codes through the crosswalk (:meth:`landuse.Policy.min_far`).

    Examples
    --------
    A 1 ha (15 亩) parcel with a 40 m × 50 m, 3-storey building and a 20 m × 20 m single
    storey 9 m high (counted twice):

    >>> import geopandas as gpd, shapely
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["P1"], "land_use": ["industrial"], "industry_code": ["36"],
    ...      "tax_wan": [300.0]},
    ...     geometry=[shapely.box(0, 0, 100, 100)], crs="EPSG:4549")
    >>> buildings = gpd.GeoDataFrame(
    ...     {"levels": [3, 1], "height_m": [12.0, 9.0]},
    ...     geometry=[shapely.box(10, 10, 50, 60), shapely.box(60, 10, 80, 30)], crs="EPSG:4549")
    >>> m = parcel_metrics(parcels, buildings=buildings, policy="qingdao-2019")
    >>> m.loc[0, ["floor_area_m2", "far", "building_coefficient", "tax_per_mu_wan"]].tolist()
    [6800.0, 0.68, 0.24, 20.0]
    >>> bool(m.loc[0, "far_pass"]), float(m.loc[0, "far_min"])  # 汽车制造 36 → 2002 37: 0.7
    (False, 0.7)
    """
    caller = "parcel_metrics"
    policy = resolve_policy(policy, caller=caller)
    inputs.check_layers(parcels, caller=caller, buildings=buildings)
    return metrics_impl.compute(
        parcels,
        buildings=buildings,
        policy=policy,
        land=c.land_area(parcels, caller=caller),
        land_uses=land_uses,
        storey_height_m=storey_height_m,
        default_levels=default_levels,
        caller=caller,
    )


def _result(
    parcels: gpd.GeoDataFrame,
    positions: np.ndarray,
    outcomes: Sequence[reasons_mod.Outcome],
    lang: str,
    extra: Mapping[str, Any],
) -> gpd.GeoDataFrame:
    codes, texts, count = reasons_mod.reasons(outcomes, positions, lang)
    # take, not iloc: a new frame, never flagged as a slice of `parcels` (pandas 2 without CoW)
    out = parcels.take(positions)
    for name, values in extra.items():
        out[name] = values
    out["reasons"] = codes
    out["reason_text"] = texts
    out["n_reasons"] = count
    return out


@records_policy
def find_idle_land(
    parcels: gpd.GeoDataFrame,
    *,
    as_of: Any,
    policy: PolicyLike,
    land_uses: Sequence[str] | None = None,
    lang: Lang = "zh",
) -> gpd.GeoDataFrame:
    """Find idle land (闲置土地, MLR Order 53) with its stage and idle-land fee.

    Idle: not started ``idle.start_delay_years`` (1) after the agreed start date; or started,
    with developed area < ``idle.developed_area_share_min`` (1/3) or invested amount
    < ``idle.invested_share_min`` (25 %) of the agreed investment, and halted
    ≥ ``idle.halted_years`` (1). Stage 1 (idle ≥ ``idle.fee_idle_years``): an idle-land fee of
    ``idle.fee_share`` (20 %) of the grant price; stage 2 (≥ ``idle.revocation_idle_years``,
    2): the land may be reclaimed without compensation.

    Parameters
    ----------
    parcels
        Parcels in a projected CRS with ``agreed_start_date`` and ``actual_start_date`` (or
        ``production_status``); for stalled projects ``stopped_since``, ``developed_area_m2``
        and/or ``invested_wan`` + ``agreed_investment_wan``; ``grant_price_wan`` for the fee.
    as_of
        Reference date (``"2021-12-31"``, a date or Timestamp).
    policy
        Policy profile (or its name).
    land_uses
        ``land_use`` values to examine; ``None`` (default) examines every parcel, since Order
        53 covers all granted land.
    lang
        ``"zh"`` (default) or ``"en"`` for ``reason_text`` and ``idle_action``.

    Returns
    -------
    geopandas.GeoDataFrame
        The idle parcels (a copy, same index and CRS) with ``reasons`` (``idle_not_started`` or
        ``idle_stalled``), ``reason_text``, ``n_reasons``, ``idle_since`` (agreed start date,
        or the date work halted), ``idle_years`` (calendar years since then), ``idle_stage``
        (0–2), ``idle_fee_wan`` (fee once stage ≥ 1; missing without ``grant_price_wan``) and
        ``idle_action``. ``attrs``: ``policy``, ``as_of``, ``rules``, ``not_evaluated`` and
        ``policy_keys``.

    Raises
    ------
    CRSError
        Geographic or missing CRS.
    SchemaError
        A date or numeric column holds values of the wrong type.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["A", "B"], "agreed_start_date": pd.to_datetime(["2020-12-31", "2021-01-01"]),
    ...      "actual_start_date": pd.to_datetime([None, None]), "grant_price_wan": [600.0, 600.0]},
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100)], crs="EPSG:4549")
    >>> idle = find_idle_land(parcels, as_of="2021-12-31", policy="qingdao-2019")
    >>> idle[["parcel_id", "reasons", "idle_years", "idle_stage", "idle_fee_wan"]].to_dict("records")
    [{'parcel_id': 'A', 'reasons': 'idle_not_started', 'idle_years': 1.0, 'idle_stage': 1, 'idle_fee_wan': 120.0}]
    >>> print(idle["reason_text"].iloc[0])
    闲置土地（未动工）：约定开工日期 2020-12-31 起满 1.00 年未动工开发（≥ 1 年）
    """
    caller = "find_idle_land"
    check_lang(lang, caller=caller)
    inp = inputs.prepare(
        parcels,
        caller=caller,
        as_of=as_of,
        policy=policy,
        land_uses=land_uses,
        need_metrics=False,
    )
    outcomes = rules.run(inp, rules.IDLE_RULES)
    positions = np.flatnonzero(rules.any_flagged(outcomes, inp.n))
    extra = {k: v[positions] for k, v in rules.idle_columns(inp, outcomes, lang).items()}
    out = _result(parcels, positions, outcomes, lang, extra)
    out["idle_action"] = pd.array(out["idle_action"], dtype="str")
    out.attrs = {"policy": inp.policy.name, "as_of": str(inp.as_of), **reasons_mod.report(outcomes)}
    return out


@records_policy
def find_inefficient_land(
    parcels: gpd.GeoDataFrame,
    *,
    as_of: Any,
    policy: PolicyLike,
    zones: gpd.GeoDataFrame | None = None,
    functional_areas: gpd.GeoDataFrame | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    metrics: pd.DataFrame | None = None,
    land_uses: Sequence[str] | None = _DEFAULT_USES,
    exclude_idle: bool = True,
    raster_evidence: pd.DataFrame | None = None,
    enterprise_grades: pd.DataFrame | None = None,
    lang: Lang = "zh",
) -> gpd.GeoDataFrame:
    """Find inefficient industrial land (低效工业用地), one row per parcel, with every reason.

    Evaluates each criterion of POLICY-FACTS §3.2 the data can express (see the module's
    reason-code table): completion overdue, low investment intensity or output after
    completion, production stopped, FAR or building coefficient below the control indicator,
    industry off the zone's leading industries or on the eliminated list, tax per 亩 below the
    floor. A criterion whose inputs are absent is listed in ``attrs["not_evaluated"]``.

    Parameters
    ----------
    parcels
        Parcels in a projected CRS (canonical columns, see :func:`landuse.read_parcels`).
    as_of
        Reference date.
    policy
        Policy profile (or its name).
    zones
        Zones (``zone_id``, ``leading_industry_codes``) in the same CRS, for the leading
        industry criterion. Parcels are placed in the zone holding their largest share
        (:func:`landuse.zones.assign_zones`) unless they carry a ``zone_id``.
    functional_areas
        Optional functional areas, passed to the zone assignment.
    buildings
        Building footprints for the FAR and building coefficient (see :func:`parcel_metrics`).
    metrics
        What :func:`parcel_metrics` returned for these parcels, to reuse it (else computed).
    land_uses
        ``land_use`` values examined (``("industrial",)``); ``None``: every parcel.
    exclude_idle
        Leave idle parcels (:func:`find_idle_land`) out, as inefficient land is land that is
        not formally idle (default). ``False`` keeps them with their other reasons.
    raster_evidence
        What :func:`landuse.raster_evidence` returned for these parcels: its True flags become
        the reasons ``vacant_by_raster`` and ``dark_by_night_light``, with the built-up share
        or activity index in the text. A flag without its raster, and parcels missing from
        the evidence or with ``<NA>`` flags, are not evaluated (``attrs["rules"]``). Without
        this argument both codes are listed in ``attrs["not_evaluated"]``.
    enterprise_grades
        What :func:`landuse.enterprise.evaluate_enterprises` returned for the year: parcels
        whose enterprise is graded D (the last of ``mujun.class_cuts``) get the reason
        ``grade_d``, naming the enterprise. A parcel takes the grade of its holder
        (``parcels.owner_code``); if the holder is not graded, the worst grade among the
        enterprises evaluated on the parcel (tenants, members of a combined unit); else none.
        Parcels whose ``owner_code`` matches no enterprise are counted in
        ``attrs["enterprise_grades"]["unmatched"]`` (not dropped). ``None`` (default): no
        grade is used here (the per-parcel grading is the bank's, :func:`grade_enterprises`).
    lang
        ``"zh"`` (default) or ``"en"`` for ``reason_text``.

    Returns
    -------
    geopandas.GeoDataFrame
        The inefficient parcels (a copy, same index and CRS) with ``zone_id`` (when zones were
        given), the evidence columns ``far``, ``far_min``, ``building_coefficient``,
        ``building_coefficient_min``, ``investment_intensity_wan_per_mu``,
        ``revenue_per_mu_wan``, ``tax_per_mu_wan`` (and ``floor_area_m2`` / ``footprint_m2``
        as used, from the buildings when given), ``reasons`` (codes, ``;``-separated),
        ``reason_text`` and ``n_reasons``. ``attrs``: ``policy``, ``as_of``, ``rules`` (per
        code: evaluated, missing, checked, flagged), ``not_evaluated`` (code → what it lacks,
        e.g. ``policy `inefficient.tax_wan_per_mu_min``` when the profile leaves it unset),
        ``idle_excluded`` and ``policy_keys`` (with ``metrics=``, also the keys behind them).

    Raises
    ------
    CRSError
        Geographic, missing or differing CRS.
    SchemaError
        Wrongly typed columns; zones without ``zone_id``.

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> found = find_inefficient_land(s.parcels, zones=s.zones, buildings=s.buildings,
    ...                               as_of=s.as_of, policy="qingdao-2019")
    >>> len(found), sorted(found.attrs["not_evaluated"])
    (580, ['dark_by_night_light', 'eliminated_industry', 'low_output', 'tax_below_floor', 'vacant_by_raster'])
    >>> found.attrs["not_evaluated"]["tax_below_floor"]
    ['policy `inefficient.tax_wan_per_mu_min`']

    The example profile sets the two user inputs to illustrate them (856 parcels):

    >>> example = find_inefficient_land(s.parcels, zones=s.zones, buildings=s.buildings,
    ...                                 as_of=s.as_of, policy="qingdao-2019-example")
    >>> len(example), "tax_below_floor" in example.attrs["not_evaluated"]
    (856, False)
    >>> print(found.loc[found["reasons"] == "far_below_min", "reason_text"].iloc[0])
    容积率不达标：容积率 0.36 < 控制指标 0.70（行业 37）
    """
    caller = "find_inefficient_land"
    check_lang(lang, caller=caller)
    inp = inputs.prepare(
        parcels,
        caller=caller,
        as_of=as_of,
        policy=policy,
        zones=zones,
        functional_areas=functional_areas,
        buildings=buildings,
        metrics=metrics,
        land_uses=land_uses,
        raster_evidence=raster_evidence,
    )
    outcomes = rules.run(inp, rules.INEFFICIENT_RULES)
    joined = None
    if enterprise_grades is not None:
        joined = joins.parcel_grades(
            inp.parcels, enterprise_grades, policy=inp.policy, caller=caller
        )
        nan = np.full(inp.n, np.nan)
        d = joins.outcomes(inp, joined, nan, nan)[0]
        outcomes.append(
            reasons_mod.Outcome(
                d.code, d.flagged & inp.scope, d.checked & inp.scope, d.missing, d.text
            )
        )
    flagged = rules.any_flagged(outcomes, inp.n)
    excluded = 0
    if exclude_idle:
        idle = rules.any_flagged(rules.run(inp, rules.IDLE_RULES), inp.n)
        excluded = int((flagged & idle).sum())
        flagged &= ~idle
    positions = np.flatnonzero(flagged)
    extra = evidence(inp, positions, with_floor=buildings is not None)
    out = _result(parcels, positions, outcomes, lang, extra)
    out.attrs = {
        "policy": inp.policy.name,
        "as_of": str(inp.as_of),
        **reasons_mod.report(outcomes),
        "idle_excluded": excluded,
        # keys behind reused metrics (records_policy adds the keys read here)
        "policy_keys": metrics_impl.given_metrics_keys(metrics),
    }
    if joined is not None:
        out.attrs["enterprise_grades"] = joined.report
    return out


def evidence(inp: inputs.Inputs, positions: np.ndarray, *, with_floor: bool) -> dict[str, Any]:
    """Zone and metric columns shown next to the reasons."""
    extra: dict[str, Any] = {}
    if inp.zone_id is not None and "zone_id" not in inp.parcels.columns:
        extra["zone_id"] = pd.array(inp.zone_id[positions], dtype="str")
    columns = ["far", "far_min", "building_coefficient", "building_coefficient_min"]
    columns += ["investment_intensity_wan_per_mu", "revenue_per_mu_wan", "tax_per_mu_wan"]
    if with_floor:
        columns = ["floor_area_m2", "footprint_m2", *columns]
    for col in columns:
        if col in inp.metrics.columns:
            extra[col] = inp.metrics[col].to_numpy()[positions]
    if inp.raster is not None:
        for col in ("builtup_share", "activity_index"):
            if col in inp.raster.columns and inp.raster[col].notna().any():
                extra[col] = inp.raster[col].to_numpy(dtype=float)[positions]
    return extra


@records_policy
def grade_enterprises(
    parcels: gpd.GeoDataFrame | pd.DataFrame,
    *,
    policy: PolicyLike,
    benchmarks: Mapping[str, float] | None = None,
    by: str | None = None,
    variant: Literal["above_scale", "below_scale"] = "above_scale",
    land_uses: Sequence[str] | None = _DEFAULT_USES,
) -> pd.DataFrame:
    r"""Grade enterprises A/B/C/D by 亩均效益 (亩均论英雄).

    Score = Σ (indicator ÷ benchmark × weight) with the profile's weights
    (``mujun.weights_above_scale``: Zhejiang's six indicators 亩均税收 30, 亩均增加值 20,
    单位能耗增加值 20, 单位排放增加值 10, 全员劳动生产率 10, 研发经费投入强度 10;
    ``mujun.weights_below_scale`` for 规下 firms: 亩均税收 50, 单位电耗税收 50). Firms are ranked
    by score (ties share the better rank) and graded by rank share with ``mujun.class_cuts``
    (A top 25 %, B to 70 %, C to 95 %, D the rest).

    Parameters
    ----------
    parcels
        Enterprises on their parcels: ``tax_wan``, ``value_added_wan``, ``energy_tce``,
        ``emissions_t``, ``employees``, ``rd_spend_wan``, ``revenue_wan`` (and
        ``electricity_kwh`` for the 规下 variant), land area from ``land_area_m2`` or the
        geometry. An optional boolean ``above_scale`` column (规上) picks each firm's weights.
        A plain DataFrame (no geometry) needs ``land_area_m2``: e.g. one row per enterprise
        with its data summed and its land from :func:`landuse.enterprise.enterprise_land`;
        :func:`landuse.enterprise.evaluate_enterprises` does that from enterprise tables.
    policy
        Policy profile (or its name).
    benchmarks
        Indicator → benchmark value, replacing the group statistic
        (``mujun.benchmark_statistic``, the mean by default) for those indicators.
    by
        Column whose groups are graded separately (e.g. ``"zone_id"``); ``None`` grades all
        firms together.
    variant
        Weights for firms without an ``above_scale`` value: ``"above_scale"`` (规上, default)
        or ``"below_scale"`` (规下).
    land_uses
        ``land_use`` values graded (``("industrial",)``); ``None``: all. Only producing,
        partly stopped or stopped firms are graded (not started and under construction are
        不定等级), and only those with at least one indicator.

    Returns
    -------
    pandas.DataFrame
        On the parcels' index: ``variant``, ``score``, ``rank`` (1 = best, within its group),
        ``rank_share`` (rank ÷ firms in the group), ``grade``, ``grade_label`` (e.g. 优先发展),
        ``indicator_<key>`` (value) and ``contribution_<key>`` (points) for each weighted
        indicator; missing for firms not graded; ``not_graded_reason`` (不定等级 and why: a
        missing indicator named, not operating, no indicator, land area unknown; missing for
        graded firms and for land uses outside ``land_uses``). ``attrs``: ``policy``,
        ``benchmarks`` (per group), ``weights``, ``method``, ``benchmark_statistic``,
        ``missing_indicator_rule``, ``missing_rule_indicators``, ``minmax_points`` (base,
        span), ``not_evaluated`` (indicators no firm has), ``graded`` / ``not_graded`` counts,
        ``not_graded_reasons`` (reason → count), ``policy_keys``.

    Raises
    ------
    PolicyError
        No weights or class cuts in the profile, weights for an unknown indicator, or a
        method key (``mujun.score_method`` …) left unset.
    ValueError
        Unknown ``variant`` or benchmark key.
    SchemaError
        ``by`` is not a column; wrongly typed columns.

    Notes
    -----
    .. math:: S_i = \\sum_k w_k \\, \\frac{x_{ik}}{b_k}

    A firm missing an indicator listed in ``mujun.missing_rule_indicators`` (in
    ``national-2008``: ``value_added_per_emission`` only, as the Zhejiang source gives the rule
    for emissions) gets, by ``mujun.missing_indicator_rule``, the average of the others' points
    for it (``"average"``) or 0 (``"zero"``). A firm missing any other indicator of its
    weights is not graded (不定等级): its ``grade`` is missing and ``not_graded_reason`` names
    the indicator, e.g. ``不定等级：缺少指标 单位能耗增加值 `value_added_per_energy```. With
    ``mujun.score_method = "min_max"`` the item is :math:`w_k (b + s (x - x_{min}) /
    (x_{max} - x_{min})) / 100` with :math:`b` = ``mujun.minmax_base_points`` (20) and
    :math:`s` = ``mujun.minmax_span_points`` (80), Jingde's scheme; every firm gets
    :math:`w_k (b + s) / 100` when all values are equal. A zero denominator (e.g. no
    emissions) leaves the indicator missing for that firm. The method keys
    (``mujun.score_method``, ``mujun.benchmark_statistic`` for ratios, the min-max points,
    ``mujun.missing_indicator_rule`` when indicators are listed for it) have no fallback: a
    profile that leaves one unset raises :class:`~landuse.errors.PolicyError`.

    Examples
    --------
    Two firms on 15 亩 each, with the benchmark = the mean: tax 40 and 20 万元/亩 against 30
    gives 40 and 20 points for a 规下 profile weighting tax alone at 30 + 30:

    >>> import geopandas as gpd, shapely, landuse
    >>> firms = gpd.GeoDataFrame(
    ...     {"tax_wan": [600.0, 300.0]},
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100)], crs="EPSG:4549")
    >>> policy = landuse.load_policy().replace({"mujun.weights_below_scale": {"tax_per_mu": 60}})
    >>> g = grade_enterprises(firms, policy=policy, variant="below_scale")
    >>> g[["score", "rank", "grade"]].to_dict("records")
    [{'score': 80.0, 'rank': 1, 'grade': 'B'}, {'score': 40.0, 'rank': 2, 'grade': 'D'}]
    """
    caller = "grade_enterprises"
    policy = resolve_policy(policy, caller=caller)
    check_frame(parcels, name="parcels", caller=caller, geometry=False)
    return grading.grade(
        parcels,
        policy=policy,
        land=_land_m2(parcels, caller=caller),
        benchmarks=benchmarks,
        by=by,
        variant=variant,
        land_uses=land_uses,
        caller=caller,
    )


def _land_m2(frame: pd.DataFrame, *, caller: str) -> np.ndarray:
    """Return the land area in m² of each row (NaN where unknown).

    Parcels: ``land_area_m2``, else the geometry's area; a plain DataFrame: its ``land_area_m2``
    (missing or not positive: NaN), which it must have.
    """
    if isinstance(frame, gpd.GeoDataFrame):
        return c.land_area(frame, caller=caller)
    given = c.number(frame, "land_area_m2", caller=caller)
    if given is None:
        msg = (
            f"`parcels` passed to {caller}() is a DataFrame without geometry, so it needs a "
            f"`land_area_m2` column (m²); columns: {', '.join(map(str, frame.columns))}."
        )
        raise SchemaError(msg)
    return np.where(np.isfinite(given) & (given > 0), given, np.nan)


def reason_codes(*, lang: Lang = "zh") -> pd.DataFrame:
    """List the stable reason codes with their labels, rules and policy keys.

    Parameters
    ----------
    lang
        ``"zh"`` (default) or ``"en"`` labels and rules.

    Returns
    -------
    pandas.DataFrame
        One row per code, in the order reasons are listed: ``code``, ``group`` (``idle``,
        ``inefficient``, ``bank``), ``label``, ``rule``, ``policy_keys``, ``columns``.

    Examples
    --------
    >>> reason_codes()["code"].tolist()[:3]
    ['idle_not_started', 'idle_stalled', 'completion_overdue']
    >>> reason_codes(lang="en").set_index("code").loc["far_below_min", "label"]
    'FAR below the control indicator'
    """
    check_lang(lang, caller="reason_codes")
    return pd.DataFrame(
        [
            {
                "code": r.code,
                "group": r.group,
                "label": r.label_zh if lang == "zh" else r.label_en,
                "rule": r.rule_zh if lang == "zh" else r.rule_en,
                "policy_keys": ", ".join(r.policy_keys),
                "columns": ", ".join(r.columns),
            }
            for r in reasons_mod.REASONS
        ]
    )
