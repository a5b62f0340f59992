"""The redevelopment project bank (低效产业用地再开发项目库): ranked candidates.

:func:`build_project_bank` turns parcels into defensible candidates: idle land, inefficient
land, firms graded D and firms graded C with a low FAR, each with its reasons (codes and
sentences with the numbers, see :mod:`landuse.efficiency`), the potential gains if brought up
to the zone's target, a suggested route and a priority. :func:`write_bank_excel` exports the
table with Chinese headers.

Routes (first rule that applies)
--------------------------------
=================  ==========  ==================================================================
route              label       rule
=================  ==========  ==================================================================
``acquisition``    收购储备    idle land (``idle_*``), or production fully stopped ≥ 1 year: the
                               land is out of use; stage-2 idle land may be reclaimed without
                               compensation, other land is bought into the land reserve
``relocation``     腾退        industry on the eliminated list, or not one of the zone's
                               leading industries: the firm moves out and the land is re-let to
                               the leading industry
``multistorey``    工业上楼    FAR below the minimum or below the zone target (C grade), and the
                               industry suits multi-storey factories
                               (``multistorey.suitable_industries_2017``) on a site of at least
                               ``multistorey.high_rise_site_ha_min`` (where set)
``self_upgrade``   自主提升    every other candidate: the firm stays and raises its investment,
                               output, tax or FAR on its own land
=================  ==========  ==================================================================

Gains and priority
------------------
- Target FAR: the zone's ``target_far`` (a column of ``zones``) where given, else the zone's
  FAR (Σ floor area ÷ Σ land of its producing parcels in scope), and never below the parcel's
  control minimum; for ``multistorey`` at least ``multistorey.far_min`` (2.0). Parcels outside
  every zone use the figures of all parcels.
- ``potential_extra_floor_area_m2`` = max(target FAR − FAR, 0) × land area.
- ``land_freed_mu``: for ``acquisition`` and ``relocation`` the whole parcel; otherwise the land
  its present floor area would not need at the target FAR, (land − floor area ÷ target FAR).
- ``potential_tax_wan`` = land in 亩 × the zone's benchmark tax per 亩 (the zone column
  ``benchmark_tax_wan_per_mu`` where given, else Σ tax ÷ Σ 亩 of its producing parcels);
  ``tax_gain_wan`` = what that adds to the present tax.
- ``priority`` (0–100) = 100 × Σ wₖ·pₖ / Σ wₖ, where pₖ is the candidate's percentile rank
  among all candidates by tax gain, land freed, extra floor area and number of reasons; default
  weights 0.4, 0.3, 0.2, 0.1 (``priority_weights``). Candidates are sorted by priority, then by
  ``candidate_id``.
- ``candidate_id`` = ``"C-" + parcel_id``, so a re-run gives the same ids.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landuse.efficiency import _common as c
from landuse.efficiency import _grading as grading
from landuse.efficiency import _reasons as reasons_mod
from landuse.efficiency import _rules as rules
from landuse.errors import SchemaError, format_ids
from landuse.policy import Policy
from landuse.units import M2_PER_MU

__all__ = ["DEFAULT_PRIORITY_WEIGHTS", "ROUTES", "build_project_bank", "write_bank_excel"]

#: route code → (Chinese label, English label), in the order the rules are tried.
ROUTES: dict[str, tuple[str, str]] = {
    "acquisition": ("收购储备", "government acquisition"),
    "relocation": ("腾退", "relocation"),
    "multistorey": ("工业上楼", "multi-storey rebuild"),
    "self_upgrade": ("自主提升", "self-upgrade"),
}
#: Default weights of the priority components (documented in the module docstring).
DEFAULT_PRIORITY_WEIGHTS: dict[str, float] = {
    "tax_gain": 0.4,
    "land_freed": 0.3,
    "extra_floor_area": 0.2,
    "reasons": 0.1,
}
_ACQUIRE = ("idle_not_started", "idle_stalled")
_ORDER = (
    "candidate_id",
    "parcel_id",
    "zone_id",
    "enterprise",
    "land_use",
    "industry_code",
    "production_status",
    "reasons",
    "reason_text",
    "n_reasons",
    "grade",
    "mujun_score",
    "route",
    "route_label",
    "priority",
    "priority_rank",
    "land_area_m2",
    "land_area_mu",
    "far",
    "target_far",
    "potential_extra_floor_area_m2",
    "land_freed_mu",
    "tax_per_mu_wan",
    "benchmark_tax_wan_per_mu",
    "potential_tax_wan",
    "tax_gain_wan",
    "idle_stage",
    "idle_fee_wan",
)


def _progress(enabled: bool, total: int) -> Any:
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "progress=True needs tqdm: pip install tqdm (or pass progress=False)."
        raise ImportError(msg) from exc
    return tqdm(total=total, desc="build_project_bank")


def _zone_figures(
    inp: rules.Inputs,
    zones: gpd.GeoDataFrame,
    far: np.ndarray,
    floor: np.ndarray,
    tax: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, dict[str, dict[str, float]]]:
    """Per parcel: the zone's target FAR and benchmark tax per 亩 (NaN where unknown)."""
    producing = inp.scope & ~np.isnan(far)
    if inp.status is not None:
        producing &= inp.status == "producing"
    else:
        producing &= inp.completed()
    zone = inp.zone_id if inp.zone_id is not None else np.full(inp.n, None, dtype=object)
    key = np.where(pd.isna(zone), "", zone).astype(object)
    mu = inp.land / M2_PER_MU
    frame = pd.DataFrame(
        {
            "zone": key[producing],
            "floor": floor[producing],
            "land": inp.land[producing],
            "tax": (tax[producing] if tax is not None else np.nan),
            "mu": mu[producing],
        }
    )
    taxed = frame.dropna(subset=["tax"])
    sums = frame.groupby("zone")[["floor", "land"]].sum()
    tax_sums = taxed.groupby("zone")[["tax", "mu"]].sum()
    zone_far = (sums["floor"] / sums["land"]).to_dict()
    zone_tax = (tax_sums["tax"] / tax_sums["mu"]).to_dict()
    city_far = float(frame["floor"].sum() / frame["land"].sum()) if len(frame) else np.nan
    city_tax = float(taxed["tax"].sum() / taxed["mu"].sum()) if len(taxed) else np.nan
    given_far: dict[str, float] = {}
    given_tax: dict[str, float] = {}
    ids = zones["zone_id"].astype(str).to_numpy()
    if "target_far" in zones.columns:
        values = pd.to_numeric(zones["target_far"], errors="coerce").to_numpy()
        given_far = {z: float(v) for z, v in zip(ids, values, strict=True) if np.isfinite(v)}
    if "benchmark_tax_wan_per_mu" in zones.columns:
        values = pd.to_numeric(zones["benchmark_tax_wan_per_mu"], errors="coerce").to_numpy()
        given_tax = {z: float(v) for z, v in zip(ids, values, strict=True) if np.isfinite(v)}
    table: dict[str, dict[str, float]] = {}
    for z in sorted(set(ids) | set(zone_far) - {""}):
        table[z] = {
            "target_far": given_far.get(z, zone_far.get(z, city_far)),
            "target_far_source": 1.0 if z in given_far else 0.0,
            "benchmark_tax_wan_per_mu": given_tax.get(z, zone_tax.get(z, city_tax)),
            "benchmark_tax_source": 1.0 if z in given_tax else 0.0,
        }
    table[""] = {
        "target_far": city_far,
        "target_far_source": 0.0,
        "benchmark_tax_wan_per_mu": city_tax,
        "benchmark_tax_source": 0.0,
    }
    lookup = pd.DataFrame(table).T
    target = lookup["target_far"].reindex(key).to_numpy(dtype=float)
    bench = lookup["benchmark_tax_wan_per_mu"].reindex(key).to_numpy(dtype=float)
    target = np.where(np.isnan(target), city_far, target)
    bench = np.where(np.isnan(bench), city_tax, bench)
    report = {
        (z or "(outside zones)"): {
            "target_far": round(float(v["target_far"]), 4),
            "target_far_given": bool(v["target_far_source"]),
            "benchmark_tax_wan_per_mu": round(float(v["benchmark_tax_wan_per_mu"]), 4),
            "benchmark_tax_given": bool(v["benchmark_tax_source"]),
        }
        for z, v in table.items()
    }
    return target, bench, report


def _grade_outcomes(
    inp: rules.Inputs,
    graded: pd.DataFrame,
    far: np.ndarray,
    base_target: np.ndarray,
) -> list[reasons_mod.Outcome]:
    grade = graded["grade"].astype(object).to_numpy()
    grade = np.where(pd.isna(grade), None, grade)
    cuts = sorted(inp.policy.mujun.class_cuts or (), key=lambda cut: cut.rank_share_max)
    last = cuts[-1].grade if cuts else None
    before_last = cuts[-2].grade if len(cuts) > 1 else None
    score = graded["score"].to_numpy(dtype=float)
    rank = graded["rank"].to_numpy(dtype=float, na_value=np.nan)
    share = graded["rank_share"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        size = np.rint(rank / share)
    is_graded = ~pd.isna(grade)
    missing = [] if graded.attrs.get("graded", 0) else ["no firm could be graded"]

    d_flag = is_graded & (grade == last)
    c_flag = is_graded & (grade == before_last) & (far < base_target)

    def d_text(pos: np.ndarray, lang: str) -> pa.Array:
        s, r, n = c.fmt(score[pos], 1), c.fmt(rank[pos], 0), c.fmt(size[pos], 0)
        if lang == "zh":
            return c.concat("亩均评价 D 类：综合得分 ", s, "，第 ", r, "/", n, " 名")
        return c.concat("亩均 grade D: score ", s, ", rank ", r, " of ", n)

    def c_text(pos: np.ndarray, lang: str) -> pa.Array:
        f, t = c.fmt(far[pos], 2), c.fmt(base_target[pos], 2)
        if lang == "zh":
            return c.concat("亩均评价 C 类且容积率偏低：容积率 ", f, " < 集聚区目标 ", t)
        return c.concat("亩均 grade C with a low FAR: FAR ", f, " < zone target ", t)

    checked = np.asarray(is_graded, dtype=bool)
    return [
        reasons_mod.Outcome("grade_d", d_flag, checked, list(missing), d_text),
        reasons_mod.Outcome(
            "grade_c_low_far", c_flag & ~np.isnan(base_target), checked, list(missing), c_text
        ),
    ]


def _divisions(inp: rules.Inputs) -> np.ndarray:
    if inp.codes is None:
        return np.full(inp.n, None, dtype=object)
    return rules.divisions_2017(inp)


def _routes(inp: rules.Inputs, flags: Mapping[str, np.ndarray], land_m2: np.ndarray) -> np.ndarray:
    n = inp.n
    none = np.zeros(n, dtype=bool)

    def f(code: str) -> np.ndarray:
        return flags.get(code, none)

    fully_stopped = inp.status == "stopped" if inp.status is not None else none
    acquisition = (
        f("idle_not_started") | f("idle_stalled") | (f("production_stopped") & fully_stopped)
    )
    relocation = f("eliminated_industry") | f("off_leading_industry")
    suitable = inp.policy.multistorey.suitable_industries_2017 or {}
    divisions = pd.Series(_divisions(inp), dtype="string")
    fits = np.zeros(n, dtype=bool)
    for code in suitable:
        fits |= (
            divisions.str.contains(rf"(?:^|;){code}(?:;|$)", regex=True)
            .fillna(False)
            .to_numpy(dtype=bool)
        )
    site_min = inp.policy.multistorey.high_rise_site_ha_min
    if site_min is not None:
        fits &= land_m2 >= site_min * 10000.0
    multistorey = (f("far_below_min") | f("grade_c_low_far")) & fits
    route = np.full(n, "self_upgrade", dtype=object)
    route[multistorey] = "multistorey"
    route[relocation] = "relocation"
    route[acquisition] = "acquisition"
    return route


def _percentile(values: np.ndarray) -> np.ndarray:
    if len(values) == 0:
        return values
    filled = np.where(np.isnan(values), -np.inf, values)
    return pd.Series(filled).rank(method="average", pct=True).to_numpy()


def build_project_bank(
    parcels: gpd.GeoDataFrame,
    *,
    zones: gpd.GeoDataFrame,
    as_of: Any,
    policy: Policy | str,
    functional_areas: gpd.GeoDataFrame | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    metrics: pd.DataFrame | None = None,
    land_uses: Sequence[str] | None = ("industrial",),
    priority_weights: Mapping[str, float] | None = None,
    raster_evidence: pd.DataFrame | None = None,
    lang: Literal["zh", "en"] = "zh",
    progress: bool = False,
) -> gpd.GeoDataFrame:
    """Build the ranked redevelopment project bank: idle, inefficient, grade D, low-FAR C.

    Parameters
    ----------
    parcels
        Parcels in a projected CRS with a unique ``parcel_id`` (see
        :func:`landuse.read_parcels`); the columns each rule needs are listed in
        :func:`landuse.efficiency.reason_codes`.
    zones
        Zones in the same CRS with ``zone_id`` and ``leading_industry_codes``; optional columns
        ``target_far`` and ``benchmark_tax_wan_per_mu`` set the zone's targets. Parcels are
        placed in the zone holding their largest share unless they carry a ``zone_id``.
    as_of
        Reference date.
    policy
        Policy profile (or its name).
    functional_areas
        Optional functional areas, passed to the zone assignment.
    buildings
        Building footprints for floor area and footprint (see
        :func:`landuse.efficiency.parcel_metrics`).
    metrics
        What :func:`landuse.efficiency.parcel_metrics` returned for these parcels, to reuse it.
    land_uses
        ``land_use`` values examined (industrial by default; idle land of every use is
        included, as Order 53 covers all granted land).
    priority_weights
        Weights of the priority components ``tax_gain``, ``land_freed``,
        ``extra_floor_area``, ``reasons`` (default :data:`DEFAULT_PRIORITY_WEIGHTS`).
    raster_evidence
        What :func:`landuse.raster_evidence` returned for these parcels: adds the reasons
        ``vacant_by_raster`` and ``dark_by_night_light`` (see
        :func:`landuse.efficiency.find_inefficient_land`).
    lang
        ``"zh"`` (default) or ``"en"`` for ``reason_text`` and ``route_label``.
    progress
        Show a progress bar over the stages (needs tqdm).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per candidate, sorted by ``priority`` (then ``candidate_id``), on a fresh
        index, in the parcels' CRS: ``candidate_id``, ``parcel_id``, ``zone_id``, parcel
        columns (``enterprise``, ``land_use``, ``industry_code``, ``production_status`` where
        present), ``reasons``, ``reason_text``, ``n_reasons``, ``grade``, ``mujun_score``,
        ``route``, ``route_label``, ``priority``, ``priority_rank``, ``land_area_m2``,
        ``land_area_mu``, ``far``, ``target_far``, ``potential_extra_floor_area_m2``,
        ``land_freed_mu``, ``tax_per_mu_wan``, ``benchmark_tax_wan_per_mu``,
        ``potential_tax_wan``, ``tax_gain_wan``, ``idle_stage``, ``idle_fee_wan``, geometry.
        ``attrs``: ``policy``, ``as_of``, ``rules`` and ``not_evaluated`` (every reason code),
        ``routes`` (counts), ``zone_targets``, ``priority_weights``.

    Raises
    ------
    SchemaError
        ``parcel_id`` missing or not unique; zones without ``zone_id``.
    CRSError
        Geographic, missing or differing CRS.
    ValueError
        Unknown or negative priority weights, bad ``as_of`` or ``lang``.

    Examples
    --------
    >>> import landuse
    >>> s = landuse.load_sample()
    >>> bank = build_project_bank(s.parcels, zones=s.zones, buildings=s.buildings,
    ...                           as_of=s.as_of, policy="qingdao-2019")
    >>> len(bank), bank["route"].value_counts().to_dict()
    (1209, {'self_upgrade': 772, 'acquisition': 301, 'relocation': 121, 'multistorey': 15})
    >>> top = bank.iloc[0]
    >>> top["candidate_id"], top["route_label"], float(top["priority"])
    ('C-370285-001343', '收购储备', 98.23)
    >>> print(top["reason_text"].split("；")[0])
    闲置土地（中止开发）：已开发面积占 42.1%、已投资占 14.7%（开发不足 33.3% 或投资不足 25%），自 2019-08-24 中止开发 2.35 年（≥ 1 年）
    """
    caller = "build_project_bank"
    c.check_lang(lang, caller=caller)
    policy = c.resolve_policy(policy, caller=caller)
    weights = dict(DEFAULT_PRIORITY_WEIGHTS if priority_weights is None else priority_weights)
    bad = [k for k in weights if k not in DEFAULT_PRIORITY_WEIGHTS]
    if (
        bad
        or any(not (np.isfinite(v) and v >= 0) for v in weights.values())
        or not sum(weights.values()) > 0
    ):
        msg = (
            f"`priority_weights` passed to {caller}() must map some of "
            f"{', '.join(DEFAULT_PRIORITY_WEIGHTS)} to non-negative numbers, not all zero; "
            f"received {dict(weights)!r}."
        )
        raise ValueError(msg)
    c.check_frame(parcels, name="parcels", caller=caller)
    if "parcel_id" not in parcels.columns:
        msg = (
            f"`parcels` passed to {caller}() needs a `parcel_id` column: candidate ids are "
            "derived from it. Read the parcels with landuse.read_parcels."
        )
        raise SchemaError(msg)
    pid = parcels["parcel_id"]
    if pid.isna().any() or pid.duplicated().any():
        dup = pid[pid.duplicated(keep=False)].dropna().unique().tolist()
        msg = (
            f"`parcels` passed to {caller}() needs a unique `parcel_id` for stable candidate "
            f"ids; {int(pid.isna().sum())} missing, {len(dup)} repeated ({format_ids(dup)})."
        )
        raise SchemaError(msg)
    bar = _progress(progress, 5)

    from landuse.efficiency import _idle_columns, _inputs

    inp = _inputs(
        parcels,
        as_of=as_of,
        policy=policy,
        zones=zones,
        functional_areas=functional_areas,
        buildings=buildings,
        metrics=metrics,
        land_uses=land_uses,
        caller=caller,
        raster_evidence=raster_evidence,
    )
    if bar is not None:
        bar.update(1)
    # idle land of every use; inefficient land within scope
    idle_inp = copy.copy(inp)
    idle_inp.scope = np.ones(inp.n, dtype=bool)
    idle_outcomes = rules.run(idle_inp, rules.IDLE_RULES)
    outcomes = idle_outcomes + rules.run(inp, rules.INEFFICIENT_RULES)
    if bar is not None:
        bar.update(1)

    m = inp.metrics
    far = m["far"].to_numpy(dtype=float)
    floor = m["floor_area_m2"].to_numpy(dtype=float)
    far_min = (
        m["far_min"].to_numpy(dtype=float) if "far_min" in m.columns else np.full(inp.n, np.nan)
    )
    tax = inp.numbers["tax_wan"]
    zone_target, bench_tax, zone_report = _zone_figures(inp, zones, far, floor, tax)
    base_target = np.fmax(zone_target, far_min)
    graded = grading.grade(
        parcels, policy=policy, benchmarks=None, by=None, variant="above_scale", land_uses=land_uses
    )
    outcomes += _grade_outcomes(inp, graded, far, base_target)
    if bar is not None:
        bar.update(1)

    flags = {o.code: o.flagged for o in outcomes if o.evaluated}
    candidate = np.zeros(inp.n, dtype=bool)
    for flag in flags.values():
        candidate |= flag
    pos = np.flatnonzero(candidate)
    route_all = _routes(inp, flags, inp.land)
    route = route_all[pos]
    target = base_target[pos]
    multistorey_far = policy.multistorey.far_min
    if multistorey_far is not None:
        target = np.where(route == "multistorey", np.fmax(target, multistorey_far), target)
    land = inp.land[pos]
    mu = land / M2_PER_MU
    far_c = far[pos]
    floor_c = np.nan_to_num(floor[pos])
    extra = np.maximum(target - far_c, 0.0) * land
    with np.errstate(invalid="ignore", divide="ignore"):
        keep = np.where(target > 0, floor_c / target, np.nan)
    freed = np.where(
        np.isin(route, ("acquisition", "relocation")), land, np.maximum(land - keep, 0.0)
    )
    freed_mu = freed / M2_PER_MU
    potential_tax = mu * bench_tax[pos]
    current_tax = np.nan_to_num(tax[pos]) if tax is not None else np.zeros(len(pos))
    tax_gain = np.maximum(potential_tax - current_tax, 0.0)
    codes, texts, count = reasons_mod.reasons(outcomes, pos, lang)
    components = {
        "tax_gain": tax_gain,
        "land_freed": freed_mu,
        "extra_floor_area": extra,
        "reasons": count.astype(float),
    }
    total = sum(weights.values())
    priority = np.zeros(len(pos))
    for name, w in weights.items():
        priority += w * _percentile(components[name])
    priority = np.round(100.0 * priority / total, 2)
    if bar is not None:
        bar.update(1)

    idle_cols = _idle_columns(idle_inp, idle_outcomes, lang)
    labels = {k: (zh if lang == "zh" else en) for k, (zh, en) in ROUTES.items()}
    ids = pa.array(
        parcels["parcel_id"].astype("string").to_numpy(dtype=object)[pos], type=pa.string()
    )
    columns: dict[str, Any] = {
        "candidate_id": pd.array(pc.binary_join_element_wise("C-", ids, ""), dtype="str"),
        "parcel_id": parcels["parcel_id"].to_numpy()[pos],
        "zone_id": pd.array(
            inp.zone_id[pos] if inp.zone_id is not None else np.full(len(pos), None), dtype="str"
        ),
    }
    for col in ("enterprise", "land_use", "industry_code", "production_status"):
        if col in parcels.columns:
            columns[col] = parcels[col].to_numpy()[pos]
    grade = graded["grade"].astype(object).to_numpy()[pos]
    columns |= {
        "reasons": codes,
        "reason_text": texts,
        "n_reasons": count,
        "grade": pd.array(np.where(pd.isna(grade), None, grade), dtype="str"),
        "mujun_score": np.round(graded["score"].to_numpy(dtype=float)[pos], 2),
        "route": pd.array(route, dtype="str"),
        "route_label": pd.array(pd.Series(route).map(labels).to_numpy(), dtype="str"),
        "priority": priority,
        "priority_rank": np.zeros(len(pos), dtype=np.int64),
        "land_area_m2": np.round(land, 2),
        "land_area_mu": np.round(mu, 2),
        "far": np.round(far_c, 3),
        "target_far": np.round(target, 3),
        "potential_extra_floor_area_m2": np.round(extra, 1),
        "land_freed_mu": np.round(freed_mu, 2),
        "tax_per_mu_wan": np.round(m["tax_per_mu_wan"].to_numpy(dtype=float)[pos], 2),
        "benchmark_tax_wan_per_mu": np.round(bench_tax[pos], 2),
        "potential_tax_wan": np.round(potential_tax, 2),
        "tax_gain_wan": np.round(tax_gain, 2),
        "idle_stage": idle_cols["idle_stage"][pos],
        "idle_fee_wan": np.round(idle_cols["idle_fee_wan"][pos], 2),
    }
    frame = pd.DataFrame(columns)
    frame = frame[[col for col in _ORDER if col in frame.columns]]
    bank = gpd.GeoDataFrame(frame, geometry=parcels.geometry.to_numpy()[pos], crs=parcels.crs)
    order = np.lexsort((bank["candidate_id"].to_numpy(dtype=object), -bank["priority"].to_numpy()))
    bank = bank.iloc[order].reset_index(drop=True)
    bank["priority_rank"] = np.arange(1, len(bank) + 1)
    bank.attrs = {
        "policy": policy.name,
        "as_of": str(inp.as_of),
        **reasons_mod.report(outcomes),
        "routes": {k: int((route == k).sum()) for k in ROUTES},
        "zone_targets": zone_report,
        "priority_weights": weights,
    }
    if bar is not None:
        bar.update(1)
        bar.close()
    return bank


#: Chinese headers of the bank table (others fall back to the parcel schema's labels).
HEADERS_ZH: dict[str, str] = {
    "candidate_id": "候选编号",
    "parcel_id": "宗地编号",
    "zone_id": "集聚区编号",
    "enterprise": "企业名称",
    "land_use": "用途",
    "industry_code": "行业代码",
    "production_status": "生产状态",
    "reasons": "原因代码",
    "reason_text": "原因",
    "n_reasons": "原因数",
    "grade": "亩均等级",
    "mujun_score": "亩均综合得分",
    "route": "路径代码",
    "route_label": "再开发路径",
    "priority": "优先级",
    "priority_rank": "优先级排名",
    "land_area_m2": "用地面积(平方米)",
    "land_area_mu": "用地面积(亩)",
    "far": "容积率",
    "target_far": "目标容积率",
    "potential_extra_floor_area_m2": "潜在新增建筑面积(平方米)",
    "land_freed_mu": "可腾出土地(亩)",
    "tax_per_mu_wan": "亩均税收(万元/亩)",
    "benchmark_tax_wan_per_mu": "集聚区亩均税收基准(万元/亩)",
    "potential_tax_wan": "预期税收(万元)",
    "tax_gain_wan": "预期新增税收(万元)",
    "idle_stage": "闲置阶段",
    "idle_fee_wan": "土地闲置费(万元)",
}


def write_bank_excel(
    bank: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    lang: Literal["zh", "en"] = "zh",
    sheet_name: str | None = None,
) -> Path:
    """Write the bank table to an Excel workbook (openpyxl), atomically.

    Every text is a string cell holding the text exactly, never a formula: an enterprise
    name ``=HYPERLINK(…)`` stays that text (:func:`landuse._sinks.excel_text_cells`).

    Parameters
    ----------
    bank
        What :func:`build_project_bank` returned (the geometry is left out).
    path
        Target ``.xlsx`` file (replaced if it exists).
    lang
        ``"zh"`` (default): Chinese headers (e.g. 候选编号, 再开发路径, 可腾出土地(亩));
        ``"en"``: the column names.
    sheet_name
        Worksheet name (default 项目库 / ``project_bank``).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ValueError
        ``path`` does not end in ``.xlsx``, or ``lang`` is unknown.

    Examples
    --------
    >>> import tempfile, openpyxl, landuse
    >>> s = landuse.load_sample()
    >>> bank = build_project_bank(s.parcels, zones=s.zones, as_of=s.as_of, policy="qingdao-2019")
    >>> out = write_bank_excel(bank, Path(tempfile.mkdtemp()) / "bank.xlsx")
    >>> sheet = openpyxl.load_workbook(out)["项目库"]
    >>> [cell.value for cell in sheet[1]][:4]
    ['候选编号', '宗地编号', '集聚区编号', '企业名称']
    """
    from landuse._sinks import excel_workbook
    from landuse.schema import PARCELS

    c.check_lang(lang, caller="write_bank_excel")
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        msg = f"write_bank_excel writes an .xlsx workbook; `path` must end in .xlsx, received {str(path)!r}."
        raise ValueError(msg)
    table = pd.DataFrame(
        bank.drop(columns=[bank.geometry.name]) if isinstance(bank, gpd.GeoDataFrame) else bank
    )
    table.attrs = {}
    if lang == "zh":
        fallback = {col.name: col.label_zh for col in PARCELS.columns}
        table = table.rename(columns=lambda col: HEADERS_ZH.get(col, fallback.get(col, col)))
    sheet = sheet_name or ("项目库" if lang == "zh" else "project_bank")
    with excel_workbook(path, caller="write_bank_excel") as book:
        ws = book.add(table, sheet, freeze_panes=(1, 0))
        for i, col in enumerate(table.columns, start=1):
            width = max(len(str(col)) * 2, 10)
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(width, 60)
    return path


# The store that keeps the bank over the years (GeoPackage or PostGIS), re-exported here so
# that `from landuse.bank import ProjectBank` works (architecture: bank.py = ranking + store).
from landuse.bank.store import ProjectBank  # noqa: E402

__all__ = [*__all__, "ProjectBank"]
