"""The wheel carries the sample data and policy profiles; `landuse demo` runs from a plain install."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    (path,) = out.glob("landuse-*.whl")
    return path


def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in [
        "landuse/py.typed",
        "landuse/policy/profiles/national-2008.toml",
        "landuse/policy/profiles/qingdao-2019.toml",
        "landuse/datasets/data/boundaries/zones.geojson",
        "landuse/datasets/data/boundaries/functional_areas.geojson",
        "landuse/datasets/data/sample.gpkg",
        "landuse/datasets/data/zone_stats.csv",
        "landuse/datasets/data/builtup.tif",
        "landuse/datasets/data/building_height.tif",
        "landuse/datasets/data/night_light.tif",
    ]:
        assert required in names, required
    assert not any(n.startswith(("tests/", "notebooks/")) for n in names)


def _venv(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """An isolated virtual environment (no system site packages) and an environment for it."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # the venv must not see this interpreter's packages
    leak = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import geopandas"],
        capture_output=True,
        cwd=tmp_path,
        env=env,
    )
    assert leak.returncode != 0, "the test venv sees packages it did not install"
    return venv, env


def _public_modules() -> list[str]:
    """Every importable module of the package whose name has no leading underscore."""
    names = []
    for path in sorted((ROOT / "landuse").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if any(p.startswith("_") and p != "__init__" for p in parts):
            continue
        names.append(".".join(p for p in parts if p != "__init__"))
    return names


@pytest.mark.slow
def test_wheel_installs_and_runs_the_demo_in_an_isolated_venv(wheel, tmp_path):
    """A plain `pip install` of the wheel, dependencies from the package index, runs the demo."""
    venv, env = _venv(tmp_path)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, env=env)
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    where = subprocess.run(
        [str(py), "-c", "import landuse; print(landuse.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    ).stdout.strip()
    assert where.startswith(str(venv)), where
    modules = _public_modules()
    assert {"landuse", "landuse.raster", "landuse.mapping", "landuse.bank"} <= set(modules)
    core = [m for m in modules if m != "landuse.scale"]  # landuse.scale needs the scale extra
    imported = subprocess.run(
        [str(py), "-c", f"import importlib; [importlib.import_module(m) for m in {core!r}]"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    assert imported.returncode == 0, imported.stderr
    run = subprocess.run(
        [str(venv / "bin" / "landuse"), "demo", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    checked = subprocess.run(
        [str(py), str(ROOT / "scripts" / "check_demo.py"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert checked.returncode == 0, checked.stderr

    # every extra installs and what it brings imports
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", f"{wheel}[all]"], check=True, env=env
    )
    extras = subprocess.run(
        [
            str(py),
            "-c",
            "import landuse.scale, psycopg, matplotlib, dask_geopandas, distributed, mapclassify, "
            "exactextract; landuse.scale.connect",
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    assert extras.returncode == 0, extras.stderr


def _readme_commands() -> list[str]:
    """The shell commands in the README's "Set up" block (comment lines dropped)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    return [line.strip() for line in section.splitlines() if line.strip() and not line.startswith("#")]


def test_readme_states_exactly_two_setup_commands_and_ci_runs_them_literally():
    commands = _readme_commands()
    assert len(commands) == 2, commands
    assert "landuse demo" in commands[0]
    assert commands[1] == "bash scripts/test.sh"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in commands:
        assert command in ci, f"{command!r} is not run literally by .ci/run"


def test_constraints_pin_every_core_dependency_to_its_floor():
    """scripts/constraints-oldest.txt pins each core dependency to the floor pyproject.toml states."""
    import re
    import tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    floors = {}
    for requirement in project["dependencies"]:
        if ";" in requirement:  # requirements with environment markers are not pinned
            continue
        name, floor = re.fullmatch(r"([A-Za-z0-9_.\-]+)>=([0-9][^,]*)", requirement).groups()
        floors[name.lower()] = floor
    pins = {}
    for line in (ROOT / "scripts" / "constraints-oldest.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    assert set(pins) == set(floors)
    for name, floor in floors.items():
        # the pin is the floor itself or its first patch release that installs (e.g. 14 → 14.0.1)
        assert pins[name] == floor or pins[name].startswith(floor + ".") or (
            floor.count(".") < pins[name].count(".") and pins[name].startswith(floor)
        ), (name, floor, pins[name])
