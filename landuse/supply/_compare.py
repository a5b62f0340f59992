"""Comparing supply options for one project: the context, one row per option, the ranking.

Private: public API in :func:`landuse.supply.evaluate_supply_options`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from landuse._checks import Lang
from landuse.policy import Policy
from landuse.supply._common import fmt, min_far_lookup, mu
from landuse.supply._options import PREFERENCE, WHY, SupplyContext, SupplyOption
from landuse.supply._project import Project, site_values
from landuse.supply._standard import conditions_table
from landuse.supply._tenure import annuity_due_factor, discounted, unit_price

__all__ = ["assemble", "build_context", "option_rows"]

#: The columns of the comparison, in order.
COLUMNS = [
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


def build_context(
    proj: Project,
    *,
    policy: Policy,
    discount_rate: float,
    site: Any,
    zone_conditions: Any,
    lang: Lang,
    caller: str,
) -> SupplyContext:
    """What every option shares: land price, fixed land, FARs, standard-land conditions."""
    site_vals = site_values(site, caller=caller)
    zone_id = proj.zone_id if proj.zone_id is not None else site_vals.get("zone_id")
    conditions = conditions_table(
        None if zone_id is None else str(zone_id),
        proj.industry_code,
        policy=policy,
        zone_conditions=zone_conditions,
        code_version=proj.industry_code_version,
        lang=lang,
        caller=caller,
    )
    price = (
        proj.land_price_yuan_m2
        if proj.land_price_yuan_m2 is not None
        else site_vals.get("land_price_yuan_m2")
    )
    grade = proj.land_grade if proj.land_grade is not None else site_vals.get("land_grade")
    if price is None and grade is not None:
        price = float(unit_price(str(grade), policy, caller=caller))
    pair = (proj.industry_code, proj.industry_code_version)
    far_table, _, _ = min_far_lookup(policy, [pair])
    return SupplyContext(
        project=proj,
        policy=policy,
        discount_rate=discount_rate,
        lang=lang,
        caller=caller,
        floor_m2=float(proj.floor_area_needed_m2),
        land_price_yuan_m2=float("nan") if price is None else float(price),
        fixed_land_m2=site_vals.get("land_area_m2", proj.land_area_m2),
        conditions=conditions,
        conventional_far=far_table.get(pair, float("nan")),
        standard_far=float(conditions.loc["far", "value"]),
    )


def option_rows(options: Sequence[SupplyOption], context: SupplyContext) -> list[dict[str, Any]]:
    """One row per option: its own evaluation, then money discounted the same way for all."""
    rows = []
    seen: dict[str, int] = {}
    for option in options:
        outcome = option.evaluate(context)
        name = option.key
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}_{seen[name]}"
        payments = dict(outcome.payments)
        flows = pd.DataFrame([payments])
        d = context.discount_rate
        pv = (
            float("nan")
            if flows.isna().any().any()
            else float(discounted(flows, d, caller=context.caller).iloc[0])
        )
        land, proj = outcome.land_m2, context.project
        rows.append(
            {
                "option": name,
                "key": option.key,
                "label": outcome.label,
                "years": outcome.years,
                "land_m2": land,
                "land_mu": mu(land),
                "new_land_mu": mu(outcome.new_land_m2),
                "far": outcome.far,
                "investment_wan_per_mu": proj.investment_wan / mu(land),
                "tax_wan_per_mu": proj.expected_tax_wan / mu(land),
                "firm_upfront_wan": payments.get(0, float("nan")),
                "firm_npv_wan": -pv,
                "firm_annual_cost_wan": pv / annuity_due_factor(d, outcome.years),
                "city_revenue_wan": float(sum(payments.values())) if outcome.city_receives else 0.0,
                "city_npv_wan": pv if outcome.city_receives else 0.0,
                "indicators_met": outcome.indicators_met,
                "indicators_failed": outcome.indicators_failed,
                "not_evaluated": outcome.not_evaluated,
                "feasible": outcome.feasible,
                "_fail_text": outcome.fail_text,
                "_notes": list(outcome.notes),
            }
        )
    return rows


def assemble(rows: list[dict[str, Any]], context: SupplyContext, *, rank_by: str) -> pd.DataFrame:
    """The table: land saved against the conventional grant, rank, reason, attrs."""
    table = pd.DataFrame(rows).set_index("option")
    try:
        conv_land = context.land_for(context.conventional_far, "conventional")
    except ValueError:
        conv_land = float("nan")  # only an error if the conventional option is asked for
    table["land_saved_mu"] = (
        mu(conv_land) - table["new_land_mu"] if not np.isnan(conv_land) else np.nan
    )
    _rank(table, rank_by=rank_by, lang=context.lang)
    out = table[COLUMNS].copy()
    out["indicators_met"] = out["indicators_met"].astype("boolean")
    out["feasible"] = out["feasible"].astype(bool)
    best = out.index[out["recommended"]]
    out.attrs.update(
        {
            "policy": context.policy.name,
            "discount_rate": context.discount_rate,
            "project": context.project.name,
            "rank_by": rank_by,
            "recommendation": str(best[0]) if len(best) else None,
            "not_evaluated": _not_evaluated(out, context),
        }
    )
    return out


def _not_evaluated(out: pd.DataFrame, context: SupplyContext) -> list[str]:
    """Return the standard-land requirements left unset that an option could not evaluate."""
    notes = context.conditions.attrs.get("not_evaluated") or []
    texts = " ".join(out["not_evaluated"].astype(str))
    return [note for note in notes if note.split("`")[1] in texts]


#: What each ranking criterion compares, and its sign (higher city NPV is better).
_FIELDS = {
    "land": ("new_land_mu", 1),
    "upfront": ("firm_upfront_wan", 1),
    "eac": ("firm_annual_cost_wan", 1),
    "city": ("city_npv_wan", -1),
}


def _rank(table: pd.DataFrame, *, rank_by: str, lang: Lang) -> None:
    """Add ``rank``, ``recommended`` and ``reason`` in place."""
    order, names = _order(table, rank_by=rank_by)
    table["rank"] = pd.Series(range(1, len(order) + 1), index=order).reindex(table.index)
    feasible_order = [i for i in order if table.loc[i, "feasible"]]
    table["recommended"] = False
    if feasible_order:
        table.loc[feasible_order[0], "recommended"] = True
    text = WHY[lang]
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
            why = _why_best(table, row, feasible_order, names, text)
            parts.insert(0, text["recommend"] + why)
        reasons[idx] = "; ".join(parts + notes)
    table["reason"] = pd.Series(reasons)


def _order(table: pd.DataFrame, *, rank_by: str) -> tuple[pd.Index, list[str]]:
    """Rows best first (feasible first, then the criteria, then policy preference).

    Also returns the criteria, in order, that explain the recommendation.
    """
    pref = table["key"].map({k: i for i, k in enumerate(PREFERENCE)})
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
    return keys.sort_values(list(keys.columns), kind="mergesort").index, names


def _why_best(
    table: pd.DataFrame,
    row: pd.Series,
    feasible_order: list[Any],
    names: list[str],
    text: dict[str, str],
) -> str:
    """Why the recommended row beats the runner-up: the first criterion that differs."""
    if len(feasible_order) == 1:
        return text["only"]
    other = feasible_order[1]
    for name in names:
        col, sign = _FIELDS[name]
        a, b = row[col], table.loc[other, col]
        if not (np.isnan(a) or np.isnan(b)) and abs(a - b) > 1e-6:
            return text[name].format(other=table.loc[other, "label"], diff=fmt(sign * (b - a)))
    return text["order"].format(other=table.loc[other, "label"])
