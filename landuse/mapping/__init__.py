"""Interactive maps (folium/Leaflet) of zones, parcels, the project bank, compliance and scores.

Each ``map_*`` function adds ONE named layer (``map_zones`` also the functional areas) to a new
map or to ``m=``, so several compose on one map with a layer control and one legend panel
(:func:`set_legend`); :func:`save_map` writes the map as one HTML file that carries Leaflet and
everything else it needs, so it opens on an intranet without internet (``offline=False`` links
the CDNs instead). Maps made here are :class:`OfflineMap` objects (``folium.Map``), shown offline
in notebooks too.

Why these maps open fast (geopandas ``explore()`` of 100,000 parcels: ~56 MB, ~62 s in a
browser, shared reference ANCHORS.md §1.4):

- colours are computed in Python (categories, or mapclassify classes for numbers) into a style
  index per feature that ONE JavaScript function reads (folium styles each feature through a
  ``switch`` with one ``case`` per feature);
- only the displayed fields are embedded, categorical ones once as a list plus codes;
- geometry is simplified for display with a tolerance that keeps shared edges (GEOS coverage
  simplification), snapped to 1e-6° (≈ 0.1 m) and sent as integer deltas;
- each layer is ONE canvas layer holding its features in typed arrays (not one Leaflet object
  per feature), painted with one fill and one stroke per style and batch of features; the
  feature under the pointer is found through a grid index built on first use; tooltips and
  popups are built when opened.

Every attribute value, column name, category, legend title and layer name reaches the page as
plain text: as JSON (never compiled as a Jinja2 template, so ``{{ … }}`` or ``{#`` in the data
is shown as written) and inserted with ``textContent`` (never as HTML), so a parcel or layer
named ``<img src=x onerror=alert(1)>`` shows as that text. A lone surrogate (a badly decoded
file) is kept as its JSON escape.

Basemaps: ``"osm"`` (default), ``"tianditu-vector"`` / ``"tianditu-imagery"`` (key from the
environment variable ``TIANDITU_KEY``), ``"amap"`` / ``"amap-satellite"`` (GCJ-02 tiles: the
overlays are shifted to GCJ-02 for display so they line up; the data are never changed),
``None`` for no basemap; or, as in ``explore()``, ``tiles=`` any xyzservices provider
(``"CartoDB positron"``, ``"OpenStreetMap.Mapnik"``) or an XYZ URL with ``attr=``.

The arguments mean what they mean in ``GeoDataFrame.explore()``: ``tooltip``/``popup`` take
``True`` (the default columns), ``False``, a column or a list; ``cmap`` a built-in ramp, any
matplotlib colormap name or a list of colours; ``scheme`` any mapclassify scheme in any
spelling (``"NaturalBreaks"``, ``"natural_breaks"``); ``style_kwds``, ``legend_kwds``,
``location``, ``zoom_start``, ``width``, ``height``; a GeoSeries wherever a GeoDataFrame goes.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse._checks import Lang
from landuse.errors import LanduseError, LanduseWarning, SchemaError, format_ids
from landuse.mapping._draw import (
    AREA_BASE,
    OUTLINE_BASE,
    Options,
    as_frame,
    bank_geometry,
    check_common,
    check_layer,
    draw,
    draw_fill,
    fill_base,
    layer_name,
    policy_note,
    present_columns,
    resolve_fields,
    zone_names,
)
from landuse.mapping._enterprises import map_enterprises
from landuse.mapping._layer import BASEMAPS, Basemap, display_geometries, map_state, set_legend
from landuse.mapping._offline import OfflineMap, save_map
from landuse.mapping._style import (
    CATEGORY_COLORS,
    SCHEMES,
    Scheme,
    bank_styling,
    categorical_styling,
    check_cmap,
    color_styling,
    scheme_name,
    single_styling,
    tier_colors,
    tier_order,
)
from landuse.policy import load_policy
from landuse.schema import TIER_BELOW_COLOR, ZONE_COLOR
from landuse.units import M2_PER_KM2, M2_PER_MU

__all__ = [
    "AREA_TYPE_COLORS",
    "BASEMAPS",
    "GRADE_COLORS",
    "SCHEMES",
    "VERDICT_COLORS",
    "OfflineMap",
    "map_assessment",
    "map_bank",
    "map_compliance",
    "map_enterprises",
    "map_parcels",
    "map_zones",
    "save_map",
    "set_legend",
]


#: Colours of the functional areas (产业发展区 / 商务服务区 / 居住生活区).
AREA_TYPE_COLORS: Mapping[str, str] = CATEGORY_COLORS["area_type"]
#: Colours of the 亩均 grades A–D.
GRADE_COLORS: Mapping[str, str] = CATEGORY_COLORS["grade"]
#: Colours of the compliance verdicts.
VERDICT_COLORS: Mapping[str, str] = CATEGORY_COLORS["verdict"]

# --- public API -------------------------------------------------------------------------------


def map_zones(
    zones: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    functional_areas: gpd.GeoDataFrame | None = None,
    m: folium.Map | None = None,
    basemap: Basemap | None = "osm",
    tiles: Any = "OpenStreetMap",
    attr: str | None = None,
    lang: Lang = "zh",
    name: str | None = None,
    tooltip: bool | str | Sequence[str] | None = True,
    popup: bool | str | Sequence[str] | None = True,
    style_kwds: Mapping[str, Any] | None = None,
    legend_kwds: Mapping[str, Any] | None = None,
    location: Sequence[float] | None = None,
    zoom_start: int | None = None,
    width: str | float = "100%",
    height: str | float = "100%",
    simplify_m: float | None = 1.0,
) -> folium.Map:
    """Map cluster-zone boundaries (and their functional areas).

    Zones and functional areas are outline layers: they stay above filled layers (parcels,
    bank, compliance) and, while one of those is shown, react to the pointer on their
    boundary only, so what lies inside stays clickable.

    Parameters
    ----------
    zones
        Zones as returned by :func:`landuse.read_zones` (any declared CRS); ``zone_id``
        required, ``name``, ``district``, ``leading_industry`` shown when present. A
        GeoSeries is taken with its index as ``zone_id``.
    functional_areas
        Optional functional areas (``zone_id``, ``area_type``), drawn as a second layer
        coloured by area type (产业发展区 / 商务服务区 / 居住生活区).
    m
        Draw onto this map instead of a new one; ``basemap``, ``tiles``, ``location``,
        ``zoom_start``, ``width`` and ``height`` are then ignored (as in ``explore()``).
    basemap
        ``"osm"`` (default), ``"tianditu-vector"``, ``"tianditu-imagery"`` (need the
        environment variable ``TIANDITU_KEY``), ``"amap"``, ``"amap-satellite"`` (overlays
        shifted to GCJ-02 for display), or ``None`` for no basemap.
    tiles, attr
        As in ``explore()``: any xyzservices provider or its name in any spelling
        (``"CartoDB positron"``, ``"OpenStreetMap.Mapnik"``; Gaode tiles shift the overlays
        to GCJ-02), an XYZ URL template such as ``"https://…/{z}/{x}/{y}.png"`` with its
        attribution ``attr`` (required then), or ``None`` for no tiles. Use either
        ``basemap`` or ``tiles``: giving both (other than their defaults) is an error.
    lang
        Labels in Chinese (``"zh"``, default) or English (``"en"``).
    name
        Layer name; default ``产业集聚区`` / ``Industrial cluster zones``.
    tooltip, popup
        Columns shown on hover / on click: ``True`` (default: id and name / all the zone
        columns above), ``False`` (none), a column name, or a list of column names.
    style_kwds
        Leaflet path options merged into the layer's style: ``color``, ``weight``,
        ``opacity``, ``fillColor``, ``fillOpacity``, ``dashArray``, ``fill``, ``stroke``,
        ``radius``; the legend swatches follow.
    legend_kwds
        ``position``, ``title``, ``collapsed`` of the map's legend panel
        (:func:`set_legend`).
    location, zoom_start
        The view of a new map, as ``folium.Map`` takes them: ``location`` ``[lat, lon]``
        (WGS 84) with ``zoom_start`` (default 10), or ``zoom_start`` alone around the
        data's centre; by default the map is fitted to the data.
    width, height
        Size of the map element: pixels (``600`` or ``"600px"``) or ``"100%"`` (default).
    simplify_m
        Display simplification in metres (Visvalingam–Whyatt on the whole coverage, so
        edges shared by neighbours stay shared): a vertex goes when the triangle it makes
        with its neighbours is smaller than ``simplify_m``² (1 m²: a 0.2 m bump on a 10 m
        edge). ``None`` for no simplification. Stored data are not changed.

    Returns
    -------
    folium.Map
        The map (fitted to the zones when new).

    Raises
    ------
    CRSError
        If ``zones`` has no CRS.
    SchemaError
        If ``zones`` is empty or lacks ``zone_id``, or ``functional_areas`` lacks
        ``area_type``, or ``tooltip``/``popup`` name missing columns.
    TypeError, ValueError
        If an argument has a wrong type or value (the message names what was received and
        what is accepted).
    LanduseError
        If a Tianditu basemap is asked for without ``TIANDITU_KEY``.

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> m = map_zones(s.zones, functional_areas=s.functional_areas, basemap=None)
    >>> isinstance(m, folium.Map)
    True
    >>> m = map_zones(s.zones.geometry, tiles=None, location=[36.3, 120.4], zoom_start=9)
    """
    caller = "map_zones"
    options = check_common(
        caller, m=m, basemap=basemap, lang=lang, tiles=tiles, attr=attr, location=location,
        zoom_start=zoom_start, width=width, height=height, style_kwds=style_kwds,
        legend_kwds=legend_kwds,
    )  # fmt: skip
    zones = as_frame(zones, arg="zones", caller=caller, index_as="zone_id")
    check_layer(zones, arg="zones", caller=caller, required=("zone_id",))
    if zones.empty:
        msg = f"{caller}(): `zones` is empty; there is nothing to map."
        raise SchemaError(msg)
    if functional_areas is not None:
        check_layer(
            functional_areas, arg="functional_areas", caller=caller, required=("area_type",)
        )
    z = zones.copy()
    area = z.to_crs(z.estimate_utm_crs()).area if z.crs.is_geographic else z.area
    z["area_km2"] = area / M2_PER_KM2
    z["area_mu"] = area / M2_PER_MU
    fields = ["zone_id", "name", "district", "leading_industry", "area_km2", "area_mu"]
    shown_tooltip = resolve_fields(z, tooltip, ["zone_id", "name"], arg="tooltip", caller=caller)
    shown_popup = resolve_fields(z, popup, fields, arg="popup", caller=caller)
    zone_name = name or layer_name("zones", lang)
    if m is None:
        # a new map fitted to the zones, whichever layer goes first
        geoms = display_geometries(z, display=options.display, simplify_m=None)
        m = options.new_map(shapely.total_bounds(geoms), lang)
    if functional_areas is not None and not functional_areas.empty:
        _functional_areas(functional_areas, m=m, lang=lang, simplify_m=simplify_m)
    styling = single_styling(
        len(z),
        color=ZONE_COLOR,
        base=OUTLINE_BASE,
        label="集聚区边界" if lang == "zh" else "Zone boundary",
        title=zone_name,
    )
    draw(
        z,
        m=m,
        options=options,
        lang=lang,
        name=zone_name,
        role="outline",
        styling=styling,
        tooltip=shown_tooltip,
        popup=shown_popup,
        legend=True,
        simplify_m=simplify_m,
        id_column="zone_id",
    )
    map_state(m).has_zones = True
    return m


def _functional_areas(
    functional_areas: gpd.GeoDataFrame, *, m: folium.Map, lang: Lang, simplify_m: float | None
) -> None:
    fa = functional_areas.copy()
    area = fa.to_crs(fa.estimate_utm_crs()).area if fa.crs.is_geographic else fa.area
    fa["area_mu"] = area / M2_PER_MU
    styling = categorical_styling(
        fa["area_type"],
        column="area_type",
        base=AREA_BASE,
        title=layer_name("functional_areas", lang),
        lang=lang,
        stroke="fill",
    )
    draw(
        fa,
        m=m,
        options=Options(),
        lang=lang,
        name=layer_name("functional_areas", lang),
        role="outline",
        styling=styling,
        tooltip=present_columns(fa, ["area_type", "zone_id"]),
        popup=present_columns(fa, ["zone_id", "area_type", "area_mu"]),
        legend=True,
        simplify_m=simplify_m,
    )


def map_parcels(
    parcels: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    column: str | None = None,
    scheme: Scheme | str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    cmap: Any = None,
    categorical: bool | None = None,
    colors: Mapping[Any, str] | Sequence[str] | None = None,
    m: folium.Map | None = None,
    basemap: Basemap | None = "osm",
    tiles: Any = "OpenStreetMap",
    attr: str | None = None,
    lang: Lang = "zh",
    name: str | None = None,
    tooltip: bool | str | Sequence[str] | None = True,
    popup: bool | str | Sequence[str] | None = True,
    legend: bool = True,
    style_kwds: Mapping[str, Any] | None = None,
    legend_kwds: Mapping[str, Any] | None = None,
    location: Sequence[float] | None = None,
    zoom_start: int | None = None,
    width: str | float = "100%",
    height: str | float = "100%",
    style: Mapping[str, Any] | None = None,
    simplify_m: float | None = 1.0,
    show: bool = True,
) -> folium.Map:
    """Map parcels, coloured by a column (classes for numbers, categories otherwise).

    Parameters
    ----------
    parcels
        Parcels (any declared CRS), a GeoDataFrame or GeoSeries; ``parcel_id`` is shown
        when present.
    column
        Column to colour by; ``None`` draws every parcel alike. Numeric columns are classed
        with ``scheme`` / ``k`` (or ``bins``) and coloured along ``cmap``; text, boolean and
        known categorical columns (``grade``, ``land_use``, ``production_status``, ...) get one
        colour per category. Missing values are grey (无数据 / No data).
    scheme
        mapclassify scheme for numeric columns, in any spelling mapclassify or ``explore()``
        use (``"quantiles"`` default, ``"NaturalBreaks"`` = ``"natural_breaks"``,
        ``"FisherJenks"``, ``"EqualInterval"``, ``"HeadTailBreaks"``, ``"BoxPlot"``,
        ``"StdMean"``, ``"MaximumBreaks"``, ``"Percentiles"``, ``"JenksCaspall"``,
        ``"MaxP"``, ``"UserDefined"`` with ``bins``…; see :data:`SCHEMES`). Schemes that
        draw random numbers run with a fixed seed, so a map is the same every time.
    k
        Number of classes (fewer when there are fewer distinct values).
    bins
        Explicit upper class bounds instead of a scheme (the maximum is appended if larger).
    cmap
        Colours: a built-in ramp (``"YlOrRd"``, the default for numbers, ``"YlGnBu"``,
        ``"Blues"``, ``"Greens"``, ``"RdYlGn"``, ``"viridis"``; ``"_r"`` reverses), any
        matplotlib colormap name (``"Spectral"``, ``"viridis_r"``, ``"tab10"``; needs
        matplotlib, ``pip install "landuse[plot]"``), a matplotlib Colormap, or a list of
        colours. For categories it replaces the catalogue colours, in order.
    categorical
        Force categories (``True``) or classes (``False``); default: by dtype.
    colors
        Colours of categories: a mapping value → colour, or a list used in order.
    m, basemap, tiles, attr, lang
        As in :func:`map_zones`.
    name
        Layer name; default 宗地 / Parcels.
    tooltip, popup
        Columns shown on hover / on click: ``True`` (default; tooltip: the id and
        ``column``; popup: id, enterprise, land use, zone, land area and ``column``, those
        present), ``False`` (none), a column name or a list. Only the columns shown go into
        the file.
    legend
        Add a legend (shown while the layer is).
    style_kwds, legend_kwds, location, zoom_start, width, height
        As in :func:`map_zones`.
    style
        Leaflet path options applied before the classes are coloured (the older form of
        ``style_kwds``).
    simplify_m
        As in :func:`map_zones`.
    show
        Whether the layer is visible when the map opens.

    Returns
    -------
    folium.Map

    Raises
    ------
    SchemaError
        If ``column``, ``tooltip`` or ``popup`` name missing columns, or a numeric ``column``
        holds text.
    TypeError, ValueError
        If an argument has a wrong type or value (named with what was received and what is
        accepted).
    ImportError
        If ``cmap`` names a matplotlib colormap and matplotlib is not installed.

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> m = map_zones(s.zones, basemap=None)
    >>> m = map_parcels(s.parcels, column="production_status", m=m)
    >>> m = map_parcels(s.parcels, column="tax_wan", scheme="NaturalBreaks", k=4, m=m,
    ...                 tooltip="enterprise", popup=False, show=False)
    >>> [layer.layer_name for layer in m._children.values() if hasattr(layer, "n_features")]
    ['产业集聚区', '宗地', '宗地 (2)']
    """
    caller = "map_parcels"
    options = check_common(
        caller, m=m, basemap=basemap, lang=lang, tiles=tiles, attr=attr, location=location,
        zoom_start=zoom_start, width=width, height=height, style_kwds=style_kwds,
        legend_kwds=legend_kwds,
    )  # fmt: skip
    parcels = as_frame(parcels, arg="parcels", caller=caller)
    check_layer(parcels, arg="parcels", caller=caller)
    _check_classes(caller, scheme, cmap)
    styling = color_styling(
        parcels,
        column,
        caller=caller,
        categorical=categorical,
        colors=colors,
        scheme=scheme,
        k=k,
        bins=bins,
        cmap=cmap,
        base=fill_base(style),
        title=layer_name("parcels", lang),
        lang=lang,
        single_color="#fdae61",
        stroke=(style or {}).get("color"),
        single_label="全部宗地" if lang == "zh" else "All parcels",
        cmap_categories=True,
    )
    return draw_fill(
        parcels,
        kind="parcels",
        styling=styling,
        default_tooltip=["parcel_id", column],
        default_popup=["parcel_id", "enterprise", "land_use", "zone_id", "land_area_m2", column],
        id_column="parcel_id",
        m=m,
        options=options,
        lang=lang,
        name=name,
        tooltip=tooltip,
        popup=popup,
        legend=legend,
        simplify_m=simplify_m,
        show=show,
        caller=caller,
    )


def _check_classes(caller: str, scheme: object, cmap: object) -> None:
    """Check ``scheme`` and ``cmap`` before any work (errors name what was received)."""
    scheme_name(scheme, caller=caller)
    check_cmap(cmap, caller=caller)


def map_bank(
    bank: gpd.GeoDataFrame | pd.DataFrame,
    *,
    m: folium.Map | None = None,
    parcels: gpd.GeoDataFrame | None = None,
    column: str | None = None,
    scheme: Scheme | str = "quantiles",
    k: int = 5,
    cmap: Any = None,
    basemap: Basemap | None = "osm",
    tiles: Any = "OpenStreetMap",
    attr: str | None = None,
    lang: Lang = "zh",
    name: str | None = None,
    tooltip: bool | str | Sequence[str] | None = True,
    popup: bool | str | Sequence[str] | None = True,
    legend: bool = True,
    style_kwds: Mapping[str, Any] | None = None,
    legend_kwds: Mapping[str, Any] | None = None,
    location: Sequence[float] | None = None,
    zoom_start: int | None = None,
    width: str | float = "100%",
    height: str | float = "100%",
    simplify_m: float | None = 1.0,
    show: bool = True,
) -> folium.Map:
    """Map the redevelopment project bank: candidates by route, outlined by priority.

    By default each candidate is filled in the colour of its redevelopment route (再开发路径:
    收购储备 / 腾退 / 工业上楼 / 自主提升, the catalogue's colours) and outlined with a dashed
    near-black line whose width grows with its priority (three quantile classes of
    ``priority``: 1.5, 3.25 and 5 px), so candidates stand out from plain parcels (thin solid
    grey outlines) on a shared map. The popup holds the potential gains (land freed, extra
    floor area, tax gain) and the reasons.

    Parameters
    ----------
    bank
        Candidates with ``candidate_id``, ``parcel_id`` and, when present, ``zone_id``,
        ``route``, ``priority``, ``grade`` (A/B/C/D), ``land_freed_mu``,
        ``potential_extra_floor_area_m2``, ``tax_gain_wan``, ``reason_text`` (as
        :func:`landuse.build_project_bank` returns them). A GeoDataFrame, or a DataFrame
        plus ``parcels``.
    m, basemap, tiles, attr, lang
        As in :func:`map_zones`.
    parcels
        Parcels to take the geometry from (by ``parcel_id``) when ``bank`` has none.
    column
        Column to colour by; default ``route`` (else ``grade``, else one colour).
    scheme, k, cmap
        As in :func:`map_parcels` (``scheme``/``k`` for a numeric ``column``).
    name
        Layer name; default 低效用地再开发项目库 / Redevelopment project bank.
    tooltip, popup
        As in :func:`map_parcels`; defaults: id, enterprise, route, priority / all the
        columns above that are present.
    legend
        Add a legend: the routes, then the priority classes (it names the policy profile
        when ``bank.attrs["policy"]`` is set).
    style_kwds, legend_kwds, location, zoom_start, width, height, simplify_m, show
        As in :func:`map_parcels`; ``style_kwds`` overrides the outline too (e.g.
        ``{"weight": 2}`` gives every candidate the same width).

    Returns
    -------
    folium.Map

    Raises
    ------
    SchemaError
        If ``candidate_id`` or ``parcel_id`` (or ``column``) is missing, or candidates name
        parcels not in ``parcels``.
    TypeError, ValueError
        If an argument has a wrong type or value.

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> bank = s.parcels.head(3)[["parcel_id", "geometry"]].assign(
    ...     candidate_id=["C1", "C2", "C3"], route=["acquisition", "relocation", "multistorey"],
    ...     priority=[80.0, 55.0, 30.0], land_freed_mu=[12.0, 0.0, 3.5],
    ...     reason_text=["闲置", "容积率低", "亩均税收低"])
    >>> m = map_bank(bank, basemap=None)
    >>> m._landuse_state.names
    ['低效用地再开发项目库']
    """
    caller = "map_bank"
    options = check_common(
        caller, m=m, basemap=basemap, lang=lang, tiles=tiles, attr=attr, location=location,
        zoom_start=zoom_start, width=width, height=height, style_kwds=style_kwds,
        legend_kwds=legend_kwds,
    )  # fmt: skip
    _check_classes(caller, scheme, cmap)
    frame = bank_geometry(as_frame(bank, arg="bank", caller=caller), parcels, caller)
    check_layer(frame, arg="bank", caller=caller, required=("candidate_id", "parcel_id"))
    if column is None:
        column = next((c for c in ("route", "grade") if c in frame.columns), None)
    fills = color_styling(
        frame,
        column,
        caller=caller,
        categorical=None,
        colors=None,
        scheme=scheme,
        k=k,
        bins=None,
        cmap=cmap,
        base=fill_base(None, opacity=1, fillOpacity=0.85),
        title=layer_name("bank", lang),
        lang=lang,
        single_color="#d73027",
        note=policy_note(bank, lang),
        cmap_categories=True,
    )
    styling = bank_styling(frame, fills, lang=lang)
    # ``route`` is shown by its label (收购储备); ``route_label`` only when the codes are absent
    route = "route" if "route" in frame.columns else "route_label"
    return draw_fill(
        frame,
        kind="bank",
        styling=styling,
        default_tooltip=["candidate_id", "enterprise", route, "priority", column],
        default_popup=[
            "candidate_id",
            "parcel_id",
            "enterprise",
            "zone_id",
            route,
            "priority",
            "priority_rank",
            "land_freed_mu",
            "potential_extra_floor_area_m2",
            "tax_gain_wan",
            "grade",
            column,
            "reason_text",
        ],
        id_column="candidate_id",
        m=m,
        options=options,
        lang=lang,
        name=name,
        tooltip=tooltip,
        popup=popup,
        legend=legend,
        simplify_m=simplify_m,
        show=show,
        caller=caller,
    )


def _context_zones(
    m: folium.Map,
    zones: gpd.GeoDataFrame,
    functional_areas: gpd.GeoDataFrame | None,
    *,
    lang: Lang,
    simplify_m: float | None,
) -> None:
    if not map_state(m).has_zones:
        map_zones(zones, functional_areas=functional_areas, m=m, lang=lang, simplify_m=simplify_m)


def map_compliance(
    report: gpd.GeoDataFrame,
    *,
    zones: gpd.GeoDataFrame | gpd.GeoSeries,
    functional_areas: gpd.GeoDataFrame | None = None,
    m: folium.Map | None = None,
    cmap: Any = None,
    basemap: Basemap | None = "osm",
    tiles: Any = "OpenStreetMap",
    attr: str | None = None,
    lang: Lang = "zh",
    name: str | None = None,
    tooltip: bool | str | Sequence[str] | None = True,
    popup: bool | str | Sequence[str] | None = True,
    legend: bool = True,
    style_kwds: Mapping[str, Any] | None = None,
    legend_kwds: Mapping[str, Any] | None = None,
    location: Sequence[float] | None = None,
    zoom_start: int | None = None,
    width: str | float = "100%",
    height: str | float = "100%",
    simplify_m: float | None = 1.0,
    show: bool = True,
) -> folium.Map:
    """Map new industrial land coloured by its compliance verdict, over the zones.

    Parameters
    ----------
    report
        The compliance report (one row per proposal, its geometry) with ``verdict`` ∈
        {``inside``, ``inside_within_tolerance``, ``straddles_boundary``, ``outside``,
        ``wrong_functional_area``, ``not_industrial_use``} and, when present,
        ``share_in_zone`` (0–1), ``zone_id``, ``reason_text``.
    zones
        The zones: drawn as outlines unless the map already has them, and the source of the
        zone names shown in the popup (a GeoSeries: its index as ``zone_id``).
    functional_areas
        Drawn with the zones when they are added here.
    m, basemap, tiles, attr, lang
        As in :func:`map_zones`.
    cmap
        Colours of the verdicts in order, replacing the catalogue's (as in
        :func:`map_parcels`).
    name
        Layer name; default 新增工业用地合规 / New industrial land: compliance.
    tooltip, popup
        As in :func:`map_parcels`.
    legend, style_kwds, legend_kwds, location, zoom_start, width, height, simplify_m, show
        As in :func:`map_parcels`.

    Returns
    -------
    folium.Map

    Raises
    ------
    SchemaError
        If ``report`` lacks ``verdict`` or ``zones`` lacks ``zone_id``.
    TypeError, ValueError
        If an argument has a wrong type or value.

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> report = s.proposals.head(2)[["proposal_id", "geometry"]].assign(
    ...     verdict=["inside", "outside"], share_in_zone=[1.0, 0.0])
    >>> m = map_compliance(report, zones=s.zones, basemap=None, popup="verdict")
    >>> m._landuse_state.names
    ['产业集聚区', '新增工业用地合规']
    """
    caller = "map_compliance"
    options = check_common(
        caller, m=m, basemap=basemap, lang=lang, tiles=tiles, attr=attr, location=location,
        zoom_start=zoom_start, width=width, height=height, style_kwds=style_kwds,
        legend_kwds=legend_kwds,
    )  # fmt: skip
    check_cmap(cmap, caller=caller)
    report = as_frame(report, arg="report", caller=caller)
    zones = as_frame(zones, arg="zones", caller=caller, index_as="zone_id")
    check_layer(report, arg="report", caller=caller, required=("verdict",))
    check_layer(zones, arg="zones", caller=caller, required=("zone_id",))
    frame = report.copy()
    if "zone_id" in frame.columns and "zone_name" not in frame.columns:
        names = zone_names(zones)
        if len(names):
            frame["zone_name"] = frame["zone_id"].map(names)
    id_col = next((c for c in ("proposal_id", "parcel_id") if c in frame.columns), None)
    default_tooltip = [id_col, "verdict"]
    default_popup = [
        id_col,
        "project",
        "verdict",
        "share_in_zone",
        "zone_id",
        "zone_name",
        "area_type",
        "distance_to_zone_m",
        "reason_text",
    ]
    resolve_fields(frame, tooltip, default_tooltip, arg="tooltip", caller=caller)
    resolve_fields(frame, popup, default_popup, arg="popup", caller=caller)
    if m is None:
        both = pd.concat([zones.geometry.to_crs(report.crs), report.geometry])
        geoms = display_geometries(
            gpd.GeoDataFrame(geometry=both), display=options.display, simplify_m=None
        )
        present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
        m = options.new_map(shapely.total_bounds(present), lang)
    _context_zones(m, zones, functional_areas, lang=lang, simplify_m=simplify_m)
    styling = color_styling(
        frame,
        "verdict",
        caller=caller,
        categorical=True,
        colors=None,
        scheme="quantiles",
        k=5,
        bins=None,
        cmap=cmap,
        base=fill_base(None, weight=2, opacity=1, fillOpacity=0.65),
        title=layer_name("compliance", lang),
        lang=lang,
        single_color="#d73027",
        stroke="fill",
        note=policy_note(report, lang),
        cmap_categories=True,
    )
    styling.legend["title"] = layer_name("compliance", lang)  # type: ignore[index]
    return draw_fill(
        frame,
        kind="compliance",
        styling=styling,
        default_tooltip=default_tooltip,
        default_popup=default_popup,
        id_column=id_col,
        m=m,
        options=options,
        lang=lang,
        name=name,
        tooltip=tooltip,
        popup=popup,
        legend=legend,
        simplify_m=simplify_m,
        show=show,
        caller=caller,
    )


def map_assessment(
    scores: pd.DataFrame,
    *,
    zones: gpd.GeoDataFrame | gpd.GeoSeries,
    column: str | None = None,
    scheme: Scheme | str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    cmap: Any = None,
    labels: bool | str = True,
    m: folium.Map | None = None,
    basemap: Basemap | None = "osm",
    tiles: Any = "OpenStreetMap",
    attr: str | None = None,
    lang: Lang = "zh",
    name: str | None = None,
    tooltip: bool | str | Sequence[str] | None = True,
    popup: bool | str | Sequence[str] | None = True,
    legend: bool = True,
    style_kwds: Mapping[str, Any] | None = None,
    legend_kwds: Mapping[str, Any] | None = None,
    location: Sequence[float] | None = None,
    zoom_start: int | None = None,
    width: str | float = "100%",
    height: str | float = "100%",
    simplify_m: float | None = 1.0,
    show: bool = True,
) -> folium.Map:
    """Map the zone assessment: zones in their tier colours, each labelled with its rank.

    Every ranked zone carries a permanent label with its rank (1, 2, 3…) at its
    representative point: a round badge in the zone's colour, drawn at the same size at
    every zoom, so zones that are specks at city scale stay visible and readable.

    Parameters
    ----------
    scores
        One row per zone: ``zone_id`` and ``column``, usually also ``total_score``, ``rank``,
        ``tier`` (as :func:`landuse.assess_zones` returns them); joined to ``zones`` by
        ``zone_id``. Zones without a score are grey.
    zones
        Zone boundaries with ``zone_id`` (``name`` shown when present); a GeoSeries: its
        index as ``zone_id``.
    column
        Colour by: default ``tier`` (the policy's tiers 百亿级 … 千亿级 lowest to highest
        along :data:`landuse.schema.TIER_COLORS`, taken in the order of the policy named in
        ``scores.attrs["policy"]``, else by ``revenue_yi``; zones with a revenue below the
        lowest tier are 未入级) when ``scores`` has tiers, else ``total_score`` (classed with
        ``scheme``/``k``/``bins`` along ``cmap``, default ``"RdYlGn"``).
    scheme, k, bins, cmap
        As in :func:`map_parcels`.
    labels
        Permanent labels: ``True`` (default) the ``rank`` column when present, a column
        name, or ``False`` for none.
    m, basemap, tiles, attr, lang
        As in :func:`map_zones`.
    name
        Layer name; default 集聚区考核 / Zone assessment.
    tooltip, popup, legend, style_kwds, legend_kwds, location, zoom_start, width, height
        As in :func:`map_parcels`.
    simplify_m, show
        As in :func:`map_parcels`.

    Returns
    -------
    folium.Map

    Raises
    ------
    SchemaError
        If ``scores`` lacks ``zone_id`` or ``column`` (or the ``labels`` column), or has a
        zone twice.
    TypeError, ValueError
        If an argument has a wrong type or value.

    Warns
    -----
    LanduseWarning
        If scores name zones that are not in ``zones`` (they cannot be drawn).

    Examples
    --------
    >>> import landuse, numpy as np, pandas as pd
    >>> s = landuse.load_sample()
    >>> scores = pd.DataFrame({"zone_id": s.zones["zone_id"],
    ...                        "total_score": np.linspace(95, 60, len(s.zones)),
    ...                        "rank": np.arange(1, len(s.zones) + 1)})
    >>> m = map_assessment(scores, zones=s.zones, basemap=None, k=3)
    >>> m._landuse_state.names
    ['集聚区考核']
    """
    caller = "map_assessment"
    options = check_common(
        caller, m=m, basemap=basemap, lang=lang, tiles=tiles, attr=attr, location=location,
        zoom_start=zoom_start, width=width, height=height, style_kwds=style_kwds,
        legend_kwds=legend_kwds,
    )  # fmt: skip
    _check_classes(caller, scheme, cmap)
    if not isinstance(scores, pd.DataFrame):
        msg = f"{caller}(): `scores` must be a DataFrame; received {type(scores).__name__}."
        raise TypeError(msg)
    if column is None:
        has_tiers = "tier" in scores.columns and scores["tier"].notna().any()
        column = "tier" if has_tiers else "total_score"
    label_column = _label_column(caller, labels, scores)
    _check_scores(caller, scores, [column, label_column])
    zones = as_frame(zones, arg="zones", caller=caller, index_as="zone_id")
    check_layer(zones, arg="zones", caller=caller, required=("zone_id",))
    frame = _join_scores(caller, scores, zones)
    colors = None
    if column == "tier" and cmap is None:
        frame, colors = _tiers(frame, scores, lang)
    styling = color_styling(
        frame,
        column,
        caller=caller,
        categorical=True if column == "tier" else None,
        colors=colors,
        scheme=scheme,
        k=k,
        bins=bins,
        cmap="RdYlGn" if cmap is None and column != "tier" else cmap,
        base=fill_base(None, weight=1.5, opacity=0.9, fillOpacity=0.7),
        title=layer_name("assessment", lang),
        lang=lang,
        single_color="#fdae61",
        note=policy_note(scores, lang),
        cmap_categories=True,
    )
    texts = None
    if label_column:
        texts = [_label_text(v) for v in frame[label_column].tolist()]
    return draw_fill(
        frame,
        kind="assessment",
        styling=styling,
        default_tooltip=["rank", "name", "zone_id", column],
        default_popup=["zone_id", "name", "rank", "total_score", "tier", column],
        id_column="zone_id",
        m=m,
        options=options,
        lang=lang,
        name=name,
        tooltip=tooltip,
        popup=popup,
        legend=legend,
        simplify_m=simplify_m,
        show=show,
        caller=caller,
        labels=texts,
    )


def _join_scores(caller: str, scores: pd.DataFrame, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Join the scores to the zones (all zones kept); warn about scores of unknown zones."""
    unknown = ~scores["zone_id"].isin(zones["zone_id"])
    if unknown.any():
        warnings.warn(
            f"{caller}(): {int(unknown.sum())} scored zone(s) are not in `zones` and are not "
            f"drawn ({format_ids(scores.loc[unknown, 'zone_id'])}).",
            LanduseWarning,
            stacklevel=3,
        )
    table = pd.DataFrame(scores).drop(columns=["geometry"], errors="ignore")
    keep = [c for c in ("zone_id", "name") if c in zones.columns]
    return zones[[*keep, zones.geometry.name]].merge(
        table.drop(columns=[c for c in ("name",) if c in table.columns and "name" in keep]),
        on="zone_id",
        how="left",
    )


def _check_scores(caller: str, scores: pd.DataFrame, columns: Sequence[str | None]) -> None:
    missing = [c for c in ("zone_id", *columns) if c and c not in scores.columns]
    if missing:
        msg = (
            f"{caller}(): `scores` lacks column(s) {', '.join(f'`{c}`' for c in missing)}; it "
            f"has {format_ids(map(str, scores.columns), limit=12)}."
        )
        raise SchemaError(msg)
    dup = scores["zone_id"][scores["zone_id"].duplicated()]
    if len(dup):
        msg = (
            f"{caller}(): `scores` has {len(dup)} repeated zone(s) ({format_ids(dup.unique())}); "
            "pass one row per zone (e.g. one year: scores[scores.year == 2021])."
        )
        raise SchemaError(msg)


def _label_column(caller: str, labels: object, scores: pd.DataFrame) -> str | None:
    if isinstance(labels, (bool, np.bool_)):
        return "rank" if labels and "rank" in scores.columns else None
    if isinstance(labels, str):
        return labels
    msg = (
        f"{caller}(): `labels` must be True (the rank), False or a column name; received "
        f"{type(labels).__name__} {labels!r}."
    )
    raise TypeError(msg)


def _label_text(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _tiers(
    frame: gpd.GeoDataFrame, scores: pd.DataFrame, lang: Lang
) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Tier colours in the policy's order; zones with a revenue below every tier named so."""
    levels = None
    policy = scores.attrs.get("policy")
    if isinstance(policy, str) and policy:
        try:
            levels = [t.name for t in sorted(load_policy(policy).tiers.levels,
                                             key=lambda t: t.revenue_yi_min)]  # fmt: skip
        except (LanduseError, OSError, ValueError, AttributeError):
            levels = None
    colors = tier_colors(tier_order(frame, levels))
    if "revenue_yi" in frame.columns:
        below = frame["tier"].isna() & pd.to_numeric(frame["revenue_yi"], errors="coerce").notna()
        if below.any():
            label = "未入级" if lang == "zh" else "Below the tiers"
            frame = frame.copy()
            frame["tier"] = frame["tier"].astype(object).where(~below, label)
            colors = {label: TIER_BELOW_COLOR, **colors}
    return frame, colors
