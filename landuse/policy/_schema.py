"""Schema of policy profiles: section and row dataclasses, value converters and validators.

Private: use :mod:`landuse.policy`, which loads profiles into these classes and re-exports the
public names (:data:`CONFIDENCE_TAGS`, the ``*Rules`` sections and their row classes).

Each section is a frozen dataclass whose fields carry a ``kind`` in their metadata (``number``,
``share``, ``int``, ``str``, ``confidence``, ``bool``, ``code``, ``codes``, ``names``, ``numbers``,
``rows``, ``str_map``, ``number_map``); :func:`convert` checks and converts a TOML or user
value to that kind, naming the file and key when it is wrong.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from landuse.errors import PolicyError

__all__ = [
    "CONFIDENCE_TAGS",
    "AssessmentRules",
    "BankRules",
    "ClassCut",
    "ControlRules",
    "CrosswalkEntry",
    "FarEntry",
    "FarRules",
    "FieldRules",
    "IdleRules",
    "InefficientRules",
    "LandPriceGrade",
    "DataQualityRules",
    "LandPriceRules",
    "MujunRules",
    "MultistoreyRules",
    "PlanField",
    "StandardLandRules",
    "SupportingHousingRules",
    "SurchargeRow",
    "TenureRules",
    "Tier",
    "TierRules",
    "ZoneCreationRules",
    # for landuse.policy (the face) only
    "CONFIDENCE_META",
    "RECORDER",
    "SECTIONS",
    "TEXT_META",
    "all_keys",
    "check_key",
    "convert",
    "param_meta",
    "type_name",
]

#: Valid ``confidence`` tags, see :mod:`landuse.policy`.
CONFIDENCE_TAGS: tuple[str, ...] = ("V", "S", "I", "U", "from-plan", "user")
TEXT_META: Mapping[str, Any] = {"kind": "str", "choices": None}
CONFIDENCE_META: Mapping[str, Any] = {"kind": "confidence"}


#: The set the policy keys read are added to while :func:`landuse.policy.record_keys` runs
#: (``None`` otherwise): every read of a section attribute that has a value records
#: ``"section.key"``.
RECORDER: ContextVar[set[str] | None] = ContextVar("landuse_policy_recorder", default=None)


class _Section:
    """Base of the sections: reading a parameter records its key while a recorder is active.

    Only a value the profile sets is recorded (it is applied); reading an unset key records
    nothing: the rule it drives is reported as not evaluated instead.
    """

    _section: str = ""

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if value is not None and name[0] != "_":
            used = RECORDER.get()
            if used is not None and name in type(self).__dataclass_fields__:  # type: ignore[attr-defined]
                used.add(f"{type(self)._section}.{name}")
        return value


def _p(kind: str, *, choices: tuple[str, ...] | None = None, row: type | None = None) -> Any:
    """Declare a policy parameter (optional, ``None`` when a profile does not set it)."""
    return field(default=None, metadata={"kind": kind, "choices": choices, "row": row})


def _col(kind: str, *, required: bool = True, choices: tuple[str, ...] | None = None) -> Any:
    """Declare a column of a table row."""
    meta = {"kind": kind, "choices": choices, "row": None}
    return field(metadata=meta) if required else field(default=None, metadata=meta)


# --- table rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FarEntry:
    """One row of the minimum FAR table: a GB/T 4754 division and its minimum FAR."""

    code: str = _col("code")
    name: str = _col("str")
    min_far: float | None = _col("number", required=False)
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


@dataclass(frozen=True)
class CrosswalkEntry:
    """One GB/T 4754-2017 division and the 2002 division(s) it came from (empty: none)."""

    code_2017: str = _col("code")
    name: str = _col("str")
    codes_2002: tuple[str, ...] = _col("codes")
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


@dataclass(frozen=True)
class ClassCut:
    """A 亩均 class: firms ranked from the top down to ``rank_share_max`` get ``grade``."""

    grade: str = _col("str")
    rank_share_max: float = _col("share")
    label: str | None = _col("str", required=False)
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


@dataclass(frozen=True)
class Tier:
    """A zone tier: main-business revenue ≥ ``revenue_yi_min`` 亿元; target number of zones."""

    name: str = _col("str")
    revenue_yi_min: float = _col("number")
    target_count: int | None = _col("int", required=False)
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


@dataclass(frozen=True)
class PlanField:
    """A field of the plan: ``level`` ``"industry"`` (产业级) or ``"niche"`` (细分领域)."""

    key: str = _col("str")
    name: str = _col("str")
    level: str = _col("str", choices=("industry", "niche"))
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


@dataclass(frozen=True)
class LandPriceGrade:
    """A benchmark land price grade in 元/m² of land."""

    grade: str = _col("str")
    price_yuan_per_m2: float = _col("number")
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


@dataclass(frozen=True)
class SurchargeRow:
    """A differentiated electricity price by 亩均 grade (差别化电价).

    Firms graded ``grade`` for at least ``years_in_grade_min`` consecutive years pay
    ``yuan_per_kwh`` 元/kWh more; of several rows that apply, the highest counts.
    """

    grade: str = _col("str")
    years_in_grade_min: int = _col("int")
    yuan_per_kwh: float = _col("number")
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


# --- sections --------------------------------------------------------------------------------
# Attribute meanings, units and sources live in the TOML profiles; see also
# ``policy.to_frame()``. Every attribute is ``None`` when the profile chain does not set it.


@dataclass(frozen=True)
class ControlRules(_Section):
    """Land-use control indicators for industrial projects (工业项目建设用地控制指标).

    ``building_coefficient_min``, ``admin_living_land_share_max`` (of site area),
    ``admin_living_floor_share_max`` (of GFA), ``green_space_share_max``,
    ``double_count_storey_height_m`` and ``double_count_factor`` (a storey taller than the
    height counts ``double_count_factor`` times in the FAR),
    ``investment_intensity_wan_per_mu_min`` (万元/亩; user input, the 2008 table was not found).
    """

    building_coefficient_min: float | None = _p("share")
    admin_living_land_share_max: float | None = _p("share")
    admin_living_floor_share_max: float | None = _p("share")
    green_space_share_max: float | None = _p("share")
    double_count_storey_height_m: float | None = _p("number")
    double_count_factor: float | None = _p("number")
    investment_intensity_wan_per_mu_min: float | None = _p("number")


@dataclass(frozen=True)
class FarRules(_Section):
    """Minimum FAR by industry: the table, its code edition and the 2017 → 2002 crosswalk.

    Use :meth:`Policy.min_far` rather than reading the tables directly.
    """

    code_version: str | None = _p("str", choices=("2002", "2017"))
    min_far_by_division: tuple[FarEntry, ...] | None = _p("rows", row=FarEntry)
    crosswalk_2017_to_2002: tuple[CrosswalkEntry, ...] | None = _p("rows", row=CrosswalkEntry)


@dataclass(frozen=True)
class IdleRules(_Section):
    """Idle land (闲置土地, MLR Order 53).

    Idle if not started ``start_delay_years`` after the agreed start; or started with developed
    area < ``developed_area_share_min`` or investment < ``invested_share_min`` and halted
    ≥ ``halted_years``. Fee ``fee_share`` of the land price once idle ≥ ``fee_idle_years``;
    revocation without compensation once idle ≥ ``revocation_idle_years``.
    ``land_cover_built_share_min``: a parcel whose land cover shows less built-up area than this
    share is "suspected idle" (遥感疑似闲置; a screening method choice, not a legal test).
    ``night_light_activity_index_max``: a parcel whose night light is below this share of the
    reference radiance is "dark at night" (夜间灯光疑似停产; an evidence threshold, method choice).
    """

    start_delay_years: float | None = _p("number")
    developed_area_share_min: float | None = _p("share")
    invested_share_min: float | None = _p("share")
    halted_years: float | None = _p("number")
    fee_share: float | None = _p("share")
    fee_idle_years: float | None = _p("number")
    revocation_idle_years: float | None = _p("number")
    land_cover_built_share_min: float | None = _p("share")
    night_light_activity_index_max: float | None = _p("number")


@dataclass(frozen=True)
class InefficientRules(_Section):
    """Inefficient industrial land (低效工业用地): any one criterion suffices.

    Completion overdue > ``completion_overdue_years``; ≥ ``years_after_completion`` after
    completion with investment intensity < ``investment_intensity_share_min`` of contract or
    output < ``output_share_min`` of standard; stopped ≥ ``stopped_years``; tax per mu
    < ``tax_wan_per_mu_min`` (万元/亩·年, where set). ``output_standard_wan_per_mu``: the output
    (revenue) standard per 亩 the output criterion compares with; ``eliminated_industries``:
    GB/T 4754 codes on the eliminated / prohibited list (user input).
    """

    completion_overdue_years: float | None = _p("number")
    years_after_completion: float | None = _p("number")
    investment_intensity_share_min: float | None = _p("share")
    output_share_min: float | None = _p("share")
    stopped_years: float | None = _p("number")
    tax_wan_per_mu_min: float | None = _p("number")
    output_standard_wan_per_mu: float | None = _p("number")
    eliminated_industries: tuple[str, ...] | None = _p("codes")


@dataclass(frozen=True)
class MujunRules(_Section):
    """亩均论英雄 enterprise scoring.

    ``weights_above_scale`` (规上) and ``weights_below_scale`` (规下): indicator → points;
    ``score_method`` (``"ratio_to_benchmark"`` | ``"min_max"``); ``benchmark_statistic``;
    ``missing_indicator_rule`` (``"average"``: a missing item scores the average) applied to
    the indicators in ``missing_rule_indicators`` only (a firm missing another indicator is not
    graded, 不定等级, with the reason); ``minmax_base_points`` / ``minmax_span_points``: the
    20 + 80 × (x − min)/(max − min) of the ``min_max`` method;
    ``class_cuts``: :class:`ClassCut` rows, top down; ``indicator_names``: indicator key →
    the name the source gives it (where a profile names its indicators but not their weights).

    Evaluation of enterprises (:func:`landuse.enterprise.evaluate_enterprises`):
    ``rented_land_rule`` (``"combine_and_share"`` | ``"apportion_by_floor_area"`` |
    ``"tenant_category"``: how rented land is counted; user input);
    ``below_scale_included`` (规下 firms evaluated at all) and ``below_scale_land_mu_min``
    (亩 of land from which a 规下 firm is evaluated, ≥); ``exempt_divisions_2017``
    (GB/T 4754-2017 codes, matched as prefixes of the firm's code, exempt from evaluation);
    ``exempt_military`` (firms flagged ``military`` exempt); ``provisional_years`` (a firm
    fewer years than this since registration or contracted completion is graded
    provisionally); ``electricity_surcharge``: :class:`SurchargeRow` rows, the differentiated
    electricity price by grade and consecutive years in it.
    """

    weights_above_scale: Mapping[str, float] | None = _p("number_map")
    weights_below_scale: Mapping[str, float] | None = _p("number_map")
    score_method: str | None = _p("str", choices=("ratio_to_benchmark", "min_max"))
    benchmark_statistic: str | None = _p("str", choices=("mean", "median", "max"))
    missing_indicator_rule: str | None = _p("str", choices=("average", "zero"))
    missing_rule_indicators: tuple[str, ...] | None = _p("names")
    minmax_base_points: float | None = _p("number")
    minmax_span_points: float | None = _p("number")
    class_cuts: tuple[ClassCut, ...] | None = _p("rows", row=ClassCut)
    indicator_names: Mapping[str, str] | None = _p("str_map")
    rented_land_rule: str | None = _p(
        "str", choices=("combine_and_share", "apportion_by_floor_area", "tenant_category")
    )
    below_scale_included: bool | None = _p("bool")
    below_scale_land_mu_min: float | None = _p("number")
    exempt_divisions_2017: tuple[str, ...] | None = _p("codes")
    exempt_military: bool | None = _p("bool")
    provisional_years: float | None = _p("number")
    electricity_surcharge: tuple[SurchargeRow, ...] | None = _p("rows", row=SurchargeRow)


@dataclass(frozen=True)
class StandardLandRules(_Section):
    """Standard land (标准地): indicator names ("3+N"), regional assessments ("5+N").

    ``construction_years`` and ``production_review_years`` are set locally (user input).
    City-wide indicator values: ``investment_wan_per_mu_min`` (万元/亩), ``tax_wan_per_mu_min``
    (万元/亩·年), ``energy_tce_per_wan_max`` (tce per 万元 value added),
    ``emissions_t_per_wan_max`` (t per 万元 value added), ``rd_share_min`` (R&D ÷ revenue); a
    zone's own values override them. ``consequences``: stage → what follows a failed
    acceptance; ``penalty_rates``: indicator → 万元 per unit of shortfall per 亩 (user input:
    no penalty formula was found).
    """

    control_indicators: Mapping[str, str] | None = _p("str_map")
    optional_indicators: Mapping[str, str] | None = _p("str_map")
    regional_assessments: Mapping[str, str] | None = _p("str_map")
    site_readiness: str | None = _p("str")
    construction_years: float | None = _p("number")
    production_review_years: float | None = _p("number")
    investment_wan_per_mu_min: float | None = _p("number")
    tax_wan_per_mu_min: float | None = _p("number")
    energy_tce_per_wan_max: float | None = _p("number")
    emissions_t_per_wan_max: float | None = _p("number")
    rd_share_min: float | None = _p("share")
    consequences: Mapping[str, str] | None = _p("str_map")
    penalty_rates: Mapping[str, float] | None = _p("number_map")


@dataclass(frozen=True)
class TenureRules(_Section):
    """Grant terms, flexible terms, lease-then-transfer and the land capitalisation rate."""

    industrial_max_years: float | None = _p("number")
    max_years_by_use: Mapping[str, float] | None = _p("number_map")
    capitalisation_rate_share: float | None = _p("share")
    capitalisation_rate_example_share: float | None = _p("share")
    flexible_term_years: float | None = _p("number")
    flexible_term_options_years: tuple[float, ...] | None = _p("numbers")
    lease_years: float | None = _p("number")
    grant_after_lease_years: float | None = _p("number")


@dataclass(frozen=True)
class MultistoreyRules(_Section):
    """Multi-storey industry (工业上楼) and subdivided standard factories.

    ``suitable_industries_2017``: GB/T 4754-2017 division → name. ``subdivision_unit_min_m2``
    is set locally (user input). ``high_rise_*``: Qingdao 城阳 high-rise industrial buildings.
    """

    far_min: float | None = _p("number")
    height_over_m: float | None = _p("number")
    floors_min: int | None = _p("int")
    enterprise_unit_m2: float | None = _p("number")
    suitable_industries_2017: Mapping[str, str] | None = _p("str_map")
    subdivision_unit_min_m2: float | None = _p("number")
    high_rise_site_ha_min: float | None = _p("number")
    high_rise_far: float | None = _p("number")


@dataclass(frozen=True)
class SupportingHousingRules(_Section):
    """Supporting housing on industrial land (配建); ``rental_*``: with rental dormitories.

    ``unit_floor_area_m2_max``: the size rental units are "mostly" at or below (not a cap on
    each unit); ``small_unit_share_min``: the share of units that must be that small (no
    source gives it: user input); ``key_sme_own_unbuilt_land_required``: 配建 only for key
    SMEs on their own unbuilt land.
    """

    land_share_max: float | None = _p("share")
    floor_share_max: float | None = _p("share")
    rental_land_share_max: float | None = _p("share")
    rental_floor_share_max: float | None = _p("share")
    unit_floor_area_m2_max: float | None = _p("number")
    small_unit_share_min: float | None = _p("share")
    complete_housing_allowed: bool | None = _p("bool")
    key_sme_own_unbuilt_land_required: bool | None = _p("bool")


@dataclass(frozen=True)
class ZoneCreationRules(_Section):
    """Conditions for creating a cluster zone, 2021 targets and the 2025 new-zone rule.

    Creation: ``new_project_investment_wan_per_mu_min``; ``tax_wan_per_mu_min`` OR
    (``alt_revenue_yuan_per_m2_min`` and ``alt_tax_yuan_per_m2_min`` per m² of
    ``alt_area_basis``, ``"land"`` or ``"floor"``: the source does not say, user input);
    ``leading_industry_share_min``.
    """

    new_project_investment_wan_per_mu_min: float | None = _p("number")
    tax_wan_per_mu_min: float | None = _p("number")
    alt_revenue_yuan_per_m2_min: float | None = _p("number")
    alt_tax_yuan_per_m2_min: float | None = _p("number")
    alt_area_basis: str | None = _p("str", choices=("land", "floor"))
    leading_industry_share_min: float | None = _p("share")
    leading_industry_share_target: float | None = _p("share")
    revenue_growth_share_target: float | None = _p("share")
    new_zone_area_km2_min: float | None = _p("number")
    new_zone_above_scale_firms_min: int | None = _p("int")
    new_zone_output_yi_min: float | None = _p("number")


@dataclass(frozen=True)
class TierRules(_Section):
    """Zone tiers by main-business revenue (:class:`Tier` rows, ascending) and the target year.

    ``count_rule`` says how a tier's target count is compared: ``"at_or_above"`` (a zone of a
    higher tier counts toward a lower tier's target too) or ``"in_tier"`` (only zones whose
    highest tier is this one); the plan does not say which.
    """

    levels: tuple[Tier, ...] | None = _p("rows", row=Tier)
    target_year: int | None = _p("int")
    count_rule: str | None = _p("str", choices=("at_or_above", "in_tier"))


@dataclass(frozen=True)
class AssessmentRules(_Section):
    """Annual zone assessment.

    ``indicators``: key → name; ``stock_weights`` / ``increment_weights``: relative weights
    within each part; ``stock_share`` + ``increment_share`` = 1; ``benchmark_method``
    (``"target"`` uses ``stock_targets`` / ``increment_targets``, user input);
    ``score_ratio_min`` / ``score_ratio_max``: bounds of value ÷ benchmark;
    ``elimination_bottom_count`` / ``elimination_failed_years``: the elimination-warning rule;
    ``reward_top_count`` zones share the reward pool, each at most ``reward_wan_max`` (万元);
    ``attraction_fortune500_projects_min`` / ``attraction_projects_over_100m_min``: the yearly
    investment-attraction targets per zone (project counts).
    """

    indicators: Mapping[str, str] | None = _p("str_map")
    stock_weights: Mapping[str, float] | None = _p("number_map")
    increment_weights: Mapping[str, float] | None = _p("number_map")
    stock_share: float | None = _p("share")
    increment_share: float | None = _p("share")
    benchmark_method: str | None = _p("str", choices=("best", "mean", "median", "target"))
    stock_targets: Mapping[str, float] | None = _p("number_map")
    increment_targets: Mapping[str, float] | None = _p("number_map")
    score_ratio_min: float | None = _p("number")
    score_ratio_max: float | None = _p("number")
    elimination_bottom_count: int | None = _p("int")
    elimination_failed_years: int | None = _p("int")
    reward_top_count: int | None = _p("int")
    reward_wan_max: float | None = _p("number")
    reward_pool_wan: float | None = _p("number")
    attraction_fortune500_projects_min: float | None = _p("number")
    attraction_projects_over_100m_min: float | None = _p("number")


@dataclass(frozen=True)
class FieldRules(_Section):
    """The plan's fields (:class:`PlanField` rows) and whether other fields may apply."""

    plan_fields: tuple[PlanField, ...] | None = _p("rows", row=PlanField)
    open_to_other_fields: bool | None = _p("bool")


@dataclass(frozen=True)
class LandPriceRules(_Section):
    """Benchmark land price: industrial grades (:class:`LandPriceGrade`) and edition year."""

    edition_year: int | None = _p("int")
    industrial_grades: tuple[LandPriceGrade, ...] | None = _p("rows", row=LandPriceGrade)


@dataclass(frozen=True)
class DataQualityRules(_Section):
    """Data-quality allowances, not policy numbers: how far data may stray before a warning.

    ``area_check_factor``: a declared ``land_area_m2`` differing from the geometry area by more
    than this factor (either way) is warned about by the readers (it catches unit mistakes:
    亩 read as m² is a factor of 666.7). The readers' ``area_check_factor=`` default equals it.
    ``compliance_tolerance_m2`` / ``compliance_tolerance_share``: a proposal's part outside the
    zones is ignored when it is within both (slivers between boundaries drawn from different
    sources); the ``tolerance_m2=`` / ``tolerance_share=`` arguments of check_new_land override.
    """

    area_check_factor: float | None = _p("number")
    compliance_tolerance_m2: float | None = _p("number")
    compliance_tolerance_share: float | None = _p("share")


@dataclass(frozen=True)
class BankRules(_Section):
    """The redevelopment project bank (低效产业用地再开发项目库): how candidates are ordered.

    ``priority_weights``: component → weight of the priority score (``tax_gain``,
    ``land_freed``, ``extra_floor_area``, ``reasons``; a method choice of landuse, no source
    gives an order of candidates).
    """

    priority_weights: Mapping[str, float] | None = _p("number_map")


SECTIONS: dict[str, type] = {
    "control": ControlRules,
    "far": FarRules,
    "idle": IdleRules,
    "inefficient": InefficientRules,
    "mujun": MujunRules,
    "standard_land": StandardLandRules,
    "tenure": TenureRules,
    "multistorey": MultistoreyRules,
    "supporting_housing": SupportingHousingRules,
    "zone_creation": ZoneCreationRules,
    "tiers": TierRules,
    "assessment": AssessmentRules,
    "fields": FieldRules,
    "land_price": LandPriceRules,
    "bank": BankRules,
    "data_quality": DataQualityRules,
}
for _name, _cls in SECTIONS.items():
    _cls._section = _name


def param_meta(section: str, key: str) -> Mapping[str, Any]:
    for f in dataclasses.fields(SECTIONS[section]):
        if f.name == key:
            return f.metadata
    raise KeyError(key)  # pragma: no cover - callers check the key first


def all_keys() -> list[str]:
    return [f"{s}.{f.name}" for s, cls in SECTIONS.items() for f in dataclasses.fields(cls)]


def check_key(key: str, *, where: str) -> tuple[str, str]:
    """Split ``"section.name"`` and check both parts, naming the valid ones otherwise."""
    section, _, name = key.partition(".")
    if section not in SECTIONS:
        msg = (
            f"{where}: unknown policy section `{section}` in key `{key}`; "
            f"sections: {', '.join(SECTIONS)}"
        )
        raise PolicyError(msg)
    valid = [f.name for f in dataclasses.fields(SECTIONS[section])]
    if name not in valid:
        msg = f"{where}: unknown key `{key}` in section `{section}`; valid keys: {', '.join(valid)}"
        raise PolicyError(msg)
    return section, name


# --- value conversion ------------------------------------------------------------------------


def type_name(raw: Any) -> str:
    return f"{type(raw).__name__} {raw!r}"


def _at(where: tuple[str, str]) -> str:
    """Format a location (origin, dotted path) for a message."""
    return f"{where[0]}: `{where[1]}`"


def _sub(where: tuple[str, str], suffix: str) -> tuple[str, str]:
    return where[0], where[1] + suffix


def _number(raw: Any, where: tuple[str, str]) -> float:
    if isinstance(raw, bool) or not isinstance(raw, numbers.Real):
        msg = f"{_at(where)} must be a number, got {type_name(raw)}; write it without quotes"
        raise PolicyError(msg)
    if not math.isfinite(float(raw)) or raw < 0:
        msg = f"{_at(where)} must be a finite number ≥ 0, got {raw!r}"
        raise PolicyError(msg)
    return float(raw)


def _code(raw: Any, where: tuple[str, str]) -> str:
    if not isinstance(raw, str) or not raw.isdigit():
        msg = f'{_at(where)} must be a division code as text of digits ("13"), got {type_name(raw)}'
        raise PolicyError(msg)
    return raw


def convert(raw: Any, meta: Mapping[str, Any], where: tuple[str, str]) -> Any:
    """Convert a TOML (or user) value to the attribute's Python type, or raise PolicyError."""
    kind = meta["kind"]
    if kind in ("number", "share"):
        x = _number(raw, where)
        if kind == "share" and x > 1:
            msg = f"{_at(where)} must be a share between 0 and 1 (write 0.30, not 30), got {raw!r}"
            raise PolicyError(msg)
        return x
    if kind == "int":
        if isinstance(raw, numbers.Integral) or (isinstance(raw, float) and raw.is_integer()):
            raw = raw if isinstance(raw, bool) else int(raw)
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            msg = f"{_at(where)} must be a whole number ≥ 0, got {type_name(raw)}"
            raise PolicyError(msg)
        return raw
    if kind in ("str", "confidence"):
        choices = CONFIDENCE_TAGS if kind == "confidence" else meta["choices"]
        if not isinstance(raw, str) or not raw.strip():
            msg = f"{_at(where)} must be non-empty text, got {type_name(raw)}"
            raise PolicyError(msg)
        if choices is not None and raw not in choices:
            msg = f"{_at(where)} must be one of {', '.join(choices)}; got {raw!r}"
            raise PolicyError(msg)
        return raw
    if kind == "bool":
        if not isinstance(raw, bool):
            msg = f"{_at(where)} must be true or false, got {type_name(raw)}"
            raise PolicyError(msg)
        return raw
    if kind == "code":
        return _code(raw, where)
    if kind in ("codes", "names", "numbers", "rows"):
        if isinstance(raw, (str, bytes, Mapping)) or not isinstance(raw, (list, tuple)):
            msg = f"{_at(where)} must be a list, got {type_name(raw)}"
            raise PolicyError(msg)
        if kind == "codes":
            return tuple(_code(v, _sub(where, f"[{i}]")) for i, v in enumerate(raw))
        if kind == "names":
            return tuple(convert(v, TEXT_META, _sub(where, f"[{i}]")) for i, v in enumerate(raw))
        if kind == "numbers":
            return tuple(_number(v, _sub(where, f"[{i}]")) for i, v in enumerate(raw))
        return tuple(_row(v, meta["row"], _sub(where, f"[{i}]")) for i, v in enumerate(raw))
    if kind in ("str_map", "number_map"):
        if not isinstance(raw, Mapping):
            msg = f"{_at(where)} must be a table of key = value pairs, got {type_name(raw)}"
            raise PolicyError(msg)
        item = TEXT_META if kind == "str_map" else {"kind": "number"}
        return MappingProxyType(
            {str(k): convert(v, item, _sub(where, f".{k}")) for k, v in raw.items()}
        )
    raise AssertionError(kind)  # pragma: no cover


def _row(raw: Any, row_type: type, where: tuple[str, str]) -> Any:
    if isinstance(raw, row_type):
        raw = {f.name: getattr(raw, f.name) for f in dataclasses.fields(row_type)}
    if not isinstance(raw, Mapping):
        msg = f"{_at(where)} must be a table (row), got {type_name(raw)}"
        raise PolicyError(msg)
    columns = {f.name: f for f in dataclasses.fields(row_type)}
    unknown = [k for k in raw if k not in columns]
    if unknown:
        msg = f"{_at(where)}: unknown column(s) {', '.join(unknown)}; columns: {', '.join(columns)}"
        raise PolicyError(msg)
    values = {}
    for name, f in columns.items():
        value = raw.get(name)
        if value is None:
            if f.default is dataclasses.MISSING:
                msg = f"{_at(where)} has no `{name}`; every row needs `{name}`"
                raise PolicyError(msg)
            continue
        values[name] = convert(value, f.metadata, _sub(where, f".{name}"))
    return row_type(**values)
