"""Parcel grades from the enterprise evaluation (issue 19 point 5), worked by hand.

Four 15 亩 parcels: P1 and P2 held by firm D1 (graded D), P3 held by firm A1 (graded A) with
tenant D2 (graded D) on it, P4 held by a code no enterprise row carries.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import square
from test_enterprise_evaluate import code, tax_only

import landuse.mapping
from landuse.bank import build_project_bank
from landuse.efficiency import find_inefficient_land
from landuse.enterprise import evaluate_enterprises
from landuse.errors import SchemaError

CRS = "EPSG:4549"
AS_OF = "2021-12-31"
POLICY = "qingdao-2019"
D1, A1, D2, X9 = "91370200000000010X", "913702000000000111", "913702000000000120", "X9"


def parcels() -> gpd.GeoDataFrame:
    rows = []
    for i, (pid, owner) in enumerate([("P1", D1), ("P2", D1), ("P3", A1), ("P4", X9)]):
        rows.append(
            {
                "parcel_id": pid,
                "owner_code": owner,
                "enterprise": f"{pid} 公司",
                "land_use": "industrial",
                "industry_code": "36",
                "production_status": "producing",
                "land_area_m2": 10000.0,
                "floor_area_m2": 9000.0,
                "footprint_m2": 4000.0,
                "investment_wan": 5000.0,
                "agreed_start_date": "2010-03-01",
                "actual_start_date": "2010-03-01",
                "agreed_completion_date": "2012-03-01",
                "completion_date": "2012-03-01",
                "geometry": square(200.0 * i, 0.0),
            }
        )
    frame = gpd.GeoDataFrame(rows, crs=CRS)
    for col in (
        "agreed_start_date",
        "actual_start_date",
        "agreed_completion_date",
        "completion_date",
    ):
        frame[col] = pd.to_datetime(frame[col])
    return frame


def zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": ["QD01"], "leading_industry_codes": ["36"]},
        geometry=[shapely.box(-50, -50, 1650, 250)],
        crs=CRS,
    )


def grades() -> pd.DataFrame:
    """What evaluate_enterprises returns, the columns the join reads (ranks of 3 firms)."""
    return pd.DataFrame(
        {
            "name": ["低效甲公司", "优秀乙公司", "租户丙公司"],
            "grade": ["D", "A", "D"],
            "score": [20.0, 150.0, 30.0],
            "rank": [3, 1, 2],
            "rank_share": [1.0, 1 / 3, 2 / 3],
            "category": ["owner", "owner", "tenant"],
            "parcel_ids": ["P1;P2", "P3", "P3"],
        },
        index=pd.Index([D1, A1, D2], name="credit_code"),
    )


def test_two_parcels_of_one_d_enterprise_are_both_flagged_grade_d() -> None:
    found = find_inefficient_land(parcels(), as_of=AS_OF, policy=POLICY, enterprise_grades=grades())
    flagged = found.loc[found["reasons"].str.contains("grade_d"), "parcel_id"].tolist()
    assert flagged == ["P1", "P2"]  # P3: holder A1 graded A; P4: no match
    text = found.set_index("parcel_id").loc["P1", "reason_text"]
    assert "低效甲公司" in text
    assert D1 in text
    assert "权利人" in text
    report = found.attrs["enterprise_grades"]
    assert report["from_holder"] == 3
    assert report["from_other_enterprise"] == 0
    assert report["unmatched"] == {"count": 1, "ids": ["P4"]}


def test_without_enterprise_grades_find_inefficient_land_has_no_grade_rule() -> None:
    found = find_inefficient_land(parcels(), as_of=AS_OF, policy=POLICY)
    assert "grade_d" not in found.attrs["rules"]
    assert "enterprise_grades" not in found.attrs


def test_holder_a_with_tenant_d_takes_the_holder_grade() -> None:
    bank = build_project_bank(
        parcels(), zones=zones(), as_of=AS_OF, policy=POLICY, enterprise_grades=grades()
    ).set_index("parcel_id")
    assert "P3" not in bank.index or bank.loc["P3", "grade"] == "A"
    assert bank.loc["P1", "grade"] == "D"
    assert bank.loc["P2", "grade"] == "D"
    assert "grade_d" in bank.loc["P1", "reasons"]
    assert bank.loc["P1", "grade_source"] == f"企业评价：权利人 低效甲公司（{D1}）"
    assert bank.attrs["grade_source"]["source"] == "enterprise"
    assert bank.attrs["grade_source"]["unmatched"]["ids"] == ["P4"]


def test_holder_not_graded_takes_the_worst_grade_on_the_parcel() -> None:
    g = grades()
    g.loc[A1, "grade"] = None  # holder 不定等级 → tenant D2's D
    found = find_inefficient_land(parcels(), as_of=AS_OF, policy=POLICY, enterprise_grades=g)
    p3 = found.set_index("parcel_id").loc["P3", "reason_text"]
    assert "租户丙公司" in p3
    assert D2 in p3
    assert "用地企业" in p3
    assert found.attrs["enterprise_grades"]["from_other_enterprise"] == 1


def test_unmatched_parcel_is_kept_with_its_other_reasons() -> None:
    p = parcels()
    p.loc[3, "production_status"] = "stopped"
    p["stopped_since"] = pd.to_datetime([None, None, None, "2019-01-01"])
    found = find_inefficient_land(
        p, as_of=AS_OF, policy=POLICY, enterprise_grades=grades(), exclude_idle=False
    )
    assert "P4" in set(found["parcel_id"])
    assert found.attrs["rules"]["grade_d"]["checked"] == 3  # P4 not checked, not dropped


def test_parcels_without_owner_code_raise_naming_the_column() -> None:
    with pytest.raises(SchemaError, match=r"no `owner_code` column.*read_parcels"):
        build_project_bank(
            parcels().drop(columns="owner_code"),
            zones=zones(),
            as_of=AS_OF,
            policy=POLICY,
            enterprise_grades=grades(),
        )


def test_english_source_text() -> None:
    bank = build_project_bank(
        parcels(), zones=zones(), as_of=AS_OF, policy=POLICY, enterprise_grades=grades(), lang="en"
    ).set_index("parcel_id")
    assert bank.loc["P1", "grade_source"] == f"enterprise evaluation: holder 低效甲公司 ({D1})"
    assert np.all(bank["grade"].dropna().isin(["A", "B", "C", "D"]))


def test_with_a_real_evaluation_two_parcels_of_the_d_firm_are_flagged() -> None:
    hi, lo = code(10), code(11)
    p = parcels().iloc[:3].copy()
    p["owner_code"] = [lo, lo, hi]  # lo: 30 亩, 300 万元 → 10/亩; hi: 15 亩, 600 → 40/亩
    firms = pd.DataFrame(
        {
            "credit_code": [hi, lo],
            "name": ["高效公司", "低效公司"],
            "year": 2021,
            "above_scale": True,
            "industry_code": "3600",
            "tax_wan": [600.0, 300.0],
        }
    )
    policy = tax_only()
    result = evaluate_enterprises(firms, parcels=p, year=2021, policy=policy)
    assert result.loc[lo, "grade"] == "D"
    found = find_inefficient_land(p, as_of=AS_OF, policy=policy, enterprise_grades=result)
    assert found.loc[found["reasons"].str.contains("grade_d"), "parcel_id"].tolist() == [
        "P1",
        "P2",
    ]
    m = landuse.mapping.map_enterprises(result, p, basemap=None)
    assert m is not None
