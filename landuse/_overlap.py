"""Exact overlap of many small polygons with a few large ones, decided mostly without overlays.

Private engine behind :func:`landuse.zones.assign_zones` and :mod:`landuse.compliance`.

For each parcel and polygon layer (zones, functional areas) it finds the area of the parcel
inside each key (a zone id, an area type) and inside the whole layer, exactly:

1. an STRtree gives the candidate pairs (bounding boxes overlap);
2. a vectorised, prepared ``covers`` decides every pair whose polygon holds the whole parcel:
   its area is the parcel's area, no intersection is computed;
3. the other pairs are measured: convex parcels by the vectorised clipping kernel
   (:mod:`landuse._clip`) against the polygon's pieces, with areas within its round-off
   confirmed by ``shapely.intersection``; other shapes by ``shapely.intersection``;
4. pairs of one parcel and one key are summed when the layer's polygons do not overlap (checked
   once); where they do, or where the sum reaches the whole parcel, the parcel is tested against
   (or intersected with) the union of just the polygons it meets, so overlaps count once and a
   parcel covered by two adjacent polygons is *exactly* inside.

Large inputs are cut into chunks processed by a thread pool: shapely releases the GIL, and each
thread works on its own copy of the polygon layer (STRtree and prepared geometries are built
lazily by GEOS and are not safe to share between threads).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import shapely

from landuse._clip import Pieces, Windows, clip_areas, drop_empty_rings

__all__ = [
    "CHUNK",
    "MIN_CHUNK",
    "Groups",
    "LayerIndex",
    "aggregate",
    "best_key",
    "crossing_areas",
    "largest_and_union",
    "n_workers",
    "run_chunks",
]

#: Most parcels per chunk: large enough to amortise Python overhead, small enough for a
#: progress bar; inputs are cut into at least 4 chunks per thread, of at least MIN_CHUNK.
CHUNK = 65_536
MIN_CHUNK = 8_192
#: Relative slack when deciding that summed pieces reach the whole parcel (then checked exactly)
#: and when two keys hold equal shares (then the smaller key wins).
REL_EPS = 1e-9
#: Overlaps below this share of a parcel are floating-point rounding (edges that coincide).
NOISE = 1e-12
#: Round-off of the clipping kernel, in units of machine epsilon × piece extent × parcel
#: extent (m²). Intersection points are interpolated along the pieces' edges, which may be
#: kilometres long: a sub-metre parcel 4 cm off a 20 km zone measured ~1e-12 m² (observed
#: errors are below 0.01 of this bound). Positive clipped areas at or below the bound are
#: confirmed by an exact ``shapely.intersection`` with the pieces.
ROUNDOFF = 64.0


def n_workers(n_jobs: int | None, n: int) -> int:
    """Threads to use for ``n`` parcels (``None``: the CPUs this process may run on).

    Examples
    --------
    >>> n_workers(1, 10_000_000)
    1
    >>> n_workers(None, 10)
    1
    """
    if n_jobs is not None and n_jobs < 1:
        msg = f"`n_jobs` must be a positive number of threads or None (all CPUs), got {n_jobs}."
        raise ValueError(msg)
    if n_jobs is None:
        try:
            n_jobs = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - macOS / Windows
            n_jobs = os.cpu_count() or 1
    chunks = max(1, -(-n // MIN_CHUNK))
    return max(1, min(n_jobs, chunks))


@dataclass
class LayerIndex:
    """A polygon layer ready for queries: geometries, integer keys, STRtree, overlap flags.

    ``keys`` are codes into ``labels`` (sorted, so a smaller code is a smaller id).
    ``overlap_any``: some two polygons' interiors intersect; ``overlap_same_key``: some two
    polygons with the same key do. Use :meth:`local` in each thread.
    """

    geoms: np.ndarray
    keys: np.ndarray
    labels: np.ndarray
    overlap_any: bool
    overlap_same_key: bool
    pieces: Pieces
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @classmethod
    def build(cls, geoms: np.ndarray, labels_per_row: np.ndarray) -> LayerIndex:
        """Index ``geoms`` keyed by ``labels_per_row`` (ids or area types).

        Empty interior rings are dropped here, once (:func:`landuse._clip.drop_empty_rings`).
        """
        geoms = drop_empty_rings(np.asarray(geoms, dtype=object))
        labels, keys = np.unique(np.asarray(labels_per_row, dtype=object), return_inverse=True)
        tree = shapely.STRtree(geoms)
        a, b = tree.query(geoms, predicate="intersects")
        upper = a < b
        a, b = a[upper], b[upper]
        if len(a):
            interior = shapely.relate_pattern(geoms[a], geoms[b], "2********")
            overlap_any = bool(interior.any())
            overlap_same = bool((interior & (keys[a] == keys[b])).any())
        else:
            overlap_any = overlap_same = False
        pieces = Pieces(geoms)
        return cls(geoms, keys.astype(np.int64), labels, overlap_any, overlap_same, pieces)

    def local(self) -> tuple[np.ndarray, shapely.STRtree]:
        """Return this thread's own copy of the geometries (prepared) and its STRtree (built)."""
        cached = getattr(self._local, "copy", None)
        if cached is None:
            cached = (*_tree_of(self.geoms, prepare=True), _tree_of(self.pieces.geoms)[1])
            self._local.copy = cached
        return cached[0], cached[1]

    def local_pieces(self) -> shapely.STRtree:
        """Return this thread's STRtree of the pieces (see :class:`landuse._clip.Pieces`)."""
        self.local()
        return self._local.copy[2]

    def local_piece_geoms(self) -> np.ndarray:
        """Return this thread's copy of the pieces."""
        self.local()
        return self._local.copy[2].geometries


def _tree_of(geoms: np.ndarray, *, prepare: bool = False) -> tuple[np.ndarray, shapely.STRtree]:
    copy = shapely.from_wkb(shapely.to_wkb(geoms, include_srid=False))
    if prepare:
        shapely.prepare(copy)
    tree = shapely.STRtree(copy)
    tree.query(shapely.Point(0.0, 0.0))  # build the tree now, not inside a query
    return copy, tree


@dataclass
class Pairs:
    """Intersecting (parcel, polygon) pairs of one chunk with the area of each overlap."""

    left: np.ndarray
    right: np.ndarray
    area: np.ndarray
    covered: np.ndarray


def pairs(
    tests: np.ndarray,
    test_area: np.ndarray,
    layer: LayerIndex,
    *,
    skip_covered: bool,
    windows: Windows | None = None,
) -> Pairs:
    """Every (test geometry, polygon) pair that intersects, with its exact overlap area.

    Parameters
    ----------
    tests
        The geometries to measure (one chunk).
    test_area
        Their areas.
    layer
        The polygon layer.
    skip_covered
        Drop the other pairs of a geometry that some polygon covers (enough when only the
        largest key and the layer total are needed: the covering polygon holds all of it).
    windows
        The clip windows of ``tests`` if already read (:class:`landuse._clip.Windows`).
    """
    geoms, tree = layer.local()
    left, right = tree.query(tests)
    cov = shapely.covers(geoms[right], tests[left])
    if skip_covered and cov.any():
        has = np.zeros(len(tests), dtype=bool)
        has[left[cov]] = True
        keep = cov | ~has[left]
        left, right, cov = left[keep], right[keep], cov[keep]
    area = test_area[left].astype(np.float64, copy=True)
    cross = np.flatnonzero(~cov)
    if len(cross):
        # measure every candidate pair that is not covered (disjoint ones measure 0); only
        # pairs found to share no area need the intersects test, to keep those that touch
        area[cross] = crossing_areas(
            tests, left[cross], right[cross], layer, test_area, windows=windows
        )
        nil = cross[area[cross] == 0]
        if len(nil):
            touch = shapely.intersects(geoms[right[nil]], tests[left[nil]])
            if not touch.all():
                keep = np.ones(len(left), dtype=bool)
                keep[nil[~touch]] = False
                left, right, cov, area = left[keep], right[keep], cov[keep], area[keep]
    return Pairs(left, right, area, cov)


def crossing_areas(
    tests: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    layer: LayerIndex,
    test_area: np.ndarray,
    *,
    windows: Windows | None = None,
) -> np.ndarray:
    """``area(tests[left[i]] ∩ layer.geoms[right[i]])`` for pairs no polygon covers.

    Convex parcels go through the vectorised clipping kernel (:func:`landuse._clip.clip_areas`)
    against the polygon's pieces near them; other shapes through ``shapely.intersection``
    (after an ``intersects`` test). A clipped area small enough to be the kernel's round-off
    (``ROUNDOFF`` × machine epsilon × the extents of the pieces and the parcel) is measured
    again exactly with ``shapely.intersection`` against the pieces. Areas below ``NOISE`` of
    the parcel's area are rounding left by edges that coincide (a parcel touching a zone) and
    are set to 0.
    """
    out = np.zeros(len(left))
    if windows is None:
        parcels, which = np.unique(left, return_inverse=True)
        windows = Windows(tests[parcels])
    else:
        which = left
    convex = windows.convex[which]
    idx = np.flatnonzero(convex)
    if len(idx):
        ptree = layer.local_pieces()
        q, piece = ptree.query(tests[left[idx]])
        mine = layer.pieces.owner[piece] == right[idx][q]
        q, piece = q[mine], piece[mine]
        area = clip_areas(windows, layer.pieces, which[idx][q], piece)
        got = np.bincount(q, weights=area, minlength=len(idx))
        b = shapely.bounds(tests[left[idx]]).reshape(-1, 4)
        size = np.hypot(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
        reach = np.bincount(q, weights=layer.pieces.diag[piece], minlength=len(idx))
        bound = ROUNDOFF * np.finfo(np.float64).eps * size * (size + reach)
        doubt = (got > 0) & (got <= bound)
        if doubt.any():
            jobs = np.flatnonzero(doubt[q])
            exact = shapely.area(
                shapely.intersection(
                    tests[left[idx[q[jobs]]]], layer.local_piece_geoms()[piece[jobs]]
                )
            )
            got[doubt] = 0.0
            np.add.at(got, q[jobs], exact)
        out[idx] = got
    rest = np.flatnonzero(~convex)
    if len(rest):
        geoms, _ = layer.local()
        a, b = tests[left[rest]], geoms[right[rest]]
        hit = np.flatnonzero(shapely.intersects(b, a))
        if len(hit):
            out[rest[hit]] = shapely.area(shapely.intersection(a[hit], b[hit]))
    out[out <= NOISE * test_area[left]] = 0.0
    return out


@dataclass
class Groups:
    """Area of each (parcel, key) group: the parcel's area inside the union of that key's polygons.

    ``full`` marks groups proven to hold the whole test geometry (a covering polygon, or the
    union of the polygons met covers it); their ``area`` is then the test geometry's area exactly.
    """

    left: np.ndarray
    key: np.ndarray
    area: np.ndarray
    full: np.ndarray


def aggregate(
    p: Pairs,
    keys: np.ndarray,
    *,
    tests: np.ndarray,
    test_area: np.ndarray,
    layer: LayerIndex,
    overlapping: bool,
    confirm_full: bool = True,
) -> Groups:
    """Sum the pairs of each (parcel, key), counting overlapping polygons once.

    Parameters
    ----------
    p
        The pairs of one chunk.
    keys
        Key code of every pair (``layer.keys[p.right]``, or zeros for the layer as a whole).
    tests, test_area
        The chunk's test geometries and their areas.
    layer
        The polygon layer (for unions where needed).
    overlapping
        Whether polygons sharing a key may overlap (then groups of several crossing pairs are
        measured against their union instead of summed).
    confirm_full
        Where pieces of non-overlapping polygons sum to the whole parcel, test the union of
        those polygons with ``covers`` so that the group is marked ``full`` exactly (skip
        when the caller proves coverage otherwise).
    """
    if len(p.left) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Groups(empty, empty.copy(), np.zeros(0), np.zeros(0, dtype=bool))
    width = int(keys.max()) + 1
    code = p.left.astype(np.int64) * width + keys
    order = np.argsort(code, kind="stable")
    code_s = code[order]
    starts = np.flatnonzero(np.r_[True, code_s[1:] != code_s[:-1]])
    counts = np.diff(np.r_[starts, len(code_s)])
    g_left = p.left[order][starts]
    g_key = keys[order][starts]
    g_area = np.add.reduceat(p.area[order], starts)
    g_full = np.logical_or.reduceat(p.covered[order], starts)
    whole = test_area[g_left]
    g_area[g_full] = whole[g_full]
    multi = ~g_full & (counts > 1)
    if overlapping:
        check = multi
    elif confirm_full:
        check = multi & (g_area >= whole * (1.0 - REL_EPS))
    else:
        check = np.zeros(len(multi), dtype=bool)
    idx = np.flatnonzero(check)
    if len(idx):
        geoms, _ = layer.local()
        right_s = p.right[order]
        unions = np.empty(len(idx), dtype=object)
        for j, i in enumerate(idx):
            unions[j] = shapely.union_all(geoms[right_s[starts[i] : starts[i] + counts[i]]])
        t = tests[g_left[idx]]
        inside = shapely.covers(unions, t)
        g_full[idx[inside]] = True
        g_area[idx[inside]] = whole[idx[inside]]
        if overlapping and (~inside).any():
            rest = idx[~inside]
            g_area[rest] = shapely.area(shapely.intersection(t[~inside], unions[~inside]))
    np.minimum(g_area, whole, out=g_area)
    return Groups(g_left, g_key, g_area, g_full)


def best_key(g: Groups, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per parcel: the key holding the largest area (ties, within 1e-9, to the smaller key).

    Returns ``(key, area)``; key ``-1`` and area 0 where no key holds a positive area.
    """
    key = np.full(n, -1, dtype=np.int64)
    area = np.zeros(n)
    pos = g.area > 0
    if not pos.any():
        return key, area
    left, k, a = g.left[pos], g.key[pos], g.area[pos]
    top = np.zeros(n)
    np.maximum.at(top, left, a)
    near = a >= top[left] * (1.0 - REL_EPS)
    left, k = left[near], k[near]
    order = np.lexsort((k, left))
    left, k = left[order], k[order]
    first = np.r_[True, left[1:] != left[:-1]]
    key[left[first]] = k[first]
    area[left[first]] = top[left[first]]
    return key, area


def largest_and_union(
    p: Pairs, tests: np.ndarray, test_area: np.ndarray, layer: LayerIndex
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per parcel: the key with the largest area, that area, and the area inside any feature.

    Features with the same key that overlap are counted once, and so is the overlap of
    different keys in the "any" area. Returns ``(key, key_area, any_area)`` as in
    :func:`best_key`.
    """
    m = len(tests)
    per_key = aggregate(
        p, layer.keys[p.right], tests=tests, test_area=test_area, layer=layer,
        overlapping=layer.overlap_same_key,
    )  # fmt: skip
    key, key_area = best_key(per_key, m)
    total = aggregate(
        p, np.zeros(len(p.left), dtype=np.int64), tests=tests, test_area=test_area, layer=layer,
        overlapping=layer.overlap_any,
    )  # fmt: skip
    any_area = np.zeros(m)
    any_area[total.left] = total.area
    return key, key_area, any_area


def chunks(n: int, workers: int = 1) -> Iterator[slice]:
    """Consecutive slices covering ``n`` parcels (one empty slice when ``n`` is 0).

    Examples
    --------
    >>> [(s.start, s.stop) for s in chunks(20_000, workers=2)]
    [(0, 8192), (8192, 16384), (16384, 20000)]
    """
    size = max(MIN_CHUNK, min(CHUNK, -(-n // (4 * workers))))
    if n == 0:
        yield slice(0, 0)
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def run_chunks(
    work: Callable[[slice], dict[str, Any]],
    n: int,
    *,
    n_jobs: int | None,
    progress: bool = False,
    desc: str = "",
) -> dict[str, Any]:
    """Run ``work`` on every chunk (threads when worthwhile) and concatenate its arrays in order."""
    workers = n_workers(n_jobs, n)
    parts = list(chunks(n, workers))
    bar: Any = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc=desc, unit="parcel", mininterval=0.5)

    def step(s: slice) -> dict[str, Any]:
        out = work(s)
        if bar is not None:
            bar.update(s.stop - s.start)
        return out

    try:
        if workers == 1:
            results: Sequence[dict[str, Any]] = [step(s) for s in parts]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                results = list(pool.map(step, parts))
    finally:
        if bar is not None:
            bar.close()
    out: dict[str, Any] = {}
    for k in results[0]:
        parts_k = [r[k] for r in results]
        out[k] = (
            pa.concat_arrays(parts_k)
            if isinstance(parts_k[0], pa.Array)
            else np.concatenate(parts_k)
        )
    return out
