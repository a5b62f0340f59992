"""The zone page's lower sections: new land, enterprises, data quality, policy appendix."""

from __future__ import annotations

import pandas as pd

from landuse.report import _html
from landuse.report.dossier._common import (
    bullet_list,
    header,
    labelled,
    numbers,
)
from landuse.report.dossier._data import Context
from landuse.report.dossier._text import text
from landuse.units import m2_to_mu

__all__ = ["appendix", "enterprises", "new_land", "quality"]

#: How many firms of the lowest grades a zone page lists; how many ids a quality line names.
TOP_FIRMS = 20
IDS_SHOWN = 5

_READ_ITEMS = {
    "repaired": ("几何已修复", "geometry repaired"),
    "dropped": ("空几何已剔除", "empty geometry dropped"),
    "filled_area": ("用地面积取自图形面积", "land area filled from the geometry"),
    "area_mismatch": ("申报面积与图形面积不符", "declared area differs from the geometry"),
}


def _verdict_counts(ctx: Context, report: pd.DataFrame) -> pd.DataFrame:
    lang = ctx.lang
    grouped = report.groupby(report["verdict"].astype(str), sort=True)
    area = grouped["land_area_m2"].sum(min_count=1) if "land_area_m2" in report else None
    codes = grouped.size().index.to_series()
    return pd.DataFrame(
        {
            header("verdict", lang): labelled(codes, "verdict", lang).to_numpy(),
            text("count", lang): numbers(grouped.size()).to_numpy(),
            text("land_mu", lang): numbers(m2_to_mu(area.to_numpy(dtype=float)))
            if area is not None
            else numbers([None] * len(codes)),
        }
    )


def _proposal_list(ctx: Context, report: pd.DataFrame) -> pd.DataFrame:
    lang = ctx.lang
    out = pd.DataFrame(index=range(len(report)))
    for column in ("proposal_id", "project"):
        if column in report:
            out[header(column, lang)] = report[column].astype(object).to_numpy()
    out[header("verdict", lang)] = labelled(report["verdict"], "verdict", lang).to_numpy()
    out[header("share_in_zone", lang)] = numbers(report["share_in_zone"]).to_numpy()
    if "land_area_m2" in report:
        mu = m2_to_mu(report["land_area_m2"].to_numpy(dtype=float))
        out[header("land_area_mu", lang)] = numbers(mu).to_numpy()
    out[header("reason_text", lang)] = report["reason_text"].astype(object).to_numpy()
    return out


def _standard_land(ctx: Context, report: pd.DataFrame) -> str:
    lang = ctx.lang
    checked = ctx.standard_land
    if checked is None or "proposal_id" not in report:
        return _html.note(text("standard_land_none", lang))
    rows = checked[checked["proposal_id"].astype(str).isin(report["proposal_id"].astype(str))]
    if not len(rows):
        return _html.note(text("standard_land_none", lang))
    out = pd.DataFrame({header("proposal_id", lang): rows["proposal_id"].astype(object).to_numpy()})
    for column in ("investment_wan_per_mu", "investment_wan_per_mu_min", "far", "far_min",
                   "tax_wan_per_mu", "tax_wan_per_mu_min"):  # fmt: skip
        if column in rows:
            out[header(column, lang)] = numbers(rows[column]).to_numpy()
    yes, no = text("yes", lang), text("no", lang)
    met = rows["standard_land_met"].astype("boolean")
    out[text("standard_land", lang)] = [
        "—" if pd.isna(v) else (yes if v else no) for v in met
    ]  # fmt: skip
    out[header("reason_text", lang)] = rows["reasons"].astype(object).to_numpy()
    table = _html.table(out, caption=text("standard_land", lang), table_id="standard-land")
    return table + _html.note(text("acceptance_note", lang))


def new_land(ctx: Context, zid: str) -> str:
    """New industrial land of the zone: by verdict, the list, the standard-land check."""
    lang = ctx.lang
    if ctx.compliance is None:
        body = _html.note(text("proposals_missing", lang))
        return _html.section(text("new_land", lang), body, section_id="new-land")
    report = ctx.proposals_of(zid)
    if report is None or not len(report):
        body = _html.note(text("no_proposals", lang))
        return _html.section(text("new_land", lang), body, section_id="new-land")
    body = _html.table(
        _verdict_counts(ctx, report), caption=text("verdict", lang), table_id="new-land-counts"
    )
    body += _html.table(
        _proposal_list(ctx, report), caption=text("proposals_list", lang), table_id="new-land"
    )
    body += _standard_land(ctx, report)
    return _html.section(text("new_land", lang), body, section_id="new-land")


def _grade_counts(ctx: Context, firms: pd.DataFrame) -> pd.DataFrame:
    lang = ctx.lang
    grades = firms["grade"].astype(object).where(firms["grade"].notna(), None)
    counts = grades.value_counts(dropna=False, sort=False)
    order = sorted(counts.index, key=lambda g: (g is None, str(g)))
    return pd.DataFrame(
        {
            header("grade", lang): [
                text("ungraded", lang) if g is None else labelled(pd.Series([g]), "grade", lang)[0]
                for g in order
            ],
            text("count", lang): numbers([counts[g] for g in order]).to_numpy(),
        }
    )


def _lowest_firms(ctx: Context, firms: pd.DataFrame) -> pd.DataFrame:
    lang = ctx.lang
    low = firms[firms["grade"].astype(str).isin(["D", "C"])]
    low = low.sort_values(["grade", "score"], ascending=[False, True], kind="stable").head(
        TOP_FIRMS
    )
    out = pd.DataFrame(
        {
            header("credit_code", lang): low.index.astype(str).to_numpy(),
            header("name", lang): low["name"].astype(object).to_numpy(),
            header("grade", lang): labelled(low["grade"], "grade", lang).to_numpy(),
        }
    )
    for column in ("score", "land_area_mu", "indicator_tax_per_mu"):
        if column in low:
            out[header(column, lang)] = numbers(low[column]).to_numpy()
    return out


def enterprises(ctx: Context, zid: str) -> str:
    """The grades of the firms on the zone's land, where enterprise data exist."""
    lang = ctx.lang
    title = text("enterprises", lang)
    if ctx.enterprise_error:
        body = _html.note(text("enterprise_error", lang, why=ctx.enterprise_error), kind="warning")
        return _html.section(title, body, section_id="enterprises")
    firms = ctx.firms_of(zid)
    if firms is None:
        return _html.section(
            title, _html.note(text("no_enterprises", lang)), section_id="enterprises"
        )
    if not len(firms):
        body = _html.note(text("no_zone_enterprises", lang))
        return _html.section(title, body, section_id="enterprises")
    body = _html.table(
        _grade_counts(ctx, firms), caption=text("grade_counts", lang), table_id="grades"
    )
    low = _lowest_firms(ctx, firms)
    if len(low):
        body += _html.table(
            low, caption=text("lowest_firms", lang, n=len(low)), table_id="low-firms"
        )
    return _html.section(title, body, section_id="enterprises")


def _read_lines(ctx: Context, zid: str) -> list[str]:
    """What the readers did to each layer (for parcels: the zone's parcels named)."""
    lang = ctx.lang
    data = ctx.data
    zone_ids = set(ctx.parcels_of(zid)["parcel_id"].astype(str))
    lines = []
    for name in ("zones", "functional_areas", "parcels", "buildings", "proposals", "zone_stats"):
        frame = getattr(data, name, None)
        report = getattr(frame, "attrs", {}).get("landuse_read") if frame is not None else None
        if report is None:
            continue
        for item, (zh, en) in _READ_ITEMS.items():
            ids = [str(i) for i in getattr(report, item, []) or []]
            if name == "parcels":
                ids = [i for i in ids if i in zone_ids]
            if ids:
                shown = ", ".join(ids[:IDS_SHOWN]) + (" …" if len(ids) > IDS_SHOWN else "")
                lines.append(f"{name}: {zh if lang == 'zh' else en} {len(ids)} ({shown})")
        for column, ids in (getattr(report, "coerced", {}) or {}).items():
            lines.append(f"{name}: {column} ← {len(ids)} value(s) not understood, set missing")
        for code, n in (getattr(report, "unknown_codes", {}) or {}).items():
            lines.append(f"{name}: land-use code {code} unknown ({n})")
        lines.extend(f"{name}: {note}" for note in getattr(report, "notes", []) or [])
    return lines


def quality(ctx: Context, zid: str) -> str:
    """The data-quality box: readers' repairs, rules not evaluated, the analyses' notes."""
    lang = ctx.lang
    read = _read_lines(ctx, zid)
    body = f"<h3>{_html.esc(text('quality_read', lang))}</h3>"
    body += bullet_list(read) if read else _html.note(text("quality_ok", lang))
    missing = ctx.not_evaluated
    body += f"<h3>{_html.esc(text('quality_not_evaluated', lang))}</h3>"
    body += bullet_list(missing) if missing else _html.note(text("nothing_not_evaluated", lang))
    if ctx.messages:
        body += f"<h3>{_html.esc(text('quality_warnings', lang))}</h3>"
        body += bullet_list(f"{where}: {what}" for where, what in ctx.messages)
    return _html.section(
        text("quality", lang), f'<div class="quality">{body}</div>', section_id="quality"
    )


def appendix(ctx: Context) -> str:
    """The policy profile's parameters used, with value, source and confidence."""
    lang = ctx.lang
    intro = _html.note(text("appendix_note", lang, policy=ctx.policy.name))
    if not len(ctx.parameters):
        return _html.section(
            text("appendix", lang),
            intro + _html.note(text("parameter_none", lang)),
            section_id="policy",
        )
    table = _html.table(ctx.parameters, table_id="policy-parameters", lang=lang)
    return _html.section(text("appendix", lang), intro + table, section_id="policy")
