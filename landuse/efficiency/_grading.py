"""亩均论英雄 enterprise grading: indicators, benchmarks, weighted score, rank, A/B/C/D.

Private: see :func:`landuse.efficiency.grade_enterprises`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse.efficiency import _common as c
from landuse.errors import PolicyError, SchemaError
from landuse.policy import Policy

__all__: list[str] = []

#: indicator key → (Chinese name, English name, unit, numerator column, denominator column or
#: ``"mu"`` for the land area in 亩, factor applied to the quotient).
INDICATORS: dict[str, tuple[str, str, str, str, str, float]] = {
    "tax_per_mu": ("亩均税收", "tax per mu", "万元/亩", "tax_wan", "mu", 1.0),
    "value_added_per_mu": (
        "亩均增加值",
        "value added per mu",
        "万元/亩",
        "value_added_wan",
        "mu",
        1.0,
    ),
    "revenue_per_mu": ("亩均营业收入", "revenue per mu", "万元/亩", "revenue_wan", "mu", 1.0),
    "value_added_per_energy": (
        "单位能耗增加值",
        "value added per energy",
        "万元/tce",
        "value_added_wan",
        "energy_tce",
        1.0,
    ),
    "value_added_per_emission": (
        "单位排放增加值",
        "value added per emission",
        "万元/t",
        "value_added_wan",
        "emissions_t",
        1.0,
    ),
    "labour_productivity": (
        "全员劳动生产率",
        "labour productivity",
        "万元/人",
        "value_added_wan",
        "employees",
        1.0,
    ),
    "rd_share": (
        "研发经费投入强度",
        "R&D share of revenue",
        "share",
        "rd_spend_wan",
        "revenue_wan",
        1.0,
    ),
    "tax_per_electricity": (
        "单位电耗税收",
        "tax per electricity",
        "元/kWh",
        "tax_wan",
        "electricity_kwh",
        1e4,
    ),
}
VARIANTS = ("above_scale", "below_scale")


def _weights(policy: Policy, variant: str) -> dict[str, float]:
    key = f"mujun.weights_{variant}"
    weights = getattr(policy.mujun, f"weights_{variant}")
    if not weights:
        msg = (
            f"grade_enterprises(): policy {policy.name!r} has no `{key}`; set the indicator "
            "weights with policy.replace({...}) or in your own TOML profile."
        )
        raise PolicyError(msg)
    unknown = [k for k in weights if k not in INDICATORS]
    if unknown:
        msg = (
            f"grade_enterprises(): `{key}` names indicator(s) landuse cannot compute: "
            f"{', '.join(unknown)}; known indicators: {', '.join(INDICATORS)}."
        )
        raise PolicyError(msg)
    return {k: float(v) for k, v in weights.items()}


def indicator_values(
    parcels: gpd.GeoDataFrame, land_m2: np.ndarray, keys: Sequence[str], *, caller: str
) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    """Compute the indicators ``keys`` per parcel (NaN: an input missing or a denominator ≤ 0)."""
    values: dict[str, np.ndarray] = {}
    absent: dict[str, list[str]] = {}
    mu = land_m2 / (10000.0 / 15.0)
    for key in keys:
        _, _, _, num_col, den_col, factor = INDICATORS[key]
        num = c.number(parcels, num_col, caller=caller)
        den = mu if den_col == "mu" else c.number(parcels, den_col, caller=caller)
        missing = [f"column `{col}`" for col, v in ((num_col, num), (den_col, den)) if v is None]
        if missing:
            absent[key] = missing
            values[key] = np.full(len(parcels), np.nan)
            continue
        q = c.ratio(num, den)
        assert q is not None
        values[key] = q * factor
    return values, absent


def grade(
    parcels: gpd.GeoDataFrame,
    *,
    policy: Policy,
    benchmarks: Mapping[str, float] | None,
    by: str | None,
    variant: str,
    land_uses: Sequence[str] | None,
) -> pd.DataFrame:
    """Grade the firms: the body of :func:`landuse.efficiency.grade_enterprises`."""
    caller = "grade_enterprises"
    c.check_frame(parcels, name="parcels", caller=caller)
    if variant not in VARIANTS:
        msg = f"`variant` passed to {caller}() must be one of {', '.join(VARIANTS)}; received {variant!r}."
        raise ValueError(msg)
    if by is not None and by not in parcels.columns:
        msg = (
            f"`by` passed to {caller}() names column {by!r}, which `parcels` does not have; "
            f"columns: {', '.join(map(str, parcels.columns))}."
        )
        raise SchemaError(msg)
    rules = policy.mujun
    method = rules.score_method or "ratio_to_benchmark"
    statistic = rules.benchmark_statistic or "mean"
    missing_rule = rules.missing_indicator_rule or "average"
    cuts = sorted(rules.class_cuts or (), key=lambda cut: cut.rank_share_max)
    if not cuts:
        msg = f"{caller}(): policy {policy.name!r} has no `mujun.class_cuts`; set the grade cuts."
        raise PolicyError(msg)
    weights = {v: _weights(policy, v) for v in VARIANTS if getattr(rules, f"weights_{v}")}
    if variant not in weights:
        _weights(policy, variant)  # raises with the message
    if benchmarks is not None:
        unknown = [k for k in benchmarks if k not in INDICATORS]
        if unknown:
            msg = (
                f"`benchmarks` passed to {caller}() names unknown indicator(s) "
                f"{', '.join(unknown)}; known: {', '.join(INDICATORS)}."
            )
            raise ValueError(msg)

    n = len(parcels)
    land = c.land_area(parcels, caller=caller)
    keys = list(dict.fromkeys(k for v in weights for k in weights[v]))
    values, absent = indicator_values(parcels, land, keys, caller=caller)
    scope = c.in_scope(parcels, land_uses) & np.isfinite(land)
    status = c.text(parcels, "production_status")
    if status is not None:
        scope &= np.isin(status, c.OPERATING)
    row_variant = np.full(n, variant, dtype=object)
    if "above_scale" in parcels.columns:
        flag = parcels["above_scale"].astype("boolean").to_numpy(dtype=object, na_value=None)
        row_variant = np.where(flag == True, "above_scale", row_variant)  # noqa: E712
        row_variant = np.where(flag == False, "below_scale", row_variant)  # noqa: E712
    for v in set(row_variant[scope]):
        if v not in weights:
            _weights(policy, str(v))
    any_value = np.zeros(n, dtype=bool)
    for v, w in weights.items():
        rows = row_variant == v
        for k in w:
            any_value |= rows & ~np.isnan(values[k])
    graded = scope & any_value
    group = np.full(n, "", dtype=object)
    if by is not None:
        group = parcels[by].astype(object).to_numpy(copy=True)
        group[pd.isna(group)] = "—"
        group = group.astype(str).astype(object)

    out = pd.DataFrame(index=parcels.index)
    contributions = {k: np.full(n, np.nan) for k in keys}
    bench_report: dict[str, dict[str, float]] = {}
    not_evaluated: dict[str, list[str]] = {}
    frame = pd.DataFrame({"group": group, "variant": row_variant, "graded": graded})
    for (g, v), rows_frame in frame[graded].groupby(["group", "variant"], sort=True):
        rows = rows_frame.index.to_numpy()
        label = f"{g}/{v}" if by is not None else str(v)
        bench_report[label] = {}
        for k, weight in weights[str(v)].items():
            x = values[k][rows]
            have = ~np.isnan(x)
            if k in absent or not have.any():
                not_evaluated.setdefault(k, absent.get(k, ["no firm has a value"]))
                continue
            if method == "min_max":
                lo, hi = float(x[have].min()), float(x[have].max())
                span = (x - lo) / (hi - lo) if hi > lo else np.where(have, 1.0, np.nan)
                item = weight * (20.0 + 80.0 * span) / 100.0
                bench_report[label][k] = hi
            else:
                given = None if benchmarks is None else benchmarks.get(k)
                if given is not None:
                    b = float(given)
                elif statistic == "median":
                    b = float(np.median(x[have]))
                elif statistic == "max":
                    b = float(x[have].max())
                else:
                    b = float(x[have].mean())
                bench_report[label][k] = b
                if not b > 0:
                    not_evaluated.setdefault(k, [f"benchmark {b!r} is not positive"])
                    continue
                item = x / b * weight
            fill = float(np.mean(item[have])) if missing_rule == "average" else 0.0
            contributions[k][rows] = np.where(have, item, fill)
    score = np.full(n, np.nan)
    stacked = np.vstack([contributions[k] for k in keys]) if keys else np.zeros((0, n))
    if keys:
        score = np.where(graded, np.nansum(stacked, axis=0), np.nan)
    ranks = pd.Series(score).groupby([group, row_variant]).rank(method="min", ascending=False)
    sizes = pd.Series(graded.astype(int)).groupby([group, row_variant]).transform("sum")
    rank = ranks.to_numpy()
    share = np.where(graded, rank / sizes.to_numpy(), np.nan)
    grades = np.full(n, None, dtype=object)
    labels = np.full(n, None, dtype=object)
    assigned = ~graded
    for cut in cuts:
        hit = ~assigned & (share <= cut.rank_share_max + 1e-12)
        grades[hit] = cut.grade
        labels[hit] = cut.label
        assigned |= hit
    grades[~assigned] = cuts[-1].grade
    labels[~assigned] = cuts[-1].label
    none = np.array(None, dtype=object)
    out["variant"] = pd.array(np.where(graded, row_variant, none), dtype="str")
    out["score"] = score
    out["rank"] = pd.array(np.where(graded, rank, np.nan), dtype="Int64")
    out["rank_share"] = share
    out["grade"] = pd.array(np.where(graded, grades, none), dtype="str")
    out["grade_label"] = pd.array(np.where(graded, labels, none), dtype="str")
    for k in keys:
        out[f"indicator_{k}"] = np.where(graded, values[k], np.nan)
    for k in keys:
        out[f"contribution_{k}"] = contributions[k]
    attrs: dict[str, Any] = {
        "policy": policy.name,
        "method": method,
        "benchmark_statistic": "given" if benchmarks else statistic,
        "missing_indicator_rule": missing_rule,
        "benchmarks": bench_report,
        "weights": weights,
        "graded": int(graded.sum()),
        "not_graded": int((~graded).sum()),
        "not_evaluated": not_evaluated,
    }
    out.attrs = attrs
    return out
