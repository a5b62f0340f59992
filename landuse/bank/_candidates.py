"""The ranked candidates of the project bank: the body of :func:`landuse.bank.build_project_bank`.

Private: see :mod:`landuse.bank` for the routes, gains and priority. The parcels are checked
once (:func:`landuse.efficiency.inputs.check_layers`), and the efficiency rules, grading and
reasons are reached through :mod:`landuse.efficiency.inputs`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landuse._checks import Lang, PolicyLike, check_lang, records_policy
from landuse.efficiency import inputs
from landuse.efficiency.inputs import Inputs, Outcome, divisions_2017
from landuse.errors import PolicyError, SchemaError, format_ids
from landuse.policy import Policy, load_policy
from landuse.schema import CATEGORY_LABELS, category_labels
from landuse.units import M2_PER_MU

__all__ = ["DEFAULT_PRIORITY_WEIGHTS", "ROUTES", "build_project_bank"]

#: route code → (Chinese label, English label), in the order the rules are tried (a view of
#: :data:`landuse.schema.CATEGORY_LABELS` ``["route"]``).
ROUTES: dict[str, tuple[str, str]] = dict(CATEGORY_LABELS["route"])
#: The components of the priority score, in order (module docstring).
PRIORITY_COMPONENTS = ("tax_gain", "land_freed", "extra_floor_area", "reasons")
#: The priority weights of the ``national-2008`` profile (``bank.priority_weights``, a method
#: choice of landuse), kept for compatibility: :func:`build_project_bank` reads the weights of
#: the ``policy=`` it is given, so change them there (or pass ``priority_weights=``).
DEFAULT_PRIORITY_WEIGHTS: dict[str, float] = {
    k: float(v)
    for k, v in (
        load_policy("national-2008").provenance("bank.priority_weights").value or {}
    ).items()
}
_ACQUIRE = ("idle_not_started", "idle_stalled")
ORDER = (
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
    "grade_source",
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
    inp: Inputs,
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


def _divisions(inp: Inputs) -> np.ndarray:
    if inp.codes is None:
        return np.full(inp.n, None, dtype=object)
    return divisions_2017(inp)


def _routes(inp: Inputs, flags: Mapping[str, np.ndarray], land_m2: np.ndarray) -> np.ndarray:
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


@records_policy
def build_project_bank(
    parcels: gpd.GeoDataFrame,
    *,
    zones: gpd.GeoDataFrame,
    as_of: Any,
    policy: PolicyLike,
    functional_areas: gpd.GeoDataFrame | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    metrics: pd.DataFrame | None = None,
    land_uses: Sequence[str] | None = ("industrial",),
    priority_weights: Mapping[str, float] | None = None,
    raster_evidence: pd.DataFrame | None = None,
    enterprise_grades: pd.DataFrame | None = None,
    lang: Lang = "zh",
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
        ``extra_floor_area``, ``reasons``, replacing the profile's ``bank.priority_weights``
        (default ``None``: the profile's; ``national-2008`` and the profiles extending it set
        0.4 / 0.3 / 0.2 / 0.1, a method choice of landuse, confidence I). Where neither is
        set, ``priority`` is missing and ``attrs["not_evaluated"]["priority"]`` says so.
    raster_evidence
        What :func:`landuse.raster_evidence` returned for these parcels: adds the reasons
        ``vacant_by_raster`` and ``dark_by_night_light`` (see
        :func:`landuse.efficiency.find_inefficient_land`).
    enterprise_grades
        What :func:`landuse.enterprise.evaluate_enterprises` returned for the year, to grade
        each parcel by its enterprise instead of grading parcel rows
        (:func:`landuse.efficiency.grade_enterprises`, the default ``None``). Needs
        ``parcels.owner_code``. A parcel takes its holder's grade; a holder not graded → the
        worst grade among the enterprises evaluated on the parcel (tenants, members of a
        combined unit); nobody graded → no grade. ``grade_d`` / ``grade_c_low_far`` texts name
        the enterprise, the column ``grade_source`` says whose grade it is, and
        ``attrs["grade_source"]`` counts the parcels graded from holders and from other
        enterprises and lists parcels whose ``owner_code`` matches no enterprise (kept, not
        dropped).
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
        present), ``reasons``, ``reason_text``, ``n_reasons``, ``grade`` (with
        ``grade_source`` after it when ``enterprise_grades`` is given), ``mujun_score``,
        ``route``, ``route_label``, ``priority``, ``priority_rank``, ``land_area_m2``,
        ``land_area_mu``, ``far``, ``target_far``, ``potential_extra_floor_area_m2``,
        ``land_freed_mu``, ``tax_per_mu_wan``, ``benchmark_tax_wan_per_mu``,
        ``potential_tax_wan``, ``tax_gain_wan``, ``idle_stage``, ``idle_fee_wan``, geometry.
        ``attrs``: ``policy``, ``as_of``, ``rules`` and ``not_evaluated`` (every reason code),
        ``routes`` (counts), ``zone_targets``, ``priority_weights`` and
        ``priority_weights_source`` (the argument or the profile key), ``grade_source``
        (``source``: ``"parcel"`` or ``"enterprise"``, the rule, counts), ``policy_keys`` (the
        policy keys applied; see :func:`landuse._checks.records_policy`).

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
    (1117, {'self_upgrade': 680, 'acquisition': 301, 'relocation': 121, 'multistorey': 15})
    >>> sorted(k for k in bank.attrs["not_evaluated"] if k.startswith(("low", "tax")))
    ['low_output', 'tax_below_floor']
    >>> top = bank.iloc[0]
    >>> top["candidate_id"], top["route_label"], float(top["priority"])
    ('C-370285-001343', '收购储备', 99.36)
    >>> print(top["reason_text"].split("；")[0])
    闲置土地（中止开发）：已开发面积占 42.1%、已投资占 14.7%（开发不足 33.3% 或投资不足 25%），自 2019-08-24 中止开发 2.35 年（≥ 1 年）
    """
    caller = "build_project_bank"
    check_lang(lang, caller=caller)
    inputs.check_layers(
        parcels, caller=caller, zones=zones, functional_areas=functional_areas, buildings=buildings
    )
    _check_parcel_ids(parcels, caller=caller)
    bar = _progress(progress, 5)
    inp = inputs.assemble(
        parcels,
        caller=caller,
        as_of=as_of,
        policy=policy,
        zones=zones,
        buildings=buildings,
        metrics=metrics,
        land_uses=land_uses,
        raster_evidence=raster_evidence,
    )
    weights = _check_weights(priority_weights, inp.policy, caller=caller)
    _step(bar)
    # idle land of every use; inefficient land within scope
    idle_inp = copy.copy(inp)
    idle_inp.scope = np.ones(inp.n, dtype=bool)
    idle_outcomes = inputs.run(idle_inp, inputs.IDLE_RULES)
    outcomes = idle_outcomes + inputs.run(inp, inputs.INEFFICIENT_RULES)
    _step(bar)
    targets = _targets(inp, zones)
    graded, joined, grade_found = _grade(inp, parcels, enterprise_grades, targets, land_uses)
    outcomes += grade_found
    _step(bar)
    pos, route = _candidates(inp, outcomes)
    gains = _gains(inp, pos, route, targets)
    codes, texts, count = inputs.reasons(outcomes, pos, lang)
    priority = _priority(gains, count, weights)
    _step(bar)
    columns = _columns(inp, pos, graded, lang) | {
        "reasons": codes,
        "reason_text": texts,
        "n_reasons": count,
    }
    idle_cols = inputs.idle_columns(idle_inp, idle_outcomes, lang)
    if joined is not None:
        columns["grade_source"] = pd.array(joined.source(pos, lang), dtype="str")
    bank = _table(inp, pos, route, columns, gains, priority, idle_cols, lang)
    report = inputs.report(outcomes)
    if weights is None:
        report["not_evaluated"]["priority"] = ["policy `bank.priority_weights`"]
    bank.attrs = {
        "policy": inp.policy.name,
        "as_of": str(inp.as_of),
        **report,
        "routes": {k: int((route == k).sum()) for k in ROUTES},
        "zone_targets": targets.report,
        "priority_weights": weights,
        "priority_weights_source": (
            "argument priority_weights"
            if priority_weights is not None
            else f"policy `bank.priority_weights` ({inp.policy.name})"
        ),
        "grade_source": (
            joined.report
            if joined is not None
            else {"source": "parcel", "rule": "grade_enterprises on the parcel rows"}
        ),
        # keys behind reused metrics (records_policy adds the keys read here)
        "policy_keys": inputs.given_metrics_keys(metrics),
    }
    _step(bar, close=True)
    return bank


def _check_weights(
    priority_weights: Mapping[str, float] | None, policy: Policy, *, caller: str
) -> dict[str, float] | None:
    """Return the priority weights: the argument, else ``bank.priority_weights`` (or None)."""
    given = priority_weights is not None
    raw = priority_weights if given else policy.bank.priority_weights
    if raw is None:
        return None
    weights = dict(raw)
    bad = [k for k in weights if k not in PRIORITY_COMPONENTS]
    if (
        bad
        or any(not (np.isfinite(v) and v >= 0) for v in weights.values())
        or not sum(weights.values()) > 0
    ):
        where = (
            f"`priority_weights` passed to {caller}()"
            if given
            else f"`bank.priority_weights` of policy {policy.name!r}"
        )
        msg = (
            f"{where} must map some of {', '.join(PRIORITY_COMPONENTS)} to non-negative "
            f"numbers, not all zero; received {dict(weights)!r}."
        )
        raise (ValueError if given else PolicyError)(msg)
    return {k: float(v) for k, v in weights.items()}


def _check_parcel_ids(parcels: gpd.GeoDataFrame, *, caller: str) -> None:
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


def _step(bar: Any, *, close: bool = False) -> None:
    if bar is not None:
        bar.update(1)
        if close:
            bar.close()


@dataclass
class _Targets:
    """Per parcel: FAR, floor area, tax, the zone's target FAR (at least the minimum), its
    benchmark tax per 亩; the zone report."""

    far: np.ndarray
    floor: np.ndarray
    tax: np.ndarray | None
    base: np.ndarray
    bench_tax: np.ndarray
    report: dict[str, dict[str, Any]]


def _targets(inp: Inputs, zones: gpd.GeoDataFrame) -> _Targets:
    m = inp.metrics
    far = m["far"].to_numpy(dtype=float)
    floor = m["floor_area_m2"].to_numpy(dtype=float)
    far_min = (
        m["far_min"].to_numpy(dtype=float) if "far_min" in m.columns else np.full(inp.n, np.nan)
    )
    tax = inp.numbers["tax_wan"]
    zone_target, bench_tax, report = _zone_figures(inp, zones, far, floor, tax)
    return _Targets(far, floor, tax, np.fmax(zone_target, far_min), bench_tax, report)


def _candidates(inp: Inputs, outcomes: Sequence[Outcome]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the parcels flagged by any evaluated rule, and their routes."""
    flags = {o.code: o.flagged for o in outcomes if o.evaluated}
    candidate = np.zeros(inp.n, dtype=bool)
    for flag in flags.values():
        candidate |= flag
    pos = np.flatnonzero(candidate)
    return pos, _routes(inp, flags, inp.land)[pos]


def _gains(inp: Inputs, pos: np.ndarray, route: np.ndarray, t: _Targets) -> dict[str, np.ndarray]:
    """Target FAR, extra floor area, land freed and tax of each candidate."""
    target = t.base[pos]
    multistorey_far = inp.policy.multistorey.far_min
    if multistorey_far is not None:
        target = np.where(route == "multistorey", np.fmax(target, multistorey_far), target)
    land = inp.land[pos]
    mu = land / M2_PER_MU
    far = t.far[pos]
    floor = np.nan_to_num(t.floor[pos])
    extra = np.maximum(target - far, 0.0) * land
    with np.errstate(invalid="ignore", divide="ignore"):
        keep = np.where(target > 0, floor / target, np.nan)
    freed = np.where(
        np.isin(route, ("acquisition", "relocation")), land, np.maximum(land - keep, 0.0)
    )
    potential_tax = mu * t.bench_tax[pos]
    current_tax = np.nan_to_num(t.tax[pos]) if t.tax is not None else np.zeros(len(pos))
    return {
        "land": land,
        "mu": mu,
        "far": far,
        "target": target,
        "extra": extra,
        "freed_mu": freed / M2_PER_MU,
        "bench_tax": t.bench_tax[pos],
        "potential_tax": potential_tax,
        "tax_gain": np.maximum(potential_tax - current_tax, 0.0),
    }


def _priority(
    gains: Mapping[str, np.ndarray], count: np.ndarray, weights: Mapping[str, float] | None
) -> np.ndarray:
    """100 × the weighted mean of the candidates' percentile ranks (module docstring).

    Missing for every candidate when no weights are set (the priority is not evaluated).
    """
    if weights is None:
        return np.full(len(count), np.nan)
    components = {
        "tax_gain": gains["tax_gain"],
        "land_freed": gains["freed_mu"],
        "extra_floor_area": gains["extra"],
        "reasons": count.astype(float),
    }
    total = sum(weights.values())
    priority = np.zeros(len(count))
    for name, w in weights.items():
        priority += w * _percentile(components[name])
    return np.round(100.0 * priority / total, 2)


def _grade(
    inp: Inputs,
    parcels: gpd.GeoDataFrame,
    enterprise_grades: pd.DataFrame | None,
    targets: Any,
    land_uses: Sequence[str] | None,
) -> tuple[pd.DataFrame, Any, list[Outcome]]:
    """Grade the parcels (rows, or their enterprises) and the reasons the grades give."""
    if enterprise_grades is None:
        graded = inputs.grade(
            parcels,
            policy=inp.policy,
            land=inp.land,
            benchmarks=None,
            by=None,
            variant="above_scale",
            land_uses=land_uses,
            caller=inp.caller,
        )
        return graded, None, inputs.grade_outcomes(inp, graded, targets.far, targets.base)
    joined = inputs.parcel_grades(
        inp.parcels, enterprise_grades, policy=inp.policy, caller=inp.caller
    )
    found = inputs.enterprise_grade_outcomes(inp, joined, targets.far, targets.base)
    return joined.graded, joined, found


def _columns(inp: Inputs, pos: np.ndarray, graded: pd.DataFrame, lang: str) -> dict[str, Any]:
    """Ids, parcel columns and grade of the candidates."""
    parcels = inp.parcels
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
    columns["grade"] = pd.array(np.where(pd.isna(grade), None, grade), dtype="str")
    columns["mujun_score"] = np.round(graded["score"].to_numpy(dtype=float)[pos], 2)
    return columns


def _table(
    inp: Inputs,
    pos: np.ndarray,
    route: np.ndarray,
    columns: dict[str, Any],
    gains: Mapping[str, np.ndarray],
    priority: np.ndarray,
    idle_cols: Mapping[str, np.ndarray],
    lang: str,
) -> gpd.GeoDataFrame:
    """The bank table: columns in order, sorted by priority, ranked."""
    labels = category_labels("route", lang=lang)  # type: ignore[arg-type]
    columns |= {
        "route": pd.array(route, dtype="str"),
        "route_label": pd.array(pd.Series(route).map(labels).to_numpy(), dtype="str"),
        "priority": priority,
        "priority_rank": np.zeros(len(pos), dtype=np.int64),
        "land_area_m2": np.round(gains["land"], 2),
        "land_area_mu": np.round(gains["mu"], 2),
        "far": np.round(gains["far"], 3),
        "target_far": np.round(gains["target"], 3),
        "potential_extra_floor_area_m2": np.round(gains["extra"], 1),
        "land_freed_mu": np.round(gains["freed_mu"], 2),
        "tax_per_mu_wan": np.round(inp.metrics["tax_per_mu_wan"].to_numpy(dtype=float)[pos], 2),
        "benchmark_tax_wan_per_mu": np.round(gains["bench_tax"], 2),
        "potential_tax_wan": np.round(gains["potential_tax"], 2),
        "tax_gain_wan": np.round(gains["tax_gain"], 2),
        "idle_stage": idle_cols["idle_stage"][pos],
        "idle_fee_wan": np.round(idle_cols["idle_fee_wan"][pos], 2),
    }
    frame = pd.DataFrame(columns)
    frame = frame[[col for col in ORDER if col in frame.columns]]
    parcels = inp.parcels
    bank = gpd.GeoDataFrame(frame, geometry=parcels.geometry.to_numpy()[pos], crs=parcels.crs)
    order = np.lexsort((bank["candidate_id"].to_numpy(dtype=object), -bank["priority"].to_numpy()))
    bank = bank.iloc[order].reset_index(drop=True)
    bank["priority_rank"] = np.arange(1, len(bank) + 1)
    return bank
