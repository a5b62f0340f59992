"""Rendering a folium map to HTML: once per save, offline by default, never changing the map.

Three problems of plain ``Map.save()`` / a notebook display are handled here:

- folium re-renders each layer's ``.addTo(map)`` call into the page on every render, so a map
  saved (or shown in a notebook) twice carries the calls twice, and files grow with each save
  (python-visualization/folium#2237). :func:`render_html` drops what earlier renders left in the
  page and restores the page after rendering, so every save writes the same bytes.
- Saving must not change the map: :func:`page_html` puts the layer control last for the
  page only and gives the map back as it was (children, their order and classes).
- A folium page loads Leaflet and friends from CDNs, so it is blank without internet (an
  intranet, a blocked CDN). :func:`inline_assets` replaces each ``<script src>`` /
  ``<link rel=stylesheet>`` with the file's content, taken from XStatic packages on PyPI
  (core dependencies of landuse; nothing is fetched at run time):

  ========================  ===================================================================
  asset folium links        offline
  ========================  ===================================================================
  leaflet.js / leaflet.css  inlined from ``xstatic-leaflet`` (its images as ``data:`` URIs)
  jQuery                    inlined from ``xstatic-jquery`` when the page uses it (``folium.Popup``
                            with HTML content, ``explore()``'s categorical legend), dropped
                            otherwise
  jQuery UI                 inlined from ``xstatic-jquery-ui`` (``explore()``'s categorical
                            legend is draggable with it)
  d3 (version 3)            inlined from ``xstatic-d3`` (branca's colour-ramp legend, as drawn by
                            ``explore(column=<numbers>)``)
  Bootstrap JS/CSS,         dropped: neither landuse layers nor ``explore()`` use them
  glyphicons
  Leaflet.awesome-markers,  dropped: no PyPI package ships Leaflet.awesome-markers; a map that
  Font Awesome              uses ``folium.Icon`` markers cannot be saved offline (error)
  anything else             error naming the plugin and its URLs (``offline=False`` links them)
  ========================  ===================================================================

Tiles still come from the network: offline, the basemap stays blank and the vectors show.

Maps made by landuse are :class:`OfflineMap` objects: a ``folium.Map`` whose notebook display
(``_repr_html_``) is this offline page too.
"""

from __future__ import annotations

import base64
import html as html_lib
import os
import re
import sys
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from typing import Any

import folium

from landuse._atomic import atomic_path
from landuse.errors import LanduseError, LanduseWarning

__all__ = ["OfflineMap", "inline_assets", "page_html", "render_html", "save_map"]

_SCRIPT_RE = re.compile(r'<script src="(?P<url>[^"]+)"></script>')
_LINK_RE = re.compile(r'<link rel="stylesheet" href="(?P<url>[^"]+)"\s*/?>')
_DROPPED = (
    re.compile(r"bootstrap(\.bundle)?(\.min)?\.(js|css)$"),
    re.compile(r"bootstrap-glyphicons(\.min)?\.css$"),
    re.compile(r"leaflet\.awesome-markers(\.min)?\.(js|css)$"),
    re.compile(r"leaflet\.awesome\.rotate(\.min)?\.css$"),
    re.compile(r"fontawesome[^/]*/css/all(\.min)?\.css$"),
)
#: d3 version 3 only: branca's legend is written against its API (d3.scale, d3.svg.axis)
_D3_RE = re.compile(r"d3[/@]v?3(\.\d+)*/(dist/)?d3(\.min)?\.js$|/d3\.v3(\.min)?\.js$")
_JQUERY_UI_RE = re.compile(r"jquery-ui(\.min)?\.(js|css)$")
#: the name landuse's finished-text page parts carry (``landuse.mapping._layer.Text``)
_TEXT_NAME = "LanduseText"


def _descendants(element: Any) -> list[Any]:
    out, stack = [], [element]
    while stack:
        item = stack.pop()
        out.append(item)
        stack.extend(item._children.values())
    return out


@contextmanager
def _as_it_was(m: folium.Map) -> Iterator[None]:
    """Give ``m`` back with the elements it had: each one's children, their order and classes.

    A render changes the map: folium 0.20 adds an ``…_add`` element to each layer it renders,
    and rendering a landuse layer turns a plain ``folium.LayerControl`` beside it into a
    landuse one (by class). The page keeps all that; the map gets its elements back unchanged.
    """
    elements = _descendants(m)
    children = [(e, list(e._children.items())) for e in elements]
    classes = [(e, type(e)) for e in elements]
    try:
        yield
    finally:
        for element, items in children:
            element._children.clear()
            element._children.update(items)
        for element, cls in classes:
            if type(element) is not cls:
                element.__class__ = cls


def render_html(m: folium.Map) -> str:
    """Render the page of ``m`` as one HTML string, leaving ``m`` as it was.

    What earlier renders (a notebook display, ``m.save()``) wrote into the page is removed
    first, so every element's script is written once and in the order of the map's children
    (folium appends each render's ``.addTo`` calls again, folium#2237, and a layer added after
    a render would otherwise be scripted after the layer control that lists it). Entries the
    page had before any render (its ``<meta>``, the asset links, anything added by name) stay.
    After rendering the page is restored, so rendering twice gives the same text.
    """
    figure: Any = m.get_root()
    rendered = {e.get_name() for e in _descendants(figure)}
    parts = (figure.header, figure.html, figure.script)
    saved = [OrderedDict(part._children) for part in parts]
    for part in parts:
        for key, child in list(part._children.items()):
            # landuse parts (finished text) are always render products, also those of an
            # element removed from the map since (a second layer control dropped by save_map)
            if (
                key in rendered
                or key.startswith("macro_element_")
                or getattr(child, "_name", None) == _TEXT_NAME
            ):
                del part._children[key]
    try:
        with _as_it_was(m):
            return str(figure.render())
    finally:
        for part, children in zip(parts, saved, strict=True):
            part._children = children


def _layer_control_last(m: folium.Map) -> None:
    """Keep one layer control (the last added), after the layers it lists.

    A map without one gets none: landuse maps always have one (each ``map_*`` layer adds it),
    and a plain folium map (``explore()`` output) is shown as folium shows it.
    """
    controls = [k for k, v in m._children.items() if isinstance(v, folium.LayerControl)]
    for key in controls[:-1]:
        del m._children[key]
    if controls:
        m._children.move_to_end(controls[-1])


def _linked_by(m: folium.Map) -> dict[str, str]:
    """URL → the class (``module.Name``) of the map element that links it."""
    out: dict[str, str] = {}
    for element in _descendants(m):
        cls = type(element)
        for _, url in [*getattr(element, "default_js", ()), *getattr(element, "default_css", ())]:
            out.setdefault(str(url), _public_name(cls))
    return out


def _public_name(cls: type) -> str:
    """``folium.plugins.Fullscreen`` rather than ``folium.plugins.fullscreen.Fullscreen``."""
    parts = cls.__module__.split(".")
    for i in range(1, len(parts) + 1):
        module = sys.modules.get(".".join(parts[:i]))
        if module is not None and getattr(module, cls.__name__, None) is cls:
            return f"{module.__name__}.{cls.__name__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def page_html(m: folium.Map, *, offline: bool = True, layer_control: bool = True) -> str:
    """Return the HTML page of ``m`` as :func:`save_map` writes it; ``m`` is left as it was.

    Parameters
    ----------
    m
        The map (any ``folium.Map``: a landuse map, ``GeoDataFrame.explore()`` output...).
    offline
        Inline every script and stylesheet (see the module docstring); ``False`` links them
        from their CDNs.
    layer_control
        The page keeps one layer control (the last added), after the layers it lists.

    Raises
    ------
    LanduseError
        With ``offline=True``, if the page links files landuse cannot inline; the message
        names the plugin and its URLs.

    Examples
    --------
    >>> import landuse
    >>> from landuse.mapping import map_zones
    >>> m = map_zones(landuse.load_sample().zones, basemap=None)
    >>> page = page_html(m)
    >>> "<script src=" in page, page == page_html(m)
    (False, True)
    """
    with _as_it_was(m):
        if layer_control:
            _layer_control_last(m)
        html = render_html(m)
        sources = _linked_by(m) if offline else {}
    return inline_assets(html, linked_by=sources) if offline else html


class OfflineMap(folium.Map):
    """A ``folium.Map`` whose notebook display is the offline page.

    Every landuse map is one (``map_zones``, ``map_parcels``...). A notebook shows it in an
    iframe holding the page :func:`save_map` writes by default: Leaflet and everything else
    inlined, so the cell shows the layers on an intranet or with the CDNs blocked. In every
    other way it is a ``folium.Map`` (``m=`` chaining, ``explore(m=...)``, ``m.save()``,
    plugins). If the map holds a plugin landuse cannot inline, the cell shows the page with
    its files linked from their CDNs and a :class:`~landuse.errors.LanduseWarning` names it.

    Examples
    --------
    >>> import folium, landuse
    >>> from landuse.mapping import map_zones
    >>> m = map_zones(landuse.load_sample().zones, basemap=None)
    >>> isinstance(m, folium.Map), "cdn.jsdelivr" in m._repr_html_()
    (True, False)
    """

    def _repr_html_(self, **kwargs: Any) -> str:
        detached = self._parent is None
        if detached:
            folium.Figure().add_child(self)
        try:
            try:
                page = page_html(self, offline=True)
            except LanduseError as exc:
                msg = f"{exc} The notebook shows it with those files linked (needs internet)."
                warnings.warn(msg, LanduseWarning, stacklevel=2)
                page = page_html(self, offline=False)
            return _iframe(page, self.get_root())
        finally:
            if detached:
                self._parent = None


def _iframe(page: str, figure: Any) -> str:
    """Put the page in an iframe, as branca's ``Figure._repr_html_`` shows a map."""
    doc = html_lib.escape(page)
    if figure.height is None:
        return (
            f'<div style="width:{figure.width};"><div style="position:relative;width:100%;'
            f'height:0;padding-bottom:{figure.ratio};">'
            '<span style="color:#565656">Make this Notebook Trusted to load map: '
            "File -> Trust Notebook</span>"
            f'<iframe srcdoc="{doc}" style="position:absolute;width:100%;height:100%;left:0;'
            'top:0;border:none !important;" allowfullscreen webkitallowfullscreen '
            "mozallowfullscreen></iframe></div></div>"
        )
    return (
        f'<iframe srcdoc="{doc}" width="{figure.width}" height="{figure.height}" '
        'style="border:none !important;" allowfullscreen webkitallowfullscreen '
        "mozallowfullscreen></iframe>"
    )


# --- inlining ------------------------------------------------------------------------------


def _xstatic_dir(package: str, pip_name: str) -> Path:
    try:
        module = import_module(f"xstatic.pkg.{package}")
    except ImportError as exc:
        msg = (
            f"an offline map inlines files from the XStatic package {pip_name}, a dependency "
            f"of landuse that is not installed here: pip install {pip_name} (or reinstall "
            "landuse), or save with offline=False."
        )
        raise ImportError(msg) from exc
    return Path(module.BASE_DIR)


def _script(code: str) -> str:
    code = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", code)
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def _style(css: str) -> str:
    css = re.sub(r"/\*# sourceMappingURL=\S+\s*\*/\s*$", "", css)
    return "<style>" + css.replace("</style", "<\\/style") + "</style>"


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _images_inlined(css: str, images: Path) -> str:
    return re.sub(
        r"url\(\s*[\"']?images/([\w.-]+\.png)[\"']?\s*\)",
        lambda match: f"url({_data_uri(images / match.group(1))})",
        css,
    )


@lru_cache(maxsize=1)
def _leaflet() -> tuple[str, str]:
    """(<script>s: leaflet.js and its marker-icon fix-up, <style>: leaflet.css, images inlined)."""
    base = _xstatic_dir("leaflet", "xstatic-leaflet")
    images = base / "images"
    icons = (
        "L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({"
        f"iconUrl:'{_data_uri(images / 'marker-icon.png')}',"
        f"iconRetinaUrl:'{_data_uri(images / 'marker-icon-2x.png')}',"
        f"shadowUrl:'{_data_uri(images / 'marker-shadow.png')}'}});"
    )
    js = _script((base / "leaflet.js").read_text(encoding="utf-8")) + _script(icons)
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    return js, _style(_images_inlined(css, images))


@lru_cache(maxsize=1)
def _jquery() -> str:
    return _script((_xstatic_dir("jquery", "xstatic-jquery") / "jquery.min.js").read_text("utf-8"))


@lru_cache(maxsize=2)
def _jquery_ui(kind: str) -> str:
    base = _xstatic_dir("jquery_ui", "xstatic-jquery-ui")
    if kind == "js":
        return _script((base / "jquery-ui.min.js").read_text(encoding="utf-8"))
    css = (base / "jquery-ui.min.css").read_text(encoding="utf-8")
    return _style(_images_inlined(css, base / "images"))


@lru_cache(maxsize=1)
def _d3() -> str:
    js = (_xstatic_dir("d3", "xstatic-d3") / "d3.js").read_text(encoding="utf-8")
    # d3 3.x is ES5 without line continuations: leading indentation is never inside a string
    return _script(re.sub(r"(?m)^[ \t]+", "", js))


def _filename(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/")


def _inline_script(url: str, uses_jquery: bool) -> str | None:
    """Return the inline replacement of a linked script (``""``: drop; ``None``: unknown)."""
    name = _filename(url)
    if name.endswith("/leaflet.js") or name == "leaflet.js":
        return _leaflet()[0]
    if _JQUERY_UI_RE.search(name):
        return _jquery_ui("js")
    if re.search(r"jquery[^/]*\.js$", name):
        return _jquery() if uses_jquery else ""
    if _D3_RE.search(name):
        return _d3()
    if any(p.search(name) for p in _DROPPED):
        return ""
    return None


def _inline_style(url: str) -> str | None:
    name = _filename(url)
    if name.endswith("/leaflet.css") or name == "leaflet.css":
        return _leaflet()[1]
    if _JQUERY_UI_RE.search(name):
        return _jquery_ui("css")
    if any(p.search(name) for p in _DROPPED):
        return ""
    return None


def _uninlinable(unknown: list[str], linked_by: Mapping[str, str]) -> LanduseError:
    plugins = sorted({linked_by[url] for url in unknown if url in linked_by})
    what = f"the plugin {', '.join(plugins)} links" if plugins else "the page links"
    msg = (
        f"cannot save this map offline: {what} {len(unknown)} file(s) that no installed "
        f"package ships, so they cannot be inlined ({', '.join(unknown[:5])}). Remove that "
        "plugin, or save with offline=False (landuse map: --online) to link them from their "
        "CDN; the page then needs internet."
    )
    return LanduseError(msg)


def inline_assets(html: str, *, linked_by: Mapping[str, str] | None = None) -> str:
    """Replace linked scripts and stylesheets by their content (see the module docstring).

    Parameters
    ----------
    html
        A rendered folium page.
    linked_by
        URL → name of the plugin that links it, for the error message.

    Raises
    ------
    LanduseError
        If the page links a script or stylesheet that cannot be inlined (a folium plugin),
        or uses ``folium.Icon`` markers (Leaflet.awesome-markers is not on PyPI).
    ImportError
        If an XStatic package landuse depends on is not installed.

    Examples
    --------
    >>> page = '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
    >>> inline_assets(page).startswith("<script>")
    True
    """
    if "L.AwesomeMarkers" in html:
        msg = (
            "cannot save this map offline: it has folium.Icon markers, which need "
            "Leaflet.awesome-markers and Font Awesome; no PyPI package ships them, so they "
            "cannot be inlined. Use folium.CircleMarker (or plain folium.Marker) instead, or "
            "save with offline=False (landuse map: --online)."
        )
        raise LanduseError(msg)
    page = _SCRIPT_RE.sub("", _LINK_RE.sub("", html))
    uses_jquery = bool(re.search(r"\$\(|jQuery", page)) or bool(
        re.search(r'<script src="[^"]*jquery-ui', html)
    )
    unknown: list[str] = []

    def replace(inline: Callable[[str], str | None]) -> Callable[[re.Match[str]], str]:
        def sub(match: re.Match[str]) -> str:
            text = inline(match.group("url"))
            if text is None:
                unknown.append(match.group("url"))
                return match.group(0)
            return text

        return sub

    html = _SCRIPT_RE.sub(replace(lambda url: _inline_script(url, uses_jquery)), html)
    html = _LINK_RE.sub(replace(_inline_style), html)
    if unknown:
        raise _uninlinable(unknown, linked_by or {})
    return html


def save_map(
    m: folium.Map,
    path: str | os.PathLike[str],
    *,
    offline: bool = True,
    layer_control: bool = True,
) -> Path:
    """Save a map as one HTML file that opens without internet; ``m`` is not changed.

    Saving again writes the same bytes. Any ``folium.Map`` can be saved: a landuse map,
    ``GeoDataFrame.explore()`` output, or either with more folium layers on it.

    Parameters
    ----------
    m
        The map. It is left as it was (no layer control or anything else is added to it).
    path
        Target ``.html`` file (folders are created).
    offline
        ``True`` (default): Leaflet, and jQuery, jQuery UI and d3 where the page uses them
        (``explore()`` legends), are inlined from installed packages, so the file shows its
        layers with no network at all (basemap tiles still need one). Folium's Bootstrap and
        Font Awesome links are dropped (neither landuse layers nor ``explore()`` use them).
        ``False``: the page links those files from their CDNs (smaller; needs internet).
    layer_control
        The page keeps one layer control (the last added), after the layers it lists; a map
        without one (a plain folium map) gets none, as folium shows it.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    LanduseError
        With ``offline=True``, if the map holds a plugin whose files no installed package
        ships (or ``folium.Icon`` markers); the message names it. ``offline=False`` saves it.

    Examples
    --------
    >>> import tempfile, landuse
    >>> from landuse.mapping import map_zones
    >>> m = map_zones(landuse.load_sample().zones, basemap=None)
    >>> out = Path(tempfile.mkdtemp())
    >>> first = save_map(m, out / "zones.html").read_bytes()
    >>> save_map(m, out / "zones.html").read_bytes() == first
    True
    >>> b"<script src=" in first
    False
    >>> "<script src=" in save_map(m, out / "online.html", offline=False).read_text("utf-8")
    True
    """
    if not isinstance(m, folium.Map):
        msg = f"save_map(): `m` must be a folium.Map; received {type(m).__name__}."
        raise TypeError(msg)
    html = page_html(m, offline=offline, layer_control=layer_control)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
