"""Text encoding of shapefile DBF tables (GBK / GB18030 files without ``.cpg``).

GDAL guesses a DBF's code page from its language byte, often wrongly for Chinese
files, and pyogrio then decodes twice (geopandas/pyogrio#380). We decide the
encoding ourselves by strictly decoding the DBF's field names and records, and
pass it to pyogrio, which then turns GDAL's recoding off.
"""

from __future__ import annotations

import codecs
import struct
import warnings
from pathlib import Path

from landuse.errors import LanduseWarning, SchemaError

__all__ = ["detect_shapefile_encoding"]

_CPG_ALIASES = {
    "65001": "utf-8",
    "utf8": "utf-8",
    "936": "gb18030",
    "cp936": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "950": "big5",
    "1252": "cp1252",
    "ansi 1252": "cp1252",
    "88591": "latin-1",
}


def _dbf_text(dbf: Path) -> tuple[list[bytes], bytes]:
    data = dbf.read_bytes()
    n_records, header_len, record_len = (
        struct.unpack("<IHH", data[4:12]) if len(data) >= 32 else (0, 0, 0)
    )
    expected = header_len + n_records * record_len
    if len(data) < 32 or header_len < 33 or len(data) < expected:
        msg = (
            f"{dbf.with_suffix('.shp').name} is not a readable GIS file: {dbf.name} is truncated "
            f"or damaged (its header promises {expected:,} bytes: {n_records:,} records of "
            f"{record_len} bytes after a {header_len}-byte header; the file has {len(data):,}). "
            "Get the shapefile again; all its files (.shp, .shx, .dbf) must be complete."
        )
        raise SchemaError(msg)
    names = []
    for off in range(32, header_len - 1, 32):
        if data[off] == 0x0D:
            break
        names.append(data[off : off + 11].split(b"\x00", 1)[0])
    records = data[header_len : header_len + n_records * record_len]
    return names, records


def _decodes(names: list[bytes], records: bytes, encoding: str) -> bool:
    """Strictly decode field names and records; a name cut mid-character (10-byte limit) is fine."""
    try:
        for name in names:
            codecs.getincrementaldecoder(encoding)(errors="strict").decode(name, final=False)
        records.decode(encoding, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def detect_shapefile_encoding(path: str | Path, *, encoding: str | None = None) -> tuple[str, str]:
    """Decide the text encoding of a shapefile's DBF.

    Order: ``encoding`` if given; the ``.cpg`` file if it decodes the data; else
    strict UTF-8; else GB18030 (a superset of GBK/GB2312).

    Parameters
    ----------
    path
        The ``.shp`` file.
    encoding
        An encoding forced by the user.

    Returns
    -------
    (encoding, how) : tuple of str
        The Python codec name and how it was chosen (``"given"``, ``".cpg"``,
        ``"detected"``).

    Raises
    ------
    SchemaError
        If no candidate decodes the DBF and none was given.

    Examples
    --------
    >>> import tempfile, geopandas as gpd, shapely
    >>> d = Path(tempfile.mkdtemp())
    >>> gpd.GeoDataFrame({"名称": ["即墨"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4549).to_file(
    ...     d / "z.shp", encoding="gbk")
    >>> (d / "z.cpg").unlink()
    >>> detect_shapefile_encoding(d / "z.shp")
    ('gb18030', 'detected')
    """
    if encoding is not None:
        return codecs.lookup(encoding).name, "given"
    shp = Path(path)
    dbf = shp.with_suffix(".dbf")
    if not dbf.exists():
        dbf = shp.with_suffix(".DBF")
    if not dbf.exists():
        msg = f"{shp.name} has no .dbf beside it; a shapefile needs its .shp, .shx and .dbf files."
        raise SchemaError(msg)
    names, records = _dbf_text(dbf)
    cpg = shp.with_suffix(".cpg")
    if cpg.exists():
        declared = cpg.read_text(errors="replace").strip()
        name = _CPG_ALIASES.get(declared.lower().replace("-", "").replace("_", ""), declared)
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            codec = None
        if codec is not None and _decodes(names, records, codec):
            return codec, ".cpg"
        fallback = next((c for c in ("utf-8", "gb18030") if _decodes(names, records, c)), None)
        if fallback is not None:
            warnings.warn(
                f"{shp.name}: the .cpg says {declared!r}, but the DBF does not decode as that; "
                f"reading it as {fallback} instead (pass encoding= to force one).",
                LanduseWarning,
                stacklevel=3,
            )
            return fallback, "detected; .cpg was wrong"
    if _decodes(names, records, "utf-8"):
        return "utf-8", "detected"
    if _decodes(names, records, "gb18030"):
        return "gb18030", "detected"
    msg = (
        f"{shp.name}: the DBF text is neither UTF-8 nor GB18030/GBK. Pass encoding= with its "
        "real encoding (e.g. encoding='big5'), or add a .cpg file naming it."
    )
    raise SchemaError(msg)
