"""The ``landuse`` command.

``landuse demo --out DIR`` runs the pipeline on the bundled Qingdao sample;
``landuse validate FILE --role parcels`` checks one of your own layers and writes
the validated layer to a GeoPackage.

The commands live in one module per group: :mod:`~landuse.cli.demo`,
:mod:`~landuse.cli.layers` (validate, map, zonal), :mod:`~landuse.cli.analyses` (assess,
bank, check), :mod:`~landuse.cli.supply` and :mod:`~landuse.cli.bank_store`; the options
they share are defined once in ``_options``. Each command parses its arguments, calls the
library, and reports.

Errors: one handler (:class:`_Landuse`) for every command; commands only raise. A user
error (a :class:`~landuse.errors.LanduseError`, an ``OSError`` such as a read-only folder, a
``ValueError``, a missing optional dependency, or an error of a file or database driver)
prints one line ``error: …`` on stderr and exits with status 2 (75: the bank store was
busy, :class:`~landuse.errors.StoreBusyError`, retry); ``-v`` also prints the traceback. Any
other exception is a bug in landuse and shows its traceback. A reader's suggestion in an
error or warning (``columns={'宗地编号': 'zone_id'}``) is printed as the options the command
takes (``--columns 宗地编号=zone_id``, ``--columns zones:…`` for another input; the rule is in
``_read``). Output paths (known file type,
folder writable, not one of the inputs) are checked before any analysis runs, and a command
writing several files writes all of them or none. Text from the data printed to the terminal
goes through :func:`landuse._sinks.terminal_text`.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import traceback
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import click
import pyogrio.errors

from landuse._version import __version__
from landuse.cli import analyses, bank_store, demo, enterprises, layers, report, supply
from landuse.cli._common import echo
from landuse.cli._read import cli_text
from landuse.errors import LanduseError, StoreBusyError

__all__ = ["main"]

#: Exit status of a user error, and of a busy bank store (EX_TEMPFAIL: retry).
EXIT_USER_ERROR = 2
EXIT_BUSY = 75


def _user_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that are the user's to fix (bad input, environment), not landuse bugs."""
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


def _show_warnings(caught: Iterable[warnings.WarningMessage], meta: Mapping[str, Any]) -> None:
    seen: set[str] = set()
    for w in caught:
        text = cli_text(w.message, str(w.message), meta)
        if text not in seen:
            seen.add(text)
            echo(f"warning: {text}", err=True)


class _Landuse(click.Group):
    """The ``landuse`` group: THE error handler and warning printer of every command."""

    def invoke(self, ctx: click.Context) -> Any:
        verbose = ctx.params.get("verbose", 0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = super().invoke(ctx)
            except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
                _show_warnings(caught, ctx.meta)
                raise
            except _user_errors() as exc:
                # A user error: one line, exit 2 (75 when the store is busy). Everything else
                # propagates with its traceback on purpose: an unexpected exception is a bug.
                _show_warnings(caught, ctx.meta)
                if verbose:
                    click.echo(traceback.format_exc(), err=True, nl=False)
                # a reader's suggestion (columns={…}) is re-worded as the CLI options here
                echo(f"error: {cli_text(exc, _one_line(exc), ctx.meta)}", err=True)
                ctx.exit(EXIT_BUSY if isinstance(exc, StoreBusyError) else EXIT_USER_ERROR)
        _show_warnings(caught, ctx.meta)
        return result


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


for _command in (
    demo.demo,
    layers.validate,
    layers.map_command,
    layers.zonal,
    analyses.assess,
    analyses.bank_command,
    analyses.check_command,
    supply.supply,
    enterprises.enterprises_command,
    report.report_command,
    bank_store.bank_store,
):
    main.add_command(_command)
