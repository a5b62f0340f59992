"""Issue 17 pt 4, readers: unmapped fields listed and warned about, `units=` by canonical column,
hints that are sensible guesses, and the fixes carried on errors and warnings for the CLI."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

import landuse
from landuse.errors import LanduseWarning, SchemaError


def _raw(**cols: list) -> gpd.GeoDataFrame:
    """One 100 m × 100 m parcel (10,000 m² = 15 亩) per value, in EPSG:4549."""
    n = len(next(iter(cols.values())))
    geoms = [shapely.box(500000 + 200 * i, 4000000, 500100 + 200 * i, 4000100) for i in range(n)]
    return gpd.GeoDataFrame(cols, geometry=geoms, crs="EPSG:4549")


def test_unmapped_lookalike_is_warned_with_the_mapping_and_listed():
    raw = _raw(宗地编号=["P1"], 面积亩=[15.0], 备注=["x"])
    with pytest.warns(LanduseWarning) as caught:
        p = landuse.read_parcels(raw)
    texts = [str(w.message) for w in caught]
    assert len(texts) == 1
    assert texts[0] == (
        "parcels: '面积亩' looks like `land_area_m2` (用地面积, in 亩), but its name is not one "
        "landuse knows, so it was not read (land_area_m2 is then taken from the geometry). Map "
        "it with columns={'面积亩': 'land_area_m2'}, units={'land_area_m2': '亩'}."
    )
    (fix,) = caught[0].message.landuse_fixes
    assert fix.layer == "parcels"
    assert dict(fix.columns) == {"面积亩": "land_area_m2"}
    assert dict(fix.units) == {"land_area_m2": "亩"}
    assert fix.python in texts[0]
    report = p.attrs["landuse_read"]
    assert report.unmapped == ["面积亩", "备注"]
    assert report.lookalikes == {"面积亩": "land_area_m2"}
    assert "fields not mapped: 面积亩 (looks like land_area_m2), 备注" in report.summary()
    assert p["land_area_m2"].tolist() == [10000.0]  # from the geometry
    assert p["面积亩"].tolist() == [15.0]  # kept under its own name


def test_the_mapping_the_warning_gives_reads_the_field():
    raw = _raw(宗地编号=["P1", "P2"], 面积亩=[15.0, 15.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = landuse.read_parcels(
            raw, columns={"面积亩": "land_area_m2"}, units={"land_area_m2": "亩"}
        )
    assert p["land_area_m2"].tolist() == pytest.approx([10000.0, 10000.0], rel=1e-12)
    report = p.attrs["landuse_read"]
    assert report.unmapped == []
    assert report.columns == {"面积亩": "land_area_m2", "宗地编号": "parcel_id"}


def test_units_by_source_field_still_works():
    raw = _raw(宗地编号=["P1"], 面积=[15.0])  # 面积 is an alias: read as land_area_m2
    p = landuse.read_parcels(raw, units={"面积": "亩"})
    assert p["land_area_m2"].tolist() == pytest.approx([10000.0], rel=1e-12)
    p = landuse.read_parcels(raw, units={"land_area_m2": "亩"})
    assert p["land_area_m2"].tolist() == pytest.approx([10000.0], rel=1e-12)


def test_units_refuses_a_unit_it_cannot_convert_listing_the_allowed():
    raw = _raw(宗地编号=["P1"], 面积=[15.0])
    with pytest.raises(SchemaError) as err:
        landuse.read_parcels(raw, units={"land_area_m2": "斤"})
    assert str(err.value) == (
        "`units` gives 'land_area_m2' the unit '斤', which landuse cannot convert to "
        "`land_area_m2` (m²). Allowed units: m2, m², 平方米, ㎡, sqm, 亩, mu, 公顷, ha, hm2, hm², "
        "平方公里, km2, km², 万平方米, 万m2, 万m², 万㎡."
    )
    with pytest.raises(SchemaError, match=r"`parcel_id` has no unit \(宗地编号\)"):
        landuse.read_parcels(raw, units={"parcel_id": "亩"})
    with pytest.raises(SchemaError, match=r"'面积x' that are not in the parcels data, nor canon"):
        landuse.read_parcels(raw, units={"面积x": "亩"})


def test_units_for_a_column_no_field_is_read_as_is_warned():
    raw = _raw(宗地编号=["P1"])
    with pytest.warns(LanduseWarning, match=r"`units` names 'tax_wan', but no field"):
        p = landuse.read_parcels(raw, units={"tax_wan": "亿元"})
    assert "tax_wan" not in p.columns


def test_missing_required_column_suggests_the_likeliest_field():
    # the review: zones read from a parcels-like file suggested its FIRST field
    raw = _raw(名称=["甲"], 宗地编号=["P1"], 面积=[1.0])
    with pytest.raises(SchemaError) as err:
        landuse.read_zones(raw)
    text = str(err.value)
    assert text.endswith("Rename the fields, or map them, e.g. columns={'宗地编号': 'zone_id'}.")
    (fix,) = err.value.landuse_fixes
    assert (fix.layer, dict(fix.columns)) == ("zones", {"宗地编号": "zone_id"})


def test_missing_required_without_a_similar_field_suggests_a_placeholder():
    stats = pd.DataFrame({"zone_id": ["QD01"], "name": ["甲"], "district": ["城阳区"]})
    with pytest.raises(SchemaError) as err:
        landuse.read_zone_stats(stats)
    assert str(err.value).endswith("e.g. columns={'FIELD': 'year'}.")  # not {'zone_id': 'year'}
    stats = stats.assign(统计年=["2021"])
    with pytest.raises(SchemaError, match=r"e\.g\. columns=\{'统计年': 'year'\}\.$"):
        landuse.read_zone_stats(stats)
    assert landuse.read_zone_stats(stats, columns={"统计年": "year"})["year"].tolist() == [2021]


def test_zone_stats_of_a_geopackage_is_found_without_layer(tmp_path):
    gpkg = tmp_path / "sample.gpkg"
    pyogrio.write_dataframe(_raw(zone_id=["QD01"]), gpkg, layer="zones")
    stats = pd.DataFrame({"zone_id": ["QD01"], "year": [2021], "tax_wan": [5.0]})
    pyogrio.write_dataframe(stats, gpkg, layer="zone_stats")
    assert landuse.read_zone_stats(gpkg)["tax_wan"].tolist() == [5.0]


def test_layer_hint_is_carried(tmp_path):
    gpkg = tmp_path / "two.gpkg"
    pyogrio.write_dataframe(_raw(parcel_id=["P1"]), gpkg, layer="a")
    pyogrio.write_dataframe(_raw(parcel_id=["P1"]), gpkg, layer="b")
    with pytest.raises(SchemaError, match=r"pass `layer=` to say which") as err:
        landuse.read_parcels(gpkg)
    (fix,) = err.value.landuse_fixes
    assert (fix.python, fix.options) == ("`layer=`", ("layer",))
    assert landuse.read_parcels(gpkg, layer="b")["parcel_id"].tolist() == ["P1"]


@pytest.mark.parametrize(
    ("field", "column", "unit"),
    [
        ("面积亩", "land_area_m2", "亩"),
        ("面积_公顷", "land_area_m2", "公顷"),
        ("land_area_mu", "land_area_m2", "mu"),
        ("税收2021", "tax_wan", None),
        ("营业收入亿元", "revenue_wan", "亿元"),
    ],
)
def test_lookalikes(field, column, unit):
    from landuse.io._hints import looks_like

    assert looks_like(field, landuse.schema.PARCELS) == (column, unit)


def test_no_warning_when_the_column_is_already_read():
    raw = _raw(宗地编号=["P1"], 用地面积=[10000.0], 面积亩=[15.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = landuse.read_parcels(raw)
    assert p.attrs["landuse_read"].unmapped == ["面积亩"]
    assert p.attrs["landuse_read"].lookalikes == {}
