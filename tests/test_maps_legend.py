"""The legend panel and the scale bar in Chromium (issue 18): one panel per map, never over a control.

The demo's combined map (five layers with legends) is opened at notebook-cell size (980×588) and
at a laptop's (1400×900), with every request that is not a local file aborted (the ``Page`` of
test_browser). Boxes are read with ``getBoundingClientRect``: the panel must lie inside the map
and intersect no other Leaflet control (layer control, zoom, scale bar, attribution).
Screenshots go to ``$LANDUSE_ARTIFACTS`` (default ``build/test-artifacts``) for review.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from test_browser import Page
from test_mapping import demo_map, grid, specs

from landuse.mapping import map_parcels, save_map, set_legend
from landuse.schema import category_labels

SIZES = [(980, 588), (1400, 900)]
TOGGLE = ".leaflet-control-layers-overlays label"

BOXES = """() => {
    const box = e => { const r = e.getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
    const legend = document.querySelector('.landuse-legend');
    return {
        map: box(document.querySelector('.leaflet-container')),
        legend: box(legend),
        controls: [...document.querySelectorAll('.leaflet-control')]
            .filter(c => c !== legend && c.getBoundingClientRect().height > 0)
            .map(c => ({cls: c.className, ...box(c)})),
    };
}"""

SECTIONS = """() => [...document.querySelectorAll('.landuse-legend-section')].map(s => ({
    layer: s.dataset.layer,
    title: s.querySelector('.landuse-legend-title').textContent,
    labels: [...s.querySelectorAll('.landuse-legend-label')].map(l => l.textContent),
    counts: [...s.querySelectorAll('.landuse-legend-count')].map(l => l.textContent),
    shown: s.getBoundingClientRect().height > 0,
}))"""


class _Sized:
    """A browser whose new contexts get one viewport size (for test_browser's ``Page``)."""

    def __init__(self, browser: Any, width: int, height: int) -> None:  # noqa: F811
        self.browser, self.viewport = browser, {"width": width, "height": height}

    def new_context(self, **options: Any) -> Any:
        return self.browser.new_context(**{**options, "viewport": self.viewport})


@pytest.fixture
def open_sized(browser: Any) -> Any:  # noqa: F811
    pages: list[Page] = []

    def opener(path: Path, width: int, height: int) -> Page:
        page = Page(_Sized(browser, width, height), path)
        pages.append(page)
        page.page.locator(".landuse-legend").wait_for(state="visible", timeout=10_000)
        return page

    yield opener
    for page in pages:
        page.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    m = demo_map()
    layers = specs(m)
    return save_map(m, tmp_path_factory.mktemp("legend") / "demo.html", offline=True), layers


def screenshot(page: Page, name: str) -> None:
    folder = Path(os.environ.get("LANDUSE_ARTIFACTS", "build/test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(folder / f"{name}.png"))


def intersects(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


def assert_placed(page: Page) -> dict[str, Any]:
    """The panel is inside the map and over no other control; returns the boxes."""
    boxes = page.js(BOXES)
    legend, area = boxes["legend"], boxes["map"]
    assert legend["bottom"] > legend["top"]
    for side in ("left", "top"):
        assert area[side] <= legend[side], boxes
    for side in ("right", "bottom"):
        assert legend[side] <= area[side], boxes
    assert any("leaflet-control-layers" in c["cls"] for c in boxes["controls"])
    for control in boxes["controls"]:
        assert not intersects(legend, control), (control["cls"], legend, control)
    return boxes


def clean(page: Page) -> None:
    assert page.errors == []
    assert page.console_errors == []
    assert page.dialogs == []
    assert page.blocked == []  # no basemap: nothing to fetch


# --- Python side ------------------------------------------------------------------------------


def test_set_legend_checks_its_options_and_keeps_one_setting_per_map():
    m = map_parcels(grid(2), basemap=None)
    with pytest.raises(ValueError, match=r"`position` passed to set_legend\(\) must be one of"):
        set_legend(m, position="middle")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`title`"):
        set_legend(m, title=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`collapsed`"):
        set_legend(m, collapsed="yes")  # type: ignore[arg-type]
    assert set_legend(m, position="topleft") is m
    set_legend(m, title="</script><b>x", collapsed=True)
    html = m.get_root().render()
    calls = re.findall(r"landuse\.legend\(\w+, (.*?)\);", html)
    # the last call wins, and the title is JSON text (no closing tag can end the script)
    assert calls == [
        '{"position":"bottomright","title":"\\u003c/script\\u003e\\u003cb\\u003ex","collapsed":true}'
    ]


# --- in Chromium --------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_demo_map_has_one_legend_panel_beside_the_layer_control(
    open_sized: Any, demo: tuple[Path, dict[str, dict]], width: int, height: int
) -> None:
    path, layers = demo
    page = open_sized(path, width, height)
    screenshot(page, f"legend_demo_{width}x{height}")
    assert page.page.locator(".landuse-legend").count() == 1
    boxes = assert_placed(page)
    control = next(c for c in boxes["controls"] if "leaflet-control-layers" in c["cls"])
    assert boxes["legend"]["top"] >= control["bottom"] + 10  # below it, a margin apart
    # one section per layer, in the layer control's order, named by the layer
    sections = page.js(SECTIONS)
    names = [s.strip() for s in page.page.locator(TOGGLE).all_inner_texts()]
    assert [s["layer"] for s in sections] == names == list(layers)
    assert all(s["shown"] for s in sections)
    for section in sections:
        legend = layers[section["layer"]]["legend"]
        assert section["title"] == legend["title"]
        assert section["title"].startswith(section["layer"])
        assert section["labels"] == [item["label"] for item in legend["items"]]
    by_layer = {s["layer"]: s for s in sections}
    assert [s["title"] for s in sections][:3] == ["功能分区", "产业集聚区", "宗地 · 亩均效益等级"]
    # class labels from the catalogue, counts as numbers
    assert set(by_layer["新增工业用地合规"]["labels"]) == set(category_labels("verdict").values())
    assert "跨集聚区边界" in by_layer["新增工业用地合规"]["labels"]
    assert by_layer["新增工业用地合规"]["counts"] == [" (2)"] * 6
    assert set(category_labels("grade").values()) <= set(by_layer["宗地"]["labels"])
    assert by_layer["产业集聚区"]["labels"] == ["集聚区边界"]
    assert by_layer["产业集聚区"]["counts"] == [" (14)"]
    # taller than the room it has: the sections scroll, and the last one can be reached
    body = page.page.locator(".landuse-legend-body")
    scrolls = body.evaluate("b => b.scrollHeight > b.clientHeight")
    assert scrolls == (height < 800)
    last = page.page.locator(".landuse-legend-label", has_text="非工业用途")
    last.scroll_into_view_if_needed()
    assert last.is_visible()
    assert_placed(page)
    clean(page)


def test_sections_follow_the_layer_control(open_sized: Any, demo: tuple[Path, dict]) -> None:
    path, _ = demo
    page = open_sized(path, 980, 588)

    def shown() -> list[str]:
        return [s["layer"] for s in page.js(SECTIONS) if s["shown"]]

    everything = shown()
    page.page.locator(TOGGLE, has_text="宗地").click()
    assert shown() == [n for n in everything if n != "宗地"]
    assert not page.page.locator('.landuse-legend-section[data-layer="宗地"]').is_visible()
    assert_placed(page)
    screenshot(page, "legend_parcels_off_980x588")
    page.page.locator(TOGGLE, has_text="宗地").click()
    assert shown() == everything
    # all layers off: no panel at all; one back on: the panel with that one section
    for name in everything:
        page.page.locator(TOGGLE, has_text=name).click()
    assert shown() == []
    assert not page.page.locator(".landuse-legend").is_visible()
    page.page.locator(TOGGLE, has_text="产业集聚区").click()
    assert shown() == ["产业集聚区"]
    assert page.page.locator(".landuse-legend").is_visible()
    assert_placed(page)
    clean(page)


def test_panel_collapses_to_a_button_and_opens_again(open_sized: Any, demo: tuple[Path, dict]):
    path, _ = demo
    page = open_sized(path, 980, 588)
    p = page.page
    assert p.locator(".landuse-legend-heading").inner_text() == "图例"
    assert not p.locator(".landuse-legend-open").is_visible()
    open_height = page.js(BOXES)["legend"]["bottom"] - page.js(BOXES)["legend"]["top"]
    p.locator(".landuse-legend-toggle").click()
    assert p.locator(".landuse-legend-open").is_visible()
    assert p.locator(".landuse-legend-open").inner_text() == "图例"
    assert not p.locator(".landuse-legend-body").is_visible()
    boxes = assert_placed(page)
    assert boxes["legend"]["bottom"] - boxes["legend"]["top"] < 40 < open_height
    screenshot(page, "legend_collapsed_980x588")
    p.locator(".landuse-legend-open").click()
    assert p.locator(".landuse-legend-body").is_visible()
    assert p.locator(".landuse-legend-section").first.is_visible()
    assert not p.locator(".landuse-legend-open").is_visible()
    assert_placed(page)
    clean(page)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_set_legend_moves_and_titles_the_panel(open_sized: Any, tmp_path: Path, width, height):
    m = set_legend(demo_map(), position="topleft", title="图例")
    page = open_sized(save_map(m, tmp_path / "topleft.html", offline=True), width, height)
    screenshot(page, f"legend_topleft_{width}x{height}")
    boxes = assert_placed(page)
    zoom = next(c for c in boxes["controls"] if "leaflet-control-zoom" in c["cls"])
    legend = boxes["legend"]
    assert legend["left"] == zoom["left"] == 10  # the left column, below the zoom buttons
    assert legend["top"] >= zoom["bottom"] + 10
    assert legend["right"] < width / 2
    assert page.page.locator(".landuse-legend-heading").inner_text() == "图例"
    assert page.page.locator(".landuse-legend-section").count() == 5
    clean(page)


def test_every_corner_and_a_resize_keep_the_controls_uncovered(open_sized: Any, tmp_path: Path):
    for position in ("topright", "bottomleft"):
        m = set_legend(demo_map(), position=position)
        page = open_sized(save_map(m, tmp_path / f"{position}.html", offline=True), 980, 588)
        boxes = assert_placed(page)
        if position == "topright":  # below the layer control in the same corner
            control = next(c for c in boxes["controls"] if "leaflet-control-layers" in c["cls"])
            assert boxes["legend"]["top"] >= control["bottom"]
        screenshot(page, f"legend_{position}_980x588")
        # the notebook cell shrinks: the panel's height follows the map's
        page.page.set_viewport_size({"width": 760, "height": 420})
        page.page.wait_for_timeout(400)
        assert_placed(page)
        clean(page)


def test_collapsed_english_panel_and_html_in_the_title(open_sized: Any, tmp_path: Path):
    parcels = grid(2).assign(grade=["A", "B"])
    title = '<img src=x onerror="window.__pwned=1">'
    m = map_parcels(parcels, column="grade", basemap=None, lang="en")
    set_legend(m, title=title, collapsed=True)
    page = open_sized(save_map(m, tmp_path / "en.html", offline=True), 980, 588)
    p = page.page
    assert p.locator(".landuse-legend-open").inner_text() == "Legend"
    assert not p.locator(".landuse-legend-body").is_visible()
    p.locator(".landuse-legend-open").click()
    assert p.locator(".landuse-legend-heading").inner_text() == title  # shown as text
    assert p.locator(".landuse-legend img").count() == 0
    assert p.locator(".landuse-legend-toggle").get_attribute("title") == "Collapse the legend"
    assert (
        p.locator(".landuse-legend-section").inner_text().startswith("Parcels · Efficiency grade")
    )
    assert page.js("() => typeof window.__pwned") == "undefined"
    assert_placed(page)
    clean(page)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_scale_bar_is_metric(open_sized: Any, demo: tuple[Path, dict], width: int, height: int):
    path, _ = demo
    page = open_sized(path, width, height)
    lines = page.page.locator(".leaflet-control-scale-line").all_inner_texts()
    assert len(lines) == 1
    assert re.fullmatch(r"\d+ (m|km)", lines[0].strip()), lines
    text = page.page.locator(".leaflet-control-scale").inner_text()
    assert "ft" not in text
    assert "mi" not in text
    # zoomed in to a street, still metres
    page.js(
        "() => Object.values(window).find(v => v instanceof L.Map).setZoom(17, {animate: false})"
    )
    page.page.wait_for_timeout(200)
    line = page.page.locator(".leaflet-control-scale-line").inner_text().strip()
    assert re.fullmatch(r"\d+ m", line), line
    clean(page)
