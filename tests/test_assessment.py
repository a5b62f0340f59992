"""Zone assessment: a worked example computed by hand, bad statistics, outputs and the CLI.

The worked example has three zones, A, B and C, in 2020 and 2021 (money in 万元, land in 亩):

    zone year  revenue    tax     firms projects leading_rev  np_invest np_land  land
    A    2020    800,000  30,000     8     10       400,000     20,000    100   2,000
    B    2020    500,000  35,000    10     10       250,000     10,000     50   1,000
    C    2020  2,500,000  50,000     5     10     1,750,000     14,000     50   5,000
    A    2021  1,000,000  40,000    10     20       600,000     30,000    100   2,000
    B    2021    500,000  30,000    20     10       200,000     20,000     50   1,000
    C    2021  3,000,000  80,000     5      5     2,400,000     15,000     50   5,000

Derived indicators (2021 | 2020):
    leading-industry share = leading_rev / revenue:  A .6 | .5   B .4 | .5   C .8 | .7
    new-project intensity = np_invest / np_land:     A 300 | 200  B 400 | 200  C 300 | 280
    output per land = revenue / land:                A 500 | 400  B 500 | 500  C 600 | 500
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import QD_GK, square
from openpyxl.utils import get_column_letter

import landuse
from landuse.assessment import (
    INDICATORS,
    assess_zones,
    save_indicator_charts,
    tier_progress,
    write_assessment,
    zone_indicators,
    zone_stats_from_parcels,
)
from landuse.assessment import _report as _assessment_report
from landuse.assessment._rules import allocate_rewards
from landuse.cli import main
from landuse.errors import CRSError, LanduseWarning, PolicyError, SchemaError
from landuse.report import OutputError

COLUMNS = [
    "zone_id",
    "year",
    "revenue_wan",
    "tax_wan",
    "new_registered_firms",
    "investment_projects",
    "leading_industry_revenue_wan",
    "new_project_investment_wan",
    "new_project_land_mu",
    "land_area_mu",
]
W = 100 / 7  # points per indicator and part: seven equal weights (profile), part out of 100


def worked_stats() -> pd.DataFrame:
    rows = [
        ("A", 2020, 800_000, 30_000, 8, 10, 400_000, 20_000, 100, 2_000),
        ("B", 2020, 500_000, 35_000, 10, 10, 250_000, 10_000, 50, 1_000),
        ("C", 2020, 2_500_000, 50_000, 5, 10, 1_750_000, 14_000, 50, 5_000),
        ("A", 2021, 1_000_000, 40_000, 10, 20, 600_000, 30_000, 100, 2_000),
        ("B", 2021, 500_000, 30_000, 20, 10, 200_000, 20_000, 50, 1_000),
        ("C", 2021, 3_000_000, 80_000, 5, 5, 2_400_000, 15_000, 50, 5_000),
    ]
    return pd.DataFrame(rows, columns=COLUMNS).astype({c: "float64" for c in COLUMNS[2:]})


@pytest.fixture
def stats() -> pd.DataFrame:
    return worked_stats()


@pytest.fixture(scope="module")
def policy() -> landuse.Policy:
    return landuse.load_policy("qingdao-2019")


@pytest.fixture(scope="module")
def example() -> landuse.Policy:
    """qingdao-2019 with the example values (reward top 3, pool 12,000, alt basis "land")."""
    return landuse.load_policy("qingdao-2019-example")


def by_zone(result: pd.DataFrame) -> pd.DataFrame:
    """The result indexed by zone id, zones in alphabetical order (results come sorted by rank)."""
    return result.set_index("zone_id").sort_index()


# --- zone_indicators ---------------------------------------------------------------------------


def test_indicators_values_and_increments(stats):
    ind = by_zone(zone_indicators(stats, year=2021))
    assert list(ind.index) == ["A", "B", "C"]
    assert ind["revenue_wan"].tolist() == [1_000_000, 500_000, 3_000_000]
    # increments 2021 - 2020
    assert ind["revenue_wan_increment"].tolist() == [200_000, 0, 500_000]
    assert ind["tax_wan_increment"].tolist() == [10_000, -5_000, 30_000]
    assert ind["new_registered_firms_increment"].tolist() == [2, 10, 0]
    assert ind["investment_projects_increment"].tolist() == [10, 0, -5]
    assert ind["leading_industry_share"].tolist() == pytest.approx([0.6, 0.4, 0.8])
    assert ind["leading_industry_share_increment"].tolist() == pytest.approx([0.1, -0.1, 0.1])
    assert ind["new_project_investment_wan_per_mu"].tolist() == [300, 400, 300]
    assert ind["new_project_investment_wan_per_mu_increment"].tolist() == [100, 200, 20]
    assert ind["output_wan_per_mu"].tolist() == [500, 500, 600]
    assert ind["output_wan_per_mu_increment"].tolist() == [100, 0, 100]
    assert ind["increment_available"].all()
    assert ind["notes"].isna().all()
    units = zone_indicators(stats, year=2021).attrs["units"]
    assert units["new_project_investment_wan_per_mu"] == "万元/亩"
    assert units["new_registered_firms_increment"] == "家"


def test_indicator_labels_are_the_plans(policy):
    assert [i.label_zh for i in INDICATORS] == [
        "主营业务收入",
        "实缴税金",
        "新增纳统企业数",
        "年度招商引资数",
        "主导产业集聚度",
        "新建项目投资强度",
        "单位面积产出效益",
    ]
    assert dict(policy.assessment.indicators) == {i.key: i.label_zh for i in INDICATORS}


def test_zone_without_previous_year_has_no_increment_not_zero(stats):
    d = stats[stats["zone_id"] == "B"].assign(zone_id="D")
    d = d[d["year"] == 2021]
    ind = by_zone(zone_indicators(pd.concat([stats, d], ignore_index=True), year=2021))
    assert ind.loc["D", "revenue_wan"] == 500_000
    assert np.isnan(ind.loc["D", "revenue_wan_increment"])
    increments = [f"{i.column}_increment" for i in INDICATORS]
    assert ind.loc["D", increments].isna().all()
    assert not ind.loc["D", "increment_available"]
    assert ind.loc["D", "notes"] == "无2020年统计数据, 增量无法计算"


def test_missing_value_and_missing_column_are_stated(stats):
    stats.loc[(stats["zone_id"] == "A") & (stats["year"] == 2020), "tax_wan"] = np.nan
    ind = by_zone(zone_indicators(stats.drop(columns="new_project_land_mu"), year=2021, lang="en"))
    assert np.isnan(ind.loc["A", "tax_wan_increment"])
    assert ind.loc["A", "notes"] == (
        "Tax paid increment not computable (2020 value missing or zero denominator)"
    )
    assert ind["new_project_investment_wan_per_mu"].isna().all()
    attrs = zone_indicators(stats.drop(columns="new_project_land_mu"), year=2021).attrs
    assert attrs["not_evaluated"] == {"new_project_investment_intensity": ["new_project_land_mu"]}


def test_input_not_mutated(stats, policy):
    before = stats.copy()
    assess_zones(stats, year=2021, policy=policy, reward_pool_wan=10_000)
    pd.testing.assert_frame_equal(stats, before)


# --- the worked example ------------------------------------------------------------------------


def test_worked_example_every_score_by_hand(stats, policy):
    r = by_zone(assess_zones(stats, year=2021, policy=policy))
    # Stock benchmark = best zone in 2021; ratio = value / best, capped to [0, 1];
    # score = 100/7 × ratio (seven equal weights within the stock part).
    stock = {
        # revenue: best C 3,000,000 -> A 1e6/3e6 = 1/3, B 5e5/3e6 = 1/6, C 1
        "revenue": (1 / 3, 1 / 6, 1),
        # tax: best C 80,000 -> A 40,000/80,000 = 1/2, B 30,000/80,000 = 3/8, C 1
        "tax": (1 / 2, 3 / 8, 1),
        # new firms: best B 20 -> A 10/20 = 1/2, B 1, C 5/20 = 1/4
        "new_registered_firms": (1 / 2, 1, 1 / 4),
        # projects: best A 20 -> A 1, B 10/20 = 1/2, C 5/20 = 1/4
        "investment_projects": (1, 1 / 2, 1 / 4),
        # leading share: best C .8 -> A .6/.8 = 3/4, B .4/.8 = 1/2, C 1
        "leading_industry_share": (3 / 4, 1 / 2, 1),
        # new-project intensity: best B 400 -> A 300/400 = 3/4, B 1, C 300/400 = 3/4
        "new_project_investment_intensity": (3 / 4, 1, 3 / 4),
        # output per 亩: best C 600 -> A 500/600 = 5/6, B 5/6, C 1
        "output_per_land": (5 / 6, 5 / 6, 1),
    }
    # Increment benchmark = best increase; a fall is clipped to 0 (score_ratio_min).
    increment = {
        # +200,000 / +0 / +500,000, best C -> 2/5, 0, 1
        "revenue": (2 / 5, 0, 1),
        # +10,000 / -5,000 / +30,000, best C -> 1/3, 0 (fall), 1
        "tax": (1 / 3, 0, 1),
        # +2 / +10 / 0, best B -> 1/5, 1, 0
        "new_registered_firms": (1 / 5, 1, 0),
        # +10 / 0 / -5, best A -> 1, 0, 0 (fall)
        "investment_projects": (1, 0, 0),
        # +.1 / -.1 / +.1, best .1 (A and C) -> 1, 0 (fall), 1
        "leading_industry_share": (1, 0, 1),
        # +100 / +200 / +20, best B -> 1/2, 1, 1/10
        "new_project_investment_intensity": (1 / 2, 1, 1 / 10),
        # +100 / 0 / +100, best 100 (A and C) -> 1, 0, 1
        "output_per_land": (1, 0, 1),
    }
    for key, ratios in stock.items():
        assert r[f"{key}_stock_score"].tolist() == pytest.approx([W * x for x in ratios]), key
    for key, ratios in increment.items():
        assert r[f"{key}_increment_score"].tolist() == pytest.approx([W * x for x in ratios]), key
    # stock sums: A 1/3+1/2+1/2+1+3/4+3/4+5/6 = 14/3; B 1/6+3/8+1+1/2+1/2+1+5/6 = 35/8;
    # C 1+1+1/4+1/4+1+3/4+1 = 21/4 -> stock scores 100/7 × sum = 200/3, 62.5, 75
    assert r["stock_score"].tolist() == pytest.approx([200 / 3, 62.5, 75])
    # increment sums: A 2/5+1/3+1/5+1+1+1/2+1 = 133/30; B 0+0+1+0+0+1+0 = 2;
    # C 1+1+0+0+1+1/10+1 = 41/10 -> 100/7 × sum = 190/3, 200/7, 410/7
    assert r["increment_score"].tolist() == pytest.approx([190 / 3, 200 / 7, 410 / 7])
    # total = 0.4 stock + 0.6 increment:
    # A 0.4×200/3 + 0.6×190/3 = 80/3 + 114/3 = 194/3 = 64.67
    # B 0.4×62.5 + 0.6×200/7 = 25 + 120/7 = 295/7 = 42.14
    # C 0.4×75 + 0.6×410/7 = 30 + 246/7 = 456/7 = 65.14
    assert r["total_score"].tolist() == pytest.approx([194 / 3, 295 / 7, 456 / 7])
    assert r["rank"].tolist() == [2, 3, 1]
    # tiers (亿元 = 万元 / 10,000): A 100 亿 -> 百亿级 (bound reached), B 50 亿 -> none,
    # C 300 亿 -> 三百亿级
    assert r["revenue_yi"].tolist() == [100, 50, 300]
    assert r.loc["A", "tier"] == "百亿级"
    assert pd.isna(r.loc["B", "tier"])
    assert r.loc["C", "tier"] == "三百亿级"


def test_result_is_sorted_by_rank_and_records_policy(stats, policy):
    result = assess_zones(stats, year=2021, policy=policy)
    assert result["zone_id"].tolist() == ["C", "A", "B"]
    assert list(result.index) == [0, 1, 2]
    assert {"zone_id", "total_score", "rank", "tier"} <= set(result.columns)
    assert result.attrs["policy"] == "qingdao-2019"
    bench = {b["indicator"]: b for b in result.attrs["benchmarks"]}
    assert bench["revenue"]["stock_benchmark"] == 3_000_000
    assert bench["revenue"]["stock_basis"] == "最优 (C)"
    assert bench["new_project_investment_intensity"]["increment_benchmark"] == 200
    assert bench["tax"]["stock_weight"] == pytest.approx(1 / 7)


def test_worked_example_creation_conditions(stats, example):
    # the example profile sets zone_creation.alt_area_basis = "land"
    r = by_zone(assess_zones(stats, year=2021, policy=example))
    # A: intensity 300 ≥ 280; tax 40,000/2,000 = 20 ≥ 20 万元/亩 (bound); share .6 ≥ .5 -> meets
    # B: share .4 < .5 -> fails
    # C: intensity 300; tax 80,000/5,000 = 16 < 20, but the alternative holds: revenue
    #    3,000,000 万元 = 3e10 元 over 5,000 亩 = 3,333,333 m² -> 9,000 ≥ 4,500 元/m², tax
    #    8e8 元 / 3,333,333 m² = 240 ≥ 200 元/m² -> meets
    assert r["meets_creation_conditions"].tolist() == [True, False, True]
    assert r.loc["B", "creation_failures"] == "主导产业集聚度 40.0% < 50%"
    assert r["creation_failures"].isna().tolist() == [True, False, True]


def test_worked_example_elimination_warning(stats, example):
    # issue 22: no targets given and the rank / failed-years rules off by default -> nobody warned
    policy = example  # the alternative creation condition per m² of land (C meets it)
    result = assess_zones(stats, year=2021, policy=policy)
    r = by_zone(result)
    assert r["elimination_warning"].tolist() == [False, False, False]
    assert r["elimination_reason"].isna().all()
    assert r["meets_targets"].isna().all()
    assert result.attrs["elimination_rule"] == (
        "expected targets: not evaluated (no `targets=`); rank rule: off; failed-years rule: off"
    )
    assert result.attrs["not_evaluated"][0].startswith("elimination by expected targets")
    # the old example rules as options:
    # 2020: A intensity 200 < 280 fails; B 200 < 280 fails; C intensity 280 (bound) passes,
    # tax 50,000/5,000 = 10 < 20, alternative revenue 7,500 元/m² but tax 150 < 200 -> fails.
    # B is last (rank 3 of 3) and failed 2020 and 2021; A and C failed 2020 only.
    policy = policy.replace(
        {"assessment.elimination_bottom_count": 1, "assessment.elimination_failed_years": 2}
    )
    r = by_zone(assess_zones(stats, year=2021, policy=policy))
    assert r["elimination_warning"].tolist() == [False, True, False]
    assert (
        r.loc["B", "elimination_reason"] == "排名末1位 (第3/3名); 连续2年未达创建条件 (2020–2021)"
    )
    only_failures = policy.replace({"assessment.elimination_bottom_count": 0})
    r = by_zone(assess_zones(stats, year=2021, policy=only_failures, lang="en"))
    assert r.loc["B", "elimination_reason"] == (
        "creation conditions failed 2 years running (2020–2021)"
    )
    only_last = policy.replace({"assessment.elimination_failed_years": 0})
    r = by_zone(assess_zones(stats, year=2021, policy=only_last, lang="en"))
    assert r.loc["B", "elimination_reason"] == "in the last 1 place(s) (rank 3 of 3)"
    one_year = policy.replace(
        {"assessment.elimination_failed_years": 1, "assessment.elimination_bottom_count": 0}
    )
    r = by_zone(assess_zones(stats, year=2020, policy=one_year))
    # 2020 alone: all three failed; nothing earlier is needed
    assert r["elimination_warning"].tolist() == [True, True, True]


def test_elimination_by_expected_targets(stats, example):
    policy = example  # reward rule and the alternative creation condition (C meets it) set
    # A: revenue 1,000,000 < target 1,200,000 -> misses; B: tax 30,000 ≥ 25,000 and share
    # 0.4 ≥ 0.4 (bound) -> meets; C has no target row -> not evaluated
    targets = pd.DataFrame(
        {
            "zone_id": ["A", "B"],
            "revenue_wan": [1_200_000, np.nan],
            "tax_wan": [np.nan, 25_000],
            "leading_industry_share": [np.nan, 0.4],
        }
    )
    result = assess_zones(stats, year=2021, policy=policy, targets=targets, reward_pool_wan=9_000)
    r = by_zone(result)
    assert r["meets_targets"].tolist() == [False, True, pd.NA]
    assert r["elimination_warning"].tolist() == [True, False, False]
    assert r.loc["A", "target_failures"] == "主营业务收入 1,000,000 < 1,200,000"
    assert r.loc["A", "elimination_reason"] == "主营业务收入 1,000,000 < 1,200,000"
    assert result.attrs["elimination_rule"].startswith("expected targets = the per-zone")
    # rewards: A is warned, B fails the creation conditions -> C alone, 9,000 > cap 5,000
    assert r["reward_wan"].tolist() == [0, 0, 5_000]
    assert result.attrs["reward_unallocated_wan"] == 4_000
    assert result.attrs["reward_unallocated_reason"] == (
        "1 winner(s) capped at assessment.reward_wan_max = 5000 万元 each "
        "(1 × 5000 = 5000 < pool 9000)"
    )
    # a year column selects the rows of the assessed year: the 2020 target is ignored
    yearly = pd.DataFrame(
        {"zone_id": ["A", "A"], "year": [2020, 2021], "tax_wan": [50_000, 40_000]}
    )
    r = by_zone(assess_zones(stats, year=2021, policy=policy, targets=yearly, lang="en"))
    assert r["meets_targets"].tolist() == [True, pd.NA, pd.NA]  # 40,000 ≥ 40,000
    # the creation conditions as the targets: B fails them in 2021
    r = by_zone(assess_zones(stats, year=2021, policy=policy, targets="creation_conditions"))
    assert r["elimination_warning"].tolist() == [False, True, False]
    assert r.loc["B", "elimination_reason"] == "未达创建条件"


@pytest.mark.parametrize(
    "targets",
    [
        "last",
        pd.DataFrame({"zone_id": ["A"], "turnover": [1]}),
        pd.DataFrame({"zone_id": ["A"]}),
        pd.DataFrame({"zone_id": ["A", "A"], "tax_wan": [1, 2]}),
        [1, 2],
    ],
)
def test_bad_targets(stats, policy, targets):
    with pytest.raises(ValueError, match="`targets`"):
        assess_zones(stats, year=2021, policy=policy, targets=targets)


def test_two_zones_with_nobody_eligible_say_why_the_pool_is_unallocated(example):
    policy = example
    # B and its twin D: share 0.4 < 0.5 -> both fail the creation conditions; tied, both rank 1
    twin = worked_stats()
    twin = twin[twin["zone_id"] == "B"]
    two = pd.concat([twin, twin.assign(zone_id="D")], ignore_index=True)
    result = assess_zones(two, year=2021, policy=policy, reward_pool_wan=8_000)
    assert result["reward_wan"].tolist() == [0, 0]
    assert result.attrs["reward_unallocated_wan"] == 8_000
    assert result.attrs["reward_unallocated_reason"] == (
        "no eligible zone: 2 ranked, of which 0 meet the creation conditions and 0 of those "
        "have no elimination warning (not meeting the conditions: B, D; warned: -)"
    )
    assert "reward_top_count = 3 (confidence U)" in result.attrs["reward_rule"]
    none = assess_zones(two, year=2021, policy="qingdao-2019")  # no pool in the profile
    assert none.attrs["reward_unallocated_reason"] == (
        "no reward pool: pass reward_pool_wan= or set `assessment.reward_pool_wan`"
    )
    assert none.attrs["reward_pool_wan"] is None
    assert "reward allocation: no reward pool" in " ".join(none.attrs["not_evaluated"])


def test_write_assessment_notes_say_the_rules_and_the_unallocated_pool(example, tmp_path):
    policy = example
    twin = worked_stats()
    twin = twin[twin["zone_id"] == "B"]
    two = pd.concat([twin, twin.assign(zone_id="D")], ignore_index=True)
    result = assess_zones(two, year=2021, policy=policy, reward_pool_wan=8_000)
    path = write_assessment(result, tmp_path / "two.xlsx")
    book = openpyxl.load_workbook(path)
    notes = [str(row[1]) for row in book["说明"].iter_rows(max_col=2, values_only=True)]
    assert any(n.startswith("淘汰预警规则：expected targets: not evaluated") for n in notes)
    assert any(n.startswith("奖励分配规则：the assessment.reward_top_count = 3") for n in notes)
    assert any(
        n.startswith(
            "奖励资金池 8,000.00 万元，未分配 8,000.00 万元（原因：no eligible zone: 2 ranked"
        )
        for n in notes
    )
    assert any(n.startswith("未评价：elimination by expected targets") for n in notes)
    sheet = book["考核排名"]
    header = [c.value for c in sheet[1]]
    met = header.index("招商目标达成") + 1
    assert [sheet.cell(r, met).value for r in (2, 3)] == ["未评价", "未评价"]
    assert "世界500强及中国500强项目数（个）" in header


def test_attraction_targets(stats, policy):
    # 2021: A 1 Fortune 500 project (≥ 1, bound) and 5 projects over 1 亿元 (≥ 5, lower bound of
    # the plan's 5–10) -> met; B 0 < 1 -> not met; C count over 1 亿元 missing -> not evaluated
    counts = pd.DataFrame(
        {
            "zone_id": ["A", "B", "C"],
            "year": [2021, 2021, 2021],
            "fortune500_projects": [1.0, 0.0, 2.0],
            "projects_over_100m": [5.0, 10.0, np.nan],
        }
    )
    with_counts = stats.merge(counts, on=["zone_id", "year"], how="left")
    result = assess_zones(with_counts, year=2021, policy=policy)
    r = by_zone(result)
    assert r["fortune500_projects"].tolist() == [1, 0, 2]
    assert r["projects_over_100m"].tolist()[:2] == [5, 10]
    assert r["attraction_target_met"].tolist() == [True, False, pd.NA]
    assert not [t for t in result.attrs["not_evaluated"] if t.startswith("attraction")]
    four = policy.replace({"assessment.attraction_projects_over_100m_min": 6})
    r = by_zone(assess_zones(with_counts, year=2021, policy=four))
    assert r["attraction_target_met"].tolist() == [False, False, pd.NA]  # A 5 < 6
    r = assess_zones(stats, year=2021, policy=policy)
    assert r["attraction_target_met"].isna().all()
    assert "attraction target: zone_stats lacks `fortune500_projects`" in r.attrs["not_evaluated"]


def test_tier_progress_worked_example(stats, policy):
    # revenue A 1,000,000 万元 = 100 亿 -> 百亿级 (bound); B 50 亿 -> none; C 300 亿 -> 三百亿级.
    # at or above: 百亿 2, 三百亿 1, 五百亿 0, 千亿 0; targets 10/5/3/3 -> shortfall 8/4/3/3
    result = assess_zones(stats, year=2021, policy=policy)
    progress = tier_progress(result, policy=policy)
    assert progress["tier"].tolist() == ["百亿级", "三百亿级", "五百亿级", "千亿级"]
    assert progress["revenue_yi_min"].tolist() == [100, 300, 500, 1000]
    assert progress["zones"].tolist() == [1, 1, 0, 0]
    assert progress["zones_at_or_above"].tolist() == [2, 1, 0, 0]
    assert progress["target_count"].tolist() == [10, 5, 3, 3]
    assert progress["shortfall"].tolist() == [8, 4, 3, 3]
    assert not progress["target_met"].any()
    assert progress.attrs["target_year"] == 2021
    assert progress.attrs["confidence"] == "V"
    assert progress.attrs["year"] == 2021
    with pytest.raises(ValueError, match="tier_progress"):
        tier_progress(pd.DataFrame({"zone_id": ["A"]}), policy=policy)


def test_tier_progress_count_rule_is_a_profile_choice(stats, policy):
    # same zones: 百亿 1, 三百亿 1 of their own (A, C). in_tier: shortfall 10-1, 5-1, 3, 3
    result = assess_zones(stats, year=2021, policy=policy)
    banded = tier_progress(result, policy=policy.replace({"tiers.count_rule": "in_tier"}))
    assert banded["shortfall"].tolist() == [9, 4, 3, 3]
    assert banded.attrs["count_rule"] == "in_tier"
    assert "each tier alone" in banded.attrs["note"]
    # unset: both counts still given, no shortfall claimed, and the assessment says so
    unset = policy.replace({"tiers.count_rule": None})
    open_ = tier_progress(result, policy=unset)
    assert open_["zones_at_or_above"].tolist() == [2, 1, 0, 0]
    assert open_["shortfall"].isna().all() and open_["target_met"].isna().all()
    assert "tiers.count_rule" not in open_.attrs["policy_keys"]
    notes = assess_zones(stats, year=2021, policy=unset).attrs["not_evaluated"]
    assert any(n.startswith("tier targets: not evaluated: set `tiers.count_rule`") for n in notes)


def test_attraction_targets_on_the_sample():
    # the sample's 2021 counts (zone_stats.csv): QD05 and QD10 bring in no 500-强 project
    # (0 < 1), QD09 3 projects over 1 亿元 (< 5); every other zone has ≥ 1 and ≥ 5
    sample = landuse.load_sample()
    result = assess_zones(sample.zone_stats, year=2021, policy="qingdao-2019")
    missed = sorted(result.loc[~result["attraction_target_met"].astype(bool), "zone_id"])
    assert missed == ["QD05", "QD09", "QD10"]
    r = result.set_index("zone_id")
    assert r.loc["QD09", ["fortune500_projects", "projects_over_100m"]].tolist() == [2, 3]
    assert r.loc["QD13", ["fortune500_projects", "projects_over_100m"]].tolist() == [1, 5]
    assert r.loc["QD13", "attraction_target_met"]  # both exactly at the minimum
    assert not [t for t in result.attrs["not_evaluated"] if t.startswith("attraction")]


@pytest.mark.parametrize(
    ("pool", "a", "c", "unallocated"),
    [
        # eligible: C (65.14) and A (64.67); B has a warning and fails the conditions.
        # 9,000: C 9,000 × (456/7) / (456/7 + 194/3) = 9,000 × 1368/2726 = 4,516.51,
        #        A 9,000 × 1358/2726 = 4,483.49
        (9_000, 9_000 * 1358 / 2726, 9_000 * 1368 / 2726, 0.0),
        # 10,000: C 10,000 × 1368/2726 = 5,018.3 > 5,000 -> capped; the other 5,000 goes to A
        (10_000, 5_000, 5_000, 0.0),
        # 12,000: C capped at 5,000; A alone 7,000 > 5,000 -> capped; 2,000 left
        (12_000, 5_000, 5_000, 2_000.0),
    ],
)
def test_worked_example_rewards(stats, example, pool, a, c, unallocated):
    result = assess_zones(stats, year=2021, policy=example, reward_pool_wan=pool)
    r = by_zone(result)
    assert r["reward_wan"].tolist() == pytest.approx([a, 0, c])
    assert result.attrs["reward_unallocated_wan"] == pytest.approx(unallocated)


def test_reward_top_count_and_no_pool(stats, example):
    top1 = example.replace({"assessment.reward_top_count": 1})
    r = by_zone(assess_zones(stats, year=2021, policy=top1, reward_pool_wan=4_000))
    assert r["reward_wan"].tolist() == [0, 0, 4_000]  # only C, the best
    no_pool = example.replace({"assessment.reward_pool_wan": None})
    r = assess_zones(stats, year=2021, policy=no_pool)
    assert r["reward_wan"].isna().all()
    assert r.attrs["reward_pool_wan"] is None


def test_allocate_rewards_water_filling():
    # 60/30/10 of 10,000: 6,000 > 5,000 -> capped; 5,000 left split 30:10 -> 3,750 and 1,250
    assert allocate_rewards(np.array([60.0, 30.0, 10.0]), pool=10_000, cap=5_000).tolist() == [
        5_000,
        3_750,
        1_250,
    ]
    # every share capped: 3 × 100 of 1,000
    assert allocate_rewards(np.array([1.0, 2.0, 3.0]), pool=1_000, cap=100).tolist() == [100] * 3
    assert allocate_rewards(np.array([0.0, 0.0]), pool=100, cap=500).tolist() == [50, 50]


def test_ties_share_a_rank(stats, policy):
    twin = stats[stats["zone_id"] == "A"].assign(zone_id="A2")
    r = by_zone(assess_zones(pd.concat([stats, twin]), year=2021, policy=policy))
    assert r.loc["A", "total_score"] == r.loc["A2", "total_score"]
    assert r.loc["A", "rank"] == r.loc["A2", "rank"] == 2
    assert r.loc["B", "rank"] == 4


# --- benchmarks --------------------------------------------------------------------------------


def test_mean_benchmark(stats, policy):
    r = by_zone(assess_zones(stats, year=2021, policy=policy, benchmark="mean"))
    # revenue mean (1e6 + 5e5 + 3e6)/3 = 1.5e6: A 2/3, B 1/3, C 2 -> capped at 1
    assert r["revenue_stock_score"].tolist() == pytest.approx([W * 2 / 3, W / 3, W])


def test_mapping_benchmark(stats, policy):
    keys = [i.key for i in INDICATORS]
    benchmark = {
        "stock": {**dict.fromkeys(keys, "best"), "revenue": 2_000_000},
        "increment": dict.fromkeys(keys, "best"),
    }
    r = by_zone(assess_zones(stats, year=2021, policy=policy, benchmark=benchmark))
    # A 1e6/2e6 = 1/2, B 5e5/2e6 = 1/4, C 3e6/2e6 = 1.5 -> capped at 1
    assert r["revenue_stock_score"].tolist() == pytest.approx([W / 2, W / 4, W])
    assert r["tax_stock_score"].tolist() == pytest.approx([W / 2, W * 3 / 8, W])
    bench = {b["indicator"]: b for b in r.attrs["benchmarks"]}
    assert bench["revenue"]["stock_basis"] == "指定值"


def test_target_benchmark_needs_targets(stats, policy):
    with pytest.raises(PolicyError, match=r"no value for `assessment\.stock_targets`"):
        assess_zones(stats, year=2021, policy=policy, benchmark="target")
    targets = policy.replace(
        {
            "assessment.stock_targets": {
                "revenue": 2_000_000,
                "tax": 50_000,
                "new_registered_firms": 10,
                "investment_projects": 10,
                "leading_industry_share": 0.7,
                "new_project_investment_intensity": 280,
                "output_per_land": 500,
            },
            "assessment.increment_targets": {
                "revenue": 100_000,
                "tax": 10_000,
                "new_registered_firms": 5,
                "investment_projects": 5,
                "leading_industry_share": 0.05,
                "new_project_investment_intensity": 50,
                "output_per_land": 50,
            },
        }
    )
    r = by_zone(assess_zones(stats, year=2021, policy=targets, benchmark="target"))
    # tax: A 40,000/50,000 = .8, B 30,000/50,000 = .6, C 80,000/50,000 -> capped 1
    assert r["tax_stock_score"].tolist() == pytest.approx([W * 0.8, W * 0.6, W])
    # revenue increment: A 200,000/100,000 -> 1, B 0, C -> 1
    assert r["revenue_increment_score"].tolist() == pytest.approx([W, 0, W])


def test_bad_benchmarks(stats, policy):
    with pytest.raises(ValueError, match=r"`benchmark` must be one of best, mean, median, target"):
        assess_zones(stats, year=2021, policy=policy, benchmark="top")
    with pytest.raises(ValueError, match=r"benchmarks are incomplete or invalid: stock: no bench"):
        assess_zones(stats, year=2021, policy=policy, benchmark={"stock": {"revenue": 1.0}})
    with pytest.raises(ValueError, match=r"mapping keys must be 'stock' and 'increment'"):
        assess_zones(stats, year=2021, policy=policy, benchmark={"level": {}})


def test_benchmark_not_positive_scores_zero(stats, policy):
    # nobody attracted more projects than in 2020: increments 0, 0, -5 -> benchmark 0
    stats.loc[stats["year"] == 2021, "investment_projects"] = [10.0, 10.0, 5.0]
    r = assess_zones(stats, year=2021, policy=policy)
    assert r["investment_projects_increment_score"].tolist() == [0, 0, 0]


def test_weights_from_profile(stats, policy):
    only_revenue = policy.replace(
        {
            "assessment.stock_weights": {"revenue": 1},
            "assessment.increment_weights": {"revenue": 1},
        }
    )
    r = by_zone(assess_zones(stats, year=2021, policy=only_revenue))
    # stock A 100 × 1/3, increment A 100 × 2/5 -> total 0.4 × 33.33 + 0.6 × 40 = 37.33
    assert r.loc["A", "total_score"] == pytest.approx(0.4 * 100 / 3 + 0.6 * 40)
    assert r["tax_stock_score"].tolist() == [0, 0, 0]


# --- bad statistics ----------------------------------------------------------------------------


def test_zone_missing_previous_year_is_unranked_not_zero(stats, policy):
    d = stats[(stats["zone_id"] == "B") & (stats["year"] == 2021)].assign(zone_id="D")
    r = by_zone(assess_zones(pd.concat([stats, d]), year=2021, policy=policy))
    assert np.isnan(r.loc["D", "increment_score"])
    assert np.isnan(r.loc["D", "total_score"])
    assert pd.isna(r.loc["D", "rank"])
    assert r.loc["D", "stock_score"] == pytest.approx(62.5)  # same values as B
    assert r.loc["D", "notes"] == "无2020年统计数据, 增量无法计算"
    # the others are scored as before (D is not the best in anything)
    assert r.loc[["A", "B", "C"], "total_score"].tolist() == pytest.approx(
        [194 / 3, 295 / 7, 456 / 7]
    )
    r = by_zone(
        assess_zones(
            pd.concat([stats, d]), year=2021, policy=policy, missing_increment="stock_only"
        )
    )
    assert r.loc["D", "total_score"] == pytest.approx(62.5)
    assert r["rank"].to_dict() == {"C": 1, "A": 2, "D": 3, "B": 4}
    assert r.loc["D", "notes"] == "无2020年统计数据, 增量无法计算; 总分仅含存量得分"


def test_negative_revenue(stats, policy):
    stats.loc[4, "revenue_wan"] = -1.0
    with pytest.raises(SchemaError, match=r"`revenue_wan` is negative in 1 row\(s\) \(B/2021\)"):
        assess_zones(stats, year=2021, policy=policy)


def test_duplicate_rows(stats, policy):
    dup = pd.concat([stats, stats.iloc[[3]]], ignore_index=True)
    with pytest.raises(
        SchemaError, match=r"1 \(zone_id, year\) pair\(s\) occur more than once \(2 rows: A/2021"
    ):
        assess_zones(dup, year=2021, policy=policy)


def test_all_problems_reported_at_once(stats):
    bad = pd.concat([stats, stats.iloc[[3]]], ignore_index=True)
    bad.loc[0, "tax_wan"] = -5.0
    bad.loc[1, "leading_industry_revenue_wan"] = 600_000.0  # > revenue 500,000
    with pytest.raises(SchemaError, match=r"has 3 problem\(s\)") as err:
        zone_indicators(bad, year=2021)
    assert "`tax_wan` is negative in 1 row(s) (A/2020)" in str(err.value)
    assert "`leading_industry_revenue_wan` exceeds `revenue_wan` in 1 row(s) (B/2020)" in str(
        err.value
    )


def test_unknown_zone_ids(stats, policy):
    zones = pd.DataFrame({"zone_id": ["A", "B"]})
    with pytest.raises(SchemaError, match=r"1 zone id\(s\) are not in `zones`: C; correct"):
        assess_zones(stats, year=2021, policy=policy, zones=zones)


def test_zone_without_statistics_gets_a_flagged_row(stats, policy):
    zones = pd.DataFrame({"zone_id": ["A", "B", "C", "E"], "name": ["甲", "乙", "丙", "戊"]})
    result = assess_zones(stats, year=2021, policy=policy, zones=zones)
    assert result["name"].tolist() == ["丙", "甲", "乙", "戊"]  # by rank, unranked last
    r = by_zone(result)
    assert r.loc["E", "notes"] == "无2021年统计数据, 未考核"
    assert pd.isna(r.loc["E", "rank"])
    assert np.isnan(r.loc["E", "total_score"])


def test_text_values_and_missing_columns(stats, policy):
    text = stats.astype({"tax_wan": object})
    text.loc[0, "tax_wan"] = "三万"
    with pytest.raises(SchemaError, match=r"`tax_wan` holds non-numeric values in 1 row\(s\)"):
        zone_indicators(text, year=2021)
    with pytest.raises(SchemaError, match=r"has no column `zone_id`.*read_zone_stats"):
        zone_indicators(stats.drop(columns="zone_id"), year=2021)
    with pytest.raises(SchemaError, match=r"no statistics for `year`=2022; years present: 2020"):
        zone_indicators(stats, year=2022)
    with pytest.raises(TypeError, match=r"`year` must be a whole year"):
        zone_indicators(stats, year="2021")  # type: ignore[arg-type]


def test_blank_ids_and_bad_years(stats):
    bad = stats.astype({"year": object})
    bad.loc[0, "zone_id"] = " "
    bad.loc[1, "year"] = 2020.5
    with pytest.raises(SchemaError, match=r"has 2 problem\(s\)") as err:
        zone_indicators(bad, year=2021)
    assert "1 row(s) have no `zone_id` (index 0)" in str(err.value)
    assert "1 row(s) have no whole `year` (index 1, values 2020.5)" in str(err.value)


def test_missing_column_of_weighted_indicator(stats, policy):
    no_land = stats.drop(columns="new_project_land_mu")
    with pytest.raises(
        SchemaError, match=r"new_project_investment_intensity needs new_project_land_mu"
    ):
        assess_zones(no_land, year=2021, policy=policy)
    keys = [i.key for i in INDICATORS if i.key != "new_project_investment_intensity"]
    without = policy.replace(
        {
            "assessment.stock_weights": dict.fromkeys(keys, 1),
            "assessment.increment_weights": dict.fromkeys(keys, 1),
        }
    )
    r = by_zone(assess_zones(no_land, year=2021, policy=without))
    # the creation condition on new-project investment is not evaluated, never passed:
    # A meets the other two -> <NA>; B fails the share -> False
    assert pd.isna(r.loc["A", "meets_creation_conditions"])
    assert r.loc["A", "creation_failures"] == "新建项目投资强度未评价(缺 new_project_land_mu)"
    assert not r.loc["B", "meets_creation_conditions"]


def test_policy_without_assessment(stats):
    with pytest.raises(PolicyError, match=r"no value for `assessment\.stock_share`"):
        assess_zones(stats, year=2021, policy="national-2008")


def test_bad_options(stats, policy):
    with pytest.raises(ValueError, match=r"`missing_increment` must be \"unranked\""):
        assess_zones(stats, year=2021, policy=policy, missing_increment="zero")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`reward_pool_wan` must be a number ≥ 0"):
        assess_zones(stats, year=2021, policy=policy, reward_pool_wan=-1)
    with pytest.raises(ValueError, match=r'`lang` passed to assess_zones\(\) must be "zh" or "en"'):
        assess_zones(stats, year=2021, policy=policy, lang="fr")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'policy'"):
        assess_zones(stats, year=2021)  # type: ignore[call-arg]
    with pytest.raises(
        TypeError, match=r"`policy` passed to assess_zones\(\) must be .*received None"
    ):
        assess_zones(stats, year=2021, policy=None)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"`zone_stats` passed to assess_zones\(\) must be a DataFrame"
    ):
        assess_zones(stats.to_dict(), year=2021, policy=policy)  # type: ignore[arg-type]


def test_policy_as_name_path_or_policy_gives_the_same_assessment(stats, policy):
    """One contract (issue 16): a profile name, a TOML path (str or Path) and a Policy."""
    toml = Path(landuse.policy.__file__).parent / "profiles" / "qingdao-2019.toml"
    results = [
        assess_zones(stats, year=2021, policy=p, reward_pool_wan=10_000)
        for p in ("qingdao-2019", toml, str(toml), policy)
    ]
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0], other)
        assert other.attrs["policy"] == "qingdao-2019"
        assert other.attrs["benchmarks"] == results[0].attrs["benchmarks"]
    # a Path used to fall through to an AttributeError; a missing file is a PolicyError
    with pytest.raises(PolicyError, match=r"missing\.toml"):
        assess_zones(stats, year=2021, policy=toml.with_name("missing.toml"))


def test_errors_name_the_function_called(stats, policy, tmp_path):
    with pytest.raises(ValueError, match=r"`lang` passed to zone_indicators\(\)"):
        zone_indicators(stats, year=2021, lang="de")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"`zone_stats` passed to zone_indicators\(\)"):
        zone_indicators([1, 2], year=2021)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"`assessment` passed to write_assessment\(\)"):
        write_assessment([1], tmp_path / "x.xlsx")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`lang` passed to write_assessment\(\)"):
        write_assessment(stats, tmp_path / "x.xlsx", lang="de")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`lang` passed to save_indicator_charts\(\)"):
        save_indicator_charts(stats, tmp_path, lang="de")  # type: ignore[arg-type]


# --- the sample --------------------------------------------------------------------------------


def test_sample_creation_failures_match_its_readme():
    s = landuse.load_sample()
    r = by_zone(
        assess_zones(s.zone_stats, year=2021, zones=s.zones, policy="qingdao-2019", lang="en")
    )
    failed = r.index[r["meets_creation_conditions"].eq(False)].tolist()
    assert sorted(failed) == ["QD08", "QD12", "QD13", "QD14"]
    assert r.loc["QD12", "creation_failures"].startswith("leading-industry share 43.0% < 50%")
    assert r.loc["QD13", "creation_failures"].startswith("tax 14.0 < 20 万元/亩")
    assert r.loc["QD10", "revenue_yi"] == 86
    assert pd.isna(r.loc["QD10", "tier"])
    assert (r.loc[["QD01", "QD03", "QD04"], "tier"] == "千亿级").all()
    assert r["rank"].notna().all()
    assert r["rank"].max() == 14


# --- outputs -----------------------------------------------------------------------------------


def _header(sheet) -> dict[str, int]:
    """``{header: column number}`` of a sheet's first row."""
    return {c.value: c.column for c in sheet[1]}


def test_write_assessment_excel(stats, example, tmp_path):
    result = assess_zones(stats, year=2021, policy=example, reward_pool_wan=10_000)
    out = write_assessment(result, tmp_path / "ranking.xlsx")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["考核排名", "标杆值", "参数", "层级目标进度", "政策参数", "说明"]
    sheet = book["考核排名"]
    col = _header(sheet)
    assert list(col)[:4] == ["集聚区编号", "年度", "排名", "总分"]
    for header in (
        "层级（按主营业务收入，亿元）",
        "奖励资金（万元）",
        "主营业务收入（万元）",
        "新增纳统企业数（家）",
        "新建项目投资强度（万元/亩）",
        "主导产业集聚度",
        "主导产业集聚度存量得分",
    ):
        assert header in col
    # the revenue once, in 万元: no 亿元 column beside it
    assert not [h for h in col if "（亿元）" in h]
    assert len(col) == len(result.columns) - 1
    assert [sheet.cell(r, 1).value for r in (2, 3, 4)] == ["C", "A", "B"]
    total = [sheet.cell(r, col["总分"]) for r in (2, 3, 4)]
    assert [c.value for c in total] == pytest.approx([456 / 7, 194 / 3, 295 / 7])
    assert [c.number_format for c in total] == ["0.0"] * 3
    share = sheet.cell(2, col["主导产业集聚度"])  # C: 2 400 000 of 3 000 000
    assert (share.value, share.number_format) == (pytest.approx(0.8), "0.0%")
    revenue = sheet.cell(2, col["主营业务收入（万元）"])
    assert (revenue.value, revenue.number_format) == (3_000_000, "#,##0.00")
    assert sheet.cell(2, col["新增纳统企业数（家）"]).number_format == "#,##0"
    assert sheet.cell(2, col["排名"]).number_format == "0"
    reward = [sheet.cell(r, col["奖励资金（万元）"]).value for r in (2, 3, 4)]
    assert reward == pytest.approx([5_000, 5_000, 0])
    assert [sheet.cell(r, col["符合创建条件"]).value for r in (2, 3, 4)] == ["是", "是", "否"]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(col))}4"
    assert sheet.cell(1, 1).font.b
    bench = book["标杆值"]
    bcol = _header(bench)
    assert list(bcol)[:3] == ["指标代码", "指标", "单位"]
    assert [bench.cell(r, 2).value for r in (2, 3, 6)] == [
        "主营业务收入",
        "实缴税金",
        "主导产业集聚度",
    ]
    assert [bench.cell(r, 3).value for r in (2, 4, 6, 7)] == [
        "万元",
        "家",
        "比例（0–1）",
        "万元/亩",
    ]
    weight = bench.cell(2, bcol["存量权重"])
    assert (weight.value, weight.number_format) == (pytest.approx(1 / 7), "0.0%")
    params = {row[0]: row for row in book["参数"].iter_rows(min_row=2, values_only=True)}
    assert [c.value for c in book["参数"][1]] == ["参数", "取值", "单位", "可信度", "来源", "备注"]
    assert params["policy"][1] == "qingdao-2019-example"
    assert params["assessment.elimination_bottom_count"][1:4:2] == ("0", "I")  # off (issue 22)
    assert params["assessment.reward_top_count"][1:4:2] == ("3", "U")
    about = {row[0]: row[1] for row in book["说明"].iter_rows(max_col=2, values_only=True)}
    assert about["政策配置"].startswith("qingdao-2019-example")
    assert about["表格内容"] == "产业集聚区考核排名（2021年度）"
    assert about["基准日期"] == "2021年度"
    notes = [row[1] for row in book["说明"].iter_rows(max_col=2, values_only=True)]
    assert any("门槛以亿元计" in str(n) and "千亿级 ≥ 1000 亿元" in str(n) for n in notes)


def test_write_assessment_english_and_not_evaluated(stats, policy, tmp_path):
    result = assess_zones(stats, year=2021, policy=policy)
    result["meets_creation_conditions"] = pd.array([True, None, False], dtype="boolean")
    book = openpyxl.load_workbook(write_assessment(result, tmp_path / "en.xlsx", lang="en"))
    assert book.sheetnames == [
        "ranking",
        "benchmarks",
        "parameters",
        "tier_progress",
        "Policy parameters",
        "About",
    ]
    sheet = book["ranking"]
    col = _header(sheet)
    assert list(col)[:4] == ["Zone id", "Year", "Rank", "Total score"]
    assert "Main business revenue (10k CNY)" in col
    assert "Output per unit land, increment (10k CNY/mu)" in col
    meets = [sheet.cell(r, col["Meets creation conditions"]).value for r in (2, 3, 4)]
    assert meets == ["yes", "not evaluated", "no"]
    assert book["benchmarks"].cell(2, 2).value == "Main business revenue"
    about = {row[0]: row[1] for row in book["About"].iter_rows(max_col=2, values_only=True)}
    assert about["Policy profile"].startswith("qingdao-2019")
    zh = openpyxl.load_workbook(write_assessment(result, tmp_path / "zh.xlsx"))["考核排名"]
    assert [zh.cell(r, _header(zh)["符合创建条件"]).value for r in (2, 3, 4)] == [
        "是",
        "未评价",
        "否",
    ]


def test_write_assessment_csv_follows_the_extension(stats, policy, tmp_path):
    result = assess_zones(stats, year=2021, policy=policy)
    out = write_assessment(result, tmp_path / "ranking.csv")
    assert out == tmp_path / "ranking.csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ranking.csv",
        "ranking_benchmarks.csv",
        "ranking_parameters.csv",
        "ranking_tier_progress.csv",
    ]
    assert out.read_bytes()[:3] == b"\xef\xbb\xbf"  # UTF-8 with BOM
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert table.columns[:4].tolist() == ["集聚区编号", "年度", "排名", "总分"]
    assert table["集聚区编号"].tolist() == ["C", "A", "B"]
    assert table["总分"].tolist() == [65.14, 64.67, 42.14]  # rounded to the score's 2 decimals
    assert table["主导产业集聚度（%）"].tolist() == [80.0, 60.0, 40.0]
    assert not [h for h in table.columns if "（亿元）" in h or h == "revenue_yi"]
    bench = pd.read_csv(tmp_path / "ranking_benchmarks.csv", encoding="utf-8-sig")
    assert bench["指标"].tolist()[:2] == ["主营业务收入", "实缴税金"]


@pytest.mark.parametrize("name", ["ranking.txt", "ranking.gpkg", "ranking"])
def test_write_assessment_refuses_other_types_before_writing(stats, policy, tmp_path, name):
    result = assess_zones(stats, year=2021, policy=policy)
    with pytest.raises(
        OutputError, match=r"write_assessment: cannot write .*give a file ending in .xlsx or .csv"
    ):
        write_assessment(result, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_write_assessment_rejects_other_frames(tmp_path):
    with pytest.raises(SchemaError, match=r"no `zone_id` column; pass the result of"):
        write_assessment(pd.DataFrame({"x": [1]}), tmp_path / "x.xlsx")


def test_indicator_charts(stats, policy, tmp_path):
    result = assess_zones(stats, year=2021, policy=policy)
    paths = save_indicator_charts(result, tmp_path / "charts")
    assert [p.name for p in paths] == [f"{i.key}.png" for i in INDICATORS]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(save_indicator_charts(zone_indicators(stats, year=2021), tmp_path, lang="en")) == 7


def test_indicator_charts_without_matplotlib(stats, policy, tmp_path, monkeypatch):
    result = assess_zones(stats, year=2021, policy=policy)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'pip install "landuse\[report\]"'):
        save_indicator_charts(result, tmp_path)


def test_indicator_charts_without_chinese_font(stats, policy, tmp_path, monkeypatch):
    monkeypatch.setattr(_assessment_report, "_CJK_FONTS", ("No Such Font",))
    monkeypatch.setattr(_assessment_report, "_CJK_FILES", ("no-such-file",))
    result = assess_zones(stats, year=2021, policy=policy)
    with pytest.warns(LanduseWarning, match=r"no Chinese font found"):
        paths = save_indicator_charts(result, tmp_path)
    assert len(paths) == 7


# --- zone statistics from parcels --------------------------------------------------------------


@pytest.fixture
def zone_layers() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    x0, y0 = QD_GK
    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z1", "Z2", "Z3"], "leading_industry_codes": ["36;38", "39", None]},
        geometry=[square(x0, y0, 1000), square(x0 + 2000, y0, 1000), square(x0 + 4000, y0, 500)],
        crs="EPSG:4549",
    )
    # 100 m squares = 15 亩 each
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["p1", "p2", "p3", "p4", "p5"],
            "land_use": ["industrial", "industrial", "commercial", "industrial", "industrial"],
            "industry_code": ["36", "39", None, "39", "36"],
            "land_area_m2": [12_000.0, np.nan, np.nan, np.nan, np.nan],
            "revenue_wan": [5_000.0, 3_000.0, 9_000.0, 4_000.0, 7_000.0],
            "tax_wan": [300.0, 200.0, 800.0, np.nan, 100.0],
        },
        geometry=[
            square(x0 + 100, y0 + 100),  # Z1
            square(x0 + 300, y0 + 100),  # Z1
            square(x0 + 500, y0 + 100),  # Z1, commercial
            square(x0 + 2100, y0 + 100),  # Z2
            square(x0 - 500, y0 - 500),  # outside every zone
        ],
        crs="EPSG:4549",
    )
    return zones, parcels


def test_zone_stats_from_parcels(zone_layers):
    zones, parcels = zone_layers
    out = zone_stats_from_parcels(parcels, zones=zones, year=2021).set_index("zone_id")
    # Z1: p1 + p2 (p3 is commercial): revenue 5,000 + 3,000; tax 300 + 200;
    #     land 12,000 m² (contract) = 18 亩 + 10,000 m² (geometry) = 15 亩 -> 33 亩;
    #     leading (36;38): p1 only -> 5,000
    assert out.loc["Z1", ["revenue_wan", "tax_wan", "land_area_mu", "parcels"]].tolist() == [
        8_000,
        500,
        pytest.approx(33),
        2,
    ]
    assert out.loc["Z1", "leading_industry_revenue_wan"] == 5_000
    # Z2: p4 alone, tax unknown -> missing (not 0) and said
    assert out.loc["Z2", "revenue_wan"] == 4_000
    assert np.isnan(out.loc["Z2", "tax_wan"])
    assert out.loc["Z2", "leading_industry_revenue_wan"] == 4_000
    assert out.loc["Z2", "notes"] == "tax_wan缺失: 1/1宗地"
    en = zone_stats_from_parcels(parcels, zones=zones, year=2021, lang="en").set_index("zone_id")
    assert en.loc["Z2", "notes"] == "tax_wan missing on 1 of 1 parcels"
    # Z3: no parcels
    assert out.loc["Z3", ["revenue_wan", "tax_wan", "land_area_mu", "parcels"]].tolist() == [
        0,
        0,
        0,
        0,
    ]
    assert (out["year"] == 2021).all()
    every = zone_stats_from_parcels(parcels, zones=zones, year=2021, land_uses=None)
    assert every.set_index("zone_id").loc["Z1", "revenue_wan"] == 17_000
    # output per 亩 from these: Z1 8,000 / 33 亩
    ind = by_zone(zone_indicators(out.reset_index(), year=2021))
    assert ind.loc["Z1", "output_wan_per_mu"] == pytest.approx(8_000 / 33)


def test_zone_stats_from_parcels_with_zone_id_and_errors(zone_layers):
    zones, parcels = zone_layers
    given = parcels.assign(zone_id=["Z2", "Z2", None, "Z2", None])
    out = zone_stats_from_parcels(given, zones=zones, year=2021).set_index("zone_id")
    assert out.loc["Z2", "revenue_wan"] == 12_000  # the given ids win over geometry
    with pytest.raises(SchemaError, match=r"1 parcel `zone_id` value\(s\) are not in `zones`: Z9"):
        zone_stats_from_parcels(parcels.assign(zone_id="Z9"), zones=zones, year=2021)
    with pytest.raises(SchemaError, match=r"has no `land_use` column.*land_uses=None"):
        zone_stats_from_parcels(parcels.drop(columns="land_use"), zones=zones, year=2021)
    with pytest.raises(CRSError, match=r"geographic"):
        zone_stats_from_parcels(parcels.to_crs(4326), zones=zones.to_crs(4326), year=2021)
    partial = zone_stats_from_parcels(parcels.drop(columns="tax_wan"), zones=zones, year=2021)
    assert partial["tax_wan"].isna().all()
    assert partial.attrs["not_evaluated"] == {"tax_wan": ["tax_wan"]}


# --- command line ------------------------------------------------------------------------------


def test_cli_assess(stats, tmp_path):
    csv = tmp_path / "stats.csv"
    stats.to_csv(csv, index=False)
    out = tmp_path / "ranking.xlsx"
    result = CliRunner().invoke(
        main,
        [
            "assess",
            str(csv),
            "--year",
            "2021",
            "-o",
            str(out),
            "--charts",
            str(tmp_path / "charts"),
            "--reward-pool",
            "10000",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2021 zone assessment (qingdao-2019), 3 zones:"
    assert lines[1].split() == ["1", "C", "65.1", "三百亿级"]
    assert lines[3].split()[:3] == ["3", "B", "42.1"]
    assert "elimination warning" not in lines[3]  # off by default (issue 22)
    assert pd.read_excel(out)["集聚区编号"].tolist() == ["C", "A", "B"]
    assert len(list((tmp_path / "charts").glob("*.png"))) == 7
    bad = CliRunner().invoke(main, ["assess", str(csv), "--year", "2030", "-o", str(out)])
    assert bad.exit_code == 2
    assert "no statistics for `year`=2030" in bad.output


def test_cli_assess_targets(stats, tmp_path):
    """--targets: a table with the ranking's own headers; A misses its revenue target."""
    csv = tmp_path / "stats.csv"
    stats.to_csv(csv, index=False)
    targets = tmp_path / "targets.csv"
    pd.DataFrame({"集聚区编号": ["A"], "主营业务收入（万元）": [1e12]}).to_csv(
        targets, index=False, encoding="utf-8-sig"
    )
    out = tmp_path / "ranking.xlsx"
    args = ["assess", str(csv), "--year", "2021", "-o", str(out)]
    result = CliRunner().invoke(main, [*args, "--targets", str(targets)])
    assert result.exit_code == 0, result.output
    flagged = [line.split()[1] for line in result.output.splitlines() if "elimination" in line]
    assert flagged == ["A"]
    ranking = pd.read_excel(out, sheet_name="考核排名")
    assert ranking.set_index("集聚区编号").loc["A", "达到预期目标"] == "否"
    missing = CliRunner().invoke(main, [*args, "--targets", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
    assert "--targets" in missing.output
    assert "creation_conditions" in missing.output
    # text in a target column is refused with the values shown
    pd.DataFrame({"zone_id": ["A"], "revenue_wan": ["很多"]}).to_csv(targets, index=False)
    text = CliRunner().invoke(main, [*args, "--targets", str(targets)])
    assert text.exit_code == 2
    assert "column `revenue_wan` holds 1 value(s) that are not numbers ('很多')" in text.output
    # a target in 亿元 for a figure compared in 万元 is refused, not converted silently
    pd.DataFrame({"zone_id": ["A"], "主营业务收入（亿元）": [1.0]}).to_csv(targets, index=False)
    wrong = CliRunner().invoke(main, [*args, "--targets", str(targets)])
    assert wrong.exit_code == 2
    assert "is in '亿元', but the targets of `revenue_wan` are compared in '万元'" in wrong.output
