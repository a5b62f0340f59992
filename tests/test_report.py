"""The output layer (landuse.report): every table landuse writes, read back as analysts open it.

A two-row table built here: zone QD01 with a 100 m × 100 m parcel (15 亩) and QD02 with half of
it (7.5 亩); each value below is checked by hand.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import warnings

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

import landuse
from landuse.errors import LanduseWarning
from landuse.report import (
    About,
    OutputError,
    display_width,
    present,
    restore_codes,
    write_table,
    write_tables,
)

from conftest import unavailable

NAME = "青岛某某机械制造有限公司"  # 12 CJK characters: 24 columns wide in Excel
LINK = '=HYPERLINK("http://evil.example","x")'
LONG = "闲置土地：" + "已开发面积不足三分之一，" * 8  # 101 characters: wrapped


def table() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "zone_id": ["QD01", "QD02"],
            "enterprise": [NAME, LINK],
            "land_area_mu": [15.0, 7.5],
            "share_in_zone": [0.4548314562708767, 1.0],
            "tax_wan": [1234567.891, 0.0],
            "priority": [74.28770413314038, 12.0],
            "grant_date": pd.to_datetime(["2019-03-05", None]),
            "verdict": ["straddles_boundary", "inside"],
            "far_pass": pd.array([True, False], dtype="boolean"),
            "reason_text": [LONG, "短"],
        },
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(200, 0, 250, 100)],
        crs="EPSG:4549",
    )


ABOUT = About(
    title="测试表",
    policy=landuse.load_policy("qingdao-2019"),
    as_of="2021-12-31",
    sources=("宗地.shp",),
    notes=("第一条备注",),
)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    out = tmp_path_factory.mktemp("x") / "t.xlsx"
    write_table(table(), out, name="合规", about=ABOUT)
    return out


def cells(sheet) -> dict[str, openpyxl.cell.Cell]:
    """Row 2 by header text."""
    return {h.value: c for h, c in zip(sheet[1], sheet[2], strict=True)}


def test_excel_headers_values_and_codes(workbook):
    sheet = openpyxl.load_workbook(workbook)["合规"]
    assert [c.value for c in sheet[1]] == [
        "集聚区编号", "企业名称", "用地面积（亩）", "集聚区内面积占比", "税收（万元）", "优先级得分",
        "出让日期", "判定结果", "容积率达标", "认定原因", "判定结果代码",
    ]  # fmt: skip
    row = cells(sheet)
    assert row["判定结果"].value == "跨集聚区边界"
    assert row["判定结果代码"].value == "straddles_boundary"
    assert row["容积率达标"].value == "是"
    assert sheet["I3"].value == "否"
    # the values are kept whole; the format decides what is shown
    assert row["集聚区内面积占比"].value == 0.4548314562708767
    assert row["优先级得分"].value == 74.28770413314038
    assert row["出让日期"].value == pd.Timestamp("2019-03-05").to_pydatetime()
    assert sheet["G3"].value is None  # a missing date is an empty cell
    # text from data is a string cell, never a formula
    assert (sheet["B3"].data_type, sheet["B3"].value) == ("s", LINK)


def test_excel_formats_freeze_filter_widths(workbook):
    sheet = openpyxl.load_workbook(workbook)["合规"]
    row = cells(sheet)
    assert row["用地面积（亩）"].number_format == "#,##0.00"
    assert row["集聚区内面积占比"].number_format == "0.0%"
    assert row["税收（万元）"].number_format == "#,##0.00"
    assert row["优先级得分"].number_format == "0.0"
    assert row["出让日期"].number_format == "yyyy-mm-dd"
    assert row["出让日期"].is_date
    assert sheet["A1"].font.b is True
    assert sheet.freeze_panes == "B2"  # the header row and the id column
    assert sheet.auto_filter.ref == "A1:K3"
    # widths from the content, CJK counted double: 24 + 2 for the enterprise name
    assert display_width(NAME) == 24
    assert display_width(LINK) == 37  # the longer of the two values
    assert sheet.column_dimensions["B"].width == pytest.approx(37 + 2, abs=0.72)
    assert sheet.column_dimensions["J"].width == pytest.approx(60, abs=0.72)  # capped
    assert row["认定原因"].alignment.wrap_text is True
    assert not row["企业名称"].alignment.wrap_text


def test_excel_about_sheet(workbook):
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["合规", "说明"]
    about = book["说明"]
    items = {r[0]: r[1] for r in about.iter_rows(min_row=2, max_col=2, values_only=True) if r[0]}
    assert items["表格内容"] == "测试表"
    assert items["政策配置"].startswith("qingdao-2019（继承 national-2008）")
    assert items["基准日期"] == "2021-12-31"
    assert items["数据来源"] == "宗地.shp"
    assert items["软件版本"] == f"landuse {landuse.__version__}"
    assert items["备注"] == "第一条备注"
    # the column dictionary: sheet, header, field, unit, values
    rows = [r for r in about.iter_rows(values_only=True) if r[0] == "合规"]
    by_field = {r[2]: r for r in rows}
    assert by_field["land_area_mu"][1:4] == ("用地面积（亩）", "land_area_mu", "亩")
    assert by_field["share_in_zone"][3] == "%"
    assert "straddles_boundary = 跨集聚区边界" in by_field["verdict_code"][4]


def test_excel_in_english(tmp_path):
    out = write_table(table(), tmp_path / "t.xlsx", lang="en")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["t", "About"]
    row = cells(book["t"])
    assert row["Verdict"].value == "Straddles a zone boundary"
    assert row["Land area (mu)"].value == 15.0
    assert row["Tax (10k CNY)"].number_format == "#,##0.00"


def test_libreoffice_shows_the_formats(workbook, tmp_path):
    """The workbook as LibreOffice Calc shows it: 45.5 %, thousands separators, dates."""
    if shutil.which("soffice") is None:
        unavailable("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    subprocess.run(
        # UTF-8 (76), cells "as shown" (the last token): the text a person sees in Calc
        ["soffice", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",
         "--outdir", str(tmp_path), str(workbook)],
        check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    shown = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    first = shown.iloc[0]
    assert first["集聚区内面积占比"] == "45.5%"
    assert first["税收（万元）"] == "1,234,567.89"
    assert first["用地面积（亩）"] == "15.00"
    assert first["优先级得分"] == "74.3"
    assert first["出让日期"] == "2019-03-05"
    assert first["判定结果"] == "跨集聚区边界"
    assert shown.iloc[1]["企业名称"] == LINK  # not evaluated


def test_csv_rounds_by_unit_and_shows_shares_as_percent(tmp_path):
    out = write_table(table(), tmp_path / "t.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert back["集聚区内面积占比（%）"].tolist() == [45.48, 100.0]
    assert back["税收（万元）"].tolist() == [1234567.89, 0.0]
    assert back["优先级得分"].tolist() == [74.29, 12.0]
    assert back["判定结果"].tolist() == ["跨集聚区边界", "位于集聚区内"]
    assert back["企业名称"].tolist() == [NAME, "'" + LINK]  # the formula guard


def test_csv_keeps_hostile_text_as_text(tmp_path):
    """A lone surrogate (undecodable bytes) is written as its escape; formulas are guarded."""
    t = pd.DataFrame({"enterprise": pd.Series(["-\udc80x", "=1+1", "\udc80"], dtype=object)})
    out = write_table(t, tmp_path / "t.csv")
    back = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert back["企业名称"].tolist() == ["'-\\udc80x", "'=1+1", "\\udc80"]


def test_parquet_keeps_canonical_names_and_the_codes(tmp_path):
    out = write_table(table(), tmp_path / "t.parquet")
    back = gpd.read_parquet(out)
    assert back.crs.to_epsg() == 4549
    assert back["verdict"].tolist() == ["跨集聚区边界", "位于集聚区内"]
    assert back["verdict_code"].tolist() == ["straddles_boundary", "inside"]
    assert back["share_in_zone"].tolist() == [0.4548314562708767, 1.0]
    assert back.area.tolist() == [10000.0, 5000.0]


def test_geopackage_aliases_style_and_codes(tmp_path):
    out = write_table(table(), tmp_path / "t.gpkg", name="compliance")
    back = pyogrio.read_dataframe(out, layer="compliance")
    assert back["verdict"].tolist() == ["跨集聚区边界", "位于集聚区内"]
    assert restore_codes(back)["verdict"].tolist() == ["straddles_boundary", "inside"]
    assert "verdict_code" not in restore_codes(back).columns
    with sqlite3.connect(out) as db:
        aliases = dict(
            db.execute(
                "SELECT column_name, name FROM gpkg_data_columns WHERE table_name = ?",
                ("compliance",),
            ).fetchall()
        )
        styles = db.execute(
            "SELECT f_table_name, useAsDefault, styleQML FROM layer_styles"
        ).fetchall()
    assert aliases["land_area_mu"] == "用地面积（亩）"
    assert aliases["share_in_zone"] == "集聚区内面积占比（0–1）"
    assert aliases["verdict_code"] == "判定结果代码"
    assert [(name, bool(default)) for name, default, _ in styles] == [("compliance", True)]
    # the web map's classes: straddling in #fdae61 = 253,174,97
    assert 'value="straddles_boundary" label="跨集聚区边界"' in styles[0][2]
    assert "253,174,97" in styles[0][2]


def test_several_tables(tmp_path):
    one = pd.DataFrame({"zone_id": ["QD01"], "count": [3]})
    paths = write_tables({"main": table(), "summary": one}, tmp_path / "t.csv")
    assert [p.name for p in paths] == ["t.csv", "t_summary.csv"]
    assert pd.read_csv(paths[1], encoding="utf-8-sig").to_dict("list") == {
        "集聚区编号": ["QD01"],
        "数量": [3],
    }
    book = write_tables({"甲": table(), "乙": one}, tmp_path / "t.xlsx")[0]
    assert openpyxl.load_workbook(book).sheetnames == ["甲", "乙", "说明"]


def test_unknown_type_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(OutputError, match=r"unknown output type '\.txt'; give a file ending in"):
        write_table(table(), tmp_path / "t.txt")
    with pytest.raises(OutputError, match="it is a folder"):
        write_table(table(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_the_previous_file(tmp_path):
    out = write_table(table(), tmp_path / "t.xlsx")
    before = out.read_bytes()

    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("cannot show this value")

    bad = pd.DataFrame({"note": ["fine", Broken()]})
    with pytest.raises(RuntimeError, match="cannot show this value"):
        write_tables({"a": table(), "b": bad}, out)
    assert out.read_bytes() == before
    with pytest.raises(OutputError, match=r"two tables would get the sheet name 'a_b'"):
        write_tables({"a:b": table(), "a/b": table()}, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_text_longer_than_a_cell_is_cut_with_a_warning(tmp_path):
    t = pd.DataFrame({"note": ["x" * 40000, "ok"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = write_table(t, tmp_path / "t.xlsx", caller="demo")
    messages = [str(w.message) for w in caught if issubclass(w.category, LanduseWarning)]
    assert len(messages) == 1
    assert "1 text cell(s) are longer than the 32,767 characters" in messages[0]
    assert len(openpyxl.load_workbook(out)["t"]["A2"].value) == 32767


def test_present_leaves_the_input_alone_and_drops_label_twins():
    t = pd.DataFrame({"route": ["acquisition", None], "route_label": ["收购储备", None]})
    before = t.copy()
    shown, columns = present(t)
    pd.testing.assert_frame_equal(t, before)
    assert shown.columns.tolist() == ["再开发路径", "再开发路径代码"]
    assert shown["再开发路径"].tolist()[0] == "收购储备"
    assert pd.isna(shown["再开发路径"].tolist()[1])
    assert [c.name for c in columns] == ["route", "route_code"]


def test_unknown_numbers_keep_their_name_and_a_neutral_format(tmp_path):
    t = pd.DataFrame({"mystery": [0.123456], "count_of_things": [np.int64(1234)]})
    out = write_table(t, tmp_path / "t.xlsx")
    row = cells(openpyxl.load_workbook(out)["t"])
    assert row["mystery"].number_format == "#,##0.00##"
    assert row["count_of_things"].number_format == "#,##0"
