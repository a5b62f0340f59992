"""The shape of `landuse` (issue 16): shared options defined once, one error handler, the
`--policy` given reaches every analysis."""

from __future__ import annotations

import click
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import landuse
from landuse.cli import main
from landuse.datasets import get_path
from landuse.errors import StoreBusyError


def _commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def _options(flag: str) -> dict[str, click.Option]:
    return {
        name: param
        for name, command in _commands(main)
        for param in command.params
        if isinstance(param, click.Option) and flag in param.opts
    }


def test_every_command_is_registered_on_the_one_group():
    names = {name for name, _ in _commands(main)}
    assert names == {
        "demo", "validate", "map", "zonal", "assess", "bank", "check", "supply", "enterprises", "report",
        "bank-store sync", "bank-store status", "bank-store history", "bank-store summary",
    }  # fmt: skip


@pytest.mark.parametrize("flag", ["--lang", "--store", "--timeout", "--workers", "--coord-system"])
def test_a_shared_option_means_the_same_in_every_command(flag):
    found = _options(flag)
    assert len(found) >= 2, found
    shapes = {(p.name, repr(p.type), p.default, p.required, tuple(p.opts)) for p in found.values()}
    assert len(shapes) == 1, shapes
    if flag != "--coord-system":  # its help names the command's input
        assert len({p.help for p in found.values()}) == 1


def test_policy_defaults_to_qingdao_except_where_the_file_may_name_it():
    found = _options("--policy")
    assert set(found) == {"assess", "bank", "check", "enterprises", "report", "supply"}
    assert {name: p.default for name, p in found.items()} == {
        "assess": "qingdao-2019",
        "bank": "qingdao-2019",
        "check": "qingdao-2019",
        "enterprises": "qingdao-2019",
        "report": "qingdao-2019",
        "supply": None,  # the project file's `policy`, else qingdao-2019
    }
    assert {p.name for p in found.values()} == {"policy_name"}


def test_the_policy_given_reaches_the_analysis(tmp_path):
    """`--policy national-2008` is what the report records, not the Qingdao default."""
    args = ["check", f"{get_path('sample')}", "--layer", "proposals", "--zones"]
    args += [str(get_path("zones")), "-o", str(tmp_path / "c.csv")]
    for policy in ("national-2008", "qingdao-2019"):
        result = CliRunner().invoke(main, [*args, "--policy", policy])
        assert result.exit_code == 0, result.output
        assert f"proposals ({policy}" in result.stdout


def test_an_example_profile_says_so_once_on_stderr_the_default_does_not(tmp_path):
    """`--policy qingdao-2019-example`: one `warning: 示例参数 example values …` line (issue 22)."""
    notice = landuse.load_policy("qingdao-2019-example").example_notice
    args = ["check", f"{get_path('sample')}", "--layer", "proposals", "--zones"]
    args += [str(get_path("zones")), "-o", str(tmp_path / "c.xlsx")]
    result = CliRunner().invoke(main, [*args, "--policy", "qingdao-2019-example"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines().count(f"warning: {notice}") == 1
    assert "示例参数" not in result.stdout
    # the workbook's 说明 sheet opens with it
    book = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert book["说明"]["A1"].value == notice
    default = CliRunner().invoke(main, args)  # qingdao-2019, the CLI's default: no notice
    assert default.exit_code == 0, default.output
    assert "示例参数" not in default.output
    assert "项目" == openpyxl.load_workbook(tmp_path / "c.xlsx")["说明"]["A1"].value


def test_bank_on_the_default_names_the_unset_floor_the_example_applies_it(tmp_path):
    """qingdao-2019 ships the inefficient-land tax floor unset: `landuse bank` says the rule
    was not evaluated and which key to set; qingdao-2019-example applies its 20 (issue 22)."""
    tax = "inefficient.tax_wan_per_mu_min"
    args = ["bank", str(get_path("sample")), "--parcels-layer", "parcels", "--zones"]
    args += [str(get_path("zones")), "--as-of", "2021-12-31"]
    shown = {}
    for policy in ("qingdao-2019", "qingdao-2019-example"):
        out = tmp_path / policy
        result = CliRunner().invoke(
            main,
            [*args, "--policy", policy, "-o", str(out / "b.gpkg"), "--excel", str(out / "b.xlsx")],
        )
        assert result.exit_code == 0, result.output
        lines = [x for x in result.stdout.splitlines() if x.startswith("not evaluated:")]
        params = openpyxl.load_workbook(out / "b.xlsx")["政策参数"]
        rows = {r[0]: r for r in params.iter_rows(min_row=2, values_only=True)}
        shown[policy] = (any(tax in x for x in lines), rows[tax][1])
    assert shown == {
        "qingdao-2019": (True, f"未评价：请设置 `{tax}`"),
        "qingdao-2019-example": (False, "20"),
    }


def test_assess_says_what_was_not_evaluated_and_the_example_allocates_the_pool(tmp_path):
    """qingdao-2019 gives no reward pool: `landuse assess` says so, naming the option and the
    key; qingdao-2019-example's 12,000 万元 pool is allocated (issue 22)."""
    pool = "assessment.reward_pool_wan"
    args = ["assess", str(get_path("zone_stats")), "--year", "2021"]
    seen = {}
    for policy in ("qingdao-2019", "qingdao-2019-example"):
        out = tmp_path / f"{policy}.xlsx"
        result = CliRunner().invoke(main, [*args, "--policy", policy, "-o", str(out)])
        assert result.exit_code == 0, result.output
        lines = [x for x in result.stdout.splitlines() if x.startswith("not evaluated:")]
        rows = {
            r[0]: r for r in openpyxl.load_workbook(out)["政策参数"].iter_rows(values_only=True)
        }
        reward = pd.read_excel(out, sheet_name="考核排名")["奖励资金（万元）"].sum()
        seen[policy] = ([x for x in lines if pool in x], rows[pool][1], round(float(reward), 1))
    default = seen["qingdao-2019"]
    assert len(default[0]) == 1
    assert "--reward-pool" in default[0][0]
    assert "reward_pool_wan=" not in default[0][0]  # the option, not the Python argument
    assert default[1:] == (f"未评价：请设置 `{pool}`", 0.0)
    assert seen["qingdao-2019-example"] == ([], "12000", 12000.0)


def test_a_busy_store_exits_75_through_the_one_handler(tmp_path, monkeypatch):
    def busy(*args, **kwargs):
        raise StoreBusyError("store busy, retry: another writer holds the lock")

    monkeypatch.setattr(landuse.bank.ProjectBank, "open", busy)
    result = CliRunner().invoke(
        main, ["bank-store", "summary", "--store", str(tmp_path / "b.gpkg")]
    )
    assert result.exit_code == 75, result.output
    assert result.stderr.strip() == "error: store busy, retry: another writer holds the lock"
    # any other user error of the same command: exit 2
    monkeypatch.setattr(landuse.bank.ProjectBank, "open", lambda *a, **k: open(tmp_path / "nope"))
    result = CliRunner().invoke(
        main, ["bank-store", "summary", "--store", str(tmp_path / "b.gpkg")]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: [Errno 2] No such file or directory")


def test_assess_reads_out_targets_and_tier_progress(tmp_path):
    """`landuse assess` on the sample says which zones meet the creation conditions, the
    expected targets and the attraction target, and the progress toward the 2021 tier targets
    (issue 22, point 4): QD05/QD10 have no 500-强 project, QD09 3 projects over 1 亿元; 13 zones
    are over 100 亿 against a goal of 10."""
    args = ["assess", str(get_path("zone_stats")), "--year", "2021", "-o", str(tmp_path / "r.xlsx")]
    result = CliRunner().invoke(main, [*args, "--targets", "creation_conditions"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "creation conditions met: 10 of 14 (not met: QD12, QD13, QD08, QD14)" in lines
    assert "expected targets met: 10 of 14 (missed: QD12, QD13, QD08, QD14)" in lines
    assert "attraction target met: 11 of 14 (missed: QD05, QD10, QD09)" in lines
    assert (
        "tier targets for 2021 (zones / goal, at_or_above): 百亿级 13/10 met, 三百亿级 10/5 met, "
        "五百亿级 6/3 met, 千亿级 3/3 met"
    ) in lines
    # without --targets the expected-targets line is absent and the rule is named instead
    result = CliRunner().invoke(main, args)
    assert not [x for x in result.stdout.splitlines() if x.startswith("expected targets met")]
    assert any(
        x.startswith("not evaluated: elimination by expected targets: pass --targets")
        for x in result.stdout.splitlines()
    )
