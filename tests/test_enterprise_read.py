"""Enterprise-year tables (issue 19, point 1): credit codes and ``read_enterprises``.

Fixtures are built in code: Excel files written with openpyxl, CSV files in UTF-8 with BOM and
in GBK, in ``tmp_path``. The real credit codes below were found in public sources through the
project's code search; each is listed with where it came from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from landuse.enterprise import read_enterprises, validate_credit_code
from landuse.enterprise._credit import ALPHABET, WEIGHTS
from landuse.errors import LanduseWarning, SchemaError

#: Real, published codes (name of the holder; where the code was found).
REAL_CODES = [
    # 华为技术有限公司 — found in several public repositories, e.g. a GB 32100 validator test
    # that calls it "华为技术有限公司的统一社会信用代码（公开信息）, 校验位应为 6"
    "914403001922038216",
    # 宁波安联检测有限公司 / 嘉兴安联检测技术服务有限公司 — maomaolulu/sys-java,
    # src/main/java/may/yuntian/external/wanda/constant/OrganizeInfoConstants.java
    "91330201MA282UF146",
    "91330401MA28ADM67R",
    # 广州鸿源冷热设备有限公司 — a registration bureau's data packet (UNISCID) in
    # pgsheng/python3_interface, study_case/1.py
    "91440101MA5C44W11J",
    # 深圳市韩晶威电子有限公司 — TiuBen/All-js-project,
    # packages/backend/back-end/V3-api/data/公司信息.js
    "91440300670013855G",
    # Xiamen enterprises listed in 02020/vite, learn/utils/validateSocialCreditCode.js
    "91350200776049653A",
    "91350500798359476R",
    "9135021359498494XQ",
    "91350213678251743X",
    # hutool's CreditCodeUtilTest (dromara/hutool): its example of a valid code
    "91310110666007217T",
]

#: Codes issued by pilot offices before GB 32100-2015 that fail the check (aarioai/id-rule,
#: chinese_org_id.go: "计算出的校验位是 1 和 M 不符"; hutool CreditCodeUtilTest.isCreditCode2).
PILOT_CODES = {"91350100M0001TGQXM": "1", "91350211M00013FA1N": "3"}


def check_char(first17: str) -> str:
    """The GB 32100-2015 check character, written out plainly (independent of the package)."""
    total = sum(ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return ALPHABET[(31 - total % 31) % 31]


def code(body: str) -> str:
    """A valid code from its first 17 characters."""
    return body + check_char(body)


# --- the check character ----------------------------------------------------------------------


def test_weights_are_powers_of_three_mod_31_as_published() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert ALPHABET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)


@pytest.mark.parametrize("real", REAL_CODES)
def test_real_codes_pass(real: str) -> None:
    assert validate_credit_code(real) == real
    assert check_char(real[:17]) == real[17]


def test_a_whole_column_of_real_codes_keeps_its_index() -> None:
    codes = pd.Series(REAL_CODES, index=[f"E{i}" for i in range(len(REAL_CODES))])
    out = validate_credit_code(codes)
    pd.testing.assert_series_equal(out, codes.astype(out.dtype))
    assert validate_credit_code(codes, errors="report").empty


def test_a_wrong_check_character_names_the_expected_one() -> None:
    with pytest.raises(SchemaError, match=r"row 0 '914403001922038217'.*is '7', expected '6'"):
        validate_credit_code(["914403001922038217"])
    report = validate_credit_code(["914403001922038217"], errors="report")
    assert report.loc[0, "problem"] == "check"
    assert report.loc[0, "expected"] == "6"


@pytest.mark.parametrize(("pilot", "expected"), sorted(PILOT_CODES.items()))
def test_pilot_codes_before_the_standard_are_reported_with_the_computed_character(
    pilot: str, expected: str
) -> None:
    report = validate_credit_code([pilot], errors="report")
    assert report["problem"].tolist() == ["check"]
    assert report["expected"].tolist() == [expected]


def test_full_width_lower_case_and_spaces_are_normalised() -> None:
    raw = pd.Series(
        ["９１３３０２０１ＭＡ２８２ＵＦ１４６", " 91330401ma28adm67r ", "9144 0300 1922 0382 16"]
    )
    assert validate_credit_code(raw).tolist() == [
        "91330201MA282UF146",
        "91330401MA28ADM67R",
        "914403001922038216",
    ]
    assert (
        validate_credit_code("９１４４０３００１９２２０３８２１６\u3000") == "914403001922038216"
    )


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_i_o_s_v_z_are_refused(letter: str) -> None:
    bad = "91440300" + letter + "922038216"
    with pytest.raises(SchemaError, match=rf"character '{letter}' at position 9 is not allowed"):
        validate_credit_code([bad])


def test_length_division_digits_and_missing_codes_are_reported() -> None:
    codes = pd.Series(["91440300192203821", "91A40300192203821X", None, "914403001922038216"])
    report = validate_credit_code(codes, errors="report")
    assert report["problem"].tolist() == ["length", "division", "missing"]
    assert report.index.tolist() == [0, 1, 2]
    assert "has 17 characters, not 18" in report.loc[0, "message"]
    assert "positions 3-8" in report.loc[1, "message"]


def test_raise_lists_count_five_rows_and_the_fix() -> None:
    bad = [f"9144030019220382{i}X" for i in range(7)]
    with pytest.raises(SchemaError, match=r"7 of 8 unified social credit codes") as err:
        validate_credit_code([*bad, "914403001922038216"])
    text = str(err.value)
    assert "row 4" in text
    assert "row 5" not in text
    assert "(+2 more)" in text
    assert "errors='coerce'" in text


def test_coerce_sets_bad_codes_missing_with_a_warning() -> None:
    codes = pd.Series(["914403001922038216", "914403001922038217"], index=[10, 11])
    with pytest.warns(LanduseWarning, match=r"row 11 .*expected '6'"):
        out = validate_credit_code(codes, errors="coerce")
    assert out.tolist()[0] == "914403001922038216"
    assert pd.isna(out[11])
    with pytest.warns(LanduseWarning, match="set to missing"):
        assert validate_credit_code("914403001922038217", errors="coerce") is None


def test_errors_must_be_one_of_three() -> None:
    with pytest.raises(ValueError, match="must be one of raise, coerce, report"):
        validate_credit_code("914403001922038216", errors="ignore")  # type: ignore[call-overload]


def test_100000_codes_checked_in_one_pass_find_exactly_the_wrong_ones() -> None:
    """Speed is measured in benchmarks/, not here; this checks the vectorised path at scale."""
    rng = np.random.default_rng(19)
    letters = np.array(list(ALPHABET))
    heads = ["91" + "".join(d) for d in rng.choice(list("0123456789"), size=(100_000, 6))]
    tails = ["".join(t) for t in rng.choice(letters, size=(100_000, 9))]
    bodies = [h + t for h, t in zip(heads, tails, strict=True)]
    codes = pd.Series([code(b) for b in bodies])
    codes[::1000] = codes[::1000].str[:17] + "Y"  # some wrong, some right by chance
    report = validate_credit_code(codes, errors="report")
    wrong = [i for i in range(0, 100_000, 1000) if check_char(bodies[i]) != "Y"]
    assert report.index.tolist() == wrong


# --- read_enterprises -------------------------------------------------------------------------

A = "91330201MA282UF146"
B = "91330401MA28ADM67R"
C = "91440101MA5C44W11J"


def bureau_table() -> pd.DataFrame:
    """Three enterprises of 2023 as a statistics bureau sends them (units in brackets)."""
    return pd.DataFrame(
        {
            "统一社会信用代码": [A.lower(), B, "９１４４０１０１ＭＡ５Ｃ４４Ｗ１１Ｊ"],
            "企业名称": ["宁波甲公司", "嘉兴乙公司", "广州丙公司"],
            "规上/规下": ["规上", "规下", "规上"],
            "行业代码": ["C3670", "0610", "3411"],
            "年度": [2023, 2023, 2023],
            "税收（元）": ["1,234,500", "80000", "0"],
            "主营业务收入(万元)": [5000, 300.5, 12000],
            "综合能耗（吨标准煤）": [800, 20, 1500],
            "主要污染物排放量（吨）": [3.5, 0.1, 6],
            "研发经费（千元）": [1000, 0, 2500],
            "年平均职工人数": [120, 15, 300],
            "用电量（万千瓦时）": [12.5, 0.8, 40],
            "成立日期": ["2016-05-03", "2019年3月1日", "20120101"],
        }
    )


def test_reads_a_bureau_frame_with_units_converted() -> None:
    firms = read_enterprises(bureau_table())
    assert firms["credit_code"].tolist() == [A, B, C]
    assert firms["year"].tolist() == [2023, 2023, 2023]
    assert str(firms["year"].dtype) == "Int64"
    assert firms["tax_wan"].tolist() == pytest.approx([123.45, 8.0, 0.0])
    assert firms["revenue_wan"].tolist() == [5000.0, 300.5, 12000.0]
    assert firms["rd_spend_wan"].tolist() == pytest.approx([100.0, 0.0, 250.0])
    assert firms["electricity_kwh"].tolist() == [125_000.0, 8_000.0, 400_000.0]
    assert firms["energy_tce"].tolist() == [800.0, 20.0, 1500.0]
    assert firms["employees"].tolist() == [120.0, 15.0, 300.0]
    assert firms["above_scale"].tolist() == [True, False, True]
    assert firms["industry_code"].tolist() == ["C3670", "0610", "3411"]
    assert firms["registered_on"].dt.strftime("%Y-%m-%d").tolist() == [
        "2016-05-03",
        "2019-03-01",
        "2012-01-01",
    ]
    report = firms.attrs["landuse_read"]
    assert report.columns["税收（元）"] == "tax_wan"
    assert report.columns["行业代码"] == "industry_code"
    assert report.units == {"tax_wan": 1e-4, "rd_spend_wan": 0.1, "electricity_kwh": 1e4}
    assert report.source == "<DataFrame>"
    assert report.rows_kept == 3


def test_reads_xlsx_with_sheet_and_year(tmp_path) -> None:
    path = tmp_path / "亩均效益2023.xlsx"
    table = bureau_table().drop(columns="年度")
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        table.head(1).to_excel(xl, sheet_name="说明", index=False)
        table.to_excel(xl, sheet_name="企业", index=False)
    firms = read_enterprises(path, sheet="企业", year=2023)
    assert firms["credit_code"].tolist() == [A, B, C]
    assert firms["year"].tolist() == [2023] * 3
    assert firms["industry_code"].tolist() == ["C3670", "0610", "3411"]
    assert firms["tax_wan"].tolist() == pytest.approx([123.45, 8.0, 0.0])
    report = firms.attrs["landuse_read"]
    assert "sheet '企业'" in report.source
    assert "year 2023 from year=" in report.notes


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_reads_csv_in_utf8_bom_and_gbk(tmp_path, encoding: str) -> None:
    path = tmp_path / f"enterprises-{encoding}.csv"
    bureau_table().to_csv(path, index=False, encoding=encoding)
    firms = read_enterprises(path)
    assert firms["name"].tolist() == ["宁波甲公司", "嘉兴乙公司", "广州丙公司"]
    assert firms["industry_code"].tolist() == ["C3670", "0610", "3411"]
    assert firms["tax_wan"].tolist() == pytest.approx([123.45, 8.0, 0.0])
    used = firms.attrs["landuse_read"].encoding
    assert used.startswith("gb18030" if encoding == "gbk" else "utf-8-sig")


def test_year_selects_the_rows_of_that_year() -> None:
    table = pd.concat([bureau_table(), bureau_table().assign(年度=2022)], ignore_index=True)
    firms = read_enterprises(table, year=np.int64(2022))
    assert firms["year"].tolist() == [2022] * 3
    assert firms.index.tolist() == [0, 1, 2]
    both = read_enterprises(table)
    assert len(both) == 6
    with pytest.raises(SchemaError, match="no rows of year 2021; the table holds years 2022, 2023"):
        read_enterprises(table, year=2021)


def test_a_money_column_without_a_unit_is_refused() -> None:
    table = bureau_table().rename(columns={"税收（元）": "税收"})
    with pytest.raises(
        SchemaError, match=r"no unit is stated for '税收' \(`tax_wan`.*units=\{'税收': '万元'\}"
    ):
        read_enterprises(table)
    firms = read_enterprises(table, units={"税收": "元"})
    assert firms["tax_wan"].tolist() == pytest.approx([123.45, 8.0, 0.0])


def test_electricity_without_a_unit_is_refused_and_units_can_state_it() -> None:
    table = bureau_table().rename(columns={"用电量（万千瓦时）": "用电量"})
    with pytest.raises(
        SchemaError, match=r"'用电量' \(`electricity_kwh`, e.g. 千瓦时 or 万千瓦时\)"
    ):
        read_enterprises(table)
    firms = read_enterprises(table, units={"用电量": "千瓦时"})
    assert firms["electricity_kwh"].tolist() == [12.5, 0.8, 40.0]
    with pytest.raises(SchemaError, match="cannot convert to kWh"):
        read_enterprises(table, units={"用电量": "焦耳"})


def test_a_duplicate_code_and_year_is_refused_with_its_ids() -> None:
    table = bureau_table()
    table.loc[2, "统一社会信用代码"] = A  # row 0 holds the same code in lower case
    with pytest.raises(SchemaError, match=rf"one row per year.*{A} / 2023 \(rows 0, 2\)"):
        read_enterprises(table)


def test_text_in_a_number_column_is_refused_naming_the_row() -> None:
    table = bureau_table().astype({"主营业务收入(万元)": object})
    table.loc[1, "主营业务收入(万元)"] = "约300"
    with pytest.raises(
        SchemaError, match=rf"`revenue_wan`: 1 of 3 values are not numbers.*'约300'.*{B}/2023"
    ):
        read_enterprises(table)
    with pytest.warns(LanduseWarning, match="revenue_wan"):
        firms = read_enterprises(table, errors="coerce")
    assert pd.isna(firms.loc[1, "revenue_wan"])
    assert firms.loc[0, "revenue_wan"] == 5000.0


def test_a_bad_credit_code_names_row_enterprise_and_expected_character() -> None:
    table = bureau_table()
    table.loc[1, "统一社会信用代码"] = B[:17] + "Q"
    with pytest.raises(
        SchemaError, match=r"row 1 \(嘉兴乙公司\) '91330401MA28ADM67Q'.*expected 'R'"
    ):
        read_enterprises(table)
    with pytest.warns(LanduseWarning, match="left out"):
        firms = read_enterprises(table, errors="coerce")
    assert firms["credit_code"].tolist() == [A, C]
    assert firms.attrs["landuse_read"].dropped == [1]


def test_missing_required_columns_list_what_was_found() -> None:
    table = bureau_table().drop(columns=["统一社会信用代码"])
    with pytest.raises(
        SchemaError, match=r"missing required columns: `credit_code`.*Fields received: 企业名称"
    ):
        read_enterprises(table)
    with pytest.raises(SchemaError, match="missing required columns: `year`"):
        read_enterprises(bureau_table().drop(columns=["年度"]))


def test_above_scale_values_are_read_or_refused() -> None:
    table = bureau_table().rename(columns={"规上/规下": "是否规上"})
    table["是否规上"] = ["是", "否", "大概"]
    with pytest.raises(SchemaError, match=r"`above_scale`.*'大概'.*rows 2"):
        read_enterprises(table)
    with pytest.warns(LanduseWarning, match="above_scale"):
        firms = read_enterprises(table, errors="coerce")
    assert firms["above_scale"].tolist()[:2] == [True, False]
    assert pd.isna(firms["above_scale"][2])


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="must be 'raise' or 'coerce'"):
        read_enterprises(bureau_table(), errors="report")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is for Excel files; the source is DataFrame"):
        read_enterprises(bureau_table(), sheet="企业")
    with pytest.raises(TypeError, match="whole year"):
        read_enterprises(bureau_table(), year="2023")  # type: ignore[arg-type]


def test_columns_maps_an_unknown_header_and_units_names_the_canonical_column() -> None:
    table = bureau_table().rename(columns={"税收（元）": "纳税总额", "用电量（万千瓦时）": "电量"})
    firms = read_enterprises(
        table,
        columns={"纳税总额": "tax_wan", "电量": "electricity_kwh"},
        units={"tax_wan": "元", "electricity_kwh": "万千瓦时"},
    )
    assert firms["tax_wan"].tolist() == pytest.approx([123.45, 8.0, 0.0])
    assert firms["electricity_kwh"].tolist() == [125_000.0, 8_000.0, 400_000.0]


def test_an_excel_number_cell_that_lost_digits_is_explained(tmp_path) -> None:
    path = tmp_path / "numbers.xlsx"
    table = bureau_table().astype({"统一社会信用代码": object})
    table.loc[0, "统一社会信用代码"] = float("914403001922038216")  # a number cell: a double
    table.to_excel(path, index=False)
    with pytest.raises(
        SchemaError, match=r"kept as numbers, e.g. in Excel, lose their last digits"
    ):
        read_enterprises(path)


def test_other_headers_bureaus_use_and_their_units() -> None:
    raw = pd.DataFrame(
        {
            "社会信用代码": [A, B],
            "年份": ["2022", "2022"],
            "是否规上": [1, 0],
            "实缴税金(万元)": [50, 5],
            "销售收入（亿元）": [1.5, 0.02],
            "工业增加值（万元）": [3000, 40],
            "综合能耗(万吨标准煤)": [0.1, 0.002],
            "排放（千克）": [2500, 100],
            "研发经费（万元）": [200, 0],
            "从业人员": [80, 9],
            "用电量(kWh)": [1_000_000, 20_000],
            "注册日期": ["2015/7/1", "2021.03.15"],
        }
    )
    firms = read_enterprises(raw)
    assert firms["year"].tolist() == [2022, 2022]
    assert firms["above_scale"].tolist() == [True, False]
    assert firms["tax_wan"].tolist() == [50.0, 5.0]
    assert firms["revenue_wan"].tolist() == pytest.approx([15_000.0, 200.0])
    assert firms["value_added_wan"].tolist() == [3000.0, 40.0]
    assert firms["energy_tce"].tolist() == pytest.approx([1000.0, 20.0])
    assert firms["emissions_t"].tolist() == pytest.approx([2.5, 0.1])
    assert firms["employees"].tolist() == [80.0, 9.0]
    assert firms["electricity_kwh"].tolist() == [1_000_000.0, 20_000.0]
    assert firms["registered_on"].dt.strftime("%Y-%m-%d").tolist() == ["2015-07-01", "2021-03-15"]


def test_title_rows_above_the_excel_header_are_skipped(tmp_path) -> None:
    path = tmp_path / "附件1.xlsx"
    table = bureau_table()
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame([["2023年度规上工业企业亩均效益评价表"], ["填报单位：青岛市统计局"]]).to_excel(
            xl, index=False, header=False
        )
        table.to_excel(xl, index=False, startrow=3)
    firms = read_enterprises(path)
    assert firms["credit_code"].tolist() == [A, B, C]
    assert firms["tax_wan"].tolist() == pytest.approx([123.45, 8.0, 0.0])
    report = firms.attrs["landuse_read"]
    assert report.source == str(path)
    assert "header in row 4 (title rows above it skipped)" in report.notes
