"""Readers: real files written in the test, exact answers."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import QD_GK, QD_LONLAT, square
from pandas.testing import assert_frame_equal

import landuse
from landuse import io
from landuse.errors import CRSError, GeometryError, LanduseWarning, SchemaError

# --- field mapping, units, types ---------------------------------------------------------------


def test_chinese_fields_are_mapped_and_reported(parcels_zh, tmp_path):
    path = tmp_path / "parcels.gpkg"
    parcels_zh.to_file(path, layer="宗地")
    p = landuse.read_parcels(path)
    report = p.attrs["landuse_read"]
    assert report.columns == {
        "宗地编号": "parcel_id",
        "用途": "land_use",
        "用地面积": "land_area_m2",
        "建筑面积": "floor_area_m2",
        "企业名称": "enterprise",
        "行业代码": "industry_code",
        "税收": "tax_wan",
        "营业收入": "revenue_wan",
        "固定资产投资": "investment_wan",
        "出让日期": "grant_date",
        "约定开工日期": "agreed_start_date",
        "生产状态": "production_status",
    }
    assert p["parcel_id"].tolist() == ["370282-001", "370282-002", "370282-003"]
    assert p["land_use"].tolist() == ["industrial", "commercial", "industrial"]
    assert p["land_use_code"].tolist() == ["0601", "商业用地", "100101"]
    assert p["industry_code"].tolist() == ["36", "36", "39"]
    assert p["production_status"].tolist() == ["producing", "stopped", "not_started"]
    # "无" is a null token, not an error; thousands separators are understood
    assert p["tax_wan"].tolist()[0] == 300.0
    assert np.isnan(p["tax_wan"].tolist()[1])
    assert p["land_area_m2"].tolist()[:2] == [10000.0, 20000.0]
    # the missing contract area is filled from the geometry: a 100 m square is 1 ha
    assert p["land_area_m2"].tolist()[2] == pytest.approx(10000.0)
    assert report.filled_area == ["370282-003"]
    assert p["grant_date"].dt.strftime("%Y-%m-%d").tolist() == ["2018-03-01"] * 3
    assert p["agreed_start_date"].isna().tolist() == [False, True, False]
    assert str(p["grant_date"].dtype) == "datetime64[ns]"
    assert p.crs.to_epsg() == 4549
    assert list(p.columns[:3]) == ["parcel_id", "land_use", "land_use_code"]
    assert p.geometry.name == "geometry"


def test_input_frame_is_not_mutated(parcels_zh):
    before = parcels_zh.copy()
    landuse.read_parcels(parcels_zh)
    assert_frame_equal(parcels_zh, before)


def test_units_in_field_names_are_converted():
    raw = gpd.GeoDataFrame(
        {
            "宗地编号": ["A"],
            "用地面积(亩)": [15.0],
            "税收（元）": [200000.0],
            "固定资产投资(亿元)": [0.42],
        },
        geometry=[square(*QD_GK)],
        crs="EPSG:4549",
    )
    p = landuse.read_parcels(raw)
    assert p.loc[0, "land_area_m2"] == pytest.approx(10000.0)
    assert p.loc[0, "tax_wan"] == pytest.approx(20.0)
    assert p.loc[0, "investment_wan"] == pytest.approx(4200.0)
    assert p.attrs["landuse_read"].units["tax_wan"] == pytest.approx(1e-4)


def test_unknown_unit_is_an_error():
    raw = gpd.GeoDataFrame(
        {"宗地编号": ["A"], "税收(美元)": [1.0]}, geometry=[square(*QD_GK)], crs="EPSG:4549"
    )
    with pytest.raises(SchemaError, match=r"`tax_wan` is in 万元.*'美元'"):
        landuse.read_parcels(raw)


def test_explicit_column_mapping_wins():
    raw = gpd.GeoDataFrame(
        {"DKBH": ["A", "B"], "ZDMJ": [1.0, 2.0]},
        geometry=[square(*QD_GK), square(QD_GK[0] + 100, QD_GK[1])],
        crs="EPSG:4549",
    )
    with pytest.warns(LanduseWarning, match=r"2 of 2 parcels declare a land_area_m2 more than"):
        p = landuse.read_parcels(raw, columns={"DKBH": "parcel_id", "ZDMJ": "land_area_m2"})
    assert p["parcel_id"].tolist() == ["A", "B"]
    assert p["land_area_m2"].tolist() == [1.0, 2.0]
    with pytest.raises(SchemaError, match=r"not canonical parcels columns"):
        landuse.read_parcels(raw, columns={"DKBH": "parcel_number"})
    with pytest.raises(SchemaError, match=r"'XX' that are not in the parcels data"):
        landuse.read_parcels(raw, columns={"XX": "parcel_id"})


def test_text_in_numeric_column_raises_with_count_and_ids(parcels_zh):
    bad = parcels_zh.copy()
    bad["税收"] = ["300", "约五百", "n.a.x"]
    with pytest.raises(
        SchemaError, match=r"`tax_wan`: 2 of 3 values are not numbers .*ids 370282-002, 370282-003"
    ):
        landuse.read_parcels(bad)
    with pytest.warns(LanduseWarning, match=r"set to missing"):
        p = landuse.read_parcels(bad, on_invalid="coerce")
    assert p["tax_wan"].isna().tolist() == [False, True, True]
    assert p.attrs["landuse_read"].coerced == {"tax_wan": ["370282-002", "370282-003"]}


def test_bad_dates_and_statuses_are_reported(parcels_zh):
    bad = parcels_zh.copy()
    bad["出让日期"] = ["2018-03-01", "去年", "2018-02-30"]
    bad["生产状态"] = ["正常生产", "搬迁中", "未开工"]
    with pytest.raises(SchemaError) as err:
        landuse.read_parcels(bad)
    text = str(err.value)
    assert "`grant_date`: 2 of 3 values are not dates" in text
    assert "`production_status`: 1 of 3 values are not one of producing" in text
    assert "'搬迁中'" in text


def test_missing_required_columns_are_listed_at_once(tmp_path):
    raw = gpd.GeoDataFrame({"名称": ["x"]}, geometry=[square(*QD_GK)], crs="EPSG:4549")
    raw.to_file(tmp_path / "areas.gpkg")
    with pytest.raises(
        SchemaError, match=r"missing required columns: `zone_id`.*; `area_type`.*名称"
    ):
        landuse.read_functional_areas(tmp_path / "areas.gpkg")


def test_duplicate_and_missing_ids(tmp_path):
    raw = gpd.GeoDataFrame(
        {"宗地编号": ["A", "B", "A", "C", "C"]},
        geometry=[square(QD_GK[0] + 100 * i, QD_GK[1]) for i in range(5)],
        crs="EPSG:4549",
    )
    raw.to_file(tmp_path / "dup.shp", encoding="gbk")
    with pytest.raises(
        SchemaError, match=r"must be unique, but 2 values occur more than once \(4 rows\): A, C"
    ):
        landuse.read_parcels(tmp_path / "dup.shp")
    raw["宗地编号"] = ["A", None, "B", "", "C"]
    with pytest.raises(SchemaError, match=r"2 of 5 rows have no `parcel_id` \(rows 1, 3\)"):
        landuse.read_parcels(raw)


def test_numeric_ids_from_shapefiles_become_text(tmp_path):
    raw = gpd.GeoDataFrame(
        {"zddm": [370282001.0, 370282002.0]},
        geometry=[square(*QD_GK), square(QD_GK[0] + 100, QD_GK[1])],
        crs="EPSG:4549",
    )
    raw.to_file(tmp_path / "p.shp")
    p = landuse.read_parcels(tmp_path / "p.shp")
    assert p["parcel_id"].tolist() == ["370282001", "370282002"]


def test_empty_layer_is_an_error(tmp_path):
    empty = gpd.GeoDataFrame({"宗地编号": pd.Series([], dtype=str)}, geometry=[], crs="EPSG:4549")
    empty.to_file(tmp_path / "e.gpkg")
    with pytest.raises(SchemaError, match=r"are empty: the layer has no rows"):
        landuse.read_parcels(tmp_path / "e.gpkg")


def test_missing_file():
    with pytest.raises(FileNotFoundError, match=r"no file at 'nope.gpkg'"):
        landuse.read_zones("nope.gpkg")


# --- encodings ---------------------------------------------------------------------------------


def test_gbk_shapefile_without_cpg(tmp_path):
    raw = gpd.GeoDataFrame(
        {"宗地编号": ["即墨-1", "城阳-2"], "企业名称": ["青岛四方机车", "海尔智家"]},
        geometry=[square(*QD_GK), square(QD_GK[0] + 100, QD_GK[1])],
        crs="EPSG:4549",
    )
    raw.to_file(tmp_path / "gbk.shp", encoding="gbk")
    (tmp_path / "gbk.cpg").unlink()
    with pytest.raises(UnicodeDecodeError):  # the text really is not UTF-8
        (tmp_path / "gbk.dbf").read_bytes()[32:].decode("utf-8")
    p = landuse.read_parcels(tmp_path / "gbk.shp")
    assert p["parcel_id"].tolist() == ["即墨-1", "城阳-2"]
    assert p["enterprise"].tolist() == ["青岛四方机车", "海尔智家"]
    assert p.attrs["landuse_read"].encoding == "gb18030 (detected)"


def test_utf8_shapefile_without_cpg_and_wrong_cpg(tmp_path):
    raw = gpd.GeoDataFrame({"宗地编号": ["平度-1"]}, geometry=[square(*QD_GK)], crs="EPSG:4549")
    raw.to_file(tmp_path / "u.shp", encoding="utf-8")
    (tmp_path / "u.cpg").unlink(missing_ok=True)
    p = landuse.read_parcels(tmp_path / "u.shp")
    assert p["parcel_id"].tolist() == ["平度-1"]
    assert p.attrs["landuse_read"].encoding == "utf-8 (detected)"
    raw.to_file(tmp_path / "g.shp", encoding="gbk")
    (tmp_path / "g.cpg").write_text("UTF-8")
    with pytest.warns(LanduseWarning, match=r"the .cpg says 'UTF-8'.*gb18030"):
        p = landuse.read_parcels(tmp_path / "g.shp")
    assert p["parcel_id"].tolist() == ["平度-1"]


def test_encoding_can_be_forced(tmp_path):
    raw = gpd.GeoDataFrame({"宗地編號": ["萊西-1"]}, geometry=[square(*QD_GK)], crs="EPSG:4549")
    raw.to_file(tmp_path / "b.shp", encoding="big5")
    (tmp_path / "b.cpg").unlink(missing_ok=True)
    p = landuse.read_parcels(tmp_path / "b.shp", encoding="big5", columns={"宗地編號": "parcel_id"})
    assert p["parcel_id"].tolist() == ["萊西-1"]
    assert p.attrs["landuse_read"].encoding == "big5 (given)"


# --- geometry ----------------------------------------------------------------------------------


def test_bow_tie_is_repaired_with_warning(tmp_path):
    x, y = QD_GK
    bow_tie = shapely.Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100), (x, y)])
    assert not bow_tie.is_valid
    raw = gpd.GeoDataFrame(
        {"宗地编号": ["ok", "bowtie"]}, geometry=[square(x - 200, y), bow_tie], crs="EPSG:4549"
    )
    path = tmp_path / "bowtie.gpkg"
    raw.to_file(path)
    with pytest.warns(LanduseWarning, match=r"repaired 1 invalid geometries .*ids bowtie"):
        p = landuse.read_parcels(path)
    fixed = p.geometry.iloc[1]
    assert fixed.is_valid
    assert fixed.geom_type == "MultiPolygon"
    assert len(fixed.geoms) == 2
    assert fixed.area == pytest.approx(5000.0)  # two triangles of 50 m × 100 m / 2 each
    assert p.attrs["landuse_read"].repaired == ["bowtie"]
    with pytest.raises(
        GeometryError, match=r"1 of 2 geometries are invalid \(ids bowtie; first: Self-intersection"
    ):
        landuse.read_parcels(path, repair=False)


def test_repair_keeps_only_polygonal_part():
    x, y = QD_GK
    # a polygon with a dangling spike: make_valid gives polygon + line
    spike = shapely.Polygon(
        [
            (x, y),
            (x + 100, y),
            (x + 100, y + 100),
            (x + 100, y + 200),
            (x + 100, y + 100),
            (x, y + 100),
        ]
    )
    raw = gpd.GeoDataFrame({"宗地编号": ["spike"]}, geometry=[spike], crs="EPSG:4549")
    with pytest.warns(LanduseWarning, match="repaired 1"):
        p = landuse.read_parcels(raw)
    assert p.geometry.iloc[0].geom_type == "Polygon"
    assert p.geometry.iloc[0].area == pytest.approx(10000.0)


def test_empty_geometries_are_dropped_with_warning():
    raw = gpd.GeoDataFrame(
        {"宗地编号": ["a", "b", "c"]},
        geometry=[square(*QD_GK), None, shapely.Polygon()],
        crs="EPSG:4549",
    )
    with pytest.warns(
        LanduseWarning, match=r"dropped 2 of 3 features with empty or missing geometry \(ids b, c\)"
    ):
        p = landuse.read_parcels(raw)
    assert p["parcel_id"].tolist() == ["a"]
    assert p.attrs["landuse_read"].rows_read == 3
    assert p.attrs["landuse_read"].rows_kept == 1


def test_non_polygon_layer_is_rejected():
    raw = gpd.GeoDataFrame(
        {"宗地编号": ["a", "b", "c"]},
        geometry=[shapely.Point(QD_GK), shapely.Point(QD_GK), square(*QD_GK)],
        crs="EPSG:4549",
    )
    with pytest.raises(
        GeometryError, match=r"must be polygons, but 2 of 3 features are not \(2 Point; ids a, b\)"
    ):
        landuse.read_parcels(raw)


# --- CRS ---------------------------------------------------------------------------------------


def _has_vertex(geom, xy, tol=0.01):
    coords = shapely.get_coordinates(geom)
    return bool((np.hypot(coords[:, 0] - xy[0], coords[:, 1] - xy[1]) < tol).any())


def test_auto_crs_projects_cgcs2000_lonlat_to_gauss_kruger():
    lon, lat = QD_LONLAT
    raw = gpd.GeoDataFrame(
        {"zone_id": ["QD01"]},
        geometry=[shapely.box(lon, lat, lon + 0.01, lat + 0.01)],
        crs="EPSG:4490",
    )
    z = landuse.read_zones(raw)
    assert z.crs.to_epsg() == 4549
    assert _has_vertex(z.geometry.iloc[0], QD_GK)
    assert z.attrs["landuse_read"].crs.startswith("EPSG:4549")
    kept = landuse.read_zones(raw, crs=None)
    assert kept.crs.to_epsg() == 4490


def test_missing_crs_is_an_error_unless_given(tmp_path):
    lon, lat = QD_LONLAT
    raw = gpd.GeoDataFrame(
        {"zone_id": ["QD01"]}, geometry=[shapely.box(lon, lat, lon + 0.01, lat + 0.01)]
    )
    with pytest.raises(CRSError, match=r"have no CRS.*source_crs='EPSG:4490'"):
        landuse.read_zones(raw)
    z = landuse.read_zones(raw, source_crs="EPSG:4490")
    assert _has_vertex(z.geometry.iloc[0], QD_GK)
    raw.set_crs(4490).to_file(tmp_path / "noprj.shp")
    (tmp_path / "noprj.prj").unlink()
    with pytest.raises(CRSError, match=r"noprj.shp\) have no CRS"):
        landuse.read_zones(tmp_path / "noprj.shp")
    from_file = landuse.read_zones(tmp_path / "noprj.shp", source_crs=4490)
    assert _has_vertex(from_file.geometry.iloc[0], QD_GK)
    gk = gpd.GeoDataFrame({"zone_id": ["QD01"]}, geometry=[square(*QD_GK)])
    z = landuse.read_zones(gk, crs="EPSG:4549")
    assert z.crs.to_epsg() == 4549
    assert z.total_bounds[0] == pytest.approx(QD_GK[0])


def test_wrong_declared_crs_is_overridden_with_warning():
    raw = gpd.GeoDataFrame({"zone_id": ["QD01"]}, geometry=[square(*QD_GK)], crs="EPSG:4326")
    with pytest.raises(CRSError, match=r"coordinates reach x .* which are not degrees"):
        landuse.read_zones(raw)
    with pytest.warns(LanduseWarning, match=r"declares EPSG:4326.*source_crs=EPSG:4549"):
        z = landuse.read_zones(raw, source_crs="EPSG:4549")
    assert z.total_bounds[0] == pytest.approx(QD_GK[0])


def test_zone_prefixed_eastings_are_recognised():
    x, y = QD_GK
    raw = gpd.GeoDataFrame(
        {"zone_id": ["QD01"]}, geometry=[square(40_000_000 + x, y)], crs="EPSG:4549"
    )
    with pytest.warns(LanduseWarning, match=r"EPSG:4528"):
        z = landuse.read_zones(raw)
    assert z.crs.to_epsg() == 4549
    assert z.total_bounds[0] == pytest.approx(x, abs=0.01)
    no_crs = raw.set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match=r"EPSG:4528"):
        landuse.read_zones(no_crs)


def test_gcj02_geojson_is_converted_to_wgs84(tmp_path):
    lon, lat = QD_LONLAT
    wgs = gpd.GeoDataFrame(
        {"宗地编号": ["gcj"]},
        geometry=[shapely.box(lon, lat, lon + 0.002, lat + 0.002)],
        crs="EPSG:4326",
    )
    gcj = landuse.wgs84_to_gcj02(wgs)
    gcj.to_file(tmp_path / "amap.geojson", driver="GeoJSON")
    truth = landuse.read_parcels(wgs)
    naive = landuse.read_parcels(tmp_path / "amap.geojson")
    fixed = landuse.read_parcels(tmp_path / "amap.geojson", coord_system="gcj02")
    # read as if WGS84, the parcel lands about 450–500 m off
    off = naive.geometry.iloc[0].centroid.distance(truth.geometry.iloc[0].centroid)
    assert 400 < off < 550
    assert fixed.geometry.iloc[0].centroid.distance(truth.geometry.iloc[0].centroid) < 0.5
    assert fixed.attrs["landuse_read"].coord_system == "gcj02"
    projected = landuse.read_parcels(wgs)
    with pytest.raises(CRSError, match=r"coord_system='gcj02' means longitude/latitude"):
        landuse.read_parcels(projected, coord_system="gcj02")


def test_bd09_points_are_converted(tmp_path):
    lon, lat = QD_LONLAT
    wgs = gpd.GeoDataFrame(
        {"宗地编号": ["bd"]}, geometry=[shapely.box(lon, lat, lon + 0.002, lat + 0.002)], crs=4326
    )
    landuse.wgs84_to_bd09(wgs).to_file(tmp_path / "baidu.geojson", driver="GeoJSON")
    fixed = landuse.read_parcels(tmp_path / "baidu.geojson", coord_system="bd09")
    truth = landuse.read_parcels(wgs)
    assert fixed.geometry.iloc[0].centroid.distance(truth.geometry.iloc[0].centroid) < 0.5


# --- formats -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "driver"), [(".fgb", "FlatGeobuf"), (".geojson", "GeoJSON"), (".shp", None)]
)
def test_vector_formats(tmp_path, parcels_zh, suffix, driver):
    path = tmp_path / f"p{suffix}"
    parcels_zh.to_file(path, driver=driver, encoding="utf-8" if suffix == ".shp" else None)
    units = None
    if suffix == ".shp":  # area and money names cut at 10 bytes lose any unit: state it
        with pytest.raises(SchemaError, match=r"'用地面' looks like `land_area_m2`"):
            landuse.read_parcels(path)
        units = {"用地面": "m2", "建筑面": "m2", "营业收": "万元", "固定资": "万元"}
    p = landuse.read_parcels(path, units=units).sort_values("parcel_id")  # FlatGeobuf reorders
    assert p["parcel_id"].tolist() == ["370282-001", "370282-002", "370282-003"]
    assert p["floor_area_m2"].tolist() == [12000.0, 30000.0, 5000.0]
    assert p["enterprise"].tolist() == ["青岛甲公司", "青岛乙公司", "青岛丙公司"]
    assert p["land_use"].tolist() == ["industrial", "commercial", "industrial"]
    if (
        path.suffix == ".shp"
    ):  # UTF-8 names cut at 10 bytes (宗地编号 → 宗地编) are still recognised
        notes = p.attrs["landuse_read"].notes
        assert "truncated field '宗地编' read as `parcel_id`" in notes
        assert "truncated field '固定资' read as `investment_wan`" in notes


def test_geoparquet(tmp_path, parcels_zh):
    parcels_zh.astype({"行业代码": str}).to_parquet(tmp_path / "p.parquet")
    p = landuse.read_parcels(tmp_path / "p.parquet")
    assert p["parcel_id"].tolist() == ["370282-001", "370282-002", "370282-003"]
    assert p.crs.to_epsg() == 4549


def test_multilayer_geopackage(tmp_path, parcels_zh):
    path = tmp_path / "all.gpkg"
    parcels_zh.to_file(path, layer="parcels")
    parcels_zh.iloc[:1].to_file(path, layer="other")
    assert len(landuse.read_parcels(path)) == 3
    assert len(landuse.read_parcels(path, layer="other")) == 1
    with pytest.raises(
        SchemaError, match=r"has 2 layers \(parcels, other\) and none is called 'zones'"
    ):
        landuse.read_zones(path)


def test_tables_are_rejected_for_spatial_roles(tmp_path):
    pd.DataFrame({"宗地编号": ["a"]}).to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(SchemaError, match=r"parcels need geometries, but p.csv is a table"):
        landuse.read_parcels(tmp_path / "p.csv")


# --- zone statistics ---------------------------------------------------------------------------


ZONE_STATS_ZH = pd.DataFrame(
    {
        "集聚区编号": ["QD01", "QD01", "QD02"],
        "年份": ["2020", "2021", "2021"],
        "主营业务收入(亿元)": ["100.5", "110", "1,050"],
        "实缴税金(万元)": [52000, 56000, 400000],
        "新建项目用地(亩)": [300, 320, "—"],
        "用地面积(公顷)": [600, 600, 1200],
    }
)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_zone_stats_csv(tmp_path, encoding):
    path = tmp_path / "stats.csv"
    ZONE_STATS_ZH.to_csv(path, index=False, encoding=encoding)
    s = landuse.read_zone_stats(path)
    assert s.columns.tolist()[:6] == [
        "zone_id",
        "year",
        "revenue_wan",
        "tax_wan",
        "new_project_land_mu",
        "land_area_mu",
    ]
    assert s["year"].tolist() == [2020, 2021, 2021]
    assert str(s["year"].dtype) == "Int64"
    assert s["revenue_wan"].tolist() == [1_005_000.0, 1_100_000.0, 10_500_000.0]
    assert s["land_area_mu"].tolist() == [9000.0, 9000.0, 18000.0]  # 1 ha = 15 亩
    assert s["new_project_land_mu"].isna().tolist() == [False, False, True]
    assert s.attrs["landuse_read"].encoding.startswith(encoding)


def test_zone_stats_excel_and_duplicates(tmp_path):
    path = tmp_path / "stats.xlsx"
    ZONE_STATS_ZH.to_excel(path, index=False)
    s = landuse.read_zone_stats(path)
    assert s["tax_wan"].tolist() == [52000.0, 56000.0, 400000.0]
    dup = pd.concat([ZONE_STATS_ZH, ZONE_STATS_ZH.iloc[[1]]])
    with pytest.raises(SchemaError, match=r"`zone_id` \+ `year` must be unique.*QD01 / 2021"):
        landuse.read_zone_stats(dup)
    bad = ZONE_STATS_ZH.assign(年份=["2020", "2021.5", "二〇二一"])
    with pytest.raises(
        SchemaError, match=r"`year`: 2 of 3 values are not whole numbers .*ids QD01/2021.5"
    ):
        landuse.read_zone_stats(bad)


# --- writing -----------------------------------------------------------------------------------


def test_write_layers_roundtrip_and_atomic_failure(tmp_path, parcels_zh, monkeypatch):
    p = landuse.read_parcels(parcels_zh)
    stats = landuse.read_zone_stats(ZONE_STATS_ZH)
    out = landuse.write_layers({"parcels": p, "zone_stats": stats}, tmp_path / "out.gpkg")
    back = pyogrio.read_dataframe(out, layer="parcels")
    assert back["parcel_id"].tolist() == p["parcel_id"].tolist()
    assert back["enterprise"].tolist() == ["青岛甲公司", "青岛乙公司", "青岛丙公司"]
    assert pyogrio.read_dataframe(out, layer="zone_stats", read_geometry=False)[
        "year"
    ].tolist() == [2020, 2021, 2021]
    before = out.read_bytes()
    real_write = pyogrio.write_dataframe
    calls = []

    def disk_full_on_second_layer(*args, **kwargs):
        calls.append(kwargs["layer"])
        if len(calls) == 2:
            raise OSError("No space left on device")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", disk_full_on_second_layer)
    with pytest.raises(OSError, match="No space left"):
        landuse.write_layers({"parcels": p.iloc[:1], "zone_stats": stats}, out)
    assert calls == ["parcels", "zone_stats"]
    assert out.read_bytes() == before
    assert sorted(f.name for f in tmp_path.iterdir()) == ["out.gpkg"]


def test_read_report_summary(parcels_zh):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = landuse.read_parcels(parcels_zh)
    text = p.attrs["landuse_read"].summary()
    assert "parcels from <GeoDataFrame>: 3 of 3 features kept" in text
    assert "宗地编号→parcel_id" in text
    assert "CRS EPSG:4549" in text


def test_io_module_exports():
    assert set(io.__all__) <= set(dir(io))


def test_zones_with_code_lists_from_geojson(tmp_path):
    lon, lat = QD_LONLAT
    raw = gpd.GeoDataFrame(
        {
            "编号": ["QD01", "QD02"],
            "名称": ["即墨汽车制造产业集聚区", "崂山微电子产业集聚区"],
            "主导产业行业代码": ["C36、C38", 39],
        },
        geometry=[
            shapely.box(lon, lat, lon + 0.01, lat + 0.01),
            shapely.box(lon + 0.02, lat, lon + 0.03, lat + 0.01),
        ],
        crs="EPSG:4326",
    )
    raw.to_file(tmp_path / "zones.geojson", driver="GeoJSON")
    z = landuse.read_zones(tmp_path / "zones.geojson")
    assert z["zone_id"].tolist() == ["QD01", "QD02"]
    assert z["leading_industry_codes"].tolist() == ["36;38", "39"]
    assert z.crs.to_epsg() == 4549


def test_sample_zones_and_functional_areas_tile():
    s = landuse.load_sample()
    assert s.zones["zone_id"].is_unique
    assert set(s.functional_areas["area_type"]) == {"industrial", "business", "residential"}
    by_zone = s.functional_areas.dissolve("zone_id").area.sort_index()
    zones = s.zones.set_index("zone_id").area.sort_index()
    np.testing.assert_allclose(by_zone.to_numpy(), zones.to_numpy(), rtol=1e-6)


def test_unit_cut_off_by_the_dbf_limit_is_not_read_silently(tmp_path):
    raw = gpd.GeoDataFrame(
        {"宗地编号": ["A"], "用地面积(亩)": [15.0], "面积(亩)": [15.0]},
        geometry=[square(*QD_GK)],
        crs="EPSG:4549",
    )
    raw.to_file(tmp_path / "cut.shp", encoding="gbk")  # 用地面积(亩) is 12 bytes in GBK
    with pytest.warns(LanduseWarning, match=r"'用地面积\(' end in an unclosed bracket"):
        p = landuse.read_parcels(tmp_path / "cut.shp")
    # the field that fits (面积(亩), 8 bytes) is read and converted; the cut one is left alone
    assert p["land_area_m2"].tolist() == [pytest.approx(10000.0)]
    assert p.attrs["landuse_read"].columns["面积(亩)"] == "land_area_m2"
    assert "用地面积(" in p.columns
