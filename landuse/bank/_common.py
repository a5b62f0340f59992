"""What both project-bank backends share: columns, statuses, errors, candidate preparation.

The bank keeps one row per parcel (the stable upsert key is ``parcel_id``) in the table
``bank_entries``, every event in ``bank_history``, every sync run in ``bank_syncs``, the
store's settings in ``bank_meta`` and the applied schema versions in ``bank_schema``. Table
and column names are constants of this module; every value reaching SQL is a bound parameter.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from landuse._sinks import terminal_text
from landuse._version import __version__
from landuse.crs import check_projected
from landuse.errors import (
    BankError,
    GeometryError,
    SchemaError,
    StoreBusyError,
    format_ids,
)
from landuse.schema import category_labels

__all__ = [
    "CANDIDATE_COLUMNS",
    "ENTRY_COLUMNS",
    "HUMAN_DECISIONS",
    "REAL_COLUMNS",
    "SCHEMA_VERSION",
    "STATUSES",
    "TEXT_COLUMNS",
    "TRANSITIONS",
    "check_version",
    "BankError",
    "BankStatus",
    "Prepared",
    "Session",
    "StoreBusyError",
    "plain_values",
    "prepare_candidates",
    "refuse_nul",
]

#: Version of the tables this landuse writes; a store with a higher version is refused.
SCHEMA_VERSION = 1

BankStatus = Literal[
    "identified", "verified", "approved", "in_progress", "completed", "rejected", "resolved_by_data"
]
STATUSES: tuple[str, ...] = (
    "identified",
    "verified",
    "approved",
    "in_progress",
    "completed",
    "rejected",
    "resolved_by_data",
)
#: Legal manual transitions (``set_status``). ``resolved_by_data`` is set and cleared by ``sync``.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "identified": ("verified", "rejected"),
    "verified": ("approved", "rejected"),
    "approved": ("in_progress", "rejected"),
    "in_progress": ("completed",),
    "completed": (),
    "rejected": ("identified",),
    "resolved_by_data": (),
}
#: Statuses a person decided; a sync never overwrites them (it records ``resolved_on`` instead).
HUMAN_DECISIONS = frozenset({"approved", "in_progress", "completed", "rejected"})

#: status → label per language: a view of :data:`landuse.schema.CATEGORY_LABELS` ``["bank_status"]``.
STATUS_LABELS: dict[str, dict[str, str]] = {
    lang: category_labels("bank_status", lang=lang) for lang in ("zh", "en")
}

KEY_COLUMNS = ("candidate_id", "parcel_id")
TEXT_COLUMNS = ("zone_id", "reasons", "reason_text", "grade", "route")
REAL_COLUMNS = (
    "priority",
    "land_area_m2",
    "potential_extra_floor_area_m2",
    "land_freed_mu",
    "potential_tax_wan",
)
#: What ``build_project_bank`` returns and ``sync`` requires (besides the geometry).
CANDIDATE_COLUMNS = KEY_COLUMNS + TEXT_COLUMNS + REAL_COLUMNS
#: Values compared by ``sync`` to decide whether an entry changed (plus the geometry).
DATA_COLUMNS = (*TEXT_COLUMNS, *REAL_COLUMNS, "attributes")
STATE_COLUMNS = (
    "status",
    "first_identified",
    "resolved_on",
    "status_changed_at",
    "status_by",
    "updated_at",
)
#: Columns of ``bank_entries`` besides ``fid`` and ``geom``, in table order.
ENTRY_COLUMNS = (*KEY_COLUMNS, "status", *DATA_COLUMNS, *STATE_COLUMNS[1:])
RESERVED = frozenset({"fid", "geom", "attributes", "geometry", *STATE_COLUMNS})


def now_utc() -> str:
    """Return the current UTC time as GeoPackage DATETIME text (``YYYY-MM-DDTHH:MM:SS.SSSZ``)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso_timestamp(value: Any) -> str | None:
    """Return a stored timestamp (text or ``datetime``) as UTC ``…T…Z`` text."""
    if _missing(value):
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return str(value)


def iso_date(value: Any) -> str | None:
    """Return a stored date (text or ``date``) as ``YYYY-MM-DD`` text."""
    if _missing(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def pause_for_tests(point: str) -> None:
    """Test-only hook: pause inside a write transaction so a test can kill or race it.

    ``LANDUSE_BANK_TEST_PAUSE="<point>:<seconds>:<marker file>"`` makes the write named
    ``point`` (``sync`` or ``set_status``) create the marker file and wait, with its
    transaction open and part of its rows written, until ``seconds`` have passed or the
    test deletes the marker. Unset, this does nothing.
    """
    spec = os.environ.get("LANDUSE_BANK_TEST_PAUSE")
    if not spec:
        return
    name, seconds, marker = spec.split(":", 2)
    if name != point:
        return
    path = Path(marker)
    path.write_text(str(os.getpid()))
    end = time.monotonic() + float(seconds)
    while path.exists() and time.monotonic() < end:
        time.sleep(0.01)


class Session(Protocol):
    """One transaction on a backend (the methods the bank logic calls)."""

    def meta(self) -> dict[str, str]: ...

    def set_meta(self, items: Mapping[str, str]) -> None: ...

    def set_srs(self, crs: pyproj.CRS) -> int: ...

    def load_entries(self, *, candidate_ids: Sequence[str] | None = None) -> pd.DataFrame: ...

    def insert_entries(self, rows: pd.DataFrame, geometry: np.ndarray, srid: int) -> None: ...

    def update_entries(self, rows: pd.DataFrame, geometry: np.ndarray, srid: int) -> None: ...

    def update_states(self, rows: list[tuple[Any, ...]]) -> None: ...

    def insert_sync(self, record: tuple[Any, ...]) -> int: ...

    def insert_events(self, rows: list[tuple[Any, ...]]) -> None: ...

    def load_events(self, candidate_id: str) -> list[tuple[Any, ...]]: ...

    def load_syncs(self) -> list[tuple[Any, ...]]: ...

    def update_extent(self, bounds: tuple[float, float, float, float] | None, at: str) -> None: ...


class Backend(Protocol):
    """A store: GeoPackage file or PostGIS database."""

    label: str

    def transaction(self, *, write: bool) -> AbstractContextManager[Session]: ...

    def close(self) -> None: ...


# --- candidates --------------------------------------------------------------------------------


@dataclass
class Prepared:
    """Candidates checked and converted to what the store keeps (index = ``parcel_id``)."""

    frame: pd.DataFrame  # candidate_id, TEXT_COLUMNS (str|None), REAL_COLUMNS (float), attributes
    geometry: np.ndarray  # MultiPolygons, aligned with frame
    crs: pyproj.CRS
    attribute_types: dict[str, str]
    attribute_columns: list[str]


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def _text(v: Any) -> str | None:
    if _missing(v):
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple, np.ndarray)):
        return ";".join(str(x) for x in v)
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, np.generic):
        return str(v.item())
    return str(v)


def text_values(s: pd.Series) -> list[str | None]:
    """Column values as text, missing as ``None`` (``1.0`` → ``"1"``, lists ``;``-joined)."""
    if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:  # str / string dtypes
        return list(s.to_numpy(dtype=object, na_value=None).tolist())
    return [_text(v) for v in s.astype(object).tolist()]


def plain_values(s: pd.Series) -> list[Any]:
    """Values of an already-normalised column as a list, missing as ``None``."""
    return list(s.to_numpy(dtype=object, na_value=None).tolist())


def float_values(values: Any) -> list[float | None]:
    """Floats with NaN as ``None``."""
    return [None if x != x else x for x in np.asarray(values, dtype=float).tolist()]


def jsonable(v: Any) -> Any:
    """Return ``v`` as a value JSON holds exactly (dates as ISO text, geometries as WKT)."""
    if _missing(v):
        return None
    if isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, np.generic):
        return jsonable(v.item())
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (list, tuple, np.ndarray)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, shapely.Geometry):
        return shapely.to_wkt(v, rounding_precision=-1)
    return str(v)


def loads(text: str | None) -> dict[str, Any]:
    """Parse an ``attributes`` JSON text (``None`` → empty)."""
    return dict(json.loads(text)) if text else {}


def _json_column(s: pd.Series) -> tuple[list[Any], str | None]:
    if isinstance(s.dtype, gpd.array.GeometryDtype):
        wkt = shapely.to_wkt(np.asarray(s.array), rounding_precision=-1)
        return [None if w is None else str(w) for w in wkt.tolist()], "wkt"
    if isinstance(s.dtype, pd.DatetimeTZDtype) or s.dtype.kind == "M":
        return [None if pd.isna(v) else v.isoformat() for v in s.tolist()], "datetime"
    if s.dtype.kind == "f":
        return float_values(s.to_numpy(dtype=float, na_value=np.nan)), None
    return [jsonable(v) for v in s.astype(object).tolist()], None


def encode_attributes(
    frame: pd.DataFrame, columns: Sequence[str]
) -> tuple[list[Any], dict[str, str]]:
    """One canonical JSON text per row for the extra columns (``None`` if there are none)."""
    if not columns:
        return [None] * len(frame), {}
    keys = sorted(columns)
    values = []
    types: dict[str, str] = {}
    for key in keys:
        vals, kind = _json_column(frame[key])
        values.append(vals)
        if kind is not None:
            types[key] = kind
    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    texts = [encode(dict(zip(keys, row, strict=True))) for row in zip(*values, strict=True)]
    return texts, types


def _numeric(frame: pd.DataFrame, column: str, problems: dict[str, list[Any]]) -> np.ndarray:
    raw = frame[column]
    num = pd.to_numeric(raw, errors="coerce")
    bad = raw.notna().to_numpy() & num.isna().to_numpy()
    if bad.any():
        problems[column] = raw[bad].astype(str).tolist()
    return num.to_numpy(dtype=float, na_value=np.nan)


def prepare_candidates(candidates: Any, *, caller: str = "ProjectBank.sync") -> Prepared:
    """Check candidates against the contract and convert them to stored values.

    Raises TypeError (not a GeoDataFrame), CRSError (not projected), SchemaError (missing
    columns, missing/duplicate ids, non-numeric values, reserved names) or GeometryError
    (missing, empty or non-polygonal geometry), each naming every offender of its kind.
    """
    if not isinstance(candidates, gpd.GeoDataFrame):
        msg = (
            f"{caller}() needs `candidates` as a GeoDataFrame of polygons (what "
            f"landuse.build_project_bank returns); received {type(candidates).__name__}."
        )
        raise TypeError(msg)
    crs = check_projected(candidates, name="candidates", caller=caller)
    extras = _check_columns(candidates, caller=caller)
    parcel_id = text_values(candidates["parcel_id"])
    candidate_id = text_values(candidates["candidate_id"])
    _check_ids(parcel_id, candidate_id, caller=caller)
    geoms = _multipolygons(candidates, parcel_id, caller=caller)

    problems: dict[str, list[Any]] = {}
    reals = {c: _numeric(candidates, c, problems) for c in REAL_COLUMNS}
    if problems:
        detail = "; ".join(f"{c}: {format_ids(v)}" for c, v in problems.items())
        msg = (
            f"`candidates` passed to {caller}() has non-numeric values in numeric column(s): "
            f"{detail}. Fix or blank them."
        )
        raise SchemaError(msg)

    texts = {c: text_values(candidates[c]) for c in TEXT_COLUMNS}
    refuse_nul(
        {"candidate_id": candidate_id, "parcel_id": parcel_id, **texts},
        ids=[terminal_text(p) for p in parcel_id],
        what="`candidates`",
        caller=caller,
    )
    attributes, attribute_types = encode_attributes(candidates, extras)
    index = pd.Index(parcel_id, dtype=object, name="parcel_id")
    frame = pd.DataFrame(
        {
            "candidate_id": pd.Series(candidate_id, dtype=object, index=index),
            **{
                c: pd.Series(texts[c], dtype=object, index=index)
                for c in TEXT_COLUMNS
            },
            **{c: pd.Series(v, dtype=float, index=index) for c, v in reals.items()},
            "attributes": pd.Series(attributes, dtype=object, index=index),
        },
        index=index,
    )
    return Prepared(frame, geoms, crs, attribute_types, [str(c) for c in extras])


def _check_columns(candidates: gpd.GeoDataFrame, *, caller: str) -> list[Any]:
    """Require the candidate columns; refuse reserved and non-text names. Return the extras."""
    missing = [c for c in CANDIDATE_COLUMNS if c not in candidates.columns]
    if missing:
        msg = (
            f"`candidates` passed to {caller}() lacks {len(missing)} required column(s): "
            f"{', '.join(missing)}. Build them with landuse.build_project_bank(), or add the "
            "columns (missing values are allowed in all but candidate_id and parcel_id)."
        )
        raise SchemaError(msg)
    geom_name = candidates.geometry.name
    extras = [c for c in candidates.columns if c not in CANDIDATE_COLUMNS and c != geom_name]
    reserved = sorted(str(c) for c in extras if str(c) in RESERVED)
    if reserved:
        msg = (
            f"`candidates` passed to {caller}() has column(s) the bank keeps itself: "
            f"{', '.join(reserved)}. Rename or drop them before syncing."
        )
        raise SchemaError(msg)
    non_text = [c for c in extras if not isinstance(c, str)]
    if non_text:
        msg = f"`candidates` column names must be text; received {format_ids(non_text)}."
        raise SchemaError(msg)
    return extras


def _check_ids(parcel_id: list[Any], candidate_id: list[Any], *, caller: str) -> None:
    """Both ids on every row, each unique."""
    for name, ids in (("parcel_id", parcel_id), ("candidate_id", candidate_id)):
        n_missing = sum(v is None for v in ids)
        if n_missing:
            others = [
                c
                for c, v in zip(
                    candidate_id if name == "parcel_id" else parcel_id, ids, strict=False
                )
                if v is None
            ]
            msg = (
                f"`candidates` passed to {caller}() has {n_missing} row(s) without a {name} "
                f"(other id: {format_ids(others)}); every candidate needs both ids."
            )
            raise SchemaError(msg)
        dup = pd.Series(ids)
        dup = dup[dup.duplicated(keep=False)].unique().tolist()
        if dup:
            msg = (
                f"`candidates` passed to {caller}() repeats {len(dup)} {name} value(s): "
                f"{format_ids(dup)}; the bank keeps one entry per parcel. Drop the duplicates."
            )
            raise SchemaError(msg)


def _multipolygons(
    candidates: gpd.GeoDataFrame, parcel_id: list[Any], *, caller: str
) -> np.ndarray:
    """The geometries as MultiPolygons (GeometryError for missing, empty or other types)."""
    geoms = np.asarray(candidates.geometry.array, dtype=object)
    absent = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if absent.any():
        msg = (
            f"`candidates` passed to {caller}() has {int(absent.sum())} missing or empty "
            f"geometries (parcel_id {format_ids(np.asarray(parcel_id, dtype=object)[absent])}); "
            "the bank stores polygons."
        )
        raise GeometryError(msg)
    type_id = shapely.get_type_id(geoms)
    wrong = ~np.isin(type_id, (3, 6))
    if wrong.any():
        kinds = sorted({g.geom_type for g in geoms[wrong]})
        msg = (
            f"`candidates` passed to {caller}() has {int(wrong.sum())} non-polygon geometries "
            f"({', '.join(kinds)}; parcel_id "
            f"{format_ids(np.asarray(parcel_id, dtype=object)[wrong])}); the bank stores "
            "Polygon/MultiPolygon parcels."
        )
        raise GeometryError(msg)
    single = type_id == 3
    if single.any():
        geoms = geoms.copy()
        geoms[single] = shapely.multipolygons(geoms[single], indices=np.arange(int(single.sum())))
    return geoms


def check_version(label: str, version: int) -> None:
    """Refuse a store whose schema ``version`` is newer than this landuse reads."""
    if version > SCHEMA_VERSION:
        msg = (
            f"ProjectBank.open(): {label} was written by a newer landuse (bank schema "
            f"version {version}; this landuse {__version__} reads up to {SCHEMA_VERSION}). "
            'Upgrade landuse (pip install -U "landuse") to open it.'
        )
        raise BankError(msg)


def refuse_nul(
    fields: Mapping[str, Sequence[Any]], *, ids: Sequence[Any], what: str, caller: str
) -> None:
    """Raise BankError if any text in ``fields`` holds a NUL character (``\\x00``).

    PostgreSQL cannot store NUL in text and a GeoPackage would keep an invisible character
    that QGIS and Excel cut the text at, so both backends refuse it, before writing
    anything. ``ids`` (aligned with each field's values) name the offending rows.

    Examples
    --------
    >>> refuse_nul({"note": ["ok"]}, ids=["B1"], what="`note`", caller="f")
    >>> try:
    ...     refuse_nul({"parcel_id": ["P\\x001", "P2"]}, ids=["B1", "B2"], what="`ids`", caller="f")
    ... except BankError as exc:
    ...     print(str(exc)[:65])
    f(): `ids` hold a NUL character (\\x00) in parcel_id (1 value: B1)
    """
    problems = []
    for field, values in fields.items():
        bad = [i for i, v in zip(ids, values, strict=True) if isinstance(v, str) and "\x00" in v]
        if bad:
            shown = format_ids(terminal_text(i) for i in bad)
            problems.append(f"{field} ({len(bad)} value{'s' if len(bad) > 1 else ''}: {shown})")
    if problems:
        msg = (
            f"{caller}(): {what} hold a NUL character (\\x00) in {'; '.join(problems)}. "
            "A project bank cannot keep it (PostgreSQL refuses it; a GeoPackage would hide it). "
            "Remove it first, e.g. frame[column].str.replace('\\x00', ''). Nothing was written."
        )
        raise BankError(msg)


def rows_of(frame: pd.DataFrame, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """Rows of ``frame[columns]`` as tuples of plain Python values (NaN/NA → ``None``)."""
    cols = []
    for c in columns:
        s = frame[c]
        if s.dtype.kind == "f":
            cols.append(float_values(s.to_numpy(dtype=float, na_value=np.nan)))
        else:
            cols.append(plain_values(s))
    return zip(*cols, strict=False)
