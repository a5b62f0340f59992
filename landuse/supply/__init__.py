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
option, ranked with the reason. Money in 万元, land in m² and 亩, prices in 元/m². Each option
evaluates itself: a new kind of supply is any class with a ``key`` and an
``evaluate(context)`` method returning an :class:`OptionOutcome` (:class:`SupplyOption`,
:class:`SupplyContext`), compared with the built-in ones without a change to landuse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from landuse._checks import Lang, PolicyLike, check_lang, records_policy, resolve_policy
from landuse.supply._common import check_choice
from landuse.supply._compare import assemble, build_context, option_rows
from landuse.supply._multistorey import (
    apartment_allowance,
    check_apartment_plan,
    multistorey_potential,
)
from landuse.supply._options import (
    ConventionalGrant,
    FlexibleTerm,
    LeaseThenTransfer,
    MultistoreyUnit,
    OptionOutcome,
    RankBy,
    StandardLand,
    SupplyContext,
    SupplyOption,
    as_options,
)
from landuse.supply._project import Project, as_project
from landuse.supply._projects import ProjectFile, read_projects
from landuse.supply._standard import (
    accept_standard_land,
    check_standard_land,
    standard_land_conditions,
)
from landuse.supply._tenure import (
    annuity_due_factor,
    discount_rate_of,
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
    "OptionOutcome",
    "Project",
    "ProjectFile",
    "StandardLand",
    "SupplyContext",
    "SupplyOption",
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
    "read_projects",
    "standard_land_conditions",
    "tenure_coefficient",
]


@records_policy
def evaluate_supply_options(
    project: Project | Mapping[str, Any],
    *,
    policy: PolicyLike,
    discount_rate: float,
    site: Any = None,
    options: Sequence[str | SupplyOption] | str | SupplyOption | None = None,
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
        A :class:`~landuse.policy.Policy`, a built-in profile name or a path to a TOML profile.
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
        :class:`LeaseThenTransfer`, :class:`MultistoreyUnit`), or your own option: any object
        with a ``key`` and an ``evaluate(context)`` method returning an :class:`OptionOutcome`
        (:class:`SupplyOption`); default the five built-in options.
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

    >>> p = Project(industry_code="39", floor_area_needed_m2=9_000, investment_wan=4_000,
    ...             expected_tax_wan=300, land_price_yuan_m2=600)
    >>> out = evaluate_supply_options(
    ...     p, policy="qingdao-2019", discount_rate=0.06,
    ...     options=["conventional", "flexible", MultistoreyUnit(price_yuan_m2=3_000)])
    >>> out[["land_mu", "new_land_mu", "firm_upfront_wan", "city_npv_wan", "rank"]].round(2).values.tolist()
    [[13.5, 13.5, 540.0, 540.0, 3.0], [13.5, 13.5, 392.96, 392.96, 2.0], [4.5, 0.0, 2700.0, 0.0, 1.0]]
    >>> out.attrs["recommendation"]
    'multistorey'
    """
    caller = "evaluate_supply_options"
    policy = resolve_policy(policy, caller=caller)
    check_lang(lang, caller=caller)
    check_choice(rank_by, ("land", "firm_cost", "city_npv"), name="rank_by", caller=caller)
    d = discount_rate_of(discount_rate, caller=caller)
    proj = as_project(project, caller=caller)
    chosen = as_options(options, caller=caller)
    context = build_context(
        proj,
        policy=policy,
        discount_rate=d,
        site=site,
        zone_conditions=zone_conditions,
        lang=lang,
        caller=caller,
    )
    return assemble(option_rows(chosen, context), context, rank_by=rank_by)
