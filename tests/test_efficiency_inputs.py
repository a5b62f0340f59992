"""The seam of the efficiency analyses (issue 16, review P3): one check per frame, one caller.

``landuse.efficiency.inputs`` validates the layers of every analysis built on the efficiency
rules once, naming the public function the user called; ``bank`` and ``scale`` reach the
efficiency family only through its face and this seam.
"""

from __future__ import annotations

import ast
import collections
import sys
from pathlib import Path

import pandas as pd
import pytest

import landuse
from landuse import _checks
from landuse.bank import build_project_bank
from landuse.efficiency import find_idle_land, find_inefficient_land, inputs, parcel_metrics
from landuse.errors import SchemaError

PKG = Path(landuse.__file__).resolve().parent
AS_OF = "2021-12-31"


@pytest.fixture(scope="module")
def sample():
    return landuse.load_sample()


def _efficiency_imports(folder: str) -> dict[str, set[str]]:
    """Modules of ``landuse.efficiency`` imported by each file of a subpackage."""
    found: dict[str, set[str]] = {}
    for path in sorted((PKG / folder).glob("*.py")):
        mods: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "landuse" and any(a.name == "efficiency" for a in node.names):
                    mods.add("landuse.efficiency")
                elif node.module.startswith("landuse.efficiency"):
                    for alias in node.names:
                        sub = f"{node.module}.{alias.name}"
                        mods.add(sub if alias.name.startswith("_") or alias.name == "inputs" else node.module)
            elif isinstance(node, ast.Import):
                mods |= {a.name for a in node.names if a.name.startswith("landuse.efficiency")}
        found[path.name] = mods
    return found


@pytest.mark.parametrize("folder", ["bank", "scale"])
def test_bank_and_scale_reach_efficiency_only_through_its_face_and_the_seam(folder):
    imports = _efficiency_imports(folder)
    allowed = {"landuse.efficiency", "landuse.efficiency.inputs"}
    assert {name: mods - allowed for name, mods in imports.items() if mods - allowed} == {}
    assert set().union(*imports.values()) & allowed  # the family does use efficiency


def _count_checks(call):
    """Run ``call`` counting every call of the frame and CRS checks, by the ``name`` checked."""
    targets = {
        _checks.check_frame.__code__: "check_frame",
        _checks.check_projected.__code__: "check_projected",
    }
    counts: dict[str, collections.Counter] = {
        "check_frame": collections.Counter(),
        "check_projected": collections.Counter(),
    }

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in targets:
            counts[targets[frame.f_code]][frame.f_locals.get("name")] += 1

    sys.setprofile(profile)
    try:
        result = call()
    finally:
        sys.setprofile(None)
    return result, {k: dict(v) for k, v in counts.items()}


def test_the_counter_sees_a_repeated_check(sample):
    # the counter can fail: two checks of the same frame are counted twice
    def twice():
        _checks.check_frame(sample.parcels, name="parcels", caller="f")
        _checks.check_projected(sample.zones, name="zones", caller="f")
        landuse.crs.check_projected(sample.zones, name="zones", caller="f")  # the same function

    _, counts = _count_checks(twice)
    assert counts == {"check_frame": {"parcels": 1}, "check_projected": {"zones": 2}}


def test_build_project_bank_checks_each_frame_once(sample):
    parcels = sample.parcels.drop(columns="zone_id", errors="ignore")  # zones are assigned
    bank, counts = _count_checks(
        lambda: build_project_bank(
            parcels, zones=sample.zones, as_of=sample.as_of, policy="qingdao-2019"
        )
    )
    assert len(bank) > 0
    once = {"parcels": 1, "zones": 1}
    assert counts == {"check_frame": once, "check_projected": once}


def test_build_project_bank_with_every_layer_checks_each_frame_once(sample):
    parcels = sample.parcels.head(300)
    _, counts = _count_checks(
        lambda: build_project_bank(
            parcels,
            zones=sample.zones,
            functional_areas=sample.functional_areas,
            buildings=sample.buildings,
            as_of=sample.as_of,
            policy="qingdao-2019",
        )
    )
    once = {"parcels": 1, "zones": 1, "functional_areas": 1, "buildings": 1}
    assert counts == {"check_frame": once, "check_projected": once}


def test_find_inefficient_land_checks_each_frame_once(sample):
    _, counts = _count_checks(
        lambda: find_inefficient_land(
            sample.parcels, zones=sample.zones, as_of=sample.as_of, policy="qingdao-2019"
        )
    )
    once = {"parcels": 1, "zones": 1}
    assert counts == {"check_frame": once, "check_projected": once}


def _text_area(parcels: pd.DataFrame) -> pd.DataFrame:
    bad = parcels.head(20).copy()
    bad["land_area_m2"] = bad["land_area_m2"].astype(object)
    bad.loc[bad.index[3], "land_area_m2"] = "about 3 mu"
    return bad


@pytest.mark.parametrize(
    ("name", "call"),
    [
        (
            "build_project_bank",
            lambda p, s: build_project_bank(p, zones=s.zones, as_of=AS_OF, policy="qingdao-2019"),
        ),
        (
            "find_inefficient_land",
            lambda p, s: find_inefficient_land(p, zones=s.zones, as_of=AS_OF, policy="qingdao-2019"),
        ),
        ("find_idle_land", lambda p, s: find_idle_land(p, as_of=AS_OF, policy="qingdao-2019")),
        ("parcel_metrics", lambda p, s: parcel_metrics(p, policy="qingdao-2019")),
    ],
)
def test_an_error_deep_inside_names_the_function_called(sample, name, call):
    with pytest.raises(SchemaError, match=rf"^{name}\(\): column `land_area_m2` must be numeric"):
        call(_text_area(sample.parcels), sample)


def test_errors_of_the_grading_inside_the_bank_name_the_bank(sample):
    no_cuts = landuse.load_policy("qingdao-2019").replace({"mujun.class_cuts": []})
    with pytest.raises(landuse.PolicyError, match=r"^build_project_bank\(\): policy"):
        build_project_bank(sample.parcels.head(50), zones=sample.zones, as_of=AS_OF, policy=no_cuts)


def test_policy_name_path_and_policy_give_the_same_bank_and_idle_land(sample):
    parcels = sample.parcels.head(400)
    path = Path(landuse.policy.__file__).parent / "profiles" / "qingdao-2019.toml"
    policies = ["qingdao-2019", path, landuse.load_policy("qingdao-2019")]
    banks = [
        build_project_bank(parcels, zones=sample.zones, as_of=AS_OF, policy=p) for p in policies
    ]
    idle = [find_idle_land(parcels, as_of=AS_OF, policy=p) for p in policies]
    for other in banks[1:]:
        pd.testing.assert_frame_equal(pd.DataFrame(other), pd.DataFrame(banks[0]))
    for other in idle[1:]:
        pd.testing.assert_frame_equal(pd.DataFrame(other), pd.DataFrame(idle[0]))
    with pytest.raises(TypeError, match=r"`policy` passed to build_project_bank\(\)"):
        build_project_bank(parcels, zones=sample.zones, as_of=AS_OF, policy=None)  # type: ignore[arg-type]


def test_the_seam_names_its_caller_and_hands_down_inputs(sample):
    inp = inputs.prepare(
        sample.parcels, zones=sample.zones, as_of=AS_OF, policy="qingdao-2019", caller="mine"
    )
    assert inp.caller == "mine" and inp.policy.name == "qingdao-2019"
    assert inp.zone_id is not None and len(inp.land) == len(sample.parcels)
    areas = sample.functional_areas.drop(columns="area_type")
    with pytest.raises(SchemaError, match=r"`functional_areas` passed to mine\(\) needs an `area_type`"):
        inputs.check_layers(sample.parcels, caller="mine", functional_areas=areas)
    with pytest.raises(TypeError, match=r"`zones` passed to mine\(\) must be a GeoDataFrame"):
        inputs.check_layers(sample.parcels, caller="mine", zones=pd.DataFrame())


def test_bank_labels_come_from_the_catalogue():
    from landuse.bank import ROUTES
    from landuse.bank._common import STATUS_LABELS
    from landuse.schema import CATEGORY_LABELS, category_labels

    assert ROUTES == CATEGORY_LABELS["route"]
    assert STATUS_LABELS["zh"] == category_labels("bank_status", lang="zh")
    assert STATUS_LABELS["en"] == category_labels("bank_status", lang="en")


def test_bank_face_re_exports_the_errors():
    from landuse.bank import BankError, ProjectBank, StoreBusyError

    assert BankError is landuse.errors.BankError
    assert StoreBusyError is landuse.errors.StoreBusyError
    assert ProjectBank is landuse.ProjectBank
