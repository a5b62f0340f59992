"""The README's list of user inputs and unshipped rules is generated from the profiles (issue 22).

``scripts/policy_inputs.py`` renders it from ``load_policy("qingdao-2019")``; this test renders it
again and compares with README.md, so the README cannot drift from the TOML files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import policy_inputs  # noqa: E402


def test_the_readme_section_is_what_the_profiles_give():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    wanted = policy_inputs.replace_section(text, policy_inputs.render())
    assert wanted == text, (
        "README.md: the list of policy user inputs is out of date; run "
        f"`{policy_inputs.COMMAND}` and commit README.md"
    )


def test_the_qingdao_inputs_and_what_the_example_fills():
    inputs = policy_inputs.user_inputs().set_index("key")
    # the seven values moved out of qingdao-2019 (issue 22) and two of issue 19, filled by the example
    assert inputs["example"][inputs["example"] != ""].to_dict() == {
        "inefficient.tax_wan_per_mu_min": "20",
        "inefficient.output_standard_wan_per_mu": "300",
        "standard_land.investment_wan_per_mu_min": "280",
        "standard_land.tax_wan_per_mu_min": "20",
        "zone_creation.alt_area_basis": '"land"',
        "assessment.reward_top_count": "3",
        "assessment.reward_pool_wan": "12000",
        # issue 19: how rented land counts, and the Haining draft surcharge as an example
        "mujun.rented_land_rule": '"apportion_by_floor_area"',
        "mujun.electricity_surcharge": (
            'grade "D", years_in_grade_min 1, yuan_per_kwh 0.3; '
            'grade "D", years_in_grade_min 3, yuan_per_kwh 0.4'
        ),
    }
    assert inputs.loc["inefficient.tax_wan_per_mu_min", "unit"] == "万元/亩·年"
    assert inputs.loc["inefficient.tax_wan_per_mu_min", "drives"].startswith(
        "`find_inefficient_land`"
    )
    off = policy_inputs.rules_off()["key"].tolist()
    assert off == ["assessment.elimination_bottom_count", "assessment.elimination_failed_years"]


def test_a_small_profile_by_hand(tmp_path):
    """One user input, one rule shipped off, one ordinary value; the example sets the input."""
    entry = 'source = "s"\nconfidence = "user"\nuser_input = true\nunit = "万元/亩"\nnote = "a|b"\n'
    (tmp_path / "mine.toml").write_text(
        'extends = "national-2008"\n'
        f"[inefficient.tax_wan_per_mu_min]\n{entry}"
        '[assessment.elimination_bottom_count]\nvalue = 0\nunit = "zones (0 = rule off)"\n'
        'source = "choice"\nconfidence = "I"\n',
        encoding="utf-8",
    )
    (tmp_path / "mine-example.toml").write_text(
        'extends = "mine.toml"\nexample = true\n[inefficient.tax_wan_per_mu_min]\nvalue = 15\n'
        'source = "example"\nconfidence = "I"\n',
        encoding="utf-8",
    )
    mine, example = str(tmp_path / "mine.toml"), str(tmp_path / "mine-example.toml")
    inputs = policy_inputs.user_inputs(mine, example).set_index("key")
    assert inputs.loc["inefficient.tax_wan_per_mu_min", "example"] == "15"
    # national-2008's own user inputs are inherited; the example leaves them unset
    assert inputs.loc["inefficient.eliminated_industries", "example"] == ""
    section = policy_inputs.render(mine, example)
    assert (
        "| `inefficient.tax_wan_per_mu_min` | 万元/亩 | `find_inefficient_land` criteria" in section
    )
    assert "| 15 | a\\|b |" in section  # a pipe in a note does not break the table
    assert "| `assessment.elimination_bottom_count` | zones (0 = rule off) | choice |  |" in section
    assert section.startswith(policy_inputs.START)
    assert section.endswith(policy_inputs.END)


def test_markers_missing_are_said():
    with pytest.raises(SystemExit, match="must hold <!-- policy-inputs:start -->"):
        policy_inputs.replace_section("no markers", "x")
