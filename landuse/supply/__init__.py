"""Which supply option fits a project: standard land, a multi-storey factory, a flexible term.

When a project asks for industrial land, staff answer four questions (POLICY-FACTS §1, §2,
§4, §5):

- Which indicators bind it (标准地)? :func:`standard_land_conditions`,
  :func:`check_standard_land` (commitments against the conditions) and
  :func:`accept_standard_land` (竣工验收 / 达产复核 against the commitments).
- Could it go into a multi-storey factory instead of taking new land (工业上楼)?
  :func:`multistorey_potential`.
- What does each tenure cost the firm and bring the city (弹性年期出让, 先租后让)?
  :func:`tenure_coefficient`, :func:`grant_price`, :func:`lease_then_transfer`.
- How much supporting housing may a parcel hold (配建产业配套公寓)?
  :func:`apartment_allowance`, :func:`check_apartment_plan`.

:func:`evaluate_supply_options` puts the answers side by side for one project, one row per
option, ranked with the reason. Money in 万元, land in m² and 亩, prices in 元/m².
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from landuse.policy import Policy
from landuse.supply._common import (
    Lang,
    check_choice,
    check_lang,
    check_number,
    fmt,
    min_far_lookup,
    mu,
    require_policy,
)
from landuse.supply._indicators import _verdict, evaluate_indicators, indicator_values
from landuse.supply._multistorey import (
    apartment_allowance,
    check_apartment_plan,
    multistorey_potential,
    suitable_divisions,
)
from landuse.supply._options import (
    _LABELS,
    _PREFERENCE,
    _WHY,
    ConventionalGrant,
    FlexibleTerm,
    LeaseThenTransfer,
    MultistoreyUnit,
    Option,
    Project,
    RankBy,
    StandardLand,
    _as_options,
    _as_project,
    _frame,
    _payments,
    _site_values,
    _years,
)
from landuse.supply._standard import (
    accept_standard_land,
    check_standard_land,
    standard_land_conditions,
)
from landuse.supply._tenure import (
    _unit_price,
    annuity_due_factor,
    grant_price,
    lease_then_transfer,
    lease_then_transfer_cash_flows,
    present_value,
    tenure_coefficient,
)

__all__ = [
    "ConventionalGrant",
    "FlexibleTerm",
    "LeaseThenTransfer",
    "MultistoreyUnit",
    "Project",
    "StandardLand",
    "accept_standard_land",
    "annuity_due_factor",
    "apartment_allowance",
    "check_apartment_plan",
    "check_standard_land",
    "evaluate_supply_options",
    "grant_price",
    "lease_then_transfer",
    "lease_then_transfer_cash_flows",
    "multistorey_potential",
    "present_value",
    "standard_land_conditions",
    "tenure_coefficient",
]


def evaluate_supply_options(
    project: Project | Mapping[str, Any],
    *,
    policy: Policy,
    discount_rate: float,
    site: Any = None,
    options: Sequence[str | Option] | None = None,
    zone_conditions: pd.DataFrame | Mapping[str, Mapping[str, float]] | None = None,
    rank_by: RankBy = "land",
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Compare supply options for one project, one row per option, ranked with the reason.

    Options: conventional 50-year grant, standard land, a flexible term of N years, lease
    then transfer (L + N years), a unit in a multi-storey factory. For each: the land it takes,
    what the firm pays (upfront, present value, level yearly cost) and what the city receives
    (total and present value) for the land, whether the indicators are met, and a rank.

    Parameters
    ----------
    project
        A :class:`Project` or a mapping of its fields (``industry_code``,
        ``floor_area_needed_m2``, ``investment_wan``, ``expected_tax_wan``, optional
        ``zone_id``, ``land_area_m2``, ``far``, ``land_price_yuan_m2`` or ``land_grade``, …).
    policy
        Rules: tenure terms and rate, standard-land conditions, multi-storey FAR and industries.
    discount_rate
        Rate at which the firm and the city discount money, a fraction per year (0–1). A user
        input: no policy value exists.
    site
        Optional proposed parcel (one-row GeoDataFrame in a projected CRS, or a mapping):
        its land area replaces the sized land; ``zone_id``, ``land_price_yuan_m2`` and
        ``land_grade`` are used where the project has none.
    options
        Option names (``"conventional"``, ``"standard_land"``, ``"flexible"``,
        ``"lease_then_transfer"``, ``"multistorey"``) or option objects with their terms
        (:class:`ConventionalGrant`, :class:`StandardLand`, :class:`FlexibleTerm`,
        :class:`LeaseThenTransfer`, :class:`MultistoreyUnit`); default all five.
    zone_conditions
        Zone standard-land values, as in :func:`standard_land_conditions`.
    rank_by
        ``"land"`` (default: least new land, then lowest upfront cost for the firm),
        ``"firm_cost"`` (lowest level yearly cost) or ``"city_npv"`` (highest present value
        for the city). Feasible options always rank first; the policy preference
        (multi-storey, standard land, lease then transfer, flexible, conventional) breaks ties.
    lang
        ``"zh"`` (default) or ``"en"`` labels and reasons.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``option``: ``label``, ``years`` (of use), ``land_m2``, ``land_mu`` (land
        granted, or attributed to a multi-storey unit at the building's FAR), ``new_land_mu``,
        ``land_saved_mu`` (vs the conventional grant), ``far``, ``investment_wan_per_mu``,
        ``tax_wan_per_mu``, ``firm_upfront_wan``, ``firm_npv_wan`` (negative: present value of
        what the firm pays), ``firm_annual_cost_wan`` (level payment at the start of each year
        of use with the same present value), ``city_revenue_wan``, ``city_npv_wan``,
        ``indicators_met`` (nullable boolean), ``indicators_failed``, ``not_evaluated``,
        ``feasible``, ``rank``, ``recommended`` and ``reason``. ``attrs``: policy, discount
        rate, project name, ``recommendation`` (an option or None).

    Raises
    ------
    ValueError
        Unknown industry code, invalid project values (negative area, …), terms over the legal
        maximum, a discount rate outside [0, 1], land that cannot be sized (no FAR requirement,
        no ``land_area_m2``, ``far`` or ``site``), both a price and a rent for a unit.

    Notes
    -----
    Land for a grant is ``land_area_m2`` (or the site), else the floor area divided by the
    option's FAR: the industry's minimum FAR for a conventional grant, the standard-land FAR for
    the others. Cash flows are land payments only (the project's own investment and tax are the
    same under every option); prices are in constant terms. Costs are NaN where no price is
    given.

    Examples
    --------
    A 9,000 m² electronics project (industry 39: minimum FAR 1.0, suits multi-storey
    factories) investing 4,000 万元, with land at 600 元/m²:

    >>> from landuse import load_policy
    >>> p = Project(industry_code="39", floor_area_needed_m2=9_000, investment_wan=4_000,
    ...             expected_tax_wan=300, land_price_yuan_m2=600)
    >>> out = evaluate_supply_options(
    ...     p, policy=load_policy(), discount_rate=0.06,
    ...     options=["conventional", "flexible", MultistoreyUnit(price_yuan_m2=3_000)])
    >>> out[["land_mu", "new_land_mu", "firm_upfront_wan", "city_npv_wan", "rank"]].round(2).values.tolist()
    [[13.5, 13.5, 540.0, 540.0, 3.0], [13.5, 13.5, 392.96, 392.96, 2.0], [4.5, 0.0, 2700.0, 0.0, 1.0]]
    >>> out.attrs["recommendation"]
    'multistorey'
    """
    caller = "evaluate_supply_options"
    require_policy(policy, caller=caller)
    check_lang(lang, caller=caller)
    check_choice(rank_by, ("land", "firm_cost", "city_npv"), name="rank_by", caller=caller)
    d = check_number(
        discount_rate,
        name="discount_rate",
        caller=caller,
        low=0,
        high=1,
        hint=" Give it as a fraction per year, e.g. 0.05 for 5 %.",
    )
    proj = _as_project(project, caller=caller)
    chosen = _as_options(options, caller=caller)
    site_vals = _site_values(site, caller=caller)
    zone_id = proj.zone_id if proj.zone_id is not None else site_vals.get("zone_id")
    zone_id = None if zone_id is None else str(zone_id)
    conditions = standard_land_conditions(
        zone_id,
        proj.industry_code,
        policy=policy,
        zone_conditions=zone_conditions,
        code_version=proj.industry_code_version,  # type: ignore[arg-type]
        lang=lang,
    )
    # land price
    price = (
        proj.land_price_yuan_m2
        if proj.land_price_yuan_m2 is not None
        else site_vals.get("land_price_yuan_m2")
    )
    grade = proj.land_grade if proj.land_grade is not None else site_vals.get("land_grade")
    if price is None and grade is not None:
        price = float(_unit_price(str(grade), policy, caller=caller))
    price = float("nan") if price is None else float(price)
    floor = float(proj.floor_area_needed_m2)
    fixed_land = site_vals.get("land_area_m2", proj.land_area_m2)
    far_table, _, _ = min_far_lookup(policy, [(proj.industry_code, proj.industry_code_version)])
    conv_far = far_table.get((proj.industry_code, proj.industry_code_version), float("nan"))
    std_far = float(conditions.loc["far", "value"])
    text = _WHY[lang]

    def land_for(required_far: float, what: str) -> float:
        if fixed_land is not None:
            return float(fixed_land)
        planned = proj.far if proj.far is not None else required_far
        if planned is None or np.isnan(planned):
            msg = (
                f"{caller}: cannot size the land for the {what} option: the policy has no FAR "
                f"requirement for industry {proj.industry_code}. Give the project's "
                "`land_area_m2` or planned `far`, or a `site`."
            )
            raise ValueError(msg)
        return floor / planned

    control_keys = [k for k in conditions.index if conditions.loc[k, "group"] == "control"]
    try:
        conv_land = land_for(conv_far, "conventional")
    except ValueError:
        conv_land = float("nan")  # only an error if the conventional option is asked for
    rows = []
    seen: dict[str, int] = {}
    ms_suitable = proj.industry_code in suitable_divisions(policy).get(
        proj.industry_code_version, set()
    )
    for option in chosen:
        years, label_args = _years(option, policy)
        notes: list[str] = []
        if isinstance(option, MultistoreyUnit):
            if option.price_yuan_m2 is not None and option.rent_yuan_m2_year is not None:
                msg = f"{caller}: give MultistoreyUnit a `price_yuan_m2` or a `rent_yuan_m2_year`, not both."
                raise ValueError(msg)
            for name in ("price_yuan_m2", "rent_yuan_m2_year"):
                value = getattr(option, name)
                if value is not None:
                    check_number(value, name=f"MultistoreyUnit.{name}", caller=caller, low=0)
            ms_far = option.far
            if ms_far is None:
                ms_far = policy.multistorey.high_rise_far or policy.require("multistorey.far_min")
            ms_far = check_number(
                ms_far, name="MultistoreyUnit.far", caller=caller, low=0, low_inclusive=False
            )
            land = floor / ms_far
            new_land = 0.0
            met = pd.array([ms_suitable], dtype="boolean")
            failed = "" if ms_suitable else "suitable_industry"
            fail_text = (
                ""
                if ms_suitable
                else text["not_suitable"].format(
                    codes=", ".join(sorted(suitable_divisions(policy)["2017"]))
                )
            )
            missing_text = ""
            min_unit = policy.multistorey.subdivision_unit_min_m2
            if option.price_yuan_m2 is not None and min_unit is not None and floor < min_unit:
                notes.append(text["small_unit"].format(min=fmt(min_unit)))
            notes.append(text["floor_load"])
            far_value = ms_far
            if option.price_yuan_m2 is None and option.rent_yuan_m2_year is None:
                notes.append(text["no_price"])
        else:
            standard = not isinstance(option, ConventionalGrant)
            required_far = std_far if standard else conv_far
            land = land_for(required_far, option.key)
            new_land = land
            keys = list(conditions.index) if standard else ["far", *control_keys]
            reqs = {k: np.array([float(conditions.loc[k, "value"])]) for k in keys}
            if not standard:
                reqs["far"] = np.array([conv_far])
            values = indicator_values(
                _frame(proj, land, floor),
                np.array([land]),
                role="project",
                keys=keys,
                land_how="",
                name="project",
                caller=caller,
                lang=lang,
            )
            no_far = (
                f"no minimum FAR for division {proj.industry_code}"
                if lang == "en"
                else f"政策未设行业 {proj.industry_code} 的最低容积率"
            )
            cols, any_failed, any_missing, failed_parts, missing_parts = evaluate_indicators(
                values,
                reqs,
                keys,
                n=1,
                policy=policy,
                lang=lang,
                no_requirement={"far": np.array([no_far])},
            )
            met = _verdict(any_failed, any_missing)
            failed = "; ".join(
                k for k in keys if not pd.isna(cols[f"{k}_met"][0]) and not cols[f"{k}_met"][0]
            )
            fail_text = "; ".join(part[0] for part in failed_parts if part[0])
            missing_text = "; ".join(part[0] for part in missing_parts if part[0])
            far_value = floor / land
            if np.isnan(price):
                notes.append(text["no_price"])
        payments = _payments(
            option, land=land, floor=floor, price=price, policy=policy, years=years
        )
        flows = pd.DataFrame([payments])
        pv = (
            float("nan")
            if flows.isna().any().any()
            else float(present_value(flows, discount_rate=d).iloc[0])
        )
        is_unit = isinstance(option, MultistoreyUnit)
        feasible = ms_suitable if is_unit else not bool(any_failed[0])
        name = option.key
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}_{seen[name]}"
        rows.append(
            {
                "option": name,
                "key": option.key,
                "label": _LABELS[lang][option.key].format(**label_args),
                "years": years,
                "land_m2": land,
                "land_mu": mu(land),
                "new_land_mu": mu(new_land),
                "far": far_value,
                "investment_wan_per_mu": proj.investment_wan / mu(land),
                "tax_wan_per_mu": proj.expected_tax_wan / mu(land),
                "firm_upfront_wan": payments.get(0, float("nan")),
                "firm_npv_wan": -pv,
                "firm_annual_cost_wan": pv / annuity_due_factor(d, years),
                "city_revenue_wan": 0.0 if is_unit else float(sum(payments.values())),
                "city_npv_wan": 0.0 if is_unit else pv,
                "indicators_met": met[0],
                "indicators_failed": failed,
                "not_evaluated": missing_text,
                "feasible": feasible,
                "_fail_text": fail_text,
                "_notes": notes,
            }
        )
    table = pd.DataFrame(rows).set_index("option")
    table["land_saved_mu"] = (
        mu(conv_land) - table["new_land_mu"] if not np.isnan(conv_land) else np.nan
    )
    _rank(table, rank_by=rank_by, lang=lang)
    columns = [
        "label",
        "years",
        "land_m2",
        "land_mu",
        "new_land_mu",
        "land_saved_mu",
        "far",
        "investment_wan_per_mu",
        "tax_wan_per_mu",
        "firm_upfront_wan",
        "firm_npv_wan",
        "firm_annual_cost_wan",
        "city_revenue_wan",
        "city_npv_wan",
        "indicators_met",
        "indicators_failed",
        "not_evaluated",
        "feasible",
        "rank",
        "recommended",
        "reason",
    ]
    out = table[columns].copy()
    out["indicators_met"] = out["indicators_met"].astype("boolean")
    out["feasible"] = out["feasible"].astype(bool)
    best = out.index[out["recommended"]]
    out.attrs.update(
        {
            "policy": policy.name,
            "discount_rate": d,
            "project": proj.name,
            "rank_by": rank_by,
            "recommendation": str(best[0]) if len(best) else None,
        }
    )
    return out


def _rank(table: pd.DataFrame, *, rank_by: str, lang: Lang) -> None:
    """Add ``rank``, ``recommended`` and ``reason`` in place."""
    text = _WHY[lang]
    pref = table["key"].map({k: i for i, k in enumerate(_PREFERENCE)})
    infeasible = (~table["feasible"].astype(bool)).astype(int)
    nan_last = lambda s: s.fillna(np.inf)  # noqa: E731
    if rank_by == "land":
        sort_cols = [
            infeasible,
            table["new_land_mu"].round(9),
            nan_last(table["firm_upfront_wan"].round(4)),
        ]
        names = ["land", "upfront"]
    elif rank_by == "firm_cost":
        sort_cols = [
            infeasible,
            nan_last(table["firm_annual_cost_wan"].round(4)),
            table["new_land_mu"].round(9),
        ]
        names = ["eac", "land"]
    else:
        sort_cols = [
            infeasible,
            nan_last(-table["city_npv_wan"].round(4)),
            table["new_land_mu"].round(9),
        ]
        names = ["city", "land"]
    keys = pd.DataFrame({f"k{i}": s for i, s in enumerate([*sort_cols, pref])})
    order = keys.sort_values(list(keys.columns), kind="mergesort").index
    table["rank"] = pd.Series(range(1, len(order) + 1), index=order).reindex(table.index)
    feasible_order = [i for i in order if table.loc[i, "feasible"]]
    table["recommended"] = False
    if feasible_order:
        table.loc[feasible_order[0], "recommended"] = True
    fields = {
        "land": ("new_land_mu", 1),
        "upfront": ("firm_upfront_wan", 1),
        "eac": ("firm_annual_cost_wan", 1),
        "city": ("city_npv_wan", -1),
    }
    reasons = {}
    for idx in table.index:
        row = table.loc[idx]
        notes = list(row["_notes"])
        if not row["feasible"]:
            reasons[idx] = text["infeasible"] + row["_fail_text"]
            continue
        summary = text["summary"].format(
            new=fmt(row["new_land_mu"]),
            upfront=fmt(row["firm_upfront_wan"]),
            eac=fmt(row["firm_annual_cost_wan"]),
            city=fmt(row["city_npv_wan"]),
        )
        parts = [summary]
        if row["not_evaluated"]:
            parts.append(("未评价: " if lang == "zh" else "not evaluated: ") + row["not_evaluated"])
        if row["recommended"]:
            why: str | None = None
            if len(feasible_order) == 1:
                why = text["only"]
            else:
                other = feasible_order[1]
                for name in names:
                    col, sign = fields[name]
                    a, b = row[col], table.loc[other, col]
                    if not (np.isnan(a) or np.isnan(b)) and abs(a - b) > 1e-6:
                        why = text[name].format(
                            other=table.loc[other, "label"], diff=fmt(sign * (b - a))
                        )
                        break
                if why is None:
                    why = text["order"].format(other=table.loc[other, "label"])
            parts.insert(0, text["recommend"] + str(why))
        reasons[idx] = "; ".join(parts + notes)
    table["reason"] = pd.Series(reasons)
