"""Standard-land indicators: definitions, values from a frame, comparison with requirements.

Private: public API in :mod:`landuse.supply`. Indicators ("3+N" plus the national control indicators),
their value columns and requirement columns:

======================== ============================= ===== ========== =========
value column             requirement column            bound stage      group
======================== ============================= ===== ========== =========
investment_wan_per_mu    investment_wan_per_mu_min     ≥     completion 3
far                      far_min                       ≥     completion 3
tax_wan_per_mu           tax_wan_per_mu_min            ≥     production 3
building_coefficient     building_coefficient_min      ≥     completion control
admin_living_land_share  admin_living_land_share_max   ≤     completion control
green_space_share        green_space_share_max         ≤     completion control
energy_tce_per_wan       energy_tce_per_wan_max        ≤     production N
emissions_t_per_wan      emissions_t_per_wan_max       ≤     production N
rd_share                 rd_share_min                  ≥     production N
======================== ============================= ===== ========== =========
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse._checks import Lang
from landuse.policy import Policy
from landuse.supply._common import RTOL, as_array, check_non_negative, fmt, mu

__all__ = ["INDICATORS"]

Role = Literal["project", "commitment", "actual"]
Stage = Literal["completion", "production"]


@dataclass(frozen=True)
class Indicator:
    """One standard-land indicator: its columns, bound, stage, group and names."""

    key: str
    requirement: str
    bound: Literal["min", "max"]
    stage: Stage
    group: Literal["3", "N", "control"]
    policy_key: str | None
    label_key: str | None
    zh: str
    en: str
    unit_zh: str
    unit_en: str
    numerator: Mapping[str, tuple[str, ...]]
    denominator: Literal["land_mu", "land_m2", "value_added", "revenue"]


def _same(*cols: str) -> Mapping[str, tuple[str, ...]]:
    return {"project": cols, "commitment": cols, "actual": cols}


#: The indicators, in the order tables show them.
INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "investment_wan_per_mu",
        "investment_wan_per_mu_min",
        "min",
        "completion",
        "3",
        "standard_land.investment_wan_per_mu_min",
        "investment_intensity",
        "投资强度",
        "investment intensity",
        "万元/亩",
        "10k yuan/mu",
        {
            "project": ("investment_wan", "agreed_investment_wan"),
            "commitment": ("agreed_investment_wan", "investment_wan"),
            "actual": ("invested_wan", "investment_wan"),
        },
        "land_mu",
    ),
    Indicator(
        "far",
        "far_min",
        "min",
        "completion",
        "3",
        None,
        "far",
        "容积率",
        "floor area ratio",
        "",
        "",
        _same("floor_area_m2"),
        "land_m2",
    ),
    Indicator(
        "tax_wan_per_mu",
        "tax_wan_per_mu_min",
        "min",
        "production",
        "3",
        "standard_land.tax_wan_per_mu_min",
        "tax_per_mu",
        "亩均税收",
        "tax per mu",
        "万元/亩·年",
        "10k yuan/mu/yr",
        {
            "project": ("expected_tax_wan", "agreed_tax_wan", "tax_wan"),
            "commitment": ("agreed_tax_wan", "expected_tax_wan", "tax_wan"),
            "actual": ("tax_wan",),
        },
        "land_mu",
    ),
    Indicator(
        "building_coefficient",
        "building_coefficient_min",
        "min",
        "completion",
        "control",
        "control.building_coefficient_min",
        None,
        "建筑系数",
        "building coefficient",
        "",
        "",
        _same("footprint_m2"),
        "land_m2",
    ),
    Indicator(
        "admin_living_land_share",
        "admin_living_land_share_max",
        "max",
        "completion",
        "control",
        "control.admin_living_land_share_max",
        None,
        "行政办公及生活服务设施用地所占比重",
        "admin and living facilities land share",
        "",
        "",
        _same("admin_living_land_m2"),
        "land_m2",
    ),
    Indicator(
        "green_space_share",
        "green_space_share_max",
        "max",
        "completion",
        "control",
        "control.green_space_share_max",
        None,
        "绿地率",
        "green space ratio",
        "",
        "",
        _same("green_area_m2"),
        "land_m2",
    ),
    Indicator(
        "energy_tce_per_wan",
        "energy_tce_per_wan_max",
        "max",
        "production",
        "N",
        "standard_land.energy_tce_per_wan_max",
        "energy_per_unit",
        "单位增加值能耗",
        "energy per value added",
        "tce/万元",
        "tce per 10k yuan",
        _same("energy_tce"),
        "value_added",
    ),
    Indicator(
        "emissions_t_per_wan",
        "emissions_t_per_wan_max",
        "max",
        "production",
        "N",
        "standard_land.emissions_t_per_wan_max",
        "emission_per_unit",
        "单位增加值排放",
        "emissions per value added",
        "t/万元",
        "t per 10k yuan",
        _same("emissions_t"),
        "value_added",
    ),
    Indicator(
        "rd_share",
        "rd_share_min",
        "min",
        "production",
        "N",
        "standard_land.rd_share_min",
        "rd_input",
        "研发经费投入强度",
        "R&D intensity",
        "",
        "",
        _same("rd_spend_wan"),
        "revenue",
    ),
)
BY_KEY = {ind.key: ind for ind in INDICATORS}
REQUIREMENTS = {ind.requirement: ind for ind in INDICATORS}
_DENOMINATORS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "value_added": _same("value_added_wan"),
    "revenue": {
        "project": ("expected_revenue_wan", "revenue_wan"),
        "commitment": ("expected_revenue_wan", "revenue_wan"),
        "actual": ("revenue_wan",),
    },
}


def label(ind: Indicator, policy: Policy | None, lang: Lang) -> str:
    """Return the indicator name: the policy's Chinese name where it has one, else built-in."""
    if lang == "en":
        return ind.en
    if policy is not None and ind.label_key is not None:
        for names in (
            policy.standard_land.control_indicators,
            policy.standard_land.optional_indicators,
        ):
            if names and ind.label_key in names:
                return names[ind.label_key]
    return ind.zh


def unit_label(ind: Indicator, lang: Lang) -> str:
    """Return the indicator's unit in ``lang`` ("" for a ratio)."""
    return ind.unit_en if lang == "en" else ind.unit_zh


# --- indicator values ------------------------------------------------------------------------


def _pick(frame: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    for col in candidates:
        if col in frame.columns:
            return col
    return None


def _missing(candidates: tuple[str, ...], lang: Lang) -> str:
    if lang == "en":
        return "missing column " + " or ".join(f"`{c}`" for c in candidates)
    return "缺少字段 " + " 或 ".join(f"`{c}`" for c in candidates)


def indicator_values(
    frame: pd.DataFrame,
    land_m2: np.ndarray | None,
    *,
    role: Role,
    keys: Sequence[str],
    land_how: str,
    name: str,
    caller: str,
    lang: Lang = "zh",
) -> dict[str, tuple[np.ndarray | None, str]]:
    """Per indicator: (values or None, why not available). Direct columns win over derivation."""
    used: list[str] = []
    plan: dict[str, tuple[str, str | None, str | None]] = {}
    out: dict[str, tuple[np.ndarray | None, str]] = {}
    for key in keys:
        ind = BY_KEY[key]
        if key in frame.columns:
            plan[key] = ("direct", key, None)
            used.append(key)
            continue
        num = _pick(frame, ind.numerator[role])
        if num is None:
            out[key] = (None, _missing(ind.numerator[role], lang))
            continue
        if ind.denominator in ("land_mu", "land_m2"):
            if land_m2 is None:
                out[key] = (
                    None,
                    land_how if lang == "en" else "缺少用地面积（land_area_m2 或几何图形）",
                )
                continue
            plan[key] = ("derived", num, None)
        else:
            cands = _DENOMINATORS[ind.denominator][role]
            den = _pick(frame, cands)
            if den is None:
                out[key] = (None, _missing(cands, lang))
                continue
            plan[key] = ("derived", num, den)
            used.append(den)
        used.append(num)
    check_non_negative(frame, sorted(set(used)), name=name, caller=caller)
    for key, (how, num, den) in plan.items():
        ind = BY_KEY[key]
        if how == "direct":
            out[key] = (as_array(frame[key], name=f"{name}.{key}", caller=caller), "")
            continue
        top = as_array(frame[num], name=f"{name}.{num}", caller=caller)
        if ind.denominator == "land_mu":
            assert land_m2 is not None
            bottom = mu(land_m2)
        elif ind.denominator == "land_m2":
            assert land_m2 is not None
            bottom = land_m2
        else:
            bottom = as_array(frame[den], name=f"{name}.{den}", caller=caller)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)
        out[key] = (values, "")
    return out


def compare(
    value: np.ndarray, required: np.ndarray, bound: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (evaluated, met, shortfall): met within a relative tolerance; shortfall ≥ 0."""
    evaluated = ~np.isnan(value) & ~np.isnan(required)
    tol = RTOL * np.maximum(np.abs(np.nan_to_num(required)), 1.0)
    with np.errstate(invalid="ignore"):
        if bound == "min":
            gap = required - value
        else:
            gap = value - required
        met = evaluated & (gap <= tol)
    shortfall = np.where(evaluated, np.where(met, 0.0, gap), np.nan)
    return evaluated, met, shortfall


def boolean(evaluated: np.ndarray, met: np.ndarray) -> pd.arrays.BooleanArray:
    """Nullable boolean: NA where not evaluated."""
    return pd.arrays.BooleanArray(np.asarray(met, dtype=bool), ~np.asarray(evaluated, dtype=bool))


def join_text(parts: list[np.ndarray], n: int) -> np.ndarray:
    """Join per-row text fragments with '; ', skipping empty ones."""
    out = np.full(n, "", dtype=object)
    for part in parts:
        has = part != ""
        if not has.any():
            continue
        both = has & (out != "")
        out = np.where(both, out + "; " + part, np.where(has, part, out))
    return out


def _fragment(mask: np.ndarray, build: Any) -> np.ndarray:
    """Text per row where ``mask`` (built only for those rows), '' elsewhere."""
    out = np.full(len(mask), "", dtype=object)
    rows = np.flatnonzero(mask)
    if len(rows):
        out[rows] = [build(i) for i in rows]
    return out


_TEXT = {
    "zh": {
        "short": "{name} {value} {op} {req}（差 {short}{unit}）",
        "missing": "{name}（{why}）",
        "no_req": "未设定要求",
        "no_value": "数值缺失",
        "not_evaluated": "未评价: ",
        "failed": "未达标: ",
        "met": "达标",
        "no_commitment": "无承诺值",
    },
    "en": {
        "short": "{name} {value} {op} {req} (short {short}{unit})",
        "missing": "{name} ({why})",
        "no_req": "no requirement set",
        "no_value": "value missing",
        "not_evaluated": "not evaluated: ",
        "failed": "failed: ",
        "met": "met",
        "no_commitment": "no committed value",
    },
}
_OPPOSITE = {"min": "<", "max": ">"}


def result_frame(frame: pd.DataFrame, data: dict[str, Any]) -> pd.DataFrame:
    """Results on the input index; id column first; geometry and CRS kept for a GeoDataFrame."""
    out = pd.DataFrame(index=frame.index)
    for col in ("parcel_id", "proposal_id", "project_id"):
        if col in frame.columns:
            out[col] = frame[col].to_numpy()
            break
    for col, values in data.items():
        out[col] = values
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        return gpd.GeoDataFrame(out, geometry=frame.geometry.copy(), crs=frame.crs)
    return out


def evaluate_indicators(
    values: dict[str, tuple[np.ndarray | None, str]],
    reqs: dict[str, np.ndarray],
    keys: Sequence[str],
    *,
    n: int,
    policy: Policy,
    lang: Lang,
    required_label: str = "required",
    no_requirement: Mapping[str, np.ndarray] | None = None,
) -> tuple[dict[str, Any], np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Compare indicator values with requirements.

    Returns (columns, any_failed, any_not_evaluated, failed fragments, not-evaluated fragments).
    ``required_label``: suffix style of the requirement column (``required`` → requirement
    column name, ``committed`` → ``<key>_committed``). ``no_requirement``: per key, a per-row
    reason (empty = the generic one) why the requirement is missing.
    """
    text = _TEXT[lang]
    cols: dict[str, Any] = {}
    any_failed = np.zeros(n, dtype=bool)
    any_missing = np.zeros(n, dtype=bool)
    failed_parts: list[np.ndarray] = []
    missing_parts: list[np.ndarray] = []
    for key in keys:
        ind = BY_KEY[key]
        name = label(ind, policy, lang)
        unit = unit_label(ind, lang)
        unit = f" {unit}" if unit else ""
        value, why = values[key]
        required = reqs[key]
        if value is None:
            arr = np.full(n, np.nan)
            evaluated = np.zeros(n, dtype=bool)
            met = evaluated
            shortfall = arr
            reason = np.full(n, text["missing"].format(name=name, why=why), dtype=object)
        else:
            arr = value
            evaluated, met, shortfall = compare(value, required, ind.bound)
            no_req = np.isnan(required)
            no_val = np.isnan(value)
            why_text = text["no_commitment"] if required_label == "committed" else text["no_req"]
            generic = text["missing"].format(name=name, why=why_text)
            specific = (no_requirement or {}).get(key)
            if specific is not None:
                no_req_text = np.where(
                    specific != "",
                    np.char.add(
                        np.char.add(
                            f"{name}（" if lang == "zh" else f"{name} (", specific.astype(str)
                        ),
                        "）" if lang == "zh" else ")",
                    ),
                    generic,
                )
            else:
                no_req_text = np.full(n, generic, dtype=object)
            reason = np.where(
                no_req,
                no_req_text,
                np.where(no_val, text["missing"].format(name=name, why=text["no_value"]), ""),
            ).astype(object)
        if required_label == "committed":
            cols[f"{key}_committed"] = required
            cols[f"{key}_actual"] = arr
        else:
            cols[key] = arr
            cols[ind.requirement] = required
        cols[f"{key}_met"] = boolean(evaluated, met)
        cols[f"{key}_shortfall"] = shortfall
        failed = evaluated & ~met
        any_failed |= failed
        any_missing |= ~evaluated
        op = _OPPOSITE[ind.bound]
        failed_parts.append(
            _fragment(
                failed,
                lambda i, arr=arr, required=required, shortfall=shortfall, name=name, unit=unit, op=op: (
                    text["short"].format(
                        name=name,
                        value=fmt(arr[i]),
                        op=op,
                        req=fmt(required[i]),
                        short=fmt(shortfall[i]),
                        unit=unit,
                    )
                ),
            )
        )
        missing_parts.append(np.where(~evaluated, reason, "").astype(object))
    return cols, any_failed, any_missing, failed_parts, missing_parts


def keys_failed(cols: dict[str, Any], keys: Sequence[str], n: int) -> np.ndarray:
    """Per row, the keys of the indicators that failed, ``"; "``-joined."""
    parts = []
    for key in keys:
        met = cols[f"{key}_met"]
        failed = np.asarray(met.fillna(True), dtype=bool)
        parts.append(np.where(~failed, key, "").astype(object))
    return join_text(parts, n)


def verdict(any_failed: np.ndarray, any_missing: np.ndarray) -> pd.arrays.BooleanArray:
    """False where an indicator failed; NA where none failed but one was not evaluated."""
    return pd.arrays.BooleanArray(~any_failed, ~any_failed & any_missing)


def join_reasons(
    failed_parts: list[np.ndarray], missing_parts: list[np.ndarray], n: int, lang: Lang
) -> np.ndarray:
    """The ``reasons`` text per row: failures, then what was not evaluated, else "met"."""
    text = _TEXT[lang]
    failed = join_text(failed_parts, n)
    missing = join_text(missing_parts, n)
    failed_txt = np.where(failed != "", text["failed"] + failed, "")
    missing_txt = np.where(missing != "", text["not_evaluated"] + missing, "")
    both = join_text([failed_txt.astype(object), missing_txt.astype(object)], n)
    return np.where(both == "", text["met"], both).astype(object)


def select_keys(indicators: Sequence[str] | None, default: list[str], *, caller: str) -> list[str]:
    """The indicator keys asked for (``default`` for None); unknown keys raise ValueError."""
    if indicators is None:
        return default
    if isinstance(indicators, str):
        indicators = [indicators]
    unknown = [k for k in indicators if k not in BY_KEY]
    if unknown:
        msg = (
            f"{caller}: unknown indicator(s) {', '.join(map(repr, unknown))} in `indicators`; "
            f"valid: {', '.join(BY_KEY)}."
        )
        raise ValueError(msg)
    return list(dict.fromkeys(indicators))
