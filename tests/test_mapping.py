"""Interactive and static maps: exact geometry encoding, styling, legends, escaping, saving.

The page-level behaviour (drawing, popups, offline loading) is tested in a real browser in
``test_browser.py``; here the HTML and the JSON layer specs it carries are checked exactly.
"""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from click.testing import CliRunner
from conftest import QD_GK, square
from geopandas.testing import assert_geodataframe_equal

import landuse
from landuse.errors import CRSError, GeometryError, LanduseError, LanduseWarning, SchemaError
from landuse.mapping import (
    GRADE_COLORS,
    VERDICT_COLORS,
    map_assessment,
    map_bank,
    map_compliance,
    map_parcels,
    map_zones,
    save_map,
)
from landuse.mapping._layer import encode_geometries, simplify_coverage
from landuse.mapping._style import ramp_colors
from landuse.mapping.static import plot_map
from landuse.units import M2_PER_MU

XSS = "<img src=x onerror=alert(1)>"
TO_LONLAT = pyproj.Transformer.from_crs("EPSG:4549", "EPSG:4326", always_xy=True)


# --- fixtures built in code -------------------------------------------------------------------


def grid(n: int = 4, *, size: float = 100.0, gap: float = 0.0) -> gpd.GeoDataFrame:
    """``n`` squares in a row starting at QD_GK (100 m: 1 ha = 15 亩 each)."""
    x0, y0 = QD_GK
    return gpd.GeoDataFrame(
        {"parcel_id": [f"P{i}" for i in range(n)]},
        geometry=[square(x0 + i * (size + gap), y0, size) for i in range(n)],
        crs="EPSG:4549",
    )


def one_zone(**columns: object) -> gpd.GeoDataFrame:
    x0, y0 = QD_GK
    return gpd.GeoDataFrame(
        {"zone_id": ["QD01"], "name": ["即墨汽车产业集聚区"], **columns},
        geometry=[shapely.box(x0 - 100, y0 - 100, x0 + 1000, y0 + 300)],
        crs="EPSG:4549",
    )


def demo_layers() -> dict[str, object]:
    """The layers of the demo map, from the bundled sample plus results in the contracted shapes.

    Grades come from tax per 亩 quartiles; the bank takes the grade-D parcels that stopped
    producing (one named with an HTML payload); the compliance report gives the first 12
    proposals each verdict twice.
    """
    s = landuse.load_sample()
    parcels = s.parcels.copy()
    tax_per_mu = parcels["tax_wan"] / (parcels["land_area_m2"] / M2_PER_MU)
    parcels["grade"] = pd.qcut(tax_per_mu, 4, labels=["D", "C", "B", "A"]).astype(object)
    stopped = parcels[(parcels["grade"] == "D") & (parcels["production_status"] == "stopped")]
    bank = stopped[["parcel_id", "grade", "geometry"]].reset_index(drop=True)
    bank["candidate_id"] = [f"B{i:03d}" for i in range(len(bank))]
    bank["zone_id"] = stopped["zone_id"].to_numpy() if "zone_id" in stopped else None
    bank["route"] = "acquisition"
    bank["priority"] = np.arange(1, len(bank) + 1)
    bank["reasons"] = [["stopped", "low_tax"]] * len(bank)
    bank["reason_text"] = "停产；亩均税收低"
    bank.loc[0, "reason_text"] = XSS
    bank.attrs["policy"] = "qingdao-2019"
    verdicts = list(VERDICT_COLORS)
    report = s.proposals.head(12)[["proposal_id", "project", "geometry"]].copy()
    report["verdict"] = [verdicts[i % 6] for i in range(12)]
    report["share_in_zone"] = np.linspace(0, 1, 12)
    report["zone_id"] = "QD01"
    report["reason_text"] = "示例"
    return {
        "sample": s,
        "parcels": parcels,
        "bank": gpd.GeoDataFrame(bank, geometry="geometry", crs=parcels.crs),
        "report": report,
    }


def demo_map(**save: object) -> folium.Map:
    d = demo_layers()
    s = d["sample"]
    m = map_zones(s.zones, functional_areas=s.functional_areas, basemap=None)
    m = map_parcels(d["parcels"], column="grade", m=m)
    m = map_bank(d["bank"], m=m)
    return map_compliance(d["report"], zones=s.zones, m=m)


# --- reading the page -------------------------------------------------------------------------

_SPEC_RE = re.compile(r'<script type="application/json" id="[^"]+">(.*?)</script>', re.S)


def specs(m_or_html: folium.Map | str) -> dict[str, dict]:
    html = m_or_html if isinstance(m_or_html, str) else m_or_html.get_root().render()
    out = {}
    for text in _SPEC_RE.findall(html):
        spec = json.loads(text)
        out[spec["name"]] = spec
    return out


def decode(spec: dict) -> dict[int, list]:
    """Python mirror of the decoder in landuse/mapping/assets/core.js: feature -> parts -> rings -> (lon, lat)."""
    features: dict[int, list] = {}
    for g in spec["geoms"]:
        x, y = spec["origin"]
        k = p = q = 0
        ids = g.get("ids", range(len(g["np"])))
        for f, i in enumerate(ids):
            parts = []
            for _ in range(g["np"][f]):
                rings = []
                for _ in range(g["nr"][p] if "nr" in g else 1):
                    ring = []
                    for _ in range(g["nv"][q] if "nv" in g else 1):
                        x += g["xy"][k]
                        y += g["xy"][k + 1]
                        k += 2
                        ring.append((x, y))
                    rings.append(ring)
                    q += 1
                parts.append(rings)
                p += 1
            features[i] = parts
    return features


def field_values(spec: dict, label: str) -> list:
    field = next(f for f in spec["fields"] if f["label"] == label)
    if "codes" in field:
        return [None if c < 0 else field["cats"][c] for c in field["codes"]]
    return field["values"]


def expected_ring(poly: shapely.Polygon) -> list[tuple[int, int]]:
    xs, ys = np.asarray(poly.exterior.coords).T
    lon, lat = TO_LONLAT.transform(xs, ys)
    q = np.rint(np.column_stack([lon, lat]) * 1_000_000).astype(int)
    return [tuple(v) for v in q[:-1].tolist()]


# --- geometry encoding --------------------------------------------------------------------------


def test_square_is_sent_as_its_four_corners_at_1e6_degrees():
    p = grid(1)
    spec = specs(map_parcels(p, basemap=None))["宗地"]
    assert spec["n"] == 1
    assert decode(spec) == {0: [[expected_ring(p.geometry.iloc[0])]]}
    group = spec["geoms"][0]
    assert group["kind"] == "polygon"
    assert group["np"] == [1]
    assert group["nv"] == [4]  # closing vertex dropped
    assert "nr" not in group  # one ring per polygon: omitted
    assert len(group["xy"]) == 8


def test_encoding_of_holes_multipolygons_lines_and_points():
    outer = shapely.box(120.0, 36.0, 120.01, 36.01)
    hole = shapely.box(120.002, 36.002, 120.003, 36.003)
    geoms = np.array(
        [
            shapely.Polygon(outer.exterior, [hole.exterior]),
            shapely.MultiPolygon([shapely.box(120.02, 36.0, 120.021, 36.001)] * 2),
            shapely.LineString([(120.0, 36.0), (120.0, 36.0), (120.001, 36.0)]),
            shapely.MultiPoint([(120.5, 36.5), (120.6, 36.6)]),
            None,
        ],
        dtype=object,
    )
    groups, origin, drawn = encode_geometries(geoms)
    assert drawn.tolist() == [True, True, True, True, False]
    assert origin == [120_000_000, 36_000_000]
    poly, line, point = groups
    assert (poly["kind"], poly["ids"], poly["np"], poly["nr"], poly["nv"]) == (
        "polygon",
        [0, 1],
        [1, 2],
        [2, 1, 1],
        [4, 4, 4, 4],
    )
    # the line keeps its repeated vertex (only rings drop repeats): 3 vertices
    assert (line["ids"], line["np"], line["nv"]) == ([2], [1], [3])
    assert (point["ids"], point["np"], "nv" in point) == ([3], [2], False)
    decoded = decode({"origin": origin, "geoms": groups})
    assert decoded[3] == [[[(120_500_000, 36_500_000)]], [[(120_600_000, 36_600_000)]]]
    assert decoded[2] == [
        [[(120_000_000, 36_000_000), (120_000_000, 36_000_000), (120_001_000, 36_000_000)]]
    ]


def _signed_area(ring: list[tuple[int, int]]) -> float:
    xs, ys = np.array(ring, dtype=float).T
    return float(np.sum(xs * np.roll(ys, -1) - np.roll(xs, -1) * ys) / 2)


def test_rings_are_sent_exterior_counter_clockwise_and_holes_clockwise():
    x0, y0 = QD_GK
    outer = list(shapely.box(x0, y0, x0 + 300, y0 + 300).exterior.coords)[::-1]  # clockwise
    hole = list(shapely.box(x0 + 100, y0 + 100, x0 + 200, y0 + 200).exterior.coords)  # ccw
    p = gpd.GeoDataFrame(
        {"parcel_id": ["H"]}, geometry=[shapely.Polygon(outer, [hole])], crs="EPSG:4549"
    )
    (rings,) = decode(specs(map_parcels(p, basemap=None))["宗地"])[0]
    assert [_signed_area(r) > 0 for r in rings] == [True, False]


def test_vertices_repeated_after_rounding_are_dropped():
    # two vertices 1 cm apart collapse onto one 1e-6 degree step
    ring = [(120.0, 36.0), (120.001, 36.0), (120.00100001, 36.0), (120.001, 36.001), (120.0, 36.0)]
    groups, _, _ = encode_geometries(np.array([shapely.Polygon(ring)]))
    assert groups[0]["nv"] == [3]


def test_geometry_collections_are_refused():
    geoms = np.array([shapely.GeometryCollection([shapely.Point(120, 36)])])
    with pytest.raises(GeometryError, match=r"geometry collections.*explode"):
        encode_geometries(geoms)


def test_features_without_geometry_warn_and_are_not_drawn():
    p = grid(3)
    p.loc[1, "geometry"] = None
    with pytest.warns(LanduseWarning, match=r"1 of 3 features .* no geometry .*\(P1\)"):
        m = map_parcels(p, basemap=None)
    spec = specs(m)["宗地"]
    assert spec["n"] == 3
    assert sorted(decode(spec)) == [0, 2]


def test_amap_basemap_shifts_the_display_copy_to_gcj02_only():
    p = grid(2)
    before = p.copy()
    osm = specs(map_parcels(p, basemap=None))["宗地"]
    amap = specs(map_parcels(p, basemap="amap"))["宗地"]
    assert_geodataframe_equal(p, before)  # stored data never shift
    shifted = landuse.wgs84_to_gcj02(p.to_crs(4326))
    expected = [
        [tuple(v) for v in np.rint(np.asarray(g.exterior.coords)[:-1] * 1e6).astype(int).tolist()]
        for g in shifted.geometry
    ]
    got = decode(amap)
    assert [got[i][0][0] for i in (0, 1)] == expected
    # the GCJ-02 offset in Qingdao is a few hundred metres
    dx = (got[0][0][0][0][0] - decode(osm)[0][0][0][0][0]) * 1e-6 * 111_320 * np.cos(np.radians(36))
    assert 200 < abs(dx) < 800


def test_coverage_simplification_keeps_shared_edges():
    # two neighbours sharing a wiggly edge: bumps of 0.2 m on 20 m bases are triangles of
    # 2 m², removed with a 1.5 m tolerance (1.5² = 2.25 m²) and kept with 1 m (1 m²)
    x0, y0 = QD_GK
    wiggle = [(x0 + 100 + (0.2 if i % 2 else 0.0), y0 + i * 10) for i in range(11)]
    left = shapely.Polygon([(x0, y0), *wiggle, (x0, y0 + 100)])
    right = shapely.Polygon([*wiggle, (x0 + 200, y0 + 100), (x0 + 200, y0)])
    geoms = np.array([left, right, square(x0 + 500, y0)], dtype=object)
    assert shapely.get_num_coordinates(simplify_coverage(geoms, 1.0)).tolist() == [14, 14, 5]
    out = simplify_coverage(geoms, 1.5)
    assert shapely.get_num_coordinates(out).tolist() == [6, 6, 5]
    shared = shapely.line_merge(out[0].boundary.intersection(out[1].boundary))
    assert shared.geom_type == "LineString"
    assert shared.length == pytest.approx(100.0, abs=0.3)
    assert out[0].intersection(out[1]).area == pytest.approx(0.0, abs=1e-6)
    assert out[0].union(out[1]).area == pytest.approx(out[0].area + out[1].area)
    assert out[2].equals(geoms[2])


def test_overlapping_polygons_are_not_simplified():
    x0, y0 = QD_GK
    wiggly = shapely.Polygon(
        [(x0, y0), (x0 + 50, y0 + 0.1), (x0 + 100, y0), (x0 + 100, y0 + 100), (x0, y0 + 100)]
    )
    geoms = np.array([wiggly, shapely.box(x0 + 50, y0 + 50, x0 + 150, y0 + 150)], dtype=object)
    out = simplify_coverage(geoms, 1.5)
    assert out[0].equals(wiggly)


# --- styling and legends -----------------------------------------------------------------------


def test_grades_get_fixed_colours_one_style_index_per_feature_and_a_counted_legend():
    p = grid(5).assign(grade=["A", "C", "C", "D", None])
    spec = specs(map_parcels(p, column="grade", basemap=None))["宗地"]
    assert [s["fillColor"] for s in spec["styles"]] == [
        GRADE_COLORS["A"],
        GRADE_COLORS["C"],
        GRADE_COLORS["D"],
        "#d9d9d9",
    ]
    assert spec["s"] == [0, 1, 1, 2, 3]
    items = spec["legend"]["items"]
    assert [(i["label"], i["count"], i["fill"]) for i in items] == [
        ("A类", 1, GRADE_COLORS["A"]),
        ("C类", 2, GRADE_COLORS["C"]),
        ("D类", 1, GRADE_COLORS["D"]),
        ("无数据", 1, "#d9d9d9"),
    ]
    assert spec["legend"]["title"] == "宗地 · 亩均效益等级"


def test_numeric_column_is_classed_with_bins_and_the_legend_matches_the_colours():
    p = grid(7).assign(far=[0.5, 1.0, 1.5, 2.0, 2.5, 3.0, np.nan])
    spec = specs(map_parcels(p, column="far", bins=[1, 2], basemap=None, lang="en"))["Parcels"]
    ramp = ramp_colors("YlOrRd", 3)
    assert spec["s"] == [0, 0, 1, 1, 2, 2, 3]
    assert [s["fillColor"] for s in spec["styles"]] == [*ramp, "#d9d9d9"]
    assert [(i["label"], i["count"]) for i in spec["legend"]["items"]] == [
        ("0.50 – 1.00", 2),
        ("1.00 – 2.00", 2),
        ("2.00 – 3.00", 2),
        ("No data", 1),
    ]
    assert [i["fill"] for i in spec["legend"]["items"]] == [s["fillColor"] for s in spec["styles"]]


def test_quantiles_of_six_values_in_three_classes():
    p = grid(6).assign(tax_wan=[10.0, 20.0, 30.0, 40.0, 50.0, 60.0])
    spec = specs(map_parcels(p, column="tax_wan", k=3, basemap=None))["宗地"]
    assert spec["s"] == [0, 0, 1, 1, 2, 2]
    assert [i["count"] for i in spec["legend"]["items"]] == [2, 2, 2]
    assert spec["legend"]["items"][0]["label"] == "10 – 27"


def test_ramp_interpolates_beyond_nine_classes():
    colors = ramp_colors("Blues", 17)
    assert colors[0] == "#f7fbff"
    assert colors[-1] == "#08306b"
    assert colors[2] == "#deebf7"  # the ramp's stops are kept where they fall


def test_many_categories_fold_into_other():
    p = grid(25).assign(enterprise=[f"企业{i:02d}" for i in range(25)])
    spec = specs(map_parcels(p, column="enterprise", basemap=None))["宗地"]
    items = spec["legend"]["items"]
    assert len(items) == 20
    assert items[-1]["label"] == "其他 (6)"
    assert items[-1]["count"] == 6


def test_style_keywords_override_the_defaults():
    p = grid(1)
    spec = specs(map_parcels(p, basemap=None, style={"weight": 4, "fillOpacity": 0.2}))["宗地"]
    assert spec["styles"][0]["weight"] == 4
    assert spec["styles"][0]["fillOpacity"] == 0.2


# --- fields: only what is shown, labelled, as text ---------------------------------------------


def test_only_displayed_fields_are_embedded_with_chinese_labels():
    p = grid(3).assign(
        enterprise=["青岛甲公司", XSS, "青岛丙公司"],
        land_area_m2=[10000.0, 10000.0, 10000.0],
        secret_note=["do-not-ship-1", "do-not-ship-2", "do-not-ship-3"],
    )
    m = map_parcels(p, basemap=None)
    html = m.get_root().render()
    assert "do-not-ship" not in html
    spec = specs(html)["宗地"]
    assert [f["label"] for f in spec["fields"]] == ["宗地编号", "企业名称", "用地面积（平方米）"]
    assert spec["tooltip"] == [0]
    assert spec["popup"] == [0, 1, 2]
    assert field_values(spec, "企业名称") == ["青岛甲公司", XSS, "青岛丙公司"]
    assert field_values(spec, "用地面积（平方米）") == [10000, 10000, 10000]
    # the payload is inside a JSON script element with < and > escaped: it cannot end it
    assert XSS not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html


def test_english_labels():
    p = grid(2).assign(land_use=["industrial", "logistics"], tax_wan=[1.5, 2.25])
    spec = specs(
        map_parcels(
            p,
            column="land_use",
            basemap=None,
            lang="en",
            popup=["parcel_id", "land_use", "tax_wan"],
        )
    )["Parcels"]
    assert [f["label"] for f in spec["fields"]] == ["Parcel id", "Land use", "Tax (10k CNY)"]
    assert field_values(spec, "Land use") == ["Industrial", "Logistics and warehousing"]
    assert [i["label"] for i in spec["legend"]["items"]] == [
        "Industrial",
        "Logistics and warehousing",
    ]
    assert spec["lang"] == "en"


def test_reason_codes_lists_dates_and_shares_are_formatted_for_display():
    p = grid(2).assign(
        reasons=[["idle", "low_far"], []],
        grant_date=pd.to_datetime(["2018-03-01", None]),
        share_in_zone=[0.875, 1.0],
    )
    spec = specs(map_parcels(p, basemap=None, popup=["reasons", "grant_date", "share_in_zone"]))[
        "宗地"
    ]
    assert field_values(spec, "认定原因代码") == ["idle、low_far", ""]
    assert field_values(spec, "出让日期") == ["2018-03-01", None]
    share = next(f for f in spec["fields"] if f["label"] == "集聚区内面积占比")
    assert (share["fmt"], share["digits"], share["values"]) == ("pct", 1, [0.875, 1.0])


# --- composing layers ---------------------------------------------------------------------------


def test_demo_map_composes_named_layers_under_one_layer_control():
    m = demo_map()
    d = demo_layers()
    names = m._landuse_state.names
    assert names == ["功能分区", "产业集聚区", "宗地", "低效用地再开发项目库", "新增工业用地合规"]
    layer_specs = specs(m)
    assert [layer_specs[n]["n"] for n in names] == [42, 14, 4269, len(d["bank"]), 12]
    assert [layer_specs[n]["role"] for n in names] == ["outline", "outline", "fill", "fill", "fill"]
    assert isinstance(list(m._children.values())[-1], folium.LayerControl)
    html = m.get_root().render()
    assert html.count("landuse.layerControl(") == 1
    for name in names:
        assert json.dumps(name, ensure_ascii=False) in html  # listed in the layer control
    bank = layer_specs["低效用地再开发项目库"]
    assert bank["legend"]["note"] == "政策：qingdao-2019"
    assert field_values(bank, "认定原因")[0] == XSS
    report = layer_specs["新增工业用地合规"]
    assert [i["label"] for i in report["legend"]["items"]] == [
        "位于集聚区内",
        "位于集聚区内（容差内）",
        "跨集聚区边界",
        "位于集聚区外",
        "不在产业发展区",
        "非工业用途",
    ]
    assert [i["count"] for i in report["legend"]["items"]] == [2] * 6


def test_compliance_adds_zone_outlines_once_and_zone_names():
    zones = one_zone()
    x0, y0 = QD_GK
    report = gpd.GeoDataFrame(
        {"proposal_id": ["N1", "N2"], "verdict": ["inside", "outside"], "zone_id": ["QD01", None]},
        geometry=[square(x0, y0), square(x0 + 2000, y0)],
        crs="EPSG:4549",
    )
    m = map_compliance(report, zones=zones, basemap=None)
    m = map_compliance(report, zones=zones, m=m)
    assert m._landuse_state.names == ["产业集聚区", "新增工业用地合规", "新增工业用地合规 (2)"]
    spec = specs(m)["新增工业用地合规"]
    assert field_values(spec, "集聚区名称") == ["即墨汽车产业集聚区", None]
    assert spec["styles"][0]["fillColor"] == VERDICT_COLORS["inside"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compliance_legend_and_tooltips_use_the_label_catalogue(lang):
    """The legend names each verdict as schema.CATEGORY_LABELS (and so the workbook) does."""
    from landuse.schema import category_labels

    x0, y0 = QD_GK
    verdicts = ["straddles_boundary", "outside", "inside", "outside"]
    report = gpd.GeoDataFrame(
        {"proposal_id": ["N1", "N2", "N3", "N4"], "verdict": verdicts},
        geometry=[square(x0 + 300 * i, y0) for i in range(4)],
        crs="EPSG:4549",
    )
    m = map_compliance(report, zones=one_zone(), basemap=None, lang=lang)
    name = "新增工业用地合规" if lang == "zh" else "New industrial land: compliance"
    spec = specs(m)[name]
    labels = category_labels("verdict", lang=lang)
    # present verdicts, in the catalogue's order, each with its count
    legend = [(i["label"], i["count"]) for i in spec["legend"]["items"]]
    assert legend == [
        (labels["inside"], 1),
        (labels["straddles_boundary"], 1),
        (labels["outside"], 2),
    ]
    verdict_field = "判定结果" if lang == "zh" else "Verdict"
    assert field_values(spec, verdict_field) == [labels[v] for v in verdicts]
    expected = {
        "zh": ["位于集聚区内", "跨集聚区边界", "位于集聚区外"],
        "en": ["Inside", "Straddles a zone boundary", "Outside the zones"],
    }[lang]
    assert [label for label, _ in legend] == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_land_use_legend_uses_the_label_catalogue(lang):
    from landuse.schema import category_labels

    p = grid(5).assign(land_use=["industrial", "logistics", "commercial", "residential", "other"])
    spec = specs(map_parcels(p, column="land_use", basemap=None, lang=lang))
    layer = spec["宗地" if lang == "zh" else "Parcels"]
    assert [i["label"] for i in layer["legend"]["items"]] == list(
        category_labels("land_use", lang=lang).values()
    )
    assert layer["legend"]["items"][2]["label"] == (
        "商业服务业用地" if lang == "zh" else "Commercial"
    )


def test_schemes_are_public():
    import landuse.mapping

    assert "SCHEMES" in landuse.mapping.__all__
    assert landuse.mapping.SCHEMES[:3] == ("quantiles", "equal_interval", "fisher_jenks")


def test_bank_without_geometry_is_drawn_on_its_parcels():
    parcels = grid(3)
    bank = pd.DataFrame({"candidate_id": ["C1"], "parcel_id": ["P2"], "grade": ["D"]})
    spec = specs(map_bank(bank, parcels=parcels, basemap=None))["低效用地再开发项目库"]
    assert decode(spec) == {0: [[expected_ring(parcels.geometry.iloc[2])]]}
    with pytest.raises(SchemaError, match=r"`bank` has no geometry; pass parcels="):
        map_bank(bank, basemap=None)
    with pytest.raises(
        SchemaError, match=r"1 bank candidate\(s\) name parcels not in `parcels` \(P9\)"
    ):
        map_bank(bank.assign(parcel_id=["P9"]), parcels=parcels, basemap=None)


def test_bank_popup_names_route_and_status_by_their_catalogue_labels():
    # route and status are coded columns like any other: header and values from the catalogue
    # (landuse.schema), the redundant route_label column is not shown twice
    parcels = grid(2)
    bank = pd.DataFrame(
        {
            "candidate_id": ["C1", "C2"],
            "parcel_id": ["P0", "P1"],
            "grade": ["D", "C"],
            "route": ["acquisition", "multistorey"],
            "route_label": ["收购储备", "工业上楼"],
            "status": ["verified", "identified"],
        }
    )
    popup = ["candidate_id", "grade", "route", "status"]
    spec = specs(map_bank(bank, parcels=parcels, basemap=None, popup=popup))["低效用地再开发项目库"]
    labels = [f["label"] for f in spec["fields"]]
    assert labels == ["候选编号", "亩均效益等级", "再开发路径", "状态"]  # tooltip: id, route
    assert field_values(spec, "再开发路径") == ["收购储备", "工业上楼"]
    assert field_values(spec, "状态") == ["已核实", "已识别"]
    default = specs(map_bank(bank, parcels=parcels, basemap=None))["低效用地再开发项目库"]
    # coloured by route by default; the popup leads with the route, then the grade
    assert [f["label"] for f in default["fields"]] == [
        "候选编号",
        "宗地编号",
        "再开发路径",
        "亩均效益等级",
    ]
    en = specs(map_bank(bank, parcels=parcels, basemap=None, lang="en", popup=popup))
    spec_en = en["Redevelopment project bank"]
    assert [f["label"] for f in spec_en["fields"]][2:4] == ["Redevelopment route", "Status"]
    assert field_values(spec_en, "Redevelopment route") == [
        "Government acquisition",
        "Multi-storey rebuild",
    ]
    by_route = specs(map_bank(bank, parcels=parcels, basemap=None, column="route"))
    items = by_route["低效用地再开发项目库"]["legend"]["items"]
    assert [(i["label"], i["fill"]) for i in items] == [
        ("收购储备", "#d7301f"),
        ("工业上楼", "#4575b4"),
    ]


def test_assessment_joins_scores_to_zones_and_greys_unscored_zones():
    zones = pd.concat([one_zone(), one_zone().assign(zone_id="QD02", name="乙")])
    zones = gpd.GeoDataFrame(zones, crs="EPSG:4549").reset_index(drop=True)
    zones.loc[1, "geometry"] = square(QD_GK[0] + 5000, QD_GK[1], 500)
    scores = pd.DataFrame(
        {
            "zone_id": ["QD01", "QD99"],
            "total_score": [88.5, 70.0],
            "rank": [1, 2],
            "tier": ["百亿级", "百亿级"],
        }
    )
    with pytest.warns(LanduseWarning, match=r"1 scored zone\(s\) are not in `zones`.*QD99"):
        m = map_assessment(scores, zones=zones, column="total_score", basemap=None)
    spec = specs(m)["集聚区考核"]
    assert spec["s"] == [0, 1]
    assert [(i["label"], i["count"]) for i in spec["legend"]["items"]] == [
        ("88.5 – 88.5", 1),
        ("无数据", 1),
    ]
    assert field_values(spec, "总分") == [88.5, None]
    tiers = specs(map_assessment(scores.head(1), zones=zones, basemap=None))  # tiers by default
    assert [i["label"] for i in tiers["集聚区考核"]["legend"]["items"]] == ["百亿级", "无数据"]
    with pytest.raises(SchemaError, match=r"repeated zone\(s\) \(QD01\).*one row per zone"):
        map_assessment(pd.concat([scores.head(1)] * 2), zones=zones, basemap=None)


# --- basemaps ------------------------------------------------------------------------------------


def test_tianditu_needs_a_key(monkeypatch):
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(LanduseError, match="TIANDITU_KEY is not set"):
        map_zones(one_zone(), basemap="tianditu-vector")
    monkeypatch.setenv("TIANDITU_KEY", "0123456789abcdef0123456789abcdef")
    html = map_zones(one_zone(), basemap="tianditu-vector").get_root().render()
    assert "https://t{s}.tianditu.gov.cn/vec_w/wmts?" in html
    assert "https://t{s}.tianditu.gov.cn/cva_w/wmts?" in html
    assert "tk=0123456789abcdef0123456789abcdef" in html
    imagery = map_zones(one_zone(), basemap="tianditu-imagery").get_root().render()
    assert "/img_w/wmts?" in imagery
    assert "/cia_w/wmts?" in imagery
    monkeypatch.setenv("TIANDITU_KEY", "abc&x=<script>")
    with pytest.raises(LanduseError, match="letters and digits only"):
        map_zones(one_zone(), basemap="tianditu-vector")


@pytest.mark.parametrize(
    ("basemap", "url"),
    [
        ("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        ("amap", "https://webrd0{s}.is.autonavi.com/appmaptile?"),
        ("amap-satellite", "https://webst0{s}.is.autonavi.com/appmaptile?style=6"),
    ],
)
def test_basemaps_use_https_tiles(basemap, url):
    html = map_zones(one_zone(), basemap=basemap).get_root().render()
    assert url in html
    assert "http://" not in re.sub(r"http://www\.w3\.org", "", html)


def test_no_basemap():
    html = map_zones(one_zone(), basemap=None).get_root().render()
    assert "L.tileLayer(" not in html


# --- saving ----------------------------------------------------------------------------------------


def test_saving_twice_or_after_display_writes_the_same_bytes(tmp_path):
    m = map_parcels(grid(3), basemap=None)
    first = save_map(m, tmp_path / "a.html").read_bytes()
    second = save_map(m, tmp_path / "b.html").read_bytes()
    m._repr_html_()  # a notebook display renders too (folium#2237 grew the page each time)
    m._repr_html_()
    third = save_map(m, tmp_path / "c.html").read_bytes()
    assert first == second == third
    assert len(re.findall(r"landuse_layer_\w+\.addTo\(", first.decode("utf-8"))) == 1


def test_a_layer_added_after_a_display_is_scripted_before_the_layer_control(tmp_path):
    m = map_zones(one_zone(), basemap=None)
    m._repr_html_()
    m = map_parcels(grid(2), m=m)
    html = save_map(m, tmp_path / "m.html").read_text("utf-8")
    layers = [
        match.start() for match in re.finditer(r"var landuse_layer_\w+ = landuse\.layer\(", html)
    ]
    assert len(layers) == 2
    assert max(layers) < html.index("landuse.layerControl(")


def test_geographic_input_is_drawn_at_the_same_place():
    p = grid(2)
    projected = decode(specs(map_parcels(p, basemap=None))["宗地"])
    lonlat = decode(specs(map_parcels(p.to_crs(4326), basemap=None))["宗地"])
    assert lonlat == projected


def test_offline_map_inlines_leaflet_and_links_nothing(tmp_path):
    m = map_zones(one_zone(), basemap="osm")
    html = save_map(m, tmp_path / "offline.html", offline=True).read_text("utf-8")
    assert re.search(r"<script[^>]+src=", html) is None
    assert re.search(r"<link[^>]+stylesheet", html) is None
    assert 't.version="1.9.3"' in html  # Leaflet itself
    assert "data:image/png;base64," in html  # its control images
    assert "jQuery" not in html  # not used by landuse layers: not shipped
    again = save_map(m, tmp_path / "offline.html", offline=True).read_text("utf-8")
    assert again == html


def test_offline_keeps_jquery_when_a_folium_popup_needs_it(tmp_path):
    m = map_zones(one_zone(), basemap=None)
    folium.Marker(list(QD_LONLAT_REVERSED), popup=folium.Popup("<b>标注</b>")).add_to(m)
    html = save_map(m, tmp_path / "o.html", offline=True).read_text("utf-8")
    assert "jQuery" in html
    assert re.search(r"<script[^>]+src=", html) is None


QD_LONLAT_REVERSED = (36.0671, 120.3826)


def test_offline_refuses_what_it_cannot_inline(tmp_path):
    from folium.plugins import Fullscreen

    m = map_zones(one_zone(), basemap=None)
    folium.Marker(list(QD_LONLAT_REVERSED), icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(LanduseError, match=r"folium\.Icon markers.*Leaflet\.awesome-markers"):
        save_map(m, tmp_path / "icons.html", offline=True)
    m = map_zones(one_zone(), basemap=None)
    Fullscreen().add_to(m)
    with pytest.raises(
        LanduseError,
        match=r"plugin folium\.plugins\.Fullscreen links 2 file\(s\).*Control\.FullScreen",
    ):
        save_map(m, tmp_path / "plugin.html", offline=True)
    assert not (tmp_path / "plugin.html").exists()
    save_map(m, tmp_path / "plugin.html", offline=False)  # fine online


# --- bad input ---------------------------------------------------------------------------------


def test_bad_input_is_named():
    p = grid(2)
    with pytest.raises(SchemaError, match=r"`column='far'` is not a column of the layer"):
        map_parcels(p, column="far", basemap=None)
    with pytest.raises(
        SchemaError, match=r"`tooltip` names column\(s\) the layer does not have: `x`"
    ):
        map_parcels(p, tooltip=["x"], basemap=None)
    with pytest.raises(TypeError, match=r"`popup` must be True .* received int 3"):
        map_parcels(p, popup=3, basemap=None)
    with pytest.raises(CRSError, match=r"`parcels` has no CRS"):
        map_parcels(p.set_crs(None, allow_override=True), basemap=None)
    with pytest.raises(
        ValueError, match=r'`lang` passed to map_zones\(\) must be "zh" or "en"; received \'fr\''
    ):
        map_zones(one_zone(), lang="fr")
    with pytest.raises(ValueError, match=r"`basemap` must be one of .*'gaode'"):
        map_zones(one_zone(), basemap="gaode")
    with pytest.raises(ValueError, match=r"`scheme` must be one of .*'jenks'"):
        map_parcels(p.assign(v=[1.0, 2.0]), column="v", scheme="jenks", basemap=None)
    with pytest.raises(TypeError, match=r"`m` must be a folium.Map"):
        map_parcels(p, m="map")
    with pytest.raises(TypeError, match=r"`parcels` must be a GeoDataFrame or GeoSeries; received DataFrame"):
        map_parcels(pd.DataFrame(p), basemap=None)
    with pytest.raises(SchemaError, match=r"`zones` lacks column\(s\) `zone_id`"):
        map_zones(one_zone().drop(columns="zone_id"))
    with pytest.raises(SchemaError, match=r"`report` lacks column\(s\) `verdict`"):
        map_compliance(p, zones=one_zone(), basemap=None)
    with pytest.raises(SchemaError, match=r"`bank` lacks column\(s\) `candidate_id`"):
        map_bank(p, basemap=None)
    with pytest.raises(SchemaError, match=r"2 value\(s\) are not numeric.*categorical=True"):
        map_parcels(p.assign(v=["a", "b"]), column="v", categorical=False, basemap=None)


# --- static maps ----------------------------------------------------------------------------------


def test_plot_map_legend_scale_bar_and_north_arrow(tmp_path):
    p = grid(1).assign(grade=["D"])
    fig = plot_map(p, column="grade", zones=one_zone(), path=tmp_path / "m.png")
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["D类 (1)", "集聚区边界"]
    assert legend.get_title().get_text() == "亩均效益等级"
    face = legend.legend_handles[0].get_facecolor()
    assert tuple(round(c * 255) for c in face[:3]) == (0xD7, 0x30, 0x27)  # GRADE_COLORS["D"]
    texts = [t.get_text() for t in ax.texts]
    # the map shows the data: 100 m + 5 % margin each side = 110 m; a fifth is 22 m -> 20 m bar
    assert texts[:2] == ["0", "20 m"]
    assert "北" in texts
    assert (tmp_path / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    fig = plot_map(p.to_crs(4326), lang="en", path=tmp_path / "m.pdf", title="Parcels")
    assert (tmp_path / "m.pdf").read_bytes()[:5] == b"%PDF-"
    assert [t.get_text() for t in fig.axes[0].texts][:2] == ["0", "20 m"]
    assert "N" in [t.get_text() for t in fig.axes[0].texts]


def test_plot_map_without_a_chinese_font_falls_back_to_english(monkeypatch):
    import landuse.mapping.static as static_map

    monkeypatch.setattr(static_map, "cjk_font", lambda: None)
    with pytest.warns(LanduseWarning, match="no font with Chinese characters"):
        fig = plot_map(grid(1).assign(grade=["A"]), column="grade")
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["Grade A (1)"]


def test_plot_map_bad_input(tmp_path):
    with pytest.raises(ValueError, match=r"`path` must end in one of \('.png', '.pdf', '.svg'\)"):
        plot_map(grid(1), path=tmp_path / "m.jpg")
    with pytest.raises(SchemaError, match=r"`column='x'` is not a column of `data`"):
        plot_map(grid(1), column="x")
    with pytest.raises(CRSError, match="has no CRS"):
        plot_map(grid(1).set_crs(None, allow_override=True))
    with pytest.raises(
        ValueError, match=r'`lang` passed to plot_map\(\) must be "zh" or "en"; received \'fr\''
    ):
        plot_map(grid(1), lang="fr")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plot_map_legend_uses_the_label_catalogue(lang):
    from landuse.schema import category_labels

    report = grid(2).assign(verdict=["straddles_boundary", "outside"])
    fig = plot_map(report, column="verdict", lang=lang)
    labels = category_labels("verdict", lang=lang)
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts == [f"{labels['straddles_boundary']} (1)", f"{labels['outside']} (1)"]


# --- command line ---------------------------------------------------------------------------------


def test_cli_map_writes_an_offline_map_and_a_static_one(tmp_path):
    from landuse.cli import main

    zones_file = tmp_path / "zones.gpkg"
    one_zone().to_file(zones_file)
    parcels_file = tmp_path / "parcels.gpkg"
    grid(3).assign(tax_wan=[1.0, 2.0, 3.0]).to_file(parcels_file)
    out = tmp_path / "map.html"
    result = CliRunner().invoke(
        main,
        [
            "map",
            "--zones",
            str(zones_file),
            "--parcels",
            str(parcels_file),
            "--column",
            "tax_wan",
            "-k",
            "3",
            "--basemap",
            "none",
            "--offline",
            "--static",
            str(tmp_path / "map.png"),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert re.search(r"<script[^>]+src=", html) is None
    layer_specs = specs(html)
    assert sorted(layer_specs) == ["产业集聚区", "宗地"]
    assert layer_specs["宗地"]["s"] == [0, 1, 2]
    assert (tmp_path / "map.png").exists()
    assert "map.html" in result.output
    bad = CliRunner().invoke(
        main,
        [
            "map",
            "--zones",
            str(zones_file),
            "--column",
            "x",
            "--parcels",
            str(parcels_file),
            "-o",
            str(out),
        ],
    )
    assert bad.exit_code == 2
    assert "error: map_parcels(): `column='x'` is not a column" in bad.output
