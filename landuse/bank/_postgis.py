"""Project bank in PostGIS (psycopg 3): the same tables and behaviour as the GeoPackage.

Every write is one transaction (``with conn.transaction()``). Writers serialise on a
transaction-level advisory lock taken first thing, with ``lock_timeout`` set to the bank's
``timeout``: a second writer waits, and one that waits too long gets :class:`StoreBusyError`.
A client killed mid-transaction leaves nothing: the server rolls the open transaction back
when the connection drops. Readers are never blocked (MVCC) and read one snapshot
(``REPEATABLE READ READ ONLY``). Rows go in with ``COPY`` (geometries as hex EWKB); every
value is a bound parameter or COPY data; table names are constants.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pyproj
import shapely

from landuse._sinks import redact_all, redact_dsn
from landuse._version import __version__
from landuse.bank._common import (
    ENTRY_COLUMNS,
    SCHEMA_VERSION,
    STATUSES,
    BankError,
    StoreBusyError,
    check_version,
    rows_of,
)
from landuse.errors import LanduseError

__all__ = ["PostgisBackend", "dsn_secrets"]

#: pg_advisory_xact_lock key of the bank's write lock (b"landuseB" as a signed 64-bit int).
_LOCK_KEY = int.from_bytes(b"landuseB", "big", signed=True)

_STATUS_CHECK = ", ".join(f"'{s}'" for s in STATUSES)  # constants, not user input
_DDL = f"""
CREATE TABLE bank_schema (
  version integer PRIMARY KEY, applied_at timestamptz NOT NULL, landuse_version text NOT NULL);
CREATE TABLE bank_meta (key text PRIMARY KEY, value text);
CREATE TABLE bank_entries (
  fid bigserial PRIMARY KEY,
  geom geometry(MultiPolygon),
  candidate_id text NOT NULL UNIQUE,
  parcel_id text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ({_STATUS_CHECK})),
  zone_id text, reasons text, reason_text text, grade text, route text,
  priority double precision, land_area_m2 double precision,
  potential_extra_floor_area_m2 double precision, land_freed_mu double precision,
  potential_tax_wan double precision, attributes text,
  first_identified date NOT NULL, resolved_on date, status_changed_at timestamptz,
  status_by text, updated_at timestamptz NOT NULL);
CREATE INDEX bank_entries_geom_idx ON bank_entries USING gist (geom);
CREATE INDEX bank_entries_zone_idx ON bank_entries (zone_id);
CREATE INDEX bank_entries_status_idx ON bank_entries (status);
CREATE TABLE bank_syncs (
  sync_id bigserial PRIMARY KEY, synced_at timestamptz NOT NULL, as_of date NOT NULL,
  by_user text, note text, added integer NOT NULL, changed integer NOT NULL,
  unchanged integer NOT NULL, resolved integer NOT NULL, reidentified integer NOT NULL,
  total integer NOT NULL, landuse_version text NOT NULL);
CREATE TABLE bank_history (
  event_id bigserial PRIMARY KEY, candidate_id text NOT NULL, parcel_id text NOT NULL,
  sync_id bigint REFERENCES bank_syncs (sync_id), event_at timestamptz NOT NULL, as_of date,
  event text NOT NULL, by_user text, note text, changes text NOT NULL);
CREATE INDEX bank_history_candidate_idx ON bank_history (candidate_id);
"""
_STAGE = """
CREATE TEMP TABLE bank_stage (
  geom geometry, candidate_id text, parcel_id text, status text, zone_id text, reasons text,
  reason_text text, grade text, route text, priority double precision,
  land_area_m2 double precision, potential_extra_floor_area_m2 double precision,
  land_freed_mu double precision, potential_tax_wan double precision, attributes text,
  first_identified date, resolved_on date, status_changed_at timestamptz, status_by text,
  updated_at timestamptz) ON COMMIT DROP
"""
_COLS = ", ".join(ENTRY_COLUMNS)
#: Which of the given tables exist in a schema of the search path (read from pg_class).
_EXISTING_TABLES = (
    "SELECT c.relname FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n "
    "ON n.oid = c.relnamespace WHERE c.relname = ANY(%s) AND n.nspname = ANY(current_schemas(false))"
)
_DATE_TEXT = "to_char({}, 'YYYY-MM-DD')"
_TS_TEXT = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"


def _as_text(column: str) -> str:
    """Select dates and timestamps as the same text the GeoPackage holds (constant SQL)."""
    if column in ("first_identified", "resolved_on", "as_of"):
        return _DATE_TEXT.format(column)
    if column in ("status_changed_at", "updated_at", "event_at", "synced_at"):
        return _TS_TEXT.format(column)
    return column


_SELECT_ENTRIES = (
    "SELECT fid, ST_AsBinary(geom), "
    + ", ".join(_as_text(c) for c in ENTRY_COLUMNS)
    + " FROM bank_entries"
)
_COPY_ENTRIES = f"COPY bank_entries (geom, {_COLS}) FROM STDIN"
_COPY_STAGE = f"COPY bank_stage (geom, {_COLS}) FROM STDIN"
_UPDATE_FROM_STAGE = (
    "UPDATE bank_entries AS e SET geom = s.geom, "
    + ", ".join(f"{c} = s.{c}" for c in ENTRY_COLUMNS if c != "parcel_id")
    + " FROM bank_stage AS s WHERE e.parcel_id = s.parcel_id"
)
_UPDATE_STATE = (
    "UPDATE bank_entries SET status = %s, resolved_on = %s, status_changed_at = %s, "
    "status_by = %s, updated_at = %s WHERE parcel_id = %s"
)
_INSERT_SYNC = (
    "INSERT INTO bank_syncs (synced_at, as_of, by_user, note, added, changed, unchanged, "
    "resolved, reidentified, total, landuse_version) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING sync_id"
)
_COPY_EVENTS = (
    "COPY bank_history (candidate_id, parcel_id, sync_id, event_at, as_of, event, by_user, "
    "note, changes) FROM STDIN"
)
_SELECT_EVENTS = (
    f"SELECT event_id, {_as_text('event_at')}, event, {_as_text('as_of')}, by_user, note, "
    "changes, sync_id FROM bank_history WHERE candidate_id = %s ORDER BY event_id"
)
_SELECT_SYNCS = (
    f"SELECT sync_id, {_as_text('synced_at')}, {_as_text('as_of')}, by_user, note, added, "
    "changed, unchanged, resolved, reidentified, total, landuse_version FROM bank_syncs "
    "ORDER BY sync_id"
)


def dsn_secrets(dsn: str) -> list[str]:
    """Every form in which ``dsn`` holds a password: as libpq reads it and as written.

    The parsed password comes from psycopg's ``conninfo_to_dict``; the written forms
    (percent-encoded, quoted) are found in the text itself, so they are known even when the
    DSN is malformed and libpq quotes a piece of it back in an error.

    Examples
    --------
    >>> sorted(dsn_secrets("postgresql://u:s3%21cret@db/x"))
    ['s3!cret', 's3%21cret']
    >>> dsn_secrets("postgresql://u@db/x?password=s3cret&sslmode=require")
    ['s3cret']
    >>> dsn_secrets("host=db password='a b'")
    ["'a b'", 'a b']
    >>> dsn_secrets("postgresql://db/x")
    []
    """
    found: list[str] = []
    try:
        from psycopg.conninfo import conninfo_to_dict

        password = conninfo_to_dict(dsn).get("password")
    except Exception:  # noqa: BLE001  (malformed DSN, or no psycopg): fall back to the text
        password = None
    if password:
        found.append(str(password))
    if "://" in dsn:
        authority = re.split(r"[/?#]", dsn.split("://", 1)[1], maxsplit=1)[0]
        userinfo = authority.rpartition("@")[0]
        if ":" in userinfo:
            found.append(userinfo.split(":", 1)[1])
    for match in _PASSWORD_VALUE.finditer(dsn):
        found.append(match.group(1))
    forms = []
    for value in found:
        forms += [value, unquote(value), value.strip("'").replace("\\'", "'")]
    return sorted(dict.fromkeys(f for f in forms if f), key=len, reverse=True)


_PASSWORD_VALUE = re.compile(r"""(?i)\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|[^&\s]+)""")


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        msg = (
            'ProjectBank on PostGIS needs psycopg 3: pip install "landuse[postgis]" '
            "(or keep the bank in a .gpkg file)."
        )
        raise ImportError(msg) from exc
    return psycopg


class _Session:
    def __init__(self, cur: Any) -> None:
        self.cur = cur

    def meta(self) -> dict[str, str]:
        self.cur.execute("SELECT key, value FROM bank_meta")
        return dict(self.cur.fetchall())

    def set_meta(self, items: Mapping[str, str]) -> None:
        self.cur.executemany(
            "INSERT INTO bank_meta (key, value) VALUES (%s, %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            list(items.items()),
        )

    def set_srs(self, crs: pyproj.CRS) -> int:
        epsg = crs.to_epsg()
        if epsg is None:
            msg = (
                f"A PostGIS bank needs a CRS with an EPSG code; the candidates are in "
                f"{crs.name}. Reproject them to the EPSG CRS of your analysis (e.g. EPSG:4549)."
            )
            raise BankError(msg)
        self.cur.execute("SELECT count(*) FROM spatial_ref_sys WHERE srid = %s", (epsg,))
        if not self.cur.fetchone()[0]:
            msg = f"PostGIS's spatial_ref_sys has no SRID {epsg}; add it or reproject."
            raise BankError(msg)
        self.cur.execute("SELECT UpdateGeometrySRID(%s, %s, %s)", ("bank_entries", "geom", epsg))
        return int(epsg)

    def load_entries(self, *, candidate_ids: Sequence[str] | None = None) -> pd.DataFrame:
        with self.cur.connection.cursor(binary=True) as cur:  # binary rows: faster to load
            if candidate_ids is None:
                cur.execute(_SELECT_ENTRIES + " ORDER BY fid")
            else:
                cur.execute(
                    _SELECT_ENTRIES + " WHERE candidate_id = ANY(%s) ORDER BY fid",
                    (list(candidate_ids),),
                )
            rows = cur.fetchall()
        frame = pd.DataFrame.from_records(
            rows, columns=["fid", "geom", *ENTRY_COLUMNS], coerce_float=False
        )
        wkb = [None if b is None else bytes(b) for b in frame.pop("geom").tolist()]
        frame["geometry"] = shapely.from_wkb(np.array(wkb, dtype=object)) if len(frame) else []
        return frame

    def _copy(self, sql: str, rows: pd.DataFrame, geometry: np.ndarray, srid: int) -> None:
        ewkb = shapely.to_wkb(
            shapely.set_srid(geometry, srid), hex=True, include_srid=True, byte_order=1
        )
        with self.cur.copy(sql) as copy:
            for g, values in zip(ewkb.tolist(), rows_of(rows, ENTRY_COLUMNS), strict=False):
                copy.write_row((g, *values))

    def insert_entries(self, rows: pd.DataFrame, geometry: np.ndarray, srid: int) -> None:
        if len(rows):
            self._copy(_COPY_ENTRIES, rows, geometry, srid)

    def update_entries(self, rows: pd.DataFrame, geometry: np.ndarray, srid: int) -> None:
        if len(rows):
            self.cur.execute(_STAGE)
            self._copy(_COPY_STAGE, rows, geometry, srid)
            self.cur.execute(_UPDATE_FROM_STAGE)
            self.cur.execute("DROP TABLE bank_stage")

    def update_states(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.cur.executemany(_UPDATE_STATE, rows)

    def insert_sync(self, record: tuple[Any, ...]) -> int:
        self.cur.execute(_INSERT_SYNC, (*record, __version__))
        return int(self.cur.fetchone()[0])

    def insert_events(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            with self.cur.copy(_COPY_EVENTS) as copy:
                for row in rows:
                    copy.write_row(row)

    def load_events(self, candidate_id: str) -> list[tuple[Any, ...]]:
        self.cur.execute(_SELECT_EVENTS, (candidate_id,))
        return list(self.cur.fetchall())

    def load_syncs(self) -> list[tuple[Any, ...]]:
        self.cur.execute(_SELECT_SYNCS)
        return list(self.cur.fetchall())

    def update_extent(self, bounds: tuple[float, float, float, float] | None, at: str) -> None:
        """PostGIS computes extents itself; nothing to record."""


class PostgisBackend:
    """The bank in a PostGIS database (tables created in the first schema of search_path)."""

    kind = "postgis"

    def __init__(self, dsn: str, *, timeout: float) -> None:
        psycopg = _psycopg()
        self._errors = psycopg.errors
        self._dsn = dsn
        self._secrets = dsn_secrets(dsn)
        self.label = redact_dsn(dsn)
        if not math.isfinite(timeout) or timeout < 0:
            msg = f"ProjectBank.open(): `timeout` must be seconds >= 0; received {timeout!r}."
            raise BankError(msg)
        self.timeout = timeout
        failure: LanduseError | None = None
        try:
            from psycopg.conninfo import conninfo_to_dict

            conninfo_to_dict(dsn)
        except psycopg.Error as exc:
            failure = BankError(
                f"ProjectBank.open(): {self.label} is not a valid PostgreSQL connection string: "
                f"{self.redact(str(exc).strip())}. Write it as postgresql://user@host:port/dbname "
                "(IPv6 hosts in brackets, special characters in the password percent-encoded)."
            )
        if failure is None:
            try:
                self.conn = psycopg.connect(
                    dsn, autocommit=True, connect_timeout=max(2, int(timeout) + 1)
                )
            except psycopg.Error as exc:
                failure = LanduseError(
                    f"ProjectBank.open(): could not connect to {self.label}: "
                    f"{self.redact(str(exc).strip())}"
                )
        if failure is not None:  # raised outside `except`: no driver text in __context__
            raise failure
        try:
            self._ensure_schema()
        except BaseException:
            self.conn.close()
            raise

    def redact(self, text: str) -> str:
        """Return a driver's message without the DSN's password (in any form)."""
        return redact_dsn(redact_all(text.replace(self._dsn, self.label), self._secrets))

    def _busy(self, doing: str) -> StoreBusyError:
        return StoreBusyError.waited(self.label, doing, self.timeout)

    def _ensure_schema(self) -> None:
        with self.conn.cursor() as cur:
            cur.execute("SELECT to_regclass(%s)", ("bank_schema",))
            if cur.fetchone()[0] is not None:
                cur.execute("SELECT max(version) FROM bank_schema")
                check_version(self.label, int(cur.fetchone()[0]))
                return
        with self.transaction(write=True) as s:
            # Under the write lock, ask the catalog tables themselves (this statement's MVCC
            # snapshot sees what another creator committed while we waited). to_regclass()
            # would answer from this backend's catalog cache, which taking an advisory lock
            # does not refresh: a creator that just committed looked like a foreign table.
            cur = s.cur
            cur.execute(_EXISTING_TABLES, (["bank_schema", "bank_entries"],))
            existing = {row[0] for row in cur.fetchall()}
            if "bank_schema" in existing:  # another process created it meanwhile
                cur.execute("SELECT max(version) FROM bank_schema")
                check_version(self.label, int(cur.fetchone()[0]))
                return
            if "bank_entries" in existing:
                msg = (
                    f"ProjectBank.open(): {self.label} has a table bank_entries that landuse did "
                    "not create (no bank_schema table). Use another database or schema."
                )
                raise BankError(msg)
            cur.execute("SELECT count(*) FROM pg_extension WHERE extname = %s", ("postgis",))
            if not cur.fetchone()[0]:
                try:
                    with self.conn.transaction():
                        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                except self._errors.Error as exc:
                    msg = (
                        f"ProjectBank.open(): the database {self.label} has no PostGIS and this "
                        f"user cannot add it ({self.redact(str(exc))}). Ask its administrator to run "
                        "CREATE EXTENSION postgis; in it, or use a .gpkg file."
                    ).strip()
                    raise LanduseError(msg) from None
            cur.execute(_DDL)
            cur.execute(
                "INSERT INTO bank_schema (version, applied_at, landuse_version) "
                "VALUES (%s, now(), %s)",
                (SCHEMA_VERSION, __version__),
            )

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[_Session]:
        """One transaction; ``write`` first takes the bank's write lock (or StoreBusyError)."""
        doing = "this write" if write else "this read"
        try:
            with self.conn.transaction(), self.conn.cursor() as cur:
                if write:
                    cur.execute(
                        "SELECT set_config('lock_timeout', %s, true)",
                        (f"{int(self.timeout * 1000)}ms" if self.timeout > 0 else "1ms",),
                    )
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
                else:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield _Session(cur)
        except (self._errors.LockNotAvailable, self._errors.DeadlockDetected):
            raise self._busy(doing) from None
        except self._errors.SerializationFailure:
            raise self._busy(doing) from None

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
