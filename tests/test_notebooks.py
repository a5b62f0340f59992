"""Every notebook is committed without outputs and runs end to end, from ``notebooks/`` (as a
user runs it), writing nothing there and printing no warning."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
# a Python warning (``…: UserWarning: …``), matplotlib's ``findfont: …`` log line, a logged WARNING
WARNING_TEXT = re.compile(r"\w+Warning\b|findfont|^WARNING\b|\bwarning:", re.I | re.M)
PRIVATE_IMPORT = re.compile(r"^\s*(?:from|import)\s+landuse(?:\.\w+)*\._\w+", re.M)


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["01_getting_started.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_public_api_only(path):
    nb = nbformat.read(path, as_version=4)
    private = [m.group(0).strip() for c in nb.cells for m in PRIVATE_IMPORT.finditer(c.source)]
    assert private == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_an_example_profile_is_said(path):
    """A notebook on qingdao-2019-example shows its notice or marks its outputs (issue 22)."""
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    if "qingdao-2019-example" in text:
        assert "example_notice" in text or "示例参数 example values" in text


def test_the_notebooks_that_need_the_unset_values_use_the_example_profile():
    """The inefficient-land floor, 标准地 values and reward pool are unset in qingdao-2019."""
    for stem in ("02_inefficient_land_bank", "02b_project_bank_history", "04_supply_options",
                 "05_zone_assessment", "06_maps"):  # fmt: skip
        nb = nbformat.read(NOTEBOOK_DIR / f"{stem}.ipynb", as_version=4)
        assert "qingdao-2019-example" in "\n".join(c.source for c in nb.cells), stem
        assert "reward_pool_wan=12000" not in "\n".join(c.source for c in nb.cells), stem


def test_readme_imports_no_private_name():
    readme = (NOTEBOOK_DIR.parent / "README.md").read_text("utf-8")
    assert PRIVATE_IMPORT.findall(readme) == []


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def _warnings(nb) -> list[str]:
    """Every output text that looks like a warning (stderr, printed, or shown as a result)."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            if out.output_type == "stream":
                texts = [out.text]
            elif out.output_type in ("execute_result", "display_data"):
                texts = [out.get("data", {}).get("text/plain", "")]
            else:
                continue
            found += [
                f"cell {cell.get('id')}: {t.strip()[:300]}" for t in texts if WARNING_TEXT.search(t)
            ]
            if out.output_type == "stream" and out.name == "stderr" and out.text.strip():
                found.append(f"cell {cell.get('id')} stderr: {out.text.strip()[:300]}")
    return sorted(set(found))


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path):
    nb = nbformat.read(path, as_version=4)
    before = _files(NOTEBOOK_DIR)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
    )
    client.execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []
    # every code cell ran
    assert all(c.execution_count is not None for c in nb.cells if c.cell_type == "code")
    # files go to a temporary folder named in the notebook, never beside it
    after = _files(NOTEBOOK_DIR)
    assert {k: v for k, v in after.items() if before.get(k) != v} == {}
    assert _warnings(nb) == []
