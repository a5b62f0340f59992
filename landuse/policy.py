"""Policy profiles: every threshold is data, loaded from TOML into frozen dataclasses.

A profile is a TOML file in ``landuse/policies/`` (or any path). Each parameter is a
table carrying its value and provenance::

    [control.building_coefficient_min]
    value = 0.30
    unit = "share of site area"
    source = "国土资发〔2008〕24号 ...; POLICY-FACTS §1.1"
    confidence = "V"
    note = "..."          # optional

``confidence`` is one of ``V`` (explicit in the source), ``S`` (secondary source), ``I``
(inferred), ``U`` (uncertain), ``from-plan`` (named by the plan, unconfirmed) or ``user``
(supplied by the user). A parameter the user must supply is written without ``value`` and
with ``user_input = true``; its attribute is ``None`` until set (see :meth:`Policy.require`).
A profile may ``extends = "<profile or path>"`` another; its parameters replace the
parent's one by one.

Attribute names carry units: ``_share`` fractions 0–1, ``_years``, ``_m2``, ``_ha``, ``_km2``,
``_wan_per_mu`` (万元/亩), ``_yi`` (亿元); bounds end in ``_min`` / ``_max``.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import numbers
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from landuse.errors import PolicyError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "CONFIDENCE_TAGS",
    "AssessmentRules",
    "ClassCut",
    "ControlRules",
    "CrosswalkEntry",
    "FarEntry",
    "FarRules",
    "FieldRules",
    "IdleRules",
    "InefficientRules",
    "LandPriceGrade",
    "LandPriceRules",
    "MujunRules",
    "MultistoreyRules",
    "Param",
    "PlanField",
    "Policy",
    "StandardLandRules",
    "SupportingHousingRules",
    "TenureRules",
    "Tier",
    "TierRules",
    "ZoneCreationRules",
    "list_policies",
    "load_policy",
]

logger = logging.getLogger(__name__)

#: Valid ``confidence`` tags, see the module docstring.
CONFIDENCE_TAGS: tuple[str, ...] = ("V", "S", "I", "U", "from-plan", "user")
_ENTRY_KEYS = ("value", "unit", "source", "confidence", "note", "user_input")
_TOP_LEVEL_KEYS = ("extends", "description")
_TEXT: Mapping[str, Any] = {"kind": "str", "choices": None}
_CONF: Mapping[str, Any] = {"kind": "confidence"}


def _p(kind: str, *, choices: tuple[str, ...] | None = None, row: type | None = None) -> Any:
    """Declare a policy parameter (optional, ``None`` when a profile does not set it)."""
    return field(default=None, metadata={"kind": kind, "choices": choices, "row": row})


def _col(kind: str, *, required: bool = True, choices: tuple[str, ...] | None = None) -> Any:
    """Declare a column of a table row."""
    meta = {"kind": kind, "choices": choices, "row": None}
    return field(metadata=meta) if required else field(default=None, metadata=meta)


@dataclass(frozen=True)
class Param:
    """One policy parameter with its provenance.

    Attributes
    ----------
    value
        The value (``None`` for a user input not yet supplied).
    unit
        Human-readable unit.
    source
        Where the value comes from (document, URL, POLICY-FACTS section).
    confidence
        One of :data:`CONFIDENCE_TAGS`.
    note
        Caveats, or ``None``.
    profile
        The profile that set the value (``None`` for overrides and unset parameters).

    Examples
    --------
    >>> load_policy("national-2008").provenance("idle.fee_share").confidence
    'V'
    """

    value: Any
    unit: str | None
    source: str
    confidence: str
    note: str | None = None
    profile: str | None = None


# --- table rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FarEntry:
    """One row of the minimum FAR table: a GB/T 4754 division and its minimum FAR."""

    code: str = _col("code")
    name: str = _col("str")
    min_far: float | None = _col("number", required=False)
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


@dataclass(frozen=True)
class CrosswalkEntry:
    """One GB/T 4754-2017 division and the 2002 division(s) it came from (empty: none)."""

    code_2017: str = _col("code")
    name: str = _col("str")
    codes_2002: tuple[str, ...] = _col("codes")
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


@dataclass(frozen=True)
class ClassCut:
    """A 亩均 class: firms ranked from the top down to ``rank_share_max`` get ``grade``."""

    grade: str = _col("str")
    rank_share_max: float = _col("share")
    label: str | None = _col("str", required=False)
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


@dataclass(frozen=True)
class Tier:
    """A zone tier: main-business revenue ≥ ``revenue_yi_min`` 亿元; target number of zones."""

    name: str = _col("str")
    revenue_yi_min: float = _col("number")
    target_count: int | None = _col("int", required=False)
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


@dataclass(frozen=True)
class PlanField:
    """A field of the plan: ``level`` ``"industry"`` (产业级) or ``"niche"`` (细分领域)."""

    key: str = _col("str")
    name: str = _col("str")
    level: str = _col("str", choices=("industry", "niche"))
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


@dataclass(frozen=True)
class LandPriceGrade:
    """A benchmark land price grade in 元/m² of land."""

    grade: str = _col("str")
    price_yuan_per_m2: float = _col("number")
    confidence: str | None = _col("confidence", required=False)
    note: str | None = _col("str", required=False)


# --- sections --------------------------------------------------------------------------------
# Attribute meanings, units and sources live in the TOML profiles; see also
# ``policy.to_frame()``. Every attribute is ``None`` when the profile chain does not set it.


@dataclass(frozen=True)
class ControlRules:
    """Land-use control indicators for industrial projects (工业项目建设用地控制指标).

    ``building_coefficient_min``, ``admin_living_land_share_max`` (of site area),
    ``admin_living_floor_share_max`` (of GFA), ``green_space_share_max``,
    ``double_count_storey_height_m`` (taller storeys count twice in the FAR).
    """

    building_coefficient_min: float | None = _p("share")
    admin_living_land_share_max: float | None = _p("share")
    admin_living_floor_share_max: float | None = _p("share")
    green_space_share_max: float | None = _p("share")
    double_count_storey_height_m: float | None = _p("number")


@dataclass(frozen=True)
class FarRules:
    """Minimum FAR by industry: the table, its code edition and the 2017 → 2002 crosswalk.

    Use :meth:`Policy.min_far` rather than reading the tables directly.
    """

    code_version: str | None = _p("str", choices=("2002", "2017"))
    min_far_by_division: tuple[FarEntry, ...] | None = _p("rows", row=FarEntry)
    crosswalk_2017_to_2002: tuple[CrosswalkEntry, ...] | None = _p("rows", row=CrosswalkEntry)


@dataclass(frozen=True)
class IdleRules:
    """Idle land (闲置土地, MLR Order 53).

    Idle if not started ``start_delay_years`` after the agreed start; or started with developed
    area < ``developed_area_share_min`` or investment < ``invested_share_min`` and halted
    ≥ ``halted_years``. Fee ``fee_share`` of the land price once idle ≥ ``fee_idle_years``;
    revocation without compensation once idle ≥ ``revocation_idle_years``.
    """

    start_delay_years: float | None = _p("number")
    developed_area_share_min: float | None = _p("share")
    invested_share_min: float | None = _p("share")
    halted_years: float | None = _p("number")
    fee_share: float | None = _p("share")
    fee_idle_years: float | None = _p("number")
    revocation_idle_years: float | None = _p("number")


@dataclass(frozen=True)
class InefficientRules:
    """Inefficient industrial land (低效工业用地): any one criterion suffices.

    Completion overdue > ``completion_overdue_years``; ≥ ``years_after_completion`` after
    completion with investment intensity < ``investment_intensity_share_min`` of contract or
    output < ``output_share_min`` of standard; stopped ≥ ``stopped_years``; tax per mu
    < ``tax_wan_per_mu_min`` (万元/亩·年, where set).
    """

    completion_overdue_years: float | None = _p("number")
    years_after_completion: float | None = _p("number")
    investment_intensity_share_min: float | None = _p("share")
    output_share_min: float | None = _p("share")
    stopped_years: float | None = _p("number")
    tax_wan_per_mu_min: float | None = _p("number")


@dataclass(frozen=True)
class MujunRules:
    """亩均论英雄 enterprise scoring.

    ``weights_above_scale`` (规上) and ``weights_below_scale`` (规下): indicator → points;
    ``score_method`` (``"ratio_to_benchmark"`` | ``"min_max"``); ``benchmark_statistic``;
    ``missing_indicator_rule`` (``"average"``: a missing item scores the average);
    ``class_cuts``: :class:`ClassCut` rows, top down.
    """

    weights_above_scale: Mapping[str, float] | None = _p("number_map")
    weights_below_scale: Mapping[str, float] | None = _p("number_map")
    score_method: str | None = _p("str", choices=("ratio_to_benchmark", "min_max"))
    benchmark_statistic: str | None = _p("str", choices=("mean", "median", "max"))
    missing_indicator_rule: str | None = _p("str", choices=("average", "zero"))
    class_cuts: tuple[ClassCut, ...] | None = _p("rows", row=ClassCut)


@dataclass(frozen=True)
class StandardLandRules:
    """Standard land (标准地): indicator names ("3+N"), regional assessments ("5+N").

    ``construction_years`` and ``production_review_years`` are set locally (user input).
    """

    control_indicators: Mapping[str, str] | None = _p("str_map")
    optional_indicators: Mapping[str, str] | None = _p("str_map")
    regional_assessments: Mapping[str, str] | None = _p("str_map")
    site_readiness: str | None = _p("str")
    construction_years: float | None = _p("number")
    production_review_years: float | None = _p("number")


@dataclass(frozen=True)
class TenureRules:
    """Grant terms, flexible terms, lease-then-transfer and the land capitalisation rate."""

    industrial_max_years: float | None = _p("number")
    max_years_by_use: Mapping[str, float] | None = _p("number_map")
    capitalisation_rate_share: float | None = _p("share")
    capitalisation_rate_example_share: float | None = _p("share")
    flexible_term_years: float | None = _p("number")
    flexible_term_options_years: tuple[float, ...] | None = _p("numbers")
    lease_years: float | None = _p("number")
    grant_after_lease_years: float | None = _p("number")


@dataclass(frozen=True)
class MultistoreyRules:
    """Multi-storey industry (工业上楼) and subdivided standard factories.

    ``suitable_industries_2017``: GB/T 4754-2017 division → name. ``subdivision_unit_min_m2``
    is set locally (user input). ``high_rise_*``: Qingdao 城阳 high-rise industrial buildings.
    """

    far_min: float | None = _p("number")
    height_over_m: float | None = _p("number")
    floors_min: int | None = _p("int")
    enterprise_unit_m2: float | None = _p("number")
    suitable_industries_2017: Mapping[str, str] | None = _p("str_map")
    subdivision_unit_min_m2: float | None = _p("number")
    high_rise_site_ha_min: float | None = _p("number")
    high_rise_far: float | None = _p("number")


@dataclass(frozen=True)
class SupportingHousingRules:
    """Supporting housing on industrial land (配建); ``rental_*``: with rental dormitories."""

    land_share_max: float | None = _p("share")
    floor_share_max: float | None = _p("share")
    rental_land_share_max: float | None = _p("share")
    rental_floor_share_max: float | None = _p("share")
    unit_floor_area_m2_max: float | None = _p("number")
    complete_housing_allowed: bool | None = _p("bool")


@dataclass(frozen=True)
class ZoneCreationRules:
    """Conditions for creating a cluster zone, 2021 targets and the 2025 new-zone rule.

    Creation: ``new_project_investment_wan_per_mu_min``; ``tax_wan_per_mu_min`` OR
    (``alt_revenue_yuan_per_m2_min`` and ``alt_tax_yuan_per_m2_min``);
    ``leading_industry_share_min``.
    """

    new_project_investment_wan_per_mu_min: float | None = _p("number")
    tax_wan_per_mu_min: float | None = _p("number")
    alt_revenue_yuan_per_m2_min: float | None = _p("number")
    alt_tax_yuan_per_m2_min: float | None = _p("number")
    leading_industry_share_min: float | None = _p("share")
    leading_industry_share_target: float | None = _p("share")
    revenue_growth_share_target: float | None = _p("share")
    new_zone_area_km2_min: float | None = _p("number")
    new_zone_above_scale_firms_min: int | None = _p("int")
    new_zone_output_yi_min: float | None = _p("number")


@dataclass(frozen=True)
class TierRules:
    """Zone tiers by main-business revenue (:class:`Tier` rows, ascending) and the target year."""

    levels: tuple[Tier, ...] | None = _p("rows", row=Tier)
    target_year: int | None = _p("int")


@dataclass(frozen=True)
class AssessmentRules:
    """Annual zone assessment.

    ``indicators``: key → name; ``stock_weights`` / ``increment_weights``: relative weights
    within each part; ``stock_share`` + ``increment_share`` = 1; ``benchmark_method``;
    ``reward_wan_max`` (万元).
    """

    indicators: Mapping[str, str] | None = _p("str_map")
    stock_weights: Mapping[str, float] | None = _p("number_map")
    increment_weights: Mapping[str, float] | None = _p("number_map")
    stock_share: float | None = _p("share")
    increment_share: float | None = _p("share")
    benchmark_method: str | None = _p("str", choices=("best", "mean", "median"))
    reward_wan_max: float | None = _p("number")


@dataclass(frozen=True)
class FieldRules:
    """The plan's fields (:class:`PlanField` rows) and whether other fields may apply."""

    plan_fields: tuple[PlanField, ...] | None = _p("rows", row=PlanField)
    open_to_other_fields: bool | None = _p("bool")


@dataclass(frozen=True)
class LandPriceRules:
    """Benchmark land price: industrial grades (:class:`LandPriceGrade`) and edition year."""

    edition_year: int | None = _p("int")
    industrial_grades: tuple[LandPriceGrade, ...] | None = _p("rows", row=LandPriceGrade)


_SECTIONS: dict[str, type] = {
    "control": ControlRules,
    "far": FarRules,
    "idle": IdleRules,
    "inefficient": InefficientRules,
    "mujun": MujunRules,
    "standard_land": StandardLandRules,
    "tenure": TenureRules,
    "multistorey": MultistoreyRules,
    "supporting_housing": SupportingHousingRules,
    "zone_creation": ZoneCreationRules,
    "tiers": TierRules,
    "assessment": AssessmentRules,
    "fields": FieldRules,
    "land_price": LandPriceRules,
}


def _meta(section: str, key: str) -> Mapping[str, Any]:
    for f in dataclasses.fields(_SECTIONS[section]):
        if f.name == key:
            return f.metadata
    raise KeyError(key)  # pragma: no cover - callers check the key first


def _all_keys() -> list[str]:
    return [f"{s}.{f.name}" for s, cls in _SECTIONS.items() for f in dataclasses.fields(cls)]


def _check_key(key: str, *, where: str) -> tuple[str, str]:
    """Split ``"section.name"`` and check both parts, naming the valid ones otherwise."""
    section, _, name = key.partition(".")
    if section not in _SECTIONS:
        msg = (
            f"{where}: unknown policy section `{section}` in key `{key}`; "
            f"sections: {', '.join(_SECTIONS)}"
        )
        raise PolicyError(msg)
    valid = [f.name for f in dataclasses.fields(_SECTIONS[section])]
    if name not in valid:
        msg = f"{where}: unknown key `{key}` in section `{section}`; valid keys: {', '.join(valid)}"
        raise PolicyError(msg)
    return section, name


# --- value conversion ------------------------------------------------------------------------


def _type_name(raw: Any) -> str:
    return f"{type(raw).__name__} {raw!r}"


def _at(where: tuple[str, str]) -> str:
    """Format a location (origin, dotted path) for a message."""
    return f"{where[0]}: `{where[1]}`"


def _sub(where: tuple[str, str], suffix: str) -> tuple[str, str]:
    return where[0], where[1] + suffix


def _number(raw: Any, where: tuple[str, str]) -> float:
    if isinstance(raw, bool) or not isinstance(raw, numbers.Real):
        msg = f"{_at(where)} must be a number, got {_type_name(raw)}; write it without quotes"
        raise PolicyError(msg)
    if not math.isfinite(float(raw)) or raw < 0:
        msg = f"{_at(where)} must be a finite number ≥ 0, got {raw!r}"
        raise PolicyError(msg)
    return float(raw)


def _code(raw: Any, where: tuple[str, str]) -> str:
    if not isinstance(raw, str) or not raw.isdigit():
        msg = (
            f'{_at(where)} must be a division code as text of digits ("13"), got {_type_name(raw)}'
        )
        raise PolicyError(msg)
    return raw


def _convert(raw: Any, meta: Mapping[str, Any], where: tuple[str, str]) -> Any:
    """Convert a TOML (or user) value to the attribute's Python type, or raise PolicyError."""
    kind = meta["kind"]
    if kind in ("number", "share"):
        x = _number(raw, where)
        if kind == "share" and x > 1:
            msg = f"{_at(where)} must be a share between 0 and 1 (write 0.30, not 30), got {raw!r}"
            raise PolicyError(msg)
        return x
    if kind == "int":
        if isinstance(raw, numbers.Integral) or (isinstance(raw, float) and raw.is_integer()):
            raw = raw if isinstance(raw, bool) else int(raw)
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            msg = f"{_at(where)} must be a whole number ≥ 0, got {_type_name(raw)}"
            raise PolicyError(msg)
        return raw
    if kind in ("str", "confidence"):
        choices = CONFIDENCE_TAGS if kind == "confidence" else meta["choices"]
        if not isinstance(raw, str) or not raw.strip():
            msg = f"{_at(where)} must be non-empty text, got {_type_name(raw)}"
            raise PolicyError(msg)
        if choices is not None and raw not in choices:
            msg = f"{_at(where)} must be one of {', '.join(choices)}; got {raw!r}"
            raise PolicyError(msg)
        return raw
    if kind == "bool":
        if not isinstance(raw, bool):
            msg = f"{_at(where)} must be true or false, got {_type_name(raw)}"
            raise PolicyError(msg)
        return raw
    if kind == "code":
        return _code(raw, where)
    if kind in ("codes", "numbers", "rows"):
        if isinstance(raw, (str, bytes, Mapping)) or not isinstance(raw, (list, tuple)):
            msg = f"{_at(where)} must be a list, got {_type_name(raw)}"
            raise PolicyError(msg)
        if kind == "codes":
            return tuple(_code(v, _sub(where, f"[{i}]")) for i, v in enumerate(raw))
        if kind == "numbers":
            return tuple(_number(v, _sub(where, f"[{i}]")) for i, v in enumerate(raw))
        return tuple(_row(v, meta["row"], _sub(where, f"[{i}]")) for i, v in enumerate(raw))
    if kind in ("str_map", "number_map"):
        if not isinstance(raw, Mapping):
            msg = f"{_at(where)} must be a table of key = value pairs, got {_type_name(raw)}"
            raise PolicyError(msg)
        item = _TEXT if kind == "str_map" else {"kind": "number"}
        return MappingProxyType(
            {str(k): _convert(v, item, _sub(where, f".{k}")) for k, v in raw.items()}
        )
    raise AssertionError(kind)  # pragma: no cover


def _row(raw: Any, row_type: type, where: tuple[str, str]) -> Any:
    if isinstance(raw, row_type):
        raw = {f.name: getattr(raw, f.name) for f in dataclasses.fields(row_type)}
    if not isinstance(raw, Mapping):
        msg = f"{_at(where)} must be a table (row), got {_type_name(raw)}"
        raise PolicyError(msg)
    columns = {f.name: f for f in dataclasses.fields(row_type)}
    unknown = [k for k in raw if k not in columns]
    if unknown:
        msg = f"{_at(where)}: unknown column(s) {', '.join(unknown)}; columns: {', '.join(columns)}"
        raise PolicyError(msg)
    values = {}
    for name, f in columns.items():
        value = raw.get(name)
        if value is None:
            if f.default is dataclasses.MISSING:
                msg = f"{_at(where)} has no `{name}`; every row needs `{name}`"
                raise PolicyError(msg)
            continue
        values[name] = _convert(value, f.metadata, _sub(where, f".{name}"))
    return row_type(**values)


# --- reading profiles ------------------------------------------------------------------------


def _builtin_dir() -> Traversable:
    return files("landuse").joinpath("policies")


def list_policies() -> list[str]:
    """List the built-in policy profiles.

    Returns
    -------
    list of str
        Profile names, sorted, usable with :func:`load_policy`.

    Examples
    --------
    >>> list_policies()
    ['national-2008', 'qingdao-2019']
    """
    return sorted(
        p.name.removesuffix(".toml")
        for p in _builtin_dir().iterdir()
        if p.name.endswith(".toml") and p.is_file()
    )


def _is_path(name_or_path: str | os.PathLike[str]) -> bool:
    text = os.fspath(name_or_path)
    return (
        isinstance(name_or_path, os.PathLike)
        or text.endswith(".toml")
        or "/" in text
        or os.sep in text
    )


def _parse_toml(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        match = re.search(r"line (\d+)", detail)
        if match:
            lines = text.splitlines()
            lineno = int(match.group(1))
            if 0 < lineno <= len(lines):
                detail += f": `{lines[lineno - 1].strip()}`"
        msg = f"{origin}: TOML syntax error: {detail}"
        raise PolicyError(msg) from exc


def _read_profile(
    name_or_path: str | os.PathLike[str], *, base: Path | None
) -> tuple[str, str, Path | None, dict[str, Any]]:
    """Read one profile; return (name, origin, directory for relative extends, data)."""
    if _is_path(name_or_path):
        path = Path(name_or_path)
        if base is not None and not path.is_absolute():
            path = base / path
        if not path.is_file():
            msg = f"policy file not found: {path}"
            raise PolicyError(msg)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            msg = f"{path}: policy files must be UTF-8 text ({exc})"
            raise PolicyError(msg) from exc
        return path.stem, str(path), path.parent, _parse_toml(text, str(path))
    name = str(name_or_path)
    resource = _builtin_dir().joinpath(f"{name}.toml")
    if not resource.is_file():
        msg = (
            f"unknown policy profile {name!r}; available: {', '.join(list_policies())}, "
            "or pass the path of a .toml file"
        )
        raise PolicyError(msg)
    origin = f"built-in profile {name} ({name}.toml)"
    return name, origin, None, _parse_toml(resource.read_text(encoding="utf-8"), origin)


def _parse_params(data: Mapping[str, Any], *, origin: str, profile: str) -> dict[str, Param]:
    params: dict[str, Param] = {}
    for section, entries in data.items():
        if section in _TOP_LEVEL_KEYS:
            continue
        if section not in _SECTIONS:
            msg = (
                f"{origin}: unknown section or top-level key `{section}`; sections: "
                f"{', '.join(_SECTIONS)}; top-level keys: {', '.join(_TOP_LEVEL_KEYS)}"
            )
            raise PolicyError(msg)
        if not isinstance(entries, Mapping):
            msg = (
                f"{origin}: `{section}` must be a section of parameters, not {_type_name(entries)}"
            )
            raise PolicyError(msg)
        for key, entry in entries.items():
            dotted = f"{section}.{key}"
            _check_key(dotted, where=origin)
            params[dotted] = _parse_entry(dotted, entry, origin=origin, profile=profile)
    return params


def _parse_entry(dotted: str, entry: Any, *, origin: str, profile: str) -> Param:
    if not isinstance(entry, Mapping):
        msg = (
            f"{origin}: `{dotted}` must be a table with value, unit, source and confidence "
            f"(write it as [{dotted}] followed by value = ...), got {_type_name(entry)}"
        )
        raise PolicyError(msg)
    unknown = [k for k in entry if k not in _ENTRY_KEYS]
    if unknown:
        msg = (
            f"{origin}: `{dotted}` has unknown field(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(_ENTRY_KEYS)}"
        )
        raise PolicyError(msg)
    for name in ("source", "confidence"):
        if name not in entry:
            msg = f"{origin}: `{dotted}` has no `{name}`; a parameter needs source and confidence"
            raise PolicyError(msg)
    source = _convert(entry["source"], _TEXT, (origin, f"{dotted}.source"))
    confidence = _convert(entry["confidence"], _CONF, (origin, f"{dotted}.confidence"))
    unit = _convert(entry["unit"], _TEXT, (origin, f"{dotted}.unit")) if "unit" in entry else None
    note = _convert(entry["note"], _TEXT, (origin, f"{dotted}.note")) if "note" in entry else None
    user_input = entry.get("user_input", False)
    if not isinstance(user_input, bool):
        msg = f"{origin}: `{dotted}.user_input` must be true or false, got {_type_name(user_input)}"
        raise PolicyError(msg)
    if "value" in entry:
        section, key = dotted.split(".", 1)
        value = _convert(entry["value"], _meta(section, key), (origin, f"{dotted}.value"))
    elif user_input:
        value = None
    else:
        msg = (
            f"{origin}: `{dotted}` has no `value`; add one, or write user_input = true "
            "if the user must supply it"
        )
        raise PolicyError(msg)
    return Param(value, unit, source, confidence, note, profile)


def _load_chain(
    name_or_path: str | os.PathLike[str],
) -> tuple[list[str], str | None, dict[str, Param]]:
    """Follow ``extends``; return (chain child-first, description, merged params)."""
    layers: list[tuple[str, str, dict[str, Any]]] = []
    seen: set[str] = set()
    target: str | os.PathLike[str] | None = name_or_path
    base: Path | None = None
    while target is not None:
        name, origin, base, data = _read_profile(target, base=base)
        identity = origin if base is None else str(Path(origin).resolve())
        if identity in seen:
            msg = f"{origin}: `extends` loops back to a profile already in the chain"
            raise PolicyError(msg)
        seen.add(identity)
        layers.append((name, origin, data))
        parent = data.get("extends")
        if parent is not None and (not isinstance(parent, str) or not parent):
            msg = f"{origin}: `extends` must be a profile name or a path, got {_type_name(parent)}"
            raise PolicyError(msg)
        target = parent
    params: dict[str, Param] = {}
    description = None
    for name, origin, data in reversed(layers):
        params.update(_parse_params(data, origin=origin, profile=name))
        desc = data.get("description")
        if desc is not None:
            description = _convert(desc, _TEXT, (origin, "description"))
    return [name for name, _, _ in layers], description, params


def load_policy(name_or_path: str | os.PathLike[str] = "qingdao-2019") -> Policy:
    """Load a policy profile: a built-in name or the path of a TOML file.

    Parameters
    ----------
    name_or_path
        A built-in profile (see :func:`list_policies`), or a path to a ``.toml`` file
        written in the same format. A file may ``extends`` a built-in profile or
        another file (relative to itself). Defaults to ``"qingdao-2019"``, the plan's rules
        on top of the national ones.

    Returns
    -------
    Policy
        Frozen; change values with :meth:`Policy.replace`.

    Raises
    ------
    PolicyError
        Unknown profile, missing file, or a malformed file: TOML syntax (with the line), an
        unknown section or key, a parameter without ``value``, ``source`` or ``confidence``,
        an invalid confidence tag, or a value of the wrong type. The message names the file
        and the key.

    Examples
    --------
    >>> policy = load_policy()
    >>> policy.name, policy.chain
    ('qingdao-2019', ('qingdao-2019', 'national-2008'))
    >>> policy.control.building_coefficient_min
    0.3
    >>> policy.zone_creation.tax_wan_per_mu_min
    20.0
    >>> load_policy("beijing")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    landuse.errors.PolicyError: unknown policy profile 'beijing'; available: national-2008, ...
    """
    chain, description, params = _load_chain(name_or_path)
    logger.debug("loaded policy %s (%d parameters)", " <- ".join(chain), len(params))
    return _build_policy(chain[0], tuple(chain), description, params, overrides=())


def _build_policy(
    name: str,
    chain: tuple[str, ...],
    description: str | None,
    params: Mapping[str, Param],
    *,
    overrides: tuple[str, ...],
) -> Policy:
    sections = {}
    for section, cls in _SECTIONS.items():
        kwargs = {}
        for f in dataclasses.fields(cls):
            param = params.get(f"{section}.{f.name}")
            if param is not None:
                kwargs[f.name] = param.value
        sections[section] = cls(**kwargs)
    ordered = {k: params[k] for k in _all_keys() if k in params}
    return Policy(
        name=name,
        chain=chain,
        description=description,
        overrides=overrides,
        _params=MappingProxyType(ordered),
        **sections,
    )


def _short(value: Any, limit: int = 60) -> str:
    text = repr(dict(value) if isinstance(value, MappingProxyType) else value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the Policy ------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Policy:
    """A resolved policy profile: one frozen section per TOML section.

    Read values as attributes (``policy.idle.fee_share``); ask where a value comes from with
    :meth:`provenance`; list everything with :meth:`to_frame`. Obtain one with
    :func:`load_policy`.

    Attributes
    ----------
    name
        Profile name (file stem for user files).
    chain
        The profile and the profiles it extends, child first.
    description
        Free-text description from the profile.
    overrides
        Keys changed with :meth:`replace`, in order.
    control, far, idle, inefficient, mujun, standard_land, tenure, multistorey, \
supporting_housing, zone_creation, tiers, assessment, fields, land_price
        The sections (:class:`ControlRules`, :class:`FarRules`, …).

    Examples
    --------
    >>> policy = load_policy("qingdao-2019")
    >>> policy.idle.fee_share
    0.2
    >>> policy.tenure.industrial_max_years
    50.0
    >>> [t.name for t in policy.tiers.levels]
    ['百亿级', '三百亿级', '五百亿级', '千亿级']
    """

    name: str
    chain: tuple[str, ...]
    description: str | None
    control: ControlRules
    far: FarRules
    idle: IdleRules
    inefficient: InefficientRules
    mujun: MujunRules
    standard_land: StandardLandRules
    tenure: TenureRules
    multistorey: MultistoreyRules
    supporting_housing: SupportingHousingRules
    zone_creation: ZoneCreationRules
    tiers: TierRules
    assessment: AssessmentRules
    fields: FieldRules
    land_price: LandPriceRules
    overrides: tuple[str, ...] = ()
    _params: Mapping[str, Param] = field(default_factory=dict, compare=False)

    def __hash__(self) -> int:
        return hash((self.name, self.chain, self.overrides))

    def __repr__(self) -> str:
        extra = f", overrides={list(self.overrides)}" if self.overrides else ""
        n = len(self._params)
        return f"Policy(name={self.name!r}, chain={self.chain!r}, {n} parameters{extra})"

    @property
    def params(self) -> Mapping[str, Param]:
        """Every parameter set by the profile chain or by overrides, by dotted key.

        Examples
        --------
        >>> load_policy("national-2008").params["control.building_coefficient_min"].value
        0.3
        """
        return self._params

    def provenance(self, key: str) -> Param:
        """Return a parameter with its unit, source, confidence and note.

        Parameters
        ----------
        key
            Dotted key ``"section.name"``, e.g. ``"control.building_coefficient_min"``.

        Returns
        -------
        Param
            For a valid key the profile chain does not set, ``value`` is ``None`` and
            ``confidence`` is ``"user"``.

        Raises
        ------
        PolicyError
            Unknown section or key (the message lists the valid ones).

        Examples
        --------
        >>> p = load_policy().provenance("zone_creation.new_project_investment_wan_per_mu_min")
        >>> p.value, p.confidence, p.profile
        (280.0, 'V', 'qingdao-2019')
        >>> national = load_policy("national-2008")
        >>> national.provenance("zone_creation.tax_wan_per_mu_min").value is None
        True
        """
        _check_key(key, where=f"policy {self.name!r}")
        param = self._params.get(key)
        if param is None:
            source = f"not set by profile(s) {', '.join(self.chain)}"
            note = "supply it with Policy.replace() or in your own TOML profile"
            return Param(None, None, source, "user", note, None)
        return param

    def require(self, key: str) -> Any:
        """Return a parameter's value, raising if the profile leaves it to the user.

        Parameters
        ----------
        key
            Dotted key ``"section.name"``.

        Returns
        -------
        Any
            The value, never ``None``.

        Raises
        ------
        PolicyError
            The key is unknown, or it has no value (e.g. a local value such as
            ``multistorey.subdivision_unit_min_m2``); the message says how to set it.

        Examples
        --------
        >>> policy = load_policy()
        >>> policy.require("idle.fee_share")
        0.2
        >>> policy.replace({"multistorey.subdivision_unit_min_m2": 500}).require(
        ...     "multistorey.subdivision_unit_min_m2")
        500.0
        """
        param = self.provenance(key)
        if param.value is None:
            why = f" ({param.note})" if param.note else ""
            msg = (
                f"policy {self.name!r} has no value for `{key}`{why}. Set it with "
                f"policy.replace({{{key!r}: ...}}) or in your own TOML profile"
            )
            raise PolicyError(msg)
        return param.value

    def to_frame(self, *, include_unset: bool = False) -> pd.DataFrame:
        """List every parameter with its provenance, one row per key.

        Parameters
        ----------
        include_unset
            Also list valid keys the profile chain does not set (value ``None``), to see
            what could be supplied.

        Returns
        -------
        pandas.DataFrame
            Columns ``key, section, value, unit, source, confidence, note, profile``, in
            section order. Table values are tuples of rows or mappings; see :meth:`table`.

        Examples
        --------
        >>> df = load_policy().to_frame()
        >>> list(df.columns)
        ['key', 'section', 'value', 'unit', 'source', 'confidence', 'note', 'profile']
        >>> df.set_index("key").loc["control.building_coefficient_min", "confidence"]
        'V'
        """
        keys = _all_keys() if include_unset else list(self._params)
        rows = []
        for key in keys:
            p = self.provenance(key)
            rows.append(
                {
                    "key": key,
                    "section": key.split(".", 1)[0],
                    "value": p.value,
                    "unit": p.unit,
                    "source": p.source,
                    "confidence": p.confidence,
                    "note": p.note,
                    "profile": p.profile,
                }
            )
        columns = ["key", "section", "value", "unit", "source", "confidence", "note", "profile"]
        df = pd.DataFrame(rows, columns=columns)
        df["value"] = pd.Series([r["value"] for r in rows], index=df.index, dtype=object)
        return df

    def table(self, key: str) -> pd.DataFrame:
        """Return a table-valued parameter as a DataFrame.

        Parameters
        ----------
        key
            Dotted key of a table or mapping, e.g. ``"far.min_far_by_division"`` or
            ``"mujun.weights_above_scale"``.

        Returns
        -------
        pandas.DataFrame
            One row per table row (columns as in the row class), or ``key, value`` columns
            for a mapping.

        Raises
        ------
        PolicyError
            Unknown key, or the parameter is not a table or has no value.

        Examples
        --------
        >>> load_policy().table("mujun.class_cuts")[["grade", "rank_share_max"]].values.tolist()
        [['A', 0.25], ['B', 0.7], ['C', 0.95], ['D', 1.0]]
        """
        value = self.require(key)
        if isinstance(value, Mapping):
            return pd.DataFrame({"key": list(value), "value": list(value.values())})
        if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            return pd.DataFrame([dataclasses.asdict(row) for row in value])
        msg = f"`{key}` is not a table (got {_short(value)}); read it with policy.provenance()"
        raise PolicyError(msg)

    def min_far(
        self, industry_code: str, *, code_version: Literal["2017", "2002"] = "2017"
    ) -> float | None:
        """Return the minimum FAR for an industry, applying the code crosswalk if needed.

        Parameters
        ----------
        industry_code
            GB/T 4754 division code, e.g. ``"36"``. A 3- or 4-digit group/class code
            (``"3670"``) or a section-prefixed code (``"C36"``) is reduced to its division.
        code_version
            Edition of ``industry_code``: ``"2017"`` (default, current statistics) or
            ``"2002"`` (the edition of the 2008 table). A 2017 code goes through
            ``far.crosswalk_2017_to_2002``; where it maps to several 2002 divisions the
            lowest FAR is used (the conservative choice for a minimum).

        Returns
        -------
        float or None
            Minimum FAR, or ``None`` for a division without a value (2017 code 43).

        Raises
        ------
        PolicyError
            Unknown code (the message lists the known codes), invalid ``code_version``, or
            no FAR table in the policy.

        Examples
        --------
        >>> policy = load_policy()
        >>> policy.min_far("36")  # 2017 汽车制造 -> 2002 37 交通运输设备
        0.7
        >>> policy.min_far("29")  # 2017 rubber + plastics: 2002 29 (0.8) and 30 (1.0)
        0.8
        >>> policy.min_far("30", code_version="2002")
        1.0
        >>> policy.min_far("43") is None
        True
        """
        if code_version not in ("2017", "2002"):
            msg = f'`code_version` must be "2017" or "2002", got {code_version!r}'
            raise PolicyError(msg)
        table_rows = self.far.min_far_by_division
        if not table_rows:
            msg = f"policy {self.name!r} has no `far.min_far_by_division` table"
            raise PolicyError(msg)
        table = {row.code: row.min_far for row in table_rows}
        table_version = self.far.code_version or "2002"
        code = _division(industry_code)
        if code_version == table_version:
            if code not in table:
                msg = (
                    f"unknown GB/T 4754-{code_version} division {code!r} (from "
                    f"{industry_code!r}) in `far.min_far_by_division`; known: {', '.join(table)}"
                )
                raise PolicyError(msg)
            return table[code]
        crosswalk = {row.code_2017: row for row in self.far.crosswalk_2017_to_2002 or ()}
        if code_version != "2017" or table_version != "2002" or not crosswalk:
            msg = (
                f"policy {self.name!r} has no crosswalk from GB/T 4754-{code_version} codes to "
                f"its {table_version} FAR table; pass code_version={table_version!r} codes"
            )
            raise PolicyError(msg)
        if code not in crosswalk:
            msg = (
                f"unknown GB/T 4754-2017 division {code!r} (from {industry_code!r}) in "
                f"`far.crosswalk_2017_to_2002`; known: {', '.join(crosswalk)}"
            )
            raise PolicyError(msg)
        values = [v for c in crosswalk[code].codes_2002 if (v := table.get(c)) is not None]
        return min(values) if values else None

    def replace(self, values: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Policy:
        """Return a copy with some values overridden.

        Parameters
        ----------
        values
            Dotted keys to new values, e.g. ``{"idle.fee_share": 0.25}``.
        **kwargs
            Section name to a mapping of key to value, e.g. ``idle={"fee_share": 0.25}``.
            Tables take lists of rows (dicts or row objects) or mappings. ``None`` unsets.

        Returns
        -------
        Policy
            A new policy; the original is unchanged. Overridden parameters get confidence
            ``"user"``, source ``"user override"`` and a note recording the previous value.

        Raises
        ------
        PolicyError
            Unknown section or key (the message lists the valid keys of the section), or a
            value of the wrong type.

        Examples
        --------
        >>> policy = load_policy()
        >>> stricter = policy.replace(
        ...     {"idle.fee_share": 0.25}, control={"building_coefficient_min": 0.4}
        ... )
        >>> stricter.idle.fee_share, policy.idle.fee_share
        (0.25, 0.2)
        >>> stricter.provenance("control.building_coefficient_min").confidence
        'user'
        >>> policy.replace({"idle.fee": 0.25})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        landuse.errors.PolicyError: Policy.replace(): unknown key `idle.fee` ...; valid keys: ...
        """
        where = "Policy.replace()"
        updates: dict[str, Any] = {}
        for key, value in (values or {}).items():
            _check_key(str(key), where=where)
            updates[str(key)] = value
        for section, mapping in kwargs.items():
            if section not in _SECTIONS:
                msg = f"{where}: unknown section `{section}=`; sections: {', '.join(_SECTIONS)}"
                raise PolicyError(msg)
            if not isinstance(mapping, Mapping):
                msg = f"{where}: `{section}=` must map keys to values, got {_type_name(mapping)}"
                raise PolicyError(msg)
            for name, value in mapping.items():
                _check_key(f"{section}.{name}", where=where)
                updates[f"{section}.{name}"] = value
        params = dict(self._params)
        for key, value in updates.items():
            section, name = key.split(".", 1)
            meta = _meta(section, name)
            new = None if value is None else _convert(value, meta, (where, key))
            old = params.get(key)
            note = f"was {_short(old.value)} ({old.confidence}: {old.source})" if old else None
            params[key] = Param(new, old.unit if old else None, "user override", "user", note, None)
        overrides = self.overrides + tuple(k for k in updates if k not in self.overrides)
        return _build_policy(self.name, self.chain, self.description, params, overrides=overrides)


def _division(industry_code: Any) -> str:
    """Reduce a GB/T 4754 code (``"36"``, ``"C36"``, ``"3670"``, ``36``) to its 2-digit division."""
    text = str(industry_code).strip().upper()
    if len(text) > 1 and text[0].isalpha():
        text = text[1:]
    if not text.isdigit() or len(text) > 4 or isinstance(industry_code, bool):
        msg = (
            f"`industry_code` must be a GB/T 4754 division code such as '36' "
            f"(or a 3-4 digit group/class code), got {industry_code!r}"
        )
        raise PolicyError(msg)
    return text.zfill(2)[:2]
