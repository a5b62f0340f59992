"""map_enterprises (issue 19 point 5): each enterprise's land coloured by its grade, figures as text.

Three parcels: firm 甲 (grade D) holds P0 and P1 (one feature, the union), firm with an HTML name
(grade A) holds P2; a third firm without a parcel on the map is named in a warning.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from test_browser import Page, _click_feature
from test_mapping import XSS, grid, specs

import landuse
from landuse.errors import LanduseWarning, SchemaError
from landuse.mapping import map_enterprises, save_map
from landuse.schema import CATEGORY_COLORS

D1, A1, N1 = "91370200000000010X", "913702000000000111", "913702000000000120"


def result() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["甲公司", XSS],
            "grade": ["D", "A"],
            "grade_label": ["D类", "A类"],
            "score": [40.0, 160.0],
            "rank": [2, 1],
            "land_area_mu": [30.0, 15.0],
            "land_basis": ["自有 2 宗 30 亩", "自有 1 宗 15 亩"],
            "indicator_tax_per_mu": [10.0, 40.0],
            "parcel_ids": ["P0;P1", "P2"],
        },
        index=pd.Index([D1, A1], name="credit_code"),
    )


def test_one_feature_per_enterprise_in_the_grade_colours_with_escaped_figures() -> None:
    m = map_enterprises(result(), grid(3), basemap=None)
    spec = specs(m)["企业亩均评价"]
    html = m.get_root().render()
    assert sum(len(g["np"]) for g in spec["geoms"]) == 2  # P0 ∪ P1 and P2
    for grade in ("A", "D"):
        assert CATEGORY_COLORS["grade"][grade] in html
    assert XSS not in html  # the raw tag never reaches the page as markup
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html  # JSON text, shown by textContent
    assert "亩均税收" in html
    assert "用地认定依据" in html
    assert D1 in html
    assert landuse.map_enterprises is map_enterprises


def test_an_enterprise_without_a_parcel_is_named_in_a_warning() -> None:
    r = pd.concat([result(), pd.DataFrame({"grade": [None], "parcel_ids": ["P9"]}, index=[N1])])
    with pytest.warns(LanduseWarning, match=f"1 enterprises have no parcel.*{N1}"):
        map_enterprises(r, grid(3), basemap=None)


def test_result_without_grade_raises() -> None:
    with pytest.raises(SchemaError, match=r"`result.grade`"):
        map_enterprises(result().drop(columns="grade"), grid(3), basemap=None)


def test_in_chromium_the_layer_is_drawn_and_the_hostile_name_is_text(browser, tmp_path):  # noqa: F811
    path = save_map(map_enterprises(result(), grid(3), basemap=None), tmp_path / "e.html")
    page = Page(browser, path)
    try:
        drawn = page.js("() => landuse.layers['企业亩均评价']._drawnAt !== undefined")
        assert drawn
        # features are drawn worst last: A (index 0) then D (index 1)
        _click_feature(page, "企业亩均评价", 0)
        popup = page.page.locator(".leaflet-popup-content")
        popup.wait_for(state="visible", timeout=5_000)
        rows = [re.sub(r"\s+", " ", r).strip() for r in popup.locator("tr").all_inner_texts()]
        assert rows[:4] == [
            f"名称 {XSS}",
            f"统一社会信用代码 {A1}",
            "亩均效益等级 A类",
            "综合得分 160",
        ]
        assert "用地认定依据 自有 1 宗 15 亩" in rows
        assert "亩均税收（万元/亩） 40" in rows
        assert popup.locator("img").count() == 0
        assert page.page.locator(".landuse-legend-section", has_text="企业亩均评价").count() == 1
        page.page.wait_for_timeout(200)
        assert page.errors == []
        assert page.console_errors == []
        assert page.dialogs == []
        assert page.blocked == []  # offline by default
    finally:
        page.close()
