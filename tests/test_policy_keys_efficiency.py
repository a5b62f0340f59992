"""Issue 22 in efficiency, bank and raster: every number from a profile key, unset keys not
evaluated and named, per-storey FAR doubling, the 亩均 missing-indicator rule, the keys read.

Small fixtures built here (a 100 m × 100 m parcel is 1 ha = 15 亩), numbers worked by hand.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import landuse
from landuse.bank import DEFAULT_PRIORITY_WEIGHTS, build_project_bank
from landuse.efficiency import find_inefficient_land, grade_enterprises, parcel_metrics
from landuse.errors import PolicyError, SchemaError

CRS = "EPSG:4549"
AS_OF = "2021-12-31"
QD = landuse.load_policy("qingdao-2019")
EX = landuse.load_policy("qingdao-2019-example")


def one_parcel(**columns) -> gpd.GeoDataFrame:
    data = {"parcel_id": ["P"], "land_use": ["industrial"], "industry_code": ["36"]}
    data |= {k: [v] for k, v in columns.items()}
    return gpd.GeoDataFrame(data, geometry=[shapely.box(0, 0, 100, 100)], crs=CRS)


def one_building(**columns) -> gpd.GeoDataFrame:
    """A 40 m × 25 m = 1,000 m² footprint inside the parcel."""
    data = {"building_id": ["B1"]} | {k: [v] for k, v in columns.items()}
    return gpd.GeoDataFrame(data, geometry=[shapely.box(10, 10, 50, 35)], crs=CRS)


# --- FAR: the double-count rule per storey -----------------------------------------------------


@pytest.mark.parametrize("storeys", ["4.5;9;4.5", [4.5, 9.0, 4.5], (4.5, 9, 4.5), "4.5, 9 4.5"])
def test_a_tall_storey_counts_double_per_storey(storeys):
    # 1,000 m² × (1 + 2 + 1): only the 9 m storey is over 8 m
    m = parcel_metrics(one_parcel(), buildings=one_building(storey_heights_m=storeys), policy=QD)
    assert m["floor_area_m2"].iloc[0] == pytest.approx(4000.0)
    assert m["far"].iloc[0] == pytest.approx(0.4)
    assert m.attrs["buildings"]["double_counted"] == 1


def test_whole_building_rule_where_only_height_and_levels_are_known():
    # 18 m over 3 levels: 6 m on average, no storey over 8 m → 3 × 1,000
    m = parcel_metrics(one_parcel(), buildings=one_building(height_m=18.0, levels=3), policy=QD)
    assert m["floor_area_m2"].iloc[0] == pytest.approx(3000.0)
    # 27 m over 3 levels: 9 m on average → every storey twice, 6,000
    m = parcel_metrics(one_parcel(), buildings=one_building(height_m=27.0, levels=3), policy=QD)
    assert m["floor_area_m2"].iloc[0] == pytest.approx(6000.0)


def test_the_factor_and_the_height_come_from_the_profile():
    buildings = one_building(storey_heights_m="4.5;9;4.5")
    triple = QD.replace({"control.double_count_factor": 3})
    # 1,000 + 3 × 1,000 + 1,000
    m = parcel_metrics(one_parcel(), buildings=buildings, policy=triple)
    assert m["floor_area_m2"].iloc[0] == pytest.approx(5000.0)
    assert {"control.double_count_factor", "control.double_count_storey_height_m"} <= set(
        m.attrs["policy_keys"]
    )
    # a 10 m limit: the 9 m storey counts once
    high = QD.replace({"control.double_count_storey_height_m": 10.0})
    m = parcel_metrics(one_parcel(), buildings=buildings, policy=high)
    assert m["floor_area_m2"].iloc[0] == pytest.approx(3000.0)
    # the factor unset: no storey counts more than once
    unset = QD.replace({"control.double_count_factor": None})
    m = parcel_metrics(one_parcel(), buildings=buildings, policy=unset)
    assert m["floor_area_m2"].iloc[0] == pytest.approx(3000.0)


def test_storey_heights_share_a_given_floor_area_and_mix_with_other_buildings():
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["B1", "B2"],
            "floor_area_m2": [2400.0, np.nan],
            "storey_heights_m": ["4.5;9;4.5", None],
            "levels": [np.nan, 2],
            "height_m": [np.nan, 8.0],
        },
        geometry=[shapely.box(10, 10, 50, 35), shapely.box(60, 60, 80, 80)],
        crs=CRS,
    )
    # B1: 2,400 ÷ 3 = 800 per storey → 800 + 1,600 + 800 = 3,200; B2: 400 m² × 2 (4 m each)
    m = parcel_metrics(one_parcel(), buildings=buildings, policy=QD)
    assert m["floor_area_m2"].iloc[0] == pytest.approx(3200.0 + 800.0)


def test_bad_storey_heights_name_the_buildings():
    buildings = gpd.GeoDataFrame(
        {"building_id": ["B1", "B2", "B3"], "storey_heights_m": ["4.5;x", [3.0, -1.0], "3;3"]},
        geometry=[
            shapely.box(0, 0, 10, 10),
            shapely.box(20, 0, 30, 10),
            shapely.box(40, 0, 50, 10),
        ],
        crs=CRS,
    )
    with pytest.raises(
        SchemaError,
        match=r"`storey_heights_m` of the buildings passed to parcel_metrics\(\) must list "
        r"positive storey heights .* 2 building\(s\) have other values \(building B1, B2: x, -1",
    ):
        parcel_metrics(one_parcel(), buildings=buildings, policy=QD)


# --- unset user inputs: not evaluated, named; set: applied --------------------------------------


def test_tax_floor_unset_is_not_evaluated_and_named_set_is_applied():
    # 15 亩, tax 150 万元 → 10 万元/亩, completed and producing
    parcels = one_parcel(
        tax_wan=150.0, completion_date=pd.Timestamp("2015-01-01"), production_status="producing"
    )
    m = parcel_metrics(parcels, policy=QD)
    assert m["tax_per_mu_pass"].isna().all()  # NA, not False
    assert m.attrs["not_evaluated"]["tax_per_mu"] == ["policy `inefficient.tax_wan_per_mu_min`"]
    unset = find_inefficient_land(parcels, as_of=AS_OF, policy=QD)
    assert "tax_below_floor" not in set(unset["reasons"])
    assert unset.attrs["not_evaluated"]["tax_below_floor"] == [
        "policy `inefficient.tax_wan_per_mu_min`"
    ]
    # unset: not applied (not recorded), the rule not evaluated
    assert "inefficient.tax_wan_per_mu_min" not in unset.attrs["policy_keys"]
    assert unset.attrs["rules"]["tax_below_floor"]["evaluated"] is False
    example = find_inefficient_land(parcels, as_of=AS_OF, policy=EX)
    assert example["reasons"].tolist() == ["tax_below_floor"]
    assert example["reason_text"].iloc[0] == "亩均税收不达标：亩均税收 10.00 万元/亩 < 20 万元/亩"
    assert "inefficient.tax_wan_per_mu_min" in example.attrs["policy_keys"]
    assert "tax_below_floor" not in example.attrs["not_evaluated"]
    assert parcel_metrics(parcels, policy=EX)["tax_per_mu_pass"].tolist() == [False]


def test_sample_counts_with_the_example_and_the_default_profile():
    s = landuse.load_sample()
    counts = {}
    for policy in ("qingdao-2019-example", "qingdao-2019"):
        found = find_inefficient_land(
            s.parcels, zones=s.zones, buildings=s.buildings, as_of=s.as_of, policy=policy
        )
        bank = build_project_bank(
            s.parcels, zones=s.zones, buildings=s.buildings, as_of=s.as_of, policy=policy
        )
        counts[policy] = (len(found), len(bank))
    # 276 parcels are flagged only by the tax floor and the output standard (issue 22)
    assert counts == {"qingdao-2019-example": (856, 1225), "qingdao-2019": (580, 1117)}


# --- bank priority weights ----------------------------------------------------------------------


def _bank_parcels() -> gpd.GeoDataFrame:
    """Three stopped parcels of 15, 30 and 7.5 亩 (acquisition: all their land is freed)."""
    rows = []
    for pid in ("A", "B", "C"):
        rows.append(
            {
                "parcel_id": pid,
                "land_use": "industrial",
                "industry_code": "36",
                "production_status": "stopped",
                "stopped_since": pd.Timestamp("2019-06-30"),
                "completion_date": pd.Timestamp("2012-01-01"),
                "floor_area_m2": 8000.0,
                "footprint_m2": 4000.0,
                "tax_wan": 0.0,
            }
        )
    geoms = [
        shapely.box(0, 0, 100, 100),
        shapely.box(200, 0, 400, 100),
        shapely.box(500, 0, 550, 100),
    ]
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=CRS)


def _zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": ["Z"], "leading_industry_codes": ["36"]},
        geometry=[shapely.box(-10, -10, 600, 110)],
        crs=CRS,
    )


def test_priority_weights_come_from_the_profile_and_the_argument_overrides():
    assert DEFAULT_PRIORITY_WEIGHTS == {
        "tax_gain": 0.4,
        "land_freed": 0.3,
        "extra_floor_area": 0.2,
        "reasons": 0.1,
    }
    land_only = QD.replace({"bank.priority_weights": {"land_freed": 1}})
    bank = build_project_bank(_bank_parcels(), zones=_zones(), as_of=AS_OF, policy=land_only)
    # land freed 30, 15, 7.5 亩 → percentile ranks 1, 2/3, 1/3
    assert bank["parcel_id"].tolist() == ["B", "A", "C"]
    np.testing.assert_allclose(bank["priority"], [100.0, 200 / 3, 100 / 3], atol=0.01)
    assert bank.attrs["priority_weights"] == {"land_freed": 1.0}
    assert bank.attrs["priority_weights_source"] == "policy `bank.priority_weights` (qingdao-2019)"
    assert "bank.priority_weights" in bank.attrs["policy_keys"]
    # the argument wins over the profile: by number of reasons, B (stopped, FAR 0.4 and
    # building coefficient 20 % below the minimum) first, then A and C (stopped only) by id
    given = build_project_bank(
        _bank_parcels(),
        zones=_zones(),
        as_of=AS_OF,
        policy=land_only,
        priority_weights={"reasons": 1},
    )
    assert given["parcel_id"].tolist() == ["B", "A", "C"]
    np.testing.assert_allclose(given["priority"], [100.0, 50.0, 50.0])
    assert given.attrs["priority_weights_source"] == "argument priority_weights"
    # unset in the profile and no argument: priority not evaluated, named
    unset = QD.replace({"bank.priority_weights": None})
    none = build_project_bank(_bank_parcels(), zones=_zones(), as_of=AS_OF, policy=unset)
    assert none["priority"].isna().all()
    assert none.attrs["not_evaluated"]["priority"] == ["policy `bank.priority_weights`"]
    bad = QD.replace({"bank.priority_weights": {"size": 1}})
    with pytest.raises(PolicyError, match=r"`bank.priority_weights` of policy 'qingdao-2019'"):
        build_project_bank(_bank_parcels(), zones=_zones(), as_of=AS_OF, policy=bad)


# --- 亩均 grading: the missing-indicator rule per indicator, min-max points ---------------------


def _firms(**override) -> gpd.GeoDataFrame:
    """Three firms on 15 亩 each: tax 40, 20, 10 万元/亩."""
    data = {
        "tax_wan": [600.0, 300.0, 150.0],
        "value_added_wan": [3000.0, 1500.0, 1500.0],
        "energy_tce": [1000.0, 1500.0, 750.0],
        "emissions_t": [1.0, 1.0, 1.0],
    } | override
    geoms = [shapely.box(i * 200.0, 0, i * 200.0 + 100, 100) for i in range(3)]
    return gpd.GeoDataFrame(data, geometry=geoms, crs=CRS)


WEIGHTS = {"tax_per_mu": 50, "value_added_per_energy": 30, "value_added_per_emission": 20}


def test_missing_emissions_score_the_average_missing_energy_is_not_graded():
    policy = QD.replace({"mujun.weights_above_scale": WEIGHTS})
    firms = _firms(emissions_t=[1.0, np.nan, 1.0], energy_tce=[1000.0, 1500.0, np.nan])
    g = grade_enterprises(firms, policy=policy)
    # C lacks energy (not under the rule): not graded, the indicator named
    assert g["grade"].isna().tolist() == [False, False, True]
    assert g["not_graded_reason"].iloc[2] == (
        "不定等级：缺少指标 单位能耗增加值 `value_added_per_energy` (missing indicator)"
    )
    assert g.attrs["not_graded_reasons"] == {g["not_graded_reason"].iloc[2]: 1}
    # A, B: tax 40, 20 (mean 30) × 50 → 66.67, 33.33; VA/tce 3, 1 (mean 2) × 30 → 45, 15;
    # emissions: A 3000 (mean 3000) × 20 → 20, B missing → the average of the item, 20
    np.testing.assert_allclose(g["contribution_tax_per_mu"].iloc[:2], [200 / 3, 100 / 3])
    np.testing.assert_allclose(g["contribution_value_added_per_energy"].iloc[:2], [45, 15])
    np.testing.assert_allclose(g["contribution_value_added_per_emission"].iloc[:2], [20, 20])
    np.testing.assert_allclose(g["score"].iloc[:2], [131 + 2 / 3, 68 + 1 / 3])
    assert g["rank"].tolist()[:2] == [1, 2]
    assert {"mujun.missing_rule_indicators", "mujun.missing_indicator_rule"} <= set(
        g.attrs["policy_keys"]
    )
    # the rule extended to energy by the caller: C graded with the average for it
    wider = policy.replace(
        {"mujun.missing_rule_indicators": ["value_added_per_emission", "value_added_per_energy"]}
    )
    assert grade_enterprises(firms, policy=wider)["grade"].notna().all()


def test_min_max_points_from_the_profile():
    policy = QD.replace(
        {"mujun.weights_above_scale": {"tax_per_mu": 100}, "mujun.score_method": "min_max"}
    )
    # tax 40, 20, 10: 20 + 80 × (x − 10) / 30 → 100, 46.67, 20
    g = grade_enterprises(_firms(), policy=policy)
    np.testing.assert_allclose(g["score"], [100, 20 + 80 / 3, 20])
    assert g.attrs["minmax_points"] == (20.0, 80.0)
    assert {"mujun.minmax_base_points", "mujun.minmax_span_points"} <= set(g.attrs["policy_keys"])
    # a replaced base: 0 + 100 × (x − 10) / 30 → 100, 33.33, 0
    zero_based = policy.replace({"mujun.minmax_base_points": 0, "mujun.minmax_span_points": 100})
    g = grade_enterprises(_firms(), policy=zero_based)
    np.testing.assert_allclose(g["score"], [100, 100 / 3, 0])


def test_an_unset_method_key_raises_rather_than_falling_back():
    for key in ("mujun.score_method", "mujun.benchmark_statistic"):
        with pytest.raises(PolicyError, match=rf"has no value for `{key}`"):
            grade_enterprises(_firms(), policy=QD.replace({key: None}))
    min_max = QD.replace({"mujun.score_method": "min_max", "mujun.minmax_span_points": None})
    with pytest.raises(PolicyError, match=r"has no value for `mujun.minmax_span_points`"):
        grade_enterprises(_firms(), policy=min_max)
