"""One sync of the project bank: compare candidates with the stored entries, write the changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

from landuse._checks import Lang, check_lang
from landuse.bank._common import (
    ENTRY_COLUMNS,
    HUMAN_DECISIONS,
    REAL_COLUMNS,
    TEXT_COLUMNS,
    BankError,
    float_values,
    iso_date,
    iso_timestamp,
    loads,
    pause_for_tests,
    plain_values,
)
from landuse.bank._history import sync_events
from landuse.errors import format_ids

__all__ = ["SyncReport", "apply_sync", "differences", "normalise_entries"]


@dataclass(frozen=True)
class SyncReport:
    """What one :meth:`ProjectBank.sync` did.

    ``added + changed + unchanged + reidentified`` is the number of candidates synced;
    ``resolved`` counts entries whose parcel is no longer a candidate.

    Attributes
    ----------
    as_of
        The date the candidates describe.
    sync_id
        Row of this run in the bank's sync log.
    added
        New parcels (status ``identified``).
    changed
        Entries still identified whose data (any candidate column or the geometry) changed.
    unchanged
        Entries whose data are exactly as stored.
    resolved
        Entries no longer among the candidates: ``identified``/``verified`` ones become
        ``resolved_by_data``; the others keep the status a person gave them. All get
        ``resolved_on = as_of``.
    reidentified
        Entries resolved earlier whose parcel is a candidate again.
    total
        Entries in the bank after the sync.
    changed_fields
        ``{column: number of entries}`` over the changed and reidentified entries.
    added_ids, changed_ids, resolved_ids, reidentified_ids
        The candidate ids of each group.
    """

    as_of: pd.Timestamp
    sync_id: int
    added: int
    changed: int
    unchanged: int
    resolved: int
    reidentified: int
    total: int
    changed_fields: dict[str, int] = field(default_factory=dict)
    added_ids: tuple[str, ...] = ()
    changed_ids: tuple[str, ...] = ()
    resolved_ids: tuple[str, ...] = ()
    reidentified_ids: tuple[str, ...] = ()

    def summary(self, *, lang: Lang = "zh") -> str:
        """One line for people (Chinese by default, ``lang="en"`` for English).

        Examples
        --------
        >>> r = SyncReport(pd.Timestamp("2021-12-31"), 1, 3, 1, 5, 2, 0, 11)
        >>> r.summary()
        '2021-12-31 同步: 新增 3, 变化 1, 未变 5, 销号 2, 重新识别 0; 库内共 11 条'
        >>> r.summary(lang="en")
        'sync as of 2021-12-31: 3 added, 1 changed, 5 unchanged, 2 resolved, 0 re-identified; 11 entries'
        """
        check_lang(lang, caller="SyncReport.summary")
        day = self.as_of.strftime("%Y-%m-%d")
        if lang == "en":
            return (
                f"sync as of {day}: {self.added} added, {self.changed} changed, "
                f"{self.unchanged} unchanged, {self.resolved} resolved, "
                f"{self.reidentified} re-identified; {self.total} entries"
            )
        return (
            f"{day} 同步: 新增 {self.added}, 变化 {self.changed}, 未变 {self.unchanged}, "
            f"销号 {self.resolved}, 重新识别 {self.reidentified}; 库内共 {self.total} 条"
        )


def _iso(s: pd.Series, convert: Any) -> list[Any]:
    """Dates/timestamps as ISO text; text from the store is already ISO (fast path)."""
    if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        return plain_values(s)
    return [convert(v) for v in s.tolist()]


def normalise_entries(frame: pd.DataFrame) -> pd.DataFrame:
    """Give loaded entries the same Python types from either backend, indexed by parcel_id."""
    out = pd.DataFrame(
        index=pd.Index(plain_values(frame["parcel_id"]), dtype=object, name="parcel_id")
    )
    for c in ("candidate_id", "status", *TEXT_COLUMNS, "attributes", "status_by"):
        out[c] = pd.Series(plain_values(frame[c]), dtype=object, index=out.index)
    for c in REAL_COLUMNS:
        out[c] = np.asarray(float_values(pd.to_numeric(frame[c], errors="coerce")), dtype=float)
    for c in ("first_identified", "resolved_on"):
        out[c] = pd.Series(_iso(frame[c], iso_date), dtype=object, index=out.index)
    for c in ("status_changed_at", "updated_at"):
        out[c] = pd.Series(_iso(frame[c], iso_timestamp), dtype=object, index=out.index)
    out["fid"] = frame["fid"].to_numpy()
    geoms = (
        np.asarray(frame["geometry"], dtype=object) if len(frame) else np.array([], dtype=object)
    )
    out["geometry"] = pd.Series(geoms, dtype=object, index=out.index)
    return out


def differences(new: pd.DataFrame, new_geom: np.ndarray, old: pd.DataFrame) -> pd.DataFrame:
    """Boolean frame (rows of ``new``): which data columns and the geometry differ."""
    diff = {}
    for c in (*TEXT_COLUMNS, "attributes"):
        a = np.asarray(plain_values(new[c]), dtype=object)
        b = np.asarray(plain_values(old[c]), dtype=object)
        diff[c] = ~np.asarray(a == b, dtype=bool) if len(a) else np.zeros(0, dtype=bool)
    for c in REAL_COLUMNS:
        a = new[c].to_numpy(dtype=float)
        b = old[c].to_numpy(dtype=float)
        diff[c] = ~((a == b) | (np.isnan(a) & np.isnan(b)))
    # the same values may be written differently (5 vs 5.0): compare the parsed attributes
    new_att, old_att = plain_values(new["attributes"]), plain_values(old["attributes"])
    for i in np.flatnonzero(diff["attributes"]):
        if new_att[i] is not None and old_att[i] is not None:
            diff["attributes"][i] = loads(new_att[i]) != loads(old_att[i])
    old_geom = np.asarray(old["geometry"].tolist(), dtype=object)
    diff["geometry"] = ~shapely.equals_exact(new_geom, old_geom, tolerance=0.0)
    return pd.DataFrame(diff, index=new.index)


def apply_sync(
    s: Any,
    prep: Any,
    old: pd.DataFrame,
    as_of: str,
    by: str,
    note: str | None,
    at: str,
    srid: int,
) -> SyncReport:
    new = prep.frame
    in_old = new.index.isin(old.index)
    common = new.index[in_old]
    added = new.index[~in_old]
    check_ids(new, old, common, added)

    new_c = new.loc[common]
    old_c = old.loc[common]
    geom_c = prep.geometry[in_old]
    diff = differences(new_c, geom_c, old_c)
    data_changed = diff.any(axis=1).to_numpy()
    back = old_c["resolved_on"].notna().to_numpy()
    changed = data_changed & ~back
    update = data_changed | back
    dropped = old.index[~old.index.isin(new.index) & old["resolved_on"].isna().to_numpy()]
    total = len(old) + len(added)

    sync_id = s.insert_sync(
        (at, as_of, by, note, len(added), int(changed.sum()),
         int((~update).sum()), len(dropped), int(back.sum()), total)
    )  # fmt: skip
    _insert_new(s, new.loc[added], prep.geometry[~in_old], as_of=as_of, by=by, at=at, srid=srid)
    prev = old_c[update]
    _update_kept(s, new_c[update], prev, geom_c[update], by=by, at=at, srid=srid)
    pause_for_tests("sync")
    gone = old.loc[dropped]
    to_resolved = _resolve_gone(s, gone, as_of=as_of, by=by, at=at)

    events = sync_events(
        sync_id=sync_id, at=at, as_of=as_of, by=by, note=note,
        added=new.loc[added], added_geometry=prep.geometry[~in_old],
        updated_new=new_c[update], updated_old=prev, updated_geometry=geom_c[update],
        updated_diff=diff[update], gone=gone, to_resolved=to_resolved,
    )  # fmt: skip
    s.insert_events(events)

    remaining = old["geometry"][~old.index.isin(common)].to_numpy()
    allgeom = np.concatenate([remaining, prep.geometry]) if total else remaining
    bounds = tuple(shapely.total_bounds(allgeom).tolist()) if total else None
    s.update_extent(bounds, at)

    counts = diff[update].sum()
    return SyncReport(
        as_of=pd.Timestamp(as_of),
        sync_id=sync_id,
        added=len(added),
        changed=int(changed.sum()),
        unchanged=int((~update).sum()),
        resolved=len(dropped),
        reidentified=int(back.sum()),
        total=total,
        changed_fields={str(k): int(v) for k, v in counts.items() if v},
        added_ids=tuple(new.loc[added, "candidate_id"]),
        changed_ids=tuple(new_c.loc[changed, "candidate_id"]),
        resolved_ids=tuple(gone["candidate_id"]),
        reidentified_ids=tuple(new_c.loc[back, "candidate_id"]),
    )


def _insert_new(
    s: Any, added: pd.DataFrame, geometry: Any, *, as_of: str, by: str, at: str, srid: int
) -> None:
    """New entries, status ``identified``."""
    ins = added.reset_index()
    ins["status"] = "identified"
    ins["first_identified"] = as_of
    ins["resolved_on"] = None
    ins["status_changed_at"] = at
    ins["status_by"] = by
    ins["updated_at"] = at
    s.insert_entries(ins[list(ENTRY_COLUMNS)], geometry, srid)


def _update_kept(
    s: Any, new: pd.DataFrame, prev: pd.DataFrame, geometry: Any, *, by: str, at: str, srid: int
) -> None:
    """Changed and re-identified entries: the new data, the state carried over."""
    upd = new.reset_index()
    reopened = (prev["status"] == "resolved_by_data").to_numpy()
    upd["status"] = np.where(reopened, "identified", prev["status"].to_numpy())
    upd["first_identified"] = prev["first_identified"].to_numpy()
    upd["resolved_on"] = None
    upd["status_changed_at"] = np.where(reopened, at, prev["status_changed_at"].to_numpy())
    upd["status_by"] = np.where(reopened, by, prev["status_by"].to_numpy())
    upd["updated_at"] = at
    s.update_entries(upd[list(ENTRY_COLUMNS)], geometry, srid)


def _resolve_gone(s: Any, gone: pd.DataFrame, *, as_of: str, by: str, at: str) -> np.ndarray:
    """Entries no longer among the candidates: resolved on ``as_of``; undecided ones flip to
    ``resolved_by_data``. Returns which flipped."""
    to_resolved = ~gone["status"].isin(HUMAN_DECISIONS).to_numpy()
    s.update_states(
        [
            (
                "resolved_by_data" if flip else status,
                as_of,
                at if flip else changed_at,
                by if flip else status_by,
                at,
                pid,
            )
            for pid, status, changed_at, status_by, flip in zip(
                gone.index, plain_values(gone["status"]),
                plain_values(gone["status_changed_at"]), plain_values(gone["status_by"]),
                to_resolved, strict=False,
            )
        ]
    )  # fmt: skip
    return to_resolved


def check_ids(new: pd.DataFrame, old: pd.DataFrame, common: pd.Index, added: pd.Index) -> None:
    moved = new.loc[common, "candidate_id"].to_numpy() != old.loc[common, "candidate_id"].to_numpy()
    taken = new.loc[added, "candidate_id"].isin(old["candidate_id"]).to_numpy()
    problems = [
        f"parcel {p}: bank has {o}, candidates have {n}"
        for p, n, o in zip(
            common[moved],
            new.loc[common[moved], "candidate_id"],
            old.loc[common[moved], "candidate_id"],
            strict=False,
        )
    ]
    owner = dict(zip(old["candidate_id"], old.index, strict=False))
    problems += [
        f"{c} (parcel {p}) already names parcel {owner[c]}"
        for p, c in zip(added[taken], new.loc[added[taken], "candidate_id"], strict=False)
    ]
    if problems:
        msg = (
            f"ProjectBank.sync(): {len(problems)} candidate_id conflict(s) with the bank: "
            f"{format_ids(problems, limit=3)}. A candidate_id is the bank's permanent id of "
            "its parcel; keep the ids the bank has (derive them from parcel_id)."
        )
        raise BankError(msg)
