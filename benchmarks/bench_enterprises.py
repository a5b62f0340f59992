"""Enterprise evaluation (亩均评价) over 3 years: landuse vs a plain pandas groupby/merge anchor.

Data (made here, seed 7): N enterprises (default 100,000) with valid GB 32100-2015 credit codes
(check character by the standard's formula, confirmed with ``validate_credit_code``), 3 years
(2021–2023) of tax, revenue, value added, energy, emissions (15 % missing), R&D (3 % missing),
employees and electricity; ~20 % 规下; 1 % in exempt divisions (16, 44–46), 0.2 % military;
3 % without a 2021 row, 2 % without a 2022 row. P parcels (default 150,000, a plain DataFrame
with land_area_m2, floor_area_m2, zone_id, owner_code): ~85 % of the firms hold 1–3 parcels,
0.5 % of the parcels have no holder and 0.5 % a holder without data. ~N/5 tenancies (rented
floor area, 10 % with rented land area, start/end dates so that the land changes by year; 0.2 %
name an unknown parcel). Policy ``qingdao-2019-example`` (rented land apportioned by floor area,
the Haining electricity surcharge as an example).

1. landuse: ``evaluate_enterprises`` for each year, then ``enterprise_history``; wall time per
   stage and peak RSS (sampled).
2. The anchor: the same computation written plainly with pandas merge/groupby, as a bureau
   analyst would (land per firm = owned parcels − let space + rented space apportioned by floor
   area; scope; indicators = figures ÷ land etc.; benchmark = mean per indicator over the firms
   that can be scored; score = Σ value ÷ benchmark × weight, missing emissions → the average
   item score; rank share → A/B/C/D by the cuts 25/70/95/100 %; consecutive years in D and the
   surcharge). Its constants are the profile's values (asserted).

Prints a Markdown table of times, the ratio anchor / landuse, and the agreement of grades,
consecutive D years and surcharge on every enterprise-year.

Run: ``python benchmarks/bench_enterprises.py [--enterprises N] [--parcels P] [--profile]``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
import warnings

import numpy as np
import pandas as pd
from _common import PeakRSS, gb

import landuse
from landuse.enterprise import enterprise_history, evaluate_enterprises, validate_credit_code

YEARS = (2021, 2022, 2023)
POLICY = "qingdao-2019-example"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: 0-9, A-Z without I O S V Z
M2_PER_MU = 10000.0 / 15.0

# The anchor's constants: the values of qingdao-2019-example (checked against it in main()).
WEIGHTS_ABOVE = {
    "tax_per_mu": 30.0,
    "value_added_per_mu": 20.0,
    "value_added_per_energy": 20.0,
    "value_added_per_emission": 10.0,
    "labour_productivity": 10.0,
    "rd_share": 10.0,
}
WEIGHTS_BELOW = {"tax_per_mu": 50.0, "tax_per_electricity": 50.0}
AVERAGE_IF_MISSING = {"value_added_per_emission"}
CUTS = [0.25, 0.70, 0.95, 1.0]
EXEMPT = ["16", "44", "45", "46"]
BELOW_SCALE_MU_MIN = 5.0
SURCHARGE = [(3, 0.4), (1, 0.3)]  # (consecutive years in D at least, 元/kWh), highest first


# --- data --------------------------------------------------------------------------------------


def credit_codes(n: int, rng: np.random.Generator, start: int = 0) -> np.ndarray:
    """``n`` distinct valid credit codes: 91 + a Qingdao district + 9 characters + check."""
    districts = np.array(["370202", "370203", "370211", "370212", "370213", "370214", "370281"])
    # positions 9-17: the number (start + i) × a prime, mod 31⁹, in base 31 (distinct)
    value = ((np.arange(start, start + n, dtype=np.int64) * 1_000_003) % 31**9).astype(np.int64)
    digits = np.empty((n, 9), dtype=np.int64)
    for k in range(8, -1, -1):
        digits[:, k] = value % 31
        value //= 31
    head = np.full((n, 2), [9, 1], dtype=np.int64)
    district = np.array([[int(c) for c in d] for d in districts])[rng.integers(0, 7, n)]
    body = np.hstack([head, district, digits])  # values 0-30 of positions 1-17
    weights = np.array([pow(3, i, 31) for i in range(17)])
    check = (31 - (body @ weights) % 31) % 31
    chars = np.array(list(ALPHABET))[np.hstack([body, check[:, None]])]
    return np.array(["".join(row) for row in chars], dtype=object)


def make_data(n: int, p: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Enterprise-years, parcels and tenancies (see the module docstring)."""
    rng = np.random.default_rng(seed)
    codes = credit_codes(n, rng)
    role = rng.random(n)
    tenant_only = role < 0.14
    # role 0.14-0.15: 1 % of the firms hold and rent nothing (enterprises without land)
    owners = np.flatnonzero(role >= 0.15)
    # parcels: 0.5 % without holder, 0.5 % held by firms without data, the rest 1-3 per owner
    unowned, ghost = p // 200, p // 200
    owned = p - unowned - ghost
    n_o = min(len(owners), owned)
    owners = rng.permutation(owners)[:n_o]
    extra = owned - n_o
    third = min(extra // 4, n_o)
    second = extra - third
    if second > n_o:
        third, second = third + second - n_o, n_o
    if third > second:
        msg = f"{p:,} parcels are too many for {n:,} enterprises (at most 3 each)"
        raise SystemExit(msg)
    count = np.ones(n_o, dtype=int)
    count[:second] += 1
    count[:third] += 1
    holder = np.concatenate(
        [
            codes[np.repeat(owners, count)],
            credit_codes(ghost, rng, start=n + 1),
            np.full(unowned, None, dtype=object),
        ]
    )
    holder = holder[rng.permutation(p)]
    land = np.round(rng.lognormal(np.log(8_000.0), 0.8, p), 1)
    parcels = pd.DataFrame(
        {
            "parcel_id": [f"P{i:07d}" for i in range(p)],
            "zone_id": [f"Z{z:03d}" for z in rng.integers(0, 200, p)],
            "land_area_m2": land,
            "floor_area_m2": np.round(land * rng.uniform(0.4, 2.0, p), 1),
            "owner_code": holder,
        }
    )
    # tenancies: every tenant-only firm one, the rest to random tenants and to 5 % of owners
    t = n // 5
    tenants = np.flatnonzero(tenant_only)
    renting_owners = rng.choice(owners, max(len(owners) // 20, 1), replace=False)
    pool = np.concatenate([tenants, renting_owners])
    who = np.concatenate([tenants, rng.choice(pool, max(t - len(tenants), 0))])[:t]
    held_pos = np.flatnonzero(pd.notna(holder))
    where = rng.choice(held_pos, len(who))
    lease = pd.DataFrame({"tenant_code": codes[who], "pos": where})
    same = lease["tenant_code"].to_numpy() == holder[where]
    lease.loc[same, "pos"] = rng.choice(held_pos, int(same.sum()))
    lease = lease[lease["tenant_code"].to_numpy() != holder[lease["pos"]]]
    lease = lease.drop_duplicates(["tenant_code", "pos"])
    on_parcel = lease.groupby("pos")["pos"].transform("size").to_numpy()
    floor = parcels["floor_area_m2"].to_numpy()[lease["pos"]]
    rented_floor = np.round(floor * rng.uniform(0.2, 0.9, len(lease)) / (on_parcel + 1), 1)
    share = parcels["land_area_m2"].to_numpy()[lease["pos"]] * rented_floor / floor
    given = rng.random(len(lease)) < 0.10
    start = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 9 * 365, len(lease)), "D")
    end = start + pd.to_timedelta(rng.integers(365, 8 * 365, len(lease)), "D")
    tenancies = pd.DataFrame(
        {
            "tenant_code": lease["tenant_code"].to_numpy(),
            "parcel_id": parcels["parcel_id"].to_numpy()[lease["pos"]],
            "rented_floor_m2": rented_floor,
            "rented_land_m2": np.where(given, np.round(share * 0.9, 1), np.nan),
            "start": start,
            "end": end,
        }
    )
    stray = rng.random(len(tenancies)) < 0.002
    tenancies.loc[stray, "parcel_id"] = "X-" + tenancies.loc[stray, "parcel_id"]
    return firm_years(codes, rng), parcels, tenancies


def firm_years(codes: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Three years of figures per firm; some missing, some years absent."""
    n = len(codes)
    above = rng.random(n) >= 0.20
    division = rng.integers(13, 44, n)
    special = rng.random(n)
    division = np.where(special < 0.01, rng.choice([44, 45, 46, 16], n), division)
    industry = np.char.add(division.astype(str), rng.integers(10, 99, n).astype(str))
    size = np.where(above, rng.lognormal(np.log(8_000), 1.0, n), rng.uniform(200, 2_000, n))
    first_year = np.where(rng.random(n) < 0.03, 2022, 2021)
    registered = pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 21 * 365, n), "D")
    registered = registered.where(first_year == 2021, pd.Timestamp("2021-06-01"))
    gap = rng.random(n) < 0.02
    frames = []
    for year in YEARS:
        keep = (first_year <= year) & ~((year == 2022) & gap)
        revenue = size * rng.normal(1.05, 0.15, n).clip(0.5) ** (year - 2020)
        energy = revenue * rng.uniform(0.01, 0.2, n)

        def some_missing(values: np.ndarray, share: float) -> np.ndarray:
            return np.where(rng.random(n) < share, np.nan, values)

        frame = pd.DataFrame(
            {
                "credit_code": codes,
                "name": [f"企业{i:06d}" for i in range(n)],
                "above_scale": above,
                "industry_code": industry,
                "year": year,
                "tax_wan": some_missing(revenue * rng.uniform(0.01, 0.08, n), 0.01),
                "revenue_wan": revenue,
                "value_added_wan": revenue * rng.uniform(0.15, 0.35, n),
                "energy_tce": energy,
                "emissions_t": some_missing(energy * rng.uniform(0.005, 0.05, n), 0.15),
                "rd_spend_wan": some_missing(revenue * rng.uniform(0.0, 0.05, n), 0.03),
                "employees": np.maximum(np.round(revenue / rng.uniform(50, 200, n)), 1.0),
                "electricity_kwh": some_missing(energy * 8_130 * rng.uniform(0.5, 1.5, n), 0.01),
                "registered_on": registered,
                "military": rng.random(n) < 0.002,
            }
        )
        frames.append(frame[keep])
    return pd.concat(frames, ignore_index=True)


# --- the anchor ----------------------------------------------------------------------------------


def anchor_land(parcels: pd.DataFrame, tenancies: pd.DataFrame, year: int) -> pd.Series:
    """Land (m²) per credit code: owned parcels − space let + rented space, by floor area."""
    t = tenancies[
        (tenancies["start"].isna() | (tenancies["start"] <= pd.Timestamp(year, 12, 31)))
        & (tenancies["end"].isna() | (tenancies["end"] >= pd.Timestamp(year, 1, 1)))
    ]
    t = t.merge(
        parcels[["parcel_id", "land_area_m2", "floor_area_m2", "owner_code"]], on="parcel_id"
    )
    t = t[t["tenant_code"] != t["owner_code"]]
    t["share"] = t["rented_land_m2"].fillna(
        t["land_area_m2"] * t["rented_floor_m2"] / t["floor_area_m2"]
    )
    owned = parcels.groupby("owner_code")["land_area_m2"].sum()
    let = t.groupby("owner_code")["share"].sum()
    rented = t.groupby("tenant_code")["share"].sum()
    kept = owned.sub(let, fill_value=0).clip(lower=0)
    return kept.add(rented, fill_value=0).rename("land_m2")


def anchor_grades(d: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Score, rank and grade the firms of one variant (rows: in scope, with land)."""
    required = [k for k in weights if k not in AVERAGE_IF_MISSING]
    d = d[d[required].notna().all(axis=1)].copy()
    d["score"] = 0.0
    for k, w in weights.items():
        benchmark = d[k].mean()
        item = d[k] / benchmark * w
        d["score"] += item.fillna(item.mean())
    d["rank"] = d["score"].rank(method="min", ascending=False)
    d["share"] = d["rank"] / len(d)
    d["grade"] = pd.cut(d["share"], [0.0, *CUTS], labels=list("ABCD")).astype(object)
    return d[["score", "grade"]]


def anchor_year(firms: pd.DataFrame, land: pd.Series, year: int) -> pd.DataFrame:
    """The year's grades, one row per firm with data."""
    d = firms[firms["year"] == year].merge(
        land, left_on="credit_code", right_index=True, how="left"
    )
    d["mu"] = d["land_m2"] / M2_PER_MU
    exempt = d["industry_code"].str[:2].isin(EXEMPT) | d["military"]
    d["in_scope"] = ~exempt & (d["above_scale"] | (d["mu"] >= BELOW_SCALE_MU_MIN))

    def per(num: str, den: pd.Series | str) -> pd.Series:
        den = d[den] if isinstance(den, str) else den
        return d[num] / den.where(den > 0)

    d["tax_per_mu"] = per("tax_wan", d["mu"])
    d["value_added_per_mu"] = per("value_added_wan", d["mu"])
    d["value_added_per_energy"] = per("value_added_wan", "energy_tce")
    d["value_added_per_emission"] = per("value_added_wan", "emissions_t")
    d["labour_productivity"] = per("value_added_wan", "employees")
    d["rd_share"] = per("rd_spend_wan", "revenue_wan")
    d["tax_per_electricity"] = per("tax_wan", "electricity_kwh") * 1e4
    scored = d["in_scope"] & d["mu"].notna()
    graded = pd.concat(
        [
            anchor_grades(d[scored & d["above_scale"]], WEIGHTS_ABOVE),
            anchor_grades(d[scored & ~d["above_scale"]], WEIGHTS_BELOW),
        ]
    )
    d = d.join(graded)
    return d[["credit_code", "year", "grade", "score", "electricity_kwh"]]


def anchor_history(yearly: list[pd.DataFrame]) -> pd.DataFrame:
    """Consecutive years in D and the yearly surcharge (万元)."""
    h = pd.concat(yearly).sort_values(["credit_code", "year"]).reset_index(drop=True)
    follows = (h["credit_code"] == h["credit_code"].shift()) & (h["year"].diff() == 1)
    d = h["grade"] == "D"
    run = (~(d & d.shift(fill_value=False) & follows)).cumsum()
    h["years_in_d"] = np.where(d, d.groupby(run).cumsum(), 0)
    h.loc[h["grade"].isna(), "years_in_d"] = np.nan
    price = np.select([h["years_in_d"] >= y for y, _ in SURCHARGE], [v for _, v in SURCHARGE], 0.0)
    h["surcharge_wan"] = np.where(h["grade"].notna(), price, np.nan) * h["electricity_kwh"] / 1e4
    return h.set_index(["credit_code", "year"])


def anchor(firms: pd.DataFrame, parcels: pd.DataFrame, tenancies: pd.DataFrame) -> tuple:
    times, yearly = {}, []
    for year in YEARS:
        t = time.perf_counter()
        yearly.append(anchor_year(firms, anchor_land(parcels, tenancies, year), year))
        times[year] = time.perf_counter() - t
    t = time.perf_counter()
    history = anchor_history(yearly)
    times["history"] = time.perf_counter() - t
    return history, times


# --- landuse -----------------------------------------------------------------------------------


def run_landuse(firms, parcels, tenancies, policy) -> tuple:
    times, results = {}, {}
    for year in YEARS:
        t = time.perf_counter()
        results[year] = evaluate_enterprises(
            firms, parcels=parcels, tenancies=tenancies, year=year, policy=policy
        )
        times[year] = time.perf_counter() - t
    t = time.perf_counter()
    history = enterprise_history(results, policy=policy)
    times["history"] = time.perf_counter() - t
    return history, results, times


def check_constants(policy: landuse.Policy) -> None:
    m = policy.mujun
    assert dict(m.weights_above_scale) == WEIGHTS_ABOVE
    assert dict(m.weights_below_scale) == WEIGHTS_BELOW
    assert set(m.missing_rule_indicators) == AVERAGE_IF_MISSING
    assert m.missing_indicator_rule == "average"
    assert m.benchmark_statistic == "mean"
    assert [c.rank_share_max for c in m.class_cuts] == CUTS
    assert list(m.exempt_divisions_2017) == EXEMPT
    assert m.exempt_military
    assert m.below_scale_land_mu_min == BELOW_SCALE_MU_MIN
    assert m.rented_land_rule == "apportion_by_floor_area"
    rows = sorted((r.years_in_grade_min, r.yuan_per_kwh) for r in m.electricity_surcharge)
    assert rows == sorted(SURCHARGE)


def agreement(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    both = ours[["grade", "years_in_d", "surcharge_wan"]].join(
        theirs[["grade", "years_in_d", "surcharge_wan"]], how="outer", rsuffix="_anchor"
    )
    g = both["grade"].astype(object).where(both["grade"].notna(), "—")
    ga = both["grade_anchor"].astype(object).where(both["grade_anchor"].notna(), "—")
    same = g == ga
    graded = (g != "—") | (ga != "—")
    yd = both["years_in_d"].astype(float).fillna(-1) == both["years_in_d_anchor"].fillna(-1)
    s, sa = both["surcharge_wan"].astype(float), both["surcharge_wan_anchor"]
    sur = np.isclose(s.fillna(-1), sa.fillna(-1), rtol=1e-9)
    print(
        f"agreement on {len(both):,} enterprise-years: same grade (or both ungraded) "
        f"{same.mean():.4%}; among the {int(graded.sum()):,} graded by either "
        f"{same[graded].mean():.4%}; same consecutive years in D {yd.mean():.4%}; "
        f"same surcharge {sur.mean():.4%}"
    )
    if not same.all():
        print("grade differences (landuse → anchor):")
        print(pd.crosstab(g[~same], ga[~same]).to_markdown())
        print(both[~same].head(10).to_markdown())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--parcels", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="cProfile the landuse run")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    policy = landuse.load_policy(POLICY)
    check_constants(policy)

    t = time.perf_counter()
    firms, parcels, tenancies = make_data(args.enterprises, args.parcels, args.seed)
    data_s = time.perf_counter() - t
    validate_credit_code(firms["credit_code"])  # raises if the generator made a bad code
    validate_credit_code(parcels["owner_code"].dropna())
    n_below = int((~firms.drop_duplicates("credit_code")["above_scale"]).sum())
    print(
        f"data: {firms['credit_code'].nunique():,} enterprises ({n_below:,} 规下), "
        f"{len(firms):,} enterprise-years, {len(parcels):,} parcels, {len(tenancies):,} "
        f"tenancies (made in {data_s:.1f} s); {os.cpu_count()} cores, other work may be "
        "running on the machine"
    )

    profiler = cProfile.Profile() if args.profile else None
    with PeakRSS() as mem:
        if profiler:
            profiler.enable()
        history, results, ours = run_landuse(firms, parcels, tenancies, policy)
        if profiler:
            profiler.disable()
    theirs_h, theirs = anchor(firms, parcels, tenancies)
    for year, r in results.items():
        u = r.attrs["unmatched"]
        print(
            f"{year}: {r.attrs['in_scope']:,} in scope, {r.attrs['graded']:,} graded; unmatched "
            + ", ".join(f"{k} {v['count']:,}" for k, v in u.items() if v)
        )

    print()
    print("| step | landuse (s) | pandas anchor (s) | anchor / landuse |")
    print("|---|---:|---:|---:|")
    for key in (*YEARS, "history"):
        name = f"evaluate {key}" if key != "history" else "history (consecutive D, surcharge)"
        print(f"| {name} | {ours[key]:.2f} | {theirs[key]:.2f} | {theirs[key] / ours[key]:.2f} |")
    total, total_a = sum(ours.values()), sum(theirs.values())
    print(f"| **total** | {total:.2f} | {total_a:.2f} | {total_a / total:.2f} |")
    print()
    print(f"ratio anchor / landuse: {total_a / total:.2f}x")
    print(f"peak RSS during the landuse run: {gb(mem.peak)} (before: {gb(mem.start)})")
    agreement(history, theirs_h)
    if profiler:
        print()
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(25)
        stats.sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
