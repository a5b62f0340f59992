"""The city page: ranking with tiers and changes, tier map, bank totals, land outside, links."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from landuse.compliance import outside_zone_summary
from landuse.errors import LanduseError
from landuse.mapping import map_assessment
from landuse.report import _html
from landuse.report.dossier._common import header, labelled, numbers
from landuse.report.dossier._data import Context
from landuse.report.dossier._goals import city_attraction, tier_progress_section
from landuse.report.dossier._sections import appendix
from landuse.report.dossier._text import text

__all__ = ["render_city"]


def _ranking(ctx: Context, files: Mapping[str, str]) -> pd.DataFrame:
    """This year's ranking beside last year's rank and tier (the change = last − this)."""
    lang = ctx.lang
    a = ctx.assessment
    assert a is not None
    keys = a["zone_id"].astype(str)
    prev = ctx.previous
    if prev is not None:
        before = prev.assign(_key=prev["zone_id"].astype(str)).set_index("_key")
        prev_rank = numbers(keys.map(before["rank"].astype("Float64")).to_numpy())
        prev_tier = keys.map(before["tier"].astype(object))
    else:
        prev_rank = numbers([np.nan] * len(a))
        prev_tier = pd.Series([None] * len(a))
    rank = numbers(a["rank"].astype("Float64").to_numpy())
    below = text("below_tiers", lang)
    return pd.DataFrame(
        {
            text("rank", lang): rank.to_numpy(),
            header("zone_id", lang): keys.to_numpy(),
            header("name", lang): [
                _html.link(files[k], str(n)) if k in files else _html.esc(n)
                for k, n in zip(keys, a["name"] if "name" in a else keys, strict=True)
            ],
            text("total_score", lang): numbers(a["total_score"]).to_numpy(),
            text("stock_score", lang): numbers(a["stock_score"]).to_numpy(),
            text("increment_score", lang): numbers(a["increment_score"]).to_numpy(),
            text("tier", lang): a["tier"].astype(object).where(a["tier"].notna(), below).to_numpy(),
            text("revenue_yi", lang): numbers(a["revenue_yi"]).to_numpy(),
            text("previous_rank", lang): prev_rank.to_numpy(),
            text("rank_change", lang): (prev_rank - rank).to_numpy(),
            text("previous_tier", lang): prev_tier.astype(object)
            .where(prev_tier.notna(), "—")
            .to_numpy(),
            text("reward_wan", lang): numbers(a["reward_wan"]).to_numpy(),
        }
    )


def _tier_map(ctx: Context) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = map_assessment(ctx.assessment, zones=ctx.data.zones, basemap=None, lang=ctx.lang)
        return _html.map_frame(m, height=520)
    except LanduseError as exc:
        return _html.note(str(exc), kind="warning")


def _bank_totals(ctx: Context) -> str:
    lang = ctx.lang
    if ctx.bank is None:
        return _html.note(text("bank_missing", lang, why=ctx.bank_error or ""), kind="warning")
    bank = ctx.bank
    zone = bank["zone_id"].astype(object).where(bank["zone_id"].notna(), "—")
    grouped = bank.groupby([zone.to_numpy(), bank["route"].astype(str).to_numpy()], sort=True)
    counts = grouped.size()
    mu = grouped["land_area_mu"].sum(min_count=1)
    frame = pd.DataFrame({"count": counts, "mu": mu}).reset_index(names=["zone_id", "route"])
    table = pd.DataFrame(
        {
            header("zone_id", lang): frame["zone_id"].astype(object).to_numpy(),
            text("route", lang): labelled(frame["route"], "route", lang).to_numpy(),
            text("count", lang): numbers(frame["count"]).to_numpy(),
            text("land_mu", lang): numbers(frame["mu"]).to_numpy(),
        }
    )
    return _html.table(table, caption=text("bank_totals", lang), table_id="bank-totals")


def _outside(ctx: Context) -> str:
    lang = ctx.lang
    if ctx.compliance is None:
        return _html.note(text("proposals_missing", lang))
    summary = outside_zone_summary(ctx.compliance, lang=lang)
    if not len(summary) or not summary["outside_or_straddling"].sum():
        return _html.note(text("no_outside", lang))
    shown = summary.reset_index()
    shown.columns = [header(str(c), lang) for c in shown.columns]
    return _html.table(shown, caption=text("outside_land", lang), table_id="outside")


def _links(ctx: Context, files: Mapping[str, str]) -> str:
    zones = ctx.data.zones
    items = []
    for zone_id, name in zip(zones["zone_id"].astype(str), zones.get("name", zones["zone_id"])):
        href = files.get(zone_id)
        if href:
            items.append(f"<li>{_html.link(href, f'{zone_id} {name}')}</li>")
    return f'<ul class="zone-links">{"".join(items)}</ul>'


def render_city(ctx: Context, files: Mapping[str, str]) -> str:
    """The city report for ``ctx.year`` as one HTML document; ``files`` maps zone → page."""
    lang = ctx.lang
    title = text("city_title", lang, year=ctx.year)
    parts = [f"<h1>{_html.esc(title)}</h1>"]
    if ctx.assessment is None:
        why = ctx.assessment_errors.get(ctx.year, "")
        parts.append(_html.section(
            text("ranking", lang),
            _html.note(text("no_year", lang, year=ctx.year, why=why), kind="warning"),
            section_id="ranking",
        ))  # fmt: skip
    else:
        ranking = _html.table(
            _ranking(ctx, files),
            table_id="ranking",
            lang=lang,
            html_columns=[header("name", lang)],
        )
        parts.append(_html.section(text("ranking", lang), ranking, section_id="ranking"))
        parts.append(_html.section(text("city_map", lang), _tier_map(ctx), section_id="map"))
        parts.append(tier_progress_section(ctx))
        parts.append(city_attraction(ctx))
    parts.append(_html.section(text("bank_totals", lang), _bank_totals(ctx), section_id="bank"))
    parts.append(_html.section(text("outside_land", lang), _outside(ctx), section_id="outside"))
    parts.append(_html.section(text("zone_pages", lang), _links(ctx, files), section_id="zones"))
    parts.append(appendix(ctx))
    return _html.page(title, "".join(parts), lang=lang, notice=ctx.notice)
