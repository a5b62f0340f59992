"""Supply: the shared contracts (policy=, errors naming the function called) and options that
evaluate themselves (a user-defined option needs no change to landuse)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

import landuse
from landuse import supply
from landuse.supply import (
    ConventionalGrant,
    FlexibleTerm,
    LeaseThenTransfer,
    MultistoreyUnit,
    OptionOutcome,
    Project,
    StandardLand,
    SupplyContext,
    SupplyOption,
    evaluate_supply_options,
)

TOML = Path(landuse.policy.__file__).parent / "profiles" / "qingdao-2019.toml"
PROJECT = Project(
    industry_code="39",
    floor_area_needed_m2=9_000,
    investment_wan=4_000,
    expected_tax_wan=300,
    land_price_yuan_m2=600,
)
PARCELS = pd.DataFrame(
    {
        "industry_code": ["39", "36"],
        "land_use": ["industrial", "industrial"],
        "land_area_m2": [20_000.0, 10_000.0],
        "floor_area_m2": [20_000.0, 8_000.0],
    }
)
COMMITTED = pd.DataFrame(
    {"far": [1.2], "investment_wan_per_mu": [300.0], "tax_wan_per_mu": [25.0]}, index=["P1"]
)
ACTUAL = pd.DataFrame(
    {
        "land_area_m2": [10_000.0],
        "floor_area_m2": [10_500.0],
        "invested_wan": [4_800.0],
        "tax_wan": [300.0],
    },
    index=["P1"],
)
PLANS = pd.DataFrame(
    {
        "land_area_m2": [20_000.0],
        "floor_area_m2": [40_000.0],
        "admin_living_land_m2": [1_600.0],
        "admin_living_floor_m2": [7_000.0],
    }
)

#: Every public supply function that applies a policy number, called with ``policy``.
CALLS = {
    "standard_land_conditions": lambda p: supply.standard_land_conditions("QD06", "39", policy=p),
    "check_standard_land": lambda p: supply.check_standard_land(
        PARCELS.assign(investment_wan=[6_000.0, 2_000.0], expected_tax_wan=[500.0, 100.0]),
        policy=p,
    ),
    "accept_standard_land": lambda p: supply.accept_standard_land(
        COMMITTED, ACTUAL, policy=p, stage="production", penalty_rates={"tax_wan_per_mu": 1.0}
    ),
    "tenure_coefficient": lambda p: supply.tenure_coefficient([5, 20, 50], policy=p),
    "grant_price": lambda p: supply.grant_price(
        10_000, unit_price_yuan_m2="三级", years=20, policy=p
    ),
    "lease_then_transfer_cash_flows": lambda p: supply.lease_then_transfer_cash_flows(
        10_000, unit_price_yuan_m2=600, policy=p
    ),
    "lease_then_transfer": lambda p: supply.lease_then_transfer(
        10_000, unit_price_yuan_m2=600, discount_rate=0.05, policy=p
    ),
    "multistorey_potential": lambda p: supply.multistorey_potential(
        PARCELS, policy=p, min_unit_m2=500
    ),
    "apartment_allowance": lambda p: supply.apartment_allowance(PARCELS, policy=p),
    "check_apartment_plan": lambda p: supply.check_apartment_plan(PLANS, policy=p),
    "evaluate_supply_options": lambda p: evaluate_supply_options(
        PROJECT, policy=p, discount_rate=0.06
    ),
}


def _same(a: object, b: object) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)  # type: ignore[arg-type]
        assert a.attrs == b.attrs  # type: ignore[union-attr]
    else:
        np.testing.assert_array_equal(a, b)  # type: ignore[arg-type]


def test_every_public_function_that_applies_policy_is_covered() -> None:
    import inspect

    applies = {
        name
        for name in supply.__all__
        if inspect.isfunction(getattr(supply, name))
        and "policy" in inspect.signature(getattr(supply, name)).parameters
    }
    assert applies == set(CALLS)
    for name in applies:
        param = inspect.signature(getattr(supply, name)).parameters["policy"]
        assert param.default is inspect.Parameter.empty, f"{name}: policy must be required"
        assert param.kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize("name", sorted(CALLS))
def test_policy_name_path_and_policy_give_the_same_result(name: str) -> None:
    call = CALLS[name]
    by_policy = call(landuse.load_policy("qingdao-2019"))
    _same(call("qingdao-2019"), by_policy)
    _same(call(TOML), by_policy)
    _same(call(str(TOML)), by_policy)


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("bad", [None, 42])
def test_policy_none_or_a_number_raises_naming_the_function(name: str, bad: object) -> None:
    received = "None" if bad is None else "int"
    with pytest.raises(
        TypeError,
        match=rf"^`policy` passed to {name}\(\) must be a landuse\.Policy, .*received {received}\.",
    ):
        CALLS[name](bad)


def test_policy_is_required() -> None:
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'policy'"):
        supply.tenure_coefficient(20)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        # a grade the policy does not have: checked in the context phase
        (
            lambda: evaluate_supply_options(
                {**PROJECT.__dict__, "land_price_yuan_m2": None, "land_grade": "二十级"},
                policy="qingdao-2019",
                discount_rate=0.06,
            ),
            r"^evaluate_supply_options: unknown land grade '二十级'",
        ),
        # zone conditions: read by the standard-land conditions, reported for the caller
        (
            lambda: evaluate_supply_options(
                PROJECT, policy="qingdao-2019", discount_rate=0.06, zone_conditions=[1]
            ),
            r"^evaluate_supply_options: `zone_conditions` must be a DataFrame",
        ),
        # lease terms: checked by the lease cash flows, reported for the caller
        (
            lambda: evaluate_supply_options(
                PROJECT,
                policy="qingdao-2019",
                discount_rate=0.06,
                options=[LeaseThenTransfer(lease_years=2.5)],
            ),
            r"^evaluate_supply_options: `lease_years` must be a whole number",
        ),
        (
            lambda: supply.lease_then_transfer(
                10_000,
                unit_price_yuan_m2=600,
                discount_rate=0.05,
                policy="qingdao-2019",
                lease_years=40,
            ),
            r"^lease_then_transfer: `lease_years` \+ `grant_years` = 40 \+ 15",
        ),
        (
            lambda: supply.check_standard_land([1], policy="qingdao-2019"),
            r"^`projects` passed to check_standard_land\(\) must be a DataFrame; received list\.$",
        ),
        (
            lambda: supply.multistorey_potential(PARCELS, policy="qingdao-2019", lang="fr"),
            r'^`lang` passed to multistorey_potential\(\) must be "zh" or "en"; received \'fr\'\.$',
        ),
        # the height/floors criterion of 工业上楼 (issue 22): negative inputs name the caller
        (
            lambda: supply.multistorey_potential(
                PARCELS.assign(building_height_m=-1.0), policy="qingdao-2019", min_unit_m2=500
            ),
            r"^multistorey_potential: .*negative values in `building_height_m`",
        ),
        (
            lambda: evaluate_supply_options(
                PROJECT,
                policy="qingdao-2019",
                discount_rate=0.06,
                options=[MultistoreyUnit(floors=-2)],
            ),
            r"^evaluate_supply_options: `MultistoreyUnit.floors` must be ≥ 0",
        ),
        # "mostly ≤ 70 m²" as a share of units: more small units than units is an input error
        (
            lambda: supply.check_apartment_plan(
                pd.DataFrame(
                    {
                        "land_area_m2": [1e4],
                        "dwelling_units": [10],
                        "dwelling_units_small": [11],
                    }
                ),
                policy="qingdao-2019",
                variant="rental",
            ),
            r"^check_apartment_plan: `dwelling_units_small` exceeds `dwelling_units`\.$",
        ),
    ],
)
def test_errors_raised_inside_name_the_function_called(call, match) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# --- options evaluate themselves -------------------------------------------------------------


@dataclass(frozen=True)
class IndustrialPark:
    """A user-defined option: rent a plot in a private park, paying a yearly fee."""

    fee_wan_per_year: float
    years: int = 10
    key: ClassVar[str] = "private_park"

    def evaluate(self, context: SupplyContext) -> OptionOutcome:
        land = context.floor_m2 / 1.5
        return OptionOutcome(
            label=f"park ({self.years} yr)",
            years=self.years,
            land_m2=land,
            new_land_m2=0.0,
            far=1.5,
            payments={t: self.fee_wan_per_year for t in range(self.years)},
            city_receives=False,
            indicators_met=True,
            notes=("fee set by the park",),
        )


def test_a_user_defined_option_is_evaluated_without_touching_landuse() -> None:
    park = IndustrialPark(fee_wan_per_year=10.0)
    assert isinstance(park, SupplyOption)
    out = evaluate_supply_options(
        PROJECT, policy="qingdao-2019", discount_rate=0.0, options=["conventional", park, park]
    )
    assert out.index.tolist() == ["conventional", "private_park", "private_park_2"]
    row = out.loc["private_park"]
    assert row["label"] == "park (10 yr)"
    assert row["land_mu"] == pytest.approx(6_000 / (10_000 / 15))  # 9 000 m² / 1.5 = 6 000 m²
    assert row["new_land_mu"] == 0.0
    assert row["firm_upfront_wan"] == 10.0
    assert row["firm_npv_wan"] == pytest.approx(-100.0)  # 10 years × 10 万元 at d = 0
    assert row["firm_annual_cost_wan"] == pytest.approx(10.0)
    assert row["city_revenue_wan"] == 0.0 and row["city_npv_wan"] == 0.0
    assert bool(row["feasible"]) and bool(row["indicators_met"])
    assert row["reason"].endswith("fee set by the park")
    # no new land: ahead of the conventional grant; equal tie → first in the table wins
    assert out["rank"].tolist() == [3, 1, 2]
    assert out.attrs["recommendation"] == "private_park"
    assert out.loc["conventional", "land_saved_mu"] == 0.0
    assert row["land_saved_mu"] == pytest.approx(9_000 / (10_000 / 15))  # FAR 1.0 → 9 000 m²


def test_an_object_without_evaluate_is_rejected() -> None:
    with pytest.raises(TypeError, match=r"`options` items must be option names .* received type"):
        evaluate_supply_options(
            PROJECT, policy="qingdao-2019", discount_rate=0.06, options=[ConventionalGrant]
        )


@pytest.mark.parametrize(
    "option",
    [
        ConventionalGrant(),
        StandardLand(years=40),
        FlexibleTerm(),
        LeaseThenTransfer(annual_rent_yuan_m2=30),
        MultistoreyUnit(rent_yuan_m2_year=120),
    ],
)
def test_each_built_in_option_row_is_its_own_evaluation(option) -> None:
    """The table row of an option is what its ``evaluate`` says, then discounted."""

    class Spy:
        """Wraps an option and keeps what its ``evaluate`` returned."""

        def __init__(self, inner) -> None:
            self.inner, self.key, self.outcome = inner, inner.key, None

        def evaluate(self, context: SupplyContext) -> OptionOutcome:
            assert context.caller == "evaluate_supply_options"
            assert context.policy.name == "qingdao-2019"
            self.outcome = self.inner.evaluate(context)
            return self.outcome

    spy = Spy(option)
    out = evaluate_supply_options(PROJECT, policy="qingdao-2019", discount_rate=0.0, options=spy)
    plain = evaluate_supply_options(PROJECT, policy=TOML, discount_rate=0.0, options=option)
    pd.testing.assert_frame_equal(out, plain, check_exact=True)
    outcome = spy.outcome
    row = out.loc[option.key]
    assert row["label"] == outcome.label
    assert row["land_m2"] == outcome.land_m2
    assert row["years"] == outcome.years
    total = float(sum(outcome.payments.values()))
    assert row["firm_npv_wan"] == pytest.approx(-total)  # d = 0: the plain sum
    assert row["city_revenue_wan"] == (total if outcome.city_receives else 0.0)
    assert bool(row["feasible"]) == outcome.feasible
