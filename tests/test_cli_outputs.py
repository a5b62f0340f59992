"""Issue 17, CLI part: `-o` follows its extension, assess --layer, demo help lists its files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from conftest import QD_GK, square

import landuse
from landuse.cli import main

BOM = b"\xef\xbb\xbf"


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def stats_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("stats") / "stats.csv"
    landuse.load_sample().zone_stats.to_csv(path, index=False, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def project_toml(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("project") / "p.toml"
    path.write_text(
        'discount_rate = 0.05\n[project]\nname = "甲项目"\nindustry_code = "39"\n'
        "floor_area_needed_m2 = 9000\ninvestment_wan = 4000\nexpected_tax_wan = 300\n"
        'land_grade = "三级"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def zonal_inputs(tmp_path_factory) -> tuple[Path, Path]:
    import rasterio
    from affine import Affine

    folder = tmp_path_factory.mktemp("zonal")
    x0, y0 = QD_GK
    with rasterio.open(
        folder / "r.tif", "w", driver="GTiff", width=10, height=10, count=1, dtype="uint8",
        crs="EPSG:4549", transform=Affine(10.0, 0.0, x0, 0.0, -10.0, y0 + 100),
    ) as dst:  # fmt: skip
        dst.write(np.full((1, 10, 10), 3, dtype="uint8"))
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["P1", "P2"]},
        geometry=[square(x0, y0, 50), square(x0 + 50, y0, 50)],
        crs=4549,
    )
    parcels.to_file(folder / "p.gpkg")
    return folder / "p.gpkg", folder / "r.tif"


def command(name: str, out: Path, stats_csv, project_toml, zonal_inputs) -> list:
    if name == "assess":
        return ["assess", stats_csv, "--year", "2021", "-o", out]
    if name == "supply":
        return ["supply", project_toml, "--option", "conventional", "-o", out]
    return ["zonal", *zonal_inputs, "--stats", "mean", "-o", out]


FIRST_HEADER = {"assess": "集聚区编号", "supply": "项目名称", "zonal": "宗地编号"}


@pytest.mark.parametrize("name", ["assess", "supply", "zonal"])
def test_csv_output_is_csv_text_with_a_bom(name, tmp_path, stats_csv, project_toml, zonal_inputs):
    out = tmp_path / "out.csv"
    result = run(*command(name, out, stats_csv, project_toml, zonal_inputs))
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(BOM)
    assert not raw.startswith(BOM + b"PK")  # not a zip (xlsx) named .csv
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert table.columns[0] == FIRST_HEADER[name]
    assert len(table) > 0


@pytest.mark.parametrize("name", ["assess", "supply", "zonal"])
def test_xlsx_output_is_a_real_workbook(name, tmp_path, stats_csv, project_toml, zonal_inputs):
    out = tmp_path / "out.xlsx"
    result = run(*command(name, out, stats_csv, project_toml, zonal_inputs))
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet["A1"].value == FIRST_HEADER[name]
    assert sheet.max_row > 1
    table = pd.read_excel(out, sheet_name=0, dtype=str)
    assert table.columns[0] == FIRST_HEADER[name]


def test_zonal_csv_and_xlsx_hold_the_same_values(tmp_path, zonal_inputs):
    for out in (tmp_path / "z.csv", tmp_path / "z.xlsx"):
        assert run("zonal", *zonal_inputs, "--stats", "mean", "-o", out).exit_code == 0
    csv = pd.read_csv(tmp_path / "z.csv", encoding="utf-8-sig")
    xlsx = pd.read_excel(tmp_path / "z.xlsx")
    assert csv["宗地编号"].tolist() == xlsx["宗地编号"].tolist() == ["P1", "P2"]
    assert csv["平均值"].tolist() == xlsx["平均值"].tolist() == [3.0, 3.0]


def test_assess_csv_holds_the_ranking_sheet_of_the_workbook(tmp_path, stats_csv):
    for out in (tmp_path / "r.csv", tmp_path / "r.xlsx"):
        assert run("assess", stats_csv, "--year", "2021", "-o", out).exit_code == 0
    csv = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig", dtype=str)
    xlsx = pd.read_excel(tmp_path / "r.xlsx", sheet_name="考核排名", dtype=str)
    # the same columns; the CSV gives shares as percentages and says so in the header
    assert [c.replace("（%）", "") for c in csv.columns] == xlsx.columns.tolist()
    assert "主导产业集聚度（%）" in csv.columns
    assert csv["集聚区编号"].tolist() == xlsx["集聚区编号"].tolist()


@pytest.mark.parametrize("name", ["assess", "supply", "zonal"])
def test_unknown_extension_is_refused_before_the_analysis(
    name, tmp_path, stats_csv, project_toml, zonal_inputs
):
    out = tmp_path / "out.txt"
    result = run(*command(name, out, stats_csv, project_toml, zonal_inputs))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "'.txt'" in lines[0]
    assert ".xlsx, .csv, .gpkg, .parquet" in lines[0]
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
    assert result.stdout == ""  # nothing analysed, nothing printed


# --- --layer ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo_out"
    result = run("demo", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_read_zone_stats_reads_the_table_of_the_demo_geopackage(demo_out):
    gpkg = demo_out / "landuse_sample.gpkg"
    stats = landuse.io.read_zone_stats(gpkg, layer="zone_stats")
    sample = landuse.load_sample().zone_stats
    assert len(stats) == len(sample)
    assert sorted(stats["zone_id"].unique()) == sorted(sample["zone_id"].unique())


def test_assess_reads_the_zone_stats_layer_of_the_demo_geopackage(demo_out, tmp_path):
    out = tmp_path / "r.xlsx"
    gpkg = demo_out / "landuse_sample.gpkg"
    result = run("assess", gpkg, "--layer", "zone_stats", "--year", "2021", "-o", out)
    assert result.exit_code == 0, result.output
    ranking = pd.read_excel(out, sheet_name="考核排名", dtype=str)
    demo_book = demo_out / "zone_assessment_2021.xlsx"
    expected = pd.read_excel(demo_book, sheet_name="考核排名", dtype=str)
    assert ranking["集聚区编号"].tolist() == expected["集聚区编号"].tolist()
    assert "--layer" in run("assess", "--help").output


def test_assess_with_a_layer_the_file_does_not_hold_is_one_error_line(demo_out, tmp_path):
    out = tmp_path / "r.xlsx"
    gpkg = demo_out / "landuse_sample.gpkg"
    result = run("assess", gpkg, "--layer", "nope", "--year", "2021", "-o", out)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert "nope" in result.stderr
    assert not out.exists()


# --- demo --help ------------------------------------------------------------------------------


def test_demo_help_lists_every_file_the_demo_writes(demo_out):
    written = sorted(p.name for p in demo_out.iterdir() if p.is_file())
    assert len(written) == 8, written
    help_text = run("demo", "--help").output
    for name in written:
        assert name in help_text, name
    layers = pyogrio.list_layers(demo_out / "landuse_sample.gpkg")[:, 0]
    for layer in layers:
        assert layer in help_text, layer
