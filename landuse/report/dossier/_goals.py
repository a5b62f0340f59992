"""The plan's goals on the pages: expected targets, investment attraction, tier progress.

:func:`landuse.assess_zones` computes each zone's ``meets_targets`` / ``target_failures`` (the
expected targets whose miss warns of elimination), its ``fortune500_projects`` and
``projects_over_100m`` of the year with ``attraction_target_met``;
:func:`landuse.assessment.tier_progress` counts the zones per tier against the tier targets
(computed once in :func:`~landuse.report.dossier._data.build_context`). This module only
shows them; what could not be evaluated is said with its reason, never shown as a blank or 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from landuse._checks import Lang
from landuse.assessment import ATTRACTION_TARGETS, TIER_PROGRESS_COLUMNS
from landuse.policy import Policy
from landuse.report import _html
from landuse.report.dossier._common import header, numbers
from landuse.report.dossier._data import Context
from landuse.report.dossier._text import text

__all__ = [
    "attraction_gap",
    "attraction_minimums",
    "city_attraction",
    "targets_notes",
    "tier_progress_section",
    "zone_attraction",
]


def _missing(value: Any) -> bool:
    """``None``, NaN or ``pd.NA``."""
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _joined(items: list[str], lang: Lang) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


def _count(value: Any) -> str:
    """A count as text: 5, 1.5."""
    return f"{float(value):g}"


def _yes_no(value: Any, lang: Lang) -> str:
    """是 / 否 / 未评价 (missing)."""
    if _missing(value):
        return text("not_evaluated", lang)
    return text("yes", lang) if bool(value) else text("no", lang)


def attraction_minimums(policy: Policy) -> dict[str, float | None]:
    """``{column: minimum}`` of the attraction target; ``None`` where the profile sets none.

    Examples
    --------
    >>> from landuse.policy import load_policy
    >>> attraction_minimums(load_policy("qingdao-2019"))
    {'fortune500_projects': 1.0, 'projects_over_100m': 5.0}
    """
    out: dict[str, float | None] = {}
    for column, key in ATTRACTION_TARGETS:
        value = policy.provenance(key).value
        out[column] = None if value is None else float(value)
    return out


def attraction_gap(policy: Policy, zone_stats: pd.DataFrame, lang: Lang) -> str | None:
    """Why no zone's attraction target can be evaluated, or ``None`` when it can be.

    A minimum the profile leaves unset, or a count column the statistics lack (as
    :func:`landuse.assess_zones` reports in ``attrs["not_evaluated"]``).

    Examples
    --------
    >>> from landuse.policy import load_policy
    >>> stats = pd.DataFrame({"zone_id": ["A"], "year": [2021], "fortune500_projects": [1]})
    >>> attraction_gap(load_policy("qingdao-2019"), stats, "zh")
    '未评价：集聚区统计缺少 projects_over_100m 列。'
    >>> attraction_gap(load_policy("qingdao-2019"), stats.assign(projects_over_100m=5), "zh")
    """
    unset = [key for column, key in ATTRACTION_TARGETS if policy.provenance(key).value is None]
    if unset:
        return text("unset_keys", lang, keys=_joined(unset, lang))
    lacking = [column for column, _ in ATTRACTION_TARGETS if column not in zone_stats.columns]
    if lacking:
        return text("lacks_columns", lang, columns=_joined(lacking, lang))
    return None


def _rule(minimums: dict[str, float | None]) -> dict[str, str]:
    """The minimums as the rule's placeholders (— when unset)."""
    return {
        "fortune500": "—" if minimums["fortune500_projects"] is None
        else _count(minimums["fortune500_projects"]),
        "over_100m": "—" if minimums["projects_over_100m"] is None
        else _count(minimums["projects_over_100m"]),
    }  # fmt: skip


def _attraction_note(ctx: Context, row: pd.Series, minimums: dict[str, float | None]) -> str:
    """Met, missed (which count below which minimum) or not evaluated (and why)."""
    lang = ctx.lang
    met = row.get("attraction_target_met")
    if _missing(met):
        why = attraction_gap(ctx.policy, ctx.data.zone_stats, lang)
        if why is None:
            lacking = [c for c in minimums if _missing(row.get(c))]
            why = text("zone_lacks_values", lang, year=ctx.year, columns=_joined(lacking, lang))
        return _html.note(text("attraction_unknown", lang, why=why), kind="warning")
    if bool(met):
        return _html.note(text("attraction_met", lang))
    misses = [
        f"{header(c, lang)} {_count(row.get(c))} < {_count(goal)}"
        for c, goal in minimums.items()
        if goal is not None and not _missing(row.get(c)) and float(row.get(c)) < goal
    ]
    why = "; ".join(misses) or "—"
    return _html.note(text("attraction_not_met", lang, why=why), kind="warning")


def zone_attraction(ctx: Context, row: pd.Series) -> str:
    """The zone's 招商引资目标 section: counts of the year, minimums, met or why not evaluated."""
    lang = ctx.lang
    minimums = attraction_minimums(ctx.policy)
    values = [row.get(c) for c in minimums]
    met = [
        pd.NA if _missing(v) or goal is None else float(v) >= goal
        for v, goal in zip(values, minimums.values(), strict=True)
    ]
    table = pd.DataFrame(
        {
            text("attraction_item", lang): [header(c, lang) for c in minimums],
            text("value", lang): numbers([np.nan if _missing(v) else v for v in values]),
            text("minimum", lang): numbers([np.nan if g is None else g for g in minimums.values()]),
            text("met", lang): [_yes_no(m, lang) for m in met],
        }
    )
    body = (
        _html.note(text("attraction_rule", lang, **_rule(minimums)))
        + _attraction_note(ctx, row, minimums)
        + _html.table(table, table_id="attraction", lang=lang)
    )
    return _html.section(text("attraction", lang), body, section_id="attraction")


def targets_notes(ctx: Context, row: pd.Series) -> str:
    """Expected targets (met, missed with the misses, or not evaluated) and why warned."""
    lang = ctx.lang
    met = row.get("meets_targets")
    if _missing(met):
        key = "targets_not_given" if ctx.targets is None else "targets_unknown"
        notes = [_html.note(text(key, lang, year=ctx.year))]
    elif bool(met):
        notes = [_html.note(text("targets_met", lang))]
    else:
        why = row.get("target_failures")
        why = "—" if _missing(why) or not str(why) else str(why)
        notes = [_html.note(text("targets_missed", lang, why=why), kind="warning")]
    reason = row.get("elimination_reason")
    if bool(row.get("elimination_warning")) and isinstance(reason, str) and reason:
        notes.append(_html.note(text("elimination_reason", lang, why=reason), kind="warning"))
    return "".join(notes)


def _tier_table(progress: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """tier_progress's frame with catalogue headers: numbers as numbers, 是/否/未评价."""
    out = {}
    for column in TIER_PROGRESS_COLUMNS:
        values = progress[column]
        if column == "tier":
            shown = values.astype(object).to_numpy()
        elif column == "target_met":
            shown = [_yes_no(v, lang) for v in values.astype(object)]
        else:
            shown = numbers(values.astype("Float64")).to_numpy()
        out[header(column, lang)] = shown
    return pd.DataFrame(out)


def tier_progress_section(ctx: Context) -> str:
    """The city's 层级目标进度: zones per tier against the targets, with the counting rule."""
    lang = ctx.lang
    progress = ctx.tier_progress
    if progress is None:
        return ""
    year = progress.attrs.get("target_year")
    year = text("tier_progress_no_year", lang) if _missing(year) else year
    body = _html.table(_tier_table(progress, lang), table_id="tier-progress", lang=lang)
    rule = progress.attrs.get("count_rule", "at_or_above")  # without the attr: at or above
    key = {"at_or_above": "tier_progress_at_or_above", "in_tier": "tier_progress_in_tier"}
    body += _html.note(text(key.get(rule, "tier_progress_unset"), lang, year=year))
    return _html.section(text("tier_progress", lang), body, section_id="tier-progress")


def city_attraction(ctx: Context) -> str:
    """How many zones meet the attraction target (n of the m evaluated), or why none is."""
    lang = ctx.lang
    a = ctx.assessment
    if a is None:
        return ""
    met = a["attraction_target_met"].astype("boolean")
    evaluated = int(met.notna().sum())
    n_met = int(met.fillna(False).sum())
    rule = _html.note(text("attraction_rule", lang, **_rule(attraction_minimums(ctx.policy))))
    if not evaluated:
        why = attraction_gap(ctx.policy, ctx.data.zone_stats, lang) or text(
            "zones_lack_values",
            lang,
            year=ctx.year,
            columns=_joined(list(dict(ATTRACTION_TARGETS)), lang),
        )
        body = rule + _html.note(text("attraction_unknown", lang, why=why), kind="warning")
        return _html.section(text("attraction", lang), body, section_id="attraction")
    table = pd.DataFrame(
        {
            text("attraction_zones_met", lang): numbers([n_met]),
            text("zones_evaluated", lang): numbers([evaluated]),
            text("zones_not_evaluated", lang): numbers([len(a) - evaluated]),
        }
    )
    body = rule + _html.note(text("attraction_count", lang, n=n_met, m=evaluated))
    if evaluated < len(a):
        body += _html.note(text("attraction_some_unknown", lang, k=len(a) - evaluated))
    body += _html.table(table, table_id="attraction-count", lang=lang)
    return _html.section(text("attraction", lang), body, section_id="attraction")
