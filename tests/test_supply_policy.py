"""Standard land and issue 22: the city's investment and tax values are user input.

qingdao-2019 leaves ``standard_land.investment_wan_per_mu_min`` and ``.tax_wan_per_mu_min``
unset (no Qingdao source gives them): the conditions are not evaluated unless a zone value is
given, and every output says which key to set. The example profile applies 280 / 20.

Two projects on hand-checked numbers (10,000 m² = 15 亩; 20,000 m² = 30 亩):

    A  industry 39: investment 4,500 万元 / 15 亩 = 300 万元/亩; tax 450 / 15 = 30 万元/亩;
       FAR 15,000 / 10,000 = 1.5 ≥ 1.0
    B  industry 36: investment 8,000 / 30 = 266.7; tax 450 / 30 = 15; FAR 0.6 < 0.7
"""

from __future__ import annotations

import pandas as pd
import pytest

import landuse
from landuse.supply import check_standard_land, evaluate_supply_options, standard_land_conditions

INVEST = "standard_land.investment_wan_per_mu_min"
TAX = "standard_land.tax_wan_per_mu_min"


@pytest.fixture
def projects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "proposal_id": ["A", "B"],
            "zone_id": ["QD06", "QD01"],
            "industry_code": ["39", "36"],
            "land_area_m2": [10_000.0, 20_000.0],
            "floor_area_m2": [15_000.0, 12_000.0],
            "investment_wan": [4_500.0, 8_000.0],
            "expected_tax_wan": [450.0, 450.0],
        }
    )


CORE = ["investment_wan_per_mu", "far", "tax_wan_per_mu"]


def test_unset_city_values_are_not_evaluated_and_name_the_key(projects):
    out = check_standard_land(projects, policy="qingdao-2019", indicators=CORE, lang="en")
    assert out["investment_wan_per_mu"].tolist() == pytest.approx([300.0, 8_000 / 30])
    assert out["investment_wan_per_mu_min"].isna().all()
    assert out["investment_wan_per_mu_met"].isna().all()
    assert out["tax_wan_per_mu_met"].isna().all()
    # A: FAR 1.5 ≥ 1.0 met, the rest not evaluated -> NA (never True); B: FAR 0.6 < 0.7 -> False
    assert out["standard_land_met"].tolist() == [pd.NA, False]
    assert out.loc[0, "reasons"] == (
        "not evaluated: investment intensity (set `standard_land.investment_wan_per_mu_min` or "
        "give zone_conditions `investment_wan_per_mu_min`); tax per mu (set "
        "`standard_land.tax_wan_per_mu_min` or give zone_conditions `tax_wan_per_mu_min`)"
    )
    assert out.attrs["not_evaluated"] == [
        f"standard land investment intensity: not evaluated: set `{INVEST}` (or give "
        "zone_conditions `investment_wan_per_mu_min`): 2 of 2 project(s)",
        f"standard land tax per mu: not evaluated: set `{TAX}` (or give zone_conditions "
        "`tax_wan_per_mu_min`): 2 of 2 project(s)",
    ]
    assert INVEST not in out.attrs["policy_keys"]
    assert TAX not in out.attrs["policy_keys"]
    zh = check_standard_land(projects, policy="qingdao-2019", indicators=["tax_wan_per_mu"])
    assert zh.loc[0, "reasons"] == (
        "未评价: 亩均税收（需设定 `standard_land.tax_wan_per_mu_min` 或在 zone_conditions 中给出 "
        "`tax_wan_per_mu_min`）"
    )


def test_a_zone_value_is_applied_where_the_city_value_is_unset(projects):
    # QD06 sets tax ≥ 25: A 30 ≥ 25 met; QD01 sets nothing: B's tax is not evaluated
    zones = {"QD06": {"tax_wan_per_mu_min": 25.0}}
    out = check_standard_land(
        projects, policy="qingdao-2019", zone_conditions=zones, indicators=["tax_wan_per_mu"]
    )
    assert out["tax_wan_per_mu_min"].tolist()[0] == 25.0
    assert out["tax_wan_per_mu_met"].tolist() == [True, pd.NA]
    assert out["standard_land_met"].tolist() == [True, pd.NA]
    assert out.attrs["not_evaluated"] == [
        f"standard land tax per mu: not evaluated: set `{TAX}` (or give zone_conditions "
        "`tax_wan_per_mu_min`): 1 of 2 project(s)"
    ]


def test_example_profile_applies_280_and_20(projects):
    out = check_standard_land(projects, policy="qingdao-2019-example", indicators=CORE)
    assert out["investment_wan_per_mu_min"].tolist() == [280.0, 280.0]
    assert out["tax_wan_per_mu_min"].tolist() == [20.0, 20.0]
    # A: 300 ≥ 280, 30 ≥ 20; B: 266.7 < 280 (short 13.33), 15 < 20 (short 5)
    assert out["investment_wan_per_mu_met"].tolist() == [True, False]
    assert out["tax_wan_per_mu_shortfall"].tolist() == pytest.approx([0.0, 5.0])
    assert out["standard_land_met"].tolist() == [True, False]
    assert out.attrs["not_evaluated"] == []
    assert {INVEST, TAX} <= set(out.attrs["policy_keys"])


def test_conditions_table_says_which_key_to_set():
    table = standard_land_conditions("QD06", "39", policy="qingdao-2019", lang="en")
    assert table.loc["investment_wan_per_mu", "confidence"] == "user"
    assert table.loc["tax_wan_per_mu", "source"] == (
        f"not evaluated: set `{TAX}` (policy.replace({{'{TAX}': ...}})) or zone_conditions "
        "`tax_wan_per_mu_min`"
    )
    assert len(table.attrs["not_evaluated"]) == 2
    zone = {"QD06": {"investment_wan_per_mu_min": 300.0, "tax_wan_per_mu_min": 25.0}}
    given = standard_land_conditions("QD06", "39", policy="qingdao-2019", zone_conditions=zone)
    assert given.loc[["investment_wan_per_mu", "tax_wan_per_mu"], "value"].tolist() == [300, 25]
    assert given.attrs["not_evaluated"] == []


def test_supply_options_report_the_unset_keys():
    # industry 36 on 7,000 m² of floor at FAR 0.7 -> 10,000 m² = 15 亩; investment 4,500 / 15
    # = 300; tax 200 / 15 = 13.3. With 280 / 20 (example) standard land fails on tax; with
    # qingdao-2019 the tax is not evaluated, so standard land is not ruled out.
    project = {
        "industry_code": "36",
        "floor_area_needed_m2": 7_000,
        "investment_wan": 4_500,
        "expected_tax_wan": 200,
        "land_grade": "三级",
    }
    options = ["conventional", "standard_land"]
    unset = evaluate_supply_options(
        project, policy="qingdao-2019", discount_rate=0.05, options=options, lang="en"
    )
    assert unset.loc["standard_land", "feasible"]
    assert pd.isna(unset.loc["standard_land", "indicators_met"])
    assert f"set `{TAX}`" in unset.loc["standard_land", "not_evaluated"]
    assert (
        f"not evaluated: investment intensity (set `{INVEST}`"
        in (unset.loc["standard_land", "reason"])
    )
    # the conventional grant is held to the control indicators only
    assert "standard_land." not in unset.loc["conventional", "not_evaluated"]
    assert [n.split(":")[0] for n in unset.attrs["not_evaluated"]] == [
        "standard land investment intensity",
        "standard land tax per mu",
    ]
    assert TAX not in unset.attrs["policy_keys"]
    example = evaluate_supply_options(
        project, policy="qingdao-2019-example", discount_rate=0.05, options=options, lang="en"
    )
    assert not example.loc["standard_land", "feasible"]
    assert example.loc["standard_land", "indicators_failed"] == "tax_wan_per_mu"
    assert example.attrs["not_evaluated"] == []
    assert TAX in example.attrs["policy_keys"]


def test_supply_functions_record_policy_keys():
    policy = landuse.load_policy("qingdao-2019")
    out = landuse.supply.multistorey_potential(
        pd.DataFrame({"parcel_id": ["P"], "land_area_m2": [10_000.0], "industry_code": ["39"]}),
        policy=policy,
        min_unit_m2=500,
    )
    assert any(k.startswith("multistorey.") for k in out.attrs["policy_keys"])


def test_no_unset_key_is_recorded_as_applied(projects):
    """Optional rules whose key is unset (e.g. penalty rates, the small-unit share) apply nothing."""
    policy = landuse.load_policy("qingdao-2019")
    committed = pd.DataFrame({"tax_wan_per_mu": [25.0]}, index=["P1"])
    actual = pd.DataFrame({"land_area_m2": [10_000.0], "tax_wan": [300.0]}, index=["P1"])
    results = [
        check_standard_land(projects, policy=policy),
        landuse.supply.accept_standard_land(committed, actual, policy=policy, stage="production"),
        landuse.supply.check_apartment_plan(
            pd.DataFrame({"land_area_m2": [10_000.0], "floor_area_m2": [20_000.0]}),
            policy=policy,
        ),
    ]
    for result in results:
        unset = [k for k in result.attrs["policy_keys"] if policy.provenance(k).value is None]
        assert unset == []
    # the penalty: no rates given or set -> not computed, and the key is not listed
    assert "standard_land.penalty_rates" not in results[1].attrs["policy_keys"]
    assert results[1]["penalty_wan"].isna().all()
