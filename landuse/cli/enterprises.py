"""``landuse enterprises``: the 亩均 evaluation of enterprises, one sheet per year plus history."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from landuse import io
from landuse.cli import _options as opt
from landuse.cli._common import check_outputs, cli_policy, echo
from landuse.errors import LanduseError

__all__ = ["enterprises_command"]


def _years(year: int, years: str | None) -> list[int]:
    """Return the years evaluated: ``--years A,B,C`` plus ``--year``, or ``--year`` alone."""
    if not years:
        return [year]
    try:
        out = sorted({int(y) for y in years.replace("，", ",").split(",") if y.strip()})
    except ValueError:
        msg = f"--years {years}: give whole years separated by commas, e.g. 2019,2020,2021."
        raise LanduseError(msg) from None
    if year not in out:
        out = sorted({*out, year})
    return out


def _inputs(
    enterprises: Path | None, tenancies: Path | None, parcels: Path | None
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame, str]:
    """Read the three tables, or the bundled sample when no file is given."""
    from landuse.enterprise import read_enterprises, read_tenancies

    if enterprises is None and tenancies is None and parcels is None:
        from landuse.datasets import load_sample

        s = load_sample()
        return s.enterprises, s.tenancies, s.parcels, "内置青岛样例（合成数据）"
    if enterprises is None or parcels is None:
        msg = (
            "give both --enterprises FILE and --parcels FILE (and --tenancies FILE if firms "
            "rent), or none of them to use the bundled sample."
        )
        raise LanduseError(msg)
    return (
        read_enterprises(enterprises),
        read_tenancies(tenancies) if tenancies is not None else None,
        io.read_parcels(parcels),
        str(enterprises),
    )


@click.command("enterprises")
@click.option("--year", type=int, required=True, help="The year evaluated (e.g. 2021).")
@click.option(
    "--years",
    default=None,
    help="Several years, comma-separated (e.g. 2019,2020,2021): adds the 历年等级 history.",
)
@opt.policy()
@click.option(
    "--enterprises",
    "enterprises_path",
    type=opt.input_file(),
    default=None,
    help="Enterprise-year table (Excel/CSV, 统一社会信用代码 …); default the bundled sample.",
)
@click.option(
    "--tenancies",
    "tenancies_path",
    type=opt.input_file(),
    default=None,
    help="Tenancy table (承租企业统一社会信用代码, 宗地编号, 租赁建筑面积 …).",
)
@click.option(
    "--parcels",
    "parcels_path",
    type=opt.input_path(),
    default=None,
    help="Parcels with the holder's credit code (权利人统一社会信用代码 → owner_code).",
)
@opt.LANG
@opt.output("Workbook to write (.xlsx): one sheet per year, plus 历年等级.", required=True)
def enterprises_command(
    year: int,
    years: str | None,
    policy_name: str,
    enterprises_path: Path | None,
    tenancies_path: Path | None,
    parcels_path: Path | None,
    lang: str,
    output: Path,
) -> None:
    """Evaluate enterprises by 亩均效益 (one grade per credit code) and write the workbook.

    Land per enterprise comes from the parcels it holds and rents under the profile's
    mujun.rented_land_rule; without input files the bundled (synthetic) sample is used.
    Prints the counts by grade, the firms not graded with their reasons and the unmatched codes.
    """
    from landuse.enterprise import enterprise_history, evaluate_enterprises, write_enterprises

    check_outputs(
        [("-o/--output", output, (".xlsx",))],
        inputs={
            "--enterprises": enterprises_path,
            "--tenancies": tenancies_path,
            "--parcels": parcels_path,
        },
    )
    wanted = _years(year, years)
    firms, tenancies, parcels, source = _inputs(enterprises_path, tenancies_path, parcels_path)
    policy = cli_policy(policy_name)
    results = {
        y: evaluate_enterprises(
            firms, parcels=parcels, tenancies=tenancies, year=y, policy=policy, lang=lang
        )
        for y in wanted
    }
    table = (
        enterprise_history(results, policy=policy, lang=lang) if len(wanted) > 1 else results[year]
    )
    write_enterprises(table, output, lang=lang)
    _summary(results[year], source=source, policy=policy.name)
    echo(f"亩均评价 → {output}")


def _summary(result: pd.DataFrame, *, source: str, policy: str) -> None:
    """Print counts by grade, firms not graded with reasons, unmatched codes (Chinese)."""
    year = result.attrs.get("year")
    echo(f"{year} 年 {len(result)} 家企业（{source}；政策 {policy}）")
    counts = result["grade"].value_counts()
    echo("等级：" + "，".join(f"{g} 类 {int(counts.get(g, 0))} 家" for g in sorted(counts.index)))
    out_of_scope = result[~result["in_scope"].fillna(False).astype(bool)]
    reasons = out_of_scope["scope_reason"].fillna("").str.split("：|，|\\(|（").str[0]
    for reason, n in reasons.value_counts().items():
        echo(f"不在评价范围：{reason} {n} 家")
    ungraded = result[result["in_scope"].fillna(False).astype(bool) & result["grade"].isna()]
    reasons = ungraded["not_graded_reason"].fillna("不定等级").str.split(" `|（").str[0]
    for reason, n in reasons.value_counts().items():
        echo(f"不定等级：{reason.removeprefix('不定等级：')} {n} 家")
    names = {
        "tenants_without_parcel": "承租宗地不在宗地表",
        "parcels_without_owner": "工业或物流宗地无权利人信用代码",
        "owners_without_data": "有地无企业数据",
        "enterprises_without_land": "有数据无用地",
    }
    for key, found in (result.attrs.get("unmatched") or {}).items():
        if found and found.get("count"):
            ids = "、".join(str(i) for i in found.get("ids", [])[:3])
            echo(f"未匹配：{names.get(key, key)} {found.get('count', 0)} 个（{ids} …）")
