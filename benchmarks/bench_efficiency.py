"""Land efficiency end to end at city scale, and the building → parcel floor-area step vs geopandas.

Data: ``synthetic_parcels(N)`` (default 1,000,000), ``synthetic_buildings(per_parcel=2)``
(≈ 2,000,000 footprints, 10 % single storeys taller than 8 m) with 1 % of the buildings moved
half their width so that they cross their parcel's edge (the split-by-area path), and
``synthetic_zones`` (200 zones) over the same extent. Policy ``qingdao-2019``.

1. landuse, end to end: ``parcel_metrics`` (with the buildings) → ``find_inefficient_land``
   (zones, reusing the metrics) → ``build_project_bank`` (idle, inefficient, grading, zone
   targets, routes, priority). Wall time per stage and peak memory (RSS, sampled).
2. The anchor: the obvious geopandas route for the floor-area step — ``geopandas.overlay(
   buildings, parcels, how="intersection")``, each piece's floor area = building floor area ×
   piece area ÷ building area, ``groupby(parcel).sum()`` — against landuse's floor-area step
   (``parcel_metrics`` with buildings) on the same parcels and buildings, with the largest
   disagreement in m². ``--anchor-parcels K`` runs both on the first K parcels only (and says so).

Run: ``python benchmarks/bench_efficiency.py [--parcels N] [--anchor-parcels K]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _common import PeakRSS, gb

import landuse
from landuse.bank import build_project_bank
from landuse.datasets import synthetic_buildings, synthetic_parcels, synthetic_zones
from landuse.efficiency import find_inefficient_land, parcel_metrics


def make_data(n: int, seed: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    parcels = synthetic_parcels(n, seed=seed)
    buildings = synthetic_buildings(parcels, per_parcel=2, seed=seed)
    rng = np.random.default_rng(seed)
    # 1 %: move the building east until half of it lies past its parcel's east edge (in the
    # 12 m street, and in the next parcel when it is wider than 24 m)
    move = rng.random(len(buildings)) < 0.01
    sub = buildings.geometry.to_numpy()[move]
    b = shapely.bounds(sub)
    owner = pd.Index(parcels["parcel_id"]).get_indexer(buildings["parcel_id"].to_numpy()[move])
    edge = shapely.bounds(parcels.geometry.to_numpy()[owner])[:, 2]
    shift = edge - b[:, 2] + (b[:, 2] - b[:, 0]) / 2
    per_coord = np.repeat(shift, shapely.get_num_coordinates(sub))
    moved = shapely.transform(sub, lambda xy: xy + np.column_stack([per_coord, np.zeros(len(xy))]))
    geoms = buildings.geometry.to_numpy().copy()
    geoms[move] = moved
    buildings = buildings.set_geometry(geoms, crs=parcels.crs)
    zones, _ = synthetic_zones(200, seed=seed, parcels=parcels)
    return parcels, buildings, zones


def anchor_floor_area(
    parcels: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame, limit: float
) -> np.ndarray:
    """The geopandas route: overlay, share floor area by piece area, group by parcel."""
    b = buildings[["building_id", "geometry"]].copy()
    storey = buildings["height_m"] / buildings["levels"]
    b["floor"] = buildings.area * buildings["levels"] * np.where(storey > limit, 2.0, 1.0)
    b["building_area"] = buildings.area
    pieces = gpd.overlay(
        b, parcels[["parcel_id", "geometry"]], how="intersection", keep_geom_type=True
    )
    pieces["part"] = pieces["floor"] * pieces.area / pieces["building_area"]
    per_parcel = pieces.groupby("parcel_id")["part"].sum()
    return per_parcel.reindex(parcels["parcel_id"]).fillna(0.0).to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--anchor-parcels", type=int, default=None, help="subsample for the anchor")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    policy = landuse.load_policy("qingdao-2019")

    t = time.perf_counter()
    parcels, buildings, zones = make_data(args.parcels, args.seed)
    data_s = time.perf_counter() - t
    base_rss = PeakRSS()._rss()
    print(
        f"data: {len(parcels):,} parcels, {len(buildings):,} buildings, {len(zones)} zones "
        f"(made in {data_s:.1f} s; RSS {gb(base_rss)}); {os.cpu_count()} cores"
    )

    rows = []
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        m = parcel_metrics(parcels, buildings=buildings, policy=policy)
        t1 = time.perf_counter()
        found = find_inefficient_land(
            parcels, zones=zones, metrics=m, as_of="2021-12-31", policy=policy
        )
        t2 = time.perf_counter()
        bank = build_project_bank(
            parcels, zones=zones, metrics=m, as_of="2021-12-31", policy=policy
        )
        t3 = time.perf_counter()
    rows += [
        ("landuse parcel_metrics (buildings → parcels)", t1 - t0),
        ("landuse find_inefficient_land", t2 - t1),
        ("landuse build_project_bank", t3 - t2),
        ("landuse end to end", t3 - t0),
    ]
    print(
        f"found {len(found):,} inefficient parcels, {len(bank):,} bank candidates "
        f"({', '.join(f'{k} {v:,}' for k, v in bank.attrs['routes'].items())}); "
        f"{m.attrs['buildings']['split_between_parcels']:,} buildings split between parcels, "
        f"{m.attrs['buildings']['partly_outside_parcels']:,} partly outside"
    )
    peak_pipeline = mem.peak
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    k = args.anchor_parcels or len(parcels)
    sub_p = parcels.iloc[:k]
    keep = buildings["parcel_id"].isin(sub_p["parcel_id"]).to_numpy()
    sub_b = buildings[keep]
    note = (
        "" if k == len(parcels) else f" (subsample: first {k:,} parcels, {len(sub_b):,} buildings)"
    )
    t = time.perf_counter()
    ours = parcel_metrics(sub_p, buildings=sub_b, policy=policy)["floor_area_m2"].to_numpy()
    ours_s = time.perf_counter() - t
    t = time.perf_counter()
    theirs = anchor_floor_area(sub_p, sub_b, policy.control.double_count_storey_height_m)
    anchor_s = time.perf_counter() - t
    diff = float(np.nanmax(np.abs(ours - theirs)))

    print()
    print("| step | N parcels | time (s) |")
    print("|---|---:|---:|")
    for name, s in rows:
        print(f"| {name} | {len(parcels):,} | {s:.1f} |")
    print(f"| floor-area step: landuse parcel_metrics{note} | {k:,} | {ours_s:.1f} |")
    print(f"| floor-area step: geopandas overlay + groupby{note} | {k:,} | {anchor_s:.1f} |")
    print()
    print(
        f"ratio anchor / landuse (floor-area step): {anchor_s / ours_s:.1f}x; max |difference| {diff:.2e} m²"
    )
    print(
        f"peak RSS during the landuse pipeline: {gb(peak_pipeline)} (data alone {gb(base_rss)}, "
        f"pipeline adds {gb(peak_pipeline - base_rss)}); process max RSS before the anchor {gb(maxrss)}"
    )
    print(
        f"goal: end to end < 60 s and < 6 GB: {'met' if rows[3][1] < 60 and peak_pipeline < 6e9 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
