"""The land of each enterprise (issue 19, point 2): ``read_tenancies`` and ``enterprise_land``.

Worked by hand on fixtures built in code, in EPSG:4549 (Qingdao's CGCS2000 3° Gauss-Krüger):

* enterprise A holds A1 (10 亩) in zone QD01 and A2 (5 亩) in zone QD02: 15 亩, zones
  ``QD01;QD02``, under every rule;
* parcel P1 is 100 m × 100 m = 1 ha = 15 亩 with 8,000 m² of floor space, held by X, with
  tenants Y (2,000 m² of floor) and Z (1,000 m², from 2023-03-01); W's tenancy ended on
  2022-06-30. By floor area: Y 15 × 2,000/8,000 = 3.75 亩, Z 15 × 1,000/8,000 = 1.875 亩,
  X keeps 15 − 5.625 = 9.375 亩;
* parcel P9 (0.6 ha = 9 亩) has no holder; G rents 500 m² of its land (0.75 亩) and has
  enterprise data only for 2022; V rents on parcel NOPE, which is not in the parcels; E has
  enterprise data but no land.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from landuse.enterprise import enterprise_land, read_enterprises, read_tenancies
from landuse.enterprise._credit import ALPHABET
from landuse.errors import LanduseWarning, SchemaError


def code(body: str) -> str:
    """A valid credit code from its first 17 characters (GB 32100-2015 check character)."""
    total = sum(ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + ALPHABET[(31 - total % 31) % 31]


X = code("91370200MA3C00001")
Y = code("91370200MA3C00002")
Z = code("91370200MA3C00003")
W = code("91370200MA3C00004")
A = code("91370200MA3C00005")
G = code("91370200MA3C00006")
V = code("91370200MA3C00007")
E = code("91370200MA3C00008")
MU = 10000.0 / 15.0


@pytest.fixture
def parcels() -> gpd.GeoDataFrame:
    rows = [
        # parcel_id, geometry, floor area, owner, zone
        ("P1", shapely.box(500_000, 4_000_000, 500_100, 4_000_100), 8000.0, X, "QD01"),
        ("A1", shapely.box(501_000, 4_000_000, 501_100, 4_000_000 + 10 * MU / 100), 5000.0, A, "QD01"),
        ("A2", shapely.box(502_000, 4_000_000, 502_100, 4_000_000 + 5 * MU / 100), 2000.0, A, "QD02"),
        ("P9", shapely.box(503_000, 4_000_000, 503_100, 4_000_060), np.nan, None, "QD02"),
    ]  # fmt: skip
    frame = gpd.GeoDataFrame(
        {
            "parcel_id": [r[0] for r in rows],
            "floor_area_m2": [r[2] for r in rows],
            "owner_code": [r[3] for r in rows],
            "zone_id": [r[4] for r in rows],
        },
        geometry=[r[1] for r in rows],
        crs="EPSG:4549",
    )
    frame.insert(1, "land_area_m2", frame.area)
    return frame


@pytest.fixture
def tenancies() -> pd.DataFrame:
    raw = pd.DataFrame(
        {
            "承租企业统一社会信用代码": [Y, Z.lower(), W, G, V],
            "宗地编号": ["P1", "P1", "P1", "P9", "NOPE"],
            "租赁建筑面积（m²）": ["2,000", "1000", "500", None, "100"],
            "租赁用地面积（m²）": [None, None, None, "500", None],
            "起租日期": ["2021-01-01", "2023年3月1日", "2019/1/1", None, None],
            "到期日期": ["2025-12-31", None, "2022-06-30", None, None],
        }
    )
    return read_tenancies(raw)


@pytest.fixture
def enterprises() -> pd.DataFrame:
    firms = [X, Y, Z, A, E, G]
    return read_enterprises(
        pd.DataFrame(
            {
                "统一社会信用代码": firms,
                "年度": [2023, 2023, 2023, 2023, 2023, 2022],
                "税收（万元）": [100.0, 20.0, 10.0, 50.0, 5.0, 1.0],
            }
        )
    )


def land(parcels, tenancies, rule, *, year=2023, enterprises=None):
    """Call enterprise_land, expecting the one warning about what did not match."""
    with pytest.warns(LanduseWarning, match=r"1 tenancies name a parcel not in `parcels`") as rec:
        out = enterprise_land(
            parcels, tenancies=tenancies, year=year, rule=rule, enterprises=enterprises
        )
    assert len(rec) == 1
    return out


RULES = ["combine_and_share", "apportion_by_floor_area", "tenant_category", None]


# --- an enterprise with two parcels -----------------------------------------------------------


@pytest.mark.parametrize("rule", RULES)
def test_two_parcels_in_two_zones_count_once_each(parcels, tenancies, rule) -> None:
    out = land(parcels, tenancies, rule)
    row = out.loc[A]
    assert row["land_area_mu"] == pytest.approx(15.0)
    assert row["owned_area_m2"] == pytest.approx(15 * MU)
    assert row["parcel_ids"] == "A1;A2"
    assert row["zone_ids"] == "QD01;QD02"
    assert row["category"] == "owner"
    assert row["unit_id"] == A
    assert row["land_basis"] == "自有 2 宗 15 亩"
    assert bool(row["evaluated"])


# --- a parcel with a holder and two tenants, under each rule ----------------------------------


def test_combine_and_share_makes_one_unit_of_the_parcel(parcels, tenancies) -> None:
    out = land(parcels, tenancies, "combine_and_share")
    unit = out.loc[[X, Y, Z]]
    assert unit["unit_id"].tolist() == ["U:P1"] * 3
    assert unit["land_area_mu"].tolist() == pytest.approx([15.0] * 3)
    assert unit["category"].tolist() == ["combined"] * 3
    assert unit["parcel_ids"].tolist() == ["P1"] * 3
    assert unit["zone_ids"].tolist() == ["QD01"] * 3
    assert unit["land_basis"].tolist() == ["合并计算：3 家企业共用 1 宗 15 亩"] * 3
    assert unit["owned_area_m2"].tolist()[0] == pytest.approx(10000.0)
    assert unit["rented_area_m2"].tolist()[1:] == pytest.approx([2500.0, 1250.0])
    # G alone on the holderless P9: its own unit with the parcel's land
    assert out.loc[G, "unit_id"] == G
    assert out.loc[G, "category"] == "tenant"
    assert out.loc[G, "land_area_mu"] == pytest.approx(9.0)
    assert out.loc[G, "land_basis"] == "租用 1 宗 9 亩"


def test_apportion_by_floor_area_splits_the_parcel(parcels, tenancies) -> None:
    out = land(parcels, tenancies, "apportion_by_floor_area")
    assert out.loc[[X, Y, Z], "land_area_mu"].tolist() == pytest.approx([9.375, 3.75, 1.875])
    assert out.loc[[X, Y, Z], "land_area_mu"].sum() == pytest.approx(15.0)
    assert out.loc[[X, Y, Z], "category"].tolist() == ["owner", "tenant", "tenant"]
    assert out.loc[[X, Y, Z], "unit_id"].tolist() == [X, Y, Z]
    assert out.loc[X, "owned_area_m2"] == pytest.approx(10000.0)
    assert out.loc[X, "land_basis"] == "自有 1 宗 15 亩，扣除出租 5.625 亩后 9.375 亩"
    assert (
        out.loc[Y, "land_basis"] == "按租赁建筑面积分摊 2,000/8,000 m² × 15 亩 = 3.75 亩（宗地 P1）"
    )
    assert out.loc[Z, "rented_area_m2"] == pytest.approx(1250.0)
    # a rented land area is taken as given: G rents 500 m² of P9
    assert out.loc[G, "land_area_m2"] == pytest.approx(500.0)
    assert out.loc[G, "land_basis"] == "租赁用地 500 m² = 0.75 亩（宗地 P9）"


def test_tenant_category_keeps_the_holders_whole_parcel(parcels, tenancies) -> None:
    out = land(parcels, tenancies, "tenant_category")
    assert out.loc[[X, Y, Z], "land_area_mu"].tolist() == pytest.approx([15.0, 3.75, 1.875])
    assert out.loc[[X, Y, Z], "category"].tolist() == ["owner", "tenant", "tenant"]
    assert out.loc[X, "land_basis"] == "自有 1 宗 15 亩"
    assert out["evaluated"].all()
    assert out.attrs["rule"] == "tenant_category"


def test_no_rule_leaves_tenants_not_evaluated(parcels, tenancies) -> None:
    out = land(parcels, tenancies, None)
    assert out.loc[X, "land_area_mu"] == pytest.approx(15.0)
    assert bool(out.loc[X, "evaluated"])
    tenants = out.loc[[Y, Z]]
    assert tenants["category"].tolist() == ["tenant", "tenant"]
    assert tenants["land_area_m2"].isna().all()
    assert not tenants["evaluated"].any()
    assert (
        tenants["not_evaluated_reason"].tolist()
        == ["not evaluated: set `mujun.rented_land_rule`"] * 2
    )
    assert tenants["rented_area_m2"].tolist() == pytest.approx([2500.0, 1250.0])
    assert out.loc[Y, "land_basis"].startswith("未计入：按租赁建筑面积分摊")
    assert out.attrs["rule"] is None


# --- the year -----------------------------------------------------------------------------------


def test_a_tenancy_ending_before_the_year_is_ignored(parcels, tenancies) -> None:
    out = land(parcels, tenancies, "apportion_by_floor_area")
    assert W not in out.index
    before = land(parcels, tenancies, "apportion_by_floor_area", year=2022)
    # 2022: W (500 m² of floor, until 2022-06-30) and Y rent; Z starts in 2023
    assert Z not in before.index
    assert before.loc[W, "land_area_mu"] == pytest.approx(15 * 500 / 8000)
    assert before.loc[X, "land_area_mu"] == pytest.approx(15 - 15 * 2500 / 8000)


# --- what does not match ------------------------------------------------------------------------


def test_unmatched_codes_are_reported_with_counts_and_ids(parcels, tenancies, enterprises) -> None:
    with pytest.warns(LanduseWarning) as rec:
        out = enterprise_land(
            parcels,
            tenancies=tenancies,
            year=2023,
            rule="apportion_by_floor_area",
            enterprises=enterprises,
        )
    assert len(rec) == 1
    text = str(rec[0].message)
    assert f"1 tenancies name a parcel not in `parcels` (tenant/parcel): {V}/NOPE" in text
    assert "1 industrial or logistics parcels have no `owner_code`: P9" in text
    assert f"1 enterprises with land have no row in `enterprises` for the year: {G}" in text
    assert f"1 enterprises have no land (no parcel held, no tenancy): {E}" in text
    assert out.attrs["unmatched"] == {
        "tenants_without_parcel": {"count": 1, "ids": [f"{V}/NOPE"]},
        "parcels_without_owner": {"count": 1, "ids": ["P9"]},
        "owners_without_data": {"count": 1, "ids": [G]},
        "enterprises_without_land": {"count": 1, "ids": [E]},
    }
    assert V not in out.index  # no land: reported, not a row


def test_without_enterprises_the_data_checks_are_not_made(parcels, tenancies) -> None:
    out = land(parcels, tenancies, "tenant_category")
    assert out.attrs["unmatched"]["owners_without_data"] is None
    assert out.attrs["unmatched"]["enterprises_without_land"] is None
    assert out.attrs["year"] == 2023


def test_everything_matched_warns_nothing(parcels) -> None:
    held = parcels[parcels["owner_code"].notna()]
    out = enterprise_land(held, year=2023, rule=None)
    assert out.index.tolist() == sorted([X, A])
    assert out.index.name == "credit_code"
    assert out.attrs["unmatched"]["parcels_without_owner"] == {"count": 0, "ids": []}


def test_only_industrial_land_or_unknown_use_needs_a_holder(parcels) -> None:
    # P9 has no holder: reported while its use is industrial, logistics or unknown, not when
    # it is commercial or residential land (the evaluation is of industrial land)
    for use, count in (
        ("industrial", 1),
        ("logistics", 1),
        (None, 1),
        ("commercial", 0),
        ("residential", 0),
    ):
        frame = parcels.assign(land_use="industrial")
        frame.loc[frame["parcel_id"] == "P9", "land_use"] = use
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LanduseWarning)
            out = enterprise_land(frame, year=2023, rule=None)
        found = out.attrs["unmatched"]["parcels_without_owner"]
        assert found == {"count": count, "ids": ["P9"] * count}, use


# --- more edges ---------------------------------------------------------------------------------


def test_combined_units_span_every_parcel_of_their_members(parcels) -> None:
    more = parcels.copy()
    more.loc[more["parcel_id"] == "A2", "owner_code"] = X  # X now holds P1 and A2
    leases = pd.DataFrame({"tenant_code": [Y], "parcel_id": ["P1"], "rented_floor_m2": [2000.0]})
    with pytest.warns(
        LanduseWarning, match="1 industrial or logistics parcels have no `owner_code`"
    ):
        out = enterprise_land(more, tenancies=leases, year=2023, rule="combine_and_share")
    assert out.loc[[X, Y], "unit_id"].tolist() == ["U:A2+P1"] * 2
    assert out.loc[[X, Y], "land_area_mu"].tolist() == pytest.approx([20.0, 20.0])
    assert out.loc[X, "zone_ids"] == "QD01;QD02"
    assert out.loc[A, "unit_id"] == A
    assert out.loc[A, "land_area_mu"] == pytest.approx(10.0)


def test_unknown_rented_area_is_not_evaluated(parcels) -> None:
    held = parcels[parcels["owner_code"].notna()]
    leases = pd.DataFrame({"tenant_code": [Y], "parcel_id": ["P1"]})
    out = enterprise_land(held, tenancies=leases, year=2023, rule="tenant_category")
    assert np.isnan(out.loc[Y, "land_area_m2"])
    assert out.loc[Y, "not_evaluated_reason"].startswith("rented area unknown")
    assert out.loc[Y, "land_basis"] == "租赁宗地 P1，租赁面积不详"


def test_shares_over_the_parcel_warn_and_leave_the_holder_nothing(parcels) -> None:
    held = parcels[parcels["owner_code"].notna()]
    leases = pd.DataFrame(
        {"tenant_code": [Y, Z], "parcel_id": ["P1", "P1"], "rented_floor_m2": [6000.0, 4000.0]}
    )
    with pytest.warns(LanduseWarning, match=r"on 1 parcels the tenants' shares exceed .*P1"):
        out = enterprise_land(held, tenancies=leases, year=2023, rule="apportion_by_floor_area")
    assert out.loc[X, "land_area_m2"] == 0.0


def test_bad_arguments_are_refused(parcels) -> None:
    with pytest.raises(ValueError, match=r"`rule` .* must be one of 'combine_and_share'"):
        enterprise_land(parcels, year=2023, rule="share")
    with pytest.raises(TypeError, match=r"`year` .* whole year"):
        enterprise_land(parcels, year=True, rule=None)
    bad = parcels.assign(owner_code=parcels["owner_code"].str[:17] + "0")
    with pytest.raises(SchemaError, match=r"`owner_code` passed to enterprise_land\(\): 3 of 4"):
        enterprise_land(bad, year=2023, rule=None)
    twice = pd.concat([parcels, parcels.iloc[:1]])
    with pytest.raises(SchemaError, match=r"one row per parcel .*repeated: P1"):
        enterprise_land(twice, year=2023, rule=None)
    with pytest.raises(SchemaError, match=r"lack `land_area_m2`"):
        enterprise_land(parcels.drop(columns="land_area_m2"), year=2023, rule=None)


# --- read_tenancies -----------------------------------------------------------------------------


def test_read_tenancies_from_excel_with_a_title_row_and_mu(tmp_path) -> None:
    path = tmp_path / "租赁.xlsx"
    header = ["承租企业统一社会信用代码", "宗地编号", "租赁用地面积（亩）", "起租日期", "到期日期"]
    rows = [[Y, "P1", 1.5, "2021-01-01", "2025-12-31"], [Z, 101, "0.75", None, None]]
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame([["2023年度企业租赁情况表", *[None] * 4], [None] * 5, header, *rows]).to_excel(
            xl, header=False, index=False
        )
    out = read_tenancies(path)
    assert out["tenant_code"].tolist() == [Y, Z]
    assert out["parcel_id"].tolist() == ["P1", "101"]
    assert out["rented_land_m2"].tolist() == pytest.approx([1000.0, 500.0])
    assert out["start"].iloc[0] == pd.Timestamp("2021-01-01")
    assert pd.isna(out["end"].iloc[1])
    assert "header in row 3" in " ".join(out.attrs["landuse_read"].notes)


def test_read_tenancies_from_gbk_csv(tmp_path) -> None:
    path = tmp_path / "租赁.csv"
    pd.DataFrame(
        {"承租企业统一社会信用代码": [Y], "宗地编号": ["P1"], "租赁建筑面积（公顷）": [0.2]}
    ).to_csv(path, index=False, encoding="gbk")
    out = read_tenancies(path)
    assert out["rented_floor_m2"].tolist() == pytest.approx([2000.0])


def test_read_tenancies_refuses_bad_codes_and_can_leave_them_out() -> None:
    raw = pd.DataFrame(
        {"承租企业统一社会信用代码": [Y, Y[:17] + "0" if Y[17] != "0" else Y[:17] + "1"],
         "宗地编号": ["P1", "P2"], "租赁建筑面积": [10, 20]}
    )  # fmt: skip
    with pytest.raises(SchemaError, match=r"tenancies .*1 of 2 unified social credit codes"):
        read_tenancies(raw)
    with pytest.warns(LanduseWarning, match=r"those rows were left out"):
        out = read_tenancies(raw, errors="coerce")
    assert out["parcel_id"].tolist() == ["P1"]


def test_read_tenancies_refuses_duplicates_reversed_dates_and_no_area() -> None:
    base = {"承租企业统一社会信用代码": [Y, Y], "宗地编号": ["P1", "P1"], "租赁建筑面积": [10, 20]}
    with pytest.raises(
        SchemaError, match=rf"1 occur on more than one row .*{Y} / P1 \(rows 0, 1\)"
    ):
        read_tenancies(pd.DataFrame(base))
    open_start = pd.DataFrame(base | {"起租日期": [None, None]})
    with pytest.raises(SchemaError, match=rf"{Y} / P1 / - \(rows 0, 1\)"):
        read_tenancies(open_start)
    dates = pd.DataFrame(base | {"起租日期": ["2023-01-01", "2024-01-01"]})
    assert len(read_tenancies(dates)) == 2  # two tenancies: different starts
    back = pd.DataFrame(
        base | {"起租日期": ["2023-01-01", "2024-01-01"], "到期日期": ["2022-01-01", None]}
    )
    with pytest.raises(SchemaError, match=r"end date is before the start in 1 rows \(0\)"):
        read_tenancies(back)
    with pytest.raises(SchemaError, match=r"have no rented area"):
        read_tenancies(pd.DataFrame({"承租企业统一社会信用代码": [Y], "宗地编号": ["P1"]}))
    with pytest.raises(
        SchemaError, match=r"`rented_floor_m2`: 1 of 1 values are not numbers \(finite, 0 or more\)"
    ):
        read_tenancies(
            pd.DataFrame(
                {"承租企业统一社会信用代码": [Y], "宗地编号": ["P1"], "租赁建筑面积": [-1]}
            )
        )


def test_open_ended_tenancies_count_in_every_later_year(parcels) -> None:
    # 长期 / 无固定期限 / 9999-12-31: no end; a tenancy from 2021 still counts in 2030
    raw = pd.DataFrame(
        {"承租企业统一社会信用代码": [Y, Y, Y], "宗地编号": ["P1", "A2", "P9"],
         "租赁建筑面积": [2000, 10, 10], "起租日期": ["2021-01-01"] * 3,
         "到期日期": ["长期", "无固定期限", "9999-12-31"]}
    )  # fmt: skip
    leases = read_tenancies(raw)
    assert leases["end"].isna().all()
    notes = leases.attrs["landuse_read"].notes
    assert "3 tenancies have no end date (9999-12-31、无固定期限、长期): read as open-ended" in notes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LanduseWarning)
        out = enterprise_land(
            parcels, tenancies=leases.iloc[:1], year=2030, rule="apportion_by_floor_area"
        )
    assert out.loc[Y, "land_area_mu"] == pytest.approx(15 * 2000 / 8000)
    bad = raw.assign(到期日期=["长期", "明年", None])
    with pytest.raises(SchemaError, match=r"`end` \(到期日期\): 1 of 3 values are not dates "
                       r"\(e.g. '明年'; rows 1\)"):
        read_tenancies(bad)
    with pytest.warns(LanduseWarning, match=r"1 values are not dates and were set missing"):
        coerced = read_tenancies(bad, errors="coerce")
    assert coerced.attrs["landuse_read"].coerced == {"end": ["1"]}


def test_a_large_combined_unit_names_its_first_three_parcels() -> None:
    ids = ["Q1", "Q2", "Q3", "Q4"]
    parcels = pd.DataFrame({"parcel_id": ids, "land_area_m2": [MU] * 4, "owner_code": [X, X, Y, Y]})
    leases = pd.DataFrame({"tenant_code": [Z, Z], "parcel_id": ["Q2", "Q3"]})
    out = enterprise_land(parcels, tenancies=leases, year=2023, rule="combine_and_share")
    assert out["unit_id"].tolist() == ["U:Q1+Q2+Q3+…"] * 3
    assert out["land_area_mu"].tolist() == pytest.approx([4.0] * 3)
    # each firm lists the parcels it holds or rents; the unit's land is all four
    assert out["parcel_ids"].tolist() == ["Q1;Q2", "Q3;Q4", "Q2;Q3"]
    assert out.loc[Z, "land_basis"] == "合并计算：3 家企业共用 4 宗 4 亩"
