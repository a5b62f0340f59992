"""``landuse enterprises``: the 亩均 evaluation from the command line (issue 19)."""

from __future__ import annotations

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from landuse.cli import main

X, Y, Z = "91330201MA282UF146", "91330401MA28ADM67R", "913702000000000012"
HEADERS = {
    "credit_code": "统一社会信用代码",
    "name": "企业名称",
    "year": "年度",
    "above_scale": "规上/规下",
    "industry_code": "行业代码",
    "tax_wan": "税收（万元）",
    "revenue_wan": "主营业务收入（万元）",
    "value_added_wan": "工业增加值（万元）",
    "energy_tce": "综合能耗（tce）",
    "emissions_t": "主要污染物排放量（t）",
    "rd_spend_wan": "研发经费（万元）",
    "employees": "从业人员（人）",
}


@pytest.fixture
def files(tmp_path):
    """X holds P1 (15 亩) and rents 2,000 of its 8,000 m² to Y (规下); Z holds P2 (15 亩)."""
    rows = []
    for year in (2020, 2021):
        for code, name, above, tax in ((X, "甲", "规上", 450.0), (Y, "乙", "规下", 30.0),
                                       (Z, "丙", "规上", 300.0)):  # fmt: skip
            rows.append({"credit_code": code, "name": name, "year": year, "above_scale": above,
                         "industry_code": "3411", "tax_wan": tax, "revenue_wan": tax * 20,
                         "value_added_wan": tax * 5, "energy_tce": tax, "emissions_t": 1.0,
                         "rd_spend_wan": tax / 10, "employees": 100})  # fmt: skip
    enterprises = tmp_path / "企业.csv"
    pd.DataFrame(rows).rename(columns=HEADERS).to_csv(
        enterprises, index=False, encoding="utf-8-sig"
    )
    tenancies = tmp_path / "租赁.csv"
    pd.DataFrame(
        {"承租企业统一社会信用代码": [Y], "宗地编号": ["P1"], "租赁建筑面积（m²）": [2000.0]}
    ).to_csv(tenancies, index=False, encoding="utf-8-sig")
    parcels = tmp_path / "宗地.gpkg"
    gpd.GeoDataFrame(
        {"宗地编号": ["P1", "P2"], "权利人统一社会信用代码": [X, Z], "用途": ["工业用地"] * 2,
         "用地面积": [10_000.0, 10_000.0], "建筑面积": [8_000.0, 6_000.0]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100)],
        crs="EPSG:4549",
    ).to_file(parcels)  # fmt: skip
    return ["--enterprises", str(enterprises), "--tenancies", str(tenancies),
            "--parcels", str(parcels)]  # fmt: skip


def test_enterprises_files_one_year(files, tmp_path):
    out = tmp_path / "亩均.xlsx"
    result = CliRunner().invoke(main, ["enterprises", "--year", "2021", *files, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "2021 年 3 家企业" in result.output
    # tenants are not evaluated while mujun.rented_land_rule is unset (qingdao-2019)
    assert "不在评价范围：未评价 1 家" in result.output
    assert "等级：B 类 1 家，D 类 1 家" in result.output
    assert "未匹配" not in result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "2021年"


def test_enterprises_years_history_example_policy(files, tmp_path):
    out = tmp_path / "亩均.xlsx"
    args = ["enterprises", "--year", "2021", "--years", "2020,2021", "--policy",
            "qingdao-2019-example", *files, "-o", str(out)]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    # Y on 3.75 亩 (2,000 / 8,000 of 15 亩) is under the 5 亩 from which 规下 firms count
    assert "不在评价范围：规下企业 1 家" in result.output
    assert "等级：B 类 1 家，D 类 1 家" in result.output
    assert "未匹配" not in result.output
    sheets = openpyxl.load_workbook(out).sheetnames
    assert sheets[:3] == ["2020年", "2021年", "历年等级"]


def test_enterprises_sample_default(tmp_path):
    out = tmp_path / "样例.xlsx"
    result = CliRunner().invoke(main, ["enterprises", "--year", "2021", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "2021 年 2747 家企业" in result.output
    assert "未匹配：承租宗地不在宗地表 1 个" in result.output
    assert out.is_file()


def test_enterprises_checks_output_before_reading(files, tmp_path):
    result = CliRunner().invoke(
        main, ["enterprises", "--year", "2021", *files, "-o", str(tmp_path / "x.csv")]
    )
    assert result.exit_code != 0
    assert "unknown output type" in result.output


def test_enterprises_needs_both_files(tmp_path):
    result = CliRunner().invoke(
        main, ["enterprises", "--year", "2021", "--parcels", str(tmp_path), "-o",
               str(tmp_path / "x.xlsx")],
    )  # fmt: skip
    assert result.exit_code != 0
    assert "--enterprises" in result.output
