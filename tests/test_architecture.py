"""The shape of the package (issue 16): subpackages by question, arrows pointing down.

These tests read the source with :mod:`ast` and enforce ARCHITECTURE.md's rules of the house:
the layout, no import cycles, no private names across subpackages, no package face imported by
its own files, no ``TYPE_CHECKING`` or call-time imports dodging a cycle, no function over 100
lines of code, one definition of each shared contract, one version source, and the deprecated
aliases of moved modules.
"""

from __future__ import annotations

import ast
import collections
import importlib
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

import landuse

PKG = Path(landuse.__file__).resolve().parent
SUBPACKAGES = {
    "io", "crs", "policy", "efficiency", "bank", "compliance", "supply", "assessment", "raster", "report",
    "mapping", "scale", "cli", "datasets", "enterprise",
}  # fmt: skip
GROUND = {"__init__", "errors", "units", "schema", "zones", "_checks", "_atomic", "_overlap",
          "_clip", "_sinks", "_version"}  # fmt: skip
SHIMS = {"webmap": "landuse.crs.webmap", "osm": "landuse.io.osm", "static_map": "landuse.mapping.static"}
#: Call-time imports of landuse modules are allowed only where start-up time matters (the CLI).
CALL_TIME_OK = ("landuse.cli",)
MAX_CODE_LINES = 100


def _modules() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        out[name] = path
    return out


MODULES = _modules()
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def _package(module: str) -> str:
    """``landuse.bank`` for ``landuse.bank._sync``; a ground module is its own package."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in SUBPACKAGES:
        return ".".join(parts[:2])
    return module


def _imports(tree: ast.Module) -> list[tuple[ast.ImportFrom | ast.Import, bool, bool]]:
    """Every landuse import with (node, at module top level?, under TYPE_CHECKING?)."""
    found = []

    def visit(node: ast.AST, top: bool, tc: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append((child, top, tc))
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                visit(child, top, True)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, False, tc)
            else:
                visit(child, top, tc)

    visit(tree, True, False)
    return found


def _targets(node: ast.ImportFrom | ast.Import) -> list[tuple[str, str | None]]:
    """(module imported, name imported from it or None) for landuse imports."""
    if isinstance(node, ast.Import):
        return [(a.name, None) for a in node.names if a.name.split(".")[0] == "landuse"]
    if not node.module or node.module.split(".")[0] != "landuse" or node.level:
        return []
    out = []
    for alias in node.names:
        sub = f"{node.module}.{alias.name}"
        out.append((sub, None) if sub in MODULES else (node.module, alias.name))
    return out


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = collections.defaultdict(set)
    for name, tree in TREES.items():
        for node, _top, _tc in _imports(tree):
            for target, _ in _targets(node):
                if target in MODULES and target != name:
                    graph[name].add(target)
    return graph


def test_layout_one_subpackage_per_question() -> None:
    top = {p.stem for p in PKG.glob("*.py")}
    assert top == GROUND | set(SHIMS), "top-level modules of landuse/"
    folders = {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == SUBPACKAGES
    # private files are named without a family prefix
    prefixed = [str(p.relative_to(PKG)) for p in PKG.rglob("_*_*.py") if p.parent != PKG]
    prefixed = [p for p in prefixed if re.match(r".*/_(bank|supply|mapping|efficiency|scale|assessment|compliance)_", p)]
    assert prefixed == []


def test_no_import_cycles() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in list(MODULES):
        if v not in index:
            visit(v)
    assert cycles == []


def test_no_private_names_across_subpackages() -> None:
    crossing = []
    for name, tree in TREES.items():
        for node, _top, _tc in _imports(tree):
            for target, imported in _targets(node):
                if _package(target) == _package(name):
                    continue
                inner = target.split(".")[2:] if _package(target) != target else []
                private_module = any(part.startswith("_") for part in inner)
                private_name = imported is not None and imported.startswith("_") and not imported.startswith("__")
                if private_module or private_name:
                    crossing.append(f"{name} imports {target}{'.' + imported if imported else ''}")
    assert crossing == []


def test_no_face_imported_by_its_own_files() -> None:
    offenders = []
    for name, tree in TREES.items():
        package = _package(name)
        if package == name or MODULES[name].name == "__init__.py":
            continue  # ground modules and the faces themselves
        for node, _top, _tc in _imports(tree):
            for target, _ in _targets(node):
                if target == package or target == "landuse":
                    offenders.append(f"{name} imports {target}")
    assert offenders == []


def test_no_type_checking_or_call_time_imports_of_landuse() -> None:
    offenders = []
    for name, tree in TREES.items():
        for node, top, tc in _imports(tree):
            if not _targets(node):
                continue
            if tc:
                offenders.append(f"{name}:{node.lineno} TYPE_CHECKING import")
            elif not top and not name.startswith(CALL_TIME_OK):
                offenders.append(f"{name}:{node.lineno} call-time import {ast.unparse(node)}")
    assert offenders == []


def _code_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    lines = fn.end_lineno - fn.lineno + 1  # type: ignore[operator]
    first = fn.body[0] if fn.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        lines -= first.end_lineno - first.lineno + 1  # type: ignore[operator]
    return lines


def test_no_function_over_100_lines_of_code() -> None:
    long = [
        f"{MODULES[name].relative_to(PKG.parent)}:{fn.lineno} {fn.name} ({_code_lines(fn)} lines)"
        for name, tree in TREES.items()
        for fn in ast.walk(tree)
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and _code_lines(fn) > MAX_CODE_LINES
    ]
    assert long == []


def test_each_shared_contract_is_defined_once() -> None:
    definitions = collections.defaultdict(list)
    for name, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in {
                "check_lang", "_check_lang", "check_frame", "_check_frame", "resolve_policy",
                "_resolve_policy", "resolve_as_of", "_resolve_as_of",
            }:  # fmt: skip
                definitions[node.name.lstrip("_")].append(name)
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id in {"Lang", "PolicyLike"} for t in targets):
                    definitions["Lang/PolicyLike"].append(name)
    assert dict(definitions) == {
        "check_lang": ["landuse._checks"],
        "check_frame": ["landuse._checks"],
        "resolve_policy": ["landuse._checks"],
        "resolve_as_of": ["landuse._checks"],
        "Lang/PolicyLike": ["landuse._checks", "landuse._checks"],
    }


def test_version_has_one_source() -> None:
    assert landuse.__version__ == importlib.metadata.version("landuse")
    literal = [
        name
        for name, tree in TREES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
        and isinstance(node.value, ast.Constant)
        and node.value.value != "0+unknown"
    ]
    assert literal == []


def test_public_exceptions_live_in_errors() -> None:
    import landuse.errors

    for name in ("BankError", "StoreBusyError", "CRSError", "SchemaError", "GeometryError", "PolicyError"):
        cls = getattr(landuse, name)
        assert cls.__module__ == "landuse.errors"
        assert getattr(landuse.errors, name) is cls
    from landuse.bank import BankError, ProjectBank

    assert BankError is landuse.BankError
    assert ProjectBank is landuse.ProjectBank


@pytest.mark.parametrize(("old", "new"), sorted(SHIMS.items()))
def test_moved_modules_keep_a_deprecated_alias(old: str, new: str) -> None:
    sys.modules.pop(f"landuse.{old}", None)
    with pytest.warns(DeprecationWarning, match=rf"landuse\.{old} moved to {re.escape(new)}"):
        alias = importlib.import_module(f"landuse.{old}")
    target = importlib.import_module(new)
    assert alias.__all__ == target.__all__
    for name in target.__all__:
        assert getattr(alias, name) is getattr(target, name)


PUBLIC_PATHS = [
    ("landuse", "read_parcels"), ("landuse", "check_new_land"), ("landuse", "build_project_bank"),
    ("landuse.bank", "ProjectBank"), ("landuse.bank", "build_project_bank"),
    ("landuse.efficiency", "reason_codes"), ("landuse.efficiency", "parcel_metrics"),
    ("landuse.compliance", "write_compliance"), ("landuse.assessment", "write_assessment"),
    ("landuse.supply", "evaluate_supply_options"), ("landuse.supply", "MultistoreyUnit"),
    ("landuse.mapping", "save_map"), ("landuse.raster", "zonal_stats"), ("landuse.io", "ReadReport"),
    ("landuse.crs", "to_analysis_crs"), ("landuse.crs", "gcj02_to_wgs84"), ("landuse.policy", "Policy"),
    ("landuse.scale", "parcel_metrics"), ("landuse.cli", "main"), ("landuse.io.osm", "read_osm_parcels"),
    ("landuse.mapping.static", "plot_map"), ("landuse.crs.webmap", "bd09_to_wgs84"),
]  # fmt: skip


@pytest.mark.parametrize(("module", "name"), PUBLIC_PATHS)
def test_public_import_paths_keep_working(module: str, name: str) -> None:
    mod = importlib.import_module(module)
    assert callable(getattr(mod, name))
    if hasattr(mod, "__all__") and module != "landuse.cli":
        assert name in mod.__all__


def test_readers_are_real_functions_with_signatures() -> None:
    import inspect

    for name in ("read_zones", "read_functional_areas", "read_parcels", "read_buildings",
                 "read_proposals", "read_zone_stats"):  # fmt: skip
        fn = getattr(landuse, name)
        assert fn.__name__ == name and fn.__qualname__ == name
        assert fn.__module__.startswith("landuse.io")
        sig = inspect.signature(fn)
        assert "path" in sig.parameters
        assert ("crs" in sig.parameters) == (name != "read_zone_stats")  # zone stats are a table
        assert all(p.annotation is not inspect.Parameter.empty for p in sig.parameters.values())
        assert sig.return_annotation is not inspect.Signature.empty
        # defined by a def of its own name (not a closure from a factory)
        tree = TREES[fn.__module__]
        assert any(isinstance(n, ast.FunctionDef) and n.name == name for n in tree.body)


def test_importing_landuse_in_a_kernel_prints_nothing() -> None:
    """``import landuse`` must not load tqdm.auto (it warns in a Jupyter kernel without ipywidgets)."""
    import subprocess

    code = "import sys, landuse, landuse.raster, landuse.bank; print(sorted(m for m in sys.modules if m.startswith('tqdm')))"
    out = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert out.stderr == ""
