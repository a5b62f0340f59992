"""Benchmark: the output layer against what analysts get from pandas and geopandas directly.

The same project-bank table (``build_project_bank`` on the synthetic parcels, repeated to the
row count asked for) is written four ways, in the same process:

- ``landuse.report.write_table(.xlsx)``: Chinese headers and labels with ``*_code`` columns,
  number formats by unit, widths from content, frozen and filtered header, the 说明 sheet;
  anchor ``DataFrame.to_excel`` with openpyxl (what pandas does by default: no formats,
  English codes);
- ``write_table(.csv)``: labels, numbers rounded by unit, BOM; anchor ``DataFrame.to_csv``;
- ``write_table(.gpkg)``: labels and codes, Chinese aliases, a QGIS style in ``layer_styles``;
  anchor ``GeoDataFrame.to_file`` (pyogrio, plain layer).

The ratio printed is anchor time ÷ landuse time (above 1: landuse is faster). landuse does
more work in each case; the point is that a formatted, labelled output costs no more than the
plain one.

Usage::

    python benchmarks/bench_outputs.py                # 50,000 rows
    python benchmarks/bench_outputs.py --n 200000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd

import landuse
from landuse.bank import build_project_bank
from landuse.report import write_table


def bank_rows(n: int) -> gpd.GeoDataFrame:
    """The sample's project bank, repeated to ``n`` rows (ids made unique)."""
    sample = landuse.load_sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bank = build_project_bank(
            sample.parcels, zones=sample.zones, as_of=sample.as_of, policy="qingdao-2019"
        )
    reps = -(-n // len(bank))
    big = pd.concat([bank] * reps, ignore_index=True).iloc[:n].copy()
    big["candidate_id"] = [f"C{i:07d}" for i in range(len(big))]
    big.attrs = bank.attrs
    return gpd.GeoDataFrame(big, geometry="geometry", crs=bank.crs)


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50_000, help="rows (default 50,000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best counts")
    args = parser.parse_args()
    table = bank_rows(args.n)
    plain = pd.DataFrame(table.drop(columns="geometry"))
    folder = Path(tempfile.mkdtemp(prefix="bench-outputs-"))
    print(f"{len(table):,} rows × {table.shape[1] - 1} columns; load {os.getloadavg()[0]:.2f}")
    cases = [
        (
            "xlsx",
            lambda: write_table(table, folder / "ours.xlsx"),
            lambda: plain.to_excel(folder / "anchor.xlsx", index=False, engine="openpyxl"),
            "DataFrame.to_excel (openpyxl)",
        ),
        (
            "csv",
            lambda: write_table(table, folder / "ours.csv"),
            lambda: plain.to_csv(folder / "anchor.csv", index=False, encoding="utf-8-sig"),
            "DataFrame.to_csv",
        ),
        (
            "gpkg",
            lambda: write_table(table, folder / "ours.gpkg"),
            lambda: table.to_file(folder / "anchor.gpkg", layer="project_bank"),
            "GeoDataFrame.to_file (pyogrio)",
        ),
    ]
    for name, ours, anchor, label in cases:
        t_ours = best(ours, args.repeat)
        t_anchor = best(anchor, args.repeat)
        print(
            f"{name:>5}: landuse {t_ours:7.2f} s   {label} {t_anchor:7.2f} s   "
            f"ratio {t_anchor / t_ours:5.2f}×"
        )
    print(f"load after {os.getloadavg()[0]:.2f}; files in {folder}")


if __name__ == "__main__":
    main()
