"""The enterprise map (issue 19): each enterprise's land coloured by its 亩均 grade."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from landuse._checks import Lang
from landuse.errors import LanduseWarning, SchemaError, format_ids
from landuse.mapping._draw import as_frame, check_common, check_layer, draw_fill, fill_base
from landuse.mapping._layer import Basemap
from landuse.mapping._style import categorical_styling
from landuse.schema import CATEGORY_COLORS

_NAME = ("企业亩均评价", "Enterprise efficiency grades")
_POPUP = (
    "name",
    "credit_code",
    "grade",
    "not_graded_reason",
    "score",
    "rank",
    "land_area_mu",
    "land_basis",
    "category",
    "parcel_ids",
)
_NEEDED = ("grade", "parcel_ids")


def map_enterprises(
    result: pd.DataFrame,
    parcels: gpd.GeoDataFrame,
    *,
    m: folium.Map | None = None,
    colors: Mapping[Any, str] | None = None,
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
    """Map each enterprise's land coloured by its 亩均 grade, its figures in the popup.

    One feature per enterprise: the union of the parcels it is evaluated on (``parcel_ids`` of
    :func:`landuse.enterprise.evaluate_enterprises`: its own parcels and the parcels it rents),
    coloured by ``grade`` with the catalogue colours (:data:`landuse.schema.CATEGORY_COLORS`
    ``"grade"``; 不定等级 / not graded in grey). Enterprises sharing a parcel (a holder and its
    tenants) overlap there; the worse grade is drawn on top. The popup shows the name, credit
    code, grade, the reason when not graded, score, rank, land in 亩 and how it was derived
    (``land_basis``), category, parcels and every ``indicator_*`` column. Every value reaches the
    page as text. Enterprises whose parcels are not in ``parcels`` are not drawn and are named in
    a :class:`~landuse.errors.LanduseWarning`.

    Parameters
    ----------
    result
        What :func:`landuse.enterprise.evaluate_enterprises` returned (indexed by credit code,
        with ``grade`` and ``parcel_ids``).
    parcels
        The parcels the evaluation used (``parcel_id`` and geometry, any declared CRS).
    m, basemap, tiles, attr, lang
        As in :func:`landuse.mapping.map_zones`.
    colors
        Colours of the grades, replacing the catalogue's (mapping grade → colour).
    name
        Layer name; default 企业亩均评价 / Enterprise efficiency grades.
    tooltip, popup
        ``True`` (default: tooltip name and grade; popup the figures above), ``False``, a
        column or a list.
    legend
        Add a section to the map's legend panel (shown while the layer is).
    style_kwds, legend_kwds, location, zoom_start, width, height, simplify_m, show
        As in :func:`landuse.mapping.map_parcels`.

    Returns
    -------
    folium.Map
        An offline map (:class:`landuse.mapping.OfflineMap`) unless drawn onto ``m``.

    Raises
    ------
    SchemaError
        ``result`` lacks ``grade`` / ``parcel_ids``, or ``parcels`` lacks ``parcel_id``.

    Examples
    --------
    >>> import pandas as pd, geopandas as gpd, shapely
    >>> parcels = gpd.GeoDataFrame({"parcel_id": ["P1", "P2"]}, crs="EPSG:4549",
    ...     geometry=[shapely.box(500000, 4000000, 500100, 4000100),
    ...               shapely.box(500200, 4000000, 500300, 4000100)])
    >>> result = pd.DataFrame({"name": ["甲公司"], "grade": ["D"], "parcel_ids": ["P1;P2"]},
    ...                       index=pd.Index(["91370200000000010X"], name="credit_code"))
    >>> m = map_enterprises(result, parcels, basemap=None)
    >>> [layer.layer_name for layer in m._children.values() if hasattr(layer, "n_features")]
    ['企业亩均评价']
    """
    caller = "map_enterprises"
    options = check_common(
        caller, m=m, basemap=basemap, lang=lang, tiles=tiles, attr=attr, location=location,
        zoom_start=zoom_start, width=width, height=height, style_kwds=style_kwds,
        legend_kwds=legend_kwds,
    )  # fmt: skip
    parcels = as_frame(parcels, arg="parcels", caller=caller)
    check_layer(parcels, arg="parcels", caller=caller)
    frame = enterprise_land_shapes(result, parcels, caller=caller)
    title = _NAME[0 if lang == "zh" else 1]
    styling = categorical_styling(
        frame["grade"], column="grade", base=fill_base(None), title=title, lang=lang, colors=colors
    )
    indicators = [col for col in frame.columns if col.startswith("indicator_")]
    return draw_fill(
        frame,
        kind="parcels",
        styling=styling,
        default_tooltip=["name", "grade"],
        default_popup=[col for col in _POPUP if col in frame.columns] + indicators,
        id_column="credit_code",
        m=m,
        options=options,
        lang=lang,
        name=name or title,
        tooltip=tooltip,
        popup=popup,
        legend=legend,
        simplify_m=simplify_m,
        show=show,
        caller=caller,
    )


def enterprise_land_shapes(
    result: pd.DataFrame, parcels: gpd.GeoDataFrame, *, caller: str
) -> gpd.GeoDataFrame:
    """One row per enterprise with land on the map: its figures and the union of its parcels."""
    if not isinstance(result, pd.DataFrame):
        msg = (
            f"`result` passed to {caller}() must be what landuse.enterprise.evaluate_enterprises "
            f"returned, got {type(result).__name__}."
        )
        raise TypeError(msg)
    missing = [f"`result.{col}`" for col in _NEEDED if col not in result.columns]
    if "parcel_id" not in parcels.columns:
        missing.append("`parcels.parcel_id`")
    if missing:
        msg = (
            f"{caller}() needs " + ", ".join(missing) + ": pass the result of "
            "landuse.enterprise.evaluate_enterprises and the parcels it evaluated."
        )
        raise SchemaError(msg)
    table = result.copy()
    table.index = table.index.astype(str)
    table.index.name = "credit_code"
    table = table.drop(columns=[c for c in table.columns if c == "credit_code"])
    links = table["parcel_ids"].astype("string").str.split(";").explode().str.strip()
    links = links.dropna()
    links = links[links != ""]
    pairs = pd.DataFrame({"credit_code": links.index, "parcel_id": links.to_numpy()})
    shapes = parcels[["parcel_id", parcels.geometry.name]].copy()
    shapes["parcel_id"] = shapes["parcel_id"].astype(str)
    joined = shapes.merge(pairs, on="parcel_id", how="inner")
    land = joined[["credit_code", shapes.geometry.name]].dissolve(by="credit_code")
    without = table.index.difference(land.index)
    if len(without):
        warnings.warn(
            f"{caller}(): {len(without)} enterprises have no parcel in `parcels` and are not "
            f"drawn ({format_ids(without)}).",
            LanduseWarning,
            stacklevel=3,
        )
    out = gpd.GeoDataFrame(table.loc[land.index], geometry=land.geometry, crs=parcels.crs)
    out = out.reset_index()
    # the worse grade on top: draw D last, not graded first
    order = {grade: i + 1 for i, grade in enumerate(CATEGORY_COLORS["grade"])}
    rank = out["grade"].map(order).fillna(0).to_numpy()
    return out.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)
