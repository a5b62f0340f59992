"""The ``map_*`` functions take ``explore()``'s arguments with ``explore()``'s meanings.

Each accepted spelling gives exactly what the canonical one gives (legend items, style index
and styles built in Python, compared whole); each bad value fails with a message naming what
was received and what is accepted. The browser tests (Playwright + /usr/bin/chromium, every
request blocked, fixtures from test_browser) check what a user sees; screenshots go to
``$LANDUSE_ARTIFACTS`` (default ``build/test-artifacts``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
import shapely
import xyzservices
from conftest import QD_GK
from test_browser import MAP_JS, Page, _point_of
from test_mapping import field_values, grid, one_zone, specs

from landuse.errors import SchemaError
from landuse.mapping import (
    map_assessment,
    map_bank,
    map_compliance,
    map_parcels,
    map_zones,
    save_map,
)
from landuse.mapping._layer import map_state
from landuse.schema import CATEGORY_COLORS, TIER_BELOW_COLOR

ROUTE = CATEGORY_COLORS["route"]


def values_layer() -> gpd.GeoDataFrame:
    """Five parcels with v = 0, 25, 50, 75, 100 and an enterprise name."""
    return grid(5).assign(v=[0.0, 25.0, 50.0, 75.0, 100.0], enterprise=list("甲乙丙丁戊"))


def styled(m) -> dict:
    """The parcels layer's style data: index, styles and legend items."""
    spec = next(iter(specs(m).values()))
    return {"s": spec.get("s"), "styles": spec["styles"], "items": spec["legend"]["items"]}


# --- scheme ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("canonical", "spellings"),
    [
        ("quantiles", ["Quantiles", "QUANTILES"]),
        ("equal_interval", ["EqualInterval", "equalinterval", "equal-interval"]),
        ("natural_breaks", ["NaturalBreaks", "naturalbreaks", "Natural Breaks"]),
        ("fisher_jenks", ["FisherJenks", "fisherjenks"]),
        ("headtail_breaks", ["HeadTailBreaks", "head_tail_breaks"]),
        ("jenks_caspall", ["JenksCaspall"]),
        ("max_p", ["MaxP"]),
    ],
)
def test_scheme_spellings_give_the_same_classes_and_colours(canonical, spellings):
    p = values_layer()
    want = styled(map_parcels(p, column="v", scheme=canonical, k=2, basemap=None))
    for spelling in spellings:
        assert styled(map_parcels(p, column="v", scheme=spelling, k=2, basemap=None)) == want


def test_equal_interval_classes_by_hand():
    m = map_parcels(values_layer(), column="v", scheme="EqualInterval", k=2, basemap=None)
    got = styled(m)
    # bounds 50 and 100: 0, 25, 50 | 75, 100, along YlOrRd's two ends
    assert got["s"] == [0, 0, 0, 1, 1]
    assert [(i["label"], i["count"], i["fill"]) for i in got["items"]] == [
        ("0 – 50", 3, "#ffffcc"),
        ("50 – 100", 2, "#800026"),
    ]


def test_user_defined_scheme_takes_bins():
    p = values_layer()
    want = styled(map_parcels(p, column="v", bins=[30, 100], basemap=None))
    assert (
        styled(map_parcels(p, column="v", scheme="UserDefined", bins=[30, 100], basemap=None))
        == want
    )
    with pytest.raises(
        ValueError, match=r"scheme='user_defined' needs the class bounds: pass bins"
    ):
        map_parcels(p, column="v", scheme="user_defined", basemap=None)


def test_unknown_scheme_names_what_was_received_and_the_accepted_names():
    with pytest.raises(ValueError, match="natural_brakes") as err:
        map_parcels(values_layer(), column="v", scheme="natural_brakes", basemap=None)
    text = str(err.value)
    assert "received 'natural_brakes'" in text
    assert "quantiles, equal_interval, fisher_jenks, headtail_breaks" in text
    assert "Did you mean 'natural_breaks'?" in text
    with pytest.raises(TypeError, match=r"`scheme` must be the name .* received int 5"):
        map_parcels(values_layer(), column="v", scheme=5, basemap=None)


# --- cmap ----------------------------------------------------------------------------------------


def _mpl(name: str, k: int) -> list[str]:
    cmap = matplotlib.colormaps[name]
    return [matplotlib.colors.to_hex(cmap(float(x))) for x in np.linspace(0, 1, k)]


@pytest.mark.parametrize(
    ("cmap", "expected"),
    [
        ("Spectral", _mpl("Spectral", 5)),
        ("spectral", _mpl("Spectral", 5)),  # a unique case-insensitive match
        ("Spectral_r", _mpl("Spectral_r", 5)),
        (["#000000", "#ffffff"], ["#000000", "#404040", "#808080", "#bfbfbf", "#ffffff"]),
        (["black", "white"], ["#000000", "#404040", "#808080", "#bfbfbf", "#ffffff"]),
        ("YlOrRd_r", ["#800026", "#e31a1c", "#fd8d3c", "#fed976", "#ffffcc"]),
        (matplotlib.colormaps["Spectral"], _mpl("Spectral", 5)),
    ],
)
def test_cmap_names_lists_and_colormaps(cmap, expected):
    m = map_parcels(values_layer(), column="v", scheme="quantiles", k=5, cmap=cmap, basemap=None)
    assert [i["fill"] for i in styled(m)["items"]] == expected


def test_builtin_ramps_reverse_with_r_without_matplotlib():
    p = values_layer()
    fills = [
        i["fill"] for i in styled(map_parcels(p, column="v", cmap="viridis", basemap=None))["items"]
    ]
    rev = [
        i["fill"]
        for i in styled(map_parcels(p, column="v", cmap="viridis_r", basemap=None))["items"]
    ]
    assert rev == fills[::-1]
    assert fills == ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]  # RAMPS stops 0,2,4,6,8


def test_cmap_colours_categories_in_order_like_explore():
    p = grid(3).assign(kind=["x", "y", "x"])
    m = map_parcels(p, column="kind", cmap="tab10", basemap=None)
    tab10 = [matplotlib.colors.to_hex(c) for c in matplotlib.colormaps["tab10"].colors]
    assert [(i["label"], i["fill"]) for i in styled(m)["items"]] == [
        ("x", tab10[0]),
        ("y", tab10[1]),
    ]
    report = grid(2).assign(verdict=["inside", "outside"])
    m = map_compliance(report, zones=one_zone(), cmap=["#111111", "#222222"], basemap=None)
    items = specs(m)["新增工业用地合规"]["legend"]["items"]
    assert [i["fill"] for i in items] == ["#111111", "#222222"]


def test_bad_cmap_names_what_was_received():
    p = values_layer()
    with pytest.raises(ValueError, match="Spectrall") as err:
        map_parcels(p, column="v", cmap="Spectrall", basemap=None)
    assert "cmap='Spectrall' is neither a built-in ramp (YlOrRd, YlGnBu" in str(err.value)
    assert "Did you mean 'Spectral'" in str(err.value)
    with pytest.raises(TypeError, match=r"`cmap` must be a colormap name .* received int 3"):
        map_parcels(p, column="v", cmap=3, basemap=None)
    with pytest.raises(ValueError, match=r"`cmap` holds 'notacolour', which is not a colour"):
        map_parcels(p, column="v", cmap=["#000000", "notacolour"], basemap=None)


def test_without_matplotlib_builtin_ramps_work_and_other_names_name_the_extra():
    code = """
import sys
sys.modules["matplotlib"] = None  # as if not installed
import landuse, geopandas as gpd, shapely
from landuse.mapping import map_parcels
p = gpd.GeoDataFrame({"v": [1.0, 2.0, 3.0]}, geometry=[shapely.box(i, 0, i + 1, 1) for i in range(3)], crs=4326)
map_parcels(p, column="v", cmap="viridis_r", k=3, basemap=None)
try:
    map_parcels(p, column="v", cmap="Spectral", basemap=None)
except ImportError as exc:
    print(exc)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "cmap='Spectral' (not a built-in ramp) needs matplotlib" in out.stdout
    assert 'pip install "landuse[plot]"' in out.stdout


# --- tooltip and popup -----------------------------------------------------------------------------


def _shown(m, which: str) -> list[str]:
    spec = next(iter(specs(m).values()))
    return [spec["fields"][i]["label"] for i in spec[which]]


def test_tooltip_and_popup_as_bool_str_or_list():
    p = values_layer()
    default = map_parcels(p, column="v", basemap=None)
    assert _shown(map_parcels(p, column="v", tooltip=True, basemap=None), "tooltip") == _shown(
        default, "tooltip"
    )
    assert _shown(default, "tooltip") == ["宗地编号", "v"]
    assert _shown(map_parcels(p, column="v", tooltip=False, basemap=None), "tooltip") == []
    assert _shown(map_parcels(p, popup=False, basemap=None), "popup") == []
    one = map_parcels(p, tooltip="enterprise", popup="enterprise", basemap=None)
    assert _shown(one, "tooltip") == _shown(one, "popup") == ["企业名称"]
    listed = map_parcels(p, tooltip=["enterprise", "parcel_id"], basemap=None)
    assert _shown(listed, "tooltip") == ["企业名称", "宗地编号"]
    bank = grid(1).assign(candidate_id=["C1"], enterprise=["甲"])
    assert _shown(map_bank(bank, popup="enterprise", basemap=None), "popup") == ["企业名称"]


@pytest.mark.parametrize(
    ("value", "error", "pattern"),
    [
        (3, TypeError, r"`tooltip` must be True \(the default columns\), False \(none\), a column "
         r"name or a list of column names; received int 3"),
        ([1], TypeError, r"`tooltip` must list column names \(strings\); received 1 \(int\)"),
        ("nope", SchemaError, r"`tooltip` names column\(s\) the layer does not have: `nope`"),
    ],
)  # fmt: skip
def test_bad_tooltip_names_what_was_received(value, error, pattern):
    for call in (
        lambda: map_parcels(values_layer(), tooltip=value, basemap=None),
        lambda: map_zones(one_zone(), tooltip=value, basemap=None),
        lambda: map_assessment(
            pd.DataFrame({"zone_id": ["QD01"], "total_score": [1.0]}),
            zones=one_zone(),
            tooltip=value,
            basemap=None,
        ),
    ):
        with pytest.raises(error, match=pattern):
            call()


# --- tiles and basemap -------------------------------------------------------------------------------


def _tile_urls(m) -> list[str]:
    return re.findall(r'L\.tileLayer\("([^"]+)"', m.get_root().render())


def test_tiles_take_xyzservices_names_in_any_spelling_urls_and_none():
    carto = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
    for tiles in ("CartoDB positron", "CartoDB.Positron", "cartodbpositron",
                  xyzservices.providers.CartoDB.Positron):  # fmt: skip
        with warnings.catch_warnings():
            # xyzservices ≥ 2026 warns that CartoDB now wants a key; older ones do not
            warnings.filterwarnings("ignore", "CartoDB tiles now require", UserWarning)
            m = map_parcels(grid(1), tiles=tiles)
        assert _tile_urls(m) == [carto]
    osm = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert _tile_urls(map_parcels(grid(1), tiles="OpenStreetMap.Mapnik")) == [osm]
    assert _tile_urls(map_parcels(grid(1))) == [osm]  # the default, basemap="osm"
    url = "https://tiles.example.cn/{z}/{x}/{y}.png"
    custom = map_parcels(grid(1), tiles=url, attr="© 示例")
    assert _tile_urls(custom) == [url]
    assert "© 示例" in custom.get_root().render()
    assert "L.tileLayer(" not in map_parcels(grid(1), tiles=None).get_root().render()
    # Gaode tiles are GCJ-02: the overlays are shifted like basemap="amap"
    assert map_state(map_parcels(grid(1), tiles="Gaode.Normal")).display == "gcj02"
    assert map_state(map_parcels(grid(1), tiles="amap")).display == "gcj02"


def test_bad_tiles_and_basemap_name_what_was_received():
    with pytest.raises(ValueError, match=r"custom tiles need an attribution: pass attr="):
        map_zones(one_zone(), tiles="https://tiles.example.cn/{z}/{x}/{y}.png")
    with pytest.raises(ValueError, match=r"tiles='CartoDB positrn' is not an xyzservices provider"):
        map_zones(one_zone(), tiles="CartoDB positrn")
    with pytest.raises(ValueError, match=r"give either `basemap` \(received 'amap'\) or `tiles`"):
        map_zones(one_zone(), basemap="amap", tiles="OpenStreetMap.Mapnik")
    with pytest.raises(
        ValueError, match=r"received 'CartoDB positron'; for other providers use tiles="
    ):
        map_zones(one_zone(), basemap="CartoDB positron")
    with pytest.raises(
        TypeError, match=r"`tiles` must be an xyzservices provider .* received int 3"
    ):
        map_zones(one_zone(), tiles=3)
    with pytest.raises(ValueError, match=r"needs an API key"):
        map_zones(one_zone(), tiles="Thunderforest.OpenCycleMap")


# --- style_kwds, legend_kwds ---------------------------------------------------------------------------


def test_style_kwds_merge_into_every_style_and_the_legend():
    p = values_layer()
    kwds = {"color": "red", "weight": 4, "dashArray": "4 2", "fillOpacity": 0.5}
    got = styled(map_parcels(p, column="v", k=2, style_kwds=kwds, basemap=None))
    assert [(s["color"], s["weight"], s["dashArray"], s["fillOpacity"]) for s in got["styles"]] == [
        ("#ff0000", 4.0, "4 2", 0.5)
    ] * 2
    assert [(i["stroke"], i["weight"], i["dash"], i["fillOpacity"]) for i in got["items"]] == [
        ("#ff0000", 4.0, True, 0.5)
    ] * 2
    zones = specs(map_zones(one_zone(), style_kwds={"weight": 7}, basemap=None))["产业集聚区"]
    assert zones["styles"][0]["weight"] == 7.0


@pytest.mark.parametrize(
    ("kwds", "error", "pattern"),
    [
        ({"colour": "red"}, ValueError, r"`style_kwds` has the key 'colour'; accepted keys: color"),
        ({"fillOpacity": 2}, ValueError, r"`style_kwds\['fillOpacity'\]` must be a number in \[0, 1\]; received 2"),
        ({"style_function": len}, ValueError, r"a style_function cannot be used"),
        ("thick", TypeError, r"`style_kwds` must be a dict .* received str 'thick'"),
    ],
)  # fmt: skip
def test_bad_style_kwds(kwds, error, pattern):
    with pytest.raises(error, match=pattern):
        map_parcels(values_layer(), style_kwds=kwds, basemap=None)


def test_legend_kwds_go_to_set_legend():
    m = map_parcels(values_layer(), legend_kwds={"position": "topleft", "title": "图例X",
                                                 "collapsed": True}, basemap=None)  # fmt: skip
    html = m.get_root().render()
    assert re.search(
        r'landuse\.legend\(\w+, \{"position":"topleft","title":"图例X","collapsed":true\}\)', html
    )
    with pytest.raises(
        ValueError, match=r"`legend_kwds` has key\(s\) 'loc'; accepted: position, title"
    ):
        map_parcels(values_layer(), legend_kwds={"loc": "upper left"}, basemap=None)
    with pytest.raises(ValueError, match=r"`legend_kwds`: .*received 'middle'"):
        map_parcels(values_layer(), legend_kwds={"position": "middle"}, basemap=None)


# --- view and size, GeoSeries ------------------------------------------------------------------------


def test_location_zoom_start_width_height():
    m = map_parcels(grid(1), location=[36.3, 120.4], zoom_start=9, width=640, height="400px")
    assert m.location == [36.3, 120.4]
    html = m.get_root().render()
    assert "fitBounds" not in html
    assert re.search(r"""["']?zoom["']?: 9\b""", html)  # folium ≥ 0.18 quotes the key
    assert "width: 640.0px" in html
    assert "height: 400.0px" in html
    assert "fitBounds" in map_parcels(grid(1)).get_root().render()
    for kwargs, pattern in [
        ({"location": [200, 0]}, r"`location` must be \[latitude, longitude\] .* received \[200, 0\]"),
        ({"location": "青岛"}, r"`location` must be .* received '青岛'"),
        ({"zoom_start": "9"}, r"`zoom_start` must be an integer from 0 to 24; received '9'"),
        ({"width": "wide"}, r"`width` must be pixels .* received 'wide'"),
        ({"height": -5}, r"`height` must be pixels .* received -5"),
    ]:  # fmt: skip
        with pytest.raises(ValueError, match=pattern):
            map_parcels(grid(1), **kwargs)


def test_a_geoseries_is_taken_wherever_a_geodataframe_is():
    p = grid(2)
    assert specs(map_parcels(p.geometry, basemap=None))["宗地"]["n"] == 2
    zones = one_zone().set_index("zone_id").geometry
    spec = specs(map_zones(zones, basemap=None))["产业集聚区"]
    assert spec["fields"][0]["label"] == "集聚区编号"
    assert field_values(spec, "集聚区编号") == ["QD01"]
    scores = pd.DataFrame({"zone_id": ["QD01"], "total_score": [80.0], "rank": [1]})
    assert specs(map_assessment(scores, zones=zones, basemap=None))["集聚区考核"]["n"] == 1


# --- purposeful defaults: the bank and the assessment ------------------------------------------------


def bank_layer() -> gpd.GeoDataFrame:
    """Four candidates, one per route, priorities 90 / 60 / 30 / 10."""
    return grid(4, gap=50).assign(
        candidate_id=["C1", "C2", "C3", "C4"],
        enterprise=["甲", "乙", "丙", "丁"],
        route=["acquisition", "relocation", "multistorey", "self_upgrade"],
        priority=[90.0, 60.0, 30.0, 10.0],
        land_freed_mu=[12.5, 0.0, 3.0, 1.0],
        potential_extra_floor_area_m2=[0.0, 800.0, 12000.0, 500.0],
        tax_gain_wan=[30.0, 12.0, 55.0, 2.0],
        reason_text=["停产", "闲置", "容积率低", "亩均税收低"],
        grade=["D", "D", "C", "C"],
    )


def test_bank_by_route_with_priority_as_outline_width_and_gains_in_the_popup():
    spec = specs(map_bank(bank_layer(), basemap=None))["低效用地再开发项目库"]
    style = [spec["styles"][i] for i in spec["s"]]
    assert [s["fillColor"] for s in style] == [ROUTE[r] for r in bank_layer()["route"]]
    # priority in three quantile classes (bounds 30, 60, 90): 90 widest, 30 and 10 thinnest;
    # dashed near-black outlines, dashes scaled with the width
    assert [s["weight"] for s in style] == [5.0, 3.25, 1.5, 1.5]
    assert {(s["color"], s["fillOpacity"]) for s in style} == {("#1a1a1a", 0.85)}
    assert [s["dashArray"] for s in style] == ["12.5 10", "8.125 6.5", "3.75 3", "3.75 3"]
    items = spec["legend"]["items"]
    assert [(i["label"], i["fill"], i["weight"], i["count"]) for i in items] == [
        ("收购储备", ROUTE["acquisition"], 3.25, 1),
        ("腾退", ROUTE["relocation"], 3.25, 1),
        ("工业上楼", ROUTE["multistorey"], 3.25, 1),
        ("自主提升", ROUTE["self_upgrade"], 3.25, 1),
        ("优先级得分 10.0 – 30.0", "#ffffff", 1.5, 2),
        ("优先级得分 30.0 – 60.0", "#ffffff", 3.25, 1),
        ("优先级得分 60.0 – 90.0", "#ffffff", 5.0, 1),
    ]
    assert spec["legend"]["title"] == "低效用地再开发项目库 · 再开发路径"
    popup = [spec["fields"][i]["label"] for i in spec["popup"]]
    assert popup == [
        "候选编号", "宗地编号", "企业名称", "再开发路径", "优先级得分", "可腾出土地（亩）",
        "潜在新增建筑面积（平方米）", "预期新增税收（万元）", "亩均效益等级", "认定原因",
    ]  # fmt: skip
    tooltip = [spec["fields"][i]["label"] for i in spec["tooltip"]]
    assert tooltip == ["候选编号", "企业名称", "再开发路径", "优先级得分"]
    # an explicit column still works (the grade), outlined by priority all the same
    graded = specs(map_bank(bank_layer(), column="grade", basemap=None))["低效用地再开发项目库"]
    assert [i["label"] for i in graded["legend"]["items"]][:2] == ["C类", "D类"]


def zone_row(n: int) -> gpd.GeoDataFrame:
    """``n`` small zones 3 km apart (0.5 km squares: specks at city scale)."""
    x0, y0 = QD_GK
    return gpd.GeoDataFrame(
        {
            "zone_id": [f"QD{i + 1:02d}" for i in range(n)],
            "name": [f"园区{i + 1}" for i in range(n)],
        },
        geometry=[shapely.box(x0 + 3000 * i, y0, x0 + 3000 * i + 500, y0 + 500) for i in range(n)],
        crs="EPSG:4549",
    )


def assessment_scores() -> pd.DataFrame:
    scores = pd.DataFrame(
        {
            "zone_id": ["QD01", "QD02", "QD03", "QD04", "QD05"],
            "rank": [3, 1, 2, 5, 4],
            "total_score": [60.0, 80.0, 70.0, 40.0, 50.0],
            "tier": ["五百亿级", "千亿级", "百亿级", None, "三百亿级"],
            "revenue_yi": [600.0, 1200.0, 150.0, 50.0, 350.0],
        }
    )
    scores.attrs["policy"] = "qingdao-2019"
    return scores


def test_assessment_in_tier_colours_of_the_policy_with_rank_labels():
    m = map_assessment(assessment_scores(), zones=zone_row(5), basemap=None)
    spec = specs(m)["集聚区考核"]
    items = spec["legend"]["items"]
    ramp = ["#c7e9b4", "#6ac5be", "#3391bc", "#253494"]  # TIER_COLORS spread over 4 tiers
    assert [(i["label"], i["fill"], i["count"]) for i in items] == [
        ("未入级", TIER_BELOW_COLOR, 1),
        ("百亿级", ramp[0], 1),
        ("三百亿级", ramp[1], 1),
        ("五百亿级", ramp[2], 1),
        ("千亿级", ramp[3], 1),
    ]
    html = m.get_root().render()
    labels = re.search(r"landuseLabels\(\w+, \w+, (\{.*?\})\);", html)
    assert labels is not None
    texts = re.findall(r'"text":"([^"]*)"', labels.group(1))
    assert texts == ["3", "1", "2", "5", "4"]
    assert specs(map_assessment(assessment_scores(), zones=zone_row(5), labels=False,
                                basemap=None))  # fmt: skip
    assert (
        "landuseLabels("
        not in map_assessment(assessment_scores(), zones=zone_row(5), labels=False, basemap=None)
        .get_root()
        .render()
    )
    scored = map_assessment(
        assessment_scores(), zones=zone_row(5), column="total_score", basemap=None
    )
    assert specs(scored)["集聚区考核"]["legend"]["items"][0]["fill"] == "#d73027"  # RdYlGn
    with pytest.raises(
        TypeError,
        match=r"`labels` must be True \(the rank\), False or a column name; received int 1",
    ):
        map_assessment(assessment_scores(), zones=zone_row(5), labels=1, basemap=None)


# --- in the browser --------------------------------------------------------------------------------


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:  # noqa: F811  (the imported fixture)
    """Open saved maps with the network blocked (test_browser.Page), closing them after."""
    pages: list[Page] = []

    def opener(path: Path) -> Page:
        pages.append(Page(browser, path))
        return pages[-1]

    yield opener
    for page in pages:
        page.close()


def screenshot(page: Page, name: str) -> None:
    folder = Path(os.environ.get("LANDUSE_ARTIFACTS", "build/test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(folder / f"{name}.png"))


def test_browser_tooltip_false_and_popup_one_column(open_page, tmp_path):
    p = values_layer()
    page = open_page(save_map(map_parcels(p, tooltip=False, popup="enterprise", basemap=None),
                              tmp_path / "t.html"))  # fmt: skip
    x, y = _point_of(page, "宗地", 1)
    page.page.mouse.move(x, y)
    page.page.mouse.move(x + 2, y + 2)
    page.page.wait_for_timeout(400)
    assert page.page.locator(".landuse-tooltip").count() == 0
    page.page.mouse.click(x, y)
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5_000)
    rows = [re.sub(r"\s+", " ", r).strip() for r in popup.locator("tr").all_inner_texts()]
    assert rows == ["企业名称 乙"]
    assert page.errors == []


def _pixel(page: Page, layer: str, lon: float, lat: float) -> list[int]:
    """RGBA of a layer's canvas at a lon/lat (unpremultiplied, as getImageData gives it)."""
    return page.js(
        """([layer, lon, lat]) => {
            const l = landuse.layers[layer], map = MAP;
            const p = map.latLngToLayerPoint([lat, lon]).subtract(l._bounds.min);
            const r = window.devicePixelRatio || 1;
            return [...l._ctx.getImageData(Math.round(p.x * r), Math.round(p.y * r), 1, 1).data];
        }""".replace("MAP", MAP_JS),
        [layer, lon, lat],
    )


def test_browser_style_kwds_weight_is_drawn(open_page, tmp_path):
    p = grid(1)
    x0, y0 = QD_GK
    outside = gpd.GeoSeries([shapely.Point(x0 - 2, y0 + 50)], crs="EPSG:4549").to_crs(4326)
    pages = {}
    for weight in (None, 14):
        kwds = {"color": "#0000ff", "weight": weight} if weight else {"color": "#0000ff"}
        pages[weight] = page = open_page(
            save_map(map_parcels(p, style_kwds=kwds, basemap=None), tmp_path / f"w{weight}.html")
        )
        page.js(f"() => {MAP_JS}.setView([{outside.y[0]}, {outside.x[0]}], 18, {{animate: false}})")
        page.page.wait_for_timeout(300)
    # 2 m outside the west edge at zoom 18 (≈ 4 px): inside a 14 px line, clear of a 0.6 px one
    thick = _pixel(pages[14], "宗地", outside.x[0], outside.y[0])
    thin = _pixel(pages[None], "宗地", outside.x[0], outside.y[0])
    assert thick[:3] == [0, 0, 255]
    assert thick[3] > 150
    assert thin[3] == 0
    screenshot(pages[14], "explore_args_style_kwds_weight14")


def test_browser_location_zoom_start_width_height(open_page, tmp_path):
    m = map_parcels(grid(1), location=[36.3, 120.4], zoom_start=9, width=640, height=400,
                    basemap=None)  # fmt: skip
    page = open_page(save_map(m, tmp_path / "v.html"))
    view = page.js(
        f"""() => {{ const map = {MAP_JS}, c = map.getCenter(), box = map.getContainer()
            .getBoundingClientRect(); return [c.lat, c.lng, map.getZoom(), box.width, box.height]; }}"""
    )
    assert view[0] == pytest.approx(36.3, abs=1e-9)
    assert view[1] == pytest.approx(120.4, abs=1e-9)
    assert view[2:] == [9, 640, 400]


def test_browser_bank_candidates_in_route_colours_over_parcels(open_page, tmp_path):
    bank = bank_layer()
    parcels = grid(6, gap=50).assign(grade=["A", "B", "C", "D", "A", "B"])
    m = map_parcels(parcels, column="grade", basemap=None)
    m = map_bank(bank, m=m)
    page = open_page(save_map(m, tmp_path / "bank.html", offline=True))
    page.js(f"() => {MAP_JS}.fitBounds(landuse.layers['宗地'].getBounds(), {{animate: false}})")
    page.js(f"() => {MAP_JS}.panBy([20, 10], {{animate: false}})")  # a pan paints once too
    page.page.wait_for_timeout(300)
    centres = bank.geometry.centroid.to_crs(4326)
    for route, point in zip(bank["route"], centres, strict=True):
        r, g, b, a = _pixel(page, "低效用地再开发项目库", point.x, point.y)
        want = [int(ROUTE[route][i : i + 2], 16) for i in (1, 3, 5)]
        assert max(abs(u - v) for u, v in zip([r, g, b], want, strict=True)) <= 1
        assert a == pytest.approx(0.85 * 255, abs=1)
    # the legend's priority classes show their outline widths (1.5, 3.25, 5 px; Chromium draws
    # borders in whole pixels at this scale: 1, 3, 5)
    widths = page.js(
        "() => [...document.querySelectorAll('.landuse-legend-item .landuse-swatch')]"
        ".map(s => parseFloat(getComputedStyle(s).borderTopWidth))"
    )
    assert widths[-3:] == [1, 3, 5]
    assert page.errors == []
    screenshot(page, "explore_args_bank_over_parcels")


def test_browser_assessment_rank_labels_as_text_at_city_scale(open_page, tmp_path):
    m = map_assessment(assessment_scores(), zones=zone_row(5), basemap=None, width=980, height=588)
    page = open_page(save_map(m, tmp_path / "a.html", offline=True))
    page.js(f"() => {MAP_JS}.setZoom(10, {{animate: false}})")  # city scale: zones are specks
    page.page.wait_for_timeout(300)
    labels = page.page.locator(".landuse-label")
    assert labels.all_text_contents() == ["3", "1", "2", "5", "4"]
    for i in range(5):
        assert labels.nth(i).is_visible()
        box = labels.nth(i).bounding_box()
        assert box["width"] >= 20  # a marker, readable at any zoom
        assert box["height"] >= 20
    # the labels follow the layer in the layer control
    page.js("() => landuse.layers['集聚区考核'].remove()")
    assert page.page.locator(".landuse-label").count() == 0
    page.js(f"() => landuse.layers['集聚区考核'].addTo({MAP_JS})")
    assert page.page.locator(".landuse-label").count() == 5
    assert page.errors == []
    screenshot(page, "explore_args_assessment_city_scale")


def test_browser_label_text_from_data_is_text(open_page, tmp_path):
    scores = assessment_scores().assign(rank=["<img src=x onerror=alert(1)>", 1, 2, 3, 4])
    m = map_assessment(scores, zones=zone_row(5), column="total_score", basemap=None)
    page = open_page(save_map(m, tmp_path / "x.html"))
    assert (
        page.page.locator(".landuse-label").first.text_content() == "<img src=x onerror=alert(1)>"
    )
    assert page.page.locator(".landuse-label img").count() == 0
    assert page.dialogs == []
