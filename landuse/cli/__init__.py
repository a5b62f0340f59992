"""The ``landuse`` command.

``landuse demo --out DIR`` runs the pipeline on the bundled Qingdao sample;
``landuse validate FILE --role parcels`` checks one of your own layers and writes
the validated layer to a GeoPackage.

Errors: one handler (:class:`_Landuse`) for every command. A user error (a
:class:`~landuse.errors.LanduseError`, an ``OSError`` such as a read-only folder, a
``ValueError``, a missing optional dependency, or an error of a file or database driver)
prints one line ``error: …`` on stderr and exits with status 2 (75: the bank store was
busy, retry); ``-v`` also prints the traceback. Any other exception is a bug in landuse
and shows its traceback. Output paths (known file type, folder writable, not one of the
inputs) are checked before any analysis runs, and a command writing several files writes
all of them or none. Text from the data printed to the terminal goes through
:func:`landuse._sinks.terminal_text`.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import click

from landuse._sinks import terminal_text
from landuse._version import __version__
from landuse.errors import LanduseError
from landuse.mapping._style import SCHEMES

__all__ = ["main"]

_ROLES = ("zones", "functional_areas", "parcels", "buildings", "proposals", "zone_stats")


def _echo(text: str = "", *, err: bool = False) -> None:
    """Print a line; control characters from the data are shown as visible escapes."""
    click.echo(terminal_text(text), err=err)


def _user_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that are the user's to fix (bad input, environment), not landuse bugs."""
    import sqlite3

    import pyogrio.errors

    errors: list[type[BaseException]] = [
        LanduseError,
        OSError,  # read-only folder, missing file, disk full, connection refused, rasterio I/O
        ValueError,  # bad values, including pandas' and tomllib's parse errors
        ImportError,  # an optional dependency is missing: the message names the extra
        pyogrio.errors.DataSourceError,  # not a readable geodata file
        pyogrio.errors.DataLayerError,
        sqlite3.Error,  # a read-only or corrupt bank GeoPackage
    ]
    if "psycopg" in sys.modules:
        errors.append(sys.modules["psycopg"].Error)
    if "rasterio" in sys.modules:
        errors.append(sys.modules["rasterio"].errors.RasterioError)
    return tuple(errors)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split("\n")).strip() or "(no message)"
    if isinstance(exc, LanduseError) or type(exc).__module__ == "builtins":
        return text
    return f"{type(exc).__name__}: {text}"  # a driver's error: say whose


def _show_warnings(caught: Iterable[warnings.WarningMessage]) -> None:
    seen: set[str] = set()
    for w in caught:
        text = str(w.message)
        if text not in seen:
            seen.add(text)
            _echo(f"warning: {text}", err=True)


class _Landuse(click.Group):
    """The ``landuse`` group: one error handler and one warning printer for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        verbose = ctx.params.get("verbose", 0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = super().invoke(ctx)
            except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
                _show_warnings(caught)
                raise
            except _user_errors() as exc:
                # A user error: one line, exit 2. Everything else propagates with its
                # traceback on purpose: an unexpected exception is a bug in landuse.
                _show_warnings(caught)
                if verbose:
                    click.echo(traceback.format_exc(), err=True, nl=False)
                busy = type(exc).__name__ == "StoreBusyError"
                _echo(f"error: {_one_line(exc)}", err=True)
                ctx.exit(75 if busy else 2)
        _show_warnings(caught)
        return result


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _writable_folder(path: Path) -> None:
    """Raise a LanduseError unless a file can be created in ``path`` (or its first existing parent)."""
    folder = path.absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        msg = f"cannot write {path}: {folder} is a file, not a folder; choose another path."
        raise LanduseError(msg)
    try:
        fd, probe = tempfile.mkstemp(prefix=".landuse-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        msg = (
            f"cannot write {path}: the folder {folder} is not writable ({exc.strerror}); "
            "choose another output folder."
        )
        raise LanduseError(msg) from None


def _check_outputs(
    outputs: Iterable[tuple[str, Path | None, tuple[str, ...]]],
    *,
    inputs: Mapping[str, Path | str | None],
) -> None:
    """Check output files before any analysis: known type, folder writable, not an input.

    ``outputs`` holds ``(option, path, suffixes)``; ``inputs`` maps a name to an input path.
    """
    for option, out, suffixes in outputs:
        if out is None:
            continue
        if suffixes and out.suffix.lower() not in suffixes:
            msg = (
                f"{option} {out}: unknown output type {out.suffix or '(none)'!r}; "
                f"give a file ending in {', '.join(suffixes)}."
            )
            raise LanduseError(msg)
        if out.is_dir():
            msg = f"{option} {out} is a folder; give a file name."
            raise LanduseError(msg)
        for name, given in inputs.items():
            if given is not None and _same_file(out, Path(given)):
                msg = (
                    f"refusing to write {option} {out}: it is the input {name} ({given}), which "
                    "would be replaced. Write the output to another file."
                )
                raise LanduseError(msg)
        _writable_folder(out.parent)


@click.group(cls=_Landuse, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="landuse")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log what the readers do (-v info, -vv debug); show the traceback of an error.",
)
def main(verbose: int) -> None:
    """Industrial land analysis for Qingdao's key industrial cluster zones."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


_FORMULA_GUARD = click.option(
    "--no-formula-guard",
    "no_formula_guard",
    is_flag=True,
    help="CSV: write text starting with = + - @ as is (for programs). By default such text gets "
    "a leading ' so Excel shows it as text instead of running it as a formula.",
)


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("landuse_demo"),
    show_default=True,
    help="Folder for the outputs.",
)
def demo(out_dir: Path) -> None:
    """Run the pipeline on the bundled (synthetic) Qingdao sample.

    Writes the validated layers to OUT/landuse_sample.gpkg and a zone overview map
    to OUT/zones_map.html.
    """
    from landuse.datasets import load_sample
    from landuse.io import write_layers

    start = time.perf_counter()
    _check_outputs([("--out", out_dir / "landuse_sample.gpkg", (".gpkg",))], inputs={})
    sample = load_sample()
    out_dir.mkdir(parents=True, exist_ok=True)
    layers = {
        "zones": sample.zones,
        "functional_areas": sample.functional_areas,
        "parcels": sample.parcels,
        "buildings": sample.buildings,
        "proposals": sample.proposals,
        "zone_stats": sample.zone_stats,
    }
    for name, frame in layers.items():
        report = frame.attrs.get("landuse_read")
        _echo(
            f"{name:>16}: {len(frame):>6} rows"
            + (f"  ({report.crs})" if report and report.crs else "")
        )
    gpkg = write_layers(layers, out_dir / "landuse_sample.gpkg")
    _echo(f"validated layers → {gpkg}")
    _demo_pipeline(sample, out_dir)
    _echo(f"done in {time.perf_counter() - start:.1f} s (sample data are synthetic)")


def _demo_pipeline(sample: object, out_dir: Path) -> None:
    """Run the demo's analysis steps on the sample, each writing its outputs to ``out_dir``."""
    from landuse._atomic import atomic_path
    from landuse._sinks import write_csv
    from landuse.assessment import assess_zones, write_assessment
    from landuse.bank import build_project_bank, write_bank_excel
    from landuse.compliance import check_new_land, write_compliance
    from landuse.efficiency import grade_enterprises
    from landuse.io import write_layers
    from landuse.mapping import map_bank, map_compliance, map_parcels, map_zones, save_map
    from landuse.policy import load_policy
    from landuse.raster import raster_evidence, rasterize_metric
    from landuse.supply import MultistoreyUnit, Project, evaluate_supply_options

    s = sample  # landuse.datasets.Sample
    policy = load_policy("qingdao-2019")
    # land cover and night light (over part of QD01) as independent evidence of vacant/dark land
    evidence = raster_evidence(
        s.parcels,
        landcover=s.rasters["builtup"],
        builtup_classes=(1,),
        night_light=s.rasters["night_light"],
        policy=policy,
    )
    tif = rasterize_metric(
        s.parcels.join(evidence[["activity_index"]]),
        "activity_index",
        like=s.rasters["night_light"],
        out=out_dir / "activity_index.tif",
    )
    n_dark = int(evidence["dark_by_night_light"].sum())
    _echo(f"raster evidence: {n_dark} parcels dark at night → {tif.name}")
    bank = build_project_bank(
        s.parcels,
        zones=s.zones,
        functional_areas=s.functional_areas,
        buildings=s.buildings,
        as_of=s.as_of,
        policy=policy,
        raster_evidence=evidence,
    )
    write_layers({"project_bank": bank}, out_dir / "bank.gpkg")
    write_bank_excel(bank, out_dir / "bank.xlsx")
    _echo(f"redevelopment candidates: {len(bank)} → {out_dir / 'bank.gpkg'}, bank.xlsx")
    report = check_new_land(
        s.proposals, zones=s.zones, functional_areas=s.functional_areas, policy=policy
    )
    write_compliance(report, out_dir / "compliance.xlsx")
    counts = report["verdict"].value_counts().to_dict()
    _echo(f"new-land compliance of {len(report)} proposals: {counts} → compliance.xlsx")
    scores = assess_zones(
        s.zone_stats, year=2021, policy=policy, zones=s.zones, reward_pool_wan=12000
    )
    write_assessment(scores, out_dir / "zone_assessment_2021.xlsx")
    _echo(
        f"zone assessment 2021 → zone_assessment_2021.xlsx (first: {scores.iloc[0]['zone_id']})"
    )
    project = Project(
        name="示例：电子信息项目",
        industry_code="39",
        floor_area_needed_m2=9_000,
        investment_wan=4_000,
        expected_tax_wan=300,
        land_grade="三级",
        zone_id="QD06",
    )
    table = evaluate_supply_options(
        project,
        policy=policy,
        discount_rate=policy.tenure.capitalisation_rate_share,  # illustrative
        options=[
            "conventional",
            "standard_land",
            "flexible",
            "lease_then_transfer",
            MultistoreyUnit(),
        ],
    )
    with atomic_path(out_dir / "supply_options.csv") as tmp:
        write_csv(table, tmp, index=True)
    _echo(
        f"supply options → supply_options.csv (recommended: {table.attrs.get('recommendation')})"
    )
    graded = s.parcels.join(grade_enterprises(s.parcels, policy=policy)[["grade"]])
    m = map_zones(s.zones, functional_areas=s.functional_areas)
    m = map_parcels(graded, column="grade", m=m)
    m = map_bank(bank, m=m)
    m = map_compliance(report, zones=s.zones, m=m)
    html = save_map(m, out_dir / "zones_map.html", offline=True)
    _echo(f"combined map (zones, parcels by grade, bank, compliance; opens offline) → {html}")


@main.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--role", type=click.Choice(_ROLES), required=True, help="What the file holds.")
@click.option("--layer", default=None, help="Layer name in a multi-layer file.")
@click.option(
    "--source-crs", default=None, help="CRS of a file that declares none (e.g. EPSG:4490)."
)
@click.option(
    "--coord-system",
    type=click.Choice(["wgs84", "gcj02", "bd09"]),
    default="wgs84",
    show_default=True,
    help="Web-map coordinates to convert from (Amap/Gaode gcj02, Baidu bd09).",
)
@click.option("--encoding", default=None, help="Text encoding of a shapefile DBF or CSV.")
@click.option("--coerce", is_flag=True, help="Set unreadable values missing instead of failing.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the validated layer to this GeoPackage (layer ROLE; other layers are kept).",
)
def validate(
    source: Path,
    role: str,
    layer: str | None,
    source_crs: str | None,
    coord_system: str,
    encoding: str | None,
    coerce: bool,
    output: Path | None,
) -> None:
    """Read SOURCE as a ROLE layer, report what was mapped and fixed, optionally write it."""
    from landuse import io

    _check_outputs([("-o/--output", output, (".gpkg",))], inputs={"SOURCE": source})
    on_invalid: Literal["raise", "coerce"] = "coerce" if coerce else "raise"
    if role == "zone_stats":
        frame = io.read_zone_stats(source, encoding=encoding, on_invalid=on_invalid)
    else:
        reader = getattr(io, f"read_{role}")
        frame = reader(
            source,
            layer=layer,
            source_crs=source_crs,
            coord_system=coord_system,
            encoding=encoding,
            on_invalid=on_invalid,
        )
    _echo(frame.attrs["landuse_read"].summary())
    if output is not None:
        io.write_layers({role: frame}, output)
        _echo(f"written → {output} (layer {role})")


@main.command()
@click.argument("stats", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--year",
    type=int,
    required=True,
    help="Assessed year (increments compare with the year before).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("ranking.xlsx"),
    show_default=True,
    help="Excel workbook for the ranked table (Chinese headers).",
)
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help='Folder for one PNG chart per indicator (needs pip install "landuse[report]").',
)
@click.option(
    "--policy",
    "policy_name",
    default="qingdao-2019",
    show_default=True,
    help="Policy profile name or TOML path.",
)
@click.option(
    "--benchmark",
    type=click.Choice(["best", "mean", "median", "target"]),
    default=None,
    help="Benchmark method (default: the profile's assessment.benchmark_method).",
)
@click.option(
    "--reward-pool", type=float, default=None, help="Reward budget in 万元 (omit: no allocation)."
)
@click.option(
    "--zones",
    "zones_path",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Zone boundaries: check the ids and add the zone names.",
)
@click.option("--sheet", default=None, help="Sheet of an Excel STATS file (default: the first).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def assess(
    stats: Path,
    year: int,
    output: Path,
    charts_dir: Path | None,
    policy_name: str,
    benchmark: Literal["best", "mean", "median", "target"] | None,
    reward_pool: float | None,
    zones_path: Path | None,
    sheet: str | None,
    lang: Literal["zh", "en"],
) -> None:
    """Score, rank and tier the zones in STATS (yearly zone statistics) for --year."""
    import pandas as pd

    from landuse.assessment import assess_zones, save_indicator_charts, write_assessment
    from landuse.io import read_zone_stats, read_zones
    from landuse.policy import load_policy

    _check_outputs(
        [("-o/--output", output, (".xlsx",))], inputs={"STATS": stats, "--zones": zones_path}
    )
    if charts_dir is not None:
        _writable_folder(charts_dir)
    table = read_zone_stats(stats, sheet=sheet)
    zones = read_zones(zones_path) if zones_path is not None else None
    result = assess_zones(
        table,
        year=year,
        policy=load_policy(policy_name),
        benchmark=benchmark,
        zones=zones,
        reward_pool_wan=reward_pool,
        lang=lang,
    )
    written = write_assessment(result, output, lang=lang)
    charts = save_indicator_charts(result, charts_dir, lang=lang) if charts_dir else []
    _echo(f"{year} zone assessment ({result.attrs['policy']}), {len(result)} zones:")
    for row in result.itertuples():
        rank = "-" if pd.isna(row.rank) else str(row.rank)
        score = "" if pd.isna(row.total_score) else f"{row.total_score:6.1f}"
        tier = row.tier if isinstance(row.tier, str) else ""
        flag = "  ! elimination warning" if row.elimination_warning else ""
        _echo(f"{rank:>4}  {row.zone_id:<10} {score:>6}  {tier}{flag}")
    _echo(f"ranking → {written}")
    if charts:
        _echo(f"{len(charts)} charts → {charts_dir}")


@main.command("map")
@click.option(
    "--zones",
    "zones_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Zone boundaries (read with read_zones). Default: the bundled sample's.",
)
@click.option(
    "--functional-areas",
    "areas_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Functional areas of the zones.",
)
@click.option(
    "--parcels",
    "parcels_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Parcels (read with read_parcels).",
)
@click.option("--column", default=None, help="Parcel column to colour by.")
@click.option(
    "--scheme",
    type=click.Choice(SCHEMES),
    default="quantiles",
    show_default=True,
    help="Classes for a numeric column.",
)
@click.option("-k", "k", type=int, default=5, show_default=True, help="Number of classes.")
@click.option(
    "--basemap",
    type=click.Choice(
        ["osm", "tianditu-vector", "tianditu-imagery", "amap", "amap-satellite", "none"]
    ),
    default="osm",
    show_default=True,
    help="Tianditu needs the TIANDITU_KEY environment variable.",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--offline/--online",
    default=False,
    show_default=True,
    help="Carry Leaflet inside the file (opens without internet; needs landuse[offline]).",
)
@click.option(
    "--static",
    "static_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw a static map (.png, .pdf or .svg) for reports.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("landuse_map.html"),
    show_default=True,
    help="The HTML map to write.",
)
def map_command(
    zones_path: Path | None,
    areas_path: Path | None,
    parcels_path: Path | None,
    column: str | None,
    scheme: str,
    k: int,
    basemap: str,
    lang: str,
    offline: bool,
    static_path: Path | None,
    output: Path,
) -> None:
    """Write an interactive map of zones and parcels (one HTML file), optionally a static one."""
    from landuse import io
    from landuse.mapping import map_parcels, map_zones, save_map

    _check_outputs(
        [
            ("-o/--output", output, (".html", ".htm")),
            ("--static", static_path, (".png", ".pdf", ".svg")),
        ],
        inputs={"--zones": zones_path, "--functional-areas": areas_path, "--parcels": parcels_path},
    )
    if k < 1:
        msg = f"-k must be a positive number of classes; received {k}."
        raise LanduseError(msg)
    if zones_path is None and parcels_path is None:
        from landuse.datasets import load_sample

        sample = load_sample()
        zones, areas, parcels = sample.zones, sample.functional_areas, sample.parcels
        _echo("no --zones/--parcels given: mapping the bundled (synthetic) sample")
    else:
        zones = io.read_zones(zones_path) if zones_path else None
        areas = io.read_functional_areas(areas_path) if areas_path else None
        parcels = io.read_parcels(parcels_path) if parcels_path else None
    options: dict[str, Any] = {
        "basemap": None if basemap == "none" else basemap,
        "lang": lang,
    }
    m = None
    if zones is not None:
        m = map_zones(zones, functional_areas=areas, **options)
    if parcels is not None:
        m = map_parcels(parcels, column=column, scheme=scheme, k=k, m=m, **options)  # type: ignore[arg-type]
    if m is None:
        msg = "give --zones and/or --parcels (or neither, for the bundled sample)"
        raise click.UsageError(msg)
    written = save_map(m, output, offline=offline)
    _echo(f"map → {written}")
    if static_path is not None:
        from landuse.mapping.static import plot_map

        data = parcels if parcels is not None else zones
        plot_map(
            data,
            column=column if parcels is not None else None,
            scheme=scheme,
            k=k,
            zones=zones if parcels is not None else None,
            functional_areas=areas,
            lang=options["lang"],
            path=static_path,
        )
        _echo(f"static map → {static_path}")


def _not_a_bank_store(output: Path) -> None:
    """Refuse to write candidates into a bank store (another process may be syncing it)."""
    if not output.is_file():
        return
    import pyogrio

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


@main.command("bank")
@click.argument("parcels_path", metavar="PARCELS", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--zones",
    "zones_path",
    type=click.Path(exists=True, path_type=Path),
    required=True,
    help="Zone boundaries (zone_id, leading_industry_codes).",
)
@click.option("--as-of", "as_of", required=True, help="Reference date, e.g. 2021-12-31.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="GeoPackage to write the bank to: layer project_bank is replaced, other layers kept.",
)
@click.option(
    "--buildings",
    "buildings_path",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Building footprints with levels/height: floor area and footprint come from them.",
)
@click.option(
    "--functional-areas",
    "functional_areas_path",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Functional areas of the zones.",
)
@click.option(
    "--policy",
    "policy_name",
    default="qingdao-2019",
    show_default=True,
    help="Policy profile name or .toml path.",
)
@click.option(
    "--excel",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the table to this .xlsx workbook (Chinese headers).",
)
@click.option("--parcels-layer", default=None, help="Layer name of PARCELS in a multi-layer file.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--scheduler",
    default=None,
    help="Compute the per-parcel metrics and zones on this Dask cluster (tcp://host:8786); "
    "PARCELS may then be a directory of partitioned GeoParquet. Needs landuse[scale].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="As --scheduler, on a local cluster of this many worker processes.",
)
def bank_command(
    parcels_path: Path,
    zones_path: Path,
    as_of: str,
    output: Path,
    buildings_path: Path | None,
    functional_areas_path: Path | None,
    policy_name: str,
    excel: Path | None,
    parcels_layer: str | None,
    lang: str,
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Build the redevelopment project bank (低效产业用地再开发项目库) from PARCELS.

    Finds idle land, inefficient land, grade D and low-FAR grade C firms, with reasons,
    potential gains, a suggested route and a priority, and writes them ranked to OUTPUT.
    """
    from landuse import io
    from landuse._atomic import atomic_paths
    from landuse.bank import build_project_bank, write_bank_excel
    from landuse.policy import load_policy

    _check_outputs(
        [("-o/--output", output, (".gpkg",)), ("--excel", excel, (".xlsx",))],
        inputs={
            "PARCELS": parcels_path,
            "--zones": zones_path,
            "--buildings": buildings_path,
            "--functional-areas": functional_areas_path,
        },
    )
    _not_a_bank_store(output)
    policy = load_policy(policy_name)
    metrics = None
    if scheduler or workers:
        from landuse.cli._scale import bank_inputs

        # metrics and zones on the cluster; the bank's ranking runs here
        parcels, zones, areas, metrics = bank_inputs(
            parcels_path,
            zones_path=zones_path,
            buildings_path=buildings_path,
            functional_areas_path=functional_areas_path,
            parcels_layer=parcels_layer,
            policy=policy,
            scheduler=scheduler,
            workers=workers,
        )
        buildings = None
    else:
        parcels = io.read_parcels(parcels_path, layer=parcels_layer)
        zones = io.read_zones(zones_path, crs=parcels.crs)
        buildings = io.read_buildings(buildings_path, crs=parcels.crs) if buildings_path else None
        areas = (
            io.read_functional_areas(functional_areas_path, crs=parcels.crs)
            if functional_areas_path
            else None
        )
    table = build_project_bank(
        parcels,
        zones=zones,
        functional_areas=areas,
        buildings=buildings,
        metrics=metrics,
        as_of=as_of,
        policy=policy,
        lang="zh" if lang == "zh" else "en",
    )
    # both files or neither: the GeoPackage keeps its other layers, project_bank is replaced
    targets = [output] if excel is None else [output, excel]
    with atomic_paths(*targets, keep_existing=(".gpkg",)) as temps:
        io.write_layers({"project_bank": table}, temps[0])
        if excel is not None:
            write_bank_excel(table, temps[1], lang="zh" if lang == "zh" else "en")
    routes = ", ".join(f"{k} {v}" for k, v in table.attrs["routes"].items())
    _echo(
        f"{len(table)} candidates from {len(parcels)} parcels ({routes}); policy {policy.name}"
    )
    for code, missing in table.attrs["not_evaluated"].items():
        _echo(f"not evaluated: {code} (missing {'; '.join(missing)})")
    _echo(f"project bank → {output} (layer project_bank)")
    if excel is not None:
        _echo(f"Excel → {excel}")


@main.command()
@click.argument(
    "project_file", metavar="PROJECT.toml|csv", type=click.Path(exists=True, dir_okay=False)
)
@click.option(
    "--discount-rate",
    type=float,
    default=None,
    help="Discount rate for the NPVs, a fraction per year (e.g. 0.05). Required unless the "
    "TOML file sets discount_rate.",
)
@click.option(
    "--policy",
    "policy_name",
    default=None,
    help="Policy profile name or TOML path (default qingdao-2019, or the file's `policy`).",
)
@click.option(
    "--option",
    "option_names",
    multiple=True,
    type=click.Choice(
        ["conventional", "standard_land", "flexible", "lease_then_transfer", "multistorey"]
    ),
    help="Option to compare (repeat it); default all, or the TOML file's [options].",
)
@click.option(
    "--rank-by",
    type=click.Choice(["land", "firm_cost", "city_npv"]),
    default="land",
    show_default=True,
    help="What ranks feasible options first.",
)
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Labels."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write every option of every project to this CSV (UTF-8 with BOM, opens in Excel).",
)
@_FORMULA_GUARD
def supply(
    project_file: str,
    discount_rate: float | None,
    policy_name: str | None,
    option_names: tuple[str, ...],
    rank_by: str,
    lang: str,
    output: str | None,
    no_formula_guard: bool,
) -> None:
    """Compare land supply options for the project(s) in PROJECT.toml or a CSV.

    A TOML file holds one [project] table (or [[projects]] tables) with the fields of
    landuse.supply.Project, and optionally discount_rate, policy, [options.<name>] tables with
    the option terms (e.g. [options.flexible] years = 30; [options.multistorey]
    price_yuan_m2 = 3000) and [zone_conditions.<zone_id>] tables. A CSV holds one project per
    row, with the Project fields as column names.
    """
    import dataclasses
    import tomllib
    from pathlib import Path as _Path

    import pandas as pd

    from landuse import supply as sup
    from landuse._atomic import atomic_path
    from landuse._sinks import write_csv
    from landuse.policy import load_policy

    path = _Path(project_file)
    _check_outputs(
        [("-o/--output", None if output is None else _Path(output), (".csv",))],
        inputs={"PROJECT": path},
    )
    option_types = {
        "conventional": sup.ConventionalGrant,
        "standard_land": sup.StandardLand,
        "flexible": sup.FlexibleTerm,
        "lease_then_transfer": sup.LeaseThenTransfer,
        "multistorey": sup.MultistoreyUnit,
    }
    settings: dict = {}
    if path.suffix.lower() == ".toml":
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
        known = {"project", "projects", "discount_rate", "policy", "options", "zone_conditions"}
        unknown = sorted(set(settings) - known)
        if unknown:
            msg = (
                f"{path}: unknown top-level key(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(sorted(known))}"
            )
            raise ValueError(msg)
        raw = settings.get("projects", settings.get("project"))
        if raw is None:
            msg = f"{path}: no [project] table (or [[projects]] tables)"
            raise ValueError(msg)
        projects = [raw] if isinstance(raw, dict) else list(raw)
    elif path.suffix.lower() == ".csv":
        try:
            frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
        except UnicodeDecodeError:
            frame = pd.read_csv(path, encoding="gb18030", dtype=str)
        projects = [
            {k: v for k, v in row.items() if not pd.isna(v)} for row in frame.to_dict("records")
        ]
        if not projects:
            msg = f"{path}: the CSV has no project rows"
            raise ValueError(msg)
    else:
        msg = f"{path}: give a .toml or .csv file"
        raise ValueError(msg)
    rate = discount_rate if discount_rate is not None else settings.get("discount_rate")
    if rate is None:
        msg = (
            "no discount rate: pass --discount-rate 0.05 (or set discount_rate in the TOML "
            "file); it is a user choice, not a policy value"
        )
        raise ValueError(msg)
    policy = load_policy(policy_name or settings.get("policy", "qingdao-2019"))
    terms = settings.get("options") or {}
    for name in terms:
        if name not in option_types:
            msg = f"{path}: unknown option [options.{name}]; options: {', '.join(option_types)}"
            raise ValueError(msg)
    names = list(option_names) or list(terms) or list(option_types)
    options = []
    for name in names:
        cls = option_types[name]
        given = dict(terms.get(name) or {})
        valid = {f.name for f in dataclasses.fields(cls)}
        wrong = sorted(set(given) - valid)
        if wrong:
            msg = (
                f"{path}: [options.{name}] has unknown key(s) {', '.join(wrong)}; "
                f"valid: {', '.join(sorted(valid))}"
            )
            raise ValueError(msg)
        options.append(cls(**given))
    zones = settings.get("zone_conditions")
    tables = []
    for i, fields in enumerate(projects, start=1):
        project = sup.Project.from_mapping(fields)
        table = sup.evaluate_supply_options(
            project,
            policy=policy,
            discount_rate=float(rate),
            options=options,
            zone_conditions=zones,
            rank_by=rank_by,  # type: ignore[arg-type]
            lang=lang,  # type: ignore[arg-type]
        )
        title = project.name or f"project {i}"
        _echo(f"== {title} (industry {project.industry_code}, policy {policy.name}) ==")
        shown = table[
            [
                "label",
                "new_land_mu",
                "firm_upfront_wan",
                "firm_npv_wan",
                "city_npv_wan",
                "feasible",
                "rank",
            ]
        ].sort_values("rank")
        _echo(shown.round(2).to_string())
        best = table.attrs["recommendation"]
        if best is None:
            _echo("→ no feasible option")
        else:
            _echo(f"→ {table.loc[best, 'label']}: {table.loc[best, 'reason']}")
        _echo("")
        tables.append(table.reset_index().assign(project=title))
    if output is not None:
        combined = pd.concat(tables, ignore_index=True)
        combined = combined[["project", *[c for c in combined.columns if c != "project"]]]
        with atomic_path(output) as tmp:
            write_csv(combined, tmp, formula_guard=not no_formula_guard)
        _echo(f"written → {output}")


@main.command()
@click.argument("parcels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("raster", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV to write (UTF-8 with BOM, opens in Excel): parcel_id and one column per statistic.",
)
@click.option(
    "--stats",
    default="mean,sum,count,min,max,std,majority",
    show_default=True,
    help="Comma-separated statistics: mean, sum, count, min, max, std, majority, minority, "
    "median, variety, valid_share.",
)
@click.option(
    "--categories",
    default=None,
    help="Comma-separated class values of a categorical raster, e.g. 1,2: adds share_<class>.",
)
@click.option("--band", type=int, default=1, show_default=True, help="Raster band, from 1.")
@click.option("--layer", default=None, help="Layer name in a multi-layer parcels file.")
@click.option("--progress", is_flag=True, help="Show a progress bar.")
@_FORMULA_GUARD
def zonal(
    parcels: Path,
    raster: Path,
    output: Path,
    stats: str,
    categories: str | None,
    band: int,
    layer: str | None,
    progress: bool,
    no_formula_guard: bool,
) -> None:
    """Exact zonal statistics of RASTER for each parcel in PARCELS, written to a CSV.

    Cells count with the exact fraction each parcel covers (a parcel smaller than a pixel still
    gets a value); nodata is skipped; parcels are reprojected to the raster's CRS.
    """
    from landuse._atomic import atomic_path
    from landuse._sinks import write_csv
    from landuse.io import read_parcels
    from landuse.raster import zonal_stats

    _check_outputs(
        [("-o/--output", output, (".csv",))], inputs={"PARCELS": parcels, "RASTER": raster}
    )
    wanted = [s.strip() for s in stats.split(",") if s.strip()]
    classes: list[float] | None = None
    if categories:
        classes = [float(c) if "." in c else int(c) for c in categories.split(",") if c.strip()]
    frame = read_parcels(parcels, layer=layer)
    table = zonal_stats(
        frame,
        raster,
        stats=wanted,  # type: ignore[arg-type]
        categories=classes,
        band=band,
        progress=progress,
    )
    table.insert(0, "parcel_id", frame["parcel_id"].to_numpy())
    with atomic_path(output) as tmp:
        write_csv(table, tmp, formula_guard=not no_formula_guard)
    _echo(
        f"{len(table)} parcels × {table.shape[1] - 1} statistics of {raster.name} band {band} "
        f"→ {output}"
    )


@main.group("bank-store")
def bank_store() -> None:
    """Keep the project bank over the years: sync, status, history, summary (项目库管理).

    --store is a .gpkg path (one file on a shared drive; QGIS opens its layer bank_entries)
    or a postgresql:// DSN (pip install "landuse[postgis]"); it can also come from the
    LANDUSE_BANK_STORE environment variable. Keep the store in its own file, not in the
    candidates file that `landuse bank -o FILE` rewrites on every run. Exit status 75 means
    the store was busy: retry.
    """


@bank_store.command("sync")
@click.argument(
    "candidates_path", metavar="CANDIDATES", type=click.Path(exists=True, path_type=Path)
)
@click.option(
    "--store", envvar="LANDUSE_BANK_STORE", required=True, help="Bank .gpkg or postgresql:// DSN."
)
@click.option(
    "--as-of", "as_of", required=True, help="Date the candidates describe, e.g. 2021-12-31."
)
@click.option(
    "--layer", default=None, help="Layer of CANDIDATES (default: project_bank, or the only layer)."
)
@click.option("--note", default=None, help="Why this sync (kept in every entry's history).")
@click.option("--by", default=None, help="Who runs it (default: the login name).")
@click.option(
    "--timeout", default=10.0, show_default=True, help="Seconds to wait for another writer."
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def bank_store_sync(
    candidates_path: Path,
    store: str,
    as_of: str,
    layer: str | None,
    note: str | None,
    by: str | None,
    timeout: float,
    lang: str,
) -> None:
    """Upsert CANDIDATES (from `landuse bank -o …`) into the bank by parcel."""
    import pyogrio

    from landuse.bank.store import ProjectBank

    if not store.startswith(("postgresql://", "postgres://")) and _same_file(
        Path(store), candidates_path
    ):
        msg = (
            "--store must not be the CANDIDATES file (`landuse bank -o` rewrites that file "
            "each run); keep the bank in its own file, e.g. --store bank_store.gpkg"
        )
        raise LanduseError(msg)
    names = [str(n) for n in pyogrio.list_layers(candidates_path)[:, 0]]
    name = layer or ("project_bank" if "project_bank" in names else names[0])
    candidates = pyogrio.read_dataframe(candidates_path, layer=name)
    with ProjectBank.open(store, timeout=timeout) as bank:
        report = bank.sync(candidates, as_of=as_of, note=note, by=by)
    _echo(report.summary(lang="zh" if lang == "zh" else "en"))


@bank_store.command("status")
@click.argument("candidate_ids", metavar="CANDIDATE_ID...", nargs=-1, required=True)
@click.argument(
    "status",
    type=click.Choice(
        ["identified", "verified", "approved", "in_progress", "completed", "rejected"]
    ),
)
@click.option(
    "--store", envvar="LANDUSE_BANK_STORE", required=True, help="Bank .gpkg or postgresql:// DSN."
)
@click.option("--by", required=True, help="Who decided.")
@click.option("--note", default=None, help="Why (kept in the history).")
@click.option(
    "--timeout", default=10.0, show_default=True, help="Seconds to wait for another writer."
)
def bank_store_status(
    candidate_ids: tuple[str, ...],
    status: str,
    store: str,
    by: str,
    note: str | None,
    timeout: float,
) -> None:
    """Move entries to STATUS (all or none), e.g. `status C-P1 C-P2 verified --by 王工`."""
    from landuse.bank.store import ProjectBank

    with ProjectBank.open(store, timeout=timeout) as bank:
        bank.set_status(list(candidate_ids), status, by=by, note=note)  # type: ignore[arg-type]
    _echo(f"{len(candidate_ids)} entr{'y' if len(candidate_ids) == 1 else 'ies'} → {status}")


@bank_store.command("history")
@click.argument("candidate_id")
@click.option(
    "--store", envvar="LANDUSE_BANK_STORE", required=True, help="Bank .gpkg or postgresql:// DSN."
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def bank_store_history(candidate_id: str, store: str, lang: str) -> None:
    """Print every event of CANDIDATE_ID: time, user, note, old → new."""
    from landuse.bank.store import ProjectBank

    with ProjectBank.open(store) as bank:
        history = bank.history(candidate_id, lang="zh" if lang == "zh" else "en")
    for row in history.itertuples():
        when = row.at.strftime("%Y-%m-%d %H:%M")
        note = f" ({row.note})" if row.note else ""
        _echo(f"{when} {row.event} by {row.by}{note}: {row.description}")


@bank_store.command("summary")
@click.option(
    "--store", envvar="LANDUSE_BANK_STORE", required=True, help="Bank .gpkg or postgresql:// DSN."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write summary, entries and sync log to this .xlsx workbook.",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def bank_store_summary(store: str, output: Path | None, lang: str) -> None:
    """Print entries by zone and status (count, 亩, extra floor area, tax); optionally to Excel."""
    from landuse.bank.store import ProjectBank

    code: Literal["zh", "en"] = "zh" if lang == "zh" else "en"
    _check_outputs([("-o/--output", output, (".xlsx",))], inputs={"--store": store})
    with ProjectBank.open(store) as bank:
        table = bank.summary()
        if output is not None:
            bank.export_excel(output, lang=code)
    _echo(table.to_string(index=False) if len(table) else "the bank is empty")
    if output is not None:
        _echo(f"Excel → {output}")


@main.command("check")
@click.argument("proposals", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--zones",
    "zones_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Cluster zone boundaries (产业集聚区).",
)
@click.option(
    "--areas",
    "areas_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Functional areas (功能分区); without them the industrial-area rule is not checked.",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    type=click.Path(dir_okay=False, path_type=Path),
    multiple=True,
    default=(Path("compliance.gpkg"),),
    show_default=True,
    help="Report file: .gpkg (QGIS), .csv or .xlsx (Chinese headers); repeat for several.",
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
    help="Comma-separated land uses the zone rule applies to, e.g. industrial,logistics.",
)
@click.option(
    "--policy",
    "policy_name",
    default="qingdao-2019",
    show_default=True,
    help="Policy profile name or TOML path (recorded in the report).",
)
@click.option("--layer", default=None, help="Layer of PROPOSALS in a multi-layer file.")
@click.option(
    "--source-crs", default=None, help="CRS of input files that declare none (e.g. EPSG:4490)."
)
@click.option(
    "--coord-system",
    type=click.Choice(["wgs84", "gcj02", "bd09"]),
    default="wgs84",
    show_default=True,
    help="Web-map coordinates of PROPOSALS to convert from (Amap/Gaode gcj02, Baidu bd09).",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--progress", is_flag=True, help="Show a progress bar.")
@click.option(
    "--scheduler",
    default=None,
    help="Check the proposals on this Dask cluster (tcp://host:8786). A PROPOSALS directory "
    "(partitioned GeoParquet) is always checked on a cluster (local by default). Needs "
    "landuse[scale].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="As --scheduler, on a local cluster of this many worker processes.",
)
@_FORMULA_GUARD
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
    layer: str | None,
    source_crs: str | None,
    coord_system: str,
    lang: str,
    progress: bool,
    scheduler: str | None,
    workers: int | None,
    no_formula_guard: bool,
) -> None:
    """Check proposed new industrial land (PROPOSALS) against the cluster zones.

    Says for each proposal whether it lies inside a zone (and its industrial development
    area), straddles a boundary or lies outside, by how much, and totals the 亩 outside the
    zones per district. Writes a GeoPackage (QGIS) and/or CSV / Excel.
    """
    from landuse import compliance, io
    from landuse._atomic import atomic_paths
    from landuse.policy import load_policy

    code: Literal["zh", "en"] = "zh" if lang == "zh" else "en"
    targets = list(dict.fromkeys(outputs))  # `-o r.csv -o r.csv` writes r.csv once
    side_files = [p.with_name(f"{p.stem}_summary.csv") for p in targets if p.suffix == ".csv"]
    _check_outputs(
        [("-o/--output", p, (".gpkg", ".csv", ".xlsx")) for p in targets]
        + [("-o/--output (summary)", p, ()) for p in side_files],
        inputs={"PROPOSALS": proposals, "--zones": zones_path, "--areas": areas_path},
    )
    zones = io.read_zones(zones_path, source_crs=source_crs)
    areas = (
        io.read_functional_areas(areas_path, source_crs=source_crs, crs=zones.crs)
        if areas_path is not None
        else None
    )
    options: dict[str, float] = {}
    if tolerance_m2 is not None:
        options["tolerance_m2"] = tolerance_m2
    if tolerance_share is not None:
        options["tolerance_share"] = tolerance_share
    uses = [u.strip() for u in industrial_uses.split(",") if u.strip()]
    if scheduler or workers or proposals.is_dir():
        from landuse.cli._scale import check_report

        report = check_report(
            proposals,
            zones=zones,
            areas=areas,
            read_options={
                "layer": layer,
                "source_crs": source_crs,
                "coord_system": coord_system,
            },
            scheduler=scheduler,
            workers=workers,
            policy=load_policy(policy_name),
            industrial_uses=uses,
            lang=code,
            **options,
        )
    else:
        frame = io.read_proposals(
            proposals,
            layer=layer,
            source_crs=source_crs,
            coord_system=coord_system,  # type: ignore[arg-type]
            crs=zones.crs,
        )
        report = compliance.check_new_land(
            frame,
            zones=zones,
            functional_areas=areas,
            policy=load_policy(policy_name),
            industrial_uses=uses,
            lang=code,
            progress=progress,
            **options,  # type: ignore[arg-type]
        )
    if by not in report.columns and by == "district":
        _echo("note: proposals have no `district`; totals by nearest zone", err=True)
        by = "nearest_zone_id"
    summary = compliance.outside_zone_summary(report, by=by, lang=code)
    # every report file or none: each is written under a temporary name, all moved at the end
    written: list[Path] = []
    with atomic_paths(*targets, keep_existing=(".gpkg",)) as temps:
        for target, tmp in zip(targets, temps):
            files = compliance.write_compliance(
                report, tmp, by=by, lang=code, formula_guard=not no_formula_guard
            )
            written.extend(target.with_name(f.name) for f in files)
    i = 0 if code == "zh" else 1
    counts = report["verdict"].value_counts(sort=False)
    _echo(f"{len(report)} proposals ({report.attrs['policy']}):")
    for verdict, count in counts.items():
        _echo(f"  {count:>7}  {compliance.VERDICT_LABELS[str(verdict)][i]}")
    total = summary.iloc[-1]
    _echo(
        f"outside the zones: {int(total['outside_or_straddling'])} of {int(total['proposals'])} "
        f"industrial proposals, {total['area_outside_mu']:.2f} {'亩' if code == 'zh' else 'mu'}"
    )
    for path in written:
        _echo(f"report → {path}")
