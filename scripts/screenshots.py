"""Screenshots of the zone dossier and the city report for the README (issue 21).

    python scripts/screenshots.py [--out docs/images] [--zone QD01] [--policy qingdao-2019]

Writes the report of the bundled sample (year 2021, as ``landuse report --out 报告 --year 2021``
does) to a temporary folder, opens ``zone_<ZONE>.html`` and ``index.html`` in headless Chromium
(Playwright with ``/usr/bin/chromium`` or ``LANDUSE_CHROMIUM``; every request that is not a
local file is aborted, as in tests/test_browser.py) at 1280 px wide, waits until the map in the
page's iframe has drawn its layers, and saves the top ``--height`` pixels (default 1,600) as
``dossier_zone.png`` and ``dossier_city.png``, reduced to a 256-colour palette (Pillow) so each
stays well under 400 KB. A page whose map opened unfitted (the whole world: its ``fitBounds``
ran before the iframe had a size) is opened again, up to 10 times, and each such open is
reported. Exits 1 when a page raises a JavaScript error, asks for the network or draws no map. Needs ``pip install playwright`` (no ``playwright install``) and
``apt-get install chromium fonts-wqy-microhei`` (or another CJK font).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

from PIL import Image

import landuse
from landuse.report.dossier import write_report, zone_file

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("LANDUSE_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
WIDTH = 1280
DRAWN = """() => window.landuse && Object.keys(landuse.layers).length > 0 &&
    Object.values(landuse.layers).every(l => !l._map || l._drawnAt !== undefined)"""
STAMPS = (
    """() => Object.values(landuse.layers).map(l => l._drawnAt === undefined ? null : l._drawnAt)"""
)
ZOOM = """() => { const l = Object.values(landuse.layers).find(l => l._map); return l ? l._map.getZoom() : null }"""
#: The sample's maps fitted to their bounds are at zoom 9 (city) and 13 (zone); zoom 0 is the world.
FITTED_ZOOM = 5
TRIES = 10


def shoot(browser: Any, page_path: Path, png: Path, *, height: int) -> list[str]:
    """Screenshot the top ``height`` px of ``page_path`` into ``png``; return the problems.

    The page's map sometimes runs its ``fitBounds`` before its iframe has a size and then shows
    the whole world (zoom 0); the page is then opened again (up to ``TRIES`` times) and each
    such open is reported.
    """
    problems: list[str] = []
    for attempt in range(1, TRIES + 1):
        seen: list[str] = []
        zoom = _open_and_shoot(browser, page_path, png, height=height, problems=seen)
        if zoom is None or zoom >= FITTED_ZOOM or attempt == TRIES:
            break
        problems.append(f"{page_path.name}: map not fitted (zoom {zoom}) on open {attempt}")
    problems += seen
    return problems


def _open_and_shoot(
    browser: Any, page_path: Path, png: Path, *, height: int, problems: list[str]
) -> int | None:
    """Open the page, wait for its map, screenshot it; return the map's zoom."""
    zoom = None
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, device_scale_factor=1)

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "about:", "data:")):
            r.continue_()
        else:
            problems.append(f"{page_path.name}: asked for {r.request.url}")
            r.abort()

    try:
        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(f"{page_path.name}: JS error {e}"))
        page.goto(page_path.resolve().as_uri(), wait_until="load")
        frames = [f for f in page.frames if f != page.main_frame]
        if not frames:
            problems.append(f"{page_path.name}: no map iframe")
        else:
            frame = frames[0]
            frame.wait_for_function(DRAWN, timeout=30_000)
            previous = frame.evaluate(STAMPS)  # wait until no layer repaints for 300 ms
            for _ in range(50):
                page.wait_for_timeout(300)
                now = frame.evaluate(STAMPS)
                if now == previous:
                    break
                previous = now
            zoom = frame.evaluate(ZOOM)
        page.evaluate("document.fonts.ready")
        full = page.evaluate("document.documentElement.scrollHeight")
        raw = png.with_suffix(".raw.png")
        page.screenshot(
            path=str(raw),
            full_page=True,
            clip={"x": 0, "y": 0, "width": WIDTH, "height": min(height, full)},
        )
    finally:
        context.close()
    with Image.open(raw) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
            png, optimize=True
        )
    raw.unlink()
    return zoom


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--zone", default="QD01")
    parser.add_argument("--policy", default="qingdao-2019", help="as `landuse report --policy`")
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--height", type=int, default=1600, help="pixels kept from the top")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    sample = landuse.load_sample()
    folder = Path(tempfile.mkdtemp(prefix="landuse-screenshots-"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the pages show the analyses' warnings themselves
        write_report(folder, data=sample, year=args.year, as_of=sample.as_of, policy=args.policy)
    args.out.mkdir(parents=True, exist_ok=True)
    shots = {
        "dossier_zone.png": folder / zone_file(args.zone),
        "dossier_city.png": folder / "index.html",
    }
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            for name, page_path in shots.items():
                png = args.out / name
                problems += shoot(browser, page_path, png, height=args.height)
                print(f"{png} ({png.stat().st_size / 1e3:,.0f} kB) ← {page_path.name}")
        finally:
            browser.close()
    for problem in problems:
        print(problem, file=sys.stderr)
    broken = [p for p in problems if "map not fitted" not in p]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
