"""Multi-storey factories (工业上楼) and supporting apartments (配建产业配套公寓).

Public API: :mod:`landuse.supply`.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

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
from landuse.errors import SchemaError
from landuse.policy import Policy
from landuse.supply._common import (
    as_array,
    check_choice,
    check_non_negative,
    check_number,
    code_versions,
    division_factor,
    fmt,
    land_area,
    min_far_lookup,
    mu,
    row_labels,
    setting,
)
from landuse.supply._indicators import boolean, join_text, result_frame

__all__ = ["apartment_allowance", "check_apartment_plan", "multistorey_potential"]

Variant = Literal["standard", "rental"]
_VARIANTS = ("standard", "rental")


def suitable_divisions(policy: Policy) -> dict[str, set[str]]:
    """Suitable industries by edition: {"2017": {...}, "2002": {...}} (2002 via the crosswalk)."""
    listed = set((policy.multistorey.suitable_industries_2017 or {}).keys())
    old: set[str] = set()
    for row in policy.far.crosswalk_2017_to_2002 or ():
        if row.code_2017 in listed:
            old.update(row.codes_2002)
    return {"2017": listed, "2002": old}


def _per_row(value: Any, n: int, *, name: str, caller: str, index: pd.Index) -> np.ndarray:
    """Return a scalar or a Series aligned on ``index`` as a float array of length n."""
    if isinstance(value, pd.Series):
        if not value.index.equals(index):
            value = value.reindex(index)
        arr = as_array(value, name=name, caller=caller)
    else:
        arr = np.full(n, check_number(value, name=name, caller=caller))
    return arr


def _kleene_and(*arrays: pd.arrays.BooleanArray) -> pd.arrays.BooleanArray:
    out = arrays[0]
    for arr in arrays[1:]:
        out = out & arr
    return out


_MS_TEXT = {
    "zh": {
        "not_industrial": "非工业用地",
        "industrial_na": "用途未知",
        "not_suitable": "行业不在工业上楼适宜名单",
        "suitable_na": "行业代码缺失",
        "already": "已为工业上楼（容积率及高度/层数）",
        "far_na": "现状容积率或高度/层数未知",
        "small_site": "用地不足高层工业楼宇最小规模",
        "candidate": "可工业上楼",
        "not_candidate": "不宜工业上楼: ",
    },
    "en": {
        "not_industrial": "not industrial land",
        "industrial_na": "land use unknown",
        "not_suitable": "industry not on the multi-storey list",
        "suitable_na": "industry code missing",
        "already": "already multi-storey (FAR and height/floors)",
        "far_na": "current FAR or height/floors unknown",
        "small_site": "site below the high-rise minimum",
        "candidate": "multi-storey candidate",
        "not_candidate": "not a candidate: ",
    },
}


def _state(arr: pd.arrays.BooleanArray) -> np.ndarray:
    """0 False, 1 True, 2 NA."""
    out = np.where(np.asarray(arr.fillna(False), dtype=bool), 1, 0)
    return np.where(np.asarray(arr.isna()), 2, out)


def _ms_reasons(
    industrial: pd.arrays.BooleanArray,
    suitable: pd.arrays.BooleanArray,
    already: pd.arrays.BooleanArray,
    high_rise: pd.arrays.BooleanArray,
    lang: Lang,
) -> pd.Categorical:
    text = _MS_TEXT[lang]
    combo = _state(industrial) * 27 + _state(suitable) * 9 + _state(already) * 3 + _state(high_rise)
    labels: list[str] = []
    for c in range(81):  # every combination of three states of four flags: a lookup table
        ind, sui, alr, hig = c // 27, (c // 9) % 3, (c // 3) % 3, c % 3
        against = []
        unknown = []
        if ind == 0:
            against.append(text["not_industrial"])
        elif ind == 2:
            unknown.append(text["industrial_na"])
        if sui == 0:
            against.append(text["not_suitable"])
        elif sui == 2:
            unknown.append(text["suitable_na"])
        if alr == 1:
            against.append(text["already"])
        elif alr == 2:
            unknown.append(text["far_na"])
        note = [text["small_site"]] if hig == 0 else []
        if against:
            parts = [text["not_candidate"] + "; ".join(against)]
        elif unknown:
            parts = ["; ".join(unknown)]
        else:
            parts = [text["candidate"]]
        labels.append("; ".join(parts + (note if not against else [])))
    categories = list(dict.fromkeys(labels))
    codes = np.array([categories.index(label) for label in labels])[combo]
    return pd.Categorical.from_codes(codes, categories=categories).remove_unused_categories()


@records_policy
def multistorey_potential(
    parcels: pd.DataFrame,
    *,
    policy: PolicyLike,
    target_far: float | pd.Series | None = None,
    unit_m2: float | None = None,
    min_unit_m2: float | None = None,
    single_storey_far: float | pd.Series | None = None,
    admin_living_share: float | None = None,
    shared_share: float | None = None,
    code_version: Literal["2017", "2002"] = "2017",
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Multi-storey factory (工业上楼) potential of each parcel.

    Which parcels suit it, the floor area they hold at the target FAR, the land a single-storey
    plant would need for the same floor area, and how many enterprise units that floor area
    gives once the parts that may not be subdivided are set aside.

    Parameters
    ----------
    parcels
        Parcels with ``industry_code`` (GB/T 4754, edition per ``industry_code_version`` or
        ``code_version``), ``land_use``, ``floor_area_m2`` and the land area
        (``land_area_m2``, else the geometry area in a projected CRS). Missing columns make the
        depending results NA, never a silent pass.
    policy
        A :class:`~landuse.policy.Policy`, a built-in profile name or a path to a TOML profile:
        ``multistorey.suitable_industries_2017`` (suitable industries), ``.far_min`` (2.0) and
        ``.height_over_m`` / ``.floors_min`` (> 24 m or ≥ 5 floors: the definition of 工业上楼,
        POLICY-FACTS §5.1), ``.high_rise_site_ha_min`` and ``.high_rise_far`` (Qingdao
        城阳: site ≥ 2 ha, FAR ≈ 3.0), ``.enterprise_unit_m2`` (3,000 m²),
        ``.subdivision_unit_min_m2`` (set locally: a required input),
        ``control.admin_living_floor_share_max`` and the minimum FAR table.
    target_far
        FAR to plan for (number or Series on the parcels' index). Default: ``high_rise_far``
        on sites of at least ``high_rise_site_ha_min``, ``far_min`` elsewhere.
    unit_m2
        Floor area of one enterprise unit. Default ``multistorey.enterprise_unit_m2``.
    min_unit_m2
        Smallest unit that may be transferred separately (分割转让). Default
        ``policy.require("multistorey.subdivision_unit_min_m2")``: the county or zone sets it
        (POLICY-FACTS §5.5), so without it here or in the policy a PolicyError is raised.
    single_storey_far
        FAR of the single-storey plant compared with. Default: the industry's minimum FAR
        (``policy.min_far``), the least land-efficient plant the rules allow (a single high-bay
        storey over 8 m counts double); NaN where the industry has none.
    admin_living_share
        Share of floor area in offices, dormitories and canteens, which may not be transferred
        separately. Default ``control.admin_living_floor_share_max`` (15 %, the cap).
    shared_share
        Share of floor area in shared facilities (roads, circulation, fire and pump rooms,
        property office), which may not be subdivided (POLICY-FACTS §5.5). No source gives a
        share, so there is no policy value: give your building's share. Without it none is set
        aside and the result says so (``attrs["assumed"]``): the subdividable floor area and
        the unit counts are then upper bounds.
    code_version
        Edition of ``industry_code`` where the parcels do not say.
    lang
        Language of ``reasons``.

    Returns
    -------
    pandas.DataFrame
        On the parcels' index: ``industrial``, ``suitable_industry``, ``high_rise_site``,
        ``already_multistorey`` (current FAR ≥ ``far_min`` AND (height > ``height_over_m`` OR
        floors ≥ ``floors_min``); NA where FAR ≥ ``far_min`` but height and floors are unknown)
        and ``candidate`` (industrial land, suitable industry, not yet multi-storey), all
        nullable booleans; ``multistorey_criteria`` (text: each criterion with its value and
        whether it held); ``far`` (current),
        ``target_far``, ``floor_area_target_m2``, ``floor_area_added_m2`` (beyond the current
        floor area), ``single_storey_far``, ``land_saved_m2`` and ``land_saved_mu`` (land a
        single-storey plant needs for the target floor area, minus the parcel),
        ``subdividable_share``, ``subdividable_floor_m2``, ``enterprise_units`` (whole units of
        ``unit_m2``), ``units_at_min_size`` (most units the local minimum allows) and
        ``reasons`` (categorical text). ``attrs``: policy, unit sizes and shares used,
        ``assumed`` (what was assumed for lack of input: ``shared_share`` when not given).

    Raises
    ------
    PolicyError
        No ``min_unit_m2`` and none in the policy.
    ValueError
        Non-positive FARs or unit sizes, ``unit_m2`` below ``min_unit_m2``, shares outside
        [0, 1) or summing to ≥ 1, malformed industry codes, land area ≤ 0.

    Examples
    --------
    >>> parcels = pd.DataFrame({
    ...     "industry_code": ["39", "36"], "land_use": ["industrial", "industrial"],
    ...     "land_area_m2": [20_000.0, 10_000.0], "floor_area_m2": [20_000.0, 8_000.0]})
    >>> out = multistorey_potential(parcels, policy="qingdao-2019", min_unit_m2=500)
    >>> out[["candidate", "target_far", "floor_area_target_m2", "land_saved_mu", "enterprise_units"]].round(2)
       candidate  target_far  floor_area_target_m2  land_saved_mu  enterprise_units
    0       True         3.0               60000.0          60.00                17
    1      False         2.0               20000.0          27.86                 5

    Parcel 0 (2 ha, electronics) takes a high-rise building at FAR 3.0: 60,000 m², which a
    single-storey plant at the industry's minimum FAR 1.0 would need 6 ha (90 亩) for, so 60 亩
    are saved; 85 % of it (offices and dormitories excluded; no shared facilities given, so
    none set aside) makes 17 units of 3,000 m².

    >>> out.attrs["assumed"]
    {'shared_share': '未给出: 未扣除公共设施面积；可分割面积与单元数为上限'}
    >>> out.loc[0, "multistorey_criteria"]
    '容积率 1.00 < 2; 高度未知; 层数未知'
    """
    caller = "multistorey_potential"
    check_frame(parcels, name="parcels", caller=caller, geometry=False)
    policy = resolve_policy(policy, caller=caller)
    check_lang(lang, caller=caller)
    check_choice(code_version, ("2017", "2002"), name="code_version", caller=caller)
    sizes = _unit_sizes(
        policy,
        unit_m2=unit_m2,
        min_unit_m2=min_unit_m2,
        admin_living_share=admin_living_share,
        shared_share=shared_share,
        caller=caller,
    )
    n = len(parcels)
    far_min = float(policy.require("multistorey.far_min"))
    land, _ = land_area(parcels, name="parcels", caller=caller)
    land = land if land is not None else np.full(n, np.nan)
    check_non_negative(parcels, ["floor_area_m2"], name="parcels", caller=caller)
    suitable, single = _industry(
        parcels,
        policy,
        code_version=code_version,
        single_storey_far=single_storey_far,
        caller=caller,
    )
    industrial = _industrial(parcels)
    high_rise, floor, far, far_ok = _site(parcels, land, policy, far_min=far_min, caller=caller)
    tall, criteria = _building_criteria(
        parcels, far, far_ok, policy, far_min=far_min, lang=lang, caller=caller
    )
    already = _kleene_and(far_ok, tall)
    target = _target_far(
        target_far, high_rise, policy, far_min=far_min, index=parcels.index, caller=caller
    )
    out = pd.DataFrame(
        {
            "industrial": industrial,
            "suitable_industry": suitable,
            "high_rise_site": high_rise,
            "far": far,
            "already_multistorey": already,
            "candidate": _kleene_and(industrial, suitable, ~already),
            "multistorey_criteria": criteria,
            **_potential(land, floor, target, single, sizes),
            "reasons": _ms_reasons(industrial, suitable, already, high_rise, lang),
        },
        index=parcels.index,
        copy=False,
    )
    out.attrs.update({"policy": policy.name, **sizes._asdict()})
    out.attrs["assumed"] = {"shared_share": _SHARED_ASSUMED[lang]} if shared_share is None else {}
    return out


#: What is said when no shared-facility share is given (method choice: assume none, say so).
_SHARED_ASSUMED = {
    "zh": "未给出: 未扣除公共设施面积；可分割面积与单元数为上限",
    "en": (
        "not given: no floor area set aside for shared facilities; subdividable floor area "
        "and units are upper bounds"
    ),
}

_CRITERIA_TEXT = {
    "zh": {"far": "容积率", "height": "高度", "floors": "层数", "na": "未知", "m": " m"},
    "en": {"far": "FAR", "height": "height", "floors": "floors", "na": " unknown", "m": " m"},
}


def _column(parcels: pd.DataFrame, name: str, *, caller: str) -> np.ndarray:
    """Return a numeric column of ``parcels`` as floats, NaN when absent."""
    if name in parcels.columns:
        return as_array(parcels[name], name=f"parcels.{name}", caller=caller)
    return np.full(len(parcels), np.nan)


def _building_criteria(
    parcels: pd.DataFrame,
    far: np.ndarray,
    far_ok: pd.arrays.BooleanArray,
    policy: Policy,
    *,
    far_min: float,
    lang: Lang,
    caller: str,
) -> tuple[pd.arrays.BooleanArray, np.ndarray]:
    """Height > ``height_over_m`` OR floors ≥ ``floors_min`` (Kleene), and the criteria text.

    The text names each criterion of 工业上楼 with its value and whether it held (≥ / > held,
    < / ≤ did not); an unknown value or an unset policy key is "unknown".
    """
    check_non_negative(parcels, ["building_height_m", "floors"], name="parcels", caller=caller)
    height = _column(parcels, "building_height_m", caller=caller)
    floors = _column(parcels, "floors", caller=caller)
    h_min = setting(policy, "multistorey.height_over_m")
    f_min = setting(policy, "multistorey.floors_min")
    h_known = ~np.isnan(height) & (h_min is not None)
    f_known = ~np.isnan(floors) & (f_min is not None)
    h_ok = h_known & (np.nan_to_num(height) > (h_min or 0))
    f_ok = f_known & (np.nan_to_num(floors) >= (f_min or 0))
    held = h_ok | f_ok
    tall = boolean(held | (h_known & f_known), held)
    text = _CRITERIA_TEXT[lang]
    far_known = ~np.asarray(far_ok.isna())
    far_held = np.asarray(far_ok.fillna(False), dtype=bool)
    m = text["m"]
    parts = [
        _criterion(
            far_known,
            text["far"] + " " + np.char.mod("%.2f", far).astype(object),
            np.where(far_held, " ≥ ", " < "),
            fmt(far_min),
            text["far"] + text["na"],
        ),
        _criterion(
            h_known,
            text["height"] + " " + _distinct_fmt(height) + m,
            np.where(h_ok, " > ", " ≤ "),
            fmt(float(h_min or 0)) + m,
            text["height"] + text["na"],
        ),
        _criterion(
            f_known,
            text["floors"] + " " + _distinct_fmt(floors),
            np.where(f_ok, " ≥ ", " < "),
            fmt(float(f_min or 0)),
            text["floors"] + text["na"],
        ),
    ]
    return tall, parts[0] + "; " + parts[1] + "; " + parts[2]


def _criterion(
    known: np.ndarray, value: np.ndarray, sign: np.ndarray, bound: str, unknown: str
) -> np.ndarray:
    """``value sign bound`` per row where ``known``, else the ``unknown`` text (object array)."""
    return np.where(known, value + sign.astype(object) + bound, unknown).astype(object)


def _distinct_fmt(values: np.ndarray) -> np.ndarray:
    """:func:`fmt` of each value, computed once per distinct value (object array)."""
    distinct, inverse = np.unique(values, return_inverse=True)
    return np.array([fmt(v) for v in distinct], dtype=object)[inverse.reshape(-1)]


class _Sizes(NamedTuple):
    unit_m2: float
    min_unit_m2: float
    admin_living_share: float
    shared_share: float


def _unit_sizes(
    policy: Policy,
    *,
    unit_m2: float | None,
    min_unit_m2: float | None,
    admin_living_share: float | None,
    shared_share: float | None,
    caller: str,
) -> _Sizes:
    """Check the unit sizes and the shares set aside (defaults from the policy)."""
    unit = check_number(
        unit_m2 if unit_m2 is not None else policy.require("multistorey.enterprise_unit_m2"),
        name="unit_m2",
        caller=caller,
        low=0,
        low_inclusive=False,
    )
    min_unit = check_number(
        min_unit_m2
        if min_unit_m2 is not None
        else policy.require("multistorey.subdivision_unit_min_m2"),
        name="min_unit_m2",
        caller=caller,
        low=0,
        low_inclusive=False,
    )
    if unit < min_unit:
        msg = (
            f"{caller}: `unit_m2` = {unit:g} m² is below the minimum subdivision unit "
            f"`min_unit_m2` = {min_unit:g} m²: units that small may not be transferred "
            "separately. Plan larger units or check the local minimum."
        )
        raise ValueError(msg)
    admin = check_number(
        admin_living_share
        if admin_living_share is not None
        else policy.require("control.admin_living_floor_share_max"),
        name="admin_living_share",
        caller=caller,
        low=0,
        high=1,
        high_inclusive=False,
    )
    shared = check_number(
        shared_share if shared_share is not None else 0.0,
        name="shared_share",
        caller=caller,
        low=0,
        high=1,
        high_inclusive=False,
    )
    if admin + shared >= 1:
        msg = (
            f"{caller}: `admin_living_share` + `shared_share` = {admin:g} + {shared:g} leaves no "
            "floor area to subdivide; their sum must be < 1."
        )
        raise ValueError(msg)
    return _Sizes(unit, min_unit, admin, shared)


def _industry(
    parcels: pd.DataFrame,
    policy: Policy,
    *,
    code_version: str,
    single_storey_far: Any,
    caller: str,
) -> tuple[pd.arrays.BooleanArray, np.ndarray]:
    """Per parcel: suitable industry (NA without a code) and the single-storey FAR."""
    n = len(parcels)
    if "industry_code" in parcels.columns:
        code_idx, divisions = division_factor(
            parcels["industry_code"],
            name="parcels.industry_code",
            caller=caller,
            labels=lambda: row_labels(parcels),
        )
    else:
        code_idx, divisions = np.full(n, -1, dtype=np.int64), []
    versions = code_versions(parcels, code_version, caller=caller)
    version_idx, version_names = pd.factorize(versions)
    has_code = code_idx >= 0
    # one entry per (division, edition) pair present: rules are evaluated once per pair
    pair = np.where(has_code, code_idx * len(version_names) + version_idx, -1)
    pair_idx, pair_uniques = pd.factorize(pair)
    pairs = [
        (divisions[u // len(version_names)], str(version_names[u % len(version_names)]))
        if u >= 0
        else ("", "")
        for u in pair_uniques
    ]
    suitable_sets = suitable_divisions(policy)
    suit_u = np.array([c in suitable_sets.get(v, set()) for c, v in pairs], dtype=bool)
    suitable = boolean(has_code, suit_u[pair_idx])
    if single_storey_far is None:
        table, _, _ = min_far_lookup(policy, [(c, v) for c, v in pairs if c])
        far_u = np.array([table.get((c, v), np.nan) if c else np.nan for c, v in pairs])
        single = far_u[pair_idx]
    else:
        single = _per_row(
            single_storey_far, n, name="single_storey_far", caller=caller, index=parcels.index
        )
    bad = ~np.isnan(single) & (single <= 0)
    if bad.any():
        msg = f"{caller}: `single_storey_far` must be > 0; received {fmt(float(single[bad][0]))}."
        raise ValueError(msg)
    return suitable, single


def _industrial(parcels: pd.DataFrame) -> pd.arrays.BooleanArray:
    """Per parcel: industrial land use (NA where unknown)."""
    n = len(parcels)
    if "land_use" not in parcels.columns:
        return boolean(np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    lu_idx, lu_names = pd.factorize(parcels["land_use"])
    is_ind = np.array([str(u) == "industrial" for u in lu_names] + [False], dtype=bool)
    return boolean(lu_idx >= 0, is_ind[lu_idx])


def _site(
    parcels: pd.DataFrame, land: np.ndarray, policy: Policy, *, far_min: float, caller: str
) -> tuple[pd.arrays.BooleanArray, np.ndarray, np.ndarray, pd.arrays.BooleanArray]:
    """Per parcel: a high-rise site, floor area, current FAR, FAR ≥ ``far_min`` or not."""
    n = len(parcels)
    site_min = setting(policy, "multistorey.high_rise_site_ha_min")
    if site_min is None:
        high_rise = boolean(np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    else:
        high_rise = boolean(~np.isnan(land), np.nan_to_num(land) >= site_min * 10_000.0)
    if "floor_area_m2" in parcels.columns:
        floor = as_array(parcels["floor_area_m2"], name="parcels.floor_area_m2", caller=caller)
    else:
        floor = np.full(n, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        far = floor / land
    already = boolean(~np.isnan(far), np.nan_to_num(far) >= far_min * (1 - 1e-9))
    return high_rise, floor, far, already


def _target_far(
    target_far: Any,
    high_rise: pd.arrays.BooleanArray,
    policy: Policy,
    *,
    far_min: float,
    index: pd.Index,
    caller: str,
) -> np.ndarray:
    """The FAR to plan for: given, else ``high_rise_far`` on high-rise sites, else ``far_min``."""
    if target_far is None:
        high = setting(policy, "multistorey.high_rise_far")
        use_high = np.asarray(high_rise.fillna(False), dtype=bool) & (high is not None)
        return np.where(use_high, high if high is not None else far_min, far_min)
    target = _per_row(target_far, len(index), name="target_far", caller=caller, index=index)
    if (~np.isnan(target) & (target <= 0)).any():
        msg = f"{caller}: `target_far` must be > 0."
        raise ValueError(msg)
    return target


def _potential(
    land: np.ndarray, floor: np.ndarray, target: np.ndarray, single: np.ndarray, sizes: _Sizes
) -> dict[str, Any]:
    """Floor area at the target FAR, land saved, subdividable floor area and units."""
    floor_target = land * target
    with np.errstate(invalid="ignore"):
        added = np.maximum(floor_target - floor, 0.0)
        saved = floor_target / single - land
    sub_share = 1.0 - sizes.admin_living_share - sizes.shared_share
    sub_floor = floor_target * sub_share
    with np.errstate(invalid="ignore"):
        units = np.floor(sub_floor / sizes.unit_m2 + 1e-9)
        units_min = np.floor(sub_floor / sizes.min_unit_m2 + 1e-9)
    return {
        "target_far": target,
        "floor_area_target_m2": floor_target,
        "floor_area_added_m2": added,
        "single_storey_far": single,
        "land_saved_m2": saved,
        "land_saved_mu": mu(saved),
        "subdividable_share": np.full(len(land), sub_share),
        "subdividable_floor_m2": sub_floor,
        "enterprise_units": _whole(units),
        "units_at_min_size": _whole(units_min),
    }


def _whole(counts: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole counts as nullable integers (NA where NaN)."""
    missing = np.isnan(counts)
    return pd.arrays.IntegerArray(np.where(missing, 0, counts).astype(np.int64), missing)


# --- supporting apartments -------------------------------------------------------------------


def _caps(policy: Policy, variant: str) -> tuple[float, float, float]:
    """(land share cap, floor share cap, standard floor share cap) for ``variant``."""
    standard_floor = float(policy.require("supporting_housing.floor_share_max"))
    if variant == "rental":
        return (
            float(policy.require("supporting_housing.rental_land_share_max")),
            float(policy.require("supporting_housing.rental_floor_share_max")),
            standard_floor,
        )
    return (
        float(policy.require("supporting_housing.land_share_max")),
        standard_floor,
        standard_floor,
    )


def _floor_area(
    frame: pd.DataFrame, land: np.ndarray, far: float | None, *, name: str, caller: str
) -> np.ndarray:
    if far is not None:
        return land * check_number(far, name="far", caller=caller, low=0, low_inclusive=False)
    if "floor_area_m2" in frame.columns:
        return as_array(frame["floor_area_m2"], name=f"{name}.floor_area_m2", caller=caller)
    return np.full(len(frame), np.nan)


@records_policy
def apartment_allowance(
    parcels: pd.DataFrame,
    *,
    policy: PolicyLike,
    variant: Variant = "standard",
    far: float | None = None,
) -> pd.DataFrame:
    """Supporting apartments (配建产业配套公寓) a parcel may hold under the admin/living caps.

    Offices and living facilities together may take at most ``land_share_max`` of the site
    and ``floor_share_max`` of the floor area (7 % / 15 %); with dormitory-type affordable
    rental housing the caps rise to 15 % / 30 %, the increase being for that housing only
    (POLICY-FACTS §1.1, §1.5, §5.6).

    Parameters
    ----------
    parcels
        Land area (``land_area_m2`` or geometry) and total floor area ``floor_area_m2``
        (planned or built); optional ``office_floor_m2``: office floor area, which shares the
        cap with the apartments (without it the allowance covers offices and apartments
        together).
    policy
        ``supporting_housing.*`` caps: a :class:`~landuse.policy.Policy`, a built-in profile name or a
        path to a TOML profile.
    variant
        ``"standard"`` (7 % / 15 %) or ``"rental"`` (15 % / 30 %).
    far
        Plan at this FAR instead of ``floor_area_m2`` (floor area = land × far).

    Returns
    -------
    pandas.DataFrame
        On the parcels' index, m²: ``admin_living_land_max_m2``, ``admin_living_floor_max_m2``,
        ``apartment_floor_max_m2`` (floor cap minus office floor, ≥ 0) and
        ``rental_only_floor_m2`` (the part of the allowance that must be dormitory-type rental
        housing; 0 for ``"standard"``). NaN where the floor area is unknown.

    Examples
    --------
    >>> parcels = pd.DataFrame({"land_area_m2": [20_000.0], "floor_area_m2": [40_000.0],
    ...                         "office_floor_m2": [2_000.0]})
    >>> apartment_allowance(parcels, policy="qingdao-2019").round(1).to_dict("records")
    [{'admin_living_land_max_m2': 1400.0, 'admin_living_floor_max_m2': 6000.0, 'apartment_floor_max_m2': 4000.0, 'rental_only_floor_m2': 0.0}]
    >>> apartment_allowance(parcels, policy="qingdao-2019", variant="rental").round(1).to_dict("records")
    [{'admin_living_land_max_m2': 3000.0, 'admin_living_floor_max_m2': 12000.0, 'apartment_floor_max_m2': 10000.0, 'rental_only_floor_m2': 6000.0}]
    """
    caller = "apartment_allowance"
    check_frame(parcels, name="parcels", caller=caller, geometry=False)
    policy = resolve_policy(policy, caller=caller)
    check_choice(variant, _VARIANTS, name="variant", caller=caller)
    land, how = land_area(parcels, name="parcels", caller=caller)
    if land is None:
        msg = f"{caller}: `parcels` needs the land area: {how}."
        raise SchemaError(msg)
    check_non_negative(parcels, ["floor_area_m2", "office_floor_m2"], name="parcels", caller=caller)
    land_cap, floor_cap, standard_floor = _caps(policy, variant)
    floor = _floor_area(parcels, land, far, name="parcels", caller=caller)
    office = (
        np.nan_to_num(as_array(parcels["office_floor_m2"], name="office_floor_m2", caller=caller))
        if "office_floor_m2" in parcels.columns
        else np.zeros(len(parcels))
    )
    floor_max = floor * floor_cap
    out = pd.DataFrame(
        {
            "admin_living_land_max_m2": land * land_cap,
            "admin_living_floor_max_m2": floor_max,
            "apartment_floor_max_m2": np.maximum(floor_max - office, 0.0),
            "rental_only_floor_m2": floor * (floor_cap - standard_floor),
        },
        index=parcels.index,
    )
    out.attrs.update({"policy": policy.name, "variant": variant})
    return out


_APT_TEXT = {
    "zh": {
        "land": "配套用地 {value} > 上限 {cap}（超 {excess} m²）",
        "floor": "配套建筑面积 {value} > 上限 {cap}（超 {excess} m²）",
        "rental": "超出常规上限的 {need} m² 须为宿舍型保障性租赁住房，仅有 {have} m²",
        "unit": "{cap} m² 及以下户型占 {value}，低于 {min}",
        "unit_unset": "小户型占比无政策门槛: 设置 `supporting_housing.small_unit_share_min`",
        "unit_na": "小户型占比未知: 给出 `dwelling_units` 与 `dwelling_units_small`",
        "sme": "非重点中小企业",
        "own_land": "非企业自有未建设用地",
        "elig_na": "配建资格未知: `{col}` 缺值",
        "complete": "工业用地不得建设成套住宅",
        "ok": "符合",
        "na": "未评价: ",
        "missing": "缺少字段 `{col}`",
    },
    "en": {
        "land": "admin/living land {value} > cap {cap} ({excess} m² over)",
        "floor": "admin/living floor area {value} > cap {cap} ({excess} m² over)",
        "rental": "{need} m² above the normal cap must be dormitory-type rental housing; only {have} m²",
        "unit": "units ≤ {cap} m² are {value} of all, below {min}",
        "unit_unset": "no policy threshold for the share of small units: set "
        "`supporting_housing.small_unit_share_min`",
        "unit_na": "share of small units unknown: give `dwelling_units` and `dwelling_units_small`",
        "sme": "not a key SME",
        "own_land": "not on the firm's own unbuilt land",
        "elig_na": "eligibility unknown: `{col}` has no value",
        "complete": "complete housing is not allowed on industrial land",
        "ok": "complies",
        "na": "not evaluated: ",
        "missing": "missing column `{col}`",
    },
}


@records_policy
def check_apartment_plan(
    plans: pd.DataFrame,
    *,
    policy: PolicyLike,
    variant: Variant = "standard",
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Check apartment (配建) plans against the admin/living caps.

    Parameters
    ----------
    plans
        One row per plan: land area (``land_area_m2`` or geometry), ``floor_area_m2`` (total),
        ``admin_living_land_m2`` and ``admin_living_floor_m2`` (offices + living facilities,
        apartments included); for ``variant="rental"`` also ``rental_housing_floor_m2``
        (dormitory-type affordable rental housing) and optionally ``dwelling_units`` and
        ``dwelling_units_small`` (rental units in all, and those ≤ ``unit_floor_area_m2_max``,
        70 m²) or ``dwelling_unit_max_m2`` (largest unit: at or under 70 m², all units are
        small); optional ``complete_housing`` (bool: 成套住宅 planned). Where the policy sets
        ``supporting_housing.key_sme_own_unbuilt_land_required`` (qingdao-2019):
        ``key_sme`` and ``own_unbuilt_land`` (bool; missing → not evaluated).
    policy
        A :class:`~landuse.policy.Policy`, a built-in profile name or a path to a TOML profile:
        ``supporting_housing.*`` caps, the rental unit size and whether complete housing is
        allowed.
    variant
        ``"standard"`` or ``"rental"`` (see :func:`apartment_allowance`).
    lang
        Language of ``reasons``.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        Indexed like ``plans``: ``admin_living_land_share``, ``land_share_max``,
        ``land_ok``, ``admin_living_floor_share``, ``floor_share_max``, ``floor_ok``,
        ``excess_land_m2``, ``excess_floor_m2``, ``rental_ok``, ``small_unit_share`` and
        ``unit_size_ok`` (rental variant: units are "mostly ≤ 70 m²", so the share of small
        units is checked against ``supporting_housing.small_unit_share_min``; no source gives
        that share, so without it ``unit_size_ok`` is NA, not evaluated), ``eligible`` (key SME
        on its own unbuilt land, where the policy requires it), ``complete_housing_ok``,
        ``plan_ok`` (nullable booleans: NA = not evaluated, a missing column or value) and
        ``reasons``.

    Examples
    --------
    >>> plans = pd.DataFrame({"land_area_m2": [20_000.0, 20_000.0],
    ...     "floor_area_m2": [40_000.0, 40_000.0], "admin_living_land_m2": [1_200.0, 1_600.0],
    ...     "admin_living_floor_m2": [5_000.0, 7_000.0], "key_sme": [True, True],
    ...     "own_unbuilt_land": [True, False]})
    >>> out = check_apartment_plan(plans, policy="qingdao-2019")
    >>> out[["land_ok", "floor_ok", "excess_floor_m2", "eligible", "plan_ok"]]
       land_ok  floor_ok  excess_floor_m2  eligible  plan_ok
    0     True      True              0.0      True     True
    1    False     False           1000.0     False    False
    """
    caller = "check_apartment_plan"
    check_frame(plans, name="plans", caller=caller, geometry=False)
    policy = resolve_policy(policy, caller=caller)
    check_choice(variant, _VARIANTS, name="variant", caller=caller)
    check_lang(lang, caller=caller)
    text = _APT_TEXT[lang]
    n = len(plans)
    land, how = land_area(plans, name="plans", caller=caller)
    if land is None:
        msg = f"{caller}: `plans` needs the land area: {how}."
        raise SchemaError(msg)
    numeric = [
        "floor_area_m2",
        "admin_living_land_m2",
        "admin_living_floor_m2",
        "rental_housing_floor_m2",
        "dwelling_unit_max_m2",
        "dwelling_units",
        "dwelling_units_small",
    ]
    check_non_negative(plans, numeric, name="plans", caller=caller)
    land_cap, floor_cap, standard_floor = _caps(policy, variant)
    found = _Findings(plans, text, caller=caller)
    shares = _check_caps(found, land, land_cap=land_cap, floor_cap=floor_cap)
    small_share = None
    if variant == "rental":
        _check_rental(found, shares["floor_m2"], shares["al_floor_m2"], standard_floor)
        small_share = _check_unit_sizes(found, policy)
    _check_eligibility(found, policy)
    _check_complete_housing(found, policy)
    reasons = join_text(
        [
            found.failures(),
            np.where(found.gaps() != "", text["na"] + found.gaps(), "").astype(object),
        ],
        n,
    )
    data: dict[str, Any] = {
        "admin_living_land_share": shares["land_share"],
        "land_share_max": np.full(n, land_cap),
        "land_ok": found.checks["land_ok"],
        "admin_living_floor_share": shares["floor_share"],
        "floor_share_max": np.full(n, floor_cap),
        "floor_ok": found.checks["floor_ok"],
        "excess_land_m2": shares["excess_land_m2"],
        "excess_floor_m2": shares["excess_floor_m2"],
    }
    if small_share is not None:
        data["small_unit_share"] = small_share
    for key in ("rental_ok", "unit_size_ok", "eligible", "complete_housing_ok"):
        if key in found.checks:
            data[key] = found.checks[key]
    data["plan_ok"] = found.verdict()
    data["reasons"] = np.where(reasons == "", text["ok"], reasons).astype(object)
    out = result_frame(plans, data)
    out.attrs.update({"policy": policy.name, "variant": variant})
    return out


class _Findings:
    """The checks of apartment plans, with the failure and not-evaluated text of each row."""

    def __init__(self, plans: pd.DataFrame, text: dict[str, str], *, caller: str) -> None:
        self.plans = plans
        self.n = len(plans)
        self.text = text
        self.caller = caller
        self.checks: dict[str, pd.arrays.BooleanArray] = {}
        self._failed: list[np.ndarray] = []
        self._missing: list[np.ndarray] = []

    def column(self, name: str) -> np.ndarray:
        """A numeric column of the plans, NaN when absent."""
        if name in self.plans.columns:
            return as_array(self.plans[name], name=f"plans.{name}", caller=self.caller)
        return np.full(self.n, np.nan)

    def add(
        self,
        key: str,
        evaluated: np.ndarray,
        ok: np.ndarray,
        describe: Any,
        *,
        needs: tuple[str, ...] = (),
    ) -> None:
        """Record check ``key``: ``describe(i)`` for failed rows; absent ``needs`` columns."""
        self.checks[key] = boolean(evaluated, ok)
        absent = [c for c in needs if c not in self.plans.columns]
        if absent:
            msg = "; ".join(self.text["missing"].format(col=c) for c in absent)
            self._missing.append(np.where(~evaluated, msg, "").astype(object))
        part = np.full(self.n, "", dtype=object)
        rows = np.flatnonzero(evaluated & ~ok)
        if len(rows):
            part[rows] = [describe(i) for i in rows]
        self._failed.append(part)

    def unknown(self, mask: np.ndarray, text: str) -> None:
        """Add not-evaluated ``text`` to the rows of ``mask``."""
        self._missing.append(np.where(mask, text, "").astype(object))

    def failures(self) -> np.ndarray:
        """Failure text per row."""
        return join_text(self._failed, self.n)

    def gaps(self) -> np.ndarray:
        """Not-evaluated text per row."""
        return join_text(self._missing, self.n)

    def verdict(self) -> pd.arrays.BooleanArray:
        """All checks together (Kleene and: NA where none fails but one is NA)."""
        return _kleene_and(*self.checks.values())


def _check_caps(
    found: _Findings, land: np.ndarray, *, land_cap: float, floor_cap: float
) -> dict[str, np.ndarray]:
    """The land and floor shares of offices and living facilities against their caps."""
    text = found.text
    floor = found.column("floor_area_m2")
    al_land = found.column("admin_living_land_m2")
    al_floor = found.column("admin_living_floor_m2")
    with np.errstate(invalid="ignore", divide="ignore"):
        land_share = al_land / land
        floor_share = np.where(floor > 0, al_floor / np.where(floor > 0, floor, 1), np.nan)
    tol = 1e-9
    land_eval = ~np.isnan(land_share)
    land_ok = land_eval & (np.nan_to_num(land_share) <= land_cap + tol)
    floor_eval = ~np.isnan(floor_share)
    floor_ok = floor_eval & (np.nan_to_num(floor_share) <= floor_cap + tol)
    excess_land = np.where(land_eval, np.maximum(al_land - land * land_cap, 0.0), np.nan)
    excess_floor = np.where(floor_eval, np.maximum(al_floor - floor * floor_cap, 0.0), np.nan)
    found.add(
        "land_ok",
        land_eval,
        land_ok,
        lambda i: text["land"].format(
            value=f"{land_share[i]:.1%}", cap=f"{land_cap:.0%}", excess=fmt(excess_land[i])
        ),
        needs=("admin_living_land_m2",),
    )
    found.add(
        "floor_ok",
        floor_eval,
        floor_ok,
        lambda i: text["floor"].format(
            value=f"{floor_share[i]:.1%}", cap=f"{floor_cap:.0%}", excess=fmt(excess_floor[i])
        ),
        needs=("floor_area_m2", "admin_living_floor_m2"),
    )
    return {
        "floor_m2": floor,
        "al_floor_m2": al_floor,
        "land_share": land_share,
        "floor_share": floor_share,
        "excess_land_m2": excess_land,
        "excess_floor_m2": excess_floor,
    }


def _check_rental(
    found: _Findings,
    floor: np.ndarray,
    al_floor: np.ndarray,
    standard_floor: float,
) -> None:
    """Rental variant: the floor area above the normal cap is rental housing."""
    text = found.text
    rental = found.column("rental_housing_floor_m2")
    need = np.maximum(al_floor - floor * standard_floor, 0.0)
    rental_eval = ~np.isnan(need) & (~np.isnan(rental) | (need == 0))
    rental_ok = rental_eval & (np.nan_to_num(rental) >= need - 1e-6)
    found.add(
        "rental_ok",
        rental_eval,
        rental_ok,
        lambda i: text["rental"].format(need=fmt(need[i]), have=fmt(np.nan_to_num(rental[i]))),
        needs=("rental_housing_floor_m2",),
    )


def _check_unit_sizes(found: _Findings, policy: Policy) -> np.ndarray:
    """Rental units are "mostly ≤ 70 m²": the share of small units, checked if a threshold is set.

    The share is ``dwelling_units_small`` ÷ ``dwelling_units``, or 1 where the largest unit
    (``dwelling_unit_max_m2``) is at or under the size. No source says how large "mostly"
    is, so without ``supporting_housing.small_unit_share_min`` the check is not evaluated.
    """
    text = found.text
    size = setting(policy, "supporting_housing.unit_floor_area_m2_max")
    share_min = setting(policy, "supporting_housing.small_unit_share_min")
    total = found.column("dwelling_units")
    small = found.column("dwelling_units_small")
    if ((small > total) & ~np.isnan(small) & ~np.isnan(total)).any():
        msg = f"{found.caller}: `dwelling_units_small` exceeds `dwelling_units`."
        raise ValueError(msg)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, small / np.where(total > 0, total, 1), np.nan)
    largest = found.column("dwelling_unit_max_m2")
    all_small = ~np.isnan(largest) & (size is not None) & (largest <= (size or 0) + 1e-9)
    share = np.where(np.isnan(share) & all_small, 1.0, share)
    known = ~np.isnan(share)
    if share_min is None:
        found.add("unit_size_ok", np.zeros(found.n, dtype=bool), np.zeros(found.n, dtype=bool), str)
        found.unknown(np.ones(found.n, dtype=bool), text["unit_unset"])
        return share
    ok = known & (np.nan_to_num(share) >= share_min - 1e-9)
    found.add(
        "unit_size_ok",
        known,
        ok,
        lambda i: text["unit"].format(
            value=f"{share[i]:.0%}", cap=fmt(float(size or 0)), min=f"{share_min:.0%}"
        ),
    )
    found.unknown(~known, text["unit_na"])
    return share


def _check_eligibility(found: _Findings, policy: Policy) -> None:
    """配建 only for key SMEs on their own unbuilt land, where the policy requires it."""
    if not setting(policy, "supporting_housing.key_sme_own_unbuilt_land_required"):
        return
    text = found.text
    states = []
    for col, fail in (("key_sme", "sme"), ("own_unbuilt_land", "own_land")):
        if col in found.plans.columns:
            flag = found.plans[col].astype("boolean")
            known = flag.notna().to_numpy()
            found.unknown(~known, text["elig_na"].format(col=col))
        else:
            flag = pd.Series(pd.NA, index=found.plans.index, dtype="boolean")
            known = np.zeros(found.n, dtype=bool)
            found.unknown(np.ones(found.n, dtype=bool), text["missing"].format(col=col))
        states.append((flag.to_numpy(dtype=bool, na_value=False), known, text[fail]))
    (a, a_known, a_text), (b, b_known, b_text) = states
    evaluated = (a_known & b_known) | (a_known & ~a) | (b_known & ~b)
    ok = evaluated & a & b
    found.add(
        "eligible",
        evaluated,
        ok,
        lambda i: "; ".join(
            t for t, v, k in ((a_text, a[i], a_known[i]), (b_text, b[i], b_known[i])) if k and not v
        ),
    )


def _check_complete_housing(found: _Findings, policy: Policy) -> None:
    """Complete housing (成套住宅) planned where the policy forbids it."""
    if "complete_housing" not in found.plans.columns:
        return
    allowed = setting(policy, "supporting_housing.complete_housing_allowed")
    planned = found.plans["complete_housing"].astype("boolean")
    ch_eval = planned.notna().to_numpy()
    ch_ok = ch_eval & (~planned.fillna(False).to_numpy(dtype=bool) | bool(allowed))
    found.add("complete_housing_ok", ch_eval, ch_ok, lambda i: found.text["complete"])
