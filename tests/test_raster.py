"""Raster evidence per parcel on rasters built here with rasterio, with hand-computed answers.

The value grid is 10 × 10 cells of 10 m, EPSG:4549, upper-left corner (X0, Y0); cell (row r,
column c) holds 10·r + c and covers x ∈ [X0 + 10c, X0 + 10c + 10], y ∈ [Y0 − 10r − 10, Y0 − 10r].
"""

from __future__ import annotations

import math
import tracemalloc
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from rasterio.windows import Window

import landuse
from landuse.errors import CRSError, GeometryError, LanduseWarning, SchemaError
from landuse.raster import (
    DEFAULT_STATS,
    activity_index,
    builtup_share,
    estimate_floor_area,
    raster_evidence,
    rasterize_metric,
    zonal_stats,
)

CRS = "EPSG:4549"
X0, Y0 = 534400.0, 3993100.0
NODATA = -9999.0
GRID = Affine(10.0, 0.0, X0, 0.0, -10.0, Y0)  # rasterio.transform.from_origin warns with affine 3


def cell_box(c0: float, r0: float, c1: float, r1: float) -> shapely.Polygon:
    """Box from column c0 to c1 and row r0 to r1, in cell units (fractions allowed)."""
    return shapely.box(X0 + 10 * c0, Y0 - 10 * r1, X0 + 10 * c1, Y0 - 10 * r0)


def write_tif(path, array, *, nodata=None, crs=CRS, transform=None, **extra):
    array = np.asarray(array)
    profile = {
        "driver": "GTiff",
        "width": array.shape[1],
        "height": array.shape[0],
        "count": 1,
        "dtype": array.dtype.name,
        "crs": crs,
        "transform": transform or GRID,
        "nodata": nodata,
        **extra,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(array, 1)
    return path


@pytest.fixture
def values_tif(tmp_path):
    return write_tif(tmp_path / "values.tif", np.arange(100, dtype="float32").reshape(10, 10))


@pytest.fixture
def half_nodata_tif(tmp_path):
    """Columns 5–9 are nodata."""
    a = np.arange(100, dtype="float32").reshape(10, 10)
    a[:, 5:] = NODATA
    return write_tif(tmp_path / "half.tif", a, nodata=NODATA)


@pytest.fixture
def landcover_tif(tmp_path):
    """Class 1 (built-up) in columns 0–2, class 2 (bare) in 3–9; row 9 is nodata (0)."""
    a = np.full((10, 10), 2, dtype="uint8")
    a[:, :3] = 1
    a[9, :] = 0
    return write_tif(tmp_path / "landcover.tif", a, nodata=0)


@pytest.fixture
def height_tif(tmp_path):
    """12 m in columns 0–1, 10 m in columns 2–3, 0 (open ground) elsewhere; row 9 nodata."""
    a = np.zeros((10, 10), dtype="float32")
    a[:, :2] = 12.0
    a[:, 2:4] = 10.0
    a[9, :] = NODATA
    return write_tif(tmp_path / "height.tif", a, nodata=NODATA)


def frame(*geoms, index=None, crs=CRS):
    return gpd.GeoDataFrame(geometry=list(geoms), index=index, crs=crs)


# ---------------------------------------------------------------------------------------------
# zonal_stats: exact partial pixels
# ---------------------------------------------------------------------------------------------


def test_parcel_covering_exactly_2_25_pixels(values_tif):
    # columns 0.5–2, rows 0–1.5: cells 0 (½), 1 (1), 10 (¼), 11 (½) → 2.25 pixels
    out = zonal_stats(frame(cell_box(0.5, 0, 2, 1.5)), values_tif)
    assert list(out.columns) == list(DEFAULT_STATS)
    row = out.iloc[0]
    assert row["count"] == 2.25
    assert row["sum"] == 0 * 0.5 + 1 * 1 + 10 * 0.25 + 11 * 0.5  # 9.0
    assert row["mean"] == 4.0
    assert (row["min"], row["max"]) == (0.0, 11.0)
    # weighted population variance: (16·½ + 9·1 + 36·¼ + 49·½) / 2.25
    assert row["std"] == pytest.approx(math.sqrt(50.5 / 2.25), rel=1e-12)
    assert row["majority"] == 1.0  # value 1 covers a whole cell, the most of any value


def test_parcel_half_over_nodata(half_nodata_tif):
    # columns 4–6, rows 2–4: 24, 34 valid; columns 5 are nodata
    parcels = frame(cell_box(4, 2, 6, 4))
    out = zonal_stats(parcels, half_nodata_tif, stats=[*DEFAULT_STATS, "valid_share", "minority"])
    row = out.iloc[0]
    assert row["count"] == 2.0
    assert row["sum"] == 58.0
    assert row["mean"] == 29.0
    assert (row["min"], row["max"]) == (24.0, 34.0)
    assert row["std"] == 5.0
    assert row["valid_share"] == 0.5
    # 24 and 34 cover the same area: majority takes the larger, minority the smaller
    assert (row["majority"], row["minority"]) == (34.0, 24.0)


def test_parcel_smaller_than_a_pixel_gets_a_value(values_tif):
    # 5 m × 5 m inside cell (7, 7) = 77: a quarter of the pixel, centre not covered
    out = zonal_stats(
        frame(cell_box(7.2, 7.3, 7.7, 7.8)), values_tif, stats=["mean", "count", "sum"]
    )
    assert out.iloc[0].tolist() == pytest.approx([77.0, 0.25, 19.25], rel=1e-6)


def test_holes_multipolygons_and_stats_order(values_tif):
    ring = cell_box(0, 0, 4, 4)
    with_hole = shapely.Polygon(ring.exterior.coords, [cell_box(1, 1, 3, 3).exterior.coords])
    multi = shapely.MultiPolygon([cell_box(0, 9, 1, 10), cell_box(9, 0, 10, 1)])  # 90 and 9
    out = zonal_stats(
        frame(with_hole, multi), values_tif, stats=["count", "median", "variety", "mean"]
    )
    assert list(out.columns) == ["count", "median", "variety", "mean"]
    # ring of 16 − 4 cells; values of rows 0–3, columns 0–3 without 11, 12, 21, 22
    ring_values = [
        10 * r + c for r in range(4) for c in range(4) if not (1 <= r <= 2 and 1 <= c <= 2)
    ]
    assert out.loc[0, "count"] == 12.0
    assert out.loc[0, "mean"] == pytest.approx(np.mean(ring_values), rel=1e-12)
    assert out.loc[0, "variety"] == 12
    # 9 and 90 split the area evenly: the weighted median lies halfway
    assert out.loc[1].tolist() == [2.0, 49.5, 2.0, 49.5]


def test_index_kept_and_empty_rows(values_tif):
    parcels = frame(
        cell_box(0, 0, 1, 1),
        None,
        shapely.Polygon(),
        cell_box(20, 20, 21, 21),  # off the raster
        index=pd.Index(["P-1", "P-2", "P-3", "P-4"], name="parcel_id"),
    )
    with pytest.warns(LanduseWarning, match=r"1 of 2 parcels lie outside .*\(ids: P-4\)"):
        out = zonal_stats(parcels, values_tif, stats=["mean", "sum", "count", "valid_share"])
    assert out.index.equals(parcels.index)
    assert out["count"].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert out["sum"].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert out["mean"].isna().tolist() == [False, True, True, True]
    assert out["valid_share"].tolist()[0] == 1.0
    assert out["valid_share"].tolist()[3] == 0.0
    assert out.attrs["band"] == 1
    assert out.attrs["pixel_size"] == (10.0, 10.0)


def test_parcels_are_reprojected_to_the_raster_crs(values_tif):
    parcels = frame(cell_box(0.5, 0, 2, 1.5), cell_box(4, 2, 6, 4))
    projected = zonal_stats(parcels, values_tif, stats=["mean", "count"])
    lonlat = zonal_stats(parcels.to_crs("EPSG:4326"), values_tif, stats=["mean", "count"])
    pd.testing.assert_frame_equal(lonlat, projected, rtol=1e-6)
    assert lonlat.attrs["raster_crs"].startswith("EPSG:4549")


def test_open_dataset_and_other_band(tmp_path):
    a = np.stack([np.full((10, 10), 1.0), np.full((10, 10), 7.0)]).astype("float32")
    path = tmp_path / "two.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=10,
        height=10,
        count=2,
        dtype="float32",
        crs=CRS,
        transform=GRID,
    ) as dst:
        dst.write(a)
    parcels = frame(cell_box(1, 1, 3, 2))
    with rasterio.open(path) as ds:
        out = zonal_stats(parcels, ds, stats=["mean", "sum"], band=2)
        assert not ds.closed  # a dataset passed in stays open
    assert out.iloc[0].tolist() == [7.0, 14.0]


def test_internal_mask_and_scale_offset(tmp_path):
    path = tmp_path / "masked.tif"
    a = np.full((10, 10), 10, dtype="int16")
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=10,
        height=10,
        count=1,
        dtype="int16",
        crs=CRS,
        transform=GRID,
    ) as dst:
        dst.write(a, 1)
        dst.scales = (0.5,)
        dst.offsets = (1.0,)
        mask = np.full((10, 10), 255, dtype="uint8")
        mask[:, 0] = 0  # column 0 masked
        dst.write_mask(mask)
    out = zonal_stats(frame(cell_box(0, 0, 2, 1)), path, stats=["mean", "count"])
    assert out.iloc[0].tolist() == [6.0, 1.0]  # 10 × 0.5 + 1 on the unmasked cell only


def test_nan_nodata(tmp_path):
    a = np.full((10, 10), 4.0, dtype="float32")
    a[0, 0] = np.nan
    path = write_tif(tmp_path / "nan.tif", a, nodata=float("nan"))
    out = zonal_stats(frame(cell_box(0, 0, 2, 1)), path, stats=["mean", "count", "valid_share"])
    assert out.iloc[0].tolist() == [4.0, 1.0, 0.5]


def test_categories_give_exact_shares(landcover_tif):
    # columns 2–4 (½ built-up cell column 2, bare 3), rows 8–9.5: row 9 is nodata
    parcels = frame(cell_box(2.5, 8, 4, 9.5), cell_box(0, 0, 1, 1))
    out = zonal_stats(
        parcels, landcover_tif, stats=["count", "majority"], categories={1: "builtup", 2: "bare"}
    )
    assert list(out.columns) == ["count", "majority", "share_builtup", "share_bare"]
    assert out.loc[0, "count"] == 1.5
    assert out.loc[0, "share_builtup"] == pytest.approx(0.5 / 1.5, rel=1e-12)
    assert out.loc[0, "share_bare"] == pytest.approx(1.0 / 1.5, rel=1e-12)
    assert out.loc[0, "majority"] == 2.0
    assert out.loc[1, ["share_builtup", "share_bare"]].tolist() == [1.0, 0.0]
    numbered = zonal_stats(parcels, landcover_tif, stats=[], categories=[2, 7])
    assert list(numbered.columns) == ["share_2", "share_7"]
    assert numbered["share_7"].tolist() == [0.0, 0.0]


def test_only_windows_are_read_from_a_raster_larger_than_memory_would_allow(tmp_path):
    # 40 000 × 40 000 float32 cells = 6.4 GB if read whole (float64: 12.8 GB); sparse on disk
    size = 40_000
    path = tmp_path / "huge.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=size,
        height=size,
        count=1,
        dtype="float32",
        crs=CRS,
        transform=GRID,
        nodata=NODATA,
        tiled=True,
        blockxsize=512,
        blockysize=512,
        compress="deflate",
        sparse_ok=True,
        BIGTIFF="YES",
    ) as dst:
        dst.write(np.full((512, 512), 3.0, dtype="float32"), 1, window=Window(0, 0, 512, 512))
        dst.write(
            np.full((512, 512), 8.0, dtype="float32"), 1, window=Window(39_488, 39_488, 512, 512)
        )
    parcels = frame(
        cell_box(1, 1, 3, 3),
        cell_box(39_990, 39_990, 39_992, 39_991),
        cell_box(20_000, 20_000, 20_001, 20_001),
    )
    tracemalloc.start()
    out = zonal_stats(parcels, path, stats=["mean", "count"])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert out["mean"].tolist()[:2] == [3.0, 8.0]
    assert out["count"].tolist() == [4.0, 2.0, 0.0]  # unwritten blocks are nodata
    assert peak < 50e6


# ---------------------------------------------------------------------------------------------
# errors and warnings
# ---------------------------------------------------------------------------------------------


def test_unknown_statistic(values_tif):
    with pytest.raises(ValueError, match=r"unknown statistic\(s\) 'avg'; valid: mean, sum, count"):
        zonal_stats(frame(cell_box(0, 0, 1, 1)), values_tif, stats=["mean", "avg"])


def test_nothing_to_compute(values_tif):
    with pytest.raises(ValueError, match="needs at least one statistic"):
        zonal_stats(frame(cell_box(0, 0, 1, 1)), values_tif, stats=[])


def test_band_out_of_range(values_tif):
    with pytest.raises(
        ValueError,
        match=r"`band` passed to zonal_stats\(\) must be a band number from 1 to 1 .* got 2",
    ):
        zonal_stats(frame(cell_box(0, 0, 1, 1)), values_tif, band=2)


def test_missing_raster_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no such raster file: .*nothing.tif"):
        zonal_stats(frame(cell_box(0, 0, 1, 1)), tmp_path / "nothing.tif")


def test_raster_without_crs(tmp_path):
    path = write_tif(tmp_path / "nocrs.tif", np.ones((10, 10), dtype="float32"), crs=None)
    with pytest.raises(CRSError, match=r"declares no CRS.*gdal_edit.py -a_srs"):
        zonal_stats(frame(cell_box(0, 0, 1, 1)), path)


def test_parcels_without_crs(values_tif):
    with pytest.raises(CRSError, match=r"`parcels` passed to zonal_stats\(\) has no CRS.*set_crs"):
        zonal_stats(frame(cell_box(0, 0, 1, 1), crs=None), values_tif)


def test_not_a_geodataframe(values_tif):
    with pytest.raises(
        TypeError, match="must be a GeoDataFrame or GeoSeries of polygons; got DataFrame"
    ):
        zonal_stats(pd.DataFrame({"a": [1]}), values_tif)


def test_non_polygons_are_listed(values_tif):
    parcels = frame(
        cell_box(0, 0, 1, 1),
        shapely.Point(X0, Y0),
        shapely.LineString([(X0, Y0), (X0 + 5, Y0)]),
        index=["A", "B", "C"],
    )
    with pytest.raises(GeometryError, match=r"2 of 3 rows are Point, LineString \(index B, C\)"):
        zonal_stats(parcels, values_tif)


def test_invalid_polygon_is_repaired_with_a_warning(values_tif):
    # bow-tie over cells (0,0) and (0,1): make_valid keeps both triangles, ½ cell each
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 20, Y0 - 10), (X0 + 20, Y0), (X0, Y0 - 10)])
    with pytest.warns(
        LanduseWarning, match=r"repaired 1 invalid polygon\(s\) in `parcels`.*index 7"
    ):
        out = zonal_stats(frame(bowtie, index=[7]), values_tif, stats=["count", "mean"])
    assert out.loc[7, "count"] == pytest.approx(1.0, rel=1e-6)
    assert out.loc[7, "mean"] == pytest.approx(0.5, rel=1e-6)


def test_no_parcel_on_the_raster_warns(values_tif):
    far = frame(shapely.box(0, 0, 10, 10))
    with pytest.warns(
        LanduseWarning, match=r"none of the 1 parcels overlaps `raster`.*Check the CRS"
    ):
        out = zonal_stats(far, values_tif, stats=["count"])
    assert out["count"].tolist() == [0.0]


def test_bad_categories(values_tif):
    with pytest.raises(TypeError, match="must hold numbers"):
        zonal_stats(frame(cell_box(0, 0, 1, 1)), values_tif, categories=["built"])
    with pytest.raises(TypeError, match="must be a sequence of class values"):
        zonal_stats(frame(cell_box(0, 0, 1, 1)), values_tif, categories="1")
    with pytest.raises(ValueError, match="repeats a class value"):
        zonal_stats(frame(cell_box(0, 0, 1, 1)), values_tif, categories=[1, 1])


def test_progress_bar_only_when_asked(values_tif, capsys):
    parcels = frame(cell_box(0, 0, 1, 1), cell_box(1, 1, 2, 2))
    zonal_stats(parcels, values_tif, stats=["mean"])
    assert capsys.readouterr() == ("", "")
    zonal_stats(parcels, values_tif, stats=["mean"], progress=True)
    err = capsys.readouterr().err
    assert "zonal_stats(): raster" in err
    assert "2/2" in err


# ---------------------------------------------------------------------------------------------
# builtup_share, estimate_floor_area, activity_index, raster_evidence
# ---------------------------------------------------------------------------------------------


def test_builtup_share(landcover_tif):
    parcels = frame(
        cell_box(2.5, 8, 4, 9.5),  # ½ built-up cell, 1 bare cell, ¾ cell of nodata
        cell_box(0, 0, 3, 1),  # all built-up
        cell_box(0, 9, 3, 10),  # all nodata
        index=[3, 1, 2],
    )
    share = builtup_share(parcels, landcover_tif, classes=(1,))
    assert share.name == "builtup_share"
    assert share.index.tolist() == [3, 1, 2]
    assert share.tolist()[:2] == pytest.approx([1 / 3, 1.0], rel=1e-12)
    assert math.isnan(share.tolist()[2])
    both = builtup_share(parcels, landcover_tif, classes=[1, 2])
    assert both.tolist()[:2] == [1.0, 1.0]


def test_builtup_share_needs_classes(landcover_tif):
    with pytest.raises(
        ValueError, match=r"`classes` passed to builtup_share\(\) is empty.*\(50,\)"
    ):
        builtup_share(frame(cell_box(0, 0, 1, 1)), landcover_tif, classes=())


@pytest.mark.parametrize(
    ("rounding", "storeys_10m"),
    [("round", 3.0), ("floor", 2.0), ("none", 2.5)],  # 10 m at 4 m a storey
)
def test_floor_area_from_height(height_tif, rounding, storeys_10m):
    # columns 1–3, rows 0–1.5: 12 m cells (col 1) 1.5 px, 10 m cells (col 2) 1.5 px = 300 m²
    parcels = frame(cell_box(1, 0, 3, 1.5), cell_box(4, 0, 6, 2))
    out = estimate_floor_area(
        parcels, height_raster=height_tif, storey_height_m=4.0, rounding=rounding
    )
    assert list(out.columns) == [
        "floor_area_m2",
        "footprint_m2",
        "far",
        "building_coverage",
        "valid_share",
    ]
    # 12 m → 3 storeys under every rounding
    expected = 150 * 3 + 150 * storeys_10m
    assert out.loc[0, "floor_area_m2"] == pytest.approx(expected, rel=1e-9)
    assert out.loc[0, "footprint_m2"] == pytest.approx(300.0, rel=1e-9)
    assert out.loc[0, "far"] == pytest.approx(expected / 300.0, rel=1e-9)
    assert out.loc[0, "building_coverage"] == 1.0
    # open ground only
    assert (
        out.loc[1, ["floor_area_m2", "footprint_m2", "far", "building_coverage"]].tolist()
        == [0.0] * 4
    )


def test_floor_area_extrapolates_over_nodata_and_counts_short_buildings(height_tif, tmp_path):
    # rows 8–10 of columns 0–1: one row of 12 m cells, one row of nodata
    out = estimate_floor_area(
        frame(cell_box(0, 8, 2, 10)), height_raster=height_tif, storey_height_m=4.0
    )
    assert out.loc[0, "valid_share"] == 0.5
    assert out.loc[0, "far"] == 3.0
    assert out.loc[0, "floor_area_m2"] == 3.0 * 400  # extrapolated over the whole 400 m²
    # a 2 m shed at 4 m a storey still has one storey; min_height_m drops it
    low = write_tif(tmp_path / "low.tif", np.full((10, 10), 2.0, dtype="float32"))
    parcel = frame(cell_box(0, 0, 1, 1))
    assert estimate_floor_area(parcel, height_raster=low, storey_height_m=4.0)[
        "floor_area_m2"
    ].tolist() == [100.0]
    assert estimate_floor_area(parcel, height_raster=low, storey_height_m=4.0, min_height_m=2.5)[
        "floor_area_m2"
    ].tolist() == [0.0]


def test_floor_area_checks(height_tif):
    parcels = frame(cell_box(0, 0, 1, 1))
    with pytest.raises(CRSError, match="geographic CRS"):
        estimate_floor_area(parcels.to_crs(4326), height_raster=height_tif, storey_height_m=4.0)
    with pytest.raises(
        ValueError, match=r"`storey_height_m` .* must be a positive number of metres; got 0"
    ):
        estimate_floor_area(parcels, height_raster=height_tif, storey_height_m=0)
    with pytest.raises(
        ValueError, match=r"`rounding` .* must be one of round, floor, none; got 'ceil'"
    ):
        estimate_floor_area(parcels, height_raster=height_tif, storey_height_m=4.0, rounding="ceil")


def test_activity_index(values_tif):
    # means 0.5·(0+1)=0.5? no: whole cells 0, 55 and 99
    parcels = frame(
        cell_box(0, 0, 1, 1), cell_box(5, 5, 6, 6), cell_box(9, 9, 10, 10), cell_box(20, 20, 21, 21)
    )
    with pytest.warns(LanduseWarning, match=r"activity_index\(\): 1 of 4 parcels lie outside"):
        out = activity_index(parcels, values_tif)
    assert out["night_light_mean"].tolist()[:3] == [0.0, 55.0, 99.0]
    assert out.attrs["reference"] == 55.0
    assert out["activity_index"].tolist()[:3] == [0.0, 1.0, 1.8]
    assert math.isnan(out["activity_index"].tolist()[3])
    with pytest.warns(LanduseWarning, match="1 of 4 parcels lie outside"):
        given = activity_index(parcels, values_tif, reference=11.0)
    assert given["activity_index"].tolist()[:3] == [0.0, 5.0, 9.0]
    with pytest.raises(ValueError, match="needs a positive `reference` radiance"):
        activity_index(parcels.iloc[:1], values_tif)  # median 0


def test_raster_evidence_flags(landcover_tif, values_tif):
    parcels = frame(
        cell_box(0, 0, 3, 1),  # built-up, light 1
        cell_box(5, 5, 6, 6),  # bare, light 55
        cell_box(9, 9, 10, 10),  # land cover nodata, light 99
        index=["a", "b", "c"],
    )
    ev = raster_evidence(
        parcels,
        landcover=landcover_tif,
        builtup_classes=(1,),
        night_light=values_tif,
        policy="qingdao-2019",
    )
    assert ev["builtup_share"].tolist()[:2] == [1.0, 0.0]
    assert ev["vacant_by_raster"].tolist() == [False, True, pd.NA]
    # means 1, 55, 99; median 55 → index 1/55 < 0.1
    assert ev["dark_by_night_light"].tolist() == [True, False, False]
    assert ev.attrs["policy"] == "qingdao-2019"
    assert ev.attrs["thresholds"]["max_builtup_share"] == pytest.approx(1 / 3)
    assert ev.attrs["not_evaluated"] == []
    strict = raster_evidence(
        parcels, night_light=values_tif, max_activity_index=0.01, policy="qingdao-2019"
    )
    assert strict["dark_by_night_light"].tolist() == [False, False, False]
    assert strict["vacant_by_raster"].isna().all()
    assert strict.attrs["not_evaluated"] == ["vacant_by_raster"]
    policy = landuse.load_policy().replace({"idle.land_cover_built_share_min": 0.0})
    none_vacant = raster_evidence(
        parcels, landcover=landcover_tif, builtup_classes=(1,), policy=policy
    )
    assert none_vacant["vacant_by_raster"].tolist() == [False, False, pd.NA]


def test_raster_evidence_threshold_from_the_profile_or_not_evaluated(landcover_tif):
    parcels = frame(cell_box(0, 0, 3, 1), cell_box(5, 5, 6, 6), index=["a", "b"])
    qd = landuse.load_policy("qingdao-2019")
    ev = raster_evidence(parcels, landcover=landcover_tif, builtup_classes=(1,), policy=qd)
    # idle.land_cover_built_share_min = 1/3 (a method choice): b (0 % built) is vacant
    assert ev["vacant_by_raster"].tolist() == [False, True]
    assert ev.attrs["thresholds"]["max_builtup_share_source"] == (
        "policy `idle.land_cover_built_share_min` (qingdao-2019)"
    )
    assert "idle.land_cover_built_share_min" in ev.attrs["policy_keys"]
    # the argument overrides the profile
    own = raster_evidence(
        parcels, landcover=landcover_tif, builtup_classes=(1,), max_builtup_share=0.0, policy=qd
    )
    assert own["vacant_by_raster"].tolist() == [False, False]
    assert own.attrs["thresholds"]["max_builtup_share_source"] == "argument max_builtup_share"
    # unset: the share is measured, the flag is not evaluated and the key named
    unset = qd.replace({"idle.land_cover_built_share_min": None})
    none = raster_evidence(parcels, landcover=landcover_tif, builtup_classes=(1,), policy=unset)
    assert none["builtup_share"].tolist() == [1.0, 0.0]
    assert none["vacant_by_raster"].isna().all()
    assert none.attrs["not_evaluated"] == ["vacant_by_raster", "dark_by_night_light"]
    assert none.attrs["missing"]["vacant_by_raster"] == ["policy `idle.land_cover_built_share_min`"]
    found = landuse.find_inefficient_land(
        parcels.assign(parcel_id=["a", "b"]), as_of="2021-12-31", policy=unset,
        raster_evidence=none,
    )  # fmt: skip
    assert found.attrs["not_evaluated"]["vacant_by_raster"] == [
        "policy `idle.land_cover_built_share_min`"
    ]


def test_raster_evidence_arguments(landcover_tif):
    parcels = frame(cell_box(0, 0, 1, 1))
    with pytest.raises(ValueError, match="needs `landcover`"):
        raster_evidence(parcels, policy="qingdao-2019")
    with pytest.raises(ValueError, match="needs `builtup_classes`"):
        raster_evidence(parcels, landcover=landcover_tif, policy="qingdao-2019")
    with pytest.raises(ValueError, match=r"`max_activity_index` .* must be a number ≥ 0; got -1"):
        raster_evidence(
            parcels,
            landcover=landcover_tif,
            builtup_classes=(1,),
            max_activity_index=-1,
            policy="qingdao-2019",
        )


def test_raster_evidence_policy_is_required_and_any_form_works(landcover_tif, tmp_path):
    parcels = frame(cell_box(0, 0, 3, 1), cell_box(5, 5, 6, 6), index=["a", "b"])
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'policy'"):
        raster_evidence(parcels, landcover=landcover_tif, builtup_classes=(1,))  # type: ignore[call-arg]
    with pytest.raises(
        TypeError,
        match=r"`policy` passed to raster_evidence\(\) must be a landuse.Policy, a built-in "
        r"profile name .* received None",
    ):
        raster_evidence(parcels, landcover=landcover_tif, builtup_classes=(1,), policy=None)
    toml = tmp_path / "qingdao-2019.toml"
    toml.write_bytes(
        (Path(landuse.__file__).parent / "policy" / "profiles" / "qingdao-2019.toml").read_bytes()
    )
    qd = landuse.load_policy("qingdao-2019")
    results = [
        raster_evidence(parcels, landcover=landcover_tif, builtup_classes=(1,), policy=p)
        for p in ("qingdao-2019", qd, toml, str(toml))
    ]
    for ev in results:
        assert ev.attrs["thresholds"] == results[0].attrs["thresholds"]
        pd.testing.assert_frame_equal(ev, results[0])
    assert results[0]["vacant_by_raster"].tolist() == [False, True]
    # a policy with another threshold gives another verdict
    none_vacant = qd.replace({"idle.land_cover_built_share_min": 0.0})
    other = raster_evidence(
        parcels, landcover=landcover_tif, builtup_classes=(1,), policy=none_vacant
    )
    assert other["vacant_by_raster"].tolist() == [False, False]


def test_raster_evidence_names_itself_in_errors_raised_inside(landcover_tif):
    points = gpd.GeoDataFrame(geometry=[shapely.Point(1, 1)], crs=CRS)
    with pytest.raises(GeometryError, match=r"`parcels` passed to raster_evidence\(\) must hold"):
        raster_evidence(
            points, landcover=landcover_tif, builtup_classes=(1,), policy="qingdao-2019"
        )
    parcels = frame(cell_box(0, 0, 1, 1))
    with pytest.raises(ValueError, match=r"`classes` passed to raster_evidence\(\) is empty"):
        raster_evidence(parcels, landcover=landcover_tif, builtup_classes=(), policy="qingdao-2019")


def test_raster_evidence_checks_and_repairs_the_parcels_once(landcover_tif, values_tif):
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 20, Y0 - 10), (X0 + 20, Y0), (X0, Y0 - 10)])
    parcels = frame(bowtie, cell_box(5, 5, 6, 6))
    with pytest.warns(LanduseWarning, match=r"raster_evidence\(\): repaired 1 invalid") as seen:
        raster_evidence(
            parcels,
            landcover=landcover_tif,
            builtup_classes=(1,),
            night_light=values_tif,
            reference=1.0,
            policy="qingdao-2019",
        )
    assert len([w for w in seen if "repaired" in str(w.message)]) == 1


def test_evidence_feeds_find_inefficient_land(landcover_tif, values_tif):
    shapes = [cell_box(0, 0, 3, 1), cell_box(5, 5, 6, 6), cell_box(9, 9, 10, 10)]
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["a", "b", "c", "d"], "land_use": "industrial"},
        geometry=[*shapes, cell_box(0, 5, 1, 6)],
        index=["a", "b", "c", "d"],
        crs=CRS,
    )
    # evidence for a, b, c only (d is not evaluated): light means 1, 55, 99 → median 55
    ev = raster_evidence(
        parcels.iloc[:3],
        landcover=landcover_tif,
        builtup_classes=(1,),
        night_light=values_tif,
        policy="qingdao-2019",
    )
    found = landuse.find_inefficient_land(
        parcels, as_of="2021-12-31", policy="qingdao-2019", raster_evidence=ev
    )
    assert found.index.tolist() == ["a", "b"]
    assert found["reasons"].tolist() == ["dark_by_night_light", "vacant_by_raster"]
    assert found["reason_text"].tolist() == [
        "夜间灯光疑似停产：活动指数 0.02，低于 0.1",  # 1 / 55 = 0.018
        "遥感疑似闲置：建成面积占比 0%，低于 33.3%",
    ]
    assert found["builtup_share"].tolist() == [1.0, 0.0]
    assert found["activity_index"].tolist() == pytest.approx([1 / 55, 1.0])
    rules = found.attrs["rules"]
    assert (rules["vacant_by_raster"]["checked"], rules["vacant_by_raster"]["flagged"]) == (2, 1)
    assert (rules["dark_by_night_light"]["checked"], rules["dark_by_night_light"]["flagged"]) == (
        3,
        1,
    )
    assert "vacant_by_raster" not in found.attrs["not_evaluated"]
    en = landuse.find_inefficient_land(
        parcels, as_of="2021-12-31", policy="qingdao-2019", raster_evidence=ev, lang="en"
    )
    assert en["reason_text"].tolist() == [
        "dark at night: activity index 0.02 below 0.1",
        "vacant by land cover: 0% built-up, below 33.3%",
    ]
    # night light only: the land-cover reason is not evaluated, and says why
    dark_only = raster_evidence(parcels.iloc[:3], night_light=values_tif, policy="qingdao-2019")
    found = landuse.find_inefficient_land(
        parcels, as_of="2021-12-31", policy="qingdao-2019", raster_evidence=dark_only
    )
    assert found["reasons"].tolist() == ["dark_by_night_light"]
    assert found.attrs["not_evaluated"]["vacant_by_raster"] == [
        "`landcover=` raster in raster_evidence()"
    ]
    # without evidence both are listed as not evaluated
    plain = landuse.find_inefficient_land(parcels, as_of="2021-12-31", policy="qingdao-2019")
    assert len(plain) == 0
    assert {"vacant_by_raster", "dark_by_night_light"} <= set(plain.attrs["not_evaluated"])


def test_evidence_for_other_parcels_is_refused(values_tif):
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["a"], "land_use": "industrial"}, geometry=[cell_box(0, 0, 1, 1)], crs=CRS
    )
    ev = raster_evidence(parcels, night_light=values_tif, reference=1.0, policy="qingdao-2019")

    def run(evidence):
        return landuse.find_inefficient_land(
            parcels, as_of="2021-12-31", policy="qingdao-2019", raster_evidence=evidence
        )

    with pytest.raises(ValueError, match=r"shares no index value with the 1 parcels"):
        run(ev.set_axis(["x"]))
    with pytest.raises(ValueError, match=r"repeats 1 parcel index values \(0\)"):
        run(pd.concat([ev, ev]))
    with pytest.raises(ValueError, match="has neither `vacant_by_raster` nor"):
        run(ev[["activity_index"]])
    with pytest.raises(ValueError, match="must be a DataFrame; got Series"):
        run(ev["activity_index"])


# ---------------------------------------------------------------------------------------------
# rasterize_metric
# ---------------------------------------------------------------------------------------------


def test_rasterize_like_a_raster(values_tif, tmp_path):
    parcels = gpd.GeoDataFrame(
        {"far": [1.5, np.nan, 0.8], "idle": [True, False, True]},
        geometry=[cell_box(0, 0, 2, 2), cell_box(5, 5, 6, 6), cell_box(1.4, 1.4, 3, 3)],
        crs=CRS,
    ).to_crs(4326)  # reprojected onto the grid of `like`
    out = rasterize_metric(parcels, "far", like=values_tif, out=tmp_path / "far.tif")
    with rasterio.open(out) as ds, rasterio.open(values_tif) as like:
        assert (ds.crs, ds.transform, ds.shape) == (like.crs, like.transform, like.shape)
        assert ds.descriptions == ("far",)
        assert ds.nodata == -9999.0
        assert ds.profile["tiled"]
        assert ds.profile["compress"] == "deflate"
        a = ds.read(1)
    assert [a[0, 0], a[0, 1], a[1, 0]] == [1.5, 1.5, 1.5]
    assert a[1, 1] == pytest.approx(0.8)  # overlap: the later row wins
    assert a[2, 2] == pytest.approx(0.8)
    assert a[5, 5] == -9999.0  # missing value
    assert (a != -9999.0).sum() == 3 + 4  # cell centres inside
    flags = rasterize_metric(
        parcels, "idle", like=values_tif, out=tmp_path / "idle.tif", dtype="float64"
    )
    with rasterio.open(flags) as ds:
        assert ds.dtypes == ("float64",)
        assert ds.read(1)[0, 0] == 1.0


def test_rasterize_at_a_resolution(tmp_path):
    parcels = gpd.GeoDataFrame(
        {"v": [2.0, 3.0]},
        geometry=[shapely.box(1003, 2001, 1020, 2019), shapely.box(1040, 2000, 1042, 2002)],
        crs=CRS,
    )
    out = rasterize_metric(parcels, "v", resolution=10, out=tmp_path / "v.tif")
    with rasterio.open(out) as ds:
        assert ds.bounds == (1000.0, 2000.0, 1050.0, 2020.0)
        assert ds.res == (10.0, 10.0)
        a = ds.read(1)
    # centres (1005, 2015), (1015, 2015), (1005, 2005), (1015, 2005) inside the first parcel
    assert a.tolist()[0][:2] == [2.0, 2.0]
    assert a.tolist()[1][:2] == [2.0, 2.0]
    assert a[1, 4] == -9999.0  # the 2 m parcel misses the centre (1045, 2005)
    touched = rasterize_metric(
        parcels, "v", resolution=10, out=tmp_path / "v.tif", all_touched=True
    )
    with rasterio.open(touched) as ds:
        assert ds.read(1)[1, 4] == 3.0


def test_rasterize_checks_and_keeps_the_old_file_on_error(tmp_path):
    parcels = gpd.GeoDataFrame(
        {"name": ["x"], "v": [1.0]}, geometry=[shapely.box(0, 0, 10, 10)], crs=CRS
    )
    target = tmp_path / "m.tif"
    target.write_bytes(b"old")
    with pytest.raises(SchemaError, match="'far' is not a column of `parcels`"):
        rasterize_metric(parcels, "far", resolution=1, out=target)
    with pytest.raises(SchemaError, match=r"'name' holds .* values; a raster needs numbers"):
        rasterize_metric(parcels, "name", resolution=1, out=target)
    with pytest.raises(ValueError, match="exactly one of `like`"):
        rasterize_metric(parcels, "v", out=target)
    with pytest.raises(ValueError, match="must be a positive cell size"):
        rasterize_metric(parcels, "v", resolution=0, out=target)
    with pytest.raises(CRSError, match="geographic CRS"):
        rasterize_metric(parcels.to_crs(4326), "v", resolution=1, out=target)
    with pytest.raises(ValueError, match=r"makes a grid of .* pick a coarser cell size"):
        rasterize_metric(parcels, "v", resolution=1e-4, out=target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.tif"]


# ---------------------------------------------------------------------------------------------
# the bundled sample
# ---------------------------------------------------------------------------------------------


def test_sample_evidence_matches_the_cases():
    sample = landuse.load_sample()
    with rasterio.open(sample.rasters["builtup"]) as ds:
        window = shapely.box(*ds.bounds)
    parcels = sample.parcels[sample.parcels.within(window)]
    ev = raster_evidence(
        parcels,
        landcover=sample.rasters["builtup"],
        builtup_classes=(1,),
        night_light=sample.rasters["night_light"],
        policy="qingdao-2019",
    )
    status = parcels["production_status"]
    # not started: bare land and dark; producing: lit
    assert ev.loc[status == "not_started", "vacant_by_raster"].all()
    assert ev.loc[status == "not_started", "dark_by_night_light"].all()
    assert not ev.loc[status == "producing", "dark_by_night_light"].any()
    floor = estimate_floor_area(
        parcels, height_raster=sample.rasters["building_height"], storey_height_m=5.0
    )
    built = parcels["floor_area_m2"] > 0
    ratio = floor.loc[built, "floor_area_m2"] / parcels.loc[built, "floor_area_m2"]
    assert 0.9 < ratio.median() < 1.1


# ---------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------


def test_cli_zonal(tmp_path, landcover_tif):
    from click.testing import CliRunner

    from landuse.cli import main

    parcels = gpd.GeoDataFrame(
        {"宗地编号": ["370282-001", "370282-002"]},
        geometry=[cell_box(2.5, 8, 4, 9.5), cell_box(0, 0, 3, 1)],
        crs=CRS,
    )
    src = tmp_path / "parcels.gpkg"
    parcels.to_file(src, layer="parcels")
    out = tmp_path / "zonal.csv"
    result = CliRunner().invoke(
        main,
        [
            "zonal",
            str(src),
            str(landcover_tif),
            "-o",
            str(out),
            "--stats",
            "count,majority",
            "--categories",
            "1,2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 parcels × 4 statistics of landcover.tif band 1" in result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the UTF-8
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert table.columns.tolist() == [
        "宗地编号", "覆盖像元数", "众数", "类别 1 面积占比（%）", "类别 2 面积占比（%）"
    ]  # fmt: skip
    assert table["宗地编号"].tolist() == ["370282-001", "370282-002"]
    assert table["覆盖像元数"].tolist() == [1.5, 3.0]
    assert table["类别 1 面积占比（%）"].tolist() == [33.33, 100.0]  # 1/3, in % to 0.01

    bad = CliRunner().invoke(
        main, ["zonal", str(src), str(landcover_tif), "-o", str(out), "--stats", "avg"]
    )
    assert bad.exit_code == 2
    assert "unknown statistic(s) 'avg'" in bad.output


def test_exactextract_adapters_are_module_classes_built_once(values_tif, monkeypatch):
    import exactextract

    from landuse.raster import _exactextract, _zonal

    seen = []
    real = exactextract.exact_extract

    def spy(rast, vec, *args, **kwargs):
        seen.append((type(rast), type(vec), type(kwargs["output"])))
        return real(rast, vec, *args, **kwargs)

    monkeypatch.setattr(_zonal.exactextract, "exact_extract", spy)
    for _ in range(2):
        zonal_stats(frame(cell_box(0, 0, 1, 1)), values_tif, stats=["mean"])
    assert (
        seen
        == [(_exactextract.ChunkSource, _exactextract.WkbSource, _exactextract.ArrayWriter)] * 2
    )
    assert issubclass(_exactextract.ChunkSource, exactextract.raster.RasterSource)
    assert issubclass(_exactextract.WkbSource, exactextract.feature.FeatureSource)
    assert issubclass(_exactextract.ArrayWriter, exactextract.writer.Writer)


def test_night_light_threshold_from_the_profile_or_not_evaluated(values_tif):
    """idle.night_light_activity_index_max (0.1, a method choice) unless given (issue 22)."""
    parcels = frame(cell_box(0, 0, 3, 1), cell_box(5, 5, 6, 6), cell_box(9, 9, 10, 10))
    qd = landuse.load_policy("qingdao-2019")
    # means 1, 55, 99; median 55 → indexes 1/55, 1, 99/55: only the first is < 0.1
    ev = raster_evidence(parcels, night_light=values_tif, policy=qd)
    assert ev["dark_by_night_light"].tolist() == [True, False, False]
    assert ev.attrs["thresholds"]["max_activity_index"] == 0.1
    assert "idle.night_light_activity_index_max" in ev.attrs["policy_keys"]
    stricter = qd.replace({"idle.night_light_activity_index_max": 0.01})
    none_dark = raster_evidence(parcels, night_light=values_tif, policy=stricter)
    assert none_dark["dark_by_night_light"].tolist() == [False, False, False]
    unset = qd.replace({"idle.night_light_activity_index_max": None})
    off = raster_evidence(parcels, night_light=values_tif, policy=unset)
    assert off["activity_index"].round(4).tolist() == [round(1 / 55, 4), 1.0, round(99 / 55, 4)]
    assert off["dark_by_night_light"].isna().all()
    assert off.attrs["not_evaluated"] == ["vacant_by_raster", "dark_by_night_light"]
    assert off.attrs["missing"]["dark_by_night_light"] == [
        "policy `idle.night_light_activity_index_max`"
    ]
    given = raster_evidence(parcels, night_light=values_tif, max_activity_index=1.5, policy=unset)
    assert given["dark_by_night_light"].tolist() == [True, True, False]
