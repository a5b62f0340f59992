"""Shapefile text encodings without ``.cpg`` (issue 20 item 1), on DBFs written byte by byte here.

Each DBF is built in code with a chosen language byte (LDID, header byte 29): Windows-1252
Latin names, Big5 traditional Chinese, and GBK simplified Chinese at the language bytes ArcGIS
(0x57, "ANSI"), code page 936 (0x4D) and no declaration (0) give them.

Real files, fetched at test time (not committed) from Debian's package ``r-cran-sf`` (the R
package *sf*, GPL-2 | MIT) with ``apt-get download`` and ``dpkg-deb -x``, as
``test_raster_real.py`` does: ``olinda1.shp`` (470 census tracts of Olinda, Brazil, IBGE; a
Windows-1252 DBF with language byte 0x57 and no ``.cpg``; 105 names with accents) and
``nc.shp`` (100 North Carolina counties, ASCII). Names are compared with an independent decode:
pyogrio (GDAL) told the encoding explicitly.
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

import landuse
from landuse.errors import LanduseWarning


def _write_dbf(path: Path, fields: dict[str, list[str]], encoding: str, ldid: int) -> None:
    """A dBASE III table of character fields, names and values encoded in ``encoding``."""
    names = [n.encode(encoding) for n in fields]
    columns = [[v.encode(encoding) for v in values] for values in fields.values()]
    widths = [max(len(v) for v in col) + 2 for col in columns]
    n = len(columns[0])
    header_len = 32 + 32 * len(names) + 1
    record_len = 1 + sum(widths)
    out = bytearray(struct.pack("<BBBBIHH", 0x03, 126, 1, 1, n, header_len, record_len))
    out += bytes(17) + bytes([ldid]) + bytes(2)
    for name, width in zip(names, widths, strict=True):
        out += name.ljust(11, b"\0")[:11] + b"C" + bytes(4) + bytes([width, 0]) + bytes(14)
    out += b"\r"
    for i in range(n):
        out += b" " + b"".join(
            col[i].ljust(w, b" ") for col, w in zip(columns, widths, strict=True)
        )
    out += b"\x1a"
    path.write_bytes(bytes(out))


def _shapefile(tmp_path: Path, fields: dict[str, list[str]], encoding: str, ldid: int) -> Path:
    n = len(next(iter(fields.values())))
    shp = tmp_path / "layer.shp"
    geoms = [shapely.box(500000 + 200 * i, 4000000, 500100 + 200 * i, 4000100) for i in range(n)]
    gpd.GeoDataFrame({"x": list(range(n))}, geometry=geoms, crs="EPSG:4549").to_file(shp)
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    _write_dbf(shp.with_suffix(".dbf"), fields, encoding, ldid)
    assert shp.with_suffix(".dbf").read_bytes()[29] == ldid
    return shp


def _read_quietly(path: Path, **kwargs: object) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any encoding warning fails these confident cases
        return landuse.read_zones(path, **kwargs)


@pytest.mark.parametrize("ldid", [0x57, 0x03, 0x00])
def test_cp1252_latin_names(tmp_path, ldid):
    shp = _shapefile(
        tmp_path,
        {"zone_id": ["Z1", "Z2", "Z3"], "name": ["São Benedito", "Ñandú", "Conceição"]},
        "cp1252",
        ldid,
    )
    z = _read_quietly(shp)
    assert z["name"].tolist() == ["São Benedito", "Ñandú", "Conceição"]
    assert z.attrs["landuse_read"].encoding == "cp1252 (detected)"


def test_cp1252_that_also_decodes_as_gb18030(tmp_path):
    # 'ã' + 'o' (E3 6F) is also a GBK extension character; the Latin reading is the plausible one
    shp = _shapefile(tmp_path, {"zone_id": ["Z1"], "name": ["São Benedito"]}, "cp1252", 0x00)
    assert shp.with_suffix(".dbf").read_bytes()[-16:].decode("gb18030")  # decodes: a real trap
    assert _read_quietly(shp)["name"].tolist() == ["São Benedito"]


@pytest.mark.parametrize(("ldid", "how"), [(0x4F, "DBF language byte 0x4F"), (0x00, "detected")])
def test_big5_traditional_names(tmp_path, ldid, how):
    shp = _shapefile(
        tmp_path, {"宗地編號": ["T1", "T2"], "名稱": ["臺北市", "宗地"]}, "big5", ldid
    )
    z = _read_quietly(shp, columns={"宗地編號": "zone_id"})
    assert z["zone_id"].tolist() == ["T1", "T2"]
    assert z["名稱"].tolist() == ["臺北市", "宗地"]
    assert z.attrs["landuse_read"].encoding == f"big5 ({how})"


@pytest.mark.parametrize(
    ("ldid", "how"),
    [(0x57, "detected"), (0x4D, "DBF language byte 0x4D"), (0x00, "detected")],
)
def test_gbk_names_at_each_language_byte(tmp_path, ldid, how):
    shp = _shapefile(
        tmp_path,
        {"宗地编号": ["QD01", "QD02"], "名称": ["青岛", "即墨区工业园"]},
        "gbk",
        ldid,
    )
    z = landuse.read_parcels(shp, crs=None)
    assert z["parcel_id"].tolist() == ["QD01", "QD02"]
    assert z["名称"].tolist() == ["青岛", "即墨区工业园"]
    assert z.attrs["landuse_read"].encoding == f"gb18030 ({how})"


def test_a_close_call_is_warned_with_the_override(tmp_path):
    # 'A中B' in GBK is 'AÖÐB' in cp1252: both readings are plausible
    shp = _shapefile(tmp_path, {"zone_id": ["Z1"], "name": ["A中B"]}, "gbk", 0x00)
    with pytest.warns(
        LanduseWarning, match=r"was read as gb18030\. If names look wrong, pass encoding=.*cp1252"
    ):
        z = landuse.read_zones(shp)
    assert z["name"].tolist() == ["A中B"]
    assert z.attrs["landuse_read"].encoding == "gb18030 (guessed)"
    z = landuse.read_zones(shp, encoding="cp1252")
    assert z["name"].tolist() == ["AÖÐB"]


# --- real public files: R's sf package from Debian ----------------------------------------------


@pytest.fixture(scope="module")
def sf_shapes(debian_r_data) -> Path:
    """The ``sf/shape`` folder of Debian's r-cran-sf."""
    return next(debian_r_data.rglob("sf/shape/olinda1.shp")).parent


def _names(values) -> list:
    return [v if isinstance(v, str) else None for v in values.astype(object)]


def test_olinda_cp1252_without_cpg(sf_shapes):
    shp = sf_shapes / "olinda1.shp"
    assert not shp.with_suffix(".cpg").exists()
    assert shp.with_suffix(".dbf").read_bytes()[29] == 0x57
    reference = pyogrio.read_dataframe(shp, encoding="cp1252")
    zones = _read_quietly(shp, columns={"ID": "zone_id"})
    expected = _names(reference["NM_BAIR"])
    assert _names(zones["NM_BAIR"]) == expected
    accented = sorted({n for n in expected if n is not None and not n.isascii()})
    assert sum(n is not None and not n.isascii() for n in expected) == 105
    assert {"São Benedito", "Águas Compridas", "Alto da Nação"} <= set(accented)
    assert zones.attrs["landuse_read"].encoding == "cp1252 (detected)"


def test_nc_ascii(sf_shapes):
    shp = sf_shapes / "nc.shp"
    reference = pyogrio.read_dataframe(shp, encoding="utf-8")
    counties = _read_quietly(shp, columns={"FIPS": "zone_id"})
    assert counties["name"].tolist() == reference["NAME"].tolist()
    assert len(counties) == 100
    assert counties.attrs["landuse_read"].encoding == "utf-8 (detected)"
