"""Tests of the synthetic generators and of the generated sample files.

The sample files are read with pyogrio / rasterio directly, not through landuse.io.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import rasterio.features
import shapely
from geopandas.testing import assert_geodataframe_equal

from landuse.datasets.synthetic import (
    synthetic_buildings,
    synthetic_parcels,
    synthetic_proposals,
    synthetic_zones,
)
from landuse.errors import CRSError, SchemaError
from landuse.schema import (
    AREA_TYPES,
    BUILDINGS,
    LAND_USES,
    PARCELS,
    PRODUCTION_STATUSES,
    PROPOSALS,
    ZONE_STATS,
    ZONES,
    normalise_key,
    normalise_land_use,
    normalise_production_status,
    split_unit,
    unit_factor,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "landuse" / "datasets" / "data"
BOUNDARIES = ROOT / "data" / "boundaries"
GPKG = DATA / "sample.gpkg"
RASTERS = ("builtup.tif", "building_height.tif", "night_light.tif")
AS_OF = pd.Timestamp("2021-12-31")


def tiling_errors(zones: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> tuple[float, float]:
    """Largest relative difference between zone and union of its areas; total overlap share."""
    union = areas.dissolve("zone_id").geometry
    zone = zones.set_index("zone_id").geometry.loc[union.index]
    diff = shapely.area(shapely.symmetric_difference(union.values, zone.values))
    rel = float(np.max(diff / shapely.area(zone.values)))
    geoms = areas.geometry.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[keep]], geoms[right[keep]])).sum()
    return rel, float(overlap / shapely.area(geoms).sum())


# --- synthetic_parcels ------------------------------------------------------------------------


def test_parcels_same_seed_equal_frames():
    assert_geodataframe_equal(synthetic_parcels(300, seed=3), synthetic_parcels(300, seed=3))


def test_parcels_different_seed_differ():
    a, b = synthetic_parcels(300, seed=3), synthetic_parcels(300, seed=4)
    assert not a["land_area_m2"].equals(b["land_area_m2"])
    assert not a.geometry.geom_equals(b.geometry).all()


@pytest.mark.parametrize("n", [0, 1, 7, 1000])
def test_parcels_exact_count_and_unique_ids(n):
    parcels = synthetic_parcels(n, seed=1)
    assert len(parcels) == n
    assert parcels["parcel_id"].is_unique
    assert isinstance(parcels.index, pd.RangeIndex)
    if n:
        assert parcels["parcel_id"].iloc[0] == "P0000001"
        assert parcels["parcel_id"].iloc[-1] == f"P{n:07d}"


def test_parcels_columns_and_dtypes():
    parcels = synthetic_parcels(2000, seed=2)
    own = [c for c in PARCELS.columns if c.name != "owner_code"]  # optional holder code left out
    assert list(parcels.columns) == [*(c.name for c in own), "geometry"]
    for column in own:
        series = parcels[column.name]
        if column.kind in ("str", "category"):
            assert pd.api.types.is_string_dtype(series), column.name
        elif column.kind == "float":
            assert series.dtype == np.float64, column.name
        elif column.kind == "date":
            assert pd.api.types.is_datetime64_dtype(series), column.name
    assert set(parcels["land_use"]) == set(LAND_USES)
    assert set(parcels["production_status"].dropna()) == set(PRODUCTION_STATUSES)
    assert parcels["zone_id"].isna().all()
    productive = parcels["land_use"].isin(["industrial", "logistics"])
    assert parcels.loc[productive, "production_status"].notna().all()
    assert parcels.loc[~productive, "production_status"].isna().all()
    assert parcels.loc[productive, "industry_code"].str.fullmatch(r"\d\d").all()


def test_parcels_geometry_and_crs():
    parcels = synthetic_parcels(500, seed=5)
    assert parcels.crs.to_epsg() == 4549
    assert parcels.geometry.is_valid.all()
    assert (parcels.geom_type == "Polygon").all()
    area = parcels.area
    assert area.between(5000, 60000).all()
    assert ((parcels["land_area_m2"] / area - 1).abs() <= 0.021).all()
    left, _right = parcels.sindex.query(parcels.geometry, predicate="overlaps")
    assert len(left) == 0


@pytest.mark.parametrize("vertices", [4, 5, 8, 16])
def test_parcels_vertex_count(vertices):
    parcels = synthetic_parcels(50, seed=0, vertices=vertices)
    counts = shapely.get_num_coordinates(parcels.geometry.to_numpy())
    assert (counts == vertices + 1).all()
    assert parcels.geometry.is_valid.all()


def test_parcels_dates_are_consistent():
    parcels = synthetic_parcels(5000, seed=7)
    for name in ("grant_date", "actual_start_date", "completion_date", "stopped_since"):
        assert (parcels[name].dropna() <= AS_OF).all(), name
    assert (parcels["agreed_start_date"] > parcels["grant_date"]).all()
    done = parcels["completion_date"].notna() & parcels["actual_start_date"].notna()
    assert (parcels.loc[done, "completion_date"] > parcels.loc[done, "actual_start_date"]).all()
    not_started = parcels["production_status"] == "not_started"
    assert parcels.loc[not_started, "actual_start_date"].isna().all()
    assert (parcels.loc[not_started, "floor_area_m2"] == 0).all()
    stopped = parcels["production_status"].isin(["stopped", "partly_stopped"])
    assert parcels.loc[stopped, "stopped_since"].notna().all()
    assert parcels.loc[~stopped, "stopped_since"].isna().all()


def test_parcels_origin_and_crs_options():
    parcels = synthetic_parcels(4, origin=(1000.0, 2000.0), crs="EPSG:32651")
    assert parcels.crs.to_epsg() == 32651
    minx, miny, _, _ = parcels.total_bounds
    assert 1000.0 < minx < 1100.0
    assert 2000.0 < miny < 2100.0


def test_parcels_bad_arguments():
    with pytest.raises(ValueError, match="`vertices` must be at least 4"):
        synthetic_parcels(3, vertices=3)
    with pytest.raises(ValueError, match="non-negative"):
        synthetic_parcels(-1)
    with pytest.raises(CRSError, match="geographic CRS"):
        synthetic_parcels(3, crs="EPSG:4326")


# --- synthetic_buildings ----------------------------------------------------------------------


@pytest.mark.parametrize(("vertices", "per_parcel"), [(4, 1), (4, 3), (8, 2)])
def test_buildings_inside_their_parcels(vertices, per_parcel):
    parcels = synthetic_parcels(400, seed=11, vertices=vertices)
    buildings = synthetic_buildings(parcels, per_parcel=per_parcel, seed=2)
    if vertices == 4:
        assert len(buildings) == per_parcel * len(parcels)
    assert list(buildings.columns) == [
        # floor areas and per-storey heights are optional inputs the generator leaves out
        *(c for c in BUILDINGS.column_names if c not in ("floor_area_m2", "storey_heights_m")),
        "geometry",
    ]
    assert buildings["building_id"].is_unique
    assert buildings.crs == parcels.crs
    assert buildings.geometry.is_valid.all()
    assert (buildings.area > 0).all()
    owner = parcels.set_index("parcel_id").geometry.loc[buildings["parcel_id"]]
    assert shapely.covers(owner.to_numpy(), buildings.geometry.to_numpy()).all()
    assert np.allclose(buildings["height_m"], buildings["levels"] * buildings["storey_height_m"],
                       atol=0.051)  # fmt: skip
    assert (buildings["storey_height_m"] > 8).any()


def test_buildings_deterministic():
    parcels = synthetic_parcels(100, seed=1)
    assert_geodataframe_equal(
        synthetic_buildings(parcels, seed=4), synthetic_buildings(parcels, seed=4)
    )
    a = synthetic_buildings(parcels, seed=4)
    b = synthetic_buildings(parcels, seed=5)
    assert not a.geometry.geom_equals(b.geometry).all()


def test_buildings_errors():
    parcels = synthetic_parcels(5)
    with pytest.raises(SchemaError, match="parcel_id"):
        synthetic_buildings(parcels.drop(columns="parcel_id"))
    with pytest.raises(ValueError, match="per_parcel"):
        synthetic_buildings(parcels, per_parcel=0)
    with pytest.raises(CRSError, match="geographic"):
        synthetic_buildings(parcels.to_crs("EPSG:4326"))


# --- synthetic_zones --------------------------------------------------------------------------


def test_zones_counts_ids_and_tiling():
    zones, areas = synthetic_zones(12, seed=5)
    assert len(zones) == 12
    assert len(areas) == 36
    assert list(zones.columns) == [*ZONES.column_names, "geometry"]
    assert zones["zone_id"].is_unique
    assert zones.crs.to_epsg() == 4549
    assert zones.geometry.is_valid.all()
    assert areas.geometry.is_valid.all()
    kinds = areas.groupby("zone_id")["area_type"].apply(lambda s: sorted(s) == sorted(AREA_TYPES))
    assert kinds.all()
    rel, overlap = tiling_errors(zones, areas)
    assert rel < 1e-6
    assert overlap < 1e-9
    left, right = zones.sindex.query(zones.geometry, predicate="intersects")
    assert (left == right).all()
    share = (
        areas[areas["area_type"] == "industrial"].set_index("zone_id").area
        / zones.set_index("zone_id").area
    )
    assert share.between(0.7 - 1e-6, 0.8 + 1e-6).all()


def test_zones_tiling_survives_reprojection():
    zones, areas = synthetic_zones(5, seed=9)
    rel, overlap = tiling_errors(zones.to_crs("EPSG:32651"), areas.to_crs("EPSG:32651"))
    assert rel < 1e-6
    assert overlap < 1e-9


def test_zones_follow_parcels_extent():
    parcels = synthetic_parcels(2500, seed=1)
    zones, _ = synthetic_zones(6, seed=1, parcels=parcels)
    minx, miny, maxx, maxy = parcels.total_bounds
    zminx, zminy, zmaxx, zmaxy = zones.total_bounds
    assert minx <= zminx
    assert miny <= zminy
    assert zmaxx <= maxx
    assert zmaxy <= maxy
    assert zones.area.sum() < 0.5 * (maxx - minx) * (maxy - miny)
    assert zones.crs == parcels.crs


def test_zones_deterministic_and_errors():
    a = synthetic_zones(3, seed=2)
    b = synthetic_zones(3, seed=2)
    assert_geodataframe_equal(a[0], b[0])
    assert_geodataframe_equal(a[1], b[1])
    assert not a[0].geometry.geom_equals(synthetic_zones(3, seed=3)[0].geometry).all()
    with pytest.raises(ValueError, match="at least 1"):
        synthetic_zones(0)


# --- synthetic_proposals ----------------------------------------------------------------------


def test_proposals_inside_straddling_outside():
    zones, _ = synthetic_zones(8, seed=4)
    proposals = synthetic_proposals(101, zones=zones, seed=4, shares=(0.6, 0.2, 0.2))
    assert len(proposals) == 101
    assert list(proposals.columns) == [*PROPOSALS.column_names, "geometry"]
    assert proposals["proposal_id"].is_unique
    assert proposals.crs == zones.crs
    assert proposals["district"].notna().all()
    union = zones.union_all()
    inside = proposals.within(union)
    outside = ~proposals.intersects(union)
    assert int(inside.sum()) == 61
    assert int(outside.sum()) == 101 - 61 - 20
    assert int((~inside & ~outside).sum()) == 20
    assert set(proposals["land_use"]) <= {"industrial", "commercial"}
    assert_geodataframe_equal(proposals, synthetic_proposals(101, zones=zones, seed=4,
                                                             shares=(0.6, 0.2, 0.2)))  # fmt: skip


def test_proposals_errors():
    zones, _ = synthetic_zones(2)
    with pytest.raises(ValueError, match="empty"):
        synthetic_proposals(3, zones=zones.iloc[:0])
    with pytest.raises(CRSError, match="geographic"):
        synthetic_proposals(3, zones=zones.to_crs("EPSG:4326"))


# --- the generated sample files ---------------------------------------------------------------


def test_sample_files_exist_and_are_small():
    paths = [
        BOUNDARIES / "zones.geojson",
        BOUNDARIES / "functional_areas.geojson",
        GPKG,
        DATA / "zone_stats.csv",
        DATA / "README.md",
        *(DATA / name for name in RASTERS),
    ]
    for path in paths:
        assert path.is_file(), path
    assert sum(p.stat().st_size for p in paths) < 8 * 1024 * 1024
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower()
    assert "CC0" in readme
    assert "2021-12-31" in readme


@pytest.fixture(scope="module")
def zones_file() -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(BOUNDARIES / "zones.geojson")


@pytest.fixture(scope="module")
def areas_file() -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(BOUNDARIES / "functional_areas.geojson")


@pytest.fixture(scope="module")
def parcels_file() -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(GPKG, layer="parcels")


def test_sample_zones(zones_file):
    zones = zones_file
    assert len(zones) == 14
    assert zones.crs.to_epsg() == 4326
    assert list(zones["zone_id"]) == [f"QD{i:02d}" for i in range(1, 15)]
    assert set(ZONES.column_names) <= set(zones.columns)
    assert (zones["note"] == "synthetic sample").all()
    assert zones["leading_industry_codes"].str.fullmatch(r"\d\d(;\d\d)*").all()
    assert set(zones["tier_target"]) <= {"百亿级", "三百亿级", "五百亿级", "千亿级"}
    assert zones.geometry.is_valid.all()
    minx, miny, maxx, maxy = zones.total_bounds
    assert 119.5 <= minx
    assert maxx <= 121.0
    assert 35.6 <= miny
    assert maxy <= 37.1
    assert (zones.geom_type == "MultiPolygon").sum() >= 1
    holes = [sum(len(p.interiors) for p in getattr(g, "geoms", [g])) for g in zones.geometry]
    assert max(holes) >= 1
    metric = zones.to_crs("EPSG:4549")
    assert (metric.area / 1e6).between(2.99, 12.01).all()
    left, right = metric.sindex.query(metric.geometry, predicate="intersects")
    assert (left == right).all()


def test_sample_functional_areas_tile_zones(zones_file, areas_file):
    areas = areas_file
    assert len(areas) == 42
    assert set(areas["area_type"]) == set(AREA_TYPES)
    assert (areas.groupby("zone_id").size() == 3).all()
    assert set(areas["name_zh"]) == {"产业发展区", "商务服务区", "居住生活区"}
    for crs in ("EPSG:4549", "EPSG:32651"):
        rel, overlap = tiling_errors(zones_file.to_crs(crs), areas.to_crs(crs))
        assert rel < 1e-6
        assert overlap < 1e-9
    metric_zones = zones_file.to_crs("EPSG:4549").set_index("zone_id").area
    industrial = areas[areas["area_type"] == "industrial"].to_crs("EPSG:4549")
    share = industrial.set_index("zone_id").area / metric_zones
    assert share.between(0.7, 0.8).all()


def test_sample_parcels(parcels_file, zones_file):
    parcels = parcels_file
    expected = [c.label_zh for c in PARCELS.columns if c.name != "zone_id"]
    assert list(parcels.columns) == [*expected, "geometry"]
    assert len(parcels) >= 3000
    assert parcels["宗地编号"].is_unique
    assert parcels["宗地编号"].str.fullmatch(r"3702\d\d-\d{6}").all()
    assert parcels.crs.to_epsg() == 4549
    assert parcels.geometry.is_valid.all()
    assert (parcels.geom_type == "Polygon").all()
    uses = parcels["用途"].map(normalise_land_use)
    assert set(uses) == {"industrial", "logistics", "commercial", "residential"}
    assert parcels["用途"].nunique() > 8  # codes and words mixed
    status = parcels["生产状态"].dropna().map(normalise_production_status)
    assert set(status) == set(PRODUCTION_STATUSES)
    assert pd.api.types.is_datetime64_dtype(parcels["约定开工日期"])
    assert (parcels["用地面积"] / parcels.area - 1).abs().max() < 0.03
    ha = parcels.area / 1e4
    assert ha.between(0.5, 10.0).all()
    zones = zones_file.to_crs("EPSG:4549")
    points = parcels.representative_point()
    inside = points.within(zones.union_all())
    assert 0.03 < (~inside).mean() < 0.10
    assert ((uses[~inside]).isin(["industrial", "logistics"])).all()


def test_sample_parcels_case_mix(parcels_file):
    p = parcels_file
    mu = p["用地面积"] / (10000 / 15)
    status = p["生产状态"].map(normalise_production_status)
    industrial = p["用途"].map(normalise_land_use) == "industrial"
    one_year = AS_OF - pd.DateOffset(years=1)
    idle = industrial & (status == "not_started") & (p["约定开工日期"] <= one_year)
    assert idle.sum() >= 15
    assert (idle & (p["约定开工日期"] == one_year)).sum() >= 3
    boundary = industrial & (status == "not_started")
    assert (boundary & (p["约定开工日期"] == pd.Timestamp("2021-01-01"))).sum() >= 3
    producing = status.isin(["producing", "partly_stopped"])
    assert (industrial & producing & (p["营业收入"] / mu < 100)).sum() >= 15
    assert (industrial & producing & (p["税收"] / mu < 20)).sum() >= 15
    stopped = status.isin(["stopped", "partly_stopped"]) & (p["停产日期"] <= one_year)
    assert (industrial & stopped).sum() >= 15
    late = (p["实际竣工日期"] - p["约定竣工日期"]).dt.days > 730
    assert (industrial & late).sum() >= 15
    low_inv = (p["实际竣工日期"] <= AS_OF - pd.DateOffset(years=2)) & (
        p["固定资产投资"] < 0.5 * p["约定投资"]
    )
    assert (industrial & low_inv).sum() >= 15
    far = p["建筑面积"] / p["用地面积"]
    assert (
        industrial & far.between(0.3, 0.5) & (p["建筑占地面积"] / p["用地面积"] < 0.3)
    ).sum() >= 15
    assert (p["出让年限"] == 20).sum() >= 15
    efficient = industrial & (status == "producing") & (p["营业收入"] / mu >= 200)
    assert efficient.mean() > 0.4


def test_sample_buildings(parcels_file):
    buildings = pyogrio.read_dataframe(GPKG, layer="buildings")
    assert list(buildings.columns) == [
        "building_id",
        "parcel_id",
        "levels",
        "height_m",
        "storey_height_m",
        "geometry",
    ]
    assert set(buildings.columns[:-1]) <= set(BUILDINGS.column_names)
    assert buildings["building_id"].is_unique
    assert buildings.geometry.is_valid.all()
    parcels = parcels_file.set_index("宗地编号")
    assert buildings["parcel_id"].isin(parcels.index).all()
    status = parcels["生产状态"].map(normalise_production_status)
    assert not buildings["parcel_id"].isin(status[status == "not_started"].index).any()
    owner = parcels.geometry.loc[buildings["parcel_id"]].to_numpy()
    inside = shapely.covers(owner, buildings.geometry.to_numpy())
    assert 10 <= (~inside).sum() <= 30  # a few straddle two parcels
    assert ((buildings["storey_height_m"] > 8) & (buildings["levels"] == 1)).sum() >= 20
    floor = (buildings.area * buildings["levels"]).groupby(buildings["parcel_id"]).sum()
    recorded = parcels["建筑面积"].loc[floor.index]
    assert np.allclose(floor, recorded, rtol=1e-4)


def test_sample_proposals(zones_file):
    proposals = pyogrio.read_dataframe(GPKG, layer="proposals")
    assert len(proposals) >= 120
    assert list(proposals.columns) == [*PROPOSALS.column_names, "geometry"]
    assert proposals["proposal_id"].is_unique
    assert proposals["district"].notna().all()
    assert (proposals.geom_type == "MultiPolygon").sum() >= 2
    assert set(proposals["land_use"]) == {"industrial", "commercial"}
    zones = zones_file.to_crs("EPSG:4549").union_all()
    share = proposals.intersection(zones).area / proposals.area
    assert (share > 1 - 1e-9).sum() >= 60
    assert (share < 1e-9).sum() >= 20
    assert (share.between(0.45, 0.55)).sum() >= 5
    assert (share.between(0.9, 0.99)).sum() >= 5
    assert proposals.touches(zones).sum() >= 3


def test_sample_zone_stats_headers():
    raw = (DATA / "zone_stats.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    stats = pd.read_csv(DATA / "zone_stats.csv", encoding="utf-8-sig", dtype={"集聚区编号": str})
    assert len(stats) == 42
    keys = {normalise_key(a): c for c in ZONE_STATS.columns for a in (c.name, *c.aliases)}
    mapped = {}
    for header in stats.columns:
        base, unit = split_unit(header)
        column = keys[normalise_key(base)]
        mapped[column.name] = unit_factor(unit, column)
    # the floor area (issue 22) is an optional input the sample does not carry; the
    # investment-attraction counts are there (plain counts, no unit)
    assert set(mapped) == set(ZONE_STATS.column_names) - {"floor_area_m2"}
    assert mapped["fortune500_projects"] == mapped["projects_over_100m"] == 1.0
    assert mapped["revenue_wan"] == 1e4
    assert mapped["land_area_mu"] == 1.0
    assert set(stats["年份"]) == {2019, 2020, 2021}
    assert not stats.duplicated(["集聚区编号", "年份"]).any()
    y2021 = stats[stats["年份"] == 2021].set_index("集聚区编号")
    revenue = y2021["主营业务收入(亿元)"]
    assert (revenue > 1000).sum() >= 3
    assert (revenue < 100).sum() == 1
    assert ((y2021["主导产业营业收入(亿元)"] / revenue) < 0.5).any()
    assert ((y2021["新建项目投资(万元)"] / y2021["新建项目用地(亩)"]) < 280).any()
    assert ((y2021["实缴税金(万元)"] / y2021["用地面积(亩)"]) < 20).any()
    # the 2021 attraction misses the sample's README names: no 500-强 project in QD05 and
    # QD10, fewer than 5 projects over 1 亿元 in QD09
    assert sorted(y2021.index[y2021["世界500强及中国500强项目数"] < 1]) == ["QD05", "QD10"]
    assert sorted(y2021.index[y2021["过亿元项目数"] < 5]) == ["QD09"]
    assert (stats["过亿元项目数"] <= stats["年度招商引资数"]).all()


def test_sample_rasters_share_one_grid(parcels_file):
    profiles, arrays = [], {}
    for name in RASTERS:
        with rasterio.open(DATA / name) as src:
            profiles.append(src.profile)
            arrays[name] = src.read(1)
            assert src.crs.to_epsg() == 4549
            assert src.res == (10.0, 10.0)
            assert src.width <= 400
            assert src.height <= 400
            assert src.profile["compress"] == "deflate"
            assert src.tags()["SYNTHETIC"] == "yes"
    assert len({(p["transform"], p["width"], p["height"]) for p in profiles}) == 1
    landcover = arrays["builtup.tif"]
    height = arrays["building_height.tif"]
    light = arrays["night_light.tif"]
    assert landcover.dtype == np.uint8
    assert profiles[0]["nodata"] == 0
    assert height.dtype == np.float32
    assert profiles[1]["nodata"] == -9999
    assert light.dtype == np.float32
    assert profiles[2]["nodata"] == -9999
    assert set(np.unique(landcover)) == {1, 2, 3, 4}
    assert (landcover[height > 0] == 1).all()
    # vacant on not-started parcels, dark at night there, bright on producing parcels
    transform = profiles[0]["transform"]
    status = parcels_file["生产状态"].map(normalise_production_status)

    def pixels(mask):
        shapes = parcels_file.geometry[mask & (parcels_file["用途"].map(normalise_land_use)
                                               == "industrial")]  # fmt: skip
        return rasterio.features.geometry_mask(
            shapes, out_shape=landcover.shape, transform=transform, invert=True
        )

    idle = pixels(status == "not_started")
    producing = pixels(status == "producing")
    assert idle.sum() > 100
    assert producing.sum() > 1000
    assert (landcover[idle] == 2).all()
    assert light[idle].max() < light[producing].mean() / 5


@pytest.mark.slow
def test_generator_is_deterministic(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_sample_data.py"), "--root", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    out_data = tmp_path / "landuse" / "datasets" / "data"
    out_bounds = tmp_path / "data" / "boundaries"
    for name in ("zones.geojson", "functional_areas.geojson", "README.md"):
        assert (out_bounds / name).read_bytes() == (BOUNDARIES / name).read_bytes(), name
    for name in ("zone_stats.csv", "README.md"):
        assert (out_data / name).read_bytes() == (DATA / name).read_bytes(), name
    for layer in ("parcels", "buildings", "proposals"):
        assert_geodataframe_equal(
            pyogrio.read_dataframe(out_data / "sample.gpkg", layer=layer),
            pyogrio.read_dataframe(GPKG, layer=layer),
        )
    for name in RASTERS:
        with rasterio.open(out_data / name) as new, rasterio.open(DATA / name) as old:
            assert new.transform == old.transform
            np.testing.assert_array_equal(new.read(1), old.read(1))


# --- the sample's enterprises and tenancies (issue 19) ---------------------------------------


@pytest.fixture(scope="module")
def sample():
    from landuse.datasets import load_sample

    return load_sample()


def test_sample_enterprises_three_years_valid_codes(sample):
    from landuse.enterprise import validate_credit_code

    firms = sample.enterprises
    assert sorted(firms["year"].unique()) == [2019, 2020, 2021]
    assert (firms.groupby("credit_code").size() == 3).all()  # one row per enterprise-year
    assert validate_credit_code(firms["credit_code"], errors="coerce").notna().all()
    assert validate_credit_code(sample.tenancies["tenant_code"], errors="coerce").notna().all()


def test_sample_parcels_owner_code_matches_enterprises(sample):
    parcels = sample.parcels
    held = parcels[parcels["land_use"].isin(["industrial", "logistics"])]
    assert held["owner_code"].notna().all()
    assert parcels.loc[~parcels.index.isin(held.index), "owner_code"].isna().all()
    # one code per holder name; most holders have data, some (not yet producing) none
    assert (held.groupby("owner_code")["enterprise"].nunique() == 1).all()
    with_data = held["owner_code"].isin(sample.enterprises["credit_code"])
    assert with_data.mean() > 0.8
    names = sample.enterprises.drop_duplicates("credit_code").set_index("credit_code")["name"]
    matched = held[with_data]
    assert (matched["enterprise"].to_numpy() == names[matched["owner_code"]].to_numpy()).all()
    several = held.groupby("owner_code").size()
    assert (several > 1).sum() >= 10  # firms holding several parcels


def test_sample_enterprise_edge_cases(sample):
    firms = sample.enterprises
    y21 = firms[firms["year"] == 2021].set_index("credit_code")
    ten = sample.tenancies
    # tenants on others' parcels, one on a parcel not in the register
    assert len(ten) >= 50
    assert (~ten["tenant_code"].isin(sample.parcels["owner_code"])).all()
    assert (~ten["parcel_id"].isin(sample.parcels["parcel_id"])).sum() == 1
    # 规下 tenants renting under, exactly at and over 5 亩
    mu = ten["rented_land_m2"].dropna() / (10000 / 15)
    assert sorted(mu.round(6)) == [4.0, 5.0, 8.0]
    edge = ten.loc[mu.index, "tenant_code"]
    assert not y21.loc[edge, "above_scale"].any()
    assert (~y21["above_scale"]).sum() > 0
    assert y21["above_scale"].sum() > 0
    # an exempt utility and a firm missing one indicator
    assert (y21["industry_code"].str[:2] == "44").sum() == 1
    assert y21["energy_tce"].isna().sum() == 1
    # a firm with data but no land at all
    land = set(sample.parcels["owner_code"].dropna()) | set(ten["tenant_code"])
    assert len(set(y21.index) - land) == 1


def test_sample_bad_codes_caught():
    from landuse.datasets import get_path
    from landuse.enterprise import validate_credit_code

    frame = pd.read_csv(
        get_path("enterprises_bad_codes"), dtype=str, encoding="utf-8-sig", keep_default_na=False
    )
    report = validate_credit_code(frame["统一社会信用代码"], errors="report")
    assert report["position"].tolist() == [0, 1, 2, 5, 6]
    assert report["problem"].tolist() == ["check", "character", "character", "length", "missing"]
    # full-width and lower case are normalised, not refused
    good = validate_credit_code(frame["统一社会信用代码"].iloc[[3, 4]], errors="raise")
    assert good.str.fullmatch(r"[0-9A-Z]{18}").all()


def test_owner_code_read_as_text_numbers_refused():
    import geopandas as gpd
    import shapely

    from landuse import io
    from landuse.errors import SchemaError

    frame = gpd.GeoDataFrame(
        {"宗地编号": ["P1", "P2"], "权利人统一社会信用代码": ["91370211MA3C0L0X0A", None]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(2, 0, 3, 1)],
        crs="EPSG:4549",
    )
    assert io.read_parcels(frame)["owner_code"].tolist()[0] == "91370211MA3C0L0X0A"
    frame["权利人统一社会信用代码"] = [9.13702e17, None]  # an Excel number: digits lost
    with pytest.raises(SchemaError, match="owner_code.*not text"):
        io.read_parcels(frame)
