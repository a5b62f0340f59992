"""The readers as real functions (issue 16): signatures, docstrings, one body, the io layout."""

from __future__ import annotations

import ast
import doctest
import inspect
import typing
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import landuse
import landuse.io
import landuse.io.osm
from landuse.io import _readers
from landuse.io._report import ReadReport

SPATIAL = ("read_zones", "read_functional_areas", "read_parcels", "read_buildings", "read_proposals")
READERS = (*SPATIAL, "read_zone_stats")
IO_DIR = Path(landuse.io.__file__).resolve().parent


@pytest.mark.parametrize("name", READERS)
def test_reader_is_a_module_level_def_with_a_full_signature(name: str) -> None:
    fn = getattr(landuse, name)
    assert fn is getattr(landuse.io, name) is getattr(_readers, name)
    assert fn.__module__ == "landuse.io._readers"
    assert fn.__name__ == fn.__qualname__ == name
    tree = ast.parse(Path(_readers.__file__).read_text(encoding="utf-8"))
    assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name] == [name]
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    assert params[0].name == "path" and params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:])
    assert all(p.annotation is not inspect.Parameter.empty for p in params)
    # the annotations resolve to real types (what mypy and IDEs see), not Any
    hints = typing.get_type_hints(fn)
    assert set(hints) == {p.name for p in params} | {"return"}
    assert hints["return"] is (pd.DataFrame if name == "read_zone_stats" else gpd.GeoDataFrame)
    assert hints["path"] != typing.Any


@pytest.mark.parametrize("name", SPATIAL)
def test_spatial_readers_share_one_signature(name: str) -> None:
    sig = inspect.signature(getattr(landuse, name))
    expected = ["path", "layer", "columns", "crs", "source_crs", "coord_system", "encoding",
                "on_invalid", "repair", "units"]  # fmt: skip
    if name in ("read_parcels", "read_proposals"):  # the declared-area check is theirs only
        expected.append("area_check_factor")
    assert list(sig.parameters) == expected
    assert sig.parameters["crs"].default == "auto"


@pytest.mark.parametrize("name", READERS)
def test_reader_docstring_documents_every_parameter_and_its_examples_run(name: str) -> None:
    fn = getattr(landuse, name)
    doc = inspect.getdoc(fn)
    for section in ("Parameters\n----------", "Returns\n-------", "Raises\n------", "Examples\n--------"):
        assert section in doc
    documented = doc.split("Parameters\n----------")[1].split("Returns\n-------")[0]
    for param in inspect.signature(fn).parameters:
        assert f"\n{param}\n" in f"\n{documented}", param
    assert "{" + "options}" not in doc and "{" + "columns}" not in doc  # every marker filled
    tests = doctest.DocTestFinder().find(fn, name, globs=vars(_readers).copy())
    assert len(tests) == 1 and len(tests[0].examples) >= 2
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    result = runner.run(tests[0], out=lambda _text: None)
    assert result.failed == 0 and result.attempted >= 2


def test_read_report_lives_in_its_own_file() -> None:
    assert ReadReport is landuse.ReadReport is landuse.io.ReadReport
    assert ReadReport.__module__ == "landuse.io._report"
    raw = gpd.GeoDataFrame({"宗地编号": ["P1"]}, geometry=[shapely.box(0, 0, 10, 10)], crs=4549)
    assert isinstance(landuse.read_parcels(raw).attrs["landuse_read"], ReadReport)


def test_no_io_file_imports_the_face_or_imports_at_call_time() -> None:
    for path in IO_DIR.glob("*.py"):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("landuse"):
                names = {a.name for a in node.names}
                assert node.module != "landuse.io" or names <= {"_coerce", "_clean"}, path.name
                assert node in tree.body, f"{path.name}:{node.lineno} imports at call time"
            if isinstance(node, ast.If):
                assert "TYPE_CHECKING" not in ast.unparse(node.test), path.name


def test_osm_uses_the_same_readers() -> None:
    assert landuse.io.osm.read_parcels is landuse.read_parcels
    assert landuse.io.osm.read_buildings is landuse.read_buildings


def test_path_keyword_and_errors_name_the_reader_called() -> None:
    raw = gpd.GeoDataFrame({"建筑编号": ["B1"]}, geometry=[shapely.box(0, 0, 10, 10)], crs=4549)
    assert landuse.read_buildings(path=raw)["building_id"].tolist() == ["B1"]
    with pytest.raises(TypeError, match=r"^`path` passed to read_buildings\(\) must be a path .*received int"):
        landuse.read_buildings(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^`on_invalid` passed to read_zone_stats\(\) must be"):
        landuse.read_zone_stats(pd.DataFrame({"zone_id": ["Z"], "year": [2021]}), on_invalid="skip")  # type: ignore[arg-type]


def test_cut_unit_warning_points_at_the_callers_line(tmp_path: Path) -> None:
    raw = gpd.GeoDataFrame(
        {"宗地编号": ["P1"], "用地面积(": [1.0]}, geometry=[shapely.box(0, 0, 10, 10)], crs=4549
    )
    with pytest.warns(landuse.errors.LanduseWarning, match="unclosed bracket") as caught:
        landuse.read_parcels(raw)
    assert [Path(w.filename).name for w in caught if "unclosed" in str(w.message)] == [
        Path(__file__).name
    ]
