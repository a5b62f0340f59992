"""Issue 17 pt 4–6 on the CLI: --layer/--columns/--units by one rule on every reading command,
reader hints as CLI options, statuses and categories in either language, zonal on parcel ids,
and every command's help naming the files it writes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from landuse.cli import main

X0, Y0 = 500_000.0, 4_000_000.0


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def _parcels(**cols: list) -> gpd.GeoDataFrame:
    """100 m × 100 m parcels (10,000 m² = 15 亩), 200 m apart, in EPSG:4549."""
    n = len(next(iter(cols.values())))
    boxes = [shapely.box(X0 + 200 * i, Y0, X0 + 200 * i + 100, Y0 + 100) for i in range(n)]
    return gpd.GeoDataFrame(cols, geometry=boxes, crs="EPSG:4549")


@pytest.fixture(params=[".shp", ".gpkg"])
def mu_file(request, tmp_path):
    """Parcels with 面积亩 = 15 (no brackets: not an alias)."""
    path = tmp_path / f"parcels{request.param}"
    frame = _parcels(宗地编号=["P1"], 面积亩=[15.0], 备注=["x"])
    if request.param == ".shp":
        frame.to_file(path, encoding="utf-8")
    else:
        frame.to_file(path, layer="地块")
    return path


def test_validate_warns_about_the_lookalike_with_the_cli_options(mu_file):
    result = run("validate", mu_file, "--role", "parcels")
    assert result.exit_code == 0, result.output
    assert (
        "warning: parcels: '面积亩' looks like `land_area_m2` (用地面积, in 亩), but its name is "
        "not one landuse knows, so it was not read (land_area_m2 is then taken from the "
        "geometry). Map it with --columns 面积亩=land_area_m2 --units land_area_m2=亩.\n"
    ) in result.output
    assert "columns={" not in result.output
    assert "fields not mapped: 面积亩 (looks like land_area_m2), 备注" in result.output


def test_validate_columns_and_units_read_the_area(mu_file, tmp_path):
    out = tmp_path / "out.gpkg"
    result = run(
        "validate", mu_file, "--role", "parcels", "--columns", "面积亩=land_area_m2",
        "--units", "land_area_m2=亩", "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert "fields mapped: 面积亩→land_area_m2" in result.output
    assert "units converted: land_area_m2×666.667" in result.output
    back = pyogrio.read_dataframe(out, layer="parcels")
    assert back["land_area_m2"].tolist() == [10000.0]


def test_layer_of_the_main_input(tmp_path):
    path = tmp_path / "two.gpkg"
    _parcels(宗地编号=["A1"]).to_file(path, layer="a")
    _parcels(宗地编号=["B1", "B2"]).to_file(path, layer="b")
    result = run("validate", path, "--role", "parcels")
    assert result.exit_code == 2
    assert "pass `--layer NAME` to say which one holds the parcels." in result.output
    result = run("validate", path, "--role", "parcels", "--layer", "b")
    assert result.exit_code == 0, result.output
    assert "2 of 2 features kept" in result.output


def test_missing_column_error_suggests_the_cli_option_with_a_sensible_field(tmp_path):
    # the review: `validate 宗地.shp --role zones` suggested columns={first field: 'zone_id'}
    path = tmp_path / "z.gpkg"
    _parcels(名称=["甲"], 宗地编号=["Z1"]).to_file(path)
    result = run("validate", path, "--role", "zones")
    assert result.exit_code == 2
    assert result.output.endswith(
        "Rename the fields, or map them, e.g. --columns 宗地编号=zone_id.\n"
    )
    result = run("validate", path, "--role", "zones", "--columns", "宗地编号=zone_id")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--columns", "面积亩"], "'面积亩': give SOURCE=COLUMN, e.g. --columns 面积亩=land_area_m2."),
        (["--columns", "面积亩=area"], "'面积亩=area': `area` is not a canonical column of the parcels"),
        (["--units", "land_area_m2=斤"], "landuse cannot convert '斤' to `land_area_m2` (m²). Allowed units: m2, m², 平方米, ㎡, sqm, 亩,"),
        (["--units", "parcel_id=亩"], "Allowed units: none: the column has no unit."),
    ],
)  # fmt: skip
def test_bad_mapping_options_are_refused_before_reading(mu_file, args, message):
    result = run("validate", mu_file, "--role", "parcels", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


# --- several inputs: the prefix rule ----------------------------------------------------------


@pytest.fixture
def check_files(tmp_path):
    """Proposals (面积亩, 用途 in Chinese) and zones in layer `bounds` with id field 园区代码."""
    proposals = tmp_path / "proposals.gpkg"
    _parcels(项目编号=["N1", "N2"], 用途=["工业", "仓储"], 面积亩=[15.0, 15.0]).to_file(proposals)
    zones = tmp_path / "zones.gpkg"
    zone = shapely.box(X0 - 10, Y0 - 10, X0 + 110, Y0 + 110)  # holds N1 only
    gpd.GeoDataFrame({"园区代码": ["Z1"]}, geometry=[zone], crs="EPSG:4549").to_file(
        zones, layer="bounds"
    )
    gpd.GeoDataFrame({"x": [1]}, geometry=[zone], crs="EPSG:4549").to_file(zones, layer="other")
    return proposals, zones


def test_check_other_inputs_take_the_prefix(check_files, tmp_path):
    proposals, zones = check_files
    out = tmp_path / "report.gpkg"
    base = ["check", proposals, "--zones", zones, "-o", out]
    result = run(*base)
    assert result.exit_code == 2
    assert "pass `--layer zones:NAME` to say which one holds the zones." in result.output
    result = run(*base, "--layer", "zones:bounds")
    assert result.exit_code == 2
    assert result.output.endswith("e.g. --columns zones:园区代码=zone_id.\n")
    result = run(
        *base, "--layer", "zones:bounds", "--columns", "zones:园区代码=zone_id",
        "--columns", "面积亩=land_area_m2", "--units", "land_area_m2=亩",
        "--industrial-uses", "工业用地,Logistics and warehousing",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    report = pyogrio.read_dataframe(out, layer="compliance")
    assert report["land_area_m2"].tolist() == [10000.0, 10000.0]
    assert sorted(report["proposal_id"]) == ["N1", "N2"]


def test_prefix_for_an_input_not_given_is_refused(check_files):
    proposals, zones = check_files
    result = run("check", proposals, "--zones", zones, "--columns", "areas:类型=area_type")
    assert result.exit_code == 2
    assert "'areas:类型=area_type' is for --areas, which was not given." in result.output


def test_industrial_uses_in_either_language_and_the_error_lists_both(check_files):
    proposals, zones = check_files
    result = run(
        "check", proposals, "--zones", zones, "--layer", "zones:bounds",
        "--columns", "zones:园区代码=zone_id", "--industrial-uses", "工业,仓库",
    )  # fmt: skip
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert (
        "'工业' is not one of: industrial (工业用地, Industrial), logistics (物流仓储用地," in text
    )


def test_assess_reads_the_zone_stats_table_of_a_geopackage(tmp_path):
    gpkg = tmp_path / "sample.gpkg"
    _parcels(zone_id=["Z1"]).to_file(gpkg, layer="zones")
    stats = pd.DataFrame({"集聚区编号": ["Z1", "Z1"], "年份": [2020, 2021], "税收亿元": [1.0, 1.5]})
    pyogrio.write_dataframe(stats, gpkg, layer="zone_stats")
    out = tmp_path / "ranking.csv"
    result = run("assess", gpkg, "--year", "2021", "-o", out)
    assert "Map it with --columns 税收亿元=tax_wan --units tax_wan=亿元." in result.output
    result = run(
        "assess", gpkg, "--year", "2021", "-o", out, "--columns", "税收亿元=tax_wan",
        "--units", "tax_wan=亿元", "--zones", gpkg, "--layer", "zones:zones",
    )  # fmt: skip
    assert "税收亿元" not in result.output
    assert "looks like" not in result.output


# --- statuses in either language ---------------------------------------------------------------


def _store_with_candidates(tmp_path):
    candidates = _parcels(parcel_id=["P1", "P2"])
    candidates["candidate_id"] = ["B-P1", "B-P2"]
    candidates["zone_id"] = "Z1"
    candidates["reasons"] = "idle"
    candidates["reason_text"] = "闲置"
    candidates["grade"] = "D"
    candidates["route"] = "acquisition"
    candidates["priority"] = [0.9, 0.5]
    candidates["land_area_m2"] = 10000.0
    candidates["potential_extra_floor_area_m2"] = 0.0
    candidates["land_freed_mu"] = 15.0
    candidates["potential_tax_wan"] = 0.0
    path = tmp_path / "cands.gpkg"
    pyogrio.write_dataframe(candidates, path, layer="project_bank")
    store = tmp_path / "store.gpkg"
    result = run("bank-store", "sync", path, "--store", store, "--as-of", "2021-12-31")
    assert result.exit_code == 0, result.output
    return store


def test_bank_store_status_in_chinese_or_english(tmp_path):
    store = _store_with_candidates(tmp_path)
    result = run("bank-store", "status", "B-P1", "已核实", "--store", store, "--by", "王工")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 entry → verified"
    result = run("bank-store", "status", "B-P2", "Verified", "--store", store, "--by", "王工")
    assert result.output.strip() == "1 entry → verified"
    result = run("bank-store", "status", "B-P2", "核实", "--store", store, "--by", "王工")
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert (
        "'核实' is not one of: identified (已识别, Identified), verified (已核实, Verified),"
        in text
    )
    assert "resolved_by_data" not in text


def test_set_status_takes_either_language(tmp_path):
    from landuse.bank import ProjectBank
    from landuse.errors import BankError

    store = _store_with_candidates(tmp_path)
    with ProjectBank.open(store) as bank:
        bank.set_status("B-P1", "已核实", by="li")
        bank.set_status("B-P1", "Approved", by="li")
        assert bank.entries().set_index("candidate_id").loc["B-P1", "status"] == "approved"
        with pytest.raises(BankError, match=r"or in Chinese 已识别, 已核实, 已批准"):
            bank.set_status("B-P2", "核实", by="li")


# --- zonal on parcel ids ----------------------------------------------------------------------


def test_zonal_names_parcel_ids_in_the_warning_and_the_table(tmp_path):
    rasterio = pytest.importorskip("rasterio")
    from affine import Affine

    tif = tmp_path / "light.tif"
    with rasterio.open(
        tif, "w", driver="GTiff", width=2, height=1, count=1, dtype="float32",
        crs="EPSG:4549", transform=Affine(100, 0, X0, 0, -100, Y0 + 100), nodata=-1,
    ) as ds:  # fmt: skip
        ds.write(np.array([[10.0, 30.0]], dtype="float32"), 1)
    gpkg = tmp_path / "p.gpkg"
    _parcels(宗地编号=["Q7", "Q9"]).to_file(gpkg, layer="parcels")  # Q9 at x+200: outside
    out = tmp_path / "z.csv"
    result = run("zonal", gpkg, tif, "-o", out, "--stats", "mean")
    assert result.exit_code == 0, result.output
    assert "1 of 2 parcels lie outside the raster" in result.output
    assert "(ids: Q9)" in result.output
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={0: str})
    assert table.iloc[:, 0].tolist() == ["Q7", "Q9"]
    assert table.iloc[0, 1] == pytest.approx(10.0)


# --- help --------------------------------------------------------------------------------------

READERS = {
    "validate": "SOURCE",
    "map": "--parcels",
    "zonal": "PARCELS",
    "assess": "STATS",
    "bank": "PARCELS",
    "check": "PROPOSALS",
}


@pytest.mark.parametrize("command", sorted(READERS))
def test_every_reading_command_documents_the_rule(command):
    text = " ".join(run(command, "--help").output.split())
    for option in ("--layer NAME", "--columns SOURCE=COLUMN", "--units COLUMN=UNIT"):
        assert option in text
    assert f"NAME for {READERS[command]}" in text
    if command in ("bank", "check", "assess", "map"):
        assert "zones:NAME for --zones" in text


@pytest.mark.parametrize(
    ("command", "files"),
    [
        (["validate"], ["-o"]),
        (["map"], ["-o", "--static"]),
        (["zonal"], ["-o"]),
        (["assess"], ["-o", "--charts"]),
        (["bank"], ["-o", "--excel"]),
        (["check"], ["-o", "NAME_summary.csv"]),
        (["supply"], ["-o"]),
        (["bank-store", "sync"], ["--store"]),
        (["bank-store", "status"], ["store"]),
        (["bank-store", "summary"], ["-o"]),
    ],
)
def test_help_names_the_files_written(command, files):
    text = " ".join(run(*command, "--help").output.split())
    assert "Writes" in text
    for name in files:
        assert name in text
