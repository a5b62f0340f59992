"""The options several commands share, each defined once.

Private to :mod:`landuse.cli`. A constant is an option used as is (``@opt.LANG``); a
function makes an option whose help text (or default) says what it means for that command
(``@opt.output("The HTML map to write.", default=Path("landuse_map.html"))``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = [
    "FORMULA_GUARD",
    "LANG",
    "PROGRESS",
    "STORE",
    "TIMEOUT",
    "WORKERS",
    "as_of",
    "coord_system",
    "functional_areas",
    "input_file",
    "input_path",
    "layer",
    "output",
    "policy",
    "scheduler",
    "source_crs",
    "zones",
]

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]


def input_file() -> click.Path:
    """An existing file (not a folder), given to the command as a :class:`~pathlib.Path`."""
    return click.Path(exists=True, dir_okay=False, path_type=Path)


def input_path() -> click.Path:
    """An existing file or folder (a FileGDB is a folder), as a :class:`~pathlib.Path`."""
    return click.Path(exists=True, path_type=Path)


LANG = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of labels and headers: zh (Chinese) or en.",
)
FORMULA_GUARD = click.option(
    "--no-formula-guard",
    "no_formula_guard",
    is_flag=True,
    help="CSV: write text starting with = + - @ as is (for programs). By default such text gets "
    "a leading ' so Excel shows it as text instead of running it as a formula.",
)
PROGRESS = click.option("--progress", is_flag=True, help="Show a progress bar.")
STORE = click.option(
    "--store", envvar="LANDUSE_BANK_STORE", required=True, help="Bank .gpkg or postgresql:// DSN."
)
TIMEOUT = click.option(
    "--timeout", default=10.0, show_default=True, help="Seconds to wait for another writer."
)
WORKERS = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="As --scheduler, on a local cluster of this many worker processes.",
)


def output(
    help: str,
    *,
    default: Path | tuple[Path, ...] | None = None,
    required: bool = False,
    multiple: bool = False,
    name: str = "output",
) -> Decorator[Any]:
    """``-o/--output FILE``: the file a command writes (``multiple``: repeat it for several)."""
    return click.option(
        "-o",
        "--output",
        name,
        type=click.Path(dir_okay=False, path_type=Path),
        default=default,
        show_default=default is not None,
        required=required,
        multiple=multiple,
        help=help,
    )


def policy(
    help: str = "Policy profile name or TOML path.",
    *,
    default: str | None = "qingdao-2019",
) -> Decorator[Any]:
    """``--policy NAME|TOML``: the policy profile, given to every library call that applies it."""
    return click.option(
        "--policy", "policy_name", default=default, show_default=default is not None, help=help
    )


def zones(help: str, *, required: bool = False) -> Decorator[Any]:
    """``--zones FILE``: the cluster zone boundaries."""
    return click.option(
        "--zones", "zones_path", type=input_path(), required=required, default=None, help=help
    )


def functional_areas(help: str, *, flag: str = "--functional-areas") -> Decorator[Any]:
    """``--functional-areas FILE`` (``--areas`` in ``landuse check``): the functional areas."""
    return click.option(flag, "areas_path", type=input_path(), default=None, help=help)


def layer(help: str, *, flag: str = "--layer") -> Decorator[Any]:
    """``--layer NAME``: the layer of an input in a multi-layer file."""
    return click.option(flag, default=None, help=help)


def source_crs(help: str = "CRS of a file that declares none (e.g. EPSG:4490).") -> Decorator[Any]:
    """``--source-crs CRS``: the CRS of an input file that declares none."""
    return click.option("--source-crs", default=None, help=help)


def coord_system(
    help: str = "Web-map coordinates to convert from (Amap/Gaode gcj02, Baidu bd09).",
) -> Decorator[Any]:
    """``--coord-system wgs84|gcj02|bd09``: the web-map coordinates of an input file."""
    return click.option(
        "--coord-system",
        type=click.Choice(["wgs84", "gcj02", "bd09"]),
        default="wgs84",
        show_default=True,
        help=help,
    )


def scheduler(help: str) -> Decorator[Any]:
    """``--scheduler ADDRESS``: run the parcel-local work on a Dask cluster."""
    return click.option("--scheduler", default=None, help=help)


def as_of(help: str) -> Decorator[Any]:
    """``--as-of DATE``: the reference date (required)."""
    return click.option("--as-of", "as_of", required=True, help=help)
