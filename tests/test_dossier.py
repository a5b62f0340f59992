"""The zone dossier (一区一档) and the city report (issue 21).

The numbers on the pages are read back from the HTML tables (``data-value`` holds each exact
number) and compared with the library's own results: assess_zones, build_project_bank (or the
bank store), check_new_land. Tiny fixtures built in code cover the stated reasons (no
proposals, no bank candidates, a zone without statistics, a missing year) and hostile names.
"""

from __future__ import annotations

import dataclasses
import html as htmllib
import re
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from conftest import QD_GK

import landuse
from landuse.bank import ProjectBank
from landuse.cli import main
from landuse.report.dossier import (
    ChromiumError,
    ReportData,
    city_report,
    write_report,
    zone_dossier,
    zone_file,
)

POLICY = "qingdao-2019-example"
CRS = "EPSG:4549"


class Tables(HTMLParser):
    """Every ``<table id=…>`` of a page: header texts and rows of (text, data-value)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, list]] = {}
        self.hrefs: list[str] = []
        self._table: str | None = None
        self._cell: list | None = None
        self._row: list | None = None
        self._depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "table":
            self._table = a.get("id") or f"table{len(self.tables)}"
            self.tables[self._table] = {"head": [], "rows": []}
        elif self._table and tag == "tr":
            self._row = []
        elif self._table and tag in ("td", "th"):
            self._cell = ["", a.get("data-value"), tag]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif self._table and tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif self._table and tag == "tr" and self._row is not None:
            if all(c[2] == "th" for c in self._row) and not self.tables[self._table]["head"]:
                self.tables[self._table]["head"] = [c[0] for c in self._row]
            else:
                self.tables[self._table]["rows"].append(self._row)
            self._row = None

    def column(self, table: str, header: str, *, value: bool = True) -> list:
        t = self.tables[table]
        i = t["head"].index(header)
        return [
            (float(r[i][1]) if r[i][1] else float("nan")) if value else r[i][0] for r in t["rows"]
        ]


def _visible(html: str) -> str:
    """The page's text without markup, maps, styles or charts."""
    html = re.sub(r'srcdoc="[^"]*"', "", html)
    html = re.sub(r"<(style|svg|script)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the sample ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return landuse.load_sample()


@pytest.fixture(scope="module")
def report(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("dossier")
    written = write_report(out, data=sample, year=2021, as_of=sample.as_of, policy=POLICY)
    return out, written


def test_sample_is_report_data_and_keeps_its_attributes(sample):
    assert isinstance(sample, ReportData)
    assert isinstance(sample, landuse.Sample)
    assert sample.bank is None
    assert sample.as_of == pd.Timestamp("2021-12-31")
    assert len(sample.enterprises) and len(sample.tenancies)
    assert set(sample.rasters) == {"builtup", "building_height", "night_light"}


def test_write_report_writes_index_and_one_page_per_zone(report, sample):
    out, written = report
    names = [p.name for p in written]
    assert names[0] == "index.html"
    assert names[1:] == [f"zone_{z}.html" for z in sample.zones["zone_id"]]
    assert all(p.parent == out and p.stat().st_size > 0 for p in written)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left


def test_pages_are_linked_both_ways(report, sample):
    out, written = report
    index = Tables((out / "index.html").read_text("utf-8"))
    for zone_id in sample.zones["zone_id"]:
        assert f"zone_{zone_id}.html" in index.hrefs
        page = Tables((out / f"zone_{zone_id}.html").read_text("utf-8"))
        assert "index.html" in page.hrefs


def test_ranking_table_equals_assess_zones(report, sample):
    out, _ = report
    expected = landuse.assess_zones(sample.zone_stats, year=2021, zones=sample.zones, policy=POLICY)
    before = landuse.assess_zones(sample.zone_stats, year=2020, zones=sample.zones, policy=POLICY)
    page = Tables((out / "index.html").read_text("utf-8"))
    assert page.column("ranking", "集聚区编号", value=False) == expected["zone_id"].tolist()
    assert page.column("ranking", "排名") == expected["rank"].astype(float).tolist()
    assert page.column("ranking", "总分") == expected["total_score"].tolist()
    assert page.column("ranking", "存量得分") == expected["stock_score"].tolist()
    assert page.column("ranking", "增量得分") == expected["increment_score"].tolist()
    tiers = expected["tier"].astype(object).where(expected["tier"].notna(), "未入级")
    assert page.column("ranking", "等级", value=False) == tiers.tolist()
    assert page.column("ranking", "奖励（万元）") == expected["reward_wan"].tolist()
    last = before.set_index("zone_id")["rank"].astype(float)
    assert page.column("ranking", "上年排名") == expected["zone_id"].map(last).tolist()
    change = expected["zone_id"].map(last) - expected["rank"].astype(float)
    assert page.column("ranking", "名次变化") == change.tolist()


def test_zone_indicators_equal_assess_zones(report, sample):
    out, _ = report
    result = landuse.assess_zones(sample.zone_stats, year=2021, zones=sample.zones, policy=POLICY)
    for zone_id in ("QD01", "QD04", "QD14"):
        row = result.set_index("zone_id").loc[zone_id]
        page = Tables((out / f"zone_{zone_id}.html").read_text("utf-8"))
        assert page.column("scores", "排名") == [float(row["rank"])]
        assert page.column("scores", "总分") == [row["total_score"]]
        records = result.attrs["benchmarks"]
        assert page.column("indicators", "指标", value=False) == [b["label"] for b in records]
        assert page.column("indicators", "本年值") == [row[b["column"]] for b in records]
        assert page.column("indicators", "存量标杆") == [b["stock_benchmark"] for b in records]
        stock = [row[f"{b['indicator']}_stock_score"] for b in records]
        increment = [row[f"{b['indicator']}_increment_score"] for b in records]
        assert page.column("indicators", "存量得分") == stock
        assert page.column("indicators", "增量得分") == increment


def test_zone_bank_equals_build_project_bank(report, sample):
    out, _ = report
    with pytest.warns(landuse.LanduseWarning, match="enterprise_land"):
        grades = landuse.evaluate_enterprises(
            sample.enterprises,
            parcels=sample.parcels,
            tenancies=sample.tenancies,
            year=2021,
            policy=POLICY,
        )
    bank = landuse.build_project_bank(
        sample.parcels,
        zones=sample.zones,
        functional_areas=sample.functional_areas,
        buildings=sample.buildings,
        as_of=sample.as_of,
        policy=POLICY,
        enterprise_grades=grades,
    )
    for zone_id in ("QD01", "QD06"):
        mine = bank[bank["zone_id"] == zone_id]
        page = Tables((out / f"zone_{zone_id}.html").read_text("utf-8"))
        by_route = mine.groupby("route").agg(n=("route", "size"), mu=("land_area_mu", "sum"))
        labels = {landuse.schema.category_label("route", r): r for r in by_route.index}
        routes = [labels[t] for t in page.column("bank-counts", "再开发路径", value=False)]
        assert (
            page.column("bank-counts", "宗数") == by_route.loc[routes, "n"].astype(float).tolist()
        )
        assert page.column("bank-counts", "用地面积（亩）") == pytest.approx(
            by_route.loc[routes, "mu"].tolist(), rel=1e-12
        )
        top = mine.sort_values("priority", ascending=False, kind="stable").head(10)
        assert page.column("bank-top", "候选编号", value=False) == top["candidate_id"].tolist()
        assert page.column("bank-top", "预期新增税收（万元）") == top["tax_gain_wan"].tolist()


def test_zone_new_land_equals_check_new_land(report, sample):
    out, _ = report
    checked = landuse.check_new_land(
        sample.proposals,
        zones=sample.zones,
        functional_areas=sample.functional_areas,
        policy=POLICY,
    )
    for zone_id in ("QD01", "QD03"):
        zone = checked["zone_id"].where(checked["zone_id"].notna(), checked["nearest_zone_id"])
        mine = checked[zone == zone_id]
        page = Tables((out / f"zone_{zone_id}.html").read_text("utf-8"))
        assert sorted(page.column("new-land", "项目编号", value=False)) == sorted(
            mine["proposal_id"]
        )
        counts = mine["verdict"].astype(str).value_counts().sort_index()
        assert page.column("new-land-counts", "宗数") == counts.astype(float).tolist()
        shares = dict(zip(mine["proposal_id"], mine["share_in_zone"], strict=True))
        ids = page.column("new-land", "项目编号", value=False)
        assert page.column("new-land", "集聚区内面积占比") == [shares[i] for i in ids]


def test_city_outside_land_equals_outside_zone_summary(report, sample):
    out, _ = report
    checked = landuse.check_new_land(
        sample.proposals,
        zones=sample.zones,
        functional_areas=sample.functional_areas,
        policy=POLICY,
    )
    summary = landuse.outside_zone_summary(checked)
    page = Tables((out / "index.html").read_text("utf-8"))
    assert page.column("outside", "所在区市", value=False) == summary.index.tolist()
    assert page.column("outside", "位于集聚区外") == summary["outside"].astype(float).tolist()


def test_example_profile_pages_carry_the_notice(report):
    out, written = report
    notice = landuse.load_policy(POLICY).example_notice
    for page in written:
        assert "示例参数 example values" in _visible(page.read_text("utf-8"))
    assert notice.split(":")[0] in (out / "index.html").read_text("utf-8")


def test_default_profile_has_no_notice_and_zone_sections(sample):
    html = zone_dossier("QD01", data=sample, year=2021, as_of=sample.as_of, policy="qingdao-2019")
    text = _visible(html)
    assert "示例参数" not in text
    for title in ("基本情况", "地图", "七项指标", "创建条件", "历年变化", "低效用地再开发项目库",
                  "新增工业用地", "企业亩均评价", "数据质量", "附录：政策参数与来源"):  # fmt: skip
        assert title in text, title
    assert html.count("<svg") >= 8  # total score + seven indicator histories
    assert "<iframe" in html and "srcdoc=" in html


def test_unknown_zone_is_an_error_naming_the_zones(sample):
    with pytest.raises(ValueError, match=r"no zone 'QD99'.*QD01"):
        zone_dossier("QD99", data=sample, year=2021, as_of=sample.as_of, policy=POLICY)
    with pytest.raises(TypeError, match="ReportData"):
        city_report(data={"zones": None}, year=2021, as_of="2021-12-31", policy=POLICY)


# --- tiny fixtures built in code ---------------------------------------------------------------

X0, Y0 = QD_GK
HOSTILE = ("<script>alert(1)</script>", "{{7*7}}", "=1+1")
ZONE_IDS = ("Z1", "Z2", "../Z3<b>")


def _square(x: float, y: float, size: float) -> shapely.Polygon:
    return shapely.box(x, y, x + size, y + size)


def tiny_data() -> ReportData:
    """Three 1 km zones with hostile names; Z2 has no parcel and no proposal; Z3 no 2021 row.

    P1 (Z1) and P4 (Z3) stopped producing in 2019 → bank candidates; Q1 lies inside Z1's
    industrial area, Q2 500 m east of Z3 (outside every zone).
    """
    zones = gpd.GeoDataFrame(
        {
            "zone_id": list(ZONE_IDS),
            "name": list(HOSTILE),
            "district": ["即墨区", "城阳区", "崂山区"],
            "leading_industry": ["汽车制造", "轨道交通装备", "集成电路"],
            "leading_industry_codes": ["36", "37", "39"],
        },
        geometry=[_square(X0 + 2000 * i, Y0, 1000) for i in range(3)],
        crs=CRS,
    )
    areas = gpd.GeoDataFrame(
        {"zone_id": list(ZONE_IDS), "area_type": ["industrial"] * 3},
        geometry=list(zones.geometry),
        crs=CRS,
    )
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["P1", "P2", "P4"],
            "land_use": ["industrial"] * 3,
            "industry_code": ["36", "36", "39"],
            "enterprise": ["<img src=x onerror=alert(1)>", "甲公司", "=HYPERLINK(1)"],
            "land_area_m2": [10000.0, 10000.0, 10000.0],
            "floor_area_m2": [3000.0, 15000.0, 2000.0],
            "tax_wan": [10.0, 400.0, 5.0],
            "revenue_wan": [100.0, 9000.0, 50.0],
            "production_status": ["stopped", "producing", "stopped"],
            "stopped_since": pd.to_datetime(["2019-01-01", None, "2019-06-01"]),
        },
        geometry=[
            _square(X0 + 100, Y0 + 100, 100),
            _square(X0 + 300, Y0 + 100, 100),
            _square(X0 + 4100, Y0 + 100, 100),
        ],
        crs=CRS,
    )
    proposals = gpd.GeoDataFrame(
        {
            "proposal_id": ["Q1", "Q2"],
            "land_use": ["industrial"] * 2,
            "industry_code": ["36", "39"],
            "district": ["即墨区", "崂山区"],
            "investment_wan": [5000.0, 3000.0],
            "expected_tax_wan": [400.0, 100.0],
        },
        geometry=[_square(X0 + 500, Y0 + 500, 100), _square(X0 + 5500, Y0, 100)],
        crs=CRS,
    )
    rows = []
    for zone_id, base in zip(ZONE_IDS, (1.0, 2.0, 3.0), strict=True):
        for year in (2020, 2021):
            if zone_id == ZONE_IDS[2] and year == 2021:
                continue
            k = base * (1.1 if year == 2021 else 1.0)
            rows.append(
                {
                    "zone_id": zone_id, "year": year, "revenue_wan": 1e6 * k, "tax_wan": 5e4 * k,
                    "new_registered_firms": 10 * k, "investment_projects": 5 * k,
                    "leading_industry_revenue_wan": 6e5 * k, "new_project_investment_wan": 3e4 * k,
                    "new_project_land_mu": 100.0, "land_area_mu": 1500.0,
                }
            )  # fmt: skip
    return ReportData(
        zones=zones,
        functional_areas=areas,
        parcels=parcels,
        buildings=None,
        proposals=proposals,
        zone_stats=pd.DataFrame(rows),
        as_of=pd.Timestamp("2021-12-31"),
    )


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    data = tiny_data()
    out = tmp_path_factory.mktemp("tiny")
    written = write_report(out, data=data, year=2021, as_of=data.as_of, policy=POLICY)
    return data, out, written


def test_hostile_zone_ids_get_safe_distinct_file_names():
    names = [zone_file(z) for z in ZONE_IDS]
    assert names[:2] == ["zone_Z1.html", "zone_Z2.html"]
    assert re.fullmatch(r"zone_Z3_b_[0-9a-f]{8}\.html", names[2])
    assert zone_file("a/b") != zone_file("a_b")
    assert all("/" not in n and ".." not in n for n in names)


def test_hostile_names_show_as_text(tiny):
    _, out, written = tiny
    for page in written:
        html = page.read_text("utf-8")
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html
        assert "<b>" not in html.replace("<body>", "")
    index = (out / "index.html").read_text("utf-8")
    text = _visible(index)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "{{7*7}}" in text and "=1+1" in text
    assert "../Z3&lt;b&gt;" in text
    z1 = (out / "zone_Z1.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; · 一区一档 2021</title>" in z1
    assert "&lt;img src=x onerror=alert(1)&gt;" in _visible(z1)
    z3 = Tables((out / zone_file(ZONE_IDS[2])).read_text("utf-8"))
    assert z3.column("bank-top", "企业名称", value=False) == ["=HYPERLINK(1)"]


def test_tiny_links_both_ways(tiny):
    _, out, _ = tiny
    index = Tables((out / "index.html").read_text("utf-8"))
    for zone_id in ZONE_IDS:
        name = zone_file(zone_id)
        assert name in index.hrefs
        assert "index.html" in Tables((out / name).read_text("utf-8")).hrefs


def test_no_proposals_and_no_bank_candidates_are_stated(tiny):
    _, out, _ = tiny
    text = _visible((out / "zone_Z2.html").read_text("utf-8"))
    assert "本区无新增用地申请" in text
    assert "本区无再开发候选地块" in text
    z1 = Tables((out / "zone_Z1.html").read_text("utf-8"))
    assert z1.column("bank-top", "候选编号", value=False) == ["C-P1"]
    assert z1.column("bank-counts", "用地面积（亩）") == [15.0]  # 100 m × 100 m = 15 亩


def test_zone_without_statistics_for_the_year_is_stated(tiny):
    _, out, _ = tiny
    page = (out / zone_file(ZONE_IDS[2])).read_text("utf-8")
    assert "本区 2021 年未参与排名：" in _visible(page)
    assert Tables(page).column("scores", "排名") != Tables(page).column("scores", "排名")  # NaN
    city = Tables((out / "index.html").read_text("utf-8"))
    assert city.column("ranking", "集聚区编号", value=False) == ["Z2", "Z1", ZONE_IDS[2]]
    assert city.column("ranking", "排名")[:2] == [1.0, 2.0]


def test_a_missing_year_is_stated_not_blank(tiny):
    data, _, _ = tiny
    html = zone_dossier("Z1", data=data, year=2023, as_of=data.as_of, policy=POLICY)
    text = _visible(html)
    assert "无 2023 年考核：" in text and "years present: 2020, 2021" in text
    assert "历年变化" in text  # the years available are still charted
    city = city_report(data=data, year=2023, as_of=data.as_of, policy=POLICY)
    assert "无 2023 年考核：" in _visible(city)


def test_no_proposals_given_and_english(tiny):
    data = tiny_data()
    bare = ReportData(**{**data.__dict__, "proposals": None})
    html = zone_dossier("Z1", data=bare, year=2021, as_of=data.as_of, policy=POLICY, lang="en")
    text = _visible(html)
    assert "No new-land proposals given" in text
    assert '<html lang="en"' in html


def test_bank_from_a_store_shows_its_statuses(tiny, tmp_path):
    data, _, _ = tiny
    candidates = landuse.build_project_bank(
        data.parcels, zones=data.zones, as_of=data.as_of, policy=POLICY
    )
    with ProjectBank.open(tmp_path / "bank.gpkg") as store:
        store.sync(candidates, as_of=data.as_of, by="test")
        store.set_status("C-P1", "verified", by="test")
        html = zone_dossier("Z1", data=ReportData(**{**data.__dict__, "bank": store}),
                            year=2021, as_of=data.as_of, policy=POLICY)  # fmt: skip
    page = Tables(html)
    assert page.column("bank-counts", "状态", value=False) == ["已核实"]
    assert "bank.gpkg" in _visible(html)


# --- the command -------------------------------------------------------------------------------


def test_cli_report_on_the_sample(tmp_path):
    result = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "r"), "--year", "2021"])
    assert result.exit_code == 0, result.output
    assert "14 zone pages" in result.stdout
    files = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert files[0] == "index.html" and len(files) == 15


def test_cli_report_takes_expected_targets(tmp_path):
    # --targets creation_conditions: QD12 (leading-industry share < 50 %) misses its targets,
    # QD01 meets them; without the option the pages say the rule was not evaluated
    out = tmp_path / "r"
    args = ["report", "--out", str(out), "--year", "2021", "--targets", "creation_conditions"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    met = {
        zid: Tables((out / zone_file(zid)).read_text(encoding="utf-8")).column(
            "scores", "达到预期目标", value=False
        )
        for zid in ("QD01", "QD12")
    }
    assert met == {"QD01": ["是"], "QD12": ["否"]}
    bad = tmp_path / "targets.csv"
    bad.write_text("zone_id,revenue_wan\nQD01,很多\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["report", "--out", str(tmp_path / "b"), "--targets", str(bad)]
    )
    assert result.exit_code == 2
    assert "not numbers ('很多')" in result.stderr
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())


def test_cli_pdf_without_chromium_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDUSE_CHROMIUM", str(tmp_path / "no-chromium"))
    result = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "r"), "--pdf"])
    assert result.exit_code == 2
    assert "apt-get install chromium" in result.stderr
    assert not (tmp_path / "r").exists()  # nothing written


def test_write_report_pdf_without_chromium_raises_before_writing(tiny, tmp_path, monkeypatch):
    data, _, _ = tiny
    monkeypatch.setenv("LANDUSE_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(ChromiumError, match="apt-get install chromium"):
        write_report(
            tmp_path / "r", data=data, year=2021, as_of=data.as_of, policy=POLICY, pdf=True
        )
    assert not (tmp_path / "r").exists()


def test_report_is_importable_from_the_dossier_face():
    import landuse.report.dossier as dossier

    assert {"zone_dossier", "city_report", "write_report", "ReportData"} <= set(dossier.__all__)
    assert Path(dossier.__file__).parent.name == "dossier"


def test_parcels_with_an_empty_zone_id_take_the_zone_holding_them():
    from landuse.report.dossier._data import _parcel_zone

    data = tiny_data()
    expected = _parcel_zone(data)
    assert expected["P1"] == "Z1"
    parcels = data.parcels.assign(zone_id=None)  # e.g. synthetic parcels: the column, empty
    found = _parcel_zone(dataclasses.replace(data, parcels=parcels))
    assert found.to_dict() == expected.to_dict()


def test_zone_page_units_are_chinese(report):
    out, _ = report
    page = _visible((out / "zone_QD01.html").read_text("utf-8"))
    assert "比例（0–1）" in page
    assert "share (0–1)" not in page


# --- the plan's goals: expected targets, investment attraction, tier progress (issue 22) -------

TIER_COLUMNS = ("tier", "revenue_yi_min", "zones", "zones_at_or_above", "target_count",
                "shortfall", "target_met")  # fmt: skip
#: (fortune500_projects, projects_over_100m) per (zone, year); Z3 has no 2021 row.
ATTRACTION_COUNTS = {
    ("Z1", 2020): (2, 2), ("Z1", 2021): (1, 5),  # 2021: 1 ≥ 1 and 5 ≥ 5 → met
    ("Z2", 2020): (1, 9), ("Z2", 2021): (0, 7),  # 2021: 0 < 1 → not met
    ("../Z3<b>", 2020): (3, 8),
}  # fmt: skip


def attraction_data() -> ReportData:
    """tiny_data() whose statistics have the two attraction counts."""
    data = tiny_data()
    stats = data.zone_stats
    keys = list(zip(stats["zone_id"], stats["year"], strict=True))
    stats = stats.assign(
        fortune500_projects=[float(ATTRACTION_COUNTS[k][0]) for k in keys],
        projects_over_100m=[float(ATTRACTION_COUNTS[k][1]) for k in keys],
    )
    return dataclasses.replace(data, zone_stats=stats)


@pytest.fixture(scope="module")
def goals(tmp_path_factory):
    data = attraction_data()
    out = tmp_path_factory.mktemp("goals")
    write_report(out, data=data, year=2021, as_of=data.as_of, policy=POLICY)
    return data, out


def _tier_expected(progress: pd.DataFrame, lang: str = "zh") -> dict[str, list]:
    """tier_progress's rows as the page shows them: numbers (NaN for <NA>) and 是/否/未评价."""
    words = {True: "是", False: "否"} if lang == "zh" else {True: "yes", False: "no"}
    na = "未评价" if lang == "zh" else "not evaluated"
    out = {"tier": progress["tier"].astype(str).tolist()}
    for column in TIER_COLUMNS[1:-1]:
        out[column] = progress[column].astype("Float64").astype(float).tolist()
    out["target_met"] = [na if pd.isna(v) else words[bool(v)] for v in progress["target_met"]]
    return out


def _tier_page(page: Tables, lang: str = "zh") -> dict[str, list]:
    head = [landuse.schema.field_label(c, lang) for c in TIER_COLUMNS]
    assert page.tables["tier-progress"]["head"] == head
    out = {}
    for column, label in zip(TIER_COLUMNS, head, strict=True):
        text_only = column in ("tier", "target_met")
        out[column] = page.column("tier-progress", label, value=not text_only)
    return out


def _same(a: list, b: list) -> bool:
    """Equal lists, NaN equal to NaN."""
    return len(a) == len(b) and all(x == y or (x != x and y != y) for x, y in zip(a, b))  # noqa: PLR0124


def test_zone_attraction_shows_counts_minimums_and_whether_met(goals):
    data, out = goals
    result = landuse.assess_zones(data.zone_stats, year=2021, zones=data.zones, policy=POLICY)
    rows = result.set_index("zone_id")
    z1 = (out / "zone_Z1.html").read_text("utf-8")
    page = Tables(z1)
    assert page.tables["attraction"]["head"] == ["项目", "本年值", "最低要求", "是否达到"]
    assert page.column("attraction", "项目", value=False) == [
        "世界500强及中国500强项目数（个）",
        "过亿元项目数（个）",
    ]
    assert page.column("attraction", "本年值") == [1.0, 5.0]
    assert page.column("attraction", "最低要求") == [1.0, 5.0]
    assert page.column("attraction", "是否达到", value=False) == ["是", "是"]
    assert bool(rows.loc["Z1", "attraction_target_met"]) is True
    assert "达到招商引资目标。" in _visible(z1)
    assert "未达到招商引资目标" not in _visible(z1)
    assert "不少于 1 个、过亿元项目不少于 5 个" in _visible(z1)

    z2 = (out / "zone_Z2.html").read_text("utf-8")
    page = Tables(z2)
    assert page.column("attraction", "本年值") == [0.0, 7.0]
    assert page.column("attraction", "是否达到", value=False) == ["否", "是"]
    assert bool(rows.loc["Z2", "attraction_target_met"]) is False
    assert "未达到招商引资目标：世界500强及中国500强项目数（个） 0 &lt; 1" in _visible(z2)

    z3 = (out / zone_file(ZONE_IDS[2])).read_text("utf-8")  # no 2021 row: not evaluated
    assert pd.isna(rows.loc[ZONE_IDS[2], "attraction_target_met"])
    page = Tables(z3)
    assert _same(page.column("attraction", "本年值"), [float("nan")] * 2)
    assert page.column("attraction", "本年值", value=False) == ["—", "—"]
    assert page.column("attraction", "是否达到", value=False) == ["未评价", "未评价"]
    why = (
        "招商引资目标未评价：本区 2021 年统计缺少 fortune500_projects、projects_over_100m 的数值。"
    )
    assert why in _visible(z3)


def test_city_counts_zones_meeting_the_attraction_target(goals):
    _, out = goals
    index = (out / "index.html").read_text("utf-8")
    page = Tables(index)
    assert page.column("attraction-count", "达到目标的集聚区数") == [1.0]
    assert page.column("attraction-count", "已评价集聚区数") == [2.0]
    assert page.column("attraction-count", "未评价集聚区数") == [1.0]
    text = _visible(index)
    assert "1 个集聚区达到招商引资目标（共评价 2 个）。" in text
    assert "1 个集聚区未评价：本年统计缺少项目数。" in text


def test_attraction_without_the_columns_states_the_reason(tiny):
    _, out, _ = tiny  # tiny_data's statistics have no attraction counts
    why = "招商引资目标未评价：集聚区统计缺少 fortune500_projects、projects_over_100m 列。"
    z1 = (out / "zone_Z1.html").read_text("utf-8")
    assert why in _visible(z1)
    page = Tables(z1)
    assert page.column("attraction", "本年值", value=False) == ["—", "—"]  # not a fake 0
    assert page.column("attraction", "最低要求") == [1.0, 5.0]
    assert page.column("attraction", "是否达到", value=False) == ["未评价", "未评价"]
    index = (out / "index.html").read_text("utf-8")
    assert why in _visible(index)
    assert "attraction-count" not in Tables(index).tables


def test_tier_progress_on_the_tiny_city_page_by_hand(goals):
    _, out = goals
    page = Tables((out / "index.html").read_text("utf-8"))
    # Z1 110 亿 and Z2 220 亿 are 百亿级; Z3 has no 2021 revenue; targets 10 / 5 / 3 / 3
    assert _tier_page(page) == {
        "tier": ["百亿级", "三百亿级", "五百亿级", "千亿级"],
        "revenue_yi_min": [100.0, 300.0, 500.0, 1000.0],
        "zones": [2.0, 0.0, 0.0, 0.0],
        "zones_at_or_above": [2.0, 0.0, 0.0, 0.0],
        "target_count": [10.0, 5.0, 3.0, 3.0],
        "shortfall": [8.0, 5.0, 3.0, 3.0],
        "target_met": ["否", "否", "否", "否"],
    }
    text = _visible((out / "index.html").read_text("utf-8"))
    assert "层级目标进度" in text
    assert "各层级集聚区数与 2021 年目标数量比较；差距按达到该层级及以上的集聚区数计算" in text


def test_tier_progress_table_equals_tier_progress(report, sample):
    out, _ = report
    assessed = landuse.assess_zones(sample.zone_stats, year=2021, zones=sample.zones, policy=POLICY)
    expected = landuse.assessment.tier_progress(assessed, policy=POLICY)
    page = Tables((out / "index.html").read_text("utf-8"))
    shown = _tier_page(page)
    for column, values in _tier_expected(expected).items():
        assert _same(shown[column], values), column
    target_year = expected.attrs["target_year"]
    assert f"各层级集聚区数与 {target_year} 年目标数量比较" in _visible(
        (out / "index.html").read_text("utf-8")
    )


def test_sample_attraction_follows_the_data(report, sample):
    out, _ = report
    result = landuse.assess_zones(sample.zone_stats, year=2021, zones=sample.zones, policy=POLICY)
    rows = result.set_index("zone_id")
    has = {"fortune500_projects", "projects_over_100m"} <= set(sample.zone_stats.columns)
    index = (out / "index.html").read_text("utf-8")
    for zone_id in ("QD01", "QD04", "QD14"):
        html = (out / f"zone_{zone_id}.html").read_text("utf-8")
        page, text = Tables(html), _visible(html)
        values = rows.loc[zone_id, ["fortune500_projects", "projects_over_100m"]].astype(float)
        assert _same(page.column("attraction", "本年值"), values.tolist())
        met = rows.loc[zone_id, "attraction_target_met"]
        if not has:
            assert "招商引资目标未评价：集聚区统计缺少" in text
            assert pd.isna(met)
        elif pd.isna(met):
            assert "招商引资目标未评价：" in text
        elif met:
            assert "达到招商引资目标。" in text and "未达到招商引资目标" not in text
        else:
            assert "未达到招商引资目标：" in text
    met = result["attraction_target_met"].astype("boolean")
    if met.notna().any():
        page = Tables(index)
        assert page.column("attraction-count", "达到目标的集聚区数") == [float(met.sum())]
        assert page.column("attraction-count", "已评价集聚区数") == [float(met.notna().sum())]
    else:
        assert "招商引资目标未评价：" in _visible(index)


def test_expected_targets_are_shown_or_stated_not_evaluated(tiny):
    data, out, _ = tiny
    z1 = (out / "zone_Z1.html").read_text("utf-8")  # no targets given
    assert Tables(z1).column("scores", "达到预期目标", value=False) == ["未评价"]
    assert "按预期目标淘汰未评价：未提供各区预期目标（assess_zones 的 targets=）。" in _visible(z1)

    targets = pd.DataFrame({"zone_id": ["Z1", "Z2"], "revenue_wan": [2e6, 1e6]})
    expected = landuse.assess_zones(
        data.zone_stats, year=2021, zones=data.zones, policy=POLICY, targets=targets
    ).set_index("zone_id")
    missed = expected.loc["Z1", "target_failures"]  # Z1: 1,100,000 < 2,000,000
    assert "1,100,000 < 2,000,000" in missed
    html = zone_dossier("Z1", data=data, year=2021, as_of=data.as_of, policy=POLICY,
                        targets=targets)  # fmt: skip
    scores = Tables(html)
    assert scores.column("scores", "达到预期目标", value=False) == ["否"]
    assert scores.column("scores", "淘汰预警", value=False) == ["是"]
    assert f"未达到本区预期目标（淘汰预警）：{htmllib.escape(missed)}" in _visible(html)
    reason = htmllib.escape(expected.loc["Z1", "elimination_reason"])
    assert f"淘汰预警原因：{reason}" in _visible(html)
    html = zone_dossier("Z2", data=data, year=2021, as_of=data.as_of, policy=POLICY,
                        targets=targets)  # fmt: skip
    assert Tables(html).column("scores", "达到预期目标", value=False) == ["是"]
    assert "达到本区预期目标。" in _visible(html)
    html = zone_dossier(ZONE_IDS[2], data=data, year=2021, as_of=data.as_of, policy=POLICY,
                        targets=targets)  # fmt: skip
    assert Tables(html).column("scores", "达到预期目标", value=False) == ["未评价"]
    assert "按预期目标淘汰未评价：无本区 2021 年目标" in _visible(html)


def test_goals_in_english(goals):
    data, _ = goals
    city = city_report(data=data, year=2021, as_of=data.as_of, policy=POLICY, lang="en")
    zh = Tables(city_report(data=data, year=2021, as_of=data.as_of, policy=POLICY))
    page = Tables(city)
    expected = _tier_page(zh, "zh")
    expected["target_met"] = ["no"] * 4
    assert _tier_page(page, "en") == expected
    text = _visible(city)
    assert "Progress toward the tier targets" in text
    assert "1 of the 2 zones evaluated meet the investment attraction target." in text
    assert page.column("attraction-count", "Zones meeting the target") == [1.0]
    html = zone_dossier("Z2", data=data, year=2021, as_of=data.as_of, policy=POLICY, lang="en")
    page = Tables(html)
    assert page.column("attraction", "Value") == [0.0, 7.0]
    assert page.column("attraction", "Met", value=False) == ["no", "yes"]
    text = _visible(html)
    assert (
        "Misses the investment attraction target: Fortune 500 projects (projects) 0 &lt; 1" in text
    )
    assert "Elimination by expected targets not evaluated" in text
    assert Tables(html).column("scores", "Meets expected targets", value=False) == ["not evaluated"]


@pytest.mark.parametrize(
    ("rule", "sentence"),
    [
        ("in_tier", "差距按各层级本身的集聚区数计算"),
        (None, "差距与是否达到未评价：政策配置未设定 tiers.count_rule"),
    ],
)
def test_tier_progress_follows_the_count_rule(rule, sentence):
    data = attraction_data()
    policy = landuse.load_policy(POLICY).replace({"tiers.count_rule": rule})
    html = city_report(data=data, year=2021, as_of=data.as_of, policy=policy)
    assessed = landuse.assess_zones(data.zone_stats, year=2021, zones=data.zones, policy=policy)
    expected = _tier_expected(landuse.assessment.tier_progress(assessed, policy=policy))
    shown = _tier_page(Tables(html))
    for column, values in expected.items():
        assert _same(shown[column], values), column
    if rule is None:
        assert shown["target_met"] == ["未评价"] * 4
    assert sentence in _visible(html)
