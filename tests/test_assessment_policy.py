"""Zone assessment and issue 22: rules whose policy value is unset are not evaluated, and say so.

Hand-checked cases (money in 万元, land in 亩; 10,000 m² = 15 亩):

- the reward pool with ``assessment.reward_top_count`` unset (qingdao-2019) is not allocated,
  every 万元 reported unallocated with the reason; the example profile allocates it;
- the alternative creation condition (revenue ≥ 4500 元/m² and tax ≥ 200 元/m²) per m² of land,
  per m² of floor area, and unset (condition 2 is then tax ≥ 20 万元/亩 alone);
- the tier-progress sheet of the workbook;
- the policy keys each analysis records.
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

import landuse
from landuse.assessment import assess_zones, tier_progress, write_assessment

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


def worked_stats() -> pd.DataFrame:
    """The three zones A, B, C of tests/test_assessment.py (totals C 65.14, A 64.67, B 42.14)."""
    rows = [
        ("A", 2020, 800_000, 30_000, 8, 10, 400_000, 20_000, 100, 2_000),
        ("B", 2020, 500_000, 35_000, 10, 10, 250_000, 10_000, 50, 1_000),
        ("C", 2020, 2_500_000, 50_000, 5, 10, 1_750_000, 14_000, 50, 5_000),
        ("A", 2021, 1_000_000, 40_000, 10, 20, 600_000, 30_000, 100, 2_000),
        ("B", 2021, 500_000, 30_000, 20, 10, 200_000, 20_000, 50, 1_000),
        ("C", 2021, 3_000_000, 80_000, 5, 5, 2_400_000, 15_000, 50, 5_000),
    ]
    return pd.DataFrame(rows, columns=COLUMNS).astype({c: "float64" for c in COLUMNS[2:]})


def one_zone(revenue: float, tax: float, floor_area_m2: float | None = None) -> pd.DataFrame:
    """Zone Z on 15 亩 = 10,000 m² in 2020 and 2021 (same figures both years).

    Leading-industry share 0.6 ≥ 0.5 and new-project investment 300 ≥ 280 万元/亩 pass, so
    condition 2 (tax per 亩, or the alternative) decides.
    """
    row = {
        "zone_id": "Z",
        "revenue_wan": revenue,
        "tax_wan": tax,
        "new_registered_firms": 1.0,
        "investment_projects": 1.0,
        "leading_industry_revenue_wan": 0.6 * revenue,
        "new_project_investment_wan": 3_000.0,
        "new_project_land_mu": 10.0,
        "land_area_mu": 15.0,
    }
    if floor_area_m2 is not None:
        row["floor_area_m2"] = floor_area_m2
    return pd.DataFrame([{**row, "year": 2020}, {**row, "year": 2021}])


@pytest.fixture(scope="module")
def example() -> landuse.Policy:
    return landuse.load_policy("qingdao-2019-example")


# --- rewards -----------------------------------------------------------------------------------


def test_pool_with_reward_top_count_unset_is_reported_unallocated(tmp_path):
    # qingdao-2019 leaves assessment.reward_top_count unset: the 8,000 万元 are not allocated
    result = assess_zones(worked_stats(), year=2021, policy="qingdao-2019", reward_pool_wan=8_000)
    assert result["reward_wan"].isna().all()
    assert result.attrs["reward_pool_wan"] == 8_000
    assert result.attrs["reward_pool_source"] == "reward_pool_wan= argument"
    assert result.attrs["reward_unallocated_wan"] == 8_000
    reason = "not evaluated: set `assessment.reward_top_count`"
    assert result.attrs["reward_unallocated_reason"] == reason
    assert f"reward allocation: {reason}" in result.attrs["not_evaluated"]
    assert result.attrs["reward_rule"].startswith(reason)
    assert "assessment.reward_top_count" not in result.attrs["policy_keys"]
    assert "assessment.reward_wan_max" not in result.attrs["policy_keys"]
    book = openpyxl.load_workbook(write_assessment(result, tmp_path / "r.xlsx"))
    notes = [str(r[1]) for r in book["说明"].iter_rows(max_col=2, values_only=True)]
    assert f"奖励资金池 8,000.00 万元，未分配 8,000.00 万元（原因：{reason}）。" in notes
    assert f"未评价：reward allocation: {reason}" in notes
    params = {r[0]: r[1] for r in book["政策参数"].iter_rows(min_row=2, values_only=True)}
    assert params["assessment.reward_top_count"] == "未评价：请设置 `assessment.reward_top_count`"
    assert params["assessment.stock_share"] == "0.4"


def test_no_pool_anywhere_is_said():
    result = assess_zones(worked_stats(), year=2021, policy="qingdao-2019")
    assert result.attrs["reward_pool_wan"] is None
    assert result.attrs["reward_unallocated_wan"] is None
    assert result["reward_wan"].isna().all()
    assert (
        "reward allocation: no reward pool: pass reward_pool_wan= or set "
        "`assessment.reward_pool_wan`" in result.attrs["not_evaluated"]
    )
    assert "assessment.reward_pool_wan" not in result.attrs["policy_keys"]


def test_example_profile_pool_top_3_and_cap(example):
    # qingdao-2019-example: top 3, pool 12,000 万元 from the profile, cap 5,000 each.
    # Eligible: C (65.14) and A (64.67); B fails the creation conditions (share .4 < .5).
    # C 12,000 × 1368/2726 = 6,022 > 5,000 -> capped; A alone 7,000 > 5,000 -> capped;
    # 12,000 − 10,000 = 2,000 unallocated (both winners capped).
    result = assess_zones(worked_stats(), year=2021, policy=example)
    r = result.set_index("zone_id").sort_index()
    assert r["reward_wan"].tolist() == [5_000, 0, 5_000]
    assert result.attrs["reward_pool_wan"] == 12_000
    assert result.attrs["reward_pool_source"] == "assessment.reward_pool_wan"
    assert result.attrs["reward_unallocated_wan"] == 2_000
    assert result.attrs["reward_unallocated_reason"] == (
        "2 winner(s) capped at assessment.reward_wan_max = 5000 万元 each "
        "(2 × 5000 = 10000 < pool 12000)"
    )
    keys = result.attrs["policy_keys"]
    for key in ("assessment.reward_top_count", "assessment.reward_pool_wan",
                "assessment.reward_wan_max"):  # fmt: skip
        assert key in keys
    # the argument overrides the profile's pool: 9,000 -> A 9,000 × 1358/2726, C × 1368/2726
    r = assess_zones(worked_stats(), year=2021, policy=example, reward_pool_wan=9_000)
    r = r.set_index("zone_id").sort_index()
    assert r["reward_wan"].tolist() == pytest.approx([9_000 * 1358 / 2726, 0, 9_000 * 1368 / 2726])


# --- the alternative creation condition ------------------------------------------------------


def test_alternative_per_m2_of_land(example):
    # basis "land": 15 亩 = 10,000 m². Revenue 4,500 万元 = 4.5e7 元 / 10,000 m² = 4,500 元/m²
    # (bound), tax 200 万元 = 2e6 元 / 10,000 m² = 200 元/m² (bound); tax per 亩 200/15 = 13.3
    # < 20, so condition 2 holds by the alternative alone.
    result = assess_zones(one_zone(4_500, 200), year=2021, policy=example, lang="en")
    assert result["meets_creation_conditions"].tolist() == [True]
    assert result.attrs["creation_alt_basis"] == (
        "land: per m² of the zone's land (zone_stats `land_area_mu` × 666.67 m²/亩)"
    )
    assert "zone_creation.alt_area_basis" in result.attrs["policy_keys"]
    assert "zone_creation.alt_revenue_yuan_per_m2_min" in result.attrs["policy_keys"]
    # 4,499 万元 -> 4,499 元/m² < 4,500: the alternative fails, and so condition 2
    result = assess_zones(one_zone(4_499, 200), year=2021, policy=example, lang="en")
    assert result["meets_creation_conditions"].tolist() == [False]
    assert result.loc[0, "creation_failures"] == (
        "tax 13.3 < 20 万元/亩 and not the alternative (per m² of land: revenue 4499 元/m², "
        "tax 200 元/m²; needs ≥ 4500 and ≥ 200)"
    )


def test_alternative_per_m2_of_floor_area(example):
    # basis "floor": 5,000 m² of floor area on 15 亩. Revenue 2,250 万元 = 2.25e7 元 / 5,000 m²
    # = 4,500 元/m²; tax 100 万元 = 1e6 元 / 5,000 = 200 元/m² -> the alternative holds
    # (tax per 亩 100/15 = 6.7 < 20). Per m² of land the same zone has 2,250 元/m² < 4,500.
    floor = example.replace({"zone_creation.alt_area_basis": "floor"})
    stats = one_zone(2_250, 100, floor_area_m2=5_000)
    result = assess_zones(stats, year=2021, policy=floor, lang="en")
    assert result["meets_creation_conditions"].tolist() == [True]
    assert result.attrs["creation_alt_basis"] == (
        "floor: per m² of the zone's floor area (zone_stats `floor_area_m2`, m²)"
    )
    on_land = assess_zones(stats, year=2021, policy=example, lang="en")
    assert on_land["meets_creation_conditions"].tolist() == [False]
    # 5,001 m² of floor area: 2.25e7 元 / 5,001 m² = 4,499.1 元/m² < 4,500 -> fails
    short = assess_zones(one_zone(2_250, 100, floor_area_m2=5_001), year=2021, policy=floor)
    assert short["meets_creation_conditions"].tolist() == [False]
    assert "按建筑面积" in short.loc[0, "creation_failures"]
    # no floor area in the statistics: not evaluated, naming the column; tax alone decides
    result = assess_zones(one_zone(2_250, 100), year=2021, policy=floor, lang="en")
    assert result["meets_creation_conditions"].tolist() == [False]
    assert result.loc[0, "creation_failures"] == (
        "tax 6.7 < 20 万元/亩 (alternative not evaluated: zone_stats lacks `floor_area_m2`)"
    )
    assert any(
        t.endswith(
            "not evaluated: zone_stats lacks `floor_area_m2`; condition 2 judged on tax "
            "≥ 20 万元/亩 alone"
        )
        for t in result.attrs["not_evaluated"]
    )


def test_alternative_unset_is_not_evaluated_and_tax_alone_decides():
    # qingdao-2019 leaves zone_creation.alt_area_basis unset: the zone of
    # test_alternative_per_m2_of_land (tax 13.3 < 20 万元/亩) fails condition 2
    result = assess_zones(one_zone(4_500, 200), year=2021, policy="qingdao-2019", lang="en")
    assert result["meets_creation_conditions"].tolist() == [False]
    why = 'set `zone_creation.alt_area_basis` ("land" or "floor")'
    assert result.loc[0, "creation_failures"] == (
        f"tax 13.3 < 20 万元/亩 (alternative not evaluated: {why})"
    )
    assert result.attrs["creation_alt_basis"] == f"not set: {why}"
    assert (
        "creation condition 2, alternative (revenue ≥ zone_creation.alt_revenue_yuan_per_m2_min "
        "and tax ≥ zone_creation.alt_tax_yuan_per_m2_min per m²): not evaluated: "
        f"{why}; condition 2 judged on tax ≥ 20 万元/亩 alone" in result.attrs["not_evaluated"]
    )
    keys = result.attrs["policy_keys"]
    assert "zone_creation.tax_wan_per_mu_min" in keys
    assert "zone_creation.alt_area_basis" not in keys
    assert "zone_creation.alt_revenue_yuan_per_m2_min" not in keys
    # the worked example's C (tax 16 < 20 万元/亩) met the conditions only by the alternative
    r = assess_zones(worked_stats(), year=2021, policy="qingdao-2019")
    r = r.set_index("zone_id").sort_index()
    assert r["meets_creation_conditions"].tolist() == [True, False, False]  # A, B, C
    assert r.loc["C", "creation_failures"].startswith("亩均税收 16.0 < 20 万元/亩 (替代条件未评价")


# --- tier progress in the workbook ------------------------------------------------------------


def test_tier_progress_sheet_reads_back(tmp_path):
    # revenue A 100 亿 -> 百亿级, B 50 亿 -> none, C 300 亿 -> 三百亿级:
    # at the tier 1/1/0/0, at or above 2/1/0/0, targets 10/5/3/3 -> shortfall 8/4/3/3
    result = assess_zones(worked_stats(), year=2021, policy="qingdao-2019")
    book = openpyxl.load_workbook(write_assessment(result, tmp_path / "t.xlsx"))
    rows = list(book["层级目标进度"].iter_rows(values_only=True))
    assert list(rows[0]) == [
        "层级（按主营业务收入，亿元）",
        "层级收入门槛（亿元）",
        "该层级集聚区数",
        "达到该层级及以上的集聚区数",
        "目标数量",
        "差距",
        "达到目标",
    ]
    assert [list(r) for r in rows[1:]] == [
        ["百亿级", 100, 1, 2, 10, 8, "否"],
        ["三百亿级", 300, 1, 1, 5, 4, "否"],
        ["五百亿级", 500, 0, 0, 3, 3, "否"],
        ["千亿级", 1000, 0, 0, 3, 3, "否"],
    ]
    notes = [str(r[1]) for r in book["说明"].iter_rows(max_col=2, values_only=True)]
    assert any(n.startswith("层级目标进度：各层级集聚区数与 2021 年目标数量比较") for n in notes)
    en = openpyxl.load_workbook(write_assessment(result, tmp_path / "t_en.xlsx", lang="en"))
    header = [c.value for c in en["tier_progress"][1]]
    assert header[:3] == ["Tier (by revenue, 100M CNY)", "Tier revenue threshold (100M CNY)",
                          "Zones at the tier"]  # fmt: skip


# --- policy keys ------------------------------------------------------------------------------


def test_assess_zones_records_the_keys_it_applied():
    result = assess_zones(worked_stats(), year=2021, policy="qingdao-2019", reward_pool_wan=8_000)
    keys = result.attrs["policy_keys"]
    assert keys == tuple(sorted(keys))
    for key in ("assessment.stock_share", "assessment.increment_weights", "tiers.levels",
                "zone_creation.leading_industry_share_min"):  # fmt: skip
        assert key in keys
    assert "assessment.reward_top_count" not in keys
    progress = tier_progress(result, policy="qingdao-2019")
    assert progress.attrs["policy_keys"] == ("tiers.count_rule", "tiers.levels", "tiers.target_year")


def test_unset_keys_recorded_are_none():
    """No unset (user-input) key is ever recorded as applied by assess_zones."""
    policy = landuse.load_policy("qingdao-2019")
    result = assess_zones(worked_stats(), year=2021, policy=policy, reward_pool_wan=1.0)
    unset = [k for k in result.attrs["policy_keys"] if policy.provenance(k).value is None]
    assert unset == []
    assert not np.isnan(result["total_score"]).any()


def test_floor_area_read_from_a_bureau_table(tmp_path, example):
    """read_zone_stats reads 建筑面积 (m², or 万m² converted) so the floor basis works from files."""
    stats = one_zone(2_250, 100, floor_area_m2=5_000)
    headers = {
        "zone_id": "集聚区编号", "year": "年份", "revenue_wan": "主营业务收入(万元)",
        "tax_wan": "实缴税金(万元)", "new_registered_firms": "新增纳统企业数",
        "investment_projects": "招商项目数", "leading_industry_revenue_wan": "主导产业营业收入(万元)",
        "new_project_investment_wan": "新建项目投资(万元)", "new_project_land_mu": "新建项目用地(亩)",
        "land_area_mu": "用地面积(亩)", "floor_area_m2": "建筑面积(万m²)",
    }  # fmt: skip
    table = stats.assign(floor_area_m2=stats["floor_area_m2"] / 1e4).rename(columns=headers)
    path = tmp_path / "zone_stats.csv"
    table.to_csv(path, index=False, encoding="utf-8-sig")
    read = landuse.read_zone_stats(path)
    assert read["floor_area_m2"].tolist() == [5_000.0, 5_000.0]
    floor = example.replace({"zone_creation.alt_area_basis": "floor"})
    result = assess_zones(read, year=2021, policy=floor)
    assert result["meets_creation_conditions"].tolist() == [True]
