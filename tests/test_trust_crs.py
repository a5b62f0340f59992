"""Trust: no CRS mistake gives a silently wrong number (issue 14 D5/D6, issue 20 item 7).

Expected figures are computed here by hand (closed-form scale formulas) or by pyproj directly
(transforms, Geod areas, Tissot factors), never by landuse.
"""

from __future__ import annotations

import math
import warnings

import geopandas
import numpy as np
import pyproj
import pytest
import shapely
from affine import Affine

import landuse
from landuse.crs import (
    CHINA_ALBERS,
    check_projected,
    scale_distortion,
    target_crs,
    to_analysis_crs,
)
from landuse.errors import CRSError, LanduseWarning

# CGCS2000 ellipsoid (EPSG:1024): a = 6378137 m, 1/f = 298.257222101
A = 6378137.0
F = 1 / 298.257222101
E2 = F * (2 - F)
GEOD = pyproj.Geod(a=A, f=F)


def lonlat(crs, x, y):
    """(lon, lat) of a point, by pyproj."""
    return pyproj.Transformer.from_crs(crs, 4490, always_xy=True).transform(x, y)


def tm_scale(dlon_deg, lat_deg):
    """Gauss-Krüger (k0 = 1) point scale, series to 4th order (Snyder 8-11 with k0 = 1)."""
    phi = math.radians(lat_deg)
    a_ = math.radians(dlon_deg) * math.cos(phi)
    t2 = math.tan(phi) ** 2
    eta2 = E2 / (1 - E2) * math.cos(phi) ** 2
    return 1 + (1 + eta2) * a_**2 / 2 + (5 - 4 * t2 + 42 * eta2) * a_**4 / 24


def albers_parallel_scale(lat_deg, lat1=25.0, lat2=47.0):
    """Scale along the parallel of the ellipsoidal Albers (Snyder 14-15, 14-12, 3-12, 14-3)."""
    e = math.sqrt(E2)

    def m(p):
        return math.cos(p) / math.sqrt(1 - E2 * math.sin(p) ** 2)

    def q(p):
        s = math.sin(p)
        return (1 - E2) * (s / (1 - E2 * s * s) - math.log((1 - e * s) / (1 + e * s)) / (2 * e))

    p1, p2, p = (math.radians(v) for v in (lat1, lat2, lat_deg))
    n = (m(p1) ** 2 - m(p2) ** 2) / (q(p2) - q(p1))
    c = m(p1) ** 2 + n * q(p1)
    rho_over_a = math.sqrt(c - n * q(p)) / n
    return rho_over_a * n / m(p)


def square(x, y, size):
    return shapely.box(x, y, x + size, y + size)


# ---------------------------------------------------------------------------------------------
# D5: a metric CRS whose scale is wrong at the data is refused
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def d5():
    """The review's reproduction: a 100 m square 0.8 m beyond a 1 km zone's east edge."""
    zone = geopandas.GeoDataFrame(
        {"zone_id": ["Z1"]}, geometry=[shapely.box(500000, 4000000, 501000, 4001000)], crs=4549
    )
    prop = geopandas.GeoDataFrame(
        {"proposal_id": ["N1"], "land_use": ["industrial"]},
        geometry=[shapely.box(500900.8, 4000200, 501000.8, 4000300)],
        crs=4549,
    )
    return zone, prop


def test_d5_web_mercator_is_refused_with_the_scale_factor(d5):
    zone, prop = d5
    out = landuse.check_new_land(prop, zones=zone, policy="qingdao-2019")
    assert out.verdict.tolist() == ["inside_within_tolerance"]
    assert out.area_outside_m2.tolist() == pytest.approx([80.0])  # 0.8 m × 100 m
    # Web Mercator's scale is sec(lat) (PROJ applies the spherical formula to geodetic
    # latitude); the proposal's northernmost point decides.
    _, lat = lonlat(4549, 500900.8, 4000300)
    k = 1 / math.cos(math.radians(lat))
    assert k == pytest.approx(1.238, abs=1e-3)
    with pytest.raises(CRSError) as caught:
        landuse.check_new_land(prop.to_crs(3857), zones=zone.to_crs(3857), policy="qingdao-2019")
    text = str(caught.value)
    assert "`proposals` passed to check_new_land() is in EPSG:3857" in text
    assert f"scale factor {k:.4f}" in text
    assert f"areal scale {k * k:.4f}" in text
    assert "proposals = landuse.to_analysis_crs(proposals) (EPSG:4549" in text


def test_check_projected_purpose_must_be_known(d5):
    zone, _ = d5
    with pytest.raises(ValueError, match="`purpose` must be 'distance' or 'area'; received 'len'"):
        check_projected(zone, name="zones", purpose="len")


@pytest.mark.parametrize(
    ("epsg", "cm", "lon", "lat"),
    [
        (4549, 120, 121.5, 24.43),  # CGCS2000 3° zone CM 120E, east edge, south end of its use
        (4549, 120, 118.5, 53.0),  # west edge, far north
        (4509, 117, 114.0, 19.02),  # CGCS2000 6° zone CM 117E, west edge, south end of its use
    ],
)
def test_gauss_kruger_zone_edges_pass_with_the_hand_computed_scale(epsg, cm, lon, lat):
    x, y = pyproj.Transformer.from_crs(4490, epsg, always_xy=True).transform(lon, lat)
    edge = geopandas.GeoSeries([square(x, y, 100.0)], crs=epsg)
    assert check_projected(edge, name="edge").to_epsg() == epsg
    found = scale_distortion(edge)
    expected = tm_scale(abs(lon - cm), lat)
    assert found.scale - 1 == pytest.approx(expected - 1, rel=2e-3)
    assert found.areal_scale - 1 == pytest.approx(expected**2 - 1, rel=2e-3)
    if epsg == 4509:
        # the worst case of a 6° zone inside its area of use: 3° from CM at 19.02°N, 0.12 % in
        # length (0.25 % in area), under the 0.5 % limit: 6° zones pass everywhere in China
        assert expected - 1 == pytest.approx(0.001234, abs=1e-6)


def test_utm_zone_edge_passes():
    # UTM 50N (k0 = 0.9996) at its west edge on the equator: k = 0.9996·(1 + A²/2 + …) ≈ 1.00097
    x, y = pyproj.Transformer.from_crs(4326, 32650, always_xy=True).transform(114.0, 0.0)
    edge = geopandas.GeoSeries([square(x, y, 100.0)], crs=32650)
    assert check_projected(edge, name="edge").to_epsg() == 32650
    expected = 0.9996 * tm_scale(3.0, 0.0)
    assert scale_distortion(edge).scale == pytest.approx(expected, abs=2e-6)


def test_a_tighter_limit_refuses_the_3_degree_zone_edge():
    x, y = pyproj.Transformer.from_crs(4490, 4549, always_xy=True).transform(121.5, 24.43)
    edge = geopandas.GeoSeries([square(x, y, 100.0)], crs=4549)
    k = tm_scale(1.5, 24.43)
    with pytest.raises(CRSError, match=rf"scale factor {k:.4f} .*within 0\.01% in length"):
        check_projected(edge, name="edge", max_scale_error=1e-4)


def test_readers_refuse_to_return_web_mercator(d5):
    zone, _ = d5
    merc = zone.to_crs(3857)
    with pytest.raises(CRSError, match=r"`zones` passed to read_zones\(\) is in EPSG:3857.*"
                       r"Received its own CRS \(crs=None\); use crs=\"auto\" \(EPSG:4549"):
        landuse.read_zones(merc, crs=None)
    with pytest.raises(CRSError, match=r"Received crs=EPSG:3857 .*crs=\"equal-area\""):
        landuse.read_zones(zone, crs="EPSG:3857")
    with pytest.raises(CRSError, match=r"`gdf` passed to to_analysis_crs\(\) is in EPSG:3857"):
        to_analysis_crs(zone, crs=3857)


def test_reader_reprojects_web_mercator_with_a_warning(d5):
    zone, _ = d5
    _, lat = lonlat(4549, 500000, 4001000)
    k = 1 / math.cos(math.radians(lat))
    with pytest.warns(LanduseWarning, match=rf"came in EPSG:3857 .*scale factor {k:.4f}"):
        out = landuse.read_zones(zone.to_crs(3857))
    assert out.crs.to_epsg() == 4549
    assert out.area.tolist() == pytest.approx([1e6], rel=1e-9)


# ---------------------------------------------------------------------------------------------
# D6: coordinates that cannot be what the CRS says
# ---------------------------------------------------------------------------------------------


def mixed_zones():
    boxes = [shapely.box(500000 + i * 2000, 4000000, 501000 + i * 2000, 4001000) for i in range(4)]
    boxes[0] = shapely.box(40500000, 4000000, 40501000, 4001000)
    return geopandas.GeoDataFrame({"zone_id": list("ABCD")}, geometry=boxes, crs="EPSG:4549")


def test_d6a_mixed_prefixed_eastings_are_refused_naming_rows():
    pattern = (
        r"`zones` mixes two kinds of Gauss-Krüger eastings: 1 of 4 rows \(zone_id A\) carry a "
        r"zone prefix \(zone 40: x from 40,500,000.00\), 3 rows \(zone_id B, C, D\) do not.*"
        r"strip the prefix"
    )
    with pytest.raises(CRSError, match=pattern):
        landuse.read_zones(mixed_zones())
    with pytest.raises(CRSError, match=pattern):
        check_projected(mixed_zones(), name="zones")
    with pytest.raises(CRSError, match=pattern.replace("`zones`", "`gdf`")):
        to_analysis_crs(mixed_zones())


def test_prefixed_eastings_under_the_cm_crs_are_refused_by_analyses():
    zone = geopandas.GeoSeries([shapely.box(40500000, 4000000, 40501000, 4001000)], crs=4549)
    with pytest.raises(CRSError, match=r"zone prefix of 3-degree zone 40.*EPSG:4528"):
        check_projected(zone, name="zones")


def test_d6b_degrees_under_a_projected_prj_are_refused():
    parcels = geopandas.GeoDataFrame(
        {"parcel_id": ["P", "Q"]},
        geometry=[shapely.box(120.38, 36.30, 120.39, 36.31), shapely.box(120.4, 36.3, 120.41, 36.31)],
        crs="EPSG:4549",
    )
    pattern = (
        r"`parcels` passed to read_parcels\(\) is labelled EPSG:4549 .* but 2 of 2 rows "
        r"\(parcel_id P, Q\) hold coordinates that look like longitude/latitude degrees.*"
        r'source_crs="EPSG:4490"'
    )
    with pytest.raises(CRSError, match=pattern):
        landuse.read_parcels(parcels)
    with pytest.raises(CRSError, match=r"2 of 2 rows \(parcel_id P, Q\).*degrees"):
        check_projected(parcels, name="parcels")
    # small synthetic coordinates are not taken for degrees: box(0, 0, 100, 80) under
    # EPSG:4549 as degrees would lie in the Gulf of Guinea, not where 4549 is used
    tiny = geopandas.GeoSeries([shapely.box(0, 0, 100, 80)], crs=4549)
    assert check_projected(tiny, name="tiny").to_epsg() == 4549
    # declared right, the same rows read as 0.01° squares: areas as pyproj.Geod gives them
    with pytest.warns(LanduseWarning, match="source_crs=EPSG:4490"):
        out = landuse.read_parcels(parcels, source_crs="EPSG:4490")
    geod = [abs(GEOD.geometry_area_perimeter(shapely.segmentize(g, 0.0005))[0]) for g in parcels.geometry]
    assert out.land_area_m2.tolist() == pytest.approx(geod, rel=1e-3)


def test_d6b_only_some_rows_in_degrees():
    frame = geopandas.GeoDataFrame(
        {"parcel_id": ["M1", "D1"]},
        geometry=[shapely.box(534000, 3993000, 534100, 3993100), shapely.box(120.38, 36.30, 120.39, 36.31)],
        crs="EPSG:4549",
    )
    with pytest.raises(
        CRSError, match=r"1 of 2 rows \(parcel_id D1\) hold .*the other 1 rows \(parcel_id M1\) do not"
    ):
        check_projected(frame, name="parcels")


def test_unplaceable_coordinates_name_the_row():
    parcels = geopandas.GeoDataFrame(
        {"parcel_id": ["OK", "BAD"]},
        geometry=[shapely.box(534000, 3993000, 534100, 3993100), shapely.box(1e300, 36.3, 1e300 + 1, 36.31)],
        crs="EPSG:4549",
    )
    # (the readers refuse such rows earlier, with a GeometryError of their own)
    pattern = (
        r"`gdf` passed to to_analysis_crs\(\) has coordinates that EPSG:4549 .* cannot place on "
        r"the Earth: 1 of 2 rows \(parcel_id BAD\) reach x 1e\+300"
    )
    with pytest.raises(CRSError, match=pattern):
        to_analysis_crs(parcels)
    with pytest.raises(CRSError, match=r"`data` passed to analysis_crs\(\) .*parcel_id BAD"):
        landuse.analysis_crs(parcels)
    with pytest.raises(CRSError, match=r"1 of 2 rows \(parcel_id BAD\)"):
        check_projected(parcels, name="parcels")


# ---------------------------------------------------------------------------------------------
# issue 20 item 7: one zone for a layer spanning many; the equal-area choice
# ---------------------------------------------------------------------------------------------

WIDE_LONS = [75.0 + 5.0 * i for i in range(12)]  # 75°E … 130°E


def wide_layer():
    """Twelve ~100 m squares (0.001°) at 30°N from 75°E to 130°E, in CGCS2000 lon/lat."""
    return geopandas.GeoDataFrame(
        {"parcel_id": [f"P{int(lon)}" for lon in WIDE_LONS]},
        geometry=[square(lon, 30.0, 0.001) for lon in WIDE_LONS],
        crs="EPSG:4490",
    )


def test_auto_on_a_layer_spanning_many_zones_warns_with_the_areal_error():
    # centre 102.5005°E → CM 102E = EPSG:4543; worst at the east corner (130.001°E, 30°N),
    # 28.001° off the central meridian (the west corner is 27° off)
    factors = pyproj.Proj("EPSG:4543").get_factors(130.001, 30.0)
    error = factors.areal_scale - 1
    assert error == pytest.approx(0.1991, abs=1e-4)
    assert pyproj.Proj("EPSG:4543").get_factors(75.0, 30.0).areal_scale - 1 < error
    # by hand on the sphere: k = 1/sqrt(1 - (cos φ sin Δλ)²), areal k²
    b = math.cos(math.radians(30.0)) * math.sin(math.radians(28.001))
    assert factors.areal_scale == pytest.approx(1 / (1 - b * b), rel=2e-3)
    with pytest.warns(LanduseWarning) as caught:
        out = landuse.read_parcels(wide_layer())
    texts = [str(w.message) for w in caught]
    assert len(texts) == 1
    assert "`parcels` passed to read_parcels() spans more than one map zone" in texts[0]
    assert f"EPSG:4543 (CGCS2000 / 3-degree Gauss-Kruger CM 102E), areas are off by up to {error:.2%}" in texts[0]
    assert 'crs="equal-area"' in texts[0]
    assert out.crs.to_epsg() == 4543
    # and the analyses refuse it
    with pytest.raises(CRSError, match=r"`parcels` is in EPSG:4543 .*within 0\.50% in length"):
        check_projected(out, name="parcels")
    with pytest.warns(LanduseWarning, match=f"off by up to {error:.2%}"):
        to_analysis_crs(wide_layer())


def test_equal_area_areas_match_pyproj_geod():
    layer = wide_layer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = landuse.read_parcels(layer, crs="equal-area")
        projected = to_analysis_crs(layer, crs="equal-area")
    assert out.crs == CHINA_ALBERS
    assert projected.crs == CHINA_ALBERS
    assert CHINA_ALBERS.to_json_dict()["conversion"]["method"]["name"] == "Albers Equal Area"
    # geodesic reference on the CGCS2000 ellipsoid; edges densified so both sides agree on them
    dense = shapely.segmentize(np.asarray(layer.geometry.array), 0.00005)
    geod = np.array([abs(GEOD.geometry_area_perimeter(g)[0]) for g in dense])
    albers = geopandas.GeoSeries(dense, crs=4490).to_crs(CHINA_ALBERS).area.to_numpy()
    np.testing.assert_allclose(albers, geod, rtol=1e-6)
    np.testing.assert_allclose(out.land_area_m2.to_numpy(), geod, rtol=1e-6)
    # area-only checks accept it; length checks refuse it at 30°N (k along the parallel)
    assert check_projected(out, name="parcels", purpose="area") == CHINA_ALBERS
    # one square at 120°E, 30°N: k along the parallel 0.98805, 1/k = 1.0121 along the meridian
    k = albers_parallel_scale(30.0)
    assert k == pytest.approx(0.98805, abs=1e-5)
    one = out.iloc[[9]]
    assert one.parcel_id.tolist() == ["P120"]
    with pytest.raises(CRSError, match=rf"scale factor {1 / k:.4f} \(lengths 1\.21 % too large\)"):
        check_projected(one, name="parcels")


def test_albers_is_exact_on_its_standard_parallels():
    on = geopandas.GeoSeries([square(105.0, 25.0, 0.001)], crs=4490).to_crs(CHINA_ALBERS)
    assert check_projected(on, name="on").name == CHINA_ALBERS.name
    assert albers_parallel_scale(25.0) == pytest.approx(1.0, abs=1e-12)
    assert albers_parallel_scale(47.0) == pytest.approx(1.0, abs=1e-12)


def test_readers_accept_an_explicit_equal_area_crs_over_a_wide_layer():
    out = landuse.read_parcels(wide_layer(), crs=CHINA_ALBERS)
    assert out.crs == CHINA_ALBERS
    assert target_crs(wide_layer(), crs="equal-area") == CHINA_ALBERS


# ---------------------------------------------------------------------------------------------
# issue 20 (smaller): zonal warning for metres under a lon/lat .prj
# ---------------------------------------------------------------------------------------------


def test_zonal_warning_gives_the_real_bounds(tmp_path):
    rasterio = pytest.importorskip("rasterio")
    path = tmp_path / "values.tif"
    transform = Affine(10.0, 0.0, 534400.0, 0.0, -10.0, 3993100.0)
    with rasterio.open(
        path, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32",
        crs="EPSG:4549", transform=transform,
    ) as ds:
        ds.write(np.arange(100, dtype="float32").reshape(1, 10, 10))
    # metres labelled lon/lat: they cannot be converted to the raster's CRS
    parcels = geopandas.GeoDataFrame(
        geometry=[shapely.box(534400, 3993050, 534450, 3993100)], crs="EPSG:4326"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(
            LanduseWarning,
            match=r"none of the 1 parcels overlaps `raster`.*the parcels span 534400, "
            r"3\.99305e\+06, 534450, 3\.9931e\+06 in EPSG:4326 \(WGS 84\), which do not convert to "
            r"EPSG:4549",
        ) as caught:
            out = landuse.zonal_stats(parcels, path, stats=["count"])
    assert "inf" not in str(caught[0].message)
    assert out["count"].tolist() == [0.0]


def test_area_analyses_accept_equal_area_while_distance_checks_refuse_it():
    """An equal-area layer works where only areas count and is refused where distances do."""
    from landuse.crs import CHINA_ALBERS

    squares = [
        shapely.box(534000, 3993000, 534100, 3993100),
        shapely.box(535000, 3993000, 535100, 3993100),
    ]
    gk = geopandas.GeoDataFrame(
        {"parcel_id": ["A", "B"], "land_use": ["industrial"] * 2, "floor_area_m2": [1.5e4, 5e3]},
        geometry=squares,
        crs=4549,
    )
    ea = gk.to_crs(CHINA_ALBERS)
    geod = pyproj.Geod(ellps="GRS80")
    true_areas = [abs(geod.geometry_area_perimeter(g)[0]) for g in gk.to_crs(4490).geometry]
    metrics = landuse.parcel_metrics(ea, policy="qingdao-2019")
    np.testing.assert_allclose(metrics["land_area_m2"], true_areas, rtol=1e-6)
    far = [1.5e4 / true_areas[0], 5e3 / true_areas[1]]
    np.testing.assert_allclose(metrics["far"], far, rtol=1e-6)
    zone = geopandas.GeoDataFrame(
        {"zone_id": ["Z"]}, geometry=[shapely.box(533900, 3992900, 534600, 3993600)], crs=4549
    ).to_crs(CHINA_ALBERS)
    assigned = landuse.assign_zones(ea, zones=zone)
    assert assigned["zone_id"].tolist()[0] == "Z"
    assert assigned["share_in_zone"].tolist() == pytest.approx([1.0, 0.0], abs=1e-9)
    with pytest.raises(CRSError, match=r"equal-area CRS keeps areas but not lengths"):
        landuse.check_new_land(ea.rename(columns={"parcel_id": "proposal_id"}), zones=zone, policy="qingdao-2019")
