"""Small inline SVG charts for landuse's HTML pages: a line chart and a horizontal bar chart.

Private: used by the zone dossiers and the city report. Each chart is one ``<svg>`` element
(``role="img"``, its ``<title>`` the chart's title) to put into a page as it is: no script, no
external file, every text escaped by the HTML sink (:func:`landuse.report._html.esc`),
numbers shown as in the page's tables (:func:`landuse.report._html.number_text`). Missing
values (``None``, NaN, ±inf) are not drawn; a chart with no value at all shows "无数据".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from landuse._checks import Lang, check_lang
from landuse.report._html import FONT_STACK, esc, number_text
from landuse.schema import CATEGORY_COLORS, ZONE_COLOR

__all__ = ["BAR_COLOR", "NEGATIVE_COLOR", "PALETTE", "bar_chart", "line_chart"]

#: Colours of the series of a line chart, in order: the zone first (its map colour), then
#: blue, green, grey, purple, orange (colour-blind-safe pairs, and distinct in grey print).
PALETTE: tuple[str, ...] = (
    ZONE_COLOR,
    "#4575b4",
    CATEGORY_COLORS["grade"]["A"],
    "#878787",
    "#7b3294",
    "#fdae61",
)
#: Bars of a bar chart: positive values, negative values.
BAR_COLOR = "#4575b4"
NEGATIVE_COLOR = ZONE_COLOR
_NO_DATA = {"zh": "无数据", "en": "no data"}
_INK, _MUTED, _AXIS = "#1f2933", "#5f6b76", "#9aa5b1"
_TITLE_SIZE, _TEXT_SIZE = 12, 10


def _n(value: float) -> str:
    """Return a coordinate as text: up to two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` at ``size`` px: CJK and full-width characters 1 em, others 0.6."""
    return sum(size if ord(ch) >= 0x2E80 else 0.6 * size for ch in text)


def _x_text(value: Any) -> str:
    """Return an x label: whole numbers (years) without separators, others as tables show them."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if (
        isinstance(value, (float, np.floating))
        and math.isfinite(value)
        and float(value).is_integer()
    ):
        return str(int(value))
    return number_text(value)


def _floats(values: Any, *, what: str, caller: str) -> np.ndarray:
    """``values`` as float64; anything missing or not finite becomes NaN."""
    try:
        out = pd.to_numeric(pd.Series(list(values), dtype=object), errors="raise")
        array = out.to_numpy(dtype=float, na_value=np.nan, copy=True)
    except (TypeError, ValueError) as exc:
        msg = f"{caller}(): {what} must be numbers (missing values allowed); {exc}."
        raise ValueError(msg) from exc
    array[~np.isfinite(array)] = np.nan
    return array


def _svg(width: int, height: int, title: str, body: str) -> str:
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="{esc(FONT_STACK)}" font-size="{_TEXT_SIZE}" '
        f'fill="{_INK}"><title>{esc(title)}</title>{body}</svg>'
    )


def _head(title: str, unit: str | None, width: int) -> str:
    out = f'<text x="8" y="16" font-size="{_TITLE_SIZE}" font-weight="600">{esc(title)}</text>'
    if unit:
        out += f'<text class="unit" x="{width - 8}" y="16" text-anchor="end" fill="{_MUTED}">{esc(unit)}</text>'
    return out


def _placeholder(title: str, unit: str | None, width: int, height: int, lang: Lang) -> str:
    body = (
        _head(title, unit, width)
        + f'<rect x="8" y="26" width="{width - 16}" height="{max(height - 34, 10)}" fill="none" '
        f'stroke="{_AXIS}" stroke-dasharray="4 3"/>'
        + f'<text class="no-data" x="{_n(width / 2)}" y="{_n((height + 26) / 2 + 4)}" '
        f'text-anchor="middle" fill="{_MUTED}">{_NO_DATA[lang]}</text>'
    )
    return _svg(width, height, title, body)


def _check_size(width: Any, height: Any, caller: str) -> None:
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 40:
            msg = (
                f"{caller}(): `{name}` must be a whole number of pixels >= 40; received {value!r}."
            )
            raise ValueError(msg)


# --- line chart -------------------------------------------------------------------------------


def _x_positions(x: Sequence[Any], left: float, right: float) -> np.ndarray:
    """Positions along the x axis: by value when every x is a number (years), else evenly."""
    n = len(x)
    numeric = all(
        isinstance(v, (int, float, np.integer, np.floating))
        and not isinstance(v, (bool, np.bool_))
        and math.isfinite(v)
        for v in x
    )
    at = np.asarray(x, dtype=float) if numeric else np.arange(n, dtype=float)
    lo, hi = float(at.min()), float(at.max())
    if hi == lo:
        return np.full(n, (left + right) / 2)
    return left + (at - lo) / (hi - lo) * (right - left)


def _runs(finite: np.ndarray) -> list[np.ndarray]:
    """Index arrays of the runs of consecutive finite values."""
    idx = np.flatnonzero(finite)
    if not len(idx):
        return []
    return np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)


def _legend(names: Sequence[str], colors: Sequence[str], y: float, width: int) -> str:
    parts, x = [], 8.0
    for name, color in zip(names, colors, strict=True):
        parts.append(
            f'<g class="legend-item"><line x1="{_n(x)}" y1="{_n(y - 3)}" x2="{_n(x + 12)}" '
            f'y2="{_n(y - 3)}" stroke="{esc(color)}" stroke-width="2"/><text x="{_n(x + 15)}" '
            f'y="{_n(y)}">{esc(name)}</text></g>'
        )
        x += 15 + _text_width(str(name), _TEXT_SIZE) + 10
        if x > width - 20:
            break
    return f'<g class="legend">{"".join(parts)}</g>'


def line_chart(
    x: Sequence[Any],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    unit: str | None = None,
    width: int = 320,
    height: int = 160,
    colors: Mapping[str, str] | None = None,
    lang: Lang = "zh",
) -> str:
    """Return a small line chart as inline SVG: one line with point markers per series.

    The y axis is labelled with the smallest and largest value, the x axis with its first and
    last value (every value when there are six or fewer). A missing value breaks the line; a
    value with no neighbour is drawn as its marker alone. Each marker's tooltip (``<title>``)
    gives its x and value.

    Parameters
    ----------
    x
        The x values (years, or any labels): numbers are placed by value, others evenly.
    series
        Name → values, each as long as ``x``. The names make the legend.
    title
        The chart title (also its accessible name).
    unit
        Unit of the values, shown at the top right.
    width, height
        Size in CSS pixels (the chart scales down to its box).
    colors
        Name → colour; series not named take :data:`PALETTE` colours in order.
    lang
        Language of the "无数据" placeholder.

    Returns
    -------
    str
        ``<svg class="chart" role="img">…</svg>``.

    Raises
    ------
    ValueError
        If a series is not as long as ``x`` or holds something that is not a number.

    Examples
    --------
    >>> svg = line_chart([2021, 2022, 2023], {"本区": [1.5, None, 2.0], "基准": [1, 1, 1]},
    ...                  title="亩均税收", unit="万元/亩")
    >>> svg.count("<polyline"), svg.count("<circle")
    (1, 5)
    >>> "无数据" in line_chart([2021], {"本区": [float("nan")]}, title="亩均税收")
    True
    """
    lang = check_lang(lang, caller="line_chart")
    _check_size(width, height, "line_chart")
    xs = list(x)
    data = {}
    for name, values in series.items():
        array = _floats(values, what=f"the values of series {name!r}", caller="line_chart")
        if len(array) != len(xs):
            msg = (
                f"line_chart(): series {name!r} has {len(array)} values for {len(xs)} x values; "
                "give one value per x (None where missing)."
            )
            raise ValueError(msg)
        data[str(name)] = array
    finite = [v[np.isfinite(v)] for v in data.values()]
    if not xs or not any(len(f) for f in finite):
        return _placeholder(title, unit, width, height, lang)
    lo = min(float(f.min()) for f in finite if len(f))
    hi = max(float(f.max()) for f in finite if len(f))
    span = hi - lo if hi > lo else (abs(hi) or 1.0)
    y_lo, y_hi = (lo, hi) if hi > lo else (lo - span / 2, hi + span / 2)
    labels = (number_text(hi), number_text(lo)) if hi > lo else (number_text(hi), "")
    left = 8 + max(_text_width(t, _TEXT_SIZE) for t in labels) + 6
    right, top, bottom = width - 12, 30, height - 34
    px = _x_positions(xs, left + 4, right)

    def py(v: np.ndarray | float) -> Any:
        return bottom - (np.asarray(v) - y_lo) / (y_hi - y_lo) * (bottom - top)

    named = dict(colors or {})
    free = iter(PALETTE * (len(data) // len(PALETTE) + 1))
    palette = [named[k] if k in named else next(free) for k in data]
    parts = [
        _head(title, unit, width),
        f'<g class="axes" stroke="{_AXIS}" stroke-width="1"><line x1="{_n(left)}" y1="{top}" '
        f'x2="{_n(left)}" y2="{bottom}"/><line x1="{_n(left)}" y1="{bottom}" x2="{right}" y2="{bottom}"/></g>',
        f'<text class="y-max" x="{_n(left - 6)}" y="{_n(float(py(hi)) + 3)}" text-anchor="end" fill="{_MUTED}">{esc(labels[0])}</text>',
    ]
    if labels[1]:
        parts.append(
            f'<text class="y-min" x="{_n(left - 6)}" y="{_n(float(py(lo)) + 3)}" text-anchor="end" fill="{_MUTED}">{esc(labels[1])}</text>'
        )
    if y_lo < 0 < y_hi:
        parts.append(
            f'<line class="zero" x1="{_n(left)}" y1="{_n(float(py(0.0)))}" x2="{right}" '
            f'y2="{_n(float(py(0.0)))}" stroke="{_AXIS}" stroke-dasharray="3 3"/>'
        )
    shown = range(len(xs)) if len(xs) <= 6 else (0, len(xs) - 1)
    for i in shown:
        parts.append(
            f'<text class="x-label" x="{_n(px[i])}" y="{bottom + 13}" text-anchor="middle" '
            f'fill="{_MUTED}">{esc(_x_text(xs[i]))}</text>'
        )
    for (name, values), color in zip(data.items(), palette, strict=True):
        ys = py(values)
        lines = "".join(
            f'<polyline points="{" ".join(f"{_n(px[i])},{_n(ys[i])}" for i in run)}"/>'
            for run in _runs(np.isfinite(values))
            if len(run) > 1
        )
        dots = "".join(
            f'<circle cx="{_n(px[i])}" cy="{_n(ys[i])}" r="2.5"><title>'
            f"{esc(name)} {esc(_x_text(xs[i]))}: {esc(number_text(values[i]))}{' ' + esc(unit) if unit else ''}"
            "</title></circle>"
            for i in np.flatnonzero(np.isfinite(values))
        )
        parts.append(
            f'<g class="series" fill="{esc(color)}" stroke="{esc(color)}"><g fill="none" '
            f'stroke-width="1.8" stroke-linejoin="round">{lines}</g><g stroke="none">{dots}</g></g>'
        )
    parts.append(_legend(list(data), palette, height - 6, width))
    return _svg(width, height, title, "".join(parts))


# --- bar chart --------------------------------------------------------------------------------


def _clip(text: str, room: float) -> str:
    """``text`` cut with … to fit ``room`` px."""
    if _text_width(text, _TEXT_SIZE) <= room:
        return text
    while text and _text_width(text + "…", _TEXT_SIZE) > room:
        text = text[:-1]
    return text + "…"


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    unit: str | None = None,
    width: int = 320,
    height: int | None = None,
    colors: Sequence[str] | None = None,
    lang: Lang = "zh",
) -> str:
    """Return a horizontal bar chart as inline SVG: a labelled bar per value, the value beside it.

    Bars start at zero, so their lengths are proportional to the values; negative values
    extend left of a zero line. A missing value has no bar and shows —. Labels too long for
    the label column (at most 40 % of the width) are cut with …; each bar's tooltip
    (``<title>``) gives the full label and value.

    Parameters
    ----------
    labels
        One label per bar, top to bottom.
    values
        One value per label (None/NaN where missing).
    title
        The chart title (also its accessible name).
    unit
        Unit of the values, shown at the top right.
    width
        Width in CSS pixels.
    height
        Height in CSS pixels; default: 20 px per bar plus the title.
    colors
        One colour per bar; default :data:`BAR_COLOR` (negative values :data:`NEGATIVE_COLOR`).
    lang
        Language of the "无数据" placeholder.

    Returns
    -------
    str
        ``<svg class="chart" role="img">…</svg>``.

    Raises
    ------
    ValueError
        If ``labels``, ``values`` (and ``colors``) differ in length, or a value is not a number.

    Examples
    --------
    >>> svg = bar_chart(["收储", "异地搬迁"], [2.0, 1.0], title="候选项目", unit="宗")
    >>> svg.count('<rect class="bar"')
    2
    >>> "无数据" in bar_chart([], [], title="候选项目")
    True
    """
    lang = check_lang(lang, caller="bar_chart")
    names = [number_text(label) if not isinstance(label, str) else label for label in labels]
    array = _floats(values, what="`values`", caller="bar_chart")
    if len(array) != len(names):
        msg = f"bar_chart(): {len(names)} labels for {len(array)} values; give one value per label."
        raise ValueError(msg)
    if colors is not None and len(colors) != len(names):
        msg = f"bar_chart(): {len(colors)} colours for {len(names)} bars; give one colour per bar."
        raise ValueError(msg)
    row, top = 20, 28
    if height is None:
        height = max(top + row * len(names) + 8, 60)
    _check_size(width, height, "bar_chart")
    finite = array[np.isfinite(array)]
    if not len(finite):
        return _placeholder(title, unit, width, height, lang)
    texts = [number_text(v) for v in array]
    lo, hi = min(0.0, float(finite.min())), max(0.0, float(finite.max()))
    label_room = min(max(_text_width(n, _TEXT_SIZE) for n in names), 0.4 * width)
    pos_room = max(
        (_text_width(t, _TEXT_SIZE) for t, v in zip(texts, array, strict=True) if not v < 0),
        default=0,
    )
    neg_room = max(
        (_text_width(t, _TEXT_SIZE) for t, v in zip(texts, array, strict=True) if v < 0), default=0
    )
    x0 = 8 + label_room + 6 + (neg_room + 4 if neg_room else 0)
    x1 = width - 8 - pos_room - 4
    scale = (x1 - x0) / (hi - lo) if hi > lo else 0.0
    zero = x0 - lo * scale
    step = (height - top - 8) / len(names)
    bar_h = min(12.0, step * 0.7)
    parts = [_head(title, unit, width)]
    for i, (name, v, text) in enumerate(zip(names, array, texts, strict=True)):
        mid = top + step * (i + 0.5)
        color = colors[i] if colors is not None else (NEGATIVE_COLOR if v < 0 else BAR_COLOR)
        tip = f"{esc(name)}: {esc(text)}{' ' + esc(unit) if unit and math.isfinite(v) else ''}"
        bar = ""
        if math.isfinite(v):
            end = zero + v * scale
            bar = (
                f'<rect class="bar" x="{_n(min(zero, end))}" y="{_n(mid - bar_h / 2)}" '
                f'width="{abs(end - zero):.3f}" height="{_n(bar_h)}" fill="{esc(color)}" '
                f'data-value="{float(v)!r}"/>'
            )
            at, anchor = (end - 4, "end") if v < 0 else (end + 4, "start")
        else:
            at, anchor = zero + 4, "start"
        parts.append(
            f'<g><title>{tip}</title><text class="label" x="{_n(8 + label_room)}" y="{_n(mid + 3.5)}" '
            f'text-anchor="end">{esc(_clip(name, label_room))}</text>{bar}<text class="value" '
            f'x="{_n(at)}" y="{_n(mid + 3.5)}" text-anchor="{anchor}" fill="{_MUTED}">{esc(text)}</text></g>'
        )
    if lo < 0:
        parts.append(
            f'<line class="zero" x1="{_n(zero)}" y1="{top}" x2="{_n(zero)}" y2="{_n(height - 8)}" stroke="{_AXIS}"/>'
        )
    return _svg(width, height, title, "".join(parts))
