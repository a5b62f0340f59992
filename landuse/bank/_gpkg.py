"""Project bank in a GeoPackage file: plain ``sqlite3`` on the GeoPackage tables.

Why not pyogrio for the writes: GDAL commits a layer write on its own schedule and cannot
update a row in place, history and all, in the same transaction. Here every write is one
SQLite transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, rollback journal, ``synchronous=FULL``),
so a process killed half-way leaves a hot journal that the next opener rolls back: the file
is exactly as before. ``BEGIN IMMEDIATE`` takes the write lock before anything is read, so
two writers are serialised; one that waits longer than ``timeout`` gets
:class:`StoreBusyError`. The rollback journal (not WAL) also works on a shared network drive.

The entries are a normal GeoPackage feature table (``bank_entries``, MULTIPOLYGON, GeoPackage
binary geometries, registered in ``gpkg_contents`` / ``gpkg_geometry_columns`` with its SRS in
``gpkg_spatial_ref_sys``, R-tree spatial index with the standard triggers), so QGIS and
``pyogrio.read_dataframe`` open it like any layer; the history and sync log are registered
attribute tables.
"""

from __future__ import annotations

import os
import sqlite3
import struct
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyproj
import shapely

from landuse._version import __version__
from landuse.bank._common import (
    ENTRY_COLUMNS,
    SCHEMA_VERSION,
    STATUSES,
    BankError,
    StoreBusyError,
    check_version,
    now_utc,
    rows_of,
)
from landuse.errors import LanduseError

__all__ = ["GpkgBackend", "decode_gpb", "encode_gpb"]

_APPLICATION_IDS = {0x47504B47, 0x47503130, 0x47503131}  # 'GPKG', 'GP10', 'GP11'
_ENV_BYTES = (0, 32, 48, 48, 64, 0, 0, 0)
_GPB_HEAD = np.dtype(
    [("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"), ("env", "<f8", (4,))]
)

_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)

_GPKG_CORE = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE IF NOT EXISTS gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
  definition TEXT NOT NULL, scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
"""
_SRS_INSERT = (
    "INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, "
    "organization_coordsys_id, definition, description) VALUES (?, ?, ?, ?, ?, ?)"
)
_DEFAULT_SRS = (
    (
        "Undefined cartesian SRS",
        -1,
        "NONE",
        -1,
        "undefined",
        "undefined cartesian coordinate reference system",
    ),
    (
        "Undefined geographic SRS",
        0,
        "NONE",
        0,
        "undefined",
        "undefined geographic coordinate reference system",
    ),
    (
        "WGS 84 geodetic",
        4326,
        "EPSG",
        4326,
        _WGS84_WKT,
        "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
    ),
)

_STATUS_CHECK = ", ".join(f"'{s}'" for s in STATUSES)  # constants, not user input
_BANK_TABLES = f"""
CREATE TABLE bank_schema (
  version INTEGER PRIMARY KEY, applied_at DATETIME NOT NULL, landuse_version TEXT NOT NULL);
CREATE TABLE bank_meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE bank_entries (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  candidate_id TEXT NOT NULL UNIQUE,
  parcel_id TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN ({_STATUS_CHECK})),
  zone_id TEXT, reasons TEXT, reason_text TEXT, grade TEXT, route TEXT,
  priority REAL, land_area_m2 REAL, potential_extra_floor_area_m2 REAL, land_freed_mu REAL,
  potential_tax_wan REAL, attributes TEXT,
  first_identified DATE NOT NULL, resolved_on DATE, status_changed_at DATETIME, status_by TEXT,
  updated_at DATETIME NOT NULL);
CREATE INDEX bank_entries_zone ON bank_entries (zone_id);
CREATE INDEX bank_entries_status ON bank_entries (status);
CREATE TABLE bank_syncs (
  sync_id INTEGER PRIMARY KEY AUTOINCREMENT, synced_at DATETIME NOT NULL, as_of DATE NOT NULL,
  by_user TEXT, note TEXT, added INTEGER NOT NULL, changed INTEGER NOT NULL,
  unchanged INTEGER NOT NULL, resolved INTEGER NOT NULL, reidentified INTEGER NOT NULL,
  total INTEGER NOT NULL, landuse_version TEXT NOT NULL);
CREATE TABLE bank_history (
  event_id INTEGER PRIMARY KEY AUTOINCREMENT, candidate_id TEXT NOT NULL,
  parcel_id TEXT NOT NULL, sync_id INTEGER REFERENCES bank_syncs (sync_id),
  event_at DATETIME NOT NULL, as_of DATE, event TEXT NOT NULL, by_user TEXT, note TEXT,
  changes TEXT NOT NULL);
CREATE INDEX bank_history_candidate ON bank_history (candidate_id);
CREATE VIRTUAL TABLE rtree_bank_entries_geom USING rtree(id, minx, maxx, miny, maxy);
CREATE TRIGGER rtree_bank_entries_geom_update1 AFTER UPDATE OF geom ON bank_entries
  WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN
  INSERT OR REPLACE INTO rtree_bank_entries_geom VALUES (NEW.fid,
    ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
END;
CREATE TRIGGER rtree_bank_entries_geom_update2 AFTER UPDATE OF geom ON bank_entries
  WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
BEGIN
  DELETE FROM rtree_bank_entries_geom WHERE id = OLD.fid;
END;
CREATE TRIGGER rtree_bank_entries_geom_update3 AFTER UPDATE ON bank_entries
  WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN
  DELETE FROM rtree_bank_entries_geom WHERE id = OLD.fid;
  INSERT OR REPLACE INTO rtree_bank_entries_geom VALUES (NEW.fid,
    ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
END;
CREATE TRIGGER rtree_bank_entries_geom_update4 AFTER UPDATE ON bank_entries
  WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
BEGIN
  DELETE FROM rtree_bank_entries_geom WHERE id IN (OLD.fid, NEW.fid);
END;
CREATE TRIGGER rtree_bank_entries_geom_delete AFTER DELETE ON bank_entries
  WHEN old.geom NOT NULL
BEGIN
  DELETE FROM rtree_bank_entries_geom WHERE id = OLD.fid;
END;
"""
_RTREE_INSERT_TRIGGER = """
CREATE TRIGGER rtree_bank_entries_geom_insert AFTER INSERT ON bank_entries
  WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN
  INSERT OR REPLACE INTO rtree_bank_entries_geom VALUES (NEW.fid,
    ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
END
"""
_REGISTER = (
    (
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, "
        "srs_id) VALUES (?, 'features', ?, ?, ?, -1)",
        ("bank_entries", "bank_entries", "低效产业用地再开发项目库 (landuse ProjectBank)"),
    ),
    (
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
        "VALUES (?, 'attributes', ?, ?, ?)",
        ("bank_history", "bank_history", "项目库变更记录 (every sync and status event)"),
    ),
    (
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
        "VALUES (?, 'attributes', ?, ?, ?)",
        ("bank_syncs", "bank_syncs", "项目库同步记录 (one row per sync run)"),
    ),
)
_REGISTER_GEOM = (
    "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) "
    "VALUES (?, ?, ?, -1, 0, 0)"
)
_REGISTER_RTREE = (
    "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
    "VALUES (?, ?, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', "
    "'write-only')"
)

_COLS = ", ".join(ENTRY_COLUMNS)
_SELECT_ENTRIES = f"SELECT fid, geom, {_COLS} FROM bank_entries"
_INSERT_ENTRY = f"INSERT INTO bank_entries (geom, {_COLS}) VALUES (?{', ?' * len(ENTRY_COLUMNS)})"
_INSERT_ENTRY_FID = (
    f"INSERT INTO bank_entries (fid, geom, {_COLS}) VALUES (?, ?{', ?' * len(ENTRY_COLUMNS)})"
)
_NEXT_FID = (
    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), "
    "coalesce((SELECT max(fid) FROM bank_entries), 0))"
)
_UPDATE_COLS = [c for c in ENTRY_COLUMNS if c != "parcel_id"]
_UPDATE_ENTRY = (
    f"UPDATE bank_entries SET geom = ?, {', '.join(f'{c} = ?' for c in _UPDATE_COLS)} "
    "WHERE parcel_id = ?"
)
_UPDATE_STATE = (
    "UPDATE bank_entries SET status = ?, resolved_on = ?, status_changed_at = ?, status_by = ?, "
    "updated_at = ? WHERE parcel_id = ?"
)
_INSERT_SYNC = (
    "INSERT INTO bank_syncs (synced_at, as_of, by_user, note, added, changed, unchanged, "
    "resolved, reidentified, total, landuse_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_EVENT = (
    "INSERT INTO bank_history (candidate_id, parcel_id, sync_id, event_at, as_of, event, "
    "by_user, note, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT_EVENTS = (
    "SELECT event_id, event_at, event, as_of, by_user, note, changes, sync_id "
    "FROM bank_history WHERE candidate_id = ? ORDER BY event_id"
)
_SELECT_SYNCS = (
    "SELECT sync_id, synced_at, as_of, by_user, note, added, changed, unchanged, resolved, "
    "reidentified, total, landuse_version FROM bank_syncs ORDER BY sync_id"
)


# --- GeoPackage binary geometry ---------------------------------------------------------------


def encode_gpb(geoms: np.ndarray, srs_id: int) -> list[bytes]:
    """GeoPackage binary blobs (little-endian header with XY envelope + ISO WKB).

    Examples
    --------
    >>> import shapely
    >>> blob = encode_gpb(np.array([shapely.box(0, 0, 2, 1)]), 4549)[0]
    >>> blob[:2], len(blob) - len(shapely.to_wkb(shapely.box(0, 0, 2, 1)))
    (b'GP', 40)
    >>> decode_gpb([blob])[0].bounds
    (0.0, 0.0, 2.0, 1.0)
    """
    n = len(geoms)
    head = np.zeros(n, dtype=_GPB_HEAD)
    head["magic"] = b"GP"
    head["flags"] = 0b0000_0011  # little endian, envelope [minx, maxx, miny, maxy]
    head["srs_id"] = srs_id
    bounds = shapely.bounds(geoms)
    head["env"] = bounds[:, [0, 2, 1, 3]]
    wkb = shapely.to_wkb(geoms, byte_order=1, output_dimension=2, flavor="iso")
    raw = head.tobytes()
    size = _GPB_HEAD.itemsize
    return [raw[i * size : (i + 1) * size] + w for i, w in enumerate(wkb.tolist())]


def _wkb_offset(blob: bytes) -> int:
    return 8 + _ENV_BYTES[(blob[3] >> 1) & 7]


def decode_gpb(blobs: Sequence[bytes | None]) -> np.ndarray:
    """Geometries from GeoPackage binary blobs (any envelope, either byte order)."""
    wkb = [None if b is None else bytes(b[_wkb_offset(b) :]) for b in blobs]
    return shapely.from_wkb(np.array(wkb, dtype=object))


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    if blob is None:
        return None
    flags = blob[3]
    if (flags >> 4) & 1:
        return None
    env = (flags >> 1) & 7
    if env:
        order = "<" if flags & 1 else ">"
        minx, maxx, miny, maxy = struct.unpack_from(order + "4d", blob, 8)
        return minx, maxx, miny, maxy
    geom = shapely.from_wkb(bytes(blob[_wkb_offset(blob) :]))
    if geom.is_empty:
        return None
    x0, y0, x1, y1 = geom.bounds
    return x0, x1, y0, y1


def _st(index: int):  # type: ignore[no-untyped-def]
    def fn(blob: bytes | None) -> float | None:
        env = _envelope(blob)
        return None if env is None else env[index]

    return fn


def _st_isempty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return int(_envelope(blob) is None)


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


# --- backend ----------------------------------------------------------------------------------


class _Session:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM bank_meta").fetchall())

    def set_meta(self, items: Mapping[str, str]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO bank_meta (key, value) VALUES (?, ?)", list(items.items())
        )

    def set_srs(self, crs: pyproj.CRS) -> int:
        epsg = crs.to_epsg()
        definition = crs.to_wkt("WKT1_GDAL")
        if epsg is not None:
            srs_id, org = epsg, "EPSG"
        else:
            same = self.conn.execute(
                "SELECT srs_id FROM gpkg_spatial_ref_sys WHERE definition = ?", (definition,)
            ).fetchone()
            top = self.conn.execute("SELECT max(srs_id) FROM gpkg_spatial_ref_sys").fetchone()[0]
            srs_id = same[0] if same else max(100000, (top or 0) + 1)
            org = "NONE"
        self.conn.execute(_SRS_INSERT, (crs.name, srs_id, org, srs_id, definition, crs.name))
        self.conn.execute(
            "UPDATE gpkg_contents SET srs_id = ? WHERE table_name = ?", (srs_id, "bank_entries")
        )
        self.conn.execute(
            "UPDATE gpkg_geometry_columns SET srs_id = ? WHERE table_name = ?",
            (srs_id, "bank_entries"),
        )
        return int(srs_id)

    def load_entries(self, *, candidate_ids: Sequence[str] | None = None) -> pd.DataFrame:
        if candidate_ids is None:
            rows = self.conn.execute(_SELECT_ENTRIES + " ORDER BY fid").fetchall()
        else:
            rows = []
            for cid in candidate_ids:
                rows += self.conn.execute(
                    _SELECT_ENTRIES + " WHERE candidate_id = ?", (cid,)
                ).fetchall()
        frame = pd.DataFrame.from_records(
            rows, columns=["fid", "geom", *ENTRY_COLUMNS], coerce_float=False
        )
        frame["geometry"] = decode_gpb(frame.pop("geom").tolist()) if len(frame) else []
        return frame

    def _entry_rows(
        self, rows: pd.DataFrame, geometry: np.ndarray, srid: int, columns: Sequence[str]
    ) -> Iterator[tuple[Any, ...]]:
        blobs = encode_gpb(geometry, srid)
        return (
            (blob, *values) for blob, values in zip(blobs, rows_of(rows, columns), strict=False)
        )

    def insert_entries(self, rows: pd.DataFrame, geometry: np.ndarray, srid: int) -> None:
        """Insert new entries; the R-tree rows go in by bulk from the known bounds.

        The R-tree insert trigger (which calls ST_MinX … per row) is dropped for the bulk
        insert and created again, all inside the caller's transaction, so other programs
        only ever see the file with its trigger.
        """
        if not len(rows):
            return
        rtree = self.conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = ?", ("rtree_bank_entries_geom",)
        ).fetchone()[0]
        if not rtree:
            self.conn.executemany(
                _INSERT_ENTRY, self._entry_rows(rows, geometry, srid, ENTRY_COLUMNS)
            )
            return
        start = self.conn.execute(_NEXT_FID, ("bank_entries",)).fetchone()[0]
        fids = np.arange(start + 1, start + 1 + len(rows)).tolist()
        self.conn.execute("DROP TRIGGER IF EXISTS rtree_bank_entries_geom_insert")
        self.conn.executemany(
            _INSERT_ENTRY_FID,
            (
                (fid, *row)
                for fid, row in zip(
                    fids, self._entry_rows(rows, geometry, srid, ENTRY_COLUMNS), strict=True
                )
            ),
        )
        bounds = shapely.bounds(geometry)[:, [0, 2, 1, 3]].tolist()
        self.conn.executemany(
            "INSERT OR REPLACE INTO rtree_bank_entries_geom VALUES (?, ?, ?, ?, ?)",
            ((fid, *b) for fid, b in zip(fids, bounds, strict=True)),
        )
        self.conn.execute(_RTREE_INSERT_TRIGGER)

    def update_entries(self, rows: pd.DataFrame, geometry: np.ndarray, srid: int) -> None:
        if len(rows):
            self.conn.executemany(
                _UPDATE_ENTRY,
                self._entry_rows(rows, geometry, srid, [*_UPDATE_COLS, "parcel_id"]),
            )

    def update_states(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.conn.executemany(_UPDATE_STATE, rows)

    def insert_sync(self, record: tuple[Any, ...]) -> int:
        cur = self.conn.execute(_INSERT_SYNC, (*record, __version__))
        return int(cur.lastrowid or 0)

    def insert_events(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.conn.executemany(_INSERT_EVENT, rows)

    def load_events(self, candidate_id: str) -> list[tuple[Any, ...]]:
        return self.conn.execute(_SELECT_EVENTS, (candidate_id,)).fetchall()

    def load_syncs(self) -> list[tuple[Any, ...]]:
        return self.conn.execute(_SELECT_SYNCS).fetchall()

    def update_extent(self, bounds: tuple[float, float, float, float] | None, at: str) -> None:
        if bounds is not None:
            self.conn.execute(
                "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? "
                "WHERE table_name = ?",
                (*bounds, "bank_entries"),
            )
        self.conn.executemany(
            "UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?",
            [(at, t) for t in ("bank_entries", "bank_history", "bank_syncs")],
        )


class GpkgBackend:
    """The bank in a GeoPackage file (created with the bank tables if it does not exist)."""

    kind = "geopackage"

    def __init__(self, path: str | Path, *, timeout: float) -> None:
        self.path = Path(path)
        self.label = str(self.path)
        self.timeout = timeout
        if self.path.is_dir():
            msg = f"ProjectBank.open(): {self.path} is a folder; give a .gpkg file path."
            raise BankError(msg)
        if self.path.exists() and self.path.stat().st_size:
            with self.path.open("rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    msg = (
                        f"ProjectBank.open(): {self.path} is not a GeoPackage (not an SQLite "
                        "file). Give a new .gpkg path or an existing GeoPackage."
                    )
                    raise BankError(msg)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
            self.conn.create_function(name, 1, _st(i), deterministic=True)
        self.conn.create_function("ST_IsEmpty", 1, _st_isempty, deterministic=True)
        failure: LanduseError | None = None
        try:
            self.conn.execute("PRAGMA synchronous = FULL")
            self._ensure_schema()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            failure = self._store_error(exc, "opening it")
            if failure is None:
                raise
        except BaseException:
            self.conn.close()
            raise
        if failure is not None:
            raise failure

    def _busy(self, doing: str) -> StoreBusyError:
        return StoreBusyError.waited(self.label, doing, self.timeout)

    def _version(self) -> int | None:
        with self.transaction(write=False) as s:
            tables = {
                r[0]
                for r in s.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                ).fetchall()
            }
            if "bank_schema" not in tables:
                if "bank_entries" in tables:
                    msg = (
                        f"ProjectBank.open(): {self.label} has a table bank_entries that landuse "
                        "did not create (no bank_schema table). Use another file."
                    )
                    raise BankError(msg)
                if tables and "gpkg_contents" not in tables:
                    msg = (
                        f"ProjectBank.open(): {self.label} is an SQLite database but not a "
                        "GeoPackage (no gpkg_contents). Use a .gpkg file."
                    )
                    raise BankError(msg)
                return None
            row = s.conn.execute("SELECT max(version) FROM bank_schema").fetchone()
            return int(row[0])

    def _ensure_schema(self) -> None:
        version = self._version()
        if version is not None:
            check_version(self.label, version)
            return
        with self.transaction(write=True) as s:
            if s.conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = ?", ("bank_schema",)
            ).fetchone()[0]:
                version = s.conn.execute("SELECT max(version) FROM bank_schema").fetchone()[0]
                check_version(self.label, int(version))
                return
            at = now_utc()
            app_id = s.conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id not in _APPLICATION_IDS:
                s.conn.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
                s.conn.execute("PRAGMA user_version = 10300")  # GeoPackage 1.3
            for statement in _GPKG_CORE.split(";"):
                if statement.strip():
                    s.conn.execute(statement)
            s.conn.executemany(_SRS_INSERT, _DEFAULT_SRS)
            for statement in _split_sql(_BANK_TABLES):
                s.conn.execute(statement)
            s.conn.execute(_RTREE_INSERT_TRIGGER)
            for sql, params in _REGISTER:
                s.conn.execute(sql, (*params, at))
            s.conn.execute(_REGISTER_GEOM, ("bank_entries", "geom", "MULTIPOLYGON"))
            s.conn.execute(_REGISTER_RTREE, ("bank_entries", "geom"))
            s.conn.execute(
                "INSERT INTO bank_schema (version, applied_at, landuse_version) VALUES (?, ?, ?)",
                (SCHEMA_VERSION, at, __version__),
            )

    def _store_error(self, exc: sqlite3.DatabaseError, doing: str) -> LanduseError | None:
        """The user-facing error for SQLite's answer ``exc`` (None: not a store condition)."""
        name = str(getattr(exc, "sqlite_errorname", ""))
        text = str(exc)
        if _is_busy(exc):
            return self._busy(doing)
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
            return BankError(
                f"ProjectBank: {self.label} is damaged (SQLite: {text}); landuse cannot read "
                "it. Restore the file from a backup, or save what is left with the sqlite3 "
                f"tool: sqlite3 {self.label} .recover | sqlite3 recovered.gpkg. A .gpkg copied "
                "while a sync was running must be copied together with its -journal file."
            )
        if name.startswith("SQLITE_READONLY") or "readonly" in text:
            journal = Path(f"{self.path}-journal")
            if name == "SQLITE_READONLY_ROLLBACK" or (
                journal.exists() and journal.stat().st_size and not os.access(self.path, os.W_OK)
            ):
                return BankError(
                    f"ProjectBank.open(): {self.label} has an unfinished write (hot journal "
                    f"{journal.name}, left by a sync that was killed) that must be rolled back, "
                    "but this process cannot write the file. Open it once with write access "
                    "(ProjectBank.open by a user who may write it, or QGIS in read-write "
                    "mode): that restores the state before the killed sync. Until then "
                    "read-only programs cannot read it. Nothing was written."
                )
            return BankError(
                f"ProjectBank: {self.label} is read-only for this process and {doing} needs "
                "to write it: check the file's permissions (and its folder's: SQLite writes "
                "a -journal file next to it). Nothing was written."
            )
        return None

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[_Session]:
        """One SQLite transaction; ``write`` takes the write lock first (BEGIN IMMEDIATE).

        SQLite's answers about the store itself (busy, damaged, read-only, a hot journal it
        cannot roll back) become :class:`StoreBusyError` / :class:`BankError`.
        """
        doing = "this write" if write else "this read"
        failure: LanduseError | None = None
        try:
            self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.DatabaseError as exc:
            failure = self._store_error(exc, doing)
            if failure is None:
                raise
        if failure is not None:
            raise failure
        try:
            yield _Session(self.conn)
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            failure = (
                self._store_error(exc, doing) if isinstance(exc, sqlite3.DatabaseError) else None
            )
            if failure is None:
                raise
        if failure is not None:
            raise failure

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def _split_sql(script: str) -> list[str]:
    """Split the constant DDL script into statements (triggers contain ``;`` inside BEGIN/END)."""
    out: list[str] = []
    buf: list[str] = []
    depth = 0
    for line in script.strip().splitlines():
        buf.append(line)
        word = line.strip().upper()
        if word == "BEGIN":
            depth += 1
        if word.startswith("END;"):
            depth -= 1
        if depth == 0 and line.rstrip().endswith(";"):
            out.append("\n".join(buf))
            buf = []
    return out
