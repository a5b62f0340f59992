"""The shape of :mod:`landuse.crs` (issue 16): a public face over private files, no cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import landuse
import landuse.crs
import landuse.crs.webmap

CRS_DIR = Path(landuse.crs.__file__).resolve().parent


@pytest.mark.parametrize(
    "statement",
    [
        "import landuse.crs.webmap",
        "import landuse.crs._prefix",
        "import landuse.crs._analysis",
        "from landuse.crs.webmap import bd09_to_wgs84",
    ],
)
def test_each_crs_module_imports_first_in_a_fresh_interpreter(statement: str) -> None:
    # before the split, webmap imported landuse.crs at call time to dodge a cycle
    run = subprocess.run(
        [sys.executable, "-W", "error", "-c", f"{statement}; print('ok')"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


def test_no_crs_file_imports_the_face_or_imports_at_call_time() -> None:
    for path in CRS_DIR.glob("*.py"):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = set(tree.body)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("landuse"):
                assert node.module != "landuse.crs", f"{path.name} imports the face"
                assert node in top, f"{path.name}:{node.lineno} imports at call time"
            if isinstance(node, ast.If):
                assert "TYPE_CHECKING" not in ast.unparse(node.test), path.name


def test_every_public_name_keeps_its_path() -> None:
    for name in landuse.crs.__all__:
        assert getattr(landuse.crs, name) is not None
    for name in ("to_analysis_crs", "analysis_crs", "gcj02_to_wgs84", "wgs84_to_gcj02",
                 "bd09_to_wgs84", "wgs84_to_bd09"):  # fmt: skip
        assert getattr(landuse, name) is getattr(landuse.crs, name)
    for name in landuse.crs.webmap.__all__:
        assert getattr(landuse.crs.webmap, name) is getattr(landuse.crs, name)
    assert landuse.crs.webmap.__name__ == "landuse.crs.webmap"


def test_webmap_guard_still_names_the_crs_and_the_geographic_check() -> None:
    # the two helpers webmap used to import at call time: crs_label and the degrees check
    import geopandas
    from shapely import Point

    projected = geopandas.GeoSeries([Point(534_467.46, 3_993_055.81)], crs="EPSG:4549")
    with pytest.raises(landuse.CRSError, match=r"EPSG:4549 \(CGCS2000 / 3-degree"):
        landuse.crs.webmap.wgs84_to_gcj02(projected)
    mislabelled = projected.set_crs("EPSG:4326", allow_override=True)
    with pytest.raises(landuse.CRSError, match="labelled with a geographic CRS"):
        landuse.crs.webmap.gcj02_to_wgs84(mislabelled)
