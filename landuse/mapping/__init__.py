"""Interactive maps (folium/Leaflet) of zones, parcels, the project bank, compliance and scores.

Each ``map_*`` function adds ONE named layer (``map_zones`` also the functional areas) to a new
map or to ``m=``, so several compose on one map with a layer control; :func:`save_map` writes
the map as one HTML file, with ``offline=True`` carrying Leaflet inside it so it opens on an
intranet without internet.

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
``None`` for no basemap.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely

from landuse._checks import Lang
from landuse.errors import LanduseWarning, SchemaError, format_ids
from landuse.mapping._draw import (
    AREA_BASE,
    OUTLINE_BASE,
    bank_geometry,
    check_common,
    check_fields,
    check_layer,
    draw,
    draw_fill,
    fill_base,
    layer_name,
    policy_note,
    present_columns,
    zone_names,
)
from landuse.mapping._layer import (
    BASEMAPS,
    Basemap,
    display_geometries,
    map_state,
    new_map,
    set_legend,
)
from landuse.mapping._offline import save_map
from landuse.mapping._style import (
    CATEGORY_COLORS,
    SCHEMES,
    Scheme,
    categorical_styling,
    color_styling,
    single_styling,
)
from landuse.schema import ZONE_COLOR
from landuse.units import M2_PER_KM2, M2_PER_MU

__all__ = [
    "AREA_TYPE_COLORS",
    "BASEMAPS",
    "GRADE_COLORS",
    "SCHEMES",
    "VERDICT_COLORS",
    "map_assessment",
    "map_bank",
    "map_compliance",
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
    zones: gpd.GeoDataFrame,
    *,
    functional_areas: gpd.GeoDataFrame | None = None,
    m: folium.Map | None = None,
    basemap: Basemap | None = "osm",
    lang: Lang = "zh",
    name: str | None = None,
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
        required, ``name``, ``district``, ``leading_industry`` shown when present.
    functional_areas
        Optional functional areas (``zone_id``, ``area_type``), drawn as a second layer
        coloured by area type (产业发展区 / 商务服务区 / 居住生活区).
    m
        Draw onto this map instead of a new one; ``basemap`` is then ignored.
    basemap
        ``"osm"`` (default), ``"tianditu-vector"``, ``"tianditu-imagery"`` (need the
        environment variable ``TIANDITU_KEY``), ``"amap"``, ``"amap-satellite"`` (overlays
        shifted to GCJ-02 for display), or ``None`` for no basemap.
    lang
        Labels in Chinese (``"zh"``, default) or English (``"en"``).
    name
        Layer name; default ``产业集聚区`` / ``Industrial cluster zones``.
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
        ``area_type``.
    LanduseError
        If a Tianditu basemap is asked for without ``TIANDITU_KEY``.

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> m = map_zones(s.zones, functional_areas=s.functional_areas, basemap=None)
    >>> type(m).__name__
    'Map'
    """
    caller = "map_zones"
    check_common(caller, m=m, basemap=basemap, lang=lang)
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
    fields = present_columns(
        z, ["zone_id", "name", "district", "leading_industry", "area_km2", "area_mu"]
    )
    tooltip = present_columns(z, ["zone_id", "name"])
    zone_name = name or layer_name("zones", lang)
    if m is None:
        # a new map fitted to the zones, whichever layer goes first
        display = BASEMAPS[basemap].display if basemap is not None else "wgs84"
        geoms = display_geometries(z, display=display, simplify_m=None)
        m = new_map(shapely.total_bounds(geoms), basemap=basemap, lang=lang)
    if functional_areas is not None and not functional_areas.empty:
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
            basemap=basemap,
            lang=lang,
            name=layer_name("functional_areas", lang),
            role="outline",
            styling=styling,
            tooltip=present_columns(fa, ["area_type", "zone_id"]),
            popup=present_columns(fa, ["zone_id", "area_type", "area_mu"]),
            legend=True,
            simplify_m=simplify_m,
        )
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
        basemap=basemap,
        lang=lang,
        name=zone_name,
        role="outline",
        styling=styling,
        tooltip=tooltip,
        popup=fields,
        legend=True,
        simplify_m=simplify_m,
        id_column="zone_id",
    )
    map_state(m).has_zones = True
    return m


def map_parcels(
    parcels: gpd.GeoDataFrame,
    *,
    column: str | None = None,
    scheme: Scheme = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    cmap: str | Sequence[str] = "YlOrRd",
    categorical: bool | None = None,
    colors: Mapping[Any, str] | Sequence[str] | None = None,
    m: folium.Map | None = None,
    basemap: Basemap | None = "osm",
    lang: Lang = "zh",
    name: str | None = None,
    tooltip: Sequence[str] | None = None,
    popup: Sequence[str] | None = None,
    legend: bool = True,
    style: Mapping[str, Any] | None = None,
    simplify_m: float | None = 1.0,
    show: bool = True,
) -> folium.Map:
    """Map parcels, coloured by a column (classes for numbers, categories otherwise).

    Parameters
    ----------
    parcels
        Parcels (any declared CRS); ``parcel_id`` is shown when present.
    column
        Column to colour by; ``None`` draws every parcel alike. Numeric columns are classed
        with ``scheme`` / ``k`` (or ``bins``) and coloured along ``cmap``; text, boolean and
        known categorical columns (``grade``, ``land_use``, ``production_status``, ...) get one
        colour per category. Missing values are grey (无数据 / No data).
    scheme
        mapclassify scheme for numeric columns: ``"quantiles"`` (default),
        ``"equal_interval"``, ``"fisher_jenks"``, ``"headtail_breaks"``, ``"box_plot"``,
        ``"std_mean"``, ``"maximum_breaks"``, ``"percentiles"``.
    k
        Number of classes (fewer when there are fewer distinct values).
    bins
        Explicit upper class bounds instead of a scheme (the maximum is appended if larger).
    cmap
        Ramp name (``"YlOrRd"``, ``"YlGnBu"``, ``"Blues"``, ``"Greens"``, ``"RdYlGn"``,
        ``"viridis"``) or a list of ``#rrggbb`` colours.
    categorical
        Force categories (``True``) or classes (``False``); default: by dtype.
    colors
        Colours of categories: a mapping value → colour, or a list used in order.
    m, basemap, lang
        As in :func:`map_zones`.
    name
        Layer name; default 宗地 / Parcels.
    tooltip
        Columns shown on hover; default the id and ``column``.
    popup
        Columns shown in the click popup; default id, enterprise, land use, zone, land area
        and ``column`` (those present). Only the columns in ``tooltip`` and ``popup`` go into
        the file.
    legend
        Add a legend (shown while the layer is).
    style
        Leaflet path options overriding the defaults (``weight``, ``opacity``,
        ``fillOpacity``, ``color`` for the outline).
    simplify_m
        Display simplification in metres (Visvalingam–Whyatt on the whole coverage, so
        edges shared by neighbours stay shared): a vertex goes when the triangle it makes
        with its neighbours is smaller than ``simplify_m``² (1 m²: a 0.2 m bump on a 10 m
        edge). ``None`` for no simplification. Stored data are not changed.
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

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> m = map_zones(s.zones, basemap=None)
    >>> m = map_parcels(s.parcels, column="production_status", m=m)
    >>> m = map_parcels(s.parcels, column="tax_wan", scheme="quantiles", k=4, m=m, show=False)
    >>> [layer.layer_name for layer in m._children.values() if hasattr(layer, "n_features")]
    ['产业集聚区', '宗地', '宗地 (2)']
    """
    caller = "map_parcels"
    check_common(caller, m=m, basemap=basemap, lang=lang)
    check_layer(parcels, arg="parcels", caller=caller)
    check_fields(parcels, tooltip, arg="tooltip", caller=caller)
    check_fields(parcels, popup, arg="popup", caller=caller)
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
    )
    return draw_fill(
        parcels,
        kind="parcels",
        styling=styling,
        default_tooltip=["parcel_id", column],
        default_popup=["parcel_id", "enterprise", "land_use", "zone_id", "land_area_m2", column],
        id_column="parcel_id",
        m=m,
        basemap=basemap,
        lang=lang,
        name=name,
        tooltip=tooltip,
        popup=popup,
        legend=legend,
        simplify_m=simplify_m,
        show=show,
    )


def map_bank(
    bank: gpd.GeoDataFrame | pd.DataFrame,
    *,
    m: folium.Map | None = None,
    parcels: gpd.GeoDataFrame | None = None,
    column: str = "grade",
    basemap: Basemap | None = "osm",
    lang: Lang = "zh",
    name: str | None = None,
    tooltip: Sequence[str] | None = None,
    popup: Sequence[str] | None = None,
    legend: bool = True,
    simplify_m: float | None = 1.0,
    show: bool = True,
) -> folium.Map:
    """Map the redevelopment project bank: candidates outlined, filled by grade.

    Parameters
    ----------
    bank
        Candidates with ``candidate_id``, ``parcel_id`` and, when present, ``zone_id``,
        ``grade`` (A/B/C/D), ``route``, ``priority``, ``reason_text`` (why each was flagged,
        shown in the popup). A GeoDataFrame, or a DataFrame plus ``parcels``.
    m, basemap, lang
        As in :func:`map_zones`.
    parcels
        Parcels to take the geometry from (by ``parcel_id``) when ``bank`` has none.
    column
        Column to colour by (default ``grade``).
    name
        Layer name; default 低效用地再开发项目库 / Redevelopment project bank.
    tooltip, popup
        Columns shown on hover / on click (defaults: id, parcel, grade / all of the above).
    legend
        Add a legend (it names the policy profile when ``bank.attrs["policy"]`` is set).
    simplify_m, show
        As in :func:`map_parcels`.

    Returns
    -------
    folium.Map

    Raises
    ------
    SchemaError
        If ``candidate_id`` or ``parcel_id`` (or ``column``) is missing, or candidates name
        parcels not in ``parcels``.

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> bank = s.parcels.head(3)[["parcel_id", "geometry"]].assign(
    ...     candidate_id=["C1", "C2", "C3"], grade=["C", "D", "D"],
    ...     reason_text=["闲置", "容积率低", "亩均税收低"])
    >>> m = map_bank(bank, basemap=None)
    >>> m._landuse_state.names
    ['低效用地再开发项目库']
    """
    caller = "map_bank"
    check_common(caller, m=m, basemap=basemap, lang=lang)
    frame = bank_geometry(bank, parcels, caller)
    check_layer(frame, arg="bank", caller=caller, required=("candidate_id", "parcel_id"))
    check_fields(frame, tooltip, arg="tooltip", caller=caller)
    check_fields(frame, popup, arg="popup", caller=caller)
    styling = color_styling(
        frame,
        column,
        caller=caller,
        categorical=True,
        colors=None,
        scheme="quantiles",
        k=5,
        bins=None,
        cmap="YlOrRd",
        base=fill_base(None, weight=2.5, opacity=1, fillOpacity=0.6),
        title=layer_name("bank", lang),
        lang=lang,
        single_color="#d73027",
        stroke="#1a1a1a",
        note=policy_note(bank, lang),
    )
    # ``route`` is shown by its label (收购储备); ``route_label`` only when the codes are absent
    route = "route" if "route" in frame.columns else "route_label"
    return draw_fill(
        frame,
        kind="bank",
        styling=styling,
        default_tooltip=["candidate_id", "parcel_id", column],
        default_popup=[
            "candidate_id",
            "parcel_id",
            "enterprise",
            "zone_id",
            column,
            route,
            "priority",
            "priority_rank",
            "reason_text",
        ],
        id_column="candidate_id",
        m=m,
        basemap=basemap,
        lang=lang,
        name=name,
        tooltip=tooltip,
        popup=popup,
        legend=legend,
        simplify_m=simplify_m,
        show=show,
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
    zones: gpd.GeoDataFrame,
    functional_areas: gpd.GeoDataFrame | None = None,
    m: folium.Map | None = None,
    basemap: Basemap | None = "osm",
    lang: Lang = "zh",
    name: str | None = None,
    tooltip: Sequence[str] | None = None,
    popup: Sequence[str] | None = None,
    legend: bool = True,
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
        zone names shown in the popup.
    functional_areas
        Drawn with the zones when they are added here.
    m, basemap, lang
        As in :func:`map_zones`.
    name
        Layer name; default 新增工业用地合规 / New industrial land: compliance.
    tooltip, popup
        Columns shown on hover / on click.
    legend, simplify_m, show
        As in :func:`map_parcels`.

    Returns
    -------
    folium.Map

    Raises
    ------
    SchemaError
        If ``report`` lacks ``verdict`` or ``zones`` lacks ``zone_id``.

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> report = s.proposals.head(2)[["proposal_id", "geometry"]].assign(
    ...     verdict=["inside", "outside"], share_in_zone=[1.0, 0.0])
    >>> m = map_compliance(report, zones=s.zones, basemap=None)
    >>> m._landuse_state.names
    ['产业集聚区', '新增工业用地合规']
    """
    caller = "map_compliance"
    check_common(caller, m=m, basemap=basemap, lang=lang)
    check_layer(report, arg="report", caller=caller, required=("verdict",))
    check_layer(zones, arg="zones", caller=caller, required=("zone_id",))
    check_fields(report, tooltip, arg="tooltip", caller=caller)
    check_fields(report, popup, arg="popup", caller=caller)
    frame = report.copy()
    if "zone_id" in frame.columns and "zone_name" not in frame.columns:
        names = zone_names(zones)
        if len(names):
            frame["zone_name"] = frame["zone_id"].map(names)
    if m is None:
        display = BASEMAPS[basemap].display if basemap is not None else "wgs84"
        both = pd.concat([zones.geometry.to_crs(report.crs), report.geometry])
        geoms = display_geometries(
            gpd.GeoDataFrame(geometry=both), display=display, simplify_m=None
        )
        present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
        m = new_map(shapely.total_bounds(present), basemap=basemap, lang=lang)
    _context_zones(m, zones, functional_areas, lang=lang, simplify_m=simplify_m)
    styling = categorical_styling(
        frame["verdict"],
        column="verdict",
        base=fill_base(None, weight=2, opacity=1, fillOpacity=0.65),
        title=layer_name("compliance", lang),
        lang=lang,
        stroke="fill",
        note=policy_note(report, lang),
    )
    id_col = next((c for c in ("proposal_id", "parcel_id") if c in frame.columns), None)
    return draw_fill(
        frame,
        kind="compliance",
        styling=styling,
        default_tooltip=[id_col, "verdict"],
        default_popup=[
            id_col,
            "project",
            "verdict",
            "share_in_zone",
            "zone_id",
            "zone_name",
            "area_type",
            "distance_to_zone_m",
            "reason_text",
        ],
        id_column=id_col,
        m=m,
        basemap=basemap,
        lang=lang,
        name=name,
        tooltip=tooltip,
        popup=popup,
        legend=legend,
        simplify_m=simplify_m,
        show=show,
    )


def map_assessment(
    scores: pd.DataFrame,
    *,
    zones: gpd.GeoDataFrame,
    column: str = "total_score",
    scheme: Scheme = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    cmap: str | Sequence[str] = "RdYlGn",
    m: folium.Map | None = None,
    basemap: Basemap | None = "osm",
    lang: Lang = "zh",
    name: str | None = None,
    tooltip: Sequence[str] | None = None,
    popup: Sequence[str] | None = None,
    legend: bool = True,
    simplify_m: float | None = 1.0,
    show: bool = True,
) -> folium.Map:
    """Map the zone assessment: zones filled by their score (or tier).

    Parameters
    ----------
    scores
        One row per zone: ``zone_id`` and ``column``, usually also ``total_score``, ``rank``,
        ``tier``; joined to ``zones`` by ``zone_id``. Zones without a score are grey.
    zones
        Zone boundaries with ``zone_id`` (``name`` shown when present).
    column
        ``total_score`` (default; classed with ``scheme``/``k``/``bins`` along ``cmap``) or a
        categorical column such as ``tier``.
    scheme, k, bins, cmap
        As in :func:`map_parcels`.
    m, basemap, lang
        As in :func:`map_zones`.
    name
        Layer name; default 集聚区考核 / Zone assessment.
    tooltip, popup, legend, simplify_m, show
        As in :func:`map_parcels`.

    Returns
    -------
    folium.Map

    Raises
    ------
    SchemaError
        If ``scores`` lacks ``zone_id`` or ``column``, or has a zone twice.

    Warns
    -----
    LanduseWarning
        If scores name zones that are not in ``zones`` (they cannot be drawn).

    Examples
    --------
    >>> import landuse, numpy as np, pandas as pd
    >>> s = landuse.load_sample()
    >>> scores = pd.DataFrame({"zone_id": s.zones["zone_id"],
    ...                        "total_score": np.linspace(60, 95, len(s.zones))})
    >>> m = map_assessment(scores, zones=s.zones, basemap=None, k=3)
    >>> m._landuse_state.names
    ['集聚区考核']
    """
    caller = "map_assessment"
    check_common(caller, m=m, basemap=basemap, lang=lang)
    if not isinstance(scores, pd.DataFrame):
        msg = f"{caller}(): `scores` must be a DataFrame; received {type(scores).__name__}."
        raise TypeError(msg)
    missing = [c for c in ("zone_id", column) if c not in scores.columns]
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
    check_layer(zones, arg="zones", caller=caller, required=("zone_id",))
    unknown = ~scores["zone_id"].isin(zones["zone_id"])
    if unknown.any():
        warnings.warn(
            f"{caller}(): {int(unknown.sum())} scored zone(s) are not in `zones` and are not "
            f"drawn ({format_ids(scores.loc[unknown, 'zone_id'])}).",
            LanduseWarning,
            stacklevel=2,
        )
    table = pd.DataFrame(scores).drop(columns=["geometry"], errors="ignore")
    keep = [c for c in ("zone_id", "name") if c in zones.columns]
    frame = zones[[*keep, zones.geometry.name]].merge(
        table.drop(columns=[c for c in ("name",) if c in table.columns and "name" in keep]),
        on="zone_id",
        how="left",
    )
    check_fields(frame, tooltip, arg="tooltip", caller=caller)
    check_fields(frame, popup, arg="popup", caller=caller)
    styling = color_styling(
        frame,
        column,
        caller=caller,
        categorical=None,
        colors=None,
        scheme=scheme,
        k=k,
        bins=bins,
        cmap=cmap,
        base=fill_base(None, weight=1.5, opacity=0.9, fillOpacity=0.7),
        title=layer_name("assessment", lang),
        lang=lang,
        single_color="#fdae61",
        note=policy_note(scores, lang),
    )
    return draw_fill(
        frame,
        kind="assessment",
        styling=styling,
        default_tooltip=["name", "zone_id", column],
        default_popup=["zone_id", "name", "total_score", "rank", "tier", column],
        id_column="zone_id",
        m=m,
        basemap=basemap,
        lang=lang,
        name=name,
        tooltip=tooltip,
        popup=popup,
        legend=legend,
        simplify_m=simplify_m,
        show=show,
    )
