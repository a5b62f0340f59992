"""Static maps for reports (PNG / PDF / SVG): matplotlib, no network, no browser.

:func:`plot_map` draws a layer coloured like the interactive maps (same categories, classes,
colours and legend entries, from the same styling code), optionally over zone outlines and
functional areas, with a title, a legend, a metric scale bar and a north arrow. The legend sits
to the right of the map frame and the scale bar and north arrow below it, so no decoration ever
covers data. A local raster (GeoTIFF, a saved tile mosaic) can be drawn underneath as a basemap;
nothing is downloaded. It needs matplotlib (``pip install "landuse[plot]"``) and, for Chinese
labels, a CJK font found by family in matplotlib's font manager: WenQuanYi Micro Hei (Debian:
``apt-get install fonts-wqy-microhei``), Noto Sans CJK SC (``fonts-noto-cjk``), ….
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import geopandas as gpd
import numpy as np

from landuse._atomic import atomic_path
from landuse._checks import Lang, check_lang
from landuse.crs import to_analysis_crs
from landuse.errors import CRSError, LanduseWarning, SchemaError
from landuse.mapping._style import Styling, categorical_styling, color_styling, field_label
from landuse.schema import PARCELS, PROPOSALS, ZONE_COLOR, ZONES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_map"]

_SUFFIXES = (".png", ".pdf", ".svg")
_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Sarasa Gothic SC",
)
_CJK_FILES = re.compile(
    r"(NotoSansCJK|NotoSansSC|SourceHanSans|wqy|msyh|simhei|PingFang|STHeiti|Sarasa)", re.I
)
_FILL = {"color": "#4d4d4d", "weight": 0.6, "opacity": 0.7, "fillOpacity": 0.75}


def _import_matplotlib() -> Any:
    try:
        import matplotlib
        from matplotlib import font_manager
    except ImportError as exc:
        msg = (
            'plot_map() needs matplotlib: pip install "landuse[plot]" '
            "(or conda install matplotlib)."
        )
        raise ImportError(msg) from exc
    return matplotlib, font_manager


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font with Chinese glyphs, or ``None``.

    Looks in matplotlib's font list first, then (for a font cache older than the fonts)
    registers CJK font files found on the system for this session.
    """
    _, font_manager = _import_matplotlib()
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in _CJK_FAMILIES:
        if family in names:
            return family
    for path in font_manager.findSystemFonts():
        if _CJK_FILES.search(os.path.basename(path)):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # pragma: no cover - broken font file
                continue
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in _CJK_FAMILIES if family in names), None)


def _bold(font: str | None) -> str:
    """``"bold"`` when ``font`` has a bold face (or no CJK font is used), else ``"normal"``.

    Asking matplotlib for a weight the font lacks logs ``findfont: Failed to find font weight``
    (WenQuanYi Micro Hei has one weight).
    """
    if font is None:
        return "bold"
    _, font_manager = _import_matplotlib()
    weights = [f.weight for f in font_manager.fontManager.ttflist if f.name == font]
    has_bold = any((w if isinstance(w, int) else 700 if "bold" in str(w) else 400) >= 600
                   for w in weights)  # fmt: skip
    return "bold" if has_bold else "normal"


def _nice_length(span_m: float) -> float:
    """Largest 1, 2 or 5 × 10^n metres not above a fifth of ``span_m``."""
    target = span_m / 5
    power = 10 ** math.floor(math.log10(target))
    return float(max(s * power for s in (1, 2, 5) if s * power <= target))


def _length_text(length_m: float) -> str:
    if length_m >= 1000:
        km = length_m / 1000
        return f"{km:g} km"
    return f"{length_m:g} m"


def _margin(ax: Axes, x_data: bool, dx_pt: float, dy_pt: float) -> Any:
    """Return a transform ``dx_pt``/``dy_pt`` points off the axes (x in data or axes units)."""
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    fig = ax.get_figure(root=True)
    base = blended_transform_factory(ax.transData, ax.transAxes) if x_data else ax.transAxes
    return base + ScaledTranslation(dx_pt / 72, dy_pt / 72, fig.dpi_scale_trans)  # type: ignore[union-attr]


def _scale_bar(ax: Axes, *, xlim: tuple[float, float]) -> str:
    """Draw a metric scale bar below the map frame, from its left edge; return its text."""
    from matplotlib.lines import Line2D

    length = _nice_length(xlim[1] - xlim[0])
    x0 = xlim[0]
    text = _length_text(length)
    labels = _margin(ax, True, 0, -4)
    for x, label in ((x0, "0"), (x0 + length, text)):
        ax.text(x, 0, label, ha="center", va="top", fontsize=8, transform=labels, clip_on=False)
    bar = _margin(ax, True, 0, -22)
    inset = length / 200  # the black frame shows at the right end too
    segments = [((x0, x0 + length), "black", 6.0)] + [
        ((x0 + i * length / 4, x0 + (i + 1) * length / 4 - (inset if i == 3 else 0)), "white", 4.0)
        for i in (1, 3)
    ]
    for xs, color, width in segments:
        ax.add_line(
            Line2D(xs, (0, 0), color=color, linewidth=width, solid_capstyle="butt",
                   transform=bar, clip_on=False)
        )  # fmt: skip
    return text


def _north_arrow(ax: Axes, lang: Lang, weight: str) -> None:
    """Draw a north arrow below the map frame, at its right edge."""
    ax.annotate(
        "北" if lang == "zh" else "N",
        xy=(1, 0),
        xycoords=_margin(ax, False, -8, -4),
        xytext=(0, -30),
        textcoords="offset points",
        ha="center",
        va="top",
        fontsize=11,
        fontweight=weight,
        arrowprops={"facecolor": "black", "edgecolor": "black", "width": 3, "headwidth": 9},
        annotation_clip=False,
    )


def _projected(frame: gpd.GeoDataFrame, arg: str) -> gpd.GeoDataFrame:
    if frame.crs is None:
        msg = f"plot_map(): `{arg}` has no CRS; declare it, e.g. {arg}.set_crs('EPSG:4549')."
        raise CRSError(msg)
    if frame.crs.is_geographic:
        return to_analysis_crs(frame)
    unit = frame.crs.axis_info[0].unit_name if frame.crs.axis_info else ""
    if unit not in ("metre", "meter"):
        msg = (
            f"plot_map(): `{arg}` is in a projected CRS in {unit or 'unknown units'}; the scale "
            "bar needs metres. Reproject, e.g. landuse.to_analysis_crs(frame)."
        )
        raise CRSError(msg)
    return frame


def _rgba(color: str, alpha: float) -> tuple[float, float, float, float]:
    c = color.lstrip("#")
    return (int(c[0:2], 16) / 255, int(c[2:4], 16) / 255, int(c[4:6], 16) / 255, alpha)


def _draw_layer(
    ax: Axes, frame: gpd.GeoDataFrame, styling: Styling, *, zorder: int, outline: bool = False
) -> None:
    n = len(frame)
    fills = styling.fill_colors(n)
    strokes = styling.stroke_colors(n)
    alphas = np.array([s.get("fillOpacity", 1.0) for s in styling.styles])
    # many small features: hairline outlines, so the fills (the message) stay visible
    scale = 0.75 if n <= 300 or outline else 0.15
    widths = np.array([s.get("weight", 1.0) for s in styling.styles]) * scale
    idx = styling.index if styling.index is not None else np.zeros(n, dtype=int)
    face = [_rgba(f, float(a)) for f, a in zip(fills, alphas[idx], strict=True)]
    geoms = frame.geometry
    polys = geoms.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if polys.any():
        gpd.GeoSeries(geoms[polys]).plot(
            ax=ax,
            color=[face[i] for i in np.flatnonzero(polys)],
            edgecolor=list(strokes[polys]),
            linewidth=widths[idx][polys],
            linestyle="--" if outline and styling.styles[0].get("dashArray") else "-",
            zorder=zorder,
        )
    others = ~polys & ~(geoms.is_empty | geoms.isna()).to_numpy()
    if others.any():
        gpd.GeoSeries(geoms[others]).plot(
            ax=ax,
            color=list(fills[others]),
            edgecolor=list(strokes[others]),
            markersize=16,
            zorder=zorder,
        )


def _legend_handles(styling: Styling | None) -> list[Any]:
    from matplotlib.patches import Patch

    if styling is None or styling.legend is None:
        return []
    handles = []
    for item in styling.legend["items"]:
        handles.append(
            Patch(
                facecolor=_rgba(item["fill"], max(float(item.get("fillOpacity", 1.0)), 0.25)),
                edgecolor=item["stroke"],
                linestyle="--" if item.get("dash") else "-",
                label=f"{item['label']} ({item['count']:,})",
            )
        )
    return handles


def plot_map(
    data: gpd.GeoDataFrame,
    *,
    column: str | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    cmap: str | Sequence[str] = "YlOrRd",
    categorical: bool | None = None,
    colors: Mapping[Any, str] | Sequence[str] | None = None,
    zones: gpd.GeoDataFrame | None = None,
    functional_areas: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    lang: Lang = "zh",
    path: str | os.PathLike[str] | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] | None = None,
    dpi: int = 200,
    legend: bool = True,
    scale_bar: bool = True,
    north_arrow: bool = True,
    basemap: str | os.PathLike[str] | None = None,
) -> Figure:
    """Draw a static map (title, legend, scale bar, north arrow) and optionally save it.

    The decorations sit outside the map frame, so none of them hides data: the legend to the
    right of the frame, the scale bar (metres or km) below its left edge and the north arrow
    below its right edge.

    Parameters
    ----------
    data
        The layer to draw (parcels, the bank, a compliance report, zones with scores); any
        declared CRS. Geographic data are drawn in the analysis CRS (metres).
    column, scheme, k, bins, cmap, categorical, colors
        Colouring, as in :func:`landuse.mapping.map_parcels`; the same values get the same
        colours and legend entries as on the interactive maps. ``verdict`` and ``grade``
        columns have fixed colours.
    zones
        Zone outlines drawn on top (and entered in the legend).
    functional_areas
        Functional areas drawn underneath, coloured by ``area_type``.
    title
        Map title. Default: the layer's name and the field shown, from the label catalogue
        (``宗地 · 用地面积（平方米）``); ``""`` for none.
    lang
        Labels in Chinese (``"zh"``, default; needs a CJK font, else English with a warning)
        or English (``"en"``).
    path
        Write the figure here: ``.png``, ``.pdf`` or ``.svg`` (atomic write).
    ax
        Draw into these axes instead of a new figure.
    figsize, dpi
        Size in inches and resolution of a new figure and of the written file (a PNG is
        ``figsize × dpi`` pixels). Default size: 6 inches of map wide, the height from the
        data's shape, plus room for the legend, title, scale bar and north arrow.
    legend, scale_bar, north_arrow
        Which decorations to draw. The north arrow points to grid north, which in the
        Gauss-Krüger analysis CRS differs from true north by under a degree near the
        central meridian.
    basemap
        A local georeferenced raster (GeoTIFF, a saved tile mosaic, any file GDAL reads with
        a CRS) drawn under the layers, reprojected on the fly. Static maps never download:
        a URL is refused.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    CRSError
        If a layer (or the basemap) has no CRS or is projected in units other than metres.
    SchemaError
        If ``column`` is not a column of ``data``.
    ValueError
        If ``path`` has another suffix than ``.png``, ``.pdf``, ``.svg``, or ``basemap`` is a
        URL.
    ImportError
        If matplotlib is not installed.

    Examples
    --------
    >>> import tempfile, landuse
    >>> s = landuse.load_sample()
    >>> fig = plot_map(s.parcels, column="production_status", zones=s.zones, lang="en",
    ...                path=Path(tempfile.mkdtemp()) / "parcels.png")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2]
    ['Producing (2,599)', 'Partly stopped (67)']
    >>> fig.axes[0].get_title()
    'Parcels · Production status'
    """
    caller = "plot_map"
    check_lang(lang, caller=caller)
    out_path = _check_args(data, path, caller=caller)
    matplotlib, _ = _import_matplotlib()
    font = cjk_font()
    lang = _drawable_lang(lang, font)
    frame = _projected(data, "data")
    basemap_path = _check_basemap(basemap)
    layer = _layer_label(frame, zones, lang)
    if title is None:
        title = " · ".join(t for t in (layer, field_label(column, lang) if column else "") if t)
    styling = _data_styling(
        frame,
        column=column,
        scheme=scheme,
        k=k,
        bins=bins,
        cmap=cmap,
        categorical=categorical,
        colors=colors,
        title=layer,
        lang=lang,
    )
    own_figure = ax is None
    with ExitStack() as stack:
        _enter_font_context(stack, matplotlib, font)
        bold = _bold(font)
        if own_figure:
            size = figsize or _default_figsize(frame, zones, legend=legend)
            fig, ax = _figure_and_axes(None, figsize=size, dpi=dpi)
        else:
            fig, ax = _figure_and_axes(ax, figsize=(0, 0), dpi=dpi)
        handles, bounds = _draw_layers(
            ax, frame, styling, zones=zones, functional_areas=functional_areas, lang=lang
        )
        xlim, ylim = _fit_view(ax, bounds)
        if basemap_path is not None:
            _draw_basemap(ax, basemap_path, frame.crs, xlim=xlim, ylim=ylim)
        if legend and handles:
            _add_legend(ax, handles, styling)
        if scale_bar:
            _scale_bar(ax, xlim=xlim)
        if north_arrow:
            _north_arrow(ax, lang, bold)
        if title:
            family = matplotlib.rcParams["font.family"]  # the title exists before this context
            ax.set_title(title, fontweight=bold, fontsize=12, pad=10, fontfamily=family)
        if out_path is not None:
            with atomic_path(out_path) as tmp:
                fmt = out_path.suffix.lower()[1:]
                fig.savefig(tmp, dpi=dpi, format=fmt, bbox_inches=None if own_figure else "tight")
    return fig


# --- the phases of plot_map -------------------------------------------------------------------


def _check_args(data: Any, path: str | os.PathLike[str] | None, *, caller: str) -> Path | None:
    """Check ``data`` and the suffix of ``path``; return ``path`` as a Path (or None)."""
    if not isinstance(data, gpd.GeoDataFrame):
        msg = f"{caller}(): `data` must be a GeoDataFrame; received {type(data).__name__}."
        raise TypeError(msg)
    out_path = Path(path) if path is not None else None
    if out_path is not None and out_path.suffix.lower() not in _SUFFIXES:
        msg = f"{caller}(): `path` must end in one of {_SUFFIXES}; received {out_path.name!r}."
        raise ValueError(msg)
    return out_path


def _check_basemap(basemap: str | os.PathLike[str] | None) -> Path | None:
    """Return the basemap raster's path; refuse a URL or a missing file (nothing downloads)."""
    if basemap is None:
        return None
    text = os.fspath(basemap)
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I):
        msg = (
            "plot_map(): `basemap` must be a local raster file (GeoTIFF, a saved tile mosaic); "
            f"static maps never download. Received {text!r}."
        )
        raise ValueError(msg)
    path = Path(text)
    if not path.is_file():
        msg = f"plot_map(): `basemap` file not found: {text!r}."
        raise FileNotFoundError(msg)
    return path


def _layer_label(frame: gpd.GeoDataFrame, zones: gpd.GeoDataFrame | None, lang: Lang) -> str:
    """Return the name of the layer drawn (by its id column): 宗地, 拟供地块, 产业集聚区 (or en)."""
    for layer in (PROPOSALS, PARCELS, ZONES):
        if layer.id_column in frame.columns:
            break
    else:
        if zones is None:
            return ""
        layer = ZONES
    if lang == "zh":
        return layer.label_zh
    return "Zones" if layer is ZONES else layer.name.capitalize()


def _default_figsize(
    frame: gpd.GeoDataFrame, zones: gpd.GeoDataFrame | None, *, legend: bool
) -> tuple[float, float]:
    """6 inches of map wide, the height from the data's shape; room for the decorations."""
    x0, y0, x1, y1 = frame.total_bounds
    if zones is not None and len(zones) and not np.all(np.isfinite([x0, y0, x1, y1])):
        x0, y0, x1, y1 = zones.total_bounds
    ratio = (y1 - y0) / (x1 - x0) if np.isfinite(x1 - x0) and x1 > x0 else 1.0
    height = min(max(6.0 * ratio, 3.0), 9.0)
    return (6.0 + (2.8 if legend else 0.4), round(height + 1.4, 1))


def _draw_basemap(
    ax: Axes, path: Path, crs: Any, *, xlim: tuple[float, float], ylim: tuple[float, float]
) -> None:
    """Draw the part of a local raster under the map view, reprojected to the map's CRS."""
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.vrt import WarpedVRT
    from rasterio.windows import from_bounds

    with rasterio.open(path) as src:
        if src.crs is None:
            msg = f"plot_map(): the basemap {path.name!r} has no CRS."
            raise CRSError(msg)
        with WarpedVRT(src, crs=crs, resampling=Resampling.bilinear) as vrt:
            left, bottom, right, top = vrt.bounds
            view = (
                max(left, xlim[0]),
                max(bottom, ylim[0]),
                min(right, xlim[1]),
                min(top, ylim[1]),
            )
            if view[0] >= view[2] or view[1] >= view[3]:
                warnings.warn(
                    f"plot_map(): the basemap {path.name!r} does not cover the map; not drawn.",
                    LanduseWarning,
                    stacklevel=4,
                )
                return
            window = from_bounds(*view, transform=vrt.transform)
            scale = 2000 / max(xlim[1] - xlim[0], ylim[1] - ylim[0])  # ~2000 px across the view
            shape = (
                max(int((view[3] - view[1]) * scale), 1),
                max(int((view[2] - view[0]) * scale), 1),
            )
            bands = list(range(1, min(vrt.count, 3) + 1)) if vrt.count >= 3 else [1]
            image = vrt.read(bands, window=window, out_shape=(len(bands), *shape), masked=True,
                             resampling=Resampling.bilinear)  # fmt: skip
    extent = (view[0], view[2], view[1], view[3])
    if len(bands) == 3:
        rgb = np.ma.filled(image.astype(float), np.nan).transpose(1, 2, 0)
        top_value = 255.0 if np.nanmax(rgb, initial=0) > 1 else 1.0
        rgba = np.dstack(
            [np.clip(rgb / top_value, 0, 1), (~np.isnan(rgb).any(axis=2)).astype(float)]
        )
        ax.imshow(
            np.nan_to_num(rgba), extent=extent, origin="upper", zorder=0, interpolation="nearest"
        )
    else:
        ax.imshow(image[0], extent=extent, origin="upper", cmap="Greys_r", zorder=0, alpha=0.6,
                  interpolation="nearest")  # fmt: skip
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)


def _drawable_lang(lang: Lang, font: str | None) -> Lang:
    """``lang``, or English (with a warning) when Chinese is asked for without a CJK font."""
    if lang == "zh" and font is None:
        warnings.warn(
            "plot_map(): no font with Chinese characters was found, so labels are drawn in "
            "English. Install one (Debian: apt-get install fonts-noto-cjk) for Chinese labels.",
            LanduseWarning,
            stacklevel=3,
        )
        return "en"
    return lang


def _data_styling(
    frame: gpd.GeoDataFrame,
    *,
    column: str | None,
    scheme: str,
    k: int,
    bins: Sequence[float] | None,
    cmap: str | Sequence[str],
    categorical: bool | None,
    colors: Mapping[Any, str] | Sequence[str] | None,
    title: str | None,
    lang: Lang,
) -> Styling:
    """Colours of the data layer, computed as the interactive maps compute them."""
    if column is not None and column not in frame.columns:
        msg = f"plot_map(): `column={column!r}` is not a column of `data`."
        raise SchemaError(msg)
    return color_styling(
        frame,
        column,
        caller="plot_map",
        categorical=categorical,
        colors=colors,
        scheme=scheme,
        k=k,
        bins=bins,
        cmap=cmap,
        base=_FILL,
        title=field_label(column, lang) if column else "",
        lang=lang,
        single_color="#fdae61",
        single_label=title or ("图斑" if lang == "zh" else "Features"),
    )


def _enter_font_context(stack: ExitStack, matplotlib: Any, font: str | None) -> None:
    """Use the CJK font (if any) and no unicode minus; silence missing-glyph warnings without."""
    rc: dict[str, Any] = {"axes.unicode_minus": False}
    if font is not None:
        # by family name: texts keep it when the figure is drawn again outside this context
        rc["font.family"] = [font, "sans-serif"]
    stack.enter_context(matplotlib.rc_context(rc))
    if font is None:
        stack.enter_context(warnings.catch_warnings())
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)


def _figure_and_axes(
    ax: Axes | None, *, figsize: tuple[float, float], dpi: int
) -> tuple[Figure, Axes]:
    """Return a new figure with one axes, or the figure of the axes given."""
    from matplotlib.figure import Figure

    if ax is None:
        fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        return fig, fig.add_subplot()
    return cast("Figure", ax.get_figure(root=True)), ax


def _draw_layers(
    ax: Axes,
    frame: gpd.GeoDataFrame,
    styling: Styling,
    *,
    zones: gpd.GeoDataFrame | None,
    functional_areas: gpd.GeoDataFrame | None,
    lang: Lang,
) -> tuple[list[Any], np.ndarray]:
    """Draw functional areas, the data and zone outlines; return legend handles and bounds."""
    fa_handles: list[Any] = []
    if functional_areas is not None and len(functional_areas):
        fa = _projected(functional_areas, "functional_areas").to_crs(frame.crs)
        fa_styling = categorical_styling(
            fa["area_type"],
            column="area_type",
            base={"weight": 1.2, "fillOpacity": 0.18, "dashArray": "4 3"},
            title="",
            lang=lang,
            stroke="fill",
        )
        _draw_layer(ax, fa, fa_styling, zorder=1, outline=True)
        fa_handles = _legend_handles(fa_styling)
    _draw_layer(ax, frame, styling, zorder=2)
    handles = _legend_handles(styling) + fa_handles
    bounds = np.asarray(frame.total_bounds, dtype=float)
    if zones is not None and len(zones):
        from matplotlib.lines import Line2D

        z = _projected(zones, "zones").to_crs(frame.crs)
        z.boundary.plot(ax=ax, color=ZONE_COLOR, linewidth=1.8, zorder=3)
        zone_label = "集聚区边界" if lang == "zh" else "Zone boundary"
        handles.append(Line2D([], [], color=ZONE_COLOR, linewidth=1.8, label=zone_label))
        if not np.all(np.isfinite(bounds)):
            bounds = np.asarray(z.total_bounds, dtype=float)
    if not np.all(np.isfinite(bounds)):
        msg = "plot_map(): there is nothing to draw (no geometry in `data` or `zones`)."
        raise SchemaError(msg)
    return handles, bounds


def _fit_view(ax: Axes, bounds: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """Frame ``bounds`` with a 5 % margin, equal aspect, no axes; return the limits."""
    pad = 0.05 * max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1.0)
    xlim = (bounds[0] - pad, bounds[2] + pad)
    ylim = (bounds[1] - pad, bounds[3] + pad)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return xlim, ylim


def _add_legend(ax: Axes, handles: list[Any], styling: Styling) -> None:
    legend_title = styling.legend["title"] if styling.legend else None
    ax.legend(
        handles=handles,
        title=legend_title or None,
        loc="upper left",
        bbox_to_anchor=(1.03, 1.0),
        borderaxespad=0.0,
        fontsize=7,
        title_fontsize=8,
        framealpha=0.9,
    )
