"""``landuse supply``: compare land supply options for the projects of a TOML or CSV file."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from landuse._checks import Lang
from landuse.cli import _options as opt
from landuse.cli._common import TABLE_TYPES, check_outputs, cli_policy, echo, write_table
from landuse.policy import Policy
from landuse.report import About, present
from landuse.supply import Project, evaluate_supply_options

__all__ = ["supply"]

OPTIONS = ("conventional", "standard_land", "flexible", "lease_then_transfer", "multistorey")
#: The columns printed for each option.
SHOWN = ["label", "new_land_mu", "firm_upfront_wan", "firm_npv_wan", "city_npv_wan", "feasible"]


@click.command("supply")
@click.argument("project_file", metavar="PROJECT.toml|csv", type=opt.input_file())
@click.option(
    "--discount-rate",
    type=float,
    default=None,
    help="Discount rate for the NPVs, a fraction per year (e.g. 0.05). Required unless the "
    "TOML file sets discount_rate.",
)
@opt.policy(
    "Policy profile name or TOML path (default qingdao-2019, or the file's `policy`).",
    default=None,
)
@click.option(
    "--option",
    "option_names",
    multiple=True,
    type=click.Choice(OPTIONS),
    help="Option to compare (repeat it); default all, or the TOML file's [options].",
)
@click.option(
    "--rank-by",
    type=click.Choice(["land", "firm_cost", "city_npv"]),
    default="land",
    show_default=True,
    help="What ranks feasible options first.",
)
@opt.LANG
@opt.output(
    "Write every option of every project to this file; the format follows the extension: "
    ".xlsx (styled workbook with a 说明 sheet), .csv (UTF-8 with BOM, opens in Excel), .gpkg "
    "or .parquet; headers in --lang."
)
@opt.FORMULA_GUARD
def supply(
    project_file: Path,
    discount_rate: float | None,
    policy_name: str | None,
    option_names: tuple[str, ...],
    rank_by: str,
    lang: Lang,
    output: Path | None,
    no_formula_guard: bool,
) -> None:
    """Compare land supply options for the project(s) in PROJECT.toml or a CSV.

    A TOML file holds one [project] table (or [[projects]] tables) with the fields of
    landuse.supply.Project, and optionally discount_rate, policy, [options.<name>] tables with
    the option terms (e.g. [options.flexible] years = 30; [options.multistorey]
    price_yuan_m2 = 3000) and [zone_conditions.<zone_id>] tables. A CSV holds one project per
    row, with the Project fields as column names.

    Writes only with -o: every option of every project to that .xlsx or .csv.
    """
    from landuse.supply import read_projects

    check_outputs([("-o/--output", output, TABLE_TYPES)], inputs={"PROJECT": project_file})
    read = read_projects(project_file, options=option_names)
    rate = discount_rate if discount_rate is not None else read.discount_rate
    if rate is None:
        msg = (
            "no discount rate: pass --discount-rate 0.05 (or set discount_rate in the TOML "
            "file); it is a user choice, not a policy value"
        )
        raise ValueError(msg)
    policy = cli_policy(policy_name or read.policy or "qingdao-2019")
    tables = []
    for i, project in enumerate(read.projects, start=1):
        table = evaluate_supply_options(
            project,
            policy=policy,
            discount_rate=rate,
            options=read.options,
            zone_conditions=read.zone_conditions,
            rank_by=rank_by,  # type: ignore[arg-type]
            lang=lang,
        )
        title = project.name or f"project {i}"
        _print_options(title, project, table, policy=policy, lang=lang)
        tables.append(table.reset_index().assign(project=title))
    if output is not None:
        combined = pd.concat(tables, ignore_index=True)
        combined = combined[["project", *[c for c in combined.columns if c != "project"]]]
        write_table(
            combined,
            output,
            sheet="供地方案比选" if lang == "zh" else "supply options",
            caller="landuse supply",
            lang=lang,
            about=About(
                title="供地方案比选" if lang == "zh" else "Land supply options",
                policy=policy,
                sources=(str(project_file),),
                # the combined table loses the attrs of each project's table: keep their keys
                policy_keys=sorted({k for t in tables for k in t.attrs.get("policy_keys", ())}),
            ),
            formula_guard=not no_formula_guard,
        )
        echo(f"written → {output}")


def _print_options(
    title: str, project: Project, table: pd.DataFrame, *, policy: Policy, lang: Lang
) -> None:
    """The options of one project, ranked, and the recommended one with its reason."""
    echo(f"== {title} (industry {project.industry_code}, policy {policy.name}) ==")
    shown, _ = present(table[[*SHOWN, "rank"]].sort_values("rank"), lang=lang, round_numbers=True)
    with pd.option_context("display.unicode.east_asian_width", True):
        echo(shown.to_string(index=False))
    best = table.attrs["recommendation"]
    if best is None:
        echo("→ no feasible option")
    else:
        echo(f"→ {table.loc[best, 'label']}: {table.loc[best, 'reason']}")
    echo("")
