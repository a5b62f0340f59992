"""Policy profiles: provenance of every value, exact spot checks, overrides, malformed files."""

from __future__ import annotations

import dataclasses
import math
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from landuse.errors import PolicyError
from landuse.policy import (
    CONFIDENCE_TAGS,
    ClassCut,
    FarEntry,
    Param,
    Policy,
    list_policies,
    load_policy,
)

BUILTIN = (
    "anhui-devzone",
    "anhui-jingde",
    "national-2008",
    "qingdao-2019",
    "qingdao-2019-example",
    "shandong-2019",
)
TOP_LEVEL = ("extends", "description", "example")


def _raw_profile(name: str) -> dict[str, Any]:
    text = files("landuse.policy").joinpath("profiles").joinpath(f"{name}.toml").read_text("utf-8")
    return tomllib.loads(text)


def _raw_params() -> list[tuple[str, str, Any]]:
    """(profile, dotted key, raw entry) for every parameter in the built-in TOML files."""
    out = []
    for name in BUILTIN:
        for section, entries in _raw_profile(name).items():
            if section in TOP_LEVEL:
                continue
            for key, entry in entries.items():
                out.append((name, f"{section}.{key}", entry))
    return out


RAW_PARAMS = _raw_params()


@pytest.fixture(scope="module")
def national() -> Policy:
    return load_policy("national-2008")


@pytest.fixture(scope="module")
def qingdao() -> Policy:
    return load_policy("qingdao-2019")


def write(tmp_path: Path, text: str, name: str = "district.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- loading and provenance ------------------------------------------------------------------


def test_list_policies() -> None:
    assert list_policies() == list(BUILTIN)


def test_load_both_profiles(national: Policy, qingdao: Policy) -> None:
    assert national.name == "national-2008"
    assert national.chain == ("national-2008",)
    assert qingdao.name == "qingdao-2019"
    assert qingdao.chain == ("qingdao-2019", "national-2008")
    assert load_policy() == qingdao  # the default profile


def test_raw_toml_has_parameters() -> None:
    profiles = {profile for profile, _, _ in RAW_PARAMS}
    assert profiles == set(BUILTIN)
    assert len(RAW_PARAMS) > 60


@pytest.mark.parametrize(
    ("profile", "key", "entry"), RAW_PARAMS, ids=[f"{p}:{k}" for p, k, _ in RAW_PARAMS]
)
def test_every_raw_parameter_has_provenance(profile: str, key: str, entry: Any) -> None:
    assert isinstance(entry, dict), f"{profile}: {key} is not a parameter table"
    source = entry.get("source")
    assert isinstance(source, str)
    assert source.strip()
    assert entry.get("confidence") in CONFIDENCE_TAGS
    assert "value" in entry or entry.get("user_input") is True
    if "value" not in entry:  # a user input must say why and be tagged as such
        assert entry["confidence"] == "user"
        assert entry.get("note")
    value = entry.get("value")
    if isinstance(value, list):
        for row in value:
            if isinstance(row, dict) and "confidence" in row:
                assert row["confidence"] in CONFIDENCE_TAGS


def test_loaded_params_match_raw_toml(qingdao: Policy) -> None:
    raw_keys = {key for profile, key, _ in RAW_PARAMS if profile in qingdao.chain}
    assert set(qingdao.params) == raw_keys
    for param in qingdao.params.values():
        assert isinstance(param, Param)
        assert param.source.strip()
        assert param.confidence in CONFIDENCE_TAGS


def test_provenance(qingdao: Policy) -> None:
    p = qingdao.provenance("control.building_coefficient_min")
    assert p == Param(
        value=0.30,
        unit="share of site area",
        source=p.source,
        confidence="V",
        note=p.note,
        profile="national-2008",
    )
    assert "POLICY-FACTS §1.1" in p.source
    # the figure is the plan's; its basis (land or floor) is a user input
    assert qingdao.provenance("zone_creation.alt_revenue_yuan_per_m2_min").confidence == "V"
    assert qingdao.provenance("zone_creation.alt_area_basis").confidence == "user"
    assert qingdao.zone_creation.alt_area_basis is None
    assert qingdao.provenance("assessment.stock_share").confidence == "from-plan"
    assert "考核办法" in qingdao.provenance("assessment.stock_share").source
    # issue 22: equal weights and "benchmark = the best zone" are landuse's choices (I)
    assert qingdao.provenance("assessment.stock_weights").confidence == "I"
    assert qingdao.provenance("assessment.increment_weights").confidence == "I"
    assert qingdao.provenance("assessment.benchmark_method").confidence == "I"
    assert qingdao.provenance("inefficient.tax_wan_per_mu_min").confidence == "user"
    assert qingdao.provenance("far.crosswalk_2017_to_2002").confidence == "I"


def test_provenance_of_unset_key(national: Policy) -> None:
    p = national.provenance("zone_creation.tax_wan_per_mu_min")
    assert p.value is None
    assert p.confidence == "user"
    assert national.zone_creation.tax_wan_per_mu_min is None


def test_provenance_unknown_key(qingdao: Policy) -> None:
    with pytest.raises(PolicyError, match=r"unknown key `control\.nope`.*building_coefficient_min"):
        qingdao.provenance("control.nope")
    with pytest.raises(PolicyError, match=r"unknown policy section `nope`.*sections: control"):
        qingdao.provenance("nope.x")


def test_to_frame(qingdao: Policy) -> None:
    df = qingdao.to_frame()
    assert list(df.columns) == [
        "key",
        "section",
        "value",
        "unit",
        "source",
        "confidence",
        "note",
        "profile",
    ]
    assert len(df) == len(qingdao.params)
    assert df["key"].is_unique
    row = df.set_index("key").loc["control.admin_living_land_share_max"]
    assert row["value"] == 0.07
    assert row["confidence"] == "V"
    assert row["profile"] == "national-2008"
    full = qingdao.to_frame(include_unset=True)
    assert len(full) >= len(df)


def test_table(qingdao: Policy) -> None:
    far = qingdao.table("far.min_far_by_division")
    assert len(far) == 30
    assert far.set_index("code").loc["25", "min_far"] == 0.5
    weights = qingdao.table("mujun.weights_below_scale")
    pd.testing.assert_frame_equal(
        weights, pd.DataFrame({"key": ["tax_per_mu", "tax_per_electricity"], "value": [50.0, 50.0]})
    )
    with pytest.raises(PolicyError, match=r"`idle\.fee_share` is not a table"):
        qingdao.table("idle.fee_share")


def test_sections_are_frozen(qingdao: Policy) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        qingdao.idle.fee_share = 0.5  # type: ignore[misc]
    with pytest.raises(TypeError):
        qingdao.mujun.weights_above_scale["tax_per_mu"] = 99  # type: ignore[index]
    assert isinstance(qingdao.far.min_far_by_division, tuple)
    assert isinstance(qingdao.far.min_far_by_division[0], FarEntry)


# --- exact values ----------------------------------------------------------------------------


def test_control_values(national: Policy) -> None:
    c = national.control
    assert c.building_coefficient_min == 0.30
    assert c.admin_living_land_share_max == 0.07
    assert c.admin_living_floor_share_max == 0.15
    assert c.green_space_share_max == 0.20
    assert c.double_count_storey_height_m == 8.0


@pytest.mark.parametrize(
    ("code", "version", "expected"),
    [
        ("13", "2017", 1.0),
        ("36", "2017", 0.7),  # 2017 汽车制造 -> 2002 37 交通运输设备
        ("29", "2017", 0.8),  # rubber (0.8) + plastics (1.0): conservative
        ("30", "2017", 0.7),  # 2017 非金属矿物 -> 2002 31
        ("39", "2017", 1.0),  # 2017 computers -> 2002 40
        ("42", "2017", 0.7),
        ("17", "2002", 0.8),
        ("30", "2002", 1.0),
        ("C3611", "2017", 0.7),  # class code with section letter -> division 36
        ("3670", "2017", 0.7),
    ],
)
def test_min_far(qingdao: Policy, code: str, version: str, expected: float) -> None:
    assert qingdao.min_far(code, code_version=version) == expected  # type: ignore[arg-type]


def test_min_far_no_value(qingdao: Policy) -> None:
    assert qingdao.min_far("43") is None


def test_min_far_errors(qingdao: Policy) -> None:
    with pytest.raises(PolicyError, match=r"unknown GB/T 4754-2017 division '99'.*known: 13, 14"):
        qingdao.min_far("99")
    with pytest.raises(PolicyError, match=r"unknown GB/T 4754-2002 division '38'.*known: 13"):
        qingdao.min_far("38", code_version="2002")
    with pytest.raises(PolicyError, match=r"`industry_code` must be a GB/T 4754 division code"):
        qingdao.min_far("abc")
    with pytest.raises(PolicyError, match=r'`code_version` must be "2017" or "2002"'):
        qingdao.min_far("13", code_version="2011")  # type: ignore[arg-type]


def test_idle_values(national: Policy) -> None:
    i = national.idle
    assert i.start_delay_years == 1
    assert math.isclose(i.developed_area_share_min, 1 / 3)
    assert i.invested_share_min == 0.25
    assert i.halted_years == 1
    assert i.fee_share == 0.20
    assert i.fee_idle_years == 1
    assert i.revocation_idle_years == 2


def test_inefficient_values(national: Policy, qingdao: Policy) -> None:
    assert national.inefficient.completion_overdue_years == 2
    assert national.inefficient.investment_intensity_share_min == 0.5
    assert national.inefficient.output_share_min == 0.5
    assert national.inefficient.stopped_years == 1
    assert national.inefficient.tax_wan_per_mu_min is None
    # issue 22: no source gives a Qingdao parcel tax floor or output standard: unset
    assert qingdao.inefficient.tax_wan_per_mu_min is None
    assert qingdao.inefficient.output_standard_wan_per_mu is None
    example = load_policy("qingdao-2019-example")
    assert example.inefficient.tax_wan_per_mu_min == 20
    assert example.inefficient.output_standard_wan_per_mu == 300
    assert example.provenance("inefficient.output_standard_wan_per_mu").confidence == "U"


def test_mujun_weights_and_cuts(qingdao: Policy) -> None:
    m = qingdao.mujun
    assert sum(m.weights_above_scale.values()) == 100
    assert sum(m.weights_below_scale.values()) == 100
    assert m.weights_above_scale["tax_per_mu"] == 30
    assert m.missing_indicator_rule == "average"
    assert m.class_cuts == (
        ClassCut("A", 0.25, "优先发展"),
        ClassCut("B", 0.70, "鼓励提升"),
        ClassCut("C", 0.95, "规范转型"),
        ClassCut("D", 1.00, "调控帮扶"),
    )


def test_tenure_values(qingdao: Policy) -> None:
    t = qingdao.tenure
    assert t.industrial_max_years == 50
    assert t.max_years_by_use["industrial"] == 50
    assert t.max_years_by_use["residential"] == 70
    assert t.capitalisation_rate_share == 0.06
    assert t.capitalisation_rate_example_share == 0.0581
    assert t.flexible_term_years == 20
    assert (t.lease_years, t.grant_after_lease_years) == (5, 15)


def test_multistorey_and_housing(qingdao: Policy) -> None:
    ms = qingdao.multistorey
    assert (ms.far_min, ms.height_over_m, ms.floors_min) == (2.0, 24.0, 5)
    assert ms.enterprise_unit_m2 == 3000
    assert ms.subdivision_unit_min_m2 is None  # set locally
    assert (ms.high_rise_site_ha_min, ms.high_rise_far) == (2.0, 3.0)
    assert "39" in ms.suitable_industries_2017
    h = qingdao.supporting_housing
    assert (h.land_share_max, h.floor_share_max) == (0.07, 0.15)
    assert (h.rental_land_share_max, h.rental_floor_share_max) == (0.15, 0.30)
    assert h.unit_floor_area_m2_max == 70
    assert h.complete_housing_allowed is False
    # "mostly ≤ 70 m²": no source gives the share → user input; 配建 eligibility from the plan
    assert h.small_unit_share_min is None
    assert qingdao.params["supporting_housing.small_unit_share_min"].confidence == "user"
    assert h.key_sme_own_unbuilt_land_required is True
    assert qingdao.params["supporting_housing.key_sme_own_unbuilt_land_required"].confidence == (
        "from-plan"
    )


def test_qingdao_values(qingdao: Policy) -> None:
    z = qingdao.zone_creation
    assert z.new_project_investment_wan_per_mu_min == 280
    assert z.tax_wan_per_mu_min == 20
    assert (z.alt_revenue_yuan_per_m2_min, z.alt_tax_yuan_per_m2_min) == (4500, 200)
    assert z.leading_industry_share_min == 0.50
    assert z.leading_industry_share_target == 0.70
    assert (z.new_zone_area_km2_min, z.new_zone_above_scale_firms_min) == (10, 20)
    assert z.new_zone_output_yi_min == 20
    assert [(t.name, t.revenue_yi_min, t.target_count) for t in qingdao.tiers.levels] == [
        ("百亿级", 100, 10),
        ("三百亿级", 300, 5),
        ("五百亿级", 500, 3),
        ("千亿级", 1000, 3),
    ]
    names = [f.name for f in qingdao.fields.plan_fields]
    assert names[:3] == ["海洋装备", "轨道交通装备", "汽车制造"]
    assert names[-1] == "增材制造"
    assert len(names) == 16
    assert [g.price_yuan_per_m2 for g in qingdao.land_price.industrial_grades][:2] == [1300, 1080]


def test_assessment(qingdao: Policy) -> None:
    a = qingdao.assessment
    keys = {
        "revenue",
        "tax",
        "new_registered_firms",
        "investment_projects",
        "leading_industry_share",
        "new_project_investment_intensity",
        "output_per_land",
    }
    assert set(a.indicators) == keys
    assert set(a.stock_weights) == set(a.increment_weights) == keys
    assert len(set(a.stock_weights.values())) == 1  # equal weights
    assert len(set(a.increment_weights.values())) == 1
    assert (a.stock_share, a.increment_share) == (0.40, 0.60)
    assert a.stock_share + a.increment_share == 1.0
    assert a.benchmark_method == "best"
    assert a.reward_wan_max == 5000


def test_qingdao_inherits_national(national: Policy, qingdao: Policy) -> None:
    for section in ("control", "far", "idle", "mujun", "tenure"):
        assert getattr(qingdao, section) == getattr(national, section)
    # supporting housing: all national, plus the plan's 配建 eligibility rule (issue 22)
    assert qingdao.supporting_housing == national.supporting_housing.__class__(
        **{**vars(national.supporting_housing), "key_sme_own_unbuilt_land_required": True}
    )
    assert qingdao.provenance("idle.fee_share").profile == "national-2008"
    assert qingdao.provenance("zone_creation.tax_wan_per_mu_min").profile == "qingdao-2019"
    assert national.assessment.stock_share is None


def test_require(qingdao: Policy) -> None:
    assert qingdao.require("tenure.industrial_max_years") == 50
    with pytest.raises(PolicyError, match=r"no value for `multistorey\.subdivision_unit_min_m2`"):
        qingdao.require("multistorey.subdivision_unit_min_m2")


# --- replace ---------------------------------------------------------------------------------


def test_replace_dotted_key(qingdao: Policy) -> None:
    new = qingdao.replace({"idle.fee_share": 0.25})
    assert new.idle.fee_share == 0.25
    assert qingdao.idle.fee_share == 0.20  # original unchanged
    p = new.provenance("idle.fee_share")
    assert (p.confidence, p.source) == ("user", "user override")
    assert "0.2" in p.note
    assert new.overrides == ("idle.fee_share",)
    assert new.name == qingdao.name
    assert new.idle.halted_years == qingdao.idle.halted_years


def test_replace_section_kwargs(qingdao: Policy) -> None:
    new = qingdao.replace(idle={"fee_share": 0.3}, control={"building_coefficient_min": 0.4})
    assert (new.idle.fee_share, new.control.building_coefficient_min) == (0.3, 0.4)
    assert new.provenance("control.building_coefficient_min").confidence == "user"
    assert qingdao.provenance("control.building_coefficient_min").confidence == "V"


def test_replace_table_and_user_input(qingdao: Policy) -> None:
    new = qingdao.replace(
        {
            "mujun.weights_below_scale": {"tax_per_mu": 60, "tax_per_electricity": 40},
            "multistorey.subdivision_unit_min_m2": 500,
            "far.min_far_by_division": [{"code": "13", "name": "农副食品加工业", "min_far": 1.2}],
        }
    )
    assert new.mujun.weights_below_scale["tax_per_mu"] == 60
    assert new.require("multistorey.subdivision_unit_min_m2") == 500
    assert new.min_far("13", code_version="2002") == 1.2
    assert qingdao.min_far("13", code_version="2002") == 1.0


def test_replace_with_row_objects(qingdao: Policy) -> None:
    rows = (*qingdao.far.min_far_by_division[:1], FarEntry("99", "test", 2.0))
    new = qingdao.replace(far={"min_far_by_division": rows})
    assert new.min_far("99", code_version="2002") == 2.0
    assert hash(new) != hash(qingdao)
    assert new != qingdao


def test_replace_unknown_key(qingdao: Policy) -> None:
    with pytest.raises(PolicyError, match=r"unknown key `idle\.fee`.*valid keys: .*fee_share"):
        qingdao.replace({"idle.fee": 0.25})
    with pytest.raises(PolicyError, match=r"unknown key `idle\.fee`.*valid keys: .*fee_share"):
        qingdao.replace(idle={"fee": 0.25})
    with pytest.raises(PolicyError, match=r"unknown section `idel=`; sections: control"):
        qingdao.replace(idel={"fee_share": 0.25})


def test_replace_wrong_type(qingdao: Policy) -> None:
    with pytest.raises(PolicyError, match=r"`idle\.fee_share` must be a number, got str '0\.2'"):
        qingdao.replace({"idle.fee_share": "0.2"})
    with pytest.raises(PolicyError, match=r"`idle\.fee_share` must be a share between 0 and 1"):
        qingdao.replace({"idle.fee_share": 20})


# --- files -----------------------------------------------------------------------------------


def test_unknown_profile() -> None:
    with pytest.raises(PolicyError, match=r"unknown policy profile 'beijing'.*national-2008"):
        load_policy("beijing")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"policy file not found"):
        load_policy(tmp_path / "nope.toml")


def test_user_toml_extends_qingdao(tmp_path: Path, qingdao: Policy) -> None:
    path = write(
        tmp_path,
        """
extends = "qingdao-2019"
description = "Jimo district"

[zone_creation.tax_wan_per_mu_min]
value = 25
unit = "万元/亩·年"
source = "district rule 2024"
confidence = "user"
""",
    )
    policy = load_policy(path)
    assert policy.name == "district"
    assert policy.chain == ("district", "qingdao-2019", "national-2008")
    assert policy.description == "Jimo district"
    assert policy.zone_creation.tax_wan_per_mu_min == 25
    assert policy.provenance("zone_creation.tax_wan_per_mu_min").profile == "district"
    assert policy.zone_creation.new_project_investment_wan_per_mu_min == 280
    assert policy.control == qingdao.control
    assert load_policy(str(path)) == policy


def test_user_toml_extends_relative_path(tmp_path: Path) -> None:
    write(tmp_path, 'extends = "qingdao-2019"\n', name="city.toml")
    path = write(
        tmp_path,
        'extends = "city.toml"\n[idle.fee_share]\nvalue = 0.3\nsource = "x"\nconfidence = "user"\n',
    )
    policy = load_policy(path)
    assert policy.chain == ("district", "city", "qingdao-2019", "national-2008")
    assert policy.idle.fee_share == 0.3


def test_extends_loop(tmp_path: Path) -> None:
    path = write(tmp_path, 'extends = "district.toml"\n')
    with pytest.raises(PolicyError, match=r"`extends` loops back"):
        load_policy(path)


GOOD = 'value = 0.3\nunit = "share"\nsource = "x"\nconfidence = "V"\n'


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (
            '[control.building_coefficient_min]\nvalue = 0.3\nconfidence = "V"\n',
            r"`control\.building_coefficient_min` has no `source`",
        ),
        (
            '[control.building_coefficient_min]\nvalue = 0.3\nsource = "x"\n',
            r"`control\.building_coefficient_min` has no `confidence`",
        ),
        (
            '[control.building_coefficient_min]\nvalue = 0.3\nsource = "x"\nconfidence = "high"\n',
            r"`control\.building_coefficient_min\.confidence` must be one of V, S, I, U, "
            r"from-plan, user; got 'high'",
        ),
        (
            '[control.building_coefficient_min]\nvalue = "thirty"\nsource = "x"\n'
            'confidence = "V"\n',
            r"`control\.building_coefficient_min\.value` must be a number, got str 'thirty'",
        ),
        (
            '[control.building_coefficient_min]\nsource = "x"\nconfidence = "V"\n',
            r"`control\.building_coefficient_min` has no `value`",
        ),
        (
            '[control.building_coefficient_min]\nvalue = = 0.3\nsource = "x"\nconfidence = "V"\n',
            r"TOML syntax error: .*line 3.*`value = = 0\.3`",
        ),
        (
            "[control.building_coefficient]\n" + GOOD,
            r"unknown key `control\.building_coefficient` in section `control`; "
            r"valid keys: building_coefficient_min",
        ),
        ("[controls.building_coefficient_min]\n" + GOOD, r"unknown section .*`controls`"),
        (
            "[control.building_coefficient_min]\n" + GOOD + "comment = 1\n",
            r"`control\.building_coefficient_min` has unknown field\(s\) comment",
        ),
        (
            "[control.building_coefficient_min]\nvalue = 30\nsource = 'x'\nconfidence = 'V'\n",
            r"`control\.building_coefficient_min\.value` must be a share between 0 and 1",
        ),
        (
            "[far.min_far_by_division]\nsource = 'x'\nconfidence = 'S'\n"
            "value = [{ code = 13, name = 'x', min_far = 1.0 }]\n",
            r"`far\.min_far_by_division\.value\[0\]\.code` must be a division code",
        ),
        (
            "[mujun.class_cuts]\nsource = 'x'\nconfidence = 'V'\n"
            "value = [{ grade = 'A', rank_share_max = 0.25, confidence = 'sure' }]\n",
            r"`mujun\.class_cuts\.value\[0\]\.confidence` must be one of V",
        ),
        (
            "[assessment.benchmark_method]\nvalue = 'worst'\nsource = 'x'\nconfidence = 'user'\n",
            r"`assessment\.benchmark_method\.value` must be one of best, mean, median",
        ),
    ],
    ids=[
        "missing-source",
        "missing-confidence",
        "bad-confidence",
        "text-for-number",
        "missing-value",
        "syntax-error",
        "unknown-key",
        "unknown-section",
        "unknown-field",
        "percent-not-fraction",
        "row-code-not-text",
        "row-bad-confidence",
        "bad-choice",
    ],
)
def test_malformed_user_toml(tmp_path: Path, body: str, match: str) -> None:
    path = write(tmp_path, 'extends = "qingdao-2019"\n' + body)
    with pytest.raises(PolicyError, match=match) as info:
        load_policy(path)
    assert str(path) in str(info.value)  # the message names the file


def test_empty_source(tmp_path: Path) -> None:
    path = write(tmp_path, "[idle.fee_share]\nvalue = 0.2\nsource = ''\nconfidence = 'V'\n")
    with pytest.raises(PolicyError, match=r"`idle\.fee_share\.source` must be non-empty text"):
        load_policy(path)


# --- one rule for names and paths (issue 16) --------------------------------------------------


class _PathLike:
    """A path-like that is not a pathlib.Path."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __fspath__(self) -> str:
        return str(self._path)


@pytest.mark.parametrize("kind", ["str", "Path", "PathLike"])
@pytest.mark.parametrize("filename", ["mine.toml", "mine"])  # the suffix does not matter
def test_load_policy_treats_str_path_and_pathlike_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, filename: str
) -> None:
    (tmp_path / filename).write_text('extends = "national-2008"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    arg: Any = {"str": filename, "Path": Path(filename), "PathLike": _PathLike(Path(filename))}[kind]
    policy = load_policy(arg)
    assert policy.chain == ("mine", "national-2008")
    assert policy == load_policy(tmp_path / filename)
    import landuse._checks

    assert landuse._checks.resolve_policy(arg, caller="f").chain == policy.chain


def test_load_policy_builtin_name_is_text_and_a_path_is_a_file(tmp_path: Path) -> None:
    assert load_policy("national-2008").name == "national-2008"
    with pytest.raises(PolicyError, match=r'policy file not found: .*national-2008 \(the built-in profile is named by text: load_policy\("national-2008"\)\)'):
        load_policy(tmp_path / "national-2008")
    with pytest.raises(PolicyError, match=r"^policy file not found: .*missing\.toml$"):
        load_policy(str(tmp_path / "missing.toml"))
    with pytest.raises(PolicyError, match=r"^unknown policy profile 'beijing'; available: anhui-devzone, anhui-jingde, national-2008, qingdao-2019"):
        load_policy("beijing")


@pytest.mark.parametrize(("arg", "received"), [(None, "NoneType"), (42, "int"), (b"x.toml", "bytes")])
def test_load_policy_refuses_other_types_with_a_type_error(arg: Any, received: str) -> None:
    with pytest.raises(TypeError, match=rf"^`name_or_path` passed to load_policy\(\) must be .*; received {received}\.$"):
        load_policy(arg)


def test_industry_division_is_public_and_used_by_min_far() -> None:
    import landuse.policy

    assert "industry_division" in landuse.policy.__all__
    assert not hasattr(landuse.policy, "_division")
    assert [landuse.policy.industry_division(c) for c in ("C36", "3670", 36, "6")] == ["36", "36", "36", "06"]
    with pytest.raises(PolicyError, match=r"`industry_code` must be a GB/T 4754 division code .* got True"):
        landuse.policy.industry_division(True)
    policy = load_policy("qingdao-2019")
    assert policy.min_far("C3670") == policy.min_far("36")


def test_policy_face_imports_no_private_names_from_its_schema() -> None:
    import ast

    import landuse.policy

    tree = ast.parse(Path(landuse.policy.__file__).read_text(encoding="utf-8"))
    imported = [
        a.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "landuse.policy._schema"
        for a in node.names
    ]
    assert imported and [n for n in imported if n.startswith("_")] == []


def test_qingdao_assessment_rules_of_issue_22():
    """Rank-based elimination ships off; the attraction targets carry source and confidence."""
    policy = load_policy("qingdao-2019")
    for key in ("assessment.elimination_bottom_count", "assessment.elimination_failed_years"):
        p = policy.provenance(key)
        assert (p.value, p.confidence) == (0, "I")
        assert "method choice" in p.source
    fortune = policy.provenance("assessment.attraction_fortune500_projects_min")
    over = policy.provenance("assessment.attraction_projects_over_100m_min")
    assert (fortune.value, fortune.confidence) == (1, "from-plan")
    assert (over.value, over.confidence) == (5, "from-plan")  # lower bound of the range 5–10
    assert "5–10" in over.source
    assert "lower bound" in over.note
    assert "not found in POLICY-FACTS" in fortune.source


# --- issue 22: example profiles, new keys, recording the keys an analysis reads -------------


def test_example_profile_fills_the_user_inputs_and_says_so(qingdao: Policy) -> None:
    example = load_policy("qingdao-2019-example")
    assert example.example is True and qingdao.example is False
    assert example.chain == ("qingdao-2019-example", "qingdao-2019", "national-2008")
    assert qingdao.example_notice is None
    assert example.example_notice is not None
    assert example.example_notice.startswith("示例参数 example values")
    assert "qingdao-2019-example" in example.example_notice
    filled = {
        "inefficient.tax_wan_per_mu_min": 20,
        "inefficient.output_standard_wan_per_mu": 300,
        "standard_land.investment_wan_per_mu_min": 280,
        "standard_land.tax_wan_per_mu_min": 20,
        "zone_creation.alt_area_basis": "land",
        "assessment.reward_top_count": 3,
        "assessment.reward_pool_wan": 12000,
    }
    for key, value in filled.items():
        assert qingdao.provenance(key).value is None, key
        assert qingdao.provenance(key).confidence == "user", key
        param = example.provenance(key)
        assert param.value == value, key
        assert param.profile == "qingdao-2019-example", key
        assert param.confidence in ("I", "U"), key
    # an override keeps the example flag: the rest of the values are still examples
    assert example.replace({"idle.fee_share": 0.25}).example is True


def test_a_user_profile_extending_the_example_is_an_example(tmp_path: Path) -> None:
    path = write(tmp_path, 'extends = "qingdao-2019-example"\n')
    assert load_policy(path).example is True
    bad = write(tmp_path, 'extends = "qingdao-2019"\nexample = "yes"\n', name="bad.toml")
    with pytest.raises(PolicyError, match=r"`example` must be true or false, got str"):
        load_policy(bad)


def test_new_keys_of_issue_22(national: Policy) -> None:
    assert national.control.double_count_factor == 2
    assert national.provenance("control.double_count_factor").confidence == "S"
    assert national.idle.land_cover_built_share_min == pytest.approx(1 / 3)
    assert "method choice" in national.provenance("idle.land_cover_built_share_min").source
    assert national.mujun.missing_rule_indicators == ("value_added_per_emission",)
    assert (national.mujun.minmax_base_points, national.mujun.minmax_span_points) == (20, 80)
    assert dict(national.bank.priority_weights) == {
        "tax_gain": 0.4,
        "land_freed": 0.3,
        "extra_floor_area": 0.2,
        "reasons": 0.1,
    }
    assert national.provenance("bank.priority_weights").confidence == "I"


def test_record_keys_records_reads_and_nests(qingdao: Policy) -> None:
    from landuse.policy import record_keys

    with record_keys() as outer:
        _ = qingdao.idle.fee_share
        with record_keys() as inner:
            _ = qingdao.min_far("36")
            _ = qingdao.require("tenure.industrial_max_years")
        _ = qingdao.provenance("idle.halted_years")  # asking where a value comes from is no use
        _ = qingdao.inefficient.tax_wan_per_mu_min  # unset: read, not applied
    assert inner == {
        "far.code_version",
        "far.crosswalk_2017_to_2002",
        "far.min_far_by_division",
        "tenure.industrial_max_years",
    }
    assert outer == inner | {"idle.fee_share"}
    _ = qingdao.idle.fee_share  # nothing records outside a block
    assert outer == inner | {"idle.fee_share"}


def test_records_policy_tags_each_frame_of_a_result(qingdao: Policy) -> None:
    from landuse._checks import records_policy

    @records_policy
    def two() -> tuple[pd.DataFrame, pd.DataFrame, int]:
        a = pd.DataFrame({"x": [qingdao.idle.fee_share]})
        a.attrs["policy_keys"] = ("tenure.lease_years",)  # from an inner analysis
        return a, pd.DataFrame({"y": [qingdao.tenure.industrial_max_years]}), 3

    a, b, n = two()
    assert a.attrs["policy_keys"] == (
        "idle.fee_share",
        "tenure.industrial_max_years",
        "tenure.lease_years",
    )
    assert b.attrs["policy_keys"] == ("idle.fee_share", "tenure.industrial_max_years")
    assert n == 3
