from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from conftest import square

from landuse.errors import CRSError, SchemaError
from landuse.zones import assign_zones, overlap_areas

CRS = "EPSG:4549"


@pytest.fixture
def zones():
    ring = shapely.box(0, 0, 1000, 1000)
    with_hole = shapely.Polygon(
        ring.exterior.coords, [shapely.box(400, 400, 600, 600).exterior.coords]
    )
    return gpd.GeoDataFrame(
        {"zone_id": ["QD02", "QD01", "QD03"]},
        geometry=[with_hole, shapely.box(1000, 0, 2000, 1000), shapely.box(1500, 0, 2500, 1000)],
        crs=CRS,
    )


def test_shares_are_exact(zones):
    parcels = gpd.GeoDataFrame(
        geometry=[
            square(100, 100),  # inside QD02
            square(950, 100),  # half QD02, half QD01: tie → smaller id QD01
            square(450, 450),  # inside the hole
            square(-100, 100),  # touches QD02 along an edge only
            square(1700, 100),  # in QD01 and QD03 (overlap): tie → QD01, counted once
            square(960, 100),  # 40 % QD02, 60 % QD01
        ],
        index=[10, 11, 12, 13, 14, 15],
        crs=CRS,
    )
    out = assign_zones(parcels, zones=zones)
    assert out.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert out["zone_id"].tolist()[:2] == ["QD02", "QD01"]
    assert out["zone_id"].isna().tolist() == [False, False, True, True, False, False]
    assert out["zone_id"].tolist()[4:] == ["QD01", "QD01"]
    np.testing.assert_allclose(out["share_in_zone"], [1.0, 0.5, 0.0, 0.0, 1.0, 0.6])
    np.testing.assert_allclose(out["share_in_any_zone"], [1.0, 1.0, 0.0, 0.0, 1.0, 1.0])


def test_functional_areas(zones):
    areas = gpd.GeoDataFrame(
        {"zone_id": ["QD02", "QD02"], "area_type": ["industrial", "business"]},
        geometry=[shapely.box(0, 0, 700, 1000), shapely.box(700, 0, 1000, 1000)],
        crs=CRS,
    )
    parcels = gpd.GeoDataFrame(geometry=[square(650, 0), square(670, 0)], crs=CRS)
    out = assign_zones(parcels, zones=zones, functional_areas=areas)
    # 650–750: 50/50 → tie broken by name ("business" < "industrial"); 670–770: 70 % business
    assert out["area_type"].tolist() == ["business", "business"]
    np.testing.assert_allclose(out["share_in_area_type"], [0.5, 0.7])


def test_errors(zones):
    parcels = gpd.GeoDataFrame(geometry=[square(0, 0)], crs=CRS)
    with pytest.raises(CRSError, match="parcels"):
        assign_zones(parcels.set_crs(4326, allow_override=True), zones=zones)
    with pytest.raises(CRSError, match="zones"):
        assign_zones(parcels, zones=zones.set_crs(3857, allow_override=True))
    with pytest.raises(SchemaError, match="needs a `zone_id` column"):
        assign_zones(parcels, zones=zones.rename(columns={"zone_id": "id"}))


def test_errors_name_assign_zones_and_come_from_the_shared_checks(zones):
    parcels = gpd.GeoDataFrame(geometry=[square(0, 0)], crs=CRS)
    with pytest.raises(TypeError, match=r"^`parcels` passed to assign_zones\(\) must be a GeoDataFrame \(e\.g\. from landuse\.read_parcels\); received list\.$"):
        assign_zones([shapely.box(0, 0, 1, 1)], zones=zones)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^`zones` passed to assign_zones\(\) must be a GeoDataFrame \(e\.g\. from landuse\.read_zones\); received GeoSeries\.$"):
        assign_zones(parcels, zones=zones.geometry)  # type: ignore[arg-type]
    with pytest.raises(CRSError, match=r"^`parcels` passed to assign_zones\(\) is in a geographic CRS"):
        assign_zones(parcels.set_crs(4326, allow_override=True), zones=zones)
    with pytest.raises(CRSError, match=r"^In assign_zones\(\), `parcels` is in EPSG:4549 .* but `zones` is in EPSG:4547"):
        assign_zones(parcels, zones=zones.set_crs(4547, allow_override=True))
    with pytest.raises(SchemaError, match=r"^`zones` passed to assign_zones\(\) needs a `zone_id` column; received columns \['id', 'geometry'\]\. Read the zones with landuse\.read_zones\.$"):
        assign_zones(parcels, zones=zones.rename(columns={"zone_id": "id"}))
    areas = gpd.GeoDataFrame({"zone_id": ["QD02"]}, geometry=[square(0, 0, 500)], crs=CRS)
    with pytest.raises(SchemaError, match=r"^`functional_areas` passed to assign_zones\(\) needs an `area_type` column"):
        assign_zones(parcels, zones=zones, functional_areas=areas)
    with pytest.raises(TypeError, match=r"^`functional_areas` passed to assign_zones\(\) must be a GeoDataFrame"):
        assign_zones(parcels, zones=zones, functional_areas=areas.to_dict())  # type: ignore[arg-type]


def test_measure_zones_is_assign_zones_without_the_checks(zones):
    from pandas.testing import assert_frame_equal

    from landuse.zones import measure_zones

    parcels = gpd.GeoDataFrame(
        geometry=[square(100, 100), square(950, 100), square(1700, 100)], index=[7, 8, 9], crs=CRS
    )
    areas = gpd.GeoDataFrame(
        {"zone_id": ["QD02", "QD02"], "area_type": ["industrial", "business"]},
        geometry=[square(0, 0, 1000), square(1000, 0, 1000)],
        crs=CRS,
    )
    for fa in (None, areas):
        assert_frame_equal(
            measure_zones(parcels, zones, functional_areas=fa),
            assign_zones(parcels, zones=zones, functional_areas=fa),
        )


def test_overlap_areas_matches_overlay():
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 2000, size=(300, 2))
    parcels = gpd.GeoDataFrame(geometry=[square(x, y, 80) for x, y in xy], crs=CRS)
    zones = gpd.GeoDataFrame(geometry=[shapely.Point(1000, 1000).buffer(700)], crs=CRS)
    pairs = overlap_areas(parcels.geometry, zones.geometry)
    over = gpd.overlay(parcels.reset_index(), zones, how="intersection")
    expected = over.assign(a=over.area).groupby("index")["a"].sum().sort_index()
    got = pairs.set_index("left")["area_m2"].sort_index()
    assert got.index.tolist() == expected.index.tolist()
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-9)
