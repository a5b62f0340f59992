"""Text from data on a map is shown as that text: never run as a template, script or markup.

Issue 14, D1 and D3 of the reliability review: branca compiled the HTML landuse built as a
new Jinja2 template (an enterprise name ran a shell command; ``{#`` made a map unsaveable), and
Leaflet's layer control inserted layer names as HTML (``<img onerror>`` ran). The regression
tests reproduce each report; the property tests feed adversarial text into every field a map
shows and check the saved page (Python) and what Chromium shows (browser).
"""

from __future__ import annotations

import atexit
import collections
import json
import logging
import re
import shutil
import tempfile
from html import unescape
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from conftest import QD_GK, square
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_browser import MAP_JS, Page
from test_mapping import specs

from landuse.cli import main
from landuse.mapping import map_parcels, map_zones, save_map
from landuse.mapping._style import field_label
from landuse.schema import FIELDS, LAYERS

#: Running a template expression would create this file (one per test session).
CANARY_DIR = Path(tempfile.mkdtemp(prefix="landuse-canary-"))
atexit.register(shutil.rmtree, CANARY_DIR, ignore_errors=True)
CANARY = CANARY_DIR / "PWNED"
RCE = "{{ cycler.__init__.__globals__.os.system('touch " + str(CANARY) + "') }}"
RCE_STMT = "{% set x = cycler.__init__.__globals__.os.system('touch " + str(CANARY) + "') %}"

_CONTROL_RE = re.compile(r"landuse\.layerControl\(\w+, ")


@pytest.fixture(autouse=True)
def _no_canary() -> None:
    CANARY.unlink(missing_ok=True)  # each test starts without it


def parcels(**columns: Any) -> gpd.GeoDataFrame:
    """Two 100 m squares side by side at Qingdao (1 ha = 15 亩 each)."""
    x0, y0 = QD_GK
    # object columns: pandas' string dtype (pyarrow) cannot hold a lone surrogate
    # (column names too, so they are set as an object index after the frame is built)
    data = {"parcel_id": ["P1", "P2"], **columns}
    frame = gpd.GeoDataFrame(
        {f"c{i}": pd.Series(v, dtype=object) for i, v in enumerate(data.values())},
        geometry=[square(x0, y0), square(x0 + 100, y0)],
        crs="EPSG:4549",
    )
    frame.columns = pd.Index([*data, "geometry"], dtype=object)
    return frame


def zone(name: str, zone_id: str = "QD01") -> gpd.GeoDataFrame:
    x0, y0 = QD_GK
    return gpd.GeoDataFrame(
        {"zone_id": pd.Series([zone_id], dtype=object), "name": pd.Series([name], dtype=object)},
        geometry=[shapely.box(x0 - 300, y0 - 300, x0 + 500, y0 + 400)],
        crs="EPSG:4549",
    )


def field_values(spec: dict, label: str) -> list:
    field = next(f for f in spec["fields"] if f["label"] == label)
    if "codes" in field:
        return [None if c < 0 else field["cats"][c] for c in field["codes"]]
    return field["values"]


def control_names(html: str) -> list[str]:
    """Names the page's layer control lists (what the page gives ``landuse.layerControl``)."""
    found = _CONTROL_RE.findall(html)
    assert len(found) == 1
    start = _CONTROL_RE.search(html).end()
    payload, _ = json.JSONDecoder().raw_decode(html, start)
    return [entry["name"] for entry in payload["layers"]]


# --- D1: nothing is compiled as a template after landuse built it -----------------------------


def test_enterprise_name_with_a_jinja_expression_runs_nothing_when_saved(tmp_path):
    m = map_parcels(parcels(enterprise=[RCE, "乙"]), basemap=None)
    for offline in (False, True):
        html = save_map(m, tmp_path / f"m{offline}.html", offline=offline).read_text("utf-8")
        assert not CANARY.exists()
        assert field_values(specs(html)["宗地"], "企业名称") == [RCE, "乙"]


def test_enterprise_name_with_a_jinja_expression_runs_nothing_in_a_notebook():
    m = map_parcels(parcels(enterprise=[RCE, "乙"]), basemap=None)
    page = m._repr_html_()
    assert not CANARY.exists()
    assert "cycler.__init__.__globals__" in page


def test_landuse_map_command_runs_nothing_from_the_data(tmp_path):
    parcels(enterprise=[RCE, RCE_STMT]).to_file(tmp_path / "evil.gpkg")
    out = tmp_path / "m.html"
    result = CliRunner().invoke(
        main,
        ["map", "--parcels", str(tmp_path / "evil.gpkg"), "--basemap", "none", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert not CANARY.exists()
    assert field_values(specs(out.read_text("utf-8"))["宗地"], "企业名称") == [RCE, RCE_STMT]


@pytest.mark.parametrize(
    "text", ["1号地块{#", "A{{B", "{#a#}b", "{% raw", "{{7*7}}", "{%- endmacro %}", "}}{{"]
)
def test_template_delimiters_are_ordinary_text(tmp_path, text):
    m = map_parcels(parcels(enterprise=[text, "乙"]), basemap=None)
    html = save_map(m, tmp_path / "m.html").read_text("utf-8")
    assert field_values(specs(html)["宗地"], "企业名称") == [text, "乙"]


def test_layer_names_zone_names_and_legend_titles_are_not_templates(tmp_path):
    m = map_zones(zone("{{6*7}}", zone_id="{#z#}"), basemap=None, name="{{7*7}}" + RCE)
    m = map_parcels(
        parcels(**{"{{ col }}": ["{% if 1 %}", "{#"]}),
        column="{{ col }}",
        m=m,
        name="宗地{{ 1 }}",
    )
    html = save_map(m, tmp_path / "m.html", offline=True).read_text("utf-8")
    assert not CANARY.exists()
    layers = specs(html)
    zone_layer = "{{7*7}}" + RCE
    assert control_names(html) == [zone_layer, "宗地{{ 1 }}"]
    assert layers[zone_layer]["legend"]["title"] == zone_layer
    assert field_values(layers[zone_layer], "名称") == ["{{6*7}}"]
    assert field_values(layers[zone_layer], "集聚区编号") == ["{#z#}"]
    legend = layers["宗地{{ 1 }}"]["legend"]
    assert legend["title"] == "宗地{{ 1 }} · {{ col }}"
    assert [item["label"] for item in legend["items"]] == ["{% if 1 %}", "{#"]


def test_drawing_onto_a_folium_map_with_its_own_layer_control(tmp_path):
    """``m=`` a plain folium map whose LayerControl came first, and one added after landuse."""
    m = folium.Map(tiles=None)
    folium.LayerControl().add_to(m)
    m = map_parcels(parcels(), m=m, name="A{{B" + RCE)
    folium.LayerControl(collapsed=True).add_to(m)  # after the landuse layer, as users do
    page = m._repr_html_()
    assert not CANARY.exists()
    html = save_map(m, tmp_path / "m.html").read_text("utf-8")
    assert not CANARY.exists()
    assert control_names(html) == ["A{{B" + RCE]
    assert "cycler.__init__.__globals__" in page


def test_nul_and_lone_surrogates_travel_as_json_escapes(tmp_path):
    """A value Python holds but UTF-8 cannot encode (a lone surrogate) is sent as ``\\ud800``."""
    text = "a\x00b\ud800c"
    m = map_parcels(parcels(enterprise=[text, "乙"]), basemap=None, name="宗地\udc80")
    html = save_map(m, tmp_path / "m.html").read_text("utf-8")
    assert field_values(specs(html)["宗地\udc80"], "企业名称") == [text, "乙"]
    assert control_names(html) == ["宗地\udc80"]
    assert "\\u0000" in html and "\\ud800" in html and "\\udc80" in html


def test_a_layer_name_is_sent_as_text_not_markup(tmp_path):
    name = '<img src=x onerror="window.__pwned=1">'
    html = save_map(map_parcels(parcels(), basemap=None, name=name), tmp_path / "m.html")
    text = html.read_text("utf-8")
    assert control_names(text) == [name]
    assert "<img" not in text  # anywhere in the page: names travel as escaped JSON


# --- Python-level property test: every field, every way a map is written -----------------------

#: Pieces adversarial strings are built from.
PIECES = [
    RCE,
    RCE_STMT,
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "{{7*7}}",
    "{% raw %}",
    "{%- endmacro %}",
    "<img src=https://evil.example/x onerror=window.__pwned=1>",
    "<svg onload=window.__pwned=1>",
    "<script>window.__pwned=1</script>",
    "</script><script>window.__pwned=1</script>",
    "</script",
    "<!--",
    "-->",
    "<![CDATA[",
    "javascript:window.__pwned=1",
    "\" onmouseover=\"window.__pwned=1",
    "' onclick='window.__pwned=1",
    "&lt;b&gt;",
    "&amp;",
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "=HYPERLINK(\"http://evil.example\")",
    "\t",
    "\r",
    "\r\n",
    "\n",
    '"',
    "'",
    "`",
    "\\",
    "\\u003c",
    "\x00",
    "\ud800",  # a lone surrogate (from a badly decoded file)
    "\u202e",
    "\u2028",
    "\u2029",
    "\ufeff",
    "宗地",
    "青岛汽车产业集聚区",
    "😀",
    "👨‍👩‍👧",
    " ",
    "__proto__",
    "constructor",
]

adversarial = st.one_of(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join),
    st.text(min_size=1, max_size=12),
    st.tuples(st.text(max_size=4), st.sampled_from(PIECES), st.text(max_size=4)).map("".join),
)

#: Names with a label of their own in the catalogue would be shown as that label.
_KNOWN = {c for layer in LAYERS.values() for c in layer.column_names} | set(FIELDS) | {
    "geometry",
    "parcel_id",
    "enterprise",
    "zone_id",
    "name",
    "area_km2",
    "area_mu",
}

#: How many adversarial strings went through each sink (asserted at the end of each test).
SINKS: collections.Counter[str] = collections.Counter()
#: How many examples held each kind of hostile text (logged, for the record).
KINDS: collections.Counter[str] = collections.Counter()
log = logging.getLogger(__name__)


def build(texts: dict[str, str]) -> folium.Map:
    """Zones and parcels with adversarial text in every field a map shows."""
    m = map_zones(
        zone(texts["zone_name"], zone_id=texts["zone_id"]),
        basemap=None,
        name=texts["zone_layer"],
    )
    frame = parcels(
        enterprise=[texts["enterprise"], texts["enterprise"] + "2"],
        **{texts["column"]: [texts["category"], "甲"]},
    )
    frame["parcel_id"] = pd.Series([texts["value"], "P2"], dtype=object)
    return map_parcels(frame, column=texts["column"], m=m, name=texts["layer"])


def texts_strategy() -> st.SearchStrategy[dict[str, str]]:
    keys = ("zone_name", "zone_id", "zone_layer", "enterprise", "value", "column", "category", "layer")
    return st.fixed_dictionaries({k: adversarial for k in keys}).filter(_usable)


_KINDS = {
    "Jinja2 delimiter": re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}"),
    "HTML/script": re.compile(r"<|>"),
    "NUL": re.compile("\x00"),
    "lone surrogate": re.compile("[\ud800-\udfff]"),
    "CR or tab": re.compile("[\r\t]"),
    "bidi override": re.compile("\u202e"),
    "formula prefix": re.compile(r"^[=+\-@]"),
    "astral (emoji)": re.compile("[\U00010000-\U0010ffff]"),
}


def note_kinds(t: dict[str, str]) -> None:
    """Tell hypothesis' statistics which kinds of text an example held (any field)."""
    for kind, pattern in _KINDS.items():
        if any(pattern.search(v) for v in t.values()):
            event(kind)
            KINDS[kind] += 1


def _usable(t: dict[str, str]) -> bool:
    return (
        t["column"] not in _KNOWN
        and field_label(t["column"], "zh") == t["column"]
        and t["layer"] != t["zone_layer"]  # the second would become "name (2)"
        and t["category"] != "甲"
        and t["value"] != "P2"
    )


def parcels_legend_title(t: dict[str, str]) -> str:
    """The legend names its layer, then the column it colours by (once if they are the same)."""
    return t["layer"] if t["column"] == t["layer"] else f"{t['layer']} · {t['column']}"


def check_page(html: str, t: dict[str, str]) -> None:
    """What the page holds, read as a browser reads it, equals the input."""
    assert not CANARY.exists()
    for json_text in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S):
        assert "<" not in json_text  # nothing in the data can end the element or open a comment
    layers = specs(html)
    assert control_names(html) == [t["zone_layer"], t["layer"]]
    SINKS["layer names (layer control)"] += 2
    zones_spec, parcels_spec = layers[t["zone_layer"]], layers[t["layer"]]
    assert field_values(zones_spec, "名称") == [t["zone_name"]]
    assert field_values(zones_spec, "集聚区编号") == [t["zone_id"]]
    SINKS["zone names and ids (tooltip, popup)"] += 2
    assert field_values(parcels_spec, "企业名称") == [t["enterprise"], t["enterprise"] + "2"]
    SINKS["enterprise names (popup)"] += 1
    assert field_values(parcels_spec, "宗地编号") == [t["value"], "P2"]
    SINKS["displayed values (tooltip, popup)"] += 1
    assert field_values(parcels_spec, t["column"]) == [t["category"], "甲"]
    SINKS["column names (tooltip, popup labels)"] += 1
    assert zones_spec["legend"]["title"] == t["zone_layer"]
    assert parcels_spec["legend"]["title"] == parcels_legend_title(t)
    SINKS["legend titles"] += 2
    labels = sorted(item["label"] for item in parcels_spec["legend"]["items"])
    assert labels == sorted([t["category"], "甲"])
    SINKS["categories (legend labels)"] += 1


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(t=texts_strategy())
def _python_property(t: dict[str, str]) -> None:
    note_kinds(t)
    m = build(t)
    with tempfile.TemporaryDirectory() as tmp:
        online = save_map(m, Path(tmp) / "online.html").read_text("utf-8")
        offline = save_map(m, Path(tmp) / "offline.html", offline=True).read_text("utf-8")
    notebook = m._repr_html_()
    assert not CANARY.exists()
    check_page(online, t)
    SINKS["pages: save_map(offline=False)"] += 1
    check_page(offline, t)
    SINKS["pages: save_map(offline=True)"] += 1
    # a notebook shows the page in an iframe's srcdoc, which branca HTML-escapes once
    (srcdoc,) = re.findall(r'srcdoc="([^"]*)"', notebook)
    check_page(unescape(srcdoc), t)
    SINKS["pages: notebook display (_repr_html_)"] += 1


def test_adversarial_text_in_every_field_is_kept_as_text_in_the_saved_page():
    SINKS.clear()
    KINDS.clear()
    _python_property()
    log.info("examples per sink: %s; examples per kind of text: %s", dict(SINKS), dict(KINDS))
    # every sink saw every example once per page written (3 pages per example)
    assert SINKS["pages: save_map(offline=False)"] >= 200, dict(SINKS)
    assert min(SINKS.values()) >= 200, dict(SINKS)


# --- in Chromium: what the reader sees --------------------------------------------------------

SHOWN = """() => JSON.stringify({
    pwned: typeof window.__pwned,
    control: [...document.querySelectorAll('.leaflet-control-layers-overlays label > span > span')]
        .map(s => s.textContent),
    legendTitles: [...document.querySelectorAll('.landuse-legend-title')].map(d => d.textContent),
    legendLabels: [...document.querySelectorAll('.landuse-legend-label')].map(d => d.textContent),
})"""

ROWS = """(kind) => JSON.stringify([...document.querySelectorAll('.landuse-' + kind + ' tr')]
    .map(r => [r.cells[0].textContent, r.cells[1].textContent]))"""


def _point(page: Page, layer: str, index: int, *, edge: bool = False) -> tuple[float, float]:
    """Page coordinates of a feature's centre (or the middle of its west edge)."""
    return tuple(
        page.js(
            """([layer, index, edge]) => {
                const map = MAP, target = landuse.layers[layer];
                const b = target.featureBounds(index);
                const at = edge ? L.latLng(b.getCenter().lat, b.getWest()) : b.getCenter();
                const p = map.latLngToContainerPoint(at);
                const box = map.getContainer().getBoundingClientRect();
                return [box.left + p.x, box.top + p.y];
            }""".replace("MAP", MAP_JS),
            [layer, index, edge],
        )
    )


def _rows(page: Page, kind: str, first_label: str) -> list[list[str]]:
    page.page.wait_for_function(
        """([kind, label]) => {
            const th = document.querySelector('.landuse-' + kind + ' th');
            return th && th.textContent === label;
        }""",
        arg=[kind, first_label],
        timeout=10_000,
    )
    return json.loads(page.js(ROWS, kind))


def shown(page: Page) -> dict[str, Any]:
    """Texts the page shows, exactly (JSON keeps NUL and lone surrogates intact on the way)."""
    return json.loads(page.js(SHOWN))


def check_in_browser(browser: Any, t: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = save_map(build(t), Path(tmp) / "m.html", offline=True)
        page = Page(browser, path)
        try:
            texts = shown(page)
            assert texts["control"] == [" " + t["zone_layer"], " " + t["layer"]]
            legend_titles = [t["zone_layer"], parcels_legend_title(t)]
            assert sorted(texts["legendTitles"]) == sorted(legend_titles)
            assert sorted(texts["legendLabels"]) == sorted(["集聚区边界", t["category"], "甲"])
            # the whole map in view at a zoom where the zone's edge and the parcels are apart
            page.js(f"() => {MAP_JS}.fitBounds(landuse.layers[{json.dumps(t['zone_layer'])}]"
                    ".getBounds(), {animate: false})")
            page.page.wait_for_timeout(100)
            page.page.mouse.move(*_point(page, t["layer"], 0))
            assert _rows(page, "tooltip", "宗地编号") == [
                ["宗地编号", t["value"]],
                [t["column"], t["category"]],
            ]
            page.page.mouse.click(*_point(page, t["layer"], 0))
            assert _rows(page, "popup", "宗地编号") == [
                ["宗地编号", t["value"]],
                ["企业名称", t["enterprise"]],
                [t["column"], t["category"]],
            ]
            page.page.mouse.move(*_point(page, t["zone_layer"], 0, edge=True))
            assert _rows(page, "tooltip", "集聚区编号") == [
                ["集聚区编号", t["zone_id"]],
                ["名称", t["zone_name"]],
            ]
            page.page.wait_for_timeout(50)
            assert page.js("() => typeof window.__pwned") == "undefined"
            assert texts["pwned"] == "undefined"
            assert page.dialogs == []
            assert page.blocked == []
            assert page.errors == []
            assert page.console_errors == []
            assert not CANARY.exists()
        finally:
            page.close()
    for sink in ("layer control", "legend titles", "legend labels", "tooltip", "popup"):
        SINKS[f"browser: {sink}"] += 1


def test_adversarial_text_shows_as_itself_in_chromium(browser):  # noqa: F811
    SINKS.clear()

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(t=texts_strategy())
    def run(t: dict[str, str]) -> None:
        # NUL and lone surrogates are kept in the page (JSON escapes); the browser shows them
        # as its text nodes hold them, so they take part here as well
        note_kinds(t)
        check_in_browser(browser, t)

    KINDS.clear()
    run()
    log.info("examples per sink: %s; examples per kind of text: %s", dict(SINKS), dict(KINDS))
    assert min(SINKS.values()) >= 25, dict(SINKS)


def test_layer_name_with_an_img_onerror_is_shown_as_text_in_chromium(browser, tmp_path):  # noqa: F811
    name = '<img src=x onerror="window.__pwned=1;document.title=\'PWNED\'">'
    m = map_zones(zone("<svg onload=window.__pwned=2>"), basemap=None, name=name)
    page = Page(browser, save_map(m, tmp_path / "z.html", offline=True))
    try:
        texts = shown(page)
        assert texts["control"] == [" " + name]
        assert texts["legendTitles"] == [name]
        assert texts["pwned"] == "undefined"
        assert page.js("() => document.title") != "PWNED"
        assert page.js("() => document.querySelectorAll('.leaflet-control-layers img').length") == 0
        assert page.dialogs == []
        assert page.errors == []
    finally:
        page.close()
