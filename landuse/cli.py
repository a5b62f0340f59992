"""The ``landuse`` command.

``landuse demo --out DIR`` runs the pipeline on the bundled Qingdao sample;
``landuse validate FILE --role parcels`` checks one of your own layers and writes
the validated layer to a GeoPackage.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Literal

import click

from landuse import __version__

__all__ = ["main"]

_ROLES = ("zones", "functional_areas", "parcels", "buildings", "proposals", "zone_stats")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="landuse")
@click.option("-v", "--verbose", count=True, help="Log what the readers do (-v info, -vv debug).")
def main(verbose: int) -> None:
    """Industrial land analysis for Qingdao's key industrial cluster zones."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


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
    from landuse.mapping import map_zones, save_map

    start = time.perf_counter()
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
        click.echo(
            f"{name:>16}: {len(frame):>6} rows"
            + (f"  ({report.crs})" if report and report.crs else "")
        )
    gpkg = write_layers(layers, out_dir / "landuse_sample.gpkg")
    click.echo(f"validated layers → {gpkg}")
    html = save_map(
        map_zones(sample.zones, functional_areas=sample.functional_areas),
        out_dir / "zones_map.html",
    )
    click.echo(f"zone overview map → {html}")
    click.echo(f"done in {time.perf_counter() - start:.1f} s (sample data are synthetic)")


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
    help="Write the validated layer to this GeoPackage.",
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
    import warnings

    from landuse import io
    from landuse.errors import LanduseError

    on_invalid: Literal["raise", "coerce"] = "coerce" if coerce else "raise"
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
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
    except (LanduseError, FileNotFoundError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for w in caught:
        click.echo(f"warning: {w.message}", err=True)
    click.echo(frame.attrs["landuse_read"].summary())
    if output is not None:
        io.write_layers({role: frame}, output)
        click.echo(f"written → {output}")
