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

from landuse import schema

__all__ = [
    "FORMULA_GUARD",
    "LANG",
    "PROGRESS",
    "STORE",
    "TIMEOUT",
    "WORKERS",
    "Category",
    "as_of",
    "coord_system",
    "functional_areas",
    "input_file",
    "input_path",
    "layer",
    "output",
    "parse_categories",
    "policy",
    "read_options",
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
TARGETS = click.option(
    "--targets",
    "targets_arg",
    default=None,
    metavar="FILE|creation_conditions",
    help="Expected targets that decide elimination: a CSV or Excel table (zone_id, optional year, "
    "a minimum per indicator column, named as in the ranking, e.g. revenue_wan or 主营业务收入) "
    "or the word creation_conditions. Default: elimination not evaluated.",
)
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


def _for_each(main: str | None, others: tuple[str, ...], placeholder: str) -> str:
    """``"NAME for PARCELS; zones:NAME for --zones"``: the rule, for one command's inputs."""
    parts = [f"{placeholder} for {main}"] if main else []
    parts += [f"{o}:{placeholder} for --{o}" for o in others]
    return "; ".join(parts)


def read_options(main: str | None, others: tuple[str, ...] = ()) -> Decorator[Any]:
    """``--layer``, ``--columns``, ``--units`` (repeatable), by the rule of :mod:`~landuse.cli._read`.

    ``main`` is how the main input is given (``"PARCELS"``; ``None`` when there is none),
    ``others`` the option names of the other inputs (``"zones"`` for ``--zones FILE``).
    """
    layer_help = (
        "Layer to read from a multi-layer file (GeoPackage): "
        f"{_for_each(main, others, 'NAME')}. Repeatable."
    )
    columns_help = (
        "Read field SOURCE as canonical column COLUMN (e.g. 面积亩=land_area_m2): "
        f"{_for_each(main, others, 'SOURCE=COLUMN')}. Repeatable."
    )
    units_help = (
        "Unit of the field read as COLUMN when its name carries none (e.g. land_area_m2=亩): "
        f"{_for_each(main, others, 'COLUMN=UNIT')}. Repeatable."
    )

    def decorate(fn: F) -> F:
        fn = click.option(
            "--units", "units", multiple=True, metavar="COLUMN=UNIT", help=units_help
        )(fn)
        fn = click.option(
            "--columns", "columns", multiple=True, metavar="SOURCE=COLUMN", help=columns_help
        )(fn)
        return click.option("--layer", "layers", multiple=True, metavar="NAME", help=layer_help)(fn)

    return decorate


def allowed_values(category: str, exclude: tuple[str, ...] = ()) -> str:
    """List the values of ``category`` in both languages: ``"verified (已核实, Verified), …"``."""
    return ", ".join(
        f"{code} ({zh}, {en})"
        for code, (zh, en) in schema.CATEGORY_LABELS[category].items()
        if code not in exclude
    )


class Category(click.ParamType):
    """A category value given as its code, its Chinese or its English label; converts to the code.

    ``landuse bank-store status C-P1 已核实`` works like ``verified``
    (:func:`landuse.schema.parse_category`); anything else is refused with the allowed values
    in both languages.
    """

    name = "category"

    def __init__(self, category: str, *, exclude: tuple[str, ...] = ()) -> None:
        self.category = category
        self.exclude = exclude

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """Return the code of ``value``; fail with the allowed values otherwise."""
        code = schema.parse_category(self.category, value)
        if code is None or code in self.exclude:
            self.fail(
                f"{value!r} is not one of: {allowed_values(self.category, self.exclude)}.",
                param,
                ctx,
            )
        return code


def parse_categories(category: str, text: str, option: str) -> list[str]:
    """Return the codes of comma-separated ``category`` values (code, 中文 or English name)."""
    codes: list[str] = []
    for item in (t.strip() for t in text.replace("，", ",").split(",")):
        if not item:
            continue
        code = schema.parse_category(category, item)
        if code is None:
            msg = f"{item!r} is not one of: {allowed_values(category)}."
            raise click.BadParameter(msg, param_hint=option)
        codes.append(code)
    return codes
