"""The dossier pages in a real browser and printed to PDF (issue 21).

Playwright drives Debian's Chromium (/usr/bin/chromium) headless with every request that is not
a local file aborted: each page must open with no JavaScript error, no console error, no
request to the network, and its Leaflet map drawn inside the page's iframe. ``write_report(...,
pdf=True)`` must print one PDF per page with at least one page each. Outside CI the tests skip
when Chromium or playwright is missing; with ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, require_chromium
from test_dossier import POLICY, tiny_data

import landuse
from landuse.report.dossier import write_report

DRAWN = """() => window.landuse && Object.keys(landuse.layers).length > 0 &&
    Object.values(landuse.layers).every(l => !l._map || l._drawnAt !== undefined)"""
LAYERS = """() => Object.fromEntries(Object.entries(landuse.layers).map(([name, l]) => [
    name, {features: l.featureCount(), drawn: l.drawnCount(), shown: !!l._map}]))"""


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory) -> list[Path]:
    require_chromium()
    os.environ.setdefault("LANDUSE_CHROMIUM", CHROMIUM)
    s = landuse.load_sample()
    out = tmp_path_factory.mktemp("dossier-browser")
    return write_report(out, data=s, year=2021, as_of=s.as_of, policy=POLICY, pdf=True)


class Opened:
    """A page opened with the network cut off, recording errors, dialogs and requests."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.blocked: list[str] = []
        self.context = browser.new_context(viewport={"width": 1200, "height": 900})
        page = self.page = self.context.new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("dialog", self._dialog)
        self.context.route("**/*", self._route)
        page.goto(path.resolve().as_uri(), wait_until="load")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "about:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def map_frame(self) -> Any:
        """The iframe holding the map, once its layers have drawn."""
        self.page.locator("iframe").first.scroll_into_view_if_needed()
        frames = [f for f in self.page.frames if f != self.page.main_frame]
        assert frames, "no map iframe"
        frame = frames[0]
        frame.wait_for_function(DRAWN, timeout=30_000)
        return frame


#: The zoom of the page's Leaflet map (a fitted zone is at ~13, the city at ~9; 0 = the world).
ZOOM = """() => {
  for (const key of Object.keys(window)) {
    if (!key.startsWith("map_")) continue;  // folium names its map map_<id>
    const v = window[key];
    if (v instanceof L.Map) return v.getZoom();
  }
  return null;
}"""


def _check_page(browser: Any, path: Path) -> dict[str, Any]:
    opened = Opened(browser, path)
    try:
        frame = opened.map_frame()
        # the map shows its zone (or the city), not the whole world: the bounds are fitted even
        # when the iframe had no size yet when its script ran
        try:
            frame.wait_for_function(f"() => ({ZOOM})() >= 5", timeout=10_000)
        except Exception:  # noqa: BLE001 - report the zoom seen instead of a timeout
            pytest.fail(f"{path.name}: the map is not fitted, zoom {frame.evaluate(ZOOM)}")
        assert frame.evaluate("() => document.querySelectorAll('.leaflet-container').length") == 1
        layers = frame.evaluate(LAYERS)
        canvas = frame.evaluate("() => document.querySelectorAll('canvas').length")
        fonts = opened.page.evaluate("() => getComputedStyle(document.body).fontFamily")
        assert opened.errors == [], opened.errors
        assert opened.console == [], opened.console
        assert opened.blocked == [], opened.blocked
        assert opened.dialogs == [], opened.dialogs
        return {"layers": layers, "canvas": canvas, "fonts": fonts}
    finally:
        opened.context.close()


def test_every_sample_page_opens_offline_with_its_map_drawn(browser, sample_report):
    pages = [p for p in sample_report if p.suffix == ".html"]
    assert len(pages) == 15
    for path in pages:
        seen = _check_page(browser, path)
        assert seen["canvas"] >= 1, path.name
        drawn = {name: l for name, l in seen["layers"].items() if l["shown"]}
        assert drawn, (path.name, seen["layers"])
        assert all(l["drawn"] > 0 for l in drawn.values()), (path.name, drawn)
        assert re.search(
            r"Noto Sans CJK|WenQuanYi|Source Han|Microsoft YaHei|PingFang", seen["fonts"]
        )
        if path.name.startswith("zone_"):
            assert len(seen["layers"]) >= 3, (path.name, seen["layers"])  # zone, parcels, bank …


def test_pdf_of_every_page_has_at_least_one_page(sample_report):
    pdfs = [p for p in sample_report if p.suffix == ".pdf"]
    pages = [p for p in sample_report if p.suffix == ".html"]
    assert [p.stem for p in pdfs] == [p.stem for p in pages]
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF")
        assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 1, pdf.name


def test_hostile_names_run_no_script_in_the_browser(browser, tmp_path):
    require_chromium()
    data = tiny_data()
    written = write_report(tmp_path, data=data, year=2021, as_of=data.as_of, policy=POLICY)
    for path in written:
        opened = Opened(browser, path)
        try:
            opened.map_frame()
            title = opened.page.title()
            heading = opened.page.locator("h1").first.inner_text()
            assert opened.dialogs == [] and opened.errors == [] and opened.blocked == []
            if path.name == "zone_Z1.html":
                assert "<script>alert(1)</script>" in title
                assert "<script>alert(1)</script>" in heading
        finally:
            opened.context.close()
