"""landuse.scale: the analyses on dask-geopandas partitions equal the in-memory functions.

One LocalCluster (2 worker processes, 1 thread each) for the module; 50,000 synthetic parcels
written as 8 GeoParquet partitions. Exact hand-checked fixtures: 100 m squares (15 亩 each)
split over two partitions, with a building straddling the partition boundary.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import dask
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from conftest import QD_GK, square
from geopandas.testing import assert_geodataframe_equal

import landuse
from landuse import scale
from landuse.datasets import (
    synthetic_buildings,
    synthetic_parcels,
    synthetic_proposals,
    synthetic_zones,
)
from landuse.errors import CRSError, SchemaError

distributed = pytest.importorskip("distributed")
dask_geopandas = pytest.importorskip("dask_geopandas")

POLICY = landuse.load_policy("qingdao-2019")
#: qingdao-2019 with the example values of its user inputs (tax floor 20 万元/亩 …)
EXAMPLE = landuse.load_policy("qingdao-2019-example")
AS_OF = "2021-12-31"


def assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same rows (index), columns, dtypes and values to 1e-9; geometry equal."""
    assert got.index.is_unique
    assert list(got.columns) == list(expected.columns)
    if isinstance(expected, gpd.GeoDataFrame):
        assert isinstance(got, gpd.GeoDataFrame)
        assert got.crs == expected.crs
        assert_geodataframe_equal(got, expected, check_less_precise=False)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=0, atol=1e-9)


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: 8787 may be taken
            silence_logs=logging.CRITICAL,
            memory_limit="4GB",
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@dataclass
class Data:
    parcels: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    proposals: gpd.GeoDataFrame
    parcels_dir: Path
    buildings_dir: Path
    proposals_dir: Path


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Data:
    root = tmp_path_factory.mktemp("scale")
    parcels = landuse.read_parcels(synthetic_parcels(50_000, seed=11))
    buildings = synthetic_buildings(parcels, per_parcel=2, seed=11)
    zones, areas = synthetic_zones(20, seed=11, parcels=parcels)
    proposals = landuse.read_proposals(synthetic_proposals(4_000, zones=zones, seed=11))
    return Data(
        parcels=parcels,
        buildings=buildings,
        zones=zones,
        areas=areas,
        proposals=proposals,
        parcels_dir=scale.write_partitioned(parcels, root / "parcels", npartitions=8),
        buildings_dir=scale.write_partitioned(buildings, root / "buildings", npartitions=8),
        proposals_dir=scale.write_partitioned(proposals, root / "proposals", npartitions=4),
    )


@pytest.fixture(scope="module")
def dparcels(data, client):
    return scale.read_parcels(data.parcels_dir)


def four_parcels() -> gpd.GeoDataFrame:
    """Four 100 m squares in a row (15 亩 each), completed and producing, industry 36."""
    x, y = QD_GK
    return gpd.GeoDataFrame(
        {
            "parcel_id": ["P1", "P2", "P3", "P4"],
            "land_use": ["industrial"] * 4,
            "industry_code": ["36"] * 4,
            "production_status": ["producing"] * 4,
            "completion_date": pd.to_datetime(["2015-01-01"] * 4),
            "tax_wan": [300.0, 150.0, 75.0, 600.0],
        },
        geometry=[square(x + i * 100, y) for i in range(4)],
        crs="EPSG:4549",
    )


def two_buildings() -> gpd.GeoDataFrame:
    """B1: 50 × 40 m, 3 storeys in P1; B2: 100 × 20 m, 2 storeys, half in P2, half in P3."""
    x, y = QD_GK
    return gpd.GeoDataFrame(
        {"building_id": ["B1", "B2"], "levels": [3.0, 2.0]},
        geometry=[
            shapely.box(x + 10, y + 10, x + 60, y + 50),
            shapely.box(x + 150, y + 40, x + 250, y + 60),
        ],
        crs="EPSG:4549",
    )


@pytest.fixture
def small(tmp_path):
    """The four parcels as two partitions: P1, P2 | P3, P4 (the boundary runs through B2)."""
    folder = scale.write_partitioned(four_parcels(), tmp_path / "four", npartitions=2)
    return scale.read_parcels(folder)


# --- hand-checked fixtures ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["memory", "dask"])
def test_metrics_split_a_straddling_building_by_area_across_partitions(small, kind):
    assert small.npartitions == 2
    assert small.divisions == (0, 2, 3)
    buildings = two_buildings()
    if kind == "dask":
        buildings = dask_geopandas.from_geopandas(buildings, npartitions=1)
    with dask.config.set(scheduler="synchronous"):
        m = scale.parcel_metrics(small, buildings=buildings, policy=POLICY).compute()
    assert m.index.tolist() == [0, 1, 2, 3]
    assert m["land_area_mu"].tolist() == [15.0, 15.0, 15.0, 15.0]
    # B1 2000 m² × 3 in P1; B2 1000 m² × 2 on each side of the partition boundary
    assert m["floor_area_m2"].tolist() == [6000.0, 2000.0, 2000.0, 0.0]
    assert m["footprint_m2"].tolist() == [2000.0, 1000.0, 1000.0, 0.0]
    assert m["far"].tolist() == [0.6, 0.2, 0.2, 0.0]
    assert m["building_coefficient"].tolist() == [0.2, 0.1, 0.1, 0.0]
    assert m["tax_per_mu_wan"].tolist() == [20.0, 10.0, 5.0, 40.0]
    assert m["far_min"].tolist() == [0.7] * 4
    assert m["far_pass"].tolist() == [False] * 4
    assert m.attrs["policy"] == "qingdao-2019"
    assert m.attrs["floor_area_source"] == "buildings"


def test_buildings_without_floor_area_are_reported_once(small):
    buildings = two_buildings()
    buildings.loc[1, "levels"] = np.nan
    with pytest.warns(landuse.LanduseWarning, match=r"1 of 2 buildings have no levels, height"):
        lazy = scale.parcel_metrics(small, buildings=buildings, policy=POLICY)
    with dask.config.set(scheduler="synchronous"):
        far = lazy.compute()["far"]
    # B2 (unknown floor area) lies in P2 and P3: their FAR is missing, not 0
    assert far.isna().tolist() == [False, True, True, False]


def test_find_inefficient_land_reasons_on_two_partitions(small):
    with dask.config.set(scheduler="synchronous"):
        found = scale.find_inefficient_land(
            small, buildings=two_buildings(), as_of=AS_OF, policy=EXAMPLE, lang="en"
        ).compute()
        # qingdao-2019 leaves the per-parcel tax floor unset: that rule is not evaluated
        unset = scale.find_inefficient_land(
            small, buildings=two_buildings(), as_of=AS_OF, policy=POLICY, lang="en"
        ).compute()
    assert unset["reasons"].tolist() == ["far_below_min;building_coefficient_below_min"] * 4
    assert unset.attrs["not_evaluated"]["tax_below_floor"] == [
        "policy `inefficient.tax_wan_per_mu_min`"
    ]
    # example profile: FAR < 0.7 and building coefficient < 30 % everywhere; tax < 20 万元/亩
    # in P2, P3
    assert found["parcel_id"].tolist() == ["P1", "P2", "P3", "P4"]
    assert found["reasons"].tolist() == [
        "far_below_min;building_coefficient_below_min",
        "far_below_min;building_coefficient_below_min;tax_below_floor",
        "far_below_min;building_coefficient_below_min;tax_below_floor",
        "far_below_min;building_coefficient_below_min",
    ]
    assert found["far"].tolist() == [0.6, 0.2, 0.2, 0.0]
    assert found.loc[2, "reason_text"].startswith("FAR below the control indicator: FAR 0.20")
    assert found.attrs["as_of"] == AS_OF


def test_check_new_land_verdicts_on_two_partitions():
    zones = gpd.GeoDataFrame(
        {"zone_id": ["QD01"]}, geometry=[shapely.box(0, 0, 1000, 1000)], crs="EPSG:4549"
    )
    proposals = gpd.GeoDataFrame(
        {"proposal_id": ["N1", "N2", "N3", "N4"], "land_use": ["industrial"] * 4},
        geometry=[
            shapely.box(100, 100, 200, 200),
            shapely.box(950, 0, 1050, 100),
            shapely.box(1200, 0, 1300, 100),
            shapely.box(500, 500, 600, 600),
        ],
        crs="EPSG:4549",
    )
    parts = dask_geopandas.from_geopandas(proposals, npartitions=2)
    lazy = scale.check_new_land(parts, zones=zones, policy="qingdao-2019", lang="en")
    with dask.config.set(scheduler="synchronous"):
        report = lazy.compute()
        # the same policy= contract as everywhere: a name, a path and a Policy agree
        path = Path(landuse.policy.__file__).parent / "profiles" / "qingdao-2019.toml"
        for same in (path, POLICY):
            again = scale.check_new_land(parts, zones=zones, policy=same, lang="en").compute()
            assert_same(again, report)
    with pytest.raises(TypeError, match=r"`policy` passed to check_new_land\(\) must be"):
        scale.check_new_land(parts, zones=zones, policy=None)  # type: ignore[arg-type]
    assert report["verdict"].tolist() == ["inside", "straddles_boundary", "outside", "inside"]
    assert report["share_in_zone"].tolist() == [1.0, 0.5, 0.0, 1.0]
    assert report["area_outside_m2"].tolist() == [0.0, 5000.0, 10000.0, 0.0]
    assert report["distance_to_zone_m"].tolist() == [0.0, 0.0, 200.0, 0.0]
    assert report.attrs["tolerance_m2"] == 100.0


# --- 50,000 parcels on the cluster equal the in-memory functions --------------------------------


def test_zone_ids_and_from_geopandas_are_public(small):
    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z"]}, geometry=[square(*QD_GK, size=1000)], crs="EPSG:4549"
    )
    parcels = small.compute().drop(columns="zone_id", errors="ignore")
    parts = scale.from_geopandas(parcels, npartitions=2)
    assert parts.npartitions == 2 and parts.spatial_partitions is not None
    with dask.config.set(scheduler="synchronous"):
        got = scale.zone_ids(parts, zones=zones).compute()
    expected = landuse.assign_zones(parcels, zones=zones)["zone_id"]
    assert [None if pd.isna(v) else v for v in got] == [
        None if pd.isna(v) else v for v in expected
    ]
    assert got.index.equals(parcels.index) and got.notna().any()
    with pytest.raises(CRSError, match=r"^In landuse.scale.zone_ids\(\), `parcels` is in EPSG:4549"):
        scale.zone_ids(parts, zones=zones.to_crs("EPSG:4548"))


def test_read_parcels_equals_the_in_memory_reader(data, dparcels):
    assert dparcels.npartitions == 8
    assert dparcels.known_divisions
    assert dparcels.spatial_partitions is not None
    got = dparcels.compute()
    assert_same(got, data.parcels)


@pytest.mark.parametrize("npartitions", [3, 20])
def test_read_parcels_regroups_and_splits_files(data, client, npartitions):
    parcels = scale.read_parcels(
        data.parcels_dir, npartitions=npartitions, columns=["land_use", "tax_wan"]
    )
    assert parcels.npartitions == npartitions
    got = parcels.compute()
    assert_same(got, data.parcels[["parcel_id", "land_use", "tax_wan", "geometry"]])


def test_read_proposals_equals_the_in_memory_reader(data, client):
    got = scale.read_proposals(data.proposals_dir).compute()
    assert_same(got, data.proposals)
    # a glob reads the same files in natural order
    pattern = str(data.proposals_dir / "part.*.parquet")
    assert_same(scale.read_proposals(pattern, validate=False).compute(), data.proposals)
    with pytest.raises(SchemaError, match="`columns` names 'height_m', which the proposals"):
        scale.read_proposals(data.proposals_dir, columns=["height_m"])


def test_parcel_metrics(data, dparcels):
    got = scale.parcel_metrics(dparcels, policy=POLICY).compute()
    assert_same(got, landuse.parcel_metrics(data.parcels, policy=POLICY))


def test_parcel_metrics_with_in_memory_buildings(data, dparcels):
    lazy = scale.parcel_metrics(dparcels, policy=POLICY, buildings=data.buildings)
    # 100,000 buildings travel once in the graph (15 MB), above dask's 10 MB notice
    with dask.config.set({"distributed.admin.large-graph-warning-threshold": "64MB"}):
        got = lazy.compute()
    assert_same(got, landuse.parcel_metrics(data.parcels, policy=POLICY, buildings=data.buildings))


@pytest.mark.parametrize("order", ["spatial", "scattered"])
def test_parcel_metrics_with_partitioned_buildings(data, dparcels, order, tmp_path):
    if order == "spatial":
        buildings = dask_geopandas.read_parquet(data.buildings_dir)
        assert buildings.spatial_partitions is not None
        got = scale.parcel_metrics(dparcels, policy=POLICY, buildings=buildings).compute()
        expected = landuse.parcel_metrics(data.parcels, policy=POLICY, buildings=data.buildings)
        assert_same(got, expected)
        return
    # buildings in no spatial order: every partition spans the area, so they are shuffled
    parcels = data.parcels.iloc[:12_000]
    mine = data.buildings[data.buildings["parcel_id"].isin(parcels["parcel_id"])]
    shuffled = mine.iloc[np.random.default_rng(3).permutation(len(mine))]
    folder = scale.write_partitioned(shuffled, tmp_path / "b", npartitions=8)
    buildings = dask_geopandas.read_parquet(folder)
    lazy = scale.parcel_metrics(
        scale.read_parcels(scale.write_partitioned(parcels, tmp_path / "p", npartitions=6)),
        policy=POLICY,
        buildings=buildings,
    )
    got = lazy.compute()
    assert_same(got, landuse.parcel_metrics(parcels, policy=POLICY, buildings=mine))


def test_find_inefficient_land_with_zones(data, dparcels):
    options = {"zones": data.zones, "functional_areas": data.areas, "as_of": AS_OF}
    got = scale.find_inefficient_land(dparcels, policy=POLICY, **options).compute()
    expected = landuse.find_inefficient_land(data.parcels, policy=POLICY, **options)
    assert len(got) > 10_000
    assert_same(got, expected)
    assert got.attrs["not_evaluated"] == expected.attrs["not_evaluated"]


def test_find_inefficient_land_with_buildings_from_unordered_parcels(data, client, tmp_path):
    # parcels in no spatial order are shuffled; the result keeps the index, not the order
    parcels = data.parcels.iloc[:12_000]
    mine = data.buildings[data.buildings["parcel_id"].isin(parcels["parcel_id"])]
    shuffled = parcels.iloc[np.random.default_rng(5).permutation(len(parcels))]
    shuffled = shuffled.reset_index(drop=True)
    dshuffled = scale.read_parcels(scale.write_partitioned(shuffled, tmp_path / "p", npartitions=6))
    buildings = dask_geopandas.read_parquet(
        scale.write_partitioned(mine, tmp_path / "b", npartitions=4)
    )
    options = {"zones": data.zones, "as_of": AS_OF, "lang": "en"}
    got = scale.find_inefficient_land(dshuffled, policy=POLICY, buildings=buildings, **options)
    expected = landuse.find_inefficient_land(shuffled, policy=POLICY, buildings=mine, **options)
    assert_same(got.compute().sort_index(), expected)


def test_check_new_land(data, client):
    proposals = scale.read_proposals(data.proposals_dir)
    options = {"zones": data.zones, "functional_areas": data.areas, "policy": POLICY}
    got = scale.check_new_land(proposals, **options).compute()
    assert_same(got, landuse.check_new_land(data.proposals, **options))


def test_zonal_stats(client, tmp_path):
    sample = landuse.load_sample()
    parcels = scale.read_parcels(
        scale.write_partitioned(sample.parcels, tmp_path / "p", npartitions=4)
    )
    options = {"categories": {1: "built", 2: "bare"}, "stats": ["majority", "count", "valid_share"]}
    got = scale.zonal_stats(parcels, sample.rasters["builtup"], **options).compute()
    # the sample raster covers one zone: the in-memory call says so
    with pytest.warns(landuse.LanduseWarning, match="3,845 of 4,269 parcels lie outside"):
        expected = landuse.zonal_stats(sample.parcels, sample.rasters["builtup"], **options)
    assert_same(got, expected)


def test_write_parquet_round_trip(data, dparcels, tmp_path):
    found = scale.find_inefficient_land(dparcels, zones=data.zones, as_of=AS_OF, policy=POLICY)
    out = scale.write_parquet(found, tmp_path / "found")
    assert sorted(p.name for p in out.iterdir()) == [f"part.{i}.parquet" for i in range(8)]
    got = gpd.read_parquet(out)
    expected = landuse.find_inefficient_land(
        data.parcels, zones=data.zones, as_of=AS_OF, policy=POLICY
    )
    assert_same(got, expected)
    assert got.attrs["policy"] == "qingdao-2019"
    metrics = scale.write_parquet(scale.parcel_metrics(dparcels, policy=POLICY), tmp_path / "m")
    assert_same(pd.read_parquet(metrics), landuse.parcel_metrics(data.parcels, policy=POLICY))


def test_write_parquet_failure_keeps_the_previous_directory(data, client, tmp_path):
    out = scale.write_parquet(scale.read_proposals(data.proposals_dir), tmp_path / "out")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    raw = data.parcels.iloc[:400].copy()
    raw["tax_wan"] = raw["tax_wan"].map(lambda v: f"{v:.2f}")
    raw.loc[350, "tax_wan"] = "abc"  # in the last of 4 partitions
    folder = scale.write_partitioned(raw, tmp_path / "bad", npartitions=4)
    lazy = scale.parcel_metrics(scale.read_parcels(folder), policy=POLICY)
    with pytest.raises(SchemaError, match=r"part\.3\.parquet rows 0–99: .*tax_wan.*abc"):
        scale.write_parquet(lazy, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "out"]


def test_worker_lost_mid_run_loses_and_duplicates_no_rows(data, client, tmp_path):
    parcels = scale.read_parcels(data.parcels_dir, npartitions=24)
    options = {"zones": data.zones, "as_of": AS_OF}
    lazy = scale.find_inefficient_land(parcels, policy=POLICY, **options)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            scale.write_parquet(lazy, tmp_path / "found")
        except BaseException as exc:  # re-raised by the test below
            errors.append(exc)

    def finished(dask_scheduler) -> list[tuple[str, list[str]]]:
        return [
            (str(ts.key), [ws.address for ws in ts.who_has])
            for ts in dask_scheduler.tasks.values()
            if "write_part" in str(ts.key) and ts.state == "memory"
        ]

    pids_before = client.run(os.getpid)
    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    done: list[tuple[str, list[str]]] = []
    while not done:  # kill once a partition is written, while others are still to come
        assert time.monotonic() < deadline, "no partition was written"
        time.sleep(0.01)
        done = client.run_on_scheduler(finished)
    assert len(done) < 24
    victim = done[0][1][0]  # the worker holding that finished partition's result
    os.kill(pids_before[victim], signal.SIGKILL)
    thread.join(timeout=300)
    assert not thread.is_alive()
    assert not errors, errors
    got = gpd.read_parquet(tmp_path / "found")
    expected = landuse.find_inefficient_land(data.parcels, policy=POLICY, **options)
    assert len(got) == len(expected)
    assert got.index.is_unique
    assert got.index.tolist() == expected.index.tolist()
    assert_same(got, expected)
    client.wait_for_workers(2, timeout=120)
    assert pids_before[victim] not in client.run(os.getpid).values()


# --- errors ------------------------------------------------------------------------------------


def test_read_errors_name_the_path(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match=re.escape(f"no file or directory at '{missing}'")):
        scale.read_parcels(missing)
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(FileNotFoundError, match=r"holds no \.parquet files"):
        scale.read_parcels(tmp_path / "empty_dir")
    with pytest.raises(FileNotFoundError, match=r"no files match '.*\*\.parquet'"):
        scale.read_parcels(str(tmp_path / "*.parquet"))
    (tmp_path / "zero").mkdir()
    four_parcels().iloc[:0].to_parquet(tmp_path / "zero" / "part.0.parquet")
    with pytest.raises(SchemaError, match=r"parcels are empty: the 1 file\(s\) .* hold no rows"):
        scale.read_parcels(tmp_path / "zero")


def test_read_rejects_ids_repeated_across_partitions(client, tmp_path):
    parcels = four_parcels()
    parcels.loc[3, "parcel_id"] = "P1"  # P1, P2 | P3, P1: unique within each partition
    folder = scale.write_partitioned(parcels, tmp_path / "dup", npartitions=2)
    with pytest.raises(
        SchemaError, match=r"`parcel_id` must be unique across all partitions.*: P1\."
    ):
        scale.read_parcels(folder)
    assert scale.read_parcels(folder, validate=False).npartitions == 2


def test_geographic_files_need_a_crs(client, tmp_path):
    raw = four_parcels().to_crs("EPSG:4490")
    folder = scale.write_partitioned(raw, tmp_path / "geo", npartitions=2)
    with pytest.raises(CRSError, match="geographic"):
        scale.read_parcels(folder)
    got = scale.read_parcels(folder, crs="auto")
    assert got.crs.to_epsg() == 4549
    assert_same(got.compute(), landuse.read_parcels(raw))


def test_crs_mismatch_and_wrong_types(small):
    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z"]}, geometry=[square(*QD_GK, size=1000)], crs="EPSG:4549"
    ).to_crs("EPSG:4548")
    with pytest.raises(CRSError, match="zones"):
        scale.find_inefficient_land(small, zones=zones, as_of=AS_OF, policy=POLICY)
    with pytest.raises(CRSError, match="zones"):
        scale.check_new_land(small, zones=zones, policy=POLICY)
    with pytest.raises(TypeError, match=r"must be a dask_geopandas.GeoDataFrame.*from_geopandas"):
        scale.parcel_metrics(four_parcels(), policy=POLICY)
    with pytest.raises(TypeError, match="an open dataset cannot be sent"):
        scale.zonal_stats(small, object())  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError, match="no such raster file"):
        scale.zonal_stats(small, "missing.tif")
    with pytest.raises(ValueError, match="`lang`"):
        scale.find_inefficient_land(small, as_of=AS_OF, policy=POLICY, lang="fr")  # type: ignore[arg-type]


def test_zonal_stats_warns_once_when_no_partition_meets_the_raster(tmp_path):
    sample = landuse.load_sample()
    far = four_parcels()  # 60 km from the sample raster
    parcels = scale.read_parcels(scale.write_partitioned(far, tmp_path / "far", npartitions=2))
    with pytest.warns(
        landuse.LanduseWarning, match="none of the 2 partitions of `parcels` overlaps"
    ):
        lazy = scale.zonal_stats(parcels, sample.rasters["night_light"], stats=["count"])
    with dask.config.set(scheduler="synchronous"):
        assert lazy.compute()["count"].tolist() == [0.0] * 4


def test_write_targets_are_protected(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(
        FileExistsError, match=r"holds other things than part\.N\.parquet.*notes\.txt"
    ):
        scale.write_partitioned(four_parcels(), tmp_path / "mine")
    with pytest.raises(ValueError, match="not both"):
        scale.write_partitioned(four_parcels(), tmp_path / "x", npartitions=2, rows_per_partition=2)
    with pytest.raises(TypeError, match="must be a dask DataFrame"):
        scale.write_parquet(four_parcels(), tmp_path / "y")  # type: ignore[arg-type]
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def test_missing_extra_raises_import_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "dask_geopandas", None)
    with pytest.raises(
        ImportError, match=r'needs the optional extra `scale`: pip install "landuse\[scale\]"'
    ):
        scale.read_parcels(tmp_path)


def test_connect(client):
    with scale.connect(scheduler=client.scheduler.address) as other:
        assert len(other.scheduler_info()["workers"]) == 2
    assert client.status == "running"  # the cluster we did not start is left running
    with pytest.raises(ValueError, match="not both"):
        with scale.connect(scheduler=client.scheduler.address, workers=2):
            pass
    with pytest.raises(ValueError, match="`workers` passed to connect"):
        with scale.connect(workers=0):
            pass
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(
            ConnectionError, match=r"cannot reach the Dask scheduler at 'tcp://127\.0\.0\.1:9'"
        ):
            with scale.connect(scheduler="tcp://127.0.0.1:9"):
                pass


# --- the command line --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_gpkg(tmp_path_factory) -> Path:
    s = landuse.load_sample()
    path = tmp_path_factory.mktemp("cli") / "sample.gpkg"
    layers = {
        "zones": s.zones,
        "functional_areas": s.functional_areas,
        "parcels": s.parcels,
        "buildings": s.buildings,
        "proposals": s.proposals,
    }
    return landuse.write_layers(layers, path)


def _invoke(args: list[str]) -> None:
    from landuse.cli import main

    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


def test_cli_bank_on_workers_writes_the_same_files(sample_gpkg, tmp_path, client):
    common = ["--zones", str(sample_gpkg), "--as-of", "2021-12-31", "--buildings", str(sample_gpkg)]
    common += ["--functional-areas", str(sample_gpkg)]
    # the same parcels as partitioned GeoParquet, for a run on a running cluster
    parcels = landuse.read_parcels(sample_gpkg, layer="parcels")
    folder = scale.write_partitioned(parcels, tmp_path / "parcels", npartitions=3)
    runs = {
        "memory": [str(sample_gpkg), "--parcels-layer", "parcels"],
        "workers": [str(sample_gpkg), "--parcels-layer", "parcels", "--workers", "2"],
        "scheduler": [str(folder), "--scheduler", client.scheduler.address],
    }
    for label, args in runs.items():
        out = tmp_path / label
        out.mkdir()
        _invoke(["bank", *args, *common, "-o", str(out / "bank.gpkg"),
                 "--excel", str(out / "bank.xlsx")])  # fmt: skip
    memory = gpd.read_file(tmp_path / "memory" / "bank.gpkg", layer="project_bank")
    sheets = pd.read_excel(tmp_path / "memory" / "bank.xlsx", sheet_name=None)
    assert len(memory) > 100
    for label in ("workers", "scheduler"):
        got = gpd.read_file(tmp_path / label / "bank.gpkg", layer="project_bank")
        assert_geodataframe_equal(got, memory)
        got_sheets = pd.read_excel(tmp_path / label / "bank.xlsx", sheet_name=None)
        assert got_sheets.keys() == sheets.keys()
        for name in sheets:
            if name == "说明":  # the time written and the input path differ by design
                continue
            pd.testing.assert_frame_equal(got_sheets[name], sheets[name])


def test_cli_check_on_workers_writes_the_same_files(sample_gpkg, tmp_path):
    # the same proposals the in-memory run reads (the GeoPackage holds multipolygons)
    proposals = landuse.read_proposals(sample_gpkg, layer="proposals")
    folder = scale.write_partitioned(proposals, tmp_path / "proposals", npartitions=3)
    common = ["--zones", str(sample_gpkg), "--areas", str(sample_gpkg), "--lang", "en"]
    runs = {
        "memory": [str(sample_gpkg), "--layer", "proposals"],
        "workers": [str(folder), "--workers", "2"],
    }
    for label, args in runs.items():
        out = tmp_path / label
        out.mkdir()
        _invoke(["check", *args, *common, "-o", str(out / "c.csv"), "-o", str(out / "c.gpkg")])
    for name in ("c.csv", "c_summary.csv"):
        assert (tmp_path / "workers" / name).read_bytes() == (
            tmp_path / "memory" / name
        ).read_bytes()
    layers = gpd.list_layers(tmp_path / "memory" / "c.gpkg")["name"].tolist()
    assert len(layers) >= 2
    for layer in layers:
        got = gpd.read_file(tmp_path / "workers" / "c.gpkg", layer=layer)
        expected = gpd.read_file(tmp_path / "memory" / "c.gpkg", layer=layer)
        if layer == "layer_styles":  # the same style, written at another time
            expected = expected.drop(columns="update_time")
            got = got.drop(columns="update_time")
        if isinstance(expected, gpd.GeoDataFrame):
            assert_geodataframe_equal(got, expected)
        else:
            pd.testing.assert_frame_equal(got, expected)


def test_policy_keys_survive_partitioning():
    """attrs['policy_keys'] (issue 22) is the same on the dask result as in memory."""
    import dask

    s = landuse.load_sample()
    parts = dask_geopandas.from_geopandas(s.parcels, npartitions=2)
    with dask.config.set(scheduler="synchronous"):
        lazy = scale.find_inefficient_land(parts, as_of=s.as_of, policy="qingdao-2019")
        found = lazy.compute()
    expected = landuse.find_inefficient_land(s.parcels, as_of=s.as_of, policy="qingdao-2019")
    assert found.attrs["policy_keys"] == expected.attrs["policy_keys"]
    assert "far.min_far_by_division" in found.attrs["policy_keys"]
    assert "inefficient.tax_wan_per_mu_min" not in found.attrs["policy_keys"]  # unset
