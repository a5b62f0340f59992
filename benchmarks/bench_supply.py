"""Supply calculations over many parcels against the routes people take today, same data, same run.

1. Tenure coefficient K(m, 50, r) per parcel: ``landuse.supply.tenure_coefficient`` (vectorised)
   vs a per-row Python loop (the spreadsheet formula ``(1-1/(1+r)^m)/(1-1/(1+r)^n)`` row by
   row) and vs numpy-financial's vectorised ``pv`` (K = pv(r, m) / pv(r, 50)).
2. Lease-then-transfer (5 + 15 years) cash flows and NPV per parcel:
   ``landuse.supply.lease_then_transfer`` vs a per-row Python loop building the flows and
   discounting them, and vs ``numpy_financial.npv`` called per row on those flows.
3. Multi-storey potential (suitability, floor area at the target FAR, land saved vs a
   single-storey plant, enterprise units): ``landuse.supply.multistorey_potential`` vs a per-row
   Python loop applying the same rules with dict lookups.

Each anchor's result is compared with ours (max abs difference printed). numpy-financial is
optional (``pip install numpy-financial``); without it those rows are skipped.

Run: ``python benchmarks/bench_supply.py [N]`` (default 1,000,000 parcels). Prints a table.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import pandas as pd

import landuse
from landuse.supply import lease_then_transfer, multistorey_potential, tenure_coefficient

try:
    import numpy_financial as npf
except ImportError:  # pragma: no cover - optional anchor
    npf = None

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
POLICY = landuse.load_policy("qingdao-2019")
RNG = np.random.default_rng(20211231)


def timed(fn, repeat=3):
    best = math.inf
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


rows: list[tuple[str, str, float, float, float]] = []


def record(step: str, anchor: str, ours: float, theirs: float, diff: float) -> None:
    rows.append((step, anchor, ours, theirs, diff))


# --- data ------------------------------------------------------------------------------------
years = RNG.integers(1, 51, N).astype(float)
rate = RNG.uniform(0.04, 0.08, N)
area = RNG.uniform(2_000.0, 100_000.0, N).round(2)
grades = [g.price_yuan_per_m2 for g in POLICY.land_price.industrial_grades]
price = RNG.choice(grades, N).astype(float)
D = 0.05

# --- 1. tenure coefficient -------------------------------------------------------------------
t_ours, k_ours = timed(lambda: tenure_coefficient(years, rate=rate, max_years=50, policy="qingdao-2019"))


def k_loop():
    return np.array(
        [(1 - 1 / (1 + r) ** m) / (1 - 1 / (1 + r) ** 50) for m, r in zip(years, rate, strict=True)]
    )


t_loop, k_l = timed(k_loop, repeat=1)
record("tenure K", "per-row Python loop", t_ours, t_loop, float(np.max(np.abs(k_ours - k_l))))
if npf is not None:
    t_npf, k_n = timed(lambda: npf.pv(rate, years, -1.0) / npf.pv(rate, 50, -1.0))
    record(
        "tenure K",
        "numpy-financial pv (vectorised)",
        t_ours,
        t_npf,
        float(np.max(np.abs(k_ours - k_n))),
    )

# --- 2. lease then transfer ------------------------------------------------------------------
t_ours, ltt = timed(
    lambda: lease_then_transfer(area, unit_price_yuan_m2=price, discount_rate=D, policy=POLICY)
)
npv_ours = ltt["city_npv_wan"].to_numpy()
R = POLICY.tenure.capitalisation_rate_share
L, G, NMAX = int(POLICY.tenure.lease_years), POLICY.tenure.grant_after_lease_years, 50


def flows_row(a: float, p: float) -> list[float]:
    annuity_due = sum((1 + R) ** -k for k in range(NMAX))
    rent = a * p / annuity_due / 1e4
    k = (1 - 1 / (1 + R) ** G) / (1 - 1 / (1 + R) ** NMAX)
    return [rent] * L + [a * p * k / 1e4]


def npv_loop():
    out = []
    for a, p in zip(area, price, strict=True):
        flows = flows_row(a, p)
        out.append(sum(cf / (1 + D) ** t for t, cf in enumerate(flows)))
    return np.array(out)


t_loop, npv_l = timed(npv_loop, repeat=1)
record(
    "lease 5+15 NPV", "per-row Python loop", t_ours, t_loop, float(np.max(np.abs(npv_ours - npv_l)))
)
if npf is not None:

    def npv_npf():
        return np.array([npf.npv(D, flows_row(a, p)) for a, p in zip(area, price, strict=True)])

    t_npf, npv_n = timed(npv_npf, repeat=1)
    record(
        "lease 5+15 NPV",
        "numpy-financial npv per row",
        t_ours,
        t_npf,
        float(np.max(np.abs(npv_ours - npv_n))),
    )

# --- 3. multi-storey potential ---------------------------------------------------------------
codes_pool = np.array(["39", "40", "36", "37", "38", "27", "26", "13", "34", "18"])
parcels = pd.DataFrame(
    {
        "industry_code": RNG.choice(codes_pool, N),
        "land_use": RNG.choice(["industrial", "industrial", "industrial", "logistics"], N),
        "land_area_m2": area,
        "floor_area_m2": (area * RNG.uniform(0.3, 2.5, N)).round(2),
        # 工业上楼 needs FAR and height or floors (issue 22): both given, so no parcel is unknown
        "building_height_m": RNG.uniform(6.0, 40.0, N).round(1),
        "floors": RNG.integers(1, 9, N).astype(float),
    }
)
MIN_UNIT = 500.0
t_ours, ms = timed(lambda: multistorey_potential(parcels, policy=POLICY, min_unit_m2=MIN_UNIT))

SUITABLE = set(POLICY.multistorey.suitable_industries_2017)
MIN_FAR = {c: POLICY.min_far(c) for c in codes_pool}
FAR_MIN = POLICY.multistorey.far_min
HIGH_FAR = POLICY.multistorey.high_rise_far
SITE_MIN = POLICY.multistorey.high_rise_site_ha_min * 10_000
UNIT = POLICY.multistorey.enterprise_unit_m2
SHARE = 1 - POLICY.control.admin_living_floor_share_max
HEIGHT_OVER = POLICY.multistorey.height_over_m
FLOORS_MIN = POLICY.multistorey.floors_min


def ms_loop():
    candidate, saved, units = [], [], []
    for code, use, land, floor, height, floors in zip(
        parcels["industry_code"],
        parcels["land_use"],
        parcels["land_area_m2"],
        parcels["floor_area_m2"],
        parcels["building_height_m"],
        parcels["floors"],
        strict=True,
    ):
        far = floor / land
        already = far >= FAR_MIN * (1 - 1e-9) and (height > HEIGHT_OVER or floors >= FLOORS_MIN)
        candidate.append(use == "industrial" and code in SUITABLE and not already)
        target = HIGH_FAR if land >= SITE_MIN else FAR_MIN
        floor_target = land * target
        saved.append(floor_target / MIN_FAR[code] - land)
        units.append(math.floor(floor_target * SHARE / UNIT + 1e-9))
    return np.array(candidate), np.array(saved), np.array(units)


t_loop, (cand_l, saved_l, units_l) = timed(ms_loop, repeat=1)
same = bool(
    (ms["candidate"].to_numpy(dtype=bool) == cand_l).all()
    and (ms["enterprise_units"].to_numpy(dtype=np.int64) == units_l).all()
)
diff = float(np.max(np.abs(ms["land_saved_m2"].to_numpy() - saved_l))) if same else math.inf
record("multistorey potential", "per-row Python loop", t_ours, t_loop, diff)

# --- report ----------------------------------------------------------------------------------
print(f"bench_supply: {N:,} parcels, policy {POLICY.name}, discount rate {D}")
header = (
    f"{'step':<24}{'anchor':<34}{'landuse s':>11}{'anchor s':>11}{'ratio':>9}{'max |diff|':>13}"
)
print(header)
print("-" * len(header))
for step, anchor, ours, theirs, d in rows:
    print(f"{step:<24}{anchor:<34}{ours:>11.3f}{theirs:>11.3f}{theirs / ours:>8.1f}x{d:>13.2e}")
if npf is None:
    print("(numpy-financial not installed: its rows were skipped; pip install numpy-financial)")
