"""The read report: what a reader did to a layer, kept in ``frame.attrs["landuse_read"]``.

Public as :class:`landuse.ReadReport` (and :class:`landuse.io.ReadReport`). It lives in its own
file so that the cleaning steps (``_clean``) can fill it without importing the package face.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ReadReport"]


@dataclass
class ReadReport:
    """What a reader did to a layer, kept in ``frame.attrs["landuse_read"]``.

    Attributes
    ----------
    layer
        Canonical layer name (``"parcels"``, …).
    source
        Path or ``"<GeoDataFrame>"``.
    rows_read, rows_kept
        Feature counts before and after dropping empty geometries.
    columns
        ``{source field: canonical column}`` for every renamed field.
    units
        ``{canonical column: factor}`` for fields converted from a unit in their name.
    encoding
        Text encoding used for a shapefile DBF, and how it was chosen.
    crs_source, crs
        The layer's CRS as read and as returned.
    coord_system
        ``"wgs84"``, or the web-map system converted from.
    repaired, dropped
        Ids of features whose geometry was repaired / dropped.
    filled_area
        Ids whose ``land_area_m2`` was filled from the geometry area.
    area_mismatch
        Ids whose declared ``land_area_m2`` differs from the geometry area by more than
        ``area_check_factor``.
    coerced
        ``{column: ids}`` of values that were not understood and set missing.
    unknown_codes
        ``{land-use code: count}`` of code-like values no supported classification has
        (read as ``other``, with a warning).
    notes
        Anything else worth knowing.
    unmapped
        Source fields read as no canonical column (kept in the frame under their own names).
    lookalikes
        ``{source field: canonical column}`` for unmapped fields that look like a column none
        was read as (``面积亩`` → ``land_area_m2``); the reader warns about each with the
        ``columns=`` (and ``units=``) that would map it.
    """

    layer: str
    source: str
    rows_read: int = 0
    rows_kept: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    units: dict[str, float] = field(default_factory=dict)
    encoding: str | None = None
    crs_source: str | None = None
    crs: str | None = None
    coord_system: str = "wgs84"
    repaired: list[Any] = field(default_factory=list)
    dropped: list[Any] = field(default_factory=list)
    filled_area: list[Any] = field(default_factory=list)
    area_mismatch: list[Any] = field(default_factory=list)
    coerced: dict[str, list[Any]] = field(default_factory=dict)
    unknown_codes: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    lookalikes: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One paragraph for logs and the CLI.

        Examples
        --------
        >>> ReadReport("parcels", "p.gpkg", 3, 3, {"宗地编号": "parcel_id"}).summary()
        'parcels from p.gpkg: 3 of 3 features kept; fields mapped: 宗地编号→parcel_id'
        """
        parts = [
            f"{self.layer} from {self.source}: {self.rows_kept} of {self.rows_read} features kept"
        ]
        if self.columns:
            parts.append("fields mapped: " + ", ".join(f"{k}→{v}" for k, v in self.columns.items()))
        if self.unmapped:
            parts.append(
                "fields not mapped: "
                + ", ".join(
                    f"{f} (looks like {self.lookalikes[f]})" if f in self.lookalikes else f
                    for f in self.unmapped
                )
            )
        if self.units:
            parts.append(
                "units converted: " + ", ".join(f"{k}×{v:g}" for k, v in self.units.items())
            )
        if self.encoding:
            parts.append(f"encoding {self.encoding}")
        if self.crs:
            same = self.crs == self.crs_source
            parts.append(
                f"CRS {self.crs} (kept)" if same else f"CRS {self.crs_source} → {self.crs}"
            )
        if self.coord_system != "wgs84":
            parts.append(f"converted from {self.coord_system.upper()} to WGS84")
        if self.repaired:
            parts.append(f"{len(self.repaired)} geometries repaired")
        if self.dropped:
            parts.append(f"{len(self.dropped)} empty geometries dropped")
        if self.filled_area:
            parts.append(f"land_area_m2 filled from geometry for {len(self.filled_area)}")
        if self.unknown_codes:
            parts.append(
                "unknown land-use codes: "
                + ", ".join(f"{c} ×{n}" for c, n in self.unknown_codes.items())
            )
        parts.extend(self.notes)
        return "; ".join(parts)
