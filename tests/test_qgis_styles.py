"""GeoPackages that open styled in QGIS, with Chinese field aliases (issue 17 point 3).

Each layer is written with pyogrio, styled with ``style_gpkg_layer`` and then opened the way
an analyst opens it: in QGIS (Debian's python3-qgis under the system Python, through
tests/qgis_probe.py) and through GDAL (pyogrio's Arrow stream reports the fields' alternative
names). The file's tables are also read back with sqlite3.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from conftest import QD_GK, square, unavailable

from landuse.errors import GeometryError, LanduseError, SchemaError
from landuse.report._gpkg import style_gpkg_layer
from landuse.report._qml import field_aliases, layer_qml
from landuse.schema import CATEGORY_COLORS, CATEGORY_LABELS

PROBE = Path(__file__).with_name("qgis_probe.py")
SYSTEM_PYTHON = "/usr/bin/python3"
HOSTILE = '<b>&"x'
X0, Y0 = QD_GK


@pytest.fixture(scope="session")
def qgis() -> None:
    """QGIS's Python bindings (Debian python3-qgis) under the system Python."""
    if not Path(SYSTEM_PYTHON).exists():
        unavailable(
            f"{SYSTEM_PYTHON} is missing; QGIS's Python bindings need Debian's python3-qgis"
        )
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if done.returncode != 0:
        unavailable(
            "QGIS is not importable by /usr/bin/python3 (install Debian's python3-qgis): "
            + done.stderr.strip()[-300:]
        )


def open_in_qgis(path: Path, layer: str) -> dict:
    done = subprocess.run(
        [SYSTEM_PYTHON, str(PROBE), str(path), layer],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.stdout.strip(), done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def gdal_aliases(path: Path, layer: str) -> dict[str, str]:
    """The fields' alternative names as GDAL reports them (Arrow field metadata)."""
    with pyogrio.raw.open_arrow(path, layer=layer, use_pyarrow=True) as (_, reader):
        schema = reader.schema
    key = b"GDAL:OGR:alternative_name"
    return {f.name: f.metadata[key].decode() for f in schema if f.metadata and key in f.metadata}


def parcels() -> gpd.GeoDataFrame:
    """Three 100 m × 100 m parcels (1 ha each), one per verdict."""
    return gpd.GeoDataFrame(
        {
            "parcel_id": ["P1", "P2", "P3"],
            "land_area_m2": [10000.0, 10000.0, 10000.0],
            "verdict": ["inside", "outside", "straddles_boundary"],
        },
        geometry=[square(X0, Y0), square(X0 + 200, Y0), square(X0 + 400, Y0)],
        crs="EPSG:4549",
    )


def write(frame: gpd.GeoDataFrame, path: Path, layer: str, **style) -> Path:
    pyogrio.write_dataframe(frame, path, layer=layer)
    style_gpkg_layer(path, layer, frame=frame, **style)
    return path


def catalogue(category: str, lang: int = 0) -> list[dict[str, str]]:
    return [
        {"value": code, "label": pair[lang], "fill": CATEGORY_COLORS[category][code]}
        for code, pair in CATEGORY_LABELS[category].items()
    ]


NO_DATA = {"value": "", "label": "无数据", "fill": "#d9d9d9"}


# --- QGIS ------------------------------------------------------------------------------------


def test_parcels_open_in_qgis_with_the_verdict_classes_and_chinese_aliases(qgis, tmp_path):
    path = write(parcels(), tmp_path / "parcels.gpkg", "parcels")
    seen = open_in_qgis(path, "parcels")
    assert seen["feature_count"] == 3
    assert seen["crs"] == "EPSG:4549"
    assert seen["style_from_database"] is True
    assert seen["styles_in_database"] == [{"name": "parcels", "description": "landuse: parcels"}]
    assert seen["renderer"] == "categorizedSymbol"
    assert seen["attribute"] == "verdict"
    assert seen["categories"] == [*catalogue("verdict"), NO_DATA]
    # the three parcels as drawn: labels by hand, colours from the catalogue
    assert seen["feature_classes"] == ["位于集聚区内", "位于集聚区外", "跨集聚区边界"]
    fills = {c["label"]: c["fill"] for c in seen["categories"]}
    assert [fills[k] for k in seen["feature_classes"]] == ["#1a9850", "#d7191c", "#fdae61"]
    assert seen["aliases"] == {
        "fid": "",
        "parcel_id": "宗地编号",
        "land_area_m2": "用地面积（平方米）",
        "verdict": "判定结果",
    }


def test_zones_open_as_red_outlines(qgis, tmp_path):
    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z1"], "name": ["青岛汽车产业集聚区"]},
        geometry=[square(X0, Y0, 1000)],
        crs="EPSG:4549",
    )
    seen = open_in_qgis(write(zones, tmp_path / "zones.gpkg", "zones"), "zones")
    assert seen["renderer"] == "singleSymbol"
    assert seen["style_from_database"] is True
    assert seen["symbol"]["fill_style"] == "no"
    assert seen["symbol"]["outline"] == "214,96,77,255"  # #d6604d, the web map's zone outline
    assert seen["symbol"]["outline_width"] == "0.8"
    assert seen["aliases"] == {"fid": "", "zone_id": "集聚区编号", "name": "名称"}
    assert seen["feature_count"] == 1


def test_bank_with_labels_and_codes_is_classified_on_the_codes(qgis, tmp_path):
    # as an output writer presents it: Chinese labels in `route`, codes in `route_code`
    bank = gpd.GeoDataFrame(
        {
            "parcel_id": ["P1", "P2", "P3"],
            "route": ["收购储备", "工业上楼", None],
            "route_code": ["acquisition", "multistorey", None],
            "status": ["已识别", "已核实", "已识别"],
        },
        geometry=[square(X0, Y0), square(X0 + 200, Y0), square(X0 + 400, Y0)],
        crs="EPSG:4549",
    )
    seen = open_in_qgis(write(bank, tmp_path / "bank.gpkg", "bank"), "bank")
    assert seen["attribute"] == "route_code"
    assert seen["categories"] == [*catalogue("route"), NO_DATA]
    assert seen["feature_classes"] == ["收购储备", "工业上楼", "无数据"]
    assert seen["aliases"]["route"] == "再开发路径"
    assert seen["aliases"]["status"] == "状态"


def test_hostile_text_round_trips_as_text(qgis, tmp_path):
    frame = parcels().assign(verdict=["inside", HOSTILE, None])
    path = write(frame, tmp_path / "hostile.gpkg", "parcels", aliases={"parcel_id": "编号]]><x/>"})
    seen = open_in_qgis(path, "parcels")
    assert seen["categories"][-2:] == [
        {"value": HOSTILE, "label": HOSTILE, "fill": "#d9d9d9"},
        NO_DATA,
    ]
    assert seen["feature_classes"] == ["位于集聚区内", HOSTILE, "无数据"]
    assert seen["aliases"]["parcel_id"] == "编号]]><x/>"
    assert gdal_aliases(path, "parcels")["parcel_id"] == "编号]]><x/>"


def test_points_and_english(qgis, tmp_path):
    points = gpd.GeoDataFrame(
        {"grade": ["A", "D"]},
        geometry=[shapely.Point(X0, Y0), shapely.Point(X0 + 50, Y0)],
        crs="EPSG:4549",
    )
    path = write(points, tmp_path / "points.gpkg", "enterprises", lang="en")
    seen = open_in_qgis(path, "enterprises")
    assert seen["categories"] == [*catalogue("grade", 1), {**NO_DATA, "label": "No data"}]
    assert seen["feature_classes"] == ["Grade A", "Grade D"]
    assert seen["aliases"] == {"fid": "", "grade": "Efficiency grade"}


# --- what the file holds (sqlite3, GDAL) ------------------------------------------------------


def test_the_file_holds_gpkg_data_columns_and_one_default_style(tmp_path):
    path = write(parcels(), tmp_path / "parcels.gpkg", "parcels", description="核查结果")
    with sqlite3.connect(path) as db:
        columns = db.execute(
            "SELECT column_name, name, title, description FROM gpkg_data_columns "
            "WHERE table_name = 'parcels' ORDER BY column_name"
        ).fetchall()
        extensions = db.execute(
            "SELECT table_name, column_name, extension_name, definition, scope "
            "FROM gpkg_extensions WHERE extension_name = 'gpkg_schema' ORDER BY table_name"
        ).fetchall()
        styles = db.execute(
            "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
            "styleName, useAsDefault, description, owner FROM layer_styles"
        ).fetchall()
        contents = db.execute(
            "SELECT data_type, identifier FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchall()
        qml = db.execute("SELECT styleQML FROM layer_styles").fetchone()[0]
    assert columns == [
        ("land_area_m2", "用地面积（平方米）", "用地面积（平方米）", None),
        ("parcel_id", "宗地编号", "宗地编号", None),
        ("verdict", "判定结果", "判定结果", None),
    ]
    definition = "http://www.geopackage.org/spec121/#extension_schema"
    assert extensions == [
        ("gpkg_data_column_constraints", None, "gpkg_schema", definition, "read-write"),
        ("gpkg_data_columns", None, "gpkg_schema", definition, "read-write"),
    ]
    assert styles == [("", "", "parcels", "geom", "parcels", 1, "核查结果", "landuse")]
    assert contents == [("attributes", "layer_styles")]
    assert qml == layer_qml(parcels())
    # GDAL reports the headers as the fields' alternative names; the data read back unchanged
    assert gdal_aliases(path, "parcels") == {
        "parcel_id": "宗地编号",
        "land_area_m2": "用地面积（平方米）",
        "verdict": "判定结果",
    }
    back = pyogrio.read_dataframe(path, layer="parcels")
    assert back["verdict"].tolist() == ["inside", "outside", "straddles_boundary"]


def test_writing_again_replaces_the_landuse_style_and_keeps_a_users_style(tmp_path):
    path = write(parcels(), tmp_path / "parcels.gpkg", "parcels")
    with sqlite3.connect(path) as db:  # a style the user saved in QGIS, as the default
        db.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, useAsDefault, owner) "
            "VALUES ('', '', 'parcels', 'geom', 'mine', '<qgis/>', 1, '')"
        )
    style_gpkg_layer(path, "parcels", frame=parcels(), lang="en")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT styleName, useAsDefault, owner FROM layer_styles ORDER BY id"
        ).fetchall()
        names = db.execute(
            "SELECT name FROM gpkg_data_columns WHERE column_name = 'land_area_m2'"
        ).fetchall()
    assert rows == [("mine", 0, ""), ("parcels", 1, "landuse")]
    assert names == [("Land area (m²)",)]


def test_a_failure_leaves_the_file_unchanged(tmp_path):
    path = write(parcels(), tmp_path / "parcels.gpkg", "parcels")
    with sqlite3.connect(path) as db:  # makes the style insert, after the alias writes, fail
        db.execute(
            "CREATE TRIGGER frozen BEFORE INSERT ON layer_styles "
            "BEGIN SELECT RAISE(ABORT, 'styles are frozen'); END"
        )
    db.close()
    before = path.read_bytes()
    with pytest.raises(LanduseError, match=r"styles are frozen.*The file is unchanged"):
        style_gpkg_layer(path, "parcels", frame=parcels(), lang="en")
    assert path.read_bytes() == before
    with pytest.raises(SchemaError, match=r"no feature layer 'bank'; its layers: .*parcels"):
        style_gpkg_layer(path, "bank", frame=parcels())
    assert path.read_bytes() == before
    with pytest.raises(SchemaError, match=r"lacks 1 column\(s\) of `frame`: extra"):
        style_gpkg_layer(path, "parcels", frame=parcels().assign(extra=1))
    assert path.read_bytes() == before
    with pytest.raises(SchemaError, match="no GeoPackage at"):
        style_gpkg_layer(tmp_path / "missing.gpkg", "parcels", frame=parcels())
    assert not (tmp_path / "missing.gpkg").exists()


def test_aliases_are_unique_within_a_layer(tmp_path):
    frame = gpd.GeoDataFrame(
        {"grade": ["A"], "grade_label": ["A类"]}, geometry=[square(X0, Y0)], crs="EPSG:4549"
    )
    assert field_aliases(frame) == {
        "grade": "亩均效益等级",
        "grade_label": "亩均效益等级（grade_label）",
    }
    path = write(frame, tmp_path / "g.gpkg", "grades")
    assert gdal_aliases(path, "grades") == field_aliases(frame)


# --- the QML alone ---------------------------------------------------------------------------


def test_style_column_choice_and_errors():
    frame = parcels().assign(grade=["A", "B", "C"])
    assert 'attr="verdict"' in layer_qml(frame)
    assert 'attr="grade"' in layer_qml(frame, style_column="grade")
    with pytest.raises(SchemaError, match=r"'parcel_id' has no category.*verdict, grade"):
        layer_qml(frame, style_column="parcel_id")
    with pytest.raises(SchemaError, match="'route' is not a column of the frame"):
        layer_qml(frame, style_column="route")
    plain = parcels().drop(columns="verdict")
    assert 'type="singleSymbol"' in layer_qml(plain)
    assert 'value="217,217,217,255"' in layer_qml(plain)  # neutral grey fill


def test_lines_get_line_symbols_and_mixed_geometry_is_refused():
    lines = gpd.GeoDataFrame(
        {"land_use": ["industrial"]},
        geometry=[shapely.LineString([(0, 0), (1, 1)])],
        crs="EPSG:4549",
    )
    qml = layer_qml(lines)
    assert 'class="SimpleLine"' in qml
    assert 'value="187,150,116,255"' in qml  # #bb9674
    mixed = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0), square(0, 0)], crs="EPSG:4549")
    with pytest.raises(GeometryError, match="Point, Polygon"):
        layer_qml(mixed)
    with pytest.raises(ValueError, match='must be "zh" or "en"'):
        layer_qml(lines, lang="fr")
