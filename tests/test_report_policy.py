"""The policy an output was made with, as analysts read it (issue 22).

A one-row frame whose ``attrs`` are set by hand, as :func:`landuse._checks.records_policy` and an
analysis's ``not_evaluated`` set them: the workbook lists each policy key used on a 政策参数
sheet (value, unit, source, confidence in words) and a "not evaluated: set `key`" row for a key
left unset; made with the example profile, its 说明 sheet opens with the notice. Every expected
value below is read off the TOML profiles by hand.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

import landuse
from landuse.report import (
    CONFIDENCE_LABELS,
    About,
    example_notice,
    policy_parameters,
    show_table,
    write_table,
)

NOTICE = "示例参数 example values"
TAX = "inefficient.tax_wan_per_mu_min"


def frame(policy: str = "qingdao-2019", **attrs) -> pd.DataFrame:
    t = pd.DataFrame({"zone_id": ["QD01"], "land_area_mu": [15.0]})
    t.attrs = {"policy": policy, "policy_keys": ("idle.fee_share", TAX), **attrs}
    return t


def sheet_rows(path, name: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))


def test_the_parameters_sheet_lists_each_key_with_value_unit_source_and_confidence(tmp_path):
    out = write_table(frame(), tmp_path / "t.xlsx", about=About(title="测试"))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["t", "政策参数", "说明"]
    rows = sheet_rows(out, "政策参数")
    assert rows[0] == ("参数", "取值", "单位", "来源", "可信度", "说明")
    by_key = {r[0]: r for r in rows[1:]}
    assert list(by_key) == ["idle.fee_share", TAX]  # sorted, one row each
    fee = by_key["idle.fee_share"]
    assert fee[1:3] == ("0.2", "share of the grant or allocation price")
    assert fee[3].startswith("国土资源部令第53号")
    assert fee[4] == "V 已核实"
    # qingdao-2019 ships the tax floor unset: the rule is not evaluated, the sheet says so
    tax = by_key[TAX]
    assert tax[1] == f"未评价：请设置 `{TAX}`"
    assert tax[2] == "万元/亩·年"
    assert tax[4] == "需用户设定（未设置）"
    # the 说明 sheet points to it and counts the unset key; no notice for a real profile
    about = sheet_rows(out, "说明")
    assert about[0][:2] == ("项目", "内容")
    items = {r[0]: r[1] for r in about[1:] if r[0]}
    assert items["政策参数"] == (
        "见工作表“政策参数”：2 项参数（取值、单位、来源、可信度），其中 1 项未设置、相应规则未评价"
    )
    assert items["政策配置"].startswith("qingdao-2019（继承 national-2008）")


def test_set_by_the_example_profile_the_value_applies_and_the_notice_heads_about(tmp_path):
    out = write_table(frame("qingdao-2019-example"), tmp_path / "t.xlsx")
    by_key = {r[0]: r for r in sheet_rows(out, "政策参数")[1:]}
    assert by_key[TAX][1] == "20"
    assert by_key[TAX][4] == "I 推断/方法选择"
    assert by_key[TAX][3].startswith("example: the zone creation condition 2")
    sheet = openpyxl.load_workbook(out)["说明"]
    top = sheet["A1"]
    assert top.value == landuse.load_policy("qingdao-2019-example").example_notice
    assert top.value.startswith(NOTICE)
    assert top.font.b is True
    assert top.fill.fgColor.rgb == "FFFFEB9C"  # highlighted
    assert "A1:E1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == "项目"  # the table starts below the notice
    assert sheet.freeze_panes == "A3"


def test_a_rule_not_evaluated_names_its_key_and_why(tmp_path):
    why = "reward pool: set `assessment.reward_top_count`"
    t = frame(not_evaluated=[why, "elimination by expected targets: pass `targets=`"])
    params = policy_parameters(t)
    assert params["参数"].tolist() == ["assessment.reward_top_count", "idle.fee_share", TAX]
    row = params.set_index("参数").loc["assessment.reward_top_count"]
    assert row["取值"] == "未评价：请设置 `assessment.reward_top_count`"
    assert row["说明"].startswith(why + "；Set the city's rule")
    # a mapping rule → missing keys, as the bank and efficiency record it
    mapped = frame(policy_keys=(), not_evaluated={"low_tax": [f"set `{TAX}`"]})
    assert (
        policy_parameters(mapped)[["参数", "说明"]]
        .values.tolist()[0][1]
        .startswith(f"low_tax: set `{TAX}`")
    )
    # the same key set (example profile): its value, and no "waiting" note
    set_row = policy_parameters(frame("qingdao-2019-example", not_evaluated=[why]))
    reward = set_row.set_index("参数").loc["assessment.reward_top_count"]
    assert (reward["取值"], reward["可信度"]) == ("3", "U 未核实")
    assert not reward["说明"].startswith(why)


def test_a_user_override_shows_the_applied_value(tmp_path):
    policy = landuse.load_policy("qingdao-2019").replace({TAX: 25})
    out = write_table(frame(), tmp_path / "t.xlsx", about=About(policy=policy))
    tax = {r[0]: r for r in sheet_rows(out, "政策参数")[1:]}[TAX]
    assert (tax[1], tax[3], tax[4]) == ("25", "user override", "user 用户设定")


def test_a_profile_known_only_by_name_is_not_guessed(tmp_path):
    params = policy_parameters(frame("my-district"))
    assert params["取值"].str.startswith("（取值未记录：政策配置 my-district").all()
    assert example_notice("my-district") is None


def test_english_headers_and_labels(tmp_path):
    out = write_table(frame("qingdao-2019-example"), tmp_path / "t.xlsx", lang="en")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["t", "Policy parameters", "About"]
    rows = sheet_rows(out, "Policy parameters")
    assert rows[0] == ("Parameter", "Value", "Unit", "Source", "Confidence", "Note")
    assert rows[1][4] == "V verified"
    assert book["About"]["A1"].value.startswith(NOTICE)


def test_no_keys_no_sheet_and_csv_holds_the_table_only(tmp_path):
    t = pd.DataFrame({"zone_id": ["QD01"]})
    assert openpyxl.load_workbook(write_table(t, tmp_path / "t.xlsx")).sheetnames == ["t", "说明"]
    csv = write_table(frame("qingdao-2019-example"), tmp_path / "t.csv")
    assert NOTICE not in csv.read_text(encoding="utf-8-sig")  # the README says so


@pytest.mark.parametrize(
    ("code", "zh"),
    [("V", "已核实"), ("S", "二手来源"), ("I", "推断/方法选择"), ("U", "未核实"),
     ("from-plan", "计划文本"), ("user", "用户设定")],
)  # fmt: skip
def test_every_confidence_code_has_its_label(code, zh):
    from landuse.policy import CONFIDENCE_TAGS

    assert set(CONFIDENCE_LABELS) == set(CONFIDENCE_TAGS)
    assert CONFIDENCE_LABELS[code][0] == zh


def test_a_notebook_table_of_an_example_profile_is_captioned():
    assert NOTICE in show_table(frame("qingdao-2019-example")).to_html()
    assert NOTICE not in show_table(frame()).to_html()


def test_a_real_result_lists_the_unset_floor_as_not_evaluated(tmp_path):
    """find_inefficient_land on qingdao-2019: the tax floor is named, not applied (issue 22)."""
    from landuse.efficiency import find_inefficient_land

    s = landuse.load_sample()
    parcels = s.parcels.head(40)
    rows = {}
    for policy in ("qingdao-2019", "qingdao-2019-example"):
        found = find_inefficient_land(parcels, as_of=s.as_of, policy=policy)
        params = policy_parameters(found).set_index("参数")
        rows[policy] = params.loc[TAX, "取值"]
    assert rows == {"qingdao-2019": f"未评价：请设置 `{TAX}`", "qingdao-2019-example": "20"}


def test_a_geopackage_layer_of_an_example_profile_describes_itself(tmp_path):
    """gpkg_contents.description (QGIS: the layer's abstract) holds the notice."""
    import sqlite3

    import geopandas as gpd
    import shapely

    def layer(policy):
        t = gpd.GeoDataFrame(
            {"zone_id": ["QD01"]}, geometry=[shapely.box(0, 0, 100, 100)], crs="EPSG:4549"
        )
        t.attrs = {"policy": policy}
        return t

    described = {}
    for policy in ("qingdao-2019-example", "qingdao-2019"):
        out = write_table(layer(policy), tmp_path / f"{policy}.gpkg", name="bank")
        with sqlite3.connect(out) as db:
            described[policy] = db.execute(
                "SELECT description FROM gpkg_contents WHERE table_name = 'bank'"
            ).fetchone()[0]
    assert described["qingdao-2019-example"] == example_notice("qingdao-2019-example")
    assert NOTICE not in (described["qingdao-2019"] or "")


def test_a_result_records_the_values_its_analysis_applied(tmp_path):
    """An override or a user's own TOML: the sheet shows what was applied, from the result."""
    from landuse.efficiency import find_inefficient_land

    s = landuse.load_sample()
    parcels = s.parcels.head(40)
    changed = landuse.load_policy("qingdao-2019").replace({TAX: 25})
    found = find_inefficient_land(parcels, as_of=s.as_of, policy=changed)
    assert found.attrs["policy"] == "qingdao-2019"  # the name alone would show the profile's
    assert found.attrs["policy_params"][TAX]["value"] == 25.0
    out = write_table(found.drop(columns="geometry"), tmp_path / "t.xlsx")
    tax = {r[0]: r for r in sheet_rows(out, "政策参数")[1:]}[TAX]
    assert (tax[1], tax[3], tax[4]) == ("25", "user override", "user 用户设定")
    # a user's TOML extending the example: values recorded, the notice kept
    own = tmp_path / "district.toml"
    own.write_text(
        'extends = "qingdao-2019-example"\n[inefficient.tax_wan_per_mu_min]\nvalue = 18\n'
        'unit = "万元/亩·年"\nsource = "区政府文件（示例）"\nconfidence = "V"\n',
        encoding="utf-8",
    )
    found = find_inefficient_land(parcels, as_of=s.as_of, policy=own)
    out = write_table(found.drop(columns="geometry"), tmp_path / "d.xlsx")
    tax = {r[0]: r for r in sheet_rows(out, "政策参数")[1:]}[TAX]
    assert (tax[1], tax[3], tax[4]) == ("18", "区政府文件（示例）", "V 已核实")
    assert openpyxl.load_workbook(out)["说明"]["A1"].value.startswith(NOTICE)
