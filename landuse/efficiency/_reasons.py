"""Reason codes and how the flags of all rules become ``reasons`` and ``reason_text``.

Private: the registry :data:`REASONS` (documented in :mod:`landuse.efficiency`), the
:class:`Outcome` every rule returns, and the assembly of codes and sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__: list[str] = []


@dataclass(frozen=True)
class Reason:
    """One stable reason code with its labels and the rule behind it."""

    code: str
    group: str
    label_zh: str
    label_en: str
    rule_zh: str
    rule_en: str
    policy_keys: tuple[str, ...]
    columns: tuple[str, ...]


REASONS: tuple[Reason, ...] = (
    Reason(
        "idle_not_started",
        "idle",
        "闲置土地（未动工）",
        "idle land (not started)",
        "超过约定开工日期满 1 年未动工开发",
        "not started ≥ 1 year after the agreed start date",
        ("idle.start_delay_years",),
        ("agreed_start_date", "actual_start_date | production_status | completion_date"),
    ),
    Reason(
        "idle_stalled",
        "idle",
        "闲置土地（中止开发）",
        "idle land (stalled)",
        "已动工但开发面积不足 1/3 或投资不足 25%，中止开发满 1 年",
        "started, < 1/3 of the area developed or < 25 % invested, halted ≥ 1 year",
        ("idle.developed_area_share_min", "idle.invested_share_min", "idle.halted_years"),
        (
            "stopped_since",
            "developed_area_m2 | invested_wan + agreed_investment_wan",
            "actual_start_date | production_status | completion_date",
        ),
    ),
    Reason(
        "completion_overdue",
        "inefficient",
        "超期未竣工",
        "completion overdue",
        "竣工超过约定竣工日期 2 年以上（或逾期 2 年以上仍未竣工）",
        "completed (or still open) more than 2 years after the agreed completion date",
        ("inefficient.completion_overdue_years",),
        ("agreed_completion_date", "completion_date"),
    ),
    Reason(
        "low_investment",
        "inefficient",
        "投资强度不足",
        "investment intensity too low",
        "竣工满 2 年，投资强度低于约定的 50%",
        "completed ≥ 2 years, investment intensity < 50 % of the agreed value",
        (
            "inefficient.years_after_completion",
            "inefficient.investment_intensity_share_min",
        ),
        ("completion_date", "investment_wan", "agreed_investment_wan"),
    ),
    Reason(
        "low_output",
        "inefficient",
        "土地产出不足",
        "land output too low",
        "竣工满 2 年，亩均产出低于标准的 50%",
        "completed ≥ 2 years, output per 亩 < 50 % of the standard",
        (
            "inefficient.years_after_completion",
            "inefficient.output_share_min",
            "inefficient.output_standard_wan_per_mu",
        ),
        ("completion_date", "revenue_wan"),
    ),
    Reason(
        "production_stopped",
        "inefficient",
        "停产或半停产",
        "production stopped",
        "停产或半停产满 1 年",
        "production stopped or half-stopped ≥ 1 year",
        ("inefficient.stopped_years",),
        ("production_status", "stopped_since"),
    ),
    Reason(
        "far_below_min",
        "inefficient",
        "容积率不达标",
        "FAR below the control indicator",
        "容积率低于所属行业控制指标",
        "FAR below the minimum for the industry",
        ("far.min_far_by_division",),
        ("floor_area_m2 | buildings", "industry_code"),
    ),
    Reason(
        "building_coefficient_below_min",
        "inefficient",
        "建筑系数不达标",
        "building coefficient below the control indicator",
        "建筑系数低于控制指标",
        "building coefficient below the minimum",
        ("control.building_coefficient_min",),
        ("footprint_m2 | buildings",),
    ),
    Reason(
        "off_leading_industry",
        "inefficient",
        "不符合主导产业",
        "not the zone's leading industry",
        "行业不属于所在集聚区主导产业",
        "industry is not one of the zone's leading industries",
        (),
        ("industry_code", "zone_id | zones=", "zones.leading_industry_codes"),
    ),
    Reason(
        "eliminated_industry",
        "inefficient",
        "淘汰类产业",
        "eliminated industry",
        "行业属淘汰类或禁止类目录",
        "industry on the eliminated / prohibited list",
        ("inefficient.eliminated_industries",),
        ("industry_code",),
    ),
    Reason(
        "tax_below_floor",
        "inefficient",
        "亩均税收不达标",
        "tax per 亩 below the floor",
        "亩均税收低于标准",
        "tax per 亩 below the policy floor",
        ("inefficient.tax_wan_per_mu_min",),
        ("tax_wan",),
    ),
    Reason(
        "vacant_by_raster",
        "inefficient",
        "遥感疑似闲置",
        "vacant by land cover",
        "土地覆盖遥感显示建成面积占比低于阈值（筛查方法选择，national-2008 为 1/3）",
        "land cover shows less built-up than the threshold (a screening method choice; "
        "1/3 of the area in national-2008)",
        ("idle.land_cover_built_share_min",),
        ("raster_evidence= (landcover)",),
    ),
    Reason(
        "dark_by_night_light",
        "inefficient",
        "夜间灯光疑似停产",
        "dark at night",
        "夜间灯光活动指数低于阈值（方法选择，national-2008 为参考亮度的 0.1）",
        "night-light activity index below the threshold (a method choice; 0.1 of the "
        "reference light in national-2008)",
        ("idle.night_light_activity_index_max",),
        ("raster_evidence= (night_light)",),
    ),
    Reason(
        "grade_d",
        "bank",
        "亩均评价 D 类",
        "亩均 grade D",
        "亩均论英雄综合评价为 D 类",
        "graded D in the 亩均 evaluation",
        ("mujun.weights_above_scale", "mujun.class_cuts"),
        ("tax_wan", "value_added_wan", "…"),
    ),
    Reason(
        "grade_c_low_far",
        "bank",
        "亩均评价 C 类且容积率偏低",
        "亩均 grade C with a low FAR",
        "亩均评价为 C 类且容积率低于集聚区目标",
        "graded C and FAR below the zone's target FAR",
        ("mujun.class_cuts",),
        ("floor_area_m2 | buildings",),
    ),
)
REASON_BY_CODE = {r.code: r for r in REASONS}
IDLE_CODES = tuple(r.code for r in REASONS if r.group == "idle")
INEFFICIENT_CODES = tuple(r.code for r in REASONS if r.group == "inefficient")

TextFn = Callable[[np.ndarray, str], pa.Array]


@dataclass
class Outcome:
    """What one rule found."""

    code: str
    flagged: np.ndarray
    checked: np.ndarray
    missing: list[str] = field(default_factory=list)
    text: TextFn | None = None

    @property
    def evaluated(self) -> bool:
        """Whether the rule could be evaluated at all."""
        return not self.missing


def report(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """``attrs`` entries: ``rules`` (everything) and ``not_evaluated`` (code → what is missing)."""
    rules = {
        o.code: {
            "evaluated": o.evaluated,
            "missing": list(o.missing),
            "policy_keys": list(REASON_BY_CODE[o.code].policy_keys),
            "checked": int(o.checked.sum()),
            "flagged": int(o.flagged.sum()),
        }
        for o in outcomes
    }
    return {
        "rules": rules,
        "not_evaluated": {o.code: list(o.missing) for o in outcomes if not o.evaluated},
    }


def reasons(
    outcomes: Sequence[Outcome], positions: np.ndarray, lang: str
) -> tuple[pd.api.extensions.ExtensionArray, pd.api.extensions.ExtensionArray, np.ndarray]:
    """Codes (``;``-joined), texts (as ``str`` arrays) and counts for the parcels at ``positions``."""
    k = len(positions)
    code_parts: list[pa.Array] = []
    text_parts: list[pa.Array] = []
    count = np.zeros(k, dtype=np.int64)
    null = pa.scalar(None, pa.string())
    for o in outcomes:
        if not o.evaluated:
            continue
        hit = o.flagged[positions]
        if not hit.any():
            continue
        count += hit
        code_parts.append(pc.if_else(pa.array(hit), pa.scalar(o.code), null))
        assert o.text is not None
        texts = o.text(positions[hit], lang)
        take = np.full(k, -1, dtype=np.int64)
        take[hit] = np.arange(int(hit.sum()))
        text_parts.append(texts.take(pa.array(take, mask=take < 0)))
    if not code_parts:
        empty = pa.array([""] * k, type=pa.string())
        return pd.array(empty, dtype="str"), pd.array(empty, dtype="str"), count
    sep = "；" if lang == "zh" else "; "
    codes = pc.binary_join_element_wise(*code_parts, ";", null_handling="skip")
    texts = pc.binary_join_element_wise(*text_parts, sep, null_handling="skip")
    return pd.array(codes, dtype="str"), pd.array(texts, dtype="str"), count
