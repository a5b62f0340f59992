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

import numbers
import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd

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


# --- formatting -------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    """Write a number for a basis text: thousands separated, at most 4 decimals, no trailing 0."""
    if pd.isna(value):
        return "?"
    text = f"{value:,.4f}".rstrip("0")
    return text.rstrip(".")


def _num(values: pd.Series) -> pd.Series:
    return values.map(_fmt).astype(object)


def _joined(keys: pd.Series, values: pd.Series) -> pd.Series:
    """Join sorted distinct ``values`` per key with ``";"`` (missing ones left out)."""
    pairs = pd.DataFrame({"key": keys.to_numpy(), "value": values.to_numpy()}).dropna()
    pairs = pairs.drop_duplicates().sort_values(["key", "value"])
    return pairs.groupby("key", sort=False)["value"].agg(";".join)


def _ids(values: pd.Series | pd.Index) -> dict[str, Any]:
    values = pd.Series(values).drop_duplicates()
    return {"count": len(values), "ids": [str(v) for v in values.head(5)]}


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


def _bad_codes(raw: pd.Series, codes: pd.Series, what: str) -> None:
    """Refuse credit codes that are present but not valid (missing ones are allowed)."""
    problems = find_problems(raw, codes)
    problems = problems[problems["problem"] != "missing"]
    if problems.empty:
        return
    text = describe_problems(problems, total=len(raw))
    msg = (
        f"{what} passed to enterprise_land(): {text}. Fix them, or set them missing with "
        "landuse.enterprise.validate_credit_code(codes, errors='coerce')."
    )
    raise SchemaError(msg)


def _plots(parcels: pd.DataFrame) -> pd.DataFrame:
    """Return the parcels as ``parcel_id, land_m2, floor_m2, owner, zone`` (0…n-1), checked."""
    check_frame(parcels, name="parcels", caller=_CALLER, geometry=False)
    missing = [c for c in ("parcel_id", "land_area_m2") if c not in parcels.columns]
    if missing:
        msg = (
            f"`parcels` passed to enterprise_land() lack {', '.join(f'`{c}`' for c in missing)}; "
            "read them with landuse.read_parcels (宗地编号, 用地面积) or add the columns."
        )
        raise SchemaError(msg)
    n = len(parcels)
    plots = pd.DataFrame(
        {
            "parcel_id": as_text(parcels["parcel_id"]).to_numpy(dtype=object),
            "land_m2": pd.to_numeric(parcels["land_area_m2"]).to_numpy(dtype=float),
            "floor_m2": (
                pd.to_numeric(parcels["floor_area_m2"]).to_numpy(dtype=float)
                if "floor_area_m2" in parcels.columns
                else np.full(n, np.nan)
            ),
            "owner": np.full(n, None, dtype=object),
            "zone": (
                as_text(parcels["zone_id"]).to_numpy(dtype=object)
                if "zone_id" in parcels.columns
                else np.full(n, None, dtype=object)
            ),
        }
    )
    if "owner_code" in parcels.columns:
        raw = parcels["owner_code"].reset_index(drop=True)
        codes = normalise_codes(raw)
        _bad_codes(raw.set_axis(parcels.index), codes.set_axis(parcels.index), "`owner_code`")
        plots["owner"] = codes.to_numpy(dtype=object)
    dup = plots["parcel_id"].duplicated(keep=False) & plots["parcel_id"].notna()
    if dup.any() or plots["parcel_id"].isna().any():
        msg = (
            "`parcels` passed to enterprise_land() need one row per parcel with a `parcel_id`; "
            f"repeated: {format_ids(plots.loc[dup, 'parcel_id'].unique())}; "
            f"missing: {int(plots['parcel_id'].isna().sum())} rows."
        )
        raise SchemaError(msg)
    return plots.astype({"owner": object, "zone": object})


def _active(tenancies: pd.DataFrame, year: int) -> pd.Series:
    """Flag the tenancies that overlap the calendar ``year`` (a missing date is open)."""
    keep = pd.Series(True, index=tenancies.index)
    if "start" in tenancies.columns:
        start = pd.to_datetime(tenancies["start"])
        keep &= start.isna() | (start <= pd.Timestamp(year, 12, 31))
    if "end" in tenancies.columns:
        end = pd.to_datetime(tenancies["end"])
        keep &= end.isna() | (end >= pd.Timestamp(year, 1, 1))
    return keep


def _leases(
    tenancies: pd.DataFrame | None, plots: pd.DataFrame, year: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Find the tenancies of ``year`` on known parcels, one per (tenant, parcel), with shares.

    Return the leases (``tenant, pos, parcel_id, rented_land, rented_floor, share_m2, how``,
    ``how`` being ``"land"``, ``"floor"`` or missing) and the stray tenancies (``tenant,
    parcel_id``) whose parcel is not in ``parcels``. A tenancy held by the parcel's own holder
    is left out (its land is already the holder's); several tenancies of one tenant on one
    parcel in the year (a renewal) count once, with the largest areas.
    """
    cols = ["tenant", "pos", "parcel_id", "rented_land", "rented_floor", "share_m2", "how"]
    if tenancies is None:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        return empty, pd.DataFrame({"tenant": [], "parcel_id": []}, dtype=object)
    check_frame(tenancies, name="tenancies", caller=_CALLER, geometry=False)
    missing = [c for c in ("tenant_code", "parcel_id") if c not in tenancies.columns]
    if missing:
        msg = (
            f"`tenancies` passed to enterprise_land() lack {', '.join(f'`{c}`' for c in missing)}; "
            "read them with landuse.enterprise.read_tenancies."
        )
        raise SchemaError(msg)
    t = tenancies.loc[_active(tenancies, year)]
    n = len(t)

    def area(name: str) -> np.ndarray:
        return pd.to_numeric(t[name]).to_numpy(float) if name in t.columns else np.full(n, np.nan)

    leases = pd.DataFrame(
        {
            "tenant": normalise_codes(t["tenant_code"]).to_numpy(dtype=object),
            "parcel_id": as_text(t["parcel_id"]).to_numpy(dtype=object),
            "rented_land": area("rented_land_m2"),
            "rented_floor": area("rented_floor_m2"),
        }
    ).dropna(subset=["tenant"])
    pos = pd.Series(np.arange(len(plots)), index=pd.Index(plots["parcel_id"]))
    leases["pos"] = leases["parcel_id"].map(pos)
    stray = leases.loc[leases["pos"].isna(), ["tenant", "parcel_id"]]
    leases = leases.dropna(subset=["pos"]).astype({"pos": np.int64})
    leases = leases[leases["tenant"].to_numpy() != plots["owner"].to_numpy()[leases["pos"]]]
    leases = leases.groupby(["tenant", "pos", "parcel_id"], as_index=False, sort=True).max()
    land = plots["land_m2"].to_numpy()[leases["pos"]]
    floor = plots["floor_m2"].to_numpy()[leases["pos"]]
    by_floor = np.where(floor > 0, land * leases["rented_floor"].to_numpy() / floor, np.nan)
    given = leases["rented_land"].notna().to_numpy()
    leases["share_m2"] = np.where(given, leases["rented_land"].to_numpy(), by_floor)
    how = np.where(given, "land", np.where(np.isnan(by_floor), None, "floor"))
    leases["how"] = pd.Series(how, index=leases.index, dtype=object)
    return leases[cols], stray


# --- basis texts ------------------------------------------------------------------------------


def _lease_text(leases: pd.DataFrame, plots: pd.DataFrame) -> pd.Series:
    """One text per lease: how the tenant's land was derived (Chinese)."""
    pid = leases["parcel_id"].astype(object)
    land = plots["land_m2"].to_numpy()[leases["pos"]]
    floor = plots["floor_m2"].to_numpy()[leases["pos"]]
    share_mu = _num(leases["share_m2"] / M2_PER_MU)
    by_land = (
        "租赁用地 " + _num(leases["rented_land"]) + " m² = " + share_mu + " 亩（宗地 " + pid + "）"
    )
    by_floor = (
        "按租赁建筑面积分摊 "
        + _num(leases["rented_floor"])
        + "/"
        + _num(pd.Series(floor, index=leases.index))
        + " m² × "
        + _num(pd.Series(land / M2_PER_MU, index=leases.index))
        + " 亩 = "
        + share_mu
        + " 亩（宗地 "
        + pid
        + "）"
    )
    unknown = "租赁宗地 " + pid + "，租赁面积不详"
    return by_land.where(leases["how"] == "land", by_floor.where(leases["how"] == "floor", unknown))


def _owned_text(count: pd.Series, area_m2: pd.Series) -> pd.Series:
    return "自有 " + count.astype(int).astype(str) + " 宗 " + _num(area_m2 / M2_PER_MU) + " 亩"


# --- the rules --------------------------------------------------------------------------------


def _separate(plots: pd.DataFrame, leases: pd.DataFrame, rule: str | None) -> pd.DataFrame:
    """Each enterprise its own unit: owners' parcels plus (by the rule) tenants' shares."""
    owners = plots[plots["owner"].notna()]
    g = owners.groupby("owner", sort=False)
    owned = g["land_m2"].sum(min_count=1)
    land_missing = owners["land_m2"].isna().groupby(owners["owner"]).any()
    firms = pd.Index(owned.index).union(pd.Index(leases["tenant"].unique())).sort_values()
    out = pd.DataFrame(index=firms)
    out["owned_area_m2"] = owned.reindex(firms)
    has_own = firms.isin(owned.index)
    leased_out = leases.groupby("pos")["share_m2"].sum()
    deducted = pd.Series(0.0, index=plots.index).add(leased_out, fill_value=0)
    owners_deducted = deducted[owners.index].groupby(owners["owner"].to_numpy()).sum()
    g_t = leases.groupby("tenant", sort=False)
    rented = g_t["share_m2"].sum(min_count=1).reindex(firms)
    unknown = leases["share_m2"].isna().groupby(leases["tenant"]).any()
    unknown = unknown.reindex(firms, fill_value=False)
    out["rented_area_m2"] = rented
    own_credit = out["owned_area_m2"].fillna(0.0)
    if rule == "apportion_by_floor_area":
        own_credit = (own_credit - owners_deducted.reindex(firms, fill_value=0.0)).clip(lower=0.0)
    counts_rented = rule is not None
    land = own_credit + (rented.fillna(0.0) if counts_rented else 0.0)
    land_unknown = land_missing.reindex(firms, fill_value=False).astype(bool)
    reason = pd.Series(None, index=firms, dtype=object)
    reason[land_unknown] = _NO_LAND
    if counts_rented:
        reason[unknown.astype(bool) & reason.isna()] = _UNKNOWN_AREA
    else:
        reason[~has_own] = NOT_EVALUATED
    out["land_area_m2"] = land.where(reason.isna())
    out["category"] = np.where(has_own, "owner", "tenant")
    out["unit_id"] = firms.astype(object)
    out["not_evaluated_reason"] = reason
    texts = _separate_texts(plots, owners, leases, rule, owners_deducted)
    out["land_basis"] = texts.reindex(firms)
    firm = np.concatenate([owners["owner"].to_numpy(), leases["tenant"].to_numpy()])
    pos = np.concatenate([owners.index.to_numpy(), leases["pos"].to_numpy(dtype=np.int64)])
    held = plots.iloc[pos].assign(firm=firm)
    out["parcel_ids"] = _joined(held["firm"], held["parcel_id"]).reindex(firms)
    out["zone_ids"] = _joined(held["firm"], held["zone"]).reindex(firms)
    return out


def _separate_texts(
    plots: pd.DataFrame,
    owners: pd.DataFrame,
    leases: pd.DataFrame,
    rule: str | None,
    deducted: pd.Series,
) -> pd.Series:
    """Write the basis text per firm: its own parcels, then each lease, ``"；"``-joined."""
    g = owners.groupby("owner", sort=True)
    own = _owned_text(g.size(), g["land_m2"].sum(min_count=1))
    if rule == "apportion_by_floor_area" and len(deducted):
        d = deducted.reindex(own.index, fill_value=0.0)
        rest = (g["land_m2"].sum() - d).clip(lower=0.0)
        extra = "，扣除出租 " + _num(d / M2_PER_MU) + " 亩后 " + _num(rest / M2_PER_MU) + " 亩"
        own = own + extra.where(d > 0, "")
    texts = _lease_text(leases, plots)
    if rule is None:
        texts = "未计入：" + texts
    pieces = pd.concat(
        [
            pd.DataFrame({"firm": own.index, "order": 0, "text": own.to_numpy()}),
            pd.DataFrame(
                {"firm": leases["tenant"].to_numpy(), "order": 1, "text": texts.to_numpy()}
            ),
        ]
    ).sort_values(["firm", "order"], kind="stable")
    return pieces.groupby("firm", sort=False)["text"].agg("；".join)


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


def _combined(plots: pd.DataFrame, leases: pd.DataFrame) -> pd.DataFrame:
    """Firms linked through parcels (held or rented) form one unit with the parcels' land."""
    owners = plots[plots["owner"].notna()]
    edges = pd.concat(
        [
            pd.DataFrame({"firm": owners["owner"].to_numpy(), "pos": owners.index.to_numpy()}),
            leases[["tenant", "pos"]].rename(columns={"tenant": "firm"}),
        ],
        ignore_index=True,
    )
    codes, firms = pd.factorize(edges["firm"], sort=True)
    parcels, parcel_pos = pd.factorize(edges["pos"].astype(np.int64), sort=True)
    label = _components(codes, parcels + len(firms), len(firms) + len(parcel_pos))
    firm_unit = pd.Series(label[: len(firms)], index=firms)
    members = firm_unit.value_counts()
    unit_plots = plots.iloc[np.asarray(parcel_pos)].assign(unit=label[len(firms) :])
    unit_plots = unit_plots.sort_values(["unit", "parcel_id"])
    gu = unit_plots.groupby("unit")
    unit_land = gu["land_m2"].sum(min_count=1)
    unit_missing = unit_plots["land_m2"].isna().groupby(unit_plots["unit"]).any()
    unit_count = gu.size()
    unit_parcels = gu["parcel_id"].agg(";".join)
    unit_name = "U:" + gu["parcel_id"].agg("+".join)
    unit_zones = _joined(unit_plots["unit"], unit_plots["zone"])
    out = pd.DataFrame(index=pd.Index(firms))
    u = firm_unit.to_numpy()
    size = members.reindex(u).to_numpy()
    owned = owners.groupby("owner")["land_m2"].sum(min_count=1).reindex(firms)
    out["owned_area_m2"] = owned
    out["rented_area_m2"] = leases.groupby("tenant")["share_m2"].sum(min_count=1).reindex(firms)
    out["land_area_m2"] = unit_land.reindex(u).to_numpy()
    has_own = out.index.isin(owners["owner"])
    out["category"] = np.where(size > 1, "combined", np.where(has_own, "owner", "tenant"))
    out["unit_id"] = np.where(size > 1, unit_name.reindex(u).to_numpy(), out.index.to_numpy())
    out["parcel_ids"] = unit_parcels.reindex(u).to_numpy()
    out["zone_ids"] = unit_zones.reindex(u).to_numpy()
    missing = unit_missing.reindex(u).to_numpy(dtype=bool)
    out["not_evaluated_reason"] = np.where(missing, _NO_LAND, None)
    n_text = unit_count.reindex(u).astype(int).astype(str).to_numpy()
    mu_text = _num(unit_land.reindex(u) / M2_PER_MU).to_numpy()
    alone = np.where(has_own, "自有 ", "租用 ") + n_text + " 宗 " + mu_text + " 亩"
    shared = "合并计算：" + size.astype(str) + " 家企业共用 " + n_text + " 宗 " + mu_text + " 亩"
    out["land_basis"] = np.where(size > 1, shared.astype(object), alone.astype(object))
    return out


# --- unmatched codes --------------------------------------------------------------------------


def _year_codes(enterprises: pd.DataFrame, year: int) -> pd.Index:
    """Return the credit codes of ``enterprises`` (a column or the index) in ``year``."""
    check_frame(enterprises, name="enterprises", caller=_CALLER, geometry=False)
    rows = enterprises
    if "year" in rows.columns:
        rows = rows[pd.to_numeric(rows["year"]) == year]
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
    return pd.Index(normalise_codes(pd.Series(codes.to_numpy())).dropna().unique())


def _unmatched(
    plots: pd.DataFrame,
    stray: pd.DataFrame,
    firms: pd.Index,
    enterprises: pd.DataFrame | None,
    year: int,
) -> dict[str, dict[str, Any] | None]:
    """Count what did not match, with up to 5 ids, by kind (``None``: not checked)."""
    out: dict[str, dict[str, Any] | None] = {
        "tenants_without_parcel": _ids(stray["tenant"] + "/" + stray["parcel_id"]),
        "parcels_without_owner": _ids(plots.loc[plots["owner"].isna(), "parcel_id"]),
        "owners_without_data": None,
        "enterprises_without_land": None,
    }
    out["tenants_without_parcel"]["count"] = len(stray)
    if enterprises is not None:
        known = _year_codes(enterprises, year)
        out["owners_without_data"] = _ids(firms[~firms.isin(known)])
        out["enterprises_without_land"] = _ids(known[~known.isin(firms)].sort_values())
    return out


_SAY = {
    "tenants_without_parcel": "tenancies name a parcel not in `parcels` (tenant/parcel)",
    "parcels_without_owner": "parcels have no `owner_code`",
    "owners_without_data": "enterprises with land have no row in `enterprises` for the year",
    "enterprises_without_land": "enterprises have no land (no parcel held, no tenancy)",
}


def _warn(unmatched: dict[str, dict[str, Any] | None], year: int) -> None:
    parts = [
        f"{found['count']} {_SAY[key]}: {format_ids(found['ids'])}"
        + (f" (+{found['count'] - len(found['ids'])} more)" if found["count"] > 5 else "")
        for key, found in unmatched.items()
        if found is not None and found["count"]
    ]
    if parts:
        msg = (
            f"enterprise_land() for {year}: {'; '.join(parts)}. They get no land from these "
            "rows; result.attrs['unmatched'] lists them."
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
        or more firms, ``unit_id`` ``"U:<parcel_id>+…"``.
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
        derived, in Chinese), ``parcel_ids`` and ``zone_ids`` (``";"``-joined), ``evaluated``
        and ``not_evaluated_reason``. ``attrs``: ``rule``, ``year`` and ``unmatched``, a dict
        ``{"tenants_without_parcel", "parcels_without_owner", "owners_without_data",
        "enterprises_without_land"}`` → ``{"count": n, "ids": [up to 5]}`` (the last two
        ``None`` without ``enterprises``; ``owners_without_data`` covers tenants too).

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
    plots = _plots(parcels)
    leases, stray = _leases(tenancies, plots, year)
    if rule == "combine_and_share":
        out = _combined(plots, leases)
    else:
        out = _separate(plots, leases, rule)
        _check_overlet(plots, leases, rule)
    out = out.sort_index()
    out.index.name = "credit_code"
    out["land_area_mu"] = out["land_area_m2"] / M2_PER_MU
    out["evaluated"] = out["not_evaluated_reason"].isna()
    out = out.loc[:, list(LAND_COLUMNS)]
    unmatched = _unmatched(plots, stray, out.index, enterprises, year)
    out.attrs = {"rule": rule, "year": year, "unmatched": unmatched}
    _warn(unmatched, year)
    return out


def _check_overlet(plots: pd.DataFrame, leases: pd.DataFrame, rule: str | None) -> None:
    """Warn where the tenants' shares of a parcel exceed its land (apportioning)."""
    if rule != "apportion_by_floor_area" or leases.empty:
        return
    shares = leases.groupby("pos")["share_m2"].sum()
    over = shares > plots["land_m2"].to_numpy()[shares.index] * (1 + 1e-9)
    if over.any():
        ids = plots["parcel_id"].to_numpy()[shares.index[over]]
        msg = (
            f"enterprise_land(): on {int(over.sum())} parcels the tenants' shares exceed the "
            f"parcel's land ({format_ids(ids)}); the holder's remainder is set to 0. Check the "
            "rented areas and the parcels' floor_area_m2."
        )
        warnings.warn(msg, LanduseWarning, stacklevel=3)
