"""Small exact fixtures built in code (EPSG:4549, metres): a 100 m square is 1 ha = 15 亩."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from hypothesis import settings

# CI runs the property tests on fixed examples (a landing must not depend on the draw);
# elsewhere every run draws new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

#: EPSG:4490 (120.3826 E, 36.0671 N) in EPSG:4549, computed with pyproj (POLICY-FACTS §7.1).
QD_LONLAT = (120.3826, 36.0671)
QD_GK = (534467.46, 3993055.81)


def square(x: float, y: float, size: float = 100.0) -> shapely.Polygon:
    """A size × size square with its lower-left corner at (x, y)."""
    return shapely.box(x, y, x + size, y + size)


@pytest.fixture
def parcels_zh() -> gpd.GeoDataFrame:
    """Three parcels with Chinese field names, as a bureau export would have them."""
    x0, y0 = QD_GK
    return gpd.GeoDataFrame(
        {
            "宗地编号": ["370282-001", "370282-002", "370282-003"],
            "用途": ["0601", "商业用地", "100101"],
            "用地面积": ["10,000", "20000", None],
            "建筑面积": [12000.0, 30000.0, 5000.0],
            "企业名称": ["青岛甲公司", "青岛乙公司", "青岛丙公司"],
            "行业代码": ["C3611", "36", 39],
            "税收": ["300", "无", "12.5"],
            "营业收入": [5000, 8000, 100],
            "固定资产投资": [4200, 9000, 800],
            "出让日期": ["2018-03-01", "2018年3月1日", "2018/3/1"],
            "约定开工日期": ["2018-09-01", None, "2019.03.01"],
            "生产状态": ["正常生产", "停产", "未开工"],
        },
        geometry=[square(x0, y0), square(x0 + 100, y0, 141.4213562373095), square(x0, y0 + 200)],
        crs="EPSG:4549",
    )


#: Real public data from R's sf and stars packages, fetched from Debian at test time.
DEBIAN_R_PACKAGES = ("r-cran-sf", "r-cran-stars")


def unavailable(why: str) -> None:
    """Fail in CI (the component must be there), skip elsewhere, saying why."""
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def debian_r_data(tmp_path_factory) -> Path:
    """Debian's r-cran-sf and r-cran-stars unpacked (``apt-get download`` + ``dpkg-deb -x``).

    Holds ``sf/shape/nc.shp``, ``sf/shape/olinda1.shp`` (cp1252, no .cpg) and
    ``stars/tif/L7_ETMs.tif``; nothing is committed.
    """
    tools = (
        sys.platform.startswith("linux") and shutil.which("apt-get") and shutil.which("dpkg-deb")
    )
    if not tools:
        unavailable("needs Debian's apt-get and dpkg-deb to fetch r-cran-sf and r-cran-stars")
    where = tmp_path_factory.mktemp("debian-r")
    got = _run(["apt-get", "download", *DEBIAN_R_PACKAGES], where)
    if got.returncode != 0 and hasattr(os, "geteuid") and os.geteuid() == 0:
        _run(["apt-get", "update", "-qq"], where)  # package lists missing or stale
        got = _run(["apt-get", "download", *DEBIAN_R_PACKAGES], where)
    debs = sorted(where.glob("*.deb"))
    if got.returncode != 0 or len(debs) != len(DEBIAN_R_PACKAGES):
        unavailable(
            f"`apt-get download {' '.join(DEBIAN_R_PACKAGES)}` failed (exit {got.returncode}): "
            f"{got.stderr.strip()[-800:]}\nRun `apt-get update` (as root) and retry."
        )
    for deb in debs:
        unpacked = _run(["dpkg-deb", "-x", str(deb), str(where / "root")], where)
        assert unpacked.returncode == 0, unpacked.stderr
    return where / "root"


# --- the browser (Chromium from Debian, driven by Playwright) -----------------------------------

CHROMIUM = os.environ.get("LANDUSE_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


def require_chromium() -> None:
    """Skip a browser test outside CI when Chromium or Playwright is missing; fail in CI."""
    reason = chromium_missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium (the system one), for the tests of one module."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()
