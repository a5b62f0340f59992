"""亩均论英雄 enterprise grading: indicators, benchmarks, weighted score, rank, A/B/C/D.

Private: see :func:`landuse.efficiency.grade_enterprises`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from landuse.efficiency import _common as c
from landuse.efficiency._reasons import Outcome
from landuse.efficiency._rules import Inputs
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
    "revenue_per_energy": (
        "单位能耗销售收入",
        "revenue per energy",
        "万元/tce",
        "revenue_wan",
        "energy_tce",
        1.0,
    ),
    "revenue_per_emission": (
        "单位污染物排放销售收入",
        "revenue per emission",
        "万元/t",
        "revenue_wan",
        "emissions_t",
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


def _weights(policy: Policy, variant: str, *, caller: str) -> dict[str, float]:
    key = f"mujun.weights_{variant}"
    weights = getattr(policy.mujun, f"weights_{variant}")
    if not weights:
        msg = (
            f"{caller}(): policy {policy.name!r} has no `{key}`; set the indicator "
            "weights with policy.replace({...}) or in your own TOML profile."
        )
        raise PolicyError(msg)
    unknown = [k for k in weights if k not in INDICATORS]
    if unknown:
        msg = (
            f"{caller}(): `{key}` names indicator(s) landuse cannot compute: "
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
    land: np.ndarray,
    benchmarks: Mapping[str, float] | None,
    by: str | None,
    variant: str,
    land_uses: Sequence[str] | None,
    caller: str,
) -> pd.DataFrame:
    """Grade the firms: the body of :func:`landuse.efficiency.grade_enterprises`.

    ``parcels`` was checked by the caller; ``land`` is its land area in m².
    """
    weights, cuts = _check_args(parcels, policy, benchmarks, by, variant, caller=caller)
    method = _method(policy)
    n = len(parcels)
    keys = list(dict.fromkeys(k for v in weights for k in weights[v]))
    values, absent = indicator_values(parcels, land, keys, caller=caller)
    row_variant, graded, why = _graded_rows(
        parcels, policy, weights, values, land, variant, land_uses, method, caller=caller
    )
    group = np.full(n, "", dtype=object)
    if by is not None:
        group = parcels[by].astype(object).to_numpy(copy=True)
        group[pd.isna(group)] = "—"
        group = group.astype(str).astype(object)
    contributions, bench_report, not_evaluated = _score_items(
        method, weights, values, absent, benchmarks, group, row_variant, graded, by_given=by
    )
    score = np.full(n, np.nan)
    if keys:
        stacked = np.vstack([contributions[k] for k in keys])
        score = np.where(graded, np.nansum(stacked, axis=0), np.nan)
    out = _ranked(score, group, row_variant, graded, cuts, index=parcels.index)
    for k in keys:
        out[f"indicator_{k}"] = np.where(graded, values[k], np.nan)
    for k in keys:
        out[f"contribution_{k}"] = contributions[k]
    out["not_graded_reason"] = pd.array(why, dtype="str")
    counts = pd.Series(why[~pd.isna(why)]).value_counts(sort=False)
    out.attrs = {
        "policy": policy.name,
        "method": method.score,
        "benchmark_statistic": "given" if benchmarks else method.statistic,
        "missing_indicator_rule": method.missing_rule,
        "missing_rule_indicators": list(method.rule_keys),
        "minmax_points": (method.base, method.span) if method.score == "min_max" else None,
        "benchmarks": bench_report,
        "weights": weights,
        "graded": int(graded.sum()),
        "not_graded": int((~graded).sum()),
        "not_graded_reasons": {str(k): int(v) for k, v in counts.items()},
        "not_evaluated": not_evaluated,
    }
    return out


@dataclass(frozen=True)
class _Method:
    """The scoring method of the profile (``mujun.*``), every key it needs read once."""

    score: str
    statistic: str | None
    missing_rule: str | None
    rule_keys: tuple[str, ...]
    base: float
    span: float


def _method(policy: Policy) -> _Method:
    """Read the method keys; a method the profile leaves unset raises (one must be chosen).

    ``mujun.missing_rule_indicators`` unset (or empty) means no indicator gets the
    missing-indicator rule: a firm missing any indicator of its weights is not graded.
    """
    score = str(policy.require("mujun.score_method"))
    statistic = None
    base = span = float("nan")
    if score == "min_max":
        base = float(policy.require("mujun.minmax_base_points"))
        span = float(policy.require("mujun.minmax_span_points"))
    else:
        # the group statistic is the benchmark of indicators without a given one
        statistic = str(policy.require("mujun.benchmark_statistic"))
    rule_keys = tuple(policy.mujun.missing_rule_indicators or ())
    missing_rule = str(policy.require("mujun.missing_indicator_rule")) if rule_keys else None
    return _Method(score, statistic, missing_rule, rule_keys, base, span)


def _check_args(
    parcels: gpd.GeoDataFrame,
    policy: Policy,
    benchmarks: Mapping[str, float] | None,
    by: str | None,
    variant: str,
    *,
    caller: str,
) -> tuple[dict[str, dict[str, float]], list[Any]]:
    """Check the options; return the weights per variant and the class cuts (best first)."""
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
    cuts = sorted(rules.class_cuts or (), key=lambda cut: cut.rank_share_max)
    if not cuts:
        msg = f"{caller}(): policy {policy.name!r} has no `mujun.class_cuts`; set the grade cuts."
        raise PolicyError(msg)
    weights = {
        v: _weights(policy, v, caller=caller) for v in VARIANTS if getattr(rules, f"weights_{v}")
    }
    if variant not in weights:
        _weights(policy, variant, caller=caller)  # raises with the message
    if benchmarks is not None:
        unknown = [k for k in benchmarks if k not in INDICATORS]
        if unknown:
            msg = (
                f"`benchmarks` passed to {caller}() names unknown indicator(s) "
                f"{', '.join(unknown)}; known: {', '.join(INDICATORS)}."
            )
            raise ValueError(msg)
    return weights, cuts


def _graded_rows(
    parcels: gpd.GeoDataFrame,
    policy: Policy,
    weights: dict[str, dict[str, float]],
    values: dict[str, np.ndarray],
    land: np.ndarray,
    variant: str,
    land_uses: Sequence[str] | None,
    method: _Method,
    *,
    caller: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each firm's variant (规上 / 规下), whether it is graded, and why not (None if graded).

    Graded: in scope, operating, with a land area, at least one indicator value, and every
    indicator of its weights known except those the missing-indicator rule covers
    (``mujun.missing_rule_indicators``).
    """
    n = len(parcels)
    why = np.full(n, None, dtype=object)
    in_use = c.in_scope(parcels, land_uses)
    scope = in_use & np.isfinite(land)
    why[in_use & ~np.isfinite(land)] = "不定等级：用地面积未知 (land area unknown)"
    status = c.text(parcels, "production_status")
    if status is not None:
        idle = scope & ~np.isin(status, c.OPERATING)
        why[idle] = "不定等级：未投产经营 (not operating: production_status)"
        scope &= ~idle
    row_variant = np.full(n, variant, dtype=object)
    if "above_scale" in parcels.columns:
        flag = parcels["above_scale"].astype("boolean").to_numpy(dtype=object, na_value=None)
        row_variant = np.where(flag == True, "above_scale", row_variant)  # noqa: E712
        row_variant = np.where(flag == False, "below_scale", row_variant)  # noqa: E712
    for v in set(row_variant[scope]):
        if v not in weights:
            _weights(policy, str(v), caller=caller)
    any_value = np.zeros(n, dtype=bool)
    lacking = np.full(n, None, dtype=object)
    for v, w in weights.items():
        rows = row_variant == v
        for k in w:
            known = ~np.isnan(values[k])
            any_value |= rows & known
            if k in method.rule_keys:
                continue
            miss = scope & rows & ~known
            name = f"{INDICATORS[k][0]} `{k}`"
            lacking[miss] = np.where(
                pd.isna(lacking[miss]), name, lacking[miss].astype(str) + "、" + name
            )
    none = scope & ~any_value
    why[none] = "不定等级：无评价指标 (no indicator value)"
    short = scope & any_value & ~pd.isna(lacking)
    why[short] = "不定等级：缺少指标 " + lacking[short].astype(str) + " (missing indicator)"
    return row_variant, scope & any_value & pd.isna(lacking), why


def _score_items(
    method: _Method,
    weights: dict[str, dict[str, float]],
    values: dict[str, np.ndarray],
    absent: dict[str, list[str]],
    benchmarks: Mapping[str, float] | None,
    group: np.ndarray,
    row_variant: np.ndarray,
    graded: np.ndarray,
    *,
    by_given: str | None,
) -> tuple[dict[str, np.ndarray], dict[str, dict[str, float]], dict[str, list[str]]]:
    """Each firm's points per indicator, per (group, variant); the benchmarks used.

    A graded firm lacks only indicators of ``method.rule_keys``: it gets the group's average
    points for them (``"average"``) or 0 (``"zero"``).
    """
    n = len(graded)
    keys = list(dict.fromkeys(k for v in weights for k in weights[v]))
    contributions = {k: np.full(n, np.nan) for k in keys}
    bench_report: dict[str, dict[str, float]] = {}
    not_evaluated: dict[str, list[str]] = {}
    frame = pd.DataFrame({"group": group, "variant": row_variant, "graded": graded})
    for (g, v), rows_frame in frame[graded].groupby(["group", "variant"], sort=True):
        rows = rows_frame.index.to_numpy()
        label = f"{g}/{v}" if by_given is not None else str(v)
        bench_report[label] = {}
        for k, weight in weights[str(v)].items():
            x = values[k][rows]
            have = ~np.isnan(x)
            if k in absent or not have.any():
                not_evaluated.setdefault(k, absent.get(k, ["no firm has a value"]))
                continue
            if method.score == "min_max":
                # w × (base + span × (x − min)/(max − min)) / 100; max = min: full points
                lo, hi = float(x[have].min()), float(x[have].max())
                frac = (x - lo) / (hi - lo) if hi > lo else np.where(have, 1.0, np.nan)
                item = weight * (method.base + method.span * frac) / 100.0
                bench_report[label][k] = hi
            else:
                assert method.statistic is not None
                b = _benchmark(x[have], k, benchmarks, method.statistic)
                bench_report[label][k] = b
                if not b > 0:
                    not_evaluated.setdefault(k, [f"benchmark {b!r} is not positive"])
                    continue
                item = x / b * weight
            fill = float(np.mean(item[have])) if method.missing_rule == "average" else 0.0
            contributions[k][rows] = np.where(have, item, fill)
    return contributions, bench_report, not_evaluated


def _benchmark(
    x: np.ndarray, key: str, benchmarks: Mapping[str, float] | None, statistic: str
) -> float:
    """The benchmark of one indicator: given, else the group's statistic of ``x``."""
    given = None if benchmarks is None else benchmarks.get(key)
    if given is not None:
        return float(given)
    if statistic == "median":
        return float(np.median(x))
    if statistic == "max":
        return float(x.max())
    return float(x.mean())


def _ranked(
    score: np.ndarray,
    group: np.ndarray,
    row_variant: np.ndarray,
    graded: np.ndarray,
    cuts: Sequence[Any],
    *,
    index: pd.Index,
) -> pd.DataFrame:
    """Rank within (group, variant) and grade by rank share with the class cuts."""
    n = len(score)
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
    out = pd.DataFrame(index=index)
    out["variant"] = pd.array(np.where(graded, row_variant, none), dtype="str")
    out["score"] = score
    out["rank"] = pd.array(np.where(graded, rank, np.nan), dtype="Int64")
    out["rank_share"] = share
    out["grade"] = pd.array(np.where(graded, grades, none), dtype="str")
    out["grade_label"] = pd.array(np.where(graded, labels, none), dtype="str")
    return out


def grade_outcomes(
    inp: Inputs,
    graded: pd.DataFrame,
    far: np.ndarray,
    base_target: np.ndarray,
) -> list[Outcome]:
    """The bank's reasons ``grade_d`` and ``grade_c_low_far`` from a grading of ``inp``."""
    grade_ = graded["grade"].astype(object).to_numpy()
    grade_ = np.where(pd.isna(grade_), None, grade_)
    cuts = sorted(inp.policy.mujun.class_cuts or (), key=lambda cut: cut.rank_share_max)
    last = cuts[-1].grade if cuts else None
    before_last = cuts[-2].grade if len(cuts) > 1 else None
    score = graded["score"].to_numpy(dtype=float)
    rank = graded["rank"].to_numpy(dtype=float, na_value=np.nan)
    share = graded["rank_share"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        size = np.rint(rank / share)
    is_graded = ~pd.isna(grade_)
    missing = [] if graded.attrs.get("graded", 0) else ["no firm could be graded"]

    d_flag = is_graded & (grade_ == last)
    c_flag = is_graded & (grade_ == before_last) & (far < base_target)

    def d_text(pos: np.ndarray, lang: str) -> pa.Array:
        s, r, n = c.fmt(score[pos], 1), c.fmt(rank[pos], 0), c.fmt(size[pos], 0)
        if lang == "zh":
            return c.concat("亩均评价 D 类：综合得分 ", s, "，第 ", r, "/", n, " 名")
        return c.concat("亩均 grade D: score ", s, ", rank ", r, " of ", n)

    def c_text(pos: np.ndarray, lang: str) -> pa.Array:
        f, t = c.fmt(far[pos], 2), c.fmt(base_target[pos], 2)
        if lang == "zh":
            return c.concat("亩均评价 C 类且容积率偏低：容积率 ", f, " < 集聚区目标 ", t)
        return c.concat("亩均 grade C with a low FAR: FAR ", f, " < zone target ", t)

    checked = np.asarray(is_graded, dtype=bool)
    return [
        Outcome("grade_d", d_flag, checked, list(missing), d_text),
        Outcome("grade_c_low_far", c_flag & ~np.isnan(base_target), checked, list(missing), c_text),
    ]
