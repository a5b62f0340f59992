"""Commands on layers: ``landuse validate``, ``landuse map``, ``landuse zonal``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import click
import geopandas as gpd

from landuse import io, schema
from landuse._atomic import atomic_path
from landuse._checks import Lang
from landuse.cli import _options as opt
from landuse.cli._common import TABLE_TYPES, check_outputs, echo, write_table
from landuse.cli._read import Input, ReadPlan, read_plan
from landuse.datasets import load_sample
from landuse.errors import LanduseError
from landuse.mapping import SCHEMES, map_parcels, map_zones, save_map
from landuse.raster import zonal_stats
from landuse.report import About, style_gpkg_layer
from landuse.schema import Field

__all__ = ["map_command", "validate", "zonal"]

ROLES = ("zones", "functional_areas", "parcels", "buildings", "proposals", "zone_stats")
BASEMAPS = ("osm", "tianditu-vector", "tianditu-imagery", "amap", "amap-satellite", "none")
STATS = "mean, sum, count, min, max, std, majority, minority, median, variety, valid_share"


@click.command("validate")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the file holds.")
@opt.read_options("SOURCE")
@opt.source_crs()
@opt.coord_system()
@click.option("--encoding", default=None, help="Text encoding of a shapefile DBF or CSV.")
@click.option("--coerce", is_flag=True, help="Set unreadable values missing instead of failing.")
@opt.output(
    "Write the validated layer to this GeoPackage (layer ROLE; other layers are kept), with "
    "field aliases in --lang and a QGIS style (layer_styles)."
)
@opt.LANG
def validate(
    source: Path,
    role: str,
    layers: tuple[str, ...],
    columns: tuple[str, ...],
    units: tuple[str, ...],
    source_crs: str | None,
    coord_system: str,
    encoding: str | None,
    coerce: bool,
    output: Path | None,
    lang: Lang,
) -> None:
    """Read SOURCE as a ROLE layer, report what was mapped and fixed, optionally write it.

    Prints the fields read as canonical columns, the units converted, the fields NOT mapped
    (kept under their own names; one that looks like a canonical column is warned about with
    the --columns to pass), the CRS and the repairs. Writes only with -o: the validated layer
    into that GeoPackage.
    """
    check_outputs([("-o/--output", output, (".gpkg",))], inputs={"SOURCE": source})
    plan = read_plan([Input("", "SOURCE", schema.LAYERS[role], source)], layers=layers,
                     columns=columns, units=units)  # fmt: skip
    on_invalid: Literal["raise", "coerce"] = "coerce" if coerce else "raise"
    options: dict[str, Any] = {"encoding": encoding, "on_invalid": on_invalid, **plan.kwargs()}
    if role != "zone_stats":
        options.update(source_crs=source_crs, coord_system=coord_system)
    frame = getattr(io, f"read_{role}")(source, **options)
    echo(frame.attrs["landuse_read"].summary())  # with "fields not mapped: …"
    if output is not None:
        # canonical fields and codes (the checked layer is input to the other commands), with
        # Chinese aliases and a QGIS style stored beside it
        with atomic_path(output, keep_existing=True) as tmp:
            io.write_layers({role: frame}, tmp)
            if isinstance(frame, gpd.GeoDataFrame):
                style_gpkg_layer(tmp, role, frame=frame, lang=lang)
        echo(f"written → {output} (layer {role}, styled for QGIS)")


@click.command("map")
@opt.zones("Zone boundaries (read with read_zones). Default: the bundled sample's.")
@opt.functional_areas("Functional areas of the zones.")
@click.option(
    "--parcels", "parcels_path", type=opt.input_file(), help="Parcels (read with read_parcels)."
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
    type=click.Choice(BASEMAPS),
    default="osm",
    show_default=True,
    help="Tianditu needs the TIANDITU_KEY environment variable.",
)
@opt.LANG
@click.option(
    "--offline/--online",
    default=True,
    show_default=True,
    help=(
        "--offline (default): Leaflet and everything the page needs is inside the file, "
        "which opens without internet (basemap tiles still need it). --online: link those "
        "files from their CDNs instead (a smaller file that needs internet)."
    ),
)
@click.option(
    "--static",
    "static_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw a static map (.png, .pdf or .svg) for reports.",
)
@opt.output("The HTML map to write.", default=Path("landuse_map.html"))
@opt.read_options("--parcels (or --zones without --parcels)", ("zones", "functional-areas"))
def map_command(
    zones_path: Path | None,
    areas_path: Path | None,
    parcels_path: Path | None,
    column: str | None,
    scheme: str,
    k: int,
    basemap: str,
    lang: Lang,
    offline: bool,
    static_path: Path | None,
    output: Path,
    layers: tuple[str, ...],
    columns: tuple[str, ...],
    units: tuple[str, ...],
) -> None:
    """Write an interactive map of zones and parcels (one HTML file), optionally a static one.

    Writes -o (the HTML map, default landuse_map.html) and, with --static, that image.
    """
    check_outputs(
        [
            ("-o/--output", output, (".html", ".htm")),
            ("--static", static_path, (".png", ".pdf", ".svg")),
        ],
        inputs={"--zones": zones_path, "--functional-areas": areas_path, "--parcels": parcels_path},
    )
    if k < 1:
        msg = f"-k must be a positive number of classes; received {k}."
        raise LanduseError(msg)
    plan = read_plan(
        [
            Input("", "--parcels" if parcels_path else "--zones",
                  schema.PARCELS if parcels_path else schema.ZONES, parcels_path or zones_path),
            Input("zones", "--zones", schema.ZONES, zones_path),
            Input("functional-areas", "--functional-areas", schema.FUNCTIONAL_AREAS, areas_path),
        ],
        layers=layers, columns=columns, units=units,
    )  # fmt: skip
    zones, areas, parcels = _map_layers(zones_path, areas_path, parcels_path, plan)
    style: dict[str, Any] = {"basemap": None if basemap == "none" else basemap, "lang": lang}
    m = None
    if zones is not None:
        m = map_zones(zones, functional_areas=areas, **style)
    if parcels is not None:
        m = map_parcels(parcels, column=column, scheme=scheme, k=k, m=m, **style)  # type: ignore[arg-type]
    if m is None:
        msg = "give --zones and/or --parcels (or neither, for the bundled sample)"
        raise click.UsageError(msg)
    echo(f"map → {save_map(m, output, offline=offline)}")
    if static_path is not None:
        from landuse.mapping.static import plot_map  # matplotlib: only when asked for

        plot_map(
            parcels if parcels is not None else zones,
            column=column if parcels is not None else None,
            scheme=scheme,
            k=k,
            zones=zones if parcels is not None else None,
            functional_areas=areas,
            lang=lang,
            path=static_path,
        )
        echo(f"static map → {static_path}")


def _map_layers(
    zones_path: Path | None, areas_path: Path | None, parcels_path: Path | None, plan: ReadPlan
) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """Zones, functional areas and parcels to map: the files given, or the bundled sample."""
    if zones_path is None and parcels_path is None:
        sample = load_sample()
        echo("no --zones/--parcels given: mapping the bundled (synthetic) sample")
        return sample.zones, sample.functional_areas, sample.parcels
    # without parcels the zones are the main input: `zones:` and no prefix both name them
    zones_options = plan.kwargs("zones") if parcels_path else plan.kwargs("", "zones")
    return (
        io.read_zones(zones_path, **zones_options) if zones_path else None,
        io.read_functional_areas(areas_path, **plan.kwargs("functional-areas"))
        if areas_path
        else None,
        io.read_parcels(parcels_path, **plan.kwargs()) if parcels_path else None,
    )


@click.command("zonal")
@click.argument("parcels", type=opt.input_file())
@click.argument("raster", type=opt.input_file())
@opt.output(
    "File to write, the format follows the extension: .xlsx (styled, with a 说明 sheet), .csv "
    "(UTF-8 with BOM, opens in Excel), .gpkg or .parquet: parcel_id and one column per "
    "statistic, headers in --lang.",
    required=True,
)
@click.option(
    "--stats",
    default="mean,sum,count,min,max,std,majority",
    show_default=True,
    help=f"Comma-separated statistics: {STATS}.",
)
@click.option(
    "--categories",
    default=None,
    help="Comma-separated class values of a categorical raster, e.g. 1,2: adds share_<class>.",
)
@click.option("--band", type=int, default=1, show_default=True, help="Raster band, from 1.")
@opt.read_options("PARCELS")
@opt.PROGRESS
@opt.FORMULA_GUARD
@opt.LANG
def zonal(
    parcels: Path,
    raster: Path,
    output: Path,
    stats: str,
    categories: str | None,
    band: int,
    layers: tuple[str, ...],
    columns: tuple[str, ...],
    units: tuple[str, ...],
    progress: bool,
    no_formula_guard: bool,
    lang: Lang,
) -> None:
    """Exact zonal statistics of RASTER for each parcel in PARCELS, written to -o (.csv or .xlsx).

    Cells count with the exact fraction each parcel covers (a parcel smaller than a pixel still
    gets a value); nodata is skipped; parcels are reprojected to the raster's CRS. Parcels
    outside the raster get no values, and a warning gives their count and parcel ids.

    Writes one file, -o: parcel_id and one column per statistic.
    """
    check_outputs(
        [("-o/--output", output, TABLE_TYPES)], inputs={"PARCELS": parcels, "RASTER": raster}
    )
    wanted = [s.strip() for s in stats.split(",") if s.strip()]
    classes: list[float] | None = None
    if categories:
        classes = [float(c) if "." in c else int(c) for c in categories.split(",") if c.strip()]
    plan = read_plan([Input("", "PARCELS", schema.PARCELS, parcels)], layers=layers,
                     columns=columns, units=units)  # fmt: skip
    # on the parcel ids: warnings (parcels outside the raster) name them, the table holds them
    frame = io.read_parcels(parcels, **plan.kwargs()).set_index("parcel_id")
    table = zonal_stats(
        frame,
        raster,
        stats=wanted,  # type: ignore[arg-type]
        categories=classes,
        band=band,
        progress=progress,
    )
    table = table.rename_axis("parcel_id").reset_index()
    write_table(
        table,
        output,
        sheet="栅格分区统计" if lang == "zh" else "zonal statistics",
        caller="landuse zonal",
        lang=lang,
        # exactextract's count: the cells a parcel covers, each by the fraction it covers
        fields={"count": Field("count", "覆盖像元数", "Cells covered")},
        about=About(
            title=f"栅格分区统计：{raster.name} 第 {band} 波段" if lang == "zh"
            else f"Zonal statistics of {raster.name}, band {band}",
            sources=(str(parcels), str(raster)),
        ),
        formula_guard=not no_formula_guard,
    )
    echo(
        f"{len(table)} parcels × {table.shape[1] - 1} statistics of {raster.name} band {band} "
        f"→ {output}"
    )
