"""Outputs of the zone assessment: the ranking (workbook or CSV) and one chart per indicator.

Private: the public names are re-exported by :mod:`landuse.assessment`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landuse._atomic import atomic_path
from landuse._checks import Lang, check_frame, check_lang
from landuse.assessment._rules import INDICATORS
from landuse.assessment._targets import TIER_PROGRESS_COLUMNS
from landuse.errors import LanduseWarning, SchemaError
from landuse.report import About, check_output_path, write_tables
from landuse.schema import FIELDS, UNITS, Field

__all__ = ["save_indicator_charts", "write_assessment"]

#: The indicators' unit strings (``Indicator.unit``) as keys of :data:`landuse.schema.UNITS`.
_UNIT_KEYS: Mapping[str, str] = {
    "万元": "wan",
    "万元/亩": "wan_per_mu",
    "家": "firms",
    "个": "projects",
    "share (0–1)": "share",
}
_BOOL = {"zh": ("是", "否", "未评价"), "en": ("yes", "no", "not evaluated")}
_BOOL_COLUMNS = (
    "meets_creation_conditions",
    "meets_targets",
    "elimination_warning",
    "attraction_target_met",
    "increment_available",
)
#: Left out of the workbook: the revenue in 亿元 repeats ``revenue_wan`` (万元); the tier
#: column's header and the 说明 sheet say the tier thresholds are in 亿元.
_LEFT_OUT = ("revenue_yi",)
#: Sheet names in the workbook; the CSV side files are named by the English ones.
_SHEETS = {
    "zh": ("考核排名", "标杆值", "参数", "层级目标进度"),
    "en": ("ranking", "benchmarks", "parameters", "tier_progress"),
}
#: Output types: the ranking, the benchmarks and the parameters as sheets of one workbook,
#: or the ranking as ``path`` and the others beside it (``<stem>_benchmarks.csv`` …).
_SUFFIXES = (".xlsx", ".csv")


def _fields(names: Mapping[str, tuple[str, str, str | None]]) -> dict[str, Field]:
    return {k: Field(k, zh, en, unit) for k, (zh, en, unit) in names.items()}


#: Headers of the benchmark and parameter sheets (columns only these two sheets have).
_SHEET_FIELDS: dict[str, Field] = _fields(
    {
        "indicator": ("指标代码", "Indicator key", None),
        "label": ("指标", "Indicator", None),
        "unit": ("单位", "Unit", None),
        "stock_weight": ("存量权重", "Stock weight", "share"),
        "stock_benchmark": ("存量标杆值", "Stock benchmark", None),
        "stock_basis": ("存量标杆来源", "Stock benchmark basis", None),
        "increment_weight": ("增量权重", "Increment weight", "share"),
        "increment_benchmark": ("增量标杆值", "Increment benchmark", None),
        "increment_basis": ("增量标杆来源", "Increment benchmark basis", None),
        "key": ("参数", "Key", None),
        "value": ("取值", "Value", None),
        "confidence": ("可信度", "Confidence", None),
        "source": ("来源", "Source", None),
    }
)


def _unit_key(unit: str) -> str | None:
    """Key in :data:`landuse.schema.UNITS` of an indicator's unit (``"万元/亩"`` → ``wan_per_mu``)."""
    return _UNIT_KEYS.get(unit)


def _unit_text(unit: str, lang: Lang) -> str:
    """Return an indicator's unit as the benchmark sheet and the charts name it."""
    key = _unit_key(unit)
    if key == "share":
        return "比例（0–1）" if lang == "zh" else "share (0–1)"
    return UNITS[key][0 if lang == "zh" else 1] if key else unit


def _assessment_fields() -> dict[str, Field]:
    """Header, unit and number format of every column :func:`assess_zones` writes.

    The catalogue (:data:`landuse.schema.FIELDS`) names the common columns; the indicators,
    their increments and scores are named here after the plan (``INDICATORS``).
    """
    out: dict[str, Field] = {
        # the zone's name, as the catalogue names a zone's name
        "name": Field("name", FIELDS["zone_name"].zh, FIELDS["zone_name"].en),
        "tier": Field("tier", "层级（按主营业务收入，亿元）", "Tier (by revenue, 100M CNY)"),
    }
    for ind in INDICATORS:
        unit = _unit_key(ind.unit)
        zh, en = ind.label_zh, ind.label_en
        inc = f"{ind.column}_increment"
        stock, inc_score = f"{ind.key}_stock_score", f"{ind.key}_increment_score"
        out[ind.column] = Field(ind.column, zh, en, unit)
        out[inc] = Field(inc, f"{zh}增量", f"{en}, increment", unit)
        out[stock] = Field(stock, f"{zh}存量得分", f"{en}, stock score", "score")
        out[inc_score] = Field(inc_score, f"{zh}增量得分", f"{en}, increment score", "score")
    return out


def _bool_text(values: pd.Series, lang: Lang) -> pd.Series:
    yes, no, na = _BOOL[lang]
    b = values.astype("boolean")
    return pd.Series(np.where(b.isna(), na, np.where(b.fillna(False), yes, no)), index=values.index)


def _check_assessment(assessment: Any, caller: str) -> None:
    """``assessment`` must be the DataFrame of assess_zones (or zone_indicators)."""
    check_frame(assessment, name="assessment", caller=caller, geometry=False)
    if "zone_id" not in assessment.columns:
        msg = (
            f"{caller}: `assessment` has no `zone_id` column; pass the result of "
            f"landuse.assess_zones (received columns {list(assessment.columns)[:8]})"
        )
        raise SchemaError(msg)


def _ranking(assessment: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Return the ranking sheet: by rank (unranked last), booleans as 是/否/未评价, no 亿元."""
    table = pd.DataFrame(assessment).drop(columns=list(_LEFT_OUT), errors="ignore")
    table.attrs = {}
    if "rank" in table.columns:
        table = table.sort_values("rank", na_position="last", kind="mergesort")
    for col in _BOOL_COLUMNS:
        if col in table.columns:
            table[col] = _bool_text(table[col], lang)
    return table.reset_index(drop=True)


def _benchmarks(assessment: pd.DataFrame, lang: Lang) -> pd.DataFrame | None:
    rows = assessment.attrs.get("benchmarks")
    if not rows:
        return None
    frame = pd.DataFrame(rows).drop(columns=["column"], errors="ignore")
    names = {ind.key: ind.label(lang) for ind in INDICATORS}
    if "indicator" in frame.columns and "label" in frame.columns:
        frame["label"] = frame["indicator"].map(names).fillna(frame["label"])
    if "unit" in frame.columns:
        frame["unit"] = frame["unit"].map(lambda u: _unit_text(str(u), lang))
    return frame


def _tier_sheet(assessment: pd.DataFrame, lang: Lang) -> pd.DataFrame | None:
    """Return the tier-progress sheet from ``attrs["tier_progress"]`` (None when absent)."""
    rows = assessment.attrs.get("tier_progress")
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    frame = frame[[c for c in TIER_PROGRESS_COLUMNS if c in frame.columns]]
    if "target_met" in frame.columns:
        frame["target_met"] = _bool_text(frame["target_met"], lang)
    return frame


def _tier_note(attrs: Mapping[str, Any], zh: bool) -> list[str]:
    """Say what the tier-progress sheet counts and against which targets."""
    about = attrs.get("tier_progress_about")
    if not attrs.get("tier_progress") or not about:
        return []
    year = about.get("target_year")
    source = f"{about.get('source')} (confidence {about.get('confidence')})"
    if zh:
        return [
            f"层级目标进度：各层级集聚区数与 {year} 年目标数量比较；差距按达到该层级及以上的集聚区数"
            f"计算（规划未说明较低层级的目标是否包含较高层级）。来源：{source}。"
        ]
    return [
        f"Tier progress: zones at each tier against the {year} target counts; the shortfall is "
        "counted on the zones at or above the tier (the plan does not say whether a lower "
        f"tier's count includes the higher tiers). Source: {source}."
    ]


def _notes(assessment: pd.DataFrame, lang: Lang) -> list[str]:
    """Return what the 说明 sheet says of the figures: units, tier thresholds, score split."""
    zh = lang == "zh"
    attrs = assessment.attrs
    params = {p.get("key"): p.get("value") for p in attrs.get("parameters") or []}
    notes = [
        "金额以万元计，亩均指标以万元/亩计，占比以百分数显示。"
        if zh
        else "Money in 10k CNY (万元), per-mu figures in 10k CNY/mu, shares as percentages."
    ]
    tiers = params.get("tiers.levels")
    notes.append(
        ("层级按主营业务收入划分，门槛以亿元计（1 亿元 = 10,000 万元）" if zh else
         "Tiers by main-business revenue, thresholds in 亿元 (1 亿元 = 100M CNY = 10,000 万元)")
        + (f"：{tiers}。" if zh and tiers else (f": {tiers}." if tiers else ("。" if zh else ".")))
    )  # fmt: skip
    stock, increment = attrs.get("stock_share"), attrs.get("increment_share")
    if stock is not None and increment is not None:
        notes.append(
            f"总分 = 存量得分（占 {stock:.0%}）+ 增量得分（占 {increment:.0%}），按标杆考核法计分。"
            if zh
            else f"Total score = stock score ({stock:.0%}) + increment score ({increment:.0%}), "
            "by the benchmark method."
        )
    notes.append(
        "“未评价”：缺少数据或政策参数未设定，未判定。"
        if zh
        else "“not evaluated”: data missing or a policy value unset, not decided."
    )
    basis = attrs.get("creation_alt_basis")
    if basis:
        notes.append(
            ("创建条件2替代条件（营收、税收 元/m²）的面积口径：" if zh else
             "Creation condition 2, alternative (revenue and tax in 元/m²), area basis: ")
            + str(basis)
        )  # fmt: skip
    return notes + _rule_notes(attrs, zh) + _tier_note(attrs, zh)


def _rule_notes(attrs: Mapping[str, Any], zh: bool) -> list[str]:
    """Say the elimination and reward rules, the unallocated pool and what was not evaluated."""
    notes = []
    if attrs.get("elimination_rule"):
        notes.append(("淘汰预警规则：" if zh else "Elimination rule: ") + attrs["elimination_rule"])
    pool = attrs.get("reward_pool_wan")
    if pool is None and attrs.get("reward_unallocated_reason"):
        notes.append(("奖励资金：" if zh else "Reward: ") + attrs["reward_unallocated_reason"])
    if attrs.get("reward_rule") and pool is not None:
        notes.append(("奖励分配规则：" if zh else "Reward rule: ") + attrs["reward_rule"])
        left = attrs.get("reward_unallocated_wan") or 0.0
        why = attrs.get("reward_unallocated_reason")
        notes.append(
            (f"奖励资金池 {pool:,.2f} 万元，未分配 {left:,.2f} 万元" if zh else
             f"Reward pool {pool:,.2f} 万元, unallocated {left:,.2f} 万元")
            + (f"（原因：{why}）。" if zh and why else (f" (reason: {why})." if why else
               ("。" if zh else ".")))
        )  # fmt: skip
    for item in attrs.get("not_evaluated") or []:
        notes.append(("未评价：" if zh else "Not evaluated: ") + str(item))
    return notes


def write_assessment(
    assessment: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    lang: Lang = "zh",
    sources: Sequence[str | os.PathLike[str]] = (),
) -> Path:
    r"""Write the ranked assessment: a workbook (``.xlsx``) or CSV files (``.csv``).

    The output layer of :mod:`landuse.report` writes it, in the one house style: headers from
    the label catalogue (Chinese by default) with the unit in brackets, the header row frozen
    and filtered, number formats by unit (scores ``0.0``, shares ``0.0%``, money ``#,##0.00``),
    and a 说明 (About) sheet naming the policy profile, the year, the sources, the version and
    what each column means. Sheets: 考核排名 (the ranking, sorted by rank, unranked last;
    booleans as 是/否/未评价), 标杆值 (the benchmarks and weights used), 参数 (the policy
    parameters with their source and confidence) and 层级目标进度 (zones at each tier against
    the tier targets, :func:`~landuse.assessment.tier_progress`, from ``attrs["tier_progress"]``);
    in English ranking / benchmarks / parameters / tier_progress; then the report layer's
    政策参数 sheet (the keys of ``attrs["policy_keys"]`` with source and confidence, and the
    rules of ``attrs["not_evaluated"]`` whose key is unset). The revenue is shown once, in 万元: the tier header and the 说明 sheet say the
    tier thresholds are in 亿元.

    A ``.csv`` path gets the ranking, with the benchmarks, parameters and tier progress beside
    it as ``<stem>_benchmarks.csv``, ``<stem>_parameters.csv`` and ``<stem>_tier_progress.csv`` (UTF-8 with BOM, shares as
    percentages). Files are written atomically (a failure leaves existing files untouched);
    text from the data is written as text, never as formulas.

    Parameters
    ----------
    assessment
        The result of :func:`landuse.assess_zones` (or :func:`landuse.zone_indicators`).
    path
        Target ``.xlsx`` or ``.csv`` file (replaced if it exists).
    lang
        ``"zh"`` (default) Chinese headers, labels and sheet names, ``"en"`` English.
    sources
        Input files named on the 说明 sheet.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    landuse.report.OutputError
        ``path`` ends in anything but ``.xlsx`` or ``.csv`` (nothing is written).
    TypeError, SchemaError
        Not a DataFrame, or no ``zone_id`` column.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from landuse import load_sample
    >>> from landuse.assessment import assess_zones
    >>> result = assess_zones(load_sample().zone_stats, year=2021, policy="qingdao-2019")
    >>> out = write_assessment(result, Path(tempfile.mkdtemp()) / "ranking.xlsx")
    >>> book = openpyxl.load_workbook(out)
    >>> book.sheetnames
    ['考核排名', '标杆值', '参数', '层级目标进度', '政策参数', '说明']
    >>> [c.value for c in book["考核排名"][1]][:4]
    ['集聚区编号', '年度', '排名', '总分']
    >>> book["考核排名"]["D2"].number_format, book["考核排名"].freeze_panes
    ('0.0', 'B2')
    """
    caller = "write_assessment"
    lang = check_lang(lang, caller=caller)
    target = check_output_path(path, caller=caller, suffixes=_SUFFIXES)
    _check_assessment(assessment, caller)
    csv = target.suffix.lower() == ".csv"
    ranking, bench_sheet, param_sheet, tier_sheet = _SHEETS["en" if csv else lang]
    tables = {ranking: _ranking(assessment, lang)}
    bench = _benchmarks(assessment, lang)
    if bench is not None:
        tables[bench_sheet] = bench
    params = assessment.attrs.get("parameters")
    if params:
        tables[param_sheet] = pd.DataFrame(params)
    tiers = _tier_sheet(assessment, lang)
    if tiers is not None:
        tables[tier_sheet] = tiers
    year = assessment.attrs.get("year")
    if year is None and "year" in assessment.columns and len(assessment):
        year = assessment["year"].iloc[0]
    title = "产业集聚区考核排名" if lang == "zh" else "Zone assessment ranking"
    as_of = None
    if year is not None:
        as_of = f"{year}年度" if lang == "zh" else f"year {year}"
        title = f"{title}（{as_of}）" if lang == "zh" else f"{title}, {as_of}"
    about = About(
        title=title,
        policy=assessment.attrs.get("policy"),
        as_of=as_of,
        sources=[str(s) for s in sources],
        notes=_notes(assessment, lang),
        policy_keys=tuple(assessment.attrs.get("policy_keys") or ()),
        not_evaluated=tuple(assessment.attrs.get("not_evaluated") or ()),
    )
    write_tables(
        tables,
        target,
        lang=lang,
        about=about,
        fields=_assessment_fields() | _SHEET_FIELDS,
        caller=caller,
    )
    return target


# --- charts ----------------------------------------------------------------------------------

#: Fonts with Chinese glyphs, tried in order (WenQuanYi is the Debian/Ubuntu package
#: fonts-wqy-microhei, Noto CJK is fonts-noto-cjk).
_CJK_FONTS = (
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
    "Noto Sans CJK JP",  # the first face of NotoSansCJK-Regular.ttc; has the Chinese glyphs too
)


def _matplotlib() -> Any:
    try:
        import matplotlib
        from matplotlib import font_manager
    except ImportError as exc:
        msg = (
            "save_indicator_charts needs matplotlib, which is not installed: "
            'pip install "landuse[report]" (or conda install matplotlib)'
        )
        raise ImportError(msg) from exc
    return matplotlib, font_manager


_CJK_FILES = (
    "cjk",
    "wqy",
    "wenquanyi",
    "sourcehan",
    "msyh",
    "simhei",
    "simsun",
    "pingfang",
    "droidsansfallback",
    "uming",
    "ukai",
)


def _cjk_font(font_manager: Any) -> str | None:
    """Name of an installed font with Chinese glyphs, or ``None``.

    matplotlib's font cache is built once; fonts installed later are missing from it, so the
    system font folders are scanned for known Chinese font files before giving up.
    """
    manager = font_manager.fontManager
    names = {f.name for f in manager.ttflist}
    found = next((f for f in _CJK_FONTS if f in names), None)
    if found is not None:
        return found
    for path in font_manager.findSystemFonts():
        if any(p in Path(path).name.lower() for p in _CJK_FILES):
            try:
                manager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # unreadable font file: skip it
                continue
    names = {f.name for f in manager.ttflist}
    return next((f for f in _CJK_FONTS if f in names), None)


def save_indicator_charts(
    assessment: pd.DataFrame,
    directory: str | os.PathLike[str],
    *,
    lang: Lang = "zh",
    dpi: int = 120,
) -> list[Path]:
    """Draw one PNG chart per indicator: each zone's level and its increment, with the benchmark.

    Needs matplotlib (``pip install "landuse[report]"``). Each chart has two panels: the
    value in the assessed year (bars, best first; dashed line: the stock benchmark) and the
    increment on the previous year (dashed line: the increment benchmark). Zones whose value
    is missing are left out of a panel. Chinese labels need a Chinese font (Noto Sans CJK,
    WenQuanYi Micro Hei, SimHei, …); without one the charts fall back to English with a
    :class:`~landuse.errors.LanduseWarning`.

    Parameters
    ----------
    assessment
        The result of :func:`landuse.assess_zones` or :func:`landuse.zone_indicators`.
    directory
        Folder for the files (created if needed); files are ``<indicator key>.png``, replaced
        atomically.
    lang
        ``"zh"`` (default) or ``"en"`` labels.
    dpi
        Resolution.

    Returns
    -------
    list of pathlib.Path
        The written files, in indicator order (indicators whose values are all missing are
        skipped).

    Raises
    ------
    ImportError
        matplotlib is not installed (the message names the ``report`` extra).

    Examples
    --------
    >>> import tempfile
    >>> from landuse import load_sample
    >>> from landuse.assessment import assess_zones
    >>> result = assess_zones(load_sample().zone_stats, year=2021, policy="qingdao-2019")
    >>> [p.name for p in save_indicator_charts(result, tempfile.mkdtemp())][:2]
    ['revenue.png', 'tax.png']
    """
    caller = "save_indicator_charts"
    lang = check_lang(lang, caller=caller)
    _check_assessment(assessment, caller)
    matplotlib, font_manager = _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter, StrMethodFormatter

    font = _cjk_font(font_manager)
    if lang == "zh" and font is None:
        warnings.warn(
            f"{caller}: no Chinese font found (install fonts-wqy-microhei or fonts-noto-cjk); "
            "the charts are labelled in English",
            LanduseWarning,
            stacklevel=2,
        )
        lang = "en"
    bench = {b["indicator"]: b for b in assessment.attrs.get("benchmarks") or []}
    year = assessment.attrs.get("year")
    if year is None and "year" in assessment.columns and len(assessment):
        year = assessment["year"].iloc[0]
    zh = lang == "zh"
    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    rc = {
        "font.family": "sans-serif",
        "font.sans-serif": ([font] if font else []) + ["DejaVu Sans"],
        "axes.unicode_minus": False,
    }
    written: list[Path] = []
    with matplotlib.rc_context(rc):
        for ind in INDICATORS:
            if ind.column not in assessment.columns:
                continue
            value = assessment.set_index("zone_id")[ind.column].dropna()
            if value.empty:
                continue
            inc_col = f"{ind.column}_increment"
            increment = (
                assessment.set_index("zone_id")[inc_col].dropna()
                if inc_col in assessment.columns
                else pd.Series(dtype="float64")
            )
            unit = _unit_text(ind.unit, lang)
            fig = Figure(figsize=(max(8.0, 0.5 * len(value) + 3), 4.5), layout="constrained")
            FigureCanvasAgg(fig)
            axes = fig.subplots(1, 2)
            b = bench.get(ind.key, {})
            panels = (
                (axes[0], value, "存量" if zh else "Level", b.get("stock_benchmark"), "#2166ac"),
                (
                    axes[1],
                    increment,
                    "增量" if zh else "Increment",
                    b.get("increment_benchmark"),
                    "#b2182b",
                ),
            )
            for ax, series, title, line, color in panels:
                series = series.sort_values(ascending=False)
                ax.bar(series.index.astype(str), series.to_numpy(), color=color)
                if line is not None and np.isfinite(line):
                    ax.axhline(line, color="black", linestyle="--", linewidth=1)
                    ax.annotate(
                        "标杆" if zh else "benchmark",
                        xy=(1, line),
                        xycoords=("axes fraction", "data"),
                        ha="right",
                        va="bottom",
                        fontsize=8,
                    )
                ax.axhline(0, color="grey", linewidth=0.5)
                ax.set_title(title)
                ax.set_ylabel(unit)
                if ind.unit == "share (0–1)":
                    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
                    ax.set_ylabel("%")
                elif len(series) and float(series.abs().max()) >= 1e4:
                    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
                ax.tick_params(axis="x", labelrotation=90 if len(series) > 8 else 0)
            suffix = f" · {year}" if year is not None else ""
            fig.suptitle(f"{ind.label(lang)}{suffix}")
            target = out_dir / f"{ind.key}.png"
            with atomic_path(target) as tmp:
                fig.savefig(tmp, format="png", dpi=dpi)
            written.append(target)
    return written
