"""Benchmark: check_new_land against the obvious geopandas route (overlay, then area sums).

Both routes run in the same process on the same synthetic data (``synthetic_zones`` with
functional areas, ``synthetic_proposals``: half inside a zone, a quarter straddling a zone
edge, a quarter outside), laid out in memory as if read from a file (WKB round trip). The anchor computes what it can of the same answer: for every
proposal the share inside the zones, the zone holding the largest piece and the share inside
industrial development areas, by ``geopandas.overlay`` with the zones and with the functional
areas followed by area sums. ``check_new_land`` computes all of that *and* the distance to
the nearest zone, the verdict and the Chinese explanation of every proposal; its time is the
whole call. The shares of the two routes must agree to 1e-9.

Usage::

    python benchmarks/bench_compliance.py                      # 1,000,000 proposals, 50 zones
    python benchmarks/bench_compliance.py --n 200000 --repeat 3
    python benchmarks/bench_compliance.py --overlay-n 200000   # anchor on a subsample only

With ``--overlay-n`` smaller than ``--n`` the anchor runs on the first ``overlay-n``
proposals and its time for all ``n`` is extrapolated linearly (printed as such). Other jobs
on the machine disturb timings: the load average is printed before and after; rerun when
the machine is idle, and use ``--repeat`` (the best run of each route is reported).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse.compliance import check_new_land
from landuse.datasets import synthetic_proposals, synthetic_zones


def overlay_route(
    proposals: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, areas: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Share in zones, largest zone, share in industrial areas via geopandas.overlay."""
    left = proposals[["proposal_id", "geometry"]]
    area = pd.Series(left.area.to_numpy(), index=left["proposal_id"].to_numpy())
    by_zone = gpd.overlay(left, zones[["zone_id", "geometry"]], how="intersection")
    by_zone["a"] = by_zone.area
    in_zone = by_zone.groupby("proposal_id")["a"].sum()
    largest = by_zone.sort_values(["proposal_id", "a", "zone_id"], ascending=[True, False, True])
    largest = largest.drop_duplicates("proposal_id").set_index("proposal_id")["zone_id"]
    by_area = gpd.overlay(left, areas[["area_type", "geometry"]], how="intersection")
    industrial = by_area[by_area["area_type"] == "industrial"]
    in_ind = industrial.area.groupby(industrial["proposal_id"].to_numpy()).sum()
    return pd.DataFrame(
        {
            "share_in_zone": in_zone.reindex(area.index).fillna(0.0) / area,
            "zone_id": largest.reindex(area.index),
            "share_in_industrial_area": in_ind.reindex(area.index).fillna(0.0) / area,
        }
    )


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="proposals")
    ap.add_argument("--zones", type=int, default=50, help="zones (3 functional areas each)")
    ap.add_argument("--overlay-n", type=int, default=None, help="run the anchor on this many")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each route (best reported)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    n_sub = min(args.overlay_n or args.n, args.n)

    t0 = time.perf_counter()
    zones, areas = synthetic_zones(args.zones, seed=args.seed)
    proposals = synthetic_proposals(args.n, zones=zones, seed=args.seed)
    # as if read from a file: the generator builds geometries in shuffled batches, scattered in
    # memory, which slows every route by cache misses; a WKB round trip lays them out in order
    proposals = proposals.set_geometry(
        shapely.from_wkb(shapely.to_wkb(proposals.geometry.to_numpy())), crs=proposals.crs
    )
    print(
        f"data: {args.n:,} proposals, {len(zones)} zones, {len(areas)} functional areas "
        f"(generated in {time.perf_counter() - t0:.1f} s, not timed); "
        f"{len(os.sched_getaffinity(0))} CPUs; load average {os.getloadavg()[0]:.2f}"
    )

    t_ours, report = best_of(
        args.repeat, lambda: check_new_land(proposals, zones=zones, functional_areas=areas, policy="qingdao-2019")
    )
    t_one, _ = best_of(
        1, lambda: check_new_land(proposals, zones=zones, functional_areas=areas, policy="qingdao-2019", n_jobs=1)
    )
    sub = proposals.iloc[:n_sub]
    t_sub, anchor = best_of(args.repeat, lambda: overlay_route(sub, zones, areas))
    t_anchor = t_sub * args.n / n_sub

    ours = report.iloc[:n_sub].set_index("proposal_id")
    d_zone = np.abs(ours["share_in_zone"] - anchor["share_in_zone"]).max()
    d_ind = np.abs(ours["share_in_industrial_area"] - anchor["share_in_industrial_area"]).max()
    has = anchor["zone_id"].notna()
    same_zone = (ours.loc[has, "zone_id"] == anchor.loc[has, "zone_id"]).mean()
    assert d_zone <= 1e-9, f"share_in_zone differs by {d_zone}"
    assert d_ind <= 1e-9, f"share_in_industrial_area differs by {d_ind}"

    measured = (
        "" if n_sub == args.n else f" (measured on {n_sub:,}, extrapolated ×{args.n / n_sub:g})"
    )
    rows = [
        ("check_new_land, all CPUs", f"{args.n:,}", t_ours, 1.0),
        ("check_new_land, 1 thread", f"{args.n:,}", t_one, t_one / t_ours),
        ("overlay + area sums" + measured, f"{args.n:,}", t_anchor, t_anchor / t_ours),
    ]
    if n_sub != args.n:
        rows.append(("overlay + area sums, as measured", f"{n_sub:,}", t_sub, t_sub / t_ours))
    print(f"\n{'route':<58} {'proposals':>10} {'seconds':>9} {'× ours':>8}")
    for name, count, sec, ratio in rows:
        print(f"{name:<58} {count:>10} {sec:>9.2f} {ratio:>8.1f}")
    print(
        f"\nspeed-up vs overlay: {t_anchor / t_ours:.1f}× "
        f"(goal ≥ 10×); 1e6-scaled time of ours: {t_ours * 1e6 / args.n:.2f} s (goal < 15 s)"
    )
    print(
        f"agreement on {n_sub:,} proposals: max |Δ share_in_zone| = {d_zone:.1e}, "
        f"max |Δ share_in_industrial_area| = {d_ind:.1e}, same largest zone for "
        f"{same_zone:.4%} of those with one"
    )
    print("verdicts:", report["verdict"].value_counts().to_dict())
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
