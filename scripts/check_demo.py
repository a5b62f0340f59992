"""Check what `landuse demo --out DIR` wrote, as a user would open it (CI and the packaging test).

    python scripts/check_demo.py DIR

Exits 1 naming every problem: a file missing or empty, a GeoPackage layer missing or empty, a
workbook that does not open, a map that loads anything from the network, and an output of the
example profile without its notice: the demo applies ``qingdao-2019-example``, so every
workbook's 说明 sheet must open with the "示例参数 example values" notice, the project bank list
its policy parameters (sheet 政策参数), its GeoPackage layer and the map's legend panel say it
too. (The CSV file cannot hold a notice.)
"""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

#: file → what must be in it (GeoPackage layers, workbook sheets count, or a text marker)
EXPECTED_LAYERS = {
    "landuse_sample.gpkg": [
        "zones",
        "functional_areas",
        "parcels",
        "buildings",
        "proposals",
        "zone_stats",
    ],
    "bank.gpkg": ["project_bank"],
}
EXPECTED_WORKBOOKS = ["bank.xlsx", "compliance.xlsx", "zone_assessment_2021.xlsx"]
EXPECTED_FILES = ["activity_index.tif", "supply_options.csv", "zones_map.html"]
#: The start of the notice every output of an example profile carries (Policy.example_notice).
NOTICE = "示例参数 example values"
#: Workbooks that must list the policy parameters they were made with.
EXPECTED_PARAMETERS = ["bank.xlsx"]


def check(out: Path) -> list[str]:
    """Return the problems found in the demo's output folder ``out`` (empty when all is well)."""
    import openpyxl
    import pyogrio
    import rasterio

    problems: list[str] = []
    names = list(EXPECTED_LAYERS) + EXPECTED_WORKBOOKS + EXPECTED_FILES
    for name in names:
        path = out / name
        if not path.is_file() or path.stat().st_size == 0:
            problems.append(f"{name}: missing or empty")
    if problems:
        return problems
    for name, layers in EXPECTED_LAYERS.items():
        found = {row[0]: row for row in pyogrio.list_layers(out / name)}
        for layer in layers:
            if layer not in found:
                problems.append(f"{name}: no layer {layer} (has {sorted(found)})")
            elif pyogrio.read_info(out / name, layer=layer)["features"] == 0:
                problems.append(f"{name}: layer {layer} is empty")
    for name in EXPECTED_WORKBOOKS:
        book = openpyxl.load_workbook(out / name, read_only=True)
        if not book.sheetnames or book[book.sheetnames[0]].max_row < 2:
            problems.append(f"{name}: no data rows in its first sheet")
        problems += _notice_problems(name, book)
    with sqlite3.connect(out / "bank.gpkg") as db:  # QGIS: the layer's abstract
        row = db.execute(
            "SELECT description FROM gpkg_contents WHERE table_name = 'project_bank'"
        ).fetchone()
    if not str((row or [""])[0] or "").startswith(NOTICE):
        problems.append(f"bank.gpkg: layer project_bank has no {NOTICE!r} description")
    with rasterio.open(out / "activity_index.tif") as raster:
        if raster.crs is None:
            problems.append("activity_index.tif: no CRS")
    html = (out / "zones_map.html").read_text(encoding="utf-8")
    # what a page loads: scripts, images, frames (src=), stylesheets (<link href=), CSS imports;
    # plain links (<a href=>, e.g. the Leaflet attribution) load nothing
    loads = r"""(?:\bsrc=|<link\b[^>]*\bhref=|@import\s+(?:url\()?)["']?(https?://[^"')\s>]+)"""
    remote = sorted(set(re.findall(loads, html)))
    if remote:
        problems.append(f"zones_map.html loads from the network: {remote[:3]}")
    if NOTICE not in html:
        problems.append(f"zones_map.html: no {NOTICE!r} notice (the demo uses an example profile)")
    return problems


def _notice_problems(name: str, book: object) -> list[str]:
    """The example notice atop the 说明 sheet, and the 政策参数 sheet where one is expected."""
    sheets = book.sheetnames  # type: ignore[attr-defined]
    if "说明" not in sheets:
        return [f"{name}: no 说明 sheet (has {sheets})"]
    first = next(book["说明"].iter_rows(max_row=1, max_col=1, values_only=True))[0]  # type: ignore[index]
    problems = []
    if not str(first or "").startswith(NOTICE):
        problems.append(f"{name}: the 说明 sheet does not open with the {NOTICE!r} notice")
    if name in EXPECTED_PARAMETERS and "政策参数" not in sheets:
        problems.append(f"{name}: no 政策参数 sheet (the policy parameters used)")
    return problems


def main(argv: list[str]) -> int:
    """Check the folder named by ``argv[0]``; print problems; return the exit code."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(Path(argv[0]))
    for problem in problems:
        print(f"demo output: {problem}", file=sys.stderr)
    if not problems:
        print(f"demo output in {argv[0]}: all {len(EXPECTED_LAYERS) + 6} files open")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
