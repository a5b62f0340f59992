"""The land of each enterprise: the parcels it holds and the space it rents, by a rented-land rule.

The 亩均 evaluations take the enterprise (the legal person) as the unit, and its land from the
real-estate register by right holder: the parcels whose ``owner_code`` is its credit code. Land
that is rented is treated by a rule the policy chooses (``mujun.rented_land_rule``):

* ``"combine_and_share"`` (Suichang 2023): the firms on one parcel (holder and tenants) form one
  evaluation unit whose land is the parcels' land; firms linked through parcels form one unit;
* ``"apportion_by_floor_area"``: a tenant's land is the parcel's land × rented floor ÷ the
  parcel's floor area (or the rented land area when given); the holder keeps the remainder;
* ``"tenant_category"`` (Ningbo/Cixi 2024, 租赁企业，名下无工业用地): tenants get their share as
  above and are ranked as a category of their own; the holder keeps its whole parcel;
* unset (``None``): tenants are not evaluated; holders are evaluated on their whole parcels.

Everything works on whole tables (merges, group-bys and numpy); the evaluation units of
``combine_and_share`` are the connected components of the firm–parcel graph, found by label
propagation with pointer jumping.
"""

from __future__ import annotations

import dataclasses
import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landuse._checks import check_frame
from landuse.enterprise._credit import describe_problems, find_problems, normalise_codes
from landuse.errors import LanduseWarning, SchemaError, format_ids
from landuse.io import as_text
from landuse.units import M2_PER_MU

__all__ = ["LAND_COLUMNS", "NOT_EVALUATED", "RULES", "RentedLandRule", "enterprise_land"]

#: The rented-land rules (values of the policy key ``mujun.rented_land_rule``).
RULES: tuple[str, ...] = ("combine_and_share", "apportion_by_floor_area", "tenant_category")
RentedLandRule = Literal["combine_and_share", "apportion_by_floor_area", "tenant_category"]
#: Why a tenant is not evaluated when no rule is set.
NOT_EVALUATED = "not evaluated: set `mujun.rented_land_rule`"
#: The columns of :func:`enterprise_land`'s result, in order.
LAND_COLUMNS: tuple[str, ...] = (
    "land_area_m2",
    "land_area_mu",
    "owned_area_m2",
    "rented_area_m2",
    "category",
    "unit_id",
    "land_basis",
    "parcel_ids",
    "zone_ids",
    "evaluated",
    "not_evaluated_reason",
)
_CALLER = "enterprise_land"
_UNKNOWN_AREA = "rented area unknown: no 租赁用地面积, and no 租赁建筑面积 or parcel floor area"
_NO_LAND = "land area unknown: a parcel has no land_area_m2"
#: How many parcel ids a combined unit's id names (``U:A1+A2+A3+…``); the first is unique.
_NAMED = 3


# --- arrays -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plots:
    """The parcels as arrays: id, land and floor area (m²), holder (a firm number or -1), zone."""

    pid: np.ndarray
    land: np.ndarray
    floor: np.ndarray
    owner: np.ndarray
    zone: np.ndarray


@dataclass(frozen=True)
class _Leases:
    """The tenancies of the year as arrays, one per (tenant, parcel), sorted by tenant then parcel.

    ``share`` is the tenant's land in m² (NaN where unknown), ``how`` how it was derived
    (``"land"``, ``"floor"`` or ``None``).
    """

    tenant: np.ndarray
    pos: np.ndarray
    rented_land: np.ndarray
    rented_floor: np.ndarray
    share: np.ndarray
    how: np.ndarray


_FORMAT = "{:,.4f}".format


def _num(values: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    """Format numbers for the basis texts (one string each, as objects); ``"?"`` for NaN.

    Thousands separated, at most 4 decimals, no trailing 0. With ``where`` (a mask) only
    those values are formatted; the others are ``""``.
    """
    values = np.asarray(values, dtype=float)
    if where is None:
        where = np.ones(len(values), dtype=bool)
    out = np.full(len(values), "", dtype=object)
    picked = values[where]
    text = [t.rstrip("0").rstrip(".") for t in map(_FORMAT, picked.tolist())]
    out[where] = np.where(np.isnan(picked), "?", np.array(text, dtype=object))
    return out


def _join(
    group: np.ndarray,
    values: np.ndarray,
    n: int,
    sep: str,
    *,
    distinct: bool = True,
    limit: int | None = None,
) -> np.ndarray:
    """Join ``values`` per group number (0…n-1) with ``sep``; a group without any gets ``None``.

    With ``distinct`` the values of a group are sorted and repeated ones dropped; otherwise
    they keep their order (a stable sort by group). Missing values are left out; with
    ``limit`` only the first ``limit`` of each group are joined. The joining is pyarrow's
    ``binary_join`` over list offsets, with no Python loop over the groups.
    """
    keep = pd.notna(values)
    group, values = group[keep], values[keep]
    if distinct:
        rank, _ = pd.factorize(pd.Index(values, dtype=object), sort=True)
        order = np.lexsort((rank, group))
        group, values, rank = group[order], values[order], rank[order]
        first = np.ones(len(group), dtype=bool)
        first[1:] = (group[1:] != group[:-1]) | (rank[1:] != rank[:-1])
        group, values = group[first], values[first]
    else:
        order = np.argsort(group, kind="stable")
        group, values = group[order], values[order]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(group, minlength=n), out=offsets[1:])
    if limit is not None:
        first = np.arange(len(group)) - offsets[group] < limit
        group, values = group[first], values[first]
        np.cumsum(np.bincount(group, minlength=n), out=offsets[1:])
    lists = pa.LargeListArray.from_arrays(
        pa.array(offsets, type=pa.int64()),
        pa.array(values.astype(str).astype(object), type=pa.large_string()),
    )
    out = (
        pc.binary_join(lists, pa.scalar(sep, pa.large_string()))
        .to_numpy(zero_copy_only=False)
        .astype(object)
    )
    out[offsets[1:] == offsets[:-1]] = None
    return out


def _total(group: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum ``values`` per group number; also whether any value of the group is missing."""
    missing = np.isnan(values)
    total = np.bincount(group, weights=np.where(missing, 0.0, values), minlength=n)
    return total, np.bincount(group, weights=missing, minlength=n) > 0


def _ids(values: np.ndarray) -> dict[str, Any]:
    """``{"count": n, "ids": [up to 5]}`` of the distinct ``values``."""
    values = pd.unique(pd.Series(values, dtype=object))
    return {"count": len(values), "ids": [str(v) for v in values[:5]]}


# --- inputs -----------------------------------------------------------------------------------


def _check_rule(rule: object) -> str | None:
    if rule is None or rule in RULES:
        return rule  # type: ignore[return-value]
    msg = (
        f"`rule` passed to enterprise_land() must be one of {', '.join(map(repr, RULES))} or "
        f"None (the value of the policy key `mujun.rented_land_rule`); received {rule!r}."
    )
    raise ValueError(msg)


def _check_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, numbers.Integral):
        msg = f"`year` passed to enterprise_land() must be a whole year such as 2023; got {year!r}."
        raise TypeError(msg)
    return int(year)


def _objects(values: pd.Series) -> np.ndarray:
    """Return text as an object array with ``None`` for missing values."""
    return values.to_numpy(dtype=object, na_value=None)


def _owner_codes(parcels: pd.DataFrame) -> np.ndarray:
    """Return the holders' normalised credit codes; refuse present codes that are not valid."""
    if "owner_code" not in parcels.columns:
        return np.full(len(parcels), None, dtype=object)
    raw = parcels["owner_code"]
    codes = normalise_codes(raw)
    unique = pd.Series(codes.dropna().unique())
    if not find_problems(unique, unique).empty:  # the rows are found only if a code is bad
        problems = find_problems(raw, codes)
        problems = problems[problems["problem"] != "missing"]
        text = describe_problems(problems, total=len(raw))
        msg = (
            f"`owner_code` passed to enterprise_land(): {text}. Fix them, or set them missing "
            "with landuse.enterprise.validate_credit_code(codes, errors='coerce')."
        )
        raise SchemaError(msg)
    return _objects(codes)


def _plots(parcels: pd.DataFrame) -> tuple[_Plots, np.ndarray]:
    """Return the parcels as arrays (holders still unnumbered) and the holders' codes."""
    check_frame(parcels, name="parcels", caller=_CALLER, geometry=False)
    missing = [c for c in ("parcel_id", "land_area_m2") if c not in parcels.columns]
    if missing:
        msg = (
            f"`parcels` passed to enterprise_land() lack {', '.join(f'`{c}`' for c in missing)}; "
            "read them with landuse.read_parcels (宗地编号, 用地面积) or add the columns."
        )
        raise SchemaError(msg)
    n = len(parcels)
    pid = _objects(as_text(parcels["parcel_id"]))
    dup = pd.Series(pid, dtype=object).duplicated(keep=False).to_numpy() & pd.notna(pid)
    if dup.any() or pd.isna(pid).any():
        msg = (
            "`parcels` passed to enterprise_land() need one row per parcel with a `parcel_id`; "
            f"repeated: {format_ids(pd.unique(pid[dup]))}; "
            f"missing: {int(pd.isna(pid).sum())} rows."
        )
        raise SchemaError(msg)
    floor = (
        pd.to_numeric(parcels["floor_area_m2"]).to_numpy(dtype=float, na_value=np.nan)
        if "floor_area_m2" in parcels.columns
        else np.full(n, np.nan)
    )
    zone = (
        _objects(as_text(parcels["zone_id"]))
        if "zone_id" in parcels.columns
        else np.full(n, None, dtype=object)
    )
    land = pd.to_numeric(parcels["land_area_m2"]).to_numpy(dtype=float, na_value=np.nan)
    owners = _owner_codes(parcels)
    return _Plots(pid, land, floor, np.full(n, -1), zone), owners


def _active(tenancies: pd.DataFrame, year: int) -> np.ndarray:
    """Flag the tenancies that overlap the calendar ``year`` (a missing date is open)."""
    keep = np.ones(len(tenancies), dtype=bool)
    if "start" in tenancies.columns:
        start = pd.to_datetime(tenancies["start"])
        keep &= (start.isna() | (start <= pd.Timestamp(year, 12, 31))).to_numpy()
    if "end" in tenancies.columns:
        end = pd.to_datetime(tenancies["end"])
        keep &= (end.isna() | (end >= pd.Timestamp(year, 1, 1))).to_numpy()
    return keep


#: Land uses whose parcels are expected to have a right holder to evaluate (产业用地).
EVALUATED_USES: tuple[str, ...] = ("industrial", "logistics")


def _evaluated_use(parcels: pd.DataFrame) -> np.ndarray:
    """Flag the parcels the evaluation expects a holder for: industrial or logistics land.

    A parcel without ``land_use`` (or without the column) counts too: nothing says it is not
    industrial.
    """
    if "land_use" not in parcels.columns:
        return np.ones(len(parcels), dtype=bool)
    use = parcels["land_use"].to_numpy(dtype=object, na_value=None)
    return pd.isna(use) | np.isin(use.astype(str), EVALUATED_USES)


def _tenancy_rows(
    tenancies: pd.DataFrame | None, year: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return tenant code, parcel id, rented land and rented floor of the year's tenancies."""
    if tenancies is None:
        empty = np.array([], dtype=object)
        return empty, empty.copy(), np.array([]), np.array([])
    check_frame(tenancies, name="tenancies", caller=_CALLER, geometry=False)
    missing = [c for c in ("tenant_code", "parcel_id") if c not in tenancies.columns]
    if missing:
        msg = (
            f"`tenancies` passed to enterprise_land() lack {', '.join(f'`{c}`' for c in missing)}; "
            "read them with landuse.enterprise.read_tenancies."
        )
        raise SchemaError(msg)
    t = tenancies.loc[_active(tenancies, year)]

    def area(name: str) -> np.ndarray:
        if name not in t.columns:
            return np.full(len(t), np.nan)
        return pd.to_numeric(t[name]).to_numpy(dtype=float, na_value=np.nan)

    tenant = _objects(normalise_codes(t["tenant_code"]))
    pid = _objects(as_text(t["parcel_id"]))
    keep = pd.notna(tenant)
    return tenant[keep], pid[keep], area("rented_land_m2")[keep], area("rented_floor_m2")[keep]


def _leases(
    rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    plots: _Plots,
    owners: np.ndarray,
) -> tuple[_Leases, np.ndarray, np.ndarray]:
    """Match the tenancies to parcels: the leases, and the stray tenants and parcel ids.

    A tenancy held by the parcel's own holder is left out (its land is already the holder's);
    several tenancies of one tenant on one parcel in the year (a renewal) count once, with the
    largest areas.
    """
    tenant, pid, rented_land, rented_floor = rows
    pos = pd.Index(plots.pid, dtype=object).get_indexer(pd.Index(pid, dtype=object))
    stray = pos < 0
    keep = ~stray
    keep[keep] = tenant[keep] != owners[pos[keep]]
    codes, names = pd.factorize(pd.Index(tenant[keep], dtype=object), sort=True)
    n = max(len(plots.pid), 1)
    key = codes.astype(np.int64) * n + pos[keep]
    table = pd.DataFrame({"key": key, "land": rented_land[keep], "floor": rented_floor[keep]})
    table = table.groupby("key", sort=True).max()
    key = table.index.to_numpy()
    lease_pos = key % n
    land = plots.land[lease_pos]
    floor = plots.floor[lease_pos]
    rent_land = table["land"].to_numpy()
    rent_floor = table["floor"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        by_floor = np.where(floor > 0, land * rent_floor / floor, np.nan)
    given = ~np.isnan(rent_land)
    how = np.where(given, "land", np.where(np.isnan(by_floor), None, "floor")).astype(object)
    leases = _Leases(
        tenant=np.asarray(names, dtype=object)[key // n],
        pos=lease_pos,
        rented_land=rent_land,
        rented_floor=rent_floor,
        share=np.where(given, rent_land, by_floor),
        how=how,
    )
    return leases, tenant[stray], pid[stray]


# --- basis texts ------------------------------------------------------------------------------


def _lease_text(leases: _Leases, plots: _Plots) -> np.ndarray:
    """Write one text per lease: how the tenant's land was derived (Chinese)."""
    pid = plots.pid[leases.pos]
    where = "（宗地 " + pid + "）"
    on_land, on_floor = leases.how == "land", leases.how == "floor"
    share_mu = _num(leases.share / M2_PER_MU, on_land | on_floor)
    by_land = "租赁用地 " + _num(leases.rented_land, on_land) + " m² = " + share_mu + " 亩" + where
    floor = _num(plots.floor[leases.pos], on_floor)
    land_mu = _num(plots.land[leases.pos] / M2_PER_MU, on_floor)
    rent = _num(leases.rented_floor, on_floor)
    by_floor = "按租赁建筑面积分摊 " + rent + "/" + floor + " m² × " + land_mu + " 亩 = " + share_mu
    by_floor = by_floor + " 亩" + where
    unknown = "租赁宗地 " + pid + "，租赁面积不详"
    return np.where(
        leases.how == "land", by_land, np.where(leases.how == "floor", by_floor, unknown)
    )


# --- the rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Holdings:
    """Per firm (0…n-1): parcels held, their land, whether one lacks it; rented land."""

    n_owned: np.ndarray
    owned: np.ndarray
    owned_missing: np.ndarray
    rented: np.ndarray
    rented_unknown: np.ndarray
    n_leases: np.ndarray


def _holdings(plots: _Plots, leases: _Leases, tenant: np.ndarray, n: int) -> _Holdings:
    held = plots.owner >= 0
    owned, owned_missing = _total(plots.owner[held], plots.land[held], n)
    rented, unknown = _total(tenant, leases.share, n)
    known = np.bincount(tenant, weights=~np.isnan(leases.share), minlength=n) > 0
    return _Holdings(
        n_owned=np.bincount(plots.owner[held], minlength=n),
        owned=owned,
        owned_missing=owned_missing,
        rented=np.where(known, rented, np.nan),
        rented_unknown=unknown,
        n_leases=np.bincount(tenant, minlength=n),
    )


def _separate(
    plots: _Plots, leases: _Leases, tenant: np.ndarray, n: int, rule: str | None
) -> dict[str, np.ndarray]:
    """Each enterprise its own unit: its parcels plus (by the rule) its tenancies' shares."""
    h = _holdings(plots, leases, tenant, n)
    held = plots.owner >= 0
    has_own = h.n_owned > 0
    leased_out = np.bincount(
        leases.pos, weights=np.nan_to_num(leases.share), minlength=len(plots.pid)
    )
    deducted = np.bincount(plots.owner[held], weights=leased_out[held], minlength=n)
    own_credit = h.owned
    if rule == "apportion_by_floor_area":
        own_credit = np.clip(h.owned - deducted, 0.0, None)
    land = own_credit + (np.nan_to_num(h.rented) if rule is not None else 0.0)
    reason = np.full(n, None, dtype=object)
    if rule is None:
        reason[~has_own] = NOT_EVALUATED
    else:
        reason[h.rented_unknown] = _UNKNOWN_AREA
    reason[h.owned_missing] = _NO_LAND
    own_text = "自有 " + h.n_owned.astype(str).astype(object) + " 宗 "
    own_text = own_text + _num(h.owned / M2_PER_MU, has_own) + " 亩"
    if rule == "apportion_by_floor_area":
        let = has_own & (deducted > 0)
        rest = (
            "，扣除出租 "
            + _num(deducted / M2_PER_MU, let)
            + " 亩后 "
            + _num(own_credit / M2_PER_MU, let)
            + " 亩"
        )
        own_text = own_text + np.where(let, rest, "")
    texts = _lease_text(leases, plots)
    if rule is None:
        texts = "未计入：" + texts
    firms = np.arange(n)
    basis = _join(
        np.concatenate([firms[has_own], tenant]),
        np.concatenate([own_text[has_own], texts]),
        n,
        "；",
        distinct=False,
    )
    group = np.concatenate([plots.owner[held], tenant])
    where = np.concatenate([np.flatnonzero(held), leases.pos])
    return {
        "land_area_m2": np.where(pd.isna(reason), land, np.nan),
        "owned_area_m2": np.where(has_own, h.owned, np.nan),
        "rented_area_m2": h.rented,
        "category": np.where(has_own, "owner", "tenant").astype(object),
        "unit_id": None,
        "land_basis": basis,
        "parcel_ids": _join(group, plots.pid[where], n, ";"),
        "zone_ids": _join(group, plots.zone[where], n, ";"),
        "not_evaluated_reason": reason,
    }


def _components(left: np.ndarray, right: np.ndarray, n: int) -> np.ndarray:
    """Label the nodes, one label per connected component of the edges ``left–right``."""
    label = np.arange(n)
    while True:
        low = np.minimum(label[left], label[right])
        new = label.copy()
        np.minimum.at(new, left, low)
        np.minimum.at(new, right, low)
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def _combined(plots: _Plots, leases: _Leases, tenant: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Firms linked through parcels (held or rented) form one unit with the parcels' land."""
    h = _holdings(plots, leases, tenant, n)
    held = plots.owner >= 0
    firm = np.concatenate([plots.owner[held], tenant])
    parcel, used = pd.factorize(np.concatenate([np.flatnonzero(held), leases.pos]), sort=True)
    label = _components(firm, parcel + n, n + len(used))
    unit, _ = pd.factorize(label)
    firm_unit, parcel_unit = unit[:n], unit[n:]
    m = int(unit.max()) + 1 if len(unit) else 0
    size = np.bincount(firm_unit, minlength=m)[firm_unit]
    unit_land, unit_missing = _total(parcel_unit, plots.land[used], m)
    count = np.bincount(parcel_unit, minlength=m)[firm_unit]
    shared = size > 1
    names = "U:" + _join(parcel_unit, plots.pid[used], m, "+", limit=_NAMED)
    names = names + np.where(np.bincount(parcel_unit, minlength=m) > _NAMED, "+…", "")
    has_own = h.n_owned > 0
    n_text = count.astype(str).astype(object)
    mu_text = _num(unit_land / M2_PER_MU)[firm_unit]
    alone = np.where(has_own, "自有 ", "租用 ") + n_text + " 宗 " + mu_text + " 亩"
    together = (
        "合并计算："
        + size.astype(str).astype(object)
        + " 家企业共用 "
        + n_text
        + " 宗 "
        + mu_text
        + " 亩"
    )
    missing = unit_missing[firm_unit]
    return {
        "land_area_m2": np.where(missing, np.nan, unit_land[firm_unit]),
        "owned_area_m2": np.where(has_own, h.owned, np.nan),
        "rented_area_m2": h.rented,
        "category": np.where(shared, "combined", np.where(has_own, "owner", "tenant")).astype(
            object
        ),
        "unit_id": np.where(shared, names[firm_unit], None),
        "land_basis": np.where(shared, together, alone),
        "parcel_ids": _join(firm, plots.pid[used[parcel]], n, ";"),
        "zone_ids": _join(firm, plots.zone[used[parcel]], n, ";"),
        "not_evaluated_reason": np.where(missing, _NO_LAND, None),
    }


# --- unmatched codes --------------------------------------------------------------------------


def _year_codes(enterprises: pd.DataFrame, year: int) -> pd.Index:
    """Return the credit codes of ``enterprises`` (a column or an index level) in ``year``."""
    check_frame(enterprises, name="enterprises", caller=_CALLER, geometry=False)
    rows = enterprises
    if "year" in rows.columns:
        rows = rows[(pd.to_numeric(rows["year"]) == year).to_numpy()]
    if "credit_code" in rows.columns:
        codes = rows["credit_code"]
    elif "credit_code" in (rows.index.names or []):
        codes = rows.index.get_level_values("credit_code").to_series()
    else:
        msg = (
            "`enterprises` passed to enterprise_land() have no `credit_code` column or index "
            "level; read them with landuse.enterprise.read_enterprises."
        )
        raise SchemaError(msg)
    codes = normalise_codes(pd.Series(codes.to_numpy(), dtype=object)).dropna()
    return pd.Index(pd.unique(_objects(codes)), dtype=object)


def _unmatched(
    stray: tuple[np.ndarray, np.ndarray],
    unowned: np.ndarray,
    firms: pd.Index,
    enterprises: pd.DataFrame | None,
    year: int,
) -> dict[str, dict[str, Any] | None]:
    """Count what did not match, with up to 5 ids, by kind (``None``: not checked)."""
    tenant, pid = stray
    out: dict[str, dict[str, Any] | None] = {
        "tenants_without_parcel": {**_ids(tenant + "/" + pid), "count": len(tenant)},
        "parcels_without_owner": _ids(unowned),
        "owners_without_data": None,
        "enterprises_without_land": None,
    }
    if enterprises is not None:
        known = _year_codes(enterprises, year)
        out["owners_without_data"] = _ids(firms[known.get_indexer(firms) < 0].to_numpy())
        landless = known[firms.get_indexer(known) < 0]
        out["enterprises_without_land"] = _ids(np.sort(landless.to_numpy()))
    return out


_SAY = {
    "tenants_without_parcel": "tenancies name a parcel not in `parcels` (tenant/parcel)",
    "parcels_without_owner": "industrial or logistics parcels have no `owner_code`",
    "owners_without_data": "enterprises with land have no row in `enterprises` for the year",
    "enterprises_without_land": "enterprises have no land (no parcel held, no tenancy)",
}


def _warn(unmatched: dict[str, dict[str, Any] | None], year: int) -> None:
    parts = [
        f"{found['count']} {_SAY[key]}: {', '.join(found['ids'])}"
        + (f", … (+{found['count'] - len(found['ids'])} more)" if found["count"] > 5 else "")
        for key, found in unmatched.items()
        if found is not None and found["count"]
    ]
    if parts:
        msg = (
            f"enterprise_land() for {year}: {'; '.join(parts)}. They get no land from these "
            "rows; result.attrs['unmatched'] lists them."
        )
        warnings.warn(msg, LanduseWarning, stacklevel=3)


def _check_overlet(plots: _Plots, leases: _Leases, rule: str | None) -> None:
    """Warn where the tenants' shares of a parcel exceed its land (apportioning)."""
    if rule != "apportion_by_floor_area" or not len(leases.pos):
        return
    shares = np.bincount(leases.pos, weights=np.nan_to_num(leases.share), minlength=len(plots.pid))
    over = shares > plots.land * (1 + 1e-9)
    if over.any():
        msg = (
            f"enterprise_land(): on {int(over.sum())} parcels the tenants' shares exceed the "
            f"parcel's land ({format_ids(plots.pid[over])}); the holder's remainder is set to 0. "
            "Check the rented areas and the parcels' floor_area_m2."
        )
        warnings.warn(msg, LanduseWarning, stacklevel=3)


# --- the function -----------------------------------------------------------------------------


def enterprise_land(
    parcels: pd.DataFrame,
    *,
    tenancies: pd.DataFrame | None = None,
    year: int,
    rule: RentedLandRule | str | None,
    enterprises: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the land of each enterprise in ``year``: owned, rented, and the evaluation unit.

    An enterprise's own land is the parcels whose ``owner_code`` is its credit code, counted once
    each however many parcels and zones it holds. Rented space (``tenancies`` overlapping the
    calendar year) is treated by ``rule``, the value of the policy key
    ``mujun.rented_land_rule``:

    ``"combine_and_share"`` (Suichang 2023)
        The firms on one parcel (holder and tenants) form one evaluation unit; firms linked
        through parcels (a holder of several parcels, a tenant on several) form one unit. Its
        land is the land of all its parcels; every member gets the unit's land here and the
        unit's score and grade in the evaluation. Category ``"combined"`` for a unit of two
        or more firms, ``unit_id`` ``"U:<parcel_id>+<parcel_id>"`` (its parcels in order, the
        first three and ``+…`` when there are more).
    ``"apportion_by_floor_area"``
        A tenant's land is its rented land area (租赁用地面积) when given, else the parcel's land
        × rented floor area ÷ the parcel's ``floor_area_m2``; the holder keeps the remainder.
    ``"tenant_category"`` (Ningbo/Cixi 2024, 租赁企业，名下无工业用地)
        Tenants get their share as above, in category ``"tenant"`` ranked apart; the holder
        keeps its whole parcel.
    ``None`` (the key unset)
        Tenants are not evaluated (category ``"tenant"``, no land, ``not_evaluated_reason``
        ``"not evaluated: set `mujun.rented_land_rule`"``); holders are evaluated on their whole
        parcels.

    Parameters
    ----------
    parcels
        Parcels (e.g. from :func:`landuse.read_parcels`) with ``parcel_id``, ``land_area_m2``
        and ``owner_code`` (the right holder's credit code; rows without one are reported);
        ``floor_area_m2`` to apportion by floor area, ``zone_id`` for ``zone_ids``.
    tenancies
        Tenancies from :func:`read_tenancies`: ``tenant_code``, ``parcel_id``,
        ``rented_floor_m2`` and/or ``rented_land_m2``, ``start`` / ``end`` (missing: open).
        A tenancy held by the parcel's own holder is left out (its land is the holder's);
        several tenancies of one tenant on one parcel in the year (a renewal) count once, with
        the largest area.
    year
        The calendar year evaluated: a tenancy counts if it overlaps it.
    rule
        ``"combine_and_share"``, ``"apportion_by_floor_area"``, ``"tenant_category"`` or
        ``None``; pass ``policy["mujun.rented_land_rule"]``.
    enterprises
        The enterprise-year table (:func:`read_enterprises`; ``credit_code`` as a column or an
        index level, rows of other years ignored), only to report codes that match nothing.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``credit_code`` (sorted), one row per enterprise holding or renting land:
        ``land_area_m2`` and ``land_area_mu`` (the land it is evaluated on under the rule;
        missing when not evaluated), ``owned_area_m2`` (the parcels it holds, whole),
        ``rented_area_m2`` (its share of rented land, where known), ``category`` (``"owner"``,
        ``"tenant"`` or ``"combined"``), ``unit_id`` (the evaluation unit: its credit code, or
        ``"U:<parcel_id>+…"`` shared by a combined unit), ``land_basis`` (how the land was
        derived, in Chinese), ``parcel_ids`` and ``zone_ids`` (``";"``-joined, of the parcels
        the enterprise itself holds or rents, in a combined unit too), ``evaluated``
        and ``not_evaluated_reason``. ``attrs``: ``rule``, ``year`` and ``unmatched``, a dict
        ``{"tenants_without_parcel", "parcels_without_owner", "owners_without_data",
        "enterprises_without_land"}`` → ``{"count": n, "ids": [up to 5]}`` (the last two
        ``None`` without ``enterprises``; ``owners_without_data`` covers tenants too;
        ``parcels_without_owner`` counts industrial and logistics parcels, and parcels whose
        ``land_use`` is unknown — a commercial or residential parcel needs no holder here).

    Warns
    -----
    LanduseWarning
        Once, with counts and ids, when anything is unmatched; also when tenants' shares of a
        parcel exceed its land (the holder's remainder is then 0).

    Raises
    ------
    SchemaError
        Missing ``parcel_id`` / ``land_area_m2`` / ``tenant_code``; repeated or missing parcel
        ids; an ``owner_code`` that is not a valid credit code.
    ValueError
        An unknown ``rule``.
    TypeError
        ``year`` is not a whole number; an input is not a DataFrame.

    See Also
    --------
    read_tenancies : reads the tenancy table.
    read_enterprises : reads the enterprise-year table.

    Examples
    --------
    A parcel of 15 亩 (1 ha) with 8,000 m² of floor space, held by X, 2,000 m² rented to Y:

    >>> import pandas as pd
    >>> from landuse.enterprise import enterprise_land
    >>> X, Y = "91330201MA282UF146", "91330401MA28ADM67R"
    >>> parcels = pd.DataFrame({"parcel_id": ["P1"], "land_area_m2": [10000.0],
    ...                         "floor_area_m2": [8000.0], "owner_code": [X]})
    >>> leases = pd.DataFrame({"tenant_code": [Y], "parcel_id": ["P1"],
    ...                        "rented_floor_m2": [2000.0]})
    >>> land = enterprise_land(parcels, tenancies=leases, year=2023,
    ...                        rule="apportion_by_floor_area")
    >>> land[["land_area_mu", "category", "unit_id"]]  # doctest: +NORMALIZE_WHITESPACE
                        land_area_mu category             unit_id
    credit_code
    91330201MA282UF146         11.25    owner  91330201MA282UF146
    91330401MA28ADM67R          3.75   tenant  91330401MA28ADM67R
    >>> land.loc[Y, "land_basis"]
    '按租赁建筑面积分摊 2,000/8,000 m² × 15 亩 = 3.75 亩（宗地 P1）'
    >>> combined = enterprise_land(parcels, tenancies=leases, year=2023, rule="combine_and_share")
    >>> combined[["land_area_mu", "category", "unit_id"]]  # doctest: +NORMALIZE_WHITESPACE
                        land_area_mu  category unit_id
    credit_code
    91330201MA282UF146          15.0  combined    U:P1
    91330401MA28ADM67R          15.0  combined    U:P1
    """
    rule = _check_rule(rule)
    year = _check_year(year)
    plots, owners = _plots(parcels)
    leases, *stray = _leases(_tenancy_rows(tenancies, year), plots, owners)
    held = pd.notna(owners)
    _, names = pd.factorize(np.concatenate([owners[held], leases.tenant]), sort=True)
    firms = pd.Index(np.asarray(names, dtype=object), dtype=object)
    owner = np.where(held, firms.get_indexer(pd.Index(owners, dtype=object)), -1)
    plots = dataclasses.replace(plots, owner=owner)
    tenant = firms.get_indexer(pd.Index(leases.tenant, dtype=object))
    if rule == "combine_and_share":
        cols = _combined(plots, leases, tenant, len(firms))
    else:
        cols = _separate(plots, leases, tenant, len(firms), rule)
        _check_overlet(plots, leases, rule)
    codes = firms.to_numpy()
    if cols["unit_id"] is None:
        cols["unit_id"] = codes
    else:
        cols["unit_id"] = np.where(pd.isna(cols["unit_id"]), codes, cols["unit_id"])
    cols["land_area_mu"] = cols["land_area_m2"] / M2_PER_MU
    cols["evaluated"] = pd.isna(cols["not_evaluated_reason"])
    out = pd.DataFrame(
        {c: cols[c] for c in LAND_COLUMNS}, index=pd.Index(codes, name="credit_code")
    )
    unmatched = _unmatched(
        tuple(stray), plots.pid[~held & _evaluated_use(parcels)], firms, enterprises, year
    )
    out.attrs = {"rule": rule, "year": year, "unmatched": unmatched}
    _warn(unmatched, year)
    return out
