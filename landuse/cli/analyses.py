"""The analyses: ``landuse assess`` (zones), ``bank`` (parcels), ``check`` (proposals).

Each command reads its layers, calls the analysis with the ``--policy`` given, writes every
output file or none, and prints a short summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import click
import geopandas as gpd
import pandas as pd
import pyogrio

from landuse import io, schema
from landuse._atomic import atomic_paths
from landuse._checks import Lang
from landuse.assessment import (
    assess_zones,
    save_indicator_charts,
    write_assessment,
)
from landuse.bank import build_project_bank, write_bank, write_bank_excel
from landuse.cli import _options as opt
from landuse.cli._common import TABLE_TYPES, check_outputs, cli_policy, echo, writable_folder
from landuse.cli._read import Input, ReadPlan, read_plan, read_targets
from landuse.compliance import check_new_land, outside_zone_summary, write_compliance
from landuse.errors import LanduseError, format_ids
from landuse.schema import category_label

__all__ = ["assess", "bank_command", "check_command"]

Benchmark = Literal["best", "mean", "median", "target"]


# --- landuse assess ---------------------------------------------------------------------------


@click.command("assess")
@click.argument("stats", type=opt.input_file())
@click.option(
    "--year",
    type=int,
    required=True,
    help="Assessed year (increments compare with the year before).",
)
@opt.output(
    "The ranked table (Chinese headers): .xlsx (workbook with the benchmarks and parameters "
    "sheets) or .csv (the ranking, UTF-8 with BOM); the format follows the extension.",
    default=Path("ranking.xlsx"),
)
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help='Folder for one PNG chart per indicator (needs pip install "landuse[report]").',
)
@opt.policy()
@click.option(
    "--benchmark",
    type=click.Choice(["best", "mean", "median", "target"]),
    default=None,
    help="Benchmark method (default: the profile's assessment.benchmark_method).",
)
@click.option(
    "--reward-pool",
    type=float,
    default=None,
    help="Reward budget in 万元 (omit: the profile's assessment.reward_pool_wan, if set).",
)
@opt.zones("Zone boundaries: check the ids and add the zone names.")
@click.option("--sheet", default=None, help="Sheet of an Excel STATS file (default: the first).")
@opt.TARGETS
@opt.read_options("STATS", ("zones",))
@opt.LANG
def assess(
    stats: Path,
    year: int,
    output: Path,
    charts_dir: Path | None,
    policy_name: str,
    benchmark: Benchmark | None,
    reward_pool: float | None,
    zones_path: Path | None,
    sheet: str | None,
    targets_arg: str | None,
    layers: tuple[str, ...],
    columns: tuple[str, ...],
    units: tuple[str, ...],
    lang: Lang,
) -> None:
    """Score, rank and tier the zones in STATS (yearly zone statistics) for --year.

    STATS is a CSV, an Excel sheet or a table of a GeoPackage (the demo's landuse_sample.gpkg
    holds one, zone_stats, found without --layer). Writes -o (the ranking, default
    ranking.xlsx) and, with --charts, one PNG per indicator in that folder.
    """
    check_outputs(
        [("-o/--output", output, TABLE_TYPES)], inputs={"STATS": stats, "--zones": zones_path}
    )
    plan = read_plan(
        [Input("", "STATS", schema.ZONE_STATS, stats), Input("zones", "--zones", schema.ZONES, zones_path)],
        layers=layers, columns=columns, units=units,
    )  # fmt: skip
    if charts_dir is not None:
        writable_folder(charts_dir)
    targets = read_targets(targets_arg)
    result = assess_zones(
        io.read_zone_stats(stats, sheet=sheet, **plan.kwargs()),
        year=year,
        policy=cli_policy(policy_name),
        benchmark=benchmark,
        zones=io.read_zones(zones_path, **plan.kwargs("zones")) if zones_path is not None else None,
        reward_pool_wan=reward_pool,
        targets=targets,
        lang=lang,
    )
    written = _write_ranking(result, output, lang=lang, source=stats)
    charts = save_indicator_charts(result, charts_dir, lang=lang) if charts_dir else []
    echo(f"{year} zone assessment ({result.attrs['policy']}), {len(result)} zones:")
    for row in result.itertuples():
        rank = "-" if pd.isna(row.rank) else str(row.rank)
        score = "" if pd.isna(row.total_score) else f"{row.total_score:6.1f}"
        tier = row.tier if isinstance(row.tier, str) else ""
        flag = "  ! elimination warning" if row.elimination_warning else ""
        echo(f"{rank:>4}  {row.zone_id:<10} {score:>6}  {tier}{flag}")
    for line in _assess_summary(result):
        echo(line)
    for text in result.attrs.get("not_evaluated") or []:  # the rules waiting for an input
        echo(f"not evaluated: {_as_options(str(text))}")
    echo(f"ranking → {written}")
    if charts:
        echo(f"{len(charts)} charts → {charts_dir}")


def _met_line(label: str, met: pd.Series, zone_ids: pd.Series, failed: str) -> str | None:
    """``label: n of m (failed: ids)`` over the zones where ``met`` is known; None if none is."""
    known = met.notna()
    if not known.any():
        return None
    ok = met[known].astype(bool)
    missed = zone_ids[known][~ok.to_numpy()]
    tail = f" ({failed}: {format_ids(missed)})" if len(missed) else ""
    return f"{label}: {int(ok.sum())} of {int(known.sum())}{tail}"


def _assess_summary(result: pd.DataFrame) -> list[str]:
    """Creation conditions and attraction targets met, and progress toward the tier targets."""
    ids = result["zone_id"].astype(str)
    lines = [
        _met_line(label, result[column], ids, failed)
        for column, label, failed in (
            ("meets_creation_conditions", "creation conditions met", "not met"),
            ("meets_targets", "expected targets met", "missed"),
            ("attraction_target_met", "attraction target met", "missed"),
        )
    ]
    progress = result.attrs.get("tier_progress") or []
    about = result.attrs.get("tier_progress_about") or {}
    if progress and about.get("count_rule"):
        counted = "zones_at_or_above" if about["count_rule"] == "at_or_above" else "zones"
        parts = [
            f"{row['tier']} {row[counted]}/{row['target_count']}"
            + ("" if pd.isna(row["target_met"]) else (" met" if row["target_met"] else " short"))
            for row in progress
        ]
        lines.append(
            f"tier targets for {about.get('target_year')} (zones / goal, {about['count_rule']}): "
            + ", ".join(parts)
        )
    return [line for line in lines if line]


#: The arguments of assess_zones its texts name, as the options of `landuse assess`.
_ASSESS_OPTIONS = {"`targets=`": "--targets", "reward_pool_wan=": "--reward-pool"}


def _as_options(text: str) -> str:
    """Return a text of assess_zones with its argument names as the command's options."""
    for argument, option in _ASSESS_OPTIONS.items():
        text = text.replace(argument, option)
    return text


def _write_ranking(result: pd.DataFrame, output: Path, *, lang: Lang, source: Path) -> Path:
    """Write the ranking in the format of ``output``'s extension (write_assessment decides)."""
    return write_assessment(result, output, lang=lang, sources=[str(source)])


# --- landuse bank -----------------------------------------------------------------------------


@click.command("bank")
@click.argument("parcels_path", metavar="PARCELS", type=click.Path(exists=True, path_type=Path))
@opt.zones("Zone boundaries (zone_id, leading_industry_codes).", required=True)
@opt.as_of("Reference date, e.g. 2021-12-31.")
@opt.output(
    "GeoPackage to write the bank to: layer project_bank is replaced, other layers kept.",
    required=True,
)
@click.option(
    "--buildings",
    "buildings_path",
    type=opt.input_path(),
    default=None,
    help="Building footprints with levels/height: floor area and footprint come from them.",
)
@opt.functional_areas("Functional areas of the zones.")
@opt.policy()
@click.option(
    "--excel",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the table to this .xlsx workbook (Chinese headers).",
)
@opt.read_options("PARCELS", ("zones", "functional-areas", "buildings"))
@click.option("--parcels-layer", hidden=True, default=None, help="Old name of --layer NAME.")
@opt.LANG
@opt.scheduler(
    "Compute the per-parcel metrics and zones on this Dask cluster (tcp://host:8786); "
    "PARCELS may then be a directory of partitioned GeoParquet. Needs landuse[scale]."
)
@opt.WORKERS
def bank_command(
    parcels_path: Path,
    zones_path: Path,
    as_of: str,
    output: Path,
    buildings_path: Path | None,
    areas_path: Path | None,
    policy_name: str,
    excel: Path | None,
    layers: tuple[str, ...],
    columns: tuple[str, ...],
    units: tuple[str, ...],
    parcels_layer: str | None,
    lang: Lang,
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Build the redevelopment project bank (低效产业用地再开发项目库) from PARCELS.

    Finds idle land, inefficient land, grade D and low-FAR grade C firms, with reasons,
    potential gains, a suggested route and a priority, and writes them ranked to OUTPUT.
    Writes -o (GeoPackage, layer project_bank) and, with --excel, that workbook.
    """
    paths = {
        "PARCELS": parcels_path,
        "--zones": zones_path,
        "--buildings": buildings_path,
        "--functional-areas": areas_path,
    }
    check_outputs(
        [("-o/--output", output, (".gpkg",)), ("--excel", excel, (".xlsx",))], inputs=paths
    )
    plan = read_plan(
        [
            Input("", "PARCELS", schema.PARCELS, parcels_path),
            Input("zones", "--zones", schema.ZONES, zones_path),
            Input("functional-areas", "--functional-areas", schema.FUNCTIONAL_AREAS, areas_path),
            Input("buildings", "--buildings", schema.BUILDINGS, buildings_path),
        ],
        layers=(*layers, *([parcels_layer] if parcels_layer else [])),
        columns=columns,
        units=units,
    )
    _not_a_bank_store(output)
    policy = cli_policy(policy_name)
    if scheduler or workers:
        from landuse.cli._scale import bank_inputs  # dask: only on a cluster

        # metrics and zones on the cluster; the bank's ranking runs here
        parcels, zones, areas, metrics = bank_inputs(
            parcels_path,
            zones_path=zones_path,
            buildings_path=buildings_path,
            functional_areas_path=areas_path,
            plan=plan,
            policy=policy,
            scheduler=scheduler,
            workers=workers,
        )
        layers: dict[str, Any] = {"buildings": None, "metrics": metrics}
    else:
        parcels, zones, areas, buildings = _bank_layers(paths, plan)
        layers = {"buildings": buildings, "metrics": None}
    table = build_project_bank(
        parcels,
        zones=zones,
        functional_areas=areas,
        as_of=as_of,
        policy=policy,
        lang=lang,
        **layers,
    )
    # both files or neither: the GeoPackage keeps its other layers, project_bank is replaced
    targets = [output] if excel is None else [output, excel]
    with atomic_paths(*targets, keep_existing=(".gpkg",)) as temps:
        # Chinese labels with the codes in *_code, aliases and a QGIS style by route
        write_bank(table, temps[0], lang=lang, sources=[str(parcels_path)])
        if excel is not None:
            write_bank_excel(table, temps[1], lang=lang, sources=[str(parcels_path)])
    routes = ", ".join(f"{k} {v}" for k, v in table.attrs["routes"].items())
    echo(f"{len(table)} candidates from {len(parcels)} parcels ({routes}); policy {policy.name}")
    for code, missing in table.attrs["not_evaluated"].items():
        echo(f"not evaluated: {code} (missing {'; '.join(missing)})")
    echo(f"project bank → {output} (layer project_bank)")
    if excel is not None:
        echo(f"Excel → {excel}")


def _not_a_bank_store(output: Path) -> None:
    """Refuse to write candidates into a bank store (another process may be syncing it)."""
    if not output.is_file():
        return
    try:
        names = {str(n) for n in pyogrio.list_layers(output)[:, 0]}
    except pyogrio.errors.DataSourceError:
        return  # write_layers says clearly that it is not a GeoPackage
    if "bank_entries" in names:
        msg = (
            f"refusing to write -o {output}: it is a bank store (layer bank_entries), which "
            "`landuse bank-store sync` updates; write the candidates to their own file and sync "
            "them into the store."
        )
        raise LanduseError(msg)


def _bank_layers(paths: dict[str, Path | None], plan: ReadPlan) -> tuple[gpd.GeoDataFrame, ...]:
    """Parcels, zones, functional areas and buildings (or None), all in the parcels' CRS."""
    parcels = io.read_parcels(paths["PARCELS"], **plan.kwargs())  # type: ignore[arg-type]
    crs = parcels.crs
    zones = io.read_zones(paths["--zones"], crs=crs, **plan.kwargs("zones"))  # type: ignore[arg-type]
    areas_path, buildings_path = paths["--functional-areas"], paths["--buildings"]
    areas = (
        io.read_functional_areas(areas_path, crs=crs, **plan.kwargs("functional-areas"))
        if areas_path
        else None
    )
    buildings = (
        io.read_buildings(buildings_path, crs=crs, **plan.kwargs("buildings"))
        if buildings_path
        else None
    )
    return parcels, zones, areas, buildings  # type: ignore[return-value]


# --- landuse check ----------------------------------------------------------------------------


@click.command("check")
@click.argument("proposals", type=click.Path(exists=True, path_type=Path))
@opt.zones("Cluster zone boundaries (产业集聚区).", required=True)
@opt.functional_areas(
    "Functional areas (功能分区); without them the industrial-area rule is not checked.",
    flag="--areas",
)
@opt.output(
    "Report file: .gpkg (QGIS), .csv or .xlsx (Chinese headers); repeat for several.",
    default=(Path("compliance.gpkg"),),
    multiple=True,
    name="outputs",
)
@click.option(
    "--by",
    default="district",
    show_default=True,
    help="Column to total the land outside the zones by (falls back to the nearest zone).",
)
@click.option(
    "--tolerance-m2",
    type=float,
    default=None,
    help="Ignore a part across a boundary up to this many m² (default 100) ...",
)
@click.option(
    "--tolerance-share",
    type=float,
    default=None,
    help="... and up to this share of the parcel (default 0.01); 0 and 0 for a strict check.",
)
@click.option(
    "--industrial-uses",
    default="industrial",
    show_default=True,
    help="Comma-separated land uses the zone rule applies to, as codes or names in either "
    "language, e.g. industrial,logistics or 工业用地,物流仓储用地.",
)
@opt.policy("Policy profile name or TOML path (recorded in the report).")
@opt.read_options("PROPOSALS", ("zones", "areas"))
@opt.source_crs("CRS of input files that declare none (e.g. EPSG:4490).")
@opt.coord_system(
    "Web-map coordinates of PROPOSALS to convert from (Amap/Gaode gcj02, Baidu bd09)."
)
@opt.LANG
@opt.PROGRESS
@opt.scheduler(
    "Check the proposals on this Dask cluster (tcp://host:8786). A PROPOSALS directory "
    "(partitioned GeoParquet) is always checked on a cluster (local by default). Needs "
    "landuse[scale]."
)
@opt.WORKERS
@opt.FORMULA_GUARD
def check_command(
    proposals: Path,
    zones_path: Path,
    areas_path: Path | None,
    outputs: tuple[Path, ...],
    by: str,
    tolerance_m2: float | None,
    tolerance_share: float | None,
    industrial_uses: str,
    policy_name: str,
    layers: tuple[str, ...],
    columns: tuple[str, ...],
    units: tuple[str, ...],
    source_crs: str | None,
    coord_system: str,
    lang: Lang,
    progress: bool,
    scheduler: str | None,
    workers: int | None,
    no_formula_guard: bool,
) -> None:
    """Check proposed new industrial land (PROPOSALS) against the cluster zones.

    Says for each proposal whether it lies inside a zone (and its industrial development
    area), straddles a boundary or lies outside, by how much, and totals the 亩 outside the
    zones per district. Writes each -o: a GeoPackage (layers compliance and
    outside_zone_summary, for QGIS), an Excel workbook, or a CSV of the proposals plus
    NAME_summary.csv beside it (the totals outside the zones).
    """
    targets = list(dict.fromkeys(outputs))  # `-o r.csv -o r.csv` writes r.csv once
    side_files = [p.with_name(f"{p.stem}_summary.csv") for p in targets if p.suffix == ".csv"]
    check_outputs(
        [("-o/--output", p, (".gpkg", ".csv", ".xlsx")) for p in targets]
        + [("-o/--output (summary)", p, ()) for p in side_files],
        inputs={"PROPOSALS": proposals, "--zones": zones_path, "--areas": areas_path},
    )
    plan = read_plan(
        [
            Input("", "PROPOSALS", schema.PROPOSALS, proposals),
            Input("zones", "--zones", schema.ZONES, zones_path),
            Input("areas", "--areas", schema.FUNCTIONAL_AREAS, areas_path),
        ],
        layers=layers, columns=columns, units=units,
    )  # fmt: skip
    options: dict[str, Any] = {
        "policy": cli_policy(policy_name),
        "industrial_uses": opt.parse_categories("land_use", industrial_uses, "--industrial-uses"),
        "lang": lang,
    }
    zones = io.read_zones(zones_path, source_crs=source_crs, **plan.kwargs("zones"))
    areas = (
        io.read_functional_areas(
            areas_path, source_crs=source_crs, crs=zones.crs, **plan.kwargs("areas")
        )
        if areas_path is not None
        else None
    )
    if tolerance_m2 is not None:
        options["tolerance_m2"] = tolerance_m2
    if tolerance_share is not None:
        options["tolerance_share"] = tolerance_share
    read_options = {"source_crs": source_crs, "coord_system": coord_system, **plan.kwargs()}
    if scheduler or workers or proposals.is_dir():
        from landuse.cli._scale import check_report  # dask: only on a cluster

        report = check_report(
            proposals,
            zones=zones,
            areas=areas,
            read_options=read_options,
            scheduler=scheduler,
            workers=workers,
            **options,
        )
    else:
        frame = io.read_proposals(proposals, crs=zones.crs, **read_options)  # type: ignore[arg-type]
        report = check_new_land(
            frame, zones=zones, functional_areas=areas, progress=progress, **options
        )
    if by not in report.columns and by == "district":
        echo("note: proposals have no `district`; totals by nearest zone", err=True)
        by = "nearest_zone_id"
    summary = outside_zone_summary(report, by=by, lang=lang)
    written = _write_reports(report, targets, by=by, lang=lang, formula_guard=not no_formula_guard)
    _print_check_summary(report, summary, lang=lang)
    for path in written:
        echo(f"report → {path}")


def _write_reports(
    report: gpd.GeoDataFrame, targets: list[Path], *, by: str, lang: Lang, formula_guard: bool
) -> list[Path]:
    """Every report file or none: each is written under a temporary name, all moved at the end."""
    written: list[Path] = []
    with atomic_paths(*targets, keep_existing=(".gpkg",)) as temps:
        for target, tmp in zip(targets, temps, strict=True):
            files = write_compliance(report, tmp, by=by, lang=lang, formula_guard=formula_guard)
            written.extend(target.with_name(f.name) for f in files)
    return written


def _print_check_summary(report: gpd.GeoDataFrame, summary: pd.DataFrame, *, lang: Lang) -> None:
    """Proposals per verdict, and the industrial land outside the zones."""
    echo(f"{len(report)} proposals ({report.attrs['policy']}):")
    for verdict, count in report["verdict"].value_counts(sort=False).items():
        echo(f"  {count:>7}  {category_label('verdict', str(verdict), lang=lang)}")
    total = summary.iloc[-1]
    echo(
        f"outside the zones: {int(total['outside_or_straddling'])} of {int(total['proposals'])} "
        f"industrial proposals, {total['area_outside_mu']:.2f} {'亩' if lang == 'zh' else 'mu'}"
    )
