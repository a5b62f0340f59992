"""Interactive maps (folium) of zones and their functional areas.

Maps are for sharing as HTML files. Colours are computed in Python and carried as
a feature property, only the fields shown are embedded, coordinates are rounded
to ~0.1 m (1e-6°), and every attribute value is HTML-escaped before it reaches the
page (folium's tooltips insert values as HTML).
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import folium
import geopandas as gpd
import pandas as pd
import shapely

from landuse._atomic import atomic_path
from landuse.errors import CRSError, SchemaError
from landuse.units import M2_PER_KM2, M2_PER_MU

__all__ = ["AREA_TYPE_COLORS", "map_zones", "save_map"]

Lang = Literal["zh", "en"]

#: Colours of the functional areas (产业发展区 / 商务服务区 / 居住生活区).
AREA_TYPE_COLORS: Mapping[str, str] = {
    "industrial": "#8c510a",
    "business": "#2166ac",
    "residential": "#1b7837",
}
_ZONE_COLOR = "#d6604d"
_LABELS: Mapping[str, Mapping[str, str]] = {
    "zone_id": {"zh": "编号", "en": "Zone id"},
    "name": {"zh": "名称", "en": "Name"},
    "district": {"zh": "区市", "en": "District"},
    "leading_industry": {"zh": "主导产业", "en": "Leading industry"},
    "area_km2": {"zh": "面积(平方公里)", "en": "Area (km²)"},
    "area_mu": {"zh": "面积(亩)", "en": "Area (mu)"},
    "area_type": {"zh": "功能区", "en": "Functional area"},
    "zones": {"zh": "产业集聚区", "en": "Industrial cluster zones"},
    "functional_areas": {"zh": "功能分区", "en": "Functional areas"},
    "industrial": {"zh": "产业发展区", "en": "Industrial development area"},
    "business": {"zh": "商务服务区", "en": "Business service area"},
    "residential": {"zh": "居住生活区", "en": "Residential area"},
}
_BASEMAPS = ("osm", None)


def _label(key: str, lang: Lang) -> str:
    return _LABELS.get(key, {}).get(lang, key)


def _display_features(
    gdf: gpd.GeoDataFrame, fields: Sequence[str], color: Sequence[str] | str
) -> dict[str, Any]:
    """GeoJSON in EPSG:4326 with only ``fields`` (escaped text) and a ``_color`` property."""
    shown = gdf.to_crs(4326)
    geoms = shapely.set_precision(shown.geometry.array, 1e-6)
    colors = [color] * len(shown) if isinstance(color, str) else list(color)
    props = pd.DataFrame(index=shown.index)
    for f in fields:
        values = shown[f]
        if pd.api.types.is_float_dtype(values):
            text = values.map(lambda v: "" if pd.isna(v) else f"{v:,.2f}")
        else:
            text = values.astype(object).where(values.notna(), "").astype(str)
        props[f] = text.map(html.escape)
    props["_color"] = colors
    features = [
        {"type": "Feature", "properties": p, "geometry": shapely.geometry.mapping(g)}
        for p, g in zip(props.to_dict("records"), geoms, strict=True)
        if g is not None and not g.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


def _style(feature: dict[str, Any]) -> dict[str, Any]:
    color = feature["properties"]["_color"]
    return {"color": color, "weight": 2, "fillColor": color, "fillOpacity": 0.25}


def map_zones(
    zones: gpd.GeoDataFrame,
    *,
    functional_areas: gpd.GeoDataFrame | None = None,
    m: folium.Map | None = None,
    basemap: Literal["osm"] | None = "osm",
    lang: Lang = "zh",
    name: str | None = None,
) -> folium.Map:
    """Map cluster-zone boundaries (and their functional areas) on a folium map.

    Parameters
    ----------
    zones
        Zones as returned by :func:`landuse.read_zones` (any CRS with a definition).
    functional_areas
        Optional functional areas, drawn as a second layer coloured by ``area_type``.
    m
        Draw onto this map instead of a new one (layers compose; add
        ``folium.LayerControl()`` or let :func:`save_map` add it).
    basemap
        ``"osm"`` (OpenStreetMap) or ``None`` for a blank map.
    lang
        Labels in Chinese (``"zh"``, default) or English (``"en"``).
    name
        Layer name; default ``产业集聚区`` / ``Industrial cluster zones``.

    Returns
    -------
    folium.Map
        The map, fitted to the zones.

    Raises
    ------
    CRSError
        If ``zones`` has no CRS.
    SchemaError
        If ``zones`` is empty or lacks ``zone_id``.

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> m = map_zones(s.zones, functional_areas=s.functional_areas, basemap=None)
    >>> type(m).__name__
    'Map'
    """
    if lang not in ("zh", "en"):
        msg = f"`lang` must be 'zh' or 'en'; received {lang!r}."
        raise ValueError(msg)
    if basemap not in _BASEMAPS:
        msg = f"`basemap` must be one of {_BASEMAPS}; received {basemap!r}."
        raise ValueError(msg)
    if zones.crs is None:
        msg = "`zones` has no CRS, so it cannot be placed on a web map; read it with landuse.read_zones."
        raise CRSError(msg)
    if zones.empty or "zone_id" not in zones.columns:
        msg = f"`zones` must be a non-empty layer with `zone_id`; received {len(zones)} rows, columns {list(zones.columns)}."
        raise SchemaError(msg)
    zones = zones.copy()
    area = zones.to_crs(zones.estimate_utm_crs()).area if zones.crs.is_geographic else zones.area
    zones["area_km2"] = area / M2_PER_KM2
    zones["area_mu"] = area / M2_PER_MU
    fields = [
        f
        for f in ("zone_id", "name", "district", "leading_industry", "area_km2", "area_mu")
        if f in zones.columns
    ]
    if m is None:
        bounds = zones.to_crs(4326).total_bounds
        m = folium.Map(
            location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
            zoom_start=9,
            tiles="OpenStreetMap" if basemap == "osm" else None,
            control_scale=True,
            prefer_canvas=True,
        )
        m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    if functional_areas is not None and not functional_areas.empty:
        fa = functional_areas.copy()
        fa["area_type_label"] = fa["area_type"].map(lambda t: _label(str(t), lang))
        colors = fa["area_type"].map(AREA_TYPE_COLORS).fillna("#999999")
        fa_fields = [f for f in ("zone_id", "area_type_label") if f in fa.columns]
        folium.GeoJson(
            _display_features(fa, fa_fields, colors.tolist()),
            name=_label("functional_areas", lang),
            style_function=_style,
            tooltip=folium.GeoJsonTooltip(
                fields=fa_fields, aliases=[_label("zone_id", lang), _label("area_type", lang)]
            ),
        ).add_to(m)
    folium.GeoJson(
        _display_features(zones, fields, _ZONE_COLOR),
        name=name or _label("zones", lang),
        style_function=lambda f: {**_style(f), "fillOpacity": 0.05, "weight": 3},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[_label(f, lang) for f in fields]),
    ).add_to(m)
    return m


def save_map(m: folium.Map, path: str | os.PathLike[str], *, layer_control: bool = True) -> Path:
    """Save a map as one HTML file, atomically.

    Parameters
    ----------
    m
        The map.
    path
        Target ``.html`` file.
    layer_control
        Add a layer control (once) so layers can be switched on and off.

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import tempfile, landuse
    >>> m = map_zones(landuse.load_sample().zones, basemap=None)
    >>> save_map(m, Path(tempfile.mkdtemp()) / "zones.html").stat().st_size > 1000
    True
    """
    path = Path(path)
    if layer_control and not any(isinstance(c, folium.LayerControl) for c in m._children.values()):
        folium.LayerControl(collapsed=False).add_to(m)
    with atomic_path(path) as tmp:
        m.save(str(tmp))
    return path
