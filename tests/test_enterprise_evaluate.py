"""evaluate_enterprises, enterprise_history, write_enterprises (issue 19), worked by hand.

Every figure below is computed in the comments: land in 亩 (1 亩 = 10000/15 m²), tax per 亩,
the benchmark (the mean of the group), points = value ÷ benchmark × weight, rank share and the
class cuts of national-2008 (A ≤ 25 %, B ≤ 70 %, C ≤ 95 %, D the rest).
"""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest

from landuse import load_policy
from landuse.enterprise import enterprise_history, evaluate_enterprises, write_enterprises
from landuse.errors import LanduseWarning, SchemaError
from landuse.policy import Policy

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def code(i: int) -> str:
    """A valid unified social credit code (GB 32100-2015 check character) numbered ``i``."""
    body = f"91370200000000{i:03d}"
    total = sum(_ALPHABET.index(ch) * w for ch, w in zip(body, _WEIGHTS, strict=True))
    return body + _ALPHABET[(31 - total % 31) % 31]


A, B, H, T1, T2, OW, S, E = (code(i) for i in range(10, 18))


def tax_only(profile: str = "qingdao-2019", **more: object) -> Policy:
    """The profile with 规上 firms weighted by tax per 亩 alone (100 points)."""
    return load_policy(profile).replace({"mujun.weights_above_scale": {"tax_per_mu": 100}, **more})


def firms(rows: dict[str, dict[str, object]], year: int = 2023) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index").rename_axis("credit_code")
    frame["year"] = year
    if "above_scale" not in frame.columns:
        frame["above_scale"] = True
    return frame.reset_index()


# --- an enterprise with two parcels -------------------------------------------------------------


def test_an_enterprise_with_two_parcels_in_two_zones_is_one_row_on_its_whole_land() -> None:
    parcels = pd.DataFrame(
        {
            "parcel_id": ["P1", "P2", "P3"],
            "owner_code": [A, A, B],
            "land_area_m2": [6_000.0, 4_000.0, 10_000.0],  # A: 9 + 6 = 15 亩; B: 15 亩
            "zone_id": ["Z1", "Z2", "Z1"],
        }
    )
    # tax per 亩: A 600/15 = 40, B 300/15 = 20; benchmark the mean 30
    data = firms({A: {"name": "甲", "tax_wan": 600.0}, B: {"name": "乙", "tax_wan": 300.0}})
    out = evaluate_enterprises(data, parcels=parcels, year=2023, policy=tax_only())
    assert list(out.index) == [A, B]
    assert out.index.name == "credit_code"
    assert out.loc[A, "land_area_mu"] == pytest.approx(15.0)
    assert out.loc[A, "parcel_ids"] == "P1;P2"
    assert out.loc[A, "zone_ids"] == "Z1;Z2"
    assert out.loc[A, "indicator_tax_per_mu"] == pytest.approx(40.0)
    assert out.loc[A, "benchmark_tax_per_mu"] == pytest.approx(30.0)
    assert out["score"].tolist() == pytest.approx([400 / 3, 200 / 3])  # 40/30×100, 20/30×100
    assert out["rank"].tolist() == [1, 2]
    assert out["grade"].tolist() == ["B", "D"]  # rank share 0.5 → B, 1.0 → D
    assert out["in_scope"].tolist() == [True, True]
    assert out.loc[A, "scope_reason"] == "规上企业"
    assert "mujun.weights_above_scale" in out.attrs["policy_keys"]


# --- a landholder and two tenants under each rented-land rule ------------------------------------

#: P3: 15 亩 with 8,000 m² of floor space, held by H; T1 and T2 rent 2,000 m² each.
#: P4: 15 亩 held by OW. Taxes: H 300, T1 150, T2 75, OW 900 万元.
HOLDER_PARCELS = pd.DataFrame(
    {
        "parcel_id": ["P3", "P4"],
        "owner_code": [H, OW],
        "land_area_m2": [10_000.0, 10_000.0],
        "floor_area_m2": [8_000.0, 6_000.0],
    }
)
LEASES = pd.DataFrame(
    {"tenant_code": [T1, T2], "parcel_id": ["P3", "P3"], "rented_floor_m2": [2_000.0, 2_000.0]}
)
HOLDER_FIRMS = firms(
    {H: {"tax_wan": 300.0}, T1: {"tax_wan": 150.0}, T2: {"tax_wan": 75.0}, OW: {"tax_wan": 900.0}}
)


def _run(rule: str | None) -> pd.DataFrame:
    policy = tax_only(**{"mujun.rented_land_rule": rule})
    return evaluate_enterprises(
        HOLDER_FIRMS, parcels=HOLDER_PARCELS, tenancies=LEASES, year=2023, policy=policy
    )


def test_apportion_by_floor_area() -> None:
    out = _run("apportion_by_floor_area")
    # tenants: 15 亩 × 2,000/8,000 = 3.75 亩 each; H keeps 15 − 7.5 = 7.5 亩
    assert out.loc[[H, T1, T2, OW], "land_area_mu"].tolist() == pytest.approx([7.5, 3.75, 3.75, 15])
    # tax per 亩 H 40, T1 40, T2 20, OW 60: mean 40 → 100, 100, 50, 150 points
    assert out.loc[[H, T1, T2, OW], "score"].tolist() == pytest.approx([100, 100, 50, 150])
    # ranks OW 1, H and T1 2 (a tie shares the better rank), T2 4 → shares .25 .5 .5 1
    assert out.loc[[OW, H, T1, T2], "rank"].tolist() == [1, 2, 2, 4]
    assert out.loc[[OW, H, T1, T2], "grade"].tolist() == ["A", "B", "B", "D"]
    assert out.loc[T1, "category"] == "tenant"
    assert out.attrs["rented_land_rule"] == "apportion_by_floor_area"


def test_tenant_category_ranks_tenants_apart() -> None:
    out = _run("tenant_category")
    # H keeps its whole 15 亩: 20/亩; owners H 20, OW 60 → mean 40 → 50, 150
    assert out.loc[H, "land_area_mu"] == pytest.approx(15.0)
    assert out.loc[[H, OW], "score"].tolist() == pytest.approx([50, 150])
    assert out.loc[[OW, H], "grade"].tolist() == ["B", "D"]
    # tenants alone: T1 40, T2 20 → mean 30 → 133.3, 66.7; T1 rank 1 of 2
    assert out.loc[[T1, T2], "score"].tolist() == pytest.approx([400 / 3, 200 / 3])
    assert out.loc[[T1, T2], "rank"].tolist() == [1, 1 + 1]
    assert out.loc[[T1, T2], "grade"].tolist() == ["B", "D"]
    assert out.loc[T1, "benchmark_tax_per_mu"] == pytest.approx(30.0)
    assert out.loc[OW, "benchmark_tax_per_mu"] == pytest.approx(40.0)


def test_combine_and_share_gives_every_member_the_units_grade() -> None:
    out = _run("combine_and_share")
    # unit U:P3 = H + T1 + T2: 525 万元 on 15 亩 = 35/亩; OW 60 → mean 47.5
    members = out.loc[[H, T1, T2]]
    assert set(members["unit_id"]) == {"U:P3"}
    assert set(members["category"]) == {"combined"}
    assert members["land_area_mu"].tolist() == pytest.approx([15, 15, 15])
    assert members["indicator_tax_per_mu"].tolist() == pytest.approx([35, 35, 35])
    assert members["score"].tolist() == pytest.approx([35 / 47.5 * 100] * 3)
    assert members["grade"].tolist() == ["D", "D", "D"]
    assert out.loc[OW, "score"] == pytest.approx(60 / 47.5 * 100)
    assert out.loc[OW, "grade"] == "B"  # rank 1 of 2 units
    assert out.attrs["units"] == 2
    assert out.loc[T1, "tax_wan"] == 150.0  # the firm's own figure is kept


def test_rule_unset_leaves_tenants_out_and_names_the_key() -> None:
    out = _run(None)
    for tenant in (T1, T2):
        assert not out.loc[tenant, "in_scope"]
        assert "`mujun.rented_land_rule`" in out.loc[tenant, "scope_reason"]
        assert pd.isna(out.loc[tenant, "grade"])
    # H on its whole parcel: 20/亩, OW 60 → 50, 150
    assert out.loc[[H, OW], "score"].tolist() == pytest.approx([50, 150])
    assert "mujun.rented_land_rule" in out.attrs["not_evaluated"]["rented_land_rule"]
    assert "mujun.rented_land_rule" not in out.attrs["policy_keys"]


# --- scope ------------------------------------------------------------------------------------


def _below_scale(area_m2: float, policy: Policy) -> pd.Series:
    parcels = pd.DataFrame(
        {"parcel_id": ["P1", "P9"], "owner_code": [A, S], "land_area_m2": [10_000.0, area_m2]}
    )
    data = firms({A: {"tax_wan": 300.0}, S: {"tax_wan": 20.0, "above_scale": False}})
    data["electricity_kwh"] = [1e6, 1e5]
    return evaluate_enterprises(data, parcels=parcels, year=2023, policy=policy).loc[S]


@pytest.mark.parametrize(
    ("area_m2", "inside"),
    [(10_000 / 3, True), (10_000 / 3 - 1, False)],  # exactly 5 亩; 1 m² less
)
def test_below_scale_firm_at_exactly_5_mu_is_in_scope(area_m2: float, inside: bool) -> None:
    row = _below_scale(area_m2, tax_only())
    assert bool(row["in_scope"]) is inside
    assert row["scope_reason"] == (
        "规下企业，用地 5.00 亩 ≥ 5 亩" if inside else "规下企业，用地 4.9985 亩 < 5 亩"
    )


@pytest.mark.parametrize(("area_m2", "inside"), [(2_000.0, True), (1_999.0, False)])
def test_below_scale_threshold_of_3_mu_with_a_replaced_key(area_m2: float, inside: bool) -> None:
    policy = tax_only(**{"mujun.below_scale_land_mu_min": 3})  # Dezhou
    row = _below_scale(area_m2, policy)
    assert bool(row["in_scope"]) is inside
    assert row["scope_reason"].endswith("≥ 3 亩" if inside else "< 3 亩")
    if inside:  # graded with the 规下 weights (tax per 亩 50 + tax per kWh 50)
        assert row["variant"] == "below_scale"
        assert row["grade"] in ("A", "B", "C", "D")


def test_exempt_utility_military_and_below_scale_excluded_by_profile() -> None:
    parcels = pd.DataFrame(
        {"parcel_id": ["P1", "P2", "P3"], "owner_code": [A, B, E],
         "land_area_m2": [10_000.0] * 3}
    )  # fmt: skip
    data = firms(
        {
            A: {"tax_wan": 300.0, "industry_code": "C3670", "military": False},
            B: {"tax_wan": 300.0, "industry_code": "D4411", "military": False},
            E: {"tax_wan": 300.0, "industry_code": "C3741", "military": True},
        }
    )
    out = evaluate_enterprises(data, parcels=parcels, year=2023, policy=tax_only())
    assert out["in_scope"].tolist() == [True, False, False]
    assert "44" in out.loc[B, "scope_reason"]
    assert "军工" in out.loc[E, "scope_reason"]
    assert {"mujun.exempt_divisions_2017", "mujun.exempt_military"} <= set(out.attrs["policy_keys"])
    shandong = load_policy("shandong-2019")
    data.loc[data["credit_code"] == A, "above_scale"] = False
    out = evaluate_enterprises(data, parcels=parcels, year=2023, policy=shandong)
    assert "规下企业不纳入评价" in out.loc[A, "scope_reason"]


def test_provisional_under_three_years_to_the_end_of_the_year() -> None:
    parcels = pd.DataFrame(
        {"parcel_id": ["P1", "P2"], "owner_code": [A, B], "land_area_m2": [10_000.0] * 2}
    )
    data = firms({A: {"tax_wan": 300.0}, B: {"tax_wan": 200.0}})
    # A: 2021-01-01 + 3 years = 2024-01-01 > 2023-12-31; B: 2020-12-31 + 3 = 2023-12-31
    data["registered_on"] = pd.to_datetime(["2021-01-01", "2020-12-31"])
    out = evaluate_enterprises(data, parcels=parcels, year=2023, policy=tax_only())
    assert out["provisional"].tolist() == [True, False]
    assert "2021-01-01" in out.loc[A, "provisional_reason"]
    assert out.loc[A, "grade"] in ("B", "D")  # graded all the same
    assert "mujun.provisional_years" in out.attrs["policy_keys"]


# --- a firm missing one indicator -------------------------------------------------------------


def test_missing_emissions_scores_the_average_missing_energy_is_not_graded() -> None:
    ids = [code(i) for i in range(30, 34)]
    parcels = pd.DataFrame(
        {"parcel_id": [f"Q{i}" for i in range(4)], "owner_code": ids,
         "land_area_m2": [10_000.0] * 4}
    )  # fmt: skip
    full = {"tax_wan": 300.0, "value_added_wan": 1_500.0, "energy_tce": 500.0,
            "employees": 100.0, "rd_spend_wan": 100.0, "revenue_wan": 5_000.0}  # fmt: skip
    data = firms(
        {
            ids[0]: {**full, "emissions_t": 1.0},  # 1,500 万元/t
            ids[1]: {**full, "emissions_t": 3.0},  # 500 万元/t
            ids[2]: {**full, "emissions_t": None},
            ids[3]: {**full, "emissions_t": 1.0, "energy_tce": None},
        }
    )
    out = evaluate_enterprises(data, parcels=parcels, year=2023, policy="qingdao-2019")
    # emissions benchmark: mean of 1,500, 500 (and 1,500 of the firm not graded is left out)
    assert out.loc[ids[0], "benchmark_value_added_per_emission"] == pytest.approx(1_000.0)
    # points 1,500/1,000 × 10 = 15 and 500/1,000 × 10 = 5 → the third firm gets their mean 10
    emission = out["contribution_value_added_per_emission"]
    assert emission[ids[:3]].tolist() == pytest.approx([15.0, 5.0, 10.0])
    assert out.loc[ids[2], "grade"] in ("A", "B", "C", "D")
    assert pd.isna(out.loc[ids[3], "grade"])
    assert out.loc[ids[3], "not_graded_reason"] == (
        "不定等级：缺少指标 单位能耗增加值 `value_added_per_energy` (missing indicator)"
    )


def test_unset_weights_grade_nobody_and_name_the_key() -> None:
    data = HOLDER_FIRMS[HOLDER_FIRMS["credit_code"].isin([H, OW])]
    out = evaluate_enterprises(data, parcels=HOLDER_PARCELS, year=2023, policy="shandong-2019")
    assert out["grade"].isna().all()
    assert out["not_graded_reason"].str.contains("`mujun.weights_above_scale`").all()
    assert "weights_above_scale" in out.attrs["not_evaluated"]
    named = load_policy("shandong-2019").mujun.indicator_names
    assert named["revenue_per_emission"] == "单位污染物排放销售收入"


def test_anhui_devzone_weights_use_revenue_per_energy() -> None:
    data = HOLDER_FIRMS[HOLDER_FIRMS["credit_code"].isin([H, OW])].copy()
    data["revenue_wan"] = [3_000.0, 6_000.0]
    data["energy_tce"] = [100.0, 100.0]  # 30 and 60 万元/tce: mean 45
    data["rd_spend_wan"] = [30.0, 60.0]
    data["value_added_wan"] = [1_000.0, 1_000.0]
    data["employees"] = [10.0, 10.0]
    out = evaluate_enterprises(data, parcels=HOLDER_PARCELS, year=2023, policy="anhui-devzone")
    assert out.loc[H, "indicator_revenue_per_energy"] == pytest.approx(30.0)
    assert out.loc[H, "contribution_revenue_per_energy"] == pytest.approx(30 / 45 * 15)


def test_a_firm_without_land_is_reported_and_not_graded() -> None:
    parcels = pd.DataFrame({"parcel_id": ["P1"], "owner_code": [A], "land_area_m2": [10_000.0]})
    data = firms({A: {"tax_wan": 300.0}, B: {"tax_wan": 100.0}})
    with pytest.warns(LanduseWarning, match="have no land"):
        out = evaluate_enterprises(data, parcels=parcels, year=2023, policy=tax_only())
    assert out.loc[B, "not_graded_reason"].startswith("不定等级：用地面积未知")
    assert out.attrs["unmatched"]["enterprises_without_land"]["ids"] == [B]


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match="`year` passed to evaluate_enterprises"):
        evaluate_enterprises(HOLDER_FIRMS, parcels=HOLDER_PARCELS, year="2023", policy=tax_only())
    with pytest.raises(SchemaError, match="`by` passed to evaluate_enterprises"):
        evaluate_enterprises(
            HOLDER_FIRMS[HOLDER_FIRMS["credit_code"].isin([H, OW])],
            parcels=HOLDER_PARCELS, year=2023, policy=tax_only(), by="district",
        )  # fmt: skip


# --- year over year ---------------------------------------------------------------------------


def _three_years(policy: Policy) -> pd.DataFrame:
    parcels = pd.DataFrame(
        {"parcel_id": ["P1", "P2"], "owner_code": [A, B], "land_area_m2": [10_000.0] * 2}
    )
    results = {}
    for year in (2021, 2022, 2023):  # B (10/亩 against A's 40) is D every year
        data = firms({A: {"tax_wan": 600.0}, B: {"tax_wan": 150.0}}, year=year)
        data["electricity_kwh"] = [2e6, 1e6]
        results[year] = evaluate_enterprises(data, parcels=parcels, year=year, policy=policy)
    return enterprise_history(results, policy=policy)


def test_three_years_in_d_pay_the_example_surcharge() -> None:
    history = _three_years(tax_only("qingdao-2019-example"))
    b = history.loc[B]
    assert b["grade"].tolist() == ["D", "D", "D"]
    assert b["years_in_d"].tolist() == [1, 2, 3]
    assert b["grade_change"].tolist() == ["首次评价", "持平", "持平"]
    # Haining's draft: +0.3 元/kWh in D, +0.4 from 3 consecutive years; 1,000,000 kWh
    assert b["surcharge_yuan_per_kwh"].tolist() == pytest.approx([0.3, 0.3, 0.4])
    assert b["surcharge_wan"].tolist() == pytest.approx([30.0, 30.0, 40.0])  # 0.4 × 10⁶ ÷ 10⁴
    a = history.loc[A]
    assert a["years_in_d"].tolist() == [0, 0, 0]
    assert a["surcharge_wan"].tolist() == [0.0, 0.0, 0.0]
    assert "mujun.electricity_surcharge" in history.attrs["policy_keys"]


def test_surcharge_not_evaluated_without_the_table() -> None:
    history = _three_years(tax_only("qingdao-2019"))
    assert history["surcharge_wan"].isna().all()
    assert history["surcharge_reason"].str.contains("`mujun.electricity_surcharge`").all()
    assert "electricity_surcharge" in history.attrs["not_evaluated"]
    assert history.loc[B, "years_in_d"].tolist() == [1, 2, 3]


def test_a_missing_year_breaks_the_run() -> None:
    one = pd.DataFrame({"grade": ["D"], "electricity_kwh": [1e6]}, index=pd.Index([B]))
    history = enterprise_history({2020: one, 2022: one, 2023: one}, policy="qingdao-2019-example")
    assert history["years_in_d"].tolist() == [1, 1, 2]
    assert pd.isna(history["previous_grade"].iloc[1])


def test_workbook_has_one_sheet_per_year_and_the_history(tmp_path) -> None:
    history = _three_years(tax_only("qingdao-2019-example"))
    written = write_enterprises(history, tmp_path / "亩均评价.xlsx")
    book = openpyxl.load_workbook(written[0])
    assert book.sheetnames[:4] == ["2021年", "2022年", "2023年", "历年等级"]
    head = [c.value for c in book["历年等级"][1]]
    assert head[:4] == ["统一社会信用代码", "年度", "亩均效益等级", "综合得分"]
    assert "连续D类年数（年）" in head
    assert "差别化电价加收电费（万元）" in head
    year = [c.value for c in book["2023年"][1]]
    assert "用地认定依据" in year
    assert "亩均税收基准值（万元/亩）" in year
    assert "政策参数" in book.sheetnames
    one = write_enterprises(history.xs(2023, level="year"), tmp_path / "one.csv")
    assert one[0].exists()
    assert not math.isnan(history["score"].iloc[0])


def test_by_zone_and_english_texts() -> None:
    parcels = pd.DataFrame(
        {
            "parcel_id": ["P1", "P2", "P3", "P4"],
            "owner_code": [A, B, H, OW],
            "land_area_m2": [10_000.0] * 4,
            "zone_id": ["Z1", "Z1", "Z2", "Z2"],
        }
    )
    # Z1: A 40, B 20 (mean 30); Z2: H 10, OW 30 (mean 20): ranked within each zone
    data = firms({A: {"tax_wan": 600.0}, B: {"tax_wan": 300.0}, H: {"tax_wan": 150.0},
                  OW: {"tax_wan": 450.0}})  # fmt: skip
    out = evaluate_enterprises(
        data, parcels=parcels, year=2023, policy=tax_only(), by="zone_ids", lang="en"
    )
    assert out.loc[[A, B, H, OW], "rank"].tolist() == [1, 2, 2, 1]
    assert out.loc[[H, OW], "score"].tolist() == pytest.approx([50, 150])
    assert out.loc[H, "benchmark_tax_per_mu"] == pytest.approx(20.0)
    assert out.loc[A, "scope_reason"] == "above designated size"
