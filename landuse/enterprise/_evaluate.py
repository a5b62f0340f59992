"""亩均 / 亩产效益 evaluation of enterprises: scope, evaluation units, grades, history, surcharge.

The enterprise (the legal person, keyed by its credit code) is the unit the bureaus grade. Its
land comes from :func:`landuse.enterprise.enterprise_land` (owned parcels, rented land by the
profile's ``mujun.rented_land_rule``); its data from an enterprise-year table
(:func:`landuse.enterprise.read_enterprises`). Scoring reuses
:func:`landuse.efficiency.grade_enterprises` on one row per evaluation unit (the firm, or the
firms of one parcel under ``combine_and_share``), so the two give the same points for the same
figures.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse._checks import Lang, PolicyLike, check_lang, records_policy, resolve_policy
from landuse.efficiency import grade_enterprises
from landuse.enterprise._land import LAND_COLUMNS, enterprise_land
from landuse.errors import SchemaError, format_ids
from landuse.policy import Policy
from landuse.report import check_output_path, write_tables
from landuse.units import M2_PER_MU

__all__ = ["enterprise_history", "evaluate_enterprises", "write_enterprises"]

#: Enterprise figures summed over the members of an evaluation unit.
DATA = (
    "tax_wan",
    "revenue_wan",
    "value_added_wan",
    "energy_tce",
    "emissions_t",
    "rd_spend_wan",
    "employees",
    "electricity_kwh",
)
#: Columns of :func:`enterprise_land` carried into the result.
LAND = LAND_COLUMNS[: LAND_COLUMNS.index("zone_ids") + 1]
#: Columns the grading gives each unit (then each member firm).
GRADED = ("variant", "score", "rank", "rank_share", "grade", "grade_label", "not_graded_reason")
#: Columns the history adds to the yearly results.
HISTORY = (
    "previous_grade",
    "grade_change",
    "years_in_grade",
    "years_in_d",
    "surcharge_yuan_per_kwh",
    "surcharge_wan",
    "surcharge_reason",
)
_RULE = "mujun.rented_land_rule"
_GROUP = "_evaluation_group"


def _t(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _unset(lang: Lang, key: str, what_zh: str, what_en: str) -> str:
    return _t(
        lang, f"未评价：请设置 `{key}`（{what_zh}）", f"not evaluated: set `{key}` ({what_en})"
    )


# --- inputs ------------------------------------------------------------------------------------


def _year_rows(enterprises: Any, year: Any, *, caller: str) -> pd.DataFrame:
    """Return the enterprise rows of ``year``, indexed by credit code (one row each)."""
    if not isinstance(enterprises, pd.DataFrame):
        msg = (
            f"`enterprises` passed to {caller}() must be a DataFrame (e.g. from "
            f"landuse.enterprise.read_enterprises); received {type(enterprises).__name__}."
        )
        raise TypeError(msg)
    if isinstance(year, bool) or not isinstance(year, numbers.Integral):
        msg = f"`year` passed to {caller}() must be a whole year such as 2023; received {year!r}."
        raise TypeError(msg)
    missing = [c for c in ("credit_code", "year") if c not in enterprises.columns]
    if missing:
        msg = (
            f"`enterprises` passed to {caller}() lacks column(s) {', '.join(missing)}; read the "
            "table with landuse.enterprise.read_enterprises."
        )
        raise SchemaError(msg)
    rows = enterprises[pd.to_numeric(enterprises["year"], errors="coerce") == int(year)]
    twice = rows["credit_code"].duplicated(keep=False)
    if twice.any():
        msg = (
            f"{caller}(): {int(twice.sum())} rows of year {year} share a credit code "
            f"({format_ids(rows.loc[twice, 'credit_code'].unique())}); one row per enterprise "
            "and year is needed."
        )
        raise SchemaError(msg)
    return rows.set_index("credit_code")


def _merge(firms: pd.DataFrame, land: pd.DataFrame) -> pd.DataFrame:
    """Firms with data and firms with land, one row each, indexed by credit code."""
    cols = [c for c in LAND if c in land.columns]
    table = firms.assign(_has_data=True).join(land[cols], how="outer")
    table.index.name = "credit_code"
    table["_has_data"] = table["_has_data"].notna().to_numpy()
    if "unit_id" not in table.columns:
        table["unit_id"] = None
    unit = table["unit_id"].astype(object)
    table["unit_id"] = unit.where(unit.notna(), pd.Series(table.index, index=table.index))
    if "land_area_mu" not in table.columns or table["land_area_mu"].isna().all():
        table["land_area_mu"] = (
            pd.to_numeric(table.get("land_area_m2"), errors="coerce") / M2_PER_MU
        )
    return table


# --- scope -------------------------------------------------------------------------------------


def _division(codes: pd.Series) -> np.ndarray:
    """Industry codes as digits (section letter dropped), '' where missing."""
    text = codes.astype(object).where(codes.notna(), "").astype(str).str.strip().str.upper()
    return text.str.replace(r"^[A-Z]", "", regex=True).to_numpy(dtype=object)


def _scope(
    table: pd.DataFrame, policy: Policy, lang: Lang, not_evaluated: dict[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each firm is evaluated and why (the first rule that decides, in order)."""
    n = len(table)
    inside = np.zeros(n, dtype=bool)
    why = np.full(n, None, dtype=object)
    open_ = np.ones(n, dtype=bool)

    def decide(mask: np.ndarray, value: bool, text: Any) -> None:
        hit = open_ & mask
        inside[hit] = value
        why[hit] = text[hit] if isinstance(text, np.ndarray) else text
        open_[hit] = False

    rules = policy.mujun
    decide(
        ~table["_has_data"].to_numpy(), False, _t(lang, "无该年度企业数据", "no enterprise data")
    )
    exempt = rules.exempt_divisions_2017
    if exempt is None:
        not_evaluated["exempt_divisions"] = _unset(
            lang, "mujun.exempt_divisions_2017", "行业豁免", "exempt industries"
        )
    elif "industry_code" in table.columns:
        code = pd.Series(_division(table["industry_code"]), dtype="str")
        hit = np.full(n, "", dtype=object)
        for e in reversed(list(exempt)):  # the first prefix that matches wins
            hit[code.str.startswith(str(e)).to_numpy(dtype=bool, na_value=False)] = e
        text = _t(lang, "豁免行业：行业代码属 ", "exempt industry: code in division ") + hit.astype(
            str
        )
        decide(hit != "", False, text + " (`mujun.exempt_divisions_2017`)")
    if "military" in table.columns:
        flag = table["military"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        if rules.exempt_military is None:
            if flag.any():
                not_evaluated["exempt_military"] = _unset(
                    lang, "mujun.exempt_military", "军工企业豁免", "military firms"
                )
        elif rules.exempt_military:
            decide(
                flag,
                False,
                _t(lang, "豁免：军工企业", "exempt: military firm") + " (`mujun.exempt_military`)",
            )
    tenant = (
        table.get("category", pd.Series(None, index=table.index)).to_numpy(dtype=object) == "tenant"
    )
    if rules.rented_land_rule is None and (tenant & open_).any():
        text = _unset(lang, _RULE, "承租企业不评价", "tenants are not evaluated")
        not_evaluated["rented_land_rule"] = text
        decide(tenant, False, text)
    _scale_scope(table, policy, lang, not_evaluated, decide)
    return inside, why


def _scale_scope(
    table: pd.DataFrame, policy: Policy, lang: Lang, not_evaluated: dict[str, str], decide: Any
) -> None:
    """规上 firms always; 规下 firms from ``mujun.below_scale_land_mu_min`` 亩 (≥)."""
    flag = (
        table["above_scale"]
        if "above_scale" in table.columns
        else pd.Series(pd.NA, index=table.index)
    )
    flag = flag.astype("boolean").to_numpy(dtype=object, na_value=None)
    decide(
        pd.isna(flag),
        False,
        _t(lang, "规上/规下未知 (`above_scale`)", "above/below scale unknown (`above_scale`)"),
    )
    decide(flag == True, True, _t(lang, "规上企业", "above designated size"))  # noqa: E712
    below = flag == False  # noqa: E712
    if not below.any():
        return
    rules = policy.mujun
    if rules.below_scale_included is None:
        text = _unset(
            lang,
            "mujun.below_scale_included",
            "规下企业是否评价",
            "whether 规下 firms are evaluated",
        )
        not_evaluated["below_scale_included"] = text
        decide(below, False, text)
        return
    if not rules.below_scale_included:
        decide(
            below,
            False,
            _t(lang, "规下企业不纳入评价", "below designated size: not evaluated")
            + " (`mujun.below_scale_included`)",
        )
        return
    minimum = rules.below_scale_land_mu_min
    if minimum is None:
        text = _unset(
            lang,
            "mujun.below_scale_land_mu_min",
            "规下企业用地门槛",
            "land threshold of 规下 firms",
        )
        not_evaluated["below_scale_land_mu_min"] = text
        decide(below, False, text)
        return
    mu = pd.to_numeric(table["land_area_mu"], errors="coerce").to_numpy(dtype=float)
    decide(
        below & np.isnan(mu),
        False,
        _t(lang, "规下企业，用地面积未知", "below designated size, land unknown"),
    )
    # two decimals, more where rounding would hide that the land is under the threshold
    shown = np.full(len(mu), "", dtype=object)
    shown[below] = [
        f"{m:,.2f}" if m >= minimum or round(m, 2) < minimum else f"{m:,.4f}"
        for m in mu[below].tolist()
    ]
    limit = f"{minimum:g}"
    over = below & (mu >= minimum - 1e-9)
    decide(
        over,
        True,
        _t(lang, "规下企业，用地 ", "below designated size, land ") + shown + f" 亩 ≥ {limit} 亩",
    )
    decide(
        below,
        False,
        _t(lang, "规下企业，用地 ", "below designated size, land ") + shown + f" 亩 < {limit} 亩",
    )


def _provisional(
    table: pd.DataFrame, year: int, policy: Policy, lang: Lang, not_evaluated: dict[str, str]
) -> tuple[pd.Series, pd.Series]:
    """Return who is graded provisionally, and why.

    Fewer than ``mujun.provisional_years`` years since registration or contracted completion
    (the later), counted to 31 December of ``year``.
    """
    index = table.index
    flag = pd.Series(pd.NA, index=index, dtype="boolean")
    why = pd.Series(None, index=index, dtype=object)
    dates = [
        pd.to_datetime(table[c], errors="coerce")
        for c in ("registered_on", "agreed_completion_date")
        if c in table.columns
    ]
    if not dates:
        return flag, why
    years = policy.mujun.provisional_years
    if years is None:
        not_evaluated["provisional_years"] = _unset(
            lang, "mujun.provisional_years", "暂评年限", "provisional years"
        )
        return flag, why
    start = pd.concat(dates, axis=1).max(axis=1)
    until = start + pd.DateOffset(months=round(years * 12))
    known = start.notna()
    short = known & (until > pd.Timestamp(year=int(year), month=12, day=31))
    flag[known] = short[known]
    label = _t(
        lang,
        f"暂评：成立或约定竣工不满 {years:g} 年（",
        f"provisional: under {years:g} years since registration or completion (",
    )
    why[short] = label + start[short].dt.strftime("%Y-%m-%d") + _t(lang, "）", ")")
    return flag, why


# --- evaluation units and grading ---------------------------------------------------------------


def _groups(
    table: pd.DataFrame, rule: str | None, by: str | None, *, caller: str
) -> pd.Series | None:
    """Return each firm's ranking group: ``by`` values, tenants apart (``tenant_category``)."""
    if by is not None and by not in table.columns:
        msg = (
            f"`by` passed to {caller}() names column {by!r}, which neither the enterprises nor "
            f"their land have; columns: {', '.join(map(str, table.columns))}."
        )
        raise SchemaError(msg)
    parts = []
    if by is not None:
        parts.append(table[by].astype(object).where(table[by].notna(), "—").astype(str))
    if rule == "tenant_category" and "category" in table.columns:
        tenant = table["category"].to_numpy(dtype=object) == "tenant"
        parts.append(pd.Series(np.where(tenant, "承租企业", "自有用地企业"), index=table.index))
    if not parts:
        return None
    group = parts[0]
    for part in parts[1:]:
        group = group + "/" + part
    return group


def _units(members: pd.DataFrame, group: pd.Series | None) -> pd.DataFrame:
    """One row per evaluation unit: figures summed, land and 规上 of the unit."""
    data = [c for c in DATA if c in members.columns]
    frame = members[data].apply(pd.to_numeric, errors="coerce")
    frame["unit_id"] = members["unit_id"].to_numpy()
    by_unit = frame.groupby("unit_id", sort=False)
    units = by_unit[data].sum(min_count=1) if data else pd.DataFrame(index=by_unit.size().index)
    first = members.groupby("unit_id", sort=False)
    units["land_area_m2"] = (
        pd.to_numeric(first["land_area_m2"].first(), errors="coerce")
        if "land_area_m2" in members.columns
        else np.nan
    )
    above = members["above_scale"].astype("boolean").fillna(False).astype(bool)
    units["above_scale"] = above.groupby(members["unit_id"], sort=False).any()
    if "production_status" in members.columns:
        units["production_status"] = first["production_status"].first()
    if group is not None:
        units[_GROUP] = group.groupby(members["unit_id"].to_numpy(), sort=False).first()
    units.index.name = "unit_id"
    return units


def _grade_units(
    units: pd.DataFrame,
    policy: Policy,
    benchmarks: Mapping[str, float] | None,
    lang: Lang,
    not_evaluated: dict[str, Any],
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Grade the units with :func:`landuse.efficiency.grade_enterprises`.

    Units whose weights the profile leaves unset are not graded and name the key.
    """
    variant = np.where(units["above_scale"].to_numpy(dtype=bool), "above_scale", "below_scale")
    gradable = np.ones(len(units), dtype=bool)
    reason = pd.Series(None, index=units.index, dtype=object)
    for v in ("above_scale", "below_scale"):
        rows = variant == v
        if rows.any() and not getattr(policy.mujun, f"weights_{v}"):
            key = f"mujun.weights_{v}"
            text = _unset(lang, key, "评价指标权重", "indicator weights")
            not_evaluated[f"weights_{v}"] = text
            reason[rows] = _t(lang, "不定等级：", "not graded: ") + text
            gradable &= ~rows
    info: dict[str, Any] = {}
    graded = pd.DataFrame(index=units.index)
    if gradable.any():
        by = _GROUP if _GROUP in units.columns else None
        result = grade_enterprises(
            units[gradable], policy=policy, benchmarks=benchmarks, by=by, land_uses=None
        )
        graded = result.reindex(units.index)
        info = {
            k: result.attrs.get(k) for k in ("benchmarks", "weights", "method", "not_evaluated")
        }
        if result.attrs.get("not_evaluated"):
            not_evaluated["indicators"] = result.attrs["not_evaluated"]
        labels = (
            variant[gradable]
            if by is None
            else (units.loc[gradable, by].astype(str) + "/" + variant[gradable]).to_numpy()
        )
        # one lookup per ranking group, not per unit
        codes, groups = pd.factorize(pd.Index(labels, dtype=object))
        for k in [
            c.removeprefix("indicator_") for c in result.columns if c.startswith("indicator_")
        ]:
            per_group = np.array(
                [info["benchmarks"].get(str(g), {}).get(k, np.nan) for g in groups], dtype=float
            )
            graded[f"benchmark_{k}"] = pd.Series(
                per_group[codes] if len(groups) else np.full(len(codes), np.nan),
                index=result.index,
            ).reindex(units.index)
    for col in GRADED:
        if col not in graded.columns:
            graded[col] = pd.Series(
                None, index=units.index, dtype="str" if col != "score" else float
            )
    graded["not_graded_reason"] = (
        graded["not_graded_reason"].astype(object).where(reason.isna(), reason)
    )
    return graded, info


def _assemble(
    table: pd.DataFrame,
    graded: pd.DataFrame,
    inside: np.ndarray,
    scope_why: np.ndarray,
    provisional: tuple[pd.Series, pd.Series],
) -> pd.DataFrame:
    """Return the result: firm, land, figures, scope, its unit's grade; by credit code."""
    first = [c for c in ("name", "above_scale", "industry_code", "year") if c in table.columns]
    land = [c for c in LAND if c in table.columns]
    data = [c for c in DATA if c in table.columns]
    out = table[first + land + data].copy()
    out["in_scope"] = inside
    out["scope_reason"] = pd.array(scope_why, dtype="str")
    out["provisional"] = (
        provisional[0].where(pd.Series(inside, index=table.index), pd.NA).astype("boolean")
    )
    out["provisional_reason"] = pd.array(
        provisional[1].where(inside, None).to_numpy(dtype=object), dtype="str"
    )
    unit = table["unit_id"].to_numpy(dtype=object)
    rows = graded.reindex(unit)
    rows.index = table.index
    rows = rows.where(pd.Series(inside, index=table.index), other=np.nan) if len(rows) else rows
    keys = [c.removeprefix("indicator_") for c in rows.columns if c.startswith("indicator_")]
    order = list(GRADED) + [
        f"{part}_{k}" for part in ("indicator", "benchmark", "contribution") for k in keys
    ]
    for col in order:
        out[col] = rows[col] if col in rows.columns else np.nan
    for col in ("variant", "grade", "grade_label", "not_graded_reason"):
        out[col] = pd.array(
            out[col].astype(object).where(out[col].notna(), None).to_numpy(dtype=object),
            dtype="str",
        )
    out["rank"] = pd.array(pd.to_numeric(out["rank"], errors="coerce"), dtype="Int64")
    return out


def _evaluate(
    firms: pd.DataFrame,
    land: pd.DataFrame,
    *,
    year: int,
    policy: Policy,
    benchmarks: Mapping[str, float] | None,
    by: str | None,
    lang: Lang,
    caller: str,
) -> pd.DataFrame:
    """Scope, units, grades: the body of :func:`evaluate_enterprises` given the land."""
    not_evaluated: dict[str, Any] = {}
    table = _merge(firms, land)
    inside, why = _scope(table, policy, lang, not_evaluated)
    provisional = _provisional(table, year, policy, lang, not_evaluated)
    rule = policy.mujun.rented_land_rule
    group = _groups(table, rule, by, caller=caller)
    units = _units(table[inside], None if group is None else group[inside])
    graded, info = pd.DataFrame(index=units.index), {}
    if len(units):
        graded, info = _grade_units(units, policy, benchmarks, lang, not_evaluated)
    out = _assemble(table, graded, inside, why, provisional)
    out.attrs = {
        "policy": policy.name,
        "year": int(year),
        "rented_land_rule": rule,
        "unmatched": dict(land.attrs.get("unmatched") or {}),
        "in_scope": int(inside.sum()),
        "graded": int(out["grade"].notna().sum()),
        "units": len(units),
        "weights": info.get("weights"),
        "method": info.get("method"),
        "benchmarks": info.get("benchmarks"),
        "not_evaluated": not_evaluated,
    }
    return out


# --- public ------------------------------------------------------------------------------------


@records_policy
def evaluate_enterprises(
    enterprises: pd.DataFrame,
    *,
    parcels: gpd.GeoDataFrame | pd.DataFrame,
    tenancies: pd.DataFrame | None = None,
    year: int,
    policy: PolicyLike,
    benchmarks: Mapping[str, float] | None = None,
    by: str | None = None,
    lang: Lang = "zh",
) -> pd.DataFrame:
    r"""Evaluate enterprises by 亩均效益 (亩均论英雄 / 亩产效益) as the bureaus do: one row each.

    The evaluation unit is the enterprise (its credit code). Its land comes from the parcels it
    holds (``owner_code``) and the land it rents (``tenancies``), counted by the profile's
    ``mujun.rented_land_rule`` (:func:`enterprise_land`); its figures from the enterprise-year
    table. Firms in scope are scored, ranked and graded A/B/C/D with
    :func:`landuse.efficiency.grade_enterprises` and the profile's ``mujun.*`` weights,
    method and class cuts.

    Scope, in this order (the first rule that applies decides, ``scope_reason`` says which):
    no data for the year; an industry code starting with one of ``mujun.exempt_divisions_2017``
    (utilities, tobacco); a ``military`` firm (``mujun.exempt_military``); a tenant while
    ``mujun.rented_land_rule`` is unset (not evaluated, naming the key); 规上 firms always; 规下
    firms if ``mujun.below_scale_included`` and their land ≥ ``mujun.below_scale_land_mu_min``
    亩 (exactly the threshold is in). Firms fewer than ``mujun.provisional_years`` years from
    ``registered_on`` or ``agreed_completion_date`` (the later; to 31 December of ``year``) are
    graded and marked ``provisional``.

    Parameters
    ----------
    enterprises
        Enterprise-year table (:func:`read_enterprises`): ``credit_code``, ``year``,
        ``above_scale``, ``industry_code``, the figures (``tax_wan``, ``revenue_wan``,
        ``value_added_wan``, ``energy_tce``, ``emissions_t``, ``rd_spend_wan``, ``employees``,
        ``electricity_kwh``), optional ``registered_on``, ``agreed_completion_date``,
        ``military`` (bool) and ``production_status``.
    parcels
        Parcels with ``owner_code`` (the right holder's credit code), ``land_area_m2`` (or a
        geometry), optional ``floor_area_m2`` and ``zone_id``.
    tenancies
        Tenancy table (:func:`read_tenancies`), or ``None``: no firm rents.
    year
        The year evaluated.
    policy
        Policy profile (or its name): weights, method, class cuts, scope and the rented-land rule.
    benchmarks
        Indicator → benchmark, replacing the group statistic (see
        :func:`landuse.efficiency.grade_enterprises`).
    by
        A column of the enterprises or of their land (e.g. ``"zone_ids"``) whose groups are
        ranked apart. Under ``tenant_category`` tenants are ranked apart in any case.
    lang
        ``"zh"`` (default) or ``"en"`` texts of the reasons.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``credit_code``: ``name``, ``above_scale``, ``industry_code``, ``year``; the
        land (``land_area_m2``, ``land_area_mu``, ``owned_area_m2``, ``rented_area_m2``,
        ``category``, ``unit_id``, ``land_basis``, ``parcel_ids``, ``zone_ids``); the firm's own
        figures; ``in_scope``, ``scope_reason``, ``provisional`` (missing where not known),
        ``provisional_reason``; then the grading of its unit: ``variant``, ``score``, ``rank``,
        ``rank_share``, ``grade``, ``grade_label``, ``not_graded_reason`` (不定等级 and why),
        ``indicator_<key>``, ``benchmark_<key>``, ``contribution_<key>``. Members of one
        ``combine_and_share`` unit share its indicators, score and grade. ``attrs``:
        ``policy``, ``year``, ``rented_land_rule``, ``unmatched`` (from the land matching),
        ``in_scope`` / ``graded`` / ``units`` counts, ``weights``, ``method``, ``benchmarks``,
        ``not_evaluated`` (rule → "not evaluated: set `key`"), ``policy_keys``.

    Raises
    ------
    TypeError
        ``enterprises`` is not a DataFrame, or ``year`` not a whole number.
    SchemaError
        Missing ``credit_code`` / ``year``; a credit code twice in the year; ``by`` unknown.
    PolicyError
        A scoring method key left unset (see :func:`landuse.efficiency.grade_enterprises`).

    Notes
    -----
    A unit's figures are the sums of its members' in scope (a member out of scope, e.g. an
    exempt utility on a shared parcel, adds nothing), its land is the unit's land, and it is
    规上 if any member is (method choices of landuse). Weights a profile leaves unset
    (``shandong-2019``, ``anhui-jingde``) grade no firm of that kind: ``not_graded_reason``
    and ``attrs["not_evaluated"]`` name the key.

    Examples
    --------
    X holds parcel P1 (15 亩, 8,000 m² of floor space) and rents 2,000 m² of it to Y, a 规下
    firm; Z holds P2 (15 亩). The example profile apportions rented land by floor area: X is
    evaluated on 11.25 亩, Y on 3.75 亩, which is under the 5 亩 from which 规下 firms count.
    Weighting tax per 亩 alone (100 points), X (40 万元/亩) and Z (20 万元/亩) score against
    their mean of 30:

    >>> import pandas as pd
    >>> from landuse import load_policy
    >>> from landuse.enterprise import evaluate_enterprises
    >>> X, Y, Z = "91330201MA282UF146", "91330401MA28ADM67R", "913702000000000012"
    >>> parcels = pd.DataFrame({"parcel_id": ["P1", "P2"], "owner_code": [X, Z],
    ...     "land_area_m2": [10_000.0, 10_000.0], "floor_area_m2": [8_000.0, 6_000.0]})
    >>> tenancies = pd.DataFrame({"tenant_code": [Y], "parcel_id": ["P1"],
    ...     "rented_floor_m2": [2_000.0]})
    >>> firms = pd.DataFrame({"credit_code": [X, Y, Z], "year": 2023,
    ...     "above_scale": [True, False, True], "tax_wan": [450.0, 30.0, 300.0]})
    >>> policy = load_policy("qingdao-2019-example").replace(
    ...     {"mujun.weights_above_scale": {"tax_per_mu": 100}})
    >>> result = evaluate_enterprises(firms, parcels=parcels, tenancies=tenancies, year=2023,
    ...     policy=policy)
    >>> cols = ["land_area_mu", "in_scope", "score", "grade"]
    >>> result[cols].round(2)  # doctest: +NORMALIZE_WHITESPACE
                        land_area_mu  in_scope   score grade
    credit_code
    91330201MA282UF146         11.25      True  133.33     B
    91330401MA28ADM67R          3.75     False     NaN   NaN
    913702000000000012         15.00      True   66.67     D
    >>> result.loc[X, "land_basis"]
    '自有 1 宗 15 亩，扣除出租 3.75 亩后 11.25 亩'
    >>> result.loc[Y, "scope_reason"]
    '规下企业，用地 3.75 亩 < 5 亩'
    """
    caller = "evaluate_enterprises"
    policy = resolve_policy(policy, caller=caller)
    lang = check_lang(lang, caller=caller)
    firms = _year_rows(enterprises, year, caller=caller)
    land = enterprise_land(
        parcels,
        tenancies=tenancies,
        year=int(year),
        rule=policy.mujun.rented_land_rule,
        enterprises=firms.reset_index(),
    )
    return _evaluate(
        firms,
        land,
        year=int(year),
        policy=policy,
        benchmarks=benchmarks,
        by=by,
        lang=lang,
        caller=caller,
    )


# --- year over year ----------------------------------------------------------------------------


def _by_year(results: Any, *, caller: str) -> dict[int, pd.DataFrame]:
    """``{year: result}`` from a mapping or from results that carry ``attrs["year"]``."""
    if isinstance(results, pd.DataFrame):
        results = [results]
    items = list(results.items()) if isinstance(results, Mapping) else [(None, r) for r in results]
    out: dict[int, pd.DataFrame] = {}
    for year, frame in items:
        if not isinstance(frame, pd.DataFrame):
            msg = (
                f"{caller}(): each result must be a DataFrame of evaluate_enterprises(); "
                f"received {type(frame).__name__}."
            )
            raise TypeError(msg)
        year = frame.attrs.get("year") if year is None else year
        if year is None or isinstance(year, bool) or not isinstance(year, numbers.Integral):
            msg = (
                f"{caller}(): cannot tell the year of a result (attrs['year'] is {year!r}); pass "
                "{year: result} or the results of evaluate_enterprises()."
            )
            raise ValueError(msg)
        if int(year) in out:
            msg = f"{caller}(): two results for the year {year}."
            raise ValueError(msg)
        out[int(year)] = frame
    if not out:
        msg = f"{caller}(): no result given."
        raise ValueError(msg)
    return out


def _streaks(long: pd.DataFrame, best_first: list[str], lang: Lang) -> pd.DataFrame:
    """Previous year's grade, the change, consecutive years in the grade and in the last class."""
    code = long.index.get_level_values("credit_code").to_numpy(dtype=object)
    year = long.index.get_level_values("year").to_numpy(dtype=int)
    grade = long["grade"].astype(object).where(long["grade"].notna(), None).to_numpy(dtype=object)
    follows = np.zeros(len(long), dtype=bool)
    follows[1:] = (code[1:] == code[:-1]) & (year[1:] - year[:-1] == 1)
    previous = np.full(len(long), None, dtype=object)
    previous[1:] = np.where(follows[1:], grade[:-1], None)
    graded = ~pd.isna(grade)
    same = graded & ~pd.isna(previous) & (grade == previous)
    run = np.cumsum(~same)
    streak = pd.Series(1, index=long.index).groupby(run).cumsum().to_numpy(dtype=float)
    streak[~graded] = np.nan
    last = best_first[-1] if best_first else None
    order = pd.Index(best_first, dtype=object)

    def rank(grades: np.ndarray) -> np.ndarray:
        place = order.get_indexer(pd.Index(grades, dtype=object)).astype(float)
        place[place < 0] = np.nan
        return place

    now, before = rank(grade), rank(previous)
    change = np.select(
        [~graded, pd.isna(previous), now < before, now > before],
        [
            None,
            _t(lang, "首次评价", "first graded"),
            _t(lang, "上升", "up"),
            _t(lang, "下降", "down"),
        ],
        default=_t(lang, "持平", "same"),
    )
    out = pd.DataFrame(index=long.index)
    out["previous_grade"] = pd.array(previous, dtype="str")
    out["grade_change"] = pd.array(np.where(graded, change, None), dtype="str")
    out["years_in_grade"] = pd.array(streak, dtype="Int64")
    out["years_in_d"] = pd.array(
        np.where(graded, np.where(grade == last, streak, 0), np.nan), dtype="Int64"
    )
    return out


def _surcharge(
    long: pd.DataFrame, policy: Policy, lang: Lang, not_evaluated: dict[str, Any]
) -> pd.DataFrame:
    """Return the yearly differentiated-price surcharge (万元) by grade and years in it."""
    out = pd.DataFrame(index=long.index)
    table = policy.mujun.electricity_surcharge
    if table is None:
        text = _unset(
            lang, "mujun.electricity_surcharge", "差别化电价", "differentiated electricity price"
        )
        not_evaluated["electricity_surcharge"] = text
        out["surcharge_yuan_per_kwh"] = np.nan
        out["surcharge_wan"] = np.nan
        out["surcharge_reason"] = pd.array([text] * len(long), dtype="str")
        return out
    grade = long["grade"].astype(object).where(long["grade"].notna(), None).to_numpy(dtype=object)
    graded = ~pd.isna(grade)
    years = long["years_in_grade"].to_numpy(dtype=float, na_value=np.nan)
    yuan = np.where(graded, 0.0, np.nan)
    for row in table:
        hit = graded & (grade == row.grade) & (years >= row.years_in_grade_min)
        yuan = np.where(hit, np.fmax(yuan, row.yuan_per_kwh), yuan)
    kwh = np.full(len(long), np.nan)
    if "electricity_kwh" in long.columns:
        kwh = pd.to_numeric(long["electricity_kwh"], errors="coerce").to_numpy(dtype=float)
    out["surcharge_yuan_per_kwh"] = yuan
    out["surcharge_wan"] = yuan * kwh / 1e4
    text = np.full(len(long), _t(lang, "无加价", "no surcharge"), dtype=object)
    pay = graded & (yuan > 0)
    form = _t(
        lang,
        "{g} 类连续 {y:.0f} 年：加价 {p:g} 元/千瓦时",
        "{g} for {y:.0f} year(s): +{p:g} CNY/kWh",
    )
    # one text per distinct (grade, years, price), not per row
    cases = pd.DataFrame({"g": grade[pay], "y": years[pay], "p": yuan[pay]})
    which, distinct = pd.factorize(pd.MultiIndex.from_frame(cases))
    shown = np.array([form.format(g=g, y=y, p=p) for g, y, p in distinct], dtype=object)
    text[pay] = shown[which]
    text[graded & np.isnan(kwh) & pay] = _t(
        lang,
        "用电量未知，加收金额无法计算 (`electricity_kwh`)",
        "electricity use unknown (`electricity_kwh`)",
    )
    text[~graded] = _t(lang, "未定等级，不计算", "not graded")
    out["surcharge_reason"] = pd.array(text, dtype="str")
    return out


@records_policy
def enterprise_history(
    results: Mapping[int, pd.DataFrame] | Sequence[pd.DataFrame],
    *,
    policy: PolicyLike,
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Each enterprise's grades year over year: change, consecutive years, price surcharge.

    Parameters
    ----------
    results
        The results of :func:`evaluate_enterprises` for several years: ``{year: result}``, or
        a list of results (each knows its year in ``attrs["year"]``).
    policy
        The profile: the class cuts (best first: what counts as up or down, the last class is
        "D") and the differentiated electricity price ``mujun.electricity_surcharge`` (rows of
        grade, consecutive years in it, 元/kWh; unset: the surcharge is not evaluated and
        ``surcharge_reason`` names the key).
    lang
        ``"zh"`` (default) or ``"en"`` texts.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``credit_code``, ``year``), sorted: every column of the yearly results,
        then ``previous_grade`` (the year before, if evaluated), ``grade_change``
        (首次评价 / 上升 / 下降 / 持平), ``years_in_grade`` (consecutive years in this grade,
        ending this year; a year missing or not graded breaks the run), ``years_in_d``
        (the same for the last class, 0 in another grade), ``surcharge_yuan_per_kwh`` (the
        highest row that applies; 0 if none), ``surcharge_wan`` (= ``electricity_kwh`` ×
        元/kWh ÷ 10⁴, missing where electricity is unknown), ``surcharge_reason``. ``attrs``:
        ``policy``, ``years``, ``not_evaluated``, ``policy_keys`` (the years' and its own).

    Examples
    --------
    A firm graded D three years running, 1,000,000 kWh a year, under the example profile
    (Haining's draft: +0.3 元/kWh in D, +0.4 from the third consecutive year):

    >>> import pandas as pd
    >>> from landuse.enterprise import enterprise_history
    >>> years = {y: pd.DataFrame({"grade": ["D"], "electricity_kwh": [1e6]},
    ...          index=pd.Index(["91330201MA282UF146"], name="credit_code"))
    ...          for y in (2021, 2022, 2023)}
    >>> h = enterprise_history(years, policy="qingdao-2019-example")
    >>> h[["years_in_d", "surcharge_yuan_per_kwh", "surcharge_wan"]].to_numpy().tolist()
    [[1, 0.3, 30.0], [2, 0.3, 30.0], [3, 0.4, 40.0]]
    """
    caller = "enterprise_history"
    policy = resolve_policy(policy, caller=caller)
    lang = check_lang(lang, caller=caller)
    yearly = _by_year(results, caller=caller)
    parts, keys, not_evaluated, params = [], set(), {}, {}
    for year, frame in sorted(yearly.items()):
        if "grade" not in frame.columns:
            msg = (
                f"{caller}(): the result of {year} has no `grade` column; pass results of "
                "evaluate_enterprises()."
            )
            raise SchemaError(msg)
        keys.update(frame.attrs.get("policy_keys") or ())
        params.update(frame.attrs.get("policy_params") or {})
        for k, v in (frame.attrs.get("not_evaluated") or {}).items():
            not_evaluated.setdefault(k, v)
        part = frame.copy()
        part.attrs = {}
        part["year"] = year
        part.index.name = "credit_code"
        parts.append(part.reset_index())
    long = pd.concat(parts, ignore_index=True).set_index(["credit_code", "year"]).sort_index()
    best_first = [
        c.grade for c in sorted(policy.mujun.class_cuts or (), key=lambda c: c.rank_share_max)
    ]
    long = long.join(_streaks(long, best_first, lang))
    long = long.join(_surcharge(long, policy, lang, not_evaluated))
    long.attrs = {
        "policy": policy.name,
        "years": sorted(yearly),
        "not_evaluated": not_evaluated,
        "policy_keys": tuple(sorted(keys)),
        "policy_params": params,
    }
    return long


# --- output ------------------------------------------------------------------------------------


def write_enterprises(
    result_or_history: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    lang: Lang = "zh",
) -> list[Path]:
    """Write an evaluation: one sheet per year, plus 历年等级 (the history) for several years.

    Written by :func:`landuse.report.write_tables` in the house style: Chinese headers from
    :data:`landuse.schema.FIELDS` with units, grades as A类…D类, a 政策参数 sheet with every
    policy key applied (source, confidence) and the rules not evaluated, a 说明 sheet (with the
    example notice under an example profile).

    Parameters
    ----------
    result_or_history
        A result of :func:`evaluate_enterprises` (one year) or of :func:`enterprise_history`.
    path
        ``.xlsx`` (sheets ``2023年`` …, ``历年等级``), ``.csv`` (the first table, the others beside
        it), ``.gpkg`` or ``.parquet``.
    lang
        ``"zh"`` (default) or ``"en"`` headers, labels and sheet names (``2023``, ``history``).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    landuse.report.OutputError
        An extension landuse does not write (before anything is written).
    TypeError
        Not a DataFrame.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from landuse.enterprise import enterprise_history, write_enterprises
    >>> years = {y: pd.DataFrame({"name": ["甲公司"], "grade": ["D"], "electricity_kwh": [1e6]},
    ...          index=pd.Index(["91330201MA282UF146"], name="credit_code")) for y in (2022, 2023)}
    >>> h = enterprise_history(years, policy="qingdao-2019-example")
    >>> out = write_enterprises(h, Path(tempfile.mkdtemp()) / "亩均评价.xlsx")
    >>> openpyxl.load_workbook(out[0]).sheetnames[:3]
    ['2022年', '2023年', '历年等级']
    """
    caller = "write_enterprises"
    lang = check_lang(lang, caller=caller)
    target = check_output_path(path, caller=caller)
    frame = result_or_history
    if not isinstance(frame, pd.DataFrame):
        msg = (
            f"`result_or_history` passed to {caller}() must be a DataFrame; "
            f"received {type(frame).__name__}."
        )
        raise TypeError(msg)
    sheet = (lambda y: f"{y}年") if lang == "zh" else str
    tables: dict[str, pd.DataFrame] = {}
    if isinstance(frame.index, pd.MultiIndex) and "year" in frame.index.names:
        flat = frame.reset_index()
        for year, rows in flat.groupby("year", sort=True):
            tables[sheet(year)] = rows.drop(columns=[c for c in HISTORY if c in rows.columns])
        cols = [
            "credit_code",
            "year",
            "name",
            "grade",
            "grade_label",
            "score",
            "rank",
            *HISTORY[:4],
            "electricity_kwh",
            *HISTORY[4:],
        ]
        tables[_t(lang, "历年等级", "history")] = flat[[c for c in cols if c in flat.columns]]
    else:
        year = frame.attrs.get("year")
        tables[sheet(year) if year is not None else _t(lang, "亩均评价", "evaluation")] = (
            frame.reset_index()
        )
    for table in tables.values():
        table.attrs = {}
    first = next(iter(tables.values()))
    first.attrs = dict(frame.attrs)
    return write_tables(tables, target, lang=lang, caller=caller)
