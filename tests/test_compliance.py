"""New industrial land against the zones: exact hand-made fixtures, properties, CLI."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from conftest import QD_GK, square
from geopandas.testing import assert_geodataframe_equal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import landuse.policy
from landuse import _overlap
from landuse._clip import Pieces, clip_areas, convex_clips
from landuse.cli import main
from landuse.compliance import (
    VERDICTS,
    check_new_land,
    find_encroachment,
    outside_zone_summary,
    write_compliance,
)
from landuse.compliance._measure import tiling
from landuse.errors import CRSError, GeometryError, LanduseWarning, PolicyError, SchemaError
from landuse.policy import load_policy
from landuse.schema import category_labels

CRS = "EPSG:4549"
#: The policy every call names (check_new_land requires one; the rule has no number in it).
QD = "qingdao-2019"


def with_hole(outer: shapely.Polygon, inner: shapely.Polygon) -> shapely.Polygon:
    return shapely.Polygon(outer.exterior.coords, [inner.exterior.coords])


@pytest.fixture
def zones() -> gpd.GeoDataFrame:
    """QD02 has a hole; QD01 touches QD02 and overlaps QD03; QD04 is a multipolygon."""
    return gpd.GeoDataFrame(
        {"zone_id": ["QD02", "QD01", "QD03", "QD04"], "district": ["即墨区"] * 4},
        geometry=[
            with_hole(shapely.box(0, 0, 1000, 1000), shapely.box(400, 400, 600, 600)),
            shapely.box(1000, 0, 2000, 1000),
            shapely.box(1500, 0, 2500, 1000),
            shapely.MultiPolygon(
                [shapely.box(3000, 0, 3200, 200), shapely.box(3400, 0, 3600, 200)]
            ),
        ],
        crs=CRS,
    )


@pytest.fixture
def areas(zones) -> gpd.GeoDataFrame:
    """Functional areas of QD02 only: industrial west of x = 700, business east of it."""
    qd02 = zones.geometry.iloc[0]
    return gpd.GeoDataFrame(
        {"zone_id": ["QD02", "QD02"], "area_type": ["industrial", "business"]},
        geometry=[
            shapely.intersection(qd02, shapely.box(0, 0, 700, 1000)),
            shapely.intersection(qd02, shapely.box(700, 0, 1000, 1000)),
        ],
        crs=CRS,
    )


CASES = {
    # name: (geometry, zone_id, share_in_zone, area_outside_m2, distance, nearest, verdict)
    "in": (square(100, 100), "QD02", 1.0, 0.0, 0.0, "QD02", "inside"),
    "half": (square(-50, 100), "QD02", 0.5, 5000.0, 0.0, "QD02", "straddles_boundary"),
    "hole": (square(450, 450), None, 0.0, 10000.0, 50.0, "QD02", "outside"),
    "edge": (square(-100, 100), None, 0.0, 10000.0, 0.0, "QD02", "outside"),
    "across": (square(950, 100), "QD01", 1.0, 0.0, 0.0, "QD01", "inside"),
    "overlap": (square(1700, 100), "QD01", 1.0, 0.0, 0.0, "QD01", "inside"),
    "multi_zone": (square(3100, 50), "QD04", 1.0, 0.0, 0.0, "QD04", "inside"),
    "gap": (
        shapely.box(3150, 50, 3450, 150),
        "QD04",
        1 / 3,
        20000.0,
        0.0,
        "QD04",
        "straddles_boundary",
    ),
    "sliver": (
        shapely.box(-0.5, 100, 99.5, 200),
        "QD02",
        0.995,
        50.0,
        0.0,
        "QD02",
        "inside_within_tolerance",
    ),
    "far": (square(5000, 5000), None, 0.0, 10000.0, math.hypot(2500, 4000), "QD03", "outside"),
    "multi": (
        shapely.MultiPolygon([square(100, 300), square(-150, 300)]),
        "QD02",
        0.5,
        10000.0,
        0.0,
        "QD02",
        "straddles_boundary",
    ),
    "ring": (
        with_hole(shapely.box(300, 300, 700, 700), shapely.box(400, 400, 600, 600)),
        "QD02",
        1.0,
        0.0,
        0.0,
        "QD02",
        "inside",
    ),
}


@pytest.fixture
def proposals() -> gpd.GeoDataFrame:
    names = list(CASES)
    return gpd.GeoDataFrame(
        {
            "proposal_id": [f"N{i:02d}" for i in range(len(names))],
            "land_use": ["industrial"] * len(names),
            "district": ["即墨区"] * len(names),
        },
        geometry=[CASES[k][0] for k in names],
        index=pd.Index(names, name="case"),
        crs=CRS,
    )


def test_exact_shares_verdicts_and_distances(zones, proposals):
    before = proposals.copy()
    report = check_new_land(proposals, zones=zones, policy=QD)
    assert_geodataframe_equal(proposals, before)  # input untouched
    assert report.index.equals(proposals.index)
    assert report.crs == proposals.crs
    assert report.columns[:3].tolist() == ["proposal_id", "land_use", "district"]
    names = list(CASES)
    expect = pd.DataFrame(
        [CASES[k][1:] for k in names],
        index=proposals.index,
        columns=["zone_id", "share", "outside", "distance", "nearest", "verdict"],
    )
    assert report["zone_id"].fillna("-").tolist() == expect["zone_id"].fillna("-").tolist()
    np.testing.assert_allclose(report["share_in_zone"], expect["share"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(report["area_outside_m2"], expect["outside"], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(report["distance_to_zone_m"], expect["distance"], rtol=1e-12)
    assert report["nearest_zone_id"].tolist() == expect["nearest"].tolist()
    assert report["verdict"].astype(str).tolist() == expect["verdict"].tolist()
    # exactly inside means exactly: no rounding left in the shares of covered proposals
    inside = report["verdict"] == "inside"
    assert (report.loc[inside, "share_in_zone"] == 1.0).all()
    assert (report.loc[inside, "area_outside_m2"] == 0.0).all()
    assert report["share_in_industrial_area"].isna().all()
    assert report.attrs["policy"] == "qingdao-2019"
    assert report.attrs["not_evaluated"] == {"wrong_functional_area": ["functional_areas"]}
    assert list(report["verdict"].cat.categories) == list(VERDICTS)


def test_reason_texts_zh_and_en(zones, proposals):
    zh = check_new_land(proposals, zones=zones, policy=QD)["reason_text"]
    note = "；未提供功能分区，未核对产业发展区"
    assert zh["in"] == "全部位于集聚区QD02内" + note
    assert zh["half"] == "跨集聚区边界：50% 在集聚区QD02内，7.5 亩（50%）在集聚区外" + note
    assert zh["hole"] == "位于集聚区外，距最近的集聚区QD02 50 米"
    assert zh["edge"] == "位于集聚区外，与集聚区QD02仅边界相接"
    assert zh["sliver"] == (
        "位于集聚区QD02内；集聚区外 50 平方米（0.5%），在容差内（容差：≤100 平方米且≤1%）" + note
    )
    en = check_new_land(proposals, zones=zones, lang="en", policy=QD)["reason_text"]
    assert en["far"] == "outside every zone; 4717 m from the nearest zone, QD03"
    assert en["edge"] == "outside every zone; touches zone QD02 along its boundary only"
    assert en["gap"] == (
        "straddles the zone boundary: 33.3 % inside zone QD04, 30 mu (66.7 %) outside; "
        "functional areas not given: industrial area not checked"
    )


def test_strict_tolerance_and_larger_tolerance(zones, proposals):
    strict = check_new_land(proposals, zones=zones, tolerance_m2=0, tolerance_share=0, policy=QD)
    assert strict.loc["sliver", "verdict"] == "straddles_boundary"
    # touching stays touching, exactly, even in Gauss-Krüger coordinates of millions of metres
    dx, dy = QD_GK
    moved = check_new_land(
        proposals.set_geometry(proposals.translate(dx, dy)),
        zones=zones.set_geometry(zones.translate(dx, dy)),
        tolerance_m2=0,
        tolerance_share=0,
        policy=QD,
    )
    for name in ("edge", "hole", "far"):
        assert strict.loc[name, "share_in_zone"] == 0.0
        assert moved.loc[name, "share_in_zone"] == 0.0
        assert moved.loc[name, "verdict"] == "outside"
    assert moved.loc["edge", "distance_to_zone_m"] == 0.0
    loose = check_new_land(
        proposals, zones=zones, tolerance_m2=6000, tolerance_share=0.49, policy=QD
    )
    # 5000 m² is 50 % of "half": beyond the share limit, so it still straddles
    assert loose.loc["half", "verdict"] == "straddles_boundary"
    assert loose.loc["sliver", "verdict"] == "inside_within_tolerance"
    # a sliver inside (within tolerance) of a proposal otherwise outside: outside
    p = gpd.GeoDataFrame(
        {"land_use": ["industrial"]}, geometry=[shapely.box(-99.5, 100, 0.5, 200)], crs=CRS
    )
    out = check_new_land(p, zones=zones, policy=QD)
    assert out["verdict"].tolist() == ["outside"]
    np.testing.assert_allclose(out["share_in_zone"], [0.005])
    assert (
        out["reason_text"][0]
        == "位于集聚区外，与集聚区QD02仅边界相接（集聚区内仅 50 平方米，在容差内）"
    )


def test_functional_areas(zones, areas):
    p = gpd.GeoDataFrame(
        {"land_use": ["industrial"] * 6},
        geometry=[
            square(100, 100),  # industrial
            square(800, 100),  # business
            square(650, 100),  # half and half: tie -> "business"
            shapely.box(600.5, 100, 700.5, 200),  # 50 m² in business: within tolerance
            square(1100, 100),  # QD01 has no functional areas: not evaluated
            square(-50, 100),  # straddles: the zone boundary comes first
        ],
        crs=CRS,
    )
    r = check_new_land(p, zones=zones, functional_areas=areas, policy=QD)
    assert r["verdict"].astype(str).tolist() == [
        "inside",
        "wrong_functional_area",
        "wrong_functional_area",
        "inside_within_tolerance",
        "inside",
        "straddles_boundary",
    ]
    np.testing.assert_allclose(
        r["share_in_industrial_area"], [1.0, 0.0, 0.5, 0.995, 0.0, 0.5], atol=1e-12
    )
    assert r["area_type"].fillna("-").tolist() == [
        "industrial", "business", "business", "industrial", "-", "industrial",
    ]  # fmt: skip
    assert r["reason_text"][0] == "全部位于集聚区QD02的产业发展区内"
    assert r["reason_text"][1] == "位于集聚区QD02内，但不在产业发展区，主要位于商务服务区"
    assert r["reason_text"][2] == "位于集聚区QD02内，但仅 50% 在产业发展区，主要位于商务服务区"
    assert r["reason_text"][3] == (
        "位于集聚区QD02内；产业发展区外 50 平方米（0.5%），在容差内（容差：≤100 平方米且≤1%）"
    )
    assert r["reason_text"][4] == "全部位于集聚区QD01内；集聚区QD01无功能分区数据，未核对产业发展区"
    assert r.attrs["not_evaluated"] == {}


def tiled_layers(hole: bool = True) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two zones whose functional areas tile them exactly."""
    z1 = shapely.box(0, 0, 1000, 1000)
    if hole:
        z1 = with_hole(z1, shapely.box(400, 400, 600, 600))
    z2 = shapely.box(1000, 0, 2000, 1000)
    zones = gpd.GeoDataFrame({"zone_id": ["A", "B"]}, geometry=[z1, z2], crs=CRS)
    areas = gpd.GeoDataFrame(
        {
            "zone_id": ["A", "A", "B", "B"],
            "area_type": ["industrial", "business", "industrial", "residential"],
        },
        geometry=[
            shapely.intersection(z1, shapely.box(0, 0, 700, 1000)),
            shapely.intersection(z1, shapely.box(700, 0, 1000, 1000)),
            shapely.box(1000, 0, 2000, 600),
            shapely.box(1000, 600, 2000, 1000),
        ],
        crs=CRS,
    )
    return zones, areas


def test_tiling_mode_equals_general_mode():
    zones, areas = tiled_layers()
    zl = _overlap.LayerIndex.build(zones.geometry.to_numpy(), np.array(["A", "B"], dtype=object))
    fl = _overlap.LayerIndex.build(
        areas.geometry.to_numpy(), areas["area_type"].to_numpy(dtype=object)
    )
    codes = tiling(zl, zones.geometry.to_numpy(), fl, areas["zone_id"].to_numpy(dtype=object))
    assert codes is not None
    assert codes.tolist() == [0, 0, 1, 1]
    rng = np.random.default_rng(7)
    xy = rng.uniform(-300, 2200, size=(400, 2)).round()
    p = gpd.GeoDataFrame(
        {"land_use": ["industrial"] * len(xy)}, geometry=[square(x, y, 150) for x, y in xy], crs=CRS
    )
    fast = check_new_land(p, zones=zones, functional_areas=areas, policy=QD)
    general = check_new_land(
        p, zones=zones, functional_areas=areas.drop(columns="zone_id"), policy=QD
    )
    for c in ("share_in_zone", "share_in_industrial_area", "area_outside_m2", "distance_to_zone_m"):
        np.testing.assert_allclose(fast[c], general[c], rtol=1e-12, atol=1e-9)
    for c in ("zone_id", "area_type", "nearest_zone_id", "verdict"):
        assert fast[c].astype(str).tolist() == general[c].astype(str).tolist()


def test_threads_and_chunks_do_not_change_results(zones, proposals, monkeypatch):
    one = check_new_land(proposals, zones=zones, n_jobs=1, policy=QD)
    monkeypatch.setattr(_overlap, "CHUNK", 3)
    monkeypatch.setattr(_overlap, "MIN_CHUNK", 2)
    many = check_new_land(proposals, zones=zones, n_jobs=2, policy=QD)
    assert_geodataframe_equal(one, many)


def test_land_use(zones, proposals):
    p = proposals.copy()
    p["land_use"] = ["commercial", "商业用地", *["industrial"] * (len(p) - 2)]
    r = check_new_land(p, zones=zones, policy=QD)
    assert r["verdict"].astype(str).tolist()[:3] == ["not_industrial_use"] * 2 + ["outside"]
    assert r["reason_text"]["in"] == "用途为商业服务业用地，不是工业用地，不按集聚区供地规则判定"
    logistics = p.assign(land_use="logistics")
    r2 = check_new_land(
        logistics, zones=zones, industrial_uses=("industrial", "logistics"), policy=QD
    )
    assert (r2["verdict"] != "not_industrial_use").all()
    with pytest.warns(LanduseWarning, match="has no `land_use` column"):
        r3 = check_new_land(p.drop(columns="land_use"), zones=zones, policy=QD)
    assert r3.attrs["not_evaluated"]["not_industrial_use"] == ["land_use"]
    assert r3["reason_text"]["in"].endswith("；用途缺失，未核对用途")
    p.loc["in", "land_use"] = None
    r4 = check_new_land(p, zones=zones, policy=QD)
    assert r4.loc["in", "verdict"] == "inside"
    assert r4.loc["in", "reason_text"].endswith("；用途缺失，未核对用途")


def test_proposals_without_area_are_refused(zones):
    p = gpd.GeoDataFrame(
        {"proposal_id": ["G1", "G2", "G3", "G4"]},
        geometry=[
            square(0, 0),
            shapely.Polygon(),  # empty
            shapely.Polygon([(0, 0), (10, 10), (20, 20), (0, 0)]),  # collapsed to a line
            shapely.Point(5, 5),
        ],
        crs=CRS,
    )
    with pytest.raises(
        GeometryError, match=r"1 of 4 have no geometry \(missing or empty\) \(G2\)"
    ) as info:
        check_new_land(p, zones=zones, policy=QD)
    assert "1 of 4 have no area (collapsed to a line or a point) (G3)" in str(info.value)
    assert "1 of 4 are not polygons (G4)" in str(info.value)
    bowtie = shapely.Polygon([(0, 0), (100, 100), (100, 0), (0, 60), (0, 0)])
    with pytest.raises(GeometryError, match=r"1 of 1 have invalid geometry \(0\)"):
        check_new_land(gpd.GeoDataFrame(geometry=[bowtie], crs=CRS), zones=zones, policy=QD)


def test_crs_and_schema_errors(zones, proposals, areas):
    with pytest.raises(CRSError, match="`zones`"):
        check_new_land(proposals, zones=zones.to_crs(3857), policy=QD)
    with pytest.raises(CRSError, match="geographic"):
        check_new_land(proposals.to_crs(4326), zones=zones.to_crs(4326), policy=QD)
    with pytest.raises(CRSError, match="`functional_areas`"):
        check_new_land(proposals, zones=zones, functional_areas=areas.to_crs(4547), policy=QD)
    with pytest.raises(SchemaError, match="needs a `zone_id` column"):
        check_new_land(proposals, zones=zones.rename(columns={"zone_id": "id"}), policy=QD)
    with pytest.raises(SchemaError, match="`zones` is empty"):
        check_new_land(proposals, zones=zones.iloc[:0], policy=QD)
    with pytest.raises(SchemaError, match="not one of industrial, business, residential"):
        check_new_land(
            proposals, zones=zones, functional_areas=areas.assign(area_type="公园"), policy=QD
        )
    with pytest.raises(ValueError, match=r"`tolerance_share` must be a share .*\[0, 0.5\)"):
        check_new_land(proposals, zones=zones, tolerance_share=0.5, policy=QD)
    with pytest.raises(ValueError, match="`tolerance_m2` must be a finite area"):
        check_new_land(proposals, zones=zones, tolerance_m2=-1, policy=QD)
    with pytest.raises(
        ValueError, match=r'`lang` passed to check_new_land\(\) must be "zh" or "en"'
    ):
        check_new_land(proposals, zones=zones, lang="fr", policy=QD)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`industrial_uses` must be .* industrial, logistics"):
        check_new_land(proposals, zones=zones, industrial_uses=("factory",), policy=QD)
    with pytest.raises(
        TypeError, match=r"`policy` passed to check_new_land\(\) must be a landuse\.Policy"
    ):
        check_new_land(proposals, zones=zones, policy=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'policy'"):
        check_new_land(proposals, zones=zones)  # type: ignore[call-arg]
    with pytest.raises(
        TypeError, match=r"`proposals` passed to check_new_land\(\) must be a GeoDataFrame"
    ):
        check_new_land(pd.DataFrame(proposals), zones=zones, policy=QD)  # type: ignore[arg-type]


def test_policy_name_recorded(zones, proposals):
    national = load_policy("national-2008")
    assert (
        check_new_land(proposals, zones=zones, policy=national).attrs["policy"] == "national-2008"
    )
    # the rule has no policy number; its sliver tolerances come from the profile's data-quality
    # allowances unless given (issue 22: attrs["policy_keys"])
    report = check_new_land(proposals, zones=zones, policy=national)
    assert report.attrs["policy_keys"] == (
        "data_quality.compliance_tolerance_m2",
        "data_quality.compliance_tolerance_share",
    )
    assert (report.attrs["tolerance_m2"], report.attrs["tolerance_share"]) == (100.0, 0.01)
    assert outside_zone_summary(report).attrs["policy_keys"] == ()
    wider = national.replace({"data_quality.compliance_tolerance_m2": 250})
    assert check_new_land(proposals, zones=zones, policy=wider).attrs["tolerance_m2"] == 250.0
    given = check_new_land(
        proposals, zones=zones, policy=national, tolerance_m2=50, tolerance_share=0.02
    )
    assert given.attrs["policy_keys"] == ()
    assert (given.attrs["tolerance_m2"], given.attrs["tolerance_share"]) == (50.0, 0.02)


def test_policy_as_name_path_or_policy_gives_the_same_report(zones, proposals, areas):
    """One contract (issue 16): a profile name, a TOML path and a Policy all work."""
    toml = Path(landuse.policy.__file__).parent / "profiles" / "qingdao-2019.toml"
    reports = [
        check_new_land(proposals, zones=zones, functional_areas=areas, policy=policy)
        for policy in ("qingdao-2019", toml, str(toml), load_policy("qingdao-2019"))
    ]
    for other in reports[1:]:
        assert_geodataframe_equal(reports[0], other)
        assert other.attrs == reports[0].attrs
    assert reports[0].attrs["policy"] == "qingdao-2019"
    with pytest.raises(PolicyError, match="no-such-profile"):
        check_new_land(proposals, zones=zones, policy="no-such-profile")
    with pytest.raises(TypeError, match=r"check_new_land\(\).*received int"):
        check_new_land(proposals, zones=zones, policy=2019)  # type: ignore[arg-type]


def test_errors_name_the_function_called(zones, proposals, areas, tmp_path):
    """A check done by a shared helper names the public function the user called."""
    report = check_new_land(proposals, zones=zones, policy=QD)
    with pytest.raises(SchemaError, match=r"^write_compliance: `report` has no `nope` column"):
        write_compliance(report, tmp_path / "r.csv", by="nope")
    with pytest.raises(TypeError, match=r"^write_compliance: `report` must be the GeoDataFrame"):
        write_compliance(pd.DataFrame(report), tmp_path / "r.csv")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`lang` passed to write_compliance\(\)"):
        write_compliance(report, tmp_path / "r.csv", lang="de")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`lang` passed to outside_zone_summary\(\)"):
        outside_zone_summary(report, lang="de")  # type: ignore[arg-type]
    parcels = proposals.assign(land_use="commercial")
    with pytest.raises(TypeError, match=r"`functional_areas` passed to find_encroachment\(\)"):
        find_encroachment(parcels, functional_areas=pd.DataFrame(areas))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`lang` passed to find_encroachment\(\)"):
        find_encroachment(parcels, functional_areas=areas, lang="de")  # type: ignore[arg-type]


# --- outside_zone_summary -------------------------------------------------------------------


def test_outside_zone_summary(zones):
    p = gpd.GeoDataFrame(
        {
            "land_use": ["industrial", "industrial", "industrial", "commercial", "industrial"],
            "district": ["即墨区", "即墨区", "城阳区", "城阳区", "即墨区"],
        },
        geometry=[
            square(100, 100),  # inside, 15 亩
            square(-50, 100),  # straddles: 7.5 亩 outside
            square(450, 450),  # in the hole: 15 亩 outside
            square(-300, 100),  # commercial: not counted
            shapely.box(-0.5, 300, 99.5, 400),  # 50 m² outside, within tolerance: not counted
        ],
        crs=CRS,
    )
    table = outside_zone_summary(check_new_land(p, zones=zones, policy=QD))
    assert table.index.tolist() == ["即墨区", "城阳区", "合计"]
    t = table
    assert t["proposals"].tolist() == [3, 1, 4]
    assert t["outside"].tolist() == [0, 1, 1]
    assert t["straddling"].tolist() == [1, 0, 1]
    assert t["outside_or_straddling"].tolist() == [1, 1, 2]
    np.testing.assert_allclose(t["area_mu"], [45.0, 15.0, 60.0])
    np.testing.assert_allclose(t["area_outside_mu"], [7.5, 15.0, 22.5])
    np.testing.assert_allclose(t["share_outside"], [7.5 / 45, 1.0, 22.5 / 60])
    en = outside_zone_summary(check_new_land(p, zones=zones, policy=QD), total=True, lang="en")
    assert en.index[-1] == "total"
    by_zone = outside_zone_summary(
        check_new_land(p, zones=zones, policy=QD), by="nearest_zone_id", total=False
    )
    assert by_zone.index.tolist() == ["QD02"]
    with pytest.raises(SchemaError, match="has no `nope` column"):
        outside_zone_summary(check_new_land(p, zones=zones, policy=QD), by="nope")
    with pytest.raises(SchemaError, match="lacks `verdict`, `area_outside_m2`"):
        outside_zone_summary(p)


# --- find_encroachment ----------------------------------------------------------------------


def test_find_encroachment(areas):
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
            "land_use": ["商业用地", "residential", "commercial", "industrial", "commercial", None],
        },
        geometry=[
            square(100, 100),  # commercial, wholly in the industrial area
            square(650, 100),  # residential, half in it
            square(800, 100),  # commercial in the business area: fine
            square(100, 300),  # industrial: fine
            shapely.box(699.5, 300, 799.5, 400),  # 50 m² sliver: within tolerance
            square(100, 500),  # unknown use: not checked
        ],
        index=[11, 12, 13, 14, 15, 16],
        crs=CRS,
    )
    with pytest.warns(LanduseWarning, match=r"1 of 6 parcels have no land use .*\(P6\)"):
        found = find_encroachment(parcels, functional_areas=areas)
    assert found.index.tolist() == [11, 12]
    assert found["zone_id"].tolist() == ["QD02", "QD02"]
    np.testing.assert_allclose(found["area_encroached_m2"], [10000.0, 5000.0])
    np.testing.assert_allclose(found["area_encroached_mu"], [15.0, 7.5])
    np.testing.assert_allclose(found["share_encroached"], [1.0, 0.5])
    assert found["reasons"].tolist() == [
        "commercial_in_industrial_area",
        "residential_in_industrial_area",
    ]
    assert found["reason_text"][11] == (
        "商业服务业用地位于集聚区QD02的产业发展区内 10000 平方米（15 亩，占宗地 100%），挤占产业空间"
    )
    assert found.attrs["checked"] == 4
    assert found["land_use"].tolist() == ["商业用地", "residential"]  # a copy of the rows
    strict = find_encroachment(
        parcels.iloc[:5], functional_areas=areas, tolerance_m2=0, tolerance_share=0, lang="en"
    )
    assert strict.index.tolist() == [11, 12, 15]
    np.testing.assert_allclose(strict.loc[15, "area_encroached_m2"], 50.0)
    assert strict.loc[12, "reason_text"] == (
        "residential use inside the industrial area of zone QD02: 5000 m² (7.5 mu, 50 % of the parcel)"
    )
    only_commercial = find_encroachment(
        parcels.iloc[:5], functional_areas=areas, uses=["commercial"]
    )
    assert only_commercial.index.tolist() == [11]
    with pytest.raises(SchemaError, match="needs a `land_use` column"):
        find_encroachment(parcels.drop(columns="land_use"), functional_areas=areas)
    with pytest.raises(CRSError, match="`functional_areas`"):
        find_encroachment(parcels.iloc[:5], functional_areas=areas.to_crs(3857))
    none = find_encroachment(parcels.iloc[2:5], functional_areas=areas)
    assert len(none) == 0
    assert {"area_encroached_m2", "reasons", "reason_text"} <= set(none.columns)


# --- properties -----------------------------------------------------------------------------

coord = st.integers(min_value=0, max_value=20).map(lambda v: v * 50.0)


@st.composite
def zone_layers(draw):
    n = draw(st.integers(1, 3))
    geoms = []
    for _ in range(n):
        kind = draw(st.sampled_from(["box", "holed", "circle"]))
        x0, y0 = draw(coord), draw(coord)
        w, h = draw(st.integers(2, 10)) * 50.0, draw(st.integers(2, 10)) * 50.0
        outer = shapely.box(x0, y0, x0 + w, y0 + h)
        if kind == "holed" and min(w, h) >= 150:
            geoms.append(with_hole(outer, shapely.box(x0 + 50, y0 + 50, x0 + w - 50, y0 + h - 50)))
        elif kind == "circle":  # many vertices: cut into pieces by the engine
            geoms.append(shapely.Point(x0 + w / 2, y0 + h / 2).buffer(min(w, h) / 2, quad_segs=40))
        else:
            geoms.append(outer)
    return gpd.GeoDataFrame({"zone_id": [f"Z{i}" for i in range(n)]}, geometry=geoms, crs=CRS)


@st.composite
def proposal_layers(draw):
    n = draw(st.integers(1, 6))
    geoms = []
    for _ in range(n):
        kind = draw(st.sampled_from(["box", "rotated", "L", "triangle"]))
        x0, y0 = draw(coord), draw(coord)
        w, h = draw(st.integers(1, 6)) * 50.0, draw(st.integers(1, 6)) * 50.0
        if kind == "box":
            geoms.append(shapely.box(x0, y0, x0 + w, y0 + h))
        elif kind == "rotated":
            angle = draw(st.floats(0, 90))
            geoms.append(shapely.affinity.rotate(shapely.box(x0, y0, x0 + w, y0 + h), angle))
        elif kind == "L":  # not convex: measured by shapely.intersection
            geoms.append(
                shapely.union(
                    shapely.box(x0, y0, x0 + w, y0 + 50), shapely.box(x0, y0, x0 + 50, y0 + h)
                )
            )
        else:
            geoms.append(shapely.Polygon([(x0, y0), (x0 + w, y0), (x0, y0 + h)]))
    return gpd.GeoDataFrame(
        {"land_use": ["industrial"] * n}, geometry=geoms, index=range(10, 10 + n), crs=CRS
    )


def overlay_shares(proposals: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> np.ndarray:
    """The geopandas route: overlay with the dissolved zones, then sum the pieces' areas."""
    left = proposals.reset_index(names="row")[["row", "geometry"]]
    pieces = gpd.overlay(
        left, zones[["geometry"]].dissolve(), how="intersection", keep_geom_type=False
    )
    inside = pieces.area.groupby(pieces["row"]).sum()
    return (inside.reindex(proposals.index).fillna(0.0) / proposals.area).to_numpy()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zones=zone_layers(), proposals=proposal_layers())
def test_property_shares(zones, proposals):
    report = check_new_land(proposals, zones=zones, policy=QD)
    share = report["share_in_zone"].to_numpy()
    assert ((share >= 0) & (share <= 1)).all()
    np.testing.assert_allclose(share, overlay_shares(proposals, zones), rtol=0, atol=1e-9)
    # invariant under translating everything (here to Qingdao's Gauss-Krüger coordinates)
    dx, dy = QD_GK
    moved = check_new_land(
        proposals.set_geometry(proposals.translate(dx, dy)),
        zones=zones.set_geometry(zones.translate(dx, dy)),
        policy=QD,
    )
    np.testing.assert_allclose(moved["share_in_zone"], share, rtol=0, atol=1e-9)
    np.testing.assert_allclose(moved["distance_to_zone_m"], report["distance_to_zone_m"], atol=1e-6)
    # functional areas equal to the zones (one industrial area each): the fast tiled pass
    areas = zones.assign(area_type="industrial")
    tiled = check_new_land(proposals, zones=zones, functional_areas=areas, policy=QD)
    ind = tiled["share_in_industrial_area"].to_numpy()
    assert ((ind >= 0) & (ind <= 1)).all()
    np.testing.assert_allclose(tiled["share_in_zone"], share, rtol=0, atol=1e-9)
    # every zone is wholly industrial: the industrial share is the zone share
    np.testing.assert_allclose(ind, share, rtol=0, atol=1e-9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zones=zone_layers(), proposals=proposal_layers())
def test_property_clip_kernel_matches_geos(zones, proposals):
    polys = zones.geometry.to_numpy()
    clips = proposals.geometry.to_numpy()
    ok = convex_clips(clips)
    # boxes, rotated boxes and triangles are convex; L shapes are not
    assert ok.tolist() == [c.area > shapely.convex_hull(c).area - 1e-6 for c in clips]
    pieces = Pieces(polys, max_vertices=24)
    tree = shapely.STRtree(pieces.geoms)
    q, piece = tree.query(clips[ok])
    idx = np.flatnonzero(ok)
    area = clip_areas(clips, pieces, idx[q], piece)
    for z in range(len(polys)):
        mine = pieces.owner[piece] == z
        got = np.bincount(q[mine], weights=area[mine], minlength=len(idx))
        want = shapely.area(shapely.intersection(clips[idx], polys[z]))
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9 * 90000)


# --- writing and the command line -----------------------------------------------------------


def test_write_compliance(tmp_path, zones, proposals):
    report = check_new_land(proposals, zones=zones, policy=QD)
    gpkg = write_compliance(report, tmp_path / "r.gpkg")
    assert [str(n) for n in pyogrio.list_layers(gpkg[0])[:, 0]] == [
        "compliance",
        "outside_zone_summary",
        "layer_styles",  # the QGIS style of `compliance`, as QGIS itself stores it
    ]
    back = gpd.read_file(gpkg[0], layer="compliance")
    # the GeoPackage shows the labels and keeps the codes for programs
    assert back["verdict_code"].tolist() == report["verdict"].astype(str).tolist()
    assert back["verdict"].iloc[0] == "位于集聚区内"
    csv, side = write_compliance(report, tmp_path / "r.csv")
    table = pd.read_csv(csv)
    assert table.columns[-5:].tolist() == ["判定结果", "认定原因", "用途类别代码", "功能分区代码",
                                           "判定结果代码"]  # fmt: skip
    assert table["判定结果"].iloc[0] == "位于集聚区内"
    # 97.5 亩 outside: 65,000 m² ÷ (10000/15) m² per 亩
    assert pd.read_csv(side, index_col=0).loc["合计", "集聚区外面积（亩）"] == 97.5
    xlsx = write_compliance(report, tmp_path / "r.xlsx", lang="en")
    sheets = pd.read_excel(xlsx[0], sheet_name=None)
    assert list(sheets) == ["compliance", "outside zones", "Policy parameters", "About"]
    assert sheets["compliance"]["Verdict"].iloc[1] == "Straddles a zone boundary"
    with pytest.raises(ValueError, match=r"unknown output type '\.shp'"):
        write_compliance(report, tmp_path / "r.shp")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_written_labels_come_from_the_catalogue(tmp_path, zones, proposals, areas, lang):
    """CSV and Excel show the catalogue's verdict, functional-area and land-use labels."""
    p = proposals.copy()
    p["land_use"] = ["commercial", "logistics", *["industrial"] * (len(p) - 2)]
    report = check_new_land(p, zones=zones, functional_areas=areas, policy=QD)
    verdicts = category_labels("verdict", lang=lang)
    expected = report["verdict"].astype(str).map(verdicts).tolist()
    expected_types = report["area_type"].map(category_labels("area_type", lang=lang))
    expected_uses = report["land_use"].map(category_labels("land_use", lang=lang)).tolist()
    assert set(expected) <= set(verdicts.values())
    assert {"商业服务业用地", "Commercial"} & set(expected_uses)
    csv, _ = write_compliance(report, tmp_path / "r.csv", lang=lang)
    (xlsx,) = write_compliance(report, tmp_path / "r.xlsx", lang=lang)
    header = {
        "zh": ("判定结果", "功能分区", "用途"),
        "en": ("Verdict", "Functional area", "Land use"),
    }
    verdict, area_type, land_use = header[lang]
    sheet = "新增工业用地合规" if lang == "zh" else "compliance"
    for table in (pd.read_csv(csv), pd.read_excel(xlsx, sheet_name=sheet)):
        assert table[verdict].tolist() == expected
        assert table[area_type].fillna("").tolist() == expected_types.fillna("").tolist()
        assert table[land_use].tolist() == expected_uses


def test_cli_check(tmp_path, zones, proposals, areas):
    dx, dy = QD_GK  # in Qingdao, so the readers keep EPSG:4549
    for frame, name in ((proposals, "p"), (zones, "z"), (areas, "a")):
        frame.set_geometry(frame.translate(dx, dy)).to_file(tmp_path / f"{name}.gpkg")
    runner = CliRunner()
    args = ["check", str(tmp_path / "p.gpkg"), "--zones", str(tmp_path / "z.gpkg")]
    out = runner.invoke(
        main, [*args, "--areas", str(tmp_path / "a.gpkg"), "-o", str(tmp_path / "r.gpkg"),
               "-o", str(tmp_path / "r.xlsx")],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "12 proposals (qingdao-2019)" in out.output
    assert "report → " in out.output
    assert (tmp_path / "r.xlsx").exists()
    layer = gpd.read_file(tmp_path / "r.gpkg", layer="compliance")
    assert layer["verdict_code"].value_counts().to_dict() == {
        "inside": 5,
        "straddles_boundary": 3,
        "outside": 3,
        "inside_within_tolerance": 1,
    }
    bad = runner.invoke(main, [*args, "--tolerance-share", "0.7"])
    assert bad.exit_code == 2
    assert "`tolerance_share` must be a share" in bad.output


def test_no_proposals(zones, areas):
    empty = gpd.GeoDataFrame({"land_use": pd.Series([], dtype="str")}, geometry=[], crs=CRS)
    report = check_new_land(empty, zones=zones, functional_areas=areas, policy=QD)
    assert len(report) == 0
    assert report.columns.tolist()[-2:] == ["reason_text", "geometry"]
    table = outside_zone_summary(report, by="nearest_zone_id")
    assert table.loc["合计", "proposals"] == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-5, 5), st.integers(-5, 5)), min_size=3, max_size=8))
def test_property_convex_windows_are_valid_convex_polygons(points):
    ring = shapely.Polygon([*points, points[0]])
    convex = bool(convex_clips(np.array([ring]))[0])
    if convex:  # proven from coordinates alone: GEOS agrees it is valid and convex
        assert ring.is_valid
        assert ring.area == pytest.approx(shapely.convex_hull(ring).area, rel=1e-12)


def test_convex_windows_reject_stars_spikes_and_collapsed_rings():
    star = shapely.Polygon([(0, 0), (2, 6), (4, 0), (-1, 4), (5, 4)])
    spike = shapely.Polygon([(0, 0), (4, 0), (4, 4), (4, 8), (4, 4), (0, 4)])
    flat = shapely.Polygon([(0, 0), (1, 1), (2, 2), (0, 0)])
    square_cw = shapely.Polygon([(0, 0), (0, 1), (1, 1), (1, 0)])
    with_collinear = shapely.Polygon([(0, 0), (1, 0), (2, 0), (2, 2), (0, 2)])
    got = convex_clips(np.array([star, spike, flat, square_cw, with_collinear]))
    assert got.tolist() == [False, False, False, True, True]
