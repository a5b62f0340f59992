"""The supply options compared by :func:`landuse.supply.evaluate_supply_options`.

Each option evaluates itself: ``option.evaluate(context)`` returns an :class:`OptionOutcome`,
the option's row before money is discounted and options are ranked. An option is any object
with a ``key`` and that method (:class:`SupplyOption`), so a new kind of supply needs no
change here. The :class:`SupplyContext` holds what every option of one project shares: the
project, the policy, the land price, the FARs and the standard-land conditions.

Private: public API in :mod:`landuse.supply`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from landuse._checks import Lang
from landuse.policy import Policy
from landuse.supply._common import check_choice, check_number, fmt, setting
from landuse.supply._indicators import evaluate_indicators, indicator_values, verdict
from landuse.supply._multistorey import suitable_divisions
from landuse.supply._project import Project, project_frame
from landuse.supply._standard import unset_requirements
from landuse.supply._tenure import grant_price_wan, lease_flows
from landuse.units import YUAN_PER_WAN

__all__ = [
    "ConventionalGrant",
    "FlexibleTerm",
    "LeaseThenTransfer",
    "MultistoreyUnit",
    "OptionOutcome",
    "Project",
    "StandardLand",
    "SupplyContext",
    "SupplyOption",
]


# --- what the options share ------------------------------------------------------------------


@dataclass(frozen=True)
class SupplyContext:
    """What every supply option of one project is evaluated against.

    Built once per call of :func:`~landuse.supply.evaluate_supply_options` and handed to each
    option's ``evaluate``.

    Attributes
    ----------
    project
        The project.
    policy
        The rules (already resolved).
    discount_rate
        Fraction per year.
    lang
        Language of labels and reasons.
    caller
        The public function called, for messages.
    floor_m2
        Floor area the project needs, m².
    land_price_yuan_m2
        Full-term land price, 元/m² (NaN when neither a price nor a grade is known).
    fixed_land_m2
        Land of the site or the project's ``land_area_m2``, m²; None when land is sized from
        the floor area.
    conditions
        The standard-land conditions of the project's zone and industry
        (:func:`~landuse.supply.standard_land_conditions`).
    conventional_far
        The industry's minimum FAR (NaN where the policy has none).
    standard_far
        The standard-land FAR requirement.
    """

    project: Project
    policy: Policy
    discount_rate: float
    lang: Lang
    caller: str
    floor_m2: float
    land_price_yuan_m2: float
    fixed_land_m2: float | None
    conditions: pd.DataFrame
    conventional_far: float
    standard_far: float

    def land_for(self, required_far: float, what: str) -> float:
        """Land for a grant, m²: the fixed land, else the floor area at the planned FAR."""
        if self.fixed_land_m2 is not None:
            return float(self.fixed_land_m2)
        planned = self.project.far if self.project.far is not None else required_far
        if planned is None or np.isnan(planned):
            msg = (
                f"{self.caller}: cannot size the land for the {what} option: the policy has no "
                f"FAR requirement for industry {self.project.industry_code}. Give the project's "
                "`land_area_m2` or planned `far`, or a `site`."
            )
            raise ValueError(msg)
        return self.floor_m2 / planned

    def max_years(self) -> float:
        """The legal maximum term of industrial land (``tenure.industrial_max_years``)."""
        return float(self.policy.require("tenure.industrial_max_years"))


@dataclass(frozen=True)
class OptionOutcome:
    """One option evaluated for one project: its row before discounting and ranking.

    Attributes
    ----------
    label
        Row label in the context's language.
    years
        Years of use.
    land_m2, new_land_m2
        Land the option uses (granted, or attributed to a unit) and the new land it takes, m².
    far
        FAR the project is held to (or the building's, for a unit).
    payments
        What the firm pays for the land, 万元 by year (0 = now); NaN amounts where no price.
    city_receives
        Whether the payments go to the city (False for a unit bought or rented from a firm).
    indicators_met
        True, False or ``pd.NA`` (not all evaluated).
    indicators_failed, not_evaluated, fail_text
        Keys failed, what could not be evaluated, why the option is not feasible.
    feasible
        Whether the option is possible for the project.
    notes
        Further remarks, appended to the row's reason.
    """

    label: str
    years: float
    land_m2: float
    new_land_m2: float
    far: float
    payments: Mapping[int, float]
    city_receives: bool = True
    indicators_met: Any = pd.NA
    indicators_failed: str = ""
    not_evaluated: str = ""
    feasible: bool = True
    fail_text: str = ""
    notes: tuple[str, ...] = ()


@runtime_checkable
class SupplyOption(Protocol):
    """What :func:`~landuse.supply.evaluate_supply_options` needs of an option.

    ``key`` names the option in the table (repeated keys get ``_2``, ``_3``…) and orders ties
    by policy preference (unknown keys last); ``evaluate`` returns its :class:`OptionOutcome`.
    """

    key: ClassVar[str]

    def evaluate(self, context: SupplyContext) -> OptionOutcome:
        """Evaluate the option for ``context.project``."""
        ...


def checked_years(years: Any, *, key: str, context: SupplyContext) -> float:
    """Years of use, > 0 and at most the legal maximum."""
    max_years = context.max_years()
    check_number(
        years,
        name=f"{key} years",
        caller=context.caller,
        low=0,
        low_inclusive=False,
        high=max_years,
        hint=f" The legal maximum for industrial land is {max_years:g} years (tenure.industrial_max_years).",
    )
    return float(years)


# --- options on granted land -----------------------------------------------------------------


class _GrantedLand:
    """The options that grant land to the project: sized, held to indicators, paid for."""

    key: ClassVar[str]
    #: Held to the standard-land conditions (else to the national control indicators only).
    standard: ClassVar[bool] = True

    def terms(self, context: SupplyContext) -> tuple[float, dict[str, float]]:
        """Years of use and the label parameters."""
        own = getattr(self, "years", None)
        years = own if own is not None else self.default_years(context)
        years = checked_years(years, key=self.key, context=context)
        return years, {"years": years}

    def default_years(self, context: SupplyContext) -> float:
        """Years when none are given: the legal maximum."""
        return context.max_years()

    def payments(self, land: float, years: float, context: SupplyContext) -> dict[int, float]:
        """The grant price, paid now."""
        price = grant_price_wan(
            land,
            unit_price_yuan_m2=context.land_price_yuan_m2,
            years=years,
            policy=context.policy,
            rate=None,
            max_years=None,
            caller=context.caller,
        )
        return {0: float(price)}

    def evaluate(self, context: SupplyContext) -> OptionOutcome:
        """Size the land, check the indicators, price the land."""
        years, label_args = self.terms(context)
        required = context.standard_far if self.standard else context.conventional_far
        land = context.land_for(required, self.key)
        met, failed, fail_text, missing_text, any_failed = _indicators(
            context, land, standard=self.standard
        )
        no_price = np.isnan(context.land_price_yuan_m2)
        return OptionOutcome(
            label=LABELS[context.lang][self.key].format(**label_args),
            years=years,
            land_m2=land,
            new_land_m2=land,
            far=context.floor_m2 / land,
            payments=self.payments(land, years, context),
            indicators_met=met,
            indicators_failed=failed,
            not_evaluated=missing_text,
            feasible=not any_failed,
            fail_text=fail_text,
            notes=(WHY[context.lang]["no_price"],) if no_price else (),
        )


def _indicators(
    context: SupplyContext, land: float, *, standard: bool
) -> tuple[Any, str, str, str, bool]:
    """The project on ``land`` against the standard-land conditions (or control indicators).

    Returns (met, keys failed, failure text, not-evaluated text, any failed).
    """
    conditions = context.conditions
    proj, lang = context.project, context.lang
    control = [k for k in conditions.index if conditions.loc[k, "group"] == "control"]
    keys = list(conditions.index) if standard else ["far", *control]
    reqs = {k: np.array([float(conditions.loc[k, "value"])]) for k in keys}
    if not standard:
        reqs["far"] = np.array([context.conventional_far])
    values = indicator_values(
        project_frame(proj, land, context.floor_m2),
        np.array([land]),
        role="project",
        keys=keys,
        land_how="",
        name="project",
        caller=context.caller,
        lang=lang,
    )
    no_far = (
        f"no minimum FAR for division {proj.industry_code}"
        if lang == "en"
        else f"政策未设行业 {proj.industry_code} 的最低容积率"
    )
    no_requirement = {"far": np.array([no_far])}
    if standard:  # a city value the profile leaves unset: say which key to set
        for key, (why, _) in unset_requirements(context.policy, lang).items():
            no_requirement[key] = np.array([why if np.isnan(reqs[key][0]) else ""], dtype=object)
    cols, any_failed, any_missing, failed_parts, missing_parts = evaluate_indicators(
        values,
        reqs,
        keys,
        n=1,
        policy=context.policy,
        lang=lang,
        no_requirement=no_requirement,
    )
    failed = "; ".join(
        k for k in keys if not pd.isna(cols[f"{k}_met"][0]) and not cols[f"{k}_met"][0]
    )
    fail_text = "; ".join(part[0] for part in failed_parts if part[0])
    missing_text = "; ".join(part[0] for part in missing_parts if part[0])
    met = verdict(any_failed, any_missing)[0]
    return met, failed, fail_text, missing_text, bool(any_failed[0])


@dataclass(frozen=True)
class ConventionalGrant(_GrantedLand):
    """Conventional grant (常规出让) for ``years`` (default: the legal maximum, 50).

    Held to the national control indicators only (the industry's minimum FAR, building
    coefficient, admin and green shares).
    """

    years: float | None = None
    key: ClassVar[str] = "conventional"
    standard: ClassVar[bool] = False


@dataclass(frozen=True)
class StandardLand(_GrantedLand):
    """Standard land (标准地) granted for ``years`` (default: the legal maximum, 50).

    Held to the standard-land conditions of the zone and industry.
    """

    years: float | None = None
    key: ClassVar[str] = "standard_land"


@dataclass(frozen=True)
class FlexibleTerm(_GrantedLand):
    """Flexible-term grant (弹性年期出让) of ``years`` (default ``tenure.flexible_term_years``).

    Supplied as standard land, so held to its conditions.
    """

    years: float | None = None
    key: ClassVar[str] = "flexible"

    def default_years(self, context: SupplyContext) -> float:
        """``tenure.flexible_term_years``."""
        return context.policy.require("tenure.flexible_term_years")


@dataclass(frozen=True)
class LeaseThenTransfer(_GrantedLand):
    """Lease then transfer (先租后让): ``lease_years`` of rent, then a grant of ``grant_years``.

    Defaults ``tenure.lease_years`` + ``tenure.grant_after_lease_years`` (5 + 15); rent as in
    :func:`lease_then_transfer_cash_flows`. Supplied as standard land (as in the Pingluo
    标准地 + 先租后让 model, POLICY-FACTS §4.3), so held to its conditions.
    """

    lease_years: int | None = None
    grant_years: float | None = None
    annual_rent_yuan_m2: float | None = None
    key: ClassVar[str] = "lease_then_transfer"

    def terms(self, context: SupplyContext) -> tuple[float, dict[str, float]]:
        """Lease plus grant years (checked with the cash flows), and the label parameters."""
        policy = context.policy
        lease = (
            self.lease_years
            if self.lease_years is not None
            else policy.require("tenure.lease_years")
        )
        grant = (
            self.grant_years
            if self.grant_years is not None
            else policy.require("tenure.grant_after_lease_years")
        )
        return float(lease) + float(grant), {"lease": float(lease), "grant": float(grant)}

    def payments(self, land: float, years: float, context: SupplyContext) -> dict[int, float]:
        """Rent at the start of each lease year, then the grant price."""
        flows = lease_flows(
            land,
            unit_price_yuan_m2=context.land_price_yuan_m2,
            policy=context.policy,
            lease_years=self.lease_years,
            grant_years=self.grant_years,
            annual_rent_yuan_m2=self.annual_rent_yuan_m2,
            rate=None,
            max_years=None,
            caller=context.caller,
        )
        return {int(c): float(flows.iloc[0][c]) for c in flows.columns}


# --- a unit in a multi-storey factory --------------------------------------------------------


@dataclass(frozen=True)
class MultistoreyUnit:
    """A unit in a multi-storey factory (工业上楼 / 标准厂房): no new land for the project.

    Attributes
    ----------
    far
        FAR of the building, for the land attributed to the project (default
        ``multistorey.high_rise_far`` where the policy sets it, else ``multistorey.far_min``).
    price_yuan_m2
        Purchase price of a subdivided unit, 元 per m² of floor area (market input).
    rent_yuan_m2_year
        Or its rent, 元 per m² of floor area per year (market input).
    years
        Years of use (default the legal maximum); rent is paid at the start of each year.
    height_m, floors
        Height and floor count of the building. A building counts as 工业上楼 when its FAR is
        ≥ ``multistorey.far_min`` AND its height > ``multistorey.height_over_m`` OR it has ≥
        ``multistorey.floors_min`` floors (POLICY-FACTS §5.1). Unknown → the criterion is
        "not evaluated" (never assumed); known and failed → the option is not feasible.
    """

    far: float | None = None
    price_yuan_m2: float | None = None
    rent_yuan_m2_year: float | None = None
    years: float | None = None
    height_m: float | None = None
    floors: int | None = None
    key: ClassVar[str] = "multistorey"

    def evaluate(self, context: SupplyContext) -> OptionOutcome:
        """Land attributed at the building's FAR; feasible where the industry suits it."""
        years = self.years if self.years is not None else context.max_years()
        years = checked_years(years, key=self.key, context=context)
        far = self._checked_far(context)
        policy, text, floor = context.policy, WHY[context.lang], context.floor_m2
        suitable_sets = suitable_divisions(policy)
        proj = context.project
        suitable = proj.industry_code in suitable_sets.get(proj.industry_code_version, set())
        codes = ", ".join(sorted(suitable_sets["2017"]))
        notes = []
        min_unit = setting(policy, "multistorey.subdivision_unit_min_m2")
        if self.price_yuan_m2 is not None and min_unit is not None and floor < min_unit:
            notes.append(text["small_unit"].format(min=fmt(min_unit)))
        notes.append(text["floor_load"])
        if self.price_yuan_m2 is None and self.rent_yuan_m2_year is None:
            notes.append(text["no_price"])
        building, held, unknown = self._building(context, far)
        notes.insert(0, held)
        failed = [
            k for k, ok in (("suitable_industry", suitable), ("building", building)) if ok is False
        ]
        fails = [text["not_suitable"].format(codes=codes)] if not suitable else []
        if building is False:
            fails.append(text["not_multistorey"].format(held=held))
        met: Any = pd.NA if (building is None and not failed) else not failed
        return OptionOutcome(
            label=LABELS[context.lang][self.key],
            years=years,
            land_m2=floor / far,
            new_land_m2=0.0,
            far=far,
            payments=self.payments(years, floor),
            city_receives=False,
            indicators_met=met,
            indicators_failed="; ".join(failed),
            not_evaluated=unknown,
            feasible=not failed,
            fail_text="; ".join(fails),
            notes=tuple(notes),
        )

    def _building(self, context: SupplyContext, far: float) -> tuple[bool | None, str, str]:
        """Whether the building is 工业上楼: FAR AND (height OR floors); None = unknown.

        Returns (verdict, which criteria held, not-evaluated text).
        """
        policy, text, caller = context.policy, WHY[context.lang], context.caller
        ms = policy.multistorey
        far_min = float(policy.require("multistorey.far_min"))
        for name in ("height_m", "floors"):
            value = getattr(self, name)
            if value is not None:
                check_number(value, name=f"MultistoreyUnit.{name}", caller=caller, low=0)
        far_ok = far >= far_min * (1 - 1e-9)
        parts = [f"{text['c_far']} {fmt(far)} {'≥' if far_ok else '<'} {fmt(far_min)}"]
        results: list[bool | None] = []
        for value, limit, label, ops, unit in (
            (self.height_m, ms.height_over_m, "c_height", (">", "≤"), " m"),
            (self.floors, ms.floors_min, "c_floors", ("≥", "<"), ""),
        ):
            if value is None or limit is None:
                parts.append(text[label] + text["c_unknown"])
                results.append(None)
                continue
            ok = value > limit if label == "c_height" else value >= limit
            parts.append(
                f"{text[label]} {fmt(value)}{unit} {ops[0] if ok else ops[1]} {fmt(limit)}{unit}"
            )
            results.append(bool(ok))
        tall = True if True in results else (False if results == [False, False] else None)
        verdict = False if not far_ok else tall
        held = text["criteria"] + "; ".join(parts)
        unknown = text["building_na"] if verdict is None else ""
        return verdict, held, unknown

    def _checked_far(self, context: SupplyContext) -> float:
        """Check price or rent (not both) and return the building's FAR."""
        caller = context.caller
        if self.price_yuan_m2 is not None and self.rent_yuan_m2_year is not None:
            msg = f"{caller}: give MultistoreyUnit a `price_yuan_m2` or a `rent_yuan_m2_year`, not both."
            raise ValueError(msg)
        for name in ("price_yuan_m2", "rent_yuan_m2_year"):
            value = getattr(self, name)
            if value is not None:
                check_number(value, name=f"MultistoreyUnit.{name}", caller=caller, low=0)
        far = self.far
        if far is None:
            ms = context.policy.multistorey
            far = ms.high_rise_far or context.policy.require("multistorey.far_min")
        return check_number(
            far, name="MultistoreyUnit.far", caller=caller, low=0, low_inclusive=False
        )

    def payments(self, years: float, floor: float) -> dict[int, float]:
        """The unit's price now, or its rent at the start of each year; NaN without either."""
        if self.price_yuan_m2 is not None:
            return {0: floor * self.price_yuan_m2 / YUAN_PER_WAN}
        if self.rent_yuan_m2_year is not None:
            rent = floor * self.rent_yuan_m2_year / YUAN_PER_WAN
            return {t: rent for t in range(math.ceil(years))}
        return {0: float("nan")}


# --- names, labels, ranking order ------------------------------------------------------------

Option = ConventionalGrant | StandardLand | FlexibleTerm | LeaseThenTransfer | MultistoreyUnit
#: The built-in options by name, in the order they are compared by default.
OPTION_TYPES: dict[str, type] = {
    "conventional": ConventionalGrant,
    "standard_land": StandardLand,
    "flexible": FlexibleTerm,
    "lease_then_transfer": LeaseThenTransfer,
    "multistorey": MultistoreyUnit,
}
#: Policy preference, the last tie-break of the ranking: no new land first, then standard land
#: and the tenures that keep land with the city longer.
PREFERENCE = ("multistorey", "standard_land", "lease_then_transfer", "flexible", "conventional")
RankBy = Literal["land", "firm_cost", "city_npv"]

#: Row labels of the built-in options.
LABELS = {
    "zh": {
        "conventional": "常规出让（{years:g}年）",
        "standard_land": "标准地出让（{years:g}年）",
        "flexible": "弹性年期出让（{years:g}年）",
        "lease_then_transfer": "先租后让（{lease:g}+{grant:g}年）",
        "multistorey": "入驻工业上楼厂房",
    },
    "en": {
        "conventional": "conventional grant ({years:g} yr)",
        "standard_land": "standard land ({years:g} yr)",
        "flexible": "flexible term ({years:g} yr)",
        "lease_then_transfer": "lease then transfer ({lease:g}+{grant:g} yr)",
        "multistorey": "unit in a multi-storey factory",
    },
}
#: The text of reasons and notes.
WHY = {
    "zh": {
        "infeasible": "不可行: ",
        "summary": "新增用地 {new} 亩；企业首期 {upfront} 万元、年均成本 {eac} 万元；城市收入现值 {city} 万元",
        "recommend": "推荐: ",
        "only": "唯一可行方案",
        "land": "新增用地最少（比次优 {other} 少 {diff} 亩）",
        "upfront": "用地相同，企业首期支出最低（比次优 {other} 少 {diff} 万元）",
        "eac": "企业年均成本最低（比次优 {other} 少 {diff} 万元）",
        "city": "城市收入现值最高（比次优 {other} 多 {diff} 万元）",
        "order": "用地和费用与 {other} 相同，按政策导向优先",
        "not_suitable": "行业不在工业上楼适宜名单（{codes}）",
        "small_unit": "所需面积小于最小分割单元 {min} m²，需购买整单元或租赁",
        "no_price": "未给出价格，费用未计算",
        "no_feasible": "无可行方案",
        "floor_load": "楼面荷载、层高须按厂房核实（无政策数值）",
        "not_multistorey": "厂房不符合工业上楼标准（{held}）",
        "criteria": "工业上楼标准: ",
        "c_far": "容积率",
        "c_height": "高度",
        "c_floors": "层数",
        "c_unknown": "未知",
        "building_na": "厂房高度/层数未知: 给出 MultistoreyUnit(height_m=…, floors=…)",
    },
    "en": {
        "infeasible": "not feasible: ",
        "summary": "new land {new} mu; firm pays {upfront} upfront, {eac} a year; city PV {city} (10k yuan)",
        "recommend": "recommended: ",
        "only": "the only feasible option",
        "land": "least new land ({diff} mu less than {other})",
        "upfront": "same land, lowest upfront cost for the firm ({diff} less than {other})",
        "eac": "lowest yearly cost for the firm ({diff} less than {other})",
        "city": "highest present value for the city ({diff} more than {other})",
        "order": "same land and cost as {other}; preferred by policy",
        "not_suitable": "industry not on the multi-storey list ({codes})",
        "small_unit": "needs less than the minimum subdivision unit of {min} m²: buy a whole unit or rent",
        "no_price": "no price given: costs not computed",
        "no_feasible": "no feasible option",
        "floor_load": "check floor load and storey height against the building (no policy values)",
        "not_multistorey": "the building is not multi-storey industry ({held})",
        "criteria": "multi-storey criteria: ",
        "c_far": "FAR",
        "c_height": "height",
        "c_floors": "floors",
        "c_unknown": " unknown",
        "building_na": "building height/floors unknown: give MultistoreyUnit(height_m=…, floors=…)",
    },
}


def is_option(obj: Any) -> bool:
    """Whether ``obj`` is an option object (built-in or any :class:`SupplyOption`)."""
    return not isinstance(obj, type) and isinstance(obj, SupplyOption)


def as_options(options: Sequence[Any] | str | None, *, caller: str) -> list[SupplyOption]:
    """The options to compare: names become the built-in options with default terms."""
    if options is None:
        return [cls() for cls in OPTION_TYPES.values()]
    if isinstance(options, str) or is_option(options):
        options = [options]
    out: list[SupplyOption] = []
    for item in options:
        if isinstance(item, str):
            check_choice(item, tuple(OPTION_TYPES), name="options", caller=caller)
            out.append(OPTION_TYPES[item]())
        elif is_option(item):
            out.append(item)
        else:
            msg = (
                f"{caller}: `options` items must be option names ({', '.join(OPTION_TYPES)}) "
                f"or option objects (ConventionalGrant, StandardLand, FlexibleTerm, "
                f"LeaseThenTransfer, MultistoreyUnit, or any object with a `key` and an "
                f"`evaluate(context)` method); received {type(item).__name__}."
            )
            raise TypeError(msg)
    if not out:
        msg = f"{caller}: `options` is empty; give at least one of {', '.join(OPTION_TYPES)}."
        raise ValueError(msg)
    return out
