"""Issue 22, point 3: every number an analysis applies comes from a profile entry with a source
and a confidence, and no unverified (U) value acts unless the caller chose it.

Each public analysis that takes ``policy=`` is run on the bundled sample (or, where the sample
has no such input, on a small table built here) inside :func:`landuse.policy.record_keys`.
The keys it read must each have a source and a confidence; under ``qingdao-2019`` none may be
``U``; under ``qingdao-2019-example`` a ``U`` value may act only where the example profile itself
sets it (and outputs then carry the example notice). Results that are frames must carry the
same keys in ``attrs["policy_keys"]`` (``landuse._checks.records_policy``). A new public
function with a ``policy`` parameter fails :func:`test_every_policy_function_is_covered` until
it is added here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import shutil
import tempfile
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import landuse
from landuse.datasets import Sample, load_sample
from landuse.policy import Policy, list_policies, load_policy, record_keys

PROFILES = ("qingdao-2019", "qingdao-2019-example")


@pytest.fixture(scope="module")
def sample() -> Sample:
    return load_sample()


def _sample_calls(s: Sample) -> dict[str, Callable[[Policy], Any]]:
    """Public analysis (module.name) → a call of it on the sample with a given policy."""
    from landuse import assessment, bank, compliance, efficiency, enterprise, raster, supply

    parcels = s.parcels
    zone_conditions = None
    # tier_progress reads a finished assessment: made before the keys are recorded
    assessed = {
        name: assessment.assess_zones(s.zone_stats, year=2021, policy=name) for name in PROFILES
    }
    # issue 19: two firms on their own parcels, one of them a landholder with a tenant
    firm_codes = ["91330201MA282UF146", "91330401MA28ADM67R", "913702000000000012"]
    firm_parcels = pd.DataFrame(
        {
            "parcel_id": ["E1", "E2"],
            "owner_code": firm_codes[::2],
            "land_area_m2": [10_000.0, 10_000.0],
            "floor_area_m2": [8_000.0, 6_000.0],
        }
    )
    firm_leases = pd.DataFrame(
        {"tenant_code": firm_codes[1:2], "parcel_id": ["E1"], "rented_floor_m2": [2_000.0]}
    )
    firm_rows = pd.DataFrame(
        {
            "credit_code": firm_codes,
            "year": 2023,
            "above_scale": [True, False, True],
            "tax_wan": [450.0, 30.0, 300.0],
            "value_added_wan": [2_000.0, 90.0, 1_500.0],
            "energy_tce": [500.0, 20.0, 600.0],
            "emissions_t": [1.0, None, 2.0],
            "employees": [100.0, 8.0, 90.0],
            "rd_spend_wan": [200.0, 0.0, 50.0],
            "revenue_wan": [8_000.0, 300.0, 6_000.0],
            "electricity_kwh": [1e6, 5e4, 8e5],
        }
    )

    def evaluate(p: Policy) -> pd.DataFrame:
        return enterprise.evaluate_enterprises(
            firm_rows, parcels=firm_parcels, tenancies=firm_leases, year=2023, policy=p
        )

    from landuse.report import dossier

    def write_report(p: Policy) -> list:
        out = tempfile.mkdtemp(prefix="landuse_fidelity_")
        try:
            return dossier.write_report(out, data=s, year=2021, as_of=s.as_of, policy=p)
        finally:
            shutil.rmtree(out)

    return {
        # the dossier runs the analyses for every zone: the keys of all of them, once
        "landuse.report.zone_dossier": lambda p: dossier.zone_dossier(
            "QD01", data=s, year=2021, as_of=s.as_of, policy=p
        ),
        "landuse.report.city_report": lambda p: dossier.city_report(
            data=s, year=2021, as_of=s.as_of, policy=p
        ),
        "landuse.report.write_report": write_report,
        "landuse.enterprise.evaluate_enterprises": evaluate,
        "landuse.enterprise.enterprise_history": lambda p: enterprise.enterprise_history(
            {2022: evaluate(p), 2023: evaluate(p)}, policy=p
        ),
        "landuse.assessment.assess_zones": lambda p: assessment.assess_zones(
            s.zone_stats, year=2021, policy=p, zones=s.zones
        ),
        "landuse.assessment.tier_progress": lambda p: assessment.tier_progress(
            assessed[p.name], policy=p
        ),
        "landuse.bank.build_project_bank": lambda p: bank.build_project_bank(
            parcels,
            zones=s.zones,
            functional_areas=s.functional_areas,
            buildings=s.buildings,
            as_of=s.as_of,
            policy=p,
        ),
        "landuse.compliance.check_new_land": lambda p: compliance.check_new_land(
            s.proposals, zones=s.zones, functional_areas=s.functional_areas, policy=p
        ),
        "landuse.efficiency.find_idle_land": lambda p: efficiency.find_idle_land(
            parcels, as_of=s.as_of, policy=p
        ),
        "landuse.efficiency.find_inefficient_land": lambda p: efficiency.find_inefficient_land(
            parcels, as_of=s.as_of, policy=p, zones=s.zones, buildings=s.buildings
        ),
        "landuse.efficiency.grade_enterprises": lambda p: efficiency.grade_enterprises(
            parcels, policy=p
        ),
        "landuse.efficiency.parcel_metrics": lambda p: efficiency.parcel_metrics(
            parcels, buildings=s.buildings, policy=p
        ),
        "landuse.raster.raster_evidence": lambda p: raster.raster_evidence(
            parcels,
            landcover=s.rasters["builtup"],
            builtup_classes=(1,),
            night_light=s.rasters["night_light"],
            policy=p,
        ),
        "landuse.supply.multistorey_potential": lambda p: supply.multistorey_potential(
            parcels, policy=p, min_unit_m2=500
        ),
        "landuse.supply.apartment_allowance": lambda p: supply.apartment_allowance(
            pd.DataFrame(
                {
                    "land_area_m2": [20_000.0],
                    "floor_area_m2": [40_000.0],
                    "office_floor_m2": [2_000.0],
                }
            ),
            policy=p,
        ),
        "landuse.supply.check_apartment_plan": lambda p: supply.check_apartment_plan(
            pd.DataFrame(
                {
                    "land_area_m2": [20_000.0],
                    "floor_area_m2": [40_000.0],
                    "admin_living_land_m2": [1_200.0],
                    "admin_living_floor_m2": [5_000.0],
                    "key_sme": [True],
                    "own_unbuilt_land": [True],
                }
            ),
            policy=p,
        ),
        "landuse.supply.check_standard_land": lambda p: supply.check_standard_land(
            pd.DataFrame(
                {
                    "proposal_id": ["A"],
                    "industry_code": ["39"],
                    "land_area_m2": [10_000.0],
                    "floor_area_m2": [15_000.0],
                    "investment_wan": [4_500.0],
                    "expected_tax_wan": [450.0],
                }
            ),
            policy=p,
            zone_conditions=zone_conditions,
        ),
        "landuse.supply.standard_land_conditions": lambda p: supply.standard_land_conditions(
            "QD06", "39", policy=p
        ),
        "landuse.supply.accept_standard_land": lambda p: supply.accept_standard_land(
            pd.DataFrame({"far": [1.2], "investment_wan_per_mu": [300.0]}, index=["P1"]),
            pd.DataFrame(
                {
                    "land_area_m2": [10_000.0],
                    "floor_area_m2": [10_500.0],
                    "invested_wan": [4_800.0],
                    "tax_wan": [300.0],
                },
                index=["P1"],
            ),
            policy=p,
        ),
        "landuse.supply.grant_price": lambda p: supply.grant_price(
            10_000, unit_price_yuan_m2=600, years=20, policy=p
        ),
        "landuse.supply.tenure_coefficient": lambda p: supply.tenure_coefficient(20, policy=p),
        "landuse.supply.lease_then_transfer": lambda p: supply.lease_then_transfer(
            10_000, unit_price_yuan_m2=600, discount_rate=0.06, policy=p
        ),
        "landuse.supply.lease_then_transfer_cash_flows": (
            lambda p: supply.lease_then_transfer_cash_flows(
                10_000, unit_price_yuan_m2=600, annual_rent_yuan_m2=36, policy=p
            )
        ),
        "landuse.supply.evaluate_supply_options": lambda p: supply.evaluate_supply_options(
            supply.Project(
                name="示例",
                industry_code="39",
                floor_area_needed_m2=9_000,
                investment_wan=4_000,
                expected_tax_wan=300,
                land_grade="三级",
                zone_id="QD06",
            ),
            policy=p,
            discount_rate=0.06,
            options=[
                "conventional",
                "standard_land",
                "flexible",
                "lease_then_transfer",
                supply.MultistoreyUnit(),
            ],
        ),
    }


#: The dask versions (landuse.scale) run the same code per partition; tests/test_scale.py checks
#: they equal the in-memory results, so the keys they read are those of the functions above.
SCALE_TWINS = {
    "landuse.scale.check_new_land": "landuse.compliance.check_new_land",
    "landuse.scale.find_inefficient_land": "landuse.efficiency.find_inefficient_land",
    "landuse.scale.parcel_metrics": "landuse.efficiency.parcel_metrics",
}


#: Functions with ``policy=`` that present a result rather than analyse (they show the keys an
#: analysis recorded, or the example notice; tests/test_report.py checks them).
NOT_ANALYSES = {"landuse.report.example_notice", "landuse.report.policy_parameters"}


def _public_policy_functions() -> set[str]:
    """``module.name`` of every public function (of a subpackage face) with ``policy=``."""
    names = ["landuse", "landuse.report.dossier"] + [
        f"landuse.{m.name}" for m in pkgutil.iter_modules(landuse.__path__) if m.name[0] != "_"
    ]
    found = set()
    for name in names:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # the one-release shims
            module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if inspect.isfunction(obj) and "policy" in inspect.signature(obj).parameters:
                face = obj.__module__.split(".")[:2]
                found.add(f"{'.'.join(face)}.{attr}")
    return found


def test_every_policy_function_is_covered(sample: Sample) -> None:
    covered = set(_sample_calls(sample)) | set(SCALE_TWINS) | NOT_ANALYSES
    missing = _public_policy_functions() - covered
    assert not missing, f"add these public analyses to tests/test_policy_fidelity.py: {missing}"


def _run(call: Callable[[Policy], Any], policy: Policy) -> tuple[Any, set[str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # data warnings of the sample are tested elsewhere
        with record_keys() as used:
            result = call(policy)
    return result, set(used)


@pytest.fixture(scope="module")
def runs(sample: Sample) -> dict[tuple[str, str], tuple[Any, set[str]]]:
    out = {}
    for profile in PROFILES:
        policy = load_policy(profile)
        for name, call in _sample_calls(sample).items():
            out[profile, name] = _run(call, policy)
    return out


@pytest.mark.parametrize("profile", PROFILES)
def test_each_used_key_has_a_source_and_a_confidence(runs: dict, profile: str) -> None:
    policy = load_policy(profile)
    bad = {}
    for (prof, name), (_, used) in runs.items():
        if prof != profile:
            continue
        assert used, f"{name} read no policy key"
        for key in used:
            param = policy.provenance(key)
            assert param.value is not None, f"{name} recorded the unset key {key}"
            if not (param.source and param.source.strip()) or not param.confidence:
                bad.setdefault(name, []).append(key)
    assert not bad, f"keys applied without a source or confidence: {bad}"


def test_no_unverified_value_acts_by_default(runs: dict) -> None:
    policy = load_policy("qingdao-2019")
    applied_u = {
        name: sorted(
            k
            for k in used
            if policy.provenance(k).value is not None and policy.provenance(k).confidence == "U"
        )
        for (prof, name), (_, used) in runs.items()
        if prof == "qingdao-2019"
    }
    assert not {n: k for n, k in applied_u.items() if k}, applied_u


def test_the_example_profile_applies_u_values_only_where_it_sets_them(runs: dict) -> None:
    example = load_policy("qingdao-2019-example")
    own = {k for k, p in example.params.items() if p.profile == "qingdao-2019-example"}
    applied = set()
    for (prof, name), (_, used) in runs.items():
        if prof != "qingdao-2019-example":
            continue
        for key in used:
            param = example.provenance(key)
            if param.value is not None and param.confidence == "U":
                assert key in own, f"{name} applied the U value {key} of {param.profile}"
                applied.add(key)
    # the example's own U values are used by the analyses they illustrate
    assert "inefficient.output_standard_wan_per_mu" in applied
    assert "assessment.reward_top_count" in applied or "assessment.reward_pool_wan" in applied


def test_unset_user_inputs_are_not_applied_but_reported(runs: dict) -> None:
    """A key the user must set is never recorded as applied; its rule says it is unset."""
    used_by = {name: used for (prof, name), (_, used) in runs.items() if prof == "qingdao-2019"}
    found, _ = runs["qingdao-2019", "landuse.efficiency.find_inefficient_land"]
    assert (
        "inefficient.tax_wan_per_mu_min" not in used_by["landuse.efficiency.find_inefficient_land"]
    )
    text = repr(found.attrs["not_evaluated"])
    assert "inefficient.tax_wan_per_mu_min" in text
    assert "inefficient.output_standard_wan_per_mu" in text
    example = {n: u for (p, n), (_, u) in runs.items() if p == "qingdao-2019-example"}
    assert "inefficient.tax_wan_per_mu_min" in example["landuse.efficiency.find_inefficient_land"]
    assert "bank.priority_weights" in used_by["landuse.bank.build_project_bank"]
    assert "assessment.reward_top_count" not in used_by["landuse.assessment.assess_zones"]
    assert "assessment.reward_pool_wan" in example["landuse.assessment.assess_zones"]


def test_frames_carry_the_keys_they_read(runs: dict) -> None:
    missing = {}
    for (prof, name), (result, used) in runs.items():
        frames = result if isinstance(result, tuple) else (result,)
        for frame in frames:
            if isinstance(frame, pd.DataFrame):
                carried = set(frame.attrs.get("policy_keys", ()))
                if not used <= carried:
                    missing[prof, name] = sorted(used - carried)
    assert not missing, f"attrs['policy_keys'] lacks keys the analysis read: {missing}"


def test_builtin_profiles_are_the_ones_checked() -> None:
    assert set(PROFILES) <= set(list_policies())
