"""One zone's page (一区一档): header, map, assessment, bank, new land, firms, quality, policy.

Every number comes from a result of the context (:mod:`._data`); this module only picks the
zone's rows, labels them and lays them out. Every text from data goes through the HTML helpers,
which escape it.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from landuse._checks import Lang
from landuse.errors import LanduseError
from landuse.mapping import map_bank, map_compliance, map_parcels, map_zones
from landuse.report import _html, _svg
from landuse.report.dossier._common import header, labelled, numbers
from landuse.report.dossier._data import Context
from landuse.report.dossier._goals import targets_notes, zone_attraction
from landuse.report.dossier._sections import appendix, enterprises, new_land, quality
from landuse.report.dossier._text import text
from landuse.schema import category_label
from landuse.units import M2_PER_KM2

__all__ = ["render_zone", "zone_row"]

#: How many bank candidates and firms a page lists.
TOP_CANDIDATES = 10
TOP_FIRMS = 20


def zone_row(ctx: Context, zone_id: Any) -> pd.Series:
    """The zone's row of ``data.zones``; a ValueError naming the known ids if there is none."""
    zones = ctx.data.zones
    hit = zones[zones["zone_id"].astype(str) == str(zone_id)]
    if not len(hit):
        known = ", ".join(map(str, zones["zone_id"].head(20)))
        msg = f"zone_dossier(): no zone {zone_id!r} in `data.zones`; zones: {known}."
        raise ValueError(msg)
    return hit.iloc[0]


def _overview(ctx: Context, zone: pd.Series) -> str:
    lang = ctx.lang
    fa = ctx.data.functional_areas
    areas = text("no_functional_areas", lang)
    if fa is not None and "area_type" in fa:
        types = fa.loc[fa["zone_id"].astype(str) == str(zone["zone_id"]), "area_type"]
        if len(types):
            sep = "、" if lang == "zh" else ", "
            areas = sep.join(category_label("area_type", t, lang=lang) for t in types)
    pairs = [
        (text("zone_id", lang), zone["zone_id"]),
        (text("name", lang), zone.get("name", "")),
        (text("district", lang), zone.get("district", "")),
        (text("leading_industry", lang), zone.get("leading_industry", "")),
        (text("tier_target", lang), zone.get("tier_target") or "—"),
        (text("area_km2", lang), f"{zone.geometry.area / M2_PER_KM2:,.2f}"),
        (text("functional_areas", lang), areas),
        (text("as_of", lang), ctx.as_of.date().isoformat()),
        (text("policy", lang), ctx.policy.name),
    ]
    return _html.section(text("header", lang), _html.facts(pairs), section_id="overview")


def _zone_map(ctx: Context, zone: pd.Series) -> str:
    """One offline map: zone + functional areas, parcels by grade, bank, new land."""
    lang = ctx.lang
    zid = str(zone["zone_id"])
    zones = ctx.data.zones[ctx.data.zones["zone_id"].astype(str) == zid]
    fa = ctx.data.functional_areas
    if fa is not None:
        fa = fa[fa["zone_id"].astype(str) == zid]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = map_zones(zones, functional_areas=fa, basemap=None, lang=lang)
            parcels = ctx.parcels_of(zid)
            if len(parcels):
                graded = parcels.assign(
                    grade=parcels["parcel_id"].astype(str).map(ctx.parcel_grade)
                )
                if graded["grade"].notna().any():
                    m = map_parcels(graded, column="grade", m=m, lang=lang)
            bank = ctx.bank_of(zid)
            if bank is not None and len(bank):
                m = map_bank(bank, m=m, lang=lang)
            report = ctx.proposals_of(zid)
            if report is not None and len(report):
                m = map_compliance(report, zones=zones, m=m, lang=lang)
        body = _html.map_frame(m, height=460)
    except LanduseError as exc:
        body = _html.note(str(exc), kind="warning")
    return _html.section(
        text("map", lang), _html.note(text("map_note", lang)) + body, section_id="map"
    )


def _unit(unit: str | None, lang: Lang) -> str:
    """An indicator's unit as the page shows it (the share's unit in the page's language)."""
    if unit == "share (0–1)" and lang == "zh":
        return "比例（0–1）"
    return unit or ""


def _indicator_table(ctx: Context, row: pd.Series, assessment: pd.DataFrame) -> pd.DataFrame:
    """The seven indicators of the zone: value, change, benchmarks, target, part scores."""
    lang = ctx.lang
    targets = ctx.policy.assessment.stock_targets or {}
    creation = {
        "leading_industry_share": ctx.policy.zone_creation.leading_industry_share_min,
        "new_project_investment_intensity": (
            ctx.policy.zone_creation.new_project_investment_wan_per_mu_min
        ),
    }
    rows = []
    for b in ctx.benchmarks.get(ctx.year, []):
        key, column = b["indicator"], b["column"]
        rows.append(
            {
                text("indicator", lang): b.get("label", key),
                text("unit", lang): _unit(b.get("unit"), lang),
                text("value", lang): row.get(column),
                text("increment", lang): row.get(f"{column}_increment"),
                text("stock_benchmark", lang): b.get("stock_benchmark"),
                text("increment_benchmark", lang): b.get("increment_benchmark"),
                text("target", lang): targets.get(key, creation.get(key)),
                text("stock_score", lang): row.get(f"{key}_stock_score"),
                text("increment_score", lang): row.get(f"{key}_increment_score"),
            }
        )
    frame = pd.DataFrame(rows)
    for column in list(frame.columns)[2:]:
        frame[column] = numbers(frame[column]).to_numpy()
    return frame


def _tier_text(tier: Any, revenue_yi: Any, lang: str) -> str:
    """The tier; 未入级 below the lowest tier; — when there is no revenue to tier."""
    if pd.notna(tier):
        return str(tier)
    return text("below_tiers", lang) if pd.notna(revenue_yi) else "—"  # type: ignore[arg-type]


def _score_facts(ctx: Context, row: pd.Series) -> str:
    lang = ctx.lang
    yes, no = text("yes", lang), text("no", lang)
    rank = row.get("rank")
    tier = row.get("tier")
    met = row.get("meets_targets")
    return _html.table(
        pd.DataFrame(
            {
                text("rank", lang): numbers([rank]),
                text("total_score", lang): numbers([row.get("total_score")]),
                text("stock_score", lang): numbers([row.get("stock_score")]),
                text("increment_score", lang): numbers([row.get("increment_score")]),
                text("tier", lang): [_tier_text(tier, row.get("revenue_yi"), lang)],
                text("revenue_yi", lang): numbers([row.get("revenue_yi")]),
                text("reward_wan", lang): numbers([row.get("reward_wan")]),
                text("elimination_warning", lang): [yes if row.get("elimination_warning") else no],
                text("meets_targets", lang): [
                    text("not_evaluated", lang) if pd.isna(met) else yes if met else no
                ],
            }
        ),
        table_id="scores",
        lang=lang,
    )


def _creation(ctx: Context, row: pd.Series) -> str:
    lang = ctx.lang
    met = row.get("meets_creation_conditions")
    why = row.get("creation_failures")
    why = "" if why is None or (isinstance(why, float) and np.isnan(why)) else str(why)
    notes = row.get("notes")
    why = why or (str(notes) if isinstance(notes, str) else "")
    if met is pd.NA or met is None:
        body = _html.note(text("creation_unknown", lang, why=why or "—"), kind="warning")
    elif bool(met):
        body = _html.note(text("creation_met", lang))
    else:
        body = _html.note(text("creation_not_met", lang, why=why or "—"), kind="warning")
    return _html.section(text("creation", lang), body, section_id="creation")


def _history(ctx: Context, zid: str) -> str:
    """A small chart per indicator (and the total score) over the years available."""
    lang = ctx.lang
    years = [y for y in ctx.years if y in ctx.assessments]
    if len(years) < 2:
        return _html.note(text("no_history", lang))
    current = ctx.year if ctx.year in ctx.benchmarks else years[-1]
    rows = {y: ctx.assessment_row(y, zid) for y in years}
    charts = []
    series = [(text("total_score", lang), "total_score", None)] + [
        (b.get("label", b["indicator"]), b["column"], _unit(b.get("unit"), ctx.lang))
        for b in ctx.benchmarks.get(current, [])
    ]
    for label, column, unit in series:
        values = [
            float(r[column]) if r is not None and pd.notna(r.get(column)) else float("nan")
            for r in rows.values()
        ]
        charts.append(_svg.line_chart(years, {label: values}, title=label, unit=unit))
    body = '<div class="charts">' + "".join(charts) + "</div>"
    return _html.section(text("history", lang), body, section_id="history")


def _assessment(ctx: Context, zid: str) -> str:
    lang = ctx.lang
    if ctx.assessment is None:
        why = ctx.assessment_errors.get(ctx.year, "")
        body = _html.note(text("no_year", lang, year=ctx.year, why=why), kind="warning")
        return _html.section(
            text("assessment", lang), body + _history(ctx, zid), section_id="assessment"
        )
    row = ctx.assessment_row(ctx.year, zid)
    if row is None:
        why = text("not_evaluated", lang)
        body = _html.note(text("zone_no_stats", lang, year=ctx.year, why=why), kind="warning")
        return _html.section(
            text("assessment", lang), body + _history(ctx, zid), section_id="assessment"
        )
    parts = [_score_facts(ctx, row), targets_notes(ctx, row)]
    if pd.isna(row.get("rank")):
        why = row.get("notes")
        why = str(why) if isinstance(why, str) and why else text("unranked", lang)
        parts.insert(
            0, _html.note(text("zone_no_stats", lang, year=ctx.year, why=why), kind="warning")
        )
    table = _indicator_table(ctx, row, ctx.assessment)
    parts.append(
        _html.table(table, caption=text("indicators", lang), table_id="indicators", lang=lang)
    )
    parts.append(_creation(ctx, row))
    parts.append(zone_attraction(ctx, row))
    parts.append(_history(ctx, zid))
    return _html.section(text("assessment", lang), "".join(parts), section_id="assessment")


def _bank_counts(ctx: Context, bank: pd.DataFrame) -> pd.DataFrame:
    lang = ctx.lang
    grouped = bank.groupby(["route", "status"], dropna=False, sort=True)
    counts = grouped.size()
    mu = grouped["land_area_mu"].sum(min_count=1) if "land_area_mu" in bank else counts * np.nan
    frame = counts.rename("count").to_frame().join(mu.rename("land_area_mu")).reset_index()
    return pd.DataFrame(
        {
            text("route", lang): labelled(frame["route"], "route", lang).to_numpy(),
            text("status", lang): labelled(frame["status"], "bank_status", lang).to_numpy(),
            text("count", lang): numbers(frame["count"]).to_numpy(),
            text("land_mu", lang): numbers(frame["land_area_mu"]).to_numpy(),
        }
    )


def _top_candidates(ctx: Context, bank: pd.DataFrame) -> pd.DataFrame:
    lang = ctx.lang
    top = bank.sort_values("priority", ascending=False, kind="stable").head(TOP_CANDIDATES)
    out = pd.DataFrame(index=range(len(top)))
    for column in ("candidate_id", "parcel_id", "enterprise"):
        if column in top:
            out[header(column, lang)] = top[column].astype(object).to_numpy()
    out[header("route", lang)] = labelled(top["route"], "route", lang).to_numpy()
    if "reason_text" in top:
        out[header("reason_text", lang)] = top["reason_text"].astype(object).to_numpy()
    for column in ("land_area_mu", "land_freed_mu", "potential_extra_floor_area_m2",
                   "tax_gain_wan", "priority"):  # fmt: skip
        if column in top:
            out[header(column, lang)] = numbers(top[column]).to_numpy()
    return out


def _bank(ctx: Context, zid: str) -> str:
    lang = ctx.lang
    if ctx.bank is None:
        note = _html.note(text("bank_missing", lang, why=ctx.bank_error or ""), kind="warning")
        return _html.section(text("bank", lang), note, section_id="bank")
    source = {
        "built": text("bank_source_built", lang, as_of=ctx.as_of.date().isoformat()),
        "store": text("bank_source_store", lang, target=ctx.bank.attrs.get("bank", "")),
        "frame": text("bank_source_frame", lang),
    }[ctx.bank_note]
    bank = ctx.bank_of(zid)
    if bank is None or not len(bank):
        body = _html.note(text("no_bank", lang))
    else:
        body = _html.table(
            _bank_counts(ctx, bank), caption=text("bank_by_route", lang), table_id="bank-counts"
        ) + _html.table(
            _top_candidates(ctx, bank),
            caption=text("top_candidates", lang, n=min(TOP_CANDIDATES, len(bank))),
            table_id="bank-top",
            lang=lang,
        )
    return _html.section(text("bank", lang), _html.note(source) + body, section_id="bank")


def render_zone(ctx: Context, zone_id: Any, *, city_href: str = "index.html") -> str:
    """The zone's page as one HTML document."""
    zone = zone_row(ctx, zone_id)
    zid = str(zone["zone_id"])
    lang = ctx.lang
    name = zone.get("name") or zid
    nav = f'<nav class="back">{_html.link(city_href, text("back_to_city", lang))}</nav>'
    body = "".join(
        [
            nav,
            f"<h1>{_html.esc(text('zone_title', lang, name=name, year=ctx.year))}</h1>",
            _overview(ctx, zone),
            _zone_map(ctx, zone),
            _assessment(ctx, zid),
            _bank(ctx, zid),
            new_land(ctx, zid),
            enterprises(ctx, zid),
            quality(ctx, zid),
            appendix(ctx),
            nav,
        ]
    )
    title = text("zone_title", lang, name=name, year=ctx.year)
    return _html.page(title, body, lang=lang, notice=ctx.notice)
