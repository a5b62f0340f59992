"""Supply options: standard land, tenure and lease-then-transfer, multi-storey, apartments.

Every expected value is worked by hand in the comments (1 亩 = 10000/15 m², so 1 ha = 15 亩).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import QD_GK, square

import landuse
from landuse.cli import main
from landuse.errors import CRSError, PolicyError, SchemaError
from landuse.supply import (
    ConventionalGrant,
    FlexibleTerm,
    LeaseThenTransfer,
    MultistoreyUnit,
    Project,
    StandardLand,
    accept_standard_land,
    annuity_due_factor,
    apartment_allowance,
    check_apartment_plan,
    check_standard_land,
    evaluate_supply_options,
    grant_price,
    lease_then_transfer,
    lease_then_transfer_cash_flows,
    multistorey_potential,
    present_value,
    standard_land_conditions,
    tenure_coefficient,
)

#: Built-in profile name: every policy= accepts it as well as a Policy or a TOML path.
QD = "qingdao-2019"


@pytest.fixture(scope="module")
def qingdao() -> landuse.Policy:
    return landuse.load_policy("qingdao-2019")


@pytest.fixture(scope="module")
def example() -> landuse.Policy:
    """qingdao-2019 with the example standard-land values 280 万元/亩 and 20 万元/亩·年."""
    return landuse.load_policy("qingdao-2019-example")


@pytest.fixture(scope="module")
def national() -> landuse.Policy:
    return landuse.load_policy("national-2008")


def k_hand(m: float, r: float, n: float = 50) -> float:
    """K written out independently of the implementation."""
    return (1 - 1 / (1 + r) ** m) / (1 - 1 / (1 + r) ** n)


def a_due(d: float, t: float) -> float:
    """Annuity-due factor written out: sum of (1+d)^-k for k = 0..t-1."""
    return sum((1 + d) ** -k for k in range(int(t)))


# --- tenure ----------------------------------------------------------------------------------

# POLICY-FACTS §4.4, n = 50
TABLE_4_4 = {
    0.05: (0.2372, 0.4230, 0.5686, 0.6826, 0.8421, 0.9399),
    0.0581: (0.2615, 0.4587, 0.6074, 0.7195, 0.8678, 0.9521),
    0.06: (0.2673, 0.4670, 0.6162, 0.7277, 0.8733, 0.9546),
    0.07: (0.2971, 0.5089, 0.6600, 0.7676, 0.8992, 0.9660),
}
YEARS_4_4 = (5, 10, 15, 20, 30, 40)


@pytest.mark.parametrize("rate", list(TABLE_4_4))
def test_tenure_coefficient_matches_policy_facts_table(rate):
    got = tenure_coefficient(np.array(YEARS_4_4), policy=QD, rate=rate, max_years=50)
    np.testing.assert_array_equal(np.round(got, 4), np.array(TABLE_4_4[rate]))


def test_tenure_coefficient_named_values_and_full_term(qingdao):
    assert round(tenure_coefficient(20, policy=QD, rate=0.0581), 4) == 0.7195
    assert round(tenure_coefficient(5, policy=QD, rate=0.06), 4) == 0.2673
    for r in (0.01, 0.0581, 0.06, 0.2):
        assert tenure_coefficient(50, policy=QD, rate=r) == 1.0  # exactly 1 at m = n
    assert tenure_coefficient(70, policy=QD, rate=0.05, max_years=70) == 1.0
    # defaults from the policy: r = 6 %, n = 50
    assert tenure_coefficient(20, policy=qingdao) == pytest.approx(k_hand(20, 0.06), abs=1e-12)


def test_tenure_coefficient_vectorised_keeps_index_and_nan():
    years = pd.Series([5.0, np.nan, 50.0], index=["a", "b", "c"])
    got = tenure_coefficient(years, policy=QD, rate=0.06)
    assert isinstance(got, pd.Series)
    assert got.name == "tenure_coefficient"
    assert got.index.tolist() == ["a", "b", "c"]
    assert got["a"] == pytest.approx(k_hand(5, 0.06), abs=1e-12)
    assert math.isnan(got["b"])
    assert got["c"] == 1.0
    # a rate per row broadcasts
    both = tenure_coefficient([20, 20], policy=QD, rate=[0.05, 0.07])
    np.testing.assert_allclose(both, [k_hand(20, 0.05), k_hand(20, 0.07)])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"years": 60, "rate": 0.06},
            r"`years` must be > 0 and ≤ 50 years; the value is not \(60\)",
        ),
        ({"years": 0, "rate": 0.06}, r"`years` must be > 0 and ≤ 50 years"),
        ({"years": -5, "rate": 0.06}, r"`years` must be > 0 and ≤ 50 years"),
        (
            {"years": [10, 60, 70], "rate": 0.06},
            r"2 of 3 values at position 1, 2 are not \(60, 70\)",
        ),
        ({"years": 20, "rate": 0.0}, r"`rate` must be a capitalisation rate > 0"),
        ({"years": 20, "rate": -0.01}, r"`rate` must be a capitalisation rate > 0"),
        ({"years": 20, "rate": 0.06, "max_years": 0}, r"`max_years` must be > 0"),
    ],
)
def test_tenure_coefficient_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tenure_coefficient(**kwargs, policy=QD)


def test_tenure_coefficient_rate_zero_from_policy(qingdao):
    policy = qingdao.replace({"tenure.capitalisation_rate_share": 0.0})
    with pytest.raises(ValueError, match=r"tenure_coefficient: `rate` must be a capitalisation"):
        tenure_coefficient(20, policy=policy)


def test_grant_price(qingdao):
    # 1 ha at 600 元/m² for the full 50 years: 10 000 × 600 / 10⁴ = 600 万元
    assert grant_price(10_000, unit_price_yuan_m2=600, years=50, policy=qingdao) == 600.0
    # 20 years: 600 × K(20, 6 %)
    assert grant_price(10_000, unit_price_yuan_m2=600, years=20, policy=qingdao) == pytest.approx(
        600 * k_hand(20, 0.06)
    )
    # Qingdao 2014 grade 三级 = 880 元/m²
    assert grant_price(10_000, unit_price_yuan_m2="三级", years=50, policy=qingdao) == 880.0
    areas = pd.Series([10_000.0, 5_000.0], index=["P1", "P2"])
    got = grant_price(areas, unit_price_yuan_m2=600, years=50, policy=qingdao)
    assert got.to_dict() == {"P1": 600.0, "P2": 300.0}
    assert got.name == "grant_price_wan"


def test_grant_price_errors(qingdao):
    with pytest.raises(ValueError, match=r"`area_m2` must be ≥ 0 m²; 1 of 2 values at P2"):
        grant_price(
            pd.Series([10.0, -5.0], index=["P1", "P2"]),
            unit_price_yuan_m2=600,
            years=50,
            policy=qingdao,
        )
    with pytest.raises(ValueError, match=r"unknown land grade '十五级'.*grades: 限制级, 一级"):
        grant_price(100, unit_price_yuan_m2="十五级", years=50, policy=qingdao)
    with pytest.raises(ValueError, match=r"`years` must be > 0 and ≤ 50 years"):
        grant_price(100, unit_price_yuan_m2=600, years=51, policy=qingdao)
    with pytest.raises(ValueError, match=r"`unit_price_yuan_m2` must be ≥ 0"):
        grant_price(100, unit_price_yuan_m2=-1, years=20, policy=qingdao)


def test_annuity_due_factor():
    assert annuity_due_factor(0.0, 5) == 5.0
    assert annuity_due_factor(0.06, 20) == pytest.approx(a_due(0.06, 20))


def test_lease_then_transfer_cash_flows_by_hand(qingdao):
    # 1 ha, rent 36 元/m²·yr → 36 万元 a year at years 0..4; at year 5 the 15-year grant:
    # 600 × K(15, 6 %) = 600 × 0.616187 = 369.71 万元
    flows = lease_then_transfer_cash_flows(
        10_000, unit_price_yuan_m2=600, annual_rent_yuan_m2=36, policy=qingdao
    )
    assert flows.columns.tolist() == [0, 1, 2, 3, 4, 5]
    assert flows.columns.name == "year"
    np.testing.assert_allclose(flows.iloc[0, :5], [36.0] * 5)
    assert flows.iloc[0, 5] == pytest.approx(600 * k_hand(15, 0.06))
    assert round(flows.iloc[0, 5], 2) == 369.71
    # other terms, a Series of areas keeps its index
    flows = lease_then_transfer_cash_flows(
        pd.Series([10_000.0, 20_000.0], index=["a", "b"]),
        unit_price_yuan_m2=600,
        annual_rent_yuan_m2=36,
        lease_years=3,
        grant_years=27,
        policy=qingdao,
    )
    assert flows.index.tolist() == ["a", "b"]
    assert flows.loc["b", 0] == 72.0
    assert flows.loc["b", 3] == pytest.approx(1200 * k_hand(27, 0.06))


def test_lease_then_transfer_npv_identities(qingdao):
    # default rent: the annuity equivalent of the 50-year price, 600 / ä(6 %, 50) per m²
    rent = 600 / a_due(0.06, 50)
    out = lease_then_transfer(10_000, unit_price_yuan_m2=600, discount_rate=0.06, policy=qingdao)
    row = out.iloc[0]
    assert row["annual_rent_wan"] == pytest.approx(rent)  # 35.91 万元 for 1 ha
    assert round(row["annual_rent_wan"], 2) == 35.91
    assert row["grant_price_wan"] == pytest.approx(600 * k_hand(15, 0.06))
    # discounted at r, 5 years of rent + the 15-year grant = a 20-year flexible grant
    assert row["city_npv_wan"] == pytest.approx(600 * k_hand(20, 0.06))
    assert row["flexible_grant_price_wan"] == pytest.approx(600 * k_hand(20, 0.06))
    assert row["firm_npv_wan"] == -row["city_npv_wan"]
    # ... and its level yearly cost over the 20 years is the rent itself
    assert row["firm_annual_cost_wan"] == pytest.approx(rent)
    assert row["total_paid_wan"] == pytest.approx(5 * rent + 600 * k_hand(15, 0.06))
    assert out.attrs["policy_params"]["tenure.lease_years"]["value"] == 5
    assert {k: v for k, v in out.attrs.items() if k != "policy_params"} == {
        "policy": "qingdao-2019",
        "lease_years": 5,
        "grant_years": 15.0,
        "discount_rate": 0.06,
        "policy_keys": (
            "tenure.capitalisation_rate_share",
            "tenure.grant_after_lease_years",
            "tenure.industrial_max_years",
            "tenure.lease_years",
        ),
    }
    # undiscounted, the NPV is the total paid
    flat = lease_then_transfer(10_000, unit_price_yuan_m2=600, discount_rate=0.0, policy=qingdao)
    assert flat["city_npv_wan"].iloc[0] == pytest.approx(flat["total_paid_wan"].iloc[0])
    # at 8 %: by hand
    d = 0.08
    hand = sum(rent / (1 + d) ** t for t in range(5)) + 600 * k_hand(15, 0.06) / (1 + d) ** 5
    at8 = lease_then_transfer(10_000, unit_price_yuan_m2=600, discount_rate=d, policy=qingdao)
    assert at8["city_npv_wan"].iloc[0] == pytest.approx(hand)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"lease_years": 10, "grant_years": 45},
            r"`lease_years` \+ `grant_years` = 10 \+ 45 = 55 years exceeds the maximum term of 50",
        ),
        ({"lease_years": 2.5}, r"`lease_years` must be a whole number of years"),
        ({"lease_years": 0}, r"`lease_years` must be ≥ 1"),
        ({"grant_years": 0}, r"`grant_years` must be > 0"),
        ({"discount_rate": -0.1}, r"`discount_rate` must be ≥ 0 and ≤ 1; received -0.1"),
        ({"discount_rate": 5}, r"`discount_rate` must be ≥ 0 and ≤ 1; received 5\. Give it"),
        ({"annual_rent_yuan_m2": -3}, r"`annual_rent_yuan_m2` must be ≥ 0 元/m² per year"),
    ],
)
def test_lease_then_transfer_errors(qingdao, kwargs, match):
    args = {"unit_price_yuan_m2": 600, "discount_rate": 0.05, "policy": qingdao, **kwargs}
    with pytest.raises(ValueError, match=match):
        lease_then_transfer(10_000, **args)


def test_present_value():
    flows = pd.DataFrame({0: [100.0, 0.0], 1: [106.0, np.nan], 2: [0.0, 112.36]})
    got = present_value(flows, discount_rate=0.06)
    assert got.tolist() == pytest.approx([200.0, 100.0])
    assert got.name == "present_value"
    with pytest.raises(ValueError, match=r"columns of `cash_flows` must be year offsets"):
        present_value(pd.DataFrame({"a": [1.0]}), discount_rate=0.05)
    with pytest.raises(
        TypeError,
        match=r"^`cash_flows` passed to present_value\(\) must be a DataFrame; received list\.$",
    ):
        present_value([1, 2], discount_rate=0.05)


# --- standard land ---------------------------------------------------------------------------


def test_conditions_qingdao(example):
    qingdao = example  # the example profile sets standard_land 280 / 20
    table = standard_land_conditions("QD06", "39", policy=qingdao)
    assert table.index.tolist() == [
        "investment_wan_per_mu",
        "far",
        "tax_wan_per_mu",
        "building_coefficient",
        "admin_living_land_share",
        "green_space_share",
    ]
    assert table["value"].tolist() == [280.0, 1.0, 20.0, 0.30, 0.07, 0.20]
    assert table["bound"].tolist() == ["≥", "≥", "≥", "≥", "≤", "≤"]
    assert table["name"].tolist()[:3] == ["投资强度", "容积率", "亩均税收"]
    assert table["stage"].tolist() == ["completion"] * 2 + ["production"] + ["completion"] * 3
    assert table["group"].tolist() == ["3", "3", "3", "control", "control", "control"]
    assert table.loc["investment_wan_per_mu", "source"] == "standard_land.investment_wan_per_mu_min"
    assert table.loc["investment_wan_per_mu", "confidence"] == "I"
    assert table.loc["building_coefficient", "confidence"] == "V"
    assert table.attrs["policy"] == "qingdao-2019-example"
    assert table.attrs["not_evaluated"] == []
    # 2017 36 (汽车) → 2002 37 → 0.7; a class code is reduced to its division
    assert standard_land_conditions(None, "C3611", policy=qingdao).loc["far", "value"] == 0.7
    # a 2002 code: 40 通信设备 → 1.0
    assert (
        standard_land_conditions(None, "40", policy=qingdao, code_version="2002").loc[
            "far", "value"
        ]
        == 1.0
    )


def test_conditions_national_leaves_values_to_the_user(national):
    table = standard_land_conditions(None, "39", policy=national, lang="en")
    assert math.isnan(table.loc["investment_wan_per_mu", "value"])
    assert table.loc["investment_wan_per_mu", "source"].startswith(
        "not evaluated: set `standard_land.investment_wan_per_mu_min` (policy.replace("
    )
    assert table.loc["far", "name"] == "floor area ratio"
    # optional indicators appear once set
    policy = national.replace({"standard_land.rd_share_min": 0.03})
    assert policy.require("standard_land.rd_share_min") == 0.03
    assert standard_land_conditions(None, "39", policy=policy).loc["rd_share", "value"] == 0.03


def test_conditions_zone_overrides_city_and_industry_overrides_zone(example):
    qingdao = example  # city values 280 / 20
    zones = pd.DataFrame(
        {
            "zone_id": ["QD06", "QD06", "QD01"],
            "industry_code": [None, "39", None],
            "far_min": [1.5, 2.0, np.nan],
            "tax_wan_per_mu_min": [30.0, np.nan, 25.0],
        }
    )
    table = standard_land_conditions("QD06", "39", policy=qingdao, zone_conditions=zones)
    assert table.loc["far", "value"] == 2.0  # zone + industry
    assert table.loc["far", "source"] == "zone_conditions (QD06, industry 39)"
    assert table.loc["tax_wan_per_mu", "value"] == 30.0  # zone-wide
    assert table.loc["tax_wan_per_mu", "source"] == "zone_conditions (QD06)"
    assert table.loc["investment_wan_per_mu", "value"] == 280.0  # city
    other = standard_land_conditions("QD06", "27", policy=qingdao, zone_conditions=zones)
    assert other.loc["far", "value"] == 1.5
    qd01 = standard_land_conditions("QD01", "39", policy=qingdao, zone_conditions=zones)
    assert (qd01.loc["far", "value"], qd01.loc["tax_wan_per_mu", "value"]) == (1.0, 25.0)
    # an unlisted zone gets the city values
    assert (
        standard_land_conditions("QD09", "39", policy=qingdao, zone_conditions=zones).loc[
            "tax_wan_per_mu", "value"
        ]
        == 20.0
    )


@pytest.mark.parametrize(
    ("code", "match"),
    [
        ("99", r"unknown industry code '99' \(GB/T 4754-2017\): not a GB/T 4754 division"),
        ("00", r"unknown industry code '00'"),
        ("abc", r"malformed industry code\(s\) 'abc'"),
        (None, r"`industry_code` is required"),
    ],
)
def test_conditions_unknown_industry(qingdao, code, match):
    with pytest.raises(ValueError, match=match):
        standard_land_conditions("QD06", code, policy=qingdao)


def test_conditions_non_manufacturing_division_has_no_far(qingdao):
    table = standard_land_conditions(None, "65", policy=qingdao)
    assert math.isnan(table.loc["far", "value"])
    assert "no value for division 65" in table.loc["far", "source"]


@pytest.mark.parametrize(
    ("zones", "error", "match"),
    [
        (pd.DataFrame({"far_min": [1.0]}), SchemaError, r"needs a `zone_id` column"),
        (
            pd.DataFrame({"zone_id": ["QD01"], "tax_min": [1.0]}),
            SchemaError,
            r"unknown requirement column\(s\) tax_min; valid: investment_wan_per_mu_min, far_min",
        ),
        (
            pd.DataFrame({"zone_id": ["QD01", "QD01"], "far_min": [1.0, 2.0]}),
            SchemaError,
            r"2 rows repeating a \(zone_id, industry_code\) pair: QD01\|\*",
        ),
        (
            pd.DataFrame({"zone_id": ["QD01"], "far_min": [-1.0]}),
            SchemaError,
            r"negative values in `far_min`",
        ),
        ({"QD01": 1.5}, TypeError, r"must map a zone_id to \{requirement: value\}"),
    ],
)
def test_zone_conditions_errors(qingdao, zones, error, match):
    with pytest.raises(error, match=match):
        standard_land_conditions("QD01", "39", policy=qingdao, zone_conditions=zones)


@pytest.fixture
def two_projects() -> pd.DataFrame:
    # A: 1 ha = 15 亩, 15 000 m² floor → FAR 1.5; 4 500 万元 → 300 万元/亩; tax 450 → 30/亩;
    #    footprint 4 000 → 0.40; admin 500 → 0.05; green 1 000 → 0.10: all met.
    # B: 2 ha = 30 亩, industry 36 (min FAR 0.7): 12 000 m² → 0.6 (short 0.1);
    #    8 000 万元 → 266.67/亩 (short 13.33); tax 450 → 15/亩 (short 5); footprint 5 000 → 0.25
    #    (short 0.05); admin 1 200 → 0.06 (≤ 0.07); green 2 000 → 0.10.
    return pd.DataFrame(
        {
            "proposal_id": ["A", "B"],
            "industry_code": ["39", "36"],
            "land_area_m2": [10_000.0, 20_000.0],
            "floor_area_m2": [15_000.0, 12_000.0],
            "investment_wan": [4_500.0, 8_000.0],
            "expected_tax_wan": [450.0, 450.0],
            "footprint_m2": [4_000.0, 5_000.0],
            "admin_living_land_m2": [500.0, 1_200.0],
            "green_area_m2": [1_000.0, 2_000.0],
        },
        index=[10, 20],
    )


def test_check_standard_land_by_hand(example, two_projects):
    qingdao = example  # city values 280 / 20
    out = check_standard_land(two_projects, policy=qingdao)
    assert out.index.tolist() == [10, 20]
    assert out["proposal_id"].tolist() == ["A", "B"]
    assert out["far"].tolist() == [1.5, 0.6]
    assert out["far_min"].tolist() == [1.0, 0.7]
    assert out["investment_wan_per_mu"].tolist() == pytest.approx([300.0, 8000 / 30])
    assert out["investment_wan_per_mu_shortfall"].tolist() == pytest.approx([0.0, 280 - 8000 / 30])
    assert out["tax_wan_per_mu"].tolist() == pytest.approx([30.0, 15.0])
    assert out["tax_wan_per_mu_shortfall"].tolist() == pytest.approx([0.0, 5.0])
    assert out["building_coefficient_shortfall"].tolist() == pytest.approx([0.0, 0.05])
    assert out["admin_living_land_share_met"].tolist() == [True, True]
    assert out["far_met"].dtype == "boolean"
    assert out["standard_land_met"].tolist() == [True, False]
    assert out["indicators_failed"].tolist() == [
        "",
        "investment_wan_per_mu; far; tax_wan_per_mu; building_coefficient",
    ]
    assert out.loc[10, "reasons"] == "达标"
    assert out.loc[20, "reasons"] == (
        "未达标: 投资强度 266.7 < 280（差 13.33 万元/亩）; 容积率 0.6 < 0.7（差 0.1）; "
        "亩均税收 15 < 20（差 5 万元/亩·年）; 建筑系数 0.25 < 0.3（差 0.05）"
    )
    en = check_standard_land(two_projects, policy=qingdao, lang="en")
    assert en.loc[20, "reasons"].startswith(
        "failed: investment intensity 266.7 < 280 (short 13.33 10k yuan/mu); floor area ratio"
    )
    assert out.attrs["policy"] == "qingdao-2019-example"
    assert out.attrs["not_evaluated"] == []
    assert "standard_land.investment_wan_per_mu_min" in out.attrs["policy_keys"]
    assert two_projects.columns.tolist()[-1] == "green_area_m2"  # input not mutated


def test_check_standard_land_missing_columns_are_not_evaluated(example, two_projects):
    qingdao = example  # city values 280 / 20
    no_tax = two_projects.drop(columns=["expected_tax_wan", "footprint_m2"])
    out = check_standard_land(no_tax, policy=qingdao)
    # A met everything it could be checked on: NA, never True
    assert out["standard_land_met"].isna().tolist() == [True, False]
    assert out["tax_wan_per_mu_met"].isna().all()
    assert (
        "未评价: 亩均税收（缺少字段 `expected_tax_wan` 或 `agreed_tax_wan` 或 `tax_wan`）"
        in (out.loc[10, "reasons"])
    )
    assert "建筑系数（缺少字段 `footprint_m2`）" in out.loc[10, "reasons"]
    # a missing value in one row
    gap = two_projects.copy()
    gap.loc[10, "floor_area_m2"] = np.nan
    out = check_standard_land(gap, policy=qingdao, indicators=["far"])
    assert out["far_met"].tolist() == [pd.NA, False]
    assert out.loc[10, "reasons"] == "未评价: 容积率（数值缺失）"
    # no industry code: FAR has no requirement
    out = check_standard_land(
        two_projects.drop(columns="industry_code"), policy=qingdao, indicators=["far"]
    )
    assert out.loc[10, "reasons"] == "未评价: 容积率（缺少行业代码）"


def test_check_standard_land_zone_conditions_per_row(example, two_projects):
    qingdao = example  # city values 280 / 20
    projects = two_projects.assign(zone_id=["QD06", "QD01"])
    zones = {"QD06": {"far_min": 1.6}, "QD01": {"tax_wan_per_mu_min": 15}}
    out = check_standard_land(
        projects, policy=qingdao, zone_conditions=zones, indicators=["far", "tax_wan_per_mu"]
    )
    assert out["far_min"].tolist() == [1.6, 0.7]
    assert out["far_met"].tolist() == [False, False]
    assert out["tax_wan_per_mu_min"].tolist() == [20.0, 15.0]
    assert out["tax_wan_per_mu_met"].tolist() == [True, True]


def test_check_standard_land_geodataframe(qingdao):
    x, y = QD_GK
    gdf = gpd.GeoDataFrame(
        {"parcel_id": ["G1"], "industry_code": ["39"], "floor_area_m2": [12_000.0]},
        geometry=[square(x, y)],
        crs="EPSG:4549",
        index=["row"],
    )
    out = check_standard_land(gdf, policy=qingdao, indicators=["far"])
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs == gdf.crs
    assert out.index.tolist() == ["row"]
    assert out["far"].tolist() == pytest.approx([1.2])  # 12 000 m² on a 1 ha square
    with pytest.raises(
        CRSError, match=r"`projects` passed to check_standard_land\(\) is in a geographic CRS"
    ):
        check_standard_land(gdf.to_crs(4326), policy=qingdao)


def test_check_standard_land_errors(qingdao, two_projects):
    bad = two_projects.assign(investment_wan=[-1.0, 8_000.0], expected_tax_wan=[1.0, -2.0])
    with pytest.raises(
        SchemaError,
        match=r"negative values in `expected_tax_wan` \(1 row\(s\): B\); `investment_wan` \(1 row\(s\): A\)",
    ):
        check_standard_land(bad, policy=qingdao)
    with pytest.raises(SchemaError, match=r"1 row\(s\) with a land area ≤ 0 m² .*: B"):
        check_standard_land(two_projects.assign(land_area_m2=[10.0, 0.0]), policy=qingdao)
    with pytest.raises(SchemaError, match=r"unknown industry code '98' .* in 1 row\(s\): B"):
        check_standard_land(two_projects.assign(industry_code=["39", "98"]), policy=qingdao)
    with pytest.raises(ValueError, match=r"unknown indicator\(s\) 'fars' in `indicators`"):
        check_standard_land(two_projects, policy=qingdao, indicators=["fars"])
    with pytest.raises(ValueError, match=r"`code_version` must be one of '2017', '2002'"):
        check_standard_land(two_projects, policy=qingdao, code_version="2011")
    with pytest.raises(
        TypeError, match=r"`policy` passed to check_standard_land\(\) must be a landuse\.Policy"
    ):
        check_standard_land(two_projects, policy=None)


def test_check_standard_land_software_on_industrial_land(qingdao, two_projects):
    out = check_standard_land(two_projects.assign(industry_code=["65", "36"]), policy=qingdao)
    assert pd.isna(out.loc[10, "far_met"])
    assert "容积率（政策未设行业 65 的最低容积率）" in out.loc[10, "reasons"]


def test_check_standard_land_sample_proposals(example):
    qingdao = example  # city tax value 20
    s = landuse.load_sample()
    industrial = s.proposals[s.proposals["land_use"] == "industrial"]
    out = check_standard_land(industrial, policy=qingdao, indicators=["tax_wan_per_mu"])
    assert len(out) == len(industrial)
    tax = industrial["expected_tax_wan"] / (industrial["land_area_m2"] / (10000 / 15))
    pd.testing.assert_series_equal(
        out["tax_wan_per_mu_met"], (tax >= 20).astype("boolean"), check_names=False
    )


def test_accept_completion_by_hand(qingdao):
    committed = pd.DataFrame(
        {
            "parcel_id": ["P1", "P2"],
            "far": [1.2, 1.0],
            "investment_wan_per_mu": [300.0, 280.0],
            "building_coefficient": [0.4, 0.3],
            "tax_wan_per_mu": [25.0, 20.0],
        }
    )
    # P1: 1 ha, 10 500 m² → FAR 1.05 (short 0.15, 12.5 %); invested 4 800 → 320/亩 (ok);
    #     footprint 4 500 → 0.45 (ok).  P2: 1 ha, 10 000 → 1.0; 4 200 → 280; 3 000 → 0.3: passes.
    actual = pd.DataFrame(
        {
            "parcel_id": ["P2", "P1", "P9"],
            "land_area_m2": [10_000.0, 10_000.0, 5.0],
            "floor_area_m2": [10_000.0, 10_500.0, 1.0],
            "invested_wan": [4_200.0, 4_800.0, 1.0],
            "footprint_m2": [3_000.0, 4_500.0, 1.0],
            "tax_wan": [300.0, 300.0, 1.0],
        }
    )
    out = accept_standard_land(committed, actual, policy=qingdao, on="parcel_id")
    assert out.index.tolist() == ["P1", "P2"]
    assert out["far_actual"].tolist() == pytest.approx([1.05, 1.0])
    assert out["far_shortfall"].tolist() == pytest.approx([0.15, 0.0])
    assert out["far_shortfall_share"].tolist() == pytest.approx([0.125, 0.0])
    assert out["investment_wan_per_mu_actual"].tolist() == pytest.approx([320.0, 280.0])
    assert out["building_coefficient_met"].tolist() == [True, True]
    assert "tax_wan_per_mu_actual" not in out.columns  # production indicator
    assert out["passed"].tolist() == [False, True]
    assert out["indicators_failed"].tolist() == ["far", ""]
    assert out.loc["P1", "consequence"] == qingdao.standard_land.consequences["completion"]
    assert out.loc["P2", "consequence"] == ""
    assert out["penalty_wan"].isna().all()
    assert out.attrs["penalty"].startswith("not computed: no penalty formula was found")
    assert out.loc["P1", "reasons"] == "未达标: 容积率 1.05 < 1.2（差 0.15）"


def test_accept_production_with_penalty_by_hand(qingdao):
    committed = pd.DataFrame({"agreed_tax_wan": [375.0], "land_area_m2": [10_000.0]}, index=["P1"])
    # committed 375 / 15 亩 = 25 万元/亩; actual 300 / 15 = 20: short 5/亩 → 75 万元 at rate 1
    actual = pd.DataFrame({"tax_wan": [300.0], "land_area_m2": [10_000.0]}, index=["P1"])
    out = accept_standard_land(
        committed, actual, policy=qingdao, stage="production", penalty_rates={"tax_wan_per_mu": 1.0}
    )
    assert out["tax_wan_per_mu_committed"].tolist() == pytest.approx([25.0])
    assert out["tax_wan_per_mu_shortfall"].tolist() == pytest.approx([5.0])
    assert out["tax_wan_per_mu_shortfall_share"].tolist() == pytest.approx([0.2])
    assert out["penalty_wan"].tolist() == pytest.approx([75.0])
    assert out["passed"].tolist() == [False]
    en = accept_standard_land(committed, actual, policy=qingdao, stage="production", lang="en")
    assert en.loc["P1", "consequence"].startswith("production review failed")
    # penalty rates from the policy
    policy = qingdao.replace({"standard_land.penalty_rates": {"tax_wan_per_mu": 2.0}})
    out = accept_standard_land(committed, actual, policy=policy, stage="production")
    assert out["penalty_wan"].tolist() == pytest.approx([150.0])


def test_accept_missing_actual_value_is_not_a_pass(qingdao):
    committed = pd.DataFrame({"far": [1.2], "investment_wan_per_mu": [300.0]}, index=["P1"])
    actual = pd.DataFrame({"land_area_m2": [10_000.0], "floor_area_m2": [20_000.0]}, index=["P1"])
    out = accept_standard_land(committed, actual, policy=qingdao)
    assert out["far_met"].tolist() == [True]
    assert out["passed"].isna().tolist() == [True]
    assert out.loc["P1", "reasons"] == (
        "未评价: 投资强度（缺少字段 `invested_wan` 或 `investment_wan`）"
    )


def test_accept_errors(qingdao):
    committed = pd.DataFrame({"far": [1.2, 1.0]}, index=["P1", "P2"])
    actual = pd.DataFrame({"land_area_m2": [1.0], "floor_area_m2": [1.0]}, index=["P1"])
    with pytest.raises(
        SchemaError, match=r"1 of 2 projects in `commitments` have no row in `actuals`: P2"
    ):
        accept_standard_land(committed, actual, policy=qingdao)
    with pytest.raises(ValueError, match=r"`stage` must be one of 'completion', 'production'"):
        accept_standard_land(committed, committed, policy=qingdao, stage="final")
    with pytest.raises(
        ValueError, match=r"penalty rate\(s\) for 'far', not checked at the production"
    ):
        accept_standard_land(
            committed, committed, policy=qingdao, stage="production", penalty_rates={"far": 1}
        )
    with pytest.raises(SchemaError, match=r"`commitments` has repeated index values: P1"):
        accept_standard_land(
            pd.DataFrame({"far": [1.0, 1.0]}, index=["P1", "P1"]), actual, policy=qingdao
        )
    with pytest.raises(SchemaError, match=r"`actuals` has no column `parcel_id`"):
        accept_standard_land(
            committed.assign(parcel_id=["P1", "P2"]), actual, policy=qingdao, on="parcel_id"
        )


# --- multi-storey ----------------------------------------------------------------------------


@pytest.fixture
def ms_parcels() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "parcel_id": ["a", "b", "c", "d", "e"],
            "industry_code": ["39", "36", "39", None, "27"],
            "land_use": ["industrial", "industrial", "commercial", "industrial", "industrial"],
            "land_area_m2": [20_000.0, 10_000.0, 10_000.0, 10_000.0, 30_000.0],
            "floor_area_m2": [20_000.0, 8_000.0, 30_000.0, 5_000.0, 66_000.0],
        }
    )


def test_multistorey_potential_by_hand(qingdao, ms_parcels):
    out = multistorey_potential(ms_parcels, policy=qingdao, min_unit_m2=500)
    assert out.index.tolist() == [0, 1, 2, 3, 4]
    assert out["suitable_industry"].tolist() == [True, False, True, pd.NA, True]
    assert out["high_rise_site"].tolist() == [True, False, False, False, True]
    assert out["far"].tolist() == pytest.approx([1.0, 0.8, 3.0, 0.5, 2.2])
    # 工业上楼 = FAR ≥ 2.0 AND (height > 24 m OR ≥ 5 floors): c (FAR 3.0) and e (2.2) pass the
    # FAR but no height or floors are given → unknown, never assumed; a, b, d fail the FAR
    assert out["already_multistorey"].astype(object).tolist() == [False, False, pd.NA, False, pd.NA]
    assert out["candidate"].astype(object).tolist() == [True, False, False, pd.NA, pd.NA]
    assert out.loc[2, "multistorey_criteria"] == "容积率 3.00 ≥ 2; 高度未知; 层数未知"
    # a: 2 ha ≥ 2 ha → FAR 3.0 → 60 000 m²; single storey at 1.0 needs 60 000 m²: saves
    #    40 000 m² = 60 亩; 85 % subdividable = 51 000 m² → 17 units of 3 000, 102 of 500.
    # b: 1 ha → FAR 2.0 → 20 000 m²; single storey at 0.7 → 28 571.4 m²: saves 18 571.4 m².
    assert out["target_far"].tolist() == [3.0, 2.0, 2.0, 2.0, 3.0]
    assert out["floor_area_target_m2"].tolist() == [
        60_000.0,
        20_000.0,
        20_000.0,
        20_000.0,
        90_000.0,
    ]
    assert out["floor_area_added_m2"].tolist() == [40_000.0, 12_000.0, 0.0, 15_000.0, 24_000.0]
    assert out.loc[0, "land_saved_mu"] == pytest.approx(60.0)
    assert out.loc[1, "land_saved_m2"] == pytest.approx(20_000 / 0.7 - 10_000)
    assert math.isnan(out.loc[3, "land_saved_m2"])  # no industry, no single-storey FAR
    assert out["subdividable_floor_m2"].tolist()[:2] == pytest.approx([51_000.0, 17_000.0])
    assert out["enterprise_units"].tolist() == [17, 5, 5, 5, 25]
    assert out["units_at_min_size"].tolist() == [102, 34, 34, 34, 153]
    assert out.loc[0, "reasons"] == "可工业上楼"
    assert out.loc[1, "reasons"] == "不宜工业上楼: 行业不在工业上楼适宜名单"
    assert out.loc[2, "reasons"] == "不宜工业上楼: 非工业用地"
    assert out.loc[3, "reasons"] == "行业代码缺失; 用地不足高层工业楼宇最小规模"
    assert out.loc[4, "reasons"] == "现状容积率或高度/层数未知"
    assert out.attrs["min_unit_m2"] == 500.0
    # no shared-facility share given: none set aside, and the result says so
    assert out.attrs["shared_share"] == 0.0
    assert out.attrs["assumed"] == {
        "shared_share": "未给出: 未扣除公共设施面积；可分割面积与单元数为上限"
    }


def test_multistorey_height_floors_criteria(qingdao, ms_parcels):
    # c: FAR 3.0, 30 m, 4 floors → height held; e: FAR 2.2, 18 m, 6 floors → floors held;
    # a: FAR 1.0 with 30 m → FAR fails (both criteria must hold); b: FAR 0.8, 20 m, 4 floors
    parcels = ms_parcels.assign(
        building_height_m=[30.0, 20.0, 30.0, np.nan, 18.0], floors=[np.nan, 4, 4, np.nan, 6]
    )
    out = multistorey_potential(parcels, policy=qingdao, min_unit_m2=500, lang="en")
    assert out["already_multistorey"].astype(object).tolist() == [False, False, True, False, True]
    assert out["candidate"].astype(object).tolist() == [True, False, False, pd.NA, False]
    assert out["multistorey_criteria"].tolist() == [
        "FAR 1.00 < 2; height 30 m > 24 m; floors unknown",
        "FAR 0.80 < 2; height 20 m ≤ 24 m; floors 4 < 5",
        "FAR 3.00 ≥ 2; height 30 m > 24 m; floors 4 < 5",
        "FAR 0.50 < 2; height unknown; floors unknown",
        "FAR 2.20 ≥ 2; height 18 m ≤ 24 m; floors 6 ≥ 5",
    ]
    assert out.loc[4, "reasons"] == (
        "not a candidate: already multi-storey (FAR and height/floors)"
    )
    # FAR 3.0 but 20 m and 4 floors: not 工业上楼, so a candidate
    low = parcels.assign(building_height_m=20.0, floors=4)
    assert multistorey_potential(low, policy=qingdao, min_unit_m2=500).loc[4, "candidate"]
    assert out.attrs["assumed"]["shared_share"].startswith("not given")
    given = multistorey_potential(parcels, policy=qingdao, min_unit_m2=500, shared_share=0.05)
    assert given.attrs["assumed"] == {}


def test_multistorey_options(qingdao, national, ms_parcels):
    out = multistorey_potential(
        ms_parcels,
        policy=qingdao,
        min_unit_m2=1_000,
        unit_m2=2_000,
        target_far=pd.Series([4.0, 2.5, 2.0, 2.0, 3.0]),
        single_storey_far=0.5,
        shared_share=0.05,
        lang="en",
    )
    # a: 80 000 m² at FAR 4; (1 - 0.15 - 0.05) = 80 % → 64 000 → 32 units of 2 000, 64 of 1 000
    assert out.loc[0, "floor_area_target_m2"] == 80_000.0
    assert out.loc[0, "subdividable_share"] == pytest.approx(0.8)
    assert out.loc[0, "enterprise_units"] == 32
    assert out.loc[0, "units_at_min_size"] == 64
    assert out.loc[0, "land_saved_m2"] == pytest.approx(80_000 / 0.5 - 20_000)
    assert out.loc[1, "reasons"] == "not a candidate: industry not on the multi-storey list"
    # national profile: no high-rise rule → NA, FAR 2.0 everywhere; the minimum from the policy
    policy = national.replace({"multistorey.subdivision_unit_min_m2": 1_500})
    nat = multistorey_potential(ms_parcels, policy=policy)
    assert nat["high_rise_site"].isna().all()
    assert nat["target_far"].tolist() == [2.0] * 5
    assert nat.attrs["min_unit_m2"] == 1_500.0
    # a parcel coded in GB/T 4754-2002: 40 通信设备 = 2017 39, suitable
    old = ms_parcels.assign(industry_code_version=["2002", "2017", "2017", "2017", "2017"])
    old.loc[0, "industry_code"] = "40"
    assert multistorey_potential(old, policy=qingdao, min_unit_m2=500).loc[0, "suitable_industry"]


def test_multistorey_geodataframe_area(qingdao):
    x, y = QD_GK
    gdf = gpd.GeoDataFrame(
        {"industry_code": ["39"], "land_use": ["industrial"]},
        geometry=[square(x, y)],
        crs="EPSG:4549",
    )
    out = multistorey_potential(gdf, policy=qingdao, min_unit_m2=500)
    assert out.loc[0, "floor_area_target_m2"] == pytest.approx(20_000.0)  # 1 ha at FAR 2.0
    assert pd.isna(out.loc[0, "already_multistorey"])  # no floor area: unknown


def test_multistorey_errors(qingdao, ms_parcels):
    with pytest.raises(PolicyError, match=r"no value for `multistorey\.subdivision_unit_min_m2`"):
        multistorey_potential(ms_parcels, policy=qingdao)
    with pytest.raises(ValueError, match=r"`unit_m2` = 300 m² is below the minimum subdivision"):
        multistorey_potential(ms_parcels, policy=qingdao, min_unit_m2=500, unit_m2=300)
    with pytest.raises(ValueError, match=r"`admin_living_share` \+ `shared_share` = 0.15 \+ 0.9"):
        multistorey_potential(ms_parcels, policy=qingdao, min_unit_m2=500, shared_share=0.9)
    with pytest.raises(ValueError, match=r"`shared_share` must be ≥ 0 and < 1"):
        multistorey_potential(ms_parcels, policy=qingdao, min_unit_m2=500, shared_share=-0.1)
    with pytest.raises(ValueError, match=r"`min_unit_m2` must be > 0"):
        multistorey_potential(ms_parcels, policy=qingdao, min_unit_m2=0)
    with pytest.raises(SchemaError, match=r"malformed industry code\(s\) '3x' \(rows c\)"):
        multistorey_potential(
            ms_parcels.assign(industry_code=["39", "36", "3x", None, "27"]),
            policy=qingdao,
            min_unit_m2=500,
        )
    with pytest.raises(SchemaError, match=r"negative values in `floor_area_m2` \(1 row\(s\): b\)"):
        multistorey_potential(
            ms_parcels.assign(floor_area_m2=[1.0, -1.0, 1.0, 1.0, 1.0]),
            policy=qingdao,
            min_unit_m2=500,
        )


# --- supporting apartments -------------------------------------------------------------------


def test_apartment_allowance_by_hand(qingdao):
    parcels = pd.DataFrame(
        {
            "land_area_m2": [20_000.0, 10_000.0],
            "floor_area_m2": [40_000.0, np.nan],
            "office_floor_m2": [2_000.0, np.nan],
        },
        index=["p", "q"],
    )
    # standard: 7 % of 20 000 = 1 400 m² land; 15 % of 40 000 = 6 000 m² floor, less offices 2 000
    std = apartment_allowance(parcels, policy=qingdao)
    assert std.loc["p"].tolist() == pytest.approx([1_400.0, 6_000.0, 4_000.0, 0.0])
    assert std.loc["q", "admin_living_land_max_m2"] == pytest.approx(700.0)
    assert math.isnan(std.loc["q", "apartment_floor_max_m2"])  # floor area unknown
    # rental: 15 % / 30 % → 3 000 land, 12 000 floor, 10 000 for apartments, of which the
    # 6 000 above the normal 15 % must be dormitory-type rental housing
    rental = apartment_allowance(parcels, policy=qingdao, variant="rental")
    assert rental.loc["p"].tolist() == pytest.approx([3_000.0, 12_000.0, 10_000.0, 6_000.0])
    # plan at FAR 2.5: 1 ha → 25 000 m² → 3 750 m²
    at_far = apartment_allowance(parcels, policy=qingdao, far=2.5)
    assert at_far.loc["q", "admin_living_floor_max_m2"] == pytest.approx(3_750.0)
    with pytest.raises(ValueError, match=r"`variant` must be one of 'standard', 'rental'"):
        apartment_allowance(parcels, policy=qingdao, variant="dorm")
    with pytest.raises(SchemaError, match=r"negative values in `office_floor_m2`"):
        apartment_allowance(parcels.assign(office_floor_m2=[-1.0, 0.0]), policy=qingdao)


def test_check_apartment_plan_by_hand(qingdao):
    plans = pd.DataFrame(
        {
            "land_area_m2": [20_000.0, 20_000.0, 20_000.0],
            "floor_area_m2": [40_000.0, 40_000.0, 40_000.0],
            "admin_living_land_m2": [1_200.0, 1_600.0, 2_800.0],
            "admin_living_floor_m2": [5_000.0, 7_000.0, 10_000.0],
            "rental_housing_floor_m2": [0.0, 0.0, 3_000.0],
            "dwelling_unit_max_m2": [60.0, 60.0, 80.0],
            "complete_housing": [False, True, False],
            "key_sme": [True, True, True],
            "own_unbuilt_land": [True, True, True],
        }
    )
    std = check_apartment_plan(plans, policy=qingdao)
    assert std["land_ok"].tolist() == [True, False, False]
    assert std["floor_ok"].tolist() == [True, False, False]
    assert std["excess_land_m2"].tolist() == pytest.approx([0.0, 200.0, 1_400.0])
    assert std["excess_floor_m2"].tolist() == pytest.approx([0.0, 1_000.0, 4_000.0])
    assert std["complete_housing_ok"].tolist() == [True, False, True]
    assert std["plan_ok"].tolist() == [True, False, False]
    assert std.loc[0, "reasons"] == "符合"
    assert std.loc[1, "reasons"] == (
        "配套用地 8.0% > 上限 7%（超 200 m²）; 配套建筑面积 17.5% > 上限 15%（超 1000 m²）; "
        "工业用地不得建设成套住宅"
    )
    # rental variant, plan 2: 2 800 / 20 000 = 14 % ≤ 15 %; 10 000 / 40 000 = 25 % ≤ 30 %;
    # the 10 000 − 6 000 = 4 000 m² above the normal cap must be rental: only 3 000.
    # Units are "mostly ≤ 70 m²": largest unit 60 m² → all small (share 1); 80 m² → share
    # unknown. No source gives the share behind "mostly": unit_size_ok is not evaluated.
    rental = check_apartment_plan(plans, policy=qingdao, variant="rental", lang="en")
    assert rental["land_ok"].tolist() == [True, True, True]
    assert rental["floor_ok"].tolist() == [True, True, True]
    assert rental["rental_ok"].tolist() == [True, False, False]
    assert rental["small_unit_share"].tolist()[:2] == [1.0, 1.0]
    assert math.isnan(rental.loc[2, "small_unit_share"])
    assert rental["unit_size_ok"].isna().all()
    assert rental["plan_ok"].astype(object).tolist() == [pd.NA, False, False]
    assert rental.loc[0, "reasons"] == (
        "not evaluated: no policy threshold for the share of small units: set "
        "`supporting_housing.small_unit_share_min`"
    )
    assert rental.loc[2, "reasons"] == (
        "4000 m² above the normal cap must be dormitory-type rental housing; only 3000 m²; "
        "not evaluated: no policy threshold for the share of small units: set "
        "`supporting_housing.small_unit_share_min`"
    )
    # a missing column: not evaluated, never a pass
    partial = check_apartment_plan(plans.drop(columns="admin_living_floor_m2"), policy=qingdao)
    assert partial["floor_ok"].isna().all()
    assert partial["plan_ok"].tolist() == [pd.NA, False, False]
    assert partial.loc[0, "reasons"] == "未评价: 缺少字段 `admin_living_floor_m2`"


def test_apartment_small_unit_share(qingdao):
    # 80 of 100, 40 of 40, 20 of 50 units ≤ 70 m²: shares 0.8, 1.0, 0.4; a user threshold 0.5
    plans = pd.DataFrame(
        {
            "land_area_m2": [20_000.0] * 4,
            "floor_area_m2": [40_000.0] * 4,
            "admin_living_land_m2": [1_200.0] * 4,
            "admin_living_floor_m2": [5_000.0] * 4,
            "rental_housing_floor_m2": [0.0] * 4,
            "dwelling_units": [100, 40, 50, np.nan],
            "dwelling_units_small": [80, 40, 20, np.nan],
            "key_sme": [True] * 4,
            "own_unbuilt_land": [True] * 4,
        }
    )
    policy = qingdao.replace({"supporting_housing.small_unit_share_min": 0.5})
    out = check_apartment_plan(plans, policy=policy, variant="rental", lang="en")
    assert out["small_unit_share"].tolist()[:3] == pytest.approx([0.8, 1.0, 0.4])
    assert out["unit_size_ok"].astype(object).tolist() == [True, True, False, pd.NA]
    assert out.loc[2, "reasons"] == "units ≤ 70 m² are 40% of all, below 50%"
    assert out.loc[3, "reasons"] == (
        "not evaluated: share of small units unknown: give `dwelling_units` and "
        "`dwelling_units_small`"
    )
    assert out["plan_ok"].astype(object).tolist() == [True, True, False, pd.NA]
    with pytest.raises(ValueError, match=r"`dwelling_units_small` exceeds `dwelling_units`"):
        check_apartment_plan(
            plans.assign(dwelling_units_small=[101, 0, 0, 0]), policy=policy, variant="rental"
        )


def test_apartment_eligibility(qingdao, national):
    # qingdao-2019: 配建 only for key SMEs on their own unbuilt land; unknown is never assumed
    plans = pd.DataFrame(
        {
            "land_area_m2": [20_000.0] * 5,
            "floor_area_m2": [40_000.0] * 5,
            "admin_living_land_m2": [1_200.0] * 5,
            "admin_living_floor_m2": [5_000.0] * 5,
            "key_sme": pd.array([True, False, True, None, False], dtype="boolean"),
            "own_unbuilt_land": pd.array([True, True, False, True, None], dtype="boolean"),
        }
    )
    out = check_apartment_plan(plans, policy=qingdao, lang="en")
    assert out["eligible"].astype(object).tolist() == [True, False, False, pd.NA, False]
    assert out["plan_ok"].astype(object).tolist() == [True, False, False, pd.NA, False]
    assert out.loc[1, "reasons"] == "not a key SME"
    assert out.loc[2, "reasons"] == "not on the firm's own unbuilt land"
    assert out.loc[3, "reasons"] == "not evaluated: eligibility unknown: `key_sme` has no value"
    assert out.loc[4, "reasons"] == (
        "not a key SME; not evaluated: eligibility unknown: `own_unbuilt_land` has no value"
    )
    bare = check_apartment_plan(plans.drop(columns=["key_sme", "own_unbuilt_land"]), policy=qingdao)
    assert bare["eligible"].isna().all()
    assert bare.loc[0, "reasons"] == "未评价: 缺少字段 `key_sme`; 缺少字段 `own_unbuilt_land`"
    # the national profile has no such rule: no eligibility column
    assert "eligible" not in check_apartment_plan(plans, policy=national).columns


# --- evaluate_supply_options -----------------------------------------------------------------


@pytest.fixture
def electronics() -> Project:
    # 9 000 m² of floor, industry 39 (minimum FAR 1.0, suits multi-storey), 4 000 万元, tax 300,
    # land at 600 元/m² for 50 years.
    return Project(
        industry_code="39",
        floor_area_needed_m2=9_000,
        investment_wan=4_000,
        expected_tax_wan=300,
        land_price_yuan_m2=600,
        name="电子",
    )


def test_multistorey_unit_height_floors(qingdao, electronics):
    def row(unit):
        out = evaluate_supply_options(
            electronics, policy=qingdao, discount_rate=0.06, options=[unit], lang="en"
        )
        return out.loc["multistorey"]

    # no height or floors: FAR 3.0 ≥ 2 holds, the height/floors criterion is not evaluated
    unknown = row(MultistoreyUnit(price_yuan_m2=3_000))
    assert pd.isna(unknown["indicators_met"])
    assert bool(unknown["feasible"])
    assert unknown["not_evaluated"] == (
        "building height/floors unknown: give MultistoreyUnit(height_m=…, floors=…)"
    )
    assert "multi-storey criteria: FAR 3 ≥ 2; height unknown; floors unknown" in unknown["reason"]
    # 20 m and 4 floors: neither > 24 m nor ≥ 5 floors → not 工业上楼, not feasible
    low = row(MultistoreyUnit(price_yuan_m2=3_000, height_m=20, floors=4))
    assert not low["indicators_met"]
    assert not low["feasible"]
    assert low["indicators_failed"] == "building"
    assert low["reason"] == (
        "not feasible: the building is not multi-storey industry (multi-storey criteria: "
        "FAR 3 ≥ 2; height 20 m ≤ 24 m; floors 4 < 5)"
    )
    # 6 floors at FAR 2.5: floors held
    ok = row(MultistoreyUnit(price_yuan_m2=3_000, floors=6, far=2.5))
    assert ok["indicators_met"]
    assert ok["not_evaluated"] == ""
    assert "multi-storey criteria: FAR 2.5 ≥ 2; height unknown; floors 6 ≥ 5" in ok["reason"]
    # FAR 1.8 with 30 m: the FAR criterion fails, so not 工业上楼
    far = row(MultistoreyUnit(price_yuan_m2=3_000, height_m=30, far=1.8))
    assert not far["feasible"]
    assert "FAR 1.8 < 2; height 30 m > 24 m; floors unknown" in far["reason"]


def test_evaluate_each_option_by_hand(qingdao, electronics):
    out = evaluate_supply_options(
        electronics,
        policy=qingdao,
        discount_rate=0.06,
        options=[
            "conventional",
            "standard_land",
            "flexible",
            "lease_then_transfer",
            MultistoreyUnit(price_yuan_m2=3_000),
        ],
    )
    assert out.index.tolist() == [
        "conventional",
        "standard_land",
        "flexible",
        "lease_then_transfer",
        "multistorey",
    ]
    # land: 9 000 m² / FAR 1.0 = 9 000 m² = 13.5 亩; the unit: 9 000 / 3.0 = 3 000 m² = 4.5 亩
    assert out["land_mu"].tolist() == pytest.approx([13.5, 13.5, 13.5, 13.5, 4.5])
    assert out["new_land_mu"].tolist() == pytest.approx([13.5, 13.5, 13.5, 13.5, 0.0])
    assert out["land_saved_mu"].tolist() == pytest.approx([0.0, 0.0, 0.0, 0.0, 13.5])
    rent = 540 / a_due(0.06, 50)  # 1st-year rent: the annuity equivalent of 540 万元
    grant_20 = 540 * k_hand(20, 0.06)  # 392.96
    assert out["firm_upfront_wan"].tolist() == pytest.approx([540, 540, grant_20, rent, 2_700])
    assert out["firm_npv_wan"].tolist() == pytest.approx([-540, -540, -grant_20, -grant_20, -2_700])
    assert out["city_revenue_wan"].tolist() == pytest.approx(
        [540, 540, grant_20, 5 * rent + 540 * k_hand(15, 0.06), 0]
    )
    assert out["city_npv_wan"].tolist() == pytest.approx([540, 540, grant_20, grant_20, 0])
    # at d = r every land tenure costs the same per year of use: the rent
    assert out["firm_annual_cost_wan"].tolist()[:4] == pytest.approx([rent] * 4)
    assert out.loc["multistorey", "firm_annual_cost_wan"] == pytest.approx(2_700 / a_due(0.06, 50))
    # 4 000 / 13.5 = 296.3 ≥ 280; 300 / 13.5 = 22.2 ≥ 20; FAR 1.0 ≥ 1.0
    assert out["investment_wan_per_mu"].tolist()[0] == pytest.approx(4_000 / 13.5)
    assert out["indicators_failed"].tolist() == ["", "", "", "", ""]
    assert out["feasible"].all()
    # rank by land, then upfront cost, then policy preference
    assert out["rank"].to_dict() == {
        "multistorey": 1,
        "lease_then_transfer": 2,
        "flexible": 3,
        "standard_land": 4,
        "conventional": 5,
    }
    assert out["recommended"].tolist() == [False, False, False, False, True]
    assert out.loc["multistorey", "reason"].startswith(
        "推荐: 新增用地最少（比次优 先租后让（5+15年） 少 13.5 亩）"
    )
    assert out.loc["multistorey", "label"] == "入驻工业上楼厂房"
    assert out.loc["flexible", "label"] == "弹性年期出让（20年）"
    assert out.attrs["recommendation"] == "multistorey"
    assert out.attrs["policy"] == "qingdao-2019"
    assert out.attrs["discount_rate"] == 0.06


def test_evaluate_ties_and_other_rankings(qingdao, electronics):
    land_only = evaluate_supply_options(
        electronics, policy=qingdao, discount_rate=0.06, options=["conventional", "standard_land"]
    )
    # same land and cost: policy preference puts standard land first
    assert land_only["rank"].to_dict() == {"conventional": 2, "standard_land": 1}
    assert land_only.loc["standard_land", "reason"].startswith(
        "推荐: 用地和费用与 常规出让（50年） 相同，按政策导向优先"
    )
    # at 8 % (≠ r) a shorter tenure costs the firm less per year: compare by hand
    by_cost = evaluate_supply_options(
        electronics,
        policy=qingdao,
        discount_rate=0.08,
        options=[ConventionalGrant(), FlexibleTerm(years=20)],
        rank_by="firm_cost",
    )
    eac = {
        "conventional": 540 / a_due(0.08, 50),
        "flexible": 540 * k_hand(20, 0.06) / a_due(0.08, 20),
    }
    assert by_cost["firm_annual_cost_wan"].to_dict() == pytest.approx(eac)
    best = min(eac, key=eac.get)
    assert by_cost.attrs["recommendation"] == best
    by_city = evaluate_supply_options(
        electronics,
        policy=qingdao,
        discount_rate=0.08,
        options=["conventional", "flexible"],
        rank_by="city_npv",
    )
    assert by_city.attrs["recommendation"] == "conventional"  # 540 > 392.96


def test_evaluate_infeasible_standard_land(example):
    qingdao = example  # city values 280 / 20
    # industry 36 (FAR 0.7, not multi-storey): 7 000 m² → 10 000 m² = 15 亩; tax 200 → 13.3/亩 < 20
    project = {
        "industry_code": "36",
        "floor_area_needed_m2": 7_000,
        "investment_wan": 4_500,
        "expected_tax_wan": 200,
        "land_grade": "三级",
    }
    out = evaluate_supply_options(project, policy=qingdao, discount_rate=0.05)
    assert out["land_m2"].tolist()[:4] == pytest.approx([10_000.0] * 4)
    assert out["feasible"].to_dict() == {
        "conventional": True,
        "standard_land": False,
        "flexible": False,
        "lease_then_transfer": False,
        "multistorey": False,
    }
    assert out.loc["standard_land", "indicators_failed"] == "tax_wan_per_mu"
    assert (
        out.loc["standard_land", "reason"] == "不可行: 亩均税收 13.33 < 20（差 6.667 万元/亩·年）"
    )
    assert out.loc["multistorey", "reason"].startswith("不可行: 行业不在工业上楼适宜名单")
    assert out.attrs["recommendation"] == "conventional"
    assert out.loc["conventional", "reason"].startswith("推荐: 唯一可行方案")
    # 三级 = 880 元/m²: 10 000 m² → 880 万元
    assert out.loc["conventional", "firm_upfront_wan"] == pytest.approx(880.0)
    assert out.loc["standard_land", "rank"] > out.loc["conventional", "rank"]


def test_evaluate_zone_conditions_site_and_prices(qingdao, electronics):
    # without a zone the zone's values do not apply
    out = evaluate_supply_options(
        electronics,
        policy=qingdao,
        discount_rate=0.06,
        zone_conditions={"QD06": {"far_min": 1.5}},
        options=["conventional", "standard_land"],
    )
    assert out["land_mu"].to_dict() == pytest.approx({"conventional": 13.5, "standard_land": 13.5})
    # in QD06 a zone FAR of 1.5 sizes standard land at 6 000 m² = 9 亩; conventional stays 13.5
    zoned = evaluate_supply_options(
        Project(**{**electronics.__dict__, "zone_id": "QD06"}),
        policy=qingdao,
        discount_rate=0.06,
        zone_conditions={"QD06": {"far_min": 1.5}},
        options=["conventional", "standard_land"],
    )
    assert zoned["land_mu"].to_dict() == pytest.approx({"conventional": 13.5, "standard_land": 9.0})
    assert zoned.loc["standard_land", "land_saved_mu"] == pytest.approx(4.5)
    assert zoned.attrs["recommendation"] == "standard_land"
    # a site: its 1 ha is the land of every grant option; its zone applies
    x, y = QD_GK
    site = gpd.GeoDataFrame({"zone_id": ["QD06"]}, geometry=[square(x, y)], crs="EPSG:4549")
    on_site = evaluate_supply_options(
        electronics,
        policy=qingdao,
        discount_rate=0.06,
        site=site,
        zone_conditions={"QD06": {"far_min": 1.5}},
        options=["conventional", "standard_land"],
    )
    assert on_site["land_m2"].tolist() == pytest.approx([10_000.0, 10_000.0])
    # 9 000 m² on 1 ha = FAR 0.9: below 1.0 and 1.5
    assert on_site["feasible"].tolist() == [False, False]
    assert on_site.attrs["recommendation"] is None
    # no land price: costs NaN, said so
    free = evaluate_supply_options(
        {**electronics.__dict__, "land_price_yuan_m2": None},
        policy=qingdao,
        discount_rate=0.06,
        options=["flexible", MultistoreyUnit(rent_yuan_m2_year=200, years=10)],
        lang="en",
    )
    assert math.isnan(free.loc["flexible", "firm_npv_wan"])
    assert "no price given: costs not computed" in free.loc["flexible", "reason"]
    # rent 9 000 m² × 200 元 = 180 万元 a year for 10 years
    assert free.loc["multistorey", "firm_upfront_wan"] == pytest.approx(180.0)
    assert free.loc["multistorey", "firm_npv_wan"] == pytest.approx(-180 * a_due(0.06, 10))
    assert free.loc["multistorey", "firm_annual_cost_wan"] == pytest.approx(180.0)
    assert free.loc["multistorey", "label"] == "unit in a multi-storey factory"


def test_evaluate_mapping_equals_dataclass(qingdao, electronics):
    mapping = {k: v for k, v in electronics.__dict__.items() if v is not None}
    a = evaluate_supply_options(electronics, policy=qingdao, discount_rate=0.05)
    b = evaluate_supply_options(mapping, policy=qingdao, discount_rate=0.05)
    pd.testing.assert_frame_equal(a, b)


def test_evaluate_repeated_options_get_unique_rows(qingdao, electronics):
    out = evaluate_supply_options(
        electronics,
        policy=qingdao,
        discount_rate=0.05,
        options=[FlexibleTerm(10), FlexibleTerm(30), LeaseThenTransfer(3, 17), StandardLand(40)],
    )
    assert out.index.tolist() == ["flexible", "flexible_2", "lease_then_transfer", "standard_land"]
    assert out["years"].tolist() == [10.0, 30.0, 20.0, 40.0]
    assert out.loc["flexible_2", "firm_upfront_wan"] == pytest.approx(540 * k_hand(30, 0.06))


@pytest.mark.parametrize(
    ("project", "kwargs", "error", "match"),
    [
        (
            {"floor_area_needed_m2": -10},
            {},
            ValueError,
            r"Project: `floor_area_needed_m2` must be > 0; received -10",
        ),
        ({"investment_wan": -1}, {}, ValueError, r"Project: `investment_wan` must be ≥ 0"),
        ({"land_area_m2": -5.0}, {}, ValueError, r"Project: `land_area_m2` must be > 0"),
        ({"industry_code": "99"}, {}, ValueError, r"unknown industry code '99'"),
        ({"industry_code": "x"}, {}, ValueError, r"`industry_code` must be a GB/T 4754 division"),
        ({}, {"discount_rate": -0.01}, ValueError, r"`discount_rate` must be ≥ 0 and ≤ 1"),
        (
            {},
            {"options": [FlexibleTerm(years=60)]},
            ValueError,
            r"`flexible years` must be > 0 and ≤ 50; received 60. The legal maximum for industrial",
        ),
        (
            {},
            {"options": [LeaseThenTransfer(lease_years=10, grant_years=45)]},
            ValueError,
            r"exceeds the maximum term of 50 years",
        ),
        ({}, {"options": ["cheap"]}, ValueError, r"`options` must be one of 'conventional'"),
        ({}, {"options": []}, ValueError, r"`options` is empty"),
        (
            {},
            {"options": [MultistoreyUnit(price_yuan_m2=1, rent_yuan_m2_year=1)]},
            ValueError,
            r"a `price_yuan_m2` or a `rent_yuan_m2_year`, not both",
        ),
        ({}, {"rank_by": "cost"}, ValueError, r"`rank_by` must be one of 'land', 'firm_cost'"),
        ({"colour": "red"}, {}, ValueError, r"unknown project field\(s\) colour; valid fields"),
    ],
)
def test_evaluate_errors(qingdao, project, kwargs, error, match):
    base = {
        "industry_code": "39",
        "floor_area_needed_m2": 9_000,
        "investment_wan": 4_000,
        "expected_tax_wan": 300,
        "land_price_yuan_m2": 600,
    }
    args = {"policy": qingdao, "discount_rate": 0.05, **kwargs}
    with pytest.raises(error, match=match):
        evaluate_supply_options({**base, **project}, **args)


def test_evaluate_rate_zero_and_missing_fields(qingdao, electronics):
    zero = qingdao.replace({"tenure.capitalisation_rate_share": 0.0})
    with pytest.raises(ValueError, match=r"`rate` must be a capitalisation rate > 0"):
        evaluate_supply_options(electronics, policy=zero, discount_rate=0.05)
    with pytest.raises(ValueError, match=r"missing required project field\(s\): expected_tax_wan"):
        Project.from_mapping(
            {"industry_code": "39", "floor_area_needed_m2": 1, "investment_wan": 1}
        )
    # an industry without a minimum FAR: the land cannot be sized without land_area_m2 or far
    with pytest.raises(ValueError, match=r"cannot size the land for the standard_land option"):
        evaluate_supply_options(
            {**electronics.__dict__, "industry_code": "65"},
            policy=qingdao,
            discount_rate=0.05,
            options=["standard_land"],
        )
    ok = evaluate_supply_options(
        {**electronics.__dict__, "industry_code": "65", "far": 2.0},
        policy=qingdao,
        discount_rate=0.05,
        options=["standard_land"],
    )
    assert ok.loc["standard_land", "land_m2"] == pytest.approx(4_500.0)
    assert "容积率（政策未设行业 65 的最低容积率）" in ok.loc["standard_land", "not_evaluated"]


# --- CLI -------------------------------------------------------------------------------------

TOML = """
discount_rate = 0.06
[project]
name = "电子项目"
industry_code = "39"
floor_area_needed_m2 = 9000
investment_wan = 4000
expected_tax_wan = 300
land_price_yuan_m2 = 600
zone_id = "QD06"
[options.flexible]
years = 30
[options.multistorey]
price_yuan_m2 = 3000
[zone_conditions.QD06]
far_min = 1.5
"""


def test_cli_supply_toml(tmp_path):
    path = tmp_path / "project.toml"
    path.write_text(TOML, encoding="utf-8")
    out_csv = tmp_path / "options.csv"
    result = CliRunner().invoke(main, ["supply", str(path), "-o", str(out_csv)])
    assert result.exit_code == 0, result.output
    assert "== 电子项目 (industry 39, policy qingdao-2019) ==" in result.output
    assert "→ 入驻工业上楼厂房: 推荐: 新增用地最少" in result.output
    table = pd.read_csv(out_csv, encoding="utf-8-sig")
    assert table["供地方式代码"].tolist() == ["flexible", "multistorey"]
    # zone FAR 1.5 → 6 000 m² = 9 亩; 30 years: 360 × K(30, 6 %), to 0.01 万元 in the CSV
    assert table["用地面积（亩）"].tolist() == pytest.approx([9.0, 4.5])
    assert table.loc[0, "企业首期支出（万元）"] == pytest.approx(360 * k_hand(30, 0.06), abs=0.005)


def test_cli_supply_csv(tmp_path):
    path = tmp_path / "projects.csv"
    pd.DataFrame(
        {
            "name": ["A", "B"],
            "industry_code": ["39", "36"],
            "floor_area_needed_m2": [9000, 7000],
            "investment_wan": [4000, 4500],
            "expected_tax_wan": [300, 200],
            "land_grade": ["三级", "三级"],
        }
    ).to_csv(path, index=False, encoding="utf-8-sig")
    out_csv = tmp_path / "out.csv"
    result = CliRunner().invoke(
        main,
        [
            "supply",
            str(path),
            "--discount-rate",
            "0.05",
            "--option",
            "conventional",
            "--option",
            "standard_land",
            "--lang",
            "en",
            "--policy",
            "qingdao-2019-example",  # standard-land values 280 / 20
            "-o",
            str(out_csv),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out_csv, encoding="utf-8-sig")
    assert table["Project"].tolist() == ["A", "A", "B", "B"]
    assert table["Recommended"].tolist() == ["no", "yes", "yes", "no"]
    assert "→ conventional grant (50 yr): recommended: the only feasible option" in result.output


def test_cli_supply_errors(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(TOML.replace("discount_rate = 0.06", ""), encoding="utf-8")
    result = CliRunner().invoke(main, ["supply", str(path)])
    assert result.exit_code == 2
    assert "error: no discount rate: pass --discount-rate" in result.output
    path.write_text(TOML + "\n[options.cheap]\nyears = 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["supply", str(path)])
    assert result.exit_code == 2
    assert "unknown option [options.cheap]" in result.output
    bad = tmp_path / "p.txt"
    bad.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["supply", str(bad), "--discount-rate", "0.05"])
    assert result.exit_code == 2
    assert "give a .toml or .csv file" in result.output
