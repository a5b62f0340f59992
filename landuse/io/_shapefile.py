"""Text encoding of shapefile DBF tables without ``.cpg``: UTF-8, GBK/GB18030, Big5, cp1252.

GDAL guesses a DBF's code page from its language byte, often wrongly for Chinese
files, and pyogrio then decodes twice (geopandas/pyogrio#380). We decide the
encoding ourselves and pass it to pyogrio, which then turns GDAL's recoding off:

1. ``encoding=`` given by the user;
2. the ``.cpg`` file, if the data decode as what it names;
3. strict UTF-8, if the text has non-ASCII bytes and decodes (random legacy bytes
   almost never do);
4. the DBF language byte (LDID, header byte 29) when it names one code page:
   0x4D/0x7A → GB18030 (code page 936), 0x4F/0x78 → Big5 (950), 0x01 → cp437,
   0x02 → cp850, 0x57 "ANSI"/0x03 cp1252 are *not* decisive (ArcGIS writes 0x57
   for the system code page, GBK on Chinese Windows);
5. otherwise the candidates GB18030, Big5 and cp1252 that decode strictly are
   judged by how plausible their text is (:func:`_plausibility`): the share of
   characters in the common range of each script (GB2312 level 1 and CJK
   punctuation for GB18030, Big5 level 1 for Big5; level-2 characters count
   half; GBK/GB18030 extension, private-use and kana/box rows count nothing;
   Big5 scaled down when almost no trail byte is below 0x80, as in GBK text),
   and for cp1252 the share of Latin-1 letters standing alone or in pairs
   next to ASCII letters (``São``, ``Ñandú``), as Western text has them. The
   best wins (ties: GB18030, Big5, cp1252); when the runner-up is within
   :data:`GUESS_MARGIN` of it, the choice is a guess and a LanduseWarning says
   which encoding was chosen and how to force another with ``encoding=``.
"""

from __future__ import annotations

import codecs
import re
import struct
import unicodedata
import warnings
from collections import Counter
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


def _dbf_text(dbf: Path) -> tuple[list[bytes], bytes, int]:
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
    return names, records, data[29]


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

    Order: ``encoding`` if given; the ``.cpg`` file if it decodes the data; strict
    UTF-8; the DBF language byte where it names one code page; else the most
    plausible of GB18030, Big5 and cp1252 (see the module docstring), with a
    warning when that is a close call.

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
        ``"detected"``, ``"DBF language byte 0x4D"``, ``"guessed"``).

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
    names, records, ldid = _dbf_text(dbf)
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
        try:
            fallback: str | None = _judge(names, records, ldid, shp.name)[0]
        except SchemaError:
            fallback = None
        if fallback is not None:
            warnings.warn(
                f"{shp.name}: the .cpg says {declared!r}, but the DBF does not decode as that; "
                f"reading it as {fallback} instead (pass encoding= to force one).",
                LanduseWarning,
                stacklevel=3,
            )
            return fallback, "detected; .cpg was wrong"
    return _judge(names, records, ldid, shp.name)


def _judge(names: list[bytes], records: bytes, ldid: int, label: str) -> tuple[str, str]:
    """Steps 3–5 of the module docstring: UTF-8, the language byte, then plausibility."""
    first = _HIGH_BYTE.search(records)  # judge text where the non-ASCII text is
    start = max(0, first.start() - 1024) if first else 0
    sample = records[start : start + _SAMPLE_BYTES]
    if _decodes(names, records, "utf-8"):
        return "utf-8", "detected"
    by_ldid = _LDID_CODECS.get(ldid)
    if by_ldid is not None and _decodes(names, records, by_ldid):
        return by_ldid, f"DBF language byte 0x{ldid:02X}"
    scores = {
        enc: _plausibility(_decode_all(names, sample, enc), enc)
        for enc in _CANDIDATES
        if _decodes(names, records, enc)
    }
    if not scores:
        msg = (
            f"{label}: the DBF text is none of UTF-8, GB18030/GBK, Big5 or Windows-1252. Pass "
            "encoding= with its real encoding (e.g. encoding='cp1251'), or add a .cpg file "
            "naming it."
        )
        raise SchemaError(msg)
    ranked = sorted(scores, key=lambda e: (-scores[e], _CANDIDATES.index(e)))
    best = ranked[0]
    if len(ranked) > 1 and scores[ranked[1]] > scores[best] - GUESS_MARGIN:
        shown = ", ".join(f"{e} {scores[e]:.2f}" for e in ranked)
        warnings.warn(
            f"{label}: no .cpg and the DBF language byte (0x{ldid:02X}) does not settle the "
            f"text encoding; the text decodes as {' and as '.join(ranked)} (plausibility {shown}) "
            f"and was read as {best}. If names look wrong, pass encoding= (e.g. "
            f"encoding={ranked[1]!r}) or add a .cpg file.",
            LanduseWarning,
            stacklevel=3,
        )
        return best, "guessed"
    return best, "detected"


#: Records looked at for the plausibility judgement (decoding is checked on all of them).
_SAMPLE_BYTES = 262_144
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_CANDIDATES = ("gb18030", "big5", "cp1252")
#: A runner-up plausibility within this of the best makes the choice a guess (with a warning).
GUESS_MARGIN = 0.25
# DBF language driver ids that name one code page; 0x57 (ANSI) and 0x03 (cp1252, also
# written for any "Windows ANSI" file) are left to the plausibility judgement.
_LDID_CODECS = {
    0x01: "cp437",
    0x02: "cp850",
    0x4D: "gb18030",
    0x7A: "gb18030",
    0x4F: "big5",
    0x78: "big5",
}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_LATIN_SYMBOLS = frozenset("’‘“”–—…°²³±×€£§©®·ºª«»¿¡")


def _decode_all(names: list[bytes], records: bytes, encoding: str) -> str:
    head = " ".join(
        codecs.getincrementaldecoder(encoding)(errors="ignore").decode(n, final=False)
        for n in names
    )
    return head + " " + records.decode(encoding, errors="ignore")


def _cjk_weight(char: str, encoding: str) -> float:
    """1 for common characters of the script, 0.5 for level-2 ones, 0 otherwise."""
    table = "gb2312" if encoding == "gb18030" else "big5"
    try:
        lead = char.encode(table)[0]
    except UnicodeEncodeError:
        return 0.0
    if encoding == "gb18030":
        return 1.0 if 0xB0 <= lead <= 0xD7 or lead <= 0xA3 else 0.5 if lead >= 0xD8 else 0.0
    return 1.0 if lead <= 0xC6 else 0.5 if lead >= 0xC9 else 0.0


def _latin_weight(run: str, before: str, after: str) -> float:
    """Share of a non-ASCII run that reads as Western text (letters alone or paired)."""
    if len(run) == 1 and run in _LATIN_SYMBOLS:
        return 1.0
    letters = all(unicodedata.category(c).startswith("L") and ord(c) < 0x250 for c in run)
    beside = before.isascii() and before.isalpha() or after.isascii() and after.isalpha()
    return 1.0 if len(run) <= 2 and letters and beside else 0.0


def _plausibility(text: str, encoding: str) -> float:
    """0…1: how much the non-ASCII characters of ``text`` look like real text in ``encoding``."""
    if encoding == "cp1252":
        total = good = 0.0
        for m in _NON_ASCII.finditer(text):
            a, b = m.span()
            before = text[a - 1] if a else " "
            after = text[b] if b < len(text) else " "
            total += b - a
            good += (b - a) * _latin_weight(m.group(), before, after)
        return good / total if total else 0.0
    counts = Counter("".join(_NON_ASCII.findall(text)))
    total = sum(counts.values())
    if not total:
        return 0.0
    score = sum(n * _cjk_weight(c, encoding) for c, n in counts.items()) / total
    if encoding == "big5":
        score *= _big5_trail_factor(counts)
    return score


def _big5_trail_factor(counts: Counter[str]) -> float:
    """Big5 text has ~40 % of its characters with a trail byte 0x40–0x7E; GBK text has none.

    GB2312 (the common part of GBK) uses only bytes 0xA1–0xFE, so GBK text read as Big5 gives
    characters whose trail bytes are all high. Fewer than 20 % low trail bytes scale the Big5
    plausibility down proportionally.
    """
    cjk = low = 0
    for char, n in counts.items():
        try:
            raw = char.encode("big5")
        except UnicodeEncodeError:
            continue
        if len(raw) == 2:
            cjk += n
            low += n * (raw[1] < 0x80)
    return min(1.0, low / (0.2 * cjk)) if cjk else 1.0
