"""Annual assessment of the key industrial cluster zones (集聚区考核).

The plan scores every zone each year on seven indicators — 主营业务收入, 实缴税金, 新增纳统企业数,
年度招商引资数, 主导产业集聚度, 新建项目投资强度, 单位面积产出效益 — weighting the level reached
(stock, 存量) 40 % and the change on the previous year (increment, 增量) 60 %, by the benchmark
method (标杆考核法: each zone measured against the best zone or a set benchmark). Zones are tiered
百亿级 / 三百亿级 / 五百亿级 / 千亿级 by revenue, zones that miss their expected targets are warned
of elimination, and the best managing bodies share a reward of at most 5000 万元 each. Each zone
should also bring in ≥ 1 Fortune Global / China 500 project and 5–10 projects over 1 亿元 a year.

- :func:`zone_indicators`: the seven indicators per zone, level and increment, with units.
- :func:`assess_zones`: scores, rank, tier, creation conditions, elimination warning, reward.
- :func:`tier_progress`: city-level count of zones per tier against the 2021 tier targets.
- :func:`zone_stats_from_parcels`: revenue, tax and land of each zone from its parcels, where the
  statistics are missing.
- :func:`write_assessment` (``.xlsx`` or ``.csv`` in the house style of :mod:`landuse.report`,
  Chinese headers) and :func:`save_indicator_charts` (PNG per indicator, needs
  ``pip install "landuse[report]"``).

Weights, the 40/60 split, the benchmark method, score bounds, the elimination rule, the reward
rule and its cap come from the policy profile (``assessment``, ``zone_creation`` and ``tiers``
sections); see ``load_policy().to_frame()`` for each value's source and confidence. The plan
names the indicators, weights and rewards but no source gives a rank-based elimination rule or
the reward allocation: the rank rules ship off, and the reward rule is named in the result.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse._checks import (
    Lang,
    PolicyLike,
    check_frame,
    check_lang,
    check_projected,
    check_same_crs,
    records_policy,
    resolve_policy,
)
from landuse.assessment._report import save_indicator_charts, write_assessment
from landuse.assessment._rules import (
    INDICATORS,
    Alternative,
    Indicator,
    creation_conditions,
    fill,
    join_texts,
    resolve_benchmarks,
    text,
    to_boolean,
    weights,
)
from landuse.assessment._stats import (
    check_stats,
    check_year,
    indicator_table,
    lookup,
    take,
)
from landuse.assessment._targets import (
    ATTRACTION_TARGETS,
    TARGET_COLUMNS,
    TIER_PROGRESS_COLUMNS,
    attraction,
    check_targets,
    expected_targets,
    reward_pool,
    reward_rule,
    rewards,
    tier_progress,
)
from landuse.errors import LanduseWarning, PolicyError, SchemaError, format_ids
from landuse.policy import Policy
from landuse.units import m2_to_mu, wan_to_yi
from landuse.zones import assign_zones

__all__ = [
    "ATTRACTION_TARGETS",
    "INDICATORS",
    "TARGET_COLUMNS",
    "TIER_PROGRESS_COLUMNS",
    "Indicator",
    "assess_zones",
    "save_indicator_charts",
    "tier_progress",
    "write_assessment",
    "zone_indicators",
    "zone_stats_from_parcels",
]

log = logging.getLogger(__name__)

MissingIncrement = Literal["unranked", "stock_only"]


# --- public API ------------------------------------------------------------------------------


@records_policy
def zone_indicators(
    zone_stats: pd.DataFrame,
    *,
    year: int,
    zones: pd.DataFrame | None = None,
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Compute the seven assessment indicators of each zone, with the increment on last year.

    Parameters
    ----------
    zone_stats
        Yearly zone statistics, one row per zone and year, canonical columns (read files with
        :func:`landuse.read_zone_stats`): ``zone_id``, ``year``, ``revenue_wan``, ``tax_wan``,
        ``new_registered_firms``, ``investment_projects``, ``leading_industry_revenue_wan``,
        ``new_project_investment_wan``, ``new_project_land_mu``, ``land_area_mu``.
    year
        The assessed year; the increment compares it with ``year - 1``.
    zones
        Optional zones (``zone_id``): ids in ``zone_stats`` that are not zones are an error, and
        zones without statistics in ``year`` get a row saying so.
    lang
        Language of the ``notes`` (``"zh"`` default, ``"en"``).

    Returns
    -------
    pandas.DataFrame
        One row per zone (zones with ``year`` statistics in input order, then zones that have
        only ``year - 1`` statistics or only a boundary, by id), RangeIndex. Columns
        ``zone_id``, ``year``, and for each indicator (see :data:`INDICATORS`) its value and
        ``<column>_increment`` (value − previous year's value, same unit):
        ``revenue_wan`` (万元), ``tax_wan`` (万元), ``new_registered_firms`` (家),
        ``investment_projects`` (个), ``leading_industry_share`` (leading-industry revenue ÷
        revenue, 0–1), ``new_project_investment_wan_per_mu`` (new-project investment ÷
        new-project land, 万元/亩), ``output_wan_per_mu`` (revenue ÷ land, 万元/亩); then
        ``increment_available`` (both years present) and ``notes`` (why a value or increment is
        missing). A missing value is never 0: a zone without previous-year statistics has
        missing increments and a note. ``attrs["units"]`` maps columns to units;
        ``attrs["not_evaluated"]`` lists indicators whose input columns are absent (all missing).

    Raises
    ------
    SchemaError
        Missing ``zone_id``/``year``; duplicate (zone, year) rows; negative or non-numeric
        values; leading-industry revenue above revenue; ids not in ``zones``; no row for
        ``year``. All problems are reported at once.
    TypeError
        ``zone_stats`` is not a DataFrame or ``year`` is not an integer.

    See Also
    --------
    assess_zones : scores, ranks and tiers from these indicators.

    Examples
    --------
    >>> stats = pd.DataFrame({
    ...     "zone_id": ["A", "A", "B"], "year": [2020, 2021, 2021],
    ...     "revenue_wan": [800.0, 1000.0, 500.0], "land_area_mu": [2.0, 2.0, 1.0],
    ... })
    >>> ind = zone_indicators(stats, year=2021, lang="en")
    >>> ind[["zone_id", "revenue_wan", "revenue_wan_increment", "output_wan_per_mu"]]
      zone_id  revenue_wan  revenue_wan_increment  output_wan_per_mu
    0       A       1000.0                  200.0              500.0
    1       B        500.0                    NaN              500.0
    >>> ind.loc[1, "notes"]
    'no 2020 statistics: increment not computable'
    """
    caller = "zone_indicators"
    lang = check_lang(lang, caller=caller)
    year = check_year(year, caller)
    stats = check_stats(zone_stats, caller=caller, zones=zones)
    out, _, _ = indicator_table(stats, year=year, zones=zones, lang=lang, caller=caller)
    out.attrs["units"] = {i.column: i.unit for i in INDICATORS} | {
        f"{i.column}_increment": i.unit for i in INDICATORS
    }
    return out


def _take_rows(values: Any, positions: np.ndarray) -> Any:
    """Rows of a Series or pandas array by position."""
    if isinstance(values, pd.Series):
        return values.to_numpy()[positions] if values.dtype == object else values.array[positions]
    return values[positions]


_PARAM_KEYS = (
    "zone_creation.leading_industry_share_min",
    "zone_creation.new_project_investment_wan_per_mu_min",
    "zone_creation.tax_wan_per_mu_min",
    "zone_creation.alt_revenue_yuan_per_m2_min",
    "zone_creation.alt_tax_yuan_per_m2_min",
    "zone_creation.alt_area_basis",
    "tiers.levels",
)


def _display(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(
            f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in value.items()
        )
    if isinstance(value, tuple) and value and hasattr(value[0], "revenue_yi_min"):
        return ", ".join(f"{t.name} ≥ {t.revenue_yi_min:g} 亿元" for t in value)
    return str(value)


def _parameters(policy: Policy) -> list[dict[str, Any]]:
    """List the parameters the assessment used, with provenance (for the report)."""
    keys = [k for k in policy.params if k.startswith("assessment.")] + list(_PARAM_KEYS)
    rows = []
    for key in keys:
        p = policy.provenance(key)
        rows.append(
            {
                "key": key,
                "value": "" if p.value is None else _display(p.value),
                "unit": p.unit or "",
                "confidence": p.confidence,
                "source": p.source,
                "note": p.note or "",
            }
        )
    rows.insert(
        0,
        {
            "key": "policy",
            "value": policy.name,
            "unit": "",
            "confidence": "",
            "source": " <- ".join(policy.chain),
            "note": ", ".join(policy.overrides),
        },
    )
    return rows


def _tiers(revenue_wan: np.ndarray, policy: Policy) -> pd.arrays.ArrowStringArray:
    """Name the highest tier whose lower bound (亿元) the revenue reaches (missing below)."""
    levels = sorted(policy.require("tiers.levels"), key=lambda t: t.revenue_yi_min)
    revenue_yi = wan_to_yi(revenue_wan)
    tier = np.full(len(revenue_yi), None, dtype=object)
    for level in levels:
        tier[revenue_yi >= level.revenue_yi_min] = level.name
    return pd.array(tier, dtype="str")


@records_policy
def assess_zones(
    zone_stats: pd.DataFrame,
    *,
    year: int,
    policy: PolicyLike,
    benchmark: Literal["best", "mean", "median", "target"] | Mapping[str, Any] | None = None,
    zones: pd.DataFrame | None = None,
    reward_pool_wan: float | None = None,
    targets: pd.DataFrame | Literal["creation_conditions"] | None = None,
    missing_increment: MissingIncrement = "unranked",
    lang: Lang = "zh",
) -> pd.DataFrame:
    r"""Score, rank and tier the zones for ``year`` by the plan's benchmark method.

    For each indicator *i* (:data:`INDICATORS`) and part *p* (stock = the value in ``year``,
    increment = the change on ``year - 1``):

    .. math::

        r_{i,p} = \mathrm{clip}(x_{i,p} / B_{i,p},\ r_{min},\ r_{max}), \qquad
        s_{i,p} = 100\, w_{i,p}\, r_{i,p}

    with :math:`B` the benchmark, :math:`w` the profile's weights normalised to sum 1 within
    the part, and :math:`[r_{min}, r_{max}]` = ``assessment.score_ratio_min/max`` (0 and 1:
    a fall scores 0, reaching the benchmark earns the full weight). A benchmark ≤ 0 or
    missing scores 0 for every zone assessed in that part: an increment benchmark ≤ 0 means
    no zone improved (an ordinary year, logged); a stock benchmark ≤ 0 or a missing one (no
    zone has the indicator, e.g. every denominator is 0) also gives a
    :class:`LanduseWarning` naming the indicator and part. All-zero statistics thus rank
    every zone first with score 0, with that warning. The part scores are the sums (0–100) and
    ``total_score = stock_share × stock_score + increment_share × increment_score`` (40/60).

    Parameters
    ----------
    zone_stats
        Yearly statistics, see :func:`zone_indicators`.
    year
        The assessed year (needs ``year - 1`` for increments; earlier years for the
        elimination rule).
    policy
        The policy profile: a :class:`~landuse.policy.Policy`, a built-in profile name
        (``"qingdao-2019"``) or a path to a TOML profile. Required. Uses ``assessment.*``
        (weights, 40/60, benchmark method, score bounds, elimination and reward rules),
        ``zone_creation.*`` and ``tiers.levels``.
    benchmark
        ``"best"`` (the best zone, 标杆), ``"mean"``, ``"median"`` (of the zones), ``"target"``
        (``assessment.stock_targets`` / ``increment_targets`` from the profile, user input), or
        a mapping ``{"stock": {indicator: number or "best" …}, "increment": {...}}`` covering
        every weighted indicator. ``None`` (default): ``assessment.benchmark_method``.
    zones
        Optional zones (``zone_id``, optional ``name``): unknown ids are an error, zones without
        statistics get an unranked row, and ``name`` is carried into the result.
    reward_pool_wan
        The year's reward budget in 万元. ``None`` (default): ``assessment.reward_pool_wan``
        of the profile (a user input); neither → no pool, ``reward_wan`` is missing and
        ``attrs["not_evaluated"]`` says so. Rule (named in ``attrs["reward_rule"]`` with its
        keys and confidence): the ``assessment.reward_top_count`` best ranked zones that meet
        the creation conditions and have no elimination warning share the pool in proportion
        to ``total_score``, each at most ``assessment.reward_wan_max`` (5000); a capped zone's
        excess goes to the others; what nobody can take stays unallocated
        (``attrs["reward_unallocated_wan"]``, the reason in
        ``attrs["reward_unallocated_reason"]``). Ties at the cut are all included. No source
        gives ``reward_top_count``: while it is unset (as in ``qingdao-2019``) the pool is not
        allocated, ``reward_wan`` is missing and the whole pool is reported unallocated with
        the reason "not evaluated: set `assessment.reward_top_count`".
    targets
        The expected targets that decide elimination: ``None`` (default; not evaluated),
        ``"creation_conditions"`` (a zone not meeting them in ``year`` misses its targets), or a
        DataFrame with ``zone_id``, optional ``year`` and minimums in any of the columns
        :data:`TARGET_COLUMNS` (indicator columns, ``fortune500_projects``,
        ``projects_over_100m``). A zone misses its targets when a value is below its minimum; a
        missing value or a zone without a row is not evaluated.
    missing_increment
        A zone without ``year - 1`` statistics: ``"unranked"`` (default; total missing, not
        ranked) or ``"stock_only"`` (total = stock score, ranked, said in ``notes``).
    lang
        Language of the text columns (``"zh"`` default, ``"en"``).

    Returns
    -------
    pandas.DataFrame
        One row per zone sorted by rank (unranked last, by id), RangeIndex:
        ``zone_id`` (``name`` with ``zones``), ``year``, ``rank`` (1 = best; equal totals share
        a rank; ``<NA>`` when unranked), ``total_score``, ``stock_score``, ``increment_score``,
        ``tier`` (highest ``tiers.levels`` bound reached, revenue in 亿元 = 万元 ÷ 10 000;
        ``<NA>`` below 百亿), ``revenue_yi``, ``meets_creation_conditions`` (nullable: ``<NA>``
        when not evaluable), ``creation_failures``, ``elimination_warning``,
        ``meets_targets`` (nullable), ``target_failures``, ``elimination_reason``,
        ``reward_wan``, ``fortune500_projects``, ``projects_over_100m`` (the year's counts,
        input), ``attraction_target_met`` (both ≥ ``assessment.attraction_*_min``: ≥ 1
        Fortune Global / China 500 project and ≥ 5 projects over 1 亿元, the lower bound of the
        plan's 5–10; ``<NA>`` when a count is missing), the indicator values and increments of
        :func:`zone_indicators`, ``<key>_stock_score`` / ``<key>_increment_score`` per
        indicator (points; they add up to the part scores), ``increment_available``, ``notes``.
        ``attrs``: ``policy`` (profile name), ``year``, ``benchmarks`` (records: indicator,
        benchmark and basis per part, normalised weights), ``reward_pool_wan``,
        ``reward_pool_source``, ``reward_unallocated_wan``, ``reward_unallocated_reason``,
        ``reward_rule``, ``elimination_rule``, ``creation_alt_basis`` (the area basis of the
        alternative creation condition, or why it was not evaluated), ``tier_progress``
        (records of :func:`tier_progress`) and ``tier_progress_about``, ``not_evaluated``
        (list of texts), ``policy_keys`` (the policy keys applied).

    Raises
    ------
    SchemaError
        Bad statistics (see :func:`zone_indicators`), or an indicator with a weight > 0 whose
        input columns are missing (set its weight to 0 to assess without it).
    PolicyError
        The profile lacks a needed value (e.g. ``"target"`` without targets, or
        ``national-2008``, which has no assessment section), or the shares do not sum to 1.
    ValueError
        Invalid ``benchmark``, ``missing_increment``, ``lang`` or ``reward_pool_wan``.
    TypeError
        ``policy`` is not a Policy, a profile name or a path; ``zone_stats`` is not a
        DataFrame; ``year`` is not an integer.

    Notes
    -----
    Elimination warning: the plan eliminates a zone that misses its expected targets, so a zone
    is warned when it misses a target of ``targets=`` (``meets_targets`` False, the misses in
    ``target_failures``); without ``targets`` this is not evaluated (said in
    ``attrs["not_evaluated"]``). Two further rules are options of the profile, both off (0) by
    default since no source gives them: a ranked zone in the last
    ``assessment.elimination_bottom_count`` places (ties included), or a zone that failed the
    creation conditions in each of the ``assessment.elimination_failed_years`` years up to
    ``year`` (a year not evaluable breaks the run). The bottom rule applies only when more
    zones are ranked than ``elimination_bottom_count``, and never to a zone ranked first: a
    single zone, or zones all tied at the top, are not "last" (the creation-conditions rule
    still applies to them). Creation conditions (青政字〔2019〕9号):
    leading-industry share ≥ 50 %, new-project investment ≥ 280 万元/亩, and tax ≥ 20
    万元/亩 of land (``land_area_mu``) or (revenue ≥ 4500 元/m² and tax ≥ 200 元/m²). The
    source does not say per m² of what: the alternative is evaluated only once
    ``zone_creation.alt_area_basis`` is set — ``"land"``: per m² of the zone's land
    (``zone_stats`` ``land_area_mu`` × 666.67 m²/亩), ``"floor"``: per m² of floor area
    (``zone_stats`` ``floor_area_m2``; absent → not evaluated). Unset (as in
    ``qingdao-2019``), condition 2 is judged on tax per 亩 alone and the alternative is listed
    in ``attrs["not_evaluated"]``; ``attrs["creation_alt_basis"]`` states the basis.

    Examples
    --------
    >>> from landuse import load_sample
    >>> s = load_sample()
    >>> result = assess_zones(s.zone_stats, year=2021, zones=s.zones, policy="qingdao-2019",
    ...                       reward_pool_wan=8000)
    >>> result[["zone_id", "rank", "total_score"]].head(3).round(1)
      zone_id  rank  total_score
    0    QD04     1         74.3
    1    QD07     2         58.4
    2    QD02     3         56.5
    >>> result.loc[0, "tier"], result.attrs["policy"]
    ('千亿级', 'qingdao-2019')
    >>> result.attrs["reward_unallocated_wan"], result.attrs["reward_unallocated_reason"]
    (8000.0, 'not evaluated: set `assessment.reward_top_count`')
    >>> "assessment.stock_share" in result.attrs["policy_keys"]
    True

    The example profile sets the reward rule (top 3, pool 12,000 万元, each ≤ 5,000):

    >>> example = assess_zones(s.zone_stats, year=2021, zones=s.zones,
    ...                        policy="qingdao-2019-example")
    >>> example[["zone_id", "reward_wan"]].head(3).round(1)
      zone_id  reward_wan
    0    QD04      4714.0
    1    QD07      3703.1
    2    QD02      3582.9
    >>> int(result["elimination_warning"].sum())  # no targets given, rank rules off
    0
    >>> by_conditions = assess_zones(s.zone_stats, year=2021, zones=s.zones,
    ...                              policy="qingdao-2019", targets="creation_conditions")
    >>> by_conditions.loc[by_conditions["elimination_warning"], "zone_id"].tolist()
    ['QD12', 'QD13', 'QD08', 'QD14']
    """
    caller = "assess_zones"
    policy = resolve_policy(policy, caller=caller)
    lang = check_lang(lang, caller=caller)
    year = check_year(year, caller)
    _check_options(missing_increment, reward_pool_wan, caller)
    check_targets(targets, caller)
    rules = _Rules.of(policy)
    stats = check_stats(zone_stats, caller=caller, zones=zones)
    _check_weighted_columns(stats, rules, caller)
    table, order, has_cur = indicator_table(stats, year=year, zones=zones, lang=lang, caller=caller)
    assessable = {"stock": has_cur, "increment": has_cur & table["increment_available"].to_numpy()}
    bench = _benchmarks(benchmark, table, order, assessable, policy, rules, lang)
    scores, part_scores, not_positive = _scores(table, bench, rules, assessable, year, caller)
    if not_positive:
        warnings.warn(
            f"{caller}: {len(not_positive)} benchmark(s) for {year} are not positive or "
            "missing (no zone has a value above 0, or no zone has the indicator at all), so "
            f"every zone scores 0 on them: {', '.join(not_positive)}. Check the statistics "
            "of those indicators, or give them weight 0.",
            LanduseWarning,
            stacklevel=2,
        )
    ranking = _Ranking.of(part_scores, rules, assessable, missing_increment)
    meets_all, meets, failures, alt = _creation(stats, order, year, policy, lang)
    met_targets, target_failures = expected_targets(targets, table, meets, year, lang)
    warn, reasons = _elimination(stats, order, year, ranking, meets_all, policy, lang)
    missed = met_targets.to_numpy(dtype="float64", na_value=np.nan) == 0
    warn |= missed
    reasons.append((missed, target_failures[missed].astype(str)))
    counts, attraction_met, not_evaluated = attraction(stats, order, year, policy)
    if targets is None:
        not_evaluated.insert(0, "elimination by expected targets: pass `targets=` (per-zone "
                             "targets, or 'creation_conditions')")  # fmt: skip
    if alt.not_evaluated is not None:
        not_evaluated.append(_alt_not_evaluated(alt, policy))
    pool, pool_source = reward_pool(reward_pool_wan, policy)
    reward, unallocated, why = rewards(
        pool, ranking.total, ranking.ranked, meets, warn, order.to_numpy(), policy
    )
    if pool is None or (why is not None and why.startswith("not evaluated")):
        not_evaluated.append(f"reward allocation: {why}")
    columns = _columns(table, zones, ranking, policy, lang) | {
        "meets_creation_conditions": to_boolean(meets),
        "creation_failures": pd.array(failures, dtype="str"),
        "meets_targets": met_targets,
        "target_failures": pd.array(target_failures, dtype="str"),
        "elimination_warning": warn,
        "elimination_reason": pd.array(join_texts(len(table), reasons), dtype="str"),
        "reward_wan": reward,
        **counts,
        "attraction_target_met": attraction_met,
    }
    out = _sorted_frame(columns, table, scores, ranking, order, lang)
    out.attrs = {
        "policy": policy.name,
        "year": year,
        "benchmarks": _benchmark_records(bench, rules, lang),
        "stock_share": rules.stock_share,
        "increment_share": rules.increment_share,
        "reward_pool_wan": pool,
        "reward_pool_source": pool_source,
        "reward_unallocated_wan": unallocated,
        "reward_rule": reward_rule(policy),
        "reward_unallocated_reason": why,
        "elimination_rule": _elimination_rule(policy, targets),
        "creation_alt_basis": alt.description,
        "not_evaluated": not_evaluated,
        "parameters": _parameters(policy),
        "lang": lang,
    }
    progress = tier_progress(out, policy=policy)
    out.attrs["tier_progress"] = progress.to_dict("records")
    out.attrs["tier_progress_about"] = {
        k: v for k, v in progress.attrs.items() if k != "policy_keys"
    }
    if progress.attrs["count_rule"] is None:
        out.attrs["not_evaluated"].append(f"tier targets: {progress.attrs['note']}")
    log.info("assessed %d zones for %d (%d ranked)", len(out), year, ranking.n_ranked)
    return out


# --- the phases of assess_zones ----------------------------------------------------------------


def _check_options(missing_increment: Any, reward_pool_wan: Any, caller: str) -> None:
    """``missing_increment`` is a known rule; ``reward_pool_wan`` a number ≥ 0 or None."""
    if missing_increment not in ("unranked", "stock_only"):
        msg = (
            f'{caller}: `missing_increment` must be "unranked" or "stock_only", got '
            f"{missing_increment!r}"
        )
        raise ValueError(msg)
    if reward_pool_wan is not None and (
        isinstance(reward_pool_wan, bool)
        or not isinstance(reward_pool_wan, (int, float, np.number))
        or not np.isfinite(reward_pool_wan)
        or reward_pool_wan < 0
    ):
        msg = f"{caller}: `reward_pool_wan` must be a number ≥ 0 (万元) or None, got {reward_pool_wan!r}"
        raise ValueError(msg)


@dataclass(frozen=True)
class _Rules:
    """The scoring numbers of the profile: the 40/60 split, weights and score-ratio bounds."""

    stock_share: float
    increment_share: float
    stock_w: dict[str, float]
    increment_w: dict[str, float]
    lo: float
    hi: float

    @classmethod
    def of(cls, policy: Policy) -> _Rules:
        stock_share = policy.require("assessment.stock_share")
        increment_share = policy.require("assessment.increment_share")
        if abs(stock_share + increment_share - 1) > 1e-9:
            msg = (
                f"policy {policy.name!r}: `assessment.stock_share` + "
                f"`assessment.increment_share` must be 1, got {stock_share} + {increment_share}"
            )
            raise PolicyError(msg)
        return cls(
            stock_share=stock_share,
            increment_share=increment_share,
            stock_w=weights(policy, "stock"),
            increment_w=weights(policy, "increment"),
            lo=policy.require("assessment.score_ratio_min"),
            hi=policy.require("assessment.score_ratio_max"),
        )

    def weight(self, part: str) -> dict[str, float]:
        """Return the normalised weights of ``part`` ("stock" or "increment")."""
        return self.stock_w if part == "stock" else self.increment_w


def _check_weighted_columns(stats: pd.DataFrame, rules: _Rules, caller: str) -> None:
    """Every indicator with a weight > 0 has its input columns."""
    needed = {
        i.key: [c for c in i.inputs if c not in stats.columns]
        for i in INDICATORS
        if rules.stock_w[i.key] > 0 or rules.increment_w[i.key] > 0
    }
    needed = {k: v for k, v in needed.items() if v}
    if needed:
        listed = "; ".join(f"{k} needs {', '.join(v)}" for k, v in needed.items())
        msg = (
            f"{caller}: `zone_stats` lacks the columns of weighted indicators: {listed}. Add the "
            "columns, or give those indicators weight 0 (policy.replace({'assessment."
            "stock_weights': {...}, 'assessment.increment_weights': {...}}))."
        )
        raise SchemaError(msg)


def _benchmarks(
    benchmark: Any,
    table: pd.DataFrame,
    order: pd.Index,
    assessable: dict[str, np.ndarray],
    policy: Policy,
    rules: _Rules,
    lang: Lang,
) -> dict[str, dict[str, tuple[float, str]]]:
    """``{part: {indicator: (benchmark, basis)}}`` from the zones that can be assessed."""
    return resolve_benchmarks(
        benchmark,
        policy=policy,
        values={
            i.column: np.where(
                assessable["stock"], table[i.column].to_numpy(dtype="float64"), np.nan
            )
            for i in INDICATORS
        },
        increments={
            i.column: np.where(
                assessable["increment"],
                table[f"{i.column}_increment"].to_numpy(dtype="float64"),
                np.nan,
            )
            for i in INDICATORS
        },
        zone_ids=order.to_numpy(),
        stock_w=rules.stock_w,
        increment_w=rules.increment_w,
        lang=lang,
    )


def _scores(
    table: pd.DataFrame,
    bench: dict[str, dict[str, tuple[float, str]]],
    rules: _Rules,
    assessable: dict[str, np.ndarray],
    year: int,
    caller: str,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], list[str]]:
    """Points per indicator and part: 100 × weight × clip(value / benchmark).

    Returns the points, the part sums and the indicators whose benchmark is not positive
    where that is suspicious (the caller warns).
    """
    n = len(table)
    scores: dict[str, np.ndarray] = {}
    part_scores: dict[str, np.ndarray] = {}
    not_positive: list[str] = []
    for part, suffix in (("stock", ""), ("increment", "_increment")):
        w = rules.weight(part)
        part_total = np.zeros(n)
        for ind in INDICATORS:
            b = bench[part][ind.key][0]
            x = table[f"{ind.column}{suffix}"].to_numpy(dtype="float64")
            if w[ind.key] == 0:
                s = np.zeros(n)
            elif not b > 0:  # benchmark ≤ 0 (nobody improved) or none: every zone scores 0
                s = np.where(assessable[part], 0.0, np.nan)
                if not assessable[part].any():  # e.g. the first year: no increments at all
                    pass
                elif part == "stock" or np.isnan(b):  # no zone has it at all: suspicious data
                    not_positive.append(f"{ind.key} ({part}, benchmark {b:g})")
                else:  # nobody improved on last year: an ordinary year
                    log.info("%s: no zone improved %s in %d; every zone scores 0", caller,
                             ind.key, year)  # fmt: skip
            else:
                s = 100.0 * w[ind.key] * np.clip(x / b, rules.lo, rules.hi)
            scores[f"{ind.key}_{part}_score"] = s
            part_total = part_total + s
        part_scores[part] = part_total
    return scores, part_scores, not_positive


@dataclass(frozen=True)
class _Ranking:
    """Part scores, total (40/60, or the stock score alone by ``missing_increment``), rank."""

    stock_score: np.ndarray
    increment_score: np.ndarray
    total: np.ndarray
    stock_only: np.ndarray  # ranked on the stock score alone
    ranked: np.ndarray
    rank: np.ndarray  # float, NaN when unranked
    n_ranked: int

    @classmethod
    def of(
        cls,
        part_scores: dict[str, np.ndarray],
        rules: _Rules,
        assessable: dict[str, np.ndarray],
        missing_increment: MissingIncrement,
    ) -> _Ranking:
        stock_score, increment_score = part_scores["stock"], part_scores["increment"]
        total = rules.stock_share * stock_score + rules.increment_share * increment_score
        has_cur, increment_ok = assessable["stock"], assessable["increment"]
        stock_only = (
            has_cur & ~increment_ok & ~np.isnan(stock_score) & (missing_increment == "stock_only")
        )
        total = np.where(stock_only, stock_score, total)
        ranked = ~np.isnan(total)
        rank = pd.Series(total).rank(method="min", ascending=False).to_numpy()
        return cls(stock_score, increment_score, total, stock_only, ranked, rank, int(ranked.sum()))


def _creation(
    stats: pd.DataFrame, order: pd.Index, year: int, policy: Policy, lang: Lang
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Alternative]:
    """Creation conditions met per row, per zone in ``year``, the failures, the alternative.

    Every year is evaluated: the elimination rule looks back. The alternative of condition 2
    is returned as evaluated (:func:`~landuse.assessment._rules.alternative_condition`).
    """
    meets_all, failures_all, alt = creation_conditions(
        stats, policy=policy, lang=lang, explain=(stats["year"] == year).to_numpy()
    )
    at = lookup(stats, order, year)
    return meets_all, take(meets_all, at), take(failures_all, at, missing=None), alt


def _alt_not_evaluated(alt: Alternative, policy: Policy) -> str:
    """Say that the alternative creation condition was not evaluated, why, and what was used."""
    tax = policy.provenance("zone_creation.tax_wan_per_mu_min").value
    limit = "zone_creation.tax_wan_per_mu_min" if tax is None else f"{tax:g}"
    return (
        "creation condition 2, alternative (revenue ≥ zone_creation.alt_revenue_yuan_per_m2_min "
        "and tax ≥ zone_creation.alt_tax_yuan_per_m2_min per m²): not evaluated: "
        f"{alt.not_evaluated}; condition 2 judged on tax ≥ {limit} 万元/亩 alone"
    )


def _elimination(
    stats: pd.DataFrame,
    order: pd.Index,
    year: int,
    ranking: _Ranking,
    meets_all: np.ndarray,
    policy: Policy,
    lang: Lang,
) -> tuple[np.ndarray, list[tuple[np.ndarray, Any]]]:
    """Elimination warning per zone, with the reasons (bottom ranks, failed years)."""
    total, ranked, rank = ranking.total, ranking.ranked, ranking.rank
    reasons: list[tuple[np.ndarray, Any]] = []
    warn = np.zeros(len(order), dtype=bool)
    bottom = int(policy.require("assessment.elimination_bottom_count"))
    if 0 < bottom < ranking.n_ranked:  # never when every ranked zone would be "last"
        cut = np.sort(total[ranked])[bottom - 1]
        is_bottom = ranked & (total <= cut) & (rank > 1)  # ties included; never the first
        warn |= is_bottom
        ranks = np.char.mod("%d", rank[is_bottom])
        reasons.append(
            (is_bottom, fill("bottom", lang, count=bottom, rank=ranks, n=ranking.n_ranked))
        )
    failed_years = int(policy.require("assessment.elimination_failed_years"))
    if failed_years > 0:
        failed = np.ones(len(order), dtype=bool)
        for k in range(failed_years):
            failed &= take(meets_all, lookup(stats, order, year - k)) == 0
        warn |= failed
        key = "failed_years" if failed_years > 1 else "failed_year"
        reasons.append(
            (failed, text(key, lang, years=failed_years, first=year - failed_years + 1, last=year))
        )
    return warn, reasons


def _elimination_rule(policy: Policy, targets: Any) -> str:
    """Describe the elimination rules applied, in words."""
    parts = []
    if targets is None:
        parts.append("expected targets: not evaluated (no `targets=`)")
    elif isinstance(targets, str):
        parts.append("expected targets = the creation conditions in the assessed year")
    else:
        parts.append("expected targets = the per-zone `targets=` minimums")
    bottom = int(policy.require("assessment.elimination_bottom_count"))
    years = int(policy.require("assessment.elimination_failed_years"))
    parts.append(f"rank rule: last {bottom} place(s)" if bottom > 0 else "rank rule: off")
    parts.append(
        f"creation conditions failed {years} year(s) running"
        if years > 0
        else "failed-years rule: off"
    )
    return "; ".join(parts)


def _columns(
    table: pd.DataFrame,
    zones: pd.DataFrame | None,
    ranking: _Ranking,
    policy: Policy,
    lang: Lang,
) -> dict[str, Any]:
    """Return the leading result columns: id, name, year, rank, scores, tier, revenue."""
    columns: dict[str, Any] = {"zone_id": table["zone_id"]}
    if zones is not None and "name" in zones.columns:
        names = zones.assign(zone_id=zones["zone_id"].astype("str")).drop_duplicates("zone_id")
        columns["name"] = table["zone_id"].map(names.set_index("zone_id")["name"])
    revenue = table["revenue_wan"].to_numpy(dtype="float64")
    rank = np.where(ranking.ranked, ranking.rank, np.nan)
    columns |= {
        "year": table["year"],
        "rank": pd.array(rank, dtype="Float64").astype("Int64"),
        "total_score": ranking.total,
        "stock_score": ranking.stock_score,
        "increment_score": ranking.increment_score,
        "tier": _tiers(revenue, policy),
        "revenue_yi": wan_to_yi(revenue),
    }
    return columns


def _sorted_frame(
    columns: dict[str, Any],
    table: pd.DataFrame,
    scores: dict[str, np.ndarray],
    ranking: _Ranking,
    order: pd.Index,
    lang: Lang,
) -> pd.DataFrame:
    """Add the indicator, score and note columns; sort by rank (unranked last), then id."""
    columns = dict(columns)
    for ind in INDICATORS:
        columns[ind.column] = table[ind.column]
        columns[f"{ind.column}_increment"] = table[f"{ind.column}_increment"]
    for ind in INDICATORS:
        columns[f"{ind.key}_stock_score"] = scores[f"{ind.key}_stock_score"]
        columns[f"{ind.key}_increment_score"] = scores[f"{ind.key}_increment_score"]
    columns["increment_available"] = table["increment_available"].to_numpy()
    notes = join_texts(
        len(table),
        [
            (table["notes"].notna().to_numpy(), table["notes"].dropna().to_numpy(dtype=object)),
            (ranking.stock_only, text("stock_only", lang)),
        ],
    )
    columns["notes"] = pd.array(notes, dtype="str")
    by_id = pd.factorize(order, sort=True)[0]
    perm = np.lexsort((by_id, np.where(ranking.ranked, ranking.rank, np.inf)))
    return pd.DataFrame(
        {
            k: v[perm] if isinstance(v, np.ndarray) else _take_rows(v, perm)
            for k, v in columns.items()
        }
    )


def _benchmark_records(
    bench: dict[str, dict[str, tuple[float, str]]], rules: _Rules, lang: Lang
) -> list[dict[str, Any]]:
    """``attrs["benchmarks"]``: indicator, benchmark and basis per part, normalised weights."""
    return [
        {
            "indicator": ind.key,
            "column": ind.column,
            "label": ind.label(lang),
            "unit": ind.unit,
            "stock_weight": rules.stock_w[ind.key],
            "stock_benchmark": bench["stock"][ind.key][0],
            "stock_basis": bench["stock"][ind.key][1],
            "increment_weight": rules.increment_w[ind.key],
            "increment_benchmark": bench["increment"][ind.key][0],
            "increment_basis": bench["increment"][ind.key][1],
        }
        for ind in INDICATORS
    ]


@records_policy
def zone_stats_from_parcels(
    parcels: gpd.GeoDataFrame,
    *,
    zones: gpd.GeoDataFrame,
    year: int,
    land_uses: Sequence[str] | None = ("industrial",),
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Zone statistics aggregated from parcel data, for zones whose statistics are missing.

    Sums each zone's parcels: revenue, tax, land area and — when ``zones`` has
    ``leading_industry_codes`` and parcels have ``industry_code`` — the revenue of parcels in
    the zone's leading industry. Parcels without ``zone_id`` are assigned to the zone holding
    the largest share of them (:func:`landuse.zones.assign_zones`). The parcel attributes are
    taken as the figures of ``year``. Counts of new firms and investment projects, and
    new-project figures, cannot be derived from parcels and are left out.

    Parameters
    ----------
    parcels
        Parcels in a projected CRS (:func:`landuse.read_parcels`): ``revenue_wan``, ``tax_wan``,
        ``land_area_m2`` (the geometry's area where missing), ``land_use``, optional
        ``zone_id`` and ``industry_code``.
    zones
        Zones with ``zone_id`` (same CRS), optional ``leading_industry_codes`` (``"36;38"``).
    year
        Year written in the ``year`` column.
    land_uses
        Land uses counted (``land_use`` column); default industrial parcels only, the land the
        zone statistics describe. ``None`` counts every parcel.
    lang
        Language of the ``notes`` (``"zh"`` default, ``"en"``).

    Returns
    -------
    pandas.DataFrame
        One row per zone, in ``zones`` order: ``zone_id``, ``year``, ``revenue_wan``,
        ``tax_wan``, ``leading_industry_revenue_wan``, ``land_area_mu`` (canonical
        ``zone_stats`` columns, combinable with :func:`landuse.read_zone_stats` output),
        ``parcels`` (count) and ``notes`` (values missing on some parcels: the sum covers the
        others). A column whose parcel input is absent is all missing and listed in
        ``attrs["not_evaluated"]``; a zone without parcels has count 0 and sums 0.

    Raises
    ------
    CRSError
        Geographic, missing or differing CRS.
    SchemaError
        ``zones`` without ``zone_id``; parcels' ``zone_id`` values that are not zones;
        ``land_uses`` given but parcels have no ``land_use``.

    Examples
    --------
    >>> import shapely
    >>> zones = gpd.GeoDataFrame({"zone_id": ["Z1"]}, geometry=[shapely.box(0, 0, 1000, 1000)], crs=4549)
    >>> parcels = gpd.GeoDataFrame(
    ...     {"land_use": ["industrial", "industrial", "commercial"],
    ...      "revenue_wan": [5000.0, 3000.0, 9000.0], "tax_wan": [300.0, 200.0, 800.0]},
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100),
    ...               shapely.box(400, 0, 500, 100)], crs=4549)
    >>> zone_stats_from_parcels(parcels, zones=zones, year=2021)[
    ...     ["zone_id", "revenue_wan", "tax_wan", "land_area_mu", "parcels"]]
      zone_id  revenue_wan  tax_wan  land_area_mu  parcels
    0      Z1       8000.0    500.0          30.0        2
    """
    caller = "zone_stats_from_parcels"
    lang = check_lang(lang, caller=caller)
    year = check_year(year, caller)
    check_frame(parcels, name="parcels", caller=caller)
    check_frame(zones, name="zones", caller=caller)
    check_projected(parcels, name="parcels", caller=caller, purpose="area")
    check_projected(zones, name="zones", caller=caller, purpose="area")
    check_same_crs(parcels, zones, names=("parcels", "zones"), caller=caller)
    if "zone_id" not in zones.columns:
        msg = f"{caller}: `zones` needs a `zone_id` column; received columns {list(zones.columns)}"
        raise SchemaError(msg)
    zone_ids = zones["zone_id"].astype("str")
    pz = _parcel_zones(parcels, zones, zone_ids, caller)
    keep = pz.notna()
    if land_uses is not None:
        if "land_use" not in parcels.columns:
            msg = (
                f"{caller}: `parcels` has no `land_use` column, so `land_uses`="
                f"{list(land_uses)} cannot be applied; pass land_uses=None to count every parcel"
            )
            raise SchemaError(msg)
        keep &= parcels["land_use"].isin(list(land_uses))
    sel = parcels.loc[keep.to_numpy()]
    group = pz[keep].to_numpy()
    area_m2 = pd.Series(sel.geometry.area.to_numpy(), index=sel.index)
    if "land_area_m2" in sel.columns:
        area_m2 = sel["land_area_m2"].astype("float64").fillna(area_m2)
    frame = pd.DataFrame({"zone_id": group, "land_area_mu": m2_to_mu(area_m2).to_numpy()})
    not_evaluated: dict[str, list[str]] = {}
    for col in ("revenue_wan", "tax_wan"):
        if col in sel.columns:
            frame[col] = sel[col].astype("float64").to_numpy()
        else:
            not_evaluated[col] = [col]
    lacking = _leading_revenue(frame, sel, zones, zone_ids, group)
    if lacking:
        not_evaluated["leading_industry_revenue_wan"] = lacking
    out = _zone_sums(frame, zone_ids, year, lang)
    out.attrs["not_evaluated"] = not_evaluated
    out.attrs["land_uses"] = None if land_uses is None else list(land_uses)
    return out


# --- the phases of zone_stats_from_parcels -----------------------------------------------------


def _parcel_zones(
    parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, zone_ids: pd.Series, caller: str
) -> pd.Series:
    """Zone of each parcel: its ``zone_id`` (checked against ``zones``), else by geometry."""
    if "zone_id" not in parcels.columns:
        return assign_zones(parcels, zones=zones)["zone_id"]
    pz = parcels["zone_id"].astype("str")
    unknown = sorted(set(pz.dropna()) - set(zone_ids))
    if unknown:
        msg = (
            f"{caller}: {len(unknown)} parcel `zone_id` value(s) are not in `zones`: "
            f"{format_ids(unknown)}; correct them, or drop the column to assign parcels "
            "to zones by geometry"
        )
        raise SchemaError(msg)
    return pz


def _leading_revenue(
    frame: pd.DataFrame,
    sel: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    zone_ids: pd.Series,
    group: np.ndarray,
) -> list[str]:
    """Add ``leading_industry_revenue_wan`` to ``frame``, or return the inputs it lacks.

    A parcel's revenue counts when its ``industry_code`` is one of its zone's
    ``leading_industry_codes`` (missing where the revenue is missing).
    """
    if "leading_industry_codes" in zones.columns and "industry_code" in sel.columns:
        codes = pd.Series(zones["leading_industry_codes"].to_numpy(), index=zone_ids.to_numpy())
        codes = codes.dropna().astype("str").str.split(";").explode()
        leading_pairs = pd.MultiIndex.from_arrays([codes.index, codes.to_numpy()])
        pairs = pd.MultiIndex.from_arrays([group, sel["industry_code"].astype("str").to_numpy()])
        in_leading = pairs.isin(leading_pairs)
        if "revenue_wan" in frame.columns:
            revenue = frame["revenue_wan"].to_numpy()
            leading = np.where(in_leading, revenue, 0.0)
            frame["leading_industry_revenue_wan"] = np.where(np.isnan(revenue), np.nan, leading)
            return []
    return [
        c
        for c, present in (
            ("zones.leading_industry_codes", "leading_industry_codes" in zones.columns),
            ("parcels.industry_code", "industry_code" in sel.columns),
            ("parcels.revenue_wan", "revenue_wan" in sel.columns),
        )
        if not present
    ]


def _zone_sums(frame: pd.DataFrame, zone_ids: pd.Series, year: int, lang: Lang) -> pd.DataFrame:
    """One row per zone: the sums, the parcel count and notes on values missing."""
    grouped = frame.groupby("zone_id", sort=False)
    out = pd.DataFrame({"zone_id": zone_ids.to_numpy(), "year": year})
    counts = grouped.size().reindex(out["zone_id"]).fillna(0).astype("int64")
    notes: list[tuple[np.ndarray, Any]] = []
    for col in ("revenue_wan", "tax_wan", "leading_industry_revenue_wan", "land_area_mu"):
        if col not in frame.columns:
            out[col] = np.nan
            continue
        # all values missing -> missing (not 0); a zone without parcels sums to 0
        sums = grouped[col].sum(min_count=1).reindex(out["zone_id"]).to_numpy()
        out[col] = np.where(counts.to_numpy() == 0, 0.0, sums)
        missing = frame[col].isna().groupby(frame["zone_id"]).sum()
        missing = missing.reindex(out["zone_id"]).fillna(0).astype("int64").to_numpy()
        has = missing > 0
        message = fill(
            "parcels_missing",
            lang,
            column=col,
            missing=np.char.mod("%d", missing[has]),
            count=np.char.mod("%d", counts.to_numpy()[has]),
        )
        notes.append((has, message))
    out["parcels"] = counts.to_numpy()
    out["notes"] = pd.array(join_texts(len(out), notes), dtype="str")
    return out
