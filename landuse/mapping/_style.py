"""Styling for maps, computed in Python: labels, palettes, classes, legends, display fields.

Shared by the interactive maps (:mod:`landuse.mapping`) and the static ones
(:mod:`landuse.mapping.static`), so a category or class has the same colour and the same legend
entry in both. Nothing here draws; it returns a style index per feature, the list of styles
and the legend items that describe them.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from landuse._checks import Lang
from landuse.errors import SchemaError, format_ids
from landuse.schema import CATEGORY_COLORS, CATEGORY_LABELS, category_labels, field_info
from landuse.schema import field_label as _catalogue_label

__all__ = [
    "CATEGORY_COLORS",
    "MISSING_COLOR",
    "RAMPS",
    "SCHEMES",
    "Styling",
    "categorical_styling",
    "classed_styling",
    "color_styling",
    "field_label",
    "field_spec",
    "single_styling",
    "value_labels",
]

Scheme = Literal[
    "quantiles",
    "equal_interval",
    "fisher_jenks",
    "headtail_breaks",
    "box_plot",
    "std_mean",
    "maximum_breaks",
    "percentiles",
]
#: Classification schemes accepted for numeric columns (mapclassify).
SCHEMES: tuple[str, ...] = get_args(Scheme)
_MAPCLASSIFY_CLASS = {
    "quantiles": "Quantiles",
    "equal_interval": "EqualInterval",
    "fisher_jenks": "FisherJenks",
    "headtail_breaks": "HeadTailBreaks",
    "box_plot": "BoxPlot",
    "std_mean": "StdMean",
    "maximum_breaks": "MaximumBreaks",
    "percentiles": "Percentiles",
}
#: Fisher-Jenks is O(k·n²) in pure Python: it runs on at most this many evenly spaced
#: order statistics of the values (deterministic), and all values are then classed by its breaks.
_FISHER_JENKS_SAMPLE = 400

#: Colour of features whose value is missing.
MISSING_COLOR = "#d9d9d9"
_OTHER_COLOR = "#bdbdbd"
_MAX_CATEGORIES = 20

#: Sequential / diverging ramps (ColorBrewer 9-class, viridis sampled at 9 stops); classes
#: take evenly spaced colours, interpolated in RGB when more than 9 are needed.
RAMPS: Mapping[str, tuple[str, ...]] = {
    "YlOrRd": (
        "#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c",
        "#fc4e2a", "#e31a1c", "#bd0026", "#800026",
    ),
    "YlGnBu": (
        "#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4",
        "#1d91c0", "#225ea8", "#253494", "#081d58",
    ),
    "Blues": (
        "#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6",
        "#4292c6", "#2171b5", "#08519c", "#08306b",
    ),
    "Greens": (
        "#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476",
        "#41ab5d", "#238b45", "#006d2c", "#00441b",
    ),
    "RdYlGn": (
        "#d73027", "#f46d43", "#fdae61", "#fee08b", "#ffffbf",
        "#d9ef8b", "#a6d96a", "#66bd63", "#1a9850",
    ),
    "viridis": (
        "#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c",
        "#28ae80", "#5ec962", "#addc30", "#fde725",
    ),
}  # fmt: skip

_QUALITATIVE: tuple[str, ...] = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
    "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)  # fmt: skip

# CATEGORY_COLORS (re-exported): the colours of coded values by category, in legend order,
# from the one catalogue (landuse.schema), shared with the QGIS styles of the GeoPackages.

# Digits shown for numeric fields, by name (shares, by the catalogue's unit, are percentages).
_DIGITS = {
    "far": 2,
    "total_score": 1,
    "rank": 0,
    "priority_rank": 0,
    "share_in_zone": 1,
    "share_in_industrial_area": 1,
    "distance_to_zone_m": 0,
}


def field_label(name: str, lang: Lang) -> str:
    """Label of column ``name``: its header in the one catalogue (:func:`landuse.schema.field_label`).

    Examples
    --------
    >>> field_label("land_area_m2", "zh"), field_label("land_area_m2", "en")
    ('用地面积（平方米）', 'Land area (m²)')
    >>> field_label("verdict", "zh"), field_label("route", "en")
    ('判定结果', 'Redevelopment route')
    """
    return _catalogue_label(name, lang)


def _category(column: str | None) -> str | None:
    """Return the catalogue category of a column's values (``status`` → ``bank_status``)."""
    if column is None:
        return None
    category = field_info(column).category
    if category is None and column in CATEGORY_LABELS:
        return column
    return category


def _is_share(name: str) -> bool:
    """Whether column ``name`` holds a share (0–1), shown as a percentage."""
    return field_info(name).unit == "share"


def value_labels(column: str | None, lang: Lang) -> dict[str, str]:
    """Display labels of a known categorical column's values (empty for other columns).

    The labels are those of the package's one catalogue, :data:`landuse.schema.CATEGORY_LABELS`,
    so a legend or tooltip names a category as the workbooks and sentences do.

    Examples
    --------
    >>> value_labels("verdict", "zh")["straddles_boundary"]
    '跨集聚区边界'
    >>> value_labels("land_use", "en")["commercial"], value_labels("far", "en")
    ('Commercial', {})
    """
    category = _category(column)
    if category is None:
        return {}
    return category_labels(category, lang=lang)


@dataclass(frozen=True)
class Styling:
    """Styles of one layer: a style index per feature into ``styles``, and the legend.

    ``index`` is ``None`` when every feature has ``styles[0]``. ``styles`` are Leaflet path
    options (``color``, ``weight``, ``fillColor``, ``fillOpacity``, ...). ``legend`` is
    ``{"title", "items": [{"fill", "stroke", "label", "count"}], "note"}`` or ``None``.
    """

    index: np.ndarray | None
    styles: list[dict[str, Any]]
    legend: dict[str, Any] | None

    def fill_colors(self, n: int) -> np.ndarray:
        """Fill colour of each of ``n`` features (for static maps)."""
        fills = np.array([s.get("fillColor", s.get("color", "#000000")) for s in self.styles])
        return fills[self.index] if self.index is not None else np.repeat(fills[:1], n)

    def stroke_colors(self, n: int) -> np.ndarray:
        """Stroke colour of each of ``n`` features (for static maps)."""
        strokes = np.array([s.get("color", "#000000") for s in self.styles])
        return strokes[self.index] if self.index is not None else np.repeat(strokes[:1], n)


def _style(base: Mapping[str, Any], fill: str, stroke: str | None) -> dict[str, Any]:
    style = dict(base)
    style["fillColor"] = fill
    style["color"] = stroke if stroke is not None else base.get("color", fill)
    return style


def _item(style: Mapping[str, Any], label: str, count: int) -> dict[str, Any]:
    """Make a legend entry drawn like ``style`` (fill colour and opacity, outline, dashes)."""
    item: dict[str, Any] = {
        "fill": style["fillColor"],
        "fillOpacity": style.get("fillOpacity", 1.0),
        "stroke": style["color"],
        "label": label,
        "count": int(count),
    }
    if style.get("dashArray"):
        item["dash"] = True
    return item


def single_styling(
    n: int,
    *,
    color: str,
    base: Mapping[str, Any],
    label: str,
    title: str,
    stroke: str | None = None,
    legend: bool = True,
    note: str | None = None,
) -> Styling:
    """One style for every feature (legend with one entry)."""
    style = _style(base, color, stroke)
    items = [_item(style, label, n)]
    return Styling(
        None, [style], {"title": title, "items": items, "note": note} if legend else None
    )


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def ramp_colors(cmap: str | Sequence[str], k: int) -> list[str]:
    """``k`` colours spread evenly over a ramp (a name in :data:`RAMPS` or a colour list).

    Examples
    --------
    >>> ramp_colors("YlOrRd", 3)
    ['#ffffcc', '#fd8d3c', '#800026']
    >>> ramp_colors(["#000000", "#ffffff"], 3)
    ['#000000', '#808080', '#ffffff']
    """
    if isinstance(cmap, str):
        if cmap not in RAMPS:
            msg = f"`cmap` must be one of {sorted(RAMPS)} or a list of colours; received {cmap!r}."
            raise ValueError(msg)
        stops = list(RAMPS[cmap])
    else:
        stops = [str(c) for c in cmap]
        if len(stops) < 2 or not all(len(c) == 7 and c.startswith("#") for c in stops):
            msg = f"`cmap` as a list needs at least two '#rrggbb' colours; received {list(cmap)!r}."
            raise ValueError(msg)
    if k == 1:
        return [stops[len(stops) // 2]]
    rgb = np.array([_hex_to_rgb(c) for c in stops], dtype=float)
    pos = np.linspace(0, len(stops) - 1, k)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(stops) - 1)
    frac = (pos - lo)[:, None]
    mixed = np.rint(rgb[lo] * (1 - frac) + rgb[hi] * frac).astype(int)
    return ["#{:02x}{:02x}{:02x}".format(*row) for row in mixed]


def _missing_label(lang: Lang) -> str:
    return "无数据" if lang == "zh" else "No data"


def categorical_styling(
    values: pd.Series,
    *,
    column: str | None,
    base: Mapping[str, Any],
    title: str,
    lang: Lang,
    colors: Mapping[Any, str] | Sequence[str] | None = None,
    stroke: Literal["fill"] | str | None = None,
    note: str | None = None,
) -> Styling:
    """One colour per category.

    Coded columns of the catalogue (``grade``, ``verdict``, ``area_type``, ``land_use``,
    ``production_status``, ``route``, ``status``) get their fixed colours, order and labels
    (:data:`landuse.schema.CATEGORY_COLORS`, :data:`landuse.schema.CATEGORY_LABELS`); others take a qualitative palette by frequency
    (the 19 most frequent categories, the rest as "other"). Missing values get a grey class.
    ``stroke="fill"`` strokes each feature in its fill colour; a colour string strokes all
    features in it; ``None`` keeps ``base["color"]``.
    """
    known = CATEGORY_COLORS.get(_category(column) or "", {})
    labels = value_labels(column, lang)
    text = pd.Series(_as_text(values, lang), index=values.index, dtype=object)
    counts = text.value_counts(dropna=True)
    present = list(counts.index)
    if isinstance(colors, Mapping):
        palette = {str(k): str(v) for k, v in colors.items()}
        order = [c for c in palette if c in counts.index] + [c for c in present if c not in palette]
    elif known:
        palette = dict(known)
        order = [c for c in known if c in counts.index] + [c for c in present if c not in known]
    else:
        palette = {}
        order = present
    cycle = list(colors) if isinstance(colors, Sequence) and not isinstance(colors, str) else []
    cycle = cycle or list(_QUALITATIVE)
    other: list[str] = []
    if len(order) > _MAX_CATEGORIES:
        order, other = order[: _MAX_CATEGORIES - 1], order[_MAX_CATEGORIES - 1 :]
    styles: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    code_of: dict[str, int] = {}
    spare = iter(c for c in cycle if c not in palette.values())
    for value in order:
        fill = palette.get(value) or next(spare, _OTHER_COLOR)
        code_of[value] = len(styles)
        line = fill if stroke == "fill" else stroke
        styles.append(_style(base, fill, line))
        items.append(_item(styles[-1], labels.get(value, str(value)), counts[value]))
    if other:
        code = len(styles)
        for value in other:
            code_of[value] = code
        line = _OTHER_COLOR if stroke == "fill" else stroke
        styles.append(_style(base, _OTHER_COLOR, line))
        label = ("其他" if lang == "zh" else "Other") + f" ({len(other)})"
        items.append(_item(styles[-1], label, counts[other].sum()))
    # position of each value among the categories (an object index: pandas' string dtype
    # cannot hold text such as a lone surrogate, which a mapping through a dict would build)
    position = pd.Index(list(code_of), dtype=object).get_indexer(text)
    codes = np.array([*code_of.values(), np.nan], dtype=float)
    index = codes[position]  # -1 (missing or unknown) picks the trailing NaN
    if np.isnan(index).any():
        code = len(styles)
        line = MISSING_COLOR if stroke == "fill" else stroke
        styles.append(_style(base, MISSING_COLOR, line))
        items.append(_item(styles[-1], _missing_label(lang), np.isnan(index).sum()))
        index = np.where(np.isnan(index), code, index)
    if not styles:  # empty layer
        styles.append(_style(base, MISSING_COLOR, stroke if stroke != "fill" else None))
    return Styling(index.astype(np.int32), styles, {"title": title, "items": items, "note": note})


def _number_text(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


def _classify(y: np.ndarray, scheme: str, k: int, bins: Sequence[float] | None) -> np.ndarray:
    """Upper bounds of the classes of ``y`` (the last one is ``max(y)``)."""
    try:
        import mapclassify
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        msg = (
            "Classed colours for numeric columns need mapclassify: "
            'pip install "landuse[maps]" (or conda install mapclassify).'
        )
        raise ImportError(msg) from exc
    with warnings.catch_warnings():
        # mapclassify warns when there are fewer distinct values than classes (we cap k
        # first) and that numba is missing (Fisher-Jenks runs on a small sample instead).
        warnings.simplefilter("ignore")
        if bins is not None:
            edges = np.asarray(sorted(float(b) for b in bins))
            if edges[-1] < y.max():
                edges = np.append(edges, y.max())
            return edges
        if scheme == "fisher_jenks" and len(y) > _FISHER_JENKS_SAMPLE:
            sample = np.quantile(y, np.linspace(0, 1, _FISHER_JENKS_SAMPLE))
            edges = np.asarray(mapclassify.FisherJenks(sample, k=k).bins, dtype=float)
            edges[-1] = y.max()
            return np.unique(edges)
        cls = getattr(mapclassify, _MAPCLASSIFY_CLASS[scheme])
        if scheme in ("headtail_breaks", "box_plot", "std_mean", "percentiles"):
            result = cls(y)
        else:
            result = cls(y, k=k)
        return np.unique(np.asarray(result.bins, dtype=float))


def classed_styling(
    values: pd.Series,
    *,
    scheme: str,
    k: int,
    bins: Sequence[float] | None,
    cmap: str | Sequence[str],
    base: Mapping[str, Any],
    title: str,
    lang: Lang,
    digits: int,
    stroke: str | None = None,
    note: str | None = None,
    percent: bool = False,
) -> Styling:
    """Classed colours for a numeric column (mapclassify scheme or explicit ``bins``).

    Class ``i`` holds values in ``(b[i-1], b[i]]`` (the first also its lower end ``min``);
    legend labels read ``lo – hi`` with ``digits`` decimals and the count of features.
    """
    y_all = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = values.notna().to_numpy() & ~np.isfinite(y_all)
    if bad.any():
        shown = values[bad].astype(str).unique()[:3].tolist()
        msg = (
            f"column `{values.name}` is classed as numbers but {int(bad.sum())} value(s) are not "
            f"numeric (e.g. {shown}); pass categorical=True to colour it by category."
        )
        raise SchemaError(msg)
    finite = np.isfinite(y_all)
    y = y_all[finite]
    styles: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    index = np.zeros(len(y_all), dtype=np.int32)
    scale = 100.0 if percent else 1.0
    unit = "%" if percent else ""
    if len(y):
        k_eff = max(1, min(int(k), len(np.unique(y))))
        edges = _classify(y, scheme, k_eff, bins)
        classes = np.searchsorted(edges, y, side="left")
        classes = np.minimum(classes, len(edges) - 1)
        colors = ramp_colors(cmap, len(edges))
        counts = np.bincount(classes, minlength=len(edges))
        lower = float(y.min())
        for i, upper in enumerate(edges):
            lo = lower if i == 0 else float(edges[i - 1])
            styles.append(_style(base, colors[i], stroke))
            label = (
                f"{_number_text(lo * scale, digits)}{unit} – "
                f"{_number_text(float(upper) * scale, digits)}{unit}"
            )
            items.append(_item(styles[-1], label, counts[i]))
        index[finite] = classes
    if (~finite).any():
        styles.append(_style(base, MISSING_COLOR, stroke))
        items.append(_item(styles[-1], _missing_label(lang), (~finite).sum()))
        index[~finite] = len(styles) - 1
    return Styling(index, styles, {"title": title, "items": items, "note": note})


def _is_listlike(value: object) -> bool:
    return isinstance(value, (list, tuple, set, frozenset, np.ndarray))


def _as_text(values: pd.Series, lang: Lang) -> list[str | None]:
    """Values as display text (``None`` where missing); lists such as reason codes joined."""
    sep = "、" if lang == "zh" else ", "
    out: list[str | None] = []
    for v in values.astype(object).tolist():
        if _is_listlike(v):
            out.append(sep.join(map(str, v)))
        elif v is None or pd.isna(v):
            out.append(None)
        else:
            out.append(str(v))
    return out


def _json_numbers(values: np.ndarray, digits: int) -> list[Any]:
    finite = np.isfinite(values)
    rounded = np.round(np.where(finite, values, 0.0), digits)
    if digits == 0:
        out: list[Any] = rounded.astype(np.int64).tolist()
    else:
        out = rounded.tolist()
    if not finite.all():
        for i in np.flatnonzero(~finite):
            out[i] = None
    return out


def field_spec(values: pd.Series, *, name: str, lang: Lang) -> dict[str, Any]:
    """Describe one column for display: label, then codes or values, and number format.

    Categorical-looking columns (few distinct values) are sent once as ``cats`` plus a code
    per feature; numbers are rounded for display (``fmt="num"``/``"pct"`` with ``digits``),
    dates as ``YYYY-MM-DD``; lists (e.g. reason codes) are joined. Values stay plain text: the
    page inserts them with ``textContent``, never as HTML.

    Examples
    --------
    >>> field_spec(pd.Series(["A", "B", "A", None]), name="grade", lang="zh")
    {'label': '亩均效益等级', 'cats': ['A类', 'B类'], 'codes': [0, 1, 0, -1]}
    >>> field_spec(pd.Series([1.234, float("nan")]), name="far", lang="en")
    {'label': 'Floor area ratio', 'fmt': 'num', 'digits': 2, 'values': [1.23, None]}
    """
    label = field_label(name, lang)
    if pd.api.types.is_bool_dtype(values.dtype):
        yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
        codes = np.where(values.to_numpy(dtype=bool), 0, 1).tolist()
        return {"label": label, "cats": [yes, no], "codes": codes}
    if pd.api.types.is_numeric_dtype(values.dtype):
        y = values.to_numpy(dtype=float, na_value=np.nan)
        finite = y[np.isfinite(y)]
        if _is_share(name):
            digits = _DIGITS.get(name, 1)
            return {
                "label": label,
                "fmt": "pct",
                "digits": digits,
                "values": _json_numbers(y, digits + 2),
            }
        if name in _DIGITS:
            digits = _DIGITS[name]
        elif pd.api.types.is_integer_dtype(values.dtype) or np.all(finite == np.round(finite)):
            digits = 0
        elif name.endswith("_m2"):
            digits = 0
        else:
            digits = 2
        return {"label": label, "fmt": "num", "digits": digits, "values": _json_numbers(y, digits)}
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        text = _as_text(values.dt.strftime("%Y-%m-%d"), lang)
    else:
        text = _as_text(values, lang)
    mapping = value_labels(name, lang)
    codes_arr, uniques = pd.factorize(np.array(text, dtype=object), use_na_sentinel=True)
    if len(uniques) <= 256 and len(uniques) <= max(1, len(text) // 2):
        cats = [mapping.get(str(u), str(u)) for u in uniques]
        return {"label": label, "cats": cats, "codes": codes_arr.tolist()}
    if mapping:
        text = [v if v is None else mapping.get(v, v) for v in text]
    return {"label": label, "values": text}


def color_styling(
    frame: pd.DataFrame,
    column: str | None,
    *,
    caller: str,
    categorical: bool | None,
    colors: Mapping[Any, str] | Sequence[str] | None,
    scheme: str,
    k: int,
    bins: Sequence[float] | None,
    cmap: str | Sequence[str],
    base: Mapping[str, Any],
    title: str,
    lang: Lang,
    single_color: str,
    single_label: str | None = None,
    stroke: str | None = None,
    note: str | None = None,
) -> Styling:
    """Style by ``column``: one colour, categories, or mapclassify classes (see map_parcels)."""
    if column is None:
        return single_styling(
            len(frame),
            color=single_color,
            base=base,
            label=single_label or title,
            title=title,
            stroke=stroke,
            note=note,
        )
    if column not in frame.columns:
        msg = (
            f"{caller}(): `column={column!r}` is not a column of the layer; available: "
            f"{format_ids(map(str, frame.columns.drop('geometry', errors='ignore')), limit=12)}."
        )
        raise SchemaError(msg)
    values = frame[column]
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )
    as_categories = (
        categorical
        if categorical is not None
        else (not numeric or _category(column) in CATEGORY_COLORS)
    )
    legend_title = field_label(column, lang)
    if as_categories:
        return categorical_styling(
            values,
            column=column,
            base=base,
            title=legend_title,
            lang=lang,
            colors=colors,
            stroke=stroke,
            note=note,
        )
    if scheme not in SCHEMES:
        msg = f"{caller}(): `scheme` must be one of {SCHEMES}; received {scheme!r}."
        raise ValueError(msg)
    if not isinstance(k, (int, np.integer)) or k < 1:
        msg = f"{caller}(): `k` must be a positive integer; received {k!r}."
        raise ValueError(msg)
    spec = field_spec(values.iloc[:0], name=column, lang=lang)
    return classed_styling(
        values,
        scheme=scheme,
        k=int(k),
        bins=bins,
        cmap=cmap,
        base=base,
        title=legend_title,
        lang=lang,
        digits=int(spec.get("digits", 2)),
        stroke=stroke,
        note=note,
        percent=spec.get("fmt") == "pct",
    )
