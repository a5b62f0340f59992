"""Input checks and the measuring pass of :mod:`landuse.compliance` (private).

:func:`measure` gives, per proposal, the zone holding most of it, the area inside the zones
and inside industrial development areas (exactly: see :mod:`landuse._overlap`), and the
nearest zone with its distance. When the functional areas tile the zones exactly (the usual
case, checked by :func:`tiling`), one pass over the functional areas gives both figures.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from landuse import _overlap
from landuse._clip import Windows, drop_empty_rings
from landuse.errors import GeometryError, SchemaError, format_ids
from landuse.schema import AREA_TYPES, LAND_USES, normalise_area_type, normalise_land_use

__all__ = [
    "check_areas",
    "check_polygons",
    "check_tolerances",
    "check_uses",
    "check_zones",
    "geometry_flags",
    "ids_of",
    "is_in",
    "labels",
    "land_uses",
    "measure",
    "tiling",
]

#: Key of "no zone" in the per-proposal minimum of touched zone keys.
_BIG = np.iinfo(np.int64).max


# --- input checks --------------------------------------------------------------------------------


def check_tolerances(tolerance_m2: float, tolerance_share: float, caller: str) -> None:
    if not (np.isfinite(tolerance_m2) and tolerance_m2 >= 0):
        msg = (
            f"{caller}: `tolerance_m2` must be a finite area ≥ 0 in m²; received {tolerance_m2!r}."
        )
        raise ValueError(msg)
    if not (np.isfinite(tolerance_share) and 0 <= tolerance_share < 0.5):
        msg = (
            f"{caller}: `tolerance_share` must be a share of the parcel in [0, 0.5) (0.01 = 1 %); "
            f"received {tolerance_share!r}."
        )
        raise ValueError(msg)


def check_uses(uses: Collection[str], name: str, caller: str) -> tuple[str, ...]:
    if isinstance(uses, str):
        uses = (uses,)
    bad = [u for u in uses if u not in LAND_USES]
    if bad or not uses:
        msg = (
            f"{caller}: `{name}` must be a non-empty collection of land uses from "
            f"{', '.join(LAND_USES)}; received {list(uses)!r}."
        )
        raise ValueError(msg)
    return tuple(uses)


def ids_of(frame: gpd.GeoDataFrame, id_column: str) -> np.ndarray:
    if id_column in frame.columns:
        return frame[id_column].to_numpy(dtype=object)
    return frame.index.to_numpy(dtype=object)


def geometry_flags(g: np.ndarray) -> tuple[dict[str, np.ndarray], Windows]:
    """Per geometry: what is wrong with it (if anything), its area, and its clip window.

    Convex polygons are proven simple from their coordinates (:class:`landuse._clip.Windows`,
    reused later to clip them); GEOS ``is_valid`` checks the rest.
    """
    type_id = shapely.get_type_id(g)
    missing = type_id < 0
    empty = ~missing & shapely.is_empty(g)
    polygonal = np.isin(type_id, (3, 6))
    other = ~missing & ~empty & ~polygonal
    windows = Windows(g)
    valid = windows.convex.copy()
    rest = np.flatnonzero(~valid & ~missing)
    valid[rest] = shapely.is_valid(g[rest])
    area = shapely.area(g)
    zero = ~missing & ~empty & polygonal & ~(area > 0)
    invalid = ~missing & ~empty & polygonal & ~valid & ~zero
    flags = {
        "missing": missing | empty,
        "other": other,
        "invalid": invalid,
        "zero": zero,
        "area": np.nan_to_num(area),
    }
    return flags, windows


def raise_geometry_problems(
    flags: dict[str, np.ndarray],
    frame: gpd.GeoDataFrame,
    *,
    name: str,
    caller: str,
    id_column: str,
    require_area: bool,
) -> None:
    """Raise one GeometryError listing every kind of problem found, with counts and ids."""
    ids = ids_of(frame, id_column)
    problems = []
    for key, what in (
        ("missing", "have no geometry (missing or empty)"),
        ("other", "are not polygons"),
        ("invalid", "have invalid geometry"),
        ("zero", "have no area (collapsed to a line or a point)"),
    ):
        if key == "zero" and not require_area:
            continue
        bad = np.flatnonzero(flags[key])
        if len(bad):
            problems.append(f"{len(bad)} of {len(frame)} {what} ({format_ids(ids[bad])})")
    if problems:
        msg = (
            f"{caller}: `{name}` cannot be measured: {'; '.join(problems)}. Read the layer with "
            f"landuse.read_{name}(...), which repairs invalid geometries and drops empty ones, or "
            f"drop these rows, e.g. {name}[{name}.is_valid & ({name}.area > 0)]."
        )
        raise GeometryError(msg)


def check_polygons(
    frame: gpd.GeoDataFrame,
    *,
    name: str,
    caller: str,
    id_column: str,
    n_jobs: int | None,
    require_area: bool,
) -> np.ndarray:
    """Check every geometry is a valid polygon with an area; return the areas (m²).

    Collects every problem (missing, empty, not polygonal, invalid, no area) and raises once.
    """
    geoms = frame.geometry.to_numpy()
    got = _overlap.run_chunks(lambda s: geometry_flags(geoms[s])[0], len(geoms), n_jobs=n_jobs)
    raise_geometry_problems(
        got, frame, name=name, caller=caller, id_column=id_column, require_area=require_area
    )
    return np.asarray(got["area"], dtype=np.float64)


def check_zones(zones: gpd.GeoDataFrame, caller: str) -> np.ndarray:
    if len(zones) == 0:
        msg = f"{caller}: `zones` is empty; pass the cluster zones (landuse.read_zones)."
        raise SchemaError(msg)
    if "zone_id" not in zones.columns:
        msg = (
            f"{caller}: `zones` needs a `zone_id` column; received columns "
            f"{list(zones.columns)}. Read them with landuse.read_zones, or rename the id column."
        )
        raise SchemaError(msg)
    ids = zones["zone_id"]
    if ids.isna().any():
        bad = np.flatnonzero(ids.isna().to_numpy())
        msg = (
            f"{caller}: {len(bad)} of {len(zones)} `zones` have no `zone_id` (rows "
            f"{format_ids(zones.index[bad])}); give every zone an id."
        )
        raise SchemaError(msg)
    check_polygons(
        zones, name="zones", caller=caller, id_column="zone_id", n_jobs=1, require_area=True
    )
    return ids.astype(str).to_numpy(dtype=object)


def check_areas(functional_areas: gpd.GeoDataFrame, caller: str) -> np.ndarray:
    """Return the normalised ``area_type`` of every functional area (SchemaError if unknown)."""
    if "area_type" not in functional_areas.columns:
        msg = (
            f"{caller}: `functional_areas` needs an `area_type` column ({', '.join(AREA_TYPES)}); "
            f"received columns {list(functional_areas.columns)}. Read them with "
            "landuse.read_functional_areas."
        )
        raise SchemaError(msg)
    raw = functional_areas["area_type"].astype(object).to_numpy()
    kinds = np.array([normalise_area_type(v) for v in raw], dtype=object)
    bad = np.flatnonzero([k not in AREA_TYPES for k in kinds])
    if len(bad):
        msg = (
            f"{caller}: {len(bad)} of {len(kinds)} `functional_areas` have an `area_type` that is "
            f"not one of {', '.join(AREA_TYPES)} (values {format_ids(pd.unique(raw[bad]))}; rows "
            f"{format_ids(functional_areas.index[bad])}); map them to 产业发展区 / 商务服务区 / "
            "居住生活区."
        )
        raise SchemaError(msg)
    check_polygons(
        functional_areas,
        name="functional_areas",
        caller=caller,
        id_column="zone_id",
        n_jobs=1,
        require_area=True,
    )
    return kinds


def land_uses(frame: gpd.GeoDataFrame) -> pa.Array:
    """Normalised ``land_use`` per row, as arrow strings (null where unknown)."""
    codes, uniques = pd.factorize(frame["land_use"], use_na_sentinel=True)
    names = pa.array([normalise_land_use(v) for v in uniques], type=pa.string())
    return names.take(pa.array(codes, mask=codes < 0))


def labels(codes: np.ndarray, names_of: np.ndarray) -> pa.Array:
    """``labels[codes]`` as arrow strings, null where the code is negative."""
    names = pa.array(names_of.astype(str).tolist(), type=pa.string())
    return names.take(pa.array(codes, mask=codes < 0))


def is_in(values: pa.Array, choices: Collection[str]) -> np.ndarray:
    """Where ``values`` (arrow strings) are one of ``choices`` (False where null)."""
    hit = pc.is_in(values, value_set=pa.array(list(choices), type=pa.string()))
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)


# --- measuring ------------------------------------------------------------------------------------


def tiling(
    zones: _overlap.LayerIndex,
    zone_geoms: np.ndarray,
    areas: _overlap.LayerIndex,
    area_zone_ids: np.ndarray | None,
) -> np.ndarray | None:
    """Zone code of every functional area if the areas tile the zones exactly, else ``None``.

    Tiling means: every area names a zone, areas do not overlap, and for every zone the union
    of its areas equals the zone (``covers`` both ways, so exactly, not within a tolerance).
    Then the part of a parcel inside the zones is the sum of its parts inside the areas, and
    one intersection per crossed area gives both figures.
    """
    if area_zone_ids is None or areas.overlap_any:
        return None
    codes = np.searchsorted(zones.labels, area_zone_ids)
    codes = np.minimum(codes, len(zones.labels) - 1)
    if not (zones.labels[codes] == area_zone_ids).all():
        return None
    for c in range(len(zones.labels)):
        mine = areas.geoms[codes == c]
        if not len(mine):
            return None
        zone = shapely.union_all(zone_geoms[zones.keys == c])
        union = shapely.union_all(mine)
        if not (shapely.covers(zone, union) and shapely.covers(union, zone)):
            return None
    return codes.astype(np.int64)


def nearest_zone(
    P: np.ndarray, away: np.ndarray, zones: _overlap.LayerIndex
) -> tuple[np.ndarray, np.ndarray]:
    """Distance to, and key of, the nearest zone for the parcels at ``away`` (ties: smaller key).

    Exact: the distance to a zone is the smallest distance to its pieces (which tile it).
    The pieces' bounding boxes give a lower bound for every piece and the exact distance to
    the piece with the smallest bound an upper bound; only pieces whose bound is below it are
    measured (``shapely.distance``), usually one or two per parcel.
    """
    big = np.iinfo(np.int64).max
    pieces = zones.pieces
    pgeoms = zones.local_piece_geoms()
    zb = shapely.bounds(pgeoms)
    g = P[away]
    n = len(g)
    pb = shapely.bounds(g)
    dist = np.full(n, np.inf)
    low = np.full(n, big, dtype=np.int64)
    rows = max(1, 4_000_000 // max(len(zb), 1))
    for s0 in range(0, n, rows):
        b = pb[s0 : s0 + rows]
        dx = np.maximum(zb[None, :, 0] - b[:, None, 2], b[:, None, 0] - zb[None, :, 2])
        dy = np.maximum(zb[None, :, 1] - b[:, None, 3], b[:, None, 1] - zb[None, :, 3])
        np.maximum(dx, 0.0, out=dx)
        np.maximum(dy, 0.0, out=dy)
        bound = dx * dx
        bound += dy * dy  # squared lower bound
        first = bound.argmin(axis=1)
        upper = shapely.distance(pgeoms[first], g[s0 : s0 + rows])
        # other pieces whose bound is not above it (with slack: the box bound may exceed an
        # equal exact distance by rounding); the first piece is already measured
        bound[np.arange(len(b)), first] = np.inf
        limit = upper * (1.0 + 1e-12) + 1e-9
        ci, cj = np.nonzero(bound <= (limit * limit)[:, None])
        d = shapely.distance(pgeoms[cj], g[s0 + ci])
        best = upper.copy()
        np.minimum.at(best, ci, d)
        key = zones.keys[pieces.owner]
        kk = np.where(upper <= best, key[first], big)
        tie = d <= best[ci]
        np.minimum.at(kk, ci[tie], key[cj[tie]])
        dist[s0 : s0 + rows] = best
        low[s0 : s0 + rows] = kk
    return dist, low


@dataclass(frozen=True)
class _Layers:
    """The layers every chunk is measured against."""

    zones: _overlap.LayerIndex
    areas: _overlap.LayerIndex | None
    tiles: np.ndarray | None  # zone code of every functional area when they tile the zones
    ind_code: int  # key of "industrial" among the functional-area types (-1: none)


def _kinds(P: np.ndarray, A: np.ndarray, fp: _overlap.Pairs, layers: _Layers) -> dict[str, Any]:
    """Return the main functional-area type and the area inside industrial areas."""
    areas = layers.areas
    assert areas is not None
    per_kind = _overlap.aggregate(
        fp, areas.keys[fp.right], tests=P, test_area=A, layer=areas,
        overlapping=areas.overlap_same_key,
    )  # fmt: skip
    kind, _ = _overlap.best_key(per_kind, len(P))
    in_ind = np.zeros(len(P))
    full = np.zeros(len(P), dtype=bool)
    sel = per_kind.key == layers.ind_code
    in_ind[per_kind.left[sel]] = per_kind.area[sel]
    full[per_kind.left[sel]] = per_kind.full[sel]
    return {"area_type": kind, "in_industrial": in_ind, "exact_industrial": full}


def _zone_part(
    m: int, zone: np.ndarray, total: _overlap.Groups, left: np.ndarray, zkeys: np.ndarray
) -> dict[str, Any]:
    """Return a chunk's zone figures from the best zone and the all-zones aggregate."""
    in_zone = np.zeros(m)
    in_zone[total.left] = total.area
    exact = np.zeros(m, dtype=bool)
    exact[total.left] = total.full
    touch = np.zeros(m, dtype=bool)
    touch[left] = True
    touched = np.full(m, _BIG, dtype=np.int64)
    np.minimum.at(touched, left, zkeys)
    out: dict[str, Any] = {"zone": zone, "in_zone": in_zone, "exact_zone": exact}
    out.update(touch=touch, touched=touched)
    return out


def _measure_general(P: np.ndarray, A: np.ndarray, W: Windows, layers: _Layers) -> dict[str, Any]:
    """Measure a chunk against the zones, then (on their own) against the functional areas."""
    zones, areas = layers.zones, layers.areas
    zp = _overlap.pairs(P, A, zones, skip_covered=True, windows=W)
    zkeys = zones.keys[zp.right]
    per_zone = _overlap.aggregate(
        zp, zkeys, tests=P, test_area=A, layer=zones, overlapping=zones.overlap_same_key
    )
    zone, _ = _overlap.best_key(per_zone, len(P))
    total = _overlap.aggregate(
        zp, np.zeros(len(zp.left), dtype=np.int64), tests=P, test_area=A, layer=zones,
        overlapping=zones.overlap_any,
    )  # fmt: skip
    out = _zone_part(len(P), zone, total, zp.left, zkeys)
    if areas is not None:
        fp = _overlap.pairs(P, A, areas, skip_covered=not areas.overlap_any, windows=W)
        out.update(_kinds(P, A, fp, layers))
    return out


def _measure_tiles(P: np.ndarray, A: np.ndarray, W: Windows, layers: _Layers) -> dict[str, Any]:
    """Measure a chunk against functional areas that tile the zones (one pass gives both)."""
    zones, areas, tiles = layers.zones, layers.areas, layers.tiles
    assert areas is not None
    assert tiles is not None
    fp = _overlap.pairs(P, A, areas, skip_covered=True, windows=W)
    zkeys = tiles[fp.right]
    per_zone = _overlap.aggregate(
        fp, zkeys, tests=P, test_area=A, layer=areas, overlapping=False, confirm_full=False
    )
    zone, _ = _overlap.best_key(per_zone, len(P))
    total = _overlap.aggregate(
        fp, np.zeros(len(fp.left), dtype=np.int64), tests=P, test_area=A, layer=areas,
        overlapping=False, confirm_full=False,
    )  # fmt: skip
    # the areas tile the zones: touching one is touching a zone
    out = _zone_part(len(P), zone, total, fp.left, zkeys)
    in_zone, exact = out["in_zone"], out["exact_zone"]
    # wholly inside: covered by one area, or (pieces summing to all of it) by a zone
    maybe = np.flatnonzero(~exact & (in_zone >= A * (1.0 - _overlap.REL_EPS)) & (in_zone > 0))
    if len(maybe):
        zgeoms, ztree = zones.local()
        left, right = ztree.query(P[maybe])
        inside = shapely.covers(zgeoms[right], P[maybe][left])
        exact[maybe[left[inside]]] = True
    in_zone[exact] = A[exact]
    out.update(_kinds(P, A, fp, layers))
    return out


def _skipped(m: int, layers: _Layers) -> dict[str, Any]:
    """Return placeholder figures of a chunk with a broken geometry (the caller raises)."""
    none = np.full(m, -1, dtype=np.int64)
    out: dict[str, Any] = {"zone": none, "nearest": none.copy(), "in_zone": np.zeros(m)}
    out.update(exact_zone=np.zeros(m, dtype=bool), distance=np.zeros(m))
    if layers.areas is not None:
        out.update(area_type=none.copy(), in_industrial=np.zeros(m))
        out.update(exact_industrial=np.zeros(m, dtype=bool))
    return out


def _nearest(P: np.ndarray, out: dict[str, Any], zones: _overlap.LayerIndex) -> None:
    """Add ``distance`` and ``nearest`` (zone key) to a chunk's figures."""
    touch = out.pop("touch")
    touched = out.pop("touched")
    nearest = out["zone"].copy()
    only_touch = touch & (nearest < 0)
    nearest[only_touch] = touched[only_touch]
    distance = np.zeros(len(P))
    away = np.flatnonzero(~touch)
    if len(away):
        distance[away], nearest[away] = nearest_zone(P, away, zones)
    out.update(distance=distance, nearest=nearest)


def _measure_chunk(
    s: slice,
    *,
    geoms: np.ndarray,
    layers: _Layers,
    finish: Callable[[slice, dict[str, Any]], dict[str, Any]] | None,
) -> dict[str, Any]:
    """Check, then measure, the proposals of one chunk; ``finish`` adds its own arrays."""
    P = drop_empty_rings(geoms[s])
    flags, W = geometry_flags(P)
    if any(flags[k].any() for k in ("missing", "other", "invalid", "zero")):
        out = {**flags, **_skipped(len(P), layers)}
    else:
        A = flags["area"]
        if layers.tiles is None:
            out = _measure_general(P, A, W, layers)
        else:
            out = _measure_tiles(P, A, W, layers)
        out.update(flags)
        _nearest(P, out, layers.zones)
    if finish is not None:
        out.update(finish(s, out))
    return out


def measure(
    geoms: np.ndarray,
    zones: _overlap.LayerIndex,
    areas: _overlap.LayerIndex | None,
    *,
    tiles: np.ndarray | None,
    n_jobs: int | None,
    progress: bool,
    caller: str,
    finish: Callable[[slice, dict[str, Any]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Per proposal: geometry checks, zone, area inside zones and industrial areas, nearest zone.

    Each chunk is first checked (:func:`geometry_flags`: the flags and ``area`` are returned);
    a chunk with a broken geometry is not measured (the caller raises). With ``tiles``
    (functional areas tiling the zones) the zones are only tested with predicates and every
    area is measured against the functional areas; otherwise each layer is measured on its
    own. ``finish(s, out)`` runs in the same thread on each chunk's results (verdicts,
    texts) and adds its own arrays. ``caller`` names the progress bar.
    """
    ind_code = -1
    if areas is not None and "industrial" in set(areas.labels):
        ind_code = int(np.flatnonzero(areas.labels == "industrial")[0])
    layers = _Layers(zones=zones, areas=areas, tiles=tiles, ind_code=ind_code)
    work = functools.partial(_measure_chunk, geoms=geoms, layers=layers, finish=finish)
    return _overlap.run_chunks(work, len(geoms), n_jobs=n_jobs, progress=progress, desc=caller)
