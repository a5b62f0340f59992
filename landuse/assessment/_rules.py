"""Rules behind :func:`landuse.assessment.assess_zones`.

Indicators, benchmarks, creation conditions, elimination warnings and reward allocation.

Private: use :mod:`landuse.assessment`. Everything here works on whole columns (no loop per zone),
reads its thresholds from the policy profile, and writes its explanations in Chinese (default) or
English.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from landuse._checks import Lang
from landuse.errors import PolicyError
from landuse.policy import Policy
from landuse.units import M2_PER_MU, YUAN_PER_WAN

__all__ = [
    "ALT_AREA_COLUMNS",
    "INDICATORS",
    "Alternative",
    "Indicator",
    "allocate_rewards",
    "alternative_condition",
    "applied",
    "creation_conditions",
    "fill",
    "join_texts",
    "resolve_benchmarks",
    "text",
    "to_boolean",
    "weights",
]

Statistic = Literal["best", "mean", "median"]
_STATISTICS: tuple[str, ...] = ("best", "mean", "median")
#: Relative tolerance of threshold comparisons (20.0 万元/亩 computed as 19.999999999 still passes).
_RTOL = 1e-9


@dataclass(frozen=True)
class Indicator:
    """One of the seven assessment indicators.

    Attributes
    ----------
    key
        Key in the policy profile (``assessment.stock_weights`` …).
    column
        Output column, unit in the suffix.
    unit
        Unit of the value (and of its increment).
    label_zh, label_en
        Names shown in tables and charts (the plan's Chinese names).
    numerator, denominator
        ``zone_stats`` columns: the value is ``numerator`` (÷ ``denominator`` when set; a
        denominator ≤ 0 or missing gives no value).
    """

    key: str
    column: str
    unit: str
    label_zh: str
    label_en: str
    numerator: str
    denominator: str | None = None

    @property
    def inputs(self) -> tuple[str, ...]:
        """The ``zone_stats`` columns the indicator needs."""
        return (self.numerator,) if self.denominator is None else (self.numerator, self.denominator)

    def label(self, lang: Lang) -> str:
        """Name in ``lang``."""
        return self.label_zh if lang == "zh" else self.label_en


#: The seven indicators, in the plan's order.
INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "revenue", "revenue_wan", "万元", "主营业务收入", "Main business revenue", "revenue_wan"
    ),
    Indicator("tax", "tax_wan", "万元", "实缴税金", "Tax paid", "tax_wan"),
    Indicator(
        "new_registered_firms",
        "new_registered_firms",
        "家",
        "新增纳统企业数",
        "New firms entering statistics",
        "new_registered_firms",
    ),
    Indicator(
        "investment_projects",
        "investment_projects",
        "个",
        "年度招商引资数",
        "Investment projects attracted",
        "investment_projects",
    ),
    Indicator(
        "leading_industry_share",
        "leading_industry_share",
        "share (0–1)",
        "主导产业集聚度",
        "Leading-industry share",
        "leading_industry_revenue_wan",
        "revenue_wan",
    ),
    Indicator(
        "new_project_investment_intensity",
        "new_project_investment_wan_per_mu",
        "万元/亩",
        "新建项目投资强度",
        "New-project investment intensity",
        "new_project_investment_wan",
        "new_project_land_mu",
    ),
    Indicator(
        "output_per_land",
        "output_wan_per_mu",
        "万元/亩",
        "单位面积产出效益",
        "Output per unit land",
        "revenue_wan",
        "land_area_mu",
    ),
)
_BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}

_TEXTS: dict[str, tuple[str, str]] = {
    "no_current": ("无{year}年统计数据, 未考核", "no {year} statistics: not assessed"),
    "no_previous": (
        "无{year}年统计数据, 增量无法计算",
        "no {year} statistics: increment not computable",
    ),
    "value_missing": (
        "{label}无法计算({year}年数据缺失或分母为0)",
        "{label} not computable ({year} value missing or zero denominator)",
    ),
    "increment_missing": (
        "{label}增量无法计算({year}年数据缺失或分母为0)",
        "{label} increment not computable ({year} value missing or zero denominator)",
    ),
    "stock_only": ("总分仅含存量得分", "total is the stock score only"),
    "unranked": ("未排名", "not ranked"),
    "share_low": ("主导产业集聚度 {value} < {limit}", "leading-industry share {value} < {limit}"),
    "intensity_low": (
        "新建项目投资强度 {value} < {limit} 万元/亩",
        "new-project investment {value} < {limit} 万元/亩",
    ),
    "tax_low": (
        "亩均税收 {value} < {limit} 万元/亩",
        "tax {value} < {limit} 万元/亩",
    ),
    "tax_alt_low": (
        "且未达替代条件(按{basis}: 营收 {revenue} 元/m², 税收 {tax} 元/m²; 需 ≥ {rev_min} 且 ≥ {tax_min})",
        "and not the alternative (per m² of {basis}: revenue {revenue} 元/m², tax {tax} 元/m²; needs ≥ {rev_min} and ≥ {tax_min})",
    ),
    "tax_alt_not_evaluated": (
        "(替代条件未评价: {why})",
        "(alternative not evaluated: {why})",
    ),
    "basis_land": ("用地面积", "land"),
    "basis_floor": ("建筑面积", "floor area"),
    "not_evaluated": ("{label}未评价(缺 {columns})", "{label} not evaluated (missing {columns})"),
    "cond_share": ("主导产业集聚度", "leading-industry share"),
    "cond_intensity": ("新建项目投资强度", "new-project investment intensity"),
    "cond_tax": ("亩均税收", "tax per 亩"),
    "bottom": (
        "排名末{count}位 (第{rank}/{n}名)",
        "in the last {count} place(s) (rank {rank} of {n})",
    ),
    "failed_years": (
        "连续{years}年未达创建条件 ({first}–{last})",
        "creation conditions failed {years} years running ({first}–{last})",
    ),
    "failed_year": ("{last}年未达创建条件", "creation conditions failed in {last}"),
    "parcels_missing": (
        "{column}缺失: {missing}/{count}宗地",
        "{column} missing on {missing} of {count} parcels",
    ),
    "basis_best": ("最优 ({zone})", "best ({zone})"),
    "basis_mean": ("{n}个集聚区均值", "mean of {n}"),
    "basis_median": ("{n}个集聚区中位数", "median of {n}"),
    "basis_target": ("目标值(政策配置)", "target (policy)"),
    "basis_given": ("指定值", "given"),
    "basis_weight0": ("权重为0", "weight 0"),
    "basis_none": ("无数据", "no data"),
}


def text(key: str, lang: Lang, **values: Any) -> str:
    """Format a message in ``lang``."""
    zh, en = _TEXTS[key]
    return (zh if lang == "zh" else en).format(**values)


def join_texts(n: int, parts: list[tuple[np.ndarray, Any]]) -> np.ndarray:
    """Join texts per row with "; ": each part is (row mask, one text or one text per masked row).

    Returns an object array; rows without text hold ``None``.
    """
    out = np.full(n, "", dtype=object)
    for mask, values in parts:
        rows = np.asarray(mask, dtype=bool)
        if not rows.any():
            continue
        added = np.asarray(values, dtype=object)
        current = out[rows]
        out[rows] = np.where(current == "", added, current + "; " + added)
    out[out == ""] = None
    return out


def _num(values: np.ndarray, spec: str) -> np.ndarray:
    """Format numbers as text (``"%.1f"``), vectorised; missing → ``"?"``."""
    values = np.asarray(values, dtype="float64")
    return np.where(np.isnan(values), "?", np.char.mod(spec, values))


def fill(key: str, lang: Lang, **values: Any) -> np.ndarray:
    """Format a message for many rows at once: ``values`` are scalars or arrays of text."""
    template = _TEXTS[key][0 if lang == "zh" else 1]
    out: Any = ""
    for literal, name, _, _ in string.Formatter().parse(template):
        out = np.char.add(out, literal)
        if name is not None:
            value = values[name]
            # astype: numpy 1.x turns np.char.mod of an empty array into float64; add refuses it
            text = value.astype(str) if isinstance(value, np.ndarray) else str(value)
            out = np.char.add(out, text)
    return np.asarray(out)


def _at_least(values: np.ndarray, limit: float) -> np.ndarray:
    """``values ≥ limit`` as 1.0 / 0.0, NaN where the value is missing (tiny tolerance)."""
    with np.errstate(invalid="ignore"):
        ok = (values >= limit - _RTOL * abs(limit)).astype("float64")
    return np.where(np.isnan(values), np.nan, ok)


def _and(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Three-valued AND of 1.0 / 0.0 / NaN: false wins, then unknown."""
    return np.where((a == 0) | (b == 0), 0.0, np.where(np.isnan(a) | np.isnan(b), np.nan, 1.0))


def _or(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Three-valued OR of 1.0 / 0.0 / NaN: true wins, then unknown."""
    return np.where((a == 1) | (b == 1), 1.0, np.where(np.isnan(a) | np.isnan(b), np.nan, 0.0))


def to_boolean(values: np.ndarray) -> pd.arrays.BooleanArray:
    """1.0 / 0.0 / NaN → nullable booleans."""
    return pd.arrays.BooleanArray(values == 1, np.isnan(values))


# --- weights and benchmarks ------------------------------------------------------------------


def weights(policy: Policy, part: Literal["stock", "increment"]) -> dict[str, float]:
    """Return the indicator weights of one part, normalised to sum 1 (unlisted weigh 0)."""
    key = f"assessment.{part}_weights"
    raw = dict(policy.require(key))
    unknown = sorted(set(raw) - set(_BY_KEY))
    if unknown:
        msg = (
            f"policy {policy.name!r}: `{key}` has unknown indicator(s) {', '.join(unknown)}; "
            f"indicators: {', '.join(_BY_KEY)}"
        )
        raise PolicyError(msg)
    total = sum(raw.values())
    if total <= 0:
        msg = f"policy {policy.name!r}: `{key}` must give at least one indicator a weight > 0"
        raise PolicyError(msg)
    return {i.key: raw.get(i.key, 0.0) / total for i in INDICATORS}


def _statistic(values: np.ndarray, how: str, zone_ids: np.ndarray, lang: Lang) -> tuple[float, str]:
    known = ~np.isnan(values)
    if not known.any():
        return float("nan"), text("basis_none", lang)
    if how == "best":
        best = int(np.nanargmax(values))
        return float(values[best]), text("basis_best", lang, zone=zone_ids[best])
    if how == "mean":
        return float(values[known].mean()), text("basis_mean", lang, n=int(known.sum()))
    return float(np.median(values[known])), text("basis_median", lang, n=int(known.sum()))


def resolve_benchmarks(
    benchmark: str | Mapping[str, Any] | None,
    *,
    policy: Policy,
    values: Mapping[str, np.ndarray],
    increments: Mapping[str, np.ndarray],
    zone_ids: np.ndarray,
    stock_w: Mapping[str, float],
    increment_w: Mapping[str, float],
    lang: Lang,
) -> dict[str, dict[str, tuple[float, str]]]:
    """Benchmark (value, basis) per part and indicator key.

    ``values`` / ``increments``: indicator column → values of the zones (NaN: not taken into
    account), ``zone_ids`` in the same order; ``benchmark``: a
    statistic name, ``"target"`` (policy targets) or ``{"stock": {key: number | statistic},
    "increment": {...}}``; ``None`` uses ``assessment.benchmark_method``.
    """
    caller = "assess_zones"
    if benchmark is None:
        benchmark = policy.require("assessment.benchmark_method")
    spec: dict[str, Mapping[str, Any]]
    if isinstance(benchmark, str):
        if benchmark == "target":
            spec = {
                "stock": policy.require("assessment.stock_targets"),
                "increment": policy.require("assessment.increment_targets"),
            }
        elif benchmark in _STATISTICS:
            spec = {part: dict.fromkeys(_BY_KEY, benchmark) for part in ("stock", "increment")}
        else:
            msg = (
                f"{caller}: `benchmark` must be one of best, mean, median, target, or a mapping "
                f'{{"stock": {{indicator: value}}, "increment": {{...}}}}; got {benchmark!r}'
            )
            raise ValueError(msg)
    elif isinstance(benchmark, Mapping):
        bad_parts = sorted(set(map(str, benchmark)) - {"stock", "increment"})
        if bad_parts:
            msg = (
                f"{caller}: `benchmark` mapping keys must be 'stock' and 'increment'; got "
                f"{', '.join(map(repr, bad_parts))}"
            )
            raise ValueError(msg)
        spec = {part: dict(benchmark.get(part) or {}) for part in ("stock", "increment")}
    else:
        msg = f"{caller}: `benchmark` must be a string or a mapping, got {type(benchmark).__name__}"
        raise TypeError(msg)

    out: dict[str, dict[str, tuple[float, str]]] = {"stock": {}, "increment": {}}
    problems: list[str] = []
    for part, frame, w in (("stock", values, stock_w), ("increment", increments, increment_w)):
        given = spec[part]
        unknown = sorted(set(map(str, given)) - set(_BY_KEY))
        if unknown:
            problems.append(f"{part}: unknown indicator(s) {', '.join(unknown)}")
        missing = [k for k, wk in w.items() if wk > 0 and k not in given]
        if missing:
            problems.append(f"{part}: no benchmark for {', '.join(missing)}")
        for ind in INDICATORS:
            if w[ind.key] == 0 or ind.key not in given:
                out[part][ind.key] = (float("nan"), text("basis_weight0", lang))
                continue
            raw = given[ind.key]
            if isinstance(raw, str):
                if raw not in _STATISTICS:
                    problems.append(
                        f"{part}.{ind.key}: {raw!r} is not a number nor one of best, mean, median"
                    )
                    continue
                out[part][ind.key] = _statistic(frame[ind.column], raw, zone_ids, lang)
            elif isinstance(raw, (int, float, np.number)) and not isinstance(raw, bool):
                basis = "basis_target" if benchmark == "target" else "basis_given"
                out[part][ind.key] = (float(raw), text(basis, lang))
            else:
                problems.append(f"{part}.{ind.key}: {raw!r} is not a number")
    if problems:
        msg = (
            f"{caller}: the benchmarks are incomplete or invalid: {'; '.join(problems)}. Give "
            "every indicator with a weight > 0 a number or 'best' / 'mean' / 'median' (set the "
            "weight to 0 in the profile to leave an indicator out)."
        )
        raise ValueError(msg)
    return out


# --- creation conditions ---------------------------------------------------------------------


#: The zone_stats column each ``zone_creation.alt_area_basis`` divides by, and its unit.
ALT_AREA_COLUMNS: Mapping[str, tuple[str, str]] = {
    "land": ("land_area_mu", "亩"),
    "floor": ("floor_area_m2", "m²"),
}


@dataclass(frozen=True)
class Alternative:
    """The alternative creation condition 2 (revenue and tax per m²) as evaluated.

    ``met``: 1.0 / 0.0 / NaN per row, ``None`` when the alternative is not evaluated;
    ``revenue`` / ``tax``: 元 per m² of the basis area; ``basis``: ``"land"`` or ``"floor"``;
    ``description``: the basis in words (the output states it); ``not_evaluated``: why the
    alternative is not evaluated (``None`` when it is).
    """

    met: np.ndarray | None
    revenue: np.ndarray | None
    tax: np.ndarray | None
    basis: str | None
    description: str
    not_evaluated: str | None


def applied(policy: Policy, key: str) -> Any:
    """Return a parameter's value when the profile sets it (recorded as applied), else ``None``.

    An unset key is not recorded: the rule it drives is reported as not evaluated instead.
    """
    param = policy.params.get(key)
    return None if param is None or param.value is None else policy.require(key)


def alternative_condition(stats: pd.DataFrame, policy: Policy) -> Alternative:
    """Evaluate revenue ≥ ``alt_revenue_yuan_per_m2_min`` and tax ≥ ``alt_tax_yuan_per_m2_min``.

    Per m² of the area ``zone_creation.alt_area_basis`` names: ``"land"`` → the zone's land,
    ``zone_stats`` ``land_area_mu`` × 666.67 m²/亩; ``"floor"`` → the zone's floor area,
    ``zone_stats`` ``floor_area_m2``. Unset basis or thresholds, or the basis column absent:
    not evaluated (condition 2 is then judged on tax per 亩 alone), with the reason.
    """
    basis = applied(policy, "zone_creation.alt_area_basis")
    if basis is None:
        why = 'set `zone_creation.alt_area_basis` ("land" or "floor")'
        return Alternative(None, None, None, None, f"not set: {why}", why)
    unset = [
        key
        for key in (
            "zone_creation.alt_revenue_yuan_per_m2_min",
            "zone_creation.alt_tax_yuan_per_m2_min",
        )
        if policy.params.get(key) is None or policy.params[key].value is None
    ]
    column, _unit = ALT_AREA_COLUMNS[basis]
    description = (
        f"{basis}: per m² of the zone's {'land' if basis == 'land' else 'floor area'} "
        f"(zone_stats `{column}`" + (" × 666.67 m²/亩)" if basis == "land" else ", m²)")
    )
    if unset:
        why = "set " + " and ".join(f"`{k}`" for k in unset)
        return Alternative(None, None, None, basis, description, why)
    rev_min = policy.require("zone_creation.alt_revenue_yuan_per_m2_min")
    tax_min = policy.require("zone_creation.alt_tax_yuan_per_m2_min")
    needed = [c for c in (column, "revenue_wan", "tax_wan") if c not in stats.columns]
    if needed:
        why = "zone_stats lacks " + ", ".join(f"`{c}`" for c in needed)
        return Alternative(None, None, None, basis, description, why)
    area = stats[column].to_numpy(dtype="float64")
    area_m2 = area * M2_PER_MU if basis == "land" else area
    with np.errstate(divide="ignore", invalid="ignore"):
        revenue = np.where(area_m2 > 0, stats["revenue_wan"].to_numpy(dtype="float64")
                           * YUAN_PER_WAN / area_m2, np.nan)  # fmt: skip
        tax = np.where(area_m2 > 0, stats["tax_wan"].to_numpy(dtype="float64")
                       * YUAN_PER_WAN / area_m2, np.nan)  # fmt: skip
    met = _and(_at_least(revenue, rev_min), _at_least(tax, tax_min))
    return Alternative(met, revenue, tax, basis, description, None)


def creation_conditions(
    stats: pd.DataFrame, *, policy: Policy, lang: Lang, explain: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, Alternative]:
    """Check the plan's three creation conditions on every row of validated ``zone_stats``.

    Returns ``meets`` (1.0 met, 0.0 failed, NaN when a condition could not be evaluated and
    none failed), ``failures`` (text, ``None`` when met; written only for the rows where
    ``explain`` is true, default all), by row position, and the alternative of condition 2 as
    evaluated (:func:`alternative_condition`; not evaluated → condition 2 is tax per 亩 alone).
    """
    share_min = policy.require("zone_creation.leading_industry_share_min")
    intensity_min = policy.require("zone_creation.new_project_investment_wan_per_mu_min")
    n = len(stats)
    unknown = np.full(n, np.nan)
    wanted = np.ones(n, dtype=bool) if explain is None else np.asarray(explain, dtype=bool)

    def col(name: str) -> np.ndarray | None:
        return stats[name].to_numpy(dtype="float64") if name in stats.columns else None

    def ratio(num: np.ndarray | None, den: np.ndarray | None) -> np.ndarray | None:
        if num is None or den is None:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / den, np.nan)

    parts: list[tuple[np.ndarray, Any]] = []

    def not_evaluated(label: str, columns: tuple[str, ...]) -> None:
        missing = ", ".join(c for c in columns if c not in stats.columns)
        parts.append((wanted, text("not_evaluated", lang, label=label, columns=missing)))

    revenue = col("revenue_wan")
    share = ratio(col("leading_industry_revenue_wan"), revenue)
    if share is None:
        c_share = unknown
        not_evaluated(text("cond_share", lang), ("leading_industry_revenue_wan", "revenue_wan"))
    else:
        c_share = _at_least(share, share_min)
        bad = (c_share == 0) & wanted
        value = np.char.add(_num(share[bad] * 100, "%.1f"), "%")
        parts.append((bad, fill("share_low", lang, value=value, limit=f"{share_min:.0%}")))
    intensity = ratio(col("new_project_investment_wan"), col("new_project_land_mu"))
    if intensity is None:
        c_intensity = unknown
        not_evaluated(
            text("cond_intensity", lang), ("new_project_investment_wan", "new_project_land_mu")
        )
    else:
        c_intensity = _at_least(intensity, intensity_min)
        bad = (c_intensity == 0) & wanted
        value = _num(intensity[bad], "%.1f")
        parts.append((bad, fill("intensity_low", lang, value=value, limit=f"{intensity_min:g}")))
    alt = alternative_condition(stats, policy)
    c_tax = _tax_condition(stats, policy, alt, lang, wanted, parts, not_evaluated)
    meets = _and(_and(c_share, c_intensity), c_tax)
    failures = join_texts(n, parts)
    failures[(meets == 1) | ~wanted] = None
    return meets, failures, alt


def _tax_condition(
    stats: pd.DataFrame,
    policy: Policy,
    alt: Alternative,
    lang: Lang,
    wanted: np.ndarray,
    parts: list[tuple[np.ndarray, Any]],
    not_evaluated: Any,
) -> np.ndarray:
    """Condition 2: tax ≥ ``tax_wan_per_mu_min`` per 亩 of land OR the alternative (if evaluated).

    Adds the failure texts of the rows in ``wanted`` to ``parts``.
    """
    if "tax_wan" not in stats.columns or "land_area_mu" not in stats.columns:
        not_evaluated(text("cond_tax", lang), ("tax_wan", "land_area_mu"))
        return np.full(len(stats), np.nan)
    tax_min = policy.require("zone_creation.tax_wan_per_mu_min")
    tax, land = (
        stats["tax_wan"].to_numpy(dtype="float64"),
        stats["land_area_mu"].to_numpy(dtype="float64"),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        tax_per_mu = np.where(land > 0, tax / land, np.nan)
    c_tax = _at_least(tax_per_mu, tax_min)
    if alt.met is not None:
        c_tax = _or(c_tax, alt.met)
    bad = (c_tax == 0) & wanted
    message = fill("tax_low", lang, value=_num(tax_per_mu[bad], "%.1f"), limit=f"{tax_min:g}")
    if alt.met is not None and alt.revenue is not None and alt.tax is not None:
        extra = fill(
            "tax_alt_low",
            lang,
            basis=text(f"basis_{alt.basis}", lang),
            revenue=_num(alt.revenue[bad], "%.0f"),
            tax=_num(alt.tax[bad], "%.0f"),
            rev_min=f"{policy.require('zone_creation.alt_revenue_yuan_per_m2_min'):g}",
            tax_min=f"{policy.require('zone_creation.alt_tax_yuan_per_m2_min'):g}",
        )
    else:
        extra = text("tax_alt_not_evaluated", lang, why=alt.not_evaluated)
    message = np.char.add(np.char.add(message, " "), extra)
    parts.append((bad, message))
    return c_tax


# --- rewards ---------------------------------------------------------------------------------


def allocate_rewards(scores: np.ndarray, *, pool: float, cap: float) -> np.ndarray:
    """Split ``pool`` in proportion to ``scores``, each share at most ``cap`` (water-filling).

    A share above the cap is set to the cap and the rest of the pool is split again among the
    others, until no share exceeds the cap; money left when every winner is capped stays
    unallocated. All-zero scores split equally.

    Examples
    --------
    >>> allocate_rewards(np.array([60.0, 30.0, 10.0]), pool=10000, cap=5000).tolist()
    [5000.0, 3750.0, 1250.0]
    """
    out = np.zeros(len(scores))
    active = np.ones(len(scores), dtype=bool)
    remaining = float(pool)
    while active.any() and remaining > 0:
        s = np.where(active, np.maximum(scores, 0.0), 0.0)
        total = s.sum()
        share = remaining * (s / total if total > 0 else active / active.sum())
        over = active & (share > cap)
        if not over.any():
            out[active] = share[active]
            break
        out[over] = cap
        remaining -= cap * over.sum()
        active &= ~over
    return out
