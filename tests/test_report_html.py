"""The building blocks of the offline HTML pages (issue 21): landuse.report._html and _svg.

Parts are read back with :mod:`html.parser` (tables, the map's ``srcdoc``) and the charts with
:mod:`xml.etree` (each ``<svg>`` is well-formed XML), so the assertions are on what a browser
gets, not on substrings. One test opens a page in Chromium with every request blocked (the
skip/fail rule of tests/test_browser.py: skipped outside CI when Chromium or playwright is
missing, failing with ``CI=true``).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import xstatic.pkg.leaflet
from conftest import QD_GK

from landuse.mapping import map_zones
from landuse.report import _html, _svg

SCRIPT = "<script>alert(1)</script>"
ATTR = '"onmouseover=alert(1) x="'
TEMPLATE = "{{7*7}}"
HOSTILE = [SCRIPT, ATTR, TEMPLATE, "a & b", "'single'"]
VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "wbr"}


# --- reading HTML back ------------------------------------------------------------------------


class Tree(HTMLParser):
    """Elements as (tag, attrs, text) in document order; checks that every tag is closed."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[list[Any]] = []
        self.open: list[tuple[str, int]] = []
        self.mismatched: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append([tag, dict(attrs), ""])
        if tag not in VOID:
            self.open.append((tag, len(self.elements) - 1))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append([tag, dict(attrs), ""])

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            self.mismatched.append(tag)
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        for _, i in self.open:  # text belongs to every open element
            self.elements[i][2] += data

    def find(self, tag: str) -> list[tuple[dict[str, str | None], str]]:
        return [(attrs, text) for t, attrs, text in self.elements if t == tag]


def cells(html: str) -> list[tuple[str, dict[str, str | None], str]]:
    """Every th/td of a table as (tag, attrs, text)."""
    return [(t, a, x) for t, a, x in Tree(html).elements if t in ("th", "td")]


def body_rows(html: str) -> list[list[tuple[dict[str, str | None], str]]]:
    """The rows of the table body: each cell's attributes and text."""
    tbody = html.split("<tbody>", 1)[1]
    return [
        [(a, x) for t, a, x in Tree("<tr>" + row).elements if t in ("td", "th")]
        for row in tbody.split("<tr>")[1:]
    ]


# network references that load something (navigation links are not loads)
RESOURCE_RE = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed|object|image|use)\b[^>]*?"
    r"\b(?:src|href|data|srcset)\s*=\s*[\"']?\s*(?:https?:)?//"
    r"|url\(\s*[\"']?\s*(?:https?:)?//|@import",
    re.I,
)


# --- esc, table -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (SCRIPT, "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('"onmouseover=', "&quot;onmouseover="),
        (TEMPLATE, "{{7*7}}"),
        ("'", "&#x27;"),
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
        (pd.NaT, ""),
        (12, "12"),
    ],
)
def test_esc(value, expected):
    assert _html.esc(value) == expected


def test_table_shows_hostile_text_as_text():
    frame = pd.DataFrame({SCRIPT: HOSTILE, ATTR: [1, 2, 3, 4, 5]})
    out = _html.table(frame, caption=TEMPLATE + SCRIPT, table_id='t"1')
    assert "<script>" not in out
    assert 'onmouseover=alert(1) x=""' not in out
    tree = Tree(out)
    assert tree.mismatched == []
    assert tree.open == []
    assert [x for _, x in tree.find("th")] == [SCRIPT, ATTR]
    assert [x for _, x in tree.find("td")][::2] == HOSTILE  # text equals the input, no "49"
    assert tree.find("caption")[0][1] == TEMPLATE + SCRIPT
    assert tree.find("table")[0][0] == {"class": "data", "id": 't"1'}
    # an attribute value cannot end early: the only attributes are the ones landuse wrote
    assert {k for _, a, _ in tree.elements for k in a} == {"class", "id", "scope", "data-value"}


def test_table_numbers_carry_their_exact_value():
    frame = pd.DataFrame(
        {
            "面积（亩）": [1234567.891, np.nan, -0.004, 2.5, 3.0],
            "宗数": pd.array([1234567, None, -3, 0, 7], dtype="Int64"),
            "名称": ["甲", None, "丙", 12.345, "戊"],
        }
    )
    rows = body_rows(_html.table(frame))
    area = [(a["data-value"], x) for a, x in (r[0] for r in rows)]
    assert area == [
        ("1234567.891", "1,234,567.89"),
        ("", "—"),
        ("-0.004", "0"),
        ("2.5", "2.5"),
        ("3.0", "3"),
    ]
    assert [(a["data-value"], x) for a, x in (r[1] for r in rows)] == [
        ("1234567.0", "1,234,567"),
        ("", "—"),
        ("-3.0", "-3"),
        ("0.0", "0"),
        ("7.0", "7"),
    ]
    assert all(a["class"] == "num" for r in rows for a, _ in r[:2])
    # a text column: missing is —, a number in it is still a number
    assert [(a, x) for a, x in (r[2] for r in rows)] == [
        ({}, "甲"),
        ({"class": "na"}, "—"),
        ({}, "丙"),
        ({"class": "num", "data-value": "12.345"}, "12.35"),
        ({}, "戊"),
    ]
    heads = Tree(_html.table(frame)).find("th")
    assert [a.get("class") for a, _ in heads] == ["num", "num", None]
    # the parsed numbers are the frame's numbers, exactly
    parsed = [float(a["data-value"]) for a, _ in (r[0] for r in rows) if a["data-value"]]
    assert parsed == [1234567.891, -0.004, 2.5, 3.0]


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([1.5, None], "Float64", [("num", "1.5", "1.5"), ("num", "", "—")]),
        (
            [0.1, np.nan],
            "float32",
            [("num", repr(float(np.float32(0.1))), "0.1"), ("num", "", "—")],
        ),
        (
            [2**40, -1],
            "int64",
            [("num", "1099511627776.0", "1,099,511,627,776"), ("num", "-1.0", "-1")],
        ),
        ([float("inf"), float("-inf")], "float64", [("num", "inf", "∞"), ("num", "-inf", "-∞")]),
        ([True, None], "boolean", [(None, None, "是"), ("na", None, "—")]),
        (["2021-12-31", None], "datetime64[ns]", [(None, None, "2021-12-31"), ("na", None, "—")]),
        (["A", None], "category", [("code", None, "A"), ("na", None, "—")]),
        (["甲", None], "string", [(None, None, "甲"), ("na", None, "—")]),
        (["GY2022-010", "a b"], "string", [("code", None, "GY2022-010"), (None, None, "a b")]),
    ],
)
def test_table_column_types(values, dtype, expected):
    rows = body_rows(_html.table(pd.DataFrame({"v": pd.Series(values, dtype=dtype)})))
    assert [(a.get("class"), a.get("data-value"), x) for ((a, x),) in rows] == expected


@pytest.mark.parametrize(("lang", "yes", "no"), [("zh", "是", "否"), ("en", "yes", "no")])
def test_table_booleans(lang, yes, no):
    frame = pd.DataFrame({"ok": [True, False], "obj": [np.True_, None]})
    rows = body_rows(_html.table(frame, lang=lang))
    assert [[x for _, x in r] for r in rows] == [[yes, yes], [no, "—"]]
    assert rows[0][0][0] == {}  # not a number


@pytest.mark.parametrize(("lang", "text"), [("zh", "无数据"), ("en", "no data")])
def test_empty_table_says_so(lang, text):
    out = _html.table(pd.DataFrame({"a": [], "b": []}), lang=lang)
    assert [x for _, x in Tree(out).find("th")] == ["a", "b"]
    assert body_rows(out) == [[({"class": "empty", "colspan": "2"}, text)]]
    assert body_rows(_html.table(pd.DataFrame(), lang=lang)) == [
        [({"class": "empty", "colspan": "1"}, text)]
    ]


def test_table_index_and_html_columns():
    frame = pd.DataFrame(
        {"名称": [SCRIPT], "链接": [_html.link("zone_QD01.html", "查看")]},
        index=pd.Index(["QD01"], name="编号"),
    )
    out = _html.table(frame, index=True, html_columns=["链接"])
    assert [x for _, x in Tree(out).find("th")] == ["编号", "名称", "链接", "QD01"]
    assert body_rows(out) == [
        [({"scope": "row", "class": "code"}, "QD01"), ({"class": "code"}, SCRIPT), ({}, "查看")]
    ]
    assert Tree(out).find("a") == [({"href": "zone_QD01.html"}, "查看")]
    # the same column without html_columns is text
    assert "&lt;a href=" in _html.table(frame)
    with pytest.raises(
        ValueError, match=r"`html_columns` names columns the frame does not have: \['x'\]"
    ):
        _html.table(frame, html_columns=["x"])
    with pytest.raises(TypeError, match="must be a pandas DataFrame; received Series"):
        _html.table(frame["名称"])
    with pytest.raises(ValueError, match="`lang` passed to table"):
        _html.table(frame, lang="fr")


# --- small parts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " java\tscript:alert(1)",
        "vbscript:x",
        "data:text/html,x",
    ],
)
def test_link_refuses_code_schemes(href):
    with pytest.raises(ValueError, match="is refused"):
        _html.link(href, "x")


def test_link_escapes():
    assert _html.link('a"b.html?x=1&y=2', SCRIPT) == (
        '<a href="a&quot;b.html?x=1&amp;y=2">&lt;script&gt;alert(1)&lt;/script&gt;</a>'
    )
    assert Tree(_html.link("#bank", "项目库")).find("a") == [({"href": "#bank"}, "项目库")]
    assert _html.link("javascript.html", "x") == '<a href="javascript.html">x</a>'


def test_note_section_facts():
    for kind in _html.NOTE_KINDS:
        assert Tree(_html.note(SCRIPT, kind=kind)).find("div") == [
            ({"class": f"note {kind}", "role": "note"}, SCRIPT)
        ]
    with pytest.raises(
        ValueError, match="`kind` must be one of info, warning, reason; received 'error'"
    ):
        _html.note("x", kind="error")
    sec = Tree(_html.section(SCRIPT, "<p>x</p>", section_id='s"1'))
    assert sec.find("section")[0][0] == {"id": 's"1'}
    assert sec.find("h2") == [({}, SCRIPT)]
    dl = Tree(_html.facts([(SCRIPT, 1234567.891), ("达标", False), ("缺", None), ("名", TEMPLATE)]))
    assert [x for _, x in dl.find("dt")] == [SCRIPT, "达标", "缺", "名"]
    assert dl.find("dd") == [
        ({"class": "num", "data-value": "1234567.891"}, "1,234,567.89"),
        ({}, "否"),
        ({}, "—"),
        ({}, TEMPLATE),
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234567.891, "1,234,567.89"),
        (1234567, "1,234,567"),
        (np.int64(-1234), "-1,234"),
        (np.float32(0.5), "0.5"),
        (0.005, "0.01"),
        (-0.001, "0"),
        (float("inf"), "∞"),
        (None, "—"),
        (pd.Timestamp("2021-12-31"), "2021-12-31"),
        ("文本", "文本"),
    ],
)
def test_number_text(value, text):
    assert _html.number_text(value) == text


# --- page -------------------------------------------------------------------------------------


def test_page_is_complete_offline_and_prints_on_a4():
    body = _html.section("概况", _html.table(pd.DataFrame({"名称": HOSTILE})) + _html.note("注"))
    body += '<div class="charts">' + _svg.line_chart([2021, 2022], {"本区": [1, 2]}, title="t")
    body += _svg.bar_chart(["a"], [1], title="b") + "</div>"
    doc = _html.page(SCRIPT, body, notice=ATTR)
    tree = Tree(doc)
    assert tree.mismatched == []
    assert tree.open == []
    assert doc.startswith("<!DOCTYPE html>\n")
    assert tree.find("html")[0][0] == {"lang": "zh-CN"}
    assert tree.find("meta")[0][0] == {"charset": "utf-8"}
    assert tree.find("title")[0] == ({}, SCRIPT)  # then the charts' titles
    assert tree.find("div")[0] == ({"class": "notice", "role": "alert"}, ATTR)
    assert [t for t, _, _ in tree.elements].count("script") == 0
    # nothing is loaded from anywhere: no network reference of any kind, no web font
    assert RESOURCE_RE.search(doc) is None
    assert "http://" not in doc
    assert "https://" not in doc
    assert "@font-face" not in doc
    css = tree.find("style")[0][1]
    assert "@page { size: A4; margin: 15mm }" in css
    assert "thead { display: table-header-group; }" in css
    assert '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei"' in css
    assert re.search(r"@media print \{[^@]*nav, \.no-print \{ display: none !important; \}", css)
    assert Tree(_html.page("t", "", lang="en")).find("html")[0][0] == {"lang": "en"}
    assert 'class="notice"' not in _html.page("t", "")


# --- charts -----------------------------------------------------------------------------------


def svg_tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def polylines(svg: str) -> list[list[tuple[float, float]]]:
    return [
        [tuple(map(float, p.split(","))) for p in e.get("points", "").split()]
        for e in svg_tree(svg).iter("polyline")
    ]


def test_line_chart_points_and_axes():
    svg = _svg.line_chart(
        [2019, 2020, 2021, 2022], {"本区": [1.0, 3.0, 2.0, 5.0], "基准": [2, 2, 2, 2]}, title="亩均"
    )
    root = svg_tree(svg)
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 320 160"
    assert root.find("title").text == "亩均"
    lines = polylines(svg)
    assert [len(p) for p in lines] == [4, 4]
    assert len(list(root.iter("circle"))) == 8
    # max at the top of the plot (y=30), min at its bottom (y=160-34), x evenly by year
    ys = [y for _, y in lines[0]]
    assert ys[3] == 30
    assert ys[0] == 126
    assert ys[1] == pytest.approx(126 - 96 / 2, abs=0.01)
    xs = [x for x, _ in lines[0]]
    assert np.diff(xs) == pytest.approx([xs[1] - xs[0]] * 3, abs=0.02)
    texts = {e.get("class"): e.text for e in root.iter("text") if e.get("class")}
    assert texts["y-max"] == "5"
    assert texts["y-min"] == "1"
    assert [e.text for e in root.iter("text") if e.get("class") == "x-label"] == [
        "2019",
        "2020",
        "2021",
        "2022",
    ]
    legend = [e.text for e in root.find(".//g[@class='legend']").iter("text")]
    assert legend == ["本区", "基准"]


def test_line_chart_missing_values_split_the_line():
    svg = _svg.line_chart([1, 2, 3, 4, 5], {"a": [1.0, 2.0, np.nan, 3.0, 4.0]}, title="t")
    assert [len(p) for p in polylines(svg)] == [2, 2]
    assert len(list(svg_tree(svg).iter("circle"))) == 4
    # a value without neighbours is a marker alone; None and inf are missing too
    svg = _svg.line_chart(
        [1, 2, 3], {"a": [1.0, None, float("inf")], "b": [pd.NA, 2, 3]}, title="t"
    )
    assert [len(p) for p in polylines(svg)] == [2]
    assert len(list(svg_tree(svg).iter("circle"))) == 3
    # one x: a marker in the middle
    one = svg_tree(_svg.line_chart(["2023"], {"a": [7.0]}, title="t"))
    assert list(one.iter("polyline")) == []
    assert [c.get("cx") for c in one.iter("circle")] != []


def test_line_chart_x_labels_and_colours():
    svg = _svg.line_chart(
        [2021.0, 2022.0, 2024.0],
        {"a": [1, 2, 3], "b": [3, 2, 1]},
        title="t",
        colors={"b": "#123456"},
    )
    root = svg_tree(svg)
    assert [e.text for e in root.iter("text") if e.get("class") == "x-label"] == [
        "2021",
        "2022",
        "2024",
    ]
    (_, b) = polylines(svg)
    # numbers on x are placed by value: 2022 → 2024 is twice as far as 2021 → 2022
    assert b[2][0] - b[1][0] == pytest.approx(2 * (b[1][0] - b[0][0]), abs=0.02)
    colours = [g.get("stroke") for g in root.iter("g") if g.get("class") == "series"]
    assert colours == [_svg.PALETTE[0], "#123456"]
    # more than six x values: only the first and last are labelled
    many = svg_tree(_svg.line_chart(list(range(2010, 2020)), {"a": list(range(10))}, title="t"))
    assert [e.text for e in many.iter("text") if e.get("class") == "x-label"] == ["2010", "2019"]
    # all values equal: one label, the line in the middle
    flat = _svg.line_chart([1, 2], {"a": [5, 5]}, title="t")
    assert [e.text for e in svg_tree(flat).iter("text") if e.get("class", "").startswith("y-")] == [
        "5"
    ]
    assert {y for _, y in polylines(flat)[0]} == {78.0}


@pytest.mark.parametrize(("lang", "text"), [("zh", "无数据"), ("en", "no data")])
def test_line_chart_placeholder(lang, text):
    svg = _svg.line_chart(
        [2021, 2022], {"a": [np.nan, None], "b": [np.nan, np.nan]}, title="t", lang=lang
    )
    root = svg_tree(svg)
    assert list(root.iter("polyline")) == []
    assert list(root.iter("circle")) == []
    assert [e.text for e in root.iter("text") if e.get("class") == "no-data"] == [text]
    assert "无数据" in _svg.line_chart([], {}, title="t")


def test_chart_text_is_escaped():
    svg = _svg.line_chart([SCRIPT, TEMPLATE], {ATTR: [1, 2]}, title=SCRIPT, unit=ATTR)
    root = svg_tree(svg)
    assert root.find("title").text == SCRIPT
    texts = [e.text for e in root.iter("text")]
    assert SCRIPT in texts
    assert TEMPLATE in texts
    assert ATTR in texts
    assert list(root.iter("script")) == []
    bar = svg_tree(_svg.bar_chart([SCRIPT], [1], title=TEMPLATE, unit=ATTR, width=480))
    assert [e.text for e in bar.iter("text") if e.get("class") == "label"] == [SCRIPT]
    assert [e.text for e in bar.iter("title")][1] == f"{SCRIPT}: 1 {ATTR}"
    # a label too long for its column (40 % of the width) is cut; the tooltip has it whole
    short = svg_tree(_svg.bar_chart([SCRIPT], [1], title="t", width=200))
    assert [e.text for e in short.iter("text") if e.get("class") == "label"] == [
        "<script>aler…"
    ]  # 13 × 6 px in 80 px
    assert [e.text for e in short.iter("title")][1] == f"{SCRIPT}: 1"
    assert bar.find("title").text == TEMPLATE
    with pytest.raises(ValueError, match=r"series 'a' has 1 values for 2 x values"):
        _svg.line_chart([1, 2], {"a": [1]}, title="t")
    with pytest.raises(ValueError, match="must be numbers"):
        _svg.line_chart([1], {"a": ["x"]}, title="t")


def bars(svg: str) -> list[ET.Element]:
    return [e for e in svg_tree(svg).iter("rect") if e.get("class") == "bar"]


def test_bar_chart_widths_are_proportional():
    svg = _svg.bar_chart(["收储", "异地搬迁", "缺"], [2.0, 1.0, None], title="t", unit="亩")
    rects = bars(svg)
    assert len(rects) == 2  # no bar for the missing value
    w = [float(r.get("width")) for r in rects]
    assert w[0] == pytest.approx(2 * w[1], abs=0.002)
    assert rects[0].get("x") == rects[1].get("x")  # both start at zero
    assert [r.get("data-value") for r in rects] == ["2.0", "1.0"]
    values = [e.text for e in svg_tree(svg).iter("text") if e.get("class") == "value"]
    assert values == ["2", "1", "—"]


def test_bar_chart_negative_values():
    svg = _svg.bar_chart(["a", "b"], [2.0, -1.0], title="t")
    pos, neg = bars(svg)
    zero = float(next(e for e in svg_tree(svg).iter("line") if e.get("class") == "zero").get("x1"))
    assert float(pos.get("x")) == pytest.approx(zero, abs=0.01)
    assert float(neg.get("x")) + float(neg.get("width")) == pytest.approx(zero, abs=0.01)
    assert float(pos.get("width")) == pytest.approx(2 * float(neg.get("width")), abs=0.002)
    assert (pos.get("fill"), neg.get("fill")) == (_svg.BAR_COLOR, _svg.NEGATIVE_COLOR)
    colored = bars(_svg.bar_chart(["a", "b"], [1, 2], title="t", colors=["#111111", "#222222"]))
    assert [r.get("fill") for r in colored] == ["#111111", "#222222"]


def test_bar_chart_placeholder_and_errors():
    for labels, values in (([], []), (["a"], [np.nan])):
        svg = _svg.bar_chart(labels, values, title="t")
        assert bars(svg) == []
        assert [e.text for e in svg_tree(svg).iter("text") if e.get("class") == "no-data"] == [
            "无数据"
        ]
    with pytest.raises(ValueError, match="2 labels for 1 values"):
        _svg.bar_chart(["a", "b"], [1], title="t")
    with pytest.raises(ValueError, match="1 colours for 2 bars"):
        _svg.bar_chart(["a", "b"], [1, 2], title="t", colors=["#000"])
    # the default height grows with the bars
    assert svg_tree(_svg.bar_chart(list("abcdef"), range(6), title="t")).get("height") == str(
        28 + 6 * 20 + 8
    )


# --- map_frame --------------------------------------------------------------------------------


def one_zone() -> gpd.GeoDataFrame:
    x0, y0 = QD_GK
    return gpd.GeoDataFrame(
        {"zone_id": ["QD01"], "name": [SCRIPT]},
        geometry=[shapely.box(x0, y0, x0 + 1000, y0 + 500)],
        crs="EPSG:4549",
    )


def test_map_frame_holds_the_offline_map():
    m = map_zones(one_zone(), basemap=None)
    out = _html.map_frame(m, height=300, title=SCRIPT)
    tree = Tree(out)
    ((attrs, _),) = tree.find("iframe")
    assert attrs["class"] == "map"
    assert attrs["sandbox"] == "allow-scripts"
    assert attrs["style"] == "height:300px"
    assert attrs["title"] == SCRIPT
    assert tree.find("figcaption") == [({}, SCRIPT)]
    doc = attrs["srcdoc"]
    assert doc.startswith("<!DOCTYPE html>")
    assert "<script src=" not in doc
    assert '<link rel="stylesheet" href=' not in doc
    assert RESOURCE_RE.search(doc) is None
    leaflet = Path(xstatic.pkg.leaflet.BASE_DIR)
    js = (leaflet / "leaflet.js").read_text(encoding="utf-8")
    css = (leaflet / "leaflet.css").read_text(encoding="utf-8")
    assert js[:20_000] in doc
    assert css[:1000] in doc
    assert SCRIPT not in doc  # the hostile name is in the map's data as JSON-escaped text
    # the attribute is escaped: no markup of the map page leaks into the outer page
    assert "<script" not in out
    assert "<style" not in out
    assert [t for t, _, _ in tree.elements] == ["figure", "iframe", "figcaption"]
    # the map is not changed, and the frame is the same each time
    assert _html.map_frame(m, height=300, title=SCRIPT) == out
    with pytest.raises(TypeError, match=r"must be a folium\.Map; received DataFrame"):
        _html.map_frame(pd.DataFrame())
    with pytest.raises(ValueError, match="`height` must be a positive number of pixels"):
        _html.map_frame(m, height=0)


# --- in a browser -----------------------------------------------------------------------------


def _a4(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def test_page_in_chromium_with_the_network_blocked(browser, tmp_path):
    frame = pd.DataFrame({"名称": [SCRIPT, TEMPLATE], "面积（亩）": [1234567.891, np.nan]})
    body = _html.section("表", _html.table(frame, table_id="t"))
    body += '<div class="charts">'
    body += _svg.line_chart(
        [2021, 2022, 2023], {"本区": [1, np.nan, 3], "基准": [2, 2, 2]}, title="亩均税收"
    )
    body += _svg.bar_chart(["收储", "异地搬迁"], [2, -1], title="候选项目", unit="亩") + "</div>"
    body += _html.map_frame(map_zones(one_zone(), basemap=None), title="地图")
    path = tmp_path / "page.html"
    path.write_text(_html.page("测试", body, notice="示例参数"), encoding="utf-8")

    errors: list[str] = []
    dialogs: list[str] = []
    blocked: list[str] = []
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        def route(r: Any) -> None:
            if r.request.url.startswith(("file:", "about:")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(path.resolve().as_uri(), wait_until="load")
        (inner,) = [f for f in page.frames if f != page.main_frame]
        inner.wait_for_function(
            """() => window.landuse && Object.values(landuse.layers).every(l =>
                !l._map || l._drawnAt !== undefined)""",
            timeout=30_000,
        )
        assert inner.locator(".leaflet-container").count() == 1
        assert inner.evaluate("() => Object.values(landuse.layers).map(l => l.drawnCount())") == [1]
        # what the reader sees: the text as given, the exact number behind the shown one
        assert page.locator("#t tbody td").all_inner_texts() == [
            SCRIPT,
            "1,234,567.89",
            TEMPLATE,
            "—",
        ]
        assert page.locator("#t td.num").first.get_attribute("data-value") == "1234567.891"
        assert page.locator("svg.chart").count() == 2
        # 本区 [1, –, 3] is two markers without a line; 基准 one line
        assert page.locator("svg.chart polyline").count() == 1
        assert page.locator("svg.chart circle").count() == 5
        assert page.locator("svg.chart rect.bar").count() == 2
        frame_box = page.locator("iframe.map").bounding_box()
        assert frame_box is not None
        assert frame_box["height"] == pytest.approx(420, abs=1)
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    assert errors == []
    assert dialogs == []
    assert blocked == []
    assert pdf.startswith(b"%PDF-")
    sizes = _a4(pdf)
    assert sizes, "no page in the PDF"
    # A4 is 595.28 x 841.89 pt; Chromium rounds to its pixel grid (default paper: Letter, 612 x 792)
    assert all(
        math.isclose(w, 595.28, abs_tol=1.5) and math.isclose(h, 841.89, abs_tol=1.5)
        for w, h in sizes
    )
