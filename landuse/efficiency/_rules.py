"""Idle and inefficient land rules: one function per rule, each returning its flags and texts.

Private: see :func:`landuse.efficiency.find_idle_land` and
:func:`landuse.efficiency.find_inefficient_land`; the reason codes are listed in
:data:`REASONS` (documented in :mod:`landuse.efficiency`).

A rule returns an :class:`Outcome`: which parcels it flags, which it could decide at all
(``checked``: the inputs it needs are present for that parcel), what it lacks when it cannot be
evaluated at all (``missing``: columns, policy keys, arguments), and a function that writes the
reason text, with the numbers behind it, for the flagged parcels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landuse.efficiency import _common as c
from landuse.efficiency._reasons import (
    REASON_BY_CODE,
    Outcome,
)
from landuse.errors import SchemaError
from landuse.policy import Policy
from landuse.zones import measure_zones

__all__: list[str] = []


@dataclass
class Inputs:
    """The columns the rules read, converted once."""

    parcels: gpd.GeoDataFrame
    policy: Policy
    as_of: np.datetime64
    scope: np.ndarray
    land: np.ndarray
    metrics: pd.DataFrame
    zone_id: np.ndarray | None
    leading: dict[str, tuple[str, ...]] | None
    zone_missing: list[str]
    caller: str
    raster: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        p, caller = self.parcels, self.caller
        self.n = len(p)
        self.status = c.text(p, "production_status")
        self.dates = {
            name: c.date(p, name, caller=caller)
            for name in (
                "agreed_start_date",
                "actual_start_date",
                "agreed_completion_date",
                "completion_date",
                "stopped_since",
            )
        }
        self.numbers = {
            name: c.number(p, name, caller=caller)
            for name in (
                "developed_area_m2",
                "invested_wan",
                "agreed_investment_wan",
                "investment_wan",
                "revenue_wan",
                "tax_wan",
            )
        }
        self.codes = c.industry_codes(p)
        self.versions = c.code_versions(p)

    def started(self) -> np.ndarray | None:
        """Development has started (None when no column tells)."""
        known = False
        out = np.zeros(self.n, dtype=bool)
        for name in ("actual_start_date", "completion_date"):
            d = self.dates[name]
            if d is not None:
                out |= ~np.isnat(d)
                known = True
        if self.status is not None:
            out |= np.isin(self.status, (*c.OPERATING, "under_construction"))
            known = True
        return out if known else None

    def completed(self) -> np.ndarray:
        """Completed and occupied (every parcel when no column tells)."""
        d = self.dates["completion_date"]
        if d is not None:
            return ~np.isnat(d)
        if self.status is not None:
            return np.isin(self.status, c.OPERATING)
        return np.ones(self.n, dtype=bool)

    def stopped(self) -> np.ndarray | None:
        """Production (or construction) is stopped or half-stopped."""
        if self.status is None:
            return None
        return np.isin(self.status, c.STOPPED)


# --- text helpers ------------------------------------------------------------------------------


def num(x: float) -> str:
    """Format a policy number as short text (``1``, ``0.5``, ``33.3``)."""
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"


def pct(x: float) -> str:
    """Format a share as percent text (``30%``, ``33.3%``)."""
    return f"{x * 100:.3g}%"


def _labelled(code: str, lang: str, *parts: pa.Array | str) -> pa.Array:
    reason = REASON_BY_CODE[code]
    label = reason.label_zh + "：" if lang == "zh" else reason.label_en + ": "
    return c.concat(label, *parts)


def _absent(inp: Inputs, *columns: str) -> list[str]:
    return [f"column `{col}`" for col in columns if col not in inp.parcels.columns]


def _policy_missing(inp: Inputs, *keys: str) -> list[str]:
    """``policy `key``` for each key the profile leaves unset (not recorded as used)."""
    return [f"policy `{key}`" for key in keys if c.is_unset(inp.policy, key)]


def _not_evaluated(inp: Inputs, code: str, missing: list[str]) -> Outcome:
    empty = np.zeros(inp.n, dtype=bool)
    return Outcome(code, empty, empty.copy(), missing)


def _due(dates: np.ndarray, years: float, as_of: np.datetime64) -> np.ndarray:
    """``dates + years`` has been reached by ``as_of`` (calendar-exact)."""
    return c.add_years(dates, years) <= as_of


# --- idle land ---------------------------------------------------------------------------------


def idle_not_started(inp: Inputs) -> Outcome:
    """Not started ``idle.start_delay_years`` after the agreed start date (Order 53)."""
    code = "idle_not_started"
    started = inp.started()
    missing = _absent(inp, "agreed_start_date") + _policy_missing(inp, "idle.start_delay_years")
    if started is None:
        missing.append("column `actual_start_date`, `production_status` or `completion_date`")
    if missing:
        return _not_evaluated(inp, code, missing)
    delay = float(inp.policy.idle.start_delay_years)  # type: ignore[arg-type]
    agreed = inp.dates["agreed_start_date"]
    assert agreed is not None
    assert started is not None
    checked = inp.scope & ~np.isnat(agreed)
    flagged = checked & ~started & _due(agreed, delay, inp.as_of)

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        years = c.fmt_years(c.years_between(agreed[pos], inp.as_of), 2)
        day = c.fmt_date(agreed[pos])
        if lang == "zh":
            return _labelled(
                code,
                lang,
                "约定开工日期 ",
                day,
                " 起满 ",
                years,
                f" 年未动工开发（≥ {num(delay)} 年）",
            )
        return _labelled(
            code,
            lang,
            "not started ",
            years,
            " years after the agreed start ",
            day,
            f" (≥ {num(delay)})",
        )

    return Outcome(code, flagged, checked, [], text)


def idle_stalled(inp: Inputs) -> Outcome:
    """Flag started projects < 1/3 developed or < 25 % invested, halted ≥ 1 year (Order 53)."""
    code = "idle_stalled"
    policy = inp.policy.idle
    started = inp.started()
    missing = _absent(inp, "stopped_since") + _policy_missing(inp, "idle.halted_years")
    if started is None:
        missing.append("column `actual_start_date`, `production_status` or `completion_date`")
    dev = c.ratio(inp.numbers["developed_area_m2"], inp.land)
    inv = c.ratio(inp.numbers["invested_wan"], inp.numbers["agreed_investment_wan"])
    if c.is_unset(inp.policy, "idle.developed_area_share_min"):
        dev = None
    if c.is_unset(inp.policy, "idle.invested_share_min"):
        inv = None
    if dev is None and inv is None:
        missing.append(
            "column `developed_area_m2` or `invested_wan` + `agreed_investment_wan` (with "
            "policy `idle.developed_area_share_min` / `idle.invested_share_min`)"
        )
    if missing:
        return _not_evaluated(inp, code, missing)
    assert started is not None
    since = inp.dates["stopped_since"]
    assert since is not None
    halted = ~np.isnat(since)
    stopped = inp.stopped()
    if stopped is not None:
        halted &= stopped
    completion = inp.dates["completion_date"]
    open_ = np.isnat(completion) if completion is not None else np.ones(inp.n, dtype=bool)
    nan = np.full(inp.n, np.nan)
    dev_arr = nan if dev is None else dev
    inv_arr = nan if inv is None else inv
    dev_min = policy.developed_area_share_min if dev is not None else None
    inv_min = policy.invested_share_min if inv is not None else None
    low = np.zeros(inp.n, dtype=bool)
    if dev_min is not None:
        low |= dev_arr < dev_min
    if inv_min is not None:
        low |= inv_arr < inv_min
    shares_known = ~np.isnan(dev_arr) | ~np.isnan(inv_arr)
    candidate = started & open_ & halted
    checked = inp.scope & (~candidate | shares_known)
    years = float(policy.halted_years)  # type: ignore[arg-type]
    flagged = inp.scope & candidate & low & _due(since, years, inp.as_of)

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        dev_s = c.concat(c.fmt(dev_arr[pos] * 100, 1), "%")
        inv_s = c.concat(c.fmt(inv_arr[pos] * 100, 1), "%")
        day = c.fmt_date(since[pos])
        halt = c.fmt_years(c.years_between(since[pos], inp.as_of), 2)
        dev_lim = pct(dev_min) if dev_min is not None else "—"
        inv_lim = pct(inv_min) if inv_min is not None else "—"
        if lang == "zh":
            return _labelled(
                code, lang, "已开发面积占 ", dev_s, "、已投资占 ", inv_s,
                f"（开发不足 {dev_lim} 或投资不足 {inv_lim}），自 ", day, " 中止开发 ", halt,
                f" 年（≥ {num(years)} 年）",
            )  # fmt: skip
        return _labelled(
            code, lang, "developed ", dev_s, ", invested ", inv_s,
            f" (idle below {dev_lim} developed or {inv_lim} invested), halted since ", day,
            " for ", halt, f" years (≥ {num(years)})",
        )  # fmt: skip

    return Outcome(code, flagged, checked, [], text)


# --- inefficient land --------------------------------------------------------------------------


def completion_overdue(inp: Inputs) -> Outcome:
    """Completed (or still open) more than ``completion_overdue_years`` after the agreed date."""
    code = "completion_overdue"
    missing = _absent(inp, "agreed_completion_date", "completion_date")
    missing += _policy_missing(inp, "inefficient.completion_overdue_years")
    if missing:
        return _not_evaluated(inp, code, missing)
    years = float(inp.policy.inefficient.completion_overdue_years)  # type: ignore[arg-type]
    agreed = inp.dates["agreed_completion_date"]
    done = inp.dates["completion_date"]
    assert agreed is not None
    assert done is not None
    end = np.where(np.isnat(done), inp.as_of, done)
    checked = inp.scope & ~np.isnat(agreed)
    flagged = checked & (end > c.add_years(agreed, years))

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        over = c.fmt_years(c.years_between(agreed[pos], end[pos]), 2, up=True)
        a, d = c.fmt_date(agreed[pos]), c.fmt_date(done[pos])
        still_open = pa.array(np.isnat(done[pos]))
        if lang == "zh":
            late = c.concat(
                "竣工日期 ", d, " 晚于约定竣工日期 ", a, " ", over, f" 年（> {num(years)} 年）"
            )
            open_t = c.concat(
                "约定竣工日期 ", a, " 已过 ", over, f" 年仍未竣工（> {num(years)} 年）"
            )
        else:
            late = c.concat(
                "completed ", d, ", ", over, " years after the agreed ", a, f" (> {num(years)})"
            )
            open_t = c.concat(
                "not completed ", over, " years after the agreed ", a, f" (> {num(years)})"
            )
        return _labelled(code, lang, pc.if_else(still_open, open_t, late))

    return Outcome(code, flagged, checked, [], text)


def _mature(inp: Inputs) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Completed at least ``years_after_completion`` ago; completion dates; the years."""
    done = inp.dates["completion_date"]
    years = inp.policy.inefficient.years_after_completion
    if done is None or years is None:
        return None
    return ~np.isnat(done) & _due(done, years, inp.as_of), done, float(years)


def low_investment(inp: Inputs) -> Outcome:
    """Completed ≥ 2 years and investment intensity < 50 % of the agreed value."""
    code = "low_investment"
    missing = _absent(inp, "completion_date", "investment_wan", "agreed_investment_wan")
    missing += _policy_missing(
        inp, "inefficient.years_after_completion", "inefficient.investment_intensity_share_min"
    )
    mature = _mature(inp)
    if missing or mature is None:
        return _not_evaluated(inp, code, missing)
    ripe, done, _years = mature
    share_min = float(inp.policy.inefficient.investment_intensity_share_min)  # type: ignore[arg-type]
    invest = c.per_mu(inp.numbers["investment_wan"], inp.land)
    agreed = c.per_mu(inp.numbers["agreed_investment_wan"], inp.land)
    assert invest is not None
    assert agreed is not None
    known = ~np.isnan(invest) & (agreed > 0)
    checked = inp.scope & (~ripe | known)
    flagged = inp.scope & ripe & known & (invest < share_min * agreed)

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        age = c.fmt_years(c.years_between(done[pos], inp.as_of), 1)
        i, a = c.fmt(invest[pos], 1), c.fmt(agreed[pos], 1)
        if lang == "zh":
            return _labelled(
                code,
                lang,
                "已竣工 ",
                age,
                " 年，投资强度 ",
                i,
                " 万元/亩 < 约定 ",
                a,
                f" 万元/亩的 {pct(share_min)}",
            )
        return _labelled(
            code,
            lang,
            "completed ",
            age,
            " years ago, ",
            i,
            " 万元/亩 < ",
            pct(share_min),
            " of the agreed ",
            a,
            " 万元/亩",
        )

    return Outcome(code, flagged, checked, [], text)


def low_output(inp: Inputs) -> Outcome:
    """Completed ≥ 2 years and revenue per 亩 < 50 % of the output standard."""
    code = "low_output"
    missing = _absent(inp, "completion_date", "revenue_wan")
    missing += _policy_missing(
        inp,
        "inefficient.years_after_completion",
        "inefficient.output_share_min",
        "inefficient.output_standard_wan_per_mu",
    )
    mature = _mature(inp)
    if missing or mature is None:
        return _not_evaluated(inp, code, missing)
    ripe, done, _ = mature
    rules = inp.policy.inefficient
    share_min = float(rules.output_share_min)  # type: ignore[arg-type]
    standard = float(rules.output_standard_wan_per_mu)  # type: ignore[arg-type]
    revenue = c.per_mu(inp.numbers["revenue_wan"], inp.land)
    assert revenue is not None
    known = ~np.isnan(revenue)
    checked = inp.scope & (~ripe | known)
    flagged = inp.scope & ripe & known & (revenue < share_min * standard)

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        age = c.fmt_years(c.years_between(done[pos], inp.as_of), 1)
        r = c.fmt(revenue[pos], 1)
        if lang == "zh":
            return _labelled(
                code,
                lang,
                "已竣工 ",
                age,
                " 年，亩均产出 ",
                r,
                f" 万元/亩 < 标准 {num(standard)} 万元/亩的 {pct(share_min)}",
            )
        return _labelled(
            code,
            lang,
            "completed ",
            age,
            " years ago, output ",
            r,
            f" 万元/亩 < {pct(share_min)} of the standard {num(standard)} 万元/亩",
        )

    return Outcome(code, flagged, checked, [], text)


def production_stopped(inp: Inputs) -> Outcome:
    """Flag production stopped or half-stopped for at least ``stopped_years``."""
    code = "production_stopped"
    missing = _absent(inp, "production_status", "stopped_since")
    missing += _policy_missing(inp, "inefficient.stopped_years")
    if missing:
        return _not_evaluated(inp, code, missing)
    years = float(inp.policy.inefficient.stopped_years)  # type: ignore[arg-type]
    stopped = inp.stopped()
    since = inp.dates["stopped_since"]
    assert stopped is not None
    assert since is not None
    assert inp.status is not None
    status = inp.status
    checked = inp.scope & (~stopped | ~np.isnat(since))
    flagged = inp.scope & stopped & _due(since, years, inp.as_of)

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        dur = c.fmt_years(c.years_between(since[pos], inp.as_of), 2)
        day = c.fmt_date(since[pos])
        partly = pa.array(status[pos] == "partly_stopped")
        if lang == "zh":
            word = pc.if_else(partly, pa.scalar("半停产 "), pa.scalar("停产 "))
            return _labelled(code, lang, word, dur, " 年（自 ", day, f"，≥ {num(years)} 年）")
        word = pc.if_else(partly, pa.scalar("half-stopped "), pa.scalar("stopped "))
        return _labelled(code, lang, word, dur, " years (since ", day, f", ≥ {num(years)})")

    return Outcome(code, flagged, checked, [], text)


def _metric_missing(inp: Inputs, name: str) -> list[str]:
    return list(inp.metrics.attrs.get("not_evaluated", {}).get(name, []))


def far_below_min(inp: Inputs) -> Outcome:
    """FAR of a completed parcel below the minimum for its industry."""
    code = "far_below_min"
    missing = _metric_missing(inp, "far")
    if missing:
        return _not_evaluated(inp, code, missing)
    far = inp.metrics["far"].to_numpy(dtype=float)
    limit = inp.metrics["far_min"].to_numpy(dtype=float)
    checked = inp.scope & inp.completed() & ~np.isnan(far) & ~np.isnan(limit)
    flagged = checked & (far < limit)
    codes = inp.codes

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        f, m = c.fmt(far[pos], 2), c.fmt(limit[pos], 2)
        ind = c.strings(codes[pos]) if codes is not None else pa.array(["—"] * len(pos))
        if lang == "zh":
            return _labelled(code, lang, "容积率 ", f, " < 控制指标 ", m, "（行业 ", ind, "）")
        return _labelled(code, lang, "FAR ", f, " < minimum ", m, " (industry ", ind, ")")

    return Outcome(code, flagged, checked, [], text)


def building_coefficient_below_min(inp: Inputs) -> Outcome:
    """Flag a completed parcel whose building coefficient is below the minimum."""
    code = "building_coefficient_below_min"
    missing = _metric_missing(inp, "building_coefficient")
    if missing:
        return _not_evaluated(inp, code, missing)
    value = inp.metrics["building_coefficient"].to_numpy(dtype=float)
    limit = inp.metrics["building_coefficient_min"].to_numpy(dtype=float)
    checked = inp.scope & inp.completed() & ~np.isnan(value) & ~np.isnan(limit)
    flagged = checked & (value < limit)

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        v = c.concat(c.fmt(value[pos] * 100, 1), "%")
        m = c.concat(c.fmt(limit[pos] * 100, 1), "%")
        if lang == "zh":
            return _labelled(code, lang, "建筑系数 ", v, " < 控制指标 ", m)
        return _labelled(code, lang, "building coefficient ", v, " < minimum ", m)

    return Outcome(code, flagged, checked, [], text)


def leading_codes(zones: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """``zone_id`` → leading GB/T 4754-2017 divisions (from ``leading_industry_codes``)."""
    out: dict[str, tuple[str, ...]] = {}
    for zone, raw in zip(
        zones["zone_id"].astype(str), zones["leading_industry_codes"], strict=True
    ):
        if raw is None or (isinstance(raw, float) and np.isnan(raw)) or pd.isna(raw):
            continue
        parts = [p for p in re.split(r"[;,，、；\s]+", str(raw)) if p]
        codes = tuple(sorted({p.strip().upper().lstrip("C").zfill(2)[:2] for p in parts}))
        if codes:
            out[zone] = codes
    return out


def divisions_2017(inp: Inputs) -> np.ndarray:
    """Each parcel's 2017 division(s), ``;``-joined (2002 codes go through the crosswalk)."""
    assert inp.codes is not None
    div = np.array([None if v is None else v[:2] for v in inp.codes], dtype=object)
    old = (inp.versions == "2002") & (div != None)  # noqa: E711
    if old.any():
        back: dict[str, list[str]] = {}
        for row in inp.policy.far.crosswalk_2017_to_2002 or ():
            for code_2002 in row.codes_2002:
                back.setdefault(code_2002, []).append(row.code_2017)
        div[old] = [";".join(back.get(d, [])) or None for d in div[old]]
    return div


def off_leading_industry(inp: Inputs) -> Outcome:
    """Industry is not among the leading industries of the parcel's zone."""
    code = "off_leading_industry"
    missing = _absent(inp, "industry_code") + list(inp.zone_missing)
    if missing or inp.zone_id is None or inp.leading is None:
        return _not_evaluated(inp, code, missing)
    div = divisions_2017(inp)
    zone = inp.zone_id
    leading = inp.leading
    pairs = pd.DataFrame({"pos": np.arange(inp.n), "zone": zone, "div": div})
    has = pairs["zone"].isin(list(leading)).to_numpy() & pairs["div"].notna().to_numpy()
    checked = inp.scope & has
    match = np.zeros(inp.n, dtype=bool)
    sub = pairs[checked]
    if len(sub):
        exploded = sub.assign(div=sub["div"].str.split(";")).explode("div")
        allowed = pd.DataFrame(
            [(z, d) for z, ds in leading.items() for d in ds], columns=["zone", "div"]
        ).assign(ok=True)
        merged = exploded.merge(allowed, on=["zone", "div"], how="left")
        hit = merged.loc[merged["ok"].eq(True), "pos"].to_numpy(dtype=np.int64)
        match[hit] = True
    flagged = checked & ~match
    codes = inp.codes
    joined = {z: "、".join(ds) for z, ds in leading.items()}
    joined_en = {z: ", ".join(ds) for z, ds in leading.items()}

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        assert codes is not None
        ind, z = c.strings(codes[pos]), c.strings(zone[pos])
        table = joined if lang == "zh" else joined_en
        lead = c.strings(np.array([table.get(v, "—") for v in zone[pos]], dtype=object))
        if lang == "zh":
            return _labelled(
                code, lang, "行业 ", ind, " 不属于集聚区 ", z, " 主导产业（", lead, "）"
            )
        return _labelled(
            code, lang, "industry ", ind, " is not a leading industry of zone ", z, " (", lead, ")"
        )

    return Outcome(code, flagged, checked, [], text)


def eliminated_industry(inp: Inputs) -> Outcome:
    """Industry code starts with a code on the eliminated / prohibited list."""
    code = "eliminated_industry"
    missing = _absent(inp, "industry_code") + _policy_missing(
        inp, "inefficient.eliminated_industries"
    )
    if missing:
        return _not_evaluated(inp, code, missing)
    listed = tuple(inp.policy.inefficient.eliminated_industries or ())
    codes = inp.codes
    assert codes is not None
    known = np.array([v is not None for v in codes], dtype=bool)
    checked = inp.scope & known
    series = pd.Series(codes, dtype="string")
    matched = np.full(inp.n, None, dtype=object)
    for entry in sorted(listed, key=len, reverse=True):
        hit = series.str.startswith(entry).fillna(False).to_numpy(dtype=bool) & pd.isna(matched)
        matched[hit] = entry
    flagged = checked & ~pd.isna(matched)

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        ind, m = c.strings(codes[pos]), c.strings(matched[pos])
        if lang == "zh":
            return _labelled(code, lang, "行业 ", ind, " 属淘汰类或禁止类（目录代码 ", m, "）")
        return _labelled(code, lang, "industry ", ind, " is on the eliminated list (entry ", m, ")")

    return Outcome(code, flagged, checked, [], text)


def tax_below_floor(inp: Inputs) -> Outcome:
    """Tax per 亩 of a completed parcel below ``inefficient.tax_wan_per_mu_min``."""
    code = "tax_below_floor"
    missing = _absent(inp, "tax_wan") + _policy_missing(inp, "inefficient.tax_wan_per_mu_min")
    if missing:
        return _not_evaluated(inp, code, missing)
    floor = float(inp.policy.inefficient.tax_wan_per_mu_min)  # type: ignore[arg-type]
    tax = c.per_mu(inp.numbers["tax_wan"], inp.land)
    assert tax is not None
    checked = inp.scope & inp.completed() & ~np.isnan(tax)
    flagged = checked & (tax < floor)

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        t = c.fmt(tax[pos], 2)
        if lang == "zh":
            return _labelled(code, lang, "亩均税收 ", t, f" 万元/亩 < {num(floor)} 万元/亩")
        return _labelled(code, lang, "tax ", t, f" 万元/亩 < {num(floor)} 万元/亩")

    return Outcome(code, flagged, checked, [], text)


# --- raster evidence ---------------------------------------------------------------------------


def _raster_outcome(
    inp: Inputs,
    code: str,
    *,
    column: str,
    threshold: str,
    percent: bool,
    zh: tuple[str, str],
    en: tuple[str, str],
) -> Outcome:
    """Read a flag of :func:`landuse.raster_evidence` (aligned to the parcels) as a rule.

    The text is ``zh[0] value zh[1] threshold`` (``en`` likewise), the value and threshold as
    percentages when ``percent``.
    """
    ev = inp.raster
    if ev is None:
        missing = ["argument `raster_evidence` (see landuse.raster_evidence)"]
        return _not_evaluated(inp, code, missing)
    if code in ev.attrs.get("not_evaluated", ()) or code not in ev.columns:
        source = "landcover" if code == "vacant_by_raster" else "night_light"
        why = ev.attrs.get("missing", {}).get(code) or [f"`{source}=` raster in raster_evidence()"]
        return _not_evaluated(inp, code, list(why))
    flag = ev[code].astype("boolean")
    checked = inp.scope & flag.notna().to_numpy()
    flagged = checked & flag.fillna(False).to_numpy(dtype=bool)
    limit = ev.attrs.get("thresholds", {}).get(threshold)
    values = (
        pd.to_numeric(ev[column], errors="coerce").to_numpy(dtype=float)
        if column in ev.columns
        else np.full(inp.n, np.nan)
    )
    lim = "—" if limit is None else (pct(float(limit)) if percent else num(float(limit)))

    def text(pos: np.ndarray, lang: str) -> pa.Array:
        v = c.concat(c.fmt(values[pos] * 100, 0), "%") if percent else c.fmt(values[pos], 2)
        before, after = zh if lang == "zh" else en
        return _labelled(code, lang, before, v, f"{after}{lim}")

    return Outcome(code, flagged, checked, [], text)


def vacant_by_raster(inp: Inputs) -> Outcome:
    """Land cover shows built-up on less than the threshold share of the parcel."""
    return _raster_outcome(
        inp,
        "vacant_by_raster",
        column="builtup_share",
        threshold="max_builtup_share",
        percent=True,
        zh=("建成面积占比 ", "，低于 "),
        en=("", " built-up, below "),
    )


def dark_by_night_light(inp: Inputs) -> Outcome:
    """Night-light activity index below the threshold (possibly not operating)."""
    return _raster_outcome(
        inp,
        "dark_by_night_light",
        column="activity_index",
        threshold="max_activity_index",
        percent=False,
        zh=("活动指数 ", "，低于 "),
        en=("activity index ", " below "),
    )


IDLE_RULES = (idle_not_started, idle_stalled)
INEFFICIENT_RULES = (
    completion_overdue,
    low_investment,
    low_output,
    production_stopped,
    far_below_min,
    building_coefficient_below_min,
    off_leading_industry,
    eliminated_industry,
    tax_below_floor,
    vacant_by_raster,
    dark_by_night_light,
)


# --- zones -------------------------------------------------------------------------------------


def zone_info(
    parcels: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame | None,
    *,
    caller: str,
) -> tuple[np.ndarray | None, dict[str, tuple[str, ...]] | None, list[str]]:
    """Each parcel's zone (its own ``zone_id``, else the zone holding its largest share).

    ``parcels`` and ``zones`` were checked by the caller (frames, projected CRS, same CRS).
    """
    missing: list[str] = []
    zone_id = c.text(parcels, "zone_id")
    leading = None
    if zones is not None:
        if "zone_id" not in zones.columns:
            msg = (
                f"`zones` passed to {caller}() needs a `zone_id` column; received columns "
                f"{list(zones.columns)}. Read the zones with landuse.read_zones."
            )
            raise SchemaError(msg)
        todo = np.ones(len(parcels), dtype=bool) if zone_id is None else pd.isna(zone_id)
        if todo.any():
            # parcels keep their own zone_id; the others go to the zone of their largest share
            found = measure_zones(parcels[todo], zones)["zone_id"].astype(object).to_numpy()
            zone_id = np.full(len(parcels), None, dtype=object) if zone_id is None else zone_id
            zone_id[todo] = np.where(pd.isna(found), None, found)
        if "leading_industry_codes" in zones.columns:
            leading = leading_codes(zones)
        else:
            missing.append("column `zones.leading_industry_codes`")
    else:
        missing.append("argument `zones`")
        if zone_id is None:
            missing.append("column `zone_id`")
    return zone_id, leading, missing


# --- idle land: since when, stage, fee ---------------------------------------------------------


def idle_columns(inp: Inputs, outcomes: Sequence[Outcome], lang: str) -> dict[str, np.ndarray]:
    """``idle_since``, ``idle_years``, ``idle_stage``, ``idle_fee_wan``, ``idle_action``."""
    idle = inp.policy.idle
    n = inp.n
    since = np.full(n, np.datetime64("NaT"), dtype=c.DAY)
    by_code = {o.code: o for o in outcomes}
    stalled = by_code.get("idle_stalled")
    if stalled is not None and stalled.evaluated and inp.dates["stopped_since"] is not None:
        since = np.where(stalled.flagged, inp.dates["stopped_since"], since)
    not_started = by_code.get("idle_not_started")
    if not_started is not None and not_started.evaluated:
        agreed = inp.dates["agreed_start_date"]
        assert agreed is not None
        since = np.where(not_started.flagged, agreed, since)
    years = c.years_between(since, inp.as_of)
    stage = np.zeros(n, dtype=np.int64)
    if idle.fee_idle_years is not None:
        stage = np.where(c.add_years(since, idle.fee_idle_years) <= inp.as_of, 1, stage)
    if idle.revocation_idle_years is not None:
        stage = np.where(c.add_years(since, idle.revocation_idle_years) <= inp.as_of, 2, stage)
    price = c.number(inp.parcels, "grant_price_wan", caller=inp.caller)
    fee = np.full(n, np.nan)
    if price is not None and idle.fee_share is not None:
        fee = np.where(stage >= 1, idle.fee_share * price, np.nan)
    share = pct(idle.fee_share) if idle.fee_share is not None else "—"
    if lang == "zh":
        actions = {1: f"征缴土地闲置费（出让价款的 {share}）", 2: "可无偿收回土地使用权"}
    else:
        actions = {
            1: f"idle-land fee ({share} of the land price)",
            2: "may be reclaimed without compensation",
        }
    action = np.full(n, None, dtype=object)
    for level, words in actions.items():
        action[stage == level] = words
    return {
        "idle_since": since.astype("datetime64[ns]"),
        "idle_years": years,
        "idle_stage": stage,
        "idle_fee_wan": fee,
        "idle_action": action,
    }


# --- running and reporting ---------------------------------------------------------------------


def run(inp: Inputs, rules: Sequence[Callable[[Inputs], Outcome]]) -> list[Outcome]:
    """Evaluate ``rules``."""
    return [rule(inp) for rule in rules]


def any_flagged(outcomes: Sequence[Outcome], n: int) -> np.ndarray:
    """Parcels flagged by at least one of ``outcomes``."""
    flagged = np.zeros(n, dtype=bool)
    for o in outcomes:
        flagged |= o.flagged
    return flagged
