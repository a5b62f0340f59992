"""The `landuse` command: demo on the sample, validate on a user's file."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from conftest import QD_GK, square

import landuse
from landuse.cli import main
from landuse.report import About

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import check_demo


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"landuse, version {landuse.__version__}"


def test_demo_writes_layers_and_map(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    # the example profile (issue 22): its notice heads the summary, and stderr says it once
    policy = landuse.load_policy("qingdao-2019-example")
    assert result.stdout.splitlines()[0] == f"policy qingdao-2019-example: {policy.example_notice}"
    assert result.stdout.splitlines()[-1].endswith(
        "(sample data are synthetic; policy qingdao-2019-example: 示例参数 example values)"
    )
    assert result.stderr.splitlines().count(f"warning: {policy.example_notice}") == 1
    assert check_demo.check(out) == []  # every workbook and the map carry the notice
    gpkg = out / "landuse_sample.gpkg"
    layers = {str(name) for name in pyogrio.list_layers(gpkg)[:, 0]}
    assert layers == {
        "zones",
        "functional_areas",
        "parcels",
        "buildings",
        "proposals",
        "zone_stats",
        "layer_styles",  # the QGIS styles of the five map layers
    }
    sample = landuse.load_sample()
    parcels = pyogrio.read_dataframe(gpkg, layer="parcels")
    assert len(parcels) == len(sample.parcels)
    assert parcels.crs.to_epsg() == 4549
    assert parcels["parcel_id"].tolist() == sample.parcels["parcel_id"].tolist()
    html = (out / "zones_map.html").read_text(encoding="utf-8")
    for name in sample.zones["name"]:  # as UTF-8 text or as JSON \\u escapes
        assert name in html or json.dumps(name)[1:-1] in html
    assert "zones_map.html" in result.output
    for name in [
        "bank.gpkg",
        "bank.xlsx",
        "compliance.xlsx",
        "zone_assessment_2021.xlsx",
        "supply_options.csv",
        "activity_index.tif",
    ]:
        assert (out / name).stat().st_size > 0, name
    bank = pyogrio.read_dataframe(out / "bank.gpkg", layer="project_bank")
    assert len(bank) > 0
    # routes by their Chinese names, the codes beside them
    assert set(bank["route"]) <= {"收购储备", "腾退", "工业上楼", "自主提升"}
    assert set(bank["route_code"]) <= {"acquisition", "relocation", "multistorey", "self_upgrade"}
    assert bank["parcel_id"].isin(sample.parcels["parcel_id"]).all()
    # the raster evidence reaches the bank as reasons
    codes = set(bank["reasons"].str.split(";").explode())
    assert {"vacant_by_raster", "dark_by_night_light"} <= codes


def test_check_demo_finds_an_output_without_the_notice(tmp_path):
    """scripts/check_demo.py names a workbook or a map of the demo that lacks the notice."""
    out = tmp_path / "demo"
    assert CliRunner().invoke(main, ["demo", "--out", str(out)]).exit_code == 0
    t = pd.DataFrame({"zone_id": ["QD01"]})
    landuse.report.write_table(t, out / "compliance.xlsx", about=About(policy="qingdao-2019"))
    html = out / "zones_map.html"
    html.write_text(html.read_text(encoding="utf-8").replace("示例参数", "参数"), encoding="utf-8")
    assert check_demo.check(out) == [
        "compliance.xlsx: the 说明 sheet does not open with the '示例参数 example values' notice",
        "zones_map.html: no '示例参数 example values' notice (the demo uses an example profile)",
    ]


def test_validate_reports_and_writes(tmp_path):
    raw = gpd.GeoDataFrame(
        {"宗地编号": ["即墨-1"], "用地面积(亩)": [15]}, geometry=[square(*QD_GK)], crs="EPSG:4549"
    )
    raw.to_file(tmp_path / "p.shp", encoding="gbk")
    (tmp_path / "p.cpg").unlink()
    out = tmp_path / "checked.gpkg"
    result = CliRunner().invoke(
        main, ["validate", str(tmp_path / "p.shp"), "--role", "parcels", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "encoding gb18030 (detected)" in result.output
    assert "宗地编号→parcel_id" in result.output
    back = pyogrio.read_dataframe(out, layer="parcels")
    assert back["parcel_id"].tolist() == ["即墨-1"]
    assert back["land_area_m2"].tolist() == [10000.0]
    # the landuse readers pick the data layer, not the QGIS styles beside it (the field cut
    # by the shapefile's 10-byte limit is kept and warned about again)
    with pytest.warns(landuse.LanduseWarning, match="unclosed bracket"):
        assert landuse.read_parcels(out)["parcel_id"].tolist() == ["即墨-1"]
    with sqlite3.connect(out) as db:
        alias = db.execute(
            "SELECT name FROM gpkg_data_columns WHERE table_name = 'parcels' "
            "AND column_name = 'land_area_m2'"
        ).fetchone()
    assert alias == ("用地面积（平方米）",)


def test_validate_fails_clearly(tmp_path):
    raw = gpd.GeoDataFrame({"宗地编号": ["a", "a"]}, geometry=[square(*QD_GK)] * 2, crs="EPSG:4549")
    raw.to_file(tmp_path / "dup.gpkg")
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "dup.gpkg"), "--role", "parcels"])
    assert result.exit_code == 2
    assert "error: parcels" in result.output
    assert "must be unique" in result.output
