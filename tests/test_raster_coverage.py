"""Partial raster coverage is never silent (issue 17, point 5)."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine

import landuse
from landuse.errors import LanduseWarning
from landuse.raster import raster_evidence, zonal_stats

X0, Y0 = 500_000.0, 4_000_000.0


@pytest.fixture
def raster(tmp_path):
    """A 2×1 raster of 100 m cells over the first two parcels only."""
    path = tmp_path / "light.tif"
    data = np.array([[10.0, 30.0]], dtype="float32")
    with rasterio.open(
        path, "w", driver="GTiff", width=2, height=1, count=1, dtype="float32",
        crs="EPSG:32651", transform=Affine(100, 0, X0, 0, -100, Y0 + 100), nodata=-1,
    ) as ds:
        ds.write(data, 1)
    return path


def _parcels(n_inside: int, n_outside: int) -> gpd.GeoDataFrame:
    boxes = [shapely.box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(n_inside)]
    boxes += [
        shapely.box(X0 + 1000 + 100 * i, Y0, X0 + 1100 + 100 * i, Y0 + 100)
        for i in range(n_outside)
    ]
    ids = [f"P{i + 1}" for i in range(len(boxes))]
    return gpd.GeoDataFrame({"parcel_id": ids}, geometry=boxes, crs=32651).set_index("parcel_id")


def test_warns_with_count_and_ids_of_parcels_outside(raster):
    parcels = _parcels(2, 1)
    with pytest.warns(LanduseWarning, match=r"zonal_stats\(\): 1 of 3 parcels lie outside") as rec:
        out = zonal_stats(parcels, raster, stats=["mean", "count"])
    assert len(rec) == 1
    message = str(rec[0].message)
    assert "(ids: P3)" in message and "statistics are missing" in message
    assert rec[0].filename == __file__
    assert out.loc["P1", "mean"] == pytest.approx(10.0)
    assert out.loc["P2", "mean"] == pytest.approx(30.0)
    assert np.isnan(out.loc["P3", "mean"]) and out.loc["P3", "count"] == 0


def test_touching_the_edge_counts_as_outside(raster):
    parcels = _parcels(2, 0)
    edge = shapely.box(X0 + 200, Y0, X0 + 300, Y0 + 100)  # shares the raster's east edge
    parcels.loc["E"] = edge
    with pytest.warns(LanduseWarning, match=r"1 of 3 parcels .* \(ids: E\)"):
        zonal_stats(parcels, raster, stats=["count"])


def test_large_counts_use_thousands_separators(raster):
    parcels = _parcels(2, 1200)
    with pytest.warns(LanduseWarning, match=r"1,200 of 1,202 parcels .*\(\+1195 more\)"):
        zonal_stats(parcels, raster, stats=["count"])


def test_no_warning_when_all_parcels_are_inside(raster):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = zonal_stats(_parcels(2, 0), raster, stats=["mean"])
    assert out["mean"].tolist() == pytest.approx([10.0, 30.0])


def test_raster_evidence_warns_once_naming_itself(raster):
    with pytest.warns(LanduseWarning) as rec:
        ev = raster_evidence(_parcels(2, 1), night_light=raster, policy="qingdao-2019")
    assert len(rec) == 1
    assert str(rec[0].message).startswith("raster_evidence(): 1 of 3 parcels lie outside")
    assert "(ids: P3)" in str(rec[0].message)
    assert rec[0].filename == __file__
    assert ev["dark_by_night_light"].isna().tolist() == [False, False, True]


def test_landuse_face_keeps_working(raster):
    assert landuse.zonal_stats is zonal_stats
