"""Styling for maps, computed in Python: labels, palettes, classes, legends, display fields.

Shared by the interactive maps (:mod:`landuse.mapping`) and the static ones
(:mod:`landuse.mapping.static`), so a category or class has the same colour and the same legend
entry in both. Nothing here draws; it returns a style index per feature, the list of styles
and the legend items that describe them.
"""

from __future__ import annotations

import difflib
import inspect
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from landuse._checks import Lang
from landuse.errors import SchemaError, format_ids
from landuse.schema import (
    CATEGORY_COLORS,
    CATEGORY_LABELS,
    TIER_COLORS,
    category_labels,
    field_info,
)
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
    "natural_breaks",
    "fisher_jenks_sampled",
    "jenks_caspall",
    "jenks_caspall_forced",
    "jenks_caspall_sampled",
    "max_p",
    "pretty_breaks",
    "user_defined",
]
#: Classification schemes accepted for numeric columns (mapclassify), by their canonical
#: names; any spelling of a mapclassify classifier is accepted too (``"NaturalBreaks"``,
#: ``"natural_breaks"``, ``"naturalbreaks"``, ``"HeadTailBreaks"``…, see :func:`scheme_name`).
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
    "natural_breaks": "NaturalBreaks",
    "fisher_jenks_sampled": "FisherJenksSampled",
    "jenks_caspall": "JenksCaspall",
    "jenks_caspall_forced": "JenksCaspallForced",
    "jenks_caspall_sampled": "JenksCaspallSampled",
    "max_p": "MaxP",
    "pretty_breaks": "PrettyBreaks",
    "user_defined": "UserDefined",
}
#: spelling key (lower case, letters and digits only) -> canonical scheme name
_SCHEME_KEYS = {
    **{re.sub(r"[^a-z0-9]", "", n): n for n in SCHEMES},
    **{c.lower(): n for n, c in _MAPCLASSIFY_CLASS.items()},
}


def _scheme_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def scheme_name(scheme: object, *, caller: str = "map_parcels") -> str:
    """Return the canonical name of a mapclassify scheme given in any spelling.

    Examples
    --------
    >>> [scheme_name(s) for s in ("NaturalBreaks", "natural_breaks", "naturalbreaks")]
    ['natural_breaks', 'natural_breaks', 'natural_breaks']
    >>> scheme_name("HeadTailBreaks"), scheme_name("Quantiles"), scheme_name("equal-interval")
    ('headtail_breaks', 'quantiles', 'equal_interval')
    """
    if not isinstance(scheme, str):
        msg = (
            f"{caller}(): `scheme` must be the name of a mapclassify scheme; received "
            f"{type(scheme).__name__} {scheme!r}. Accepted (any spelling, e.g. 'NaturalBreaks' "
            f"or 'natural_breaks'): {', '.join(SCHEMES)}."
        )
        raise TypeError(msg)
    name = _SCHEME_KEYS.get(_scheme_key(scheme))
    if name is None:
        close = difflib.get_close_matches(_scheme_key(scheme), list(_SCHEME_KEYS), n=1)
        hint = f" Did you mean {_SCHEME_KEYS[close[0]]!r}?" if close else ""
        msg = (
            f"{caller}(): `scheme` must be one of {', '.join(SCHEMES)} (any spelling of a "
            f"mapclassify classifier: 'NaturalBreaks', 'natural_breaks', 'naturalbreaks'…); "
            f"received {scheme!r}.{hint}"
        )
        raise ValueError(msg)
    return name


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


_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _matplotlib(what: str) -> Any:
    """matplotlib, or an ImportError naming the extra that brings it."""
    try:
        import matplotlib
        import matplotlib.colors
    except ImportError as exc:
        msg = (
            f'{what} needs matplotlib, which is not installed: pip install "landuse[plot]" '
            f"(or conda install matplotlib). Without it, use a built-in ramp "
            f"({', '.join(RAMPS)}, each also reversed with '_r') or a list of '#rrggbb' colours."
        )
        raise ImportError(msg) from exc
    return matplotlib


def to_hex(color: object, *, arg: str = "color", caller: str = "map_parcels") -> str:
    """Return a colour as ``#rrggbb``: ``#rgb``/``#rrggbb`` as given, names through matplotlib.

    Examples
    --------
    >>> to_hex("#ABC"), to_hex("#1a9850")
    ('#aabbcc', '#1a9850')
    """
    if isinstance(color, str) and _HEX.fullmatch(color):
        c = color.lower()
        return c if len(c) == 7 else "#" + "".join(ch * 2 for ch in c[1:])
    if not isinstance(color, (str, tuple, list)):
        msg = (
            f"{caller}(): `{arg}` must be a colour ('#rrggbb' or a matplotlib colour name); "
            f"received {type(color).__name__} {color!r}."
        )
        raise TypeError(msg)
    mpl = _matplotlib(f"{caller}(): the colour {color!r} in `{arg}` (not '#rrggbb')")
    try:
        return str(mpl.colors.to_hex(color))
    except ValueError:
        msg = (
            f"{caller}(): `{arg}` holds {color!r}, which is not a colour; use '#rrggbb' or a "
            "matplotlib colour name such as 'red' or 'tab:blue'."
        )
        raise ValueError(msg) from None


def _colormap(name: str, caller: str) -> Any:
    """Return the matplotlib colormap ``name`` (exact, else a unique case-insensitive match)."""
    mpl = _matplotlib(f"{caller}(): cmap={name!r} (not a built-in ramp)")
    maps = mpl.colormaps
    if name in maps:
        return maps[name]
    folded = [n for n in maps if n.lower() == name.lower()]
    if len(folded) == 1:
        return maps[folded[0]]
    close = difflib.get_close_matches(name, list(maps), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    msg = (
        f"{caller}(): cmap={name!r} is neither a built-in ramp ({', '.join(RAMPS)}, each also "
        f"with '_r') nor a matplotlib colormap (e.g. 'Spectral', 'viridis_r', 'tab10'; all: "
        f"matplotlib.colormaps).{hint} A list of colours works too."
    )
    raise ValueError(msg)


def check_cmap(cmap: object, *, caller: str) -> None:
    """Fail early on a ``cmap`` that :func:`ramp_colors` would refuse."""
    if cmap is not None:
        ramp_colors(cmap, 2, caller=caller)


def _is_colormap(obj: object) -> bool:
    return callable(obj) and hasattr(obj, "N") and hasattr(obj, "name")


def _listed(cmap: Any) -> list[str] | None:
    """Colours of a qualitative (listed, ≤ 20 colours) matplotlib colormap, else ``None``."""
    colors = getattr(cmap, "colors", None)
    if colors is None or cmap.N > 20:
        return None
    return [str(_matplotlib("cmap").colors.to_hex(c)) for c in colors]


def ramp_colors(
    cmap: object, k: int, *, caller: str = "map_parcels", categorical: bool = False
) -> list[str]:
    """``k`` colours spread evenly over a ramp.

    ``cmap`` is a built-in ramp (:data:`RAMPS`, ``"_r"`` reverses it; no matplotlib needed),
    any matplotlib colormap name (``"Spectral"``, ``"viridis_r"``) or object, or a list of
    colours. With ``categorical=True`` a qualitative colormap (``"tab10"``, ``"Set2"``) or a
    list gives its colours in order, repeating when there are more categories.

    Examples
    --------
    >>> ramp_colors("YlOrRd", 3)
    ['#ffffcc', '#fd8d3c', '#800026']
    >>> ramp_colors("YlOrRd_r", 3)
    ['#800026', '#fd8d3c', '#ffffcc']
    >>> ramp_colors(["#000000", "#ffffff"], 3)
    ['#000000', '#808080', '#ffffff']
    """
    stops: list[str]
    if isinstance(cmap, str):
        base, flip = (cmap[:-2], True) if cmap.endswith("_r") else (cmap, False)
        if base in RAMPS:
            stops = list(RAMPS[base])[:: -1 if flip else 1]
        else:
            return _sample(_colormap(cmap, caller), k, categorical)
    elif _is_colormap(cmap):
        return _sample(cmap, k, categorical)
    elif isinstance(cmap, Sequence) or isinstance(cmap, np.ndarray):
        stops = [to_hex(c, arg="cmap", caller=caller) for c in cmap]
        if len(stops) < 1 or (len(stops) < 2 and not categorical):
            msg = (
                f"{caller}(): `cmap` as a list needs at least two colours; received {list(cmap)!r}."
            )
            raise ValueError(msg)
        if categorical:
            return [stops[i % len(stops)] for i in range(k)]
    else:
        msg = (
            f"{caller}(): `cmap` must be a colormap name (built-in: {', '.join(RAMPS)}; or any "
            f"matplotlib colormap such as 'Spectral'), a matplotlib Colormap or a list of "
            f"colours; received {type(cmap).__name__} {cmap!r}."
        )
        raise TypeError(msg)
    if k == 1:
        return [stops[len(stops) // 2]]
    rgb = np.array([_hex_to_rgb(c) for c in stops], dtype=float)
    pos = np.linspace(0, len(stops) - 1, k)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(stops) - 1)
    frac = (pos - lo)[:, None]
    mixed = np.rint(rgb[lo] * (1 - frac) + rgb[hi] * frac).astype(int)
    return ["#{:02x}{:02x}{:02x}".format(*row) for row in mixed]


def _sample(cmap: Any, k: int, categorical: bool) -> list[str]:
    to_hex_ = _matplotlib("cmap").colors.to_hex
    listed = _listed(cmap) if categorical else None
    if listed:
        return [listed[i % len(listed)] for i in range(k)]
    positions = [0.5] if k == 1 else np.linspace(0, 1, k)
    return [str(to_hex_(cmap(float(x)))) for x in positions]


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
    elif known and colors is None:
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
        cls = getattr(mapclassify, _MAPCLASSIFY_CLASS[scheme], None)
        if cls is None:  # pragma: no cover - PrettyBreaks needs mapclassify >= 2.7
            msg = f"scheme {scheme!r} needs a newer mapclassify (pip install -U mapclassify)."
            raise ImportError(msg)
        kwargs = {"k": k} if "k" in inspect.signature(cls).parameters else {}
        # natural breaks (k-means), max-p and the sampled schemes draw random numbers: a fixed
        # seed makes a map the same every time (numpy's global state is restored after)
        state = np.random.get_state()
        np.random.seed(0)
        try:
            result = cls(y, **kwargs)
        finally:
            np.random.set_state(state)
        return np.unique(np.asarray(result.bins, dtype=float))


def classed_styling(
    values: pd.Series,
    *,
    scheme: str,
    k: int,
    bins: Sequence[float] | None,
    cmap: object,
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
    cmap: object,
    base: Mapping[str, Any],
    title: str,
    lang: Lang,
    single_color: str,
    single_label: str | None = None,
    stroke: str | None = None,
    note: str | None = None,
    cmap_categories: bool = False,
) -> Styling:
    """Style by ``column``: one colour, categories, or mapclassify classes (see map_parcels).

    With ``cmap_categories`` a ``cmap`` colours categories too (as in ``explore()``);
    otherwise categories keep the catalogue's or the qualitative palette's colours.
    """
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
        if colors is None and cmap is not None and cmap_categories:
            # explore(): a colormap (or list) colours the categories too, in order
            n = min(int(values.nunique(dropna=True)), _MAX_CATEGORIES)
            colors = ramp_colors(cmap, max(n, 1), caller=caller, categorical=True)
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
    scheme = scheme_name(scheme, caller=caller)
    if scheme == "user_defined" and bins is None:
        msg = f"{caller}(): scheme={scheme!r} needs the class bounds: pass bins=[…]."
        raise ValueError(msg)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        msg = f"{caller}(): `k` must be a positive integer; received {k!r}."
        raise ValueError(msg)
    spec = field_spec(values.iloc[:0], name=column, lang=lang)
    return classed_styling(
        values,
        scheme=scheme,
        k=int(k),
        bins=bins,
        cmap="YlOrRd" if cmap is None else cmap,
        base=base,
        title=legend_title,
        lang=lang,
        digits=int(spec.get("digits", 2)),
        stroke=stroke,
        note=note,
        percent=spec.get("fmt") == "pct",
    )


#: Leaflet path options ``style_kwds`` may set, and what each must be.
STYLE_KEYS: Mapping[str, str] = {
    "color": "a colour",
    "weight": "a number ≥ 0 (pixels)",
    "opacity": "a number in [0, 1]",
    "fillColor": "a colour",
    "fillOpacity": "a number in [0, 1]",
    "dashArray": "a string such as '5 4' (or None)",
    "fill": "True or False",
    "stroke": "True or False",
    "radius": "a number > 0 (pixels, for points)",
}


def check_style_kwds(kwds: object, *, caller: str, arg: str = "style_kwds") -> dict[str, Any]:
    """Validate ``style_kwds`` (colours become ``#rrggbb``); returns a clean copy."""
    if kwds is None:
        return {}
    if not isinstance(kwds, Mapping):
        msg = (
            f"{caller}(): `{arg}` must be a dict of Leaflet path options "
            f"({', '.join(STYLE_KEYS)}); received {type(kwds).__name__} {kwds!r}."
        )
        raise TypeError(msg)
    out: dict[str, Any] = {}
    for key, value in kwds.items():
        if key not in STYLE_KEYS:
            extra = (
                " (a style_function cannot be used: colours are computed in Python; colour by "
                "`column` instead)"
                if key == "style_function"
                else ""
            )
            msg = (
                f"{caller}(): `{arg}` has the key {key!r}{extra}; accepted keys: "
                f"{', '.join(f'{k} ({v})' for k, v in STYLE_KEYS.items())}."
            )
            raise ValueError(msg)
        what = STYLE_KEYS[key]
        ok = True
        if key in ("color", "fillColor"):
            value = to_hex(value, arg=f"{arg}[{key!r}]", caller=caller)
        elif key in ("fill", "stroke"):
            ok = isinstance(value, (bool, np.bool_))
            value = bool(value)
        elif key == "dashArray":
            ok = value is None or (
                isinstance(value, str) and re.fullmatch(r"[\d.]+([ ,]+[\d.]+)*", value.strip())
            )
        else:
            ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
            ok = ok and np.isfinite(value) and value >= 0
            ok = ok and (key not in ("opacity", "fillOpacity") or value <= 1)
            ok = ok and (key != "radius" or value > 0)
            value = float(value) if ok else value
        if not ok:
            msg = f"{caller}(): `{arg}[{key!r}]` must be {what}; received {value!r}."
            raise ValueError(msg)
        out[key] = value
    return out


def restyle(styling: Styling, kwds: Mapping[str, Any]) -> Styling:
    """Merge checked ``style_kwds`` into every style of ``styling`` and its legend swatches."""
    if not kwds:
        return styling
    styles = [{**s, **kwds} for s in styling.styles]
    for style in styles:
        if style.get("dashArray") is None:
            style.pop("dashArray", None)
    legend = styling.legend
    if legend is not None:
        items = []
        for item in legend["items"]:
            item = dict(item)
            if "color" in kwds:
                item["stroke"] = kwds["color"]
            if "fillColor" in kwds:
                item["fill"] = kwds["fillColor"]
            if "fillOpacity" in kwds:
                item["fillOpacity"] = kwds["fillOpacity"]
            if "weight" in kwds:
                item["weight"] = kwds["weight"]
            if "dashArray" in kwds:
                item.pop("dash", None)
                if kwds["dashArray"]:
                    item["dash"] = True
            items.append(item)
        legend = {**legend, "items": items}
    return replace(styling, styles=styles, legend=legend)


#: Outline weights (pixels) of the bank's priority classes, lowest priority first.
_PRIORITY_WEIGHTS = (1.5, 3.0, 5.0)
BANK_OUTLINE = "#1a1a1a"


def _dash(weight: float) -> str:
    # round caps eat `weight` from each gap: dashes 3.5 w long with w-wide gaps as drawn
    return f"{2.5 * weight:g} {2 * weight:g}"


def bank_styling(
    frame: pd.DataFrame,
    fills: Styling,
    *,
    lang: Lang,
    priority: str = "priority",
) -> Styling:
    """Outline the bank's candidates by priority: a thicker dashed outline for a higher class.

    ``fills`` colours the candidates (by route by default). ``priority`` (numbers) is cut into
    up to three quantile classes drawn 1.5 / 3.25 / 5 px wide, dashed in near-black, so candidates
    stand out from plain parcels (thin solid grey outlines). The legend gets one entry per
    priority class after the fill entries. Without a ``priority`` column every candidate gets
    the middle weight.
    """
    n = len(frame)
    y = (
        pd.to_numeric(frame[priority], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if priority in frame.columns
        else np.full(n, np.nan)
    )
    finite = np.isfinite(y)
    weights: list[float] = [_PRIORITY_WEIGHTS[1]]
    klass = np.zeros(n, dtype=np.int64)
    extra: list[dict[str, Any]] = []
    if finite.any():
        k = min(len(_PRIORITY_WEIGHTS), len(np.unique(y[finite])))
        edges = _classify(y[finite], "quantiles", k, None) if k > 1 else np.array([y.max()])
        weights = list(np.linspace(_PRIORITY_WEIGHTS[0], _PRIORITY_WEIGHTS[-1], len(edges)))
        if len(edges) == 1:
            weights = [_PRIORITY_WEIGHTS[1]]
        cls = np.minimum(np.searchsorted(edges, y[finite], side="left"), len(edges) - 1)
        klass[finite] = cls
        klass[~finite] = 0
        counts = np.bincount(cls, minlength=len(edges))
        lower = float(y[finite].min())
        label = field_label(priority, lang)
        for i, upper in enumerate(edges):
            lo = lower if i == 0 else float(edges[i - 1])
            extra.append(
                {
                    "fill": "#ffffff",
                    "fillOpacity": 0.0,
                    "stroke": BANK_OUTLINE,
                    "weight": weights[i],
                    "dash": True,
                    "label": f"{label} {_number_text(lo, 1)} – {_number_text(float(upper), 1)}",
                    "count": int(counts[i]),
                }
            )
        if (~finite).any():
            extra.append(
                {
                    "fill": "#ffffff",
                    "fillOpacity": 0.0,
                    "stroke": BANK_OUTLINE,
                    "weight": weights[0],
                    "dash": True,
                    "label": f"{label} {_missing_label(lang)}",
                    "count": int((~finite).sum()),
                }
            )
    fill_index = fills.index if fills.index is not None else np.zeros(n, dtype=np.int64)
    styles = []
    for fill_style in fills.styles:
        for w in weights:
            style = {**fill_style, "color": BANK_OUTLINE, "weight": float(w), "dashArray": _dash(w)}
            styles.append(style)
    index = (np.asarray(fill_index, dtype=np.int64) * len(weights) + klass).astype(np.int32)
    legend = fills.legend
    if legend is not None:
        items = [
            {**item, "stroke": BANK_OUTLINE, "dash": True, "weight": weights[len(weights) // 2]}
            for item in legend["items"]
        ]
        legend = {**legend, "items": items + extra}
    return Styling(index, styles, legend)


def tier_order(
    frame: pd.DataFrame, levels: Sequence[str] | None, column: str = "tier"
) -> list[str]:
    """Tier names lowest first: the policy's order, else by ``revenue_yi``, else as found."""
    present = [str(v) for v in pd.unique(frame[column].dropna())]
    if levels:
        known = [t for t in levels if t in present]
        return known + sorted(t for t in present if t not in known)
    if "revenue_yi" in frame.columns:
        low = frame.groupby(column)["revenue_yi"].min().sort_values()
        return [str(t) for t in low.index]
    return sorted(present)


def tier_colors(order: Sequence[str]) -> dict[str, str]:
    """Colours of the tiers (lowest first) spread over :data:`landuse.schema.TIER_COLORS`.

    Examples
    --------
    >>> tier_colors(["百亿级", "千亿级"])
    {'百亿级': '#c7e9b4', '千亿级': '#253494'}
    """
    return dict(zip(order, ramp_colors(list(TIER_COLORS), len(order)), strict=True))
