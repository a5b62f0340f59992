"""Readers and web-map conversions against the plain routes, same data, same run.

1. ``landuse.read_parcels`` on a GeoPackage with Chinese field names (mapping, coercion,
   validity check, reprojection) vs the bare minimum a user writes by hand:
   ``geopandas.read_file(engine="pyogrio")`` + ``rename`` + ``to_crs`` — no checks.
2. The same on a GBK shapefile without ``.cpg`` (encoding detection included).
3. GCJ-02 → WGS84 of whole polygons: ``landuse.gcj02_to_wgs84`` (vectorised, iterative inverse)
   vs the per-vertex Python loop people use (the coordTransform algorithm, one point at a
   time, with the same iterative inverse), and the max disagreement.

Run: ``python benchmarks/bench_io.py [N]`` (default 100,000 parcels). Prints a table.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

import landuse
from landuse.datasets import synthetic_parcels
from landuse.schema import PARCELS

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def timed(fn, repeat=3):
    best = math.inf
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


# --- the per-point reference (coordTransform algorithm, plain Python) ---------------------------
A, EE = 6378245.0, 0.00669342162296594323


def _tlat(x, y):
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _tlng(x, y):
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs_to_gcj_point(lng, lat):
    dlat = _tlat(lng - 105.0, lat - 35.0)
    dlng = _tlng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(radlat) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sq) * math.pi)
    dlng = (dlng * 180.0) / (A / sq * math.cos(radlat) * math.pi)
    return lng + dlng, lat + dlat


def gcj_to_wgs_point(lng, lat):
    x, y = lng, lat
    for _ in range(10):
        gx, gy = wgs_to_gcj_point(x, y)
        dx, dy = gx - lng, gy - lat
        x, y = x - dx, y - dy
        if abs(dx) < 1e-9 and abs(dy) < 1e-9:
            break
    return x, y


def main() -> None:
    rows = []
    parcels = synthetic_parcels(N, seed=1)
    zh = parcels.rename(columns={c.name: c.label_zh for c in PARCELS.columns if c.name in parcels})
    with tempfile.TemporaryDirectory() as tmp:
        gpkg = Path(tmp) / "parcels.gpkg"
        zh.to_crs(4490).to_file(gpkg, layer="parcels")
        rename = {c.label_zh: c.name for c in PARCELS.columns}

        def plain():
            g = gpd.read_file(gpkg, engine="pyogrio").rename(columns=rename)
            return g.to_crs(4549)

        t_plain, _ = timed(plain)
        t_ours, ours = timed(lambda: landuse.read_parcels(gpkg))
        assert len(ours) == N
        rows.append(("GeoPackage, Chinese fields, EPSG:4490", t_ours, t_plain))

        shp = Path(tmp) / "parcels.shp"
        short = zh[["宗地编号", "用途", "企业名称", "税收", "geometry"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            short.to_file(shp, encoding="gbk")
        shp.with_suffix(".cpg").unlink(missing_ok=True)

        def plain_shp():
            return gpd.read_file(shp, engine="pyogrio", encoding="gb18030").rename(columns=rename)

        t_plain_shp, _ = timed(plain_shp)
        t_ours_shp, ours_shp = timed(lambda: landuse.read_parcels(shp, crs=None))
        assert ours_shp["enterprise"].iloc[0] == zh["企业名称"].iloc[0]
        rows.append(("GBK shapefile without .cpg", t_ours_shp, t_plain_shp))

    lonlat = parcels.iloc[: min(N, 20_000)].to_crs(4326)
    gcj = landuse.wgs84_to_gcj02(lonlat)
    t_vec, back = timed(lambda: landuse.gcj02_to_wgs84(gcj))

    def loop():
        return [
            shapely.transform(g, lambda xy: np.array([gcj_to_wgs_point(x, y) for x, y in xy]))
            for g in gcj.geometry
        ]

    t_loop, looped = timed(loop, repeat=1)
    diff = max(
        float(np.abs(shapely.get_coordinates(a) - shapely.get_coordinates(b)).max())
        for a, b in zip(back.geometry, looped, strict=True)
    )
    rows.append((f"GCJ-02→WGS84, {len(gcj):,} polygons", t_vec, t_loop))

    print(f"landuse readers vs plain routes, N = {N:,} parcels (best of 3)")
    print(f"{'case':<42} {'landuse s':>10} {'anchor s':>10} {'anchor/landuse':>15}")
    for name, ours_t, anchor_t in rows:
        print(f"{name:<42} {ours_t:>10.3f} {anchor_t:>10.3f} {anchor_t / ours_t:>15.2f}")
    print(f"max |vectorised - per-point loop| = {diff:.2e} degrees")


if __name__ == "__main__":
    main()
