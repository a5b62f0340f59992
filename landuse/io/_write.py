"""Writing layers into a GeoPackage, atomically (public as :func:`landuse.io.write_layers`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors

from landuse._atomic import atomic_path
from landuse._sinks import gpkg_text
from landuse.errors import LanduseError

__all__ = ["write_layers"]


def write_layers(
    layers: Mapping[str, gpd.GeoDataFrame | pd.DataFrame],
    path: str | os.PathLike[str],
) -> Path:
    """Write layers into a GeoPackage, atomically, keeping its other layers.

    When ``path`` exists, the named layers are replaced and every other layer in the file
    is kept (``write_layers({"project_bank": bank}, "parcels.gpkg")`` adds a layer, it does
    not drop ``parcels``). The work happens on a copy beside the target, moved into place
    only when every layer is written, so a failure leaves the previous file intact. Text
    is UTF-8 and round-trips exactly, except a NUL character or a lone surrogate, which
    GDAL cannot store: they are written as visible escapes (``\\x00``) with a
    :class:`~landuse.errors.LanduseWarning`. Dates are written as dates.

    Parameters
    ----------
    layers
        ``{layer name: frame}``; plain DataFrames become attribute tables.
    path
        Target ``.gpkg`` file: created, or updated layer by layer if it exists.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    LanduseError
        ``path`` does not end in ``.gpkg``, ``layers`` is empty, or ``path`` exists but is
        not a GeoPackage (it is left as it is).

    Examples
    --------
    >>> import tempfile, geopandas as gpd, shapely, pyogrio
    >>> g = gpd.GeoDataFrame({"zone_id": ["QD01"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4549)
    >>> out = write_layers({"zones": g}, Path(tempfile.mkdtemp()) / "out.gpkg")
    >>> out = write_layers({"parcels": g.rename(columns={"zone_id": "parcel_id"})}, out)
    >>> [str(n) for n in pyogrio.list_layers(out)[:, 0]]
    ['zones', 'parcels']
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        msg = (
            f"write_layers writes a GeoPackage; `path` must end in .gpkg, received {str(path)!r}."
        )
        raise _WriteError(msg)
    if not layers:
        msg = "write_layers: `layers` is empty: nothing to write."
        raise _WriteError(msg)
    frames = {name: gpkg_text(frame, caller="write_layers") for name, frame in layers.items()}
    with atomic_path(path, keep_existing=True) as tmp:
        if tmp.exists():
            try:
                pyogrio.list_layers(tmp)
            except pyogrio.errors.DataSourceError:
                msg = (
                    f"write_layers: {str(path)!r} exists but is not a GeoPackage (GDAL does not "
                    "recognise it); it was left as it is. Remove it or write to another file."
                )
                raise _WriteError(msg) from None
        for name, frame in frames.items():
            out = frame.copy()
            out.attrs = {}
            # append=False on an existing GeoPackage replaces this layer and keeps the others
            pyogrio.write_dataframe(out, tmp, layer=name, driver="GPKG", append=False)
    return path


class _WriteError(LanduseError, ValueError):
    """A bad output path for write_layers (also a ValueError, as before)."""
