"""Interactive parcel maps: ``landuse.map_parcels`` vs ``GeoDataFrame.explore(column=...)``.

Same data, same run, same browser. For each size N (default 10,000 / 50,000 / 100,000
synthetic parcels from ``landuse.datasets.synthetic_parcels``, cut to the five attribute
columns of the anchor measurement in the shared ANCHORS.md §1.4: ``parcel_id``, ``zone_id``,
``land_use``, ``far``, ``tax_per_mu``):

- ours: ``map_parcels(parcels, column="far", basemap=None)`` saved with ``save_map(offline=True)``
  (tooltip and popup fields as a user gets them by default);
- explore: ``parcels.explore(column="far", tooltip=["parcel_id", "far"], tiles=None,
  legend=False)`` rendered by folium, then given the same local Leaflet with the same inliner
  (``legend=False`` spares explore the branca colour bar, which needs d3 from a CDN; it only
  makes explore's file smaller and faster).

Both files get the same injected probe: after ``load``, it checks every animation frame
whether Leaflet has drawn every feature — explore's vector paths projected and clipped for
the view (``_parts``), landuse's canvas layers reporting ``drawnCount()`` — with no canvas
redraw pending, and then records ``performance.now()`` one frame later: the time from
navigation start until the map shows all N features. Headless Chromium
(``/usr/bin/chromium`` through Playwright), 1200×800 viewport, network blocked.

Goal at 100,000 parcels: ours opens ≥ 10× faster, in < 5 s, with ≤ 1/3 of the bytes.

Run: ``python benchmarks/bench_maps.py [N ...] [--repeat R] [--keep DIR]``. This box has 2
cores shared with other jobs: the load average is printed; rerun when it is high.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from landuse.datasets import synthetic_parcels
from landuse.mapping import map_parcels, save_map
from landuse.mapping._offline import inline_assets
from landuse.units import M2_PER_MU

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROBE = """<script>
(function () {
  var N = %d;
  function maps() { return Object.values(window).filter(function (v) { return v instanceof L.Map; }); }
  function state() {
    var drawn = 0, pending = false;
    maps().forEach(function (m) {
      m.eachLayer(function (l) {
        if (l instanceof L.Path && (l._parts ? l._parts.length > 0 : l._point !== undefined)) { drawn++; }
        if (l.drawnCount) { drawn += l.drawnCount(); }
        if (l._redrawRequest) { pending = true; }
      });
    });
    return [drawn, pending];
  }
  function check() {
    var s = state();
    if (s[0] >= N && !s[1]) {
      requestAnimationFrame(function () { window.__drawnAt = performance.now(); window.__drawn = s[0]; });
    } else {
      requestAnimationFrame(check);
    }
  }
  window.addEventListener("load", function () { requestAnimationFrame(check); });
})();
</script>"""


def parcels(n: int):
    p = synthetic_parcels(n, seed=0)
    p["far"] = p["floor_area_m2"] / p["land_area_m2"]
    p["tax_per_mu"] = p["tax_wan"] / (p["land_area_m2"] / M2_PER_MU)
    return p[["parcel_id", "zone_id", "land_use", "far", "tax_per_mu", "geometry"]]


def with_probe(html: str, n: int) -> str:
    return html.replace("</html>", PROBE % n + "\n</html>")


def build_ours(data, path: Path) -> float:
    t = time.perf_counter()
    m = map_parcels(data, column="far", basemap=None)
    save_map(m, path, offline=True)
    seconds = time.perf_counter() - t
    path.write_text(with_probe(path.read_text("utf-8"), len(data)), encoding="utf-8")
    return seconds


def build_explore(data, path: Path) -> float:
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = data.explore(column="far", tooltip=["parcel_id", "far"], tiles=None, legend=False)
        html = m.get_root().render()
    seconds = time.perf_counter() - t
    path.write_text(with_probe(inline_assets(html), len(data)), encoding="utf-8")
    return seconds


def open_time(browser, path: Path, n: int) -> float:
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(path.as_uri(), wait_until="commit", timeout=900_000)
    page.wait_for_function("window.__drawnAt !== undefined", timeout=900_000, polling=200)
    seconds = page.evaluate("window.__drawnAt") / 1000
    drawn = page.evaluate("window.__drawn")
    context.close()
    if errors or drawn < n:
        msg = f"{path.name}: drawn {drawn} of {n}, errors {errors[:3]}"
        raise RuntimeError(msg)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 50_000, 100_000])
    parser.add_argument("--repeat", type=int, default=1, help="browser openings per file (median)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the HTML files here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    out = args.keep or Path(tempfile.mkdtemp(prefix="bench_maps_"))
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        for n in args.sizes:
            data = parcels(n)
            ours_path, explore_path = out / f"ours_{n}.html", out / f"explore_{n}.html"
            ours_py = build_ours(data, ours_path)
            explore_py = build_explore(data, explore_path)
            load = os.getloadavg()[0]
            ours_open = statistics.median(
                open_time(browser, ours_path, n) for _ in range(args.repeat)
            )
            explore_open = statistics.median(
                open_time(browser, explore_path, n) for _ in range(args.repeat)
            )
            rows.append(
                (
                    n,
                    ours_path.stat().st_size / 1e6,
                    explore_path.stat().st_size / 1e6,
                    ours_py,
                    explore_py,
                    ours_open,
                    explore_open,
                    load,
                )
            )
            print(f"done {n:,} (load average {load:.1f})", flush=True)
        browser.close()
    print()
    print(
        "| parcels | ours HTML | explore HTML | size ours/explore | ours build+save | "
        "explore build+render | ours open | explore open | explore/ours open | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, om, em, opy, epy, oo, eo, load in rows:
        print(
            f"| {n:,} | {om:.1f} MB | {em:.1f} MB | {om / em:.2f} | {opy:.1f} s | {epy:.1f} s "
            f"| {oo:.2f} s | {eo:.1f} s | {eo / oo:.1f}× | {load:.1f} |"
        )
    last = rows[-1]
    if last[0] >= 100_000:
        n, om, em, _, _, oo, eo, _ = last
        checks = {
            "≥ 10× faster to open": eo / oo >= 10,
            "≤ 1/3 of the size": om / em <= 1 / 3,
            "opens in < 5 s": oo < 5,
        }
        print()
        for name, ok in checks.items():
            print(f"goal at {n:,}: {name}: {'met' if ok else 'NOT met'}")
    print(f"\nfiles in {out}")


if __name__ == "__main__":
    main()
