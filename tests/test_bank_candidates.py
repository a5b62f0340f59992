"""build_project_bank: candidates, routes, gains and priority by hand; Excel; the CLI; the sample."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from conftest import square
from geopandas.testing import assert_geodataframe_equal

import landuse
from landuse.bank import ROUTES, build_project_bank, write_bank_excel
from landuse.cli import main
from landuse.efficiency import reason_codes
from landuse.errors import CRSError, LanduseWarning, SchemaError

CRS = "EPSG:4549"
AS_OF = "2021-12-31"
QD = landuse.load_policy("qingdao-2019")
EX = landuse.load_policy("qingdao-2019-example")


def tax_only(policy):
    """The fixtures report tax alone: grade 规上 firms on 亩均税收 (a firm missing an indicator
    of its weights is not graded)."""
    return policy.replace({"mujun.weights_above_scale": {"tax_per_mu": 100}})


#: the example values (tax floor 20 万元/亩) with tax-only grading, for the rules by hand
EXT = tax_only(EX)


def row(pid: str, **extra) -> dict:
    """A completed, producing industrial parcel of 15 亩 (100 m × 100 m) with FAR 0.9."""
    out = {
        "parcel_id": pid,
        "enterprise": f"{pid} 公司",
        "land_use": "industrial",
        "industry_code": "36",
        "production_status": "producing",
        "land_area_m2": 10000.0,
        "floor_area_m2": 9000.0,
        "footprint_m2": 4000.0,
        "investment_wan": 5000.0,
        "agreed_investment_wan": 5000.0,
        "invested_wan": 5000.0,
        "developed_area_m2": 10000.0,
        "revenue_wan": 6000.0,
        "tax_wan": 450.0,
        "grant_price_wan": 500.0,
        "agreed_start_date": "2010-03-01",
        "actual_start_date": "2010-03-01",
        "agreed_completion_date": "2012-03-01",
        "completion_date": "2012-03-01",
        "stopped_since": None,
    }
    out.update(extra)
    return out


def parcels_of(rows: list[dict], sizes: list[float] | None = None) -> gpd.GeoDataFrame:
    data = pd.DataFrame(rows)
    for col in (
        "agreed_start_date",
        "actual_start_date",
        "agreed_completion_date",
        "completion_date",
        "stopped_since",
    ):
        data[col] = pd.to_datetime(data[col])
    sizes = sizes or [100.0] * len(rows)
    return gpd.GeoDataFrame(
        data, geometry=[square(i * 200.0, 0.0, s) for i, s in enumerate(sizes)], crs=CRS
    )


def zones_of(leading: str = "36;39", **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "zone_id": ["QD01"],
            "leading_industry_codes": [leading],
            **{k: [v] for k, v in columns.items()},
        },
        geometry=[shapely.box(-50, -50, 1650, 250)],
        crs=CRS,
    )


@pytest.fixture
def parcels() -> gpd.GeoDataFrame:
    rows = [
        row(
            "A",
            production_status="not_started",
            floor_area_m2=0.0,
            footprint_m2=0.0,
            revenue_wan=np.nan,
            tax_wan=np.nan,
            agreed_start_date="2019-06-30",
            actual_start_date=None,
            agreed_completion_date=None,
            completion_date=None,
            invested_wan=0.0,
            developed_area_m2=0.0,
        ),  # idle 2.5 years: stage 2
        row("B", production_status="stopped", stopped_since="2020-06-30", tax_wan=0.0),
        row("C", industry_code="17"),  # not a leading industry
        row(
            "D",
            industry_code="39",
            land_area_m2=22500.0,
            floor_area_m2=18000.0,
            footprint_m2=9000.0,
            tax_wan=1012.5,
        ),
        row("E", floor_area_m2=6000.0),  # FAR 0.6 < 0.7 for 36
        row("F", floor_area_m2=15000.0, tax_wan=600.0),  # passes everything
    ]
    return parcels_of(rows, sizes=[100, 100, 100, 150, 100, 100])


def test_candidates_routes_gains_and_priority_by_hand(parcels):
    zones = zones_of(target_far=1.2, benchmark_tax_wan_per_mu=30.0)
    bank = build_project_bank(parcels, zones=zones, as_of=AS_OF, policy=EXT)
    assert bank["candidate_id"].tolist() == ["C-A", "C-D", "C-B", "C-C", "C-E"]
    assert bank.index.tolist() == [0, 1, 2, 3, 4]
    assert bank["priority_rank"].tolist() == [1, 2, 3, 4, 5]
    assert bank.crs == parcels.crs
    by = bank.set_index("parcel_id")
    assert by["route"].to_dict() == {
        "A": "acquisition",  # idle
        "D": "multistorey",  # FAR 0.8 < 1.0 for 39 (suits 工业上楼), site 2.25 ha ≥ 2 ha
        "B": "acquisition",  # fully stopped ≥ 1 year
        "C": "relocation",  # 17 is not a leading industry of QD01
        "E": "self_upgrade",  # FAR 0.6 < 0.7, 36 does not suit multi-storey factories
    }
    assert by["route_label"].to_dict() == {
        "A": "收购储备",
        "D": "工业上楼",
        "B": "收购储备",
        "C": "腾退",
        "E": "自主提升",
    }
    assert by["reasons"].to_dict() == {
        "A": "idle_not_started",
        "D": "far_below_min",
        "B": "production_stopped;tax_below_floor;grade_d",
        "C": "off_leading_industry",
        "E": "far_below_min",
    }
    # tax/亩 graded alone (other indicators absent): F 40 > C, D, E 30 (tied) > B 0 → B is D
    assert by["grade"].drop("A").to_dict() == {"D": "B", "B": "D", "C": "B", "E": "B"}
    assert pd.isna(by.loc["A", "grade"])  # not started: not graded (不定等级)
    assert by.loc["B", "reason_text"].endswith("亩均评价 D 类：综合得分 0.0，第 5/5 名")
    # target FAR: the zone's 1.2 (multi-storey: at least 2.0)
    np.testing.assert_allclose(by["target_far"], [1.2, 2.0, 1.2, 1.2, 1.2])
    np.testing.assert_allclose(by["far"], [0.0, 0.8, 0.9, 0.9, 0.6])
    # extra floor area = (target − FAR) × land
    np.testing.assert_allclose(
        by["potential_extra_floor_area_m2"], [12000, 27000, 3000, 3000, 6000]
    )
    # land freed: whole parcel for acquisition / relocation; else land − floor ÷ target FAR
    np.testing.assert_allclose(
        by["land_freed_mu"], [15, (22500 - 9000) / (10000 / 15), 15, 15, 7.5]
    )
    # expected tax at the zone's 30 万元/亩, and what it adds
    np.testing.assert_allclose(by["potential_tax_wan"], [450, 1012.5, 450, 450, 450])
    np.testing.assert_allclose(by["tax_gain_wan"], [450, 0, 450, 0, 0])
    # priority = 100 × (0.4 p_tax + 0.3 p_land + 0.2 p_floor + 0.1 p_reasons), p = percentile rank
    np.testing.assert_allclose(by["priority"], [75.0, 71.0, 70.0, 45.0, 39.0])
    assert by.loc["A", "idle_stage"] == 2
    assert by.loc["A", "idle_fee_wan"] == 100.0
    assert by.loc["D", "reason_text"] == "容积率不达标：容积率 0.80 < 控制指标 1.00（行业 39）"
    assert bank.attrs["routes"] == {
        "acquisition": 2,
        "relocation": 1,
        "multistorey": 1,
        "self_upgrade": 1,
    }
    assert bank.attrs["zone_targets"]["QD01"]["target_far_given"] is True
    assert bank.attrs["policy"] == "qingdao-2019-example"
    assert bank.attrs["as_of"] == "2021-12-31"
    no_raster = ["argument `raster_evidence` (see landuse.raster_evidence)"]
    expected = {
        "eliminated_industry": ["policy `inefficient.eliminated_industries`"],
        "vacant_by_raster": no_raster,
        "dark_by_night_light": no_raster,
    }
    assert bank.attrs["not_evaluated"] == expected
    # qingdao-2019 leaves the tax floor and the output standard unset: not evaluated, named
    unset = build_project_bank(parcels, zones=zones, as_of=AS_OF, policy=tax_only(QD))
    assert unset.set_index("parcel_id")["reasons"].to_dict()["B"] == "production_stopped;grade_d"
    assert unset.attrs["not_evaluated"] == {
        **expected,
        "low_output": ["policy `inefficient.output_standard_wan_per_mu`"],
        "tax_below_floor": ["policy `inefficient.tax_wan_per_mu_min`"],
    }


def test_zone_targets_default_to_the_zone_figures(parcels):
    bank = build_project_bank(parcels, zones=zones_of(), as_of=AS_OF, policy=QD)
    targets = bank.attrs["zone_targets"]["QD01"]
    # producing parcels C, D, E, F: floor 9000 + 18000 + 6000 + 15000 over 52 500 m²
    assert targets["target_far"] == pytest.approx(48000 / 52500, abs=1e-4)
    assert targets["benchmark_tax_wan_per_mu"] == pytest.approx(2512.5 / 78.75, abs=1e-4)
    assert targets["target_far_given"] is False
    by = bank.set_index("parcel_id")
    # never below the parcel's control minimum: E (36) 0.7 < 0.914; D (39) minimum 1.0
    assert by.loc["E", "target_far"] == pytest.approx(48000 / 52500, abs=1e-3)


def test_grade_c_with_a_low_far():
    rows = [
        row(p, tax_wan=t, floor_area_m2=f)
        for p, t, f in (
            ("P1", 600, 15000),
            ("P2", 450, 15000),
            ("P3", 375, 10000),
            ("P4", 300, 15000),
        )
    ]
    # tax/亩 40, 30, 25, 20 → A, B, C, D; P3 is C with FAR 1.0 < the zone's 1.2
    bank = build_project_bank(
        parcels_of(rows), zones=zones_of(target_far=1.2), as_of=AS_OF, policy=tax_only(QD)
    )
    by = bank.set_index("parcel_id")
    assert by["reasons"].to_dict() == {"P3": "grade_c_low_far", "P4": "grade_d"}
    assert by.loc["P3", "reason_text"] == "亩均评价 C 类且容积率偏低：容积率 1.00 < 集聚区目标 1.20"
    english = build_project_bank(
        parcels_of(rows),
        zones=zones_of(target_far=1.2),
        as_of=AS_OF,
        policy=tax_only(QD),
        lang="en",
    )
    assert english.set_index("parcel_id").loc["P3", "reason_text"] == (
        "亩均 grade C with a low FAR: FAR 1.00 < zone target 1.20"
    )
    assert set(english["route_label"]) <= {en for _, en in ROUTES.values()}


def test_reruns_give_the_same_bank(parcels):
    zones = zones_of(target_far=1.2)
    first = build_project_bank(parcels, zones=zones, as_of=AS_OF, policy=QD)
    shuffled = parcels.iloc[::-1]
    second = build_project_bank(shuffled, zones=zones, as_of=AS_OF, policy=QD)
    assert_geodataframe_equal(first, second)
    assert first["candidate_id"].tolist() == [f"C-{p}" for p in first["parcel_id"]]


def test_priority_weights(parcels):
    bank = build_project_bank(
        parcels,
        zones=zones_of(target_far=1.2),
        as_of=AS_OF,
        policy=QD,
        priority_weights={"land_freed": 1},
    )
    # land freed only: D 20.25 亩 first, then A, B, C tied at 15 (by id), E last
    assert bank["parcel_id"].tolist() == ["D", "A", "B", "C", "E"]
    np.testing.assert_allclose(bank["priority"], [100, 60, 60, 60, 20])
    with pytest.raises(
        ValueError, match=r"`priority_weights` passed to build_project_bank\(\) must map some of"
    ):
        build_project_bank(
            parcels, zones=zones_of(), as_of=AS_OF, policy=QD, priority_weights={"size": 1}
        )


def test_bank_errors(parcels):
    with pytest.raises(
        SchemaError,
        match=r"needs a unique `parcel_id` for stable candidate ids; 0 missing, 1 repeated \(A\)",
    ):
        build_project_bank(
            parcels.assign(parcel_id=["A", "A", "C", "D", "E", "F"]),
            zones=zones_of(),
            as_of=AS_OF,
            policy=QD,
        )
    with pytest.raises(SchemaError, match=r"needs a `parcel_id` column"):
        build_project_bank(
            parcels.drop(columns="parcel_id"), zones=zones_of(), as_of=AS_OF, policy=QD
        )
    with pytest.raises(
        CRSError, match=r"`parcels` is in EPSG:4549 .* but `zones` is in EPSG:32650"
    ):
        build_project_bank(parcels, zones=zones_of().to_crs(32650), as_of=AS_OF, policy=QD)


def test_excel_export(parcels, tmp_path):
    zones = zones_of(target_far=1.2, benchmark_tax_wan_per_mu=30.0)
    bank = build_project_bank(parcels, zones=zones, as_of=AS_OF, policy=EXT)
    out = write_bank_excel(bank, tmp_path / "bank.xlsx")
    sheet = openpyxl.load_workbook(out)["项目库"]
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["候选编号", "宗地编号", "集聚区编号", "企业名称", "用途", "行业代码"]
    assert {
        "认定原因",
        "再开发路径",
        "优先级得分",
        "可腾出土地（亩）",
        "潜在新增建筑面积（平方米）",
        "预期税收（万元）",
        "再开发路径代码",
    } <= set(header)
    assert "geometry" not in header and "route_label" not in header
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert first["候选编号"] == "C-A"
    assert first["再开发路径"] == "收购储备"
    assert first["再开发路径代码"] == "acquisition"
    assert first["优先级得分"] == 75.0
    assert sheet.max_row == 1 + len(bank)
    english = openpyxl.load_workbook(write_bank_excel(bank, tmp_path / "en.xlsx", lang="en"))[
        "project_bank"
    ]
    assert [cell.value for cell in english[1]][:2] == ["Candidate id", "Parcel id"]
    assert english["M2"].value == "Government acquisition"
    with pytest.raises(ValueError, match=r"unknown output type '.txt'"):
        write_bank_excel(bank, tmp_path / "bank.txt")


def test_cli_bank(parcels, tmp_path):
    parcels.to_file(tmp_path / "parcels.gpkg")
    zones_of(target_far=1.2, benchmark_tax_wan_per_mu=30.0).to_file(tmp_path / "zones.gpkg")
    out, book = tmp_path / "bank.gpkg", tmp_path / "bank.xlsx"
    args = ["bank", str(tmp_path / "parcels.gpkg"), "--zones", str(tmp_path / "zones.gpkg")]
    result = CliRunner().invoke(
        main, [*args, "--as-of", AS_OF, "-o", str(out), "--excel", str(book)]
    )
    assert result.exit_code == 0, result.output
    assert (
        "5 candidates from 6 parcels (acquisition 2, relocation 1, multistorey 1, self_upgrade 1)"
        in result.output
    )
    assert (
        "not evaluated: eliminated_industry (missing policy `inefficient.eliminated_industries`)"
        in result.output
    )
    written = pyogrio.read_dataframe(out, layer="project_bank")
    assert written["candidate_id"].tolist() == ["C-A", "C-D", "C-B", "C-C", "C-E"]
    assert openpyxl.load_workbook(book)["项目库"]["A1"].value == "候选编号"
    bad = CliRunner().invoke(main, [*args, "--as-of", "someday", "-o", str(out)])
    assert bad.exit_code == 2
    assert "`as_of` passed to build_project_bank() must be a date" in bad.output


def test_every_reason_code_occurs_on_the_sample():
    s = landuse.load_sample()
    # the eliminated list is user input: name one division (textiles, 17) for the test; the
    # example profile sets the tax floor and output standard qingdao-2019 leaves unset
    policy = EX.replace({"inefficient.eliminated_industries": ["17"]})
    # the sample's rasters cover one zone: the parcels elsewhere are named, once per raster
    with pytest.warns(LanduseWarning, match=r"raster_evidence\(\): 3,845 of 4,269 parcels") as rec:
        evidence = landuse.raster_evidence(
            s.parcels,
            landcover=s.rasters["builtup"],
            builtup_classes=(1,),
            night_light=s.rasters["night_light"],
            policy=policy,
        )
    assert len(rec) == 2
    bank = build_project_bank(
        s.parcels,
        zones=s.zones,
        buildings=s.buildings,
        as_of=s.as_of,
        policy=policy,
        raster_evidence=evidence,
    )
    found = set(bank["reasons"].str.split(";").explode())
    assert found == set(reason_codes()["code"])
    assert bank.attrs["not_evaluated"] == {}
    assert set(bank["route"]) == set(ROUTES)
    assert bank["candidate_id"].is_unique
    assert bank["parcel_id"].is_unique
    assert (bank["priority"].diff().dropna() <= 0).all()


def test_progress_bar(parcels, capsys):
    pytest.importorskip("tqdm")
    quiet = build_project_bank(parcels, zones=zones_of(), as_of=AS_OF, policy=QD)
    shown = build_project_bank(parcels, zones=zones_of(), as_of=AS_OF, policy=QD, progress=True)
    assert_geodataframe_equal(quiet, shown)
    assert "build_project_bank: 100%" in capsys.readouterr().err
