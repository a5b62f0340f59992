"""ProjectBank store: the same cases on a GeoPackage file and on PostGIS (tests/pgcluster.py).

Fixtures are built in code: three 100 m-wide parcels near Qingdao (EPSG:4549), so areas are
hand-checkable (a 100 m x 100 m parcel is 1 ha = 15 亩). Crash and concurrency tests run real
processes (``python -c WORKER``) against the real store and kill them with SIGKILL.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import QD_GK, square
from pgcluster import postgis_server  # noqa: F401  (session fixture)

from landuse.bank.store import BankError, ProjectBank, StoreBusyError
from landuse.errors import CRSError, GeometryError, LanduseError, SchemaError


@pytest.fixture(params=["gpkg", "postgis"])
def target(request, tmp_path):
    """A new, empty bank location on each backend."""
    if request.param == "gpkg":
        return str(tmp_path / "bank.gpkg")
    return request.getfixturevalue("postgis_server").new_database()


def is_gpkg(target: str) -> bool:
    return target.endswith(".gpkg")


def raw(target: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Run SQL on the store directly (to inspect or tamper with it)."""
    if is_gpkg(target):
        with sqlite3.connect(target) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(target, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def candidates(parcels=("P1", "P2", "P3"), **changes) -> gpd.GeoDataFrame:
    """P1, P2 in zone Z1 (100 m squares, 15 亩 each), P3 in Z2 (200 m x 100 m, 30 亩)."""
    x0, y0 = QD_GK
    base = pd.DataFrame(
        {
            "candidate_id": ["B-P1", "B-P2", "B-P3"],
            "parcel_id": ["P1", "P2", "P3"],
            "zone_id": ["Z1", "Z1", "Z2"],
            "reasons": ["low_far;low_tax", ["idle"], "grade_d"],
            "reason_text": ["容积率低; 亩均税收低", "闲置", "亩均评价D类"],
            "grade": ["D", None, "C"],
            "route": ["工业上楼", "收购储备", "自主提升"],
            "priority": [0.9, 0.7, 0.5],
            "land_area_m2": [10000.0, 10000.0, 20000.0],
            "potential_extra_floor_area_m2": [8000.0, 12000.0, 5000.0],
            "land_freed_mu": [0.0, 15.0, 0.0],
            "potential_tax_wan": [60.0, 90.0, 30.0],
            "enterprise": ["青岛甲公司", "青岛乙公司", "青岛丙公司"],
            "far": [0.3, 0.05, 0.6],
        }
    )
    geoms = [square(x0, y0), square(x0 + 200, y0), shapely.box(x0 + 400, y0, x0 + 600, y0 + 100)]
    gdf = gpd.GeoDataFrame(base, geometry=geoms, crs="EPSG:4549")
    for column, values in changes.items():
        gdf[column] = values
    return gdf[gdf["parcel_id"].isin(parcels)].reset_index(drop=True)


def many(n: int) -> gpd.GeoDataFrame:
    """``n`` extra 50 m parcels (Q0000 …) on a grid north of P1–P3, plus P1–P3 themselves."""
    x0, y0 = QD_GK
    i = np.arange(n)
    ids = [f"Q{k:05d}" for k in i]
    extra = gpd.GeoDataFrame(
        {
            "candidate_id": [f"B-{p}" for p in ids],
            "parcel_id": ids,
            "zone_id": np.where(i % 2, "Z1", "Z2"),
            "reasons": "low_far",
            "reason_text": "容积率低",
            "grade": "D",
            "route": "工业上楼",
            "priority": i / n,
            "land_area_m2": 2500.0,
            "potential_extra_floor_area_m2": 1000.0 + i,
            "land_freed_mu": 0.0,
            "potential_tax_wan": 10.0,
            "enterprise": "企业",
            "far": 0.4,
        },
        geometry=shapely.box(x0 + (i % 100) * 60, y0 + 1000 + (i // 100) * 60,
                             x0 + (i % 100) * 60 + 50, y0 + 1050 + (i // 100) * 60),
        crs="EPSG:4549",
    )  # fmt: skip
    return pd.concat([candidates(), extra], ignore_index=True)


def snapshot(target: str) -> dict[str, pd.DataFrame]:
    """Everything the bank holds: entries (geometry as WKB), every history, the sync log."""
    with ProjectBank.open(target, timeout=30) as bank:
        entries = bank.entries()
        histories = [bank.history(c) for c in entries["candidate_id"]]
        syncs = bank.syncs()
    frame = pd.DataFrame(entries.drop(columns="geometry"))
    frame["wkb"] = shapely.to_wkb(np.asarray(entries.geometry.array))
    history = pd.concat(histories, ignore_index=True) if histories else pd.DataFrame()
    return {"entries": frame, "history": history, "syncs": syncs}


def assert_same_state(a: dict, b: dict) -> None:
    for key in a:
        pd.testing.assert_frame_equal(a[key], b[key], obj=key)


# --- worker processes --------------------------------------------------------------------------

WORKER = r"""
import json, os, pickle, sys, time
from landuse.bank.store import ProjectBank, StoreBusyError
target, action, arg, timeout = sys.argv[1:5]
out = {"ok": True, "busy": 0, "pid": os.getpid()}
try:
    with ProjectBank.open(target, timeout=float(timeout)) as bank:
        pages = os.environ.get("BANK_WORKER_CACHE_PAGES")
        if pages and bank.kind == "geopackage":  # small page cache: rows reach the file mid-write
            bank._backend.conn.execute("PRAGMA cache_size = " + str(int(pages)))
        if os.environ.get("BANK_WORKER_READY"):  # opened; about to write
            open(os.environ["BANK_WORKER_READY"], "w").close()
        if action == "sync":
            with open(arg, "rb") as fh:
                cands, as_of, repeat = pickle.load(fh)
            for _ in range(repeat):
                r = bank.sync(cands, as_of=as_of, by="worker", note="from a worker")
            out.update(added=r.added, changed=r.changed, unchanged=r.unchanged)
        elif action == "status":
            cid, status = arg.split("=")
            bank.set_status(cid, status, by="worker", note="from a worker")
        elif action == "lifecycle":
            for cid in arg.split(","):
                for status in ("verified", "approved", "in_progress", "completed"):
                    bank.set_status(cid, status, by="worker-" + cid, note=status)
except StoreBusyError as exc:
    out.update(ok=False, error=str(exc))
print(json.dumps(out))
"""


_WORKERS: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_worker_left_behind():
    yield
    while _WORKERS:
        proc = _WORKERS.pop()
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def start_worker(target, action, arg, *, timeout=30.0, env=None) -> subprocess.Popen:
    """Run WORKER in a new Python process (killed at the end of the test if still running)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, target, action, str(arg), str(timeout)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    _WORKERS.append(proc)
    return proc


def finish(proc: subprocess.Popen, timeout: float = 120) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def sync_file(tmp_path: Path, cands, as_of: str, repeat: int = 1, name: str = "c.pkl") -> Path:
    path = tmp_path / name
    path.write_bytes(pickle.dumps((cands, as_of, repeat)))
    return path


def wait_for(marker: Path, proc: subprocess.Popen, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"worker ended before pausing: {proc.communicate()}")
        assert time.monotonic() < end, "worker never reached the pause"
        time.sleep(0.02)


# --- opening and schema ------------------------------------------------------------------------


def test_open_creates_versioned_schema_once(target):
    with ProjectBank.open(target) as bank:
        assert len(bank.entries()) == 0
        assert bank.crs is None
        assert bank.as_of is None
        assert bank.kind == ("geopackage" if is_gpkg(target) else "postgis")
    with ProjectBank.open(target) as bank:  # second open finds the tables
        assert len(bank.syncs()) == 0
    assert raw(target, "SELECT version FROM bank_schema") == [(1,)]


def test_open_refuses_a_newer_schema(target):
    ProjectBank.open(target).close()
    raw(target, "INSERT INTO bank_schema (version, applied_at, landuse_version) VALUES (2, %s, %s)",
        ("2030-01-01T00:00:00.000Z", "9.0"))  # fmt: skip
    with pytest.raises(
        BankError, match=r"newer landuse \(bank schema version 2; .* reads up to 1\)"
    ):
        ProjectBank.open(target)


def test_open_refuses_other_targets(tmp_path):
    with pytest.raises(
        BankError, match=r"must be a GeoPackage path ending in .gpkg or a PostGIS DSN"
    ):
        ProjectBank.open(tmp_path / "bank.shp")
    not_sqlite = tmp_path / "notes.gpkg"
    not_sqlite.write_text("not a database")
    with pytest.raises(BankError, match=r"notes.gpkg is not a GeoPackage \(not an SQLite file\)"):
        ProjectBank.open(not_sqlite)
    with pytest.raises(BankError, match=r"`timeout` must be a finite number of seconds >= 0; received -1"):
        ProjectBank.open(tmp_path / "b.gpkg", timeout=-1)


def test_open_adds_the_bank_to_an_existing_geopackage(tmp_path):
    path = tmp_path / "layers.gpkg"
    zones = gpd.GeoDataFrame({"zone_id": ["Z1"]}, geometry=[square(*QD_GK)], crs="EPSG:4549")
    pyogrio.write_dataframe(zones, path, layer="zones")
    with ProjectBank.open(path) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
    layers = {str(name) for name in pyogrio.list_layers(path)[:, 0]}
    assert layers == {"zones", "bank_entries", "bank_history", "bank_syncs"}
    assert pyogrio.read_dataframe(path, layer="zones")["zone_id"].tolist() == ["Z1"]


# --- sync ------------------------------------------------------------------------------------------


def test_first_sync_adds_every_candidate_as_identified(target):
    with ProjectBank.open(target) as bank:
        report = bank.sync(candidates(), as_of="2021-12-31", by="wang", note="2021 年度识别")
        entries = bank.entries()
        assert bank.as_of == pd.Timestamp("2021-12-31")
        assert bank.crs.to_epsg() == 4549
    assert (report.added, report.changed, report.unchanged, report.resolved, report.total) == (
        3,
        0,
        0,
        0,
        3,
    )
    assert report.added_ids == ("B-P1", "B-P2", "B-P3")
    assert entries["candidate_id"].tolist() == ["B-P1", "B-P2", "B-P3"]  # priority order
    assert entries["status"].tolist() == ["identified"] * 3
    assert entries["reasons"].tolist() == ["low_far;low_tax", "idle", "grade_d"]  # a list → text
    assert entries["grade"].fillna("missing").tolist() == ["D", "missing", "C"]
    assert entries["land_area_m2"].tolist() == [10000.0, 10000.0, 20000.0]
    assert entries["enterprise"].tolist() == ["青岛甲公司", "青岛乙公司", "青岛丙公司"]
    assert entries["far"].tolist() == [0.3, 0.05, 0.6]
    assert entries["first_identified"].tolist() == [pd.Timestamp("2021-12-31")] * 3
    assert entries["resolved_on"].isna().all()
    assert entries["status_by"].tolist() == ["wang"] * 3
    assert entries.crs.to_epsg() == 4549
    assert entries.geometry.geom_type.tolist() == ["MultiPolygon"] * 3
    assert entries.geometry.area.tolist() == [10000.0, 10000.0, 20000.0]
    assert entries.attrs["as_of"] == pd.Timestamp("2021-12-31")


def test_second_identical_sync_changes_nothing(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
    before = snapshot(target)
    with ProjectBank.open(target) as bank:
        report = bank.sync(candidates(), as_of="2021-12-31", by="li")
    assert (
        report.added,
        report.changed,
        report.unchanged,
        report.resolved,
        report.reidentified,
    ) == (0, 0, 3, 0, 0)
    after = snapshot(target)
    assert_same_state(
        {k: before[k] for k in ("entries", "history")},
        {k: after[k] for k in ("entries", "history")},
    )
    assert after["syncs"][["added", "changed", "unchanged", "by"]].to_numpy().tolist() == [
        [3, 0, 0, "wang"],
        [0, 0, 3, "li"],
    ]


def test_numbers_written_differently_are_not_changes(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(far=[1.0, 2.0, 3.0]), as_of="2021-12-31", by="wang")
        again = candidates(far=[1, 2, 3], zone_id=["Z1", "Z1", "Z2"])  # ints this time
        report = bank.sync(again, as_of="2021-12-31", by="wang")
    assert report.changed == 0


def test_changed_data_go_to_history_old_to_new(target):
    x0, y0 = QD_GK
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2020-12-31", by="wang")
        changed = candidates(priority=[0.95, 0.7, 0.5], far=[0.35, 0.05, 0.6])
        changed.loc[1, "geometry"] = square(x0 + 200, y0, 120)
        report = bank.sync(changed, as_of="2021-12-31", by="li", note="2021 年数据")
        history = bank.history("B-P1", lang="en")
        p2 = bank.history("B-P2")
        entries = bank.entries()
    assert (report.added, report.changed, report.unchanged) == (0, 2, 1)
    assert report.changed_ids == ("B-P1", "B-P2")
    assert report.changed_fields == {"priority": 1, "attributes": 1, "geometry": 1}
    assert history["event"].tolist() == ["added", "changed"]
    assert history["changes"].iloc[1] == {"priority": [0.9, 0.95], "far": [0.3, 0.35]}
    assert history["by"].tolist() == ["wang", "li"]
    assert history["note"].tolist() == [None, "2021 年数据"]
    assert history["as_of"].tolist() == [pd.Timestamp("2020-12-31"), pd.Timestamp("2021-12-31")]
    assert history["description"].iloc[1] == "Priority score: 0.9 → 0.95; Floor area ratio: 0.3 → 0.35"
    assert history["at"].dt.tz is not None
    old_wkt, new_wkt = p2["changes"].iloc[1]["geometry"]
    assert shapely.from_wkt(old_wkt).area == 10000.0
    assert shapely.from_wkt(new_wkt).area == 14400.0
    assert p2["description"].iloc[1] == "图形: 已修改"
    assert entries.set_index("candidate_id").loc["B-P2"].geometry.area == 14400.0
    added = history["changes"].iloc[0]
    assert added["status"] == [None, "identified"]
    assert added["land_area_m2"] == [None, 10000.0]
    assert added["enterprise"] == [None, "青岛甲公司"]
    assert shapely.from_wkt(added["geometry"][1]).area == 10000.0


def test_parcels_no_longer_candidates_are_resolved_not_deleted(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2019-12-31", by="wang")
        bank.set_status("B-P3", "verified", by="li")
        report = bank.sync(candidates(["P1"]), as_of="2020-12-31", by="wang")
        entries = bank.entries().set_index("candidate_id")
        again = bank.sync(candidates(["P1"]), as_of="2020-12-31", by="wang")
    assert (report.resolved, report.unchanged, report.total) == (2, 1, 3)
    assert report.resolved_ids == ("B-P2", "B-P3")
    assert entries["status"].to_dict() == {
        "B-P1": "identified",
        "B-P2": "resolved_by_data",
        "B-P3": "resolved_by_data",
    }
    assert entries.loc["B-P2", "resolved_on"] == pd.Timestamp("2020-12-31")
    assert pd.isna(entries.loc["B-P1", "resolved_on"])
    assert (again.resolved, again.unchanged) == (0, 1)  # already resolved: nothing more


def test_a_resolved_parcel_that_returns_is_reidentified(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2019-12-31", by="wang")
        bank.sync(candidates(["P1", "P3"]), as_of="2020-12-31", by="wang")
        report = bank.sync(
            candidates(potential_tax_wan=[60.0, 95.0, 30.0]), as_of="2021-12-31", by="wang"
        )
        entry = bank.entries().set_index("candidate_id").loc["B-P2"]
        history = bank.history("B-P2")
    assert (report.reidentified, report.changed, report.unchanged, report.added) == (1, 0, 2, 0)
    assert report.reidentified_ids == ("B-P2",)
    assert entry["status"] == "identified"
    assert pd.isna(entry["resolved_on"])
    assert entry["first_identified"] == pd.Timestamp("2019-12-31")
    assert entry["potential_tax_wan"] == 95.0
    assert history["event"].tolist() == ["added", "resolved", "reidentified"]
    assert history["changes"].iloc[1] == {
        "status": ["identified", "resolved_by_data"],
        "resolved_on": [None, "2020-12-31"],
    }
    assert history["changes"].iloc[2] == {
        "status": ["resolved_by_data", "identified"],
        "resolved_on": ["2020-12-31", None],
        "potential_tax_wan": [90.0, 95.0],
    }


def test_a_sync_never_overwrites_a_human_decision(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2019-12-31", by="wang")
        for status in ("verified", "approved"):
            bank.set_status("B-P1", status, by="li")
        bank.set_status("B-P2", "rejected", by="li", note="已签约改造")
        report = bank.sync(candidates(["P3"]), as_of="2020-12-31", by="wang")
        entries = bank.entries().set_index("candidate_id")
        history = bank.history("B-P1")
        back = bank.sync(candidates(), as_of="2021-12-31", by="wang")
        after = bank.entries().set_index("candidate_id")
    assert report.resolved == 2
    assert entries.loc[["B-P1", "B-P2"], "status"].tolist() == ["approved", "rejected"]
    assert entries.loc[["B-P1", "B-P2"], "resolved_on"].tolist() == [pd.Timestamp("2020-12-31")] * 2
    assert history["changes"].iloc[-1] == {"resolved_on": [None, "2020-12-31"]}
    assert back.reidentified == 2
    assert after.loc[["B-P1", "B-P2"], "status"].tolist() == ["approved", "rejected"]
    assert after["resolved_on"].isna().all()


def test_sync_refuses_going_back_in_time(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
        with pytest.raises(
            BankError,
            match=r"`as_of` 2020-12-31 is earlier than the bank's latest sync \(2021-12-31\)",
        ):
            bank.sync(candidates(), as_of="2020-12-31", by="wang")
        with pytest.raises(
            BankError, match=r"`as_of` must be a date such as '2021-12-31'; received 'soon'"
        ):
            bank.sync(candidates(), as_of="soon", by="wang")


def test_sync_refuses_a_new_candidate_id_for_a_known_parcel(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
        renamed = candidates(candidate_id=["B-P1", "X-P2", "B-P3"])
        with pytest.raises(
            BankError,
            match=r"1 candidate_id conflict\(s\) with the bank: parcel P2: bank has B-P2, candidates have X-P2",
        ):
            bank.sync(renamed, as_of="2021-12-31", by="wang")
        taken = many(1).iloc[[3]].assign(candidate_id="B-P1")
        with pytest.raises(BankError, match=r"B-P1 \(parcel Q00000\) already names parcel P1"):
            bank.sync(pd.concat([candidates(["P2", "P3"]), taken]), as_of="2021-12-31", by="wang")
        assert len(bank.entries()) == 3


def test_sync_refuses_another_crs(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
        with pytest.raises(
            CRSError,
            match=r"are in EPSG:4547 .* but the bank .* stores EPSG:4549 .*Reproject: candidates.to_crs\('EPSG:4549'\)",
        ):
            bank.sync(candidates().to_crs("EPSG:4547"), as_of="2021-12-31", by="wang")
        with pytest.raises(
            CRSError, match=r"`candidates` passed to ProjectBank.sync\(\) is in a geographic CRS"
        ):
            bank.sync(candidates().to_crs("EPSG:4326"), as_of="2021-12-31", by="wang")


def test_sync_checks_the_candidates_contract(tmp_path):
    with ProjectBank.open(tmp_path / "b.gpkg") as bank:
        with pytest.raises(
            TypeError, match=r"needs `candidates` as a GeoDataFrame .* received DataFrame"
        ):
            bank.sync(pd.DataFrame(candidates()), as_of="2021-12-31")
        with pytest.raises(
            SchemaError, match=r"lacks 2 required column\(s\): grade, potential_tax_wan"
        ):
            bank.sync(candidates().drop(columns=["grade", "potential_tax_wan"]), as_of="2021-12-31")
        dup = candidates(parcel_id=["P1", "P1", "P3"])
        with pytest.raises(SchemaError, match=r"repeats 1 parcel_id value\(s\): P1"):
            bank.sync(dup, as_of="2021-12-31")
        no_id = candidates(candidate_id=["B-P1", None, "B-P3"])
        with pytest.raises(
            SchemaError, match=r"1 row\(s\) without a candidate_id \(other id: P2\)"
        ):
            bank.sync(no_id, as_of="2021-12-31")
        empty = candidates()
        empty.loc[[0, 2], "geometry"] = None
        with pytest.raises(
            GeometryError, match=r"2 missing or empty geometries \(parcel_id P1, P3\)"
        ):
            bank.sync(empty, as_of="2021-12-31")
        points = candidates()
        points.loc[1, "geometry"] = shapely.Point(QD_GK)
        with pytest.raises(
            GeometryError, match=r"1 non-polygon geometries \(Point; parcel_id P2\)"
        ):
            bank.sync(points, as_of="2021-12-31")
        text = candidates(priority=["high", 0.7, "n/a"])
        with pytest.raises(
            SchemaError, match=r"non-numeric values in numeric column\(s\): priority: high, n/a"
        ):
            bank.sync(text, as_of="2021-12-31")
        reserved = candidates(status="x")
        with pytest.raises(SchemaError, match=r"has column\(s\) the bank keeps itself: status"):
            bank.sync(reserved, as_of="2021-12-31")
        assert len(bank.entries()) == 0


def test_values_reach_sql_as_parameters_only(target):
    nasty = "x'); DROP TABLE bank_entries; --"
    with ProjectBank.open(target) as bank:
        bank.sync(
            candidates(candidate_id=[nasty, "B-P2", "B-P3"], zone_id=["Z1'--", "Z1", "Z2"]),
            as_of="2021-12-31",
            by="o'brien",
        )
        bank.set_status(nasty, "verified", by="o'brien", note="'; DELETE FROM bank_history; --")
        entries = bank.entries(zone_id="Z1'--")
        history = bank.history(nasty)
    assert entries["candidate_id"].tolist() == [nasty]
    assert history["note"].tolist() == [None, "'; DELETE FROM bank_history; --"]


def test_extra_columns_round_trip_with_their_types(target):
    extra = candidates(
        grant_date=pd.to_datetime(["2015-03-01", None, "2016-07-15"]),
        employees=[120, 35, 8],
        listed=[True, False, True],
    )
    with ProjectBank.open(target) as bank:
        bank.sync(extra, as_of="2021-12-31", by="wang")
        entries = bank.entries()
    assert entries["grant_date"].tolist()[0] == pd.Timestamp("2015-03-01")
    assert pd.isna(entries["grant_date"].iloc[1])
    assert entries["grant_date"].dtype.kind == "M"
    assert entries["employees"].tolist() == [120, 35, 8]
    assert entries["listed"].tolist() == [True, False, True]


# --- lifecycle ---------------------------------------------------------------------------------


def test_lifecycle_to_completion_with_history(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
        steps = [("verified", "li", "现场核实"), ("approved", "zhao", "局务会通过"),
                 ("in_progress", "zhao", None), ("completed", "zhao", "竣工验收")]  # fmt: skip
        for status, by, note in steps:
            bank.set_status("B-P1", status, by=by, note=note)
        entry = bank.entries(status="completed")
        history = bank.history("B-P1")
        with pytest.raises(
            BankError,
            match=r"cannot move 1 entry to rejected: B-P1 is completed \(legal next: none\)",
        ):
            bank.set_status("B-P1", "rejected", by="li")
    assert entry["candidate_id"].tolist() == ["B-P1"]
    assert entry["status_by"].tolist() == ["zhao"]
    assert history["event"].tolist() == ["added", "status", "status", "status", "status"]
    assert [c["status"] for c in history["changes"]] == [
        [None, "identified"],
        ["identified", "verified"],
        ["verified", "approved"],
        ["approved", "in_progress"],
        ["in_progress", "completed"],
    ]
    assert history["by"].tolist() == ["wang", "li", "zhao", "zhao", "zhao"]
    assert history["note"].tolist() == [None, "现场核实", "局务会通过", None, "竣工验收"]
    assert history["description"].tolist()[1:3] == [
        "状态: 已识别 → 已核实",
        "状态: 已核实 → 已批准",
    ]
    assert history["at"].is_monotonic_increasing


def test_illegal_transitions_are_refused_with_the_legal_next_states(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
        with pytest.raises(
            BankError,
            match=r"cannot move 1 entry to approved: B-P1 is identified \(legal next: verified, rejected\)",
        ) as info:
            bank.set_status("B-P1", "approved", by="li")
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, LanduseError)
        bank.set_status("B-P2", "verified", by="li")
        # several at once: all or nothing, every offender listed
        with pytest.raises(
            BankError,
            match=r"cannot move 2 entries to approved: B-P1 is identified .*, B-P3 is identified",
        ):
            bank.set_status(["B-P1", "B-P2", "B-P3"], "approved", by="li")
        assert bank.entries()["status"].tolist() == ["identified", "verified", "identified"]
        bank.set_status(["B-P1", "B-P3"], "verified", by="li")
        assert bank.entries()["status"].tolist() == ["verified"] * 3
        with pytest.raises(BankError, match=r"'resolved_by_data' is set by sync\(\)"):
            bank.set_status("B-P1", "resolved_by_data", by="li")
        with pytest.raises(
            BankError, match=r"`status` must be one of identified, verified, .*; received 'done'"
        ):
            bank.set_status("B-P1", "done", by="li")
        with pytest.raises(BankError, match=r"2 candidate id\(s\) not in the bank: B-P9, nope"):
            bank.set_status(["B-P1", "B-P9", "nope"], "approved", by="li")
        with pytest.raises(BankError, match=r"`by` must name who decided; received ''"):
            bank.set_status("B-P1", "approved", by="")
        with pytest.raises(BankError, match=r"candidate id 'B-P9' is not in the bank"):
            bank.history("B-P9")


def test_rejected_entries_can_be_reopened(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
        bank.set_status("B-P1", "rejected", by="li", note="企业已自行改造")
        bank.set_status("B-P1", "identified", by="zhao", note="复核后重新纳入")
        assert [c["status"] for c in bank.history("B-P1")["changes"]][1:] == [
            ["identified", "rejected"],
            ["rejected", "identified"],
        ]


# --- reports -----------------------------------------------------------------------------------


def test_entries_filters(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
        bank.set_status("B-P2", "verified", by="li")
        assert bank.entries(status="verified")["candidate_id"].tolist() == ["B-P2"]
        assert bank.entries(status=["identified", "verified"], zone_id="Z1")[
            "candidate_id"
        ].tolist() == ["B-P1", "B-P2"]
        assert bank.entries(zone_id=["Z2"])["candidate_id"].tolist() == ["B-P3"]
        with pytest.raises(BankError, match=r"unknown `status` open; valid: identified, verified"):
            bank.entries(status="open")


def test_summary_by_zone_and_status(target):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
        bank.set_status("B-P2", "verified", by="li")
        summary = bank.summary()
    assert summary.to_dict("list") == {
        "zone_id": ["Z1", "Z1", "Z2"],
        "status": ["identified", "verified", "identified"],
        "count": [1, 1, 1],
        "land_area_mu": [15.0, 15.0, 30.0],
        "land_freed_mu": [0.0, 15.0, 0.0],
        "potential_extra_floor_area_m2": [8000.0, 12000.0, 5000.0],
        "potential_tax_wan": [60.0, 90.0, 30.0],
    }


def test_export_excel_has_chinese_headers_and_a_total_row(target, tmp_path):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
        out = bank.export_excel(tmp_path / "汇总.xlsx")
        en = bank.export_excel(tmp_path / "summary.xlsx", lang="en")
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["汇总", "项目清单", "同步记录", "说明"]
    summary = sheets["汇总"]
    assert list(summary.columns) == ["集聚区编号", "状态", "数量", "用地面积（亩）", "可腾出土地（亩）",
                                     "潜在新增建筑面积（平方米）", "预期税收（万元）", "状态代码"]  # fmt: skip
    assert summary["集聚区编号"].tolist() == ["Z1", "Z2", "合计"]
    assert summary["状态"].tolist()[:2] == ["已识别", "已识别"]
    assert summary["状态代码"].tolist()[:2] == ["identified", "identified"]
    assert summary["数量"].tolist() == [2, 1, 3]
    assert summary["用地面积（亩）"].tolist() == [30.0, 30.0, 60.0]
    assert summary["预期税收（万元）"].tolist() == [150.0, 30.0, 180.0]
    listing = sheets["项目清单"]
    assert listing["候选编号"].tolist() == ["B-P1", "B-P2", "B-P3"]
    assert "企业名称" in listing.columns and "enterprise" not in listing.columns
    assert sheets["同步记录"]["新增"].tolist() == [3]
    assert list(pd.read_excel(en, sheet_name=None)) == ["summary", "entries", "syncs", "About"]


def test_geopackage_opens_as_a_polygon_layer(tmp_path):
    path = tmp_path / "bank.gpkg"
    with ProjectBank.open(path) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
        bank.set_status("B-P3", "verified", by="li")
    info = pyogrio.read_info(path, layer="bank_entries")
    assert (info["geometry_type"], info["crs"], info["features"]) == (
        "MultiPolygon",
        "EPSG:4549",
        3,
    )
    assert info["capabilities"]["fast_spatial_filter"]  # R-tree index registered
    layer = pyogrio.read_dataframe(path, layer="bank_entries")
    assert layer["candidate_id"].tolist() == ["B-P1", "B-P2", "B-P3"]
    assert layer["status"].tolist() == ["identified", "identified", "verified"]
    assert layer.geometry.area.tolist() == [10000.0, 10000.0, 20000.0]
    x0, y0 = QD_GK
    hit = pyogrio.read_dataframe(
        path, layer="bank_entries", bbox=(x0 + 150, y0 + 10, x0 + 450, y0 + 20)
    )
    assert hit["candidate_id"].tolist() == ["B-P2", "B-P3"]
    history = pyogrio.read_dataframe(path, layer="bank_history", read_geometry=False)
    assert history["event"].tolist() == ["added", "added", "added", "status"]
    assert raw(str(path), "PRAGMA integrity_check") == [("ok",)]
    assert raw(str(path), "PRAGMA application_id") == [(0x47504B47,)]


# --- nothing lost ------------------------------------------------------------------------------


def test_a_sync_killed_mid_write_leaves_the_store_as_before(target, tmp_path):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(), as_of="2020-12-31", by="wang")
        bank.set_status("B-P1", "verified", by="li")
    before = snapshot(target)
    before_bytes = Path(target).read_bytes() if is_gpkg(target) else b""
    big = many(3000)
    marker = tmp_path / "in-transaction"
    proc = start_worker(
        target, "sync", sync_file(tmp_path, big, "2021-12-31"),
        env={"LANDUSE_BANK_TEST_PAUSE": f"sync:120:{marker}", "BANK_WORKER_CACHE_PAGES": "16"},
    )  # fmt: skip
    wait_for(marker, proc)
    # the kill lands mid-write: rows are written but not committed
    if is_gpkg(target):
        assert Path(target + "-journal").exists()
        assert Path(target).read_bytes() != before_bytes  # pages already spilled into the file
    else:
        states = raw(
            target,
            "SELECT state FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        assert states == [("idle in transaction",)]
        assert raw(target, "SELECT count(*) FROM bank_entries") == [(3,)]
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    after = snapshot(target)  # opening rolls a hot journal back
    assert_same_state(before, after)
    if is_gpkg(target):
        assert not Path(target + "-journal").exists()
        assert Path(target).read_bytes() == before_bytes
        assert raw(target, "PRAGMA integrity_check") == [("ok",)]
    with ProjectBank.open(target, timeout=30) as bank:  # and the store takes the write later
        report = bank.sync(big, as_of="2021-12-31", by="wang")
    assert (report.added, report.unchanged) == (3000, 3)


def test_a_second_writer_gets_store_busy_and_writes_nothing(target, tmp_path):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(["P1", "P2"]), as_of="2020-12-31", by="wang")
    marker = tmp_path / "holding"
    first = start_worker(
        target, "sync", sync_file(tmp_path, candidates(), "2021-12-31"),
        env={"LANDUSE_BANK_TEST_PAUSE": f"sync:120:{marker}"},
    )  # fmt: skip
    wait_for(marker, first)
    second = finish(start_worker(target, "status", "B-P1=verified", timeout=0.5))
    assert second["ok"] is False
    assert second["error"].startswith("store busy, retry: ")
    with ProjectBank.open(target, timeout=0.2) as bank:
        with pytest.raises(
            StoreBusyError, match=r"store busy, retry: .* waited 0.2 s .* Nothing was written"
        ) as info:
            bank.set_status("B-P1", "verified", by="li")
        assert not isinstance(info.value, ValueError)
    marker.unlink()  # let the first writer finish
    assert finish(first) == {
        "ok": True,
        "busy": 0,
        "pid": first.pid,
        "added": 1,
        "changed": 0,
        "unchanged": 2,
    }
    with ProjectBank.open(target) as bank:
        assert (
            bank.entries()["status"].tolist() == ["identified"] * 3
        )  # the busy writes left nothing
        bank.set_status("B-P1", "verified", by="li")  # the retry succeeds
        assert bank.history("B-P1")["event"].tolist() == ["added", "status"]


def test_a_second_writer_waits_and_both_succeed(target, tmp_path):
    with ProjectBank.open(target) as bank:
        bank.sync(candidates(["P1", "P2"]), as_of="2020-12-31", by="wang")
    marker = tmp_path / "holding"
    first = start_worker(
        target, "sync", sync_file(tmp_path, candidates(), "2021-12-31"),
        env={"LANDUSE_BANK_TEST_PAUSE": f"sync:120:{marker}"},
    )  # fmt: skip
    wait_for(marker, first)
    ready = tmp_path / "second-ready"
    second = start_worker(
        target, "status", "B-P1=verified", timeout=120, env={"BANK_WORKER_READY": str(ready)}
    )
    wait_for(ready, second)
    time.sleep(1.0)
    assert second.poll() is None  # the second writer is waiting for the lock …
    released = pd.Timestamp.now(tz="UTC").floor("ms")
    marker.unlink()  # … which it gets once the first writer commits
    assert finish(second)["ok"] is True
    assert finish(first)["added"] == 1
    with ProjectBank.open(target) as bank:
        entries = bank.entries().set_index("candidate_id")
        history = bank.history("B-P1")
    assert entries["status"].to_dict() == {
        "B-P1": "verified",
        "B-P2": "identified",
        "B-P3": "identified",
    }
    assert history["event"].tolist() == ["added", "status"]
    assert history["at"].iloc[1] >= released  # written after the first writer let go


def test_concurrent_writers_leave_a_consistent_store(target, tmp_path):
    cands = many(12)
    with ProjectBank.open(target) as bank:
        bank.sync(cands, as_of="2021-12-31", by="wang")
    groups = [",".join(f"B-Q{k:05d}" for k in range(g, 12, 3)) for g in range(3)]
    procs = [start_worker(target, "lifecycle", g, timeout=120) for g in groups]
    procs.append(
        start_worker(
            target, "sync", sync_file(tmp_path, cands, "2021-12-31", repeat=5), timeout=120
        )
    )
    results = [finish(p, timeout=300) for p in procs]
    assert all(r["ok"] for r in results)
    with ProjectBank.open(target) as bank:
        entries = bank.entries().set_index("candidate_id")
        histories = {c: bank.history(c) for c in entries.index}
        syncs = bank.syncs()
    assert len(entries) == 15
    worked = [f"B-Q{k:05d}" for k in range(12)]
    assert (entries.loc[worked, "status"] == "completed").all()
    assert (entries.drop(index=worked)["status"] == "identified").all()
    for cid in worked:
        assert histories[cid]["event"].tolist() == ["added"] + ["status"] * 4
        assert histories[cid]["by"].tolist()[1:] == [f"worker-{cid}"] * 4
    assert syncs["unchanged"].tolist() == [0, 15, 15, 15, 15, 15]
    if is_gpkg(target):
        assert raw(target, "PRAGMA integrity_check") == [("ok",)]
        assert len(pyogrio.read_dataframe(target, layer="bank_entries")) == 15


# --- command line ------------------------------------------------------------------------------


def test_cli_sync_status_history_summary(target, tmp_path):
    from click.testing import CliRunner

    from landuse.cli import main

    cands = tmp_path / "candidates.gpkg"
    pyogrio.write_dataframe(candidates(), cands, layer="project_bank")
    run = CliRunner().invoke
    store = ["--store", target]
    first = run(main, ["bank-store", "sync", str(cands), *store, "--as-of", "2021-12-31",
                       "--by", "wang", "--note", "2021 年度", "--lang", "en"])  # fmt: skip
    assert first.exit_code == 0, first.output
    assert first.output.strip() == (
        "sync as of 2021-12-31: 3 added, 0 changed, 0 unchanged, 0 resolved, 0 re-identified; 3 entries"
    )
    again = run(main, ["bank-store", "sync", str(cands), *store, "--as-of", "2021-12-31"])
    assert "变化 0, 未变 3" in again.output
    moved = run(
        main,
        [
            "bank-store",
            "status",
            "B-P1",
            "B-P2",
            "verified",
            *store,
            "--by",
            "li",
            "--note",
            "核实",
        ],
    )
    assert moved.exit_code == 0, moved.output
    assert moved.output.strip() == "2 entries → verified"
    illegal = run(main, ["bank-store", "status", "B-P3", "completed", *store, "--by", "li"])
    assert illegal.exit_code == 2
    assert (
        "error: ProjectBank.set_status(): cannot move 1 entry to completed: B-P3 is identified (legal next: verified, rejected)"
        in illegal.output
    )
    history = run(main, ["bank-store", "history", "B-P1", *store, "--lang", "en"])
    lines = history.output.strip().splitlines()
    assert len(lines) == 2
    assert lines[1].endswith("status by li (核实): Status: Identified → Verified")
    book = tmp_path / "summary.xlsx"
    summary = run(main, ["bank-store", "summary", *store, "-o", str(book)])
    assert summary.exit_code == 0, summary.output
    assert summary.output.splitlines()[0].split()[:3] == ["集聚区编号", "状态", "数量"]
    assert summary.output.splitlines()[1].split() == [
        "Z1",
        "已核实",
        "2",
        "30.0",
        "15.0",
        "20000.0",
        "150.0",
    ]
    assert pd.read_excel(book, sheet_name="汇总")["数量"].tolist() == [2, 1, 3]


def test_cli_refuses_the_candidates_file_as_store_and_reports_a_busy_store(tmp_path):
    from click.testing import CliRunner

    from landuse.cli import main

    cands = tmp_path / "candidates.gpkg"
    pyogrio.write_dataframe(candidates(), cands, layer="project_bank")
    same = CliRunner().invoke(
        main, ["bank-store", "sync", str(cands), "--store", str(cands), "--as-of", "2021-12-31"]
    )
    assert same.exit_code == 2
    assert "error: --store must not be the CANDIDATES file" in same.output
    store = str(tmp_path / "bank_store.gpkg")
    with ProjectBank.open(store) as bank:
        bank.sync(candidates(), as_of="2021-12-31", by="wang")
    marker = tmp_path / "holding"
    first = start_worker(store, "sync", sync_file(tmp_path, candidates(), "2021-12-31"),
                         env={"LANDUSE_BANK_TEST_PAUSE": f"sync:120:{marker}"})  # fmt: skip
    wait_for(marker, first)
    busy = CliRunner().invoke(
        main,
        [
            "bank-store",
            "status",
            "B-P1",
            "verified",
            "--store",
            store,
            "--by",
            "li",
            "--timeout",
            "0.2",
        ],
    )
    marker.unlink()
    assert busy.exit_code == 75
    assert busy.output.startswith("error: store busy, retry: ")
    assert finish(first)["ok"] is True


def test_build_project_bank_output_syncs_unchanged(tmp_path):
    """The real producer's candidates (sample data) go in, and a re-run changes nothing."""
    import landuse
    from landuse.bank import build_project_bank

    s = landuse.load_sample()
    cands = build_project_bank(s.parcels, zones=s.zones, as_of="2021-12-31", policy="qingdao-2019")
    with ProjectBank.open(tmp_path / "bank.gpkg") as bank:
        first = bank.sync(cands, as_of="2021-12-31", by="wang")
        second = bank.sync(cands, as_of="2021-12-31", by="wang")
        entries = bank.entries()
    assert (first.added, second.changed, second.unchanged) == (len(cands), 0, len(cands))
    assert entries["candidate_id"].tolist() == cands["candidate_id"].tolist()  # same priority order
    extra = [c for c in cands.columns if c not in entries.columns]
    assert extra == []
    assert entries["route_label"].tolist() == cands["route_label"].tolist()
    assert np.allclose(entries.geometry.area, cands.geometry.area)
