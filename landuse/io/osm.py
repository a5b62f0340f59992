"""Industrial parcels and buildings from an OpenStreetMap extract (``.osm.pbf`` / ``.osm``).

For a city without cadastral data: ``landuse=industrial`` areas stand in for parcels, and
building footprints with ``building:levels`` / ``height`` give floor area, so coverage
(建筑系数) and FAR can be measured with :func:`landuse.efficiency.parcel_metrics`.

Reads with GDAL's OSM driver through pyogrio (no extra dependency). OSM data need care:
extracts cut ways at their edge (such features cannot be built and are dropped, with a
warning), self-intersecting areas are repaired (``make_valid``, polygonal part kept), and
most buildings carry no levels or height (pass ``default_levels=`` to ``parcel_metrics``).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely

from landuse.errors import LanduseError, LanduseWarning, format_ids
from landuse.io._clean import polygonal_parts
from landuse.io._readers import read_buildings, read_parcels

__all__ = ["read_osm_parcels"]

_FIELDS = ["osm_id", "osm_way_id", "name", "building", "landuse", "other_tags"]
_NUMBER = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)")


def _tag(other_tags: np.ndarray, key: str) -> np.ndarray:
    """Extract ``key`` from GDAL's ``other_tags`` hstore text (``"k"=>"v",…``); None if absent."""
    pattern = rf'"{re.escape(key)}"=>"((?:[^"\\]|\\.)*)"'
    values = pd.Series(other_tags, dtype="string").str.extract(pattern, expand=False)
    return values.astype(object).where(values.notna(), None).to_numpy()


def _to_number(values: np.ndarray) -> np.ndarray:
    """Leading number of OSM text values (``"12 m"`` → 12.0, ``"3;4"`` → 3.0); NaN otherwise."""
    extracted = pd.Series(values, dtype="string").str.extract(_NUMBER.pattern, expand=False)
    return pd.to_numeric(extracted.str.replace(",", ".", regex=False), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )


def _read(path: Path, where: str) -> tuple[pd.DataFrame, np.ndarray, str | None]:
    meta, _, wkb, fields = pyogrio.raw.read(
        path, layer="multipolygons", columns=_FIELDS, where=where
    )
    names = list(meta["fields"])
    frame = pd.DataFrame({name: fields[i] for i, name in enumerate(names)})
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    return frame, geoms, meta.get("crs")


def _osm_ids(frame: pd.DataFrame) -> np.ndarray:
    """``osm:way/<id>`` for closed ways, ``osm:relation/<id>`` for multipolygon relations.

    A missing way id may arrive as None or NaN (pandas reads a text column with gaps as a
    string dtype), so test with ``isna``, not ``is None``.
    """
    way = frame["osm_way_id"].astype("string")
    rel = frame["osm_id"].astype("string")
    ids = ("osm:way/" + way).fillna("osm:relation/" + rel)
    return ids.astype(object).to_numpy()


def _clean(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Repair invalid geometries (polygonal part kept); mask of usable ones; repairs made."""
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    invalid = usable & ~shapely.is_valid(geoms)
    out = geoms.copy()
    if invalid.any():
        out[invalid] = polygonal_parts(shapely.make_valid(geoms[invalid]))
        usable &= ~(shapely.is_missing(out) | shapely.is_empty(out))
    return out, usable, int(invalid.sum())


def read_osm_parcels(
    path: str | os.PathLike[str],
    *,
    landuse: Sequence[str] = ("industrial",),
    buildings: Literal["parcels", "all"] = "parcels",
    crs: Any = "auto",
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Read industrial areas (as parcels) and building footprints from an OpenStreetMap file.

    Parameters
    ----------
    path
        An OpenStreetMap extract, ``.osm.pbf`` or ``.osm`` (e.g. from Geofabrik or BBBike).
    landuse
        ``landuse=*`` values read as parcels (default ``industrial``).
    buildings
        ``"parcels"`` (default): the buildings that touch a parcel; ``"all"``: every building
        (``building=*`` other than ``no``) in the file.
    crs
        Output CRS, as for :func:`landuse.read_parcels`: ``"auto"`` (default) picks the
        analysis CRS from the location (UTM outside China), or any CRS in metres.

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        ``(parcels, buildings)``, validated by :func:`landuse.read_parcels` and
        :func:`landuse.read_buildings` (their report in ``attrs["landuse_read"]``). Parcels:
        ``parcel_id`` (``"osm:way/…"`` or ``"osm:relation/…"``), ``land_use``
        (normalised), ``land_use_code`` (``"landuse=industrial"``), ``land_area_m2``,
        ``name``. Buildings: ``building_id``, ``levels`` (``building:levels``), ``height_m``
        (``height``, leading number), ``building`` (its tag value), ``name``. Both carry
        ``attrs["osm"]``: features read, dropped (unbuildable geometry) and repaired.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    LanduseError
        GDAL lacks the OSM driver, or the file has no ``landuse`` area of the requested kinds.
    ValueError
        Bad ``buildings`` option or empty ``landuse``.

    Warns
    -----
    LanduseWarning
        Features whose geometry cannot be built (ways cut at the extract's edge) were dropped.

    Examples
    --------
    A tiny extract: one industrial area near Qingdao with a 3-storey building on it.

    >>> import tempfile
    >>> from landuse.efficiency import parcel_metrics
    >>> nodes = [(120.380, 36.070), (120.382, 36.070), (120.382, 36.072), (120.380, 36.072),
    ...          (120.3805, 36.0705), (120.3810, 36.0705), (120.3810, 36.0709), (120.3805, 36.0709)]
    >>> xml = ['<osm version="0.6">'] + [
    ...     f'<node id="{i}" version="1" lon="{x}" lat="{y}"/>' for i, (x, y) in enumerate(nodes, 1)]
    >>> xml += ['<way id="1" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/>'
    ...         '<nd ref="1"/><tag k="landuse" v="industrial"/></way>',
    ...         '<way id="2" version="1"><nd ref="5"/><nd ref="6"/><nd ref="7"/><nd ref="8"/>'
    ...         '<nd ref="5"/><tag k="building" v="yes"/><tag k="building:levels" v="3"/></way>',
    ...         "</osm>"]
    >>> path = Path(tempfile.mkdtemp()) / "tiny.osm"
    >>> _ = path.write_text("".join(xml))
    >>> parcels, buildings = read_osm_parcels(path)
    >>> parcels["parcel_id"].tolist(), buildings["levels"].tolist(), parcels.crs.to_epsg()
    (['osm:way/1'], [3.0], 4549)
    >>> m = parcel_metrics(parcels, buildings=buildings, policy="national-2008", land_uses=None)
    >>> round(float(m["building_coefficient"].iloc[0]), 3), round(float(m["far"].iloc[0]), 3)
    (0.05, 0.15)
    """

    if buildings not in ("parcels", "all"):
        msg = f'`buildings` passed to read_osm_parcels() must be "parcels" or "all"; received {buildings!r}.'
        raise ValueError(msg)
    values = [str(v) for v in landuse]
    if not values:
        msg = "`landuse` passed to read_osm_parcels() is empty; give e.g. ('industrial',)."
        raise ValueError(msg)
    path = Path(path)
    if not path.exists():
        msg = f"read_osm_parcels(): no such file: {str(path)!r}"
        raise FileNotFoundError(msg)
    if "OSM" not in pyogrio.list_drivers():
        msg = (
            "read_osm_parcels() needs GDAL's OSM driver, which this GDAL build lacks "
            "(pyogrio.list_drivers() has no 'OSM'); install pyogrio from its wheels, which "
            "include it."
        )
        raise LanduseError(msg)
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    frame, geoms, source_crs = _read(path, f"landuse IN ({quoted})")
    dropped: dict[str, list[str]] = {}
    geoms, usable, repaired = _clean(geoms)
    ids = _osm_ids(frame)
    if (~usable).any():
        dropped["parcels"] = ids[~usable].tolist()
    if not usable.any():
        msg = (
            f"read_osm_parcels(): {str(path)!r} has no usable landuse={'|'.join(values)} areas "
            f"({len(ids)} found, {len(dropped.get('parcels', []))} unbuildable)."
        )
        raise LanduseError(msg)
    raw_parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ids[usable],
            "land_use": frame["landuse"].to_numpy()[usable],
            "land_use_code": ["landuse=" + str(v) for v in frame["landuse"].to_numpy()[usable]],
            "name": frame["name"].to_numpy()[usable],
        },
        geometry=geoms[usable],
        crs=source_crs or "EPSG:4326",
    )
    bframe, bgeoms, _ = _read(path, "building IS NOT NULL AND building <> 'no'")
    bgeoms, busable, brepaired = _clean(bgeoms)
    bids = _osm_ids(bframe)
    if (~busable).any():
        dropped["buildings"] = bids[~busable].tolist()
    keep = busable.copy()
    if buildings == "parcels" and keep.any():
        tree = shapely.STRtree(raw_parcels.geometry.to_numpy())
        hit = np.unique(tree.query(bgeoms[keep], predicate="intersects")[0])
        sub = np.zeros(int(keep.sum()), dtype=bool)
        sub[hit] = True
        keep[np.flatnonzero(keep)] = sub
    other = bframe["other_tags"].to_numpy()
    raw_buildings = gpd.GeoDataFrame(
        {
            "building_id": bids[keep],
            "levels": _to_number(_tag(other, "building:levels"))[keep],
            "height_m": _to_number(_tag(other, "height"))[keep],
            "building": bframe["building"].to_numpy()[keep],
            "name": bframe["name"].to_numpy()[keep],
        },
        geometry=bgeoms[keep],
        crs=source_crs or "EPSG:4326",
    )
    if dropped:
        detail = "; ".join(f"{len(v)} {k} ({format_ids(v, limit=3)})" for k, v in dropped.items())
        warnings.warn(
            f"read_osm_parcels(): dropped features whose geometry cannot be built from "
            f"{path.name} (ways cut at the extract's edge): {detail}.",
            LanduseWarning,
            stacklevel=2,
        )
    parcels_out = read_parcels(raw_parcels, crs=crs)
    buildings_out = read_buildings(raw_buildings, crs=crs)
    report = {
        "source": str(path),
        "parcels_read": len(ids),
        "parcels_dropped": len(dropped.get("parcels", [])),
        "parcels_repaired": repaired,
        "buildings_read": len(bids),
        "buildings_dropped": len(dropped.get("buildings", [])),
        "buildings_repaired": brepaired,
        "buildings_kept": int(keep.sum()),
    }
    parcels_out.attrs["osm"] = report
    buildings_out.attrs["osm"] = report
    return parcels_out, buildings_out
