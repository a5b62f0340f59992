"""Readers on sloppy and hostile files: each test fails on the readers before issue 14/20 fixes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import landuse
from landuse.errors import GeometryError, LanduseError, LanduseWarning, SchemaError

GK = "EPSG:4549"
X0, Y0 = 500000.0, 4000000.0


def _box(i: int, size: float = 100.0) -> shapely.Polygon:
    return shapely.box(X0 + 200 * i, Y0, X0 + 200 * i + size, Y0 + size)


# --- issue 20 item 2: repair when one invalid geometry collapses ----------------------------


def _bowtie(i: int) -> shapely.Polygon:
    x = X0 + 200 * i
    return shapely.Polygon([(x, Y0), (x + 100, Y0 + 100), (x + 100, Y0), (x, Y0 + 100)])


@pytest.mark.parametrize("reader", ["read_parcels", "read_buildings", "read_zones"])
def test_collapsed_geometry_before_another_repair(reader):
    x = X0 + 400
    flat = shapely.Polygon([(x, Y0), (x + 50, Y0), (x + 100, Y0)])  # zero-area triangle
    id_col = {"read_parcels": "parcel_id", "read_buildings": "building_id", "read_zones": "zone_id"}
    raw = gpd.GeoDataFrame(
        {id_col[reader]: ["A", "B", "C", "D"]},
        geometry=[_box(0), _bowtie(1), flat, _bowtie(3)],
        crs=GK,
    )
    with pytest.warns(LanduseWarning) as rec:
        out = getattr(landuse, reader)(raw, crs=None)
    text = " ".join(str(w.message) for w in rec)
    assert "dropped 1 of 4" in text and "ids C" in text
    assert "repaired 2 invalid" in text
    assert out[id_col[reader]].tolist() == ["A", "B", "D"]
    assert out.geometry.iloc[0].equals(_box(0))
    for k in (1, 2):
        g = out.geometry.iloc[k]
        assert g.geom_type == "MultiPolygon" and len(g.geoms) == 2
        assert [p.area for p in g.geoms] == [2500.0, 2500.0]
