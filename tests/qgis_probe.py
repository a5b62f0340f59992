"""Open one GeoPackage layer in QGIS as a user would and print what QGIS shows, as JSON.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_probe.py FILE.gpkg LAYER

Runs under the system Python with Debian's python3-qgis (not the test venv). Prints feature
count, CRS, the renderer (type, classified field, categories with value, label and fill
colour, or the single symbol's colours), field aliases, and where the default style came from
(QGIS says "Loaded from Provider" when it read the GeoPackage's layer_styles table).
"""

from __future__ import annotations

import json
import sys

# QGIS is imported when the probe runs, so that pytest (--doctest-modules in the venv,
# which has no QGIS) can import this file.


def _symbol(symbol) -> dict:
    layer = symbol.symbolLayer(0)
    props = layer.properties()
    return {
        "type": symbol.type().name if hasattr(symbol.type(), "name") else int(symbol.type()),
        "class": layer.layerType(),
        "fill": symbol.color().name(),
        "fill_style": props.get("style"),
        "outline": props.get("outline_color") or props.get("line_color"),
        "outline_width": props.get("outline_width") or props.get("line_width"),
    }


def _feature_classes(layer, renderer) -> list[str]:
    """The legend label QGIS draws each feature with, in feature id order."""
    from qgis.core import QgsRenderContext

    labels = {item.ruleKey(): item.label() for item in renderer.legendSymbolItems()}
    context = QgsRenderContext()
    renderer.startRender(context, layer.fields())
    out = []
    for feature in sorted(layer.getFeatures(), key=lambda f: f.id()):
        keys = sorted(renderer.legendKeysForFeature(feature, context))
        out.append(" | ".join(labels[k] for k in keys))
    renderer.stopRender(context)
    return out


def probe(path: str, name: str) -> dict:
    """What QGIS shows of layer ``name`` of GeoPackage ``path``, loaded with its default style."""
    from qgis.core import QgsVectorLayer

    uri = f"{path}|layername={name}"
    options = QgsVectorLayer.LayerOptions()
    options.loadDefaultStyle = False
    layer = QgsVectorLayer(uri, name, "ogr", options)
    if not layer.isValid():
        return {"valid": False}
    related, _ids, names, descriptions, error = layer.listStylesInDatabase()
    message, loaded = layer.loadDefaultStyle()
    renderer = layer.renderer()
    out = {
        "valid": True,
        "feature_count": layer.featureCount(),
        "crs": layer.crs().authid(),
        "style_from_database": message == "Loaded from Provider",
        "load_message": message,
        "loaded": bool(loaded),
        "styles_in_database": [
            {"name": n, "description": d}
            for n, d in zip(names[:related], descriptions[:related], strict=True)
        ],
        "style_list_error": error,
        "renderer": renderer.type(),
        "aliases": {f.name(): layer.attributeAlias(i) for i, f in enumerate(layer.fields())},
    }
    if renderer.type() == "categorizedSymbol":
        out["attribute"] = renderer.classAttribute()
        out["categories"] = [
            {"value": c.value(), "label": c.label(), "fill": c.symbol().color().name()}
            for c in renderer.categories()
        ]
        out["feature_classes"] = _feature_classes(layer, renderer)
    elif renderer.type() == "singleSymbol":
        out["symbol"] = _symbol(renderer.symbol())
    return out


def main() -> int:
    from qgis.core import QgsApplication

    path, name = sys.argv[1], sys.argv[2]
    app = QgsApplication([], False)
    app.initQgis()
    result = probe(path, name)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
