"""ProjectBank.sync of 100,000 candidates into a GeoPackage and into PostGIS.

For each backend, in one run on the same synthetic candidates (EPSG:4549 parcels from
``landuse.datasets.synthetic_parcels`` with the candidate columns and three extra columns):

1. first load into an empty bank (every entry added, one history event each);
2. re-sync a year later with 1 % of the candidates changed (priority and an extra column)
   and 0.5 % gone (resolved);
3. re-sync of identical input (nothing to write but the sync log).

Anchors, the plain bulk writes people use without a store (no diff, no history, no lifecycle):
GeoPackage — ``pyogrio.write_dataframe`` of the whole layer (what a yearly overwrite costs);
PostGIS — psycopg ``COPY`` of the same rows as hex EWKB into a plain table (the floor of any
loader). Ratios are ours ÷ anchor.

PostGIS: ``$LANDUSE_BENCH_POSTGIS_DSN`` (a database with the postgis extension), else a
throwaway cluster started like the tests do (tests/pgcluster.py, fsync on).

Run: ``python benchmarks/bench_bank.py [N]`` (default 100,000).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely

from landuse.bank.store import ProjectBank
from landuse.datasets import synthetic_parcels

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def make_candidates(n: int):
    parcels = synthetic_parcels(n, seed=7)
    rng = np.random.default_rng(7)
    area = parcels["land_area_m2"].to_numpy()
    out = parcels[["parcel_id", "zone_id", "enterprise", "industry_code", "geometry"]].copy()
    out.insert(0, "candidate_id", "B-" + parcels["parcel_id"].astype(str))
    out["reasons"] = np.where(rng.random(n) < 0.5, "low_far;low_tax", "idle")
    out["reason_text"] = np.where(out["reasons"] == "idle", "闲置", "容积率低; 亩均税收低")
    out["grade"] = rng.choice(np.array(["A", "B", "C", "D", None], dtype=object), n)
    out["route"] = rng.choice(np.array(["自主提升", "收购储备", "腾退", "工业上楼"]), n)
    out["priority"] = rng.random(n)
    out["land_area_m2"] = area
    out["potential_extra_floor_area_m2"] = np.round(area * rng.random(n), 1)
    out["land_freed_mu"] = np.round(area / 666.67 * rng.random(n), 2)
    out["potential_tax_wan"] = np.round(rng.random(n) * 200, 1)
    out["far"] = np.round(rng.random(n) * 1.2, 3)
    return out


def next_year(c, rng):
    """1 % changed (priority, far), 0.5 % no longer candidates."""
    n = len(c)
    changed = rng.choice(n, n // 100, replace=False)
    out = c.copy()
    out.loc[out.index[changed], "priority"] = rng.random(len(changed))
    out.loc[out.index[changed], "far"] = out["far"].to_numpy()[changed] + 0.1
    keep = np.ones(n, dtype=bool)
    keep[rng.choice(np.setdiff1d(np.arange(n), changed), n // 200, replace=False)] = False
    return out[keep].reset_index(drop=True)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def bench_backend(name, target, c0, c1, anchor):
    rows = []
    with ProjectBank.open(target, timeout=60) as bank:
        t_first, r0 = timed(lambda: bank.sync(c0, as_of="2020-12-31", by="bench"))
        t_resync, r1 = timed(lambda: bank.sync(c1, as_of="2021-12-31", by="bench"))
        t_same, r2 = timed(lambda: bank.sync(c1, as_of="2021-12-31", by="bench"))
        t_entries, e = timed(bank.entries)
    assert (r0.added, r1.changed, r1.resolved, r2.changed) == (
        len(c0),
        len(c0) // 100,
        len(c0) // 200,
        0,
    )
    assert len(e) == len(c0)
    t_anchor = anchor(c0)
    t_anchor1 = anchor(c1)
    rows.append((name, "first load", t_first, t_anchor, f"{r0.added:,} added"))
    rows.append(
        (name, "re-sync, 1 % changed", t_resync, t_anchor1,
         f"{r1.changed:,} changed, {r1.resolved:,} resolved")
    )  # fmt: skip
    rows.append((name, "re-sync, identical", t_same, t_anchor1, f"{r2.unchanged:,} unchanged"))
    rows.append((name, "entries() read back", t_entries, float("nan"), f"{len(e):,} rows"))
    return rows


def gpkg_anchor(folder):
    def run(c):
        path = folder / "anchor.gpkg"
        t = time.perf_counter()
        pyogrio.write_dataframe(c, path, layer="bank", driver="GPKG")
        return time.perf_counter() - t

    return run


def pg_anchor(dsn):
    import psycopg

    def run(c):
        ewkb = shapely.to_wkb(
            shapely.set_srid(np.asarray(c.geometry.array), 4549), hex=True, include_srid=True
        )
        cols = [x for x in c.columns if x != "geometry"]
        values = [c[x].astype(object).where(c[x].notna(), None).tolist() for x in cols]
        t = time.perf_counter()
        with psycopg.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS anchor")
            cur.execute(
                "CREATE TABLE anchor (geom geometry(Geometry, 4549), candidate_id text, "
                "parcel_id text, zone_id text, enterprise text, industry_code text, reasons text, "
                "reason_text text, grade text, route text, priority float8, land_area_m2 float8, "
                "potential_extra_floor_area_m2 float8, land_freed_mu float8, "
                "potential_tax_wan float8, far float8)"
            )
            with cur.copy(
                "COPY anchor (geom, candidate_id, parcel_id, zone_id, enterprise, industry_code, "
                "reasons, reason_text, grade, route, priority, land_area_m2, "
                "potential_extra_floor_area_m2, land_freed_mu, potential_tax_wan, far) FROM STDIN"
            ) as copy:
                for g, *vals in zip(ewkb.tolist(), *values, strict=True):
                    copy.write_row((g, *vals))
        return time.perf_counter() - t

    return run


def main() -> None:
    rng = np.random.default_rng(11)
    c0 = make_candidates(N)
    c1 = next_year(c0, rng)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows += bench_backend("GeoPackage", str(folder / "bank.gpkg"), c0, c1, gpkg_anchor(folder))
        size = (folder / "bank.gpkg").stat().st_size / 1e6
    cluster = None
    dsn = os.environ.get("LANDUSE_BENCH_POSTGIS_DSN")
    try:
        if not dsn:
            from pgcluster import PgCluster, UnavailableError

            try:
                cluster = PgCluster(fsync=True).start()
                dsn = cluster.new_database()
            except UnavailableError as exc:
                print(f"PostGIS skipped: {exc}")
        if dsn:
            rows += bench_backend("PostGIS", dsn, c0, c1, pg_anchor(dsn))
    finally:
        if cluster is not None:
            cluster.stop()

    table = pd.DataFrame(rows, columns=["backend", "operation", "landuse s", "anchor s", "result"])
    table["ratio"] = table["landuse s"] / table["anchor s"]
    print(f"ProjectBank.sync, {N:,} candidates ({os.cpu_count()} CPUs); GeoPackage {size:.0f} MB")
    print("anchors: GeoPackage = pyogrio.write_dataframe of the layer; PostGIS = psycopg COPY")
    with pd.option_context("display.width", 140, "display.float_format", "{:.2f}".format):
        print(table.to_string(index=False))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
