"""Synthetic parcels, buildings, zones and proposals for benchmarks and tests.

Every generator is deterministic for a given ``seed`` and vectorised with
shapely 2 array functions, so a million parcels take a few seconds. The frames
use the canonical English columns of :mod:`landuse.schema` (units in the names,
money in 万元, areas in m², dates as ``datetime64``) in a projected CRS in metres
(default EPSG:4549, CGCS2000 3-degree Gauss-Krüger CM 120E, which covers Qingdao).

The values are plausible but invented: nothing here describes a real place.
For the bundled Qingdao-like sample with a designed mix of idle and
inefficient cases, see ``scripts/make_sample_data.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyproj
import shapely

from landuse.errors import CRSError, SchemaError
from landuse.schema import LAND_USES, PARCELS, PRODUCTION_STATUSES, PROPOSALS, ZONES

__all__ = [
    "synthetic_buildings",
    "synthetic_parcels",
    "synthetic_proposals",
    "synthetic_zones",
]

#: Reference date of the synthetic data (end of the plan period 2019–2021).
_AS_OF = np.datetime64("2021-12-31", "D")
#: Square metres per 亩.
_M2_PER_MU = 10000.0 / 15.0

#: The plan's zone fields with GB/T 4754-2017 divisions of their leading industry.
_PLAN_FIELDS: tuple[tuple[str, str], ...] = (
    ("汽车制造", "36"),
    ("轨道交通装备", "37"),
    ("海洋装备", "37"),
    ("智能家电", "38"),
    ("新能源汽车", "36;38"),
    ("微电子", "39"),
    ("新一代信息技术", "39;65"),
    ("生物医药", "27"),
    ("食品饮料", "13;14;15"),
    ("仪器仪表", "40"),
    ("工业机器人", "34;35"),
    ("新材料", "26;30"),
    ("航空航天", "37"),
    ("智能制造", "34;35;38"),
)
_DISTRICTS: tuple[str, ...] = (
    "市北区",
    "李沧区",
    "崂山区",
    "黄岛区",
    "城阳区",
    "即墨区",
    "胶州市",
    "平度市",
    "莱西市",
)
_TIERS: tuple[str, ...] = ("百亿级", "三百亿级", "五百亿级", "千亿级")
#: Manufacturing divisions of GB/T 4754-2017 used for industrial parcels.
_MANUFACTURING: tuple[str, ...] = tuple(str(c) for c in range(13, 43))
#: Functional-area types with their Chinese names.
_AREA_NAMES_ZH: dict[str, str] = {
    "industrial": "产业发展区",
    "business": "商务服务区",
    "residential": "居住生活区",
}
_LAND_USE_CODES: dict[str, str] = {
    "industrial": "0601",
    "logistics": "0604",
    "commercial": "0501",
    "residential": "0701",
    "other": "1201",
}


# --- small vectorised helpers --------------------------------------------------------------------


def _strings(pool: Sequence[str], codes: np.ndarray, mask: np.ndarray | None = None) -> pd.Series:
    """Build a ``str`` column by taking ``pool[codes]``; ``mask`` marks missing values."""
    taken = pa.array(list(pool), type=pa.string()).take(pa.array(codes, mask=mask))
    return pd.Series(taken, dtype="str")


def _numbered(prefix: str, start: int, n: int, width: int) -> pd.Series:
    """``prefix`` followed by zero-padded running numbers, as a ``str`` column."""
    import pyarrow.compute as pc

    digits = pc.utf8_lpad(pa.array(np.arange(start, start + n)).cast(pa.string()), width, "0")
    return pd.Series(pc.binary_join_element_wise(prefix, digits, ""), dtype="str")


def _dates(days: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Days since 1970-01-01 to ``datetime64[ns]``; ``valid=False`` gives ``NaT``."""
    out = days.astype("int64").astype("datetime64[D]").astype("datetime64[ns]")
    if valid is not None:
        out[~valid] = np.datetime64("NaT")
    return out


def _check_projected(crs: object, name: str) -> pyproj.CRS:
    if crs is None:
        msg = f"`{name}` has no CRS; set one, e.g. {name}.set_crs('EPSG:4549')."
        raise CRSError(msg)
    crs = pyproj.CRS.from_user_input(crs)
    if not crs.is_projected:
        msg = (
            f"`{name}` is in a geographic CRS ({crs.to_string()}); synthetic geometries are "
            f"sized in metres. Reproject first, e.g. {name}.to_crs('EPSG:4549')."
        )
        raise CRSError(msg)
    return crs


def _star_polygons(
    centres: np.ndarray,
    radii: np.ndarray,
    rng: np.random.Generator,
    *,
    vertices: int = 12,
    jitter: float = 0.25,
) -> np.ndarray:
    """Irregular star-shaped polygons (one per centre) whose radius varies by ``jitter``.

    Parameters
    ----------
    centres
        ``(n, 2)`` centre coordinates.
    radii
        ``(n,)`` mean radius, in CRS units.
    rng
        Random generator.
    vertices
        Vertices per polygon.
    jitter
        Relative spread of the radius around its mean (0 gives regular polygons).

    Returns
    -------
    numpy.ndarray
        Array of shapely polygons, each contained in a disc of radius
        ``(1 + jitter) * radii`` around its centre.

    Examples
    --------
    >>> import numpy as np
    >>> polys = _star_polygons(np.zeros((2, 2)), np.array([1.0, 2.0]), np.random.default_rng(0))
    >>> [p.geom_type for p in polys]
    ['Polygon', 'Polygon']
    """
    n = len(centres)
    step = 2 * np.pi / vertices
    angles = np.arange(vertices) * step + rng.uniform(-0.3, 0.3, (n, vertices)) * step
    angles += rng.uniform(0, 2 * np.pi, (n, 1))
    r = radii[:, None] * rng.uniform(1 - jitter, 1 + jitter, (n, vertices))
    xy = np.stack(
        [centres[:, 0, None] + r * np.cos(angles), centres[:, 1, None] + r * np.sin(angles)],
        axis=-1,
    )
    xy = np.concatenate([xy, xy[:, :1]], axis=1)
    return shapely.polygons(xy)


def _half_planes(geoms: np.ndarray, direction: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Polygons covering ``{p : (p - c) . u <= offset}`` over each geometry's extent."""
    b = shapely.bounds(geoms)
    c = np.column_stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2])
    big = np.hypot(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])[:, None] + 1.0
    u = direction
    v = np.column_stack([-u[:, 1], u[:, 0]])
    off = offset[:, None]
    corners = np.stack(
        [
            c - u * big - v * big,
            c + u * off - v * big,
            c + u * off + v * big,
            c - u * big + v * big,
            c - u * big - v * big,
        ],
        axis=1,
    )
    return shapely.polygons(corners)


def _cut(
    geoms: np.ndarray, direction: np.ndarray, share: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cut each geometry by a straight line normal to ``direction`` into ``share`` / rest.

    The two parts come from one intersection and one difference with the same
    half-plane, so they share their cut edge exactly and tile the input.
    """
    b = shapely.bounds(geoms)
    half = np.hypot(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) / 2 + 1.0
    lo, hi = -half, half.copy()
    total = shapely.area(geoms)
    for _ in range(48):
        mid = (lo + hi) / 2
        frac = (
            shapely.area(shapely.intersection(geoms, _half_planes(geoms, direction, mid))) / total
        )
        below = frac < share
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    planes = _half_planes(geoms, direction, (lo + hi) / 2)
    return shapely.intersection(geoms, planes), shapely.difference(geoms, planes)


def _split_functional_areas(
    zones: np.ndarray,
    *,
    angles: np.ndarray,
    industrial_share: np.ndarray,
    business_share: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split zone geometries into industrial, business and residential areas.

    The industrial area is the part of each zone on one side of a straight cut at
    ``angles`` holding ``industrial_share`` of its area; the rest is cut at right
    angles into business (``business_share`` of the rest) and residential. The
    three parts tile the zone: they share edges and their union is the zone.
    Every vertex of one part that lies on another part's edge (or on the zone's
    outline) is inserted there too, so the tiling survives reprojection.

    Parameters
    ----------
    zones
        Array of (Multi)Polygon geometries in a projected CRS.
    angles
        Direction of the first cut's normal, radians, one per zone.
    industrial_share, business_share
        Area shares, one per zone, each in (0, 1).

    Returns
    -------
    tuple of numpy.ndarray
        ``(zones, industrial, business, residential)`` geometry arrays, aligned;
        ``zones`` are the input zones with the cut points inserted.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> zone, ind, bus, res = _split_functional_areas(
    ...     np.array([shapely.box(0, 0, 100, 100)]), angles=np.array([0.0]),
    ...     industrial_share=np.array([0.75]), business_share=np.array([0.5]))
    >>> [round(float(g.area)) for g in (ind[0], bus[0], res[0])]
    [7500, 1250, 1250]
    >>> len(zone[0].exterior.coords)  # 4 corners + closing point + 3 cut points
    8
    """
    zones = np.asarray(zones, dtype=object)
    u = np.column_stack([np.cos(angles), np.sin(angles)])
    industrial, rest = _cut(zones, u, np.asarray(industrial_share, dtype=float))
    v = np.column_stack([-u[:, 1], u[:, 0]])
    business, residential = _cut(rest, v, np.asarray(business_share, dtype=float))
    parts = np.stack([industrial, business, residential], axis=1)
    counts = shapely.get_num_coordinates(parts).sum(axis=1)
    vertices = shapely.multipoints(
        shapely.get_coordinates(parts.ravel()), indices=np.repeat(np.arange(len(zones)), counts)
    )
    b = shapely.bounds(zones)
    tolerance = 1e-9 * np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
    return tuple(
        shapely.snap(g, vertices, tolerance) for g in (zones, industrial, business, residential)
    )


# --- parcels -------------------------------------------------------------------------------------


def synthetic_parcels(
    n: int,
    *,
    seed: int = 0,
    crs: str | pyproj.CRS = "EPSG:4549",
    origin: tuple[float, float] = (500000.0, 3990000.0),
    vertices: int = 4,
) -> gpd.GeoDataFrame:
    """Generate ``n`` parcels on a street grid with every canonical parcel column.

    Parcels sit in a square grid of columns and rows of random widths (78–238 m,
    so 0.6–5.7 ha) separated by 12 m streets. Land use, production status, dates
    and economic figures are drawn so that every analysis finds some idle, some
    inefficient and many ordinary parcels. ``zone_id`` is left missing: assigning
    parcels to zones is part of the analysis.

    Parameters
    ----------
    n
        Number of parcels.
    seed
        Seed of the random generator; the same seed gives equal frames.
    crs
        Projected CRS of the output (metres).
    origin
        Lower-left corner of the grid, in CRS units. The default lies near
        Qingdao in EPSG:4549.
    vertices
        Vertices per parcel outline: 4 gives rectangles; more gives convex
        rounded rectangles (superellipses) with that many vertices, to test
        how costs grow with vertex count.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per parcel on a ``RangeIndex``, columns in the order of
        :data:`landuse.schema.PARCELS` plus ``geometry``. Text columns are
        ``str``, measures ``float64`` (m², 万元, tce, t, persons, years), dates
        ``datetime64[ns]``; ``land_use`` and ``production_status`` hold the
        normalised values.

    Raises
    ------
    ValueError
        If ``n`` is negative or ``vertices`` is below 4.
    CRSError
        If ``crs`` is not a projected CRS.

    Examples
    --------
    >>> parcels = synthetic_parcels(1000, seed=1)
    >>> len(parcels), parcels.crs.to_epsg(), parcels["parcel_id"].iloc[0]
    (1000, 4549, 'P0000001')
    >>> bool(parcels["parcel_id"].is_unique), bool(parcels.geometry.is_valid.all())
    (True, True)
    >>> sorted(parcels["land_use"].unique())
    ['commercial', 'industrial', 'logistics', 'other', 'residential']
    >>> len(synthetic_parcels(3, vertices=8).geometry.iloc[0].exterior.coords)
    9
    """
    if n < 0:
        msg = f"`n` must be a non-negative number of parcels, got {n}."
        raise ValueError(msg)
    if vertices < 4:
        msg = f"`vertices` must be at least 4 (4 gives rectangles), got {vertices}."
        raise ValueError(msg)
    crs = _check_projected(crs, "crs")
    rng = np.random.default_rng(seed)
    geometry = _grid_geometry(n, rng, origin=origin, vertices=vertices)
    columns = _parcel_attributes(n, rng, shapely.area(geometry))
    # the holder's credit code (owner_code) is optional and left out, like the enterprise data
    frame = pd.DataFrame(columns)[[c for c in PARCELS.column_names if c != "owner_code"]]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)


def _grid_geometry(
    n: int, rng: np.random.Generator, *, origin: tuple[float, float], vertices: int
) -> np.ndarray:
    ncols = max(int(np.ceil(np.sqrt(n))), 1)
    nrows = max(int(np.ceil(n / ncols)), 1)
    col_w = rng.uniform(90.0, 250.0, ncols)
    row_h = rng.uniform(90.0, 250.0, nrows)
    x0 = origin[0] + np.concatenate([[0.0], np.cumsum(col_w)[:-1]])
    y0 = origin[1] + np.concatenate([[0.0], np.cumsum(row_h)[:-1]])
    i = np.arange(n)
    col, row = i % ncols, i // ncols
    road = 6.0  # half a 12 m street on each side
    minx, maxx = x0[col] + road, x0[col] + col_w[col] - road
    miny, maxy = y0[row] + road, y0[row] + row_h[row] - road
    if vertices == 4:
        return shapely.box(minx, miny, maxx, maxy)
    # superellipse |x/a|^4 + |y/b|^4 = 1: convex, close to the cell's rectangle
    phi = 2 * np.pi * (np.arange(vertices) + 0.5) / vertices
    cos, sin = np.cos(phi), np.sin(phi)
    fx = np.sign(cos) * np.abs(cos) ** 0.5
    fy = np.sign(sin) * np.abs(sin) ** 0.5
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    a, b = (maxx - minx) / 2, (maxy - miny) / 2
    xy = np.empty((n, vertices + 1, 2))
    xy[:, :-1, 0] = cx[:, None] + a[:, None] * fx
    xy[:, :-1, 1] = cy[:, None] + b[:, None] * fy
    xy[:, -1] = xy[:, 0]
    return shapely.polygons(xy)


def _parcel_attributes(n: int, rng: np.random.Generator, area: np.ndarray) -> dict[str, object]:
    use = rng.choice(len(LAND_USES), n, p=[0.80, 0.06, 0.08, 0.05, 0.01])
    logistics = use == 1
    productive = use <= 1  # industrial or logistics: enterprises with a production status
    status = rng.choice(len(PRODUCTION_STATUSES), n, p=[0.72, 0.05, 0.05, 0.07, 0.11])

    # dates as days since 1970-01-01; the chain grant -> start -> completion -> stop
    as_of = int(_AS_OF.astype("int64"))
    first = int(np.datetime64("2005-01-01", "D").astype("int64"))
    # more old grants than recent ones
    grant = first + (rng.random(n) ** 1.5 * (as_of - 60 - first)).astype(np.int64)
    agreed_start = grant + rng.integers(90, 366, n)
    actual_start = agreed_start + rng.integers(-60, 400, n)
    agreed_completion = agreed_start + rng.integers(540, 1096, n)
    completion = np.maximum(agreed_completion + rng.integers(-180, 1200, n), actual_start + 180)
    # a status needs the dates to have happened by the reference date
    status = np.where((status <= 2) & (completion > as_of), 3, status)
    status = np.where((status == 3) & (actual_start > as_of), 4, status)
    started = productive & (status <= 3)
    completed = productive & (status <= 2)
    stopped = productive & ((status == 1) | (status == 2))
    # commercial and residential parcels: started and completed when the dates have passed
    start_known = started | (~productive & (actual_start <= as_of))
    completion_known = completed | (~productive & (completion <= as_of))
    stopped_since = completion + (rng.random(n) * (as_of - completion)).astype(np.int64)

    land = area * rng.uniform(0.98, 1.02, n)
    mu = land / _M2_PER_MU
    far = np.where(productive, rng.uniform(0.3, 2.5, n), rng.uniform(1.2, 3.5, n))
    coef = rng.uniform(0.15, 0.6, n)
    built = np.where(completed | ~productive, 1.0, np.where(started, rng.uniform(0.1, 0.9, n), 0.0))

    agreed_investment = mu * rng.uniform(250.0, 600.0, n)
    invested = agreed_investment * np.where(
        completed, rng.uniform(0.3, 1.3, n), np.where(started, rng.uniform(0.05, 0.9, n), 0.0)
    )
    revenue_per_mu = np.exp(rng.uniform(np.log(30.0), np.log(2000.0), n))
    revenue = np.where(completed, mu * revenue_per_mu, np.nan)
    revenue = np.where(status == 2, revenue * 0.05, revenue)
    tax = revenue * rng.uniform(0.02, 0.09, n)
    value_added = revenue * rng.uniform(0.2, 0.3, n)
    nan_if_not = np.where(productive, 1.0, np.nan)
    industry = rng.integers(0, len(_MANUFACTURING), n)
    industry_pool = (*_MANUFACTURING, "59")
    industry = np.where(logistics, len(_MANUFACTURING), industry)

    n_enterprises = max(n // 3, 1)
    enterprise_pool = [f"合成企业{k:06d}有限公司" for k in range(n_enterprises)]
    return {
        "parcel_id": _numbered("P", 1, n, 7),
        "land_use": _strings(LAND_USES, use),
        "land_use_code": _strings([_LAND_USE_CODES[u] for u in LAND_USES], use),
        "industry_code": _strings(industry_pool, industry, ~productive),
        "industry_code_version": _strings(("2017",), np.zeros(n, dtype=np.int64), ~productive),
        "enterprise": _strings(enterprise_pool, rng.integers(0, n_enterprises, n)),
        "zone_id": pd.Series(pa.nulls(n, type=pa.string()), dtype="str"),
        "land_area_m2": np.round(land, 2),
        "floor_area_m2": np.round(land * far * built, 2),
        "footprint_m2": np.round(land * coef * built, 2),
        "admin_living_land_m2": np.round(land * rng.uniform(0.02, 0.10, n) * built, 2),
        "green_area_m2": np.round(land * rng.uniform(0.05, 0.25, n) * built, 2),
        "investment_wan": np.round(invested * nan_if_not, 2),
        "revenue_wan": np.round(revenue, 2),
        "value_added_wan": np.round(value_added, 2),
        "tax_wan": np.round(tax, 2),
        "energy_tce": np.round(value_added / rng.uniform(1.5, 6.0, n), 2),
        "emissions_t": np.round(value_added / rng.uniform(1500.0, 8000.0, n), 3),
        "rd_spend_wan": np.round(revenue * rng.uniform(0.01, 0.05, n), 2),
        "employees": np.round(value_added / rng.uniform(10.0, 30.0, n)),
        "grant_date": _dates(grant),
        "agreed_start_date": _dates(agreed_start),
        "actual_start_date": _dates(actual_start, start_known),
        "agreed_completion_date": _dates(agreed_completion),
        "completion_date": _dates(completion, completion_known),
        "production_status": _strings(PRODUCTION_STATUSES, status, ~productive),
        "stopped_since": _dates(stopped_since, stopped),
        "tenure_years": np.where(
            productive,
            np.where(rng.random(n) < 0.9, 50.0, 20.0),
            np.where(use == 4, 50.0, np.where(use == 3, 70.0, 40.0)),
        ),
        "grant_price_wan": np.round(land * rng.uniform(300.0, 1000.0, n) / 1e4, 2),
        "developed_area_m2": np.round(land * built, 2),
        "invested_wan": np.round(invested * nan_if_not, 2),
        "agreed_investment_wan": np.round(agreed_investment * nan_if_not, 2),
        "agreed_tax_wan": np.round(mu * rng.uniform(15.0, 35.0, n) * nan_if_not, 2),
    }


# --- buildings -----------------------------------------------------------------------------------


def synthetic_buildings(
    parcels: gpd.GeoDataFrame, *, per_parcel: int = 2, seed: int = 0
) -> gpd.GeoDataFrame:
    """Place ``per_parcel`` building footprints inside each parcel.

    Each parcel's bounding box is cut into ``per_parcel`` cells along its long
    side; a building fills 35–80 % of each cell's sides, centred in the cell.
    Buildings not wholly inside a non-rectangular parcel are clipped to the parcel
    drawn in by 0.5 m, so every footprint lies inside its parcel. About 10 % of buildings are
    single-storey tall plants (storey height 9–14 m, above the 8 m rule).

    Parameters
    ----------
    parcels
        Parcels with a ``parcel_id`` column, in a projected CRS.
    per_parcel
        Buildings per parcel (at least 1).
    seed
        Seed of the random generator.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``building_id`` (``"B00000001"``…), ``parcel_id``, ``levels``,
        ``height_m``, ``storey_height_m`` (m) and ``geometry``, in the parcels'
        CRS; parcels with empty geometry get no buildings.

    Raises
    ------
    SchemaError
        If ``parcels`` has no ``parcel_id`` column.
    CRSError
        If ``parcels`` is not in a projected CRS.
    ValueError
        If ``per_parcel`` is below 1.

    Examples
    --------
    >>> parcels = synthetic_parcels(100, seed=1)
    >>> buildings = synthetic_buildings(parcels, per_parcel=3)
    >>> len(buildings), list(buildings.columns)
    (300, ['building_id', 'parcel_id', 'levels', 'height_m', 'storey_height_m', 'geometry'])
    >>> joined = buildings.merge(parcels[["parcel_id", "geometry"]], on="parcel_id")
    >>> bool(joined["geometry_y"].covers(joined["geometry_x"]).all())
    True
    """
    if "parcel_id" not in parcels.columns:
        msg = (
            "`parcels` has no `parcel_id` column; synthetic_buildings links each building to "
            "its parcel. Add one, e.g. parcels['parcel_id'] = parcels.index.astype(str)."
        )
        raise SchemaError(msg)
    if per_parcel < 1:
        msg = f"`per_parcel` must be at least 1, got {per_parcel}."
        raise ValueError(msg)
    crs = _check_projected(parcels.crs, "parcels")
    rng = np.random.default_rng(seed)
    geoms = parcels.geometry.to_numpy()
    keep = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms))
    idx = np.flatnonzero(keep)
    b = shapely.bounds(geoms[idx])
    k = per_parcel
    m = len(idx) * k
    rep = np.repeat(np.arange(len(idx)), k)
    cell = np.tile(np.arange(k), len(idx))
    minx, miny, maxx, maxy = (b[rep, j] for j in range(4))
    wide = (maxx - minx) >= (maxy - miny)
    long0 = np.where(wide, minx, miny)
    long_len = np.where(wide, maxx - minx, maxy - miny) / k
    short0 = np.where(wide, miny, minx)
    short_len = np.where(wide, maxy - miny, maxx - minx)
    c_long = long0 + (cell + 0.5) * long_len
    c_short = short0 + short_len / 2
    f_long = rng.uniform(0.35, 0.8, m) * long_len / 2
    f_short = rng.uniform(0.35, 0.8, m) * short_len / 2
    cx = np.where(wide, c_long, c_short)
    cy = np.where(wide, c_short, c_long)
    hx = np.where(wide, f_long, f_short)
    hy = np.where(wide, f_short, f_long)
    boxes = shapely.box(cx - hx, cy - hy, cx + hx, cy + hy)
    # a parcel that fills its bounding box is that box, so its buildings are inside it;
    # only the other parcels need a containment test (and clipping where it fails)
    envelope_area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    rectangle = shapely.area(geoms[idx]) >= envelope_area * (1.0 - 1e-12)
    check = ~rectangle[rep]
    if check.any():
        owners = geoms[idx][rep][check]
        shapely.prepare(owners)
        clip = ~shapely.contains(owners, boxes[check])
        where = np.flatnonzero(check)[clip]
        # clip to the parcel drawn in by 0.5 m, so the result stays inside despite rounding
        inner = shapely.buffer(owners[clip], -0.5, join_style="mitre")
        boxes[where] = shapely.intersection(boxes[where], inner)
    nonempty = ~shapely.is_empty(boxes) & (shapely.area(boxes) > 0)

    tall = rng.random(m) < 0.10
    levels = np.where(tall, 1.0, rng.integers(1, 7, m).astype(float))
    storey = np.where(
        tall, np.round(rng.uniform(9.0, 14.0, m), 1), np.round(rng.uniform(3.6, 6.0, m), 1)
    )
    parcel_ids = parcels["parcel_id"].to_numpy()[idx][rep]
    out = pd.DataFrame(
        {
            "parcel_id": pd.array(parcel_ids[nonempty], dtype="str"),
            "levels": levels[nonempty],
            "height_m": np.round(levels * storey, 1)[nonempty],
            "storey_height_m": storey[nonempty],
        }
    )
    out.insert(0, "building_id", _numbered("B", 1, len(out), 8))
    return gpd.GeoDataFrame(out, geometry=boxes[nonempty], crs=crs)


# --- zones and functional areas ------------------------------------------------------------------


def synthetic_zones(
    n: int,
    *,
    seed: int = 0,
    parcels: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Generate ``n`` non-overlapping zones and the functional areas that tile them.

    The extent (the parcels' total bounds, or a square near Qingdao in EPSG:4549
    sized for ``n`` zones of about 3–9 km² when ``parcels`` is ``None``) is cut into
    a grid of about ``2 n`` cells; ``n`` random cells each get one irregular zone,
    so the zones cover part of the extent and never overlap. Each zone is split
    into an industrial area (70–80 % of it) and business and residential areas by
    two straight cuts, so the three areas tile the zone exactly.

    Parameters
    ----------
    n
        Number of zones (at least 1).
    seed
        Seed of the random generator.
    parcels
        Parcels whose extent and CRS the zones follow.

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        ``(zones, functional_areas)``. Zones carry ``zone_id`` (``"Z0001"``…),
        ``name``, ``district``, ``leading_industry``, ``leading_industry_codes``
        (";"-separated GB/T 4754-2017 divisions) and ``tier_target``. Functional
        areas carry ``zone_id``, ``area_type`` (``industrial``, ``business``,
        ``residential``) and ``name_zh``, three rows per zone.

    Raises
    ------
    ValueError
        If ``n`` is below 1.
    CRSError
        If ``parcels`` is not in a projected CRS.

    Examples
    --------
    >>> zones, areas = synthetic_zones(4, seed=2)
    >>> len(zones), len(areas), zones.crs.to_epsg()
    (4, 12, 4549)
    >>> union = areas.dissolve("zone_id").area.sort_index()
    >>> bool(np.allclose(union.to_numpy(), zones.set_index("zone_id").area.sort_index()))
    True
    """
    if n < 1:
        msg = f"`n` must be at least 1 zone, got {n}."
        raise ValueError(msg)
    rng = np.random.default_rng(seed)
    if parcels is None:
        crs = pyproj.CRS.from_epsg(4549)
        side = np.sqrt(2 * n) * 3000.0
        minx, miny, maxx, maxy = 500000.0, 3990000.0, 500000.0 + side, 3990000.0 + side
    else:
        crs = _check_projected(parcels.crs, "parcels")
        minx, miny, maxx, maxy = (float(v) for v in parcels.total_bounds)
    width, height = maxx - minx, maxy - miny
    cells = 2 * n
    ncols = max(int(np.ceil(np.sqrt(cells * width / max(height, 1e-9)))), 1)
    nrows = max(int(np.ceil(cells / ncols)), 1)
    cw, ch = width / ncols, height / nrows
    chosen = np.sort(rng.choice(ncols * nrows, n, replace=False))
    col, row = chosen % ncols, chosen // ncols
    centres = np.column_stack([minx + (col + 0.5) * cw, miny + (row + 0.5) * ch])
    radii = min(cw, ch) * rng.uniform(0.25, 0.36, n)  # with jitter 0.25 stays inside the cell
    geoms = _star_polygons(centres, radii, rng, vertices=12, jitter=0.25)

    field = np.arange(n) % len(_PLAN_FIELDS)
    zones = gpd.GeoDataFrame(
        {
            "zone_id": _numbered("Z", 1, n, 4),
            "name": pd.array(
                [f"{_PLAN_FIELDS[f][0]}产业集聚区{i + 1:02d}" for i, f in enumerate(field)],
                dtype="str",
            ),
            "district": _strings(_DISTRICTS, np.arange(n) % len(_DISTRICTS)),
            "leading_industry": _strings([f for f, _ in _PLAN_FIELDS], field),
            "leading_industry_codes": _strings([c for _, c in _PLAN_FIELDS], field),
            "tier_target": _strings(_TIERS, rng.integers(0, len(_TIERS), n)),
        },
        geometry=geoms,
        crs=crs,
    )[[*ZONES.column_names, "geometry"]]
    conformed, areas = _functional_areas_of(zones, rng)
    zones = zones.set_geometry(conformed, crs=crs)
    return zones, areas


def _functional_areas_of(
    zones: gpd.GeoDataFrame, rng: np.random.Generator
) -> tuple[np.ndarray, gpd.GeoDataFrame]:
    """Functional areas tiling ``zones``: three rows per zone, zone by zone.

    Parameters
    ----------
    zones
        Zones with ``zone_id``.
    rng
        Random generator for the cut directions and shares.

    Returns
    -------
    tuple
        The zone geometries with the cut points inserted as vertices, and a
        GeoDataFrame with ``zone_id``, ``area_type``, ``name_zh`` and geometry in
        the zones' CRS.

    Examples
    --------
    >>> zones, _ = synthetic_zones(2)
    >>> _, areas = _functional_areas_of(zones, np.random.default_rng(0))
    >>> areas["area_type"].tolist()[:3]
    ['industrial', 'business', 'residential']
    """
    n = len(zones)
    conformed, ind, bus, res = _split_functional_areas(
        zones.geometry.to_numpy(),
        angles=rng.uniform(0, 2 * np.pi, n),
        industrial_share=rng.uniform(0.70, 0.80, n),
        business_share=rng.uniform(0.40, 0.60, n),
    )
    kinds = np.tile(np.arange(3), n)
    areas = gpd.GeoDataFrame(
        {
            "zone_id": pd.array(np.repeat(zones["zone_id"].to_numpy(), 3), dtype="str"),
            "area_type": _strings(list(_AREA_NAMES_ZH), kinds),
            "name_zh": _strings(list(_AREA_NAMES_ZH.values()), kinds),
        },
        geometry=np.column_stack([ind, bus, res]).ravel(),
        crs=zones.crs,
    )
    return conformed, areas


# --- proposals -----------------------------------------------------------------------------------


def synthetic_proposals(
    n: int,
    *,
    zones: gpd.GeoDataFrame,
    seed: int = 0,
    shares: tuple[float, float, float] = (0.5, 0.25, 0.25),
) -> gpd.GeoDataFrame:
    """Generate ``n`` proposed new land parcels inside, straddling and outside ``zones``.

    Parameters
    ----------
    n
        Number of proposals.
    zones
        Zones (``zone_id``, ``district``) in a projected CRS.
    seed
        Seed of the random generator.
    shares
        Shares of proposals wholly inside a zone, straddling a zone edge, and wholly
        outside every zone (they are scaled to sum to 1; counts are rounded, the
        outside group takes the remainder).

    Returns
    -------
    geopandas.GeoDataFrame
        Squares of 100–300 m side with the canonical proposal columns
        (``proposal_id`` ``"N000001"``…, ``project``, ``land_use`` (90 %
        ``industrial``, else ``commercial``), ``land_use_code``, ``industry_code``,
        ``industry_code_version``, ``district`` of the zone each was placed by,
        ``land_area_m2``, ``investment_wan``, ``expected_tax_wan``,
        ``expected_revenue_wan``) in the zones' CRS, the three groups shuffled.

    Raises
    ------
    ValueError
        If ``n`` is negative, ``zones`` is empty or ``shares`` are not positive.
    CRSError
        If ``zones`` is not in a projected CRS.

    Examples
    --------
    >>> zones, _ = synthetic_zones(5, seed=3)
    >>> proposals = synthetic_proposals(40, zones=zones, seed=3)
    >>> union = zones.union_all()
    >>> inside = proposals.within(union)
    >>> outside = ~proposals.intersects(union)
    >>> int(inside.sum()), int((~inside & ~outside).sum()), int(outside.sum())
    (20, 10, 10)
    """
    crs = _check_proposal_args(n, zones, shares)
    rng = np.random.default_rng(seed)
    total = float(sum(shares))
    n_in = round(n * shares[0] / total)
    n_edge = round(n * shares[1] / total)
    n_out = n - n_in - n_edge
    index = _ZoneIndex.of(zones)
    geoms: list[np.ndarray] = []
    owner: list[np.ndarray] = []
    for kind, count in (("inside", n_in), ("edge", n_edge), ("outside", n_out)):
        placed, zone_of = _place_proposals(kind, count, rng=rng, index=index)
        geoms.append(placed)
        owner.append(zone_of)
    order = rng.permutation(n)
    geometry = np.concatenate(geoms)[order]
    zone_of = np.concatenate(owner)[order].astype(np.int64)
    frame = _proposal_attributes(geometry, zone_of, zones=zones, rng=rng)
    return gpd.GeoDataFrame(frame[list(PROPOSALS.column_names)], geometry=geometry, crs=crs)


def _check_proposal_args(
    n: int, zones: gpd.GeoDataFrame, shares: tuple[float, float, float]
) -> pyproj.CRS:
    """Check the arguments of :func:`synthetic_proposals`; return the zones' projected CRS."""
    if n < 0:
        msg = f"`n` must be a non-negative number of proposals, got {n}."
        raise ValueError(msg)
    if len(zones) == 0:
        msg = "`zones` is empty; synthetic_proposals places proposals relative to zones."
        raise ValueError(msg)
    if min(shares) < 0 or sum(shares) <= 0:
        msg = f"`shares` must be non-negative and not all zero, got {shares}."
        raise ValueError(msg)
    return _check_projected(zones.crs, "zones")


@dataclass(frozen=True)
class _ZoneIndex:
    """The zones' geometries with what placing proposals around them needs."""

    geoms: np.ndarray
    union: shapely.Geometry
    weights: np.ndarray
    bounds: np.ndarray
    tree: shapely.STRtree

    @classmethod
    def of(cls, zones: gpd.GeoDataFrame) -> _ZoneIndex:
        geoms = zones.geometry.to_numpy()
        shapely.prepare(geoms)
        union = shapely.union_all(geoms)
        shapely.prepare(union)
        weights = shapely.area(geoms) / shapely.area(geoms).sum()
        return cls(geoms, union, weights, shapely.bounds(geoms), shapely.STRtree(geoms))


def _place_proposals(
    kind: str, count: int, *, rng: np.random.Generator, index: _ZoneIndex
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` squares of this ``kind`` (inside, edge, outside), and the zone of each."""
    got_g: list[np.ndarray] = []
    got_z: list[np.ndarray] = []
    have = 0
    for _ in range(1000):
        if have >= count:
            break
        batch = max(4 * (count - have), 16)
        boxes, z = _candidate_boxes(kind, batch, rng=rng, index=index)
        ok = _accepted(kind, boxes, z, index=index)
        got_g.append(boxes[ok])
        got_z.append(z[ok])
        have += int(ok.sum())
    if have < count:
        msg = f"could not place {count} {kind} proposals around these zones; use fewer."
        raise ValueError(msg)
    return np.concatenate(got_g)[:count], np.concatenate(got_z)[:count]


def _candidate_boxes(
    kind: str, batch: int, *, rng: np.random.Generator, index: _ZoneIndex
) -> tuple[np.ndarray, np.ndarray]:
    """``batch`` random squares of 100–300 m placed for ``kind``, and the zone of each."""
    zb = index.bounds
    z = rng.choice(len(index.geoms), batch, p=index.weights)
    half = rng.uniform(50.0, 150.0, batch)
    if kind == "inside":
        x = rng.uniform(zb[z, 0], zb[z, 2])
        y = rng.uniform(zb[z, 1], zb[z, 3])
    elif kind == "edge":
        ring = shapely.get_exterior_ring(
            shapely.get_geometry(index.geoms[z], np.zeros(batch, dtype=int))
        )
        pts = shapely.line_interpolate_point(ring, rng.random(batch), normalized=True)
        x, y = shapely.get_x(pts), shapely.get_y(pts)
    else:
        theta = rng.uniform(0, 2 * np.pi, batch)
        reach = np.hypot(zb[z, 2] - zb[z, 0], zb[z, 3] - zb[z, 1]) / 2
        dist = reach + half * 1.5 + rng.uniform(200.0, 3000.0, batch)
        x = (zb[z, 0] + zb[z, 2]) / 2 + dist * np.cos(theta)
        y = (zb[z, 1] + zb[z, 3]) / 2 + dist * np.sin(theta)
    return shapely.box(x - half, y - half, x + half, y + half), z


def _accepted(kind: str, boxes: np.ndarray, z: np.ndarray, *, index: _ZoneIndex) -> np.ndarray:
    """Which candidate squares really are inside their zone, across an edge, or outside all."""
    if kind == "inside":
        return shapely.contains(index.geoms[z], boxes)
    if kind == "edge":
        share = shapely.area(shapely.intersection(boxes, index.union)) / shapely.area(boxes)
        return (share > 0.05) & (share < 0.95)
    ok = np.ones(len(boxes), dtype=bool)
    hit, _ = index.tree.query(boxes, predicate="intersects")
    ok[hit] = False
    return ok


def _proposal_attributes(
    geometry: np.ndarray, zone_of: np.ndarray, *, zones: gpd.GeoDataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """The proposal columns for squares placed by the zones at ``zone_of``."""
    n = len(geometry)
    area = shapely.area(geometry)
    mu = area / _M2_PER_MU
    commercial = rng.random(n) < 0.10
    codes = (
        zones["leading_industry_codes"].to_numpy() if "leading_industry_codes" in zones else None
    )
    if codes is not None:
        first = np.array([str(c).split(";")[0] for c in codes], dtype=object)
        industry = first[zone_of]
    else:
        industry = np.array(_MANUFACTURING, dtype=object)[rng.integers(0, len(_MANUFACTURING), n)]
    industry = pd.array(np.where(commercial, np.array(None, dtype=object), industry), dtype="str")
    districts = zones["district"].to_numpy()[zone_of] if "district" in zones else np.full(n, None)
    return pd.DataFrame(
        {
            "proposal_id": _numbered("N", 1, n, 6),
            "project": _numbered("合成项目", 1, n, 6),
            "land_use": _strings(("industrial", "commercial"), commercial.astype(np.int64)),
            "land_use_code": _strings(("100101", "0901"), commercial.astype(np.int64)),
            "industry_code": industry,
            "industry_code_version": _strings(("2017",), np.zeros(n, dtype=np.int64), commercial),
            "district": pd.array(districts, dtype="str"),
            "land_area_m2": np.round(area, 2),
            "investment_wan": np.round(mu * rng.uniform(200.0, 500.0, n), 2),
            "expected_tax_wan": np.round(mu * rng.uniform(10.0, 45.0, n), 2),
            "expected_revenue_wan": np.round(mu * rng.uniform(200.0, 1500.0, n), 2),
        }
    )
