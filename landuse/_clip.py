"""Exact intersection areas of many (convex parcel, polygon) pairs, vectorised with numpy.

Private kernel of :mod:`landuse._overlap`. ``shapely.intersection`` builds a full overlay
graph for every pair (about 15 µs each, however small the polygons); here the area of
``polygon ∩ parcel`` is found by clipping the polygon's rings with the parcel's edges
(Sutherland–Hodgman), all pairs at once, and summing the clipped rings' signed areas.

Why this is exact (to floating-point rounding, like GEOS):

- Clipping a closed ring with a half-plane gives a closed ring whose winding number is the
  original's inside the half-plane and 0 outside it (outside stretches are replaced by runs
  along the line). After the edges of a *convex* parcel, the winding number is the original's
  inside the parcel and 0 elsewhere, so the clipped ring's signed area is the area of
  ``ring region ∩ parcel``. Exterior rings count positive and holes negative, so the sum over
  rings is ``area(polygon ∩ parcel)`` — for any valid polygon, holes and concave parts
  included.
- No topology is built, so touching edges, shared vertices and collinear overlaps need no
  special cases: a vertex exactly on a clip line gives the same area whichever side it is
  put on. Coordinates are shifted to the parcel's first vertex before any arithmetic (the
  shift is exact for nearby coordinates), so products stay small and the shoelace sum keeps
  its precision in projected coordinates of millions of metres.

Parcels that are not convex single polygons (or have more than :data:`MAX_EDGES` edges)
are left to ``shapely.intersection`` by the caller (:func:`clip_areas` returns a mask).
Large polygons are first cut into pieces of at most :data:`MAX_PIECE_VERTICES` vertices
(:func:`subdivide`), so the work per pair stays small.
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = [
    "AREA_RTOL",
    "MAX_EDGES",
    "MAX_PIECE_VERTICES",
    "Pieces",
    "Windows",
    "clip_areas",
    "convex_clips",
    "drop_empty_rings",
    "subdivide",
]

#: Parcels with more edges than this go to shapely.intersection.
MAX_EDGES = 32
#: Polygons are cut into pieces with at most this many vertices (plus the cut points).
MAX_PIECE_VERTICES = 64
#: Two halves of a polygon cut by ``clip_by_rect`` must add up to its area within this share;
#: otherwise (GEOS mishandles some sliver holes touching the cut line) the cut is redone with
#: an exact ``shapely.intersection``.
AREA_RTOL = 1e-9


def drop_empty_rings(geoms: np.ndarray) -> np.ndarray:
    """Return ``geoms`` with empty interior rings (and empty polygon parts) removed.

    ``POLYGON ((0 0, 1 0, 1 1, 0 0), EMPTY)`` is valid for GEOS and survives a GeoPackage,
    but an empty ring has no coordinates to clip and exactextract cannot take its extent.
    Such rings add no area, so dropping them changes nothing else. Rows are found with
    array functions; only the rows that hold an empty ring are rebuilt.

    Examples
    --------
    >>> g = shapely.from_wkt("POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), EMPTY)")
    >>> drop_empty_rings(np.array([g, shapely.box(0, 0, 1, 1)]))[0].wkt
    'POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0))'
    """
    geoms = np.asarray(geoms, dtype=object)
    kind = shapely.get_type_id(geoms)
    cand = np.flatnonzero(((kind == 3) & (shapely.get_num_interior_rings(geoms) > 0)) | (kind == 6))
    if not len(cand):
        return geoms
    parts, part_row = shapely.get_parts(geoms[cand], return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    bad_part = np.zeros(len(parts), dtype=bool)
    bad_part[ring_part[shapely.is_empty(rings)]] = True
    bad_part |= shapely.is_empty(parts)
    rows = cand[np.unique(part_row[bad_part])]
    if not len(rows):
        return geoms
    out = geoms.copy()
    for i in rows:  # only the rows holding an empty ring or part
        polys = []
        for part in shapely.get_parts(out[i]):
            if part.is_empty:
                continue
            holes = [r for r in part.interiors if not r.is_empty]
            polys.append(shapely.Polygon(part.exterior, holes))
        if kind[i] == 3:
            out[i] = polys[0] if polys else shapely.Polygon()
        else:
            out[i] = shapely.MultiPolygon(polys)
    return out


def _split(p: shapely.Geometry, boxes: list[tuple[float, float, float, float]]) -> list:
    """Cut ``p`` by ``boxes`` (which tile its bounds), checking that no area is lost.

    ``clip_by_rect`` is fast but not robust: a sliver hole touching the cut line can make it
    raise ("Invalid number of points in LinearRing") or return a wrong piece (the sliver
    instead of the half). The halves must add up to ``p``'s area within :data:`AREA_RTOL`,
    else both are cut again with an exact ``shapely.intersection``.
    """
    whole = p.area
    try:
        halves = [shapely.clip_by_rect(p, *box) for box in boxes]
        ok = abs(sum(h.area for h in halves) - whole) <= AREA_RTOL * whole
    except shapely.errors.GEOSException:
        ok = False
    if not ok:
        halves = [shapely.intersection(p, shapely.box(*box)) for box in boxes]
    return halves


def subdivide(geom: shapely.Geometry, max_vertices: int = MAX_PIECE_VERTICES) -> list:
    """Cut a polygon into pieces of at most ``max_vertices`` vertices by halving its box.

    The pieces tile the polygon (they come from GEOS rectangle clipping of the same
    geometry along shared lines, or an exact intersection where that loses area: see
    :func:`_split`), so their areas inside any parcel sum to the polygon's.

    Examples
    --------
    >>> ring = shapely.Point(0, 0).buffer(100, quad_segs=64)
    >>> pieces = subdivide(ring, 40)
    >>> len(pieces) > 1, bool(max(shapely.get_num_coordinates(pieces)) <= 60)
    (True, True)
    >>> round(sum(p.area for p in pieces) - ring.area, 6)
    0.0
    """
    out: list = []
    stack = [geom]
    while stack:
        g = stack.pop()
        parts = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and not p.is_empty]
        for p in parts:
            if shapely.get_num_coordinates(p) <= max_vertices:
                out.append(p)
                continue
            x0, y0, x1, y1 = p.bounds
            if x1 - x0 >= y1 - y0:
                mid = (x0 + x1) / 2
                halves = [(x0, y0, mid, y1), (mid, y0, x1, y1)]
            else:
                mid = (y0 + y1) / 2
                halves = [(x0, y0, x1, mid), (x0, mid, x1, y1)]
            for piece in _split(p, halves):
                if not piece.is_empty and piece.area > 0:
                    stack.append(piece)
    return out


class Pieces:
    """Polygons cut into small pieces, with their ring coordinates ready for clipping.

    ``owner[i]`` is the polygon piece ``i`` comes from; ``geoms`` the pieces (for an
    STRtree); ring vertices are stored flat (closing vertex dropped) with per-piece ranges.
    """

    def __init__(self, polygons: np.ndarray, max_vertices: int = MAX_PIECE_VERTICES) -> None:
        geoms: list = []
        owner: list[int] = []
        for i, poly in enumerate(polygons):
            pieces = subdivide(poly, max_vertices)
            geoms.extend(pieces)
            owner.extend([i] * len(pieces))
        self.geoms = np.asarray(geoms, dtype=object)
        self.owner = np.asarray(owner, dtype=np.int64)
        b = shapely.bounds(self.geoms).reshape(-1, 4)
        #: diagonal of each piece's bounding box (m): scales the clipping round-off
        self.diag = np.hypot(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
        rings, ring_piece = shapely.get_rings(self.geoms, return_index=True)
        # exterior rings come first within each piece: mark them
        first = np.r_[True, ring_piece[1:] != ring_piece[:-1]]
        coords, vert_ring = shapely.get_coordinates(rings, return_index=True)
        n_ring = np.bincount(vert_ring, minlength=len(rings))
        last = np.cumsum(n_ring) - 1
        keep = np.ones(len(coords), dtype=bool)
        keep[last] = False  # drop each ring's closing vertex
        self.x = coords[keep, 0].copy()
        self.y = coords[keep, 1].copy()
        self.ring_len = n_ring - 1
        self.ring_start = np.r_[0, np.cumsum(self.ring_len)[:-1]]
        # orientation from coordinates shifted to each ring's first vertex: unshifted, the
        # shoelace terms at 4e7 m are ~1e14 and swamp a small ring's area (a 5 cm part of a
        # zone got sign 0 and counted nothing)
        rid = np.repeat(np.arange(len(self.ring_len)), self.ring_len)
        first_v = self.ring_start[rid]
        sign = np.sign(
            _ring_areas(
                self.x - self.x[first_v], self.y - self.y[first_v], self.ring_start, self.ring_len
            )
        )
        # contribution factor: exteriors +1, holes −1, whatever their orientation
        self.ring_factor = np.where(first, 1.0, -1.0) * sign
        self.piece_ring_start = np.r_[
            0, np.cumsum(np.bincount(ring_piece, minlength=len(self.geoms)))[:-1]
        ]
        self.piece_ring_count = np.bincount(ring_piece, minlength=len(self.geoms))


def _ring_areas(x: np.ndarray, y: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Signed shoelace area of rings stored flat (closing vertex not repeated)."""
    if len(x) == 0:
        return np.zeros(len(start))
    ring = np.repeat(np.arange(len(start)), length)
    nxt = np.arange(1, len(x) + 1)
    ends = start + length - 1
    nxt[ends[length > 0]] = start[length > 0]
    cross = x * y[nxt] - x[nxt] * y
    return np.bincount(ring, weights=cross, minlength=len(start)) / 2.0


class Windows:
    """Candidate clip windows: their ring coordinates (read once) and which are convex.

    ``convex[i]``: geometry ``i`` is a single polygon without holes, with at most
    :data:`MAX_EDGES` edges, every turn in the same direction and less than a half turn
    (collinear vertices allowed), turning once in all (2π). Such a closed chain is a simple
    convex polygon, so it is also proven valid (a pentagram turns twice, a spike a half turn).
    """

    def __init__(self, geoms: np.ndarray) -> None:
        geoms = np.asarray(geoms, dtype=object)
        ok = (shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)
        n = shapely.get_num_coordinates(geoms)
        ok &= (n >= 4) & (n - 1 <= MAX_EDGES)
        idx = np.flatnonzero(ok)
        self.row = np.full(len(geoms), -1, dtype=np.int64)
        self.row[idx] = np.arange(len(idx))
        # polygons without holes: their coordinates are the exterior ring's (closed)
        coords, which = shapely.get_coordinates(geoms[idx], return_index=True)
        counts = np.bincount(which, minlength=len(idx))
        start = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
        self.coords, self.counts, self.start = coords, counts, start
        # rings with the same number of vertices are handled together as (m, c, 2) blocks
        sub = ok[idx]
        for c in np.unique(counts):
            rows = np.flatnonzero(counts == c)
            block = coords[_ranges(start[rows], counts[rows])].reshape(len(rows), c, 2)
            sub[rows] = _turns_once(block)
        ok[idx] = sub
        self.convex = ok


def _turns_once(block: np.ndarray) -> np.ndarray:
    """Tell, for closed rings stored as ``(m, c, 2)``, which are simple and convex.

    Every turn between consecutive edges is in the same direction and below a half turn
    (collinear and repeated vertices allowed), and the turns add up to one full turn.
    """
    edge = np.diff(block, axis=1)  # (m, c-1, 2): the c-1 edges, in order
    nxt = np.roll(edge, -1, axis=1)  # the edge after each, the last wrapping to the first
    cross = edge[..., 0] * nxt[..., 1] - edge[..., 1] * nxt[..., 0]
    dot = edge[..., 0] * nxt[..., 0] + edge[..., 1] * nxt[..., 1]
    angle = np.arctan2(cross, dot)
    total = angle.sum(axis=1)
    turn = angle * np.where(total < 0, -1.0, 1.0)[:, None]
    bad = ((turn < 0) | (turn >= np.pi - 1e-9)).any(axis=1)
    return ~bad & (np.abs(np.abs(total) - 2 * np.pi) < 1e-6)


def convex_clips(geoms: np.ndarray) -> np.ndarray:
    """Which geometries can be clip windows (see :class:`Windows`).

    Examples
    --------
    >>> L = shapely.Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)])
    >>> star = shapely.Polygon([(0, 0), (2, 6), (4, 0), (-1, 4), (5, 4)])  # turns twice
    >>> convex_clips(np.array([shapely.box(0, 0, 1, 1), L, L.buffer(1), star])).tolist()
    [True, False, False, False]
    """
    return Windows(geoms).convex


def clip_areas(
    clips: np.ndarray | Windows,
    pieces: Pieces,
    job_clip: np.ndarray,
    job_piece: np.ndarray,
) -> np.ndarray:
    """Area of ``pieces.geoms[job_piece[j]] ∩ clips[job_clip[j]]`` for every job ``j``.

    Parameters
    ----------
    clips
        The clip windows (geometries, or their :class:`Windows`); those used must be convex
        (see :func:`convex_clips`).
    pieces
        The subject polygons, cut into pieces.
    job_clip, job_piece
        One job per (clip, piece) pair.

    Returns
    -------
    numpy.ndarray
        Areas, one per job, ≥ 0.
    """
    n_jobs = len(job_clip)
    if n_jobs == 0:
        return np.zeros(0)
    # --- clip windows: vertices (closing vertex dropped), orientation, local origin ----------
    windows = clips if isinstance(clips, Windows) else Windows(clips)
    used, clip_of_job = np.unique(job_clip, return_inverse=True)
    rows = windows.row[used]
    if (rows < 0).any() or not windows.convex[used].all():
        msg = "clip_areas: every clip window must be convex (see convex_clips)"
        raise ValueError(msg)
    ccount = windows.counts[rows]
    ccoords = windows.coords[_ranges(windows.start[rows], ccount)]
    cwhich = np.repeat(np.arange(len(used)), ccount)
    cstart = np.r_[0, np.cumsum(ccount)[:-1]]
    k = ccount - 1  # edges per clip
    ox = ccoords[cstart, 0]
    oy = ccoords[cstart, 1]
    cx = ccoords[:, 0] - ox[cwhich]
    cy = ccoords[:, 1] - oy[cwhich]
    # orientation of each clip (sign of its area; closed ring so the shoelace is direct)
    cr = cx[:-1] * cy[1:] - cx[1:] * cy[:-1]
    same = cwhich[:-1] == cwhich[1:]
    orient = np.sign(np.bincount(cwhich[:-1][same], weights=cr[same], minlength=len(used)))
    orient[orient == 0] = 1.0

    # --- subject rings, one copy per job, shifted to the job's origin ---------------------
    rcount = pieces.piece_ring_count[job_piece]
    ring_job = np.repeat(np.arange(n_jobs), rcount)
    ring_src = _ranges(pieces.piece_ring_start[job_piece], rcount)
    rlen = pieces.ring_len[ring_src]
    factor = pieces.ring_factor[ring_src]
    vsrc = _ranges(pieces.ring_start[ring_src], rlen)
    vring = np.repeat(np.arange(len(ring_src)), rlen)
    vjob = ring_job[vring]
    jc = clip_of_job[vjob]
    x = pieces.x[vsrc] - ox[jc]
    y = pieces.y[vsrc] - oy[jc]

    # process rings grouped by their clip's edge count, most edges first, so the rings still
    # to be clipped by edge e are a prefix
    job_k = k[clip_of_job]
    order = np.argsort(-job_k[ring_job], kind="stable")
    ring_job, rlen, factor = ring_job[order], rlen[order], factor[order]
    starts = np.r_[0, np.cumsum(rlen)[:-1]]
    old_starts = np.r_[0, np.cumsum(pieces.ring_len[ring_src])[:-1]][order]
    vsel = _ranges(old_starts, rlen)
    x, y = x[vsel], y[vsel]
    ring_k = job_k[ring_job]
    for e in range(int(k.max())):
        active = int(np.searchsorted(-ring_k, -e, side="left"))  # rings whose clip has > e edges
        if active == 0:
            break
        nv = int(starts[active - 1] + rlen[active - 1]) if active else 0
        c = clip_of_job[ring_job[:active]]
        base = cstart[c] + e
        ax, ay = cx[base], cy[base]
        bx, by = cx[base + 1], cy[base + 1]
        sgn = orient[c]
        nx, ny, nl = _halfplane(
            x[:nv], y[:nv], starts[:active], rlen[:active], ax, ay, bx - ax, by - ay, sgn
        )
        x = np.concatenate([nx, x[nv:]])
        y = np.concatenate([ny, y[nv:]])
        rlen = np.concatenate([nl, rlen[active:]])
        starts = np.r_[0, np.cumsum(rlen)[:-1]]
    area = _ring_areas(x, y, starts, rlen) * factor
    return np.maximum(np.bincount(ring_job, weights=area, minlength=n_jobs), 0.0)


def _ranges(start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(start[i], start[i] + length[i])``."""
    total = int(length.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offs = np.repeat(start - np.r_[0, np.cumsum(length)[:-1]], length)
    return np.arange(total, dtype=np.int64) + offs


def _halfplane(
    x: np.ndarray,
    y: np.ndarray,
    start: np.ndarray,
    length: np.ndarray,
    ax: np.ndarray,
    ay: np.ndarray,
    dx: np.ndarray,
    dy: np.ndarray,
    sgn: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clip every ring with the half-plane left of its line (a, a + d) times ``sgn``.

    Rings are stored flat; per-ring parameters are expanded to vertices. Returns the new
    flat coordinates and ring lengths (a ring may vanish: length 0).
    """
    nv = len(x)
    ring = np.repeat(np.arange(len(start)), length)
    # the line in normal form: d = a·y + b·x + c (left of the directed line when positive)
    a = sgn * dx
    b = -sgn * dy
    c = sgn * (dy * ax - dx * ay)
    d = a[ring] * y
    d += b[ring] * x
    d += c[ring]
    inside = d >= 0
    nxt = np.arange(1, nv + 1)
    has = length > 0
    nxt[(start + length - 1)[has]] = start[has]
    d_n = d[nxt]
    cross = inside != (d_n >= 0)
    cnt = inside.astype(np.int64) + cross
    total = int(cnt.sum())
    pos = np.cumsum(cnt) - cnt
    ox = np.empty(total)
    oy = np.empty(total)
    ox[pos[inside]] = x[inside]
    oy[pos[inside]] = y[inside]
    ci = np.flatnonzero(cross)
    t = d[ci] / (d[ci] - d_n[ci])
    j = nxt[ci]
    at = pos[ci] + inside[ci]
    ox[at] = x[ci] + t * (x[j] - x[ci])
    oy[at] = y[ci] + t * (y[j] - y[ci])
    new_len = np.bincount(ring, weights=cnt, minlength=len(start)).astype(np.int64)
    return ox, oy, new_len
