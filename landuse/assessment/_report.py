"""Outputs of the zone assessment: the ranked Excel table and one chart per indicator.

Private: the public names are re-exported by :mod:`landuse.assessment`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landuse._atomic import atomic_path
from landuse._checks import Lang, check_frame, check_lang
from landuse._sinks import excel_workbook
from landuse.assessment._rules import INDICATORS
from landuse.errors import LanduseWarning, SchemaError

__all__ = ["save_indicator_charts", "write_assessment"]

_HEADERS: Mapping[str, tuple[str, str]] = {
    "zone_id": ("集聚区编号", "Zone id"),
    "name": ("集聚区名称", "Zone name"),
    "year": ("考核年度", "Year"),
    "rank": ("排名", "Rank"),
    "total_score": ("总分", "Total score"),
    "stock_score": ("存量得分", "Stock score"),
    "increment_score": ("增量得分", "Increment score"),
    "tier": ("层级", "Tier"),
    "revenue_yi": ("主营业务收入(亿元)", "Revenue (100M CNY)"),
    "meets_creation_conditions": ("符合创建条件", "Meets creation conditions"),
    "creation_failures": ("未达创建条件情况", "Creation conditions failed"),
    "elimination_warning": ("淘汰预警", "Elimination warning"),
    "elimination_reason": ("预警原因", "Warning reason"),
    "reward_wan": ("奖励资金(万元)", "Reward (10k CNY)"),
    "increment_available": ("增量可计算", "Increment available"),
    "notes": ("说明", "Notes"),
}
_UNITS_ZH = {"share (0–1)": "比例"}
_UNITS_EN = {
    "万元": "10k CNY",
    "万元/亩": "10k CNY/mu",
    "家": "firms",
    "个": "projects",
    "share (0–1)": "share",
}
_BOOL = {"zh": ("是", "否", "未评价"), "en": ("yes", "no", "not evaluated")}
_SHEETS = {
    "zh": ("考核排名", "标杆值", "参数"),
    "en": ("ranking", "benchmarks", "parameters"),
}
_BENCH_HEADERS = {
    "indicator": ("指标", "Indicator"),
    "label": ("名称", "Name"),
    "unit": ("单位", "Unit"),
    "stock_weight": ("存量权重", "Stock weight"),
    "stock_benchmark": ("存量标杆值", "Stock benchmark"),
    "stock_basis": ("存量标杆来源", "Stock benchmark basis"),
    "increment_weight": ("增量权重", "Increment weight"),
    "increment_benchmark": ("增量标杆值", "Increment benchmark"),
    "increment_basis": ("增量标杆来源", "Increment benchmark basis"),
}
_PARAM_HEADERS = {
    "key": ("参数", "Key"),
    "value": ("取值", "Value"),
    "unit": ("单位", "Unit"),
    "confidence": ("可信度", "Confidence"),
    "source": ("来源", "Source"),
    "note": ("备注", "Note"),
}


def _unit(unit: str, lang: Lang) -> str:
    return _UNITS_ZH.get(unit, unit) if lang == "zh" else _UNITS_EN.get(unit, unit)


def headers(lang: Lang) -> dict[str, str]:
    """Display header of every column :func:`assess_zones` writes."""
    i = 0 if lang == "zh" else 1
    out = {k: v[i] for k, v in _HEADERS.items()}
    for ind in INDICATORS:
        label, unit = ind.label(lang), _unit(ind.unit, lang)
        if lang == "zh":
            out[ind.column] = f"{label}({unit})"
            out[f"{ind.column}_increment"] = f"{label}增量({unit})"
            out[f"{ind.key}_stock_score"] = f"{label}存量得分"
            out[f"{ind.key}_increment_score"] = f"{label}增量得分"
        else:
            out[ind.column] = f"{label} ({unit})"
            out[f"{ind.column}_increment"] = f"{label}, increment ({unit})"
            out[f"{ind.key}_stock_score"] = f"{label}, stock score"
            out[f"{ind.key}_increment_score"] = f"{label}, increment score"
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


def write_assessment(
    assessment: pd.DataFrame, path: str | os.PathLike[str], *, lang: Lang = "zh"
) -> Path:
    r"""Write the ranked assessment table to an Excel workbook with Chinese (or English) headers.

    Sheets: the ranking (sorted by rank, unranked last; booleans as 是/否/未评价), the
    benchmarks and weights used, and the policy parameters with their source and confidence.
    The file is written atomically (a failure leaves an existing file untouched). Text from
    the data (zone ids and names, notes) is written as string cells, never as formulas, even
    when it starts with ``=``; line breaks are stored as ``\n`` and control characters an
    ``.xlsx`` file cannot hold as visible escapes, with a warning (see
    :func:`landuse._sinks.excel_text`).

    Parameters
    ----------
    assessment
        The result of :func:`landuse.assess_zones` (or :func:`landuse.zone_indicators`).
    path
        Target ``.xlsx`` file (replaced if it exists).
    lang
        ``"zh"`` (default) Chinese headers and sheet names, ``"en"`` English.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    TypeError, SchemaError
        Not a DataFrame, or no ``zone_id`` column.

    Examples
    --------
    >>> import tempfile
    >>> from landuse import load_sample
    >>> from landuse.assessment import assess_zones
    >>> result = assess_zones(load_sample().zone_stats, year=2021, policy="qingdao-2019")
    >>> out = write_assessment(result, Path(tempfile.mkdtemp()) / "ranking.xlsx")
    >>> pd.read_excel(out, sheet_name="考核排名").columns[:4].tolist()
    ['集聚区编号', '考核年度', '排名', '总分']
    """
    caller = "write_assessment"
    lang = check_lang(lang, caller=caller)
    _check_assessment(assessment, caller)
    table = assessment.copy()
    if "rank" in table.columns:
        table = table.sort_values("rank", na_position="last", kind="mergesort")
    for col in ("meets_creation_conditions", "elimination_warning", "increment_available"):
        if col in table.columns:
            table[col] = _bool_text(table[col], lang)
    table = table.rename(columns=headers(lang))
    ranking, bench_sheet, param_sheet = _SHEETS[lang]
    i = 0 if lang == "zh" else 1
    target = Path(path)
    with excel_workbook(target, caller=caller) as book:
        book.add(table, ranking, freeze_panes=(1, 1))
        bench = assessment.attrs.get("benchmarks")
        if bench:
            frame = pd.DataFrame(bench).drop(columns=["column"], errors="ignore")
            book.add(
                frame.rename(columns={k: v[i] for k, v in _BENCH_HEADERS.items()}), bench_sheet
            )
        params = assessment.attrs.get("parameters")
        if params:
            frame = pd.DataFrame(params).rename(
                columns={k: v[i] for k, v in _PARAM_HEADERS.items()}
            )
            book.add(frame, param_sheet)
        for sheet in book.book.worksheets:
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column[:50])
                sheet.column_dimensions[column[0].column_letter].width = min(
                    max(10, width * 1.6), 60
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
            unit = _unit(ind.unit, lang)
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
