"""Project-bank events (what a sync or a status change did, old → new) and Excel sheets."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import shapely

from landuse.bank._common import (
    REAL_COLUMNS,
    TEXT_COLUMNS,
    float_values,
    loads,
    plain_values,
)
from landuse.schema import category_label, field_info, field_label

__all__ = ["describe_changes", "event_row", "excel_sheets", "sync_events"]

_FIELDS = (*TEXT_COLUMNS, *REAL_COLUMNS)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

_TOTAL = {"zh": "合计", "en": "total"}
_SHEETS = {"zh": ("汇总", "项目清单", "同步记录"), "en": ("summary", "entries", "syncs")}
_GEOMETRY_WORDS = {"zh": ("新增", "已修改", "删除"), "en": ("set", "changed", "removed")}


def event_row(
    candidate_id: str,
    parcel_id: str,
    sync_id: int | None,
    at: str,
    as_of: str | None,
    event: str,
    by: str | None,
    note: str | None,
    changes: dict[str, list[Any]],
) -> tuple[Any, ...]:
    """One ``bank_history`` row (``changes`` as JSON text)."""
    text = _ENCODER.encode(changes)
    return (candidate_id, parcel_id, sync_id, at, as_of, event, by, note, text)


def _values(frame: pd.DataFrame) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {c: plain_values(frame[c]) for c in TEXT_COLUMNS}
    for c in REAL_COLUMNS:
        out[c] = float_values(frame[c].to_numpy(dtype=float))
    return out


def _wkt(geoms: np.ndarray) -> list[str | None]:
    return [None if w is None else str(w) for w in shapely.to_wkt(geoms, rounding_precision=-1)]


def sync_events(
    *,
    sync_id: int,
    at: str,
    as_of: str,
    by: str,
    note: str | None,
    added: pd.DataFrame,
    added_geometry: np.ndarray,
    updated_new: pd.DataFrame,
    updated_old: pd.DataFrame,
    updated_geometry: np.ndarray,
    updated_diff: pd.DataFrame,
    gone: pd.DataFrame,
    to_resolved: np.ndarray,
) -> list[tuple[Any, ...]]:
    """Build the history rows of one sync: added, changed/reidentified and resolved entries."""
    events: list[tuple[Any, ...]] = []
    vals = _values(added)
    atts = plain_values(added["attributes"])
    wkt = _wkt(added_geometry)
    for i, (pid, cid) in enumerate(zip(added.index, added["candidate_id"], strict=False)):
        ch: dict[str, list[Any]] = {"status": [None, "identified"]}
        for c in _FIELDS:
            if vals[c][i] is not None:
                ch[c] = [None, vals[c][i]]
        ch.update({k: [None, v] for k, v in loads(atts[i]).items() if v is not None})
        ch["geometry"] = [None, wkt[i]]
        events.append(event_row(cid, pid, sync_id, at, as_of, "added", by, note, ch))

    new_vals, old_vals = _values(updated_new), _values(updated_old)
    new_att, old_att = (
        plain_values(updated_new["attributes"]),
        plain_values(updated_old["attributes"]),
    )
    geo_changed = updated_diff["geometry"].to_numpy()
    old_wkt = _wkt(np.asarray(updated_old["geometry"].tolist(), dtype=object)[geo_changed])
    new_wkt = _wkt(updated_geometry[geo_changed])
    geo_pos = np.cumsum(geo_changed) - 1
    diff = {c: updated_diff[c].to_numpy() for c in updated_diff.columns}
    for i, (pid, cid, status, resolved_on) in enumerate(
        zip(
            updated_new.index,
            updated_new["candidate_id"],
            plain_values(updated_old["status"]),
            plain_values(updated_old["resolved_on"]),
            strict=False,
        )
    ):
        ch = {}
        if resolved_on is not None:
            if status == "resolved_by_data":
                ch["status"] = ["resolved_by_data", "identified"]
            ch["resolved_on"] = [resolved_on, None]
        for c in _FIELDS:
            if diff[c][i]:
                ch[c] = [old_vals[c][i], new_vals[c][i]]
        if diff["attributes"][i]:
            o, n = loads(old_att[i]), loads(new_att[i])
            for k in sorted(set(o) | set(n)):
                if k not in o or k not in n or o[k] != n[k]:
                    ch[k] = [o.get(k), n.get(k)]
        if geo_changed[i]:
            ch["geometry"] = [old_wkt[geo_pos[i]], new_wkt[geo_pos[i]]]
        kind = "reidentified" if resolved_on is not None else "changed"
        events.append(event_row(cid, pid, sync_id, at, as_of, kind, by, note, ch))

    for pid, cid, status, flip in zip(
        gone.index, gone["candidate_id"], plain_values(gone["status"]), to_resolved, strict=False
    ):
        ch = {"status": [status, "resolved_by_data"]} if flip else {}
        ch["resolved_on"] = [None, as_of]
        events.append(event_row(cid, pid, sync_id, at, as_of, "resolved", by, note, ch))
    return events


def _show(value: Any, *, key: str, lang: str) -> str:
    if value is None:
        return "—"
    category = field_info(key).category
    if category is not None and isinstance(value, str):
        return category_label(category, value, lang="zh" if lang == "zh" else "en")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def describe_changes(changes: dict[str, list[Any]], *, lang: str = "zh") -> str:
    """``{column: [old, new]}`` as text: ``"status: identified → verified"``.

    Examples
    --------
    >>> describe_changes({"status": ["identified", "verified"], "priority": [0.5, 0.75]})
    '状态: 已识别 → 已核实; 优先级得分: 0.5 → 0.75'
    >>> describe_changes({"geometry": ["POLYGON (…)", "POLYGON (…)"]}, lang="en")
    'Geometry: changed'
    """
    words = _GEOMETRY_WORDS[lang]
    parts = []
    for key, (old, new) in changes.items():
        label = field_label(key, lang)
        if key == "geometry":
            word = words[0] if old is None else words[2] if new is None else words[1]
            parts.append(f"{label}: {word}")
        else:
            parts.append(
                f"{label}: {_show(old, key=key, lang=lang)} → {_show(new, key=key, lang=lang)}"
            )
    return "; ".join(parts)


def _naive(frame: pd.DataFrame) -> pd.DataFrame:
    """Timezone-aware columns as naive UTC (Excel has no time zones)."""
    out = frame.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_convert(None)
    return out


def excel_sheets(
    summary: pd.DataFrame, entries: pd.DataFrame, syncs: pd.DataFrame, *, lang: str
) -> dict[str, pd.DataFrame]:
    """Build the sheets of ``ProjectBank.export_excel`` (canonical columns, a total row).

    Headers and status names come from the one catalogue when the output layer writes them.
    """
    total = {
        "zone_id": _TOTAL[lang],
        "status": "",
        "count": int(summary["count"].sum()),
        **{c: summary[c].sum(min_count=1) for c in summary.columns[3:]},
    }
    table = pd.concat([summary, pd.DataFrame([total])], ignore_index=True)
    listing = _naive(pd.DataFrame(entries.drop(columns=entries.geometry.name)))
    names = _SHEETS[lang]
    return {names[0]: table, names[1]: listing, names[2]: _naive(syncs)}
