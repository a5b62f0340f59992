"""Expected targets, investment-attraction targets, reward accounting and tier progress.

The plan eliminates a zone that misses its expected targets (per-zone input, or the creation
conditions as targets); the rank rule is an option of the profile, off by default. The reward
pool rule is named with its profile keys, and what is left of the pool is explained.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from landuse._checks import Lang, PolicyLike, records_policy, resolve_policy
from landuse.assessment._rules import INDICATORS, allocate_rewards, applied
from landuse.assessment._stats import lookup, take
from landuse.policy import Policy
from landuse.schema import FIELDS

#: Columns a ``targets`` frame may set (minimums), besides ``zone_id`` and ``year``.
TARGET_COLUMNS: tuple[str, ...] = (
    *(ind.column for ind in INDICATORS),
    "fortune500_projects",
    "projects_over_100m",
)
#: The investment-attraction counts of ``zone_stats`` and the profile keys of their yearly
#: minimums (the plan: ≥ 1 Fortune Global / China 500 project, 5–10 projects over 1 亿元).
ATTRACTION_TARGETS: tuple[tuple[str, str], ...] = (
    ("fortune500_projects", "assessment.attraction_fortune500_projects_min"),
    ("projects_over_100m", "assessment.attraction_projects_over_100m_min"),
)
#: Columns of :func:`tier_progress`, in order.
TIER_PROGRESS_COLUMNS: tuple[str, ...] = (
    "tier",
    "revenue_yi_min",
    "zones",
    "zones_at_or_above",
    "target_count",
    "shortfall",
    "target_met",
)


def _fmt(value: float) -> str:
    """Write a number as text: whole numbers with thousands separators, others to 4 digits."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:.4g}"


def _label(column: str, lang: Lang) -> str:
    """Name the column in ``lang`` (indicators after the plan, the rest from the catalogue)."""
    for ind in INDICATORS:
        if ind.column == column:
            return ind.label(lang)
    field = FIELDS[column]
    return field.zh if lang == "zh" else field.en


def check_targets(targets: Any, caller: str) -> None:
    """``targets`` is None, ``"creation_conditions"`` or a frame of known minimum columns."""
    if targets is None or (isinstance(targets, str) and targets == "creation_conditions"):
        return
    if not isinstance(targets, pd.DataFrame):
        msg = (
            f"{caller}: `targets` must be None, 'creation_conditions' or a DataFrame with "
            f"`zone_id` and target columns, got {type(targets).__name__}"
        )
        raise ValueError(msg)
    columns = [c for c in targets.columns if c not in ("zone_id", "year")]
    unknown = [c for c in columns if c not in TARGET_COLUMNS]
    if "zone_id" not in targets.columns or unknown or not columns:
        msg = (
            f"{caller}: `targets` needs `zone_id` (optional `year`) and at least one target "
            f"column of {list(TARGET_COLUMNS)}; received {list(targets.columns)}"
        )
        raise ValueError(msg)
    keys = ["zone_id", "year"] if "year" in targets.columns else ["zone_id"]
    if targets.duplicated(keys).any():
        msg = f"{caller}: `targets` has more than one row per {' and '.join(keys)}"
        raise ValueError(msg)


def expected_targets(
    targets: Any, table: pd.DataFrame, meets: np.ndarray, year: int, lang: Lang
) -> tuple[pd.arrays.BooleanArray, np.ndarray]:
    """Whether each zone meets its expected targets (``<NA>`` = not evaluated), and the misses.

    A target is a minimum: a zone misses it when its value in ``year`` is below. A missing
    value or a zone without a target row is not evaluated; a zone fails if any evaluated target
    is missed.
    """
    n = len(table)
    result = np.full(n, np.nan)
    failures = np.full(n, None, dtype=object)
    if targets is None:
        return pd.array(np.full(n, None), dtype="boolean"), failures
    if isinstance(targets, str):  # the creation conditions as the targets
        ok = np.asarray(meets, dtype="float64")
        failed = ok == 0
        failures[failed] = "未达创建条件" if lang == "zh" else "creation conditions not met"
        return pd.array(np.where(np.isnan(ok), None, ok == 1), dtype="boolean"), failures
    rows = targets
    if "year" in rows.columns:
        rows = rows[rows["year"] == year]
    rows = rows.assign(zone_id=rows["zone_id"].astype("str")).set_index("zone_id")
    ids = table["zone_id"].astype("str").to_numpy(dtype=object)
    for column in [c for c in rows.columns if c in TARGET_COLUMNS]:
        goal = rows[column].reindex(ids).to_numpy(dtype="float64")
        value = table[column].to_numpy(dtype="float64")
        known = ~np.isnan(goal) & ~np.isnan(value)
        missed = known & (value < goal)
        result = np.where(known & np.isnan(result), 1.0, result)
        result = np.where(missed, 0.0, result)
        for i in np.flatnonzero(missed):
            part = f"{_label(column, lang)} {_fmt(value[i])} < {_fmt(goal[i])}"
            failures[i] = part if failures[i] is None else f"{failures[i]}; {part}"
    boolean = pd.array(np.where(np.isnan(result), None, result == 1), dtype="boolean")
    return boolean, failures


def attraction(
    stats: pd.DataFrame, order: pd.Index, year: int, policy: Policy
) -> tuple[dict[str, np.ndarray], pd.arrays.BooleanArray, list[str]]:
    """Return the attraction counts per zone in ``year`` and whether both targets are met.

    ``<NA>`` where a count is missing or a target is unset; the third item lists what could
    not be evaluated.
    """
    at = lookup(stats, order, year)
    values: dict[str, np.ndarray] = {}
    met = np.ones(len(order), dtype="float64")
    not_evaluated: list[str] = []
    for column, key in ATTRACTION_TARGETS:
        v = (
            take(stats[column].to_numpy(dtype="float64"), at)
            if column in stats.columns
            else np.full(len(order), np.nan)
        )
        values[column] = v
        goal = applied(policy, key)
        if goal is None:
            not_evaluated.append(f"attraction target: not evaluated: set `{key}`")
            met[:] = np.nan
            continue
        if column not in stats.columns:
            not_evaluated.append(f"attraction target: zone_stats lacks `{column}`")
        met = np.where(np.isnan(v) | np.isnan(met), np.nan, np.where(v >= goal, met, 0.0))
    boolean = pd.array(np.where(np.isnan(met), None, met == 1), dtype="boolean")
    return values, boolean, not_evaluated


#: Why the pool is not allocated while ``assessment.reward_top_count`` is unset.
REWARD_TOP_UNSET = "not evaluated: set `assessment.reward_top_count`"


def reward_pool(pool: float | None, policy: Policy) -> tuple[float | None, str | None]:
    """Return the year's pool (万元) and where it comes from: the argument, else the profile."""
    if pool is not None:
        return float(pool), "reward_pool_wan= argument"
    value = applied(policy, "assessment.reward_pool_wan")
    if value is None:
        return None, None
    return float(value), "assessment.reward_pool_wan"


def reward_rule(policy: Policy) -> str:
    """Describe the reward pool rule in words, with the profile keys, values and confidence."""
    top, cap = (
        policy.provenance("assessment.reward_top_count"),
        policy.provenance("assessment.reward_wan_max"),
    )
    if top.value is None:
        return (
            f"{REWARD_TOP_UNSET} (no source gives how many zones share the pool): the pool is "
            "not allocated"
        )
    return (
        f"the assessment.reward_top_count = {top.value} (confidence {top.confidence}) best-ranked "
        "eligible zones (ranked, creation conditions met, no elimination warning; ties at the "
        "cut included) share the pool in proportion to total_score, each at most "
        f"assessment.reward_wan_max = {cap.value} 万元 (confidence {cap.confidence}); a capped "
        "zone's excess goes to the others"
    )


def rewards(
    pool: float | None,
    total: np.ndarray,
    ranked: np.ndarray,
    meets: np.ndarray,
    warn: np.ndarray,
    zone_ids: np.ndarray,
    policy: Policy,
) -> tuple[np.ndarray, float | None, str | None]:
    """Reward per zone (万元; NaN when not allocated), the unallocated rest and why it is left.

    ``pool``: the resolved pool (:func:`reward_pool`), ``None`` when neither the argument nor
    ``assessment.reward_pool_wan`` gives one. With ``assessment.reward_top_count`` unset the
    whole pool is unallocated, the reason :data:`REWARD_TOP_UNSET`.
    """
    n = len(total)
    if pool is None:
        return (
            np.full(n, np.nan),
            None,
            "no reward pool: pass reward_pool_wan= or set `assessment.reward_pool_wan`",
        )
    top_value = applied(policy, "assessment.reward_top_count")
    if top_value is None:
        return np.full(n, np.nan), float(pool), REWARD_TOP_UNSET
    top = int(top_value)
    cap = float(policy.require("assessment.reward_wan_max"))
    eligible = ranked & (meets == 1) & ~warn
    reward = np.zeros(n)
    winners = np.zeros(0, dtype="int64")
    if top > 0 and eligible.any():
        cut = np.sort(total[eligible])[::-1][min(top, int(eligible.sum())) - 1]
        winners = np.flatnonzero(eligible & (total >= cut))
        reward[winners] = allocate_rewards(total[winners], pool=float(pool), cap=cap)
    unallocated = float(pool) - float(reward.sum())
    reason = None
    if unallocated > 1e-9:
        if top <= 0:
            reason = "assessment.reward_top_count is 0: nobody shares the pool"
        elif not eligible.any():
            reason = (
                f"no eligible zone: {int(ranked.sum())} ranked, of which "
                f"{int((ranked & (meets == 1)).sum())} meet the creation conditions and "
                f"{int((ranked & (meets == 1) & ~warn).sum())} of those have no elimination "
                f"warning (not meeting the conditions: "
                f"{', '.join(map(str, zone_ids[ranked & (meets != 1)])) or '-'}; warned: "
                f"{', '.join(map(str, zone_ids[ranked & warn])) or '-'})"
            )
        else:
            reason = (
                f"{len(winners)} winner(s) capped at assessment.reward_wan_max = {cap:g} 万元 "
                f"each ({len(winners)} × {cap:g} = {len(winners) * cap:g} < pool {float(pool):g})"
            )
    return reward, unallocated, reason


#: How tier_progress says which count it compared with the targets (tiers.count_rule).
_COUNT_NOTES = {
    "at_or_above": "shortfall counted on zones_at_or_above (tiers.count_rule): the plan does not "
    "say whether a lower tier's count includes the higher tiers",
    "in_tier": "shortfall counted on the zones of each tier alone (tiers.count_rule): the plan "
    "does not say whether a lower tier's count includes the higher tiers",
    None: 'not evaluated: set `tiers.count_rule` ("at_or_above" or "in_tier"): the plan '
    "does not say whether a lower tier's count includes the higher tiers",
}


@records_policy
def tier_progress(assessment: pd.DataFrame, *, policy: PolicyLike) -> pd.DataFrame:
    """City-level progress toward the tier targets (``tiers.levels``, by ``tiers.target_year``).

    One row per tier, lowest first: ``tier``, ``revenue_yi_min`` (亿元), ``zones`` (zones whose
    highest tier is this one), ``zones_at_or_above`` (this tier or a higher one),
    ``target_count`` (the profile's count, ``<NA>`` when the profile gives none — an
    unsourced count stays unset), ``shortfall`` (target − counted zones, ≥ 0; ``<NA>``
    without a target) and ``target_met``. The plan's targets (≥ 10 zones > 100 亿; 5 at 300–500;
    3 at 500–1000; 3 > 1000) do not say whether a lower count includes the higher tiers: the
    profile's ``tiers.count_rule`` (a method choice) says which count the shortfall uses,
    ``"at_or_above"`` (qingdao-2019: a 千亿 zone is also over 100 亿) or ``"in_tier"``; unset,
    shortfall and target_met are ``<NA>``. Both counts are always given. ``attrs``:
    ``policy``, ``year``, ``target_year``, ``count_rule``, ``source``, ``confidence``, ``note``.

    Examples
    --------
    >>> a = pd.DataFrame({"zone_id": ["A", "B", "C"], "tier": ["千亿级", "百亿级", None]})
    >>> p = tier_progress(a, policy="qingdao-2019")
    >>> p["tier"].tolist(), p["zones"].tolist(), p["zones_at_or_above"].tolist()
    (['百亿级', '三百亿级', '五百亿级', '千亿级'], [1, 0, 0, 1], [2, 1, 1, 1])
    >>> p["target_count"].tolist(), p["shortfall"].tolist()
    ([10, 5, 3, 3], [8, 4, 2, 2])
    >>> from landuse.policy import load_policy
    >>> banded = load_policy("qingdao-2019").replace({"tiers.count_rule": "in_tier"})
    >>> tier_progress(a, policy=banded)["shortfall"].tolist()
    [9, 5, 3, 2]
    """
    caller = "tier_progress"
    policy = resolve_policy(policy, caller=caller)
    if not isinstance(assessment, pd.DataFrame) or "tier" not in assessment.columns:
        msg = f"{caller}: `assessment` must be the DataFrame of assess_zones (with `tier`)"
        raise ValueError(msg)
    levels = sorted(policy.require("tiers.levels"), key=lambda t: t.revenue_yi_min)
    names = [t.name for t in levels]
    counts = assessment["tier"].value_counts()
    zones = np.array([int(counts.get(name, 0)) for name in names])
    above = zones[::-1].cumsum()[::-1]
    goal = pd.array([getattr(t, "target_count", None) for t in levels], dtype="Int64")
    rule = applied(policy, "tiers.count_rule")
    counted = {"at_or_above": above, "in_tier": zones}.get(rule)
    if counted is None:  # unset: which count meets a target is not decided
        shortfall = pd.array([pd.NA] * len(levels), dtype="Int64")
    else:
        shortfall = (pd.Series(goal) - counted).clip(lower=0).array
    out = pd.DataFrame(
        {
            "tier": pd.array(names, dtype="str"),
            "revenue_yi_min": [float(t.revenue_yi_min) for t in levels],
            "zones": zones,
            "zones_at_or_above": above,
            "target_count": goal,
            "shortfall": shortfall,
            "target_met": pd.array(shortfall == 0, dtype="boolean"),
        }
    )
    prov = policy.provenance("tiers.levels")
    out.attrs = {
        "policy": policy.name,
        "year": assessment.attrs.get("year"),
        "target_year": applied(policy, "tiers.target_year"),
        "source": prov.source,
        "confidence": prov.confidence,
        "count_rule": rule,
        "note": _COUNT_NOTES.get(rule, _COUNT_NOTES[None]),
    }
    return out
