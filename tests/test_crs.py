"""Tests for landuse.crs: analysis CRS, zone-prefixed eastings, GCJ-02 / BD-09, guards."""

from __future__ import annotations

import logging

import geopandas
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal, assert_geoseries_equal
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, MultiPolygon, Point, Polygon

from landuse.crs import (
    CHINA_BBOX,
    ZonePrefix,
    analysis_crs,
    bd09_to_wgs84,
    check_coordinates,
    check_projected,
    check_same_crs,
    crs_label,
    detect_zone_prefix,
    fix_zone_prefix,
    gcj02_to_wgs84,
    to_analysis_crs,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from landuse.errors import CRSError, LanduseWarning

# City-centre point of Qingdao (POLICY-FACTS §6.4) and its EPSG:4549 / EPSG:4528 coordinates
# (POLICY-FACTS §7.1, computed with pyproj).
QINGDAO_LONLAT = (120.3826, 36.0671)
QINGDAO_4549 = (534_467.46, 3_993_055.81)
QINGDAO_4528_EASTING = 40_534_467.46

GEOD = pyproj.Geod(ellps="WGS84")

# Points across China (Qingdao, Beijing, Shanghai, Guangzhou, Chengdu, Urumqi, Harbin, Lhasa,
# Haikou, Kashgar).
CHINA_POINTS = [
    (120.3826, 36.0671),
    (116.404, 39.915),
    (121.4737, 31.2304),
    (113.2644, 23.1291),
    (104.0665, 30.5728),
    (87.6168, 43.8256),
    (126.6424, 45.7570),
    (91.1409, 29.6456),
    (110.3312, 20.0311),
    (75.9897, 39.4704),
]


def distance_m(lon1, lat1, lon2, lat2):
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


@pytest.fixture
def parcels_lonlat():
    """Three features in EPSG:4490 around central Qingdao, with a non-default index."""
    lon, lat = QINGDAO_LONLAT
    square = Polygon(
        [(lon, lat), (lon + 0.01, lat), (lon + 0.01, lat + 0.01), (lon, lat + 0.01)],
        holes=[
            [(lon + 0.003, lat + 0.003), (lon + 0.006, lat + 0.003), (lon + 0.006, lat + 0.006)]
        ],
    )
    multi = MultiPolygon([square, shapely.affinity.translate(square, 0.05, 0.0)])
    line = LineString([(lon, lat), (lon + 0.02, lat + 0.01), (lon + 0.03, lat - 0.01)])
    return geopandas.GeoDataFrame(
        {"parcel_id": ["P1", "P2", "P3"], "land_area_m2": [1.0, 2.0, 3.0]},
        geometry=[square, multi, line],
        index=pd.Index([17, 42, 88], name="fid"),
        crs="EPSG:4490",
    )


@pytest.fixture
def prefixed_4549():
    """Zone-prefixed easting wrongly labelled CM-style EPSG:4549."""
    return geopandas.GeoDataFrame(
        {"parcel_id": ["P1"]},
        geometry=[Point(QINGDAO_4528_EASTING, QINGDAO_4549[1])],
        crs="EPSG:4549",
    )


# --------------------------------------------------------------------------------------------
# analysis CRS
# --------------------------------------------------------------------------------------------


def test_to_analysis_crs_qingdao_test_vector():
    parcels = geopandas.GeoDataFrame(
        {"parcel_id": ["P1"]}, geometry=[Point(*QINGDAO_LONLAT)], crs="EPSG:4490"
    )
    out = to_analysis_crs(parcels)
    assert out.crs.to_epsg() == 4549
    assert out.geometry.x.iloc[0] == pytest.approx(QINGDAO_4549[0], abs=0.01)
    assert out.geometry.y.iloc[0] == pytest.approx(QINGDAO_4549[1], abs=0.01)


@pytest.mark.parametrize(
    ("lonlat", "expected_epsg"),
    [
        (QINGDAO_LONLAT, 4549),  # CM 120E
        ((116.4, 39.9), 4548),  # Beijing: CM 117E
        ((121.47, 31.23), 4549),  # Shanghai: CM 120E
        ((87.62, 43.83), 4538),  # Urumqi: CM 87E
        ((2.35, 48.86), 32631),  # Paris: UTM 31N
        ((139.69, 35.68), 32654),  # Tokyo (outside the box): UTM 54N
        ((-74.0, 40.7), 32618),  # New York: UTM 18N
    ],
)
def test_analysis_crs_from_lonlat(lonlat, expected_epsg):
    assert analysis_crs(lonlat).to_epsg() == expected_epsg


@pytest.mark.parametrize("cm", range(75, 136, 3))
def test_analysis_crs_covers_every_cgcs2000_central_meridian(cm):
    crs = analysis_crs((cm - 0.4, 35.0))
    assert crs.to_epsg() == 4534 + (cm - 75) // 3
    assert crs.coordinate_operation.params[1].value == cm
    assert crs.name == f"CGCS2000 / 3-degree Gauss-Kruger CM {cm}E"


@pytest.mark.parametrize("crs", ["EPSG:4490", "EPSG:4326", "EPSG:4549", "EPSG:32651"])
def test_analysis_crs_from_frames_in_any_crs(parcels_lonlat, crs):
    assert analysis_crs(parcels_lonlat.to_crs(crs)).to_epsg() == 4549


def test_analysis_crs_from_frame_outside_china():
    paris = geopandas.GeoSeries([Point(2.35, 48.86), Point(2.30, 48.80)], crs="EPSG:4326")
    assert analysis_crs(paris).to_epsg() == 32631
    assert analysis_crs(paris.to_crs("EPSG:3857")).to_epsg() == 32631


def test_analysis_crs_errors():
    with pytest.raises(CRSError, match=r"has no CRS.*set_crs\(\"EPSG:4490\"\)"):
        analysis_crs(geopandas.GeoSeries([Point(*QINGDAO_LONLAT)]))
    with pytest.raises(CRSError, match="has no coordinates"):
        analysis_crs(geopandas.GeoSeries([], crs="EPSG:4326"))
    with pytest.raises(CRSError, match=r"must be \(lon, lat\) in degrees"):
        analysis_crs((QINGDAO_4549[0], QINGDAO_4549[1]))
    with pytest.raises(TypeError, match="must be a GeoDataFrame or GeoSeries"):
        analysis_crs(pd.DataFrame({"x": [1]}))


def test_to_analysis_crs_keeps_index_columns_and_does_not_mutate(parcels_lonlat, caplog):
    before = parcels_lonlat.copy()
    with caplog.at_level(logging.INFO, logger="landuse.crs"):
        out = to_analysis_crs(parcels_lonlat)
    assert_geodataframe_equal(parcels_lonlat, before)
    assert out is not parcels_lonlat
    assert out.crs.to_epsg() == 4549
    assert out.index.equals(parcels_lonlat.index)
    assert list(out.columns) == list(parcels_lonlat.columns)
    pd.testing.assert_series_equal(out["parcel_id"], parcels_lonlat["parcel_id"])
    assert "EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E)" in caplog.text
    back = out.to_crs("EPSG:4490")
    assert shapely.equals_exact(back.geometry.values, parcels_lonlat.geometry.values, 1e-9).all()


def test_to_analysis_crs_already_in_target_returns_copy(parcels_lonlat):
    projected = parcels_lonlat.to_crs("EPSG:4549")
    out = to_analysis_crs(projected)
    assert out is not projected
    assert_geodataframe_equal(out, projected)


def test_to_analysis_crs_geoseries_and_explicit_crs(parcels_lonlat):
    series = parcels_lonlat.geometry
    out = to_analysis_crs(series, crs=pyproj.CRS("EPSG:32651"))
    assert isinstance(out, geopandas.GeoSeries)
    assert out.crs.to_epsg() == 32651
    assert to_analysis_crs(series, crs=4549).crs.to_epsg() == 4549


@pytest.mark.parametrize(
    ("crs", "match"),
    [
        ("EPSG:4326", r"must be a projected CRS in metres; received EPSG:4326 \(WGS 84\)"),
        ("EPSG:2263", "us survey foot"),
        ("not a crs", "could not be read as a CRS"),
    ],
)
def test_to_analysis_crs_rejects_bad_target(parcels_lonlat, crs, match):
    with pytest.raises(CRSError, match=match):
        to_analysis_crs(parcels_lonlat, crs=crs)


def test_to_analysis_crs_missing_crs_names_the_fix(parcels_lonlat):
    no_crs = parcels_lonlat.set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match=r"`gdf` passed to to_analysis_crs\(\) has no CRS.*set_crs"):
        to_analysis_crs(no_crs)
    metres = parcels_lonlat.to_crs("EPSG:4549").set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match=r'set_crs\("EPSG:4549"\)'):
        to_analysis_crs(metres)


def test_to_analysis_crs_rejects_projected_coordinates_labelled_geographic():
    wrong = geopandas.GeoSeries([Point(*QINGDAO_4549)], crs="EPSG:4326")
    with pytest.raises(CRSError, match=r"coordinates look projected: x up to 534,467.46"):
        to_analysis_crs(wrong)


def test_to_analysis_crs_rejects_wrong_type():
    with pytest.raises(TypeError, match="GeoDataFrame or GeoSeries"):
        to_analysis_crs(Point(1, 2))


# --------------------------------------------------------------------------------------------
# zone-prefixed eastings
# --------------------------------------------------------------------------------------------


def test_detect_zone_prefix(prefixed_4549):
    prefix = detect_zone_prefix(prefixed_4549)
    assert prefix == ZonePrefix(zone=40, width_deg=3)
    assert prefix.central_meridian == 120.0
    assert prefix.false_easting == 40_500_000.0
    assert detect_zone_prefix(prefixed_4549.set_crs(None, allow_override=True)) == prefix


@pytest.mark.parametrize(
    ("x", "crs", "expected"),
    [
        (QINGDAO_4549[0], "EPSG:4549", None),  # CM-style easting
        (20_534_467.46, None, ZonePrefix(zone=20, width_deg=6)),  # 6-degree zone 20
        (13_400_000.0, "EPSG:3857", None),  # Web Mercator x is 8 digits too
        (99_000_000.0, None, None),  # no such zone
    ],
)
def test_detect_zone_prefix_cases(x, crs, expected):
    layer = geopandas.GeoSeries([Point(x, QINGDAO_4549[1])], crs=crs)
    assert detect_zone_prefix(layer) == expected


def test_detect_zone_prefix_six_degree_meridian():
    assert ZonePrefix(zone=20, width_deg=6).central_meridian == 117.0


def test_detect_zone_prefix_mixed_zones_raise():
    mixed = geopandas.GeoSeries(
        [Point(39_534_467.0, 3_993_055.0), Point(40_534_467.0, 3_993_055.0)], crs="EPSG:4549"
    )
    with pytest.raises(CRSError, match=r"different Gauss-Krüger zone prefixes \(zones 39, 40"):
        detect_zone_prefix(mixed)


def test_fix_zone_prefix_relabels_to_zone_variant(prefixed_4549):
    before = prefixed_4549.copy()
    with pytest.warns(LanduseWarning, match=r"EPSG:4549 .*EPSG:4528 \(CGCS2000 / 3-degree"):
        fixed = fix_zone_prefix(prefixed_4549)
    assert fixed.crs.to_epsg() == 4528
    assert_geodataframe_equal(prefixed_4549, before)  # input untouched
    assert fixed.geometry.x.iloc[0] == QINGDAO_4528_EASTING  # no coordinate moved
    lonlat = fixed.to_crs("EPSG:4490").geometry.iloc[0]
    assert lonlat.x == pytest.approx(QINGDAO_LONLAT[0], abs=1e-7)
    assert lonlat.y == pytest.approx(QINGDAO_LONLAT[1], abs=1e-7)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [("EPSG:2385", 2364), ("EPSG:2437", 2416)],  # Xian 1980, Beijing 1954 CM 120E → zone 40
)
def test_fix_zone_prefix_keeps_the_datum(prefixed_4549, declared, expected):
    layer = prefixed_4549.set_crs(declared, allow_override=True)
    with pytest.warns(LanduseWarning, match=f"EPSG:{expected}"):
        assert fix_zone_prefix(layer).crs.to_epsg() == expected


def test_fix_zone_prefix_without_epsg_falls_back_to_custom_crs(prefixed_4549):
    custom = "+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m"
    layer = prefixed_4549.set_crs(custom, allow_override=True)
    with pytest.warns(LanduseWarning, match="zone 40 eastings"):
        fixed = fix_zone_prefix(layer)
    assert fixed.crs.to_epsg() is None
    params = {p.name: p.value for p in fixed.crs.coordinate_operation.params}
    assert params["False easting"] == 40_500_000.0
    point = fixed.to_crs("EPSG:4326").geometry.iloc[0]
    assert point.x == pytest.approx(QINGDAO_LONLAT[0], abs=1e-6)


def test_fix_zone_prefix_nothing_to_fix_returns_copy_without_warning(parcels_lonlat):
    projected = parcels_lonlat.to_crs("EPSG:4549")
    out = fix_zone_prefix(projected)
    assert out is not projected
    assert_geodataframe_equal(out, projected)
    correct = geopandas.GeoSeries([Point(QINGDAO_4528_EASTING, 3_993_055.81)], crs="EPSG:4528")
    assert_geoseries_equal(fix_zone_prefix(correct), correct)


def test_fix_zone_prefix_without_crs_refuses_to_guess_the_datum(prefixed_4549):
    no_crs = prefixed_4549.set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match=r'source_crs="EPSG:4528".*EPSG:2364.*EPSG:2416'):
        fix_zone_prefix(no_crs)
    fixed = fix_zone_prefix(no_crs, source_crs="EPSG:4528")
    assert fixed.crs.to_epsg() == 4528
    with pytest.warns(LanduseWarning, match="EPSG:4528"):
        assert fix_zone_prefix(no_crs, source_crs="EPSG:4549").crs.to_epsg() == 4528


def test_fix_zone_prefix_source_crs_conflict(prefixed_4549):
    with pytest.raises(CRSError, match="`source_crs` is EPSG:2385"):
        fix_zone_prefix(prefixed_4549, source_crs="EPSG:2385")


def test_fix_zone_prefix_meridian_conflict(prefixed_4549):
    layer = prefixed_4549.set_crs("EPSG:4548", allow_override=True)  # CM 117E, prefix says 120E
    with pytest.raises(CRSError, match="disagree"):
        fix_zone_prefix(layer)


def test_to_analysis_crs_fixes_zone_prefix_with_warning(prefixed_4549):
    with pytest.warns(LanduseWarning, match="EPSG:4528"):
        out = to_analysis_crs(prefixed_4549)
    assert out.crs.to_epsg() == 4549
    assert out.geometry.x.iloc[0] == pytest.approx(QINGDAO_4549[0], abs=0.01)
    assert out.geometry.y.iloc[0] == pytest.approx(QINGDAO_4549[1], abs=0.01)


def test_to_analysis_crs_without_crs_suggests_zone_crs(prefixed_4549):
    with pytest.raises(CRSError, match=r'set_crs\("EPSG:4528"\)'):
        to_analysis_crs(prefixed_4549.set_crs(None, allow_override=True))


def test_check_coordinates():
    check_coordinates(geopandas.GeoSeries([Point(*QINGDAO_LONLAT)], crs="EPSG:4490"))
    check_coordinates(geopandas.GeoSeries([Point(*QINGDAO_4549)]))  # no CRS: nothing to check
    wrong = geopandas.GeoSeries([Point(QINGDAO_4528_EASTING, 3_993_055.81)], crs="EPSG:4490")
    with pytest.raises(
        CRSError,
        match=r"coordinates look projected: x up to 40,534,467.46.*\.prj is probably wrong.*"
        r"EPSG:4528",
    ):
        check_coordinates(wrong, name="parcels")


# --------------------------------------------------------------------------------------------
# GCJ-02 / BD-09
# --------------------------------------------------------------------------------------------


def test_gcj02_published_vector():
    # wandergis/coordtransform README: wgs84togcj02(116.404, 39.915)
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.41024449916938, abs=1e-12)
    assert lat == pytest.approx(39.91640428150164, abs=1e-12)


def test_bd09_published_vector():
    # coordtransform: gcj02tobd09(wgs84togcj02(116.404, 39.915))
    lon, lat = wgs84_to_bd09(116.404, 39.915)
    assert lon == pytest.approx(116.41662724378733, abs=1e-12)
    assert lat == pytest.approx(39.922699552216216, abs=1e-12)


def test_gcj02_offset_in_qingdao():
    lon, lat = wgs84_to_gcj02(*QINGDAO_LONLAT)
    assert 450 < distance_m(*QINGDAO_LONLAT, lon, lat) < 500


def test_bd09_offset_in_qingdao():
    lon, lat = wgs84_to_bd09(*QINGDAO_LONLAT)
    assert 1245 < distance_m(*QINGDAO_LONLAT, lon, lat) < 1281


@pytest.mark.parametrize(
    ("to_web", "from_web"), [(wgs84_to_gcj02, gcj02_to_wgs84), (wgs84_to_bd09, bd09_to_wgs84)]
)
def test_round_trip_across_china_under_1cm(to_web, from_web):
    lon, lat = np.array(CHINA_POINTS).T
    web_lon, web_lat = to_web(lon, lat)
    assert (distance_m(lon, lat, web_lon, web_lat) > 100).all()  # really shifted
    back_lon, back_lat = from_web(web_lon, web_lat)
    assert distance_m(lon, lat, back_lon, back_lat).max() < 0.01


def test_round_trip_many_points_under_1cm():
    rng = np.random.default_rng(20190404)
    lon = rng.uniform(74.0, 134.5, 20_000)
    lat = rng.uniform(4.5, 53.0, 20_000)
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert distance_m(lon, lat, *back).max() < 0.01
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert distance_m(lon, lat, *back).max() < 0.01


@settings(max_examples=200, deadline=None, database=None)
@given(
    lon=st.floats(min_value=74.0, max_value=134.5),
    lat=st.floats(min_value=4.5, max_value=53.0),
)
def test_round_trip_property(lon, lat):
    assert distance_m(lon, lat, *gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))) < 0.01
    assert distance_m(lon, lat, *bd09_to_wgs84(*wgs84_to_bd09(lon, lat))) < 0.01


@pytest.mark.parametrize("func", [wgs84_to_gcj02, gcj02_to_wgs84, wgs84_to_bd09, bd09_to_wgs84])
@pytest.mark.parametrize("lonlat", [(139.6917, 35.6895), (2.3522, 48.8566), (-74.006, 40.7128)])
def test_identity_outside_china(func, lonlat):
    assert func(*lonlat) == lonlat
    point = Point(*lonlat)
    assert func(point).equals_exact(point, 0.0)


def test_box_also_covers_neighbours():
    # Reviewer's caveat: the rectangle includes Seoul, which is shifted as if in China.
    seoul = (126.978, 37.5665)
    assert CHINA_BBOX[0] < seoul[0] < CHINA_BBOX[2]
    assert wgs84_to_gcj02(*seoul) != seoul


def test_arrays_keep_shape():
    lon = np.array([[120.3826, 2.35], [116.404, 121.47]])
    lat = np.array([[36.0671, 48.86], [39.915, 31.23]])
    out_lon, out_lat = wgs84_to_gcj02(lon, lat)
    assert out_lon.shape == lon.shape
    assert out_lat.shape == lat.shape
    assert out_lon[0, 1] == 2.35
    assert out_lon[1, 0] == pytest.approx(116.41024449916938, abs=1e-12)
    tuple_lon, tuple_lat = wgs84_to_gcj02((lon, lat))
    np.testing.assert_array_equal(tuple_lon, out_lon)
    np.testing.assert_array_equal(tuple_lat, out_lat)


@pytest.mark.parametrize("func", [wgs84_to_gcj02, gcj02_to_wgs84, wgs84_to_bd09, bd09_to_wgs84])
def test_whole_geometries_keep_structure(parcels_lonlat, func):
    before = parcels_lonlat.copy()
    out = func(parcels_lonlat)
    assert_geodataframe_equal(parcels_lonlat, before)  # not mutated
    assert isinstance(out, geopandas.GeoDataFrame)
    assert out.index.equals(parcels_lonlat.index)
    assert out.crs == parcels_lonlat.crs  # label kept
    assert out.geometry.name == parcels_lonlat.geometry.name
    pd.testing.assert_frame_equal(
        out.drop(columns="geometry"), parcels_lonlat.drop(columns="geometry")
    )
    old, new = parcels_lonlat.geometry.values, out.geometry.values
    assert list(shapely.get_type_id(new)) == list(shapely.get_type_id(old))
    np.testing.assert_array_equal(
        shapely.get_num_coordinates(new), shapely.get_num_coordinates(old)
    )
    np.testing.assert_array_equal(shapely.get_num_geometries(new), shapely.get_num_geometries(old))
    parts_old, parts_new = shapely.get_parts(old), shapely.get_parts(new)
    np.testing.assert_array_equal(
        shapely.get_num_interior_rings(parts_new), shapely.get_num_interior_rings(parts_old)
    )
    assert shapely.get_num_interior_rings(new[0]) == 1
    # every vertex moved exactly as the array form moves it
    xy_old, xy_new = shapely.get_coordinates(old), shapely.get_coordinates(new)
    expected = np.column_stack(func(xy_old[:, 0], xy_old[:, 1]))
    np.testing.assert_array_equal(xy_new, expected)


def test_geoseries_and_geometry_inputs(parcels_lonlat):
    series = parcels_lonlat.geometry.rename("shape").to_crs("EPSG:4326")
    out = wgs84_to_gcj02(series)
    assert isinstance(out, geopandas.GeoSeries)
    assert out.name == "shape"
    assert out.crs.to_epsg() == 4326
    assert out.index.equals(series.index)
    single = wgs84_to_gcj02(series.iloc[0])
    assert isinstance(single, Polygon)
    assert single.equals_exact(out.iloc[0], 0.0)


def test_z_and_empty_geometries_survive():
    series = geopandas.GeoSeries([Point(120.3826, 36.0671, 12.5), Point(), None], crs="EPSG:4326")
    out = wgs84_to_gcj02(series)
    assert out.iloc[0].has_z
    assert out.iloc[0].z == 12.5
    assert out.iloc[1].is_empty
    assert out.iloc[2] is None


def test_offsets_reject_projected_or_unlabelled(parcels_lonlat):
    projected = parcels_lonlat.to_crs("EPSG:4549")
    with pytest.raises(CRSError, match=r'projected CRS \(EPSG:4549.*to_crs\("EPSG:4326"\)'):
        wgs84_to_gcj02(projected)
    with pytest.raises(CRSError, match=r"has no CRS.*set_crs"):
        gcj02_to_wgs84(parcels_lonlat.set_crs(None, allow_override=True))
    mislabelled = projected.set_crs("EPSG:4326", allow_override=True)
    with pytest.raises(CRSError, match="coordinates look projected"):
        wgs84_to_bd09(mislabelled)


def test_offsets_reject_wrong_input_kind(parcels_lonlat):
    with pytest.raises(TypeError, match="accepts a GeoDataFrame"):
        wgs84_to_gcj02("120.38,36.07")
    with pytest.raises(TypeError, match="takes `lat` only with array input"):
        wgs84_to_gcj02(parcels_lonlat, np.array([1.0]))


# --------------------------------------------------------------------------------------------
# guards
# --------------------------------------------------------------------------------------------


def test_check_projected_passes_and_returns_crs(parcels_lonlat):
    assert check_projected(parcels_lonlat.to_crs("EPSG:4549")).to_epsg() == 4549


@pytest.mark.parametrize(
    ("crs", "match"),
    [
        (
            "EPSG:4326",
            r"`parcels` is in a geographic CRS \(EPSG:4326 \(WGS 84\)\).*"
            r"parcels = landuse.to_analysis_crs\(parcels\)",
        ),
        (None, r"`parcels` has no CRS.*landuse.to_analysis_crs\(parcels.set_crs"),
        ("EPSG:2263", r"whose units are us survey foot.*landuse.to_analysis_crs\(parcels\)"),
    ],
)
def test_check_projected_errors(parcels_lonlat, crs, match):
    layer = parcels_lonlat.to_crs(crs) if crs else parcels_lonlat.set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match=match):
        check_projected(layer)


def test_check_projected_names_argument_and_caller(parcels_lonlat):
    with pytest.raises(CRSError, match=r"`zones` passed to check_new_land\(\) is in a geographic"):
        check_projected(parcels_lonlat, name="zones", caller="check_new_land")
    with pytest.raises(TypeError, match="GeoDataFrame or GeoSeries"):
        check_projected(pd.DataFrame({"a": [1]}))


def test_check_same_crs(parcels_lonlat):
    parcels = parcels_lonlat.to_crs("EPSG:4549")
    check_same_crs(parcels, parcels.copy(), names=("parcels", "zones"))
    check_same_crs(parcels)
    zones = parcels_lonlat.to_crs("EPSG:4326")
    with pytest.raises(
        CRSError,
        match=r"`parcels` is in EPSG:4549 \(CGCS2000 / 3-degree Gauss-Kruger CM 120E\) but "
        r"`zones` is in EPSG:4326 \(WGS 84\); bring them to one CRS, e\.g\. "
        r"zones = zones\.to_crs\(parcels\.crs\)",
    ):
        check_same_crs(parcels, zones, names=("parcels", "zones"))
    with pytest.raises(CRSError, match=r"In overlay_zones\(\), `parcels`.*`zones` has no CRS"):
        check_same_crs(
            parcels,
            zones.set_crs(None, allow_override=True),
            names=("parcels", "zones"),
            caller="overlay_zones",
        )
    with pytest.raises(ValueError, match="one name per frame"):
        check_same_crs(parcels, zones, names=("parcels",))


def test_crs_label():
    assert crs_label("EPSG:4549") == "EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E)"
    assert crs_label(pyproj.CRS(4528)) == "EPSG:4528 (CGCS2000 / 3-degree Gauss-Kruger zone 40)"
    assert crs_label(None) == "no CRS"
    assert crs_label("+proj=tmerc +lon_0=120.5 +ellps=GRS80 +units=m").endswith("(no EPSG code)")
    with pytest.raises(CRSError, match="could not be read as a CRS"):
        crs_label("EPSG:999999")
