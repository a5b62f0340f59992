"""Readers on sloppy and hostile files: each test fails on the readers before issue 14/20 fixes."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import landuse
from landuse.errors import GeometryError, LanduseError, LanduseWarning, SchemaError

GK = "EPSG:4549"
X0, Y0 = 500000.0, 4000000.0


def _box(i: int, size: float = 100.0) -> shapely.Polygon:
    return shapely.box(X0 + 200 * i, Y0, X0 + 200 * i + size, Y0 + size)


# --- issue 20 item 2: repair when one invalid geometry collapses ----------------------------


def _bowtie(i: int) -> shapely.Polygon:
    x = X0 + 200 * i
    return shapely.Polygon([(x, Y0), (x + 100, Y0 + 100), (x + 100, Y0), (x, Y0 + 100)])


@pytest.mark.parametrize("reader", ["read_parcels", "read_buildings", "read_zones"])
def test_collapsed_geometry_before_another_repair(reader):
    x = X0 + 400
    flat = shapely.Polygon([(x, Y0), (x + 50, Y0), (x + 100, Y0)])  # zero-area triangle
    id_col = {"read_parcels": "parcel_id", "read_buildings": "building_id", "read_zones": "zone_id"}
    raw = gpd.GeoDataFrame(
        {id_col[reader]: ["A", "B", "C", "D"]},
        geometry=[_box(0), _bowtie(1), flat, _bowtie(3)],
        crs=GK,
    )
    with pytest.warns(LanduseWarning) as rec:
        out = getattr(landuse, reader)(raw, crs=None)
    text = " ".join(str(w.message) for w in rec)
    assert "dropped 1 of 4" in text and "ids C" in text
    assert "repaired 2 invalid" in text
    assert out[id_col[reader]].tolist() == ["A", "B", "D"]
    assert out.geometry.iloc[0].equals(_box(0))
    for k in (1, 2):
        g = out.geometry.iloc[k]
        assert g.geom_type == "MultiPolygon" and len(g.geoms) == 2
        assert [p.area for p in g.geoms] == [2500.0, 2500.0]


# --- D7: dates ------------------------------------------------------------------------------


def _parcels(n: int, **cols: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"parcel_id": [f"P{i}" for i in range(n)], **cols},
        geometry=[_box(i) for i in range(n)],
        crs=GK,
    )


def _days(series: pd.Series) -> list:
    return [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in series]


@pytest.mark.parametrize(
    "values",
    [
        ["9999-12-31", "2019-03-05"],
        [pd.Timestamp("2019-03-05").to_pydatetime().replace(year=9999), "2019-03-05"],
        [99991231, 20190305],
    ],
    ids=["text", "datetime", "yyyymmdd"],
)
def test_sentinel_date_is_missing_with_coerce_and_an_error_without(values):
    raw = _parcels(2, grant_date=pd.Series(values, dtype=object))
    with pytest.raises(SchemaError, match=r"`grant_date`: 1 of 2 values are not dates.*ids P0"):
        landuse.read_parcels(raw)
    with pytest.warns(LanduseWarning, match=r"`grant_date`.*set to missing"):
        p = landuse.read_parcels(raw, on_invalid="coerce")
    assert _days(p["grant_date"]) == [None, "2019-03-05"]
    assert p["grant_date"].dtype == "datetime64[ns]"
    assert p.attrs["landuse_read"].coerced == {"grant_date": ["P0"]}


def test_numeric_yyyymmdd_as_int_and_float():
    raw = _parcels(3, grant_date=[20190305, 20200131, 20211231])
    assert _days(landuse.read_parcels(raw)["grant_date"]) == [
        "2019-03-05",
        "2020-01-31",
        "2021-12-31",
    ]
    raw = _parcels(2, grant_date=[20190305.0, np.nan])
    assert _days(landuse.read_parcels(raw)["grant_date"]) == ["2019-03-05", None]
    raw = _parcels(1, grant_date=["20190305.0"])
    assert _days(landuse.read_parcels(raw)["grant_date"]) == ["2019-03-05"]


@pytest.mark.parametrize("year", [2019, 2019.0, "2019"])
def test_bare_year_is_refused(year):
    raw = _parcels(1, grant_date=pd.Series([year], dtype=object))
    with pytest.raises(SchemaError, match=r"a bare year such as 2019 is not a date"):
        landuse.read_parcels(raw)


def test_excel_serials_only_in_plausible_range():
    # 43529 = 2019-03-05; 61 = 1900-03-01 and 73415 = 2100-12-31 are the stated limits
    raw = _parcels(3, grant_date=[43529, 61, 73415])
    assert _days(landuse.read_parcels(raw)["grant_date"]) == [
        "2019-03-05",
        "1900-03-01",
        "2100-12-31",
    ]
    assert _days(landuse.read_parcels(_parcels(1, grant_date=["43529"]))["grant_date"]) == [
        "2019-03-05"
    ]
    for bad in (["99999"], [99999], [73416], [60]):
        with pytest.raises(SchemaError, match="not dates"):
            landuse.read_parcels(_parcels(1, grant_date=bad))


def test_geopackage_date_field_holding_9999(tmp_path):
    import datetime

    import pyarrow as pa
    import pyogrio

    days = pd.array(
        [datetime.date(9999, 12, 31), datetime.date(2019, 3, 5)], dtype=pd.ArrowDtype(pa.date32())
    )
    raw = _parcels(2, grant_date=days)
    path = tmp_path / "dates.gpkg"
    pyogrio.write_dataframe(raw, path, layer="parcels", use_arrow=True)
    assert pyogrio.read_info(path)["fields"].tolist() == ["parcel_id", "grant_date"]
    with pytest.warns(LanduseWarning, match=r"`grant_date`: 1 of 2.*ids P0"):
        p = landuse.read_parcels(path, on_invalid="coerce")
    assert _days(p["grant_date"]) == [None, "2019-03-05"]


# --- D11: land-use codes ------------------------------------------------------------------------


def test_land_use_codes_with_lost_leading_zero_and_dot_zero():
    raw = _parcels(
        6,
        用途=pd.Series([601, 602.0, "0601.0", "604", "070101.0", 100101.0], dtype=object),
    )
    p = landuse.read_parcels(raw)
    assert p["land_use_code"].tolist() == ["0601", "0602", "0601", "0604", "070101", "100101"]
    assert p["land_use"].tolist() == [
        "industrial",
        "other",  # 0602 采矿用地
        "industrial",
        "logistics",
        "residential",
        "industrial",
    ]
    # a float column (a DBF number field) as well
    p = landuse.read_parcels(_parcels(2, 用途=[601.0, 1101.0]))
    assert p["land_use_code"].tolist() == ["0601", "1101"]
    assert p["land_use"].tolist() == ["industrial", "logistics"]


@pytest.mark.parametrize(
    ("code", "use"),
    [
        ("1001", "industrial"),
        ("100102", "industrial"),
        ("1101", "logistics"),
        ("M1", "industrial"),
        ("W2", "logistics"),
        ("B1", "commercial"),
        ("R2", "residential"),
        ("0501", "commercial"),
        ("0701", "residential"),
        ("1201", "other"),
    ],
)
def test_2023_codes_and_gb50137_letters_unchanged(code, use):
    assert landuse.read_parcels(_parcels(1, 用途=[code]))["land_use"].tolist() == [use]


def test_unknown_codes_are_warned_with_counts_and_reported():
    raw = _parcels(5, 用途=["9999", "9999", "X7", "0601", "水域"])
    with pytest.warns(
        LanduseWarning,
        match=r"2 unknown land-use codes \(3 rows\) read as 'other': '9999' \(2\), 'X7' \(1\)",
    ):
        p = landuse.read_parcels(raw)
    assert p["land_use"].tolist() == ["other", "other", "other", "industrial", "other"]
    assert p.attrs["landuse_read"].unknown_codes == {"9999": 2, "X7": 1}


# --- D13: raw third-party errors become LanduseErrors ---------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_coordinate_names_the_ids(bad):
    ring = [(X0, Y0), (X0 + 100, Y0), (X0 + 100, bad), (X0, Y0 + 100), (X0, Y0)]
    with warnings.catch_warnings():  # shapely warns when it builds a ring holding NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        poly = shapely.Polygon(ring)
    raw = gpd.GeoDataFrame(
        {"parcel_id": ["A", "B"]}, geometry=[_box(1), poly], crs=GK
    )
    with pytest.raises(GeometryError, match=r"1 of 2 geometries have non-finite.*ids B"):
        landuse.read_parcels(raw)
    with pytest.raises(GeometryError, match=r"non-finite.*ids B"):
        landuse.read_parcels(raw.set_crs(None, allow_override=True), source_crs=GK)


def test_all_geometries_missing():
    raw = gpd.GeoDataFrame({"parcel_id": ["A", "B"]}, geometry=[None, None], crs=None)
    with pytest.raises(GeometryError, match=r"none of the 2 parcels .*has a geometry"):
        landuse.read_parcels(raw)


def test_huge_coordinates_are_refused():
    raw = gpd.GeoDataFrame(
        {"parcel_id": ["A", "B"]},
        geometry=[_box(0), shapely.box(1e300, 1e300, 2e300, 2e300)],
        crs=GK,
    )
    with pytest.raises(GeometryError, match=r"coordinates beyond 1e\+09.*ids B"):
        landuse.read_parcels(raw)


def test_directory_as_source(tmp_path):
    with pytest.raises(LanduseError, match=r"is a directory"):
        landuse.read_parcels(tmp_path)


def test_empty_csv(tmp_path):
    path = tmp_path / "stats.csv"
    path.write_bytes(b"")
    with pytest.raises(SchemaError, match=r"stats.csv is empty"):
        landuse.read_zone_stats(path)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp"])
@pytest.mark.parametrize("content", [b"", b"this is not a GIS file\n" * 10])
def test_unreadable_gis_file(tmp_path, suffix, content):
    path = tmp_path / f"parcels{suffix}"
    path.write_bytes(content)
    if suffix == ".shp":
        (tmp_path / "parcels.dbf").write_bytes(content)
        (tmp_path / "parcels.shx").write_bytes(content)
    with pytest.raises(LanduseError, match=r"not a readable GIS file"):
        landuse.read_parcels(path)


def test_truncated_dbf(tmp_path):
    path = tmp_path / "p.shp"
    _parcels(2, 名称=["甲", "乙"]).to_file(path, encoding="utf-8")
    (tmp_path / "p.cpg").unlink()
    dbf = tmp_path / "p.dbf"
    dbf.write_bytes(dbf.read_bytes()[:40])
    with pytest.raises(LanduseError, match=r"p.dbf is truncated or damaged"):
        landuse.read_parcels(path)


# --- D2 / D15: units cut off by the 10-byte DBF limit, area check, impossible numbers -------


def _utf8_shapefile(tmp_path, **cols: list):
    path = tmp_path / "parcels.shp"
    _parcels(2, **cols).to_file(path, encoding="utf-8")
    return path


def test_cut_unit_is_refused_with_the_fix(tmp_path):
    path = _utf8_shapefile(tmp_path, **{"用地面积(亩)": [15.0, 15.0], "营业收入(亿元)": [1.2, 0.5]})
    with pytest.raises(SchemaError) as err:
        landuse.read_parcels(path)
    text = str(err.value)
    assert "'用地面' looks like `land_area_m2`" in text
    assert "'营业收' looks like `revenue_wan`" in text
    assert "units={'用地面': '亩', '营业收': '亿元'}" in text


def test_cut_unit_read_when_stated(tmp_path):
    path = _utf8_shapefile(tmp_path, **{"用地面积(亩)": [15.0, 15.0], "营业收入(亿元)": [1.2, 0.5]})
    p = landuse.read_parcels(path, units={"用地面": "亩", "营业收": "亿元"})
    assert p["land_area_m2"].tolist() == pytest.approx([10000.0, 10000.0], rel=1e-12)
    assert p["revenue_wan"].tolist() == pytest.approx([12000.0, 5000.0], rel=1e-12)
    assert p.attrs["landuse_read"].columns == {"用地面": "land_area_m2", "营业收": "revenue_wan"}
    # columns= chooses the target; units= states the unit (the one way to give it)
    p = landuse.read_parcels(
        path, columns={"用地面": "land_area_m2"}, units={"用地面": "亩", "营业收": "亿元"}
    )
    assert p["land_area_m2"].tolist() == pytest.approx([10000.0, 10000.0], rel=1e-12)
    with pytest.raises(SchemaError, match=r"'用地面' looks like `land_area_m2`"):
        landuse.read_parcels(path, columns={"用地面": "land_area_m2"}, units={"营业收": "亿元"})
    with pytest.raises(SchemaError, match=r"`units` names source fields '面积' that are not"):
        landuse.read_parcels(path, units={"面积": "亩"})
    with pytest.raises(SchemaError, match=r"cannot convert"):
        landuse.read_parcels(path, units={"用地面": "斤", "营业收": "亿元"})


def test_declared_area_far_from_geometry_area_is_warned():
    # geometry 10,000 m²; P1 declares 15 (亩 read as m²), P2 16,000 (×1.6), P0 12,000 (×1.2)
    raw = _parcels(3, land_area_m2=[12000.0, 15.0, 16000.0])
    with pytest.warns(
        LanduseWarning,
        match=r"2 of 3 parcels declare a land_area_m2 more than 1.5× .*ids P1, P2",
    ):
        p = landuse.read_parcels(raw)
    assert p["land_area_m2"].tolist() == [12000.0, 15.0, 16000.0]
    assert p.attrs["landuse_read"].area_mismatch == ["P1", "P2"]
    with pytest.warns(LanduseWarning, match=r"1 of 3 parcels .* more than 2×"):
        landuse.read_parcels(raw, area_check_factor=2.0)
    assert landuse.read_parcels(raw, area_check_factor=None)["land_area_m2"].iloc[1] == 15.0


def test_area_check_default_is_the_policy_allowance():
    import inspect

    from landuse.policy import load_policy

    policy = load_policy("national-2008")
    default = inspect.signature(landuse.read_parcels).parameters["area_check_factor"].default
    assert default == policy.data_quality.area_check_factor == 1.5
    assert "not a policy number" in policy.provenance("data_quality.area_check_factor").source


@pytest.mark.parametrize(
    "values",
    [["inf", "12000"], ["1e400", "12000"], [np.inf, 12000.0], [-5.0, 12000.0], [0.0, 12000.0]],
    ids=["inf", "1e400", "float-inf", "negative", "zero"],
)
def test_impossible_land_areas(values):
    raw = _parcels(2, land_area_m2=pd.Series(values, dtype=object))
    with pytest.raises(SchemaError, match=r"`land_area_m2`: 1 of 2 values are not .*ids P0"):
        landuse.read_parcels(raw)
    with pytest.warns(LanduseWarning) as rec:
        p = landuse.read_parcels(raw, on_invalid="coerce")
    assert "set to missing" in str(rec[0].message)
    # the missing area is then filled from the geometry
    assert p["land_area_m2"].tolist() == [10000.0, 12000.0]
    assert p.attrs["landuse_read"].filled_area == ["P0"]


def test_infinite_money_is_invalid():
    raw = _parcels(2, tax_wan=pd.Series(["1e400", "3"], dtype=object))
    with pytest.raises(SchemaError, match=r"`tax_wan`: 1 of 2 values are not numbers \(finite\)"):
        landuse.read_parcels(raw)


def test_infinite_year_in_zone_stats():
    raw = pd.DataFrame({"zone_id": ["QD01", "QD01"], "year": [np.inf, 2020.0]})
    with pytest.raises(SchemaError, match=r"`year`: 1 of 2 values are not whole numbers"):
        landuse.read_zone_stats(raw)
