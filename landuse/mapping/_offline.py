"""Rendering a folium map to HTML: once per save, and optionally with every asset inlined.

Two problems of plain ``Map.save()`` are handled here:

- folium re-renders each layer's ``.addTo(map)`` call into the page on every render, so a map
  saved (or shown in a notebook) twice carries the calls twice, and files grow with each save
  (python-visualization/folium#2237). :func:`render_html` drops what earlier renders left in the
  page and restores the page after rendering, so every save writes the same bytes.
- A saved map loads Leaflet and friends from CDNs, so it shows nothing without internet.
  :func:`inline_assets` replaces each ``<script src>`` / ``<link rel=stylesheet>`` with the file's
  content, taken from XStatic packages on PyPI (``pip install "landuse[offline]"``):

  ========================  ===================================================================
  asset folium links        offline
  ========================  ===================================================================
  leaflet.js / leaflet.css  inlined from ``xstatic-leaflet`` (its images as ``data:`` URIs)
  jQuery                    inlined from ``xstatic-jquery`` when the page uses it (``folium.Popup``
                            with HTML content does), dropped otherwise
  Bootstrap JS/CSS,         dropped: no wheel on PyPI ships them usably (``xstatic-bootstrap``
  glyphicons                has no wheel and its sdist does not build), and no landuse layer
                            needs them
  Leaflet.awesome-markers,  dropped: no PyPI package ships Leaflet.awesome-markers; a map that
  Font Awesome              uses ``folium.Icon`` markers cannot be saved offline (error)
  anything else             error naming the URLs (a plugin landuse cannot inline)
  ========================  ===================================================================

Tiles still come from the network: offline, the basemap stays blank and the vectors show.
"""

from __future__ import annotations

import base64
import os
import re
from collections import OrderedDict
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from typing import Any

import folium

from landuse._atomic import atomic_path
from landuse.errors import LanduseError
from landuse.mapping._layer import Text, ensure_layer_control_last

__all__ = ["inline_assets", "render_html", "save_map"]

_SCRIPT_RE = re.compile(r'<script src="(?P<url>[^"]+)"></script>')
_LINK_RE = re.compile(r'<link rel="stylesheet" href="(?P<url>[^"]+)"\s*/?>')
_DROPPED = (
    re.compile(r"bootstrap(\.bundle)?(\.min)?\.(js|css)$"),
    re.compile(r"bootstrap-glyphicons(\.min)?\.css$"),
    re.compile(r"leaflet\.awesome-markers(\.min)?\.(js|css)$"),
    re.compile(r"leaflet\.awesome\.rotate(\.min)?\.css$"),
    re.compile(r"fontawesome[^/]*/css/all(\.min)?\.css$"),
)


def _descendants(element: Any) -> list[Any]:
    out, stack = [], [element]
    while stack:
        item = stack.pop()
        out.append(item)
        stack.extend(item._children.values())
    return out


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
            # landuse parts (Text) are always render products, also those of an element
            # removed from the map since (a second layer control dropped by save_map)
            if key in rendered or key.startswith("macro_element_") or isinstance(child, Text):
                del part._children[key]
    try:
        return str(figure.render())
    finally:
        for part, children in zip(parts, saved, strict=True):
            part._children = children


def _xstatic_dir(package: str) -> Path:
    try:
        module = import_module(f"xstatic.pkg.{package}")
    except ImportError as exc:
        msg = (
            "save_map(offline=True) inlines Leaflet from the XStatic packages; install them "
            'with pip install "landuse[offline]" (xstatic-leaflet, xstatic-jquery).'
        )
        raise ImportError(msg) from exc
    return Path(module.BASE_DIR)


def _script(code: str) -> str:
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@lru_cache(maxsize=1)
def _leaflet() -> tuple[str, str, str]:
    """(leaflet.js, marker-icon fix-up script, leaflet.css with images inlined)."""
    base = _xstatic_dir("leaflet")
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)
    images = base / "images"
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(
        r"url\(images/([\w.-]+\.png)\)",
        lambda match: f"url({_data_uri(images / match.group(1))})",
        css,
    )
    icons = (
        "L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({"
        f"iconUrl:'{_data_uri(images / 'marker-icon.png')}',"
        f"iconRetinaUrl:'{_data_uri(images / 'marker-icon-2x.png')}',"
        f"shadowUrl:'{_data_uri(images / 'marker-shadow.png')}'}});"
    )
    return js, icons, css


@lru_cache(maxsize=1)
def _jquery() -> str:
    js = (_xstatic_dir("jquery") / "jquery.min.js").read_text(encoding="utf-8")
    return re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)


def _filename(url: str) -> str:
    return url.split("?", 1)[0].rstrip("/")


def inline_assets(html: str) -> str:
    """Replace linked scripts and stylesheets by their content (see the module docstring).

    Raises
    ------
    LanduseError
        If the page links a script or stylesheet that cannot be inlined (a folium plugin),
        or uses ``folium.Icon`` markers (Leaflet.awesome-markers is not on PyPI).
    ImportError
        If the ``offline`` extra (xstatic-leaflet, xstatic-jquery) is not installed.
    """
    if "L.AwesomeMarkers" in html:
        msg = (
            "save_map(offline=True): the map has folium.Icon markers, which need "
            "Leaflet.awesome-markers and Font Awesome; no PyPI package ships them, so they "
            "cannot be inlined. Use folium.CircleMarker (or plain folium.Marker) instead, or "
            "save with offline=False."
        )
        raise LanduseError(msg)
    uses_jquery = bool(re.search(r"\$\(|jQuery", _SCRIPT_RE.sub("", _LINK_RE.sub("", html))))
    unknown: list[str] = []

    def script(match: re.Match[str]) -> str:
        url = match.group("url")
        name = _filename(url)
        if name.endswith("/leaflet.js") or name == "leaflet.js":
            js, icons, _ = _leaflet()
            return _script(js) + _script(icons)
        if re.search(r"jquery[^/]*\.js$", name):
            return _script(_jquery()) if uses_jquery else ""
        if any(p.search(name) for p in _DROPPED):
            return ""
        unknown.append(url)
        return match.group(0)

    def link(match: re.Match[str]) -> str:
        url = match.group("url")
        name = _filename(url)
        if name.endswith("/leaflet.css") or name == "leaflet.css":
            return "<style>" + _leaflet()[2] + "</style>"
        if any(p.search(name) for p in _DROPPED):
            return ""
        unknown.append(url)
        return match.group(0)

    html = _SCRIPT_RE.sub(script, html)
    html = _LINK_RE.sub(link, html)
    if unknown:
        msg = (
            f"save_map(offline=True): {len(unknown)} linked file(s) cannot be inlined "
            f"({', '.join(unknown[:5])}); they come from a folium plugin landuse has no "
            "offline copy of. Remove that plugin from the map or save with offline=False."
        )
        raise LanduseError(msg)
    return html


def save_map(
    m: folium.Map,
    path: str | os.PathLike[str],
    *,
    offline: bool = False,
    layer_control: bool = True,
) -> Path:
    """Save a map as one HTML file, atomically; saving again writes the same bytes.

    Parameters
    ----------
    m
        The map.
    path
        Target ``.html`` file (folders are created).
    offline
        Inline Leaflet (and jQuery where used) from the XStatic packages
        (``pip install "landuse[offline]"``) so the file shows its layers with no network at
        all (the basemap tiles still need one). Folium's Bootstrap and Font Awesome links are
        dropped (landuse layers do not use them); maps with ``folium.Icon`` markers or other
        plugins' files cannot be saved offline and raise.
    layer_control
        Make sure the map has one layer control, after its layers.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    LanduseError
        With ``offline=True``, if the map links files landuse cannot inline.
    ImportError
        With ``offline=True``, if the ``offline`` extra is not installed.

    Examples
    --------
    >>> import tempfile, landuse
    >>> from landuse.mapping import map_zones
    >>> m = map_zones(landuse.load_sample().zones, basemap=None)
    >>> out = Path(tempfile.mkdtemp())
    >>> first = save_map(m, out / "zones.html").read_bytes()
    >>> save_map(m, out / "zones.html").read_bytes() == first
    True
    >>> "<script src=" in save_map(m, out / "offline.html", offline=True).read_text("utf-8")
    False
    """
    if not isinstance(m, folium.Map):
        msg = f"save_map(): `m` must be a folium.Map; received {type(m).__name__}."
        raise TypeError(msg)
    if layer_control:
        ensure_layer_control_last(m)
    html = render_html(m)
    if offline:
        html = inline_assets(html)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
