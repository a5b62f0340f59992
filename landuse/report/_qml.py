"""QGIS styles (QML) for the layers landuse writes: the web map's classes and colours.

The style is built from the one label catalogue (:mod:`landuse.schema`): the column it
classifies, the order and labels of the classes and their colours all come from
``CATEGORY_LABELS``, ``CATEGORY_COLORS``, ``field_label`` and ``code_column``. Text that comes
from data (a value outside the catalogue, an alias) goes through :mod:`xml.etree.ElementTree`,
which escapes it; characters XML cannot hold at all are written as visible escapes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Hashable, Mapping
from typing import Literal

import geopandas as gpd
import pandas as pd

from landuse._checks import check_lang
from landuse.errors import GeometryError, SchemaError
from landuse.schema import (
    CATEGORY_COLORS,
    CATEGORY_LABELS,
    ZONE_COLOR,
    code_column,
    field_info,
    field_label,
)

__all__ = ["STYLE_COLUMNS", "field_aliases", "layer_qml", "xml_text"]

#: Columns a layer is styled by, first present wins (as the web maps choose).
STYLE_COLUMNS: tuple[str, ...] = (
    "verdict",
    "route",
    "status",
    "area_type",
    "grade",
    "production_status",
    "land_use",
)
NO_DATA_COLOR = "#d9d9d9"
ZONE_OUTLINE_COLOR = ZONE_COLOR  # the web map's zone outline
OUTLINE_COLOR = "#4d4d4d"
_NO_DATA = {"zh": "无数据", "en": "No data"}
_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
# characters XML 1.0 cannot hold (C0 controls but tab/newline/CR, U+FFFE/U+FFFF, surrogates)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

Kind = Literal["fill", "line", "marker"]
_KINDS: dict[str, Kind] = {
    "Polygon": "fill",
    "MultiPolygon": "fill",
    "LineString": "line",
    "MultiLineString": "line",
    "LinearRing": "line",
    "Point": "marker",
    "MultiPoint": "marker",
}


def xml_text(value: object) -> str:
    r"""``value`` as text XML can hold: illegal characters become visible escapes (``\x01``).

    Examples
    --------
    >>> xml_text("a\x01b"), xml_text(3)
    ('a\\x01b', '3')
    """
    return _XML_ILLEGAL.sub(
        lambda m: m.group().encode("unicode_escape").decode("ascii"), str(value)
    )


def layer_qml(
    frame: gpd.GeoDataFrame,
    *,
    lang: Literal["zh", "en"] = "zh",
    style_column: str | None = None,
    aliases: Mapping[str, str] | None = None,
) -> str:
    """Return a QGIS style (QML document) for ``frame``: the web map's classes, labelled aliases.

    The layer is classified (QGIS ``categorizedSymbol`` renderer) by ``style_column`` or else
    by the first of ``verdict``, ``route``, ``status``, ``area_type``, ``grade``,
    ``production_status``, ``land_use`` the frame holds. When the frame also holds the codes in
    ``code_column(column)`` (``verdict_code`` beside the labelled ``verdict``), QGIS classifies
    on the codes. There is one class per catalogue code, in catalogue order, labelled in
    ``lang`` and filled with its :data:`~landuse.schema.CATEGORY_COLORS` colour; values outside
    the catalogue get a grey class each (labelled with the value itself), and empty values the
    grey 无数据 / "No data" class. Without a style column, zones (``zone_id``) are drawn as red
    outlines and other layers in one neutral grey.

    The style also carries the field aliases QGIS shows as column names: ``field_label(name,
    lang)`` (``land_area_m2`` → ``用地面积（平方米）``), or ``aliases[name]`` where given.

    Parameters
    ----------
    frame
        The layer as written (its column names are the layer's field names).
    lang
        ``"zh"`` (default) or ``"en"``: the language of class labels and aliases.
    style_column
        The column to classify by; must be a coded column of the catalogue (``FIELDS`` with a
        category, e.g. ``"grade"``). ``None`` picks one as above.
    aliases
        ``{column: alias}`` overriding the catalogue's headers for some columns.

    Returns
    -------
    str
        The QML document (``<!DOCTYPE qgis …><qgis …>…</qgis>``).

    Raises
    ------
    SchemaError
        If ``style_column`` is not in ``frame`` or has no category in the catalogue.
    GeometryError
        If ``frame`` mixes polygons, lines and points.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["a"], "grade": ["B"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4549
    ... )
    >>> qml = layer_qml(parcels)
    >>> 'type="categorizedSymbol"' in qml, 'label="B类"' in qml, 'name="宗地编号"' in qml
    (True, True, True)
    """
    lang = check_lang(lang, caller="layer_qml")
    kind = _symbol_kind(frame)
    root = ET.Element("qgis", {"version": "3.22.0", "styleCategories": "AllStyleCategories"})
    choice = _style_choice(frame, style_column)
    if choice is None:
        root.append(_single_renderer(frame, kind))
    else:
        attr, category = choice
        root.append(_categorized_renderer(frame[attr], attr, category, kind, lang))
    root.append(_aliases(frame, lang, aliases or {}))
    return _DOCTYPE + ET.tostring(root, encoding="unicode")


def _symbol_kind(frame: gpd.GeoDataFrame) -> Kind:
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = f"layer_qml() needs a GeoDataFrame; received {type(frame).__name__}."
        raise TypeError(msg)
    types = frame.geom_type.dropna().unique() if frame.geometry.name in frame else []
    kinds = sorted({_KINDS.get(str(t), str(t)) for t in types})
    if not kinds:
        return "fill"
    if len(kinds) > 1 or kinds[0] not in ("fill", "line", "marker"):
        msg = (
            f"layer_qml(): a QGIS layer holds one kind of geometry, but the frame holds "
            f"{', '.join(sorted(map(str, types)))}. Write polygons, lines and points as "
            "separate layers."
        )
        raise GeometryError(msg)
    return kinds[0]  # type: ignore[return-value]


def _style_choice(frame: gpd.GeoDataFrame, style_column: str | None) -> tuple[str, str] | None:
    """(column QGIS classifies on, catalogue category) or None for a single symbol."""
    if style_column is not None:
        category = field_info(style_column).category
        if style_column not in frame.columns or category is None:
            coded = [name for name in STYLE_COLUMNS if name in frame.columns]
            msg = (
                f"`style_column` {style_column!r} "
                + ("is not a column of the frame" if style_column not in frame.columns else
                   "has no category in the label catalogue (landuse.schema.FIELDS)")
                + f"; coded columns in this frame: {', '.join(coded) or 'none'}. Pass one of "
                "them, or None for the default."
            )  # fmt: skip
            raise SchemaError(msg)
        column = style_column
    else:
        column = next((name for name in STYLE_COLUMNS if name in frame.columns), "")
        if not column:
            return None
        category = field_info(column).category
        assert category is not None  # every STYLE_COLUMNS entry is coded in FIELDS
    codes = code_column(column)
    return (codes if codes in frame.columns else column), category


def _class_values(values: pd.Series, category: str) -> dict[str, str]:
    """{catalogue code: value as the column holds it} (codes, Chinese or English labels)."""
    present = {str(v) for v in values.dropna().unique()}
    catalogue = CATEGORY_LABELS[category]
    forms = [
        {code: code for code in catalogue},
        {code: pair[0] for code, pair in catalogue.items()},
        {code: pair[1] for code, pair in catalogue.items()},
    ]
    best = max(forms, key=lambda form: len(present & set(form.values())))  # codes win ties
    return best


def _categorized_renderer(
    values: pd.Series, attr: str, category: str, kind: Kind, lang: str
) -> ET.Element:
    renderer = ET.Element(
        "renderer-v2",
        {"type": "categorizedSymbol", "attr": xml_text(attr), "symbollevels": "0",
         "enableorderby": "0", "forceraster": "0", "referencescale": "-1"},
    )  # fmt: skip
    i = 0 if lang == "zh" else 1
    known = _class_values(values, category)
    classes = [
        (held, CATEGORY_LABELS[category][code][i], CATEGORY_COLORS[category][code])
        for code, held in known.items()
    ]
    text = values.dropna().map(str)
    extra = [v for v in dict.fromkeys(text) if v not in set(known.values()) and v.strip()]
    classes += [(v, v, NO_DATA_COLOR) for v in extra]
    classes.append(("", _NO_DATA[lang], NO_DATA_COLOR))
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for n, (value, label, color) in enumerate(classes):
        ET.SubElement(
            categories,
            "category",
            {"render": "true", "symbol": str(n), "value": xml_text(value),
             "label": xml_text(label), "type": "string"},
        )  # fmt: skip
        symbols.append(_symbol(kind, str(n), color, OUTLINE_COLOR))
    source = ET.SubElement(renderer, "source-symbol")
    source.append(_symbol(kind, "0", NO_DATA_COLOR, OUTLINE_COLOR))
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    return renderer


def _single_renderer(frame: gpd.GeoDataFrame, kind: Kind) -> ET.Element:
    renderer = ET.Element(
        "renderer-v2",
        {"type": "singleSymbol", "symbollevels": "0", "enableorderby": "0",
         "forceraster": "0", "referencescale": "-1"},
    )  # fmt: skip
    symbols = ET.SubElement(renderer, "symbols")
    if "zone_id" in frame.columns:
        symbol = _symbol(kind, "0", ZONE_OUTLINE_COLOR, ZONE_OUTLINE_COLOR, width="0.8")
        if kind == "fill":
            _set_option(symbol, "style", "no")
    else:
        symbol = _symbol(kind, "0", NO_DATA_COLOR, OUTLINE_COLOR)
    symbols.append(symbol)
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    return renderer


def _rgba(color: str) -> str:
    """``#1a9850`` → ``26,152,80,255`` (QGIS colour text)."""
    c = color.lstrip("#")
    return ",".join(str(int(c[k : k + 2], 16)) for k in (0, 2, 4)) + ",255"


def _symbol(kind: Kind, name: str, color: str, outline: str, *, width: str = "0.26") -> ET.Element:
    """One QGIS symbol with one simple symbol layer (fill, line or marker)."""
    symbol = ET.Element(
        "symbol",
        {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
    )
    if kind == "fill":
        layer_class = "SimpleFill"
        options = {"color": _rgba(color), "style": "solid", "outline_color": _rgba(outline),
                   "outline_style": "solid", "outline_width": width, "outline_width_unit": "MM",
                   "joinstyle": "bevel"}  # fmt: skip
    elif kind == "line":
        layer_class = "SimpleLine"
        options = {"line_color": _rgba(color), "line_style": "solid",
                   "line_width": "0.8" if width == "0.26" else width, "line_width_unit": "MM",
                   "capstyle": "round", "joinstyle": "round"}  # fmt: skip
    else:
        layer_class = "SimpleMarker"
        options = {"name": "circle", "color": _rgba(color), "outline_color": _rgba(outline),
                   "outline_width": "0.2", "outline_width_unit": "MM", "size": "2.4",
                   "size_unit": "MM"}  # fmt: skip
    layer = ET.SubElement(
        symbol, "layer", {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"}
    )
    option_map = ET.SubElement(layer, "Option", {"type": "Map"})
    for key, value in options.items():
        ET.SubElement(option_map, "Option", {"name": key, "value": value, "type": "QString"})
    return symbol


def _set_option(symbol: ET.Element, key: str, value: str) -> None:
    for option in symbol.iter("Option"):
        if option.get("name") == key:
            option.set("value", value)


def _aliases(
    frame: gpd.GeoDataFrame, lang: Literal["zh", "en"], given: Mapping[str, str]
) -> ET.Element:
    element = ET.Element("aliases")
    for column, alias in field_aliases(frame, lang=lang, aliases=given).items():
        ET.SubElement(element, "alias", {"field": xml_text(column), "name": xml_text(alias)})
    return element


def field_aliases(
    frame: gpd.GeoDataFrame,
    *,
    lang: Literal["zh", "en"] = "zh",
    aliases: Mapping[Hashable, str] | None = None,
) -> dict[str, str]:
    """``{column: alias}`` of the frame's attribute columns, unique within the layer.

    The alias is ``aliases[column]`` where given, else ``field_label(column, lang)``. Two
    columns with the same header (``grade`` and ``grade_label`` are both 亩均效益等级) would
    show as one in QGIS and break the GeoPackage rule that aliases are unique in a table, so
    the later one gets its column name in brackets.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> f = gpd.GeoDataFrame({"grade": ["A"], "grade_label": ["A类"]}, geometry=[shapely.Point(0, 0)])
    >>> field_aliases(f)
    {'grade': '亩均效益等级', 'grade_label': '亩均效益等级（grade_label）'}
    """
    lang = check_lang(lang, caller="field_aliases")
    given = aliases or {}
    out: dict[str, str] = {}
    seen: set[str] = set()
    for column in frame.columns:
        if column == frame.geometry.name:
            continue
        name = str(column)
        alias = str(given[column]) if column in given else field_label(name, lang)
        if alias.casefold() in seen:
            alias = f"{alias}（{name}）" if lang == "zh" else f"{alias} ({name})"
        seen.add(alias.casefold())
        out[name] = alias
    return out
