"""Standard land (标准地): conditions by zone and industry, commitment checks, acceptance.

Private: public API in :mod:`landuse.supply`; the indicators are in
:mod:`landuse.supply._indicators`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from landuse._checks import (
    Lang,
    PolicyLike,
    check_frame,
    check_lang,
    records_policy,
    resolve_policy,
)
from landuse.errors import SchemaError, format_ids
from landuse.policy import Policy
from landuse.supply._common import (
    as_array,
    check_choice,
    check_non_negative,
    code_versions,
    division_codes,
    is_unset,
    known_divisions,
    land_area,
    min_far_lookup,
    mu,
    policy_number,
    row_labels,
    setting,
)
from landuse.supply._indicators import (
    BY_KEY,
    INDICATORS,
    REQUIREMENTS,
    Stage,
    evaluate_indicators,
    indicator_values,
    join_reasons,
    keys_failed,
    label,
    result_frame,
    select_keys,
    unit_label,
    verdict,
)

__all__ = [
    "accept_standard_land",
    "check_standard_land",
    "standard_land_conditions",
    "unset_requirements",
]

_STAGES = ("completion", "production")
_BOUND = {"min": "≥", "max": "≤"}
_ZONE = "zone_id"
_CODE = "industry_code"


# --- requirements the profile leaves unset -----------------------------------------------------


def unset_requirements(policy: Policy, lang: Lang) -> dict[str, tuple[str, str]]:
    """Find the core indicators whose city requirement (``standard_land.*``) is left unset.

    Returns ``{indicator key: (why, note)}``: ``why`` for a row's reason in ``lang`` ("set
    `standard_land.investment_wan_per_mu_min` or give zone_conditions …"), ``note`` for
    ``attrs["not_evaluated"]`` ("… not evaluated: set `standard_land.…`"). Such an indicator
    is not evaluated where no zone value is given (never an error, never a default).
    """
    out: dict[str, tuple[str, str]] = {}
    for ind in INDICATORS:
        key = ind.policy_key
        if ind.group != "3" or key is None or not is_unset(policy, key):
            continue  # the optional "N" indicators apply only where set
        if lang == "zh":
            why = f"需设定 `{key}` 或在 zone_conditions 中给出 `{ind.requirement}`"
        else:
            why = f"set `{key}` or give zone_conditions `{ind.requirement}`"
        note = (
            f"standard land {ind.en}: not evaluated: set `{key}` (or give zone_conditions "
            f"`{ind.requirement}`)"
        )
        out[ind.key] = (why, note)
    return out


# --- zone conditions -------------------------------------------------------------------------


def zone_table(zone_conditions: Any, *, caller: str) -> pd.DataFrame | None:
    """Normalise ``zone_conditions`` to columns zone_id, industry_code (division or None), reqs."""
    if zone_conditions is None:
        return None
    if isinstance(zone_conditions, Mapping):
        rows = []
        for zone, values in zone_conditions.items():
            if not isinstance(values, Mapping):
                msg = (
                    f"{caller}: `zone_conditions` as a mapping must map a zone_id to "
                    f"{{requirement: value}}; zone {zone!r} maps to {type(values).__name__}."
                )
                raise TypeError(msg)
            rows.append({_ZONE: zone, **values})
        frame = pd.DataFrame(rows)
    elif isinstance(zone_conditions, pd.DataFrame):
        frame = pd.DataFrame(zone_conditions).copy()
    else:
        msg = (
            f"{caller}: `zone_conditions` must be a DataFrame (zone_id, optional industry_code, "
            f"requirement columns) or a mapping; received {type(zone_conditions).__name__}."
        )
        raise TypeError(msg)
    valid = ", ".join(REQUIREMENTS)
    if _ZONE not in frame.columns:
        msg = (
            f"{caller}: `zone_conditions` needs a `zone_id` column; received columns "
            f"{list(frame.columns)}. Requirement columns: {valid}."
        )
        raise SchemaError(msg)
    unknown = [
        str(c)
        for c in frame.columns
        if str(c).endswith(("_min", "_max")) and str(c) not in REQUIREMENTS
    ]
    if unknown:
        msg = (
            f"{caller}: `zone_conditions` has unknown requirement column(s) "
            f"{', '.join(unknown)}; valid: {valid}."
        )
        raise SchemaError(msg)
    reqs = [c for c in frame.columns if c in REQUIREMENTS]
    if not reqs:
        msg = f"{caller}: `zone_conditions` has no requirement column; valid: {valid}."
        raise SchemaError(msg)
    check_non_negative(frame, reqs, name="zone_conditions", caller=caller)
    out = pd.DataFrame({_ZONE: frame[_ZONE].astype(str).to_numpy(dtype=object)})
    if _CODE in frame.columns:
        out[_CODE] = division_codes(
            frame[_CODE], name="zone_conditions.industry_code", caller=caller
        )
    else:
        out[_CODE] = None
    for col in reqs:
        out[col] = as_array(frame[col], name=f"zone_conditions.{col}", caller=caller)
    key = out[_ZONE] + "|" + out[_CODE].fillna("*").astype(str)
    dup = key.duplicated(keep=False)
    if dup.any():
        msg = (
            f"{caller}: `zone_conditions` has {int(dup.sum())} rows repeating a (zone_id, "
            f"industry_code) pair: {format_ids(sorted(set(key[dup])))}. Keep one row per zone "
            "(and per industry, where a zone sets industry-specific values)."
        )
        raise SchemaError(msg)
    return out


# --- requirements ----------------------------------------------------------------------------


def requirements(
    *,
    n: int,
    zone_ids: np.ndarray,
    codes: np.ndarray,
    versions: np.ndarray,
    policy: Policy,
    zones: pd.DataFrame | None,
    caller: str,
    labels: list[Any] | None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Return the requirement per row and indicator; origin 0 city, 1 zone, 2 zone + industry."""
    reqs: dict[str, np.ndarray] = {}
    origin: dict[str, np.ndarray] = {}
    has_code = np.array([c is not None for c in codes], dtype=bool)
    pairs = sorted({(c, v) for c, v in zip(codes[has_code], versions[has_code], strict=True)})
    table, unknown, _ = min_far_lookup(policy, pairs)
    if unknown:
        bad = {c for c, _ in unknown}
        rows = np.flatnonzero([c in bad for c in codes])
        where = ""
        if labels is not None and n > 1:
            where = f" in {len(rows)} row(s): {format_ids([labels[i] for i in rows])}"
        shown = format_ids([f"{c!r} (GB/T 4754-{v})" for c, v in unknown])
        msg = (
            f"{caller}: unknown industry code {shown}{where}: not a GB/T 4754 division (2017: "
            "01–97; 2002: 01–98). Check the code and its edition (industry_code_version / "
            f"code_version). The minimum-FAR table covers manufacturing {known_divisions(policy)}."
        )
        raise SchemaError(msg)
    far = np.full(n, np.nan)
    if has_code.any():
        far[has_code] = [
            table[(c, v)] for c, v in zip(codes[has_code], versions[has_code], strict=True)
        ]
    for ind in INDICATORS:
        if ind.policy_key is None:
            reqs[ind.requirement] = far
        else:
            reqs[ind.requirement] = np.full(n, policy_number(policy, ind.policy_key))
        origin[ind.requirement] = np.zeros(n, dtype=np.int8)
    if zones is not None and n:
        zone_series = pd.Series(zone_ids, dtype=object).astype("string")
        code_series = pd.Series(codes, dtype=object).astype("string")
        for level, sub in ((1, zones[zones[_CODE].isna()]), (2, zones[zones[_CODE].notna()])):
            if sub.empty:
                continue
            if level == 1:
                keys = zone_series
                sub_keys = sub[_ZONE].astype(str)
            else:
                keys = zone_series + "|" + code_series
                sub_keys = sub[_ZONE].astype(str) + "|" + sub[_CODE].astype(str)
            for col in sub.columns:
                if col not in REQUIREMENTS:
                    continue
                lookup = pd.Series(sub[col].to_numpy(dtype=float), index=sub_keys.to_numpy())
                found = keys.map(lookup).to_numpy(dtype=float, na_value=np.nan)
                hit = ~np.isnan(found)
                if hit.any():
                    reqs[col] = np.where(hit, found, reqs[col])
                    origin[col] = np.where(hit, np.int8(level), origin[col])
    return reqs, origin


def _codes_and_zones(
    frame: pd.DataFrame, *, code_version: str, caller: str, name: str, labels: list[Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(frame)
    if _CODE in frame.columns:
        codes = division_codes(frame[_CODE], name=f"{name}.{_CODE}", caller=caller, labels=labels)
    else:
        codes = np.full(n, None, dtype=object)
    versions = code_versions(frame, code_version, caller=caller)
    if _ZONE in frame.columns:
        zone_ids = frame[_ZONE].astype("string").to_numpy(dtype=object, na_value=None)
    else:
        zone_ids = np.full(n, None, dtype=object)
    return codes, versions, zone_ids


# --- conditions ------------------------------------------------------------------------------


@records_policy
def standard_land_conditions(
    zone_id: str | None,
    industry_code: str,
    *,
    policy: PolicyLike,
    zone_conditions: pd.DataFrame | Mapping[str, Mapping[str, float]] | None = None,
    code_version: Literal["2017", "2002"] = "2017",
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Build the indicator table a standard-land grant notice (标准地出让公告) would carry.

    The "3+N" control indicators (investment intensity, FAR, tax per 亩; optional energy,
    emissions and R&D) plus the national control indicators (building coefficient, admin and
    living facilities share, green space ratio), for one zone and industry. A zone's own values
    override the city's (the policy's); a zone value for one industry overrides the zone-wide
    one.

    Parameters
    ----------
    zone_id
        The zone (matched against ``zone_conditions``); ``None`` for the city values.
    industry_code
        GB/T 4754 division of the project (``"39"``; group/class codes are reduced).
    policy
        A :class:`~landuse.policy.Policy`, a built-in profile name or a path to a TOML profile. City
        values: ``standard_land.investment_wan_per_mu_min`` and ``.tax_wan_per_mu_min``
        (user input: no Qingdao source gives them, so ``qingdao-2019`` leaves them unset and
        they are not evaluated — ``value`` NaN, ``source`` "not evaluated: set `…`", listed
        in ``attrs["not_evaluated"]`` — unless ``zone_conditions`` gives them; the example
        profile ``qingdao-2019-example`` uses 280 and 20), the minimum FAR of the industry
        (``far.min_far_by_division``), ``control.*`` and the optional ``standard_land.*``
        values where set.
    zone_conditions
        Zone values: a DataFrame with ``zone_id``, optional ``industry_code`` and any
        requirement columns (``investment_wan_per_mu_min``, ``far_min``,
        ``tax_wan_per_mu_min``, ``building_coefficient_min``, ``admin_living_land_share_max``,
        ``green_space_share_max``, ``energy_tce_per_wan_max``, ``emissions_t_per_wan_max``,
        ``rd_share_min``; NaN = no zone value), or a mapping ``{zone_id: {column: value}}``.
    code_version
        Edition of ``industry_code``: ``"2017"`` (default) or ``"2002"``.
    lang
        ``"zh"`` (default) or ``"en"`` names and units.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``indicator`` (the value column name), columns ``name``, ``bound``
        (``≥``/``≤``), ``value``, ``unit``, ``stage`` (``completion``: checked at 竣工验收,
        ``production``: at 达产复核), ``group`` (``3``, ``N``, ``control``), ``source`` (policy
        key or zone) and ``confidence``. The three core indicators are always listed (value NaN
        when neither the policy nor the zone sets one); the others only when set. ``attrs``:
        ``policy``, ``zone_id``, ``industry_code``, ``not_evaluated`` (the core requirements
        left unset: "… not evaluated: set `standard_land.…`"), ``policy_keys``.

    Raises
    ------
    ValueError
        Unknown or malformed industry code; malformed ``zone_conditions``.

    Examples
    --------
    qingdao-2019 leaves the city's investment and tax values to the user (no source gives them):

    >>> table = standard_land_conditions("QD06", "39", policy="qingdao-2019", lang="en")
    >>> table.loc[["investment_wan_per_mu", "far", "tax_wan_per_mu"], "value"].tolist()
    [nan, 1.0, nan]
    >>> table.attrs["not_evaluated"][0]
    'standard land investment intensity: not evaluated: set `standard_land.investment_wan_per_mu_min` (or give zone_conditions `investment_wan_per_mu_min`)'

    The example profile illustrates them with 280 and 20:

    >>> policy = "qingdao-2019-example"
    >>> table = standard_land_conditions("QD06", "39", policy=policy)
    >>> table.loc[["investment_wan_per_mu", "far", "tax_wan_per_mu"], ["name", "bound", "value"]].values.tolist()
    [['投资强度', '≥', 280.0], ['容积率', '≥', 1.0], ['亩均税收', '≥', 20.0]]
    >>> table.loc["far", "source"]
    'far.min_far_by_division'
    >>> zone = {"QD06": {"far_min": 1.5, "tax_wan_per_mu_min": 30}}
    >>> standard_land_conditions("QD06", "39", policy=policy, zone_conditions=zone).loc[
    ...     ["far", "tax_wan_per_mu"], ["value", "source"]].values.tolist()
    [[1.5, 'zone_conditions (QD06)'], [30.0, 'zone_conditions (QD06)']]
    """
    caller = "standard_land_conditions"
    rules = resolve_policy(policy, caller=caller)
    check_lang(lang, caller=caller)
    check_choice(code_version, ("2017", "2002"), name="code_version", caller=caller)
    return conditions_table(
        zone_id,
        industry_code,
        policy=rules,
        zone_conditions=zone_conditions,
        code_version=code_version,
        lang=lang,
        caller=caller,
    )


def conditions_table(
    zone_id: str | None,
    industry_code: str,
    *,
    policy: Policy,
    zone_conditions: Any,
    code_version: str,
    lang: Lang,
    caller: str,
) -> pd.DataFrame:
    """:func:`standard_land_conditions` for checked arguments; messages name ``caller``."""
    if industry_code is None or (isinstance(industry_code, float) and np.isnan(industry_code)):
        msg = f"{caller}: `industry_code` is required (a GB/T 4754 division such as '39')."
        raise ValueError(msg)
    codes = division_codes([industry_code], name="industry_code", caller=caller)
    zones = zone_table(zone_conditions, caller=caller)
    zone_arr = np.array([None if zone_id is None else str(zone_id)], dtype=object)
    reqs, origin = requirements(
        n=1,
        zone_ids=zone_arr,
        codes=codes,
        versions=np.array([code_version], dtype=object),
        policy=policy,
        zones=zones,
        caller=caller,
        labels=None,
    )
    rows = []
    for ind in INDICATORS:
        value = float(reqs[ind.requirement][0])
        if ind.group != "3" and np.isnan(value):
            continue
        level = int(origin[ind.requirement][0])
        key = ind.policy_key or "far.min_far_by_division"
        if level == 2:
            source, confidence = f"zone_conditions ({zone_id}, industry {codes[0]})", "user"
        elif level == 1:
            source, confidence = f"zone_conditions ({zone_id})", "user"
        elif np.isnan(value):
            if ind.policy_key is None:
                source = (
                    f"not set: far.min_far_by_division has no value for division {codes[0]}; "
                    "give zone_conditions `far_min`"
                )
            else:
                source = (
                    f"not evaluated: set `{key}` (policy.replace({{'{key}': ...}})) or "
                    f"zone_conditions `{ind.requirement}`"
                )
            confidence = "user"
        else:
            source, confidence = key, policy.provenance(key).confidence
        rows.append(
            {
                "indicator": ind.key,
                "name": label(ind, policy, lang),
                "bound": _BOUND[ind.bound],
                "value": value,
                "unit": unit_label(ind, lang),
                "stage": ind.stage,
                "group": ind.group,
                "source": source,
                "confidence": confidence,
            }
        )
    table = pd.DataFrame(rows).set_index("indicator")
    unset = unset_requirements(policy, lang)
    not_evaluated = [
        note for key, (_, note) in unset.items() if np.isnan(float(table.loc[key, "value"]))
    ]
    table.attrs.update(
        {
            "policy": policy.name,
            "zone_id": zone_id,
            "industry_code": codes[0],
            "lang": lang,
            "not_evaluated": not_evaluated,
        }
    )
    return table


@records_policy
def check_standard_land(
    projects: pd.DataFrame,
    *,
    policy: PolicyLike,
    zone_conditions: pd.DataFrame | Mapping[str, Mapping[str, float]] | None = None,
    indicators: Sequence[str] | None = None,
    code_version: Literal["2017", "2002"] = "2017",
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Check projects' committed values against the standard-land conditions.

    Each project is held to the conditions of its zone and industry
    (:func:`standard_land_conditions`).

    Parameters
    ----------
    projects
        One row per project (e.g. :func:`landuse.read_proposals`): ``industry_code``, optional
        ``zone_id`` and ``industry_code_version``, the land area (``land_area_m2``, else the
        geometry area in a projected CRS) and what the indicators need:
        ``investment_wan`` (or ``agreed_investment_wan``), ``floor_area_m2``,
        ``expected_tax_wan`` (or ``agreed_tax_wan``, ``tax_wan``), ``footprint_m2``,
        ``admin_living_land_m2``, ``green_area_m2``, ``energy_tce`` / ``emissions_t`` with
        ``value_added_wan``, ``rd_spend_wan`` with ``expected_revenue_wan`` (or
        ``revenue_wan``). A column named like an indicator (``far``, ``tax_wan_per_mu``, …) is
        used as is.
    policy
        City values, see :func:`standard_land_conditions` (a Policy, profile name or TOML path).
    zone_conditions
        Zone values overriding the city's, see :func:`standard_land_conditions`.
    indicators
        Indicator keys to check; default: the three core indicators and every other indicator
        with a requirement set for some project.
    code_version
        Edition of ``industry_code`` where ``industry_code_version`` does not say.
    lang
        Language of ``reasons``.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        Indexed like ``projects`` (geometry and CRS kept; the id column first if present). Per
        indicator: the value (``far``), the requirement (``far_min``), ``far_met`` (nullable
        boolean: NA = not evaluated) and ``far_shortfall`` (≥ 0 in the indicator's unit, 0 when
        met, NaN when not evaluated). Then ``indicators_failed`` (keys, ``"; "``-separated),
        ``standard_land_met`` (False if any indicator fails; NA if none fails but one could not
        be evaluated: a missing column or value, or no requirement set; True otherwise) and
        ``reasons`` (an unset city requirement names its key: "set
        `standard_land.tax_wan_per_mu_min` or give zone_conditions …"). ``attrs``: ``policy``,
        ``indicators``, ``not_evaluated`` (each unset core requirement with the count of
        projects it left unevaluated), ``policy_keys``.

    Raises
    ------
    SchemaError
        Unknown or malformed industry codes, land area ≤ 0, negative amounts.
    CRSError
        A GeoDataFrame in a geographic CRS.

    Examples
    --------
    >>> projects = pd.DataFrame({
    ...     "proposal_id": ["A", "B"], "industry_code": ["39", "36"],
    ...     "land_area_m2": [10_000.0, 20_000.0], "floor_area_m2": [15_000.0, 12_000.0],
    ...     "investment_wan": [4_500.0, 8_000.0], "expected_tax_wan": [450.0, 450.0]})
    >>> out = check_standard_land(projects, policy="qingdao-2019-example", indicators=["far", "tax_wan_per_mu"])
    >>> out[["far", "far_min", "far_met", "tax_wan_per_mu", "tax_wan_per_mu_shortfall"]]
       far  far_min  far_met  tax_wan_per_mu  tax_wan_per_mu_shortfall
    0  1.5      1.0     True            30.0                       0.0
    1  0.6      0.7    False            15.0                       5.0
    >>> out["standard_land_met"].tolist()
    [True, False]
    >>> print(out.loc[1, "reasons"])
    未达标: 容积率 0.6 < 0.7（差 0.1）; 亩均税收 15 < 20（差 5 万元/亩·年）
    """
    caller = "check_standard_land"
    check_frame(projects, name="projects", caller=caller, geometry=False)
    policy = resolve_policy(policy, caller=caller)
    check_lang(lang, caller=caller)
    check_choice(code_version, ("2017", "2002"), name="code_version", caller=caller)
    n = len(projects)
    labels = row_labels(projects)
    land, land_how = land_area(projects, name="projects", caller=caller)
    codes, versions, zone_ids = _codes_and_zones(
        projects, code_version=code_version, caller=caller, name="projects", labels=labels
    )
    zones = zone_table(zone_conditions, caller=caller)
    reqs_by_req, _ = requirements(
        n=n,
        zone_ids=zone_ids,
        codes=codes,
        versions=versions,
        policy=policy,
        zones=zones,
        caller=caller,
        labels=labels,
    )
    default = [
        ind.key
        for ind in INDICATORS
        if ind.group == "3" or (~np.isnan(reqs_by_req[ind.requirement])).any()
    ]
    keys = select_keys(indicators, default, caller=caller)
    values = indicator_values(
        projects,
        land,
        role="project",
        keys=keys,
        land_how=land_how,
        name="projects",
        caller=caller,
        lang=lang,
    )
    reqs = {key: reqs_by_req[BY_KEY[key].requirement] for key in keys}
    no_code = np.array([c is None for c in codes], dtype=bool)
    code_text = np.array(["" if c is None else c for c in codes], dtype=object).astype(str)
    no_table = np.char.add(
        np.char.add("no minimum FAR for division " if lang == "en" else "政策未设行业 ", code_text),
        "" if lang == "en" else " 的最低容积率",
    )
    why_far = np.where(no_code, "no industry_code" if lang == "en" else "缺少行业代码", no_table)
    no_requirement: dict[str, np.ndarray] = {"far": why_far}
    not_evaluated: list[str] = []
    for key, (why, note) in unset_requirements(policy, lang).items():
        if key not in keys:
            continue
        lacking = np.isnan(reqs[key])  # no zone value either
        no_requirement[key] = np.where(lacking, why, "").astype(object)
        if lacking.any():
            not_evaluated.append(f"{note}: {int(lacking.sum())} of {n} project(s)")
    cols, any_failed, any_missing, failed_parts, missing_parts = evaluate_indicators(
        values,
        reqs,
        keys,
        n=n,
        policy=policy,
        lang=lang,
        no_requirement=no_requirement,
    )
    cols["indicators_failed"] = keys_failed(cols, keys, n)
    cols["standard_land_met"] = verdict(any_failed, any_missing)
    cols["reasons"] = join_reasons(failed_parts, missing_parts, n, lang)
    out = result_frame(projects, cols)
    out.attrs.update(
        {"policy": policy.name, "indicators": list(keys), "not_evaluated": not_evaluated}
    )
    return out


# --- acceptance ------------------------------------------------------------------------------


def _keyed(frame: pd.DataFrame, on: str | None, *, name: str, caller: str) -> pd.DataFrame:
    if on is None:
        keyed = frame
    else:
        if on not in frame.columns:
            msg = f"{caller}: `{name}` has no column `{on}` (given as `on`); columns: {list(frame.columns)}."
            raise SchemaError(msg)
        keyed = frame.set_index(on, drop=False)
    dup = keyed.index.duplicated(keep=False)
    if dup.any():
        shown = format_ids(sorted({str(i) for i in keyed.index[dup]}))
        what = f"`{on}` values" if on else "index values"
        msg = (
            f"{caller}: `{name}` has repeated {what}: {shown}. Each project must appear once; "
            "pass on='parcel_id' (or another id column) if the index is not the id."
        )
        raise SchemaError(msg)
    return keyed


@records_policy
def accept_standard_land(
    commitments: pd.DataFrame,
    actuals: pd.DataFrame,
    *,
    policy: PolicyLike,
    stage: Stage = "completion",
    on: str | None = None,
    penalty_rates: Mapping[str, float] | None = None,
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Accept (or not) standard land against the commitments: 竣工验收 or 达产复核.

    ``stage="completion"`` (竣工验收) checks the spatial indicators and investment (investment
    intensity, FAR, building coefficient, admin and living land share, green space ratio);
    ``stage="production"`` (达产复核) checks tax per 亩, energy, emissions and R&D. Each
    indicator the commitment sets is compared with the actual value; the shortfall, its share
    of the commitment and the policy's consequence are reported.

    Parameters
    ----------
    commitments
        Committed values, one row per project (the performance-supervision agreement,
        履约监管协议): indicator columns (``far``, ``investment_wan_per_mu``, ``tax_wan_per_mu``,
        …, e.g. the output of :func:`check_standard_land`) or the raw columns they derive from
        (``agreed_investment_wan``, ``agreed_tax_wan``, ``floor_area_m2``, … with
        ``land_area_m2``). The core indicators of the stage are always checked (reported as
        not evaluated without a committed value); the others where the commitment has them.
    actuals
        Measured values, same forms (``invested_wan``, ``tax_wan``, ``floor_area_m2``,
        ``footprint_m2``, …); rows matched to ``commitments`` by index, or by ``on``. Extra rows
        are ignored.
    policy
        A :class:`~landuse.policy.Policy`, a built-in profile name or a path to a TOML profile. Gives
        the consequence text (``standard_land.consequences``) and, if set, the penalty
        rates (``standard_land.penalty_rates``).
    stage
        ``"completion"`` or ``"production"``.
    on
        Column holding the project id in both frames; default: match on the index.
    penalty_rates
        Indicator key → 万元 per unit of shortfall per 亩 of land (e.g.
        ``{"tax_wan_per_mu": 1.0}``: one year of the tax shortfall). **No penalty formula was
        found in the sources** (POLICY-FACTS §2.3), so this linear form is a user input;
        without it (and without ``standard_land.penalty_rates``) ``penalty_wan`` is NaN.
    lang
        Language of ``consequence`` and ``reasons``.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        Indexed like ``commitments`` (or by ``on``). Per indicator ``<key>_committed``,
        ``<key>_actual``, ``<key>_met`` (nullable boolean), ``<key>_shortfall`` and
        ``<key>_shortfall_share`` (of the committed value); then ``indicators_failed``,
        ``passed`` (False if any fails, NA if none fails but one was not evaluated),
        ``consequence`` (the policy's text where failed), ``penalty_wan`` and ``reasons``.

    Raises
    ------
    SchemaError
        Projects in ``commitments`` missing from ``actuals``; repeated ids; negative amounts.
    ValueError
        Invalid ``stage``; a penalty rate for an indicator not checked at this stage.

    Examples
    --------
    >>> committed = pd.DataFrame({"far": [1.2], "investment_wan_per_mu": [300.0],
    ...                           "tax_wan_per_mu": [25.0]}, index=["P1"])
    >>> actual = pd.DataFrame({"land_area_m2": [10_000.0], "floor_area_m2": [10_500.0],
    ...                        "invested_wan": [4_800.0], "tax_wan": [300.0]}, index=["P1"])
    >>> done = accept_standard_land(committed, actual, policy="qingdao-2019", stage="completion")
    >>> done[["far_actual", "far_shortfall", "investment_wan_per_mu_actual"]].round(4).to_dict("records")
    [{'far_actual': 1.05, 'far_shortfall': 0.15, 'investment_wan_per_mu_actual': 320.0}]
    >>> done["passed"].tolist(), done["indicators_failed"].tolist()
    ([False], ['far'])
    >>> review = accept_standard_land(committed, actual, policy="qingdao-2019", stage="production",
    ...                               penalty_rates={"tax_wan_per_mu": 1.0})
    >>> review[["tax_wan_per_mu_actual", "tax_wan_per_mu_shortfall", "penalty_wan"]].round(4).to_dict("records")
    [{'tax_wan_per_mu_actual': 20.0, 'tax_wan_per_mu_shortfall': 5.0, 'penalty_wan': 75.0}]
    """
    caller = "accept_standard_land"
    check_frame(commitments, name="commitments", caller=caller, geometry=False)
    check_frame(actuals, name="actuals", caller=caller, geometry=False)
    policy = resolve_policy(policy, caller=caller)
    check_choice(stage, _STAGES, name="stage", caller=caller)
    check_lang(lang, caller=caller)
    commit, actual = _matched(commitments, actuals, on=on, caller=caller)
    n = len(commit)
    land_c, how_c = land_area(commit, name="commitments", caller=caller)
    land_a, how_a = land_area(actual, name="actuals", caller=caller)
    committed, keys, rates = _commitments(
        commit,
        land_c,
        how_c,
        stage=stage,
        penalty_rates=penalty_rates,
        policy=policy,
        lang=lang,
        caller=caller,
    )
    measured = indicator_values(
        actual,
        land_a,
        role="actual",
        keys=keys,
        land_how=how_a,
        name="actuals",
        caller=caller,
        lang=lang,
    )
    reqs = {}
    for key in keys:
        value, _why = committed[key]
        reqs[key] = value if value is not None else np.full(n, np.nan)
    cols, any_failed, any_missing, failed_parts, missing_parts = evaluate_indicators(
        measured, reqs, keys, n=n, policy=policy, lang=lang, required_label="committed"
    )
    ordered = _acceptance_columns(cols, reqs, keys, n)
    ordered["passed"] = verdict(any_failed, any_missing)
    ordered["consequence"] = _consequence(policy, stage, lang, any_failed)
    ordered["penalty_wan"] = _penalty(rates, cols, land_a if land_a is not None else land_c, n)
    ordered["reasons"] = join_reasons(failed_parts, missing_parts, n, lang)
    out = result_frame(commit, ordered)
    out.attrs.update(
        {
            "policy": policy.name,
            "stage": stage,
            "indicators": list(keys),
            "penalty": (
                "Σ rate × shortfall × 亩 (user-supplied rates)"
                if rates
                else "not computed: no penalty formula was found (POLICY-FACTS §2.3); pass penalty_rates"
            ),
        }
    )
    return out


def _matched(
    commitments: pd.DataFrame, actuals: pd.DataFrame, *, on: str | None, caller: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The commitments keyed by project, and the actuals of the same projects in that order."""
    commit = _keyed(commitments, on, name="commitments", caller=caller)
    actual_all = _keyed(actuals, on, name="actuals", caller=caller)
    missing = commit.index.difference(actual_all.index, sort=False)
    if len(missing):
        msg = (
            f"{caller}: {len(missing)} of {len(commit)} projects in `commitments` have no row in "
            f"`actuals`: {format_ids(missing.tolist())}. Measure them, or leave them out of "
            "`commitments`; rows are matched by " + (f"`{on}`." if on else "index (or pass on=).")
        )
        raise SchemaError(msg)
    return commit, actual_all.loc[commit.index]


def _commitments(
    commit: pd.DataFrame,
    land: np.ndarray | None,
    land_how: str,
    *,
    stage: str,
    penalty_rates: Mapping[str, float] | None,
    policy: Policy,
    lang: Lang,
    caller: str,
) -> tuple[dict[str, tuple[np.ndarray | None, str]], list[str], Mapping[str, float] | None]:
    """Committed values of the stage's indicators, the keys to check and the penalty rates.

    The core indicators are always checked, the others where committed or given a rate.
    """
    stage_inds = [ind for ind in INDICATORS if ind.stage == stage]
    all_keys = [ind.key for ind in stage_inds]
    committed = indicator_values(
        commit,
        land,
        role="commitment",
        keys=all_keys,
        land_how=land_how,
        name="commitments",
        caller=caller,
        lang=lang,
    )
    keys = [ind.key for ind in stage_inds if ind.group == "3" or committed[ind.key][0] is not None]
    rates = _penalty_rates(penalty_rates, policy, stage=stage, keys=all_keys, caller=caller)
    if rates is not None:
        keys = list(dict.fromkeys([*keys, *rates]))
    return committed, keys, rates


def _penalty_rates(
    penalty_rates: Mapping[str, float] | None,
    policy: Policy,
    *,
    stage: str,
    keys: list[str],
    caller: str,
) -> Mapping[str, float] | None:
    """The penalty rates (given, else the policy's), checked against the stage's indicators."""
    rates = (
        penalty_rates
        if penalty_rates is not None
        else setting(policy, "standard_land.penalty_rates")
    )
    if rates is None:
        return None
    if not isinstance(rates, Mapping):
        msg = f"{caller}: `penalty_rates` must map indicator keys to 万元 rates; received {type(rates).__name__}."
        raise TypeError(msg)
    wrong = [k for k in rates if k not in keys]
    if wrong:
        msg = (
            f"{caller}: penalty rate(s) for {', '.join(map(repr, wrong))}, not checked at the "
            f"{stage} stage; indicators of this stage: {', '.join(keys)}."
        )
        raise ValueError(msg)
    for k, v in rates.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v >= 0:
            msg = f"{caller}: `penalty_rates[{k!r}]` must be a number ≥ 0; received {v!r}."
            raise ValueError(msg)
    return rates


def _acceptance_columns(
    cols: dict[str, Any], reqs: dict[str, np.ndarray], keys: list[str], n: int
) -> dict[str, Any]:
    """Per indicator: committed, actual, met, shortfall and its share; then the failed keys."""
    ordered: dict[str, Any] = {}
    for key in keys:
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(reqs[key] > 0, cols[f"{key}_shortfall"] / reqs[key], np.nan)
        cols[f"{key}_shortfall_share"] = share
        for suffix in ("committed", "actual", "met", "shortfall", "shortfall_share"):
            ordered[f"{key}_{suffix}"] = cols[f"{key}_{suffix}"]
    ordered["indicators_failed"] = keys_failed(cols, keys, n)
    return ordered


def _consequence(policy: Policy, stage: str, lang: Lang, any_failed: np.ndarray) -> np.ndarray:
    """The policy's consequence text where a project failed, "" elsewhere."""
    texts = setting(policy, "standard_land.consequences") or {}
    consequence = texts.get(stage if lang == "zh" else f"{stage}_en")
    if consequence is None:
        consequence = (
            "policy sets no consequence (standard_land.consequences)"
            if lang == "en"
            else "政策未设定后果（standard_land.consequences）"
        )
    return np.where(any_failed, consequence, "").astype(object)


def _penalty(
    rates: Mapping[str, float] | None, cols: dict[str, Any], land: np.ndarray | None, n: int
) -> np.ndarray:
    """Σ rate × shortfall × 亩 per project; NaN without rates or land."""
    penalty = np.full(n, np.nan)
    if rates and land is not None:
        penalty = np.zeros(n)
        for key, rate in rates.items():
            penalty = penalty + float(rate) * cols[f"{key}_shortfall"] * mu(land)
    return penalty
