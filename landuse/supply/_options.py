"""The project and the supply options compared by :func:`landuse.supply.evaluate_supply_options`.

Private: public API in :mod:`landuse.supply`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from landuse.policy import Policy, _division
from landuse.supply._common import check_choice, check_number, land_area
from landuse.supply._tenure import grant_price, lease_then_transfer_cash_flows
from landuse.units import YUAN_PER_WAN

__all__ = [
    "ConventionalGrant",
    "FlexibleTerm",
    "LeaseThenTransfer",
    "MultistoreyUnit",
    "Project",
    "StandardLand",
]


# --- the project -----------------------------------------------------------------------------

_REQUIRED_FIELDS = ("industry_code", "floor_area_needed_m2", "investment_wan", "expected_tax_wan")
_TEXT_FIELDS = ("industry_code", "zone_id", "name", "industry_code_version", "land_grade")


@dataclass(frozen=True)
class Project:
    """A project asking for industrial land.

    Attributes
    ----------
    industry_code
        GB/T 4754 division (``"39"``; group/class codes are reduced to the division).
    floor_area_needed_m2
        Floor area the project needs, m² (> 0).
    investment_wan
        Fixed-asset investment, 万元 (≥ 0; land price included, as the indicator counts it).
    expected_tax_wan
        Tax per year at full production, 万元 (≥ 0).
    zone_id
        Cluster zone the land would be in (selects the zone's standard-land values).
    name
        Label for tables.
    industry_code_version
        ``"2017"`` (default) or ``"2002"``.
    land_area_m2
        Land asked for, m², if the project has a site size; otherwise land is sized from the
        floor area at the option's FAR (or ``far``).
    far
        Planned FAR on own land; default: the FAR each option requires.
    land_price_yuan_m2, land_grade
        Full-term land price in 元/m², or a grade of ``land_price.industrial_grades``.
    footprint_m2, admin_living_land_m2, green_area_m2
        Planned areas, m² (for the control indicators).
    value_added_wan, energy_tce, emissions_t, rd_spend_wan, expected_revenue_wan
        Expected yearly figures (for the optional "N" indicators).

    Examples
    --------
    >>> Project(industry_code="C3911", floor_area_needed_m2=9000, investment_wan=5000,
    ...         expected_tax_wan=400).industry_code
    '39'
    >>> Project.from_mapping({"industry_code": 39, "floor_area_needed_m2": "9000",
    ...     "investment_wan": 5000, "expected_tax_wan": 400, "zone_id": float("nan")}).zone_id is None
    True
    """

    industry_code: str
    floor_area_needed_m2: float
    investment_wan: float
    expected_tax_wan: float
    zone_id: str | None = None
    name: str | None = None
    industry_code_version: str = "2017"
    land_area_m2: float | None = None
    far: float | None = None
    land_price_yuan_m2: float | None = None
    land_grade: str | None = None
    footprint_m2: float | None = None
    admin_living_land_m2: float | None = None
    green_area_m2: float | None = None
    value_added_wan: float | None = None
    energy_tce: float | None = None
    emissions_t: float | None = None
    rd_spend_wan: float | None = None
    expected_revenue_wan: float | None = None

    def __post_init__(self) -> None:
        caller = "Project"
        check_choice(
            self.industry_code_version,
            ("2017", "2002"),
            name="industry_code_version",
            caller=caller,
        )
        try:
            code = _division(self.industry_code)
        except ValueError as exc:
            msg = f"{caller}: {exc}"
            raise ValueError(msg) from exc
        object.__setattr__(self, "industry_code", code)
        check_number(
            self.floor_area_needed_m2,
            name="floor_area_needed_m2",
            caller=caller,
            low=0,
            low_inclusive=False,
            hint=" A project needs some floor area.",
        )
        for name in ("investment_wan", "expected_tax_wan"):
            check_number(getattr(self, name), name=name, caller=caller, low=0)
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in _REQUIRED_FIELDS or f.name in _TEXT_FIELDS or value is None:
                continue
            positive = f.name in ("land_area_m2", "far")
            check_number(
                value,
                name=f.name,
                caller=caller,
                low=0,
                low_inclusive=not positive,
                hint=" Areas and amounts cannot be negative." if not positive else "",
            )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Project:
        """Build a project from a mapping (a dict, a CSV row, a TOML table).

        Numbers given as text are converted; empty values (None, NaN, "") count as missing.

        Parameters
        ----------
        values
            Field name → value; unknown names raise with the valid ones listed.

        Returns
        -------
        Project
        """
        caller = "Project.from_mapping"
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = [str(k) for k in values if k not in fields]
        if unknown:
            msg = (
                f"{caller}: unknown project field(s) {', '.join(unknown)}; valid fields: "
                f"{', '.join(fields)}."
            )
            raise ValueError(msg)
        clean: dict[str, Any] = {}
        for key, value in values.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if isinstance(value, str) and not value.strip():
                continue
            if key in _TEXT_FIELDS:
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                clean[key] = str(value).strip()
            elif isinstance(value, str):
                try:
                    clean[key] = float(value.replace(",", ""))
                except ValueError as exc:
                    msg = f"{caller}: `{key}` must be a number; received {value!r}."
                    raise ValueError(msg) from exc
            else:
                clean[key] = value
        missing = [k for k in _REQUIRED_FIELDS if k not in clean]
        if missing:
            msg = f"{caller}: missing required project field(s): {', '.join(missing)}."
            raise ValueError(msg)
        return cls(**clean)


# --- the options -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConventionalGrant:
    """Conventional grant (常规出让) for ``years`` (default: the legal maximum, 50).

    Held to the national control indicators only (the industry's minimum FAR, building
    coefficient, admin and green shares).
    """

    years: float | None = None
    key: ClassVar[str] = "conventional"


@dataclass(frozen=True)
class StandardLand:
    """Standard land (标准地) granted for ``years`` (default: the legal maximum, 50).

    Held to the standard-land conditions of the zone and industry.
    """

    years: float | None = None
    key: ClassVar[str] = "standard_land"


@dataclass(frozen=True)
class FlexibleTerm:
    """Flexible-term grant (弹性年期出让) of ``years`` (default ``tenure.flexible_term_years``).

    Supplied as standard land, so held to its conditions.
    """

    years: float | None = None
    key: ClassVar[str] = "flexible"


@dataclass(frozen=True)
class LeaseThenTransfer:
    """Lease then transfer (先租后让): ``lease_years`` of rent, then a grant of ``grant_years``.

    Defaults ``tenure.lease_years`` + ``tenure.grant_after_lease_years`` (5 + 15); rent as in
    :func:`lease_then_transfer_cash_flows`. Supplied as standard land (as in the Pingluo
    标准地 + 先租后让 model, POLICY-FACTS §4.3), so held to its conditions.
    """

    lease_years: int | None = None
    grant_years: float | None = None
    annual_rent_yuan_m2: float | None = None
    key: ClassVar[str] = "lease_then_transfer"


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
    """

    far: float | None = None
    price_yuan_m2: float | None = None
    rent_yuan_m2_year: float | None = None
    years: float | None = None
    key: ClassVar[str] = "multistorey"


Option = ConventionalGrant | StandardLand | FlexibleTerm | LeaseThenTransfer | MultistoreyUnit
_OPTION_TYPES: dict[str, type] = {
    "conventional": ConventionalGrant,
    "standard_land": StandardLand,
    "flexible": FlexibleTerm,
    "lease_then_transfer": LeaseThenTransfer,
    "multistorey": MultistoreyUnit,
}
#: Policy preference, the last tie-break of the ranking: no new land first, then standard land
#: and the tenures that keep land with the city longer.
_PREFERENCE = ("multistorey", "standard_land", "lease_then_transfer", "flexible", "conventional")
RankBy = Literal["land", "firm_cost", "city_npv"]

_LABELS = {
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
_WHY = {
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
    },
}


def _as_options(options: Sequence[str | Option] | None, *, caller: str) -> list[Option]:
    if options is None:
        return [cls() for cls in _OPTION_TYPES.values()]
    if isinstance(options, (str, *_OPTION_TYPES.values())):
        options = [options]  # type: ignore[list-item]
    out: list[Option] = []
    for item in options:
        if isinstance(item, str):
            check_choice(item, tuple(_OPTION_TYPES), name="options", caller=caller)
            out.append(_OPTION_TYPES[item]())
        elif isinstance(item, tuple(_OPTION_TYPES.values())):
            out.append(item)
        else:
            msg = (
                f"{caller}: `options` items must be option names ({', '.join(_OPTION_TYPES)}) "
                f"or option objects (ConventionalGrant, StandardLand, FlexibleTerm, "
                f"LeaseThenTransfer, MultistoreyUnit); received {type(item).__name__}."
            )
            raise TypeError(msg)
    if not out:
        msg = f"{caller}: `options` is empty; give at least one of {', '.join(_OPTION_TYPES)}."
        raise ValueError(msg)
    return out


def _as_project(project: Project | Mapping[str, Any], *, caller: str) -> Project:
    if isinstance(project, Project):
        return project
    if isinstance(project, pd.Series):
        return Project.from_mapping(project.to_dict())
    if isinstance(project, Mapping):
        return Project.from_mapping(project)
    msg = (
        f"{caller}: `project` must be a Project or a mapping of its fields; received "
        f"{type(project).__name__}."
    )
    raise TypeError(msg)


def _site_values(site: Any, *, caller: str) -> dict[str, Any]:
    """Land area, zone, price and grade of a one-row site (GeoDataFrame, DataFrame, mapping)."""
    if site is None:
        return {}
    if isinstance(site, pd.DataFrame):
        if len(site) != 1:
            msg = f"{caller}: `site` must be one parcel (one row); received {len(site)} rows."
            raise ValueError(msg)
        area, how = land_area(site, name="site", caller=caller)
        row = site.iloc[0]
        values = {k: row[k] for k in ("zone_id", "land_price_yuan_m2", "land_grade") if k in row}
        if area is None or np.isnan(area[0]):
            msg = f"{caller}: `site` has no land area ({how})."
            raise ValueError(msg)
        values["land_area_m2"] = float(area[0])
    elif isinstance(site, (Mapping, pd.Series)):
        values = dict(site)
        if "land_area_m2" not in values:
            msg = f"{caller}: `site` needs `land_area_m2` (m²)."
            raise ValueError(msg)
        values["land_area_m2"] = check_number(
            values["land_area_m2"],
            name="site land_area_m2",
            caller=caller,
            low=0,
            low_inclusive=False,
        )
    else:
        msg = f"{caller}: `site` must be a one-row (Geo)DataFrame or a mapping; received {type(site).__name__}."
        raise TypeError(msg)
    return {
        k: v
        for k, v in values.items()
        if v is not None and not (isinstance(v, float) and np.isnan(v))
    }


def _frame(project: Project, land_m2: float, floor_m2: float) -> pd.DataFrame:
    data = {
        "land_area_m2": land_m2,
        "floor_area_m2": floor_m2,
        "investment_wan": project.investment_wan,
        "expected_tax_wan": project.expected_tax_wan,
    }
    for name in (
        "footprint_m2",
        "admin_living_land_m2",
        "green_area_m2",
        "value_added_wan",
        "energy_tce",
        "emissions_t",
        "rd_spend_wan",
        "expected_revenue_wan",
    ):
        value = getattr(project, name)
        if value is not None:
            data[name] = value
    return pd.DataFrame([data])


def _payments(
    option: Option, *, land: float, floor: float, price: float, policy: Policy, years: float
) -> dict[int, float]:
    """Yearly payments (万元) from the firm, year → amount; NaN amounts where no price."""
    if isinstance(option, LeaseThenTransfer):
        flows = lease_then_transfer_cash_flows(
            land,
            unit_price_yuan_m2=price,
            policy=policy,
            lease_years=option.lease_years,
            grant_years=option.grant_years,
            annual_rent_yuan_m2=option.annual_rent_yuan_m2,
        )
        return {int(c): float(flows.iloc[0][c]) for c in flows.columns}
    if isinstance(option, MultistoreyUnit):
        if option.price_yuan_m2 is not None:
            return {0: floor * option.price_yuan_m2 / YUAN_PER_WAN}
        if option.rent_yuan_m2_year is not None:
            rent = floor * option.rent_yuan_m2_year / YUAN_PER_WAN
            return {t: rent for t in range(math.ceil(years))}
        return {0: float("nan")}
    return {0: float(grant_price(land, unit_price_yuan_m2=price, years=years, policy=policy))}


def _years(option: Option, policy: Policy) -> tuple[float, dict[str, float]]:
    """Years of use and the label parameters."""
    max_years = float(policy.require("tenure.industrial_max_years"))
    if isinstance(option, LeaseThenTransfer):
        lease = (
            option.lease_years
            if option.lease_years is not None
            else policy.require("tenure.lease_years")
        )
        grant = (
            option.grant_years
            if option.grant_years is not None
            else policy.require("tenure.grant_after_lease_years")
        )
        return float(lease) + float(grant), {"lease": float(lease), "grant": float(grant)}
    if isinstance(option, FlexibleTerm):
        years = (
            option.years
            if option.years is not None
            else policy.require("tenure.flexible_term_years")
        )
    else:
        years = option.years if option.years is not None else max_years
    check_number(
        years,
        name=f"{option.key} years",
        caller="evaluate_supply_options",
        low=0,
        low_inclusive=False,
        high=max_years,
        hint=f" The legal maximum for industrial land is {max_years:g} years (tenure.industrial_max_years).",
    )
    return float(years), {"years": float(years)}
