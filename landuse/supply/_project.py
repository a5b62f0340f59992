"""The project a supply comparison is about: :class:`Project` and how it is read.

Private: public API in :mod:`landuse.supply`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from landuse.policy import industry_division
from landuse.supply._common import check_choice, check_number, land_area

__all__ = ["Project", "as_project", "project_frame", "site_values"]

_REQUIRED_FIELDS = ("industry_code", "floor_area_needed_m2", "investment_wan", "expected_tax_wan")
_TEXT_FIELDS = ("industry_code", "zone_id", "name", "industry_code_version", "land_grade")


@dataclass(frozen=True)
class Project:
    """A project asking for industrial land.

    Attributes
    ----------
    industry_code
        GB/T 4754 division (``"39"``; group/class codes are reduced to the division).
    floor_area_needed_m2
        Floor area the project needs, m² (> 0).
    investment_wan
        Fixed-asset investment, 万元 (≥ 0; land price included, as the indicator counts it).
    expected_tax_wan
        Tax per year at full production, 万元 (≥ 0).
    zone_id
        Cluster zone the land would be in (selects the zone's standard-land values).
    name
        Label for tables.
    industry_code_version
        ``"2017"`` (default) or ``"2002"``.
    land_area_m2
        Land asked for, m², if the project has a site size; otherwise land is sized from the
        floor area at the option's FAR (or ``far``).
    far
        Planned FAR on own land; default: the FAR each option requires.
    land_price_yuan_m2, land_grade
        Full-term land price in 元/m², or a grade of ``land_price.industrial_grades``.
    footprint_m2, admin_living_land_m2, green_area_m2
        Planned areas, m² (for the control indicators).
    value_added_wan, energy_tce, emissions_t, rd_spend_wan, expected_revenue_wan
        Expected yearly figures (for the optional "N" indicators).

    Examples
    --------
    >>> Project(industry_code="C3911", floor_area_needed_m2=9000, investment_wan=5000,
    ...         expected_tax_wan=400).industry_code
    '39'
    >>> Project.from_mapping({"industry_code": 39, "floor_area_needed_m2": "9000",
    ...     "investment_wan": 5000, "expected_tax_wan": 400, "zone_id": float("nan")}).zone_id is None
    True
    """

    industry_code: str
    floor_area_needed_m2: float
    investment_wan: float
    expected_tax_wan: float
    zone_id: str | None = None
    name: str | None = None
    industry_code_version: str = "2017"
    land_area_m2: float | None = None
    far: float | None = None
    land_price_yuan_m2: float | None = None
    land_grade: str | None = None
    footprint_m2: float | None = None
    admin_living_land_m2: float | None = None
    green_area_m2: float | None = None
    value_added_wan: float | None = None
    energy_tce: float | None = None
    emissions_t: float | None = None
    rd_spend_wan: float | None = None
    expected_revenue_wan: float | None = None

    def __post_init__(self) -> None:
        caller = "Project"
        check_choice(
            self.industry_code_version,
            ("2017", "2002"),
            name="industry_code_version",
            caller=caller,
        )
        try:
            code = industry_division(self.industry_code)
        except ValueError as exc:
            msg = f"{caller}: {exc}"
            raise ValueError(msg) from exc
        object.__setattr__(self, "industry_code", code)
        check_number(
            self.floor_area_needed_m2,
            name="floor_area_needed_m2",
            caller=caller,
            low=0,
            low_inclusive=False,
            hint=" A project needs some floor area.",
        )
        for name in ("investment_wan", "expected_tax_wan"):
            check_number(getattr(self, name), name=name, caller=caller, low=0)
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in _REQUIRED_FIELDS or f.name in _TEXT_FIELDS or value is None:
                continue
            positive = f.name in ("land_area_m2", "far")
            check_number(
                value,
                name=f.name,
                caller=caller,
                low=0,
                low_inclusive=not positive,
                hint=" Areas and amounts cannot be negative." if not positive else "",
            )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Project:
        """Build a project from a mapping (a dict, a CSV row, a TOML table).

        Numbers given as text are converted; empty values (None, NaN, "") count as missing.

        Parameters
        ----------
        values
            Field name → value; unknown names raise with the valid ones listed.

        Returns
        -------
        Project
        """
        caller = "Project.from_mapping"
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = [str(k) for k in values if k not in fields]
        if unknown:
            msg = (
                f"{caller}: unknown project field(s) {', '.join(unknown)}; valid fields: "
                f"{', '.join(fields)}."
            )
            raise ValueError(msg)
        clean: dict[str, Any] = {}
        for key, value in values.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if isinstance(value, str) and not value.strip():
                continue
            if key in _TEXT_FIELDS:
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                clean[key] = str(value).strip()
            elif isinstance(value, str):
                try:
                    clean[key] = float(value.replace(",", ""))
                except ValueError as exc:
                    msg = f"{caller}: `{key}` must be a number; received {value!r}."
                    raise ValueError(msg) from exc
            else:
                clean[key] = value
        missing = [k for k in _REQUIRED_FIELDS if k not in clean]
        if missing:
            msg = f"{caller}: missing required project field(s): {', '.join(missing)}."
            raise ValueError(msg)
        return cls(**clean)


def as_project(project: Project | Mapping[str, Any], *, caller: str) -> Project:
    """The project as a :class:`Project` (from a mapping or a Series of its fields)."""
    if isinstance(project, Project):
        return project
    if isinstance(project, pd.Series):
        return Project.from_mapping(project.to_dict())
    if isinstance(project, Mapping):
        return Project.from_mapping(project)
    msg = (
        f"{caller}: `project` must be a Project or a mapping of its fields; received "
        f"{type(project).__name__}."
    )
    raise TypeError(msg)


def site_values(site: Any, *, caller: str) -> dict[str, Any]:
    """Land area, zone, price and grade of a one-row site (GeoDataFrame, DataFrame, mapping)."""
    if site is None:
        return {}
    if isinstance(site, pd.DataFrame):
        if len(site) != 1:
            msg = f"{caller}: `site` must be one parcel (one row); received {len(site)} rows."
            raise ValueError(msg)
        area, how = land_area(site, name="site", caller=caller)
        row = site.iloc[0]
        values = {k: row[k] for k in ("zone_id", "land_price_yuan_m2", "land_grade") if k in row}
        if area is None or np.isnan(area[0]):
            msg = f"{caller}: `site` has no land area ({how})."
            raise ValueError(msg)
        values["land_area_m2"] = float(area[0])
    elif isinstance(site, (Mapping, pd.Series)):
        values = dict(site)
        if "land_area_m2" not in values:
            msg = f"{caller}: `site` needs `land_area_m2` (m²)."
            raise ValueError(msg)
        values["land_area_m2"] = check_number(
            values["land_area_m2"],
            name="site land_area_m2",
            caller=caller,
            low=0,
            low_inclusive=False,
        )
    else:
        msg = f"{caller}: `site` must be a one-row (Geo)DataFrame or a mapping; received {type(site).__name__}."
        raise TypeError(msg)
    return {
        k: v
        for k, v in values.items()
        if v is not None and not (isinstance(v, float) and np.isnan(v))
    }


def project_frame(project: Project, land_m2: float, floor_m2: float) -> pd.DataFrame:
    """One-row frame of the project on ``land_m2``, for the indicator functions."""
    data = {
        "land_area_m2": land_m2,
        "floor_area_m2": floor_m2,
        "investment_wan": project.investment_wan,
        "expected_tax_wan": project.expected_tax_wan,
    }
    for name in (
        "footprint_m2",
        "admin_living_land_m2",
        "green_area_m2",
        "value_added_wan",
        "energy_tce",
        "emissions_t",
        "rd_spend_wan",
        "expected_revenue_wan",
    ):
        value = getattr(project, name)
        if value is not None:
            data[name] = value
    return pd.DataFrame([data])
