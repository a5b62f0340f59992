"""The maps in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium), headless.

Every page runs with the network cut off: each request that is not a local file is aborted
(and recorded), so these tests also prove what an offline intranet user sees. Needs
``pip install playwright`` (no ``playwright install``: the system Chromium is used) and
``apt-get install chromium``. Outside CI the tests skip when either is missing; with
``CI=true`` they fail instead, so CI cannot pass without running them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from conftest import QD_GK
from test_mapping import XSS, demo_layers, demo_map, grid, one_zone

from landuse.mapping import GRADE_COLORS, map_parcels, map_zones, save_map


class Page:
    """A page opened with the network blocked, recording errors, dialogs and blocked requests."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        self.blocked: list[tuple[str, str]] = []
        self.context = browser.new_context(viewport={"width": 1200, "height": 800})
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "console",
            lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None,
        )

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", on_dialog)
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        # drawn: every landuse layer on the map has painted its features once
        self.page.wait_for_function(
            """() => window.landuse && Object.values(landuse.layers).every(l =>
                !l._map || l._drawnAt !== undefined)""",
            timeout=30_000,
        )
        # settled: the initial fitBounds (and any resize) redraws the layers once more; under
        # load that can come after the first paint, so wait until no layer repaints for 300 ms
        stamps = """() => Object.values(landuse.layers).map(l => l._drawnAt === undefined ? null : l._drawnAt)"""
        previous = self.js(stamps)
        for _ in range(100):
            self.page.wait_for_timeout(300)
            now = self.js(stamps)
            if now == previous:
                break
            previous = now

    def _route(self, route: Any) -> None:
        request = route.request
        if request.url.startswith("file:"):
            route.continue_()
        else:
            self.blocked.append((request.resource_type, request.url))
            route.abort()

    def js(self, code: str, arg: Any = None) -> Any:
        return self.page.evaluate(code, arg)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    pages: list[Page] = []

    def opener(path: Path) -> Page:
        page = Page(browser, path)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.close()


MAP_JS = "Object.values(window).find(v => v instanceof L.Map)"

LAYER_COUNTS = """() => Object.fromEntries(Object.entries(landuse.layers).map(([name, l]) => [
    name, {features: l.featureCount(), drawn: l.drawnCount(), shown: !!l._map}]))"""


def _point_of(page: Page, layer: str, index: int) -> tuple[float, float]:
    """Zoom to one feature of a layer; the page coordinates of its centre."""
    point = page.js(
        """([layer, index]) => {
            const map = MAP;
            const target = landuse.layers[layer];
            map.fitBounds(target.featureBounds(index), {animate: false, maxZoom: 18});
            const p = map.latLngToContainerPoint(target.featureCenter(index));
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""".replace("MAP", MAP_JS),
        [layer, index],
    )
    page.page.wait_for_timeout(100)  # one frame for the canvas to redraw at the new zoom
    return point[0], point[1]


def _click_feature(page: Page, layer: str, index: int) -> None:
    page.page.mouse.click(*_point_of(page, layer, index))


def test_demo_map_draws_every_layer_with_legends_and_no_errors(open_page, tmp_path):
    d = demo_layers()
    path = save_map(demo_map(), tmp_path / "demo.html", offline=True)
    page = open_page(path)
    assert page.errors == []
    assert page.console_errors == []
    assert page.blocked == []  # no basemap, everything inline: nothing to fetch
    counts = page.js(LAYER_COUNTS)
    expected = {
        "功能分区": 42,
        "产业集聚区": 14,
        "宗地": len(d["parcels"]),
        "低效用地再开发项目库": len(d["bank"]),
        "新增工业用地合规": 12,
    }
    assert {k: v["features"] for k, v in counts.items()} == expected
    assert {k: v["drawn"] for k, v in counts.items()} == expected
    # one legend panel, a visible section per layer with the colours and counts of its styles
    assert page.page.locator(".landuse-legend").count() == 1
    sections = page.page.locator(".landuse-legend-section")
    assert sections.count() == 5
    for i in range(5):
        assert sections.nth(i).is_visible()
    parcels_legend = sections.filter(has_text="宗地 · 亩均效益等级").first
    text = parcels_legend.inner_text()
    grade_counts = d["parcels"]["grade"].value_counts()
    for grade in "ABCD":
        assert f"{grade}类 ({grade_counts[grade]:,})" in text
    swatch = page.js(
        """() => [...document.querySelectorAll('.landuse-legend-section')]
            .find(l => l.textContent.includes('宗地 · 亩均效益等级'))
            .querySelector('.landuse-swatch').style.backgroundColor"""
    )
    r, g, b = (int(GRADE_COLORS["A"][i : i + 2], 16) for i in (1, 3, 5))
    assert swatch == f"rgba({r}, {g}, {b}, 0.75)"


def test_popup_and_tooltip_show_html_as_text(open_page, tmp_path):
    path = save_map(demo_map(), tmp_path / "demo.html", offline=True)
    page = open_page(path)
    x, y = _point_of(page, "低效用地再开发项目库", 0)  # the candidate whose reason is an <img>
    # hovering shows the tooltip (id, route and priority)
    page.page.mouse.move(x, y)
    # wait for the hovered feature's tooltip (under load a tooltip of the layer below can show first)
    tooltip = page.page.locator(".landuse-tooltip", has_text="B000")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert "B000" in tooltip.inner_text()
    assert "收购储备" in tooltip.inner_text()
    # clicking opens the popup with the reason as text
    page.page.mouse.click(x, y)
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5_000)
    text = popup.inner_text()
    assert XSS in text
    assert "B000" in text
    assert "认定原因" in text
    assert popup.locator("img").count() == 0
    page.page.wait_for_timeout(300)
    assert page.dialogs == []
    assert not any(url.endswith("/x") for _, url in page.blocked)
    assert page.errors == []


def test_popup_of_a_parcel_with_an_html_name(open_page, tmp_path):
    parcels = grid(3).assign(enterprise=["甲", XSS, "丙"])
    path = save_map(map_parcels(parcels, basemap=None), tmp_path / "p.html", offline=True)
    page = open_page(path)
    _click_feature(page, "宗地", 1)
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5_000)
    rows = popup.locator("tr").all_inner_texts()
    assert [re.sub(r"\s+", " ", r).strip() for r in rows] == ["宗地编号 P1", f"企业名称 {XSS}"]
    assert page.dialogs == []


def test_zone_outlines_stay_on_top_but_let_clicks_through_to_parcels(open_page, tmp_path):
    m = map_zones(one_zone(), basemap=None)
    m = map_parcels(grid(4), m=m)
    page = open_page(save_map(m, tmp_path / "z.html", offline=True))
    panes = page.js(
        """() => ['宗地', '产业集聚区'].map(name => {
            const pane = landuse.layers[name]._container.parentNode;
            return [pane.className.match(/leaflet-([\\w-]+)-pane/)[1], +getComputedStyle(pane).zIndex];
        })"""
    )
    assert panes == [["overlay", 400], ["landuse-outlines", 450]]  # zones above parcels
    _click_feature(page, "宗地", 2)
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5_000)
    assert "P2" in popup.inner_text()
    zone_at_centre = f"() => landuse.layers['产业集聚区'].featureAt({MAP_JS}.getCenter())"
    assert page.js(zone_at_centre) == -1  # parcels shown: the zone answers on its edge only
    # hide the parcels in the layer control: their legend section goes, the zone answers inside again
    page.page.locator(".leaflet-control-layers-overlays label", has_text="宗地").click()
    assert page.page.locator(".landuse-legend-section:visible").all_inner_texts() == [
        "产业集聚区\n集聚区边界 (1)"
    ]
    assert page.js(f"() => {MAP_JS}._lu.fills") == 0
    assert page.js(zone_at_centre) == 0


def test_offline_map_renders_with_the_network_blocked(open_page, tmp_path):
    m = map_zones(one_zone(), basemap="osm")
    m = map_parcels(grid(4).assign(tax_wan=[1.0, 2.0, 3.0, 4.0]), column="tax_wan", m=m)
    page = open_page(save_map(m, tmp_path / "offline.html", offline=True))
    assert page.errors == []
    counts = page.js(LAYER_COUNTS)
    assert {k: (v["features"], v["drawn"]) for k, v in counts.items()} == {
        "产业集聚区": (1, 1),
        "宗地": (4, 4),
    }
    # the only things it tried to fetch were basemap tiles
    assert page.blocked
    assert {kind for kind, _ in page.blocked} == {"image"}
    assert all(url.startswith("https://tile.openstreetmap.org/") for _, url in page.blocked)
    assert page.page.locator(".landuse-legend").count() == 1
    assert page.page.locator(".landuse-legend-section:visible").count() == 2


def test_online_map_works_when_the_cdn_serves_leaflet(browser, tmp_path):
    """The online file (offline=False), its CDN links answered by the same Leaflet files."""
    from xstatic.pkg import leaflet

    base = Path(leaflet.BASE_DIR)
    path = save_map(map_parcels(grid(2), basemap=None), tmp_path / "online.html", offline=False)
    html = path.read_text("utf-8")
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">' in html
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith("file:"):
            r.continue_()
        elif url.endswith("/leaflet@1.9.3/dist/leaflet.js"):
            r.fulfill(path=base / "leaflet.js", content_type="application/javascript")
        elif url.endswith("/leaflet@1.9.3/dist/leaflet.css"):
            r.fulfill(path=base / "leaflet.css", content_type="text/css")
        else:
            r.abort()  # bootstrap, jQuery, fonts: landuse layers do not need them

    page.route("**/*", route)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function(
        "window.landuse && landuse.layers['宗地'] && landuse.layers['宗地']._drawnAt",
        timeout=30_000,
    )
    assert page.evaluate("landuse.layers['宗地'].drawnCount()") == 2
    assert errors == []
    context.close()


def test_english_map_in_the_browser(open_page, tmp_path):
    parcels = grid(2).assign(grade=["A", "B"])
    path = save_map(
        map_parcels(parcels, column="grade", basemap=None, lang="en"),
        tmp_path / "en.html",
        offline=True,
    )
    page = open_page(path)
    legend = page.page.locator(".landuse-legend").inner_text()
    assert "Parcels · Efficiency grade" in legend
    assert "Grade A (1)" in legend
    _click_feature(page, "Parcels", 0)
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5_000)
    assert "Parcel id" in popup.inner_text()


def _pixel_alpha(page: Page, layer: str, lon_lat: tuple[float, float]) -> int:
    return page.js(
        """([layer, lon, lat]) => {
            const l = landuse.layers[layer], map = MAP;
            const p = map.latLngToLayerPoint([lat, lon]).subtract(l._bounds.min);
            const r = window.devicePixelRatio || 1;
            return l._ctx.getImageData(Math.round(p.x * r), Math.round(p.y * r), 1, 1).data[3];
        }""".replace("MAP", MAP_JS),
        [layer, *lon_lat],
    )


def test_holes_stay_open_and_redraws_follow_zoom_and_pan(open_page, tmp_path):
    x0, y0 = QD_GK
    ring = shapely.box(x0, y0, x0 + 300, y0 + 300)
    hole = shapely.box(x0 + 100, y0 + 100, x0 + 200, y0 + 200)
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["H1", "P2"]},
        geometry=[
            shapely.Polygon(ring.exterior.coords, [hole.exterior.coords[::-1]]),
            shapely.box(x0 + 1000, y0, x0 + 1100, y0 + 100),
        ],
        crs="EPSG:4549",
    )
    page = open_page(
        save_map(map_parcels(parcels, basemap=None), tmp_path / "h.html", offline=True)
    )
    lonlat = gpd.GeoSeries(
        [shapely.Point(x0 + 150, y0 + 150), shapely.Point(x0 + 50, y0 + 150)], crs="EPSG:4549"
    ).to_crs(4326)
    page.js(
        f"() => {MAP_JS}.fitBounds(landuse.layers['宗地'].featureBounds(0), {{animate: false}})"
    )
    page.page.wait_for_timeout(200)
    assert _pixel_alpha(page, "宗地", (lonlat.x[0], lonlat.y[0])) == 0  # the hole is empty
    assert _pixel_alpha(page, "宗地", (lonlat.x[1], lonlat.y[1])) > 0  # the ring is filled
    # zoomed onto the ring parcel, the other one (1 km east) is out of view and not drawn
    assert page.js("() => landuse.layers['宗地'].drawnCount()") == 1
    page.js(f"() => {MAP_JS}.setZoom(12, {{animate: false}})")
    page.page.wait_for_timeout(200)
    assert page.js("() => landuse.layers['宗地'].drawnCount()") == 2
    assert page.errors == []
