"""Parcel metrics, idle land, inefficient land and 亩均 grading on small exact fixtures.

A 100 m × 100 m parcel is 1 ha = 15 亩. The reference date is 2021-12-31 unless a test says
otherwise; "exactly one year" is the same calendar day a year later.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import square

import landuse
from landuse.efficiency import (
    find_idle_land,
    find_inefficient_land,
    grade_enterprises,
    parcel_metrics,
    reason_codes,
)
from landuse.errors import CRSError, GeometryError, LanduseWarning, PolicyError, SchemaError

CRS = "EPSG:4549"
AS_OF = "2021-12-31"
QD = landuse.load_policy("qingdao-2019")
#: qingdao-2019 with the example values of the user inputs (tax floor 20, output standard 300)
EX = landuse.load_policy("qingdao-2019-example")
NATIONAL = landuse.load_policy("national-2008")


def frame(rows: list[dict], *, size: float = 100.0, index=None) -> gpd.GeoDataFrame:
    """Parcels side by side, 200 m apart, each ``size`` × ``size``, with the given columns."""
    data = pd.DataFrame(rows)
    for col in data.columns:
        if col.endswith("_date") or col == "stopped_since":
            data[col] = pd.to_datetime(data[col])
    if index is not None:
        data.index = index
    geoms = [square(i * 200.0, 0.0, size) for i in range(len(rows))]
    return gpd.GeoDataFrame(data, geometry=geoms, crs=CRS)


def producing(**extra) -> dict:
    """A completed, producing industrial parcel of 15 亩 that passes every check."""
    row = {
        "parcel_id": "P",
        "land_use": "industrial",
        "industry_code": "36",
        "production_status": "producing",
        "land_area_m2": 10000.0,
        "floor_area_m2": 9000.0,
        "footprint_m2": 4000.0,
        "investment_wan": 5000.0,
        "agreed_investment_wan": 5000.0,
        "revenue_wan": 6000.0,
        "tax_wan": 450.0,
        "agreed_start_date": "2010-03-01",
        "actual_start_date": "2010-03-01",
        "agreed_completion_date": "2012-03-01",
        "completion_date": "2012-03-01",
        "stopped_since": None,
    }
    row.update(extra)
    return row


# --- parcel_metrics ----------------------------------------------------------------------------


def test_metrics_by_hand():
    parcels = frame(
        [
            {
                "parcel_id": "A",
                "land_use": "industrial",
                "industry_code": "36",
                "land_area_m2": 10000.0,
                "floor_area_m2": 7000.0,
                "footprint_m2": 3500.0,
                "admin_living_land_m2": 700.0,
                "green_area_m2": 2000.0,
                "investment_wan": 4500.0,
                "revenue_wan": 9000.0,
                "tax_wan": 300.0,
                "value_added_wan": 2000.0,
            },
            {
                "parcel_id": "B",
                "land_use": "industrial",
                "industry_code": "17",
                "land_area_m2": 10000.0,
                "floor_area_m2": 7900.0,
                "footprint_m2": 2999.0,
                "admin_living_land_m2": 701.0,
                "green_area_m2": 2001.0,
                "investment_wan": 1500.0,
                "revenue_wan": 1500.0,
                "tax_wan": 299.85,
                "value_added_wan": 150.0,
            },
        ],
        index=[10, 20],
    )
    before = parcels.copy()
    m = parcel_metrics(parcels, policy=QD)
    pd.testing.assert_frame_equal(parcels, before)
    assert m.index.tolist() == [10, 20]
    np.testing.assert_allclose(m["land_area_mu"], [15.0, 15.0])
    np.testing.assert_allclose(m["far"], [0.70, 0.79])
    np.testing.assert_allclose(m["building_coefficient"], [0.35, 0.2999])
    np.testing.assert_allclose(m["admin_living_share"], [0.07, 0.0701])
    np.testing.assert_allclose(m["green_ratio"], [0.20, 0.2001])
    np.testing.assert_allclose(m["investment_intensity_wan_per_mu"], [300.0, 100.0])
    np.testing.assert_allclose(m["revenue_per_mu_wan"], [600.0, 100.0])
    np.testing.assert_allclose(m["tax_per_mu_wan"], [20.0, 19.99])
    np.testing.assert_allclose(m["value_added_per_mu_wan"], [2000 / 15, 10.0])
    # 36 (2017 汽车制造) → 2002 division 37: 0.7; 17 纺织业: 0.8
    np.testing.assert_allclose(m["far_min"], [0.7, 0.8])
    np.testing.assert_allclose(m["building_coefficient_min"], [0.30, 0.30])
    np.testing.assert_allclose(m["admin_living_share_max"], [0.07, 0.07])
    np.testing.assert_allclose(m["green_ratio_max"], [0.20, 0.20])
    for col in ("far", "building_coefficient", "admin_living_share", "green_ratio"):
        assert m[f"{col}_pass"].tolist() == [True, False], col
    # the investment-intensity table was not found and qingdao-2019 leaves the per-parcel tax
    # floor unset: user inputs, reported as not evaluated, their pass columns <NA> (not False)
    assert m["investment_intensity_pass"].isna().all()
    assert m["tax_per_mu_min_wan"].isna().all()
    assert m["tax_per_mu_pass"].isna().all()
    assert m.attrs["not_evaluated"] == {
        "investment_intensity": ["policy `control.investment_intensity_wan_per_mu_min`"],
        "tax_per_mu": ["policy `inefficient.tax_wan_per_mu_min`"],
    }
    assert "inefficient.tax_wan_per_mu_min" not in m.attrs["policy_keys"]  # not applied
    # set (the example profile: 20 万元/亩): applied
    ex = parcel_metrics(parcels, policy=EX)
    np.testing.assert_allclose(ex["tax_per_mu_min_wan"], [20.0, 20.0])
    assert ex["tax_per_mu_pass"].tolist() == [True, False]
    assert "tax_per_mu" not in ex.attrs["not_evaluated"]
    assert m.attrs["policy"] == "qingdao-2019"
    set_it = QD.replace({"control.investment_intensity_wan_per_mu_min": 200})
    assert parcel_metrics(parcels, policy=set_it)["investment_intensity_pass"].tolist() == [
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("code", "version", "expected"),
    [
        ("29", "2017", 0.8),  # rubber + plastics: 2002 29 (0.8) and 30 (1.0), conservative
        ("30", "2002", 1.0),  # 2002 塑料制品业
        ("30", "2017", 0.7),  # 2017 非金属矿物制品 → 2002 31
        ("C3670", "2017", 0.7),  # class code reduced to its division 36
        ("39", "2017", 1.0),  # 2017 电子设备 → 2002 40
        ("43", "2017", None),  # 2017 repair: new, no 2008 minimum
    ],
)
def test_far_minimum_crosswalk(code, version, expected):
    parcels = frame(
        [
            {
                "industry_code": code,
                "industry_code_version": version,
                "land_use": "industrial",
                "floor_area_m2": 7500.0,
            }
        ]
    )
    m = parcel_metrics(parcels, policy=QD)
    if expected is None:
        assert np.isnan(m["far_min"].iloc[0])
        assert m["far_pass"].isna().iloc[0]
    else:
        assert m["far_min"].iloc[0] == pytest.approx(expected)
        assert bool(m["far_pass"].iloc[0]) is (0.75 >= expected)


def test_land_area_falls_back_to_geometry_and_scope():
    parcels = frame(
        [
            {
                "land_use": "industrial",
                "land_area_m2": np.nan,
                "floor_area_m2": 5000.0,
                "industry_code": "36",
            },
            {
                "land_use": "commercial",
                "land_area_m2": 20000.0,
                "floor_area_m2": 5000.0,
                "industry_code": None,
            },
        ]
    )
    m = parcel_metrics(parcels, policy=QD)
    np.testing.assert_allclose(m["land_area_m2"], [10000.0, 20000.0])
    np.testing.assert_allclose(m["far"], [0.5, 0.25])
    # control indicators apply to industrial projects only
    assert m["building_coefficient_min"].tolist()[0] == 0.3
    assert np.isnan(m["building_coefficient_min"].iloc[1])
    assert m["far_pass"].tolist()[0] is False
    assert m["far_pass"].isna().tolist() == [False, True]
    every = parcel_metrics(parcels, policy=QD, land_uses=None)
    assert every["building_coefficient_min"].tolist() == [0.3, 0.3]


def test_floor_area_from_buildings_split_by_area_and_tall_storeys_doubled():
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["P1", "P2"], "land_use": ["industrial"] * 2, "industry_code": ["36", "36"]},
        geometry=[square(0, 0), square(100, 0)],  # adjacent, shared edge x = 100
        crs=CRS,
    )
    buildings = gpd.GeoDataFrame(
        {
            "levels": [3.0, 1.0, 2.0, 1.0, np.nan],
            "height_m": [12.0, 9.0, 8.0, 8.0, 12.0],
            "storey_height_m": [np.nan, np.nan, np.nan, np.nan, 4.0],
        },
        geometry=[
            shapely.box(10, 10, 50, 60),  # 2000 m², 3 storeys of 4 m: 6000
            shapely.box(60, 10, 80, 30),  # 400 m², 1 storey of 9 m > 8 m: counts twice, 800
            shapely.box(85, 70, 105, 80),  # 200 m² across the edge: 150 in P1, 50 in P2; 2 × 4 m
            shapely.box(120, 10, 140, 30),  # 400 m², 1 storey of exactly 8 m: not doubled
            shapely.box(150, 50, 160, 60),  # 100 m², 12 m ÷ 4 m storeys = 3 levels
        ],
        crs=CRS,
    )
    m = parcel_metrics(parcels, buildings=buildings, policy=QD)
    # P1: 6000 + 800 + 2 × 150 = 7100; P2: 2 × 50 + 400 + 300 = 800
    np.testing.assert_allclose(m["floor_area_m2"], [7100.0, 800.0])
    np.testing.assert_allclose(m["footprint_m2"], [2550.0, 550.0])
    np.testing.assert_allclose(m["far"], [0.71, 0.08])
    np.testing.assert_allclose(m["building_coefficient"], [0.255, 0.055])
    assert m["far_pass"].tolist() == [True, False]
    assert m.attrs["floor_area_source"] == "buildings"
    assert m.attrs["buildings"] == {
        "buildings": 5,
        "outside_parcels": 0,
        "split_between_parcels": 1,
        "partly_outside_parcels": 0,
        "unknown_floor_area": 0,
        "double_counted": 1,
    }


def test_reported_footprint_with_yards_is_kept_when_larger():
    parcels = frame(
        [
            {"land_use": "industrial", "footprint_m2": 3200.0},
            {"land_use": "industrial", "footprint_m2": 100.0},
        ]
    )
    buildings = gpd.GeoDataFrame(
        {"levels": [2.0, 2.0]},
        geometry=[shapely.box(10, 10, 60, 60), shapely.box(210, 10, 260, 60)],
        crs=CRS,
    )
    m = parcel_metrics(parcels, buildings=buildings, policy=QD)
    # 2500 m² of buildings; the first parcel reports 3200 m² with structures and yards
    np.testing.assert_allclose(m["footprint_m2"], [3200.0, 2500.0])
    np.testing.assert_allclose(m["floor_area_m2"], [5000.0, 5000.0])


def test_buildings_without_levels_leave_far_missing_with_a_warning():
    parcels = frame([{"land_use": "industrial", "industry_code": "36"}])
    buildings = gpd.GeoDataFrame(
        {"levels": [np.nan, 2.0], "height_m": [15.0, np.nan]},
        geometry=[shapely.box(10, 10, 30, 30), shapely.box(40, 40, 60, 60)],
        crs=CRS,
    )
    with pytest.warns(
        LanduseWarning, match=r"1 of 2 buildings have no levels, height or floor area"
    ):
        m = parcel_metrics(parcels, buildings=buildings, policy=QD)
    assert np.isnan(m["far"].iloc[0])
    assert m["far_pass"].isna().iloc[0]
    assert m["building_coefficient"].iloc[0] == pytest.approx(0.08)
    # an assumed storey height of 5 m gives 15 ÷ 5 = 3 levels: 400 × 3 + 400 × 2 = 2000
    m = parcel_metrics(parcels, buildings=buildings, policy=QD, storey_height_m=5.0)
    assert m["floor_area_m2"].iloc[0] == pytest.approx(2000.0)


def test_default_levels_for_footprints_without_any_height():
    parcels = frame([{"land_use": "industrial"}])
    buildings = gpd.GeoDataFrame(geometry=[shapely.box(10, 10, 30, 30)], crs=CRS)
    m = parcel_metrics(parcels, buildings=buildings, policy=QD, default_levels=1)
    assert m["far"].iloc[0] == pytest.approx(0.04)


def test_missing_columns_are_reported_not_passed():
    parcels = frame([{"parcel_id": "A", "land_use": "industrial"}])
    m = parcel_metrics(parcels, policy=QD)
    assert m["far"].isna().all()
    assert m["far_pass"].isna().all()
    assert m.attrs["not_evaluated"]["far"] == [
        "column `floor_area_m2` (or buildings=)",
        "column `industry_code`",
    ]
    assert m.attrs["not_evaluated"]["building_coefficient"] == [
        "column `footprint_m2` (or buildings=)"
    ]
    assert m.attrs["not_evaluated"]["tax_per_mu"] == [
        "column `tax_wan`",
        "policy `inefficient.tax_wan_per_mu_min`",
    ]
    assert parcel_metrics(parcels, policy=EX).attrs["not_evaluated"]["tax_per_mu"] == [
        "column `tax_wan`"
    ]
    assert m.attrs["checks"]["far"]["evaluated"] is False


def test_metrics_errors():
    parcels = frame([{"land_use": "industrial", "tax_wan": "很多"}])
    with pytest.raises(
        SchemaError, match=r"column `tax_wan` must be numeric; 1 value\(s\) are not"
    ):
        parcel_metrics(parcels, policy=QD)
    geographic = frame([{"land_use": "industrial"}]).set_crs(4326, allow_override=True)
    with pytest.raises(
        CRSError, match=r"`parcels` passed to parcel_metrics\(\) is in a geographic CRS"
    ):
        parcel_metrics(geographic, policy=QD)
    parcels = frame([{"land_use": "industrial"}])
    other = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:32651")
    with pytest.raises(
        CRSError, match=r"`parcels` is in EPSG:4549 .* but `buildings` is in EPSG:32651"
    ):
        parcel_metrics(parcels, buildings=other, policy=QD)
    points = gpd.GeoDataFrame({"building_id": ["B1"]}, geometry=[shapely.Point(5, 5)], crs=CRS)
    with pytest.raises(
        GeometryError, match=r"must be footprint polygons; 1 of 1 are not \(building B1\)"
    ):
        parcel_metrics(parcels, buildings=points, policy=QD)
    with pytest.raises(
        TypeError, match=r"`policy` passed to parcel_metrics\(\) must be a landuse.Policy"
    ):
        parcel_metrics(parcels, policy=3)
    with pytest.raises(
        ValueError, match=r"`default_levels` passed to parcel_metrics\(\) must be a positive"
    ):
        parcel_metrics(parcels, policy=QD, default_levels=0)


# --- idle land ---------------------------------------------------------------------------------


def not_started(agreed: str, **extra) -> dict:
    row = {
        "parcel_id": agreed,
        "land_use": "industrial",
        "production_status": "not_started",
        "agreed_start_date": agreed,
        "actual_start_date": None,
        "completion_date": None,
        "grant_price_wan": 500.0,
    }
    row.update(extra)
    return row


def test_idle_not_started_boundaries():
    parcels = frame(
        [
            not_started("2020-12-31"),  # exactly one year: idle, stage 1
            not_started("2021-01-01"),  # 364 days: not idle
            not_started("2019-12-31"),  # exactly two years: stage 2
            not_started("2020-01-01"),  # one day short of two years: stage 1
            not_started(
                "2015-06-30", actual_start_date="2016-01-01", production_status="producing"
            ),
        ]
    )
    idle = find_idle_land(parcels, as_of=AS_OF, policy=QD)
    assert idle["parcel_id"].tolist() == ["2020-12-31", "2019-12-31", "2020-01-01"]
    assert idle.index.tolist() == [0, 2, 3]
    assert idle.crs == parcels.crs
    assert idle["reasons"].tolist() == ["idle_not_started"] * 3
    np.testing.assert_allclose(idle["idle_years"], [1.0, 2.0, 1 + 364 / 365])
    assert idle["idle_stage"].tolist() == [1, 2, 1]
    np.testing.assert_allclose(idle["idle_fee_wan"], [100.0, 100.0, 100.0])
    assert idle["idle_since"].tolist() == list(
        pd.to_datetime(["2020-12-31", "2019-12-31", "2020-01-01"])
    )
    assert idle["idle_action"].tolist() == [
        "征缴土地闲置费（出让价款的 20%）",
        "可无偿收回土地使用权",
        "征缴土地闲置费（出让价款的 20%）",
    ]
    assert idle["reason_text"].iloc[0] == (
        "闲置土地（未动工）：约定开工日期 2020-12-31 起满 1.00 年未动工开发（≥ 1 年）"
    )
    english = find_idle_land(parcels, as_of=AS_OF, policy=QD, lang="en")
    assert english["reason_text"].iloc[1] == (
        "idle land (not started): not started 2.00 years after the agreed start 2019-12-31 (≥ 1)"
    )
    assert english["idle_action"].iloc[1] == "may be reclaimed without compensation"


def test_idle_leap_day_is_calendar_exact():
    parcels = frame([not_started("2020-02-29")])
    assert len(find_idle_land(parcels, as_of="2021-02-27", policy=QD)) == 0
    assert len(find_idle_land(parcels, as_of="2021-02-28", policy=QD)) == 1


def stalled(since: str, developed: float, invested: float, **extra) -> dict:
    row = {
        "parcel_id": f"{since}/{developed}/{invested}",
        "land_use": "industrial",
        "production_status": "stopped",
        "agreed_start_date": "2017-01-01",
        "actual_start_date": "2017-03-01",
        "completion_date": None,
        "stopped_since": since,
        "land_area_m2": 10000.0,
        "developed_area_m2": developed * 10000.0,
        "agreed_investment_wan": 1000.0,
        "invested_wan": invested * 1000.0,
        "grant_price_wan": 800.0,
    }
    row.update(extra)
    return row


def test_idle_stalled_shares_and_halt_boundaries():
    parcels = frame(
        [
            stalled("2020-12-31", 0.30, 0.50),  # < 1/3 developed, halted exactly 1 year: idle
            stalled("2020-12-31", 0.40, 0.30),  # 40 % developed and 30 % invested: not idle
            stalled("2020-12-31", 0.50, 0.24),  # < 25 % invested: idle
            stalled("2021-01-01", 0.10, 0.10),  # halted 364 days: not idle
            stalled("2019-06-30", 0.10, np.nan),  # halted 2.5 years: stage 2
            stalled("2020-01-01", 0.10, 0.10, completion_date="2019-12-01"),  # completed: not idle
        ]
    )
    idle = find_idle_land(parcels, as_of=AS_OF, policy=QD)
    assert idle.index.tolist() == [0, 2, 4]
    assert idle["reasons"].tolist() == ["idle_stalled"] * 3
    assert idle["idle_stage"].tolist() == [1, 1, 2]
    np.testing.assert_allclose(idle["idle_fee_wan"], [160.0, 160.0, 160.0])
    assert idle["reason_text"].iloc[0] == (
        "闲置土地（中止开发）：已开发面积占 30.0%、已投资占 50.0%（开发不足 33.3% 或投资不足 25%），"
        "自 2020-12-31 中止开发 1.00 年（≥ 1 年）"
    )
    assert "已投资占 —" in idle["reason_text"].iloc[2]


def test_idle_without_inputs_is_not_evaluated():
    parcels = frame([{"parcel_id": "A", "land_use": "industrial"}])
    idle = find_idle_land(parcels, as_of=AS_OF, policy=QD)
    assert len(idle) == 0
    assert idle.attrs["not_evaluated"] == {
        "idle_not_started": [
            "column `agreed_start_date`",
            "column `actual_start_date`, `production_status` or `completion_date`",
        ],
        "idle_stalled": [
            "column `stopped_since`",
            "column `actual_start_date`, `production_status` or `completion_date`",
            "column `developed_area_m2` or `invested_wan` + `agreed_investment_wan` (with policy "
            "`idle.developed_area_share_min` / `idle.invested_share_min`)",
        ],
    }
    assert idle.attrs["rules"]["idle_not_started"]["evaluated"] is False
    # no grant price: idle, but the fee is unknown
    idle = find_idle_land(
        frame([not_started("2019-01-01", grant_price_wan=np.nan)]), as_of=AS_OF, policy=QD
    )
    assert idle["idle_stage"].tolist() == [2]
    assert np.isnan(idle["idle_fee_wan"].iloc[0])


def test_bad_arguments():
    parcels = frame([not_started("2020-12-31")])
    with pytest.raises(ValueError, match=r"`as_of` passed to find_idle_land\(\) must be a date"):
        find_idle_land(parcels, as_of="end of year", policy=QD)
    with pytest.raises(
        ValueError, match=r'`lang` passed to find_idle_land\(\) must be "zh" or "en"'
    ):
        find_idle_land(parcels, as_of=AS_OF, policy=QD, lang="fr")
    broken = parcels.assign(agreed_start_date=["someday"])
    with pytest.raises(SchemaError, match=r"column `agreed_start_date` must hold dates"):
        find_idle_land(broken, as_of=AS_OF, policy=QD)
    with pytest.raises(
        TypeError, match=r"`parcels` passed to find_idle_land\(\) must be a GeoDataFrame"
    ):
        find_idle_land(pd.DataFrame(parcels), as_of=AS_OF, policy=QD)


# --- inefficient land --------------------------------------------------------------------------


def inefficient(parcels, **kwargs):
    kwargs.setdefault("as_of", AS_OF)
    kwargs.setdefault("policy", QD)
    return find_inefficient_land(parcels, **kwargs)


def reasons_by_id(found: gpd.GeoDataFrame) -> dict:
    return dict(zip(found["parcel_id"], found["reasons"], strict=True))


def test_a_parcel_passing_everything_is_not_found():
    found = inefficient(frame([producing()]))
    assert len(found) == 0
    assert set(found.attrs["rules"]) == {
        "completion_overdue",
        "low_investment",
        "low_output",
        "production_stopped",
        "far_below_min",
        "building_coefficient_below_min",
        "off_leading_industry",
        "eliminated_industry",
        "tax_below_floor",
        "vacant_by_raster",
        "dark_by_night_light",
    }
    no_raster = ["argument `raster_evidence` (see landuse.raster_evidence)"]
    expected = {
        "off_leading_industry": ["argument `zones`", "column `zone_id`"],
        "eliminated_industry": ["policy `inefficient.eliminated_industries`"],
        "vacant_by_raster": no_raster,
        "dark_by_night_light": no_raster,
    }
    # qingdao-2019 leaves the output standard and the per-parcel tax floor to the user
    assert found.attrs["not_evaluated"] == {
        **expected,
        "low_output": ["policy `inefficient.output_standard_wan_per_mu`"],
        "tax_below_floor": ["policy `inefficient.tax_wan_per_mu_min`"],
    }
    assert inefficient(frame([producing()]), policy=EX).attrs["not_evaluated"] == expected


def test_completion_overdue_boundaries():
    parcels = frame(
        [
            producing(
                parcel_id="exactly 2 years late",
                agreed_completion_date="2017-06-30",
                completion_date="2019-06-30",
            ),
            producing(
                parcel_id="2 years and a day",
                agreed_completion_date="2017-06-30",
                completion_date="2019-07-01",
            ),
            producing(
                parcel_id="open, 2 years and a day",
                agreed_completion_date="2019-12-30",
                completion_date=None,
                production_status="under_construction",
            ),
            producing(
                parcel_id="open, exactly 2 years",
                agreed_completion_date="2019-12-31",
                completion_date=None,
                production_status="under_construction",
            ),
        ]
    )
    found = inefficient(parcels)
    assert reasons_by_id(found) == {
        "2 years and a day": "completion_overdue",
        "open, 2 years and a day": "completion_overdue",
    }
    texts = found["reason_text"].tolist()
    assert (
        texts[0] == "超期未竣工：竣工日期 2019-07-01 晚于约定竣工日期 2017-06-30 2.01 年（> 2 年）"
    )
    assert texts[1] == "超期未竣工：约定竣工日期 2019-12-30 已过 2.01 年仍未竣工（> 2 年）"


def test_low_investment_after_two_years():
    parcels = frame(
        [
            producing(parcel_id="49 %", completion_date="2019-12-31", investment_wan=2450.0),
            producing(parcel_id="50 %", completion_date="2019-12-31", investment_wan=2500.0),
            producing(parcel_id="too recent", completion_date="2020-01-01", investment_wan=500.0),
        ]
    )
    parcels["agreed_completion_date"] = parcels["completion_date"]
    found = inefficient(parcels)
    assert reasons_by_id(found) == {"49 %": "low_investment"}
    assert found["reason_text"].iloc[0] == (
        "投资强度不足：已竣工 2.0 年，投资强度 163.3 万元/亩 < 约定 333.3 万元/亩的 50%"
    )


def test_low_output_against_the_standard():
    # example profile: standard 300 万元/亩, criterion 50 % → 150 万元/亩 = 2250 万元 on 15 亩
    parcels = frame(
        [
            producing(parcel_id="below", revenue_wan=2249.0),
            producing(parcel_id="at", revenue_wan=2250.0),
        ]
    )
    found = inefficient(parcels, policy=EX)
    assert reasons_by_id(found) == {"below": "low_output"}
    assert found["reason_text"].iloc[0] == (
        "土地产出不足：已竣工 9.8 年，亩均产出 149.9 万元/亩 < 标准 300 万元/亩的 50%"
    )
    # qingdao-2019 (and national-2008) leave the standard unset: not evaluated, key named
    for unset in (QD, NATIONAL):
        not_set = inefficient(parcels, policy=unset)
        assert len(not_set) == 0
        assert not_set.attrs["not_evaluated"]["low_output"] == [
            "policy `inefficient.output_standard_wan_per_mu`"
        ]
        assert not_set.attrs["rules"]["low_output"]["checked"] == 0


def test_production_stopped_boundaries():
    parcels = frame(
        [
            producing(
                parcel_id="one year", production_status="stopped", stopped_since="2020-12-31"
            ),
            producing(
                parcel_id="364 days", production_status="stopped", stopped_since="2021-01-01"
            ),
            producing(
                parcel_id="half", production_status="partly_stopped", stopped_since="2019-12-31"
            ),
        ]
    )
    found = inefficient(parcels)
    assert reasons_by_id(found) == {"one year": "production_stopped", "half": "production_stopped"}
    assert found["reason_text"].tolist() == [
        "停产或半停产：停产 1.00 年（自 2020-12-31，≥ 1 年）",
        "停产或半停产：半停产 2.00 年（自 2019-12-31，≥ 1 年）",
    ]


def test_far_and_building_coefficient_of_completed_parcels():
    parcels = frame(
        [
            producing(parcel_id="far 0.69", floor_area_m2=6900.0),
            producing(parcel_id="far 0.70", floor_area_m2=7000.0),
            producing(parcel_id="coefficient", footprint_m2=2990.0),
            producing(
                parcel_id="building",
                floor_area_m2=1000.0,
                footprint_m2=1000.0,
                completion_date=None,
                production_status="under_construction",
                agreed_completion_date="2022-06-30",
            ),
        ]
    )
    found = inefficient(parcels)
    assert reasons_by_id(found) == {
        "far 0.69": "far_below_min",
        "coefficient": "building_coefficient_below_min",
    }
    assert found["reason_text"].tolist() == [
        "容积率不达标：容积率 0.69 < 控制指标 0.70（行业 36）",
        "建筑系数不达标：建筑系数 29.9% < 控制指标 30.0%",
    ]
    np.testing.assert_allclose(found["far"], [0.69, 0.9])
    np.testing.assert_allclose(found["far_min"], [0.7, 0.7])
    english = inefficient(parcels, lang="en")
    assert english["reason_text"].iloc[0] == (
        "FAR below the control indicator: FAR 0.69 < minimum 0.70 (industry 36)"
    )


def test_tax_floor():
    parcels = frame(
        [producing(parcel_id="19.99", tax_wan=299.85), producing(parcel_id="20", tax_wan=300.0)]
    )
    # set (the example profile, 20 万元/亩): applied
    found = inefficient(parcels, policy=EX)
    assert reasons_by_id(found) == {"19.99": "tax_below_floor"}
    assert found["reason_text"].iloc[0] == "亩均税收不达标：亩均税收 19.99 万元/亩 < 20 万元/亩"
    assert "tax_below_floor" not in found.attrs["not_evaluated"]
    # qingdao-2019 and national-2008 leave the floor unset: not evaluated rather than passed
    for unset in (QD, NATIONAL):
        not_set = inefficient(parcels, policy=unset)
        assert len(not_set) == 0
        assert not_set.attrs["not_evaluated"]["tax_below_floor"] == [
            "policy `inefficient.tax_wan_per_mu_min`"
        ]
    # a caller's own value is applied too
    own = inefficient(parcels, policy=QD.replace({"inefficient.tax_wan_per_mu_min": 19.995}))
    assert reasons_by_id(own) == {"19.99": "tax_below_floor"}


@pytest.fixture
def zones():
    return gpd.GeoDataFrame(
        {"zone_id": ["QD01"], "leading_industry_codes": ["36;38"]},
        geometry=[shapely.box(-50, -50, 650, 150)],
        crs=CRS,
    )


def test_leading_industry(zones):
    parcels = frame(
        [
            producing(parcel_id="36", industry_code="36"),
            producing(parcel_id="17", industry_code="17", floor_area_m2=9000.0),
            producing(parcel_id="2002 code 37", industry_code="37", industry_code_version="2002"),
            producing(parcel_id="2002 code 39", industry_code="39", industry_code_version="2002"),
            producing(parcel_id="outside", industry_code="17"),
        ]
    )
    parcels.loc[4, "geometry"] = square(5000, 0)
    found = inefficient(parcels, zones=zones)
    # 2002 division 37 became 2017 36 and 37; 2002 39 (电气机械) became 2017 38: both leading
    assert reasons_by_id(found) == {"17": "off_leading_industry"}
    assert found["zone_id"].tolist() == ["QD01"]
    assert (
        found["reason_text"].iloc[0]
        == "不符合主导产业：行业 17 不属于集聚区 QD01 主导产业（36、38）"
    )
    assert found.attrs["rules"]["off_leading_industry"]["checked"] == 4
    # a zone_id on the parcels is used as it is
    own = parcels.assign(zone_id=["QD01", "QD01", "QD01", "QD01", "QD01"])
    assert reasons_by_id(inefficient(own, zones=zones))["outside"] == "off_leading_industry"
    no_codes = zones.drop(columns="leading_industry_codes")
    found = inefficient(parcels, zones=no_codes)
    assert found.attrs["not_evaluated"]["off_leading_industry"] == [
        "column `zones.leading_industry_codes`"
    ]


def test_eliminated_industries_are_a_user_input():
    parcels = frame(
        [
            producing(parcel_id="17", industry_code="17", floor_area_m2=9000.0),
            producing(parcel_id="2611", industry_code="2611"),
            producing(parcel_id="26", industry_code="26"),
        ]
    )
    assert len(inefficient(parcels)) == 0
    policy = QD.replace({"inefficient.eliminated_industries": ["17", "2611"]})
    found = inefficient(parcels, policy=policy)
    assert reasons_by_id(found) == {"17": "eliminated_industry", "2611": "eliminated_industry"}
    assert found["reason_text"].iloc[1] == "淘汰类产业：行业 2611 属淘汰类或禁止类（目录代码 2611）"


def test_several_reasons_in_a_fixed_order_and_idle_excluded():
    parcels = frame(
        [
            producing(
                parcel_id="many",
                floor_area_m2=3000.0,
                tax_wan=30.0,
                production_status="stopped",
                stopped_since="2019-06-30",
            ),
            not_started(
                "2019-12-31",
                floor_area_m2=0.0,
                industry_code="36",
                agreed_completion_date="2019-06-30",
            ),
        ]
    )
    found = inefficient(parcels, policy=EX)
    assert found["parcel_id"].tolist() == ["many"]
    assert found["reasons"].iloc[0] == "production_stopped;far_below_min;tax_below_floor"
    assert found["n_reasons"].tolist() == [3]
    assert found["reason_text"].iloc[0].split("；") == [
        "停产或半停产：停产 2.50 年（自 2019-06-30，≥ 1 年）",
        "容积率不达标：容积率 0.30 < 控制指标 0.70（行业 36）",
        "亩均税收不达标：亩均税收 2.00 万元/亩 < 20 万元/亩",
    ]
    assert found.attrs["idle_excluded"] == 1  # idle, and also overdue
    # qingdao-2019 leaves the tax floor unset: the same parcel without that reason
    assert inefficient(parcels)["reasons"].tolist() == ["production_stopped;far_below_min"]
    both = inefficient(parcels, exclude_idle=False)
    assert both["parcel_id"].tolist() == ["many", "2019-12-31"]
    assert both["reasons"].iloc[1] == "completion_overdue"


def test_inefficient_missing_columns_are_listed():
    parcels = frame([{"parcel_id": "A", "land_use": "industrial", "industry_code": "36"}])
    found = inefficient(parcels)
    assert found.attrs["not_evaluated"]["completion_overdue"] == [
        "column `agreed_completion_date`",
        "column `completion_date`",
    ]
    assert found.attrs["not_evaluated"]["production_stopped"] == [
        "column `production_status`",
        "column `stopped_since`",
    ]
    assert found.attrs["not_evaluated"]["far_below_min"] == [
        "column `floor_area_m2` (or buildings=)"
    ]
    assert all(not r["flagged"] for r in found.attrs["rules"].values())


def test_metrics_can_be_reused():
    parcels = frame([producing(parcel_id="far 0.69", floor_area_m2=6900.0)])
    m = parcel_metrics(parcels, policy=QD)
    assert reasons_by_id(inefficient(parcels, metrics=m)) == {"far 0.69": "far_below_min"}
    with pytest.raises(ValueError, match=r"`metrics` passed to find_inefficient_land\(\) must be"):
        inefficient(parcels, metrics=m.iloc[:0])


# --- grading -----------------------------------------------------------------------------------


@pytest.fixture
def firms() -> gpd.GeoDataFrame:
    """Four firms on 15 亩 each; values chosen so the benchmarks (means) are round."""
    return frame(
        [
            {"tax_wan": 600.0, "value_added_wan": 3000.0, "energy_tce": 1000.0, "emissions_t": 1.0,
             "employees": 100.0, "rd_spend_wan": 500.0, "revenue_wan": 10000.0},
            {"tax_wan": 300.0, "value_added_wan": 1500.0, "energy_tce": 1500.0, "emissions_t": 1.0,
             "employees": 100.0, "rd_spend_wan": 300.0, "revenue_wan": 10000.0},
            {"tax_wan": 150.0, "value_added_wan": 1500.0, "energy_tce": 750.0, "emissions_t": np.nan,
             "employees": 50.0, "rd_spend_wan": 100.0, "revenue_wan": 10000.0},
            {"tax_wan": 150.0, "value_added_wan": 0.0, "energy_tce": 100.0, "emissions_t": 1.0,
             "employees": 10.0, "rd_spend_wan": 0.0, "revenue_wan": 10000.0},
        ]
    )  # fmt: skip


def test_grading_worked_example(firms):
    g = grade_enterprises(firms, policy=QD)
    # tax/亩 40, 20, 10, 10 (mean 20) × 30 → 60, 30, 15, 15
    np.testing.assert_allclose(g["contribution_tax_per_mu"], [60, 30, 15, 15])
    # VA/亩 200, 100, 100, 0 (mean 100) × 20 → 40, 20, 20, 0
    np.testing.assert_allclose(g["contribution_value_added_per_mu"], [40, 20, 20, 0])
    # VA/tce 3, 1, 2, 0 (mean 1.5) × 20
    np.testing.assert_allclose(g["contribution_value_added_per_energy"], [40, 40 / 3, 80 / 3, 0])
    # VA/t 3000, 1500, —, 0 (mean 1500) × 10 → 20, 10, average 10, 0
    np.testing.assert_allclose(g["contribution_value_added_per_emission"], [20, 10, 10, 0])
    # VA/person 30, 15, 30, 0 (mean 18.75) × 10
    np.testing.assert_allclose(g["contribution_labour_productivity"], [16, 8, 16, 0])
    # R&D share 0.05, 0.03, 0.01, 0 (mean 0.0225) × 10
    np.testing.assert_allclose(g["contribution_rd_share"], [200 / 9, 40 / 3, 40 / 9, 0])
    # 60 + 40 + 40 + 20 + 16 + 22.22; 30 + 20 + 13.33 + 10 + 8 + 13.33; 15 + 20 + 26.67 + 10
    # + 16 + 4.44; 15
    np.testing.assert_allclose(g["score"], [198 + 2 / 9, 94 + 2 / 3, 92 + 1 / 9, 15])
    assert g["not_graded_reason"].isna().all()
    assert g.attrs["missing_rule_indicators"] == ["value_added_per_emission"]
    assert g["rank"].tolist() == [1, 2, 3, 4]
    np.testing.assert_allclose(g["rank_share"], [0.25, 0.5, 0.75, 1.0])
    assert g["grade"].tolist() == ["A", "B", "C", "D"]
    assert g["grade_label"].tolist() == ["优先发展", "鼓励提升", "规范转型", "调控帮扶"]
    np.testing.assert_allclose(g["indicator_tax_per_mu"], [40, 20, 10, 10])
    assert g.attrs["benchmarks"]["above_scale"]["tax_per_mu"] == pytest.approx(20.0)
    assert g.attrs["policy"] == "qingdao-2019"


def test_grading_options(firms):
    given = grade_enterprises(firms, policy=QD, benchmarks={"tax_per_mu": 40.0})
    np.testing.assert_allclose(given["contribution_tax_per_mu"], [30, 15, 7.5, 7.5])
    zero = grade_enterprises(firms, policy=QD.replace({"mujun.missing_indicator_rule": "zero"}))
    np.testing.assert_allclose(zero["contribution_value_added_per_emission"], [20, 10, 0, 0])
    # min-max: w × (20 + 80 (x − min) / (max − min)) / 100; tax/亩 40, 20, 10, 10
    minmax = grade_enterprises(firms, policy=QD.replace({"mujun.score_method": "min_max"}))
    np.testing.assert_allclose(
        minmax["contribution_tax_per_mu"], [30, 30 * (20 + 80 / 3) / 100, 6, 6]
    )


def test_grading_ties_groups_and_scope():
    rows = [{"tax_wan": t, "zone_id": z, "production_status": s, "land_use": u}
            for t, z, s, u in [
                (300.0, "Z1", "producing", "industrial"),
                (300.0, "Z1", "producing", "industrial"),
                (150.0, "Z1", "stopped", "industrial"),
                (600.0, "Z2", "producing", "industrial"),
                (150.0, "Z2", "producing", "industrial"),
                (900.0, "Z2", "not_started", "industrial"),
                (900.0, "Z2", "producing", "commercial"),
            ]]  # fmt: skip
    firms = frame(rows)
    policy = QD.replace({"mujun.weights_above_scale": {"tax_per_mu": 100}})
    g = grade_enterprises(firms, policy=policy, by="zone_id")
    assert g["rank"].tolist()[:5] == [1, 1, 3, 1, 2]  # ties share the better rank
    assert g["grade"].tolist()[:5] == ["B", "B", "D", "B", "D"]
    assert g["grade"].isna().tolist() == [False] * 5 + [True, True]  # 不定等级, not industrial
    # Z1 mean tax/亩 = (20 + 20 + 10) / 3
    np.testing.assert_allclose(g["score"].iloc[:3], np.array([20, 20, 10]) / (50 / 3) * 100)
    assert g.attrs["graded"] == 5
    assert g.attrs["not_graded"] == 2


def test_grade_cuts_on_twenty_firms():
    firms = frame([{"tax_wan": 15.0 * (20 - i)} for i in range(20)])
    policy = QD.replace({"mujun.weights_above_scale": {"tax_per_mu": 100}})
    g = grade_enterprises(firms, policy=policy)
    assert g["grade"].value_counts().to_dict() == {"B": 9, "A": 5, "C": 5, "D": 1}
    assert g["grade"].tolist()[4:6] == ["A", "B"]


def test_below_scale_variant_and_missing_indicator():
    firms = frame(
        [
            {"tax_wan": 300.0, "electricity_kwh": 1e6, "above_scale": False},
            {"tax_wan": 150.0, "electricity_kwh": 1e6, "above_scale": False},
            {"tax_wan": 600.0, "value_added_wan": 100.0, "above_scale": True},
        ]
    )
    g = grade_enterprises(firms, policy=QD)
    assert g["variant"].tolist()[:2] == ["below_scale", "below_scale"]
    assert pd.isna(g["variant"].iloc[2])
    # 规下: tax/亩 20, 10 (mean 15) × 50; 元 per kWh 3, 1.5 (mean 2.25) × 50
    np.testing.assert_allclose(g["contribution_tax_per_mu"].iloc[:2], [200 / 3, 100 / 3])
    np.testing.assert_allclose(g["contribution_tax_per_electricity"].iloc[:2], [200 / 3, 100 / 3])
    assert g["rank"].tolist() == [1, 2, pd.NA]
    # the 规上 firm reports neither energy, employees nor R&D: not graded (不定等级), the
    # missing indicators named (emissions, absent too, fall under the average rule)
    assert g["grade"].isna().tolist() == [False, False, True]
    assert g["not_graded_reason"].iloc[2] == (
        "不定等级：缺少指标 单位能耗增加值 `value_added_per_energy`、全员劳动生产率 "
        "`labour_productivity`、研发经费投入强度 `rd_share` (missing indicator)"
    )


def test_grading_errors(firms):
    with pytest.raises(
        ValueError, match=r"`variant` passed to grade_enterprises\(\) must be one of"
    ):
        grade_enterprises(firms, policy=QD, variant="large")
    with pytest.raises(
        SchemaError, match=r"`by` passed to grade_enterprises\(\) names column 'zone'"
    ):
        grade_enterprises(firms, policy=QD, by="zone")
    with pytest.raises(
        ValueError, match=r"`benchmarks` passed to grade_enterprises\(\) names unknown"
    ):
        grade_enterprises(firms, policy=QD, benchmarks={"profit": 1.0})
    bad = QD.replace({"mujun.weights_above_scale": {"profit_per_mu": 100}})
    with pytest.raises(
        PolicyError,
        match=r"`mujun.weights_above_scale` names indicator\(s\) landuse cannot compute: profit_per_mu",
    ):
        grade_enterprises(firms, policy=bad)


# --- the sample --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return landuse.load_sample()


def test_sample_idle_boundaries(sample):
    idle = find_idle_land(sample.parcels, as_of=sample.as_of, policy=QD)
    counts = idle["reasons"].value_counts().to_dict()
    assert counts == {"idle_not_started": 145, "idle_stalled": 80}  # the README's case mix
    agreed = sample.parcels["agreed_start_date"]
    not_started_ = sample.parcels["production_status"].eq("not_started")
    exactly_one_year = sample.parcels.index[not_started_ & agreed.eq("2020-12-31")]
    days_364 = sample.parcels.index[not_started_ & agreed.eq("2021-01-01")]
    assert len(exactly_one_year) == 17
    assert len(days_364) == 14
    assert set(exactly_one_year) <= set(idle.index)
    assert not set(days_364) & set(idle.index)


def test_reason_code_table_is_documented():
    codes = reason_codes()["code"].tolist()
    doc = landuse.efficiency.__doc__
    assert all(f"``{code}``" in doc for code in codes)
    assert len(codes) == len(set(codes)) == 15
    assert reason_codes(lang="en").columns.tolist() == [
        "code",
        "group",
        "label",
        "rule",
        "policy_keys",
        "columns",
    ]
