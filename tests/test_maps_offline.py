"""Offline is the default (issue 18): save_map, the notebook display and ``landuse map``.

Pages open in Chromium with every request that is not a local file aborted and recorded (the
``browser`` fixture and ``Page`` of test_browser), so "no blocked request" means the page
needed nothing from the network. ``explore()`` output is saved too: its categorical legend
needs jQuery UI, its colour ramp d3 3.x and branca's legend script, all inlined. Screenshots go
to ``$LANDUSE_ARTIFACTS`` (default ``build/test-artifacts``).
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner
from folium.plugins import MiniMap
from test_browser import LAYER_COUNTS, Page
from test_mapping import grid, one_zone

from landuse.errors import LanduseError, LanduseWarning
from landuse.mapping import map_parcels, map_zones, save_map
from landuse.mapping._offline import render_html

LINKED = re.compile(r'<script[^>]+src="https?:|<link[^>]+href="https?:')


def _artifact(page: Any, name: str) -> None:
    folder = Path(os.environ.get("LANDUSE_ARTIFACTS", "build/test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def _three() -> gpd.GeoDataFrame:
    """Three 0.01° squares in Qingdao: categories a/b/c, values 1/2/3."""
    return gpd.GeoDataFrame(
        {"cat": ["a", "b", "c"], "v": [1.0, 2.0, 3.0]},
        geometry=[shapely.box(120.3 + i / 100, 36.0, 120.31 + i / 100, 36.01) for i in range(3)],
        crs=4326,
    )


class PlainPage:
    """A page without landuse layers (``explore()`` output), the network blocked and recorded."""

    def __init__(self, browser: Any, path: Path) -> None:  # noqa: F811
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.context = browser.new_context(viewport={"width": 980, "height": 588})
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        self.page.wait_for_function("() => !!document.querySelector('.leaflet-container')")

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()


@pytest.fixture
def open_plain(browser: Any) -> Any:  # noqa: F811
    pages: list[PlainPage] = []

    def opener(path: Path) -> PlainPage:
        pages.append(PlainPage(browser, path))
        return pages[-1]

    yield opener
    for page in pages:
        page.context.close()


def _state(m: folium.Map) -> tuple[str, str, list[tuple[str, str]]]:
    """What a user can see of a map: its tree, its page, its children's names and classes."""
    tree = json.dumps(m.to_dict(), default=str, sort_keys=True)
    kids = [(k, type(v).__name__) for k, v in m._children.items()]
    return tree, render_html(m), kids


# --- save_map: offline by default -----------------------------------------------------------------


def test_default_save_map_draws_the_vectors_with_nothing_fetched(browser, tmp_path):  # noqa: F811
    m = map_zones(one_zone(), basemap=None)
    m = map_parcels(grid(4).assign(tax_wan=[1.0, 2.0, 3.0, 4.0]), column="tax_wan", m=m)
    path = save_map(m, tmp_path / "default.html")
    assert LINKED.search(path.read_text("utf-8")) is None
    page = Page(browser, path)
    try:
        assert page.errors == []
        assert page.blocked == []
        counts = page.js(LAYER_COUNTS)
        assert {k: (v["features"], v["drawn"]) for k, v in counts.items()} == {
            "产业集聚区": (1, 1),
            "宗地": (4, 4),
        }
        assert page.page.locator(".leaflet-overlay-pane canvas").count() >= 1
        _artifact(page.page, "test_default_save_map_draws_the_vectors_with_nothing_fetched")
    finally:
        page.close()


def test_explore_categorical_saved_offline_has_its_draggable_legend(open_plain, tmp_path):
    m = _three().explore(column="cat", tiles=None)
    path = save_map(m, tmp_path / "cat.html")
    text = path.read_text("utf-8")
    assert LINKED.search(text) is None
    assert "<script src=" not in text
    assert "jQuery UI - v1.1" in text  # inlined from xstatic-jquery-ui
    page = open_plain(path)
    assert page.errors == []
    assert page.blocked == []
    assert page.page.locator(".leaflet-interactive").count() == 3
    legend = page.page.locator(".maplegend")
    assert legend.inner_text().split() == ["cat", "a", "b", "c"]
    # jQuery UI ran: the legend was made draggable
    assert "ui-draggable" in (legend.get_attribute("class") or "")
    _artifact(page.page, "test_explore_categorical_saved_offline_has_its_draggable_legend")


def test_explore_numeric_saved_offline_draws_its_colour_ramp(open_plain, tmp_path):
    m = _three().explore(column="v", tiles=None)
    path = save_map(m, tmp_path / "v.html")
    assert LINKED.search(path.read_text("utf-8")) is None
    page = open_plain(path)
    assert page.errors == []
    assert page.blocked == []
    assert page.page.locator(".leaflet-interactive").count() == 3
    # branca's legend, drawn by d3: the ramp (one rect per step), ticks and the caption
    assert page.page.locator(".legend svg rect").count() > 100
    ticks = page.page.evaluate(
        "() => [...document.querySelectorAll('.legend svg text')].map(t => t.textContent)"
    )
    assert ticks[0] == "1.0"
    assert ticks[-1] == "v"
    _artifact(page.page, "test_explore_numeric_saved_offline_draws_its_colour_ramp")


def test_explore_with_its_default_tiles_only_asks_for_tiles(open_plain, tmp_path):
    page = open_plain(save_map(_three().explore(column="cat"), tmp_path / "osm.html"))
    assert page.errors == []
    assert page.blocked
    assert all(url.startswith("https://tile.openstreetmap.org/") for url in page.blocked)


# --- save_map never changes the map -----------------------------------------------------------------


def test_save_map_does_not_change_an_explore_map(tmp_path):
    m = _three().explore(column="cat")
    before = _state(m)
    save_map(m, tmp_path / "a.html")
    save_map(m, tmp_path / "b.html", offline=False)
    assert _state(m) == before
    assert not any(key.startswith("macro_element_") for key in m._children)
    assert not any(isinstance(v, folium.LayerControl) for v in m._children.values())


def test_save_map_does_not_change_a_landuse_map_with_folium_additions(tmp_path):
    m = map_parcels(grid(2), basemap=None)
    folium.LayerControl(collapsed=True).add_to(m)  # a second control, after the layers
    folium.CircleMarker([36.0671, 120.3826], radius=4).add_to(m)
    before = _state(m)
    first = save_map(m, tmp_path / "a.html").read_bytes()
    m._repr_html_()
    assert _state(m) == before
    assert save_map(m, tmp_path / "b.html").read_bytes() == first
    # the page lists the layer with one control, the map keeps both of its own
    assert first.count(b"landuse.layerControl(") == 1
    assert sum(isinstance(v, folium.LayerControl) for v in m._children.values()) == 2


# --- what cannot be inlined ----------------------------------------------------------------------


def test_a_plugin_only_on_a_cdn_is_named_and_saves_online(tmp_path):
    m = _three().explore(column="cat", tiles=None)
    MiniMap().add_to(m)
    with pytest.raises(LanduseError) as info:
        save_map(m, tmp_path / "mini.html")
    message = str(info.value)
    assert "the plugin folium.plugins.MiniMap links 2 file(s)" in message
    assert "Control.MiniMap" in message
    assert "offline=False" in message
    assert not (tmp_path / "mini.html").exists()
    online = save_map(m, tmp_path / "mini.html", offline=False).read_text("utf-8")
    assert re.search(r'<script src="https://[^"]+Control\.MiniMap[^"]*\.js">', online)


def test_notebook_display_of_a_map_with_such_a_plugin_warns_and_links_it():
    m = map_zones(one_zone(), basemap=None)
    MiniMap().add_to(m)
    with pytest.warns(LanduseWarning, match=r"folium\.plugins\.MiniMap.*needs internet"):
        shown = html_lib.unescape(m._repr_html_())
    assert re.search(r'<script src="https://[^"]+Control\.MiniMap', shown)


# --- the notebook display ---------------------------------------------------------------------------


def test_a_landuse_map_is_a_folium_map_that_works_as_one(tmp_path):
    m = map_zones(one_zone(), basemap=None)
    assert isinstance(m, folium.Map)
    m = map_parcels(grid(2), m=m)
    m.save(str(tmp_path / "folium.html"))  # folium's own save: its CDN links
    assert "cdn.jsdelivr.net" in (tmp_path / "folium.html").read_text("utf-8")
    explored = _three().explore(column="v", m=m)
    assert explored is m
    shown = html_lib.unescape(m._repr_html_())
    assert LINKED.search(shown) is None
    assert 'version: "3.5.' in shown  # d3 3.x inlined for explore's colour ramp


def test_notebook_display_is_offline_and_draws(browser, tmp_path):  # noqa: F811
    m = map_zones(one_zone(), basemap=None)
    m = map_parcels(grid(4).assign(grade=list("ABCD")), column="grade", m=m)
    shown = m._repr_html_()
    assert shown.startswith("<div")
    assert '<iframe srcdoc="' in shown
    assert LINKED.search(html_lib.unescape(shown)) is None
    cell = tmp_path / "cell.html"
    cell.write_text(f"<!DOCTYPE html><html><body>{shown}</body></html>", encoding="utf-8")
    errors: list[str] = []
    blocked: list[str] = []
    context = browser.new_context(viewport={"width": 980, "height": 700})
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith(("file:", "about:"))
                else (blocked.append(r.request.url), r.abort())
            ),
        )
        page.goto(cell.as_uri(), wait_until="load")
        frame = page.frame_locator("iframe")
        frame.locator(".leaflet-container").wait_for(timeout=30_000)
        inner = next(f for f in page.frames if f is not page.main_frame)
        inner.wait_for_function(
            "() => window.landuse && Object.values(landuse.layers).every(l => l._drawnAt)",
            timeout=30_000,
        )
        counts = inner.evaluate(LAYER_COUNTS)
        assert {k: v["drawn"] for k, v in counts.items()} == {"产业集聚区": 1, "宗地": 4}
        assert errors == []
        assert blocked == []
        page.wait_for_timeout(600)  # the fit-to-bounds zoom animation, for the screenshot
        _artifact(page, "test_notebook_display_is_offline_and_draws")
    finally:
        context.close()


# --- the command line -------------------------------------------------------------------------------


def test_cli_map_is_offline_by_default_and_online_on_request(tmp_path):
    from landuse.cli import main

    parcels = tmp_path / "parcels.gpkg"
    grid(2).to_file(parcels)
    args = ["map", "--parcels", str(parcels), "--basemap", "none", "-o"]
    result = CliRunner().invoke(main, [*args, str(tmp_path / "offline.html")])
    assert result.exit_code == 0, result.output
    assert LINKED.search((tmp_path / "offline.html").read_text("utf-8")) is None
    result = CliRunner().invoke(main, [*args, str(tmp_path / "online.html"), "--online"])
    assert result.exit_code == 0, result.output
    online = (tmp_path / "online.html").read_text("utf-8")
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">' in online
    assert "--online" in CliRunner().invoke(main, ["map", "--help"]).output
