"""The API reference site builds with warnings as errors and shows what the code and the TOML say.

One build (module fixture) of ``docs/`` with ``python -m sphinx -W --keep-going -b html`` into a
temporary folder: every notebook is executed by the build, the subpackage pages list what each
face's ``__all__`` holds, and the policy tables show the values of the TOML profiles.
"""

from __future__ import annotations

import html
import importlib
import re
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

import landuse

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "landuse" / "policy" / "profiles"
FACES = {  # page → the public faces it documents
    "io": ["landuse.io"],
    "crs": ["landuse.crs"],
    "policy": ["landuse.policy"],
    "efficiency": ["landuse.efficiency"],
    "bank": ["landuse.bank"],
    "compliance": ["landuse.compliance"],
    "supply": ["landuse.supply"],
    "enterprise": ["landuse.enterprise"],
    "assessment": ["landuse.assessment"],
    "raster": ["landuse.raster"],
    "mapping": ["landuse.mapping"],
    "scale": ["landuse.scale"],
    "ground": [
        "landuse.zones",
        "landuse.units",
        "landuse.schema",
        "landuse.errors",
        "landuse.datasets",
    ],
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Build the site once; a warning, a failing notebook cell or a broken page fails it."""
    tmp = tmp_path_factory.mktemp("docs")
    out = tmp / "html"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            "-d",
            str(tmp / "doctrees"),
            str(ROOT / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=3600,
        check=False,
    )
    assert done.returncode == 0, f"sphinx-build failed:\n{done.stderr[-20000:]}"
    assert "WARNING" not in done.stderr.replace("[IPKernelApp] WARNING", ""), done.stderr
    return out


class _Tables(HTMLParser):
    """Collect the text of every table cell, row by row, and the text of every output cell."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None and self._row is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _tables(page: Path) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tables


def _policy_rows(site: Path, profile: str) -> dict[str, list[str]]:
    """The main table of one profile on the policies page: parameter → its row."""
    text = (site / "policies.html").read_text(encoding="utf-8")
    pattern = rf'<table class="[^"]*policy-{re.escape(profile)}[^"]*".*?</table>'
    table = re.search(pattern, text, re.S)
    assert table, f"no table for {profile}"
    parser = _Tables()
    parser.feed(table.group(0))
    header, *rows = parser.tables[0]
    assert header == ["parameter", "value", "unit", "source", "confidence", "note", "defined in"]
    return {row[0]: row for row in rows}


def _text(value: object) -> str:
    """A TOML scalar as the table shows it (whole floats without ``.0``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_every_subpackage_page_lists_every_name_of_its_face_with_a_page(site):
    for page, modules in FACES.items():
        text = (site / "api" / f"{page}.html").read_text(encoding="utf-8")
        for module in modules:
            names = importlib.import_module(module).__all__
            assert names, module
            for name in names:
                link = f'href="generated/{module}.{name}.html"'
                assert link in text, f"{page}.html does not link {module}.{name}"
                assert (site / "api" / "generated" / f"{module}.{name}.html").is_file()


def test_the_efficiency_page_states_its_question_and_lists_find_inefficient_land(site):
    text = (site / "api" / "efficiency.html").read_text(encoding="utf-8")
    assert "The question:" in text
    assert "腾笼换鸟" in text
    name = "landuse.efficiency.find_inefficient_land"
    assert f'href="generated/{name}.html#{name}"' in text
    # the autosummary row: the name, its signature and the first line of its docstring
    rows = [row for table in _tables(site / "api" / "efficiency.html") for row in table]
    row = next(r for r in rows if r and r[0].startswith("find_inefficient_land("))
    summary = landuse.efficiency.find_inefficient_land.__doc__.strip().splitlines()[0]
    assert row[0].startswith("find_inefficient_land(parcels, *, as_of, policy")
    assert len(row[1]) > 20
    assert summary.startswith(row[1][:40]), (row[1], summary)
    page = site / "api" / "generated" / "landuse.efficiency.find_inefficient_land.html"
    body = page.read_text(encoding="utf-8")
    # numpydoc rendered the docstring's sections
    assert "Parameters" in body
    assert "Returns" in body
    assert 'id="landuse.efficiency.find_inefficient_land"' in body


def test_the_qingdao_table_shows_the_toml_values_and_confidence(site):
    toml = tomllib.loads((PROFILES / "qingdao-2019.toml").read_text(encoding="utf-8"))
    param = toml["zone_creation"]["new_project_investment_wan_per_mu_min"]
    rows = _policy_rows(site, "qingdao-2019")
    row = rows["zone_creation.new_project_investment_wan_per_mu_min"]
    _, value, unit, source, confidence, _note, defined_in = row
    assert value == _text(param["value"]) == "280"
    assert confidence == param["confidence"] == "V"
    assert unit == param["unit"]
    assert source == param["source"]
    assert defined_in == "qingdao-2019"
    # an inherited national value says where it comes from
    national = tomllib.loads((PROFILES / "national-2008.toml").read_text(encoding="utf-8"))
    inherited = rows["control.building_coefficient_min"]
    assert inherited[1] == _text(national["control"]["building_coefficient_min"]["value"])
    assert inherited[4] == national["control"]["building_coefficient_min"]["confidence"]
    assert inherited[6] == "national-2008"


@pytest.mark.parametrize("profile", ["national-2008", "qingdao-2019"])
def test_every_parameter_of_each_profile_is_in_its_table(site, profile):
    frame = landuse.load_policy(profile).to_frame()
    rows = _policy_rows(site, profile)
    assert list(rows) == frame["key"].tolist()
    for rec in frame.itertuples(index=False):
        assert rows[rec.key][4] == rec.confidence, rec.key
        if rec.value is None:
            assert rows[rec.key][1].startswith("— (not shipped"), rec.key


def test_every_built_in_profile_is_on_the_page(site):
    """A profile added to landuse/policy/profiles appears on the policies page (issue 22)."""
    for profile in landuse.list_policies():
        assert _policy_rows(site, profile), profile


def test_the_example_profile_shows_its_own_values_and_its_notice(site):
    """qingdao-2019-example: only what it sets (7 example values), headed by the notice."""
    policy = landuse.load_policy("qingdao-2019-example")
    rows = _policy_rows(site, "qingdao-2019-example")
    own = policy.to_frame().query("profile == 'qingdao-2019-example'")
    assert list(rows) == own["key"].tolist()
    assert len(rows) == 9  # 7 user inputs of issue 22, 2 of issue 19
    tax = rows["inefficient.tax_wan_per_mu_min"]
    assert (tax[1], tax[4], tax[6]) == ("20", "I", "qingdao-2019-example")
    page = (site / "policies.html").read_text(encoding="utf-8")
    assert "示例参数 example values" in page


def test_table_valued_parameters_get_their_own_table(site):
    tables = _tables(site / "policies.html")
    grades = [t for t in tables if t and t[0][:2] == ["grade", "rank_share_max"]]
    assert grades, "no table for mujun.class_cuts"
    cuts = landuse.load_policy("national-2008").table("mujun.class_cuts")
    assert [row[:2] for row in grades[0][1:]] == [
        [g, _text(float(r))] for g, r in zip(cuts["grade"], cuts["rank_share_max"], strict=True)
    ]


def test_the_confidence_tags_are_explained(site):
    tables = _tables(site / "policies.html")
    tags = next(t for t in tables if t and t[0] == ["tag", "meaning"])
    from landuse.policy import CONFIDENCE_TAGS

    assert [row[0] for row in tags[1:]] == list(CONFIDENCE_TAGS)
    assert all(row[1] for row in tags[1:])


def test_the_getting_started_notebook_page_holds_executed_outputs(site):
    text = (site / "notebooks" / "01_getting_started.html").read_text(encoding="utf-8")
    outputs = re.findall(
        r'<div class="cell_output docutils container">(.*?)</div>\s*</div>', text, re.S
    )
    assert outputs, "no executed output cell"
    shown = html.unescape(re.sub(r"<[^>]+>", "", "".join(outputs)))
    assert repr(landuse.__version__) in shown
    s = landuse.load_sample()
    assert f"'zones': {len(s.zones)}" in shown
    assert f"'parcels': {len(s.parcels)}" in shown


def test_every_notebook_is_a_page(site):
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for name in notebooks:
        assert (site / "notebooks" / f"{name}.html").is_file(), name


def test_the_cli_page_shows_landuse_help_and_every_command(site):
    from landuse.cli import main

    text = html.unescape((site / "cli.html").read_text(encoding="utf-8"))
    assert "$ landuse --help" in text
    assert "Usage: landuse [OPTIONS] COMMAND [ARGS]..." in text
    for command in main.commands:
        assert re.search(rf'id="landuse-{re.escape(command)}"', text), command


def test_the_site_loads_nothing_from_the_internet(site):
    """The theme's assets are bundled: no page of ours loads a script or stylesheet from a URL."""
    for page in ["index.html", "policies.html", "api/efficiency.html"]:
        text = (site / page).read_text(encoding="utf-8")
        assert not re.search(r'<script[^>]+src="(https?:)?//', text), page
        assert not re.search(r'<link[^>]+rel="stylesheet"[^>]+href="(https?:)?//', text), page
    conf = (ROOT / "docs" / "conf.py").read_text(encoding="utf-8")
    assert "intersphinx" not in conf
