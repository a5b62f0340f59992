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
        "landuse/policies/national-2008.toml",
        "landuse/policies/qingdao-2019.toml",
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


@pytest.mark.slow
def test_demo_runs_from_a_non_editable_install(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [str(py), "-c", "import landuse; print(landuse.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    ).stdout.strip()
    assert where.startswith(str(venv)), where
    run = subprocess.run(
        [str(venv / "bin" / "landuse"), "demo", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "landuse_sample.gpkg").stat().st_size > 100_000
    assert (tmp_path / "out" / "zones_map.html").stat().st_size > 10_000
