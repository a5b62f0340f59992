"""Shared steps of the ``map_*`` functions: argument checks, default styles, drawing a layer.

:func:`draw` prepares a frame's display geometry (simplified, WGS 84 or GCJ-02, oriented) and
its displayed fields, creates the map when none is given, and adds the layer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse._checks import Lang, check_lang
from landuse.errors import CRSError, SchemaError, format_ids
from landuse.mapping._layer import (
    BASEMAPS,
    add_layer,
    basemap_tiles,
    display_geometries,
    map_state,
    new_map,
)
from landuse.mapping._style import Styling, field_spec

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


# --- argument checks --------------------------------------------------------------------------


def check_common(caller: str, *, m: Any, basemap: Any, lang: Any) -> None:
    """Check the arguments every ``map_*`` function takes (``caller`` is its name)."""
    check_lang(lang, caller=caller)
    if m is not None and not isinstance(m, folium.Map):
        msg = (
            f"{caller}(): `m` must be a folium.Map (or None for a new map); "
            f"received {type(m).__name__}."
        )
        raise TypeError(msg)
    if m is None:
        if basemap is not None and basemap not in BASEMAPS:
            msg = f"{caller}(): `basemap` must be one of {(*BASEMAPS, None)}; received {basemap!r}."
            raise ValueError(msg)
        if basemap is not None:
            basemap_tiles(basemap)  # a missing Tianditu key fails here, before any work


def check_layer(
    frame: Any, *, arg: str, caller: str, required: Sequence[str] = ()
) -> gpd.GeoDataFrame:
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = f"{caller}(): `{arg}` must be a GeoDataFrame; received {type(frame).__name__}."
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


def check_fields(
    frame: pd.DataFrame, fields: Sequence[str] | None, *, arg: str, caller: str
) -> None:
    if fields is None:
        return
    if isinstance(fields, str):
        msg = f"{caller}(): `{arg}` must be a list of column names, not a string; use [{fields!r}]."
        raise TypeError(msg)
    missing = [f for f in fields if f not in frame.columns]
    if missing:
        msg = (
            f"{caller}(): `{arg}` names column(s) the layer does not have: "
            f"{', '.join(f'`{c}`' for c in missing)}; available: "
            f"{format_ids(map(str, frame.columns.drop('geometry', errors='ignore')), limit=12)}."
        )
        raise SchemaError(msg)


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
    basemap: str | None,
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
) -> folium.Map:
    """Prepare display geometry and fields of ``frame`` and add it as one layer."""
    display = (
        map_state(m).display
        if m is not None
        else (BASEMAPS[basemap].display if basemap is not None else "wgs84")
    )
    geoms = display_geometries(frame, display=display, simplify_m=simplify_m)
    if m is None:
        present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
        bounds = shapely.total_bounds(present) if len(present) else np.full(4, np.nan)
        m = new_map(bounds, basemap=basemap, lang=lang)
    shown = list(dict.fromkeys([*popup, *tooltip]))
    fields = [field_spec(frame[c], name=c, lang=lang) for c in shown]
    add_layer(
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
    basemap: str | None,
    lang: Lang,
    name: str | None,
    tooltip: Sequence[str] | None,
    popup: Sequence[str] | None,
    legend: bool,
    simplify_m: float | None,
    show: bool,
) -> folium.Map:
    """The last step of the filled ``map_*`` layers: default fields and name, then :func:`draw`.

    ``kind`` names the layer by default (:data:`_LAYER_NAMES`); ``tooltip``/``popup`` default
    to the columns of ``default_tooltip``/``default_popup`` that the frame has.
    """
    return draw(
        frame,
        m=m,
        basemap=basemap,
        lang=lang,
        name=name or layer_name(kind, lang),
        role="fill",
        styling=styling,
        tooltip=list(tooltip) if tooltip is not None else present_columns(frame, default_tooltip),
        popup=list(popup) if popup is not None else present_columns(frame, default_popup),
        legend=legend,
        simplify_m=simplify_m,
        show=show,
        id_column=id_column,
    )


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
