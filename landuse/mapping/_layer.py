"""The engine behind :mod:`landuse.mapping`: display geometry, compact encoding, map elements.

A layer goes to the page as ONE JSON document read by ``assets/core.js``:

- geometry simplified for display with a tolerance that keeps shared edges (GEOS coverage
  simplification, on groups of touching features), reprojected to WGS 84 (and shifted to
  GCJ-02 when the basemap is Amap/Gaode), snapped to 1e-6° (≈ 0.1 m), closing and repeated
  vertices dropped, and written as integer running deltas with vertex/ring/part counts;
- the style index of each feature (styles are computed in Python, one JS function reads them),
  polygons oriented exterior counter-clockwise / holes clockwise so the page can fill all the
  polygons of a style in one path;
- only the displayed fields (category lists plus codes where values repeat).

Nothing here loops over features in Python: shapely's array functions and numpy do the work.
"""

from __future__ import annotations

import difflib
import itertools
import logging
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import shapely
import xyzservices
from branca.element import Element, Figure
from folium.map import Layer
from folium.template import tojavascript

from landuse._checks import Lang
from landuse._sinks import script_json
from landuse.crs.webmap import wgs84_to_gcj02
from landuse.errors import GeometryError, LanduseError, LanduseWarning, format_ids
from landuse.mapping._offline import OfflineMap

__all__ = [
    "BASEMAPS",
    "LayerControl",
    "MapState",
    "TileChoice",
    "add_layer",
    "encode_geometries",
    "map_state",
    "new_map",
    "set_legend",
    "simplify_coverage",
]

log = logging.getLogger(__name__)

Basemap = Literal["osm", "tianditu-vector", "tianditu-imagery", "amap", "amap-satellite"]
Role = Literal["fill", "outline"]

#: Coordinates are sent as integers in these steps of a degree (1e-6° ≈ 0.11 m north-south).
QUANTUM = 1_000_000
#: Features per GEOS coverage-simplification call; whole groups of touching features stay
#: together, so every shared edge is simplified once, identically for both sides.
_SIMPLIFY_CHUNK = 4_000
_M_PER_DEG = 111_320.0

_OSM_ATTR = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
_TDT_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
    "&TILECOL={{x}}&tk={key}"
)
_TDT_ATTR = '&copy; <a href="https://www.tianditu.gov.cn/">天地图 Tianditu</a>'
_AMAP_ATTR = '&copy; <a href="https://www.amap.com/">高德地图 AutoNavi</a>'
_AMAP_NORMAL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
_AMAP_SATELLITE = "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}"
_AMAP_LABELS = "https://webst0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"


@dataclass(frozen=True)
class _BasemapDef:
    label_zh: str
    label_en: str
    display: Literal["wgs84", "gcj02"]
    needs_key: bool


#: Basemaps: name → labels, the datum overlays must be drawn in, and whether a key is needed.
BASEMAPS: Mapping[str, _BasemapDef] = {
    "osm": _BasemapDef("OpenStreetMap", "OpenStreetMap", "wgs84", False),
    "tianditu-vector": _BasemapDef("天地图矢量", "Tianditu vector", "wgs84", True),
    "tianditu-imagery": _BasemapDef("天地图影像", "Tianditu imagery", "wgs84", True),
    "amap": _BasemapDef("高德地图", "Amap", "gcj02", False),
    "amap-satellite": _BasemapDef("高德卫星图", "Amap satellite", "gcj02", False),
}


def basemap_tiles(basemap: str) -> list[dict[str, Any]]:
    if basemap == "osm":
        return [
            {
                "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                "options": {"attribution": _OSM_ATTR, "maxZoom": 19},
            }
        ]
    if basemap.startswith("tianditu"):
        key = os.environ.get("TIANDITU_KEY", "").strip()
        if not key:
            msg = (
                f"basemap={basemap!r} needs a Tianditu key, and the environment variable "
                "TIANDITU_KEY is not set. Get a free browser key (浏览器端) at "
                "https://console.tianditu.gov.cn and set TIANDITU_KEY, or use basemap='osm', "
                "'amap' or None."
            )
            raise LanduseError(msg)
        if not re.fullmatch(r"[A-Za-z0-9]+", key):
            msg = (
                "TIANDITU_KEY must be letters and digits only (a Tianditu key is 32 hex "
                f"characters); received {len(key)} characters including others."
            )
            raise LanduseError(msg)
        base, labels = ("vec", "cva") if basemap == "tianditu-vector" else ("img", "cia")
        opts = {"attribution": _TDT_ATTR, "subdomains": "01234567", "maxZoom": 18}
        return [
            {"url": _TDT_URL.format(layer=base, key=key), "options": opts},
            {"url": _TDT_URL.format(layer=labels, key=key), "options": opts},
        ]
    opts = {"attribution": _AMAP_ATTR, "subdomains": "1234", "maxZoom": 18}
    if basemap == "amap":
        return [{"url": _AMAP_NORMAL, "options": opts}]
    return [{"url": _AMAP_SATELLITE, "options": opts}, {"url": _AMAP_LABELS, "options": opts}]


@dataclass(frozen=True)
class TileChoice:
    """A resolved basemap: its name in the layer control, display datum and tile layers.

    Made by :func:`resolve_tiles` from ``basemap=`` (the Chinese basemaps and ``"osm"``) or
    ``tiles=`` (an xyzservices provider, its name, or an XYZ URL template with ``attr``).
    """

    label_zh: str
    label_en: str
    display: Literal["wgs84", "gcj02"]
    tiles: tuple[Mapping[str, Any], ...]
    key: str


#: ``tiles=`` names that are our own basemaps (``tiles="OpenStreetMap"`` is ``basemap="osm"``).
_DEFAULT_TILES = "OpenStreetMap"
_TILE_EXAMPLES = (
    '"OpenStreetMap"',
    '"CartoDB positron"',
    '"OpenStreetMap.Mapnik"',
    '"Esri.WorldImagery"',
    '"https://…/{z}/{x}/{y}.png" with attr="…"',
    "None",
)


def _basemap_choice(basemap: str) -> TileChoice:
    definition = BASEMAPS[basemap]
    return TileChoice(
        definition.label_zh,
        definition.label_en,
        definition.display,
        tuple(basemap_tiles(basemap)),
        basemap,
    )


def _provider_choice(provider: Any, attr: str | None, caller: str, given: object) -> TileChoice:
    """Make a :class:`TileChoice` from an ``xyzservices.TileProvider``."""
    try:
        url = provider.build_url(fill_subdomain=False, scale_factor="{r}")
    except ValueError as exc:
        msg = (
            f"{caller}(): tiles={given!r} ({provider.name}) needs an API key; pass the provider "
            f"with its key, e.g. tiles=xyzservices.providers.{provider.name}(apikey='…'), or "
            f"choose one without a key such as {', '.join(_TILE_EXAMPLES[:3])}."
        )
        raise ValueError(msg) from exc
    options: dict[str, Any] = {"attribution": attr or provider.get("html_attribution", "")}
    if not options["attribution"]:
        options["attribution"] = provider.get("attribution", provider.name)
    for key, option in (("max_zoom", "maxZoom"), ("min_zoom", "minZoom"), ("subdomains", None)):
        if provider.get(key) is not None:
            options[option or key] = provider[key]
    # Gaode (Amap) tiles are drawn in GCJ-02: the overlays are shifted to match them
    display: Literal["wgs84", "gcj02"] = (
        "gcj02" if provider.name.lower().startswith("gaode") or "autonavi.com" in url else "wgs84"
    )
    return TileChoice(
        provider.name, provider.name, display, ({"url": url, "options": options},), provider.name
    )


def resolve_tiles(
    *, basemap: object, tiles: object, attr: object, caller: str
) -> TileChoice | None:
    """Resolve ``basemap=`` / ``tiles=`` / ``attr=`` of a ``map_*`` function (``None``: no tiles).

    ``basemap`` names a basemap of :data:`BASEMAPS` (default ``"osm"``) or is ``None``;
    ``tiles`` is, as in ``GeoDataFrame.explore()``, an xyzservices provider or its name in any
    spelling xyzservices accepts (``"CartoDB positron"``, ``"OpenStreetMap.Mapnik"``), an XYZ
    URL template (``attr`` then required) or ``None``. Giving both a non-default ``basemap`` and
    a non-default ``tiles`` is an error. Missing Tianditu keys fail here, before any work.
    """
    if attr is not None and not isinstance(attr, str):
        msg = f"{caller}(): `attr` must be a string (the tiles' attribution); received {attr!r}."
        raise TypeError(msg)
    default_tiles = isinstance(tiles, str) and tiles == _DEFAULT_TILES
    if not default_tiles and not (isinstance(basemap, str) and basemap == "osm"):
        msg = (
            f"{caller}(): give either `basemap` (received {basemap!r}) or `tiles` (received "
            f"{tiles!r}), not both: `basemap` for {', '.join(map(repr, BASEMAPS))} or None, "
            "`tiles` for any other provider or URL."
        )
        raise ValueError(msg)
    if not default_tiles:
        return _tiles_choice(tiles, attr, caller)
    if basemap is None:
        return None
    if not isinstance(basemap, str) or basemap not in BASEMAPS:
        hint = ""
        if isinstance(basemap, str):
            hint = f"; for other providers use tiles={basemap!r}"
        msg = (
            f"{caller}(): `basemap` must be one of {(*BASEMAPS, None)}; received {basemap!r}{hint}."
        )
        raise ValueError(msg)
    return _basemap_choice(basemap)


def _tiles_choice(tiles: object, attr: str | None, caller: str) -> TileChoice | None:
    if tiles is None:
        return None
    if isinstance(tiles, xyzservices.TileProvider):
        return _provider_choice(tiles, attr, caller, tiles.name)
    if not isinstance(tiles, str):
        msg = (
            f"{caller}(): `tiles` must be an xyzservices provider or its name, an XYZ URL "
            f"template or None; received {type(tiles).__name__} {tiles!r}."
        )
        raise TypeError(msg)
    if tiles in BASEMAPS:
        return _basemap_choice(tiles)
    if "{z}" in tiles or "://" in tiles:
        if "{z}" not in tiles or "{x}" not in tiles or "{y}" not in tiles:
            msg = (
                f"{caller}(): a `tiles` URL must be an XYZ template with {{z}}, {{x}} and {{y}}; "
                f"received {tiles!r}."
            )
            raise ValueError(msg)
        if not attr:
            msg = (
                f"{caller}(): custom tiles need an attribution: pass attr='© …' with "
                f"tiles={tiles!r} (as folium requires)."
            )
            raise ValueError(msg)
        options: dict[str, Any] = {"attribution": attr}
        if "{s}" in tiles:
            options["subdomains"] = "abc"
        return TileChoice(tiles, tiles, "wgs84", ({"url": tiles, "options": options},), tiles)
    name = "OpenStreetMap Mapnik" if tiles.lower().replace(" ", "") == "openstreetmap" else tiles
    try:
        provider = xyzservices.providers.query_name(name)
    except ValueError:
        names = list(xyzservices.providers.flatten())
        close = difflib.get_close_matches(tiles, names, n=3, cutoff=0.5)
        suggestion = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        msg = (
            f"{caller}(): tiles={tiles!r} is not an xyzservices provider name nor an XYZ URL."
            f"{suggestion} Accepted: any of the {len(names)} names in "
            "xyzservices.providers.flatten() in any spelling (e.g. "
            f"{', '.join(_TILE_EXAMPLES)}); for {', '.join(map(repr, BASEMAPS))} use `basemap=`."
        )
        raise ValueError(msg) from None
    return _provider_choice(provider, attr, caller, tiles)


@dataclass
class MapState:
    """What landuse knows about a map: the datum overlays are drawn in, layer names used."""

    display: Literal["wgs84", "gcj02"] = "wgs84"
    basemap: str | None = None
    names: list[str] = field(default_factory=list)
    has_zones: bool = False


def map_state(m: folium.Map) -> MapState:
    """Return the :class:`MapState` of ``m`` (a fresh one for a map landuse did not create)."""
    state = getattr(m, "_landuse_state", None)
    if not isinstance(state, MapState):
        state = MapState()
        m._landuse_state = state  # type: ignore[attr-defined]
    return state


@lru_cache(maxsize=1)
def _core_assets() -> tuple[str, str]:
    pkg = resources.files("landuse.mapping").joinpath("assets")
    js = (pkg / "core.js").read_text(encoding="utf-8")
    css = (pkg / "core.css").read_text(encoding="utf-8")
    return js, css


# --- page elements ---------------------------------------------------------------------------
#
# branca's MacroElement.render wraps the output of each macro (header, html, script) in
# ``Element(...)``, which compiles that output as a NEW Jinja2 template: any text from data in
# it (a value, a column or layer name) would be run as template code when the page is
# rendered, by save_map, a notebook display or ``Map.save`` (review D1: an enterprise name ran a
# shell command; ``{#`` made a map unsaveable). landuse elements therefore build their parts
# in Python and put them into the page as finished text (:class:`Text`), never through a
# template engine; text from data goes in as :func:`~landuse._sinks.script_json`.


class Text(Element):
    """Finished text in the page, written as it is (never compiled as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "LanduseText"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _PageParts(folium.MacroElement):
    """A map element whose header/html/script parts are finished text built in Python."""

    def page_parts(self) -> dict[str, str]:
        """The element's parts of the page: ``{"header" | "html" | "script": text}``."""
        raise NotImplementedError

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if not isinstance(figure, Figure):  # pragma: no cover - folium always gives one
            msg = "a landuse map element can only be rendered inside a folium Figure"
            raise TypeError(msg)
        for part, text in self.page_parts().items():
            getattr(figure, part).add_child(Text(text), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _Assets(_PageParts):
    """The landuse core script and stylesheet, once per page."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "LanduseAssets"
        self.js, self.css = _core_assets()

    def page_parts(self) -> dict[str, str]:
        return {"header": f"<style>{self.css}</style>\n<script>{self.js}</script>"}


class _BaseMap(Layer, _PageParts):
    """A basemap: one or more tile layers (base + labels) switched together."""

    def __init__(self, basemap: str | TileChoice, lang: Lang) -> None:
        choice = basemap if isinstance(basemap, TileChoice) else _basemap_choice(basemap)
        super().__init__(
            name=choice.label_zh if lang == "zh" else choice.label_en,
            overlay=False,
            control=True,
        )
        self._name = "LanduseBasemap"
        self.tiles = [dict(t) for t in choice.tiles]

    def page_parts(self) -> dict[str, str]:
        tiles = ", ".join(
            f"L.tileLayer({script_json(t['url'])}, {script_json(t['options'])})" for t in self.tiles
        )
        return {"script": f"var {self.get_name()} = L.layerGroup([{tiles}]);"}


class _VectorLayer(Layer, _PageParts):
    """One landuse layer: its JSON spec in the body, one call to ``landuse.layer`` in the script."""

    def __init__(self, spec: Mapping[str, Any], *, name: str, show: bool) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "LanduseLayer"
        self.n_features = int(spec["n"])
        self.data_json = script_json(spec)

    def page_parts(self) -> dict[str, str]:
        name = self.get_name()
        return {
            "html": (f'<script type="application/json" id="{name}_data">{self.data_json}</script>'),
            "script": (
                f"var {name} = landuse.layer({self._parent.get_name()},\n"
                f'    JSON.parse(document.getElementById("{name}_data").textContent));'
            ),
        }

    def render(self, **kwargs: Any) -> None:
        # a folium.LayerControl added after this layer (not through save_map) lists its name
        _adopt_layer_controls(self._parent)
        super().render(**kwargs)


class LayerControl(_PageParts, folium.LayerControl):
    """folium's layer control, with the names of landuse layers shown as text.

    Leaflet's layer control inserts layer names with ``innerHTML`` (review D3: a name holding
    ``<img src=x onerror=…>`` ran script), and folium's control writes them into a script that
    branca compiles as a template (D1). This one sends the names as JSON
    (:func:`~landuse._sinks.script_json`) to ``landuse.layerControl``, which sets the names of
    landuse layers (and basemaps) with ``textContent``: the label equals the name. Names of
    layers made by folium itself or by plugins keep folium's rule (HTML, as written by the
    caller's code).
    """

    def page_parts(self) -> dict[str, str]:
        entries, variables = [], []
        for item in self._parent._children.values():
            if not isinstance(item, Layer) or not item.control:
                continue
            entries.append(
                {
                    "name": str(item.layer_name),
                    "overlay": bool(item.overlay),
                    "text": isinstance(item, (_VectorLayer, _BaseMap)),
                }
            )
            variables.append(item.get_name())
        name = self.get_name()
        script = (
            f"var {name} = landuse.layerControl({self._parent.get_name()}, "
            f"{script_json({'layers': entries})}, [{', '.join(variables)}], "
            f"{tojavascript(self.options)});"
        )
        if self.draggable:
            script += f"\nnew L.Draggable({name}.getContainer()).enable();"
        return {"script": script}


LegendPosition = Literal["bottomright", "bottomleft", "topleft", "topright"]
_LEGEND_POSITIONS = ("bottomright", "bottomleft", "topleft", "topright")


class _LegendSettings(_PageParts):
    """The map's legend settings, handed to ``landuse.legend`` (one element per map)."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__()
        self._name = "LanduseLegend"
        self.settings = dict(settings)

    def page_parts(self) -> dict[str, str]:
        script = f"landuse.legend({self._parent.get_name()}, {script_json(self.settings)});"
        return {"script": script}


def set_legend(
    m: folium.Map,
    *,
    position: LegendPosition = "bottomright",
    title: str | None = None,
    collapsed: bool = False,
) -> folium.Map:
    """Place and title the map's legend panel.

    A landuse map has ONE legend panel, with a section per layer (its name, then its classes
    with swatches and counts) shown while that layer is switched on in the layer control.
    The panel scrolls when it is taller than the map allows: it and the other controls of its
    side (the layer control top right, the attribution, zoom buttons, scale bar) always fit in
    the map, so it never covers them. Calling ``set_legend`` again replaces the settings.

    Parameters
    ----------
    m
        A map made by the ``map_*`` functions (or any folium map: the panel appears once a
        landuse layer with a legend is on it).
    position
        Corner of the map: ``"bottomright"`` (default), ``"bottomleft"``, ``"topleft"`` or
        ``"topright"`` (below the layer control).
    title
        Heading of the panel (shown as text); default ``图例`` / ``Legend`` in the map's
        language.
    collapsed
        Start collapsed: only a small ``图例`` / ``Legend`` button shows, which opens the
        panel.

    Returns
    -------
    folium.Map
        ``m`` itself.

    Raises
    ------
    ValueError
        If ``position`` is not one of the four corners.
    TypeError
        If ``title`` is not a string or ``None``, or ``collapsed`` is not a bool.

    Examples
    --------
    >>> import landuse
    >>> from landuse.mapping import map_zones, set_legend
    >>> m = map_zones(landuse.load_sample().zones, basemap=None)
    >>> m = set_legend(m, position="topleft", title="图例", collapsed=True)
    >>> "landuse.legend(" in m.get_root().render()
    True
    """
    if not (isinstance(position, str) and position in _LEGEND_POSITIONS):
        msg = (
            "`position` passed to set_legend() must be one of "
            f"{', '.join(map(repr, _LEGEND_POSITIONS))}; received {position!r}."
        )
        raise ValueError(msg)
    if title is not None and not isinstance(title, str):
        msg = f"`title` passed to set_legend() must be a string or None; received {title!r}."
        raise TypeError(msg)
    if not isinstance(collapsed, (bool, np.bool_)):
        msg = f"`collapsed` passed to set_legend() must be True or False; received {collapsed!r}."
        raise TypeError(msg)
    _ensure_assets(m)
    settings = {"position": position, "title": title or None, "collapsed": bool(collapsed)}
    m.add_child(_LegendSettings(settings), name="landuse_legend")
    return m


def _adopt_layer_controls(m: Element | None) -> None:
    """Make every plain ``folium.LayerControl`` on ``m`` a landuse :class:`LayerControl`.

    A user's own control (``folium.LayerControl().add_to(m)``) would list landuse layer names
    as HTML through a re-compiled template; it becomes a landuse control with the same options
    (the class adds behaviour only, no state, so the object keeps everything it holds).
    """
    if m is None:
        return
    for child in m._children.values():
        if type(child) is folium.LayerControl:
            child.__class__ = LayerControl


def new_map(
    bounds: np.ndarray,
    *,
    basemap: str | TileChoice | None,
    lang: Lang,
    location: Sequence[float] | None = None,
    zoom_start: int | None = None,
    width: str | float = "100%",
    height: str | float = "100%",
) -> folium.Map:
    """Create a map fitted to ``bounds`` (lon/lat, display datum) with its basemap.

    The map is an :class:`~landuse.mapping._offline.OfflineMap`: a ``folium.Map`` that a
    notebook shows offline (everything inlined, as ``save_map`` writes it by default).
    ``location`` ([lat, lon], display datum) and/or ``zoom_start`` set the view instead of
    fitting ``bounds`` (as ``folium.Map`` and ``explore()`` take them); ``width``/``height``
    size the map element.
    """
    if basemap is not None:
        tiles = _BaseMap(basemap, lang)  # raises before a map exists when a key is missing
    finite = bool(np.all(np.isfinite(bounds)))
    minx, miny, maxx, maxy = (float(b) for b in bounds) if finite else (-180, -60, 180, 75)
    fit = finite and location is None and zoom_start is None
    if location is None:
        location = [(miny + maxy) / 2, (minx + maxx) / 2]
    if zoom_start is None:
        zoom_start = 12 if finite else 2
    m = OfflineMap(
        location=list(location),
        zoom_start=zoom_start,
        width=width,
        height=height,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
    )
    state = map_state(m)
    state.basemap = basemap.key if isinstance(basemap, TileChoice) else basemap
    state.display = basemap_display(basemap)
    if basemap is not None:
        tiles.add_to(m)
    if fit:
        m.fit_bounds([[miny, minx], [maxy, maxx]])
        m.add_child(_Refit(m, [[miny, minx], [maxy, maxx]]), name="landuse_refit")
    return m


class _Refit(_PageParts):
    """Fit the bounds again once the map has a size, if it had none when the page ran.

    A map in an ``<iframe srcdoc>`` (the zone dossier, a notebook) may run its script before
    the frame is laid out; Leaflet then fits the bounds into a 0 × 0 box and shows the world
    at zoom 0. A ``ResizeObserver`` on the map's box fits them again once it has a size.
    """

    def __init__(self, m: folium.Map, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "LanduseRefit"
        self.map_name = m.get_name()
        self.bounds = [[float(v) for v in corner] for corner in bounds]

    def page_parts(self) -> dict[str, str]:
        return {
            "script": (
                "(function (map, bounds) {\n"
                "  var size = map.getSize();\n"
                "  if (size.x && size.y) { return; }\n"
                "  var box = map.getContainer();\n"
                "  function refit() {\n"
                "    if (!box.clientWidth || !box.clientHeight) { return false; }\n"
                "    map.invalidateSize(false);\n"
                "    map.fitBounds(bounds);\n"
                "    return true;\n"
                "  }\n"
                "  if (window.ResizeObserver) {\n"
                "    var watch = new ResizeObserver(function () {\n"
                "      if (refit()) { watch.disconnect(); }\n"
                "    });\n"
                "    watch.observe(box);\n"
                "  } else {\n"
                "    map.once('resize', refit);\n"
                "  }\n"
                f"}})({self.map_name}, {script_json(self.bounds)});"
            )
        }


def basemap_display(basemap: str | TileChoice | None) -> Literal["wgs84", "gcj02"]:
    """Return the datum overlays are drawn in over ``basemap`` (GCJ-02 for Amap/Gaode tiles)."""
    if basemap is None:
        return "wgs84"
    if isinstance(basemap, TileChoice):
        return basemap.display
    return BASEMAPS[basemap].display


def _ensure_assets(m: folium.Map) -> None:
    if "landuse_assets" not in m._children:
        m.add_child(_Assets(), name="landuse_assets")


def ensure_layer_control_last(m: folium.Map) -> None:
    """Keep one layer control, a landuse :class:`LayerControl`, as the map's last child.

    It lists the layers before it. A ``folium.LayerControl`` the map already has keeps its
    options and becomes a landuse one (names as text, never re-compiled as a template).
    """
    _adopt_layer_controls(m)
    _ensure_assets(m)
    controls = [k for k, v in m._children.items() if isinstance(v, folium.LayerControl)]
    if controls:
        for key in controls[:-1]:
            del m._children[key]
        key = controls[-1]
        m._children.move_to_end(key)
    else:
        m.add_child(LayerControl(collapsed=False))


# --- display geometry ---------------------------------------------------------------------


def _touch_groups(geoms: np.ndarray) -> np.ndarray:
    """Label of the group of touching/overlapping features each geometry belongs to."""
    n = len(geoms)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    try:
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components
    except ImportError:  # pragma: no cover - scipy comes with mapclassify
        labels = np.arange(n)
        while True:
            low = np.minimum(labels[left], labels[right])
            new = labels.copy()
            np.minimum.at(new, left, low)
            new = new[new]
            if np.array_equal(new, labels):
                return labels
            labels = new
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def simplify_coverage(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify polygons for display, keeping edges shared by neighbours shared.

    GEOS coverage simplification (shapely ≥ 2.1 with GEOS ≥ 3.12) treats the polygons as a
    coverage: each shared edge is simplified once, so neighbours keep a common boundary (no
    gaps or slivers). It runs on chunks made of whole groups of touching features (its cost
    grows faster than linearly with the size of one call); a chunk whose polygons overlap
    (not a valid coverage) is left as it is. Other geometry types are returned unchanged, as
    is everything where coverage simplification is not available.
    """
    out = np.array(geoms, dtype=object, copy=True)
    if tolerance <= 0 or not hasattr(shapely, "coverage_simplify"):
        return out
    if shapely.geos_version < (3, 12, 0):  # pragma: no cover - old GEOS
        log.info(
            "GEOS %s has no coverage simplification; display geometry not simplified",
            shapely.geos_version_string,
        )
        return out
    type_ids = shapely.get_type_id(out)
    poly = np.flatnonzero(np.isin(type_ids, (3, 6)) & ~shapely.is_empty(out))
    # only polygons with more than 4 distinct vertices can lose any
    if len(poly) == 0 or shapely.get_num_coordinates(out[poly]).max() <= 5:
        return out
    groups = _touch_groups(out[poly])
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    bounds = np.r_[starts, len(order)]
    chunk_ends = [0]
    for end in bounds[1:]:
        if end - chunk_ends[-1] >= _SIMPLIFY_CHUNK:
            chunk_ends.append(int(end))
    if chunk_ends[-1] != len(order):
        chunk_ends.append(len(order))
    skipped = 0
    for lo, hi in itertools.pairwise(chunk_ends):
        members = poly[order[lo:hi]]
        part = out[members]
        if not shapely.coverage_is_valid(part):
            skipped += len(members)
            continue
        out[members] = shapely.coverage_simplify(part, tolerance)
    if skipped:
        log.info(
            "%d polygons overlap their neighbours (not a valid coverage); shown unsimplified",
            skipped,
        )
    return out


def display_geometries(
    gdf: gpd.GeoDataFrame, *, display: Literal["wgs84", "gcj02"], simplify_m: float | None
) -> np.ndarray:
    """Geometries to draw: simplified (metres), in lon/lat, GCJ-02-shifted for Amap basemaps."""
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    crs = gdf.crs
    if simplify_m:
        tolerance = simplify_m / _M_PER_DEG if crs.is_geographic else simplify_m
        geoms = simplify_coverage(geoms, tolerance)
    shown = gpd.GeoSeries(geoms, crs=crs).to_crs(4326)
    if display == "gcj02":
        shown = wgs84_to_gcj02(shown)
    out = np.asarray(shown.array, dtype=object)
    # exteriors counter-clockwise, holes clockwise: the page fills all polygons of a style in
    # one path with the non-zero rule, which keeps holes open
    if hasattr(shapely, "orient_polygons"):
        return np.asarray(shapely.orient_polygons(out, exterior_cw=False), dtype=object)
    from shapely.geometry.polygon import orient  # pragma: no cover - shapely < 2.1

    def oriented(g: Any) -> Any:  # pragma: no cover
        if isinstance(g, shapely.Polygon):
            return orient(g)
        if isinstance(g, shapely.MultiPolygon):
            return shapely.MultiPolygon([orient(p) for p in g.geoms])
        return g

    return np.array([oriented(g) for g in out], dtype=object)  # pragma: no cover


_KINDS = {0: "point", 4: "point", 1: "line", 2: "line", 5: "line", 3: "polygon", 6: "polygon"}


def _encode_kind(geoms: np.ndarray, kind: str) -> tuple[dict[str, Any], np.ndarray]:
    """Return counts and quantised vertices of one geometry kind (not yet delta-coded)."""
    if kind == "line":
        rings = shapely.get_type_id(geoms) == 2
        if rings.any():  # LinearRing -> LineString (to_ragged_array takes lines only)
            geoms = geoms.copy()
            coords, index = shapely.get_coordinates(geoms[rings], return_index=True)
            geoms[rings] = shapely.linestrings(coords, indices=index)
    gtype, coords, offsets = shapely.to_ragged_array(geoms, include_z=False)
    q = np.rint(coords * QUANTUM).astype(np.int64)
    n = len(geoms)
    counts: dict[str, Any] = {}
    if kind == "polygon":
        if gtype == shapely.GeometryType.POLYGON:
            ring_off, geom_rings = offsets
            parts_per_feature = np.ones(n, dtype=np.int64)
            rings_per_part = np.diff(geom_rings)
        else:
            ring_off, part_rings, geom_parts = offsets
            parts_per_feature = np.diff(geom_parts)
            rings_per_part = np.diff(part_rings)
        ring_len = np.diff(ring_off)
        keep = np.ones(len(q), dtype=bool)
        keep[ring_off[1:] - 1] = False  # the closing vertex
        ring_len = ring_len - 1
        q = q[keep]
        ring_id = np.repeat(np.arange(len(ring_len)), ring_len)
        same_ring = np.r_[False, ring_id[1:] == ring_id[:-1]]
        repeated = same_ring & np.r_[False, np.all(q[1:] == q[:-1], axis=1)]
        q = q[~repeated]
        ring_len = np.bincount(ring_id[~repeated], minlength=len(ring_len))
        counts["np"] = parts_per_feature
        counts["nr"] = rings_per_part
        counts["nv"] = ring_len
    elif kind == "line":
        if gtype == shapely.GeometryType.LINESTRING:
            (coord_off,) = offsets
            parts_per_feature = np.ones(n, dtype=np.int64)
        else:
            coord_off, geom_parts = offsets
            parts_per_feature = np.diff(geom_parts)
        counts["np"] = parts_per_feature
        counts["nv"] = np.diff(coord_off)
    else:
        if gtype == shapely.GeometryType.POINT:
            parts_per_feature = np.ones(n, dtype=np.int64)
        else:
            (geom_pts,) = offsets
            parts_per_feature = np.diff(geom_pts)
        counts["np"] = parts_per_feature
    return counts, q


def encode_geometries(
    geoms: np.ndarray,
) -> tuple[list[dict[str, Any]], list[int], np.ndarray]:
    """Encode lon/lat geometries for ``assets/core.js``.

    Returns ``(groups, origin, drawn)``: one group per geometry kind (``polygon``, ``line``,
    ``point``) with the feature ids it holds (omitted when it holds all, in order), parts per
    feature ``np``, rings per part ``nr`` and vertices per ring ``nv`` (omitted when all 1),
    and ``xy``: running deltas of the vertices in 1e-6° steps starting at ``origin``. ``drawn``
    marks the features that have a geometry.

    Examples
    --------
    >>> groups, origin, drawn = encode_geometries(np.array([shapely.box(120, 36, 120.001, 36.002)]))
    >>> origin, groups[0]["kind"], groups[0]["nv"], groups[0]["xy"]
    ([120000000, 36000000], 'polygon', [4], [1000, 0, 0, 2000, -1000, 0, 0, -2000])
    """
    type_ids = shapely.get_type_id(geoms)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    collections = np.flatnonzero((type_ids == 7) & ~empty)
    if len(collections):
        msg = (
            f"{len(collections)} feature(s) are geometry collections (positions "
            f"{format_ids(collections)}), which a map layer cannot draw; explode them first, "
            "e.g. frame.explode(index_parts=False)."
        )
        raise GeometryError(msg)
    drawn = ~empty
    kinds = np.array([_KINDS.get(int(t), "") for t in type_ids], dtype=object)
    parts: list[tuple[str, np.ndarray, dict[str, Any], np.ndarray]] = []
    for kind in ("polygon", "line", "point"):
        ids = np.flatnonzero(drawn & (kinds == kind))
        if len(ids):
            counts, q = _encode_kind(geoms[ids], kind)
            parts.append((kind, ids, counts, q))
    if not parts:
        return [], [0, 0], drawn
    origin = np.min(np.vstack([q.min(axis=0) for *_, q in parts]), axis=0)
    groups: list[dict[str, Any]] = []
    n = len(geoms)
    for kind, ids, counts, q in parts:
        deltas = np.diff(q, axis=0, prepend=origin[None, :])
        group: dict[str, Any] = {"kind": kind}
        if not (len(ids) == n):
            group["ids"] = ids.tolist()
        group["np"] = counts["np"].tolist()
        for key in ("nr", "nv"):
            if key in counts and not np.all(counts[key] == 1):
                group[key] = counts[key].tolist()
        group["xy"] = deltas.ravel().tolist()
        groups.append(group)
    return groups, origin.tolist(), drawn


# --- layers --------------------------------------------------------------------------------


def unique_name(state: MapState, name: str) -> str:
    """``name``, or ``name (2)``, ``name (3)``... if the map already has a layer called so."""
    candidate, i = name, 2
    while candidate in state.names:
        candidate = f"{name} ({i})"
        i += 1
    state.names.append(candidate)
    return candidate


def add_layer(
    m: folium.Map,
    *,
    geoms: np.ndarray,
    name: str,
    role: Role,
    styles: Sequence[Mapping[str, Any]],
    style_index: np.ndarray | None,
    fields: Sequence[Mapping[str, Any]],
    tooltip: Sequence[int],
    popup: Sequence[int],
    legend: Mapping[str, Any] | None,
    highlight: Mapping[str, Any] | None,
    lang: Lang,
    show: bool = True,
    ids: Sequence[Any] | None = None,
) -> _VectorLayer:
    """Add one layer (display geometries already prepared) to ``m``; returns the element."""
    groups, origin, drawn = encode_geometries(geoms)
    if not drawn.all():
        missing = np.flatnonzero(~drawn)
        shown = [ids[int(i)] for i in missing] if ids is not None else missing
        warnings.warn(
            f"{len(missing)} of {len(geoms)} features of layer {name!r} have no geometry and "
            f"are not drawn ({format_ids(shown)}).",
            LanduseWarning,
            stacklevel=3,
        )
    state = map_state(m)
    layer_name = unique_name(state, name)
    spec: dict[str, Any] = {
        "name": layer_name,
        "role": role,
        "lang": lang,
        "n": len(geoms),
        "origin": origin,
        "geoms": groups,
        "styles": [dict(s) for s in styles],
        "fields": [dict(f) for f in fields],
        "tooltip": list(tooltip),
        "popup": list(popup),
    }
    if style_index is not None and len(styles) > 1:
        spec["s"] = np.asarray(style_index, dtype=np.int64).tolist()
    if legend is not None:
        spec["legend"] = dict(legend)
        title = spec["legend"].get("title")
        # several legends on one map: each names its layer (and the column it colours by)
        if title and title not in (name, layer_name):
            spec["legend"]["title"] = f"{layer_name} · {title}"
        else:
            spec["legend"]["title"] = layer_name
    if highlight:
        spec["highlight"] = dict(highlight)
    _ensure_assets(m)
    element = _VectorLayer(spec, name=layer_name, show=show)
    m.add_child(element)
    ensure_layer_control_last(m)
    return element
