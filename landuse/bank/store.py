"""The redevelopment project bank store (低效产业用地再开发项目库): ``ProjectBank``.

A bank lives for years and several people update it. :meth:`ProjectBank.open` opens (or
creates) it in a GeoPackage file — the default, one file on a shared drive that QGIS opens as a
polygon layer — or in a PostGIS database (``postgresql://`` DSN, ``pip install
"landuse[postgis]"``). Both behave the same:

* :meth:`~ProjectBank.sync` upserts the candidates of one identification run by parcel (the
  stable key), records what changed, and marks parcels that are no longer candidates as
  resolved (never deletes them); running it twice on the same input changes nothing;
* :meth:`~ProjectBank.set_status` moves entries along ``identified → verified → approved →
  in_progress → completed`` (or ``rejected``), refusing anything else;
* :meth:`~ProjectBank.history` returns every event of an entry (time, user, note, old → new);
* :meth:`~ProjectBank.entries`, :meth:`~ProjectBank.summary` and
  :meth:`~ProjectBank.export_excel` report the current state.

Every write is one transaction: a process killed half-way leaves the store as it was, and a
second writer waits for the first (up to ``timeout``) or gets :class:`StoreBusyError`.
"""

from __future__ import annotations

import getpass
import json
import logging
import math
import os
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import geopandas as gpd
import pandas as pd
import pyproj
import shapely

from landuse._checks import Lang, check_lang
from landuse._sinks import redact_dsn, terminal_text
from landuse.bank._common import (
    CANDIDATE_COLUMNS,
    STATUSES,
    TRANSITIONS,
    Backend,
    BankError,
    BankStatus,
    StoreBusyError,
    iso_date,
    iso_timestamp,
    now_utc,
    pause_for_tests,
    plain_values,
    prepare_candidates,
    refuse_nul,
)
from landuse.bank._gpkg import GpkgBackend
from landuse.bank._history import describe_changes, event_row, excel_sheets
from landuse.bank._postgis import PostgisBackend
from landuse.bank._sync import SyncReport, apply_sync, normalise_entries
from landuse.crs import crs_label
from landuse.errors import CRSError, format_ids
from landuse.schema import CATEGORY_LABELS, parse_category
from landuse.report import About, check_output_path, write_tables
from landuse.units import m2_to_mu

__all__ = [
    "CANDIDATE_COLUMNS",
    "STATUSES",
    "TRANSITIONS",
    "BankError",
    "BankStatus",
    "ProjectBank",
    "StoreBusyError",
    "SyncReport",
]

log = logging.getLogger(__name__)


def _as_date(value: Any, *, name: str, caller: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = pd.NaT
    if pd.isna(ts):
        msg = f"{caller}(): `{name}` must be a date such as '2021-12-31'; received {value!r}."
        raise BankError(msg)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return ts.normalize()


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (containers without a passwd entry)
        return "unknown"


class ProjectBank:
    """The redevelopment project bank (低效产业用地再开发项目库) in a GeoPackage or PostGIS.

    Create it with :meth:`ProjectBank.open`; use it as a context manager or call
    :meth:`close`.

    Notes
    -----
    **After a crash (GeoPackage).** A sync that is killed (power cut, ``kill -9``, a closed
    notebook kernel) leaves the ``.gpkg`` unchanged in meaning but with a *hot journal*
    ``bank.gpkg-journal`` beside it: SQLite's record of the pages to put back. The next
    program that opens the file *read-write* (:meth:`open`, QGIS editing it) rolls the
    journal back and removes it; the bank is then exactly as before the killed sync. Until
    then, programs that open it *read-only* (``pyogrio.read_dataframe``, QGIS in read-only
    mode, a user without write permission) fail with "attempt to write a readonly database";
    :meth:`open` by such a user raises :class:`BankError` saying so. Copy or back up the
    ``.gpkg`` together with its ``-journal`` (a copy without it can be corrupt), or open it
    once read-write first. A damaged file raises :class:`BankError` naming the fix: restore
    a backup, or ``sqlite3 bank.gpkg .recover | sqlite3 recovered.gpkg``. A PostGIS bank has
    no such state: the server rolls back the transaction of a client that vanished.

    **Secrets.** :attr:`target`, ``repr(bank)``, log lines and error messages show a PostGIS
    DSN without its password (``user:***@`` / ``password=***``). Better still, keep the
    password out of the DSN: ``PGPASSWORD``, ``~/.pgpass`` or a ``pg_service.conf`` service
    (``postgresql:///?service=landuse``).

    Examples
    --------
    >>> import tempfile, geopandas, shapely
    >>> from pathlib import Path
    >>> candidates = geopandas.GeoDataFrame(
    ...     {"candidate_id": ["B-P1", "B-P2"], "parcel_id": ["P1", "P2"], "zone_id": "Z1",
    ...      "reasons": ["low_far", "idle"], "reason_text": ["容积率低", "闲置"],
    ...      "grade": ["D", None], "route": ["工业上楼", "收购储备"], "priority": [0.9, 0.7],
    ...      "land_area_m2": 10000.0, "potential_extra_floor_area_m2": [8000.0, 12000.0],
    ...      "land_freed_mu": [0.0, 15.0], "potential_tax_wan": [60.0, 90.0]},
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100)],
    ...     crs="EPSG:4549")
    >>> path = Path(tempfile.mkdtemp()) / "bank.gpkg"
    >>> with ProjectBank.open(path) as bank:
    ...     print(bank.sync(candidates, as_of="2021-12-31", by="wang").summary(lang="en"))
    ...     print(bank.sync(candidates, as_of="2021-12-31", by="wang").changed)
    ...     bank.set_status("B-P1", "verified", by="li", note="现场核实")
    ...     print(bank.entries()[["candidate_id", "status"]].to_string(index=False))
    sync as of 2021-12-31: 2 added, 0 changed, 0 unchanged, 0 resolved, 0 re-identified; 2 entries
    0
    candidate_id     status
            B-P1   verified
            B-P2 identified
    """

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    # --- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, target: str | os.PathLike[str], *, timeout: float = 10.0) -> ProjectBank:
        """Open the bank at ``target``, creating its (versioned) tables on first use.

        Parameters
        ----------
        target
            A path ending in ``.gpkg`` (created if missing; may be an existing GeoPackage,
            the bank adds its tables), or a ``postgresql://user@host:port/dbname`` DSN
            (needs ``pip install "landuse[postgis]"`` and the ``postgis`` extension, which
            is created if the user may).
        timeout
            Seconds a write waits for another process's write to finish before raising
            :class:`StoreBusyError`.

        Returns
        -------
        ProjectBank

        Raises
        ------
        BankError
            ``target`` is neither a ``.gpkg`` path nor a DSN, is not a GeoPackage, was
            written by a newer landuse (a newer bank schema version), is a malformed DSN,
            is a damaged file (the message says how to recover), or holds the hot journal of
            a killed sync that this process cannot roll back (no write permission; see the
            class Notes); ``timeout`` is not a finite number of seconds >= 0. Messages and
            ``target`` never show the DSN's password.
        StoreBusyError
            Another process is creating the tables and did not finish within ``timeout``.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> bank = ProjectBank.open(Path(tempfile.mkdtemp()) / "bank.gpkg")
        >>> bank.kind, len(bank.entries())
        ('geopackage', 0)
        >>> bank.close()
        """
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout)
            or timeout < 0
        ):
            msg = (
                "ProjectBank.open(): `timeout` must be a finite number of seconds >= 0; "
                f"received {timeout!r}."
            )
            raise BankError(msg)
        text = os.fspath(target)
        if text.startswith(("postgresql://", "postgres://")):
            return cls(PostgisBackend(text, timeout=float(timeout)))
        if text.lower().endswith(".gpkg"):
            return cls(GpkgBackend(text, timeout=float(timeout)))
        msg = (
            "ProjectBank.open(): `target` must be a GeoPackage path ending in .gpkg or a "
            f"PostGIS DSN starting with postgresql://; received {redact_dsn(text)!r}."
        )
        raise BankError(msg)

    @property
    def kind(self) -> str:
        """``"geopackage"`` or ``"postgis"``."""
        return str(getattr(self._backend, "kind", "unknown"))

    @property
    def target(self) -> str:
        """The file path, or the DSN without its password."""
        return self._backend.label

    def close(self) -> None:
        """Close the connection to the store."""
        self._backend.close()

    def __enter__(self) -> ProjectBank:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ProjectBank({self.kind}: {self.target})"

    # --- state -------------------------------------------------------------------------------

    def _meta(self) -> dict[str, str]:
        with self._backend.transaction(write=False) as s:
            return s.meta()

    @property
    def crs(self) -> pyproj.CRS | None:
        """The CRS of the stored geometries (set by the first sync), or ``None``."""
        wkt = self._meta().get("crs")
        return None if wkt is None else pyproj.CRS.from_user_input(wkt)

    @property
    def as_of(self) -> pd.Timestamp | None:
        """The ``as_of`` date of the latest sync, or ``None`` before the first."""
        last = self._meta().get("last_sync_as_of")
        return None if last is None else pd.Timestamp(last)

    # --- writing -----------------------------------------------------------------------------

    def sync(
        self,
        candidates: gpd.GeoDataFrame,
        *,
        as_of: Any,
        note: str | None = None,
        by: str | None = None,
    ) -> SyncReport:
        """Upsert one identification run's candidates by parcel, in one transaction.

        New parcels are added as ``identified``. An entry whose data (any column of
        ``candidates``, other columns included, or the geometry) differ from the stored ones
        is updated and the old → new values go to its history. An entry whose parcel is not
        among ``candidates`` is kept and marked resolved: ``identified``/``verified`` ones get
        status ``resolved_by_data``, entries a person moved further (approved, in progress,
        completed, rejected) keep their status; all get ``resolved_on = as_of``. A resolved
        parcel that is a candidate again is re-identified. Running the same sync twice
        changes nothing (the second reports ``changed == 0``; the sync log keeps both runs).

        Parameters
        ----------
        candidates
            What :func:`landuse.build_project_bank` returns: a GeoDataFrame of (Multi)Polygons
            in a projected CRS with ``candidate_id``, ``parcel_id`` (the stable key),
            ``zone_id``, ``reasons`` (codes joined by ``;`` or a list), ``reason_text``,
            ``grade``, ``route``, ``priority``, ``land_area_m2``,
            ``potential_extra_floor_area_m2``, ``land_freed_mu``, ``potential_tax_wan``;
            further columns are stored too (in the ``attributes`` JSON text column).
        as_of
            The date the candidates describe (``"2021-12-31"``, a date or Timestamp); must
            not be earlier than the previous sync's.
        note
            Why this sync (kept in the history of every entry it touches).
        by
            Who ran it; defaults to the login name.

        Returns
        -------
        SyncReport

        Raises
        ------
        SchemaError, GeometryError, CRSError
            ``candidates`` break the contract (every offender of a kind is listed), or their
            CRS differs from the bank's.
        BankError
            ``as_of`` is earlier than the previous sync, or a parcel comes with a
            candidate_id other than the one the bank gave it.
        StoreBusyError
            Another process kept the store locked for longer than ``timeout``.

        Examples
        --------
        See :class:`ProjectBank`.
        """
        caller = "ProjectBank.sync"
        prep = prepare_candidates(candidates, caller=caller)
        day = _as_date(as_of, name="as_of", caller=caller)
        as_of_text = day.strftime("%Y-%m-%d")
        user = by if by else _default_user()
        refuse_nul(
            {"by": [user], "note": [note]}, ids=[f"sync as of {as_of_text}"],
            what="`by` or `note`", caller=caller,
        )  # fmt: skip
        with self._backend.transaction(write=True) as s:
            at = now_utc()  # after the lock: event times follow the order of the writes
            meta = s.meta()
            last = meta.get("last_sync_as_of")
            if last is not None and as_of_text < last:
                msg = (
                    f"{caller}(): `as_of` {as_of_text} is earlier than the bank's latest sync "
                    f"({last}); a bank moves forward in time. Sync newer data, or open a "
                    "separate bank for a look back."
                )
                raise BankError(msg)
            if "crs" in meta:
                store_crs = pyproj.CRS.from_user_input(meta["crs"])
                if store_crs != prep.crs:
                    msg = (
                        f"`candidates` passed to {caller}() are in {crs_label(prep.crs)}, but "
                        f"the bank {self.target} stores {crs_label(store_crs)}. Reproject: "
                        f"candidates.to_crs({store_crs.to_string()!r})."
                    )
                    raise CRSError(msg)
                srid = int(meta["srid"])
            else:
                srid = s.set_srs(prep.crs)
                s.set_meta({"crs": prep.crs.to_wkt(), "srid": str(srid)})
            old = normalise_entries(s.load_entries())
            report = apply_sync(s, prep, old, as_of_text, user, note, at, srid)
            types = json.loads(meta.get("attribute_types", "{}"))
            types.update(prep.attribute_types)
            order = prep.attribute_columns + [
                c for c in json.loads(meta.get("attribute_columns", "[]"))
                if c not in prep.attribute_columns
            ]  # fmt: skip
            s.set_meta(
                {
                    "last_sync_as_of": as_of_text,
                    "attribute_types": json.dumps(types),
                    "attribute_columns": json.dumps(order),
                }
            )
        log.info("%s: %s", self.target, report.summary(lang="en"))
        return report

    def set_status(
        self,
        candidate_id: str | Sequence[str],
        status: BankStatus,
        *,
        by: str,
        note: str | None = None,
    ) -> None:
        """Move one entry (or several, all or none) to ``status``, recording who and why.

        Legal moves: identified → verified | rejected; verified → approved | rejected;
        approved → in_progress | rejected; in_progress → completed; rejected → identified
        (re-open). ``resolved_by_data`` is set and cleared by :meth:`sync` only; completed
        is final.

        Parameters
        ----------
        candidate_id
            One candidate id, or a list of them (one transaction).
        status
            The new status: its code (``"verified"``), Chinese (``"已核实"``) or English
            (``"Verified"``) name.
        by
            Who decided (required).
        note
            Why (kept in the history).

        Raises
        ------
        BankError
            Unknown status or candidate id, or an illegal transition; the message lists the
            legal next states of each offending entry.
        StoreBusyError
            Another process kept the store locked for longer than ``timeout``.

        Examples
        --------
        See :class:`ProjectBank`.
        """
        caller = "ProjectBank.set_status"
        ids = [candidate_id] if isinstance(candidate_id, str) else list(dict.fromkeys(candidate_id))
        code = parse_category("bank_status", status) if isinstance(status, str) else None
        if code is None:
            labels = CATEGORY_LABELS["bank_status"]
            msg = (
                f"{caller}(): `status` must be one of {', '.join(STATUSES)}, or in Chinese "
                f"{', '.join(labels[s][0] for s in STATUSES)} (English: "
                f"{', '.join(labels[s][1] for s in STATUSES)}); received {status!r}."
            )
            raise BankError(msg)
        status = code  # type: ignore[assignment]
        if status == "resolved_by_data":
            msg = (
                f"{caller}(): 'resolved_by_data' is set by sync() when a parcel is no longer a "
                "candidate; choose one of " + ", ".join(s for s in STATUSES if s != status) + "."
            )
            raise BankError(msg)
        if not isinstance(by, str) or not by.strip():
            msg = f"{caller}(): `by` must name who decided; received {by!r}."
            raise BankError(msg)
        if not ids:
            msg = f"{caller}(): `candidate_id` is empty; give one id or a list of ids."
            raise BankError(msg)
        refuse_nul(
            {"candidate_id": ids, "by": [by] * len(ids), "note": [note] * len(ids)},
            ids=[terminal_text(i) for i in ids], what="`candidate_id`, `by` or `note`",
            caller=caller,
        )  # fmt: skip
        with self._backend.transaction(write=True) as s:
            at = now_utc()
            rows = normalise_entries(s.load_entries(candidate_ids=ids))
            unknown = [c for c in ids if c not in set(rows["candidate_id"])]
            if unknown:
                msg = (
                    f"{caller}(): {len(unknown)} candidate id(s) not in the bank: "
                    f"{format_ids(unknown)}. See bank.entries() for the ids."
                )
                raise BankError(msg)
            illegal = [
                (cid, cur)
                for cid, cur in zip(rows["candidate_id"], rows["status"], strict=False)
                if status not in TRANSITIONS[cur]
            ]
            if illegal:
                parts = [
                    f"{cid} is {cur} (legal next: {', '.join(TRANSITIONS[cur]) or 'none'})"
                    for cid, cur in illegal
                ]
                msg = (
                    f"{caller}(): cannot move {len(illegal)} entr{'y' if len(illegal) == 1 else 'ies'} "
                    f"to {status}: {format_ids(parts, limit=3)}."
                )
                raise BankError(msg)
            s.update_states(
                [
                    (status, ro, at, by, at, pid)
                    for pid, ro in zip(rows.index, plain_values(rows["resolved_on"]), strict=False)
                ]
            )
            pause_for_tests("set_status")
            s.insert_events(
                [
                    event_row(
                        cid, pid, None, at, None, "status", by, note, {"status": [cur, status]}
                    )
                    for pid, cid, cur in zip(
                        rows.index, rows["candidate_id"], rows["status"], strict=False
                    )
                ]
            )
            s.update_extent(None, at)

    # --- reading -----------------------------------------------------------------------------

    def history(self, candidate_id: str, *, lang: Lang = "zh") -> pd.DataFrame:
        """Every event of one entry, oldest first.

        Parameters
        ----------
        candidate_id
            The entry.
        lang
            Language of the ``description`` column.

        Returns
        -------
        pandas.DataFrame
            One row per event: ``event_id``, ``at`` (UTC), ``event`` (``added``, ``changed``,
            ``resolved``, ``reidentified``, ``status``), ``as_of`` (the sync's date), ``by``,
            ``note``, ``changes`` (``{column: [old, new]}``; geometries as WKT), ``sync_id``,
            ``description`` (the changes as text).

        Raises
        ------
        BankError
            ``candidate_id`` is not in the bank.

        Examples
        --------
        >>> import tempfile, geopandas, shapely
        >>> from pathlib import Path
        >>> c = geopandas.GeoDataFrame(
        ...     {"candidate_id": ["B-P1"], "parcel_id": ["P1"], "zone_id": "Z1",
        ...      "reasons": "low_far", "reason_text": "容积率低", "grade": "D", "route": "工业上楼",
        ...      "priority": 0.9, "land_area_m2": 10000.0, "potential_extra_floor_area_m2": 8000.0,
        ...      "land_freed_mu": 0.0, "potential_tax_wan": 60.0},
        ...     geometry=[shapely.box(0, 0, 100, 100)], crs="EPSG:4549")
        >>> with ProjectBank.open(Path(tempfile.mkdtemp()) / "b.gpkg") as bank:
        ...     _ = bank.sync(c, as_of="2020-12-31", by="wang")
        ...     bank.set_status("B-P1", "verified", by="li", note="现场核实")
        ...     h = bank.history("B-P1", lang="en")
        >>> h[["event", "by", "note"]].to_numpy().tolist()
        [['added', 'wang', None], ['status', 'li', '现场核实']]
        >>> h["description"].iloc[1]
        'Status: Identified → Verified'
        """
        check_lang(lang, caller="ProjectBank.history")
        refuse_nul(
            {"candidate_id": [candidate_id]}, ids=[terminal_text(candidate_id)],
            what="`candidate_id`", caller="ProjectBank.history",
        )  # fmt: skip
        with self._backend.transaction(write=False) as s:
            rows = s.load_events(candidate_id)
            if not rows and not len(s.load_entries(candidate_ids=[candidate_id])):
                msg = (
                    f"ProjectBank.history(): candidate id {candidate_id!r} is not in the bank "
                    f"{self.target}. See bank.entries() for the ids."
                )
                raise BankError(msg)
        frame = pd.DataFrame.from_records(
            rows, columns=["event_id", "at", "event", "as_of", "by", "note", "changes", "sync_id"]
        )
        frame["at"] = pd.to_datetime(
            [iso_timestamp(v) for v in frame["at"]], utc=True, format="ISO8601"
        )
        frame["as_of"] = pd.to_datetime([iso_date(v) for v in frame["as_of"]], format="ISO8601")
        frame["changes"] = [json.loads(c) for c in frame["changes"]]
        frame["description"] = [describe_changes(c, lang=lang) for c in frame["changes"]]
        frame["note"] = frame["note"].astype(object).where(frame["note"].notna(), None)
        frame["sync_id"] = frame["sync_id"].astype("Int64")
        frame.attrs["candidate_id"] = candidate_id
        return frame

    def entries(
        self,
        *,
        status: str | Sequence[str] | None = None,
        zone_id: str | Sequence[str] | None = None,
    ) -> gpd.GeoDataFrame:
        """Return the current state of the bank, highest priority first.

        Parameters
        ----------
        status
            Keep only entries with this status (or any of these).
        zone_id
            Keep only entries of this zone (or these zones).

        Returns
        -------
        geopandas.GeoDataFrame
            The candidate columns (further synced columns expanded back), ``status``,
            ``first_identified``, ``resolved_on`` (NaT while still a candidate),
            ``status_changed_at``, ``status_by``, ``updated_at``, MultiPolygon geometry in the
            bank's CRS. ``attrs["as_of"]`` is the latest sync date.

        Raises
        ------
        BankError
            An unknown status.

        Examples
        --------
        See :class:`ProjectBank`.
        """
        return self._entries(status=status, zone_id=zone_id, expand=True)

    def _entries(
        self,
        *,
        status: str | Sequence[str] | None,
        zone_id: str | Sequence[str] | None,
        expand: bool,
    ) -> gpd.GeoDataFrame:
        statuses = [status] if isinstance(status, str) else status
        if statuses is not None:
            bad = [s for s in statuses if s not in STATUSES]
            if bad:
                msg = (
                    f"ProjectBank.entries(): unknown `status` {format_ids(bad)}; valid: "
                    f"{', '.join(STATUSES)}."
                )
                raise BankError(msg)
        zones = [zone_id] if isinstance(zone_id, str) else zone_id
        with self._backend.transaction(write=False) as s:
            meta = s.meta()
            raw = s.load_entries()
        frame = normalise_entries(raw).reset_index()
        if statuses is not None:
            frame = frame[frame["status"].isin(statuses)]
        if zones is not None:
            frame = frame[frame["zone_id"].isin([str(z) for z in zones])]
        frame = frame.sort_values(
            ["priority", "candidate_id"], ascending=[False, True], na_position="last", kind="stable"
        )
        data = {c: frame[c].to_numpy() for c in CANDIDATE_COLUMNS}
        data["status"] = frame["status"].to_numpy()
        out = pd.DataFrame(data)
        if expand:
            extra = _expand_attributes(frame["attributes"].tolist(), meta)
            for c in extra.columns:
                out[c] = extra[c].to_numpy()
        for c in ("first_identified", "resolved_on"):
            out[c] = pd.to_datetime(frame[c].to_numpy(), format="ISO8601").as_unit("us")
        for c in ("status_changed_at", "updated_at"):
            out[c] = pd.to_datetime(frame[c].to_numpy(), utc=True, format="ISO8601").as_unit("us")
        out["status_by"] = frame["status_by"].to_numpy()
        crs = pyproj.CRS.from_user_input(meta["crs"]) if "crs" in meta else None
        result = gpd.GeoDataFrame(
            out, geometry=gpd.GeoSeries(frame["geometry"].to_numpy(), crs=crs).values, crs=crs
        )
        result.attrs["as_of"] = (
            pd.Timestamp(meta["last_sync_as_of"]) if "last_sync_as_of" in meta else None
        )
        result.attrs["bank"] = self.target
        return result

    def syncs(self) -> pd.DataFrame:
        """Return the sync log: one row per :meth:`sync` run with its counts, user and note.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> with ProjectBank.open(Path(tempfile.mkdtemp()) / "b.gpkg") as bank:
        ...     list(bank.syncs().columns[:5])
        ['sync_id', 'at', 'as_of', 'by', 'note']
        """
        with self._backend.transaction(write=False) as s:
            rows = s.load_syncs()
        frame = pd.DataFrame.from_records(
            rows,
            columns=["sync_id", "at", "as_of", "by", "note", "added", "changed", "unchanged",
                     "resolved", "reidentified", "total", "landuse_version"],
        )  # fmt: skip
        frame["at"] = pd.to_datetime(
            [iso_timestamp(v) for v in frame["at"]], utc=True, format="ISO8601"
        )
        frame["as_of"] = pd.to_datetime([iso_date(v) for v in frame["as_of"]], format="ISO8601")
        return frame

    def summary(self) -> pd.DataFrame:
        """Entries by zone and status: count, 亩, potential extra floor area, potential tax.

        Returns
        -------
        pandas.DataFrame
            One row per zone and status present: ``zone_id``, ``status``, ``count``,
            ``land_area_mu``, ``land_freed_mu``, ``potential_extra_floor_area_m2``,
            ``potential_tax_wan`` (sums; NaN where every value is missing). Statuses in
            lifecycle order.

        Examples
        --------
        >>> import tempfile, geopandas, shapely
        >>> from pathlib import Path
        >>> c = geopandas.GeoDataFrame(
        ...     {"candidate_id": ["B-P1", "B-P2"], "parcel_id": ["P1", "P2"], "zone_id": "Z1",
        ...      "reasons": "low_far", "reason_text": "容积率低", "grade": "D", "route": "工业上楼",
        ...      "priority": [0.9, 0.8], "land_area_m2": 10000.0,
        ...      "potential_extra_floor_area_m2": 8000.0, "land_freed_mu": 0.0,
        ...      "potential_tax_wan": 60.0},
        ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(0, 200, 100, 300)],
        ...     crs="EPSG:4549")
        >>> with ProjectBank.open(Path(tempfile.mkdtemp()) / "b.gpkg") as bank:
        ...     _ = bank.sync(c, as_of="2020-12-31", by="wang")
        ...     bank.summary()[["zone_id", "status", "count", "land_area_mu", "potential_tax_wan"]]
          zone_id      status  count  land_area_mu  potential_tax_wan
        0      Z1  identified      2          30.0              120.0
        """
        e = self._entries(status=None, zone_id=None, expand=False)
        frame = pd.DataFrame(
            {
                "zone_id": e["zone_id"].astype(object).where(e["zone_id"].notna(), "").to_numpy(),
                "status": pd.Categorical(e["status"], categories=STATUSES, ordered=True),
                "land_area_mu": m2_to_mu(e["land_area_m2"].to_numpy(dtype=float)),
                "land_freed_mu": e["land_freed_mu"].to_numpy(dtype=float),
                "potential_extra_floor_area_m2": e["potential_extra_floor_area_m2"].to_numpy(
                    dtype=float
                ),
                "potential_tax_wan": e["potential_tax_wan"].to_numpy(dtype=float),
            }
        )
        sums = [
            "land_area_mu",
            "land_freed_mu",
            "potential_extra_floor_area_m2",
            "potential_tax_wan",
        ]
        grouped = frame.groupby(["zone_id", "status"], observed=True, sort=True)
        out = grouped[sums].sum(min_count=1)
        out.insert(0, "count", grouped.size())
        out = out.reset_index()
        out["status"] = out["status"].astype(str)
        out["zone_id"] = out["zone_id"].replace("", None)
        out.attrs["as_of"] = e.attrs.get("as_of")
        return out

    def export_excel(self, path: str | os.PathLike[str], *, lang: Lang = "zh") -> Path:
        """Write the summary, the entries and the sync log to a workbook (atomic).

        Sheets 汇总 (summary by zone and status, with a 合计 total row), 项目清单 (every entry,
        without geometry) and 同步记录 (the sync log), then 说明; Chinese headers and status
        names by default, English with ``lang="en"``, the status codes in ``status_code``. The
        one Excel style of :func:`landuse.report.write_tables`. Every text is a string cell
        showing the stored text exactly, never a formula (a parcel id ``=1+1`` stays the text
        ``=1+1``).

        Returns
        -------
        pathlib.Path
            ``path``.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> folder = Path(tempfile.mkdtemp())
        >>> with ProjectBank.open(folder / "b.gpkg") as bank:
        ...     bank.export_excel(folder / "bank.xlsx").name
        'bank.xlsx'
        """
        caller = "ProjectBank.export_excel"
        check_lang(lang, caller=caller)
        target = check_output_path(path, caller=caller, suffixes=(".xlsx",))
        sheets = excel_sheets(self.summary(), self.entries(), self.syncs(), lang=lang)
        about = About(
            title="低效产业用地再开发项目库（台账）" if lang == "zh" else "Redevelopment project bank",
            sources=(redact_dsn(str(self.target)),),
        )
        write_tables(sheets, target, lang=lang, about=about, caller=caller)
        return target


def _expand_attributes(texts: list[str | None], meta: dict[str, str]) -> pd.DataFrame:
    """Expand the extra candidate columns back from their JSON text (datetimes restored)."""
    records = [json.loads(t) if t else {} for t in texts]
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    types = json.loads(meta.get("attribute_types", "{}"))
    order = json.loads(meta.get("attribute_columns", "[]"))
    first = [c for c in order if c in frame.columns]
    frame = frame[first + [c for c in frame.columns if c not in order]]
    for c in frame.columns:
        if types.get(c) == "datetime":
            frame[c] = pd.to_datetime(frame[c], format="ISO8601")
        elif types.get(c) == "wkt":
            frame[c] = shapely.from_wkt(frame[c].to_numpy())
    return frame
