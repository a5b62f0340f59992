"""Tenure: the 年期 correction coefficient, grant prices, lease-then-transfer cash flows and NPV.

Public API: :mod:`landuse.supply`. Money in 万元, prices in 元/m² of land, years in years.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from landuse._checks import PolicyLike, check_frame, records_policy, resolve_policy
from landuse.policy import Policy
from landuse.supply._common import as_array, bad_positions, check_number, wrapper
from landuse.units import YUAN_PER_WAN

__all__ = [
    "annuity_due_factor",
    "grant_price",
    "lease_then_transfer",
    "lease_then_transfer_cash_flows",
    "present_value",
    "tenure_coefficient",
]


def _tenure_inputs(
    policy: Policy, rate: Any, max_years: Any, *, caller: str
) -> tuple[np.ndarray, float]:
    """Resolve and check the capitalisation rate (array) and the maximum term."""
    if rate is None:
        rate = policy.require("tenure.capitalisation_rate_share")
    if max_years is None:
        max_years = policy.require("tenure.industrial_max_years")
    n = check_number(max_years, name="max_years", caller=caller, low=0, low_inclusive=False)
    r = as_array(rate, name="rate", caller=caller)
    bad_positions(
        r,
        name="rate",
        caller=caller,
        rule="a capitalisation rate > 0 (a fraction per year, e.g. 0.06 for 6 %)",
        mask=~np.isfinite(r) | (r <= 0),
    )
    return r, n


def _check_years(
    years: np.ndarray, max_years: float, *, name: str, caller: str, labels: Any = None
) -> None:
    hint = (
        f" The legal maximum for industrial land is {max_years:g} years "
        "(tenure.industrial_max_years); pass max_years= for another land use."
    )
    bad = ~np.isnan(years) & ((years <= 0) | (years > max_years) | np.isinf(years))
    bad_positions(
        years,
        name=name,
        caller=caller,
        rule=f"> 0 and ≤ {max_years:g} years",
        mask=bad,
        labels=labels,
        hint=hint,
    )


def _k(m: np.ndarray, n: float, r: np.ndarray) -> np.ndarray:
    """K = [1 − (1+r)^−m] / [1 − (1+r)^−n], exactly 1 where m == n."""
    lr = np.log1p(r)
    with np.errstate(invalid="ignore"):
        return np.expm1(-m * lr) / np.expm1(-n * lr)


@records_policy
def tenure_coefficient(
    years: Any,
    *,
    policy: PolicyLike,
    rate: Any = None,
    max_years: float | None = None,
) -> Any:
    r"""Tenure (年期) correction coefficient of a grant for ``years`` of an ``max_years`` term.

    The price of a right for ``m`` years is ``K`` times the price for the full term ``n``; a
    land price is the present value of ``m`` years of land rent, so ``K`` is the ratio of two
    annuity factors at the land capitalisation rate ``r`` (土地还原率).

    Parameters
    ----------
    years
        Granted or remaining years ``m``: a number, array or Series (vectorised; NaN stays NaN).
        Each must be > 0 and ≤ ``max_years``.
    policy
        Where the defaults of ``rate`` and ``max_years`` come from: a :class:`~landuse.policy.Policy`,
        a built-in profile name (``"qingdao-2019"``) or a path to a TOML profile.
    rate
        Land capitalisation rate ``r`` as a fraction per year (> 0), a number or an array
        broadcastable with ``years``. Default: ``tenure.capitalisation_rate_share`` of the
        policy (6 % in the built-in profiles, POLICY-FACTS §4.4).
    max_years
        The term ``n`` the full price refers to: the legal maximum or the term built into the
        benchmark price. Default: ``tenure.industrial_max_years`` (50 for industrial land).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``K`` in (0, 1], shaped like the input (a Series keeps its index and is named
        ``tenure_coefficient``). ``K`` is 1 at ``m = n``.

    Raises
    ------
    ValueError
        ``years`` ≤ 0 or above ``max_years`` (e.g. more than 50 years for industrial land),
        ``rate`` ≤ 0, ``max_years`` ≤ 0; the message gives the count and positions.

    See Also
    --------
    grant_price : the grant price for a term.

    Notes
    -----
    .. math:: K(m, n, r) = \\frac{1 - (1+r)^{-m}}{1 - (1+r)^{-n}}

    The formula of public valuation code (``ROUND((1-1/(1+r)^m)/(1-1/(1+r)^n),4)``),
    attributed to GB/T 18508-2014 城镇土地估价规程 (POLICY-FACTS §4.4).

    Examples
    --------
    >>> round(tenure_coefficient(20, policy="qingdao-2019", rate=0.0581), 4)  # §4.4, n = 50
    0.7195
    >>> round(tenure_coefficient(5, policy="qingdao-2019"), 4)  # the policy's rate, 6 %
    0.2673
    >>> tenure_coefficient(50, policy="qingdao-2019")
    1.0
    >>> tenure_coefficient([10, 20, 30], policy="qingdao-2019", rate=0.05).round(4)
    array([0.423 , 0.6826, 0.8421])
    >>> tenure_coefficient(60, policy="qingdao-2019")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: tenure_coefficient: `years` must be > 0 and ≤ 50 years; the value is not (60). ...
    """
    caller = "tenure_coefficient"
    rules = resolve_policy(policy, caller=caller)
    r, n = _tenure_inputs(rules, rate, max_years, caller=caller)
    m = as_array(years, name="years", caller=caller)
    _check_years(m, n, name="years", caller=caller)
    wrap = wrapper(years, rate, name="tenure_coefficient")
    return wrap(_k(m, n, r))


def unit_price(price: Any, policy: Policy, *, caller: str) -> np.ndarray:
    """元/m² as an array; a land grade name is looked up in ``land_price.industrial_grades``."""
    if isinstance(price, str):
        grades = policy.land_price.industrial_grades or ()
        table = {g.grade: g.price_yuan_per_m2 for g in grades}
        if price not in table:
            known = (
                ", ".join(table) if table else "(the policy has no land_price.industrial_grades)"
            )
            msg = (
                f"{caller}: unknown land grade {price!r} for `unit_price_yuan_m2`; grades: {known}. "
                "Or pass the price in 元/m² as a number."
            )
            raise ValueError(msg)
        return np.asarray(float(table[price]))
    arr = as_array(price, name="unit_price_yuan_m2", caller=caller)
    bad_positions(
        arr,
        name="unit_price_yuan_m2",
        caller=caller,
        rule="≥ 0 元/m²",
        mask=~np.isnan(arr) & ((arr < 0) | np.isinf(arr)),
    )
    return arr


def _area(area_m2: Any, *, caller: str) -> np.ndarray:
    area = as_array(area_m2, name="area_m2", caller=caller)
    labels = area_m2.index.tolist() if isinstance(area_m2, pd.Series) else None
    bad_positions(
        area,
        name="area_m2",
        caller=caller,
        rule="≥ 0 m²",
        mask=~np.isnan(area) & ((area < 0) | np.isinf(area)),
        labels=labels,
        hint=" A land area cannot be negative.",
    )
    return area


@records_policy
def grant_price(
    area_m2: Any,
    *,
    unit_price_yuan_m2: Any,
    years: Any,
    policy: PolicyLike,
    rate: Any = None,
    max_years: float | None = None,
) -> Any:
    """Grant price (出让价款) in 万元 of land for a term of ``years``.

    Parameters
    ----------
    area_m2
        Land area in m² (number, array or Series; ≥ 0).
    unit_price_yuan_m2
        Land price in 元/m² for the full term ``max_years`` (e.g. a benchmark price), or the
        name of a grade in the policy's ``land_price.industrial_grades`` (Qingdao 2014:
        ``"三级"`` → 880 元/m²).
    years
        Granted years (> 0, ≤ ``max_years``).
    policy
        Supplies the default ``rate`` and ``max_years`` and the land grades: a
        :class:`~landuse.policy.Policy`, a built-in profile name or a path to a TOML profile.
    rate, max_years
        As in :func:`tenure_coefficient`.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``area_m2 × unit_price_yuan_m2 × K(years) / 10⁴`` in 万元, named ``grant_price_wan``.

    Raises
    ------
    ValueError
        Negative area or price, years out of range, rate ≤ 0, unknown land grade.

    Examples
    --------
    >>> policy = "qingdao-2019"
    >>> grant_price(10_000, unit_price_yuan_m2=600, years=50, policy=policy)  # 15 亩, full term
    600.0
    >>> round(grant_price(10_000, unit_price_yuan_m2=600, years=20, policy=policy), 2)
    436.62
    >>> grant_price(10_000, unit_price_yuan_m2="三级", years=50, policy=policy)
    880.0
    """
    caller = "grant_price"
    rules = resolve_policy(policy, caller=caller)
    return grant_price_wan(
        area_m2,
        unit_price_yuan_m2=unit_price_yuan_m2,
        years=years,
        policy=rules,
        rate=rate,
        max_years=max_years,
        caller=caller,
    )


def grant_price_wan(
    area_m2: Any,
    *,
    unit_price_yuan_m2: Any,
    years: Any,
    policy: Policy,
    rate: Any,
    max_years: float | None,
    caller: str,
) -> Any:
    """:func:`grant_price` for a resolved policy; messages name ``caller``."""
    area = _area(area_m2, caller=caller)
    price = unit_price(unit_price_yuan_m2, policy, caller=caller)
    r, n = _tenure_inputs(policy, rate, max_years, caller=caller)
    m = as_array(years, name="years", caller=caller)
    _check_years(m, n, name="years", caller=caller)
    wrap = wrapper(area_m2, years, name="grant_price_wan")
    return wrap(area * price * _k(m, n, r) / YUAN_PER_WAN)


def annuity_due_factor(discount_rate: Any, years: Any) -> Any:
    """Present value of 1 paid at the start of each of ``years`` years (ä).

    Parameters
    ----------
    discount_rate
        Fraction per year, ≥ 0.
    years
        Number of years (> 0; fractional years are allowed in the formula).

    Returns
    -------
    float or numpy.ndarray
        ``(1 − (1+d)^−T)(1+d)/d``, and ``T`` at ``d = 0``.

    Examples
    --------
    >>> annuity_due_factor(0.0, 5)
    5.0
    >>> round(annuity_due_factor(0.06, 2), 6)   # 1 + 1/1.06
    1.943396
    """
    d = np.asarray(discount_rate, dtype=float)
    t = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d == 0, t, -np.expm1(-t * np.log1p(d)) * (1 + d) / np.where(d == 0, 1, d))
    return float(out) if out.ndim == 0 else out


def _lease_inputs(
    area_m2: Any,
    *,
    unit_price_yuan_m2: Any,
    policy: Policy,
    lease_years: Any,
    grant_years: Any,
    annual_rent_yuan_m2: Any,
    rate: Any,
    max_years: float | None,
    caller: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, float]:
    """Return (area, annual rent 万元, grant price 万元 at year L, L, N)."""
    area = _area(area_m2, caller=caller)
    price = unit_price(unit_price_yuan_m2, policy, caller=caller)
    r, n = _tenure_inputs(policy, rate, max_years, caller=caller)
    if lease_years is None:
        lease_years = policy.require("tenure.lease_years")
    if grant_years is None:
        grant_years = policy.require("tenure.grant_after_lease_years")
    lease = check_number(lease_years, name="lease_years", caller=caller, low=1)
    if not float(lease).is_integer():
        msg = f"{caller}: `lease_years` must be a whole number of years (rent is paid yearly); received {lease_years!r}."
        raise ValueError(msg)
    grant = check_number(grant_years, name="grant_years", caller=caller, low=0, low_inclusive=False)
    if lease + grant > n:
        msg = (
            f"{caller}: `lease_years` + `grant_years` = {lease:g} + {grant:g} = {lease + grant:g} "
            f"years exceeds the maximum term of {n:g} years for industrial land "
            "(tenure.industrial_max_years). Shorten the lease or the grant."
        )
        raise ValueError(msg)
    if annual_rent_yuan_m2 is None:
        # the rent whose present value over the full term at r equals the full-term price
        rent_m2 = price / annuity_due_factor(r, n)
    else:
        rent_m2 = as_array(annual_rent_yuan_m2, name="annual_rent_yuan_m2", caller=caller)
        bad_positions(
            rent_m2,
            name="annual_rent_yuan_m2",
            caller=caller,
            rule="≥ 0 元/m² per year",
            mask=~np.isnan(rent_m2) & ((rent_m2 < 0) | np.isinf(rent_m2)),
        )
    rent = area * rent_m2 / YUAN_PER_WAN
    grant_price_wan = area * price * _k(np.asarray(grant), n, r) / YUAN_PER_WAN
    shape = np.broadcast_shapes(np.shape(area), np.shape(rent), np.shape(grant_price_wan))
    return (
        np.broadcast_to(area, shape),
        np.broadcast_to(rent, shape),
        np.broadcast_to(grant_price_wan, shape),
        int(lease),
        grant,
    )


@records_policy
def lease_then_transfer_cash_flows(
    area_m2: Any,
    *,
    unit_price_yuan_m2: Any,
    policy: PolicyLike,
    lease_years: int | None = None,
    grant_years: float | None = None,
    annual_rent_yuan_m2: Any = None,
    rate: Any = None,
    max_years: float | None = None,
) -> pd.DataFrame:
    """Yearly payments of a lease-then-transfer (先租后让) supply, one row per parcel.

    The firm pays the annual rent at the start of each lease year ``0 … L−1``; if the
    lease-end assessment is passed it pays, at year ``L``, the grant price of the remaining
    ``N`` years, ``K(N)`` times the full-term price. What the firm pays, the city receives.
    Prices are in constant terms (appraised at today's level).

    Parameters
    ----------
    area_m2
        Land area in m² (number, array or Series).
    unit_price_yuan_m2
        Full-term land price in 元/m² (or a land grade name), as in :func:`grant_price`.
    policy
        Default terms (``tenure.lease_years``, ``tenure.grant_after_lease_years``: 5 + 15 in the
        built-in profiles, POLICY-FACTS §4.3), rate and maximum term: a
        :class:`~landuse.policy.Policy`, a built-in profile name or a path to a TOML profile.
    lease_years
        ``L``, whole years ≥ 1.
    grant_years
        ``N``, years granted after the lease; ``L + N`` ≤ the maximum term.
    annual_rent_yuan_m2
        Annual rent in 元/m² of land. Default: the rent whose present value over the full term
        at the capitalisation rate equals the full-term price, ``price / ä(r, n)`` (no rent level
        was found in the sources; set the local rent where there is one).
    rate, max_years
        As in :func:`tenure_coefficient`.

    Returns
    -------
    pandas.DataFrame
        Payments in 万元; columns are the years ``0 … L`` (column axis named ``year``); index
        that of ``area_m2`` if a Series, else ``0 … n−1``.

    Examples
    --------
    >>> flows = lease_then_transfer_cash_flows(
    ...     10_000, unit_price_yuan_m2=600, annual_rent_yuan_m2=36, policy="qingdao-2019")
    >>> flows.round(2).to_dict("records")
    [{0: 36.0, 1: 36.0, 2: 36.0, 3: 36.0, 4: 36.0, 5: 369.71}]
    """
    caller = "lease_then_transfer_cash_flows"
    rules = resolve_policy(policy, caller=caller)
    return lease_flows(
        area_m2,
        unit_price_yuan_m2=unit_price_yuan_m2,
        policy=rules,
        lease_years=lease_years,
        grant_years=grant_years,
        annual_rent_yuan_m2=annual_rent_yuan_m2,
        rate=rate,
        max_years=max_years,
        caller=caller,
    )


def lease_flows(
    area_m2: Any,
    *,
    unit_price_yuan_m2: Any,
    policy: Policy,
    lease_years: int | None,
    grant_years: float | None,
    annual_rent_yuan_m2: Any,
    rate: Any,
    max_years: float | None,
    caller: str,
) -> pd.DataFrame:
    """:func:`lease_then_transfer_cash_flows` for a resolved policy; messages name ``caller``."""
    area, rent, grant, lease, _ = _lease_inputs(
        area_m2,
        unit_price_yuan_m2=unit_price_yuan_m2,
        policy=policy,
        lease_years=lease_years,
        grant_years=grant_years,
        annual_rent_yuan_m2=annual_rent_yuan_m2,
        rate=rate,
        max_years=max_years,
        caller=caller,
    )
    rows = np.atleast_1d(area).shape[0]
    # years × rows, so that the frame's (column-major) block needs no copy
    flows = np.empty((lease + 1, rows))
    flows[:lease] = np.atleast_1d(rent)[None, :]
    flows[lease] = np.atleast_1d(grant)
    index = area_m2.index if isinstance(area_m2, pd.Series) else pd.RangeIndex(rows)
    columns = pd.Index(range(lease + 1), name="year")
    return pd.DataFrame(flows.T, index=index, columns=columns, copy=False)


def discount_rate_of(discount_rate: Any, *, caller: str) -> float:
    """Check a discount rate: a fraction per year in [0, 1]."""
    return check_number(
        discount_rate,
        name="discount_rate",
        caller=caller,
        low=0,
        high=1,
        hint=" Give it as a fraction per year, e.g. 0.05 for 5 %.",
    )


def present_value(cash_flows: pd.DataFrame, *, discount_rate: float) -> pd.Series:
    """Present value at year 0 of yearly cash flows, one per row.

    Parameters
    ----------
    cash_flows
        One row per item; columns are year offsets (numbers ≥ 0, e.g. from
        :func:`lease_then_transfer_cash_flows`); missing values count as 0.
    discount_rate
        Fraction per year, 0 ≤ d ≤ 1 (a user choice, not a policy value).

    Returns
    -------
    pandas.Series
        ``Σ_t cf_t (1+d)^−t`` on the index of ``cash_flows``, named ``present_value``.

    Examples
    --------
    >>> flows = pd.DataFrame({0: [100.0], 1: [106.0]})
    >>> present_value(flows, discount_rate=0.06).tolist()
    [200.0]
    """
    caller = "present_value"
    check_frame(cash_flows, name="cash_flows", caller=caller, geometry=False)
    d = discount_rate_of(discount_rate, caller=caller)
    return discounted(cash_flows, d, caller=caller)


def discounted(cash_flows: pd.DataFrame, d: float, *, caller: str) -> pd.Series:
    """:func:`present_value` of a checked frame at a checked rate ``d``."""
    try:
        years = np.asarray([float(c) for c in cash_flows.columns])
    except (TypeError, ValueError) as exc:
        msg = f"{caller}: the columns of `cash_flows` must be year offsets (0, 1, 2, …); received {list(cash_flows.columns)[:5]}."
        raise ValueError(msg) from exc
    if (years < 0).any() or not np.isfinite(years).all():
        msg = f"{caller}: year columns must be ≥ 0; received {years[years < 0].tolist()}."
        raise ValueError(msg)
    values = cash_flows.to_numpy(dtype=float, na_value=0.0)
    factors = (1.0 + d) ** -years
    total = np.zeros(len(cash_flows))
    for j, factor in enumerate(factors):  # one pass per year column, not per row
        total += values[:, j] * factor
    return pd.Series(total, index=cash_flows.index, name="present_value")


@records_policy
def lease_then_transfer(
    area_m2: Any,
    *,
    unit_price_yuan_m2: Any,
    discount_rate: float,
    policy: PolicyLike,
    lease_years: int | None = None,
    grant_years: float | None = None,
    annual_rent_yuan_m2: Any = None,
    rate: Any = None,
    max_years: float | None = None,
) -> pd.DataFrame:
    """Lease-then-transfer (先租后让) in figures: payments and NPV for the firm and the city.

    Parameters
    ----------
    area_m2, unit_price_yuan_m2, policy, lease_years, grant_years, annual_rent_yuan_m2, rate, max_years
        As in :func:`lease_then_transfer_cash_flows`.
    discount_rate
        The rate at which the firm and the city discount money, a fraction per year
        (0 ≤ d ≤ 1). A user input: no policy value exists.

    Returns
    -------
    pandas.DataFrame
        One row per parcel (index of ``area_m2`` if a Series), 万元:
        ``annual_rent_wan``, ``grant_price_wan`` (paid at year L), ``total_paid_wan``,
        ``firm_npv_wan`` (present value of the payments, negative: a cost),
        ``city_npv_wan`` (the same, positive), ``firm_annual_cost_wan`` (the level payment at
        the start of each of the L + N years with the same present value) and
        ``flexible_grant_price_wan`` (a flexible grant of L + N years paid today, for
        comparison). ``attrs`` hold the terms, the discount rate and the policy name.

    Notes
    -----
    With the default rent and ``discount_rate`` equal to the capitalisation rate, the present
    value equals the flexible grant price of L + N years: the two tenures cost the same, the
    lease only moves payments later.

    Examples
    --------
    >>> out = lease_then_transfer(
    ...     10_000, unit_price_yuan_m2=600, discount_rate=0.06, policy="qingdao-2019")
    >>> out[["annual_rent_wan", "grant_price_wan", "city_npv_wan", "flexible_grant_price_wan"]].round(2).to_dict("records")
    [{'annual_rent_wan': 35.91, 'grant_price_wan': 369.71, 'city_npv_wan': 436.62, 'flexible_grant_price_wan': 436.62}]
    """
    caller = "lease_then_transfer"
    policy = resolve_policy(policy, caller=caller)
    d = discount_rate_of(discount_rate, caller=caller)
    flows = lease_flows(
        area_m2,
        unit_price_yuan_m2=unit_price_yuan_m2,
        policy=policy,
        lease_years=lease_years,
        grant_years=grant_years,
        annual_rent_yuan_m2=annual_rent_yuan_m2,
        rate=rate,
        max_years=max_years,
        caller=caller,
    )
    lease = flows.shape[1] - 1
    grant = (
        float(grant_years)
        if grant_years is not None
        else float(policy.require("tenure.grant_after_lease_years"))
    )
    pv = discounted(flows, d, caller=caller).to_numpy()
    values = flows.to_numpy()
    area = np.broadcast_to(_area(area_m2, caller=caller), (len(flows),))
    full = grant_price_wan(
        area,
        unit_price_yuan_m2=unit_price_yuan_m2,
        years=lease + grant,
        policy=policy,
        rate=rate,
        max_years=max_years,
        caller=caller,
    )
    out = pd.DataFrame(
        {
            "annual_rent_wan": values[:, 0],
            "grant_price_wan": values[:, lease],
            "total_paid_wan": values.sum(axis=1),
            "firm_npv_wan": -pv,
            "city_npv_wan": pv,
            "firm_annual_cost_wan": pv / annuity_due_factor(d, lease + grant),
            "flexible_grant_price_wan": np.broadcast_to(full, (len(flows),)),
        },
        index=flows.index,
        copy=False,
    )
    out.attrs.update(
        {
            "policy": policy.name,
            "lease_years": lease,
            "grant_years": grant,
            "discount_rate": d,
        }
    )
    return out
