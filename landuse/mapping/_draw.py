"""Shared steps of the ``map_*`` functions: argument checks, default styles, drawing a layer.

:func:`draw` prepares a frame's display geometry (simplified, WGS 84 or GCJ-02, oriented) and
its displayed fields, creates the map when none is given, and adds the layer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse._checks import Lang, check_lang
from landuse._sinks import script_json
from landuse.crs.webmap import wgs84_to_gcj02
from landuse.errors import CRSError, SchemaError, format_ids
from landuse.mapping._layer import (
    TileChoice,
    _PageParts,
    add_layer,
    basemap_display,
    display_geometries,
    map_state,
    new_map,
    resolve_tiles,
    set_legend,
)
from landuse.mapping._style import Styling, check_style_kwds, field_spec, restyle

__all__ = ["draw"]


OUTLINE_BASE = {"weight": 3, "opacity": 0.95, "fillOpacity": 0.05}
AREA_BASE = {"weight": 1.5, "opacity": 0.9, "fillOpacity": 0.18, "dashArray": "5 4"}
_FILL_BASE = {
    "color": "#4d4d4d",
    "weight": 0.6,
    "opacity": 0.7,
    "fillOpacity": 0.75,
    "radius": 6,  # points are drawn as circles of this many pixels
}
_FILL_HIGHLIGHT = {"weight": 3, "color": "#000000", "opacity": 1}
_OUTLINE_HIGHLIGHT = {"weight": 5}
_LAYER_NAMES: Mapping[str, tuple[str, str]] = {
    "zones": ("产业集聚区", "Industrial cluster zones"),
    "functional_areas": ("功能分区", "Functional areas"),
    "parcels": ("宗地", "Parcels"),
    "bank": ("低效用地再开发项目库", "Redevelopment project bank"),
    "compliance": ("新增工业用地合规", "New industrial land: compliance"),
    "assessment": ("集聚区考核", "Zone assessment"),
}
_LEGEND_KEYS = ("position", "title", "collapsed")
_SIZE = re.compile(r"\d+(\.\d+)?(px|%)")


# --- argument checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """The ``explore()``-style options every ``map_*`` function takes, checked and resolved.

    ``tiles`` is the resolved basemap (``None``: none); the view options apply to a new map
    only (with ``m=`` they are ignored, like ``basemap``).
    """

    tiles: TileChoice | None = None
    location: tuple[float, float] | None = None
    zoom_start: int | None = None
    width: str | float = "100%"
    height: str | float = "100%"
    style_kwds: Mapping[str, Any] = field(default_factory=dict)
    legend_kwds: Mapping[str, Any] = field(default_factory=dict)

    @property
    def display(self) -> Literal["wgs84", "gcj02"]:
        return basemap_display(self.tiles)

    def new_map(self, bounds: np.ndarray, lang: Lang) -> folium.Map:
        """Make a new map over ``bounds`` (or at ``location``/``zoom_start``), with the basemap."""
        location = self.location
        if location is not None and self.display == "gcj02":
            lon, lat = wgs84_to_gcj02(np.array([location[1]]), np.array([location[0]]))
            location = (float(np.asarray(lat)[0]), float(np.asarray(lon)[0]))
        return new_map(
            bounds,
            basemap=self.tiles,
            lang=lang,
            location=location,
            zoom_start=self.zoom_start,
            width=self.width,
            height=self.height,
        )


def _check_view(caller: str, location: Any, zoom_start: Any, width: Any, height: Any) -> None:
    if location is not None:
        ok = isinstance(location, (Sequence, np.ndarray)) and not isinstance(location, str)
        ok = ok and len(location) == 2
        ok = ok and all(
            isinstance(v, (int, float, np.number)) and not isinstance(v, bool) and np.isfinite(v)
            for v in location
        )
        if not ok or not (-90 <= location[0] <= 90 and -180 <= location[1] <= 180):
            msg = (
                f"{caller}(): `location` must be [latitude, longitude] in degrees (WGS 84), "
                f"e.g. [36.3, 120.4]; received {location!r}."
            )
            raise ValueError(msg)
    if zoom_start is not None and (
        isinstance(zoom_start, bool)
        or not isinstance(zoom_start, (int, np.integer))
        or not 0 <= zoom_start <= 24
    ):
        msg = f"{caller}(): `zoom_start` must be an integer from 0 to 24; received {zoom_start!r}."
        raise ValueError(msg)
    for name, value in (("width", width), ("height", height)):
        number = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
        if not (
            (number and np.isfinite(value) and value > 0)
            or (isinstance(value, str) and _SIZE.fullmatch(value.strip()))
        ):
            msg = (
                f"{caller}(): `{name}` must be pixels (a number, or '600px') or a percentage "
                f"('100%'), as folium.Map takes it; received {value!r}."
            )
            raise ValueError(msg)


def _check_legend_kwds(caller: str, legend_kwds: Any) -> dict[str, Any]:
    if legend_kwds is None:
        return {}
    if not isinstance(legend_kwds, Mapping):
        msg = (
            f"{caller}(): `legend_kwds` must be a dict with keys {', '.join(_LEGEND_KEYS)}; "
            f"received {type(legend_kwds).__name__} {legend_kwds!r}."
        )
        raise TypeError(msg)
    unknown = [k for k in legend_kwds if k not in _LEGEND_KEYS]
    if unknown:
        msg = (
            f"{caller}(): `legend_kwds` has key(s) {', '.join(map(repr, unknown))}; accepted: "
            f"{', '.join(_LEGEND_KEYS)} (see landuse.mapping.set_legend)."
        )
        raise ValueError(msg)
    kwds = dict(legend_kwds)
    try:  # set_legend checks the values: try them on a scratch map before any work
        set_legend(folium.Map(tiles=None), **kwds)
    except (TypeError, ValueError) as exc:
        msg = f"{caller}(): `legend_kwds`: {exc}"
        raise type(exc)(msg) from None
    return kwds


def check_common(
    caller: str,
    *,
    m: Any,
    basemap: Any,
    lang: Any,
    tiles: Any = "OpenStreetMap",
    attr: Any = None,
    location: Any = None,
    zoom_start: Any = None,
    width: Any = "100%",
    height: Any = "100%",
    style_kwds: Any = None,
    legend_kwds: Any = None,
) -> Options:
    """Check the arguments every ``map_*`` function takes (``caller`` is its name)."""
    check_lang(lang, caller=caller)
    if m is not None and not isinstance(m, folium.Map):
        msg = (
            f"{caller}(): `m` must be a folium.Map (or None for a new map); "
            f"received {type(m).__name__}."
        )
        raise TypeError(msg)
    _check_view(caller, location, zoom_start, width, height)
    style = check_style_kwds(style_kwds, caller=caller)
    legend = _check_legend_kwds(caller, legend_kwds)
    # a missing Tianditu key or an unknown provider fails here, before any work
    choice = resolve_tiles(basemap=basemap, tiles=tiles, attr=attr, caller=caller)
    return Options(
        tiles=choice,
        location=None if location is None else (float(location[0]), float(location[1])),
        zoom_start=None if zoom_start is None else int(zoom_start),
        width=width.strip() if isinstance(width, str) else width,
        height=height.strip() if isinstance(height, str) else height,
        style_kwds=style,
        legend_kwds=legend,
    )


def as_frame(
    obj: Any, *, arg: str, caller: str, index_as: str | None = None
) -> gpd.GeoDataFrame | Any:
    """Wrap a GeoSeries into a GeoDataFrame (its index as column ``index_as`` when given)."""
    if isinstance(obj, gpd.GeoSeries):
        frame = gpd.GeoDataFrame(geometry=obj.rename("geometry"), crs=obj.crs)
        if index_as is not None:
            frame.insert(0, index_as, obj.index.to_numpy())
            frame.index.name = None
        return frame
    return obj


def check_layer(
    frame: Any, *, arg: str, caller: str, required: Sequence[str] = ()
) -> gpd.GeoDataFrame:
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = (
            f"{caller}(): `{arg}` must be a GeoDataFrame or GeoSeries; received "
            f"{type(frame).__name__}."
        )
        raise TypeError(msg)
    if frame.crs is None:
        msg = (
            f"{caller}(): `{arg}` has no CRS, so it cannot be placed on a web map; read it with "
            f"the landuse readers or declare it, e.g. {arg}.set_crs('EPSG:4549')."
        )
        raise CRSError(msg)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        msg = (
            f"{caller}(): `{arg}` lacks column(s) {', '.join(f'`{c}`' for c in missing)}; it "
            f"has {format_ids(map(str, frame.columns), limit=12)}."
        )
        raise SchemaError(msg)
    return frame


def check_fields(frame: pd.DataFrame, fields: Any, *, arg: str, caller: str) -> None:
    """Check ``tooltip``/``popup`` (see :func:`resolve_fields`)."""
    resolve_fields(frame, fields, (), arg=arg, caller=caller)


def resolve_fields(
    frame: pd.DataFrame,
    fields: Any,
    default: Sequence[str | None],
    *,
    arg: str,
    caller: str,
) -> list[str]:
    """Columns shown by ``tooltip``/``popup``, as ``explore()`` takes them.

    ``True`` (or ``None``): the columns of ``default`` the frame has; ``False``: none; a
    string: that column; a list: those columns.
    """
    if fields is None or (isinstance(fields, (bool, np.bool_)) and fields):
        return present_columns(frame, default)
    if isinstance(fields, (bool, np.bool_)):
        return []
    if isinstance(fields, str):
        fields = [fields]
    elif isinstance(fields, (list, tuple, pd.Index, np.ndarray)):
        fields = list(fields)
        bad = [f for f in fields if not isinstance(f, str)]
        if bad:
            msg = (
                f"{caller}(): `{arg}` must list column names (strings); received {bad[0]!r} "
                f"({type(bad[0]).__name__}) in {fields!r}."
            )
            raise TypeError(msg)
    else:
        msg = (
            f"{caller}(): `{arg}` must be True (the default columns), False (none), a column "
            f"name or a list of column names; received {type(fields).__name__} {fields!r}."
        )
        raise TypeError(msg)
    missing = [f for f in fields if f not in frame.columns]
    if missing:
        msg = (
            f"{caller}(): `{arg}` names column(s) the layer does not have: "
            f"{', '.join(f'`{c}`' for c in missing)}; available: "
            f"{format_ids(map(str, frame.columns.drop('geometry', errors='ignore')), limit=12)}."
        )
        raise SchemaError(msg)
    return list(dict.fromkeys(fields))


def present_columns(frame: pd.DataFrame, names: Sequence[str | None]) -> list[str]:
    out: list[str] = []
    for name in names:
        if name is not None and name in frame.columns and name not in out and name != "geometry":
            out.append(name)
    return out


def layer_name(kind: str, lang: Lang) -> str:
    return _LAYER_NAMES[kind][0 if lang == "zh" else 1]


def policy_note(frame: pd.DataFrame, lang: Lang) -> str | None:
    policy = frame.attrs.get("policy")
    if not policy:
        return None
    return f"政策：{policy}" if lang == "zh" else f"Policy: {policy}"


# --- the shared path --------------------------------------------------------------------------


def draw(
    frame: gpd.GeoDataFrame,
    *,
    m: folium.Map | None,
    options: Options,
    lang: Lang,
    name: str,
    role: Literal["fill", "outline"],
    styling: Styling,
    tooltip: Sequence[str],
    popup: Sequence[str],
    legend: bool,
    simplify_m: float | None,
    show: bool = True,
    id_column: str | None = None,
    labels: Sequence[str | None] | None = None,
) -> folium.Map:
    """Prepare display geometry and fields of ``frame`` and add it as one layer.

    ``options.style_kwds`` are merged into every style, ``options.legend_kwds`` go to
    :func:`set_legend`; ``labels`` (one text or ``None`` per feature) become permanent labels
    at the features' representative points, shown with the layer.
    """
    display = map_state(m).display if m is not None else options.display
    geoms = display_geometries(frame, display=display, simplify_m=simplify_m)
    if m is None:
        present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
        bounds = shapely.total_bounds(present) if len(present) else np.full(4, np.nan)
        m = options.new_map(bounds, lang)
    styling = restyle(styling, options.style_kwds)
    shown = list(dict.fromkeys([*popup, *tooltip]))
    fields = [field_spec(frame[c], name=c, lang=lang) for c in shown]
    element = add_layer(
        m,
        geoms=geoms,
        name=name,
        role=role,
        styles=styling.styles,
        style_index=styling.index,
        fields=fields,
        tooltip=[shown.index(c) for c in tooltip],
        popup=[shown.index(c) for c in popup],
        legend=styling.legend if legend else None,
        highlight=_OUTLINE_HIGHLIGHT if role == "outline" else _FILL_HIGHLIGHT,
        lang=lang,
        show=show,
        ids=frame[id_column].tolist() if id_column in frame.columns else frame.index.tolist(),
    )
    if labels is not None:
        _add_labels(m, element, frame, labels, styling, display=display)
    if options.legend_kwds:
        set_legend(m, **options.legend_kwds)
    return m


def draw_fill(
    frame: gpd.GeoDataFrame,
    *,
    kind: str,
    styling: Styling,
    default_tooltip: Sequence[str | None],
    default_popup: Sequence[str | None],
    id_column: str | None,
    m: folium.Map | None,
    options: Options,
    lang: Lang,
    name: str | None,
    tooltip: Any,
    popup: Any,
    legend: bool,
    simplify_m: float | None,
    show: bool,
    caller: str,
    labels: Sequence[str | None] | None = None,
) -> folium.Map:
    """Finish a filled ``map_*`` layer: fields and name, then :func:`draw`.

    ``kind`` names the layer by default (:data:`_LAYER_NAMES`); ``tooltip``/``popup`` as
    :func:`resolve_fields` takes them, defaulting to ``default_tooltip``/``default_popup``.
    """
    return draw(
        frame,
        m=m,
        options=options,
        lang=lang,
        name=name or layer_name(kind, lang),
        role="fill",
        styling=styling,
        tooltip=resolve_fields(frame, tooltip, default_tooltip, arg="tooltip", caller=caller),
        popup=resolve_fields(frame, popup, default_popup, arg="popup", caller=caller),
        legend=legend,
        simplify_m=simplify_m,
        show=show,
        id_column=id_column,
        labels=labels,
    )


# --- permanent labels ---------------------------------------------------------------------------

_LABEL_CSS = """
.landuse-label-icon { background: none; border: none; }
.landuse-label {
  position: absolute; transform: translate(-50%, -50%); box-sizing: border-box;
  min-width: 24px; height: 24px; padding: 0 5px; border-radius: 12px;
  border: 2px solid #ffffff; box-shadow: 0 0 3px rgba(0, 0, 0, 0.7);
  font: bold 12px/20px sans-serif; text-align: center; white-space: nowrap;
}
"""
_LABEL_JS = """
window.landuseLabels = window.landuseLabels || function (map, layer, spec) {
  var group = L.layerGroup();
  spec.labels.forEach(function (p) {
    var el = document.createElement("div");
    el.className = "landuse-label";
    el.textContent = p.text;
    el.style.background = p.fill;
    el.style.color = p.ink;
    var icon = L.divIcon({ html: el, className: "landuse-label-icon", iconSize: null });
    L.marker([p.lat, p.lng], { icon: icon, interactive: false, keyboard: false }).addTo(group);
  });
  layer.on("add", function () { group.addTo(map); });
  layer.on("remove", function () { group.remove(); });
  if (map.hasLayer(layer)) { group.addTo(map); }
  return group;
};
"""


class _Labels(_PageParts):
    """Permanent text labels of one layer (Leaflet divIcon markers; text set as text)."""

    def __init__(self, layer: folium.MacroElement, labels: Sequence[Mapping[str, Any]]) -> None:
        super().__init__()
        self._name = "LanduseLabels"
        self.layer = layer
        self.labels = [dict(x) for x in labels]

    def page_parts(self) -> dict[str, str]:
        spec = script_json({"labels": self.labels})
        return {
            "header": f"<style>{_LABEL_CSS}</style>\n<script>{_LABEL_JS}</script>",
            "script": (
                f"var {self.get_name()} = landuseLabels({self._parent.get_name()}, "
                f"{self.layer.get_name()}, {spec});"
            ),
        }


def _ink(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill`` (WCAG relative luminance)."""
    rgb = np.array([int(fill[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = float(lin @ [0.2126, 0.7152, 0.0722])
    return "#000000" if luminance > 0.179 else "#ffffff"


def _add_labels(
    m: folium.Map,
    element: folium.MacroElement,
    frame: gpd.GeoDataFrame,
    texts: Sequence[str | None],
    styling: Styling,
    *,
    display: Literal["wgs84", "gcj02"],
) -> None:
    points = gpd.GeoDataFrame(geometry=frame.geometry.representative_point(), crs=frame.crs)
    shown = display_geometries(points, display=display, simplify_m=None)
    fills = styling.fill_colors(len(frame))
    labels = []
    for i, text in enumerate(texts):
        point = shown[i]
        if text is None or point is None or shapely.is_empty(point):
            continue
        fill = str(fills[i])
        labels.append(
            {"text": str(text), "lat": point.y, "lng": point.x, "fill": fill, "ink": _ink(fill)}
        )
    if labels:
        m.add_child(_Labels(element, labels))


def fill_base(style: Mapping[str, Any] | None, **overrides: Any) -> dict[str, Any]:
    base = {**_FILL_BASE, **overrides}
    if style:
        base.update(style)
    return base


def bank_geometry(bank: Any, parcels: gpd.GeoDataFrame | None, caller: str) -> gpd.GeoDataFrame:
    if isinstance(bank, gpd.GeoDataFrame) and bank.geometry.name in bank.columns:
        return bank
    if not isinstance(bank, pd.DataFrame):
        msg = f"{caller}(): `bank` must be a (Geo)DataFrame; received {type(bank).__name__}."
        raise TypeError(msg)
    if parcels is None:
        msg = (
            f"{caller}(): `bank` has no geometry; pass parcels=... so candidates can be drawn "
            "on their parcels (joined on `parcel_id`)."
        )
        raise SchemaError(msg)
    check_layer(parcels, arg="parcels", caller=caller, required=("parcel_id",))
    if "parcel_id" not in bank.columns:
        msg = f"{caller}(): `bank` lacks `parcel_id`, needed to join it to `parcels`."
        raise SchemaError(msg)
    shapes = parcels.drop_duplicates("parcel_id").set_index("parcel_id").geometry
    unknown = ~bank["parcel_id"].isin(shapes.index)
    if unknown.any():
        msg = (
            f"{caller}(): {int(unknown.sum())} bank candidate(s) name parcels not in `parcels` "
            f"({format_ids(bank.loc[unknown, 'parcel_id'])}); they cannot be drawn."
        )
        raise SchemaError(msg)
    frame = pd.DataFrame(bank).copy()
    return gpd.GeoDataFrame(
        frame, geometry=shapes.reindex(frame["parcel_id"]).to_numpy(), crs=parcels.crs
    )


def zone_names(zones: gpd.GeoDataFrame) -> pd.Series:
    if "name" not in zones.columns:
        return pd.Series(dtype=object)
    return zones.drop_duplicates("zone_id").set_index("zone_id")["name"]
