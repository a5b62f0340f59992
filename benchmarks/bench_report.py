"""The zone dossiers and the city report (一区一档): ``write_report`` vs the files analysts assemble.

Issue 21: every year an analyst assembles the zone report by hand from five Excel files and a
map. ``landuse.report.dossier.write_report`` writes ``index.html`` (the city report) and one
self-contained page per zone. Targets: the 14 sample zones with the city page in < 10 s; 300
synthetic zones with 200,000 parcels in < 2 minutes.

Data:

- **sample**: ``landuse.load_sample()`` (14 zones, 4,269 parcels, proposals, zone statistics
  2019–2021, enterprises and tenancies).
- **synthetic** (made here, seed 7): ``--parcels`` parcels (default 200,000,
  ``synthetic_parcels``), ``--zones`` zones over their extent with functional areas (default
  300, ``synthetic_zones``), ``--buildings-per-parcel`` footprints (default 1,
  ``synthetic_buildings``), ``--proposals`` new-land proposals (default 3,000,
  ``synthetic_proposals``: half inside, a quarter straddling, a quarter outside) and yearly zone
  statistics 2019–2021 with the columns of the sample's (``synthetic_zone_stats`` below; 1 % of
  the zones have no 2020 row). No enterprise data. The generator's ``zone_id`` column is all
  missing and is dropped, as the sample's parcels have none: the report places the parcels.

Work (year 2021, as of 2021-12-31, policy ``qingdao-2019-example``: the inefficient-land floor
is unset in ``qingdao-2019``, so its bank would hold idle land only):

1. **landuse**: ``write_report(out, data=…, year=2021, …)``: every analysis once, the city page
   and one page per zone. Wall time, peak RSS (sampled), pages and their size.
2. **the anchor** (what an analyst does by hand today, with the library's own functions):
   ``assess_zones`` for each year, ``build_project_bank``, ``check_new_land`` (and
   ``evaluate_enterprises`` when the data hold enterprises), each written to Excel with
   ``landuse.report.write_table`` (the five workbooks: the ranking of each of the three years,
   the bank, the new land), then ``assign_zones`` + ``grade_enterprises`` and one folium map per
   zone with geopandas ``explore()`` (the zone, its parcels by 亩均 grade, its bank candidates by
   route, its proposals by verdict) saved as HTML. Times per stage.

The anchor produces less (no page, no chart, no cross-links, maps needing the network); the
ratio anchor / landuse says what the finished report costs against the raw material for it.

Prints a Markdown table (case, zones, parcels, landuse s, anchor s, anchor / landuse, peak RSS,
pages and size) and the anchor's stages. ``--profile`` prints the cProfile of the synthetic
``write_report``.

Run: ``python benchmarks/bench_report.py [--zones 300] [--parcels 200000] [--repeat-sample 3]``
(about 5 minutes at full size on 2 cores).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _common import PeakRSS, gb

import landuse
from landuse.assessment import assess_zones
from landuse.bank import build_project_bank
from landuse.compliance import check_new_land
from landuse.datasets import (
    synthetic_buildings,
    synthetic_parcels,
    synthetic_proposals,
    synthetic_zones,
)
from landuse.efficiency import grade_enterprises
from landuse.enterprise import evaluate_enterprises
from landuse.report import write_table
from landuse.report.dossier import ReportData, write_report
from landuse.zones import assign_zones

POLICY = "qingdao-2019-example"
YEAR = 2021
YEARS = (2019, 2020, 2021)
AS_OF = pd.Timestamp("2021-12-31")


# --- data --------------------------------------------------------------------------------------


def synthetic_zone_stats(zone_ids: np.ndarray, *, seed: int) -> pd.DataFrame:
    """Statistics of ``zone_ids`` for 2019–2021 (the sample's columns); 1 % lack a 2020 row."""
    rng = np.random.default_rng(seed)
    n = len(zone_ids)
    base = rng.lognormal(np.log(2e6), 0.9, n)  # revenue in 万元 (≈ 200 亿 median)
    land = rng.uniform(1_000, 15_000, n)
    frames = []
    for k, year in enumerate(YEARS):
        revenue = base * (1 + rng.normal(0.08, 0.1, n)) ** k
        frames.append(
            pd.DataFrame(
                {
                    "zone_id": zone_ids,
                    "year": year,
                    "revenue_wan": revenue,
                    "tax_wan": revenue * rng.uniform(0.01, 0.06, n),
                    "new_registered_firms": rng.integers(0, 30, n).astype(float),
                    "investment_projects": rng.integers(0, 40, n).astype(float),
                    "leading_industry_revenue_wan": revenue * rng.uniform(0.35, 0.9, n),
                    "new_project_investment_wan": rng.uniform(20_000, 400_000, n),
                    "new_project_land_mu": rng.uniform(100, 1_000, n),
                    "land_area_mu": land * (1.02**k),
                }
            )
        )
    stats = pd.concat(frames, ignore_index=True)
    gap = (stats["year"] == 2020) & (np.arange(len(stats)) % 100 == 0)
    stats = stats[~gap].reset_index(drop=True)
    stats["year"] = stats["year"].astype("Int64")
    return stats


def synthetic_data(
    n_zones: int, n_parcels: int, n_proposals: int, per_parcel: int, seed: int
) -> ReportData:
    """The synthetic layers (see the module docstring)."""
    parcels = synthetic_parcels(n_parcels, seed=seed).drop(columns="zone_id")
    zones, areas = synthetic_zones(n_zones, seed=seed, parcels=parcels)
    buildings = (
        synthetic_buildings(parcels, per_parcel=per_parcel, seed=seed) if per_parcel else None
    )
    proposals = synthetic_proposals(n_proposals, zones=zones, seed=seed)
    stats = synthetic_zone_stats(zones["zone_id"].astype(str).to_numpy(), seed=seed)
    return ReportData(
        zones=zones,
        functional_areas=areas,
        parcels=parcels,
        buildings=buildings,
        proposals=proposals,
        zone_stats=stats,
        as_of=AS_OF,
    )


# --- landuse -----------------------------------------------------------------------------------


def run_landuse(data: ReportData, out: Path, policy: landuse.Policy) -> tuple[float, list[Path]]:
    start = time.perf_counter()
    written = write_report(out, data=data, year=YEAR, as_of=AS_OF, policy=policy)
    return time.perf_counter() - start, written


# --- the anchor --------------------------------------------------------------------------------


def _explore(frame, m, column: str | None, name: str, tooltip: list[str]):
    """Add ``frame`` to the folium map ``m`` (or start one) with GeoDataFrame.explore()."""
    if not len(frame):
        return m
    cols = [c for c in tooltip if c in frame.columns]
    kwargs = {"column": column} if column and frame[column].notna().any() else {}
    keep = list(dict.fromkeys([*cols, *([column] if kwargs else []), "geometry"]))
    plain = frame[keep].copy()
    for c in plain.columns.drop("geometry"):
        plain[c] = plain[c].astype(object).where(plain[c].notna(), None).astype(str)
    return plain.explore(m=m, name=name, tooltip=cols or False, legend=False, **kwargs)


def run_anchor(data: ReportData, out: Path, policy: landuse.Policy) -> dict[str, float]:
    """The analyses, their Excel files and one explore() map per zone; seconds per stage."""
    times: dict[str, float] = {}
    t = time.perf_counter()
    ranking = {
        y: assess_zones(data.zone_stats, year=y, zones=data.zones, policy=policy) for y in YEARS
    }
    bank = build_project_bank(
        data.parcels,
        zones=data.zones,
        functional_areas=data.functional_areas,
        buildings=data.buildings,
        as_of=AS_OF,
        policy=policy,
    )
    checked = check_new_land(
        data.proposals, zones=data.zones, functional_areas=data.functional_areas, policy=policy
    )
    firms = None
    if data.enterprises is not None:
        firms = evaluate_enterprises(
            data.enterprises,
            parcels=data.parcels,
            tenancies=data.tenancies,
            year=YEAR,
            policy=policy,
        )
    times["analyses"] = time.perf_counter() - t

    t = time.perf_counter()
    for y, table in ranking.items():
        write_table(table, out / f"考核排名_{y}.xlsx")
    write_table(bank, out / "项目库.xlsx")
    write_table(checked, out / "新增工业用地.xlsx")
    if firms is not None:
        write_table(firms, out / "企业亩均评价.xlsx")
    times["Excel files"] = time.perf_counter() - t

    t = time.perf_counter()
    placed = assign_zones(data.parcels, zones=data.zones)["zone_id"]
    graded = grade_enterprises(data.parcels, policy=policy)["grade"]
    parcels = data.parcels[["parcel_id", "land_use", "geometry"]].assign(
        zone_id=placed.to_numpy(), grade=graded.to_numpy()
    )
    checked_zone = (
        checked["zone_id"]
        .astype(object)
        .where(checked["zone_id"].notna(), checked["nearest_zone_id"].astype(object))
    )
    maps = out / "maps"
    maps.mkdir()
    for zone_id, zone in data.zones.groupby("zone_id", sort=False):
        m = _explore(zone, None, None, "zone", ["zone_id", "name"])
        m = _explore(
            parcels[parcels["zone_id"] == zone_id], m, "grade", "parcels", ["parcel_id", "grade"]
        )
        m = _explore(
            bank[bank["zone_id"] == zone_id], m, "route", "bank", ["candidate_id", "route"]
        )
        m = _explore(
            checked[checked_zone == zone_id], m, "verdict", "new land", ["proposal_id", "verdict"]
        )
        m.save(maps / f"{zone_id}.html")
    times["maps (explore)"] = time.perf_counter() - t
    return times


# --- main --------------------------------------------------------------------------------------


def folder_size(paths: list[Path]) -> str:
    sizes = [p.stat().st_size for p in paths]
    return f"{len(paths)} pages, {sum(sizes) / 1e6:.1f} MB (largest {max(sizes) / 1e6:.2f} MB)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=300)
    parser.add_argument("--parcels", type=int, default=200_000)
    parser.add_argument("--proposals", type=int, default=3_000)
    parser.add_argument("--buildings-per-parcel", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat-sample", type=int, default=3, help="sample runs; best counts")
    parser.add_argument("--profile", action="store_true", help="cProfile the synthetic run")
    parser.add_argument("--keep", action="store_true", help="keep the output folders")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # the report shows the analyses' warnings on its pages
    policy = landuse.load_policy(POLICY)
    root = Path(tempfile.mkdtemp(prefix="bench-report-"))

    sample = landuse.load_sample()
    t = time.perf_counter()
    synthetic = synthetic_data(
        args.zones, args.parcels, args.proposals, args.buildings_per_parcel, args.seed
    )
    made_s = time.perf_counter() - t
    n_b = 0 if synthetic.buildings is None else len(synthetic.buildings)
    print(
        f"synthetic data: {len(synthetic.zones):,} zones, {len(synthetic.parcels):,} parcels, "
        f"{n_b:,} buildings, {len(synthetic.proposals):,} proposals, "
        f"{len(synthetic.zone_stats):,} zone-years (made in {made_s:.1f} s); "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, policy {POLICY}"
    )

    rows, stages = [], {}
    for case, data, repeat in (
        ("sample", sample, args.repeat_sample),
        ("synthetic", synthetic, 1),
    ):
        profiler = cProfile.Profile() if args.profile and case == "synthetic" else None
        best, written = float("inf"), []
        with PeakRSS() as mem:
            for k in range(repeat):
                out = root / f"{case}_landuse_{k}"
                if profiler:
                    profiler.enable()
                seconds, written = run_landuse(data, out, policy)
                if profiler:
                    profiler.disable()
                best = min(best, seconds)
        pages = [p for p in written if p.suffix == ".html"]
        anchor_out = root / f"{case}_anchor"
        anchor_out.mkdir()
        with PeakRSS() as mem_a:
            stages[case] = run_anchor(data, anchor_out, policy)
        anchor_s = sum(stages[case].values())
        rows.append(
            (
                case,
                len(data.zones),
                len(data.parcels),
                best,
                anchor_s,
                mem.peak,
                mem_a.peak,
                folder_size(pages),
            )
        )
        if profiler:
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(30)
            stats.sort_stats("tottime").print_stats(20)

    print()
    print(
        "| case | zones | parcels | landuse write_report (s) | anchor (s) | anchor / landuse "
        "| peak RSS landuse | peak RSS anchor | landuse output |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for case, z, p, ours, theirs, rss, rss_a, size in rows:
        print(
            f"| {case} | {z:,} | {p:,} | {ours:.2f} | {theirs:.2f} | {theirs / ours:.2f} "
            f"| {gb(rss)} | {gb(rss_a)} | {size} |"
        )
    print()
    print("| anchor stage (s) | " + " | ".join(stages) + " |")
    print("|---|" + "---:|" * len(stages))
    for stage in next(iter(stages.values())):
        print(f"| {stage} | " + " | ".join(f"{s[stage]:.2f}" for s in stages.values()) + " |")
    print()
    targets = {"sample": 10.0, "synthetic": 120.0}
    for case, _, _, ours, *_ in rows:
        ok = "met" if ours < targets[case] else "MISSED"
        print(f"target {case}: < {targets[case]:.0f} s — {ours:.1f} s, {ok}")
    print(
        f"sample time: best of {args.repeat_sample}; synthetic: one run. write_report does not "
        "time its stages (build the analyses, render pages); use --profile"
    )
    if args.keep:
        print(f"outputs kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
